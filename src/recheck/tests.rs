//! Findings on generated summaries: a twin per finding kind (the summary that triggers exactly it,
//! and its corrected twin that triggers nothing), and the no-false-positive property.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use proptest::prelude::*;

use super::findings::{Code, Finding, Severity, check};
use super::printed::Q;

/// How figures are printed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Round {
    HalfUp,
    HalfEven,
    Truncate,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Decimals of the printed number (as a percentage when `percent`).
    pub places: u32,
    pub percent: bool,
    pub round: Round,
}

/// `q` printed in `style`.
pub(crate) fn print(q: Q, style: Style) -> String {
    let places = style.places + if style.percent { 2 } else { 0 };
    let scaled_num = q.num * 10u128.pow(places);
    let (whole, rest) = (scaled_num / q.den, scaled_num % q.den);
    let m = match style.round {
        Round::Truncate => whole,
        Round::HalfUp => whole + u128::from(2 * rest >= q.den),
        Round::HalfEven => {
            if 2 * rest > q.den || (2 * rest == q.den && whole % 2 == 1) {
                whole + 1
            } else {
                whole
            }
        }
    };
    let p = style.places;
    let text = if p == 0 {
        m.to_string()
    } else {
        let scale = 10u128.pow(p);
        format!("{}.{:0w$}", m / scale, m % scale, w = p as usize)
    };
    if style.percent {
        format!("{text}%")
    } else {
        text
    }
}

/// A generated summary: counts per sex × race cell (selection mode), all three tables printed
/// with counts, rates and impact ratios computed exactly from the counts, then rounded.
#[derive(Debug, Clone)]
pub(crate) struct Gen {
    pub n: [[u64; 7]; 2],
    pub k: [[u64; 7]; 2],
    pub unknown: u64,
    pub rate: Style,
    pub ratio: Style,
    /// Print the margins' (sex and race tables') selected counts.
    pub margin_counts: bool,
    /// Impact ratios from the printed (rounded) rates instead of the counts (Cigna's way).
    pub ratios_from_printed_rates: bool,
}

const SEX: [&str; 2] = ["Male", "Female"];
const RACE: [&str; 7] = [
    "Hispanic or Latino",
    "White",
    "Black or African American",
    "Native Hawaiian or Pacific Islander",
    "Asian",
    "Native American or Alaska Native",
    "Two or More Races",
];

/// One CSV row: table, sex, race, applicants, selected, rate, impact ratio.
pub(crate) type Line = [String; 7];

impl Gen {
    pub fn base() -> Gen {
        Gen {
            n: [
                [205, 412, 226, 87, 321, 24, 115],
                [190, 385, 164, 32, 295, 17, 98],
            ],
            k: [
                [90, 215, 95, 37, 167, 11, 52],
                [82, 197, 75, 15, 135, 7, 44],
            ],
            unknown: 250,
            rate: Style {
                places: 1,
                percent: true,
                round: Round::HalfUp,
            },
            ratio: Style {
                places: 3,
                percent: false,
                round: Round::HalfUp,
            },
            margin_counts: false,
            ratios_from_printed_rates: false,
        }
    }

