//! Statistics against the reference category: Wilson score intervals and Fisher's exact test.
//!
//! LL144 requires only rates and impact ratios; these show whether a ratio rests on numbers large
//! enough to mean something (29 CFR 1607.4(D): small numbers, statistical significance).
//!
//! Fisher's test sums hypergeometric probabilities. Each probability is computed with Loader's
//! saddle-point method (C. Loader, "Fast and Accurate Computation of Binomial Probabilities",
//! 2000), which keeps about 14 significant digits even for millions of applicants, where a
//! difference of log-factorials would lose half of them to cancellation.

use std::f64::consts::PI;

/// z for a two-sided 95 % interval: the 0.975 normal quantile as R's `qnorm(0.975)` and scipy's
/// `norm.ppf(0.975)` give it.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Relative tolerance when comparing probabilities to the observed table's, as R's `fisher.test`
/// does (`1 + 1e-7`), so that tables as likely as the observed one count despite rounding.
const FISHER_RELATIVE_TOLERANCE: f64 = 1e-7;

/// Wilson score interval for `successes` out of `n` at normal quantile `z`; `None` when `n = 0`.
pub fn wilson(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    // At 0 and n successes the bounds are exactly 0 and 1; rounding would leave 1e-16 off.
    let low = if successes == 0 {
        0.0
    } else {
        (center - half).max(0.0)
    };
    let high = if successes as f64 == n {
        1.0
    } else {
        (center + half).min(1.0)
    };
    Some((low, high))
}

/// Two-sided p-value of Fisher's exact test for the 2×2 table `[[a, b], [c, d]]`: the sum of the
/// probabilities (given the margins) of every table no more likely than the observed one.
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (row1, row2, col1) = (a + b, c + d, a + c);
    let n = row1 + row2;
    if row1 == 0 || row2 == 0 || col1 == 0 || col1 == n {
        return 1.0; // one table only
    }
    let low = col1.saturating_sub(row2);
    let high = row1.min(col1);
    let ln_p = |x: u64| ln_hypergeometric(x, row1, row2, col1);
    let mode = (((col1 as u128 + 1) * (row1 as u128 + 1)) / (n as u128 + 2)) as u64;
    let mode = mode.clamp(low, high);
    let threshold = ln_p(a) + FISHER_RELATIVE_TOLERANCE.ln_1p();
    if ln_p(mode) <= threshold {
        return 1.0;
    }
    // The distribution is unimodal: the tables counted form a left tail [low, left] and a right
    // tail [right, high]. Find each boundary by bisection, then sum outward from it.
    let mut p = 0.0;
    if ln_p(low) <= threshold {
        let (mut inside, mut outside) = (low, mode); // ln_p(inside) <= threshold < ln_p(outside)
        while outside - inside > 1 {
            let mid = inside + (outside - inside) / 2;
            if ln_p(mid) <= threshold {
                inside = mid
            } else {
                outside = mid
            }
        }
        p += tail_sum(inside, low, &ln_p);
    }
    if ln_p(high) <= threshold {
        let (mut outside, mut inside) = (mode, high);
        while inside - outside > 1 {
            let mid = outside + (inside - outside) / 2;
            if ln_p(mid) <= threshold {
                inside = mid
            } else {
                outside = mid
            }
        }
        p += tail_sum(inside, high, &ln_p);
    }
    p.min(1.0)
}

/// Sum of `exp(ln_p(x))` for x from `start` to `end` (inclusive, either direction), where terms
/// shrink away from `start` (log-concavity). Stops once the rest cannot change the sum.
fn tail_sum(start: u64, end: u64, ln_p: &impl Fn(u64) -> f64) -> f64 {
    let base = ln_p(start);
    let (mut sum, mut previous) = (1.0f64, 1.0f64);
    let mut x = start;
    while x != end {
        x = if end > start { x + 1 } else { x - 1 };
        let term = (ln_p(x) - base).exp();
        sum += term;
        let ratio = term / previous;
        // Later ratios are no larger (log-concave), so the rest is at most term·r/(1-r).
        if term == 0.0 || (ratio < 1.0 && term * ratio / (1.0 - ratio) < sum * 1e-17) {
            break;
        }
        previous = term;
    }
    (base + sum.ln()).exp()
}

