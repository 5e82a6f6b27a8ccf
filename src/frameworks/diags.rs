//! Stable diagnostic codes for framework files, evidence documents and the framework-related parts of
//! `fairfile.toml`, in the style of cargo-deny: a letter for the input (`F` framework file, `E`
//! evidence, `A` audit config), a number that never changes meaning, and a kebab-case name.
//!
//! Every diagnostic is an [`InputError`] whose message starts with `[CODE name]`, so that users can
//! search for it and scripts can match on it; the location (file:line:column) comes first when the
//! error is printed.

use std::fmt;

use crate::diag::{InputError, Location, suggest};

/// A diagnostic code. The numbers are stable: never reuse or renumber one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The file is not valid TOML, or a value has the wrong type or a required key is missing.
    F000InvalidToml,
    /// A key the schema does not know (a typo must never be silently ignored).
    F001UnknownKey,
    /// Two obligations in one framework share an id.
    F002DuplicateObligationId,
    /// An obligation names an evidence kind that no framework declares.
    F003UndeclaredEvidenceKind,
    /// `applies_from = "@name"` names no `[dates]` entry, or is neither a date nor `@name`.
    F004BadAppliesFrom,
    /// A key (e.g. an evidence kind) is written twice in one file.
    F005DuplicateKey,
    /// A condition does not have exactly one operator, or its operand has the wrong shape.
    F006MalformedCondition,
    /// A fact path does not start with a known prefix (`audit.`, `facts.`, `auditor.`, `data.`, `metrics.`).
    F007BadFactPath,
    /// A role that is not one of `employer`, `employment_agency`, `provider`, `deployer`.
    F008UnknownRole,
    /// `relative_to` / `before` / `after` names no known date.
    F009UnknownReferenceDate,
    /// A date rule is incomplete (e.g. `min_business_days_before` without `before`).
    F010IncompleteRule,
    /// A framework or obligation id is not lowercase `[a-z0-9-]`.
    F011InvalidId,
    /// Two framework files declare the same framework id.
    F012DuplicateFrameworkId,
    /// Two frameworks declare the same evidence kind with different `computed` sources.
    F013ConflictingEvidenceKind,
    /// An evidence requirement lists no kinds.
    F014EmptyRequirement,
    /// `section` names no document, or an anchor the document does not have.
    F015UnknownSection,
    /// A period (`keep_after`, a condition's `at_least`) that is not "N days|months|years".
    F016BadPeriod,
    /// An `[[exemptions]]` entry's `except` names no obligation of the framework.
    F017UnknownExemptObligation,
    /// A document has no `+++` front matter, or the front matter is not valid TOML.
    E001MalformedFrontMatter,
    /// A front-matter key that evidence documents do not have.
    E002UnknownFrontMatterKey,
    /// A document names an evidence kind that no framework declares.
    E003UnknownEvidenceKind,
    /// A date that is not a valid `YYYY-MM-DD` date, or dates in an impossible order.
    E004BadDate,
    /// Two documents declare the same `id`.
    E005DuplicateEvidenceId,
    /// An attachment named in front matter does not exist.
    E006MissingAttachment,
    /// `satisfies` names an obligation that no framework has.
    E007UnknownObligation,
    /// A link or an attachment path leaves the audit folder.
    E008OutsideAuditFolder,
    /// A file in `evidence/` that no document names as an attachment (a warning in the report).
    E009UnreferencedFile,
    /// A document that cannot be read as UTF-8 text.
    E010UnreadableDocument,
    /// `[audit] frameworks` names a framework that is neither shipped nor in `framework_files`.
    A001UnknownFramework,
    /// A file in `[audit] framework_files` does not exist or cannot be read.
    A002MissingFrameworkFile,
    /// A file in `framework_files` whose framework id is not listed in `[audit] frameworks`.
    A003UnusedFrameworkFile,
    /// A `[[waivers]]` entry names an obligation that the audit's frameworks do not have.
    A004UnknownWaivedObligation,
}

