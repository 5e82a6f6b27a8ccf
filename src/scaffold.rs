//! `fairfile init`: the files of a new audit folder, computed from the shipped frameworks. Pure:
//! it returns paths and contents and writes nothing (the CLI writes them, refusing to overwrite).
//!
//! What it writes: a commented `fairfile.toml` whose unknown values hold the config
//! [`PLACEHOLDER`] (never accepted by the loader), one Markdown template per evidence kind the
//! applicable obligations need (front matter with `draft = true`, which `check` does not count),
//! `data/README.md` with the expected columns, and a `.gitignore` for `dist/`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::config::{EEO1_RACE, EEO1_SEX, Outcome, PLACEHOLDER, UNKNOWN};
use crate::diag::{Error, InputError, Location, Result};
use crate::frameworks::{Framework, FrameworkSet, Obligation};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Shipped framework ids, in order (e.g. `nyc-ll144`, `eu-ai-act`).
    pub frameworks: Vec<String>,
    /// The organisation's roles; empty means each framework's usual role for a company using a
    /// hiring tool ([`default_roles`]).
    pub roles: Vec<String>,
    pub outcome: Outcome,
    /// The date written into the templates' front matter (the user sets the real one).
    pub today: NaiveDate,
}

/// One file to write, relative to the audit folder (`/` separators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub contents: String,
}

/// Schema id of `fairfile init --format json`.
pub const INIT_SCHEMA: &str = "fairfile.init/1";

/// `fairfile init --format json`: the files written, and what to run next.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct InitReport {
    /// `fairfile.init/1`.
    pub schema: String,
    /// The audit folder, as given.
    pub dir: String,
    pub frameworks: Vec<String>,
    pub roles: Vec<String>,
    /// Every file written, relative to `dir`, with its SHA-256.
    pub files: Vec<InitFile>,
    /// The steps that come next, in order.
    pub next: Vec<String>,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct InitFile {
    pub path: String,
    pub sha256: String,
    /// A Markdown evidence template (`draft = true` until written).
    pub evidence_template: bool,
}

/// An employer using a hiring tool: LL144 `employer`, AI Act `deployer`.
pub fn default_roles(frameworks: &[String]) -> Vec<String> {
    frameworks
        .iter()
        .filter_map(|f| match f.as_str() {
            "nyc-ll144" => Some("employer".to_string()),
            "eu-ai-act" => Some("deployer".to_string()),
            _ => None,
        })
        .collect()
}

