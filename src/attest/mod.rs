//! Who vouches for a sealed version: an Ed25519 signature over an in-toto Statement v1 in a DSSE
//! envelope (the format of Sigstore and SLSA), one file per version beside its manifest:
//! `dist/attestation-v<N>.dsse.json`. docs/attest.md says what a signature proves and what it
//! does not.
//!
//! The statement's subjects are every output the version sealed (documents, web page, results
//! file) and its manifest, by SHA-256; the predicate (`https://fairfile.dev/attestation/v1`)
//! carries the audit, the version, the auditor named in the sealed `fairfile.toml`, the input
//! digest and the headline figures (each family's rates and impact ratios), read from the sealed
//! results file after its hash is checked — never recomputed from today's folder.

pub mod dsse;
pub mod keys;
pub mod oscal;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::Audit;
use crate::diag::{Error, InputError, Location, Result};
use crate::hash::sha256_hex;
pub use crate::seal::{AttestationReport, SignatureCheck};
use crate::seal::{Dist, SealedVersion};
use dsse::{Envelope, Signature};
use keys::{PublicKey, SecretKey};

/// in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// fairfile's predicate (docs/attest.md).
pub const PREDICATE_TYPE: &str = "https://fairfile.dev/attestation/v1";

/// `attestation-v<N>.dsse.json`.
pub fn attestation_file_name(version: u32) -> String {
    format!("attestation-v{version}.dsse.json")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Predicate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    pub digest: Digest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub sha256: String,
}

/// What the signer attests, beside the subjects' hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predicate {
    pub audit_id: String,
    pub version: u32,
    /// The audit date (the build date of every document of the version).
    pub audit_date: NaiveDate,
    pub auditor: Auditor,
    /// The version's content hash: the inputs the numbers were computed from.
    pub input_digest: String,
    /// `selection` or `scoring` (6 RCNY § 5-301(b) or (c)).
    pub mode: String,
    pub total: u64,
    /// Per family (`sex`, `race_ethnicity`, `intersectional`): each category's rate and impact
    /// ratio, exact, as in the sealed results file.
    pub figures: Vec<Family>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auditor {
    pub name: String,
    pub organization: Option<String>,
    /// `[auditor] independent` (6 RCNY § 5-300).
    pub independent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Family {
    pub family: String,
    pub reference: Option<String>,
    pub unknown: u64,
    pub categories: Vec<Figure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub category: String,
    pub n: u64,
    pub rate: Option<f64>,
    pub impact_ratio: Option<f64>,
}

/// The statement of sealed version `sealed` in `dist`, for the audit folder `audit`.
pub fn statement(audit: &Audit, dist: &Dist, sealed: &SealedVersion) -> Result<Statement> {
    let version = sealed.entry.version;
    let results = crate::results::load_version(dist, sealed)?;
    // The auditor comes from fairfile.toml, which the version sealed: it must be the same file.
    let config = sealed
        .manifest
        .inputs
        .iter()
        .find(|i| i.role == "config")
        .ok_or_else(|| Error::Other(format!("version {version} sealed no fairfile.toml")))?;
    let current = sha256_hex(audit.config_text.as_bytes());
    if current != config.sha256 {
        return Err(InputError::new(
            Location::file(&audit.config_path),
            format!(
                "fairfile.toml changed since version {version} was sealed (sealed {}, now {})",
                &config.sha256[..12],
                &current[..12]
            ),
        )
        .with_help("sign the version the folder is now: run `fairfile build`, then `fairfile sign`")
        .into());
    }
    let auditor = &audit.config.auditor;
    let mut subject: Vec<Subject> = sealed
        .manifest
        .outputs
        .iter()
        .map(|o| Subject {
            name: o.file.clone(),
            digest: Digest {
                sha256: o.sha256.clone(),
            },
        })
        .collect();
    subject.push(Subject {
        name: sealed.entry.manifest.clone(),
        digest: Digest {
            sha256: sealed.entry.manifest_sha256.clone(),
        },
    });
    let figures = results
        .metrics
        .dimensions
        .iter()
        .filter(|(_, d)| d.provided)
        .map(|(family, d)| Family {
            family: family.to_string(),
            reference: d.reference.clone(),
            unknown: d.unknown,
            categories: d
                .categories
                .iter()
                .map(|c| Figure {
                    category: c.category.clone(),
                    n: c.n,
                    rate: c.rate,
                    impact_ratio: c.impact_ratio,
                })
                .collect(),
        })
        .collect();
    Ok(Statement {
        statement_type: STATEMENT_TYPE.to_string(),
        subject,
        predicate_type: PREDICATE_TYPE.to_string(),
        predicate: Predicate {
            audit_id: results.audit_id.clone(),
            version,
            audit_date: results.build_date,
            auditor: Auditor {
                name: auditor.name.clone(),
                organization: auditor.organization.clone(),
                independent: auditor.independent,
            },
            input_digest: results.input_digest.clone(),
            mode: serde_json::to_value(results.metrics.mode)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            total: results.metrics.total,
            figures,
        },
    })
}

/// Schema id of `fairfile sign --format json`.
pub const SIGN_SCHEMA: &str = "fairfile.sign/1";
/// Schema id of `fairfile key new --format json`.
pub const KEY_SCHEMA: &str = "fairfile.key/1";

/// `fairfile key new --format json`: the files written and the key's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewKey {
    /// `fairfile.key/1`.
    pub schema: String,
    pub private_key: String,
    pub public_key: String,
    /// The DSSE keyid: SHA-256 (hex) of the raw public key.
    pub keyid: String,
    pub fingerprint: String,
    pub encrypted: bool,
}

