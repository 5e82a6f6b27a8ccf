//! `fairfile key new`: an Ed25519 key pair for signing sealed versions (`crate::attest::keys`).

use std::path::PathBuf;

use super::Outcome;
use crate::Result;
use crate::attest::keys::SecretKey;

#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Make a new Ed25519 key pair: FILE (private, owner-only) and FILE.pub (to publish).
    #[command(after_help = concat!(
        "Examples:\n  fairfile key new --out ~/.config/fairfile/auditor.key\n  \
         read -rs FAIRFILE_KEY_PASSPHRASE; export FAIRFILE_KEY_PASSPHRASE\n  \
         fairfile key new --out auditor.key --encrypt   # the private key encrypted with it\n  \
         fairfile sign examples/acme-resumerank --key ~/.config/fairfile/auditor.key\n\n\
         Publish FILE.pub (e.g. on your firm's website); anyone can then check your signatures with\n\
         `fairfile verify DIR --trust FILE.pub`. Keep FILE private: whoever holds it signs as you.\n\n\
         Exit status:\n  0  success\n  2  usage or input error (e.g. FILE or FILE.pub already exists: nothing is written)\n  \
         3  internal failure",
    ))]
    New {
        /// The private key file to write (never overwritten); the public key goes to FILE.pub.
        #[arg(long, value_name = "FILE", default_value = "fairfile-signing.key")]
        out: PathBuf,
        /// Encrypt the private key with the passphrase in FAIRFILE_KEY_PASSPHRASE (needed again
        /// by `fairfile sign`).
        #[arg(long)]
        encrypt: bool,
        /// Output format of the report.
        #[arg(long, value_enum, default_value_t = super::args::Format::Table)]
        format: super::args::Format,
    },
}

pub fn run(args: KeyArgs) -> Result<Outcome> {
    match args.command {
        KeyCommand::New {
            out,
            encrypt,
            format,
        } => {
            let pass = if encrypt {
                Some(crate::attest::keys::passphrase("--encrypt")?)
            } else {
                None
            };
            let key = SecretKey::generate()?;
            let public = key.write(&out, pass.as_deref())?;
            if format == super::args::Format::Json {
                super::print_json(&crate::attest::NewKey {
                    schema: crate::attest::KEY_SCHEMA.to_string(),
                    private_key: out.display().to_string(),
                    public_key: public.display().to_string(),
                    keyid: key.public().keyid(),
                    fingerprint: key.public().fingerprint(),
                    encrypted: encrypt,
                })?;
                return Ok(Outcome::Success);
            }
            super::print_text(&format!(
                "private key: {} (owner-only; keep it secret)\npublic key:  {} (publish it)\nfingerprint: {}\n",
                out.display(),
                public.display(),
                key.public().fingerprint()
            ))?;
        }
    }
    Ok(Outcome::Success)
}
