//! Sealing a build: decide whether the inputs changed, render the documents of the new version,
//! and write them, their manifest and the ledger line, in an order that never leaves a damaged or
//! half-sealed folder behind.
//!
//! 1. Read the output folder and check its ledger and manifests; refuse to extend a damaged chain.
//! 2. Same input digest and fairfile version as the latest sealed version: "up to date", write
//!    nothing.
//! 3. Render every document into memory (a template error stops here: nothing was written).
//! 4. Take the folder's build lock, check no other build sealed a version meanwhile, record the
//!    version about to be sealed (`.fairfile-sealing`, see `intent`), then write each document and
//!    `manifest-v<N>.json` atomically (temporary file + rename), removing them again if any write
//!    fails.
//! 5. Last, replace `ledger.jsonl` atomically with the old lines plus the new one. Only this step
//!    seals the version: a build killed before it leaves unsealed files that the next build
//!    overwrites (the intent record tells its manifest from a deleted ledger line) and `verify`
//!    reports.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use super::dist::{Dist, RESULTS_DOCUMENT, manifest_file_name, output_file, results_file_name};
use super::ledger::{LEDGER_FILE, LedgerEntry};
use super::manifest::{InputChange, MANIFEST_SCHEMA, Manifest, OutputRecord, diff_inputs};
use super::problem::Problem;
use super::{FAIRFILE_VERSION, input_digest};
use crate::diag::{Error, InputError, Location, Result};
use crate::document::{Format, Output};
use crate::hash::sha256_hex;
use crate::history::HistoryEntry;
use crate::inputs::{InputRecord, canonical_inputs};
use crate::render::DocumentKind;

/// Name of the lock file that keeps two builds from sealing into one folder at once.
const LOCK_FILE: &str = ".fairfile.lock";

/// What to seal: the audit, its inputs and the documents to render.
#[derive(Debug, Clone)]
pub struct SealRequest {
    pub audit_id: String,
    /// The build date written into manifests and documents: the audit date, never the clock.
    pub build_date: NaiveDate,
    /// Every input with its hash, in any order (put into canonical order here).
    pub inputs: Vec<InputRecord>,
    /// The files of this audit's documents, in the order to render them (a document in each of
    /// its formats, [`Output::for_audit`]).
    pub documents: Vec<Output>,
    /// The version's machine-readable results (`<audit-id>-results-v<N>.json`, see
    /// [`crate::results`]), sealed as one more output so that `diff`, `sign` and `export` read
    /// the numbers a version attests from the version itself, never from a recomputation.
    /// `None` seals documents only.
    pub results: Option<Vec<u8>>,
}

/// One document to render, with everything the seal provides for it.
#[derive(Debug, Clone, Copy)]
pub struct DocumentJob<'a> {
    pub kind: DocumentKind,
    pub format: Format,
    pub version: u32,
    /// The file name it will be written under.
    pub file: &'a str,
    pub inputs: &'a [InputRecord],
    pub input_digest: &'a str,
    /// Earlier sealed versions, oldest first.
    pub history: &'a [HistoryEntry],
    /// The input manifest to embed (`manifest.json`).
    pub manifest_json: &'a [u8],
}

/// One file written by a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    /// How long rendering took (documents only; not recorded in any output).
    pub render_time: Option<Duration>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct SealOutcome {
    pub audit_id: String,
    pub out_dir: PathBuf,
    /// The latest sealed version after the build.
    pub version: u32,
    pub input_digest: String,
    pub inputs: Vec<InputRecord>,
    pub status: BuildStatus,
}

#[derive(Debug, Clone)]
pub enum BuildStatus {
    /// No input changed since the latest version: nothing was written. `problems` lists sealed
    /// documents (of any version) that are missing or altered (`fairfile verify` tells more).
    UpToDate { problems: Vec<Problem> },
    /// A new version was sealed.
    Built {
        /// Inputs added, removed or changed since the previous version.
        changes: Vec<InputChange>,
        /// The documents and the manifest, in the order written.
        written: Vec<WrittenFile>,
        /// The ledger line appended.
        ledger_entry: LedgerEntry,
        /// Documents of earlier versions that are missing or altered. They do not stop the build
        /// (each version stands on its own, and `verify` keeps reporting them), but the user must
        /// know.
        problems: Vec<Problem>,
    },
}

