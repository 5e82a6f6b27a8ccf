//! Row-level Parquet and Excel (`.xlsx`) inputs, chosen by file extension, turned into the same
//! text fields the CSV reader produces, so that every row goes through the same row-processing
//! path (the same matching, the same counts, the same errors) whatever the file format.
//!
//! - **Parquet** (arrow-rs `parquet`, without Arrow): only the mapped columns are decoded, one row
//!   group at a time, so memory is bounded by a row group, not the file. Flat columns only.
//! - **Excel** (`calamine`): the first worksheet (or `[data] sheet`), streamed cell by cell; its
//!   first non-empty row is the header. Rows with no value at all are skipped, as blank lines are
//!   in a CSV file.
//!
//! Each value becomes the text a CSV export would hold (documented in `docs/inputs.md`): strings
//! as they are, integers in decimal, booleans `true`/`false` (Parquet) or `TRUE`/`FALSE` (Excel, as
//! Excel writes them), floating-point numbers in their shortest round-trip form without a trailing
//! `.0` (`1`, `0.5`), decimals with their scale (`1.50`), dates as `YYYY-MM-DD`, nulls and empty
//! cells as the empty string. Scores are parsed back from that text, exactly.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{DataRef, Reader as _, Xlsx};
use chrono::{Duration, NaiveDate};
use std::io::Write as _;

use parquet::basic::{ConvertedType, LogicalType, TimeUnit};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, FixedLenByteArray, Int96};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::schema::types::ColumnDescriptor;

use crate::diag::{Error, InputError, Location, Result};

/// The row-level file formats, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Parquet,
    Xlsx,
}

impl Format {
    /// `.parquet`/`.parq`/`.pq` and `.xlsx`/`.xlsm` (any case); everything else is CSV.
    pub fn of(path: &Path) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("parquet" | "parq" | "pq") => Format::Parquet,
            Some("xlsx" | "xlsm") => Format::Xlsx,
            _ => Format::Csv,
        }
    }
}

/// A Parquet or Excel file with its header read.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub format: Format,
    pub header: Vec<String>,
    /// Excel: the worksheet read, and the 0-based sheet row of the header.
    sheet: Option<(String, u32)>,
}

/// Why reading rows stopped early.
pub(crate) enum Stop<E> {
    /// The file itself (an unreadable value, a broken file).
    Source(Error),
    /// The row callback's own error.
    Row(E),
}

impl Source {
    /// Open `path` and read its header. `sheet` names the Excel worksheet (default: the first).
    pub fn open(path: &Path, format: Format, sheet: Option<&str>) -> Result<Source> {
        match format {
            Format::Parquet => {
                let reader = parquet_reader(path)?;
                let schema = reader
                    .metadata()
                    .file_metadata()
                    .schema_descr()
                    .root_schema();
                let header = schema
                    .get_fields()
                    .iter()
                    .map(|f| f.name().to_string())
                    .collect();
                Ok(Source {
                    format,
                    header,
                    sheet: None,
                })
            }
            Format::Xlsx => {
                let mut workbook = xlsx_workbook(path)?;
                let sheet = pick_sheet(path, &workbook, sheet)?;
                let mut cells = workbook
                    .worksheet_cells_reader(&sheet)
                    .map_err(|e| xlsx_error(path, &sheet, e))?;
                let mut header: Vec<(u32, String)> = Vec::new();
                let mut header_row = None;
                while let Some(cell) = cells.next_cell().map_err(|e| xlsx_error(path, &sheet, e))? {
                    let (row, col) = cell.get_position();
                    if header_row.is_some_and(|r| r != row) {
                        break;
                    }
                    let text = excel_text(cell.get_value()).map_err(|e| {
                        InputError::new(
                            Location::at(path, row as usize + 1, col as usize + 1),
                            format!("sheet `{sheet}`: header {e}"),
                        )
                    })?;
                    if text.trim_ascii().is_empty() && header_row.is_none() {
                        continue;
                    }
                    header_row = Some(row);
                    header.push((col, text));
                }
                let Some(header_row) = header_row else {
                    return Err(InputError::new(Location::file(path), format!("sheet `{sheet}` is empty: no header row"))
                        .with_help("put the column names in the sheet's first row, one applicant per row below")
                        .into());
                };
                let width = header.last().map_or(0, |(c, _)| *c as usize + 1);
                let mut names = vec![String::new(); width];
                for (col, text) in header {
                    names[col as usize] = text.trim_ascii().to_string();
                }
                Ok(Source {
                    format,
                    header: names,
                    sheet: Some((sheet, header_row)),
                })
            }
            Format::Csv => unreachable!("CSV is read by the streaming CSV reader"),
        }
    }

