//! `fairfile sql`: print the aggregation query for the audit's mappings (docs/sql.md).

use super::Outcome;
use crate::Result;
use crate::config::Audit;

pub fn run(args: super::args::SqlArgs) -> Result<Outcome> {
    let audit = Audit::load(&args.audit.audit_dir)?;
    let query = crate::sql::aggregation_query(&audit, args.dialect, &args.table)?;
    print!("{query}");
    Ok(Outcome::Success)
}
