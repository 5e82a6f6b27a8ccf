//! How every human-readable output spells a number, a date and a flag: the terminal tables, the
//! PDFs (through the render view model) and any page to come print the same digits for the same
//! value.
//!
//! One rule, [`ROUNDING_RULE`], printed in every document: each figure is rounded half away from
//! zero from its exact binary value (Rust's `{:.3}` rounds ties to even, `0.8125` → `0.812`; a
//! reader checking an impact ratio by hand expects `0.813`). One precision per quantity, as the
//! DCWP's own worked examples print them (6 RCNY §5-301 notice of adoption: `43.9%`, `0.841`):
//! rates and shares as percentages with [`RATE_DECIMALS`] decimal, impact ratios and other ratios
//! with [`RATIO_DECIMALS`] decimals. The JSON outputs carry the exact values.
//!
//! This module sits at the bottom of the crate and depends on nothing in it.

use chrono::{Datelike, NaiveDate};

/// Decimals of a rate or share, printed as a percentage (`81.3%`).
pub const RATE_DECIMALS: usize = 1;
/// Decimals of an impact ratio or any other ratio or difference (`0.813`).
pub const RATIO_DECIMALS: usize = 3;

/// The rounding rule, stated once and printed in every document and terminal report.
pub const ROUNDING_RULE: &str = "Rounding: rates and shares are shown as percentages to one decimal place, impact ratios and other ratios and differences to three decimal places, p-values to three decimal places (below 0.0005 as < 0.001), standard deviations (Z) to two and expected numbers of people to one decimal place. Every figure is rounded half away from zero from its exact value (0.8125 is shown as 0.813); impact ratios are computed from the unrounded rates. The JSON outputs carry the exact values.";

/// What a value that does not exist prints as (never an empty cell that hides a gap).
pub const DASH: &str = "—";

/// A rate or share (a proportion) as a percentage: `0.8125` → `81.3%`.
pub fn rate(x: f64) -> String {
    percent(x, RATE_DECIMALS)
}

/// An impact ratio (or another ratio or difference): `0.8125` → `0.813`.
pub fn ratio(x: f64) -> String {
    fixed(x, RATIO_DECIMALS)
}

/// A confidence interval of a rate: `41.2%–55.0%`.
pub fn interval(low: f64, high: f64) -> String {
    format!("{}–{}", rate(low), rate(high))
}

/// A p-value: three decimals, or `< 0.001`.
pub fn p_value(p: f64) -> String {
    if p < 0.0005 {
        "< 0.001".to_string()
    } else {
        fixed(p, 3)
    }
}

/// A signed difference of ratios or rates as a fraction (an odds difference): `+0.013`, `−0.250`.
pub fn difference(x: f64) -> String {
    signed(x, ratio(x))
}

/// A signed difference of two rates, in percentage points: `−3.2 pp`.
pub fn rate_difference(x: f64) -> String {
    let text = percent(x, RATE_DECIMALS);
    signed(x, format!("{} pp", text.trim_end_matches('%')))
}

/// A Z statistic, the number of standard deviations: `−2.31`.
pub fn z_score(z: f64) -> String {
    signed(z, fixed(z, 2))
}

/// An expected or missing number of people (a shortfall): `12.4`.
pub fn people(x: f64) -> String {
    fixed(x, 1)
}

/// An inequality index (Theil, generalized entropy), often tiny between groups: three decimals,
/// or four significant digits in scientific notation below 0.001 (`1.234e-5`).
pub fn index(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        let exponent = x.abs().log10().floor() as i32;
        let mantissa = x / 10f64.powi(exponent);
        format!("{}e{exponent}", fixed(mantissa, 3))
    } else {
        fixed(x, RATIO_DECIMALS)
    }
}

/// `text` with an explicit `+` when `x` is positive (a rounded zero gets no sign).
fn signed(x: f64, text: String) -> String {
    if x > 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{text}")
    } else {
        text
    }
}

