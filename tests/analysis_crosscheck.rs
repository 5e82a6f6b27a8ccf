//! Cross-check of the adverse-impact analysis (`src/analysis/`, the `analysis` key of `fairfile
//! metrics --format json`) against statsmodels, scipy and AIF360.
//!
//! `tests/fixtures/analysis/make_fixture.py` computes the reference values (see its docstring for
//! the library behind each number and the versions in `analysis.json`):
//!
//! - `cli`: the bundled example, from its CSV; here the real binary runs on
//!   `examples/acme-resumerank` and its `analysis` is compared (ingest included);
//! - `tallies`: UCI Adult and Ricci, as the cells of a tally written into the fixture (so the test
//!   needs no data file); here the Tally is rebuilt, the LL144 tables and the analysis computed;
//! - `strata`: lists of 2×2 tables (requisitions of the example, Ricci's two exams, Adult by race,
//!   two hand-made cases) against statsmodels' `StratifiedTable`.
//!
//! Every number in the fixture is compared: to 1e-9 absolute, and p-values in the normal f64 range
//! also to 1e-6 relative (so a tiny p reported as 0 is caught). Integers, booleans and strings must
//! be equal, and a `null` in the fixture must be `null` here.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use fairfile::analysis::{self, strata};
use fairfile::config::Outcome;
use fairfile::ingest::{Axis, Tally};
use fairfile::metrics::{self, Policy};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;
const P_RELATIVE_TOLERANCE: f64 = 1e-6;
const P_NORMAL_MIN: f64 = 1e-300;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> Value {
    let path = root().join("tests/fixtures/analysis/analysis.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    assert_eq!(fixture["tolerance"].as_f64(), Some(TOLERANCE));
    fixture
}

/// Whether a field holds a p-value (checked relatively as well).
fn is_p_value(path: &str) -> bool {
    let field = path.rsplit('.').next().unwrap_or(path);
    field == "p" || field.ends_with("_p") || field.ends_with("_p_holm") || field == "fisher_p"
}

/// Every value of `expected` must be found, equal within tolerance, at the same place in `actual`.
fn compare(path: &str, expected: &Value, actual: &Value, failures: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let here = format!("{path}.{key}");
                match a.get(key) {
                    Some(found) => compare(&here, value, found, failures),
                    None => failures.push(format!("{here}: missing (expected {value})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                failures.push(format!("{path}: {} items, expected {}", a.len(), e.len()));
                return;
            }
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{i}]"), e, a, failures);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            if let (Some(e), Some(a)) = (e.as_u64(), a.as_u64()) {
                if e != a {
                    failures.push(format!("{path}: {a}, expected {e}"));
                }
                return;
            }
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            let mut ok = (e - a).abs() <= TOLERANCE;
            if is_p_value(path) && e >= P_NORMAL_MIN {
                ok &= (e - a).abs() <= P_RELATIVE_TOLERANCE * e;
            }
            if !ok {
                failures.push(format!(
                    "{path}: {a:e}, expected {e:e} (off by {:e})",
                    (a - e).abs()
                ));
            }
        }
        (e, a) if e == a => {}
        (e, a) => failures.push(format!("{path}: {a}, expected {e}")),
    }
}

