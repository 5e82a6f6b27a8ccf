//! Rendering tests: the three documents built from a hand-made, realistic context (the DCWP's
//! worked Example 1 counts, a check report with every status, two evidence documents of which one
//! is hostile), read back with poppler's `pdftotext`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::NaiveDate;
use fairfile::check::{
    CheckReport, CrosswalkEntry, EvidenceRef, FrameworkResult, ObligationResult, Status,
    StatusCounts,
};
use fairfile::config::{Audit, DataKind, Outcome};
use fairfile::evidence::{EvidenceDocument, EvidenceSet, FrontMatter};
use fairfile::frameworks::FrameworkSet;
use fairfile::hash::sha256_hex;
use fairfile::history::HistoryEntry;
use fairfile::inputs::InputRecord;
use fairfile::metrics::{
    CategoryResult, DataInfo, Dimension, Dimensions, Fairness, FairnessDimension, FairnessGroup,
    MetricsReport, Policy,
};
use fairfile::render::{self, ANNEX_IV, DocumentKind, RenderContext, Templates};
use fairfile::seal;

// ------------------------------------------------------------------------------------------------
// The audit folder and the context.

const CONFIG: &str = r#"
[audit]
id = "acme-2026"
title = "ResumeRank bias audit 2026"
organization = "Acme Staffing Inc."
system = "ResumeRank 4.2"
audit_date = 2026-11-20
distribution_date = 2024-03-01
frameworks = ["nyc-ll144", "eu-ai-act"]
roles = ["employer", "provider"]

[auditor]
name = "Jane Roe"
organization = "Roe Analytics LLC"
independent = true
independence_statement = "Roe Analytics has no financial interest in Acme or the vendor."

[data]
path = "data/applicants.csv"
kind = "historical"
description = "Historical data pooled from multiple employers by the vendor, 2025-01-01 to 2025-12-31."
outcome = "selection"

[data.columns]
sex = "gender"
race = "race"
selected = "advanced"

[data.categories.sex]
Male = ["M"]
Female = ["F"]
unknown = [""]

[data.categories.race]
"Hispanic or Latino" = ["H"]
White = ["W"]
"Black or African American" = ["B"]
"Native Hawaiian or Pacific Islander" = ["P"]
Asian = ["A"]
"Native American or Alaska Native" = ["N"]
"Two or More Races" = ["T"]
unknown = [""]
"#;

const BIAS_EXAM: &str = "# Scope\n\nThe examination covers **sex**, race/ethnicity and their intersection.\n\n## Method\n\n| Metric | Threshold |\n|:--|--:|\n| Impact ratio | context only |\n| Fisher p | 0.05 |\n\n![Selection rates by group](img/chart.svg)\n\n- [x] Protected attributes covered\n- [ ] Feedback-loop analysis\n\nSee the data sheet.[^ds]\n\n[^ds]: Data sheet v3, section 2.\n";

/// A body that tries every way of breaking out of the text.
const HOSTILE: &str = r#"# Model card with #let x = 1

Intended purpose: rank résumés. Attack: #read("/etc/passwd") and $x^2$ and @ref and <label>.

