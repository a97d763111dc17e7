//! What the terminal views show: counters of the events of the current interval, closed about
//! once a second, and the rows of each view level (containers, processes, one process's fds and
//! connections, connections, files) computed from the last closed interval and the state.
//!
//! Rates are per second of the closed interval (its real length, not assumed to be 1 s). CPU %
//! comes from the cumulative CPU time of the resource samples both engines send.

use std::collections::{HashMap, HashSet};

use syspect_capture::event::{EventKind, FdKind, L4Proto};

use crate::analyzers::{comm, io_of, latency, table::human_bytes};
use crate::fields::container_of;
use crate::output::Ctx;
use crate::state::State;

/// Which command opened the view: its first level and what it lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `top`: processes (or containers, `--by container`).
    Top,
    /// `iftop` (`interval`: only connections active in the last interval) or `topconns`.
    Conns { interval: bool },
    /// `topfiles`.
    Files,
}

/// One level of the drill-down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Level {
    Containers,
    /// Processes, all or of one container (by short id).
    Processes {
        container: Option<(String, String)>,
    },
    /// The fds (files and connections) of one process.
    Fds {
        pid: u32,
        name: String,
    },
    Conns,
    Files,
}

impl Level {
    /// Index of this level's kind, for remembering a sort column per kind.
    pub fn slot(&self) -> usize {
        match self {
            Level::Containers => 0,
            Level::Processes { .. } => 1,
            Level::Fds { .. } => 2,
            Level::Conns => 3,
            Level::Files => 4,
        }
    }

    /// What the breadcrumb says of this level.
    pub fn title(&self) -> String {
        match self {
            Level::Containers => "containers".into(),
            Level::Processes { container: None } => "processes".into(),
            Level::Processes {
                container: Some((id, name)),
            } => format!("processes of container {name} ({id})"),
            Level::Fds { pid, name } => format!("fds and connections of {name} ({pid})"),
            Level::Conns => "connections".into(),
            Level::Files => "files".into(),
        }
    }

    /// The columns of this level.
    pub fn columns(&self) -> &'static [Col] {
        match self {
            Level::Containers => CONTAINER_COLS,
            Level::Processes { .. } => PROCESS_COLS,
            Level::Fds { .. } => FD_COLS,
            Level::Conns => CONN_COLS,
            Level::Files => FILE_COLS,
        }
    }

    /// The column rows are sorted by until the user picks another.
    pub fn default_sort(&self) -> usize {
        match self {
            Level::Containers => 2,
            Level::Processes { .. } => 1,
            Level::Fds { .. } => 2,
            Level::Conns => 1,
            Level::Files => 0,
        }
    }
}

/// A column: its title, its width (0: takes the rest) and whether it holds numbers.
#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub title: &'static str,
    pub width: u16,
    pub numeric: bool,
}

const fn num(title: &'static str, width: u16) -> Col {
    Col {
        title,
        width,
        numeric: true,
    }
}

const fn text(title: &'static str, width: u16) -> Col {
    Col {
        title,
        width,
        numeric: false,
    }
}

const CONTAINER_COLS: &[Col] = &[
    text("CONTAINER", 12),
    num("PROCS", 6),
    num("CPU%", 6),
    num("CALLS/s", 9),
    num("SC ms/s", 9),
    num("READ/s", 9),
    num("WRITE/s", 9),
    text("NAME", 0),
];

const PROCESS_COLS: &[Col] = &[
    num("PID", 8),
    num("CPU%", 6),
    num("CALLS/s", 9),
    num("SC ms/s", 9),
    num("READ/s", 9),
    num("WRITE/s", 9),
    text("CONTAINER", 12),
    text("NAME", 15),
    text("COMMAND", 0),
];

const FD_COLS: &[Col] = &[
    num("FD", 6),
    text("TYPE", 4),
    num("READ/s", 9),
    num("WRITE/s", 9),
    text("NAME", 0),
];

const CONN_COLS: &[Col] = &[
    text("PROTO", 5),
    num("BYTES/s", 9),
    num("SENT/s", 9),
    num("RECV/s", 9),
    num("TOTAL", 9),
    text("PROCESS", 22),
    text("CONNECTION", 0),
];

const FILE_COLS: &[Col] = &[
    num("BYTES/s", 9),
    num("READ/s", 9),
    num("WRITE/s", 9),
    num("TOTAL", 9),
    text("PROCESS", 22),
    text("FILE", 0),
];

