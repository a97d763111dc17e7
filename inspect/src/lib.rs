//! syspect-inspect: from records to answers.
//!
//! - [`state`]: the [`State`](state::State) rebuilt from records — threads and processes, fd
//!   tables, cwd, users, containers.
//! - [`output`]: [`Printer`](output::Printer)s for sysdig's default line, JSON lines and
//!   strace's merged view.
//! - [`fields`]: field values of an event in its state.
//! - [`tui`]: the live full-screen views of `top`, `iftop`, `topconns` and `topfiles`.
//! - [`source`] and [`prefetch`]: records from trace files and sysdig captures, read ahead on a
//!   thread of their own; [`pipeline`] and [`read`]: the loop every command shares.
//!
//! ```
//! use syspect_capture::event::{Arg, Event, EventKind, Record, ThreadInfo};
//! use syspect_inspect::state::State;
//!
//! let mut state = State::new();
//! state.update(&Record::Thread(Box::new(ThreadInfo { tid: 7, pid: 7, comm: b"cat".to_vec(),
//!     cwd: b"/etc".to_vec(), ..Default::default() })));
//! let ev = |kind| Record::Event(Event { ts: 1, tid: 7, pid: 7, cpu: 0, kind });
//! let path = Arg::Str { data: b"hosts".to_vec(), trunc: false };
//! state.update(&ev(EventKind::Enter { nr: 257, args: vec![Arg::Num(-100i64 as u64), path,
//!     Arg::Num(0), Arg::Num(0)] }));
//! state.update(&ev(EventKind::Exit { nr: 257, ret: 3, args: vec![] }));
//! assert_eq!(state.fds.get(7, 3).unwrap().name, b"/etc/hosts");
//! ```

pub mod analyzers;
pub mod convert;
pub mod fields;
pub mod list;
pub mod live;
pub mod output;
pub mod pipeline;
pub mod prefetch;
pub mod progress;
pub mod read;
pub mod render;
pub mod select;
pub mod source;
pub mod state;
pub mod tui;

/// What can go wrong in an inspection command.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error(transparent)]
    Trace(#[from] syspect_capture::trace::TraceError),
    #[error(transparent)]
    Scap(#[from] syspect_capture::scap::ScapError),
    #[error(transparent)]
    Engine(#[from] syspect_capture::engine::EngineError),
    #[error("cannot open {}: {source}", path.display())]
    Open {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no input file")]
    NoInput,
    #[error("{0}")]
    Usage(String),
    /// A container could not be resolved (`--container` without Docker, or Docker failed).
    #[error("{0}")]
    Container(String),
    #[error("output: {0}")]
    Io(#[from] std::io::Error),
}
