//! Evidence: the Markdown documents under the audit's `evidence/` folder, with TOML front matter
//! between `+++` lines, found with walkdir in sorted order and hashed with SHA-256 as they are read.
//! Other files (PDF, CSV, images) are attachments named in a document's front matter.
//!
//! Nothing in the folder is skipped silently: a file that no document names is listed in
//! [`EvidenceSet::unreferenced_files`] (and shown by `fairfile check`), and a link or attachment
//! path that leaves the audit folder is refused. Format: `docs/evidence.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::config::Audit;
use crate::diag::{Error, InputError, Location, Result};
use crate::frameworks::FrameworkSet;
use crate::frameworks::cfg::TomlDate;
use crate::frameworks::diags::{self, Code, with_suggestion};
use crate::inputs::InputRecord;

/// Every evidence document of an audit, sorted by path.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EvidenceSet {
    pub documents: Vec<EvidenceDocument>,
    /// Files under `evidence/` that are neither documents nor named as an attachment by any
    /// document: reported (never silently ignored) so that the user can link or remove them.
    #[serde(default)]
    pub unreferenced_files: Vec<Attachment>,
    /// Every document and attachment read, hashed, in path order (for the manifest).
    #[serde(default)]
    pub files: Vec<InputRecord>,
}

impl EvidenceSet {
    /// Documents (role `evidence`) and attachments (role `attachment`), for the manifest.
    pub fn inputs(&self) -> Vec<InputRecord> {
        self.files.clone()
    }
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

impl EvidenceDocument {
    /// The document's id: its `id` if given, else its path.
    pub fn id(&self) -> &str {
        self.front.id.as_deref().unwrap_or(&self.path)
    }
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
    /// A template not yet filled in (`fairfile init` writes `draft = true`): it is read and
    /// hashed like any document, but `check` does not count it as evidence and says why.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    /// Path relative to the audit folder, `/` separators.
    pub path: String,
    pub sha256: String,
}

/// Front matter as written, with spans for messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFront {
    #[serde(default)]
    id: Option<Spanned<String>>,
    /// A kind, or an array of kinds.
    kind: Spanned<toml::Value>,
    title: String,
    date: Spanned<TomlDate>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    review_by: Option<Spanned<TomlDate>>,
    #[serde(default)]
    expires: Option<Spanned<TomlDate>>,
    #[serde(default)]
    satisfies: Vec<Spanned<String>>,
    #[serde(default)]
    attachments: Vec<Spanned<String>>,
    #[serde(default)]
    draft: bool,
}

const FRONT_MATTER_KEYS: &str =
    "kind, title, date, id, owner, review_by, expires, satisfies, attachments, draft";

/// The delimiter line of front matter.
const FENCE: &str = "+++";

