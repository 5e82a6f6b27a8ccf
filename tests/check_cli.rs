//! `fairfile check` and `fairfile frameworks` run as the real binary, on copies of
//! `tests/fixtures/check/audit` (its own small frameworks, 40 applicants, one evidence document
//! per obligation), and (read only) on the bundled example with the shipped frameworks.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod support;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/audit")
}

/// A private copy of the fixture audit.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&fixture(), dir.path());
    dir
}

fn fairfile() -> Command {
    Command::cargo_bin("fairfile").unwrap()
}

fn check_json(dir: &Path, extra: &[&str]) -> Value {
    let out = fairfile()
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn status(report: &Value, framework: &str, obligation: &str) -> String {
    let fw = report["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == framework)
        .unwrap();
    let ob = fw["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == obligation)
        .unwrap();
    ob["status"].as_str().unwrap().to_string()
}

#[test]
fn json_report_follows_the_schema() {
    let report = check_json(&fixture(), &[]);
    assert_eq!(report["schema"], "fairfile.check/1");
    assert_eq!(report["audit_id"], "fixture-2026");
    assert_eq!(report["as_of"], "2026-03-10");
    let ll = &report["frameworks"][0];
    assert_eq!(ll["id"], "test-ll");
    assert_eq!(ll["counts"]["met"], 5);
    assert_eq!(ll["counts"]["not_applicable"], 1);
    let ob = &ll["obligations"][0];
    for key in [
        "id",
        "cite",
        "title",
        "status",
        "reason",
        "evidence",
        "missing_kinds",
        "in_force",
        "applicability_undecided",
    ] {
        assert!(ob.get(key).is_some(), "obligation has no {key}: {ob}");
    }
    assert_eq!(ob["evidence"][0]["path"], "evidence/bias-audit.md");
    assert_eq!(ob["evidence"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(status(&report, "test-ll", "calc-sex"), "met");
    assert_eq!(status(&report, "test-eu", "art-9"), "not_applicable");
    assert_eq!(report["crosswalk"][0]["path"], "evidence/bias-audit.md");
    assert_eq!(report["unreferenced_files"], Value::Array(vec![]));
}

#[test]
fn json_is_byte_identical_across_runs() {
    let a = fairfile()
        .arg("check")
        .arg(fixture())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let b = fairfile()
        .arg("check")
        .arg(fixture())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn table_groups_by_framework_with_summaries() {
    fairfile()
        .arg("check")
        .arg(fixture())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "test-ll: Test local law on automated hiring tools",
        ))
        .stdout(predicate::str::contains("met by evidence/bias-audit.md"))
        .stdout(predicate::str::contains(
            "  test-ll: 5/6 met, 1 not applicable\n",
        ))
        .stdout(predicate::str::contains(
            "  test-eu: 4/6 met, 2 not applicable\n",
        ));
}

#[test]
fn fail_on_missing_gates_with_exit_1() {
    let dir = copy();
    std::fs::remove_file(dir.path().join("evidence/bias-audit.md")).unwrap();
    fairfile().arg("check").arg(dir.path()).assert().success();
    fairfile()
        .arg("check")
        .arg(dir.path())
        .args(["--fail-on", "missing,stale"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "test-ll: 4/6 met, 1 missing, 1 not applicable",
        ))
        // The orphaned attachment is shown, not ignored.
        .stdout(predicate::str::contains(
            "[E009 unreferenced-file] evidence/bias-audit-tables.csv",
        ));
    fairfile()
        .arg("check")
        .arg(dir.path())
        .args(["--fail-on", "stale,failing"])
        .assert()
        .success();
}

#[test]
fn as_of_past_an_expiry_is_stale_and_gates() {
    let report = check_json(&fixture(), &["--as-of", "2027-01-04"]);
    assert_eq!(report["as_of"], "2027-01-04");
    assert_eq!(status(&report, "test-eu", "art-26-7"), "stale");
    fairfile()
        .arg("check")
        .arg(fixture())
        .args(["--as-of", "2027-01-04", "--fail-on", "stale"])
        .assert()
        .code(1);
    fairfile()
        .arg("check")
        .arg(fixture())
        .args(["--as-of", "2027-01-04", "--fail-on", "missing"])
        .assert()
        .success();
}

#[test]
fn unreferenced_file_appears_in_json_and_on_stderr() {
    let dir = copy();
    std::fs::write(dir.path().join("evidence/photo.jpg"), b"jpeg").unwrap();
    let out = fairfile()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["unreferenced_files"][0]["path"],
        "evidence/photo.jpg"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("warning: [E009 unreferenced-file] evidence/photo.jpg")
    );
}

#[test]
fn input_errors_exit_2_with_location() {
    // Unknown framework id in fairfile.toml.
    let dir = copy();
    let config = std::fs::read_to_string(dir.path().join("fairfile.toml")).unwrap();
    std::fs::write(
        dir.path().join("fairfile.toml"),
        config.replace("\"test-ll\", \"test-eu\"]", "\"test-l\", \"test-eu\"]"),
    )
    .unwrap();
    fairfile()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fairfile.toml:10:"))
        .stderr(predicate::str::contains("[A001 unknown-framework]"))
        .stderr(predicate::str::contains("did you mean \"test-ll\"?"));

    // A misspelt kind in an evidence document.
    let dir = copy();
    let doc = dir.path().join("evidence/candidate-notice.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, text.replace("candidate_notice", "candidate_notices")).unwrap();
    fairfile()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "candidate-notice.md:2:8 (field `kind`): [E003 unknown-evidence-kind]",
        ))
        .stderr(predicate::str::contains(
            "did you mean \"candidate_notice\"?",
        ));

    // Usage errors.
    fairfile()
        .arg("check")
        .arg(fixture())
        .args(["--as-of", "2026-13-01"])
        .assert()
        .code(2);
    fairfile()
        .arg("check")
        .arg(fixture())
        .args(["--fail-on", "late"])
        .assert()
        .code(2);
    fairfile()
        .arg("check")
        .arg(dir.path().join("nowhere"))
        .assert()
        .code(2);
}

#[test]
fn frameworks_list_and_show() {
    fairfile()
        .args(["frameworks", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nyc-ll144"))
        .stdout(predicate::str::contains("eu-ai-act"));
    fairfile()
        .args(["frameworks", "list", "--audit"])
        .arg(fixture())
        .assert()
        .success()
        .stdout(predicate::str::contains("test-eu    Test AI regulation"))
        .stdout(predicate::str::contains(
            "frameworks/test-eu.toml; used by this audit",
        ));
    fairfile()
        .args(["frameworks", "show", "test-ll", "--audit"])
        .arg(fixture())
        .assert()
        .success()
        .stdout(predicate::str::contains("candidate_notice"))
        .stdout(predicate::str::contains(
            "evidence: candidate_notice; dated at least 10 business days before planned_use_date",
        ));
    let out = fairfile()
        .args(["frameworks", "show", "nyc-ll144", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let fw: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(fw["id"], "nyc-ll144");
    assert_eq!(fw["source"]["path"], "builtin:frameworks/nyc-ll144.toml");
    fairfile()
        .args(["frameworks", "show", "nyc-ll14"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"nyc-ll144\"?"));
}

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");

/// The bundled example declares the facts of issue 8 §4's obligations, and the README quotes the
/// summary `check` prints for it (so a changed count cannot leave the README behind).
#[test]
fn example_facts_decide_the_added_obligations_and_the_readme_quotes_its_summary() {
    let report = check_json(Path::new(EXAMPLE), &[]);
    for (framework, obligation, expected) in [
        ("nyc-ll144", "20-870-aedt", "met"),
        ("nyc-ll144", "5-301-b-4", "not_applicable"),
        ("nyc-ll144", "5-302-a-pooled", "not_applicable"),
        ("nyc-ll144", "5-302-b-insufficient", "not_applicable"),
        ("eu-ai-act", "art-20-1", "met"),
        ("eu-ai-act", "art-20-2", "not_applicable"),
        ("eu-ai-act", "art-21", "waived"),
        ("eu-ai-act", "art-22", "met"),
        ("eu-ai-act", "art-25-1-a", "met"),
        ("eu-ai-act", "art-25-1-b", "met"),
        ("eu-ai-act", "art-25-1-c", "not_applicable"),
        ("eu-ai-act", "art-50-1", "not_applicable"),
        ("eu-ai-act", "art-73-reports", "not_applicable"),
        ("eu-ai-act", "art-86-records", "met"),
        ("eu-ai-act", "art-111-2", "met"),
    ] {
        assert_eq!(
            status(&report, framework, obligation),
            expected,
            "{framework}/{obligation}"
        );
    }

    let out = fairfile().arg("check").arg(EXAMPLE).output().unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let summary: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("Summary as of"))
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(summary.len(), 2, "{table}");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for line in summary {
        assert!(
            readme.lines().any(|l| l.trim() == line),
            "README.md does not quote {line:?}"
        );
    }
}
