//! Row-level Parquet input, read column chunk by column chunk.
//!
//! Only the mapped columns are read, page by page, from their encodings: a dictionary-encoded
//! column (what DuckDB, pyarrow, Spark and arrow-rs write for columns with few distinct values)
//! has each dictionary entry turned into text and matched once per column chunk, and its rows are
//! counted by dictionary index; a plain-encoded column has each distinct value of the chunk matched
//! once; the score column is decoded to numbers (doubles and integers directly, every other type
//! through its text). Row groups are spread over the cores, each reader with its own counts (a
//! [`Tallier`]), added up at the end; the file's SHA-256 is computed by another thread meanwhile.
//!
//! Values mean what they mean in CSV: each is matched as the text a CSV export of it would hold
//! ([`value_text`], documented in `docs/inputs.md`), with the same rules and the same errors. A
//! problem is reported at the first row holding it in file order, whichever thread met it, with
//! the row group it is in. Columns using other encodings (`DELTA_*`, `BYTE_STREAM_SPLIT`) and
//! boolean columns are decoded by the `parquet` crate's typed column reader, then matched the same
//! way. Memory: a batch of [`BATCH_ROWS`] rows per mapped column and a page per column per reader,
//! whatever the file or row-group size (scoring mode keeps the scores as for CSV).

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use bytes::Bytes;
use chrono::{Duration, NaiveDate};
use parquet::basic::{ConvertedType, Encoding, LogicalType, TimeUnit, Type as Physical};
use parquet::column::page::{Page, PageReader};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, FixedLenByteArray, Int96};
use parquet::errors::ParquetError;
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::{ColumnDescriptor, SchemaDescriptor};

use super::count::{Tallier, count_row};
use super::faults::{Fault, FaultKind, fault_error_at};
use super::parquet_guard::GuardedFile;
use super::plan::RowPlan;
use crate::config::{Audit, Outcome};
use crate::diag::{Error, InputError, Location, Result};
use crate::ingest::Ingested;
use crate::ingest::tabular::{float_text, parquet_error};
use crate::ingest::values::{Decision, Resolved, ValueTable};

/// Rows decoded per batch from each mapped column.
const BATCH_ROWS: usize = 16 * 1024;
const MAX_THREADS: usize = 16;

/// Read a Parquet file with the plan made from its header (`plan.tabular` is its [`Source`]).
///
/// [`Source`]: crate::ingest::tabular::Source
pub(super) fn read(audit: &Audit, relative: &str, path: &Path, plan: &RowPlan) -> Result<Ingested> {
    read_with(audit, relative, path, plan, None)
}

/// [`read`] with a fixed number of reader threads (tests), or one per core and row group.
fn read_with(
    audit: &Audit,
    relative: &str,
    path: &Path,
    plan: &RowPlan,
    threads: Option<usize>,
) -> Result<Ingested> {
    let first = open(path)?;
    let metadata = first.metadata();
    let columns = Columns::resolve(plan, metadata.file_metadata().schema_descr(), path)?;
    let groups = metadata.num_row_groups();
    // Row index of each row group's first row, and the total at the end.
    let mut starts = Vec::with_capacity(groups + 1);
    let mut total = 0u64;
    for g in 0..groups {
        starts.push(total);
        let rows = metadata.row_group(g).num_rows();
        total += u64::try_from(rows).map_err(|_| {
            InputError::new(
                Location::file(path),
                format!("row group {g} declares {rows} rows"),
            )
        })?;
    }
    starts.push(total);
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let threads = threads
        .unwrap_or(cores.min(MAX_THREADS))
        .clamp(1, groups.max(1));
    // One reader (and file handle) per thread: the `File` chunk reader seeks a shared offset.
    let mut readers = vec![first];
    for _ in 1..threads {
        readers.push(open(path)?);
    }

    let context = Context {
        path,
        plan,
        columns: &columns,
        starts: &starts,
    };
    let next = AtomicUsize::new(0);
    let earliest_problem = AtomicUsize::new(usize::MAX);
    let problems = Mutex::new(Vec::new());
    let (hash, talliers) = thread::scope(|s| {
        let hasher = s.spawn(|| crate::hash::sha256_file(path));
        let workers: Vec<_> = readers
            .into_iter()
            .map(|reader| {
                let (context, next, earliest_problem, problems) =
                    (&context, &next, &earliest_problem, &problems);
                s.spawn(move || {
                    let mut tallier = Tallier::new(plan);
                    loop {
                        let g = next.fetch_add(1, Ordering::Relaxed);
                        // Groups after one with a problem need not be read: it is reported.
                        if g >= groups || g > earliest_problem.load(Ordering::Relaxed) {
                            break;
                        }
                        if let Err(problem) = read_group(context, &reader, g, &mut tallier) {
                            earliest_problem.fetch_min(g, Ordering::Relaxed);
                            problems
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push((g, problem));
                            break;
                        }
                    }
                    tallier
                })
            })
            .collect();
        let talliers: Vec<Tallier<'_>> = workers
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        (hasher.join(), talliers)
    });
    let mut problems = problems.into_inner().unwrap_or_else(|e| e.into_inner());
    problems.sort_by_key(|(g, _)| *g);
    if let Some((_, problem)) = problems.into_iter().next() {
        let error = match problem {
            Problem::Row(fault) => {
                let line = fault.offset as usize + 1;
                fault_error_at(path, &plan.header, Some(&plan.outcomes), fault, line)
            }
            Problem::Error(error) => error,
        };
        return Err(with_row_group(error, path, &starts));
    }
    let mut talliers = talliers.into_iter();
    let mut sums = talliers.next().expect("at least one reader");
    sums.seal();
    for tallier in talliers {
        sums.merge(tallier);
    }
    let sha256 = hash.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    plan.finish(audit, relative, sums, sha256)
        .map_err(|e| with_row_group(e, path, &starts))
}

/// Open through [`GuardedFile`], which checks each page header's declared sizes before the crate
/// allocates for them (`parquet_guard`).
fn open(path: &Path) -> Result<SerializedFileReader<GuardedFile>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut guarded = GuardedFile::new(file).map_err(|e| Error::io(path, e))?;
    // The footer says which codecs the pages use: gzip and LZ4 frames get a bound on compressed
    // pages too. Reading the footer once more is cheap (it is at most a few KiB per row group).
    let probe =
        SerializedFileReader::new(guarded.try_clone_file().map_err(|e| Error::io(path, e))?)
            .map_err(|e| parquet_error(path, e))?;
    guarded.stream_codecs = probe.metadata().row_groups().iter().any(|g| {
        g.columns().iter().any(|c| {
            matches!(
                c.compression(),
                parquet::basic::Compression::GZIP(_) | parquet::basic::Compression::LZ4
            )
        })
    });
    SerializedFileReader::new(guarded).map_err(|e| parquet_error(path, e))
}

/// What every reader thread shares.
struct Context<'a> {
    path: &'a Path,
    plan: &'a RowPlan,
    columns: &'a Columns,
    starts: &'a [u64],
}

/// Why a row group stopped early.
enum Problem {
    /// A row's value, reported like the same value in a CSV file.
    Row(Fault),
    /// The file itself (a broken page, an unreadable value), already located.
    Error(Error),
}

/// Name the row group of the row an error points at (rows are numbered from 1 in the file).
fn with_row_group(error: Error, path: &Path, starts: &[u64]) -> Error {
    let note = |mut e: InputError| {
        if e.location.file == path
            && let Some(line) = e.location.line.filter(|&l| l >= 1)
        {
            let row = line as u64 - 1;
            let group = starts.partition_point(|&s| s <= row).saturating_sub(1);
            if group + 1 < starts.len() {
                e.message.push_str(&format!(
                    " (row {} of row group {group})",
                    row - starts[group] + 1
                ));
            }
        }
        e
    };
    match error {
        Error::Input(e) => Error::Input(Box::new(note(*e))),
        Error::Inputs(errors) => Error::Inputs(errors.into_iter().map(note).collect()),
        other => other,
    }
}

