//! TOML dates as `chrono::NaiveDate`.
//!
//! TOML has a native date type (`audit_date = 2026-11-20`) that chrono's serde support does not
//! understand; these adapters accept it (and a quoted `"2026-11-20"` too) and reject anything with
//! a time or offset, so a date is always a plain calendar day.
//! Use with `#[serde(with = "crate::dates::date")]`, `dates::option` or `dates::list`.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDate {
    Toml(toml::value::Datetime),
    Text(String),
}

fn to_naive<E: serde::de::Error>(raw: RawDate) -> Result<NaiveDate, E> {
    match raw {
        RawDate::Toml(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                    .ok_or_else(|| E::custom(format!("{dt} is not a valid calendar date")))
            }
            _ => Err(E::custom(format!(
                "expected a date like 2026-11-20, found {dt} (no time or offset)"
            ))),
        },
        RawDate::Text(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| E::custom(format!("expected a date like 2026-11-20, found {s:?}"))),
    }
}

/// `NaiveDate` field.
pub mod date {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        to_naive(RawDate::deserialize(d)?)
    }

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }
}

/// `Option<NaiveDate>` field (use with `#[serde(default)]`).
pub mod option {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<RawDate>::deserialize(d)?.map(to_naive).transpose()
    }

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }
}

/// `Vec<NaiveDate>` field (use with `#[serde(default)]`).
pub mod list {
    use super::*;
    use serde::ser::SerializeSeq;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
        Vec::<RawDate>::deserialize(d)?
            .into_iter()
            .map(to_naive)
            .collect()
    }

    pub fn serialize<S: Serializer>(dates: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(dates.len()))?;
        for d in dates {
            seq.serialize_element(&d.to_string())?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, serde::Serialize)]
    struct T {
        #[serde(with = "date")]
        a: NaiveDate,
        #[serde(default, with = "option")]
        b: Option<NaiveDate>,
        #[serde(default, with = "list")]
        c: Vec<NaiveDate>,
    }

    #[test]
    fn toml_native_and_quoted_dates() {
        let t: T = toml::from_str("a = 2026-11-20\nb = \"2027-01-11\"\nc = [2026-12-25]").unwrap();
        assert_eq!(t.a, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        assert_eq!(t.b, NaiveDate::from_ymd_opt(2027, 1, 11));
        assert_eq!(t.c, vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()]);
        assert_eq!(serde_json::to_value(&t).unwrap()["a"], "2026-11-20");
    }

    #[test]
    fn datetimes_and_bad_dates_are_rejected() {
        let err = toml::from_str::<T>("a = 2026-11-20T10:00:00Z")
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("expected a date like 2026-11-20"),
            "{err}"
        );
        assert!(toml::from_str::<T>("a = \"20/11/2026\"").is_err());
        assert!(toml::from_str::<T>("a = 2026-02-30").is_err());
    }
}
