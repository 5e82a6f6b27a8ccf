//! The adverse-impact analysis through the real binary: `metrics --analysis` prints it after the
//! LL144 tables (and only then), its numbers are the JSON's, the JSON is deterministic, the
//! unknowns' bounds hold on the DCWP's worked example, and millions of people cost little.

use std::path::{Path, PathBuf};
use std::time::Instant;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("examples/acme-resumerank")
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("metrics")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(dir: &Path) -> Value {
    serde_json::from_str(&run(dir, &["--format", "json"])).unwrap()
}

#[test]
fn the_table_shows_the_analysis_only_when_asked() {
    let plain = run(&example(), &[]);
    assert!(!plain.contains("Adverse-impact analysis"));
    let table = run(&example(), &["--analysis"]);
    assert!(
        table.starts_with(&plain),
        "the LL144 tables come first, unchanged"
    );
    let analysis = &table[plain.len()..];
    assert!(analysis.contains("Adverse-impact analysis (context, not a verdict)"));

    // The Black or African American row carries the JSON's numbers, rounded for display.
    let report = json(&example());
    let black = report["analysis"]["race_ethnicity"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "Black or African American")
        .unwrap();
    let row = analysis
        .lines()
        .find(|l| l.trim_start().starts_with("Black or African American "))
        .expect("a row for the category");
    let z = black["z"].as_f64().unwrap();
    let ratio = black["min_detectable_impact_ratio"].as_f64().unwrap();
    let (low, high) = (
        black["impact_ratio_low"].as_f64().unwrap(),
        black["impact_ratio_high"].as_f64().unwrap(),
    );
    for expected in [
        // Spelled by the one formatting module (true minus sign, half away from zero).
        fairfile::format::z_score(z),
        fairfile::format::ratio(ratio),
        format!(
            "{}–{}",
            fairfile::format::ratio(low),
            fairfile::format::ratio(high)
        ),
        black["unknowns_to_flip_four_fifths"].to_string(),
    ] {
        assert!(row.contains(&expected), "{expected:?} not in {row:?}");
    }
    assert!(
        z < -2.0,
        "the example's Black applicants are more than two standard deviations below"
    );
    // AIF360's differences and indices have their own lines.
    assert!(analysis.contains("AIF360 differences against the reference"));
    assert!(analysis.contains("Inequality of benefit"));
}

#[test]
fn the_json_is_deterministic() {
    let a = run(&example(), &["--format", "json"]);
    let b = run(&example(), &["--format", "json"]);
    assert_eq!(a, b);
    assert!(serde_json::from_str::<Value>(&a).is_ok());
}

#[test]
fn dcwp_example_bounds_and_holm() {
    // DCWP example 1: 250 people with unknown race or sex (6 RCNY §5-301 worked example).
    let report = json(&root().join("tests/fixtures/metrics/dcwp-example-1"));
    let analysis = &report["analysis"];
    assert!(analysis["note"].as_str().unwrap().contains("not a verdict"));
    for family in ["sex", "race_ethnicity", "intersectional"] {
        let table = &report["dimensions"][family];
        let a = &analysis[family];
        assert_eq!(a["unknown"], table["unknown"], "{family}");
        assert_eq!(a["known"], table["known"], "{family}");
        let categories = a["categories"].as_array().unwrap();
        let mut compared = 0;
        for (c, t) in categories
            .iter()
            .zip(table["categories"].as_array().unwrap())
        {
            assert_eq!(c["category"], t["category"]);
            if let Some(ratio) = t["impact_ratio"].as_f64() {
                let (low, high) = (
                    c["impact_ratio_low"].as_f64().unwrap(),
                    c["impact_ratio_high"].as_f64().unwrap(),
                );
                assert!(
                    low <= ratio && ratio <= high,
                    "{family} {}: {low} {ratio} {high}",
                    c["category"]
                );
            }
            if let (Some(p), Some(holm)) = (t["fisher_p"].as_f64(), c["fisher_p_holm"].as_f64()) {
                assert!(holm >= p && holm <= 1.0);
                compared += 1;
            }
        }
        assert_eq!(a["comparisons"], compared, "{family}");
    }
}

