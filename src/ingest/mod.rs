//! Ingest: stream the applicant data into a [`Tally`] of counts per sex × race cell.
//!
//! Row-level CSV (streamed, split across cores at line boundaries) and pre-aggregated counts CSV
//! both end in the same `Tally`, so that metrics from counts equal metrics from rows exactly.
//! Nothing is dropped silently: every row lands in exactly one cell (a category or unknown) or the
//! read fails with the file, line and column.
//!
//! Raw values are matched after trimming ASCII whitespace, byte for byte and case-sensitively (see
//! [`values`]); every distinct raw value seen is reported with its count and what it was counted as.

pub mod count_columns;
mod counts;
mod decimal;
#[cfg(test)]
mod differential;
mod info;
mod median;
mod reader;
mod rows;
mod tabular;
pub(crate) mod values;
mod xlsx_guard;

use std::path::Path;

use crate::config::{Audit, Outcome};
use crate::diag::{Error, InputError, Location, Result};
use crate::events::Events;

pub use info::{CategoryValue, DataInfo, OutcomeValue};

/// Files at least this large are worth a progress bar (the command line shows one on a terminal).
pub const PROGRESS_MIN_BYTES: u64 = 32 << 20;

/// The categories of one demographic axis (`sex` or `race`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// False when the data has no column for this axis: every individual is in its unknown slot.
    pub provided: bool,
    /// Canonical categories, in the order of `[data.categories.*]` (unknown excluded).
    pub categories: Vec<String>,
}

impl Axis {
    pub fn provided(categories: Vec<String>) -> Axis {
        Axis {
            provided: true,
            categories,
        }
    }

    pub fn not_provided() -> Axis {
        Axis {
            provided: false,
            categories: Vec::new(),
        }
    }

    /// Number of slots: one per category plus unknown (the last slot).
    pub fn slots(&self) -> usize {
        self.categories.len() + 1
    }
}

/// Counts for one sex × race cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// Individuals assessed.
    pub n: u64,
    /// Selected (selection mode) or scoring strictly above the sample median (scoring mode).
    pub positive: u64,
    /// Confusion counts of the prediction against the label (when both exist).
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
    pub tn: u64,
}

impl Cell {
    pub fn add(&mut self, other: &Cell) {
        self.n += other.n;
        self.positive += other.positive;
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.tn += other.tn;
    }
}

/// Counts per sex × race cell: everything the metrics need, whatever the input form.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub outcome: Outcome,
    pub sex: Axis,
    pub race: Axis,
    /// Row-major: `cells[sex_slot * race.slots() + race_slot]`.
    cells: Vec<Cell>,
    /// Whether `tp/fp/fn/tn` are filled (ground truth and a prediction exist).
    pub has_confusion: bool,
    /// Scoring mode: the median score of the full sample.
    pub median_score: Option<f64>,
    /// Counts per stratum (`[data.columns] stratum`), for the Mantel–Haenszel analysis.
    pub strata: Option<Strata>,
    /// Counts per distinct score, for the cut-off table (when a score column is read).
    pub scores: ScoreCounts,
}

/// Counts per stratum: each distinct combination of the `[data.columns] stratum` values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strata {
    /// The stratum columns' header names.
    pub columns: Vec<String>,
    /// Sorted by values; a blank value is a stratum of its own (the empty string), never dropped.
    pub strata: Vec<Stratum>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stratum {
    /// One trimmed value per stratum column.
    pub values: Vec<String>,
    /// In the tally's cell layout.
    pub cells: Vec<Cell>,
}

impl Stratum {
    /// How the stratum is named in reports: its values joined by " / ", a blank one as "(blank)".
    pub fn name(&self) -> String {
        self.values
            .iter()
            .map(|v| if v.is_empty() { "(blank)" } else { v.as_str() })
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// Individuals per distinct score and tally cell, for the cut-off table.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ScoreCounts {
    /// No score column was read (or counts input).
    #[default]
    NotRead,
    /// More than [`crate::limits::MAX_SCORE_BUCKETS`] distinct scores.
    TooMany,
    Counts {
        /// Distinct scores, ascending.
        values: Vec<f64>,
        /// `counts[value * cells + cell]`, in the tally's cell layout.
        counts: Vec<u64>,
    },
}

impl Tally {
    /// An empty tally over the given axes.
    pub fn new(outcome: Outcome, sex: Axis, race: Axis, has_confusion: bool) -> Tally {
        let cells = vec![Cell::default(); sex.slots() * race.slots()];
        Tally {
            outcome,
            sex,
            race,
            cells,
            has_confusion,
            median_score: None,
            strata: None,
            scores: ScoreCounts::NotRead,
        }
    }

