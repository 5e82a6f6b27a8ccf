//! Differential test of the hand-written CSV fast path (`reader` + `rows`) against the `csv`
//! crate: for generated files — quoting, doubled quotes, delimiters and newlines inside quotes,
//! stray quotes, CRLF and lone CR, a BOM, blank lines, empty fields, padding, long fields,
//! ragged rows, invalid UTF-8, outcome values in neither list — fairfile's tally (every cell,
//! every distinct raw value's count, the rows read) equals the tally computed from the records
//! the `csv` crate reads, or both reject the file at the same line.
//!
//! Each file is read whole and in 2 and 3 parallel ranges (split points land inside quoted
//! fields, forcing the one-pass retry), with the default 1 MiB buffer and with a buffer of a few
//! bytes (every refill, growth and 64-byte block boundary on the way).

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;

use super::reader::TEST_BUFFERS;
use super::rows::read_with;
use crate::diag::Error;
use crate::ingest::testing::audit;

const CONFIG: &str = r#"
[audit]
id = "diff"
title = "Differential test"
organization = "Test Org"
system = "Screener"
audit_date = 2026-01-15
frameworks = ["nyc-ll144"]

[auditor]
name = "Auditor"
independent = true

[data]
path = "differential.csv"
kind = "historical"
description = "generated"
outcome = "selection"

[data.columns]
sex = "sex"
race = "race"
selected = "selected"

[data.values]
selected = ["1", "yes"]
not_selected = ["0", "no"]

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

const HEADER: [&str; 5] = ["id", "sex", "comment", "race", "selected"];
const SEX: &[(&str, Option<usize>)] = &[("M", Some(0)), ("F", Some(1)), ("", None)];
const RACE: &[(&str, Option<usize>)] = &[
    ("W", Some(0)),
    ("B", Some(1)),
    ("A", Some(2)),
    ("", None),
    ("U", None),
];

/// What both readers should agree on.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Per (sex slot, race slot): (n, selected); per (column, trimmed value): count; rows.
    Tally(
        BTreeMap<(Option<usize>, Option<usize>), (u64, u64)>,
        BTreeMap<(String, String), u64>,
        u64,
    ),
    /// Rejected at this line.
    Rejected(usize),
    /// Values no mapping names: (column, first line, rows) of each.
    Unmapped(std::collections::BTreeSet<(String, usize, u64)>),
}

/// The reference: the `csv` crate's records, mapped by a direct reading of the config.
fn reference(bytes: &[u8]) -> Outcome {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h
            .iter()
            .map(|f| String::from_utf8(f.trim_ascii().to_vec()).expect("generated header"))
            .collect(),
        _ => panic!("generated files have a header"),
    };
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (sex_at, race_at, selected_at) = (column("sex"), column("race"), column("selected"));
    let mut cells = BTreeMap::new();
    let mut values = BTreeMap::new();
    let mut rows = 0;
    let mut unmapped: BTreeMap<(String, String), (usize, u64)> = BTreeMap::new();
    for record in records {
        let record = record.expect("csv reads any bytes");
        // The line of the record's first byte (the `csv` crate's own line count lags by one after
        // a CRLF: it counts the LF when it reads the next record).
        let mut at = record.position().expect("records have positions").byte() as usize;
        while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1;
        if record.len() != header.len() {
            return Outcome::Rejected(line);
        }
        let text = |i: usize| std::str::from_utf8(record[i].trim_ascii()).ok();
        let (Some(sex), Some(race), Some(selected)) =
            (text(sex_at), text(race_at), text(selected_at))
        else {
            return Outcome::Rejected(line);
        };
        let selected = match selected {
            "1" | "yes" => true,
            "0" | "no" => false,
            _ => return Outcome::Rejected(line),
        };
        // A value no mapping names (a malformed row's fields can shift) is counted and reported
        // at the end with its first line, unless a row fault stops the reading first.
        let mut slot = |dim: &str, table: &[(&str, Option<usize>)], v: &str| {
            let found = table
                .iter()
                .find(|(raw, _)| *raw == v)
                .map(|&(_, slot)| slot);
            if found.is_none() {
                let entry = unmapped
                    .entry((dim.to_string(), v.to_string()))
                    .or_insert((line, 0));
                entry.1 += 1;
            }
            found.flatten()
        };
        let key = (slot("sex", SEX, sex), slot("race", RACE, race));
        let cell = cells.entry(key).or_insert((0, 0));
        cell.0 += 1;
        cell.1 += u64::from(selected);
        *values.entry(("sex".into(), sex.into())).or_insert(0) += 1;
        *values.entry(("race".into(), race.into())).or_insert(0) += 1;
        rows += 1;
    }
    if rows == 0 {
        // fairfile refuses a file without data rows.
        return Outcome::Rejected(0);
    }
    if !unmapped.is_empty() {
        return Outcome::Unmapped(
            unmapped
                .into_iter()
                .map(|((dim, _), (line, count))| (dim, line, count))
                .collect(),
        );
    }
    Outcome::Tally(cells, values, rows)
}

