//! The adverse-impact analysis EEO practitioners run beyond the LL144 tables: statistical and
//! practical significance, effect sizes with intervals, power, many comparisons, the unknowns'
//! possible weight, and AIF360's group metrics. Context for the reader, never a verdict: LL144 sets
//! no pass mark, and the Uniform Guidelines ask for several measures together (29 CFR 1607.4(D);
//! the UGESP Questions and Answers 20–22 on small numbers; the 2010 Technical Advisory Committee
//! report on adverse impact: statistical *and* practical significance).
//!
//! Every number is a pure function of the same [`Tally`] as the LL144 tables, compared with the
//! same reference category (the highest rate, §5-301), and each is cross-checked against
//! statsmodels, scipy and AIF360 (`tests/analysis_crosscheck.rs`).

pub mod aif360;
pub mod cutoffs;
pub mod display;
pub mod holm;
pub mod strata;
pub mod twosample;
pub mod unknowns;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ingest::{Cell, Tally};
use crate::metrics::stats::fisher_exact_two_sided;
use crate::metrics::{Dimension, Dimensions};
use twosample::{ALPHA, POWER, Sample};
use unknowns::{Slot, Unknowns};

/// What the analysis is, said once at the top of its JSON and table.
pub const NOTE: &str = "Context for the LL144 tables, not a verdict: LL144 sets no pass mark, and the Uniform \
Guidelines ask for statistical and practical significance read together (29 CFR 1607.4(D); UGESP Q&A 20-22). \
Every comparison is against the family's reference category (the highest rate).";

/// More selections tried by the small-changes check (UGESP Q&A 21: "one or two more").
pub const SMALL_CHANGES: [u64; 2] = [1, 2];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Analysis {
    pub note: String,
    /// Significance level of every "significant" below (two-sided).
    pub alpha: f64,
    /// Power of `min_detectable_impact_ratio`.
    pub power: f64,
    /// Method of each measure, named so a reader can reproduce it.
    pub methods: BTreeMap<String, String>,
    pub sex: Option<FamilyAnalysis>,
    pub race_ethnicity: Option<FamilyAnalysis>,
    pub intersectional: Option<FamilyAnalysis>,
    /// Across strata (`[data.columns] stratum`): null when the data has no stratum column.
    pub strata: Option<StrataAnalysis>,
    /// Across score cut-offs: null when no score column was read.
    pub cutoffs: Option<cutoffs::CutoffAnalysis>,
}

/// The comparisons across strata (requisitions, periods, locations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StrataAnalysis {
    pub note: String,
    /// The stratum columns.
    pub columns: Vec<String>,
    /// Every stratum, sorted by its values; a blank value is a stratum of its own.
    pub strata: Vec<StratumSummary>,
    /// Per family, each category (the reference left out) against the family's reference.
    pub sex: Option<Vec<strata::StratifiedComparison>>,
    pub race_ethnicity: Option<Vec<strata::StratifiedComparison>>,
    pub intersectional: Option<Vec<strata::StratifiedComparison>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StratumSummary {
    /// Values joined by " / " ("(blank)" for an empty value).
    pub name: String,
    pub values: Vec<String>,
    pub n: u64,
    pub positive: u64,
}

/// What the strata analysis is.
pub const STRATA_NOTE: &str = "Cochran-Mantel-Haenszel test of a common odds ratio of 1 across strata (statsmodels StratifiedTable.test_null_odds), Mantel-Haenszel common odds ratio with the Robins-Breslow-Greenland 95 % interval, and the Breslow-Day test of equal odds ratios with Tarone's correction (test_equal_odds(adjust=True)). A stratum contributes to a comparison only when its 2x2 table has no empty row or column (someone of both groups, someone selected and someone not); the others are named as set aside. A Simpson's reversal: the pooled rate difference points the other way from most contributing strata.";