/// What `sign` did (`fairfile sign --format json`, schema `fairfile.sign/1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Signed {
    /// `fairfile.sign/1`.
    pub schema: String,
    pub file: PathBuf,
    pub version: u32,
    pub keyid: String,
    /// False when this key had already signed the version (nothing changed).
    pub added: bool,
    pub signatures: usize,
}

/// Sign sealed version `version` (`None`: the latest) of the audit in `audit_dir`, output folder
/// `out_dir`, with `key`. A second key adds its signature to the same envelope (auditor and
/// employer); the same key again changes nothing. Ed25519 is deterministic, so the file is the
/// same for the same key and version.
pub fn sign(
    audit_dir: &Path,
    out_dir: &Path,
    version: Option<u32>,
    key: &SecretKey,
) -> Result<Signed> {
    let audit = Audit::load(audit_dir)?;
    let dist = Dist::open(out_dir, Some(audit.config.audit.get_ref().id.get_ref()))?;
    let sealed = crate::results::find_version(&dist, version)?;
    let statement = statement(&audit, &dist, sealed)?;
    let payload = serde_json::to_vec(&statement).expect("a statement serializes");
    let file = out_dir.join(attestation_file_name(sealed.entry.version));
    let mut envelope = match std::fs::read(&file) {
        Ok(bytes) => {
            let existing = Envelope::parse(&bytes, &file)?;
            if existing.payload_bytes()? != payload {
                return Err(InputError::new(
                    Location::file(&file),
                    "this attestation states something else than the sealed version does now (its payload differs)",
                )
                .with_help("run `fairfile verify --trust KEY` to see which; move the file away to start a new one")
                .into());
            }
            existing
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Envelope::new(PAYLOAD_TYPE, &payload),
        Err(e) => return Err(Error::io(&file, e)),
    };
    let keyid = key.public().keyid();
    let added = !envelope.signatures.iter().any(|s| s.keyid == keyid);
    if added {
        envelope.signatures.push(Signature {
            keyid: keyid.clone(),
            sig: key.sign(&dsse::pae(PAYLOAD_TYPE, &payload)),
        });
        crate::seal::write_atomic(&file, &envelope.to_json())?;
    }
    Ok(Signed {
        schema: SIGN_SCHEMA.to_string(),
        file,
        version: sealed.entry.version,
        keyid,
        added,
        signatures: envelope.signatures.len(),
    })
}

/// Check the attestations in `dist` with `trusted` keys. `required`: the latest version must
/// carry a valid signature by a trusted key (`[audit] require_signature`).
pub fn verify(dist: &Dist, trusted: &[(String, PublicKey)], required: bool) -> AttestationReport {
    let mut report = AttestationReport::default();
    for sealed in &dist.versions {
        let version = sealed.entry.version;
        let name = attestation_file_name(version);
        let path = dist.dir.join(&name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(_) => continue,
        };
        let envelope = match Envelope::parse(&bytes, &path) {
            Ok(e) => e,
            Err(e) => {
                report.problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let payload = match envelope.payload_bytes() {
            Ok(p) => p,
            Err(e) => {
                report.problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let signed_text = dsse::pae(&envelope.payload_type, &payload);
        for s in &envelope.signatures {
            let by = trusted.iter().find(|(_, k)| k.keyid() == s.keyid);
            let valid = by.is_some_and(|(_, k)| k.verify(&signed_text, &s.sig));
            match by {
                None => report.problems.push(format!(
                    "{name}: signed by key {}, which is not among the trusted keys (--trust)",
                    short(&s.keyid)
                )),
                Some((file, _)) if !valid => report.problems.push(format!(
                    "{name}: the signature by {file} (key {}) does not verify: the attestation was altered",
                    short(&s.keyid)
                )),
                _ => {}
            }
            report.signatures.push(SignatureCheck {
                version,
                file: name.clone(),
                keyid: s.keyid.clone(),
                trusted_key: by.map(|(f, _)| f.clone()),
                valid,
            });
        }
        if envelope.payload_type != PAYLOAD_TYPE {
            report.problems.push(format!(
                "{name}: payload type {:?}, not {PAYLOAD_TYPE}",
                envelope.payload_type
            ));
            continue;
        }
        let statement: Statement = match serde_json::from_slice(&payload) {
            Ok(s) => s,
            Err(e) => {
                report
                    .problems
                    .push(format!("{name}: the statement is not readable: {e}"));
                continue;
            }
        };
        if statement.predicate.version != version {
            report.problems.push(format!(
                "{name}: attests version {}, but it is named for version {version}",
                statement.predicate.version
            ));
        }
        for subject in &statement.subject {
            let file = dist.dir.join(&subject.name);
            match std::fs::read(&file) {
                Ok(b) if sha256_hex(&b) == subject.digest.sha256 => {}
                Ok(b) => report.problems.push(format!(
                    "{name}: signed subject {} changed: signed {}, now {}",
                    subject.name,
                    short(&subject.digest.sha256),
                    short(&sha256_hex(&b))
                )),
                Err(_) => report.problems.push(format!(
                    "{name}: signed subject {} is missing",
                    subject.name
                )),
            }
        }
    }
    if required && let Some(latest) = dist.versions.last() {
        let v = latest.entry.version;
        if !report.signatures.iter().any(|s| s.version == v && s.valid) {
            report.problems.push(format!(
                "version {v} is not signed by a trusted key, and fairfile.toml sets [audit] require_signature = true"
            ));
        }
    }
    report
}

fn short(hex: &str) -> &str {
    &hex[..hex.len().min(16)]
}

/// For a lone file (`verify FILE.pdf --trust KEY`): the attestations beside it (in its folder)
/// whose statement names a subject with the file's SHA-256 — by digest, so a renamed published
/// copy is recognised — and a valid signature by a trusted key. A problem when none does.
pub fn verify_file(sha256: &str, dir: &Path, trusted: &[(String, PublicKey)]) -> AttestationReport {
    let mut report = AttestationReport::default();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("attestation-v") && n.ends_with(".dsse.json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let Ok(envelope) = Envelope::parse(&bytes, &path) else {
            report.problems.push(format!("{name}: not a DSSE envelope"));
            continue;
        };
        let Ok(payload) = envelope.payload_bytes() else {
            continue;
        };
        let Ok(statement) = serde_json::from_slice::<Statement>(&payload) else {
            continue;
        };
        if !statement.subject.iter().any(|s| s.digest.sha256 == sha256) {
            continue;
        }
        let signed_text = dsse::pae(&envelope.payload_type, &payload);
        for s in &envelope.signatures {
            let by = trusted.iter().find(|(_, k)| k.keyid() == s.keyid);
            let valid = by.is_some_and(|(_, k)| k.verify(&signed_text, &s.sig));
            report.signatures.push(SignatureCheck {
                version: statement.predicate.version,
                file: name.clone(),
                keyid: s.keyid.clone(),
                trusted_key: by.map(|(f, _)| f.clone()),
                valid,
            });
        }
    }
    if !report.signatures.iter().any(|s| s.valid) {
        report.problems.push(format!(
            "no attestation in {} signs this file's bytes with a trusted key",
            dir.display()
        ));
    }
    report
}
