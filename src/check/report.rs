//! The check results: the stable JSON schema of `fairfile check --format json`
//! (documented in `docs/check-json.md`), also rendered as the compliance matrix.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const CHECK_SCHEMA: &str = "fairfile.check/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckReport {
    pub schema: String,
    pub audit_id: String,
    /// The date statuses were evaluated against.
    pub as_of: NaiveDate,
    pub frameworks: Vec<FrameworkResult>,
    /// Evidence documents that serve obligations in more than one framework.
    pub crosswalk: Vec<CrosswalkEntry>,
    /// Files under `evidence/` that no document names as an attachment: shown, never ignored.
    #[serde(default)]
    pub unreferenced_files: Vec<UnreferencedFile>,
    /// What the user should know about how the check was made (e.g. business days counted
    /// without holidays). Returned, never printed, by the library.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A file in the evidence folder that is neither a document nor a named attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UnreferencedFile {
    pub path: String,
    pub sha256: String,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
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
    /// Every status, in report order.
    pub const ALL: &'static [Status] = &[
        Status::Met,
        Status::Missing,
        Status::Stale,
        Status::Failing,
        Status::Waived,
        Status::NotApplicable,
    ];

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

    /// The name printed for the status in the terminal and in every document.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::Missing => "Missing",
            Status::Stale => "Stale",
            Status::Failing => "Failing",
            Status::Waived => "Waived",
            Status::NotApplicable => "Not applicable",
        }
    }

    /// What the status means, for legends.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Met => {
                "every evidence requirement is met by a current document or computed result, and every condition holds"
            }
            Status::Missing => "some requirement has no evidence of any of its kinds",
            Status::Stale => {
                "evidence exists but is expired, past its review date, too old, or outside its ordering window"
            }
            Status::Failing => "a condition on the computed results or declared facts fails",
            Status::Waived => "a current, approved waiver in fairfile.toml names the obligation",
            Status::NotApplicable => "the audit's roles or facts rule it out",
        }
    }

    /// Its colours (foreground, background) wherever it is drawn: the text alone carries the
    /// meaning, the colour only helps the eye.
    pub fn colours(self) -> (&'static str, &'static str) {
        use crate::format::palette;
        match self {
            Status::Met => palette::MET,
            Status::Missing | Status::Failing => palette::MISSING,
            Status::Stale => palette::STALE,
            Status::Waived => palette::WAIVED,
            Status::NotApplicable => palette::MUTED,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusCounts {
    pub met: usize,
    pub missing: usize,
    pub stale: usize,
    pub failing: usize,
    pub waived: usize,
    pub not_applicable: usize,
}

impl StatusCounts {
    /// Count one more obligation with `status`.
    pub fn add(&mut self, status: Status) {
        *self.get_mut(status) += 1;
    }

    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Met => self.met,
            Status::Missing => self.missing,
            Status::Stale => self.stale,
            Status::Failing => self.failing,
            Status::Waived => self.waived,
            Status::NotApplicable => self.not_applicable,
        }
    }

    fn get_mut(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Met => &mut self.met,
            Status::Missing => &mut self.missing,
            Status::Stale => &mut self.stale,
            Status::Failing => &mut self.failing,
            Status::Waived => &mut self.waived,
            Status::NotApplicable => &mut self.not_applicable,
        }
    }

    /// Every obligation counted.
    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FrameworkResult {
    pub id: String,
    pub title: String,
    pub counts: StatusCounts,
    pub obligations: Vec<ObligationResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CrosswalkEntry {
    pub path: String,
    pub sha256: String,
    /// `framework/obligation-id` of every obligation this document serves.
    pub obligations: Vec<String>,
}
