//! Evidence: the Markdown documents under the audit's `evidence/` folder, with TOML front matter
//! between `+++` lines, found with walkdir in sorted order and hashed with SHA-256 as they are read.
//! Other files (PDF, CSV, images) are attachments named in a document's front matter.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Every evidence document of an audit, sorted by path.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EvidenceSet {
    pub documents: Vec<EvidenceDocument>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceDocument {
    /// Path relative to the audit folder, with `/` separators (e.g. `evidence/risk/register.md`).
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    pub front: FrontMatter,
    /// The Markdown body (after the closing `+++`).
    pub body: String,
    /// 1-based line of the file where the body starts (for messages).
    pub body_line: usize,
    pub attachments: Vec<Attachment>,
}

/// The TOML front matter of an evidence document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Optional stable id (unique across the audit); defaults to the path.
    #[serde(default)]
    pub id: Option<String>,
    /// Evidence kinds this document provides (declared by the frameworks).
    pub kind: Vec<String>,
    pub title: String,
    /// Effective date.
    #[serde(with = "crate::dates::date")]
    pub date: NaiveDate,
    #[serde(default)]
    pub owner: Option<String>,
    /// Date by which the document must be reviewed; after it the evidence is stale.
    #[serde(default, with = "crate::dates::option")]
    pub review_by: Option<NaiveDate>,
    /// Date after which the document no longer counts.
    #[serde(default, with = "crate::dates::option")]
    pub expires: Option<NaiveDate>,
    /// Obligations this document claims to satisfy explicitly: `framework/obligation-id`.
    #[serde(default)]
    pub satisfies: Vec<String>,
    /// Attached files, relative to the document's folder; must stay inside the audit folder.
    #[serde(default)]
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    /// Path relative to the audit folder, `/` separators.
    pub path: String,
    pub sha256: String,
}

/// Contract stub (seal branch only; on merge keep the evidence branch's version of this file).
pub fn discover(audit: &crate::config::Audit, frameworks: &crate::frameworks::FrameworkSet) -> crate::Result<EvidenceSet> {
    let _ = (audit, frameworks);
    Err(crate::Error::Other("evidence discovery is not built yet".into()))
}