/// A count with thousands separators: `40000` → `40,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number as given, without trailing zeros (a median score, a threshold): `72.5`, `5`.
pub fn number(x: f64) -> String {
    let text = fixed(x, 6);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A proportion set by policy as a percentage without trailing zeros: `0.02` → `2%`,
/// `0.015` → `1.5%` (thresholds are shown as set, not rounded to the rate precision).
pub fn policy_percent(x: f64) -> String {
    let text = percent(x, 6);
    let digits = text.trim_end_matches('%');
    format!("{}%", digits.trim_end_matches('0').trim_end_matches('.'))
}

/// A date as ISO 8601: `2026-11-20`.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A date in words: `20 November 2026`.
pub fn long_date(d: NaiveDate) -> String {
    format!("{} {}", d.day(), d.format("%B %Y"))
}

/// An optional value, or [`DASH`].
pub fn or_dash<T>(value: Option<T>, f: impl FnOnce(T) -> String) -> String {
    value.map_or_else(|| DASH.to_string(), f)
}

/// `x` rounded half away from zero to `digits` decimals, computed on the exact binary value.
///
/// We print the value with 30 extra digits (exact for any tie a double can represent) and round
/// that decimal string. Negative values take a true minus sign (U+2212).
pub fn fixed(x: f64, digits: usize) -> String {
    let (negative, units) = scaled(x, digits);
    with_point(negative, units, digits, "")
}

/// `x` (a proportion) as a percentage with `digits` decimals: `0.47986` → `48.0%`.
pub fn percent(x: f64, digits: usize) -> String {
    let (negative, units) = scaled(x, digits + 2);
    with_point(negative, units, digits, "%")
}

fn with_point(negative: bool, units: u128, digits: usize, suffix: &str) -> String {
    let sign = if negative && units != 0 {
        "\u{2212}"
    } else {
        ""
    };
    if digits == 0 {
        return format!("{sign}{units}{suffix}");
    }
    let scale = 10u128.pow(digits as u32);
    format!(
        "{sign}{}.{:0width$}{suffix}",
        units / scale,
        units % scale,
        width = digits
    )
}

/// |x| × 10^digits rounded half away from zero, and the sign.
fn scaled(x: f64, digits: usize) -> (bool, u128) {
    if !x.is_finite() {
        return (false, 0);
    }
    let text = format!("{:.*}", digits + 30, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let kept = format!("{int}{}", &frac[..digits]);
    let mut units: u128 = kept.parse().unwrap_or(u128::MAX);
    if frac.as_bytes().get(digits).is_some_and(|d| *d >= b'5') {
        units += 1;
    }
    (x.is_sign_negative(), units)
}

/// The title of a results dimension, by its JSON name (`sex`, `race_ethnicity`,
/// `intersectional`): the same heading in the terminal and in every document.
pub fn dimension_title(key: &str) -> &'static str {
    match key {
        "sex" => "Sex categories",
        "race_ethnicity" => "Race/ethnicity categories",
        _ => "Intersectional categories (sex × race/ethnicity)",
    }
}

/// The marks a results row can carry, each with one name (and, in the documents, one sign).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// The highest-rate category: the impact-ratio denominator.
    Reference,
    /// Impact ratio below the four-fifths threshold (29 CFR 1607.4(D)): context, not a pass mark.
    BelowFourFifths,
    /// Under the small-category share (6 RCNY §5-301(d): 2 %).
    Small,
    /// Left out of the impact ratios under the §5-301(d) option.
    Excluded,
    /// Too few individuals (or expected selections) for the ratio to mean much.
    SmallSample,
}

impl Flag {
    pub const ALL: [Flag; 5] = [
        Flag::Reference,
        Flag::BelowFourFifths,
        Flag::Small,
        Flag::Excluded,
        Flag::SmallSample,
    ];

