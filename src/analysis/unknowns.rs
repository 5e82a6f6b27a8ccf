//! How much the people with an unknown category could matter, inferring nothing about them (LL144
//! forbids imputing categories, 6 RCNY §5-301(b)(5)): bounds on each impact ratio over every way the
//! unknowns could be spread over the categories (partial identification, Manski), and the fewest
//! unknowns that, were they of a given category, would flip its four-fifths flag.
//!
//! The unknowns' outcomes are recorded (so many selected, so many not); only their category is
//! missing. The bounds range over every assignment of those people to categories, keeping their
//! recorded outcomes. The set of categories that can be the reference (not excluded under
//! §5-301(d)) is kept as it is.

use super::twosample::Sample;

/// A category of a family, as the bounds see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub sample: Sample,
    /// May be the reference (not excluded under §5-301(d)).
    pub eligible: bool,
}

/// The unknowns of a family: how many were selected and how many not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unknowns {
    pub positive: u64,
    pub negative: u64,
}

/// Lowest and highest impact ratio of category `c` (an eligible one) over every assignment of the
/// unknowns. Each bound is `None` when the ratio is 0/0 in that extreme (every rate 0) or the
/// category would still have nobody.
///
/// Lowest: every unselected unknown in `c`, every selected one in the other category where it
/// raises the highest rate most. Highest: every selected unknown in `c`, the unselected ones spread
/// over the other categories to bring their highest rate as low as it can go.
pub fn impact_ratio_bounds(slots: &[Slot], c: usize, u: Unknowns) -> (Option<f64>, Option<f64>) {
    let own = slots[c].sample;
    let others = || {
        slots
            .iter()
            .enumerate()
            .filter(move |&(j, s)| j != c && s.eligible)
            .map(|(_, s)| s.sample)
    };
    let ratio = |rate: Option<f64>, top_other: f64| {
        let rate = rate?;
        let top = rate.max(top_other);
        (top > 0.0).then(|| rate / top)
    };

    let low_rate = share(own.x, own.n + u.negative);
    let top_high = others()
        .filter(|s| s.n + u.positive > 0)
        .map(|s| (s.x + u.positive) as f64 / (s.n + u.positive) as f64)
        .fold(0.0, f64::max);
    let low = ratio(low_rate, top_high);

    let high_rate = share(own.x + u.positive, own.n + u.positive);
    let high = ratio(
        high_rate,
        lowest_top(&others().collect::<Vec<_>>(), u.negative),
    );
    (low, high)
}

fn share(x: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| x as f64 / n as f64)
}

/// The lowest the highest rate among `samples` can be brought by adding `negatives` unselected
/// people to them: the smallest t such that bringing every rate to t or below takes no more than
/// `negatives` people (`⌈x/t⌉ − n` each), found by bisection on t and then read off the allocation.
fn lowest_top(samples: &[Sample], negatives: u64) -> f64 {
    let present: Vec<Sample> = samples.iter().copied().filter(|s| s.n > 0).collect();
    let top = present.iter().map(Sample::rate).fold(0.0, f64::max);
    if top == 0.0 || negatives == 0 {
        return top;
    }
    // The fewest people bringing x/(n + k) to t or below, decided with the very expression the
    // result is read from (so that the sample at the top needs 0, whatever the rounding).
    let at_most = |s: &Sample, k: u64, t: f64| s.x as f64 / (s.n + k) as f64 <= t;
    let need = |t: f64| -> Vec<u64> {
        present
            .iter()
            .map(|s| {
                let mut k = ((s.x as f64 / t).ceil() as u64).saturating_sub(s.n);
                while k > 0 && at_most(s, k - 1, t) {
                    k -= 1;
                }
                while !at_most(s, k, t) {
                    k += 1;
                }
                k
            })
            .collect()
    };
    let feasible = |t: f64| need(t).iter().sum::<u64>() <= negatives;
    let (mut low, mut high) = (0.0f64, top);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            break;
        }
        if feasible(mid) { high = mid } else { low = mid }
    }
    present
        .iter()
        .zip(need(high))
        .map(|(s, k)| s.x as f64 / (s.n + k) as f64)
        .fold(0.0, f64::max)
}

