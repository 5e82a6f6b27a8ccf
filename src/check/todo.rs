//! What is still to do in a folder that cannot be checked yet because `fairfile.toml` still holds
//! placeholders (a fresh `fairfile init`): the obligations of the declared frameworks that bind the
//! declared roles, and for each evidence requirement the template to fill in, or that nothing is
//! there yet. The check proper (dates, conditions, computed results) runs once the config is
//! complete; this list only answers "what do I write next?".

use serde::{Deserialize, Serialize};

use crate::config::Audit;
use crate::evidence::EvidenceSet;
use crate::frameworks::FrameworkSet;

/// One obligation still to be evidenced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoItem {
    /// `framework/obligation`.
    pub obligation: String,
    pub cite: String,
    pub title: String,
    /// Each evidence requirement not yet covered by a finished document.
    pub needs: Vec<Need>,
    /// It applies only when facts hold (`when`): it may drop out once `[audit.facts]` is filled in.
    pub depends_on_facts: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// Any one of these kinds meets the requirement.
    pub kinds: Vec<String>,
    /// Templates (`draft = true`) of these kinds: fill one in and remove `draft`.
    pub drafts: Vec<String>,
    /// fairfile computes it from the data (no document to write).
    pub computed: bool,
}

/// The obligations of `audit`'s frameworks that bind its roles and still lack finished evidence.
pub fn todo(audit: &Audit, frameworks: &FrameworkSet, evidence: &EvidenceSet) -> Vec<TodoItem> {
    let roles = audit.config.audit.get_ref().roles.get_ref();
    let facts = super::facts::document_without_metrics(audit).unwrap_or_default();
    let mut items = Vec::new();
    for fw in frameworks.frameworks() {
        for ob in &fw.obligations {
            if !ob.applies_to.is_empty()
                && !roles.is_empty()
                && !ob.applies_to.iter().any(|r| roles.contains(r))
            {
                continue;
            }
            // `when` conditions decided by the config alone (e.g. `data.outcome`) rule an
            // obligation in or out; the others (undeclared facts, results) leave it listed.
            let mut depends_on_facts = false;
            let mut ruled_out = false;
            for condition in &ob.when {
                match super::facts::evaluate(condition, &facts) {
                    super::facts::Eval::Holds => {}
                    super::facts::Eval::Absent => depends_on_facts = true,
                    super::facts::Eval::Fails(_) => ruled_out = true,
                }
            }
            if ruled_out {
                continue;
            }
            let mut needs = Vec::new();
            for req in &ob.evidence {
                let of_kind = |draft: bool| -> Vec<String> {
                    evidence
                        .documents
                        .iter()
                        .filter(|d| d.front.draft == draft)
                        .filter(|d| {
                            req.kinds.iter().any(|k| d.front.kind.contains(k))
                                || d.front
                                    .satisfies
                                    .iter()
                                    .any(|s| *s == format!("{}/{}", fw.id, ob.id))
                        })
                        .map(|d| d.path.clone())
                        .collect()
                };
                if !of_kind(false).is_empty() {
                    continue;
                }
                let computed = req
                    .kinds
                    .iter()
                    .all(|k| frameworks.kind(k).is_some_and(|k| k.computed.is_some()));
                needs.push(Need {
                    kinds: req.kinds.clone(),
                    drafts: of_kind(true),
                    computed,
                });
            }
            if needs.is_empty() {
                continue;
            }
            items.push(TodoItem {
                obligation: format!("{}/{}", fw.id, ob.id),
                cite: ob.cite.clone(),
                title: ob.title.clone(),
                needs,
                depends_on_facts,
            });
        }
    }
    items
}
