//! The findings: every number that cannot be right and every required item that is missing.
//!
//! Each finding has a stable code (`kind.name`, listed in `docs/recheck.md`), a severity, the
//! rule it rests on and the numbers. The first requirement is no false positives: a finding is
//! raised only when no exact values behind the printed figures (see [`super::printed`]) and no
//! reading of an ambiguous rule (the 2 % denominator, whether unknowns count) could make the
//! summary right. Comparisons that cannot be decided exactly raise nothing.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::input::{Row, Slot, Summary, Table, category_label};
use super::printed::{Printed, Q, some_count_admits};
use crate::config::{DataKind, EEO1_RACE, EEO1_SEX, Outcome};

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Cannot be right at any rounding.
    Impossible,
    /// Two parts of the summary contradict each other.
    Inconsistent,
    /// A required item is absent (6 RCNY §5-303(a)).
    Missing,
    /// The audit is too old for the tool to be in use (§5-301(a)).
    Stale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Wrong, or required and absent.
    Error,
    /// Explainable, but not what the rule defines (e.g. ratios of rounded rates).
    Warning,
}

/// The stable finding codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    CountExceedsApplicants,
    RateOutOfRange,
    Rate,
    ImpactRatioOutOfRange,
    ImpactRatio,
    ImpactRatioRoundedRates,
    NoReferenceCategory,
    AboveMedianOverHalf,
    IntersectionalTotals,
    TableTotals,
    SmallCategoryRatio,
    UnstatedExclusion,
    ReferenceExcluded,
    AuditDate,
    DataSource,
    Applicants,
    UnknownCount,
    Category,
    Table,
    RateMissing,
    ImpactRatioMissing,
    DistributionDate,
    TestDataExplanation,
    ExclusionJustification,
    StaleAudit,
}

impl Code {
    pub const ALL: [Code; 25] = [
        Code::CountExceedsApplicants,
        Code::RateOutOfRange,
        Code::Rate,
        Code::ImpactRatioOutOfRange,
        Code::ImpactRatio,
        Code::ImpactRatioRoundedRates,
        Code::NoReferenceCategory,
        Code::AboveMedianOverHalf,
        Code::IntersectionalTotals,
        Code::TableTotals,
        Code::SmallCategoryRatio,
        Code::UnstatedExclusion,
        Code::ReferenceExcluded,
        Code::AuditDate,
        Code::DataSource,
        Code::Applicants,
        Code::UnknownCount,
        Code::Category,
        Code::Table,
        Code::RateMissing,
        Code::ImpactRatioMissing,
        Code::DistributionDate,
        Code::TestDataExplanation,
        Code::ExclusionJustification,
        Code::StaleAudit,
    ];

