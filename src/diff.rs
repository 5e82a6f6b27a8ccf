//! What changed between two sealed versions of an audit (`fairfile diff`, `docs/diff-json.md`):
//! the inputs (by hash, from the manifests), the metrics that moved and the obligations whose
//! status changed (from each version's sealed results), and each document's hash.
//!
//! Only what the versions sealed is compared, never the current folder: a diff says what the
//! published documents said, even after the data has moved on (EU AI Act Annex IV point 6: the
//! changes made to the system through its lifecycle). The comparison itself ([`compare`]) is a
//! pure function of two versions' manifests and results.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

use crate::check::{CheckReport, Status};
use crate::config::Outcome;
use crate::diag::{InputError, Location, Result};
use crate::metrics::{CategoryResult, Dimension, MetricsReport};
use crate::results::{find_version, load_version};
use crate::seal::{ChangeKind, Dist, LEDGER_FILE, Manifest, diff_inputs};

/// Schema id written into the JSON, bumped on any incompatible change.
pub const DIFF_SCHEMA: &str = "fairfile.diff/1";

/// One sealed version, as the comparison reads it.
#[derive(Debug, Clone, Copy)]
pub struct Sealed<'a> {
    pub manifest: &'a Manifest,
    pub metrics: &'a MetricsReport,
    pub check: &'a CheckReport,
}

/// The difference between two sealed versions, `from` (older) and `to`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Diff {
    pub schema: String,
    pub audit_id: String,
    pub from: VersionInfo,
    pub to: VersionInfo,
    /// Whether the content hash (the SHA-256 over every input, printed on every page) differs:
    /// false means every input is byte-identical.
    pub content_hash_changed: bool,
    /// Inputs added, removed or changed, by path (the manifests' inputs).
    pub inputs: Vec<InputDiff>,
    pub metrics: MetricsDiff,
    /// Obligations whose status changed, in report order (frameworks of `to`, then any only in `from`).
    pub obligations: Vec<ObligationDiff>,
    /// Every document of either version, by document and format, with its file's SHA-256.
    pub documents: Vec<DocumentDiff>,
}

/// Which version, when and from what.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct VersionInfo {
    pub version: u32,
    /// The audit date the version was built for.
    pub build_date: NaiveDate,
    /// The content hash: SHA-256 over the canonical list of inputs.
    pub input_digest: String,
    pub fairfile_version: String,
}

/// One input added, removed or changed (a different SHA-256, size or role).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct InputDiff {
    pub change: ChangeKind,
    /// `config`, `data`, `framework`, `template`, `evidence`, `attachment`, `image`.
    pub role: String,
    pub path: String,
    /// Null when added.
    pub old_sha256: Option<String>,
    /// Null when removed.
    pub new_sha256: Option<String>,
    pub old_bytes: Option<u64>,
    pub new_bytes: Option<u64>,
}

/// The metrics of the two versions, side by side where they moved.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct MetricsDiff {
    pub old_mode: Outcome,
    pub new_mode: Outcome,
    /// Everyone assessed.
    pub old_total: u64,
    pub new_total: u64,
    /// SHA-256 of the data file each version's metrics were computed from.
    pub old_data_sha256: String,
    pub new_data_sha256: String,
    /// Scoring mode: the sample median.
    pub old_median_score: Option<f64>,
    pub new_median_score: Option<f64>,
    /// `sex`, `race_ethnicity`, `intersectional`, always all three.
    pub families: Vec<FamilyDiff>,
}

/// One family (LL144 table) of categories.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FamilyDiff {
    /// `sex`, `race_ethnicity` or `intersectional`.
    pub family: String,
    /// Whether anything in the family moved (its categories, unknown count, reference or provision).
    pub moved: bool,
    pub old_provided: bool,
    pub new_provided: bool,
    /// Individuals whose category in this family is unknown (left out of its rates).
    pub old_unknown: u64,
    pub new_unknown: u64,
    /// The reference (highest-rate) category, the impact ratios' denominator.
    pub old_reference: Option<String>,
    pub new_reference: Option<String>,
    /// The categories that moved, appeared or disappeared, in the order of `to` (then those gone).
    pub categories: Vec<CategoryDiff>,
}

/// How a category differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CategoryChange {
    /// In `to` only.
    Appeared,
    /// In `from` only.
    Disappeared,
    /// In both, with a different n, count, rate or impact ratio.
    Moved,
}

/// One category that moved. `count` is the number selected (selection mode) or scoring above the
/// median (scoring mode). Differences are new − old, null when either side is.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CategoryDiff {
    pub category: String,
    pub change: CategoryChange,
    pub old_n: Option<u64>,
    pub new_n: Option<u64>,
    pub old_count: Option<u64>,
    pub new_count: Option<u64>,
    pub old_rate: Option<f64>,
    pub new_rate: Option<f64>,
    pub rate_difference: Option<f64>,
    pub old_impact_ratio: Option<f64>,
    pub new_impact_ratio: Option<f64>,
    pub impact_ratio_difference: Option<f64>,
}

