//! Counts per stratum (`[data.columns] stratum`): one cell vector per distinct combination of the
//! stratum columns' values, for the Mantel–Haenszel analysis (`analysis::strata`).
//!
//! Each reader numbers the values it meets in its own [`ValueTable`] per column (a value's code is
//! its entry's index) and the combinations in order of first sight; readers are merged by the
//! values' bytes, and the strata are sorted by value at the end, so the result does not depend on
//! how the file was split. At most [`MAX_STRATA`] combinations are kept: a row that would make one
//! more stops the read with an error naming it.

use std::collections::HashMap;

use super::faults::{Fault, FaultKind};
use crate::ingest::reader::Record;
use crate::ingest::values::ValueTable;
use crate::ingest::{Cell, Strata, Stratum};
use crate::limits::{MAX_STRATA, MAX_STRATUM_COLUMNS};

/// One combination's codes, a value per stratum column (unused columns 0).
type Key = [u32; MAX_STRATUM_COLUMNS];

#[derive(Debug)]
pub(super) struct StrataCounter {
    /// The stratum columns' header indices.
    pub(super) columns: Vec<usize>,
    /// Per column, the values met (code = entry index).
    pub(super) tables: Vec<ValueTable>,
    /// Combination → stratum index (several columns only; one column's code is the index).
    combos: HashMap<Key, u32>,
    keys: Vec<Key>,
    /// `cells[stratum * cell_count + cell]`.
    pub(super) cells: Vec<Cell>,
    cell_count: usize,
    /// Set by a merge past [`MAX_STRATA`] (the read is refused at the end).
    pub(super) overflow: bool,
}

impl StrataCounter {
    pub(super) fn new(columns: Vec<usize>, cell_count: usize) -> StrataCounter {
        StrataCounter {
            tables: columns.iter().map(|_| ValueTable::default()).collect(),
            columns,
            combos: HashMap::new(),
            keys: Vec::new(),
            cells: Vec::new(),
            cell_count,
            overflow: false,
        }
    }

    /// The stratum of a CSV (or Excel) row: look up each column's value.
    #[inline]
    pub(super) fn stratum_of(&mut self, rec: &Record<'_>) -> Result<usize, Fault> {
        let mut key = Key::default();
        for (k, &field) in self.columns.iter().enumerate() {
            let table = &mut self.tables[k];
            let next = table.len();
            key[k] = table.lookup(rec.buffer(), rec.span(field), rec.start, |bytes| {
                std::str::from_utf8(bytes).map_err(|_| Fault {
                    offset: rec.start,
                    field: Some(field),
                    kind: FaultKind::Utf8,
                })?;
                new_code(next, rec.start, field)
            })?;
        }
        self.stratum(key, rec.start)
    }

    /// The stratum of the codes of one row (`key[k]` from column k's table), made at first
    /// sight; `offset` locates the row in an error.
    #[inline]
    pub(super) fn stratum(&mut self, key: Key, offset: u64) -> Result<usize, Fault> {
        if self.columns.len() == 1 {
            let s = key[0] as usize;
            if s == self.keys.len() {
                self.push(key);
            }
            return Ok(s);
        }
        if let Some(&s) = self.combos.get(&key) {
            return Ok(s as usize);
        }
        if self.keys.len() >= MAX_STRATA {
            return Err(Fault {
                offset,
                field: Some(self.columns[0]),
                kind: FaultKind::TooManyStrata,
            });
        }
        self.combos.insert(key, self.keys.len() as u32);
        self.push(key);
        Ok(self.keys.len() - 1)
    }

    fn push(&mut self, key: Key) {
        self.keys.push(key);
        self.cells
            .resize(self.keys.len() * self.cell_count, Cell::default());
    }

    #[inline]
    pub(super) fn cell_mut(&mut self, stratum: usize, cell: usize) -> &mut Cell {
        &mut self.cells[stratum * self.cell_count + cell]
    }

    /// The values of one of this reader's strata.
    fn values(&self, stratum: usize) -> Vec<&[u8]> {
        (0..self.columns.len())
            .map(|k| self.tables[k].bytes(self.keys[stratum][k] as usize))
            .collect()
    }

    /// Add another reader's strata, matched by their values.
    pub(super) fn merge(&mut self, other: StrataCounter) {
        self.overflow |= other.overflow;
        for s in 0..other.keys.len() {
            let values = other.values(s);
            let mut key = Key::default();
            for (k, bytes) in values.iter().enumerate() {
                let table = &mut self.tables[k];
                let next = table.len() as u32;
                let entry = table
                    .entry(bytes, 0, |_| Ok::<_, ()>((next, false)))
                    .unwrap_or_else(|()| unreachable!("infallible"));
                key[k] = table.code(entry);
            }
            let mine = if self.columns.len() == 1 {
                let s = key[0] as usize;
                if s == self.keys.len() {
                    self.push(key);
                }
                s
            } else if let Some(&s) = self.combos.get(&key) {
                s as usize
            } else {
                self.combos.insert(key, self.keys.len() as u32);
                self.push(key);
                self.keys.len() - 1
            };
            if self.keys.len() > MAX_STRATA {
                self.overflow = true;
            }
            let theirs = &other.cells[s * other.cell_count..(s + 1) * other.cell_count];
            for (cell, add) in theirs.iter().enumerate() {
                self.cell_mut(mine, cell).add(add);
            }
        }
    }

    /// The strata, sorted by their values.
    pub(super) fn finish(&self, header: &[String]) -> Strata {
        let mut strata: Vec<Stratum> = (0..self.keys.len())
            .map(|s| Stratum {
                values: self
                    .values(s)
                    .into_iter()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect(),
                cells: self.cells[s * self.cell_count..(s + 1) * self.cell_count].to_vec(),
            })
            .collect();
        strata.sort_by(|a, b| a.values.cmp(&b.values));
        Strata {
            columns: self.columns.iter().map(|&c| header[c].clone()).collect(),
            strata,
        }
    }

    pub(super) fn count(&self) -> usize {
        self.keys.len()
    }
}

/// The code of a column's next new value, refused past [`MAX_STRATA`] values.
pub(super) fn new_code(next: usize, offset: u64, field: usize) -> Result<(u32, bool), Fault> {
    if next >= MAX_STRATA {
        return Err(Fault {
            offset,
            field: Some(field),
            kind: FaultKind::TooManyStrata,
        });
    }
    Ok((next as u32, false))
}
