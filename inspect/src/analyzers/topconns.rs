//! `topconns` and `iftop`: bytes per connection, over the whole trace or per interval.

use std::collections::HashMap;
use std::io::{self, Write};

use syspect_capture::event::{FdKind, L4Proto};

use super::{comm, io_of, table::human_bytes, Analyzer, Cell, Table};
use crate::output::time::datetime;
use crate::output::Ctx;
use crate::state::State;

#[derive(Default, Clone)]
struct Conn {
    proto: &'static str,
    process: String,
    sent: u64,
    received: u64,
}

/// Bytes sent and received per connection (sysdig's socket name, client first).
pub struct TopConns {
    conns: HashMap<Vec<u8>, Conn>,
    limit: usize,
    /// iftop: one table per interval, each starting from zero.
    intervals: bool,
    interval_start: u64,
}

impl TopConns {
    pub fn new(limit: usize, intervals: bool) -> TopConns {
        TopConns {
            conns: HashMap::new(),
            limit,
            intervals,
            interval_start: 0,
        }
    }

    fn table(&self, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut v: Vec<_> = self.conns.iter().collect();
        v.sort_by(|a, b| {
            (b.1.sent + b.1.received)
                .cmp(&(a.1.sent + a.1.received))
                .then(a.0.cmp(b.0))
        });
        let mut t = Table::new(&[
            "bytes",
            "sent",
            "received",
            "human",
            "proto",
            "process",
            "connection",
        ]);
        for (name, c) in v.into_iter().take(self.limit.max(1)) {
            t.row(vec![
                Cell::from(c.sent + c.received),
                Cell::from(c.sent),
                Cell::from(c.received),
                Cell::Text(human_bytes(c.sent + c.received)),
                c.proto.into(),
                Cell::Text(c.process.clone()),
                Cell::Text(String::from_utf8_lossy(name).into_owned()),
            ]);
        }
        t.write(json, out)
    }
}

impl Analyzer for TopConns {
    fn event(&mut self, cx: &Ctx<'_>) {
        let Some((fd, bytes, write)) = io_of(cx) else {
            return;
        };
        let Some(f) = cx.state.fds.get(cx.ev.pid, fd) else {
            return;
        };
        if !matches!(f.kind, FdKind::Ipv4 | FdKind::Ipv6 | FdKind::Unix) {
            return;
        }
        let proto = match (f.kind, f.sock.map(|s| s.proto)) {
            (FdKind::Unix, _) => "unix",
            (_, Some(L4Proto::Tcp)) => "tcp",
            (_, Some(L4Proto::Udp)) => "udp",
            _ => "?",
        };
        let name = if f.name.is_empty() {
            format!("fd {fd}").into_bytes()
        } else {
            f.name.clone()
        };
        let c = self.conns.entry(name).or_insert_with(|| Conn {
            proto,
            process: format!("{}({})", comm(cx.state, cx.ev.tid), cx.ev.pid),
            ..Default::default()
        });
        if write {
            c.sent += bytes;
        } else {
            c.received += bytes;
        }
        if self.interval_start == 0 {
            self.interval_start = cx.ev.ts;
        }
    }

    fn interval_ns(&self) -> Option<u64> {
        self.intervals.then_some(1_000_000_000)
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        if self.intervals && !json && self.interval_start != 0 {
            writeln!(out, "--- {}", datetime(self.interval_start))?;
        }
        self.table(json, out)?;
        if self.intervals {
            self.conns.clear();
            self.interval_start = 0;
        }
        Ok(())
    }
}
