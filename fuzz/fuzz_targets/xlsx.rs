#![no_main]
//! The .xlsx reader on hostile files (zip structure, XML, declared sizes).
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let (_dir, root) = common::folder(&common::rows_config("data.xlsx"));
    common::write(&root, "data.xlsx", data);
    if let Ok(audit) = fairfile::config::Audit::load(&root) {
        let _ = fairfile::ingest::read(&audit, false);
    }
});
