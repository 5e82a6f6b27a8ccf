//! `fairfile build` and `fairfile verify` end to end, on a copy of the example audit
//! (`examples/acme-resumerank`) in a temporary folder, so that the tests never write into the repo.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use assert_cmd::Command;
use sha2::{Digest, Sha256};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");

/// A copy of the example audit (without any `dist/`), and its audit id.
struct Audit {
    _temp: tempfile::TempDir,
    dir: PathBuf,
    id: String,
}

impl Audit {
    fn copy() -> Audit {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("acme");
        for entry in walkdir::WalkDir::new(EXAMPLE).sort_by_file_name() {
            let entry = entry.unwrap();
            let relative = entry.path().strip_prefix(EXAMPLE).unwrap();
            if relative.starts_with("dist") {
                continue;
            }
            let target = dir.join(relative);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        let id = fairfile::config::Audit::load(&dir)
            .unwrap()
            .config
            .audit
            .get_ref()
            .id
            .get_ref()
            .clone();
        Audit {
            _temp: temp,
            dir,
            id,
        }
    }

    fn dist(&self) -> PathBuf {
        self.dir.join("dist")
    }

    fn pdf(&self, doc: &str, version: u32) -> PathBuf {
        self.dist()
            .join(format!("{}-{doc}-v{version}.pdf", self.id))
    }

    fn build(&self) -> Output {
        run(&["build", self.dir.to_str().unwrap()])
    }

    fn build_into(&self, out: &Path) -> Output {
        run(&[
            "build",
            self.dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    }

    fn verify(&self) -> Output {
        run(&["verify", self.dir.to_str().unwrap()])
    }

    fn manifest(&self, version: u32) -> serde_json::Value {
        let bytes = std::fs::read(self.dist().join(format!("manifest-v{version}.json"))).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// The path of the first evidence document the latest manifest lists.
    fn evidence_file(&self, version: u32) -> String {
        let manifest = self.manifest(version);
        let inputs = manifest["inputs"].as_array().unwrap();
        let evidence = inputs
            .iter()
            .find(|i| i["role"] == "evidence")
            .expect("the example has evidence");
        evidence["path"].as_str().unwrap().to_string()
    }
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn run(args: &[&str]) -> Output {
    let output = Command::cargo_bin("fairfile")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file of a folder with its size and modification time.
fn listing(dir: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                (meta.len(), meta.modified().unwrap()),
            )
        })
        .collect()
}

/// Change one byte of a text file's last line (keeps front matter and CSV headers intact).
fn flip_last_letter(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .iter()
        .rposition(|b| b.is_ascii_alphanumeric())
        .expect("a letter to change");
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    std::fs::write(path, bytes).unwrap();
}

fn append_line(path: &Path, line: &str) {
    let mut text = std::fs::read_to_string(path).unwrap();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

#[test]
fn first_build_seals_v1_and_an_unchanged_rebuild_writes_nothing() {
    let audit = Audit::copy();
    let out = audit.build();
    assert_eq!(out.code, 0, "{out:?}");

    let docs = ["ll144-summary", "eu-technical-file", "compliance-matrix"];
    for doc in docs {
        let pdf = audit.pdf(doc, 1);
        let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
        assert!(bytes.starts_with(b"%PDF-"), "{}", pdf.display());
        let name = pdf.file_name().unwrap().to_str().unwrap().to_string();
        assert!(out.stdout.contains(&name), "{out:?}");
        assert!(
            out.stdout.contains(&sha256(&pdf)[..12]),
            "the hash of {name} is printed: {out:?}"
        );
    }
    let names: Vec<String> = listing(&audit.dist())
        .into_keys()
        .filter(|n| !n.starts_with('.'))
        .collect();
    let mut expected: Vec<String> = docs
        .iter()
        .map(|d| format!("{}-{d}-v1.pdf", audit.id))
        .collect();
    expected.extend([
        // The LL144 summary is also the public web page (docs/web-page.md).
        format!("{}-ll144-summary-v1.html", audit.id),
        // The metrics and the check as data (docs/manifest.md), read back by diff/sign/export.
        format!("{}-results-v1.json", audit.id),
        "ledger.jsonl".to_string(),
        "manifest-v1.json".to_string(),
    ]);
    expected.sort();
    assert_eq!(names, expected);

    // The manifest lists every input with its hash, and every output with the hash of its file.
    let manifest = audit.manifest(1);
    assert_eq!(manifest["schema"], "fairfile.manifest/1");
    assert_eq!(manifest["audit_id"], audit.id.as_str());
    assert_eq!(manifest["version"], 1);
    assert_eq!(
        manifest["build_date"], "2026-11-20",
        "the build date is the audit date"
    );
    assert!(manifest["previous_manifest_sha256"].is_null());
    let inputs = manifest["inputs"].as_array().unwrap();
    let roles: Vec<&str> = inputs.iter().map(|i| i["role"].as_str().unwrap()).collect();
    for role in ["config", "data", "framework", "template", "evidence"] {
        assert!(roles.contains(&role), "no {role} input in {roles:?}");
    }
    for input in inputs
        .iter()
        .filter(|i| !i["path"].as_str().unwrap().starts_with("builtin:"))
    {
        let path = audit.dir.join(input["path"].as_str().unwrap());
        assert_eq!(
            input["sha256"].as_str().unwrap(),
            sha256(&path),
            "{}",
            path.display()
        );
    }
    let data = inputs.iter().find(|i| i["role"] == "data").unwrap();
    assert_eq!(data["path"], "data/applicants.csv");
    for output in manifest["outputs"].as_array().unwrap() {
        let path = audit.dist().join(output["file"].as_str().unwrap());
        assert_eq!(output["sha256"].as_str().unwrap(), sha256(&path));
    }
    let ledger = std::fs::read_to_string(audit.dist().join("ledger.jsonl")).unwrap();
    assert_eq!(ledger.lines().count(), 1);
    let line: serde_json::Value = serde_json::from_str(ledger.lines().next().unwrap()).unwrap();
    assert_eq!(
        line["manifest_sha256"].as_str().unwrap(),
        sha256(&audit.dist().join("manifest-v1.json"))
    );

    let verify = audit.verify();
    assert_eq!(verify.code, 0, "{verify:?}");
    assert!(verify.stdout.contains("OK"), "{verify:?}");

    // Unchanged: "up to date, v1", and not one file written or touched.
    let before = listing(&audit.dist());
    std::thread::sleep(std::time::Duration::from_millis(50));
    let again = audit.build();
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("up to date, v1"), "{again:?}");
    assert_eq!(listing(&audit.dist()), before);
}

/// A version's numbers are read back from what it sealed: the results file holds exactly what
/// `metrics --format json` and `check --format json --as-of <audit date>` print, and a changed
/// byte is refused.
#[test]
fn the_sealed_results_are_the_metrics_and_the_check_of_the_version() {
    let audit = Audit::copy();
    let out = audit.build();
    assert_eq!(out.code, 0, "{out:?}");
    let dir = audit.dir.to_str().unwrap();
    let metrics = run(&["metrics", dir, "--format", "json"]);
    assert_eq!(metrics.code, 0, "{metrics:?}");
    let check = run(&["check", dir, "--format", "json", "--as-of", "2026-11-20"]);
    assert_eq!(check.code, 0, "{check:?}");

    let (version, results) = fairfile::results::load(&audit.dist(), None).unwrap();
    assert_eq!(version, 1);
    assert_eq!(results.schema, fairfile::results::RESULTS_SCHEMA);
    assert_eq!(results.audit_id, audit.id);
    assert_eq!(results.input_digest, audit.manifest(1)["input_digest"]);
    assert_eq!(
        serde_json::to_value(&results.metrics).unwrap(),
        serde_json::from_str::<serde_json::Value>(&metrics.stdout).unwrap()
    );
    assert_eq!(
        serde_json::to_value(&results.check).unwrap(),
        serde_json::from_str::<serde_json::Value>(&check.stdout).unwrap()
    );
    let err = fairfile::results::load(&audit.dist(), Some(7)).unwrap_err();
    assert!(err.to_string().contains("no sealed version 7"), "{err}");

    // One changed byte: refused, naming the file.
    let file = audit.dist().join(format!("{}-results-v1.json", audit.id));
    flip_last_letter(&file);
    let err = fairfile::results::load(&audit.dist(), None).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("results-v1.json"), "{message}");
    assert!(message.contains("changed after the build"), "{message}");
}

#[test]
fn a_changed_evidence_file_makes_v2_with_history() {
    let audit = Audit::copy();
    assert_eq!(audit.build().code, 0);
    let evidence = audit.evidence_file(1);
    append_line(&audit.dir.join(&evidence), "Reviewed again on 2026-11-19.");
    let out = audit.build();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(&format!("sealed {} v2", audit.id)),
        "{out:?}"
    );
    assert!(
        out.stdout.contains(&evidence),
        "the change is named: {out:?}"
    );

    let v2 = audit.manifest(2);
    assert_eq!(
        v2["previous_manifest_sha256"].as_str().unwrap(),
        sha256(&audit.dist().join("manifest-v1.json"))
    );
    assert_eq!(
        v2["changes"],
        serde_json::json!([{"change": "changed", "role": "evidence", "path": evidence}])
    );
    // v1 is untouched and still verifies; the ledger has two chained lines.
    assert!(audit.pdf("compliance-matrix", 1).exists());
    assert_eq!(
        std::fs::read_to_string(audit.dist().join("ledger.jsonl"))
            .unwrap()
            .lines()
            .count(),
        2
    );
    let verify = audit.verify();
    assert_eq!(verify.code, 0, "{verify:?}");

    // The v2 documents embed the input manifest, with the change since v1.
    let pdf = audit.pdf("eu-technical-file", 2);
    let shown = run(&["verify", pdf.to_str().unwrap()]);
    assert_eq!(shown.code, 0, "{shown:?}");
    assert!(
        shown
            .stdout
            .contains("document eu-technical-file, version 2"),
        "{shown:?}"
    );
    assert!(
        shown
            .stdout
            .contains(&format!("changed  {evidence} (evidence)")),
        "{shown:?}"
    );
}

#[test]
fn two_builds_into_two_folders_are_byte_identical() {
    let audit = Audit::copy();
    let one = audit.dir.join("out-one");
    let two = audit.dir.join("out-two");
    assert_eq!(audit.build_into(&one).code, 0);
    assert_eq!(audit.build_into(&two).code, 0);
    let files: Vec<String> = listing(&one)
        .into_keys()
        .filter(|n| !n.starts_with('.'))
        .collect();
    // Three PDFs, the LL144 web page, the results, the manifest and the ledger.
    assert_eq!(files.len(), 7, "{files:?}");
    assert_eq!(
        files,
        listing(&two)
            .into_keys()
            .filter(|n| !n.starts_with('.'))
            .collect::<Vec<_>>()
    );
    for file in files {
        assert_eq!(
            sha256(&one.join(&file)),
            sha256(&two.join(&file)),
            "{file} differs between two builds"
        );
    }
}

#[test]
fn verify_names_each_tampered_file() {
    let audit = Audit::copy();
    assert_eq!(audit.build().code, 0);
    let evidence = audit.evidence_file(1);

    // One byte of an evidence file.
    let path = audit.dir.join(&evidence);
    let original = std::fs::read(&path).unwrap();
    flip_last_letter(&path);
    let out = audit.verify();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains(&format!("input {evidence} (evidence) changed since v1")),
        "{out:?}"
    );
    std::fs::write(&path, &original).unwrap();
    assert_eq!(audit.verify().code, 0);