/// A mapped column: its position in the header and its leaf in the Parquet schema.
#[derive(Debug, Clone, Copy)]
struct Leaf {
    header: usize,
    leaf: usize,
}

/// The leaves read, by role (a column may play two roles; it is then read twice).
#[derive(Debug)]
struct Columns {
    sex: Option<Leaf>,
    race: Option<Leaf>,
    selected: Option<Leaf>,
    score: Option<Leaf>,
    label: Option<Leaf>,
    strata: Vec<Leaf>,
}

impl Columns {
    fn resolve(plan: &RowPlan, schema: &SchemaDescriptor, path: &Path) -> Result<Columns> {
        let leaf = |header: Option<usize>| -> Result<Option<Leaf>> {
            let Some(header) = header else {
                return Ok(None);
            };
            let field = &schema.root_schema().get_fields()[header];
            let leaf = (0..schema.num_columns()).find(|&l| schema.get_column_root_idx(l) == header);
            match leaf {
                Some(leaf) if !field.is_group() && schema.column(leaf).max_rep_level() == 0 => {
                    Ok(Some(Leaf { header, leaf }))
                }
                _ => Err(InputError::new(
                    Location::file(path).with_field(field.name()),
                    format!(
                        "column `{}` is nested (a struct, list or map)",
                        field.name()
                    ),
                )
                .with_help(
                    "fairfile reads flat columns: select or flatten the column when writing the file",
                )
                .into()),
            }
        };
        Ok(Columns {
            sex: leaf(plan.sex.as_ref().map(|c| c.index))?,
            race: leaf(plan.race.as_ref().map(|c| c.index))?,
            selected: leaf(plan.selected)?,
            score: leaf(plan.score)?,
            label: leaf(plan.label)?,
            strata: plan
                .strata
                .iter()
                .map(|&c| leaf(Some(c)).map(|l| l.expect("a header index")))
                .collect::<Result<_>>()?,
        })
    }
}

/// What a keyed column is read for (the order in which a row's fields are checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Sex,
    Race,
    Selected,
    Label,
    /// The k-th `[data.columns] stratum` column.
    Stratum(usize),
}

/// Read one row group into `tallier`, batch by batch.
fn read_group(
    cx: &Context<'_>,
    reader: &SerializedFileReader<GuardedFile>,
    g: usize,
    tallier: &mut Tallier<'_>,
) -> std::result::Result<(), Problem> {
    let broken = |e: ParquetError| {
        let mut error = parquet_error(cx.path, e);
        if let Error::Input(e) = &mut error {
            e.message = format!("row group {g}: {}", e.message);
        }
        Problem::Error(error)
    };
    let group = reader.get_row_group(g).map_err(broken)?;
    let group = group.as_ref();
    let rows = cx.starts[g + 1] - cx.starts[g];
    let key = |leaf: Option<Leaf>, role| {
        leaf.map(|leaf| KeyColumn::open(group, leaf, role))
            .transpose()
    };
    let mut sex = key(cx.columns.sex, Role::Sex).map_err(broken)?;
    let mut race = key(cx.columns.race, Role::Race).map_err(broken)?;
    let mut selected = key(cx.columns.selected, Role::Selected).map_err(broken)?;
    let mut label = key(cx.columns.label, Role::Label).map_err(broken)?;
    let mut strata: Vec<KeyColumn> = cx
        .columns
        .strata
        .iter()
        .enumerate()
        .map(|(k, &leaf)| KeyColumn::open(group, leaf, Role::Stratum(k)))
        .collect::<parquet::errors::Result<_>>()
        .map_err(broken)?;
    let mut score = cx
        .columns
        .score
        .map(|leaf| ScoreColumn::open(group, leaf))
        .transpose()
        .map_err(broken)?;
    let zeros = vec![0u32; BATCH_ROWS];
    let mut done = 0u64;
    loop {
        // Decode the next batch of every column; they must stay in step.
        let mut n = None;
        let mut step = |read: usize| match n {
            None => {
                n = Some(read);
                Ok(())
            }
            Some(m) if m == read => Ok(()),
            Some(m) => Err(ParquetError::General(format!(
                "columns of different lengths ({m} and {read} rows)"
            ))),
        };
        for column in [&mut sex, &mut race, &mut selected, &mut label]
            .into_iter()
            .flatten()
            .chain(strata.iter_mut())
        {
            step(
                column
                    .stream
                    .read(BATCH_ROWS, &mut column.batch)
                    .map_err(broken)?,
            )
            .map_err(broken)?;
        }
        if let Some(column) = &mut score {
            step(
                column
                    .stream
                    .read(BATCH_ROWS, &mut column.batch)
                    .map_err(broken)?,
            )
            .map_err(broken)?;
        }
        // No column read at all cannot happen (selection reads `selected` or the score;
        // scoring the score), but the row count still comes from the metadata then.
        let n = n.unwrap_or_else(|| (rows - done).min(BATCH_ROWS as u64) as usize);
        if n == 0 {
            break;
        }
        let first_row = cx.starts[g] + done;

        // Values to codes and scores, stopping at the first problem in row order (fields in the
        // order the CSV reader checks them: sex, race, selected, score, label).
        let mut limit = n;
        let mut problem = None;
        for (column, table) in [
            (&mut sex, &mut tallier.sex),
            (&mut race, &mut tallier.race),
            (&mut selected, &mut tallier.selected),
        ] {
            if let Some(column) = column
                && let Some(p) = column.codes(cx, table, first_row, &mut limit)
            {
                problem = Some(p);
            }
        }
        if let Some(column) = &mut score
            && let Some(p) = column.scores(cx, first_row, &mut limit)
        {
            problem = Some(p);
        }
        if let Some(column) = &mut label
            && let Some(p) = column.codes(cx, &mut tallier.label, first_row, &mut limit)
        {
            problem = Some(p);
        }
        if let Some(counter) = &mut tallier.strata {
            for (column, table) in strata.iter_mut().zip(&mut counter.tables) {
                if let Some(p) = column.codes(cx, table, first_row, &mut limit) {
                    problem = Some(p);
                }
            }
        }
        if let Some(problem) = problem {
            return Err(problem);
        }

        fn codes<'a>(column: &'a Option<KeyColumn>, zeros: &'a [u32], n: usize) -> &'a [u32] {
            match column {
                Some(c) => &c.keys[..n],
                None => &zeros[..n],
            }
        }
        let (sex, race, selected, label) = (
            codes(&sex, &zeros, n),
            codes(&race, &zeros, n),
            codes(&selected, &zeros, n),
            codes(&label, &zeros, n),
        );
        let scores = score.as_ref().map(|c| &c.values[..n]);
        let stratum_codes: Vec<&[u32]> = strata.iter().map(|c| &c.keys[..n]).collect();
        count(
            cx.plan,
            tallier,
            first_row,
            sex,
            race,
            selected,
            label,
            scores,
            &stratum_codes,
        )
        .map_err(Problem::Row)?;
        done += n as u64;
    }
    if done != rows {
        return Err(broken(ParquetError::General(format!(
            "the row group declares {rows} rows but its columns hold {done}"
        ))));
    }
    for (column, table) in [
        (sex, &mut tallier.sex),
        (race, &mut tallier.race),
        (selected, &mut tallier.selected),
        (label, &mut tallier.label),
    ] {
        if let Some(column) = column {
            column.flush(table);
        }
    }
    if let Some(counter) = &mut tallier.strata {
        for (column, table) in strata.into_iter().zip(&mut counter.tables) {
            column.flush(table);
        }
    }
    Ok(())
}

