//! Seal: the manifest of SHA-256 hashes of every input and output, document versions, the
//! append-only hash-chained ledger (`ledger.jsonl`), and verification.

use serde::{Deserialize, Serialize};

/// One input of a build, hashed: listed on each document's last page and in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// `config`, `data`, `framework`, `template`, `evidence`, `attachment`.
    pub role: String,
    /// Path relative to the audit folder (`/` separators); shipped frameworks and templates are
    /// named `builtin:frameworks/nyc-ll144.toml`, `builtin:templates/ll144-summary.typ`.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
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
