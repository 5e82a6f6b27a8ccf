//! Cross-check of `fairfile metrics --format json` against fairlearn, scipy and statsmodels on real
//! data: UCI Adult in selection mode and in scoring mode (committed in `tests/data/`), and
//! ProPublica COMPAS in selection mode when a local copy is present.
//!
//! `tests/fixtures/fairlearn/make_fixture.py` computes the reference values from the same audit
//! folders (`tests/fixtures/fairlearn/{adult-selection,adult,compas}/fairfile.toml`) and writes them,
//! unrounded, to `tests/fixtures/fairlearn/fairlearn.json`; this test runs the real binary on each
//! folder and compares every number in the fixture: LL144 rates, impact ratios, shares, Wilson
//! intervals and Fisher p-values (6 RCNY §5-301), the scoring-mode median, the raw-value tallies, and
//! fairlearn's per-group error rates and aggregates.
//!
//! Numbers must agree to 1e-9 (absolute). Fisher p-values must in addition agree to 1e-6 *relative*
//! when the reference is a normal f64 (>= 1e-300), so that a p of 5e-94 reported as 0 is caught.
//!
//! Adult is in the repository, so its two checks always run. COMPAS states no licence and is not
//! redistributed (tests/data/README.md): its check runs when `$FAIRFILE_COMPAS_CSV` names the file
//! or it is copied to the git-ignored `tests/data/compas-scores-two-years.csv`, and otherwise says it
//! is skipped and passes.

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// Absolute tolerance for every real number.
const TOLERANCE: f64 = 1e-9;
/// Relative tolerance for Fisher p-values in the normal f64 range.
const P_RELATIVE_TOLERANCE: f64 = 1e-6;
const P_NORMAL_MIN: f64 = 1e-300;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fairlearn")
}

fn load_fixture() -> Value {
    let path = fixture_dir().join("fairlearn.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let tolerance = fixture["tolerance"]
        .as_f64()
        .expect("fixture has a tolerance");
    assert_eq!(
        tolerance, TOLERANCE,
        "fixture tolerance differs from the test's"
    );
    fixture
}

/// Run `fairfile metrics AUDIT --format json` and parse its output.
fn run_metrics(audit_dir: &Path) -> Value {
    // The data lives outside the fixture's folder (tests/data): allowed, as `--allow-outside` below
    // allows it.
    fairfile::config::allow_outside(true);
    // Fail loudly, naming the path, when the data file is absent (the committed ones never are).
    let audit = fairfile::config::Audit::load(audit_dir).unwrap_or_else(|e| {
        panic!(
            "cannot load the cross-check audit {}: {e}",
            audit_dir.display()
        )
    });
    let data = audit.config.data.get_ref();
    let data_path = audit.resolve(
        data.path
            .as_ref()
            .expect("cross-check audits use row data")
            .get_ref(),
    );
    assert!(
        data_path.is_file(),
        "the fairlearn cross-check needs the data file {} (tests/data/README.md)",
        data_path.display()
    );

    let output = Command::cargo_bin("fairfile")
        .expect("the fairfile binary is built")
        .arg("metrics")
        .arg(audit_dir)
        .args(["--format", "json", "--allow-outside"])
        .output()
        .expect("fairfile runs");
    assert!(
        output.status.success(),
        "`fairfile metrics {} --format json` failed ({}):\n{}",
        audit_dir.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "`fairfile metrics --format json` printed invalid JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Collects every mismatch, so one run shows all of them.
struct Comparison {
    audit: String,
    errors: Vec<String>,
}

impl Comparison {
    fn fail(&mut self, path: &str, message: String) {
        self.errors
            .push(format!("{}: {path}: {message}", self.audit));
    }

    /// A real number, or null when the fixture says it is undefined.
    fn number(&mut self, path: &str, expected: &Value, actual: &Value) {
        match (expected.as_f64(), actual.as_f64()) {
            (None, None) if expected.is_null() && actual.is_null() => {}
            (Some(e), Some(a)) => {
                if (e - a).abs() > TOLERANCE || !a.is_finite() {
                    self.fail(
                        path,
                        format!("expected {e:?}, got {a:?} (difference {:e})", (e - a).abs()),
                    );
                }
            }
            _ => self.fail(path, format!("expected {expected}, got {actual}")),
        }
    }

    /// A Fisher p-value: absolute tolerance, and relative tolerance in the normal range.
    fn p_value(&mut self, path: &str, expected: f64, actual: &Value) {
        let Some(a) = actual.as_f64() else {
            return self.fail(path, format!("expected p = {expected:e}, got {actual}"));
        };
        let difference = (expected - a).abs();
        if difference > TOLERANCE
            || (expected >= P_NORMAL_MIN && difference > P_RELATIVE_TOLERANCE * expected)
        {
            self.fail(path, format!("expected p = {expected:e}, got {a:e}"));
        }
    }

    /// Integers, strings and booleans: equal.
    fn same(&mut self, path: &str, expected: &Value, actual: &Value) {
        if expected != actual {
            self.fail(path, format!("expected {expected}, got {actual}"));
        }
    }

    /// A value that fairfile reports as null must say why (`null_reasons.<field>`).
    fn null_has_reason(&mut self, path: &str, item: &Value, field: &str) {
        let reason = item
            .get("null_reasons")
            .and_then(|r| r.get(field))
            .and_then(Value::as_str);
        if reason.is_none_or(|r| r.trim().is_empty()) {
            self.fail(
                path,
                format!("`{field}` is null without a reason in null_reasons"),
            );
        }
    }

    fn finish(self) {
        assert!(
            self.errors.is_empty(),
            "{} mismatch(es) between fairfile and fairlearn.json:\n  {}",
            self.errors.len(),
            self.errors.join("\n  ")
        );
    }
}

fn array<'a>(value: &'a Value, path: &str) -> &'a Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{path} is not an array: {value}"))
}

fn name_of(item: &Value) -> &str {
    item["category"]
        .as_str()
        .or(item["group"].as_str())
        .unwrap_or("?")
}

/// The actual intersectional category with this sex and race (its label is fairfile's to choose).
fn intersectional_item<'a>(
    categories: &'a [Value],
    sex: &Value,
    race: &Value,
) -> Option<&'a Value> {
    categories
        .iter()
        .find(|c| &c["sex"] == sex && &c["race"] == race)
}

