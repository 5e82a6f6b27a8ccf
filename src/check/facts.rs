//! The facts document: one JSON value that fact paths (`facts.public_body`,
//! `metrics.dimensions.sex.provided`, …) are read from, and the evaluation of conditions on it.
//! See `docs/frameworks.md`, "Facts and conditions".

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::config::Audit;
use crate::diag::{Error, Result};
use crate::frameworks::{Condition, ConditionOp, Period, toml_to_json};
use crate::metrics::MetricsReport;

/// Build `{ audit, facts, auditor, data, metrics }` for one check.
pub fn document(audit: &Audit, metrics: &MetricsReport) -> Result<Value> {
    document_of(audit, Some(metrics))
}

/// The facts document before any data is read (`metrics` absent: conditions on it are undecided).
pub fn document_without_metrics(audit: &Audit) -> Result<Value> {
    document_of(audit, None)
}

fn document_of(audit: &Audit, metrics: Option<&MetricsReport>) -> Result<Value> {
    let to_json = |what: &str, v: serde_json::Result<Value>| {
        v.map_err(|e| Error::Other(format!("cannot build the facts document ({what}): {e}")))
    };
    let config = &audit.config;
    let facts: Map<String, Value> = config
        .audit
        .get_ref()
        .facts
        .iter()
        .map(|(k, v)| (k.clone(), toml_to_json(v)))
        .collect();
    let mut audit_json = to_json("audit", serde_json::to_value(config.audit.get_ref()))?;
    if let Value::Object(map) = &mut audit_json {
        // Serialized TOML values carry private datetime markers; use the plain JSON form.
        map.insert("facts".into(), Value::Object(facts.clone()));
    }
    let mut doc = Map::new();
    doc.insert("audit".into(), audit_json);
    doc.insert("facts".into(), Value::Object(facts));
    doc.insert(
        "auditor".into(),
        to_json("auditor", serde_json::to_value(&config.auditor))?,
    );
    doc.insert(
        "data".into(),
        to_json("data", serde_json::to_value(config.data.get_ref()))?,
    );
    if let Some(metrics) = metrics {
        doc.insert(
            "metrics".into(),
            to_json("metrics", serde_json::to_value(metrics))?,
        );
    }
    Ok(Value::Object(doc))
}

/// The value at a dotted path; `null` counts as absent. Numeric segments index arrays.
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = doc;
    for segment in path.split('.') {
        current = match current {
            Value::Object(map) => map.get(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    (!current.is_null()).then_some(current)
}

/// Whether a computed-evidence value is present: not null, false, empty, and — for an object with
/// a boolean `provided` field (a metrics dimension) — provided.
pub fn is_present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Object(map)) => match map.get("provided") {
            Some(Value::Bool(provided)) => *provided,
            _ => !map.is_empty(),
        },
        Some(Value::Number(_)) => true,
    }
}

/// The outcome of one condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Eval {
    Holds,
    /// It does not hold; the text says what the fact is.
    Fails(String),
    /// The fact is not declared.
    Absent,
}

