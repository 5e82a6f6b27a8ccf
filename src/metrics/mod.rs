//! Metrics: LL144 selection/scoring rates and impact ratios per sex, race/ethnicity and their
//! intersection (6 RCNY §5-301), with Wilson intervals, Fisher exact tests, small-sample warnings,
//! and fairlearn's error-rate fairness metrics.
//!
//! Everything is computed from a [`Tally`] of counts per sex × race cell, so row input and counts
//! input give the same numbers. Each dimension uses every individual whose category *in that
//! dimension* is known (§5-301(b)(5), (c)(5): unknowns are counted and reported, not used).

mod fairness;
pub mod report;
pub mod stats;

use std::cmp::Ordering;
use std::collections::BTreeMap;

pub use report::*;

use crate::config::{DataSection, EEO1_RACE, EEO1_SEX, Outcome};
use crate::format;
use crate::ingest::{Cell, Ingested, Tally};

/// Categories making up less than this share of the data are "small" (6 RCNY §5-301(d): 2 %).
pub const SMALL_CATEGORY_SHARE: f64 = 0.02;

/// What the share of a category is a share of. The rule says "2 % of the data used for the
/// audit" without saying whether unknowns count; fairfile uses everyone assessed, so that a
/// category's share does not grow when demographics are missing for others.
pub const SHARE_DENOMINATOR: &str = "all individuals assessed, unknown categories included";

/// The four-fifths rule of thumb (29 CFR 1607.4(D)): context for impact ratios, not a pass mark
/// (LL144 sets none).
pub const FOUR_FIFTHS: f64 = 0.8;

/// Below this many individuals a category's rate is too noisy for its ratio to mean much.
pub const SMALL_SAMPLE_MIN_N: u64 = 30;

/// …or below this many selections expected at the reference category's rate (the usual minimum
/// expected cell count for large-sample tests).
pub const SMALL_SAMPLE_MIN_EXPECTED: f64 = 5.0;

pub const CONFIDENCE_LEVEL: f64 = 0.95;

/// Every metric of the data read: a pure function of the [`Tally`] (and the raw values ingest
/// listed), under the `[data]` section's choices (small-category exclusion, how the prediction
/// and label are described). Reading the data is [`crate::ingest::read`]'s job.
pub fn compute(data: &DataSection, ingested: Ingested) -> MetricsReport {
    let policy = Policy::for_data(data);
    let tally = &ingested.tally;
    let total = tally.total();
    let dimensions = dimensions(tally, &policy);
    let fairness = tally.has_confusion.then(|| {
        let [sex, race_ethnicity, intersectional] = fairness_dimensions(tally);
        Fairness {
            prediction: describe_prediction(data),
            label: describe_label(data),
            sex,
            race_ethnicity,
            intersectional,
        }
    });
    let warnings = warnings(data, &ingested, &dimensions);
    let mut analysis = crate::analysis::analyse(tally, &dimensions);
    analysis.cutoffs = crate::analysis::cutoffs::analyse(
        tally,
        &dimensions,
        cutoff_in_use(data, tally),
        data.analysis.cutoff_min_impact_ratio,
    );
    let analysis = Some(analysis);
    MetricsReport {
        schema: METRICS_SCHEMA.to_string(),
        mode: tally.outcome,
        median_score: tally.median_score,
        median_sample: (tally.outcome == Outcome::Scoring).then(|| {
            format!(
                "all {} individuals assessed, unknown categories included (6 RCNY §5-301(c)(1): the full sample); \
                 for an even count, the mean of the two middle scores; scoring rate = share strictly above the median",
                format::count(total)
            )
        }),
        total,
        data: ingested.data,
        outcome_values: ingested.outcome_values,
        category_values: ingested.category_values,
        policy,
        dimensions,
        fairness,
        analysis,
        warnings,
    }
}

/// The cut-off the AEDT selects by, when known: `[data.analysis] cutoff_in_use`; else a
/// `prediction_threshold` that makes the selection (no `selected` column); in scoring mode, above
/// the median.
fn cutoff_in_use(data: &DataSection, tally: &Tally) -> Option<crate::analysis::cutoffs::InUse> {
    use crate::analysis::cutoffs::InUse;
    match (data.outcome, data.analysis.cutoff_in_use) {
        (Outcome::Scoring, _) => tally.median_score.map(InUse::AboveMedian),
        (Outcome::Selection, Some(c)) => Some(InUse::AtLeast(c, "[data.analysis] cutoff_in_use")),
        (Outcome::Selection, None) => {
            match (&data.columns.selected, data.columns.prediction_threshold) {
                (None, Some(t)) => Some(InUse::AtLeast(
                    t,
                    "[data.columns] prediction_threshold (the selection is score >= threshold)",
                )),
                _ => None,
            }
        }
    }
}

