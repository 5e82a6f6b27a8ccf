#![no_main]
//! `fairfile.toml`: any text parses or is an error, never a panic or a stack overflow.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = fairfile::config::AuditConfig::parse(text, std::path::Path::new("fairfile.toml"));
    }
});
