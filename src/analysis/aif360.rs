//! AIF360's group metrics that fairlearn lacks, from confusion counts: average (absolute) odds
//! difference, false discovery / false omission rate differences, and the generalized entropy
//! indices (Speicher et al. 2018, "A Unified Approach to Quantifying Algorithmic Unfairness"),
//! with AIF360 0.6's definitions (`aif360.metrics.ClassificationMetric`).
//!
//! Each person's benefit is `b = ŷ − y + 1`: 0 for a false negative, 1 for a true positive or
//! negative, 2 for a false positive. So the indices need only the confusion counts.

use crate::ingest::Cell;

/// `numerator / denominator`, `None` when the denominator is 0.
fn share(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

pub fn tpr(c: &Cell) -> Option<f64> {
    share(c.tp, c.tp + c.fn_)
}

pub fn fpr(c: &Cell) -> Option<f64> {
    share(c.fp, c.fp + c.tn)
}

/// False discovery rate FP / (TP + FP).
pub fn fdr(c: &Cell) -> Option<f64> {
    share(c.fp, c.tp + c.fp)
}

/// False omission rate FN / (FN + TN).
pub fn false_omission_rate(c: &Cell) -> Option<f64> {
    share(c.fn_, c.fn_ + c.tn)
}

/// AIF360's pairwise differences, unprivileged (`group`) minus privileged (`reference`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PairDifferences {
    /// ½[(FPR_u − FPR_p) + (TPR_u − TPR_p)]  (`average_odds_difference`)
    pub average_odds_difference: Option<f64>,
    /// ½[|FPR_u − FPR_p| + |TPR_u − TPR_p|]  (`average_abs_odds_difference`)
    pub average_abs_odds_difference: Option<f64>,
    /// FDR_u − FDR_p  (`false_discovery_rate_difference`)
    pub false_discovery_rate_difference: Option<f64>,
    /// FOR_u − FOR_p  (`false_omission_rate_difference`)
    pub false_omission_rate_difference: Option<f64>,
}

pub fn pair(group: &Cell, reference: &Cell) -> PairDifferences {
    let diff = |f: fn(&Cell) -> Option<f64>| Some(f(group)? - f(reference)?);
    let (dt, df) = (diff(tpr), diff(fpr));
    PairDifferences {
        average_odds_difference: dt.zip(df).map(|(t, f)| 0.5 * (f + t)),
        average_abs_odds_difference: dt.zip(df).map(|(t, f)| 0.5 * (f.abs() + t.abs())),
        false_discovery_rate_difference: diff(fdr),
        false_omission_rate_difference: diff(false_omission_rate),
    }
}

/// People with benefit 0, 1 and 2 in a cell.
fn benefits(c: &Cell) -> [f64; 3] {
    [c.fn_ as f64, (c.tp + c.tn) as f64, c.fp as f64]
}

/// AIF360 `generalized_entropy_index(alpha)` over people whose benefits take the values
/// `values[k]` with multiplicities `counts[k]`:
/// `GE(α) = 1/(n α(α − 1)) Σ ((bᵢ/μ)^α − 1)` for α ∉ {0, 1}; the Theil index
/// `GE(1) = 1/n Σ (bᵢ/μ) ln(bᵢ/μ)` (0·ln 0 = 0); `GE(0) = −1/n Σ ln(bᵢ/μ)`.
/// `None` when there is nobody, the mean benefit is 0, or (α ≤ 0) someone's benefit is 0.
pub fn generalized_entropy(values: &[f64], counts: &[f64], alpha: f64) -> Option<f64> {
    let n: f64 = counts.iter().sum();
    if n == 0.0 {
        return None;
    }
    let mu = values.iter().zip(counts).map(|(v, c)| v * c).sum::<f64>() / n;
    if mu == 0.0 {
        return None;
    }
    let mut sum = 0.0;
    for (&v, &c) in values.iter().zip(counts) {
        if c == 0.0 {
            continue;
        }
        let x = v / mu;
        sum += c * if alpha == 1.0 {
            if x == 0.0 { 0.0 } else { x * x.ln() }
        } else if alpha == 0.0 {
            if x == 0.0 {
                return None;
            }
            -x.ln()
        } else {
            if x == 0.0 && alpha < 0.0 {
                return None;
            }
            (x.powf(alpha) - 1.0) / (alpha * (alpha - 1.0))
        };
    }
    Some(sum / n)
}

