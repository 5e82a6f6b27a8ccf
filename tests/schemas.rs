//! The JSON Schemas under `docs/schemas/`: each committed file is exactly what `fairfile::schemas`
//! derives from the Rust types (refresh them with `UPDATE_SCHEMAS=1 cargo test --test schemas`),
//! and real output of the binary validates against them, checked by an independent validator:
//! Python's `jsonschema` (draft 2020-12, with format checking), which `.ci/run` installs. It adds
//! no crate to the build; outside CI a missing validator skips that half (said on stderr), in CI
//! (`CI=true`) it is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn schema_dir() -> PathBuf {
    Path::new(ROOT).join("docs/schemas")
}

#[test]
fn committed_schemas_are_the_ones_the_types_give() {
    let dir = schema_dir();
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    let mut names = Vec::new();
    for s in fairfile::schemas::all() {
        let file = dir.join(format!("{}.schema.json", s.name));
        names.push(file.file_name().unwrap().to_owned());
        let text = fairfile::schemas::to_file_text(&s.schema);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &text).unwrap();
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            stale.push(file.display().to_string());
        }
        let page = std::fs::read_to_string(Path::new(ROOT).join(s.doc)).unwrap();
        assert!(
            page.contains(&format!("schemas/{}.schema.json", s.name)),
            "{} does not link its schema schemas/{}.schema.json",
            s.doc,
            s.name
        );
    }
    assert!(
        stale.is_empty(),
        "these committed schemas differ from what the types give: {stale:?}\n\
         refresh them with: UPDATE_SCHEMAS=1 cargo test --test schemas"
    );
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            names.contains(&name),
            "docs/schemas/{} is no output's schema any more: remove it",
            name.to_string_lossy()
        );
    }
}

/// `fairfile ARGS`'s stdout, parsed, with the exit codes it may end with.
fn json_of(args: &[&str], codes: &[i32]) -> Value {
    let out = Command::cargo_bin("fairfile")
        .unwrap()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        codes.contains(&code),
        "fairfile {args:?} exited {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Python's `jsonschema`, if importable. Outside CI a missing one skips (said on stderr); in CI
/// it is a failure.
fn python_jsonschema() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "python3 with jsonschema is needed; .ci/run installs it (pip install jsonschema)"
            );
        }
        eprintln!(
            "skipped: schema validation: python3 -c 'import jsonschema' fails (pip install jsonschema)"
        );
    }
    found
}

/// Validate each (schema name, instance) with Python's `jsonschema`; returns, per instance, the
/// validator's first error (None: valid).
fn validate(cases: &[(&str, Value)]) -> Vec<Option<String>> {
    let dir = tempfile::tempdir().unwrap();
    let mut listed = Vec::new();
    for (i, (name, instance)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("{i}.json"));
        std::fs::write(&path, serde_json::to_vec(instance).unwrap()).unwrap();
        listed.push(serde_json::json!([
            schema_dir().join(format!("{name}.schema.json")),
            path
        ]));
    }
    let list = dir.path().join("cases.json");
    std::fs::write(&list, serde_json::to_vec(&listed).unwrap()).unwrap();
    const SCRIPT: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
out = []
for schema_path, instance_path in json.load(open(sys.argv[1])):
    schema = json.load(open(schema_path))
    Draft202012Validator.check_schema(schema)
    v = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(v.iter_errors(json.load(open(instance_path))), key=lambda e: list(e.absolute_path))
    out.append(None if not errors else "%s at %s" % (errors[0].message[:300], "/".join(map(str, errors[0].absolute_path))))
