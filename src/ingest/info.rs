//! What ingest says about the data besides its counts: where it came from, and how each raw value
//! was counted. Part of the metrics JSON schema (`docs/metrics-json.md`), which re-exports them.

use serde::{Deserialize, Serialize};

use crate::config::DataKind;

/// Where the numbers come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DataInfo {
    /// `rows` or `counts`.
    pub input: String,
    /// Path relative to the audit folder.
    pub path: String,
    /// SHA-256 of the data file, as read (hex).
    pub sha256: String,
    /// `historical` or `test` (6 RCNY §5-302).
    pub kind: DataKind,
    pub description: String,
    pub explanation: Option<String>,
    /// Data rows read (rows input) or counts rows read (counts input).
    pub rows_read: u64,
    /// Scoring mode: where `median_score` comes from (`computed from every row`, or supplied with
    /// the counts). Added after the first draft of the schema; absent in older JSON.
    #[serde(default)]
    pub median_source: Option<String>,
    /// Scoring mode, rows input: how many scores equal the median exactly (not "above" it, 6 RCNY
    /// §5-301(c)); heavy ties push scoring rates below 50 %. Null for counts input.
    #[serde(default)]
    pub scores_at_median: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OutcomeValue {
    /// The column the value comes from (`selected`, `label`).
    pub column: String,
    pub value: String,
    pub count: u64,
    /// e.g. `selected`, `not_selected`, `positive`, `negative`.
    pub counted_as: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryValue {
    /// `sex` or `race`.
    pub dimension: String,
    pub value: String,
    pub count: u64,
    /// Canonical category, or `unknown`.
    pub category: String,
    /// True when the value was not named by any mapping and was folded into unknown (`unmapped = "unknown"`).
    pub unmapped: bool,
}
