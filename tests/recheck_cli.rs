//! `fairfile recheck` run as the real binary: the DCWP's worked examples, the published examples
//! in `examples/published/`, batch mode on a folder, input errors and `--to-counts`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/recheck").join(name)
}

fn fairfile() -> Command {
    Command::cargo_bin("fairfile").unwrap()
}

/// `recheck PATH --format json --as-of DATE`: (exit code, JSON).
fn recheck_json(path: &Path, as_of: &str) -> (i32, Value) {
    let out = fairfile()
        .args(["recheck", "--format", "json", "--as-of", as_of])
        .arg(path)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

fn codes(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dcwp_example_2_is_clean() {
    // Scoring, rates only, "64.2%" for 18/28 (truncated), "62.5" without "%", ".67".
    fairfile()
        .args(["recheck", "--as-of", "2023-12-01"])
        .arg(fixture("dcwp-example-2.csv"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "dcwp-example-2.csv (DCWP Example 2, culture-fit scoring AEDT): clean: no findings",
        ));
}

#[test]
fn dcwp_example_1_has_only_its_hispanic_inconsistency() {
    // Every rate and ratio of Example 1 follows from its counts; its Hispanic race row (408
    // applicants, 204 selected) is 13 applicants but 32 selections more than its intersectional
    // rows (395, 172), which no individual of unknown sex can explain.
    let (code, json) = recheck_json(&fixture("dcwp-example-1.csv"), "2023-12-01");
    assert_eq!(code, 1);
    assert_eq!(codes(&json), vec!["inconsistent.intersectional-totals"]);
    let f = &json["findings"][0];
    assert_eq!(f["category"], "Hispanic or Latino");
    assert_eq!(f["table"], "race_ethnicity");
    assert_eq!(f["line"], 5);
    assert_eq!(f["printed"], "204 of 408");
    assert_eq!(f["expected"], "172 to 185 selected");
}

#[test]
fn stale_depends_on_as_of() {
    let (_, json) = recheck_json(&fixture("dcwp-example-2.csv"), "2024-04-07");
    assert_eq!(codes(&json), vec!["stale.audit"]);
    assert_eq!(json["findings"][0]["rule"], "6 RCNY §5-301(a)");
    let (code, _) = recheck_json(&fixture("dcwp-example-2.csv"), "2024-04-06");
    assert_eq!(code, 0);
}

#[test]
fn published_examples_in_batch() {
    let (code, json) = recheck_json(&root().join("examples/published"), "2024-06-01");
    assert_eq!(code, 1);
    assert_eq!(json["schema"], "fairfile-recheck/1");
    assert_eq!(json["as_of"], "2024-06-01");
    let files: Vec<&str> = json["summaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["adp-2023.csv", "cigna-2023.csv"]);
    // The counts examples/published/README.md quotes.
    let tally: Vec<(u64, u64)> = json["summaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["errors"].as_u64().unwrap(),
                s["warnings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tally, [(8, 1), (4, 6)]);
    // Every finding row has the same columns, for a spreadsheet.
    let keys = [
        "file", "code", "kind", "severity", "rule", "table", "category", "line", "printed",
        "expected", "basis", "message",
    ];
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    for f in json["findings"].as_array().unwrap() {
        let obj = f.as_object().unwrap();
        assert_eq!(obj.keys().map(String::as_str).collect::<Vec<_>>(), keys);
    }
    let of = |file: &str| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["file"] == file)
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let cigna = of("cigna-2023.csv");
    // Ratios of the rounded rates (Female 0.78 / 0.78 = 1.00 where the counts give 0.9899).
    assert!(
        cigna.contains(&"impossible.impact-ratio-rounded-rates".to_string()),
        "{cigna:?}"
    );
    assert!(cigna.contains(&"missing.unknown-count".to_string()));
    assert!(
        cigna.contains(&"missing.category".to_string()),
        "NHPI absent from the race table"
    );
    assert!(
        !cigna
            .iter()
            .any(|c| c == "impossible.rate" || c == "impossible.impact-ratio"),
        "{cigna:?}"
    );
    let adp = of("adp-2023.csv");
    assert!(
        adp.contains(&"inconsistent.table-totals".to_string()),
        "{adp:?}"
    );
    assert!(!adp.iter().any(|c| c.starts_with("impossible.")), "{adp:?}");
    // Byte-identical output for the same inputs.
    let again = recheck_json(&root().join("examples/published"), "2024-06-01").1;
    assert_eq!(json, again);
}

#[test]
fn table_lists_every_summary() {
    fairfile()
        .args(["recheck", "--as-of", "2024-06-01"])
        .arg(root().join("examples/published"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("SUMMARY"))
        .stdout(predicate::str::contains("cigna-2023.csv (Cigna): "))
        .stdout(predicate::str::contains(
            "adp-2023.csv (ADP, candidate relevancy): ",
        ))
        .stdout(predicate::str::contains("6 RCNY §5-303(a)(1)"));
}

#[test]
fn an_unreadable_summary_in_a_folder_exits_2_after_the_others() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["dcwp-example-2.csv", "dcwp-example-2.toml"] {
        std::fs::copy(fixture(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(
        dir.path().join("broken.csv"),
        "table,sex,race,applicants,selected,rate,impact_ratio\nsex,Male,,12,5,4O%,1.00\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.toml"), "outcome = \"selection\"\n").unwrap();
    fairfile()
        .args(["recheck", "--as-of", "2023-12-01"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "dcwp-example-2.csv (DCWP Example 2",
        ))
        .stderr(predicate::str::contains("broken.csv:2:6 (field `rate`)"));
}

#[test]
fn missing_statement_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    std::fs::write(&csv, "table,sex,race,applicants,rate,impact_ratio\n").unwrap();
    fairfile()
        .arg("recheck")
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("s.toml: no statement file beside"));
}

#[test]
fn to_counts_rebuilds_the_dcwp_counts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("counts.csv");
    fairfile()
        .arg("recheck")
        .arg(fixture("dcwp-example-1.csv"))
        .arg("--to-counts")
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("Hispanic or Latino (line 5)"))
        .stderr(predicate::str::contains(
            "250 individuals in an unknown category",
        ));
    let written = std::fs::read_to_string(&out).unwrap();
    // The 14 cells are the ones tests/fixtures/metrics/dcwp-example-1 holds.
    let reference =
        std::fs::read_to_string(root().join("tests/fixtures/metrics/dcwp-example-1/counts.csv"))
            .unwrap();
    let mut cells: Vec<&str> = reference.lines().take(15).collect();
    let mut lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "sex,race,n,selected");
    cells.sort_unstable();
    lines.sort_unstable();
    assert_eq!(lines, cells);
}

#[test]
fn to_counts_feeds_fairfile_metrics() {
    // The counts written from Example 1's summary, under the config of the metrics fixture, give
    // the same sex and intersectional tables as the fixture's own counts (which add the 250
    // unknown individuals the summary gives no selections for).
    let dir = tempfile::tempdir().unwrap();
    let fixture_dir = root().join("tests/fixtures/metrics/dcwp-example-1");
    std::fs::copy(
        fixture_dir.join("fairfile.toml"),
        dir.path().join("fairfile.toml"),
    )
    .unwrap();
    fairfile()
        .arg("recheck")
        .arg(fixture("dcwp-example-1.csv"))
        .arg("--to-counts")
        .arg(dir.path().join("counts.csv"))
        .assert()
        .code(0);
    let metrics = |audit: &Path| -> Value {
        let out = fairfile()
            .args(["metrics", "--format", "json"])
            .arg(audit)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let ours = metrics(dir.path());
    let theirs = metrics(&fixture_dir);
    let table = |m: &Value, dim: &str| -> Vec<Value> {
        m["dimensions"][dim]["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                serde_json::json!([
                    c["category"],
                    c["n"],
                    c["selected"],
                    c["rate"],
                    c["impact_ratio"]
                ])
            })
            .collect()
    };
    for dim in ["sex", "intersectional"] {
        assert!(!table(&ours, dim).is_empty(), "{dim}");
        assert_eq!(table(&ours, dim), table(&theirs, dim), "{dim}");
    }
}

#[test]
fn to_counts_takes_a_count_from_its_rate_only_when_unique() {
    // Example 2 prints rates only; each intersectional count is the only whole number that
    // prints as its rate.
    let dir = tempfile::tempdir().unwrap();
    fairfile()
        .arg("recheck")
        .arg(fixture("dcwp-example-2.csv"))
        .arg("--to-counts")
        .arg(dir.path().join("counts.csv"))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("set [data] median_score"));
    let counts = std::fs::read_to_string(dir.path().join("counts.csv")).unwrap();
    assert!(
        counts.starts_with("sex,race,n,above_median\nMale,Hispanic or Latino,16,12\n"),
        "{counts}"
    );
    assert_eq!(counts.lines().count(), 15);
    // The race table's Hispanic 64.2 % of 28 is 18, as its cells give (12 + 6).
    assert!(
        counts.contains("Female,Hispanic or Latino,12,6\n"),
        "{counts}"
    );
}

#[test]
fn help_says_what_and_how() {
    fairfile()
        .args(["recheck", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Recheck a published LL144 summary",
        ))
        .stdout(predicate::str::contains(
            "fairfile recheck examples/published",
        ))
        .stdout(predicate::str::contains("Exit status"));
}
