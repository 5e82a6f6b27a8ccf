#![no_main]
//! An evidence document (front matter + body) discovered and checked as a build does. The audit
//! and its frameworks are loaded once per process; each input replaces the one document.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
mod common;

struct Loaded {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    audit: fairfile::config::Audit,
    frameworks: fairfile::frameworks::FrameworkSet,
}

static LOADED: OnceLock<Loaded> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let loaded = LOADED.get_or_init(|| {
        let (dir, root) = common::folder(&common::rows_config("data.csv"));
        let audit = fairfile::config::Audit::load(&root).unwrap();
        let frameworks = fairfile::frameworks::FrameworkSet::load(&audit).unwrap();
        Loaded {
            _dir: dir,
            root,
            audit,
            frameworks,
        }
    });
    common::write(&loaded.root, "evidence/doc.md", data);
    let _ = fairfile::evidence::discover(&loaded.audit, &loaded.frameworks);
});
