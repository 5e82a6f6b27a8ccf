//! Typst diagnostics → readable messages: file, line, column, the message, the offending source
//! line, the call trace and typst's hints, formatted with codespan-reporting as typst-cli does.
//!
//! Files are named as the user knows them: `templates/ll144-summary.typ` for an override in the
//! audit folder, `builtin:templates/common.typ` for a built-in template, `evidence/x.md (converted
//! to Typst)` for a converted evidence body, `data.json (generated)` for the view model.

use std::collections::HashMap;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::syntax::{DiagSpan, FileId};

use super::world::FairfileWorld;

/// Hint added when a template imports a package.
const PACKAGE_HINT: &str = "fairfile compiles offline and never downloads packages: a template must be self-contained (put helper files in the audit's templates/ folder and import them by relative path)";

/// Format diagnostics (errors and/or warnings) as one text block.
pub(crate) fn format(world: &FairfileWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let mut files = Files::new(world);
    let config = Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let rendered = files.diagnostic(diagnostic);
        match term::emit_into_string(&config, &files.files, &rendered) {
            Ok(text) => out.push_str(&text),
            // The spans always come from files we hold; if codespan still fails, say it plainly.
            Err(_) => {
                out.push_str(&format!(
                    "{}: {}\n",
                    severity_word(diagnostic.severity),
                    diagnostic.message
                ));
            }
        }
    }
    out.trim_end().to_string()
}

/// One line per warning: `file:line:col: message`.
pub(crate) fn one_line(world: &FairfileWorld, diagnostic: &SourceDiagnostic) -> String {
    let place = locate(world, diagnostic.span)
        .map(|(name, line, col)| format!("{name}:{line}:{col}: "))
        .unwrap_or_default();
    format!("{place}{}", diagnostic.message)
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// File name, 1-based line and column of a span.
pub(crate) fn locate(world: &FairfileWorld, span: DiagSpan) -> Option<(String, usize, usize)> {
    let id = span.id()?;
    let range = world.range(span)?;
    let text = file_text(world, id)?;
    let (line, col) = crate::diag::line_col(&text, range.start);
    Some((world.files().display_name(id), line, col))
}

fn file_text(world: &FairfileWorld, id: FileId) -> Option<String> {
    match world.source(id) {
        Ok(source) => Some(source.text().to_string()),
        Err(_) => world
            .file(id)
            .ok()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// The codespan file database, filled lazily with the files diagnostics point into.
struct Files<'w> {
    world: &'w FairfileWorld,
    files: SimpleFiles<String, String>,
    ids: HashMap<FileId, usize>,
}

impl<'w> Files<'w> {
    fn new(world: &'w FairfileWorld) -> Self {
        Self {
            world,
            files: SimpleFiles::new(),
            ids: HashMap::new(),
        }
    }

    fn file(&mut self, id: FileId) -> Option<usize> {
        if let Some(&index) = self.ids.get(&id) {
            return Some(index);
        }
        let text = file_text(self.world, id)?;
        let index = self.files.add(self.world.files().display_name(id), text);
        self.ids.insert(id, index);
        Some(index)
    }

    fn label(&mut self, span: DiagSpan) -> Option<(usize, std::ops::Range<usize>)> {
        let id = span.id()?;
        let range = self.world.range(span)?;
        Some((self.file(id)?, range))
    }

    fn diagnostic(&mut self, diagnostic: &SourceDiagnostic) -> Diagnostic<usize> {
        let out = match diagnostic.severity {
            Severity::Error => Diagnostic::error(),
            Severity::Warning => Diagnostic::warning(),
        }
        .with_message(diagnostic.message.to_string());

        let mut labels = Vec::new();
        if let Some((file, range)) = self.label(diagnostic.span) {
            labels.push(Label::primary(file, range));
        }
        let mut notes = Vec::new();
        for hint in &diagnostic.hints {
            match self.label(hint.span) {
                Some((file, range)) => {
                    labels.push(Label::secondary(file, range).with_message(hint.v.to_string()))
                }
                None => notes.push(format!("hint: {}", hint.v)),
            }
        }
        if diagnostic.message.contains("package not found") {
            notes.push(format!("hint: {PACKAGE_HINT}"));
        }
        for point in &diagnostic.trace {
            if let Some((file, range)) = self.label(point.span.into()) {
                labels.push(Label::secondary(file, range).with_message(point.v.to_string()));
            }
        }
        out.with_labels(labels).with_notes(notes)
    }
}
