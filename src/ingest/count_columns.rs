//! The columns of the counts CSV (`[data] counts`): one list, written by the query `fairfile sql`
//! generates ([`crate::sql`]) and read by the counts reader, so the two cannot drift apart.

pub const SEX: &str = "sex";
pub const RACE: &str = "race";
pub const N: &str = "n";
pub const SELECTED: &str = "selected";
pub const ABOVE_MEDIAN: &str = "above_median";
pub const TP: &str = "tp";
pub const FP: &str = "fp";
pub const FN: &str = "fn";
pub const TN: &str = "tn";
pub const MEDIAN_SCORE: &str = "median_score";
/// Rows whose outcome value is in neither `selected` nor `not_selected`.
pub const INVALID_OUTCOME: &str = "invalid_outcome";
/// Rows whose score is not a finite number (NULL, NaN, infinite).
pub const INVALID_SCORE: &str = "invalid_score";
/// 1 when the row's `sex` is a raw value that no mapping names, 0 when it is a canonical name.
pub const SEX_UNMAPPED: &str = "sex_unmapped";
/// 1 when the row's `race` is a raw value that no mapping names.
pub const RACE_UNMAPPED: &str = "race_unmapped";

/// The confusion-matrix counts, all four or none.
pub const CONFUSION: [&str; 4] = [TP, FP, FN, TN];

/// Every column a counts CSV may have, in the order the query writes them.
pub const ALL: [&str; 14] = [
    SEX,
    RACE,
    N,
    SELECTED,
    ABOVE_MEDIAN,
    MEDIAN_SCORE,
    TP,
    FP,
    FN,
    TN,
    INVALID_OUTCOME,
    INVALID_SCORE,
    SEX_UNMAPPED,
    RACE_UNMAPPED,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct() {
        let mut names = ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert!(CONFUSION.iter().all(|c| ALL.contains(c)));
    }
}
