//! SQL push-down: the aggregation query that turns a warehouse table into the counts fairfile reads.
//!
//! Large employers keep applicant data in a warehouse; the audit needs only aggregate counts per
//! sex × race cell, so moving every row of personal data out is both slow and against data
//! minimisation. [`aggregation_query`] writes one query, for one [`Dialect`], that applies the
//! audit's `[data.columns]`, `[data.values]` and `[data.categories]` exactly as the row reader
//! does, and returns one row per cell. Saved as CSV, that result is what `[data] counts = "…"`
//! reads, and the metrics computed from it equal the metrics computed from the rows
//! (`tests/sql_engines.rs` checks this on DuckDB, PostgreSQL and Spark SQL).
//!
//! What the query does, so that nothing is lost on the way:
//! - Each raw value is compared as text: `TRIM(CAST(column AS <text>))`, so typed warehouse
//!   columns (integers, booleans, decimals) match the values written in `fairfile.toml` the way
//!   their CSV export would; NULL counts as the empty string (an empty CSV field).
//! - Category values are mapped with `CASE` to canonical names (`unknown` included). A value no
//!   mapping names comes back as itself, in its own row, with `sex_unmapped` / `race_unmapped` = 1,
//!   so that fairfile raises the same error as for rows (or folds it into unknown with
//!   `unmapped = "unknown"`) instead of the value being lost, or mistaken for a canonical name.
//! - With `not_selected`, an outcome value in neither list is counted in `invalid_outcome`, which
//!   the counts reader rejects, as the row reader rejects the row. A score that is not a finite
//!   number (NULL, NaN, infinite, or non-numeric text on engines that cast leniently) is counted
//!   in `invalid_score`, also rejected.
//! - Scoring mode: the exact median of the full sample (every row, unknown categories included,
//!   6 RCNY §5-301(c)) is computed in the same query as the average of the two middle values,
//!   and `above_median` counts scores strictly above it.
//! - With ground truth (`label`) and a prediction (the `selected` column, or
//!   `score >= prediction_threshold`), the confusion-matrix counts `tp`, `fp`, `fn`, `tn`.
//!
//! The dialect notes are in `docs/sql.md`.

pub mod dialect;

use std::fmt::Write as _;
use std::str::FromStr;

pub use dialect::{Dialect, QuoteError};

use crate::config::{Audit, CategoryMap, DataSection, Outcome, UNKNOWN};
use crate::diag::{Error, InputError, Location, Result};

/// Characters trimmed from both ends of every raw value before it is compared, as the row reader
/// trims them: ASCII whitespace (space, tab, line feed, form feed, carriage return).
pub const TRIMMED: &str = " \t\n\x0C\r";

/// Names of the columns the query returns (the counts CSV header): the list the counts reader reads.
pub use crate::ingest::count_columns as columns;

/// A possibly qualified table name (`table`, `schema.table`, `project.dataset.table`), each part
/// quoted separately. A part holding a dot is written in double quotes: `"my.schema".applicants`
/// (a double quote inside one is doubled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName(pub Vec<String>);

impl FromStr for TableName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = Vec::new();
        let mut chars = s.chars().peekable();
        loop {
            let mut part = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            part.push('"');
                        }
                        Some('"') => break,
                        Some(c) => part.push(c),
                        None => return Err(format!("unclosed double quote in table name {s:?}")),
                    }
                }
                if !matches!(chars.peek(), None | Some('.')) {
                    return Err(format!(
                        "expected `.` after a quoted part in table name {s:?}"
                    ));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    part.push(c);
                    chars.next();
                }
            }
            if part.is_empty() {
                return Err(format!(
                    "empty part in table name {s:?} (write it as `schema.table`)"
                ));
            }
            parts.push(part);
            match chars.next() {
                Some('.') => continue,
                None => break,
                Some(_) => unreachable!("every part ends at a dot or the end"),
            }
        }
        Ok(TableName(parts))
    }
}

/// The default `--table`.
pub const DEFAULT_TABLE: &str = "applicants";