impl Code {
    /// Every code, in order (for documentation and tests).
    pub const ALL: &'static [Code] = &[
        Code::F000InvalidToml,
        Code::F001UnknownKey,
        Code::F002DuplicateObligationId,
        Code::F003UndeclaredEvidenceKind,
        Code::F004BadAppliesFrom,
        Code::F005DuplicateKey,
        Code::F006MalformedCondition,
        Code::F007BadFactPath,
        Code::F008UnknownRole,
        Code::F009UnknownReferenceDate,
        Code::F010IncompleteRule,
        Code::F011InvalidId,
        Code::F012DuplicateFrameworkId,
        Code::F013ConflictingEvidenceKind,
        Code::F014EmptyRequirement,
        Code::F015UnknownSection,
        Code::F016BadPeriod,
        Code::F017UnknownExemptObligation,
        Code::E001MalformedFrontMatter,
        Code::E002UnknownFrontMatterKey,
        Code::E003UnknownEvidenceKind,
        Code::E004BadDate,
        Code::E005DuplicateEvidenceId,
        Code::E006MissingAttachment,
        Code::E007UnknownObligation,
        Code::E008OutsideAuditFolder,
        Code::E009UnreferencedFile,
        Code::E010UnreadableDocument,
        Code::A001UnknownFramework,
        Code::A002MissingFrameworkFile,
        Code::A003UnusedFrameworkFile,
        Code::A004UnknownWaivedObligation,
    ];

    /// The stable code, e.g. `F001`.
    pub fn id(self) -> &'static str {
        self.parts().0
    }

    /// The stable name, e.g. `unknown-key`.
    pub fn name(self) -> &'static str {
        self.parts().1
    }

    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Code::F000InvalidToml => ("F000", "invalid-toml"),
            Code::F001UnknownKey => ("F001", "unknown-key"),
            Code::F002DuplicateObligationId => ("F002", "duplicate-obligation-id"),
            Code::F003UndeclaredEvidenceKind => ("F003", "undeclared-evidence-kind"),
            Code::F004BadAppliesFrom => ("F004", "bad-applies-from"),
            Code::F005DuplicateKey => ("F005", "duplicate-key"),
            Code::F006MalformedCondition => ("F006", "malformed-condition"),
            Code::F007BadFactPath => ("F007", "bad-fact-path"),
            Code::F008UnknownRole => ("F008", "unknown-role"),
            Code::F009UnknownReferenceDate => ("F009", "unknown-reference-date"),
            Code::F010IncompleteRule => ("F010", "incomplete-rule"),
            Code::F011InvalidId => ("F011", "invalid-id"),
            Code::F012DuplicateFrameworkId => ("F012", "duplicate-framework-id"),
            Code::F013ConflictingEvidenceKind => ("F013", "conflicting-evidence-kind"),
            Code::F014EmptyRequirement => ("F014", "empty-requirement"),
            Code::F015UnknownSection => ("F015", "unknown-section"),
            Code::F016BadPeriod => ("F016", "bad-period"),
            Code::F017UnknownExemptObligation => ("F017", "unknown-exempt-obligation"),
            Code::E001MalformedFrontMatter => ("E001", "malformed-front-matter"),
            Code::E002UnknownFrontMatterKey => ("E002", "unknown-front-matter-key"),
            Code::E003UnknownEvidenceKind => ("E003", "unknown-evidence-kind"),
            Code::E004BadDate => ("E004", "bad-date"),
            Code::E005DuplicateEvidenceId => ("E005", "duplicate-evidence-id"),
            Code::E006MissingAttachment => ("E006", "missing-attachment"),
            Code::E007UnknownObligation => ("E007", "unknown-obligation"),
            Code::E008OutsideAuditFolder => ("E008", "outside-audit-folder"),
            Code::E009UnreferencedFile => ("E009", "unreferenced-file"),
            Code::E010UnreadableDocument => ("E010", "unreadable-document"),
            Code::A001UnknownFramework => ("A001", "unknown-framework"),
            Code::A002MissingFrameworkFile => ("A002", "missing-framework-file"),
            Code::A003UnusedFrameworkFile => ("A003", "unused-framework-file"),
            Code::A004UnknownWaivedObligation => ("A004", "unknown-waived-obligation"),
        }
    }

    /// An [`InputError`] carrying this code: the message reads `[F001 unknown-key] …`.
    pub fn error(self, location: Location, message: impl fmt::Display) -> InputError {
        InputError::new(location, format!("[{self}] {message}"))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id(), self.name())
    }
}

