//! The document templates: built in (compiled into the binary from `templates/`), each overridable
//! by a file of the same name in the audit's `templates/` folder.
//!
//! Every file of the audit's `templates/` folder is served to Typst at `/templates/<name>`, so an
//! override may import its own helper modules or show a logo. A `.typ` file whose name is close to
//! a built-in template's but not equal is an error ("did you mean"): a misspelt override that
//! silently did nothing would be worse than no override. Other files (helper modules, a logo) are
//! served as they are.

use std::path::PathBuf;

use crate::config::Audit;
use crate::diag::{Error, InputError, Location, Result};
use crate::hash::sha256_hex;
use crate::inputs::InputRecord;

/// The built-in templates: file name and source.
pub(crate) const BUILTIN: &[(&str, &str)] = &[
    ("common.typ", include_str!("../../templates/common.typ")),
    (
        "ll144-summary.typ",
        include_str!("../../templates/ll144-summary.typ"),
    ),
    (
        "eu-technical-file.typ",
        include_str!("../../templates/eu-technical-file.typ"),
    ),
    (
        "compliance-matrix.typ",
        include_str!("../../templates/compliance-matrix.typ"),
    ),
];

/// Name of the audit folder holding template overrides.
pub const TEMPLATES_DIR: &str = "templates";

/// Where a template file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateOrigin {
    /// Compiled into fairfile.
    Builtin,
    /// The audit's own file (absolute or as given under the audit root).
    Audit(PathBuf),
}

/// One file served under `/templates/`.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path under `templates/`, `/` separators (e.g. `ll144-summary.typ`, `img/logo.png`).
    pub name: String,
    pub bytes: Vec<u8>,
    pub origin: TemplateOrigin,
}

impl TemplateFile {
    /// The name shown in messages and in the inputs list.
    pub fn display_name(&self) -> String {
        match &self.origin {
            TemplateOrigin::Builtin => format!("builtin:templates/{}", self.name),
            TemplateOrigin::Audit(_) => format!("{TEMPLATES_DIR}/{}", self.name),
        }
    }

    /// The file as the user can open it (for messages).
    pub fn user_path(&self) -> String {
        match &self.origin {
            TemplateOrigin::Builtin => self.display_name(),
            TemplateOrigin::Audit(path) => path.display().to_string(),
        }
    }
}

/// The templates of one audit: built-in ones, with the audit's overrides and extra files.
#[derive(Debug, Clone)]
pub struct Templates {
    files: Vec<TemplateFile>,
}

impl Templates {
    /// The built-in templates only.
    pub fn builtin() -> Templates {
        let files = BUILTIN
            .iter()
            .map(|(name, text)| TemplateFile {
                name: name.to_string(),
                bytes: text.as_bytes().to_vec(),
                origin: TemplateOrigin::Builtin,
            })
            .collect::<Vec<_>>();
        let mut templates = Templates { files };
        templates.files.sort_by(|a, b| a.name.cmp(&b.name));
        templates
    }

    /// The built-in templates, overridden or extended by `AUDIT/templates/`.
    pub fn load(audit: &Audit) -> Result<Templates> {
        let mut templates = Templates::builtin();
        let dir = audit.root.join(TEMPLATES_DIR);
        if !dir.is_dir() {
            return Ok(templates);
        }
        let builtin_names: Vec<&str> = BUILTIN.iter().map(|(name, _)| *name).collect();
        let mut errors = Vec::new();
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .follow_links(false)
        {
            let entry = entry.map_err(|e| {
                let path = e
                    .path()
                    .map(|p| p.to_path_buf())
                    .unwrap_or_else(|| dir.clone());
                Error::io(
                    &path,
                    e.into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("walk failed")),
                )
            })?;
            if entry.file_type().is_dir() {
                continue;
            }
            let path = entry.path();
            let relative = path
                .strip_prefix(&dir)
                .expect("walkdir yields paths under its root");
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if entry.file_type().is_symlink() {
                errors.push(
                    InputError::new(
                        Location::file(path),
                        "symbolic links are not followed in templates/",
                    )
                    .with_help("copy the file into the audit's templates/ folder"),
                );
                continue;
            }
            if name.starts_with('.') || name.contains("/.") {
                continue; // editor and VCS files (.DS_Store, .swp): not templates
            }
            // A near miss of a built-in name (edit distance 1–2) is a typo, not a helper module.
            let near_miss = builtin_names
                .iter()
                .find(|b| (1..=2).contains(&strsim::levenshtein(&name, b)));
            if name.ends_with(".typ")
                && let Some(near) = near_miss
            {
                errors.push(
                    InputError::new(
                        Location::file(path),
                        format!("templates/{name} does not override any built-in template"),
                    )
                    .with_help(format!(
                        "did you mean templates/{near}? (built-in templates: {})",
                        builtin_names.join(", ")
                    )),
                );
                continue;
            }
            crate::limits::check_size(
                path,
                crate::limits::MAX_TEMPLATE_BYTES,
                "template",
                "MAX_TEMPLATE_BYTES",
            )?;
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            if name.ends_with(".typ") && std::str::from_utf8(&bytes).is_err() {
                errors.push(InputError::new(
                    Location::file(path),
                    "template is not valid UTF-8",
                ));
                continue;
            }
            let file = TemplateFile {
                name: name.clone(),
                bytes,
                origin: TemplateOrigin::Audit(path.to_path_buf()),
            };
            match templates.files.iter_mut().find(|f| f.name == name) {
                Some(existing) => *existing = file,
                None => templates.files.push(file),
            }
        }
        match errors.len() {
            0 => {}
            1 => return Err(errors.remove(0).into()),
            _ => return Err(Error::Inputs(errors)),
        }
        templates.files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(templates)
    }

    /// Every template file, hashed, for the manifest and each document's inputs page.
    /// Role `template`; path `builtin:templates/<name>` or `templates/<name>` when from the audit.
    pub fn inputs(&self) -> Vec<InputRecord> {
        self.files
            .iter()
            .map(|f| InputRecord {
                role: "template".to_string(),
                path: f.display_name(),
                sha256: sha256_hex(&f.bytes),
                bytes: f.bytes.len() as u64,
            })
            .collect()
    }

    /// The files, sorted by name.
    pub fn files(&self) -> &[TemplateFile] {
        &self.files
    }

    /// A file by name under `templates/`.
    pub fn get(&self, name: &str) -> Option<&TemplateFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Whether any file comes from the audit folder.
    pub fn has_overrides(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.origin != TemplateOrigin::Builtin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_inputs_are_named_and_hashed() {
        let inputs = Templates::builtin().inputs();
        let paths: Vec<&str> = inputs.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "builtin:templates/common.typ",
                "builtin:templates/compliance-matrix.typ",
                "builtin:templates/eu-technical-file.typ",
                "builtin:templates/ll144-summary.typ",
            ]
        );
        assert!(
            inputs
                .iter()
                .all(|i| i.role == "template" && i.sha256.len() == 64 && i.bytes > 0)
        );
    }
}
