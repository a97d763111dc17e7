//! strace's view: each call on one line, `name(args) = result`, with strace's conventions for
//! calls interleaved between threads (`<unfinished ...>`, `<... read resumed>`), signals
//! (`--- SIGCHLD {...} ---`), exits (`+++ exited with 0 +++`) and `[pid N]` prefixes once more
//! than one thread is traced. The text of arguments and results comes from the syscall table's
//! renderer ([`render`]); this printer decides what goes on which line.
//!
//! It works on the stream as strace does on the live process: the enter event opens a line with
//! the arguments known at entry; the exit completes it, or, when another thread printed in
//! between, starts a `resumed` line with the rest.
//!
//! strace's `-t`, `-tt`, `-ttt` and `-T` ([`StraceOptions`]): a line starts with the time its
//! first event happened (after the `[pid N]` prefix, as strace puts it), and a call's result
//! is followed by the time between its enter and its exit, `<0.000012>`. With `-y` an fd,
//! as an argument or as the result, is shown with what the state says it names.
//!
//! Where the output goes changes the prefix as in strace ([`PidPrefix`]): to a file with `-f`,
//! every line starts with its thread's id in a column (`1234  read(...)`); with `-ff`,
//! [`SplitPrinter`] writes each thread's lines to a file of its own, `FILE.TID`, unprefixed and
//! never cut by another thread's.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::Ipv6Addr;
use std::path::PathBuf;

use syspect_capture::event::{Arg, EventKind, FdKind, L4Proto, Tid};
use syspect_capture::syscalls::{self, render, RetType};

use super::info::split_status;
use super::time::TimeFmt;
use super::{Ctx, Printer};
use crate::state::{Fd, State};

/// strace's options of what a line shows besides the call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StraceOptions {
    /// `-t` (1): the time of day, `-tt` (2): with microseconds, `-ttt` (3): seconds since the
    /// epoch with microseconds; 0: no time.
    pub timestamps: u8,
    /// `-T`: the time spent in each call.
    pub durations: bool,
    /// `--relative-timestamps` (strace's `-r`): each line starts with the time since the
    /// previous line's call began (instead of `timestamps`).
    pub relative: bool,
    /// `-y`: an fd shown with what it names, `3</etc/hosts>` (an inet socket as strace's
    /// `-yy` shows it, `3<TCP:[127.0.0.1:8080->127.0.0.1:45678]>`).
    pub fd_paths: bool,
    /// `-Y`: a pid, as an argument, a result or a line's prefix, shown with its command name,
    /// `1234<sleep>`.
    pub pid_comms: bool,
    /// `-a COLUMN`: where ` = RET` starts when the call is shorter (`None`: strace's 40).
    pub column: Option<usize>,
    /// `--syscall-number` (strace's `-n`): `[  59] ` before each line, the number of the call,
    /// or of the thread's last call on a signal's or an exit's line.
    pub syscall_number: bool,
    /// How a line names its thread.
    pub pids: PidPrefix,
    /// `-ff -o FILE`: each thread's lines to a file of its own, `FILE.TID`.
    pub split: Option<PathBuf>,
    /// `-qq`: no `+++ exited with N +++` lines (a killing signal's line stays).
    pub quiet_exits: bool,
    /// `-P PATH`: only the calls that name one of these paths, or use an fd open on one.
    pub paths: Vec<Vec<u8>>,
    /// `-e read=SET`, `-e write=SET`: a hex and text dump of the data read from (written to)
    /// these fds, after the call's line.
    pub dump_read: FdSet,
    pub dump_write: FdSet,
}

/// A set of fd numbers as strace's `-e read=` takes it: the numbers, or all but them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FdSet {
    pub all_but: bool,
    pub fds: Vec<i32>,
}

impl FdSet {
    pub fn contains(&self, fd: i32) -> bool {
        self.fds.contains(&fd) != self.all_but
    }
}

/// How a line names its thread, as strace does for where it writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PidPrefix {
    /// `[pid  1234] ` once more than one thread is traced (strace's stderr).
    #[default]
    Brackets,
    /// `1234  ` (strace's `%-5d `): on every line when `always` (`-o FILE` with `-f`), else
    /// once more than one thread is traced.
    Column { always: bool },
    /// Nothing (`-ff`: each thread has a file of its own).
    None,
}

