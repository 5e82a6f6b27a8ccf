//! `ledger.jsonl`: one JSON line per sealed version, each chained to the line before it.
//!
//! `line_hash` = SHA-256 of the previous line's `line_hash` (64 `0`s for the first line), a
//! newline, and the canonical JSON ([`super::canonical_json`]) of the entry without `line_hash`.
//! Editing a line changes its hash; deleting, inserting or reordering a line breaks the link of the
//! line after it and the run of version numbers. A line must also be byte-identical to the
//! serialisation fairfile writes, so even an edit that keeps the JSON's meaning is noticed.
//!
//! The chain detects changes; it is not a signature: someone with write access could recompute
//! every hash. Publishing the latest `line_hash` (or the PDFs, which embed the previous manifest's
//! hash) anchors the history outside the folder. See `docs/manifest.md`.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::canonical_json;
use crate::hash::sha256_hex;

/// File name of the ledger inside the output folder.
pub const LEDGER_FILE: &str = "ledger.jsonl";

/// The "previous line hash" of the first line.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One line of the ledger: one sealed version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntry {
    pub version: u32,
    /// Build date (the audit date).
    pub date: NaiveDate,
    /// File name of the version's manifest (`manifest-v<N>.json`), in the same folder.
    pub manifest: String,
    /// SHA-256 of that manifest file's bytes.
    pub manifest_sha256: String,
    /// `manifest_sha256` of the previous version; `null` for version 1.
    pub previous_manifest_sha256: Option<String>,
    /// The version's input digest (as in its manifest).
    pub input_digest: String,
    /// Hash chaining this line to the previous one (see the module docs).
    pub line_hash: String,
}

/// The fields of an entry that its `line_hash` covers.
#[derive(Serialize)]
struct EntryContent<'a> {
    version: u32,
    date: NaiveDate,
    manifest: &'a str,
    manifest_sha256: &'a str,
    previous_manifest_sha256: Option<&'a str>,
    input_digest: &'a str,
}

/// The `line_hash` of `entry` following a line whose hash is `previous_line_hash`
/// ([`GENESIS_HASH`] for the first line). `entry.line_hash` itself is not read.
pub fn line_hash(previous_line_hash: &str, entry: &LedgerEntry) -> String {
    let content = EntryContent {
        version: entry.version,
        date: entry.date,
        manifest: &entry.manifest,
        manifest_sha256: &entry.manifest_sha256,
        previous_manifest_sha256: entry.previous_manifest_sha256.as_deref(),
        input_digest: &entry.input_digest,
    };
    let mut text = String::with_capacity(64 + 1 + 400);
    text.push_str(previous_line_hash);
    text.push('\n');
    text.push_str(&canonical_json(&content));
    sha256_hex(text.as_bytes())
}

impl LedgerEntry {
    /// A new entry following `previous` (or the first entry), with its `line_hash` computed.
    pub fn new(
        previous: Option<&LedgerEntry>,
        date: NaiveDate,
        manifest: String,
        manifest_sha256: String,
        input_digest: String,
    ) -> LedgerEntry {
        let mut entry = LedgerEntry {
            version: previous.map_or(1, |p| p.version + 1),
            date,
            manifest,
            manifest_sha256,
            previous_manifest_sha256: previous.map(|p| p.manifest_sha256.clone()),
            input_digest,
            line_hash: String::new(),
        };
        entry.line_hash = line_hash(
            previous.map_or(GENESIS_HASH, |p| p.line_hash.as_str()),
            &entry,
        );
        entry
    }

    /// The line as written to the ledger (compact JSON, fields in declaration order, no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("ledger entries serialize to JSON")
    }
}

/// Something wrong in the ledger, at a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerIssue {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LedgerIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{LEDGER_FILE} line {}: {}", self.line, self.message)
    }
}

/// A ledger read and checked line by line.
#[derive(Debug, Clone, Default)]
pub struct ParsedLedger {
    /// The entries that parsed, in file order, with their 1-based line numbers.
    pub entries: Vec<(usize, LedgerEntry)>,
    /// Every break found: unparsable or edited lines, broken hash links, version gaps.
    pub issues: Vec<LedgerIssue>,
}

