//! The check of a sealed version as OSCAL Assessment Results (OSCAL 1.1.3), for GRC tools
//! (compliance-trestle, Lula, CISO Assistant): one result; a finding per obligation; an
//! observation per evidence file (its path, SHA-256 and date) and per computed figure.
//!
//! Read from the version's sealed results file (hash checked), never from today's folder. UUIDs
//! are version 5 (name-based) under [`NAMESPACE`], from the audit id, version and the item, and
//! every timestamp is the audit date: the same version exports the same bytes.
//!
//! Statuses: `met` → finding target `satisfied` (reason `pass`); `missing`, `stale`, `failing` →
//! `not-satisfied` (reason `fail`), with fairfile's reason in `remarks`; `waived` →
//! `not-satisfied` (reason `other`) with implementation status `alternative` (an approved decision
//! not to provide evidence, named in `remarks`); `not_applicable` → `satisfied` (reason `other`)
//! with implementation status `not-applicable`. The fairfile status is also a prop
//! (`fairfile-status`), so nothing is lost in the mapping.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::check::Status;
use crate::format;
use crate::results::SealedResults;

/// OSCAL version of the output.
pub const OSCAL_VERSION: &str = "1.1.3";
/// The namespace of fairfile's name-based UUIDs.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x1fc2cb79_2e46_4908_8d1f_8422eba29355);
/// The namespace of fairfile's OSCAL props.
pub const PROPS_NS: &str = "https://fairfile.dev/ns/oscal";

fn id(audit: &str, version: u32, item: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("{audit}\n{version}\n{item}").as_bytes()).to_string()
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "ns": PROPS_NS, "value": value.into() })
}

/// An OSCAL token (`target-id`): letters, digits, `.`, `-`, `_`, starting with a letter.
fn token(text: &str) -> String {
    let mut t: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !t.starts_with(|c: char| c.is_ascii_alphabetic()) {
        t.insert_str(0, "o_");
    }
    t
}

