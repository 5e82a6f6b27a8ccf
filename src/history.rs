//! The change history of an audit's sealed versions, as the documents print it (Annex IV point 6).
//! Seal reads it from the ledger, render prints it: a leaf module both use.

use serde::{Deserialize, Serialize};

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
