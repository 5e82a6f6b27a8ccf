#![no_main]
//! The pre-aggregated counts reader (`[data] counts`), with the DCWP example 1 config.
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let (_dir, root) = common::folder(include_str!("counts.toml"));
    common::write(&root, "counts.csv", data);
    if let Ok(audit) = fairfile::config::Audit::load(&root) {
        let _ = fairfile::ingest::read(&audit, &fairfile::events::Quiet);
    }
});
