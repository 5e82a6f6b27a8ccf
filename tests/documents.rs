//! The built documents say what the metrics say: build the bundled example, read the PDFs back with
//! poppler (`pdftotext`, `pdfdetach`), and find in them the exact rates and impact ratios that
//! `fairfile metrics --format json` reports, every field the LL144 summary must carry
//! (6 RCNY §5-303(a)), every Annex IV heading, and the embedded input manifest.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;
use fairfile::format;
use fairfile::render::ANNEX_IV;
use serde_json::Value;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");
const AUDIT_ID: &str = "acme-resumerank-2026";

struct Built {
    _dir: tempfile::TempDir,
    out: PathBuf,
}

impl Built {
    /// Build the example into a fresh folder (the example itself is only read).
    fn new() -> Built {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        Command::cargo_bin("fairfile")
            .unwrap()
            .args(["build", EXAMPLE, "--out"])
            .arg(&out)
            .assert()
            .success();
        Built { _dir: dir, out }
    }

    fn pdf(&self, doc: &str) -> PathBuf {
        self.out.join(format!("{AUDIT_ID}-{doc}-v1.pdf"))
    }
}

fn metrics_json() -> Value {
    metrics_json_of(Path::new(EXAMPLE))
}

fn metrics_json_of(audit: &Path) -> Value {
    let output = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("metrics")
        .arg(audit)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn pdftotext(pdf: &Path) -> String {
    pdftotext_mode(pdf, true)
}

/// The text of a PDF, in its layout (`-layout`: table rows stay on one line) or in reading order.
fn pdftotext_mode(pdf: &Path, layout: bool) -> String {
    let output = Command::new("pdftotext")
        .args(if layout { &["-layout"][..] } else { &[][..] })
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: apt-get install poppler-utils");
    assert!(
        output.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    // Typst puts a WORD JOINER before outline page numbers; drop it and the "small" marks.
    String::from_utf8(output.stdout)
        .unwrap()
        .replace(['\u{2060}', '†'], "")
}

/// Whether some line holds all `cells`, each as its own whitespace-separated run of text.
fn has_row(text: &str, cells: &[String]) -> bool {
    text.lines().any(|line| {
        let padded = format!(
            " {} ",
            line.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        cells
            .iter()
            .all(|cell| padded.contains(&format!(" {cell} ")))
    })
}

/// The cells a results row must show for one category of the metrics JSON: its name (for an
/// intersectional row, the sex and the race), applicants, selected, the rate as a percentage and
/// the impact ratio, each spelled by the documented rule (`fairfile::format`).
fn expected_cells(item: &Value) -> Vec<String> {
    let mut cells = match (item["sex"].as_str(), item["race"].as_str()) {
        (Some(sex), Some(race)) => vec![sex.to_string(), race.to_string()],
        _ => vec![item["category"].as_str().unwrap().to_string()],
    };
    cells.push(format::count(item["n"].as_u64().unwrap()));
    cells.push(format::count(item["selected"].as_u64().unwrap()));
    cells.push(format::rate(item["rate"].as_f64().unwrap()));
    cells.push(format::ratio(item["impact_ratio"].as_f64().unwrap()));
    cells
}

#[test]
fn documents_carry_the_metrics_and_every_required_field() {
    let built = Built::new();
    let metrics = metrics_json();
    let summary = pdftotext(&built.pdf("ll144-summary"));
    let technical_file = pdftotext(&built.pdf("eu-technical-file"));

    // Every category's figures, in both the LL144 summary and the technical file's bias examination.
    let mut rows = 0;
    for dim in ["sex", "race_ethnicity", "intersectional"] {
        for item in metrics["dimensions"][dim]["categories"].as_array().unwrap() {
            let cells = expected_cells(item);
            assert!(
                has_row(&summary, &cells),
                "LL144 summary lacks the row {cells:?}"
            );
            assert!(
                has_row(&technical_file, &cells),
                "technical file lacks the row {cells:?}"
            );
            rows += 1;
        }
    }
    assert_eq!(
        rows,
        2 + 7 + 14,
        "the example has every EEO-1 category and intersection"
    );

    // 6 RCNY §5-303(a): date of the audit, source and explanation of the data, the unknown
    // category, the number of applicants, the distribution date; and the auditor.
    for field in [
        "Date of the bias audit",
        "20 November 2026",
        "Distribution date of the tool",
        "1 March 2024",
        "Independent auditor",
        "Jane Roe",
        "Data used",
        "Historical data",
        "Historical data (6 RCNY § 5-302(a)). Every application to an",
        "Individuals assessed",
        "Unknown category",
        "Sex categories",
        "Race/ethnicity categories",
        "Intersectional categories",
    ] {
        assert!(summary.contains(field), "LL144 summary lacks {field:?}");
    }
    assert!(summary.contains(&format::count(metrics["total"].as_u64().unwrap())));
    for dim in ["sex", "race_ethnicity", "intersectional"] {
        let unknown = format::count(metrics["dimensions"][dim]["unknown"].as_u64().unwrap());
        assert!(
            summary.contains(&format!("{unknown} ")),
            "unknown count {unknown} ({dim}) missing"
        );
    }

    // The small-category footnote names its denominator in words: no Markdown code quotes.
    assert!(summary.contains(
        " small: under 2% of all individuals assessed, unknown categories included (6 RCNY"
    ));
    assert!(
        !summary.contains('`'),
        "a backtick printed literally in the summary"
    );

    // Annex IV points 1–9, each a heading of the technical file.
    for (number, (heading, _)) in ANNEX_IV.iter().enumerate() {
        let numbered = format!("{}. {heading}", number + 1);
        assert!(
            technical_file.contains(&numbered),
            "technical file lacks the heading {numbered:?}"
        );
    }

    // Every page says which audit, which version and which inputs (short content hash).
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(built.out.join("manifest-v1.json")).unwrap())
            .unwrap();
    let short_hash = &manifest["input_digest"].as_str().unwrap()[..12];
    for (name, text) in [("summary", &summary), ("technical file", &technical_file)] {
        let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
        assert!(
            text.matches(short_hash).count() >= pages,
            "{name}: content hash not on every page"
        );
        assert!(
            text.matches(AUDIT_ID).count() >= pages,
            "{name}: audit id not on every page"
        );
    }
}

#[test]
fn every_document_embeds_its_input_manifest() {
    let built = Built::new();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(built.out.join("manifest-v1.json")).unwrap())
            .unwrap();
    for doc in ["ll144-summary", "eu-technical-file", "compliance-matrix"] {
        let save = tempfile::tempdir().unwrap();
        let status = Command::new("pdfdetach")
            .args(["-saveall", "-o"])
            .arg(save.path())
            .arg(built.pdf(doc))
            .status()
            .expect("pdfdetach (poppler-utils) is needed");
        assert!(status.success());
        let embedded: Value =
            serde_json::from_slice(&std::fs::read(save.path().join("manifest.json")).unwrap())
                .unwrap();
        assert_eq!(embedded["document"], doc);
        assert_eq!(embedded["version"], 1);
        assert_eq!(embedded["input_digest"], manifest["input_digest"]);
        assert_eq!(embedded["inputs"], manifest["inputs"]);
    }
}

/// Whether a text shows a figure of the same-digits audit rounded some other way (ties to even,
/// truncated, or unrounded).
fn ties_to_even(text: &str) -> bool {
    text.split_whitespace()
        .any(|w| ["0.812", "0.8125", "81.2%", "81.25%", "81.25"].contains(&w))
}

/// Issue 8 §2: one audit whose impact ratio is exactly 0.8125 and whose rate is exactly 81.25 %
/// (binary fractions, so the ties are exact) shows the same digits in the terminal table of
/// `fairfile metrics`, in the PDF text, and in the JSON value rounded by the documented rule —
/// half away from zero, `0.813` and `81.3%`, where Rust's `{:.3}` would print `0.812`.
#[test]
fn the_same_digits_in_terminal_pdf_and_json() {
    let audit = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format/same-digits");
    let male = ["Male", "40,000", "32,500", "81.3%", "1.000"].map(String::from);
    let female = ["Female", "25,600", "16,900", "66.0%", "0.813"].map(String::from);

    // JSON: the exact values; the documented rule gives the digits above.
    let metrics = metrics_json_of(&audit);
    let sex = metrics["dimensions"]["sex"]["categories"]
        .as_array()
        .unwrap();
    let (m, f) = (&sex[0], &sex[1]);
    assert_eq!(
        (m["category"].as_str(), f["category"].as_str()),
        (Some("Male"), Some("Female"))
    );
    assert_eq!(m["rate"].as_f64(), Some(0.8125));
    assert_eq!(f["impact_ratio"].as_f64(), Some(0.8125));
    assert_eq!(expected_cells(m), male);
    assert_eq!(expected_cells(f), female);
    assert!(format::ROUNDING_RULE.contains("half away from zero"));

    // Terminal table.
    let output = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("metrics")
        .arg(&audit)
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(has_row(&table, &male), "terminal lacks {male:?}:\n{table}");
    assert!(
        has_row(&table, &female),
        "terminal lacks {female:?}:\n{table}"
    );
    assert!(!ties_to_even(&table), "{table}");
    assert!(table.contains(format::ROUNDING_RULE), "{table}");

    // PDF text: the LL144 summary, and the rounding rule in every document.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dist");
    Command::cargo_bin("fairfile")
        .unwrap()
        .arg("build")
        .arg(&audit)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let summary = pdftotext(&out.join("same-digits-ll144-summary-v1.pdf"));
    assert!(has_row(&summary, &male), "PDF lacks {male:?}:\n{summary}");
    assert!(
        has_row(&summary, &female),
        "PDF lacks {female:?}:\n{summary}"
    );
    assert!(!ties_to_even(&summary), "{summary}");
    for doc in ["ll144-summary", "compliance-matrix"] {
        let text = pdftotext_mode(&out.join(format!("same-digits-{doc}-v1.pdf")), false);
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words(&text).contains(&words(format::ROUNDING_RULE)),
            "{doc} does not state the rounding rule"
        );
    }
}
