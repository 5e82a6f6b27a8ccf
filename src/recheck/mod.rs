//! `fairfile recheck`: audit the audits. Read a published NYC LL144 bias-audit summary (transcribed
//! as a CSV of its tables and a TOML of what it states, `docs/recheck.md`) and report every number
//! that cannot be right and every required item that is missing, with the rule each rests on.
//!
//! - [`input`]: reading and category matching (the `fairfile.toml` rules), with located errors;
//! - [`printed`]: printed figures as intervals of exact values, and exact arithmetic;
//! - [`findings`]: the checks and their stable codes.
//!
//! A summary's counts can also be written as the `counts.csv` that `fairfile.toml` accepts
//! ([`to_counts`]), so a published audit can be rebuilt with the full statistics.

pub mod findings;
pub mod input;
pub mod printed;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

pub use findings::{Code, Finding, Kind, Severity};
pub use input::{Row, Slot, Summary, Table};

use crate::config::{EEO1_RACE, EEO1_SEX, Outcome};
use crate::diag::{Error, InputError, Location, Result};
use printed::Q;

/// Version of the JSON written by `fairfile recheck --format json`.
pub const SCHEMA: &str = "fairfile-recheck/1";

/// Read a summary (`NAME.csv` with `NAME.toml` beside it).
pub fn read(csv: &Path) -> Result<Summary> {
    input::read(csv)
}

/// The summaries at `path`: the file itself, or every `*.csv` directly in a folder, sorted by name.
pub fn summary_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            InputError::new(Location::file(path), "no such file or folder")
                .with_help("pass a summary CSV (with its TOML beside it) or a folder of them")
                .into()
        } else {
            Error::io(path, e)
        }
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let p = entry.path();
        if p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(InputError::new(Location::file(path), "the folder holds no summary (*.csv)")
            .with_help("transcribe each summary as NAME.csv with NAME.toml beside it (docs/recheck.md)")
            .into());
    }
    Ok(files)
}

/// One summary's result.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Checked {
    pub file: String,
    pub employer: Option<String>,
    pub tool: Option<String>,
    pub audit_date: Option<NaiveDate>,
    pub errors: usize,
    pub warnings: usize,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// A finding with the summary it belongs to: one spreadsheet row.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FindingRow<'a> {
    pub file: &'a str,
    #[serde(flatten)]
    pub finding: &'a Finding,
}

/// The JSON report: one entry per summary, and every finding as a flat row with fixed columns.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report<'a> {
    pub schema: &'static str,
    pub as_of: NaiveDate,
    pub summaries: &'a [Checked],
    pub findings: Vec<FindingRow<'a>>,
}