/// Find every evidence document under `AUDIT/evidence/` (sorted by path), parse its front matter,
/// check it against the frameworks' vocabulary, and hash it and its attachments.
///
/// Every problem in every document is reported at once. A missing `evidence/` folder is an empty
/// set (every obligation that needs a document will then be `missing`).
pub fn discover(audit: &Audit, frameworks: &FrameworkSet) -> Result<EvidenceSet> {
    let dir = audit.evidence_dir();
    if !dir.exists() {
        return Ok(EvidenceSet::default());
    }
    let root = std::fs::canonicalize(&audit.root).map_err(|e| Error::io(&audit.root, e))?;
    let mut errors = Vec::new();

    // 1. Every file under evidence/, links followed but confined to the audit folder.
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.clone());
                if e.loop_ancestor().is_some() {
                    errors.push(
                        Code::E008OutsideAuditFolder
                            .error(Location::file(&path), "symbolic link loop")
                            .with_help("remove the link"),
                    );
                    continue;
                }
                return Err(match e.into_io_error() {
                    Some(io) => Error::io(&path, io),
                    None => Error::Other(format!(
                        "{}: cannot read the evidence folder",
                        path.display()
                    )),
                });
            }
        };
        if entry.file_type().is_dir() {
            if entry.path_is_symlink() && !inside(&root, entry.path()) {
                errors.push(outside_error(
                    entry.path(),
                    "links to a folder outside the audit folder",
                ));
            }
            continue;
        }
        let path = entry.path().to_path_buf();
        if !inside(&root, &path) {
            errors.push(outside_error(
                &path,
                "links to a file outside the audit folder",
            ));
            continue;
        }
        files.push((relative(&audit.root, &path), path));
        if files.len() > crate::limits::MAX_EVIDENCE_FILES {
            return Err(InputError::new(
                Location::file(&dir),
                format!(
                    "more than {} files under the evidence folder, over fairfile's limit \
                     (MAX_EVIDENCE_FILES, see SECURITY.md)",
                    crate::limits::MAX_EVIDENCE_FILES
                ),
            )
            .with_help("keep only the evidence documents and their attachments there")
            .into());
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));

    // 2. Documents.
    let mut documents = Vec::new();
    let mut others: Vec<(String, PathBuf)> = Vec::new();
    for (rel, path) in files {
        let is_markdown = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if !is_markdown {
            others.push((rel, path));
            continue;
        }
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.len() > crate::limits::MAX_EVIDENCE_BYTES
        {
            errors.push(crate::limits::too_large(
                &path,
                meta.len(),
                crate::limits::MAX_EVIDENCE_BYTES,
                "evidence document",
                "MAX_EVIDENCE_BYTES",
            ));
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => return Err(Error::io(&path, e)),
        };
        let sha256 = crate::hash::sha256_hex(&bytes);
        let size = bytes.len() as u64;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                errors.push(
                    Code::E010UnreadableDocument
                        .error(Location::file(&path), format!("not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()))
                        .with_help("save the document as UTF-8; put binary files next to it and list them in `attachments`"),
                );
                continue;
            }
        };
        if let Some(doc) = parse_document(&rel, &path, &text, sha256, size, frameworks, &mut errors)
        {
            documents.push(doc);
        }
    }

    // 3. Duplicate ids, attachments.
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut hashed: BTreeMap<PathBuf, (String, Attachment, u64)> = BTreeMap::new();
    let mut records = Vec::new();
    for parsed in &mut documents {
        let doc = &parsed.doc;
        let mut attached: Vec<Attachment> = Vec::new();
        if let Some((id, span)) = &parsed.id
            && let Some(first) = ids.insert(id.clone(), doc.path.clone())
        {
            errors.push(
                Code::E005DuplicateEvidenceId
                    .error(
                        parsed.at(span.start).with_field("id"),
                        format!("evidence id {id:?} is already used by {first}"),
                    )
                    .with_help("ids must be unique across the audit's evidence; rename one"),
            );
        }
        records.push(InputRecord {
            role: "evidence".into(),
            path: doc.path.clone(),
            sha256: doc.sha256.clone(),
            bytes: parsed.size,
        });
        let doc_dir = parsed
            .file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for (name, span) in &parsed.attachments {
            let at = parsed.at(span.start).with_field("attachments");
            let given = Path::new(name);
            if given.is_absolute() || given.has_root() {
                errors.push(
                    Code::E008OutsideAuditFolder
                        .error(at, format!("attachment {name:?} is an absolute path"))
                        .with_help("write attachment paths relative to the document's folder, inside the audit folder"),
                );
                continue;
            }
            let joined = doc_dir.join(given);
            if !lexically_inside(&audit.root, &joined) {
                errors.push(outside_error_at(at, name));
                continue;
            }
            if !joined.is_file() {
                errors.push(
                    Code::E006MissingAttachment
                        .error(at, format!("attachment {name:?} does not exist (looked for {})", normalize(&joined).display()))
                        .with_help("attachment paths are relative to the document's folder; add the file or fix the path"),
                );
                continue;
            }
            if !inside(&root, &joined) {
                errors.push(outside_error_at(at, name));
                continue;
            }
            let key = std::fs::canonicalize(&joined).map_err(|e| Error::io(&joined, e))?;
            if !hashed.contains_key(&key) {
                // Streamed: an attachment of any size is hashed in bounded memory.
                let rel = relative(&audit.root, &joined);
                let attachment = Attachment {
                    path: rel.clone(),
                    sha256: crate::hash::sha256_file(&joined)?,
                };
                hashed.insert(
                    key.clone(),
                    (
                        rel,
                        attachment,
                        std::fs::metadata(&joined)
                            .map_err(|e| Error::io(&joined, e))?
                            .len(),
                    ),
                );
            }
            let attachment = hashed[&key].1.clone();
            if !attached.iter().any(|a| a.path == attachment.path) {
                attached.push(attachment);
            }
        }
        parsed.doc.attachments = attached;
    }
    for (_, attachment, size) in hashed.values() {
        records.push(InputRecord {
            role: "attachment".into(),
            path: attachment.path.clone(),
            sha256: attachment.sha256.clone(),
            bytes: *size,
        });
    }
    records.sort_by(|a, b| a.path.cmp(&b.path).then(a.role.cmp(&b.role)));
    records.dedup_by(|a, b| a.path == b.path);

    // 4. Files nobody names.
    let named: BTreeSet<&str> = hashed.values().map(|(rel, _, _)| rel.as_str()).collect();
    let mut unreferenced_files = Vec::new();
    for (rel, path) in &others {
        if !named.contains(rel.as_str()) {
            unreferenced_files.push(Attachment {
                path: rel.clone(),
                sha256: crate::hash::sha256_file(path)?,
            });
        }
    }

    if !errors.is_empty() {
        return Err(if errors.len() == 1 {
            errors.remove(0).into()
        } else {
            Error::Inputs(errors)
        });
    }
    Ok(EvidenceSet {
        documents: documents.into_iter().map(|p| p.doc).collect(),
        unreferenced_files,
        files: records,
    })
}

