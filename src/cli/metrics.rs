//! `fairfile metrics`: compute the LL144 tables and statistics, print them as a terminal report or
//! as the JSON schema of `docs/metrics-json.md`.

mod analysis;

use std::fmt::Write as _;

use super::Outcome;
use super::args::{Format, MetricsArgs};
use super::terminal::Terminal;
use crate::Result;
use crate::config::{Audit, DataKind, Outcome as Mode};
use crate::format::{self, DASH, Flag, count as thousands, or_dash};
use crate::metrics::{CategoryResult, Dimension, FairnessDimension, MetricsReport};

pub fn run(args: MetricsArgs) -> Result<Outcome> {
    let audit = Audit::load(&args.audit.audit_dir)?;
    let report = crate::pipeline::metrics(&audit, &Terminal::new())?;
    match args.format {
        Format::Json => super::print_json(&report)?,
        Format::Table => {
            let mut text = render_table(&report, &audit.config.audit.get_ref().title);
            if args.analysis
                && let Some(analysis) = &report.analysis
            {
                text.push_str(&analysis::render(analysis, report.mode));
            }
            super::print_text(&text)?
        }
    }
    Ok(Outcome::Success)
}

/// The terminal report: one aligned table per dimension, then how raw values were counted, then
/// warnings.
pub(crate) fn render_table(report: &MetricsReport, title: &str) -> String {
    let mut out = String::new();
    let data = &report.data;
    let _ = writeln!(out, "{title}");
    match report.mode {
        Mode::Selection => {
            let _ = writeln!(
                out,
                "Selection mode (6 RCNY §5-301(b)): {} individuals assessed",
                thousands(report.total)
            );
        }
        Mode::Scoring => {
            let median = or_dash(report.median_score, format::number);
            let _ = writeln!(
                out,
                "Scoring mode (6 RCNY §5-301(c)): {} individuals assessed; median score {median} ({})",
                thousands(report.total),
                data.median_source
                    .as_deref()
                    .unwrap_or("source not recorded")
            );
            if let Some(ties) = data.scores_at_median {
                let _ = writeln!(
                    out,
                    "{} scores equal the median and are not counted as above it",
                    thousands(ties)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "Data: {} ({} input, {} data, {} {} read; sha256 {})",
        data.path,
        data.input,
        match data.kind {
            DataKind::Historical => "historical",
            DataKind::Test => "test",
        },
        thousands(data.rows_read),
        if data.input == "counts" {
            "count rows"
        } else {
            "rows"
        },
        data.sha256
    );

    let positive = match report.mode {
        Mode::Selection => "Selected",
        Mode::Scoring => "Above median",
    };
    for (name, dimension) in report.dimensions.iter() {
        out.push('\n');
        render_dimension(&mut out, name, dimension, positive);
    }
    let policy = &report.policy;
    let _ = writeln!(
        out,
        "\nFlags: {} = highest rate, the impact-ratio denominator; {} = impact ratio below {} \
         (29 CFR 1607.4(D), context, not a pass mark); {} = under {} of {}; \
         {} = left out of impact ratios (6 RCNY §5-301(d)); {} = n < {} or fewer than {} expected at the reference rate.",
        Flag::Reference.name(),
        Flag::BelowFourFifths.name(),
        format::ratio(policy.four_fifths_threshold),
        Flag::Small.name(),
        format::policy_percent(policy.small_category_share),
        policy.share_denominator,
        Flag::Excluded.name(),
        Flag::SmallSample.name(),
        thousands(policy.small_sample_min_n),
        format::number(policy.small_sample_min_expected),
    );
    let _ = writeln!(out, "{}", format::ROUNDING_RULE);

    if let Some(fairness) = &report.fairness {
        let _ = writeln!(
            out,
            "\nFairness metrics (fairlearn definitions; unknown categories left out)\nprediction: {}\nlabel: {}",
            fairness.prediction, fairness.label
        );
        for (name, dimension) in [
            ("sex", &fairness.sex),
            ("race_ethnicity", &fairness.race_ethnicity),
            ("intersectional", &fairness.intersectional),
        ] {
            if let Some(dimension) = dimension {
                out.push('\n');
                render_fairness(&mut out, name, dimension);
            }
        }
    }

    if !report.outcome_values.is_empty() {
        let _ = writeln!(out, "\nOutcome values seen");
        let rows = report
            .outcome_values
            .iter()
            .map(|v| {
                vec![
                    v.column.clone(),
                    format!("{:?}", v.value),
                    thousands(v.count),
                    v.counted_as.replace('_', " "),
                ]
            })
            .collect();
        out.push_str(&aligned(
            &["Column", "Value", "Count", "Counted as"],
            rows,
            &[false, false, true, false],
        ));
    }
    if !report.category_values.is_empty() {
        let _ = writeln!(out, "\nCategory values seen");
        let rows = report
            .category_values
            .iter()
            .map(|v| {
                let category = if v.unmapped {
                    format!("{} (unmapped)", v.category)
                } else {
                    v.category.clone()
                };
                vec![
                    v.dimension.clone(),
                    format!("{:?}", v.value),
                    thousands(v.count),
                    category,
                ]
            })
            .collect();
        out.push_str(&aligned(
            &["Column", "Value", "Count", "Category"],
            rows,
            &[false, false, true, false],
        ));
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings");
        for warning in &report.warnings {
            let _ = writeln!(out, "  ! {warning}");
        }
    }
    out
}

fn render_dimension(out: &mut String, name: &str, d: &Dimension, positive: &str) {
    let title = format::dimension_title(name);
    if !d.provided {
        let _ = writeln!(out, "{title}: not provided (the data has no column for it)");
        return;
    }
    let _ = writeln!(
        out,
        "{title}: reference {}; {} known, {} unknown (reported, not used in calculations)",
        d.reference.as_deref().unwrap_or("none"),
        thousands(d.known),
        thousands(d.unknown)
    );
    let rows = d.categories.iter().map(category_row).collect();
    out.push_str(&aligned(
        &[
            "Category",
            "n",
            positive,
            "Rate",
            "Impact ratio",
            "95% CI",
            "Fisher p",
            "Share",
            "Flags",
        ],
        rows,
        &[false, true, true, true, true, true, true, true, false],
    ));
}

fn category_row(c: &CategoryResult) -> Vec<String> {
    let flags: Vec<&str> = Flag::ALL
        .into_iter()
        .filter(|flag| match flag {
            Flag::Reference => c.reference,
            Flag::BelowFourFifths => c.four_fifths_flag == Some(true),
            Flag::Small => c.small,
            Flag::Excluded => c.excluded,
            Flag::SmallSample => c.small_sample,
        })
        .map(Flag::name)
        .collect();
    let interval = match (c.ci95_low, c.ci95_high) {
        (Some(lo), Some(hi)) => format::interval(lo, hi),
        _ => DASH.to_string(),
    };
    vec![
        c.category.clone(),
        thousands(c.n),
        thousands(c.count()),
        or_dash(c.rate, format::rate),
        or_dash(c.impact_ratio, format::ratio),
        interval,
        or_dash(c.fisher_p, format::p_value),
        or_dash(c.share, format::rate),
        flags.join(", "),
    ]
}

fn render_fairness(out: &mut String, name: &str, d: &FairnessDimension) {
    let number = |v: Option<f64>| or_dash(v, format::ratio);
    let pct = |v: Option<f64>| or_dash(v, format::rate);
    let _ = writeln!(
        out,
        "{}: demographic parity difference {}, ratio {}; equalized odds difference {}, ratio {}; equal opportunity difference {}",
        format::dimension_title(name),
        number(d.demographic_parity_difference),
        number(d.demographic_parity_ratio),
        number(d.equalized_odds_difference),
        number(d.equalized_odds_ratio),
        number(d.equal_opportunity_difference),
    );
    for (field, reason) in &d.null_reasons {
        let _ = writeln!(out, "  {field} undefined: {reason}");
    }
    let rows = d
        .groups
        .iter()
        .map(|g| {
            vec![
                g.group.clone(),
                thousands(g.n),
                pct(g.selection_rate),
                pct(g.tpr),
                pct(g.fpr),
                pct(g.fnr),
                pct(g.precision),
                pct(g.accuracy),
            ]
        })
        .collect();
    out.push_str(&aligned(
        &[
            "Group",
            "n",
            "Selection rate",
            "TPR",
            "FPR",
            "FNR",
            "Precision",
            "Accuracy",
        ],
        rows,
        &[false, true, true, true, true, true, true, true],
    ));
}

/// A table with columns padded to their widest cell (in characters), indented by two spaces.
fn aligned(headers: &[&str], rows: Vec<Vec<String>>, right: &[bool]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header_row).chain(&rows) {
        let mut line = String::from(" ");
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            line.push(' ');
            if right[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_pads_by_characters() {
        let table = aligned(
            &["A", "n"],
            vec![
                vec!["é".into(), "10".into()],
                vec!["long".into(), "5".into()],
            ],
            &[false, true],
        );
        assert_eq!(table, "  A      n\n  é     10\n  long   5\n");
    }
}