`*bold* in code` and \backslash\ and `` ` `` and #let y = 2 and ] and ) and {} and ~~gone~~

= Not a heading
// not a comment
/* nor this */

Autolink: https://example.com/a_b?c=1

Unicode: 漢字 — Ünïcödé — 🙂 — “quotes” ½ ≤ 5 %

```typst
#import "@preview/evil:0.1.0": *
#read("/etc/passwd")
```

<script>alert(1)</script>
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    audit: Audit,
    metrics: MetricsReport,
    check: CheckReport,
    evidence: EvidenceSet,
    frameworks: FrameworkSet,
    inputs: Vec<InputRecord>,
    history: Vec<HistoryEntry>,
    digest: String,
    manifest: Vec<u8>,
}

impl Fixture {
    fn new() -> Fixture {
        Self::with_names(|name| name.to_string(), CONFIG)
    }

    /// `rename` maps the canonical category names (to inject hostile ones).
    fn with_names(rename: impl Fn(&str) -> String, config: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fairfile.toml"), config).unwrap();
        std::fs::create_dir_all(dir.path().join("evidence/img")).unwrap();
        std::fs::write(dir.path().join("evidence/img/chart.svg"), CHART_SVG).unwrap();
        std::fs::write(
            dir.path().join("evidence/bias-examination.md"),
            format!("+++\n+++\n{BIAS_EXAM}"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("evidence/model-card.md"),
            format!("+++\n+++\n{HOSTILE}"),
        )
        .unwrap();
        let audit = Audit::load(dir.path()).unwrap();

        let evidence = EvidenceSet {
            documents: vec![
                document(
                    "evidence/bias-examination.md",
                    "Bias examination report 2026",
                    &["bias_examination"],
                    BIAS_EXAM,
                ),
                document(
                    "evidence/model-card.md",
                    "Model card: ResumeRank <v4> #1 $x$",
                    &["model_card"],
                    HOSTILE,
                ),
            ],
            ..Default::default()
        };
        let metrics = example1_metrics(&rename);
        let check = check_report(&evidence);
        let inputs = vec![
            record("config", "fairfile.toml", CONFIG.as_bytes()),
            record("data", "data/applicants.csv", b"gender,race,advanced\n"),
            record("framework", "builtin:frameworks/nyc-ll144.toml", b"ll144"),
            record("framework", "builtin:frameworks/eu-ai-act.toml", b"eu"),
            record(
                "evidence",
                "evidence/bias-examination.md",
                BIAS_EXAM.as_bytes(),
            ),
            record("evidence", "evidence/model-card.md", HOSTILE.as_bytes()),
            record("image", "evidence/img/chart.svg", CHART_SVG.as_bytes()),
        ];
        let digest = sha256_hex(format!("{inputs:?}").as_bytes());
        let history = vec![HistoryEntry {
            version: 1,
            date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            manifest_sha256: sha256_hex(b"manifest v1"),
            changes: vec![
                "evidence/model-card.md".into(),
                "data/applicants.csv".into(),
            ],
        }];
        let manifest = serde_json::to_vec_pretty(&serde_json::json!({
            "schema": "fairfile.manifest/1", "audit_id": "acme-2026", "version": 2, "input_digest": digest,
        }))
        .unwrap();
        Fixture {
            _dir: dir,
            audit,
            metrics,
            check,
            evidence,
            frameworks: FrameworkSet::default(),
            inputs,
            history,
            digest,
            manifest,
        }
    }

    fn context(&self) -> RenderContext<'_> {
        RenderContext {
            audit: &self.audit,
            metrics: &self.metrics,
            check: &self.check,
            evidence: &self.evidence,
            frameworks: &self.frameworks,
            version: 2,
            inputs: &self.inputs,
            input_digest: &self.digest,
            history: &self.history,
            manifest_json: &self.manifest,
        }
    }

    fn render(&self, kind: DocumentKind) -> Vec<u8> {
        let templates = Templates::load(&self.audit).unwrap();
        match render::render_document(kind, &self.context(), &templates) {
            Ok(rendered) => rendered.pdf,
            Err(e) => panic!("{kind:?} failed:\n{e}"),
        }
    }

    fn root(&self) -> &Path {
        &self.audit.root
    }
}

const CHART_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80" viewBox="0 0 240 80"><rect x="10" y="20" width="96" height="20" fill="#1f4e79"/><rect x="10" y="50" width="94" height="20" fill="#7aa6c2"/></svg>"##;

fn document(path: &str, title: &str, kinds: &[&str], body: &str) -> EvidenceDocument {
    EvidenceDocument {
        path: path.into(),
        sha256: sha256_hex(body.as_bytes()),
        front: FrontMatter {
            id: None,
            kind: kinds.iter().map(|k| k.to_string()).collect(),
            title: title.into(),
            date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            owner: Some("Head of People Analytics".into()),
            review_by: Some(NaiveDate::from_ymd_opt(2027, 10, 1).unwrap()),
            expires: None,
            satisfies: vec![],
            attachments: vec![],
            draft: false,
        },
        body: body.into(),
        body_line: 3,
        attachments: vec![],
    }
}

fn record(role: &str, path: &str, bytes: &[u8]) -> InputRecord {
    InputRecord {
        role: role.into(),
        path: path.into(),
        sha256: sha256_hex(bytes),
        bytes: bytes.len() as u64,
    }
}

// ------------------------------------------------------------------------------------------------
// DCWP worked Example 1 (6 RCNY § 5-301, NOA pp. 5–6), with real Wilson intervals and Fisher tests.

const SEX: &[(&str, u64, u64)] = &[("Male", 1390, 667), ("Female", 1181, 555)];
const RACE: &[(&str, u64, u64)] = &[
    ("Hispanic or Latino", 408, 204),
    ("White", 797, 412),
    ("Black or African American", 390, 170),
    ("Native Hawaiian or Pacific Islander", 119, 52),
    ("Asian", 616, 302),
    ("Native American or Alaska Native", 41, 18),
    ("Two or More Races", 213, 96),
];
const INTERSECTIONAL: &[(&str, &str, u64, u64)] = &[
    ("Male", "Hispanic or Latino", 205, 90),
    ("Female", "Hispanic or Latino", 190, 82),
    ("Male", "White", 412, 215),
    ("Male", "Black or African American", 226, 95),
    ("Male", "Native Hawaiian or Pacific Islander", 87, 37),
    ("Male", "Asian", 321, 167),
    ("Male", "Native American or Alaska Native", 24, 11),
    ("Male", "Two or More Races", 115, 52),
    ("Female", "White", 385, 197),
    ("Female", "Black or African American", 164, 75),
    ("Female", "Native Hawaiian or Pacific Islander", 32, 15),
    ("Female", "Asian", 295, 135),
    ("Female", "Native American or Alaska Native", 17, 7),
    ("Female", "Two or More Races", 98, 44),
];

fn wilson(selected: u64, n: u64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let (k, n) = (selected as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / denom;
    (centre - half, centre + half)
}

/// ln C(n, k), as a sum of logarithms (plenty for a fixture's p-values).
fn ln_binomial(n: u64, k: u64) -> f64 {
    let k = k.min(n - k);
    (1..=k).map(|i| ((n - k + i) as f64 / i as f64).ln()).sum()
}

/// Two-sided Fisher exact test of a 2×2 table (a, b / c, d).
fn fisher(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (row1, col1, n) = (a + b, a + c, a + b + c + d);
    let p = |x: u64| {
        (ln_binomial(row1, x) + ln_binomial(n - row1, col1 - x) - ln_binomial(n, col1)).exp()
    };
    let observed = p(a);
    let lo = col1.saturating_sub(n - row1);
    let hi = row1.min(col1);
    (lo..=hi)
        .map(p)
        .filter(|&q| q <= observed * (1.0 + 1e-7))
        .sum::<f64>()
        .min(1.0)
}

/// Category, sex part, race part, applicants, selected.
type CountRow = (String, Option<String>, Option<String>, u64, u64);

fn dimension(rows: Vec<CountRow>, unknown: u64, total: u64) -> Dimension {
    let max_rate = rows
        .iter()
        .map(|r| r.4 as f64 / r.3 as f64)
        .fold(0.0, f64::max);
    let reference = rows
        .iter()
        .find(|r| r.4 as f64 / r.3 as f64 == max_rate)
        .unwrap();
    let (ref_n, ref_sel) = (reference.3, reference.4);
    let known: u64 = rows.iter().map(|r| r.3).sum();
    let categories = rows
        .iter()
        .map(|(category, sex, race, n, sel)| {
            let rate = *sel as f64 / *n as f64;
            let is_ref = rate == max_rate;
            let (lo, hi) = wilson(*sel, *n);
            let share = *n as f64 / total as f64;
            CategoryResult {
                category: category.clone(),
                sex: sex.clone(),
                race: race.clone(),
                n: *n,
                selected: Some(*sel),
                above_median: None,
                rate: Some(rate),
                impact_ratio: Some(rate / max_rate),
                share: Some(share),
                small: share < 0.02,
                excluded: false,
                reference: is_ref,
                ci95_low: Some(lo),
                ci95_high: Some(hi),
                fisher_p: (!is_ref).then(|| fisher(*sel, n - sel, ref_sel, ref_n - ref_sel)),
                four_fifths_flag: Some(rate / max_rate < 0.8),
                small_sample: *n < 30,
                null_reasons: if is_ref {
                    BTreeMap::from([("fisher_p".to_string(), "reference category".to_string())])
                } else {
                    BTreeMap::new()
                },
            }
        })
        .collect();
    Dimension {
        provided: true,
        unknown,
        known,
        reference: Some(reference.0.clone()),
        categories,
    }
}

fn example1_metrics(rename: &impl Fn(&str) -> String) -> MetricsReport {
    let total = 2571 + 250;
    let sex = dimension(
        SEX.iter()
            .map(|(c, n, s)| (rename(c), None, None, *n, *s))
            .collect(),
        120,
        total,
    );
    let race = dimension(
        RACE.iter()
            .map(|(c, n, s)| (rename(c), None, None, *n, *s))
            .collect(),
        237,
        total,
    );
    let inter = dimension(
        INTERSECTIONAL
            .iter()
            .map(|(sx, rc, n, s)| {
                (
                    format!("{} {}", rename(sx), rename(rc)),
                    Some(rename(sx)),
                    Some(rename(rc)),
                    *n,
                    *s,
                )
            })
            .collect(),
        250,
        total,
    );
    let group = |group: &str, n: u64, tp: u64, fp: u64, fn_: u64, tn: u64| FairnessGroup {
        group: rename(group),
        n,
        tp,
        fp,
        fn_,
        tn,
        selection_rate: Some((tp + fp) as f64 / n as f64),
        tpr: Some(tp as f64 / (tp + fn_) as f64),
        fpr: Some(fp as f64 / (fp + tn) as f64),
        fnr: Some(fn_ as f64 / (tp + fn_) as f64),
        precision: Some(tp as f64 / (tp + fp) as f64),
        accuracy: Some((tp + tn) as f64 / n as f64),
        null_reasons: BTreeMap::new(),
    };
    MetricsReport {
        schema: "fairfile.metrics/1".into(),
        mode: Outcome::Selection,
        median_score: None,
        median_sample: None,
        total,
        data: DataInfo {
            input: "rows".into(),
            path: "data/applicants.csv".into(),
            sha256: sha256_hex(b"gender,race,advanced\n"),
            kind: DataKind::Historical,
            description: "Historical data pooled from multiple employers by the vendor, 2025-01-01 to 2025-12-31.".into(),
            explanation: None,
            rows_read: total,
            median_source: None,
            scores_at_median: None,
        },
        outcome_values: vec![],
        category_values: vec![],
        policy: Policy {
            small_category_share: 0.02,
            share_denominator: "all individuals assessed".into(),
            exclude_small_categories: false,
            exclusion_justification: None,
            four_fifths_threshold: 0.8,
            small_sample_min_n: 30,
            small_sample_min_expected: 5.0,
            confidence_level: 0.95,
            interval_method: "wilson".into(),
            test_method: "fisher_exact_two_sided".into(),
        },
        dimensions: Dimensions { sex, race_ethnicity: race, intersectional: inter },
        fairness: Some(Fairness {
            prediction: "selected column".into(),
            label: "hired within 6 months".into(),
            sex: Some(FairnessDimension {
                groups: vec![group("Male", 1390, 400, 267, 100, 623), group("Female", 1181, 330, 225, 90, 536)],
                demographic_parity_difference: Some(0.0099),
                demographic_parity_ratio: Some(0.979),
                equalized_odds_difference: Some(0.0225),
                equalized_odds_ratio: Some(0.95),
                equal_opportunity_difference: Some(0.0143),
                null_reasons: BTreeMap::new(),
            }),
            race_ethnicity: None,
            intersectional: None,
        }),
        analysis: None,
        warnings: vec!["4 intersectional categories have fewer than 30 individuals.".into()],
    }
}

// ------------------------------------------------------------------------------------------------
// The check report: every status, documents and computed evidence.

fn obligation(
    id: &str,
    cite: &str,
    title: &str,
    status: Status,
    section: Option<&str>,
    evidence: Vec<EvidenceRef>,
    missing: &[&str],
) -> ObligationResult {
    ObligationResult {
        id: id.into(),
        cite: cite.into(),
        title: title.into(),
        status,
        reason: match status {
            Status::Met => "Met by current evidence.".into(),
            Status::Missing => format!("No evidence of kind {}.", missing.join(" or ")),
            Status::Stale => "The evidence passed its review date.".into(),
            Status::Failing => "A condition on the results fails.".into(),
            Status::Waived => {
                "Waived until 2027-06-30 by the DPO: deployer duty handled by the client.".into()
            }
            Status::NotApplicable => {
                "Applies to deployers; the audit declares roles employer, provider.".into()
            }
        },
        evidence,
        missing_kinds: missing.iter().map(|k| k.to_string()).collect(),
        section: section.map(Into::into),
        applies_from: Some(NaiveDate::from_ymd_opt(2027, 12, 2).unwrap()),
        in_force: false,
        applicability_undecided: false,
    }
}

fn doc_ref(evidence: &EvidenceSet, index: usize, kind: &str) -> EvidenceRef {
    let d = &evidence.documents[index];
    EvidenceRef {
        kind: kind.into(),
        path: Some(d.path.clone()),
        computed: None,
        sha256: d.sha256.clone(),
        title: Some(d.front.title.clone()),
        date: Some(d.front.date),
    }
}

fn computed_ref(kind: &str, path: &str) -> EvidenceRef {
    EvidenceRef {
        kind: kind.into(),
        path: None,
        computed: Some(path.into()),
        sha256: sha256_hex(b"gender,race,advanced\n"),
        title: None,
        date: Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
    }
}

fn counts(obligations: &[ObligationResult]) -> StatusCounts {
    let mut c = StatusCounts::default();
    for o in obligations {
        match o.status {
            Status::Met => c.met += 1,
            Status::Missing => c.missing += 1,
            Status::Stale => c.stale += 1,
            Status::Failing => c.failing += 1,
            Status::Waived => c.waived += 1,
            Status::NotApplicable => c.not_applicable += 1,
        }
    }
    c
}

fn check_report(evidence: &EvidenceSet) -> CheckReport {
    let mut ll144 = vec![
        obligation(
            "5-301-b",
            "6 RCNY § 5-301(b)",
            "Selection rates and impact ratios by sex, race/ethnicity and intersection",
            Status::Met,
            Some("ll144-summary/results"),
            vec![
                computed_ref("impact_ratios_sex", "metrics.dimensions.sex"),
                computed_ref("impact_ratios_race", "metrics.dimensions.race_ethnicity"),
            ],
            &[],
        ),
        obligation(
            "5-303-a",
            "6 RCNY § 5-303(a)",
            "Publish the summary of results before use",
            Status::Missing,
            Some("ll144-summary/publication"),
            vec![],
            &["publication_record"],
        ),
        obligation(
            "20-871-b-1",
            "Admin. Code § 20-871(b)(1); 6 RCNY § 5-304",
            "Notice to candidates 10 business days before use",
            Status::Failing,
            None,
            vec![],
            &[],
        ),
    ];
    for o in &mut ll144 {
        o.in_force = true;
        o.applies_from = None;
    }
    let eu = vec![
        obligation(
            "annex-iv-1",
            "Annex IV 1(a)-(h)",
            "General description of the AI system",
            Status::Met,
            Some("eu-technical-file/annex-iv-1"),
            vec![doc_ref(evidence, 1, "model_card")],
            &[],
        ),
        obligation(
            "art-10-2-f",
            "Art 10(2)(f)",
            "Examine the data for possible biases",
            Status::Met,
            Some("eu-technical-file/annex-iv-2"),
            vec![
                doc_ref(evidence, 0, "bias_examination"),
                computed_ref("impact_ratios_sex", "metrics.dimensions.sex"),
            ],
            &[],
        ),
        obligation(
            "art-10-2-g",
            "Art 10(2)(g)",
            "Measures to detect, prevent and mitigate biases",
            Status::Missing,
            Some("eu-technical-file/annex-iv-2"),
            vec![],
            &["bias_mitigation_record"],
        ),
        obligation(
            "art-9-1",
            "Art 9(1),(2)",
            "Risk management system",
            Status::Missing,
            Some("eu-technical-file/annex-iv-5"),
            vec![],
            &["rms_plan", "risk_register"],
        ),
        obligation(
            "art-13-3",
            "Art 13(3)(a)-(f)",
            "Instructions for use",
            Status::Met,
            Some("eu-technical-file/annex-iv-1"),
            vec![doc_ref(evidence, 1, "model_card")],
            &[],
        ),
        obligation(
            "art-72",
            "Art 72(1)-(3)",
            "Post-market monitoring plan",
            Status::Stale,
            Some("eu-technical-file/annex-iv-9"),
            vec![doc_ref(evidence, 0, "bias_examination")],
            &["pmm_plan"],
        ),
        obligation(
            "art-26-7",
            "Art 26(7)",
            "Inform workers' representatives before use",
            Status::NotApplicable,
            Some("compliance-matrix"),
            vec![],
            &[],
        ),
        obligation(
            "art-27",
            "Art 27(1)",
            "Fundamental rights impact assessment",
            Status::Waived,
            Some("compliance-matrix"),
            vec![],
            &[],
        ),
    ];
    CheckReport {
        schema: "fairfile.check/1".into(),
        audit_id: "acme-2026".into(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        unreferenced_files: vec![],
        warnings: vec![],
        frameworks: vec![
            FrameworkResult {
                id: "nyc-ll144".into(),
                title: "NYC Local Law 144 of 2021 and 6 RCNY §§ 5-300 – 5-304".into(),
                counts: counts(&ll144),
                obligations: ll144,
            },
            FrameworkResult {
                id: "eu-ai-act".into(),
                title: "EU AI Act (Regulation (EU) 2024/1689), high-risk employment systems".into(),
                counts: counts(&eu),
                obligations: eu,
            },
        ],
        crosswalk: vec![CrosswalkEntry {
            path: "evidence/bias-examination.md".into(),
            sha256: evidence.documents[0].sha256.clone(),
            obligations: vec!["eu-ai-act/art-10-2-f".into(), "nyc-ll144/5-301-b".into()],
        }],
    }
}

// ------------------------------------------------------------------------------------------------
// Reading PDFs back.

/// The text of a PDF in physical layout (table rows on one line), whitespace collapsed.
fn pdftotext(pdf: &[u8]) -> String {
    pdftotext_mode(pdf, true)
}

/// `layout = false`: poppler's reading order (a wrapped table cell stays together).
fn pdftotext_mode(pdf: &[u8], layout: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(if layout { &["-layout", "-enc", "UTF-8"][..] } else { &["-enc", "UTF-8"][..] })
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by the rendering tests: apt-get install poppler-utils");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Word joiners (outline) and soft hyphens (hyphenation) are not text.
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace(['\u{2060}', '\u{00AD}'], "");
    // One space between words, whatever the layout did.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdfinfo(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_contains_all(text: &str, needles: &[&str]) {
    let missing: Vec<&&str> = needles.iter().filter(|n| !text.contains(**n)).collect();
    assert!(missing.is_empty(), "missing {missing:?} in:\n{text}");
}

// ------------------------------------------------------------------------------------------------
// Tests.

#[test]
fn ll144_summary_has_every_required_field_and_the_exact_figures() {
    let fixture = Fixture::new();
    let pdf = fixture.render(DocumentKind::Ll144Summary);
    let text = pdftotext(&pdf);
    assert_contains_all(
        &text,
        &[
            // § 5-303(a)(1): date of the audit; § 5-303(a)(2): distribution date.
            "Date of the bias audit 20 November 2026",
            "Distribution date of the tool 1 March 2024",
            // Source and explanation of the data (historical).
            "Historical data (6 RCNY § 5-302(a))",
            "Historical data pooled from multiple employers by the vendor",
            // Number of applicants and the unknown category.
            "2,821 in total",
            "120 with unknown sex, 237 with unknown race/ethnicity; 250 with either unknown",
            // Auditor and independence.
            "Jane Roe, Roe Analytics LLC",
            "Independent auditor within the meaning of 6 RCNY § 5-300",
            // The three families of categories.
            "Sex categories",
            "Race/ethnicity categories",
            "Intersectional categories",
            // The 2 % option (not used here) is stated.
            "§ 5-301(d)",
            // Context, labelled as such.
            "Statistical context",
            "29 CFR 1607.4(D)",
            "LL144 sets no pass mark",
            "rounded half away from zero",
        ],
    );
    // Sex: rates and impact ratio (DCWP prints 48 %, 47 %, 0.979).
    assert_contains_all(
        &text,
        &["Male 1,390 667 48.0% 1.000", "Female 1,181 555 47.0% 0.979"],
    );
    // Race/ethnicity: unrounded IRs 0.9672, 0.8432, 0.8453, 0.9484, 0.8493, 0.8719 (NOA p. 6).
    assert_contains_all(
        &text,
        &[
            "Hispanic or Latino 408 204 50.0% 0.967",
            "White 797 412 51.7% 1.000",
            "Black or African American 390 170 43.6% 0.843",
            "Native Hawaiian or Pacific Islander 119 52 43.7% 0.845",
            "Asian 616 302 49.0% 0.948",
            "Native American or Alaska Native † 41 18 43.9% 0.849",
            "Two or More Races 213 96 45.1% 0.872",
        ],
    );
    // Intersectional: exactly the DCWP table's rates and impact ratios (NOA p. 6).
    for (rate, ir) in [
        ("43.9%", "0.841"),
        ("43.2%", "0.827"),
        ("52.2%", "1.000"),
        ("42.0%", "0.806"),
        ("42.5%", "0.815"),
        ("52.0%", "0.997"),
        ("45.8%", "0.878"),
        ("45.2%", "0.866"),
        ("51.2%", "0.981"),
        ("45.7%", "0.876"),
        ("46.9%", "0.898"),
        ("45.8%", "0.877"),
        ("41.2%", "0.789"),
        ("44.9%", "0.860"),
    ] {
        assert!(
            text.contains(&format!("{rate} {ir}")),
            "intersectional {rate} {ir} missing in:\n{text}"
        );
    }
    // NA/AN Female is the only intersectional category under four-fifths; its row says so.
    assert!(text.contains("17 7 41.2% 0.789"), "{text}");
    // Every page carries the audit id, version and short content hash.
    let pages = pdfinfo(&pdf)
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .parse::<usize>()
        .unwrap();
    assert!((2..=5).contains(&pages), "{pages} pages");
    let header = format!("Version 2 · content hash {}", &fixture.digest[..12]);
    assert_eq!(text.matches(&header).count(), pages, "header on every page");
    assert_eq!(text.matches("Audit acme-2026").count(), pages);
    // Last page: every input with its full SHA-256.
    for input in &fixture.inputs {
        assert!(text.contains(&input.sha256), "input {} missing", input.path);
    }
}

#[test]
fn eu_technical_file_has_every_annex_iv_point_and_missing_evidence_boxes() {
    let fixture = Fixture::new();
    let text = pdftotext(&fixture.render(DocumentKind::EuTechnicalFile));
    for (i, (heading, _)) in ANNEX_IV.iter().enumerate() {
        let numbered = format!("{}. {heading}", i + 1);
        assert!(
            text.contains(&numbered),
            "Annex IV heading {numbered:?} missing"
        );
    }
    assert_contains_all(
        &text,
        &[
            // Bias examination with per-group statistics (Art. 10(2)(f)–(g); Annex IV 2(g)).
            "Bias examination and metrics (Art. 10(2)(f)–(g); Annex IV 2(g))",
            "Female 1,181 555 47.0% 0.979",
            "Demographic parity ratio 0.979",
            "Equal opportunity difference 0.014",
            // Missing evidence boxes, under the points the obligations declare (Art 9 → 5, 10 → 2).
            "Missing evidence — Risk management system (Art 9(1),(2))",
            "Missing evidence — Measures to detect, prevent and mitigate biases (Art 10(2)(g))",
            "Evidence still needed: rms_plan, risk_register",
            "Missing evidence — Post-market monitoring plan",
            // Points with nothing mapped get a box too.
            "Missing evidence — Annex IV point 7",
            "Missing evidence — Annex IV point 8",
            // Change history (point 6) from the ledger, with the current version.
            "Change history of this technical file",
            "evidence/model-card.md",
            "current version",
            // Evidence bodies are printed once and referred to elsewhere.
            "Bias examination report 2026",
            "is reproduced under Annex IV point",
            "Protected attributes covered",
            // Obligations outside Annex IV are accounted for, in the matrix.
            "Obligations outside the technical documentation",
            "other obligations of the frameworks in use",
        ],
    );
}

#[test]
fn compliance_matrix_lists_every_obligation_with_status_and_evidence() {
    let fixture = Fixture::new();
    let pdf = fixture.render(DocumentKind::ComplianceMatrix);
    let text = pdftotext(&pdf);
    // Citations may wrap inside their cell: read in reading order, compare without whitespace.
    let compact: String = pdftotext_mode(&pdf, false)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for framework in &fixture.check.frameworks {
        for o in &framework.obligations {
            assert!(text.contains(&o.id), "obligation {} missing", o.id);
            let cite: String = o.cite.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(compact.contains(&cite), "citation {} missing", o.cite);
        }
    }
    let short = &fixture.evidence.documents[0].sha256[..12];
    assert_contains_all(
        &text,
        &[
            "Summary",
            "All frameworks",
            "Met",
            "Missing",
            "Stale",
            "Failing",
            "Waived",
            "Not applicable",
            "evidence/bias-examination.md",
            short,
            "Missing: rms_plan, risk_register",
            "computed: metrics.dimensions.sex",
            "Evidence serving several frameworks",
            "(applies from 2027-12-02)",
        ],
    );
}

#[test]
fn hostile_markdown_renders_literally() {
    let fixture = Fixture::new();
    let text = pdftotext(&fixture.render(DocumentKind::EuTechnicalFile));
    assert_contains_all(
        &text,
        &[
            "Model card with #let x = 1",
            "#read(\"/etc/passwd\")",
            "$x^2$",
            "@ref and <label>",
            "*bold* in code",
            "\\backslash\\",
            "#let y = 2 and ] and ) and {}",
            "= Not a heading",
            "// not a comment",
            "/* nor this */",
            "https://example.com/a_b?c=1",
            // No embedded font has CJK or emoji: shown as code points (PDF/A allows no blank glyphs).
            "[U+6F22][U+5B57] — Ünïcödé — [U+1F642]",
            "“quotes” ½ ≤ 5 %",
            "#import \"@preview/evil:0.1.0\": *",
            // The title with markup characters, from JSON.
            "Model card: ResumeRank <v4> #1 $x$",
        ],
    );
    // Raw HTML is dropped; the struck text is still there (struck).
    assert!(!text.contains("alert(1)"), "{text}");
    assert!(text.contains("gone"));
    // Nothing was read from the real filesystem.
    assert!(!text.contains("root:x:0:0"), "{text}");
}

#[test]
fn hostile_category_names_and_titles_render_literally() {
    let hostile = |name: &str| match name {
        "Male" => "#read(\"/etc/passwd\") *M*".to_string(),
        "Female" => "$F$ <f> @f \\ ]".to_string(),
        "Asian" => "#let a = 1 // {x}".to_string(),
        other => other.to_string(),
    };
    let config = CONFIG
        .replace("ResumeRank 4.2", "Rank #3 *v4* $x$ ] [ <l>")
        .replace("Jane Roe", "Jane \\\\ Roe #sys");
    let fixture = Fixture::with_names(hostile, &config);
    let text = pdftotext(&fixture.render(DocumentKind::Ll144Summary));
    assert_contains_all(
        &text,
        &[
            "#read(\"/etc/passwd\") *M* 1,390 667 48.0% 1.000",
            "$F$ <f> @f \\ ] 1,181 555 47.0% 0.979",
            "#let a = 1 // {x} 616 302 49.0% 0.948",
            "Rank #3 *v4* $x$ ] [ <l>",
            "Jane \\ Roe #sys",
        ],
    );
    assert!(!text.contains("root:x:0:0"));
}

#[test]
fn same_context_gives_byte_identical_pdfs() {
    let fixture = Fixture::new();
    for kind in DocumentKind::ALL {
        let first = sha256_hex(&fixture.render(kind));
        let second = sha256_hex(&fixture.render(kind));
        assert_eq!(first, second, "{kind:?} is not deterministic");
    }
}

/// The `manifest.json` a PDF embeds, read by the same reader `fairfile verify` uses.
fn embedded_manifest(pdf: &[u8]) -> Option<Vec<u8>> {
    seal::extract_embedded_file(pdf, "manifest.json").expect("a readable PDF")
}

#[test]
fn pdf_is_archival_dated_identified_and_carries_the_manifest() {
    let fixture = Fixture::new();
    let pdf = fixture.render(DocumentKind::Ll144Summary);
    assert_eq!(
        embedded_manifest(&pdf).as_deref(),
        Some(fixture.manifest.as_slice())
    );
    let info = pdfinfo(&pdf);
    assert!(info.contains("Creator:         fairfile "), "{info}");
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Page size:       595.276 x 841.89 pts (A4)"),
        "{info}"
    );
    assert!(info.contains("2026"), "creation date = audit date: {info}");
    assert!(
        info.contains("Title:           Summary of results of the bias audit: ResumeRank 4.2"),
        "{info}"
    );
    // XMP: PDF/A-3, conformance A; PDF/UA-1.
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.contains("<pdfaid:part>3</pdfaid:part>"),
        "no PDF/A-3 identification"
    );
    assert!(raw.contains("<pdfaid:conformance>A</pdfaid:conformance>"));
    assert!(raw.contains("<pdfuaid:part>1</pdfuaid:part>"));
    // Different documents and versions have different identities but the same manifest channel.
    let other = fixture.render(DocumentKind::ComplianceMatrix);
    assert_eq!(
        embedded_manifest(&other).as_deref(),
        Some(fixture.manifest.as_slice())
    );
    assert!(seal::extract_embedded_file(b"%PDF-1.7 not really", "manifest.json").is_err());
}

#[test]
fn override_template_with_a_syntax_error_names_file_and_line() {
    let fixture = Fixture::new();
    let dir = fixture.root().join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ll144-summary.typ"),
        "#import \"common.typ\": *\n\n#let x = (1, 2\n= Title\n",
    )
    .unwrap();
    let templates = Templates::load(&fixture.audit).unwrap();
    assert!(
        templates
            .inputs()
            .iter()
            .any(|i| i.path == "templates/ll144-summary.typ")
    );
    let err = render::render_document(DocumentKind::Ll144Summary, &fixture.context(), &templates)
        .unwrap_err()
        .to_string();
    assert!(err.contains("templates/ll144-summary.typ:3:"), "{err}");
    assert!(err.contains("unclosed delimiter"), "{err}");
    // The other documents still use the built-in templates.
    render::render_document(
        DocumentKind::ComplianceMatrix,
        &fixture.context(),
        &templates,
    )
    .unwrap();
}

#[test]
fn override_template_errors_at_runtime_and_on_packages_are_readable() {
    let fixture = Fixture::new();
    let dir = fixture.root().join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compliance-matrix.typ"),
        "#let data = json(\"/data.json\")\n#data.audit.nope\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ll144-summary.typ"),
        "#import \"@preview/cetz:0.3.0\": *\nHello\n",
    )
    .unwrap();
    let templates = Templates::load(&fixture.audit).unwrap();
    let err = render::render_document(
        DocumentKind::ComplianceMatrix,
        &fixture.context(),
        &templates,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("compliance-matrix.typ:2:"), "{err}");
    assert!(err.contains("does not contain key \"nope\""), "{err}");
    let err = render::render_document(DocumentKind::Ll144Summary, &fixture.context(), &templates)
        .unwrap_err()
        .to_string();
    assert!(err.contains("package not found"), "{err}");
    assert!(err.contains("never downloads packages"), "{err}");
}

#[test]
fn misspelt_override_is_an_error_with_a_suggestion() {
    let fixture = Fixture::new();
    let dir = fixture.root().join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ll144-sumary.typ"), "x").unwrap();
    let err = Templates::load(&fixture.audit).unwrap_err().to_string();
    assert!(
        err.contains("did you mean templates/ll144-summary.typ?"),
        "{err}"
    );
}

#[test]
fn override_template_is_used() {
    let fixture = Fixture::new();
    let dir = fixture.root().join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ll144-summary.typ"),
        "#import \"common.typ\": *\n#let data = json(\"/data.json\")\n#show: body => setup(data, body)\nCustom summary for #data.audit.system.\n#inputs-page(data)\n",
    )
    .unwrap();
    let templates = Templates::load(&fixture.audit).unwrap();
    let pdf = render::render_document(DocumentKind::Ll144Summary, &fixture.context(), &templates)
        .unwrap()
        .pdf;
    assert!(pdftotext(&pdf).contains("Custom summary for ResumeRank 4.2."));
}

#[test]
fn override_template_that_misses_pdf_ua_falls_back_to_pdf_a_3b() {
    let fixture = Fixture::new();
    let dir = fixture.root().join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    // Starts at heading level 2: PDF/UA-1 refuses it, PDF/A-3b does not care.
    std::fs::write(
        dir.join("ll144-summary.typ"),
        "#import \"common.typ\": *\n#let data = json(\"/data.json\")\n#show: body => setup(data, body)\n== Results\nShort.\n",
    )
    .unwrap();
    let templates = Templates::load(&fixture.audit).unwrap();
    let rendered =
        render::render_document(DocumentKind::Ll144Summary, &fixture.context(), &templates)
            .unwrap();
    assert_eq!(rendered.standard, "PDF/A-3b");
    assert!(
        rendered
            .warnings
            .iter()
            .any(|w| w.contains("first heading must be of level 1")
                && w.contains("exported as PDF/A-3b")),
        "{:?}",
        rendered.warnings
    );
    let raw = String::from_utf8_lossy(&rendered.pdf);
    assert!(raw.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    assert_eq!(
        embedded_manifest(&rendered.pdf).as_deref(),
        Some(fixture.manifest.as_slice())
    );
    // Built-in templates keep the full level.
    let matrix = render::render_document(
        DocumentKind::ComplianceMatrix,
        &fixture.context(),
        &templates,
    )
    .unwrap();
    assert_eq!(matrix.standard, "PDF/A-3a + PDF/UA-1");
}

#[test]
fn missing_image_is_an_error_with_file_and_line() {
    let mut fixture = Fixture::new();
    fixture.evidence.documents[0].body = "Intro.\n\n![chart](img/missing.png)\n".into();
    let templates = Templates::builtin();
    let err = render::render_document(
        DocumentKind::EuTechnicalFile,
        &fixture.context(),
        &templates,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("evidence/bias-examination.md:5:1"), "{err}");
    assert!(err.contains("image not found"), "{err}");
}

#[test]
fn images_outside_the_audit_folder_are_refused() {
    let mut fixture = Fixture::new();
    fixture.evidence.documents[0].body = "![a](../../outside.png)\n\n![b](/etc/hosts.png)\n".into();
    let templates = Templates::builtin();
    let err = render::render_document(
        DocumentKind::EuTechnicalFile,
        &fixture.context(),
        &templates,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("bias-examination.md:3:1: image \"../../outside.png\": the path leads outside the audit folder"), "{err}");
    assert!(
        err.contains(
            "bias-examination.md:5:1: image \"/etc/hosts.png\": absolute paths are refused"
        ),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn images_linked_outside_the_audit_folder_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.svg"), CHART_SVG).unwrap();
    let mut fixture = Fixture::new();
    std::os::unix::fs::symlink(
        outside.path().join("secret.svg"),
        fixture.root().join("evidence/img/link.svg"),
    )
    .unwrap();
    fixture.evidence.documents[0].body = "![a](img/link.svg)\n".into();
    let err = render::render_document(
        DocumentKind::EuTechnicalFile,
        &fixture.context(),
        &Templates::builtin(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("resolves outside the audit folder"), "{err}");
}

#[test]
fn evidence_images_are_inputs() {
    let fixture = Fixture::new();
    let images = render::evidence_images(&fixture.audit, &fixture.evidence).unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].path, "evidence/img/chart.svg");
    assert_eq!(images[0].role, "image");
    assert_eq!(images[0].sha256, sha256_hex(CHART_SVG.as_bytes()));
}

#[test]
fn raw_html_is_dropped_with_a_warning() {
    let fixture = Fixture::new();
    let rendered = render::render_document(
        DocumentKind::EuTechnicalFile,
        &fixture.context(),
        &Templates::builtin(),
    )
    .unwrap();
    let html: Vec<&String> = rendered
        .warnings
        .iter()
        .filter(|w| w.contains("raw HTML is not rendered"))
        .collect();
    assert_eq!(html.len(), 1, "{:?}", rendered.warnings);
    assert!(html[0].contains("evidence/model-card.md"), "{html:?}");
}

#[test]
fn documents_for_an_audit_follow_its_frameworks() {
    let fixture = Fixture::new();
    assert_eq!(
        DocumentKind::for_audit(&fixture.audit),
        DocumentKind::ALL.to_vec()
    );
    let ll144_only = Fixture::with_names(
        |n| n.to_string(),
        &CONFIG.replace("[\"nyc-ll144\", \"eu-ai-act\"]", "[\"nyc-ll144\"]"),
    );
    assert_eq!(
        DocumentKind::for_audit(&ll144_only.audit),
        vec![DocumentKind::Ll144Summary, DocumentKind::ComplianceMatrix]
    );
}

/// Per-document compile + export time (printed; run with `--nocapture` to see it).
#[test]
fn timings() {
    let fixture = Fixture::new();
    let templates = Templates::builtin();
    for kind in DocumentKind::ALL {
        let start = Instant::now();
        let rendered = render::render_document(kind, &fixture.context(), &templates).unwrap();
        let elapsed = start.elapsed();
        eprintln!(
            "render {:<18} {:>6.1} ms  {:>7} bytes",
            kind.slug(),
            elapsed.as_secs_f64() * 1000.0,
            rendered.pdf.len()
        );
        // For looking at the documents: FAIRFILE_RENDER_DUMP=/tmp/dir cargo test --test render timings
        if let Some(dir) = std::env::var_os("FAIRFILE_RENDER_DUMP") {
            std::fs::write(
                Path::new(&dir).join(format!("{}.pdf", kind.slug())),
                &rendered.pdf,
            )
            .unwrap();
        }
        assert!(!rendered.pdf.is_empty());
    }
}

/// The other branches of the LL144 summary: scoring, test data, the § 5-301(d) exclusion, a
/// missing distribution date, an auditor not declared independent, a dimension not provided.
#[test]
fn ll144_summary_scoring_test_data_and_exclusions() {
    let config = CONFIG
        .replace("distribution_date = 2024-03-01\n", "")
        .replace("independent = true", "independent = false")
        .replace("kind = \"historical\"", "kind = \"test\"\nexplanation = \"Too few historical applicants; synthetic résumés were generated by the vendor.\"")
        .replace("outcome = \"selection\"", "outcome = \"scoring\"\nexclude_small_categories = true\nexclusion_justification = \"Categories under 2 % give unstable ratios.\"")
        .replace("selected = \"advanced\"", "score = \"score\"");
    let mut fixture = Fixture::with_names(|n| n.to_string(), &config);
    let m = &mut fixture.metrics;
    m.mode = Outcome::Scoring;
    m.median_score = Some(72.5);
    m.median_sample = Some("all 2821 individuals assessed, unknown categories included".into());
    m.data.kind = DataKind::Test;
    m.data.explanation = Some(
        "Too few historical applicants; synthetic résumés were generated by the vendor.".into(),
    );
    m.policy.exclude_small_categories = true;
    m.policy.exclusion_justification = Some("Categories under 2 % give unstable ratios.".into());
    for dim in [
        &mut m.dimensions.sex,
        &mut m.dimensions.race_ethnicity,
        &mut m.dimensions.intersectional,
    ] {
        for c in &mut dim.categories {
            c.above_median = c.selected.take();
            if c.small {
                c.excluded = true;
                c.impact_ratio = None;
                c.fisher_p = None;
                c.four_fifths_flag = None;
                c.null_reasons.insert(
                    "impact_ratio".into(),
                    "excluded under 6 RCNY § 5-301(d)".into(),
                );
            }
        }
    }
    m.dimensions.sex = Dimension {
        provided: false,
        unknown: 2821,
        known: 0,
        reference: None,
        categories: vec![],
    };
    let text = pdftotext(&fixture.render(DocumentKind::Ll144Summary));
    assert_contains_all(
        &text,
        &[
            "Distribution date of the tool Not stated — required by 6 RCNY § 5-303(a)(2)",
            "Not declared independent",
            "Test data (6 RCNY § 5-302(b))",
            "Why test data; how generated Too few historical applicants; synthetic résumés were generated by the vendor.",
            "scoring rate",
            "median score of the full sample (72.5; all 2821 individuals assessed, unknown categories included)",
            "6 RCNY § 5-301(c)",
            // Column headers (they wrap: "Above / median", "Scoring / rate").
            "Applicants Above Scoring Impact",
            "Most highly scored category (impact ratio 1.000): White.",
            "each against its own most highly scored category",
            "Categories under 2% left out of the impact ratios (6 RCNY § 5-301(d))",
            "Justification: Categories under 2 % give unstable ratios.",
            // Excluded categories keep their applicants and rate.
            "Native American or Alaska Native †‡ 41 18 43.9% excluded‡",
            "Female Native American or Alaska Native †‡* 17 7 41.2% excluded‡",
            "‡ excluded from the impact-ratio calculation",
            // Sex not provided: said, not hidden.
            "Not provided",
        ],
    );
}

#[test]
fn bad_language_tag_points_at_the_config() {
    let fixture = Fixture::with_names(
        |n| n.to_string(),
        &CONFIG.replace("roles = [", "language = \"english\"\nroles = ["),
    );
    let err = render::render_document(
        DocumentKind::ComplianceMatrix,
        &fixture.context(),
        &Templates::builtin(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("fairfile.toml (field `audit.language`)"),
        "{err}"
    );
    assert!(err.contains("\"english\""), "{err}");
}

#[test]
fn regional_language_tag_is_accepted() {
    let fixture = Fixture::with_names(
        |n| n.to_string(),
        &CONFIG.replace("roles = [", "language = \"en-US\"\nroles = ["),
    );
    let pdf = fixture.render(DocumentKind::ComplianceMatrix);
    assert!(
        String::from_utf8_lossy(&pdf).contains("en-US"),
        "language written into the PDF"
    );
}

#[test]
fn deeply_nested_markdown_renders() {
    let mut fixture = Fixture::new();
    let quotes = format!("{} quoted deep text\n\n", ">".repeat(40));
    let lists: String = (0..20)
        .map(|i| format!("{}- level {i}\n", "  ".repeat(i)))
        .collect();
    // Quotes and lists alternating, with emphasis and a table at the bottom.
    let mut mixed = String::new();
    for i in 0..15 {
        mixed.push_str(&format!("{}- item *{i}*\n", "> ".repeat(i)));
    }
    mixed.push_str(&format!(
        "\n{}| a | b |\n{}|---|---|\n{}| **x** | y |\n",
        "> ".repeat(15),
        "> ".repeat(15),
        "> ".repeat(15)
    ));
    fixture.evidence.documents[0].body = format!("{quotes}{lists}\n{mixed}");
    let rendered = render::render_document(
        DocumentKind::EuTechnicalFile,
        &fixture.context(),
        &Templates::builtin(),
    )
    .unwrap();
    let text = pdftotext(&rendered.pdf);
    assert!(text.contains("quoted deep text"), "{text}");
    assert!(text.contains("level 19"), "{text}");
    assert!(
        rendered
            .warnings
            .iter()
            .any(|w| w.contains("shown flattened")),
        "{:?}",
        rendered.warnings
    );
}
