//! Periods written the way the law writes them: "6 months", "183 days", "1 year".
//!
//! A month is a calendar month, not 30.4 days: 6 RCNY § 5-303(c) keeps the summary posted "for at
//! least 6 months after its latest use", EU AI Act Art 19(1) and 26(6) keep logs "for a period …
//! of at least six months". Six months after 2026-07-01 is 2027-01-01 (184 days later), so
//! 183 days falls one day short. Adding months clamps to the month's last day (31 August + 6
//! months = 28 or 29 February), as `chrono` does.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    pub count: u32,
    pub unit: PeriodUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    Days,
    Months,
    Years,
}

impl Period {
    pub fn days(count: u32) -> Period {
        Period {
            count,
            unit: PeriodUnit::Days,
        }
    }

    /// Calendar months, for months and years.
    fn months(self) -> Option<u32> {
        match self.unit {
            PeriodUnit::Days => None,
            PeriodUnit::Months => Some(self.count),
            PeriodUnit::Years => Some(self.count.saturating_mul(12)),
        }
    }

    /// The day this period after `date` (calendar arithmetic for months and years).
    pub fn after(self, date: NaiveDate) -> NaiveDate {
        match self.months() {
            None => date.checked_add_days(Days::new(u64::from(self.count))),
            Some(m) => date.checked_add_months(Months::new(m)),
        }
        .unwrap_or(NaiveDate::MAX)
    }

    /// The shortest and the longest number of days the period can span, over every start day
    /// (a four-year cycle holds every pattern of month lengths).
    pub fn day_range(self) -> (u32, u32) {
        if self.months().is_none() {
            return (self.count, self.count);
        }
        let first = NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date");
        (0..1461u64)
            .map(|i| {
                let start = first + Days::new(i);
                (self.after(start) - start).num_days() as u32
            })
            .fold((u32::MAX, 0), |(lo, hi), d| (lo.min(d), hi.max(d)))
    }

    /// How `self` compares with `other` whatever day both start on: `Some(Greater)` only if
    /// `self` is longer from every start day, `None` when that depends on the start day (a
    /// number of days against a number of months: 183 days is less than six months from 1 July,
    /// more from 1 September).
    pub fn compare(self, other: Period) -> Option<Ordering> {
        if let (Some(a), Some(b)) = (self.months(), other.months()) {
            return Some(a.cmp(&b));
        }
        let (a_lo, a_hi) = self.day_range();
        let (b_lo, b_hi) = other.day_range();
        if a_lo == a_hi && b_lo == b_hi {
            Some(a_lo.cmp(&b_lo))
        } else if a_lo >= b_hi {
            Some(if a_lo == b_hi && a_hi == b_lo {
                Ordering::Equal
            } else {
                Ordering::Greater
            })
        } else if a_hi <= b_lo {
            Some(Ordering::Less)
        } else {
            None
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match (self.unit, self.count) {
            (PeriodUnit::Days, 1) => "day",
            (PeriodUnit::Days, _) => "days",
            (PeriodUnit::Months, 1) => "month",
            (PeriodUnit::Months, _) => "months",
            (PeriodUnit::Years, 1) => "year",
            (PeriodUnit::Years, _) => "years",
        };
        write!(f, "{} {unit}", self.count)
    }
}

impl FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Period, String> {
        let bad = || {
            format!("{s:?} is not a period; write e.g. \"6 months\", \"183 days\" or \"1 year\"")
        };
        let mut parts = s.split_whitespace();
        let (Some(count), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let count: u32 = count.parse().map_err(|_| bad())?;
        let unit = match unit {
            "day" | "days" => PeriodUnit::Days,
            "month" | "months" => PeriodUnit::Months,
            "year" | "years" => PeriodUnit::Years,
            _ => return Err(bad()),
        };
        Ok(Period { count, unit })
    }
}

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(s: String) -> Result<Period, String> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn six_months_are_calendar_months() {
        let six: Period = "6 months".parse().unwrap();
        // 6 RCNY § 5-303(c), Art 19(1), 26(6): 183 days after 1 July is one day short.
        assert_eq!(six.after(d("2026-07-01")), d("2027-01-01"));
        assert_eq!(Period::days(183).after(d("2026-07-01")), d("2026-12-31"));
        assert_eq!(six.after(d("2026-08-31")), d("2027-02-28"));
        assert_eq!(six.after(d("2027-08-31")), d("2028-02-29"));
        assert_eq!(
            "1 year".parse::<Period>().unwrap().after(d("2028-02-29")),
            d("2029-02-28")
        );
        assert_eq!(six.day_range(), (181, 184));
    }

    #[test]
    fn days_against_months_hold_from_every_start_day() {
        let six: Period = "6 months".parse().unwrap();
        assert_eq!(Period::days(184).compare(six), Some(Ordering::Greater));
        assert_eq!(Period::days(183).compare(six), None);
        assert_eq!(Period::days(182).compare(six), None);
        // 181 days is never more than six months (31 August to 28 February is 181 days).
        assert_eq!(Period::days(181).compare(six), Some(Ordering::Less));
        assert_eq!(Period::days(180).compare(six), Some(Ordering::Less));
        assert_eq!(
            "12 months"
                .parse::<Period>()
                .unwrap()
                .compare("1 year".parse().unwrap()),
            Some(Ordering::Equal)
        );
        assert_eq!(
            Period::days(90).compare(Period::days(90)),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn parse_and_print() {
        for s in [
            "6 months", "1 month", "183 days", "1 day", "2 years", "1 year",
        ] {
            assert_eq!(s.parse::<Period>().unwrap().to_string(), s);
        }
        for bad in ["6", "six months", "6 weeks", "6 months ago", ""] {
            assert!(bad.parse::<Period>().is_err(), "{bad:?}");
        }
    }
}
