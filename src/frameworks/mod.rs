//! Frameworks: declarative mappings of each regulation's obligations (`frameworks/*.toml`), cited
//! to article/section, with the evidence each needs. Schema: `docs/frameworks.md`.
//!
//! The two shipped frameworks (`nyc-ll144`: Admin. Code §§ 20-870 – 20-874 and 6 RCNY §§ 5-300 –
//! 5-304; `eu-ai-act`: Reg. (EU) 2024/1689 as amended by Reg. (EU) 2026/1744) are compiled into
//! the binary, so a build is reproducible from the fairfile version alone; an audit adds its own
//! (internal policies) with `[audit] framework_files`.
//!
//! Loading validates everything a reviewer would otherwise have to catch by eye: unknown keys,
//! duplicate ids, undeclared evidence kinds, bad dates and date names, malformed conditions and fact
//! paths. Every problem is reported at once, each with file, line and column, a stable code
//! ([`diags::Code`]) and the nearest valid name.

pub mod cfg;
pub mod diags;
pub mod period;

pub use period::Period;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::config::{Audit, ROLES};
use crate::diag::{Error, InputError, Location, Result};
use crate::document::Section;
use crate::inputs::InputRecord;
use diags::{Code, with_suggestion};

/// The shipped frameworks: (file name under `frameworks/`, contents), compiled in.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "nyc-ll144.toml",
        include_str!("../../frameworks/nyc-ll144.toml"),
    ),
    (
        "eu-ai-act.toml",
        include_str!("../../frameworks/eu-ai-act.toml"),
    ),
];

/// Prefixes a fact path may start with (see `docs/frameworks.md`, "Facts and conditions").
pub const FACT_PREFIXES: &[&str] = &["audit", "facts", "auditor", "data", "metrics"];

/// One framework, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub version: String,
    pub jurisdiction: Option<String>,
    pub sources: Vec<String>,
    pub roles: Vec<String>,
    pub dates: IndexMap<String, NamedDate>,
    pub evidence_kinds: IndexMap<String, EvidenceKind>,
    pub obligations: Vec<Obligation>,
    /// Framework-level rules that take obligations out of scope (`[[exemptions]]`).
    pub exemptions: Vec<Exemption>,
    /// Where the framework came from (hashed into the manifest).
    pub source: Source,
}

/// The file a framework was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    /// `builtin:frameworks/<file>` for shipped frameworks, else the path relative to the audit folder.
    pub path: String,
    pub builtin: bool,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NamedDate {
    pub date: NaiveDate,
    pub cite: Option<String>,
    pub note: Option<String>,
    /// The caveat when the date is the framework's reading of the law, not a date it states.
    pub interpretation: Option<String>,
}

/// `[[exemptions]]`: when every condition holds, the framework's obligations (except those
/// listed) do not apply; a condition whose fact is not declared leaves that undecided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Exemption {
    pub id: String,
    pub cite: String,
    pub message: String,
    pub conditions: Vec<Condition>,
    pub except: Vec<String>,
}

