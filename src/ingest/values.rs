//! How raw values in the data are matched to canonical categories and outcomes.
//!
//! Matching rule (documented in `docs/metrics-json.md`): a raw value is trimmed of ASCII
//! whitespace at both ends, then compared byte for byte, case-sensitively, with the values listed
//! in `fairfile.toml` (also trimmed). `" M "` therefore matches `"M"`, but `"m"` does not: case
//! differences are real differences in an export, and every distinct value seen is reported.

use std::collections::{HashMap, HashSet};

use crate::config::{CategoryMap, UNKNOWN, Values};

/// Where a raw category value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A canonical category (index in [`AxisMap::categories`]).
    Category(usize),
    /// Listed under `unknown`.
    Unknown,
    /// Named by no mapping.
    Unmapped,
}

/// The category table of one axis (`sex` or `race`).
#[derive(Debug, Clone)]
pub(crate) struct AxisMap {
    /// Canonical categories in the order written in `fairfile.toml` (`unknown` excluded).
    pub categories: Vec<String>,
    /// Trimmed raw value → where it goes.
    raw: HashMap<String, Resolved>,
    /// Canonical name → category (used for counts input, where a warehouse query emits canonical
    /// names; `unknown` included).
    canonical: HashMap<String, Resolved>,
    /// No table in the config (counts input only): categories are discovered as they appear.
    dynamic: bool,
}

impl AxisMap {
    pub fn from_config(map: &CategoryMap) -> AxisMap {
        let mut categories = Vec::new();
        let mut raw = HashMap::new();
        // The reserved name `unknown` is a canonical name even when the table does not list it.
        let mut canonical = HashMap::from([(UNKNOWN.to_string(), Resolved::Unknown)]);
        for (name, raws) in map {
            let target = if name == UNKNOWN {
                Resolved::Unknown
            } else {
                categories.push(name.clone());
                Resolved::Category(categories.len() - 1)
            };
            canonical.insert(name.clone(), target);
            for value in raws {
                raw.insert(value.trim_ascii().to_string(), target);
            }
        }
        AxisMap {
            categories,
            raw,
            canonical,
            dynamic: false,
        }
    }

    /// A table with no configured categories: every value other than `""` and `unknown` is a
    /// category of its own, in order of first appearance (counts input without
    /// `[data.categories.*]`).
    pub fn dynamic() -> AxisMap {
        let mut canonical = HashMap::new();
        canonical.insert(UNKNOWN.to_string(), Resolved::Unknown);
        canonical.insert(String::new(), Resolved::Unknown);
        AxisMap {
            categories: Vec::new(),
            raw: HashMap::new(),
            canonical,
            dynamic: true,
        }
    }

    /// Row data: only raw values listed in the table count.
    pub fn resolve_raw(&self, value: &str) -> Resolved {
        self.raw.get(value).copied().unwrap_or(Resolved::Unmapped)
    }

    /// Counts data: a canonical name first, then a raw value; a dynamic table learns new names.
    pub fn resolve_counts(&mut self, value: &str) -> Resolved {
        if let Some(&r) = self.canonical.get(value) {
            return r;
        }
        if let Some(&r) = self.raw.get(value) {
            return r;
        }
        if self.dynamic {
            self.categories.push(value.to_string());
            let r = Resolved::Category(self.categories.len() - 1);
            self.canonical.insert(value.to_string(), r);
            return r;
        }
        Resolved::Unmapped
    }

    /// Raw values listed in the table, for "did you mean" hints on row data.
    pub fn raw_values(&self) -> impl Iterator<Item = &str> {
        self.raw.keys().map(String::as_str)
    }

    /// Raw values and canonical names, for "did you mean" hints on counts data.
    pub fn all_values(&self) -> impl Iterator<Item = &str> {
        self.raw
            .keys()
            .chain(self.canonical.keys())
            .map(String::as_str)
    }

    /// Slot of a resolved value in a tally axis: the category index, or `categories.len()` for
    /// unknown (unmapped values are folded into unknown or rejected before this is used).
    pub fn slot(&self, r: Resolved) -> usize {
        match r {
            Resolved::Category(i) => i,
            Resolved::Unknown | Resolved::Unmapped => self.categories.len(),
        }
    }
}

/// What a raw value in the `selected` column means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Selected,
    NotSelected,
    /// In neither list while `not_selected` is given: an error.
    Neither,
}

/// `[data.values]` for the `selected` and `label` columns.
#[derive(Debug, Clone)]
pub(crate) struct OutcomeMap {
    selected: HashSet<String>,
    not_selected: Option<HashSet<String>>,
    label: HashSet<String>,
}

impl OutcomeMap {
    pub fn from_config(values: &Values) -> OutcomeMap {
        let set = |v: &[String]| {
            v.iter()
                .map(|s| s.trim_ascii().to_string())
                .collect::<HashSet<_>>()
        };
        OutcomeMap {
            selected: set(&values.selected),
            not_selected: values.not_selected.as_deref().map(set),
            label: set(&values.label),
        }
    }