    /// The CSV rows.
    pub fn lines(&self) -> Vec<Line> {
        let mut groups: Vec<(&str, &str, &str, u64, u64)> = Vec::new();
        for (s, sex) in SEX.iter().enumerate() {
            let (n, k) = (self.n[s].iter().sum(), self.k[s].iter().sum());
            groups.push(("sex", sex, "", n, k));
        }
        for (r, race) in RACE.iter().enumerate() {
            let (n, k) = (self.n[0][r] + self.n[1][r], self.k[0][r] + self.k[1][r]);
            groups.push(("race_ethnicity", "", race, n, k));
        }
        for (s, sex) in SEX.iter().enumerate() {
            for (r, race) in RACE.iter().enumerate() {
                groups.push(("intersectional", sex, race, self.n[s][r], self.k[s][r]));
            }
        }
        let mut lines = Vec::new();
        for table in ["sex", "race_ethnicity", "intersectional"] {
            let rows: Vec<_> = groups.iter().filter(|g| g.0 == table).collect();
            let rate = |n: u64, k: u64| Q::new(u128::from(k), u128::from(n.max(1)));
            // The reference: the highest exact rate, or the highest printed rate.
            let printed_rate = |n: u64, k: u64| {
                let text = print(rate(n, k), self.rate);
                super::printed::Printed::parse(&text, false)
                    .unwrap()
                    .unwrap()
                    .value
            };
            let value = |n: u64, k: u64| {
                if self.ratios_from_printed_rates {
                    printed_rate(n, k)
                } else {
                    rate(n, k)
                }
            };
            let max = rows
                .iter()
                .filter(|g| g.3 > 0)
                .fold(Q::ZERO, |m, g| m.max(value(g.3, g.4)));
            for g in rows {
                let (rate_text, ratio_text) = if g.3 == 0 {
                    ("N/A".to_string(), "N/A".to_string())
                } else {
                    let ratio = value(g.3, g.4)
                        .checked_div(max)
                        .map_or("N/A".to_string(), |x| print(x, self.ratio));
                    (print(rate(g.3, g.4), self.rate), ratio)
                };
                let selected = if table == "intersectional" || self.margin_counts {
                    g.4.to_string()
                } else {
                    String::new()
                };
                lines.push([
                    g.0.to_string(),
                    g.1.to_string(),
                    g.2.to_string(),
                    g.3.to_string(),
                    selected,
                    rate_text,
                    ratio_text,
                ]);
            }
        }
        lines
    }

    pub fn statement(&self) -> String {
        format!(
            "employer = \"Generated\"\naudit_date = 2024-01-15\ndistribution_date = 2024-02-01\noutcome = \"selection\"\ndata_source = \"historical data of the tool\"\ndata_kind = \"historical\"\nunknown = {}\n",
            self.unknown
        )
    }
}

pub(crate) fn csv_text(lines: &[Line]) -> String {
    let mut text = String::from("table,sex,race,applicants,selected,rate,impact_ratio\n");
    for l in lines {
        text.push_str(&l.join(","));
        text.push('\n');
    }
    text
}

/// The CSV line (1-based, header = 1) of a data row index.
pub(crate) fn line_of(index: usize) -> usize {
    index + 2
}

pub(crate) const AS_OF: &str = "2024-06-01";

fn as_of() -> NaiveDate {
    AS_OF.parse().unwrap()
}

