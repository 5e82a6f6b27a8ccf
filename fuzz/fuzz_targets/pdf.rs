#![no_main]
//! `fairfile verify FILE.pdf`: the embedded manifest read from a hostile PDF.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fairfile::seal::verify_pdf_attestation(std::path::Path::new("x.pdf"), data, None, None);
});
