//! `bottlenecks`: the slowest calls, slowest first, each as its enter and exit lines as
//! sysdig's `bottlenecks` chisel prints them: the event's number, the time since the call's
//! enter, the process, the thread, the direction, the call and its arguments.
//!
//! ```text
//! 1335) 0.000000000 curl (17497) > poll fds=4:61 timeout=198
//! 1337) 0.037479817 curl (17497) < poll res=1 fds=4:61
//! ```
//!
//! Of calls equally slow, the one that ended first comes first.

use std::collections::HashMap;
use std::io::{self, Write};

use syspect_capture::event::{Event, EventKind, Tid};

use super::{comm, latency, Analyzer, Cell, Table};
use crate::output::buffer::BufStyle;
use crate::output::info::info;
use crate::output::{type_name, Ctx};
use crate::state::State;

struct Slow {
    latency: u64,
    enter_num: Option<u64>,
    exit_num: u64,
    process: String,
    tid: Tid,
    syscall: String,
    enter_args: String,
    exit_args: String,
}

/// The `n` slowest calls seen.
pub struct Bottlenecks {
    n: usize,
    /// The number of each thread's last enter event.
    enter_num: HashMap<Tid, u64>,
    /// Slowest first.
    slow: Vec<Slow>,
}

impl Bottlenecks {
    pub fn new(n: usize) -> Bottlenecks {
        Bottlenecks {
            n: n.max(1),
            enter_num: HashMap::new(),
            slow: Vec::new(),
        }
    }
}

impl Analyzer for Bottlenecks {
    fn event(&mut self, cx: &Ctx<'_>) {
        let ev = cx.ev;
        match &ev.kind {
            EventKind::Enter { .. } => {
                self.enter_num.insert(ev.tid, cx.num);
            }
            EventKind::Exit { .. } => {
                let enter_num = self.enter_num.remove(&ev.tid);
                let Some(ns) = latency(cx) else {
                    return;
                };
                if self.slow.len() >= self.n && self.slow.last().is_some_and(|s| ns <= s.latency) {
                    return;
                }
                let Some(enter) = cx.completed.and_then(|c| c.enter.as_ref()) else {
                    return;
                };
                // the enter's arguments as its line showed them: the fds it names are still
                // open at its exit (a close's is dropped after it)
                let enter_ev = Event {
                    ts: enter.ts,
                    tid: ev.tid,
                    pid: ev.pid,
                    cpu: ev.cpu,
                    kind: EventKind::Enter {
                        nr: enter.nr,
                        args: enter.args.clone(),
                    },
                };
                let mut enter_args = String::new();
                info(cx.state, &enter_ev, BufStyle::default(), &mut enter_args);
                let mut exit_args = String::new();
                info(cx.state, ev, BufStyle::default(), &mut exit_args);
                let at = self.slow.partition_point(|s| s.latency >= ns);
                self.slow.insert(
                    at,
                    Slow {
                        latency: ns,
                        enter_num,
                        exit_num: cx.num,
                        process: comm(cx.state, ev.tid),
                        tid: ev.tid,
                        syscall: type_name(ev).into_owned(),
                        enter_args,
                        exit_args,
                    },
                );
                self.slow.truncate(self.n);
            }
            _ => {}
        }
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        if !json {
            for s in &self.slow {
                if let Some(n) = s.enter_num {
                    writeln!(
                        out,
                        "{n}) 0.000000000 {} ({}) > {} {}",
                        s.process, s.tid, s.syscall, s.enter_args
                    )?;
                }
                writeln!(
                    out,
                    "{}) {}.{:09} {} ({}) < {} {}",
                    s.exit_num,
                    s.latency / 1_000_000_000,
                    s.latency % 1_000_000_000,
                    s.process,
                    s.tid,
                    s.syscall,
                    s.exit_args
                )?;
            }
            return Ok(());
        }
        let mut t = Table::new(&[
            "latency_ns",
            "enter_num",
            "exit_num",
            "process",
            "tid",
            "syscall",
            "enter_args",
            "exit_args",
        ]);
        for s in &self.slow {
            t.row(vec![
                Cell::from(s.latency),
                s.enter_num.map_or(Cell::Text(String::new()), Cell::from),
                Cell::from(s.exit_num),
                Cell::Text(s.process.clone()),
                Cell::from(s.tid),
                Cell::Text(s.syscall.clone()),
                Cell::Text(s.enter_args.clone()),
                Cell::Text(s.exit_args.clone()),
            ]);
        }
        t.write_json(out)
    }
}