    /// Values listed both as selected and as not selected (a config mistake).
    pub fn contradictions(&self) -> Vec<String> {
        let mut both: Vec<String> = match &self.not_selected {
            Some(not) => self.selected.intersection(not).cloned().collect(),
            None => Vec::new(),
        };
        both.sort();
        both
    }

    pub fn decide(&self, value: &str) -> Decision {
        if self.selected.contains(value) {
            Decision::Selected
        } else {
            match &self.not_selected {
                Some(not) if !not.contains(value) => Decision::Neither,
                _ => Decision::NotSelected,
            }
        }
    }

    pub fn is_positive_label(&self, value: &str) -> bool {
        self.label.contains(value)
    }

    /// The listed outcome values, for "did you mean" hints.
    pub fn outcome_values(&self) -> impl Iterator<Item = &str> {
        self.selected
            .iter()
            .chain(self.not_selected.iter().flatten())
            .map(String::as_str)
    }
}

/// Distinct raw values of one column seen by one reader, keyed by their (trimmed) bytes, with a
/// code computed once per distinct value. Columns in hiring data have a handful of distinct values,
/// so a linear scan beats hashing; a hash index takes over if a column turns out to be wide.
#[derive(Debug, Default)]
pub(crate) struct ValueTable {
    pub entries: Vec<ValueEntry>,
    /// [`key`] of each entry, scanned on every row (integer compares, no `memcmp` calls).
    keys: Vec<Key>,
    index: HashMap<Box<[u8]>, usize>,
}

/// Values up to this long are identified by their [`key`] alone; longer ones are compared in full
/// when their keys match.
const KEY_EXACT_LEN: usize = 32;

/// A value's length with its first and last 16 bytes (overlapping for short values): equal values
/// have equal keys, and for values of at most 32 bytes equal keys mean equal values. Built from
/// fixed-size loads, so finding a value costs a few integer compares per known value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    len: usize,
    head: u128,
    tail: u128,
}

