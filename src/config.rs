//! The audit project: a folder with a `fairfile.toml`, like a crate with its `Cargo.toml`.
//!
//! The config is deserialized with spans so that every error points into the TOML (file, line,
//! column), and unknown keys are rejected: a misspelt key must never be silently ignored in a
//! compliance document. The schema is documented in `docs/config.md`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Error, InputError, Location, Result, suggest};

/// Whether `fairfile.toml` may name files outside the audit folder: the CLI's `--allow-outside`,
/// set by the person running fairfile, never by the (untrusted) audit folder. Process-wide.
static ALLOW_OUTSIDE: AtomicBool = AtomicBool::new(false);

/// Allow (or refuse, the default) files named in `fairfile.toml` outside the audit folder.
pub fn allow_outside(allow: bool) {
    ALLOW_OUTSIDE.store(allow, Ordering::Relaxed);
}

/// A file named in `fairfile.toml` that lies outside the audit folder.
#[derive(Debug, Clone)]
pub struct OutsidePath {
    /// The key naming it, e.g. `[data] path`.
    pub key: &'static str,
    /// As written in the config.
    pub written: String,
    /// Joined to the audit folder (absolute paths stay absolute).
    pub path: PathBuf,
    pub location: Location,
}

/// Whether `written` (relative to `root`) stays inside `root`: not absolute, never climbing above
/// it with `..`, and — when it exists — not leaving it through a symbolic link.
pub(crate) fn is_inside(root: &Path, written: &str) -> bool {
    use std::path::Component;
    let mut depth = 0usize;
    for component in Path::new(written).components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return false,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::Normal(_) => depth += 1,
        }
    }
    match (
        std::fs::canonicalize(root),
        std::fs::canonicalize(root.join(written)),
    ) {
        (Ok(root), Ok(path)) => path.starts_with(root),
        // Missing files are reported where they are read; lexically the path is inside.
        _ => true,
    }
}

/// File name of the audit config inside an audit folder.
pub const CONFIG_FILE: &str = "fairfile.toml";

/// How a value left for the user to write starts (`fairfile init` writes e.g.
/// `audit_date = "FILL IN: date of the bias audit"`). Such a value is never accepted: loading the
/// config fails, naming every key still to fill in, before any type is checked.
pub const PLACEHOLDER: &str = "FILL IN";

/// A loaded audit project: its folder, the config text (hashed into the manifest) and the parsed config.
#[derive(Debug, Clone)]
pub struct Audit {
    /// The audit folder (as given, not canonicalised, so messages show the user's path).
    pub root: PathBuf,
    /// Path of `fairfile.toml`.
    pub config_path: PathBuf,
    /// The exact bytes of `fairfile.toml` as read (hashed into the manifest).
    pub config_text: String,
    pub config: AuditConfig,
}