    /// A cell by its index in the layout (`sex_slot * race.slots() + race_slot`).
    pub fn cell_at(&self, index: usize) -> &Cell {
        &self.cells[index]
    }

    /// Every positive individual (selected, or above the median).
    pub fn total_positive(&self) -> u64 {
        self.cells.iter().map(|c| c.positive).sum()
    }

    /// Number of cells (sex slots × race slots).
    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// The same axes over other counts (one stratum's, one cut-off's), in the cell layout.
    pub fn with_cells(&self, cells: &[Cell]) -> Tally {
        assert_eq!(cells.len(), self.cells.len(), "cells in the tally's layout");
        Tally {
            outcome: self.outcome,
            sex: self.sex.clone(),
            race: self.race.clone(),
            cells: cells.to_vec(),
            has_confusion: self.has_confusion,
            median_score: None,
            strata: None,
            scores: ScoreCounts::NotRead,
        }
    }

    fn index(&self, sex: Option<usize>, race: Option<usize>) -> usize {
        let s = sex.unwrap_or(self.sex.categories.len());
        let r = race.unwrap_or(self.race.categories.len());
        assert!(
            s < self.sex.slots() && r < self.race.slots(),
            "cell ({s}, {r}) out of range"
        );
        s * self.race.slots() + r
    }

    /// The cell of a sex and race category (`None` = unknown).
    pub fn cell(&self, sex: Option<usize>, race: Option<usize>) -> &Cell {
        &self.cells[self.index(sex, race)]
    }

    pub fn cell_mut(&mut self, sex: Option<usize>, race: Option<usize>) -> &mut Cell {
        let i = self.index(sex, race);
        &mut self.cells[i]
    }

    /// Every individual assessed.
    pub fn total(&self) -> u64 {
        self.cells.iter().map(|c| c.n).sum()
    }

    /// Sum of the cells of one sex slot (`None` = unknown) over every race slot.
    pub fn sex_total(&self, sex: Option<usize>) -> Cell {
        let mut sum = Cell::default();
        for r in 0..self.race.slots() {
            sum.add(self.cell(sex, Some(r).filter(|&r| r < self.race.categories.len())));
        }
        sum
    }

    /// Sum of the cells of one race slot (`None` = unknown) over every sex slot.
    pub fn race_total(&self, race: Option<usize>) -> Cell {
        let mut sum = Cell::default();
        for s in 0..self.sex.slots() {
            sum.add(self.cell(Some(s).filter(|&s| s < self.sex.categories.len()), race));
        }
        sum
    }
}

/// The data read, with everything the report says about where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub tally: Tally,
    pub data: DataInfo,
    /// Each distinct raw category value per column, with its count and category.
    pub category_values: Vec<CategoryValue>,
    /// Each distinct raw outcome value, with its count and how it was counted (rows input only).
    pub outcome_values: Vec<OutcomeValue>,
}

/// Read the audit's data (`[data] path` rows or `[data] counts`), reporting the progress of a
/// row-level CSV read to `events`.
pub fn read(audit: &Audit, events: &dyn Events) -> Result<Ingested> {
    let data = audit.config.data.get_ref();
    match (&data.path, &data.counts) {
        (Some(path), None) => read_rows_guarded(audit, path.get_ref(), events),
        (None, Some(counts)) => counts::read(audit, counts.get_ref()),
        // `AuditConfig::validate` rejects both and neither; keep a clear message regardless.
        _ => Err(InputError::new(
            Location::file(&audit.config_path).with_field("data"),
            "[data] needs exactly one of `path` (rows) and `counts` (pre-aggregated counts)",
        )
        .into()),
    }
}

/// [`rows::read`], with the Parquet and `.xlsx` decoders' panics turned into input errors.
///
/// The `parquet` and `calamine` crates panic on some corrupt files instead of returning an error
/// (found by fuzzing, `fuzz/parquet` and `fuzz/xlsx`: a dictionary page shorter than it declares;
/// a cell reference whose row number overflows). A corrupt file must be a clear error naming it,
/// never a crash; nothing of the half-read file is kept. (CSV is read by fairfile's own code,
/// which does not panic on any input: a panic there stays a bug, reported as one.)
fn read_rows_guarded(audit: &Audit, relative: &str, events: &dyn Events) -> Result<Ingested> {
    let path = audit.resolve(relative);
    let format = tabular::Format::of(&path);
    if format == tabular::Format::Csv {
        return rows::read(audit, relative, events);
    }
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rows::read(audit, relative, events)
    }));
    read.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".into());
        let kind = if format == tabular::Format::Parquet {
            "Parquet"
        } else {
            "Excel"
        };
        Err(InputError::new(
            Location::file(&path),
            format!(
                "the {kind} file is corrupt: its reader failed ({})",
                snippet(&why)
            ),
        )
        .with_help("export the data again; check that the file was copied completely")
        .into())
    })
}