/// Add a batch of rows, given as codes (a slot per axis, 0/1 decisions, a code per stratum
/// column), to the counts: what [`Tallier::row`] does for a CSV row once its fields are read.
#[allow(clippy::too_many_arguments)]
fn count(
    plan: &RowPlan,
    tallier: &mut Tallier<'_>,
    first_row: u64,
    sex: &[u32],
    race: &[u32],
    selected: &[u32],
    label: &[u32],
    scores: Option<&[f64]>,
    strata: &[&[u32]],
) -> std::result::Result<(), Fault> {
    let n = sex.len();
    for i in 0..n {
        let index = sex[i] as usize * plan.race_slots + race[i] as usize;
        let selected = selected[i] == 1;
        let score = scores.map_or(0.0, |s| s[i]);
        let positive_label = label[i] == 1;
        let stratum = match &mut tallier.strata {
            Some(counter) => {
                let mut key = [0u32; crate::limits::MAX_STRATUM_COLUMNS];
                for (k, codes) in strata.iter().enumerate() {
                    key[k] = codes[i];
                }
                Some(counter.stratum(key, first_row + i as u64)?)
            }
            None => None,
        };
        count_row(
            plan,
            &mut tallier.cells[index],
            selected,
            score,
            positive_label,
        );
        match plan.outcome {
            Outcome::Selection => {
                if let Some(buckets) = &mut tallier.buckets {
                    buckets.add(index, score);
                }
            }
            Outcome::Scoring => tallier.scores.add(index, score),
        }
        if let (Some(counter), Some(s)) = (&mut tallier.strata, stratum) {
            count_row(
                plan,
                counter.cell_mut(s, index),
                selected,
                score,
                positive_label,
            );
        }
        tallier.rows += 1;
    }
    Ok(())
}

/// Marks a slot whose value has not been matched yet.
const UNSEEN: u32 = u32::MAX;

/// One distinct value of a column chunk: its entry in the reader's [`ValueTable`], its code,
/// and the rows holding it so far.
#[derive(Debug, Clone, Copy)]
struct Slot {
    entry: u32,
    code: u32,
    count: u64,
}

const UNSEEN_SLOT: Slot = Slot {
    entry: UNSEEN,
    code: 0,
    count: 0,
};

/// A sex, race, selected or label column of one row group.
///
/// Values are numbered per column chunk: slot 0 is null, slots `1..=d` the dictionary's entries,
/// then the distinct plain-encoded values in order of appearance. Each slot is matched once, at
/// its first row, then rows are counted by slot.
struct KeyColumn {
    role: Role,
    header: usize,
    physical: Physical,
    render: Render,
    stream: ColumnStream,
    batch: Batch,
    slots: Vec<Slot>,
    /// Plain-encoded values seen, by slot (after the dictionary's).
    plain: Vec<Box<[u8]>>,
    interned: HashMap<Box<[u8]>, u32>,
    /// Per row of the batch: its slot, then its code.
    keys: Vec<u32>,
}

impl KeyColumn {
    fn open(group: &dyn RowGroupReader, leaf: Leaf, role: Role) -> parquet::errors::Result<Self> {
        let stream = ColumnStream::open(group, leaf.leaf)?;
        let descr = group.metadata().column(leaf.leaf).column_descr_ptr();
        Ok(KeyColumn {
            role,
            header: leaf.header,
            physical: descr.physical_type(),
            render: Render::of(&descr),
            stream,
            batch: Batch::default(),
            slots: vec![UNSEEN_SLOT],
            plain: Vec::new(),
            interned: HashMap::new(),
            keys: Vec::with_capacity(BATCH_ROWS),
        })
    }

    /// Turn the batch's rows before `*limit` into codes, counting each. At a row whose value is a
    /// problem (an outcome in neither list, bytes that are not UTF-8…), stop, lower `*limit` to it
    /// and return the problem.
    fn codes(
        &mut self,
        cx: &Context<'_>,
        table: &mut ValueTable,
        first_row: u64,
        limit: &mut usize,
    ) -> Option<Problem> {
        let dictionary = self.stream.dictionary_len();
        if self.slots.len() < dictionary + 1 {
            // The dictionary page comes first in a column chunk: no plain value has a slot yet.
            debug_assert!(self.plain.is_empty());
            self.slots.resize(dictionary + 1, UNSEEN_SLOT);
        }
        self.keys.clear();
        for &id in &self.batch.ids {
            let slot = if id & PLAIN == 0 {
                id
            } else {
                let bytes = self.batch.plain(id);
                match self.interned.get(bytes) {
                    Some(&slot) => slot,
                    None => {
                        let slot = self.slots.len() as u32;
                        self.slots.push(UNSEEN_SLOT);
                        self.plain.push(bytes.into());
                        self.interned.insert(bytes.into(), slot);
                        slot
                    }
                }
            };
            self.keys.push(slot);
        }
        for i in 0..(*limit).min(self.keys.len()) {
            let s = self.keys[i] as usize;
            if self.slots[s].entry == UNSEEN
                && let Err(problem) = self.first_sight(cx, table, s, first_row + i as u64)
            {
                *limit = i;
                return Some(problem);
            }
            let slot = &mut self.slots[s];
            slot.count += 1;
            self.keys[i] = slot.code;
        }
        None
    }

    /// Match slot `s`, first seen on `row`: its text, then the same rules as a CSV field.
    #[cold]
    fn first_sight(
        &mut self,
        cx: &Context<'_>,
        table: &mut ValueTable,
        s: usize,
        row: u64,
    ) -> std::result::Result<(), Problem> {
        let dictionary = self.stream.dictionary_len();
        let mut text = Vec::new();
        let value = match s {
            0 => None, // null: the empty string
            s if s <= dictionary => Some(self.stream.dictionary_value(s - 1)),
            s => Some(&*self.plain[s - 1 - dictionary]),
        };
        if let Some(value) = value {
            value_text(self.physical, self.render, value, &mut text)
                .map_err(|e| unreadable(cx, row, self.header, e))?;
        }
        let plan = cx.plan;
        let role = self.role;
        let next = table.len();
        let header = self.header;
        let entry = table
            .entry(&text, row, |bytes| {
                let text = std::str::from_utf8(bytes).map_err(|_| FaultKind::Utf8)?;
                Ok(match role {
                    Role::Sex | Role::Race => {
                        let column = if role == Role::Sex {
                            &plan.sex
                        } else {
                            &plan.race
                        };
                        let map = &column.as_ref().expect("a mapped axis").map;
                        let resolved = map.resolve_raw(text);
                        (map.slot(resolved) as u32, resolved == Resolved::Unmapped)
                    }
                    Role::Selected => match plan.outcomes.decide(text) {
                        Decision::NotSelected => (0, false),
                        Decision::Selected => (1, false),
                        Decision::Neither => return Err(FaultKind::Outcome(text.to_string())),
                    },
                    Role::Label => (u32::from(plan.outcomes.is_positive_label(text)), false),
                    Role::Stratum(_) => {
                        super::strata::new_code(next, row, header).map_err(|fault| fault.kind)?
                    }
                })
            })
            .map_err(|kind| {
                Problem::Row(Fault {
                    offset: row,
                    field: Some(self.header),
                    kind,
                })
            })?;
        self.slots[s] = Slot {
            entry: u32::try_from(entry).expect("fewer than 2^32 distinct values"),
            code: table.code(entry),
            count: 0,
        };
        Ok(())
    }

