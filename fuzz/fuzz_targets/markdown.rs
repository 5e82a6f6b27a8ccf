#![no_main]
//! Evidence Markdown → Typst source: the source always parses, and no user text becomes code
//! (every identifier is one the converter writes).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    if let Ok(source) = fairfile::fuzzing::markdown_to_typst(&body) {
        if let Err(why) = fairfile::fuzzing::check_generated(&source) {
            panic!("{why}\n--- source\n{source}");
        }
    }
});
