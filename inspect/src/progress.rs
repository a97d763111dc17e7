//! A progress bar on stderr for long reads of trace files (`read`, `convert`, analyzers with
//! `-r`, `chart`, `flame`), measured in bytes of the input files consumed.
//!
//! The caller decides whether a bar is wanted (stderr is a terminal and nothing else is
//! printed on that terminal while the bar is up); this module keeps it cheap and quiet: the
//! read loop reports its position every [`EVERY`] records, the bar appears only once a read
//! has taken [`DELAY`] (a quick read never flashes one), and it is wiped before any report is
//! written.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Records between two position reports: the hot loop pays one mask test per record.
pub const EVERY: u64 = 4096;

/// How long a read runs before its bar appears.
pub const DELAY: Duration = Duration::from_millis(250);

/// A bar that may or may not be drawn.
pub struct Progress {
    state: State,
    label: &'static str,
}

enum State {
    /// No bar wanted.
    Off,
    /// Wanted; not drawn until the read has run for [`DELAY`].
    Waiting {
        since: Instant,
    },
    Drawn(ProgressBar),
}

impl Progress {
    /// No bar.
    pub fn off() -> Progress {
        Progress {
            state: State::Off,
            label: "",
        }
    }

    /// A bar labelled `label` (`reading`, `converting`) when `wanted`.
    pub fn new(label: &'static str, wanted: bool) -> Progress {
        Progress {
            state: if wanted {
                State::Waiting {
                    since: Instant::now(),
                }
            } else {
                State::Off
            },
            label,
        }
    }

    /// Whether a record count calls for a position report (cheap enough for every record).
    #[inline]
    pub fn due(count: u64) -> bool {
        count.is_multiple_of(EVERY)
    }

    /// `done` bytes out of `total` read.
    pub fn update(&mut self, done: u64, total: u64) {
        match &mut self.state {
            State::Off => {}
            State::Waiting { since } => {
                if since.elapsed() >= DELAY && total > 0 {
                    // Set up hidden, so that the first drawing is already right.
                    let bar =
                        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
                    bar.set_style(style());
                    bar.set_message(self.label);
                    bar.set_position(done);
                    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
                    bar.tick();
                    self.state = State::Drawn(bar);
                }
            }
            State::Drawn(bar) => bar.set_position(done),
        }
    }

    /// Wipe the bar (before a report is printed, or at the end).
    pub fn clear(&mut self) {
        if let State::Drawn(bar) = &self.state {
            bar.finish_and_clear();
        }
        self.state = State::Off;
    }

    /// Whether a bar has been drawn and is still up.
    pub fn is_drawn(&self) -> bool {
        matches!(self.state, State::Drawn(_))
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{msg} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({elapsed}, about {eta} left)",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}