/// The aggregation query for `audit`'s mappings, reading `table`, in `dialect`.
pub fn aggregation_query(audit: &Audit, dialect: Dialect, table: &TableName) -> Result<String> {
    let data = audit.config.data.get_ref();
    let plan = Plan::from_config(audit, data)?;
    let q = Quoter {
        dialect,
        file: &audit.config_path,
    };
    let mut sql = String::new();
    plan.write(&q, table, audit, &mut sql)?;
    Ok(sql)
}

/// What the query computes, decided from the config before any SQL is written.
struct Plan<'a> {
    outcome: Outcome,
    sex: Option<Dim<'a>>,
    race: Option<Dim<'a>>,
    /// Selection mode: what counts as selected.
    selected: Option<Decision<'a>>,
    /// The mapped `selected` column, if any (read on every row, whatever the mode).
    selected_column: Option<Decision<'a>>,
    /// Scoring mode, or a threshold decision: the score column.
    score: Option<&'a str>,
    /// Ground truth and the prediction it is compared with.
    confusion: Option<(Text<'a>, Decision<'a>)>,
}

/// A demographic dimension: its column and its category map.
struct Dim<'a> {
    column: &'a str,
    map: &'a CategoryMap,
}

/// A text column and the raw values that count as "yes".
#[derive(Clone, Copy)]
struct Text<'a> {
    column: &'a str,
    yes: &'a [String],
}

/// A yes/no decision: a text column compared with value lists, or a score against a threshold.
#[derive(Clone, Copy)]
enum Decision<'a> {
    Values {
        text: Text<'a>,
        no: Option<&'a [String]>,
    },
    Threshold(f64),
}

impl<'a> Plan<'a> {
    fn from_config(audit: &Audit, data: &'a DataSection) -> Result<Self> {
        let at = || {
            Location::from_offset(
                &audit.config_path,
                &audit.config_text,
                audit.config.data.span().start,
            )
        };
        let cols = &data.columns;
        let mut errors = Vec::new();
        // Column names are trimmed as the row reader trims them before looking them up.
        let name_of = |column: &'a Option<String>| column.as_deref().map(str::trim_ascii);
        let mut dim =
            |name: &str, column: Option<&'a str>, map: Option<&'a CategoryMap>| match (column, map)
            {
                (Some(column), Some(map)) => Some(Dim { column, map }),
                (Some(_), None) => {
                    errors.push(
                        InputError::new(
                            at(),
                            format!(
                                "column `{name}` is mapped but [data.categories.{name}] is missing"
                            ),
                        )
                        .with_help(format!(
                            "list the canonical {name} categories and the raw values that mean each"
                        )),
                    );
                    None
                }
                (None, _) => None,
            };
        let sex = dim(
            "sex",
            name_of(&cols.sex),
            data.categories.sex.as_ref().map(|m| m.get_ref()),
        );
        let race = dim(
            "race",
            name_of(&cols.race),
            data.categories.race.as_ref().map(|m| m.get_ref()),
        );
        if cols.sex.is_none() && cols.race.is_none() {
            errors.push(
                InputError::new(
                    at(),
                    "neither `sex` nor `race` column is mapped in [data.columns]",
                )
                .with_help("the query groups by the demographic columns: map at least one"),
            );
        }
        let values = &data.values;
        if let Some(not_selected) = &values.not_selected {
            let trimmed = |list: &[String]| {
                list.iter()
                    .map(|v| v.trim_ascii().to_string())
                    .collect::<Vec<_>>()
            };
            let (yes, no) = (trimmed(&values.selected), trimmed(not_selected));
            let mut both: Vec<&String> = yes.iter().filter(|v| no.contains(v)).collect();
            both.sort();
            both.dedup();
            for value in both {
                errors.push(
                    InputError::new(
                        at().with_field("data.values"),
                        format!(
                            "value {value:?} is listed both in `selected` and in `not_selected`"
                        ),
                    )
                    .with_help("keep it in one list"),
                );
            }
        }
        // As the row reader: a mapped `selected` column is read (and its values checked against
        // `not_selected`) on every row, whatever the mode.
        let selected_column = name_of(&cols.selected).map(|column| Decision::Values {
            text: Text {
                column,
                yes: &values.selected,
            },
            no: values.not_selected.as_deref(),
        });
        let threshold = match cols.prediction_threshold {
            Some(t) if !t.is_finite() => {
                errors.push(InputError::new(
                    at(),
                    format!("prediction_threshold = {t} is not a finite number"),
                ));
                None
            }
            t => t.map(Decision::Threshold),
        };
        let selected = match data.outcome {
            Outcome::Selection => {
                let decision = selected_column.or(threshold);
                if decision.is_none() {
                    errors.push(
                        InputError::new(at(), "selection mode needs [data.columns] `selected`")
                            .with_help("name the column holding the AEDT's decision, or give `score` and `prediction_threshold`"),
                    );
                }
                decision
            }
            Outcome::Scoring => None,
        };
        // The prediction compared with ground truth: the `selected` column, else the threshold
        // when there is a score column to apply it to.
        let prediction = selected_column.or(if cols.score.is_some() {
            threshold
        } else {
            None
        });
        let confusion = match (name_of(&cols.label), prediction) {
            (Some(column), Some(prediction)) => Some((
                Text {
                    column,
                    yes: &values.label,
                },
                prediction,
            )),
            _ => None,
        };
        let needs_score = data.outcome == Outcome::Scoring
            || matches!(selected, Some(Decision::Threshold(_)))
            || matches!(confusion, Some((_, Decision::Threshold(_))));
        if needs_score && cols.score.is_none() {
            errors.push(
                InputError::new(at(), "[data.columns] `score` is not mapped")
                    .with_help("scoring mode (6 RCNY §5-301(c)) and `prediction_threshold` need the score column"),
            );
        }
        let score = if needs_score {
            name_of(&cols.score)
        } else {
            None
        };
        match errors.len() {
            0 => Ok(Plan {
                outcome: data.outcome,
                sex,
                race,
                selected,
                selected_column,
                score,
                confusion,
            }),
            1 => Err(errors.remove(0).into()),
            _ => Err(Error::Inputs(errors)),
        }
    }