    /// Where the data row with 0-based index `index` is, for messages: Excel rows and columns as
    /// Excel numbers them (sheet row 1 is the first); Parquet rows counted from 1.
    pub fn location(&self, path: &Path, index: u64, field: Option<usize>) -> Location {
        let line = match &self.sheet {
            // Data rows are numbered from the header row; skipped empty rows shift this only
            // for rows after them, so the position is recorded per row (see `rows`).
            Some(_) => index as usize,
            None => index as usize + 1,
        };
        Location {
            file: path.to_path_buf(),
            line: Some(line),
            column: field.map(|f| f + 1),
            field: field.and_then(|f| self.header.get(f).cloned()),
        }
    }

    /// A prefix naming the worksheet in messages (empty for Parquet).
    pub fn context(&self) -> String {
        match &self.sheet {
            Some((sheet, _)) => format!("sheet `{sheet}`: "),
            None => String::new(),
        }
    }

    /// Read every data row, calling `row(fields, position)` with one text field per header column
    /// (the columns outside `used` are left empty) and the row's position for [`Source::location`]
    /// (Excel: the sheet row number; Parquet: the 0-based row index).
    pub fn rows<E>(
        &self,
        path: &Path,
        used: &[usize],
        mut row: impl FnMut(&[u8], &[(usize, usize)], u64) -> Result<(), E>,
    ) -> Result<(), Stop<E>> {
        // In file order, once each (a column may play two roles).
        let mut used = used.to_vec();
        used.sort_unstable();
        used.dedup();
        let used = used.as_slice();
        let mut buf: Vec<u8> = Vec::with_capacity(256);
        let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(self.header.len());
        let mut texts: Vec<Option<String>> = vec![None; self.header.len()];
        match self.format {
            Format::Parquet => {
                let reader = parquet_reader(path).map_err(Stop::Source)?;
                let schema = reader.metadata().file_metadata().schema_descr_ptr();
                let fields = schema.root_schema().get_fields();
                // Each used top-level column, with the index of its (single) leaf column.
                let mut columns = Vec::with_capacity(used.len());
                for &i in used {
                    let field = &fields[i];
                    let leaf = (0..schema.num_columns())
                        .find(|&leaf| schema.get_column_root_idx(leaf) == i);
                    match leaf {
                        Some(leaf) if !field.is_group() => columns.push((i, leaf)),
                        _ => {
                            return Err(Stop::Source(
                                InputError::new(
                                    Location::file(path).with_field(field.name()),
                                    format!("column `{}` is nested (a struct, list or map)", field.name()),
                                )
                                .with_help("fairfile reads flat columns: select or flatten the column when writing the file")
                                .into(),
                            ));
                        }
                    }
                }
                // Which used column (if any) each header position is.
                let mut slot_of = vec![None; self.header.len()];
                for (slot, &(i, _)) in columns.iter().enumerate() {
                    slot_of[i] = Some(slot);
                }
                let mut index: u64 = 0;
                // One row group at a time, and within it batches of rows: memory holds one batch of
                // the used columns' values, whatever the file size.
                for group in 0..reader.num_row_groups() {
                    let group_reader = reader
                        .get_row_group(group)
                        .map_err(|e| Stop::Source(parquet_error(path, e)))?;
                    let mut readers = Vec::with_capacity(columns.len());
                    for &(i, leaf) in &columns {
                        let column = group_reader
                            .get_column_reader(leaf)
                            .map_err(|e| Stop::Source(parquet_error(path, e)))?;
                        readers.push(ColumnBatch::new(column, &schema.column(leaf), i));
                    }
                    loop {
                        let mut rows_in_batch = None;
                        for batch in readers.iter_mut() {
                            let read = batch
                                .read(BATCH_ROWS)
                                .map_err(|e| Stop::Source(parquet_error(path, e)))?;
                            match rows_in_batch {
                                None => rows_in_batch = Some(read),
                                Some(n) if n == read => {}
                                Some(n) => {
                                    return Err(Stop::Source(
                                        InputError::new(
                                            Location::file(path),
                                            format!("row group {group} has columns of different lengths ({n} and {read} rows)"),
                                        )
                                        .into(),
                                    ));
                                }
                            }
                        }
                        let rows_in_batch = rows_in_batch.unwrap_or(0);
                        if rows_in_batch == 0 {
                            break;
                        }
                        for _ in 0..rows_in_batch {
                            buf.clear();
                            bounds.clear();
                            for slot in &slot_of {
                                let start = buf.len();
                                if let Some(slot) = slot {
                                    let batch = &mut readers[*slot];
                                    batch.next_text(&mut buf).map_err(|e| {
                                        Stop::Source(
                                            InputError::new(self.location(path, index, Some(batch.header_index)), e)
                                                .with_help("fairfile reads text, numbers, booleans, decimals, dates and timestamps")
                                                .into(),
                                        )
                                    })?;
                                }
                                bounds.push((start, buf.len()));
                            }
                            row(&buf, &bounds, index).map_err(Stop::Row)?;
                            index += 1;
                        }
                    }
                }
                Ok(())
            }
            Format::Xlsx => {
                let (sheet, header_row) = self.sheet.as_ref().expect("an Excel source has a sheet");
                let mut workbook = xlsx_workbook(path).map_err(Stop::Source)?;
                let mut cells = workbook
                    .worksheet_cells_reader(sheet)
                    .map_err(|e| Stop::Source(xlsx_error(path, sheet, e)))?;
                let width = self.header.len() as u32;
                let mut current: Option<u32> = None;
                let mut any = false;
                loop {
                    let cell = cells
                        .next_cell()
                        .map_err(|e| Stop::Source(xlsx_error(path, sheet, e)))?;
                    let position = cell.as_ref().map(|c| c.get_position());
                    // A new sheet row (or the end): hand over the finished one.
                    if let Some(r) = current
                        && position.is_none_or(|(row, _)| row != r)
                    {
                        if any {
                            fill(&texts, &mut buf, &mut bounds);
                            row(&buf, &bounds, u64::from(r) + 1).map_err(Stop::Row)?;
                        }
                        for t in texts.iter_mut() {
                            *t = None;
                        }
                        any = false;
                        current = None;
                    }
                    let Some(cell) = cell else { break };
                    let (r, c) = cell.get_position();
                    if r <= *header_row {
                        continue;
                    }
                    current = Some(r);
                    let at = || Location::at(path, r as usize + 1, c as usize + 1);
                    let text = excel_text(cell.get_value()).map_err(|e| {
                        Stop::Source(InputError::new(at(), format!("sheet `{sheet}`: {e}")).into())
                    })?;
                    if text.is_empty() {
                        continue;
                    }
                    if c >= width {
                        return Err(Stop::Source(
                            InputError::new(at(), format!("sheet `{sheet}`: a value beyond the last header column ({width} columns)"))
                                .with_help("every value needs a column name in the header row")
                                .into(),
                        ));
                    }
                    any = true;
                    if used.contains(&(c as usize)) {
                        texts[c as usize] = Some(text);
                    }
                }
                Ok(())
            }
            Format::Csv => unreachable!("CSV is read by the streaming CSV reader"),
        }
    }
}