/// ln P(X = x) for X hypergeometric: `x` of `col1` draws from `row1` marked and `row2` unmarked.
/// Written as a ratio of binomial probabilities with p = col1 / n, each computed by Loader's method.
fn ln_hypergeometric(x: u64, row1: u64, row2: u64, col1: u64) -> f64 {
    let n = (row1 + row2) as f64;
    let p = col1 as f64 / n;
    let q = (row1 + row2 - col1) as f64 / n;
    ln_binomial_pmf(x as f64, row1 as f64, p, q)
        + ln_binomial_pmf((col1 - x) as f64, row2 as f64, p, q)
        - ln_binomial_pmf(col1 as f64, n, p, q)
}

/// ln of the binomial probability of `x` successes in `n` trials (q = 1 − p given separately to
/// keep its precision), by the saddle-point expansion.
fn ln_binomial_pmf(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if x == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if q == 0.0 {
        return if x == n { 0.0 } else { f64::NEG_INFINITY };
    }
    if x < 0.0 || x > n {
        return f64::NEG_INFINITY;
    }
    if x == 0.0 {
        return if n == 0.0 {
            0.0
        } else if p < 0.1 {
            -deviance(n, n * q) - n * p
        } else {
            n * q.ln()
        };
    }
    if x == n {
        return if q < 0.1 {
            -deviance(n, n * p) - n * q
        } else {
            n * p.ln()
        };
    }
    let lc = stirling_error(n)
        - stirling_error(x)
        - stirling_error(n - x)
        - deviance(x, n * p)
        - deviance(n - x, n * q);
    let lf = (2.0 * PI).ln() + x.ln() + (-x / n).ln_1p();
    lc - 0.5 * lf
}

