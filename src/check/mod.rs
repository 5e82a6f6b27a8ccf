//! The check: for every applicable obligation, met / missing / stale / failing / waived / not applicable,
//! each with a reason a person can act on. Rules: `docs/frameworks.md` ("Statuses").
//!
//! The check never guesses applicability: roles come from `[audit] roles`, conditions from the
//! declared facts, and an obligation whose applicability cannot be decided is still checked, with a
//! reason that says which fact to declare. Dates are evaluated against one as-of day (default: the
//! audit date), so the same inputs give the same report.

pub mod calendar;
pub mod facts;
pub mod report;
pub mod todo;

pub use report::*;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use crate::config::{Audit, Waiver};
use crate::diag::{Error, Location, Result};
use crate::evidence::{EvidenceDocument, EvidenceSet};
use crate::frameworks::diags::{Code, with_suggestion};
use crate::frameworks::{
    Condition, DayRule, Framework, FrameworkSet, Obligation, PeriodRule, RefDate, Requirement,
};
use crate::metrics::MetricsReport;
use facts::Eval;

/// Check every obligation of every framework in use against the evidence, as of `as_of`.
pub fn run(
    audit: &Audit,
    metrics: &MetricsReport,
    frameworks: &FrameworkSet,
    evidence: &EvidenceSet,
    as_of: NaiveDate,
) -> Result<CheckReport> {
    let waivers = waivers_by_obligation(audit, frameworks)?;
    let section = audit.config.audit.get_ref();
    let ctx = Ctx {
        as_of,
        audit_date: section.audit_date,
        planned_use_date: section.planned_use_date,
        distribution_date: section.distribution_date,
        last_use_date: section.last_use_date,
        holidays: &section.holidays,
        roles: section.roles.get_ref(),
        facts: facts::document(audit, metrics)?,
        metrics,
        frameworks,
        evidence,
    };

    let mut results = Vec::new();
    for fw in frameworks.frameworks() {
        let mut counts = StatusCounts::default();
        let mut obligations = Vec::new();
        for ob in &fw.obligations {
            let key = format!("{}/{}", fw.id, ob.id);
            let result = ctx.check(
                fw,
                ob,
                waivers.get(key.as_str()).map(Vec::as_slice).unwrap_or(&[]),
            );
            counts.add(result.status);
            obligations.push(result);
        }
        results.push(FrameworkResult {
            id: fw.id.clone(),
            title: fw.title.clone(),
            counts,
            obligations,
        });
    }

    let warnings = business_day_warning(section.holidays.is_empty(), frameworks, &results)
        .into_iter()
        .collect();
    Ok(CheckReport {
        schema: CHECK_SCHEMA.to_string(),
        audit_id: section.id.get_ref().clone(),
        as_of,
        warnings,
        crosswalk: crosswalk(&results),
        frameworks: results,
        unreferenced_files: evidence
            .unreferenced_files
            .iter()
            .map(|f| UnreferencedFile {
                path: f.path.clone(),
                sha256: f.sha256.clone(),
            })
            .collect(),
    })
}

/// Business days skip `[audit] holidays` as well as weekends (Admin. Code § 20-871(b); 6 RCNY
/// § 5-304(b)-(c): "at least 10 business days"). With no holidays listed every weekday counts,
/// which can pass a notice that is a day short: say so when an applicable obligation uses the rule.
fn business_day_warning(
    no_holidays: bool,
    frameworks: &FrameworkSet,
    results: &[FrameworkResult],
) -> Option<String> {
    if !no_holidays {
        return None;
    }
    let using: Vec<String> = results
        .iter()
        .flat_map(|f| f.obligations.iter().map(move |o| (f, o)))
        .filter(|(_, o)| o.status != Status::NotApplicable)
        .filter(|(f, o)| {
            frameworks
                .obligation(&format!("{}/{}", f.id, o.id))
                .is_some_and(|(_, ob)| {
                    ob.evidence
                        .iter()
                        .any(|r| r.min_business_days_before.is_some())
                })
        })
        .map(|(f, o)| format!("{}/{}", f.id, o.id))
        .collect();
    (!using.is_empty()).then(|| {
        format!(
            "[audit] holidays is empty, so the business-day rules of {} count every Monday to Friday, public holidays included: a notice 10 weekdays before use across Thanksgiving is only 9 business days. List the public holidays in [audit] holidays.",
            using.join(", ")
        )
    })
}

