//! `topscalls`: syscalls by number of calls.

use std::collections::HashMap;
use std::io::{self, Write};

use syspect_capture::event::EventKind;
use syspect_capture::syscalls;

use super::{latency, Analyzer, Cell, Table};
use crate::output::Ctx;
use crate::state::State;

/// Calls and time per syscall, most called first.
pub struct TopScalls {
    calls: HashMap<u16, (u64, u64)>,
    limit: usize,
}

impl TopScalls {
    pub fn new(limit: usize) -> TopScalls {
        TopScalls {
            calls: HashMap::new(),
            limit,
        }
    }
}

impl Analyzer for TopScalls {
    fn event(&mut self, cx: &Ctx<'_>) {
        if let EventKind::Exit { nr, .. } = &cx.ev.kind {
            let e = self.calls.entry(*nr).or_default();
            e.0 += 1;
            e.1 += latency(cx).unwrap_or(0);
        }
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut v: Vec<_> = self.calls.iter().map(|(k, v)| (*k, *v)).collect();
        v.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        let mut t = Table::new(&["calls", "time", "syscall"]);
        for (nr, (n, ns)) in v.into_iter().take(self.limit.max(1)) {
            t.row(vec![
                Cell::from(n),
                Cell::Float(ns as f64 / 1e9, 6),
                Cell::Text(syscalls::name(nr).into_owned()),
            ]);
        }
        t.write(json, out)
    }
}