    /// The stable code, `kind.name`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::CountExceedsApplicants => "impossible.count-exceeds-applicants",
            Code::RateOutOfRange => "impossible.rate-out-of-range",
            Code::Rate => "impossible.rate",
            Code::ImpactRatioOutOfRange => "impossible.impact-ratio-out-of-range",
            Code::ImpactRatio => "impossible.impact-ratio",
            Code::ImpactRatioRoundedRates => "impossible.impact-ratio-rounded-rates",
            Code::NoReferenceCategory => "impossible.no-reference-category",
            Code::AboveMedianOverHalf => "impossible.above-median-over-half",
            Code::IntersectionalTotals => "inconsistent.intersectional-totals",
            Code::TableTotals => "inconsistent.table-totals",
            Code::SmallCategoryRatio => "inconsistent.small-category-ratio",
            Code::UnstatedExclusion => "inconsistent.unstated-exclusion",
            Code::ReferenceExcluded => "inconsistent.reference-excluded",
            Code::AuditDate => "missing.audit-date",
            Code::DataSource => "missing.data-source",
            Code::Applicants => "missing.applicants",
            Code::UnknownCount => "missing.unknown-count",
            Code::Category => "missing.category",
            Code::Table => "missing.table",
            Code::RateMissing => "missing.rate",
            Code::ImpactRatioMissing => "missing.impact-ratio",
            Code::DistributionDate => "missing.distribution-date",
            Code::TestDataExplanation => "missing.test-data-explanation",
            Code::ExclusionJustification => "missing.exclusion-justification",
            Code::StaleAudit => "stale.audit",
        }
    }

    pub fn kind(self) -> Kind {
        match self.as_str().split_once('.').map(|(k, _)| k) {
            Some("impossible") => Kind::Impossible,
            Some("inconsistent") => Kind::Inconsistent,
            Some("missing") => Kind::Missing,
            _ => Kind::Stale,
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::ImpactRatioRoundedRates | Code::TableTotals | Code::SmallCategoryRatio => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }

    /// The rule the finding rests on.
    pub fn rule(self) -> &'static str {
        match self {
            Code::CountExceedsApplicants | Code::RateOutOfRange => {
                "6 RCNY §5-300 (selection rate, scoring rate)"
            }
            Code::Rate => "6 RCNY §5-301(b)(1), (c)(2)",
            Code::ImpactRatioOutOfRange | Code::NoReferenceCategory => {
                "6 RCNY §5-300 (impact ratio)"
            }
            Code::ImpactRatio | Code::ImpactRatioRoundedRates => "6 RCNY §5-301(b)(2), (c)(3)",
            Code::AboveMedianOverHalf => "6 RCNY §5-300 (scoring rate), §5-301(c)(1)-(2)",
            Code::IntersectionalTotals | Code::TableTotals => {
                "6 RCNY §5-301(b)(3), (b)(5), (c)(4)-(5)"
            }
            Code::SmallCategoryRatio
            | Code::UnstatedExclusion
            | Code::ReferenceExcluded
            | Code::ExclusionJustification => "6 RCNY §5-301(d)",
            Code::AuditDate => "6 RCNY §5-303(a)",
            Code::DataSource | Code::Applicants | Code::RateMissing | Code::ImpactRatioMissing => {
                "6 RCNY §5-303(a)(1)"
            }
            Code::UnknownCount => "6 RCNY §5-303(a)(1), §5-301(b)(5), (c)(5)",
            Code::Category | Code::Table => "6 RCNY §5-303(a)(1), §5-301(b)(3), (c)(4)",
            Code::DistributionDate => "6 RCNY §5-303(a)(2)",
            Code::TestDataExplanation => "6 RCNY §5-302(b)",
            Code::StaleAudit => "6 RCNY §5-301(a)",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A string: one of the stable codes listed in `docs/recheck.md`.
impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({
            "description": "The finding's stable code (`kind.name`, docs/recheck.md).",
            "type": "string",
            "enum": all,
        })
    }
}

/// One finding. Every field is always present in JSON (null when not applicable), so that rows of
/// findings line up as spreadsheet columns.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    pub code: Code,
    pub kind: Kind,
    pub severity: Severity,
    pub rule: &'static str,
    pub table: Option<Table>,
    pub category: Option<String>,
    /// Line of the CSV row (or None for the statement and whole tables).
    pub line: Option<usize>,
    /// The figure(s) as printed.
    pub printed: Option<String>,
    /// What the other numbers allow.
    pub expected: Option<String>,
    /// What `expected` is computed from: "counts", "printed rates", "printed rates and counts", …
    pub basis: Option<String>,
    pub message: String,
}

impl Finding {
    fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            kind: code.kind(),
            severity: code.severity(),
            rule: code.rule(),
            table: None,
            category: None,
            line: None,
            printed: None,
            expected: None,
            basis: None,
            message: message.into(),
        }
    }

    fn at(mut self, row: &Row) -> Finding {
        self.table = Some(row.table);
        self.category = Some(row.label());
        self.line = Some(row.line);
        self
    }

    fn table(mut self, table: Table) -> Finding {
        self.table = Some(table);
        self
    }

    fn printed(mut self, text: impl Into<String>) -> Finding {
        self.printed = Some(text.into());
        self
    }

    fn expected(mut self, text: impl Into<String>) -> Finding {
        self.expected = Some(text.into());
        self
    }

    fn basis(mut self, text: impl Into<String>) -> Finding {
        self.basis = Some(text.into());
        self
    }
}

/// Digits shown for exact values in messages.
const SHOW: u32 = 4;

/// An interval for messages.
fn show_range(lo: Q, hi: Q) -> String {
    format!("{} to {}", lo.show(SHOW), hi.show(SHOW))
}

