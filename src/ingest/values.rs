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
/// code computed once per distinct value.
///
/// Rows are matched in two steps. A small open-addressing cache maps a field's *untrimmed* bytes,
/// identified by a [`Key`] built from fixed-size loads, straight to its entry: a hit costs a few
/// integer operations and no trimming, UTF-8 validation or hashing. A miss (a value's first
/// appearance in this reader, or a spelling with different surrounding whitespace) goes through
/// the exact path: trim, then compare with the entries (a linear scan; a hash index once a column
/// turns out to be wide), and the spelling is cached for next time.
#[derive(Debug)]
pub(crate) struct ValueTable {
    /// Counts of cached hits are kept in the cache until [`Self::settle`] adds them here.
    entries: Vec<ValueEntry>,
    index: HashMap<Box<[u8]>, usize>,
    cache: Box<[CacheSlot; CACHE_SLOTS]>,
    /// Cached spellings; caching stops at [`CACHE_MAX`] so that probes stay short.
    cached: usize,
}

impl Default for ValueTable {
    fn default() -> Self {
        ValueTable {
            entries: Vec::new(),
            index: HashMap::new(),
            cache: Box::new([CacheSlot::default(); CACHE_SLOTS]),
            cached: 0,
        }
    }
}

const CACHE_SLOTS: usize = 256;
const CACHE_MAX: usize = CACHE_SLOTS / 2;

/// Values up to this long are identified by their [`Key`] alone; longer ones are compared in full
/// when their keys match.
const KEY_EXACT_LEN: usize = 32;

/// A field's length with its first and last 16 bytes (zero-padded when shorter): equal bytes have
/// equal keys, and for fields of at most [`KEY_EXACT_LEN`] bytes equal keys mean equal bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Key {
    len: usize,
    head: u128,
    tail: u128,
}

impl Key {
    /// The key of `data[a..b]`. Reads up to 16 bytes past `b` when `data` has them (the record
    /// reader's buffer nearly always does) and masks them off, so that a short field costs one
    /// load.
    #[inline(always)]
    fn of(data: &[u8], a: usize, b: usize) -> Key {
        let len = b - a;
        let head = match data.get(a..).and_then(<[u8]>::first_chunk::<16>) {
            Some(word) => u128::from_le_bytes(*word),
            None => {
                let mut word = [0u8; 16];
                let n = len.min(16);
                word[..n].copy_from_slice(&data[a..a + n]);
                u128::from_le_bytes(word)
            }
        };
        let (head, tail) = if len >= 16 {
            let tail = data[..b].last_chunk::<16>().expect("len >= 16");
            (head, u128::from_le_bytes(*tail))
        } else {
            (head & MASKS[len], 0)
        };
        Key { len, head, tail }
    }

    #[inline(always)]
    fn slot(&self) -> usize {
        let mixed = (self.head as u64)
            ^ ((self.head >> 64) as u64).rotate_left(21)
            ^ (self.tail as u64).rotate_left(42)
            ^ self.len as u64;
        (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize % CACHE_SLOTS
    }
}

/// One cached spelling: its key, its entry, the entry's code, and the hits not yet added to the
/// entry's count (kept here, on the cache line just read, rather than in the entry).
#[derive(Debug, Clone, Copy, Default)]
struct CacheSlot {
    key: Key,
    /// Entry index + 1; 0 for an empty slot.
    entry: u32,
    code: u32,
    hits: u64,
}

/// `MASKS[n]` keeps the low `n` bytes of a `u128`.
const MASKS: [u128; 17] = {
    let mut masks = [0u128; 17];
    let mut n = 1;
    while n < 16 {
        masks[n] = (1u128 << (8 * n)) - 1;
        n += 1;
    }
    masks[16] = u128::MAX;
    masks
};

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
    /// The code of the field `data[a..b]` (untrimmed), counting it. A value not seen before by
    /// this table is trimmed and passed to `first_sight`, which gives its code and whether it is
    /// unmapped (or an error); `offset` is the record's, kept for error messages.
    #[inline(always)]
    pub fn lookup<E>(
        &mut self,
        data: &[u8],
        (a, b): (usize, usize),
        offset: u64,
        first_sight: impl FnOnce(&[u8]) -> Result<(u32, bool), E>,
    ) -> Result<u32, E> {
        match self.hit_raw(data, a, b) {
            Some(code) => Ok(code),
            None => self.lookup_exact(data, a, b, offset, first_sight),
        }
    }

