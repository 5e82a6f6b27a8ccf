//! Unit tests of the metrics on hand-computed tallies. Expected statistics come from
//! `scipy.stats.fisher_exact` and `statsmodels.stats.proportion.proportion_confint(method="wilson")`.

use proptest::prelude::*;

use super::*;
use crate::ingest::Axis;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

fn policy(exclude: bool) -> Policy {
    Policy {
        small_category_share: SMALL_CATEGORY_SHARE,
        share_denominator: SHARE_DENOMINATOR.to_string(),
        exclude_small_categories: exclude,
        exclusion_justification: exclude.then(|| "too few to compare".to_string()),
        four_fifths_threshold: FOUR_FIFTHS,
        small_sample_min_n: SMALL_SAMPLE_MIN_N,
        small_sample_min_expected: SMALL_SAMPLE_MIN_EXPECTED,
        confidence_level: CONFIDENCE_LEVEL,
        interval_method: "wilson".into(),
        test_method: "fisher_exact_two_sided".into(),
    }
}

/// Sex × race tally from `(sex, race, n, positive)`; `None` = unknown.
fn tally(
    outcome: Outcome,
    sexes: &[&str],
    races: &[&str],
    cells: &[(Option<usize>, Option<usize>, u64, u64)],
) -> Tally {
    let axis = |names: &[&str]| Axis::provided(names.iter().map(|s| s.to_string()).collect());
    let mut t = Tally::new(outcome, axis(sexes), axis(races), false);
    for &(s, r, n, positive) in cells {
        let cell = t.cell_mut(s, r);
        cell.n += n;
        cell.positive += positive;
    }
    t
}

/// The hand-computed example: 317 individuals.
///
/// | sex \ race | White  | Black  | Asian | unknown |
/// |------------|--------|--------|-------|---------|
/// | Male       | 60/100 | 20/50  | 6/10  | 1/5     |
/// | Female     | 40/80  | 30/60  | 0/0   | 3/3     |
/// | unknown    | 2/7    |        |       | 0/2     |
fn example() -> Tally {
    tally(
        Outcome::Selection,
        &["Male", "Female"],
        &["White", "Black", "Asian"],
        &[
            (Some(0), Some(0), 100, 60),
            (Some(0), Some(1), 50, 20),
            (Some(0), Some(2), 10, 6),
            (Some(0), None, 5, 1),
            (Some(1), Some(0), 80, 40),
            (Some(1), Some(1), 60, 30),
            (Some(1), None, 3, 3),
            (None, Some(0), 7, 2),
            (None, None, 2, 0),
        ],
    )
}

fn find<'a>(d: &'a Dimension, category: &str) -> &'a CategoryResult {
    d.categories
        .iter()
        .find(|c| c.category == category)
        .unwrap_or_else(|| panic!("no category {category}"))
}

#[test]
fn hand_computed_sex_table() {
    let d = dimensions(&example(), &policy(false)).sex;
    assert!(d.provided);
    assert_eq!((d.known, d.unknown), (308, 9));
    assert_eq!(d.reference.as_deref(), Some("Male"));
    let male = find(&d, "Male");
    assert_eq!(
        (male.n, male.selected, male.above_median),
        (165, Some(87), None)
    );
    assert_eq!(male.rate, Some(87.0 / 165.0));
    assert_eq!(male.impact_ratio, Some(1.0));
    assert!(male.reference && !male.small && !male.excluded && !male.small_sample);
    assert_eq!(male.fisher_p, None);
    assert_eq!(male.null_reasons["fisher_p"], "reference category");
    assert_eq!(male.four_fifths_flag, Some(false));
    let (lo, hi) = (male.ci95_low.unwrap(), male.ci95_high.unwrap());
    assert!(
        close(lo, 0.451343327849913) && close(hi, 0.6019611156372627),
        "{lo} {hi}"
    );

    let female = find(&d, "Female");
    assert_eq!(female.share, Some(143.0 / 317.0));
    assert!(close(female.impact_ratio.unwrap(), 0.9681697612732098));
    assert!(close(female.fisher_p.unwrap(), 0.819376886102837));
    assert!(close(female.ci95_low.unwrap(), 0.42936125706586803));
    assert!(close(female.ci95_high.unwrap(), 0.5910689404007974));
    assert_eq!(female.four_fifths_flag, Some(false));
    assert!(female.null_reasons.is_empty());
}

#[test]
fn hand_computed_race_table() {
    let d = dimensions(&example(), &policy(false)).race_ethnicity;
    assert_eq!((d.known, d.unknown), (307, 10));
    // Asian 6/10 = 0.6 is the highest rate.
    assert_eq!(d.reference.as_deref(), Some("Asian"));
    let asian = find(&d, "Asian");
    assert!(asian.small_sample, "n = 10 < 30");
    assert!(close(asian.ci95_low.unwrap(), 0.31267376973365824));
    assert!(close(asian.ci95_high.unwrap(), 0.8318196702937638));
    let white = find(&d, "White");
    assert_eq!((white.n, white.count()), (187, 102));
    assert!(close(white.impact_ratio.unwrap(), 0.9090909090909091));
    assert_eq!(white.fisher_p, Some(1.0));
    let black = find(&d, "Black");
    assert!(close(black.impact_ratio.unwrap(), 0.7575757575757576));
    assert_eq!(black.four_fifths_flag, Some(true));
    assert!(close(black.fisher_p.unwrap(), 0.5118251253958894));
}

