//! The manifest of one sealed version, in its two levels:
//!
//! - [`EmbeddedManifest`] (`fairfile.input-manifest/1`): what is known *before* rendering — the
//!   inputs and their hashes, the version, the link to the previous manifest. Each PDF embeds it as
//!   `manifest.json`, so a lone PDF says what it attests.
//! - [`Manifest`] (`fairfile.manifest/1`, `manifest-v<N>.json`): the same facts plus the SHA-256 of
//!   every output, which can only be known after rendering (a PDF cannot contain its own hash).
//!
//! The ledger records the SHA-256 of each `manifest-v<N>.json`, which therefore seals the outputs.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::inputs::InputRecord;

/// Schema id of `manifest-v<N>.json`.
pub const MANIFEST_SCHEMA: &str = "fairfile.manifest/1";
/// Schema id of the `manifest.json` embedded in each PDF.
pub const EMBEDDED_MANIFEST_SCHEMA: &str = "fairfile.input-manifest/1";

/// `manifest-v<N>.json`: every input and output of one sealed version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_SCHEMA`].
    pub schema: String,
    pub fairfile_version: String,
    pub audit_id: String,
    pub version: u32,
    /// The audit date (not the wall clock), so that rebuilding gives identical bytes.
    pub build_date: NaiveDate,
    /// SHA-256 of `manifest-v<N-1>.json`; `null` for version 1.
    pub previous_manifest_sha256: Option<String>,
    /// SHA-256 of the canonical JSON of `inputs` ([`super::input_digest`]).
    pub input_digest: String,
    /// What changed since the previous version (empty for version 1).
    pub changes: Vec<InputChange>,
    /// Every input, in canonical order ([`crate::inputs::canonical_inputs`]).
    pub inputs: Vec<InputRecord>,
    /// Every document written for this version.
    pub outputs: Vec<OutputRecord>,
}

/// The `manifest.json` embedded in a document: the version's manifest without its outputs, and the
/// document it is embedded in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedManifest {
    /// [`EMBEDDED_MANIFEST_SCHEMA`].
    pub schema: String,
    pub fairfile_version: String,
    pub audit_id: String,
    pub version: u32,
    pub build_date: NaiveDate,
    /// The document this manifest is embedded in (`ll144-summary`, `eu-technical-file`,
    /// `compliance-matrix`).
    pub document: String,
    /// The file name the document was written under (it may be renamed when published).
    pub file: String,
    pub previous_manifest_sha256: Option<String>,
    pub input_digest: String,
    pub changes: Vec<InputChange>,
    pub inputs: Vec<InputRecord>,
}

/// One document of a sealed version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputRecord {
    /// Document slug (`ll144-summary`, …).
    pub document: String,
    /// File name inside the output folder.
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
}

/// How an input differs from the previous version.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One input added, removed or changed between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputChange {
    pub change: ChangeKind,
    pub role: String,
    pub path: String,
}

impl Manifest {
    /// The embedded (input) form of this manifest for one of its documents.
    pub fn embedded(&self, document: &str, file: &str) -> EmbeddedManifest {
        EmbeddedManifest {
            schema: EMBEDDED_MANIFEST_SCHEMA.to_string(),
            fairfile_version: self.fairfile_version.clone(),
            audit_id: self.audit_id.clone(),
            version: self.version,
            build_date: self.build_date,
            document: document.to_string(),
            file: file.to_string(),
            previous_manifest_sha256: self.previous_manifest_sha256.clone(),
            input_digest: self.input_digest.clone(),
            changes: self.changes.clone(),
            inputs: self.inputs.clone(),
        }
    }

    /// The file's bytes: pretty JSON with a final newline (fields in declaration order, so the
    /// bytes, and hence the hash recorded in the ledger, are deterministic).
    pub fn to_json(&self) -> Vec<u8> {
        to_pretty_json(self)
    }
}

impl EmbeddedManifest {
    /// The bytes embedded in the PDF (pretty JSON, final newline).
    pub fn to_json(&self) -> Vec<u8> {
        to_pretty_json(self)
    }
}

fn to_pretty_json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("manifests serialize to JSON");
    bytes.push(b'\n');
    bytes
}