/// Waivers grouped by obligation; a waiver naming no obligation of the frameworks in use is an
/// error (a typo must not leave an obligation silently unwaived).
fn waivers_by_obligation<'a>(
    audit: &'a Audit,
    frameworks: &FrameworkSet,
) -> Result<BTreeMap<&'a str, Vec<&'a Waiver>>> {
    let mut map: BTreeMap<&str, Vec<&Waiver>> = BTreeMap::new();
    let mut errors = Vec::new();
    let keys: Vec<String> = frameworks
        .frameworks()
        .iter()
        .flat_map(|f| {
            f.obligations
                .iter()
                .map(move |o| format!("{}/{}", f.id, o.id))
        })
        .collect();
    for spanned in &audit.config.waivers {
        let waiver = spanned.get_ref();
        if frameworks.obligation(&waiver.obligation).is_none() {
            let err = Code::A004UnknownWaivedObligation.error(
                Location::from_offset(&audit.config_path, &audit.config_text, spanned.span().start)
                    .with_field("waivers.obligation"),
                format!(
                    "waiver names {:?}, which is not an obligation of this audit's frameworks",
                    waiver.obligation
                ),
            );
            errors.push(with_suggestion(
                err,
                &waiver.obligation,
                keys.iter().map(String::as_str),
                || {
                    "write `framework/obligation-id` (`fairfile frameworks show ID` lists them)"
                        .to_string()
                },
            ));
            continue;
        }
        map.entry(waiver.obligation.as_str())
            .or_default()
            .push(waiver);
    }
    match errors.len() {
        0 => Ok(map),
        1 => Err(errors.remove(0).into()),
        _ => Err(Error::Inputs(errors)),
    }
}

/// Documents serving obligations in more than one framework (the crosswalk), by path.
fn crosswalk(results: &[FrameworkResult]) -> Vec<CrosswalkEntry> {
    let mut by_source: BTreeMap<String, (String, Vec<String>, Vec<&str>)> = BTreeMap::new();
    for fw in results {
        for ob in &fw.obligations {
            for e in &ob.evidence {
                let source = match (&e.path, &e.computed) {
                    (Some(path), _) => path.clone(),
                    (None, _) => format!("computed:{}", e.kind),
                };
                let entry = by_source
                    .entry(source)
                    .or_insert_with(|| (e.sha256.clone(), Vec::new(), Vec::new()));
                let key = format!("{}/{}", fw.id, ob.id);
                if !entry.1.contains(&key) {
                    entry.1.push(key);
                }
                if !entry.2.contains(&fw.id.as_str()) {
                    entry.2.push(&fw.id);
                }
            }
        }
    }
    by_source
        .into_iter()
        .filter(|(_, (_, _, fws))| fws.len() > 1)
        .map(|(path, (sha256, obligations, _))| CrosswalkEntry {
            path,
            sha256,
            obligations,
        })
        .collect()
}

struct Ctx<'a> {
    as_of: NaiveDate,
    audit_date: NaiveDate,
    planned_use_date: Option<NaiveDate>,
    distribution_date: Option<NaiveDate>,
    last_use_date: Option<NaiveDate>,
    holidays: &'a [NaiveDate],
    roles: &'a [String],
    facts: Value,
    metrics: &'a MetricsReport,
    frameworks: &'a FrameworkSet,
    evidence: &'a EvidenceSet,
}

/// A piece of evidence considered for a requirement, with what is wrong with it (if anything).
struct Candidate {
    reference: EvidenceRef,
    /// A document's `expires` (computed results do not expire: they are as current as the data).
    expires: Option<NaiveDate>,
    problems: Vec<String>,
    /// Breaches that renewing the evidence cannot cure (e.g. posted after use began).
    violations: Vec<String>,
}

impl Candidate {
    fn label(&self) -> String {
        let source = match (&self.reference.path, &self.reference.computed) {
            (Some(p), _) => p.clone(),
            _ => format!("computed:{}", self.reference.kind),
        };
        match self.reference.date {
            Some(d) => format!("{source} ({d})"),
            None => source,
        }
    }
}

