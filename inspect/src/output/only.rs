//! strace without `-f`: only the traced thread's calls, signals and exit are shown — the
//! command's first thread, or the threads `-p` names — though the capture follows its children
//! and other threads as with `-f` (the ptrace engine stops them too; they are left out here).

use std::collections::BTreeSet;
use std::io::{self, Write};

use syspect_capture::event::{EventKind, Tid};

use super::{Ctx, Printer, Stats};
use crate::state::State;

/// Passes to `inner` the events of some threads only.
pub struct OnlyThreads {
    inner: Box<dyn Printer>,
    /// The threads shown; empty until the first event, whose thread it then is.
    tids: BTreeSet<Tid>,
}

impl OnlyThreads {
    /// Only threads `tids`, or when empty the thread of the first event (a command's).
    pub fn new(inner: Box<dyn Printer>, tids: impl IntoIterator<Item = Tid>) -> OnlyThreads {
        OnlyThreads {
            inner,
            tids: tids.into_iter().collect(),
        }
    }
}

impl Printer for OnlyThreads {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        if self.tids.is_empty() {
            self.tids.insert(cx.ev.tid);
        }
        // a thread's clones are not followed: they are no thread of the view's
        if !self.tids.contains(&cx.ev.tid) || matches!(cx.ev.kind, EventKind::Clone { .. }) {
            return Ok(());
        }
        self.inner.event(cx, out)
    }

    fn tick(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        self.inner.tick(state, out)
    }

    fn finish(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        self.inner.finish(state, out)
    }

    fn start(&mut self, engine: &'static str) -> io::Result<()> {
        self.inner.start(engine)
    }

    fn poll(&mut self, state: &State, stats: Stats) -> io::Result<bool> {
        self.inner.poll(state, stats)
    }
}
