//! Render: the documents (LL144 summary of results, EU AI Act technical file, compliance matrix),
//! compiled in-process with Typst to PDF/A-3b. Data reaches templates as JSON, never as markup.

use crate::check::CheckReport;
use crate::config::Audit;
use crate::evidence::EvidenceSet;
use crate::frameworks::FrameworkSet;
use crate::metrics::MetricsReport;
use crate::seal::{HistoryEntry, InputRecord};

/// The documents fairfile builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocumentKind {
    /// NYC LL144 summary of results (6 RCNY §5-303), built when the audit uses `nyc-ll144`.
    Ll144Summary,
    /// EU AI Act technical file by Annex IV points 1–9, built when the audit uses `eu-ai-act`.
    EuTechnicalFile,
    /// Every obligation of every framework with its status and evidence; always built.
    ComplianceMatrix,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::Ll144Summary,
        DocumentKind::EuTechnicalFile,
        DocumentKind::ComplianceMatrix,
    ];

    /// The `<doc>` part of output file names.
    pub fn slug(self) -> &'static str {
        match self {
            DocumentKind::Ll144Summary => "ll144-summary",
            DocumentKind::EuTechnicalFile => "eu-technical-file",
            DocumentKind::ComplianceMatrix => "compliance-matrix",
        }
    }
}

/// Everything a document is rendered from.
pub struct RenderContext<'a> {
    pub audit: &'a Audit,
    pub metrics: &'a MetricsReport,
    pub check: &'a CheckReport,
    pub evidence: &'a EvidenceSet,
    pub frameworks: &'a FrameworkSet,
    /// The version being built.
    pub version: u32,
    /// Every input with its SHA-256 (the document's last page).
    pub inputs: &'a [InputRecord],
    /// SHA-256 over the inputs (the "content hash" printed, shortened, on every page).
    pub input_digest: &'a str,
    /// Earlier sealed versions, oldest first (change history, Annex IV point 6).
    pub history: &'a [HistoryEntry],
    /// The manifest embedded into the PDF with `pdf.attach` (JSON bytes).
    pub manifest_json: &'a [u8],
}

/// Contract stub (seal branch only; on merge keep the render branch's version of this file).
pub struct Templates {}

impl Templates {
    pub fn load(audit: &Audit) -> crate::Result<Templates> {
        let _ = audit;
        Err(crate::Error::Other("templates are not built yet".into()))
    }

    pub fn inputs(&self) -> Vec<InputRecord> {
        Vec::new()
    }
}

/// Contract stub (seal branch only; on merge keep the render branch's version of this file).
pub fn render(
    kind: DocumentKind,
    context: &RenderContext<'_>,
    templates: &Templates,
) -> crate::Result<Vec<u8>> {
    let _ = (kind, context, templates);
    Err(crate::Error::Other("rendering is not built yet".into()))
}
