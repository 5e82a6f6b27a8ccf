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
    pub applies_from: Option<String>,
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
    let (annex_iv, outside_annex) = if kind == DocumentKind::EuTechnicalFile {
        annex_sections(&frameworks)
    } else {
        (Vec::new(), Vec::new())
    };

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
        outside_annex,
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
                .map(|o| obligation(&f.id, o, evidence))
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
        annex_point: annex_point(framework, o),
        applies_from: o.applies_from.map(|d| d.format("%Y-%m-%d").to_string()),
        in_force: o.in_force,
        undecided: o.applicability_undecided,
        needs_evidence: matches!(o.status, Status::Missing | Status::Stale | Status::Failing),
    }
}

/// The Annex IV point (1–9) an obligation is presented under in the technical file.
///
/// In order: the obligation's `section` (`eu-technical-file/annex-iv-<N>…`); an `annex-iv-<N>` in
/// its id; `Annex IV <N>` in its citation; else, for the `eu-ai-act` framework, the article the
/// citation names: Art 9 → 5 (risk management), Art 10 and 4a → 2 (data and bias examination,
/// 2(d), 2(g)), Art 12 and 14 → 3 (logging, human oversight), Art 13 → 1 (instructions for use,
/// 1(h)), Art 15 → 2 (accuracy and robustness metrics 2(g), cybersecurity 2(h)), Art 47 → 8,
/// Art 72 → 9. Anything else is listed after point 9 as an obligation outside Annex IV.
pub(crate) fn annex_point(framework: &str, o: &ObligationResult) -> Option<u8> {
    if let Some(section) = &o.section {
        if let Some(rest) = section.strip_prefix("eu-technical-file/")
            && let Some(point) = point_after_prefix(rest)
        {
            return Some(point);
        }
        if !section.starts_with("eu-technical-file/") && framework != "eu-ai-act" {
            return None;
        }
    }
    if let Some(i) = o.id.to_ascii_lowercase().find("annex-iv-")
        && let Some(point) = leading_point(&o.id[i + "annex-iv-".len()..])
    {
        return Some(point);
    }
    if let Some(i) = o.cite.find("Annex IV") {
        let rest = o.cite[i + "Annex IV".len()..].trim_start();
        let rest = rest.strip_prefix("point").unwrap_or(rest).trim_start();
        if let Some(point) = leading_point(rest) {
            return Some(point);
        }
    }
    if framework != "eu-ai-act" {
        return None;
    }
    match cited_article(&o.cite)?.as_str() {
        "9" => Some(5),
        "10" | "4a" => Some(2),
        "12" | "14" => Some(3),
        "13" => Some(1),
        "15" => Some(2),
        "47" => Some(8),
        "72" => Some(9),
        _ => None,
    }
}

fn point_after_prefix(rest: &str) -> Option<u8> {
    let lower = rest.to_ascii_lowercase();
    let stripped = [
        "annex-iv-",
        "annex-iv/",
        "annex_iv_",
        "annex-iv",
        "iv-",
        "point-",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p))
    .unwrap_or(&lower);
    leading_point(stripped)
}

/// A single digit 1–9 at the start, not followed by another digit.
fn leading_point(s: &str) -> Option<u8> {
    let mut chars = s.chars();
    let first = chars.next()?.to_digit(10)?;
    if chars.next().is_some_and(|c| c.is_ascii_digit()) || first == 0 {
        return None;
    }
    Some(first as u8)
}

/// The article number a citation starts with (`Art 10(2)(f)`, `Art. 4a(1)`, `Article 72`).
fn cited_article(cite: &str) -> Option<String> {
    let rest = ["Article ", "Art. ", "Art "]
        .iter()
        .find_map(|p| cite.trim_start().strip_prefix(p))?;
    let number: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (!number.is_empty()).then_some(number)
}

fn annex_sections(frameworks: &[FrameworkModel]) -> (Vec<AnnexSection>, Vec<ObligationModel>) {
    let relevant: Vec<&ObligationModel> = frameworks
        .iter()
        .flat_map(|f| &f.obligations)
        .filter(|o| {
            o.framework == "eu-ai-act"
                || o.section
                    .as_deref()
                    .is_some_and(|s| s.starts_with("eu-technical-file/"))
        })
        .collect();
    let mut printed: BTreeMap<usize, u8> = BTreeMap::new();
    let mut sections = Vec::new();
    for (i, (heading, requirement)) in ANNEX_IV.iter().enumerate() {
        let point = i as u8 + 1;
        let obligations: Vec<ObligationModel> = relevant
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
    let outside = relevant
        .iter()
        .filter(|o| o.annex_point.is_none())
        .map(|o| (*o).clone())
        .collect();
    (sections, outside)
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
    fn annex_points_from_section_id_cite_or_article() {
        let p = |fw: &str, id: &str, cite: &str, section: Option<&str>| {
            annex_point(fw, &obligation(id, cite, section))
        };
        assert_eq!(
            p(
                "eu-ai-act",
                "x",
                "Art 9(1)",
                Some("eu-technical-file/annex-iv-2g")
            ),
            Some(2)
        );
        assert_eq!(
            p("eu-ai-act", "x", "Art 9(1)", Some("eu-technical-file/7")),
            Some(7)
        );
        assert_eq!(p("eu-ai-act", "annex-iv-8", "whatever", None), Some(8));
        assert_eq!(p("eu-ai-act", "x", "Annex IV 2(a)-(h)", None), Some(2));
        assert_eq!(
            p("eu-ai-act", "x", "Annex IV point 9; Art 72(3)", None),
            Some(9)
        );
        assert_eq!(p("eu-ai-act", "x", "Art 10(2)(f)", None), Some(2));
        assert_eq!(p("eu-ai-act", "x", "Art. 4a(1)", None), Some(2));
        assert_eq!(p("eu-ai-act", "x", "Art 9(2)(a)", None), Some(5));
        assert_eq!(p("eu-ai-act", "x", "Art 26(7)", None), None);
        assert_eq!(
            p(
                "eu-ai-act",
                "x",
                "Art 10(2)(f)",
                Some("eu-technical-file/bias")
            ),
            Some(2)
        );
        // Other frameworks appear in the technical file only when they say so.
        assert_eq!(
            p(
                "nyc-ll144",
                "5-301-b",
                "6 RCNY § 5-301(b)",
                Some("ll144-summary/results")
            ),
            None
        );
        assert_eq!(
            p(
                "internal",
                "x",
                "Policy 3",
                Some("eu-technical-file/annex-iv-5")
            ),
            Some(5)
        );
        assert_eq!(p("eu-ai-act", "annex-iv-10", "x", None), None);
    }
}
