//! Row problems, found by byte offset on the hot path, and the error text a user reads for
//! them: file, line, column, field, and what to do.

use std::path::Path;

use crate::diag::{Error, InputError, Location};
use crate::ingest::reader::{self, ReadError};
use crate::ingest::values::OutcomeMap;
use crate::ingest::{near, show_value};

/// A problem in one row, located by byte offset (turned into a line number only when reported).
#[derive(Debug)]
pub(super) struct Fault {
    pub(super) offset: u64,
    pub(super) field: Option<usize>,
    pub(super) kind: FaultKind,
}

#[derive(Debug)]
pub(super) enum FaultKind {
    Ragged {
        found: usize,
    },
    Utf8,
    Score(String),
    Outcome(String),
    TooLong,
    /// One more stratum than [`crate::limits::MAX_STRATA`].
    TooManyStrata,
    Io(std::io::Error),
}

pub(super) fn read_error(path: &Path, e: ReadError) -> Error {
    match e {
        ReadError::Io(e) => Error::io(path, e),
        ReadError::TooLong(offset) => fault_error(
            path,
            &[],
            None,
            Fault {
                offset,
                field: None,
                kind: FaultKind::TooLong,
            },
        ),
    }
}

/// The user-facing error for a row problem, with its line number.
pub(super) fn fault_error(
    path: &Path,
    header: &[String],
    outcomes: Option<&OutcomeMap>,
    fault: Fault,
) -> Error {
    if let FaultKind::Io(e) = fault.kind {
        return Error::io(path, e);
    }
    let line = match reader::line_numbers(path, &[fault.offset]) {
        Ok(lines) => lines[0],
        Err(e) => return Error::io(path, e),
    };
    fault_error_at(path, header, outcomes, fault, line)
}

/// [`fault_error`] for a row whose line (or sheet row, or row number) is known.
pub(super) fn fault_error_at(
    path: &Path,
    header: &[String],
    outcomes: Option<&OutcomeMap>,
    fault: Fault,
    line: usize,
) -> Error {
    let kind = match fault.kind {
        FaultKind::Io(e) => return Error::io(path, e),
        kind => kind,
    };
    let mut location = Location {
        file: path.to_path_buf(),
        line: Some(line),
        column: fault.field.map(|f| f + 1),
        field: fault.field.and_then(|f| header.get(f).cloned()),
    };
    let error = match kind {
        FaultKind::Ragged { found } => {
            let expected = header.len();
            location.column = Some(found.min(expected) + 1);
            location.field = header.get(found).filter(|_| found < expected).cloned();
            let what = if found < expected {
                "missing fields"
            } else {
                "extra fields"
            };
            InputError::new(
                location,
                format!("row has {found} fields but the header has {expected} ({what})"),
            )
            .with_help(
                "every row needs one value per header column; quote values that contain commas",
            )
        }
        FaultKind::Utf8 => InputError::new(location, "field is not valid UTF-8")
            .with_help("save the file as UTF-8 (e.g. export as \"CSV UTF-8\")"),
        FaultKind::Score(value) => {
            let what = if value.is_empty() {
                "empty score".to_string()
            } else {
                format!("score {value:?} is not a finite number")
            };
            InputError::new(location, what).with_help(
                "every row needs the AEDT's numeric score (e.g. 7 or 0.82); remove individuals the tool did not score",
            )
        }
        FaultKind::Outcome(value) => {
            let mut help = "add it to one of the two lists in fairfile.toml".to_string();
            if let Some(near) = outcomes.and_then(|o| near(&value, o.outcome_values())) {
                help = format!("did you mean {near:?}? Otherwise {help}");
            }
            InputError::new(
                location,
                format!(
                    "outcome value {} is in neither [data.values] `selected` nor `not_selected`",
                    show_value(&value)
                ),
            )
            .with_help(help)
        }
        FaultKind::TooLong => InputError::new(
            location,
            format!("record longer than {} MiB", reader::MAX_RECORD_BYTES >> 20),
        )
        .with_help("look for an unclosed double quote at the start of this record"),
        FaultKind::TooManyStrata => InputError::new(
            location,
            format!(
                "more than {} distinct strata ([data.columns] stratum), the last one first on this line",
                crate::limits::MAX_STRATA
            ),
        )
        .with_help("stratify by a coarser column (e.g. requisition rather than applicant), or remove `stratum` (MAX_STRATA, see SECURITY.md)"),
        FaultKind::Io(e) => return Error::io(path, e),
    };
    error.into()
}
