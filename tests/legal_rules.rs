//! The shipped frameworks read against the rule texts (issue 8 §3): each test runs the real binary
//! on a copy of the bundled example, changed in one place, and would fail on the old wording or
//! logic (183 days for six months, a posting after use counted as met, a profiling system
//! claiming the Art 6(3) derogation, a vendor's own examination counted as the bias audit, logs
//! retention proved by a candidate-data policy, weekdays counted as business days silently).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod support;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-resumerank")
}

/// A private copy of the example that a test may edit.
struct Audit {
    dir: tempfile::TempDir,
}

impl Audit {
    fn new() -> Audit {
        let dir = tempfile::tempdir().unwrap();
        support::copy_dir(&example(), dir.path());
        Audit { dir }
    }

    /// Replace text in a file of the copy (the text must occur).
    fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let path = self.dir.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    fn config(&self, from: &str, to: &str) -> &Self {
        self.edit("fairfile.toml", from, to)
    }

    fn check(&self, extra: &[&str]) -> (Value, String) {
        let out = Command::cargo_bin("fairfile")
            .unwrap()
            .arg("check")
            .arg(self.dir.path())
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "stderr: {stderr}");
        (serde_json::from_slice(&out.stdout).unwrap(), stderr)
    }

    fn report(&self) -> Value {
        self.check(&[]).0
    }
}