impl ParsedLedger {
    /// Parse and check the whole chain. Never stops at the first problem: every line is checked.
    pub fn parse(text: &str) -> ParsedLedger {
        let mut ledger = ParsedLedger::default();
        let mut issue =
            |line: usize, message: String| ledger.issues.push(LedgerIssue { line, message });
        let mut entries: Vec<(usize, LedgerEntry)> = Vec::new();
        // The previous line as recorded, when it could be read.
        let mut previous: Option<LedgerEntry> = None;
        let mut previous_readable = true;

        let lines: Vec<&str> = text.split('\n').collect();
        let complete = lines.len() - 1; // text after the last '\n' is not a complete line
        if !lines[complete].is_empty() {
            issue(
                complete + 1,
                "incomplete last line (no final newline): the ledger was cut off or edited".into(),
            );
        }
        for (index, line) in lines[..complete].iter().enumerate() {
            let number = index + 1;
            let expected_version = u32::try_from(number).unwrap_or(u32::MAX);
            let entry = match serde_json::from_str::<LedgerEntry>(line) {
                Ok(entry) => entry,
                Err(e) => {
                    let what = if line.trim().is_empty() {
                        "empty line".to_string()
                    } else {
                        e.to_string()
                    };
                    issue(number, format!("not a valid ledger entry ({what})"));
                    previous = None;
                    previous_readable = false;
                    continue;
                }
            };
            if entry.to_line() != *line {
                issue(
                    number,
                    "the line differs from what fairfile wrote (edited by hand?)".into(),
                );
            }
            if entry.version != expected_version {
                issue(
                    number,
                    format!(
                        "records version {} where version {expected_version} belongs (a line was deleted, inserted or reordered)",
                        entry.version
                    ),
                );
            }
            if previous_readable {
                let previous_hash = previous
                    .as_ref()
                    .map_or(GENESIS_HASH, |p| p.line_hash.as_str());
                if line_hash(previous_hash, &entry) != entry.line_hash {
                    let why = if number == 1 {
                        "the line was edited, or lines before it were deleted"
                    } else {
                        "the line was edited, or the line before it was deleted or changed"
                    };
                    issue(
                        number,
                        format!("line_hash does not match: the chain is broken here ({why})"),
                    );
                }
                let expected_previous = previous.as_ref().map(|p| p.manifest_sha256.as_str());
                if entry.previous_manifest_sha256.as_deref() != expected_previous {
                    issue(
                        number,
                        match expected_previous {
                            None => {
                                "version 1 must have previous_manifest_sha256 = null".to_string()
                            }
                            Some(_) => format!(
                                "previous_manifest_sha256 does not match the manifest_sha256 of line {}",
                                number - 1
                            ),
                        },
                    );
                }
            }
            previous = Some(entry.clone());
            previous_readable = true;
            entries.push((number, entry));
        }
        ledger.entries = entries;
        ledger
    }

    /// The latest entry (the last line that parsed).
    pub fn latest(&self) -> Option<&LedgerEntry> {
        self.entries.last().map(|(_, e)| e)
    }

