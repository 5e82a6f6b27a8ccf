//! The output folder (`dist/`): its ledger and the sealed versions it records, read and checked.

use std::path::{Path, PathBuf};

use super::ledger::{LEDGER_FILE, LedgerEntry, ParsedLedger};
use super::manifest::{MANIFEST_SCHEMA, Manifest};
use super::problem::Problem;
use super::{diff_inputs, input_digest};
use crate::diag::{Error, Result};
use crate::document::Output;
use crate::hash::{sha256_file, sha256_hex};
use crate::history::HistoryEntry;
use crate::render::DocumentKind;

/// `manifest-v<N>.json`.
pub fn manifest_file_name(version: u32) -> String {
    format!("manifest-v{version}.json")
}

/// `<audit-id>-<doc>-v<N>.pdf`.
pub fn output_file_name(audit_id: &str, kind: DocumentKind, version: u32) -> String {
    output_file(audit_id, Output::pdf(kind), version)
}

/// `<audit-id>-<doc>-v<N>.<pdf|html>`.
pub fn output_file(audit_id: &str, output: Output, version: u32) -> String {
    format!(
        "{audit_id}-{}-v{version}.{}",
        output.kind.slug(),
        output.format.extension()
    )
}

/// The `document` of the results file in a manifest's outputs.
pub const RESULTS_DOCUMENT: &str = "results";

/// `<audit-id>-results-v<N>.json`: a version's metrics and check, sealed ([`crate::results`]).
pub fn results_file_name(audit_id: &str, version: u32) -> String {
    format!("{audit_id}-{RESULTS_DOCUMENT}-v{version}.json")
}

/// The version of a file named like a manifest or a document of `audit_id`
/// (`manifest-v3.json`, `acme-ll144-summary-v3.pdf`, `acme-ll144-summary-v3.html`,
/// `acme-results-v3.json`), or `None`
/// for any other name.
pub fn parse_versioned_name(audit_id: &str, file: &str) -> Option<u32> {
    let number = |s: &str| -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
            return None;
        }
        s.parse().ok()
    };
    if let Some(rest) = file
        .strip_prefix("manifest-v")
        .and_then(|r| r.strip_suffix(".json"))
    {
        return number(rest);
    }
    let rest = file.strip_prefix(audit_id)?.strip_prefix('-')?;
    let (stem, extension) = rest.rsplit_once('.')?;
    if extension == "json" {
        return number(stem.strip_prefix(RESULTS_DOCUMENT)?.strip_prefix("-v")?);
    }
    DocumentKind::ALL
        .iter()
        .filter(|kind| kind.formats().iter().any(|f| f.extension() == extension))
        .find_map(|kind| number(stem.strip_prefix(kind.slug())?.strip_prefix("-v")?))
}

/// One version recorded in the ledger, with its manifest (read and checked against the ledger).
#[derive(Debug, Clone)]
pub struct SealedVersion {
    pub entry: LedgerEntry,
    pub manifest: Manifest,
}

/// An output folder as found: the ledger (checked line by line) and every sealed version whose
/// manifest could be read.
#[derive(Debug, Clone)]
pub struct Dist {
    pub dir: PathBuf,
    /// The ledger's bytes as read (`None` when there is no ledger yet).
    pub ledger_bytes: Option<Vec<u8>>,
    pub ledger: ParsedLedger,
    /// Versions whose manifest was read, in ledger order.
    pub versions: Vec<SealedVersion>,
    /// Everything wrong with the ledger and the manifests it names.
    pub problems: Vec<Problem>,
}