/// The fewest unknowns that, all of category `c`, would flip its four-fifths flag, from exact
/// integer arithmetic (rate < 0.8 × reference rate ⇔ 5·x·n_ref < 4·n·x_ref):
///
/// - flagged: selected unknowns added to `c` until `5(x + k)·n_ref ≥ 4(n + k)·x_ref`;
/// - not flagged: unselected unknowns added to `c` until `5x·n_s < 4(n + k)·x_s`, `s` the
///   highest-rate eligible category other than `c` (the reference, or for the reference itself
///   the runner-up, which then becomes the reference).
///
/// `None` when there are not enough unknowns of the needed outcome, or nothing to compare with.
pub fn unknowns_to_flip(
    slots: &[Slot],
    c: usize,
    reference: usize,
    flagged: bool,
    u: Unknowns,
) -> Option<u64> {
    let own = slots[c].sample;
    let (x, n) = (u128::from(own.x), u128::from(own.n));
    let k = if flagged {
        let r = slots[reference].sample;
        let (xr, nr) = (u128::from(r.x), u128::from(r.n));
        let gap = 4 * n * xr - 5 * x * nr; // > 0: flagged
        let per_person = 5 * nr - 4 * xr; // ≥ n_ref > 0
        gap.div_ceil(per_person)
    } else {
        let s = slots
            .iter()
            .enumerate()
            .filter(|&(j, s)| j != c && s.eligible && s.sample.n > 0)
            .map(|(_, s)| s.sample)
            .max_by(|a, b| {
                (u128::from(a.x) * u128::from(b.n)).cmp(&(u128::from(b.x) * u128::from(a.n)))
            })?;
        let (xs, ns) = (u128::from(s.x), u128::from(s.n));
        if xs == 0 {
            return None;
        }
        let margin = (5 * x * ns).checked_sub(4 * n * xs)?; // ≥ 0: not flagged
        margin / (4 * xs) + 1
    };
    let available = if flagged { u.positive } else { u.negative };
    u64::try_from(k).ok().filter(|&k| k <= available)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn slot(x: u64, n: u64) -> Slot {
        Slot {
            sample: Sample::new(x, n),
            eligible: true,
        }
    }

    fn impact_ratio(slots: &[Slot], c: usize) -> Option<f64> {
        let top = slots
            .iter()
            .filter(|s| s.eligible && s.sample.n > 0)
            .map(|s| s.sample.rate())
            .fold(0.0, f64::max);
        (slots[c].sample.n > 0 && top > 0.0).then(|| slots[c].sample.rate() / top)
    }

    /// Every assignment of the unknowns, for tiny cases: (min, max) of the ratio.
    fn brute(slots: &[Slot], c: usize, u: Unknowns) -> (Option<f64>, Option<f64>) {
        fn spread(total: u64, parts: usize) -> Vec<Vec<u64>> {
            if parts == 1 {
                return vec![vec![total]];
            }
            (0..=total)
                .flat_map(|k| {
                    spread(total - k, parts - 1)
                        .into_iter()
                        .map(move |mut rest| {
                            rest.insert(0, k);
                            rest
                        })
                })
                .collect()
        }
        let (mut low, mut high): (Option<f64>, Option<f64>) = (None, None);
        for pos in spread(u.positive, slots.len()) {
            for neg in spread(u.negative, slots.len()) {
                let moved: Vec<Slot> = slots
                    .iter()
                    .enumerate()
                    .map(|(j, s)| Slot {
                        sample: Sample::new(s.sample.x + pos[j], s.sample.n + pos[j] + neg[j]),
                        eligible: s.eligible,
                    })
                    .collect();
                if let Some(r) = impact_ratio(&moved, c) {
                    low = Some(low.map_or(r, |l| l.min(r)));
                    high = Some(high.map_or(r, |h| h.max(r)));
                }
            }
        }
        (low, high)
    }

    #[test]
    fn hand_example() {
        // A 2/10, B 6/10; 2 unknowns selected, 3 not.
        let slots = [slot(2, 10), slot(6, 10)];
        let u = Unknowns {
            positive: 2,
            negative: 3,
        };
        let (low, high) = impact_ratio_bounds(&slots, 0, u);
        // Lowest: A 2/13, B 8/12. Highest: A 4/12, B 6/13.
        assert!((low.unwrap() - (2.0 / 13.0) / (8.0 / 12.0)).abs() < 1e-15);
        assert!((high.unwrap() - (4.0 / 12.0) / (6.0 / 13.0)).abs() < 1e-15);
        // A is flagged (0.2 < 0.48): (2 + k)/(10 + k) ≥ 0.48 needs k = 6 > 2 selected unknowns.
        assert_eq!(unknowns_to_flip(&slots, 0, 1, true, u), None);
        let plenty = Unknowns {
            positive: 6,
            negative: 0,
        };
        assert_eq!(unknowns_to_flip(&slots, 0, 1, true, plenty), Some(6));
        // B (reference, 0.6) becomes flagged against A (0.2) once 6/(10 + k) < 0.16: k = 28.
        let many = Unknowns {
            positive: 0,
            negative: 28,
        };
        assert_eq!(unknowns_to_flip(&slots, 1, 1, false, many), Some(28));
    }

    proptest! {
        #[test]
        fn bounds_are_sharp_on_small_cases(
            cells in proptest::collection::vec((0u64..6, 0u64..6), 2..4),
            positive in 0u64..3,
            negative in 0u64..3,
            c in 0usize..3,
        ) {
            let slots: Vec<Slot> = cells.iter().map(|&(x, extra)| slot(x, x + extra)).collect();
            let c = c % slots.len();
            let u = Unknowns { positive, negative };
            let (low, high) = impact_ratio_bounds(&slots, c, u);
            let (brute_low, brute_high) = brute(&slots, c, u);
            if let (Some(l), Some(b)) = (low, brute_low) { prop_assert!((l - b).abs() < 1e-12, "low {l} vs {b}"); }
            if let (Some(h), Some(b)) = (high, brute_high) { prop_assert!((h - b).abs() < 1e-12, "high {h} vs {b}"); }
            // The bounds contain the point estimate…
            if let (Some(ratio), Some(l), Some(h)) = (impact_ratio(&slots, c), low, high) {
                prop_assert!(l <= ratio + 1e-15 && ratio <= h + 1e-15);
            }
            // …and collapse to it without unknowns.
            let none = Unknowns { positive: 0, negative: 0 };
            let (l0, h0) = impact_ratio_bounds(&slots, c, none);
            prop_assert_eq!(l0, impact_ratio(&slots, c));
            prop_assert_eq!(h0, impact_ratio(&slots, c));
        }

        #[test]
        fn flip_counts_are_the_fewest(
            cells in proptest::collection::vec((0u64..30, 1u64..30), 2..4),
            c in 0usize..3,
        ) {
            let slots: Vec<Slot> = cells.iter().map(|&(x, extra)| slot(x, x + extra)).collect();
            let c = c % slots.len();
            let reference = (0..slots.len())
                .max_by(|&a, &b| slots[a].sample.rate().total_cmp(&slots[b].sample.rate()).then(b.cmp(&a)))
                .unwrap();
            let flagged = {
                let (x, n) = (slots[c].sample.x, slots[c].sample.n);
                let r = slots[reference].sample;
                5 * x * r.n < 4 * n * r.x
            };
            let u = Unknowns { positive: 500, negative: 500 };
            if let Some(k) = unknowns_to_flip(&slots, c, reference, flagged, u) {
                // Adding k people of the needed outcome flips the flag; k − 1 does not.
                for (extra, flips) in [(k, true), (k - 1, false)] {
                    let mut moved = slots.clone();
                    let s = moved[c].sample;
                    moved[c].sample = if flagged { Sample::new(s.x + extra, s.n + extra) } else { Sample::new(s.x, s.n + extra) };
                    let top = moved.iter().map(|m| m.sample).max_by(|a, b| (a.x * b.n).cmp(&(b.x * a.n))).unwrap();
                    let now = 5 * moved[c].sample.x * top.n < 4 * moved[c].sample.n * top.x;
                    prop_assert_eq!(now != flagged, flips, "k = {}, extra = {}", k, extra);
                }
            }
        }
    }
}
