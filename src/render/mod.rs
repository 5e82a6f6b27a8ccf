//! Render: the documents (LL144 summary of results, EU AI Act technical file, compliance matrix),
//! compiled in-process with Typst to archival PDF. Data reaches templates as JSON, never as markup.
//!
//! One file per concern:
//! - `world.rs`: the Typst `World` (memory only, embedded fonts, no packages, pinned date);
//! - `fonts.rs`: the embedded fonts, parsed once;
//! - `templates.rs`: built-in templates and the audit's overrides;
//! - `markdown.rs`: Markdown evidence → Typst code with all user text in string literals;
//! - `view.rs`: the JSON view model the templates read (`/data.json`), every figure spelled by
//!   [`crate::format`]; `model.rs` builds it;
//! - `diagnostics.rs`: Typst errors → messages with file, line and source excerpt;
//! - `html.rs`: the LL144 summary as a self-contained web page (askama), from the same view model.
//!
//! Each document is PDF/A-3a and PDF/UA-1 (tagged, with title, language and alternative text;
//! PDF/A-3b if an audit's own template cannot meet PDF/UA-1),
//! dated by the audit date, identified by `audit/doc/vN`, made by `fairfile <version>`, and carries
//! the build manifest as an embedded file (`manifest.json`, relationship `Data`). The same context
//! gives byte-identical bytes.
//!
//! **Where obligations appear in the technical file.** Exactly where the framework file declares:
//! an obligation whose `section` is `eu-technical-file/annex-iv-<N>` (checked when the framework
//! loads, see [`crate::document::Section`]) is presented, with its evidence documents and a
//! "missing evidence" box when it lacks evidence, under Annex IV point N. Nothing is guessed from
//! ids or citations; every other obligation is in the compliance matrix only.
//!
//! **Overriding templates.** `AUDIT/templates/<name>.typ` replaces the built-in template of that
//! name (`common.typ`, `ll144-summary.typ`, `eu-technical-file.typ`, `compliance-matrix.typ`); other
//! files there are served under `/templates/`. Templates read `/data.json` (schema
//! [`RENDER_SCHEMA`], built in `model.rs`); evidence bodies are `/evidence/<index>.typ`.
//!
//! **Warnings** (raw HTML not rendered, characters no embedded font has, flattened nesting,
//! template warnings, a fallback to PDF/A-3b) are returned by [`render_document`] with the PDF;
//! the caller decides how to show them (a build passes them to its [`crate::events::Events`]).

mod analysis_model;
mod diagnostics;
mod fonts;
mod html;
pub(crate) mod markdown;
mod model;
mod templates;
mod view;
mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use chrono::Datelike;

use typst::foundations::{Bytes, Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::check::CheckReport;
use crate::config::Audit;
use crate::diag::{Error, InputError, Location, Result};
use crate::evidence::EvidenceSet;
use crate::frameworks::FrameworkSet;
use crate::hash::sha256_hex;
use crate::history::HistoryEntry;
use crate::inputs::InputRecord;
use crate::metrics::MetricsReport;

/// Documents live in a leaf module ([`crate::document`]); re-exported so callers keep `render::DocumentKind`.
pub use crate::document::DocumentKind;
pub use html::render_page;
pub use model::{ANNEX_IV, RENDER_SCHEMA};
pub use templates::{TEMPLATES_DIR, TemplateFile, TemplateOrigin, Templates};

use world::{FairfileWorld, VirtualFiles};

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

/// A rendered document and what the user should know about it.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    /// Raw HTML dropped from evidence, template warnings (one line each, with file and line).
    pub warnings: Vec<String>,
    /// The PDF standards the file conforms to ([`PDF_STANDARDS_NAME`], or [`PDF_FALLBACK_NAME`]
    /// for an audit template that cannot meet PDF/UA-1).
    pub standard: &'static str,
}

/// The PDF standards every document conforms to (typst checks them at export).
pub const PDF_STANDARDS: &[PdfStandard] = &[PdfStandard::A_3a, PdfStandard::Ua_1];

/// Human name of [`PDF_STANDARDS`].
pub const PDF_STANDARDS_NAME: &str = "PDF/A-3a + PDF/UA-1";

/// What a document falls back to when an audit's own template cannot meet [`PDF_STANDARDS`]:
/// PDF/A-3b, the archival level that allows the embedded manifest.
pub const PDF_FALLBACK_STANDARDS: &[PdfStandard] = &[PdfStandard::A_3b];

