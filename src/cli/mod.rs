//! The command-line interface: a thin layer over the library. Each subcommand lives in its own file.
//!
//! Exit status: 0 success; 1 the command ran and found a problem it was asked to gate on
//! (`check --fail-on`, `verify` mismatches, `recheck` findings); 2 usage or input errors; 3 internal failures.
//! `fairfile` without a command prints where to start and exits 0: asking "where do I begin?" is
//! not a usage error.

mod args;
mod build;
mod check;
mod completions;
mod diff;
mod export;
mod frameworks;
mod init;
mod key;
mod man;
mod metrics;
mod recheck;
mod sign;
mod sql;
mod status;
mod terminal;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

pub use args::*;

/// What a subcommand concluded, when it ran to the end.
pub enum Outcome {
    Success,
    /// The command ran, and found what it was asked to fail on.
    Findings,
}

pub fn main() -> ExitCode {
    let parsed = Cli::command().try_get_matches().and_then(|matches| {
        // Formatted against the command, as `Cli::try_parse` does.
        let cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut Cli::command()))?;
        Ok((cli, matches))
    });
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    terminal::set_verbosity(if cli.quiet {
        terminal::Verbosity::Quiet
    } else if cli.verbose {
        terminal::Verbosity::Verbose
    } else {
        terminal::Verbosity::Normal
    });
    let Some(command) = cli.command else {
        return match print_text(START_HERE) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(3),
        };
    };
    if cli.allow_outside {
        crate::config::allow_outside(true);
        outside_notices(&command);
    }
    let started = std::time::Instant::now();
    let name = matches.subcommand_name().unwrap_or_default();
    let result = match command {
        Command::Init(a) => init::run(a),
        Command::Metrics(a) => metrics::run(a),
        Command::Check(a) => check::run(a),
        Command::Frameworks(a) => frameworks::run(a),
        Command::Build(a) => build::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Sql(a) => sql::run(a),
        Command::Recheck(a) => recheck::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Status(a) => status::run(a),
        Command::Key(a) => key::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Export(a) => export::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    };
    terminal::detail(format_args!(
        "fairfile {name}: {} in {} ms",
        match &result {
            Ok(Outcome::Success) => "done",
            Ok(Outcome::Findings) => "findings",
            Err(_) => "failed",
        },
        started.elapsed().as_millis()
    ));
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            // Red like clap's own errors; anstream drops the colour off a terminal or with NO_COLOR.
            let red = anstyle::AnsiColor::Red.on_default().bold();
            anstream::eprintln!("{red}error:{red:#} {e}");
            if e.is_input() {
                ExitCode::from(2)
            } else {
                ExitCode::from(3)
            }
        }
    }
}

/// What `fairfile` alone prints: the three commands of a first audit, in order.
const START_HERE: &str = "\
fairfile: regulator-ready bias-audit documents (NYC LL144, EU AI Act).

Start here:
  1. fairfile init my-audit --framework nyc-ll144   scaffold an audit folder: fairfile.toml, data/, evidence/
  2. fairfile check my-audit                        what is met, and what is still to do
  3. fairfile build my-audit                        seal the documents into my-audit/dist/
  4. fairfile status my-audit                       what is due next: re-audit, notices, reviews

Or look at a finished example first:
  fairfile check examples/acme-resumerank
  fairfile metrics examples/acme-resumerank

Every command: fairfile --help    One command, with examples: fairfile help check
";

/// With `--allow-outside`: name each file outside the audit folder that will be read.
fn outside_notices(command: &Command) {
    let dir = match command {
        Command::Metrics(a) => &a.audit.audit_dir,
        Command::Check(a) => &a.audit.audit_dir,
        Command::Status(a) => &a.audit.audit_dir,
        Command::Build(a) => &a.audit.audit_dir,
        Command::Sql(a) => &a.audit.audit_dir,
        Command::Verify(a) => a.audit.as_ref().unwrap_or(&a.target),
        _ => return,
    };
    // Errors (no config, bad TOML) are reported by the command itself.
    if let Ok(audit) = crate::config::Audit::load(dir) {
        for o in audit.outside_paths() {
            terminal::note(format!(
                "notice: reading {} ({} in {}), outside the audit folder, as --allow-outside allows",
                o.path.display(),
                o.key,
                audit.config_path.display()
            ));
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

/// Write text that may carry ANSI styles to stdout: the styles are kept only when stdout is a
/// terminal and `NO_COLOR` is not set (anstream's rules, the same as clap's help).
pub(crate) fn print_styled(text: &str) -> crate::Result<()> {
    use std::io::Write;
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(crate::Error::Other(format!("cannot write to stdout: {e}"))),
    }
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
