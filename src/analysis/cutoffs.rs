//! Selection rates and impact ratios across score cut-offs: the alternative-procedure question of
//! 29 CFR 1607.3(B) ("whether there are suitable alternative ... procedures which have as little
//! adverse impact as possible"), asked of the cut-off a scored AEDT selects by.
//!
//! Computed from the counts of each distinct score per sex × race cell that ingest keeps (at most
//! [`crate::limits::MAX_SCORE_BUCKETS`] distinct scores; memory does not grow with the rows). At a
//! cut-off `c` an individual counts as selected when `score ≥ c`. Rates, references and impact
//! ratios follow the LL144 tables' own rules (6 RCNY §5-301: the reference is the highest rate
//! among the categories not excluded under §5-301(d)), so the row of the cut-off in use repeats the
//! tables when the recorded decision is exactly `score ≥ cut-off` (which `in_use_matches_selection`
//! checks, cell by cell).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ingest::{Cell, ScoreCounts, Tally};
use crate::metrics::{Dimension, Dimensions};

/// `[data.analysis] cutoff_min_impact_ratio`'s default: the four-fifths rule of thumb.
pub const DEFAULT_MIN_IMPACT_RATIO: f64 = 0.8;

/// The percentiles tabulated: 5, 10, …, 95.
pub const PERCENTILES: [u32; 19] = [
    5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95,
];

pub const NOTE: &str = "Selection rates and impact ratios if the AEDT selected everyone scoring at or above each cut-off: \
the score at each percentile from 5 to 95 (numpy percentile, method \"inverted_cdf\": the lowest score with at least that \
share of scores at or below it), the cut-off in use, and the cut-off nearest to it (fewest changes in the number selected) \
at which every impact ratio reaches the policy value. Context for the alternative-procedure question of 29 CFR 1607.3(B), \
not a verdict; a cut-off also changes who is qualified, which these counts cannot show.";