/// The Assessment Results document of sealed version `version` with its `results`.
pub fn assessment_results(results: &SealedResults, version: u32, manifest_file: &str) -> Value {
    let audit = results.audit_id.as_str();
    let at = format!("{}T00:00:00Z", results.build_date);
    let uid = |item: &str| id(audit, version, item);

    // Evidence observations, one per file (path + hash), in path order.
    let mut evidence: BTreeMap<(String, String), (String, Option<chrono::NaiveDate>)> =
        BTreeMap::new();
    for fw in &results.check.frameworks {
        for ob in &fw.obligations {
            for e in &ob.evidence {
                if let Some(path) = &e.path {
                    evidence
                        .entry((path.clone(), e.sha256.clone()))
                        .or_insert((e.title.clone().unwrap_or_else(|| path.clone()), e.date));
                }
            }
        }
    }
    let mut observations: Vec<Value> = evidence
        .iter()
        .map(|((path, sha256), (title, date))| {
            let mut props = vec![prop("sha256", sha256.clone())];
            if let Some(d) = date {
                props.push(prop("evidence-date", d.to_string()));
            }
            json!({
                "uuid": uid(&format!("evidence:{path}:{sha256}")),
                "title": title,
                "description": format!("Evidence document {path} (SHA-256 {sha256}), as sealed in version {version}."),
                "props": props,
                "methods": ["EXAMINE"],
                "types": ["control-objective"],
                "relevant-evidence": [{ "href": path, "description": format!("SHA-256 {sha256}") }],
                "collected": at,
            })
        })
        .collect();

    // The computed figures: one observation per category of each family.
    for (family, d) in results
        .metrics
        .dimensions
        .iter()
        .filter(|(_, d)| d.provided)
    {
        for c in &d.categories {
            let mut props = vec![
                prop("family", family),
                prop("category", c.category.clone()),
                prop("n", c.n.to_string()),
            ];
            if let Some(r) = c.rate {
                props.push(prop("rate", format!("{r}")));
            }
            if let Some(ir) = c.impact_ratio {
                props.push(prop("impact-ratio", format!("{ir}")));
            }
            let shown = format!(
                "{} {}: n = {}, rate {}, impact ratio {}",
                format::dimension_title(family),
                c.category,
                format::count(c.n),
                format::or_dash(c.rate, format::rate),
                format::or_dash(c.impact_ratio, format::ratio),
            );
            observations.push(json!({
                "uuid": uid(&format!("metric:{family}:{}", c.category)),
                "title": shown,
                "description": format!("Computed by fairfile from the sealed data (input digest {}); exact values in the props (6 RCNY § 5-301). Context, not a verdict.", results.input_digest),
                "props": props,
                "methods": ["TEST"],
                "collected": at,
            }));
        }
    }

    let findings: Vec<Value> = results
        .check
        .frameworks
        .iter()
        .flat_map(|fw| fw.obligations.iter().map(move |ob| (fw, ob)))
        .map(|(fw, ob)| {
            let key = format!("{}/{}", fw.id, ob.id);
            let (state, reason, implementation) = match ob.status {
                Status::Met => ("satisfied", "pass", None),
                Status::Missing | Status::Stale | Status::Failing => ("not-satisfied", "fail", None),
                Status::Waived => ("not-satisfied", "other", Some("alternative")),
                Status::NotApplicable => ("satisfied", "other", Some("not-applicable")),
            };
            let mut target = json!({
                "type": "objective-id",
                "target-id": token(&key),
                "title": format!("{key}: {}", ob.title),
                "props": [prop("fairfile-status", ob.status.as_str()), prop("cite", ob.cite.clone())],
                "status": { "state": state, "reason": reason, "remarks": ob.reason },
            });
            if let Some(state) = implementation {
                target["implementation-status"] = json!({ "state": state, "remarks": ob.reason });
            }
            let related: Vec<Value> = ob
                .evidence
                .iter()
                .filter_map(|e| {
                    let path = e.path.as_ref()?;
                    Some(json!({ "observation-uuid": uid(&format!("evidence:{path}:{}", e.sha256)) }))
                })
                .collect();
            let mut finding = json!({
                "uuid": uid(&format!("finding:{key}")),
                "title": format!("{key} ({}): {}", ob.cite, ob.status.label()),
                "description": ob.reason,
                "target": target,
            });
            if !related.is_empty() {
                finding["related-observations"] = Value::Array(related);
            }
            finding
        })
        .collect();

    json!({
        "assessment-results": {
            "uuid": uid("assessment-results"),
            "metadata": {
                "title": format!("fairfile check of {audit}, sealed version {version}"),
                "last-modified": at,
                "version": format!("v{version}"),
                "oscal-version": OSCAL_VERSION,
                "props": [
                    prop("audit-id", audit),
                    prop("input-digest", results.input_digest.clone()),
                    prop("fairfile-version", results.fairfile_version.clone()),
                ],
            },
            "import-ap": { "href": manifest_file },
            "results": [{
                "uuid": uid("result"),
                "title": format!("Obligations of {audit} as of {}", results.build_date),
                "description": "Each obligation of the frameworks in use, checked by fairfile against the evidence and the computed results of the sealed version (docs/frameworks.md, Statuses).",
                "start": at,
                "end": at,
                "reviewed-controls": { "control-selections": [{ "include-all": {} }] },
                "observations": observations,
                "findings": findings,
            }],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_uuids_are_stable() {
        assert_eq!(token("nyc-ll144/5-301-a"), "nyc-ll144_5-301-a");
        assert_eq!(token("5-301"), "o_5-301");
        let a = id("acme", 1, "finding:x");
        assert_eq!(a, id("acme", 1, "finding:x"));
        assert_ne!(a, id("acme", 2, "finding:x"));
        assert_eq!(Uuid::parse_str(&a).unwrap().get_version_num(), 5);
    }
}
