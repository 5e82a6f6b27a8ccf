//! Printed figures as intervals of exact values, and the exact arithmetic that judges them.
//!
//! A summary prints rounded numbers. A printed figure is read as the set of exact values it can
//! stand for, judged from its digits alone: with its last digit in the place of `u` (0.01 for
//! "0.78" and for "78.0%", 0.01 for "78%"), the figure `d` stands for any value in
//! `[d − u/2, d + u]` — rounded half up, half down or half even (`d ± u/2`), or truncated (up to
//! `d + u`; the DCWP's own Example 2 prints 18/28 = 64.29 % as "64.2%"). Nothing but exact rational
//! arithmetic decides whether a value lies in that interval, so a correct summary never gets a
//! finding from a floating-point slip.

use std::cmp::Ordering;
use std::fmt;

/// Digits after the decimal point a figure may print (as a fraction, a percentage prints two more):
/// enough for any summary, and small enough that every product below fits in 128 bits.
pub const MAX_DECIMALS: u32 = 9;

/// Counts above this are input errors (keeps exact products within 128 bits).
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// A non-negative exact rational `num / den` (`den > 0`), compared by cross-multiplication.
#[derive(Debug, Clone, Copy)]
pub struct Q {
    pub num: u128,
    pub den: u128,
}

impl Q {
    pub fn new(num: u128, den: u128) -> Q {
        assert!(den > 0, "zero denominator");
        let g = gcd(num, den);
        Q {
            num: num / g,
            den: den / g,
        }
    }

    pub fn int(n: u64) -> Q {
        Q::new(u128::from(n), 1)
    }

    pub const ZERO: Q = Q { num: 0, den: 1 };
    pub const ONE: Q = Q { num: 1, den: 1 };

    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// `self / other`, `None` when `other` is zero or the result does not fit.
    pub fn checked_div(self, other: Q) -> Option<Q> {
        if other.is_zero() {
            return None;
        }
        let g1 = gcd(self.num, other.num).max(1);
        let g2 = gcd(self.den, other.den).max(1);
        let num = (self.num / g1).checked_mul(other.den / g2)?;
        let den = (self.den / g2).checked_mul(other.num / g1)?;
        Some(Q::new(num, den))
    }

    /// Exact comparison; `None` if the cross products overflow 128 bits (callers then stay silent:
    /// no finding rests on an undecided comparison).
    pub fn cmp_exact(self, other: Q) -> Option<Ordering> {
        let a = self.num.checked_mul(other.den)?;
        let b = other.num.checked_mul(self.den)?;
        Some(a.cmp(&b))
    }

    /// `self < other`, decided exactly (false when undecidable).
    pub fn lt(self, other: Q) -> bool {
        self.cmp_exact(other) == Some(Ordering::Less)
    }

    pub fn le(self, other: Q) -> bool {
        matches!(
            self.cmp_exact(other),
            Some(Ordering::Less | Ordering::Equal)
        )
    }

    pub fn max(self, other: Q) -> Q {
        if self.lt(other) { other } else { self }
    }

    pub fn min(self, other: Q) -> Q {
        if other.lt(self) { other } else { self }
    }

    /// Smallest integer `k` with `k ≥ self · n`.
    pub fn ceil_times(self, n: u64) -> Option<u128> {
        let p = self.num.checked_mul(u128::from(n))?;
        Some(p.div_ceil(self.den))
    }

    /// Largest integer `k` with `k ≤ self · n`.
    pub fn floor_times(self, n: u64) -> Option<u128> {
        let p = self.num.checked_mul(u128::from(n))?;
        Some(p / self.den)
    }

    /// For messages: the value with `digits` decimals, rounded half up (display only, never judged).
    pub fn show(self, digits: u32) -> String {
        let scale = 10u128.pow(digits);
        let Some(scaled) = self.num.checked_mul(scale) else {
            return format!("{}/{}", self.num, self.den);
        };
        let rounded = (scaled + self.den / 2) / self.den;
        let int = rounded / scale;
        let frac = rounded % scale;
        if digits == 0 {
            format!("{int}")
        } else {
            format!("{int}.{frac:0width$}", width = digits as usize)
        }
    }
}