#[test]
fn hand_computed_intersectional_table() {
    let d = dimensions(&example(), &policy(false)).intersectional;
    assert_eq!((d.known, d.unknown), (300, 17));
    let names: Vec<&str> = d.categories.iter().map(|c| c.category.as_str()).collect();
    assert_eq!(
        names,
        [
            "Male / White",
            "Male / Black",
            "Male / Asian",
            "Female / White",
            "Female / Black",
            "Female / Asian"
        ]
    );
    // Male/White and Male/Asian tie at 0.6: the first in config order is the reference.
    assert_eq!(d.reference.as_deref(), Some("Male / White"));
    let asian_male = find(&d, "Male / Asian");
    assert_eq!(
        (asian_male.impact_ratio, asian_male.reference),
        (Some(1.0), false)
    );
    assert_eq!(asian_male.fisher_p, Some(1.0));
    assert_eq!(
        (asian_male.sex.as_deref(), asian_male.race.as_deref()),
        (Some("Male"), Some("Asian"))
    );
    let black_male = find(&d, "Male / Black");
    assert!(close(black_male.impact_ratio.unwrap(), 0.6666666666666667));
    assert!(close(black_male.fisher_p.unwrap(), 0.024534579336865182));
    assert!(close(
        find(&d, "Female / White").fisher_p.unwrap(),
        0.22720674936790375
    ));
    assert!(close(
        find(&d, "Female / Black").fisher_p.unwrap(),
        0.2506586821589617
    ));
    // A category listed in the config with nobody in it is still reported.
    let empty = find(&d, "Female / Asian");
    assert_eq!(
        (empty.n, empty.rate, empty.impact_ratio, empty.fisher_p),
        (0, None, None, None)
    );
    assert_eq!(empty.share, Some(0.0));
    assert!(empty.small && empty.small_sample && !empty.excluded);
    for field in [
        "rate",
        "impact_ratio",
        "ci95_low",
        "ci95_high",
        "fisher_p",
        "four_fifths_flag",
    ] {
        assert!(
            empty.null_reasons.contains_key(field),
            "{field}: {:?}",
            empty.null_reasons
        );
    }
}

#[test]
fn exclusion_leaves_small_categories_out_and_rechooses_the_reference() {
    let t = tally(
        Outcome::Selection,
        &["Male", "Female"],
        &["A", "B", "C"],
        &[
            (Some(0), Some(0), 500, 250),
            (Some(1), Some(1), 400, 100),
            (Some(0), Some(2), 1, 1),
            (None, None, 99, 0),
        ],
    );
    // C: n = 1 of 1000 = 0.1 % with rate 1.0, the highest.
    let without = dimensions(&t, &policy(false)).race_ethnicity;
    assert_eq!(without.reference.as_deref(), Some("C"));
    assert!(find(&without, "C").small && !find(&without, "C").excluded);

    let with = dimensions(&t, &policy(true)).race_ethnicity;
    assert_eq!(with.reference.as_deref(), Some("A"));
    let c = find(&with, "C");
    assert!(c.excluded && c.small);
    assert_eq!(
        (c.n, c.rate, c.impact_ratio, c.four_fifths_flag),
        (1, Some(1.0), None, None)
    );
    assert!(
        c.null_reasons["impact_ratio"].contains("§5-301(d)"),
        "{:?}",
        c.null_reasons
    );
    assert!(c.null_reasons["impact_ratio"].contains("too few to compare"));
    // Its statistics against the new reference are still reported.
    assert_eq!(c.fisher_p, Some(1.0));
    let b = find(&with, "B");
    assert_eq!(b.impact_ratio, Some(0.5));
    assert_eq!(find(&with, "A").impact_ratio, Some(1.0));
}

#[test]
fn every_rate_zero_leaves_impact_ratios_undefined() {
    let t = tally(
        Outcome::Selection,
        &["Male", "Female"],
        &["A"],
        &[(Some(0), Some(0), 40, 0), (Some(1), Some(0), 50, 0)],
    );
    let d = dimensions(&t, &policy(false)).sex;
    assert_eq!(d.reference.as_deref(), Some("Male"));
    for c in &d.categories {
        assert_eq!(
            (c.rate, c.impact_ratio, c.four_fifths_flag),
            (Some(0.0), None, None)
        );
        assert!(c.null_reasons["impact_ratio"].contains("0/0"));
        assert!(c.small_sample, "0 expected selections");
    }
    assert_eq!(find(&d, "Female").fisher_p, Some(1.0));
}

