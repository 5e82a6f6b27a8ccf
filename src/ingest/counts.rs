//! Pre-aggregated counts input (`[data] counts`), for data that stays in a warehouse.
//!
//! Header (any order): `sex`, `race`, `n`, then `selected` (selection mode) or `above_median`
//! (scoring mode); optionally `tp,fp,fn,tn` (all four) for the error-rate metrics and
//! `median_score` (scoring mode; the same value on every row). One row per sex × race cell; a cell
//! may span several rows (e.g. raw values `M` and `male`), which are added up. `sex`/`race` values
//! are canonical category names or raw values mapped by `[data.categories.*]`, exactly as for row
//! data, so the same cells give the same report.
//!
//! The query `fairfile sql` writes (docs/sql.md) adds columns that keep the warehouse path as
//! strict as the row path: `sex_unmapped`/`race_unmapped` (1: the value is a raw value no mapping
//! names, even if it happens to equal a canonical name), and `invalid_outcome`/`invalid_score`
//! (individuals whose outcome value is in neither list, or whose score is not a finite number:
//! errors, as the rows themselves are for the row reader).

use std::collections::BTreeMap;
use std::path::Path;

use super::count_columns::{self as columns, ALL as COLUMNS, CONFUSION};
use super::values::{AxisMap, Resolved};
use super::{
    Axis, CategoryValue, Cell, DataInfo, Ingested, Tally, data_file_size, empty_file, near,
    show_value,
};
use crate::config::{Audit, CategoryMap, Outcome, UNKNOWN, Unmapped};
use crate::diag::{Error, InputError, Location, Result};

pub(super) fn read(audit: &Audit, relative: &str) -> Result<Ingested> {
    let data = audit.config.data.get_ref();
    let path = audit.resolve(relative);
    let size = data_file_size(&path, "counts")?;
    if size == 0 {
        return Err(empty_file(&path));
    }
    let sha256 = crate::hash::sha256_file(&path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&path)
        .map_err(|e| csv_error(&path, e))?;
    let mut record = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&path, e))?
    {
        return Err(empty_file(&path));
    }
    let header = header_names(&path, &record)?;
    let layout = Layout::new(audit, &path, &header)?;

    let mut counts = Counts::new(audit, &path, &header, &layout);
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&path, e))?
    {
        counts.row(&record);
    }
    counts.unmapped_errors();
    if counts.rows.is_empty() && counts.errors.is_empty() {
        return Err(
            InputError::new(Location::file(&path), "no data rows after the header")
                .with_help("add one row per sex × race cell")
                .into(),
        );
    }
    let median_score = counts.median_score();
    let mut errors = std::mem::take(&mut counts.errors);
    match errors.len() {
        0 => {}
        1 => return Err(errors.remove(0).into()),
        _ => return Err(Error::Inputs(errors)),
    }

    let rows_read = counts.rows.len() as u64;
    let mut tally = counts.tally();
    tally.median_score = median_score;
    let info = DataInfo {
        input: "counts".to_string(),
        path: relative.to_string(),
        sha256,
        kind: data.kind,
        description: data.description.clone(),
        explanation: data.explanation.clone(),
        rows_read,
        median_source: median_score.map(|_| {
            if data.median_score.is_some() {
                "supplied in [data] median_score".to_string()
            } else {
                "supplied in the counts file's median_score column".to_string()
            }
        }),
        scores_at_median: None,
    };
    Ok(Ingested {
        tally,
        data: info,
        category_values: counts.category_values(),
        outcome_values: Vec::new(),
    })
}

/// The counts rows read so far, every raw category value seen, and every problem found (all
/// of them are reported together, each with its line).
struct Counts<'a> {
    audit: &'a Audit,
    path: &'a Path,
    header: &'a [String],
    layout: &'a Layout,
    sex_map: Option<AxisMap>,
    race_map: Option<AxisMap>,
    errors: Vec<InputError>,
    rows: Vec<(Resolved, Resolved, Cell)>,
    /// (dimension order, value, flagged unmapped) → (count, resolution, first line)
    seen: BTreeMap<(u8, String, bool), (u64, Resolved, usize)>,
    /// The `median_score` column's value and the line it was first seen on.
    median_column: Option<(f64, usize)>,
}

impl<'a> Counts<'a> {
    fn new(audit: &'a Audit, path: &'a Path, header: &'a [String], layout: &'a Layout) -> Self {
        let data = audit.config.data.get_ref();
        Counts {
            audit,
            path,
            header,
            layout,
            sex_map: layout.sex.map(|_| axis_map(&data.categories.sex)),
            race_map: layout.race.map(|_| axis_map(&data.categories.race)),
            errors: Vec::new(),
            rows: Vec::new(),
            seen: BTreeMap::new(),
            median_column: None,
        }
    }