/// Size of a data file, or a clear error when it is missing.
fn data_file_size(path: &Path, key: &str) -> Result<u64> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(meta.len()),
        Ok(_) => Err(InputError::new(Location::file(path), "is not a file")
            .with_help(format!(
                "[data] {key} must name a CSV file, relative to the audit folder"
            ))
            .into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(InputError::new(Location::file(path), "data file not found")
                .with_help(format!(
                    "check [data] {key} in fairfile.toml (paths are relative to the audit folder)"
                ))
                .into())
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The error for a file with no header row.
fn empty_file(path: &Path) -> Error {
    InputError::new(Location::file(path), "empty file: no header row")
        .with_help("export the data with a header row naming the columns")
        .into()
}

/// The listed value nearest to `given` for a "did you mean" hint: a case-insensitive match
/// first, else the nearest by [`crate::diag::suggest`].
fn near<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut candidates: Vec<&str> = candidates.into_iter().collect();
    candidates.sort_unstable(); // deterministic hints whatever the map order
    candidates
        .iter()
        .find(|c| c.eq_ignore_ascii_case(given) && **c != given)
        .copied()
        .or_else(|| crate::diag::suggest(given, candidates.iter().copied()))
}

/// Quote a raw value for messages, marking the empty string.
fn show_value(value: &str) -> String {
    if value.is_empty() {
        "\"\" (empty)".to_string()
    } else {
        snippet(value)
    }
}

/// Longest piece of a data value or header name quoted in an error (SECURITY.md: a file that
/// fails to parse is named, not copied out).
pub(crate) const SNIPPET_CHARS: usize = 60;

/// `value` escaped (Rust debug quoting: control characters, quotes and backslashes shown as
/// escapes) and cut to [`SNIPPET_CHARS`] characters.
pub(crate) fn snippet(value: &str) -> String {
    match value.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!(
            "{:?}… ({} characters)",
            &value[..cut],
            value.chars().count()
        ),
        None => format!("{value:?}"),
    }
}

/// The header's names for a "the header has" hint: escaped, each cut short, at most 30 of them.
pub(crate) fn header_list(header: &[String]) -> String {
    const MAX: usize = 30;
    let mut list: Vec<String> = header.iter().take(MAX).map(|h| snippet(h)).collect();
    if header.len() > MAX {
        list.push(format!("… ({} columns in all)", header.len()));
    }
    list.join(", ")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Audits for tests, written to a temporary folder.

    use std::path::Path;

    use crate::config::{Audit, AuditConfig, CONFIG_FILE};

    /// Selection mode on `data.csv` with columns `sex`, `race`, `selected`, `score`, `hired`.
    pub const SELECTION: &str = r#"
[audit]
id = "test"
title = "Test audit"
organization = "Test Org"
system = "Screener"
audit_date = 2026-01-15
frameworks = ["nyc-ll144"]

[auditor]
name = "Auditor"
independent = true

[data]
path = "data.csv"
kind = "historical"
description = "test data"
outcome = "selection"

[data.columns]
sex = "sex"
race = "race"
selected = "selected"
score = "score"
label = "hired"

[data.categories.sex]
Male = ["M"]
Female = ["F"]
unknown = [""]

[data.categories.race]
White = ["W"]
"Black or African American" = ["B"]
Asian = ["A"]
unknown = ["", "U"]
"#;

    /// Write `config` as the audit's fairfile.toml in `dir` and load it.
    pub fn audit(dir: &Path, config: &str) -> Audit {
        let path = dir.join(CONFIG_FILE);
        std::fs::write(&path, config).unwrap();
        let parsed = AuditConfig::parse(config, &path).unwrap();
        Audit {
            root: dir.to_path_buf(),
            config_path: path,
            config_text: config.to_string(),
            config: parsed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_indexing_and_totals() {
        let mut t = Tally::new(
            Outcome::Selection,
            Axis::provided(vec!["M".into(), "F".into()]),
            Axis::provided(vec!["A".into()]),
            false,
        );
        t.cell_mut(Some(0), Some(0)).n = 3;
        t.cell_mut(Some(1), None).n = 2;
        t.cell_mut(None, Some(0)).n = 5;
        t.cell_mut(None, None).n = 1;
        assert_eq!(t.total(), 11);
        assert_eq!(t.sex_total(Some(1)).n, 2);
        assert_eq!(t.sex_total(None).n, 6);
        assert_eq!(t.race_total(Some(0)).n, 8);
        assert_eq!(t.race_total(None).n, 3);
    }
}