/// Check a summary as of a date.
pub fn check(summary: &Summary, as_of: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    statement(summary, as_of, &mut out);
    let outcome = summary.statement.outcome;
    for row in &summary.rows {
        row_figures(row, outcome, &mut out);
    }
    let unknowns = Unknowns::of(summary);
    if unknowns.none_printed() {
        out.push(Finding::new(
            Code::UnknownCount,
            "the summary prints no number of individuals in an unknown category",
        ));
    }
    for table in Table::ALL {
        let rows: Vec<&Row> = summary.rows.iter().filter(|r| r.table == table).collect();
        if rows.is_empty() {
            out.push(
                Finding::new(Code::Table, format!("no {} table", table_title(table))).table(table),
            );
            continue;
        }
        categories(table, &rows, &mut out);
        let known: Vec<&Row> = rows.iter().copied().filter(|r| !r.is_unknown()).collect();
        ratios(table, &known, &mut out);
        small_categories(summary, table, &known, unknowns.bound(table), &mut out);
        if outcome == Outcome::Scoring {
            over_half(table, &known, unknowns.bound(table), &mut out);
        }
    }
    cross_tables(summary, &unknowns, &mut out);
    // Scoring: one finding is enough when several tables show the same over-half share.
    let mut seen_over_half = false;
    out.retain(|f| {
        if f.code == Code::AboveMedianOverHalf {
            let keep = !seen_over_half;
            seen_over_half = true;
            keep
        } else {
            true
        }
    });
    out.sort_by_key(|f| (f.line.unwrap_or(0), f.table, f.code));
    out
}

fn table_title(table: Table) -> &'static str {
    match table {
        Table::Sex => "sex",
        Table::RaceEthnicity => "race/ethnicity",
        Table::Intersectional => "intersectional",
    }
}

fn statement(summary: &Summary, as_of: NaiveDate, out: &mut Vec<Finding>) {
    let s = &summary.statement;
    let blank = |t: &Option<String>| t.as_deref().is_none_or(|t| t.trim().is_empty());
    match s.audit_date {
        None => out.push(Finding::new(
            Code::AuditDate,
            "the summary states no date of the bias audit",
        )),
        Some(date) => {
            if let Some(limit) = date.checked_add_months(Months::new(12))
                && as_of > limit
            {
                out.push(
                    Finding::new(
                        Code::StaleAudit,
                        format!(
                            "the audit of {date} is more than a year before {as_of}: the tool may not be used on it after {limit}"
                        ),
                    )
                    .printed(date.to_string())
                    .expected(format!(
                        "an audit on or after {}",
                        as_of
                            .checked_sub_months(Months::new(12))
                            .map_or_else(String::new, |d| d.to_string())
                    )),
                );
            }
        }
    }
    if s.distribution_date.is_none() {
        out.push(Finding::new(
            Code::DistributionDate,
            "the summary states no distribution date (the date the employer began using the tool)",
        ));
    }
    if blank(&s.data_source) {
        out.push(Finding::new(
            Code::DataSource,
            "the summary states no source and explanation of the data",
        ));
    }
    if s.data_kind == Some(DataKind::Test) && blank(&s.test_data_explanation) {
        out.push(Finding::new(
            Code::TestDataExplanation,
            "test data without an explanation of why historical data was not used and how the test data were generated and obtained",
        ));
    }
    if s.small_categories_excluded == Some(true) && blank(&s.exclusion_justification) {
        out.push(Finding::new(
            Code::ExclusionJustification,
            "categories under 2 % are excluded without the auditor's justification",
        ));
    }
}

