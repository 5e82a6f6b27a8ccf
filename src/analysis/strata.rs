//! Comparisons across strata (requisitions, periods, locations): the Cochran–Mantel–Haenszel test
//! and common odds ratio, the Breslow–Day test of homogeneity with Tarone's correction, and a
//! Simpson's-reversal flag. Pure functions over a list of 2×2 tables, with statsmodels'
//! `StratifiedTable` formulas.
//!
//! A stratum with an empty row or column (nobody of one group, or everyone or no one selected)
//! carries no information on the association: it adds 0 to every sum below (its variance is 0) but
//! would make Breslow–Day's fitted cells 0/0, so such strata are set aside and listed.

use super::twosample::chi2_sf;
use crate::metrics::stats::Z95;

/// `[[a, b], [c, d]]`: row 1 the group compared (a selected, b not), row 2 the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub a: u64,
    pub b: u64,
    pub c: u64,
    pub d: u64,
}

impl Table {
    /// Whether the table has no empty row or column (and so says something about association).
    pub fn informative(&self) -> bool {
        let Table { a, b, c, d } = *self;
        a + b > 0 && c + d > 0 && a + c > 0 && b + d > 0
    }

    fn floats(&self) -> [f64; 4] {
        [self.a, self.b, self.c, self.d].map(|v| v as f64)
    }

    /// Sign of the rate difference a/(a+b) − c/(c+d), exactly (−1, 0, 1); 0 for an empty row.
    pub fn direction(&self) -> i8 {
        let Table { a, b, c, d } = *self;
        if a + b == 0 || c + d == 0 {
            return 0;
        }
        match (u128::from(a) * u128::from(c + d)).cmp(&(u128::from(c) * u128::from(a + b))) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        }
    }
}

/// A chi-square test result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    pub df: u64,
    pub p: f64,
}

/// Everything computed across strata.
#[derive(Debug, Clone, PartialEq)]
pub struct Stratified {
    /// Indices (into the input) of the strata set aside (an empty row or column).
    pub uninformative: Vec<usize>,
    /// CMH test of a common odds ratio of 1, without and with the 0.5 continuity correction
    /// (statsmodels `test_null_odds(correction=False / True)`).
    pub cmh: ChiSquare,
    pub cmh_corrected: ChiSquare,
    /// Mantel–Haenszel common odds ratio `Σ(ad/n) / Σ(bc/n)` with the Robins–Breslow–Greenland 95 %
    /// interval (statsmodels `oddsratio_pooled`, `oddsratio_pooled_confint()`). `None` when 0/0
    /// or its log variance is undefined (all `ad` or all `bc` zero).
    pub common_odds_ratio: Option<(f64, f64, f64)>,
    /// Breslow–Day test of equal odds ratios with Tarone's correction (statsmodels
    /// `test_equal_odds(adjust=True)`), K − 1 degrees of freedom. `None` with fewer than two
    /// informative strata or no finite common odds ratio.
    pub breslow_day: Option<ChiSquare>,
    /// The pooled table's direction (rate difference sign) is opposite to that of most informative
    /// strata with a direction.
    pub simpson_reversal: bool,
    /// Direction of the collapsed table, and how many informative strata point each way (−, 0, +).
    pub pooled_direction: i8,
    pub strata_directions: [usize; 3],
}

