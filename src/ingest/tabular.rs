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
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use parquet::schema::types::Type as SchemaType;

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
                let schema = reader
                    .metadata()
                    .file_metadata()
                    .schema_descr()
                    .root_schema_ptr();
                let fields = schema.get_fields();
                let mut projected = Vec::new();
                for &i in used {
                    let field = &fields[i];
                    if field.is_group() {
                        return Err(Stop::Source(
                            InputError::new(
                                Location::file(path).with_field(field.name()),
                                format!("column `{}` is nested (a struct, list or map)", field.name()),
                            )
                            .with_help("fairfile reads flat columns: select or flatten the column when writing the file")
                            .into(),
                        ));
                    }
                    projected.push(field.clone());
                }
                let projection = SchemaType::group_type_builder(schema.name())
                    .with_fields(projected)
                    .build()
                    .map_err(|e| Stop::Source(parquet_error(path, e)))?;
                let mut index: u64 = 0;
                // One row group at a time: only its pages of the projected columns are in memory.
                for group in 0..reader.num_row_groups() {
                    let group_reader = reader
                        .get_row_group(group)
                        .map_err(|e| Stop::Source(parquet_error(path, e)))?;
                    let iter = group_reader
                        .get_row_iter(Some(projection.clone()))
                        .map_err(|e| Stop::Source(parquet_error(path, e)))?;
                    for record in iter {
                        let record = record.map_err(|e| Stop::Source(parquet_error(path, e)))?;
                        for t in texts.iter_mut() {
                            *t = None;
                        }
                        for (&column, (_, value)) in used.iter().zip(record.get_column_iter()) {
                            let text = parquet_text(value).map_err(|e| {
                                Stop::Source(
                                    InputError::new(self.location(path, index, Some(column)), e)
                                        .with_help("fairfile reads text, numbers, booleans, decimals and dates")
                                        .into(),
                                )
                            })?;
                            texts[column] = Some(text);
                        }
                        fill(&texts, &mut buf, &mut bounds);
                        row(&buf, &bounds, index).map_err(Stop::Row)?;
                        index += 1;
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

/// A Parquet value as the text a CSV export holds.
fn parquet_text(value: &Field) -> std::result::Result<String, String> {
    Ok(match value {
        Field::Null => String::new(),
        Field::Bool(b) => b.to_string(),
        Field::Byte(v) => v.to_string(),
        Field::Short(v) => v.to_string(),
        Field::Int(v) => v.to_string(),
        Field::Long(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::UShort(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::Float16(v) => float_text(f64::from(f32::from(*v))),
        Field::Float(v) => float_text_f32(*v),
        Field::Double(v) => float_text(*v),
        Field::Decimal(d) => decimal_text(d.data(), d.scale())?,
        Field::Str(s) => s.clone(),
        Field::Bytes(b) => match std::str::from_utf8(b.data()) {
            Ok(s) => s.to_string(),
            Err(_) => return Err("binary value that is not UTF-8 text".to_string()),
        },
        Field::Date(days) => (NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
            + Duration::days(i64::from(*days)))
        .format("%Y-%m-%d")
        .to_string(),
        Field::TimestampMillis(ms) => timestamp_text(*ms, 1_000)?,
        Field::TimestampMicros(us) => timestamp_text(*us, 1_000_000)?,
        Field::TimeMillis(_) | Field::TimeMicros(_) => return Err("time-of-day value".to_string()),
        Field::Group(_) | Field::ListInternal(_) | Field::MapInternal(_) => {
            return Err("nested value (a struct, list or map)".to_string());
        }
    })
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