    pub fn is_intact(&self) -> bool {
        self.issues.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    /// A ledger of `n` versions with fake manifest hashes.
    fn chain(n: u32) -> Vec<LedgerEntry> {
        let mut entries: Vec<LedgerEntry> = Vec::new();
        for v in 1..=n {
            let entry = LedgerEntry::new(
                entries.last(),
                date(),
                format!("manifest-v{v}.json"),
                sha256_hex(format!("manifest {v}").as_bytes()),
                sha256_hex(format!("inputs {v}").as_bytes()),
            );
            entries.push(entry);
        }
        entries
    }

    fn text(entries: &[LedgerEntry]) -> String {
        entries.iter().map(|e| e.to_line() + "\n").collect()
    }

    fn issue_lines(ledger: &ParsedLedger) -> Vec<usize> {
        ledger.issues.iter().map(|i| i.line).collect()
    }

    #[test]
    fn intact_chain_parses() {
        let entries = chain(3);
        assert_eq!(entries[0].previous_manifest_sha256, None);
        assert_eq!(
            entries[2].previous_manifest_sha256.as_deref(),
            Some(entries[1].manifest_sha256.as_str())
        );
        let ledger = ParsedLedger::parse(&text(&entries));
        assert!(ledger.is_intact(), "{:?}", ledger.issues);
        assert_eq!(ledger.entries.len(), 3);
        assert_eq!(ledger.latest().unwrap().version, 3);
        assert!(ParsedLedger::parse("").is_intact());
    }

    #[test]
    fn line_hash_covers_every_field_and_the_previous_hash() {
        let entry = chain(1).remove(0);
        let base = line_hash(GENESIS_HASH, &entry);
        assert_eq!(base, entry.line_hash);
        assert_ne!(line_hash(&"1".repeat(64), &entry), base);
        let variants: [fn(&mut LedgerEntry); 6] = [
            |e| e.version = 2,
            |e| e.date = e.date.succ_opt().unwrap(),
            |e| e.manifest = "manifest-v9.json".into(),
            |e| e.manifest_sha256 = "0".repeat(64),
            |e| e.previous_manifest_sha256 = Some("0".repeat(64)),
            |e| e.input_digest = "0".repeat(64),
        ];
        for change in variants {
            let mut changed = entry.clone();
            change(&mut changed);
            assert_ne!(line_hash(GENESIS_HASH, &changed), base, "{changed:?}");
        }
    }

    #[test]
    fn edited_line_is_reported_at_that_line() {
        let mut entries = chain(3);
        entries[1].input_digest = "f".repeat(64);
        let ledger = ParsedLedger::parse(&text(&entries));
        assert_eq!(issue_lines(&ledger), [2], "{:?}", ledger.issues);
        assert!(
            ledger.issues[0]
                .message
                .contains("line_hash does not match")
        );
    }

    #[test]
    fn edited_line_with_recomputed_hash_breaks_the_next_link() {
        let mut entries = chain(3);
        entries[1].input_digest = "f".repeat(64);
        entries[1].line_hash = line_hash(&entries[0].line_hash, &entries[1]);
        let ledger = ParsedLedger::parse(&text(&entries));
        assert_eq!(issue_lines(&ledger), [3], "{:?}", ledger.issues);
    }

    #[test]
    fn deleted_middle_line_is_a_chain_break() {
        let mut entries = chain(3);
        entries.remove(1);
        let ledger = ParsedLedger::parse(&text(&entries));
        let messages: Vec<String> = ledger.issues.iter().map(|i| i.to_string()).collect();
        assert!(
            messages
                .iter()
                .all(|m| m.starts_with("ledger.jsonl line 2:")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("records version 3 where version 2 belongs")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("chain is broken")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("previous_manifest_sha256")),
            "{messages:?}"
        );
    }

    #[test]
    fn deleted_first_line_is_a_chain_break() {
        let mut entries = chain(2);
        entries.remove(0);
        let ledger = ParsedLedger::parse(&text(&entries));
        assert_eq!(issue_lines(&ledger), [1, 1, 1], "{:?}", ledger.issues);
    }

    #[test]
    fn swapped_lines_are_reported() {
        let mut entries = chain(3);
        entries.swap(1, 2);
        let ledger = ParsedLedger::parse(&text(&entries));
        assert!(
            issue_lines(&ledger).contains(&2) && issue_lines(&ledger).contains(&3),
            "{:?}",
            ledger.issues
        );
    }

    #[test]
    fn one_changed_byte_anywhere_is_reported() {
        let original = text(&chain(3));
        let bytes = original.as_bytes();
        for position in 0..bytes.len() {
            if bytes[position] == b'\n' {
                continue;
            }
            let mut tampered = bytes.to_vec();
            tampered[position] = if bytes[position] == b'1' { b'2' } else { b'1' };
            let tampered = String::from_utf8(tampered).unwrap();
            let ledger = ParsedLedger::parse(&tampered);
            let line = original[..position].matches('\n').count() + 1;
            assert!(!ledger.is_intact(), "byte {position} changed unnoticed");
            assert_eq!(
                ledger.issues[0].line, line,
                "byte {position}: {:?}",
                ledger.issues
            );
        }
    }

    #[test]
    fn unparsable_and_cut_off_lines_are_reported() {
        let entries = chain(2);
        let full = text(&entries);
        let cut = &full[..full.len() - 10];
        let ledger = ParsedLedger::parse(cut);
        assert_eq!(issue_lines(&ledger), [2]);
        assert!(ledger.issues[0].message.contains("incomplete last line"));

        let garbage = format!(
            "{}not json\n{}",
            entries[0].to_line() + "\n",
            entries[1].to_line() + "\n"
        );
        let ledger = ParsedLedger::parse(&garbage);
        assert_eq!(issue_lines(&ledger)[0], 2);
        assert!(
            ledger.issues[0]
                .message
                .contains("not a valid ledger entry")
        );
        // The line after an unreadable line is still checked for its version.
        assert!(
            ledger
                .issues
                .iter()
                .any(|i| i.line == 3 && i.message.contains("records version 2"))
        );

        let blank = format!(
            "{}\n{}",
            entries[0].to_line() + "\n",
            entries[1].to_line() + "\n"
        );
        let ledger = ParsedLedger::parse(&blank);
        assert!(
            ledger.issues[0].message.contains("empty line"),
            "{:?}",
            ledger.issues
        );
    }

    #[test]
    fn whitespace_edit_that_keeps_meaning_is_still_reported() {
        let entries = chain(1);
        let line = entries[0].to_line().replacen(':', ": ", 1);
        let ledger = ParsedLedger::parse(&(line + "\n"));
        assert_eq!(issue_lines(&ledger), [1]);
        assert!(
            ledger.issues[0]
                .message
                .contains("differs from what fairfile wrote")
        );
    }
}
