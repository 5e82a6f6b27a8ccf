//! `fairfile metrics` through the real binary: the DCWP worked examples, the fixtures, real data
//! files, and every kind of bad input (each error must name the file, line and column or field).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

mod support;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/metrics")
        .join(name)
}

/// A writable copy of a fixture audit folder.
fn copy_fixture(name: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture(name);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let to = dir.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

fn fairfile() -> Command {
    Command::cargo_bin("fairfile").unwrap()
}

fn json(dir: &Path) -> Value {
    let out = fairfile()
        .arg("metrics")
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

/// Run `fairfile metrics` expecting an input error (exit 2); returns stderr.
fn input_error(dir: &Path) -> String {
    let out = fairfile().arg("metrics").arg(dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

fn category<'a>(report: &'a Value, dimension: &str, name: &str) -> &'a Value {
    report["dimensions"][dimension]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == name)
        .unwrap_or_else(|| panic!("{dimension}: no category {name}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// `value` rounds to `printed` at the printed precision (half a unit in the last printed place).
fn matches_printed(value: f64, printed: &str) -> bool {
    let decimals = printed.split('.').nth(1).map_or(0, str::len);
    let printed: f64 = printed.parse().unwrap();
    (value - printed).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) + 1e-12
}

// ---------------------------------------------------------------------------------------------
// DCWP worked examples (reference sheet ll144.md §2(e)), through counts input.

#[test]
fn dcwp_example_1_sex_and_intersectional_tables() {
    let report = json(&fixture("dcwp-example-1"));
    assert_eq!(report["schema"], "fairfile.metrics/1");
    assert_eq!(report["mode"], "selection");
    assert_eq!(report["data"]["input"], "counts");
    assert_eq!(report["total"], 2571 + 250);
    // The 250 individuals with unknown sex or race/ethnicity: reported, not used.
    assert_eq!(report["dimensions"]["sex"]["unknown"], 250);
    assert_eq!(report["dimensions"]["intersectional"]["unknown"], 250);

    // Sex categories: # applicants, # selected, rate (printed %), impact ratio (printed).
    for (name, n, selected, rate, ratio) in [
        ("Male", 1390, 667, "48", "1.00"),
        ("Female", 1181, 555, "47", "0.979"),
    ] {
        let c = category(&report, "sex", name);
        assert_eq!(
            (c["n"].as_u64(), c["selected"].as_u64()),
            (Some(n), Some(selected)),
            "{name}"
        );
        assert!(
            matches_printed(f(&c["rate"]) * 100.0, rate),
            "{name} rate {}",
            c["rate"]
        );
        assert!(
            matches_printed(f(&c["impact_ratio"]), ratio),
            "{name} IR {}",
            c["impact_ratio"]
        );
    }
    assert_eq!(report["dimensions"]["sex"]["reference"], "Male");

    let rows = [
        ("Male", "Hispanic or Latino", 205, 90, "43.9", "0.841"),
        ("Female", "Hispanic or Latino", 190, 82, "43.2", "0.827"),
        ("Male", "White", 412, 215, "52.2", "1.000"),
        (
            "Male",
            "Black or African American",
            226,
            95,
            "42.0",
            "0.806",
        ),
        (
            "Male",
            "Native Hawaiian or Pacific Islander",
            87,
            37,
            "42.5",
            "0.815",
        ),
        ("Male", "Asian", 321, 167, "52.0", "0.997"),
        (
            "Male",
            "Native American or Alaska Native",
            24,
            11,
            "45.8",
            "0.878",
        ),
        ("Male", "Two or More Races", 115, 52, "45.2", "0.866"),
        ("Female", "White", 385, 197, "51.2", "0.981"),
        (
            "Female",
            "Black or African American",
            164,
            75,
            "45.7",
            "0.876",
        ),
        (
            "Female",
            "Native Hawaiian or Pacific Islander",
            32,
            15,
            "46.9",
            "0.898",
        ),
        ("Female", "Asian", 295, 135, "45.8", "0.877"),
        (
            "Female",
            "Native American or Alaska Native",
            17,
            7,
            "41.2",
            "0.789",
        ),
        ("Female", "Two or More Races", 98, 44, "44.9", "0.860"),
    ];
    for (sex, race, n, selected, rate, ratio) in rows {
        let c = category(&report, "intersectional", &format!("{sex} / {race}"));
        assert_eq!(
            (c["sex"].as_str(), c["race"].as_str()),
            (Some(sex), Some(race))
        );
        assert_eq!(
            (c["n"].as_u64(), c["selected"].as_u64()),
            (Some(n), Some(selected)),
            "{sex} {race}"
        );
        assert!(
            matches_printed(f(&c["rate"]) * 100.0, rate),
            "{sex} {race} rate {}",
            c["rate"]
        );
        assert!(
            matches_printed(f(&c["impact_ratio"]), ratio),
            "{sex} {race} IR {}",
            c["impact_ratio"]
        );
        // The four-fifths rule flags only Female / Native American or Alaska Native (0.789).
        let flagged = sex == "Female" && race == "Native American or Alaska Native";
        assert_eq!(c["four_fifths_flag"], flagged, "{sex} {race}");
    }
    assert_eq!(
        report["dimensions"]["intersectional"]["reference"],
        "Male / White"
    );
    // Categories under 2 % are flagged but kept: the rule's exclusion is optional.
    let small = category(
        &report,
        "intersectional",
        "Female / Native American or Alaska Native",
    );
    assert_eq!(
        (small["small"].as_bool(), small["excluded"].as_bool()),
        (Some(true), Some(false))
    );
}

#[test]
fn dcwp_example_1_race_table() {
    let report = json(&fixture("dcwp-example-1-race"));
    assert_eq!(report["dimensions"]["sex"]["provided"], false);
    assert_eq!(report["dimensions"]["intersectional"]["provided"], false);
    let rows = [
        ("Hispanic or Latino", 408, 204, "50", "0.97"),
        ("White", 797, 412, "52", "1.00"),
        ("Black or African American", 390, 170, "44", "0.84"),
        ("Native Hawaiian or Pacific Islander", 119, 52, "44", "0.85"),
        ("Asian", 616, 302, "49", "0.95"),
        ("Native American or Alaska Native", 41, 18, "44", "0.85"),
        ("Two or More Races", 213, 96, "45", "0.87"),
    ];
    for (race, n, selected, rate, ratio) in rows {
        let c = category(&report, "race_ethnicity", race);
        assert_eq!(
            (c["n"].as_u64(), c["selected"].as_u64()),
            (Some(n), Some(selected)),
            "{race}"
        );
        assert!(
            matches_printed(f(&c["rate"]) * 100.0, rate),
            "{race} rate {}",
            c["rate"]
        );
        assert!(
            matches_printed(f(&c["impact_ratio"]), ratio),
            "{race} IR {}",
            c["impact_ratio"]
        );
    }
    // Reference sheet §9: Black vs White, IR 0.843, two-sided Fisher p = 0.0094.
    let black = category(&report, "race_ethnicity", "Black or African American");
    assert!(matches_printed(f(&black["impact_ratio"]), "0.843"));
    assert!(
        matches_printed(f(&black["fisher_p"]), "0.0094"),
        "{}",
        black["fisher_p"]
    );
    assert_eq!(
        black["four_fifths_flag"], false,
        "significant, yet it passes the four-fifths rule"
    );
}

#[test]
fn dcwp_example_2_scoring_tables() {
    let report = json(&fixture("dcwp-example-2"));
    assert_eq!(report["mode"], "scoring");
    assert_eq!(report["median_score"], 50.0);
    assert!(
        report["median_sample"]
            .as_str()
            .unwrap()
            .contains("§5-301(c)(1)")
    );
    assert_eq!(
        report["data"]["median_source"],
        "supplied in [data] median_score"
    );
    assert_eq!(report["dimensions"]["sex"]["unknown"], 15);
    let sex = [("Male", 92, "54.3", "1.00"), ("Female", 76, "44.7", "0.82")];
    for (name, n, rate, ratio) in sex {
        let c = category(&report, "sex", name);
        assert_eq!(c["n"].as_u64(), Some(n));
        assert!(
            c.get("selected").is_none(),
            "scoring mode reports above_median"
        );
        assert!(matches_printed(f(&c["rate"]) * 100.0, rate), "{name}");
        assert!(matches_printed(f(&c["impact_ratio"]), ratio), "{name}");
    }
    // The rule prints 64.2 % for Hispanic or Latino, where 18/28 = 64.29 %: it truncated.
    let hispanic = category(&report, "race_ethnicity", "Hispanic or Latino");
    assert_eq!(hispanic["above_median"], 18);
    assert!((f(&hispanic["rate"]) - 18.0 / 28.0).abs() < 1e-15);
    let race = [
        ("Hispanic or Latino", 28, "1.00"),
        ("White", 40, "0.58"),
        ("Black or African American", 32, "0.78"),
        ("Native Hawaiian or Pacific Islander", 8, "0.97"),
        ("Asian", 24, "0.65"),
        ("Native American or Alaska Native", 16, "0.97"),
        ("Two or More Races", 20, "0.78"),
    ];
    for (name, n, ratio) in race {
        let c = category(&report, "race_ethnicity", name);
        assert_eq!(c["n"].as_u64(), Some(n), "{name}");
        assert!(
            matches_printed(f(&c["impact_ratio"]), ratio),
            "{name} IR {}",
            c["impact_ratio"]
        );
    }
    let cross = [
        ("Male", "Hispanic or Latino", 16, "75", "1.00"),
        ("Female", "Hispanic or Latino", 12, "50", "0.67"),
        ("Male", "White", 20, "35", "0.47"),
        ("Male", "Black or African American", 20, "50", "0.67"),
        (
            "Male",
            "Native Hawaiian or Pacific Islander",
            4,
            "75",
            "1.00",
        ),
        ("Male", "Asian", 12, "58.3", "0.78"),
        (
            "Male",
            "Native American or Alaska Native",
            8,
            "62.5",
            "0.83",
        ),
        ("Male", "Two or More Races", 12, "50", "0.67"),
        ("Female", "White", 20, "40", "0.53"),
        ("Female", "Black or African American", 12, "50", ".67"),
        (
            "Female",
            "Native Hawaiian or Pacific Islander",
            4,
            "50",
            "0.67",
        ),
        ("Female", "Asian", 12, "25", "0.33"),
        (
            "Female",
            "Native American or Alaska Native",
            8,
            "62.5",
            "0.83",
        ),
        ("Female", "Two or More Races", 8, "50", "0.67"),
    ];
    for (sex, race, n, rate, ratio) in cross {
        let c = category(&report, "intersectional", &format!("{sex} / {race}"));
        assert_eq!(c["n"].as_u64(), Some(n), "{sex} {race}");
        assert!(
            matches_printed(f(&c["rate"]) * 100.0, rate),
            "{sex} {race} rate {}",
            c["rate"]
        );
        assert!(
            matches_printed(f(&c["impact_ratio"]), ratio),
            "{sex} {race} IR {}",
            c["impact_ratio"]
        );
    }
    // Two categories tie at the top (75 %): both have impact ratio 1, the first is the reference.
    assert_eq!(
        report["dimensions"]["intersectional"]["reference"],
        "Male / Hispanic or Latino"
    );
    // Reference sheet §9: Female vs Male p = 0.278; Asian Female vs Hispanic Male p = 0.020.
    assert!(matches_printed(
        f(&category(&report, "sex", "Female")["fisher_p"]),
        "0.278"
    ));
    let asian_female = category(&report, "intersectional", "Female / Asian");
    assert!(matches_printed(f(&asian_female["fisher_p"]), "0.020"));
    assert!(matches_printed(f(&asian_female["impact_ratio"]), "0.333"));
}

// ---------------------------------------------------------------------------------------------
// The fixtures, table and JSON.

#[test]
fn selection_fixture_json() {
    let report = json(&fixture("selection"));
    assert_eq!(report["total"], 24);
    assert_eq!(report["data"]["rows_read"], 24);
    assert_eq!(report["data"]["path"], "data/applicants.csv");
    assert_eq!(report["data"]["sha256"].as_str().unwrap().len(), 64);
    let sex = &report["dimensions"]["sex"];
    assert_eq!(
        (sex["known"].as_u64(), sex["unknown"].as_u64()),
        (Some(22), Some(2))
    );
    let female = category(&report, "sex", "Female");
    assert_eq!(
        (female["n"].as_u64(), female["selected"].as_u64()),
        (Some(11), Some(5))
    );
    assert!((f(&female["impact_ratio"]) - 5.0 / 6.0).abs() < 1e-15);
    let race = &report["dimensions"]["race_ethnicity"];
    assert_eq!(
        (race["reference"].as_str(), race["unknown"].as_u64()),
        (Some("White"), Some(2))
    );
    let black = category(&report, "race_ethnicity", "Black or African American");
    assert!((f(&black["impact_ratio"]) - (2.0 / 7.0) / 0.7).abs() < 1e-15);
    assert_eq!(black["four_fifths_flag"], true);
    assert_eq!(black["small_sample"], true);

    // Every raw outcome value is listed with its count and how it was counted.
    let outcomes: Vec<(String, String, u64, String)> = report["outcome_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["column"].as_str().unwrap().into(),
                v["value"].as_str().unwrap().into(),
                v["count"].as_u64().unwrap(),
                v["counted_as"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("selected", "no", 12, "not_selected"),
        ("selected", "yes", 12, "selected"),
        ("label", "0", 13, "negative"),
        ("label", "1", 11, "positive"),
    ];
    assert_eq!(outcomes.len(), expected.len());
    for (got, want) in outcomes.iter().zip(expected) {
        assert_eq!(
            (got.0.as_str(), got.1.as_str(), got.2, got.3.as_str()),
            want
        );
    }
    let declined = report["category_values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "Declined")
        .unwrap();
    assert_eq!(
        (
            declined["dimension"].as_str(),
            declined["category"].as_str(),
            declined["count"].as_u64()
        ),
        (Some("sex"), Some("unknown"), Some(1))
    );

    // Fairness: prediction = the `advanced` column, label = `hired`.
    let fairness = &report["fairness"]["sex"];
    let groups = fairness["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    // Male: tp 4 (1,2,4,6), fp 2 (3,9), fn 1 (7), tn 4 (5,8,10,23).
    assert_eq!(
        (
            groups[0]["tp"].as_u64(),
            groups[0]["fp"].as_u64(),
            groups[0]["fn"].as_u64(),
            groups[0]["tn"].as_u64()
        ),
        (Some(4), Some(2), Some(1), Some(4))
    );
    assert!(fairness["demographic_parity_difference"].is_number());
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("small samples"))
    );
}

#[test]
fn selection_fixture_table() {
    let out = fairfile()
        .arg("metrics")
        .arg(fixture("selection"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Fixture: selection mode",
        "Selection mode (6 RCNY §5-301(b)): 24 individuals assessed",
        "Sex categories: reference Male; 22 known, 2 unknown",
        "Race/ethnicity categories: reference White",
        "Intersectional categories (sex × race/ethnicity)",
        "Impact ratio",
        "below 4/5",
        fairfile::format::ROUNDING_RULE,
        "Outcome values seen",
        "Category values seen",
        "\"Declined\"",
        "Warnings",
    ] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }
    // Female row: 11 applicants, 5 selected, 45.45 % (one decimal, as in the documents), impact
    // ratio 0.833.
    let female = table
        .lines()
        .find(|l| l.trim_start().starts_with("Female "))
        .unwrap();
    let cells: Vec<&str> = female.split_whitespace().collect();
    assert_eq!(
        &cells[..5],
        ["Female", "11", "5", "45.5%", "0.833"],
        "{female}"
    );
}

#[test]
fn scoring_fixture_median_ties_and_fairness() {
    let report = json(&fixture("scoring"));
    assert_eq!(report["median_score"], 5.0);
    assert_eq!(report["data"]["scores_at_median"], 4);
    assert_eq!(report["data"]["median_source"], "computed from every row");
    let male = category(&report, "sex", "Male");
    assert_eq!(
        (
            male["n"].as_u64(),
            male["above_median"].as_u64(),
            male["rate"].as_f64()
        ),
        (Some(6), Some(3), Some(0.5))
    );
    let female = category(&report, "sex", "Female");
    assert_eq!(
        (
            female["above_median"].as_u64(),
            female["impact_ratio"].as_f64()
        ),
        (Some(1), Some(0.4))
    );
    let black = category(&report, "race_ethnicity", "Black or African American");
    assert!((f(&black["impact_ratio"]) - 0.25 / (3.0 / 7.0)).abs() < 1e-15);
    // Prediction = score >= 6. Male tp 2 fp 1 fn 1 tn 2; Female tp 1 fp 0 fn 1 tn 3.
    let sex = &report["fairness"]["sex"];
    assert!((f(&sex["demographic_parity_difference"]) - 0.3).abs() < 1e-15);
    assert!((f(&sex["demographic_parity_ratio"]) - 0.4).abs() < 1e-15);
    assert!((f(&sex["equalized_odds_difference"]) - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(sex["equalized_odds_ratio"], 0.0);
    assert!((f(&sex["equal_opportunity_difference"]) - 1.0 / 6.0).abs() < 1e-15);
    assert_eq!(report["fairness"]["prediction"], "`score` >= 6");

    let out = fairfile()
        .arg("metrics")
        .arg(fixture("scoring"))
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("median score 5 (computed from every row)"),
        "{table}"
    );
    assert!(table.contains("4 scores equal the median"), "{table}");
    assert!(table.contains("Above median"), "{table}");
}

#[test]
fn json_output_is_deterministic() {
    let run = || {
        fairfile()
            .arg("metrics")
            .arg(fixture("selection"))
            .args(["--format", "json"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

// ---------------------------------------------------------------------------------------------
// Real data.

/// ProPublica COMPAS in selection mode (`[data] path` is `@PATH@`).
const COMPAS_DATA: &str = r#"
[data]
path = "@PATH@"
kind = "historical"
description = "ProPublica COMPAS two-year recidivism data."
outcome = "selection"

[data.columns]
sex = "sex"
race = "race"
selected = "score_text"
label = "two_year_recid"

[data.values]
selected = ["Medium", "High"]
not_selected = ["Low"]
label = ["1"]

[data.categories.sex]
Male = ["Male"]
Female = ["Female"]

[data.categories.race]
"Black or African American" = ["African-American"]
White = ["Caucasian"]
"Hispanic or Latino" = ["Hispanic"]
Asian = ["Asian"]
"Native American or Alaska Native" = ["Native American"]
Other = ["Other"]
"#;

/// COMPAS, when a copy is present (it is not redistributed; tests/data/README.md). The repeated
/// header is also held by the committed `ricci-repeated-header.csv` below.
#[test]
fn compas_with_its_repeated_columns() {
    let Some(compas) = support::compas_csv("metrics_cli::compas_with_its_repeated_columns") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(compas, dir.path().join("applicants.csv")).unwrap();
    let config = support::audit_toml(&COMPAS_DATA.replace("@PATH@", "applicants.csv"));
    std::fs::write(dir.path().join("fairfile.toml"), &config).unwrap();
    // The header repeats `decile_score` and `priors_count`; neither is mapped, so that is fine.
    let report = json(dir.path());
    assert_eq!(report["total"], 7214);
    // pandas: df.groupby("sex").score_text.isin(["Medium", "High"]).agg(["count", "sum"])
    let male = category(&report, "sex", "Male");
    assert_eq!(
        (male["n"].as_u64(), male["selected"].as_u64()),
        (Some(5819), Some(2726))
    );
    let female = category(&report, "sex", "Female");
    assert_eq!(
        (female["n"].as_u64(), female["selected"].as_u64()),
        (Some(1395), Some(591))
    );
    let black = category(&report, "race_ethnicity", "Black or African American");
    assert_eq!(
        (black["n"].as_u64(), black["selected"].as_u64()),
        (Some(3696), Some(2174))
    );
    assert_eq!(
        report["dimensions"]["race_ethnicity"]["reference"],
        "Native American or Alaska Native"
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("\\\"Other\\\" is not an EEO-1"),
        "{warnings}"
    );

    // Mapping the repeated column is an error: which of the two would it be?
    std::fs::write(
        dir.path().join("fairfile.toml"),
        config.replace(
            "label = \"two_year_recid\"",
            "label = \"two_year_recid\"\nscore = \"decile_score\"\nprediction_threshold = 5.0",
        ),
    )
    .unwrap();
    let err = input_error(dir.path());
    assert!(err.contains("applicants.csv:1:"), "{err}");
    assert!(
        err.contains("column `decile_score` ([data.columns] score) appears 2 times in the header"),
        "{err}"
    );
}

/// Ricci v. DeStefano: race and the combined exam score, pass mark 70 (`[data] path` is `@PATH@`).
const RICCI_DATA: &str = r#"
[data]
path = "@PATH@"
kind = "historical"
description = "New Haven Fire Department promotion exams, 2003 (Ricci v. DeStefano)."
outcome = "selection"

[data.columns]
race = "Race"
score = "Combine"
prediction_threshold = 70.0

[data.categories.race]
"Hispanic or Latino" = ["H"]
White = ["W"]
"Black or African American" = ["B"]
"#;

/// An audit folder holding the committed `tests/data/FILE`, configured by [`RICCI_DATA`].
fn ricci_audit(file: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(support::test_data(file), dir.path().join(file)).unwrap();
    std::fs::write(
        dir.path().join("fairfile.toml"),
        support::audit_toml(&RICCI_DATA.replace("@PATH@", file)),
    )
    .unwrap();
    dir
}

#[test]
fn ricci_has_no_sex_column() {
    let dir = ricci_audit("ricci.csv");
    let report = json(dir.path());
    assert_eq!(report["total"], 118);
    assert_eq!(report["dimensions"]["sex"]["provided"], false);
    assert_eq!(report["dimensions"]["sex"]["unknown"], 118);
    assert_eq!(report["dimensions"]["intersectional"]["provided"], false);
    // Pass counts of Ricci v. DeStefano (Combine >= 70), both exams together.
    for (race, n, passed) in [
        ("White", 68, 41),
        ("Black or African American", 27, 9),
        ("Hispanic or Latino", 23, 6),
    ] {
        let c = category(&report, "race_ethnicity", race);
        assert_eq!(
            (c["n"].as_u64(), c["selected"].as_u64()),
            (Some(n), Some(passed)),
            "{race}"
        );
    }
    assert!(report["warnings"].to_string().contains("no sex column"));
}

/// A real file whose header repeats names (`Oral` and `Written` twice, as a spreadsheet join that
/// pulled the exam scores twice writes it): accepted while no repeated name is mapped, with the same
/// numbers as the plain file; mapping one is an error naming the file, line 1 and the column.
#[test]
fn repeated_header_names_are_fine_unless_mapped() {
    let plain = json(ricci_audit("ricci.csv").path());
    let dir = ricci_audit("ricci-repeated-header.csv");
    let repeated = json(dir.path());
    assert_eq!(repeated["total"], 118);
    assert_eq!(repeated["dimensions"], plain["dimensions"]);
    assert_ne!(repeated["data"]["sha256"], plain["data"]["sha256"]);

    let config = std::fs::read_to_string(dir.path().join("fairfile.toml")).unwrap();
    std::fs::write(
        dir.path().join("fairfile.toml"),
        config.replace("score = \"Combine\"", "score = \"Written\""),
    )
    .unwrap();
    let err = input_error(dir.path());
    assert!(err.contains("ricci-repeated-header.csv:1:"), "{err}");
    assert!(
        err.contains("column `Written` ([data.columns] score) appears 2 times in the header"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Input forms that must be accepted.

#[test]
fn bom_crlf_and_quoted_headers_read_the_same() {
    let dir = copy_fixture("selection");
    let plain = json(dir.path());
    let path = dir.path().join("data/applicants.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let quoted = text
        .replacen("id,gender,race", "\"id\",\"gender\",\"race\"", 1)
        .replace('\n', "\r\n");
    std::fs::write(&path, format!("\u{feff}{quoted}")).unwrap();
    let messy = json(dir.path());
    assert_eq!(messy["dimensions"], plain["dimensions"]);
    assert_eq!(messy["fairness"], plain["fairness"]);
    assert_ne!(messy["data"]["sha256"], plain["data"]["sha256"]);
}

#[test]
fn unmapped_values_can_be_folded_into_unknown() {
    let dir = copy_fixture("selection");
    let path = dir.path().join("data/applicants.csv");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("5,M,White", "5,X,White")
        .replace("8,M,Black", "8,X,Black");
    std::fs::write(&path, text).unwrap();
    let config = std::fs::read_to_string(dir.path().join("fairfile.toml")).unwrap();
    std::fs::write(
        dir.path().join("fairfile.toml"),
        config.replace(
            "outcome = \"selection\"",
            "outcome = \"selection\"\nunmapped = \"unknown\"",
        ),
    )
    .unwrap();
    let report = json(dir.path());
    assert_eq!(report["dimensions"]["sex"]["unknown"], 4);
    let x = report["category_values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "X")
        .unwrap();
    assert_eq!(
        (
            x["unmapped"].as_bool(),
            x["category"].as_str(),
            x["count"].as_u64()
        ),
        (Some(true), Some("unknown"), Some(2))
    );
    assert!(
        report["warnings"]
            .to_string()
            .contains("counted as unknown"),
        "{}",
        report["warnings"]
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input: one test per kind of error.

fn with_data(fixture_name: &str, data: &[u8]) -> TempDir {
    let dir = copy_fixture(fixture_name);
    std::fs::write(dir.path().join("data/applicants.csv"), data).unwrap();
    dir
}

fn selection_rows(edit: impl Fn(&str) -> String) -> TempDir {
    let text = std::fs::read_to_string(fixture("selection").join("data/applicants.csv")).unwrap();
    with_data("selection", edit(&text).as_bytes())
}

#[test]
fn error_missing_column_lists_headers_and_suggests() {
    let dir = selection_rows(|t| t.replacen("id,gender,", "id,Gender,", 1));
    let err = input_error(dir.path());
    assert!(err.contains("applicants.csv:1 (field `gender`)"), "{err}");
    assert!(
        err.contains("column `gender` ([data.columns] sex) is not in the header"),
        "{err}"
    );
    assert!(err.contains("did you mean `Gender`?"), "{err}");
    assert!(
        err.contains(
            r#"the header has: "id", "Gender", "race", "note", "advanced", "note", "hired""#
        ),
        "{err}"
    );
}

#[test]
fn error_mapped_column_twice_in_header() {
    let dir = selection_rows(|t| t.replacen("note,advanced,note", "note,advanced,advanced", 1));
    let err = input_error(dir.path());
    assert!(
        err.contains("applicants.csv:1:6 (field `advanced`)"),
        "{err}"
    );
    assert!(
        err.contains("appears 2 times in the header (fields 5, 6)"),
        "{err}"
    );
}

#[test]
fn error_ragged_row() {
    let dir = selection_rows(|t| t.replace("5,M,White,,no,,0", "5,M,White,,no,0"));
    let err = input_error(dir.path());
    assert!(err.contains("applicants.csv:6:7 (field `hired`)"), "{err}");
    assert!(
        err.contains("row has 6 fields but the header has 7 (missing fields)"),
        "{err}"
    );
}

#[test]
fn error_non_numeric_score() {
    let text = std::fs::read_to_string(fixture("scoring").join("data/applicants.csv")).unwrap();
    let dir = with_data(
        "scoring",
        text.replace("5,M,Black,4,0", "5,M,Black,four,0").as_bytes(),
    );
    let err = input_error(dir.path());
    assert!(err.contains("applicants.csv:6:4 (field `score`)"), "{err}");
    assert!(
        err.contains("score \"four\" is not a finite number"),
        "{err}"
    );
    let dir = with_data(
        "scoring",
        text.replace("5,M,Black,4,0", "5,M,Black,,0").as_bytes(),
    );
    let err = input_error(dir.path());
    assert!(
        err.contains("applicants.csv:6:4 (field `score`): empty score"),
        "{err}"
    );
    let dir = with_data(
        "scoring",
        text.replace("5,M,Black,4,0", "5,M,Black,NaN,0").as_bytes(),
    );
    assert!(input_error(dir.path()).contains("score \"NaN\" is not a finite number"));
}

#[test]
fn error_outcome_in_neither_list() {
    let dir = selection_rows(|t| t.replace("17,F,Black,,no,,0", "17,F,Black,,No,,0"));
    let err = input_error(dir.path());
    assert!(
        err.contains("applicants.csv:18:5 (field `advanced`)"),
        "{err}"
    );
    assert!(
        err.contains(
            "outcome value \"No\" is in neither [data.values] `selected` nor `not_selected`"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean \"no\"?"), "{err}");
}

#[test]
fn error_invalid_utf8() {
    let text = std::fs::read_to_string(fixture("selection").join("data/applicants.csv")).unwrap();
    let mut bytes = text.replace("3,M,White", "3,M\u{1},White").into_bytes();
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xff;
    let dir = with_data("selection", &bytes);
    let err = input_error(dir.path());
    assert!(
        err.contains("applicants.csv:4:2 (field `gender`): field is not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn error_empty_and_header_only_files() {
    let err = input_error(with_data("selection", b"").path());
    assert!(
        err.contains("applicants.csv: empty file: no header row"),
        "{err}"
    );
    let err =
        input_error(with_data("selection", b"id,gender,race,note,advanced,note,hired\r\n").path());
    assert!(
        err.contains("applicants.csv: no data rows after the header"),
        "{err}"
    );
}

#[test]
fn error_missing_data_file_and_missing_config() {
    let dir = copy_fixture("selection");
    std::fs::remove_file(dir.path().join("data/applicants.csv")).unwrap();
    let err = input_error(dir.path());
    assert!(err.contains("applicants.csv: data file not found"), "{err}");
    assert!(err.contains("[data] path"), "{err}");
    std::fs::remove_file(dir.path().join("fairfile.toml")).unwrap();
    assert!(input_error(dir.path()).contains("no fairfile.toml"));
}

#[test]
fn error_lists_every_unmapped_value_with_count_and_first_line() {
    let dir = selection_rows(|t| {
        t.replace("5,M,White", "5,X,White")
            .replace("8,M,Black", "8,X,Black")
            .replace("14,F,White", "14,female,White")
            .replace("20,F,Hispanic", "20,F,Latino")
    });
    let err = input_error(dir.path());
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(": unmapped ")).collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].contains("applicants.csv:6:2 (field `gender`): unmapped sex value \"X\" in column `gender`: 2 rows"), "{err}");
    assert!(lines[1].contains("applicants.csv:15:2 (field `gender`): unmapped sex value \"female\" in column `gender`: 1 row"), "{err}");
    assert!(
        lines[2].contains("applicants.csv:21:3 (field `race`): unmapped race value \"Latino\""),
        "{err}"
    );
    assert!(
        err.contains("or set [data] unmapped = \"unknown\""),
        "{err}"
    );
}

#[test]
fn error_bad_counts() {
    let dir = copy_fixture("dcwp-example-1");
    let counts = dir.path().join("counts.csv");
    let text = std::fs::read_to_string(&counts).unwrap();
    std::fs::write(
        &counts,
        text.replace("Male,White,412,215", "Male,White,412,415")
            .replace("Male,Asian,321,167", "Male,Asain,321,167"),
    )
    .unwrap();
    let err = input_error(dir.path());
    assert!(
        err.contains("counts.csv:4:4 (field `selected`): selected (415) is larger than n (412)"),
        "{err}"
    );
    assert!(
        err.contains(
            "counts.csv:7:2 (field `race`): unmapped race value \"Asain\": 321 individuals"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean \"Asian\"?"), "{err}");

    std::fs::write(
        &counts,
        text.replacen("sex,race,n,selected", "sex,race,n,selected,tp", 1),
    )
    .unwrap();
    let err = input_error(dir.path());
    assert!(err.contains("counts.csv:1 (field `fp`): confusion counts need all of tp, fp, fn, tn; missing: fp, fn, tn"), "{err}");

    std::fs::write(
        &counts,
        text.replacen("sex,race,n,selected", "sex,race,n,chosen", 1),
    )
    .unwrap();
    let err = input_error(dir.path());
    assert!(
        err.contains("counts.csv:1:4 (field `chosen`): unknown counts column `chosen`"),
        "{err}"
    );

    std::fs::write(
        &counts,
        text.replace("Female,Asian,295,135", "Female,Asian,295"),
    )
    .unwrap();
    assert!(
        input_error(dir.path()).contains("counts.csv:13:4: row has 3 fields but the header has 4")
    );

    std::fs::write(
        &counts,
        text.replace("Female,Asian,295,135", "Female,Asian,29.5,135"),
    )
    .unwrap();
    assert!(
        input_error(dir.path())
            .contains("counts.csv:13:3 (field `n`): \"29.5\" is not a whole number")
    );
}

#[test]
fn error_scoring_counts_without_a_median() {
    let dir = copy_fixture("dcwp-example-2");
    let config = std::fs::read_to_string(dir.path().join("fairfile.toml")).unwrap();
    std::fs::write(
        dir.path().join("fairfile.toml"),
        config.replace("median_score = 50.0\n", ""),
    )
    .unwrap();
    let err = input_error(dir.path());
    assert!(err.contains("fairfile.toml (field `data.median_score`): scoring mode with counts input needs the sample's median score"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Properties: row order does not matter; counts input gives the same report as rows.

mod properties {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;

    use fairfile::config::Audit;
    use proptest::prelude::*;

    const SEX: [&str; 4] = ["M", "F", "", "male"];
    const RACE: [&str; 5] = ["W", "B", "A", "", "U"];

    #[derive(Debug, Clone)]
    struct Row {
        sex: usize,
        race: usize,
        selected: bool,
        score: f64,
        hired: bool,
    }

    fn row() -> impl Strategy<Value = Row> {
        (
            0..SEX.len(),
            0..RACE.len(),
            any::<bool>(),
            0u32..12,
            any::<bool>(),
        )
            .prop_map(|(sex, race, selected, score, hired)| Row {
                sex,
                race,
                selected,
                score: f64::from(score) / 2.0,
                hired,
            })
    }

    fn config(scoring: bool, label: bool, exclude: bool) -> String {
        let mut c = super::support::audit_toml(
            "[data]\npath = \"rows.csv\"\nkind = \"historical\"\ndescription = \"generated\"\n",
        );
        c.push_str(if scoring {
            "outcome = \"scoring\"\n"
        } else {
            "outcome = \"selection\"\n"
        });
        if exclude {
            c.push_str("exclude_small_categories = true\nexclusion_justification = \"tiny\"\n");
        }
        c.push_str("\n[data.columns]\nsex = \"sex\"\nrace = \"race\"\nscore = \"score\"\n");
        if scoring {
            c.push_str("prediction_threshold = 3.0\n");
        } else {
            c.push_str("selected = \"selected\"\n");
        }
        if label {
            c.push_str("label = \"hired\"\n");
        }
        c.push_str(
            "\n[data.categories.sex]\nMale = [\"M\", \"male\"]\nFemale = [\"F\"]\nunknown = [\"\"]\n\n\
             [data.categories.race]\nWhite = [\"W\"]\n\"Black or African American\" = [\"B\"]\nAsian = [\"A\"]\nunknown = [\"\", \"U\"]\n",
        );
        c
    }

    fn rows_csv(rows: &[Row]) -> String {
        let mut out = String::from("id,sex,race,selected,score,hired\n");
        for (i, r) in rows.iter().enumerate() {
            let _ = writeln!(
                out,
                "{i},{},{},{},{},{}",
                SEX[r.sex],
                RACE[r.race],
                u8::from(r.selected),
                r.score,
                u8::from(r.hired)
            );
        }
        out
    }

    fn median(rows: &[Row]) -> f64 {
        let mut scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
        scores.sort_by(f64::total_cmp);
        let n = scores.len();
        if n % 2 == 1 {
            scores[n / 2]
        } else {
            (scores[n / 2 - 1] + scores[n / 2]) / 2.0
        }
    }

    /// The rows aggregated per raw (sex, race) pair, as a warehouse query would.
    fn counts_csv(rows: &[Row], scoring: bool, label: bool) -> String {
        let median = median(rows);
        let mut cells: BTreeMap<(usize, usize), [u64; 6]> = BTreeMap::new();
        for r in rows {
            let c = cells.entry((r.sex, r.race)).or_default();
            let predicted = if scoring { r.score >= 3.0 } else { r.selected };
            c[0] += 1;
            c[1] += u64::from(if scoring {
                r.score > median
            } else {
                r.selected
            });
            let k = match (predicted, r.hired) {
                (true, true) => 2,
                (true, false) => 3,
                (false, true) => 4,
                (false, false) => 5,
            };
            c[k] += 1;
        }
        let mut out = format!(
            "race,sex,n,{}",
            if scoring { "above_median" } else { "selected" }
        );
        out.push_str(if label { ",tp,fp,fn,tn\n" } else { "\n" });
        for ((sex, race), c) in cells {
            let _ = write!(out, "{},{},{},{}", RACE[race], SEX[sex], c[0], c[1]);
            if label {
                let _ = write!(out, ",{},{},{},{}", c[2], c[3], c[4], c[5]);
            }
            out.push('\n');
        }
        out
    }

    fn report(dir: &std::path::Path, config: &str) -> serde_json::Value {
        std::fs::write(dir.join("fairfile.toml"), config).unwrap();
        let audit = Audit::load(dir).unwrap();
        serde_json::to_value(fairfile::pipeline::metrics(&audit, &fairfile::events::Quiet).unwrap())
            .unwrap()
    }

    fn without(mut v: serde_json::Value, keys: &[&str]) -> serde_json::Value {
        for k in keys {
            v.as_object_mut().unwrap().remove(*k);
        }
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn counts_and_shuffled_rows_give_the_same_report(
            (rows, shuffled) in prop::collection::vec(row(), 1..120).prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle())),
            scoring in any::<bool>(),
            label in any::<bool>(),
            exclude in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let config = config(scoring, label, exclude);
            std::fs::write(dir.path().join("rows.csv"), rows_csv(&rows)).unwrap();
            let from_rows = report(dir.path(), &config);
            prop_assert_eq!(from_rows["total"].as_u64(), Some(rows.len() as u64));

            std::fs::write(dir.path().join("rows.csv"), rows_csv(&shuffled)).unwrap();
            let from_shuffled = report(dir.path(), &config);
            prop_assert_eq!(without(from_shuffled, &["data"]), without(from_rows.clone(), &["data"]));

            std::fs::write(dir.path().join("counts.csv"), counts_csv(&rows, scoring, label)).unwrap();
            let mut counts_config = config.replace("path = \"rows.csv\"", "counts = \"counts.csv\"");
            if scoring {
                counts_config = counts_config.replace("[data]\n", &format!("[data]\nmedian_score = {:?}\n", median(&rows)));
            }
            let from_counts = report(dir.path(), &counts_config);
            prop_assert_eq!(from_counts["data"]["input"].as_str(), Some("counts"));
            // Raw outcome values and the counts per score (the cut-off table) are not in counts;
            // everything else must be identical.
            let no_cutoffs = |mut v: serde_json::Value| {
                v["analysis"].as_object_mut().unwrap().remove("cutoffs");
                without(v, &["data", "outcome_values"])
            };
            prop_assert!(from_counts["analysis"]["cutoffs"].is_null());
            prop_assert!(from_rows["analysis"]["cutoffs"]["rows"].is_array());
            prop_assert_eq!(no_cutoffs(from_counts), no_cutoffs(from_rows));
        }
    }
}