pub fn evaluate(condition: &Condition, doc: &Value) -> Eval {
    let fact = lookup(doc, &condition.fact);
    let shown = |v: &Value| format!("{} is {}", condition.fact, show(v));
    let holds = |ok: bool, v: &Value| {
        if ok {
            Eval::Holds
        } else {
            Eval::Fails(shown(v))
        }
    };
    match (&condition.op, fact) {
        (ConditionOp::Exists(want), value) => {
            if value.is_some() == *want {
                Eval::Holds
            } else if *want {
                Eval::Fails(format!("{} is not declared", condition.fact))
            } else {
                Eval::Fails(format!("{} is declared", condition.fact))
            }
        }
        (_, None) => Eval::Absent,
        (ConditionOp::Equals(want), Some(v)) => holds(same(v, want), v),
        (ConditionOp::NotEquals(want), Some(v)) => holds(!same(v, want), v),
        (ConditionOp::OneOf(options), Some(v)) => holds(options.iter().any(|o| same(v, o)), v),
        (ConditionOp::Contains(want), Some(v)) => match v {
            Value::Array(items) => holds(items.iter().any(|i| same(i, want)), v),
            other => Eval::Fails(format!(
                "{} is {}, not a list that could contain {}",
                condition.fact,
                show(other),
                show(want)
            )),
        },
        (ConditionOp::AtLeast(bound), Some(v)) => match compare(v, bound) {
            Some(ord) => holds(ord != Ordering::Less, v),
            None if period_of(bound).is_some() && period_of(v).is_some() => {
                Eval::Fails(span_depends(condition, v, bound))
            }
            None => Eval::Fails(format!(
                "{} is {}, which cannot be compared with {}",
                condition.fact,
                show(v),
                show(bound)
            )),
        },
        (ConditionOp::AtMost(bound), Some(v)) => match compare(v, bound) {
            Some(ord) => holds(ord != Ordering::Greater, v),
            None if period_of(bound).is_some() && period_of(v).is_some() => {
                Eval::Fails(span_depends(condition, v, bound))
            }
            None => Eval::Fails(format!(
                "{} is {}, which cannot be compared with {}",
                condition.fact,
                show(v),
                show(bound)
            )),
        },
    }
}

/// Equality with numbers compared by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Numbers by value; `YYYY-MM-DD` dates by date; periods ("6 months"; a bare number against a
/// period counts days) by [`Period::compare`], which is `None` when the answer depends on the
/// start day.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) {
        return x.partial_cmp(&y);
    }
    if b.as_str().is_some_and(|s| s.parse::<Period>().is_ok())
        || a.as_str().is_some_and(|s| s.parse::<Period>().is_ok())
    {
        return period_of(a)?.compare(period_of(b)?);
    }
    let day = |v: &Value| {
        v.as_str()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    Some(day(a)?.cmp(&day(b)?))
}

/// A period: "6 months", or a whole number of days.
fn period_of(v: &Value) -> Option<Period> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .map(Period::days),
        _ => None,
    }
}

