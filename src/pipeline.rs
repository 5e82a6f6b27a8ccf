//! The build orchestration: load → metrics → frameworks → evidence → check → collect and hash every
//! input → seal (render the documents of a new version only when an input changed) — and the
//! verification of what a build sealed.
//!
//! The sealing itself (versions, manifest, ledger, atomic writes) lives in [`crate::seal`] and
//! works on plain data; this module wires it to the real pipeline and to Typst rendering.

use std::path::{Path, PathBuf};

use crate::config::Audit;
use crate::diag::{Error, Result};
use crate::evidence::EvidenceSet;
use crate::frameworks::FrameworkSet;
use crate::hash::sha256_file;
use crate::render::{DocumentKind, RenderContext, Templates};
use crate::inputs::{InputRecord, canonical_inputs};
use crate::seal::{FolderReport, InputSource, PdfReport, SealOutcome, SealRequest};

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

/// Read the audit's data ([`crate::ingest`]) and compute its metrics ([`crate::metrics`]).
/// `progress` allows a progress bar on stderr for large files.
pub fn metrics(audit: &Audit, progress: bool) -> Result<crate::metrics::MetricsReport> {
    let ingested = crate::ingest::read(audit, progress)?;
    Ok(crate::metrics::compute(audit.config.data.get_ref(), ingested))
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
    let metrics = metrics(&audit, options.progress)?;
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
        documents: DocumentKind::for_audit(&audit),
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
    // Documents and attachments, hashed as discovery read them.
    inputs.extend(evidence.inputs());
    // The images the documents show change the rendered output, so they are inputs too.
    inputs.extend(crate::render::evidence_images(audit, evidence)?);
    Ok(canonical_inputs(inputs))
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
}
