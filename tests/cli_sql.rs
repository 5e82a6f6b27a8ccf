//! `fairfile sql`: the command line around the query generator (the query itself is checked on
//! real engines in tests/sql_engines.rs, and per dialect in the unit snapshots).

use assert_cmd::Command;
use predicates::prelude::*;

const CONFIG: &str = r#"[audit]
id = "acme-2026"
title = "Bias audit"
organization = "Acme"
system = "ResumeRank"
audit_date = 2026-11-20
frameworks = ["nyc-ll144"]

[auditor]
name = "Jane Roe"
independent = true

[data]
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
    let dir = audit(CONFIG);
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
    let dir = audit(CONFIG);
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
    let dir = audit(CONFIG);
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
    let dir = audit(CONFIG);
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
    let dir = audit(&CONFIG.replace(
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
