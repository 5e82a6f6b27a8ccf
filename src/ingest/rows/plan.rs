//! Column planning: which fields of a row to read and what they mean, resolved against the
//! header once (with every problem of the mapping reported together).

use std::path::{Path, PathBuf};

use crate::config::{Audit, Outcome, Unmapped};
use crate::diag::{Error, InputError, Location, Result};
use crate::ingest::tabular::Source;
use crate::ingest::values::{AxisMap, OutcomeMap};
use crate::ingest::{Axis, near, show_value};

/// How a row counts as selected (selection mode) or predicted positive (fairness metrics).
#[derive(Debug, Clone, Copy)]
pub(super) enum Decider {
    /// The `selected` column, by `[data.values]`.
    Column,
    /// `score >= threshold` (`[data.columns] prediction_threshold`).
    Threshold(f64),
}

#[derive(Debug)]
pub(super) struct AxisColumn {
    pub(super) index: usize,
    pub(super) map: AxisMap,
}

/// Which fields to read and what they mean, resolved against the header once.
#[derive(Debug)]
pub(super) struct RowPlan {
    pub(super) path: PathBuf,
    pub(super) header: Vec<String>,
    pub(super) outcome: Outcome,
    pub(super) unmapped: Unmapped,
    pub(super) sex: Option<AxisColumn>,
    pub(super) race: Option<AxisColumn>,
    pub(super) race_slots: usize,
    pub(super) cell_count: usize,
    pub(super) outcomes: OutcomeMap,
    pub(super) selected: Option<usize>,
    /// Parsed on every row when mapped (the outcome, a threshold, or the cut-off table).
    pub(super) score: Option<usize>,
    /// The `[data.columns] stratum` columns (none: no strata kept).
    pub(super) strata: Vec<usize>,
    pub(super) label: Option<usize>,
    pub(super) selection: Decider,
    /// With a label: how the prediction is made.
    pub(super) prediction: Option<Decider>,
    /// Parquet or Excel input: where rows are (record offsets are row positions there).
    pub(super) tabular: Option<Source>,
}