/// Prints events as strace does.
#[derive(Default)]
pub struct StracePrinter {
    opts: StraceOptions,
    time: TimeFmt,
    /// The line being written: its thread, its call, and the text so far (no newline yet).
    open: Option<(Tid, u16, String)>,
    /// The open line's prefix (`[pid 1234<sh>] 12:00:01 `), which it keeps when it is
    /// rewritten at the call's exit (an execve's thread has a new command name by then).
    open_prefix: String,
    /// `-Y`: the command name of the thread of the event being printed.
    comm: Option<String>,
    /// `--syscall-number`: each thread's last call, and the one of the event being printed.
    last_nr: HashMap<Tid, u16>,
    cur_nr: Option<u16>,
    /// `-Y`: the command names of processes that exited and that no wait4 has reaped yet
    /// (strace names a zombie: `si_pid=1234<sleep>`, but not the pid wait4 returns).
    zombies: HashMap<Tid, String>,
    /// Threads seen and not exited: more than one means `[pid N]` prefixes.
    live: HashSet<Tid>,
    /// Threads that had a call interrupted by another thread's line, and that call.
    interrupted: HashMap<Tid, u16>,
    /// Threads whose current call's result was injected (strace's `(INJECTED)`).
    injected: HashSet<Tid>,
    /// Threads whose current call was held by an injection (strace's `(DELAYED)`).
    delayed: HashSet<Tid>,
    /// Threads whose last line is their call's, which a stack (strace's `-k`) follows.
    stack_follows: HashSet<Tid>,
    /// When the last line's call began, and the time from the line before (a call's line is
    /// begun at its enter and made again at its exit: both get the same time).
    relative: Option<(u64, u64)>,
}

impl StracePrinter {
    pub fn new(opts: StraceOptions) -> StracePrinter {
        StracePrinter {
            opts,
            ..Default::default()
        }
    }

    /// What a line of thread `tid` starts with: `[pid N] ` once there are several threads,
    /// then the time `ts` as `-t`, `-tt` or `-ttt` asks.
    fn prefix(&mut self, tid: Tid, ts: u64) -> String {
        let several = self.live.len() > 1;
        let comm = match &self.comm {
            Some(c) => format!("<{}>", render::comm(c.as_bytes())),
            None => String::new(),
        };
        let mut s = match self.opts.pids {
            PidPrefix::Brackets if several => format!("[pid {tid:>5}{comm}] "),
            // strace pads the column only when no command name follows
            PidPrefix::Column { always } if (always || several) && self.comm.is_some() => {
                format!("{tid}{comm} ")
            }
            PidPrefix::Column { always } if always || several => format!("{tid:<5} "),
            _ => String::new(),
        };
        if self.opts.relative {
            let d = match self.relative {
                Some((last, d)) if last == ts => d,
                Some((last, _)) => ts.saturating_sub(last),
                None => 0,
            };
            self.relative = Some((ts, d));
            let _ = write!(
                s,
                "{:6}.{:06} ",
                d / 1_000_000_000,
                d % 1_000_000_000 / 1000
            );
            self.number(&mut s);
            return s;
        }
        let us = ts % 1_000_000_000 / 1000;
        match self.opts.timestamps {
            0 => {}
            1 | 2 => {
                let mut t = String::new();
                self.time.time_of_day(ts, &mut t);
                // `HH:MM:SS.nnnnnnnnn`: the seconds alone, or with microseconds
                t.truncate(8);
                s.push_str(&t);
                if self.opts.timestamps == 2 {
                    let _ = write!(s, ".{us:06}");
                }
                s.push(' ');
            }
            _ => {
                let _ = write!(s, "{}.{us:06} ", ts / 1_000_000_000);
            }
        }
        self.number(&mut s);
        s
    }

    /// `--syscall-number`: `[  59] ` after the time.
    fn number(&self, s: &mut String) {
        if let (true, Some(nr)) = (self.opts.syscall_number, self.cur_nr) {
            let _ = write!(s, "[{nr:4}] ");
        }
    }

    /// The result, with `-T`'s ` <seconds>` after it.
    fn result(&self, mut ret: String, ns: Option<u64>) -> String {
        if let (true, Some(ns)) = (self.opts.durations, ns) {
            let _ = write!(
                ret,
                " <{}.{:06}>",
                ns / 1_000_000_000,
                ns % 1_000_000_000 / 1000
            );
        }
        ret
    }