    /// Add the chunk's counts to the reader's table.
    fn flush(self, table: &mut ValueTable) {
        for slot in self
            .slots
            .iter()
            .filter(|s| s.entry != UNSEEN && s.count > 0)
        {
            table.add_count(slot.entry as usize, slot.count);
        }
    }
}

/// A value that cannot be read as text (a time of day, a malformed decimal), at its row.
fn unreadable(cx: &Context<'_>, row: u64, header: usize, message: String) -> Problem {
    Problem::Error(
        InputError::new(
            Location {
                file: cx.path.to_path_buf(),
                line: Some(row as usize + 1),
                column: Some(header + 1),
                field: cx.plan.header.get(header).cloned(),
            },
            message,
        )
        .with_help("fairfile reads text, numbers, booleans, decimals, dates and timestamps")
        .into(),
    )
}

/// The score column of one row group, decoded to numbers (`NaN` marks a row whose score is not a
/// finite number or is null; the row's problem is worked out again when it is reported).
struct ScoreColumn {
    header: usize,
    physical: Physical,
    render: Render,
    stream: ColumnStream,
    batch: Batch,
    /// The score of each dictionary entry.
    dictionary: Vec<f64>,
    values: Vec<f64>,
    text: Vec<u8>,
}

impl ScoreColumn {
    fn open(group: &dyn RowGroupReader, leaf: Leaf) -> parquet::errors::Result<Self> {
        let stream = ColumnStream::open(group, leaf.leaf)?;
        let descr = group.metadata().column(leaf.leaf).column_descr_ptr();
        Ok(ScoreColumn {
            header: leaf.header,
            physical: descr.physical_type(),
            render: Render::of(&descr),
            stream,
            batch: Batch::default(),
            dictionary: Vec::new(),
            values: Vec::with_capacity(BATCH_ROWS),
            text: Vec::new(),
        })
    }

    fn scores(&mut self, cx: &Context<'_>, first_row: u64, limit: &mut usize) -> Option<Problem> {
        let dictionary = self.stream.dictionary_len();
        if self.dictionary.len() < dictionary {
            for i in self.dictionary.len()..dictionary {
                let value = self.stream.dictionary_value(i);
                let score = value_score(self.physical, self.render, value, &mut self.text);
                self.dictionary.push(score.unwrap_or(f64::NAN));
            }
        }
        self.values.clear();
        for &id in &self.batch.ids {
            let score = match id {
                0 => f64::NAN,
                id if id & PLAIN == 0 => self.dictionary[id as usize - 1],
                id => value_score(
                    self.physical,
                    self.render,
                    self.batch.plain(id),
                    &mut self.text,
                )
                .unwrap_or(f64::NAN),
            };
            self.values.push(score);
        }
        let end = (*limit).min(self.values.len());
        let i = self.values[..end].iter().position(|v| v.is_nan())?;
        *limit = i;
        let row = first_row + i as u64;
        let id = self.batch.ids[i];
        let value = match id {
            0 => None,
            id if id & PLAIN == 0 => Some(self.stream.dictionary_value(id as usize - 1)),
            id => Some(self.batch.plain(id)),
        };
        let kind = match value.map(|v| value_score(self.physical, self.render, v, &mut self.text)) {
            None => FaultKind::Score(String::new()),
            Some(Err(Bad::Score(text))) => FaultKind::Score(text),
            Some(Err(Bad::Utf8)) => FaultKind::Utf8,
            Some(Err(Bad::Text(message))) => {
                return Some(unreadable(cx, row, self.header, message));
            }
            Some(Ok(_)) => unreachable!("a NaN score is an error"),
        };
        Some(Problem::Row(Fault {
            offset: row,
            field: Some(self.header),
            kind,
        }))
    }
}

/// Marks a batch id that indexes the batch's plain values (else it is a dictionary index + 1).
const PLAIN: u32 = 1 << 31;

/// One column's rows of a batch: per row, 0 for null, a dictionary index + 1, or [`PLAIN`] | the
/// index of a plain value whose bytes (as PLAIN-encoded: little-endian numbers, the bytes of a
/// string) are kept here.
#[derive(Debug, Default)]
struct Batch {
    ids: Vec<u32>,
    arena: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

impl Batch {
    fn clear(&mut self) {
        self.ids.clear();
        self.arena.clear();
        self.spans.clear();
    }

    fn push_plain(&mut self, bytes: &[u8]) {
        let start = self.arena.len();
        self.arena.extend_from_slice(bytes);
        self.ids.push(PLAIN | self.spans.len() as u32);
        self.spans.push((start, self.arena.len()));
    }

    fn plain(&self, id: u32) -> &[u8] {
        let (a, b) = self.spans[(id & !PLAIN) as usize];
        &self.arena[a..b]
    }
}

/// The rows of one column chunk, a batch at a time.
enum ColumnStream {
    /// Pages decoded here: PLAIN and dictionary encodings.
    Pages(Pages),
    /// Anything else, through the `parquet` crate's typed column reader.
    Typed(Typed),
}

impl ColumnStream {
    fn open(group: &dyn RowGroupReader, leaf: usize) -> parquet::errors::Result<ColumnStream> {
        let meta = group.metadata().column(leaf);
        let descr = meta.column_descr_ptr();
        let physical = descr.physical_type();
        let simple = physical != Physical::BOOLEAN
            && meta.encodings().all(|e| {
                matches!(
                    e,
                    Encoding::PLAIN
                        | Encoding::PLAIN_DICTIONARY
                        | Encoding::RLE_DICTIONARY
                        | Encoding::RLE
                )
            });
        Ok(if simple {
            ColumnStream::Pages(Pages {
                pages: group.get_column_page_reader(leaf)?,
                physical,
                type_length: usize::try_from(descr.type_length()).unwrap_or(0),
                max_def: descr.max_def_level(),
                dictionary: None,
                seen_data: false,
                left: 0,
                levels: None,
                values: PageValues::None,
                level_buf: Vec::new(),
                present: Batch::default(),
            })
        } else {
            ColumnStream::Typed(Typed::new(group.get_column_reader(leaf)?, &descr))
        })
    }

    /// Decode up to `rows` more rows into `batch`; returns how many (0 at the end of the chunk).
    fn read(&mut self, rows: usize, batch: &mut Batch) -> parquet::errors::Result<usize> {
        batch.clear();
        match self {
            ColumnStream::Pages(pages) => pages.read(rows, batch),
            ColumnStream::Typed(typed) => typed.read(rows, batch),
        }
    }

    fn dictionary_len(&self) -> usize {
        match self {
            ColumnStream::Pages(Pages {
                dictionary: Some(d),
                ..
            }) => d.spans.len(),
            _ => 0,
        }
    }

