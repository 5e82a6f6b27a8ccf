//! `fairfile frameworks list|show`: browse the regulation mappings, their obligations and evidence kinds.

use std::fmt::Write as _;
use std::path::Path;

use super::Outcome;
use super::args::{Format, FrameworksArgs, FrameworksCommand};
use crate::config::Audit;
use crate::diag::{InputError, Location, Result};
use crate::frameworks::diags::with_suggestion;
use crate::frameworks::{
    Condition, DayRule, FRAMEWORKS_SCHEMA, Framework, FrameworkList, FrameworkSet,
    FrameworkSummary, Requirement,
};

pub fn run(args: FrameworksArgs) -> Result<Outcome> {
    match args.command {
        FrameworksCommand::List { audit, format } => {
            let (frameworks, in_use) = available(audit.as_deref())?;
            match format {
                Format::Table => super::print_text(&list(&frameworks, &in_use))?,
                Format::Json => super::print_json(&FrameworkList {
                    schema: FRAMEWORKS_SCHEMA.to_string(),
                    frameworks: frameworks
                        .iter()
                        .map(|fw| FrameworkSummary::of(fw, in_use.contains(&fw.id)))
                        .collect(),
                })?,
            }
        }
        FrameworksCommand::Show { id, audit, format } => {
            let (frameworks, _) = available(audit.as_deref())?;
            let Some(fw) = frameworks.iter().find(|f| f.id == id) else {
                let err = InputError::new(
                    Location::file("<command line>").with_field("ID"),
                    format!("unknown framework {id:?}; known: {}", ids(&frameworks)),
                );
                let err = with_suggestion(
                    err,
                    &id,
                    frameworks.iter().map(|f| f.id.as_str()),
                    || {
                        "`fairfile frameworks list` shows the ids (add --audit DIR for an audit's own files)".to_string()
                    },
                );
                return Err(err.into());
            };
            match format {
                Format::Json => super::print_json(fw)?,
                Format::Table => super::print_text(&show(fw))?,
            }
        }
    }
    Ok(Outcome::Success)
}

