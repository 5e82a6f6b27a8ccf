//! The record of a version being sealed, so that a build killed between writing a version's
//! manifest and writing its ledger line can be completed by the next build.
//!
//! A killed build and a deleted ledger line leave the same files: a `manifest-v<N>.json` the ledger
//! does not record. The second must stop the next build (someone tampered with the ledger); the
//! first must not (`kill -9` at any point leaves a folder the next build completes). So, holding
//! the folder's lock, a build writes `.fairfile-sealing` — the manifest's name and SHA-256 — before
//! its first output, and removes it after the ledger line. A manifest left unsealed is a killed
//! build's when that record names it with its exact hash.

use std::path::Path;

use super::atomic::write_atomic;
use crate::diag::{Error, Result};

/// File name of the record, in the output folder.
pub(crate) const INTENT_FILE: &str = ".fairfile-sealing";

/// Record that `manifest` (with `sha256`) is about to be sealed in `out_dir`.
pub(crate) fn record(out_dir: &Path, manifest: &str, sha256: &str) -> Result<()> {
    write_atomic(
        &out_dir.join(INTENT_FILE),
        format!("{manifest} {sha256}\n").as_bytes(),
    )
}

/// The version is sealed (or rolled back): forget the record.
pub(crate) fn clear(out_dir: &Path) -> Result<()> {
    let path = out_dir.join(INTENT_FILE);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Whether the unsealed manifest `file` in `out_dir` is the one an interrupted build recorded.
pub(crate) fn interrupted(out_dir: &Path, file: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(out_dir.join(INTENT_FILE)) else {
        return false;
    };
    let Some((name, sha256)) = text.trim_end().split_once(' ') else {
        return false;
    };
    name == file
        && crate::hash::sha256_file(&out_dir.join(file)).is_ok_and(|actual| actual == sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_recorded_manifest_with_its_hash_counts_as_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest-v2.json"), b"{}").unwrap();
        assert!(!interrupted(dir.path(), "manifest-v2.json"));
        record(
            dir.path(),
            "manifest-v2.json",
            &crate::hash::sha256_hex(b"{}"),
        )
        .unwrap();
        assert!(interrupted(dir.path(), "manifest-v2.json"));
        assert!(!interrupted(dir.path(), "manifest-v3.json"));
        std::fs::write(dir.path().join("manifest-v2.json"), b"{ }").unwrap();
        assert!(!interrupted(dir.path(), "manifest-v2.json"), "edited since");
        clear(dir.path()).unwrap();
        clear(dir.path()).unwrap();
        assert!(!dir.path().join(INTENT_FILE).exists());
    }
}
