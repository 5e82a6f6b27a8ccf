//! The exact median of scores kept in several vectors (one per tally cell and reader), without
//! copying them into one: a quickselect whose partitions span all the vectors.
//!
//! Scores are finite and `-0.0` is stored as `0.0`, so `<`, `==`, `>` are a total order here.

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
    let mean = (lower + upper) / 2.0;
    Some(if mean.is_finite() {
        mean
    } else {
        lower / 2.0 + upper / 2.0
    })
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

    proptest! {
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