/// One cell: what is shown, and for numbers the value it sorts by.
#[derive(Clone, Debug, PartialEq)]
pub struct Val {
    pub text: String,
    pub num: Option<f64>,
}

impl Val {
    fn text(s: impl Into<String>) -> Val {
        Val {
            text: s.into(),
            num: None,
        }
    }

    fn int(n: u64) -> Val {
        Val {
            text: n.to_string(),
            num: Some(n as f64),
        }
    }

    fn bytes(b: f64) -> Val {
        Val {
            text: human_bytes(b.round() as u64),
            num: Some(b),
        }
    }

    fn fixed(v: f64, prec: usize) -> Val {
        Val {
            text: format!("{v:.prec$}"),
            num: Some(v),
        }
    }
}

/// What a row stands for, to follow it across refreshes and to drill down from it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Container { id: String, name: String },
    Process { pid: u32, name: String },
    Fd(i32),
}

/// One row of a view.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: Key,
    pub cells: Vec<Val>,
}

/// Per-process counters of one interval.
#[derive(Clone, Debug, Default)]
struct ProcCount {
    calls: u64,
    syscall_ns: u64,
    read: u64,
    written: u64,
}

/// Bytes read and written (or received and sent) in one interval.
#[derive(Clone, Copy, Debug, Default)]
struct Io {
    read: u64,
    written: u64,
}

/// A connection or a file: its bytes and the process that moved some last.
#[derive(Clone, Debug, Default)]
struct Named {
    proto: &'static str,
    pid: u32,
    comm: String,
    io: Io,
}

/// The counters of one interval.
#[derive(Clone, Debug, Default)]
struct Interval {
    procs: HashMap<u32, ProcCount>,
    /// Name of each process counted (processes that exit are gone from the state).
    names: HashMap<u32, String>,
    fds: HashMap<(u32, i32), Io>,
    conns: HashMap<Vec<u8>, Named>,
    files: HashMap<Vec<u8>, Named>,
}

/// Counters of the events counted so far, and of the last closed interval.
#[derive(Debug, Default)]
pub struct Counters {
    cur: Interval,
    last: Interval,
    /// Length of the last closed interval, ns (never 0).
    span_ns: u64,
    /// Cumulative CPU ns of each process from its latest sample, and at the last close.
    cpu_now: HashMap<u32, u64>,
    cpu_prev: HashMap<u32, u64>,
    /// CPU % of the last closed interval.
    cpu_pct: HashMap<u32, f64>,
    /// Bytes since the start, per connection and per file.
    conn_total: HashMap<Vec<u8>, u64>,
    file_total: HashMap<Vec<u8>, u64>,
}

impl Counters {
    /// Count one event (the state already reflects it).
    pub fn event(&mut self, cx: &Ctx<'_>) {
        let ev = cx.ev;
        let pid = ev.pid;
        if let EventKind::Sample { .. } = &ev.kind {
            self.sample_event(cx, true);
            return;
        }
        self.cur
            .names
            .entry(pid)
            .or_insert_with(|| comm(cx.state, ev.tid));
        let p = self.cur.procs.entry(pid).or_default();
        if !matches!(ev.kind, EventKind::Exit { .. }) {
            return;
        }
        p.calls += 1;
        p.syscall_ns += latency(cx).unwrap_or(0);
        let Some((fd, bytes, write)) = io_of(cx) else {
            return;
        };
        add_io(&mut p.read, &mut p.written, bytes, write);
        let io = self.cur.fds.entry((pid, fd)).or_default();
        add(io, bytes, write);
        let Some(f) = cx.state.fds.get(pid, fd) else {
            return;
        };
        let (map, totals) = match f.kind {
            FdKind::Ipv4 | FdKind::Ipv6 | FdKind::Unix => {
                (&mut self.cur.conns, &mut self.conn_total)
            }
            FdKind::File | FdKind::Memfd | FdKind::Directory => {
                (&mut self.cur.files, &mut self.file_total)
            }
            _ => return,
        };
        let name = if f.name.is_empty() {
            format!("fd {fd}").into_bytes()
        } else {
            f.name.clone()
        };
        *totals.entry(name.clone()).or_default() += bytes;
        let n = map.entry(name).or_default();
        // The process that moved bytes last is the one to drill down to.
        if n.pid != pid || n.comm.is_empty() {
            n.pid = pid;
            n.comm = comm(cx.state, ev.tid);
            n.proto = match (f.kind, f.sock.map(|s| s.proto)) {
                (FdKind::Unix, _) => "unix",
                (_, Some(L4Proto::Tcp)) => "tcp",
                (_, Some(L4Proto::Udp)) => "udp",
                (FdKind::File | FdKind::Memfd | FdKind::Directory, _) => "file",
                _ => "?",
            };
        }
        add(&mut n.io, bytes, write);
    }

