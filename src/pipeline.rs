//! The build orchestration: load → metrics → frameworks → evidence → check → collect and hash every
//! input → seal (render the documents of a new version only when an input changed) — and the
//! verification of what a build sealed.
//!
//! The sealing itself (versions, manifest, ledger, atomic writes) lives in [`crate::seal`] and
//! works on plain data; this module wires it to the real pipeline and to Typst rendering.

use std::path::{Component, Path, PathBuf};

use crate::config::Audit;
use crate::diag::{Error, Result};
use crate::evidence::EvidenceSet;
use crate::frameworks::FrameworkSet;
use crate::hash::sha256_file;
use crate::render::{DocumentKind, RenderContext, Templates};
use crate::seal::{FolderReport, InputRecord, InputSource, PdfReport, SealOutcome, SealRequest};

/// What a build did (see [`crate::seal::BuildStatus`]).
pub type BuildOutcome = SealOutcome;

/// Name of the default output folder inside the audit folder.
pub const DEFAULT_OUT_DIR: &str = "dist";

/// Options of a build that do not change its outputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// Show a progress bar on stderr while the data is read.
    pub progress: bool,
}

/// Build the audit in `audit_dir` into `out` (default `AUDIT_DIR/dist`): a new sealed version when
/// any input changed since the latest one, nothing otherwise.
pub fn build(audit_dir: &Path, out: Option<PathBuf>) -> Result<BuildOutcome> {
    build_with(audit_dir, out, BuildOptions::default())
}

/// [`build`] with options.
pub fn build_with(
    audit_dir: &Path,
    out: Option<PathBuf>,
    options: BuildOptions,
) -> Result<BuildOutcome> {
    let audit = Audit::load(audit_dir)?;
    let audit_section = audit.config.audit.get_ref();
    // Every date in the documents is the audit date, so a rebuild is byte-identical; the check
    // is evaluated as of that date too (what the documents attest is the state on that day).
    let audit_date = audit_section.audit_date;
    let metrics = crate::metrics::compute(&audit, options.progress)?;
    let frameworks = FrameworkSet::load(&audit)?;
    let evidence = crate::evidence::discover(&audit, &frameworks)?;
    let check = crate::check::run(&audit, &metrics, &frameworks, &evidence, audit_date)?;
    let templates = Templates::load(&audit)?;

    // The metrics hashed the data file as they read it: reuse that hash (it is also exactly the
    // bytes the numbers were computed from) instead of reading a large file twice.
    let data = data_input(&audit, Some(metrics.data.sha256.clone()))?;
    let inputs = collect_inputs(&audit, data, &frameworks, &templates, &evidence)?;

    let out_dir = out.unwrap_or_else(|| audit.root.join(DEFAULT_OUT_DIR));
    let request = SealRequest {
        audit_id: audit_section.id.get_ref().clone(),
        build_date: audit_date,
        inputs,
        documents: documents_for(&audit),
    };
    crate::seal::seal_version(&out_dir, request, |job| {
        let context = RenderContext {
            audit: &audit,
            metrics: &metrics,
            check: &check,
            evidence: &evidence,
            frameworks: &frameworks,
            version: job.version,
            inputs: job.inputs,
            input_digest: job.input_digest,
            history: job.history,
            manifest_json: job.manifest_json,
        };
        crate::render::render(job.kind, &context, &templates)
    })
}

/// The documents an audit gets: the LL144 summary when it uses `nyc-ll144`, the EU technical file
/// when it uses `eu-ai-act`, and always the compliance matrix.
pub fn documents_for(audit: &Audit) -> Vec<DocumentKind> {
    let frameworks = audit.config.audit.get_ref().frameworks.get_ref();
    let uses = |id: &str| frameworks.iter().any(|f| f == id);
    DocumentKind::ALL
        .into_iter()
        .filter(|kind| match kind {
            DocumentKind::Ll144Summary => uses("nyc-ll144"),
            DocumentKind::EuTechnicalFile => uses("eu-ai-act"),
            DocumentKind::ComplianceMatrix => true,
        })
        .collect()
}

