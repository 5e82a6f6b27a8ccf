//! `fairfile key new`, `sign` and `verify --trust` through the binary, on a built copy of the
//! example: a signature verifies; a changed PDF, a changed attestation byte, a signature by another
//! key and a missing signature where one is required are each caught and named; the envelope is
//! deterministic; and an independent DSSE implementation (Python's securesystemslib, which `.ci/run`
//! installs; outside CI a missing one skips that part, said on stderr; with `CI=true` it fails)
//! verifies fairfile's envelope with the public key alone.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;
use serde_json::Value;

mod support;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn fairfile(args: &[&str], cwd: &Path) -> Run {
    let out = Command::cargo_bin("fairfile")
        .unwrap()
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A built copy of the example, LL144 only (fast), and two key pairs, in `dir`.
fn setup(dir: &Path) -> PathBuf {
    let audit = dir.join("acme");
    support::copy_dir(Path::new(EXAMPLE), &audit);
    let config = std::fs::read_to_string(audit.join("fairfile.toml"))
        .unwrap()
        .replace(
            "frameworks = [\"nyc-ll144\", \"eu-ai-act\"]",
            "frameworks = [\"nyc-ll144\"]",
        )
        .replace(
            "roles = [\"employer\", \"provider\", \"deployer\"]",
            "roles = [\"employer\"]",
        );
    let config = config.split("\n[[waivers]]").next().unwrap().to_string();
    std::fs::write(audit.join("fairfile.toml"), config).unwrap();
    assert_eq!(fairfile(&["build", "acme"], dir).code, 0);
    for name in ["auditor.key", "employer.key"] {
        let run = fairfile(&["key", "new", "--out", name], dir);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("fingerprint: "), "{}", run.stdout);
    }
    audit
}

const ATTESTATION: &str = "acme/dist/attestation-v1.dsse.json";
const PDF: &str = "acme/dist/acme-resumerank-2026-ll144-summary-v1.pdf";

#[test]
fn sign_then_verify_and_each_tampering_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);

    // Sign; a second time with the same key changes nothing; the employer adds a signature.
    let run = fairfile(&["sign", "acme", "--key", "auditor.key"], dir);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("signed version 1"), "{}", run.stdout);
    let first = std::fs::read(dir.join(ATTESTATION)).unwrap();
    let run = fairfile(&["sign", "acme", "--key", "auditor.key"], dir);
    assert!(run.stdout.contains("already signed"), "{}", run.stdout);
    assert_eq!(std::fs::read(dir.join(ATTESTATION)).unwrap(), first);
    assert_eq!(
        fairfile(&["sign", "acme", "--key", "employer.key"], dir).code,
        0
    );
    let envelope: Value =
        serde_json::from_slice(&std::fs::read(dir.join(ATTESTATION)).unwrap()).unwrap();
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(envelope["signatures"].as_array().unwrap().len(), 2);

    // Both trusted: OK, each signature named.
    let run = fairfile(
        &[
            "verify",
            "acme",
            "--trust",
            "auditor.key.pub",
            "--trust",
            "employer.key.pub",
        ],
        dir,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("v1 valid signature by auditor.key.pub"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("v1 valid signature by employer.key.pub"),
        "{}",
        run.stdout
    );
    // Only the auditor trusted: the employer's signature is an untrusted key's.
    let run = fairfile(&["verify", "acme", "--trust", "auditor.key.pub"], dir);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("not among the trusted keys"),
        "{}",
        run.stdout
    );

    // A lone PDF with the attestation beside it.
    let run = fairfile(
        &[
            "verify",
            PDF,
            "--trust",
            "auditor.key.pub",
            "--format",
            "json",
        ],
        dir,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["ok"], true);
    assert!(
        json["signatures"]["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["valid"] == true && s["trusted_key"] == "auditor.key.pub"),
        "{json:#}"
    );

    // A changed attestation byte: the signatures no longer verify.
    let mut altered = String::from_utf8(first.clone()).unwrap();
    let at = altered.find("\"payload\": \"").unwrap() + 20;
    let c = altered.as_bytes()[at];
    altered.replace_range(at..at + 1, if c == b'A' { "B" } else { "A" });
    std::fs::write(dir.join(ATTESTATION), &altered).unwrap();
    let run = fairfile(&["verify", "acme", "--trust", "auditor.key.pub"], dir);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("does not verify: the attestation was altered")
            || run.stdout.contains("not readable"),
        "{}",
        run.stdout
    );
    std::fs::write(dir.join(ATTESTATION), &first).unwrap();

    // A changed PDF: the seal and the signed subject both say so.
    let pdf = dir.join(PDF);
    let original = std::fs::read(&pdf).unwrap();
    std::fs::write(&pdf, [&original[..], b"\n%"].concat()).unwrap();
    let run = fairfile(&["verify", "acme", "--trust", "auditor.key.pub"], dir);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("signed subject acme-resumerank-2026-ll144-summary-v1.pdf changed"),
        "{}",
        run.stdout
    );
    let run = fairfile(&["verify", PDF, "--trust", "auditor.key.pub"], dir);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("signs this file's bytes"),
        "{}",
        run.stdout
    );
    std::fs::write(&pdf, original).unwrap();

    // Signed by another key only: with the auditor's key trusted, it is not the auditor's.
    std::fs::remove_file(dir.join(ATTESTATION)).unwrap();
    assert_eq!(
        fairfile(&["sign", "acme", "--key", "employer.key"], dir).code,
        0
    );
    let run = fairfile(&["verify", "acme", "--trust", "auditor.key.pub"], dir);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("signature by an untrusted key"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_required_signature_that_is_missing_fails_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let audit = setup(dir);
    let config = std::fs::read_to_string(audit.join("fairfile.toml")).unwrap();
    let config = config.replacen("[audit]\n", "[audit]\nrequire_signature = true\n", 1);
    std::fs::write(audit.join("fairfile.toml"), config).unwrap();
    assert_eq!(fairfile(&["build", "acme"], dir).code, 0); // the config changed: v2
    let run = fairfile(&["verify", "acme"], dir);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("version 2 is not signed by a trusted key, and fairfile.toml sets [audit] require_signature = true"),
        "{}",
        run.stdout
    );
    assert_eq!(
        fairfile(&["sign", "acme", "--key", "auditor.key"], dir).code,
        0
    );
    let run = fairfile(&["verify", "acme", "--trust", "auditor.key.pub"], dir);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(dir.join("acme/dist/attestation-v2.dsse.json").is_file());
}

