//! Two-sample measures of one category against the reference: the pooled two-proportion Z test,
//! the Newcombe interval of the rate difference, the odds ratio with Woolf's interval, and the
//! smallest impact ratio detectable with 80 % power. Each matches a named statsmodels function
//! (cross-checked in `tests/analysis_crosscheck.rs`).

use libm::{erfc, lgamma};

use crate::metrics::stats::{Z95, wilson};

/// Significance level of every test conclusion here (two-sided).
pub const ALPHA: f64 = 0.05;

/// Target power of [`min_detectable_impact_ratio`].
pub const POWER: f64 = 0.8;

/// `x` positives out of `n`: one row of a 2×2 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub x: u64,
    pub n: u64,
}

impl Sample {
    pub fn new(x: u64, n: u64) -> Sample {
        debug_assert!(x <= n);
        Sample { x, n }
    }

    pub fn rate(&self) -> f64 {
        self.x as f64 / self.n as f64
    }
}

/// Two-sided p-value of a standard normal statistic: `2·(1 − Φ(|z|))`, without cancellation.
pub fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Upper tail of the chi-square distribution with a whole number `df ≥ 1` of degrees of freedom
/// at `x`, by the closed forms (sums of positive terms, so no cancellation):
/// even df: `e^{−x/2} Σ_{k<df/2} (x/2)^k / k!`;
/// odd df: `erfc(√(x/2)) + e^{−x/2} Σ_{k=1}^{(df−1)/2} (x/2)^{k−½} / Γ(k + ½)`.
pub fn chi2_sf(x: f64, df: u64) -> f64 {
    assert!(
        df >= 1,
        "a chi-square test has at least one degree of freedom"
    );
    if x <= 0.0 {
        return 1.0;
    }
    let h = x / 2.0;
    let (mut sum, start, terms) = if df.is_multiple_of(2) {
        (0.0, 0.0, df / 2)
    } else {
        (erfc(h.sqrt()), 0.5, (df - 1) / 2)
    };
    // Terms k = 0.. of (x/2)^(k+start) / Γ(k+start+1) e^{−x/2}, each from its logarithm.
    for k in 0..terms {
        let a = k as f64 + start;
        if a == 0.0 {
            sum += (-h).exp();
        } else {
            sum += (a * h.ln() - h - lgamma(a + 1.0)).exp();
        }
    }
    sum.min(1.0)
}

/// The pooled two-proportion Z statistic of `a` against `b` (statsmodels `proportions_ztest`
/// with `count = [a.x, b.x]`, `nobs = [a.n, b.n]`): `(p_a − p_b) / √(p̄(1 − p̄)(1/n_a + 1/n_b))`,
/// p̄ the pooled rate. Negative when `a`'s rate is lower: "how many standard deviations" below.
/// `None` when the pooled rate is 0 or 1 (no variation: the statistic is 0/0) or a sample is empty.
pub fn z_statistic(a: Sample, b: Sample) -> Option<f64> {
    if a.n == 0 || b.n == 0 {
        return None;
    }
    let (na, nb) = (a.n as f64, b.n as f64);
    let pooled = (a.x + b.x) as f64 / (na + nb);
    let variance = pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb);
    (variance > 0.0).then(|| (a.rate() - b.rate()) / variance.sqrt())
}

/// Newcombe's hybrid score interval (his method 10: from the two Wilson intervals) of the rate
/// difference `p_a − p_b` at 95 %: statsmodels `confint_proportions_2indep(a.x, a.n, b.x, b.n,
/// method="newcomb", compare="diff")`.
pub fn newcombe_difference(a: Sample, b: Sample) -> Option<(f64, f64)> {
    let (l1, u1) = wilson(a.x, a.n, Z95)?;
    let (l2, u2) = wilson(b.x, b.n, Z95)?;
    let (p1, p2) = (a.rate(), b.rate());
    let d = p1 - p2;
    let low = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Some((low, high))
}

