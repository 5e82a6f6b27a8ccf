//! `fairfile metrics --analysis`: the adverse-impact analysis as terminal tables, after the LL144
//! tables. Labelled as context; the JSON (`analysis` key) has every number unrounded.

use std::fmt::Write as _;

use super::{aligned, thousands};
use crate::analysis::cutoffs::{CutoffAnalysis, CutoffRow};
use crate::analysis::display;
use crate::analysis::{Analysis, FamilyAnalysis, InequalityIndices, StrataAnalysis};
use crate::config::Outcome as Mode;
use crate::format::{self, DASH};

pub(super) fn render(analysis: &Analysis, mode: Mode) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nAdverse-impact analysis (context, not a verdict)\n{}",
        analysis.note
    );
    let positive = match mode {
        Mode::Selection => "selected",
        Mode::Scoring => "above the median",
    };
    for (name, family) in [
        ("Sex", &analysis.sex),
        ("Race/ethnicity", &analysis.race_ethnicity),
        (
            "Intersectional (sex × race/ethnicity)",
            &analysis.intersectional,
        ),
    ] {
        if let Some(family) = family {
            out.push('\n');
            render_family(&mut out, name, family, positive);
        }
    }
    if let Some(strata) = &analysis.strata {
        render_strata(&mut out, strata, positive);
    }
    if let Some(cutoffs) = &analysis.cutoffs {
        render_cutoffs(&mut out, cutoffs);
    }
    let _ = writeln!(
        out,
        "\nColumns: {}",
        display::columns_note(analysis, positive)
    );
    out
}

fn render_family(out: &mut String, title: &str, f: &FamilyAnalysis, positive: &str) {
    let _ = writeln!(
        out,
        "{title}: reference {}; {} comparison{} (Holm family); overall rate {}; {} unknown ({} {positive})",
        f.reference.as_deref().unwrap_or("none"),
        f.comparisons,
        if f.comparisons == 1 { "" } else { "s" },
        format::or_dash(f.overall_rate, format::rate),
        thousands(f.unknown),
        thousands(f.unknown_positive),
    );
    let rows = f.categories.iter().map(display::category_cells).collect();
    out.push_str(&aligned(
        &display::CATEGORY_HEADERS,
        rows,
        &[
            false, true, true, true, true, true, true, true, false, true, true,
        ],
    ));
    if f.categories.iter().any(|c| c.error_rates.is_some()) {
        let number = |v: Option<f64>| format::or_dash(v, format::difference);
        let rows = f
            .categories
            .iter()
            .filter_map(|c| {
                let e = c.error_rates.as_ref()?;
                Some(vec![
                    c.category.clone(),
                    number(e.average_odds_difference),
                    number(e.average_abs_odds_difference),
                    number(e.false_discovery_rate_difference),
                    number(e.false_omission_rate_difference),
                ])
            })
            .collect();
        let _ = writeln!(out, "  AIF360 differences against the reference:");
        out.push_str(&aligned(
            &[
                "Category",
                "Avg odds diff",
                "Avg |odds| diff",
                "FDR diff",
                "FOR diff",
            ],
            rows,
            &[false, true, true, true, true],
        ));
    }
    if let Some(InequalityIndices {
        theil_index,
        between_group_theil_index,
        generalized_entropy_index,
        between_group_generalized_entropy_index,
    }) = &f.error_rates
    {
        // Between-category indices are often tiny: format::index keeps four significant digits.
        let number = |v: &Option<f64>| format::or_dash(*v, format::index);
        let _ = writeln!(
            out,
            "  Inequality of benefit (ŷ − y + 1): Theil {} (between categories {}); GE(2) {} (between categories {})",
            number(theil_index),
            number(between_group_theil_index),
            number(generalized_entropy_index),
            number(between_group_generalized_entropy_index),
        );
    }
}

