//! Error-rate fairness metrics with fairlearn's definitions, from confusion counts per group.
//!
//! Groups are the known categories of a dimension that have at least one individual (fairlearn
//! only sees groups present in the data); individuals with an unknown category are left out, as
//! in the LL144 tables.
//!
//! Where a rate has a zero denominator (a group with no positive labels has no TPR), fairlearn
//! (through scikit-learn's normalised confusion matrix) silently uses 0; here it is `null` with a
//! reason, and so is every aggregate that would need it.

use std::collections::BTreeMap;

use super::{FairnessDimension, FairnessGroup, Group};

/// Metrics of one dimension's groups.
pub(super) fn dimension(groups: &[Group]) -> FairnessDimension {
    let groups: Vec<FairnessGroup> = groups.iter().filter(|g| g.cell.n > 0).map(group).collect();
    let mut null_reasons = BTreeMap::new();
    let mut aggregate = |name: &str, value: Result<f64, String>| match value {
        Ok(v) => Some(v),
        Err(reason) => {
            null_reasons.insert(name.to_string(), reason);
            None
        }
    };
    let selection = rates(&groups, "selection rate", |g| g.selection_rate);
    let tpr = rates(&groups, "true positive rate", |g| g.tpr);
    let fpr = rates(&groups, "false positive rate", |g| g.fpr);
    let demographic_parity_difference = aggregate(
        "demographic_parity_difference",
        selection.clone().map(difference),
    );
    let demographic_parity_ratio = aggregate(
        "demographic_parity_ratio",
        selection.and_then(|r| ratio(r, "selection rate")),
    );
    let equalized_odds_difference = aggregate(
        "equalized_odds_difference",
        tpr.clone()
            .and_then(|t| fpr.clone().map(|f| difference(t).max(difference(f)))),
    );
    let equalized_odds_ratio = aggregate(
        "equalized_odds_ratio",
        tpr.clone()
            .and_then(|t| ratio(t, "true positive rate"))
            .and_then(|t| {
                fpr.clone()
                    .and_then(|f| ratio(f, "false positive rate"))
                    .map(|f| t.min(f))
            }),
    );
    let equal_opportunity_difference =
        aggregate("equal_opportunity_difference", tpr.map(difference));
    FairnessDimension {
        groups,
        demographic_parity_difference,
        demographic_parity_ratio,
        equalized_odds_difference,
        equalized_odds_ratio,
        equal_opportunity_difference,
        null_reasons,
    }
}

fn group(g: &Group) -> FairnessGroup {
    let c = &g.cell;
    let mut null_reasons = BTreeMap::new();
    let mut share = |name: &str, numerator: u64, denominator: u64, why: &str| {
        if denominator == 0 {
            null_reasons.insert(name.to_string(), why.to_string());
            None
        } else {
            Some(numerator as f64 / denominator as f64)
        }
    };
    let n = c.tp + c.fp + c.fn_ + c.tn;
    let no_positives = "no positive labels in this group (tp + fn = 0)";
    FairnessGroup {
        group: g.category.clone(),
        n,
        tp: c.tp,
        fp: c.fp,
        fn_: c.fn_,
        tn: c.tn,
        selection_rate: share("selection_rate", c.tp + c.fp, n, "no individuals"),
        tpr: share("tpr", c.tp, c.tp + c.fn_, no_positives),
        fpr: share(
            "fpr",
            c.fp,
            c.fp + c.tn,
            "no negative labels in this group (fp + tn = 0)",
        ),
        fnr: share("fnr", c.fn_, c.tp + c.fn_, no_positives),
        precision: share(
            "precision",
            c.tp,
            c.tp + c.fp,
            "no predicted positives in this group (tp + fp = 0)",
        ),
        accuracy: share("accuracy", c.tp + c.tn, n, "no individuals"),
        null_reasons,
    }
}

/// One rate of every group, or why an aggregate over them is undefined.
fn rates(
    groups: &[FairnessGroup],
    what: &str,
    rate: impl Fn(&FairnessGroup) -> Option<f64>,
) -> Result<Vec<f64>, String> {
    if groups.is_empty() {
        return Err("no group with individuals".to_string());
    }
    groups
        .iter()
        .map(|g| {
            rate(g).ok_or_else(|| {
                format!(
                    "the {what} of group \"{}\" is undefined (fairlearn would count it as 0)",
                    g.group
                )
            })
        })
        .collect()
}