#[inline(always)]
fn key(bytes: &[u8]) -> Key {
    let (head, tail) =
        if let (Some(h), Some(t)) = (bytes.first_chunk::<16>(), bytes.last_chunk::<16>()) {
            (u128::from_le_bytes(*h), u128::from_le_bytes(*t))
        } else if let (Some(h), Some(t)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (
                u128::from(u64::from_le_bytes(*h)),
                u128::from(u64::from_le_bytes(*t)),
            )
        } else {
            let packed = bytes
                .iter()
                .enumerate()
                .fold(0u64, |acc, (i, &b)| acc | u64::from(b) << (8 * i));
            (u128::from(packed), 0)
        };
    Key {
        len: bytes.len(),
        head,
        tail,
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ValueEntry {
    pub bytes: Box<[u8]>,
    /// Meaning of the value (a slot, a decision…), fixed at first sight.
    pub code: u32,
    /// The value was named by no mapping.
    pub unmapped: bool,
    pub count: u64,
    /// Byte offset of the first record holding it (for error messages).
    pub first_offset: u64,
}

const LINEAR_MAX: usize = 16;

impl ValueTable {
    /// Count one occurrence of `bytes` if already known; returns its code.
    #[inline(always)]
    pub fn hit(&mut self, bytes: &[u8]) -> Option<u32> {
        let i = if self.entries.len() <= LINEAR_MAX {
            let wanted = key(bytes);
            let i = self.keys.iter().position(|&k| k == wanted)?;
            if bytes.len() > KEY_EXACT_LEN && *self.entries[i].bytes != *bytes {
                // Same length and first bytes as another value: compare in full.
                self.entries.iter().position(|e| *e.bytes == *bytes)?
            } else {
                i
            }
        } else {
            *self.index.get(bytes)?
        };
        let entry = &mut self.entries[i];
        entry.count += 1;
        Some(entry.code)
    }

    /// Record a value seen for the first time (with a count of one).
    pub fn insert(&mut self, bytes: &[u8], code: u32, unmapped: bool, offset: u64) {
        self.entries.push(ValueEntry {
            bytes: bytes.into(),
            code,
            unmapped,
            count: 1,
            first_offset: offset,
        });
        self.keys.push(key(bytes));
        if self.entries.len() > LINEAR_MAX {
            if self.index.is_empty() {
                for (i, e) in self.entries.iter().enumerate() {
                    self.index.insert(e.bytes.clone(), i);
                }
            } else {
                self.index.insert(bytes.into(), self.entries.len() - 1);
            }
        }
    }

    /// Fold another reader's table into this one (counts add, the earliest offset wins).
    pub fn merge(&mut self, other: ValueTable) {
        for e in other.entries {
            let found = if self.entries.len() <= LINEAR_MAX {
                self.entries.iter().position(|x| x.bytes == e.bytes)
            } else {
                self.index.get(&e.bytes).copied()
            };
            match found {
                Some(i) => {
                    let mine = &mut self.entries[i];
                    mine.count += e.count;
                    mine.first_offset = mine.first_offset.min(e.first_offset);
                }
                None => {
                    let (bytes, code, unmapped, count, first) =
                        (e.bytes, e.code, e.unmapped, e.count, e.first_offset);
                    self.insert(&bytes, code, unmapped, first);
                    self.entries.last_mut().expect("just inserted").count = count;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sex_map() -> CategoryMap {
        let mut m = CategoryMap::new();
        m.insert("Male".into(), vec!["M".into(), " male ".into()]);
        m.insert("Female".into(), vec!["F".into()]);
        m.insert(UNKNOWN.into(), vec!["".into(), "Declined".into()]);
        m
    }

    #[test]
    fn raw_values_resolve_after_trimming_the_config() {
        let map = AxisMap::from_config(&sex_map());
        assert_eq!(map.categories, ["Male", "Female"]);
        assert_eq!(map.resolve_raw("M"), Resolved::Category(0));
        assert_eq!(map.resolve_raw("male"), Resolved::Category(0));
        assert_eq!(map.resolve_raw("Declined"), Resolved::Unknown);
        assert_eq!(map.resolve_raw(""), Resolved::Unknown);
        // Case matters, and canonical names are not raw values for row data.
        assert_eq!(map.resolve_raw("m"), Resolved::Unmapped);
        assert_eq!(map.resolve_raw("Male"), Resolved::Unmapped);
        assert_eq!(map.slot(Resolved::Unknown), 2);
    }

    #[test]
    fn counts_accept_canonical_names_and_raw_values() {
        let mut map = AxisMap::from_config(&sex_map());
        assert_eq!(map.resolve_counts("Male"), Resolved::Category(0));
        assert_eq!(map.resolve_counts("F"), Resolved::Category(1));
        assert_eq!(map.resolve_counts("unknown"), Resolved::Unknown);
        assert_eq!(map.resolve_counts("X"), Resolved::Unmapped);
        assert_eq!(map.categories.len(), 2);
    }

    #[test]
    fn dynamic_map_learns_categories_in_order() {
        let mut map = AxisMap::dynamic();
        assert_eq!(map.resolve_counts("Female"), Resolved::Category(0));
        assert_eq!(map.resolve_counts("unknown"), Resolved::Unknown);
        assert_eq!(map.resolve_counts(""), Resolved::Unknown);
        assert_eq!(map.resolve_counts("Male"), Resolved::Category(1));
        assert_eq!(map.resolve_counts("Female"), Resolved::Category(0));
        assert_eq!(map.categories, ["Female", "Male"]);
    }

    #[test]
    fn outcome_decisions() {
        let mut values = Values::default();
        let open = OutcomeMap::from_config(&values);
        assert_eq!(open.decide("1"), Decision::Selected);
        assert_eq!(open.decide("Low"), Decision::NotSelected);
        values.not_selected = Some(vec!["0".into()]);
        values.selected.push("0".into());
        let strict = OutcomeMap::from_config(&values);
        assert_eq!(strict.decide("2"), Decision::Neither);
        assert_eq!(strict.contradictions(), ["0"]);
    }

    #[test]
    fn long_values_with_the_same_ends_and_length_stay_apart() {
        let mut t = ValueTable::default();
        t.insert(b"Native Hawaiian or Pacific Islander", 1, false, 0);
        t.insert(b"Native Hawaiian xx Pacific Islander", 2, false, 0);
        t.insert(b"", 3, false, 0);
        assert_eq!(t.hit(b"Native Hawaiian xx Pacific Islander"), Some(2));
        assert_eq!(t.hit(b"Native Hawaiian or Pacific Islander"), Some(1));
        assert_eq!(t.hit(b"Native Hawaiian zz Pacific Islander"), None);
        assert_eq!(t.hit(b""), Some(3));
        assert_eq!(t.hit(b"\0"), None);
        assert_eq!(
            t.entries.iter().map(|e| e.count).collect::<Vec<_>>(),
            [2, 2, 2]
        );
    }

    #[test]
    fn value_table_counts_and_merges_past_the_linear_limit() {
        let mut a = ValueTable::default();
        let mut b = ValueTable::default();
        for i in 0..40u32 {
            let v = format!("v{i}");
            a.insert(v.as_bytes(), i, false, 100 + u64::from(i));
            if i % 2 == 0 {
                b.insert(v.as_bytes(), i, false, u64::from(i));
            }
        }
        assert_eq!(a.hit(b"v39"), Some(39));
        assert_eq!(a.hit(b"nope"), None);
        b.insert(b"extra", 99, true, 5);
        a.merge(b);
        let v0 = a.entries.iter().find(|e| &*e.bytes == b"v0").unwrap();
        assert_eq!((v0.count, v0.first_offset), (2, 0));
        let v39 = a.entries.iter().find(|e| &*e.bytes == b"v39").unwrap();
        assert_eq!((v39.count, v39.first_offset), (2, 139));
        assert_eq!(a.hit(b"extra"), Some(99));
        assert_eq!(a.entries.len(), 41);
    }
}
