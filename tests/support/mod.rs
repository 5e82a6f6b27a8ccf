//! Helpers shared by the CLI tests (`mod support;` in each test file): the `fairfile.toml` head
//! every throwaway audit folder uses, and where the test datasets live.
//!
//! Everything `cargo test` reads is in the repository (`tests/data/`, see its README), except
//! ProPublica's COMPAS file, which states no licence and so is not redistributed: the tests that
//! use it run when it is present and otherwise say how to enable them, and pass.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The `[audit]` and `[auditor]` tables of a test audit: everything a `fairfile.toml` needs
/// besides `[data]`. Tests append their own `[data]` tables with [`audit_toml`].
pub const AUDIT_HEAD: &str = r#"[audit]
id = "acme-2026"
title = "Bias audit"
organization = "Acme"
system = "ResumeRank"
audit_date = 2026-11-20
frameworks = ["nyc-ll144"]

[auditor]
name = "Jane Roe"
independent = true

"#;

/// A whole `fairfile.toml`: [`AUDIT_HEAD`] followed by `data` (the `[data]` tables).
pub fn audit_toml(data: &str) -> String {
    format!("{AUDIT_HEAD}{}", data.trim_start())
}

/// A dataset committed in `tests/data/` (source, licence and attribution in its README).
pub fn test_data(file: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    assert!(
        path.is_file(),
        "{} is missing: it is committed with the repository (tests/data/README.md)",
        path.display()
    );
    path
}

/// The environment variable naming a local copy of ProPublica's `compas-scores-two-years.csv`.
pub const COMPAS_ENV: &str = "FAIRFILE_COMPAS_CSV";
/// The git-ignored place the COMPAS tests also look for it.
pub const COMPAS_LOCAL: &str = "tests/data/compas-scores-two-years.csv";

/// ProPublica's COMPAS file (compas-analysis @ bafff5da, with `name`, `first`, `last` and `dob`
/// removed), if the user has one: `$FAIRFILE_COMPAS_CSV`, else `tests/data/compas-scores-two-years.csv`
/// (git-ignored). It is not in the repository because it states no licence (tests/data/README.md).
///
/// `None` prints why the calling test is skipped and how to enable it; the test then passes. A
/// variable that names a missing file is a mistake, not a skip: it panics.
pub fn compas_csv(test: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(COMPAS_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{COMPAS_ENV}={} does not name a file",
            path.display()
        );
        return Some(path);
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(COMPAS_LOCAL);
    if local.is_file() {
        return Some(local);
    }
    // Straight to stderr, past the test harness's capture, so a passing run still shows the skip.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {test}: ProPublica's compas-scores-two-years.csv is not redistributed with \
         fairfile (it states no licence). To run this, get the file from \
         https://github.com/propublica/compas-analysis (commit bafff5da; drop the name, first, last \
         and dob columns) and set {COMPAS_ENV}=/path/to/it or copy it to {COMPAS_LOCAL}."
    );
    None
}

/// Whether `python3 -c "import <modules>"` works: the independent checkers some tests run (each
/// installed by `.ci/run`). Outside CI a missing one skips that part of the test, said on stderr
/// with the `pip install` that enables it; in CI (`CI=true`) it is a failure, so nothing is
/// skipped silently where it counts.
pub fn python_has(modules: &str, pip: &str, what: &str) -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{what} needs python3 with {modules}; .ci/run installs it (pip install {pip})");
        }
        eprintln!("skipped: {what}: python3 -c 'import {modules}' fails (pip install {pip})");
    }
    found
}

/// Copy an audit folder (recursively) into `to`, leaving out any `dist/` (a build's output, which
/// the README's first command writes into the example: a copy must start without versions).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "dist" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