impl PartialEq for Q {
    fn eq(&self, other: &Q) -> bool {
        self.num == other.num && self.den == other.den
    }
}

impl fmt::Display for Q {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A figure as printed ("0.78", "78%", "78.0 %", ".67"): its text and the exact values it can stand for.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    /// The text exactly as transcribed.
    pub text: String,
    /// The printed value, as a fraction (percentages divided by 100).
    pub value: Q,
    /// Whether the value was printed as a percentage.
    pub percent: bool,
    /// A minus sign was printed (no rate or ratio can be negative).
    pub negative: bool,
    /// Decimal places of the fraction the last printed digit stands for ("78%" → 2, "0.978" → 3).
    pub places: u32,
}

impl Printed {
    /// Parse a printed figure. `Ok(None)` for the ways summaries print "no value": empty, "N/A",
    /// "NA", "n/a", "-", "–", "—". `percent_hint`: read a bare number above 1 as a percentage
    /// (for a file whose other rates carry a "%" sign, like the DCWP's "62.5" in Example 2).
    pub fn parse(text: &str, percent_hint: bool) -> Result<Option<Printed>, String> {
        let t = text.trim();
        if matches!(
            t.to_ascii_lowercase().as_str(),
            "" | "n/a" | "na" | "-" | "–" | "—" | "n.a."
        ) {
            return Ok(None);
        }
        let (body, percent_sign) = match t.strip_suffix('%') {
            Some(rest) => (rest.trim_end(), true),
            None => (t, false),
        };
        let (negative, digits) = match body.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        let well_formed = !(int_part.is_empty() && frac_part.is_empty())
            && int_part.bytes().all(|b| b.is_ascii_digit())
            && frac_part.bytes().all(|b| b.is_ascii_digit())
            && !(digits.contains('.') && frac_part.is_empty());
        if !well_formed {
            return Err(format!(
                "{t:?} is not a number as summaries print them (e.g. 0.78, .78, 78%, 78.0 %, N/A)"
            ));
        }
        let int_part = int_part.trim_start_matches('0');
        if int_part.len() > 6 {
            return Err(format!("{t:?} is too large for a rate or ratio"));
        }
        let places_printed = frac_part.len() as u32;
        if places_printed > MAX_DECIMALS {
            return Err(format!(
                "{t:?} has more than {MAX_DECIMALS} digits after the point"
            ));
        }
        let mantissa: u128 = format!("{int_part}{frac_part}").parse().unwrap_or(0);
        let mut value = Q::new(mantissa, 10u128.pow(places_printed));
        let mut percent = percent_sign;
        if !percent && percent_hint && !negative && Q::ONE.lt(value) {
            percent = true;
        }
        let mut places = places_printed;
        if percent {
            value = Q::new(value.num, value.den * 100);
            places += 2;
        }
        Ok(Some(Printed {
            text: t.to_string(),
            value,
            percent,
            negative,
            places,
        }))
    }

    /// Half the unit of the last printed digit, as a fraction.
    fn half_unit(&self) -> Q {
        Q::new(1, 2 * 10u128.pow(self.places))
    }

    /// The smallest exact value the figure can stand for (rounded up to it); 0 for negative figures.
    pub fn lo(&self) -> Q {
        if self.negative {
            return Q::ZERO;
        }
        let h = self.half_unit();
        // value − h, or 0 when the figure is 0.
        let a = self.value.num * h.den;
        let b = h.num * self.value.den;
        if a <= b {
            Q::ZERO
        } else {
            Q::new(a - b, self.value.den * h.den)
        }
    }

    /// The largest exact value the figure can stand for (truncated to it).
    pub fn hi(&self) -> Q {
        if self.negative {
            // "-0.0" is a zero; any other negative figure lies below zero.
            return if self.value.is_zero() {
                self.half_unit()
            } else {
                Q::ZERO
            };
        }
        let unit = Q::new(1, 10u128.pow(self.places));
        Q::new(
            self.value.num * unit.den + unit.num * self.value.den,
            self.value.den * unit.den,
        )
    }

