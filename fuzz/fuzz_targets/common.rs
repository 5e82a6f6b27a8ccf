//! An audit folder per fuzz process, reused by every input (included by each target).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub const CONFIG: &str = r#"
[audit]
id = "fuzz"
title = "Fuzz"
organization = "Org"
system = "Screener"
audit_date = 2026-01-15
frameworks = ["nyc-ll144", "eu-ai-act"]

[auditor]
name = "Auditor"
independent = true

[data]
path = "DATA"
kind = "historical"
description = "fuzzed"
outcome = "selection"

[data.columns]
sex = "sex"
race = "race"
selected = "selected"

[data.categories.sex]
Male = ["M"]
Female = ["F"]
unknown = [""]

[data.categories.race]
White = ["W"]
Asian = ["A"]
unknown = ["", "U"]
"#;

/// A fresh audit folder whose `[data] path` is `data` (or whose config is `config`).
pub fn folder(config: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("fairfile.toml"), config).unwrap();
    std::fs::create_dir_all(root.join("evidence")).unwrap();
    (dir, root)
}

pub fn rows_config(data: &str) -> String {
    CONFIG.replace("DATA", data)
}

/// [`rows_config`] with strata: the race and selected columns' values, combined.
pub fn stratified_config(data: &str) -> String {
    rows_config(data).replace(
        "selected = \"selected\"\n",
        "selected = \"selected\"\nstratum = [\"race\", \"selected\"]\n",
    )
}

/// Every row is in exactly one stratum: the strata add up to the tally.
pub fn check_strata(ingested: &fairfile::ingest::Ingested) {
    let strata = ingested.tally.strata.as_ref().expect("strata were asked for");
    let n: u64 = strata
        .strata
        .iter()
        .flat_map(|s| &s.cells)
        .map(|c| c.n)
        .sum();
    assert_eq!(n, ingested.tally.total(), "strata do not add up to the tally");
    assert!(strata.strata.len() <= fairfile::limits::MAX_STRATA);
}

pub fn write(root: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(root.join(name), bytes).unwrap();
}
