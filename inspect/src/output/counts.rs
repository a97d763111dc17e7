//! sysdig's `-S`: after the events, how many of each (direction and type) were shown, the
//! most frequent first:
//!
//! ```text
//! ----------------------
//! Event           #Calls
//! ----------------------
//! > mmap            110
//! < mmap            110
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use syspect_capture::event::EventKind;

use syspect_capture::engine::Stats;

use super::{dir, type_name, Ctx, Printer};
use crate::state::State;

/// Another printer, and the count of the events it was given.
pub struct Counted {
    inner: Box<dyn Printer>,
    /// By direction and type (a type is borrowed but for syscalls the table does not name).
    counts: HashMap<(char, Cow<'static, str>), u64>,
}

impl Counted {
    pub fn new(inner: Box<dyn Printer>) -> Counted {
        Counted {
            inner,
            counts: HashMap::new(),
        }
    }
}

impl Printer for Counted {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        // the events a reader only counts (a sysdig capture's switches) are not shown
        if !matches!(cx.ev.kind, EventKind::Other { .. }) {
            let key = (dir(cx.ev), type_name(cx.ev));
            *self.counts.entry(key).or_default() += 1;
        }
        self.inner.event(cx, out)
    }

    fn tick(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        self.inner.tick(state, out)
    }

    fn finish(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        self.inner.finish(state, out)?;
        let mut rows: Vec<(&(char, Cow<'static, str>), &u64)> = self.counts.iter().collect();
        rows.sort_by(|a, b| {
            b.1.cmp(a.1)
                .then(a.0 .1.cmp(&b.0 .1))
                .then(a.0 .0.cmp(&b.0 .0))
        });
        writeln!(out, "----------------------")?;
        writeln!(out, "Event           #Calls")?;
        writeln!(out, "----------------------")?;
        for ((dir, name), n) in rows {
            writeln!(out, "{dir} {name:<15} {n}")?;
        }
        Ok(())
    }

    fn start(&mut self, engine: &'static str) -> io::Result<()> {
        self.inner.start(engine)
    }

    fn poll(&mut self, state: &State, stats: Stats) -> io::Result<bool> {
        self.inner.poll(state, stats)
    }
}