impl Exemption {
    /// Whether the exemption can take `obligation` out of scope.
    pub fn covers(&self, obligation: &str) -> bool {
        !self.except.iter().any(|e| e == obligation)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EvidenceKind {
    pub id: String,
    pub description: String,
    /// Fact path of fairfile's own result providing this kind (e.g. `metrics.dimensions.sex`).
    pub computed: Option<String>,
    /// The framework that declared it (the first one, when several do).
    pub declared_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Obligation {
    pub id: String,
    pub cite: String,
    pub title: String,
    pub requirement: String,
    /// Good practice beyond the law's words (printed as such, apart from the requirement).
    pub practice: Option<String>,
    /// Roles bound by the obligation; empty means every role.
    pub applies_to: Vec<String>,
    pub applies_from: Option<NaiveDate>,
    /// The `[dates]` name `applies_from` was written with, if any.
    pub applies_from_name: Option<String>,
    /// Where the obligation is presented (`document/anchor`); `None` means the compliance matrix
    /// only, like `compliance-matrix`. Every obligation is in the matrix as well.
    pub section: Option<Section>,
    pub when: Vec<Condition>,
    pub evidence: Vec<Requirement>,
    pub conditions: Vec<Condition>,
}

/// One evidence requirement: any one of `kinds`, subject to its date rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Requirement {
    pub kinds: Vec<String>,
    /// Evidence dated within `days` days before `date`.
    pub max_age: Option<DayRule>,
    /// Evidence dated at least `days` business days before `date`.
    pub min_business_days_before: Option<DayRule>,
    /// Evidence (its `expires`, if any) valid until a period (days, or calendar months) after a date.
    pub keep_after: Option<PeriodRule>,
    /// Evidence dated on or before this date; a later date makes the obligation failing.
    pub not_after: Option<RefDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PeriodRule {
    pub period: Period,
    pub date: RefDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DayRule {
    pub days: u32,
    pub date: RefDate,
}

/// The dates a rule can be relative to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RefDate {
    /// `--as-of` (default: the audit date).
    AsOf,
    /// `[audit] audit_date`.
    AuditDate,
    /// `[audit] planned_use_date`.
    PlannedUseDate,
    /// `[audit] distribution_date`.
    DistributionDate,
    /// `[audit] last_use_date`.
    LastUseDate,
}

impl RefDate {
    pub const ALL: &'static [RefDate] = &[
        RefDate::AsOf,
        RefDate::AuditDate,
        RefDate::PlannedUseDate,
        RefDate::DistributionDate,
        RefDate::LastUseDate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefDate::AsOf => "as_of",
            RefDate::AuditDate => "audit_date",
            RefDate::PlannedUseDate => "planned_use_date",
            RefDate::DistributionDate => "distribution_date",
            RefDate::LastUseDate => "last_use_date",
        }
    }

    pub fn parse(name: &str) -> Option<RefDate> {
        RefDate::ALL.iter().copied().find(|r| r.as_str() == name)
    }
}

/// A condition on one fact (see `docs/frameworks.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Condition {
    pub fact: String,
    pub op: ConditionOp,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionOp {
    Equals(serde_json::Value),
    NotEquals(serde_json::Value),
    AtLeast(serde_json::Value),
    AtMost(serde_json::Value),
    OneOf(Vec<serde_json::Value>),
    /// The fact is a list holding this value (e.g. `audit.roles` contains `"provider"`).
    Contains(serde_json::Value),
    Exists(bool),
}

impl ConditionOp {
    pub fn name(&self) -> &'static str {
        match self {
            ConditionOp::Equals(_) => "equals",
            ConditionOp::NotEquals(_) => "not_equals",
            ConditionOp::AtLeast(_) => "at_least",
            ConditionOp::AtMost(_) => "at_most",
            ConditionOp::OneOf(_) => "one_of",
            ConditionOp::Contains(_) => "contains",
            ConditionOp::Exists(_) => "exists",
        }
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &serde_json::Value| v.to_string();
        match &self.op {
            ConditionOp::Equals(v) => write!(f, "{} = {}", self.fact, show(v)),
            ConditionOp::NotEquals(v) => write!(f, "{} ≠ {}", self.fact, show(v)),
            ConditionOp::AtLeast(v) => write!(f, "{} ≥ {}", self.fact, show(v)),
            ConditionOp::AtMost(v) => write!(f, "{} ≤ {}", self.fact, show(v)),
            ConditionOp::OneOf(vs) => {
                write!(
                    f,
                    "{} is one of {}",
                    self.fact,
                    vs.iter().map(show).collect::<Vec<_>>().join(", ")
                )
            }
            ConditionOp::Contains(v) => write!(f, "{} contains {}", self.fact, show(v)),
            ConditionOp::Exists(true) => write!(f, "{} is declared", self.fact),
            ConditionOp::Exists(false) => write!(f, "{} is not declared", self.fact),
        }
    }
}

/// The text of one framework file and where it came from.
#[derive(Debug, Clone)]
pub struct FrameworkText {
    /// Shown in error messages (`frameworks/nyc-ll144.toml`, or the user's path).
    pub display_path: PathBuf,
    /// Recorded in the manifest (`builtin:frameworks/nyc-ll144.toml` or the relative path).
    pub record_path: String,
    pub builtin: bool,
    pub text: String,
}

impl FrameworkText {
    /// The shipped frameworks.
    pub fn shipped() -> Vec<FrameworkText> {
        SHIPPED
            .iter()
            .map(|(file, text)| FrameworkText {
                display_path: PathBuf::from(format!("builtin:frameworks/{file}")),
                record_path: format!("builtin:frameworks/{file}"),
                builtin: true,
                text: (*text).to_string(),
            })
            .collect()
    }
}

/// Schema id of `fairfile frameworks list --format json`.
pub const FRAMEWORKS_SCHEMA: &str = "fairfile.frameworks/1";

/// `fairfile frameworks list --format json`: the frameworks available (shipped, and an audit's
/// own framework files with `--audit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FrameworkList {
    /// `fairfile.frameworks/1`.
    pub schema: String,
    pub frameworks: Vec<FrameworkSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FrameworkSummary {
    pub id: String,
    pub title: String,
    pub version: String,
    pub obligations: usize,
    pub evidence_kinds: usize,
    /// `shipped`, or the path of the audit's own framework file.
    pub source: String,
    pub sha256: String,
    /// Whether the audit named with `--audit` uses it.
    pub in_use: bool,
}

impl FrameworkSummary {
    pub fn of(fw: &Framework, in_use: bool) -> FrameworkSummary {
        FrameworkSummary {
            id: fw.id.clone(),
            title: fw.title.clone(),
            version: fw.version.clone(),
            obligations: fw.obligations.len(),
            evidence_kinds: fw.evidence_kinds.len(),
            source: if fw.source.builtin {
                "shipped".to_string()
            } else {
                fw.source.path.clone()
            },
            sha256: fw.source.sha256.clone(),
            in_use,
        }
    }
}