    fn write(&self, q: &Quoter, table: &TableName, audit: &Audit, sql: &mut String) -> Result<()> {
        let d = q.dialect;
        let mode = match self.outcome {
            Outcome::Selection => "selection",
            Outcome::Scoring => "scoring",
        };
        // The audit id is a validated slug, safe in a comment.
        let id = audit.config.audit.get_ref().id.get_ref();
        writeln!(
            sql,
            "-- fairfile aggregation query: audit {id}, {mode} mode, dialect {d}."
        )
        .unwrap();
        writeln!(sql, "-- Save the result as CSV with a header row and point [data] counts at it (docs/sql.md).").unwrap();
        writeln!(
            sql,
            "-- Raw values are compared as trimmed text; NULL counts as the empty string."
        )
        .unwrap();

        // 1. ff_rows: the raw values, as trimmed text (and the score as a double).
        let mut raw = Vec::new();
        if let Some(dim) = &self.sex {
            raw.push(format!("{} AS ff_sex_raw", q.text(dim.column)?));
        }
        if let Some(dim) = &self.race {
            raw.push(format!("{} AS ff_race_raw", q.text(dim.column)?));
        }
        if let Some(Decision::Values { text, .. }) = &self.selected_column {
            raw.push(format!("{} AS ff_selected_raw", q.text(text.column)?));
        }
        if let Some((label, _)) = &self.confusion {
            raw.push(format!("{} AS ff_label_raw", q.text(label.column)?));
        }
        if let Some(score) = self.score {
            raw.push(format!(
                "CAST({} AS {}) AS ff_score",
                q.ident(score)?,
                d.double_type()
            ));
        }
        let table = table
            .0
            .iter()
            .map(|part| q.ident(part))
            .collect::<Result<Vec<_>>>()?
            .join(".");
        writeln!(
            sql,
            "WITH ff_rows AS (\n  SELECT\n    {}\n  FROM {table}\n),",
            raw.join(",\n    ")
        )
        .unwrap();

        // 2. ff_median: the exact median of the full sample, as fairfile computes it from rows:
        // (lower + upper) / 2, or lower / 2 + upper / 2 where the sum would overflow (both give the
        // same number below 1e300), and 0 rather than -0.
        let scoring = self.outcome == Outcome::Scoring;
        if scoring {
            let (lower, upper) = (d.lower_middle("ff_score"), d.upper_middle("ff_score"));
            let middle = if d.median_is_analytic() {
                format!(
                    "SELECT ANY_VALUE(ff_lower) AS ff_lower, ANY_VALUE(ff_upper) AS ff_upper\n    FROM (\n      SELECT\n        {lower} AS ff_lower,\n        {upper} AS ff_upper\n      FROM ff_rows\n    ) AS ff_window"
                )
            } else {
                format!(
                    "SELECT\n      {lower} AS ff_lower,\n      {upper} AS ff_upper\n    FROM ff_rows"
                )
            };
            let big = q.double("1e300")?;
            writeln!(
                sql,
                "ff_middle AS (\n  SELECT\n    CASE\n      WHEN ABS(ff_lower) < {big} AND ABS(ff_upper) < {big} THEN (ff_lower + ff_upper) / 2\n      ELSE ff_lower / 2 + ff_upper / 2\n    END AS ff_mean\n  FROM (\n    {middle}\n  ) AS ff_middle_values\n),\nff_median AS (\n  SELECT CASE WHEN ff_mean = 0 THEN 0 ELSE ff_mean END AS ff_median_score FROM ff_middle\n),"
            )
            .unwrap();
        }

        // 3. ff_cells: each row's cell and 0/1 flags.
        let mut cells = Vec::new();
        for (name, dim) in [("sex", &self.sex), ("race", &self.race)] {
            if let Some(dim) = dim {
                let (case, unmapped) = q.category_case(&format!("ff_{name}_raw"), dim.map)?;
                cells.push(format!("{case} AS ff_{name}"));
                cells.push(format!("{unmapped} AS ff_{name}_unmapped"));
            }
        }
        if let Some(selected) = &self.selected {
            cells.push(format!("{} AS ff_selected", q.decision(selected)?));
        }
        if let Some(invalid) = self.invalid_outcome(q)? {
            cells.push(format!("{invalid} AS ff_invalid_outcome"));
        }
        if let Some((label, prediction)) = &self.confusion {
            cells.push(format!(
                "{} AS ff_label",
                q.flag("ff_label_raw", label.yes)?
            ));
            cells.push(format!("{} AS ff_prediction", q.decision(prediction)?));
        }
        if self.score.is_some() {
            // NULL, NaN and infinities: the row reader rejects every score that is not a finite number.
            let max = q.double(&format!("{:?}", f64::MAX))?;
            cells.push(format!(
                "CASE WHEN ff_score >= -{max} AND ff_score <= {max} THEN 0 ELSE 1 END AS ff_invalid_score"
            ));
        }
        if scoring {
            cells.push(
                "CASE WHEN ff_score > ff_median_score THEN 1 ELSE 0 END AS ff_above_median".into(),
            );
            cells.push("ff_median_score".into());
        }
        let from = if scoring {
            "ff_rows CROSS JOIN ff_median"
        } else {
            "ff_rows"
        };
        writeln!(
            sql,
            "ff_cells AS (\n  SELECT\n    {}\n  FROM {from}\n)",
            cells.join(",\n    ")
        )
        .unwrap();

        // 4. One row per cell.
        let mut out = Vec::new();
        let mut group = Vec::new();
        for (name, dim) in [(columns::SEX, &self.sex), (columns::RACE, &self.race)] {
            if dim.is_some() {
                out.push(format!("ff_{name} AS {}", q.ident(name)?));
                group.push(format!("ff_{name}"));
            }
        }
        out.push(format!("COUNT(*) AS {}", q.ident(columns::N)?));
        if self.selected.is_some() {
            out.push(format!(
                "SUM(ff_selected) AS {}",
                q.ident(columns::SELECTED)?
            ));
        }
        if scoring {
            out.push(format!(
                "SUM(ff_above_median) AS {}",
                q.ident(columns::ABOVE_MEDIAN)?
            ));
            out.push(format!(
                "MAX(ff_median_score) AS {}",
                q.ident(columns::MEDIAN_SCORE)?
            ));
        }
        if self.confusion.is_some() {
            for (name, prediction, label) in [
                (columns::TP, 1, 1),
                (columns::FP, 1, 0),
                (columns::FN, 0, 1),
                (columns::TN, 0, 0),
            ] {
                out.push(format!(
                    "SUM(CASE WHEN ff_prediction = {prediction} AND ff_label = {label} THEN 1 ELSE 0 END) AS {}",
                    q.ident(name)?
                ));
            }
        }
        if self.invalid_outcome(q)?.is_some() {
            out.push(format!(
                "SUM(ff_invalid_outcome) AS {}",
                q.ident(columns::INVALID_OUTCOME)?
            ));
        }
        if self.score.is_some() {
            out.push(format!(
                "SUM(ff_invalid_score) AS {}",
                q.ident(columns::INVALID_SCORE)?
            ));
        }
        for (name, dim) in [
            (columns::SEX_UNMAPPED, &self.sex),
            (columns::RACE_UNMAPPED, &self.race),
        ] {
            if dim.is_some() {
                let flag = name.trim_end_matches("_unmapped");
                out.push(format!("ff_{flag}_unmapped AS {}", q.ident(name)?));
                group.push(format!("ff_{flag}_unmapped"));
            }
        }
        let group = group.join(", ");
        writeln!(
            sql,
            "SELECT\n  {}\nFROM ff_cells\nGROUP BY {group}\nORDER BY {group};",
            out.join(",\n  ")
        )
        .unwrap();
        Ok(())
    }

