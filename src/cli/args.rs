//! Command-line arguments (clap derive). One variant per subcommand; each is handled by the file of
//! the same name in this folder. Every command's doc comment is its one-line purpose, and its
//! `after_help` gives `Examples:` and the `exit_status!()` table (tests/cli_help.rs holds every
//! command listed in `--help` to this).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

/// The exit statuses, shown at the end of every command's `--help` (README "Exit status").
macro_rules! exit_status {
    () => {
        "\nExit status:\n  0  success\n  \
         1  findings the command was asked to gate on (check --fail-on, verify mismatches, recheck findings, status --fail-on-overdue)\n  \
         2  usage or input error: the message names the file and what to do next\n  \
         3  internal failure"
    };
}

#[derive(Debug, Parser)]
#[command(
    name = "fairfile",
    version,
    about = "Regulator-ready bias-audit documents (NYC LL144, EU AI Act)",
    long_about = "Regulator-ready bias-audit documents (NYC LL144, EU AI Act).\n\n\
        fairfile reads an audit folder (fairfile.toml, the hiring system's data, evidence/ documents), \
        computes the LL144 impact ratios, checks which obligations have evidence, and seals versioned \
        PDF/A documents. Run `fairfile` alone for where to start.",
    after_help = concat!(
        "Start here:\n  fairfile init my-audit --framework nyc-ll144\n  fairfile check my-audit\n  fairfile build my-audit\n\n\
         Example audit: fairfile check examples/acme-resumerank\n",
        exit_status!()
    )
)]
pub struct Cli {
    /// No warnings, notes or progress on stderr: results and errors only.
    #[arg(
        long,
        short,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,
    /// More detail on stderr: each data file as it is read, with its size, and the time taken.
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub verbose: bool,
    /// Without a command, fairfile prints where to start (and exits 0).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Read files that fairfile.toml names outside the audit folder (refused by default: the
    /// folder is untrusted input; see SECURITY.md). Each is named in a notice.
    #[arg(long, global = true, help_heading = "Global options")]
    pub allow_outside: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a new audit folder: commented fairfile.toml, evidence templates, data/README.md.
    Init(super::init::InitArgs),
    /// Compute LL144 selection/scoring rates, impact ratios, statistics and fairness metrics.
    #[command(after_help = concat!(
        "Examples:\n  fairfile metrics examples/acme-resumerank\n  fairfile metrics examples/acme-resumerank --analysis\n  \
         fairfile metrics examples/acme-resumerank --format json > metrics.json\n",
        exit_status!()
    ))]
    Metrics(MetricsArgs),
    /// Check which obligations have evidence: met, missing, stale, failing, waived, not applicable.
    #[command(after_help = concat!(
        "Examples:\n  fairfile check examples/acme-resumerank\n  fairfile check . --as-of 2026-06-01\n  \
         fairfile check . --fail-on missing,failing   # gate a CI job: exit 1 if any is missing or failing\n",
        exit_status!()
    ))]
    Check(CheckArgs),
    /// Browse the regulation mappings (frameworks) and their evidence kinds.
    #[command(after_help = concat!(
        "Examples:\n  fairfile frameworks list\n  fairfile frameworks show nyc-ll144\n  \
         fairfile frameworks show eu-ai-act --format json\n",
        exit_status!()
    ))]
    Frameworks(FrameworksArgs),
    /// Build the sealed, versioned documents (PDF/A-3b) into `dist/`.
    #[command(
        long_about = "Build the sealed, versioned documents (PDF/A-3b) into `dist/`.\n\n\
            A new version is written only when an input changed; each is recorded in a SHA-256 manifest \
            and the hash-chained ledger (dist/ledger.jsonl). Run `fairfile check` first to see what is missing.",
        after_help = concat!(
            "Examples:\n  fairfile build examples/acme-resumerank\n  fairfile build . --out /tmp/audit-dist\n  \
             fairfile build . --format json > build.json   # what was sealed, for a CI job\n",
            exit_status!()
        )
    )]
    Build(BuildArgs),
    /// Verify an audit folder's sealed versions, or what a lone PDF attests.
    #[command(after_help = concat!(
        "Examples:\n  fairfile verify examples/acme-resumerank\n  \
         fairfile verify dist/acme-resumerank-2026-ll144-summary-v1.pdf --audit .   # does it match the inputs?\n  \
         fairfile verify . --format json\n  \
         fairfile verify . --trust auditor.key.pub   # and the auditor's signatures\n",
        exit_status!()
    ))]
    Verify(VerifyArgs),
    /// Show what changed between two sealed versions: inputs, metrics, obligations, documents.
    #[command(
        long_about = "Show what changed between two sealed versions: inputs, metrics, obligations, documents.\n\n\
            Reads only what the versions sealed (their manifests and results files, hashes checked), never \
            the current folder. Default: the two latest versions; one version given: that one and the latest.",
        after_help = concat!(
            "Examples:\n  fairfile diff examples/acme-resumerank          # the two latest versions\n  \
             fairfile diff . v1                              # version 1 against the latest\n  \
             fairfile diff . v1 v3 --format json > diff.json\n",
            exit_status!()
        )
    )]
    Diff(super::diff::DiffArgs),
    /// What is due and when: the next audit, notice and posting dates, reviews, waivers, new duties.
    #[command(
        long_about = "What is due and when: the next audit, notice and posting dates, reviews, waivers, new duties.\n\n\
            Every date comes from a rule the check enforces: the evidence rules of the applicable \
            obligations (the LL144 audit no more than a year before use, notices 10 business days \
            before use with [audit] holidays skipped, the summary posted before use and kept 6 months \
            after the last use), the evidence documents' review_by and expires, the waivers' until, \
            and the dates from which obligations of this audit's roles apply. Sorted by date, with \
            the days remaining counted from --as-of (default: today).",
        after_help = concat!(
            "Examples:\n  fairfile status examples/acme-resumerank --as-of 2026-11-20\n  \
             fairfile status . --within 30 --fail-on-overdue   # a weekly job: exit 1 if anything is overdue\n  \
             fairfile status . --format ics --out audit-deadlines.ics   # import into a calendar\n  \
             fairfile status . --format json\n",
            exit_status!()
        )
    )]
    Status(super::status::StatusArgs),
    /// Make the Ed25519 key pair a signer uses (`key new`).
    #[command(after_help = concat!(
        "Examples:\n  fairfile key new --out auditor.key   # auditor.key (private) and auditor.key.pub\n",
        exit_status!()
    ))]
    Key(super::key::KeyArgs),
    /// Sign a sealed version: an in-toto statement in a DSSE envelope, beside its manifest.
    #[command(
        long_about = "Sign a sealed version: an in-toto statement in a DSSE envelope, beside its manifest.\n\n\
            Writes dist/attestation-v<N>.dsse.json: the signer attests every output of the version (PDFs, \
            web page, results file) and its manifest by SHA-256, with the audit, the auditor named in \
            fairfile.toml, the input digest and each family's rates and impact ratios from the sealed \
            results. A second key adds its signature to the same file. docs/attest.md says what a \
            signature proves and what it does not.",
        after_help = concat!(
            "Examples:\n  fairfile sign examples/acme-resumerank --key auditor.key\n  \
             fairfile sign . --key employer.key --version 2\n  \
             fairfile verify . --trust auditor.key.pub --trust employer.key.pub\n",
            exit_status!()
        )
    )]
    Sign(super::sign::SignArgs),
    /// Export a sealed version's check for other tools (`export oscal`: OSCAL Assessment Results).
    #[command(after_help = concat!(
        "Examples:\n  fairfile export oscal examples/acme-resumerank > assessment-results.json\n",
        exit_status!()
    ))]
    Export(super::export::ExportArgs),
    /// Print the SQL query that computes the counts input inside a warehouse (docs/sql.md).
    #[command(after_help = concat!(
        "Examples:\n  fairfile sql examples/acme-resumerank --dialect postgres\n  \
         fairfile sql . --dialect duckdb --table hr.applicants > counts.sql\n",
        exit_status!()
    ))]
    Sql(SqlArgs),
    /// Recheck a published LL144 summary: every number that cannot be right, every item missing.
    Recheck(super::recheck::RecheckArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    #[command(after_help = concat!(
        "Examples:\n  fairfile completions bash > ~/.local/share/bash-completion/completions/fairfile\n  \
         fairfile completions zsh > \"${fpath[1]}/_fairfile\"\n  \
         fairfile completions fish > ~/.config/fish/completions/fairfile.fish\n  \
         fairfile completions powershell >> $PROFILE\n",
        exit_status!()
    ))]
    Completions(CompletionsArgs),
    /// Write the manual page (roff): to stdout, or one page per command into a folder.
    #[command(after_help = concat!(
        "Examples:\n  fairfile man | man -l -\n  fairfile man --out-dir ~/.local/share/man/man1\n",
        exit_status!()
    ))]
    Man(ManArgs),
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write fairfile.1 and one page per command (fairfile-check.1, …) into this folder instead
    /// of printing fairfile.1 to stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// The audit folder: the one positional argument of every command that reads an audit. Flattened
