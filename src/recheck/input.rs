//! Reading a transcribed summary: `NAME.csv` (the tables) and `NAME.toml` (what the summary states).
//!
//! The format is documented in `docs/recheck.md`. Every problem is an input error naming the file,
//! line, column and field; all of them are collected, not only the first. Category names go through
//! the same matching as `fairfile.toml` ([`crate::ingest::values::AxisMap`]: a canonical name, or a
//! raw value listed under it, trimmed and compared byte for byte), with the EEO-1 categories as the
//! canonical names and the spellings published summaries use as their raw values; a summary's own
//! `[categories.sex]` / `[categories.race]` tables add spellings exactly as in `fairfile.toml`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::Deserialize;

use super::printed::{MAX_COUNT, Printed};
use crate::config::{CategoryMap, DataKind, EEO1_RACE, EEO1_SEX, Outcome, UNKNOWN};
use crate::diag::{Error, InputError, Location, Result, suggest};
use crate::ingest::values::{AxisMap, Resolved};

/// The three families of categories LL144 reports (6 RCNY §5-301(b)(3)).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Sex,
    RaceEthnicity,
    Intersectional,
}

impl Table {
    pub const ALL: [Table; 3] = [Table::Sex, Table::RaceEthnicity, Table::Intersectional];

    pub fn name(self) -> &'static str {
        match self {
            Table::Sex => "sex",
            Table::RaceEthnicity => "race_ethnicity",
            Table::Intersectional => "intersectional",
        }
    }
}

/// A category slot on one axis: an EEO-1 category (index into [`EEO1_SEX`] / [`EEO1_RACE`]) or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Known(usize),
    Unknown,
}

/// What the summary states besides its tables (`NAME.toml`). A key left out means the summary does
/// not state it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(default)]
    pub employer: Option<String>,
    #[serde(default)]
    pub tool: Option<String>,
    #[serde(default)]
    pub auditor: Option<String>,
    /// Where the summary was read (address), and when.
    #[serde(default)]
    pub published_at: Option<String>,
    #[serde(default, with = "crate::dates::option")]
    pub retrieved: Option<NaiveDate>,
    /// Date of the bias audit (§5-303(a)).
    #[serde(default, with = "crate::dates::option")]
    pub audit_date: Option<NaiveDate>,
    /// Date the employer began using the AEDT (§5-303(a)(2), §5-300).
    #[serde(default, with = "crate::dates::option")]
    pub distribution_date: Option<NaiveDate>,
    /// Selection rates (§5-301(b)) or scoring rates (§5-301(c)).
    pub outcome: Outcome,
    /// The source and explanation of the data, as stated (§5-303(a)(1)).
    #[serde(default)]
    pub data_source: Option<String>,
    #[serde(default)]
    pub data_kind: Option<DataKind>,
    /// Why historical data was not used and how the test data were made (§5-302(b)).
    #[serde(default)]
    pub test_data_explanation: Option<String>,
    /// Individuals assessed in an unknown category, when stated as one number (§5-301(b)(5)).
    #[serde(default)]
    pub unknown: Option<u64>,
    /// Whether the summary says it left categories under 2 % out of the impact ratios (§5-301(d)).
    #[serde(default)]
    pub small_categories_excluded: Option<bool>,
    #[serde(default)]
    pub exclusion_justification: Option<String>,
    /// Extra spellings, exactly as `[data.categories.*]` in `fairfile.toml`.
    #[serde(default)]
    pub categories: StatementCategories,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementCategories {
    #[serde(default)]
    pub sex: Option<CategoryMap>,
    #[serde(default)]
    pub race: Option<CategoryMap>,
}

/// One printed row of a table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Line in the CSV.
    pub line: usize,
    pub table: Table,
    pub sex: Option<Slot>,
    pub race: Option<Slot>,
    pub applicants: Option<u64>,
    /// Selected (selection mode) or scored above the median (scoring mode), when printed.
    pub positive: Option<u64>,
    pub rate: Option<Printed>,
    pub impact_ratio: Option<Printed>,
}

