//! The framework-file schema (`docs/frameworks.md`) as written in TOML: deserialized with spans
//! (`toml::Spanned`) so that every validation error can point at file, line and column, and with
//! `deny_unknown_fields` so that a misspelt key is an error instead of a silently ignored rule.
//!
//! These types are the raw syntax. [`super::Framework`] is the validated model the check uses.

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A whole framework file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkFile {
    pub framework: Spanned<Header>,
    /// Named dates (`applies_from = "@name"`): data, because application dates move.
    #[serde(default)]
    pub dates: IndexMap<Spanned<String>, Spanned<NamedDateDecl>>,
    /// Evidence kinds this framework uses, each with a description.
    #[serde(default)]
    pub evidence_kinds: IndexMap<Spanned<String>, Spanned<KindDecl>>,
    #[serde(default)]
    pub obligations: Vec<Spanned<ObligationDecl>>,
    /// Framework-level rules that take obligations out of scope (e.g. the Art 6(3) derogation).
    #[serde(default)]
    pub exemptions: Vec<Spanned<ExemptionDecl>>,
}

/// `[[exemptions]]`: when every condition holds, every obligation of the framework except those
/// in `except` is not applicable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptionDecl {
    pub id: Spanned<String>,
    pub cite: String,
    /// Why the obligations do not apply, printed as their reason.
    pub message: String,
    pub conditions: Vec<Spanned<ConditionDecl>>,
    /// Obligation ids of this framework the exemption leaves in place.
    #[serde(default)]
    pub except: Vec<Spanned<String>>,
}

/// `[framework]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub id: Spanned<String>,
    pub title: String,
    /// Version or date of the legal text mapped.
    pub version: String,
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// Primary sources (URLs or official citations).
    #[serde(default)]
    pub sources: Vec<String>,
    /// The roles this framework's obligations use.
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
}

/// `[dates.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedDateDecl {
    pub date: Spanned<TomlDate>,
    #[serde(default)]
    pub cite: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// When the date is the framework's reading of the law rather than a date the text states:
    /// the caveat, printed in the documents beside every obligation that uses it.
    #[serde(default)]
    pub interpretation: Option<String>,
}

/// `[evidence_kinds.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindDecl {
    pub description: String,
    /// Fact path of fairfile's own result that provides this kind (computed evidence).
    #[serde(default)]
    pub computed: Option<Spanned<String>>,
}

/// `[[obligations]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationDecl {
    pub id: Spanned<String>,
    pub cite: String,
    pub title: String,
    pub requirement: String,
    /// Good practice the framework recommends beyond the law's words, kept apart from the
    /// requirement so the documents can print it as practice.
    #[serde(default)]
    pub practice: Option<String>,
    /// Roles the obligation binds; `[]` means every role.
    pub applies_to: Vec<Spanned<String>>,
    /// A TOML date, or `"@name"` of a `[dates]` entry.
    #[serde(default)]
    pub applies_from: Option<Spanned<toml::Value>>,
    /// `document/anchor` that presents it (checked against [`crate::document::Section`]).
    #[serde(default)]
    pub section: Option<Spanned<String>>,
    /// Applicability conditions (all must hold).
    #[serde(default)]
    pub when: Vec<Spanned<ConditionDecl>>,
    /// Evidence requirements (all must be met; each is met by any one of its kinds).
    #[serde(default)]
    pub evidence: Vec<Spanned<RequirementDecl>>,
    /// Conditions on facts/computed evidence; a failing one makes the obligation `failing`.
    #[serde(default)]
    pub conditions: Vec<Spanned<ConditionDecl>>,
}

/// `{ fact = "...", <op> = <value>, message = "..." }`: exactly one op.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionDecl {
    pub fact: Spanned<String>,
    #[serde(default)]
    pub equals: Option<toml::Value>,
    #[serde(default)]
    pub not_equals: Option<toml::Value>,
    #[serde(default)]
    pub at_least: Option<toml::Value>,
    #[serde(default)]
    pub at_most: Option<toml::Value>,
    #[serde(default)]
    pub one_of: Option<toml::Value>,
    #[serde(default)]
    pub contains: Option<toml::Value>,
    #[serde(default)]
    pub exists: Option<toml::Value>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `[[obligations.evidence]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementDecl {
    /// Any one of these kinds satisfies the requirement.
    pub kinds: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub max_age_days: Option<Spanned<u32>>,
    #[serde(default)]
    pub relative_to: Option<Spanned<String>>,
    #[serde(default)]
    pub min_business_days_before: Option<Spanned<u32>>,
    #[serde(default)]
    pub before: Option<Spanned<String>>,
    #[serde(default)]
    pub keep_days_after: Option<Spanned<u32>>,
    /// A period such as "6 months" (calendar months), instead of `keep_days_after`.
    #[serde(default)]
    pub keep_after: Option<Spanned<String>>,
    #[serde(default)]
    pub after: Option<Spanned<String>>,
    /// The evidence must be dated on or before this date; a later one makes the obligation failing.
    #[serde(default)]
    pub not_after: Option<Spanned<String>>,
}

/// A calendar date written either as a TOML local date (`2026-11-20`) or as a string
/// (`"2026-11-20"`). A TOML date-time or time is rejected: obligations and evidence are dated by day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TomlDate(pub NaiveDate);

impl<'de> Deserialize<'de> for TomlDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        date_from_value(&value)
            .map(TomlDate)
            .map_err(serde::de::Error::custom)
    }
}

/// Read a day from a TOML value (a local date, or a `YYYY-MM-DD` string).
pub fn date_from_value(value: &toml::Value) -> Result<NaiveDate, String> {
    match value {
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| format!("{dt} is not a calendar date"))
            }
            _ => Err(format!(
                "expected a date like 2026-11-20, found the date-time {dt}"
            )),
        },
        toml::Value::String(s) => parse_day(s),
        other => Err(format!(
            "expected a date like 2026-11-20, found {}",
            other.type_str()
        )),
    }
}

/// Parse `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-20"))
}

/// Deserialize an optional [`TomlDate`] into an optional [`NaiveDate`].
pub fn opt_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    Ok(Option::<TomlDate>::deserialize(deserializer)?.map(|d| d.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct D {
        d: TomlDate,
    }

    #[test]
    fn dates_from_toml_dates_and_strings() {
        let a: D = toml::from_str("d = 2026-02-28").unwrap();
        let b: D = toml::from_str("d = \"2026-02-28\"").unwrap();
        assert_eq!(a.d, b.d);
        assert_eq!(a.d.0, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
    }

    #[test]
    fn datetimes_and_bad_dates_are_rejected() {
        let e = toml::from_str::<D>("d = 2026-02-28T10:00:00")
            .err()
            .unwrap();
        assert!(e.message().contains("date-time"), "{}", e.message());
        let e = toml::from_str::<D>("d = \"2026-02-30\"").err().unwrap();
        assert!(e.message().contains("is not a date"), "{}", e.message());
    }

    #[test]
    fn spanned_keys_carry_spans() {
        let f: FrameworkFile = toml::from_str(
            "[framework]\nid = \"x\"\ntitle = \"X\"\nversion = \"1\"\n[evidence_kinds.abc]\ndescription = \"d\"\n",
        )
        .unwrap();
        let (key, _) = f.evidence_kinds.first().unwrap();
        assert_eq!(key.get_ref(), "abc");
        assert!(key.span().start > 0);
    }
}