/// Checks of one row's own figures.
fn row_figures(row: &Row, outcome: Outcome, out: &mut Vec<Finding>) {
    let what = match outcome {
        Outcome::Selection => "selected",
        Outcome::Scoring => "scored above the median",
    };
    let mut count_ok = true;
    if let (Some(n), Some(k)) = (row.applicants, row.positive)
        && k > n
    {
        count_ok = false;
        out.push(
            Finding::new(
                Code::CountExceedsApplicants,
                format!("{k} {what} out of {n} applicants"),
            )
            .at(row)
            .printed(format!("{k} of {n}")),
        );
    }
    if let Some(rate) = &row.rate {
        if rate.outside_unit_interval() {
            out.push(
                Finding::new(
                    Code::RateOutOfRange,
                    format!("rate {} is outside 0 to 1 (0 % to 100 %)", rate.text),
                )
                .at(row)
                .printed(&rate.text),
            );
        } else if let Some(n) = row.applicants.filter(|&n| n > 0) {
            match row.positive {
                Some(k) if count_ok => {
                    let exact = Q::new(u128::from(k), u128::from(n));
                    if !rate.admits(exact) {
                        out.push(
                            Finding::new(
                                Code::Rate,
                                format!(
                                    "rate {} does not follow from {k} {what} of {n} applicants = {} at any rounding of the printed digits",
                                    rate.text,
                                    exact.show(SHOW)
                                ),
                            )
                            .at(row)
                            .printed(&rate.text)
                            .expected(exact.show(SHOW))
                            .basis("counts"),
                        );
                    }
                }
                None => {
                    if some_count_admits(rate, n) == Some(false) {
                        out.push(
                            Finding::new(
                                Code::Rate,
                                format!(
                                    "rate {} is not k/{n} for any whole number k of {n} applicants at any rounding of the printed digits",
                                    rate.text
                                ),
                            )
                            .at(row)
                            .printed(&rate.text)
                            .expected(format!("k/{n}"))
                            .basis("applicants"),
                        );
                    }
                }
                Some(_) => {}
            }
        }
    }
    if let Some(ir) = &row.impact_ratio
        && ir.outside_unit_interval()
    {
        out.push(
            Finding::new(
                Code::ImpactRatioOutOfRange,
                format!(
                    "impact ratio {} is outside 0 to 1 (no category's rate exceeds the highest)",
                    ir.text
                ),
            )
            .at(row)
            .printed(&ir.text),
        );
    }
}

/// Every EEO-1 category of the table must be printed (a zero row is printed; an absent one is not).
fn categories(table: Table, rows: &[&Row], out: &mut Vec<Finding>) {
    let wanted: Vec<(Option<Slot>, Option<Slot>)> = match table {
        Table::Sex => (0..EEO1_SEX.len())
            .map(|s| (Some(Slot::Known(s)), None))
            .collect(),
        Table::RaceEthnicity => (0..EEO1_RACE.len())
            .map(|r| (None, Some(Slot::Known(r))))
            .collect(),
        Table::Intersectional => (0..EEO1_SEX.len())
            .flat_map(|s| {
                (0..EEO1_RACE.len()).map(move |r| (Some(Slot::Known(s)), Some(Slot::Known(r))))
            })
            .collect(),
    };
    for (sex, race) in wanted {
        if !rows.iter().any(|r| r.sex == sex && r.race == race) {
            out.push(
                Finding::new(
                    Code::Category,
                    format!(
                        "the {} table does not mention {}",
                        table_title(table),
                        category_label(sex, race)
                    ),
                )
                .table(table)
                .category(category_label(sex, race)),
            );
        }
    }
    for row in rows.iter().filter(|r| !r.is_unknown()) {
        if row.applicants.is_none() {
            out.push(Finding::new(Code::Applicants, "no number of applicants printed").at(row));
        }
        if row.rate.is_none() && row.applicants != Some(0) {
            let mut f = Finding::new(Code::RateMissing, "no rate printed").at(row);
            if row.positive.is_some() {
                f.message = "no rate printed (the counts are, so it can be computed)".into();
                f.severity = Severity::Warning;
            }
            out.push(f);
        }
    }
}

impl Finding {
    fn category(mut self, c: String) -> Finding {
        self.category = Some(c);
        self
    }
}

/// A row's exact rate, when its counts are printed.
fn exact_rate(row: &Row) -> Option<Q> {
    match (row.applicants, row.positive) {
        (Some(n), Some(k)) if n > 0 && k <= n => Some(Q::new(u128::from(k), u128::from(n))),
        _ => None,
    }
}

/// A usable printed rate (in range, not negative).
fn printed_rate(row: &Row) -> Option<&Printed> {
    row.rate.as_ref().filter(|r| !r.outside_unit_interval())
}

/// The range of `rate_c / reference` over the printed intervals (None if undefined).
fn printed_ratio_range(c: &Printed, ref_lo: Q, ref_hi: Q) -> Option<(Q, Q)> {
    if ref_hi.is_zero() {
        return None;
    }
    let lo = c.lo().checked_div(ref_hi)?;
    let hi = if ref_lo.is_zero() {
        Q::ONE
    } else {
        c.hi().checked_div(ref_lo)?.min(Q::ONE)
    };
    Some((lo.min(Q::ONE), hi))
}