/// Human name of [`PDF_FALLBACK_STANDARDS`].
pub const PDF_FALLBACK_NAME: &str = "PDF/A-3b";

/// Render one document to PDF bytes, returning the warnings.
pub fn render_document(
    kind: DocumentKind,
    ctx: &RenderContext<'_>,
    templates: &Templates,
) -> Result<Rendered> {
    // Typst's memo cache only helps when the same input is compiled again; in a build every
    // document is different, so clear it after each one (also on error) to keep memory flat.
    struct EvictOnDrop;
    impl Drop for EvictOnDrop {
        fn drop(&mut self) {
            typst::comemo::evict(0);
        }
    }
    let _evict = EvictOnDrop;

    let audit = ctx.audit.config.audit.get_ref();
    let lang = language(ctx.audit)?;
    let mut warnings = Vec::new();
    let mut files = VirtualFiles::default();

    for file in templates.files() {
        let path = format!("/templates/{}", file.name);
        if file.name.ends_with(".typ") {
            let text = String::from_utf8_lossy(&file.bytes).into_owned();
            files.add_source(&path, text, file.user_path());
        } else {
            files.add_file(&path, Bytes::new(file.bytes.clone()), file.user_path());
        }
    }
    let template = kind.template();
    if templates.get(&template).is_none() {
        return Err(Error::Other(format!(
            "no template {template} (built-in templates are always present)"
        )));
    }

    let body_files = if kind == DocumentKind::EuTechnicalFile {
        serve_evidence(ctx, &mut files, &mut warnings)?
    } else {
        BTreeMap::new()
    };

    let model = model::build(kind, ctx, &body_files, lang);
    let mut value = serde_json::to_value(&model)
        .map_err(|e| Error::Other(format!("cannot serialise the view model: {e}")))?;
    let mut replaced = BTreeSet::new();
    make_displayable(&mut value, &mut replaced);
    warnings.extend(fonts::replaced_warning(
        "names and titles in the document",
        &replaced,
    ));
    let json = serde_json::to_vec_pretty(&value)
        .map_err(|e| Error::Other(format!("cannot serialise the view model: {e}")))?;
    files.add_file(
        "/data.json",
        Bytes::new(json),
        "data.json (generated by fairfile)".into(),
    );
    files.add_file(
        "/manifest.json",
        Bytes::new(ctx.manifest_json.to_vec()),
        "manifest.json (generated by fairfile)".into(),
    );

    let date = audit.audit_date;
    let out_of_range = || Error::Other(format!("audit date {date} is out of typst's date range"));
    let (year, month, day) = (date.year(), date.month() as u8, date.day() as u8);
    let today = Datetime::from_ymd(year, month, day).ok_or_else(out_of_range)?;
    let timestamp_at =
        Datetime::from_ymd_hms(year, month, day, 0, 0, 0).ok_or_else(out_of_range)?;

    let main = world::file_id(&format!("/templates/{template}"));
    let world = FairfileWorld::new(main, files, today);

    let compiled = catch_unwind(AssertUnwindSafe(|| typst::compile::<PagedDocument>(&world)))
        .map_err(|_| {
            Error::Render(format!(
                "typst panicked while compiling {template}; this is a bug"
            ))
        })?;
    for warning in compiled.warnings.iter() {
        warnings.push(diagnostics::one_line(&world, warning));
    }
    let document = compiled.output.map_err(|errors| {
        Error::Render(format!(
            "cannot compile {}:\n{}",
            templates
                .get(&template)
                .map(|t| t.display_name())
                .unwrap_or(template.clone()),
            diagnostics::format(&world, &errors)
        ))
    })?;

    let export = |standards: &[PdfStandard]| -> Result<std::result::Result<Vec<u8>, String>> {
        let standards = PdfStandards::new(standards)
            .map_err(|e| Error::Other(format!("PDF standards: {}", e.message())))?;
        let options = PdfOptions {
            ident: Smart::Custom(ident(audit.id.get_ref(), kind, ctx.version)),
            creator: Smart::Custom(Some(generator())),
            timestamp: Some(Timestamp::new_utc(timestamp_at)),
            standards,
            tagged: true,
            ..PdfOptions::default()
        };
        let exported = catch_unwind(AssertUnwindSafe(|| typst_pdf::pdf(&document, &options)))
            .map_err(|_| {
                Error::Render(format!(
                    "typst panicked while exporting {template}; this is a bug"
                ))
            })?;
        Ok(exported.map_err(|errors| diagnostics::format(&world, &errors)))
    };
    let (pdf, standard) = match export(PDF_STANDARDS)? {
        Ok(pdf) => (pdf, PDF_STANDARDS_NAME),
        // The built-in templates meet PDF/UA-1; an audit's own template may not (a skipped heading
        // level, an image without alternative text). PDF/A-3b is the level the documents need, so
        // fall back to it and say why.
        Err(ua_problems) if templates.has_overrides() => match export(PDF_FALLBACK_STANDARDS)? {
            Ok(pdf) => {
                let first = ua_problems
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                warnings.push(format!(
                    "{template}: the audit's templates do not meet {PDF_STANDARDS_NAME} ({first}); exported as {PDF_FALLBACK_NAME}"
                ));
                (pdf, PDF_FALLBACK_NAME)
            }
            Err(problems) => {
                return Err(Error::Render(format!(
                    "cannot export {template} as {PDF_FALLBACK_NAME}:\n{problems}"
                )));
            }
        },
        Err(problems) => {
            return Err(Error::Render(format!(
                "cannot export {template} as {PDF_STANDARDS_NAME}:\n{problems}"
            )));
        }
    };
    Ok(Rendered {
        pdf,
        warnings,
        standard,
    })
}