    /// A CPU sample of process `pid`, cumulative ns.
    /// Take a sample event; it lists its process (`list`: the view's filter selected it) only
    /// when the process's CPU time grew: a sample is not an event of the process's own, but it
    /// says the process ran, perhaps without a syscall.
    pub fn sample_event(&mut self, cx: &Ctx<'_>, list: bool) {
        let EventKind::Sample { cpu_ns, .. } = cx.ev.kind else {
            return;
        };
        let pid = cx.ev.pid;
        let ran = self.cpu_now.get(&pid).is_some_and(|&c| cpu_ns > c);
        self.sample(pid, cpu_ns);
        if ran && list {
            self.cur.procs.entry(pid).or_default();
            self.cur
                .names
                .entry(pid)
                .or_insert_with(|| comm(cx.state, cx.ev.tid));
        }
    }

    pub fn sample(&mut self, pid: u32, cpu_ns: u64) {
        self.cpu_now.insert(pid, cpu_ns);
    }

    /// Close the interval of `span_ns`: it becomes what the views show.
    pub fn close(&mut self, span_ns: u64) {
        self.span_ns = span_ns.max(1);
        self.last = std::mem::take(&mut self.cur);
        self.cpu_pct.clear();
        for (pid, now) in &self.cpu_now {
            if let Some(prev) = self.cpu_prev.get(pid) {
                let pct = now.saturating_sub(*prev) as f64 * 100.0 / self.span_ns as f64;
                self.cpu_pct.insert(*pid, pct);
            }
        }
        // A process with no new sample keeps its last one as the base of the next.
        self.cpu_prev = self.cpu_now.clone();
    }

    /// Start counting afresh (a new filter).
    pub fn reset(&mut self) {
        self.cur = Interval::default();
        self.last = Interval::default();
        self.conn_total.clear();
        self.file_total.clear();
    }

    /// Forget the CPU bases of processes that are gone.
    pub fn forget_gone(&mut self, state: &State) {
        let alive: HashSet<u32> = state.threads.iter().map(|t| t.info.pid).collect();
        self.cpu_now.retain(|p, _| alive.contains(p));
        self.cpu_prev.retain(|p, _| alive.contains(p));
    }

    fn rate(&self, n: u64) -> f64 {
        n as f64 * 1e9 / self.span_ns.max(1) as f64
    }

    /// The rows of `level`. `only_counted`: a filter is in force, so only what it counted is
    /// listed (otherwise every process of the state is, idle or not).
    pub fn rows(&self, level: &Level, state: &State, kind: Kind, only_counted: bool) -> Vec<Row> {
        match level {
            Level::Containers => self.container_rows(state, only_counted),
            Level::Processes { container } => {
                let id = container.as_ref().map(|(id, _)| id.as_str());
                self.process_rows(state, id, only_counted)
            }
            Level::Fds { pid, .. } => self.fd_rows(state, *pid),
            Level::Conns => self.named_rows(
                &self.last.conns,
                &self.conn_total,
                matches!(kind, Kind::Conns { interval: false }),
                true,
            ),
            Level::Files => self.named_rows(&self.last.files, &self.file_total, true, false),
        }
    }

    /// Every process to list: pid, name, command line and container (short id, name).
    fn processes(&self, state: &State, only_counted: bool) -> Vec<(u32, String, String, Cont)> {
        let mut seen = HashSet::new();
        let mut v = Vec::new();
        for t in state.threads.iter() {
            let pid = t.info.pid;
            if t.dead || (only_counted && !self.last.procs.contains_key(&pid)) {
                continue;
            }
            if !seen.insert(pid) {
                continue;
            }
            let main = state.threads.process(pid).unwrap_or(t);
            let (cname, cid) = container_of(state, Some(main));
            let args: Vec<String> = main
                .info
                .args
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let mut name = String::from_utf8_lossy(&main.info.comm).into_owned();
            if name.is_empty() {
                name = "<NA>".into();
            }
            v.push((pid, name, args.join(" "), (cid, cname.to_owned())));
        }
        // Processes counted in the interval that have exited since.
        for (pid, name) in &self.last.names {
            if self.last.procs.contains_key(pid) && seen.insert(*pid) {
                v.push((
                    *pid,
                    name.clone(),
                    String::new(),
                    ("host".into(), "?".into()),
                ));
            }
        }
        v
    }