impl Audit {
    /// A folder whose `fairfile.toml` still holds [`PLACEHOLDER`] values (a fresh `fairfile init`),
    /// loaded with each placeholder standing in as a value of its type, so that `check` can list
    /// the obligations still to do beside the keys still to fill in. Never used to compute or
    /// build anything. `None` when there is no placeholder, or the config fails for another reason
    /// (which the ordinary load reports).
    pub fn load_provisional(root: impl AsRef<Path>) -> Option<Audit> {
        let root = root.as_ref().to_path_buf();
        let config_path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&config_path).ok()?;
        if text.len() as u64 > crate::limits::MAX_CONFIG_BYTES {
            return None;
        }
        let config_text = provisional_text(&text)?;
        let config = AuditConfig::parse_provisional(&config_text, &config_path).ok()?;
        Some(Audit {
            root,
            config_path,
            config_text,
            config,
        })
    }

    /// Load `DIR/fairfile.toml`.
    pub fn load(root: impl AsRef<Path>) -> Result<Audit> {
        let root = root.as_ref().to_path_buf();
        let config_path = root.join(CONFIG_FILE);
        if config_path.is_file() {
            crate::limits::check_size(
                &config_path,
                crate::limits::MAX_CONFIG_BYTES,
                CONFIG_FILE,
                "MAX_CONFIG_BYTES",
            )?;
        }
        let config_text = match std::fs::read_to_string(&config_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(InputError::new(
                    Location::file(&config_path),
                    format!("no {CONFIG_FILE} in audit folder {}", root.display()),
                )
                .with_help(format!(
                    "run `fairfile init {} --framework nyc-ll144` to start one, or pass the audit folder as the first argument (e.g. `fairfile check examples/acme-resumerank`)",
                    root.display()
                ))
                .into());
            }
            Err(e) => return Err(Error::io(&config_path, e)),
        };
        let config = AuditConfig::parse(&config_text, &config_path)?;
        let audit = Audit {
            root,
            config_path,
            config_text,
            config,
        };
        let outside = audit.outside_paths();
        if !outside.is_empty() && !ALLOW_OUTSIDE.load(Ordering::Relaxed) {
            let mut errors: Vec<InputError> = outside
                .into_iter()
                .map(|o| {
                    InputError::new(
                        o.location,
                        format!(
                            "{} {:?} is outside the audit folder; fairfile reads only files inside it",
                            o.key, o.written
                        ),
                    )
                    .with_help(
                        "copy the file into the audit folder and name it relative to the folder, \
                         or run with --allow-outside to read it where it is (see SECURITY.md)",
                    )
                })
                .collect();
            return Err(match errors.len() {
                1 => errors.remove(0).into(),
                _ => Error::Inputs(errors),
            });
        }
        Ok(audit)
    }

    /// The files `fairfile.toml` names (`[data] path`, `[data] counts`, `[audit] framework_files`)
    /// that lie outside the audit folder: absolute paths, paths climbing out with `..`, and paths
    /// through a symbolic link that leads out. The audit folder is untrusted input (SECURITY.md):
    /// it may not make fairfile read, hash and print files elsewhere unless the person running it
    /// allows it on the command line.
    pub fn outside_paths(&self) -> Vec<OutsidePath> {
        let mut named = Vec::new();
        let data = self.config.data.get_ref();
        for (key, path) in [("[data] path", &data.path), ("[data] counts", &data.counts)] {
            if let Some(p) = path {
                let location =
                    Location::from_offset(&self.config_path, &self.config_text, p.span().start)
                        .with_field(if key.ends_with("path") {
                            "data.path"
                        } else {
                            "data.counts"
                        });
                named.push((key, p.get_ref().clone(), location));
            }
        }
        for file in &self.config.audit.get_ref().framework_files {
            let offset = self.config_text.find(&format!("{file:?}")).unwrap_or(0);
            let location = Location::from_offset(&self.config_path, &self.config_text, offset)
                .with_field("audit.framework_files");
            named.push(("[audit] framework_files", file.clone(), location));
        }
        named
            .into_iter()
            .filter(|(_, written, _)| !is_inside(&self.root, written))
            .map(|(key, written, location)| OutsidePath {
                key,
                path: self.root.join(&written),
                written,
                location,
            })
            .collect()
    }

    /// Resolve a path written in the config relative to the audit folder.
    pub fn resolve(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The evidence folder (`DIR/evidence`).
    pub fn evidence_dir(&self) -> PathBuf {
        self.root.join("evidence")
    }
}

/// `fairfile.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    pub audit: Spanned<AuditSection>,
    pub auditor: AuditorSection,
    pub data: Spanned<DataSection>,
    /// Waivers of individual obligations (`[[waivers]]`).
    #[serde(default)]
    pub waivers: Vec<Spanned<Waiver>>,
}

