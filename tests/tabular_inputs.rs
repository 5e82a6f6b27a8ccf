//! Row-level Parquet and Excel inputs: the same rows written as CSV, as Parquet (typed columns,
//! several row groups, Snappy) and as an Excel workbook give the same metrics, and bad values give
//! the same errors, located by row (Parquet) or sheet, row and column (Excel).

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use parquet::basic::{Compression, ConvertedType, Encoding, Repetition, Type as PhysicalType};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnPath, Type};
use predicates::prelude::*;
use serde_json::Value;

mod support;

/// One applicant: sex and race text (None = null / empty cell), a boolean decision, an integer
/// label, a score in cents (a DECIMAL(6,2) in Parquet) and a double.
#[derive(Clone)]
struct Applicant {
    sex: Option<&'static str>,
    race: Option<&'static str>,
    selected: bool,
    hired: i32,
    cents: i32,
    weight: f64,
}

fn applicants(n: usize) -> Vec<Applicant> {
    const SEX: &[Option<&str>] = &[
        Some("M"),
        Some(" F "),
        Some("it's"),
        Some("Ménage"),
        None,
        Some("Declined"),
        Some("F"),
    ];
    const RACE: &[Option<&str>] = &[
        Some("White"),
        Some("wh\\ite"),
        Some("Black"),
        Some("Hispanic, Latino"),
        None,
        Some("Ásian 亚洲"),
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    (0..n)
        .map(|_| {
            let cents = 100 + next(900) as i32;
            Applicant {
                sex: SEX[next(SEX.len() as u64) as usize],
                race: RACE[next(RACE.len() as u64) as usize],
                selected: next(100) < 30 + cents as u64 / 30,
                hired: i32::from(next(3) == 0),
                cents,
                weight: next(1000) as f64 / 8.0,
            }
        })
        .collect()
}

const HEADER: [&str; 6] = ["order", "ra\"ce", "select", "hired", "score", "weight"];

/// The CSV a careful export of the same rows would be: the text `tabular` documents for each type.
fn write_csv(path: &Path, rows: &[Applicant]) {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut text = HEADER
        .iter()
        .map(|h| quote(h))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for a in rows {
        writeln!(
            text,
            "{},{},{},{},{}.{:02},{}",
            quote(a.sex.unwrap_or("")),
            quote(a.race.unwrap_or("")),
            a.selected,
            a.hired,
            a.cents / 100,
            a.cents % 100,
            a.weight
        )
        .unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// Rows in groups of `group_rows`, in small pages (97 rows at most, written 50 at a time), so that
/// pages end at different rows in different columns and batches cross page boundaries.
fn write_parquet(path: &Path, rows: &[Applicant], group_rows: usize) {
    write_parquet_as(path, rows, group_rows, Layout::Dictionary);
}

/// How a Parquet writer lays out the columns.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// Dictionary pages (the default of most writers), data page v1, Snappy.
    Dictionary,
    /// No dictionary: every value PLAIN-encoded.
    Plain,
    /// Data page v2 (levels outside the compressed values), Zstandard.
    V2,
    /// A dictionary too small for the values: writers then fall back to PLAIN pages mid-chunk.
    DictionaryFallback,
    /// DELTA_BYTE_ARRAY, DELTA_LENGTH_BYTE_ARRAY, DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT.
    Delta,
}

fn write_parquet_as(path: &Path, rows: &[Applicant], group_rows: usize, layout: Layout) {
    let text = |name: &str| {
        Arc::new(
            Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
                .with_repetition(Repetition::OPTIONAL)
                .with_converted_type(ConvertedType::UTF8)
                .build()
                .unwrap(),
        )
    };
    let fields = vec![
        text(HEADER[0]),
        text(HEADER[1]),
        Arc::new(
            Type::primitive_type_builder(HEADER[2], PhysicalType::BOOLEAN)
                .with_repetition(Repetition::REQUIRED)
                .build()
                .unwrap(),
        ),
        Arc::new(
            Type::primitive_type_builder(HEADER[3], PhysicalType::INT32)
                .with_repetition(Repetition::REQUIRED)
                .build()
                .unwrap(),
        ),
        Arc::new(
            Type::primitive_type_builder(HEADER[4], PhysicalType::INT32)
                .with_repetition(Repetition::REQUIRED)
                .with_converted_type(ConvertedType::DECIMAL)
                .with_precision(6)
                .with_scale(2)
                .build()
                .unwrap(),
        ),
        Arc::new(
            Type::primitive_type_builder(HEADER[5], PhysicalType::DOUBLE)
                .with_repetition(Repetition::REQUIRED)
                .build()
                .unwrap(),
        ),
    ];
    let schema = Arc::new(
        Type::group_type_builder("applicants")
            .with_fields(fields)
            .build()
            .unwrap(),
    );
    let builder = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_data_page_row_count_limit(97)
        .set_write_batch_size(50)
        .set_data_page_size_limit(600);
    let column = |i: usize| ColumnPath::from(HEADER[i]);
    let builder = match layout {
        Layout::Dictionary => builder,
        Layout::Plain => builder.set_dictionary_enabled(false),
        Layout::V2 => builder
            .set_writer_version(WriterVersion::PARQUET_2_0)
            .set_compression(Compression::ZSTD(Default::default())),
        Layout::DictionaryFallback => builder.set_dictionary_page_size_limit(24),
        Layout::Delta => builder
            .set_dictionary_enabled(false)
            .set_column_encoding(column(0), Encoding::DELTA_BYTE_ARRAY)
            .set_column_encoding(column(1), Encoding::DELTA_LENGTH_BYTE_ARRAY)
            .set_column_encoding(column(3), Encoding::DELTA_BINARY_PACKED)
            .set_column_encoding(column(4), Encoding::DELTA_BINARY_PACKED)
            .set_column_encoding(column(5), Encoding::BYTE_STREAM_SPLIT),
    };
    let props = Arc::new(builder.build());
    let mut writer = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
    // Several row groups, of uneven sizes.
    for chunk in rows.chunks(group_rows) {
        let mut group = writer.next_row_group().unwrap();
        let mut column = 0;
        while let Some(mut col) = group.next_column().unwrap() {
            match column {
                0 | 1 => {
                    let pick = |a: &Applicant| if column == 0 { a.sex } else { a.race };
                    let values: Vec<ByteArray> =
                        chunk.iter().filter_map(pick).map(ByteArray::from).collect();
                    let defs: Vec<i16> =
                        chunk.iter().map(|a| i16::from(pick(a).is_some())).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, Some(&defs), None)
                        .unwrap();
                }
                2 => {
                    let values: Vec<bool> = chunk.iter().map(|a| a.selected).collect();
                    col.typed::<BoolType>()
                        .write_batch(&values, None, None)
                        .unwrap();
                }
                3 | 4 => {
                    let values: Vec<i32> = chunk
                        .iter()
                        .map(|a| if column == 3 { a.hired } else { a.cents })
                        .collect();
                    col.typed::<Int32Type>()
                        .write_batch(&values, None, None)
                        .unwrap();
                }
                _ => {
                    let values: Vec<f64> = chunk.iter().map(|a| a.weight).collect();
                    col.typed::<DoubleType>()
                        .write_batch(&values, None, None)
                        .unwrap();
                }
            }
            col.close().unwrap();
            column += 1;
        }
        group.close().unwrap();
    }
    writer.close().unwrap();
}

/// A minimal but genuine .xlsx (Office Open XML) workbook: shared nothing, inline strings, one
/// worksheet per `(name, rows)`; a cell is `s:` text, `n:` number, `b:` boolean, `e:` error,
/// `d:` date serial (styled as a date), or empty.
fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<String>>)]) {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut add = |name: &str, body: String| {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut overrides = String::new();
    let mut workbook_sheets = String::new();
    let mut rels = String::new();
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        write!(overrides, r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#).unwrap();
        write!(
            workbook_sheets,
            r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
            escape(name)
        )
        .unwrap();
        write!(rels, r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#).unwrap();
    }
    let styles_id = sheets.len() + 1;
    add(
        "[Content_Types].xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>"#
        ),
    );
    add("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string());
    add(
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{workbook_sheets}</sheets></workbook>"#
        ),
    );
    add(
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}<Relationship Id="rId{styles_id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#
        ),
    );
    // Style 1 is a date (built-in number format 14).
    add("xl/styles.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_string());
    for (i, (_, rows)) in sheets.iter().enumerate() {
        let mut data = String::new();
        for (r, row) in rows.iter().enumerate() {
            write!(data, r#"<row r="{}">"#, r + 1).unwrap();
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{}", column_letters(c), r + 1);
                let (kind, value) = cell.split_once(':').unwrap_or(("", ""));
                match kind {
                    "s" => write!(
                        data,
                        r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                        escape(value)
                    )
                    .unwrap(),
                    "n" => write!(data, r#"<c r="{at}"><v>{value}</v></c>"#).unwrap(),
                    "b" => write!(data, r#"<c r="{at}" t="b"><v>{value}</v></c>"#).unwrap(),
                    "e" => {
                        write!(data, r#"<c r="{at}" t="e"><v>{}</v></c>"#, escape(value)).unwrap()
                    }
                    "d" => write!(data, r#"<c r="{at}" s="1"><v>{value}</v></c>"#).unwrap(),
                    _ => {}
                }
            }
            data.push_str("</row>");
        }
        add(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
            ),
        );
    }
    zip.finish().unwrap();
}

fn column_letters(mut c: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (c % 26) as u8) as char);
        if c < 26 {
            return s;
        }
        c = c / 26 - 1;
    }
}