    /// [`Self::lookup`] past the cache: trim, find or insert, and cache the spelling.
    #[inline(never)]
    fn lookup_exact<E>(
        &mut self,
        data: &[u8],
        a: usize,
        b: usize,
        offset: u64,
        first_sight: impl FnOnce(&[u8]) -> Result<(u32, bool), E>,
    ) -> Result<u32, E> {
        let bytes = data[a..b].trim_ascii();
        let i = match self.hit(bytes) {
            Some(i) => i,
            None => {
                let (code, unmapped) = first_sight(bytes)?;
                self.insert(bytes, code, unmapped, offset)
            }
        };
        self.remember_raw(data, a, b, i);
        Ok(self.entries[i].code)
    }

    /// Fast path: if the untrimmed field `data[a..b]` was seen before, count it and return its
    /// code.
    #[inline(always)]
    fn hit_raw(&mut self, data: &[u8], a: usize, b: usize) -> Option<u32> {
        let key = Key::of(data, a, b);
        let mut at = key.slot();
        loop {
            let slot = &self.cache[at];
            if slot.entry == 0 {
                return None;
            }
            if slot.key == key {
                break;
            }
            at = (at + 1) % CACHE_SLOTS;
        }
        if key.len > KEY_EXACT_LEN
            && *self.entries[self.cache[at].entry as usize - 1].bytes != data[a..b]
        {
            return None;
        }
        let slot = &mut self.cache[at];
        slot.hits += 1;
        Some(slot.code)
    }

    /// Remember that the untrimmed field `data[a..b]` is entry `i` (after [`Self::hit`] or
    /// [`Self::insert`] counted it).
    fn remember_raw(&mut self, data: &[u8], a: usize, b: usize, i: usize) {
        let key = Key::of(data, a, b);
        // A long spelling is only cached when it is the entry's bytes, against which hits are
        // verified.
        if self.cached >= CACHE_MAX
            || (key.len > KEY_EXACT_LEN && *self.entries[i].bytes != data[a..b])
        {
            return;
        }
        let mut at = key.slot();
        while self.cache[at].entry != 0 {
            if self.cache[at].key == key {
                return; // a long value with the same key as another one: not cacheable
            }
            at = (at + 1) % CACHE_SLOTS;
        }
        self.cache[at] = CacheSlot {
            key,
            entry: u32::try_from(i + 1).expect("fewer than 2^32 distinct values"),
            code: self.entries[i].code,
            hits: 0,
        };
        self.cached += 1;
    }

    /// Count one occurrence of the (trimmed) `bytes` if already known; returns its entry index.
    fn hit(&mut self, bytes: &[u8]) -> Option<usize> {
        let i = self.find(bytes)?;
        self.entries[i].count += 1;
        Some(i)
    }

    fn find(&self, bytes: &[u8]) -> Option<usize> {
        if self.entries.len() <= LINEAR_MAX {
            self.entries.iter().position(|e| *e.bytes == *bytes)
        } else {
            self.index.get(bytes).copied()
        }
    }

    /// Record a value seen for the first time (with a count of one); returns its entry index.
    pub fn insert(&mut self, bytes: &[u8], code: u32, unmapped: bool, offset: u64) -> usize {
        self.entries.push(ValueEntry {
            bytes: bytes.into(),
            code,
            unmapped,
            count: 1,
            first_offset: offset,
        });
        if self.entries.len() > LINEAR_MAX {
            if self.index.is_empty() {
                for (i, e) in self.entries.iter().enumerate() {
                    self.index.insert(e.bytes.clone(), i);
                }
            } else {
                self.index.insert(bytes.into(), self.entries.len() - 1);
            }
        }
        self.entries.len() - 1
    }

