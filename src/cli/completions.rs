//! `fairfile completions SHELL`: the shell completion script, generated from the same clap
//! definition as the parser, so it cannot fall out of step with the commands.

use clap::CommandFactory;

use super::Outcome;
use super::args::{Cli, CompletionsArgs};
use crate::Result;

pub fn run(args: CompletionsArgs) -> Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "fairfile", &mut script);
    super::print_text(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Success)
}