/// Where the cut-off in use comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InUse {
    /// Selected when `score ≥ c` (`[data.analysis] cutoff_in_use`, or a `prediction_threshold`
    /// that decides the selection).
    AtLeast(f64, &'static str),
    /// Scoring mode: above the median (`score > m`).
    AboveMedian(f64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CutoffAnalysis {
    pub note: String,
    /// The value every impact ratio should reach at `nearest_meeting_min` (a policy choice).
    pub min_impact_ratio: f64,
    pub min_impact_ratio_basis: String,
    /// Distinct scores in the data (each a possible cut-off).
    pub distinct_scores: u64,
    /// The cut-off in use (`score ≥ in_use`), and where it comes from; null when unknown.
    pub in_use: Option<f64>,
    pub in_use_source: Option<String>,
    /// Whether, in every sex × race cell, the number at or above the cut-off in use equals the
    /// number the data records as selected (scoring mode: above the median).
    pub in_use_matches_selection: Option<bool>,
    /// One row per distinct cut-off among the percentiles, plus the one in use, ascending.
    pub rows: Vec<CutoffRow>,
    /// The cut-off nearest the one in use (or the recorded number selected) at which every impact
    /// ratio of every family is at least `min_impact_ratio`; null when none is.
    pub nearest_meeting_min: Option<CutoffRow>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub null_reasons: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CutoffRow {
    /// Selected: score ≥ cutoff.
    pub cutoff: f64,
    /// The percentiles whose score this is (empty for a cut-off that is no percentile's).
    pub percentiles: Vec<u32>,
    pub in_use: bool,
    /// Everyone at or above the cut-off (unknown categories included), and their share.
    pub selected: u64,
    pub selection_rate: f64,
    /// The lowest impact ratio over every family's categories (null when no family has one).
    pub lowest_impact_ratio: Option<f64>,
    pub sex: Option<Vec<CutoffCategory>>,
    pub race_ethnicity: Option<Vec<CutoffCategory>>,
    pub intersectional: Option<Vec<CutoffCategory>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CutoffCategory {
    pub category: String,
    pub n: u64,
    pub selected: u64,
    pub rate: Option<f64>,
    /// As in the LL144 tables: null when excluded (§5-301(d)), n = 0, or every rate is 0.
    pub impact_ratio: Option<f64>,
    pub reference: bool,
}

/// The cut-off table, or `None` when no score was read.
pub fn analyse(
    tally: &Tally,
    dimensions: &Dimensions,
    in_use: Option<InUse>,
    min_impact_ratio: f64,
) -> Option<CutoffAnalysis> {
    let mut null_reasons = BTreeMap::new();
    let (values, counts) = match &tally.scores {
        ScoreCounts::NotRead => return None,
        ScoreCounts::TooMany => {
            null_reasons.insert(
                "rows".to_string(),
                format!(
                    "more than {} distinct scores: the counts per score are not kept (MAX_SCORE_BUCKETS); round the scores to the precision the AEDT decides on",
                    crate::limits::MAX_SCORE_BUCKETS
                ),
            );
            return Some(CutoffAnalysis {
                note: NOTE.to_string(),
                min_impact_ratio,
                min_impact_ratio_basis: BASIS.to_string(),
                distinct_scores: 0,
                in_use: None,
                in_use_source: None,
                in_use_matches_selection: None,
                rows: Vec::new(),
                nearest_meeting_min: None,
                null_reasons,
            });
        }
        ScoreCounts::Counts { values, counts } => (values, counts),
    };
    let cells = tally.cell_count();
    // at_or_above[j * cells + cell]: individuals of the cell scoring ≥ values[j].
    let mut at_or_above = vec![0u64; (values.len() + 1) * cells];
    for j in (0..values.len()).rev() {
        for c in 0..cells {
            at_or_above[j * cells + c] = at_or_above[(j + 1) * cells + c] + counts[j * cells + c];
        }
    }
    let total: u64 = at_or_above[..cells].iter().sum();
    let cells_at = |j: usize| -> Vec<Cell> {
        (0..cells)
            .map(|c| Cell {
                n: at_or_above[c],
                positive: at_or_above[j * cells + c],
                ..Cell::default()
            })
            .collect()
    };
    // The index of the cut-off in use: the first distinct score the rule selects.
    let (in_use_index, in_use_value, in_use_source) = match in_use {
        Some(InUse::AtLeast(c, source)) => (
            values.partition_point(|&v| v < c),
            Some(c),
            Some(source.to_string()),
        ),
        Some(InUse::AboveMedian(m)) => {
            let j = values.partition_point(|&v| v <= m);
            (
                j,
                values.get(j).copied(),
                Some(format!(
                    "scoring mode: the lowest score above the median, {}",
                    crate::format::number(m)
                )),
            )
        }
        None => {
            null_reasons.insert(
                "in_use".to_string(),
                "no cut-off in use is known: set [data.analysis] cutoff_in_use when the AEDT selects by one".to_string(),
            );
            (usize::MAX, None, None)
        }
    };
    let in_use_matches_selection = in_use.map(|_| {
        let at = cells_at(in_use_index.min(values.len()));
        (0..cells).all(|c| {
            let recorded = tally.cell_at(c);
            at[c].positive == recorded.positive && at[c].n == recorded.n
        })
    });

    let row = |j: usize, percentiles: Vec<u32>| -> CutoffRow {
        let at = tally.with_cells(&cells_at(j));
        let groups = crate::metrics::groups(&at);
        let family = |f: usize, d: &Dimension| -> Option<Vec<CutoffCategory>> {
            d.provided.then(|| {
                let excluded: Vec<bool> = d.categories.iter().map(|c| c.excluded).collect();
                ratios(
                    &groups[f]
                        .groups
                        .iter()
                        .map(|g| (g.category.clone(), g.cell))
                        .collect::<Vec<_>>(),
                    &excluded,
                )
            })
        };
        let sex = family(0, &dimensions.sex);
        let race_ethnicity = family(1, &dimensions.race_ethnicity);
        let intersectional = family(2, &dimensions.intersectional);
        let lowest_impact_ratio = [&sex, &race_ethnicity, &intersectional]
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|c| c.impact_ratio)
            .reduce(f64::min);
        let selected = at_or_above[..]
            .get(j * cells..(j + 1) * cells)
            .map_or(0, |s| s.iter().sum());
        CutoffRow {
            cutoff: values.get(j).copied().unwrap_or(f64::INFINITY),
            percentiles,
            in_use: j == in_use_index,
            selected,
            selection_rate: if total > 0 {
                selected as f64 / total as f64
            } else {
                0.0
            },
            lowest_impact_ratio,
            sex,
            race_ethnicity,
            intersectional,
        }
    };

    // The percentiles' distinct cut-offs (numpy "inverted_cdf": the lowest value whose cumulative
    // count reaches p % of the total), and the one in use.
    let mut wanted: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    if total > 0 {
        for p in PERCENTILES {
            // Smallest j with cumulative(j) ≥ p·total/100, exactly: 100·cumulative ≥ p·total.
            let mut cumulative = 0u64;
            let j = (0..values.len())
                .find(|&j| {
                    cumulative += total_at(counts, j, cells);
                    100 * u128::from(cumulative) >= u128::from(p) * u128::from(total)
                })
                .unwrap_or(values.len() - 1);
            wanted.entry(j).or_default().push(p);
        }
    }
    if in_use_index < values.len() {
        wanted.entry(in_use_index).or_default();
    }
    let rows: Vec<CutoffRow> = wanted.into_iter().map(|(j, p)| row(j, p)).collect();

    // The nearest cut-off meeting the policy value: fewest changes in the number selected from
    // the cut-off in use (or from the number recorded as selected), the higher cut-off on ties.
    let now = match in_use_index {
        j if j <= values.len() => at_or_above[j * cells..(j + 1) * cells].iter().sum(),
        _ => tally.total_positive(),
    };
    let mut best: Option<(u64, usize)> = None;
    for j in 0..values.len() {
        let selected: u64 = at_or_above[j * cells..(j + 1) * cells].iter().sum();
        let distance = selected.abs_diff(now);
        if best.is_some_and(|(d, _)| distance > d) {
            continue;
        }
        let candidate = row(j, Vec::new());
        let meets = [
            &candidate.sex,
            &candidate.race_ethnicity,
            &candidate.intersectional,
        ]
        .into_iter()
        .flatten()
        .flatten()
        .filter(|c| c.n > 0 && c.impact_ratio.is_some())
        .all(|c| c.impact_ratio.is_some_and(|r| r >= min_impact_ratio))
            && candidate.lowest_impact_ratio.is_some();
        if meets && best.is_none_or(|(d, _)| distance <= d) {
            best = Some((distance, j));
        }
    }
    let nearest_meeting_min = best.map(|(_, j)| {
        let mut r = row(j, Vec::new());
        r.percentiles = rows
            .iter()
            .find(|x| x.cutoff == r.cutoff)
            .map(|x| x.percentiles.clone())
            .unwrap_or_default();
        r
    });
    if nearest_meeting_min.is_none() {
        null_reasons.insert(
            "nearest_meeting_min".to_string(),
            format!(
                "at no cut-off is every impact ratio at least {}",
                crate::format::ratio(min_impact_ratio)
            ),
        );
    }
    Some(CutoffAnalysis {
        note: NOTE.to_string(),
        min_impact_ratio,
        min_impact_ratio_basis: BASIS.to_string(),
        distinct_scores: values.len() as u64,
        in_use: in_use_value,
        in_use_source,
        in_use_matches_selection,
        rows,
        nearest_meeting_min,
        null_reasons,
    })
}

const BASIS: &str = "[data.analysis] cutoff_min_impact_ratio: a policy choice (default 0.8, the four-fifths rule of thumb of 29 CFR 1607.4(D)), not a pass mark";

fn total_at(counts: &[u64], j: usize, cells: usize) -> u64 {
    counts[j * cells..(j + 1) * cells].iter().sum()
}

/// Rates and impact ratios of one family at one cut-off, by the LL144 tables' rules.
fn ratios(groups: &[(String, Cell)], excluded: &[bool]) -> Vec<CutoffCategory> {
    let mut reference: Option<usize> = None;
    for (i, (_, c)) in groups.iter().enumerate() {
        if excluded[i] || c.n == 0 {
            continue;
        }
        if reference.is_none_or(|r| {
            let top = &groups[r].1;
            u128::from(c.positive) * u128::from(top.n) > u128::from(top.positive) * u128::from(c.n)
        }) {
            reference = Some(i);
        }
    }
    let top = reference.map(|r| groups[r].1);
    groups
        .iter()
        .enumerate()
        .map(|(i, (name, c))| {
            let rate = (c.n > 0).then(|| c.positive as f64 / c.n as f64);
            let impact_ratio = match (rate, top) {
                (Some(rate), Some(top)) if !excluded[i] && top.positive > 0 => {
                    Some(rate / (top.positive as f64 / top.n as f64))
                }
                _ => None,
            };
            CutoffCategory {
                category: name.clone(),
                n: c.n,
                selected: c.positive,
                rate,
                impact_ratio,
                reference: reference == Some(i),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::config::Outcome;
    use crate::ingest::Axis;
    use crate::metrics::{self, Policy};

    fn policy(exclude: bool) -> Policy {
        Policy {
            small_category_share: metrics::SMALL_CATEGORY_SHARE,
            share_denominator: metrics::SHARE_DENOMINATOR.to_string(),
            exclude_small_categories: exclude,
            exclusion_justification: exclude.then(|| "too few".to_string()),
            four_fifths_threshold: metrics::FOUR_FIFTHS,
            small_sample_min_n: metrics::SMALL_SAMPLE_MIN_N,
            small_sample_min_expected: metrics::SMALL_SAMPLE_MIN_EXPECTED,
            confidence_level: metrics::CONFIDENCE_LEVEL,
            interval_method: "wilson".into(),
            test_method: "fisher_exact_two_sided".into(),
        }
    }

    /// A 2 × 3 tally (plus unknowns) whose people have scores `0..values` with the given counts
    /// per (score, cell), selected when `score >= cutoff`.
    fn tally(counts: &[u64], values: usize, cutoff: usize) -> Tally {
        let names = |n: &[&str]| Axis::provided(n.iter().map(|s| s.to_string()).collect());
        let mut t = Tally::new(
            Outcome::Selection,
            names(&["Male", "Female"]),
            names(&["A", "B", "C"]),
            false,
        );
        let cells = t.cell_count();
        let mut cell_counts = vec![Cell::default(); cells];
        for v in 0..values {
            for (c, cell) in cell_counts.iter_mut().enumerate() {
                let k = counts[v * cells + c];
                cell.n += k;
                if v >= cutoff {
                    cell.positive += k;
                }
            }
        }
        let mut t2 = t.with_cells(&cell_counts);
        t2.scores = ScoreCounts::Counts {
            values: (0..values).map(|v| v as f64).collect(),
            counts: counts.to_vec(),
        };
        t = t2;
        t
    }

    proptest! {
        /// The row of the cut-off in use is the LL144 table (rates, impact ratios, reference),
        /// and the nearest cut-off meeting the policy value does meet it, with no cut-off nearer.
        #[test]
        fn the_cutoff_in_use_is_the_main_table(
            counts in proptest::collection::vec(0u64..40, 12 * 8),
            cutoff in 0usize..8,
            exclude in any::<bool>(),
            min in 0.5f64..1.0,
        ) {
            let t = tally(&counts, 8, cutoff);
            prop_assume!(t.total() > 0);
            let dimensions = metrics::dimensions(&t, &policy(exclude));
            let a = analyse(&t, &dimensions, Some(InUse::AtLeast(cutoff as f64, "test")), min).unwrap();
            prop_assert_eq!(a.in_use_matches_selection, Some(true));
            let row = a.rows.iter().find(|r| r.in_use).expect("a row for the cut-off in use");
            for (family, d) in [
                (&row.sex, &dimensions.sex),
                (&row.race_ethnicity, &dimensions.race_ethnicity),
                (&row.intersectional, &dimensions.intersectional),
            ] {
                let family = family.as_ref().unwrap();
                prop_assert_eq!(family.len(), d.categories.len());
                for (c, m) in family.iter().zip(&d.categories) {
                    prop_assert_eq!(&c.category, &m.category);
                    prop_assert_eq!(c.rate, m.rate);
                    prop_assert_eq!(c.impact_ratio, m.impact_ratio);
                    prop_assert_eq!(c.reference, m.reference);
                }
            }
            // Percentile rows ascend and each percentile appears once.
            prop_assert!(a.rows.windows(2).all(|w| w[0].cutoff < w[1].cutoff));
            let listed: usize = a.rows.iter().map(|r| r.percentiles.len()).sum();
            prop_assert_eq!(listed, PERCENTILES.len());
            // The nearest cut-off meeting the value: every ratio reaches it, none nearer does.
            let now = row.selected;
            let meets = |r: &CutoffRow| r.lowest_impact_ratio.is_some_and(|x| x >= min);
            if let Some(best) = &a.nearest_meeting_min {
                prop_assert!(meets(best));
                for j in 0..8 {
                    let other = analyse(&t, &dimensions, Some(InUse::AtLeast(j as f64, "test")), min).unwrap();
                    let r = other.rows.iter().find(|r| r.in_use).unwrap();
                    if meets(r) {
                        prop_assert!(r.selected.abs_diff(now) >= best.selected.abs_diff(now));
                    }
                }
            }
        }
    }

    #[test]
    fn too_many_scores_is_said_not_guessed() {
        let mut t = tally(&[1; 12], 1, 0);
        t.scores = ScoreCounts::TooMany;
        let dimensions = metrics::dimensions(&t, &policy(false));
        let a = analyse(&t, &dimensions, None, 0.8).unwrap();
        assert!(a.rows.is_empty());
        assert!(a.null_reasons["rows"].contains("MAX_SCORE_BUCKETS"));
        t.scores = ScoreCounts::NotRead;
        assert!(analyse(&t, &dimensions, None, 0.8).is_none());
    }
}