/// Impact ratios against the highest rate of the categories given one (§5-301(b)(2), (c)(3)).
fn ratios(table: Table, known: &[&Row], out: &mut Vec<Finding>) {
    let live = |r: &&&Row| r.applicants != Some(0);
    let included: Vec<&Row> = known
        .iter()
        .filter(live)
        .filter(|r| {
            r.impact_ratio
                .as_ref()
                .is_some_and(|p| !p.outside_unit_interval())
        })
        .copied()
        .collect();
    if included.is_empty() {
        return;
    }
    let printed_basis = included.iter().all(|r| printed_rate(r).is_some());
    let counts_basis = included.iter().all(|r| exact_rate(r).is_some());
    if !printed_basis && !counts_basis {
        // Nothing to divide: at least the reference category must print as 1.
        if !included
            .iter()
            .any(|r| r.impact_ratio.as_ref().is_some_and(|p| p.admits(Q::ONE)))
        {
            out.push(
                Finding::new(
                    Code::NoReferenceCategory,
                    "no category has impact ratio 1: the category with the highest rate has ratio 1 by definition",
                )
                .table(table),
            );
        }
        return;
    }
    let (ref_lo, ref_hi) = if printed_basis {
        included.iter().fold((Q::ZERO, Q::ZERO), |(lo, hi), r| {
            let p = printed_rate(r).expect("printed basis");
            (lo.max(p.lo()), hi.max(p.hi()))
        })
    } else {
        (Q::ZERO, Q::ZERO)
    };
    let ref_exact = if counts_basis {
        included
            .iter()
            .fold(Q::ZERO, |m, r| m.max(exact_rate(r).expect("counts basis")))
    } else {
        Q::ZERO
    };

    let mut pending = Vec::new();
    for row in &included {
        let ir = row.impact_ratio.as_ref().expect("included");
        let printed_range = if printed_basis {
            printed_ratio_range(printed_rate(row).expect("printed basis"), ref_lo, ref_hi)
        } else {
            None
        };
        let printed_fails = printed_range.is_some_and(|(lo, hi)| !ir.meets(lo, hi));
        let exact = if counts_basis {
            exact_rate(row)
                .expect("counts basis")
                .checked_div(ref_exact)
        } else {
            None
        };
        let counts_fails = exact.is_some_and(|x| !ir.admits(x));
        let finding = match (printed_range, exact) {
            (Some((lo, hi)), Some(x)) if printed_fails && counts_fails => Some(
                Finding::new(
                    Code::ImpactRatio,
                    format!(
                        "impact ratio {} follows neither from the printed rates ({}) nor from the counts ({})",
                        ir.text,
                        show_range(lo, hi),
                        x.show(SHOW)
                    ),
                )
                .expected(format!("{} (printed rates: {})", x.show(SHOW), show_range(lo, hi)))
                .basis("printed rates and counts"),
            ),
            (Some(_), Some(x)) if counts_fails => Some(
                Finding::new(
                    Code::ImpactRatioRoundedRates,
                    format!(
                        "impact ratio {} follows from the printed (rounded) rates but not from the counts, which give {}",
                        ir.text,
                        x.show(SHOW)
                    ),
                )
                .expected(x.show(SHOW))
                .basis("counts"),
            ),
            (Some((lo, hi)), None) if printed_fails => Some(
                Finding::new(
                    Code::ImpactRatio,
                    format!(
                        "impact ratio {} does not follow from the printed rates: rate ÷ highest rate is {}",
                        ir.text,
                        show_range(lo, hi)
                    ),
                )
                .expected(show_range(lo, hi))
                .basis("printed rates"),
            ),
            (None, Some(x)) if counts_fails => Some(
                Finding::new(
                    Code::ImpactRatio,
                    format!(
                        "impact ratio {} does not follow from the counts, which give {}",
                        ir.text,
                        x.show(SHOW)
                    ),
                )
                .expected(x.show(SHOW))
                .basis("counts"),
            ),
            _ => None,
        };
        if let Some(f) = finding {
            pending.push(f.at(row).printed(&ir.text));
        }
    }
    let errors = pending.iter().any(|f| f.code == Code::ImpactRatio);
    if errors
        && let Some(reference) = excluded_reference(known, &included, printed_basis, counts_basis)
    {
        out.push(
            Finding::new(
                Code::ReferenceExcluded,
                format!(
                    "the impact ratios are computed against {} (line {}), a category left out of the impact ratios; the reference must be the highest rate among the categories given one",
                    reference.label(),
                    reference.line
                ),
            )
            .at(reference)
            .printed(reference.rate.as_ref().map_or(String::new(), |r| r.text.clone())),
        );
        return;
    }
    out.extend(pending);
}

