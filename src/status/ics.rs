//! The deadlines as an iCalendar file (RFC 5545), for a compliance calendar.
//!
//! Written by hand: the format needs a dozen lines of rules (CRLF line ends, lines folded at 75
//! octets, TEXT values escaped), and no calendar crate in the registry is lighter than that.
//! Deterministic: DTSTAMP is the as-of day, not the clock, and each event's UID is the deadline's
//! stable id, so importing a newer file updates the events instead of duplicating them.

use std::fmt::Write as _;

use super::{Deadline, DeadlineState, StatusReport};

/// The report as a VCALENDAR with one all-day VEVENT per deadline.
pub fn to_ics(report: &StatusReport) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//fairfile//fairfile status//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!(
            "X-WR-CALNAME:{}",
            text(&format!("fairfile: {}", report.audit_id))
        ),
    ];
    let stamp = format!("{}T000000Z", report.as_of.format("%Y%m%d"));
    for d in &report.deadlines {
        lines.extend(event(d, &report.audit_id, &stamp));
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

fn event(d: &Deadline, audit_id: &str, stamp: &str) -> Vec<String> {
    let mut description = d.what.clone();
    if let Some(ob) = &d.obligation {
        let _ = write!(description, "\nObligation: {ob}");
    }
    if let Some(cite) = &d.cite {
        let _ = write!(description, "\nRule: {cite}");
    }
    if let Some(ev) = &d.evidence {
        let _ = write!(description, "\nEvidence: {ev}");
    }
    let _ = write!(
        description,
        "\nState on {}: {}. From `fairfile status` for {audit_id}.",
        &stamp[..8],
        d.state.as_str()
    );
    let summary = match d.state {
        DeadlineState::Overdue => format!("OVERDUE: {}", headline(d)),
        _ => headline(d),
    };
    vec![
        "BEGIN:VEVENT".into(),
        format!("UID:{}", d.id),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART;VALUE=DATE:{}", d.date.format("%Y%m%d")),
        format!(
            "DTEND;VALUE=DATE:{}",
            d.date.succ_opt().unwrap_or(d.date).format("%Y%m%d")
        ),
        format!("SUMMARY:{}", text(&format!("{audit_id}: {summary}"))),
        format!("DESCRIPTION:{}", text(&description)),
        format!("CATEGORIES:{}", text(d.kind.as_str())),
        "TRANSP:TRANSPARENT".into(),
        "END:VEVENT".into(),
    ]
}

/// The first clause of `what`: a calendar shows the summary in a day cell.
fn headline(d: &Deadline) -> String {
    match &d.obligation {
        Some(ob) => format!("{} ({ob})", d.kind_label()),
        None => format!(
            "{}: {}",
            d.kind_label(),
            d.evidence.as_deref().unwrap_or("")
        ),
    }
}

impl Deadline {
    fn kind_label(&self) -> &'static str {
        use super::DeadlineKind::*;
        match self.kind {
            Renew => "Renew the evidence (e.g. the next bias audit)",
            NoticeBy => "Last day for the notice",
            Before => "Due before use",
            KeepUntil => "Keep posted until",
            Review => "Review evidence",
            Expires => "Evidence expires",
            WaiverEnds => "Waiver ends",
            AppliesFrom => "Obligations start to apply",
        }
    }
}

/// A TEXT value (RFC 5545 § 3.3.11): backslash, semicolon, comma and newline escaped; other
/// control characters (not allowed in TEXT) dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Fold a content line at 75 octets (RFC 5545 § 3.1), never inside a UTF-8 character; CRLF ends.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "é".repeat(80));
        fold(&line, &mut out);
        for part in out.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(part.len() <= 75, "{} octets: {part:?}", part.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a;b,c\\d\ne\u{7}"), "a\\;b\\,c\\\\d\\ne");
    }
}
