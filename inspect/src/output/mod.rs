//! Output formats: sysdig's default line, JSON lines, and strace's merged view. Each is a
//! [`Printer`]: it sees every event after the state has taken it in, and writes what it shows.

pub mod analyzer;
pub mod buffer;
pub mod counts;
pub mod info;
pub mod json;
pub mod line;
pub mod only;
pub mod pair;
pub mod strace;
pub mod template;
pub mod time;

use std::io::{self, Write};

use syspect_capture::engine::Stats;
use syspect_capture::event::{Event, EventKind};

use crate::state::{Completed, State};

/// How a printed event shows what has more than one way of being shown: its data buffer
/// (sysdig's `-A`, `-x`, `-X`, `-b`) and its time column (`-t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Show {
    pub bufs: buffer::BufStyle,
    pub times: time::TimeStyle,
}

/// Everything a printer may look at for one event.
pub struct Ctx<'a> {
    /// The event's number in the stream (1-based, counting every event, filtered or not).
    pub num: u64,
    pub ev: &'a Event,
    pub state: &'a State,
    /// For an exit event: its enter, when the state saw it.
    pub completed: Option<&'a Completed>,
    /// The time of the last event shown before this one (`evt.deltatime`, `-t D`).
    pub prev_shown: Option<u64>,
}

impl Ctx<'_> {
    /// An exit's latency: ns since its enter (0 when the enter was not seen, or for any other
    /// event).
    pub fn latency(&self) -> u64 {
        match &self.ev.kind {
            EventKind::Exit { .. } => self
                .completed
                .and_then(|c| c.enter.as_ref())
                .map_or(0, |e| self.ev.ts.saturating_sub(e.ts)),
            _ => 0,
        }
    }
}

/// A way of showing events.
pub trait Printer {
    /// Show one event (or part of a line, for strace's view).
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()>;
    /// Live capture: called about once a second (a refreshing analyzer reports here).
    fn tick(&mut self, _state: &State, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
    /// The stream ended: finish any partial line, write any report.
    fn finish(&mut self, _state: &State, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
    /// Live capture: the engine (`ebpf`, `ptrace`) has started and events are about to come.
    fn start(&mut self, _engine: &'static str) -> io::Result<()> {
        Ok(())
    }
    /// Live capture: called after every poll of the engine (at least ten times a second),
    /// with its counters. Returns false when the capture should stop (a terminal view's `q`).
    fn poll(&mut self, _state: &State, _stats: Stats) -> io::Result<bool> {
        Ok(true)
    }
}

/// sysdig's `evt.dir`: `>` for enter and for the one-shot notices, `<` for exit.
pub fn dir(ev: &Event) -> char {
    match ev.kind {
        EventKind::Exit { .. } => '<',
        _ => '>',
    }
}

/// Whether an event takes a number of its own (`evt.num`). syspect's process notices
/// (procclone, procexec) have no sysdig counterpart: they share the number of the event before
/// them, so that the numbers of a sysdig capture read here are sysdig's. A sysdig event
/// syspect has no model for ([`EventKind::Other`]: a scheduler switch…) takes its number.
pub fn numbered(ev: &Event) -> bool {
    !matches!(ev.kind, EventKind::Clone { .. } | EventKind::Exec(_))
}

/// Whether an event is only counted, never shown, filtered or analysed ([`EventKind::Other`]).
pub fn counted_only(ev: &Event) -> bool {
    matches!(ev.kind, EventKind::Other { .. })
}

/// sysdig's `evt.type`: the syscall name, or the notice's name.
pub fn type_name(ev: &Event) -> std::borrow::Cow<'static, str> {
    match &ev.kind {
        EventKind::Enter { nr, .. } | EventKind::Exit { nr, .. } => {
            syspect_capture::syscalls::name(*nr)
        }
        EventKind::Clone { .. } => "procclone".into(),
        EventKind::Exec(_) => "procexec".into(),
        EventKind::ThreadExit { .. } => "procexit".into(),
        EventKind::Signal { .. } => "signaldeliver".into(),
        EventKind::Sample { .. } => "procinfo".into(),
        EventKind::Drops { .. } => "drop".into(),
        EventKind::Other { name } => name.clone().into(),
        EventKind::Injected { .. } => "inject".into(),
        EventKind::Stack { .. } => "stack".into(),
    }
}