/// Write and recheck.
pub(crate) fn run(dir: &Path, lines: &[Line], statement: &str) -> Vec<Finding> {
    let csv: PathBuf = dir.join("s.csv");
    std::fs::write(&csv, csv_text(lines)).unwrap();
    std::fs::write(dir.join("s.toml"), statement).unwrap();
    let summary = super::read(&csv).unwrap();
    check(&summary, as_of())
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

/// The twin test: the corrected summary gives nothing, the broken one exactly `code` (at `line`).
fn twin(
    sg: &Gen,
    edit: impl FnOnce(&mut Vec<Line>, &mut String),
    code: Code,
    line: Option<usize>,
) -> Finding {
    let dir = tempfile::tempdir().unwrap();
    let lines = sg.lines();
    let statement = sg.statement();
    let clean = run(dir.path(), &lines, &statement);
    assert!(
        clean.is_empty(),
        "the corrected twin has findings: {clean:#?}"
    );
    let (mut lines, mut statement) = (lines, statement);
    edit(&mut lines, &mut statement);
    let found = run(dir.path(), &lines, &statement);
    assert_eq!(codes(&found), vec![code.as_str()], "{found:#?}");
    if line.is_some() {
        assert_eq!(found[0].line, line, "{found:#?}");
    }
    found.into_iter().next().unwrap()
}

/// Index of a row in [`Gen::lines`].
fn row(table: &str, sex: &str, race: &str) -> usize {
    Gen::base()
        .lines()
        .iter()
        .position(|l| l[0] == table && l[1] == sex && l[2] == race)
        .unwrap()
}

fn remove_key(statement: &mut String, key: &str) {
    *statement = statement
        .lines()
        .filter(|l| !l.starts_with(&format!("{key} =")))
        .map(|l| format!("{l}\n"))
        .collect();
}

#[test]
fn count_exceeds_applicants() {
    let i = row("intersectional", "Female", "Asian");
    twin(
        &Gen::base(),
        |l, _| l[i][4] = "296".into(),
        Code::CountExceedsApplicants,
        Some(line_of(i)),
    );
}

#[test]
fn rate_against_counts() {
    let i = row("intersectional", "Female", "Asian");
    let f = twin(
        &Gen::base(),
        |l, _| l[i][5] = "46.0%".into(),
        Code::Rate,
        Some(line_of(i)),
    );
    assert_eq!(f.basis.as_deref(), Some("counts"));
    assert_eq!(f.expected.as_deref(), Some("0.4576"));
}

#[test]
fn rate_against_applicants_only() {
    // 170/390 prints 43.6%; "43.55%" stands for 43.545 % to 43.56 %, which no k/390 is
    // (169/390 = 43.33 %), while the ratio 0.843 still follows from it.
    let i = row("race_ethnicity", "", "Black or African American");
    let f = twin(
        &Gen::base(),
        |l, _| l[i][5] = "43.55%".into(),
        Code::Rate,
        Some(line_of(i)),
    );
    assert_eq!(f.basis.as_deref(), Some("applicants"));
}

#[test]
fn rate_out_of_range() {
    let i = row("intersectional", "Male", "Asian");
    twin(
        &Gen::base(),
        |l, _| l[i][5] = "152.0%".into(),
        Code::RateOutOfRange,
        Some(line_of(i)),
    );
}

#[test]
fn impact_ratio_out_of_range() {
    let i = row("intersectional", "Male", "Asian");
    twin(
        &Gen::base(),
        |l, _| l[i][6] = "1.020".into(),
        Code::ImpactRatioOutOfRange,
        Some(line_of(i)),
    );
}

#[test]
fn impact_ratio_wrong() {
    let i = row("intersectional", "Female", "Asian");
    let f = twin(
        &Gen::base(),
        |l, _| l[i][6] = "0.800".into(),
        Code::ImpactRatio,
        Some(line_of(i)),
    );
    assert_eq!(f.basis.as_deref(), Some("printed rates and counts"));
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn impact_ratio_wrong_from_printed_rates_only() {
    // The margins print no selected counts: the ratio is judged from the printed rates.
    let i = row("race_ethnicity", "", "Asian");
    let f = twin(
        &Gen::base(),
        |l, _| l[i][6] = "0.900".into(),
        Code::ImpactRatio,
        Some(line_of(i)),
    );
    assert_eq!(f.basis.as_deref(), Some("printed rates"));
}

#[test]
fn impact_ratio_from_rounded_rates() {
    // Cigna's sex table: 170/217 and 753/971 both print 0.78, and both ratios print 1.00, but the
    // counts give 0.9899 for Female.
    let mut sg = Gen::base();
    sg.n = [[32, 63, 51, 11, 52, 2, 6], [167, 369, 252, 50, 80, 2, 51]];
    sg.k = [[27, 48, 40, 6, 43, 1, 5], [137, 270, 196, 42, 71, 1, 36]];
    sg.rate = Style {
        places: 2,
        percent: false,
        round: Round::HalfUp,
    };
    sg.ratio = Style {
        places: 2,
        percent: false,
        round: Round::HalfUp,
    };
    sg.margin_counts = true;
    let sex = row("sex", "Female", "");
    let lines = sg.lines();
    assert_eq!(
        (lines[0][5].as_str(), lines[sex][5].as_str()),
        ("0.78", "0.78")
    );
    let f = twin(
        &sg,
        |l, _| l[sex][6] = "1.00".into(),
        Code::ImpactRatioRoundedRates,
        Some(line_of(sex)),
    );
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.expected.as_deref(), Some("0.9899"));
}

#[test]
fn no_reference_category() {
    // Neither rates nor counts printed: only the ratios, and none of them is 1.
    let sg = Gen::base();
    let blank = |l: &mut Vec<Line>| {
        for line in l.iter_mut().filter(|x| x[0] == "sex") {
            line[5] = String::new();
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sg.lines();
    blank(&mut lines);
    let clean = run(dir.path(), &lines, &sg.statement());
    assert_eq!(codes(&clean), vec!["missing.rate", "missing.rate"]);
    lines[0][6] = "0.990".into();
    let found = run(dir.path(), &lines, &sg.statement());
    assert_eq!(
        codes(&found),
        vec![
            "impossible.no-reference-category",
            "missing.rate",
            "missing.rate"
        ]
    );
}

#[test]
fn above_median_over_half() {
    // Scoring: 60 % of everyone above the median cannot be.
    let dir = tempfile::tempdir().unwrap();
    let mut sg = Gen::base();
    sg.k = sg.n.map(|row| row.map(|n| n / 2));
    sg.margin_counts = true;
    let statement = sg.statement().replace("\"selection\"", "\"scoring\"");
    let rename = |lines: &[Line]| csv_text(lines).replacen("selected", "scored_above_median", 1);
    let write = |lines: &[Line]| {
        std::fs::write(dir.path().join("s.csv"), rename(lines)).unwrap();
        std::fs::write(dir.path().join("s.toml"), &statement).unwrap();
        check(&super::read(&dir.path().join("s.csv")).unwrap(), as_of())
    };
    assert!(write(&sg.lines()).is_empty());
    let mut over = sg.clone();
    over.k = sg.n.map(|row| row.map(|n| n * 9 / 10));
    over.unknown = 0;
    let found = write(&over.lines());
    assert_eq!(
        codes(&found),
        vec!["impossible.above-median-over-half"],
        "{found:#?}"
    );
}

#[test]
fn intersectional_totals_selected() {
    // The DCWP's Example 1 Hispanic row: 13 more applicants than the intersectional rows, 32 more
    // selected.
    let mut sg = Gen::base();
    sg.margin_counts = true;
    let i = row("race_ethnicity", "", "Hispanic or Latino");
    let f = twin(
        &sg,
        |l, _| {
            l[i][3] = "408".into();
            l[i][4] = "204".into();
            l[i][5] = "50.0%".into();
            l[i][6] = print(
                Q::new(204, 408).checked_div(Q::new(412, 797)).unwrap(),
                sg.ratio,
            );
        },
        Code::IntersectionalTotals,
        Some(line_of(i)),
    );
    assert!(
        f.message.contains("cannot account for 32 selected"),
        "{}",
        f.message
    );
}

#[test]
fn intersectional_totals_beyond_unknowns() {
    let mut sg = Gen::base();
    sg.unknown = 5;
    let i = row("race_ethnicity", "", "White");
    twin(
        &sg,
        |l, _| {
            l[i][3] = "807".into(); // 10 more than 412 + 385, with 5 unknown
        },
        Code::IntersectionalTotals,
        None,
    );
}

#[test]
fn table_totals() {
    let sg = Gen::base();
    let unknown_rows = |l: &mut Vec<Line>, race_unknown: &str| {
        for (t, s, r, n) in [
            ("sex", "Unknown", "", "250"),
            ("race_ethnicity", "", "Unknown", race_unknown),
            ("intersectional", "Unknown", "Unknown", "250"),
        ] {
            l.push([t, s, r, n, "", "", ""].map(String::from));
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sg.lines();
    unknown_rows(&mut lines, "250");
    let mut statement = sg.statement();
    remove_key(&mut statement, "unknown");
    assert!(run(dir.path(), &lines, &statement).is_empty());
    let mut lines = sg.lines();
    unknown_rows(&mut lines, "240");
    let found = run(dir.path(), &lines, &statement);
    assert_eq!(
        codes(&found),
        vec!["inconsistent.table-totals"],
        "{found:#?}"
    );
    assert_eq!(found[0].severity, Severity::Warning);
}

#[test]
fn small_category_with_ratio_after_stating_exclusion() {
    let sg = Gen::base();
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &sg.lines(), &sg.statement()).is_empty());
    let statement = sg.statement()
        + "small_categories_excluded = true\nexclusion_justification = \"too few\"\n";
    let found = run(dir.path(), &sg.lines(), &statement);
    // Race: Native American or Alaska Native (41 of 2571); intersectional: three cells.
    assert_eq!(
        codes(&found),
        vec!["inconsistent.small-category-ratio"; 4],
        "{found:#?}"
    );
    assert!(found.iter().all(|f| f.severity == Severity::Warning));
}

/// The base with categories under 2 % of their table left without ratios, as the §5-301(d)
/// option allows, and the ratios of the others against the highest of them.
fn excluded(sg: &Gen) -> (Vec<Line>, String) {
    let mut sg = sg.clone();
    sg.margin_counts = true;
    let mut lines = sg.lines();
    for table in ["sex", "race_ethnicity", "intersectional"] {
        let rows: Vec<usize> = (0..lines.len()).filter(|&i| lines[i][0] == table).collect();
        let count = |i: usize, c: usize| lines[i][c].parse::<u128>().unwrap();
        let total: u128 = rows.iter().map(|&i| count(i, 3)).sum();
        let kept: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| count(i, 3) > 0 && 50 * count(i, 3) >= total)
            .collect();
        let max = kept
            .iter()
            .fold(Q::ZERO, |m, &i| m.max(Q::new(count(i, 4), count(i, 3))));
        let ratios: Vec<(usize, String)> = rows
            .iter()
            .map(|&i| {
                let text = if kept.contains(&i) {
                    print(
                        Q::new(count(i, 4), count(i, 3)).checked_div(max).unwrap(),
                        sg.ratio,
                    )
                } else {
                    "N/A".to_string()
                };
                (i, text)
            })
            .collect();
        for (i, text) in ratios {
            lines[i][6] = text;
        }
    }
    let statement = sg.statement()
        + "small_categories_excluded = true\nexclusion_justification = \"under 2 % of the sample\"\n";
    (lines, statement)
}

#[test]
fn unstated_exclusion() {
    let dir = tempfile::tempdir().unwrap();
    let sg = Gen::base();
    let (lines, statement) = excluded(&sg);
    assert!(run(dir.path(), &lines, &statement).is_empty());
    let mut unstated = statement.clone();
    remove_key(&mut unstated, "small_categories_excluded");
    remove_key(&mut unstated, "exclusion_justification");
    let found = run(dir.path(), &lines, &unstated);
    // Native American or Alaska Native; Male and Female × Native American or Alaska Native,
    // Female × NHPI: each left out unsaid.
    assert_eq!(
        codes(&found),
        vec!["inconsistent.unstated-exclusion"; 4],
        "{found:#?}"
    );
}

#[test]
fn exclusion_of_a_category_not_under_two_percent() {
    let dir = tempfile::tempdir().unwrap();
    let (mut lines, statement) = excluded(&Gen::base());
    let i = row("intersectional", "Male", "Black or African American");
    lines[i][6] = "N/A".into();
    let found = run(dir.path(), &lines, &statement);
    assert_eq!(codes(&found), vec!["missing.impact-ratio"], "{found:#?}");
    assert_eq!(found[0].line, Some(line_of(i)));
}

#[test]
fn reference_category_excluded() {
    // Female × NHPI (32 applicants, under 2 %) is given the highest rate; the ratios stay computed
    // against it after it is excluded.
    let dir = tempfile::tempdir().unwrap();
    let mut sg = Gen::base();
    sg.k[1][3] = 30; // 93.8 %
    let (lines, statement) = excluded(&sg);
    // Recompute the included ratios against the correct reference (White Male): clean.
    let found = run(dir.path(), &lines, &statement);
    assert!(found.is_empty(), "{found:#?}");
    // Against the excluded category instead.
    let mut wrong = lines.clone();
    let reference = Q::new(30, 32);
    for l in wrong
        .iter_mut()
        .filter(|l| l[0] == "intersectional" && l[6] != "N/A")
    {
        let (n, k): (u128, u128) = (l[3].parse().unwrap(), l[4].parse().unwrap());
        l[6] = print(Q::new(k, n).checked_div(reference).unwrap(), sg.ratio);
    }
    let found = run(dir.path(), &wrong, &statement);
    assert_eq!(
        codes(&found),
        vec!["inconsistent.reference-excluded"],
        "{found:#?}"
    );
    assert_eq!(
        found[0].category.as_deref(),
        Some("Female × Native Hawaiian or Pacific Islander")
    );
}

#[test]
fn missing_statement_items() {
    let sg = Gen::base();
    for (key, code) in [
        ("audit_date", Code::AuditDate),
        ("distribution_date", Code::DistributionDate),
        ("data_source", Code::DataSource),
        ("unknown", Code::UnknownCount),
    ] {
        twin(&sg, |_, s| remove_key(s, key), code, None);
    }
    twin(
        &sg,
        |_, s| *s = s.replace("\"historical\"", "\"test\""),
        Code::TestDataExplanation,
        None,
    );
    twin(
        &sg,
        |l, s| {
            // Excluding, with no justification.
            let (lines, st) = excluded(&sg);
            *l = lines;
            *s = st;
            remove_key(s, "exclusion_justification");
        },
        Code::ExclusionJustification,
        None,
    );
}

#[test]
fn missing_rows_and_figures() {
    let sg = Gen::base();
    let i = row(
        "intersectional",
        "Female",
        "Native American or Alaska Native",
    );
    let f = twin(
        &sg,
        |l, _| {
            l.remove(i);
        },
        Code::Category,
        None,
    );
    assert_eq!(
        f.category.as_deref(),
        Some("Female × Native American or Alaska Native")
    );
    // A category printed as zero is present.
    let mut zero = sg.clone();
    zero.n[1][5] = 0;
    zero.k[1][5] = 0;
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &zero.lines(), &zero.statement()).is_empty());

    let j = row("sex", "Male", "");
    twin(
        &sg,
        |l, _| l[j][5] = "N/A".into(),
        Code::RateMissing,
        Some(line_of(j)),
    );
    twin(
        &sg,
        |l, _| l[j][3] = String::new(),
        Code::Applicants,
        Some(line_of(j)),
    );
    twin(
        &sg,
        |l, _| l.retain(|x| x[0] != "race_ethnicity"),
        Code::Table,
        None,
    );
    twin(
        &sg,
        |l, _| {
            for x in l.iter_mut().filter(|x| x[0] == "sex") {
                x[6] = "-".into();
            }
        },
        Code::ImpactRatioMissing,
        None,
    );
}

