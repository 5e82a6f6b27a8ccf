//! The analysis as table cells: one spelling of every figure, shared by `fairfile metrics
//! --analysis`, the PDF documents and the web page (each cell is a string from [`crate::format`]).

use super::cutoffs::{CutoffCategory, CutoffRow};
use super::strata::StratifiedComparison;
use super::{Analysis, CategoryAnalysis};
use crate::format::{self, DASH, p_value};

/// Column heads of [`category_cells`].
pub const CATEGORY_HEADERS: [&str; 11] = [
    "Category",
    "SDs",
    "Z p (Holm)",
    "Fisher p, Holm",
    "Shortfall",
    "Rate diff [95% CI]",
    "Odds ratio [95% CI]",
    "Min detect.",
    "+1/+2 flips",
    "IR range",
    "To flip",
];

/// What the columns of [`category_cells`] mean; `positive` is "selected" or "above the median".
pub fn columns_note(a: &Analysis, positive: &str) -> String {
    format!(
        "SDs = pooled Z statistic against the reference (standard deviations; below −2 is the \
         \"two standard deviations\" practice); p values Holm-adjusted within each table; shortfall = \
         expected {positive} minus actual, at the family's overall rate / at the reference's rate; \
         +1/+2 flips = the four-fifths flag or a significance conclusion (α = {}) would change with one or two \
         more {positive} (UGESP Q&A 21); min detectable = smallest impact ratio found with {} power; \
         IR range = lowest–highest impact ratio over every placement of the unknowns; to flip = fewest \
         unknowns of this category that would flip its four-fifths flag.",
        a.alpha,
        format::policy_percent(a.power)
    )
}

/// Column heads of [`stratified_cells`].
pub const STRATIFIED_HEADERS: [&str; 7] = [
    "Category",
    "Strata used",
    "CMH p",
    "MH odds ratio [95% CI]",
    "Breslow-Day p",
    "Strata below/equal/above",
    "Reversal",
];

/// Column heads of [`cutoff_cells`].
pub const CUTOFF_HEADERS: [&str; 8] = [
    "Cut-off",
    "Percentile",
    "Selected",
    "Rate",
    "Lowest IR sex",
    "Lowest IR race/eth.",
    "Lowest IR intersect.",
    "Note",
];

/// One cut-off row: `nearest` marks the nearest cut-off meeting `min` (the policy value).
pub fn cutoff_cells(r: &CutoffRow, nearest: Option<f64>, min: f64) -> Vec<String> {
    let ratio = |v: Option<f64>| format::or_dash(v, format::ratio);
    let mut marks = Vec::new();
    if r.in_use {
        marks.push("in use".to_string());
    }
    if Some(r.cutoff) == nearest {
        marks.push(format!("nearest with every IR ≥ {}", format::ratio(min)));
    }
    vec![
        format!("≥ {}", format::number(r.cutoff)),
        r.percentiles
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        format::count(r.selected),
        format::rate(r.selection_rate),
        ratio(family_lowest(&r.sex)),
        ratio(family_lowest(&r.race_ethnicity)),
        ratio(family_lowest(&r.intersectional)),
        marks.join("; "),
    ]
}

pub fn category_cells(c: &CategoryAnalysis) -> Vec<String> {
    let dash = || DASH.to_string();
    let p_pair = |p: Option<f64>, holm: Option<f64>| match (p, holm) {
        (Some(p), Some(h)) => format!("{} ({})", p_value(p), p_value(h)),
        _ => dash(),
    };
    let interval = |v: Option<f64>, lo: Option<f64>, hi: Option<f64>, f: fn(f64) -> String| match (
        v, lo, hi,
    ) {
        (Some(v), Some(lo), Some(hi)) => format!("{} [{}, {}]", f(v), f(lo), f(hi)),
        _ => dash(),
    };
    let shortfall = match (c.shortfall_at_overall_rate, c.shortfall_at_reference_rate) {
        (Some(a), Some(b)) => format!("{} / {}", format::people(a), format::people(b)),
        (Some(a), None) => format!("{} / {DASH}", format::people(a)),
        _ => dash(),
    };
    let mut flips = Vec::new();
    if let Some(k) = c.four_fifths_flag_flips_with {
        flips.push(format!("4/5 at +{k}"));
    }
    if let Some(k) = c.fisher_significance_flips_with {
        flips.push(format!("Fisher at +{k}"));
    }
    if let Some(k) = c.z_significance_flips_with {
        flips.push(format!("Z at +{k}"));
    }
    let flips = if c.reference || c.n == 0 {
        dash()
    } else if flips.is_empty() {
        "none".to_string()
    } else {
        flips.join(", ")
    };
    let range = match (c.impact_ratio_low, c.impact_ratio_high) {
        (Some(lo), Some(hi)) => format!("{}–{}", format::ratio(lo), format::ratio(hi)),
        _ => dash(),
    };
    vec![
        c.category.clone(),
        format::or_dash(c.z, format::z_score),
        p_pair(c.z_p, c.z_p_holm),
        c.fisher_p_holm.map_or_else(dash, p_value),
        shortfall,
        interval(
            c.rate_difference,
            c.rate_difference_ci95_low,
            c.rate_difference_ci95_high,
            format::rate_difference,
        ),
        interval(
            c.odds_ratio,
            c.odds_ratio_ci95_low,
            c.odds_ratio_ci95_high,
            format::ratio,
        ),
        format::or_dash(c.min_detectable_impact_ratio, format::ratio),
        flips,
        range,
        c.unknowns_to_flip_four_fifths
            .map_or_else(dash, format::count),
    ]
}

pub fn stratified_cells(c: &StratifiedComparison) -> Vec<String> {
    let odds = match (
        c.common_odds_ratio,
        c.common_odds_ratio_ci95_low,
        c.common_odds_ratio_ci95_high,
    ) {
        (Some(v), Some(lo), Some(hi)) => format!(
            "{} [{}, {}]",
            format::ratio(v),
            format::ratio(lo),
            format::ratio(hi)
        ),
        _ => DASH.to_string(),
    };
    vec![
        c.category.clone(),
        format::count(c.strata_used),
        format::or_dash(c.cmh_p, p_value),
        odds,
        format::or_dash(c.breslow_day_tarone_p, p_value),
        format!("{}/{}/{}", c.strata_below, c.strata_equal, c.strata_above),
        if c.simpson_reversal { "yes" } else { "no" }.to_string(),
    ]
}

/// The lowest impact ratio of one family at a cut-off.
pub fn family_lowest(family: &Option<Vec<CutoffCategory>>) -> Option<f64> {
    family
        .iter()
        .flatten()
        .filter_map(|c| c.impact_ratio)
        .reduce(f64::min)
}