/// The audit folder of a fixture entry, or a temporary copy whose `[data] path` is `data`.
fn audit_folder(expected: &Value, data: Option<&Path>) -> (PathBuf, Option<tempfile::TempDir>) {
    let dir = fixture_dir().join(expected["audit_dir"].as_str().expect("audit_dir"));
    let Some(data) = data else {
        return (dir, None);
    };
    let config = std::fs::read_to_string(dir.join("fairfile.toml")).unwrap();
    let line = config
        .lines()
        .find(|l| l.starts_with("path = "))
        .expect("the cross-check audit has a `path = ` line");
    let path = serde_json::to_string(&data.to_string_lossy()).unwrap(); // a valid TOML string
    let copy = tempfile::tempdir().unwrap();
    std::fs::write(
        copy.path().join("fairfile.toml"),
        config.replacen(line, &format!("path = {path}"), 1),
    )
    .unwrap();
    (copy.path().to_path_buf(), Some(copy))
}

/// Compare one audit with its fixture entry. `data` points the audit at another copy of its data
/// file (COMPAS, which is not in the repository); the file's SHA-256 is then reported, not required,
/// since a copy written with other quoting or line ends holds the same numbers.
fn compare_audit(name: &str, expected: &Value, data: Option<&Path>) {
    let (audit_dir, _copy) = audit_folder(expected, data);
    let actual = run_metrics(&audit_dir);
    let mut cmp = Comparison {
        audit: name.to_string(),
        errors: Vec::new(),
    };

    cmp.same(
        "schema",
        &Value::from(fairfile::metrics::METRICS_SCHEMA),
        &actual["schema"],
    );
    cmp.same("mode", &expected["mode"], &actual["mode"]);
    cmp.same("total", &expected["total"], &actual["total"]);
    cmp.number(
        "median_score",
        &expected["median_score"],
        &actual["median_score"],
    );
    if data.is_none() {
        cmp.same(
            "data.sha256",
            &expected["data_sha256"],
            &actual["data"]["sha256"],
        );
    } else if expected["data_sha256"] != actual["data"]["sha256"] {
        eprintln!(
            "note: {name}: the data file's SHA-256 is {}, not the reference copy's {}; comparing the numbers",
            actual["data"]["sha256"], expected["data_sha256"]
        );
    }
    cmp.same("data.input", &Value::from("rows"), &actual["data"]["input"]);
    cmp.same(
        "data.rows_read",
        &expected["total"],
        &actual["data"]["rows_read"],
    );
    // Ties at the median (an additive schema field): checked whenever fairfile writes the field.
    if let Some(ties) = actual["data"].get("scores_at_median") {
        cmp.same("data.scores_at_median", &expected["scores_at_median"], ties);
    }

    compare_tallies(&mut cmp, expected, &actual);
    let scoring = expected["mode"] == "scoring";
    let mut intersectional_names: Vec<(Value, Value, String)> = Vec::new();
    for dim in ["sex", "race_ethnicity", "intersectional"] {
        compare_dimension(
            &mut cmp,
            dim,
            scoring,
            &expected["dimensions"][dim],
            &actual["dimensions"][dim],
        );
    }
    if let Some(categories) = actual["dimensions"]["intersectional"]["categories"].as_array() {
        for c in categories {
            intersectional_names.push((
                c["sex"].clone(),
                c["race"].clone(),
                name_of(c).to_string(),
            ));
        }
    }
    for dim in ["sex", "race_ethnicity", "intersectional"] {
        compare_fairness(
            &mut cmp,
            dim,
            &intersectional_names,
            &expected["fairness"][dim],
            &actual["fairness"][dim],
        );
    }
    cmp.finish();
}

