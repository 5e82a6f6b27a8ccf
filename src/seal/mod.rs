//! Seal: the manifest of SHA-256 hashes of every input and output, document versions, the
//! append-only hash-chained ledger (`ledger.jsonl`), and verification.
//!
//! The formats are documented in `docs/manifest.md`. In short, an output folder holds, per sealed
//! version `N`:
//!
//! - the documents, `<audit-id>-<doc>-v<N>.pdf`, each embedding the version's *input manifest*
//!   ([`EmbeddedManifest`]: everything known before rendering) as `manifest.json`;
//! - `manifest-v<N>.json` ([`Manifest`]): the inputs and, in addition, every output's SHA-256;
//! - one line of `ledger.jsonl` ([`LedgerEntry`]) naming that manifest and its SHA-256, chained to
//!   the line before by `line_hash`.
//!
//! Everything here works on plain data and a render callback, so the sealing logic is tested
//! without Typst; [`crate::pipeline`] wires it to the real pipeline.

mod atomic;
mod build;
mod dist;
mod intent;
mod ledger;
mod manifest;
mod pdf;
mod verify;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use atomic::write_atomic;
pub use build::{BuildStatus, DocumentJob, SealOutcome, SealRequest, WrittenFile, seal_version};
pub use dist::{Dist, SealedVersion, manifest_file_name, output_file_name, parse_versioned_name};
pub use ledger::{GENESIS_HASH, LEDGER_FILE, LedgerEntry, LedgerIssue, ParsedLedger, line_hash};
pub use manifest::{
    ChangeKind, EMBEDDED_MANIFEST_SCHEMA, EmbeddedManifest, InputChange, MANIFEST_SCHEMA, Manifest,
    OutputRecord, diff_inputs,
};
pub use pdf::extract_embedded_file;
pub use verify::{
    FolderReport, InputSource, PdfAudit, PdfReport, Problem, verify_folder, verify_pdf_attestation,
};

/// fairfile's own version, recorded in every manifest (a new fairfile version seals a new version).
pub const FAIRFILE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One input of a build, hashed: listed on each document's last page and in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputRecord {
    /// `config`, `data`, `framework`, `template`, `evidence`, `attachment`, `image`.
    pub role: String,
    /// Path relative to the audit folder (`/` separators); shipped frameworks and templates are
    /// named `builtin:frameworks/nyc-ll144.toml`, `builtin:templates/ll144-summary.typ`.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Prefix of the paths of inputs compiled into fairfile (shipped frameworks and templates).
pub const BUILTIN_PREFIX: &str = "builtin:";

impl InputRecord {
    /// Whether the input is compiled into fairfile rather than a file of the audit folder.
    pub fn is_builtin(&self) -> bool {
        self.path.starts_with(BUILTIN_PREFIX)
    }
}

/// One sealed version, as the documents show it in their change history (Annex IV point 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub version: u32,
    /// Build date (= the audit date, so builds are reproducible).
    pub date: chrono::NaiveDate,
    /// SHA-256 of that version's manifest.
    pub manifest_sha256: String,
    /// Inputs added, removed or changed since the previous version (paths).
    pub changes: Vec<String>,
}

/// The order of input roles in manifests and on the documents' input pages.
pub const ROLE_ORDER: &[&str] = &[
    "config",
    "data",
    "framework",
    "template",
    "evidence",
    "attachment",
    "image",
];

fn role_rank(role: &str) -> usize {
    ROLE_ORDER
        .iter()
        .position(|r| *r == role)
        .unwrap_or(ROLE_ORDER.len())
}

/// Sort inputs into their canonical order (role as in [`ROLE_ORDER`], then path, byte-wise) and
/// drop exact duplicates (e.g. one file attached by two evidence documents).
///
/// A path listed twice with different hashes or roles is kept twice: that is a real discrepancy
/// (the file changed while the build read it) and must show up, not be hidden.
pub fn canonical_inputs(mut inputs: Vec<InputRecord>) -> Vec<InputRecord> {
    inputs.sort_by(|a, b| {
        (
            role_rank(&a.role),
            a.role.as_str(),
            a.path.as_str(),
            a.sha256.as_str(),
            a.bytes,
        )
            .cmp(&(
                role_rank(&b.role),
                b.role.as_str(),
                b.path.as_str(),
                b.sha256.as_str(),
                b.bytes,
            ))
    });
    inputs.dedup();
    inputs
}

/// SHA-256 over the canonical JSON of the (canonically ordered) inputs list: the version's
/// content hash. Equal digests mean every input is byte-identical.
pub fn input_digest(inputs: &[InputRecord]) -> String {
    crate::hash::sha256_hex(canonical_json(&inputs).as_bytes())
}

/// Canonical JSON: object keys sorted byte-wise, no insignificant whitespace, strings escaped as
/// serde_json escapes them. Hashes are taken over this form so that they do not depend on field
/// order in the Rust structs or on pretty-printing.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> String {
    let value = serde_json::to_value(value).expect("seal records serialize to JSON");
    let mut out = String::new();
    write_canonical(&value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&str, &Value> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            out.push('{');
            for (i, (key, value)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.to_string()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The first 12 hex digits of a hash, for messages ("sealed 1a2b3c4d5e6f…, now …").
pub fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn record(role: &str, path: &str, content: &str) -> InputRecord {
        InputRecord {
            role: role.into(),
            path: path.into(),
            sha256: crate::hash::sha256_hex(content.as_bytes()),
            bytes: content.len() as u64,
        }
    }

    #[test]
    fn canonical_json_sorts_keys_and_has_no_whitespace() {
        let value = serde_json::json!({"b": 1, "a": {"d": [1, "x y"], "c": null}});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"c":null,"d":[1,"x y"]},"b":1}"#
        );
    }

    #[test]
    fn canonical_json_escapes_strings() {
        let value = serde_json::json!({"k\"ey": "line\nbreak \u{e9}"});
        assert_eq!(
            canonical_json(&value),
            "{\"k\\\"ey\":\"line\\nbreak \u{e9}\"}"
        );
    }

    #[test]
    fn inputs_sort_by_role_then_path_and_dedup() {
        let inputs = vec![
            record("evidence", "evidence/b.md", "b"),
            record("attachment", "evidence/a.pdf", "pdf"),
            record("config", "fairfile.toml", "cfg"),
            record("evidence", "evidence/a.md", "a"),
            record("attachment", "evidence/a.pdf", "pdf"),
            record("framework", "builtin:frameworks/nyc-ll144.toml", "fw"),
        ];
        let sorted = canonical_inputs(inputs);
        let paths: Vec<_> = sorted.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "fairfile.toml",
                "builtin:frameworks/nyc-ll144.toml",
                "evidence/a.md",
                "evidence/b.md",
                "evidence/a.pdf"
            ]
        );
    }

    #[test]
    fn input_digest_changes_with_any_byte_and_not_with_input_order() {
        let a = vec![
            record("config", "fairfile.toml", "x"),
            record("evidence", "evidence/a.md", "a"),
        ];
        let b = canonical_inputs(a.iter().rev().cloned().collect());
        assert_eq!(input_digest(&canonical_inputs(a.clone())), input_digest(&b));
        let mut c = a.clone();
        c[1] = record("evidence", "evidence/a.md", "A");
        assert_ne!(input_digest(&a), input_digest(&c));
        let mut d = a.clone();
        d[1].path = "evidence/b.md".into();
        assert_ne!(input_digest(&a), input_digest(&d));
    }
}