    /// With `not_selected`, the 0/1 flag of an outcome value in neither list.
    fn invalid_outcome(&self, q: &Quoter) -> Result<Option<String>> {
        match &self.selected_column {
            Some(Decision::Values { text, no: Some(no) }) => {
                let known: Vec<String> = text.yes.iter().chain(no.iter()).cloned().collect();
                let flag = q.flag("ff_selected_raw", &known)?;
                Ok(Some(format!("1 - {flag}")))
            }
            _ => Ok(None),
        }
    }
}

/// Writes quoted SQL for one dialect, turning quoting failures into errors on the config.
struct Quoter<'a> {
    dialect: Dialect,
    file: &'a std::path::Path,
}

impl Quoter<'_> {
    fn fail(&self, e: QuoteError) -> Error {
        InputError::new(Location::file(self.file), e.to_string())
            .with_help("rename the column, or remove the value from the mapping")
            .into()
    }

    fn ident(&self, name: &str) -> Result<String> {
        self.dialect.ident(name).map_err(|e| self.fail(e))
    }

    fn string(&self, value: &str) -> Result<String> {
        self.dialect.string(value).map_err(|e| self.fail(e))
    }

    /// A binary64 constant, written as text and cast, so that every engine reads the same number
    /// (a bare `5.5` is a decimal in several dialects). `repr` is Rust's round-trip text of it.
    fn double(&self, repr: &str) -> Result<String> {
        Ok(format!(
            "CAST({} AS {})",
            self.string(repr)?,
            self.dialect.double_type()
        ))
    }

    /// `COALESCE(TRIM(CAST(column AS text)), '')`: the raw value as the row reader sees it.
    fn text(&self, column: &str) -> Result<String> {
        let d = self.dialect;
        let cast = format!("CAST({} AS {})", self.ident(column)?, d.text_type());
        let trimmed = d.trim(&cast, TRIMMED).map_err(|e| self.fail(e))?;
        Ok(format!("COALESCE({trimmed}, '')"))
    }

    /// `expr IN ('a', 'b')`, or `None` for an empty list (`IN ()` is not SQL).
    fn in_list(&self, expr: &str, values: &[String]) -> Result<Option<String>> {
        if values.is_empty() {
            return Ok(None);
        }
        let mut unique: Vec<&str> = Vec::new();
        for value in values {
            // The row reader trims the configured values as it trims the data.
            let value = value.trim_ascii();
            if !unique.contains(&value) {
                unique.push(value);
            }
        }
        let literals = unique
            .into_iter()
            .map(|v| self.string(v))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(format!("{expr} IN ({})", literals.join(", "))))
    }

    /// 1 when `expr` is one of `values`, else 0.
    fn flag(&self, expr: &str, values: &[String]) -> Result<String> {
        Ok(match self.in_list(expr, values)? {
            Some(test) => format!("CASE WHEN {test} THEN 1 ELSE 0 END"),
            None => "0".into(),
        })
    }

    /// 1 when the decision is yes, else 0.
    fn decision(&self, decision: &Decision) -> Result<String> {
        match decision {
            Decision::Values { text, .. } => self.flag("ff_selected_raw", text.yes),
            Decision::Threshold(t) => {
                let threshold = self.double(&format!("{t:?}"))?;
                Ok(format!(
                    "CASE WHEN ff_score >= {threshold} THEN 1 ELSE 0 END"
                ))
            }
        }
    }

    /// The CASE mapping raw values to canonical names (unmapped values stay as they are), and the
    /// 0/1 expression telling whether the value was unmapped.
    fn category_case(&self, expr: &str, map: &CategoryMap) -> Result<(String, String)> {
        let mut case = String::from("CASE");
        let mut all = Vec::new();
        for (canonical, raws) in map {
            if let Some(test) = self.in_list(expr, raws)? {
                let name = if canonical == UNKNOWN {
                    UNKNOWN
                } else {
                    canonical.as_str()
                };
                write!(case, "\n      WHEN {test} THEN {}", self.string(name)?).unwrap();
            }
            all.extend(raws.iter().cloned());
        }
        write!(case, "\n      ELSE {expr}\n    END").unwrap();
        let unmapped = match self.in_list(expr, &all)? {
            Some(test) => format!("CASE WHEN {test} THEN 0 ELSE 1 END"),
            None => "1".into(),
        };
        Ok((case, unmapped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_split_and_quote() {
        assert_eq!(
            "applicants".parse::<TableName>().unwrap().0,
            vec!["applicants"]
        );
        assert_eq!(
            "hr.applicants".parse::<TableName>().unwrap().0,
            vec!["hr", "applicants"]
        );
        assert_eq!(
            "proj.\"my.data\".\"a\"\"b\""
                .parse::<TableName>()
                .unwrap()
                .0,
            vec!["proj", "my.data", "a\"b"]
        );
        assert!("hr..applicants".parse::<TableName>().is_err());
        assert!("\"open".parse::<TableName>().is_err());
        assert!("\"a\"b".parse::<TableName>().is_err());
        assert!("".parse::<TableName>().is_err());
    }

    const HOSTILE: &str = r#"
[audit]
id = "acme-2026"
title = "Bias audit"
organization = "Acme"
system = "ResumeRank"
audit_date = 2026-11-20
frameworks = ["nyc-ll144"]

[auditor]
name = "Jane Roe"
independent = true

[data]
counts = "counts.csv"
kind = "historical"
description = "ATS export"
outcome = "scoring"

[data.columns]
sex = "order"
race = "ra\"ce`x"
score = "score"
label = "hired"
selected = "advanced"

[data.values]
selected = [" 1 ", "true"]
not_selected = ["0", "false"]

[data.categories.sex]
Male = ["M", "male"]
Female = ["F", "it's"]
unknown = ["", "Declined"]

[data.categories.race]
White = ["White", "wh\\ite"]
"Black or African American" = ["Black"]
Asian = ["Ásian 亚洲", "tab\there"]
Other = []
unknown = ["", "Unknown"]
"#;

    fn audit(text: &str) -> Audit {
        let config_path = std::path::PathBuf::from("audit/fairfile.toml");
        let config = crate::config::AuditConfig::parse(text, &config_path).unwrap();
        Audit {
            root: "audit".into(),
            config_path,
            config_text: text.to_string(),
            config,
        }
    }

    fn query(text: &str, dialect: Dialect) -> Result<String> {
        aggregation_query(&audit(text), dialect, &"hr.applicants".parse().unwrap())
    }

    /// The whole query per dialect, for review: every quoting rule is visible in one place.
    #[test]
    fn hostile_scoring_query_per_dialect() {
        for dialect in Dialect::ALL {
            insta::assert_snapshot!(
                format!("hostile_scoring_{dialect}"),
                query(HOSTILE, dialect).unwrap()
            );
        }
    }

    #[test]
    fn selection_by_threshold_has_no_median_and_casts_the_threshold() {
        let text = HOSTILE
            .replace("outcome = \"scoring\"", "outcome = \"selection\"")
            .replace("selected = \"advanced\"", "prediction_threshold = 5.5");
        let sql = query(&text, Dialect::Postgres).unwrap();
        assert!(!sql.contains("PERCENTILE_DISC"), "{sql}");
        assert!(
            sql.contains("ff_score >= CAST('5.5' AS DOUBLE PRECISION)"),
            "{sql}"
        );
        assert!(sql.contains("AS \"selected\""), "{sql}");
        assert!(sql.contains("AS \"tp\""), "{sql}");
        assert!(sql.contains("AS \"invalid_score\""), "{sql}");
        assert!(!sql.contains("invalid_outcome"), "{sql}");
    }

    #[test]
    fn configured_values_are_trimmed_and_empty_lists_skipped() {
        let sql = query(HOSTILE, Dialect::Duckdb).unwrap();
        assert!(sql.contains("IN ('1', 'true')"), "{sql}");
        assert!(
            !sql.contains("THEN 'Other'"),
            "an empty list maps nothing: {sql}"
        );
        assert!(sql.contains("E'tab\\there'"), "{sql}");
    }

    #[test]
    fn race_only_data_has_no_sex_column() {
        let text = HOSTILE.replace("sex = \"order\"\n", "");
        let sql = query(&text, Dialect::Spark).unwrap();
        assert!(!sql.contains("AS `sex`"), "{sql}");
        assert!(sql.contains("GROUP BY ff_race, ff_race_unmapped"), "{sql}");
    }

    #[test]
    fn missing_pieces_are_config_errors() {
        let start = HOSTILE.find("[data.categories.sex]").unwrap();
        let end = HOSTILE.find("[data.categories.race]").unwrap();
        let text = format!("{}{}", &HOSTILE[..start], &HOSTILE[end..]);
        let err = query(&text, Dialect::Ansi).unwrap_err().to_string();
        assert!(err.contains("[data.categories.sex] is missing"), "{err}");
        assert!(err.starts_with("audit/fairfile.toml:"), "{err}");

        let text = HOSTILE.replace("score = \"score\"\n", "");
        let err = query(&text, Dialect::Ansi).unwrap_err().to_string();
        assert!(err.contains("`score` is not mapped"), "{err}");

        let text = HOSTILE.replace(
            "not_selected = [\"0\", \"false\"]",
            "not_selected = [\"1\", \"0\"]",
        );
        let err = query(&text, Dialect::Ansi).unwrap_err().to_string();
        assert!(err.contains("\"1\" is listed both"), "{err}");
    }

    #[test]
    fn nul_characters_are_refused() {
        let text = HOSTILE.replace("\"Declined\"", "\"Decl\\u0000ined\"");
        let err = query(&text, Dialect::Postgres).unwrap_err().to_string();
        assert!(err.contains("NUL"), "{err}");
    }
}