fn assert_matches(name: &str, expected: &Value, actual: &Value) {
    let mut failures = Vec::new();
    compare(name, expected, actual, &mut failures);
    assert!(
        failures.is_empty(),
        "{} differences from the reference values:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every numeric leaf under `value` (to make sure the comparison is not vacuous).
fn count_numbers(value: &Value) -> usize {
    match value {
        Value::Number(_) => 1,
        Value::Array(items) => items.iter().map(count_numbers).sum(),
        Value::Object(map) => map.values().map(count_numbers).sum(),
        _ => 0,
    }
}

#[test]
fn the_example_matches_statsmodels_scipy_and_aif360() {
    let fixture = fixture();
    let case = &fixture["cli"]["acme"];
    let audit = root().join(case["audit"].as_str().unwrap());
    let output = Command::cargo_bin("fairfile")
        .unwrap()
        .arg("metrics")
        .arg(&audit)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let analysis = &report["analysis"];
    assert!(count_numbers(&case["expected"]) > 500);
    assert_matches("acme", &case["expected"], analysis);
}

/// The Tally written in the fixture (cells: sex index | null, race index | null, n, positive, tp,
/// fp, fn, tn).
fn tally(input: &Value) -> Tally {
    let names = |v: &Value| -> Option<Vec<String>> {
        v.as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
    };
    let axis = |v: &Value| names(v).map_or_else(Axis::not_provided, Axis::provided);
    let has_confusion = input["has_confusion"].as_bool().unwrap();
    let mut tally = Tally::new(
        Outcome::Selection,
        axis(&input["sex"]),
        axis(&input["race"]),
        has_confusion,
    );
    for row in input["cells"].as_array().unwrap() {
        let index = |v: &Value| v.as_u64().map(|i| i as usize);
        let count = |i: usize| row[i].as_u64().unwrap();
        let cell = tally.cell_mut(index(&row[0]), index(&row[1]));
        cell.n += count(2);
        cell.positive += count(3);
        cell.tp += count(4);
        cell.fp += count(5);
        cell.fn_ += count(6);
        cell.tn += count(7);
    }
    tally
}

fn policy() -> Policy {
    Policy {
        small_category_share: metrics::SMALL_CATEGORY_SHARE,
        share_denominator: metrics::SHARE_DENOMINATOR.to_string(),
        exclude_small_categories: false,
        exclusion_justification: None,
        four_fifths_threshold: metrics::FOUR_FIFTHS,
        small_sample_min_n: metrics::SMALL_SAMPLE_MIN_N,
        small_sample_min_expected: metrics::SMALL_SAMPLE_MIN_EXPECTED,
        confidence_level: metrics::CONFIDENCE_LEVEL,
        interval_method: "wilson".to_string(),
        test_method: "fisher_exact_two_sided".to_string(),
    }
}

#[test]
fn adult_and_ricci_match_statsmodels_scipy_and_aif360() {
    let fixture = fixture();
    let cases = fixture["tallies"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let tally = tally(&case["input"]);
        let dimensions = metrics::dimensions(&tally, &policy());
        let analysis = serde_json::to_value(analysis::analyse(&tally, &dimensions)).unwrap();
        assert!(count_numbers(&case["expected"]) > 50, "{name}");
        assert_matches(name, &case["expected"], &analysis);
        // A family the data does not have is null (Ricci has no sex column).
        for family in ["sex", "race_ethnicity", "intersectional"] {
            assert_eq!(
                analysis[family].is_null(),
                case["expected"].get(family).is_none(),
                "{name}: {family}"
            );
        }
    }
}

#[test]
fn strata_match_statsmodels_stratified_table() {
    let fixture = fixture();
    let cases = fixture["strata"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let tables: Vec<strata::Table> = case["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let v = |i: usize| t[i].as_u64().unwrap();
                strata::Table {
                    a: v(0),
                    b: v(1),
                    c: v(2),
                    d: v(3),
                }
            })
            .collect();
        let s = strata::stratified(&tables).expect("an informative stratum");
        let chi = |c: &strata::ChiSquare| serde_json::json!({"statistic": c.statistic, "df": c.df, "p": c.p});
        let actual = serde_json::json!({
            "uninformative": s.uninformative,
            "cmh": chi(&s.cmh),
            "cmh_corrected": chi(&s.cmh_corrected),
            "common_odds_ratio": s.common_odds_ratio.map(|(r, lo, hi)| vec![r, lo, hi]),
            "breslow_day": s.breslow_day.as_ref().map(chi),
            "simpson_reversal": s.simpson_reversal,
            "pooled_direction": s.pooled_direction,
            "strata_directions": s.strata_directions,
        });
        assert_matches(name, &case["expected"], &actual);
    }
}

#[test]
fn fixture_generator_is_committed_beside_the_fixture() {
    let dir = root().join("tests/fixtures/analysis");
    assert!(Path::new(&dir.join("make_fixture.py")).is_file());
    let fixture = fixture();
    for package in ["statsmodels", "scipy", "aif360"] {
        assert!(
            fixture["packages"][package].is_string(),
            "version of {package} recorded"
        );
    }
}