/// The index over everyone in `cells` (each person's own benefit).
pub fn overall(cells: &[Cell], alpha: f64) -> Option<f64> {
    let mut counts = [0.0; 3];
    for c in cells {
        for (sum, k) in counts.iter_mut().zip(benefits(c)) {
            *sum += k;
        }
    }
    generalized_entropy(&[0.0, 1.0, 2.0], &counts, alpha)
}

/// The between-group index: every person's benefit replaced by their group's mean benefit
/// (AIF360 `_between_group_generalized_entropy_index` with one group per cell, the groups covering
/// everyone). Empty cells are left out.
pub fn between_groups(cells: &[Cell], alpha: f64) -> Option<f64> {
    let (mut values, mut counts) = (Vec::new(), Vec::new());
    for c in cells.iter().filter(|c| c.n > 0) {
        let [zero, one, two] = benefits(c);
        let n = zero + one + two;
        values.push((one + 2.0 * two) / n);
        counts.push(n);
    }
    generalized_entropy(&values, &counts, alpha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(tp: u64, fp: u64, fn_: u64, tn: u64) -> Cell {
        Cell {
            n: tp + fp + fn_ + tn,
            positive: tp + fp,
            tp,
            fp,
            fn_,
            tn,
        }
    }

    /// The index from the list of every person's benefit, as AIF360 computes it.
    fn per_person(benefits: &[f64], alpha: f64) -> f64 {
        let n = benefits.len() as f64;
        let mu = benefits.iter().sum::<f64>() / n;
        if alpha == 1.0 {
            benefits
                .iter()
                .map(|b| {
                    if *b == 0.0 {
                        0.0
                    } else {
                        b / mu * (b / mu).ln()
                    }
                })
                .sum::<f64>()
                / n
        } else {
            benefits
                .iter()
                .map(|b| (b / mu).powf(alpha) - 1.0)
                .sum::<f64>()
                / (n * alpha * (alpha - 1.0))
        }
    }

    #[test]
    fn counts_give_the_per_person_index() {
        let cells = [cell(3, 1, 2, 4), cell(1, 2, 0, 5)];
        let mut people = Vec::new();
        for c in &cells {
            people.extend(std::iter::repeat_n(0.0, c.fn_ as usize));
            people.extend(std::iter::repeat_n(1.0, (c.tp + c.tn) as usize));
            people.extend(std::iter::repeat_n(2.0, c.fp as usize));
        }
        for alpha in [1.0, 2.0, 3.0] {
            let a = overall(&cells, alpha).unwrap();
            let b = per_person(&people, alpha);
            assert!((a - b).abs() < 1e-15, "α = {alpha}: {a} {b}");
        }
        // A false negative has benefit 0: GE(0) is infinite, so undefined.
        assert_eq!(overall(&cells, 0.0), None);
        // Everyone with benefit 1: no inequality at all.
        assert_eq!(overall(&[cell(3, 0, 0, 4)], 2.0), Some(0.0));
    }

    #[test]
    fn pair_differences() {
        let u = cell(10, 10, 30, 50); // tpr 0.25 fpr 1/6 fdr 0.5 for 30/80
        let p = cell(30, 10, 20, 40); // tpr 0.6 fpr 0.2 fdr 0.25 for 20/60
        let d = pair(&u, &p);
        let (dt, df) = (0.25 - 0.6, 1.0 / 6.0 - 0.2);
        assert!((d.average_odds_difference.unwrap() - 0.5 * (dt + df)).abs() < 1e-15);
        assert!(
            (d.average_abs_odds_difference.unwrap() - 0.5 * (dt.abs() + df.abs())).abs() < 1e-15
        );
        assert!((d.false_discovery_rate_difference.unwrap() - 0.25).abs() < 1e-15);
        assert!(
            (d.false_omission_rate_difference.unwrap() - (30.0 / 80.0 - 20.0 / 60.0)).abs() < 1e-15
        );
        let none = pair(&cell(0, 0, 0, 5), &p);
        assert_eq!(none.average_odds_difference, None);
        assert_eq!(none.false_discovery_rate_difference, None);
    }
}