/// Rows decoded per batch from each used Parquet column.
const BATCH_ROWS: usize = 8192;

/// How a Parquet column's physical values read as text (from its logical or converted type).
#[derive(Debug, Clone, Copy)]
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

/// The values of one physical type, as the column reader fills them.
enum Values {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    I96(Vec<Int96>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Bytes(Vec<ByteArray>),
    Fixed(Vec<FixedLenByteArray>),
}

/// One used column of one row group, decoded a batch at a time.
struct ColumnBatch {
    reader: ColumnReader,
    render: Render,
    max_def: i16,
    defs: Vec<i16>,
    values: Values,
    /// Next row of the batch, and next non-null value.
    row: usize,
    value: usize,
    header_index: usize,
}

impl ColumnBatch {
    fn new(reader: ColumnReader, descr: &ColumnDescriptor, header_index: usize) -> ColumnBatch {
        let render = match descr.logical_type_ref() {
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
        };
        let values = match &reader {
            ColumnReader::BoolColumnReader(_) => Values::Bool(Vec::new()),
            ColumnReader::Int32ColumnReader(_) => Values::I32(Vec::new()),
            ColumnReader::Int64ColumnReader(_) => Values::I64(Vec::new()),
            ColumnReader::Int96ColumnReader(_) => Values::I96(Vec::new()),
            ColumnReader::FloatColumnReader(_) => Values::F32(Vec::new()),
            ColumnReader::DoubleColumnReader(_) => Values::F64(Vec::new()),
            ColumnReader::ByteArrayColumnReader(_) => Values::Bytes(Vec::new()),
            ColumnReader::FixedLenByteArrayColumnReader(_) => Values::Fixed(Vec::new()),
        };
        ColumnBatch {
            reader,
            render,
            max_def: descr.max_def_level(),
            defs: Vec::new(),
            values,
            row: 0,
            value: 0,
            header_index,
        }
    }