/// `[audit]`: what is audited, by whom it is used, and the facts that decide which obligations apply.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSection {
    /// Slug used in file names (`[a-z0-9._-]`).
    pub id: Spanned<String>,
    pub title: String,
    pub organization: String,
    /// The AEDT / AI system audited.
    pub system: String,
    /// Date of the bias audit (6 RCNY §5-303(a)); also the date every document is pinned to.
    #[serde(with = "crate::dates::date")]
    pub audit_date: NaiveDate,
    /// LL144 "distribution date": the date the employer began using the AEDT (6 RCNY §5-300).
    #[serde(default, with = "crate::dates::option")]
    pub distribution_date: Option<NaiveDate>,
    /// Planned (or actual) date of the next use of the tool; decides "audit within one year before use".
    #[serde(default, with = "crate::dates::option")]
    pub planned_use_date: Option<NaiveDate>,
    /// Date of the latest use, if use has ended (LL144 §5-303(c): keep the summary posted 6 months after).
    #[serde(default, with = "crate::dates::option")]
    pub last_use_date: Option<NaiveDate>,
    /// Framework ids (shipped: `nyc-ll144`, `eu-ai-act`) or ids of framework files listed in `framework_files`.
    pub frameworks: Spanned<Vec<String>>,
    /// Extra framework files (internal policies), relative to the audit folder.
    #[serde(default)]
    pub framework_files: Vec<String>,
    /// The organisation's roles: `employer`, `employment_agency` (LL144); `provider`, `deployer` (AI Act).
    #[serde(default = "no_roles")]
    pub roles: Spanned<Vec<String>>,
    /// Facts that decide applicability (e.g. `public_body = false`); unknown facts leave an
    /// obligation "undecided" rather than guessed.
    #[serde(default)]
    pub facts: IndexMap<String, toml::Value>,
    /// `fairfile verify` fails unless the latest sealed version carries a valid signature by a key
    /// given with `--trust` (docs/attest.md).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_signature: bool,
    /// Public holidays skipped by business-day rules (in addition to weekends).
    #[serde(default, with = "crate::dates::list")]
    pub holidays: Vec<NaiveDate>,
    /// Document language (BCP 47), written into the PDF metadata.
    #[serde(default = "default_language")]
    pub language: String,
}

fn no_roles() -> Spanned<Vec<String>> {
    Spanned::new(0..0, Vec::new())
}

fn default_language() -> String {
    "en".to_string()
}

/// Roles a user may declare.
pub const ROLES: &[&str] = &["employer", "employment_agency", "provider", "deployer"];

/// `[auditor]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditorSection {
    pub name: String,
    #[serde(default)]
    pub organization: Option<String>,
    /// Whether the auditor meets the independence test of 6 RCNY §5-300.
    pub independent: bool,
    #[serde(default)]
    pub independence_statement: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
}

/// Historical or test data (6 RCNY §5-302).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    Historical,
    Test,
}

/// Whether the AEDT selects/classifies (§5-301(b)) or scores (§5-301(c)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Selection,
    Scoring,
}

/// What to do with a raw category value that no mapping names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmapped {
    /// Stop with an error listing every unmapped value (default).
    #[default]
    Error,
    /// Count them as unknown, and report the fold in the results.
    Unknown,
}

/// `[data]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// Row-level applicant file (CSV), relative to the audit folder.
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    /// Pre-aggregated counts (`sex,race,n,selected` or `sex,race,n,above_median`), instead of rows.
    #[serde(default)]
    pub counts: Option<Spanned<String>>,
    pub kind: DataKind,
    /// Source and explanation of the data (required in the LL144 summary, §5-303(a)(1)).
    pub description: String,
    /// Required for test data: why historical data was not used and how the test data were
    /// generated and obtained (§5-302(b)).
    #[serde(default)]
    pub explanation: Option<String>,
    pub outcome: Outcome,
    /// Use the §5-301(d) option: leave categories under 2 % out of the impact-ratio calculation.
    #[serde(default)]
    pub exclude_small_categories: bool,
    /// The auditor's justification for excluding small categories (required with the option).
    #[serde(default)]
    pub exclusion_justification: Option<String>,
    #[serde(default)]
    pub unmapped: Unmapped,
    /// For counts input in scoring mode: the sample's median score, for the report.
    #[serde(default)]
    pub median_score: Option<f64>,
    /// Excel input (`path` ending in `.xlsx`): the worksheet to read (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
    #[serde(default)]
    pub columns: Columns,
    #[serde(default)]
    pub values: Values,
    #[serde(default)]
    pub categories: Categories,
    #[serde(default)]
    pub analysis: AnalysisSection,
}

/// `[data.analysis]`: the policy choices of the adverse-impact analysis beyond the LL144 tables.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSection {
    /// The impact ratio every category should reach at the alternative cut-off searched for (29 CFR
    /// 1607.3(B) asks a user to consider alternatives with less adverse impact). A policy choice:
    /// the default is the four-fifths rule of thumb (29 CFR 1607.4(D)), not a pass mark.
    #[serde(default = "default_cutoff_min_impact_ratio")]
    pub cutoff_min_impact_ratio: f64,
    /// The score at or above which the AEDT selects, when it works by a cut-off and the data
    /// carries the decision in a `selected` column (marked in the cut-off table).
    #[serde(default)]
    pub cutoff_in_use: Option<f64>,
}