print(json.dumps(out))
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(&list)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn real_output_validates_against_the_committed_schemas() {
    if !python_jsonschema() {
        return;
    }
    let example = format!("{ROOT}/examples/acme-resumerank");
    let published = format!("{ROOT}/examples/published");
    let metrics = json_of(&["metrics", &example, "--format", "json"], &[0]);
    let mut cases: Vec<(&str, Value)> = vec![
        ("metrics", metrics.clone()),
        (
            "check",
            json_of(&["check", &example, "--format", "json"], &[0]),
        ),
        (
            "check",
            json_of(
                &[
                    "check",
                    &example,
                    "--format",
                    "json",
                    "--as-of",
                    "2028-01-10",
                ],
                &[0],
            ),
        ),
        (
            "framework",
            json_of(
                &["frameworks", "show", "nyc-ll144", "--format", "json"],
                &[0],
            ),
        ),
        (
            "framework",
            json_of(
                &["frameworks", "show", "eu-ai-act", "--format", "json"],
                &[0],
            ),
        ),
        (
            "status",
            json_of(
                &[
                    "status",
                    &example,
                    "--format",
                    "json",
                    "--as-of",
                    "2026-11-20",
                ],
                &[0],
            ),
        ),
        // Published summaries with findings (exit 1), and a fixture.
        (
            "recheck",
            json_of(&["recheck", &published, "--format", "json"], &[0, 1]),
        ),
    ];
    cases.push((
        "recheck",
        json_of(
            &[
                "recheck",
                &format!("{ROOT}/tests/fixtures/recheck"),
                "--format",
                "json",
            ],
            &[0, 1],
        ),
    ));
    // Two sealed versions of an LL144 audit (the example's, the EU AI Act left out to keep it
    // fast): their results files, and the diff between them, with moved metrics, a removed input
    // and an obligation whose status changed.
    let tmp = tempfile::tempdir().unwrap();
    let audit = two_versions(tmp.path());
    for v in [1, 2] {
        let file = audit.join(format!("dist/acme-resumerank-2026-results-v{v}.json"));
        cases.push((
            "results",
            serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap(),
        ));
    }
    let audit = audit.display().to_string();
    // build: a rebuild with nothing changed (up to date), and a first build elsewhere (built).
    cases.push((
        "build",
        json_of(&["build", &audit, "--format", "json"], &[0]),
    ));
    let fresh_out = tmp.path().join("fresh-dist");
    let built = json_of(
        &[
            "build",
            &audit,
            "--out",
            fresh_out.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[0],
    );
    assert_eq!(built["status"], "built", "{built}");
    cases.push(("build", built));
    // verify: the folder (OK), a lone PDF, and a folder with an altered document (problems).
    cases.push((
        "verify",
        json_of(&["verify", &audit, "--format", "json"], &[0]),
    ));
    let pdf = format!("{audit}/dist/acme-resumerank-2026-ll144-summary-v2.pdf");
    let lone = json_of(
        &["verify", &pdf, "--audit", &audit, "--format", "json"],
        &[0],
    );
    assert_eq!(lone["pdf"]["attests"]["version"], 2, "{lone}");
    cases.push(("verify", lone));
    let page = fresh_out.join("acme-resumerank-2026-ll144-summary-v1.html");
    std::fs::write(&page, b"<p>altered</p>").unwrap();
    let broken = json_of(
        &[
            "verify",
            &audit,
            "--out",
            fresh_out.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[1],
    );
    assert_eq!(broken["ok"], false);
    assert!(
        broken["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "output_changed"),
        "{broken}"
    );
    cases.push(("verify", broken));
    // frameworks list, and init (a new folder).
    cases.push((
        "frameworks",
        json_of(&["frameworks", "list", "--format", "json"], &[0]),
    ));
    let init_dir = tmp.path().join("new-audit");
    let init = json_of(
        &[
            "init",
            init_dir.to_str().unwrap(),
            "--framework",
            "nyc-ll144,eu-ai-act",
            "--format",
            "json",
        ],
        &[0],
    );
    for file in init["files"].as_array().unwrap() {
        let path = init_dir.join(file["path"].as_str().unwrap());
        assert_eq!(
            file["sha256"].as_str().unwrap(),
            fairfile::hash::sha256_hex(&std::fs::read(&path).unwrap())
        );
    }
    cases.push(("init", init));
    // key new and sign (the fresh build folder is signed: its results file is sealed).
    let key = tmp.path().join("signer.key");
    let new_key = json_of(
        &[
            "key",
            "new",
            "--out",
            key.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[0],
    );
    assert_eq!(new_key["encrypted"], false);
    cases.push(("key", new_key));
    cases.push((
        "sign",
        json_of(
            &[
                "sign",
                &audit,
                "--key",
                key.to_str().unwrap(),
                "--format",
                "json",
            ],
            &[0],
        ),
    ));
    let diff = json_of(&["diff", &audit, "--format", "json"], &[0]);
    assert!(
        !diff["obligations"].as_array().unwrap().is_empty(),
        "{diff}"
    );
    cases.push(("diff", diff));
    let results = validate(&cases);
    for ((name, _), error) in cases.iter().zip(&results) {
        assert_eq!(error, &None, "real {name} output does not validate");
    }

    // The validation can fail: a wrong schema id, a rate as text, a missing field.
    let mut other_version = metrics.clone();
    other_version["schema"] = "fairfile.metrics/2".into();
    let mut text_rate = metrics.clone();
    text_rate["dimensions"]["sex"]["categories"][0]["rate"] = "0.5".into();
    let mut no_total = metrics;
    no_total.as_object_mut().unwrap().remove("total");
    let bad = [
        ("metrics", other_version),
        ("metrics", text_rate),
        ("metrics", no_total),
    ];
    for ((_, instance), error) in bad.iter().zip(validate(&bad)) {
        assert!(error.is_some(), "an invalid document validated: {instance}");
    }
}

/// The example audit, LL144 only, built twice in `dir`: then the data changed (the first 200
/// rejected applicants advance) and the auditor's independence statement removed. Returns the
/// audit folder.
fn two_versions(dir: &Path) -> PathBuf {
    let audit = dir.join("acme");
    let example = Path::new(ROOT).join("examples/acme-resumerank");
    for entry in walkdir::WalkDir::new(&example).sort_by_file_name() {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(&example).unwrap();
        if relative.starts_with("dist")
            || relative.starts_with("evidence/eu")
            || relative.starts_with("evidence/talentsoft")
        {
            continue;
        }
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(audit.join(relative)).unwrap();
        } else {
            std::fs::copy(entry.path(), audit.join(relative)).unwrap();
        }
    }
    let config = std::fs::read_to_string(audit.join("fairfile.toml")).unwrap();
    let config = config
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
    let build = || {
        Command::cargo_bin("fairfile")
            .unwrap()
            .arg("build")
            .arg(&audit)
            .assert()
            .success();
    };
    build();
    let data = audit.join("data/applicants.csv");
    let text = std::fs::read_to_string(&data).unwrap();
    let changed = text.replacen(",Rejected,", ",Advanced,", 200);
    assert_ne!(text, changed);
    std::fs::write(&data, changed).unwrap();
    std::fs::remove_file(audit.join("evidence/ll144/auditor-independence-statement.md")).unwrap();
    build();
    audit
}