/// An obligation whose status changed (or that exists in one version only: null status).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ObligationDiff {
    pub framework: String,
    pub id: String,
    pub cite: String,
    pub title: String,
    pub old_status: Option<Status>,
    pub new_status: Option<Status>,
    pub old_reason: Option<String>,
    pub new_reason: Option<String>,
}

/// One document (in one format) of either version.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DocumentDiff {
    /// `ll144-summary`, `eu-technical-file`, `compliance-matrix`, `results`, …
    pub document: String,
    /// The file's extension: `pdf`, `html`, `json`.
    pub format: String,
    pub old_file: Option<String>,
    pub new_file: Option<String>,
    pub old_sha256: Option<String>,
    pub new_sha256: Option<String>,
    /// Whether the file's SHA-256 differs (always, between two versions, as the version number is
    /// printed in each document; the content hash says whether the inputs did).
    pub changed: bool,
}

/// Compare two sealed versions of the output folder `out_dir`, reading each version's sealed
/// results (their hashes checked against its manifest): `from` (default: the version before `to`)
/// and `to` (default: the latest).
pub fn load(out_dir: &Path, from: Option<u32>, to: Option<u32>) -> Result<Diff> {
    let dist = Dist::open(out_dir, None)?;
    let new = find_version(&dist, to)?;
    let ledger = || Location::file(dist.dir.join(LEDGER_FILE));
    let old = match from {
        Some(v) => find_version(&dist, Some(v))?,
        None => dist
            .versions
            .iter()
            .rev()
            .find(|v| v.entry.version < new.entry.version)
            .ok_or_else(|| {
                InputError::new(
                    ledger(),
                    format!(
                        "no version is sealed before v{}: nothing to compare it with",
                        new.entry.version
                    ),
                )
                .with_help(
                    "change an input and run `fairfile build` to seal the next version, then diff",
                )
            })?,
    };
    if old.entry.version == new.entry.version {
        return Err(InputError::new(
            ledger(),
            format!("v{} is compared with itself", new.entry.version),
        )
        .with_help("name an older version first: `fairfile diff AUDIT_DIR v1 v2` (or one version, compared with the latest)")
        .into());
    }
    let (old_results, new_results) = (load_version(&dist, old)?, load_version(&dist, new)?);
    Ok(compare(
        Sealed {
            manifest: &old.manifest,
            metrics: &old_results.metrics,
            check: &old_results.check,
        },
        Sealed {
            manifest: &new.manifest,
            metrics: &new_results.metrics,
            check: &new_results.check,
        },
    ))
}

/// Compare two sealed versions, `old` then `new`.
pub fn compare(old: Sealed<'_>, new: Sealed<'_>) -> Diff {
    Diff {
        schema: DIFF_SCHEMA.to_string(),
        audit_id: new.manifest.audit_id.clone(),
        from: version_info(old.manifest),
        to: version_info(new.manifest),
        content_hash_changed: old.manifest.input_digest != new.manifest.input_digest,
        inputs: inputs(old.manifest, new.manifest),
        metrics: metrics(old.metrics, new.metrics),
        obligations: obligations(old.check, new.check),
        documents: documents(old.manifest, new.manifest),
    }
}

fn version_info(m: &Manifest) -> VersionInfo {
    VersionInfo {
        version: m.version,
        build_date: m.build_date,
        input_digest: m.input_digest.clone(),
        fairfile_version: m.fairfile_version.clone(),
    }
}

fn inputs(old: &Manifest, new: &Manifest) -> Vec<InputDiff> {
    let find = |m: &Manifest, path: &str| m.inputs.iter().find(|r| r.path == path).cloned();
    diff_inputs(&old.inputs, &new.inputs)
        .into_iter()
        .map(|c| {
            let (o, n) = (find(old, &c.path), find(new, &c.path));
            InputDiff {
                change: c.change,
                role: c.role,
                path: c.path,
                old_sha256: o.as_ref().map(|r| r.sha256.clone()),
                new_sha256: n.as_ref().map(|r| r.sha256.clone()),
                old_bytes: o.map(|r| r.bytes),
                new_bytes: n.map(|r| r.bytes),
            }
        })
        .collect()
}

fn metrics(old: &MetricsReport, new: &MetricsReport) -> MetricsDiff {
    let families = old
        .dimensions
        .iter()
        .zip(new.dimensions.iter())
        .map(|((family, o), (_, n))| family_diff(family, o, n))
        .collect();
    MetricsDiff {
        old_mode: old.mode,
        new_mode: new.mode,
        old_total: old.total,
        new_total: new.total,
        old_data_sha256: old.data.sha256.clone(),
        new_data_sha256: new.data.sha256.clone(),
        old_median_score: old.median_score,
        new_median_score: new.median_score,
        families,
    }
}