/// Per family, the stratified comparisons with the reference of the LL144 table.
fn strata_analysis(tally: &Tally, dimensions: &Dimensions) -> Option<StrataAnalysis> {
    let strata = tally.strata.as_ref()?;
    let per_stratum: Vec<[crate::metrics::DimensionGroups; 3]> = strata
        .strata
        .iter()
        .map(|s| crate::metrics::groups(&tally.with_cells(&s.cells)))
        .collect();
    let tables = [
        &dimensions.sex,
        &dimensions.race_ethnicity,
        &dimensions.intersectional,
    ];
    let mut families = (0..3).map(|f| {
        let d = tables[f];
        let reference = d.categories.iter().position(|c| c.reference);
        match (d.provided, reference) {
            (true, Some(reference)) => {
                let categories: Vec<String> =
                    d.categories.iter().map(|c| c.category.clone()).collect();
                let counts: Vec<(String, Vec<(u64, u64)>)> = strata
                    .strata
                    .iter()
                    .zip(&per_stratum)
                    .map(|(s, groups)| {
                        (
                            s.name(),
                            groups[f]
                                .groups
                                .iter()
                                .map(|g| (g.cell.positive, g.cell.n))
                                .collect(),
                        )
                    })
                    .collect();
                Some(strata::family(&categories, reference, &counts))
            }
            (true, None) => Some(Vec::new()),
            (false, _) => None,
        }
    });
    let (sex, race_ethnicity, intersectional) = (
        families.next().flatten(),
        families.next().flatten(),
        families.next().flatten(),
    );
    Some(StrataAnalysis {
        note: STRATA_NOTE.to_string(),
        columns: strata.columns.clone(),
        strata: strata
            .strata
            .iter()
            .map(|s| {
                let mut total = Cell::default();
                for c in &s.cells {
                    total.add(c);
                }
                StratumSummary {
                    name: s.name(),
                    values: s.values.clone(),
                    n: total.n,
                    positive: total.positive,
                }
            })
            .collect(),
        sex,
        race_ethnicity,
        intersectional,
    })
}

/// One family (table) of categories compared with its reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FamilyAnalysis {
    pub reference: Option<String>,
    /// Known individuals in the family, how many of them positive, and their rate: the "overall
    /// rate" of the shortfall.
    pub known: u64,
    pub known_positive: u64,
    pub overall_rate: Option<f64>,
    /// Individuals whose category in this family is unknown, and how many of them positive.
    pub unknown: u64,
    pub unknown_positive: u64,
    /// Tests made in this table (categories compared with the reference): the Holm family size.
    pub comparisons: u64,
    pub categories: Vec<CategoryAnalysis>,
    /// AIF360's inequality indices over the family's known individuals (needs ground truth).
    pub error_rates: Option<InequalityIndices>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryAnalysis {
    pub category: String,
    pub n: u64,
    /// Selected (selection mode) or above the median (scoring mode).
    pub positive: u64,
    pub reference: bool,
    /// Pooled two-proportion Z statistic against the reference (negative: below it), i.e. the
    /// number of standard deviations; its two-sided p and the Holm-adjusted p in this table.
    pub z: Option<f64>,
    pub z_p: Option<f64>,
    pub z_p_holm: Option<f64>,
    /// The LL144 table's Fisher exact p, Holm-adjusted in this table.
    pub fisher_p_holm: Option<f64>,
    /// Expected positives minus actual, in people: at the family's overall rate, and at the
    /// reference's rate. Positive: fewer than expected.
    pub shortfall_at_overall_rate: Option<f64>,
    pub shortfall_at_reference_rate: Option<f64>,
    /// The four-fifths flag and the significance conclusions with one and two more positives.
    pub small_changes: Vec<SmallChange>,
    /// Fewest more positives (of 1, 2) that would change the four-fifths flag, or the Fisher /
    /// Z significance conclusion; null when neither would.
    pub four_fifths_flag_flips_with: Option<u64>,
    pub fisher_significance_flips_with: Option<u64>,
    pub z_significance_flips_with: Option<u64>,
    /// Rate minus the reference's rate, with Newcombe's hybrid score 95 % interval.
    pub rate_difference: Option<f64>,
    pub rate_difference_ci95_low: Option<f64>,
    pub rate_difference_ci95_high: Option<f64>,
    /// Odds ratio against the reference with Woolf's 95 % interval (0.5 added to each cell when
    /// one is 0, as statsmodels `Table2x2`).
    pub odds_ratio: Option<f64>,
    pub odds_ratio_ci95_low: Option<f64>,
    pub odds_ratio_ci95_high: Option<f64>,
    pub odds_ratio_zero_cell_correction: bool,
    /// The smallest impact ratio detectable with 80 % power at α = 0.05 (two-sided pooled Z
    /// test, normal approximation, observed sizes and reference rate).
    pub min_detectable_impact_ratio: Option<f64>,
    /// Lowest and highest impact ratio over every way the family's unknowns could be spread over
    /// the categories (their outcomes as recorded).
    pub impact_ratio_low: Option<f64>,
    pub impact_ratio_high: Option<f64>,
    /// Fewest unknowns that, all of this category, would flip its four-fifths flag (selected
    /// ones when flagged, unselected ones when not).
    pub unknowns_to_flip_four_fifths: Option<u64>,
    /// AIF360's differences against the reference (when ground truth exists).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_rates: Option<PairErrorRates>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub null_reasons: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SmallChange {
    /// Positives added to the category (its n unchanged).
    pub more_positive: u64,
    pub impact_ratio: Option<f64>,
    pub four_fifths_flag: Option<bool>,
    pub fisher_p: f64,
    pub fisher_significant: bool,
    pub z: Option<f64>,
    pub z_significant: Option<bool>,
}