    // One byte of the data.
    let data = audit.dir.join("data/applicants.csv");
    let original = std::fs::read(&data).unwrap();
    flip_last_letter(&data);
    let out = audit.verify();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("input data/applicants.csv (data) changed since v1"),
        "{out:?}"
    );
    std::fs::write(&data, &original).unwrap();

    // One byte of a PDF (in the binary comment of its header, so it is still a valid PDF).
    let pdf = audit.pdf("ll144-summary", 1);
    let original = std::fs::read(&pdf).unwrap();
    let mut tampered = original.clone();
    tampered[11] ^= 0x01;
    std::fs::write(&pdf, &tampered).unwrap();
    let out = audit.verify();
    assert_eq!(out.code, 1, "{out:?}");
    let name = pdf.file_name().unwrap().to_str().unwrap();
    assert!(
        out.stdout.contains(&format!("output {name} (v1) changed")),
        "{out:?}"
    );
    // The lone tampered PDF still says what it attests, but is not the sealed one.
    let lone = run(&[
        "verify",
        pdf.to_str().unwrap(),
        "--audit",
        audit.dir.to_str().unwrap(),
    ]);
    assert_eq!(lone.code, 1, "{lone:?}");
    assert!(lone.stdout.contains("is not the sealed"), "{lone:?}");
    std::fs::write(&pdf, &original).unwrap();

    // One byte of a ledger line.
    let ledger = audit.dist().join("ledger.jsonl");
    let original = std::fs::read_to_string(&ledger).unwrap();
    let tampered = original.replacen("\"date\":\"2026-11-20\"", "\"date\":\"2026-11-21\"", 1);
    assert_ne!(tampered, original);
    std::fs::write(&ledger, tampered).unwrap();
    let out = audit.verify();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("ledger.jsonl line 1: line_hash does not match"),
        "{out:?}"
    );
    std::fs::write(&ledger, original).unwrap();

    assert_eq!(audit.verify().code, 0, "everything restored");
}