/// The files of a new audit folder, in a stable order.
pub fn scaffold(options: &Options, shipped: &FrameworkSet) -> Result<Vec<File>> {
    let mut frameworks: Vec<&Framework> = Vec::new();
    for id in &options.frameworks {
        let fw = shipped.get(id).ok_or_else(|| {
            let known: Vec<&str> = shipped.frameworks().iter().map(|f| f.id.as_str()).collect();
            Error::from(InputError::new(
                Location::file("--framework"),
                format!("unknown framework {id:?}; known: {}", known.join(", ")),
            ))
        })?;
        if !frameworks.iter().any(|f| f.id == fw.id) {
            frameworks.push(fw);
        }
    }
    if frameworks.is_empty() {
        return Err(InputError::new(
            Location::file("--framework"),
            "choose at least one framework (nyc-ll144, eu-ai-act)",
        )
        .into());
    }
    let ids: Vec<String> = frameworks.iter().map(|f| f.id.clone()).collect();
    let roles = if options.roles.is_empty() {
        default_roles(&ids)
    } else {
        let mut roles = Vec::new();
        for r in &options.roles {
            if !frameworks.iter().any(|f| f.roles.contains(r)) {
                return Err(InputError::new(
                    Location::file("--role"),
                    format!(
                        "role {r:?} is not a role of {} (roles: {})",
                        ids.join(", "),
                        frameworks
                            .iter()
                            .flat_map(|f| f.roles.iter().map(String::as_str))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .into());
            }
            if !roles.contains(r) {
                roles.push(r.clone());
            }
        }
        roles
    };

    let applicable: Vec<(&Framework, &Obligation)> = frameworks
        .iter()
        .flat_map(|f| f.obligations.iter().map(move |o| (*f, o)))
        .filter(|(_, o)| o.applies_to.is_empty() || o.applies_to.iter().any(|r| roles.contains(r)))
        .collect();

    let mut files = vec![
        File {
            path: "fairfile.toml".into(),
            contents: config(&ids, &roles, options.outcome, &applicable),
        },
        File {
            path: ".gitignore".into(),
            contents: "# Built by `fairfile build`; sealed copies are what you publish or archive.\ndist/\n".into(),
        },
        File {
            path: "data/README.md".into(),
            contents: data_readme(options.outcome),
        },
    ];
    for (kind, serves) in kinds_needed(shipped, &applicable) {
        files.push(File {
            path: format!("evidence/{}.md", kind.replace('_', "-")),
            contents: template(shipped, &kind, &serves, options.today),
        });
    }
    Ok(files)
}

/// Evidence kinds a document must provide, each with the obligations (`framework/id`, cite,
/// title) it serves. A requirement that a computed kind can meet needs no document; of
/// alternatives (`kinds = ["a", "b"]`), the first is templated unless another is already needed.
fn kinds_needed<'a>(
    set: &FrameworkSet,
    applicable: &[(&'a Framework, &'a Obligation)],
) -> BTreeMap<String, Vec<(&'a Framework, &'a Obligation)>> {
    let mut needed: BTreeMap<String, Vec<(&Framework, &Obligation)>> = BTreeMap::new();
    let computed = |k: &str| set.kind(k).is_some_and(|k| k.computed.is_some());
    let mut alternatives = Vec::new();
    for &(fw, ob) in applicable {
        for req in &ob.evidence {
            if req.kinds.iter().any(|k| computed(k)) {
                continue;
            }
            match req.kinds.as_slice() {
                [kind] => needed.entry(kind.clone()).or_default().push((fw, ob)),
                _ => alternatives.push((req.kinds.clone(), fw, ob)),
            }
        }
    }
    for (kinds, fw, ob) in alternatives {
        let kind = kinds
            .iter()
            .find(|k| needed.contains_key(*k))
            .unwrap_or(&kinds[0])
            .clone();
        let serves = needed.entry(kind).or_default();
        if !serves.iter().any(|(f, o)| f.id == fw.id && o.id == ob.id) {
            serves.push((fw, ob));
        }
    }
    for serves in needed.values_mut() {
        serves.dedup_by(|a, b| a.0.id == b.0.id && a.1.id == b.1.id);
    }
    needed
}

/// "affected_person_notice" → "Affected person notice"; "dpia" → "DPIA".
fn title_of(kind: &str) -> String {
    let words: Vec<String> = kind
        .split('_')
        .enumerate()
        .map(|(i, w)| match w {
            "ai" | "aedt" | "dpia" | "fria" | "eu" | "msa" | "ce" | "capa" | "sop" | "qms" => {
                w.to_uppercase()
            }
            "db" => "database".to_string(),
            "mgmt" => "management".to_string(),
            "comms" => "communications".to_string(),
            _ if i == 0 => {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
            _ => w.to_string(),
        })
        .collect();
    words.join(" ")
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn fill(what: &str) -> String {
    quoted(&format!("{PLACEHOLDER}: {what}"))
}

fn template(
    set: &FrameworkSet,
    kind: &str,
    serves: &[(&Framework, &Obligation)],
    today: NaiveDate,
) -> String {
    let title = title_of(kind);
    let description = set.kind(kind).map_or("", |k| k.description.as_str());
    let mut t = String::new();
    let _ = writeln!(t, "+++");
    let _ = writeln!(t, "kind = [{}]", quoted(kind));
    let _ = writeln!(t, "title = {}", quoted(&title));
    let _ = writeln!(
        t,
        "# The day this document takes effect: set the real one when you fill it in."
    );
    let _ = writeln!(t, "date = {today}");
    let _ = writeln!(t, "# owner = \"who is accountable for it\"");
    let _ = writeln!(
        t,
        "# review_by = YYYY-MM-DD   # optional: stale after this day until reviewed"
    );
    let _ = writeln!(
        t,
        "# attachments = [\"signed-copy.pdf\"]   # optional: files beside this one it relies on"
    );
    let _ = writeln!(
        t,
        "# Remove the next line once the document is written: until then `fairfile check` does not count it."
    );
    let _ = writeln!(t, "draft = true");
    let _ = writeln!(t, "+++\n");
    let _ = writeln!(t, "# {title}\n");
    let _ = writeln!(
        t,
        "<!-- Template written by `fairfile init`. Replace the guidance below with the organisation's own\n     text, keep the headings a regulator will look for, then delete `draft = true` above. -->\n"
    );
    let _ = writeln!(
        t,
        "<!-- If `fairfile check` reports every obligation below as not applicable, delete this file. -->\n"
    );
    let _ = writeln!(t, "## What a regulator expects in this document\n");
    let _ = writeln!(t, "{description}\n");
    let _ = writeln!(t, "## Obligations it serves\n");
    for (fw, ob) in serves {
        let _ = writeln!(t, "### {}/{}: {} ({})\n", fw.id, ob.id, ob.title, ob.cite);
        let _ = writeln!(t, "{}\n", ob.requirement.trim());
        if let Some(practice) = &ob.practice {
            let _ = writeln!(t, "Good practice: {}\n", practice.trim());
        }
        let _ = writeln!(t, "How this document meets it: …\n");
    }
    let _ = writeln!(t, "## Sign-off\n");
    let _ = writeln!(t, "Prepared by: …  \nApproved by: …  \nDate: …");
    t
}

fn data_readme(outcome: Outcome) -> String {
    let (decision, rule) = match outcome {
        Outcome::Selection => (
            "| `selected` | the tool's decision: whether the applicant was selected to move forward (values in `[data.values] selected`, default `1`, `true`, `yes`) | 6 RCNY §5-301(b) selection rate |",
            "selection rates and impact ratios (6 RCNY §5-301(b))",
        ),
        Outcome::Scoring => (
            "| `score` | the tool's score (a number); the rate is the share scoring above the sample's median | 6 RCNY §5-301(c) scoring rate |",
            "scoring rates and impact ratios (6 RCNY §5-301(c))",
        ),
    };
    format!(
        "# Data for this audit\n\n\
Put the applicant data here as `data/applicants.csv` (the `[data] path` of `fairfile.toml`; Parquet\n\
or Excel work too, chosen by extension), one row per applicant the tool assessed in the audit\n\
period, with a header row. fairfile computes {rule} from it.\n\n\
| column | meaning | rule |\n|---|---|---|\n\
| `sex` | the applicant's self-identified sex, mapped to the EEO-1 categories in `[data.categories.sex]` | 6 RCNY §5-301(b)(1)(ii) |\n\
| `race` | self-identified race/ethnicity, mapped to the EEO-1 categories in `[data.categories.race]` | 6 RCNY §5-301(b)(1)(i) |\n\
{decision}\n\
| `label` (optional) | ground truth (e.g. later hired), for error-rate fairness metrics; add `label = \"...\"` to `[data.columns]` | EU AI Act Art 10(2)(f)-(g) bias examination |\n\
| `requisition` (optional) | the requisition (or period, location) each application belongs to, for the comparison within each one; add `stratum = \"...\"` to `[data.columns]` | context (Cochran-Mantel-Haenszel across selection events) |\n\n\
Column names are set in `[data.columns]`; rename them there if your export uses other headers.\n\
Every raw value of `sex` and `race` must be mapped in `[data.categories.*]` (list the raw spellings\n\
under their EEO-1 category, and the values meaning \"not given\" under `unknown`): an unmapped value\n\
is an error, never silently dropped. Unknowns are counted and reported, not inferred\n\
(6 RCNY §5-301(b)(5)).\n\n\
Instead of rows you may give pre-aggregated counts (`[data] counts = \"data/counts.csv\"` with\n\
`sex,race,n,selected`), e.g. from `fairfile sql` run in your warehouse. See docs/inputs.md.\n\n\
Applicant data is personal data: keep it out of public repositories.\n"
    )
}

/// The facts (`facts.*` paths) read by the applicable obligations, each with the obligations
/// that read it, in first-use order.
fn facts_read<'a>(applicable: &[(&'a Framework, &'a Obligation)]) -> Vec<(String, Vec<String>)> {
    let mut facts: Vec<(String, Vec<String>)> = Vec::new();
    for (fw, ob) in applicable {
        for c in ob.when.iter().chain(&ob.conditions) {
            let Some(fact) = c.fact.strip_prefix("facts.") else {
                continue;
            };
            let who = format!("{}/{} ({})", fw.id, ob.id, ob.cite);
            match facts.iter_mut().find(|(f, _)| f == fact) {
                Some((_, readers)) if !readers.contains(&who) => readers.push(who),
                Some(_) => {}
                None => facts.push((fact.to_string(), vec![who])),
            }
        }
    }
    facts
}

fn config(
    frameworks: &[String],
    roles: &[String],
    outcome: Outcome,
    applicable: &[(&Framework, &Obligation)],
) -> String {
    let ll144 = frameworks.iter().any(|f| f == "nyc-ll144");
    let mut t = String::new();
    let list = |v: &[String]| {
        format!(
            "[{}]",
            v.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", ")
        )
    };
    let _ = write!(
        t,
        "# The audit project, written by `fairfile init` (every key: docs/config.md).\n\
# Every value starting with \"{PLACEHOLDER}\" must be replaced: until then `fairfile check` stops and\n\
# names each key still to fill in. Dates are TOML dates (2026-11-20), not strings.\n\n\
[audit]\n\
# A slug ([a-z0-9._-]) used in the names of the built documents.\n\
id = {}\n\
# Title, organisation and the tool audited (the AEDT / AI system), printed on every document.\n\
title = {}\n\
organization = {}\n\
system = {}\n\
# Date of the bias audit (6 RCNY §5-303(a)(1)); `check` evaluates as of it by default.\n\
audit_date = {}\n",
        fill("a slug such as acme-screening-2026"),
        fill("e.g. Bias audit of <tool> <year>"),
        fill("the organisation's legal name"),
        fill("the tool's name and version"),
        fill("date of the bias audit, e.g. 2026-11-20 (without quotes)"),
    );
    if ll144 {
        let _ = write!(
            t,
            "# LL144 \"distribution date\": the day you began using the tool (6 RCNY §5-300); printed in the\n\
# published summary (§5-303(a)).\n\
distribution_date = {}\n\
# The next use this audit covers: the audit must be less than a year old at use (§5-301(a)), and\n\
# the summary posted and candidates notified 10 business days before it (Admin. Code §20-871(b)).\n\
planned_use_date = {}\n\
# last_use_date = YYYY-MM-DD   # once use has ended: the summary stays posted 6 months after (§5-303(c))\n",
            fill("date you began using the tool (without quotes)"),
            fill("date of the next use (without quotes)"),
        );
    }
    let _ = write!(
        t,
        "# Frameworks checked (`fairfile frameworks list`).\n\
frameworks = {}\n\
# Your roles, which decide the obligations that apply: employer, employment_agency (LL144);\n\
# provider, deployer (EU AI Act Art 3(3)-(4); Art 25 can make a deployer a provider).\n\
roles = {}\n\
# Public holidays that business-day rules skip (besides weekends), e.g. [2026-11-26, 2026-12-25].\n\
holidays = []\n\n\
[audit.facts]\n\
# Facts that decide whether an obligation applies. fairfile never guesses them: while one is not\n\
# declared, `check` marks the obligations reading it undecided and names the fact. Uncomment each\n\
# line and give its value (true/false, a number, a word or a date; docs/config.md lists them).\n",
        list(frameworks),
        list(roles),
    );
    for (fact, readers) in facts_read(applicable) {
        let _ = writeln!(t, "# {fact} = ?   # read by {}", readers.join(", "));
    }
    let _ = write!(
        t,
        "\n[auditor]\n\
# The auditor's name; `independent` answers the independence test of 6 RCNY §5-300 (no involvement\n\
# in using, developing or distributing the tool; no employment or financial interest).\n\
name = {}\n\
organization = {}\n\
independent = {}\n",
        fill("the auditor's name"),
        fill("the audit firm"),
        fill("true or false (without quotes)"),
    );
    if ll144 {
        let _ = writeln!(
            t,
            "independence_statement = {}",
            fill("the auditor's statement against each §5-300 disqualifier")
        );
    }
    let _ = writeln!(t, "# contact = \"audits@example.com\"");
    let (outcome_name, column) = match outcome {
        Outcome::Selection => ("selection", "selected = \"selected\""),
        Outcome::Scoring => ("scoring", "score = \"score\""),
    };
    let _ = write!(
        t,
        "\n[data]\n\
# The applicant data, one row per applicant (data/README.md lists the columns).\n\
path = \"data/applicants.csv\"\n\
# historical (the employer's own use) or test data (6 RCNY §5-302); test data needs `explanation`.\n\
kind = {}\n\
# Source and explanation of the data, printed in the LL144 summary (§5-303(a)(1)).\n\
description = {}\n\
# selection: selected or not (§5-301(b)); scoring: a score, rate = share above median (§5-301(c)).\n\
outcome = \"{outcome_name}\"\n\n\
[data.columns]\n\
# Header names in the data file.\n\
sex = \"sex\"\n\
race = \"race\"\n\
{column}\n\
# label = \"hired\"   # optional ground truth: adds the error-rate fairness metrics\n\
# stratum = \"requisition\"   # optional (selection mode): compare within each requisition (Mantel-Haenszel)\n\n\
# [data.values]\n\
# selected = [\"1\", \"true\", \"yes\"]   # raw values counted as selected (the default)\n\n\
# EEO-1 Component 1 categories (6 RCNY §5-301(b)(1)): canonical name = the raw values meaning it.\n\
# Add every spelling your export uses; `unknown` lists values meaning \"not given\" (counted and\n\
# reported, excluded from rates, §5-301(b)(5)). An unmapped value is an error.\n\
[data.categories.sex]\n",
        fill("historical or test"),
        fill("where the data comes from, which period, how categories were collected"),
    );
    for c in EEO1_SEX {
        let _ = writeln!(t, "{} = [{}]", quoted(c), quoted(c));
    }
    let _ = writeln!(t, "{UNKNOWN} = [\"\"]\n\n[data.categories.race]");
    for c in EEO1_RACE {
        let _ = writeln!(t, "{} = [{}]", quoted(c), quoted(c));
    }
    let _ = write!(
        t,
        "{UNKNOWN} = [\"\"]\n\n\
# An approved decision not to provide one piece of evidence yet (shown as \"waived\"):\n\
# [[waivers]]\n\
# obligation = \"framework/obligation-id\"\n\
# justification = \"why\"\n\
# approved_by = \"who\"\n\
# until = 2027-06-30\n"
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(frameworks: &[&str], roles: &[&str]) -> Options {
        Options {
            frameworks: frameworks.iter().map(|s| s.to_string()).collect(),
            roles: roles.iter().map(|s| s.to_string()).collect(),
            outcome: Outcome::Selection,
            today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        }
    }

    fn paths(files: &[File]) -> Vec<&str> {
        files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn ll144_employer_templates_its_documents_but_not_computed_kinds() {
        let set = FrameworkSet::shipped().unwrap();
        let files = scaffold(&opts(&["nyc-ll144"], &[]), &set).unwrap();
        let p = paths(&files);
        assert!(p.contains(&"evidence/independent-bias-audit.md"), "{p:?}");
        assert!(p.contains(&"evidence/affected-person-notice.md"), "{p:?}");
        for f in &files {
            if let Some(kind) = f.path.strip_prefix("evidence/") {
                let kind = kind.trim_end_matches(".md").replace('-', "_");
                assert!(set.kind(&kind).unwrap().computed.is_none(), "{kind}");
                assert!(f.contents.contains("\ndraft = true\n"));
                assert!(f.contents.contains("nyc-ll144/"));
            }
        }
        let config = &files[0].contents;
        assert!(config.contains("roles = [\"employer\"]"));
        assert!(config.contains("\"Black or African American\" = [\"Black or African American\"]"));
    }

    #[test]
    fn more_roles_need_more_documents_and_unknown_input_is_refused() {
        let set = FrameworkSet::shipped().unwrap();
        let deployer = scaffold(&opts(&["eu-ai-act"], &["deployer"]), &set).unwrap();
        let both = scaffold(&opts(&["eu-ai-act"], &["deployer", "provider"]), &set).unwrap();
        assert!(both.len() > deployer.len());
        assert!(scaffold(&opts(&["nyc-ll144"], &["provider"]), &set).is_err());
        assert!(scaffold(&opts(&["nope"], &[]), &set).is_err());
    }

    #[test]
    fn titles_spell_acronyms() {
        assert_eq!(title_of("dpia"), "DPIA");
        assert_eq!(title_of("affected_person_notice"), "Affected person notice");
        assert_eq!(title_of("eu_db_registration"), "EU database registration");
    }

    #[test]
    fn output_is_deterministic() {
        let set = FrameworkSet::shipped().unwrap();
        let o = opts(&["nyc-ll144", "eu-ai-act"], &["employer", "deployer"]);
        assert_eq!(scaffold(&o, &set).unwrap(), scaffold(&o, &set).unwrap());
    }
}
