//! The documents fairfile builds, and the places inside them an obligation can be filed under.
//!
//! A leaf module: frameworks validate an obligation's `section` against it when they load, and
//! render, seal and the CLI name documents with it, so none of them has to depend on another for
//! the list of documents.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::config::Audit;

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

/// Anchors of the LL144 summary: the parts of the summary of results 6 RCNY § 5-303(a) asks for
/// (audit date and auditor, data, the three families of categories, the unknown count, the 2 %
/// exclusion of § 5-301(d), the distribution date) and its posting (§ 5-303(a)-(c)).
const LL144_ANCHORS: &[&str] = &[
    "audit",
    "data",
    "sex",
    "race-ethnicity",
    "intersectional",
    "unknown",
    "small-categories",
    "distribution-date",
    "publication",
];

/// Anchors of the EU technical file: Annex IV points 1–9 of Regulation (EU) 2024/1689.
const ANNEX_IV_ANCHORS: &[&str] = &[
    "annex-iv-1",
    "annex-iv-2",
    "annex-iv-3",
    "annex-iv-4",
    "annex-iv-5",
    "annex-iv-6",
    "annex-iv-7",
    "annex-iv-8",
    "annex-iv-9",
];

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::Ll144Summary,
        DocumentKind::EuTechnicalFile,
        DocumentKind::ComplianceMatrix,
    ];

    /// The `<doc>` part of output file names, and the `document` part of a section.
    pub fn slug(self) -> &'static str {
        match self {
            DocumentKind::Ll144Summary => "ll144-summary",
            DocumentKind::EuTechnicalFile => "eu-technical-file",
            DocumentKind::ComplianceMatrix => "compliance-matrix",
        }
    }

    /// The document with this slug.
    pub fn from_slug(slug: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// The framework whose use makes this document part of the build (`None`: always built).
    pub fn framework(self) -> Option<&'static str> {
        match self {
            DocumentKind::Ll144Summary => Some("nyc-ll144"),
            DocumentKind::EuTechnicalFile => Some("eu-ai-act"),
            DocumentKind::ComplianceMatrix => None,
        }
    }

    /// The anchors an obligation can be filed under in this document. The compliance matrix has
    /// none: it lists every obligation anyway, so `compliance-matrix` alone means "matrix only".
    pub fn anchors(self) -> &'static [&'static str] {
        match self {
            DocumentKind::Ll144Summary => LL144_ANCHORS,
            DocumentKind::EuTechnicalFile => ANNEX_IV_ANCHORS,
            DocumentKind::ComplianceMatrix => &[],
        }
    }

    /// The documents an audit builds: those whose framework it lists, and the matrix.
    pub fn for_audit(audit: &Audit) -> Vec<DocumentKind> {
        let frameworks = audit.config.audit.get_ref().frameworks.get_ref();
        DocumentKind::ALL
            .into_iter()
            .filter(|k| {
                k.framework()
                    .is_none_or(|f| frameworks.iter().any(|x| x == f))
            })
            .collect()
    }

    /// The template (under `templates/`) the document is compiled from.
    pub fn template(self) -> String {
        format!("{}.typ", self.slug())
    }
}

/// The file format of one output of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Archival PDF (PDF/A-3a + PDF/UA-1), rendered with Typst.
    Pdf,
    /// One self-contained web page, for the summary of results LL144 requires to be "made
    /// publicly available on the employment section of the website" (Admin. Code
    /// § 20-871(a)(2), 6 RCNY § 5-303).
    Html,
}

impl Format {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
        }
    }
}

/// One file a build writes for a document: the document in one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Output {
    pub kind: DocumentKind,
    pub format: Format,
}

impl Output {
    /// The PDF of `kind`.
    pub fn pdf(kind: DocumentKind) -> Output {
        Output {
            kind,
            format: Format::Pdf,
        }
    }

    /// The files an audit's build writes, in order: every document as PDF, and the LL144
    /// summary also as the public web page (after its PDF).
    pub fn for_audit(audit: &Audit) -> Vec<Output> {
        DocumentKind::for_audit(audit)
            .into_iter()
            .flat_map(|kind| {
                kind.formats()
                    .iter()
                    .map(move |&format| Output { kind, format })
            })
            .collect()
    }
}

impl DocumentKind {
    /// The formats each document is written in. Only the LL144 summary is published on a
    /// website (§ 20-871(a)(2)); the technical file and the matrix are archival documents.
    pub fn formats(self) -> &'static [Format] {
        match self {
            DocumentKind::Ll144Summary => &[Format::Pdf, Format::Html],
            DocumentKind::EuTechnicalFile | DocumentKind::ComplianceMatrix => &[Format::Pdf],
        }
    }
}