#[test]
fn a_deleted_ledger_line_is_a_chain_break() {
    let audit = Audit::copy();
    assert_eq!(audit.build().code, 0);
    let evidence = audit.dir.join(audit.evidence_file(1));
    append_line(&evidence, "Second review.");
    assert_eq!(audit.build().code, 0);
    append_line(&evidence, "Third review.");
    assert_eq!(audit.build().code, 0);

    let ledger = audit.dist().join("ledger.jsonl");
    let text = std::fs::read_to_string(&ledger).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    std::fs::write(&ledger, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
    let out = audit.verify();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("ledger.jsonl line 2: records version 3 where version 2 belongs"),
        "{out:?}"
    );
    assert!(out.stdout.contains("chain is broken"), "{out:?}");

    // The build refuses to extend a broken chain.
    append_line(&evidence, "Fourth review.");
    let out = audit.build();
    assert_eq!(out.code, 2, "a broken ledger is refused as input: {out:?}");
    assert!(out.stderr.contains("ledger.jsonl line 2"), "{out:?}");
    assert!(!audit.dist().join("manifest-v4.json").exists());
}

#[test]
fn a_failing_build_leaves_the_previous_version_intact() {
    let audit = Audit::copy();
    assert_eq!(audit.build().code, 0);
    let before = listing(&audit.dist());
    let ledger = std::fs::read(audit.dist().join("ledger.jsonl")).unwrap();

    // An override template with an error: the new version fails to render.
    let templates = audit.dir.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("compliance-matrix.typ"),
        "= Matrix\n#this-function-does-not-exist()\n",
    )
    .unwrap();
    let out = audit.build();
    assert_eq!(out.code, 2, "a template error is an input error: {out:?}");
    assert!(
        out.stderr.contains("compliance-matrix.typ"),
        "the error names the template: {out:?}"
    );
    assert_eq!(
        listing(&audit.dist()),
        before,
        "no file written, renamed or left behind"
    );
    assert_eq!(
        std::fs::read(audit.dist().join("ledger.jsonl")).unwrap(),
        ledger
    );
    assert_eq!(
        audit.verify().code,
        1,
        "the folder has an unsealed change (the new template)"
    );

    std::fs::remove_dir_all(&templates).unwrap();
    let verify = audit.verify();
    assert_eq!(verify.code, 0, "{verify:?}");
}