/// Seal a build into `out_dir`: a new version when the inputs changed, nothing otherwise.
/// `render` turns one [`DocumentJob`] into the bytes of its file (PDF or HTML).
pub fn seal_version(
    out_dir: &Path,
    request: SealRequest,
    mut render: impl FnMut(&DocumentJob<'_>) -> Result<Vec<u8>>,
) -> Result<SealOutcome> {
    let inputs = canonical_inputs(request.inputs);
    let digest = input_digest(&inputs);
    let dist = Dist::open(out_dir, Some(&request.audit_id))?;
    refuse_damaged(&dist, &request.audit_id)?;
    let (_, output_problems) = dist.check_outputs();

    let latest = dist.latest();
    if let Some(latest) = latest
        && latest.manifest.input_digest == digest
        && latest.manifest.fairfile_version == FAIRFILE_VERSION
    {
        return Ok(SealOutcome {
            audit_id: request.audit_id,
            out_dir: out_dir.to_path_buf(),
            version: latest.entry.version,
            input_digest: digest,
            inputs,
            status: BuildStatus::UpToDate {
                problems: output_problems,
            },
        });
    }

    let version = latest.map_or(1, |l| l.entry.version + 1);
    let changes = latest
        .map(|l| diff_inputs(&l.manifest.inputs, &inputs))
        .unwrap_or_default();
    let history = dist.history();
    let mut manifest = Manifest {
        schema: MANIFEST_SCHEMA.to_string(),
        fairfile_version: FAIRFILE_VERSION.to_string(),
        audit_id: request.audit_id.clone(),
        version,
        build_date: request.build_date,
        previous_manifest_sha256: latest.map(|l| l.entry.manifest_sha256.clone()),
        input_digest: digest.clone(),
        changes: changes.clone(),
        inputs,
        outputs: Vec::new(),
    };

    // Render everything before writing anything.
    let mut rendered: Vec<(DocumentKind, String, Vec<u8>, Duration)> = Vec::new();
    for &output in &request.documents {
        let kind = output.kind;
        let file = output_file(&request.audit_id, output, version);
        let embedded = manifest.embedded(kind.slug(), &file).to_json();
        let job = DocumentJob {
            kind,
            format: output.format,
            version,
            file: &file,
            inputs: &manifest.inputs,
            input_digest: &digest,
            history: &history,
            manifest_json: &embedded,
        };
        let started = Instant::now();
        let pdf = render(&job)?;
        rendered.push((kind, file, pdf, started.elapsed()));
    }
    let mut rendered: Vec<(&str, String, Vec<u8>, Option<Duration>)> = rendered
        .into_iter()
        .map(|(kind, file, bytes, time)| (kind.slug(), file, bytes, Some(time)))
        .collect();
    if let Some(results) = request.results {
        let file = results_file_name(&request.audit_id, version);
        rendered.push((RESULTS_DOCUMENT, file, results, None));
    }
    for (document, file, bytes, _) in &rendered {
        manifest.outputs.push(OutputRecord {
            document: document.to_string(),
            file: file.clone(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
        });
    }
    let manifest_bytes = manifest.to_json();
    let manifest_name = manifest_file_name(version);
    let ledger_entry = LedgerEntry::new(
        latest.map(|l| &l.entry),
        request.build_date,
        manifest_name.clone(),
        sha256_hex(&manifest_bytes),
        digest.clone(),
    );

    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let _lock = lock_folder(out_dir)?;
    // Another build may have sealed a version between reading the ledger and taking the lock.
    let ledger_path = out_dir.join(LEDGER_FILE);
    let ledger_now = match std::fs::read(&ledger_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&ledger_path, e)),
    };
    if ledger_now != dist.ledger_bytes {
        return Err(Error::Other(format!(
            "{} changed while this build ran (another `fairfile build` into the same folder?); nothing was written: run the build again",
            ledger_path.display()
        )));
    }

    super::intent::record(out_dir, &manifest_name, &ledger_entry.manifest_sha256)?;
    let mut written_paths: Vec<PathBuf> = Vec::new();
    let mut written = Vec::new();
    let documents = rendered
        .iter()
        .zip(&manifest.outputs)
        .map(|((_, _, pdf, time), output)| {
            (
                output.file.as_str(),
                pdf.as_slice(),
                output.sha256.clone(),
                *time,
            )
        });
    let manifest_sha256 = ledger_entry.manifest_sha256.clone();
    let files = documents.chain(std::iter::once((
        manifest_name.as_str(),
        manifest_bytes.as_slice(),
        manifest_sha256,
        None,
    )));
    for (file, bytes, sha256, render_time) in files {
        let path = out_dir.join(file);
        if let Err(e) = write_atomic(&path, bytes) {
            roll_back(&written_paths);
            let _ = super::intent::clear(out_dir);
            return Err(e);
        }
        written_paths.push(path);
        written.push(WrittenFile {
            file: file.to_string(),
            sha256,
            bytes: bytes.len() as u64,
            render_time,
        });
    }

    // Seal: the old ledger bytes, unchanged, plus the new line.
    let mut ledger_bytes = dist.ledger_bytes.clone().unwrap_or_default();
    ledger_bytes.extend_from_slice(ledger_entry.to_line().as_bytes());
    ledger_bytes.push(b'\n');
    if let Err(e) = write_atomic(&ledger_path, &ledger_bytes) {
        roll_back(&written_paths);
        let _ = super::intent::clear(out_dir);
        return Err(e);
    }
    // Sealed. A failure to remove the record is harmless: it names a sealed manifest.
    let _ = super::intent::clear(out_dir);

    Ok(SealOutcome {
        audit_id: request.audit_id,
        out_dir: out_dir.to_path_buf(),
        version,
        input_digest: digest,
        inputs: manifest.inputs,
        status: BuildStatus::Built {
            changes,
            written,
            ledger_entry,
            problems: output_problems,
        },
    })
}