    /// The entry of the field `bytes` (untrimmed), found or added with a count of zero, for readers
    /// that count rows by value themselves (Parquet dictionaries) and add them with
    /// [`Self::add_count`]. At first sight the trimmed bytes go to `first_sight`, as in
    /// [`Self::lookup`]; `offset` is the row's, and the earliest offset is kept.
    pub fn entry<E>(
        &mut self,
        bytes: &[u8],
        offset: u64,
        first_sight: impl FnOnce(&[u8]) -> Result<(u32, bool), E>,
    ) -> Result<usize, E> {
        let bytes = bytes.trim_ascii();
        if let Some(i) = self.find(bytes) {
            let entry = &mut self.entries[i];
            entry.first_offset = entry.first_offset.min(offset);
            return Ok(i);
        }
        let (code, unmapped) = first_sight(bytes)?;
        let i = self.insert(bytes, code, unmapped, offset);
        self.entries[i].count = 0;
        Ok(i)
    }

    /// Distinct values so far (the index the next new one gets).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The (trimmed) bytes of an entry.
    pub fn bytes(&self, entry: usize) -> &[u8] {
        &self.entries[entry].bytes
    }

    /// The code of an entry given by [`Self::entry`].
    pub fn code(&self, entry: usize) -> u32 {
        self.entries[entry].code
    }

    /// Count `n` more occurrences of an entry given by [`Self::entry`].
    pub fn add_count(&mut self, entry: usize, n: u64) {
        self.entries[entry].count += n;
    }

    /// Add the hits counted in the cache to the entries' counts.
    pub fn settle(&mut self) {
        for slot in self.cache.iter_mut().filter(|s| s.entry != 0) {
            self.entries[slot.entry as usize - 1].count += std::mem::take(&mut slot.hits);
        }
    }

    /// The distinct values with their counts (after [`Self::settle`]).
    pub fn entries(&self) -> &[ValueEntry] {
        debug_assert!(
            self.cache.iter().all(|s| s.hits == 0),
            "ValueTable::settle must run before counts are read"
        );
        &self.entries
    }

