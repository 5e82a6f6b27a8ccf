//! `fairfile build`.

use super::Outcome;
use crate::Result;

pub fn run(args: super::args::BuildArgs) -> Result<Outcome> {
    let _ = args;
    Err(crate::Error::Other(
        "`fairfile build` is not built yet".into(),
    ))
}