/// A build extends the ledger only when the whole chain checks out and belongs to this audit.
fn refuse_damaged(dist: &Dist, audit_id: &str) -> Result<()> {
    let ledger = Location::file(dist.dir.join(LEDGER_FILE));
    if let Some(latest) = dist.versions.last()
        && latest.manifest.audit_id != audit_id
    {
        return Err(InputError::new(
            ledger,
            format!(
                "this output folder holds the sealed versions of audit {:?}, not {audit_id:?}",
                latest.manifest.audit_id
            ),
        )
        .with_help("choose another output folder with --out")
        .into());
    }
    // Documents of an unsealed version are leftovers of a killed build: this build replaces them.
    // A manifest the ledger does not record may be the trace of a deleted ledger line: keep it.
    let blocking: Vec<&Problem> = dist
        .problems
        .iter()
        .filter(|p| !matches!(p, Problem::Unsealed { file, .. } if !file.starts_with("manifest-")))
        // The manifest of a build killed before its ledger line (see `intent`): completed now.
        .filter(|p| !matches!(p, Problem::Unsealed { file, .. } if super::intent::interrupted(&dist.dir, file)))
        .collect();
    if blocking.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = blocking.iter().map(|p| format!("\n  {p}")).collect();
    Err(InputError::new(
        ledger,
        format!(
            "the sealed versions in this folder do not check out, so no version is added to them:{}",
            list.concat()
        ),
    )
    .with_help(
        "run `fairfile verify` for the full report; restore the files from a backup, or build into another folder with --out",
    )
    .into())
}

