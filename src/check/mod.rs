//! The check: for every applicable obligation, met / missing / stale / failing / waived / not applicable,
//! each with a reason a person can act on.

pub mod report;

pub use report::*;