/// fairfile's reading of the file at `dir/differential.csv`.
fn fairfile(dir: &Path, threads: usize) -> Outcome {
    match read_with(
        &audit(dir, CONFIG),
        "differential.csv",
        &crate::events::Quiet,
        Some(threads),
    ) {
        Ok(got) => {
            let tally = &got.tally;
            let mut cells = BTreeMap::new();
            for s in (0..2).map(Some).chain([None]) {
                for r in (0..3).map(Some).chain([None]) {
                    let c = tally.cell(s, r);
                    if c.n > 0 {
                        cells.insert((s, r), (c.n, c.positive));
                    }
                }
            }
            let values = got
                .category_values
                .iter()
                .filter(|v| v.count > 0)
                .map(|v| ((v.dimension.clone(), v.value.clone()), v.count))
                .collect();
            Outcome::Tally(cells, values, got.data.rows_read)
        }
        Err(Error::Input(e)) if e.message.starts_with("unmapped") => unmapped(&[*e]),
        Err(Error::Inputs(errors)) => unmapped(&errors),
        Err(Error::Input(e)) => Outcome::Rejected(e.location.line.unwrap_or(0)),
        Err(e) if e.to_string().contains("no data rows") => Outcome::Rejected(0),
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

/// fairfile's unmapped-value errors as (column, first line, rows).
fn unmapped(errors: &[crate::diag::InputError]) -> Outcome {
    Outcome::Unmapped(
        errors
            .iter()
            .map(|e| {
                assert!(e.message.starts_with("unmapped "), "{}", e.message);
                let dim = e.message.split(' ').nth(1).unwrap().to_string();
                let (_, rows) = e.message.rsplit_once(": ").unwrap();
                let count = rows.split(' ').next().unwrap().parse().unwrap();
                (dim, e.location.line.unwrap(), count)
            })
            .collect(),
    )
}

/// One field's content, before encoding.
fn value(column: usize) -> BoxedStrategy<Vec<u8>> {
    let padded = |pool: &'static [&'static str]| {
        (
            proptest::sample::select(pool),
            proptest::sample::select(&["", " ", "\t", "  "][..]),
            proptest::sample::select(&["", " ", "\t"][..]),
        )
            .prop_map(|(v, a, b)| format!("{a}{v}{b}").into_bytes())
    };
    match HEADER[column] {
        "sex" => prop_oneof![
            20 => padded(&["M", "F", ""]),
            1 => Just(b"\xffM".to_vec()),
        ]
        .boxed(),
        "race" => prop_oneof![
            20 => padded(&["W", "B", "A", "", "U"]),
            1 => Just(b"W\xc3".to_vec()),
        ]
        .boxed(),
        "selected" => prop_oneof![
            30 => padded(&["1", "0", "yes", "no"]),
            1 => Just(b"maybe".to_vec()),
            1 => Just(b"\xfe".to_vec()),
        ]
        .boxed(),
        // Free text: anything, the bytes CSV cares about most often, sometimes long.
        _ => prop_oneof![
            8 => proptest::collection::vec(
                proptest::sample::select(b"ab ,\"\n\r\t\xc3\xa9\xff;x".to_vec()),
                0..12,
            ),
            1 => (1usize..3000, proptest::sample::select(b"a,\n\"".to_vec()))
                .prop_map(|(n, special)| {
                    let mut v = vec![b'z'; n];
                    v[n / 2] = special;
                    v
                }),
        ]
        .boxed(),
    }
}

/// How a field is written: plain when it can be, quoted when it must be or at random, or as
/// raw bytes whatever they hold (stray quotes, bare delimiters: malformed, but both readers
/// must still agree).
fn encode(v: &[u8], style: u8) -> Vec<u8> {
    let needs_quotes = v.iter().any(|b| b",\"\r\n".contains(b));
    match style {
        0 if !needs_quotes => v.to_vec(),
        0 | 1 => {
            let mut out = vec![b'"'];
            for &b in v {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
            out
        }
        _ => v.to_vec(),
    }
}

/// A generated row: its fields (value, style), a drop/extra-field choice, its terminator, and
/// blank lines after it.
type Row = (Vec<(Vec<u8>, u8)>, u8, &'static str, &'static str);

fn row() -> impl Strategy<Value = Row> {
    (
        (0..HEADER.len())
            .map(|c| {
                (
                    value(c),
                    prop_oneof![12 => Just(0u8), 4 => Just(1u8), 1 => Just(2u8)],
                )
            })
            .collect::<Vec<_>>(),
        prop_oneof![40 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        proptest::sample::select(&["\n", "\n", "\r\n", "\r\n", "\r"][..]),
        proptest::sample::select(&["", "", "", "", "", "\n", "\r\n", "\n\n"][..]),
    )
}

fn file(bom: bool, quoted_header: bool, rows: &[Row], final_terminator: bool) -> Vec<u8> {
    let mut out = if bom {
        b"\xef\xbb\xbf".to_vec()
    } else {
        Vec::new()
    };
    let header: Vec<Vec<u8>> = HEADER
        .iter()
        .map(|h| encode(h.as_bytes(), u8::from(quoted_header)))
        .collect();
    out.extend(header.join(&b","[..]));
    out.extend(b"\r\n");
    for (i, (fields, shape, terminator, blank)) in rows.iter().enumerate() {
        let mut encoded: Vec<Vec<u8>> = fields.iter().map(|(v, s)| encode(v, *s)).collect();
        match shape {
            1 => {
                encoded.pop();
            }
            2 => encoded.push(b"extra".to_vec()),
            _ => {}
        }
        out.extend(encoded.join(&b","[..]));
        if i + 1 < rows.len() || final_terminator {
            out.extend(terminator.as_bytes());
            out.extend(blank.as_bytes());
        }
    }
    out
}

/// Read `bytes` every way fairfile can and compare each with the reference.
fn compare(bytes: &[u8], small_buffer: usize) -> std::result::Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("differential.csv");
    std::fs::write(&path, bytes).unwrap();
    let expected = reference(bytes);
    for buffer in [None, Some(small_buffer)] {
        if let Some(b) = buffer {
            TEST_BUFFERS.lock().unwrap().push((path.clone(), b));
        }
        for threads in [1, 2, 3] {
            let got = fairfile(dir.path(), threads);
            prop_assert_eq!(
                &got,
                &expected,
                "{} threads, buffer {:?}, file {:?}",
                threads,
                buffer,
                String::from_utf8_lossy(bytes)
            );
        }
    }
    TEST_BUFFERS.lock().unwrap().retain(|(p, _)| *p != path);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fast_path_tally_equals_the_csv_crate(
        bom in proptest::bool::ANY,
        quoted_header in proptest::bool::weighted(0.2),
        rows in proptest::collection::vec(row(), 1..60),
        final_terminator in proptest::bool::weighted(0.8),
        small_buffer in 1usize..80,
    ) {
        compare(&file(bom, quoted_header, &rows, final_terminator), small_buffer)?;
    }
}

/// A file of a few MiB: records cross the default 1 MiB buffer's refills and the real split
/// points of parallel reading, with quoted multi-line fields straddling them.
#[test]
fn a_large_file_crosses_the_default_buffer_and_split_points() {
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |m: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % m
    };
    let mut rows = Vec::new();
    let mut size = 0;
    while size < 3 << 20 {
        let comment: Vec<u8> = match next(4) {
            0 => b"\"multi\nline, \"\"quoted\"\"\r\n\"".to_vec(),
            1 => vec![b'c'; next(5000) as usize],
            _ => Vec::new(),
        };
        let fields = vec![
            (format!("{}", rows.len()).into_bytes(), 0),
            (["M", " F", ""][next(3) as usize].as_bytes().to_vec(), 0),
            (comment, 2),
            (
                ["W", "B", "A", "", "U"][next(5) as usize]
                    .as_bytes()
                    .to_vec(),
                next(2) as u8,
            ),
            (
                ["1", "0", "yes", "no"][next(4) as usize]
                    .as_bytes()
                    .to_vec(),
                0,
            ),
        ];
        size += fields.iter().map(|(f, _)| f.len() + 1).sum::<usize>();
        rows.push((fields, 0, ["\n", "\r\n"][next(2) as usize], ""));
    }
    let bytes = file(false, false, &rows, true);
    let expected = reference(&bytes);
    assert!(matches!(expected, Outcome::Tally(..)));
    compare(&bytes, 4096).unwrap();
}
