//! What the library has to say while it works: warnings, and progress through a long read. The
//! library never prints; it tells an [`Events`] receiver, and the command line decides what to
//! show (e.g. `warning: …` lines and a progress bar on a terminal's stderr).

use std::path::Path;

/// Receives warnings and progress. Called from several threads at once (the data is read in
/// parallel), hence `Sync`. Both methods do nothing by default.
pub trait Events: Sync {
    /// A warning the caller should show (one line, without a `warning:` prefix), e.g. raw HTML
    /// an evidence document could not render.
    fn warning(&self, message: &str) {
        let _ = message;
    }

    /// A step of a long read.
    fn progress(&self, progress: Progress<'_>) {
        let _ = progress;
    }
}

/// Progress of reading one data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// Reading of `path` starts; `bytes` will be reported in all.
    Started { path: &'a Path, bytes: u64 },
    /// This many more bytes were read.
    Advanced(u64),
    /// Reading starts over from the beginning (parallel ranges could not be used).
    Restarted,
    /// The read is over (successfully or not).
    Finished,
}

/// Says nothing: for tests and library callers that have no use for warnings or progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Events for Quiet {}

/// Collects warnings (and ignores progress): for callers that want the warnings as a list.
#[derive(Debug, Default)]
pub struct Collected {
    warnings: std::sync::Mutex<Vec<String>>,
}

impl Collected {
    /// The warnings received so far, in order.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Events for Collected {
    fn warning(&self, message: &str) {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(message.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collected_keeps_warnings_in_order() {
        let events = Collected::default();
        events.warning("one");
        events.progress(Progress::Advanced(3));
        events.warning("two");
        assert_eq!(events.warnings(), ["one", "two"]);
        Quiet.warning("nothing happens");
    }
}