    /// Read one counts row: check every field, note its raw category values, keep its cell.
    fn row(&mut self, record: &csv::ByteRecord) {
        let (path, header, layout) = (self.path, self.header, self.layout);
        let outcome = self.audit.config.data.get_ref().outcome;
        let errors = &mut self.errors;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let at = |field: usize| Location {
            file: path.to_path_buf(),
            line: Some(line),
            column: Some(field + 1),
            field: Some(header[field].clone()),
        };
        if record.len() != header.len() {
            errors.push(
                InputError::new(
                    Location {
                        file: path.to_path_buf(),
                        line: Some(line),
                        column: Some(record.len().min(header.len()) + 1),
                        field: None,
                    },
                    format!(
                        "row has {} fields but the header has {}",
                        record.len(),
                        header.len()
                    ),
                )
                .with_help("every row needs one value per header column"),
            );
            return;
        }
        let texts: Vec<Option<&str>> = (0..header.len())
            .map(|field| match std::str::from_utf8(&record[field]) {
                Ok(text) => Some(text.trim_ascii()),
                Err(_) => {
                    errors.push(
                        InputError::new(at(field), "field is not valid UTF-8")
                            .with_help("save the file as UTF-8"),
                    );
                    None
                }
            })
            .collect();
        // `sex_unmapped`/`race_unmapped` (from `fairfile sql`): 1 marks a raw value no mapping
        // names, which must not pass as a canonical name of the same spelling.
        let mut flag = |field: Option<usize>| -> bool {
            let Some(field) = field else { return false };
            match texts[field] {
                Some("0") | None => false,
                Some("1") => true,
                Some(other) => {
                    errors.push(
                        InputError::new(at(field), format!("{} is not 0 or 1", show_value(other)))
                            .with_help(
                                "1 marks a raw value that no mapping names, 0 a category name",
                            ),
                    );
                    false
                }
            }
        };
        let sex_unmapped = flag(layout.sex_unmapped);
        let race_unmapped = flag(layout.race_unmapped);
        let sex = resolve(layout.sex, &mut self.sex_map, &texts, sex_unmapped);
        let race = resolve(layout.race, &mut self.race_map, &texts, race_unmapped);
        let mut count = |field: usize| -> Option<u64> {
            let text = texts[field]?;
            match text.parse::<u64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.push(
                        InputError::new(
                            at(field),
                            format!("{} is not a whole number of individuals", show_value(text)),
                        )
                        .with_help("counts are non-negative integers"),
                    );
                    None
                }
            }
        };
        let n = count(layout.n);
        let positive = count(layout.positive);
        let confusion = layout.confusion.map(|fields| fields.map(&mut count));
        let invalid_outcome = layout.invalid_outcome.and_then(&mut count);
        let invalid_score = layout.invalid_score.and_then(&mut count);
        let cell_name = || {
            let part = |name: &str, field: Option<usize>| {
                field
                    .and_then(|f| texts[f])
                    .map(|v| format!("{name} {}", show_value(v)))
            };
            [part("sex", layout.sex), part("race", layout.race)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let (Some(field), Some(k @ 1..)) = (layout.invalid_outcome, invalid_outcome) {
            errors.push(
                InputError::new(
                    at(field),
                    format!(
                        "{k} individuals ({}) have a `selected` value in neither [data.values] selected nor not_selected",
                        cell_name()
                    ),
                )
                .with_help(
                    "list the values in the warehouse (SELECT DISTINCT on the selected column) and add each to one of the two lists in fairfile.toml",
                ),
            );
        }
        if let (Some(field), Some(k @ 1..)) = (layout.invalid_score, invalid_score) {
            errors.push(
                InputError::new(
                    at(field),
                    format!(
                        "{k} individuals ({}) have no score that is a finite number (NULL, NaN or infinite)",
                        cell_name()
                    ),
                )
                .with_help(
                    "every individual needs the AEDT's numeric score; remove individuals the tool did not score",
                ),
            );
        }
        if let Some(field) = layout.median
            && let Some(text) = texts[field]
        {
            match text.parse::<f64>() {
                Ok(m) if m.is_finite() => match self.median_column {
                    None => self.median_column = Some((m, line)),
                    Some((first, first_line)) if first != m => errors.push(
                        InputError::new(
                            at(field),
                            format!("median_score {m} differs from {first} on line {first_line}"),
                        )
                        .with_help(
                            "the median of the full sample is one number: repeat it on every row",
                        ),
                    ),
                    Some(_) => {}
                },
                _ => errors.push(
                    InputError::new(
                        at(field),
                        format!("median_score {} is not a finite number", show_value(text)),
                    )
                    .with_help("give the sample's median score, e.g. 5.5"),
                ),
            }
        }
        // Individuals per raw value (listed in the report, and in unmapped-value errors).
        for (dim, field, resolved, flagged) in [
            (0u8, layout.sex, sex, sex_unmapped),
            (1u8, layout.race, race, race_unmapped),
        ] {
            if let (Some(field), Some(resolved)) = (field, resolved)
                && let Some(text) = texts[field]
            {
                self.seen
                    .entry((dim, text.to_string(), flagged))
                    .or_insert((0, resolved, line))
                    .0 += n.unwrap_or(0);
            }
        }
        let (Some(sex), Some(race), Some(n), Some(positive)) = (sex, race, n, positive) else {
            return;
        };
        let mut cell = Cell {
            n,
            positive,
            ..Cell::default()
        };
        if positive > n {
            errors.push(InputError::new(
                at(layout.positive),
                format!(
                    "{} ({positive}) is larger than n ({n})",
                    header[layout.positive]
                ),
            ));
        }
        if let Some(confusion) = confusion {
            let [Some(tp), Some(fp), Some(fn_), Some(tn)] = confusion else {
                return;
            };
            (cell.tp, cell.fp, cell.fn_, cell.tn) = (tp, fp, fn_, tn);
            let sum = u128::from(tp) + u128::from(fp) + u128::from(fn_) + u128::from(tn);
            if sum != u128::from(n) {
                errors.push(
                    InputError::new(
                        at(layout.n),
                        format!("tp + fp + fn + tn = {sum} but n = {n}"),
                    )
                    .with_help("every individual of the cell is in exactly one of tp, fp, fn, tn"),
                );
            }
            let predicted = u128::from(tp) + u128::from(fp);
            if outcome == Outcome::Selection && predicted != u128::from(positive) {
                errors.push(
                    InputError::new(at(layout.positive), format!("tp + fp = {predicted} but selected = {positive}"))
                        .with_help("in selection mode the prediction is the selection: tp + fp must equal selected"),
                );
            }
        }
        self.rows.push((sex, race, cell));
    }

    /// Unmapped values: every one, with its count and first line, unless folded into unknown.
    fn unmapped_errors(&mut self) {
        if self.audit.config.data.get_ref().unmapped != Unmapped::Error {
            return;
        }
        for ((dim, value, _), (count, resolved, line)) in &self.seen {
            if *resolved != Resolved::Unmapped {
                continue;
            }
            let (name, field, map) = if *dim == 0 {
                ("sex", self.layout.sex, &self.sex_map)
            } else {
                ("race", self.layout.race, &self.race_map)
            };
            let mut help = format!(
                "use a canonical {name} category or a raw value listed in [data.categories.{name}]"
            );
            if let Some(near) = map.as_ref().and_then(|m| near(value, m.all_values())) {
                help.push_str(&format!(" (did you mean {near:?}?)"));
            }
            help.push_str(
                ", or set [data] unmapped = \"unknown\" to count unmapped values as unknown",
            );
            self.errors.push(
                InputError::new(
                    Location {
                        file: self.path.to_path_buf(),
                        line: Some(*line),
                        column: field.map(|f| f + 1),
                        field: Some(name.to_string()),
                    },
                    format!(
                        "unmapped {name} value {}: {count} individuals, first on this line",
                        show_value(value)
                    ),
                )
                .with_help(help),
            );
        }
    }

    /// Scoring mode: the median score of the full sample, from `[data] median_score` or the
    /// `median_score` column (which must agree when both are given).
    fn median_score(&mut self) -> Option<f64> {
        let data = self.audit.config.data.get_ref();
        if data.outcome != Outcome::Scoring {
            return None;
        }
        match (data.median_score, self.median_column) {
            (Some(config), Some((column, line))) if config != column => {
                self.errors.push(
                    InputError::new(
                        Location {
                            file: self.path.to_path_buf(),
                            line: Some(line),
                            column: self.layout.median.map(|f| f + 1),
                            field: Some("median_score".into()),
                        },
                        format!(
                            "median_score {column} differs from [data] median_score = {config}"
                        ),
                    )
                    .with_help("give the median once, or make both agree"),
                );
                None
            }
            (Some(m), _) | (None, Some((m, _))) => Some(m),
            (None, None) => {
                self.errors.push(
                    InputError::new(Location::file(&self.audit.config_path).with_field("data.median_score"), "scoring mode with counts input needs the sample's median score")
                        .with_help("set [data] median_score (the median of everyone assessed, unknown categories included: 6 RCNY §5-301(c)(1)), or add a `median_score` column"),
                );
                None
            }
        }
    }

    /// The rows added up into their cells (rows of one cell, e.g. raw values `M` and `male`, sum).
    fn tally(&self) -> Tally {
        let data = self.audit.config.data.get_ref();
        let axis = |map: &Option<AxisMap>| match map {
            Some(m) => Axis::provided(m.categories.clone()),
            None => Axis::not_provided(),
        };
        let mut tally = Tally::new(
            data.outcome,
            axis(&self.sex_map),
            axis(&self.race_map),
            self.layout.confusion.is_some(),
        );
        let slot = |map: &Option<AxisMap>, r: Resolved| match (map, r) {
            (Some(_), Resolved::Category(i)) => Some(i),
            _ => None,
        };
        for (sex, race, cell) in &self.rows {
            tally
                .cell_mut(slot(&self.sex_map, *sex), slot(&self.race_map, *race))
                .add(cell);
        }
        tally
    }

    /// Every raw category value seen, with its count and category: sex before race, then in
    /// category order (unknown last), then byte-wise.
    fn category_values(self) -> Vec<CategoryValue> {
        let mut category_values: Vec<(u8, usize, String, CategoryValue)> = self
            .seen
            .into_iter()
            .map(|((dim, value, _), (count, resolved, _))| {
                let map = if dim == 0 {
                    &self.sex_map
                } else {
                    &self.race_map
                };
                let categories = map
                    .as_ref()
                    .map(|m| m.categories.as_slice())
                    .unwrap_or_default();
                let slot = match resolved {
                    Resolved::Category(i) => i,
                    Resolved::Unknown | Resolved::Unmapped => categories.len(),
                };
                let category = categories
                    .get(slot)
                    .cloned()
                    .unwrap_or_else(|| UNKNOWN.to_string());
                let item = CategoryValue {
                    dimension: if dim == 0 { "sex" } else { "race" }.to_string(),
                    value: value.clone(),
                    count,
                    category,
                    unmapped: resolved == Resolved::Unmapped,
                };
                (dim, slot, value, item)
            })
            .collect();
        category_values.sort_by(|a, b| (a.0, a.1, a.2.as_bytes()).cmp(&(b.0, b.1, b.2.as_bytes())));
        category_values.into_iter().map(|(_, _, _, v)| v).collect()
    }
}

