//! The Typst `World` a document is compiled in: everything in memory, nothing from outside.
//!
//! - Sources and data come only from the [`VirtualFiles`] fairfile put there (templates, the JSON
//!   view model, the manifest, converted evidence, images read beforehand from inside the audit
//!   folder). The World never touches the real filesystem.
//! - Fonts are the embedded ones ([`super::fonts`]); no system fonts.
//! - Packages (`#import "@preview/…"`) are never downloaded: they are "not found".
//! - `today` is the audit date, so `datetime.today()` is reproducible.

use std::collections::HashMap;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::fonts;

/// The in-memory file system of one document: virtual path → contents, and a name to show for each
/// file in error messages (e.g. `builtin:templates/common.typ` or `evidence/risk.md (converted)`).
#[derive(Default)]
pub(crate) struct VirtualFiles {
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    names: HashMap<FileId, String>,
}

impl VirtualFiles {
    /// Add a Typst source at `path` (absolute virtual path such as `/templates/common.typ`).
    pub fn add_source(&mut self, path: &str, text: String, display_name: String) -> FileId {
        let id = file_id(path);
        let source = Source::new(id, text);
        self.files.insert(id, Bytes::from_string(source.clone()));
        self.sources.insert(id, source);
        self.names.insert(id, display_name);
        id
    }

    /// Add a data file (JSON, image) at `path`.
    pub fn add_file(&mut self, path: &str, bytes: Bytes, display_name: String) -> FileId {
        let id = file_id(path);
        self.files.insert(id, bytes);
        self.names.insert(id, display_name);
        id
    }

    /// The name to show for a file in messages; falls back to its virtual path.
    pub fn display_name(&self, id: FileId) -> String {
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.vpath().get_with_slash().to_string())
    }
}

/// The interned id of a project path. The same path always gives the same id (typst interns a
/// bounded number of ids per process, so ids are never made unique per request).
pub(crate) fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("fairfile's virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// One document's compilation environment.
pub(crate) struct FairfileWorld {
    main: FileId,
    files: VirtualFiles,
    today: Datetime,
}

impl FairfileWorld {
    pub fn new(main: FileId, files: VirtualFiles, today: Datetime) -> Self {
        Self { main, files, today }
    }

    pub fn files(&self) -> &VirtualFiles {
        &self.files
    }
}

/// The standard library, built once per process.
fn library() -> &'static LazyHash<Library> {
    static LIBRARY: std::sync::OnceLock<LazyHash<Library>> = std::sync::OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::builder().build()))
}

fn not_found(id: FileId) -> FileError {
    match id.root() {
        VirtualRoot::Package(spec) => FileError::Package(PackageError::NotFound(spec.clone())),
        VirtualRoot::Project => {
            FileError::NotFound(std::path::PathBuf::from(id.vpath().get_with_slash()))
        }
    }
}

impl World for FairfileWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.files.sources.get(&id) {
            Some(source) => Ok(source.clone()),
            None if self.files.files.contains_key(&id) => Err(FileError::NotSource),
            None => Err(not_found(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .files
            .get(&id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    /// The audit date, whatever the offset: documents are dated by the audit, not the clock.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