/// CMH, common odds ratio, Breslow–Day–Tarone and the reversal flag. `None` when no stratum is
/// informative.
pub fn stratified(tables: &[Table]) -> Option<Stratified> {
    let uninformative: Vec<usize> = (0..tables.len())
        .filter(|&i| !tables[i].informative())
        .collect();
    let used: Vec<Table> = tables.iter().copied().filter(Table::informative).collect();
    if used.is_empty() {
        return None;
    }

    // CMH: Σ(a − E a)² / Σ Var a, E a = r1 c1 / n, Var a = r1 r2 c1 c2 / (n²(n − 1)).
    let (mut deviation, mut variance) = (0.0, 0.0);
    for t in &used {
        let [a, b, c, d] = t.floats();
        let n = a + b + c + d;
        deviation += a - (a + b) * (a + c) / n;
        variance += (a + b) * (a + c) * (b + d) * (c + d) / (n * n * (n - 1.0));
    }
    let chi = |statistic: f64, df: u64| ChiSquare {
        statistic,
        df,
        p: chi2_sf(statistic, df),
    };
    let cmh = chi(deviation.powi(2) / variance, 1);
    let cmh_corrected = chi((deviation.abs() - 0.5).powi(2) / variance, 1);

    let (mut ad_n, mut bc_n) = (0.0, 0.0);
    for t in &used {
        let [a, b, c, d] = t.floats();
        let n = a + b + c + d;
        ad_n += a * d / n;
        bc_n += b * c / n;
    }
    let pooled = (bc_n > 0.0).then(|| ad_n / bc_n).filter(|r| *r > 0.0);
    let common_odds_ratio = pooled.map(|r| {
        // Robins, Breslow & Greenland (1986) variance of ln OR_MH, as statsmodels writes it.
        let (mut first, mut mid, mut last) = (0.0, 0.0, 0.0);
        for t in &used {
            let [a, b, c, d] = t.floats();
            let n = a + b + c + d;
            let (ad, bc, apd) = (a * d, b * c, a + d);
            first += apd * ad / (n * n);
            mid += apd * bc / (n * n) + (1.0 - apd / n) * ad / n;
            last += (1.0 - apd / n) * bc / n;
        }
        let var = (first / (ad_n * ad_n) + mid / (ad_n * bc_n) + last / (bc_n * bc_n)) / 2.0;
        let se = var.sqrt();
        (r, (r.ln() - Z95 * se).exp(), (r.ln() + Z95 * se).exp())
    });

    let breslow_day = match pooled {
        Some(r) if used.len() >= 2 => {
            Some(breslow_day_tarone(&used, r)).map(|s| chi(s, (used.len() - 1) as u64))
        }
        _ => None,
    };

    let pooled_table = tables.iter().fold(
        Table {
            a: 0,
            b: 0,
            c: 0,
            d: 0,
        },
        |s, t| Table {
            a: s.a + t.a,
            b: s.b + t.b,
            c: s.c + t.c,
            d: s.d + t.d,
        },
    );
    let pooled_direction = pooled_table.direction();
    let mut strata_directions = [0usize; 3];
    for t in &used {
        strata_directions[(t.direction() + 1) as usize] += 1;
    }
    let (against, along) = match pooled_direction {
        1 => (strata_directions[0], strata_directions[2]),
        -1 => (strata_directions[2], strata_directions[0]),
        _ => (0, 0),
    };
    Some(Stratified {
        uninformative,
        cmh,
        cmh_corrected,
        common_odds_ratio,
        breslow_day,
        simpson_reversal: against > along,
        pooled_direction,
        strata_directions,
    })
}

/// Breslow–Day statistic `Σ (a − â)² / Var(â)` minus Tarone's `(Σa − Σâ)² / Σ Var(â)`, where â is
/// the cell `a` fitted under the common odds ratio `r` with the stratum's margins (the root of
/// `(1 − r)â² + (r(r1 + c1) + d − a)â − r·r1·c1 = 0` inside the table's range).
fn breslow_day_tarone(tables: &[Table], r: f64) -> f64 {
    let (mut statistic, mut sum_a, mut sum_fitted, mut sum_var) = (0.0, 0.0, 0.0, 0.0);
    for t in tables {
        let [a, b, c, d] = t.floats();
        let (r1, c1, n) = (a + b, a + c, a + b + c + d);
        let fitted = fitted_cell(r, r1, c1, n);
        let var = 1.0
            / (1.0 / fitted
                + 1.0 / (c1 - fitted)
                + 1.0 / (r1 - fitted)
                + 1.0 / (n - r1 - c1 + fitted));
        statistic += (a - fitted).powi(2) / var;
        sum_a += a;
        sum_fitted += fitted;
        sum_var += var;
    }
    statistic - (sum_a - sum_fitted).powi(2) / sum_var
}