#[test]
fn four_fifths_flag_is_exact_at_the_boundary() {
    // Reference 10/10; 8/10 is exactly four fifths (not flagged), 79/100 is below.
    let t = tally(
        Outcome::Selection,
        &["M"],
        &["Ref", "Edge", "Below"],
        &[
            (Some(0), Some(0), 10, 10),
            (Some(0), Some(1), 10, 8),
            (Some(0), Some(2), 100, 79),
        ],
    );
    let d = dimensions(&t, &policy(false)).race_ethnicity;
    assert_eq!(find(&d, "Edge").four_fifths_flag, Some(false));
    assert_eq!(find(&d, "Below").four_fifths_flag, Some(true));
}

#[test]
fn a_dimension_without_a_column_is_not_provided() {
    let mut t = Tally::new(
        Outcome::Selection,
        Axis::not_provided(),
        Axis::provided(vec!["W".into(), "B".into()]),
        false,
    );
    t.cell_mut(None, Some(0)).n = 10;
    t.cell_mut(None, Some(1)).n = 5;
    t.cell_mut(None, None).n = 2;
    let d = dimensions(&t, &policy(false));
    assert!(!d.sex.provided && d.sex.categories.is_empty());
    assert_eq!((d.sex.unknown, d.sex.known), (17, 0));
    assert!(!d.intersectional.provided);
    assert_eq!(d.intersectional.unknown, 17);
    assert!(d.race_ethnicity.provided);
    assert_eq!((d.race_ethnicity.known, d.race_ethnicity.unknown), (15, 2));
    assert_eq!(fairness_dimensions(&t)[0], None);
}

#[test]
fn scoring_mode_reports_above_median() {
    let t = tally(
        Outcome::Scoring,
        &["M", "F"],
        &["A"],
        &[(Some(0), Some(0), 4, 3), (Some(1), Some(0), 4, 1)],
    );
    let d = dimensions(&t, &policy(false)).sex;
    let f = find(&d, "F");
    assert_eq!((f.selected, f.above_median, f.count()), (None, Some(1), 1));
    assert_eq!(f.impact_ratio, Some(1.0 / 3.0));
}

#[test]
fn null_values_serialize_as_null_with_reasons() {
    let t = tally(
        Outcome::Selection,
        &["M", "F"],
        &["A"],
        &[(Some(0), Some(0), 4, 3)],
    );
    let d = dimensions(&t, &policy(false)).sex;
    let json = serde_json::to_value(find(&d, "F")).unwrap();
    assert!(json["rate"].is_null() && json["impact_ratio"].is_null());
    assert_eq!(json["null_reasons"]["rate"], NO_INDIVIDUALS);
    assert!(
        json.get("above_median").is_none(),
        "selection mode has `selected`, not `above_median`"
    );
    assert_eq!(json["selected"], 0);
}

fn cells_strategy() -> impl Strategy<Value = Vec<(u64, u64)>> {
    // 3 sexes slots (2 + unknown) × 4 race slots (3 + unknown).
    prop::collection::vec((0u64..300).prop_flat_map(|n| (Just(n), 0..=n)), 12)
}

fn tally_from(cells: &[(u64, u64)]) -> Tally {
    let mut t = Tally::new(
        Outcome::Selection,
        Axis::provided(vec!["M".into(), "F".into()]),
        Axis::provided(vec!["A".into(), "B".into(), "C".into()]),
        false,
    );
    for (i, &(n, positive)) in cells.iter().enumerate() {
        let (s, r) = (i / 4, i % 4);
        let cell = t.cell_mut((s < 2).then_some(s), (r < 3).then_some(r));
        cell.n = n;
        cell.positive = positive;
    }
    t
}

proptest! {
    #[test]
    fn invariants(cells in cells_strategy(), exclude in any::<bool>()) {
        let t = tally_from(&cells);
        let total = t.total();
        let d = dimensions(&t, &policy(exclude));
        for (name, dim) in d.iter() {
            // Counts add up: every individual is in one category or unknown.
            let n: u64 = dim.categories.iter().map(|c| c.n).sum();
            prop_assert_eq!(n, dim.known, "{}", name);
            prop_assert_eq!(dim.known + dim.unknown, total, "{}", name);
            for c in &dim.categories {
                for v in [c.rate, c.share, c.ci95_low, c.ci95_high, c.fisher_p, c.impact_ratio].into_iter().flatten() {
                    prop_assert!(v.is_finite() && v >= 0.0);
                }
                for v in [c.rate, c.share, c.ci95_low, c.ci95_high, c.fisher_p].into_iter().flatten() {
                    prop_assert!(v <= 1.0);
                }
                if let Some(ir) = c.impact_ratio {
                    prop_assert!(ir <= 1.0, "no category above the reference: {}", ir);
                }
                prop_assert_eq!(c.rate.is_none(), c.n == 0);
            }
            // The top category's impact ratio is 1.
            if let Some(reference) = &dim.reference {
                let top = dim.categories.iter().find(|c| &c.category == reference).unwrap();
                prop_assert!(top.reference && !top.excluded);
                if top.count() > 0 {
                    prop_assert_eq!(top.impact_ratio, Some(1.0));
                }
                for c in dim.categories.iter().filter(|c| !c.excluded && c.n > 0) {
                    prop_assert!(c.rate <= top.rate);
                }
            }
        }
    }
}
