//! The check results: the stable JSON schema of `fairfile check --format json`
//! (documented in `docs/check-json.md`), also rendered as the compliance matrix.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const CHECK_SCHEMA: &str = "fairfile.check/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub schema: String,
    pub audit_id: String,
    /// The date statuses were evaluated against.
    pub as_of: NaiveDate,
    pub frameworks: Vec<FrameworkResult>,
    /// Evidence documents that serve obligations in more than one framework.
    pub crosswalk: Vec<CrosswalkEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    Missing,
    Stale,
    Failing,
    Waived,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Missing => "missing",
            Status::Stale => "stale",
            Status::Failing => "failing",
            Status::Waived => "waived",
            Status::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub met: usize,
    pub missing: usize,
    pub stale: usize,
    pub failing: usize,
    pub waived: usize,
    pub not_applicable: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkResult {
    pub id: String,
    pub title: String,
    pub counts: StatusCounts,
    pub obligations: Vec<ObligationResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObligationResult {
    pub id: String,
    pub cite: String,
    pub title: String,
    pub status: Status,
    /// Why, in words a person can act on.
    pub reason: String,
    /// The evidence that met (or partly met) it.
    pub evidence: Vec<EvidenceRef>,
    /// Evidence kinds still needed (for missing / stale).
    pub missing_kinds: Vec<String>,
    /// Document section that presents it (`document/section`).
    pub section: Option<String>,
    pub applies_from: Option<NaiveDate>,
    /// False when `applies_from` is after the as-of date (checked ahead of time).
    pub in_force: bool,
    /// True when a `when` condition could not be decided from the declared facts.
    pub applicability_undecided: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    pub kind: String,
    /// Evidence document path relative to the audit folder; `None` for computed evidence.
    pub path: Option<String>,
    /// Computed evidence: `computed:<kind>` source path in the metrics (e.g. `metrics.dimensions.sex`).
    pub computed: Option<String>,
    /// SHA-256 of the document, or of the data file for computed evidence.
    pub sha256: String,
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrosswalkEntry {
    pub path: String,
    pub sha256: String,
    /// `framework/obligation-id` of every obligation this document serves.
    pub obligations: Vec<String>,
}
