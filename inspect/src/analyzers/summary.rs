//! `summary`: strace -c's table — calls, errors and time per syscall, sorted by time.

use std::collections::BTreeMap;
use std::io::{self, Write};

use syspect_capture::event::EventKind;
use syspect_capture::syscalls;

use super::{latency, Analyzer, Cell, Table};
use crate::output::Ctx;
use crate::state::State;

#[derive(Default, Clone, Copy)]
struct Row {
    calls: u64,
    errors: u64,
    ns: u64,
}

/// Calls, errors and time per syscall (counted at exit, as strace -c does).
#[derive(Default)]
pub struct Summary {
    rows: BTreeMap<u16, Row>,
    sort: Option<String>,
}

impl Summary {
    /// Rows ranked as strace's `-S` says: `time` (the default), `calls`, `errors`,
    /// `avg-time`, `name`, `nothing` (by number).
    pub fn new(sort: Option<&str>) -> Summary {
        Summary {
            rows: BTreeMap::new(),
            sort: sort.map(str::to_owned),
        }
    }
}

/// The orders strace's `-S` names, as `summary` takes them.
pub const SORTS: &[&str] = &["time", "calls", "errors", "avg-time", "name", "nothing"];

impl Analyzer for Summary {
    fn event(&mut self, cx: &Ctx<'_>) {
        if let EventKind::Exit { nr, ret, .. } = &cx.ev.kind {
            let r = self.rows.entry(*nr).or_default();
            r.calls += 1;
            r.errors += (*ret < 0) as u64;
            r.ns += latency(cx).unwrap_or(0);
        }
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let total_ns: u64 = self.rows.values().map(|r| r.ns).sum();
        let mut rows: Vec<(u16, Row)> = self.rows.iter().map(|(k, v)| (*k, *v)).collect();
        let avg = |r: &Row| r.ns / r.calls.max(1);
        let name = |nr: u16| syscalls::name(nr);
        match self.sort.as_deref() {
            Some("calls") => rows.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(&b.0))),
            Some("errors") => rows.sort_by(|a, b| b.1.errors.cmp(&a.1.errors).then(a.0.cmp(&b.0))),
            Some("avg-time") => rows.sort_by(|a, b| avg(&b.1).cmp(&avg(&a.1)).then(a.0.cmp(&b.0))),
            Some("name") => rows.sort_by(|a, b| name(a.0).cmp(&name(b.0))),
            Some("nothing") => {}
            _ => rows.sort_by(|a, b| b.1.ns.cmp(&a.1.ns).then(a.0.cmp(&b.0))),
        }
        let mut t = Table::new(&[
            "% time",
            "seconds",
            "usecs/call",
            "calls",
            "errors",
            "syscall",
        ]);
        // strace -c's columns, so that the two tables read alike
        t.min_widths = vec![6, 11, 11, 9, 9, 16];
        let pct = |ns: u64| {
            if total_ns == 0 {
                0.0
            } else {
                ns as f64 * 100.0 / total_ns as f64
            }
        };
        for (nr, r) in &rows {
            t.row(vec![
                Cell::Float(pct(r.ns), 2),
                Cell::Float(r.ns as f64 / 1e9, 6),
                Cell::from(r.ns / 1000 / r.calls.max(1)),
                Cell::from(r.calls),
                if r.errors > 0 || json {
                    Cell::from(r.errors)
                } else {
                    Cell::Text(String::new())
                },
                Cell::Text(syscalls::name(*nr).into_owned()),
            ]);
        }
        let calls: u64 = rows.iter().map(|r| r.1.calls).sum();
        let errors: u64 = rows.iter().map(|r| r.1.errors).sum();
        t.footer = Some(vec![
            Cell::Float(100.0, 2),
            Cell::Float(total_ns as f64 / 1e9, 6),
            Cell::from(total_ns / 1000 / calls.max(1)),
            Cell::from(calls),
            if errors > 0 || json {
                Cell::from(errors)
            } else {
                Cell::Text(String::new())
            },
            "total".into(),
        ]);
        t.write(json, out)
    }
}