/// The fitted cell `â ∈ (max(0, r1 + c1 − n), min(r1, c1))` whose table has odds ratio `r`.
fn fitted_cell(r: f64, r1: f64, c1: f64, n: f64) -> f64 {
    let (q2, q1, q0) = (1.0 - r, r * (r1 + c1) + n - r1 - c1, -r * r1 * c1);
    if q2.abs() < 1e-12 * q1.abs() {
        // r ≈ 1: the quadratic degenerates to the independence fit.
        return -q0 / q1;
    }
    // Numerically stable roots; keep the one inside the table's range.
    let disc = (q1 * q1 - 4.0 * q2 * q0).sqrt();
    let k = -0.5 * (q1 + q1.signum() * disc);
    let (x1, x2) = (k / q2, q0 / k);
    let (low, high) = ((r1 + c1 - n).max(0.0), r1.min(c1));
    let inside = |x: f64| x >= low - 1e-9 * n && x <= high + 1e-9 * n;
    if inside(x1) && !inside(x2) {
        x1
    } else if inside(x2) && !inside(x1) {
        x2
    } else {
        // Both (only at rounding distance of the bounds): the one nearer the middle.
        let mid = 0.5 * (low + high);
        if (x1 - mid).abs() <= (x2 - mid).abs() {
            x1
        } else {
            x2
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::twosample::{Sample, z_statistic};

    fn t(a: u64, b: u64, c: u64, d: u64) -> Table {
        Table { a, b, c, d }
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1.0)
    }

    #[test]
    fn statsmodels_example() {
        // statsmodels StratifiedTable([[[10, 20], [15, 25]], [[5, 30], [12, 28]], [[8, 8], [9, 16]]]):
        // values from tests/fixtures/analysis (generator) are checked there; here the structure.
        let s = stratified(&[t(10, 20, 15, 25), t(5, 30, 12, 28), t(8, 8, 9, 16)]).unwrap();
        assert!(s.uninformative.is_empty());
        assert_eq!(s.cmh.df, 1);
        assert_eq!(s.breslow_day.unwrap().df, 2);
        assert!(s.cmh_corrected.statistic < s.cmh.statistic);
        let (or, lo, hi) = s.common_odds_ratio.unwrap();
        assert!(lo < or && or < hi);
    }

    #[test]
    fn uninformative_strata_are_set_aside() {
        let s = stratified(&[t(10, 20, 15, 25), t(0, 0, 3, 4), t(0, 5, 0, 9)]).unwrap();
        assert_eq!(s.uninformative, vec![1, 2]);
        assert_eq!(
            s.breslow_day, None,
            "one informative stratum: no homogeneity test"
        );
        assert!(stratified(&[t(0, 0, 3, 4)]).is_none());
    }

    #[test]
    fn simpson_reversal_is_flagged() {
        // Within each stratum the group does better; pooled, it does worse (it applies mostly
        // where selection is rare).
        let strata = [t(9, 91, 1, 19), t(18, 2, 80, 20)];
        let s = stratified(&strata).unwrap();
        assert_eq!(s.strata_directions, [0, 0, 2]);
        assert_eq!(s.pooled_direction, -1);
        assert!(s.simpson_reversal);
        let s = stratified(&[t(10, 90, 2, 98), t(18, 2, 15, 5)]).unwrap();
        assert!(!s.simpson_reversal);
    }

    proptest! {
        #[test]
        fn one_stratum_equals_the_two_by_two(a in 0u64..60, b in 0u64..60, c in 0u64..60, d in 0u64..60) {
            let table = t(a, b, c, d);
            prop_assume!(table.informative() && a + b + c + d > 1);
            let s = stratified(&[table]).unwrap();
            // CMH with one stratum = the pooled Z statistic squared × (n − 1)/n.
            let n = (a + b + c + d) as f64;
            let z = z_statistic(Sample::new(a, a + b), Sample::new(c, c + d)).unwrap();
            prop_assert!(close(s.cmh.statistic, z * z * (n - 1.0) / n, 1e-10), "{} {}", s.cmh.statistic, z);
            // The common odds ratio is the table's own.
            if a * d > 0 && b * c > 0 {
                let (or, _, _) = s.common_odds_ratio.unwrap();
                prop_assert!(close(or, (a * d) as f64 / (b * c) as f64, 1e-12));
            }
            prop_assert!(!s.simpson_reversal);
        }

        #[test]
        fn fitted_cells_reproduce_the_odds_ratio(r1 in 1u64..80, c1 in 1u64..80, extra in 2u64..80, r in 0.05f64..20.0) {
            let n = (r1 + c1 + extra) as f64;
            let (r1, c1) = (r1 as f64, c1 as f64);
            let x = fitted_cell(r, r1, c1, n);
            let fitted_or = x * (n - r1 - c1 + x) / ((r1 - x) * (c1 - x));
            prop_assert!(close(fitted_or, r, 1e-8), "{fitted_or} {r}");
        }
    }
}

/// The stratified comparison of one category with its family's reference.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct StratifiedComparison {
    pub category: String,
    /// Strata that contributed (an informative 2×2 table against the reference).
    pub strata_used: u64,
    /// Strata too small to contribute: nobody of the category or of the reference, or everyone
    /// or no one of the two positive.
    pub strata_set_aside: Vec<String>,
    pub cmh_statistic: Option<f64>,
    pub cmh_p: Option<f64>,
    pub cmh_corrected_statistic: Option<f64>,
    pub cmh_corrected_p: Option<f64>,
    pub common_odds_ratio: Option<f64>,
    pub common_odds_ratio_ci95_low: Option<f64>,
    pub common_odds_ratio_ci95_high: Option<f64>,
    pub breslow_day_tarone_statistic: Option<f64>,
    pub breslow_day_tarone_df: Option<u64>,
    pub breslow_day_tarone_p: Option<f64>,
    /// The pooled (collapsed) rate difference points the other way from most strata that
    /// contributed.
    pub simpson_reversal: bool,
    /// Strata that contributed where the category's rate is below, equal to, above the
    /// reference's.
    pub strata_below: u64,
    pub strata_equal: u64,
    pub strata_above: u64,
}

