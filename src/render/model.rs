//! The view model builder: the JSON every template reads with `json("/data.json")`, from the
//! metrics, the check and the evidence (the types are in `view.rs`).
//!
//! Everything a template prints comes from here, as data: category names, titles and evidence
//! metadata are JSON strings, never spliced into Typst source. Every figure is spelled by
//! [`crate::format`], the module `fairfile metrics` and `fairfile check` print with, so the
//! documents and the terminal agree digit for digit. The schema is versioned
//! (`fairfile.render/2`: counts became preformatted strings) because user override templates
//! read it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::view::*;
use super::{DocumentKind, RenderContext};
use crate::check::{ObligationResult, Status, StatusCounts};
use crate::config::{DataKind, Outcome};
use crate::document::Section;
use crate::format::{self, DASH, or_dash};
use crate::metrics::{CategoryResult, Dimension, FairnessDimension};

pub const RENDER_SCHEMA: &str = "fairfile.render/2";

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
pub(crate) struct SectionEvidence {
    pub index: usize,
    pub printed_here: bool,
    /// The Annex IV point whose section prints the body.
    pub printed_in: u8,
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
    let mut totals = StatusCounts::default();
    for o in ctx.check.frameworks.iter().flat_map(|f| &f.obligations) {
        totals.add(o.status);
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
        labels: LabelsModel::new(),
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
            rows_read: format::count(ctx.metrics.data.rows_read),
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
        analysis: super::analysis_model::build(ctx.metrics),
        fairness: ctx.metrics.fairness.as_ref().map(|f| FairnessModel {
            prediction: f.prediction.clone(),
            label: f.label.clone(),
            dimensions: [
                ("sex", &f.sex),
                ("race_ethnicity", &f.race_ethnicity),
                ("intersectional", &f.intersectional),
            ]
            .into_iter()
            .filter_map(|(key, d)| d.as_ref().map(|d| fairness_dimension(key, d)))
            .collect(),
        }),
        frameworks,
        totals: CountsModel::new(totals),
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
                date: format::date(h.date),
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
                bytes: format::count(i.bytes),
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
        median_score: m.median_score.map(format::number),
        median_sample: m.median_sample.clone(),
        total: format::count(m.total),
        policy: PolicyModel {
            small_share: format::policy_percent(p.small_category_share),
            share_denominator: p.share_denominator.clone(),
            exclude_small: p.exclude_small_categories,
            exclusion_justification: p.exclusion_justification.clone(),
            four_fifths: format::ratio(p.four_fifths_threshold),
            confidence: format::policy_percent(p.confidence_level),
            interval_method: method_label(&p.interval_method),
            test_method: method_label(&p.test_method),
            small_sample_min_n: format::count(p.small_sample_min_n),
            small_sample_min_expected: format::number(p.small_sample_min_expected),
        },
        rounding: format::ROUNDING_RULE,
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
                count: format::count(v.count),
                unmapped: v.unmapped,
            })
            .collect(),
    }
}

fn dimension(key: &'static str, d: &Dimension) -> DimensionModel {
    let rows: Vec<RowModel> = d.categories.iter().map(row).collect();
    DimensionModel {
        key,
        title: format::dimension_title(key),
        provided: d.provided,
        unknown: format::count(d.unknown),
        known: format::count(d.known),
        reference: d.reference.clone(),
        any_excluded: rows.iter().any(|r| r.excluded),
        any_small: rows.iter().any(|r| r.small),
        any_flag: rows.iter().any(|r| r.four_fifths_flag),
        any_small_sample: rows.iter().any(|r| r.small_sample),
        rows,
    }
}

fn row(c: &CategoryResult) -> RowModel {
    let ci = match (c.ci95_low, c.ci95_high) {
        (Some(lo), Some(hi)) => format::interval(lo, hi),
        _ => DASH.to_string(),
    };
    RowModel {
        category: c.category.clone(),
        sex: c.sex.clone(),
        race: c.race.clone(),
        n: format::count(c.n),
        count: format::count(c.count()),
        rate: or_dash(c.rate, format::rate),
        impact_ratio: or_dash(c.impact_ratio, format::ratio),
        share: or_dash(c.share, format::rate),
        ci,
        fisher_p: or_dash(c.fisher_p, format::p_value),
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

fn fairness_dimension(key: &'static str, d: &FairnessDimension) -> FairnessDimensionModel {
    let ratio = |v: Option<f64>| or_dash(v, format::ratio);
    let pct = |v: Option<f64>| or_dash(v, format::rate);
    FairnessDimensionModel {
        key,
        title: format::dimension_title(key),
        groups: d
            .groups
            .iter()
            .map(|g| FairnessGroupModel {
                group: g.group.clone(),
                n: format::count(g.n),
                tp: format::count(g.tp),
                fp: format::count(g.fp),
                fn_: format::count(g.fn_),
                tn: format::count(g.tn),
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
                value: ratio(d.demographic_parity_difference),
            },
            NameValue {
                name: "Demographic parity ratio",
                value: ratio(d.demographic_parity_ratio),
            },
            NameValue {
                name: "Equalized odds difference",
                value: ratio(d.equalized_odds_difference),
            },
            NameValue {
                name: "Equalized odds ratio",
                value: ratio(d.equalized_odds_ratio),
            },
            NameValue {
                name: "Equal opportunity difference",
                value: ratio(d.equal_opportunity_difference),
            },
        ],
        null_reasons: d
            .null_reasons
            .iter()
            .map(|(field, why)| format!("{field}: {why}"))
            .collect(),
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
                date: format::date(d.front.date),
                owner: d.front.owner.clone(),
                review_by: d.front.review_by.map(format::date),
                expires: d.front.expires.map(format::date),
                attachments: d
                    .attachments
                    .iter()
                    .map(|a| InputModel {
                        role: "attachment".into(),
                        path: a.path.clone(),
                        sha256: a.sha256.clone(),
                        bytes: DASH.to_string(),
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
            FrameworkModel {
                id: f.id.clone(),
                title: f.title.clone(),
                counts: CountsModel::new(f.counts.clone()),
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
        status_label: o.status.label(),
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
                date: e.date.map(format::date),
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

#[cfg(test)]
mod tests {
    use super::*;

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
