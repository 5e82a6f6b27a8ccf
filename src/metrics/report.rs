//! The metrics results: the stable JSON schema of `fairfile metrics --format json` (documented in
//! `docs/metrics-json.md`), also the data the documents are rendered from and the computed evidence
//! the check reads.
//!
//! Undefined values are `None` (JSON `null`) with a reason in `null_reasons`; never NaN or infinity.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Outcome;
// What the data is and how its raw values were counted: ingest's types, part of this schema.
pub use crate::ingest::{CategoryValue, DataInfo, OutcomeValue};

/// Schema id written into the JSON, bumped on any incompatible change.
pub const METRICS_SCHEMA: &str = "fairfile.metrics/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MetricsReport {
    pub schema: String,
    /// `selection` or `scoring`.
    pub mode: Outcome,
    /// Scoring mode: the exact median score of the full sample (everyone assessed, unknown
    /// categories included), per 6 RCNY §5-301(c)(1).
    pub median_score: Option<f64>,
    /// Plain statement of which individuals the median was computed over.
    pub median_sample: Option<String>,
    /// Every individual assessed (every data row, or the sum of `n` over counts rows).
    pub total: u64,
    pub data: DataInfo,
    /// Each distinct raw outcome value seen, with its count and how it was counted.
    pub outcome_values: Vec<OutcomeValue>,
    /// Each distinct raw category value seen, per column, with its count and the category it went to.
    pub category_values: Vec<CategoryValue>,
    /// Thresholds and options in force, so that a reader can see every choice.
    pub policy: Policy,
    pub dimensions: Dimensions,
    /// Error-rate fairness metrics (fairlearn definitions), when ground truth and a prediction exist.
    pub fairness: Option<Fairness>,
    /// The fuller adverse-impact analysis (significance, practical significance, effect sizes,
    /// power, Holm, unknowns' bounds, AIF360 metrics): context, not a verdict. Added within
    /// `fairfile.metrics/1`; absent in older JSON.
    #[serde(default)]
    pub analysis: Option<crate::analysis::Analysis>,
    /// Human-readable warnings (small samples, non-EEO-1 categories, folded unmapped values…).
    pub warnings: Vec<String>,
}

/// The statistical and reporting choices in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Policy {
    /// Categories with a share below this are flagged `small` (6 RCNY §5-301(d): 0.02).
    pub small_category_share: f64,
    /// What the share is a share of.
    pub share_denominator: String,
    /// Whether the §5-301(d) option to exclude small categories from impact ratios is used.
    pub exclude_small_categories: bool,
    pub exclusion_justification: Option<String>,
    /// The four-fifths rule (29 CFR 1607.4(D)) threshold for `four_fifths_flag`; context, not a pass mark.
    pub four_fifths_threshold: f64,
    /// A category is `small_sample` below this many individuals…
    pub small_sample_min_n: u64,
    /// …or below this many expected selections under the reference rate.
    pub small_sample_min_expected: f64,
    /// Confidence level of the intervals (0.95) and their method (`wilson`).
    pub confidence_level: f64,
    pub interval_method: String,
    /// Significance test against the reference category (`fisher_exact_two_sided`).
    pub test_method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dimensions {
    pub sex: Dimension,
    pub race_ethnicity: Dimension,
    pub intersectional: Dimension,
}

impl Dimensions {
    /// The three dimensions with their JSON names, in report order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Dimension)> {
        [
            ("sex", &self.sex),
            ("race_ethnicity", &self.race_ethnicity),
            ("intersectional", &self.intersectional),
        ]
        .into_iter()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dimension {
    /// False when the data has no column for this dimension ("not provided"): `categories` is empty.
    pub provided: bool,
    /// Individuals assessed whose category in this dimension is unknown (not used in calculations).
    pub unknown: u64,
    /// Individuals with a known category in this dimension.
    pub known: u64,
    /// The category with the highest rate among those not excluded (the impact-ratio denominator).
    pub reference: Option<String>,
    pub categories: Vec<CategoryResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryResult {
    pub category: String,
    /// Intersectional items: the sex part.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sex: Option<String>,
    /// Intersectional items: the race/ethnicity part.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub race: Option<String>,
    pub n: u64,
    /// Selection mode: number selected.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub selected: Option<u64>,
    /// Scoring mode: number scoring strictly above the sample median.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub above_median: Option<u64>,
    /// Selection or scoring rate; null when n = 0.
    pub rate: Option<f64>,
    pub impact_ratio: Option<f64>,
    /// Share of the category in the denominator named by `policy.share_denominator`.
    pub share: Option<f64>,
    /// Share below `policy.small_category_share`.
    pub small: bool,
    /// Left out of the impact-ratio calculation under §5-301(d).
    pub excluded: bool,
    /// This is the reference (highest-rate) category.
    pub reference: bool,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    /// Two-sided Fisher exact p-value against the reference category.
    pub fisher_p: Option<f64>,
    /// Impact ratio below the four-fifths threshold (29 CFR 1607.4(D)); context, not a verdict.
    pub four_fifths_flag: Option<bool>,
    /// Too few individuals for the ratio to mean much (see `policy`).
    pub small_sample: bool,
    /// Field name → why it is null.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub null_reasons: BTreeMap<String, String>,
}

impl CategoryResult {
    /// Selected (selection mode) or above the median (scoring mode).
    pub fn count(&self) -> u64 {
        self.selected.or(self.above_median).unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Fairness {
    /// What the prediction is (`selected column` or `score >= threshold`) and what the label is.
    pub prediction: String,
    pub label: String,
    pub sex: Option<FairnessDimension>,
    pub race_ethnicity: Option<FairnessDimension>,
    pub intersectional: Option<FairnessDimension>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FairnessDimension {
    pub groups: Vec<FairnessGroup>,
    pub demographic_parity_difference: Option<f64>,
    pub demographic_parity_ratio: Option<f64>,
    pub equalized_odds_difference: Option<f64>,
    pub equalized_odds_ratio: Option<f64>,
    pub equal_opportunity_difference: Option<f64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub null_reasons: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FairnessGroup {
    pub group: String,
    pub n: u64,
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub tn: u64,
    pub selection_rate: Option<f64>,
    pub tpr: Option<f64>,
    pub fpr: Option<f64>,
    pub fnr: Option<f64>,
    pub precision: Option<f64>,
    pub accuracy: Option<f64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub null_reasons: BTreeMap<String, String>,
}