impl Dist {
    /// Read `dir/ledger.jsonl` and every manifest it names, collecting every problem.
    /// A missing folder or ledger is an empty history, not an error. `audit_id` names the audit's
    /// documents when no manifest can be read (to spot unsealed ones).
    pub fn open(dir: &Path, audit_id: Option<&str>) -> Result<Dist> {
        let ledger_path = dir.join(LEDGER_FILE);
        let ledger_bytes = match std::fs::read(&ledger_path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&ledger_path, e)),
        };
        let mut problems = Vec::new();
        let ledger = match &ledger_bytes {
            None => ParsedLedger::default(),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => ParsedLedger::parse(text),
                Err(e) => {
                    problems.push(Problem::LedgerUnreadable {
                        message: format!("not UTF-8 text ({e})"),
                    });
                    ParsedLedger::default()
                }
            },
        };
        problems.extend(ledger.issues.iter().cloned().map(Problem::Ledger));

        let mut versions: Vec<SealedVersion> = Vec::new();
        for (_, entry) in &ledger.entries {
            match read_manifest(dir, entry) {
                Ok(manifest) => {
                    if let Some(previous) = versions.last()
                        && previous.manifest.audit_id != manifest.audit_id
                    {
                        problems.push(Problem::ManifestInvalid {
                            version: entry.version,
                            file: entry.manifest.clone(),
                            message: format!(
                                "audit id {:?} differs from {:?} in version {}",
                                manifest.audit_id,
                                previous.manifest.audit_id,
                                previous.entry.version
                            ),
                        });
                    }
                    versions.push(SealedVersion {
                        entry: entry.clone(),
                        manifest,
                    });
                }
                Err(problem) => problems.push(problem),
            }
        }

        // Files named like a version after the latest sealed one: a deleted ledger line, or the
        // leftovers of a build that was killed before it sealed.
        let audit_id = versions
            .last()
            .map(|v| v.manifest.audit_id.as_str())
            .or(audit_id);
        let latest_version = ledger.latest().map_or(0, |e| e.version);
        if let Ok(listing) = std::fs::read_dir(dir) {
            let mut unsealed: Vec<String> = listing
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| {
                    parse_versioned_name(audit_id.unwrap_or(""), name)
                        .is_some_and(|v| v > latest_version)
                })
                .collect();
            unsealed.sort();
            problems.extend(unsealed.into_iter().map(|file| Problem::Unsealed {
                file,
                latest: latest_version,
            }));
        }

        Ok(Dist {
            dir: dir.to_path_buf(),
            ledger_bytes,
            ledger,
            versions,
            problems,
        })
    }

    /// The latest sealed version, if the ledger has one and its manifest could be read.
    pub fn latest(&self) -> Option<&SealedVersion> {
        match (self.versions.last(), self.ledger.latest()) {
            (Some(v), Some(e)) if v.entry == *e => Some(v),
            _ => None,
        }
    }

    /// Re-hash every output of every sealed version: how many were checked, and each one that is
    /// missing or altered.
    pub fn check_outputs(&self) -> (usize, Vec<Problem>) {
        let mut checked = 0;
        let mut problems = Vec::new();
        for version in &self.versions {
            for output in &version.manifest.outputs {
                checked += 1;
                problems.extend(check_output(
                    &self.dir,
                    version.entry.version,
                    &output.file,
                    &output.sha256,
                ));
            }
        }
        (checked, problems)
    }

    /// The change history of every sealed version, oldest first (Annex IV point 6): each version
    /// with the inputs that differ from the version before it.
    pub fn history(&self) -> Vec<HistoryEntry> {
        let mut history = Vec::with_capacity(self.versions.len());
        let mut previous: Option<&Manifest> = None;
        for version in &self.versions {
            let manifest = &version.manifest;
            let mut changes: Vec<String> = match previous {
                Some(p) => diff_inputs(&p.inputs, &manifest.inputs)
                    .into_iter()
                    .map(|c| c.path)
                    .collect(),
                None => Vec::new(),
            };
            if let Some(p) = previous
                && p.fairfile_version != manifest.fairfile_version
            {
                changes.push(format!(
                    "fairfile {} → {}",
                    p.fairfile_version, manifest.fairfile_version
                ));
            }
            history.push(HistoryEntry {
                version: version.entry.version,
                date: version.entry.date,
                manifest_sha256: version.entry.manifest_sha256.clone(),
                changes,
            });
            previous = Some(manifest);
        }
        history
    }
}

/// Re-hash one sealed output.
fn check_output(out_dir: &Path, version: u32, file: &str, expected: &str) -> Option<Problem> {
    if file.contains(['/', '\\']) || file == ".." || file == "." {
        return Some(Problem::ManifestInvalid {
            version,
            file: manifest_file_name(version),
            message: format!("output {file:?} is not a file name in the output folder"),
        });
    }
    let path = out_dir.join(file);
    if !path.is_file() {
        return Some(Problem::OutputMissing {
            version,
            file: file.to_string(),
        });
    }
    match sha256_file(&path) {
        Ok(actual) if actual == expected => None,
        Ok(actual) => Some(Problem::OutputChanged {
            version,
            file: file.to_string(),
            expected: expected.to_string(),
            actual,
        }),
        Err(e) => Some(Problem::InputUnreadable {
            path: path.display().to_string(),
            message: e.to_string(),
        }),
    }
}

