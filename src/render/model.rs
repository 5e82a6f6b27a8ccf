//! The view model: the JSON every template reads with `json("/data.json")`.
//!
//! Everything a template prints comes from here, as data: category names, titles and evidence
//! metadata are JSON strings, never spliced into Typst source. Numbers are formatted here, once,
//! with one rounding rule (round half away from zero on the exact value, see [`fixed`]), so the
//! documents, the tests and `fairfile metrics` agree digit for digit. The schema is versioned
//! (`fairfile.render/1`) because user override templates read it.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{DocumentKind, RenderContext};
use crate::check::{ObligationResult, Status};
use crate::config::{DataKind, Outcome};
use crate::document::Section;
use crate::metrics::{CategoryResult, Dimension, FairnessDimension};

pub const RENDER_SCHEMA: &str = "fairfile.render/1";

/// Annex IV points 1–9 of Regulation (EU) 2024/1689: heading and what the point asks for.
pub const ANNEX_IV: [(&str, &str); 9] = [
    (
        "General description of the AI system",
        "Intended purpose, provider and version; interaction with hardware, software or other AI systems; software versions; forms in which it is placed on the market; hardware; user interface; instructions for use (Annex IV 1(a)–(h)).",
    ),
    (
        "Detailed description of the elements and the development process",
        "Development methods and steps; design specifications; system architecture; data requirements (datasheets); assessment of human-oversight measures; pre-determined changes; validation and testing procedures and metrics, including for potentially discriminatory impacts; cybersecurity measures (Annex IV 2(a)–(h)).",
    ),
    (
        "Monitoring, functioning and control",
        "Capabilities and limitations in performance, including the accuracy for specific persons or groups; foreseeable unintended outcomes and sources of risk; human-oversight measures; input-data specifications (Annex IV 3).",
    ),
    (
        "Appropriateness of the performance metrics",
        "Why the performance metrics chosen are appropriate for this AI system (Annex IV 4).",
    ),
    (
        "Risk management system",
        "A detailed description of the risk management system in accordance with Article 9 (Annex IV 5).",
    ),
    (
        "Relevant changes made through the lifecycle",
        "Relevant changes made by the provider to the system through its lifecycle (Annex IV 6).",
    ),
    (
        "Harmonised standards and other specifications applied",
        "The harmonised standards applied in full or in part; where none, the solutions adopted to meet Chapter III Section 2, with the other standards and technical specifications applied (Annex IV 7).",
    ),
    (
        "EU declaration of conformity",
        "A copy of the EU declaration of conformity referred to in Article 47 (Annex IV 8).",
    ),
    (
        "Post-market monitoring system",
        "A detailed description of the system in place to evaluate performance in the post-market phase in accordance with Article 72, including the post-market monitoring plan referred to in Article 72(3) (Annex IV 9).",
    ),
];

/// How numbers are rounded, stated in every document.
pub const ROUNDING_NOTE: &str = "Rates are shown as percentages to one decimal place and impact ratios to three decimal places. Impact ratios are computed from the unrounded rates; every figure is rounded half away from zero from its exact value.";

