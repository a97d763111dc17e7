//! Two printers given every event in turn: strace's `-C`, each call's line and then, at the
//! end, strace -c's table.

use std::io::{self, Write};

use syspect_capture::engine::Stats;

use super::{Ctx, Printer};
use crate::state::State;

/// The first printer's output, then the second's, for each event and at the end.
pub struct Pair(pub Box<dyn Printer>, pub Box<dyn Printer>);

impl Printer for Pair {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        self.0.event(cx, out)?;
        self.1.event(cx, out)
    }

    fn tick(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        self.0.tick(state, out)?;
        self.1.tick(state, out)
    }

    fn finish(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        self.0.finish(state, out)?;
        self.1.finish(state, out)
    }

    fn start(&mut self, engine: &'static str) -> io::Result<()> {
        self.0.start(engine)?;
        self.1.start(engine)
    }

    fn poll(&mut self, state: &State, stats: Stats) -> io::Result<bool> {
        let first = self.0.poll(state, stats)?;
        Ok(self.1.poll(state, stats)? && first)
    }
}