impl RowPlan {
    pub(super) fn new(audit: &Audit, path: &Path, header: Vec<String>) -> Result<RowPlan> {
        let data = audit.config.data.get_ref();
        let columns = &data.columns;
        let mut errors = Vec::new();

        let mut find = |role: &str, name: &Option<String>| -> Option<usize> {
            let name = name.as_deref()?;
            let name = name.trim_ascii();
            let at: Vec<usize> = header
                .iter()
                .enumerate()
                .filter(|(_, h)| *h == name)
                .map(|(i, _)| i)
                .collect();
            let location = Location {
                file: path.to_path_buf(),
                line: Some(1),
                column: None,
                field: Some(name.to_string()),
            };
            match at.as_slice() {
                [i] => return Some(*i),
                [] => {
                    let mut help =
                        format!("the header has: {}", crate::ingest::header_list(&header));
                    if let Some(near) = near(name, header.iter().map(String::as_str)) {
                        help = format!("did you mean `{near}`? {help}");
                    }
                    errors.push(
                        InputError::new(
                            location,
                            format!("column `{name}` ([data.columns] {role}) is not in the header"),
                        )
                        .with_help(help),
                    );
                }
                many => {
                    let fields = many
                        .iter()
                        .map(|i| (i + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let location = Location {
                        column: Some(many[1] + 1),
                        ..location
                    };
                    errors.push(
                        InputError::new(
                            location,
                            format!("column `{name}` ([data.columns] {role}) appears {} times in the header (fields {fields})", many.len()),
                        )
                        .with_help("rename the duplicates: fairfile cannot tell which one is meant"),
                    );
                }
            }
            None
        };
        let sex_index = find("sex", &columns.sex);
        let race_index = find("race", &columns.race);
        let selected = find("selected", &columns.selected);
        let score_index = find("score", &columns.score);
        let label = find("label", &columns.label);
        let strata: Vec<Option<usize>> = columns
            .stratum
            .as_ref()
            .map(|s| s.names())
            .unwrap_or_default()
            .into_iter()
            .map(|name| find("stratum", &Some(name.to_string())))
            .collect();

        let outcomes = OutcomeMap::from_config(&data.values);
        for value in outcomes.contradictions() {
            errors.push(
                InputError::new(
                    Location::file(&audit.config_path).with_field("data.values"),
                    format!(
                        "value {} is listed both in `selected` and in `not_selected`",
                        show_value(&value)
                    ),
                )
                .with_help("keep it in one list"),
            );
        }
        let axis = |dim: &str,
                    index: Option<usize>,
                    map: &Option<toml::Spanned<crate::config::CategoryMap>>,
                    errors: &mut Vec<InputError>| {
            let index = index?;
            match map {
                Some(map) => Some(AxisColumn {
                    index,
                    map: AxisMap::from_config(map.get_ref()),
                }),
                None => {
                    errors.push(
                        InputError::new(
                            Location::file(&audit.config_path)
                                .with_field(format!("data.categories.{dim}")),
                            format!(
                                "column `{dim}` is mapped but [data.categories.{dim}] is missing"
                            ),
                        )
                        .with_help(format!(
                            "list the canonical {dim} categories and the raw values that mean each"
                        )),
                    );
                    None
                }
            }
        };
        let sex = axis("sex", sex_index, &data.categories.sex, &mut errors);
        let race = axis("race", race_index, &data.categories.race, &mut errors);

        let threshold = columns.prediction_threshold;
        let selection = match (selected, threshold) {
            (Some(_), _) => Decider::Column,
            (None, Some(t)) => Decider::Threshold(t),
            (None, None) => Decider::Column,
        };
        let prediction = label.and(match (selected, threshold) {
            (Some(_), _) => Some(Decider::Column),
            (None, Some(t)) if score_index.is_some() => Some(Decider::Threshold(t)),
            _ => None,
        });
        let needs_score = data.outcome == Outcome::Scoring
            || (data.outcome == Outcome::Selection && matches!(selection, Decider::Threshold(_)))
            || matches!(prediction, Some(Decider::Threshold(_)));
        if needs_score && score_index.is_none() && columns.score.is_none() {
            errors.push(
                InputError::new(
                    Location::file(&audit.config_path).with_field("data.columns.score"),
                    "no score column is mapped",
                )
                .with_help("name the column holding the AEDT's score in [data.columns] score"),
            );
        }
        if data.outcome == Outcome::Selection
            && selected.is_none()
            && threshold.is_none()
            && columns.selected.is_none()
        {
            errors.push(
                InputError::new(Location::file(&audit.config_path).with_field("data.columns.selected"), "selection mode needs a `selected` column")
                    .with_help("name the column holding the AEDT's decision, or give `score` and `prediction_threshold`"),
            );
        }
        match errors.len() {
            0 => {}
            1 => return Err(errors.remove(0).into()),
            _ => return Err(Error::Inputs(errors)),
        }

        let sex_slots = sex.as_ref().map_or(1, |c| c.map.categories.len() + 1);
        let race_slots = race.as_ref().map_or(1, |c| c.map.categories.len() + 1);
        Ok(RowPlan {
            path: path.to_path_buf(),
            header,
            outcome: data.outcome,
            unmapped: data.unmapped,
            sex,
            race,
            race_slots,
            cell_count: sex_slots * race_slots,
            outcomes,
            selected,
            // A mapped score is always read: the cut-off table is made from it.
            score: score_index,
            strata: strata.into_iter().flatten().collect(),
            label,
            selection,
            prediction,
            tabular: None,
        })
    }

    pub(super) fn axis(&self, column: &Option<AxisColumn>) -> Axis {
        match column {
            Some(c) => Axis::provided(c.map.categories.clone()),
            None => Axis::not_provided(),
        }
    }
}