    fn dictionary_value(&self, i: usize) -> &[u8] {
        match self {
            ColumnStream::Pages(Pages {
                dictionary: Some(d),
                ..
            }) => {
                let (a, b) = d.spans[i];
                &d.data[a..b]
            }
            _ => unreachable!("dictionary indices come from a dictionary"),
        }
    }
}

/// A dictionary page's entries, as spans of the page.
struct Dictionary {
    data: Bytes,
    spans: Vec<(usize, usize)>,
}

/// A column chunk read page by page.
struct Pages {
    pages: Box<dyn PageReader>,
    physical: Physical,
    type_length: usize,
    max_def: i16,
    dictionary: Option<Dictionary>,
    seen_data: bool,
    /// Rows left in the current data page.
    left: usize,
    /// Definition levels of the current page (nullable columns).
    levels: Option<Hybrid>,
    values: PageValues,
    level_buf: Vec<u32>,
    /// A nullable page's non-null values, before nulls are put back between them.
    present: Batch,
}

/// The values of the current data page.
enum PageValues {
    None,
    Dictionary(Hybrid),
    Plain { data: Bytes, pos: usize },
}

impl Pages {
    fn read(&mut self, rows: usize, batch: &mut Batch) -> parquet::errors::Result<usize> {
        let mut done = 0;
        while done < rows {
            if self.left == 0 {
                if !self.next_page()? {
                    break;
                }
                continue;
            }
            let take = (rows - done).min(self.left);
            match &mut self.levels {
                None => self.read_values(take, batch)?,
                Some(levels) => {
                    self.level_buf.clear();
                    levels.read(take, &mut self.level_buf)?;
                    let max = self.max_def as u32;
                    let present = self.level_buf.iter().filter(|&&l| l == max).count();
                    let mut values = std::mem::take(&mut self.present);
                    values.clear();
                    self.read_values(present, &mut values)?;
                    let mut next = values.ids.iter();
                    for &level in &self.level_buf {
                        if level != max {
                            batch.ids.push(0);
                            continue;
                        }
                        let id = *next.next().expect("one value per present level");
                        if id & PLAIN == 0 {
                            batch.ids.push(id);
                        } else {
                            batch.push_plain(values.plain(id));
                        }
                    }
                    self.present = values;
                }
            }
            done += take;
            self.left -= take;
        }
        Ok(done)
    }

    /// Decode `n` non-null values of the current page.
    fn read_values(&mut self, n: usize, batch: &mut Batch) -> parquet::errors::Result<()> {
        match &mut self.values {
            PageValues::None => Err(general("a data page without values")),
            PageValues::Dictionary(indices) => {
                let size = self.dictionary.as_ref().map_or(0, |d| d.spans.len()) as u32;
                let start = batch.ids.len();
                indices.read(n, &mut batch.ids)?;
                let mut bad = false;
                for id in &mut batch.ids[start..] {
                    bad |= *id >= size;
                    *id += 1;
                }
                if bad {
                    return Err(general("a dictionary index past the dictionary's end"));
                }
                Ok(())
            }
            PageValues::Plain { data, pos } => {
                for _ in 0..n {
                    let (a, b) = plain_span(data, pos, self.physical, self.type_length)?;
                    batch.push_plain(&data[a..b]);
                }
                Ok(())
            }
        }
    }

    /// Move to the next data page (reading a dictionary page on the way); false at the end.
    fn next_page(&mut self) -> parquet::errors::Result<bool> {
        loop {
            let Some(page) = self.pages.get_next_page()? else {
                return Ok(false);
            };
            let width = level_width(self.max_def);
            match page {
                Page::DictionaryPage {
                    buf,
                    num_values,
                    encoding,
                    ..
                } => {
                    if self.dictionary.is_some() || self.seen_data {
                        return Err(general("a dictionary page after the first page"));
                    }
                    if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
                        return Err(general(&format!("a dictionary page encoded {encoding}")));
                    }
                    let mut spans = Vec::with_capacity(num_values as usize);
                    let mut pos = 0;
                    for _ in 0..num_values {
                        spans.push(plain_span(&buf, &mut pos, self.physical, self.type_length)?);
                    }
                    if spans.len() >= (PLAIN - 1) as usize {
                        return Err(general("a dictionary of more than 2^31 entries"));
                    }
                    self.dictionary = Some(Dictionary { data: buf, spans });
                }
                Page::DataPage {
                    buf,
                    num_values,
                    encoding,
                    def_level_encoding,
                    ..
                } => {
                    self.seen_data = true;
                    let mut pos = 0;
                    self.levels = None;
                    if self.max_def > 0 {
                        if def_level_encoding != Encoding::RLE {
                            return Err(general(&format!(
                                "definition levels encoded {def_level_encoding}"
                            )));
                        }
                        let len = buf
                            .get(..4)
                            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
                            .ok_or_else(|| general("a data page shorter than its levels"))?;
                        let end = 4usize
                            .checked_add(len)
                            .filter(|&end| end <= buf.len())
                            .ok_or_else(|| general("a data page shorter than its levels"))?;
                        self.levels = Some(Hybrid::new(buf.slice(4..end), width)?);
                        pos = end;
                    }
                    self.start_values(encoding, buf.slice(pos..))?;
                    self.left = num_values as usize;
                    return Ok(true);
                }
                Page::DataPageV2 {
                    buf,
                    num_values,
                    encoding,
                    def_levels_byte_len,
                    rep_levels_byte_len,
                    ..
                } => {
                    self.seen_data = true;
                    let reps = rep_levels_byte_len as usize;
                    let end = reps + def_levels_byte_len as usize;
                    if end > buf.len() {
                        return Err(general("a data page shorter than its levels"));
                    }
                    self.levels = None;
                    if self.max_def > 0 {
                        self.levels = Some(Hybrid::new(buf.slice(reps..end), width)?);
                    }
                    self.start_values(encoding, buf.slice(end..))?;
                    self.left = num_values as usize;
                    return Ok(true);
                }
            }
        }
    }

    fn start_values(&mut self, encoding: Encoding, data: Bytes) -> parquet::errors::Result<()> {
        self.values = match encoding {
            Encoding::PLAIN => PageValues::Plain { data, pos: 0 },
            Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY => {
                if self.dictionary.is_none() {
                    return Err(general(
                        "dictionary-encoded values without a dictionary page",
                    ));
                }
                // A page of nulls only may hold no index data at all.
                let width = data.first().copied().unwrap_or(0);
                let data = if data.is_empty() {
                    data
                } else {
                    data.slice(1..)
                };
                PageValues::Dictionary(Hybrid::new(data, width)?)
            }
            other => return Err(general(&format!("values encoded {other}"))),
        };
        Ok(())
    }
}

fn general(message: &str) -> ParquetError {
    ParquetError::General(message.to_string())
}

/// Bits per definition level.
fn level_width(max: i16) -> u8 {
    (16 - (max as u16).leading_zeros()) as u8
}

/// The next PLAIN-encoded value of `data` at `*pos`, as a span, moving `*pos` past it.
fn plain_span(
    data: &[u8],
    pos: &mut usize,
    physical: Physical,
    type_length: usize,
) -> parquet::errors::Result<(usize, usize)> {
    let (start, len) = match physical {
        Physical::BYTE_ARRAY => {
            let len = data
                .get(*pos..*pos + 4)
                .ok_or_else(|| general("a page that ends inside a value"))?;
            (
                *pos + 4,
                u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize,
            )
        }
        Physical::FIXED_LEN_BYTE_ARRAY => (*pos, type_length),
        Physical::INT32 | Physical::FLOAT => (*pos, 4),
        Physical::INT64 | Physical::DOUBLE => (*pos, 8),
        Physical::INT96 => (*pos, 12),
        Physical::BOOLEAN => return Err(general("PLAIN booleans are read by the typed reader")),
    };
    let end = start
        .checked_add(len)
        .filter(|&end| end <= data.len())
        .ok_or_else(|| general("a page that ends inside a value"))?;
    *pos = end;
    Ok((start, end))
}

/// The RLE / bit-packing hybrid of the Parquet format (definition levels and dictionary
/// indices): runs of one repeated value, and groups of 8 values packed `width` bits each, least
/// significant bit first.
struct Hybrid {
    data: Bytes,
    pos: usize,
    width: usize,
    mask: u64,
    repeat_left: usize,
    repeat_value: u32,
    packed_left: usize,
    /// Bit offset in `data` of the next packed value.
    bit: usize,
}

