//! Business days for ordering rules such as LL144's notice "at least 10 business days before use"
//! (Admin. Code § 20-871(b)(1)-(2); 6 RCNY § 5-304(b)-(c)).
//!
//! A business day is a Monday to Friday that is not in the audit's `[audit] holidays` list. Counting
//! follows the DCWP FAQ (VI.2: an employer "may start using the AEDT 10 business days after posting
//! website notice"): the day of the notice does not count, and N business days after it is the
//! earliest day of use that satisfies the rule.

use chrono::{Datelike, NaiveDate, Weekday};

/// Monday to Friday and not a listed holiday.
pub fn is_business_day(day: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&day)
}

/// The day that is `n` business days after `start` (`start` itself never counts).
pub fn add_business_days(start: NaiveDate, n: u32, holidays: &[NaiveDate]) -> NaiveDate {
    let mut day = start;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().unwrap_or(NaiveDate::MAX);
        if day == NaiveDate::MAX {
            break;
        }
        if is_business_day(day, holidays) {
            left -= 1;
        }
    }
    day
}

/// Business days `d` with `from < d <= to` (0 when `to <= from`).
pub fn business_days_between(from: NaiveDate, to: NaiveDate, holidays: &[NaiveDate]) -> u32 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
        if is_business_day(day, holidays) {
            count += 1;
        }
    }
    count
}

/// The latest day on which something can be done and still come `n` business days before
/// `reference` (the inverse of [`add_business_days`]: `add_business_days(day, n) <= reference`).
/// `fairfile status` gives it as the last day to post a notice.
pub fn latest_day_before(reference: NaiveDate, n: u32, holidays: &[NaiveDate]) -> NaiveDate {
    let mut day = reference;
    loop {
        if business_days_between(day, reference, holidays) >= n {
            return day;
        }
        day = match day.pred_opt() {
            Some(d) => d,
            None => return day,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ten_business_days_span_two_weekends() {
        // Friday 2026-03-06 + 10 business days = Friday 2026-03-20.
        assert_eq!(add_business_days(d("2026-03-06"), 10, &[]), d("2026-03-20"));
        assert_eq!(
            business_days_between(d("2026-03-06"), d("2026-03-20"), &[]),
            10
        );
        assert_eq!(
            business_days_between(d("2026-03-06"), d("2026-03-19"), &[]),
            9
        );
        // The weekend after does not add business days.
        assert_eq!(
            business_days_between(d("2026-03-06"), d("2026-03-22"), &[]),
            10
        );
    }

    #[test]
    fn holidays_are_skipped() {
        let holidays = [d("2026-03-16")];
        assert_eq!(
            add_business_days(d("2026-03-06"), 10, &holidays),
            d("2026-03-23")
        );
        assert_eq!(
            business_days_between(d("2026-03-06"), d("2026-03-20"), &holidays),
            9
        );
        assert!(!is_business_day(d("2026-03-16"), &holidays));
        assert!(!is_business_day(d("2026-03-07"), &[]));
    }

    #[test]
    fn latest_day_before_inverts_add_business_days() {
        // Use on Friday 2026-03-20: notice by Sunday 2026-03-08 (Mon 9 … Fri 20 are 10 business
        // days; the notice day itself does not count).
        assert_eq!(latest_day_before(d("2026-03-20"), 10, &[]), d("2026-03-08"));
        // A holiday in the window moves it back a business day.
        assert_eq!(
            latest_day_before(d("2026-03-20"), 10, &[d("2026-03-16")]),
            d("2026-03-05")
        );
        let holidays = [d("2026-11-26"), d("2026-12-25")];
        for offset in 0..60 {
            let reference = d("2026-11-01") + chrono::Days::new(offset);
            let latest = latest_day_before(reference, 10, &holidays);
            assert!(add_business_days(latest, 10, &holidays) <= reference);
            let next = latest.succ_opt().unwrap();
            assert!(add_business_days(next, 10, &holidays) > reference);
        }
    }

    #[test]
    fn counts_are_consistent() {
        let start = d("2026-12-18");
        let holidays = [d("2026-12-25"), d("2027-01-01")];
        for n in 0..30 {
            let end = add_business_days(start, n, &holidays);
            assert_eq!(business_days_between(start, end, &holidays), n);
            assert!(n == 0 || is_business_day(end, &holidays));
        }
    }
}
