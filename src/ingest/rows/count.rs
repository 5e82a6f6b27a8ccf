//! The hot path: counting the rows of one byte range into a [`Tallier`] (one cache probe per
//! mapped column for a value seen before, a plain-decimal fast path for scores). Tuned: change
//! with a benchmark at hand (see the module documentation of `rows`).

use super::faults::{Fault, FaultKind};
use super::plan::{Decider, RowPlan};
use super::strata::StrataCounter;
use crate::config::Outcome;
use crate::events::Events;
use crate::ingest::Cell;
use crate::ingest::median::{Buckets, Scores};
use crate::ingest::reader::{ReadError, Record, RecordReader};
use crate::ingest::values::{AxisMap, Decision, OutcomeMap, Resolved, ValueTable};

/// Counts of one byte range (or, after merging, of the whole file).
pub(super) struct Tallier<'p> {
    pub(super) plan: &'p RowPlan,
    pub(super) cells: Vec<Cell>,
    /// Scoring mode: the scores of each cell.
    pub(super) scores: Scores,
    pub(super) sex: ValueTable,
    pub(super) race: ValueTable,
    pub(super) selected: ValueTable,
    pub(super) label: ValueTable,
    pub(super) rows: u64,
    /// Counts per stratum (`[data.columns] stratum`).
    pub(super) strata: Option<StrataCounter>,
    /// Selection mode with a score: counts per distinct score for the cut-off table (scoring
    /// mode has them in `scores`).
    pub(super) buckets: Option<Buckets>,
}

impl<'p> Tallier<'p> {
    pub(super) fn new(plan: &'p RowPlan) -> Self {
        let keep_scores = plan.outcome == Outcome::Scoring;
        Tallier {
            plan,
            cells: vec![Cell::default(); plan.cell_count],
            scores: if keep_scores {
                Scores::new(plan.cell_count)
            } else {
                Scores::none()
            },
            sex: ValueTable::default(),
            race: ValueTable::default(),
            selected: ValueTable::default(),
            label: ValueTable::default(),
            rows: 0,
            strata: (!plan.strata.is_empty())
                .then(|| StrataCounter::new(plan.strata.clone(), plan.cell_count)),
            buckets: (!keep_scores && plan.score.is_some()).then(|| Buckets::new(plan.cell_count)),
        }
    }

    #[inline]
    pub(super) fn row(&mut self, rec: &Record<'_>) -> Result<(), Fault> {
        let plan = self.plan;
        if rec.len() != plan.header.len() {
            return Err(Fault {
                offset: rec.start,
                field: None,
                kind: FaultKind::Ragged { found: rec.len() },
            });
        }
        let sex = match &plan.sex {
            Some(c) => category(&mut self.sex, &c.map, rec, c.index)?,
            None => 0,
        };
        let race = match &plan.race {
            Some(c) => category(&mut self.race, &c.map, rec, c.index)?,
            None => 0,
        };
        let selected = match plan.selected {
            Some(i) => decision(&mut self.selected, &plan.outcomes, rec, i)?,
            None => false,
        };
        let score = match plan.score {
            Some(i) => parse_score(rec, i)?,
            None => 0.0,
        };
        let positive_label = match plan.label {
            Some(i) => label(&mut self.label, &plan.outcomes, rec, i)?,
            None => false,
        };
        let stratum = match &mut self.strata {
            Some(strata) => Some(strata.stratum_of(rec)?),
            None => None,
        };
        self.rows += 1;
        let index = sex as usize * plan.race_slots + race as usize;
        count_row(
            plan,
            &mut self.cells[index],
            selected,
            score,
            positive_label,
        );
        match plan.outcome {
            Outcome::Selection => {
                if let Some(buckets) = &mut self.buckets {
                    buckets.add(index, score);
                }
            }
            Outcome::Scoring => self.scores.add(index, score),
        }
        if let (Some(strata), Some(s)) = (&mut self.strata, stratum) {
            count_row(
                plan,
                strata.cell_mut(s, index),
                selected,
                score,
                positive_label,
            );
        }
        Ok(())
    }

    /// Add another range's counts (its score vectors are kept as they are, not copied).
    pub(super) fn merge(&mut self, mut other: Tallier<'p>) {
        for (mine, theirs) in self.cells.iter_mut().zip(&other.cells) {
            mine.add(theirs);
        }
        other.seal();
        self.scores.merge(other.scores);
        self.sex.merge(other.sex);
        self.race.merge(other.race);
        self.selected.merge(other.selected);
        self.label.merge(other.label);
        self.rows += other.rows;
        if let (Some(mine), Some(theirs)) = (&mut self.strata, other.strata) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.buckets, other.buckets) {
            mine.merge(theirs);
        }
    }

    /// Add the value counts kept in lookup caches to the tables.
    pub(super) fn seal(&mut self) {
        for table in [
            &mut self.sex,
            &mut self.race,
            &mut self.selected,
            &mut self.label,
        ] {
            table.settle();
        }
    }
}