/// An odds ratio with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OddsRatio {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// 0.5 was added to every cell because one was 0 (Haldane–Anscombe).
    pub zero_cell_correction: bool,
}

/// Odds of a positive in `a` over the odds in `b`, with Woolf's log interval
/// `exp(ln OR ± z·√(1/a + 1/b + 1/c + 1/d))`, as statsmodels `Table2x2([[a.x, a.n − a.x],
/// [b.x, b.n − b.x]])` computes `oddsratio` and `oddsratio_confint()`: when any cell is 0, 0.5 is
/// added to all four (its default `shift_zeros=True`), so the ratio stays finite.
pub fn odds_ratio(a: Sample, b: Sample) -> Option<OddsRatio> {
    if a.n == 0 || b.n == 0 {
        return None;
    }
    let cells = [a.x, a.n - a.x, b.x, b.n - b.x];
    let zero = cells.contains(&0);
    let shift = if zero { 0.5 } else { 0.0 };
    let [p, q, r, s] = cells.map(|c| c as f64 + shift);
    let log = (p * s / (q * r)).ln();
    let se = (1.0 / p + 1.0 / q + 1.0 / r + 1.0 / s).sqrt();
    Some(OddsRatio {
        estimate: (p * s) / (q * r),
        low: (log - Z95 * se).exp(),
        high: (log + Z95 * se).exp(),
        zero_cell_correction: zero,
    })
}

/// Power of the two-sided pooled Z test at level [`ALPHA`] when the category's true rate is `p1`
/// and the reference's `p2`, with the observed sample sizes: the normal approximation of
/// statsmodels `power_proportions_2indep(p1 − p2, p2, n1, ratio = n2/n1, alpha=0.05)` (both tails;
/// the variance under the null from the pooled rate, under the alternative from `p1` and `p2`).
pub fn power(p1: f64, p2: f64, n1: u64, n2: u64) -> f64 {
    let ratio = n2 as f64 / n1 as f64;
    let diff = p1 - p2;
    let pooled = (p1 + p2 * ratio) / (1.0 + ratio);
    let std_null = (pooled * (1.0 - pooled) * (1.0 + 1.0 / ratio)).sqrt();
    let std_alt = (p1 * (1.0 - p1) + p2 * (1.0 - p2) / ratio).sqrt();
    if std_alt == 0.0 {
        // Both rates are 0 or 1: the outcome is certain, so the test rejects iff they differ.
        return if diff == 0.0 { 0.0 } else { 1.0 };
    }
    let shift = diff * (n1 as f64).sqrt() / std_alt;
    let crit = Z95 * std_null / std_alt;
    normal_sf(crit - shift) + normal_cdf(-crit - shift)
}

/// The smallest impact ratio the data could detect: the ratio `p1 / p_ref` at which the power of
/// the two-sided pooled Z test at α = 0.05 ([`power`]) is exactly 80 %, `p_ref` being the
/// reference's observed rate and the sample sizes the observed ones. A true impact ratio at or
/// below it would be found significant at least 80 % of the time; above it (closer to 1), a
/// non-significant result may only mean too few people.
///
/// `None` when the reference rate is 0, or when even a rate of 0 would be detected with less than
/// 80 % power (too few people to detect any impact).
pub fn min_detectable_impact_ratio(category_n: u64, reference: Sample) -> Option<f64> {
    if category_n == 0 || reference.n == 0 || reference.x == 0 {
        return None;
    }
    let p_ref = reference.rate();
    let power_at = |p1: f64| power(p1, p_ref, category_n, reference.n);
    if power_at(0.0) < POWER {
        return None;
    }
    // Power falls from power_at(0) ≥ 0.8 to α at p1 = p_ref: bisect on p1.
    let (mut low, mut high) = (0.0, p_ref);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            break;
        }
        if power_at(mid) >= POWER {
            low = mid
        } else {
            high = mid
        }
    }
    Some(low / p_ref)
}