/// A document parsed, with what the audit-wide checks need.
struct ParsedDocument {
    doc: EvidenceDocument,
    /// The file as given (for messages and resolving attachments).
    file: PathBuf,
    text: String,
    /// Byte offset of the front matter in the file.
    offset: usize,
    size: u64,
    id: Option<(String, Range<usize>)>,
    attachments: Vec<(String, Range<usize>)>,
}

impl ParsedDocument {
    /// Location of a byte offset inside the front matter.
    fn at(&self, fm_offset: usize) -> Location {
        Location::from_offset(&self.file, &self.text, self.offset + fm_offset)
    }
}

/// Split `+++` front matter from the body: (front-matter byte range, body start byte, body line).
fn split_front_matter(
    text: &str,
) -> std::result::Result<(Range<usize>, usize, usize), (usize, String)> {
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut lines = text[start..].split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != FENCE {
        return Err((
            start,
            "an evidence document must start with a `+++` line opening its TOML front matter"
                .into(),
        ));
    }
    let fm_start = start + first.len();
    let mut offset = fm_start;
    // `line` is the 1-based line number of `l`; the body starts on the line after the fence.
    for (line, l) in (2..).zip(lines) {
        if l.trim_end() == FENCE {
            return Ok((fm_start..offset, offset + l.len(), line + 1));
        }
        offset += l.len();
    }
    Err((
        start,
        "the front matter opened by `+++` on line 1 is never closed by a `+++` line".into(),
    ))
}