/// A category without an impact ratio against whose rate every printed ratio does follow.
fn excluded_reference<'a>(
    known: &[&'a Row],
    included: &[&Row],
    printed_basis: bool,
    counts_basis: bool,
) -> Option<&'a Row> {
    known
        .iter()
        .filter(|r| r.applicants != Some(0) && r.impact_ratio.is_none())
        .find(|e| {
            included.iter().all(|c| {
                let ir = c.impact_ratio.as_ref().expect("included");
                let by_printed = printed_basis
                    && printed_rate(e).is_some_and(|pe| {
                        printed_ratio_range(printed_rate(c).expect("printed"), pe.lo(), pe.hi())
                            .is_some_and(|(lo, hi)| ir.meets(lo, hi))
                    });
                let by_counts = counts_basis
                    && exact_rate(e)
                        .and_then(|xe| exact_rate(c).expect("counts").checked_div(xe))
                        .is_some_and(|x| ir.admits(x));
                by_printed || by_counts
            })
        })
        .copied()
}

/// The unknown counts the summary prints.
struct Unknowns {
    /// Per table: the applicants of its unknown rows (None when it prints none).
    table: BTreeMap<Table, u64>,
    /// The statement's single number.
    overall: Option<u64>,
}

impl Unknowns {
    fn of(summary: &Summary) -> Unknowns {
        let mut table = BTreeMap::new();
        for row in summary.rows.iter().filter(|r| r.is_unknown()) {
            if let Some(n) = row.applicants {
                *table.entry(row.table).or_insert(0) += n;
            }
        }
        Unknowns {
            table,
            overall: summary.statement.unknown,
        }
    }

    fn none_printed(&self) -> bool {
        self.table.is_empty() && self.overall.is_none()
    }

    /// The most individuals of the sample a table can leave out as unknown: its own unknown rows,
    /// else the summary's single number.
    fn bound(&self, table: Table) -> Option<u64> {
        self.table.get(&table).copied().or(self.overall)
    }
}

/// The §5-301(d) option: categories under 2 % may be left out of the impact ratios, if the summary
/// says so and still prints their applicants and rate. The 2 % denominator is ambiguous (known
/// individuals of the table, or everyone assessed): a category is "under 2 %" only if it is under
/// every reading, and "not under 2 %" only if it is at least 2 % under every reading.
fn small_categories(
    summary: &Summary,
    table: Table,
    known: &[&Row],
    unknown: Option<u64>,
    out: &mut Vec<Finding>,
) {
    let stated = summary.statement.small_categories_excluded;
    let d_min: u64 = known.iter().filter_map(|r| r.applicants).sum();
    let all_counts = known.iter().all(|r| r.applicants.is_some());
    let d_max = unknown.filter(|_| all_counts).map(|u| d_min + u);
    let any_ratio = known.iter().any(|r| r.impact_ratio.is_some());
    let live: Vec<&&Row> = known
        .iter()
        .filter(|r| r.applicants.is_some_and(|n| n > 0))
        .collect();
    // Nobody selected: no ratio can be computed, and none is missing.
    let all_zero = live.iter().all(|r| {
        r.positive == Some(0)
            || (r.positive.is_none() && r.rate.as_ref().is_some_and(|p| p.value.is_zero()))
    });
    if all_zero {
        return;
    }
    if !any_ratio {
        if !live.is_empty() {
            out.push(
                Finding::new(
                    Code::ImpactRatioMissing,
                    format!("the {} table prints no impact ratios", table_title(table)),
                )
                .table(table),
            );
        }
        return;
    }
    for row in live {
        let n = row.applicants.expect("live");
        let surely_small = 50 * u128::from(n) < u128::from(d_min);
        let maybe_small = d_max.is_none_or(|d| 50 * u128::from(n) < u128::from(d));
        let share = || {
            let lo = Q::new(u128::from(n), u128::from(d_max.unwrap_or(d_min).max(1)));
            let hi = Q::new(u128::from(n), u128::from(d_min.max(1)));
            if d_max == Some(d_min) {
                format!("{} % of {d_min}", Q::new(lo.num * 100, lo.den).show(2))
            } else {
                format!(
                    "{} % to {} % ({n} of {} to {d_min})",
                    Q::new(lo.num * 100, lo.den).show(2),
                    Q::new(hi.num * 100, hi.den).show(2),
                    d_max.map_or("?".to_string(), |d| d.to_string())
                )
            }
        };
        match &row.impact_ratio {
            Some(ir) if surely_small && stated == Some(true) => out.push(
                Finding::new(
                    Code::SmallCategoryRatio,
                    format!(
                        "the summary says categories under 2 % were excluded, yet this one ({}) has impact ratio {}",
                        share(),
                        ir.text
                    ),
                )
                .at(row)
                .printed(&ir.text)
                .expected(share()),
            ),
            Some(_) => {}
            None if !maybe_small => out.push(
                Finding::new(
                    Code::ImpactRatioMissing,
                    format!(
                        "no impact ratio, and the category is not under 2 % ({}), so it may not be excluded",
                        share()
                    ),
                )
                .at(row)
                .expected(share()),
            ),
            None if stated != Some(true) => out.push(
                Finding::new(
                    Code::UnstatedExclusion,
                    format!(
                        "no impact ratio for a category that may be under 2 % ({}), but the summary does not say it excluded such categories",
                        share()
                    ),
                )
                .at(row)
                .expected(share()),
            ),
            None => {}
        }
    }
}