/// Every input of the audit as a build would collect it now, without computing metrics or
/// rendering (for `verify`): config, data file (hashed here), frameworks, templates, evidence
/// documents, their attachments and the images they show.
pub fn current_inputs(audit_dir: &Path) -> Result<(Audit, Vec<InputRecord>)> {
    let audit = Audit::load(audit_dir)?;
    let frameworks = FrameworkSet::load(&audit)?;
    let evidence = crate::evidence::discover(&audit, &frameworks)?;
    let templates = Templates::load(&audit)?;
    let data = data_input(&audit, None)?;
    let inputs = collect_inputs(&audit, data, &frameworks, &templates, &evidence)?;
    Ok((audit, inputs))
}

/// Verify the sealed versions in `out` (default `AUDIT_DIR/dist`) against the audit folder.
pub fn verify_folder(audit_dir: &Path, out: Option<PathBuf>) -> Result<FolderReport> {
    let out_dir = out.unwrap_or_else(|| audit_dir.join(DEFAULT_OUT_DIR));
    let (audit_id, source) = input_source(audit_dir);
    crate::seal::verify_folder(&out_dir, &source, audit_id.as_deref())
}

/// Say what a lone PDF attests; with `audit` (and/or `out`), check it against the sealed folder
/// and the audit's current files.
pub fn verify_pdf(pdf: &Path, audit: Option<&Path>, out: Option<PathBuf>) -> Result<PdfReport> {
    let bytes = std::fs::read(pdf).map_err(|e| Error::io(pdf, e))?;
    let out_dir = out.or_else(|| audit.map(|a| a.join(DEFAULT_OUT_DIR)));
    let source = audit.map(|a| input_source(a).1);
    crate::seal::verify_pdf_attestation(pdf, &bytes, out_dir.as_deref(), source.as_ref())
}

/// The audit id (when the config loads) and the current inputs (or why they cannot be collected).
fn input_source(audit_dir: &Path) -> (Option<String>, InputSource) {
    match current_inputs(audit_dir) {
        Ok((audit, inputs)) => (
            Some(audit.config.audit.get_ref().id.get_ref().clone()),
            InputSource {
                audit_root: audit_dir.to_path_buf(),
                current: Ok(inputs),
            },
        ),
        Err(e) => {
            let audit_id = Audit::load(audit_dir)
                .ok()
                .map(|a| a.config.audit.get_ref().id.get_ref().clone());
            (
                audit_id,
                InputSource {
                    audit_root: audit_dir.to_path_buf(),
                    current: Err(e.to_string()),
                },
            )
        }
    }
}

/// The data file's input record; `sha256` when already known (from the metrics), else hashed.
fn data_input(audit: &Audit, sha256: Option<String>) -> Result<InputRecord> {
    let data = audit.config.data.get_ref();
    let written = data
        .path
        .as_ref()
        .or(data.counts.as_ref())
        .map(|p| p.get_ref().as_str())
        .ok_or_else(|| Error::Other("[data] names no input file".into()))?;
    let path = audit.resolve(written);
    let bytes = std::fs::metadata(&path)
        .map_err(|e| Error::io(&path, e))?
        .len();
    let sha256 = match sha256 {
        Some(hash) => hash,
        None => sha256_file(&path)?,
    };
    Ok(InputRecord {
        role: "data".into(),
        path: normalize_relative(written),
        sha256,
        bytes,
    })
}

/// Collect every input with its SHA-256, in canonical order.
pub fn collect_inputs(
    audit: &Audit,
    data: InputRecord,
    frameworks: &FrameworkSet,
    templates: &Templates,
    evidence: &EvidenceSet,
) -> Result<Vec<InputRecord>> {
    let config_bytes = audit.config_text.as_bytes();
    let mut inputs = vec![
        InputRecord {
            role: "config".into(),
            path: crate::config::CONFIG_FILE.into(),
            sha256: crate::hash::sha256_hex(config_bytes),
            bytes: config_bytes.len() as u64,
        },
        data,
    ];
    inputs.extend(frameworks.inputs());
    inputs.extend(templates.inputs());
    for document in &evidence.documents {
        inputs.push(InputRecord {
            role: "evidence".into(),
            path: document.path.clone(),
            sha256: document.sha256.clone(),
            bytes: file_size(audit, &document.path)?,
        });
        for attachment in &document.attachments {
            inputs.push(InputRecord {
                role: "attachment".into(),
                path: attachment.path.clone(),
                sha256: attachment.sha256.clone(),
                bytes: file_size(audit, &attachment.path)?,
            });
        }
    }
    inputs.extend(evidence_images(audit, evidence)?);
    Ok(crate::seal::canonical_inputs(inputs))
}