/// The frameworks an audit uses, loaded and validated, plus the global evidence-kind vocabulary.
#[derive(Debug, Clone, Default)]
pub struct FrameworkSet {
    /// The frameworks in use, in the order of `[audit] frameworks`.
    frameworks: Vec<Framework>,
    /// Every evidence kind declared by a framework in use or a shipped one: a kind id is global,
    /// so an evidence folder shared between audits does not break when one audit uses fewer frameworks.
    kinds: BTreeMap<String, EvidenceKind>,
    /// `framework/obligation` of every obligation of the frameworks in use and the shipped ones.
    known_obligations: BTreeSet<String>,
}

impl FrameworkSet {
    /// The frameworks named in the audit's `[audit] frameworks`: shipped ids, or ids of the files
    /// in `[audit] framework_files` (paths relative to the audit folder).
    pub fn load(audit: &Audit) -> Result<FrameworkSet> {
        let section = audit.config.audit.get_ref();
        let mut errors = Vec::new();
        let mut texts = FrameworkText::shipped();
        let shipped_count = texts.len();
        for rel in &section.framework_files {
            let path = audit.resolve(rel);
            if let Ok(meta) = std::fs::metadata(&path)
                && meta.len() > crate::limits::MAX_FRAMEWORK_BYTES
            {
                errors.push(crate::limits::too_large(
                    &path,
                    meta.len(),
                    crate::limits::MAX_FRAMEWORK_BYTES,
                    "framework file",
                    "MAX_FRAMEWORK_BYTES",
                ));
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(text) => texts.push(FrameworkText {
                    display_path: path,
                    record_path: rel.replace('\\', "/"),
                    builtin: false,
                    text,
                }),
                Err(e) => errors.push(
                    Code::A002MissingFrameworkFile
                        .error(
                            config_location(audit, None, rel).with_field("audit.framework_files"),
                            format!("cannot read framework file {}: {e}", path.display()),
                        )
                        .with_help("paths in framework_files are relative to the audit folder"),
                ),
            }
        }
        let parsed = parse_all(&texts, &mut errors);
        if !errors.is_empty() {
            return Err(errors_into(errors));
        }

        // Which parsed frameworks the audit uses.
        let ids: Vec<&str> = parsed.iter().map(|f| f.id.as_str()).collect();
        let mut selected: Vec<usize> = Vec::new();
        let wanted = section.frameworks.get_ref();
        for id in wanted {
            match ids.iter().position(|i| i == id) {
                Some(i) if !selected.contains(&i) => selected.push(i),
                Some(_) => {}
                None => {
                    let err = Code::A001UnknownFramework.error(
                        config_location(audit, Some(section.frameworks.span()), id)
                            .with_field("audit.frameworks"),
                        format!("unknown framework {id:?}; known: {}", ids.join(", ")),
                    );
                    errors.push(with_suggestion(err, id, ids.iter().copied(), || {
                        "use a shipped id (`fairfile frameworks list`) or add your file to [audit] framework_files"
                            .to_string()
                    }));
                }
            }
        }
        for fw in parsed.iter().skip(shipped_count) {
            if !wanted.contains(&fw.id) {
                errors.push(
                    Code::A003UnusedFrameworkFile
                        .error(
                            config_location(audit, None, &fw.source.path).with_field("audit.framework_files"),
                            format!(
                                "framework file {} declares framework {:?}, which [audit] frameworks does not list",
                                fw.source.path, fw.id
                            ),
                        )
                        .with_help(format!("add {:?} to [audit] frameworks, or remove the file from framework_files", fw.id)),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors_into(errors));
        }
        Ok(FrameworkSet::assemble(parsed, &selected))
    }

    /// Every shipped framework.
    pub fn shipped() -> Result<FrameworkSet> {
        FrameworkSet::from_texts(FrameworkText::shipped())
    }

    /// Parse and validate framework files, using all of them (in the given order). The shipped
    /// frameworks are not added: pass [`FrameworkText::shipped`] too if their kinds should count.
    pub fn from_texts(texts: Vec<FrameworkText>) -> Result<FrameworkSet> {
        let mut errors = Vec::new();
        let parsed = parse_all(&texts, &mut errors);
        if !errors.is_empty() {
            return Err(errors_into(errors));
        }
        let all: Vec<usize> = (0..parsed.len()).collect();
        Ok(FrameworkSet::assemble(parsed, &all))
    }

    fn assemble(parsed: Vec<Framework>, selected: &[usize]) -> FrameworkSet {
        let mut kinds = BTreeMap::new();
        let mut known_obligations = BTreeSet::new();
        // A kind declared by several frameworks takes its description from the first framework in
        // use that declares it, so the report reads in the words of the audit's own frameworks.
        let in_use_first = selected
            .iter()
            .copied()
            .chain((0..parsed.len()).filter(|i| !selected.contains(i)));
        for fw in in_use_first.map(|i| &parsed[i]) {
            for (id, kind) in &fw.evidence_kinds {
                kinds.entry(id.clone()).or_insert_with(|| kind.clone());
            }
        }
        for fw in &parsed {
            for ob in &fw.obligations {
                known_obligations.insert(format!("{}/{}", fw.id, ob.id));
            }
        }
        let frameworks = selected.iter().map(|&i| parsed[i].clone()).collect();
        FrameworkSet {
            frameworks,
            kinds,
            known_obligations,
        }
    }

    /// The frameworks in use, in order.
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    pub fn get(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// An obligation of a framework in use, by `framework/obligation-id`.
    pub fn obligation(&self, key: &str) -> Option<(&Framework, &Obligation)> {
        let (fw, ob) = key.split_once('/')?;
        let fw = self.get(fw)?;
        fw.obligations.iter().find(|o| o.id == ob).map(|o| (fw, o))
    }

    /// Whether `framework/obligation-id` names an obligation of a framework in use or a shipped one.
    pub fn is_known_obligation(&self, key: &str) -> bool {
        self.known_obligations.contains(key)
    }

    /// Every known `framework/obligation-id` (for suggestions).
    pub fn obligation_keys(&self) -> impl Iterator<Item = &str> {
        self.known_obligations.iter().map(String::as_str)
    }

    /// A declared evidence kind.
    pub fn kind(&self, id: &str) -> Option<&EvidenceKind> {
        self.kinds.get(id)
    }

    /// Every declared evidence kind id, sorted.
    pub fn kind_ids(&self) -> impl Iterator<Item = &str> {
        self.kinds.keys().map(String::as_str)
    }

    /// The framework files in use, hashed, for the manifest.
    pub fn inputs(&self) -> Vec<InputRecord> {
        self.frameworks
            .iter()
            .map(|f| InputRecord {
                role: "framework".to_string(),
                path: f.source.path.clone(),
                sha256: f.source.sha256.clone(),
                bytes: f.source.bytes,
            })
            .collect()
    }
}

fn errors_into(mut errors: Vec<InputError>) -> Error {
    if errors.len() == 1 {
        errors.remove(0).into()
    } else {
        Error::Inputs(errors)
    }
}

/// Where `needle` (a string value) is written in fairfile.toml: the quoted string inside `span` if
/// found, else the first quoted occurrence anywhere, else the span start, else the file.
fn config_location(audit: &Audit, span: Option<Range<usize>>, needle: &str) -> Location {
    let text = &audit.config_text;
    let quoted = [format!("\"{needle}\""), format!("'{needle}'")];
    let within = span.clone().and_then(|s| {
        let slice = text.get(s.clone())?;
        quoted
            .iter()
            .filter_map(|q| slice.find(q.as_str()))
            .min()
            .map(|i| s.start + i)
    });
    let anywhere = || quoted.iter().filter_map(|q| text.find(q.as_str())).min();
    match within.or_else(anywhere).or(span.map(|s| s.start)) {
        Some(offset) => Location::from_offset(&audit.config_path, text, offset),
        None => Location::file(&audit.config_path),
    }
}

/// Parse every text, then run the checks that span files: duplicate framework ids, conflicting
/// kind declarations, and undeclared kinds (a kind may be declared by any of the files).
fn parse_all(texts: &[FrameworkText], errors: &mut Vec<InputError>) -> Vec<Framework> {
    let parsed: Vec<Parsed> = texts
        .iter()
        .filter_map(|t| parse_framework(t, errors))
        .collect();
    // Duplicate framework ids.
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for p in &parsed {
        let fw = &p.framework;
        if let Some(first) = seen.insert(fw.id.clone(), fw.source.path.clone()) {
            errors.push(
                Code::F012DuplicateFrameworkId
                    .error(
                        p.id_location.clone().with_field("framework.id"),
                        format!("framework id {:?} is already declared by {first}", fw.id),
                    )
                    .with_help("give your framework file a different [framework] id"),
            );
        }
    }
    // The global vocabulary, and conflicting declarations of one kind.
    let mut vocabulary: BTreeMap<&str, &EvidenceKind> = BTreeMap::new();
    let computed = |k: &EvidenceKind| match &k.computed {
        Some(path) => format!("computed = {path:?}"),
        None => "no `computed`".to_string(),
    };
    for p in &parsed {
        for (id, kind) in &p.framework.evidence_kinds {
            match vocabulary.get(id.as_str()) {
                Some(prev) if prev.computed != kind.computed => {
                    errors.push(
                        Code::F013ConflictingEvidenceKind
                            .error(
                                p.kind_locations[id].clone(),
                                format!(
                                    "evidence kind {id:?} is declared by framework {} with {} and here with {}",
                                    prev.declared_by,
                                    computed(prev),
                                    computed(kind)
                                ),
                            )
                            .with_help("a kind id means the same evidence everywhere; use a different id for different evidence"),
                    );
                }
                Some(_) => {}
                None => {
                    vocabulary.insert(id.as_str(), kind);
                }
            }
        }
    }
    for p in &parsed {
        for u in &p.kind_uses {
            if !vocabulary.contains_key(u.kind.as_str()) {
                let err = Code::F003UndeclaredEvidenceKind.error(
                    u.location.clone(),
                    format!(
                        "evidence kind {:?} is not declared in [evidence_kinds] of any framework",
                        u.kind
                    ),
                );
                errors.push(with_suggestion(
                    err,
                    &u.kind,
                    vocabulary.keys().copied(),
                    || {
                        format!(
                            "declare it: [evidence_kinds.{}] description = \"…\"",
                            u.kind
                        )
                    },
                ));
            }
        }
    }
    parsed.into_iter().map(|p| p.framework).collect()
}

/// A use of an evidence kind by an obligation, to check against the vocabulary.
struct KindUse {
    kind: String,
    location: Location,
}

struct Parsed {
    framework: Framework,
    kind_uses: Vec<KindUse>,
    /// Where the framework id and each evidence kind are declared (for cross-file errors).
    id_location: Location,
    kind_locations: BTreeMap<String, Location>,
}

/// Parse and validate one framework file on its own. Problems are pushed to `errors`; `None` when
/// the file could not be deserialized at all.
fn parse_framework(t: &FrameworkText, errors: &mut Vec<InputError>) -> Option<Parsed> {
    let file: cfg::FrameworkFile = match toml::from_str(&t.text) {
        Ok(f) => f,
        Err(e) => {
            errors.push(diags::toml_error(
                &e,
                &t.display_path,
                &t.text,
                0,
                Code::F001UnknownKey,
                Code::F000InvalidToml,
                Some("see docs/frameworks.md for the keys a framework file may have"),
            ));
            return None;
        }
    };
    let mut v = Validator { t, errors };
    let header = file.framework.get_ref();
    let id = header.id.get_ref().clone();
    v.check_id(&header.id, "framework id", false);
    let mut roles = Vec::new();
    for role in &header.roles {
        v.check_role(role);
        roles.push(role.get_ref().clone());
    }

    let mut dates = IndexMap::new();
    for (name, decl) in &file.dates {
        v.check_id(name, "date name", true);
        let d = decl.get_ref();
        dates.insert(
            name.get_ref().clone(),
            NamedDate {
                date: d.date.get_ref().0,
                cite: d.cite.clone(),
                note: d.note.clone(),
                interpretation: d.interpretation.clone(),
            },
        );
    }

    let mut evidence_kinds = IndexMap::new();
    let mut kind_locations = BTreeMap::new();
    for (name, decl) in &file.evidence_kinds {
        v.check_id(name, "evidence kind id", true);
        kind_locations.insert(name.get_ref().clone(), v.at(name.span()));
        let d = decl.get_ref();
        if let Some(c) = &d.computed {
            v.check_fact_path(c);
        }
        evidence_kinds.insert(
            name.get_ref().clone(),
            EvidenceKind {
                id: name.get_ref().clone(),
                description: d.description.clone(),
                computed: d.computed.as_ref().map(|c| c.get_ref().clone()),
                declared_by: id.clone(),
            },
        );
    }

    let mut kind_uses = Vec::new();
    let mut obligations: Vec<Obligation> = Vec::new();
    let mut ob_spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for decl in &file.obligations {
        let o = decl.get_ref();
        let ob_id = o.id.get_ref().clone();
        v.check_id(&o.id, "obligation id", false);
        if let Some(first) = ob_spans.get(&ob_id) {
            let (line, _) = crate::diag::line_col(&t.text, first.start);
            v.errors.push(
                Code::F002DuplicateObligationId
                    .error(
                        v.at(o.id.span()).with_field("obligations.id"),
                        format!("obligation id {ob_id:?} is already used on line {line}"),
                    )
                    .with_help("obligation ids are stable references (waivers, `satisfies`); give each a unique id"),
            );
        } else {
            ob_spans.insert(ob_id.clone(), o.id.span());
        }
        for role in &o.applies_to {
            v.check_role(role);
        }
        let (applies_from, applies_from_name) = match &o.applies_from {
            Some(af) => v.applies_from(af, &dates),
            None => (None, None),
        };
        let section = o.section.as_ref().and_then(|s| v.section(s));
        let when = o.when.iter().filter_map(|c| v.condition(c)).collect();
        let conditions = o.conditions.iter().filter_map(|c| v.condition(c)).collect();
        let mut evidence = Vec::new();
        for req in &o.evidence {
            let r = req.get_ref();
            if r.kinds.get_ref().is_empty() {
                v.errors.push(
                    Code::F014EmptyRequirement
                        .error(
                            v.at(r.kinds.span())
                                .with_field("obligations.evidence.kinds"),
                            "`kinds` lists no evidence kind",
                        )
                        .with_help(
                            "name at least one evidence kind that satisfies this requirement",
                        ),
                );
            }
            for k in r.kinds.get_ref() {
                kind_uses.push(KindUse {
                    kind: k.get_ref().clone(),
                    location: v.at(k.span()).with_field("obligations.evidence.kinds"),
                });
            }
            let span_of = |d: &Option<Spanned<u32>>| d.as_ref().map(|d| (*d.get_ref(), d.span()));
            let max_age = v.day_rule(
                span_of(&r.max_age_days),
                &r.relative_to,
                "max_age_days",
                "relative_to",
                Some(RefDate::AsOf),
            );
            let before = v.day_rule(
                span_of(&r.min_business_days_before),
                &r.before,
                "min_business_days_before",
                "before",
                None,
            );
            let keep_after = match (&r.keep_days_after, &r.keep_after) {
                (Some(days), Some(period)) => {
                    v.errors.push(
                        Code::F010IncompleteRule
                            .error(
                                v.at(period.span())
                                    .with_field("obligations.evidence.keep_after"),
                                "`keep_after` and `keep_days_after` are both given",
                            )
                            .with_help(format!(
                                "write one: keep_after = \"{} days\" or a number of months",
                                days.get_ref()
                            )),
                    );
                    None
                }
                (Some(days), None) => v
                    .day_rule(
                        span_of(&r.keep_days_after),
                        &r.after,
                        "keep_days_after",
                        "after",
                        None,
                    )
                    .map(|rule| PeriodRule {
                        period: Period::days(*days.get_ref()),
                        date: rule.date,
                    }),
                (None, Some(text)) => {
                    let period = v.period(text, "obligations.evidence.keep_after");
                    let rule = v.day_rule(
                        Some((0, text.span())),
                        &r.after,
                        "keep_after",
                        "after",
                        None,
                    );
                    period.zip(rule).map(|(period, rule)| PeriodRule {
                        period,
                        date: rule.date,
                    })
                }
                (None, None) => {
                    // Reports an `after` without a period.
                    v.day_rule(None, &r.after, "keep_after", "after", None);
                    None
                }
            };
            let not_after = r
                .not_after
                .as_ref()
                .and_then(|name| v.ref_date(name, "not_after"));
            evidence.push(Requirement {
                kinds: r
                    .kinds
                    .get_ref()
                    .iter()
                    .map(|k| k.get_ref().clone())
                    .collect(),
                max_age,
                min_business_days_before: before,
                keep_after,
                not_after,
            });
        }
        obligations.push(Obligation {
            id: ob_id,
            cite: o.cite.clone(),
            title: o.title.clone(),
            requirement: o.requirement.clone(),
            practice: o.practice.clone(),
            applies_to: o.applies_to.iter().map(|r| r.get_ref().clone()).collect(),
            applies_from,
            applies_from_name,
            section,
            when,
            evidence,
            conditions,
        });
    }

    let mut exemptions = Vec::new();
    for decl in &file.exemptions {
        let e = decl.get_ref();
        v.check_id(&e.id, "exemption id", false);
        let conditions = e.conditions.iter().filter_map(|c| v.condition(c)).collect();
        for ex in &e.except {
            if !obligations.iter().any(|o| &o.id == ex.get_ref()) {
                let err = Code::F017UnknownExemptObligation.error(
                    v.at(ex.span()).with_field("exemptions.except"),
                    format!(
                        "`except` names {:?}, which is no obligation of this framework",
                        ex.get_ref()
                    ),
                );
                v.errors.push(with_suggestion(
                    err,
                    ex.get_ref(),
                    obligations.iter().map(|o| o.id.as_str()),
                    || "list obligation ids of this file".to_string(),
                ));
            }
        }
        exemptions.push(Exemption {
            id: e.id.get_ref().clone(),
            cite: e.cite.clone(),
            message: e.message.clone(),
            conditions,
            except: e.except.iter().map(|x| x.get_ref().clone()).collect(),
        });
    }

    let framework = Framework {
        id,
        title: header.title.clone(),
        version: header.version.clone(),
        jurisdiction: header.jurisdiction.clone(),
        sources: header.sources.clone(),
        roles,
        dates,
        evidence_kinds,
        obligations,
        exemptions,
        source: Source {
            path: t.record_path.clone(),
            builtin: t.builtin,
            sha256: crate::hash::sha256_hex(t.text.as_bytes()),
            bytes: t.text.len() as u64,
        },
    };
    let id_location = Location::from_offset(&t.display_path, &t.text, header.id.span().start);
    Some(Parsed {
        framework,
        kind_uses,
        id_location,
        kind_locations,
    })
}

/// Per-file semantic checks, collecting errors with locations.
struct Validator<'a> {
    t: &'a FrameworkText,
    errors: &'a mut Vec<InputError>,
}

impl Validator<'_> {
    fn at(&self, span: Range<usize>) -> Location {
        Location::from_offset(&self.t.display_path, &self.t.text, span.start)
    }