fn parse_document(
    rel: &str,
    file: &Path,
    text: &str,
    sha256: String,
    size: u64,
    frameworks: &FrameworkSet,
    errors: &mut Vec<InputError>,
) -> Option<ParsedDocument> {
    let (fm, body_start, body_line) = match split_front_matter(text) {
        Ok(parts) => parts,
        Err((offset, msg)) => {
            errors.push(
                Code::E001MalformedFrontMatter
                    .error(Location::from_offset(file, text, offset), msg)
                    .with_help("e.g.\n  +++\n  kind = [\"risk_register\"]\n  title = \"Risk register\"\n  date = 2026-10-01\n  +++"),
            );
            return None;
        }
    };
    let front_text = &text[fm.clone()];
    let raw: RawFront = match toml::from_str(front_text) {
        Ok(raw) => raw,
        Err(e) => {
            let date_problem = e.message().contains("date");
            let mut err = diags::toml_error(
                &e,
                file,
                text,
                fm.start,
                Code::E002UnknownFrontMatterKey,
                if date_problem {
                    Code::E004BadDate
                } else {
                    Code::E001MalformedFrontMatter
                },
                Some(&format!("front-matter keys are {FRONT_MATTER_KEYS}")),
            );
            if date_problem && err.help.is_none() {
                err = err.with_help("write dates as YYYY-MM-DD, e.g. date = 2026-11-20");
            }
            errors.push(err);
            return None;
        }
    };
    let at = |offset: usize| Location::from_offset(file, text, fm.start + offset);
    let before = errors.len();

    // Kinds: one string or an array of strings.
    let kind_span = raw.kind.span();
    let kinds: Vec<String> = match raw.kind.get_ref() {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Array(items) if items.iter().all(|i| i.is_str()) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        other => {
            errors.push(
                Code::E001MalformedFrontMatter
                    .error(
                        at(kind_span.start).with_field("kind"),
                        format!(
                            "`kind` must be a string or an array of strings, found {}",
                            other.type_str()
                        ),
                    )
                    .with_help("e.g. kind = [\"bias_examination\"]"),
            );
            Vec::new()
        }
    };
    if kinds.is_empty() && errors.len() == before {
        errors.push(
            Code::E003UnknownEvidenceKind
                .error(at(kind_span.start).with_field("kind"), "`kind` names no evidence kind")
                .with_help("name the kinds this document provides (`fairfile frameworks show ID` lists them)"),
        );
    }
    for k in &kinds {
        if frameworks.kind(k).is_none() {
            let offset = find_quoted(front_text, kind_span.clone(), k);
            let err = Code::E003UnknownEvidenceKind.error(
                at(offset).with_field("kind"),
                format!("unknown evidence kind {k:?}"),
            );
            errors.push(with_suggestion(err, k, frameworks.kind_ids(), || {
                "`fairfile frameworks show ID` lists the evidence kinds of a framework".to_string()
            }));
        }
    }

    let date = raw.date.get_ref().0;
    for (name, value) in [("review_by", &raw.review_by), ("expires", &raw.expires)] {
        if let Some(v) = value
            && v.get_ref().0 < date
        {
            errors.push(
                Code::E004BadDate
                    .error(at(v.span().start).with_field(name), format!("{name} {} is before the document's date {date}", v.get_ref().0))
                    .with_help("check the dates: a document cannot expire or fall due for review before it takes effect"),
            );
        }
    }

    for s in &raw.satisfies {
        let key = s.get_ref();
        if !frameworks.is_known_obligation(key) {
            let err = Code::E007UnknownObligation.error(
                at(s.span().start).with_field("satisfies"),
                format!("`satisfies` names {key:?}, which is not an obligation of any framework"),
            );
            errors.push(with_suggestion(err, key, frameworks.obligation_keys(), || {
                "write `framework/obligation-id`, e.g. \"eu-ai-act/art-26-7\" (`fairfile frameworks show ID` lists them)"
                    .to_string()
            }));
        }
    }

    if errors.len() > before {
        return None;
    }
    let front = FrontMatter {
        id: raw.id.as_ref().map(|i| i.get_ref().clone()),
        kind: kinds,
        title: raw.title,
        date,
        owner: raw.owner,
        review_by: raw.review_by.map(|d| d.get_ref().0),
        expires: raw.expires.map(|d| d.get_ref().0),
        satisfies: raw.satisfies.iter().map(|s| s.get_ref().clone()).collect(),
        attachments: raw
            .attachments
            .iter()
            .map(|s| s.get_ref().clone())
            .collect(),
        draft: raw.draft,
    };
    Some(ParsedDocument {
        doc: EvidenceDocument {
            path: rel.to_string(),
            sha256,
            front,
            body: text[body_start..].to_string(),
            body_line,
            attachments: Vec::new(),
        },
        file: file.to_path_buf(),
        text: text.to_string(),
        offset: fm.start,
        size,
        id: raw.id.map(|i| (i.get_ref().clone(), i.span())),
        attachments: raw
            .attachments
            .into_iter()
            .map(|a| (a.get_ref().clone(), a.span()))
            .collect(),
    })
}

/// Offset of `"needle"` within `span` of `text`, else the span start.
fn find_quoted(text: &str, span: Range<usize>, needle: &str) -> usize {
    let slice = text.get(span.clone()).unwrap_or("");
    [format!("\"{needle}\""), format!("'{needle}'")]
        .iter()
        .filter_map(|q| slice.find(q.as_str()))
        .min()
        .map_or(span.start, |i| span.start + i)
}

/// Whether `path` resolves (links followed) inside the canonical audit folder `root`.
fn inside(root: &Path, path: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(root))
}

/// Whether `path`, with `.` and `..` resolved without touching the file system, stays inside `root`.
fn lexically_inside(root: &Path, path: &Path) -> bool {
    normalize(path)
        .strip_prefix(normalize(root))
        .is_ok_and(|rest| rest.components().all(|c| matches!(c, Component::Normal(_))))
}

/// Resolve `.` and `..` components lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to the audit folder, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = normalize(path)
        .strip_prefix(normalize(root))
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn outside_error(path: &Path, what: &str) -> InputError {
    Code::E008OutsideAuditFolder
        .error(Location::file(path), format!("{what}; evidence must stay inside the audit folder"))
        .with_help("copy the file into the audit folder instead of linking to it, so that it is hashed and sealed with the audit")
}

fn outside_error_at(at: Location, name: &str) -> InputError {
    Code::E008OutsideAuditFolder
        .error(
            at,
            format!("attachment {name:?} is outside the audit folder"),
        )
        .with_help(
            "copy the file into the audit folder and name it relative to the document's folder",
        )
}

#[cfg(test)]
mod tests;
