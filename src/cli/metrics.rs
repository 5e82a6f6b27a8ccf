//! `fairfile metrics`.

use super::Outcome;
use crate::Result;

pub fn run(args: super::args::MetricsArgs) -> Result<Outcome> {
    let _ = args;
    Err(crate::Error::Other(
        "`fairfile metrics` is not built yet".into(),
    ))
}