/// AIF360 `ClassificationMetric` differences, this category (unprivileged) minus the reference
/// (privileged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PairErrorRates {
    pub average_odds_difference: Option<f64>,
    pub average_abs_odds_difference: Option<f64>,
    pub false_discovery_rate_difference: Option<f64>,
    pub false_omission_rate_difference: Option<f64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub null_reasons: BTreeMap<String, String>,
}

/// AIF360's generalized entropy indices of the benefit ŷ − y + 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InequalityIndices {
    /// GE(1) over every known individual, and between the categories (each person given their
    /// category's mean benefit).
    pub theil_index: Option<f64>,
    pub between_group_theil_index: Option<f64>,
    /// GE(2), AIF360's default α.
    pub generalized_entropy_index: Option<f64>,
    pub between_group_generalized_entropy_index: Option<f64>,
}

/// The analysis of every provided family, against the references of the LL144 `dimensions`
/// computed from the same tally.
pub fn analyse(tally: &Tally, dimensions: &Dimensions) -> Analysis {
    let mut everyone = Cell::default();
    for s in 0..tally.sex.slots() {
        everyone.add(&tally.sex_total(Some(s).filter(|&s| s < tally.sex.categories.len())));
    }
    let tables = [
        &dimensions.sex,
        &dimensions.race_ethnicity,
        &dimensions.intersectional,
    ];
    let [sex, race_ethnicity, intersectional] = crate::metrics::groups(tally)
        .into_iter()
        .zip(tables)
        .map(|(groups, dimension)| {
            dimension.provided.then(|| {
                let cells: Vec<Cell> = groups.groups.iter().map(|g| g.cell).collect();
                family(dimension, &cells, everyone, tally.has_confusion)
            })
        })
        .collect::<Vec<_>>()
        .try_into()
        .unwrap_or_else(|_| unreachable!("three families"));
    Analysis {
        note: NOTE.to_string(),
        alpha: ALPHA,
        power: POWER,
        methods: methods(),
        sex,
        race_ethnicity,
        intersectional,
        strata: strata_analysis(tally, dimensions),
        // Needs the audit's cut-off in use: `metrics::compute` fills it in (`cutoffs::analyse`).
        cutoffs: None,
    }
}