/// Why a number of days does not settle a bound in calendar months.
fn span_depends(condition: &Condition, v: &Value, bound: &Value) -> String {
    let (lo, hi) = period_of(bound).map(Period::day_range).unwrap_or((0, 0));
    format!(
        "{} is {} days, and {} spans {lo} to {hi} days depending on the start day",
        condition.fact,
        show(v),
        show(bound).trim_matches('"')
    )
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// Where the user declares a fact, for "declare X" hints.
pub fn where_to_declare(fact: &str) -> String {
    let (prefix, rest) = fact.split_once('.').unwrap_or((fact, ""));
    match prefix {
        "facts" => format!("declare `{rest}` in [audit.facts]"),
        "audit" => format!("set `{rest}` in [audit]"),
        "auditor" => format!("set `{rest}` in [auditor]"),
        "data" => format!("set `{rest}` in [data]"),
        _ => format!("the metrics report no `{rest}` for this data"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(fact: &str, op: ConditionOp) -> Condition {
        Condition {
            fact: fact.into(),
            op,
            message: None,
        }
    }

    #[test]
    fn lookup_walks_objects_and_arrays() {
        let doc = json!({"metrics": {"dimensions": {"sex": {"provided": true, "categories": [{"n": 3}]}}}, "x": null});
        assert_eq!(
            lookup(&doc, "metrics.dimensions.sex.provided"),
            Some(&json!(true))
        );
        assert_eq!(
            lookup(&doc, "metrics.dimensions.sex.categories.0.n"),
            Some(&json!(3))
        );
        assert_eq!(lookup(&doc, "metrics.dimensions.race"), None);
        assert_eq!(lookup(&doc, "x"), None);
    }

    #[test]
    fn presence_of_computed_values() {
        assert!(is_present(Some(
            &json!({"provided": true, "categories": []})
        )));
        assert!(!is_present(Some(&json!({"provided": false}))));
        assert!(is_present(Some(&json!(0))));
        assert!(!is_present(Some(&json!(""))));
        assert!(!is_present(Some(&json!([]))));
        assert!(!is_present(None));
    }

    #[test]
    fn days_against_calendar_months() {
        let doc = json!({"facts": {"short": 183, "long": 184, "quarter": 90, "p": "6 months"}});
        let six = || ConditionOp::AtLeast(json!("6 months"));
        // Six months from 1 July is 184 days: 183 days does not keep every log six months.
        assert!(
            matches!(evaluate(&cond("facts.short", six()), &doc), Eval::Fails(m) if m.contains("181 to 184 days"))
        );
        assert_eq!(evaluate(&cond("facts.long", six()), &doc), Eval::Holds);
        assert!(matches!(
            evaluate(&cond("facts.quarter", six()), &doc),
            Eval::Fails(_)
        ));
        assert_eq!(evaluate(&cond("facts.p", six()), &doc), Eval::Holds);
        assert_eq!(
            evaluate(
                &cond("facts.quarter", ConditionOp::AtMost(json!("6 months"))),
                &doc
            ),
            Eval::Holds
        );
    }

    #[test]
    fn operators() {
        let doc = json!({"facts": {"public_body": false, "n": 12, "since": "2026-01-05", "kind": "scoring"}});
        assert_eq!(
            evaluate(
                &cond("facts.public_body", ConditionOp::Equals(json!(false))),
                &doc
            ),
            Eval::Holds
        );
        assert_eq!(
            evaluate(
                &cond("facts.public_body", ConditionOp::Equals(json!(true))),
                &doc
            ),
            Eval::Fails("facts.public_body is false".into())
        );
        assert_eq!(
            evaluate(&cond("facts.n", ConditionOp::AtLeast(json!(12.0))), &doc),
            Eval::Holds
        );
        assert!(matches!(
            evaluate(&cond("facts.n", ConditionOp::AtMost(json!(11))), &doc),
            Eval::Fails(_)
        ));
        assert_eq!(
            evaluate(
                &cond("facts.since", ConditionOp::AtLeast(json!("2026-01-01"))),
                &doc
            ),
            Eval::Holds
        );
        assert_eq!(
            evaluate(
                &cond(
                    "facts.kind",
                    ConditionOp::OneOf(vec![json!("selection"), json!("scoring")])
                ),
                &doc
            ),
            Eval::Holds
        );
        assert_eq!(
            evaluate(
                &cond("facts.missing", ConditionOp::Equals(json!(true))),
                &doc
            ),
            Eval::Absent
        );
        assert_eq!(
            evaluate(&cond("facts.missing", ConditionOp::Exists(false)), &doc),
            Eval::Holds
        );
        assert!(matches!(
            evaluate(&cond("facts.missing", ConditionOp::Exists(true)), &doc),
            Eval::Fails(_)
        ));
        assert!(matches!(
            evaluate(&cond("facts.kind", ConditionOp::AtLeast(json!(3))), &doc),
            Eval::Fails(_)
        ));
    }

    #[test]
    fn contains_looks_into_a_list() {
        let doc = json!({"audit": {"roles": ["employer", "deployer"]}, "facts": {"kind": "x"}});
        let has = |fact: &str, v: Value| evaluate(&cond(fact, ConditionOp::Contains(v)), &doc);
        assert_eq!(has("audit.roles", json!("deployer")), Eval::Holds);
        assert_eq!(
            has("audit.roles", json!("provider")),
            Eval::Fails("audit.roles is [\"employer\",\"deployer\"]".into())
        );
        assert_eq!(
            has("facts.kind", json!("x")),
            Eval::Fails("facts.kind is \"x\", not a list that could contain \"x\"".into())
        );
        assert_eq!(has("audit.missing", json!("x")), Eval::Absent);
    }
}
