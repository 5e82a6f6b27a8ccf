//! What the library reports while it works, shown on stderr: `warning: …` lines, and a progress
//! bar while a large data file is read (only when stderr is a terminal).

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

use crate::events::{Events, Progress};
use crate::ingest::PROGRESS_MIN_BYTES;

/// The command line's [`Events`] receiver.
pub(crate) struct Terminal {
    /// Whether to draw progress bars (stderr is a terminal).
    bars: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Terminal {
    pub fn new() -> Terminal {
        Terminal {
            bars: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Events for Terminal {
    fn warning(&self, message: &str) {
        eprintln!("warning: {message}");
    }

    fn progress(&self, progress: Progress<'_>) {
        match progress {
            // Only large files get a bar: a small one is read before a bar could mean anything.
            Progress::Started { path, bytes } if self.bars && bytes >= PROGRESS_MIN_BYTES => {
                let bar = ProgressBar::new(bytes);
                bar.set_style(
                    ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
                        .expect("constant progress template")
                        .progress_chars("=> "),
                );
                bar.set_message(format!("reading {}", path.display()));
                *self.bar() = Some(bar);
            }
            Progress::Started { .. } => {}
            Progress::Advanced(bytes) => {
                if let Some(bar) = self.bar().as_ref() {
                    bar.inc(bytes);
                }
            }
            Progress::Restarted => {
                if let Some(bar) = self.bar().as_ref() {
                    bar.set_position(0);
                }
            }
            Progress::Finished => {
                if let Some(bar) = self.bar().take() {
                    bar.finish_and_clear();
                }
            }
        }
    }
}
