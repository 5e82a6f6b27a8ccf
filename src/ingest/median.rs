//! The exact median of every score (6 RCNY §5-301(c)(1): the full sample), and the count of each
//! cell's scores above it.
//!
//! Scores are kept per tally cell in one of two exact forms ([`Scores`]): while a reader has seen
//! few distinct values (scores in exports usually have one or two decimals), a histogram of
//! counts per distinct value and cell — a few hundred kilobytes whatever the row count; past
//! that, every value in vectors (8 bytes per row), whose median is a quickselect whose partitions
//! span all the vectors, without copying them into one. Both give the same numbers.
//!
//! Scores are finite and `-0.0` is stored as `0.0`, so `<`, `==`, `>` are a total order here, and
//! equal scores have equal bits.

use crate::ingest::ScoreCounts;
use crate::limits::MAX_SCORE_BUCKETS;

/// At most this many bytes of histogram counts per reader before it turns into vectors.
const HISTOGRAM_BYTES: usize = 4 << 20;

/// The scores of one reader (or, after merging, of all), by tally cell.
#[derive(Debug)]
pub(crate) enum Scores {
    Histogram(Histogram),
    /// Vectors of scores, each with its cell (before merging, vector `i` is cell `i`'s).
    Lists(Vec<(usize, Vec<f64>)>),
}

/// Counts per distinct score and cell, with an open-addressing index on the score's bits.
#[derive(Debug)]
pub(crate) struct Histogram {
    cells: usize,
    /// Distinct values in order of first sight.
    values: Vec<f64>,
    /// `counts[value * cells + cell]`.
    counts: Vec<u64>,
    /// Value index + 1 (0: empty), at the slot given by the value's bits; at most half full
    /// (grown as values come, so that it stays small and in cache).
    slots: Vec<u32>,
    max_values: usize,
}

/// The median of the full sample, and what it splits.
#[derive(Debug, PartialEq)]
pub(crate) struct Split {
    pub median: f64,
    /// Scores strictly above the median, per cell.
    pub above: Vec<u64>,
    /// Scores equal to the median.
    pub ties: u64,
}

impl Scores {
    /// No scores kept (selection mode).
    pub fn none() -> Scores {
        Scores::Lists(Vec::new())
    }

    pub fn new(cells: usize) -> Scores {
        Scores::with_histogram_limit(cells, (HISTOGRAM_BYTES / 8 / cells.max(1)).max(1))
    }

    /// Scores whose histogram holds at most `max_values` distinct values.
    fn with_histogram_limit(cells: usize, max_values: usize) -> Scores {
        Scores::Histogram(Histogram {
            cells,
            values: Vec::new(),
            counts: Vec::new(),
            slots: vec![0; 64],
            max_values,
        })
    }

    #[inline]
    pub fn add(&mut self, cell: usize, value: f64) {
        match self {
            Scores::Histogram(h) => {
                if !h.add(cell, value, 1) {
                    self.spill();
                    self.add(cell, value);
                }
            }
            Scores::Lists(lists) => lists[cell].1.push(value),
        }
    }

    /// Turn a histogram into vectors (too many distinct values).
    fn spill(&mut self) {
        if let Scores::Histogram(h) = self {
            let mut lists: Vec<(usize, Vec<f64>)> = (0..h.cells).map(|c| (c, Vec::new())).collect();
            for (i, &value) in h.values.iter().enumerate() {
                for (cell, &n) in h.counts[i * h.cells..(i + 1) * h.cells].iter().enumerate() {
                    lists[cell].1.extend(std::iter::repeat_n(value, n as usize));
                }
            }
            *self = Scores::Lists(lists);
        }
    }

    /// Add another reader's scores (vectors are moved, not copied).
    pub fn merge(&mut self, mut other: Scores) {
        if let (Scores::Histogram(mine), Scores::Histogram(theirs)) = (&mut *self, &other) {
            let new_values = theirs
                .values
                .iter()
                .filter(|&&v| mine.find(v).is_none())
                .count();
            if mine.values.len() + new_values <= mine.max_values {
                for (i, &value) in theirs.values.iter().enumerate() {
                    let counts = &theirs.counts[i * theirs.cells..(i + 1) * theirs.cells];
                    for (cell, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                        let added = mine.add(cell, value, n);
                        debug_assert!(added, "room was checked");
                    }
                }
                return;
            }
        }
        self.spill();
        other.spill();
        if let (Scores::Lists(mine), Scores::Lists(theirs)) = (self, other) {
            mine.extend(theirs.into_iter().filter(|(_, v)| !v.is_empty()));
        }
    }