/// Remove the files of a version that could not be sealed (best effort: they are unsealed, and
/// the next build would overwrite them anyway).
fn roll_back(paths: &[PathBuf]) {
    for path in paths.iter().rev() {
        let _ = std::fs::remove_file(path);
    }
}

/// An exclusive advisory lock on `out_dir/.fairfile.lock`, released when dropped (or when the
/// process ends, however it ends).
fn lock_folder(out_dir: &Path) -> Result<std::fs::File> {
    let path = out_dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    file.lock().map_err(|e| Error::io(&path, e))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::super::ledger::ParsedLedger;
    use super::super::tests::record;
    use super::super::verify::{InputSource, verify_folder};
    use super::*;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    fn request(inputs: Vec<InputRecord>) -> SealRequest {
        SealRequest {
            audit_id: "acme".into(),
            build_date: date(),
            inputs,
            documents: vec![
                Output::pdf(DocumentKind::Ll144Summary),
                Output::pdf(DocumentKind::ComplianceMatrix),
            ],
            results: None,
        }
    }

    fn inputs(evidence: &str) -> Vec<InputRecord> {
        vec![
            record("evidence", "evidence/a.md", evidence),
            record("config", "fairfile.toml", "cfg"),
        ]
    }

    /// A fake renderer: the "PDF" is the document kind, version and embedded manifest.
    fn fake_render(job: &DocumentJob<'_>) -> Result<Vec<u8>> {
        let mut pdf = format!(
            "%PDF {} v{} history={}\n",
            job.kind.slug(),
            job.version,
            job.history.len()
        )
        .into_bytes();
        pdf.extend_from_slice(job.manifest_json);
        Ok(pdf)
    }

    fn listing(dir: &Path) -> Vec<(String, std::time::SystemTime, u64)> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let meta = e.metadata().unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    meta.modified().unwrap(),
                    meta.len(),
                )
            })
            .collect();
        entries.sort();
        entries
    }

    fn names(dir: &Path) -> Vec<String> {
        listing(dir).into_iter().map(|(n, _, _)| n).collect()
    }

    #[test]
    fn first_build_writes_documents_manifest_and_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        let outcome = seal_version(&out, request(inputs("a")), fake_render).unwrap();
        assert_eq!(outcome.version, 1);
        let BuildStatus::Built {
            changes,
            written,
            ledger_entry,
            problems,
        } = &outcome.status
        else {
            panic!("not built")
        };
        assert!(changes.is_empty());
        assert!(problems.is_empty());
        let files: Vec<&str> = written.iter().map(|w| w.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "acme-ll144-summary-v1.pdf",
                "acme-compliance-matrix-v1.pdf",
                "manifest-v1.json"
            ]
        );
        assert_eq!(
            names(&out),
            [
                ".fairfile.lock",
                "acme-compliance-matrix-v1.pdf",
                "acme-ll144-summary-v1.pdf",
                "ledger.jsonl",
                "manifest-v1.json"
            ]
        );

        // The manifest records each output's hash; the ledger records the manifest's hash.
        let manifest_bytes = std::fs::read(out.join("manifest-v1.json")).unwrap();
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes).unwrap();
        assert_eq!(manifest.previous_manifest_sha256, None);
        assert_eq!(
            manifest.inputs[0].path, "fairfile.toml",
            "inputs are in canonical order"
        );
        for output in &manifest.outputs {
            assert_eq!(
                crate::hash::sha256_file(&out.join(&output.file)).unwrap(),
                output.sha256
            );
        }
        assert_eq!(ledger_entry.manifest_sha256, sha256_hex(&manifest_bytes));
        let ledger = ParsedLedger::parse(&std::fs::read_to_string(out.join(LEDGER_FILE)).unwrap());
        assert!(ledger.is_intact());
        assert_eq!(ledger.latest(), Some(ledger_entry));

        // Each document embeds the input manifest: the manifest without outputs, naming it.
        let pdf = std::fs::read(out.join("acme-ll144-summary-v1.pdf")).unwrap();
        let json_start = pdf.iter().position(|&b| b == b'\n').unwrap() + 1;
        let embedded: super::super::EmbeddedManifest =
            serde_json::from_slice(&pdf[json_start..]).unwrap();
        assert_eq!(embedded.document, "ll144-summary");
        assert_eq!(embedded.file, "acme-ll144-summary-v1.pdf");
        assert_eq!(embedded.input_digest, manifest.input_digest);
        assert_eq!(embedded.inputs, manifest.inputs);
    }

    #[test]
    fn unchanged_rebuild_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        let before = listing(&out);
        std::thread::sleep(Duration::from_millis(20));
        let outcome =
            seal_version(&out, request(inputs("a")), |_| panic!("must not render")).unwrap();
        assert_eq!(outcome.version, 1);
        assert!(
            matches!(&outcome.status, BuildStatus::UpToDate { problems } if problems.is_empty())
        );
        assert_eq!(listing(&out), before);
    }

    #[test]
    fn up_to_date_build_reports_altered_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        std::fs::write(out.join("acme-ll144-summary-v1.pdf"), b"forged").unwrap();
        let outcome = seal_version(&out, request(inputs("a")), fake_render).unwrap();
        let BuildStatus::UpToDate { problems } = outcome.status else {
            panic!("rebuilt")
        };
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .to_string()
                .starts_with("output acme-ll144-summary-v1.pdf (v1) changed")
        );
    }

    #[test]
    fn new_version_reports_altered_documents_of_earlier_versions() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        std::fs::remove_file(out.join("acme-compliance-matrix-v1.pdf")).unwrap();
        let outcome = seal_version(&out, request(inputs("b")), fake_render).unwrap();
        let BuildStatus::Built { problems, .. } = &outcome.status else {
            panic!("not built")
        };
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            text,
            ["output acme-compliance-matrix-v1.pdf (v1) is missing"]
        );
        assert!(out.join("acme-compliance-matrix-v2.pdf").exists());
    }

    #[test]
    fn changed_input_makes_a_chained_version_with_history() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        let mut seen_history = Vec::new();
        let outcome = seal_version(&out, request(inputs("b")), |job| {
            seen_history = job.history.to_vec();
            fake_render(job)
        })
        .unwrap();
        assert_eq!(outcome.version, 2);
        let BuildStatus::Built { changes, .. } = &outcome.status else {
            panic!("not built")
        };
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "evidence/a.md");
        assert_eq!(seen_history.len(), 1);
        assert_eq!(seen_history[0].version, 1);

        let v1 = std::fs::read(out.join("manifest-v1.json")).unwrap();
        let v2: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("manifest-v2.json")).unwrap()).unwrap();
        assert_eq!(v2.previous_manifest_sha256, Some(sha256_hex(&v1)));
        assert_eq!(v2.changes, *changes);

        // A third version sees both earlier ones, with what changed in each.
        let mut third = inputs("b");
        third.push(record("evidence", "evidence/new.md", "n"));
        let mut seen_history = Vec::new();
        seal_version(&out, request(third), |job| {
            seen_history = job.history.to_vec();
            fake_render(job)
        })
        .unwrap();
        let changes: Vec<_> = seen_history
            .iter()
            .map(|h| (h.version, h.changes.clone()))
            .collect();
        assert_eq!(
            changes,
            [(1, vec![]), (2, vec!["evidence/a.md".to_string()])]
        );
        // Every version's files are still there and verify clean.
        let current = InputSource {
            audit_root: dir.path().into(),
            current: Ok(canonical_inputs(inputs("b"))),
        };
        let report = verify_folder(&out, &current, Some("acme")).unwrap();
        assert_eq!(report.ledger_lines, 3);
        assert_eq!(report.outputs_checked, 6);
        // The current inputs lack evidence/new.md, sealed in v3.
        let text: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text, ["input evidence/new.md (evidence) of v3 is missing"]);
    }

    #[test]
    fn failed_render_leaves_the_folder_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        let before = listing(&out);
        let err = seal_version(&out, request(inputs("b")), |job| match job.kind {
            DocumentKind::ComplianceMatrix => Err(Error::Render(
                "templates/compliance-matrix.typ:3:1: error".into(),
            )),
            _ => fake_render(job),
        })
        .unwrap_err();
        assert!(err.to_string().contains("compliance-matrix.typ:3:1"));
        assert_eq!(listing(&out), before);
        // A first build that fails does not even create the folder.
        let fresh = dir.path().join("fresh");
        assert!(
            seal_version(&fresh, request(inputs("a")), |_| Err(Error::Render(
                "boom".into()
            )))
            .is_err()
        );
        assert!(!fresh.exists());
    }

    #[test]
    fn failed_write_rolls_back_the_new_version() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        // A non-empty directory where the second document of v2 should go: its rename fails
        // after the first document was written.
        std::fs::create_dir_all(out.join("acme-compliance-matrix-v2.pdf").join("x")).unwrap();
        let before = listing(&out);
        let err = seal_version(&out, request(inputs("b")), fake_render)
            .unwrap_err()
            .to_string();
        assert!(err.contains("acme-compliance-matrix-v2.pdf"), "{err}");
        assert_eq!(
            listing(&out),
            before,
            "the first document of v2 was removed again"
        );
        let ledger = ParsedLedger::parse(&std::fs::read_to_string(out.join(LEDGER_FILE)).unwrap());
        assert_eq!(ledger.latest().unwrap().version, 1);
    }

    #[test]
    fn unsealed_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        // A document left by a killed build is overwritten by the next build…
        std::fs::write(out.join("acme-ll144-summary-v2.pdf"), b"half").unwrap();
        seal_version(&out, request(inputs("b")), fake_render).unwrap();
        assert_ne!(
            std::fs::read(out.join("acme-ll144-summary-v2.pdf")).unwrap(),
            b"half"
        );
        // …but a manifest the ledger does not record (a deleted last line?) stops the build.
        std::fs::write(out.join("manifest-v3.json"), b"{}").unwrap();
        let err = seal_version(&out, request(inputs("c")), fake_render)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("manifest-v3.json is not sealed: the ledger ends at v2"),
            "{err}"
        );
        assert_eq!(std::fs::read(out.join("manifest-v3.json")).unwrap(), b"{}");
    }

    #[test]
    fn damaged_ledger_is_not_extended() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        seal_version(&out, request(inputs("b")), fake_render).unwrap();
        let ledger = std::fs::read_to_string(out.join(LEDGER_FILE)).unwrap();
        let second_line = ledger.lines().nth(1).unwrap();
        std::fs::write(out.join(LEDGER_FILE), format!("{second_line}\n")).unwrap();
        let err = seal_version(&out, request(inputs("c")), fake_render)
            .unwrap_err()
            .to_string();
        assert!(err.contains("ledger.jsonl line 1"), "{err}");
        assert!(err.contains("fairfile verify"), "{err}");
        assert!(!out.join("manifest-v3.json").exists());
    }

    #[test]
    fn tampered_manifest_is_not_extended() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        let path = out.join("manifest-v1.json");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"acme\"", "\"acne\"");
        std::fs::write(&path, text).unwrap();
        let err = seal_version(&out, request(inputs("b")), fake_render)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("manifest manifest-v1.json (v1) changed"),
            "{err}"
        );
    }

    #[test]
    fn a_version_sealed_by_another_build_meanwhile_stops_this_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        let mut other_build_ran = false;
        // While this build renders, another build seals v2 into the same folder.
        let err = seal_version(&out, request(inputs("b")), |job| {
            if !other_build_ran {
                other_build_ran = true;
                seal_version(&out, request(inputs("c")), fake_render).unwrap();
            }
            fake_render(job)
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("changed while this build ran"), "{err}");
        // The other build's v2 stands, untouched by this one.
        let v2: Manifest =
            serde_json::from_slice(&std::fs::read(out.join("manifest-v2.json")).unwrap()).unwrap();
        assert_eq!(v2.inputs, canonical_inputs(inputs("c")));
        let ledger = ParsedLedger::parse(&std::fs::read_to_string(out.join(LEDGER_FILE)).unwrap());
        assert!(ledger.is_intact());
        assert_eq!(ledger.entries.len(), 2);
    }

    #[test]
    fn another_audits_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        seal_version(&out, request(inputs("a")), fake_render).unwrap();
        let mut other = request(inputs("a"));
        other.audit_id = "globex".into();
        let err = seal_version(&out, other, fake_render)
            .unwrap_err()
            .to_string();
        assert!(err.contains("audit \"acme\", not \"globex\""), "{err}");
    }

    #[test]
    fn same_inputs_give_identical_files_in_two_folders() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["one", "two"] {
            seal_version(&dir.path().join(name), request(inputs("a")), fake_render).unwrap();
            seal_version(&dir.path().join(name), request(inputs("b")), fake_render).unwrap();
        }
        for file in [
            "manifest-v1.json",
            "manifest-v2.json",
            "ledger.jsonl",
            "acme-ll144-summary-v2.pdf",
        ] {
            assert_eq!(
                std::fs::read(dir.path().join("one").join(file)).unwrap(),
                std::fs::read(dir.path().join("two").join(file)).unwrap(),
                "{file}"
            );
        }
    }
}