    /// End the open line (of another thread) with `<unfinished ...>`.
    fn interrupt(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some((tid, nr, mut line)) = self.open.take() {
            line.push_str(" <unfinished ...>\n");
            self.interrupted.insert(tid, nr);
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    /// `-e read=`/`write=`: the data of a read or write on a dumped fd, as strace dumps it
    /// (` | 00000  68 65 6c 6c 6f ...  hello |`), of the bytes the capture kept.
    fn dump(&self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let Some((fd, _, write)) = crate::analyzers::io_of(cx) else {
            return Ok(());
        };
        let set = if write {
            &self.opts.dump_write
        } else {
            &self.opts.dump_read
        };
        if set.fds.is_empty() && !set.all_but || !set.contains(fd) {
            return Ok(());
        }
        let data = crate::analyzers::io_data(cx, write).concat();
        for (i, chunk) in data.chunks(16).enumerate() {
            let mut hex = String::with_capacity(50);
            for j in 0..16 {
                if j == 8 {
                    hex.push(' ');
                }
                match chunk.get(j) {
                    Some(b) => {
                        let _ = write!(hex, "{b:02x} ");
                    }
                    None => hex.push_str("   "),
                }
            }
            let text: String = chunk
                .iter()
                .map(|&b| match b {
                    0x20..=0x7e => b as char,
                    _ => '.',
                })
                .collect();
            writeln!(out, " | {:05x}  {hex} {text:<16} |", i * 16)?;
        }
        Ok(())
    }

    fn line(&self, call: &str, ret: &str, out: &mut dyn Write) -> io::Result<()> {
        let column = self.opts.column.unwrap_or(render::STRACE_RET_COLUMN);
        let mut l = render::strace_line_at(column, "", call, ret);
        l.push('\n');
        out.write_all(l.as_bytes())
    }
}

impl Printer for StracePrinter {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        if !self.opts.pid_comms {
            return self.print(cx, out, &HashMap::new());
        }
        let ev = cx.ev;
        self.comm = cx
            .state
            .thread(ev.tid)
            .map(|t| String::from_utf8_lossy(t.comm()).into_owned());
        if let EventKind::Exit { nr, ret, .. } = ev.kind {
            // reaped: /proc no longer has it when strace prints the result
            if ret > 0 && nr as libc::c_long == libc::SYS_wait4 {
                self.zombies.remove(&(ret as Tid));
            }
        }
        let zombies = std::mem::take(&mut self.zombies);
        let printed = self.print(cx, out, &zombies);
        self.zombies = zombies;
        if let (EventKind::ThreadExit { .. }, Some(comm)) = (&ev.kind, &self.comm) {
            if ev.tid == ev.pid {
                self.zombies.insert(ev.tid, comm.clone());
            }
        }
        printed
    }

    fn finish(&mut self, _state: &State, out: &mut dyn Write) -> io::Result<()> {
        if let Some((_, _, mut line)) = self.open.take() {
            line.push_str(" <unfinished ...>\n");
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

impl StracePrinter {
    /// [`Printer::event`] with `zombies`, the names of exited processes not yet reaped (`-Y`).
    fn print(
        &mut self,
        cx: &Ctx<'_>,
        out: &mut dyn Write,
        zombies: &HashMap<Tid, String>,
    ) -> io::Result<()> {
        let ev = cx.ev;
        let tid = ev.tid;
        let state = cx.state;
        if self.opts.syscall_number {
            self.cur_nr = match ev.kind {
                EventKind::Enter { nr, .. } | EventKind::Exit { nr, .. } => {
                    self.last_nr.insert(tid, nr);
                    Some(nr)
                }
                _ => self.last_nr.get(&tid).copied(),
            };
        }
        let name_of = |fd: i32| {
            let name = if fd == libc::AT_FDCWD {
                &state.thread(tid)?.info.cwd
            } else if fd >= 0 {
                let f = state.fds.get(ev.pid, fd)?;
                if matches!(f.kind, FdKind::Ipv4 | FdKind::Ipv6) {
                    return inet_name(f);
                }
                &f.name
            } else {
                return None;
            };
            (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned())
        };
        let comm_of = |pid: i32| {
            let pid = pid as Tid;
            match state.thread(pid) {
                Some(t) => Some(String::from_utf8_lossy(t.comm()).into_owned()),
                None => zombies.get(&pid).cloned(),
            }
        };
        let fds = render::Names {
            fds: self.opts.fd_paths.then_some(&name_of as render::NameOf<'_>),
            pids: self
                .opts
                .pid_comms
                .then_some(&comm_of as render::NameOf<'_>),
        };
        if !matches!(
            ev.kind,
            EventKind::Sample { .. } | EventKind::Drops { .. } | EventKind::Other { .. }
        ) {
            self.live.insert(tid);
        }
        if !matches!(ev.kind, EventKind::Stack { .. }) {
            self.stack_follows.remove(&tid);
        }
        match &ev.kind {
            // -P: a call is known to touch a path at its exit only, and printed whole there
            EventKind::Enter { .. } if !self.opts.paths.is_empty() => {}
            EventKind::Enter { nr, args } => {
                self.interrupt(out)?;
                let mut line = self.prefix(tid, ev.ts);
                let prefix_len = line.len();
                line.push_str(&syscalls::name(*nr));
                line.push('(');
                match syscalls::lookup(*nr) {
                    Some(d) => line.push_str(&render::strace_unfinished(d, args, fds)),
                    None => line.push_str(&render::strace_raw_args(args)),
                }
                self.open_prefix = line[..prefix_len].to_string();
                self.open = Some((tid, *nr, line));
            }
            EventKind::Exit { nr, ret, args } => {
                let d = syscalls::lookup(*nr);
                let enter = cx.completed.and_then(|c| c.enter.as_ref());
                let empty: &[Arg] = &[];
                let merged = d.map(|d| d.merge_args(enter.map_or(empty, |e| &e.args), Some(args)));
                if !self.opts.paths.is_empty() {
                    let name_is = |fd: i64| {
                        let f = i32::try_from(fd)
                            .ok()
                            .and_then(|fd| state.fds.get(ev.pid, fd));
                        f.is_some_and(|f| self.opts.paths.contains(&f.name))
                    };
                    let touches = match (d, &merged) {
                        (Some(d), Some(m)) => touches_path(d, m, *ret, &self.opts.paths, name_is),
                        _ => false,
                    };
                    if !touches {
                        return Ok(());
                    }
                }
                let result = match (d, &merged) {
                    (Some(d), Some(m)) => render::strace_ret_with_args(d, m, *ret),
                    _ => render::strace_ret(d, *ret),
                };
                let result = match (d, &merged) {
                    // -Y: `= 1234<sleep>`
                    (Some(d), Some(m)) => render::name_pid_result(d, m, *ret, result, fds),
                    _ => result,
                };
                let result = match (d, fds.fds) {
                    // -y: a new fd is named in the result too (`= 3</etc/hosts>`)
                    (Some(d), Some(_)) if d.ret == RetType::Fd && *ret >= 0 => {
                        let n = ret.to_string();
                        let rest = result.strip_prefix(&n).unwrap_or_default();
                        format!("{}{rest}", render::fd_with_name(*ret as i32, fds))
                    }
                    _ => result,
                };
                let result = if self.injected.remove(&tid) {
                    format!("{result} (INJECTED)")
                } else {
                    result
                };
                let result = if self.delayed.remove(&tid) {
                    format!("{result} (DELAYED)")
                } else {
                    result
                };
                let result = self.result(result, enter.map(|e| ev.ts.saturating_sub(e.ts)));
                let mine = matches!(&self.open, Some((t, _, _)) if *t == tid);
                // An enter the filter left out (`evt.failed=true`, strace's -Z) but the state
                // saw: the call whole, as strace prints a call no other line cut.
                let unshown =
                    !mine && d.is_some() && enter.is_some() && !self.interrupted.contains_key(&tid);
                if mine || unshown {
                    let call = if mine {
                        self.open.take().map(|(_, _, call)| call)
                    } else {
                        self.interrupt(out)?;
                        Some(String::new())
                    };
                    let Some(mut call) = call else {
                        return Ok(());
                    };
                    // Rewrite the whole call now that the outputs are known.
                    if let Some(d) = d {
                        call = if mine {
                            std::mem::take(&mut self.open_prefix)
                        } else {
                            self.prefix(tid, enter.map_or(ev.ts, |e| e.ts))
                        };
                        call.push_str(&syscalls::name(*nr));
                        call.push('(');
                        let ins = enter.map_or(empty, |e| &e.args);
                        call.push_str(&render::strace_call_args(
                            d,
                            ins,
                            Some(args),
                            Some(*ret),
                            fds,
                        ));
                    }
                    call.push(')');
                    self.line(&call, &result, out)?;
                    self.stack_follows.insert(tid);
                    self.dump(cx, out)?;
                } else {
                    self.interrupt(out)?;
                    let mut call = self.prefix(tid, ev.ts);
                    call.push_str(&format!("<... {} resumed>", syscalls::name(*nr)));
                    if let Some(d) = d {
                        let e = enter.map(|e| e.args.as_slice());
                        call.push_str(&render::strace_resumed(d, e, args, *ret, fds));
                    }
                    call.push(')');
                    self.line(&call, &result, out)?;
                    self.stack_follows.insert(tid);
                    self.dump(cx, out)?;
                }
                self.interrupted.remove(&tid);
            }
            // strace never sees a SIGKILL taken (no tracer can stop the thread for it); the
            // eBPF engine does, also where the kernel turned a fatal signal into one
            EventKind::Signal { signo, .. } if *signo == libc::SIGKILL => {}
            EventKind::Signal {
                signo,
                code,
                sender,
                info,
            } => {
                self.interrupt(out)?;
                let line = format!(
                    "{}{}\n",
                    self.prefix(tid, ev.ts),
                    render::strace_signal(*signo, *code, *sender, info, fds)
                );
                out.write_all(line.as_bytes())?;
                self.stack_follows.insert(tid);
            }
            EventKind::ThreadExit { status } => {
                // A call that never returns (exit_group, or killed mid-call): `= ?`.
                match self.open.take() {
                    Some((t, _, mut call)) if t == tid => {
                        call.push(')');
                        self.line(&call, "?", out)?;
                    }
                    other => {
                        self.open = other;
                        self.interrupt(out)?;
                    }
                }
                if let Some(nr) = self.interrupted.remove(&tid) {
                    let prefix = self.prefix(tid, ev.ts);
                    let call = format!("{prefix}<... {} resumed>)", syscalls::name(nr));
                    self.line(&call, "?", out)?;
                }
                let (code, sig) = split_status(*status);
                let what = if sig == 0 {
                    format!("exited with {code}")
                } else {
                    let name =
                        render::signal_name(sig).map_or_else(|| sig.to_string(), str::to_owned);
                    let core = if status & 0x80 != 0 {
                        " (core dumped)"
                    } else {
                        ""
                    };
                    format!("killed by {name}{core}")
                };
                if !(self.opts.quiet_exits && sig == 0) {
                    let line = format!("{}+++ {what} +++\n", self.prefix(tid, ev.ts));
                    out.write_all(line.as_bytes())?;
                }
                self.live.remove(&tid);
            }
            EventKind::Clone { child_tid, .. } => {
                self.live.insert(*child_tid);
            }
            EventKind::Injected { ret, delayed, .. } => {
                if ret.is_some() {
                    self.injected.insert(tid);
                }
                if *delayed {
                    self.delayed.insert(tid);
                }
            }
            EventKind::Stack { frames } => {
                // only after the line of the call it is the stack of
                if self.stack_follows.remove(&tid) {
                    let mut text = String::new();
                    for f in frames {
                        text.push_str(" > ");
                        text.push_str(&super::info::frame_text(f));
                        text.push('\n');
                    }
                    out.write_all(text.as_bytes())?;
                }
            }
            EventKind::Exec(_)
            | EventKind::Sample { .. }
            | EventKind::Drops { .. }
            | EventKind::Other { .. } => {}
        }
        Ok(())
    }
}

/// Whether a call names one of `paths` (a path argument, as written) or uses an fd whose
/// name `name_is` one of them (an fd argument, or the fd it made), as strace's `-P` selects.
fn touches_path(
    d: &syscalls::SyscallDesc,
    args: &[Option<&Arg>],
    ret: i64,
    paths: &[Vec<u8>],
    name_is: impl Fn(i64) -> bool,
) -> bool {
    use syscalls::ArgType;
    let by_arg = d.args.iter().zip(args).any(|(a, v)| match (a.ty, v) {
        (ArgType::Path, Some(Arg::Str { data, .. })) => paths.contains(data),
        (ArgType::Fd | ArgType::DirFd, Some(v)) => {
            v.num().is_some_and(|n| name_is(n as i32 as i64))
        }
        _ => false,
    });
    by_arg || (d.ret == RetType::Fd && ret >= 0 && name_is(ret))
}

/// An inet socket as strace's `-yy` names it: `TCP:[127.0.0.1:8080->127.0.0.1:45678]` (this
/// end first), `TCP:[127.0.0.1:8080]` before it is connected, `TCPv6:[[::1]:8080]` for an
/// IPv6 socket, `UDP`, `UDPv6`; `TCP:[->127.0.0.1:8080]` when only the other end is known
/// (the engines do not read a connecting socket's own address); `None` when neither is
/// (strace would show the socket's inode, which no engine records).
fn inet_name(f: &Fd) -> Option<String> {
    let t = f.sock?;
    let v6 = f.kind == FdKind::Ipv6;
    let proto = match t.proto {
        L4Proto::Tcp => "TCP",
        L4Proto::Udp => "UDP",
        _ => return None,
    };
    let end = |(a, p): ([u8; 16], u16)| -> String {
        let v = Ipv6Addr::from(a);
        match (v6, v.to_ipv4_mapped()) {
            (false, Some(v4)) => format!("{v4}:{p}"),
            _ => format!("[{v}]:{p}"),
        }
    };
    // an end is known once an address or a port of it is (a bind to port 0 leaves the port
    // to the kernel; the state learns it from a getsockname, if the program makes one)
    let known = |e: ([u8; 16], u16)| e.1 != 0 || e.0 != [0; 16];
    let inside = match (known(t.local), t.remote.1 != 0) {
        (true, true) => format!("{}->{}", end(t.local), end(t.remote)),
        (false, true) => format!("->{}", end(t.remote)),
        (true, false) => end(t.local),
        (false, false) => return None,
    };
    Some(format!("{proto}{}:[{inside}]", if v6 { "v6" } else { "" }))
}

/// strace's `-ff -o FILE`: a [`StracePrinter`] per thread, each writing `FILE.TID` (created at
/// the thread's first line, closed at its exit), so that no line is cut by another thread's.
pub struct SplitPrinter {
    opts: StraceOptions,
    base: PathBuf,
    threads: HashMap<Tid, (StracePrinter, BufWriter<File>)>,
    /// Threads whose file was written and closed: opened again, it is appended to.
    closed: HashSet<Tid>,
}

impl SplitPrinter {
    /// Files `base.TID`; `opts`' prefix and split are not used.
    pub fn new(base: PathBuf, opts: StraceOptions) -> SplitPrinter {
        SplitPrinter {
            opts: StraceOptions {
                pids: PidPrefix::None,
                split: None,
                ..opts
            },
            base,
            threads: HashMap::new(),
            closed: HashSet::new(),
        }
    }

    fn thread(&mut self, tid: Tid) -> io::Result<&mut (StracePrinter, BufWriter<File>)> {
        if !self.threads.contains_key(&tid) {
            let mut name = self.base.clone().into_os_string();
            name.push(format!(".{tid}"));
            let file = File::options()
                .write(true)
                .create(true)
                .append(self.closed.contains(&tid))
                .truncate(!self.closed.contains(&tid))
                .open(&name)
                .map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot create {}: {e}", name.display()))
                })?;
            let printer = StracePrinter::new(self.opts.clone());
            self.threads.insert(tid, (printer, BufWriter::new(file)));
        }
        Ok(self.threads.get_mut(&tid).expect("inserted above"))
    }
}

impl Printer for SplitPrinter {
    fn event(&mut self, cx: &Ctx<'_>, _out: &mut dyn Write) -> io::Result<()> {
        let tid = cx.ev.tid;
        if matches!(
            cx.ev.kind,
            EventKind::Sample { .. } | EventKind::Drops { .. } | EventKind::Other { .. }
        ) {
            return Ok(());
        }
        let (printer, file) = self.thread(tid)?;
        printer.event(cx, file)?;
        if let EventKind::ThreadExit { .. } = cx.ev.kind {
            if let Some((_, mut file)) = self.threads.remove(&tid) {
                file.flush()?;
            }
            self.closed.insert(tid);
        }
        Ok(())
    }

    fn finish(&mut self, state: &State, _out: &mut dyn Write) -> io::Result<()> {
        for (_, (mut printer, mut file)) in self.threads.drain() {
            printer.finish(state, &mut file)?;
            file.flush()?;
        }
        Ok(())
    }
}
