//! The command-line interface: a thin layer over the library. Each subcommand lives in its own file.
//!
//! Exit status: 0 success; 1 the command ran and found a problem it was asked to gate on
//! (`check --fail-on`, `verify` mismatches, `recheck` findings); 2 usage or input errors; 3 internal failures.

mod args;
mod build;
mod check;
mod frameworks;
mod init;
mod metrics;
mod recheck;
mod sql;
mod terminal;
mod verify;

use std::process::ExitCode;

use clap::Parser;

pub use args::*;

/// What a subcommand concluded, when it ran to the end.
pub enum Outcome {
    Success,
    /// The command ran, and found what it was asked to fail on.
    Findings,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Init(a) => init::run(a),
        Command::Metrics(a) => metrics::run(a),
        Command::Check(a) => check::run(a),
        Command::Frameworks(a) => frameworks::run(a),
        Command::Build(a) => build::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Sql(a) => sql::run(a),
        Command::Recheck(a) => recheck::run(a),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            if e.is_input() {
                ExitCode::from(2)
            } else {
                ExitCode::from(3)
            }
        }
    }
}

/// Write a serializable value as pretty JSON to stdout, with a final newline (through
/// [`print_text`]: a closed pipe is not an error).
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> crate::Result<()> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|e| crate::Error::Other(e.to_string()))?;
    text.push('\n');
    print_text(&text)
}

/// Write text to stdout as is; a closed pipe (`fairfile check | head`) is not an error.
pub(crate) fn print_text(text: &str) -> crate::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(crate::Error::Other(format!("cannot write to stdout: {e}"))),
    }
}