/// Replace, in every string of the view model, characters no embedded font can display.
fn make_displayable(value: &mut serde_json::Value, replaced: &mut BTreeSet<char>) {
    match value {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(fixed) = fonts::displayable(s, replaced) {
                *s = fixed;
            }
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().for_each(|v| make_displayable(v, replaced))
        }
        serde_json::Value::Object(map) => {
            map.values_mut().for_each(|v| make_displayable(v, replaced))
        }
        _ => {}
    }
}

/// The PDF document identifier: stable per audit, document and version (PDF `/ID`, XMP DocumentID).
pub fn ident(audit_id: &str, kind: DocumentKind, version: u32) -> String {
    format!("{audit_id}/{}/v{version}", kind.slug())
}

/// The PDF `/Creator`: fairfile's name and version, so a typst upgrade alone does not change it.
pub fn generator() -> String {
    format!("fairfile {}", env!("CARGO_PKG_VERSION"))
}

/// `[audit] language` as typst's `lang` and `region`, or an error pointing at the config.
fn language(audit: &Audit) -> Result<(String, Option<String>)> {
    let tag = audit.config.audit.get_ref().language.trim();
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or_default().to_ascii_lowercase();
    let region = parts.next().map(|r| r.to_ascii_uppercase());
    let lang_ok = (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic());
    let region_ok = region
        .as_ref()
        .is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()));
    if !lang_ok || !region_ok {
        return Err(InputError::new(
            Location::file(&audit.config_path).with_field("audit.language"),
            format!("language {tag:?} is not a BCP 47 tag fairfile can use"),
        )
        .with_help(
            "use an ISO 639 language code, optionally with a region: \"en\", \"en-US\", \"de\"",
        )
        .into());
    }
    Ok((lang, region))
}