impl Hybrid {
    fn new(data: Bytes, width: u8) -> parquet::errors::Result<Hybrid> {
        if width > 32 {
            return Err(general(&format!("a bit width of {width}")));
        }
        Ok(Hybrid {
            data,
            pos: 0,
            width: usize::from(width),
            mask: (1u64 << width) - 1,
            repeat_left: 0,
            repeat_value: 0,
            packed_left: 0,
            bit: 0,
        })
    }

    /// Append the next `n` values to `out`.
    fn read(&mut self, n: usize, out: &mut Vec<u32>) -> parquet::errors::Result<()> {
        let mut left = n;
        out.reserve(n);
        while left > 0 {
            if self.repeat_left > 0 {
                let k = left.min(self.repeat_left);
                out.extend(std::iter::repeat_n(self.repeat_value, k));
                self.repeat_left -= k;
                left -= k;
            } else if self.packed_left > 0 {
                let k = left.min(self.packed_left);
                self.unpack(k, out)?;
                self.packed_left -= k;
                left -= k;
            } else {
                self.next_run()?;
            }
        }
        Ok(())
    }

    fn next_run(&mut self) -> parquet::errors::Result<()> {
        let header = self.varint()?;
        if header & 1 == 1 {
            let values = (header >> 1) as usize * 8;
            self.packed_left = values;
            self.bit = self.pos * 8;
            // A final group may be cut short: only values actually read must be present.
            self.pos = (self.pos + values / 8 * self.width).min(self.data.len());
        } else {
            let bytes = self.width.div_ceil(8);
            let value = self
                .data
                .get(self.pos..self.pos + bytes)
                .ok_or_else(|| general("RLE data that ends inside a run"))?;
            let mut word = [0u8; 4];
            word[..bytes].copy_from_slice(value);
            self.repeat_value = u32::from_le_bytes(word);
            self.repeat_left = (header >> 1) as usize;
            self.pos += bytes;
        }
        Ok(())
    }

    fn varint(&mut self) -> parquet::errors::Result<u64> {
        let mut value = 0u64;
        for shift in (0..35).step_by(7) {
            let byte = *self
                .data
                .get(self.pos)
                .ok_or_else(|| general("RLE data that ends early"))?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(general("an RLE run header longer than 5 bytes"))
    }

    #[inline]
    fn unpack(&mut self, k: usize, out: &mut Vec<u32>) -> parquet::errors::Result<()> {
        let data = &self.data[..];
        let end = self.bit + k * self.width;
        if end.div_ceil(8) > data.len() {
            return Err(general("RLE data that ends inside a bit-packed run"));
        }
        let mut bit = self.bit;
        for _ in 0..k {
            let byte = bit >> 3;
            let word = match data.get(byte..byte + 8) {
                Some(word) => u64::from_le_bytes(word.try_into().expect("8 bytes")),
                None => {
                    let mut word = [0u8; 8];
                    let tail = &data[byte.min(data.len())..];
                    word[..tail.len()].copy_from_slice(tail);
                    u64::from_le_bytes(word)
                }
            };
            out.push(((word >> (bit & 7)) & self.mask) as u32);
            bit += self.width;
        }
        self.bit = bit;
        Ok(())
    }
}

/// A column chunk read through the `parquet` crate's typed reader (booleans, and encodings not
/// decoded here), its values handed over as PLAIN bytes.
struct Typed {
    reader: ColumnReader,
    max_def: i16,
    defs: Vec<i16>,
    values: TypedValues,
}

/// The values of one physical type, as the column reader fills them.
enum TypedValues {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    I96(Vec<Int96>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Bytes(Vec<ByteArray>),
    Fixed(Vec<FixedLenByteArray>),
}

impl Typed {
    fn new(reader: ColumnReader, descr: &ColumnDescriptor) -> Typed {
        let values = match &reader {
            ColumnReader::BoolColumnReader(_) => TypedValues::Bool(Vec::new()),
            ColumnReader::Int32ColumnReader(_) => TypedValues::I32(Vec::new()),
            ColumnReader::Int64ColumnReader(_) => TypedValues::I64(Vec::new()),
            ColumnReader::Int96ColumnReader(_) => TypedValues::I96(Vec::new()),
            ColumnReader::FloatColumnReader(_) => TypedValues::F32(Vec::new()),
            ColumnReader::DoubleColumnReader(_) => TypedValues::F64(Vec::new()),
            ColumnReader::ByteArrayColumnReader(_) => TypedValues::Bytes(Vec::new()),
            ColumnReader::FixedLenByteArrayColumnReader(_) => TypedValues::Fixed(Vec::new()),
        };
        Typed {
            reader,
            max_def: descr.max_def_level(),
            defs: Vec::new(),
            values,
        }
    }