impl Row {
    pub fn is_unknown(&self) -> bool {
        self.sex == Some(Slot::Unknown) || self.race == Some(Slot::Unknown)
    }

    /// The category's name for messages ("Female", "Asian", "Female × Asian", "unknown").
    pub fn label(&self) -> String {
        category_label(self.sex, self.race)
    }
}

pub fn category_label(sex: Option<Slot>, race: Option<Slot>) -> String {
    let name = |slot: Option<Slot>, names: &[&str]| match slot {
        Some(Slot::Known(i)) => Some(names[i].to_string()),
        Some(Slot::Unknown) => Some(UNKNOWN.to_string()),
        None => None,
    };
    match (name(sex, EEO1_SEX), name(race, EEO1_RACE)) {
        (Some(s), Some(r)) => format!("{s} × {r}"),
        (Some(s), None) => s,
        (None, Some(r)) => r,
        (None, None) => String::new(),
    }
}

/// A transcribed summary, read and matched.
#[derive(Debug, Clone)]
pub struct Summary {
    pub csv_path: PathBuf,
    pub toml_path: PathBuf,
    pub statement: Statement,
    pub rows: Vec<Row>,
}

/// Spellings of the sex categories in published summaries (raw values under each EEO-1 name).
const SEX_SPELLINGS: &[(&str, &[&str])] = &[
    ("Male", &["Male", "male", "Men", "Man", "M"]),
    ("Female", &["Female", "female", "Women", "Woman", "F"]),
];

/// Spellings of the race/ethnicity categories in published summaries. The non-Hispanic ones are
/// also accepted with " (Not Hispanic or Latino)" and " (Non-Hispanic)" after them, as the DCWP
/// examples print them.
const RACE_SPELLINGS: &[(&str, &[&str])] = &[
    (
        "Hispanic or Latino",
        &[
            "Hispanic or Latino",
            "Hispanic/Latino",
            "Hispanic or Latinx",
            "Hispanic/Latinx",
            "Hispanic",
            "Latino",
            "Latinx",
        ],
    ),
    ("White", &["White", "Caucasian"]),
    (
        "Black or African American",
        &[
            "Black or African American",
            "Black or African-American",
            "Black/African American",
            "Black",
            "African American",
        ],
    ),
    (
        "Native Hawaiian or Pacific Islander",
        &[
            "Native Hawaiian or Pacific Islander",
            "Native Hawaiian or Other Pacific Islander",
            "Native Hawaiian/Pacific Islander",
            "Native Hawaiian/Other Pacific Islander",
            "Native Hawaiian or other Pacific Islander",
            "Pacific Islander",
            "NHPI",
        ],
    ),
    ("Asian", &["Asian"]),
    (
        "Native American or Alaska Native",
        &[
            "Native American or Alaska Native",
            "American Indian or Alaska Native",
            "American Indian/Alaska Native",
            "American Indian or Alaskan Native",
            "Native American or Alaskan Native",
            "Native American/Alaska Native",
            "Native American",
            "American Indian",
            "AIAN",
        ],
    ),
    (
        "Two or More Races",
        &[
            "Two or More Races",
            "Two or more races",
            "Two or More",
            "Two or more",
            "Two+ Races",
            "2+ Races",
            "Multiracial",
            "Multi-racial",
        ],
    ),
];

/// Spellings of "unknown" (for both axes).
const UNKNOWN_SPELLINGS: &[&str] = &[
    "Unknown",
    "unknown",
    "Missing/Unknown",
    "Missing",
    "Not Disclosed",
    "Undisclosed",
    "Not Specified",
    "Unspecified",
    "Not Reported",
    "Declined to Self-Identify",
    "Declined to Identify",
    "Prefer Not to Say",
    "Unknown/Not Disclosed",
];

