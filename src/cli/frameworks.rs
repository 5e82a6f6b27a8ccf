//! `fairfile frameworks`.

use super::Outcome;
use crate::Result;

pub fn run(args: super::args::FrameworksArgs) -> Result<Outcome> {
    let _ = args;
    Err(crate::Error::Other(
        "`fairfile frameworks` is not built yet".into(),
    ))
}
