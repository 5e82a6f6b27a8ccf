//! The deadlines of the bundled example, against dates worked out by hand from its fairfile.toml
//! and evidence.

use chrono::NaiveDate;

use super::*;
use crate::events::Quiet;
use crate::pipeline::LoadedAudit;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn example(as_of: NaiveDate) -> (LoadedAudit, StatusReport) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-resumerank");
    let loaded = LoadedAudit::load(&dir, &Quiet).unwrap();
    let check = loaded.check(as_of).unwrap();
    let report = deadlines(
        &loaded.audit,
        &loaded.frameworks,
        &loaded.evidence,
        &check,
        as_of,
    );
    (loaded, report)
}

#[test]
fn the_example_lists_its_deadlines_sorted_with_stable_ids() {
    let as_of = d("2026-11-20");
    let (loaded, report) = example(as_of);
    assert_eq!(report.schema, STATUS_SCHEMA);
    assert!(!report.deadlines.is_empty());
    let dates: Vec<NaiveDate> = report.deadlines.iter().map(|x| x.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "sorted by date");
    for x in &report.deadlines {
        assert_eq!(x.days_remaining, (x.date - as_of).num_days());
        match x.state {
            DeadlineState::Overdue => assert!(x.date < as_of, "{x:?}"),
            DeadlineState::Due => assert!(x.date >= as_of, "{x:?}"),
            _ => {}
        }
    }
    // Ids are unique, and the same in a second run.
    let mut ids: Vec<&str> = report.deadlines.iter().map(|x| x.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), report.deadlines.len());
    let (_, again) = example(as_of);
    assert_eq!(report, again);

    // The LL144 re-audit: the independent bias audit on record + 365 days (6 RCNY § 5-301(a)).
    let renew = report
        .deadlines
        .iter()
        .find(|x| {
            x.kind == DeadlineKind::Renew && x.obligation.as_deref() == Some("nyc-ll144/5-301-a")
        })
        .expect("the next LL144 audit is listed");
    let audit_doc = loaded
        .evidence
        .documents
        .iter()
        .find(|doc| Some(doc.path.as_str()) == renew.evidence.as_deref())
        .expect("the renewal names the audit document");
    assert!(
        audit_doc
            .front
            .kind
            .iter()
            .any(|k| k == "independent_bias_audit")
    );
    assert_eq!(renew.date, audit_doc.front.date + chrono::Days::new(365));
}

#[test]
fn the_notice_deadline_is_ten_business_days_before_use() {
    let (loaded, report) = example(d("2026-01-05"));
    let section = loaded.audit.config.audit.get_ref();
    let planned = section.planned_use_date.expect("the example plans a use");
    let notice = report
        .deadlines
        .iter()
        .find(|x| x.obligation.as_deref() == Some("nyc-ll144/5-304-b"))
        .expect("the candidate notice deadline is listed");
    assert_eq!(notice.kind, DeadlineKind::NoticeBy);
    assert_eq!(
        notice.date,
        crate::check::calendar::latest_day_before(planned, 10, &section.holidays)
    );
    assert_eq!(
        crate::check::calendar::business_days_between(notice.date, planned, &section.holidays),
        10
    );
}

#[test]
fn stable_ids_depend_on_the_subject_not_the_date() {
    let a = stable_id("acme", DeadlineKind::Renew, "nyc-ll144/5-301-a#renew");
    assert_eq!(
        a,
        stable_id("acme", DeadlineKind::Renew, "nyc-ll144/5-301-a#renew")
    );
    assert_ne!(
        a,
        stable_id("acme2", DeadlineKind::Renew, "nyc-ll144/5-301-a#renew")
    );
    assert_ne!(
        a,
        stable_id("acme", DeadlineKind::Review, "nyc-ll144/5-301-a#renew")
    );
    assert!(a.ends_with("@fairfile"));
}
