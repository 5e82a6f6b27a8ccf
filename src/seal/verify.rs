//! `fairfile verify`: does an output folder still match what it sealed, and what does a lone PDF
//! attest?
//!
//! For a folder: the whole ledger chain is walked (each line's hash and link, versions
//! consecutive), each manifest is re-hashed against its ledger line, every output of every sealed
//! version is re-hashed, and every input of the latest version is re-hashed and compared with the
//! inputs a build would collect now (so that a new evidence file is noticed too). Nothing is
//! rendered.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::dist::Dist;
use super::manifest::{EMBEDDED_MANIFEST_SCHEMA, EmbeddedManifest};
use super::pdf::extract_embedded_file;
use super::problem::Problem;
use super::{input_digest, short_hash};
use crate::diag::{Error, Result};
use crate::hash::{sha256_file, sha256_hex};
use crate::inputs::InputRecord;

/// Name of the manifest embedded in each PDF.
pub const EMBEDDED_MANIFEST_NAME: &str = "manifest.json";

/// Where the current inputs come from: the audit folder, and the inputs a build would collect
/// from it now (or why they could not be collected).
#[derive(Debug, Clone)]
pub struct InputSource {
    pub audit_root: PathBuf,
    pub current: std::result::Result<Vec<InputRecord>, String>,
}

/// The result of verifying an output folder.
#[derive(Debug, Clone)]
pub struct FolderReport {
    pub out_dir: PathBuf,
    /// Lines in the ledger.
    pub ledger_lines: usize,
    /// The latest sealed version, its date and the fairfile version that built it.
    pub latest: Option<(u32, NaiveDate, String)>,
    pub inputs_checked: usize,
    pub outputs_checked: usize,
    pub problems: Vec<Problem>,
}

impl FolderReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verify the output folder `out_dir` against the audit's current inputs.
pub fn verify_folder(
    out_dir: &Path,
    inputs: &InputSource,
    audit_id: Option<&str>,
) -> Result<FolderReport> {
    let dist = Dist::open(out_dir, audit_id)?;
    let mut problems = Vec::new();
    if dist.ledger_bytes.is_none() {
        problems.push(Problem::NoLedger {
            dir: out_dir.to_path_buf(),
        });
    }
    problems.extend(dist.problems.iter().cloned());

    let (outputs_checked, output_problems) = dist.check_outputs();
    problems.extend(output_problems);

    let mut inputs_checked = 0;
    if let Some(latest) = dist.latest() {
        let (checked, input_problems) =
            compare_inputs(&latest.manifest.inputs, latest.entry.version, inputs);
        inputs_checked = checked;
        problems.extend(input_problems);
    } else if dist.ledger.latest().is_some() {
        // The latest manifest could not be read (already reported): the inputs cannot be compared.
    } else if let Err(message) = &inputs.current {
        problems.push(Problem::Collection {
            message: message.clone(),
        });
    }

    Ok(FolderReport {
        out_dir: out_dir.to_path_buf(),
        ledger_lines: dist.ledger.entries.len(),
        latest: dist.latest().map(|v| {
            (
                v.entry.version,
                v.entry.date,
                v.manifest.fairfile_version.clone(),
            )
        }),
        inputs_checked,
        outputs_checked,
        problems,
    })
}