/// Scoring mode: at most half the full sample scores strictly above its median.
fn over_half(table: Table, known: &[&Row], unknown: Option<u64>, out: &mut Vec<Finding>) {
    let Some(unknown) = unknown else { return };
    let mut n_total: u128 = u128::from(unknown);
    let mut least_above: u128 = 0;
    for row in known {
        let Some(n) = row.applicants else { return };
        n_total += u128::from(n);
        least_above += match (row.positive, &row.rate) {
            (Some(k), _) => u128::from(k.min(n)),
            (None, Some(rate)) if !rate.outside_unit_interval() => match rate.lo().ceil_times(n) {
                Some(k) => k.min(u128::from(n)),
                None => return,
            },
            _ => 0,
        };
    }
    if n_total > 0 && 2 * least_above > n_total {
        let share = Q::new(least_above, n_total);
        out.push(
            Finding::new(
                Code::AboveMedianOverHalf,
                format!(
                    "at least {least_above} of the {n_total} individuals assessed ({} %) score above the median, counting every unknown individual as not above: at most half can",
                    Q::new(share.num * 100, share.den).show(2)
                ),
            )
            .table(table)
            .printed(format!("{least_above} of {n_total}"))
            .expected("at most one half")
            .basis(if known.iter().all(|r| r.positive.is_some()) { "counts" } else { "applicants and printed rates" }),
        );
    }
}

