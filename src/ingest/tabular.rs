//! Row-level Parquet and Excel (`.xlsx`) inputs, chosen by file extension: their header, and for
//! Excel the rows, turned into the same text fields the CSV reader produces, so that every row goes
//! through the same row processing (the same matching, the same counts, the same errors) whatever
//! the file format.
//!
//! - **Parquet** (arrow-rs `parquet`, without Arrow): the header is the schema's top-level fields;
//!   the rows are read column chunk by column chunk in `rows::parquet`, with the same meaning.
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
use parquet::file::reader::{FileReader, SerializedFileReader};

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

    /// Read every data row of an Excel sheet, calling `row(fields, position)` with one text field
    /// per header column (the columns outside `used` are left empty) and the row's sheet row
    /// number for [`Source::location`]. (Parquet rows are read column by column instead.)
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
            Format::Parquet => unreachable!("Parquet is read column by column (rows::parquet)"),
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

pub(super) fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> Error {
    InputError::new(Location::file(path), format!("cannot read Parquet: {e}"))
        .with_help("check that the file is a complete Parquet file (compressed with Snappy, gzip, LZ4 or Zstandard)")
        .into()
}

fn xlsx_workbook(path: &Path) -> Result<Xlsx<BufReader<File>>> {
    super::xlsx_guard::check(path)?;
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
pub(super) fn float_text(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v}")
    }
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
    fn floats_print_like_a_spreadsheet() {
        assert_eq!(float_text(1.0), "1");
        assert_eq!(float_text(-0.0), "0");
        assert_eq!(float_text(0.1), "0.1");
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
}