/// The category map of one axis: the EEO-1 names with their published spellings, then the
/// summary's own additions (which take a spelling away from a built-in category if they name it).
fn category_map(
    axis: &str,
    spellings: &[(&str, &[&str])],
    non_hispanic_suffixes: bool,
    extra: Option<&CategoryMap>,
    toml_path: &Path,
    errors: &mut Vec<InputError>,
) -> AxisMap {
    let mut map: CategoryMap = IndexMap::new();
    for (canonical, raws) in spellings {
        let mut list: Vec<String> = raws.iter().map(|r| r.to_string()).collect();
        if non_hispanic_suffixes && *canonical != "Hispanic or Latino" {
            for raw in *raws {
                list.push(format!("{raw} (Not Hispanic or Latino)"));
                list.push(format!("{raw} (Non-Hispanic)"));
            }
        }
        map.insert(canonical.to_string(), list);
    }
    map.insert(
        UNKNOWN.to_string(),
        UNKNOWN_SPELLINGS.iter().map(|s| s.to_string()).collect(),
    );
    if let Some(extra) = extra {
        for (canonical, raws) in extra {
            if !map.contains_key(canonical) {
                let mut err = InputError::new(
                    Location::file(toml_path).with_field(format!("categories.{axis}")),
                    format!("{canonical:?} is not an EEO-1 {axis} category"),
                )
                .with_help(format!(
                    "name an EEO-1 category ({}) or \"unknown\", and list the summary's spellings under it",
                    map.keys()
                        .filter(|k| *k != UNKNOWN)
                        .map(|k| format!("{k:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                if let Some(s) = suggest(canonical, map.keys().map(String::as_str)) {
                    err = err.with_help(format!("did you mean {s:?}?"));
                }
                errors.push(err);
                continue;
            }
            for raw in raws {
                let raw = raw.trim_ascii().to_string();
                for list in map.values_mut() {
                    list.retain(|r| *r != raw);
                }
                map[canonical].push(raw);
            }
        }
    }
    AxisMap::from_config(&map)
}

/// The TOML beside a summary CSV (`NAME.csv` → `NAME.toml`).
pub fn statement_path(csv: &Path) -> PathBuf {
    csv.with_extension("toml")
}

/// Read `NAME.csv` and `NAME.toml`.
pub fn read(csv_path: &Path) -> Result<Summary> {
    let toml_path = statement_path(csv_path);
    let toml_text = match std::fs::read_to_string(&toml_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InputError::new(
                Location::file(&toml_path),
                format!("no statement file beside {}", csv_path.display()),
            )
            .with_help("write NAME.toml next to NAME.csv with what the summary states (at least `outcome = \"selection\"` or \"scoring\"); see docs/recheck.md")
            .into());
        }
        Err(e) => return Err(Error::io(&toml_path, e)),
    };
    let statement: Statement = toml::from_str(&toml_text)
        .map_err(|e| crate::config::toml_error(&e, &toml_text, &toml_path))?;
    let mut errors = Vec::new();
    let mut sex_map = category_map(
        "sex",
        SEX_SPELLINGS,
        false,
        statement.categories.sex.as_ref(),
        &toml_path,
        &mut errors,
    );
    let mut race_map = category_map(
        "race",
        RACE_SPELLINGS,
        true,
        statement.categories.race.as_ref(),
        &toml_path,
        &mut errors,
    );
    let rows = read_rows(
        csv_path,
        &statement,
        &mut sex_map,
        &mut race_map,
        &mut errors,
    )?;
    match errors.len() {
        0 => Ok(Summary {
            csv_path: csv_path.to_path_buf(),
            toml_path,
            statement,
            rows,
        }),
        1 => Err(errors.remove(0).into()),
        _ => Err(Error::Inputs(errors)),
    }
}

const COLUMNS: &[&str] = &[
    "table",
    "sex",
    "race",
    "applicants",
    "selected",
    "scored_above_median",
    "rate",
    "impact_ratio",
    "note",
];
const REQUIRED: &[&str] = &["table", "sex", "race", "applicants", "rate", "impact_ratio"];

fn read_rows(
    path: &Path,
    statement: &Statement,
    sex_map: &mut AxisMap,
    race_map: &mut AxisMap,
    errors: &mut Vec<InputError>,
) -> Result<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_path(path)
        .map_err(|e| csv_error(path, e))?;
    let mut records = Vec::new();
    for record in reader.records() {
        records.push(record.map_err(|e| csv_error(path, e))?);
    }
    let Some((header_record, body)) = records.split_first() else {
        return Err(
            InputError::new(Location::file(path), "empty file: no header row")
                .with_help(format!("the header is {}", REQUIRED.join(",")))
                .into(),
        );
    };
    let header_line = header_record.position().map_or(1, |p| p.line() as usize);
    let header: Vec<String> = header_record.iter().map(|h| h.trim().to_string()).collect();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let at = Location::at(path, header_line, i + 1).with_field(name.clone());
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) => {
                if columns.insert(c, i).is_some() {
                    errors.push(InputError::new(
                        at,
                        format!("column `{name}` appears twice"),
                    ));
                }
            }
            None => {
                let mut err = InputError::new(at, format!("unknown column `{name}`"))
                    .with_help(format!("the columns are {}", COLUMNS.join(", ")));
                if let Some(s) = suggest(name, COLUMNS.iter().copied()) {
                    err = err.with_help(format!("did you mean `{s}`?"));
                }
                errors.push(err);
            }
        }
    }
    for name in REQUIRED {
        if !columns.contains_key(name) {
            errors.push(
                InputError::new(
                    Location::at(path, header_line, 1),
                    format!("the header has no `{name}` column"),
                )
                .with_help(format!(
                    "the header is {} (plus `selected` or `scored_above_median` where counts are printed)",
                    REQUIRED.join(",")
                )),
            );
        }
    }
    let (wanted, other) = match statement.outcome {
        Outcome::Selection => ("selected", "scored_above_median"),
        Outcome::Scoring => ("scored_above_median", "selected"),
    };
    if let Some(&i) = columns.get(other) {
        errors.push(
            InputError::new(
                Location::at(path, header_line, i + 1).with_field(other),
                format!(
                    "`{other}` does not fit outcome = \"{}\" in the statement",
                    if statement.outcome == Outcome::Selection {
                        "selection"
                    } else {
                        "scoring"
                    }
                ),
            )
            .with_help(format!("this summary's counts go in `{wanted}`")),
        );
    }
    if REQUIRED.iter().any(|c| !columns.contains_key(c)) {
        return Ok(Vec::new());
    }
    let col = |name: &str| columns[name];
    let positive_col = columns.get(wanted).copied();
    // A file whose rates carry "%" prints percentages: a bare "62.5" there is 62.5 %.
    let percent_hint = body
        .iter()
        .any(|r| r.get(col("rate")).is_some_and(|t| t.trim().ends_with('%')));

    let mut rows = Vec::new();
    let mut first_line: HashMap<(Table, Option<Slot>, Option<Slot>), usize> = HashMap::new();
    for record in body {
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            errors.push(
                InputError::new(
                    Location::at(path, line, record.len().min(header.len()) + 1),
                    format!("row has {} fields but the header has {}", record.len(), header.len()),
                )
                .with_help("every row needs one value per header column (leave a field empty when the summary prints nothing)"),
            );
            continue;
        }
        let at = |i: usize| Location::at(path, line, i + 1).with_field(header[i].clone());
        let text = |i: usize| record.get(i).unwrap_or("").trim();
        let before = errors.len();
        let table = match text(col("table")) {
            "sex" => Some(Table::Sex),
            "race_ethnicity" | "race" => Some(Table::RaceEthnicity),
            "intersectional" => Some(Table::Intersectional),
            other => {
                errors.push(
                    InputError::new(at(col("table")), format!("{other:?} is not a table"))
                        .with_help("use sex, race_ethnicity or intersectional"),
                );
                None
            }
        };
        let mut slot = |name: &str, map: &mut AxisMap, axis: &str, categories: &[&str]| {
            let i = col(name);
            let value = text(i);
            if value.is_empty() {
                return None;
            }
            match map.resolve_counts(value) {
                Resolved::Category(k) => Some(Slot::Known(
                    categories
                        .iter()
                        .position(|c| *c == map.categories[k])
                        .unwrap_or(k),
                )),
                Resolved::Unknown => Some(Slot::Unknown),
                Resolved::Unmapped => {
                    let mut help = format!(
                        "use an EEO-1 {axis} category, or add the spelling to the statement: [categories.{axis}] \"<EEO-1 name>\" = [{value:?}]"
                    );
                    let candidates: Vec<&str> = map.all_values().collect();
                    if let Some(near) = candidates
                        .iter()
                        .find(|c| c.eq_ignore_ascii_case(value))
                        .copied()
                        .or_else(|| suggest(value, candidates.iter().copied()))
                    {
                        help.push_str(&format!(" (did you mean {near:?}?)"));
                    }
                    errors.push(
                        InputError::new(
                            at(i),
                            format!("{value:?} is not a {axis} category fairfile knows"),
                        )
                        .with_help(help),
                    );
                    None
                }
            }
        };
        // The map's categories are in EEO-1 order (built from the spelling tables).
        let sex = slot("sex", sex_map, "sex", EEO1_SEX);
        let race = slot("race", race_map, "race", EEO1_RACE);
        if let Some(table) = table {
            let (needs_sex, needs_race) = match table {
                Table::Sex => (true, false),
                Table::RaceEthnicity => (false, true),
                Table::Intersectional => (true, true),
            };
            for (name, needed) in [("sex", needs_sex), ("race", needs_race)] {
                let given = !text(col(name)).is_empty();
                if needed && !given {
                    errors.push(
                        InputError::new(
                            at(col(name)),
                            format!("a {} row needs a {name}", table.name()),
                        )
                        .with_help("name the category as printed"),
                    );
                } else if !needed && given {
                    errors.push(
                        InputError::new(
                            at(col(name)),
                            format!("a {} row has no {name}", table.name()),
                        )
                        .with_help(format!(
                            "leave `{name}` empty, or put the row in the intersectional table"
                        )),
                    );
                }
            }
        }
        let mut count = |i: usize| -> Option<u64> {
            let t = text(i);
            if t.is_empty()
                || matches!(
                    t.to_ascii_lowercase().as_str(),
                    "n/a" | "na" | "-" | "–" | "—"
                )
            {
                return None;
            }
            match parse_count(t) {
                Some(v) if v <= MAX_COUNT => Some(v),
                _ => {
                    errors.push(
                        InputError::new(at(i), format!("{t:?} is not a whole number of individuals"))
                            .with_help("counts are non-negative whole numbers (1390 or 1,390); leave the field empty when the summary prints none"),
                    );
                    None
                }
            }
        };
        let applicants = count(col("applicants"));
        let positive = positive_col.and_then(&mut count);
        // Only rates borrow the file's "%": an impact ratio above 1 is an impact ratio above 1.
        let mut figure = |i: usize, hint: bool| match Printed::parse(
            record.get(i).unwrap_or(""),
            hint,
        ) {
            Ok(p) => p,
            Err(message) => {
                errors.push(InputError::new(at(i), message).with_help(
                    "copy the figure as printed; write N/A, - or leave it empty when none is printed",
                ));
                None
            }
        };
        let rate = figure(col("rate"), percent_hint);
        let impact_ratio = figure(col("impact_ratio"), false);
        if errors.len() > before {
            continue;
        }
        let table = table.expect("no error means the table parsed");
        let row = Row {
            line,
            table,
            sex,
            race,
            applicants,
            positive,
            rate,
            impact_ratio,
        };
        if !row.is_unknown()
            && let Some(first) = first_line.insert((table, sex, race), line)
        {
            errors.push(
                InputError::new(
                    at(col(if table == Table::RaceEthnicity {
                        "race"
                    } else {
                        "sex"
                    })),
                    format!(
                        "{} {} is printed twice (first on line {first})",
                        table.name(),
                        row.label()
                    ),
                )
                .with_help("keep one row per category; check the category names map as intended"),
            );
            continue;
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A count as printed: digits, optionally grouped by commas ("1,390").
fn parse_count(t: &str) -> Option<u64> {
    if let Ok(v) = t.parse::<u64>() {
        return Some(v);
    }
    let groups: Vec<&str> = t.split(',').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    if grouped {
        groups.concat().parse().ok()
    } else {
        None
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line() as usize);
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(path, e),
        csv::ErrorKind::Utf8 { .. } => InputError::new(
            Location {
                file: path.to_path_buf(),
                line,
                column: None,
                field: None,
            },
            "the file is not valid UTF-8",
        )
        .with_help("save the transcription as UTF-8")
        .into(),
        other => InputError::new(
            Location {
                file: path.to_path_buf(),
                line,
                column: None,
                field: None,
            },
            format!("cannot read CSV: {other:?}"),
        )
        .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, csv: &str, toml: &str) -> PathBuf {
        let p = dir.join("s.csv");
        std::fs::write(&p, csv).unwrap();
        std::fs::write(dir.join("s.toml"), toml).unwrap();
        p
    }

    const HEADER: &str = "table,sex,race,applicants,selected,rate,impact_ratio\n";

    #[test]
    fn published_spellings_match_eeo1_categories() {
        let dir = tempfile::tempdir().unwrap();
        let csv = format!(
            "{HEADER}race_ethnicity,,Hispanic/Latino,10,5,50%,1.00\nrace_ethnicity,,Native Hawaiian or Other Pacific Islander,4,2,50%,1.00\nrace_ethnicity,,White (Not Hispanic or Latino),4,2,50%,1.00\nrace_ethnicity,,Missing/Unknown,3,,,\nintersectional,Female,Two or more races,4,2,.5,1\n"
        );
        let s = read(&write(dir.path(), &csv, "outcome = \"selection\"\n")).unwrap();
        assert_eq!(s.rows[0].race, Some(Slot::Known(0)));
        assert_eq!(s.rows[1].race, Some(Slot::Known(3)));
        assert_eq!(s.rows[2].race, Some(Slot::Known(1)));
        assert_eq!(s.rows[3].race, Some(Slot::Unknown));
        assert_eq!(s.rows[4].label(), "Female × Two or More Races");
    }

    #[test]
    fn own_spellings_are_mapped_like_fairfile_toml() {
        let dir = tempfile::tempdir().unwrap();
        let csv = format!("{HEADER}sex,Frauen,,10,5,50%,1.00\n");
        let toml = "outcome = \"selection\"\n[categories.sex]\nFemale = [\"Frauen\"]\n";
        let s = read(&write(dir.path(), &csv, toml)).unwrap();
        assert_eq!(s.rows[0].sex, Some(Slot::Known(1)));
        let bad = "outcome = \"selection\"\n[categories.sex]\nWomen = [\"Frauen\"]\n";
        let err = read(&write(dir.path(), &csv, bad)).unwrap_err().to_string();
        assert!(err.contains("not an EEO-1 sex category"), "{err}");
    }

    #[test]
    fn errors_name_line_column_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let csv = format!("{HEADER}sex,Male,,10,x,50%,1.00\nsex,Femme,,10,5,5O%,1.00\n");
        let err = read(&write(dir.path(), &csv, "outcome = \"selection\"\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("s.csv:2:5 (field `selected`)"), "{err}");
        assert!(err.contains("s.csv:3:2 (field `sex`)"), "{err}");
        assert!(err.contains("s.csv:3:6 (field `rate`)"), "{err}");
    }

    #[test]
    fn statement_errors_point_into_the_toml() {
        let dir = tempfile::tempdir().unwrap();
        let csv = format!("{HEADER}sex,Male,,10,5,50%,1.00\n");
        let err = read(&write(
            dir.path(),
            &csv,
            "outcome = \"selection\"\nauditdate = 2024-01-01\n",
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with(&format!("{}:2:1", dir.path().join("s.toml").display())),
            "{err}"
        );
    }

    #[test]
    fn grouped_counts() {
        assert_eq!(parse_count("1,390"), Some(1390));
        assert_eq!(parse_count("1,39"), None);
        assert_eq!(parse_count("12"), Some(12));
    }
}
