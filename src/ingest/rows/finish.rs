//! The summed counts turned into the [`Ingested`] result: unmapped values rejected (or folded),
//! the median and the above-median counts, every raw value seen listed.

use super::count::Tallier;
use super::plan::RowPlan;
use crate::config::{Audit, Outcome, Unmapped};
use crate::diag::{Error, InputError, Location, Result};
use crate::ingest::median::Scores;
use crate::ingest::reader;
use crate::ingest::values::ValueEntry;
use crate::ingest::{CategoryValue, DataInfo, Ingested, OutcomeValue, Tally, near, show_value};

impl RowPlan {
    /// Turn the summed counts into the [`Ingested`] result: reject unmapped values (or fold
    /// them), compute the median and the above-median counts, list every raw value seen.
    pub(super) fn finish(
        &self,
        audit: &Audit,
        relative: &str,
        mut sums: Tallier<'_>,
        sha256: String,
    ) -> Result<Ingested> {
        let data = audit.config.data.get_ref();
        if sums.rows == 0 {
            return Err(InputError::new(
                Location::file(&self.path),
                "no data rows after the header",
            )
            .with_help("export the applicants assessed, one row each")
            .into());
        }
        let axes = [
            ("sex", &self.sex, &sums.sex),
            ("race", &self.race, &sums.race),
        ];
        if self.unmapped == Unmapped::Error {
            let mut unmapped = Vec::new();
            for (dim, column, table) in axes {
                let Some(column) = column else { continue };
                for e in table.entries().iter().filter(|e| e.unmapped) {
                    unmapped.push((dim, column, e));
                }
            }
            if !unmapped.is_empty() {
                unmapped.sort_by(|a, b| {
                    (a.0 != "sex", std::cmp::Reverse(a.2.count), &a.2.bytes).cmp(&(
                        b.0 != "sex",
                        std::cmp::Reverse(b.2.count),
                        &b.2.bytes,
                    ))
                });
                let offsets: Vec<u64> = unmapped.iter().map(|u| u.2.first_offset).collect();
                let lines = match &self.tabular {
                    Some(source) => offsets
                        .iter()
                        .map(|&o| source.location(&self.path, o, None).line.unwrap_or(0))
                        .collect(),
                    None => reader::line_numbers(&self.path, &offsets)
                        .map_err(|e| Error::io(&self.path, e))?,
                };
                let errors = unmapped
                    .iter()
                    .zip(lines)
                    .map(|((dim, column, entry), line)| {
                        let value = String::from_utf8_lossy(&entry.bytes);
                        let name = &self.header[column.index];
                        let rows = if entry.count == 1 { "1 row".to_string() } else { format!("{} rows", entry.count) };
                        let mut help = format!("map it in [data.categories.{dim}]");
                        if let Some(near) = near(&value, column.map.raw_values()) {
                            help.push_str(&format!(" (did you mean {near:?}?)"));
                        }
                        help.push_str(
                            ", list it under `unknown`, or set [data] unmapped = \"unknown\" to count unmapped values as unknown",
                        );
                        InputError::new(
                            Location { file: self.path.clone(), line: Some(line), column: Some(column.index + 1), field: Some(name.clone()) },
                            format!("unmapped {dim} value {} in column `{name}`: {rows}, first on this line", show_value(&value)),
                        )
                        .with_help(help)
                    })
                    .collect::<Vec<_>>();
                return Err(if errors.len() == 1 {
                    errors.into_iter().next().expect("one").into()
                } else {
                    Error::Inputs(errors)
                });
            }
        }

        let mut tally = Tally::new(
            self.outcome,
            self.axis(&self.sex),
            self.axis(&self.race),
            self.prediction.is_some(),
        );
        tally.cells.copy_from_slice(&sums.cells);
        if let Some(counter) = &sums.strata {
            if counter.overflow || counter.count() > crate::limits::MAX_STRATA {
                let names: Vec<&str> = counter
                    .columns
                    .iter()
                    .map(|&c| self.header[c].as_str())
                    .collect();
                return Err(InputError::new(
                    Location::file(&self.path).with_field(names.join(", ")),
                    format!(
                        "more than {} distinct strata ([data.columns] stratum)",
                        crate::limits::MAX_STRATA
                    ),
                )
                .with_help("stratify by a coarser column (e.g. requisition rather than applicant), or remove `stratum` (MAX_STRATA, see SECURITY.md)")
                .into());
            }
            tally.strata = Some(counter.finish(&self.header));
        }
        if let Some(buckets) = &sums.buckets {
            tally.scores = buckets.finish();
        }
        let mut scores_at_median = None;
        if self.outcome == Outcome::Scoring {
            tally.scores = sums.scores.counts();
            let split = std::mem::replace(&mut sums.scores, Scores::none()).split();
            if let Some(split) = &split {
                for (cell, &above) in split.above.iter().enumerate() {
                    tally.cells[cell].positive += above;
                }
                scores_at_median = Some(split.ties);
            }
            tally.median_score = split.map(|s| s.median);
        }

        let mut category_values = Vec::new();
        for (dim, column, table) in axes {
            let Some(column) = column else { continue };
            let mut values: Vec<&ValueEntry> = table.entries().iter().collect();
            values.sort_by(|a, b| (a.code, &a.bytes).cmp(&(b.code, &b.bytes)));
            for e in values {
                let slot = e.code as usize;
                category_values.push(CategoryValue {
                    dimension: dim.to_string(),
                    value: String::from_utf8_lossy(&e.bytes).into_owned(),
                    count: e.count,
                    category: column
                        .map
                        .categories
                        .get(slot)
                        .cloned()
                        .unwrap_or_else(|| crate::config::UNKNOWN.to_string()),
                    unmapped: e.unmapped,
                });
            }
        }
        let mut outcome_values = Vec::new();
        for (column, table, yes, no) in [
            ("selected", &sums.selected, "selected", "not_selected"),
            ("label", &sums.label, "positive", "negative"),
        ] {
            let mut values: Vec<&ValueEntry> = table.entries().iter().collect();
            values.sort_by(|a, b| a.bytes.cmp(&b.bytes));
            for e in values {
                outcome_values.push(OutcomeValue {
                    column: column.to_string(),
                    value: String::from_utf8_lossy(&e.bytes).into_owned(),
                    count: e.count,
                    counted_as: if e.code == 1 { yes } else { no }.to_string(),
                });
            }
        }

        let info = DataInfo {
            input: "rows".to_string(),
            path: relative.to_string(),
            sha256,
            kind: data.kind,
            description: data.description.clone(),
            explanation: data.explanation.clone(),
            rows_read: sums.rows,
            median_source: (self.outcome == Outcome::Scoring)
                .then(|| "computed from every row".to_string()),
            scores_at_median,
        };
        Ok(Ingested {
            tally,
            data: info,
            category_values,
            outcome_values,
        })
    }
}