    fn process_cells(&self, pid: u32, c: Option<&ProcCount>) -> [Val; 5] {
        let d = ProcCount::default();
        let c = c.unwrap_or(&d);
        [
            Val::fixed(self.cpu_pct.get(&pid).copied().unwrap_or(0.0), 1),
            Val::fixed(self.rate(c.calls).round(), 0),
            Val::fixed(self.rate(c.syscall_ns) / 1e6, 1),
            Val::bytes(self.rate(c.read)),
            Val::bytes(self.rate(c.written)),
        ]
    }

    fn process_rows(&self, state: &State, container: Option<&str>, only: bool) -> Vec<Row> {
        let mut rows = Vec::new();
        for (pid, name, cmd, (cid, _)) in self.processes(state, only) {
            if container.is_some_and(|c| c != cid) {
                continue;
            }
            let mut cells = vec![Val::int(pid as u64)];
            cells.extend(self.process_cells(pid, self.last.procs.get(&pid)));
            cells.push(Val::text(cid));
            cells.push(Val::text(name.clone()));
            cells.push(Val::text(cmd));
            rows.push(Row {
                key: Key::Process { pid, name },
                cells,
            });
        }
        rows
    }

    fn container_rows(&self, state: &State, only: bool) -> Vec<Row> {
        // id -> (name, processes, summed counters, cpu %)
        let mut groups: HashMap<String, (String, u64, ProcCount, f64)> = HashMap::new();
        for (pid, _, _, (cid, cname)) in self.processes(state, only) {
            let g = groups
                .entry(cid)
                .or_insert_with(|| (cname, 0, ProcCount::default(), 0.0));
            g.1 += 1;
            if let Some(c) = self.last.procs.get(&pid) {
                g.2.calls += c.calls;
                g.2.syscall_ns += c.syscall_ns;
                g.2.read += c.read;
                g.2.written += c.written;
            }
            g.3 += self.cpu_pct.get(&pid).copied().unwrap_or(0.0);
        }
        groups
            .into_iter()
            .map(|(id, (name, procs, c, cpu))| {
                let mut cells = vec![Val::text(id.clone()), Val::int(procs)];
                let [_, calls, sc, r, w] = self.process_cells(0, Some(&c));
                cells.extend([Val::fixed(cpu, 1), calls, sc, r, w]);
                cells.push(Val::text(name.clone()));
                Row {
                    key: Key::Container { id, name },
                    cells,
                }
            })
            .collect()
    }

    fn fd_rows(&self, state: &State, pid: u32) -> Vec<Row> {
        state
            .fds
            .of(pid)
            .into_iter()
            .map(|(fd, f)| {
                let io = self.last.fds.get(&(pid, fd)).copied().unwrap_or_default();
                Row {
                    key: Key::Fd(fd),
                    cells: vec![
                        Val::int(fd as u64),
                        Val::text(f.typechar().to_string()),
                        Val::bytes(self.rate(io.read)),
                        Val::bytes(self.rate(io.written)),
                        Val::text(String::from_utf8_lossy(&f.name)),
                    ],
                }
            })
            .collect()
    }

    /// Connections (`conns`: their columns) or files. `all`: also those idle in the last
    /// interval that moved bytes earlier.
    fn named_rows(
        &self,
        last: &HashMap<Vec<u8>, Named>,
        totals: &HashMap<Vec<u8>, u64>,
        all: bool,
        conns: bool,
    ) -> Vec<Row> {
        let mut rows = Vec::new();
        let idle = Named::default();
        let mut names: Vec<&Vec<u8>> = last.keys().collect();
        if all {
            names.extend(totals.keys().filter(|k| !last.contains_key(*k)));
        }
        for name in names {
            let n = last.get(name).unwrap_or(&idle);
            let total = totals.get(name).copied().unwrap_or(0);
            let mut cells = Vec::with_capacity(7);
            if conns {
                cells.push(Val::text(if n.proto.is_empty() { "-" } else { n.proto }));
            }
            cells.extend([
                Val::bytes(self.rate(n.io.read + n.io.written)),
                Val::bytes(self.rate(if conns { n.io.written } else { n.io.read })),
                Val::bytes(self.rate(if conns { n.io.read } else { n.io.written })),
                Val::bytes(total as f64),
                Val::text(if n.comm.is_empty() {
                    "-".to_owned()
                } else {
                    format!("{}({})", n.comm, n.pid)
                }),
                Val::text(String::from_utf8_lossy(name)),
            ]);
            let key = if n.comm.is_empty() {
                Key::Fd(-1)
            } else {
                Key::Process {
                    pid: n.pid,
                    name: n.comm.clone(),
                }
            };
            rows.push(Row { key, cells });
        }
        rows
    }
}

