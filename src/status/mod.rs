//! `fairfile status`: what is due and when, for a person who runs the audit every year.
//!
//! Every deadline comes from a rule the check already enforces, never from a second copy of the
//! law: the evidence rules of the applicable obligations in the framework files (`max_age_days`,
//! `min_business_days_before`, `not_after`, `keep_after`), the evidence documents' own `review_by`
//! and `expires`, the waivers' `until`, and the dates from which obligations apply
//! (`applies_from`). So the LL144 yearly re-audit (6 RCNY § 5-301(a): no more than a year
//! between the audit and a use) is the renewal date of the `independent_bias_audit` evidence, and
//! the notice deadline (Admin. Code § 20-871(b); 6 RCNY § 5-304: 10 business days before use,
//! `[audit] holidays` honoured) is computed by the same calendar as the check.
//!
//! The schema of `--format json` is `fairfile.status/1` (docs/status-json.md); `--format ics`
//! writes the same deadlines as an iCalendar file ([`ics`]).

pub mod ics;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::check::calendar;
use crate::check::{CheckReport, ObligationResult, Status};
use crate::config::Audit;
use crate::evidence::EvidenceSet;
use crate::frameworks::{FrameworkSet, RefDate, Requirement};

pub const STATUS_SCHEMA: &str = "fairfile.status/1";

/// The deadlines of one audit folder as of one day, sorted by date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusReport {
    /// `fairfile.status/1`.
    pub schema: String,
    pub audit_id: String,
    /// The day the days remaining are counted from (`--as-of`, default today).
    pub as_of: NaiveDate,
    /// Every deadline, earliest first.
    pub deadlines: Vec<Deadline>,
}

/// One date that matters, with what to do and the rule it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Deadline {
    pub date: NaiveDate,
    /// Days from the as-of day to `date`; negative when the date has passed.
    pub days_remaining: i64,
    pub state: DeadlineState,
    pub kind: DeadlineKind,
    /// What to do (or what happens) on or by `date`, in one sentence.
    pub what: String,
    /// `framework/obligation` the deadline serves, when it comes from an obligation's rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obligation: Option<String>,
    /// The obligation's citation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// The evidence document concerned (path in the audit folder), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Stable identifier (the same deadline has the same id in every run): the iCalendar UID.
    pub id: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Something must be done by the date, it is not done, and the date has passed.
    Overdue,
    /// Something must be done by the date (today or later), and it is not done yet.
    Due,
    /// The evidence on record already meets the rule; listed so the calendar is complete.
    Done,
    /// A date to know: an obligation starts to apply, a posting must stay up until then.
    Info,
}

impl DeadlineState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::Overdue => "overdue",
            DeadlineState::Due => "due",
            DeadlineState::Done => "done",
            DeadlineState::Info => "info",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Evidence that must be at most N days old at use (`max_age_days`) must be renewed: for
    /// LL144, the next bias audit.
    Renew,
    /// Evidence that must come N business days before a date (`min_business_days_before`): the
    /// latest day to give the notice.
    NoticeBy,
    /// Evidence that must be dated on or before a date (`not_after`): e.g. post the summary
    /// before use.
    Before,
    /// Evidence that must stay valid until a period after a date (`keep_after`): e.g. keep the
    /// summary posted 6 months after the last use.
    KeepUntil,
    /// An evidence document's `review_by`.
    Review,
    /// An evidence document's `expires`.
    Expires,
    /// A waiver's `until`.
    WaiverEnds,
    /// Obligations of this audit's roles start to apply (`applies_from`).
    AppliesFrom,
}

impl DeadlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Renew => "renew",
            DeadlineKind::NoticeBy => "notice_by",
            DeadlineKind::Before => "before",
            DeadlineKind::KeepUntil => "keep_until",
            DeadlineKind::Review => "review",
            DeadlineKind::Expires => "expires",
            DeadlineKind::WaiverEnds => "waiver_ends",
            DeadlineKind::AppliesFrom => "applies_from",
        }
    }
}

