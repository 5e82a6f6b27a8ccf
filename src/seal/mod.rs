//! Seal: the manifest of SHA-256 hashes of every input and output, document versions, the
//! append-only hash-chained ledger (`ledger.jsonl`), and verification.
//!
//! The formats are documented in `docs/manifest.md`. In short, an output folder holds, per sealed
//! version `N`:
//!
//! - the documents, `<audit-id>-<doc>-v<N>.pdf`, each embedding the version's *input manifest*
//!   ([`EmbeddedManifest`]: everything known before rendering) as `manifest.json`, and the LL144
//!   summary's public page `<audit-id>-ll144-summary-v<N>.html` (version and content hash printed
//!   in it, its SHA-256 in the manifest like every output's);
//! - `<audit-id>-results-v<N>.json` ([`crate::results`]): the metrics and the check the
//!   documents print, as data, so a version's numbers are read back from what it sealed;
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
mod problem;
mod verify;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

pub use atomic::write_atomic;
pub use build::{
    BUILD_SCHEMA, BuildChange, BuildFile, BuildLedgerLine, BuildReport, BuildStatus, DocumentJob,
    SealOutcome, SealRequest, WrittenFile, seal_version,
};
pub use dist::{
    Dist, RESULTS_DOCUMENT, SealedVersion, manifest_file_name, output_file, output_file_name,
    parse_versioned_name, results_file_name,
};
pub use ledger::{GENESIS_HASH, LEDGER_FILE, LedgerEntry, LedgerIssue, ParsedLedger, line_hash};
pub use manifest::{
    ChangeKind, EMBEDDED_MANIFEST_SCHEMA, EmbeddedManifest, InputChange, MANIFEST_SCHEMA, Manifest,
    OutputRecord, diff_inputs,
};
pub use pdf::extract_embedded_file;
pub use problem::Problem;
pub use verify::{
    AttestationReport, FolderReport, InputSource, PdfAttests, PdfAudit, PdfReport, SignatureCheck,
    VERIFY_SCHEMA, VerifiedFolder, VerifiedPdf, VerifyProblem, VerifyReport, verify_folder,
    verify_pdf_attestation,
};

use crate::inputs::InputRecord;

/// fairfile's own version, recorded in every manifest (a new fairfile version seals a new version).
pub const FAIRFILE_VERSION: &str = env!("CARGO_PKG_VERSION");

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
    use crate::inputs::canonical_inputs;

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