impl Default for AnalysisSection {
    fn default() -> Self {
        AnalysisSection {
            cutoff_min_impact_ratio: default_cutoff_min_impact_ratio(),
            cutoff_in_use: None,
        }
    }
}

fn default_cutoff_min_impact_ratio() -> f64 {
    0.8
}

/// `[data.columns] stratum`: one column name or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn names(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(name) => vec![name.as_str()],
            OneOrMany::Many(names) => names.iter().map(String::as_str).collect(),
        }
    }
}

/// `[data.columns]`: header names in the data file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub race: Option<String>,
    #[serde(default)]
    pub selected: Option<String>,
    #[serde(default)]
    pub score: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    /// Prediction = score >= threshold, when there is no `selected` column (for error-rate metrics).
    #[serde(default)]
    pub prediction_threshold: Option<f64>,
    /// Strata (requisitions, periods, locations) for the Cochran–Mantel–Haenszel analysis: one
    /// column or a list (a stratum is each distinct combination of their values).
    #[serde(default)]
    pub stratum: Option<OneOrMany>,
}

/// `[data.values]`: which raw values count as selected / positive.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Values {
    #[serde(default = "default_selected")]
    pub selected: Vec<String>,
    /// When given, a value in neither list is an error.
    #[serde(default)]
    pub not_selected: Option<Vec<String>>,
    #[serde(default = "default_label")]
    pub label: Vec<String>,
}

impl Default for Values {
    fn default() -> Self {
        Values {
            selected: default_selected(),
            not_selected: None,
            label: default_label(),
        }
    }
}

fn default_selected() -> Vec<String> {
    vec!["1".into(), "true".into(), "yes".into()]
}

fn default_label() -> Vec<String> {
    vec!["1".into(), "true".into(), "yes".into()]
}

/// Canonical category name → raw values, in the order written (that order is the report's order).
/// The reserved name `unknown` lists raw values meaning "unknown".
pub type CategoryMap = IndexMap<String, Vec<String>>;

/// `[data.categories]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Categories {
    #[serde(default)]
    pub sex: Option<Spanned<CategoryMap>>,
    #[serde(default)]
    pub race: Option<Spanned<CategoryMap>>,
}

/// The reserved canonical name for "unknown" in category maps.
pub const UNKNOWN: &str = "unknown";

/// EEO-1 Component 1 sex categories (29 CFR 1602.7), as LL144 expects them.
pub const EEO1_SEX: &[&str] = &["Male", "Female"];

/// EEO-1 Component 1 race/ethnicity categories, with the labels of the DCWP examples.
pub const EEO1_RACE: &[&str] = &[
    "Hispanic or Latino",
    "White",
    "Black or African American",
    "Native Hawaiian or Pacific Islander",
    "Asian",
    "Native American or Alaska Native",
    "Two or More Races",
];

/// `[[waivers]]`: an explicit, approved decision not to provide evidence for one obligation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// `framework-id/obligation-id`, e.g. `eu-ai-act/art-27-1`.
    pub obligation: String,
    pub justification: String,
    pub approved_by: String,
    /// The waiver no longer applies after this date.
    #[serde(with = "crate::dates::date")]
    pub until: NaiveDate,
}