/// fairlearn `between_groups` difference: max − min.
fn difference(values: Vec<f64>) -> f64 {
    max(&values) - min(&values)
}

/// fairlearn `between_groups` ratio: min / max.
fn ratio(values: Vec<f64>, what: &str) -> Result<f64, String> {
    let top = max(&values);
    if top == 0.0 {
        return Err(format!("every group's {what} is 0, so the ratio is 0/0"));
    }
    Ok(min(&values) / top)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Cell;

    fn g(name: &str, tp: u64, fp: u64, fn_: u64, tn: u64) -> Group {
        let n = tp + fp + fn_ + tn;
        Group {
            category: name.into(),
            sex: None,
            race: None,
            cell: Cell {
                n,
                positive: tp + fp,
                tp,
                fp,
                fn_,
                tn,
            },
        }
    }

    #[test]
    fn hand_computed_two_groups() {
        // A: tp 30 fp 10 fn 20 tn 40 → sr 0.4, tpr 0.6, fpr 0.2, fnr 0.4, precision 0.75, accuracy 0.7
        // B: tp 10 fp 10 fn 30 tn 50 → sr 0.2, tpr 0.25, fpr 1/6, fnr 0.75, precision 0.5, accuracy 0.6
        let d = dimension(&[
            g("A", 30, 10, 20, 40),
            g("B", 10, 10, 30, 50),
            g("empty", 0, 0, 0, 0),
        ]);
        assert_eq!(d.groups.len(), 2, "groups with no individuals are left out");
        let a = &d.groups[0];
        assert_eq!(
            (a.selection_rate, a.tpr, a.fpr, a.fnr),
            (Some(0.4), Some(0.6), Some(0.2), Some(0.4))
        );
        assert_eq!((a.precision, a.accuracy), (Some(0.75), Some(0.7)));
        let b = &d.groups[1];
        assert_eq!(
            (b.tpr, b.fnr, b.precision, b.accuracy),
            (Some(0.25), Some(0.75), Some(0.5), Some(0.6))
        );
        assert!((d.demographic_parity_difference.unwrap() - 0.2).abs() < 1e-15);
        assert_eq!(d.demographic_parity_ratio, Some(0.5));
        // TPR difference 0.35, FPR difference 0.2 - 1/6 = 1/30.
        assert!((d.equalized_odds_difference.unwrap() - 0.35).abs() < 1e-15);
        // TPR ratio 0.25/0.6, FPR ratio (1/6)/0.2 = 0.8333.
        assert!((d.equalized_odds_ratio.unwrap() - 0.25 / 0.6).abs() < 1e-15);
        assert!((d.equal_opportunity_difference.unwrap() - 0.35).abs() < 1e-15);
        assert!(d.null_reasons.is_empty());
    }

    #[test]
    fn undefined_rates_are_null_with_reasons() {
        // Group B has no positive labels (tp + fn = 0) and no predicted positives.
        let d = dimension(&[g("A", 5, 0, 5, 10), g("B", 0, 0, 0, 10)]);
        let b = &d.groups[1];
        assert_eq!((b.tpr, b.fnr, b.precision), (None, None, None));
        assert_eq!(b.fpr, Some(0.0));
        assert!(b.null_reasons["tpr"].contains("no positive labels"));
        assert_eq!(d.equalized_odds_difference, None);
        assert_eq!(d.equal_opportunity_difference, None);
        assert!(d.null_reasons["equalized_odds_difference"].contains("\"B\""));
        // Every FPR is 0: the FPR ratio is 0/0.
        assert_eq!(d.equalized_odds_ratio, None);
        assert_eq!(d.demographic_parity_ratio, Some(0.0));
        assert_eq!(d.demographic_parity_difference, Some(0.25));
    }

    #[test]
    fn no_groups() {
        let d = dimension(&[]);
        assert!(d.groups.is_empty());
        assert_eq!(d.demographic_parity_difference, None);
        assert_eq!(d.null_reasons.len(), 5);
    }
}
