//! `fairfile check`: which obligations are met, missing, stale, failing, waived or not applicable.

use std::fmt::Write as _;

use super::Outcome;
use super::args::{CheckArgs, FailOn, Format};
use super::terminal::{self, Terminal};
use crate::Result;
use crate::check::{CheckReport, FrameworkResult, Status};
use crate::format;
use crate::frameworks::diags::Code;
use crate::pipeline::LoadedAudit;

pub fn run(args: CheckArgs) -> Result<Outcome> {
    let loaded = match LoadedAudit::load(&args.audit.audit_dir, &Terminal::new()) {
        Ok(loaded) => loaded,
        Err(e) => {
            // A fresh `fairfile init` folder: beside the keys still to fill in (the error, on
            // stderr), list the obligations still to evidence, so the folder says what comes next.
            if args.format == Format::Table
                && let Some((audit, items)) =
                    crate::pipeline::provisional_todo(&args.audit.audit_dir)
            {
                super::print_styled(&render_todo(&audit, &items))?;
            }
            return Err(e);
        }
    };
    let report = loaded.check(args.as_of.unwrap_or(loaded.audit_date()))?;

    match args.format {
        Format::Json => {
            for file in &report.unreferenced_files {
                terminal::note(format_args!(
                    "warning: {}",
                    unreferenced_message(&file.path)
                ));
            }
            for w in &report.warnings {
                terminal::note(format_args!("warning: {w}"));
            }
            super::print_json(&report)?;
        }
        Format::Table => super::print_styled(&render_table(&report, true))?,
    }
    let gated = args.fail_on.iter().any(|f| {
        let status = match f {
            FailOn::Missing => Status::Missing,
            FailOn::Stale => Status::Stale,
            FailOn::Failing => Status::Failing,
        };
        report.frameworks.iter().any(|fw| fw.counts.get(status) > 0)
    });
    Ok(if gated {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

/// The to-do list of a folder that cannot be checked yet (placeholders in fairfile.toml).
fn render_todo(audit: &crate::config::Audit, items: &[crate::check::todo::TodoItem]) -> String {
    let mut out = String::new();
    let root = audit.root.display();
    let _ = writeln!(
        out,
        "Still to do in {root} ({} obligation{} of the frameworks and roles in fairfile.toml lack finished evidence).\n\
         The full check (dates, conditions, computed results) runs once every key listed below the table is filled in.\n",
        format::count(items.len() as u64),
        if items.len() == 1 { "" } else { "s" }
    );
    let data = audit
        .config
        .data
        .get_ref()
        .path
        .as_ref()
        .map(|p| p.get_ref().clone())
        .unwrap_or_else(|| "data/".to_string());
    let data_there = audit.root.join(&data).is_file();
    for item in items {
        let _ = writeln!(out, "{}  {}  ({})", item.obligation, item.title, item.cite);
        for need in &item.needs {
            let kinds = need.kinds.join(" or ");
            let line = if need.computed {
                if data_there {
                    format!("{kinds}: computed from {data}")
                } else {
                    format!(
                        "{kinds}: computed from the data; put it at {data} (data/README.md lists the columns)"
                    )
                }
            } else if need.drafts.is_empty() {
                format!(
                    "{kinds}: no document yet; add one under evidence/ with kind = [\"{}\"]",
                    need.kinds[0]
                )
            } else {
                format!(
                    "{kinds}: fill in the template {} and remove `draft = true`",
                    need.drafts.join(", ")
                )
            };
            let _ = writeln!(out, "    {line}");
        }
        if item.depends_on_facts {
            let _ = writeln!(
                out,
                "    (applies only when facts hold: declare them in [audit.facts]; it may then not apply)"
            );
        }
    }
    out.push('\n');
    out
}

fn unreferenced_message(path: &str) -> String {
    format!(
        "[{}] {path}: no evidence document names this file in `attachments`; list it in a document's front matter or remove it",
        Code::E009UnreferencedFile
    )
}

/// One line per framework: "eu-ai-act: 31/47 met, 12 missing, 2 stale, 2 not applicable", in
/// the status names of every document ([`Status::label`]).
pub fn summary_line(fw: &FrameworkResult) -> String {
    let c = &fw.counts;
    let mut line = format!(
        "{}: {}/{} {}",
        fw.id,
        format::count(c.met as u64),
        format::count(c.total() as u64),
        Status::Met.label().to_lowercase()
    );
    for status in &Status::ALL[1..] {
        let n = c.get(*status);
        if n > 0 {
            let _ = write!(
                line,
                ", {} {}",
                format::count(n as u64),
                status.label().to_lowercase()
            );
        }
    }
    line
}

/// The terminal report: per framework, for each obligation a row (status, id, citation), then its
/// title, then the reason: the evidence that met it or what is missing. The citation is the last
/// column, so long citations do not push the others out of line.
#[cfg(test)]
pub fn table(report: &CheckReport) -> String {
    render_table(report, false)
}

/// The status cell's colour: restrained, so the table reads the same without it. Written as
/// ANSI codes that [`super::print_styled`] strips unless stdout is a terminal without `NO_COLOR`.
fn status_style(status: Status) -> anstyle::Style {
    use anstyle::{AnsiColor, Style};
    match status {
        Status::Met => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Status::Missing | Status::Stale => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Status::Failing => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
        Status::Waived | Status::NotApplicable => Style::new().dimmed(),
    }
}

/// [`table`], with the status names coloured when `colour`.
fn render_table(report: &CheckReport, colour: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Check of {} as of {}",
        report.audit_id,
        format::date(report.as_of)
    );
    let status_w = Status::ALL
        .iter()
        .map(|s| s.label().chars().count())
        .max()
        .unwrap_or(0);
    for fw in &report.frameworks {
        let _ = writeln!(out, "\n{}: {}", fw.id, fw.title);
        let id_w = fw
            .obligations
            .iter()
            .map(|o| o.id.chars().count())
            .max()
            .unwrap_or(0)
            .max("OBLIGATION".len());
        let _ = writeln!(
            out,
            "  {:status_w$}  {:id_w$}  CITATION",
            "STATUS", "OBLIGATION"
        );
        for ob in &fw.obligations {
            // Padded before styling, so the escape codes do not count towards the width.
            let cell = format!("{:status_w$}", ob.status.label());
            let style = if colour {
                status_style(ob.status)
            } else {
                anstyle::Style::new()
            };
            let _ = writeln!(
                out,
                "  {style}{cell}{style:#}  {}  {}",
                pad(&ob.id, id_w),
                ob.cite
            );
            let _ = writeln!(out, "  {:status_w$}  {}", "", ob.title);
            let _ = writeln!(out, "  {:status_w$}  └ {}", "", ob.reason);
        }
    }
    if !report.crosswalk.is_empty() {
        let _ = writeln!(
            out,
            "\nCrosswalk (evidence serving more than one framework):"
        );
        for entry in &report.crosswalk {
            let _ = writeln!(out, "  {} → {}", entry.path, entry.obligations.join(", "));
        }
    }
    if !report.unreferenced_files.is_empty() || !report.warnings.is_empty() {
        let _ = writeln!(out);
        for file in &report.unreferenced_files {
            let _ = writeln!(out, "warning: {}", unreferenced_message(&file.path));
        }
        for w in &report.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
    }
    let _ = writeln!(out, "\nSummary as of {}:", format::date(report.as_of));
    for fw in &report.frameworks {
        let _ = writeln!(out, "  {}", summary_line(fw));
    }
    out
}

/// Left-align to `width` characters (not bytes: citations contain '§').
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{self, ObligationResult, StatusCounts};
    use crate::config::Audit;
    use crate::evidence;
    use crate::frameworks::FrameworkSet;

    fn ob(id: &str, status: Status, reason: &str) -> ObligationResult {
        ObligationResult {
            id: id.into(),
            cite: "Art. 10(2)(f)".into(),
            title: "Bias examination".into(),
            status,
            reason: reason.into(),
            evidence: vec![],
            missing_kinds: vec![],
            section: None,
            applies_from: None,
            in_force: true,
            applicability_undecided: false,
        }
    }

    #[test]
    fn summary_omits_zero_counts() {
        let fw = FrameworkResult {
            id: "eu-ai-act".into(),
            title: "EU AI Act".into(),
            counts: StatusCounts {
                met: 31,
                missing: 12,
                stale: 2,
                not_applicable: 2,
                ..Default::default()
            },
            obligations: vec![],
        };
        assert_eq!(
            summary_line(&fw),
            "eu-ai-act: 31/47 met, 12 missing, 2 stale, 2 not applicable"
        );
    }

    #[test]
    fn table_rows_and_reasons() {
        let report = CheckReport {
            schema: check::CHECK_SCHEMA.into(),
            audit_id: "a".into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            frameworks: vec![FrameworkResult {
                id: "eu-ai-act".into(),
                title: "EU AI Act".into(),
                counts: StatusCounts {
                    met: 1,
                    missing: 1,
                    ..Default::default()
                },
                obligations: vec![
                    ob(
                        "art-10-2-f",
                        Status::Met,
                        "met by evidence/bias.md (bias_examination, 2026-03-01)",
                    ),
                    ob(
                        "art-9",
                        Status::Missing,
                        "missing evidence of kind `risk_register`",
                    ),
                ],
            }],
            crosswalk: vec![],
            unreferenced_files: vec![check::UnreferencedFile {
                path: "evidence/x.png".into(),
                sha256: "0".repeat(64),
            }],
            warnings: vec!["[audit] holidays is empty".into()],
        };
        let text = table(&report);
        assert!(
            text.contains(
                "  Met             art-10-2-f  Art. 10(2)(f)\n                  Bias examination\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("  Missing         art-9       Art. 10(2)(f)\n"),
            "{text}"
        );
        assert!(
            text.contains("                  └ missing evidence of kind `risk_register`\n"),
            "{text}"
        );
        assert!(
            text.contains("warning: [E009 unreferenced-file] evidence/x.png"),
            "{text}"
        );
        assert!(
            text.ends_with("Summary as of 2026-03-10:\n  eu-ai-act: 1/2 met, 1 missing\n"),
            "{text}"
        );
    }

    /// The whole table for the check fixture (reviewable snapshot).
    #[test]
    fn fixture_table_snapshot() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/audit");
        let audit = Audit::load(&dir).unwrap();
        let metrics: crate::metrics::MetricsReport =
            serde_json::from_str(include_str!("../../tests/fixtures/check/metrics.json")).unwrap();
        let frameworks = FrameworkSet::load(&audit).unwrap();
        let evidence = evidence::discover(&audit, &frameworks).unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        let report = check::run(&audit, &metrics, &frameworks, &evidence, as_of).unwrap();
        insta::assert_snapshot!(table(&report));
    }
}
