//! `fairfile verify`.

use super::Outcome;
use crate::Result;

pub fn run(args: super::args::VerifyArgs) -> Result<Outcome> {
    let _ = args;
    Err(crate::Error::Other(
        "`fairfile verify` is not built yet".into(),
    ))
}
