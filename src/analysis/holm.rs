//! Holm's step-down adjustment of the p-values of one table, so that the comparisons of a family
//! (up to 14 intersectional cells against one reference) are not read as independent tests.

/// Holm-adjusted p-values, in the order given (statsmodels `multipletests(p, method="holm")`):
/// with the m p-values sorted ascending, the i-th (from 1) becomes
/// `min(1, max_{j ≤ i} (m − j + 1)·p_(j))`. Ties get the same adjusted value whatever their order.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn known_values() {
        // statsmodels multipletests([0.01, 0.04, 0.03, 0.005], method="holm")[1]
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!((a - e).abs() < 1e-15, "{adjusted:?}");
        }
        assert!(holm(&[]).is_empty());
        assert_eq!(holm(&[0.3]), vec![0.3]);
        assert_eq!(holm(&[0.6, 0.7]), vec![1.0, 1.0]);
    }

    proptest! {
        #[test]
        fn adjusted_is_at_least_raw_and_monotone(p in proptest::collection::vec(0.0f64..=1.0, 0..20)) {
            let adjusted = holm(&p);
            prop_assert_eq!(adjusted.len(), p.len());
            for i in 0..p.len() {
                prop_assert!(adjusted[i] >= p[i] && adjusted[i] <= 1.0);
                for j in 0..p.len() {
                    // Order-preserving: a smaller raw p never gets a larger adjusted p.
                    if p[i] <= p[j] {
                        prop_assert!(adjusted[i] <= adjusted[j], "{:?} -> {:?}", p, adjusted);
                    }
                }
            }
        }
    }
}