/// The applicants as sheet rows (a header row first), typed as Excel stores them.
fn sheet_rows(rows: &[Applicant]) -> Vec<Vec<String>> {
    let mut out = vec![HEADER.iter().map(|h| format!("s:{h}")).collect()];
    for a in rows {
        out.push(vec![
            a.sex.map(|s| format!("s:{s}")).unwrap_or_default(),
            a.race.map(|s| format!("s:{s}")).unwrap_or_default(),
            format!("b:{}", u8::from(a.selected)),
            format!("n:{}", a.hired),
            format!("n:{}.{:02}", a.cents / 100, a.cents % 100),
            format!("n:{}", a.weight),
        ]);
    }
    out
}

/// The `[data]` tables of the test audit (the head is `support::AUDIT_HEAD`).
const DATA: &str = r#"[data]
path = "@PATH@"
kind = "historical"
description = "ATS export"
outcome = "@OUTCOME@"

[data.columns]
sex = "order"
race = "ra\"ce"
selected = "select"
score = "score"
label = "hired"

[data.values]
selected = ["@TRUE@"]
not_selected = ["@FALSE@"]
label = ["1"]

[data.categories.sex]
Male = ["M"]
Female = ["F", "it's"]
"Non-binary" = ["Ménage"]
unknown = ["", "Declined"]