    /// Decode up to `rows` more rows; returns how many were read (0 at the end of the group).
    /// `read_records` is called until the batch is full or the column chunk ends (it reads across
    /// pages itself; the loop keeps every used column in step even if a call returns early).
    fn read(&mut self, rows: usize) -> parquet::errors::Result<usize> {
        self.defs.clear();
        self.row = 0;
        self.value = 0;
        let track_defs = self.max_def > 0;
        macro_rules! read {
            ($reader:expr, $values:expr) => {{
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
                total
            }};
        }
        Ok(match (&mut self.reader, &mut self.values) {
            (ColumnReader::BoolColumnReader(r), Values::Bool(v)) => read!(r, v),
            (ColumnReader::Int32ColumnReader(r), Values::I32(v)) => read!(r, v),
            (ColumnReader::Int64ColumnReader(r), Values::I64(v)) => read!(r, v),
            (ColumnReader::Int96ColumnReader(r), Values::I96(v)) => read!(r, v),
            (ColumnReader::FloatColumnReader(r), Values::F32(v)) => read!(r, v),
            (ColumnReader::DoubleColumnReader(r), Values::F64(v)) => read!(r, v),
            (ColumnReader::ByteArrayColumnReader(r), Values::Bytes(v)) => read!(r, v),
            (ColumnReader::FixedLenByteArrayColumnReader(r), Values::Fixed(v)) => read!(r, v),
            _ => unreachable!("the value buffer is made for its reader"),
        })
    }

