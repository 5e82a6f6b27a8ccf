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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a new audit folder: commented fairfile.toml, evidence templates, data/README.md.
    Init(super::init::InitArgs),
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
    /// Recheck a published LL144 summary: every number that cannot be right, every item missing.
    Recheck(super::recheck::RecheckArgs),
}

/// The audit folder: the one positional argument of every command that reads an audit. Flattened
/// into each command's arguments, so the name, default and help are written once.
#[derive(Debug, Clone, clap::Args)]
pub struct AuditDir {
    /// The audit folder, containing fairfile.toml (default: the current folder).
    #[arg(value_name = "AUDIT_DIR", default_value = ".")]
    pub audit_dir: PathBuf,
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
    #[command(flatten)]
    pub audit: AuditDir,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Table format: add the fuller adverse-impact analysis (Z test, shortfall, small changes,
    /// effect sizes, power, Holm, unknowns' bounds, AIF360 metrics). The JSON always has it.
    #[arg(long)]
    pub analysis: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub audit: AuditDir,
    /// Evaluate dates as of this day (default: the audit date).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Output format.
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
        #[arg(long, value_name = "AUDIT_DIR")]
        audit: Option<PathBuf>,
    },
    /// Show one framework's obligations and evidence kinds.
    Show {
        /// The framework id (e.g. nyc-ll144; see `fairfile frameworks list`).
        id: String,
        /// Also load the framework files declared by this audit folder.
        #[arg(long, value_name = "AUDIT_DIR")]
        audit: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub audit: AuditDir,
    /// Output folder (default: AUDIT_DIR/dist).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// An audit folder (default: the current folder), or a PDF built by fairfile.
    #[arg(value_name = "AUDIT_DIR|PDF", default_value = ".")]
    pub target: PathBuf,
    /// With a lone PDF: the audit folder whose inputs it should still match.
    #[arg(long, value_name = "AUDIT_DIR")]
    pub audit: Option<PathBuf>,
    /// Output folder to verify (default: AUDIT_DIR/dist).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    #[command(flatten)]
    pub audit: AuditDir,
    /// The SQL engine to write the query for.
    #[arg(long, value_enum)]
    pub dialect: crate::sql::Dialect,
    /// The table holding one row per applicant; may be qualified (`schema.table`), each part is quoted.
    #[arg(long, default_value = crate::sql::DEFAULT_TABLE)]
    pub table: crate::sql::TableName,
}