/// `ln(n!) − ln(√(2πn)·(n/e)^n)`, the error of Stirling's formula, for whole `n ≥ 1`.
fn stirling_error(n: f64) -> f64 {
    if n <= 15.0 {
        // n! is exact in f64 up to 22!, so this loses only a few units in the last place.
        let factorial: f64 = (2..=n as u64).map(|k| k as f64).product();
        return factorial.ln() - (n + 0.5) * n.ln() + n - 0.5 * (2.0 * PI).ln();
    }
    // Stirling's series: 1/(12n) − 1/(360n³) + 1/(1260n⁵) − 1/(1680n⁷) + 1/(1188n⁹).
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    let nn = n * n;
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// The deviance term `x·ln(x/m) + m − x`, computed without cancellation when x ≈ m (series in
/// v = (x − m)/(x + m): x·ln(x/m) = 2x·atanh(v)).
fn deviance(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut sum = (x - m) * v;
        if sum.abs() < f64::MIN_POSITIVE {
            return sum;
        }
        let mut term = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            term *= v2;
            let next = sum + term / f64::from(2 * j + 1);
            if next == sum {
                return next;
            }
            sum = next;
        }
        sum
    } else {
        x * (x / m).ln() + m - x
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    /// Fisher p by brute force over the whole support with exact integer binomials (small n).
    fn fisher_brute(a: u64, b: u64, c: u64, d: u64) -> f64 {
        fn choose(n: u64, k: u64) -> f64 {
            (0..k).fold(1.0f64, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
        }
        let (r1, r2, c1) = (a + b, c + d, a + c);
        let total = choose(r1 + r2, c1);
        let pmf = |x: u64| choose(r1, x) * choose(r2, c1 - x) / total;
        let observed = pmf(a);
        (c1.saturating_sub(r2)..=r1.min(c1))
            .map(pmf)
            .filter(|&p| p <= observed * (1.0 + 1e-7))
            .sum::<f64>()
            .min(1.0)
    }

    #[test]
    fn wilson_known_values() {
        // statsmodels.stats.proportion.proportion_confint(k, n, method="wilson")
        let (lo, hi) = wilson(5, 10, Z95).unwrap();
        assert!(
            close(lo, 0.236_593_090_512_563_94, 1e-12) && close(hi, 0.763_406_909_487_436_1, 1e-12),
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 10, Z95).unwrap();
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.277_532_799_862_889_26, 1e-12), "{hi}");
        let (lo, hi) = wilson(10, 10, Z95).unwrap();
        assert!(
            close(lo, 0.722_467_200_137_110_6, 1e-12) && hi == 1.0,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(170, 390, Z95).unwrap();
        assert!(
            close(lo, 0.387_545_479_885_312_2, 1e-12) && close(hi, 0.485_499_881_693_130_2, 1e-12),
            "{lo} {hi}"
        );
        assert_eq!(wilson(0, 0, Z95), None);
    }

    #[test]
    fn fisher_matches_scipy() {
        // scipy.stats.fisher_exact([[a, b], [c, d]]).pvalue (scipy 1.17)
        let cases: &[(u64, u64, u64, u64, f64)] = &[
            // NOA Example 1: White 412/797 vs Black 170/390 (reference sheet §9: 0.0094)
            (412, 385, 170, 220, 0.009_430_110_452_292_514),
            // NOA Example 2: Male 50/92 vs Female 34/76 (§9: 0.278)
            (50, 42, 34, 42, 0.277_863_855_432_737_56),
            // NOA Example 2: Hispanic Male 12/16 vs Asian Female 3/12 (§9: 0.020)
            (12, 4, 3, 9, 0.020_017_648_554_463_738),
            // Cigna: Asian 115/133 vs AIAN 2/4 (§9: 0.10)
            (115, 18, 2, 2, 0.101_650_399_782_965_78),
            (3, 1, 1, 3, 0.485_714_285_714_285_65),
            (0, 5, 5, 0, 0.007_936_507_936_507_938),
        ];
        for &(a, b, c, d, expected) in cases {
            let p = fisher_exact_two_sided(a, b, c, d);
            assert!(
                close(p, expected, 1e-10),
                "[[{a},{b}],[{c},{d}]]: {p} vs {expected}"
            );
        }
    }

    #[test]
    fn fisher_large_tables_are_fast_and_accurate() {
        // scipy.stats.fisher_exact([[500_000, 500_000], [495_000, 505_000]]).pvalue
        let p = fisher_exact_two_sided(500_000, 500_000, 495_000, 505_000);
        assert!(close(p, 1.552_059_091_314_893_2e-12, 1e-8), "{p}");
        // Identical rates: p = 1.
        assert_eq!(
            fisher_exact_two_sided(2_000_000, 2_000_000, 1_000_000, 1_000_000),
            1.0
        );
        // A difference far beyond underflow gives 0, not NaN.
        let p = fisher_exact_two_sided(3_000_000, 0, 0, 3_000_000);
        assert_eq!(p, 0.0);
    }

    #[test]
    fn fisher_degenerate_tables() {
        assert_eq!(fisher_exact_two_sided(0, 0, 3, 4), 1.0);
        assert_eq!(fisher_exact_two_sided(0, 5, 0, 7), 1.0);
        assert_eq!(fisher_exact_two_sided(5, 0, 7, 0), 1.0);
        assert_eq!(fisher_exact_two_sided(1, 0, 0, 1), 1.0);
    }

    proptest! {
        #[test]
        fn fisher_equals_brute_force(a in 0u64..40, b in 0u64..40, c in 0u64..40, d in 0u64..40) {
            let fast = fisher_exact_two_sided(a, b, c, d);
            let brute = fisher_brute(a, b, c, d);
            prop_assert!((fast - brute).abs() <= 1e-11 * brute.max(1e-300) + 1e-300, "{fast} vs {brute}");
            prop_assert!((0.0..=1.0).contains(&fast));
        }

        #[test]
        fn wilson_contains_the_rate(k in 0u64..500, extra in 0u64..500) {
            let n = k + extra;
            if let Some((lo, hi)) = wilson(k, n, Z95) {
                let p = k as f64 / n as f64;
                prop_assert!(0.0 <= lo && lo <= p + 1e-15 && p <= hi + 1e-15 && hi <= 1.0);
            } else {
                prop_assert_eq!(n, 0);
            }
        }
    }
}
