//! The pipeline examples (`examples/ci/`) cannot drift from the CLI: each file is parsed as YAML
//! by an independent parser (Python's PyYAML, which `.ci/run` installs; outside CI a missing one
//! skips, said on stderr; with `CI=true` it fails), and every `fairfile …` command in it is parsed
//! by the real command-line definition (`fairfile::cli::Cli`), so a renamed flag or value fails
//! here. The GitHub workflow's gate and upload are checked too.

use std::path::Path;
use std::process::Command;

use clap::Parser;
use serde_json::Value;

mod support;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The file as JSON (through PyYAML), and every `fairfile` command line in its shell steps, split
/// into words by Python's `shlex` (a redirection and what follows dropped).
fn load(file: &str) -> (Value, Vec<Vec<String>>) {
    const SCRIPT: &str = r#"
import json, shlex, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
commands = []
def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("run", "script") :
                lines = v if isinstance(v, list) else str(v).splitlines()
                for line in lines:
                    words = shlex.split(line)
                    if words and words[0] == "fairfile":
                        if ">" in words:
                            words = words[:words.index(">")]
                        commands.append(words)
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(doc)
print(json.dumps({"doc": doc, "commands": commands}, default=str))
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(Path::new(ROOT).join("examples/ci").join(file))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{file} is not valid YAML: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let commands = v["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c.as_array()
                .unwrap()
                .iter()
                .map(|w| {
                    w.as_str()
                        .unwrap()
                        .replace("$AUDIT_DIR", "examples/acme-resumerank")
                })
                .collect()
        })
        .collect();
    (v["doc"].clone(), commands)
}

fn parses(commands: &[Vec<String>], file: &str) {
    assert!(commands.len() >= 4, "{file}: {commands:?}");
    for words in commands {
        if let Err(e) = fairfile::cli::Cli::try_parse_from(words) {
            panic!("{file}: `{}` does not parse:\n{e}", words.join(" "));
        }
    }
    let first = |sub: &str| {
        commands
            .iter()
            .find(|w| w.get(1).map(String::as_str) == Some(sub))
    };
    let check = first("check").unwrap_or_else(|| panic!("{file} has no fairfile check"));
    assert!(
        check
            .windows(2)
            .any(|w| w[0] == "--fail-on" && w[1].contains("missing")),
        "{file}: the check must gate on missing evidence: {check:?}"
    );
    for sub in ["build", "verify", "status"] {
        assert!(first(sub).is_some(), "{file} has no fairfile {sub}");
    }
}

#[test]
fn the_github_workflow_gates_builds_verifies_and_uploads() {
    if !support::python_has("yaml", "PyYAML", "the pipeline examples") {
        return;
    }
    let (doc, commands) = load("github-actions.yml");
    parses(&commands, "github-actions.yml");
    // PyYAML reads the key `on` as the boolean true (YAML 1.1); either spelling is a trigger.
    let triggers = doc.get("on").or_else(|| doc.get("true")).expect("triggers");
    assert!(triggers.get("push").is_some() && triggers.get("pull_request").is_some());
    let steps = doc["jobs"]["audit"]["steps"].as_array().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("an upload step");
    assert!(upload["with"]["path"].as_str().unwrap().contains("/dist/"));
}

#[test]
fn the_gitlab_job_runs_the_same_commands() {
    if !support::python_has("yaml", "PyYAML", "the pipeline examples") {
        return;
    }
    let (doc, commands) = load("gitlab-ci.yml");
    parses(&commands, "gitlab-ci.yml");
    let paths = doc["bias-audit"]["artifacts"]["paths"].as_array().unwrap();
    assert!(paths.iter().any(|p| p.as_str().unwrap().contains("/dist/")));
}

#[test]
fn a_renamed_flag_would_fail_this_test() {
    // The parser really parses: an unknown flag or value is an error.
    for bad in [
        &["fairfile", "check", ".", "--fail-on", "misssing"][..],
        &["fairfile", "status", ".", "--whithin", "30"],
        &["fairfile", "buidl", "."],
    ] {
        assert!(fairfile::cli::Cli::try_parse_from(bad).is_err(), "{bad:?}");
    }
}