/// Compare sealed inputs (of `version`) with the audit folder now. Files are re-hashed by path
/// (so a change is found even when the file no longer parses); inputs compiled into fairfile are
/// compared with the current collection; inputs the current collection has but the sealed
/// version lacks are reported as added. Returns how many sealed inputs were checked.
pub(crate) fn compare_inputs(
    sealed: &[InputRecord],
    version: u32,
    source: &InputSource,
) -> (usize, Vec<Problem>) {
    let mut problems = Vec::new();
    let current: BTreeMap<&str, &InputRecord> = match &source.current {
        Ok(records) => records.iter().map(|r| (r.path.as_str(), r)).collect(),
        Err(message) => {
            problems.push(Problem::Collection {
                message: message.clone(),
            });
            BTreeMap::new()
        }
    };
    let collected = source.current.is_ok();
    for input in sealed {
        let actual = if input.is_builtin() {
            match current.get(input.path.as_str()) {
                Some(now) => now.sha256.clone(),
                None if collected => {
                    problems.push(Problem::InputMissing {
                        version,
                        role: input.role.clone(),
                        path: input.path.clone(),
                    });
                    continue;
                }
                None => continue, // unknown without a collection; the collection error is reported
            }
        } else if let Some(now) = current.get(input.path.as_str()) {
            // Already hashed by the collection: a large data file is not read twice.
            now.sha256.clone()
        } else if !crate::config::is_inside(&source.audit_root, &input.path) {
            // A manifest (perhaps from a PDF someone sent) is untrusted: never read outside.
            problems.push(Problem::InputUnreadable {
                path: input.path.clone(),
                message: "names a file outside the audit folder; not read".into(),
            });
            continue;
        } else {
            let path = source.audit_root.join(&input.path);
            match sha256_file(&path) {
                Ok(hash) => hash,
                Err(Error::Io { source: e, .. }) if e.kind() == std::io::ErrorKind::NotFound => {
                    problems.push(Problem::InputMissing {
                        version,
                        role: input.role.clone(),
                        path: input.path.clone(),
                    });
                    continue;
                }
                Err(e) => {
                    problems.push(Problem::InputUnreadable {
                        path: input.path.clone(),
                        message: e.to_string(),
                    });
                    continue;
                }
            }
        };
        if actual != input.sha256 {
            problems.push(Problem::InputChanged {
                version,
                role: input.role.clone(),
                path: input.path.clone(),
                expected: input.sha256.clone(),
                actual,
            });
        }
    }
    let sealed_paths: BTreeSet<&str> = sealed.iter().map(|r| r.path.as_str()).collect();
    for (path, record) in &current {
        if !sealed_paths.contains(path) {
            problems.push(Problem::InputAdded {
                version,
                role: record.role.clone(),
                path: path.to_string(),
            });
        }
    }
    (sealed.len(), problems)
}

/// What a lone PDF attests, and whether it still matches.
#[derive(Debug, Clone)]
pub struct PdfReport {
    pub file: PathBuf,
    pub sha256: String,
    pub bytes: u64,
    /// The embedded manifest, when there is a readable one.
    pub attestation: Option<EmbeddedManifest>,
    /// What was checked against an output folder / audit folder, when given.
    pub audit: Option<PdfAudit>,
    pub problems: Vec<Problem>,
}

impl PdfReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The PDF compared with a sealed output folder and the audit's current files.
#[derive(Debug, Clone)]
pub struct PdfAudit {
    pub out_dir: PathBuf,
    /// The latest version sealed in the folder.
    pub latest_version: Option<u32>,
    /// Whether the PDF's bytes are the output the folder's manifest sealed for this document.
    pub matches_sealed_output: bool,
    /// Whether the attested inputs were compared with the audit folder's current files.
    pub inputs_compared: bool,
}

