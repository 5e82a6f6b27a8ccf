//! A compliance officer's year, through the binary, as a new user walks it (issue 9): `init` →
//! `check` lists what is still to do → the data and filled-in evidence go in and `fairfile.toml`
//! is filled in → `check` is met → `build` (PDF, web page, results) → `verify` → the data changes
//! → `build` v2 → `diff` shows the moved impact ratios and the changed data hash → `status` shows
//! the next audit date.
//! The data and evidence are the example's (`examples/acme-resumerank`), LL144 only.

use std::path::Path;

use assert_cmd::Command;
use fairfile::format;
use serde_json::Value;

mod support;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme-resumerank");
const ID: &str = "acme-resumerank-2026";

fn fairfile() -> Command {
    let mut cmd = Command::cargo_bin("fairfile").unwrap();
    cmd.env("NO_COLOR", "1").write_stdin("");
    cmd
}

/// stdout of a run that must exit with `code`.
fn run(args: &[&str], dir: &Path, code: i32) -> (String, String) {
    let out = fairfile().args(args).arg(dir).output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "fairfile {args:?} DIR\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// `fairfile diff DIR ARGS` (the versions come after the folder).
fn diff_versions(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let out = fairfile().arg("diff").arg(dir).args(args).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "fairfile diff DIR {args:?}: {said}"
    );
    (String::from_utf8_lossy(&out.stdout).into_owned(), said)
}

fn sha256(path: &Path) -> String {
    fairfile::hash::sha256_hex(&std::fs::read(path).unwrap())
}

