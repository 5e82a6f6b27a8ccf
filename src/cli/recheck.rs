//! `fairfile recheck`: check a published LL144 summary (or a folder of them), docs/recheck.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::Outcome;
use super::args::Format;
use crate::recheck::{self, Checked, Finding, Report};
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  fairfile recheck examples/published/cigna-2023.csv --as-of 2024-06-01\n  fairfile recheck examples/published --format json\n  fairfile recheck examples/published/cigna-2023.csv --to-counts counts.csv\n\nExit status: 0 no findings, 1 findings, 2 input errors (a summary that cannot be read)."
)]
pub struct RecheckArgs {
    /// A transcribed summary, NAME.csv with NAME.toml beside it, or a folder of them (docs/recheck.md).
    pub summary: PathBuf,
    /// Judge the audit's age as of this day, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE", value_parser = super::args::parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the counts.csv that fairfile.toml's `[data] counts` accepts (one summary only).
    #[arg(long, value_name = "FILE")]
    pub to_counts: Option<PathBuf>,
}

pub fn run(args: RecheckArgs) -> Result<Outcome> {
    let files = recheck::summary_files(&args.summary)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    if let Some(out) = &args.to_counts {
        if files.len() != 1 {
            return Err(crate::InputError::new(
                crate::Location::file(&args.summary),
                "--to-counts writes one summary's counts; a folder was given",
            )
            .with_help("pass one summary CSV")
            .into());
        }
        let summary = recheck::read(&files[0])?;
        let (text, notes) = recheck::to_counts(&summary)?;
        std::fs::write(out, text).map_err(|e| Error::io(out, e))?;
        for note in notes {
            super::terminal::note(format_args!("note: {note}"));
        }
        super::terminal::note(format_args!("wrote {}", out.display()));
        return Ok(Outcome::Success);
    }
    let mut checked = Vec::new();
    let mut errors = Vec::new();
    for file in &files {
        match recheck::read(file) {
            Ok(summary) => checked.push(recheck::check(
                &summary,
                display_name(&args.summary, file),
                as_of,
            )),
            Err(Error::Input(e)) => errors.push(*e),
            Err(Error::Inputs(es)) => errors.extend(es),
            Err(other) => return Err(other),
        }
    }
    match args.format {
        Format::Json => super::print_json(&Report::new(as_of, &checked))?,
        Format::Table => super::print_text(&table(&checked, as_of))?,
    }
    if !errors.is_empty() {
        return Err(if errors.len() == 1 {
            errors.remove(0).into()
        } else {
            Error::Inputs(errors)
        });
    }
    Ok(if checked.iter().any(|c| !c.findings.is_empty()) {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

/// A summary's name in the output: its path relative to the folder given, or as given.
fn display_name(given: &Path, file: &Path) -> String {
    file.strip_prefix(given)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(file)
        .display()
        .to_string()
}

/// Where a finding is, for the table.
fn place(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(line) = f.line {
        parts.push(format!("line {line}"));
    }
    if let Some(t) = f.table {
        parts.push(t.name().to_string());
    }
    if let Some(c) = &f.category {
        parts.push(c.clone());
    }
    if parts.is_empty() {
        "summary".to_string()
    } else {
        parts.join(" · ")
    }
}

/// One table of findings across every summary, then a line per summary.
fn table(checked: &[Checked], as_of: NaiveDate) -> String {
    let header = ["SUMMARY", "SEVERITY", "CODE", "WHERE", "FINDING (RULE)"];
    let rows: Vec<[String; 5]> = checked
        .iter()
        .flat_map(|c| {
            c.findings.iter().map(|f| {
                [
                    c.file.clone(),
                    match f.severity {
                        recheck::Severity::Error => "error".into(),
                        recheck::Severity::Warning => "warning".into(),
                    },
                    f.code.as_str().to_string(),
                    place(f),
                    format!("{} ({})", f.message, f.rule),
                ]
            })
        })
        .collect();
    let mut out = String::new();
    if !rows.is_empty() {
        let width = |i: usize| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..4).map(width).collect();
        let mut line = |cells: [&str; 5]| {
            for (i, cell) in cells.iter().enumerate().take(4) {
                let _ = write!(out, "{cell:<w$}  ", w = widths[i]);
            }
            let _ = writeln!(out, "{}", cells[4]);
        };
        line(header);
        for r in &rows {
            line([&r[0], &r[1], &r[2], &r[3], &r[4]]);
        }
        out.push('\n');
    }
    for c in checked {
        let who = [c.employer.as_deref(), c.tool.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            out,
            "{}{}: {}",
            c.file,
            if who.is_empty() {
                String::new()
            } else {
                format!(" ({who})")
            },
            if c.findings.is_empty() {
                "clean: no findings".to_string()
            } else {
                format!("{} error(s), {} warning(s)", c.errors, c.warnings)
            }
        );
    }
    let _ = writeln!(
        out,
        "as of {as_of}; LL144 sets no pass mark: a finding says a figure cannot be right or an item is missing, not that the tool is biased"
    );
    out
}