/// Read the manifest embedded in `pdf_bytes` and check it: on its own (its input digest), and,
/// when given, against the sealed output folder `out_dir` (is this PDF the sealed output of its
/// version?) and the audit's current inputs (do the attested inputs still match?).
pub fn verify_pdf_attestation(
    file: &Path,
    pdf_bytes: &[u8],
    out_dir: Option<&Path>,
    inputs: Option<&InputSource>,
) -> Result<PdfReport> {
    let mut report = PdfReport {
        file: file.to_path_buf(),
        sha256: sha256_hex(pdf_bytes),
        bytes: pdf_bytes.len() as u64,
        attestation: None,
        audit: None,
        problems: Vec::new(),
    };
    let name = file.display();
    let embedded = match extract_embedded_file(pdf_bytes, EMBEDDED_MANIFEST_NAME) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            report.problems.push(Problem::Attestation {
                message: format!(
                    "{name} embeds no {EMBEDDED_MANIFEST_NAME}: it was not sealed by fairfile"
                ),
            });
            return Ok(report);
        }
        Err(message) => {
            // The LL144 web page is sealed through the folder's manifest, not an embedded one.
            let html = pdf_bytes
                .trim_ascii_start()
                .get(..9)
                .is_some_and(|head| head.eq_ignore_ascii_case(b"<!doctype"));
            let message = if html {
                "an HTML page, not a PDF: a page carries no embedded manifest; run `fairfile verify` on its audit folder (the manifest records the page's SHA-256)".to_string()
            } else {
                message
            };
            report.problems.push(Problem::Attestation {
                message: format!("{name}: {message}"),
            });
            return Ok(report);
        }
    };
    let attestation: EmbeddedManifest = match serde_json::from_slice(&embedded) {
        Ok(m) => m,
        Err(e) => {
            report.problems.push(Problem::Attestation {
                message: format!("{name}: the embedded {EMBEDDED_MANIFEST_NAME} is not a fairfile input manifest ({e})"),
            });
            return Ok(report);
        }
    };
    if attestation.schema != EMBEDDED_MANIFEST_SCHEMA {
        report.problems.push(Problem::Attestation {
            message: format!(
                "{name}: the embedded manifest has schema {:?}, expected {EMBEDDED_MANIFEST_SCHEMA:?}",
                attestation.schema
            ),
        });
    }
    if input_digest(&attestation.inputs) != attestation.input_digest {
        report.problems.push(Problem::Attestation {
            message: format!(
                "{name}: the embedded manifest's input_digest is not the digest of its inputs"
            ),
        });
    }

    if let Some(out_dir) = out_dir {
        let dist = Dist::open(out_dir, Some(&attestation.audit_id))?;
        let mut audit = PdfAudit {
            out_dir: out_dir.to_path_buf(),
            latest_version: dist.latest().map(|v| v.entry.version),
            matches_sealed_output: false,
            inputs_compared: false,
        };
        if dist.ledger_bytes.is_none() {
            report.problems.push(Problem::NoLedger {
                dir: out_dir.to_path_buf(),
            });
        }
        report.problems.extend(dist.problems.iter().cloned());
        match dist
            .versions
            .iter()
            .find(|v| v.entry.version == attestation.version)
        {
            None => report.problems.push(Problem::Attestation {
                message: format!(
                    "{name} attests v{} of {}, which {} does not seal",
                    attestation.version,
                    attestation.audit_id,
                    out_dir.display()
                ),
            }),
            Some(sealed) => {
                let manifest = &sealed.manifest;
                if manifest.audit_id != attestation.audit_id
                    || manifest.input_digest != attestation.input_digest
                {
                    report.problems.push(Problem::Attestation {
                        message: format!(
                            "{name} attests inputs other than the sealed v{} ({}): input digest {} vs sealed {}",
                            attestation.version,
                            sealed.entry.manifest,
                            short_hash(&attestation.input_digest),
                            short_hash(&manifest.input_digest)
                        ),
                    });
                }
                match manifest
                    .outputs
                    .iter()
                    // The document's PDF (the LL144 summary also has a web page under its slug).
                    .find(|o| o.document == attestation.document && o.file.ends_with(".pdf"))
                {
                    None => report.problems.push(Problem::Attestation {
                        message: format!(
                            "{} seals no {} document for v{}",
                            sealed.entry.manifest, attestation.document, attestation.version
                        ),
                    }),
                    Some(output) if output.sha256 == report.sha256 => {
                        audit.matches_sealed_output = true
                    }
                    Some(output) => report.problems.push(Problem::Attestation {
                        message: format!(
                            "{name} is not the sealed {} (v{}): sealed {} ({}), this file {}",
                            output.file,
                            attestation.version,
                            short_hash(&output.sha256),
                            sealed.entry.manifest,
                            short_hash(&report.sha256)
                        ),
                    }),
                }
            }
        }
        if let Some(inputs) = inputs {
            let (_, problems) = compare_inputs(&attestation.inputs, attestation.version, inputs);
            report.problems.extend(problems);
            audit.inputs_compared = true;
        }
        report.audit = Some(audit);
    } else if let Some(inputs) = inputs {
        let (_, problems) = compare_inputs(&attestation.inputs, attestation.version, inputs);
        report.problems.extend(problems);
    }
    report.attestation = Some(attestation);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;

    fn source(root: &Path, current: Vec<InputRecord>) -> InputSource {
        InputSource {
            audit_root: root.to_path_buf(),
            current: Ok(current),
        }
    }

    #[test]
    fn compare_finds_changed_missing_added_and_rehashes_files_by_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fairfile.toml"), "config").unwrap();
        std::fs::create_dir(dir.path().join("evidence")).unwrap();
        std::fs::write(dir.path().join("evidence/a.md"), "tampered").unwrap();
        let sealed = vec![
            record("config", "fairfile.toml", "config"),
            record("framework", "builtin:frameworks/x.toml", "fw"),
            record("evidence", "evidence/a.md", "original"),
            record("evidence", "evidence/gone.md", "g"),
        ];
        // The collection failed, so files are re-hashed by path; builtins cannot be compared.
        let failed = InputSource {
            audit_root: dir.path().to_path_buf(),
            current: Err("bad front matter".into()),
        };
        let (checked, problems) = compare_inputs(&sealed, 3, &failed);
        assert_eq!(checked, 4);
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].contains("cannot be collected: bad front matter"));
        assert!(
            text[1].starts_with("input evidence/a.md (evidence) changed since v3: sealed "),
            "{text:?}"
        );
        assert_eq!(
            text[2],
            "input evidence/gone.md (evidence) of v3 is missing"
        );

        // With a collection: builtins are compared and new inputs are reported.
        let current = vec![
            record("config", "fairfile.toml", "config"),
            record("framework", "builtin:frameworks/x.toml", "fw2"),
            record("evidence", "evidence/a.md", "original"),
            record("evidence", "evidence/new.md", "n"),
        ];
        let (_, problems) = compare_inputs(&sealed, 3, &source(dir.path(), current));
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text[0].starts_with("input builtin:frameworks/x.toml (framework) changed since v3"),
            "{text:?}"
        );
        assert_eq!(
            text[1],
            "input evidence/gone.md (evidence) of v3 is missing"
        );
        assert_eq!(
            text[2],
            "input evidence/new.md (evidence) is new since v3 (not sealed)"
        );
    }

    #[test]
    fn folder_without_ledger_fails() {
        let dir = tempfile::tempdir().unwrap();
        let report =
            verify_folder(&dir.path().join("dist"), &source(dir.path(), vec![]), None).unwrap();
        assert!(!report.is_ok());
        assert!(matches!(report.problems[0], Problem::NoLedger { .. }));
    }

    #[test]
    fn pdf_without_manifest_is_not_attested() {
        let pdf = super::super::pdf::test_pdf(&[("notes.txt", b"x")], true);
        let report = verify_pdf_attestation(Path::new("x.pdf"), &pdf, None, None).unwrap();
        assert!(report.attestation.is_none());
        assert!(
            report.problems[0]
                .to_string()
                .contains("embeds no manifest.json"),
            "{:?}",
            report.problems
        );
    }
}

