//! Analyzers (sysdig's chisels): each a small module behind [`Analyzer`], fed the events that
//! the filter selected after the state has taken them in, reporting through a [`Table`] so that
//! people get aligned text and scripts get JSON from the same data.

pub mod bottlenecks;
pub mod by;
pub mod containers;
pub mod echofds;
pub mod httplog;
pub mod httptop;
pub mod iobytes;
pub mod logs;
pub mod lsof;
pub mod netstat;
pub mod proctime;
pub mod ps;
pub mod rows;
pub mod slower;
pub mod spectrogram;
pub mod spyusers;
pub mod stdio;
pub mod summary;
pub mod syslog;
pub mod table;
pub mod top;
pub mod topconns;
pub mod topfiles;
pub mod topscalls;

use std::io::{self, Write};

use syspect_capture::event::{Arg, EventKind, Tid};
use syspect_capture::syscalls::{self, ArgType, Class};

use crate::fields::format::Template;
use crate::fields::EventFields;
use crate::output::{Ctx, Show};
use crate::state::State;

pub use table::{Cell, JsonLines, Table};

/// One analysis over a stream of events.
pub trait Analyzer {
    /// Take in one selected event (the state already reflects it).
    fn event(&mut self, cx: &Ctx<'_>);
    /// Streaming analyzers write as they go; the runner gives them the output here.
    fn event_out(&mut self, cx: &Ctx<'_>, _out: &mut dyn Write) -> io::Result<()> {
        self.event(cx);
        Ok(())
    }
    /// Write the result so far. Interval analyzers (iftop) report what they saw since the last
    /// report and start again.
    fn report(&mut self, state: &State, json: bool, out: &mut dyn Write) -> io::Result<()>;
    /// For analyzers that report per interval (iftop): its length in ns of trace time; the
    /// runner calls [`Analyzer::report`] each time an interval ends.
    fn interval_ns(&self) -> Option<u64> {
        None
    }
    /// Whether this analyzer prints as it goes (echo-fds, spy-users) rather than one table.
    fn streaming(&self) -> bool {
        false
    }
    /// A streaming analyzer's last lines, at the end of the events (iobytes' last second).
    fn end_stream(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// What `top` ranks by and groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Group {
    #[default]
    Process,
    Container,
}

/// Options every analyzer may look at.
#[derive(Clone, Debug, Default)]
pub struct AnalyzerOptions {
    /// `top --by container`.
    pub group: Group,
    /// `top --sort cpu|time|io`.
    pub sort: Option<String>,
    /// echo-fds: printable text (`-A`) or hex (`-X`).
    pub hex: bool,
    /// How many rows a table shows at most.
    pub limit: usize,
    /// The filter, for the reports of the state (lsof, netstat, ps), which keep the threads
    /// and fds it selects (see [`rows`]).
    pub rows: Option<syspect_filter::Filter>,
    /// strace: `-t`/`-tt`/`-ttt` and `-T`.
    pub strace: crate::output::strace::StraceOptions,
    /// by: the field the calls are grouped by.
    pub field: Option<String>,
    /// The report is JSON (`-j`): the streaming analyzers keep their lines for it only then.
    pub json: bool,
    /// slower: the latency a call must pass to be shown, ns.
    pub threshold_ns: u64,
    /// spectrogram: each row's interval, ms.
    pub interval_ms: Option<u64>,
}

/// Name, one-line purpose and options of every analyzer, for `list analyzers` and `--help`.
pub const ALL: &[(&str, &str, &str)] = &[
    (
        "strace",
        "each call decoded on one line, as strace prints it",
        "strace's -e trace=SET (names, %classes, /regex), status=, signal=, -z, -Z, -c|-C [-S SORTBY], -t/-tt/-ttt, -T, -y, -s N, -p PID, -o FILE, -f/-ff, -qq, -x/-xx, -P PATH",
    ),
    (
        "summary",
        "calls, errors and time per syscall, as strace -c",
        "",
    ),
    ("lsof", "open fds per process at the end of the trace", ""),
    (
        "netstat",
        "sockets open at the end of the trace, with their processes",
        "",
    ),
    ("ps", "processes alive at the end of the trace", ""),
    (
        "top",
        "processes (or containers) by CPU, syscall time and I/O bytes",
        "--by process|container, --sort cpu|time|io",
    ),
    ("topfiles", "files by bytes read and written", ""),
    ("topconns", "connections by bytes sent and received", ""),
    ("iftop", "connections by bytes, per one-second interval", ""),
    ("topscalls", "syscalls by number of calls", ""),
    (
        "by",
        "calls grouped by any field's value, with bytes, count, errors and time",
        "FIELD (proc.name, fd.name, fd.sport...), --sort io|calls|time|errors",
    ),
    (
        "spy-users",
        "commands run from interactive shells, with their user",
        "",
    ),
    (
        "echo-fds",
        "the data read and written on fds",
        "-A printable text (default), -X hex",
    ),
    ("stdout", "the data processes wrote to their stdout (fd 1)", ""),
    ("stderr", "the data processes wrote to their stderr (fd 2)", ""),
    ("stdin", "the data processes read from their stdin (fd 0)", ""),
    (
        "httplog",
        "a line per HTTP request with its response, as sysdig's httplog chisel",
        "",
    ),
    (
        "httptop",
        "HTTP requests by method and URL: how many, their time, their bytes (sysdig's httptop)",
        "--sort calls|time|io",
    ),
    (
        "slower",
        "calls slower than MS milliseconds, a line each (sysdig's scallslower)",
        "MS",
    ),
    (
        "bottlenecks",
        "the slowest calls, each as its enter and exit lines (sysdig's bottlenecks)",
        "--top N (10)",
    ),
    (
        "proctime",
        "processes as they end, with how long they ran (sysdig's proc_exec_time)",
        "",
    ),
    (
        "iobytes",
        "bytes read and written, a line per second (sysdig's iobytes)",
        "",
    ),
    (
        "logs",
        "lines written to log files (.log, _log, /var/log), a line each (sysdig's spy_logs)",
        "",
    ),
    (
        "syslog",
        "messages written to syslog (/dev/log), a line each (sysdig's spy_syslog)",
        "",
    ),
    (
        "spectrogram",
        "calls by latency (1ns to 100s, log scale) a row per interval, as sysdig's spectrogram",
        "--interval MS (500)",
    ),
    (
        "subsecoffset",
        "calls by when in each interval they started, a row per interval (sysdig's subsecoffset)",
        "--interval MS (1000)",
    ),
    (
        "containers",
        "the containers of the trace (sysdig's lscontainers)",
        "",
    ),
];

/// The analyzer called `name`.
pub fn by_name(name: &str, o: &AnalyzerOptions) -> Option<Box<dyn Analyzer>> {
    Some(match name {
        "summary" => Box::new(summary::Summary::new(o.sort.as_deref())),
        "lsof" => Box::new(lsof::Lsof::new(rows::Rows::new(o.rows.clone()))),
        "netstat" => Box::new(netstat::Netstat::new(rows::Rows::new(o.rows.clone()))),
        "ps" => Box::new(ps::Ps::new(rows::Rows::new(o.rows.clone()))),
        "top" => Box::new(top::Top::new(o.group, o.sort.as_deref(), o.limit)),
        "topfiles" => Box::new(topfiles::TopFiles::new(o.limit)),
        "topconns" => Box::new(topconns::TopConns::new(o.limit, false)),
        "iftop" => Box::new(topconns::TopConns::new(o.limit, true)),
        "topscalls" => Box::new(topscalls::TopScalls::new(o.limit)),
        "by" => {
            let rank = match o.sort.as_deref() {
                Some("calls") => by::Rank::Calls,
                Some("time") => by::Rank::Time,
                Some("errors") => by::Rank::Errors,
                _ => by::Rank::Bytes,
            };
            Box::new(by::By::new(o.field.as_deref()?, rank, o.limit).ok()?)
        }
        "spy-users" => Box::new(spyusers::SpyUsers::default()),
        "echo-fds" => Box::new(echofds::EchoFds::new(o.hex)),
        "httplog" => Box::new(httplog::HttpLog::default()),
        "httptop" => {
            let rank = match o.sort.as_deref() {
                Some("time") => httptop::Rank::Time,
                Some("io") => httptop::Rank::Bytes,
                _ => httptop::Rank::Calls,
            };
            Box::new(httptop::HttpTop::new(rank, o.limit))
        }
        "slower" => Box::new(slower::Slower::new(o.threshold_ns, o.json)),
        "bottlenecks" => Box::new(bottlenecks::Bottlenecks::new(o.limit)),
        "proctime" => Box::new(proctime::ProcTime::new(o.json)),
        "iobytes" => Box::new(iobytes::IoBytes::new(o.json)),
        "containers" => Box::new(containers::Containers),
        "spectrogram" | "subsecoffset" => {
            use std::io::IsTerminal;
            let tty = std::io::stdout().is_terminal();
            let width = ratatui::crossterm::terminal::size()
                .ok()
                .filter(|_| tty)
                .map_or(80, |(w, _)| w as usize);
            let (axis, ms) = match name {
                "spectrogram" => (spectrogram::Axis::Latency, 500),
                _ => (spectrogram::Axis::Offset, 1000),
            };
            Box::new(spectrogram::Spectrogram::new(
                axis,
                width,
                tty,
                o.interval_ms.unwrap_or(ms) * 1_000_000,
            ))
        }
        "syslog" => Box::new(syslog::Syslog::new(o.json)),
        "logs" => Box::new(logs::Logs::new(o.json)),
        "stdin" => Box::new(stdio::Stdio::new(0)),
        "stdout" => Box::new(stdio::Stdio::new(1)),
        "stderr" => Box::new(stdio::Stdio::new(2)),
        _ => return None,
    })
}

/// Whether analyzer `name` prints while it reads (streaming ones, per-interval ones, strace)
/// rather than once at the end: a progress bar would fight with its lines on a terminal.
pub fn prints_as_it_goes(name: &str) -> bool {
    name == "strace"
        || by_name(name, &AnalyzerOptions::default())
            .is_some_and(|a| a.streaming() || a.interval_ns().is_some())
}

/// An I/O call that moved bytes: `(fd, bytes, is_write)`, for an exit event of a read- or
/// write-class syscall that succeeded.
pub fn io_of(cx: &Ctx<'_>) -> Option<(i32, u64, bool)> {
    let EventKind::Exit { nr, ret, args } = &cx.ev.kind else {
        return None;
    };
    if *ret <= 0 {
        return None;
    }
    let d = syscalls::lookup(*nr)?;
    let write = match d.class {
        Class::IoRead => false,
        Class::IoWrite => true,
        _ => return None,
    };
    // sendmmsg and recvmmsg return a count of messages: the bytes are their msg_lens
    let bytes = match d
        .args
        .iter()
        .find(|a| matches!(a.ty, ArgType::Mmsghdrs { .. }))
    {
        Some(_) => args.first().map_or(0, Arg::data_len),
        None => *ret as u64,
    };
    let fd = cx
        .completed?
        .enter
        .as_ref()?
        .args
        .first()
        .and_then(Arg::num)?;
    Some((fd as i32, bytes, write))
}

/// The data an I/O call moved (its `data` buffer, its iovecs, its messages' iovecs), in
/// order: a write's from its enter (and sendmmsg's, read at exit, from its exit), a read's
/// from its exit.
pub fn io_data<'a>(cx: &'a Ctx<'_>, write: bool) -> Vec<&'a [u8]> {
    let exit: &[Arg] = match &cx.ev.kind {
        EventKind::Exit { args, .. } => args,
        _ => &[],
    };
    let enter: &[Arg] = match (write, cx.completed.and_then(|c| c.enter.as_ref())) {
        (true, Some(e)) => &e.args,
        _ => &[],
    };
    let mut v = Vec::new();
    enter
        .iter()
        .chain(exit)
        .for_each(|a| a.push_buffers(&mut v));
    v
}

/// The latency of the call an exit event ends, ns.
pub fn latency(cx: &Ctx<'_>) -> Option<u64> {
    let e = cx.completed?.enter.as_ref()?;
    Some(cx.ev.ts.saturating_sub(e.ts))
}

/// Fields of an event as text, by name (`proc.name`, `fd.name`, `evt.datetime`), as `-p`
/// prints them: what the line analyzers (`slower`, `proctime`, `logs`) print.
pub struct FieldText {
    templates: Vec<Template>,
    scratch: Vec<u8>,
}

impl FieldText {
    /// The fields `names`, each a name `list fields` shows; an unknown one is an error.
    pub fn new(names: &[&str]) -> Result<FieldText, String> {
        let templates = names
            .iter()
            .map(|n| Template::parse(&format!("%{n}")).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        Ok(FieldText {
            templates,
            scratch: Vec::new(),
        })
    }

    /// The text of the `i`th field for `cx`'s event, or `None` when the event has none.
    pub fn get(&mut self, cx: &Ctx<'_>, i: usize) -> Option<String> {
        let mut fields = EventFields {
            cx,
            scratch: &mut self.scratch,
            show: Show::default(),
        };
        let mut out = String::new();
        self.templates[i]
            .render(&mut fields, &mut out)
            .then_some(out)
    }

    /// [`FieldText::get`], `<NA>` when the event has none (sysdig's text for it).
    pub fn text(&mut self, cx: &Ctx<'_>, i: usize) -> String {
        self.get(cx, i).unwrap_or_else(|| "<NA>".into())
    }
}

/// `s` cut to `width` characters, then padded to it: sysdig's chisels' `%-12.12s`.
pub fn column(s: &str, width: usize) -> String {
    let cut: String = s.chars().take(width).collect();
    format!("{cut:<width$}")
}

/// A process's display name: its comm, or `<NA>`.
pub fn comm(state: &State, tid: Tid) -> String {
    state
        .thread(tid)
        .map(|t| String::from_utf8_lossy(&t.info.comm).into_owned())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "<NA>".into())
}

/// A user's name, or the uid as text.
pub fn user(state: &State, uid: u32) -> String {
    state
        .user_name(uid)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_else(|| uid.to_string())
}