#[test]
fn the_envelope_is_deterministic_and_verifies_independently() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    assert_eq!(
        fairfile(&["sign", "acme", "--key", "auditor.key"], dir).code,
        0
    );
    let first = std::fs::read(dir.join(ATTESTATION)).unwrap();
    std::fs::remove_file(dir.join(ATTESTATION)).unwrap();
    assert_eq!(
        fairfile(&["sign", "acme", "--key", "auditor.key"], dir).code,
        0
    );
    assert_eq!(std::fs::read(dir.join(ATTESTATION)).unwrap(), first);

    // The statement: every sealed output and the manifest, and the figures of the results file.
    let envelope: Value = serde_json::from_slice(&first).unwrap();
    let payload = base64_decode(envelope["payload"].as_str().unwrap());
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        statement["predicateType"],
        "https://fairfile.dev/attestation/v1"
    );
    let names: Vec<&str> = statement["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for name in [
        "acme-resumerank-2026-ll144-summary-v1.pdf",
        "acme-resumerank-2026-ll144-summary-v1.html",
        "acme-resumerank-2026-results-v1.json",
        "manifest-v1.json",
    ] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    let results: Value = serde_json::from_slice(
        &std::fs::read(dir.join("acme/dist/acme-resumerank-2026-results-v1.json")).unwrap(),
    )
    .unwrap();
    let female_ir = results["metrics"]["dimensions"]["sex"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "Female")
        .unwrap()["impact_ratio"]
        .clone();
    let sex = statement["predicate"]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "sex")
        .unwrap();
    let attested = sex["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "Female")
        .unwrap();
    assert_eq!(attested["impact_ratio"], female_ir);
    assert_eq!(
        statement["predicate"]["input_digest"],
        results["input_digest"]
    );

    // securesystemslib verifies the envelope with the public key alone.
    if !support::python_has(
        "securesystemslib.dsse, cryptography",
        "securesystemslib[crypto]",
        "the independent DSSE check",
    ) {
        return;
    }
    const SCRIPT: &str = r#"
import json, sys
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
env = Envelope.from_dict(json.load(open(sys.argv[1])))
keyid = env.signatures and list(env.signatures)[0]
key = SSlibKey.from_crypto(load_pem_public_key(open(sys.argv[2], 'rb').read()), keyid=keyid)
try:
    accepted = env.verify([key], 1)
    print(json.dumps({"ok": True, "accepted": sorted(accepted), "type": json.loads(env.payload)["_type"]}))
except Exception as e:
    print(json.dumps({"ok": False, "error": str(e)}))
"#;
    let check = |public: &str| -> Value {
        let out = Command::new("python3")
            .args(["-c", SCRIPT])
            .arg(dir.join(ATTESTATION))
            .arg(dir.join(public))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let good = check("auditor.key.pub");
    assert_eq!(good["ok"], true, "{good}");
    assert_eq!(good["type"], "https://in-toto.io/Statement/v1");
    assert_eq!(good["accepted"][0], envelope["signatures"][0]["keyid"]);
    let bad = check("employer.key.pub");
    assert_eq!(bad["ok"], false, "another key must not verify: {bad}");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

/// `fairfile export oscal`: byte-identical for the same version; one finding per obligation with
/// the mapped state; evidence observations carrying the files' SHA-256; and the document loads in
/// compliance-trestle's OSCAL 1.1 Assessment Results model (`.ci/run` installs it; outside CI a
/// missing one skips that part, said on stderr; with `CI=true` it fails).
#[test]
fn oscal_export_is_deterministic_and_valid_for_trestle() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    let a = fairfile(&["export", "oscal", "acme", "--out", "a.json"], dir);
    assert_eq!(a.code, 0, "{}", a.stderr);
    let b = fairfile(&["export", "oscal", "acme", "--version", "1"], dir);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let bytes = std::fs::read(dir.join("a.json")).unwrap();
    assert_eq!(
        bytes,
        b.stdout.as_bytes(),
        "the same version exports the same bytes"
    );
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    let ar = &doc["assessment-results"];
    assert_eq!(ar["metadata"]["oscal-version"], "1.1.3");
    let result = &ar["results"][0];
    let findings = result["findings"].as_array().unwrap();

    let results: Value = serde_json::from_slice(
        &std::fs::read(dir.join("acme/dist/acme-resumerank-2026-results-v1.json")).unwrap(),
    )
    .unwrap();
    let obligations: Vec<&Value> = results["check"]["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["obligations"].as_array().unwrap())
        .collect();
    assert_eq!(findings.len(), obligations.len());
    for (finding, ob) in findings.iter().zip(&obligations) {
        let status = ob["status"].as_str().unwrap();
        let state = finding["target"]["status"]["state"].as_str().unwrap();
        let expected = match status {
            "met" | "not_applicable" => "satisfied",
            _ => "not-satisfied",
        };
        assert_eq!(state, expected, "{status}: {finding}");
        assert_eq!(finding["target"]["props"][0]["value"], status);
    }
    // An obligation met by a document links the observation holding that document's hash.
    let met = obligations
        .iter()
        .position(|o| o["id"] == "5-301-a")
        .unwrap();
    let evidence = &obligations[met]["evidence"][0];
    let observation_id = findings[met]["related-observations"][0]["observation-uuid"].clone();
    let observation = result["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["uuid"] == observation_id)
        .unwrap();
    assert_eq!(
        observation["relevant-evidence"][0]["href"],
        evidence["path"]
    );
    assert_eq!(observation["props"][0]["value"], evidence["sha256"]);

    if !support::python_has(
        "trestle.oscal.assessment_results",
        "compliance-trestle",
        "OSCAL validation",
    ) {
        return;
    }
    const SCRIPT: &str = r#"
import json, sys
from trestle.oscal.assessment_results import AssessmentResults
doc = json.load(open(sys.argv[1]))
ar = AssessmentResults.parse_obj(doc["assessment-results"])
print(len(ar.results[0].findings))
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(dir.join("a.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trestle rejects the export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        findings.len().to_string()
    );
    // The validation can fail: an unknown state is refused.
    let mut bad = doc.clone();
    bad["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] =
        "maybe".into();
    std::fs::write(dir.join("bad.json"), serde_json::to_vec(&bad).unwrap()).unwrap();
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(dir.join("bad.json"))
        .output()
        .unwrap();
    assert!(!out.status.success(), "trestle accepted an invalid state");
}

/// `key new --encrypt`: encrypted PKCS#8 that Python's `cryptography` opens with the passphrase;
/// `sign` needs the passphrase, and says where to put it.
#[test]
fn an_encrypted_key_needs_its_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    let with_pass = |args: &[&str], pass: Option<&str>| {
        let mut cmd = Command::cargo_bin("fairfile").unwrap();
        cmd.args(args)
            .current_dir(dir)
            .env_remove("FAIRFILE_KEY_PASSPHRASE");
        if let Some(p) = pass {
            cmd.env("FAIRFILE_KEY_PASSPHRASE", p);
        }
        cmd.output().unwrap()
    };
    let out = with_pass(&["key", "new", "--out", "locked.key", "--encrypt"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("locked.key").exists());
    let out = with_pass(
        &["key", "new", "--out", "locked.key", "--encrypt"],
        Some("s3cret words"),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pem = std::fs::read_to_string(dir.join("locked.key")).unwrap();
    assert!(
        pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{pem}"
    );

    let out = with_pass(&["sign", "acme", "--key", "locked.key"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("FAIRFILE_KEY_PASSPHRASE is not set"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = with_pass(&["sign", "acme", "--key", "locked.key"], Some("wrong"));
    assert_eq!(out.status.code(), Some(2));
    let out = with_pass(
        &["sign", "acme", "--key", "locked.key"],
        Some("s3cret words"),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fairfile(&["verify", "acme", "--trust", "locked.key.pub"], dir).code,
        0
    );

    if !support::python_has("cryptography", "cryptography", "the encrypted key check") {
        return;
    }
    const SCRIPT: &str = r#"
import sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key, Encoding, PublicFormat
key = load_pem_private_key(open(sys.argv[1], 'rb').read(), password=sys.argv[2].encode())
pub = load_pem_public_key(open(sys.argv[1] + '.pub', 'rb').read())
same = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) == pub.public_bytes(Encoding.Raw, PublicFormat.Raw)
print("same" if same else "different")
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(dir.join("locked.key"))
        .arg("s3cret words")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "same");
}