    /// The median of every score and the counts above it per cell; `None` without scores.
    pub fn split(self) -> Option<Split> {
        match self {
            Scores::Histogram(h) => h.split(),
            Scores::Lists(lists) => {
                let (cells, mut parts): (Vec<usize>, Vec<Vec<f64>>) = lists.into_iter().unzip();
                let median = median(&mut parts)?;
                let mut above = vec![0; cells.iter().max().map_or(0, |c| c + 1)];
                let mut ties = 0;
                for (&cell, part) in cells.iter().zip(&parts) {
                    for &v in part {
                        above[cell] += u64::from(v > median);
                        ties += u64::from(v == median);
                    }
                }
                Some(Split {
                    median,
                    above,
                    ties,
                })
            }
        }
    }
}

impl Scores {
    /// The counts per distinct score for the cut-off table (scoring mode), when few enough.
    pub fn counts(&self) -> ScoreCounts {
        match self {
            Scores::Histogram(h) if h.values.len() <= MAX_SCORE_BUCKETS => h.sorted(),
            _ => ScoreCounts::TooMany,
        }
    }
}

/// Counts per distinct score and cell for the cut-off table, while there are at most
/// [`MAX_SCORE_BUCKETS`] distinct scores (`None` past that: the table is not made).
#[derive(Debug)]
pub(crate) struct Buckets(Option<Histogram>);

impl Buckets {
    pub fn new(cells: usize) -> Buckets {
        Buckets(Some(Histogram {
            cells,
            values: Vec::new(),
            counts: Vec::new(),
            slots: vec![0; 64],
            max_values: MAX_SCORE_BUCKETS,
        }))
    }

    #[inline]
    pub fn add(&mut self, cell: usize, value: f64) {
        if let Some(h) = &mut self.0
            && !h.add(cell, value, 1)
        {
            self.0 = None;
        }
    }

    pub fn merge(&mut self, other: Buckets) {
        let (Some(mine), Some(theirs)) = (&mut self.0, other.0) else {
            self.0 = None;
            return;
        };
        for (i, &value) in theirs.values.iter().enumerate() {
            let counts = &theirs.counts[i * theirs.cells..(i + 1) * theirs.cells];
            for (cell, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                if !mine.add(cell, value, n) {
                    self.0 = None;
                    return;
                }
            }
        }
    }

    pub fn finish(&self) -> ScoreCounts {
        self.0
            .as_ref()
            .map_or(ScoreCounts::TooMany, Histogram::sorted)
    }
}

impl Histogram {
    /// The counts with the values in ascending order.
    fn sorted(&self) -> ScoreCounts {
        let mut order: Vec<usize> = (0..self.values.len()).collect();
        order.sort_unstable_by(|&a, &b| self.values[a].total_cmp(&self.values[b]));
        ScoreCounts::Counts {
            values: order.iter().map(|&i| self.values[i]).collect(),
            counts: order
                .iter()
                .flat_map(|&i| {
                    self.counts[i * self.cells..(i + 1) * self.cells]
                        .iter()
                        .copied()
                })
                .collect(),
        }
    }

