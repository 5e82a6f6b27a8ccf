//! What can be wrong with an output folder or a lone PDF: found while reading the folder
//! ([`super::dist`]), by a build that meets an earlier version's damage, and by `verify`.

use std::fmt;
use std::path::PathBuf;

use super::ledger::{LEDGER_FILE, LedgerIssue};
use super::short_hash;

/// One thing that does not match. Every variant names the file concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The output folder has no ledger: nothing was sealed there.
    NoLedger {
        dir: PathBuf,
    },
    LedgerUnreadable {
        message: String,
    },
    /// A break in the ledger chain, at a line.
    Ledger(LedgerIssue),
    ManifestMissing {
        version: u32,
        file: String,
    },
    ManifestChanged {
        version: u32,
        file: String,
        expected: String,
        actual: String,
    },
    /// The manifest cannot be read, or disagrees with its ledger line.
    ManifestInvalid {
        version: u32,
        file: String,
        message: String,
    },
    /// A file named like a version after the latest sealed one.
    Unsealed {
        file: String,
        latest: u32,
    },
    InputChanged {
        version: u32,
        role: String,
        path: String,
        expected: String,
        actual: String,
    },
    InputMissing {
        version: u32,
        role: String,
        path: String,
    },
    /// An input a build would use now that the sealed version does not list.
    InputAdded {
        version: u32,
        role: String,
        path: String,
    },
    InputUnreadable {
        path: String,
        message: String,
    },
    /// The current inputs could not be collected (e.g. an evidence file no longer parses).
    Collection {
        message: String,
    },
    OutputChanged {
        version: u32,
        file: String,
        expected: String,
        actual: String,
    },
    OutputMissing {
        version: u32,
        file: String,
    },
    /// A lone PDF: no embedded manifest, or one that contradicts itself or the folder.
    Attestation {
        message: String,
    },
}

impl Problem {
    /// A stable, machine-readable name of the kind of problem (`verify --format json`).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::NoLedger { .. } => "no_ledger",
            Problem::LedgerUnreadable { .. } => "ledger_unreadable",
            Problem::Ledger(_) => "ledger",
            Problem::ManifestMissing { .. } => "manifest_missing",
            Problem::ManifestChanged { .. } => "manifest_changed",
            Problem::ManifestInvalid { .. } => "manifest_invalid",
            Problem::Unsealed { .. } => "unsealed",
            Problem::InputChanged { .. } => "input_changed",
            Problem::InputMissing { .. } => "input_missing",
            Problem::InputAdded { .. } => "input_added",
            Problem::InputUnreadable { .. } => "input_unreadable",
            Problem::Collection { .. } => "collection",
            Problem::OutputChanged { .. } => "output_changed",
            Problem::OutputMissing { .. } => "output_missing",
            Problem::Attestation { .. } => "attestation",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NoLedger { dir } => {
                write!(
                    f,
                    "no {LEDGER_FILE} in {}: nothing is sealed there (run `fairfile build`)",
                    dir.display()
                )
            }
            Problem::LedgerUnreadable { message } => write!(f, "{LEDGER_FILE}: {message}"),
            Problem::Ledger(issue) => write!(f, "{issue}"),
            Problem::ManifestMissing { version, file } => {
                write!(f, "manifest {file} (v{version}) is missing")
            }
            Problem::ManifestChanged {
                version,
                file,
                expected,
                actual,
            } => write!(
                f,
                "manifest {file} (v{version}) changed: sealed {}, now {}",
                short_hash(expected),
                short_hash(actual)
            ),
            Problem::ManifestInvalid {
                version,
                file,
                message,
            } => {
                write!(f, "manifest {file} (v{version}): {message}")
            }
            Problem::Unsealed { file, latest } => write!(
                f,
                "{file} is not sealed: the ledger ends at v{latest} (a ledger line was deleted, or a build was \
                 interrupted; rebuild to seal the current inputs)"
            ),
            Problem::InputChanged {
                version,
                role,
                path,
                expected,
                actual,
            } => write!(
                f,
                "input {path} ({role}) changed since v{version}: sealed {}, now {}",
                short_hash(expected),
                short_hash(actual)
            ),
            Problem::InputMissing {
                version,
                role,
                path,
            } => {
                write!(f, "input {path} ({role}) of v{version} is missing")
            }
            Problem::InputAdded {
                version,
                role,
                path,
            } => {
                write!(
                    f,
                    "input {path} ({role}) is new since v{version} (not sealed)"
                )
            }
            Problem::InputUnreadable { path, message } => {
                write!(f, "input {path} cannot be read: {message}")
            }
            Problem::Collection { message } => {
                write!(
                    f,
                    "the audit's current inputs cannot be collected: {message}"
                )
            }
            Problem::OutputChanged {
                version,
                file,
                expected,
                actual,
            } => write!(
                f,
                "output {file} (v{version}) changed: sealed {}, now {}",
                short_hash(expected),
                short_hash(actual)
            ),
            Problem::OutputMissing { version, file } => {
                write!(f, "output {file} (v{version}) is missing")
            }
            Problem::Attestation { message } => write!(f, "{message}"),
        }
    }
}