/// `help` text "did you mean "x"?" for the nearest candidate, if one is near enough.
pub fn did_you_mean<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    suggest(given, candidates).map(|s| format!("did you mean {s:?}?"))
}

/// Attach a "did you mean" hint (or `fallback` when nothing is near) to an error.
pub fn with_suggestion<'a>(
    error: InputError,
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    fallback: impl FnOnce() -> String,
) -> InputError {
    match did_you_mean(given, candidates) {
        Some(hint) => error.with_help(hint),
        None => error.with_help(fallback()),
    }
}

/// Map a TOML deserialization error to a coded diagnostic at its span. `offset` is added to the
/// span (for TOML embedded in a larger file, such as front matter), `text` is the whole file.
pub fn toml_error(
    e: &toml::de::Error,
    file: &std::path::Path,
    text: &str,
    offset: usize,
    unknown_key: Code,
    fallback: Code,
    valid_keys_hint: Option<&str>,
) -> InputError {
    // `text` is the whole file; the TOML starts at `offset` (front matter).
    let depth = crate::diag::toml_depth_error(e.message(), &text[offset.min(text.len())..]);
    let message = match &depth {
        Some((plain, _)) => plain.as_str(),
        None => e.message().trim(),
    };
    let location = match (e.span(), depth.as_ref().and_then(|(_, at)| *at)) {
        (Some(span), _) => Location::from_offset(file, text, offset + span.start),
        (None, Some(at)) => Location::from_offset(file, text, offset + at),
        (None, None) => Location::file(file),
    };
    let code = if message.starts_with("unknown field") {
        unknown_key
    } else if message.contains("duplicate key") {
        Code::F005DuplicateKey
    } else {
        fallback
    };
    let mut err = code.error(location, message);
    if code == unknown_key {
        // serde lists the expected keys ("expected one of `a`, `b`"); suggest the nearest one.
        if let Some(given) = backticked(message).first() {
            let expected: Vec<&str> = backticked(message).into_iter().skip(1).collect();
            if let Some(hint) = did_you_mean(given, expected.iter().copied()) {
                err = err.with_help(hint);
            } else if let Some(hint) = valid_keys_hint {
                err = err.with_help(hint.to_string());
            }
        }
    } else if code == Code::F005DuplicateKey {
        err = err.with_help("each key may appear once per table; remove or rename the second one");
    }
    err
}

/// The `backticked` words of a serde message, in order.
fn backticked(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = Code::ALL.iter().map(|c| c.id()).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate code id");
        for code in Code::ALL {
            assert_eq!(code.id().len(), 4);
            assert!(
                code.name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{code}"
            );
        }
    }

    #[test]
    fn error_message_carries_code() {
        let e = Code::F001UnknownKey.error(Location::at("f.toml", 3, 1), "unknown field `titel`");
        assert_eq!(
            e.to_string(),
            "f.toml:3:1: [F001 unknown-key] unknown field `titel`"
        );
    }

    #[test]
    fn backticks_are_extracted() {
        assert_eq!(
            backticked("unknown field `titel`, expected one of `id`, `title`"),
            vec!["titel", "id", "title"]
        );
    }
}
