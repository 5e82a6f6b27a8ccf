#![no_main]
//! An evidence document (front matter + body) discovered and checked as a build does.
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let (_dir, root) = common::folder(&common::rows_config("data.csv"));
    common::write(&root, "evidence/doc.md", data);
    let Ok(audit) = fairfile::config::Audit::load(&root) else { return };
    let Ok(frameworks) = fairfile::frameworks::FrameworkSet::load(&audit) else { return };
    let _ = fairfile::evidence::discover(&audit, &frameworks);
});