/// The deadlines of an audit as of `as_of`, from its check report (evaluated as of the same day),
/// its frameworks and its evidence.
pub fn deadlines(
    audit: &Audit,
    frameworks: &FrameworkSet,
    evidence: &EvidenceSet,
    check: &CheckReport,
    as_of: NaiveDate,
) -> StatusReport {
    let section = audit.config.audit.get_ref();
    let audit_id = section.id.get_ref().clone();
    let dates = RefDates {
        as_of,
        audit_date: section.audit_date,
        planned_use_date: section.planned_use_date,
        distribution_date: section.distribution_date,
        last_use_date: section.last_use_date,
    };
    let mut out = Collector {
        audit_id: &audit_id,
        as_of,
        deadlines: Vec::new(),
    };

    for fw in &check.frameworks {
        // Obligations starting to apply, one line per framework and date.
        let mut starting: BTreeMap<NaiveDate, Vec<&ObligationResult>> = BTreeMap::new();
        for result in &fw.obligations {
            if matches!(result.status, Status::NotApplicable) {
                continue;
            }
            if let Some(from) = result.applies_from.filter(|d| *d > as_of) {
                starting.entry(from).or_default().push(result);
            }
            if matches!(result.status, Status::Waived) {
                continue; // the waiver's own end date is listed below
            }
            let key = format!("{}/{}", fw.id, result.id);
            let Some((_, ob)) = frameworks.obligation(&key) else {
                continue;
            };
            for req in &ob.evidence {
                out.requirement(&key, result, req, &dates, &section.holidays);
            }
        }
        for (from, results) in starting {
            let ids: Vec<&str> = results.iter().map(|r| r.id.as_str()).collect();
            // A date can start a hundred duties (EU AI Act Annex III): name a few, `check` has all.
            let named = match ids.len() {
                n if n <= 6 => ids.join(", "),
                n => format!(
                    "{}, … and {} more (`fairfile check` lists them)",
                    ids[..5].join(", "),
                    n - 5
                ),
            };
            out.push(
                from,
                DeadlineState::Info,
                DeadlineKind::AppliesFrom,
                format!(
                    "{} obligation{} of {} for this audit's roles start{} to apply: {}",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" },
                    fw.id,
                    if ids.len() == 1 { "s" } else { "" },
                    named
                ),
                Meta {
                    subject: format!("{}@{from}", fw.id),
                    ..Meta::default()
                },
            );
        }
    }

    for doc in evidence.documents.iter().filter(|d| !d.front.draft) {
        let f = &doc.front;
        if let Some(review) = f.review_by {
            let state = if review < as_of {
                DeadlineState::Overdue
            } else {
                DeadlineState::Due
            };
            out.push(
                review,
                state,
                DeadlineKind::Review,
                format!(
                    "Review \"{}\" and update its `review_by` (after this date it is stale evidence)",
                    f.title
                ),
                Meta {
                    evidence: Some(doc.path.clone()),
                    subject: doc.path.clone(),
                    ..Meta::default()
                },
            );
        }
        if let Some(expires) = f.expires {
            let state = if expires < as_of {
                DeadlineState::Overdue
            } else {
                DeadlineState::Due
            };
            out.push(
                expires,
                state,
                DeadlineKind::Expires,
                format!(
                    "\"{}\" expires: replace it with a current version (after this date it no longer counts)",
                    f.title
                ),
                Meta {
                    evidence: Some(doc.path.clone()),
                    subject: doc.path.clone(),
                    ..Meta::default()
                },
            );
        }
    }

    for waiver in &audit.config.waivers {
        let w = waiver.get_ref();
        let state = if w.until < as_of {
            DeadlineState::Overdue
        } else {
            DeadlineState::Due
        };
        let cite = frameworks
            .obligation(&w.obligation)
            .map(|(_, o)| o.cite.clone());
        out.push(
            w.until,
            state,
            DeadlineKind::WaiverEnds,
            format!(
                "The waiver of {} (approved by {}) ends: renew the decision or provide the evidence",
                w.obligation, w.approved_by
            ),
            Meta {
                obligation: Some(w.obligation.clone()),
                cite,
                subject: w.obligation.clone(),
                ..Meta::default()
            },
        );
    }

    let mut deadlines = out.deadlines;
    deadlines.sort_by(|a, b| {
        (a.date, a.kind, &a.obligation, &a.evidence, &a.id).cmp(&(
            b.date,
            b.kind,
            &b.obligation,
            &b.evidence,
            &b.id,
        ))
    });
    StatusReport {
        schema: STATUS_SCHEMA.to_string(),
        audit_id,
        as_of,
        deadlines,
    }
}

struct RefDates {
    as_of: NaiveDate,
    audit_date: NaiveDate,
    planned_use_date: Option<NaiveDate>,
    distribution_date: Option<NaiveDate>,
    last_use_date: Option<NaiveDate>,
}

impl RefDates {
    fn get(&self, r: RefDate) -> Option<NaiveDate> {
        match r {
            RefDate::AsOf => Some(self.as_of),
            RefDate::AuditDate => Some(self.audit_date),
            RefDate::PlannedUseDate => self.planned_use_date,
            RefDate::DistributionDate => self.distribution_date,
            RefDate::LastUseDate => self.last_use_date,
        }
    }
}

#[derive(Default)]
struct Meta {
    obligation: Option<String>,
    cite: Option<String>,
    evidence: Option<String>,
    /// What makes the deadline unique within its kind (obligation, document path…): the UID.
    subject: String,
}

struct Collector<'a> {
    audit_id: &'a str,
    as_of: NaiveDate,
    deadlines: Vec<Deadline>,
}