#[test]
fn a_lone_pdf_says_what_it_attests() {
    let audit = Audit::copy();
    assert_eq!(audit.build().code, 0);
    let pdf = audit.pdf("ll144-summary", 1);
    let evidence = audit.evidence_file(1);

    let out = run(&["verify", pdf.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(&format!(
            "attests: audit {}, document ll144-summary, version 1, built 2026-11-20",
            audit.id
        )),
        "{out:?}"
    );
    assert!(out.stdout.contains("data/applicants.csv"), "{out:?}");
    assert!(out.stdout.contains(&evidence), "{out:?}");
    assert!(
        out.stdout.contains("not checked against the audit"),
        "{out:?}"
    );

    let dir = audit.dir.to_str().unwrap();
    let out = run(&["verify", pdf.to_str().unwrap(), "--audit", dir]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("this file is the document sealed in"),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("every attested input still matches"),
        "{out:?}"
    );

    // A copy elsewhere (as published) is still recognised as the sealed document.
    let published = audit.dir.parent().unwrap().join("published.pdf");
    std::fs::copy(&pdf, &published).unwrap();
    let out = run(&["verify", published.to_str().unwrap(), "--audit", dir]);
    assert_eq!(out.code, 0, "{out:?}");

    // After the evidence changes, the PDF no longer matches the audit folder, and says which input.
    flip_last_letter(&audit.dir.join(&evidence));
    let out = run(&["verify", published.to_str().unwrap(), "--audit", dir]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains(&format!("input {evidence} (evidence) changed since v1")),
        "{out:?}"
    );
}

#[test]
fn verify_without_a_build_fails_clearly() {
    let audit = Audit::copy();
    let out = audit.verify();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("no ledger.jsonl"), "{out:?}");
    let out = run(&["verify", audit.dir.join("nope.pdf").to_str().unwrap()]);
    assert_eq!(out.code, 2, "{out:?}");
}