type Cont = (String, String);

fn add(io: &mut Io, bytes: u64, write: bool) {
    add_io(&mut io.read, &mut io.written, bytes, write);
}

fn add_io(read: &mut u64, written: &mut u64, bytes: u64, write: bool) {
    if write {
        *written += bytes;
    } else {
        *read += bytes;
    }
}

/// Sort `rows` by column `col` (numbers largest first, text A to Z; `reverse` turns it round),
/// then by `fallback`, then by the first column.
pub fn sort(rows: &mut [Row], col: usize, fallback: usize, reverse: bool) {
    let cmp_at = |a: &Row, b: &Row, i: usize| -> std::cmp::Ordering {
        match (a.cells.get(i), b.cells.get(i)) {
            (Some(x), Some(y)) => match (x.num, y.num) {
                (Some(p), Some(q)) => q.total_cmp(&p),
                _ => x.text.cmp(&y.text),
            },
            _ => std::cmp::Ordering::Equal,
        }
    };
    rows.sort_by(|a, b| {
        let o = cmp_at(a, b, col)
            .then_with(|| cmp_at(a, b, fallback))
            .then_with(|| cmp_at(b, a, 0));
        if reverse {
            o.reverse()
        } else {
            o
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pid: u64, cpu: f64, name: &str) -> Row {
        Row {
            key: Key::Process {
                pid: pid as u32,
                name: name.into(),
            },
            cells: vec![Val::int(pid), Val::fixed(cpu, 1), Val::text(name)],
        }
    }

    #[test]
    fn numbers_sort_largest_first_and_text_a_to_z() {
        let mut rows = vec![row(1, 5.0, "b"), row(2, 50.0, "c"), row(3, 5.0, "a")];
        sort(&mut rows, 1, 1, false);
        let pids: Vec<String> = rows.iter().map(|r| r.cells[0].text.clone()).collect();
        assert_eq!(pids, ["2", "1", "3"]);
        sort(&mut rows, 2, 1, false);
        let names: Vec<&str> = rows.iter().map(|r| r.cells[2].text.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        sort(&mut rows, 2, 1, true);
        let names: Vec<&str> = rows.iter().map(|r| r.cells[2].text.as_str()).collect();
        assert_eq!(names, ["c", "b", "a"]);
    }

    #[test]
    fn a_sample_lists_its_process_only_when_it_ran() {
        let state = State::new();
        let mut c = Counters::default();
        // (CPU time, selected by the view's filter, listed)
        for (cpu_ns, selected, listed) in [
            (100, true, false),
            (100, true, false),
            (200, false, false),
            (300, true, true),
        ] {
            let ev = syspect_capture::event::Event {
                ts: 1,
                tid: 9,
                pid: 9,
                cpu: 0,
                kind: EventKind::Sample {
                    cpu_ns,
                    rss_kb: 1,
                    vsz_kb: 1,
                },
            };
            let cx = Ctx {
                num: 1,
                ev: &ev,
                state: &state,
                completed: None,
                prev_shown: None,
            };
            if selected {
                c.event(&cx);
            } else {
                c.sample_event(&cx, false);
            }
            assert_eq!(c.cur.procs.contains_key(&9), listed, "at {cpu_ns}");
            c.close(1_000_000_000);
        }
    }

    #[test]
    fn cpu_percent_from_cumulative_samples() {
        let mut c = Counters::default();
        c.sample(7, 1_000_000_000);
        c.close(1_000_000_000);
        assert!(c.cpu_pct.is_empty(), "no base yet");
        c.sample(7, 1_500_000_000);
        c.close(1_000_000_000);
        assert_eq!(c.cpu_pct.get(&7), Some(&50.0));
    }
}