    /// `snake`: `[a-z0-9_]` (kinds, date names); else `[a-z0-9-]` (framework and obligation ids).
    fn check_id(&mut self, id: &Spanned<String>, what: &str, snake: bool) {
        let valid = if snake {
            is_snake(id.get_ref())
        } else {
            is_slug(id.get_ref())
        };
        if !valid {
            let shape = if snake {
                "lowercase letters, digits and '_'"
            } else {
                "lowercase letters, digits and '-'"
            };
            self.errors.push(
                Code::F011InvalidId
                    .error(
                        self.at(id.span()),
                        format!("{what} {:?} is not valid", id.get_ref()),
                    )
                    .with_help(format!("use {shape}, starting with a letter or digit")),
            );
        }
    }

    fn check_role(&mut self, role: &Spanned<String>) {
        if !ROLES.contains(&role.get_ref().as_str()) {
            let err = Code::F008UnknownRole.error(
                self.at(role.span()),
                format!(
                    "unknown role {:?}; roles are {}",
                    role.get_ref(),
                    ROLES.join(", ")
                ),
            );
            self.errors.push(with_suggestion(
                err,
                role.get_ref(),
                ROLES.iter().copied(),
                || format!("use one of {}", ROLES.join(", ")),
            ));
        }
    }

    /// `section = "document/anchor"`, checked against the documents and their anchors.
    fn section(&mut self, section: &Spanned<String>) -> Option<Section> {
        match section.get_ref().parse::<Section>() {
            Ok(s) => Some(s),
            Err(msg) => {
                let err = Code::F015UnknownSection.error(
                    self.at(section.span()).with_field("obligations.section"),
                    msg,
                );
                let valid: Vec<String> = Section::all().map(|s| s.to_string()).collect();
                self.errors.push(with_suggestion(
                    err,
                    section.get_ref(),
                    valid.iter().map(String::as_str),
                    || {
                        "write `document/anchor` (docs/frameworks.md lists them), or \"compliance-matrix\" for the matrix only"
                            .to_string()
                    },
                ));
                None
            }
        }
    }

