use chrono::NaiveDate;

use super::*;
use crate::check::{FrameworkResult, ObligationResult, StatusCounts};
use crate::inputs::InputRecord;
use crate::seal::OutputRecord;

fn metrics() -> MetricsReport {
    serde_json::from_str(include_str!("../../tests/fixtures/check/metrics.json")).unwrap()
}

fn obligation(id: &str, status: Status, reason: &str) -> ObligationResult {
    ObligationResult {
        id: id.into(),
        cite: format!("6 RCNY §{id}"),
        title: format!("title of {id}"),
        status,
        reason: reason.into(),
        evidence: vec![],
        missing_kinds: vec![],
        section: None,
        applies_from: None,
        in_force: true,
        applicability_undecided: false,
    }
}

fn check(obligations: Vec<ObligationResult>) -> CheckReport {
    let mut counts = StatusCounts::default();
    for o in &obligations {
        counts.add(o.status);
    }
    CheckReport {
        schema: crate::check::CHECK_SCHEMA.into(),
        audit_id: "a".into(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        frameworks: vec![FrameworkResult {
            id: "nyc-ll144".into(),
            title: "NYC LL144".into(),
            counts,
            obligations,
        }],
        crosswalk: vec![],
        unreferenced_files: vec![],
        warnings: vec![],
    }
}

fn record(role: &str, path: &str, hash: char, bytes: u64) -> InputRecord {
    InputRecord {
        role: role.into(),
        path: path.into(),
        sha256: hash.to_string().repeat(64),
        bytes,
    }
}

fn output(document: &str, file: &str, hash: char) -> OutputRecord {
    OutputRecord {
        document: document.into(),
        file: file.into(),
        sha256: hash.to_string().repeat(64),
        bytes: 1,
    }
}

fn manifest(version: u32, inputs: Vec<InputRecord>, outputs: Vec<OutputRecord>) -> Manifest {
    Manifest {
        schema: crate::seal::MANIFEST_SCHEMA.into(),
        fairfile_version: "0.1.0".into(),
        audit_id: "a".into(),
        version,
        build_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        previous_manifest_sha256: None,
        input_digest: crate::seal::input_digest(&inputs),
        changes: vec![],
        inputs,
        outputs,
    }
}

#[test]
fn identical_versions_differ_in_nothing_but_the_document_files() {
    let m = metrics();
    let c = check(vec![obligation("5-301", Status::Met, "ok")]);
    let inputs = vec![record("data", "data/applicants.csv", 'a', 10)];
    let v1 = manifest(
        1,
        inputs.clone(),
        vec![output("ll144-summary", "a-v1.pdf", '1')],
    );
    let v2 = manifest(2, inputs, vec![output("ll144-summary", "a-v2.pdf", '2')]);
    let d = compare(
        Sealed {
            manifest: &v1,
            metrics: &m,
            check: &c,
        },
        Sealed {
            manifest: &v2,
            metrics: &m,
            check: &c,
        },
    );
    assert_eq!(d.schema, DIFF_SCHEMA);
    assert_eq!((d.from.version, d.to.version), (1, 2));
    assert!(!d.content_hash_changed);
    assert!(d.inputs.is_empty());
    assert!(d.obligations.is_empty());
    assert_eq!(d.metrics.families.len(), 3);
    assert!(
        d.metrics
            .families
            .iter()
            .all(|f| !f.moved && f.categories.is_empty())
    );
    assert_eq!(d.documents.len(), 1);
    assert_eq!(d.documents[0].format, "pdf");
    assert_eq!(d.documents[0].old_file.as_deref(), Some("a-v1.pdf"));
    assert!(d.documents[0].changed);
}

#[test]
fn moved_categories_unknowns_and_appearances_are_reported_with_differences() {
    let old = metrics();
    let mut new = old.clone();
    // Female: one fewer selected (rate and impact ratio move); Male untouched.
    let female = new
        .dimensions
        .sex
        .categories
        .iter_mut()
        .find(|c| c.category == "Female")
        .unwrap();
    let (n, selected) = (female.n, female.selected.unwrap());
    female.selected = Some(selected - 1);
    female.rate = Some((selected - 1) as f64 / n as f64);
    female.impact_ratio = Some(female.rate.unwrap() / 0.35);
    new.dimensions.sex.unknown += 3;
    // A race category disappears, another appears.
    let gone = new.dimensions.race_ethnicity.categories.remove(0);
    let mut appeared = new.dimensions.race_ethnicity.categories[0].clone();
    appeared.category = "Some Other Race".into();
    new.dimensions.race_ethnicity.categories.push(appeared);
    new.data.sha256 = "b".repeat(64);

    let c = check(vec![]);
    let v1 = manifest(
        1,
        vec![record("data", "data/applicants.csv", 'a', 10)],
        vec![],
    );
    let v2 = manifest(
        2,
        vec![record("data", "data/applicants.csv", 'b', 10)],
        vec![],
    );
    let d = compare(
        Sealed {
            manifest: &v1,
            metrics: &old,
            check: &c,
        },
        Sealed {
            manifest: &v2,
            metrics: &new,
            check: &c,
        },
    );

    assert!(d.content_hash_changed);
    assert_eq!(d.inputs.len(), 1);
    let input = &d.inputs[0];
    assert_eq!(
        (input.change, input.role.as_str()),
        (ChangeKind::Changed, "data")
    );
    assert_eq!(input.old_sha256.as_deref(), Some("a".repeat(64).as_str()));
    assert_eq!(input.new_sha256.as_deref(), Some("b".repeat(64).as_str()));
    assert_ne!(d.metrics.old_data_sha256, d.metrics.new_data_sha256);

    let sex = &d.metrics.families[0];
    assert_eq!(sex.family, "sex");
    assert!(sex.moved);
    assert_eq!(sex.new_unknown, sex.old_unknown + 3);
    assert_eq!(sex.categories.len(), 1, "only Female moved");
    let f = &sex.categories[0];
    assert_eq!(
        (f.category.as_str(), f.change),
        ("Female", CategoryChange::Moved)
    );
    assert_eq!(f.new_count, Some(selected - 1));
    assert_eq!(f.old_count, Some(selected));
    let diff = f.new_impact_ratio.unwrap() - f.old_impact_ratio.unwrap();
    assert_eq!(f.impact_ratio_difference, Some(diff));
    assert!(diff < 0.0);
    assert_eq!(f.rate_difference, Some(-1.0 / n as f64));

    let race = &d.metrics.families[1];
    let changes: Vec<(&str, CategoryChange)> = race
        .categories
        .iter()
        .map(|c| (c.category.as_str(), c.change))
        .collect();
    assert_eq!(
        changes,
        vec![
            ("Some Other Race", CategoryChange::Appeared),
            (gone.category.as_str(), CategoryChange::Disappeared),
        ]
    );
    let appeared = &race.categories[0];
    assert_eq!(appeared.old_n, None);
    assert_eq!(appeared.impact_ratio_difference, None);
    assert!(!d.metrics.families[2].moved);
}

#[test]
fn obligations_whose_status_changed_carry_both_reasons() {
    let m = metrics();
    let old = check(vec![
        obligation("5-301", Status::Met, "met by evidence/bias-audit.md"),
        obligation("5-303", Status::Missing, "no summary posted"),
        obligation("gone", Status::Met, "was here"),
    ]);
    let new = check(vec![
        obligation(
            "5-301",
            Status::Stale,
            "evidence/bias-audit.md expired on 2027-11-20",
        ),
        obligation("5-303", Status::Missing, "still no summary posted"),
        obligation("new", Status::Missing, "nothing yet"),
    ]);
    let v1 = manifest(1, vec![], vec![]);
    let v2 = manifest(2, vec![], vec![]);
    let d = compare(
        Sealed {
            manifest: &v1,
            metrics: &m,
            check: &old,
        },
        Sealed {
            manifest: &v2,
            metrics: &m,
            check: &new,
        },
    );
    let seen: Vec<(&str, Option<Status>, Option<Status>)> = d
        .obligations
        .iter()
        .map(|o| (o.id.as_str(), o.old_status, o.new_status))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("5-301", Some(Status::Met), Some(Status::Stale)),
            ("new", None, Some(Status::Missing)),
            ("gone", Some(Status::Met), None),
        ],
        "a status that stayed (5-303) is not listed, even with a new reason"
    );
    assert_eq!(
        d.obligations[0].new_reason.as_deref(),
        Some("evidence/bias-audit.md expired on 2027-11-20")
    );
    assert_eq!(
        d.obligations[0].old_reason.as_deref(),
        Some("met by evidence/bias-audit.md")
    );
    assert_eq!(d.obligations[0].framework, "nyc-ll144");
}

