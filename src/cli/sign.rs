//! `fairfile sign`: the signer's attestation of a sealed version (`crate::attest`).

use std::path::PathBuf;

use super::Outcome;
use super::args::AuditDir;
use crate::Result;
use crate::attest::keys::SecretKey;

#[derive(Debug, clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub audit: AuditDir,
    /// The private key file (`fairfile key new`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The sealed version to sign (`2` or `v2`; default: the latest).
    #[arg(long, value_name = "N", value_parser = super::diff::parse_version)]
    pub version: Option<u32>,
    /// Output folder holding the sealed versions (default: AUDIT_DIR/dist).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Output format of the report.
    #[arg(long, value_enum, default_value_t = super::args::Format::Table)]
    pub format: super::args::Format,
}

pub fn run(args: SignArgs) -> Result<Outcome> {
    let key = SecretKey::load(&args.key)?;
    let out = args
        .out
        .unwrap_or_else(|| args.audit.audit_dir.join(crate::pipeline::DEFAULT_OUT_DIR));
    let signed = crate::attest::sign(&args.audit.audit_dir, &out, args.version, &key)?;
    let fingerprint = key.public().fingerprint();
    if args.format == super::args::Format::Json {
        super::print_json(&signed)?;
        return Ok(Outcome::Success);
    }
    super::print_text(&if signed.added {
        format!(
            "signed version {} with key {fingerprint}: {} ({} signature{})\n",
            signed.version,
            signed.file.display(),
            signed.signatures,
            if signed.signatures == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "version {} is already signed with key {fingerprint}: {} unchanged\n",
            signed.version,
            signed.file.display()
        )
    })?;
    Ok(Outcome::Success)
}