fn family_diff(family: &str, old: &Dimension, new: &Dimension) -> FamilyDiff {
    let old_by_name: BTreeMap<&str, &CategoryResult> = old
        .categories
        .iter()
        .map(|c| (c.category.as_str(), c))
        .collect();
    let mut categories = Vec::new();
    for n in &new.categories {
        match old_by_name.get(n.category.as_str()) {
            None => categories.push(category_diff(None, Some(n))),
            Some(o) if moved(o, n) => categories.push(category_diff(Some(o), Some(n))),
            Some(_) => {}
        }
    }
    for o in &old.categories {
        if !new.categories.iter().any(|n| n.category == o.category) {
            categories.push(category_diff(Some(o), None));
        }
    }
    let moved = !categories.is_empty()
        || old.unknown != new.unknown
        || old.provided != new.provided
        || old.reference != new.reference;
    FamilyDiff {
        family: family.to_string(),
        moved,
        old_provided: old.provided,
        new_provided: new.provided,
        old_unknown: old.unknown,
        new_unknown: new.unknown,
        old_reference: old.reference.clone(),
        new_reference: new.reference.clone(),
        categories,
    }
}

/// Whether a category's reported figures differ (exactly: the same inputs give the same bits).
fn moved(o: &CategoryResult, n: &CategoryResult) -> bool {
    o.n != n.n || o.count() != n.count() || o.rate != n.rate || o.impact_ratio != n.impact_ratio
}

fn category_diff(o: Option<&CategoryResult>, n: Option<&CategoryResult>) -> CategoryDiff {
    let change = match (o, n) {
        (None, _) => CategoryChange::Appeared,
        (_, None) => CategoryChange::Disappeared,
        _ => CategoryChange::Moved,
    };
    let minus = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
    let old_rate = o.and_then(|c| c.rate);
    let new_rate = n.and_then(|c| c.rate);
    let old_ir = o.and_then(|c| c.impact_ratio);
    let new_ir = n.and_then(|c| c.impact_ratio);
    CategoryDiff {
        category: n.or(o).map(|c| c.category.clone()).unwrap_or_default(),
        change,
        old_n: o.map(|c| c.n),
        new_n: n.map(|c| c.n),
        old_count: o.map(CategoryResult::count),
        new_count: n.map(CategoryResult::count),
        old_rate,
        new_rate,
        rate_difference: minus(old_rate, new_rate),
        old_impact_ratio: old_ir,
        new_impact_ratio: new_ir,
        impact_ratio_difference: minus(old_ir, new_ir),
    }
}

fn obligations(old: &CheckReport, new: &CheckReport) -> Vec<ObligationDiff> {
    let key = |fw: &str, id: &str| format!("{fw}/{id}");
    let mut old_by_key = BTreeMap::new();
    for fw in &old.frameworks {
        for o in &fw.obligations {
            old_by_key.insert(key(&fw.id, &o.id), (fw.id.as_str(), o));
        }
    }
    let mut out = Vec::new();
    for fw in &new.frameworks {
        for n in &fw.obligations {
            let o = old_by_key.remove(&key(&fw.id, &n.id)).map(|(_, o)| o);
            if o.is_some_and(|o| o.status == n.status) {
                continue;
            }
            out.push(ObligationDiff {
                framework: fw.id.clone(),
                id: n.id.clone(),
                cite: n.cite.clone(),
                title: n.title.clone(),
                old_status: o.map(|o| o.status),
                new_status: Some(n.status),
                old_reason: o.map(|o| o.reason.clone()),
                new_reason: Some(n.reason.clone()),
            });
        }
    }
    // Obligations gone (a framework dropped from the audit, or an obligation from a framework),
    // in the old report's order.
    for fw in &old.frameworks {
        for o in &fw.obligations {
            if old_by_key.contains_key(&key(&fw.id, &o.id)) {
                out.push(ObligationDiff {
                    framework: fw.id.clone(),
                    id: o.id.clone(),
                    cite: o.cite.clone(),
                    title: o.title.clone(),
                    old_status: Some(o.status),
                    new_status: None,
                    old_reason: Some(o.reason.clone()),
                    new_reason: None,
                });
            }
        }
    }
    out
}

fn documents(old: &Manifest, new: &Manifest) -> Vec<DocumentDiff> {
    let format_of = |file: &str| {
        file.rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let mut out: Vec<DocumentDiff> = Vec::new();
    for n in &new.outputs {
        let format = format_of(&n.file);
        let o = old
            .outputs
            .iter()
            .find(|o| o.document == n.document && format_of(&o.file) == format);
        out.push(DocumentDiff {
            document: n.document.clone(),
            format,
            old_file: o.map(|o| o.file.clone()),
            new_file: Some(n.file.clone()),
            old_sha256: o.map(|o| o.sha256.clone()),
            new_sha256: Some(n.sha256.clone()),
            changed: o.is_none_or(|o| o.sha256 != n.sha256),
        });
    }
    for o in &old.outputs {
        let format = format_of(&o.file);
        if !out
            .iter()
            .any(|d| d.document == o.document && d.format == format)
        {
            out.push(DocumentDiff {
                document: o.document.clone(),
                format,
                old_file: Some(o.file.clone()),
                new_file: None,
                old_sha256: Some(o.sha256.clone()),
                new_sha256: None,
                changed: true,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