#[test]
fn inputs_added_and_removed_and_documents_by_format() {
    let m = metrics();
    let c = check(vec![]);
    let v1 = manifest(
        1,
        vec![
            record("config", "fairfile.toml", 'c', 5),
            record("evidence", "evidence/old.md", 'o', 7),
        ],
        vec![
            output("ll144-summary", "a-ll144-summary-v1.pdf", '1'),
            output("ll144-summary", "a-ll144-summary-v1.html", '2'),
        ],
    );
    let v2 = manifest(
        2,
        vec![
            record("config", "fairfile.toml", 'c', 5),
            record("evidence", "evidence/new.md", 'n', 9),
        ],
        vec![
            output("ll144-summary", "a-ll144-summary-v2.pdf", '3'),
            output("ll144-summary", "a-ll144-summary-v2.html", '2'),
            output("results", "a-results-v2.json", '4'),
        ],
    );
    let d = compare(
        Sealed {
            manifest: &v1,
            metrics: &m,
            check: &c,
        },
        Sealed {
            manifest: &v2,
            metrics: &m,
            check: &c,
        },
    );
    let inputs: Vec<(ChangeKind, &str, Option<u64>, Option<u64>)> = d
        .inputs
        .iter()
        .map(|i| (i.change, i.path.as_str(), i.old_bytes, i.new_bytes))
        .collect();
    assert_eq!(
        inputs,
        vec![
            (ChangeKind::Added, "evidence/new.md", None, Some(9)),
            (ChangeKind::Removed, "evidence/old.md", Some(7), None),
        ]
    );
    let docs: Vec<(&str, &str, Option<&str>, bool)> = d
        .documents
        .iter()
        .map(|x| {
            (
                x.document.as_str(),
                x.format.as_str(),
                x.old_file.as_deref(),
                x.changed,
            )
        })
        .collect();
    assert_eq!(
        docs,
        vec![
            ("ll144-summary", "pdf", Some("a-ll144-summary-v1.pdf"), true),
            (
                "ll144-summary",
                "html",
                Some("a-ll144-summary-v1.html"),
                false
            ),
            ("results", "json", None, true),
        ]
    );
}
