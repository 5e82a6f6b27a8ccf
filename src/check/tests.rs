//! Status tests on a copy of `tests/fixtures/check/audit` (two small framework files of its own,
//! one evidence document per obligation) with hand-written metrics (`tests/fixtures/check/metrics.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::config::Audit;
use crate::evidence;
use crate::frameworks::FrameworkSet;
use crate::metrics::MetricsReport;

const METRICS: &str = include_str!("../../tests/fixtures/check/metrics.json");

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/audit")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A private copy of the fixture audit that a test may edit.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture_dir(), dir.path());
        Fixture { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Replace text in fairfile.toml (the text must occur).
    fn edit_config(&self, from: &str, to: &str) -> &Self {
        let path = self.path("fairfile.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "fairfile.toml has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    fn append_config(&self, extra: &str) -> &Self {
        let path = self.path("fairfile.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n{extra}\n")).unwrap();
        self
    }

    fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path(rel)).unwrap();
        self
    }

    fn try_run(&self, as_of: Option<&str>) -> Result<CheckReport> {
        let audit = Audit::load(self.dir.path())?;
        let metrics: MetricsReport = serde_json::from_str(METRICS).unwrap();
        let frameworks = FrameworkSet::load(&audit)?;
        let evidence = evidence::discover(&audit, &frameworks)?;
        let as_of = as_of.map_or(audit.config.audit.get_ref().audit_date, day);
        run(&audit, &metrics, &frameworks, &evidence, as_of)
    }

    fn run(&self, as_of: Option<&str>) -> CheckReport {
        self.try_run(as_of).unwrap_or_else(|e| panic!("{e}"))
    }
}

fn find<'a>(report: &'a CheckReport, key: &str) -> &'a ObligationResult {
    let (fw, ob) = key.split_once('/').unwrap();
    report
        .frameworks
        .iter()
        .find(|f| f.id == fw)
        .and_then(|f| f.obligations.iter().find(|o| o.id == ob))
        .unwrap_or_else(|| panic!("no {key}"))
}

fn statuses(report: &CheckReport) -> BTreeMap<String, Status> {
    report
        .frameworks
        .iter()
        .flat_map(|f| {
            f.obligations
                .iter()
                .map(move |o| (format!("{}/{}", f.id, o.id), o.status))
        })
        .collect()
}

/// The statuses that differ between two reports.
fn changes(before: &CheckReport, after: &CheckReport) -> BTreeMap<String, (Status, Status)> {
    let a = statuses(before);
    statuses(after)
        .into_iter()
        .filter_map(|(k, s)| (a[&k] != s).then(|| (k.clone(), (a[&k], s))))
        .collect()
}

#[test]
fn complete_fixture_is_met_where_applicable() {
    let report = Fixture::new().run(None);
    use Status::*;
    let expected: BTreeMap<String, Status> = [
        ("test-ll/audit-within-year", Met),
        ("test-ll/calc-sex", Met),
        ("test-ll/independent-auditor", Met),
        ("test-ll/notice-candidates", Met),
        ("test-ll/keep-published", Met),
        ("test-ll/scoring-only", NotApplicable),
        ("test-eu/art-26-5", Met),
        ("test-eu/art-26-7", Met),
        ("test-eu/art-27", NotApplicable),
        ("test-eu/art-9", NotApplicable),
        ("test-eu/art-4", Met),
        ("test-eu/art-26-11", Met),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), s))
    .collect();
    assert_eq!(statuses(&report), expected);
    assert_eq!(report.schema, CHECK_SCHEMA);
    assert_eq!(report.as_of, day("2026-03-10"));
    let ll = &report.frameworks[0];
    assert_eq!(
        ll.counts,
        StatusCounts {
            met: 5,
            not_applicable: 1,
            ..Default::default()
        }
    );
    assert!(report.unreferenced_files.is_empty());

    let audit = find(&report, "test-ll/audit-within-year");
    assert_eq!(audit.evidence.len(), 1);
    assert_eq!(
        audit.evidence[0].path.as_deref(),
        Some("evidence/bias-audit.md")
    );
    assert_eq!(audit.evidence[0].sha256.len(), 64);
    assert!(
        audit.reason.starts_with("met by evidence/bias-audit.md"),
        "{}",
        audit.reason
    );
    assert!(audit.in_force);
    assert_eq!(audit.applies_from, Some(day("2023-07-05")));

    let computed = find(&report, "test-ll/calc-sex");
    assert_eq!(
        computed.evidence[0].computed.as_deref(),
        Some("metrics.dimensions.sex")
    );
    assert_eq!(
        computed.evidence[0].date,
        Some(day("2026-03-10")),
        "computed evidence is dated by the audit date"
    );
    assert_eq!(
        computed.evidence[0].sha256,
        "ef2691e64ee873d02c85b16d3a2a4d221ed434bbae5722575ed70347b9ee0a4e"
    );

    let explicit = find(&report, "test-eu/art-4");
    assert_eq!(
        explicit.evidence[0].path.as_deref(),
        Some("evidence/ai-literacy.md")
    );
}

