//! Command-line arguments (clap derive). One variant per subcommand; each is handled by the file of
//! the same name in this folder.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "fairfile",
    version,
    about = "Regulator-ready bias-audit documents (NYC LL144, EU AI Act)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Read files that fairfile.toml names outside the audit folder (refused by default: the
    /// folder is untrusted input; see SECURITY.md). Each is named in a notice.
    #[arg(long, global = true)]
    pub allow_outside: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute LL144 selection/scoring rates, impact ratios, statistics and fairness metrics.
    Metrics(MetricsArgs),
    /// Check which obligations have evidence: met, missing, stale, failing, waived, not applicable.
    Check(CheckArgs),
    /// Browse the regulation mappings (frameworks) and their evidence kinds.
    Frameworks(FrameworksArgs),
    /// Build the sealed, versioned documents (PDF/A-3b) into `dist/`.
    Build(BuildArgs),
    /// Verify an audit folder's sealed versions, or what a lone PDF attests.
    Verify(VerifyArgs),
    /// Print the SQL query that computes the counts input inside a warehouse (docs/sql.md).
    Sql(SqlArgs),
}

/// Output format for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable terminal report.
    Table,
    /// The documented JSON schema (see docs/).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    /// The audit folder (containing fairfile.toml).
    #[arg(default_value = ".")]
    pub audit_dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[arg(default_value = ".")]
    pub audit_dir: PathBuf,
    /// Evaluate dates as of this day (default: the audit date).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit with status 1 when any of these statuses occurs (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "STATUS,...")]
    pub fail_on: Vec<FailOn>,
}

/// Statuses that `--fail-on` can gate on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Missing,
    Stale,
    Failing,
}

#[derive(Debug, clap::Args)]
pub struct FrameworksArgs {
    #[command(subcommand)]
    pub command: FrameworksCommand,
}

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// List the shipped frameworks (and an audit's own framework files, with --audit).
    List {
        /// Also load the framework files declared by this audit folder.
        #[arg(long)]
        audit: Option<PathBuf>,
    },
    /// Show one framework's obligations and evidence kinds.
    Show {
        id: String,
        #[arg(long)]
        audit: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[arg(default_value = ".")]
    pub audit_dir: PathBuf,
    /// Output folder (default: AUDIT_DIR/dist).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// An audit folder, or a PDF built by fairfile.
    #[arg(default_value = ".")]
    pub target: PathBuf,
    /// With a lone PDF: the audit folder whose inputs it should still match.
    #[arg(long)]
    pub audit: Option<PathBuf>,
    /// Output folder to verify (default: AUDIT_DIR/dist).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The audit folder (containing fairfile.toml).
    #[arg(default_value = ".")]
    pub audit_dir: PathBuf,
    /// The SQL engine to write the query for.
    #[arg(long, value_enum)]
    pub dialect: crate::sql::Dialect,
    /// The table holding one row per applicant; may be qualified (`schema.table`), each part is quoted.
    #[arg(long, default_value = crate::sql::DEFAULT_TABLE)]
    pub table: crate::sql::TableName,
}