/// Where an obligation is presented: `document/anchor` (e.g. `eu-technical-file/annex-iv-3`), or
/// `compliance-matrix` alone (the matrix only). Every obligation is in the matrix as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Section {
    pub document: DocumentKind,
    /// One of `document.anchors()`; `None` only for the compliance matrix.
    pub anchor: Option<&'static str>,
}

impl Section {
    /// The compliance matrix only.
    pub const MATRIX: Section = Section {
        document: DocumentKind::ComplianceMatrix,
        anchor: None,
    };

    /// Every valid section, as written (for "did you mean" and the docs).
    pub fn all() -> impl Iterator<Item = Section> {
        DocumentKind::ALL.into_iter().flat_map(|document| {
            let anchors = document.anchors();
            let bare = anchors.is_empty().then_some(Section {
                document,
                anchor: None,
            });
            bare.into_iter().chain(anchors.iter().map(move |a| Section {
                document,
                anchor: Some(*a),
            }))
        })
    }

    /// The Annex IV point (1–9) of a section of the EU technical file.
    pub fn annex_iv_point(self) -> Option<u8> {
        if self.document != DocumentKind::EuTechnicalFile {
            return None;
        }
        let anchor = self.anchor?;
        ANNEX_IV_ANCHORS
            .iter()
            .position(|a| *a == anchor)
            .map(|i| i as u8 + 1)
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.anchor {
            Some(anchor) => write!(f, "{}/{anchor}", self.document.slug()),
            None => f.write_str(self.document.slug()),
        }
    }
}

impl FromStr for Section {
    type Err = String;

    fn from_str(s: &str) -> Result<Section, String> {
        let (doc, anchor) = match s.split_once('/') {
            Some((doc, anchor)) => (doc, Some(anchor)),
            None => (s, None),
        };
        let Some(document) = DocumentKind::from_slug(doc) else {
            let slugs: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.slug()).collect();
            return Err(format!(
                "section {s:?} names no document; documents are {}",
                slugs.join(", ")
            ));
        };
        let anchors = document.anchors();
        match anchor {
            None if anchors.is_empty() => Ok(Section {
                document,
                anchor: None,
            }),
            None => Err(format!(
                "section {s:?} names the document but no anchor in it; anchors of {doc} are {}",
                anchors.join(", ")
            )),
            Some(a) => match anchors.iter().find(|x| **x == a) {
                Some(found) => Ok(Section {
                    document,
                    anchor: Some(found),
                }),
                None if anchors.is_empty() => Err(format!(
                    "section {s:?}: {doc} has no anchors; write {doc:?} alone"
                )),
                None => Err(format!(
                    "section {s:?}: {doc} has no anchor {a:?}; its anchors are {}",
                    anchors.join(", ")
                )),
            },
        }
    }
}

/// Serialized as written: `"eu-technical-file/annex-iv-3"`.
impl Serialize for Section {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A string `document` or `document/anchor`, as serialized.
impl schemars::JsonSchema for Section {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Section".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let all: Vec<String> = Section::all().map(|s| s.to_string()).collect();
        schemars::json_schema!({
            "description": "A document, or `document/anchor`: where an obligation is presented (docs/frameworks.md, \"Sections\").",
            "type": "string",
            "enum": all,
        })
    }
}

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Section, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_parse_and_print_back() {
        for s in Section::all() {
            assert_eq!(s.to_string().parse::<Section>(), Ok(s));
        }
        let s: Section = "eu-technical-file/annex-iv-3".parse().unwrap();
        assert_eq!(s.annex_iv_point(), Some(3));
        assert_eq!(Section::MATRIX.annex_iv_point(), None);
        assert_eq!(
            "ll144-summary/sex"
                .parse::<Section>()
                .unwrap()
                .annex_iv_point(),
            None
        );
        assert_eq!(
            Section::all()
                .filter(|s| s.annex_iv_point().is_some())
                .count(),
            9
        );
    }

    #[test]
    fn unknown_documents_and_anchors_are_rejected() {
        for bad in [
            "technical-file/annex-iv-3",
            "eu-technical-file/annex-iv-10",
            "eu-technical-file/annex-iv-2g",
            "eu-technical-file",
            "compliance-matrix/x",
            "ll144-summary/results",
            "",
        ] {
            assert!(bad.parse::<Section>().is_err(), "{bad:?} accepted");
        }
    }
}
