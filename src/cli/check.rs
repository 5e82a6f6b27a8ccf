//! `fairfile check`.

use super::Outcome;
use crate::Result;

pub fn run(args: super::args::CheckArgs) -> Result<Outcome> {
    let _ = args;
    Err(crate::Error::Other(
        "`fairfile check` is not built yet".into(),
    ))
}