/// Resolve the value of an axis column (`Unknown` when the file has no such column).
fn resolve(
    field: Option<usize>,
    map: &mut Option<AxisMap>,
    texts: &[Option<&str>],
    flagged_unmapped: bool,
) -> Option<Resolved> {
    match (field, map.as_mut()) {
        (Some(field), Some(_)) if flagged_unmapped => texts[field].map(|_| Resolved::Unmapped),
        (Some(field), Some(map)) => texts[field].map(|text| map.resolve_counts(text)),
        _ => Some(Resolved::Unknown),
    }
}

fn axis_map(map: &Option<toml::Spanned<CategoryMap>>) -> AxisMap {
    match map {
        Some(map) => AxisMap::from_config(map.get_ref()),
        None => AxisMap::dynamic(),
    }
}

/// Field positions of the counts header.
struct Layout {
    sex: Option<usize>,
    race: Option<usize>,
    n: usize,
    positive: usize,
    confusion: Option<[usize; 4]>,
    median: Option<usize>,
    invalid_outcome: Option<usize>,
    invalid_score: Option<usize>,
    sex_unmapped: Option<usize>,
    race_unmapped: Option<usize>,
}

impl Layout {
    fn new(audit: &Audit, path: &Path, header: &[String]) -> Result<Layout> {
        let data = audit.config.data.get_ref();
        let mut errors = Vec::new();
        let at = |i: usize, name: &str| Location {
            file: path.to_path_buf(),
            line: Some(1),
            column: Some(i + 1),
            field: Some(name.to_string()),
        };
        let line1 = |name: &str| Location {
            file: path.to_path_buf(),
            line: Some(1),
            column: None,
            field: Some(name.to_string()),
        };
        for (i, name) in header.iter().enumerate() {
            if !COLUMNS.contains(&name.as_str()) {
                let mut help = format!("counts columns are: {}", COLUMNS.join(", "));
                if let Some(near) = near(name, COLUMNS.iter().copied()) {
                    help = format!("did you mean `{near}`? {help}");
                }
                errors.push(
                    InputError::new(at(i, name), format!("unknown counts column `{name}`"))
                        .with_help(help),
                );
            } else if header[..i].contains(name) {
                errors.push(
                    InputError::new(
                        at(i, name),
                        format!("column `{name}` appears twice in the header"),
                    )
                    .with_help("keep one"),
                );
            }
        }
        let find = |name: &str| header.iter().position(|h| h == name);
        let (wanted, other) = match data.outcome {
            Outcome::Selection => (columns::SELECTED, columns::ABOVE_MEDIAN),
            Outcome::Scoring => (columns::ABOVE_MEDIAN, columns::SELECTED),
        };
        let mode = match data.outcome {
            Outcome::Selection => "selection",
            Outcome::Scoring => "scoring",
        };
        if let Some(i) = find(other) {
            errors.push(
                InputError::new(
                    at(i, other),
                    format!("`{other}` does not fit [data] outcome = \"{mode}\""),
                )
                .with_help(format!("{mode} mode counts use `{wanted}`")),
            );
        }
        let mut required = |name: &str| {
            let found = find(name);
            if found.is_none() {
                errors.push(
                    InputError::new(
                        line1(name),
                        format!("the counts header has no `{name}` column"),
                    )
                    .with_help(format!(
                        "the header is sex,race,n,{wanted} (optionally tp,fp,fn,tn)"
                    )),
                );
            }
            found.unwrap_or(0)
        };
        let n = required(columns::N);
        let positive = required(wanted);
        let confusion = CONFUSION.map(find);
        let confusion = match confusion {
            [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
            [None, None, None, None] => None,
            partial => {
                let missing: Vec<&str> = CONFUSION
                    .iter()
                    .zip(partial)
                    .filter(|(_, f)| f.is_none())
                    .map(|(n, _)| *n)
                    .collect();
                errors.push(
                    InputError::new(
                        line1(missing[0]),
                        format!(
                            "confusion counts need all of tp, fp, fn, tn; missing: {}",
                            missing.join(", ")
                        ),
                    )
                    .with_help("give all four columns, or none"),
                );
                None
            }
        };
        let median = find(columns::MEDIAN_SCORE);
        if let (Some(i), Outcome::Selection) = (median, data.outcome) {
            errors.push(
                InputError::new(
                    at(i, columns::MEDIAN_SCORE),
                    "`median_score` is for scoring mode",
                )
                .with_help("remove the column, or set [data] outcome = \"scoring\""),
            );
        }
        let sex = find(columns::SEX);
        let race = find(columns::RACE);
        for (dim, found, configured) in [
            ("sex", sex, data.categories.sex.is_some()),
            ("race", race, data.categories.race.is_some()),
        ] {
            if found.is_none() && configured {
                errors.push(
                    InputError::new(line1(dim), format!("the counts header has no `{dim}` column, but [data.categories.{dim}] is configured"))
                        .with_help(format!("add the `{dim}` column, or remove [data.categories.{dim}] if the data has no {dim}")),
                );
            }
        }
        if sex.is_none() && race.is_none() {
            errors.push(
                InputError::new(
                    line1("sex"),
                    "the counts header has neither `sex` nor `race`",
                )
                .with_help("the counts are per sex × race cell: header sex,race,n,…"),
            );
        }
        match errors.len() {
            0 => Ok(Layout {
                sex,
                race,
                n,
                positive,
                confusion,
                median,
                invalid_outcome: find(columns::INVALID_OUTCOME),
                invalid_score: find(columns::INVALID_SCORE),
                sex_unmapped: find(columns::SEX_UNMAPPED),
                race_unmapped: find(columns::RACE_UNMAPPED),
            }),
            1 => Err(errors.remove(0).into()),
            _ => Err(Error::Inputs(errors)),
        }
    }
}

fn header_names(path: &Path, record: &csv::ByteRecord) -> Result<Vec<String>> {
    record
        .iter()
        .enumerate()
        .map(|(i, field)| match std::str::from_utf8(field) {
            Ok(name) => Ok(name.trim_ascii().to_string()),
            Err(_) => Err(InputError::new(
                Location::at(path, 1, i + 1),
                "header field is not valid UTF-8",
            )
            .into()),
        })
        .collect()
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line() as usize);
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(path, e),
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
