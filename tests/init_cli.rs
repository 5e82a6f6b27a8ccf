//! `fairfile init` run as the real binary: the scaffold loads, `check` names what is left to do,
//! filling a template in meets its obligation, and nothing is ever overwritten.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fairfile() -> Command {
    Command::cargo_bin("fairfile").unwrap()
}

fn init(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    fairfile()
        .arg("init")
        .arg(dir)
        .args(args)
        .write_stdin("")
        .assert()
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir, dir)
}

fn walk(root: &Path, dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(root, &path));
        } else {
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
    out
}

/// Replace every placeholder as a user would, and put a small data file in.
fn fill_in_config_and_data(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("fairfile.toml")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.contains("\"FILL IN") {
            let key = line.split('=').next().unwrap().trim();
            let value = match key {
                "id" => "\"new-audit-2026\"",
                "audit_date" => "2026-11-20",
                "distribution_date" => "2024-03-01",
                "planned_use_date" => "2026-12-15",
                "independent" => "true",
                "kind" => "\"historical\"",
                _ => "\"Filled in\"",
            };
            out.push_str(&format!("{key} = {value}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(dir.join("fairfile.toml"), out).unwrap();
    let races = [
        "Hispanic or Latino",
        "White",
        "Black or African American",
        "Asian",
        "Two or More Races",
        "",
    ];
    let mut csv = String::from("sex,race,selected\n");
    for i in 0..120 {
        let sex = ["Male", "Female", ""][i % 3];
        let race = races[i % races.len()];
        let selected = u8::from(i % 4 == 0 || i % 7 == 0);
        csv.push_str(&format!("{sex},{race},{selected}\n"));
    }
    std::fs::write(dir.join("data/applicants.csv"), csv).unwrap();
}

fn check_json(dir: &Path) -> Value {
    let out = fairfile()
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn obligation<'a>(report: &'a Value, key: &str) -> &'a Value {
    let (fw, id) = key.split_once('/').unwrap();
    report["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == fw)
        .and_then(|f| {
            f["obligations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["id"] == id)
        })
        .unwrap_or_else(|| panic!("no obligation {key}"))
}

#[test]
fn init_then_check_lists_the_work_and_a_filled_template_is_met() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("audit");
    init(&dir, &["--framework", "nyc-ll144"])
        .success()
        .stderr(predicate::str::contains("fairfile check"));
    for f in [
        "fairfile.toml",
        ".gitignore",
        "data/README.md",
        "evidence/independent-bias-audit.md",
        "evidence/auditor-independence-statement.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} not written");
    }
    assert!(
        std::fs::read_to_string(dir.join(".gitignore"))
            .unwrap()
            .contains("dist/")
    );
    assert!(
        std::fs::read_to_string(dir.join("data/README.md"))
            .unwrap()
            .contains("`selected`")
    );

    // Fresh: check stops at the config, naming every key still to fill in (input error, exit 2).
    fairfile()
        .arg("check")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`audit.audit_date` is not filled in",
        ))
        .stderr(predicate::str::contains(
            "`auditor.independent` is not filled in",
        ))
        .stderr(predicate::str::contains("`data.kind` is not filled in"));

    fill_in_config_and_data(&dir);
    let report = check_json(&dir);
    let ob = obligation(&report, "nyc-ll144/5-300-independent-auditor");
    assert_eq!(ob["status"], "missing", "{ob}");
    let reason = ob["reason"].as_str().unwrap();
    assert!(
        reason.contains("evidence/auditor-independence-statement.md is still a draft"),
        "{reason}"
    );
    // Computed evidence needs no template and is met from the data.
    assert_eq!(
        obligation(&report, "nyc-ll144/5-301-b-sex")["status"],
        "met"
    );
    // --fail-on missing gates on the drafts.
    fairfile()
        .arg("check")
        .arg(&dir)
        .args(["--fail-on", "missing"])
        .assert()
        .code(1);

    // Fill the template in: date it, remove the draft marker.
    let path = dir.join("evidence/auditor-independence-statement.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let filled: String = text
        .lines()
        .filter(|l| *l != "draft = true")
        .map(|l| {
            if l.starts_with("date = ") {
                "date = 2026-11-10"
            } else {
                l
            }
        })
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + "\nNorthbridge Audits LLC states that it meets each test of 6 RCNY §5-300.\n";
    std::fs::write(&path, filled).unwrap();
    let report = check_json(&dir);
    let ob = obligation(&report, "nyc-ll144/5-300-independent-auditor");
    assert_eq!(ob["status"], "met", "{ob}");
    assert!(
        ob["reason"]
            .as_str()
            .unwrap()
            .contains("auditor-independence-statement.md")
    );
}

#[test]
fn init_refuses_to_overwrite_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("evidence")).unwrap();
    std::fs::write(dir.join("evidence/dpia.md"), "mine").unwrap();
    let before = snapshot(dir);
    init(dir, &["--framework", "eu-ai-act"])
        .code(2)
        .stderr(predicate::str::contains("dpia.md: already exists"));
    assert_eq!(snapshot(dir), before, "a refused init must write nothing");

    // A second init on a fresh scaffold is refused the same way, every file untouched.
    let fresh = tmp.path().join("fresh");
    init(&fresh, &["--framework", "nyc-ll144"]).success();
    let before = snapshot(&fresh);
    init(&fresh, &["--framework", "nyc-ll144"])
        .code(2)
        .stderr(predicate::str::contains("fairfile.toml: already exists"));
    assert_eq!(snapshot(&fresh), before);
}