fn normal_sf(x: f64) -> f64 {
    0.5 * erfc(x / std::f64::consts::SQRT_2)
}

fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1.0)
    }

    #[test]
    fn z_test_hand_computed() {
        // 170/390 vs 412/797 (the DCWP's example 1, Black vs White): pooled 582/1187.
        let z = z_statistic(Sample::new(170, 390), Sample::new(412, 797)).unwrap();
        let pooled: f64 = 582.0 / 1187.0;
        let expected = (170.0 / 390.0 - 412.0 / 797.0)
            / (pooled * (1.0 - pooled) * (1.0 / 390.0 + 1.0 / 797.0)).sqrt();
        assert!(close(z, expected, 1e-15), "{z} {expected}");
        assert!(z < -2.0, "more than two standard deviations below: {z}");
        assert_eq!(z_statistic(Sample::new(0, 5), Sample::new(0, 7)), None);
        assert_eq!(z_statistic(Sample::new(5, 5), Sample::new(7, 7)), None);
        assert!(close(
            normal_two_sided_p(1.959_963_984_540_054),
            0.05,
            1e-14
        ));
        // scipy 2 * norm.sf(10)
        assert!(close(
            normal_two_sided_p(-10.0),
            1.523_970_604_832_094e-23,
            1e-13
        ));
    }

    #[test]
    fn chi2_tails() {
        // scipy.stats.chi2.sf(x, df)
        let cases = [
            (3.84, 1, 0.050_043_521_248_705_19),
            (7.5, 3, 0.057_558_451_972_636_4),
            (7.5, 4, 0.111_709_292_816_043_28),
            (150.0, 1, 1.733_643_245_717_841_3e-34),
            (1234.5, 1000, 4.874_446_151_151_948e-7),
            (0.001, 11, 1.0),
        ];
        for (x, df, expected) in cases {
            let p = chi2_sf(x, df);
            // Large df: each term comes from exp of a log in the hundreds, so ~1e-13 relative.
            assert!(
                (p - expected).abs() <= 1e-12 * expected,
                "chi2.sf({x}, {df}) = {p:e}, scipy {expected:e}"
            );
        }
        assert_eq!(chi2_sf(0.0, 2), 1.0);
    }

    #[test]
    fn odds_ratio_with_and_without_zero_cells() {
        let or = odds_ratio(Sample::new(10, 30), Sample::new(20, 30)).unwrap();
        assert!(close(or.estimate, (10.0 * 10.0) / (20.0 * 20.0), 1e-15));
        assert!(!or.zero_cell_correction);
        assert!(or.low < or.estimate && or.estimate < or.high);
        let or = odds_ratio(Sample::new(0, 30), Sample::new(20, 30)).unwrap();
        assert!(or.zero_cell_correction);
        assert!(close(or.estimate, (0.5 * 10.5) / (30.5 * 20.5), 1e-15));
    }

    #[test]
    fn newcombe_contains_the_difference() {
        let (lo, hi) = newcombe_difference(Sample::new(170, 390), Sample::new(412, 797)).unwrap();
        let d = 170.0 / 390.0 - 412.0 / 797.0;
        assert!(lo < d && d < hi && hi < 0.0, "{lo} {d} {hi}");
    }

    #[test]
    fn power_at_the_detectable_ratio_is_80_percent() {
        let reference = Sample::new(412, 797);
        let ratio = min_detectable_impact_ratio(390, reference).unwrap();
        let p = power(ratio * reference.rate(), reference.rate(), 390, 797);
        assert!(close(p, 0.8, 1e-12), "{p}");
        // More people detect a smaller impact (a ratio closer to 1).
        let bigger = min_detectable_impact_ratio(3900, reference).unwrap();
        assert!(bigger > ratio && bigger < 1.0);
        // Two people cannot show anything.
        assert_eq!(min_detectable_impact_ratio(2, Sample::new(1, 3)), None);
        assert_eq!(min_detectable_impact_ratio(100, Sample::new(0, 100)), None);
    }
}