/// Each raw outcome and category value with its count and how it was counted.
fn compare_tallies(cmp: &mut Comparison, expected: &Value, actual: &Value) {
    let actual_outcomes = array(&actual["outcome_values"], "outcome_values");
    for e in array(&expected["outcome_values"], "fixture outcome_values") {
        let path = format!("outcome_values[{} = {}]", e["column"], e["value"]);
        let found = actual_outcomes.iter().find(|a| {
            a["value"] == e["value"] && (a["column"] == e["column"] || a["column"] == e["header"])
        });
        let Some(a) = found else {
            cmp.fail(&path, "missing".into());
            continue;
        };
        cmp.same(&format!("{path}.count"), &e["count"], &a["count"]);
        let counted_as = match (
            e["column"].as_str(),
            e["selected"].as_bool(),
            e["positive"].as_bool(),
        ) {
            (Some("selected"), Some(true), _) => "selected",
            (Some("selected"), Some(false), _) => "not_selected",
            (_, _, Some(true)) => "positive",
            _ => "negative",
        };
        cmp.same(
            &format!("{path}.counted_as"),
            &Value::from(counted_as),
            &a["counted_as"],
        );
    }

    let actual_categories = array(&actual["category_values"], "category_values");
    let expected_categories = array(&expected["category_values"], "fixture category_values");
    for e in expected_categories {
        let path = format!("category_values[{} = {}]", e["dimension"], e["value"]);
        let Some(a) = actual_categories
            .iter()
            .find(|a| a["dimension"] == e["dimension"] && a["value"] == e["value"])
        else {
            cmp.fail(&path, "missing".into());
            continue;
        };
        cmp.same(&format!("{path}.count"), &e["count"], &a["count"]);
        cmp.same(&format!("{path}.category"), &e["category"], &a["category"]);
        cmp.same(
            &format!("{path}.unmapped"),
            &Value::Bool(false),
            &a["unmapped"],
        );
    }
    if actual_categories.len() != expected_categories.len() {
        cmp.fail(
            "category_values",
            format!(
                "expected {} raw values, got {}",
                expected_categories.len(),
                actual_categories.len()
            ),
        );
    }
}