#[test]
fn millions_of_people_are_quick() {
    // 14 cells of about 700,000 people each: every Fisher test of the small-changes check runs on
    // tables in the millions.
    let dir = tempfile::tempdir().unwrap();
    let config =
        std::fs::read_to_string(root().join("tests/fixtures/metrics/dcwp-example-1/fairfile.toml"))
            .unwrap();
    std::fs::write(dir.path().join("fairfile.toml"), config).unwrap();
    let races = [
        "Hispanic or Latino",
        "White",
        "Black or African American",
        "Native Hawaiian or Pacific Islander",
        "Asian",
        "Native American or Alaska Native",
        "Two or More Races",
    ];
    let mut counts = String::from("sex,race,n,selected\n");
    for (s, sex) in ["Male", "Female"].iter().enumerate() {
        for (r, race) in races.iter().enumerate() {
            let n = 700_000 + 1_000 * (s * 7 + r) as u64;
            let selected = n * (30 + r as u64) / 100;
            counts.push_str(&format!("{sex},{race},{n},{selected}\n"));
        }
    }
    counts.push_str("unknown,unknown,400000,90000\n");
    std::fs::write(dir.path().join("counts.csv"), counts).unwrap();
    let start = Instant::now();
    let report = json(dir.path());
    let elapsed = start.elapsed();
    assert!(
        elapsed.as_secs_f64() < 10.0,
        "the analysis of 10 million people took {elapsed:?}"
    );
    let race = &report["analysis"]["race_ethnicity"];
    assert_eq!(race["unknown"], 400_000);
    let smallest = race["categories"][0]["min_detectable_impact_ratio"]
        .as_f64()
        .unwrap();
    assert!(
        smallest > 0.99,
        "with 1.4 million per category, a 1 % gap is detectable: {smallest}"
    );
}

/// `metrics` on a copy of the example whose config is edited by `edit`: exit code and stderr.
fn on_edited_example(edit: impl Fn(&str) -> String) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(example().join("fairfile.toml")).unwrap();
    std::fs::write(dir.path().join("fairfile.toml"), edit(&config)).unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::copy(
        example().join("data/applicants.csv"),
        dir.path().join("data/applicants.csv"),
    )
    .unwrap();
    failing_metrics(dir.path())
}

/// `metrics` on `dir`, expected to fail: exit code and stderr.
fn failing_metrics(dir: &Path) -> (Option<i32>, String) {
    let out = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("metrics")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A change to the example's `fairfile.toml`.
type Edit = Box<dyn Fn(&str) -> String>;

#[test]
fn stratum_is_refused_where_it_cannot_mean_anything() {
    let cases: [(&str, Edit); 5] = [
        (
            "`stratum` is for selection mode",
            Box::new(|c| c.replace("outcome = \"selection\"", "outcome = \"scoring\"")),
        ),
        (
            "`stratum` lists 5 columns, over fairfile's limit of 4 (MAX_STRATUM_COLUMNS)",
            Box::new(|c| {
                c.replace(
                    "stratum = \"requisition\"",
                    "stratum = [\"requisition\", \"job_title\", \"application_date\", \"score\", \"hired\"]",
                )
            }),
        ),
        (
            "`stratum` lists column \"requisition\" twice",
            Box::new(|c| {
                c.replace(
                    "stratum = \"requisition\"",
                    "stratum = [\"requisition\", \"requisition\"]",
                )
            }),
        ),
        (
            "column `requistion` ([data.columns] stratum) is not in the header",
            Box::new(|c| c.replace("stratum = \"requisition\"", "stratum = \"requistion\"")),
        ),
        (
            "cutoff_min_impact_ratio = 1.5 is not in (0, 1]",
            Box::new(|c| {
                c.replace(
                    "cutoff_min_impact_ratio = 0.8",
                    "cutoff_min_impact_ratio = 1.5",
                )
            }),
        ),
    ];
    for (needle, edit) in cases {
        let (code, stderr) = on_edited_example(edit);
        assert_eq!(code, Some(2), "{needle}: {stderr}");
        assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
    }
    // A misspelt column gets a suggestion.
    let (_, stderr) =
        on_edited_example(|c| c.replace("stratum = \"requisition\"", "stratum = \"requistion\""));
    assert!(stderr.contains("did you mean `requisition`?"), "{stderr}");
}

#[test]
fn stratum_with_counts_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        std::fs::read_to_string(root().join("tests/fixtures/metrics/dcwp-example-1/fairfile.toml"))
            .unwrap();
    let config = config.replacen(
        "[data.categories.sex]",
        "[data.columns]\nstratum = \"requisition\"\n\n[data.categories.sex]",
        1,
    );
    std::fs::write(dir.path().join("fairfile.toml"), config).unwrap();
    std::fs::write(
        dir.path().join("counts.csv"),
        "sex,race,n,selected\nMale,White,10,5\n",
    )
    .unwrap();
    let (code, stderr) = failing_metrics(dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("`stratum` needs row-level data (`path`), not counts"),
        "{stderr}"
    );
}