#[test]
fn stale_audit() {
    let sg = Gen::base();
    let f = twin(
        &sg,
        |_, s| *s = s.replace("audit_date = 2024-01-15", "audit_date = 2023-05-31"),
        Code::StaleAudit,
        None,
    );
    assert!(f.message.contains("2024-05-31"), "{}", f.message);
    // A year to the day is not more than a year.
    let dir = tempfile::tempdir().unwrap();
    let st = sg
        .statement()
        .replace("audit_date = 2024-01-15", "audit_date = 2023-06-01");
    assert!(run(dir.path(), &sg.lines(), &st).is_empty());
}

#[test]
fn every_code_is_distinct_and_documented() {
    let doc = include_str!("../../docs/recheck.md");
    let mut seen = std::collections::HashSet::new();
    for code in Code::ALL {
        assert!(seen.insert(code.as_str()), "{} twice", code.as_str());
        assert!(
            doc.contains(&format!("`{}`", code.as_str())),
            "{} undocumented",
            code.as_str()
        );
    }
}

// --- The no-false-positive property -------------------------------------------------------------

fn style() -> impl Strategy<Value = Style> {
    let round = prop_oneof![
        Just(Round::HalfUp),
        Just(Round::HalfEven),
        Just(Round::Truncate)
    ];
    (
        prop_oneof![
            (1u32..=3).prop_map(|p| (p, false)),
            (0u32..=1).prop_map(|p| (p, true)),
        ],
        round,
    )
        .prop_map(|((places, percent), round)| Style {
            places,
            percent,
            round,
        })
}

