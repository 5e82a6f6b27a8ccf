//! Faults during `fairfile build` (SECURITY.md, issue 12): a build killed at any point, two builds
//! at once, a write failing mid-build. Each leaves the earlier versions intact and verifiable, and
//! the next build completes. Real binary, on copies of the example audit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");

struct Audit {
    _temp: tempfile::TempDir,
    dir: PathBuf,
}

impl Audit {
    fn copy() -> Audit {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("acme");
        copy_tree(Path::new(EXAMPLE), &dir, true);
        Audit { _temp: temp, dir }
    }

    fn dist(&self) -> PathBuf {
        self.dir.join("dist")
    }

    fn run(&self, command: &str) -> Output {
        run(&[command, self.dir.to_str().unwrap()])
    }

    fn command(&self, command: &str) -> std::process::Command {
        let mut c = std::process::Command::cargo_bin("fairfile").unwrap();
        c.args([command, self.dir.to_str().unwrap()]);
        c
    }

    /// Change an evidence document, so that the next build makes a new version.
    fn change_evidence(&self, n: usize) {
        let path = self.dir.join("evidence/eu/dpia.md");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!("\nRevision note {n}.\n"));
        std::fs::write(path, text).unwrap();
    }

    fn ledger_lines(&self) -> usize {
        std::fs::read_to_string(self.dist().join("ledger.jsonl"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }
}

fn copy_tree(from: &Path, to: &Path, skip_dist: bool) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(from).unwrap();
        if skip_dist && relative.starts_with("dist") {
            continue;
        }
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[derive(Debug)]
#[allow(dead_code)] // fields shown by Debug in assertion messages
struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let output = std::process::Command::cargo_bin("fairfile")
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

/// Every file of a folder and its bytes.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write_all(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// A build writes each file atomically (temporary file, then rename) in a fixed order: its
/// intent record (`.fairfile-sealing`: the manifest's name and hash), the documents, the
/// manifest, the ledger, then removes the record. So a `kill -9` at any instant leaves the files
/// of the first k steps renamed into place and, perhaps, the temporary file of step k+1 partly
/// written. Every such state is made here, for every k, from a real v1 folder and the real files
/// of v2; the next build must complete, byte-identical to an uninterrupted one, and `verify`
/// must accept the folder.
#[test]
fn a_build_killed_at_any_step_is_completed_by_the_next() {
    let audit = Audit::copy();
    assert_eq!(audit.run("build").code, 0);
    let v1 = contents(&audit.dist());
    audit.change_evidence(1);
    let out = audit.run("build");
    assert_eq!(out.code, 0, "{out:?}");
    let v2 = contents(&audit.dist());

    // The write order: v2's outputs as its manifest lists them, the manifest, then the ledger.
    let manifest: serde_json::Value = serde_json::from_slice(&v2["manifest-v2.json"]).unwrap();
    let mut steps: Vec<String> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["file"].as_str().unwrap().to_string())
        .collect();
    steps.push("manifest-v2.json".into());
    steps.push("ledger.jsonl".into());
    // Three PDFs, the LL144 web page, the results, the manifest, the ledger.
    assert_eq!(steps.len(), 7);

    let intent = format!("manifest-v2.json {}\n", sha256_hex(&v2["manifest-v2.json"]));
    for done in 0..=steps.len() {
        for partial in [false, true] {
            if partial && done == steps.len() {
                continue;
            }
            let mut state = v1.clone();
            state.insert(".fairfile-sealing".into(), intent.clone().into_bytes());
            for file in &steps[..done] {
                state.insert(file.clone(), v2[file].clone());
            }
            if partial {
                // The temporary file of the next step, cut off mid-write.
                let next = &v2[&steps[done]];
                state.insert(
                    ".fairfile-kIlLeD.tmp".into(),
                    next[..next.len() / 2].to_vec(),
                );
            }
            write_all(&audit.dist(), &state);
            let out = audit.run("build");
            assert_eq!(
                out.code, 0,
                "killed after {done} steps (partial {partial}): {out:?}"
            );
            let verify = audit.run("verify");
            assert_eq!(verify.code, 0, "killed after {done} steps: {verify:?}");
            let mut after = contents(&audit.dist());
            after.remove(".fairfile-kIlLeD.tmp");
            if done == steps.len() {
                // Killed after the ledger line, before the record was removed: harmless.
                after.remove(".fairfile-sealing");
            }
            assert_eq!(
                after.keys().collect::<Vec<_>>(),
                v2.keys().collect::<Vec<_>>(),
                "killed after {done} steps"
            );
            for (name, bytes) in &v2 {
                assert!(after[name] == *bytes, "{name} differs after {done} steps");
            }
        }
    }
}

