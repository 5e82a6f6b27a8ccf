//! The adverse-impact analysis in the documents, through the real binary on the bundled example:
//! the forest plots (one per family, in the LL144 summary's statistical-context part and in the
//! EU technical file's bias examination), the strata and cut-off tables and the cut-off chart.
//! Their numbers are found in the PDFs' text and in the figures' alternative descriptions (PDF/UA
//! `/Alt`), spelled as `fairfile metrics` spells them; the pages render to PNG with ink on them;
//! a rebuild is byte-identical; a hostile category name is printed as text, never run.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod support;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fairfile(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_fairfile"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fairfile {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The example, copied into a temporary folder (optionally edited) and built.
fn built(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&root().join("examples/acme-resumerank"), dir.path());
    edit(dir.path());
    fairfile(&["build".as_ref(), dir.path().as_os_str()]);
    dir
}

fn pdf(dir: &Path, kind: &str) -> PathBuf {
    dir.join(format!("dist/acme-resumerank-2026-{kind}-v1.pdf"))
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    // One space between words, whatever the layout.
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every `/Alt` text of the PDF (tagged-PDF alternative descriptions), decoded.
fn alt_texts(pdf: &Path) -> Vec<String> {
    let qdf = pdf.with_extension("qdf.pdf");
    let status = Command::new("qpdf")
        .args([
            "--qdf".as_ref(),
            "--object-streams=disable".as_ref(),
            pdf.as_os_str(),
            qdf.as_os_str(),
        ])
        .status()
        .expect("qpdf is installed");
    assert!(status.success());
    let bytes = std::fs::read(&qdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let mut alts = Vec::new();
    // ASCII text is written as a literal string, with `\\`, `\(` and `\)` escaped.
    for part in text.split("/Alt (").skip(1) {
        let mut alt = String::new();
        let mut chars = part.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => alt.extend(chars.next()),
                ')' => break,
                c => alt.push(c),
            }
        }
        alts.push(alt);
    }
    for part in text.split("/Alt <").skip(1) {
        let hex: String = part.chars().take_while(|c| *c != '>').collect();
        let raw: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let units: Vec<u16> = raw
            .chunks(2)
            .skip(1) // the byte-order mark
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        alts.push(String::from_utf16(&units).unwrap());
    }
    alts
}

