//! Row-level CSV input, streamed.
//!
//! The file is cut into one byte range per core at line starts; each range is read by its own
//! thread with a bounded buffer into its own small tally, and the tallies are added up. A line
//! start can fall inside a quoted field that spans lines; that is detected exactly (each reader
//! finishes the record it is in, and must end where the next reader began) and the file is then
//! read again by one thread. The SHA-256 of the file is computed by another thread meanwhile.
//!
//! Memory: selection mode keeps only counts (a few buffers of 1 MiB). Scoring mode needs every
//! score for the exact median (6 RCNY §5-301(c)(1)): a histogram per reader while the scores have
//! few distinct values, else 8 bytes per row (see [`super::median::Scores`]).
//!
//! Per row, the hot path costs a word-at-a-time delimiter scan ([`reader`]), one cache probe per
//! mapped column for a value seen before ([`ValueTable::lookup`]: no trimming, UTF-8 check or
//! hashing of the bytes), and for scores a plain-decimal fast path ([`super::decimal`]).

use std::path::{Path, PathBuf};
use std::thread;

use indicatif::{ProgressBar, ProgressStyle};

use super::median::Scores;
use super::reader::{self, ReadError, Record, RecordReader};
use super::tabular::{Format, Source, Stop};
use super::values::{AxisMap, Decision, OutcomeMap, Resolved, ValueTable};
use super::{
    Axis, Cell, Ingested, PROGRESS_MIN_BYTES, Tally, data_file_size, empty_file, near, show_value,
};
use crate::config::{Audit, Outcome, Unmapped};
use crate::diag::{Error, InputError, Location, Result};
use crate::metrics::{CategoryValue, DataInfo, OutcomeValue};

/// Ranges smaller than this are not worth a thread.
const MIN_BYTES_PER_THREAD: u64 = 8 << 20;
const MAX_THREADS: usize = 16;

pub(super) fn read(audit: &Audit, relative: &str, progress: bool) -> Result<Ingested> {
    read_with(audit, relative, progress, None)
}