#[test]
fn applies_from_in_the_future_is_checked_ahead() {
    let report = Fixture::new().run(None);
    let ob = find(&report, "test-eu/art-26-5");
    assert_eq!(ob.status, Status::Met);
    assert!(!ob.in_force);
    assert!(
        ob.reason.contains("applies from 2027-12-02 (annex_iii)"),
        "{}",
        ob.reason
    );
    let later = Fixture::new().run(Some("2027-12-02"));
    assert!(find(&later, "test-eu/art-26-5").in_force);
}

#[test]
fn crosswalk_lists_documents_serving_both_frameworks() {
    let report = Fixture::new().run(None);
    assert_eq!(report.crosswalk.len(), 1, "{:?}", report.crosswalk);
    let entry = &report.crosswalk[0];
    assert_eq!(entry.path, "evidence/bias-audit.md");
    assert_eq!(
        entry.obligations,
        vec!["test-ll/audit-within-year", "test-eu/art-26-5"]
    );
}

#[test]
fn deleting_a_document_turns_exactly_its_obligations_missing() {
    let complete = Fixture::new().run(None);
    let fixture = Fixture::new();
    fixture.remove("evidence/bias-audit.md");
    let report = fixture.run(None);
    let expected: BTreeMap<String, (Status, Status)> = [
        (
            "test-ll/audit-within-year".to_string(),
            (Status::Met, Status::Missing),
        ),
        (
            "test-eu/art-26-5".to_string(),
            (Status::Met, Status::Missing),
        ),
    ]
    .into();
    assert_eq!(changes(&complete, &report), expected);
    let ob = find(&report, "test-ll/audit-within-year");
    assert_eq!(ob.missing_kinds, vec!["bias_audit"]);
    assert!(
        ob.reason.contains("missing evidence of kind `bias_audit`"),
        "{}",
        ob.reason
    );
    // Its attachment is now named by no document: reported, not ignored.
    assert_eq!(report.unreferenced_files.len(), 1);
    assert_eq!(
        report.unreferenced_files[0].path,
        "evidence/bias-audit-tables.csv"
    );
    assert!(report.crosswalk.is_empty());
}

#[test]
fn as_of_past_an_expiry_turns_its_obligations_stale() {
    let complete = Fixture::new().run(None);
    // worker-information.md: review_by 2026-12-31; published-summary.md: expires 2027-12-31.
    let report = Fixture::new().run(Some("2027-01-04"));
    let expected: BTreeMap<String, (Status, Status)> =
        [("test-eu/art-26-7".to_string(), (Status::Met, Status::Stale))].into();
    assert_eq!(changes(&complete, &report), expected);
    let ob = find(&report, "test-eu/art-26-7");
    assert!(
        ob.reason.contains("review was due by 2026-12-31"),
        "{}",
        ob.reason
    );
    assert_eq!(ob.evidence.len(), 1, "the stale document is still shown");

    let later = Fixture::new().run(Some("2028-01-01"));
    let ob = find(&later, "test-ll/keep-published");
    assert_eq!(ob.status, Status::Stale);
    assert!(ob.reason.contains("expired on 2027-12-31"), "{}", ob.reason);
    // On the expiry day itself it still counts.
    assert_eq!(
        find(
            &Fixture::new().run(Some("2027-12-31")),
            "test-ll/keep-published"
        )
        .status,
        Status::Met
    );
}

#[test]
fn ten_business_days_across_a_weekend() {
    // Notice dated Friday 2026-03-06: ten business days later is Friday 2026-03-20.
    let f = Fixture::new();
    f.edit_config(
        "planned_use_date = 2026-03-23",
        "planned_use_date = 2026-03-20",
    );
    assert_eq!(
        find(&f.run(Some("2026-03-06")), "test-ll/notice-candidates").status,
        Status::Met
    );

    let f = Fixture::new();
    f.edit_config(
        "planned_use_date = 2026-03-23",
        "planned_use_date = 2026-03-19",
    );
    let report = f.run(Some("2026-03-06"));
    let ob = find(&report, "test-ll/notice-candidates");
    assert_eq!(ob.status, Status::Stale);
    assert!(
        ob.reason.contains("only 9 business days before planned_use_date 2026-03-19; it needs 10 (the earliest planned_use_date it allows is 2026-03-20)"),
        "{}",
        ob.reason
    );
}