fn metrics(dir: &Path) -> Value {
    let out = fairfile(&[
        "metrics".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A page rendered by pdftoppm: a PNG with a fair amount of ink (the figure is drawn).
fn render_page(pdf: &Path, page: usize) -> f64 {
    let prefix = pdf.with_extension(format!("p{page}"));
    let status = Command::new("pdftoppm")
        .args([
            "-r",
            "50",
            "-gray",
            "-png",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
        ])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success());
    let png = std::fs::read_dir(prefix.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.to_string_lossy().starts_with(&*prefix.to_string_lossy())
                && p.extension().is_some_and(|e| e == "png")
        })
        .expect("a PNG");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let pixels = &buf[..info.buffer_size()];
    pixels.iter().filter(|&&v| v < 128).count() as f64 / pixels.len() as f64
}

/// The page (1-based) whose text contains `needle`.
fn page_with(pdf: &Path, needle: &str) -> usize {
    (1..200)
        .find(|&page| {
            let out = Command::new("pdftotext")
                .args(["-f", &page.to_string(), "-l", &page.to_string()])
                .arg(pdf)
                .arg("-")
                .output()
                .unwrap();
            if !out.status.success() {
                panic!("{needle:?} is on no page");
            }
            String::from_utf8_lossy(&out.stdout).contains(needle)
        })
        .unwrap()
}

#[test]
fn figures_carry_the_numbers_and_render() {
    let dir = built(|_| {});
    let m = metrics(dir.path());
    let summary = pdf(dir.path(), "ll144-summary");
    let technical = pdf(dir.path(), "eu-technical-file");
    let summary_text = pdftotext(&summary);
    let technical_text = pdftotext(&technical);
    assert!(summary_text.contains("Statistical context: figures"));

    // Each category's rate and interval, as the results table spells them, beside its marker and
    // in the figure's alt text; the flagged ones say so in words.
    let fmt_rate = fairfile::format::rate;
    let mut summary_alts = alt_texts(&summary);
    assert_eq!(summary_alts.len(), 3, "one forest plot per family");
    for (i, family) in ["sex", "race_ethnicity", "intersectional"]
        .iter()
        .enumerate()
    {
        for c in m["dimensions"][family]["categories"].as_array().unwrap() {
            let mut text = format!(
                "{}: {} [{}]",
                c["category"].as_str().unwrap(),
                fmt_rate(c["rate"].as_f64().unwrap()),
                fairfile::format::interval(
                    c["ci95_low"].as_f64().unwrap(),
                    c["ci95_high"].as_f64().unwrap()
                )
            );
            if c["reference"] == true {
                text.push_str(", reference");
            }
            if c["four_fifths_flag"] == true {
                text.push_str(", impact ratio below 0.800");
            }
            assert!(
                summary_alts[i].contains(&text),
                "{text:?} not in the alt text {:?}",
                summary_alts[i]
            );
            let shown = text.split_once(": ").unwrap().1;
            assert!(
                summary_text.contains(shown),
                "{shown:?} not printed in the summary"
            );
            assert!(
                technical_text.contains(shown),
                "{shown:?} not printed in the technical file"
            );
        }
    }
    summary_alts.sort();
    let mut technical_alts = alt_texts(&technical);
    assert_eq!(
        technical_alts.len(),
        4,
        "three forest plots and the cut-off chart"
    );
    let chart = technical_alts.remove(
        technical_alts
            .iter()
            .position(|a| a.starts_with("Line chart"))
            .expect("the cut-off chart's alt text"),
    );
    technical_alts.sort();
    assert_eq!(
        summary_alts, technical_alts,
        "the same figures in both documents"
    );

    // The cut-off chart names the cut-offs and every family's lowest ratio at each.
    let cutoffs = &m["analysis"]["cutoffs"];
    let nearest = cutoffs["nearest_meeting_min"]["cutoff"].as_f64().unwrap();
    assert!(chart.contains(&format!(
        "The nearest cut-off at which every impact ratio reaches the policy value is {}.",
        fairfile::format::number(nearest)
    )));
    assert!(chart.contains("The cut-off in use is 70."));
    let in_use = cutoffs["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["in_use"] == true)
        .unwrap();
    let lowest_race = in_use["race_ethnicity"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["impact_ratio"].as_f64())
        .fold(f64::INFINITY, f64::min);
    assert!(
        chart.contains(&format!(
            "{} at the cut-off in use",
            fairfile::format::ratio(lowest_race)
        )),
        "{chart}"
    );
    assert!(technical_text.contains(&format!(
        "score ≥ {}, selecting",
        fairfile::format::number(nearest)
    )));

    // The strata tables: one row per category, with the JSON's CMH p.
    assert!(technical_text.contains("Within strata (requisition): 12 strata"));
    let black = m["analysis"]["strata"]["race_ethnicity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "Black or African American")
        .unwrap();
    let odds = format!(
        "{} [{}, {}]",
        fairfile::format::ratio(black["common_odds_ratio"].as_f64().unwrap()),
        fairfile::format::ratio(black["common_odds_ratio_ci95_low"].as_f64().unwrap()),
        fairfile::format::ratio(black["common_odds_ratio_ci95_high"].as_f64().unwrap()),
    );
    assert!(
        technical_text.contains(&odds),
        "{odds} not in the technical file"
    );

    // The pages with figures render, with ink on them.
    for (file, needle) in [
        (&summary, "Statistical context: figures"),
        (&technical, "Lowest impact ratio per family"),
    ] {
        let page = page_with(file, needle);
        let ink = render_page(file, page);
        assert!(
            ink > 0.01,
            "page {page} of {} looks blank ({ink})",
            file.display()
        );
    }
}

#[test]
fn rebuilding_gives_the_same_bytes_and_hostile_names_stay_text() {
    let hostile = "Asian #emph[x] $y$ <b>\\\" ]";
    let rename = |dir: &Path| {
        let path = dir.join("fairfile.toml");
        let config = std::fs::read_to_string(&path).unwrap();
        let toml_name = hostile.replace('\\', "\\\\").replace('"', "\\\"");
        let config = config.replacen("\"Asian\" = [", &format!("\"{toml_name}\" = ["), 1);
        assert!(config.contains(&toml_name));
        std::fs::write(path, config).unwrap();
    };
    let a = built(rename);
    let b = built(rename);
    for kind in ["ll144-summary", "eu-technical-file"] {
        assert_eq!(
            std::fs::read(pdf(a.path(), kind)).unwrap(),
            std::fs::read(pdf(b.path(), kind)).unwrap(),
            "{kind} differs between two builds"
        );
    }
    let summary = pdf(a.path(), "ll144-summary");
    let text = pdftotext(&summary);
    assert!(text.contains(hostile), "the name printed as it is");
    assert!(
        alt_texts(&summary)
            .iter()
            .any(|alt| alt.contains(&format!("{hostile}: "))),
        "and in the alt text"
    );
    let html = std::fs::read_to_string(
        a.path()
            .join("dist/acme-resumerank-2026-ll144-summary-v1.html"),
    )
    .unwrap();
    assert!(!html.contains("<b>\\"));
    assert!(html.contains("Asian #emph[x] $y$ &#60;b&#62;"));
}
