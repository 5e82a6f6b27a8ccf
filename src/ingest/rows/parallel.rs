//! Threading: the file cut into one byte range per core at line starts, each read by its own
//! thread, the results checked for a split inside a quoted field (then read again in one pass)
//! and added up.

use std::thread;

use super::count::{Chunk, Tallier, read_range};
use super::faults::fault_error;
use super::plan::RowPlan;
use crate::diag::{Error, Result};
use crate::events::{Events, Progress};
use crate::ingest::reader;

/// Ranges smaller than this are not worth a thread.
const MIN_BYTES_PER_THREAD: u64 = 8 << 20;
const MAX_THREADS: usize = 16;

/// One reader per core, each with at least [`MIN_BYTES_PER_THREAD`] of data.
pub(super) fn reader_threads(data_bytes: u64) -> usize {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    ((data_bytes / MIN_BYTES_PER_THREAD) as usize).clamp(1, cores.clamp(1, MAX_THREADS))
}

/// Tally every data row: in `threads` parallel byte ranges, or in one pass.
pub(super) fn tally_file<'p>(
    plan: &'p RowPlan,
    header_end: u64,
    size: u64,
    events: &dyn Events,
    threads: usize,
) -> Result<Tallier<'p>> {
    if threads > 1 {
        let mut starts = vec![header_end];
        for i in 1..threads {
            let nominal = header_end + (size - header_end) * i as u64 / threads as u64;
            let start = reader::line_start_after(&plan.path, nominal, size)
                .map_err(|e| Error::io(&plan.path, e))?;
            starts.push(start.max(*starts.last().expect("non-empty")));
        }
        starts.push(size);
        let mut chunks: Vec<Chunk<'p>> = thread::scope(|s| {
            let handles: Vec<_> = starts
                .windows(2)
                .map(|w| s.spawn(move || read_range(plan, w[0], w[1], events)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        // Range i's start is a true record start when every earlier range ended where the next
        // began; the first problem in file order is then genuine.
        let mut aligned = true;
        for i in 0..chunks.len() {
            if let Some(fault) = chunks[i].fault.take() {
                return Err(fault_error(
                    &plan.path,
                    &plan.header,
                    Some(&plan.outcomes),
                    fault,
                ));
            }
            if i + 1 < chunks.len() && chunks[i].last != chunks[i + 1].first {
                aligned = false;
                break;
            }
        }
        if aligned {
            let mut chunks = chunks.into_iter();
            let mut sums = chunks.next().expect("at least two ranges").tallier;
            sums.seal();
            for chunk in chunks {
                sums.merge(chunk.tallier);
            }
            return Ok(sums);
        }
        // A split point fell inside a quoted field spanning lines: read again in one pass.
        // (Not counted for `ingest::differential`'s files, which split inside quotes on purpose.)
        #[cfg(test)]
        if !plan.path.ends_with("differential.csv") {
            super::tests::ONE_PASS_RETRIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        events.progress(Progress::Restarted);
    }
    let mut chunk = read_range(plan, header_end, u64::MAX, events);
    if let Some(fault) = chunk.fault.take() {
        return Err(fault_error(
            &plan.path,
            &plan.header,
            Some(&plan.outcomes),
            fault,
        ));
    }
    chunk.tallier.seal();
    Ok(chunk.tallier)
}
