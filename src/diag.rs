//! Errors that point at the user's input.
//!
//! Every failure caused by a file the user wrote or exported (the audit config, the applicant data,
//! a framework file, an evidence document) is an [`InputError`]: it names the file, and where it can,
//! the line, the column or field, what is wrong and what to do about it. The CLI maps these to exit
//! status 2.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column (characters for text files, field number for CSV records).
    pub column: Option<usize>,
    /// A named field: a CSV header, a TOML key path, a front-matter key.
    pub field: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            ..Self::default()
        }
    }

    pub fn at(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Self {
            file: file.into(),
            line: Some(line),
            column: Some(column),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Location of a byte offset in `text` (e.g. a TOML span start).
    pub fn from_offset(file: impl Into<PathBuf>, text: &str, offset: usize) -> Self {
        let (line, column) = line_col(text, offset);
        Self::at(file, line, column)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A problem in the user's input, with its location and a hint on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub location: Location,
    pub message: String,
    pub help: Option<String>,
}

impl InputError {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad user input (exit status 2). Boxed: errors travel in every `Result`, keep them small.
    #[error("{0}")]
    Input(Box<InputError>),
    /// Several input problems found at once (e.g. every unmapped category value).
    #[error("{}", join_errors(.0))]
    Inputs(Vec<InputError>),
    /// An I/O failure on a named file.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A template failed to compile or export; the message is already formatted with locations.
    #[error("{0}")]
    Render(String),
    /// Anything else, with context.
    #[error("{0}")]
    Other(String),
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(Box::new(e))
    }
}

fn join_errors(errors: &[InputError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// Whether the error is the user's input (exit 2) rather than an internal failure. A template
    /// that fails to compile is input too: templates can be the audit's own overrides, and Typst
    /// reports file and line.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Error::Input(_) | Error::Inputs(_) | Error::Io { .. } | Error::Render(_)
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The nearest valid name to `given`, for "did you mean …?" hints.
pub fn suggest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Deepest nesting of arrays, inline tables and dotted keys any TOML input may have (the `toml`
/// crate's own recursion limit, which keeps its parser off the stack's edge).
pub const TOML_MAX_DEPTH: usize = 80;

/// Deepest nesting of arrays and objects any JSON input (manifests, `ledger.jsonl`, an embedded
/// manifest) may have: `serde_json`'s recursion limit.
pub const JSON_MAX_DEPTH: usize = 128;

/// A TOML error caused by nesting past [`TOML_MAX_DEPTH`], said plainly with the limit, and the
/// byte offset in `text` where it is when the `toml` crate gives none (too many dotted-key parts).
pub fn toml_depth_error(message: &str, text: &str) -> Option<(String, Option<usize>)> {
    if !message.contains("recurs") {
        return None;
    }
    let plain = format!(
        "nested more than {TOML_MAX_DEPTH} levels deep (arrays, inline tables or dotted-key parts); \
         fairfile reads no deeper TOML"
    );
    // The offset of the first line whose key (or table header) has that many parts.
    let mut offset = 0;
    let mut found = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let key = match trimmed.strip_prefix('[') {
            Some(header) => header.split(']').next().unwrap_or(""),
            None => trimmed.split('=').next().unwrap_or(""),
        };
        let mut quote = None;
        let mut parts = 1;
        for c in key.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '.') => parts += 1,
                _ => {}
            }
        }
        if parts >= TOML_MAX_DEPTH {
            found = Some(offset);
            break;
        }
        offset += line.len();
    }
    Some((plain, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // 'é' is two bytes; the '=' after it is the 4th character of line 2.
        assert_eq!(line_col(text, 10), (2, 4));
    }

    #[test]
    fn location_display() {
        let loc = Location::at("data.csv", 12, 3).with_field("gender");
        assert_eq!(loc.to_string(), "data.csv:12:3 (field `gender`)");
    }

    #[test]
    fn suggestion_finds_near_names() {
        assert_eq!(
            suggest("bias_exam", ["bias_examination", "risk_register"]),
            Some("bias_examination")
        );
        assert_eq!(suggest("zzz", ["bias_examination"]), None);
    }
}