    fn check_fact_path(&mut self, fact: &Spanned<String>) -> bool {
        let path = fact.get_ref();
        let mut parts = path.split('.');
        let prefix = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        let prefix_ok = FACT_PREFIXES.contains(&prefix);
        if prefix_ok && !rest.is_empty() && rest.iter().all(|p| !p.is_empty()) {
            return true;
        }
        let err = Code::F007BadFactPath.error(
            self.at(fact.span()),
            format!(
                "fact path {path:?} must be `<prefix>.<key>[.<key>…]` with prefix one of {}",
                FACT_PREFIXES.join(", ")
            ),
        );
        let err = match (
            prefix_ok,
            diags::did_you_mean(prefix, FACT_PREFIXES.iter().copied()),
        ) {
            (false, Some(_)) => {
                let near =
                    crate::diag::suggest(prefix, FACT_PREFIXES.iter().copied()).unwrap_or(prefix);
                let fixed = std::iter::once(near)
                    .chain(rest.iter().copied())
                    .collect::<Vec<_>>()
                    .join(".");
                err.with_help(format!("did you mean {fixed:?}?"))
            }
            _ => err
                .with_help("e.g. facts.public_body, data.outcome, metrics.dimensions.sex.provided"),
        };
        self.errors.push(err);
        false
    }

