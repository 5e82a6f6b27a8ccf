#![no_main]
//! A framework file (`[audit] framework_files`) loaded and validated.
use libfuzzer_sys::fuzz_target;
mod common;

fuzz_target!(|data: &[u8]| {
    let config = common::rows_config("data.csv").replace(
        "frameworks = [\"nyc-ll144\", \"eu-ai-act\"]",
        "frameworks = [\"fuzz\"]\nframework_files = [\"fuzz.toml\"]",
    );
    let (_dir, root) = common::folder(&config);
    common::write(&root, "fuzz.toml", data);
    if let Ok(audit) = fairfile::config::Audit::load(&root) {
        let _ = fairfile::frameworks::FrameworkSet::load(&audit);
    }
});