#[test]
fn ten_business_days_skip_a_holiday() {
    let f = Fixture::new();
    f.edit_config(
        "planned_use_date = 2026-03-23",
        "planned_use_date = 2026-03-20\nholidays = [2026-03-16]",
    );
    let report = f.run(Some("2026-03-06"));
    let ob = find(&report, "test-ll/notice-candidates");
    assert_eq!(ob.status, Status::Stale);
    assert!(
        ob.reason
            .contains("earliest planned_use_date it allows is 2026-03-23"),
        "{}",
        ob.reason
    );

    let f = Fixture::new();
    f.edit_config(
        "planned_use_date = 2026-03-23",
        "planned_use_date = 2026-03-23\nholidays = [2026-03-16]",
    );
    assert_eq!(
        find(&f.run(Some("2026-03-06")), "test-ll/notice-candidates").status,
        Status::Met
    );
}

#[test]
fn one_year_audit_rule_on_its_boundary_day() {
    // bias-audit.md is dated 2026-03-02; 2027-03-02 is exactly 365 days later.
    let f = Fixture::new();
    f.edit_config(
        "planned_use_date = 2026-03-23",
        "planned_use_date = 2027-03-02",
    );
    assert_eq!(
        find(&f.run(None), "test-ll/audit-within-year").status,
        Status::Met
    );

    let f = Fixture::new();
    f.edit_config(
        "planned_use_date = 2026-03-23",
        "planned_use_date = 2027-03-03",
    );
    let report = f.run(None);
    let ob = find(&report, "test-ll/audit-within-year");
    assert_eq!(ob.status, Status::Stale);
    assert!(
        ob.reason
            .contains("366 days before planned_use_date 2027-03-03"),
        "{}",
        ob.reason
    );
    assert!(
        ob.reason.contains("renew it by 2027-03-02"),
        "{}",
        ob.reason
    );
}

#[test]
fn undeclared_reference_date_is_reported_not_guessed() {
    let f = Fixture::new();
    f.edit_config("planned_use_date = 2026-03-23\n", "");
    let report = f.run(None);
    for key in ["test-ll/audit-within-year", "test-ll/notice-candidates"] {
        let ob = find(&report, key);
        assert_eq!(ob.status, Status::Missing, "{key}");
        assert!(
            ob.reason.contains("set `planned_use_date` in [audit]"),
            "{}",
            ob.reason
        );
        assert_eq!(ob.evidence.len(), 1, "the evidence found is still listed");
    }
}

#[test]
fn keep_published_after_last_use() {
    // published-summary.md expires 2027-12-31; 183 days after 2027-08-01 is 2028-01-31.
    let f = Fixture::new();
    f.edit_config(
        "planned_use_date = 2026-03-23",
        "planned_use_date = 2026-03-23\nlast_use_date = 2027-08-01",
    );
    let ob = find(&f.run(None), "test-ll/keep-published").clone();
    assert_eq!(ob.status, Status::Stale);
    assert!(
        ob.reason.contains(
            "must stay available until 2028-01-31 (183 days after last_use_date 2027-08-01)"
        ),
        "{}",
        ob.reason
    );

    let f = Fixture::new();
    f.edit_config(
        "planned_use_date = 2026-03-23",
        "planned_use_date = 2026-03-23\nlast_use_date = 2027-06-01",
    );
    assert_eq!(
        find(&f.run(None), "test-ll/keep-published").status,
        Status::Met
    );
}

#[test]
fn waiver_current_and_expired() {
    let waiver = "[[waivers]]\nobligation = \"test-eu/art-26-7\"\njustification = \"Works council consultation scheduled\"\napproved_by = \"Chief Compliance Officer\"\nuntil = 2026-06-30\n";
    let f = Fixture::new();
    f.append_config(waiver)
        .remove("evidence/worker-information.md");
    let report = f.run(None);
    let ob = find(&report, "test-eu/art-26-7");
    assert_eq!(ob.status, Status::Waived);
    assert_eq!(
        ob.reason,
        "waived until 2026-06-30 by Chief Compliance Officer: Works council consultation scheduled"
    );
    // On its last day it still applies; the day after, it no longer does.
    assert_eq!(
        find(&f.run(Some("2026-06-30")), "test-eu/art-26-7").status,
        Status::Waived
    );
    let report = f.run(Some("2026-07-01"));
    let ob = find(&report, "test-eu/art-26-7");
    assert_eq!(ob.status, Status::Missing);
    assert!(
        ob.reason
            .contains("waiver approved by Chief Compliance Officer expired on 2026-06-30"),
        "{}",
        ob.reason
    );
    assert_eq!(report.frameworks[1].counts.waived, 0);
}

