#![no_main]
//! The Parquet reader on hostile files (truncated, huge declared sizes, compression bombs).
use libfuzzer_sys::fuzz_target;
mod common;

// fairfile turns a panic inside the decoder into an input error (ingest::read_rows_guarded);
// libfuzzer-sys's hook would abort on it first. Keep the default hook: a panic fairfile does not
// catch still unwinds into libfuzzer-sys, which reports it as a crash.
fuzz_target!(init: { let _ = std::panic::take_hook(); }, |data: &[u8]| {
    let (_dir, root) = common::folder(&common::rows_config("data.parquet"));
    common::write(&root, "data.parquet", data);
    if let Ok(audit) = fairfile::config::Audit::load(&root) {
        if fairfile::ingest::read(&audit, &fairfile::events::Quiet).is_ok() {
            std::fs::write(root.join("fairfile.toml"), common::stratified_config("data.parquet")).unwrap();
            let audit = fairfile::config::Audit::load(&root).expect("the stratified config loads");
            if let Ok(stratified) = fairfile::ingest::read(&audit, &fairfile::events::Quiet) {
                common::check_strata(&stratified);
            }
        }
    }
});
