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
//! mapped column for a value seen before ([`super::values::ValueTable::lookup`]: no trimming,
//! UTF-8 check or hashing of the bytes), and for scores a plain-decimal fast path
//! ([`super::decimal`]).
//!
//! This file dispatches on the format and wires the steps, one file each under `rows/`:
//! `plan.rs` (which columns mean what), `count.rs` (the per-row hot path over one byte range),
//! `parallel.rs` (ranges and threads), `finish.rs` (the counts turned into the report's data) and
//! `faults.rs` (row problems and their error text).

mod count;
mod faults;
mod finish;
mod parallel;
mod parquet;
mod parquet_guard;
mod plan;
mod strata;

use std::path::Path;
use std::thread;

use super::reader::{Record, RecordReader};
use super::tabular::{Format, Source, Stop};
use super::{Ingested, data_file_size, empty_file};
use crate::config::Audit;
use crate::diag::{Error, InputError, Location, Result};
use crate::events::{Events, Progress};
use count::Tallier;
use faults::{fault_error_at, read_error};
use parallel::{reader_threads, tally_file};
use plan::RowPlan;

pub(super) fn read(audit: &Audit, relative: &str, events: &dyn Events) -> Result<Ingested> {
    read_with(audit, relative, events, None)
}

/// [`read`] with a fixed number of reader threads (tests), or one per core and 8 MiB.
pub(super) fn read_with(
    audit: &Audit,
    relative: &str,
    events: &dyn Events,
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

    events.progress(Progress::Started {
        path: &path,
        bytes: size - header_end,
    });
    let (hash, tallied) = thread::scope(|s| {
        let hasher = s.spawn(|| crate::hash::sha256_file(&path));
        let tallied = tally_file(
            &plan,
            header_end,
            size,
            events,
            threads.unwrap_or_else(|| reader_threads(size - header_end)),
        );
        (hasher.join(), tallied)
    });
    events.progress(Progress::Finished);
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
    if format == Format::Parquet {
        return parquet::read(audit, relative, path, &plan);
    }
    let used: Vec<usize> = [
        plan.sex.as_ref().map(|c| c.index),
        plan.race.as_ref().map(|c| c.index),
    ]
    .into_iter()
    .chain([plan.selected, plan.score, plan.label])
    .flatten()
    .chain(plan.strata.iter().copied())
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::events::Quiet;
    use crate::ingest::testing::{SELECTION, audit};
    use crate::ingest::{Cell, ScoreCounts};

    /// How often parallel reading fell back to one pass (split inside quotes).
    pub(super) static ONE_PASS_RETRIES: AtomicUsize = AtomicUsize::new(0);

    fn ingest(dir: &Path, config: &str, threads: usize) -> Result<Ingested> {
        read_with(&audit(dir, config), "data.csv", &Quiet, Some(threads))
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

    fn stratified(config: &str, columns: &str) -> String {
        config.replace(
            "label = \"hired\"",
            &format!("label = \"hired\"\nstratum = {columns}"),
        )
    }

    #[test]
    fn strata_are_counted_the_same_whatever_the_split() {
        let dir = tempfile::tempdir().unwrap();
        for multiline in [false, true] {
            std::fs::write(dir.path().join("data.csv"), applicants(3000, multiline)).unwrap();
            for columns in ["\"race\"", "[\"race\", \"hired\"]"] {
                let config = stratified(SELECTION, columns);
                let one = ingest(dir.path(), &config, 1).unwrap();
                let strata = one.tally.strata.as_ref().expect("strata counted");
                // Every row is in exactly one stratum, and the strata add up to the tally.
                let mut sum = vec![Cell::default(); one.tally.cell_count()];
                for s in &strata.strata {
                    for (total, c) in sum.iter_mut().zip(&s.cells) {
                        total.add(c);
                    }
                }
                let whole = one.tally.with_cells(&sum);
                assert_eq!(whole.total(), 3000);
                for sex in [Some(0), Some(1), None] {
                    for race in [Some(0), Some(1), Some(2), None] {
                        assert_eq!(whole.cell(sex, race), one.tally.cell(sex, race));
                    }
                }
                // The blank race is a stratum of its own (named "(blank)"), sorted first.
                assert_eq!(strata.strata[0].values[0], "");
                assert!(strata.strata[0].name().starts_with("(blank)"));
                let expected = if columns.starts_with('[') { 10 } else { 5 };
                assert_eq!(strata.strata.len(), expected, "{columns}");
                for threads in [2, 3, 5, 16] {
                    let many = ingest(dir.path(), &config, threads).unwrap();
                    assert_eq!(many, one, "{threads} threads, multiline {multiline}");
                }
            }
        }
    }

    #[test]
    fn too_many_strata_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("id,sex,race,comment,selected,score,hired\n");
        for i in 0..(crate::limits::MAX_STRATA + 10) {
            text.push_str(&format!("{i},M,W,,1,1.0,0\n"));
        }
        std::fs::write(dir.path().join("data.csv"), text).unwrap();
        for threads in [1, 3] {
            let config = stratified(SELECTION, "\"id\"");
            let error = ingest(dir.path(), &config, threads)
                .unwrap_err()
                .to_string();
            assert!(error.contains("more than 5000 distinct strata"), "{error}");
            if threads == 1 {
                assert!(
                    error.contains(&format!(":{}", crate::limits::MAX_STRATA + 2)),
                    "{error}"
                );
            }
        }
    }

    #[test]
    fn counts_per_score_are_kept_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let distinct = crate::limits::MAX_SCORE_BUCKETS;
        for (scores, threads) in [
            (distinct, 1),
            (distinct, 3),
            (distinct + 1, 1),
            (distinct + 1, 3),
        ] {
            let mut text = String::from("id,sex,race,comment,selected,score,hired\n");
            for i in 0..20_000 {
                text.push_str(&format!("{i},M,W,,1,{},0\n", i % scores));
            }
            std::fs::write(dir.path().join("data.csv"), &text).unwrap();
            for config in [SELECTION.to_string(), scoring(SELECTION)] {
                let got = ingest(dir.path(), &config, threads).unwrap().tally.scores;
                match got {
                    ScoreCounts::Counts { values, counts } if scores == distinct => {
                        assert_eq!(values.len(), distinct);
                        assert!(values.windows(2).all(|w| w[0] < w[1]));
                        assert_eq!(counts.iter().sum::<u64>(), 20_000);
                    }
                    ScoreCounts::TooMany if scores > distinct => {}
                    other => panic!("{scores} distinct scores, {threads} threads: {other:?}"),
                }
            }
        }
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