#[test]
fn both_frameworks_several_roles_load_and_differ_by_role() {
    let tmp = tempfile::tempdir().unwrap();
    let small = tmp.path().join("deployer");
    let large = tmp.path().join("provider");
    init(
        &small,
        &[
            "--framework",
            "nyc-ll144,eu-ai-act",
            "--role",
            "employer,deployer",
        ],
    )
    .success();
    init(
        &large,
        &[
            "--framework",
            "nyc-ll144",
            "--framework",
            "eu-ai-act",
            "--role",
            "employer",
            "--role",
            "deployer",
            "--role",
            "provider",
            "--outcome",
            "scoring",
        ],
    )
    .success();
    let templates = |d: &Path| std::fs::read_dir(d.join("evidence")).unwrap().count();
    assert!(templates(&large) > templates(&small));
    // A provider's duties (e.g. the CE marking of Art 48) are templated only for a provider.
    assert!(large.join("evidence/ce-marking.md").is_file());
    assert!(!small.join("evidence/ce-marking.md").exists());
    let config = std::fs::read_to_string(large.join("fairfile.toml")).unwrap();
    assert!(config.contains("roles = [\"employer\", \"deployer\", \"provider\"]"));
    assert!(config.contains("outcome = \"scoring\""));
    assert!(
        config.contains(
            "\"Native American or Alaska Native\" = [\"Native American or Alaska Native\"]"
        )
    );

    for dir in [&small, &large] {
        fill_in_config_and_data(dir);
        if dir == &large {
            let csv = std::fs::read_to_string(dir.join("data/applicants.csv")).unwrap();
            let scored: String = csv
                .lines()
                .enumerate()
                .map(|(i, l)| match i {
                    0 => "sex,race,score\n".to_string(),
                    _ => format!("{},{}\n", l.rsplit_once(',').unwrap().0, (i * 37) % 100),
                })
                .collect();
            std::fs::write(dir.join("data/applicants.csv"), scored).unwrap();
        }
        // The generated fairfile.toml loads, and every template's front matter is valid.
        let report = check_json(dir);
        let ids: Vec<&str> = report["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["nyc-ll144", "eu-ai-act"]);
    }
}

#[test]
fn check_in_an_empty_folder_points_to_init() {
    let tmp = tempfile::tempdir().unwrap();
    fairfile()
        .arg("check")
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fairfile init"));
}

#[test]
fn init_needs_a_framework_and_rejects_a_role_of_another_framework() {
    let tmp = tempfile::tempdir().unwrap();
    init(tmp.path(), &[]).code(2);
    init(
        tmp.path(),
        &["--framework", "nyc-ll144", "--role", "provider"],
    )
    .code(2)
    .stderr(predicate::str::contains("--role"));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    fairfile()
        .args(["init", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}
