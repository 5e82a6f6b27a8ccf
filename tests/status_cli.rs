//! `fairfile status` through the binary: the table, the JSON, `--within`, `--fail-on-overdue`, and
//! the iCalendar file read back by an independent parser (Python's `icalendar`, which `.ci/run`
//! installs; outside CI a missing one skips that part, said on stderr; with `CI=true` it fails).

use std::path::Path;
use std::process::{Command, Output};

use assert_cmd::prelude::*;
use serde_json::Value;

mod support;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");

fn fairfile(args: &[&str]) -> Output {
    Command::cargo_bin("fairfile")
        .unwrap()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn status_json(extra: &[&str]) -> Value {
    let mut args = vec![
        "status",
        EXAMPLE,
        "--format",
        "json",
        "--as-of",
        "2026-11-20",
    ];
    args.extend_from_slice(extra);
    let out = fairfile(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn deadlines(v: &Value) -> &Vec<Value> {
    v["deadlines"].as_array().unwrap()
}

#[test]
fn the_table_names_the_next_audit_and_the_overdue_reviews() {
    let out = fairfile(&["status", EXAMPLE, "--as-of", "2026-11-20"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Deadlines for acme-resumerank-2026 as of 2026-11-20"),
        "{text}"
    );
    // The LL144 re-audit: the example's audit is dated 2026-11-20; 365 days later.
    let line = text
        .lines()
        .find(|l| l.starts_with("2027-11-20"))
        .expect("the renewal date");
    assert!(
        line.contains("in 365 days") && line.contains("due"),
        "{line}"
    );
    assert!(
        text.contains("nyc-ll144/5-301-a (6 RCNY § 5-301(a)"),
        "{text}"
    );
    // A review date that has passed is overdue, with the days since.
    assert!(
        text.lines().any(|l| l.starts_with("2026-10-31")
            && l.contains("20 days ago")
            && l.contains("OVERDUE")),
        "{text}"
    );
    // No colour codes with NO_COLOR.
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn json_is_sorted_and_within_keeps_the_near_and_the_overdue() {
    let all = status_json(&[]);
    assert_eq!(all["schema"], "fairfile.status/1");
    let list = deadlines(&all);
    let dates: Vec<&str> = list.iter().map(|d| d["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    // The notice deadline: 10 business days before planned_use_date 2026-12-01 with the example's
    // holidays (2026-11-26) skipped is Monday 2026-11-16; the notice on record meets it.
    let notice = list
        .iter()
        .find(|d| d["obligation"] == "nyc-ll144/5-304-b")
        .unwrap();
    assert_eq!(notice["date"], "2026-11-16");
    assert_eq!(notice["kind"], "notice_by");
    assert_eq!(notice["state"], "done");
    // The EU AI Act's Annex III duties (Reg. 2026/1744): from 2027-12-02, for the example's roles.
    assert!(
        list.iter()
            .any(|d| d["kind"] == "applies_from" && d["date"] == "2027-12-02"),
        "{list:#?}"
    );

    let near = status_json(&["--within", "30"]);
    let near = deadlines(&near);
    assert!(near.len() < list.len());
    for d in near {
        let days = d["days_remaining"].as_i64().unwrap();
        assert!(days <= 30 || d["state"] == "overdue", "{d}");
    }
    let overdue = list.iter().filter(|d| d["state"] == "overdue").count();
    assert!(overdue > 0);
    assert_eq!(
        near.iter().filter(|d| d["state"] == "overdue").count(),
        overdue
    );
}

#[test]
fn fail_on_overdue_exits_1_only_when_something_is_overdue() {
    let out = fairfile(&[
        "status",
        EXAMPLE,
        "--as-of",
        "2026-11-20",
        "--fail-on-overdue",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The day before the first review date nothing is overdue yet.
    let out = fairfile(&[
        "status",
        EXAMPLE,
        "--as-of",
        "2026-06-01",
        "--fail-on-overdue",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let overdue = deadlines(&v).iter().any(|d| d["state"] == "overdue");
    assert_eq!(
        out.status.code(),
        Some(if overdue { 1 } else { 0 }),
        "{v:#}"
    );
}

#[test]
fn a_folder_without_fairfile_toml_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = fairfile(&["status", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fairfile init"));
}

#[test]
fn the_ics_file_is_read_back_one_event_per_deadline_with_stable_uids() {
    let dir = tempfile::tempdir().unwrap();
    let ics = dir.path().join("deadlines.ics");
    let ics_str = ics.to_str().unwrap();
    let out = fairfile(&[
        "status",
        EXAMPLE,
        "--as-of",
        "2026-11-20",
        "--format",
        "ics",
        "--out",
        ics_str,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "--out writes the file, not stdout");
    let bytes = std::fs::read(&ics).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // RFC 5545 § 3.1: CRLF line ends, content lines at most 75 octets.
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
        assert!(!line.contains('\n'));
    }
    // Deterministic: a second run writes the same bytes.
    let again = dir.path().join("again.ics");
    fairfile(&[
        "status",
        EXAMPLE,
        "--as-of",
        "2026-11-20",
        "--format",
        "ics",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&again).unwrap(), bytes);
    // A later day: the same UIDs (a re-import updates the events).
    let later = dir.path().join("later.ics");
    fairfile(&[
        "status",
        EXAMPLE,
        "--as-of",
        "2026-12-20",
        "--format",
        "ics",
        "--out",
        later.to_str().unwrap(),
    ]);

    if !support::python_has("icalendar", "icalendar", "the .ics check") {
        return;
    }
    const SCRIPT: &str = r#"
import json, sys, icalendar
out = []
for path in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(path, 'rb').read())
    events = [c for c in cal.walk() if c.name == 'VEVENT']
    out.append([{"uid": str(e['UID']), "date": e.decoded('DTSTART').isoformat(),
                 "summary": str(e['SUMMARY']), "description": str(e['DESCRIPTION'])} for e in events])
print(json.dumps(out))
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT, ics_str, later.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Vec<Vec<Value>> = serde_json::from_slice(&out.stdout).unwrap();
    let json = status_json(&[]);
    let list = deadlines(&json);
    assert_eq!(parsed[0].len(), list.len(), "one event per deadline");
    for (event, d) in parsed[0].iter().zip(list) {
        assert_eq!(event["uid"], d["id"]);
        assert_eq!(event["date"], d["date"]);
        // The text survives escaping and folding unchanged.
        assert!(
            event["description"]
                .as_str()
                .unwrap()
                .starts_with(d["what"].as_str().unwrap()),
            "{event} vs {d}"
        );
    }
    let uids = |events: &Vec<Value>| {
        let mut u: Vec<String> = events.iter().map(|e| e["uid"].to_string()).collect();
        u.sort();
        u
    };
    let (now, later) = (uids(&parsed[0]), uids(&parsed[1]));
    assert_eq!(
        now, later,
        "the same deadlines keep their UIDs on another day"
    );
    assert!(Path::new(ics_str).exists());
}