fn obligations(check: &Value) -> Vec<(String, String)> {
    check["frameworks"][0]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_string(),
                o["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The example's fairfile.toml as this user writes theirs: LL144 only, Acme the employer, the
/// `[audit.facts]` the LL144 obligations ask about.
fn config() -> String {
    let example = std::fs::read_to_string(Path::new(EXAMPLE).join("fairfile.toml")).unwrap();
    let adapted = example
        .replace(
            "frameworks = [\"nyc-ll144\", \"eu-ai-act\"]",
            "frameworks = [\"nyc-ll144\"]",
        )
        .replace(
            "roles = [\"employer\", \"provider\", \"deployer\"]",
            "roles = [\"employer\"]",
        );
    // The example's promotion notice went out 7 business days before its planned use; this user
    // does as `check` advises ("the earliest planned_use_date it allows is 2026-12-04").
    let adapted = adapted.replace(
        "planned_use_date = 2026-12-01",
        "planned_use_date = 2026-12-04",
    );
    // The EU AI Act waivers name obligations of a framework this audit does not use.
    let adapted = adapted.split("\n[[waivers]]").next().unwrap().to_string();
    for line in [
        "frameworks = [\"nyc-ll144\"]",
        "roles = [\"employer\"]",
        "planned_use_date = 2026-12-04",
    ] {
        assert!(
            adapted.contains(line),
            "the example's fairfile.toml moved: {line}"
        );
    }
    adapted
}

#[test]
fn a_year_with_fairfile_from_init_to_the_diff_of_two_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("resumerank-audit");

    // 1. init: a scaffold, and check says what is still to do.
    run(&["init", "--framework", "nyc-ll144"], &dir, 0);
    let (todo, said) = run(&["check"], &dir, 2);
    for key in ["audit.audit_date", "auditor.independent", "data.kind"] {
        assert!(
            said.contains(&format!("`{key}` is not filled in")),
            "{said}"
        );
    }
    // Beside the keys to fill in, the obligations still to evidence, each with its template.
    assert!(todo.starts_with("Still to do in "), "{todo}");
    assert!(
        todo.contains("nyc-ll144/5-301-a  Bias audit no more than one year before use"),
        "{todo}"
    );
    assert!(
        todo.contains(
            "independent_bias_audit: fill in the template evidence/independent-bias-audit.md and remove `draft = true`"
        ),
        "{todo}"
    );
    assert!(
        todo.contains("impact_ratios_sex: computed from the data; put it at data/applicants.csv"),
        "{todo}"
    );
    // Scoring obligations are ruled out by the scaffold's `outcome = "selection"` already.
    assert!(!todo.contains("nyc-ll144/5-301-c-sex"), "{todo}");

    // 2. The data goes in and fairfile.toml is filled in: the check runs, and a template still
    //    marked `draft` is missing evidence, named as such; filled in, it is met.
    std::fs::copy(
        Path::new(EXAMPLE).join("data/applicants.csv"),
        dir.join("data/applicants.csv"),
    )
    .unwrap();
    std::fs::write(dir.join("fairfile.toml"), config()).unwrap();
    let scope = |dir: &Path| -> (String, String) {
        let (json, _) = run(&["check", "--format", "json"], dir, 0);
        let check: Value = serde_json::from_str(&json).unwrap();
        check["frameworks"][0]["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == "20-870-aedt")
            .map(|o| {
                (
                    o["status"].as_str().unwrap().to_string(),
                    o["reason"].as_str().unwrap().to_string(),
                )
            })
            .unwrap()
    };
    let (status, reason) = scope(&dir);
    assert_eq!(status, "missing", "{reason}");
    assert!(
        reason.contains("evidence/aedt-scope-assessment.md"),
        "{reason}"
    );
    let template = dir.join("evidence/aedt-scope-assessment.md");
    let text = std::fs::read_to_string(&template).unwrap();
    let filled = text
        .lines()
        .filter(|l| l.trim() != "draft = true")
        .map(|l| {
            if l.starts_with("date = ") {
                "date = 2026-10-01"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&template, filled).unwrap();
    let (status, reason) = scope(&dir);
    assert_eq!(status, "met", "{reason}");

    //    The rest of the evidence: the example's finished documents take the templates' places.
    for template in std::fs::read_dir(dir.join("evidence")).unwrap() {
        std::fs::remove_file(template.unwrap().path()).unwrap();
    }
    for folder in ["ll144", "notices"] {
        support::copy_dir(
            &Path::new(EXAMPLE).join("evidence").join(folder),
            &dir.join("evidence").join(folder),
        );
    }

    // 3. check: every LL144 obligation for an employer is met (or not applicable).
    let (json, _) = run(&["check", "--format", "json"], &dir, 0);
    let check: Value = serde_json::from_str(&json).unwrap();
    let statuses = obligations(&check);
    assert!(!statuses.is_empty());
    let open: Vec<&(String, String)> = statuses
        .iter()
        .filter(|(_, s)| s != "met" && s != "not_applicable")
        .collect();
    assert!(open.is_empty(), "not met: {open:?}");
    run(&["check", "--fail-on", "missing,stale,failing"], &dir, 0);

    // 4. build: the PDFs, the public page and the sealed results; verify holds.
    run(&["build"], &dir, 0);
    let dist = dir.join("dist");
    for file in [
        format!("{ID}-ll144-summary-v1.pdf"),
        format!("{ID}-ll144-summary-v1.html"),
        format!("{ID}-results-v1.json"),
        "manifest-v1.json".to_string(),
    ] {
        assert!(dist.join(&file).is_file(), "{file} not built");
    }
    run(&["verify"], &dir, 0);
    // One version only: nothing to diff yet, and the error says what to do.
    let (_, said) = run(&["diff"], &dir, 2);
    assert!(said.contains("fairfile build"), "{said}");
    let (metrics_v1, _) = run(&["metrics", "--format", "json"], &dir, 0);
    let metrics_v1: Value = serde_json::from_str(&metrics_v1).unwrap();

    // 5. A year on: the data changes (300 rejected women now advance), and v2 is built.
    let data = dir.join("data/applicants.csv");
    let old_data_hash = sha256(&data);
    let mut flipped = 0;
    let text: String = std::fs::read_to_string(&data)
        .unwrap()
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            if flipped < 300 && fields[4] == "F" && fields[7] == "Rejected" {
                fields[7] = "Advanced";
                flipped += 1;
            }
            fields.join(",") + "\n"
        })
        .collect();
    assert_eq!(flipped, 300);
    std::fs::write(&data, text).unwrap();
    let new_data_hash = sha256(&data);
    run(&["build"], &dir, 0);
    assert!(dist.join(format!("{ID}-results-v2.json")).is_file());
    run(&["verify"], &dir, 0);

    // 6. diff: the changed data hash and the moved impact ratios, from what was sealed.
    let (json, _) = run(&["diff", "--format", "json"], &dir, 0);
    let diff: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(diff["schema"], "fairfile.diff/1");
    assert_eq!(
        (
            diff["from"]["version"].as_u64(),
            diff["to"]["version"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(diff["content_hash_changed"], true);
    let inputs = diff["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1, "only the data changed: {inputs:?}");
    assert_eq!(inputs[0]["path"], "data/applicants.csv");
    assert_eq!(inputs[0]["change"], "changed");
    assert_eq!(inputs[0]["old_sha256"], old_data_hash.as_str());
    assert_eq!(inputs[0]["new_sha256"], new_data_hash.as_str());
    assert_eq!(diff["metrics"]["old_data_sha256"], old_data_hash.as_str());

    let sex = &diff["metrics"]["families"][0];
    assert_eq!(sex["family"], "sex");
    assert_eq!(sex["moved"], true);
    let female = sex["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "Female")
        .expect("Female moved");
    let v1_female = metrics_v1["dimensions"]["sex"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "Female")
        .unwrap();
    // The old side is exactly what v1 computed; the new side has 300 more selected.
    assert_eq!(female["old_impact_ratio"], v1_female["impact_ratio"]);
    assert_eq!(female["old_rate"], v1_female["rate"]);
    assert_eq!(
        female["new_count"].as_u64().unwrap(),
        female["old_count"].as_u64().unwrap() + 300
    );
    let (old_ir, new_ir) = (
        female["old_impact_ratio"].as_f64().unwrap(),
        female["new_impact_ratio"].as_f64().unwrap(),
    );
    assert!(new_ir > old_ir, "{old_ir} → {new_ir}");
    assert!(sex["old_unknown"] == sex["new_unknown"]);

    // The same, as the table a person reads: old → new (difference), in format.rs's digits.
    let (table, _) = run(&["diff"], &dir, 0);
    let expected = format!(
        "impact ratio {} → {} ({})",
        format::ratio(old_ir),
        format::ratio(new_ir),
        format::difference(new_ir - old_ir)
    );
    assert!(table.contains(&expected), "{expected:?} not in:\n{table}");
    assert!(
        table.contains(&format!(
            "changed  data       data/applicants.csv  {} → {}",
            &old_data_hash[..12],
            &new_data_hash[..12]
        )),
        "{table}"
    );
    assert!(
        table.contains("version 1 (2026-11-20) → version 2 (2026-11-20)"),
        "{table}"
    );

    // Versions named: the same diff; a version with itself, or one not sealed, is refused.
    let (named, _) = diff_versions(&dir, &["v1", "2", "--format", "json"], 0);
    assert_eq!(named, json);
    let (_, said) = diff_versions(&dir, &["v2"], 2);
    assert!(said.contains("compared with itself"), "{said}");
    let out = fairfile()
        .args(["diff", "v1"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("`fairfile diff . v1`"), "{said}");
    let (_, said) = diff_versions(&dir, &["v9"], 2);
    assert!(said.contains("no sealed version 9"), "{said}");
    // Only what was sealed is read: an altered results file is refused, not compared.
    let results = dist.join(format!("{ID}-results-v1.json"));
    let sealed = std::fs::read(&results).unwrap();
    std::fs::write(&results, [&sealed[..], b" "].concat()).unwrap();
    let (_, said) = run(&["diff"], &dir, 2);
    assert!(said.contains("changed after the build"), "{said}");
    std::fs::write(&results, sealed).unwrap();

    // 7. status: the next audit date. The bias audit on record (the example's, dated 2026-11-20)
    // covers uses for 365 days (6 RCNY § 5-301(a)): the next one is due for uses after 2027-11-20.
    let (json, _) = run(
        &["status", "--as-of", "2026-11-20", "--format", "json"],
        &dir,
        0,
    );
    let status: Value = serde_json::from_str(&json).unwrap();
    let renew = status["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "renew" && d["obligation"] == "nyc-ll144/5-301-a")
        .unwrap_or_else(|| panic!("no re-audit deadline in {status:#}"));
    assert_eq!(renew["date"], "2027-11-20");
    assert_eq!(renew["days_remaining"], 365);
    let (table, _) = run(&["status", "--as-of", "2026-11-20"], &dir, 0);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("2027-11-20") && l.contains("Bias audit")),
        "{table}"
    );
}