    /// Fold another reader's table into this one (counts add, the earliest offset wins).
    pub fn merge(&mut self, mut other: ValueTable) {
        self.settle();
        other.settle();
        for e in other.entries {
            match self.find(&e.bytes) {
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

    /// Look up every field of `fields` as the row reader does, each at the end of its own buffer
    /// (no bytes past the field) and inside a longer one (garbage after it); returns the codes and
    /// the values that were new.
    fn lookup_all(t: &mut ValueTable, fields: &[&[u8]]) -> (Vec<u32>, Vec<Vec<u8>>) {
        let mut codes = Vec::new();
        let mut new = Vec::new();
        for (row, field) in fields.iter().enumerate() {
            let mut padded = b"xx,".to_vec();
            padded.extend_from_slice(field);
            let exact_end = padded.clone();
            padded.extend_from_slice(b",\xffgarbage after the field, long enough to fill a word");
            for data in [&exact_end, &padded] {
                let code = t
                    .lookup(data, (3, 3 + field.len()), row as u64, |bytes| {
                        new.push(bytes.to_vec());
                        Ok::<_, ()>((t_code(bytes), false))
                    })
                    .unwrap();
                codes.push(code);
            }
        }
        (codes, new)
    }

    /// A code derived from the bytes, so that a wrong entry shows.
    fn t_code(bytes: &[u8]) -> u32 {
        bytes.iter().fold(bytes.len() as u32, |h, &b| {
            h.wrapping_mul(31) ^ u32::from(b)
        })
    }

    #[test]
    fn lookups_match_exact_bytes_after_trimming() {
        let mut t = ValueTable::default();
        let fields: [&[u8]; 14] = [
            b"Native Hawaiian or Pacific Islander",
            b"Native Hawaiian xx Pacific Islander",
            b"Native Hawaiian or Pacific Islander",
            b"",
            b"  ",
            b"M",
            b" M",
            b"M ",
            b"M\0",
            b"exactly sixteen!",
            b"exactly sixteen?",
            b"seventeen bytes!!",
            b" Native Hawaiian or Pacific Islander",
            b"\xc3",
        ];
        for _ in 0..3 {
            let (codes, _) = lookup_all(&mut t, &fields);
            let expected: Vec<u32> = fields
                .iter()
                .flat_map(|f| [t_code(f.trim_ascii()); 2])
                .collect();
            assert_eq!(codes, expected);
        }
        t.settle();
        let distinct: Vec<&[u8]> = t.entries().iter().map(|e| &*e.bytes).collect();
        assert_eq!(
            distinct,
            [
                &b"Native Hawaiian or Pacific Islander"[..],
                b"Native Hawaiian xx Pacific Islander",
                b"",
                b"M",
                b"M\0",
                b"exactly sixteen!",
                b"exactly sixteen?",
                b"seventeen bytes!!",
                b"\xc3",
            ]
        );
        let counts: Vec<u64> = t.entries().iter().map(|e| e.count).collect();
        assert_eq!(counts, [18, 6, 12, 18, 6, 6, 6, 6, 6]);
        // First sights keep the offset of the first record holding the value.
        assert_eq!(t.entries[3].first_offset, 5);
    }

    /// Entries counted by the caller (Parquet dictionaries): found after trimming, inserted with
    /// a count of zero, the earliest row kept, and counted in bulk.
    #[test]
    fn entries_counted_in_bulk() {
        let mut t = ValueTable::default();
        let first = t.entry(b" M ", 40, |bytes| {
            assert_eq!(bytes, b"M");
            Ok::<_, ()>((7, false))
        });
        assert_eq!(first, Ok(0));
        assert_eq!(t.code(0), 7);
        assert_eq!(
            t.entry(b"M", 12, |_| Err(())),
            Ok(0),
            "found, not first sight"
        );
        assert_eq!(t.entry(b"bad", 1, |_| Err("no")), Err("no"));
        t.add_count(0, 1000);
        t.add_count(0, 5);
        t.settle();
        assert_eq!(t.entries().len(), 1);
        assert_eq!(
            (t.entries()[0].count, t.entries()[0].first_offset),
            (1005, 12)
        );
        // Mixed with per-row lookups of the same value.
        assert_eq!(t.lookup(b"M", (0, 1), 99, |_| Err(())), Ok(7));
        t.settle();
        assert_eq!(t.entries()[0].count, 1006);
    }

    #[test]
    fn first_sight_errors_are_returned_every_time() {
        let mut t = ValueTable::default();
        for _ in 0..2 {
            assert_eq!(t.lookup(b"bad", (0, 3), 7, |_| Err("no")), Err("no"));
        }
        assert!(t.entries.is_empty());
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
        let (codes, new) = lookup_all(&mut a, &[b"v3", b"v38", b"new"]);
        assert_eq!(codes, [3, 3, 38, 38, t_code(b"new"), t_code(b"new")]);
        assert_eq!(new, [b"new".to_vec()]);
        b.insert(b"extra", 99, true, 5);
        a.merge(b);
        let v0 = a.entries.iter().find(|e| &*e.bytes == b"v0").unwrap();
        assert_eq!((v0.count, v0.first_offset), (2, 0));
        let v39 = a.entries.iter().find(|e| &*e.bytes == b"v39").unwrap();
        assert_eq!((v39.count, v39.first_offset), (2, 139));
        let v38 = a.entries.iter().find(|e| &*e.bytes == b"v38").unwrap();
        assert_eq!((v38.count, v38.first_offset), (4, 38));
        assert_eq!(a.hit(b"extra").map(|i| a.entries[i].code), Some(99));
        assert_eq!(a.entries.len(), 42);
    }
}