#[test]
fn waiver_naming_an_unknown_obligation_is_an_error() {
    let f = Fixture::new();
    f.append_config("[[waivers]]\nobligation = \"test-eu/art-26-8\"\njustification = \"x\"\napproved_by = \"y\"\nuntil = 2026-06-30\n");
    let err = f.try_run(None).unwrap_err().to_string();
    assert!(err.contains("[A004 unknown-waived-obligation]"), "{err}");
    assert!(err.contains("fairfile.toml:"), "{err}");
    assert!(err.contains("did you mean \"test-eu/art-26-"), "{err}");
}

#[test]
fn not_applicable_by_role_and_by_fact() {
    let report = Fixture::new().run(None);
    let ob = find(&report, "test-eu/art-9");
    assert_eq!(ob.status, Status::NotApplicable);
    assert_eq!(
        ob.reason,
        "applies to provider; this audit declares roles employer, deployer"
    );
    let ob = find(&report, "test-eu/art-27");
    assert_eq!(ob.status, Status::NotApplicable);
    assert_eq!(
        ob.reason,
        "applies only when facts.public_body = true; facts.public_body is false (only bodies governed by public law)"
    );
    let ob = find(&report, "test-ll/scoring-only");
    assert!(
        ob.reason.contains("data.outcome is \"selection\""),
        "{}",
        ob.reason
    );

    // Declared a public body: the FRIA applies, and there is none.
    let f = Fixture::new();
    f.edit_config("public_body = false", "public_body = true");
    assert_eq!(find(&f.run(None), "test-eu/art-27").status, Status::Missing);
}

#[test]
fn undecided_applicability_is_checked_and_says_which_fact_to_declare() {
    let report = Fixture::new().run(None);
    let ob = find(&report, "test-eu/art-26-11");
    assert_eq!(ob.status, Status::Met);
    assert!(ob.applicability_undecided);
    assert!(
        ob.reason
            .contains("declare `decisions_about_natural_persons` in [audit.facts]"),
        "{}",
        ob.reason
    );
    assert!(!find(&report, "test-eu/art-26-7").applicability_undecided);

    let f = Fixture::new();
    f.edit_config(
        "public_body = false",
        "public_body = false\ndecisions_about_natural_persons = false",
    );
    let ob = find(&f.run(None), "test-eu/art-26-11").clone();
    assert_eq!(ob.status, Status::NotApplicable);
    assert!(!ob.applicability_undecided);

    // No roles declared at all: every role-bound obligation is undecided, never dropped.
    let f = Fixture::new();
    f.edit_config("roles = [\"employer\", \"deployer\"]\n", "");
    let report = f.run(None);
    let ob = find(&report, "test-eu/art-9");
    assert_eq!(ob.status, Status::Missing);
    assert!(ob.applicability_undecided);
    assert!(
        ob.reason
            .contains("declare the organisation's roles in [audit] roles"),
        "{}",
        ob.reason
    );
}

#[test]
fn failing_condition() {
    let f = Fixture::new();
    f.edit_config("independent = true", "independent = false");
    let report = f.run(None);
    let ob = find(&report, "test-ll/independent-auditor");
    assert_eq!(ob.status, Status::Failing);
    assert_eq!(
        ob.reason,
        "The auditor is not independent; the rule requires an independent auditor. (auditor.independent is false)"
    );
    assert_eq!(report.frameworks[0].counts.failing, 1);
}

#[test]
fn computed_evidence_needs_the_dimension() {
    let audit = Audit::load(fixture_dir()).unwrap();
    let mut metrics: MetricsReport = serde_json::from_str(METRICS).unwrap();
    metrics.dimensions.sex.provided = false;
    metrics.dimensions.sex.categories.clear();
    let frameworks = FrameworkSet::load(&audit).unwrap();
    let evidence = evidence::discover(&audit, &frameworks).unwrap();
    let report = run(&audit, &metrics, &frameworks, &evidence, day("2026-03-10")).unwrap();
    let ob = find(&report, "test-ll/calc-sex");
    assert_eq!(ob.status, Status::Failing);
    assert!(
        ob.reason.starts_with("The data has no sex column"),
        "{}",
        ob.reason
    );
    assert!(
        ob.reason.contains(
            "computed:sex_impact_ratios is not available (metrics.dimensions.sex is not provided)"
        ),
        "{}",
        ob.reason
    );
}