fn sum(cells: &[Cell]) -> Cell {
    let mut total = Cell::default();
    for c in cells {
        total.add(c);
    }
    total
}

fn methods() -> BTreeMap<String, String> {
    [
        ("z", "pooled two-proportion Z test, two-sided (statsmodels proportions_ztest)"),
        ("holm", "Holm step-down adjustment over the comparisons of one table (statsmodels multipletests method=\"holm\")"),
        ("shortfall", "n × rate − positives, at the family's overall rate (known individuals) and at the reference's rate"),
        ("small_changes", "one and two more positives in the category, n unchanged (UGESP Q&A 21); significance: p < alpha"),
        ("rate_difference", "Newcombe hybrid score interval, method 10, from Wilson intervals (statsmodels confint_proportions_2indep method=\"newcomb\")"),
        ("odds_ratio", "Woolf log interval; 0.5 added to every cell when one is 0 (statsmodels Table2x2, shift_zeros=True)"),
        ("power", "smallest impact ratio p1/p_ref with 80 % power of the two-sided pooled Z test at alpha, normal approximation, both tails (statsmodels power_proportions_2indep), observed n and reference rate"),
        ("impact_ratio_bounds", "every assignment of the family's unknowns to categories, their outcomes as recorded; intersectional: outer bounds (a known sex or race of an unknown cell is not used)"),
        ("error_rates", "AIF360 0.6 ClassificationMetric definitions, privileged = the reference category; benefit = prediction - label + 1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

const NO_INDIVIDUALS: &str = "no individuals in this category (n = 0)";
const IS_REFERENCE: &str = "reference category (the comparison is with itself)";
const NO_REFERENCE: &str = "no reference category to compare with";

/// The analysis of one family: `cells` in the order of `d.categories`; `everyone` the whole
/// tally, so that the family's unknowns are `everyone − Σ cells`.
fn family(d: &Dimension, cells: &[Cell], everyone: Cell, confusion: bool) -> FamilyAnalysis {
    let known = sum(cells);
    let unknown = Unknowns {
        positive: everyone.positive - known.positive,
        negative: (everyone.n - everyone.positive) - (known.n - known.positive),
    };
    let reference = d.categories.iter().position(|c| c.reference);
    let reference_sample = reference.map(|r| Sample::new(cells[r].positive, cells[r].n));
    let slots: Vec<Slot> = cells
        .iter()
        .zip(&d.categories)
        .map(|(c, result)| Slot {
            sample: Sample::new(c.positive, c.n),
            eligible: !result.excluded,
        })
        .collect();

    // Holm within the table, over the comparisons that have a p-value.
    let z: Vec<Option<f64>> = (0..cells.len())
        .map(|i| match reference_sample {
            Some(r) if Some(i) != reference && cells[i].n > 0 => {
                twosample::z_statistic(slots[i].sample, r)
            }
            _ => None,
        })
        .collect();
    let z_p: Vec<Option<f64>> = z
        .iter()
        .map(|z| z.map(twosample::normal_two_sided_p))
        .collect();
    let fisher_p: Vec<Option<f64>> = d.categories.iter().map(|c| c.fisher_p).collect();
    let z_p_holm = holm_where_defined(&z_p);
    let fisher_p_holm = holm_where_defined(&fisher_p);
    let comparisons = fisher_p.iter().flatten().count() as u64;

    let categories = (0..cells.len())
        .map(|i| {
            let input = CategoryInput {
                index: i,
                cells,
                slots: &slots,
                result: &d.categories[i],
                reference,
                reference_sample,
                known,
                unknown,
                confusion,
            };
            let mut out = category(&input);
            out.z = z[i];
            out.z_p = z_p[i];
            out.z_p_holm = z_p_holm[i];
            out.fisher_p_holm = fisher_p_holm[i];
            if z[i].is_none() {
                let reason = match reference_sample {
                    _ if Some(i) == reference => IS_REFERENCE,
                    _ if cells[i].n == 0 => NO_INDIVIDUALS,
                    None => NO_REFERENCE,
                    Some(_) => {
                        "no variation: the pooled rate of the category and the reference is 0 or 1"
                    }
                };
                for field in ["z", "z_p", "z_p_holm"] {
                    out.null_reasons
                        .insert(field.to_string(), reason.to_string());
                }
            }
            if out.fisher_p_holm.is_none() {
                let reason = d.categories[i]
                    .null_reasons
                    .get("fisher_p")
                    .cloned()
                    .unwrap_or_else(|| NO_REFERENCE.to_string());
                out.null_reasons.insert("fisher_p_holm".to_string(), reason);
            }
            out
        })
        .collect();

    FamilyAnalysis {
        reference: d.reference.clone(),
        known: known.n,
        known_positive: known.positive,
        overall_rate: (known.n > 0).then(|| known.positive as f64 / known.n as f64),
        unknown: unknown.positive + unknown.negative,
        unknown_positive: unknown.positive,
        comparisons,
        categories,
        error_rates: confusion.then(|| InequalityIndices {
            theil_index: aif360::overall(cells, 1.0),
            between_group_theil_index: aif360::between_groups(cells, 1.0),
            generalized_entropy_index: aif360::overall(cells, 2.0),
            between_group_generalized_entropy_index: aif360::between_groups(cells, 2.0),
        }),
    }
}

/// Holm-adjusted values of the defined p-values, in place; `None` stays `None`.
fn holm_where_defined(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let defined: Vec<f64> = p.iter().flatten().copied().collect();
    let mut adjusted = holm::holm(&defined).into_iter();
    p.iter().map(|p| p.and_then(|_| adjusted.next())).collect()
}

struct CategoryInput<'a> {
    index: usize,
    cells: &'a [Cell],
    slots: &'a [Slot],
    result: &'a crate::metrics::CategoryResult,
    reference: Option<usize>,
    reference_sample: Option<Sample>,
    known: Cell,
    unknown: Unknowns,
    confusion: bool,
}

/// Every measure of one category except the table-wide Z / Holm values (filled in by `family`).
fn category(input: &CategoryInput) -> CategoryAnalysis {
    let i = input.index;
    let cell = &input.cells[i];
    let own = input.slots[i].sample;
    let result = input.result;
    let is_reference = input.reference == Some(i);
    let mut null_reasons = BTreeMap::new();
    let mut why = |fields: &[&str], reason: &str| {
        for field in fields {
            null_reasons.insert(field.to_string(), reason.to_string());
        }
    };
    // Why a comparison with the reference does not exist for this category.
    let no_comparison = if cell.n == 0 {
        Some(NO_INDIVIDUALS)
    } else if is_reference {
        Some(IS_REFERENCE)
    } else if input.reference_sample.is_none() {
        Some(NO_REFERENCE)
    } else {
        None
    };
    let compared = input.reference_sample.filter(|_| no_comparison.is_none());

    let shortfall_at_overall_rate = (cell.n > 0 && input.known.n > 0).then(|| {
        // (n·X − x·N) / N, exact until the one division.
        let numerator = i128::from(cell.n) * i128::from(input.known.positive)
            - i128::from(cell.positive) * i128::from(input.known.n);
        numerator as f64 / input.known.n as f64
    });
    if shortfall_at_overall_rate.is_none() {
        why(&["shortfall_at_overall_rate"], NO_INDIVIDUALS);
    }
    let shortfall_at_reference_rate = match input.reference_sample {
        Some(r) if cell.n > 0 => Some(
            (i128::from(cell.n) * i128::from(r.x) - i128::from(cell.positive) * i128::from(r.n))
                as f64
                / r.n as f64,
        ),
        _ => {
            why(
                &["shortfall_at_reference_rate"],
                if cell.n == 0 {
                    NO_INDIVIDUALS
                } else {
                    NO_REFERENCE
                },
            );
            None
        }
    };

    let mut small_changes = Vec::new();
    if let Some(r) = compared {
        for more in SMALL_CHANGES {
            if own.x + more > own.n {
                why(
                    &["small_changes"],
                    &format!("fewer than {more} more could have been positive (x + {more} > n)"),
                );
                break;
            }
            let changed = Sample::new(own.x + more, own.n);
            small_changes.push(small_change(changed, r, more, result.excluded));
        }
    } else if let Some(reason) = no_comparison {
        why(&["small_changes"], reason);
    }
    let original = compared.map(|r| small_change(own, r, 0, result.excluded));
    let flips_with = |field: fn(&SmallChange) -> Option<bool>| -> Option<u64> {
        let before = field(original.as_ref()?)?;
        small_changes
            .iter()
            .find(|c| field(c).is_some_and(|now| now != before))
            .map(|c| c.more_positive)
    };
    let four_fifths_flag_flips_with = flips_with(|c| c.four_fifths_flag);
    let fisher_significance_flips_with = flips_with(|c| Some(c.fisher_significant));
    let z_significance_flips_with = flips_with(|c| c.z_significant);

    let difference = compared.and_then(|r| twosample::newcombe_difference(own, r));
    let odds = compared.and_then(|r| twosample::odds_ratio(own, r));
    let min_detectable = compared.and_then(|r| twosample::min_detectable_impact_ratio(own.n, r));
    if let Some(reason) = no_comparison {
        why(
            &[
                "rate_difference",
                "rate_difference_ci95_low",
                "rate_difference_ci95_high",
                "odds_ratio",
                "odds_ratio_ci95_low",
                "odds_ratio_ci95_high",
                "min_detectable_impact_ratio",
            ],
            reason,
        );
    } else if min_detectable.is_none() {
        why(
            &["min_detectable_impact_ratio"],
            if input.reference_sample.is_some_and(|r| r.x == 0) {
                "the reference rate is 0: no lower rate to detect"
            } else {
                "too few individuals: even a rate of 0 would be detected with less than 80 % power"
            },
        );
    }

    // The unknowns: only for categories with an impact ratio in the LL144 table.
    let (impact_ratio_low, impact_ratio_high, unknowns_to_flip_four_fifths) = match (
        result.impact_ratio,
        result.four_fifths_flag,
        input.reference,
    ) {
        (Some(_), Some(flagged), Some(reference)) => {
            let (low, high) = unknowns::impact_ratio_bounds(input.slots, i, input.unknown);
            if low.is_none() || high.is_none() {
                why(
                    &["impact_ratio_low", "impact_ratio_high"],
                    "every rate could be 0 (the ratio 0/0)",
                );
            }
            let flip =
                unknowns::unknowns_to_flip(input.slots, i, reference, flagged, input.unknown);
            if flip.is_none() {
                why(
                    &["unknowns_to_flip_four_fifths"],
                    if flagged {
                        "not even every selected unknown in this category would clear the flag"
                    } else {
                        "not even every unselected unknown in this category would set the flag (or no other category has a positive rate)"
                    },
                );
            }
            (low, high, flip)
        }
        _ => {
            let reason = result
                .null_reasons
                .get("impact_ratio")
                .map_or("no impact ratio", String::as_str)
                .to_string();
            why(
                &[
                    "impact_ratio_low",
                    "impact_ratio_high",
                    "unknowns_to_flip_four_fifths",
                ],
                &reason,
            );
            (None, None, None)
        }
    };

    let error_rates = input.confusion.then(|| match (no_comparison, input.reference) {
        (None, Some(r)) => {
            let d = aif360::pair(cell, &input.cells[r]);
            let mut null_reasons = BTreeMap::new();
            for (field, value) in [
                ("average_odds_difference", d.average_odds_difference),
                ("average_abs_odds_difference", d.average_abs_odds_difference),
            ] {
                if value.is_none() {
                    null_reasons.insert(field.to_string(), "a true or false positive rate is undefined (no positive or no negative labels in this category or the reference)".to_string());
                }
            }
            if d.false_discovery_rate_difference.is_none() {
                null_reasons.insert("false_discovery_rate_difference".to_string(), "no predicted positives in this category or the reference (tp + fp = 0)".to_string());
            }
            if d.false_omission_rate_difference.is_none() {
                null_reasons.insert("false_omission_rate_difference".to_string(), "no predicted negatives in this category or the reference (fn + tn = 0)".to_string());
            }
            PairErrorRates {
                average_odds_difference: d.average_odds_difference,
                average_abs_odds_difference: d.average_abs_odds_difference,
                false_discovery_rate_difference: d.false_discovery_rate_difference,
                false_omission_rate_difference: d.false_omission_rate_difference,
                null_reasons,
            }
        }
        (reason, _) => {
            let reason = reason.unwrap_or(NO_REFERENCE);
            PairErrorRates {
                average_odds_difference: None,
                average_abs_odds_difference: None,
                false_discovery_rate_difference: None,
                false_omission_rate_difference: None,
                null_reasons: [
                    "average_odds_difference",
                    "average_abs_odds_difference",
                    "false_discovery_rate_difference",
                    "false_omission_rate_difference",
                ]
                .into_iter()
                .map(|f| (f.to_string(), reason.to_string()))
                .collect(),
            }
        }
    });

    CategoryAnalysis {
        category: result.category.clone(),
        n: cell.n,
        positive: cell.positive,
        reference: is_reference,
        z: None,
        z_p: None,
        z_p_holm: None,
        fisher_p_holm: None,
        shortfall_at_overall_rate,
        shortfall_at_reference_rate,
        small_changes,
        four_fifths_flag_flips_with,
        fisher_significance_flips_with,
        z_significance_flips_with,
        rate_difference: difference.map(|_| own.rate() - compared.map_or(0.0, |r| r.rate())),
        rate_difference_ci95_low: difference.map(|d| d.0),
        rate_difference_ci95_high: difference.map(|d| d.1),
        odds_ratio: odds.map(|o| o.estimate),
        odds_ratio_ci95_low: odds.map(|o| o.low),
        odds_ratio_ci95_high: odds.map(|o| o.high),
        odds_ratio_zero_cell_correction: odds.is_some_and(|o| o.zero_cell_correction),
        min_detectable_impact_ratio: min_detectable,
        impact_ratio_low,
        impact_ratio_high,
        unknowns_to_flip_four_fifths,
        error_rates,
        null_reasons,
    }
}

/// The flag and the tests for `changed` (the category with `more` more positives) against the
/// reference `r`. The flag is decided exactly (5·x·n_r < 4·n·x_r); an excluded category has none.
fn small_change(changed: Sample, r: Sample, more: u64, excluded: bool) -> SmallChange {
    let fisher_p = fisher_exact_two_sided(changed.x, changed.n - changed.x, r.x, r.n - r.x);
    let z = twosample::z_statistic(changed, r);
    let has_ratio = !excluded && r.x > 0;
    SmallChange {
        more_positive: more,
        // Above the reference's rate, the category becomes the reference: ratio 1.
        impact_ratio: has_ratio.then(|| (changed.rate() / r.rate()).min(1.0)),
        four_fifths_flag: has_ratio.then(|| {
            5 * u128::from(changed.x) * u128::from(r.n)
                < 4 * u128::from(changed.n) * u128::from(r.x)
        }),
        fisher_p,
        fisher_significant: fisher_p < ALPHA,
        z,
        z_significant: z.map(|z| twosample::normal_two_sided_p(z) < ALPHA),
    }
}