fn file_size(audit: &Audit, relative: &str) -> Result<u64> {
    let path = audit.resolve(relative);
    Ok(std::fs::metadata(&path)
        .map_err(|e| Error::io(&path, e))?
        .len())
}

/// The local images the evidence documents show (`![alt](path)`): they change the rendered
/// documents, so they are inputs too. Resolved as rendering resolves them: relative to the
/// document's folder, `%XX` escapes decoded, never outside the audit folder. URLs, absolute paths,
/// paths leaving the audit folder and missing files are not inputs (rendering refuses them with a
/// clear error, so no document is built from them).
fn evidence_images(audit: &Audit, evidence: &EvidenceSet) -> Result<Vec<InputRecord>> {
    let mut images = Vec::new();
    for document in &evidence.documents {
        for url in image_urls(&document.body) {
            let Some(relative) = image_path_in_audit(&document.path, &url) else {
                continue;
            };
            let path = audit.resolve(&relative);
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::metadata(&path)
                .map_err(|e| Error::io(&path, e))?
                .len();
            images.push(InputRecord {
                role: "image".into(),
                path: relative,
                sha256: sha256_file(&path)?,
                bytes,
            });
        }
    }
    Ok(images)
}

/// The audit-relative path of an image written as `url` in the evidence document `doc_path`, or
/// `None` for a URL, an absolute path or a path leaving the audit folder.
fn image_path_in_audit(doc_path: &str, url: &str) -> Option<String> {
    let url = url.trim();
    if let Some((scheme, _)) = url.split_once(':')
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    if url.is_empty() || url.starts_with(['/', '\\']) {
        return None;
    }
    let folder = Path::new(doc_path).parent().unwrap_or(Path::new(""));
    let decoded = percent_decode(url).replace('\\', "/");
    lexically_inside(&folder.join(decoded))
}