/// [`read`] with a fixed number of reader threads (tests), or one per core and 8 MiB.
pub(super) fn read_with(
    audit: &Audit,
    relative: &str,
    progress: bool,
    threads: Option<usize>,
) -> Result<Ingested> {
    let path = audit.resolve(relative);
    let size = data_file_size(&path, "path")?;
    if size == 0 {
        return Err(empty_file(&path));
    }
    let format = Format::of(&path);
    if format != Format::Csv {
        return read_tabular(audit, relative, &path, format);
    }
    let (header, header_end) = read_header(&path)?;
    let plan = RowPlan::new(audit, &path, header)?;

    let bar = (progress && size >= PROGRESS_MIN_BYTES).then(|| {
        let bar = ProgressBar::new(size - header_end);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
                .expect("constant progress template")
                .progress_chars("=> "),
        );
        bar.set_message(format!("reading {}", path.display()));
        bar
    });
    let (hash, tallied) = thread::scope(|s| {
        let hasher = s.spawn(|| crate::hash::sha256_file(&path));
        let tallied = tally_file(
            &plan,
            header_end,
            size,
            bar.as_ref(),
            threads.unwrap_or_else(|| reader_threads(size - header_end)),
        );
        (hasher.join(), tallied)
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let sums = tallied?;
    let sha256 = hash.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    plan.finish(audit, relative, sums, sha256)
}

/// Parquet and Excel files ([`tabular`]): the same plan, the same per-row processing and the same
/// errors as CSV, with rows located by sheet row (Excel) or row number (Parquet) instead of line.
fn read_tabular(audit: &Audit, relative: &str, path: &Path, format: Format) -> Result<Ingested> {
    let sheet = audit.config.data.get_ref().sheet.as_deref();
    let source = Source::open(path, format, sheet)?;
    let mut plan =
        RowPlan::new(audit, path, source.header.clone()).map_err(|e| in_context(e, &source))?;
    plan.tabular = Some(source);
    let plan = plan;
    let source = plan.tabular.as_ref().expect("just set");
    let used: Vec<usize> = [
        plan.sex.as_ref().map(|c| c.index),
        plan.race.as_ref().map(|c| c.index),
    ]
    .into_iter()
    .chain([plan.selected, plan.score, plan.label])
    .flatten()
    .collect();
    let (hash, tallied) = thread::scope(|s| {
        let hasher = s.spawn(|| crate::hash::sha256_file(path));
        let mut tallier = Tallier::new(&plan);
        let read = source.rows(path, &used, |data, bounds, position| {
            tallier.row(&Record::new(data, bounds, position))
        });
        (hasher.join(), read.map(|()| tallier))
    });
    let mut sums = match tallied {
        Ok(sums) => sums,
        Err(Stop::Source(e)) => return Err(e),
        Err(Stop::Row(fault)) => {
            let line = source.location(path, fault.offset, None).line.unwrap_or(0);
            let error = fault_error_at(path, &plan.header, Some(&plan.outcomes), fault, line);
            return Err(in_context(error, source));
        }
    };
    sums.seal();
    let sha256 = hash.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    plan.finish(audit, relative, sums, sha256)
        .map_err(|e| in_context(e, source))
}

/// Name the worksheet in input errors about an Excel file (nothing to add for Parquet).
fn in_context(error: Error, source: &Source) -> Error {
    let context = source.context();
    let prefix = |mut e: InputError| {
        if !context.is_empty() && !e.message.starts_with(&context) {
            e.message = format!("{context}{}", e.message);
        }
        e
    };
    match error {
        Error::Input(e) => Error::Input(Box::new(prefix(*e))),
        Error::Inputs(errors) => Error::Inputs(errors.into_iter().map(prefix).collect()),
        other => other,
    }
}

/// The header names (trimmed) and the offset just past the header record.
fn read_header(path: &Path) -> Result<(Vec<String>, u64)> {
    let io = |e| Error::io(path, e);
    let mut reader = RecordReader::open(path, 0, None, 0).map_err(io)?;
    reader.skip_bom().map_err(|e| read_error(path, e))?;
    let Some(record) = reader
        .next_record(u64::MAX)
        .map_err(|e| read_error(path, e))?
    else {
        return Err(empty_file(path));
    };
    if record.len() > crate::limits::MAX_COLUMNS {
        return Err(InputError::new(
            Location::at(path, 1, 1),
            format!(
                "the header has {} columns, over fairfile's limit of {} (MAX_COLUMNS, see SECURITY.md)",
                record.len(),
                crate::limits::MAX_COLUMNS
            ),
        )
        .with_help("export only the columns the audit uses")
        .into());
    }
    let mut names = Vec::with_capacity(record.len());
    for i in 0..record.len() {
        match std::str::from_utf8(record.field(i).trim_ascii()) {
            Ok(name) => names.push(name.to_string()),
            Err(_) => {
                return Err(InputError::new(
                    Location::at(path, 1, i + 1),
                    "header field is not valid UTF-8",
                )
                .with_help("save the file as UTF-8 (e.g. export as \"CSV UTF-8\")")
                .into());
            }
        }
    }
    Ok((names, reader.pos()))
}

fn read_error(path: &Path, e: ReadError) -> Error {
    match e {
        ReadError::Io(e) => Error::io(path, e),
        ReadError::TooLong(offset) => fault_error(
            path,
            &[],
            None,
            Fault {
                offset,
                field: None,
                kind: FaultKind::TooLong,
            },
        ),
    }
}

/// How a row counts as selected (selection mode) or predicted positive (fairness metrics).
#[derive(Debug, Clone, Copy)]
enum Decider {
    /// The `selected` column, by `[data.values]`.
    Column,
    /// `score >= threshold` (`[data.columns] prediction_threshold`).
    Threshold(f64),
}

#[derive(Debug)]
struct AxisColumn {
    index: usize,
    map: AxisMap,
}

/// Which fields to read and what they mean, resolved against the header once.
#[derive(Debug)]
struct RowPlan {
    path: PathBuf,
    header: Vec<String>,
    outcome: Outcome,
    unmapped: Unmapped,
    sex: Option<AxisColumn>,
    race: Option<AxisColumn>,
    race_slots: usize,
    cell_count: usize,
    outcomes: OutcomeMap,
    selected: Option<usize>,
    /// Parsed on every row when set (scoring mode, or a threshold decides something).
    score: Option<usize>,
    label: Option<usize>,
    selection: Decider,
    /// With a label: how the prediction is made.
    prediction: Option<Decider>,
    /// Parquet or Excel input: where rows are (record offsets are row positions there).
    tabular: Option<Source>,
}

impl RowPlan {
    fn new(audit: &Audit, path: &Path, header: Vec<String>) -> Result<RowPlan> {
        let data = audit.config.data.get_ref();
        let columns = &data.columns;
        let mut errors = Vec::new();

        let mut find = |role: &str, name: &Option<String>| -> Option<usize> {
            let name = name.as_deref()?;
            let name = name.trim_ascii();
            let at: Vec<usize> = header
                .iter()
                .enumerate()
                .filter(|(_, h)| *h == name)
                .map(|(i, _)| i)
                .collect();
            let location = Location {
                file: path.to_path_buf(),
                line: Some(1),
                column: None,
                field: Some(name.to_string()),
            };
            match at.as_slice() {
                [i] => return Some(*i),
                [] => {
                    let mut help = format!("the header has: {}", super::header_list(&header));
                    if let Some(near) = near(name, header.iter().map(String::as_str)) {
                        help = format!("did you mean `{near}`? {help}");
                    }
                    errors.push(
                        InputError::new(
                            location,
                            format!("column `{name}` ([data.columns] {role}) is not in the header"),
                        )
                        .with_help(help),
                    );
                }
                many => {
                    let fields = many
                        .iter()
                        .map(|i| (i + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let location = Location {
                        column: Some(many[1] + 1),
                        ..location
                    };
                    errors.push(
                        InputError::new(
                            location,
                            format!("column `{name}` ([data.columns] {role}) appears {} times in the header (fields {fields})", many.len()),
                        )
                        .with_help("rename the duplicates: fairfile cannot tell which one is meant"),
                    );
                }
            }
            None
        };
        let sex_index = find("sex", &columns.sex);
        let race_index = find("race", &columns.race);
        let selected = find("selected", &columns.selected);
        let score_index = find("score", &columns.score);
        let label = find("label", &columns.label);

        let outcomes = OutcomeMap::from_config(&data.values);
        for value in outcomes.contradictions() {
            errors.push(
                InputError::new(
                    Location::file(&audit.config_path).with_field("data.values"),
                    format!(
                        "value {} is listed both in `selected` and in `not_selected`",
                        show_value(&value)
                    ),
                )
                .with_help("keep it in one list"),
            );
        }
        let axis = |dim: &str,
                    index: Option<usize>,
                    map: &Option<toml::Spanned<crate::config::CategoryMap>>,
                    errors: &mut Vec<InputError>| {
            let index = index?;
            match map {
                Some(map) => Some(AxisColumn {
                    index,
                    map: AxisMap::from_config(map.get_ref()),
                }),
                None => {
                    errors.push(
                        InputError::new(
                            Location::file(&audit.config_path)
                                .with_field(format!("data.categories.{dim}")),
                            format!(
                                "column `{dim}` is mapped but [data.categories.{dim}] is missing"
                            ),
                        )
                        .with_help(format!(
                            "list the canonical {dim} categories and the raw values that mean each"
                        )),
                    );
                    None
                }
            }
        };
        let sex = axis("sex", sex_index, &data.categories.sex, &mut errors);
        let race = axis("race", race_index, &data.categories.race, &mut errors);

        let threshold = columns.prediction_threshold;
        let selection = match (selected, threshold) {
            (Some(_), _) => Decider::Column,
            (None, Some(t)) => Decider::Threshold(t),
            (None, None) => Decider::Column,
        };
        let prediction = label.and(match (selected, threshold) {
            (Some(_), _) => Some(Decider::Column),
            (None, Some(t)) if score_index.is_some() => Some(Decider::Threshold(t)),
            _ => None,
        });
        let needs_score = data.outcome == Outcome::Scoring
            || (data.outcome == Outcome::Selection && matches!(selection, Decider::Threshold(_)))
            || matches!(prediction, Some(Decider::Threshold(_)));
        if needs_score && score_index.is_none() && columns.score.is_none() {
            errors.push(
                InputError::new(
                    Location::file(&audit.config_path).with_field("data.columns.score"),
                    "no score column is mapped",
                )
                .with_help("name the column holding the AEDT's score in [data.columns] score"),
            );
        }
        if data.outcome == Outcome::Selection
            && selected.is_none()
            && threshold.is_none()
            && columns.selected.is_none()
        {
            errors.push(
                InputError::new(Location::file(&audit.config_path).with_field("data.columns.selected"), "selection mode needs a `selected` column")
                    .with_help("name the column holding the AEDT's decision, or give `score` and `prediction_threshold`"),
            );
        }
        match errors.len() {
            0 => {}
            1 => return Err(errors.remove(0).into()),
            _ => return Err(Error::Inputs(errors)),
        }

        let sex_slots = sex.as_ref().map_or(1, |c| c.map.categories.len() + 1);
        let race_slots = race.as_ref().map_or(1, |c| c.map.categories.len() + 1);
        Ok(RowPlan {
            path: path.to_path_buf(),
            header,
            outcome: data.outcome,
            unmapped: data.unmapped,
            sex,
            race,
            race_slots,
            cell_count: sex_slots * race_slots,
            outcomes,
            selected,
            score: if needs_score { score_index } else { None },
            label,
            selection,
            prediction,
            tabular: None,
        })
    }

    fn axis(&self, column: &Option<AxisColumn>) -> Axis {
        match column {
            Some(c) => Axis::provided(c.map.categories.clone()),
            None => Axis::not_provided(),
        }
    }

    /// Turn the summed counts into the [`Ingested`] result: reject unmapped values (or fold
    /// them), compute the median and the above-median counts, list every raw value seen.
    fn finish(
        &self,
        audit: &Audit,
        relative: &str,
        mut sums: Tallier<'_>,
        sha256: String,
    ) -> Result<Ingested> {
        let data = audit.config.data.get_ref();
        if sums.rows == 0 {
            return Err(InputError::new(
                Location::file(&self.path),
                "no data rows after the header",
            )
            .with_help("export the applicants assessed, one row each")
            .into());
        }
        let axes = [
            ("sex", &self.sex, &sums.sex),
            ("race", &self.race, &sums.race),
        ];
        if self.unmapped == Unmapped::Error {
            let mut unmapped = Vec::new();
            for (dim, column, table) in axes {
                let Some(column) = column else { continue };
                for e in table.entries().iter().filter(|e| e.unmapped) {
                    unmapped.push((dim, column, e));
                }
            }
            if !unmapped.is_empty() {
                unmapped.sort_by(|a, b| {
                    (a.0 != "sex", std::cmp::Reverse(a.2.count), &a.2.bytes).cmp(&(
                        b.0 != "sex",
                        std::cmp::Reverse(b.2.count),
                        &b.2.bytes,
                    ))
                });
                let offsets: Vec<u64> = unmapped.iter().map(|u| u.2.first_offset).collect();
                let lines = match &self.tabular {
                    Some(source) => offsets
                        .iter()
                        .map(|&o| source.location(&self.path, o, None).line.unwrap_or(0))
                        .collect(),
                    None => reader::line_numbers(&self.path, &offsets)
                        .map_err(|e| Error::io(&self.path, e))?,
                };
                let errors = unmapped
                    .iter()
                    .zip(lines)
                    .map(|((dim, column, entry), line)| {
                        let value = String::from_utf8_lossy(&entry.bytes);
                        let name = &self.header[column.index];
                        let rows = if entry.count == 1 { "1 row".to_string() } else { format!("{} rows", entry.count) };
                        let mut help = format!("map it in [data.categories.{dim}]");
                        if let Some(near) = near(&value, column.map.raw_values()) {
                            help.push_str(&format!(" (did you mean {near:?}?)"));
                        }
                        help.push_str(
                            ", list it under `unknown`, or set [data] unmapped = \"unknown\" to count unmapped values as unknown",
                        );
                        InputError::new(
                            Location { file: self.path.clone(), line: Some(line), column: Some(column.index + 1), field: Some(name.clone()) },
                            format!("unmapped {dim} value {} in column `{name}`: {rows}, first on this line", show_value(&value)),
                        )
                        .with_help(help)
                    })
                    .collect::<Vec<_>>();
                return Err(if errors.len() == 1 {
                    errors.into_iter().next().expect("one").into()
                } else {
                    Error::Inputs(errors)
                });
            }
        }

        let mut tally = Tally::new(
            self.outcome,
            self.axis(&self.sex),
            self.axis(&self.race),
            self.prediction.is_some(),
        );
        tally.cells.copy_from_slice(&sums.cells);
        let mut scores_at_median = None;
        if self.outcome == Outcome::Scoring {
            let split = std::mem::replace(&mut sums.scores, Scores::none()).split();
            if let Some(split) = &split {
                for (cell, &above) in split.above.iter().enumerate() {
                    tally.cells[cell].positive += above;
                }
                scores_at_median = Some(split.ties);
            }
            tally.median_score = split.map(|s| s.median);
        }

        let mut category_values = Vec::new();
        for (dim, column, table) in axes {
            let Some(column) = column else { continue };
            let mut values: Vec<&super::values::ValueEntry> = table.entries().iter().collect();
            values.sort_by(|a, b| (a.code, &a.bytes).cmp(&(b.code, &b.bytes)));
            for e in values {
                let slot = e.code as usize;
                category_values.push(CategoryValue {
                    dimension: dim.to_string(),
                    value: String::from_utf8_lossy(&e.bytes).into_owned(),
                    count: e.count,
                    category: column
                        .map
                        .categories
                        .get(slot)
                        .cloned()
                        .unwrap_or_else(|| crate::config::UNKNOWN.to_string()),
                    unmapped: e.unmapped,
                });
            }
        }
        let mut outcome_values = Vec::new();
        for (column, table, yes, no) in [
            ("selected", &sums.selected, "selected", "not_selected"),
            ("label", &sums.label, "positive", "negative"),
        ] {
            let mut values: Vec<&super::values::ValueEntry> = table.entries().iter().collect();
            values.sort_by(|a, b| a.bytes.cmp(&b.bytes));
            for e in values {
                outcome_values.push(OutcomeValue {
                    column: column.to_string(),
                    value: String::from_utf8_lossy(&e.bytes).into_owned(),
                    count: e.count,
                    counted_as: if e.code == 1 { yes } else { no }.to_string(),
                });
            }
        }

        let info = DataInfo {
            input: "rows".to_string(),
            path: relative.to_string(),
            sha256,
            kind: data.kind,
            description: data.description.clone(),
            explanation: data.explanation.clone(),
            rows_read: sums.rows,
            median_source: (self.outcome == Outcome::Scoring)
                .then(|| "computed from every row".to_string()),
            scores_at_median,
        };
        Ok(Ingested {
            tally,
            data: info,
            category_values,
            outcome_values,
        })
    }
}

/// A problem in one row, located by byte offset (turned into a line number only when reported).
#[derive(Debug)]
struct Fault {
    offset: u64,
    field: Option<usize>,
    kind: FaultKind,
}

#[derive(Debug)]
enum FaultKind {
    Ragged { found: usize },
    Utf8,
    Score(String),
    Outcome(String),
    TooLong,
    Io(std::io::Error),
}

/// Counts of one byte range (or, after merging, of the whole file).
struct Tallier<'p> {
    plan: &'p RowPlan,
    cells: Vec<Cell>,
    /// Scoring mode: the scores of each cell.
    scores: Scores,
    sex: ValueTable,
    race: ValueTable,
    selected: ValueTable,
    label: ValueTable,
    rows: u64,
}

impl<'p> Tallier<'p> {
    fn new(plan: &'p RowPlan) -> Self {
        let keep_scores = plan.outcome == Outcome::Scoring;
        Tallier {
            plan,
            cells: vec![Cell::default(); plan.cell_count],
            scores: if keep_scores {
                Scores::new(plan.cell_count)
            } else {
                Scores::none()
            },
            sex: ValueTable::default(),
            race: ValueTable::default(),
            selected: ValueTable::default(),
            label: ValueTable::default(),
            rows: 0,
        }
    }

    #[inline]
    fn row(&mut self, rec: &Record<'_>) -> Result<(), Fault> {
        let plan = self.plan;
        if rec.len() != plan.header.len() {
            return Err(Fault {
                offset: rec.start,
                field: None,
                kind: FaultKind::Ragged { found: rec.len() },
            });
        }
        let sex = match &plan.sex {
            Some(c) => category(&mut self.sex, &c.map, rec, c.index)?,
            None => 0,
        };
        let race = match &plan.race {
            Some(c) => category(&mut self.race, &c.map, rec, c.index)?,
            None => 0,
        };
        let selected = match plan.selected {
            Some(i) => decision(&mut self.selected, &plan.outcomes, rec, i)?,
            None => false,
        };
        let score = match plan.score {
            Some(i) => parse_score(rec, i)?,
            None => 0.0,
        };
        let positive_label = match plan.label {
            Some(i) => label(&mut self.label, &plan.outcomes, rec, i)?,
            None => false,
        };
        self.rows += 1;
        let index = sex as usize * plan.race_slots + race as usize;
        let cell = &mut self.cells[index];
        cell.n += 1;
        match plan.outcome {
            Outcome::Selection => {
                cell.positive += u64::from(match plan.selection {
                    Decider::Column => selected,
                    Decider::Threshold(t) => score >= t,
                });
            }
            Outcome::Scoring => self.scores.add(index, score),
        }
        if let Some(prediction) = plan.prediction {
            let predicted = match prediction {
                Decider::Column => selected,
                Decider::Threshold(t) => score >= t,
            };
            match (predicted, positive_label) {
                (true, true) => cell.tp += 1,
                (true, false) => cell.fp += 1,
                (false, true) => cell.fn_ += 1,
                (false, false) => cell.tn += 1,
            }
        }
        Ok(())
    }

    /// Add another range's counts (its score vectors are kept as they are, not copied).
    fn merge(&mut self, mut other: Tallier<'p>) {
        for (mine, theirs) in self.cells.iter_mut().zip(&other.cells) {
            mine.add(theirs);
        }
        other.seal();
        self.scores.merge(other.scores);
        self.sex.merge(other.sex);
        self.race.merge(other.race);
        self.selected.merge(other.selected);
        self.label.merge(other.label);
        self.rows += other.rows;
    }

    /// Add the value counts kept in lookup caches to the tables.
    fn seal(&mut self) {
        for table in [
            &mut self.sex,
            &mut self.race,
            &mut self.selected,
            &mut self.label,
        ] {
            table.settle();
        }
    }
}

#[inline(always)]
fn category(
    table: &mut ValueTable,
    map: &AxisMap,
    rec: &Record<'_>,
    field: usize,
) -> Result<u32, Fault> {
    table.lookup(rec.buffer(), rec.span(field), rec.start, |bytes| {
        let resolved = map.resolve_raw(utf8(bytes, rec, field)?);
        Ok((map.slot(resolved) as u32, resolved == Resolved::Unmapped))
    })
}

#[inline(always)]
fn decision(
    table: &mut ValueTable,
    outcomes: &OutcomeMap,
    rec: &Record<'_>,
    field: usize,
) -> Result<bool, Fault> {
    let code = table.lookup(rec.buffer(), rec.span(field), rec.start, |bytes| {
        let text = utf8(bytes, rec, field)?;
        match outcomes.decide(text) {
            Decision::NotSelected => Ok((0, false)),
            Decision::Selected => Ok((1, false)),
            Decision::Neither => Err(Fault {
                offset: rec.start,
                field: Some(field),
                kind: FaultKind::Outcome(text.to_string()),
            }),
        }
    })?;
    Ok(code == 1)
}

#[inline(always)]
fn label(
    table: &mut ValueTable,
    outcomes: &OutcomeMap,
    rec: &Record<'_>,
    field: usize,
) -> Result<bool, Fault> {
    let code = table.lookup(rec.buffer(), rec.span(field), rec.start, |bytes| {
        let positive = outcomes.is_positive_label(utf8(bytes, rec, field)?);
        Ok((u32::from(positive), false))
    })?;
    Ok(code == 1)
}

#[inline]
fn parse_score(rec: &Record<'_>, field: usize) -> Result<f64, Fault> {
    let bytes = rec.field(field).trim_ascii();
    if let Some(v) = super::decimal::parse_plain(bytes) {
        return Ok(v + 0.0);
    }
    parse_score_text(bytes, rec, field)
}

/// [`parse_score`] for everything but plain decimals (and every error).
#[inline(never)]
fn parse_score_text(bytes: &[u8], rec: &Record<'_>, field: usize) -> Result<f64, Fault> {
    let text = utf8(bytes, rec, field)?;
    match text.parse::<f64>() {
        // `+ 0.0` turns -0.0 into 0.0, so that equal scores compare equal in the median.
        Ok(v) if v.is_finite() => Ok(v + 0.0),
        _ => Err(Fault {
            offset: rec.start,
            field: Some(field),
            kind: FaultKind::Score(text.to_string()),
        }),
    }
}

#[inline]
fn utf8<'a>(bytes: &'a [u8], rec: &Record<'_>, field: usize) -> Result<&'a str, Fault> {
    std::str::from_utf8(bytes).map_err(|_| Fault {
        offset: rec.start,
        field: Some(field),
        kind: FaultKind::Utf8,
    })
}

/// One reader's result: its counts, where its first record started, where it stopped, and the
/// first problem it met (it stops there).
struct Chunk<'p> {
    tallier: Tallier<'p>,
    first: u64,
    last: u64,
    fault: Option<Fault>,
}

fn read_range<'p>(plan: &'p RowPlan, begin: u64, end: u64, bar: Option<&ProgressBar>) -> Chunk<'p> {
    let mut chunk = Chunk {
        tallier: Tallier::new(plan),
        first: begin,
        last: begin,
        fault: None,
    };
    let io_fault = |offset, e| Fault {
        offset,
        field: None,
        kind: FaultKind::Io(e),
    };
    let mut reader =
        match RecordReader::open(&plan.path, begin, bar.cloned(), end.saturating_sub(begin)) {
            Ok(r) => r,
            Err(e) => {
                chunk.fault = Some(io_fault(begin, e));
                return chunk;
            }
        };
    let read_fault = |e| match e {
        ReadError::Io(e) => io_fault(begin, e),
        ReadError::TooLong(offset) => Fault {
            offset,
            field: None,
            kind: FaultKind::TooLong,
        },
    };
    if let Err(e) = reader.skip_terminators() {
        chunk.fault = Some(read_fault(e));
        return chunk;
    }
    chunk.first = reader.pos();
    loop {
        match reader.next_record(end) {
            Ok(Some(record)) => {
                if let Err(fault) = chunk.tallier.row(&record) {
                    chunk.fault = Some(fault);
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                chunk.fault = Some(read_fault(e));
                break;
            }
        }
    }
    chunk.last = reader.pos();
    chunk
}

