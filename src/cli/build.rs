//! `fairfile build`: seal a new version of the audit's documents when an input changed.

use std::io::IsTerminal;

use super::Outcome;
use crate::Result;
use crate::pipeline::{BuildOptions, build_with};
use crate::seal::{BuildStatus, LEDGER_FILE, short_hash};

pub fn run(args: super::args::BuildArgs) -> Result<Outcome> {
    let options = BuildOptions {
        progress: std::io::stderr().is_terminal(),
    };
    let outcome = build_with(&args.audit_dir, args.out, options)?;
    let out_dir = outcome.out_dir.display();
    match &outcome.status {
        BuildStatus::UpToDate { problems } => {
            println!(
                "up to date, v{} ({}, {out_dir}): no input changed (input digest {})",
                outcome.version,
                outcome.audit_id,
                short_hash(&outcome.input_digest)
            );
            for problem in problems {
                eprintln!("warning: {problem}");
            }
            if !problems.is_empty() {
                eprintln!("  help: run `fairfile verify` for the full report");
            }
        }
        BuildStatus::Built {
            changes,
            written,
            ledger_entry,
            problems,
        } => {
            println!(
                "sealed {} v{} in {out_dir}",
                outcome.audit_id, outcome.version
            );
            if outcome.version > 1 {
                if changes.is_empty() {
                    println!(
                        "  inputs unchanged since v{} (new fairfile version)",
                        outcome.version - 1
                    );
                } else {
                    println!("  changed since v{}:", outcome.version - 1);
                    for change in changes {
                        println!(
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
                println!(
                    "  {:<width$}  {:>10} bytes  sha256 {}{time}",
                    file.file,
                    crate::format::count(file.bytes),
                    short_hash(&file.sha256)
                );
            }
            println!(
                "  {:<width$}  line {} appended, line hash {}",
                LEDGER_FILE,
                ledger_entry.version,
                short_hash(&ledger_entry.line_hash)
            );
            for problem in problems {
                eprintln!("warning: earlier version: {problem}");
            }
            if !problems.is_empty() {
                eprintln!("  help: run `fairfile verify` for the full report");
            }
            println!(
                "  {} inputs, input digest {}",
                outcome.inputs.len(),
                short_hash(&outcome.input_digest)
            );
        }
    }
    Ok(Outcome::Success)
}
