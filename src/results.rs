//! A sealed version's results, as data: `<audit-id>-results-v<N>.json` holds the metrics and the
//! check the version's documents print, sealed like the documents (its SHA-256 in
//! `manifest-v<N>.json`, hence in the ledger).
//!
//! Why a file of its own: what a version attests must be readable back from the version itself.
//! `fairfile diff`, `fairfile sign` and `fairfile export` read the numbers from here, after
//! checking the hash — never from a recomputation on today's folder, whose data may have changed
//! since (or be gone: an auditor may keep only `dist/`).
//!
//! The two payloads are exactly the JSON of `fairfile metrics --format json`
//! (docs/metrics-json.md) and of `fairfile check --format json` as of the audit date
//! (docs/check-json.md); the envelope is documented in docs/manifest.md.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::check::CheckReport;
use crate::diag::{Error, InputError, Location, Result};
use crate::hash::sha256_hex;
use crate::metrics::MetricsReport;
use crate::seal::{Dist, RESULTS_DOCUMENT, SealedVersion};

/// Schema id of the results file.
pub const RESULTS_SCHEMA: &str = "fairfile.results/1";

/// `<audit-id>-results-v<N>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedResults {
    /// [`RESULTS_SCHEMA`].
    pub schema: String,
    pub fairfile_version: String,
    pub audit_id: String,
    /// The audit date: the date of every document of the version, and of the check below.
    pub build_date: NaiveDate,
    /// The version's content hash (the manifest's `input_digest`): the inputs these numbers were
    /// computed from.
    pub input_digest: String,
    /// As `fairfile metrics --format json`.
    pub metrics: MetricsReport,
    /// As `fairfile check --format json --as-of <build_date>`.
    pub check: CheckReport,
}

impl SealedResults {
    /// The results of a build about to be sealed.
    pub fn new(
        audit_id: &str,
        build_date: NaiveDate,
        input_digest: &str,
        metrics: &MetricsReport,
        check: &CheckReport,
    ) -> SealedResults {
        SealedResults {
            schema: RESULTS_SCHEMA.to_string(),
            fairfile_version: crate::seal::FAIRFILE_VERSION.to_string(),
            audit_id: audit_id.to_string(),
            build_date,
            input_digest: input_digest.to_string(),
            metrics: metrics.clone(),
            check: check.clone(),
        }
    }

    /// The file's bytes: pretty JSON with a final newline (field order fixed by the types, maps
    /// ordered), so the same results always give the same bytes and the same hash.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("results serialize to JSON");
        bytes.push(b'\n');
        bytes
    }
}

/// Read the results of sealed version `version` (`None`: the latest) in the output folder
/// `out_dir`, after checking the file against the SHA-256 its manifest sealed. Returns the version
/// number with them.
pub fn load(out_dir: &Path, version: Option<u32>) -> Result<(u32, SealedResults)> {
    let dist = Dist::open(out_dir, None)?;
    let sealed = find_version(&dist, version)?;
    load_version(&dist, sealed).map(|results| (sealed.entry.version, results))
}

/// The sealed version `version` of `dist` (`None`: the latest), or an error saying which exist.
pub fn find_version(dist: &Dist, version: Option<u32>) -> Result<&SealedVersion> {
    let ledger = Location::file(dist.dir.join(crate::seal::LEDGER_FILE));
    let Some(latest) = dist.versions.last() else {
        return Err(InputError::new(ledger, "no sealed version in this folder")
            .with_help("run `fairfile build` first (or name the output folder with --out)")
            .into());
    };
    let Some(wanted) = version else {
        return Ok(latest);
    };
    dist.versions
        .iter()
        .find(|v| v.entry.version == wanted)
        .ok_or_else(|| {
            let known: Vec<String> = dist
                .versions
                .iter()
                .map(|v| format!("v{}", v.entry.version))
                .collect();
            InputError::new(
                ledger,
                format!(
                    "no sealed version {wanted} here; sealed: {}",
                    known.join(", ")
                ),
            )
            .into()
        })
}

/// The results file of one sealed version, checked against its manifest.
pub fn load_version(dist: &Dist, sealed: &SealedVersion) -> Result<SealedResults> {
    let version = sealed.entry.version;
    let manifest = Location::file(dist.dir.join(&sealed.entry.manifest));
    let Some(record) = sealed
        .manifest
        .outputs
        .iter()
        .find(|o| o.document == RESULTS_DOCUMENT)
    else {
        return Err(InputError::new(
            manifest,
            format!(
                "version {version} has no sealed results file (it was built by fairfile {}, before results were sealed)",
                sealed.manifest.fairfile_version
            ),
        )
        .with_help("run `fairfile build` with this fairfile to seal a version that has one")
        .into());
    };
    let path = dist.dir.join(&record.file);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    if sha256_hex(&bytes) != record.sha256 {
        return Err(InputError::new(
            Location::file(&path),
            format!("does not match the SHA-256 sealed in manifest-v{version}.json: it was changed after the build"),
        )
        .with_help("run `fairfile verify` for the full report; restore the file from a backup")
        .into());
    }
    let results: SealedResults = serde_json::from_slice(&bytes).map_err(|e| {
        InputError::new(
            Location::file(&path),
            format!("is not a results file this fairfile reads: {e}"),
        )
    })?;
    if results.schema != RESULTS_SCHEMA {
        return Err(InputError::new(
            Location::file(&path),
            format!(
                "has schema {:?}; this fairfile reads {RESULTS_SCHEMA:?}",
                results.schema
            ),
        )
        .into());
    }
    Ok(results)
}
