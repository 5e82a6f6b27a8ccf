//! `fairfile build`: seal a new version of the audit's documents when an input changed.

use std::fmt::Write as _;

use super::Outcome;
use super::terminal::Terminal;
use crate::Result;
use crate::pipeline::{BuildOutcome, LoadedAudit};
use crate::seal::{BuildStatus, LEDGER_FILE, short_hash};

pub fn run(args: super::args::BuildArgs) -> Result<Outcome> {
    let events = Terminal::new();
    let outcome = LoadedAudit::load(&args.audit.audit_dir, &events)?.build(args.out, &events)?;
    let (report, warnings) = report(&outcome);
    match args.format {
        super::args::Format::Table => super::print_text(&report)?,
        super::args::Format::Json => super::print_json(&outcome.report())?,
    }
    for warning in warnings {
        super::terminal::note(warning);
    }
    Ok(Outcome::Success)
}

/// What the build did (stdout), and the warnings about earlier versions (stderr).
fn report(outcome: &BuildOutcome) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut warnings = Vec::new();
    let out_dir = outcome.out_dir.display();
    match &outcome.status {
        BuildStatus::UpToDate { problems } => {
            let _ = writeln!(
                out,
                "up to date, v{} ({}, {out_dir}): no input changed (input digest {})",
                outcome.version,
                outcome.audit_id,
                short_hash(&outcome.input_digest)
            );
            for problem in problems {
                warnings.push(format!("warning: {problem}"));
            }
            if !problems.is_empty() {
                warnings.push("  help: run `fairfile verify` for the full report".into());
            }
        }
        BuildStatus::Built {
            changes,
            written,
            ledger_entry,
            problems,
        } => {
            let _ = writeln!(
                out,
                "sealed {} v{} in {out_dir}",
                outcome.audit_id, outcome.version
            );
            if outcome.version > 1 {
                if changes.is_empty() {
                    let _ = writeln!(
                        out,
                        "  inputs unchanged since v{} (new fairfile version)",
                        outcome.version - 1
                    );
                } else {
                    let _ = writeln!(out, "  changed since v{}:", outcome.version - 1);
                    for change in changes {
                        let _ = writeln!(
                            out,
                            "    {:<8} {} ({})",
                            change.change.as_str(),
                            change.path,
                            change.role
                        );
                    }
                }
            }
            let width = written
                .iter()
                .map(|w| w.file.len())
                .max()
                .unwrap_or(0)
                .max(LEDGER_FILE.len());
            for file in written {
                let time = file
                    .render_time
                    .map(|t| format!("  rendered in {} ms", t.as_millis()))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {:<width$}  {:>10} bytes  sha256 {}{time}",
                    file.file,
                    crate::format::count(file.bytes),
                    short_hash(&file.sha256)
                );
            }
            let _ = writeln!(
                out,
                "  {:<width$}  line {} appended, line hash {}",
                LEDGER_FILE,
                ledger_entry.version,
                short_hash(&ledger_entry.line_hash)
            );
            for problem in problems {
                warnings.push(format!("warning: earlier version: {problem}"));
            }
            if !problems.is_empty() {
                warnings.push("  help: run `fairfile verify` for the full report".into());
            }
            let _ = writeln!(
                out,
                "  {} inputs, input digest {}",
                outcome.inputs.len(),
                short_hash(&outcome.input_digest)
            );
        }
    }
    (out, warnings)
}