[data.categories.race]
White = ["White", "wh\\ite"]
"Black or African American" = ["Black"]
"Hispanic or Latino" = ["Hispanic, Latino"]
Asian = ["Ásian 亚洲"]
unknown = [""]
"#;

fn config(path: &str, outcome: &str, truth: (&str, &str)) -> String {
    support::audit_toml(DATA)
        .replace("@PATH@", path)
        .replace("@OUTCOME@", outcome)
        .replace("@TRUE@", truth.0)
        .replace("@FALSE@", truth.1)
}

fn metrics(dir: &Path, config: &str) -> assert_cmd::assert::Assert {
    std::fs::write(dir.join("fairfile.toml"), config).unwrap();
    Command::new(env!("CARGO_BIN_EXE_fairfile"))
        .arg("metrics")
        .arg(dir)
        .args(["--format", "json"])
        .assert()
}

fn report(dir: &Path, config: &str) -> Value {
    let out = metrics(dir, config).success().get_output().stdout.clone();
    let mut report: Value = serde_json::from_slice(&out).unwrap();
    // Where the data came from differs by design; every number must not.
    report.as_object_mut().unwrap().remove("data");
    report
}

#[test]
fn parquet_and_excel_give_the_csv_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let rows = applicants(2500);
    write_csv(&dir.path().join("data.csv"), &rows);
    write_parquet(&dir.path().join("data.parquet"), &rows, 700);
    write_xlsx(
        &dir.path().join("data.xlsx"),
        &[("Applicants", sheet_rows(&rows))],
    );
    for outcome in ["selection", "scoring"] {
        let csv = report(dir.path(), &config("data.csv", outcome, ("true", "false")));
        let parquet = report(
            dir.path(),
            &config("data.parquet", outcome, ("true", "false")),
        );
        assert_eq!(csv, parquet, "{outcome}: Parquet differs from CSV");
        // Excel writes booleans TRUE/FALSE; with those values listed, the same report.
        let csv_upper = {
            let text = std::fs::read_to_string(dir.path().join("data.csv")).unwrap();
            let upper = text
                .replace(",true,", ",TRUE,")
                .replace(",false,", ",FALSE,");
            std::fs::write(dir.path().join("upper.csv"), upper).unwrap();
            report(dir.path(), &config("upper.csv", outcome, ("TRUE", "FALSE")))
        };
        let excel = report(dir.path(), &config("data.xlsx", outcome, ("TRUE", "FALSE")));
        assert_eq!(csv_upper, excel, "{outcome}: Excel differs from CSV");
        assert_eq!(excel["total"], 2500);
    }
}