    /// Append the next row's value as text (nothing for a null).
    fn next_text(&mut self, buf: &mut Vec<u8>) -> std::result::Result<(), String> {
        let row = self.row;
        self.row += 1;
        if self.max_def > 0 && self.defs[row] < self.max_def {
            return Ok(());
        }
        let i = self.value;
        self.value += 1;
        let text = |buf: &mut Vec<u8>, args: std::fmt::Arguments| {
            buf.write_fmt(args).expect("writing to a Vec cannot fail");
        };
        match (&self.values, self.render) {
            (_, Render::Time) => return Err("time-of-day value".to_string()),
            (Values::Bool(v), _) => text(buf, format_args!("{}", v[i])),
            (Values::I32(v), Render::Unsigned) => text(buf, format_args!("{}", v[i] as u32)),
            (Values::I64(v), Render::Unsigned) => text(buf, format_args!("{}", v[i] as u64)),
            (Values::I32(v), Render::Decimal(scale)) => {
                buf.extend(decimal_text(&v[i].to_be_bytes(), scale)?.bytes())
            }
            (Values::I64(v), Render::Decimal(scale)) => {
                buf.extend(decimal_text(&v[i].to_be_bytes(), scale)?.bytes())
            }
            (Values::I32(v), Render::Date) => buf.extend(date_text(i64::from(v[i]))?.bytes()),
            (Values::I64(v), Render::Timestamp(per_second)) => {
                buf.extend(timestamp_text(v[i], per_second)?.bytes())
            }
            (Values::I32(v), _) => text(buf, format_args!("{}", v[i])),
            (Values::I64(v), _) => text(buf, format_args!("{}", v[i])),
            (Values::I96(v), _) => {
                buf.extend(timestamp_text(v[i].to_nanos(), 1_000_000_000)?.bytes())
            }
            (Values::F32(v), _) => buf.extend(float_text_f32(v[i]).bytes()),
            (Values::F64(v), _) => buf.extend(float_text(v[i]).bytes()),
            (Values::Bytes(v), Render::Decimal(scale)) => {
                buf.extend(decimal_text(v[i].data(), scale)?.bytes())
            }
            (Values::Fixed(v), Render::Decimal(scale)) => {
                buf.extend(decimal_text(v[i].data(), scale)?.bytes())
            }
            (Values::Fixed(v), Render::Float16) => {
                let bytes: [u8; 2] = v[i]
                    .data()
                    .try_into()
                    .map_err(|_| "FLOAT16 value that is not 2 bytes")?;
                buf.extend(float_text(f16_to_f64(u16::from_le_bytes(bytes))).bytes())
            }
            // Text as stored; the row processing rejects bytes that are not UTF-8, naming the row.
            (Values::Bytes(v), _) => buf.extend_from_slice(v[i].data()),
            (Values::Fixed(v), _) => buf.extend_from_slice(v[i].data()),
        }
        Ok(())
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

/// Lay out one row's fields (missing ones empty) as one buffer and field bounds.
fn fill(texts: &[Option<String>], buf: &mut Vec<u8>, bounds: &mut Vec<(usize, usize)>) {
    buf.clear();
    bounds.clear();
    for text in texts {
        let start = buf.len();
        if let Some(t) = text {
            buf.extend_from_slice(t.as_bytes());
        }
        bounds.push((start, buf.len()));
    }
}

fn parquet_reader(path: &Path) -> Result<SerializedFileReader<File>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    SerializedFileReader::new(file).map_err(|e| parquet_error(path, e))
}

fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> Error {
    InputError::new(Location::file(path), format!("cannot read Parquet: {e}"))
        .with_help("check that the file is a complete Parquet file (compressed with Snappy, gzip, LZ4 or Zstandard)")
        .into()
}

fn xlsx_workbook(path: &Path) -> Result<Xlsx<BufReader<File>>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    Xlsx::new(BufReader::new(file)).map_err(|e| {
        InputError::new(
            Location::file(path),
            format!("cannot read Excel workbook: {e}"),
        )
        .with_help("save the workbook as .xlsx (Excel 2007 or later)")
        .into()
    })
}

fn pick_sheet(
    path: &Path,
    workbook: &Xlsx<BufReader<File>>,
    wanted: Option<&str>,
) -> Result<String> {
    let names = workbook.sheet_names();
    match wanted {
        Some(name) if names.iter().any(|n| n == name) => Ok(name.to_string()),
        Some(name) => {
            let mut help = format!(
                "the workbook's sheets are: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some(near) = crate::diag::suggest(name, names.iter().map(String::as_str)) {
                help = format!("did you mean `{near}`? {help}");
            }
            Err(InputError::new(
                Location::file(path),
                format!("no sheet `{name}` in the workbook"),
            )
            .with_help(help)
            .into())
        }
        None => names.first().cloned().ok_or_else(|| {
            InputError::new(Location::file(path), "the workbook has no worksheet").into()
        }),
    }
}

fn xlsx_error(path: &Path, sheet: &str, e: calamine::XlsxError) -> Error {
    InputError::new(
        Location::file(path),
        format!("sheet `{sheet}`: cannot read Excel data: {e}"),
    )
    .into()
}

/// Shortest round-trip text, without exponent and without a trailing `.0` (`1`, `0.5`, `-2.25`).
fn float_text(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v}")
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

/// An Excel cell as the text Excel's own CSV export holds.
fn excel_text(value: &DataRef<'_>) -> std::result::Result<String, String> {
    Ok(match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(v) => v.to_string(),
        DataRef::Float(v) => float_text(*v),
        DataRef::Bool(true) => "TRUE".to_string(),
        DataRef::Bool(false) => "FALSE".to_string(),
        DataRef::DateTime(dt) if dt.is_duration() => float_text(dt.as_f64()),
        DataRef::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            match (h, mi, s, ms) {
                (0, 0, 0, 0) => format!("{y:04}-{mo:02}-{d:02}"),
                (_, _, _, 0) => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
                _ => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}"),
            }
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => return Err(format!("cell holds the Excel error {e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            Format::of(Path::new("a/applicants.PARQUET")),
            Format::Parquet
        );
        assert_eq!(Format::of(Path::new("export.xlsx")), Format::Xlsx);
        assert_eq!(Format::of(Path::new("export.csv")), Format::Csv);
        assert_eq!(Format::of(Path::new("export")), Format::Csv);
    }

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(decimal_text(&150i32.to_be_bytes(), 2).unwrap(), "1.50");
        assert_eq!(decimal_text(&(-5i64).to_be_bytes(), 2).unwrap(), "-0.05");
        assert_eq!(decimal_text(&[0x01, 0x00], 0).unwrap(), "256");
        assert_eq!(decimal_text(&[0xff], 1).unwrap(), "-0.1");
        assert_eq!(decimal_text(&7i32.to_be_bytes(), -2).unwrap(), "700");
    }

    #[test]
    fn floats_print_like_a_spreadsheet() {
        assert_eq!(float_text(1.0), "1");
        assert_eq!(float_text(-0.0), "0");
        assert_eq!(float_text(0.1), "0.1");
        assert_eq!(float_text_f32(0.1), "0.1");
        assert_eq!(float_text(71.2).parse::<f64>().unwrap(), 71.2);
    }

    #[test]
    fn excel_cells() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let date =
            |v: f64| DataRef::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(excel_text(&date(45_292.0)).unwrap(), "2024-01-01");
        assert_eq!(excel_text(&date(45_292.5)).unwrap(), "2024-01-01T12:00:00");
        assert_eq!(excel_text(&DataRef::Float(7.0)).unwrap(), "7");
        assert_eq!(excel_text(&DataRef::Bool(true)).unwrap(), "TRUE");
        assert_eq!(excel_text(&DataRef::SharedString("it's")).unwrap(), "it's");
        let err = excel_text(&DataRef::Error(calamine::CellErrorType::NA)).unwrap_err();
        assert_eq!(err, "cell holds the Excel error #N/A");
    }

    #[test]
    fn half_precision() {
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
}