fn obligation<'a>(report: &'a Value, key: &str) -> &'a Value {
    let (fw, ob) = key.split_once('/').unwrap();
    report["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == fw)
        .and_then(|f| {
            f["obligations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["id"] == ob)
        })
        .unwrap_or_else(|| panic!("no {key}"))
}

fn status(report: &Value, key: &str) -> String {
    obligation(report, key)["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn reason(report: &Value, key: &str) -> String {
    obligation(report, key)["reason"]
        .as_str()
        .unwrap()
        .to_string()
}

const PUBLICATION: &str = "evidence/ll144/summary-publication-record.md";

/// 6 RCNY § 5-303(c): posted "for at least 6 months after its latest use". Six months after
/// 2026-07-01 is 2027-01-01; 183 days after it is 2026-12-31, one day short.
#[test]
fn summary_stays_posted_six_calendar_months_after_last_use() {
    let expires = |day: &str| {
        let a = Audit::new();
        a.config(
            "planned_use_date = 2026-12-01\n",
            "planned_use_date = 2026-12-01\nlast_use_date = 2026-07-01\n",
        )
        .edit(
            PUBLICATION,
            "date = 2026-11-20\n",
            &format!("date = 2026-11-20\nexpires = {day}\n"),
        );
        a.report()
    };
    let short = expires("2026-12-31");
    assert_eq!(status(&short, "nyc-ll144/5-303-c"), "stale");
    assert!(
        reason(&short, "nyc-ll144/5-303-c").contains(
            "must stay available until 2027-01-01 (6 months after last_use_date 2026-07-01)"
        ),
        "{}",
        reason(&short, "nyc-ll144/5-303-c")
    );
    assert_eq!(status(&expires("2027-01-01"), "nyc-ll144/5-303-c"), "met");
}

/// Art 26(6) and 19(1): logs kept "at least six months". 183 days does not keep a log written
/// on 1 July until 1 January; 184 days keeps every log six calendar months.
#[test]
fn log_retention_is_six_calendar_months() {
    let days = |n: &str| {
        let a = Audit::new();
        a.config(
            "deployer_log_retention_days = 90",
            &format!("deployer_log_retention_days = {n}"),
        );
        a.report()
    };
    let short = days("183");
    assert_eq!(status(&short, "eu-ai-act/art-26-6"), "failing");
    assert!(
        reason(&short, "eu-ai-act/art-26-6").contains("181 to 184 days"),
        "{}",
        reason(&short, "eu-ai-act/art-26-6")
    );
    assert_eq!(status(&days("184"), "eu-ai-act/art-26-6"), "met");

    // The provider's logs (Art 19(1)) carry the same condition.
    let a = Audit::new();
    a.config(
        "provider_log_retention = \"12 months\"",
        "provider_log_retention = \"5 months\"",
    );
    let report = a.report();
    assert_eq!(status(&report, "eu-ai-act/art-19-1"), "failing");
    assert!(reason(&report, "eu-ai-act/art-19-1").contains("Art 19(1)"));
    assert_eq!(status(&Audit::new().report(), "eu-ai-act/art-19-1"), "met");
}

/// An LL144 retention policy for candidate data is not a log retention policy (Art 19(1)).
#[test]
fn candidate_data_retention_is_not_log_retention() {
    let a = Audit::new();
    a.edit(
        "evidence/talentsoft/logging-specification.md",
        "kind = [\"logging_spec\", \"log_retention_policy\"]",
        "kind = [\"logging_spec\"]",
    )
    .edit(
        "evidence/talentsoft/logging-specification.md",
        "\"eu-ai-act/art-19-1\"",
        "\"eu-ai-act/art-12-1\"",
    )
    .edit(
        "evidence/notices/data-disclosure-and-retention.md",
        "\"data_retention_policy\", \"log_retention_policy\",",
        "\"data_retention_policy\",",
    );
    let report = a.report();
    let ob = obligation(&report, "eu-ai-act/art-19-1");
    assert_eq!(
        ob["missing_kinds"],
        serde_json::json!(["log_retention_policy"])
    );
    assert_eq!(status(&report, "eu-ai-act/art-19-1"), "missing");
    // LL144 still takes the candidate-data policy.
    assert_eq!(status(&report, "nyc-ll144/5-304-d-1"), "met");
}

/// 6 RCNY § 5-303(a): the summary is posted before use. A record dated after the planned use is
/// a breach (failing), not a stale document.
#[test]
fn summary_posted_after_use_is_failing() {
    let a = Audit::new();
    a.edit(PUBLICATION, "date = 2026-11-20\n", "date = 2026-12-02\n");
    let report = a.check(&["--as-of", "2026-12-03"]).0;
    assert_eq!(status(&report, "nyc-ll144/5-303-a-posting"), "failing");
    assert!(
        reason(&report, "nyc-ll144/5-303-a-posting")
            .contains("dated 2026-12-02, after planned_use_date 2026-12-01"),
        "{}",
        reason(&report, "nyc-ll144/5-303-a-posting")
    );
    // Posted the day before use: met.
    let a = Audit::new();
    a.edit(PUBLICATION, "date = 2026-11-20\n", "date = 2026-11-30\n");
    assert_eq!(
        status(
            &a.check(&["--as-of", "2026-12-03"]).0,
            "nyc-ll144/5-303-a-posting"
        ),
        "met"
    );
}

/// 6 RCNY § 5-300: a bias audit is an impartial evaluation by an independent auditor. The
/// vendor's own examination, however recent, does not meet § 5-301(a).
#[test]
fn a_vendor_examination_is_not_the_bias_audit() {
    let a = Audit::new();
    std::fs::remove_file(
        a.dir
            .path()
            .join("evidence/ll144/bias-audit-report-2026.md"),
    )
    .unwrap();
    std::fs::remove_file(a.dir.path().join("evidence/ll144/impact-ratios-2026.csv")).unwrap();
    a.edit(
        "evidence/talentsoft/bias-examination-3-2.md",
        "date = 2025-08-29",
        "date = 2026-11-01",
    );
    let report = a.report();
    assert_eq!(status(&report, "nyc-ll144/5-301-a"), "missing");
    assert!(
        reason(&report, "nyc-ll144/5-301-a").contains("independent_bias_audit"),
        "{}",
        reason(&report, "nyc-ll144/5-301-a")
    );
    // The vendor's examination still serves the EU AI Act's Art 10(2)(f).
    assert_eq!(status(&report, "eu-ai-act/art-10-2-f"), "met");
    // And the independent audit meets it.
    assert_eq!(status(&Audit::new().report(), "nyc-ll144/5-301-a"), "met");
}

/// Art 6(3), third subparagraph: a system that profiles natural persons is always high-risk. A
/// claimed derogation is failing for it and leaves the high-risk duties in place; a valid one
/// takes them out, leaving Arts 4, 5 and 6(2)-(4).
#[test]
fn the_art_6_3_derogation_and_the_profiling_override() {
    let a = Audit::new();
    a.config(
        "claims_art_6_3_derogation = false",
        "claims_art_6_3_derogation = true",
    );
    let report = a.report();
    assert_eq!(status(&report, "eu-ai-act/art-6-3"), "failing");
    assert!(
        reason(&report, "eu-ai-act/art-6-3").contains("third subparagraph"),
        "{}",
        reason(&report, "eu-ai-act/art-6-3")
    );
    assert_eq!(status(&report, "eu-ai-act/art-9-1"), "met");
    assert_eq!(status(&report, "eu-ai-act/art-26-6"), "failing");

    a.config(
        "profiles_natural_persons = true",
        "profiles_natural_persons = false",
    );
    let report = a.report();
    for key in [
        "eu-ai-act/art-9-1",
        "eu-ai-act/art-26-6",
        "eu-ai-act/art-72",
        "eu-ai-act/art-86",
    ] {
        assert_eq!(status(&report, key), "not_applicable", "{key}");
        assert!(
            reason(&report, key).contains("Art 6(3)"),
            "{}",
            reason(&report, key)
        );
    }
    for key in ["eu-ai-act/art-4", "eu-ai-act/art-5", "eu-ai-act/art-6-2"] {
        assert_ne!(status(&report, key), "not_applicable", "{key}");
    }
    assert_ne!(status(&report, "eu-ai-act/art-6-3"), "failing");
    assert_ne!(status(&report, "eu-ai-act/art-6-4"), "not_applicable");
    // LL144 is another law: the derogation does not touch it.
    assert_eq!(status(&report, "nyc-ll144/5-301-a"), "met");
}

/// Business days skip holidays only if they are listed: without `[audit] holidays` a notice 10
/// weekdays before use across Thanksgiving (9 business days) passes, so `check` warns.
#[test]
fn business_days_without_holidays_are_a_warning() {
    let notice = "evidence/notices/notice-to-candidates.md";
    let with_holidays = Audit::new();
    with_holidays.edit(notice, "date = 2026-11-02", "date = 2026-11-17");
    let (report, stderr) = with_holidays.check(&[]);
    assert_eq!(status(&report, "nyc-ll144/5-304-b"), "stale");
    assert!(report["warnings"].as_array().unwrap().is_empty());
    assert!(!stderr.contains("holidays"), "{stderr}");

    let without = Audit::new();
    without
        .edit(notice, "date = 2026-11-02", "date = 2026-11-17")
        .config("holidays = [2026-11-26, 2026-12-25]\n", "");
    let (report, stderr) = without.check(&[]);
    assert_eq!(status(&report, "nyc-ll144/5-304-b"), "met");
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = warnings[0].as_str().unwrap();
    assert!(w.contains("[audit] holidays is empty"), "{w}");
    assert!(w.contains("nyc-ll144/5-304-b"), "{w}");
    assert!(
        stderr.contains("warning: [audit] holidays is empty"),
        "{stderr}"
    );

    // The table output carries it too.
    let out = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("check")
        .arg(without.dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning: [audit] holidays is empty"));
}

fn pdftotext(pdf: &Path) -> String {
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: apt-get install poppler-utils");
    assert!(
        output.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    // Table cells wrap anywhere: compare with runs of whitespace as one space.
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the check cannot decide from the law alone is printed in the documents, not only in the
/// TOML: the interpretive Omnibus date of Section 5 and Chapter IX duties, requirement texts that
/// are good practice rather than the article's words, and the business-day warning.
#[test]
fn documents_print_interpretations_practice_and_warnings() {
    let a = Audit::new();
    a.config("holidays = [2026-11-26, 2026-12-25]\n", "");
    let out = a.dir.path().join("dist");
    Command::cargo_bin("fairfile")
        .unwrap()
        .arg("build")
        .arg(a.dir.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let matrix = pdftotext(&out.join("acme-resumerank-2026-compliance-matrix-v1.pdf"));
    let technical = pdftotext(&out.join("acme-resumerank-2026-eu-technical-file-v1.pdf"));
    for (name, text) in [("matrix", &matrix), ("technical file", &technical)] {
        assert!(text.contains("Dates that are interpretations"), "{name}");
        assert!(
            text.contains("The Omnibus deferral (Art 113(c)(i)) names only Chapter III"),
            "{name}"
        );
        assert!(text.contains("an interpretation: see"), "{name}");
        assert!(text.contains("Good practice, not the law"), "{name}");
        // Art 9(2)(d): the traceability is practice, printed as such.
        assert!(text.contains("Trace each risk"), "{name}");
    }
    assert!(matrix.contains("Warnings about the check"));
    assert!(matrix.contains("[audit] holidays is empty"));

    // With the holidays listed, no warning.
    let b = Audit::new();
    let out = b.dir.path().join("dist");
    Command::cargo_bin("fairfile")
        .unwrap()
        .arg("build")
        .arg(b.dir.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let matrix = pdftotext(&out.join("acme-resumerank-2026-compliance-matrix-v1.pdf"));
    assert!(!matrix.contains("Warnings about the check"));
}