/// Across strata: the strata themselves, then per family each category's Mantel–Haenszel figures.
fn render_strata(out: &mut String, strata: &StrataAnalysis, positive: &str) {
    let _ = writeln!(
        out,
        "\nAcross strata ({}): {} strata\n{}",
        strata.columns.join(", "),
        thousands(strata.strata.len() as u64),
        strata.note
    );
    let rows = strata
        .strata
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                thousands(s.n),
                thousands(s.positive),
                format::or_dash(
                    (s.n > 0).then(|| s.positive as f64 / s.n as f64),
                    format::rate,
                ),
            ]
        })
        .collect();
    out.push_str(&aligned(
        &["Stratum", "n", &capitalised(positive), "Rate"],
        rows,
        &[false, true, true, true],
    ));
    for (title, family) in [
        ("Sex", &strata.sex),
        ("Race/ethnicity", &strata.race_ethnicity),
        ("Intersectional", &strata.intersectional),
    ] {
        let Some(family) = family else { continue };
        let _ = writeln!(
            out,
            "\n{title}, each category against the reference, within strata:"
        );
        let rows = family.iter().map(display::stratified_cells).collect();
        out.push_str(&aligned(
            &display::STRATIFIED_HEADERS,
            rows,
            &[false, true, true, true, true, true, false],
        ));
        for c in family.iter().filter(|c| !c.strata_set_aside.is_empty()) {
            let _ = writeln!(
                out,
                "  {}: set aside (too small to contribute) {}",
                c.category,
                c.strata_set_aside.join(", ")
            );
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// Across cut-offs: one row per percentile's cut-off and the one in use, with each family's lowest
/// impact ratio; then the nearest cut-off meeting the policy value.
fn render_cutoffs(out: &mut String, c: &CutoffAnalysis) {
    let _ = writeln!(out, "\nAcross score cut-offs\n{}", c.note);
    if let Some(reason) = c.null_reasons.get("rows") {
        let _ = writeln!(out, "  Not computed: {reason}.");
        return;
    }
    let _ = writeln!(
        out,
        "{} distinct scores; cut-off in use: {}",
        thousands(c.distinct_scores),
        match (&c.in_use, &c.in_use_source) {
            (Some(v), Some(source)) => format!("{} ({source})", format::number(*v)),
            _ => c
                .null_reasons
                .get("in_use")
                .cloned()
                .unwrap_or_else(|| DASH.to_string()),
        }
    );
    if c.in_use_matches_selection == Some(false) {
        let _ = writeln!(
            out,
            "  Note: the data's recorded selections are not exactly \"score at or above the cut-off in use\"; its row differs from the LL144 tables."
        );
    }
    let nearest = c.nearest_meeting_min.as_ref().map(|r| r.cutoff);
    let mut rows: Vec<&CutoffRow> = c.rows.iter().collect();
    if let Some(n) = &c.nearest_meeting_min
        && !rows.iter().any(|r| r.cutoff == n.cutoff)
    {
        rows.push(n);
        rows.sort_by(|a, b| a.cutoff.total_cmp(&b.cutoff));
    }
    let table = rows
        .iter()
        .map(|r| display::cutoff_cells(r, nearest, c.min_impact_ratio))
        .collect();
    out.push_str(&aligned(
        &display::CUTOFF_HEADERS,
        table,
        &[false, true, true, true, true, true, true, false],
    ));
    match &c.nearest_meeting_min {
        Some(n) => {
            let _ = writeln!(
                out,
                "Nearest cut-off at which every impact ratio is at least {} ({}): score ≥ {}, selecting {} ({}).",
                format::ratio(c.min_impact_ratio),
                c.min_impact_ratio_basis,
                format::number(n.cutoff),
                thousands(n.selected),
                format::rate(n.selection_rate),
            );
        }
        None => {
            let _ = writeln!(
                out,
                "{}.",
                c.null_reasons
                    .get("nearest_meeting_min")
                    .map_or("No cut-off meets the policy value", String::as_str)
            );
        }
    }
}
