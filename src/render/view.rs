//! The view types: the JSON every template reads with `json("/data.json")` (schema
//! [`RENDER_SCHEMA`](super::model::RENDER_SCHEMA)), built by [`super::model::build`].
//!
//! Every figure is a string already spelled by [`crate::format`] (counts with thousands
//! separators, rates, ratios, p-values, dates), so a template never formats a number and the
//! documents print the digits the terminal prints. The obligation and Annex IV types
//! (`ObligationModel`, `AnnexSection`, `SectionEvidence`) are still in `model.rs`, beside the
//! Annex IV placement they carry.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::model::{AnnexSection, InterpretiveDate, ObligationModel};
use crate::check::{Status, StatusCounts};
use crate::format::{self, Flag};

/// The shared vocabulary of every document.
#[derive(Debug, Serialize)]
pub(crate) struct LabelsModel {
    /// [`format::ROUNDING_RULE`], printed in every document.
    pub rounding: &'static str,
    /// Every status in report order.
    pub statuses: Vec<StatusLabel>,
    /// Flags of a results row by key (`reference`, `below_four_fifths`, `small`, `excluded`,
    /// `small_sample`).
    pub flags: BTreeMap<&'static str, FlagLabel>,
}

#[derive(Debug, Serialize)]
pub(crate) struct StatusLabel {
    pub key: &'static str,
    pub label: &'static str,
    pub meaning: &'static str,
    /// Text and background colours, `#rrggbb`.
    pub fg: &'static str,
    pub bg: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct FlagLabel {
    pub name: &'static str,
    /// The sign after a category name (empty when the flag has its own column).
    pub mark: &'static str,
}

impl LabelsModel {
    pub fn new() -> Self {
        Self {
            rounding: format::ROUNDING_RULE,
            statuses: Status::ALL
                .iter()
                .map(|s| StatusLabel {
                    key: s.as_str(),
                    label: s.label(),
                    meaning: s.meaning(),
                    fg: s.colours().0,
                    bg: s.colours().1,
                })
                .collect(),
            flags: Flag::ALL
                .into_iter()
                .map(|f| {
                    (
                        f.key(),
                        FlagLabel {
                            name: f.name(),
                            mark: f.mark(),
                        },
                    )
                })
                .collect(),
        }
    }
}

/// Obligations per status (`met`, `missing`, … as in `fairfile check --format json`) and the total.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CountsModel {
    #[serde(flatten)]
    pub by_status: StatusCounts,
    pub total: usize,
}