impl AuditConfig {
    /// Parse and validate `fairfile.toml` text; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<AuditConfig> {
        not_filled_in(text, path)?;
        let config: AuditConfig = toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
        config.validate(text, path)?;
        Ok(config)
    }

    /// Parse a config whose placeholders were replaced by [`provisional_text`]: every check but
    /// the placeholder one (which the caller has already reported).
    fn parse_provisional(text: &str, path: &Path) -> Result<AuditConfig> {
        let config: AuditConfig = toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
        config.validate(text, path)?;
        Ok(config)
    }

    /// Semantic checks that serde cannot express. Collects every problem, not only the first.
    fn validate(&self, text: &str, path: &Path) -> Result<()> {
        let mut errors = Vec::new();
        let at = |span: std::ops::Range<usize>| Location::from_offset(path, text, span.start);

        let audit = self.audit.get_ref();
        let id = audit.id.get_ref();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
        {
            errors.push(
                InputError::new(
                    at(audit.id.span()).with_field("audit.id"),
                    format!("audit id {id:?} is not a slug"),
                )
                .with_help(
                    "use lowercase letters, digits, '-', '_' or '.' (it is used in file names)",
                ),
            );
        }
        for role in audit.roles.get_ref() {
            if !ROLES.contains(&role.as_str()) {
                let mut err = InputError::new(
                    at(audit.roles.span()).with_field("audit.roles"),
                    format!("unknown role {role:?}; roles are {}", ROLES.join(", ")),
                );
                if let Some(s) = suggest(role, ROLES.iter().copied()) {
                    err = err.with_help(format!("did you mean {s:?}?"));
                }
                errors.push(err);
            }
        }
        if audit.frameworks.get_ref().is_empty() {
            errors.push(
                InputError::new(
                    at(audit.frameworks.span()).with_field("audit.frameworks"),
                    "no framework listed",
                )
                .with_help("list at least one, e.g. frameworks = [\"nyc-ll144\"]"),
            );
        }

        let data = self.data.get_ref();
        let data_at = || at(self.data.span()).with_field("data");
        match (&data.path, &data.counts) {
            (None, None) => errors.push(
                InputError::new(data_at(), "[data] names no input").with_help(
                    "set `path` (row-level CSV) or `counts` (pre-aggregated counts CSV)",
                ),
            ),
            (Some(_), Some(c)) => errors.push(
                InputError::new(
                    at(c.span()).with_field("data.counts"),
                    "[data] sets both `path` and `counts`",
                )
                .with_help("keep one: rows (`path`) or pre-aggregated counts (`counts`)"),
            ),
            _ => {}
        }
        if data.kind == DataKind::Test
            && data
                .explanation
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
        {
            errors.push(
                InputError::new(data_at(), "kind = \"test\" needs `explanation`")
                    .with_help("6 RCNY §5-302(b): explain why historical data was not used and how the test data were generated and obtained"),
            );
        }
        if data.exclude_small_categories
            && data
                .exclusion_justification
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
        {
            errors.push(
                InputError::new(data_at(), "exclude_small_categories = true needs `exclusion_justification`")
                    .with_help("6 RCNY §5-301(d): the summary must include the auditor's justification for excluding a category"),
            );
        }
        if data.path.is_some() {
            let cols = &data.columns;
            match data.outcome {
                Outcome::Selection if cols.selected.is_none() && cols.prediction_threshold.is_none() => {
                    errors.push(
                        InputError::new(data_at(), "selection mode needs [data.columns] `selected`")
                            .with_help("name the column holding the AEDT's decision, or give `score` and `prediction_threshold`"),
                    )
                }
                Outcome::Selection if cols.selected.is_none() && cols.score.is_none() => errors.push(
                    InputError::new(data_at(), "`prediction_threshold` needs a `score` column")
                        .with_help("name the score column in [data.columns]"),
                ),
                Outcome::Scoring if cols.score.is_none() => errors.push(
                    InputError::new(data_at(), "scoring mode needs [data.columns] `score`")
                        .with_help("name the column holding the AEDT's score (6 RCNY §5-301(c))"),
                ),
                _ => {}
            }
            if cols.sex.is_none() && cols.race.is_none() {
                errors.push(
                    InputError::new(data_at(), "neither `sex` nor `race` column is mapped")
                        .with_help("map at least one demographic column in [data.columns]"),
                );
            }
        }
        if let Some(stratum) = &data.columns.stratum {
            let names = stratum.names();
            let field = || data_at().with_field("data.columns.stratum");
            if data.counts.is_some() {
                errors.push(
                    InputError::new(field(), "`stratum` needs row-level data (`path`), not counts")
                        .with_help("strata are read from each applicant's row; give the rows, or remove `stratum`"),
                );
            }
            if data.outcome == Outcome::Scoring {
                errors.push(
                    InputError::new(field(), "`stratum` is for selection mode")
                        .with_help("in scoring mode \"above the median\" is relative to the whole sample (6 RCNY §5-301(c)(1)), not to a stratum; the Mantel–Haenszel analysis compares selections within each stratum. Remove `stratum`, or audit the selection made from the score"),
                );
            }
            if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) {
                errors.push(
                    InputError::new(field(), "`stratum` names no column (or an empty one)")
                        .with_help("e.g. stratum = \"requisition\" or stratum = [\"requisition\", \"period\"]"),
                );
            }
            if names.len() > crate::limits::MAX_STRATUM_COLUMNS {
                errors.push(
                    InputError::new(
                        field(),
                        format!(
                            "`stratum` lists {} columns, over fairfile's limit of {} (MAX_STRATUM_COLUMNS)",
                            names.len(),
                            crate::limits::MAX_STRATUM_COLUMNS
                        ),
                    )
                    .with_help("combine columns into one before export, or stratify by fewer"),
                );
            }
            let mut seen = std::collections::BTreeSet::new();
            for name in &names {
                if !seen.insert(name.trim()) {
                    errors.push(
                        InputError::new(field(), format!("`stratum` lists column {name:?} twice"))
                            .with_help("list each column once"),
                    );
                }
            }
        }
        let ratio = data.analysis.cutoff_min_impact_ratio;
        if !(ratio > 0.0 && ratio <= 1.0) {
            errors.push(
                InputError::new(
                    data_at().with_field("data.analysis.cutoff_min_impact_ratio"),
                    format!("cutoff_min_impact_ratio = {ratio} is not in (0, 1]"),
                )
                .with_help("an impact ratio is at most 1; the four-fifths rule of thumb is 0.8"),
            );
        }
        if data.analysis.cutoff_in_use.is_some_and(|c| !c.is_finite()) {
            errors.push(
                InputError::new(
                    data_at().with_field("data.analysis.cutoff_in_use"),
                    "cutoff_in_use is not a finite number",
                )
                .with_help("give the score at or above which the AEDT selects"),
            );
        }
        for (dim, map) in [
            ("sex", &data.categories.sex),
            ("race", &data.categories.race),
        ] {
            let column_given = match dim {
                "sex" => data.columns.sex.is_some() || data.counts.is_some(),
                _ => data.columns.race.is_some() || data.counts.is_some(),
            };
            if column_given && map.is_none() && data.path.is_some() {
                errors.push(
                    InputError::new(
                        data_at(),
                        format!("column `{dim}` is mapped but [data.categories.{dim}] is missing"),
                    )
                    .with_help(format!(
                        "list the canonical {dim} categories and the raw values that mean each"
                    )),
                );
            }
            if let Some(map) = map {
                let mut seen: IndexMap<&str, &str> = IndexMap::new();
                for (canonical, raws) in map.get_ref() {
                    for raw in raws {
                        if let Some(prev) = seen.insert(raw.as_str(), canonical.as_str())
                            && prev != canonical
                        {
                            errors.push(InputError::new(
                                at(map.span()).with_field(format!("data.categories.{dim}")),
                                format!(
                                    "raw value {raw:?} is mapped to both {prev:?} and {canonical:?}"
                                ),
                            ));
                        }
                    }
                }
            }
        }
        for waiver in &self.waivers {
            if !waiver.get_ref().obligation.contains('/') {
                errors.push(
                    InputError::new(
                        at(waiver.span()).with_field("waivers.obligation"),
                        "waiver obligation must be `framework/obligation-id`",
                    )
                    .with_help("e.g. obligation = \"eu-ai-act/art-27-1\""),
                );
            }
        }

        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0).into()),
            _ => Err(Error::Inputs(errors)),
        }
    }
}