#[test]
fn future_dated_document_does_not_count_yet() {
    let report = Fixture::new().run(Some("2026-03-05"));
    let ob = find(&report, "test-ll/notice-candidates");
    assert_eq!(ob.status, Status::Stale);
    assert!(
        ob.reason
            .contains("dated 2026-03-06, after the as-of date 2026-03-05"),
        "{}",
        ob.reason
    );
}

#[test]
fn report_is_deterministic_and_serializes() {
    let a = serde_json::to_string(&Fixture::new().run(None)).unwrap();
    let b = serde_json::to_string(&Fixture::new().run(None)).unwrap();
    assert_eq!(a, b);
    let back: CheckReport = serde_json::from_str(&a).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), a);
    assert!(a.contains("\"status\":\"not_applicable\""));
}

/// The whole JSON report for the fixture, as of a day with every kind of status but failing and
/// waived (reviewable snapshot of the `fairfile.check/1` schema).
#[test]
fn fixture_json_snapshot() {
    let f = Fixture::new();
    f.remove("evidence/candidate-notice.md");
    insta::assert_json_snapshot!(f.run(Some("2027-01-04")));
}

/// The shipped frameworks on a minimal audit whose facts, roles, data kind and evidence each test
/// sets: the obligations added for issue 8 §4 are met, missing or not applicable as their facts say.
mod shipped {
    use super::*;

    const CONFIG: &str = r#"[audit]
id = "shipped-2026"
title = "Shipped frameworks"
organization = "Org"
system = "Tool"
audit_date = 2026-03-10
planned_use_date = 2026-03-23
frameworks = ["nyc-ll144", "eu-ai-act"]
roles = ROLES

[audit.facts]
# No Art 6(3) derogation is claimed: the high-risk duties apply (see `derogation_keeps_art_50`).
claims_art_6_3_derogation = false
FACTS

[auditor]
name = "Pat Auditor"
independent = true

[data]
path = "data.csv"
DATA_KIND
description = "Export of the tool's decisions"
outcome = "selection"

[data.columns]
sex = "gender"
selected = "advanced"

[data.categories.sex]
Male = ["M"]
Female = ["F"]
"#;

    const ALL_ROLES: &str = r#"["employer", "provider", "deployer"]"#;
    const HISTORICAL: &str = r#"kind = "historical""#;
    const TEST_DATA: &str = "kind = \"test\"\nexplanation = \"The tool has not been used yet: synthetic résumés from the vendor.\"";

    struct Shipped {
        dir: tempfile::TempDir,
        test_data: bool,
    }

    impl Shipped {
        fn new(facts: &str, roles: &str) -> Shipped {
            Shipped::with_data(facts, roles, HISTORICAL)
        }

        fn with_data(facts: &str, roles: &str, data_kind: &str) -> Shipped {
            let dir = tempfile::tempdir().unwrap();
            let config = CONFIG
                .replace("ROLES", roles)
                .replace("FACTS", facts)
                .replace("DATA_KIND", data_kind);
            std::fs::write(dir.path().join("fairfile.toml"), config).unwrap();
            std::fs::create_dir_all(dir.path().join("evidence")).unwrap();
            Shipped {
                dir,
                test_data: data_kind != HISTORICAL,
            }
        }

        /// One evidence document of `kind`, dated before the audit.
        fn doc(&self, kind: &str) -> &Shipped {
            let body = format!(
                "+++\nkind = [\"{kind}\"]\ntitle = \"{kind}\"\ndate = 2026-03-01\n+++\n\nThe {kind}.\n"
            );
            std::fs::write(self.dir.path().join(format!("evidence/{kind}.md")), body).unwrap();
            self
        }

        fn run(&self) -> CheckReport {
            let audit = Audit::load(self.dir.path()).unwrap_or_else(|e| panic!("{e}"));
            let mut metrics: MetricsReport = serde_json::from_str(METRICS).unwrap();
            if self.test_data {
                // What `metrics` carries over from [data] for test data.
                let data = audit.config.data.get_ref();
                metrics.data.explanation = data.explanation.clone();
            }
            let frameworks = FrameworkSet::load(&audit).unwrap_or_else(|e| panic!("{e}"));
            let evidence =
                evidence::discover(&audit, &frameworks).unwrap_or_else(|e| panic!("{e}"));
            run(&audit, &metrics, &frameworks, &evidence, day("2026-03-10")).unwrap()
        }
    }