/// Every layout writers produce, in row groups of 700 rows, of 7 rows (many small groups, read by
/// several threads) and of 2,500 rows (one group), in both modes: the CSV's numbers exactly.
#[test]
fn parquet_layouts_give_the_csv_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let rows = applicants(2500);
    write_csv(&dir.path().join("data.csv"), &rows);
    let csv: Vec<Value> = ["selection", "scoring"]
        .iter()
        .map(|outcome| report(dir.path(), &config("data.csv", outcome, ("true", "false"))))
        .collect();
    for layout in [
        Layout::Dictionary,
        Layout::Plain,
        Layout::V2,
        Layout::DictionaryFallback,
        Layout::Delta,
    ] {
        for group_rows in [700, 7, 2500] {
            write_parquet_as(&dir.path().join("data.parquet"), &rows, group_rows, layout);
            for (outcome, csv) in ["selection", "scoring"].iter().zip(&csv) {
                let parquet = report(
                    dir.path(),
                    &config("data.parquet", outcome, ("true", "false")),
                );
                assert_eq!(
                    csv, &parquet,
                    "{layout:?}, groups of {group_rows}, {outcome}: Parquet differs from CSV"
                );
            }
        }
    }
}

/// Files written by pyarrow (dictionary; and plain with data page v2 and Zstandard) and by
/// DuckDB, committed with their generator (`tests/fixtures/parquet/generate.py`): nulls, several
/// row groups, a value with a leading space, and the same JSON as the CSV of the same rows.
#[test]
fn parquet_from_pyarrow_and_duckdb_gives_the_csv_metrics() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parquet");
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "applicants.csv",
        "pyarrow.parquet",
        "pyarrow_plain.parquet",
        "duckdb.parquet",
    ] {
        std::fs::copy(fixtures.join(name), dir.path().join(name)).unwrap();
    }
    let config = |path: &str, outcome: &str| {
        let columns = if outcome == "selection" {
            "selected = \"selected\"\nlabel = \"hired\""
        } else {
            "score = \"score\"\nlabel = \"hired\"\nprediction_threshold = 70.0"
        };
        WRITERS_CONFIG
            .replace("@PATH@", path)
            .replace("@OUTCOME@", outcome)
            .replace("@COLUMNS@", columns)
    };
    for outcome in ["selection", "scoring"] {
        let csv = report(dir.path(), &config("applicants.csv", outcome));
        assert_eq!(csv["total"], 3000);
        for name in ["pyarrow.parquet", "pyarrow_plain.parquet", "duckdb.parquet"] {
            let parquet = report(dir.path(), &config(name, outcome));
            assert_eq!(csv, parquet, "{name}, {outcome}: Parquet differs from CSV");
        }
    }
}

const WRITERS_CONFIG: &str = r#"[audit]
id = "writers"
title = "Bias audit"
organization = "Acme"
system = "ResumeRank"
audit_date = 2026-11-20
frameworks = ["nyc-ll144"]

[auditor]
name = "Jane Roe"
independent = true

[data]
path = "@PATH@"
kind = "historical"
description = "ATS export"
outcome = "@OUTCOME@"

[data.columns]
sex = "sex"
race = "race"
@COLUMNS@