/// Turn a toml error into an [`InputError`] pointing at its span.
pub fn toml_error(e: &toml::de::Error, text: &str, path: &Path) -> Error {
    let (message, depth_offset) = match crate::diag::toml_depth_error(e.message(), text) {
        Some((message, offset)) => (message, offset),
        None => (e.message().trim().to_string(), None),
    };
    let location = match (e.span(), depth_offset) {
        (Some(span), _) => Location::from_offset(path, text, span.start),
        (None, Some(offset)) => Location::from_offset(path, text, offset),
        (None, None) => Location::file(path),
    };
    InputError::new(location, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[audit]
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
path = "data/applicants.csv"
kind = "historical"
description = "ATS export"
outcome = "selection"

[data.columns]
sex = "gender"
selected = "advanced"

[data.categories.sex]
Male = ["M"]
Female = ["F"]
unknown = [""]
"#;

    fn parse(text: &str) -> Result<AuditConfig> {
        AuditConfig::parse(text, Path::new("fairfile.toml"))
    }

    #[test]
    fn minimal_config_parses_with_defaults() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.audit.get_ref().id.get_ref(), "acme-2026");
        assert_eq!(c.data.get_ref().values.selected, vec!["1", "true", "yes"]);
        let sex = c.data.get_ref().categories.sex.as_ref().unwrap().get_ref();
        assert_eq!(
            sex.keys().collect::<Vec<_>>(),
            vec!["Male", "Female", "unknown"]
        );
    }

    #[test]
    fn unknown_key_points_at_line() {
        let text = MINIMAL.replace(
            "independent = true",
            "independent = true\nindependant = true",
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.starts_with("fairfile.toml:13:"), "{err}");
        assert!(err.contains("independant"), "{err}");
    }

    #[test]
    fn test_data_needs_explanation() {
        let text = MINIMAL.replace("kind = \"historical\"", "kind = \"test\"");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("needs `explanation`"), "{err}");
        assert!(err.contains("§5-302(b)"), "{err}");
    }

    #[test]
    fn bad_role_is_suggested() {
        let text = MINIMAL.replace(
            "frameworks = [\"nyc-ll144\"]",
            "frameworks = [\"nyc-ll144\"]\nroles = [\"employeer\"]",
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("did you mean \"employer\"?"), "{err}");
    }

    #[test]
    fn conflicting_raw_value_is_an_error() {
        let text = MINIMAL.replace("Female = [\"F\"]", "Female = [\"F\", \"M\"]");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("\"M\" is mapped to both"), "{err}");
    }
}

