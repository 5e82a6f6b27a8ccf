//! Ingest: stream the applicant data into a [`Tally`] of counts per sex × race cell.
//!
//! Row-level CSV (streamed, split across cores at line boundaries) and pre-aggregated counts CSV
//! both end in the same `Tally`, so that metrics from counts equal metrics from rows exactly.
//! Nothing is dropped silently: every row lands in exactly one cell (a category or unknown) or the
//! read fails with the file, line and column.
//!
//! (Owned by the metrics work; see issue #2.)