    /// The key templates look the flag up by.
    pub fn key(self) -> &'static str {
        match self {
            Flag::Reference => "reference",
            Flag::BelowFourFifths => "below_four_fifths",
            Flag::Small => "small",
            Flag::Excluded => "excluded",
            Flag::SmallSample => "small_sample",
        }
    }

    /// The name printed in tables and legends.
    pub fn name(self) -> &'static str {
        match self {
            Flag::Reference => "reference",
            Flag::BelowFourFifths => "below 4/5",
            Flag::Small => "small",
            Flag::Excluded => "excluded",
            Flag::SmallSample => "small sample",
        }
    }

    /// The sign that marks a category name in the documents (empty: shown in its own column).
    pub fn mark(self) -> &'static str {
        match self {
            Flag::Small => "†",
            Flag::Excluded => "‡",
            Flag::SmallSample => "*",
            Flag::Reference | Flag::BelowFourFifths => "",
        }
    }
}

/// Colours of the status chips (foreground, background), as `#rrggbb`.
pub mod palette {
    pub const MET: (&str, &str) = ("#1a6b35", "#e3f2e7");
    pub const MISSING: (&str, &str) = ("#9b1c1c", "#fbe9e9");
    pub const STALE: (&str, &str) = ("#8a5300", "#fdf1dc");
    pub const WAIVED: (&str, &str) = ("#3f4a59", "#e8ecf1");
    pub const MUTED: (&str, &str) = ("#57606a", "#e8ecf1");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero_on_the_exact_value() {
        assert_eq!(fixed(0.8125, 3), "0.813"); // an exact binary tie
        assert_eq!(ratio(0.8125), "0.813");
        assert_eq!(rate(0.8125), "81.3%");
        assert_eq!(fixed(555.0 / 1181.0 / (667.0 / 1390.0), 3), "0.979");
        assert_eq!(fixed(1.0, 3), "1.000");
        assert_eq!(fixed(0.9995, 3), "1.000");
        assert_eq!(fixed(-0.25, 1), "\u{2212}0.3");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(percent(667.0 / 1390.0, 1), "48.0%");
        assert_eq!(percent(7.0 / 17.0, 1), "41.2%");
        assert_eq!(percent(0.625, 1), "62.5%");
        assert_eq!(percent(0.02, 0), "2%");
        assert_eq!(rate(0.0), "0.0%");
        assert_eq!(interval(0.1, 0.55), "10.0%–55.0%");
        // 2.675 is just below the tie in binary: rounding the exact value gives 2.67.
        assert_eq!(fixed(2.675, 2), "2.67");
    }

    #[test]
    fn signed_differences_z_people_and_indices() {
        assert_eq!(difference(0.0125), "+0.013");
        assert_eq!(difference(-0.25), "\u{2212}0.250");
        assert_eq!(difference(0.0001), "0.000");
        assert_eq!(rate_difference(-0.03125), "\u{2212}3.1 pp");
        assert_eq!(z_score(2.345), "+2.35");
        assert_eq!(people(12.25), "12.3");
        assert_eq!(index(0.0001234567), "1.235e-4");
        assert_eq!(index(0.25), "0.250");
    }

    #[test]
    fn p_values_counts_numbers_dates() {
        assert_eq!(p_value(0.0004), "< 0.001");
        assert_eq!(p_value(0.0005), "0.001");
        assert_eq!(p_value(0.0411), "0.041");
        assert_eq!(p_value(1.0), "1.000");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(40_000), "40,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(number(72.5), "72.5");
        assert_eq!(number(5.0), "5");
        assert_eq!(number(100.0), "100");
        assert_eq!(policy_percent(0.02), "2%");
        assert_eq!(policy_percent(0.015), "1.5%");
        assert_eq!(policy_percent(0.95), "95%");
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        assert_eq!(date(d), "2026-11-02");
        assert_eq!(long_date(d), "2 November 2026");
        assert_eq!(or_dash(None::<f64>, rate), "—");
    }
}