/// Whether an obligation applies to this audit.
enum Applicability {
    /// It applies (or may: `undecided` says which role or fact to declare).
    Applies {
        undecided: Option<String>,
    },
    NotApplicable(String),
}

/// What the conditions and evidence say about an applicable, unwaived obligation.
struct Verdict {
    status: Status,
    reason: String,
    evidence: Vec<EvidenceRef>,
    missing_kinds: Vec<String>,
}

/// How one evidence requirement came out.
enum Outcome {
    Met(Vec<EvidenceRef>),
    /// Evidence exists but none of it is current or inside its window.
    Stale(Vec<EvidenceRef>, String),
    /// Every piece of evidence breaches a rule no renewal can cure.
    Failing(Vec<EvidenceRef>, String),
    /// No evidence of any of the kinds.
    Missing(String),
    /// A date the rule needs is not declared.
    Undecidable(Vec<EvidenceRef>, String),
}

impl Ctx<'_> {
    fn check(&self, fw: &Framework, ob: &Obligation, waivers: &[&Waiver]) -> ObligationResult {
        let key = format!("{}/{}", fw.id, ob.id);
        let in_force = ob.applies_from.is_none_or(|d| d <= self.as_of);
        let mut notes: Vec<String> = Vec::new();
        if let Some(from) = ob.applies_from.filter(|_| !in_force) {
            let named = ob
                .applies_from_name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            notes.push(format!(
                "applies from {from}{named}; not yet in force on {}, checked ahead",
                self.as_of
            ));
        }
        let mut result = ObligationResult {
            id: ob.id.clone(),
            cite: ob.cite.clone(),
            title: ob.title.clone(),
            status: Status::Met,
            reason: String::new(),
            evidence: Vec::new(),
            missing_kinds: Vec::new(),
            section: ob.section.map(|s| s.to_string()),
            applies_from: ob.applies_from,
            in_force,
            applicability_undecided: false,
        };
        let finish = |mut result: ObligationResult, main: String, notes: &[String]| {
            result.reason = std::iter::once(main)
                .chain(notes.iter().cloned())
                .collect::<Vec<_>>()
                .join("; ");
            result
        };

        match self.applicability(fw, ob) {
            Applicability::NotApplicable(reason) => {
                result.status = Status::NotApplicable;
                result.reason = reason;
                return result;
            }
            Applicability::Applies { undecided } => {
                result.applicability_undecided = undecided.is_some();
                notes.extend(undecided);
            }
        }

        // Waivers: a current one decides; an expired one is reported and ignored.
        let current = waivers
            .iter()
            .filter(|w| w.until >= self.as_of)
            .max_by_key(|w| w.until);
        if let Some(w) = current {
            result.status = Status::Waived;
            let main = format!(
                "waived until {} by {}: {}",
                w.until, w.approved_by, w.justification
            );
            return finish(result, main, &notes);
        }
        if let Some(w) = waivers.iter().max_by_key(|w| w.until) {
            notes.push(format!(
                "the waiver approved by {} expired on {}, so it no longer applies",
                w.approved_by, w.until
            ));
        }

        let verdict = self.evaluate(&key, ob);
        result.status = verdict.status;
        result.evidence = verdict.evidence;
        result.missing_kinds = verdict.missing_kinds;
        finish(result, verdict.reason, &notes)
    }

    /// Roles first, then `when` conditions on declared facts. Never guessed: a role list or fact
    /// that is not declared leaves applicability undecided (and says what to declare).
    fn applicability(&self, fw: &Framework, ob: &Obligation) -> Applicability {
        let mut undecided = Vec::new();
        if !ob.applies_to.is_empty() {
            if self.roles.is_empty() {
                undecided.push(format!(
                    "applies to {}: declare the organisation's roles in [audit] roles",
                    ob.applies_to.join(", ")
                ));
            } else if !ob.applies_to.iter().any(|r| self.roles.contains(r)) {
                return Applicability::NotApplicable(format!(
                    "applies to {}; this audit declares roles {}",
                    ob.applies_to.join(", "),
                    self.roles.join(", ")
                ));
            }
        }
        for condition in &ob.when {
            match facts::evaluate(condition, &self.facts) {
                Eval::Holds => {}
                Eval::Absent => undecided.push(format!(
                    "applies only when {condition}: {}",
                    facts::where_to_declare(&condition.fact)
                )),
                Eval::Fails(detail) => {
                    let mut reason = format!("applies only when {condition}; {detail}");
                    if let Some(m) = &condition.message {
                        reason = format!("{reason} ({m})");
                    }
                    return Applicability::NotApplicable(reason);
                }
            }
        }
        // Framework-level exemptions (e.g. a valid Art 6(3) derogation): when every condition
        // holds the obligation does not apply; one that fails keeps it; an undeclared fact leaves
        // it undecided.
        for ex in fw.exemptions.iter().filter(|e| e.covers(&ob.id)) {
            let mut absent = Vec::new();
            let mut fails = false;
            for condition in &ex.conditions {
                match facts::evaluate(condition, &self.facts) {
                    Eval::Holds => {}
                    Eval::Fails(_) => fails = true,
                    Eval::Absent => absent.push(format!(
                        "{condition}: {}",
                        facts::where_to_declare(&condition.fact)
                    )),
                }
            }
            if fails {
                continue;
            }
            if absent.is_empty() {
                return Applicability::NotApplicable(format!(
                    "{} ({}; exemption {})",
                    ex.message, ex.cite, ex.id
                ));
            }
            undecided.push(format!(
                "not applicable if {} ({}) holds: {}",
                ex.id,
                ex.cite,
                absent.join("; ")
            ));
        }
        Applicability::Applies {
            undecided: (!undecided.is_empty())
                .then(|| format!("applicability undecided ({})", undecided.join("; "))),
        }
    }

    /// Conditions and evidence requirements: failing, missing, stale or met.
    fn evaluate(&self, key: &str, ob: &Obligation) -> Verdict {
        let mut failing: Vec<String> = ob
            .conditions
            .iter()
            .filter_map(|c| match facts::evaluate(c, &self.facts) {
                Eval::Holds => None,
                outcome => Some(condition_failure(c, outcome)),
            })
            .collect();
        let mut missing = Vec::new();
        let mut stale = Vec::new();
        let mut met_by: Vec<EvidenceRef> = Vec::new();
        let mut evidence: Vec<EvidenceRef> = Vec::new();
        let mut missing_kinds: Vec<String> = Vec::new();
        let mut outcomes: Vec<(Outcome, &[String])> = Vec::new();
        if ob.evidence.is_empty() && ob.conditions.is_empty() {
            // Nothing to compute from: only a document that claims it explicitly can meet it.
            outcomes.push((self.explicit_only(key), &[]));
        }
        for req in &ob.evidence {
            outcomes.push((self.requirement(key, req), &req.kinds));
        }
        for (outcome, kinds) in outcomes {
            let found = match outcome {
                Outcome::Met(found) => {
                    met_by.extend(found.iter().cloned());
                    found
                }
                Outcome::Stale(found, why) => {
                    stale.push(why);
                    missing_kinds.extend(kinds.iter().cloned());
                    found
                }
                Outcome::Failing(found, why) => {
                    failing.push(why);
                    found
                }
                Outcome::Missing(why) => {
                    missing.push(why);
                    missing_kinds.extend(kinds.iter().cloned());
                    Vec::new()
                }
                Outcome::Undecidable(found, why) => {
                    missing.push(why);
                    found
                }
            };
            for r in found {
                if !evidence.contains(&r) {
                    evidence.push(r);
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        missing_kinds.retain(|k| seen.insert(k.clone()));

        let (status, reason) = if !failing.is_empty() {
            (
                Status::Failing,
                [failing, missing, stale].concat().join("; "),
            )
        } else if !missing.is_empty() {
            (Status::Missing, [missing, stale].concat().join("; "))
        } else if !stale.is_empty() {
            (Status::Stale, stale.join("; "))
        } else {
            let holds: Vec<String> = ob.conditions.iter().map(ToString::to_string).collect();
            let reason = match (met_by.is_empty(), holds.is_empty()) {
                (false, true) => format!("met by {}", describe(&met_by)),
                (false, false) => format!(
                    "met by {}; conditions hold: {}",
                    describe(&met_by),
                    holds.join(", ")
                ),
                (true, _) => format!("conditions hold: {}", holds.join(", ")),
            };
            (Status::Met, reason)
        };
        Verdict {
            status,
            reason,
            evidence,
            missing_kinds,
        }
    }

    /// The date a rule counts from, if declared.
    fn date(&self, r: RefDate) -> Option<NaiveDate> {
        match r {
            RefDate::AsOf => Some(self.as_of),
            RefDate::AuditDate => Some(self.audit_date),
            RefDate::PlannedUseDate => self.planned_use_date,
            RefDate::DistributionDate => self.distribution_date,
            RefDate::LastUseDate => self.last_use_date,
        }
    }

    /// Documents with `satisfies` naming the obligation.
    fn claims<'e>(&'e self, key: &'e str) -> impl Iterator<Item = &'e EvidenceDocument> {
        self.evidence
            .documents
            .iter()
            .filter(move |d| !d.front.draft && d.front.satisfies.iter().any(|s| s == key))
    }

    /// Drafts (`draft = true`, e.g. templates from `fairfile init`) that would otherwise count
    /// for this requirement or claim the obligation: named in the "missing" reason, so the user
    /// sees which file is left to fill in.
    fn drafts_for(&self, key: &str, kinds: &[String]) -> Option<String> {
        let paths: Vec<&str> = self
            .evidence
            .documents
            .iter()
            .filter(|d| {
                d.front.draft
                    && (kinds.iter().any(|k| d.front.kind.contains(k))
                        || d.front.satisfies.iter().any(|s| s == key))
            })
            .map(|d| d.path.as_str())
            .collect();
        (!paths.is_empty()).then(|| {
            format!(
                "{} {} still a draft: fill it in and remove `draft = true` from its front matter",
                paths.join(", "),
                if paths.len() == 1 { "is" } else { "are" }
            )
        })
    }

    fn explicit_only(&self, key: &str) -> Outcome {
        let candidates: Vec<Candidate> = self
            .claims(key)
            .map(|d| self.document_candidate(d, d.front.kind.first().map_or("", String::as_str)))
            .collect();
        if candidates.is_empty() {
            let why = format!(
                "no evidence document claims it; add one with satisfies = [\"{key}\"] in its front matter"
            );
            return Outcome::Missing(match self.drafts_for(key, &[]) {
                Some(drafts) => format!("{why} ({drafts})"),
                None => why,
            });
        }
        settle(candidates)
    }

    fn requirement(&self, key: &str, req: &Requirement) -> Outcome {
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut unavailable = Vec::new();
        for doc in self.evidence.documents.iter().filter(|d| !d.front.draft) {
            let kind = req.kinds.iter().find(|k| doc.front.kind.contains(k));
            let claimed = doc.front.satisfies.iter().any(|s| s == key);
            if let Some(kind) = kind
                .map(String::as_str)
                .or(claimed.then(|| doc.front.kind.first().map_or("", String::as_str)))
            {
                candidates.push(self.document_candidate(doc, kind));
            }
        }
        for kind in &req.kinds {
            let Some(path) = self
                .frameworks
                .kind(kind)
                .and_then(|k| k.computed.as_deref())
            else {
                continue;
            };
            let value = facts::lookup(&self.facts, path);
            if facts::is_present(value) {
                candidates.push(Candidate {
                    reference: EvidenceRef {
                        kind: kind.clone(),
                        path: None,
                        computed: Some(path.to_string()),
                        sha256: self.metrics.data.sha256.clone(),
                        title: self.frameworks.kind(kind).map(|k| k.description.clone()),
                        date: Some(self.audit_date),
                    },
                    expires: None,
                    problems: Vec::new(),
                    violations: Vec::new(),
                });
            } else {
                unavailable.push(format!(
                    "computed:{kind} is not available ({path} is {})",
                    shown(value)
                ));
            }
        }
        if candidates.is_empty() {
            let kinds = req
                .kinds
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let mut why = format!(
                "missing evidence of kind {kinds}: add a document under evidence/ with kind = [\"{}\"]",
                req.kinds[0]
            );
            if !unavailable.is_empty() {
                why = format!("{why} ({})", unavailable.join("; "));
            }
            if let Some(drafts) = self.drafts_for(key, &req.kinds) {
                why = format!("{why}; {drafts}");
            }
            return Outcome::Missing(why);
        }
        // Rules that need an undeclared date cannot be decided.
        // An undeclared `last_use_date` means use has not ended, so a keep-after rule waits.
        let needs: Vec<RefDate> = [req.max_age, req.min_business_days_before]
            .iter()
            .flatten()
            .map(|r| r.date)
            .chain(
                req.keep_after
                    .map(|r| r.date)
                    .filter(|d| *d != RefDate::LastUseDate),
            )
            .chain(req.not_after)
            .filter(|d| self.date(*d).is_none())
            .collect();
        if let Some(date) = needs.first() {
            let refs = candidates.into_iter().map(|c| c.reference).collect();
            return Outcome::Undecidable(
                refs,
                format!(
                    "cannot check the date rule: set `{}` in [audit] of fairfile.toml",
                    date.as_str()
                ),
            );
        }
        for c in &mut candidates {
            let date = c.reference.date.unwrap_or(self.audit_date);
            let expires = c.expires;
            if let Some(rule) = req.max_age {
                self.max_age(rule, date, &mut c.problems);
            }
            if let Some(rule) = req.min_business_days_before {
                self.business_days_before(rule, date, &mut c.problems);
            }
            if let Some(rule) = req.keep_after {
                self.keep_after(rule, expires, &mut c.problems);
            }
            if let Some(r) = req.not_after {
                self.not_after(r, date, &mut c.violations);
            }
        }
        settle(candidates)
    }

    fn document_candidate(&self, doc: &EvidenceDocument, kind: &str) -> Candidate {
        let mut problems = Vec::new();
        let f = &doc.front;
        if f.date > self.as_of {
            problems.push(format!(
                "dated {}, after the as-of date {}",
                f.date, self.as_of
            ));
        }
        if let Some(expires) = f.expires.filter(|e| *e < self.as_of) {
            problems.push(format!(
                "expired on {expires}; replace it with a current version"
            ));
        }
        if let Some(review) = f.review_by.filter(|r| *r < self.as_of) {
            problems.push(format!(
                "its review was due by {review}; review it and update `review_by`"
            ));
        }
        Candidate {
            reference: EvidenceRef {
                kind: kind.to_string(),
                path: Some(doc.path.clone()),
                computed: None,
                sha256: doc.sha256.clone(),
                title: Some(f.title.clone()),
                date: Some(f.date),
            },
            expires: f.expires,
            problems,
            violations: Vec::new(),
        }
    }

    /// Evidence dated within `days` days before the reference date (both ends inclusive: exactly
    /// `days` days old is still within; one day more is not).
    fn max_age(&self, rule: DayRule, date: NaiveDate, problems: &mut Vec<String>) {
        let Some(reference) = self.date(rule.date) else {
            return;
        };
        let age = (reference - date).num_days();
        let name = rule.date.as_str();
        if age < 0 {
            problems.push(format!(
                "dated {date}, after {name} {reference}; it must come before"
            ));
        } else if age > i64::from(rule.days) {
            problems.push(format!(
                "dated {date}, {age} days before {name} {reference}; it must be at most {} days old (renew it by {})",
                rule.days,
                date + chrono::Days::new(u64::from(rule.days))
            ));
        }
    }

    /// Evidence dated at least `days` business days before the reference date.
    fn business_days_before(&self, rule: DayRule, date: NaiveDate, problems: &mut Vec<String>) {
        let Some(reference) = self.date(rule.date) else {
            return;
        };
        let earliest = calendar::add_business_days(date, rule.days, self.holidays);
        if earliest > reference {
            let have = calendar::business_days_between(date, reference, self.holidays);
            let name = rule.date.as_str();
            problems.push(format!(
                "dated {date}, only {have} business days before {name} {reference}; it needs {} (the earliest {name} it allows is {earliest})",
                rule.days
            ));
        }
    }

    /// Evidence valid (its `expires`, if any) until a period after the reference date, months
    /// counted as calendar months (6 RCNY § 5-303(c): "at least 6 months after its latest use").
    /// An undeclared `last_use_date` means use has not ended (see `[audit] last_use_date`).
    fn keep_after(&self, rule: PeriodRule, expires: Option<NaiveDate>, problems: &mut Vec<String>) {
        let (Some(expires), Some(reference)) = (expires, self.date(rule.date)) else {
            return;
        };
        let until = rule.period.after(reference);
        if expires < until {
            problems.push(format!(
                "expires {expires}, but it must stay available until {until} ({} after {} {reference})",
                rule.period,
                rule.date.as_str()
            ));
        }
    }

    /// Evidence dated on or before the reference date (6 RCNY § 5-303(a): the summary is posted
    /// "prior to the use" of the tool). A later date is a breach, not staleness.
    fn not_after(&self, r: RefDate, date: NaiveDate, violations: &mut Vec<String>) {
        let Some(reference) = self.date(r) else {
            return;
        };
        if date > reference {
            violations.push(format!(
                "dated {date}, after {} {reference}: it had to be done by then",
                r.as_str()
            ));
        }
    }
}

/// A requirement is met when any candidate has no problem; otherwise it is stale, explained by the
/// newest candidate's problems.
fn settle(candidates: Vec<Candidate>) -> Outcome {
    let (good, bad): (Vec<Candidate>, Vec<Candidate>) = candidates
        .into_iter()
        .partition(|c| c.problems.is_empty() && c.violations.is_empty());
    if !good.is_empty() {
        return Outcome::Met(good.into_iter().map(|c| c.reference).collect());
    }
    if bad.iter().all(|c| !c.violations.is_empty()) {
        let why = bad
            .iter()
            .map(|c| format!("{}: {}", c.label(), c.violations.join("; ")))
            .collect::<Vec<_>>()
            .join("; ");
        return Outcome::Failing(bad.into_iter().map(|c| c.reference).collect(), why);
    }
    let newest = bad
        .iter()
        .max_by_key(|c| (c.reference.date, std::cmp::Reverse(c.label())))
        .expect("non-empty");
    let all: Vec<&str> = newest
        .problems
        .iter()
        .chain(&newest.violations)
        .map(String::as_str)
        .collect();
    let why = format!("{}: {}", newest.label(), all.join("; "));
    let why = if bad.len() > 1 {
        format!(
            "{why} ({} other candidate(s) not current either)",
            bad.len() - 1
        )
    } else {
        why
    };
    Outcome::Stale(bad.into_iter().map(|c| c.reference).collect(), why)
}

/// "evidence/a.md (kind_a, kind_b; 2026-03-02), computed:kind_c": one entry per source, in order.
fn describe(refs: &[EvidenceRef]) -> String {
    let mut sources: Vec<(String, Vec<&str>, Option<NaiveDate>)> = Vec::new();
    for r in refs {
        let source = match &r.path {
            Some(p) => p.clone(),
            None => format!("computed:{}", r.kind),
        };
        match sources.iter_mut().find(|(s, _, _)| *s == source) {
            Some((_, kinds, _)) => {
                if !kinds.contains(&r.kind.as_str()) {
                    kinds.push(&r.kind);
                }
            }
            None => sources.push((source, vec![&r.kind], r.date)),
        }
    }
    sources
        .into_iter()
        .map(|(source, kinds, date)| match date {
            Some(d) if !source.starts_with("computed:") => {
                format!("{source} ({}; {d})", kinds.join(", "))
            }
            _ => source,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn condition_failure(condition: &Condition, outcome: Eval) -> String {
    let detail = match outcome {
        Eval::Fails(detail) => detail,
        _ => format!(
            "{} is not declared: {}",
            condition.fact,
            facts::where_to_declare(&condition.fact)
        ),
    };
    match &condition.message {
        Some(m) => format!("{m} ({detail})"),
        None => format!("condition {condition} does not hold: {detail}"),
    }
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None => "absent".into(),
        Some(Value::Object(m)) if m.get("provided") == Some(&Value::Bool(false)) => {
            "not provided".into()
        }
        Some(v) => v.to_string(),
    }
}

#[cfg(test)]
mod tests;