impl<'a> Report<'a> {
    pub fn new(as_of: NaiveDate, checked: &'a [Checked]) -> Report<'a> {
        Report {
            schema: SCHEMA,
            as_of,
            summaries: checked,
            findings: checked
                .iter()
                .flat_map(|c| {
                    c.findings.iter().map(|f| FindingRow {
                        file: &c.file,
                        finding: f,
                    })
                })
                .collect(),
        }
    }
}

/// Check one read summary. `file` is the name shown for it.
pub fn check(summary: &Summary, file: String, as_of: NaiveDate) -> Checked {
    let findings = findings::check(summary, as_of);
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Checked {
        file,
        employer: summary.statement.employer.clone(),
        tool: summary.statement.tool.clone(),
        audit_date: summary.statement.audit_date,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        findings,
    }
}

/// The `counts.csv` of a summary (`sex,race,n,selected` or `…,above_median`; docs/inputs.md), and
/// notes on what it had to leave out. Cells come from the intersectional table; a count that is
/// not printed is taken from the printed rate only when exactly one whole number fits it.
/// Individuals of a known race and unknown sex (or the reverse) are added as `unknown` cells when
/// the sex and race tables give their counts.
pub fn to_counts(summary: &Summary) -> Result<(String, Vec<String>)> {
    let positive_column = match summary.statement.outcome {
        Outcome::Selection => "selected",
        Outcome::Scoring => "above_median",
    };
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    let mut lines = vec![format!("sex,race,n,{positive_column}")];
    let find = |table: Table, sex: Option<Slot>, race: Option<Slot>| {
        summary
            .rows
            .iter()
            .find(|r| r.table == table && r.sex == sex && r.race == race)
    };
    let mut counts = |row: &Row, notes: &mut Vec<String>| -> Option<(u64, u64)> {
        let n = row.applicants?;
        if let Some(k) = row.positive {
            return (k <= n).then_some((k, n));
        }
        let rate = row.rate.as_ref()?;
        let fits: Vec<u64> = (0..=n)
            .filter(|&k| n > 0 && rate.admits(Q::new(u128::from(k), u128::from(n))))
            .take(2)
            .collect();
        match (n, fits.as_slice()) {
            (0, _) => Some((0, 0)),
            (_, [k]) => {
                notes.push(format!(
                    "{} (line {}): {k} {positive_column} taken from the rate {} of {n} (the only whole number that prints so)",
                    row.label(),
                    row.line,
                    rate.text
                ));
                Some((*k, n))
            }
            _ => None,
        }
    };
    let mut cells = vec![[(0u64, 0u64); 7]; 2];
    for (s, sex) in EEO1_SEX.iter().enumerate() {
        for (r, race) in EEO1_RACE.iter().enumerate() {
            let row = find(
                Table::Intersectional,
                Some(Slot::Known(s)),
                Some(Slot::Known(r)),
            );
            match row.and_then(|row| counts(row, &mut notes).map(|c| (row, c))) {
                Some((_, (k, n))) => {
                    cells[s][r] = (k, n);
                    lines.push(format!("{},{},{n},{k}", csv_field(sex), csv_field(race)));
                }
                None => errors.push(
                    InputError::new(
                        Location {
                            file: summary.csv_path.clone(),
                            line: row.map(|r| r.line),
                            column: None,
                            field: None,
                        },
                        format!(
                            "the summary does not print the applicants and {positive_column} counts of {sex} × {race}",
                        ),
                    )
                    .with_help("counts.csv needs whole counts for every intersectional category (printed, or the only whole number its printed rate allows)"),
                ),
            }
        }
    }
    if !errors.is_empty() {
        return Err(if errors.len() == 1 {
            errors.remove(0).into()
        } else {
            Error::Inputs(errors)
        });
    }
    // Margins beyond the intersectional cells: a known category on one axis, unknown on the other.
    let mut unknown_rows = Vec::new();
    let mut placed = 0u64;
    for (s, sex) in EEO1_SEX.iter().enumerate() {
        if let Some(row) = find(Table::Sex, Some(Slot::Known(s)), None) {
            let (k, n) = cells[s].iter().fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1));
            placed += margin(
                row,
                k,
                n,
                &mut counts,
                &mut notes,
                &mut unknown_rows,
                |dn, dk| format!("{},unknown,{dn},{dk}", csv_field(sex)),
            );
        }
    }
    for (r, race) in EEO1_RACE.iter().enumerate() {
        if let Some(row) = find(Table::RaceEthnicity, None, Some(Slot::Known(r))) {
            let (k, n) = (0..2).fold((0, 0), |a, s| (a.0 + cells[s][r].0, a.1 + cells[s][r].1));
            placed += margin(
                row,
                k,
                n,
                &mut counts,
                &mut notes,
                &mut unknown_rows,
                |dn, dk| format!("unknown,{},{dn},{dk}", csv_field(race)),
            );
        }
    }
    lines.extend(unknown_rows);
    // Everyone with an unknown sex or race: the statement's number, else the intersectional
    // table's unknown rows, else the largest unknown count of a table.
    let table_unknown = |t: Table| -> Option<u64> {
        let rows: Vec<&Row> = summary
            .rows
            .iter()
            .filter(|r| r.table == t && r.is_unknown())
            .collect();
        (!rows.is_empty()).then(|| rows.iter().filter_map(|r| r.applicants).sum())
    };
    let unknown = summary
        .statement
        .unknown
        .or_else(|| table_unknown(Table::Intersectional))
        .or_else(|| {
            [Table::Sex, Table::RaceEthnicity]
                .into_iter()
                .filter_map(table_unknown)
                .max()
        });
    if let Some(u) = unknown.filter(|&u| u > placed) {
        notes.push(format!(
            "the summary prints {u} individuals in an unknown category; counts.csv places {placed} of them (known on one axis), the other {} cannot be placed without their {positive_column} counts, which the summary does not print",
            u - placed
        ));
    }
    if summary.statement.outcome == Outcome::Scoring {
        notes.push(
            "scoring mode: set [data] median_score in fairfile.toml (the summary's median, if it prints one)".into(),
        );
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Ok((text, notes))
}

/// Add the `unknown` cell of a margin row (its count beyond its intersectional cells), when known.
fn margin(
    row: &Row,
    k_cells: u64,
    n_cells: u64,
    counts: &mut impl FnMut(&Row, &mut Vec<String>) -> Option<(u64, u64)>,
    notes: &mut Vec<String>,
    out: &mut Vec<String>,
    line: impl Fn(u64, u64) -> String,
) -> u64 {
    let Some(n) = row.applicants else { return 0 };
    if n == n_cells {
        return 0;
    }
    match counts(row, notes) {
        Some((k, n)) if n > n_cells && k >= k_cells && k - k_cells <= n - n_cells => {
            out.push(line(n - n_cells, k - k_cells));
            n - n_cells
        }
        _ => {
            notes.push(format!(
                "{} (line {}): its {n} applicants and selections differ from its intersectional rows' ({n_cells} applicants) in a way no unknown cell explains; nothing added for it",
                row.label(),
                row.line
            ));
            0
        }
    }
}

/// Quote a CSV field when needed.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
#[cfg(test)]
mod tests;
