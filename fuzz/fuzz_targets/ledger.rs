#![no_main]
//! `ledger.jsonl` and `manifest-v1.json` read as `verify` and `build` read an output folder. The
//! input is split at its first NUL byte: the ledger before, the manifest after.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ledger, manifest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    if let Ok(text) = std::str::from_utf8(ledger) {
        let _ = fairfile::seal::ParsedLedger::parse(text);
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ledger.jsonl"), ledger).unwrap();
    std::fs::write(dir.path().join("manifest-v1.json"), manifest).unwrap();
    if let Ok(dist) = fairfile::seal::Dist::open(dir.path(), Some("fuzz")) {
        let _ = dist.check_outputs();
        let _ = dist.history();
    }
});