[data.values]
selected = ["1"]
not_selected = ["0"]
label = ["true"]

[data.categories.sex]
Male = ["Male"]
Female = ["Female"]
"Non-binary" = ["Non-binary"]
unknown = ["", "Declined"]

[data.categories.race]
White = ["White"]
"Black or African American" = ["Black or African American"]
Asian = ["Asian"]
"Hispanic or Latino" = ["Hispanic or Latino"]
"Two or More Races" = ["Two or More Races"]
unknown = [""]
"#;

#[test]
fn large_parquet_row_groups_read_in_batches() {
    // 20,000 rows in one row group: several 8192-row batches, each across many pages.
    let dir = tempfile::tempdir().unwrap();
    let rows = applicants(20_000);
    write_csv(&dir.path().join("data.csv"), &rows);
    write_parquet(&dir.path().join("data.parquet"), &rows, 20_000);
    for outcome in ["selection", "scoring"] {
        let csv = report(dir.path(), &config("data.csv", outcome, ("true", "false")));
        let parquet = report(
            dir.path(),
            &config("data.parquet", outcome, ("true", "false")),
        );
        assert_eq!(csv, parquet, "{outcome}: Parquet differs from CSV");
        assert_eq!(parquet["total"], 20_000);
    }
}

#[test]
fn parquet_errors_name_the_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = applicants(1500);
    rows[1234].sex = Some("X");
    rows[77].sex = Some("X");
    write_parquet(&dir.path().join("data.parquet"), &rows, 700);
    metrics(dir.path(), &config("data.parquet", "selection", ("true", "false")))
        .code(2)
        .stderr(predicate::str::contains("data.parquet:78:1 (field `order`): unmapped sex value \"X\" in column `order`: 2 rows, first on this line"));
    // An outcome value in neither list, and a missing column listing what exists.
    let rows = applicants(50);
    write_parquet(&dir.path().join("data.parquet"), &rows, 700);
    metrics(
        dir.path(),
        &config("data.parquet", "selection", ("true", "no")),
    )
    .code(2)
    .stderr(predicate::str::contains(
        "(field `select`): outcome value \"false\" is in neither",
    ));
    metrics(
        dir.path(),
        &config("data.parquet", "selection", ("true", "false"))
            .replace("label = \"hired\"", "label = \"hire\""),
    )
    .code(2)
    .stderr(predicate::str::contains("did you mean `hired`?"));
}

/// Row groups are read in parallel, but the problem reported is the first in file order, with
/// its row group.
#[test]
fn the_first_bad_parquet_row_in_file_order_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = applicants(3000);
    for a in rows.iter_mut() {
        a.selected = true;
    }
    // Groups of 700: row 1501 is row 101 of group 2, row 2901 is in group 4.
    rows[2900].selected = false;
    rows[1500].selected = false;
    for group_rows in [700, 3000] {
        write_parquet(&dir.path().join("data.parquet"), &rows, group_rows);
        let expected = if group_rows == 700 {
            "data.parquet:1501:3 (field `select`): outcome value \"false\" is in neither [data.values] `selected` nor `not_selected` (row 101 of row group 2)"
        } else {
            "data.parquet:1501:3 (field `select`): outcome value \"false\" is in neither [data.values] `selected` nor `not_selected` (row 1501 of row group 0)"
        };
        metrics(
            dir.path(),
            &config("data.parquet", "selection", ("true", "no")),
        )
        .code(2)
        .stderr(predicate::str::contains(expected));
    }
}

