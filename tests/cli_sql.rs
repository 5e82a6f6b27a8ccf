//! `fairfile sql`: the command line around the query generator (the query itself is checked on
//! real engines in tests/sql_engines.rs, and per dialect in the unit snapshots).

use assert_cmd::Command;
use predicates::prelude::*;

mod support;

/// The `[data]` tables of the test audit (the head is `support::AUDIT_HEAD`).
const DATA: &str = r#"[data]
counts = "counts.csv"
kind = "historical"
description = "ATS export"
outcome = "selection"

[data.columns]
sex = "order"
race = "race"
selected = "advanced"

[data.categories.sex]
Male = ["M"]
Female = ["F", "it's"]
unknown = [""]

[data.categories.race]
White = ["White"]
unknown = [""]
"#;

fn config() -> String {
    support::audit_toml(DATA)
}

fn audit(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fairfile.toml"), config).unwrap();
    dir
}

fn fairfile() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fairfile"))
}

#[test]
fn prints_a_quoted_query_for_a_qualified_table() {
    let dir = audit(&config());
    fairfile()
        .args(["sql"])
        .arg(dir.path())
        .args(["--dialect", "postgres", "--table", "hr.\"app.lications\""])
        .assert()
        .success()
        .stdout(predicate::str::contains("FROM \"hr\".\"app.lications\""))
        .stdout(predicate::str::contains("CAST(\"order\" AS TEXT)"))
        .stdout(predicate::str::contains("'it''s'"))
        .stdout(predicate::str::contains("AS \"selected\""))
        .stdout(predicate::str::contains("AS \"sex_unmapped\""));
}

#[test]
fn spark_quotes_with_backticks_and_backslashes() {
    let dir = audit(&config());
    fairfile()
        .args(["sql"])
        .arg(dir.path())
        .args(["--dialect", "spark"])
        .assert()
        .success()
        .stdout(predicate::str::contains("FROM `applicants`"))
        .stdout(predicate::str::contains("'it\\'s'"));
}

#[test]
fn unknown_dialect_is_a_usage_error() {
    let dir = audit(&config());
    fairfile()
        .args(["sql"])
        .arg(dir.path())
        .args(["--dialect", "mysql"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "possible values: ansi, duckdb, postgres, spark, bigquery, snowflake",
        ));
}

#[test]
fn bad_table_name_is_a_usage_error() {
    let dir = audit(&config());
    fairfile()
        .args(["sql"])
        .arg(dir.path())
        .args(["--dialect", "ansi", "--table", "hr..applicants"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty part in table name"));
}

#[test]
fn missing_categories_are_an_input_error_with_the_config_location() {
    let dir = audit(&config().replace(
        "[data.categories.race]\nWhite = [\"White\"]\nunknown = [\"\"]\n",
        "",
    ));
    fairfile()
        .args(["sql"])
        .arg(dir.path())
        .args(["--dialect", "duckdb"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fairfile.toml:"))
        .stderr(predicate::str::contains(
            "[data.categories.race] is missing",
        ));
}

#[test]
fn missing_audit_folder_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    fairfile()
        .args(["sql"])
        .arg(dir.path().join("nowhere"))
        .args(["--dialect", "duckdb"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no fairfile.toml"));
}

/// The counts reader's side of the contract: the columns only `fairfile sql` writes.
mod counts_from_the_query {
    use super::*;

    const SELECTION_DATA: &str = r#"[data]
counts = "counts.csv"
kind = "historical"
description = "ATS export"
outcome = "selection"

[data.columns]
sex = "gender"
race = "race"
selected = "advanced"

[data.categories.sex]
Male = ["M"]
Female = ["F"]
unknown = [""]

[data.categories.race]
White = ["White"]
Black = ["B"]
unknown = [""]
"#;

    fn selection() -> String {
        support::audit_toml(SELECTION_DATA)
    }

    fn metrics(config: &str, counts: &str) -> assert_cmd::assert::Assert {
        let dir = audit(config);
        std::fs::write(dir.path().join("counts.csv"), counts).unwrap();
        fairfile()
            .args(["metrics"])
            .arg(dir.path())
            .args(["--format", "json"])
            .assert()
    }

    const HEADER: &str = "sex,race,n,selected,invalid_outcome,sex_unmapped,race_unmapped\n";

    #[test]
    fn a_flagged_raw_value_is_unmapped_even_when_it_spells_a_category() {
        // The data held the raw value "Male", which the mapping does not list (it lists "M"):
        // the row reader rejects it, so the counts reader must too.
        let counts = format!(
            "{HEADER}Male,White,10,5,0,0,0\nMale,White,3,1,0,1,0\nFemale,Black,8,2,0,0,0\n"
        );
        metrics(&selection(), &counts)
            .code(2)
            .stderr(predicate::str::contains(
                "unmapped sex value \"Male\": 3 individuals",
            ));
    }

    #[test]
    fn flagged_values_fold_into_unknown_when_asked() {
        let config = selection().replace(
            "outcome = \"selection\"",
            "outcome = \"selection\"\nunmapped = \"unknown\"",
        );
        let counts = format!(
            "{HEADER}Male,White,10,5,0,0,0\nMale,White,3,1,0,1,0\nFemale,Black,8,2,0,0,0\n"
        );
        let out = metrics(&config, &counts)
            .success()
            .get_output()
            .stdout
            .clone();
        let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(report["total"], 21);
        assert_eq!(report["dimensions"]["sex"]["unknown"], 3, "{report:#}");
        let male = &report["dimensions"]["sex"]["categories"][0];
        assert_eq!(
            (male["category"].as_str(), male["n"].as_u64()),
            (Some("Male"), Some(10))
        );
        let folded: Vec<_> = report["category_values"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["unmapped"] == true)
            .map(|v| {
                (
                    v["value"].as_str().unwrap().to_string(),
                    v["count"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(folded, vec![("Male".to_string(), 3)]);
    }

    #[test]
    fn invalid_outcomes_counted_in_the_warehouse_are_an_error() {
        let counts = format!("{HEADER}Male,White,10,5,2,0,0\nFemale,Black,8,2,0,0,0\n");
        metrics(&selection(), &counts)
            .code(2)
            .stderr(predicate::str::contains(
                "counts.csv:2:5 (field `invalid_outcome`)",
            ))
            .stderr(predicate::str::contains(
                "2 individuals (sex \"Male\", race \"White\") have a `selected` value in neither",
            ));
    }

    #[test]
    fn invalid_scores_counted_in_the_warehouse_are_an_error() {
        let config = selection()
            .replace("outcome = \"selection\"", "outcome = \"scoring\"")
            .replace("selected = \"advanced\"", "score = \"score\"");
        let counts = "sex,race,n,above_median,median_score,invalid_score,sex_unmapped,race_unmapped\n\
                      Male,White,10,5,5.5,0,0,0\nFemale,Black,8,2,5.5,1,0,0\n";
        metrics(&config, counts)
            .code(2)
            .stderr(predicate::str::contains("1 individuals (sex \"Female\", race \"Black\") have no score that is a finite number"));
    }

    #[test]
    fn flags_other_than_zero_or_one_are_an_error() {
        let counts = format!("{HEADER}Male,White,10,5,0,yes,0\n");
        metrics(&selection(), &counts)
            .code(2)
            .stderr(predicate::str::contains("\"yes\" is not 0 or 1"));
    }
}