/// into each command's arguments, so the name, default and help are written once.
#[derive(Debug, Clone, clap::Args)]
pub struct AuditDir {
    /// The audit folder, containing fairfile.toml (default: the current folder).
    #[arg(value_name = "AUDIT_DIR", default_value = ".")]
    pub audit_dir: PathBuf,
}

/// A `--as-of`-style date: the ISO form only, with an error that shows it (chrono's own says
/// just "input is out of range" or "premature end of input").
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| format!("{e}; expected a date as YYYY-MM-DD, e.g. 2026-06-01"))
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
    /// Evaluate dates as of this day, YYYY-MM-DD (default: the audit date).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
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
    /// An obligation without the evidence it needs.
    Missing,
    /// Evidence past its review date or expiry.
    Stale,
    /// A condition of the obligation not met (e.g. a fact absent, or a posting too late).
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
    #[command(after_help = concat!(
        "Examples:\n  fairfile frameworks list\n  fairfile frameworks list --audit examples/acme-resumerank\n  \
         fairfile frameworks list --format json\n",
        exit_status!()
    ))]
    List {
        /// Also load the framework files declared by this audit folder.
        #[arg(long, value_name = "AUDIT_DIR")]
        audit: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one framework's obligations and evidence kinds.
    #[command(after_help = concat!(
        "Examples:\n  fairfile frameworks show nyc-ll144\n  fairfile frameworks show eu-ai-act --format json\n",
        exit_status!()
    ))]
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
    /// Output format of the report (the documents are the same either way).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also check the attestations (`fairfile sign`) against these public keys: which key signed
    /// which version, and whether each signed file still matches. Repeatable.
    #[arg(long, value_name = "KEY.pub")]
    pub trust: Vec<PathBuf>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_with_a_helpful_error() {
        assert_eq!(
            parse_date("2026-06-01"),
            Ok(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap())
        );
        let err = parse_date("2026-13-01").unwrap_err();
        assert!(err.contains("expected a date as YYYY-MM-DD"), "{err}");
        assert!(parse_date("06/01/2026").is_err());
    }

    #[test]
    fn command_definition_is_consistent() {
        // clap's own checks: no clashing names or shorts, valid defaults (e.g. the global -q/-v).
        <Cli as clap::CommandFactory>::command().debug_assert();
    }
}