    /// Whether the exact value `x` could print as this figure.
    pub fn admits(&self, x: Q) -> bool {
        if self.negative && !self.value.is_zero() {
            return false;
        }
        self.lo().le(x) && x.le(self.hi())
    }

    /// Whether some value in `[lo, hi]` could print as this figure.
    pub fn meets(&self, lo: Q, hi: Q) -> bool {
        if self.negative && !self.value.is_zero() {
            return false;
        }
        self.lo().le(hi) && lo.le(self.hi())
    }

    /// The figure lies wholly outside `[0, 1]`.
    pub fn outside_unit_interval(&self) -> bool {
        (self.negative && !self.value.is_zero()) || Q::ONE.lt(self.lo())
    }
}

/// Whether some whole number `k` in `0..=n` has `k / n` printable as `p`: a printed rate with only
/// the number of applicants printed.
pub fn some_count_admits(p: &Printed, n: u64) -> Option<bool> {
    if n == 0 {
        return Some(true);
    }
    let lo = p.lo().ceil_times(n)?;
    let hi = p.hi().floor_times(n)?.min(u128::from(n));
    Some(lo <= hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Printed {
        Printed::parse(t, false).unwrap().unwrap()
    }

    #[test]
    fn forms_of_the_same_rate() {
        assert_eq!(p("0.78").value, Q::new(78, 100));
        assert_eq!(p("78%").value, Q::new(78, 100));
        assert_eq!(p("78.0 %").places, 3);
        assert_eq!(p(".67").value, Q::new(67, 100));
        assert!(Printed::parse("N/A", false).unwrap().is_none());
        assert!(Printed::parse(" – ", false).unwrap().is_none());
        assert!(Printed::parse("", false).unwrap().is_none());
        assert!(Printed::parse("0.7.8", false).is_err());
        assert!(Printed::parse("78.", false).is_err());
        assert!(Printed::parse("abc", false).is_err());
    }

    #[test]
    fn percent_hint_reads_bare_numbers_above_one() {
        let x = Printed::parse("62.5", true).unwrap().unwrap();
        assert!(x.percent);
        assert_eq!(x.value, Q::new(625, 1000));
        let y = Printed::parse("0.5", true).unwrap().unwrap();
        assert!(!y.percent);
    }

    #[test]
    fn interval_admits_rounding_and_truncation() {
        let r = p("64.2%");
        // 18/28 = 0.642857… truncates to 64.2 %.
        assert!(r.admits(Q::new(18, 28)));
        assert!(r.admits(Q::new(6415, 10000)));
        assert!(!r.admits(Q::new(6414, 10000)));
        assert!(r.admits(Q::new(643, 1000)));
        assert!(!r.admits(Q::new(6431, 10000)));
        // 0.979 for 555/1181 ÷ 667/1390.
        let ir = Q::new(555, 1181).checked_div(Q::new(667, 1390)).unwrap();
        assert!(p("0.979").admits(ir));
        assert!(!p("0.97").admits(Q::new(96, 100)));
    }

    #[test]
    fn counts_that_print_as_a_rate() {
        assert_eq!(some_count_admits(&p("64.2%"), 28), Some(true));
        assert_eq!(some_count_admits(&p("33%"), 10), Some(false));
        assert_eq!(some_count_admits(&p("30%"), 10), Some(true));
        assert_eq!(some_count_admits(&p("100%"), 7), Some(true));
    }

    #[test]
    fn out_of_range() {
        assert!(p("1.2").outside_unit_interval());
        assert!(!p("1.00").outside_unit_interval());
        assert!(p("1.004").outside_unit_interval());
        assert!(!p("1.0").outside_unit_interval());
        assert!(p("-0.1").outside_unit_interval());
        assert!(!p("-0.0").outside_unit_interval());
    }
}