    /// Fibonacci hashing: the top bits of the product depend on every bit of the value (round
    /// scores like `65.0` have all-zero low mantissa bits).
    #[inline(always)]
    fn slot(&self, value: f64) -> usize {
        let mixed = (value.to_bits() ^ (value.to_bits() >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (mixed >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    fn find(&self, value: f64) -> Option<usize> {
        let mut at = self.slot(value);
        loop {
            match self.slots[at] {
                0 => return None,
                i if self.values[i as usize - 1].to_bits() == value.to_bits() => {
                    return Some(i as usize - 1);
                }
                _ => at = (at + 1) & (self.slots.len() - 1),
            }
        }
    }

    /// Count `n` more of `value` in `cell`; false (changing nothing) when it is a new value and
    /// the histogram is full.
    #[inline(always)]
    fn add(&mut self, cell: usize, value: f64, n: u64) -> bool {
        let mut at = self.slot(value);
        let index = loop {
            match self.slots[at] {
                0 => {
                    if self.values.len() == self.max_values {
                        return false;
                    }
                    self.values.push(value);
                    self.counts.resize(self.values.len() * self.cells, 0);
                    self.slots[at] =
                        u32::try_from(self.values.len()).expect("bounded by max_values");
                    if 2 * self.values.len() > self.slots.len() {
                        self.grow();
                    }
                    break self.values.len() - 1;
                }
                i if self.values[i as usize - 1].to_bits() == value.to_bits() => {
                    break i as usize - 1;
                }
                _ => at = (at + 1) & (self.slots.len() - 1),
            }
        };
        self.counts[index * self.cells + cell] += n;
        true
    }

    /// Double the index.
    #[cold]
    fn grow(&mut self) {
        self.slots = vec![0; self.slots.len() * 2];
        for (i, &value) in self.values.iter().enumerate() {
            let mut at = self.slot(value);
            while self.slots[at] != 0 {
                at = (at + 1) & (self.slots.len() - 1);
            }
            self.slots[at] = u32::try_from(i + 1).expect("bounded by max_values");
        }
    }

    fn split(&self) -> Option<Split> {
        let mut order: Vec<usize> = (0..self.values.len()).collect();
        order.sort_unstable_by(|&a, &b| self.values[a].total_cmp(&self.values[b]));
        let totals: Vec<u64> = order
            .iter()
            .map(|&i| {
                self.counts[i * self.cells..(i + 1) * self.cells]
                    .iter()
                    .sum()
            })
            .collect();
        let total: u64 = totals.iter().sum();
        if total == 0 {
            return None;
        }
        // The value of 0-based rank `k` in sorted order.
        let at_rank = |k: u64| {
            let mut seen = 0;
            for (&i, &n) in order.iter().zip(&totals) {
                seen += n;
                if k < seen {
                    return self.values[i];
                }
            }
            unreachable!("rank below the total")
        };
        let lower = at_rank((total - 1) / 2);
        let median = if total % 2 == 1 {
            lower
        } else {
            middle(lower, at_rank(total / 2))
        };
        let mut above = vec![0; self.cells];
        let mut ties = 0;
        for (i, &value) in self.values.iter().enumerate() {
            let counts = &self.counts[i * self.cells..(i + 1) * self.cells];
            if value > median {
                for (sum, &n) in above.iter_mut().zip(counts) {
                    *sum += n;
                }
            } else if value == median {
                ties += counts.iter().sum::<u64>();
            }
        }
        Some(Split {
            median,
            above,
            ties,
        })
    }
}

/// The mean of the two middle values (as numpy and pandas compute it), without overflowing.
fn middle(lower: f64, upper: f64) -> f64 {
    let mean = (lower + upper) / 2.0;
    if mean.is_finite() {
        mean
    } else {
        lower / 2.0 + upper / 2.0
    }
}

/// The exact median of all values (for an even count, the mean of the two middle values, as
/// numpy and pandas compute it). `None` when there are no values. Reorders values within each part.
pub(crate) fn median(parts: &mut [Vec<f64>]) -> Option<f64> {
    let total: usize = parts.iter().map(Vec::len).sum();
    if total == 0 {
        return None;
    }
    let lower_rank = (total - 1) / 2;
    let lower = kth_smallest(parts, lower_rank);
    if total % 2 == 1 {
        return Some(lower);
    }
    // The upper middle value: `lower` again if it occurs past the lower rank, else the smallest
    // value above it.
    let at_most: usize = parts
        .iter()
        .flat_map(|p| p.iter())
        .filter(|&&v| v <= lower)
        .count();
    let upper = if at_most > lower_rank + 1 {
        lower
    } else {
        parts
            .iter()
            .flat_map(|p| p.iter())
            .copied()
            .filter(|&v| v > lower)
            .fold(f64::INFINITY, f64::min)
    };
    Some(middle(lower, upper))
}

/// The value of 0-based rank `k` in the sorted union of `parts`.
fn kth_smallest(parts: &mut [Vec<f64>], mut k: usize) -> f64 {
    let mut ranges: Vec<(usize, usize)> = parts.iter().map(|p| (0, p.len())).collect();
    let mut rng = SplitMix64(0x9e37_79b9_7f4a_7c15);
    loop {
        let remaining: usize = ranges.iter().map(|(a, b)| b - a).sum();
        debug_assert!(k < remaining);
        // A pseudo-random pivot among the remaining candidates keeps the expected cost linear.
        let mut pick = (rng.next() % remaining as u64) as usize;
        let mut pivot = f64::NAN;
        for (part, &(a, b)) in parts.iter().zip(&ranges) {
            if pick < b - a {
                pivot = part[a + pick];
                break;
            }
            pick -= b - a;
        }
        let mut split = Vec::with_capacity(parts.len());
        let (mut less, mut equal) = (0usize, 0usize);
        for (part, &(a, b)) in parts.iter_mut().zip(&ranges) {
            let (lt, gt) = partition3(&mut part[a..b], pivot);
            less += lt;
            equal += gt - lt;
            split.push((a + lt, a + gt));
        }
        if k < less {
            for (range, &(lt, _)) in ranges.iter_mut().zip(&split) {
                range.1 = lt;
            }
        } else if k < less + equal {
            return pivot;
        } else {
            k -= less + equal;
            for (range, &(_, gt)) in ranges.iter_mut().zip(&split) {
                range.0 = gt;
            }
        }
    }
}

/// Three-way partition: `[< pivot | == pivot | > pivot]`; returns the two boundaries.
fn partition3(v: &mut [f64], pivot: f64) -> (usize, usize) {
    let (mut lt, mut i, mut gt) = (0, 0, v.len());
    while i < gt {
        if v[i] < pivot {
            v.swap(lt, i);
            lt += 1;
            i += 1;
        } else if v[i] > pivot {
            gt -= 1;
            v.swap(i, gt);
        } else {
            i += 1;
        }
    }
    (lt, gt)
}

/// A tiny deterministic generator for pivot choice (no dependency, same result every run).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sorted_median(values: &[f64]) -> f64 {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }

    #[test]
    fn a_histogram_stays_a_histogram_while_values_are_few() {
        let mut scores = Scores::new(3);
        for i in 0..10_000u32 {
            scores.add(i as usize % 3, f64::from(i % 101) / 10.0);
        }
        assert!(matches!(scores, Scores::Histogram(_)));
        let mut other = Scores::new(3);
        other.add(1, 1e300);
        other.add(2, 1e300);
        scores.merge(other);
        assert!(matches!(scores, Scores::Histogram(_)));
        let split = scores.split().unwrap();
        assert_eq!(split.median, 5.0);
        let mut list = Scores::new(3);
        list.spill();
        for i in 0..10_000u32 {
            list.add(i as usize % 3, f64::from(i % 101) / 10.0);
        }
        list.add(1, 1e300);
        list.add(2, 1e300);
        assert!(matches!(list, Scores::Lists(_)));
        assert_eq!(list.split(), Some(split));
        assert_eq!(Scores::new(2).split(), None);
        assert_eq!(Scores::none().split(), None);
    }

    #[test]
    fn known_medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [vec![], vec![]]), None);
        assert_eq!(median(&mut [vec![3.0]]), Some(3.0));
        assert_eq!(
            median(&mut [vec![1.0, 4.0], vec![], vec![2.0, 3.0]]),
            Some(2.5)
        );
        assert_eq!(median(&mut [vec![5.0, 5.0], vec![5.0, 1.0]]), Some(5.0));
        assert_eq!(median(&mut [vec![1.0, 1.0], vec![9.0, 9.0]]), Some(5.0));
        assert_eq!(median(&mut [vec![f64::MAX, f64::MAX]]), Some(f64::MAX));
    }