fn ids(frameworks: &[Framework]) -> String {
    frameworks
        .iter()
        .map(|f| f.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The shipped frameworks, plus (with an audit) the audit's own framework files; and the ids the
/// audit uses.
fn available(audit: Option<&Path>) -> Result<(Vec<Framework>, Vec<String>)> {
    let mut frameworks = FrameworkSet::shipped()?.frameworks().to_vec();
    let mut in_use = Vec::new();
    if let Some(dir) = audit {
        let audit = Audit::load(dir)?;
        let set = FrameworkSet::load(&audit)?;
        for fw in set.frameworks() {
            in_use.push(fw.id.clone());
            if !frameworks.iter().any(|f| f.id == fw.id) {
                frameworks.push(fw.clone());
            }
        }
    }
    Ok((frameworks, in_use))
}

fn list(frameworks: &[Framework], in_use: &[String]) -> String {
    let id_w = frameworks
        .iter()
        .map(|f| f.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let mut out = String::new();
    for fw in frameworks {
        let mut notes = vec![
            format!("version {}", fw.version),
            format!("{} obligations", fw.obligations.len()),
            format!("{} evidence kinds", fw.evidence_kinds.len()),
            if fw.source.builtin {
                "shipped".to_string()
            } else {
                fw.source.path.clone()
            },
        ];
        if in_use.contains(&fw.id) {
            notes.push("used by this audit".into());
        }
        let _ = writeln!(out, "{:id_w$}  {}", fw.id, fw.title);
        let _ = writeln!(out, "{:id_w$}  ({})", "", notes.join("; "));
    }
    out
}

fn rule(r: &Option<DayRule>, shape: &str) -> Option<String> {
    r.map(|r| {
        shape
            .replace("{n}", &r.days.to_string())
            .replace("{date}", r.date.as_str())
    })
}

fn requirement(req: &Requirement) -> String {
    let mut parts = vec![if req.kinds.len() == 1 {
        req.kinds[0].clone()
    } else {
        format!("one of {}", req.kinds.join(", "))
    }];
    parts.extend(rule(&req.max_age, "dated at most {n} days before {date}"));
    parts.extend(rule(
        &req.min_business_days_before,
        "dated at least {n} business days before {date}",
    ));
    parts.extend(
        req.keep_after
            .map(|r| format!("valid until {} after {}", r.period, r.date.as_str())),
    );
    parts.extend(
        req.not_after
            .map(|d| format!("dated on or before {}", d.as_str())),
    );
    parts.join("; ")
}

fn conditions(list: &[Condition]) -> String {
    list.iter()
        .map(|c| match &c.message {
            Some(m) => format!("{c} ({m})"),
            None => c.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A framework for reading: header, named dates, evidence kinds, obligations.
fn show(fw: &Framework) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", fw.id, fw.title);
    let _ = writeln!(out, "version: {}", fw.version);
    if let Some(j) = &fw.jurisdiction {
        let _ = writeln!(out, "jurisdiction: {j}");
    }
    if !fw.roles.is_empty() {
        let _ = writeln!(out, "roles: {}", fw.roles.join(", "));
    }
    let _ = writeln!(
        out,
        "source: {} (sha256 {})",
        fw.source.path, fw.source.sha256
    );
    for s in &fw.sources {
        let _ = writeln!(out, "  primary source: {s}");
    }
    if !fw.dates.is_empty() {
        let _ = writeln!(out, "\nDates:");
        for (name, d) in &fw.dates {
            let cite = d
                .cite
                .as_ref()
                .map(|c| format!("  [{c}]"))
                .unwrap_or_default();
            let note = d
                .note
                .as_ref()
                .map(|n| format!("  {n}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  @{name}  {}{cite}{note}", d.date);
            if let Some(caveat) = &d.interpretation {
                let _ = writeln!(out, "      an interpretation: {caveat}");
            }
        }
    }
    if !fw.exemptions.is_empty() {
        let _ = writeln!(out, "\nExemptions:");
        for ex in &fw.exemptions {
            let _ = writeln!(out, "  {}  [{}]", ex.id, ex.cite);
            let _ = writeln!(out, "    when: {}", conditions(&ex.conditions));
            let _ = writeln!(out, "    then not applicable: {}", ex.message);
            if !ex.except.is_empty() {
                let _ = writeln!(out, "    except: {}", ex.except.join(", "));
            }
        }
    }
    let _ = writeln!(out, "\nEvidence kinds ({}):", fw.evidence_kinds.len());
    let kind_w = fw.evidence_kinds.keys().map(String::len).max().unwrap_or(0);
    for (id, kind) in &fw.evidence_kinds {
        let computed = kind
            .computed
            .as_ref()
            .map(|c| format!("  [computed: {c}]"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {id:kind_w$}  {}{computed}", kind.description);
    }
    let _ = writeln!(out, "\nObligations ({}):", fw.obligations.len());
    for ob in &fw.obligations {
        let _ = writeln!(out, "\n  {}  {}", ob.id, ob.title);
        let _ = writeln!(out, "    cite: {}", ob.cite);
        let roles = if ob.applies_to.is_empty() {
            "every role".to_string()
        } else {
            ob.applies_to.join(", ")
        };
        let _ = writeln!(out, "    applies to: {roles}");
        if let Some(from) = ob.applies_from {
            let named = ob
                .applies_from_name
                .as_ref()
                .map(|n| format!(" (@{n})"))
                .unwrap_or_default();
            let _ = writeln!(out, "    applies from: {from}{named}");
        }
        if !ob.when.is_empty() {
            let _ = writeln!(out, "    only when: {}", conditions(&ob.when));
        }
        let _ = writeln!(out, "    requirement: {}", ob.requirement);
        if let Some(practice) = &ob.practice {
            let _ = writeln!(out, "    good practice (not the law's words): {practice}");
        }
        for req in &ob.evidence {
            let _ = writeln!(out, "    evidence: {}", requirement(req));
        }
        if !ob.conditions.is_empty() {
            let _ = writeln!(out, "    must hold: {}", conditions(&ob.conditions));
        }
        if let Some(section) = &ob.section {
            let _ = writeln!(out, "    presented in: {section}");
        }
    }
    out
}
