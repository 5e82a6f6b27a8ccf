//! The pipeline wired together: an audit folder loaded once ([`LoadedAudit`]: config → metrics →
//! frameworks → evidence), then checked, built (collect and hash every input → seal, rendering
//! the documents of a new version only when an input changed) or verified — the same loaded value
//! for every command.
//!
//! The sealing itself (versions, manifest, ledger, atomic writes) lives in [`crate::seal`] and
//! works on plain data; this module wires it to the real pipeline and to Typst rendering.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::check::CheckReport;
use crate::config::Audit;
use crate::diag::{Error, Result};
use crate::document::{Format, Output};
use crate::events::Events;
use crate::evidence::EvidenceSet;
use crate::frameworks::FrameworkSet;
use crate::hash::sha256_file;
use crate::inputs::{InputRecord, canonical_inputs};
use crate::metrics::MetricsReport;
use crate::render::{RenderContext, Templates};
use crate::results::SealedResults;
use crate::seal::{FolderReport, InputSource, PdfReport, SealOutcome, SealRequest};

/// What a build did (see [`crate::seal::BuildStatus`]).
pub type BuildOutcome = SealOutcome;

/// Name of the default output folder inside the audit folder.
pub const DEFAULT_OUT_DIR: &str = "dist";

/// An audit folder loaded: its config, the metrics of its data, its frameworks and its evidence.
/// Everything a command needs to check or build the audit, read once (in the spirit of mdBook's
/// `MDBook::load(root)?.build()`).
#[derive(Debug)]
pub struct LoadedAudit {
    pub audit: Audit,
    pub metrics: MetricsReport,
    pub frameworks: FrameworkSet,
    pub evidence: EvidenceSet,
}

impl LoadedAudit {
    /// Load the audit in `audit_dir`: config → metrics (reading the data, with progress reported
    /// to `events`) → frameworks → evidence.
    pub fn load(audit_dir: &Path, events: &dyn Events) -> Result<LoadedAudit> {
        let audit = Audit::load(audit_dir)?;
        let metrics = metrics(&audit, events)?;
        let (frameworks, evidence) = declarations(&audit)?;
        Ok(LoadedAudit {
            audit,
            metrics,
            frameworks,
            evidence,
        })
    }

    /// The audit date: every date in the documents, and the default date of a check.
    pub fn audit_date(&self) -> NaiveDate {
        self.audit.config.audit.get_ref().audit_date
    }

    /// Which obligations are met, missing, stale, failing, waived or not applicable, as of `as_of`.
    pub fn check(&self, as_of: NaiveDate) -> Result<CheckReport> {
        crate::check::run(
            &self.audit,
            &self.metrics,
            &self.frameworks,
            &self.evidence,
            as_of,
        )
    }

    /// Every input of the audit with its SHA-256, in canonical order (see [`collect_inputs`]).
    pub fn inputs(&self, templates: &Templates) -> Result<Vec<InputRecord>> {
        // The metrics hashed the data file as they read it: reuse that hash (it is also exactly the
        // bytes the numbers were computed from) instead of reading a large file twice.
        let data = data_input(&self.audit, Some(self.metrics.data.sha256.clone()))?;
        collect_inputs(
            &self.audit,
            data,
            &self.frameworks,
            templates,
            &self.evidence,
        )
    }

    /// Build into `out` (default `AUDIT_DIR/dist`): a new sealed version when any input changed
    /// since the latest one, nothing otherwise. Rendering warnings go to `events`.
    pub fn build(&self, out: Option<PathBuf>, events: &dyn Events) -> Result<BuildOutcome> {
        let audit = &self.audit;
        let audit_section = audit.config.audit.get_ref();
        // Every date in the documents is the audit date, so a rebuild is byte-identical; the check
        // is evaluated as of that date too (what the documents attest is the state on that day).
        let audit_date = self.audit_date();
        let check = self.check(audit_date)?;
        let templates = Templates::load(audit)?;
        let inputs = self.inputs(&templates)?;

        let out_dir = out.unwrap_or_else(|| audit.root.join(DEFAULT_OUT_DIR));
        let audit_id = audit_section.id.get_ref().clone();
        let digest = crate::seal::input_digest(&canonical_inputs(inputs.clone()));
        let results =
            SealedResults::new(&audit_id, audit_date, &digest, &self.metrics, &check).to_json();
        let request = SealRequest {
            audit_id,
            build_date: audit_date,
            inputs,
            documents: Output::for_audit(audit),
            results: Some(results),
        };
        crate::seal::seal_version(&out_dir, request, |job| {
            let context = RenderContext {
                audit,
                metrics: &self.metrics,
                check: &check,
                evidence: &self.evidence,
                frameworks: &self.frameworks,
                version: job.version,
                inputs: job.inputs,
                input_digest: job.input_digest,
                history: job.history,
                manifest_json: job.manifest_json,
            };
            match job.format {
                Format::Pdf => {
                    let rendered = crate::render::render_document(job.kind, &context, &templates)?;
                    for warning in &rendered.warnings {
                        events.warning(warning);
                    }
                    Ok(rendered.pdf)
                }
                Format::Html => crate::render::render_page(job.kind, &context),
            }
        })
    }
}

/// Read the audit's data ([`crate::ingest`], progress to `events`) and compute its metrics
/// ([`crate::metrics`]).
pub fn metrics(audit: &Audit, events: &dyn Events) -> Result<MetricsReport> {
    let ingested = crate::ingest::read(audit, events)?;
    Ok(crate::metrics::compute(
        audit.config.data.get_ref(),
        ingested,
    ))
}

/// The audit's frameworks and the evidence documents they ask for.
fn declarations(audit: &Audit) -> Result<(FrameworkSet, EvidenceSet)> {
    let frameworks = FrameworkSet::load(audit)?;
    let evidence = crate::evidence::discover(audit, &frameworks)?;
    Ok((frameworks, evidence))
}

/// For a folder whose `fairfile.toml` still holds placeholders (a fresh `fairfile init`): the
/// obligations still to do, read from the frameworks and evidence templates the config names
/// (see [`crate::check::todo`]). `None` when the config has no placeholder or fails otherwise.
pub fn provisional_todo(audit_dir: &Path) -> Option<(Audit, Vec<crate::check::todo::TodoItem>)> {
    let audit = Audit::load_provisional(audit_dir)?;
    let (frameworks, evidence) = declarations(&audit).ok()?;
    let items = crate::check::todo::todo(&audit, &frameworks, &evidence);
    Some((audit, items))
}

/// Every input of the audit as a build would collect it now, without computing metrics or
/// rendering (for `verify`): config, data file (hashed here), frameworks, templates, evidence
/// documents, their attachments and the images they show.
pub fn current_inputs(audit_dir: &Path) -> Result<(Audit, Vec<InputRecord>)> {
    let audit = Audit::load(audit_dir)?;
    let (frameworks, evidence) = declarations(&audit)?;
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
/// the audit folder with `..`, e.g. to a data folder beside it).
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
            normalize_relative("../warehouse-export/x.csv"),
            "../warehouse-export/x.csv"
        );
        assert_eq!(normalize_relative("/abs/x.csv"), "/abs/x.csv");
    }
}