/// A null score is an empty score, as an empty CSV field is: an error at its row. Nulls in the
/// category columns are the empty string, and a plain-encoded (non-dictionary) score column is read
/// as numbers.
#[test]
fn a_null_parquet_score_is_an_empty_score() {
    let dir = tempfile::tempdir().unwrap();
    let optional = |name: &str, physical, utf8: bool| {
        let mut field =
            Type::primitive_type_builder(name, physical).with_repetition(Repetition::OPTIONAL);
        if utf8 {
            field = field.with_converted_type(ConvertedType::UTF8);
        }
        Arc::new(field.build().unwrap())
    };
    let schema = Arc::new(
        Type::group_type_builder("applicants")
            .with_fields(vec![
                optional("order", PhysicalType::BYTE_ARRAY, true),
                optional("ra\"ce", PhysicalType::BYTE_ARRAY, true),
                optional("score", PhysicalType::DOUBLE, false),
            ])
            .build()
            .unwrap(),
    );
    let write = |scores: &[Option<f64>]| {
        let props = WriterProperties::builder()
            .set_dictionary_enabled(false)
            .build();
        let file = File::create(dir.path().join("data.parquet")).unwrap();
        let mut writer = SerializedFileWriter::new(file, schema.clone(), Arc::new(props)).unwrap();
        let mut group = writer.next_row_group().unwrap();
        let mut column = 0;
        while let Some(mut col) = group.next_column().unwrap() {
            let defs: Vec<i16> = match column {
                0 => scores
                    .iter()
                    .enumerate()
                    .map(|(i, _)| i16::from(i % 3 != 0))
                    .collect(),
                1 => vec![1; scores.len()],
                _ => scores.iter().map(|s| i16::from(s.is_some())).collect(),
            };
            match column {
                0 | 1 => {
                    let text = if column == 0 { "F" } else { "White" };
                    let values: Vec<ByteArray> = defs
                        .iter()
                        .filter(|&&d| d == 1)
                        .map(|_| ByteArray::from(text))
                        .collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, Some(&defs), None)
                        .unwrap();
                }
                _ => {
                    let values: Vec<f64> = scores.iter().flatten().copied().collect();
                    col.typed::<DoubleType>()
                        .write_batch(&values, Some(&defs), None)
                        .unwrap();
                }
            }
            col.close().unwrap();
            column += 1;
        }
        group.close().unwrap();
        writer.close().unwrap();
    };
    let config = config("data.parquet", "scoring", ("true", "false"))
        .replace("selected = \"select\"\n", "")
        .replace("label = \"hired\"\n", "");
    let scores: Vec<Option<f64>> = (0..10).map(|i| Some(f64::from(i) / 4.0)).collect();
    write(&scores);
    let got = report(dir.path(), &config);
    assert_eq!(got["total"], 10);
    assert_eq!(got["median_score"], 1.125);
    // Every third sex is null: unknown.
    assert_eq!(got["dimensions"]["sex"]["unknown"], 4);
    let mut with_null = scores.clone();
    with_null[4] = None;
    with_null[8] = None;
    write(&with_null);
    metrics(dir.path(), &config)
        .code(2)
        .stderr(predicate::str::contains(
            "data.parquet:5:3 (field `score`): empty score (row 5 of row group 0)",
        ));
}

#[test]
fn a_broken_parquet_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("data.parquet"),
        b"PAR1 not really parquet PAR1",
    )
    .unwrap();
    metrics(
        dir.path(),
        &config("data.parquet", "selection", ("true", "false")),
    )
    .code(2)
    .stderr(predicate::str::contains("cannot read Parquet"));
}

#[test]
fn excel_errors_name_the_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let rows = applicants(30);
    let mut sheet = sheet_rows(&rows);
    sheet[12][4] = "e:#N/A".to_string();
    write_xlsx(
        &dir.path().join("data.xlsx"),
        &[
            ("Notes", vec![vec!["s:see the other sheet".into()]]),
            ("Applicants", sheet),
        ],
    );
    let excel = config("data.xlsx", "scoring", ("TRUE", "FALSE"));
    // The first sheet is read by default: it has no such columns.
    metrics(dir.path(), &excel)
        .code(2)
        .stderr(predicate::str::contains("sheet `Notes`: "))
        .stderr(predicate::str::contains("`order`"));
    let with_sheet = excel.replace(
        "outcome = \"scoring\"",
        "outcome = \"scoring\"\nsheet = \"Applicants\"",
    );
    metrics(dir.path(), &with_sheet)
        .code(2)
        .stderr(predicate::str::contains(
            "data.xlsx:13:5: sheet `Applicants`: cell holds the Excel error #N/A",
        ));
    metrics(
        dir.path(),
        &excel.replace(
            "outcome = \"scoring\"",
            "outcome = \"scoring\"\nsheet = \"Applicant\"",
        ),
    )
    .code(2)
    .stderr(predicate::str::contains(
        "no sheet `Applicant` in the workbook",
    ))
    .stderr(predicate::str::contains("did you mean `Applicants`?"));
}