/// The config text with each quoted [`PLACEHOLDER`] value replaced by a stand-in of the type the
/// key needs (`fairfile init` says the type in the placeholder: "(without quotes)" for a date or a
/// boolean), or `None` when the text holds no placeholder.
fn provisional_text(text: &str) -> Option<String> {
    let marker = format!("\"{PLACEHOLDER}");
    if !text.contains(&marker) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some(at) = line
            .find(&marker)
            .filter(|_| !line.trim_start().starts_with('#'))
        else {
            out.push_str(line);
            continue;
        };
        let end = line[at + 1..].find('"')? + at + 2;
        let hint = &line[at + 1..end - 1];
        let key = line[..at].split('=').next().unwrap_or("").trim();
        let stand_in = if hint.contains("true or false") {
            "false".to_string()
        } else if hint.contains("(without quotes)") {
            "2000-01-01".to_string()
        } else if key == "kind" {
            "\"historical\"".to_string()
        } else if key == "id" {
            "\"fill-in\"".to_string()
        } else {
            format!("\"{hint}\"")
        };
        out.push_str(&line[..at]);
        out.push_str(&stand_in);
        out.push_str(&line[end..]);
    }
    Some(out)
}

/// Every value still holding the [`PLACEHOLDER`], as one error per key (file, line, column and
/// dotted key). A line scan, so that a placeholder standing where a date or boolean belongs is
/// reported as "not filled in" rather than as a type error.
fn not_filled_in(text: &str, path: &Path) -> Result<()> {
    let mut errors = Vec::new();
    let mut table = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            table = trimmed
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
        } else if !trimmed.starts_with('#')
            && let Some(at) = line.find(&format!("\"{PLACEHOLDER}"))
        {
            let key = line
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            let key = if key.is_empty() || line[..at].find('=').is_none() {
                table.clone()
            } else if table.is_empty() {
                key.to_string()
            } else {
                format!("{table}.{key}")
            };
            let hint = line[at + 1..].split('"').next().unwrap_or("");
            errors.push(
                InputError::new(
                    Location::from_offset(path, text, offset + at).with_field(key.clone()),
                    format!("`{key}` is not filled in"),
                )
                .with_help(format!(
                    "replace the placeholder \"{hint}\" with the real value (docs/config.md)"
                )),
            );
        }
        offset += line.len();
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0).into()),
        _ => Err(Error::Inputs(errors)),
    }
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    #[test]
    fn every_placeholder_is_named_with_its_key_and_line() {
        let text = "[audit]\nid = \"x\"\naudit_date = \"FILL IN: date\"\n# note = \"FILL IN: ignored\"\n[auditor]\nindependent = \"FILL IN: true or false\"\n";
        let err = not_filled_in(text, Path::new("fairfile.toml")).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains("`audit.audit_date` is not filled in"),
            "{shown}"
        );
        assert!(
            shown.contains("`auditor.independent` is not filled in"),
            "{shown}"
        );
        assert!(shown.contains(":3:"), "line of audit_date: {shown}");
        assert!(!shown.contains("ignored"), "{shown}");
        assert!(not_filled_in("[audit]\nid = \"x\"\n", Path::new("f")).is_ok());
    }
}
