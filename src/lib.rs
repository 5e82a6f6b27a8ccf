//! fairfile: regulator-ready bias-audit documents from an AI hiring system's data and evidence.
//!
//! The pipeline reads left to right, one module per step:
//!
//! 1. [`config`]: load the audit project (`fairfile.toml`).
//! 2. [`ingest`]: stream the applicant data (rows or pre-aggregated counts) into a [`ingest::Tally`].
//! 3. [`metrics`]: selection/scoring rates, impact ratios, statistics and fairness metrics
//!    (NYC LL144, 6 RCNY §5-301; fairlearn definitions).
//!    [`analysis`] adds the fuller adverse-impact analysis (significance, effect sizes, power,
//!    Holm, unknowns' bounds, strata) from the same tally, as context.
//! 4. [`frameworks`]: the declarative obligation mappings (`frameworks/*.toml`).
//! 5. [`evidence`]: the Markdown evidence documents under `evidence/`, hashed as read.
//! 6. [`check`]: which obligations are met, missing, stale, failing, waived or not applicable.
//! 7. [`render`]: the documents, compiled in-process with Typst to PDF/A-3b.
//! 8. [`seal`]: manifest of input hashes, versions, the hash-chained ledger, and `verify`;
//!    [`results`] is the version's metrics and check as sealed data, read back by later commands.
//!
//! [`status`] lists what is due and when (re-audit, notices, reviews, waivers), from the check's
//! own rules; [`diff`] compares two sealed versions.
//! [`sql`] writes the aggregation query that computes the counts input inside a warehouse;
//! [`recheck`] checks a published LL144 summary's numbers and required items.
//! [`document`] names the documents and the sections obligations are filed under: a leaf that
//! frameworks, render and seal all use.
//!
//! [`format`] spells every number, date and flag the same way in every human-readable output.
//!
//! The command-line interface ([`cli`]) is a thin layer over these.

pub mod analysis;
pub mod attest;
pub mod check;
pub mod cli;
pub mod config;
pub mod dates;
pub mod diag;
pub mod diff;
pub mod document;
pub mod events;
pub mod evidence;
pub mod format;
pub mod frameworks;
#[doc(hidden)]
pub mod fuzzing;
pub mod hash;
pub mod history;
pub mod ingest;
pub mod inputs;
pub mod limits;
pub mod metrics;
pub mod pipeline;
pub mod recheck;
pub mod render;
pub mod results;
pub mod scaffold;
pub mod schemas;
pub mod seal;
pub mod sql;
pub mod status;

pub use diag::{Error, InputError, Location, Result};
