//! `fairfile export oscal`: a sealed version's check as OSCAL Assessment Results
//! (`crate::attest::oscal`).

use std::path::PathBuf;

use super::Outcome;
use super::args::AuditDir;
use crate::Result;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub command: ExportCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// OSCAL 1.1.3 Assessment Results JSON of a sealed version's check, for GRC tools.
    #[command(after_help = concat!(
        "Examples:\n  fairfile export oscal examples/acme-resumerank > assessment-results.json\n  \
         fairfile export oscal . --version 2 --out ar-v2.json\n\n\
         One finding per obligation (satisfied / not-satisfied, with fairfile's status and reason),\n\
         an observation per evidence file (path, SHA-256, date) and per computed figure. Read from the\n\
         sealed results file; the same version exports the same bytes. Mapping: docs/attest.md.\n\n\
         Exit status:\n  0  success\n  2  usage or input error (e.g. no sealed version: run `fairfile build`)\n  3  internal failure",
    ))]
    Oscal {
        #[command(flatten)]
        audit: AuditDir,
        /// The sealed version (`2` or `v2`; default: the latest).
        #[arg(long, value_name = "N", value_parser = super::diff::parse_version)]
        version: Option<u32>,
        /// Output folder holding the sealed versions (default: AUDIT_DIR/dist).
        #[arg(long = "dist", value_name = "DIR")]
        dist: Option<PathBuf>,
        /// Write to this file (whole, or not at all) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(args: ExportArgs) -> Result<Outcome> {
    match args.command {
        ExportCommand::Oscal {
            audit,
            version,
            dist,
            out,
        } => {
            let dist_dir =
                dist.unwrap_or_else(|| audit.audit_dir.join(crate::pipeline::DEFAULT_OUT_DIR));
            let opened = crate::seal::Dist::open(&dist_dir, None)?;
            let sealed = crate::results::find_version(&opened, version)?;
            let results = crate::results::load_version(&opened, sealed)?;
            let doc = crate::attest::oscal::assessment_results(
                &results,
                sealed.entry.version,
                &sealed.entry.manifest,
            );
            let mut text = serde_json::to_string_pretty(&doc)
                .map_err(|e| crate::Error::Other(e.to_string()))?;
            text.push('\n');
            match out {
                Some(path) => crate::seal::write_atomic(&path, text.as_bytes())?,
                None => super::print_text(&text)?,
            }
        }
    }
    Ok(Outcome::Success)
}