    fn read(&mut self, rows: usize, batch: &mut Batch) -> parquet::errors::Result<usize> {
        self.defs.clear();
        let track_defs = self.max_def > 0;
        // `read_records` reads across pages; it is called until the batch is full or the chunk
        // ends, so that every column stays in step.
        macro_rules! read {
            ($reader:expr, $values:expr, $bytes:expr) => {{
                $values.clear();
                let mut total = 0;
                while total < rows {
                    let defs = if track_defs {
                        Some(&mut self.defs)
                    } else {
                        None
                    };
                    let (records, _, _) =
                        $reader.read_records(rows - total, defs, None, $values)?;
                    if records == 0 {
                        break;
                    }
                    total += records;
                }
                let mut values = $values.iter();
                for row in 0..total {
                    if track_defs && self.defs[row] < self.max_def {
                        batch.ids.push(0);
                    } else {
                        let value = values.next().expect("one value per defined row");
                        batch.push_plain($bytes(value).as_ref());
                    }
                }
                total
            }};
        }
        Ok(match (&mut self.reader, &mut self.values) {
            (ColumnReader::BoolColumnReader(r), TypedValues::Bool(v)) => {
                read!(r, v, |b: &bool| [u8::from(*b)])
            }
            (ColumnReader::Int32ColumnReader(r), TypedValues::I32(v)) => {
                read!(r, v, |x: &i32| x.to_le_bytes())
            }
            (ColumnReader::Int64ColumnReader(r), TypedValues::I64(v)) => {
                read!(r, v, |x: &i64| x.to_le_bytes())
            }
            (ColumnReader::Int96ColumnReader(r), TypedValues::I96(v)) => {
                read!(r, v, |x: &Int96| {
                    let mut bytes = [0u8; 12];
                    for (chunk, word) in bytes.chunks_mut(4).zip(x.data()) {
                        chunk.copy_from_slice(&word.to_le_bytes());
                    }
                    bytes
                })
            }
            (ColumnReader::FloatColumnReader(r), TypedValues::F32(v)) => {
                read!(r, v, |x: &f32| x.to_le_bytes())
            }
            (ColumnReader::DoubleColumnReader(r), TypedValues::F64(v)) => {
                read!(r, v, |x: &f64| x.to_le_bytes())
            }
            (ColumnReader::ByteArrayColumnReader(r), TypedValues::Bytes(v)) => {
                read!(r, v, |x: &ByteArray| x.data().to_vec())
            }
            (ColumnReader::FixedLenByteArrayColumnReader(r), TypedValues::Fixed(v)) => {
                read!(r, v, |x: &FixedLenByteArray| x.data().to_vec())
            }
            _ => unreachable!("the value buffer is made for its reader"),
        })
    }
}

/// How a Parquet column's physical values read as text (from its logical or converted type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Render {
    Plain,
    /// An unsigned integer stored in a signed physical type.
    Unsigned,
    Decimal(i32),
    /// Days since 1970-01-01.
    Date,
    /// Units since 1970-01-01T00:00:00 (per second).
    Timestamp(i64),
    Float16,
    Time,
}

impl Render {
    fn of(descr: &ColumnDescriptor) -> Render {
        match descr.logical_type_ref() {
            Some(LogicalType::Decimal(decimal)) => Render::Decimal(decimal.scale),
            Some(LogicalType::Date) => Render::Date,
            Some(LogicalType::Timestamp(timestamp)) => Render::Timestamp(match timestamp.unit {
                TimeUnit::MILLIS => 1_000,
                TimeUnit::MICROS => 1_000_000,
                _ => 1_000_000_000,
            }),
            Some(LogicalType::Time { .. }) => Render::Time,
            Some(LogicalType::Integer(integer)) if !integer.is_signed => Render::Unsigned,
            Some(LogicalType::Float16) => Render::Float16,
            _ => match descr.converted_type() {
                ConvertedType::DECIMAL => Render::Decimal(descr.type_scale()),
                ConvertedType::DATE => Render::Date,
                ConvertedType::TIMESTAMP_MILLIS => Render::Timestamp(1_000),
                ConvertedType::TIMESTAMP_MICROS => Render::Timestamp(1_000_000),
                ConvertedType::TIME_MILLIS | ConvertedType::TIME_MICROS => Render::Time,
                ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
                | ConvertedType::UINT_64 => Render::Unsigned,
                _ => Render::Plain,
            },
        }
    }
}

/// Append the text a CSV export holds for a value given as its PLAIN bytes (see
/// `docs/inputs.md`): strings as they are, integers in decimal, booleans `true`/`false`, floating
/// point in the shortest round-trip form without a trailing `.0`, decimals with their scale,
/// dates `YYYY-MM-DD`, timestamps `YYYY-MM-DDTHH:MM:SS[.fff]` (no time zone applied).
fn value_text(
    physical: Physical,
    render: Render,
    bytes: &[u8],
    out: &mut Vec<u8>,
) -> std::result::Result<(), String> {
    use std::io::Write as _;
    if render == Render::Time {
        return Err("time-of-day value".to_string());
    }
    let fixed = |n: usize| -> std::result::Result<&[u8], String> {
        bytes
            .get(..n)
            .ok_or_else(|| format!("a {physical} value of {} bytes", bytes.len()))
    };
    let mut write = |args: std::fmt::Arguments| {
        out.write_fmt(args).expect("writing to a Vec cannot fail");
    };
    match physical {
        Physical::BOOLEAN => write(format_args!("{}", fixed(1)?[0] != 0)),
        Physical::INT32 => {
            let v = i32::from_le_bytes(fixed(4)?.try_into().expect("4 bytes"));
            match render {
                Render::Unsigned => write(format_args!("{}", v as u32)),
                Render::Decimal(scale) => {
                    write(format_args!("{}", decimal_text(&v.to_be_bytes(), scale)?))
                }
                Render::Date => write(format_args!("{}", date_text(i64::from(v))?)),
                _ => write(format_args!("{v}")),
            }
        }
        Physical::INT64 => {
            let v = i64::from_le_bytes(fixed(8)?.try_into().expect("8 bytes"));
            match render {
                Render::Unsigned => write(format_args!("{}", v as u64)),
                Render::Decimal(scale) => {
                    write(format_args!("{}", decimal_text(&v.to_be_bytes(), scale)?))
                }
                Render::Timestamp(per_second) => {
                    write(format_args!("{}", timestamp_text(v, per_second)?))
                }
                _ => write(format_args!("{v}")),
            }
        }
        Physical::INT96 => {
            let b = fixed(12)?;
            let word = |i: usize| u32::from_le_bytes(b[i * 4..i * 4 + 4].try_into().expect("4"));
            let mut v = Int96::new();
            v.set_data(word(0), word(1), word(2));
            write(format_args!(
                "{}",
                timestamp_text(v.to_nanos(), 1_000_000_000)?
            ))
        }
        Physical::FLOAT => {
            let v = f32::from_le_bytes(fixed(4)?.try_into().expect("4 bytes"));
            write(format_args!("{}", float_text_f32(v)))
        }
        Physical::DOUBLE => {
            let v = f64::from_le_bytes(fixed(8)?.try_into().expect("8 bytes"));
            write(format_args!("{}", float_text(v)))
        }
        Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY => match render {
            Render::Decimal(scale) => write(format_args!("{}", decimal_text(bytes, scale)?)),
            Render::Float16 if physical == Physical::FIXED_LEN_BYTE_ARRAY => {
                let bits: [u8; 2] = bytes
                    .try_into()
                    .map_err(|_| "FLOAT16 value that is not 2 bytes")?;
                write(format_args!(
                    "{}",
                    float_text(f16_to_f64(u16::from_le_bytes(bits)))
                ))
            }
            // Text as stored; the row processing rejects bytes that are not UTF-8, naming the row.
            _ => out.extend_from_slice(bytes),
        },
    }
    Ok(())
}

/// Why a value is not a score.
#[derive(Debug, PartialEq)]
enum Bad {
    /// Its text is not a finite number.
    Score(String),
    Utf8,
    /// It has no text (see [`value_text`]).
    Text(String),
}

/// A value's score: what the CSV reader parses from the value's text, exactly (`-0` is `0`).
/// Doubles and integers are converted directly, which gives the same number: the shortest
/// round-trip text of a double reads back as that double, and an integer's decimal text reads
/// as the nearest double, as `as f64` rounds.
fn value_score(
    physical: Physical,
    render: Render,
    bytes: &[u8],
    text: &mut Vec<u8>,
) -> std::result::Result<f64, Bad> {
    match (physical, render, bytes.len()) {
        (Physical::DOUBLE, Render::Plain, 8) => {
            let v = f64::from_le_bytes(bytes.try_into().expect("8 bytes"));
            if v.is_finite() {
                Ok(v + 0.0)
            } else {
                Err(Bad::Score(float_text(v)))
            }
        }
        (Physical::INT32, Render::Plain, 4) => Ok(f64::from(i32::from_le_bytes(
            bytes.try_into().expect("4 bytes"),
        ))),
        (Physical::INT64, Render::Plain, 8) => {
            Ok(i64::from_le_bytes(bytes.try_into().expect("8 bytes")) as f64)
        }
        _ => {
            text.clear();
            value_text(physical, render, bytes, text).map_err(Bad::Text)?;
            let trimmed = text.trim_ascii();
            if let Some(v) = crate::ingest::decimal::parse_plain(trimmed) {
                return Ok(v + 0.0);
            }
            let s = std::str::from_utf8(trimmed).map_err(|_| Bad::Utf8)?;
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v + 0.0),
                _ => Err(Bad::Score(s.to_string())),
            }
        }
    }
}

/// An `f32` printed at `f32` precision (`0.1f32` is `0.1`, not `0.10000000149011612`).
fn float_text_f32(v: f32) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v}")
    }
}

/// An IEEE 754 half-precision number, exactly.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f64::from(bits & 0x3ff);
    match exponent {
        0 => sign * fraction * 2f64.powi(-24),
        31 if fraction == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        e => sign * (1.0 + fraction / 1024.0) * 2f64.powi(e - 15),
    }
}

fn date_text(days: i64) -> std::result::Result<String, String> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let date = epoch
        .checked_add_signed(Duration::days(days))
        .ok_or("date out of range")?;
    Ok(date.format("%Y-%m-%d").to_string())
}