#[test]
fn excel_values_read_as_excel_shows_them() {
    // A date, numbers, booleans, an empty row (skipped, as a blank line), a value outside the header.
    let dir = tempfile::tempdir().unwrap();
    let header = [
        "s:order",
        "s:ra\"ce",
        "s:select",
        "s:hired",
        "s:score",
        "s:applied",
    ]
    .map(String::from)
    .to_vec();
    let row = |sex: &str, selected: &str, score: &str| {
        vec![
            format!("s:{sex}"),
            "s:White".into(),
            format!("b:{selected}"),
            "n:1".into(),
            format!("n:{score}"),
            "d:45292".into(),
        ]
    };
    let sheet = vec![
        header.clone(),
        row("M", "1", "7"),
        vec![],
        row("F", "0", "6.5"),
        row("F", "1", "9"),
    ];
    write_xlsx(&dir.path().join("data.xlsx"), &[("Applicants", sheet)]);
    let config = config("data.xlsx", "scoring", ("TRUE", "FALSE"));
    let report = report(dir.path(), &config);
    assert_eq!(report["total"], 3);
    assert_eq!(report["median_score"], 7.0);
    let outcome: Vec<(String, u64)> = report["outcome_values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["column"] == "selected")
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_string(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcome,
        vec![("FALSE".to_string(), 1), ("TRUE".to_string(), 2)]
    );

    let mut sheet = vec![header, row("M", "1", "7")];
    sheet[1].push("s:stray".into());
    write_xlsx(&dir.path().join("data.xlsx"), &[("Applicants", sheet)]);
    metrics(dir.path(), &config)
        .code(2)
        .stderr(predicate::str::contains(
            "data.xlsx:2:7: sheet `Applicants`: a value beyond the last header column",
        ));
}

/// `[data.columns] stratum` over two columns (a text column with nulls, and an integer column):
/// the same strata and Mantel–Haenszel figures from CSV, Parquet in every layout, and Excel.
#[test]
fn strata_are_the_same_from_csv_parquet_and_excel() {
    let dir = tempfile::tempdir().unwrap();
    let rows = applicants(2500);
    write_csv(&dir.path().join("data.csv"), &rows);
    write_xlsx(
        &dir.path().join("data.xlsx"),
        &[("Applicants", sheet_rows(&rows))],
    );
    let stratified = |path: &str, truth: (&str, &str)| {
        config(path, "selection", truth).replace(
            "label = \"hired\"\n",
            "label = \"hired\"\nstratum = [\"ra\\\"ce\", \"hired\"]\n",
        )
    };
    let csv = report(dir.path(), &stratified("data.csv", ("true", "false")));
    let strata = &csv["analysis"]["strata"];
    let names: Vec<&str> = strata["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // Six race spellings (the null one blank, a stratum of its own) by two label values.
    assert_eq!(names.len(), 12, "{names:?}");
    assert!(names.contains(&"(blank) / 0") && names.contains(&"(blank) / 1"));
    let n: u64 = strata["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["n"].as_u64().unwrap())
        .sum();
    assert_eq!(n, 2500, "every row in exactly one stratum");
    assert!(strata["sex"][0]["cmh_p"].is_f64());
    for layout in [Layout::Dictionary, Layout::Plain, Layout::Delta] {
        for group_rows in [700, 7] {
            write_parquet_as(&dir.path().join("data.parquet"), &rows, group_rows, layout);
            let parquet = report(dir.path(), &stratified("data.parquet", ("true", "false")));
            assert_eq!(csv, parquet, "{layout:?}, groups of {group_rows}");
        }
    }
    let upper = std::fs::read_to_string(dir.path().join("data.csv"))
        .unwrap()
        .replace(",true,", ",TRUE,")
        .replace(",false,", ",FALSE,");
    std::fs::write(dir.path().join("upper.csv"), upper).unwrap();
    let csv_upper = report(dir.path(), &stratified("upper.csv", ("TRUE", "FALSE")));
    let excel = report(dir.path(), &stratified("data.xlsx", ("TRUE", "FALSE")));
    assert_eq!(csv_upper, excel, "Excel differs from CSV");
}