impl Collector<'_> {
    fn push(
        &mut self,
        date: NaiveDate,
        state: DeadlineState,
        kind: DeadlineKind,
        what: String,
        meta: Meta,
    ) {
        let id = stable_id(self.audit_id, kind, &meta.subject);
        // One rule can reach the same deadline through two requirements: list it once.
        if self.deadlines.iter().any(|d| d.id == id && d.date == date) {
            return;
        }
        self.deadlines.push(Deadline {
            date,
            days_remaining: (date - self.as_of).num_days(),
            state,
            kind,
            what,
            obligation: meta.obligation,
            cite: meta.cite,
            evidence: meta.evidence,
            id,
        });
    }

    /// The deadlines one evidence requirement of an applicable obligation implies.
    fn requirement(
        &mut self,
        key: &str,
        result: &ObligationResult,
        req: &Requirement,
        dates: &RefDates,
        holidays: &[NaiveDate],
    ) {
        // The documents on record for this requirement, newest first.
        let mut on_record: Vec<(NaiveDate, &str)> = result
            .evidence
            .iter()
            .filter(|e| req.kinds.contains(&e.kind))
            .filter_map(|e| Some((e.date?, e.path.as_deref()?)))
            .collect();
        on_record.sort_by(|a, b| b.cmp(a));
        let newest = on_record.first().copied();
        let kinds = req.kinds.join(" or ");
        let meta = |suffix: &str| Meta {
            obligation: Some(key.to_string()),
            cite: Some(result.cite.clone()),
            evidence: None,
            subject: format!("{key}#{suffix}"),
        };
        let open = |date: NaiveDate, as_of: NaiveDate| {
            if date < as_of {
                DeadlineState::Overdue
            } else {
                DeadlineState::Due
            }
        };

        if let Some(rule) = req.max_age {
            match newest {
                Some((date, path)) => {
                    let until = date + chrono::Days::new(u64::from(rule.days));
                    self.push(
                        until,
                        open(until, self.as_of),
                        DeadlineKind::Renew,
                        format!(
                            "{}: the {kinds} on record ({path}, dated {date}) covers uses up to this day; a use after it needs a new one (at most {} days old)",
                            result.title, rule.days
                        ),
                        Meta {
                            evidence: Some(path.to_string()),
                            ..meta("renew")
                        },
                    );
                }
                None => {
                    if let Some(reference) =
                        dates.get(rule.date).filter(|_| rule.date != RefDate::AsOf)
                    {
                        self.push(
                            reference,
                            open(reference, self.as_of),
                            DeadlineKind::Renew,
                            format!(
                                "{}: no {kinds} on record; one is needed, at most {} days old, by {} {reference}",
                                result.title,
                                rule.days,
                                rule.date.as_str()
                            ),
                            meta("renew"),
                        );
                    }
                }
            }
        }

        if let Some(rule) = req.min_business_days_before
            && let Some(reference) = dates.get(rule.date)
        {
            let latest = calendar::latest_day_before(reference, rule.days, holidays);
            let done = on_record
                .iter()
                .any(|(d, _)| calendar::add_business_days(*d, rule.days, holidays) <= reference);
            self.push(
                latest,
                if done {
                    DeadlineState::Done
                } else {
                    open(latest, self.as_of)
                },
                DeadlineKind::NoticeBy,
                format!(
                    "{}: latest day for the {kinds}, {} business days before {} {reference}{}",
                    result.title,
                    rule.days,
                    rule.date.as_str(),
                    if holidays.is_empty() {
                        " (no [audit] holidays listed: public holidays are counted as business days)"
                    } else {
                        " ([audit] holidays skipped)"
                    }
                ),
                meta("notice"),
            );
        }

        if let Some(r) = req.not_after
            && let Some(reference) = dates.get(r)
        {
            let done = on_record.iter().any(|(d, _)| *d <= reference);
            self.push(
                reference,
                if done {
                    DeadlineState::Done
                } else {
                    open(reference, self.as_of)
                },
                DeadlineKind::Before,
                format!(
                    "{}: the {kinds} must be dated on or before {} {reference}",
                    result.title,
                    r.as_str()
                ),
                meta("before"),
            );
        }

        if let Some(rule) = req.keep_after
            && let Some(reference) = dates.get(rule.date)
        {
            let until = rule.period.after(reference);
            self.push(
                until,
                DeadlineState::Info,
                DeadlineKind::KeepUntil,
                format!(
                    "{}: the {kinds} must stay valid (posted) until at least this day, {} after {} {reference}",
                    result.title,
                    rule.period,
                    rule.date.as_str()
                ),
                meta("keep"),
            );
        }
    }
}

/// A UID that is the same for the same deadline in every run (RFC 5545 § 3.8.4.7: a calendar
/// that imports the file again updates the event instead of adding a copy). The date is left out
/// on purpose: a renewed audit moves the deadline, and the event moves with it.
fn stable_id(audit_id: &str, kind: DeadlineKind, subject: &str) -> String {
    let digest =
        crate::hash::sha256_hex(format!("{audit_id}\n{}\n{subject}", kind.as_str()).as_bytes());
    format!("{}-{}@fairfile", kind.as_str(), &digest[..20])
}

#[cfg(test)]
mod tests;