/// Schema id of `fairfile build --format json`.
pub const BUILD_SCHEMA: &str = "fairfile.build/1";

/// What a build did, as `fairfile build --format json` writes it (docs/manifest.md, "Build
/// report"): the same facts as the terminal report, without the render times (which vary), so
/// that the same build gives the same JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BuildReport {
    /// `fairfile.build/1`.
    pub schema: String,
    pub audit_id: String,
    /// `built` (a new version was sealed) or `up_to_date` (no input changed: nothing written).
    pub status: String,
    /// The latest sealed version after the build.
    pub version: u32,
    pub out_dir: String,
    pub input_digest: String,
    /// Number of inputs hashed into the digest.
    pub inputs: usize,
    /// Inputs added, removed or changed since the previous version (empty when up to date, or
    /// for version 1).
    pub changes: Vec<BuildChange>,
    /// The files written, in order (empty when up to date).
    pub written: Vec<BuildFile>,
    /// The ledger line appended (absent when up to date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_line: Option<BuildLedgerLine>,
    /// Sealed documents of earlier versions that are missing or altered (`fairfile verify`).
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BuildChange {
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub role: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BuildFile {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BuildLedgerLine {
    pub version: u32,
    pub line_hash: String,
}

impl SealOutcome {
    pub fn report(&self) -> BuildReport {
        let (status, changes, written, ledger_line, problems) = match &self.status {
            BuildStatus::UpToDate { problems } => ("up_to_date", &[][..], &[][..], None, problems),
            BuildStatus::Built {
                changes,
                written,
                ledger_entry,
                problems,
            } => (
                "built",
                &changes[..],
                &written[..],
                Some(BuildLedgerLine {
                    version: ledger_entry.version,
                    line_hash: ledger_entry.line_hash.clone(),
                }),
                problems,
            ),
        };
        BuildReport {
            schema: BUILD_SCHEMA.to_string(),
            audit_id: self.audit_id.clone(),
            status: status.to_string(),
            version: self.version,
            out_dir: self.out_dir.display().to_string(),
            input_digest: self.input_digest.clone(),
            inputs: self.inputs.len(),
            changes: changes
                .iter()
                .map(|c| BuildChange {
                    change: c.change.as_str().to_string(),
                    role: c.role.clone(),
                    path: c.path.clone(),
                })
                .collect(),
            written: written
                .iter()
                .map(|w| BuildFile {
                    file: w.file.clone(),
                    bytes: w.bytes,
                    sha256: w.sha256.clone(),
                })
                .collect(),
            ledger_line,
            problems: problems.iter().map(|p| p.to_string()).collect(),
        }
    }
}