#[derive(Debug, Serialize)]
pub(crate) struct Model {
    pub schema: &'static str,
    pub document: DocumentMeta,
    pub audit: AuditMeta,
    pub auditor: AuditorMeta,
    pub data: DataMeta,
    pub seal: SealMeta,
    pub results: Results,
    pub fairness: Option<FairnessModel>,
    pub frameworks: Vec<FrameworkModel>,
    pub totals: Counts,
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
            iso: date.format("%Y-%m-%d").to_string(),
            long: format!("{} {}", date.day(), date.format("%B %Y")),
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
    pub rows_read: u64,
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
    pub total: u64,
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
    pub count: u64,
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
    pub small_sample_min_n: u64,
    pub small_sample_min_expected: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct DimensionModel {
    /// `sex`, `race_ethnicity`, `intersectional`.
    pub key: &'static str,
    pub title: &'static str,
    pub provided: bool,
    pub unknown: u64,
    pub known: u64,
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
    pub n: u64,
    pub count: u64,
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
    pub n: u64,
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub tn: u64,
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

#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct Counts {
    pub met: usize,
    pub missing: usize,
    pub stale: usize,
    pub failing: usize,
    pub waived: usize,
    pub not_applicable: usize,
    pub total: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Met => self.met += 1,
            Status::Missing => self.missing += 1,
            Status::Stale => self.stale += 1,
            Status::Failing => self.failing += 1,
            Status::Waived => self.waived += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
        self.total += 1;
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct FrameworkModel {
    pub id: String,
    pub title: String,
    pub counts: Counts,
    pub obligations: Vec<ObligationModel>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ObligationModel {
    pub framework: String,
    pub id: String,
    pub cite: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub reason: String,
    pub evidence: Vec<EvidenceRefModel>,
    pub missing_kinds: Vec<String>,
    pub section: Option<String>,
    pub annex_point: Option<u8>,
    /// Good practice the framework recommends beyond the law's words (printed as practice).
    pub practice: Option<String>,
    pub applies_from: Option<String>,
    /// `applies_from` is the framework's interpretation, not a date the law states (see
    /// `interpretive_dates`).
    pub date_interpretive: bool,
    pub in_force: bool,
    pub undecided: bool,
    /// Missing, stale or failing: shown in a "missing evidence" box.
    pub needs_evidence: bool,
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
pub(crate) struct InterpretiveDate {
    pub framework: String,
    pub name: String,
    pub date: String,
    pub cite: Option<String>,
    pub interpretation: String,
    /// `framework/obligation` ids dated by it.
    pub obligations: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CrosswalkModel {
    pub path: String,
    pub sha_short: String,
    pub obligations: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct AnnexSection {
    pub point: u8,
    pub heading: &'static str,
    pub requirement: &'static str,
    pub obligations: Vec<ObligationModel>,
    /// Evidence documents presented here: indices into `evidence`, with whether the body is
    /// printed here (first point that uses it) or only referred to.
    pub evidence: Vec<SectionEvidence>,
    /// Obligations mapped here that lack evidence (missing, stale, failing).
    pub missing: Vec<ObligationModel>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SectionEvidence {
    pub index: usize,
    pub printed_here: bool,
    /// The Annex IV point whose section prints the body.
    pub printed_in: u8,
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
    pub bytes: u64,
}

/// Build the view model of `kind`. `body_files` maps evidence index → converted body path (only
/// for the technical file).
pub(crate) fn build(
    kind: DocumentKind,
    ctx: &RenderContext<'_>,
    body_files: &BTreeMap<usize, String>,
    lang: (String, Option<String>),
) -> Model {
    let config = &ctx.audit.config;
    let audit = config.audit.get_ref();
    let data = config.data.get_ref();
    let auditor = &config.auditor;
    let audit_id = audit.id.get_ref().clone();

    let (title, subtitle) = match kind {
        DocumentKind::Ll144Summary => (
            "Summary of results of the bias audit",
            "NYC Local Law 144 of 2021 (Admin. Code § 20-871) · 6 RCNY § 5-303",
        ),
        DocumentKind::EuTechnicalFile => (
            "Technical documentation",
            "Regulation (EU) 2024/1689 (AI Act), Article 11 and Annex IV",
        ),
        DocumentKind::ComplianceMatrix => (
            "Compliance matrix",
            "Every obligation of every framework, with its status and evidence",
        ),
    };
    let mut keywords = vec![
        audit_id.clone(),
        kind.slug().to_string(),
        "bias audit".to_string(),
    ];
    keywords.extend(audit.frameworks.get_ref().iter().cloned());

    let evidence = evidence_models(ctx, body_files);
    let frameworks = framework_models(ctx, &evidence);
    let mut totals = Counts::default();
    for o in frameworks.iter().flat_map(|f| &f.obligations) {
        totals.add(status_of(o.status));
    }
    let annex_iv = if kind == DocumentKind::EuTechnicalFile {
        annex_sections(&frameworks)
    } else {
        Vec::new()
    };
    let matrix_only = frameworks
        .iter()
        .flat_map(|f| &f.obligations)
        .filter(|o| o.annex_point.is_none())
        .count();

    Model {
        schema: RENDER_SCHEMA,
        document: DocumentMeta {
            kind: kind.slug(),
            title,
            subtitle,
            version: ctx.version,
            ident: super::ident(&audit_id, kind, ctx.version),
            lang: lang.0,
            region: lang.1,
            keywords,
        },
        audit: AuditMeta {
            id: audit_id,
            title: audit.title.clone(),
            organization: audit.organization.clone(),
            system: audit.system.clone(),
            audit_date: DateModel::new(audit.audit_date),
            distribution_date: audit.distribution_date.map(DateModel::new),
            planned_use_date: audit.planned_use_date.map(DateModel::new),
            last_use_date: audit.last_use_date.map(DateModel::new),
            roles: audit.roles.get_ref().clone(),
            frameworks: audit.frameworks.get_ref().clone(),
            as_of: DateModel::new(ctx.check.as_of),
        },
        auditor: AuditorMeta {
            name: auditor.name.clone(),
            organization: auditor.organization.clone(),
            independent: auditor.independent,
            independence_statement: auditor.independence_statement.clone(),
            contact: auditor.contact.clone(),
        },
        data: DataMeta {
            kind: match ctx.metrics.data.kind {
                DataKind::Historical => "historical",
                DataKind::Test => "test",
            },
            kind_label: match ctx.metrics.data.kind {
                DataKind::Historical => "Historical data (6 RCNY § 5-302(a))",
                DataKind::Test => "Test data (6 RCNY § 5-302(b))",
            },
            description: ctx.metrics.data.description.clone(),
            explanation: ctx
                .metrics
                .data
                .explanation
                .clone()
                .or_else(|| data.explanation.clone()),
            input: ctx.metrics.data.input.clone(),
            path: ctx.metrics.data.path.clone(),
            sha256: ctx.metrics.data.sha256.clone(),
            sha_short: short(&ctx.metrics.data.sha256),
            rows_read: ctx.metrics.data.rows_read,
        },
        seal: SealMeta {
            input_digest: ctx.input_digest.to_string(),
            digest_short: short(ctx.input_digest),
            generator: super::generator(),
            manifest_description: format!(
                "fairfile manifest of audit {} version {}: the SHA-256 of every input this document was built from",
                audit.id.get_ref(),
                ctx.version
            ),
        },
        results: results(ctx),
        fairness: ctx.metrics.fairness.as_ref().map(|f| FairnessModel {
            prediction: f.prediction.clone(),
            label: f.label.clone(),
            dimensions: [
                ("sex", "Sex", &f.sex),
                ("race_ethnicity", "Race/ethnicity", &f.race_ethnicity),
                (
                    "intersectional",
                    "Intersectional (sex × race/ethnicity)",
                    &f.intersectional,
                ),
            ]
            .into_iter()
            .filter_map(|(key, title, d)| d.as_ref().map(|d| fairness_dimension(key, title, d)))
            .collect(),
        }),
        frameworks,
        totals,
        crosswalk: ctx
            .check
            .crosswalk
            .iter()
            .map(|c| CrosswalkModel {
                path: c.path.clone(),
                sha_short: short(&c.sha256),
                obligations: c.obligations.clone(),
            })
            .collect(),
        annex_iv,
        matrix_only,
        interpretive_dates: interpretive_dates(ctx),
        check_warnings: ctx.check.warnings.clone(),
        evidence,
        history: ctx
            .history
            .iter()
            .map(|h| HistoryModel {
                version: h.version,
                date: h.date.format("%Y-%m-%d").to_string(),
                manifest_sha256: h.manifest_sha256.clone(),
                manifest_short: short(&h.manifest_sha256),
                changes: h.changes.clone(),
            })
            .collect(),
        inputs: ctx
            .inputs
            .iter()
            .map(|i| InputModel {
                role: i.role.clone(),
                path: i.path.clone(),
                sha256: i.sha256.clone(),
                bytes: i.bytes,
            })
            .collect(),
    }
}

/// Readable names of the statistical methods the metrics name by id (unknown ids as given).
fn method_label(id: &str) -> String {
    match id {
        "wilson" => "Wilson score interval".to_string(),
        "fisher_exact_two_sided" => "two-sided Fisher exact test".to_string(),
        other => other.replace('_', " "),
    }
}

/// First 12 hex digits of a SHA-256.
pub(crate) fn short(sha: &str) -> String {
    sha.chars().take(12).collect()
}

fn results(ctx: &RenderContext<'_>) -> Results {
    let m = ctx.metrics;
    let (mode, rate_label, count_label, reference_label, rule) = match m.mode {
        Outcome::Selection => (
            "selection",
            "Selection rate",
            "Selected",
            "most selected category",
            "6 RCNY § 5-301(b)",
        ),
        Outcome::Scoring => (
            "scoring",
            "Scoring rate",
            "Above median",
            "most highly scored category",
            "6 RCNY § 5-301(c)",
        ),
    };
    let p = &m.policy;
    Results {
        mode,
        rate_label,
        count_label,
        reference_label,
        rule,
        median_score: m.median_score.map(trim_number),
        median_sample: m.median_sample.clone(),
        total: m.total,
        policy: PolicyModel {
            small_share: percent(p.small_category_share, 0),
            share_denominator: p.share_denominator.clone(),
            exclude_small: p.exclude_small_categories,
            exclusion_justification: p.exclusion_justification.clone(),
            four_fifths: fixed(p.four_fifths_threshold, 2),
            confidence: percent(p.confidence_level, 0),
            interval_method: method_label(&p.interval_method),
            test_method: method_label(&p.test_method),
            small_sample_min_n: p.small_sample_min_n,
            small_sample_min_expected: trim_number(p.small_sample_min_expected),
        },
        rounding: ROUNDING_NOTE,
        dimensions: m
            .dimensions
            .iter()
            .map(|(key, d)| dimension(key, d))
            .collect(),
        warnings: m.warnings.clone(),
        unknown_values: m
            .category_values
            .iter()
            .filter(|v| v.category == crate::config::UNKNOWN)
            .map(|v| ValueCount {
                dimension: v.dimension.clone(),
                value: v.value.clone(),
                count: v.count,
                unmapped: v.unmapped,
            })
            .collect(),
    }
}

fn dimension(key: &'static str, d: &Dimension) -> DimensionModel {
    let title = match key {
        "sex" => "Sex categories",
        "race_ethnicity" => "Race/ethnicity categories",
        _ => "Intersectional categories (sex × race/ethnicity)",
    };
    let rows: Vec<RowModel> = d.categories.iter().map(row).collect();
    DimensionModel {
        key,
        title,
        provided: d.provided,
        unknown: d.unknown,
        known: d.known,
        reference: d.reference.clone(),
        any_excluded: rows.iter().any(|r| r.excluded),
        any_small: rows.iter().any(|r| r.small),
        any_flag: rows.iter().any(|r| r.four_fifths_flag),
        any_small_sample: rows.iter().any(|r| r.small_sample),
        rows,
    }
}

const DASH: &str = "—";

fn row(c: &CategoryResult) -> RowModel {
    let ci = match (c.ci95_low, c.ci95_high) {
        (Some(lo), Some(hi)) => format!("{}–{}", percent(lo, 1), percent(hi, 1)),
        _ => DASH.to_string(),
    };
    RowModel {
        category: c.category.clone(),
        sex: c.sex.clone(),
        race: c.race.clone(),
        n: c.n,
        count: c.count(),
        rate: c.rate.map_or(DASH.to_string(), |r| percent(r, 1)),
        impact_ratio: c.impact_ratio.map_or(DASH.to_string(), |r| fixed(r, 3)),
        share: c.share.map_or(DASH.to_string(), |s| percent(s, 1)),
        ci,
        fisher_p: c.fisher_p.map_or(DASH.to_string(), p_value),
        four_fifths_flag: c.four_fifths_flag.unwrap_or(false),
        small: c.small,
        excluded: c.excluded,
        reference: c.reference,
        small_sample: c.small_sample,
        null_reasons: c
            .null_reasons
            .iter()
            .map(|(field, why)| format!("{field}: {why}"))
            .collect(),
    }
}

fn fairness_dimension(
    key: &'static str,
    title: &'static str,
    d: &FairnessDimension,
) -> FairnessDimensionModel {
    let opt = |v: Option<f64>, digits: usize| v.map_or(DASH.to_string(), |v| fixed(v, digits));
    let pct = |v: Option<f64>| v.map_or(DASH.to_string(), |v| percent(v, 1));
    FairnessDimensionModel {
        key,
        title,
        groups: d
            .groups
            .iter()
            .map(|g| FairnessGroupModel {
                group: g.group.clone(),
                n: g.n,
                tp: g.tp,
                fp: g.fp,
                fn_: g.fn_,
                tn: g.tn,
                selection_rate: pct(g.selection_rate),
                tpr: pct(g.tpr),
                fpr: pct(g.fpr),
                fnr: pct(g.fnr),
                precision: pct(g.precision),
                accuracy: pct(g.accuracy),
            })
            .collect(),
        summary: vec![
            NameValue {
                name: "Demographic parity difference",
                value: opt(d.demographic_parity_difference, 3),
            },
            NameValue {
                name: "Demographic parity ratio",
                value: opt(d.demographic_parity_ratio, 3),
            },
            NameValue {
                name: "Equalized odds difference",
                value: opt(d.equalized_odds_difference, 3),
            },
            NameValue {
                name: "Equalized odds ratio",
                value: opt(d.equalized_odds_ratio, 3),
            },
            NameValue {
                name: "Equal opportunity difference",
                value: opt(d.equal_opportunity_difference, 3),
            },
        ],
        null_reasons: d
            .null_reasons
            .iter()
            .map(|(field, why)| format!("{field}: {why}"))
            .collect(),
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Met => "Met",
        Status::Missing => "Missing",
        Status::Stale => "Stale",
        Status::Failing => "Failing",
        Status::Waived => "Waived",
        Status::NotApplicable => "Not applicable",
    }
}

fn status_of(s: &str) -> Status {
    match s {
        "met" => Status::Met,
        "missing" => Status::Missing,
        "stale" => Status::Stale,
        "failing" => Status::Failing,
        "waived" => Status::Waived,
        _ => Status::NotApplicable,
    }
}

fn evidence_models(
    ctx: &RenderContext<'_>,
    body_files: &BTreeMap<usize, String>,
) -> Vec<EvidenceModel> {
    ctx.evidence
        .documents
        .iter()
        .enumerate()
        .map(|(index, d)| {
            let serves = ctx
                .check
                .frameworks
                .iter()
                .flat_map(|f| f.obligations.iter().map(move |o| (f, o)))
                .filter(|(_, o)| {
                    o.evidence
                        .iter()
                        .any(|e| e.path.as_deref() == Some(d.path.as_str()))
                })
                .map(|(f, o)| format!("{}/{}", f.id, o.id))
                .collect();
            EvidenceModel {
                index,
                path: d.path.clone(),
                sha256: d.sha256.clone(),
                sha_short: short(&d.sha256),
                title: d.front.title.clone(),
                kinds: d.front.kind.clone(),
                date: d.front.date.format("%Y-%m-%d").to_string(),
                owner: d.front.owner.clone(),
                review_by: d.front.review_by.map(|x| x.format("%Y-%m-%d").to_string()),
                expires: d.front.expires.map(|x| x.format("%Y-%m-%d").to_string()),
                attachments: d
                    .attachments
                    .iter()
                    .map(|a| InputModel {
                        role: "attachment".into(),
                        path: a.path.clone(),
                        sha256: a.sha256.clone(),
                        bytes: 0,
                    })
                    .collect(),
                body_file: body_files.get(&index).cloned(),
                serves,
            }
        })
        .collect()
}

fn framework_models(ctx: &RenderContext<'_>, evidence: &[EvidenceModel]) -> Vec<FrameworkModel> {
    ctx.check
        .frameworks
        .iter()
        .map(|f| {
            let obligations: Vec<ObligationModel> = f
                .obligations
                .iter()
                .map(|o| {
                    let mut m = obligation(&f.id, o, evidence);
                    // What the framework file says beyond the check result: practice and dates.
                    if let Some((fw, ob)) = ctx.frameworks.obligation(&format!("{}/{}", f.id, o.id))
                    {
                        m.practice = ob.practice.clone();
                        m.date_interpretive = ob
                            .applies_from_name
                            .as_ref()
                            .and_then(|n| fw.dates.get(n))
                            .is_some_and(|d| d.interpretation.is_some());
                    }
                    m
                })
                .collect();
            let mut counts = Counts::default();
            for o in &f.obligations {
                counts.add(o.status);
            }
            FrameworkModel {
                id: f.id.clone(),
                title: f.title.clone(),
                counts,
                obligations,
            }
        })
        .collect()
}

fn obligation(
    framework: &str,
    o: &ObligationResult,
    evidence: &[EvidenceModel],
) -> ObligationModel {
    ObligationModel {
        framework: framework.to_string(),
        id: o.id.clone(),
        cite: o.cite.clone(),
        title: o.title.clone(),
        status: o.status.as_str(),
        status_label: status_label(o.status),
        reason: o.reason.clone(),
        evidence: o
            .evidence
            .iter()
            .map(|e| EvidenceRefModel {
                kind: e.kind.clone(),
                path: e.path.clone(),
                computed: e.computed.clone(),
                sha256: e.sha256.clone(),
                sha_short: short(&e.sha256),
                title: e.title.clone(),
                date: e.date.map(|d| d.format("%Y-%m-%d").to_string()),
                index: e
                    .path
                    .as_ref()
                    .and_then(|p| evidence.iter().position(|d| &d.path == p)),
            })
            .collect(),
        missing_kinds: o.missing_kinds.clone(),
        section: o.section.clone(),
        annex_point: annex_point(o),
        practice: None,
        applies_from: o.applies_from.map(|d| d.format("%Y-%m-%d").to_string()),
        date_interpretive: false,
        in_force: o.in_force,
        undecided: o.applicability_undecided,
        needs_evidence: matches!(o.status, Status::Missing | Status::Stale | Status::Failing),
    }
}

/// Named dates of the frameworks in use that carry an `interpretation`, with the obligations
/// that use them (so the caveat is printed in the documents, not only in the TOML).
fn interpretive_dates(ctx: &RenderContext<'_>) -> Vec<InterpretiveDate> {
    ctx.frameworks
        .frameworks()
        .iter()
        .flat_map(|fw| {
            fw.dates.iter().filter_map(move |(name, d)| {
                let interpretation = d.interpretation.clone()?;
                let obligations = fw
                    .obligations
                    .iter()
                    .filter(|o| o.applies_from_name.as_deref() == Some(name.as_str()))
                    .map(|o| format!("{}/{}", fw.id, o.id))
                    .collect();
                Some(InterpretiveDate {
                    framework: fw.id.clone(),
                    name: name.clone(),
                    date: d.date.format("%Y-%m-%d").to_string(),
                    cite: d.cite.clone(),
                    interpretation,
                    obligations,
                })
            })
        })
        .collect()
}

/// The Annex IV point (1–9) an obligation is filed under: the one its framework file declares
/// (`section = "eu-technical-file/annex-iv-N"`, validated when the framework loads). Nothing is
/// guessed: an obligation declared elsewhere is in no Annex IV point.
fn annex_point(o: &ObligationResult) -> Option<u8> {
    o.section
        .as_deref()
        .and_then(|s| s.parse::<Section>().ok())
        .and_then(Section::annex_iv_point)
}

/// The technical file's Annex IV points 1–9, each with the obligations (of any framework in use)
/// declared there, their evidence documents (each printed once, at the first point citing it)
/// and those lacking evidence.
fn annex_sections(frameworks: &[FrameworkModel]) -> Vec<AnnexSection> {
    let placed: Vec<&ObligationModel> = frameworks
        .iter()
        .flat_map(|f| &f.obligations)
        .filter(|o| o.annex_point.is_some())
        .collect();
    let mut printed: BTreeMap<usize, u8> = BTreeMap::new();
    let mut sections = Vec::new();
    for (i, (heading, requirement)) in ANNEX_IV.iter().enumerate() {
        let point = i as u8 + 1;
        let obligations: Vec<ObligationModel> = placed
            .iter()
            .filter(|o| o.annex_point == Some(point))
            .map(|o| (*o).clone())
            .collect();
        let mut evidence: Vec<SectionEvidence> = Vec::new();
        for index in obligations
            .iter()
            .flat_map(|o| o.evidence.iter().filter_map(|e| e.index))
        {
            if evidence.iter().any(|e| e.index == index) {
                continue;
            }
            let printed_in = *printed.entry(index).or_insert(point);
            evidence.push(SectionEvidence {
                index,
                printed_here: printed_in == point,
                printed_in,
            });
        }
        let missing = obligations
            .iter()
            .filter(|o| o.needs_evidence)
            .cloned()
            .collect();
        sections.push(AnnexSection {
            point,
            heading,
            requirement,
            obligations,
            evidence,
            missing,
        });
    }
    sections
}

/// `x` rounded half away from zero to `digits` decimals, computed on the exact binary value.
///
/// Rust's `{:.N}` rounds ties to even (`0.8125` → `0.812`); a reader checking an impact ratio by
/// hand expects `0.813`. We print the value with 30 extra digits (exact for any tie a double can
/// represent) and round that decimal string.
pub fn fixed(x: f64, digits: usize) -> String {
    let (negative, units) = scaled(x, digits);
    let scale = 10u128.pow(digits as u32);
    let sign = if negative && units != 0 {
        "\u{2212}"
    } else {
        ""
    };
    if digits == 0 {
        format!("{sign}{units}")
    } else {
        format!(
            "{sign}{}.{:0width$}",
            units / scale,
            units % scale,
            width = digits
        )
    }
}

/// `x` (a proportion) as a percentage with `digits` decimals: `0.47986` → `48.0%`.
pub fn percent(x: f64, digits: usize) -> String {
    let (negative, units) = scaled(x, digits + 2);
    let scale = 10u128.pow(digits as u32);
    let sign = if negative && units != 0 {
        "\u{2212}"
    } else {
        ""
    };
    if digits == 0 {
        format!("{sign}{units}%")
    } else {
        format!(
            "{sign}{}.{:0width$}%",
            units / scale,
            units % scale,
            width = digits
        )
    }
}

/// |x| × 10^digits rounded half away from zero, and the sign.
fn scaled(x: f64, digits: usize) -> (bool, u128) {
    if !x.is_finite() {
        return (false, 0);
    }
    let text = format!("{:.*}", digits + 30, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let kept = format!("{int}{}", &frac[..digits]);
    let mut units: u128 = kept.parse().unwrap_or(u128::MAX);
    if frac.as_bytes().get(digits).is_some_and(|d| *d >= b'5') {
        units += 1;
    }
    (x.is_sign_negative(), units)
}

/// A p-value: three decimals, or `< 0.001`.
pub(crate) fn p_value(p: f64) -> String {
    if p < 0.0005 {
        "< 0.001".to_string()
    } else {
        fixed(p, 3)
    }
}

/// A number without trailing zeros (median score, thresholds): `72.5`, `5`.
fn trim_number(v: f64) -> String {
    let text = fixed(v, 6);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero_on_the_exact_value() {
        assert_eq!(fixed(0.8125, 3), "0.813"); // an exact binary tie
        assert_eq!(fixed(555.0 / 1181.0 / (667.0 / 1390.0), 3), "0.979");
        assert_eq!(fixed(1.0, 3), "1.000");
        assert_eq!(fixed(0.9995, 3), "1.000");
        assert_eq!(fixed(-0.25, 1), "\u{2212}0.3");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(percent(667.0 / 1390.0, 1), "48.0%");
        assert_eq!(percent(7.0 / 17.0, 1), "41.2%");
        assert_eq!(percent(0.625, 1), "62.5%");
        assert_eq!(percent(0.02, 0), "2%");
        assert_eq!(percent(0.0, 1), "0.0%");
        assert_eq!(p_value(0.0004), "< 0.001");
        assert_eq!(p_value(0.0411), "0.041");
        assert_eq!(trim_number(72.5), "72.5");
        assert_eq!(trim_number(5.0), "5");
    }

    fn obligation(id: &str, cite: &str, section: Option<&str>) -> ObligationResult {
        ObligationResult {
            id: id.into(),
            cite: cite.into(),
            title: "t".into(),
            status: Status::Met,
            reason: String::new(),
            evidence: vec![],
            missing_kinds: vec![],
            section: section.map(Into::into),
            applies_from: None,
            in_force: true,
            applicability_undecided: false,
        }
    }

    #[test]
    fn the_declared_section_alone_decides_the_annex_point() {
        let p = |id: &str, cite: &str, section: Option<&str>| {
            annex_point(&obligation(id, cite, section))
        };
        assert_eq!(
            p("x", "Art 9(1)", Some("eu-technical-file/annex-iv-2")),
            Some(2)
        );
        assert_eq!(
            p(
                "art-13-1",
                "Art 13(1)",
                Some("eu-technical-file/annex-iv-3")
            ),
            Some(3)
        );
        // No guessing from ids, citations or article numbers.
        assert_eq!(p("annex-iv-8", "Annex IV point 8", None), None);
        assert_eq!(p("art-9-1", "Art 9(1)", Some("compliance-matrix")), None);
        assert_eq!(p("x", "Art 10(2)(f)", Some("ll144-summary/sex")), None);
    }
}