    fn applies_from(
        &mut self,
        value: &Spanned<toml::Value>,
        dates: &IndexMap<String, NamedDate>,
    ) -> (Option<NaiveDate>, Option<String>) {
        let at = self.at(value.span()).with_field("obligations.applies_from");
        match value.get_ref() {
            toml::Value::String(s) if s.starts_with('@') => {
                let name = &s[1..];
                match dates.get(name) {
                    Some(d) => (Some(d.date), Some(name.to_string())),
                    None => {
                        let err = Code::F004BadAppliesFrom
                            .error(at, format!("applies_from {s:?} names no [dates] entry"));
                        self.errors.push(with_suggestion(err, name, dates.keys().map(String::as_str), || {
                            format!("declare it: [dates] {name} = {{ date = YYYY-MM-DD, cite = \"…\" }}")
                        }));
                        (None, None)
                    }
                }
            }
            other => match cfg::date_from_value(other) {
                Ok(d) => (Some(d), None),
                Err(msg) => {
                    self.errors.push(
                        Code::F004BadAppliesFrom
                            .error(at, format!("applies_from: {msg}"))
                            .with_help("write a date (applies_from = 2027-12-02) or the name of a [dates] entry (\"@annex_iii\")"),
                    );
                    (None, None)
                }
            },
        }
    }