    /// Median, scores above it per cell, and ties, by sorting.
    fn reference(rows: &[(usize, f64)], cells: usize) -> Option<Split> {
        if rows.is_empty() {
            return None;
        }
        let all: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let median = sorted_median(&all);
        let mut above = vec![0; cells];
        for &(cell, v) in rows {
            above[cell] += u64::from(v > median);
        }
        let ties = rows.iter().filter(|r| r.1 == median).count() as u64;
        Some(Split {
            median,
            above,
            ties,
        })
    }

    /// `Split::above` may stop at the last cell with scores (vectors); compare padded.
    fn padded(split: Option<Split>, cells: usize) -> Option<Split> {
        split.map(|mut s| {
            s.above.resize(cells, 0);
            s
        })
    }

    proptest! {
        /// Histograms (any size limit, so that some readers spill to vectors and some merges
        /// overflow) give the same split as sorting every score.
        #[test]
        fn histograms_and_vectors_agree_with_sorting(
            rows in prop::collection::vec((0usize..4, -20i32..20), 0..120),
            readers in 1usize..4,
            limit in 1usize..12,
        ) {
            let cells = 4;
            let rows: Vec<(usize, f64)> = rows.into_iter().map(|(c, x)| (c, f64::from(x) / 2.0)).collect();
            let mut parts: Vec<Scores> = (0..readers).map(|_| Scores::with_histogram_limit(cells, limit)).collect();
            for (i, &(cell, v)) in rows.iter().enumerate() {
                parts[i % readers].add(cell, v);
            }
            let mut parts = parts.into_iter();
            let mut all = parts.next().unwrap();
            for p in parts {
                all.merge(p);
            }
            prop_assert_eq!(padded(all.split(), cells), reference(&rows, cells));
        }

        #[test]
        fn equals_the_sorted_median(parts in prop::collection::vec(prop::collection::vec(-50i32..50, 0..40), 1..6)) {
            let mut parts: Vec<Vec<f64>> = parts.into_iter().map(|p| p.into_iter().map(|x| f64::from(x) / 4.0).collect()).collect();
            let all: Vec<f64> = parts.iter().flatten().copied().collect();
            let got = median(&mut parts);
            if all.is_empty() {
                prop_assert_eq!(got, None);
            } else {
                prop_assert_eq!(got, Some(sorted_median(&all)));
            }
        }
    }
}
