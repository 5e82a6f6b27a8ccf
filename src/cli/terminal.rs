//! What the library reports while it works, shown on stderr: `warning: …` lines, and a progress
//! bar while a large data file is read (only when stderr is a terminal). `--quiet` silences both;
//! `--verbose` adds a line per data file read.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use crate::events::{Events, Progress};
use crate::ingest::PROGRESS_MIN_BYTES;

/// How much goes to stderr besides errors, set once from `--quiet` / `--verbose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    Quiet = 0,
    Normal = 1,
    Verbose = 2,
}

/// Global because every command's messages obey it, and threading it through each `run` would
/// touch every subcommand's signature for one flag.
static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

pub(crate) fn set_verbosity(v: Verbosity) {
    VERBOSITY.store(v as u8, Ordering::Relaxed);
}

pub(crate) fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

/// A warning or note for stderr, printed as given (e.g. `warning: …`), unless `--quiet`.
pub(crate) fn note(line: impl std::fmt::Display) {
    if verbosity() > Verbosity::Quiet {
        eprintln!("{line}");
    }
}

/// Extra detail for stderr, printed only with `--verbose`.
pub(crate) fn detail(line: impl std::fmt::Display) {
    if verbosity() >= Verbosity::Verbose {
        eprintln!("{line}");
    }
}

/// The command line's [`Events`] receiver.
pub(crate) struct Terminal {
    /// Whether to draw progress bars (stderr is a terminal).
    bars: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Terminal {
    pub fn new() -> Terminal {
        Terminal {
            bars: std::io::stderr().is_terminal() && verbosity() > Verbosity::Quiet,
            bar: Mutex::new(None),
        }
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Events for Terminal {
    fn warning(&self, message: &str) {
        note(format_args!("warning: {message}"));
    }

    fn progress(&self, progress: Progress<'_>) {
        if let Progress::Started { path, bytes } = progress {
            detail(format_args!("reading {} ({bytes} bytes)", path.display()));
        }
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