/// One LL144 table (6 RCNY §5-301(b)/(c)).
fn compare_dimension(
    cmp: &mut Comparison,
    dim: &str,
    scoring: bool,
    expected: &Value,
    actual: &Value,
) {
    let at = |field: &str| format!("dimensions.{dim}.{field}");
    cmp.same(&at("provided"), &Value::Bool(true), &actual["provided"]);
    cmp.same(&at("unknown"), &expected["unknown"], &actual["unknown"]);
    cmp.same(&at("known"), &expected["known"], &actual["known"]);

    let actual_categories = actual["categories"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let expected_categories = array(&expected["categories"], "fixture categories");
    if actual_categories.len() != expected_categories.len() {
        let names: Vec<&str> = actual_categories.iter().map(name_of).collect();
        cmp.fail(
            &at("categories"),
            format!(
                "expected {} categories, got {names:?}",
                expected_categories.len()
            ),
        );
    }

    // The reference (highest-rate) category; intersectional ones are matched on sex and race.
    let reference = actual_categories
        .iter()
        .find(|c| c["category"] == actual["reference"]);
    let reference_ok = match (dim, reference) {
        ("intersectional", Some(r)) => {
            let want = &expected["reference_sex_race"];
            r["sex"] == want[0] && r["race"] == want[1]
        }
        (_, Some(r)) => r["category"] == expected["reference"],
        (_, None) => false,
    };
    if !reference_ok {
        cmp.fail(
            &at("reference"),
            format!(
                "expected {}, got {}",
                expected["reference"], actual["reference"]
            ),
        );
    }

    let (count_field, absent_field) = if scoring {
        ("above_median", "selected")
    } else {
        ("selected", "above_median")
    };
    for e in expected_categories {
        let found = if dim == "intersectional" {
            intersectional_item(actual_categories, &e["sex"], &e["race"])
        } else {
            actual_categories
                .iter()
                .find(|a| a["category"] == e["category"])
        };
        let path = at(&format!(
            "categories[{}]",
            e["category"].as_str().unwrap_or("?")
        ));
        let Some(a) = found else {
            cmp.fail(&path, "missing".into());
            continue;
        };
        let field = |f: &str| format!("{path}.{f}");
        cmp.same(&field("n"), &e["n"], &a["n"]);
        cmp.same(&field(count_field), &e["count"], &a[count_field]);
        if !a[absent_field].is_null() {
            cmp.fail(
                &field(absent_field),
                format!("should be absent in this mode, got {}", a[absent_field]),
            );
        }
        for f in ["rate", "impact_ratio", "share", "ci95_low", "ci95_high"] {
            cmp.number(&field(f), &e[f], &a[f]);
        }
        cmp.same(
            &field("four_fifths_flag"),
            &e["four_fifths_flag"],
            &a["four_fifths_flag"],
        );
        cmp.same(&field("reference"), &e["reference"], &a["reference"]);
        cmp.same(&field("excluded"), &Value::Bool(false), &a["excluded"]);
        match e["fisher_p"].as_f64() {
            Some(p) => cmp.p_value(&field("fisher_p"), p, &a["fisher_p"]),
            // The reference against itself: null (with a reason) or exactly what the test gives, 1.
            None if a["fisher_p"].is_null() => {
                cmp.null_has_reason(&field("fisher_p"), a, "fisher_p")
            }
            None => cmp.p_value(&field("fisher_p"), 1.0, &a["fisher_p"]),
        }
    }
}

/// fairlearn's per-group metrics and aggregates for one dimension.
fn compare_fairness(
    cmp: &mut Comparison,
    dim: &str,
    intersectional_names: &[(Value, Value, String)],
    expected: &Value,
    actual: &Value,
) {
    let at = |field: &str| format!("fairness.{dim}.{field}");
    if actual.is_null() {
        return cmp.fail(
            &at(""),
            "missing: the data has a label and a prediction".into(),
        );
    }
    for f in [
        "demographic_parity_difference",
        "demographic_parity_ratio",
        "equalized_odds_difference",
        "equalized_odds_ratio",
        "equal_opportunity_difference",
    ] {
        cmp.number(&at(f), &expected[f], &actual[f]);
    }

    let actual_groups = actual["groups"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let expected_groups = array(&expected["groups"], "fixture groups");
    if actual_groups.len() != expected_groups.len() {
        let names: Vec<&str> = actual_groups.iter().map(name_of).collect();
        cmp.fail(
            &at("groups"),
            format!("expected {} groups, got {names:?}", expected_groups.len()),
        );
    }
    for e in expected_groups {
        // Intersectional groups carry the label of the intersectional category with that sex and race.
        let group_name = if dim == "intersectional" {
            intersectional_names
                .iter()
                .find(|(sex, race, _)| sex == &e["sex"] && race == &e["race"])
                .map(|(_, _, name)| Value::from(name.as_str()))
                .unwrap_or(Value::Null)
        } else {
            e["group"].clone()
        };
        let path = at(&format!("groups[{}]", e["group"].as_str().unwrap_or("?")));
        let Some(a) = actual_groups.iter().find(|a| a["group"] == group_name) else {
            let names: Vec<&str> = actual_groups.iter().map(name_of).collect();
            cmp.fail(
                &path,
                format!("missing (looked for {group_name} among {names:?})"),
            );
            continue;
        };
        let field = |f: &str| format!("{path}.{f}");
        for f in ["n", "tp", "fp", "fn", "tn"] {
            cmp.same(&field(f), &e[f], &a[f]);
        }
        for f in [
            "selection_rate",
            "tpr",
            "fpr",
            "fnr",
            "precision",
            "accuracy",
        ] {
            cmp.number(&field(f), &e[f], &a[f]);
            if e[f].is_null() && a[f].is_null() {
                cmp.null_has_reason(&field(f), a, f);
            }
        }
    }
}

#[test]
fn adult_selection_mode_matches_fairlearn() {
    let fixture = load_fixture();
    compare_audit(
        "adult-selection",
        &fixture["audits"]["adult-selection"],
        None,
    );
}

#[test]
fn adult_scoring_mode_matches_fairlearn() {
    let fixture = load_fixture();
    compare_audit("adult", &fixture["audits"]["adult"], None);
}

/// COMPAS, when a copy is present (it is not redistributed): otherwise a printed skip.
#[test]
fn compas_selection_mode_matches_fairlearn() {
    let Some(compas) =
        support::compas_csv("fairlearn_crosscheck::compas_selection_mode_matches_fairlearn")
    else {
        return;
    };
    let fixture = load_fixture();
    compare_audit("compas", &fixture["audits"]["compas"], Some(&compas));
}

/// The fixture exercises what it claims to, on the committed data alone: both modes, every fairness
/// aggregate, an undefined rate (Adult in selection mode: no woman of "Other" race holds a doctoral
/// or professional degree, so her group's precision is 0/0) and median ties (Adult in scoring mode).
#[test]
fn fixture_covers_both_modes_and_an_undefined_rate() {
    let fixture = load_fixture();
    let audits = &fixture["audits"];
    assert_eq!(audits["adult-selection"]["mode"], "selection");
    assert_eq!(audits["adult"]["mode"], "scoring");
    assert_eq!(audits["adult"]["median_score"], 40.0);
    assert!(audits["adult"]["scores_at_median"].as_u64() > Some(10_000));
    let committed = support::test_data("adult.csv");
    let sha = fairfile::hash::sha256_hex(&std::fs::read(&committed).unwrap());
    for audit in ["adult-selection", "adult"] {
        assert_eq!(
            audits[audit]["data_sha256"], sha,
            "{audit}: the fixture was computed from tests/data/adult.csv"
        );
    }
    let undefined: Vec<&Value> = array(
        &audits["adult-selection"]["fairness"]["intersectional"]["groups"],
        "groups",
    )
    .iter()
    .filter(|g| g["precision"].is_null() && g["fairlearn_raw"]["precision"] == 0.0)
    .collect();
    assert_eq!(
        undefined.len(),
        1,
        "Adult Female × Other precision is undefined (fairlearn: 0.0)"
    );
    assert_eq!(
        (&undefined[0]["sex"], &undefined[0]["race"]),
        (&Value::from("Female"), &Value::from("Other"))
    );
    for audit in ["adult-selection", "adult", "compas"] {
        for dim in ["sex", "race_ethnicity", "intersectional"] {
            let categories = array(
                &audits[audit]["dimensions"][dim]["categories"],
                "categories",
            );
            assert!(
                categories.len() >= 2,
                "{audit} {dim}: at least two categories"
            );
            assert_eq!(
                categories.iter().filter(|c| c["reference"] == true).count(),
                1
            );
        }
    }
}