/// Real `kill -9`s at many instants of a build (spread over its whole run time, from process
/// start to the last write): each time, the next build completes and `verify` accepts.
#[test]
fn kill_minus_nine_at_many_instants_then_build_and_verify() {
    let audit = Audit::copy();
    // How long one build takes here.
    let started = Instant::now();
    assert_eq!(audit.run("build").code, 0);
    let full = started.elapsed();
    std::fs::remove_dir_all(audit.dist()).unwrap();

    let points = 8u32;
    let mut versions = 0;
    for i in 0..points {
        audit.change_evidence(i as usize);
        let mut child = audit
            .command("build")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full * i / points + Duration::from_millis(u64::from(i) * 7));
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        let out = audit.run("build");
        assert_eq!(
            out.code, 0,
            "after a kill at {i}/{points} ({status}): {out:?}"
        );
        versions += 1;
        let verify = audit.run("verify");
        assert_eq!(verify.code, 0, "after a kill at {i}/{points}: {verify:?}");
        // A killed build either sealed its version or none: never two for one change.
        assert!(audit.ledger_lines() <= versions, "{i}");
        versions = audit.ledger_lines();
    }
}

/// Two builds at once on the same folder: the folder's lock lets one seal while the other waits,
/// and the other then seals nothing twice (it finds its version sealed, or refuses, saying so).
/// Neither corrupts the ledger.
#[test]
fn two_builds_at_once_never_corrupt_the_ledger() {
    let audit = Audit::copy();
    for round in 0..3 {
        if round > 0 {
            audit.change_evidence(round);
        }
        let children: Vec<_> = (0..2)
            .map(|_| {
                audit
                    .command("build")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let ok = outputs.iter().filter(|o| o.status.success()).count();
        assert!(ok >= 1, "{outputs:?}");
        for o in outputs.iter().filter(|o| !o.status.success()) {
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(
                stderr.contains("changed while this build ran"),
                "a refused build says why: {stderr}"
            );
        }
        assert_eq!(audit.ledger_lines(), round + 1, "round {round}");
        let verify = audit.run("verify");
        assert_eq!(verify.code, 0, "round {round}: {verify:?}");
    }
}

/// A write that fails mid-build (here: the file-size limit, `ulimit -f`, which fails writes with
/// EFBIG as a full disk fails them with ENOSPC) is a clear error naming the file; the earlier
/// version stays intact and verifiable, no temporary file is left, and the next build succeeds.
#[cfg(unix)]
#[test]
fn a_write_failing_mid_build_leaves_earlier_versions_intact() {
    let audit = Audit::copy();
    assert_eq!(audit.run("build").code, 0);
    let v1 = contents(&audit.dist());
    audit.change_evidence(1);
    let binary = std::process::Command::cargo_bin("fairfile")
        .unwrap()
        .get_program()
        .to_owned();
    // 64 KiB: smaller than every document, so the first write fails.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 128; exec \"$0\" build \"$1\"")
        .arg(&binary)
        .arg(&audit.dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("File too large") && stderr.contains(".fairfile-"),
        "the error names the file and the cause: {stderr}"
    );
    assert_eq!(contents(&audit.dist()), v1, "v1 untouched, nothing left");
    let verify = audit.run("verify");
    assert_eq!(
        verify.code, 1,
        "only the unsealed change (the evidence): {verify:?}"
    );
    let out = audit.run("build");
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(audit.run("verify").code, 0);
}