    /// A period such as "6 months".
    fn period(&mut self, text: &Spanned<String>, field: &str) -> Option<Period> {
        match text.get_ref().parse::<Period>() {
            Ok(p) => Some(p),
            Err(msg) => {
                self.errors.push(
                    Code::F016BadPeriod
                        .error(self.at(text.span()).with_field(field.to_string()), msg)
                        .with_help("a number and a unit: days, months (calendar months) or years"),
                );
                None
            }
        }
    }

    /// A named reference date (`planned_use_date`, …).
    fn ref_date(&mut self, name: &Spanned<String>, key: &str) -> Option<RefDate> {
        let names = || RefDate::ALL.iter().map(|r| r.as_str());
        if let Some(r) = RefDate::parse(name.get_ref()) {
            return Some(r);
        }
        let err = Code::F009UnknownReferenceDate.error(
            self.at(name.span())
                .with_field(format!("obligations.evidence.{key}")),
            format!(
                "{key} = {:?} is not a known date; dates are {}",
                name.get_ref(),
                names().collect::<Vec<_>>().join(", ")
            ),
        );
        self.errors
            .push(with_suggestion(err, name.get_ref(), names(), || {
                "the named dates are those of [audit] in fairfile.toml, plus as_of".to_string()
            }));
        None
    }