impl CountsModel {
    pub fn new(by_status: StatusCounts) -> Self {
        let total = by_status.total();
        Self { by_status, total }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct Model {
    pub schema: &'static str,
    /// Status names and colours, flag names and marks, the rounding rule: the same in every
    /// document (from [`crate::format`] and [`Status`]).
    pub labels: LabelsModel,
    pub document: DocumentMeta,
    pub audit: AuditMeta,
    pub auditor: AuditorMeta,
    pub data: DataMeta,
    pub seal: SealMeta,
    pub results: Results,
    pub fairness: Option<FairnessModel>,
    /// The adverse-impact analysis (context beside the LL144 tables) and its figures.
    pub analysis: Option<super::analysis_model::AnalysisModel>,
    pub frameworks: Vec<FrameworkModel>,
    /// Obligations per status over every framework.
    pub totals: CountsModel,
    pub crosswalk: Vec<CrosswalkModel>,
    /// EU technical file: Annex IV points 1–9 (empty for other documents).
    pub annex_iv: Vec<AnnexSection>,
    /// How many obligations of the frameworks in use no Annex IV point declares (they are in
    /// the compliance matrix only).
    pub matrix_only: usize,
    /// Application dates that are a framework's interpretation, with the caveat and the
    /// obligations dated by them.
    pub interpretive_dates: Vec<InterpretiveDate>,
    /// Warnings about how the check was made (e.g. business days counted without holidays).
    pub check_warnings: Vec<String>,
    /// Evidence documents (with their converted bodies for the technical file).
    pub evidence: Vec<EvidenceModel>,
    pub history: Vec<HistoryModel>,
    pub inputs: Vec<InputModel>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DocumentMeta {
    pub kind: &'static str,
    pub title: &'static str,
    pub subtitle: &'static str,
    pub version: u32,
    pub ident: String,
    /// ISO 639 language and optional region, for `set text(lang:, region:)`.
    pub lang: String,
    pub region: Option<String>,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DateModel {
    pub iso: String,
    /// `20 November 2026`.
    pub long: String,
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl DateModel {
    pub fn new(date: NaiveDate) -> Self {
        Self {
            iso: format::date(date),
            long: format::long_date(date),
            year: date.year(),
            month: date.month(),
            day: date.day(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct AuditMeta {
    pub id: String,
    pub title: String,
    pub organization: String,
    pub system: String,
    pub audit_date: DateModel,
    pub distribution_date: Option<DateModel>,
    pub planned_use_date: Option<DateModel>,
    pub last_use_date: Option<DateModel>,
    pub roles: Vec<String>,
    pub frameworks: Vec<String>,
    /// The date obligations were checked against.
    pub as_of: DateModel,
}

#[derive(Debug, Serialize)]
pub(crate) struct AuditorMeta {
    pub name: String,
    pub organization: Option<String>,
    pub independent: bool,
    pub independence_statement: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DataMeta {
    /// `historical` or `test`.
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub description: String,
    pub explanation: Option<String>,
    /// `rows` or `counts`.
    pub input: String,
    pub path: String,
    pub sha256: String,
    pub sha_short: String,
    pub rows_read: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SealMeta {
    pub input_digest: String,
    /// First 12 hex digits of the input digest, printed on every page.
    pub digest_short: String,
    pub generator: String,
    pub manifest_description: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Results {
    /// `selection` or `scoring`.
    pub mode: &'static str,
    pub rate_label: &'static str,
    pub count_label: &'static str,
    /// What the impact-ratio denominator is called: "most selected category" / "most highly scored category".
    pub reference_label: &'static str,
    pub rule: &'static str,
    pub median_score: Option<String>,
    pub median_sample: Option<String>,
    pub total: String,
    pub policy: PolicyModel,
    pub rounding: &'static str,
    pub dimensions: Vec<DimensionModel>,
    pub warnings: Vec<String>,
    /// Raw values folded into `unknown`, per column (so the unknown count can be traced).
    pub unknown_values: Vec<ValueCount>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ValueCount {
    pub dimension: String,
    pub value: String,
    pub count: String,
    pub unmapped: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct PolicyModel {
    pub small_share: String,
    pub share_denominator: String,
    pub exclude_small: bool,
    pub exclusion_justification: Option<String>,
    pub four_fifths: String,
    pub confidence: String,
    pub interval_method: String,
    pub test_method: String,
    pub small_sample_min_n: String,
    pub small_sample_min_expected: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct DimensionModel {
    /// `sex`, `race_ethnicity`, `intersectional`.
    pub key: &'static str,
    pub title: &'static str,
    pub provided: bool,
    pub unknown: String,
    pub known: String,
    pub reference: Option<String>,
    pub rows: Vec<RowModel>,
    pub any_excluded: bool,
    pub any_small: bool,
    pub any_flag: bool,
    pub any_small_sample: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct RowModel {
    pub category: String,
    pub sex: Option<String>,
    pub race: Option<String>,
    pub n: String,
    pub count: String,
    pub rate: String,
    pub impact_ratio: String,
    pub share: String,
    pub ci: String,
    pub fisher_p: String,
    pub four_fifths_flag: bool,
    pub small: bool,
    pub excluded: bool,
    pub reference: bool,
    pub small_sample: bool,
    /// Why a value is blank (`field: reason`).
    pub null_reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FairnessModel {
    pub prediction: String,
    pub label: String,
    pub dimensions: Vec<FairnessDimensionModel>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FairnessDimensionModel {
    pub key: &'static str,
    pub title: &'static str,
    pub groups: Vec<FairnessGroupModel>,
    pub summary: Vec<NameValue>,
    pub null_reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FairnessGroupModel {
    pub group: String,
    pub n: String,
    pub tp: String,
    pub fp: String,
    #[serde(rename = "fn")]
    pub fn_: String,
    pub tn: String,
    pub selection_rate: String,
    pub tpr: String,
    pub fpr: String,
    pub fnr: String,
    pub precision: String,
    pub accuracy: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct NameValue {
    pub name: &'static str,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct FrameworkModel {
    pub id: String,
    pub title: String,
    pub counts: CountsModel,
    pub obligations: Vec<ObligationModel>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct EvidenceRefModel {
    pub kind: String,
    pub path: Option<String>,
    pub computed: Option<String>,
    pub sha256: String,
    pub sha_short: String,
    pub title: Option<String>,
    pub date: Option<String>,
    /// Index into `evidence` when the reference is an evidence document we have.
    pub index: Option<usize>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CrosswalkModel {
    pub path: String,
    pub sha_short: String,
    pub obligations: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct EvidenceModel {
    pub index: usize,
    pub path: String,
    pub sha256: String,
    pub sha_short: String,
    pub title: String,
    pub kinds: Vec<String>,
    pub date: String,
    pub owner: Option<String>,
    pub review_by: Option<String>,
    pub expires: Option<String>,
    pub attachments: Vec<InputModel>,
    /// Virtual path of the converted body (technical file only).
    pub body_file: Option<String>,
    /// Obligations (`framework/id`) whose check cites this document.
    pub serves: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct HistoryModel {
    pub version: u32,
    pub date: String,
    pub manifest_sha256: String,
    pub manifest_short: String,
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct InputModel {
    pub role: String,
    pub path: String,
    pub sha256: String,
    pub bytes: String,
}