/// The LL144 tables of the three dimensions (6 RCNY §5-301(b)(3), (c)(4)).
pub fn dimensions(tally: &Tally, policy: &Policy) -> Dimensions {
    let total = tally.total();
    let [sex, race_ethnicity, intersectional] =
        groups(tally).map(|d| dimension(&d, total, tally.outcome, policy));
    Dimensions {
        sex,
        race_ethnicity,
        intersectional,
    }
}

/// fairlearn's error-rate metrics of the three dimensions (`None` for a dimension not provided);
/// meaningful when `tally.has_confusion`.
pub fn fairness_dimensions(tally: &Tally) -> [Option<FairnessDimension>; 3] {
    groups(tally).map(|d| d.provided.then(|| fairness::dimension(&d.groups)))
}

impl Policy {
    /// The policy in force for an audit's `[data]` section.
    pub fn for_data(data: &DataSection) -> Policy {
        Policy {
            small_category_share: SMALL_CATEGORY_SHARE,
            share_denominator: SHARE_DENOMINATOR.to_string(),
            exclude_small_categories: data.exclude_small_categories,
            exclusion_justification: data.exclusion_justification.clone(),
            four_fifths_threshold: FOUR_FIFTHS,
            small_sample_min_n: SMALL_SAMPLE_MIN_N,
            small_sample_min_expected: SMALL_SAMPLE_MIN_EXPECTED,
            confidence_level: CONFIDENCE_LEVEL,
            interval_method: "wilson".to_string(),
            test_method: "fisher_exact_two_sided".to_string(),
        }
    }
}

/// One category of a dimension with its counts.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub category: String,
    pub sex: Option<String>,
    pub race: Option<String>,
    pub cell: Cell,
}

/// The categories of one dimension.
#[derive(Debug, Clone)]
pub(crate) struct DimensionGroups {
    pub provided: bool,
    pub unknown: u64,
    pub groups: Vec<Group>,
}

/// Name of an intersectional category.
pub fn intersectional_name(sex: &str, race: &str) -> String {
    format!("{sex} / {race}")
}

/// Sex, race/ethnicity and intersectional groups (sex-major, in config order).
pub(crate) fn groups(tally: &Tally) -> [DimensionGroups; 3] {
    let total = tally.total();
    let (sexes, races) = (&tally.sex.categories, &tally.race.categories);
    // One family from its categories and the function that sums a category's cells (None = unknown).
    let single = |provided: bool, names: &[String], total_of: &dyn Fn(Option<usize>) -> Cell| {
        DimensionGroups {
            provided,
            unknown: total_of(None).n,
            groups: names
                .iter()
                .enumerate()
                .map(|(i, name)| Group {
                    category: name.clone(),
                    sex: None,
                    race: None,
                    cell: total_of(Some(i)),
                })
                .collect(),
        }
    };
    let sex = single(tally.sex.provided, sexes, &|i| tally.sex_total(i));
    let race = single(tally.race.provided, races, &|i| tally.race_total(i));
    let mut cross = Vec::new();
    for (s, sex_name) in sexes.iter().enumerate() {
        for (r, race_name) in races.iter().enumerate() {
            cross.push(Group {
                category: intersectional_name(sex_name, race_name),
                sex: Some(sex_name.clone()),
                race: Some(race_name.clone()),
                cell: *tally.cell(Some(s), Some(r)),
            });
        }
    }
    let known: u64 = cross.iter().map(|g| g.cell.n).sum();
    let intersectional = DimensionGroups {
        provided: tally.sex.provided && tally.race.provided,
        unknown: total - known,
        groups: cross,
    };
    [sex, race, intersectional]
}

/// `a.positive / a.n` compared with `b.positive / b.n`, exactly (both n > 0).
fn compare_rates(a: &Cell, b: &Cell) -> Ordering {
    (u128::from(a.positive) * u128::from(b.n)).cmp(&(u128::from(b.positive) * u128::from(a.n)))
}

const NO_INDIVIDUALS: &str = "no individuals in this category (n = 0)";