    /// An obligation's facts (and roles) where it applies and where it does not.
    struct Case {
        key: &'static str,
        applies: &'static str,
        not_applicable: &'static str,
        not_applicable_roles: &'static str,
        kinds: &'static [&'static str],
        /// In the not-applicable reason.
        because: &'static str,
    }

    const CASES: &[Case] = &[
        Case {
            key: "nyc-ll144/20-870-aedt",
            applies: "aedt_output_use = \"solely\"",
            not_applicable: "aedt_output_use = \"solely\"",
            not_applicable_roles: r#"["provider", "deployer"]"#,
            kinds: &["aedt_scope_assessment"],
            because: "applies to employer, employment_agency; this audit declares roles provider, deployer",
        },
        Case {
            key: "nyc-ll144/5-302-a-pooled",
            applies: "pooled_data = true\npooled_data_basis = \"own_data_provided\"",
            not_applicable: "pooled_data = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["pooled_data_record"],
            because: "facts.pooled_data is false (The audit data are not pooled",
        },
        Case {
            key: "eu-ai-act/art-20-1",
            applies: "non_conformity_identified = true",
            not_applicable: "non_conformity_identified = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["capa_records"],
            because: "facts.non_conformity_identified is false (Art 20(1) acts once",
        },
        Case {
            key: "eu-ai-act/art-20-2",
            applies: "art_79_risk_identified = true",
            not_applicable: "art_79_risk_identified = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["capa_records"],
            because: "facts.art_79_risk_identified is false (Art 20(2) acts once",
        },
        Case {
            key: "eu-ai-act/art-21",
            applies: "",
            not_applicable: "",
            not_applicable_roles: r#"["employer", "deployer"]"#,
            kinds: &["authority_comms_procedure"],
            because: "applies to provider; this audit declares roles employer, deployer",
        },
        Case {
            key: "eu-ai-act/art-22",
            applies: "provider_established_in_union = false",
            not_applicable: "provider_established_in_union = true",
            not_applicable_roles: ALL_ROLES,
            kinds: &["authorised_representative_mandate"],
            because: "facts.provider_established_in_union is true (Art 22 binds only providers established in a third country",
        },
        Case {
            key: "eu-ai-act/art-25-1-a",
            applies: "own_name_or_trademark_on_system = true",
            not_applicable: "own_name_or_trademark_on_system = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["provider_role_assessment"],
            because: "facts.own_name_or_trademark_on_system is false",
        },
        Case {
            key: "eu-ai-act/art-25-1-b",
            applies: "substantial_modification = true",
            not_applicable: "substantial_modification = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["provider_role_assessment"],
            because: "facts.substantial_modification is false",
        },
        Case {
            key: "eu-ai-act/art-25-1-c",
            applies: "intended_purpose_changed_to_high_risk = true",
            not_applicable: "intended_purpose_changed_to_high_risk = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["provider_role_assessment"],
            because: "facts.intended_purpose_changed_to_high_risk is false",
        },
        Case {
            key: "eu-ai-act/art-50-1",
            applies: "interacts_directly_with_persons = true",
            not_applicable: "interacts_directly_with_persons = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["ai_interaction_disclosure"],
            because: "facts.interacts_directly_with_persons is false (The system does not interact directly",
        },
        Case {
            key: "eu-ai-act/art-73-reports",
            applies: "serious_incident_occurred = true",
            not_applicable: "serious_incident_occurred = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["incident_reports"],
            because: "facts.serious_incident_occurred is false (No serious incident",
        },
        Case {
            key: "eu-ai-act/art-86-records",
            applies: "explanation_requests_received = true",
            not_applicable: "explanation_requests_received = false",
            not_applicable_roles: ALL_ROLES,
            kinds: &["explanation_records"],
            because: "facts.explanation_requests_received is false",
        },
        Case {
            key: "eu-ai-act/art-111-2",
            applies: "placed_on_market_date = 2027-12-01",
            not_applicable: "placed_on_market_date = 2027-12-02",
            not_applicable_roles: ALL_ROLES,
            kinds: &["classification_memo", "change_mgmt_procedure"],
            because: "applies only when facts.placed_on_market_date ≤ \"2027-12-01\"; facts.placed_on_market_date is \"2027-12-02\"",
        },
    ];

    /// A valid Art 6(3) derogation takes the system out of the high-risk duties (Art 20 among
    /// them) but not out of Art 50(1), which binds every system interacting with persons.
    #[test]
    fn derogation_keeps_art_50() {
        let audit = Shipped::new(
            "interacts_directly_with_persons = true\nnon_conformity_identified = true\n\
             profiles_natural_persons = false",
            ALL_ROLES,
        );
        let config = audit.dir.path().join("fairfile.toml");
        let text = std::fs::read_to_string(&config).unwrap().replace(
            "claims_art_6_3_derogation = false",
            "claims_art_6_3_derogation = true",
        );
        std::fs::write(&config, text).unwrap();
        audit.doc("ai_interaction_disclosure").doc("capa_records");
        let report = audit.run();
        let art_50 = find(&report, "eu-ai-act/art-50-1");
        assert_eq!(art_50.status, Status::Met, "{}", art_50.reason);
        let art_20 = find(&report, "eu-ai-act/art-20-1");
        assert_eq!(art_20.status, Status::NotApplicable, "{}", art_20.reason);
        assert!(art_20.reason.contains("Art 6(3)"), "{}", art_20.reason);
    }

    #[test]
    fn new_obligations_met_missing_and_not_applicable() {
        for case in CASES {
            let with_evidence = Shipped::new(case.applies, ALL_ROLES);
            for kind in case.kinds {
                with_evidence.doc(kind);
            }
            let report = with_evidence.run();
            let ob = find(&report, case.key);
            assert_eq!(ob.status, Status::Met, "{}: {}", case.key, ob.reason);
            assert!(!ob.applicability_undecided, "{}: {}", case.key, ob.reason);

            // Each requirement on its own: without its document the obligation is missing.
            for (i, kind) in case.kinds.iter().enumerate() {
                let partial = Shipped::new(case.applies, ALL_ROLES);
                for other in case.kinds.iter().take(i) {
                    partial.doc(other);
                }
                let report = partial.run();
                let ob = find(&report, case.key);
                assert_eq!(ob.status, Status::Missing, "{}: {}", case.key, ob.reason);
                assert!(
                    ob.missing_kinds.contains(&kind.to_string()),
                    "{}: {:?}",
                    case.key,
                    ob.missing_kinds
                );
            }

            let report = Shipped::new(case.not_applicable, case.not_applicable_roles).run();
            let ob = find(&report, case.key);
            assert_eq!(
                ob.status,
                Status::NotApplicable,
                "{}: {}",
                case.key,
                ob.reason
            );
            assert!(
                ob.reason.contains(case.because),
                "{}: {}",
                case.key,
                ob.reason
            );
        }
    }

    #[test]
    fn undeclared_facts_leave_the_new_obligations_undecided_and_checked() {
        let report = Shipped::new("", ALL_ROLES).run();
        for case in CASES.iter().filter(|c| !c.applies.is_empty()) {
            let ob = find(&report, case.key);
            let fact = case.applies.split(" =").next().unwrap();
            if case.key == "nyc-ll144/20-870-aedt" {
                continue; // its fact is a condition, not an applicability rule (below)
            }
            assert!(ob.applicability_undecided, "{}: {}", case.key, ob.reason);
            assert!(
                ob.reason
                    .contains(&format!("declare `{fact}` in [audit.facts]")),
                "{}: {}",
                case.key,
                ob.reason
            );
        }
    }

    #[test]
    fn a_tool_used_in_none_of_the_three_ways_is_not_an_aedt() {
        let f = Shipped::new("aedt_output_use = \"one_factor_among_many\"", ALL_ROLES);
        f.doc("aedt_scope_assessment");
        let report = f.run();
        let ob = find(&report, "nyc-ll144/20-870-aedt");
        assert_eq!(ob.status, Status::Failing);
        assert!(
            ob.reason.contains("outside Local Law 144")
                && ob
                    .reason
                    .contains("facts.aedt_output_use is \"one_factor_among_many\""),
            "{}",
            ob.reason
        );
        // Never guessed: an undeclared use is failing too, and says what to declare.
        let f = Shipped::new("", ALL_ROLES);
        f.doc("aedt_scope_assessment");
        let report = f.run();
        let ob = find(&report, "nyc-ll144/20-870-aedt");
        assert_eq!(ob.status, Status::Failing);
        assert!(
            ob.reason
                .contains("declare `aedt_output_use` in [audit.facts]"),
            "{}",
            ob.reason
        );
        for use_ in ["weighted_most", "overrules"] {
            let f = Shipped::new(&format!("aedt_output_use = \"{use_}\""), ALL_ROLES);
            f.doc("aedt_scope_assessment");
            assert_eq!(
                find(&f.run(), "nyc-ll144/20-870-aedt").status,
                Status::Met,
                "{use_}"
            );
        }
    }

    #[test]
    fn pooled_data_without_own_data_is_failing() {
        let f = Shipped::new(
            "pooled_data = true\npooled_data_basis = \"vendor_pool_only\"",
            ALL_ROLES,
        );
        f.doc("pooled_data_record");
        let report = f.run();
        let ob = find(&report, "nyc-ll144/5-302-a-pooled");
        assert_eq!(ob.status, Status::Failing);
        assert!(ob.reason.starts_with("6 RCNY § 5-302(a)"), "{}", ob.reason);
        let f = Shipped::new(
            "pooled_data = true\npooled_data_basis = \"never_used\"",
            ALL_ROLES,
        );
        f.doc("pooled_data_record");
        assert_eq!(
            find(&f.run(), "nyc-ll144/5-302-a-pooled").status,
            Status::Met
        );
    }

    #[test]
    fn test_data_only_when_historical_data_are_insufficient() {
        let report = Shipped::new("", ALL_ROLES).run();
        let ob = find(&report, "nyc-ll144/5-302-b-insufficient");
        assert_eq!(ob.status, Status::NotApplicable);
        assert!(
            ob.reason.contains("data.kind is \"historical\""),
            "{}",
            ob.reason
        );

        let report =
            Shipped::with_data("historical_data_sufficient = false", ALL_ROLES, TEST_DATA).run();
        let ob = find(&report, "nyc-ll144/5-302-b-insufficient");
        assert_eq!(ob.status, Status::Met, "{}", ob.reason);
        assert_eq!(
            ob.evidence[0].computed.as_deref(),
            Some("metrics.data.explanation")
        );

        // The rule's third Example: enough historical data of its own, so no test data.
        let report =
            Shipped::with_data("historical_data_sufficient = true", ALL_ROLES, TEST_DATA).run();
        let ob = find(&report, "nyc-ll144/5-302-b-insufficient");
        assert_eq!(ob.status, Status::Failing);
        assert!(
            ob.reason.contains("third Example")
                && ob
                    .reason
                    .contains("facts.historical_data_sufficient is true"),
            "{}",
            ob.reason
        );
    }

    /// fairfile computes no per-classification tables, so a tool that classifies people into
    /// groups can never have § 5-301(b)(4) met, even with the auditor's document.
    #[test]
    fn classification_groups_are_failing_not_met() {
        let f = Shipped::new("classifies_into_groups = true", ALL_ROLES);
        f.doc("classification_group_calculations");
        let report = f.run();
        let ob = find(&report, "nyc-ll144/5-301-b-4");
        assert_eq!(ob.status, Status::Failing);
        assert!(
            ob.reason
                .contains("fairfile does not compute per-classification tables"),
            "{}",
            ob.reason
        );
        assert_eq!(
            ob.evidence.len(),
            1,
            "the auditor's document is still listed"
        );

        let report = Shipped::new("classifies_into_groups = false", ALL_ROLES).run();
        let ob = find(&report, "nyc-ll144/5-301-b-4");
        assert_eq!(ob.status, Status::NotApplicable);
        assert!(
            ob.reason.contains("facts.classifies_into_groups is false"),
            "{}",
            ob.reason
        );
    }

    /// A deployer that became the provider under Art 25(1) but declares no provider role would
    /// silently skip every provider obligation: that is failing.
    #[test]
    fn art_25_needs_the_provider_role() {
        for (key, fact) in [
            ("eu-ai-act/art-25-1-a", "own_name_or_trademark_on_system"),
            ("eu-ai-act/art-25-1-b", "substantial_modification"),
            (
                "eu-ai-act/art-25-1-c",
                "intended_purpose_changed_to_high_risk",
            ),
        ] {
            let f = Shipped::new(&format!("{fact} = true"), r#"["employer", "deployer"]"#);
            f.doc("provider_role_assessment");
            let report = f.run();
            let ob = find(&report, key);
            assert_eq!(ob.status, Status::Failing, "{key}");
            assert!(
                ob.reason.contains("add \"provider\" to [audit] roles")
                    && ob
                        .reason
                        .contains("audit.roles is [\"employer\",\"deployer\"]"),
                "{key}: {}",
                ob.reason
            );
            // …and the provider obligations are indeed skipped until it does.
            assert_eq!(
                find(&report, "eu-ai-act/art-21").status,
                Status::NotApplicable
            );
        }
    }
}
