//! The inputs of a build, as every step lists them: frameworks, evidence and templates say which
//! files they read, render prints them on each document's last page, seal hashes them into the
//! manifest. A leaf module, so that none of those depends on another for this type.

use serde::{Deserialize, Serialize};

/// One input of a build, hashed: listed on each document's last page and in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputRecord {
    /// `config`, `data`, `framework`, `template`, `evidence`, `attachment`, `image`.
    pub role: String,
    /// Path relative to the audit folder (`/` separators); shipped frameworks and templates are
    /// named `builtin:frameworks/nyc-ll144.toml`, `builtin:templates/ll144-summary.typ`.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Prefix of the paths of inputs compiled into fairfile (shipped frameworks and templates).
pub const BUILTIN_PREFIX: &str = "builtin:";

impl InputRecord {
    /// Whether the input is compiled into fairfile rather than a file of the audit folder.
    pub fn is_builtin(&self) -> bool {
        self.path.starts_with(BUILTIN_PREFIX)
    }
}

/// The order of input roles in manifests and on the documents' input pages.
pub const ROLE_ORDER: &[&str] = &[
    "config",
    "data",
    "framework",
    "template",
    "evidence",
    "attachment",
    "image",
];

fn role_rank(role: &str) -> usize {
    ROLE_ORDER
        .iter()
        .position(|r| *r == role)
        .unwrap_or(ROLE_ORDER.len())
}

/// Sort inputs into their canonical order (role as in [`ROLE_ORDER`], then path, byte-wise) and
/// drop exact duplicates (e.g. one file attached by two evidence documents).
///
/// A path listed twice with different hashes or roles is kept twice: that is a real discrepancy
/// (the file changed while the build read it) and must show up, not be hidden.
pub fn canonical_inputs(mut inputs: Vec<InputRecord>) -> Vec<InputRecord> {
    inputs.sort_by(|a, b| {
        (
            role_rank(&a.role),
            a.role.as_str(),
            a.path.as_str(),
            a.sha256.as_str(),
            a.bytes,
        )
            .cmp(&(
                role_rank(&b.role),
                b.role.as_str(),
                b.path.as_str(),
                b.sha256.as_str(),
                b.bytes,
            ))
    });
    inputs.dedup();
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn record(role: &str, path: &str, content: &str) -> InputRecord {
        InputRecord {
            role: role.into(),
            path: path.into(),
            sha256: crate::hash::sha256_hex(content.as_bytes()),
            bytes: content.len() as u64,
        }
    }

    #[test]
    fn inputs_sort_by_role_then_path_and_dedup() {
        let inputs = vec![
            record("evidence", "evidence/b.md", "b"),
            record("attachment", "evidence/a.pdf", "pdf"),
            record("config", "fairfile.toml", "cfg"),
            record("evidence", "evidence/a.md", "a"),
            record("attachment", "evidence/a.pdf", "pdf"),
            record("framework", "builtin:frameworks/nyc-ll144.toml", "fw"),
        ];
        let sorted = canonical_inputs(inputs);
        let paths: Vec<_> = sorted.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "fairfile.toml",
                "builtin:frameworks/nyc-ll144.toml",
                "evidence/a.md",
                "evidence/b.md",
                "evidence/a.pdf"
            ]
        );
    }
}