/// Rates, impact ratios and statistics of one dimension (6 RCNY §5-301(b), (c), (d)).
fn dimension(d: &DimensionGroups, total: u64, outcome: Outcome, policy: &Policy) -> Dimension {
    if !d.provided {
        // No column: everyone's category in this dimension is unknown.
        return Dimension {
            provided: false,
            unknown: total,
            known: 0,
            reference: None,
            categories: Vec::new(),
        };
    }
    let share_of = |g: &Group| (total > 0).then(|| g.cell.n as f64 / total as f64);
    let excluded: Vec<bool> = d
        .groups
        .iter()
        .map(|g| {
            policy.exclude_small_categories
                && share_of(g).is_some_and(|s| s < policy.small_category_share)
        })
        .collect();
    // The reference: the highest rate among categories with individuals that are not excluded
    // (the first one in config order on ties).
    let mut reference: Option<usize> = None;
    for (i, g) in d.groups.iter().enumerate() {
        if excluded[i] || g.cell.n == 0 {
            continue;
        }
        if reference.is_none_or(|r| compare_rates(&g.cell, &d.groups[r].cell) == Ordering::Greater)
        {
            reference = Some(i);
        }
    }
    let reference_cell = reference.map(|r| d.groups[r].cell);
    let reference_rate = reference_cell.map(|c| c.positive as f64 / c.n as f64);

    let categories = d
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let c = &g.cell;
            let mut null_reasons = BTreeMap::new();
            let mut why = |field: &str, reason: &str| {
                null_reasons.insert(field.to_string(), reason.to_string());
            };
            let rate = (c.n > 0).then(|| c.positive as f64 / c.n as f64);
            let share = share_of(g);
            let small = share.is_some_and(|s| s < policy.small_category_share);
            let is_reference = reference == Some(i);

            let impact_ratio = match (rate, reference_cell) {
                _ if c.n == 0 => {
                    why("impact_ratio", NO_INDIVIDUALS);
                    None
                }
                _ if excluded[i] => {
                    why(
                        "impact_ratio",
                        &format!(
                            "excluded under 6 RCNY §5-301(d): {} of all individuals assessed, below {}; justification: {}",
                            format::rate(share.unwrap_or(0.0)),
                            format::policy_percent(policy.small_category_share),
                            policy.exclusion_justification.as_deref().unwrap_or("(none given)")
                        ),
                    );
                    None
                }
                (Some(rate), Some(top)) if top.positive > 0 => Some(rate / (top.positive as f64 / top.n as f64)),
                (_, Some(_)) => {
                    why("impact_ratio", "the highest rate among the categories compared is 0, so every impact ratio is 0/0");
                    None
                }
                (_, None) => {
                    why("impact_ratio", "no category to compare with");
                    None
                }
            };
            // Exact: rate < 0.8 × reference rate  ⇔  5·positive·n_ref < 4·n·positive_ref.
            let four_fifths_flag = match (impact_ratio, reference_cell) {
                (Some(_), Some(top)) => Some(
                    5 * u128::from(c.positive) * u128::from(top.n) < 4 * u128::from(c.n) * u128::from(top.positive),
                ),
                _ => {
                    why("four_fifths_flag", "no impact ratio");
                    None
                }
            };
            let interval = stats::wilson(c.positive, c.n, stats::Z95);
            if interval.is_none() {
                why("rate", NO_INDIVIDUALS);
                why("ci95_low", NO_INDIVIDUALS);
                why("ci95_high", NO_INDIVIDUALS);
            }
            let fisher_p = match reference_cell {
                _ if is_reference => {
                    why("fisher_p", "reference category");
                    None
                }
                _ if c.n == 0 => {
                    why("fisher_p", NO_INDIVIDUALS);
                    None
                }
                Some(top) => Some(stats::fisher_exact_two_sided(top.positive, top.n - top.positive, c.positive, c.n - c.positive)),
                None => {
                    why("fisher_p", "no reference category to compare with");
                    None
                }
            };
            let small_sample = c.n < policy.small_sample_min_n
                || reference_rate.is_some_and(|r| (c.n as f64) * r < policy.small_sample_min_expected);
            let (selected, above_median) = match outcome {
                Outcome::Selection => (Some(c.positive), None),
                Outcome::Scoring => (None, Some(c.positive)),
            };
            CategoryResult {
                category: g.category.clone(),
                sex: g.sex.clone(),
                race: g.race.clone(),
                n: c.n,
                selected,
                above_median,
                rate,
                impact_ratio,
                share,
                small,
                excluded: excluded[i],
                reference: is_reference,
                ci95_low: interval.map(|i| i.0),
                ci95_high: interval.map(|i| i.1),
                fisher_p,
                four_fifths_flag,
                small_sample,
                null_reasons,
            }
        })
        .collect();
    Dimension {
        provided: true,
        unknown: d.unknown,
        known: d.groups.iter().map(|g| g.cell.n).sum(),
        reference: reference.map(|r| d.groups[r].category.clone()),
        categories,
    }
}