/// Convert every evidence body to Typst and serve it (and the images it embeds) to the world.
/// Returns evidence index → virtual path of its converted body.
fn serve_evidence(
    ctx: &RenderContext<'_>,
    files: &mut VirtualFiles,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<usize, String>> {
    let mut body_files = BTreeMap::new();
    let mut errors = Vec::new();
    let mut served_images: Vec<String> = Vec::new();
    for (index, document) in ctx.evidence.documents.iter().enumerate() {
        let display_path = ctx.audit.root.join(&document.path);
        let converted = match convert_evidence(index, document, &display_path) {
            Ok(converted) => converted,
            Err(e) => {
                collect_input_errors(e, &mut errors)?;
                continue;
            }
        };
        warnings.extend(converted.warnings);
        for image in &converted.images {
            if served_images.contains(&image.audit_path) {
                continue;
            }
            match read_image(&ctx.audit.root, image) {
                Ok(bytes) => {
                    served_images.push(image.audit_path.clone());
                    let name = ctx.audit.root.join(&image.audit_path).display().to_string();
                    files.add_file(&image.virtual_path, Bytes::new(bytes), name);
                }
                Err(e) => errors.push(*e),
            }
        }
        let path = format!("/evidence/{index}.typ");
        files.add_source(
            &path,
            converted.source,
            format!("{} (converted to Typst)", display_path.display()),
        );
        body_files.insert(index, path);
    }
    match errors.len() {
        0 => Ok(body_files),
        1 => Err(errors.remove(0).into()),
        _ => Err(Error::Inputs(errors)),
    }
}

fn collect_input_errors(error: Error, into: &mut Vec<InputError>) -> Result<()> {
    match error {
        Error::Input(e) => into.push(*e),
        Error::Inputs(es) => into.extend(es),
        other => return Err(other),
    }
    Ok(())
}

/// Level of the heading an evidence body sits under in the technical file (point, "Evidence",
/// document title): a Markdown `#` becomes level 4.
const EVIDENCE_HEADING_OFFSET: u8 = 3;

fn convert_evidence(
    index: usize,
    document: &crate::evidence::EvidenceDocument,
    display_path: &Path,
) -> Result<markdown::Converted> {
    markdown::convert(
        &document.body,
        &markdown::ConvertOptions {
            doc_path: &document.path,
            display_path,
            body_line: document.body_line,
            heading_offset: EVIDENCE_HEADING_OFFSET,
            label_prefix: &format!("ev{index}"),
        },
    )
}

/// Read an image referenced by evidence, refusing anything that resolves outside the audit folder
/// (including through a symbolic link).
fn read_image(
    root: &Path,
    image: &markdown::ImageRef,
) -> std::result::Result<Vec<u8>, Box<InputError>> {
    let path = root.join(&image.audit_path);
    let located = |message: String| {
        Box::new(InputError::new(image.location.clone(), message)
            .with_help("put the image inside the audit folder and reference it by a path relative to the evidence document"))
    };
    let canonical_root = root
        .canonicalize()
        .map_err(|e| located(format!("cannot resolve the audit folder: {e}")))?;
    let canonical = path.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => located(format!("image not found: {}", path.display())),
        _ => located(format!("cannot read image {}: {e}", path.display())),
    })?;
    if !canonical.starts_with(&canonical_root) {
        return Err(located(format!(
            "image {} resolves outside the audit folder",
            path.display()
        )));
    }
    let size = std::fs::metadata(&canonical)
        .map_err(|e| located(format!("cannot read image {}: {e}", path.display())))?
        .len();
    if size > crate::limits::MAX_IMAGE_BYTES {
        return Err(located(format!(
            "image {} is {size} bytes, over fairfile's limit of {} bytes (MAX_IMAGE_BYTES, see SECURITY.md)",
            path.display(),
            crate::limits::MAX_IMAGE_BYTES
        )));
    }
    let bytes = std::fs::read(&canonical)
        .map_err(|e| located(format!("cannot read image {}: {e}", path.display())))?;
    crate::limits::check_image_pixels(&bytes)
        .map_err(|why| located(format!("image {}: {why}", path.display())))?;
    Ok(bytes)
}

/// The images evidence documents embed in the technical file, hashed (role `image`, path relative
/// to the audit folder), sorted by path: inputs of the build like the evidence itself.
pub fn evidence_images(audit: &Audit, evidence: &EvidenceSet) -> Result<Vec<InputRecord>> {
    let mut records: BTreeMap<String, InputRecord> = BTreeMap::new();
    let mut errors = Vec::new();
    for (index, document) in evidence.documents.iter().enumerate() {
        let display_path = audit.root.join(&document.path);
        let converted = match convert_evidence(index, document, &display_path) {
            Ok(c) => c,
            Err(e) => {
                collect_input_errors(e, &mut errors)?;
                continue;
            }
        };
        for image in converted.images {
            if records.contains_key(&image.audit_path) {
                continue;
            }
            match read_image(&audit.root, &image) {
                Ok(bytes) => {
                    records.insert(
                        image.audit_path.clone(),
                        InputRecord {
                            role: "image".into(),
                            path: image.audit_path.clone(),
                            sha256: sha256_hex(&bytes),
                            bytes: bytes.len() as u64,
                        },
                    );
                }
                Err(e) => errors.push(*e),
            }
        }
    }
    match errors.len() {
        0 => Ok(records.into_values().collect()),
        1 => Err(errors.remove(0).into()),
        _ => Err(Error::Inputs(errors)),
    }
}