/// One reader per core, each with at least [`MIN_BYTES_PER_THREAD`] of data.
fn reader_threads(data_bytes: u64) -> usize {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    ((data_bytes / MIN_BYTES_PER_THREAD) as usize).clamp(1, cores.clamp(1, MAX_THREADS))
}

/// Tally every data row: in `threads` parallel byte ranges, or in one pass.
fn tally_file<'p>(
    plan: &'p RowPlan,
    header_end: u64,
    size: u64,
    bar: Option<&ProgressBar>,
    threads: usize,
) -> Result<Tallier<'p>> {
    if threads > 1 {
        let mut starts = vec![header_end];
        for i in 1..threads {
            let nominal = header_end + (size - header_end) * i as u64 / threads as u64;
            let start = reader::line_start_after(&plan.path, nominal, size)
                .map_err(|e| Error::io(&plan.path, e))?;
            starts.push(start.max(*starts.last().expect("non-empty")));
        }
        starts.push(size);
        let mut chunks: Vec<Chunk<'p>> = thread::scope(|s| {
            let handles: Vec<_> = starts
                .windows(2)
                .map(|w| s.spawn(move || read_range(plan, w[0], w[1], bar)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        // Range i's start is a true record start when every earlier range ended where the next
        // began; the first problem in file order is then genuine.
        let mut aligned = true;
        for i in 0..chunks.len() {
            if let Some(fault) = chunks[i].fault.take() {
                return Err(fault_error(
                    &plan.path,
                    &plan.header,
                    Some(&plan.outcomes),
                    fault,
                ));
            }
            if i + 1 < chunks.len() && chunks[i].last != chunks[i + 1].first {
                aligned = false;
                break;
            }
        }
        if aligned {
            let mut chunks = chunks.into_iter();
            let mut sums = chunks.next().expect("at least two ranges").tallier;
            sums.seal();
            for chunk in chunks {
                sums.merge(chunk.tallier);
            }
            return Ok(sums);
        }
        // A split point fell inside a quoted field spanning lines: read again in one pass.
        // (Not counted for `ingest::differential`'s files, which split inside quotes on purpose.)
        #[cfg(test)]
        if !plan.path.ends_with("differential.csv") {
            tests::ONE_PASS_RETRIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        if let Some(bar) = bar {
            bar.set_position(0);
        }
    }
    let mut chunk = read_range(plan, header_end, u64::MAX, bar);
    if let Some(fault) = chunk.fault.take() {
        return Err(fault_error(
            &plan.path,
            &plan.header,
            Some(&plan.outcomes),
            fault,
        ));
    }
    chunk.tallier.seal();
    Ok(chunk.tallier)
}

/// The user-facing error for a row problem, with its line number.
fn fault_error(
    path: &Path,
    header: &[String],
    outcomes: Option<&OutcomeMap>,
    fault: Fault,
) -> Error {
    if let FaultKind::Io(e) = fault.kind {
        return Error::io(path, e);
    }
    let line = match reader::line_numbers(path, &[fault.offset]) {
        Ok(lines) => lines[0],
        Err(e) => return Error::io(path, e),
    };
    fault_error_at(path, header, outcomes, fault, line)
}

/// [`fault_error`] for a row whose line (or sheet row, or row number) is known.
fn fault_error_at(
    path: &Path,
    header: &[String],
    outcomes: Option<&OutcomeMap>,
    fault: Fault,
    line: usize,
) -> Error {
    let kind = match fault.kind {
        FaultKind::Io(e) => return Error::io(path, e),
        kind => kind,
    };
    let mut location = Location {
        file: path.to_path_buf(),
        line: Some(line),
        column: fault.field.map(|f| f + 1),
        field: fault.field.and_then(|f| header.get(f).cloned()),
    };
    let error = match kind {
        FaultKind::Ragged { found } => {
            let expected = header.len();
            location.column = Some(found.min(expected) + 1);
            location.field = header.get(found).filter(|_| found < expected).cloned();
            let what = if found < expected {
                "missing fields"
            } else {
                "extra fields"
            };
            InputError::new(
                location,
                format!("row has {found} fields but the header has {expected} ({what})"),
            )
            .with_help(
                "every row needs one value per header column; quote values that contain commas",
            )
        }
        FaultKind::Utf8 => InputError::new(location, "field is not valid UTF-8")
            .with_help("save the file as UTF-8 (e.g. export as \"CSV UTF-8\")"),
        FaultKind::Score(value) => {
            let what = if value.is_empty() {
                "empty score".to_string()
            } else {
                format!("score {value:?} is not a finite number")
            };
            InputError::new(location, what).with_help(
                "every row needs the AEDT's numeric score (e.g. 7 or 0.82); remove individuals the tool did not score",
            )
        }
        FaultKind::Outcome(value) => {
            let mut help = "add it to one of the two lists in fairfile.toml".to_string();
            if let Some(near) = outcomes.and_then(|o| near(&value, o.outcome_values())) {
                help = format!("did you mean {near:?}? Otherwise {help}");
            }
            InputError::new(
                location,
                format!(
                    "outcome value {} is in neither [data.values] `selected` nor `not_selected`",
                    show_value(&value)
                ),
            )
            .with_help(help)
        }
        FaultKind::TooLong => InputError::new(
            location,
            format!("record longer than {} MiB", reader::MAX_RECORD_BYTES >> 20),
        )
        .with_help("look for an unclosed double quote at the start of this record"),
        FaultKind::Io(e) => return Error::io(path, e),
    };
    error.into()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::ingest::testing::{SELECTION, audit};

    /// How often parallel reading fell back to one pass (split inside quotes).
    pub(super) static ONE_PASS_RETRIES: AtomicUsize = AtomicUsize::new(0);

    fn ingest(dir: &Path, config: &str, threads: usize) -> Result<Ingested> {
        read_with(&audit(dir, config), "data.csv", false, Some(threads))
    }

    /// A deterministic pseudo-random applicant file; `multiline` puts long quoted comments with
    /// newlines in every row, so that split points fall inside quotes.
    fn applicants(rows: usize, multiline: bool) -> String {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |m: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % m
        };
        let mut out = String::from("id,sex,race,comment,selected,score,hired\n");
        for i in 0..rows {
            let sex = ["M", "F", "", "M "][next(4) as usize];
            let race = ["W", "B", "A", "", "U", "\"W\""][next(6) as usize];
            let comment = match (multiline, next(3)) {
                (true, _) => {
                    format!("\"note {i}\nsecond line, with comma\n\"\"quoted\"\" third\r\nend\"")
                }
                (false, 0) => "\"a, b\"".to_string(),
                (false, _) => String::new(),
            };
            let selected = ["1", "0"][next(2) as usize];
            let score = next(40) as f64 / 4.0;
            let hired = next(2);
            let eol = if next(5) == 0 { "\r\n" } else { "\n" };
            out.push_str(&format!(
                "{i},{sex},{race},{comment},{selected},{score},{hired}{eol}"
            ));
        }
        out
    }

    fn scoring(config: &str) -> String {
        config.replace("outcome = \"selection\"", "outcome = \"scoring\"")
    }

    #[test]
    fn parallel_ranges_give_the_same_result_as_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        for multiline in [false, true] {
            std::fs::write(dir.path().join("data.csv"), applicants(3000, multiline)).unwrap();
            for config in [SELECTION.to_string(), scoring(SELECTION)] {
                let one = ingest(dir.path(), &config, 1).unwrap();
                assert_eq!(one.data.rows_read, 3000);
                assert_eq!(one.tally.total(), 3000);
                for threads in [2, 3, 5, 16] {
                    let many = ingest(dir.path(), &config, threads).unwrap();
                    assert_eq!(many, one, "{threads} threads, multiline {multiline}");
                }
            }
            if !multiline {
                // Plain files split cleanly: no test writes multiline quotes before this point.
                assert_eq!(ONE_PASS_RETRIES.load(Ordering::Relaxed), 0);
            }
        }
        // Nearly every line start in the multiline file is inside quotes: the split was caught.
        assert!(ONE_PASS_RETRIES.load(Ordering::Relaxed) > 0);
    }

    #[test]
    fn values_are_trimmed_and_quotes_removed_before_matching() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.csv"), applicants(400, false)).unwrap();
        let got = ingest(dir.path(), SELECTION, 1).unwrap();
        let sex: Vec<(&str, &str)> = got
            .category_values
            .iter()
            .filter(|v| v.dimension == "sex")
            .map(|v| (v.value.as_str(), v.category.as_str()))
            .collect();
        // "M " is trimmed into "M"; `"W"` (quoted) is W.
        assert_eq!(sex, [("M", "Male"), ("F", "Female"), ("", "unknown")]);
        let race: Vec<&str> = got
            .category_values
            .iter()
            .filter(|v| v.dimension == "race")
            .map(|v| v.value.as_str())
            .collect();
        assert_eq!(race, ["W", "B", "A", "", "U"]);
        let counted: u64 = got
            .category_values
            .iter()
            .filter(|v| v.dimension == "race")
            .map(|v| v.count)
            .sum();
        assert_eq!(counted, 400);
    }

    #[test]
    fn the_first_bad_row_in_file_order_is_reported_whatever_the_split() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines: Vec<String> = applicants(3000, false)
            .lines()
            .map(str::to_string)
            .collect();
        lines[1500].push_str(",extra");
        lines[2800].push_str(",extra");
        std::fs::write(dir.path().join("data.csv"), lines.join("\n")).unwrap();
        for threads in [1, 2, 4] {
            let err = ingest(dir.path(), SELECTION, threads)
                .unwrap_err()
                .to_string();
            assert!(err.contains("data.csv:1501:8"), "{threads}: {err}");
            assert!(
                err.contains("row has 8 fields but the header has 7"),
                "{err}"
            );
        }
    }

    #[test]
    fn median_and_ties_over_the_full_sample() {
        let dir = tempfile::tempdir().unwrap();
        // Scores 1..=6 plus an unknown-sex 4: median of 1,2,3,4,4,5,6 = 4; two scores tie.
        let csv = "id,sex,race,comment,selected,score,hired\n\
                   1,M,W,,1,1,0\n2,M,W,,1,2,0\n3,F,B,,0,3,0\n4,F,B,,0,4,0\n5,M,B,,0,5,0\n6,F,W,,0,6,0\n7,,W,,0,4,0\n";
        std::fs::write(dir.path().join("data.csv"), csv).unwrap();
        let got = ingest(dir.path(), &scoring(SELECTION), 1).unwrap();
        assert_eq!(got.tally.median_score, Some(4.0));
        assert_eq!(got.data.scores_at_median, Some(2));
        // Above 4: the 5 (M, B) and the 6 (F, W).
        assert_eq!(got.tally.sex_total(Some(0)).positive, 1);
        assert_eq!(got.tally.sex_total(Some(1)).positive, 1);
        assert_eq!(got.tally.sex_total(None).positive, 0);
        // Even count: the mean of the two middle values.
        std::fs::write(dir.path().join("data.csv"), format!("{csv}8,M,W,,0,-0,0\n")).unwrap();
        let got = ingest(dir.path(), &scoring(SELECTION), 1).unwrap();
        assert_eq!(got.tally.median_score, Some(3.5));
    }

    /// Values are cached after their first sight: a spelling seen before (with different
    /// surrounding whitespace, too) counts as its value, and a bad value is an error with its
    /// line and column wherever it first appears, even after many good rows.
    #[test]
    fn cached_values_and_first_sight_errors() {
        let dir = tempfile::tempdir().unwrap();
        let header = "id,sex,race,comment,selected,score,hired\n";
        let good = "1,M,W,,1,1.5,0\n2, M ,W ,,0,2.5,1\n3,F,B,,1,-0,0\n";
        let mut csv = header.to_string();
        for _ in 0..2000 {
            csv.push_str(good);
        }
        std::fs::write(dir.path().join("data.csv"), &csv).unwrap();
        let got = ingest(dir.path(), SELECTION, 1).unwrap();
        assert_eq!(got.tally.sex_total(Some(0)).n, 4000);
        let race_w = got
            .category_values
            .iter()
            .find(|v| v.dimension == "race" && v.value == "W")
            .unwrap();
        assert_eq!(race_w.count, 4000);
        for threads in [1, 2] {
            assert_eq!(ingest(dir.path(), SELECTION, threads).unwrap(), got);
        }
        for (bad_row, message, column) in [
            (&b"9,\xff,W,,1,1,0"[..], "field is not valid UTF-8", 2),
            (b"9,M,W,,yes,1,0", "outcome value \"yes\"", 5),
            (b"9,M,W,,1,abc,0", "score \"abc\" is not a finite number", 6),
            (b"9,M,W,,1,,0", "empty score", 6),
            (
                b"9,M,W,,1,1e999,0",
                "score \"1e999\" is not a finite number",
                6,
            ),
        ] {
            let mut bad = csv.clone().into_bytes();
            bad.extend(bad_row);
            bad.extend(format!("\n{good}").as_bytes());
            std::fs::write(dir.path().join("data.csv"), &bad).unwrap();
            let config = SELECTION.replace(
                "[data.columns]",
                "[data.values]\nselected = [\"1\"]\nnot_selected = [\"0\"]\n\n[data.columns]",
            );
            let config = if message.contains("score") {
                scoring(&config)
            } else {
                config
            };
            for threads in [1, 2] {
                let err = ingest(dir.path(), &config, threads)
                    .unwrap_err()
                    .to_string();
                assert!(
                    err.contains(&format!("data.csv:6002:{column}")),
                    "{message}: {err}"
                );
                assert!(err.contains(message), "{err}");
            }
        }
    }

    /// Scores outside the plain-decimal fast path (exponents, signs, bare points, padding) are
    /// read by `str::parse` exactly as before; the median over a histogram of them is exact.
    #[test]
    fn scores_in_every_notation() {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("id,sex,race,comment,selected,score,hired\n");
        let scores = [
            "1e1",
            "+3",
            ".5",
            "5.",
            " 7 ",
            "-0",
            "0.1",
            "2.50",
            "1E-1",
            "9007199254740993",
        ];
        for (i, score) in scores.iter().enumerate() {
            csv.push_str(&format!("{i},{},W,,0,{score},0\n", ["M", "F"][i % 2]));
        }
        std::fs::write(dir.path().join("data.csv"), csv).unwrap();
        let got = ingest(dir.path(), &scoring(SELECTION), 1).unwrap();
        // Sorted: -0(=0), 0.1, 1E-1(=0.1), .5, 2.50, +3, 5., " 7 ", 1e1, 9007199254740993.
        assert_eq!(got.tally.median_score, Some((2.5 + 3.0) / 2.0));
        assert_eq!(got.data.scores_at_median, Some(0));
        // Above 2.75: +3 (F), 5. (M), 7 (F), 1e1 (M), 9007199254740993 (F).
        assert_eq!(got.tally.sex_total(Some(0)).positive, 2);
        assert_eq!(got.tally.sex_total(Some(1)).positive, 3);
    }

    #[test]
    fn header_only_and_blank_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        for (content, message) in [
            ("id,sex,race,comment,selected,score,hired\n", "no data rows"),
            ("\u{feff}\r\n\n", "empty file"),
            ("", "empty file"),
        ] {
            std::fs::write(dir.path().join("data.csv"), content).unwrap();
            let err = ingest(dir.path(), SELECTION, 1).unwrap_err().to_string();
            assert!(err.contains(message), "{content:?}: {err}");
        }
    }
}