fn list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_prediction(data: &DataSection) -> String {
    match (
        &data.columns.selected,
        data.columns.prediction_threshold,
        &data.columns.score,
    ) {
        (Some(column), _, _) => format!(
            "the `{column}` column (selected = {})",
            list(&data.values.selected)
        ),
        (None, Some(t), Some(score)) => format!("`{score}` >= {t}"),
        _ => "the counts file's tp, fp, fn, tn".to_string(),
    }
}

fn describe_label(data: &DataSection) -> String {
    match &data.columns.label {
        Some(column) => format!(
            "the `{column}` column (positive = {})",
            list(&data.values.label)
        ),
        None => "the counts file's tp, fp, fn, tn".to_string(),
    }
}

/// Plain-language warnings, in a fixed order.
fn warnings(data: &DataSection, ingested: &Ingested, dimensions: &Dimensions) -> Vec<String> {
    let tally = &ingested.tally;
    let mut out = Vec::new();
    for (axis, name) in [(&tally.sex, "sex"), (&tally.race, "race/ethnicity")] {
        if !axis.provided {
            out.push(format!(
                "The data has no {name} column: the {name} and intersectional results are not provided. \
                 LL144 audits report sex, race/ethnicity and intersectional categories (6 RCNY §5-301(b)(3), (c)(4))."
            ));
        }
    }
    for (axis, name, eeo1) in [
        (&tally.sex, "sex", EEO1_SEX),
        (&tally.race, "race/ethnicity", EEO1_RACE),
    ] {
        for category in axis
            .categories
            .iter()
            .filter(|c| !eeo1.contains(&c.as_str()))
        {
            out.push(format!(
                "{name} category {category:?} is not an EEO-1 Component 1 category; LL144 expects the EEO-1 categories \
                 (6 RCNY §5-300, \"category\"; 29 CFR 1602.7)"
            ));
        }
    }
    for dimension in ["sex", "race"] {
        let folded: Vec<_> = ingested
            .category_values
            .iter()
            .filter(|v| v.unmapped && v.dimension == dimension)
            .collect();
        if !folded.is_empty() {
            let rows: u64 = folded.iter().map(|v| v.count).sum();
            let values = folded
                .iter()
                .map(|v| format!("{:?} ({})", v.value, format::count(v.count)))
                .collect::<Vec<_>>()
                .join(", ");
            out.push(format!(
                "{} {dimension} value(s) named by no mapping were counted as unknown (unmapped = \"unknown\"), {rows} individuals: {values}",
                folded.len(),
                rows = format::count(rows)
            ));
        }
    }
    let selections = match tally.outcome {
        Outcome::Selection => "selections",
        Outcome::Scoring => "scores above the median",
    };
    for (name, d) in dimensions.iter() {
        if !d.provided {
            continue;
        }
        let small: Vec<String> = d
            .categories
            .iter()
            .filter(|c| c.small_sample)
            .map(|c| format!("{} (n = {})", c.category, format::count(c.n)))
            .collect();
        if !small.is_empty() {
            out.push(format!(
                "{name}: small samples (n < {SMALL_SAMPLE_MIN_N} or fewer than {SMALL_SAMPLE_MIN_EXPECTED} expected {selections} \
                 at the reference rate), their impact ratios may not mean much: {}",
                small.join(", ")
            ));
        }
        let reference = d.categories.iter().find(|c| c.reference);
        if let Some(reference) = reference {
            for c in d.categories.iter().filter(|c| c.excluded) {
                if let (Some(rate), Some(top)) = (c.rate, reference.rate)
                    && rate > top
                {
                    out.push(format!(
                        "{name}: excluded category {:?} has a higher rate ({}) than the reference {:?} ({})",
                        c.category,
                        format::rate(rate),
                        reference.category,
                        format::rate(top)
                    ));
                }
            }
            if reference.rate == Some(0.0) {
                out.push(format!(
                    "{name}: every rate is 0, so impact ratios are undefined"
                ));
            }
        }
    }
    if data.columns.label.is_some() && !tally.has_confusion {
        out.push(
            "a label column is mapped but there is no prediction (a `selected` column or `prediction_threshold`): \
             no error-rate fairness metrics"
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests;