/// Decode `%XX` escapes (Markdown image destinations are URLs); invalid escapes stay as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            )
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The destinations of every image in a Markdown text (CommonMark + the GFM extensions the
/// documents use, so images in tables and footnotes are found too).
fn image_urls(markdown: &str) -> Vec<String> {
    let arena = comrak::Arena::new();
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.footnotes = true;
    options.extension.tasklist = true;
    options.extension.strikethrough = true;
    let root = comrak::parse_document(&arena, markdown, &options);
    root.descendants()
        .filter_map(|node| match &node.data.borrow().value {
            comrak::nodes::NodeValue::Image(link) => Some(link.url.clone()),
            _ => None,
        })
        .collect()
}

/// `path` with `.` and `..` resolved lexically, as a `/`-separated relative path, or `None` when
/// it is absolute or leaves its base folder.
fn lexically_inside(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?.to_string()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

/// A path as written in the config, with `/` separators and no `./` segments (it may lead out of
/// the audit folder with `..`, e.g. to a shared data folder).
fn normalize_relative(written: &str) -> String {
    let unified = written.replace('\\', "/");
    let parts: Vec<&str> = unified
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let joined = parts.join("/");
    if unified.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_urls_in_paragraphs_tables_and_footnotes() {
        let md = "Intro ![a](img/a.png)\n\n| x |\n|---|\n| ![b](../b.png) |\n\nText[^1]\n\n[^1]: ![c](c.svg)\n\n`![not](code.png)`\n";
        assert_eq!(image_urls(md), ["img/a.png", "../b.png", "c.svg"]);
    }

    #[test]
    fn image_paths_resolve_like_rendering() {
        let doc = "evidence/ll144/report.md";
        assert_eq!(
            image_path_in_audit(doc, "chart.svg").as_deref(),
            Some("evidence/ll144/chart.svg")
        );
        assert_eq!(
            image_path_in_audit(doc, " ../img/a%20b.png ").as_deref(),
            Some("evidence/img/a b.png")
        );
        assert_eq!(
            image_path_in_audit(doc, "..\\img\\c.png").as_deref(),
            Some("evidence/img/c.png")
        );
        assert_eq!(image_path_in_audit(doc, "../../../x.png"), None);
        assert_eq!(image_path_in_audit(doc, "/etc/x.png"), None);
        assert_eq!(image_path_in_audit(doc, "C:/x.png"), None);
        assert_eq!(image_path_in_audit(doc, "https://example.org/x.png"), None);
        assert_eq!(image_path_in_audit(doc, ""), None);
    }

    #[test]
    fn lexical_paths_stay_inside() {
        assert_eq!(
            lexically_inside(Path::new("evidence/x/../img/a.png")).as_deref(),
            Some("evidence/img/a.png")
        );
        assert_eq!(
            lexically_inside(Path::new("evidence/./a.png")).as_deref(),
            Some("evidence/a.png")
        );
        assert_eq!(
            lexically_inside(Path::new("evidence/../../etc/passwd")),
            None
        );
        assert_eq!(lexically_inside(Path::new("/etc/passwd")), None);
    }

    #[test]
    fn config_paths_normalize() {
        assert_eq!(
            normalize_relative("./data/applicants.csv"),
            "data/applicants.csv"
        );
        assert_eq!(normalize_relative("data\\x.csv"), "data/x.csv");
        assert_eq!(
            normalize_relative("../shared/data/x.csv"),
            "../shared/data/x.csv"
        );
        assert_eq!(normalize_relative("/abs/x.csv"), "/abs/x.csv");
    }

    #[test]
    fn images_are_inputs_when_local_and_present() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("evidence/img")).unwrap();
        std::fs::write(dir.path().join("evidence/img/chart.png"), b"png").unwrap();
        std::fs::write(dir.path().join("logo.png"), b"logo").unwrap();
        std::fs::write(dir.path().join("evidence/img/my chart.png"), b"mine").unwrap();
        let audit = Audit {
            root: dir.path().to_path_buf(),
            config_path: dir.path().join("fairfile.toml"),
            config_text: String::new(),
            config: toml::from_str(MINIMAL_CONFIG).unwrap(),
        };
        let evidence: EvidenceSet = serde_json::from_value(serde_json::json!({
            "documents": [{
                "path": "evidence/risk.md",
                "sha256": "00",
                "front": {"kind": ["risk"], "title": "Risk", "date": "2026-01-01"},
                "body": "![c](img/chart.png) ![l](../logo.png) ![s](img/my%20chart.png) ![r](https://x.org/a.png) ![a](/etc/x.png) ![m](missing.png) ![o](../../out.png)",
                "body_line": 5,
                "attachments": []
            }]
        }))
        .unwrap();
        let images = evidence_images(&audit, &evidence).unwrap();
        let paths: Vec<&str> = images.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "evidence/img/chart.png",
                "logo.png",
                "evidence/img/my chart.png"
            ]
        );
        assert_eq!(images[0].sha256, crate::hash::sha256_hex(b"png"));
        assert_eq!(images[0].bytes, 3);
        assert!(images.iter().all(|i| i.role == "image"));
    }

    const MINIMAL_CONFIG: &str = r#"
[audit]
id = "acme"
title = "Bias audit"
organization = "Acme"
system = "ResumeRank"
audit_date = 2026-11-20
frameworks = ["nyc-ll144", "eu-ai-act"]

[auditor]
name = "Jane Roe"
independent = true

[data]
path = "./data/applicants.csv"
kind = "historical"
description = "ATS export"
outcome = "selection"
"#;

    #[test]
    fn documents_follow_the_frameworks_used() {
        let mut audit = Audit {
            root: PathBuf::from("."),
            config_path: PathBuf::from("fairfile.toml"),
            config_text: String::new(),
            config: toml::from_str(MINIMAL_CONFIG).unwrap(),
        };
        assert_eq!(documents_for(&audit), DocumentKind::ALL);
        audit.config = toml::from_str(
            &MINIMAL_CONFIG.replace(r#"["nyc-ll144", "eu-ai-act"]"#, r#"["eu-ai-act"]"#),
        )
        .unwrap();
        assert_eq!(
            documents_for(&audit),
            [
                DocumentKind::EuTechnicalFile,
                DocumentKind::ComplianceMatrix
            ]
        );
        audit.config = toml::from_str(
            &MINIMAL_CONFIG.replace(r#"["nyc-ll144", "eu-ai-act"]"#, r#"["internal"]"#),
        )
        .unwrap();
        assert_eq!(documents_for(&audit), [DocumentKind::ComplianceMatrix]);
    }
}
