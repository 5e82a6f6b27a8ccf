#![no_main]
//! The Parquet reader on hostile files (truncated, huge declared sizes, compression bombs).
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let (_dir, root) = common::folder(&common::rows_config("data.parquet"));
    common::write(&root, "data.parquet", data);
    if let Ok(audit) = fairfile::config::Audit::load(&root) {
        let _ = fairfile::ingest::read(&audit, false);
    }
});