/// Count one row in a cell: n, the selection (selection mode; scoring mode's "above the median"
/// is counted once the median is known), and the prediction against the label.
#[inline(always)]
pub(super) fn count_row(
    plan: &RowPlan,
    cell: &mut Cell,
    selected: bool,
    score: f64,
    positive_label: bool,
) {
    cell.n += 1;
    if plan.outcome == Outcome::Selection {
        cell.positive += u64::from(match plan.selection {
            Decider::Column => selected,
            Decider::Threshold(t) => score >= t,
        });
    }
    if let Some(prediction) = plan.prediction {
        let predicted = match prediction {
            Decider::Column => selected,
            Decider::Threshold(t) => score >= t,
        };
        match (predicted, positive_label) {
            (true, true) => cell.tp += 1,
            (true, false) => cell.fp += 1,
            (false, true) => cell.fn_ += 1,
            (false, false) => cell.tn += 1,
        }
    }
}

#[inline(always)]
fn category(
    table: &mut ValueTable,
    map: &AxisMap,
    rec: &Record<'_>,
    field: usize,
) -> Result<u32, Fault> {
    table.lookup(rec.buffer(), rec.span(field), rec.start, |bytes| {
        let resolved = map.resolve_raw(utf8(bytes, rec, field)?);
        Ok((map.slot(resolved) as u32, resolved == Resolved::Unmapped))
    })
}

#[inline(always)]
fn decision(
    table: &mut ValueTable,
    outcomes: &OutcomeMap,
    rec: &Record<'_>,
    field: usize,
) -> Result<bool, Fault> {
    let code = table.lookup(rec.buffer(), rec.span(field), rec.start, |bytes| {
        let text = utf8(bytes, rec, field)?;
        match outcomes.decide(text) {
            Decision::NotSelected => Ok((0, false)),
            Decision::Selected => Ok((1, false)),
            Decision::Neither => Err(Fault {
                offset: rec.start,
                field: Some(field),
                kind: FaultKind::Outcome(text.to_string()),
            }),
        }
    })?;
    Ok(code == 1)
}

#[inline(always)]
fn label(
    table: &mut ValueTable,
    outcomes: &OutcomeMap,
    rec: &Record<'_>,
    field: usize,
) -> Result<bool, Fault> {
    let code = table.lookup(rec.buffer(), rec.span(field), rec.start, |bytes| {
        let positive = outcomes.is_positive_label(utf8(bytes, rec, field)?);
        Ok((u32::from(positive), false))
    })?;
    Ok(code == 1)
}

#[inline]
fn parse_score(rec: &Record<'_>, field: usize) -> Result<f64, Fault> {
    let bytes = rec.field(field).trim_ascii();
    if let Some(v) = crate::ingest::decimal::parse_plain(bytes) {
        return Ok(v + 0.0);
    }
    parse_score_text(bytes, rec, field)
}

/// [`parse_score`] for everything but plain decimals (and every error).
#[inline(never)]
fn parse_score_text(bytes: &[u8], rec: &Record<'_>, field: usize) -> Result<f64, Fault> {
    let text = utf8(bytes, rec, field)?;
    match text.parse::<f64>() {
        // `+ 0.0` turns -0.0 into 0.0, so that equal scores compare equal in the median.
        Ok(v) if v.is_finite() => Ok(v + 0.0),
        _ => Err(Fault {
            offset: rec.start,
            field: Some(field),
            kind: FaultKind::Score(text.to_string()),
        }),
    }
}

#[inline]
fn utf8<'a>(bytes: &'a [u8], rec: &Record<'_>, field: usize) -> Result<&'a str, Fault> {
    std::str::from_utf8(bytes).map_err(|_| Fault {
        offset: rec.start,
        field: Some(field),
        kind: FaultKind::Utf8,
    })
}

/// One reader's result: its counts, where its first record started, where it stopped, and the
/// first problem it met (it stops there).
pub(super) struct Chunk<'p> {
    pub(super) tallier: Tallier<'p>,
    pub(super) first: u64,
    pub(super) last: u64,
    pub(super) fault: Option<Fault>,
}

pub(super) fn read_range<'p>(
    plan: &'p RowPlan,
    begin: u64,
    end: u64,
    events: &dyn Events,
) -> Chunk<'p> {
    let mut chunk = Chunk {
        tallier: Tallier::new(plan),
        first: begin,
        last: begin,
        fault: None,
    };
    let io_fault = |offset, e| Fault {
        offset,
        field: None,
        kind: FaultKind::Io(e),
    };
    let mut reader =
        match RecordReader::open(&plan.path, begin, Some(events), end.saturating_sub(begin)) {
            Ok(r) => r,
            Err(e) => {
                chunk.fault = Some(io_fault(begin, e));
                return chunk;
            }
        };
    let read_fault = |e| match e {
        ReadError::Io(e) => io_fault(begin, e),
        ReadError::TooLong(offset) => Fault {
            offset,
            field: None,
            kind: FaultKind::TooLong,
        },
    };
    if let Err(e) = reader.skip_terminators() {
        chunk.fault = Some(read_fault(e));
        return chunk;
    }
    chunk.first = reader.pos();
    loop {
        match reader.next_record(end) {
            Ok(Some(record)) => {
                if let Err(fault) = chunk.tallier.row(&record) {
                    chunk.fault = Some(fault);
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                chunk.fault = Some(read_fault(e));
                break;
            }
        }
    }
    chunk.last = reader.pos();
    chunk
}
