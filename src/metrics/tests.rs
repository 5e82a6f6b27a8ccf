//! Unit tests of the metrics on hand-computed tallies.