/// Read the manifest a ledger line names and check it against the line.
fn read_manifest(dir: &Path, entry: &LedgerEntry) -> std::result::Result<Manifest, Problem> {
    let file = entry.manifest.clone();
    let invalid = |message: String| Problem::ManifestInvalid {
        version: entry.version,
        file: file.clone(),
        message,
    };
    // The ledger names a file in the same folder; never follow a path out of it.
    if file != manifest_file_name(entry.version) {
        return Err(invalid(format!(
            "the ledger names {file:?}; version {} must be {:?}",
            entry.version,
            manifest_file_name(entry.version)
        )));
    }
    let path = dir.join(&file);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Problem::ManifestMissing {
                version: entry.version,
                file,
            });
        }
        Err(e) => return Err(invalid(format!("cannot be read: {e}"))),
    };
    let actual = sha256_hex(&bytes);
    if actual != entry.manifest_sha256 {
        return Err(Problem::ManifestChanged {
            version: entry.version,
            file,
            expected: entry.manifest_sha256.clone(),
            actual,
        });
    }
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(format!("is not a fairfile manifest: {e}")))?;
    let mut mismatches = Vec::new();
    if manifest.schema != MANIFEST_SCHEMA {
        mismatches.push(format!(
            "schema {:?} (expected {MANIFEST_SCHEMA:?})",
            manifest.schema
        ));
    }
    if manifest.version != entry.version {
        mismatches.push(format!(
            "version {} (ledger: {})",
            manifest.version, entry.version
        ));
    }
    if manifest.build_date != entry.date {
        mismatches.push(format!(
            "build date {} (ledger: {})",
            manifest.build_date, entry.date
        ));
    }
    if manifest.previous_manifest_sha256 != entry.previous_manifest_sha256 {
        mismatches.push("previous_manifest_sha256 differs from the ledger".to_string());
    }
    if manifest.input_digest != entry.input_digest {
        mismatches.push("input_digest differs from the ledger".to_string());
    }
    if input_digest(&manifest.inputs) != manifest.input_digest {
        mismatches.push("input_digest is not the digest of its inputs".to_string());
    }
    if mismatches.is_empty() {
        Ok(manifest)
    } else {
        Err(invalid(mismatches.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Format;

    #[test]
    fn versioned_names() {
        assert_eq!(parse_versioned_name("acme", "manifest-v3.json"), Some(3));
        assert_eq!(
            parse_versioned_name("acme", "acme-ll144-summary-v12.pdf"),
            Some(12)
        );
        assert_eq!(
            parse_versioned_name("acme", "acme-compliance-matrix-v1.pdf"),
            Some(1)
        );
        assert_eq!(
            parse_versioned_name("acme", "acme-eu-technical-file-v2.pdf"),
            Some(2)
        );
        assert_eq!(
            parse_versioned_name("acme", "other-ll144-summary-v2.pdf"),
            None
        );
        assert_eq!(parse_versioned_name("acme", "acme-notes-v2.pdf"), None);
        assert_eq!(
            parse_versioned_name("acme", "acme-results-v3.json"),
            Some(3)
        );
        assert_eq!(parse_versioned_name("acme", "acme-results-v03.json"), None);
        assert_eq!(
            parse_versioned_name("acme", "acme-ll144-summary-v3.json"),
            None
        );
        assert_eq!(
            parse_versioned_name("acme", "acme-ll144-summary-v3.html"),
            Some(3)
        );
        assert_eq!(
            parse_versioned_name("acme", "acme-compliance-matrix-v3.html"),
            None
        );
        assert_eq!(
            output_file(
                "acme",
                Output {
                    kind: DocumentKind::Ll144Summary,
                    format: Format::Html
                },
                4
            ),
            "acme-ll144-summary-v4.html"
        );
        assert_eq!(parse_versioned_name("acme", "manifest-v.json"), None);
        assert_eq!(parse_versioned_name("acme", "manifest-v01.json"), None);
        assert_eq!(parse_versioned_name("acme", "ledger.jsonl"), None);
        assert_eq!(
            output_file_name("acme", DocumentKind::Ll144Summary, 4),
            "acme-ll144-summary-v4.pdf"
        );
        assert_eq!(manifest_file_name(4), "manifest-v4.json");
    }
}