    fn day_rule(
        &mut self,
        days: Option<(u32, Range<usize>)>,
        date: &Option<Spanned<String>>,
        days_key: &str,
        date_key: &str,
        default: Option<RefDate>,
    ) -> Option<DayRule> {
        let names = || RefDate::ALL.iter().map(|r| r.as_str());
        let resolved = match date {
            Some(name) => match RefDate::parse(name.get_ref()) {
                Some(r) => Some(r),
                None => {
                    let err = Code::F009UnknownReferenceDate.error(
                        self.at(name.span())
                            .with_field(format!("obligations.evidence.{date_key}")),
                        format!(
                            "{date_key} = {:?} is not a known date; dates are {}",
                            name.get_ref(),
                            names().collect::<Vec<_>>().join(", ")
                        ),
                    );
                    self.errors
                        .push(with_suggestion(err, name.get_ref(), names(), || {
                            "the named dates are those of [audit] in fairfile.toml, plus as_of"
                                .to_string()
                        }));
                    return None;
                }
            },
            None => default,
        };
        match (days, date, resolved) {
            (Some((d, _)), _, Some(r)) => Some(DayRule { days: d, date: r }),
            (Some((_, span)), None, None) => {
                self.errors.push(
                    Code::F010IncompleteRule
                        .error(self.at(span), format!("`{days_key}` needs `{date_key}`"))
                        .with_help(format!("name the date the rule counts from, e.g. {date_key} = \"planned_use_date\"")),
                );
                None
            }
            (None, Some(name), _) => {
                self.errors.push(
                    Code::F010IncompleteRule
                        .error(
                            self.at(name.span()),
                            format!("`{date_key}` without `{days_key}`"),
                        )
                        .with_help(format!("add `{days_key} = N`, or remove `{date_key}`")),
                );
                None
            }
            _ => None,
        }
    }

    fn condition(&mut self, decl: &Spanned<cfg::ConditionDecl>) -> Option<Condition> {
        let c = decl.get_ref();
        let at = self.at(decl.span());
        let path_ok = self.check_fact_path(&c.fact);
        let ops: Vec<(&str, &toml::Value)> = [
            ("equals", &c.equals),
            ("not_equals", &c.not_equals),
            ("at_least", &c.at_least),
            ("at_most", &c.at_most),
            ("one_of", &c.one_of),
            ("contains", &c.contains),
            ("exists", &c.exists),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (name, v)))
        .collect();
        let malformed = |msg: String| {
            Code::F006MalformedCondition
                .error(at.clone(), msg)
                .with_help("write { fact = \"…\", <op> = <value> } with one op among equals, not_equals, at_least, at_most, one_of, contains, exists")
        };
        if ops.len() != 1 {
            let names: Vec<&str> = ops.iter().map(|(n, _)| *n).collect();
            self.errors.push(malformed(if names.is_empty() {
                format!("condition on {:?} has no operator", c.fact.get_ref())
            } else {
                format!(
                    "condition on {:?} has {} operators ({}); it needs exactly one",
                    c.fact.get_ref(),
                    names.len(),
                    names.join(", ")
                )
            }));
            return None;
        }
        let (name, value) = ops[0];
        let op = match name {
            "equals" => ConditionOp::Equals(toml_to_json(value)),
            "not_equals" => ConditionOp::NotEquals(toml_to_json(value)),
            "contains" => ConditionOp::Contains(toml_to_json(value)),
            "at_least" | "at_most" => {
                let ok = value.is_integer()
                    || value.is_float()
                    || cfg::date_from_value(value).is_ok()
                    || value.as_str().is_some_and(|s| s.parse::<Period>().is_ok());
                if !ok {
                    self.errors.push(malformed(format!(
                        "`{name}` needs a number, a date or a period (\"6 months\"), found {}",
                        value.type_str()
                    )));
                    return None;
                }
                if name == "at_least" {
                    ConditionOp::AtLeast(toml_to_json(value))
                } else {
                    ConditionOp::AtMost(toml_to_json(value))
                }
            }
            "one_of" => match value {
                toml::Value::Array(items) if !items.is_empty() => {
                    ConditionOp::OneOf(items.iter().map(toml_to_json).collect())
                }
                _ => {
                    self.errors.push(malformed(format!(
                        "`one_of` needs a non-empty array, found {}",
                        value.type_str()
                    )));
                    return None;
                }
            },
            _ => match value {
                toml::Value::Boolean(b) => ConditionOp::Exists(*b),
                _ => {
                    self.errors.push(malformed(format!(
                        "`exists` needs true or false, found {}",
                        value.type_str()
                    )));
                    return None;
                }
            },
        };
        path_ok.then(|| Condition {
            fact: c.fact.get_ref().clone(),
            op,
            message: c.message.clone(),
        })
    }
}

/// `[a-z0-9][a-z0-9-]*`
fn is_slug(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `[a-z0-9][a-z0-9_]*`
fn is_snake(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A TOML value as JSON, so conditions compare against the facts document. Local dates become
/// `YYYY-MM-DD` strings, the form dates take in the facts document.
pub fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(dt) => match cfg::date_from_value(value) {
            Ok(d) => J::String(d.format("%Y-%m-%d").to_string()),
            Err(_) => J::String(dt.to_string()),
        },
        toml::Value::Array(items) => J::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests;