fn summaries() -> impl Strategy<Value = Gen> {
    let cell = (0u64..400).prop_flat_map(|n| (Just(n), 0..=n));
    (
        proptest::collection::vec(cell, 14),
        0u64..300,
        style(),
        (
            1u32..=3,
            prop_oneof![
                Just(Round::HalfUp),
                Just(Round::HalfEven),
                Just(Round::Truncate)
            ],
        ),
        any::<bool>(),
    )
        .prop_map(
            |(cells, unknown, rate, (ratio_places, ratio_round), margin_counts)| {
                let mut n = [[0; 7]; 2];
                let mut k = [[0; 7]; 2];
                for (i, (ni, ki)) in cells.into_iter().enumerate() {
                    n[i / 7][i % 7] = ni;
                    k[i / 7][i % 7] = ki;
                }
                Gen {
                    n,
                    k,
                    unknown,
                    rate,
                    ratio: Style {
                        places: ratio_places,
                        percent: false,
                        round: ratio_round,
                    },
                    margin_counts,
                    ratios_from_printed_rates: false,
                }
            },
        )
}

/// The figure the property perturbs: the rate (5) or the ratio (6) of a row.
fn perturb(text: &str, style: Style, up: bool, max: Q) -> Option<String> {
    let p = super::printed::Printed::parse(text, false).ok()??;
    let unit = Q::new(1, 10u128.pow(p.places));
    let two = Q::new(2 * unit.num, unit.den);
    let value = p.value;
    let moved = if up {
        let sum = Q::new(
            value.num * two.den + two.num * value.den,
            value.den * two.den,
        );
        sum.le(max).then_some(sum)?
    } else {
        if value.lt(two) {
            return None;
        }
        Q::new(
            value.num * two.den - two.num * value.den,
            value.den * two.den,
        )
    };
    Some(print(
        moved,
        Style {
            round: Round::HalfUp,
            ..style
        },
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Correctly rounded (or truncated) figures never give a finding.
    #[test]
    fn correct_summaries_are_clean(sg in summaries()) {
        let dir = tempfile::tempdir().unwrap();
        let found = run(dir.path(), &sg.lines(), &sg.statement());
        prop_assert!(found.is_empty(), "{:#?}\n{}", found, csv_text(&sg.lines()));
    }

    /// Scoring mode: the same, with at most half of everyone assessed above the median.
    #[test]
    fn correct_scoring_summaries_are_clean(mut sg in summaries()) {
        let n: u64 = sg.n.iter().flatten().sum();
        let k: u64 = sg.k.iter().flatten().sum();
        // Everyone unknown scored at or below the median, as many as it takes.
        sg.unknown = sg.unknown.max((2 * k).saturating_sub(n));
        let dir = tempfile::tempdir().unwrap();
        let csv = csv_text(&sg.lines()).replacen("selected", "scored_above_median", 1);
        std::fs::write(dir.path().join("s.csv"), &csv).unwrap();
        std::fs::write(
            dir.path().join("s.toml"),
            sg.statement().replace("\"selection\"", "\"scoring\""),
        )
        .unwrap();
        let found = check(&super::read(&dir.path().join("s.csv")).unwrap(), as_of());
        prop_assert!(found.is_empty(), "{:#?}\n{}", found, csv);
    }

    /// Ratios of the printed rates (Cigna's way) give warnings, never errors.
    #[test]
    fn ratios_of_rounded_rates_are_only_warnings(mut sg in summaries()) {
        sg.ratios_from_printed_rates = true;
        let dir = tempfile::tempdir().unwrap();
        let found = run(dir.path(), &sg.lines(), &sg.statement());
        prop_assert!(
            found.iter().all(|f| f.code == Code::ImpactRatioRoundedRates),
            "{:#?}\n{}", found, csv_text(&sg.lines())
        );
    }

    /// One printed figure moved past its rounding interval gives exactly one finding, about it.
    #[test]
    fn one_wrong_figure_gives_exactly_its_finding(
        sg in summaries(),
        pick in any::<prop::sample::Index>(),
        ratio in any::<bool>(),
        up in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = sg.lines();
        let candidates: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i][3] != "0" && lines[i][if ratio { 6 } else { 5 }] != "N/A")
            .collect();
        prop_assume!(!candidates.is_empty());
        let i = candidates[pick.index(candidates.len())];
        let column = if ratio { 6 } else { 5 };
        let style = if ratio { sg.ratio } else { sg.rate };
        let moved = perturb(&lines[i][column], style, up, Q::ONE)
            .or_else(|| perturb(&lines[i][column], style, !up, Q::ONE));
        prop_assume!(moved.is_some());
        // Without its selected count, a moved rate may still be another k/n, and a moved ratio
        // may still follow from wide printed rates: only figures with counts have exact values.
        prop_assume!(!lines[i][4].is_empty());
        lines[i][column] = moved.unwrap();
        let found = run(dir.path(), &lines, &sg.statement());
        prop_assert_eq!(found.len(), 1, "{:#?}\n{}", found, csv_text(&lines));
        prop_assert_eq!(found[0].line, Some(line_of(i)));
        let expected: &[Code] = if ratio {
            &[Code::ImpactRatio, Code::ImpactRatioRoundedRates]
        } else {
            &[Code::Rate]
        };
        prop_assert!(expected.contains(&found[0].code), "{:#?}", found);
    }
}