/// Intersectional counts against the sex and race totals: each sex (race) row is the sum of its
/// intersectional rows plus individuals of unknown race (sex), who can number no more than the
/// unknowns printed, and among whom no more can be selected than there are.
fn cross_tables(summary: &Summary, unknowns: &Unknowns, out: &mut Vec<Finding>) {
    let find = |table: Table, sex: Option<Slot>, race: Option<Slot>| {
        summary
            .rows
            .iter()
            .find(|r| r.table == table && r.sex == sex && r.race == race)
    };
    // (margin table, number of margin categories, number of other-axis categories)
    let sides = [
        (Table::Sex, EEO1_SEX.len(), EEO1_RACE.len()),
        (Table::RaceEthnicity, EEO1_RACE.len(), EEO1_SEX.len()),
    ];
    let mut surplus: BTreeMap<Table, (u64, Vec<String>)> = BTreeMap::new();
    for (table, count, other) in sides {
        for i in 0..count {
            let margin = match table {
                Table::Sex => find(table, Some(Slot::Known(i)), None),
                _ => find(table, None, Some(Slot::Known(i))),
            };
            let Some(margin) = margin else { continue };
            let Some(n) = margin.applicants else { continue };
            let cells: Option<Vec<&Row>> = (0..other)
                .map(|j| match table {
                    Table::Sex => find(
                        Table::Intersectional,
                        Some(Slot::Known(i)),
                        Some(Slot::Known(j)),
                    ),
                    _ => find(
                        Table::Intersectional,
                        Some(Slot::Known(j)),
                        Some(Slot::Known(i)),
                    ),
                })
                .collect();
            let Some(cells) = cells else { continue };
            let Some(sum_n) = cells.iter().map(|c| c.applicants).sum::<Option<u64>>() else {
                continue;
            };
            let unknown_axis = if table == Table::Sex { "race" } else { "sex" };
            if sum_n > n {
                out.push(
                    Finding::new(
                        Code::IntersectionalTotals,
                        format!(
                            "the intersectional rows of {} add up to {sum_n} applicants, more than the {n} of the {} table",
                            margin.label(),
                            table_title(table)
                        ),
                    )
                    .at(margin)
                    .printed(n.to_string())
                    .expected(format!("at least {sum_n}"))
                    .basis("intersectional counts"),
                );
                continue;
            }
            let extra = n - sum_n;
            let entry = surplus.entry(table).or_default();
            entry.0 += extra;
            if extra > 0 {
                entry.1.push(format!("{} {extra}", margin.label()));
            }
            let sum_k = cells.iter().map(|c| c.positive).sum::<Option<u64>>();
            if let (Some(k), Some(sum_k)) = (margin.positive, sum_k)
                && (sum_k > k || k - sum_k > extra)
            {
                let message = if sum_k > k {
                    format!(
                        "the intersectional rows of {} count {sum_k} selected, more than the {k} of the {} table",
                        margin.label(),
                        table_title(table)
                    )
                } else {
                    format!(
                        "{}: the {} table prints {n} applicants and {k} selected, the intersectional rows {sum_n} and {sum_k}; the {extra} individuals of unknown {unknown_axis} cannot account for {} selected",
                        margin.label(),
                        table_title(table),
                        k - sum_k
                    )
                };
                out.push(
                    Finding::new(Code::IntersectionalTotals, message)
                        .at(margin)
                        .printed(format!("{k} of {n}"))
                        .expected(format!("{sum_k} to {} selected", sum_k + extra))
                        .basis("intersectional counts"),
                );
            }
        }
    }
    // Individuals in a margin but not in the intersectional table have an unknown value on the
    // other axis: no more than the unknowns printed.
    let bound_for = |table: Table| {
        let other = if table == Table::Sex {
            Table::RaceEthnicity
        } else {
            Table::Sex
        };
        unknowns.table.get(&other).copied()
    };
    let sex_extra = surplus.get(&Table::Sex).map_or(0, |s| s.0);
    let race_extra = surplus.get(&Table::RaceEthnicity).map_or(0, |s| s.0);
    let mut checked = false;
    for (table, (extra, parts)) in &surplus {
        if let Some(bound) = bound_for(*table) {
            checked = true;
            if *extra > bound {
                let axis = if *table == Table::Sex { "race" } else { "sex" };
                out.push(
                    Finding::new(
                        Code::IntersectionalTotals,
                        format!(
                            "the {} table counts {extra} more applicants than the intersectional table ({}); they would all have an unknown {axis}, but only {bound} are printed as unknown {axis}",
                            table_title(*table),
                            parts.join(", ")
                        ),
                    )
                    .table(*table)
                    .printed(extra.to_string())
                    .expected(format!("at most {bound}"))
                    .basis("unknown counts"),
                );
            }
        }
    }
    if !checked
        && let Some(overall) = unknowns.overall
        && sex_extra + race_extra > overall
    {
        out.push(
            Finding::new(
                Code::IntersectionalTotals,
                format!(
                    "the sex and race/ethnicity tables count {} more applicants than the intersectional table; they would all be in an unknown category, but the summary prints {overall} unknown",
                    sex_extra + race_extra
                ),
            )
            .printed((sex_extra + race_extra).to_string())
            .expected(format!("at most {overall}"))
            .basis("unknown counts"),
        );
    }
    // With every table's unknowns printed, every table counts the same individuals.
    let totals: Vec<(Table, u64)> = Table::ALL
        .iter()
        .filter_map(|&t| {
            let rows: Vec<&Row> = summary.rows.iter().filter(|r| r.table == t).collect();
            if rows.is_empty() || !unknowns.table.contains_key(&t) {
                return None;
            }
            rows.iter()
                .map(|r| r.applicants)
                .sum::<Option<u64>>()
                .map(|n| (t, n))
        })
        .collect();
    if totals.len() >= 2 && totals.iter().any(|(_, n)| *n != totals[0].1) {
        out.push(
            Finding::new(
                Code::TableTotals,
                format!(
                    "the tables, unknown rows included, count different numbers of individuals assessed: {}",
                    totals
                        .iter()
                        .map(|(t, n)| format!("{} {n}", table_title(*t)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .printed(
                totals
                    .iter()
                    .map(|(_, n)| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" / "),
            )
            .expected("the same total in every table")
            .basis("applicants"),
        );
    }
}