/// Per category of a family (in the order of `categories`, the reference left out): its
/// stratified comparison with `reference`, from each stratum's (positive, n) of every category.
/// `strata[s].1[i]` is category i's count in stratum s. For the ingest step that reads a
/// `[data.columns] stratum` column into one tally per stratum.
pub fn family(
    categories: &[String],
    reference: usize,
    strata: &[(String, Vec<(u64, u64)>)],
) -> Vec<StratifiedComparison> {
    (0..categories.len())
        .filter(|&i| i != reference)
        .map(|i| {
            let tables: Vec<Table> = strata
                .iter()
                .map(|(_, cells)| {
                    let ((x, n), (xr, nr)) = (cells[i], cells[reference]);
                    Table {
                        a: x,
                        b: n - x,
                        c: xr,
                        d: nr - xr,
                    }
                })
                .collect();
            let result = stratified(&tables);
            let set_aside = match &result {
                Some(s) => s.uninformative.clone(),
                None => (0..tables.len()).collect(),
            };
            let chi = |f: fn(&Stratified) -> Option<ChiSquare>| result.as_ref().and_then(f);
            let cmh = chi(|s| Some(s.cmh));
            let corrected = chi(|s| Some(s.cmh_corrected));
            let bd = chi(|s| s.breslow_day);
            let or = result.as_ref().and_then(|s| s.common_odds_ratio);
            StratifiedComparison {
                category: categories[i].clone(),
                strata_used: (tables.len() - set_aside.len()) as u64,
                strata_set_aside: set_aside.iter().map(|&s| strata[s].0.clone()).collect(),
                cmh_statistic: cmh.map(|c| c.statistic),
                cmh_p: cmh.map(|c| c.p),
                cmh_corrected_statistic: corrected.map(|c| c.statistic),
                cmh_corrected_p: corrected.map(|c| c.p),
                common_odds_ratio: or.map(|o| o.0),
                common_odds_ratio_ci95_low: or.map(|o| o.1),
                common_odds_ratio_ci95_high: or.map(|o| o.2),
                breslow_day_tarone_statistic: bd.map(|c| c.statistic),
                breslow_day_tarone_df: bd.map(|c| c.df),
                breslow_day_tarone_p: bd.map(|c| c.p),
                simpson_reversal: result.as_ref().is_some_and(|s| s.simpson_reversal),
                strata_below: result.as_ref().map_or(0, |s| s.strata_directions[0] as u64),
                strata_equal: result.as_ref().map_or(0, |s| s.strata_directions[1] as u64),
                strata_above: result.as_ref().map_or(0, |s| s.strata_directions[2] as u64),
            }
        })
        .collect()
}

#[cfg(test)]
mod family_tests {
    use super::*;

    #[test]
    fn per_category_comparisons_name_the_strata_set_aside() {
        let categories = ["A".to_string(), "B".to_string(), "C".to_string()];
        // Reference B. Stratum "r2" has no one of A: set aside for A only.
        let strata = vec![
            ("r1".to_string(), vec![(9, 100), (1, 20), (3, 30)]),
            ("r2".to_string(), vec![(0, 0), (80, 100), (10, 20)]),
            ("r3".to_string(), vec![(18, 20), (15, 20), (5, 10)]),
        ];
        let out = family(&categories, 1, &strata);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].category, "A");
        assert_eq!(out[0].strata_set_aside, vec!["r2".to_string()]);
        assert_eq!(out[0].strata_used, 2);
        assert_eq!(out[1].strata_used, 3);
        // A against B equals the list-of-tables function on the same tables.
        let direct = stratified(&[
            Table {
                a: 9,
                b: 91,
                c: 1,
                d: 19,
            },
            Table {
                a: 18,
                b: 2,
                c: 15,
                d: 5,
            },
        ])
        .unwrap();
        assert_eq!(out[0].cmh_p, Some(direct.cmh.p));
        assert_eq!(
            out[0].common_odds_ratio,
            direct.common_odds_ratio.map(|o| o.0)
        );
        assert_eq!(out[0].breslow_day_tarone_df, Some(1));
        // No informative stratum at all: everything null, every stratum named.
        let empty = family(
            &categories,
            1,
            &[("only".to_string(), vec![(0, 0), (1, 2), (0, 0)])],
        );
        assert_eq!(empty[0].strata_set_aside, vec!["only".to_string()]);
        assert_eq!(empty[0].cmh_p, None);
    }
}
