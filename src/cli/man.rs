//! `fairfile man`: the manual page in roff (clap_mangen), from the same clap definition as the
//! parser. To stdout for `fairfile man | man -l -`, or with `--out-dir` one page per command
//! (fairfile.1, fairfile-check.1, …) for packagers.

use clap::CommandFactory;

use super::Outcome;
use super::args::{Cli, ManArgs};
use crate::{Error, Result};

pub fn run(args: ManArgs) -> Result<Outcome> {
    let command = Cli::command();
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            clap_mangen::generate_to(command, dir).map_err(|e| Error::io(dir, e))?;
            super::terminal::note(format_args!("wrote manual pages to {}", dir.display()));
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| Error::Other(format!("cannot render the manual page: {e}")))?;
            super::print_text(&String::from_utf8_lossy(&page))?;
        }
    }
    Ok(Outcome::Success)
}