/// One signature of one attestation, as verified.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct SignatureCheck {
    pub version: u32,
    pub file: String,
    pub keyid: String,
    /// The trusted key file whose key made it, if any.
    pub trusted_key: Option<String>,
    /// The signature verifies over the envelope's payload (only known for a trusted key).
    pub valid: bool,
}

/// Every attestation in an output folder checked against the trusted keys: signatures, and each
/// signed subject against the file's bytes now. `problems` are the findings that make `verify`
/// exit 1.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct AttestationReport {
    pub signatures: Vec<SignatureCheck>,
    pub problems: Vec<String>,
}

/// Schema id of `fairfile verify --format json`.
pub const VERIFY_SCHEMA: &str = "fairfile.verify/1";

/// `fairfile verify --format json`: an audit folder's sealed versions, or a lone PDF.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct VerifyReport {
    /// `fairfile.verify/1`.
    pub schema: String,
    /// True when nothing is wrong (exit status 0); false with problems (exit status 1).
    pub ok: bool,
    /// Present when a folder was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<VerifiedFolder>,
    /// Present when a lone PDF was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf: Option<VerifiedPdf>,
    pub problems: Vec<VerifyProblem>,
    /// With `--trust` (or `[audit] require_signature`): the attestations' signatures, checked
    /// (`fairfile sign`, docs/attest.md). Their problems are in `problems` too (code `signature`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<AttestationReport>,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct VerifiedFolder {
    pub out_dir: String,
    pub ledger_lines: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_build_date: Option<NaiveDate>,
    /// The fairfile version that built the latest version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built_by: Option<String>,
    pub inputs_checked: usize,
    pub outputs_checked: usize,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct VerifiedPdf {
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    /// What the embedded manifest attests, when there is a readable one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attests: Option<PdfAttests>,
    /// Whether its bytes are the output the folder's manifest sealed (with `--audit`/`--out`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches_sealed_output: Option<bool>,
    /// Whether the attested inputs were compared with the audit folder's current files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs_compared: Option<bool>,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct PdfAttests {
    pub audit_id: String,
    pub version: u32,
    pub build_date: NaiveDate,
    pub document: String,
    pub input_digest: String,
    pub inputs: usize,
    pub fairfile_version: String,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct VerifyProblem {
    /// A stable name of the kind of problem (`output_changed`, `input_missing`, `ledger`, …).
    pub code: String,
    /// The message `fairfile verify` prints.
    pub message: String,
}

fn problems_json(problems: &[Problem]) -> Vec<VerifyProblem> {
    problems
        .iter()
        .map(|p| VerifyProblem {
            code: p.code().to_string(),
            message: p.to_string(),
        })
        .collect()
}

impl FolderReport {
    pub fn to_json(&self) -> VerifyReport {
        VerifyReport {
            schema: VERIFY_SCHEMA.to_string(),
            ok: self.is_ok(),
            folder: Some(VerifiedFolder {
                out_dir: self.out_dir.display().to_string(),
                ledger_lines: self.ledger_lines,
                latest_version: self.latest.as_ref().map(|l| l.0),
                latest_build_date: self.latest.as_ref().map(|l| l.1),
                built_by: self.latest.as_ref().map(|l| l.2.clone()),
                inputs_checked: self.inputs_checked,
                outputs_checked: self.outputs_checked,
            }),
            pdf: None,
            problems: problems_json(&self.problems),
            signatures: None,
        }
    }
}

impl PdfReport {
    pub fn to_json(&self) -> VerifyReport {
        VerifyReport {
            schema: VERIFY_SCHEMA.to_string(),
            ok: self.is_ok(),
            folder: None,
            pdf: Some(VerifiedPdf {
                file: self.file.display().to_string(),
                sha256: self.sha256.clone(),
                bytes: self.bytes,
                attests: self.attestation.as_ref().map(|m| PdfAttests {
                    audit_id: m.audit_id.clone(),
                    version: m.version,
                    build_date: m.build_date,
                    document: m.document.clone(),
                    input_digest: m.input_digest.clone(),
                    inputs: m.inputs.len(),
                    fairfile_version: m.fairfile_version.clone(),
                }),
                matches_sealed_output: self.audit.as_ref().map(|a| a.matches_sealed_output),
                inputs_compared: self.audit.as_ref().map(|a| a.inputs_compared),
            }),
            problems: problems_json(&self.problems),
            signatures: None,
        }
    }
}

impl VerifyReport {
    /// Add the signature checks: their problems make the report fail.
    pub fn with_signatures(mut self, signatures: AttestationReport) -> VerifyReport {
        for p in &signatures.problems {
            self.problems.push(VerifyProblem {
                code: "signature".to_string(),
                message: p.clone(),
            });
        }
        self.ok = self.problems.is_empty();
        self.signatures = Some(signatures);
        self
    }
}