/// The inputs added, removed or changed (different SHA-256 or role) from `old` to `new`, sorted by
/// path. Inputs are identified by path.
pub fn diff_inputs(old: &[InputRecord], new: &[InputRecord]) -> Vec<InputChange> {
    let old_by_path: BTreeMap<&str, &InputRecord> =
        old.iter().map(|r| (r.path.as_str(), r)).collect();
    let new_by_path: BTreeMap<&str, &InputRecord> =
        new.iter().map(|r| (r.path.as_str(), r)).collect();
    let mut changes = Vec::new();
    let mut paths: Vec<&str> = old_by_path
        .keys()
        .chain(new_by_path.keys())
        .copied()
        .collect();
    paths.sort_unstable();
    paths.dedup();
    for path in paths {
        let change = match (old_by_path.get(path), new_by_path.get(path)) {
            (None, Some(n)) => Some((ChangeKind::Added, &n.role)),
            (Some(o), None) => Some((ChangeKind::Removed, &o.role)),
            (Some(o), Some(n))
                if o.sha256 != n.sha256 || o.role != n.role || o.bytes != n.bytes =>
            {
                Some((ChangeKind::Changed, &n.role))
            }
            _ => None,
        };
        if let Some((change, role)) = change {
            changes.push(InputChange {
                change,
                role: role.clone(),
                path: path.to_string(),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;

    #[test]
    fn diff_reports_added_removed_changed_sorted_by_path() {
        let old = vec![
            record("config", "fairfile.toml", "v1"),
            record("evidence", "evidence/gone.md", "g"),
            record("evidence", "evidence/same.md", "s"),
        ];
        let new = vec![
            record("config", "fairfile.toml", "v2"),
            record("evidence", "evidence/same.md", "s"),
            record("attachment", "evidence/new.pdf", "n"),
        ];
        let changes = diff_inputs(&old, &new);
        let summary: Vec<_> = changes
            .iter()
            .map(|c| (c.change, c.path.as_str(), c.role.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (ChangeKind::Removed, "evidence/gone.md", "evidence"),
                (ChangeKind::Added, "evidence/new.pdf", "attachment"),
                (ChangeKind::Changed, "fairfile.toml", "config"),
            ]
        );
    }

    #[test]
    fn diff_of_identical_inputs_is_empty() {
        let inputs = vec![
            record("config", "fairfile.toml", "x"),
            record("data", "data/a.csv", "1,2"),
        ];
        assert!(diff_inputs(&inputs, &inputs).is_empty());
        assert!(diff_inputs(&[], &[]).is_empty());
    }

    #[test]
    fn embedded_manifest_is_the_manifest_without_outputs() {
        let manifest = Manifest {
            schema: MANIFEST_SCHEMA.into(),
            fairfile_version: "0.1.0".into(),
            audit_id: "acme".into(),
            version: 2,
            build_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            previous_manifest_sha256: Some("ab".repeat(32)),
            input_digest: "cd".repeat(32),
            changes: vec![],
            inputs: vec![record("config", "fairfile.toml", "x")],
            outputs: vec![OutputRecord {
                document: "compliance-matrix".into(),
                file: "acme-compliance-matrix-v2.pdf".into(),
                sha256: "ef".repeat(32),
                bytes: 10,
            }],
        };
        let embedded = manifest.embedded("compliance-matrix", "acme-compliance-matrix-v2.pdf");
        let json: serde_json::Value = serde_json::from_slice(&embedded.to_json()).unwrap();
        assert_eq!(json["schema"], EMBEDDED_MANIFEST_SCHEMA);
        assert_eq!(json["version"], 2);
        assert_eq!(json["document"], "compliance-matrix");
        assert!(json.get("outputs").is_none());
        let back: EmbeddedManifest = serde_json::from_value(json).unwrap();
        assert_eq!(back, embedded);
        // Round trip of the full manifest, and its bytes end with a newline.
        let bytes = manifest.to_json();
        assert_eq!(bytes.last(), Some(&b'\n'));
        assert_eq!(
            serde_json::from_slice::<Manifest>(&bytes).unwrap(),
            manifest
        );
    }
}