/// An unscaled big-endian two's-complement integer with `scale` decimals, as `-12.50`.
fn decimal_text(bytes: &[u8], scale: i32) -> std::result::Result<String, String> {
    if bytes.is_empty() || bytes.len() > 16 {
        return Err(format!("decimal of {} bytes", bytes.len()));
    }
    let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut full = [fill; 16];
    full[16 - bytes.len()..].copy_from_slice(bytes);
    let value = i128::from_be_bytes(full);
    let digits = value.unsigned_abs().to_string();
    let sign = if value < 0 { "-" } else { "" };
    Ok(match usize::try_from(scale) {
        Ok(0) => format!("{sign}{digits}"),
        Ok(scale) => {
            let padded = format!("{digits:0>width$}", width = scale + 1);
            let (int, frac) = padded.split_at(padded.len() - scale);
            format!("{sign}{int}.{frac}")
        }
        // A negative scale multiplies by a power of ten.
        Err(_) => format!(
            "{sign}{digits}{}",
            "0".repeat(scale.unsigned_abs() as usize)
        ),
    })
}

fn timestamp_text(value: i64, per_second: i64) -> std::result::Result<String, String> {
    let seconds = value.div_euclid(per_second);
    let fraction = value.rem_euclid(per_second);
    let nanos = u32::try_from(fraction * (1_000_000_000 / per_second)).expect("below one second");
    let time = chrono::DateTime::from_timestamp(seconds, nanos).ok_or("timestamp out of range")?;
    Ok(time.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(decimal_text(&150i32.to_be_bytes(), 2).unwrap(), "1.50");
        assert_eq!(decimal_text(&(-5i64).to_be_bytes(), 2).unwrap(), "-0.05");
        assert_eq!(decimal_text(&[0x01, 0x00], 0).unwrap(), "256");
        assert_eq!(decimal_text(&[0xff], 1).unwrap(), "-0.1");
        assert_eq!(decimal_text(&7i32.to_be_bytes(), -2).unwrap(), "700");
    }

    #[test]
    fn half_precision_and_dates() {
        assert_eq!(f16_to_f64(0x3c00), 1.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
        assert!(f16_to_f64(0x7e00).is_nan());
        assert_eq!(date_text(19_723).unwrap(), "2024-01-01");
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            timestamp_text(1_500, 1_000).unwrap(),
            "1970-01-01T00:00:01.500"
        );
        assert_eq!(
            timestamp_text(-1, 1_000_000).unwrap(),
            "1969-12-31T23:59:59.999999"
        );
    }

    fn text(physical: Physical, render: Render, bytes: &[u8]) -> String {
        let mut out = Vec::new();
        value_text(physical, render, bytes, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_read_as_their_csv_text() {
        use Physical as P;
        assert_eq!(text(P::INT32, Render::Plain, &(-7i32).to_le_bytes()), "-7");
        assert_eq!(
            text(P::INT32, Render::Unsigned, &(-1i32).to_le_bytes()),
            "4294967295"
        );
        assert_eq!(
            text(P::INT32, Render::Decimal(2), &150i32.to_le_bytes()),
            "1.50"
        );
        assert_eq!(
            text(P::INT32, Render::Date, &19_723i32.to_le_bytes()),
            "2024-01-01"
        );
        assert_eq!(
            text(P::INT64, Render::Timestamp(1_000), &1_500i64.to_le_bytes()),
            "1970-01-01T00:00:01.500"
        );
        assert_eq!(text(P::DOUBLE, Render::Plain, &1.0f64.to_le_bytes()), "1");
        assert_eq!(
            text(P::DOUBLE, Render::Plain, &(-0.0f64).to_le_bytes()),
            "0"
        );
        assert_eq!(text(P::FLOAT, Render::Plain, &0.1f32.to_le_bytes()), "0.1");
        assert_eq!(text(P::BOOLEAN, Render::Plain, &[1]), "true");
        assert_eq!(text(P::BYTE_ARRAY, Render::Plain, b" M "), " M ");
        assert_eq!(text(P::BYTE_ARRAY, Render::Decimal(1), &[0xff]), "-0.1");
        assert_eq!(
            text(
                P::FIXED_LEN_BYTE_ARRAY,
                Render::Float16,
                &0x3c00u16.to_le_bytes()
            ),
            "1"
        );
        let mut out = Vec::new();
        assert_eq!(
            value_text(P::INT64, Render::Time, &0i64.to_le_bytes(), &mut out),
            Err("time-of-day value".to_string())
        );
    }

    /// The direct conversions give what parsing the value's text gives, bit for bit.
    #[test]
    fn scores_equal_the_parsed_text() {
        let mut scratch = Vec::new();
        let via_text = |physical, bytes: &[u8]| {
            let mut out = Vec::new();
            value_text(physical, Render::Plain, bytes, &mut out).unwrap();
            std::str::from_utf8(&out).unwrap().parse::<f64>().unwrap() + 0.0
        };
        for v in [0.1, -0.0, 71.2, 1e300, 5e-324, 123_456_789.123_456_79, -2.5] {
            let bytes = f64::to_le_bytes(v);
            let direct = value_score(Physical::DOUBLE, Render::Plain, &bytes, &mut scratch);
            assert_eq!(
                direct.unwrap().to_bits(),
                via_text(Physical::DOUBLE, &bytes).to_bits()
            );
        }
        for v in [
            i64::MAX,
            9_007_199_254_740_993,
            -9_007_199_254_740_995,
            0,
            -1,
        ] {
            let bytes = i64::to_le_bytes(v);
            let direct = value_score(Physical::INT64, Render::Plain, &bytes, &mut scratch);
            assert_eq!(
                direct.unwrap().to_bits(),
                via_text(Physical::INT64, &bytes).to_bits()
            );
        }
        assert_eq!(
            value_score(
                Physical::DOUBLE,
                Render::Plain,
                &f64::NAN.to_le_bytes(),
                &mut scratch
            ),
            Err(Bad::Score("NaN".to_string()))
        );
        assert_eq!(
            value_score(Physical::BYTE_ARRAY, Render::Plain, b" 7.5 ", &mut scratch),
            Ok(7.5)
        );
        assert_eq!(
            value_score(Physical::BYTE_ARRAY, Render::Plain, b"\xff", &mut scratch),
            Err(Bad::Utf8)
        );
        assert_eq!(
            value_score(
                Physical::FLOAT,
                Render::Plain,
                &0.1f32.to_le_bytes(),
                &mut scratch
            ),
            Ok(0.1)
        );
    }

    /// Bit-packed and RLE runs, with a width that straddles bytes.
    #[test]
    fn hybrid_runs() {
        // A repeated run of 5 × 3 (width 3: one byte), then one bit-packed group of 8 values
        // 0..8 (3 bytes), then a run of 2 × 7.
        let packed: u32 = (0..8).map(|v| v << (3 * v)).sum();
        let mut data = vec![5 << 1, 3, (1 << 1) | 1];
        data.extend_from_slice(&packed.to_le_bytes()[..3]);
        data.extend_from_slice(&[2 << 1, 7]);
        let mut hybrid = Hybrid::new(Bytes::from(data), 3).unwrap();
        let mut out = Vec::new();
        hybrid.read(4, &mut out).unwrap();
        hybrid.read(11, &mut out).unwrap();
        assert_eq!(out, [3, 3, 3, 3, 3, 0, 1, 2, 3, 4, 5, 6, 7, 7, 7]);
        assert!(hybrid.read(1, &mut out).is_err(), "past the end");
        // Width 0: every value is 0 (a one-entry dictionary).
        let mut zero = Hybrid::new(Bytes::from(vec![(1 << 1) | 1]), 0).unwrap();
        out.clear();
        zero.read(8, &mut out).unwrap();
        assert_eq!(out, [0; 8]);
        assert_eq!(level_width(1), 1);
        assert_eq!(level_width(0), 0);
        assert_eq!(level_width(3), 2);
    }
}
