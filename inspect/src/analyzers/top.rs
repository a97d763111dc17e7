//! `top`: processes, or containers with `--by container`, ranked by CPU (from the periodic
//! samples), by syscall time, or by I/O bytes.

use std::collections::HashMap;
use std::io::{self, Write};

use syspect_capture::event::EventKind;

use super::{comm, io_of, latency, Analyzer, Cell, Group, Table};
use crate::fields::container_of;
use crate::output::Ctx;
use crate::state::State;

#[derive(Default, Clone)]
struct Row {
    name: String,
    /// CPU ns between the first and last sample of each process.
    first_cpu: HashMap<u32, u64>,
    last_cpu: HashMap<u32, u64>,
    syscall_ns: u64,
    calls: u64,
    io_bytes: u64,
    pids: std::collections::BTreeSet<u32>,
}

impl Row {
    fn cpu_ns(&self) -> u64 {
        self.last_cpu
            .iter()
            .map(|(p, l)| l.saturating_sub(*self.first_cpu.get(p).unwrap_or(l)))
            .sum()
    }
}

/// What to rank by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sort {
    Cpu,
    Time,
    Io,
}

/// Processes or containers by CPU, syscall time and I/O.
pub struct Top {
    group: Group,
    sort: Sort,
    limit: usize,
    rows: HashMap<String, Row>,
    /// Processes created during the capture (their CPU time counts from zero).
    born: std::collections::HashSet<u32>,

    first_ts: u64,
    last_ts: u64,
}

impl Top {
    pub fn new(group: Group, sort: Option<&str>, limit: usize) -> Top {
        Top {
            group,
            sort: match sort {
                Some("time") => Sort::Time,
                Some("io") => Sort::Io,
                _ => Sort::Cpu,
            },
            limit,
            rows: HashMap::new(),
            born: std::collections::HashSet::new(),
            first_ts: 0,
            last_ts: 0,
        }
    }
}

impl Analyzer for Top {
    fn event(&mut self, cx: &Ctx<'_>) {
        let ev = cx.ev;
        if self.first_ts == 0 {
            self.first_ts = ev.ts;
        }

        self.last_ts = ev.ts;
        let (key, name) = match self.group {
            Group::Process => (ev.pid.to_string(), comm(cx.state, ev.tid)),
            Group::Container => {
                let (name, id) = container_of(cx.state, cx.state.thread(ev.tid));
                (id, name.to_owned())
            }
        };
        if let EventKind::Clone { child_pid, .. } = &ev.kind {
            if *child_pid != ev.pid {
                self.born.insert(*child_pid);
            }
        }
        let born = self.born.contains(&ev.pid);
        let row = self.rows.entry(key).or_default();
        if born {
            row.first_cpu.entry(ev.pid).or_insert(0);
        }
        if row.name.is_empty() || row.name == "<NA>" || matches!(ev.kind, EventKind::Exec(_)) {
            row.name = name;
        }
        row.pids.insert(ev.pid);
        match &ev.kind {
            EventKind::Sample { cpu_ns, .. } => {
                // the first sample's base: the CPU time the process's record had (the /proc
                // snapshot's), so that what it used before its first sample counts
                let base = cx
                    .state
                    .thread(ev.pid)
                    .map(|t| t.info.cpu_ns)
                    .filter(|&c| c > 0 && c <= *cpu_ns)
                    .unwrap_or(*cpu_ns);
                row.first_cpu.entry(ev.pid).or_insert(base);
                row.last_cpu.insert(ev.pid, *cpu_ns);
            }
            // A process born (or exec'd) during the capture: all its CPU time is in the capture.
            EventKind::Exec(_) => {
                row.first_cpu.entry(ev.pid).or_insert(0);
            }
            EventKind::Exit { .. } => {
                row.calls += 1;
                row.syscall_ns += latency(cx).unwrap_or(0);
                if let Some((_, b, _)) = io_of(cx) {
                    row.io_bytes += b;
                }
            }
            _ => {}
        }
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut v: Vec<(&String, &Row)> = self.rows.iter().collect();
        let key = |r: &Row| match self.sort {
            Sort::Cpu => (r.cpu_ns(), r.syscall_ns),
            Sort::Time => (r.syscall_ns, r.cpu_ns()),
            Sort::Io => (r.io_bytes, r.syscall_ns),
        };
        v.sort_by(|a, b| key(b.1).cmp(&key(a.1)).then(a.0.cmp(b.0)));
        let span = self.last_ts.saturating_sub(self.first_ts).max(1) as f64;
        let first = match self.group {
            Group::Process => "PID",
            Group::Container => "CONTAINER",
        };
        let mut t = Table::new(&[
            first,
            "CPU%",
            "CPU s",
            "SYSCALLS",
            "SYSCALL s",
            "IO BYTES",
            "NAME",
        ]);
        for (k, r) in v.into_iter().take(self.limit.max(1)) {
            t.row(vec![
                Cell::Text(k.clone()),
                Cell::Float(r.cpu_ns() as f64 * 100.0 / span, 1),
                Cell::Float(r.cpu_ns() as f64 / 1e9, 3),
                Cell::from(r.calls),
                Cell::Float(r.syscall_ns as f64 / 1e9, 6),
                Cell::from(r.io_bytes),
                Cell::Text(r.name.clone()),
            ]);
        }
        t.write(json, out)
    }
}
