//! Metrics: LL144 selection/scoring rates and impact ratios per sex, race/ethnicity and their
//! intersection (6 RCNY §5-301), with Wilson intervals, Fisher exact tests, small-sample warnings,
//! and fairlearn's error-rate fairness metrics.

pub mod report;

pub use report::*;

use crate::Result;
use crate::config::Audit;

/// Read the audit's data and compute every metric. `progress` shows a progress bar on stderr
/// (the caller decides whether stderr is a terminal).
pub fn compute(audit: &Audit, progress: bool) -> Result<MetricsReport> {
    let _ = (audit, progress);
    Err(crate::Error::Other("metrics are not built yet".into()))
}
