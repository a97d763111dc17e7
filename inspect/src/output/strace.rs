//! strace's view: each call on one line, `name(args) = result`, with strace's conventions for
//! calls interleaved between threads (`<unfinished ...>`, `<... read resumed>`), signals
//! (`--- SIGCHLD {...} ---`), exits (`+++ exited with 0 +++`) and `[pid N]` prefixes once more
//! than one thread is traced.
//!
//! It works on the stream as strace does on the live process: the enter event opens a line with
//! the arguments known at entry; the exit completes it, or, when another thread printed in
//! between, starts a `resumed` line with the rest.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use syspect_capture::event::{Arg, EventKind, Tid};
use syspect_capture::syscalls::{self, render, Dir, SyscallDesc};

use super::info::split_status;
use super::{Ctx, Printer};

/// Column strace aligns ` = result` to.
const RESULT_COLUMN: usize = 40;

/// Prints events as strace does.
#[derive(Default)]
pub struct StracePrinter {
    /// The line being written: its thread and the text so far (not yet newline-terminated).
    open: Option<(Tid, u16, String)>,
    /// Threads seen and not exited: more than one means `[pid N]` prefixes.
    live: HashSet<Tid>,
    /// Threads that had a call interrupted by another thread's line, and that call.
    interrupted: HashMap<Tid, u16>,
}

/// How many leading table arguments strace prints at entry: those before the first output.
fn entry_arg_count(d: &SyscallDesc) -> usize {
    d.args
        .iter()
        .position(|a| a.dir == Dir::Out)
        .unwrap_or(d.args.len())
}

fn sub(d: &SyscallDesc, from: usize, to: usize) -> SyscallDesc {
    SyscallDesc {
        args: &d.args[from..to],
        ..*d
    }
}

impl StracePrinter {
    pub fn new() -> StracePrinter {
        StracePrinter::default()
    }

    fn prefix(&self, tid: Tid, s: &mut String) {
        if self.live.len() > 1 {
            use std::fmt::Write as _;
            let _ = write!(s, "[pid {tid:>5}] ");
        }
    }

    /// End another thread's open line with `<unfinished ...>`.
    fn interrupt(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some((tid, nr, mut line)) = self.open.take() {
            line.push_str(" <unfinished ...>\n");
            self.interrupted.insert(tid, nr);
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    fn finish_line(line: &mut String, result: &str) {
        line.push(')');
        let col = line.rsplit('\n').next().map_or(0, |l| l.chars().count());
        if col < RESULT_COLUMN {
            line.extend(std::iter::repeat_n(' ', RESULT_COLUMN - col));
        } else {
            line.push(' ');
        }
        line.push_str("= ");
        line.push_str(result);
        line.push('\n');
    }
}

impl Printer for StracePrinter {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let ev = cx.ev;
        let tid = ev.tid;
        if !matches!(ev.kind, EventKind::Sample { .. } | EventKind::Drops { .. }) {
            self.live.insert(tid);
        }
        match &ev.kind {
            EventKind::Enter { nr, args } => {
                self.interrupt(out)?;
                let mut line = String::new();
                self.prefix(tid, &mut line);
                line.push_str(&syscalls::name(*nr));
                line.push('(');
                match syscalls::lookup(*nr) {
                    Some(d) => {
                        let k = entry_arg_count(d);
                        if k > 0 {
                            let ins: Vec<Option<&Arg>> =
                                d.merge_args(args, None).into_iter().take(k).collect();
                            line.push_str(&render::strace_args(&sub(d, 0, k), &ins, None));
                            if k < d.args.len() {
                                line.push_str(", ");
                            }
                        }
                    }
                    None => line.push_str(&render::strace_raw_args(args)),
                }
                self.open = Some((tid, *nr, line));
            }
            EventKind::Exit { nr, ret, args } => {
                let d = syscalls::lookup(*nr);
                let enter = cx.completed.and_then(|c| c.enter.as_ref());
                let mine = matches!(&self.open, Some((t, _, _)) if *t == tid);
                let mut line = if mine {
                    self.open.take().map(|(_, _, l)| l).unwrap_or_default()
                } else {
                    self.interrupt(out)?;
                    let mut l = String::new();
                    self.prefix(tid, &mut l);
                    l.push_str("<... ");
                    l.push_str(&syscalls::name(*nr));
                    l.push_str(" resumed>");
                    l
                };
                self.interrupted.remove(&tid);
                if let Some(d) = d {
                    let k = if enter.is_some() {
                        entry_arg_count(d)
                    } else {
                        0
                    };
                    let empty: &[Arg] = &[];
                    let merged = d.merge_args(enter.map_or(empty, |e| &e.args), Some(args));
                    if k < d.args.len() {
                        line.push_str(&render::strace_args(
                            &sub(d, k, d.args.len()),
                            &merged[k..],
                            Some(*ret),
                        ));
                    }
                }
                Self::finish_line(&mut line, &render::strace_ret(d, *ret));
                out.write_all(line.as_bytes())?;
            }
            EventKind::Signal {
                signo,
                code,
                sender,
            } => {
                self.interrupt(out)?;
                let mut line = String::new();
                self.prefix(tid, &mut line);
                let name = render::signal_name(*signo)
                    .map(str::to_owned)
                    .unwrap_or_else(|| signo.to_string());
                let uid = cx.state.thread(*sender).map_or(0, |t| t.info.uid);
                line.push_str(&format!(
                    "--- {name} {{si_signo={name}, si_code={}, si_pid={sender}, si_uid={uid}}} ---\n",
                    code_name(*code)
                ));
                out.write_all(line.as_bytes())?;
            }
            EventKind::ThreadExit { status } => {
                // A call that never returns (exit_group, or killed mid-call): `= ?`.
                if let Some((t, n, mut line)) = self.open.take() {
                    if t == tid {
                        Self::finish_line(&mut line, "?");
                        out.write_all(line.as_bytes())?;
                    } else {
                        self.open = Some((t, n, line));
                        self.interrupt(out)?;
                    }
                }
                if let Some(nr) = self.interrupted.remove(&tid) {
                    let mut line = String::new();
                    self.prefix(tid, &mut line);
                    line.push_str(&format!("<... {} resumed>", syscalls::name(nr)));
                    Self::finish_line(&mut line, "?");
                    out.write_all(line.as_bytes())?;
                }
                let mut line = String::new();
                self.prefix(tid, &mut line);
                let (code, sig) = split_status(*status);
                if sig == 0 {
                    line.push_str(&format!("+++ exited with {code} +++\n"));
                } else {
                    let name = render::signal_name(sig)
                        .map(str::to_owned)
                        .unwrap_or_else(|| sig.to_string());
                    let core = if status & 0x80 != 0 {
                        " (core dumped)"
                    } else {
                        ""
                    };
                    line.push_str(&format!("+++ killed by {name}{core} +++\n"));
                }
                out.write_all(line.as_bytes())?;
                self.live.remove(&tid);
            }
            EventKind::Clone { child_tid, .. } => {
                self.live.insert(*child_tid);
            }
            EventKind::Exec { .. } | EventKind::Sample { .. } | EventKind::Drops { .. } => {}
        }
        Ok(())
    }

    fn finish(&mut self, _state: &crate::state::State, out: &mut dyn Write) -> io::Result<()> {
        if let Some((_, _, mut line)) = self.open.take() {
            line.push_str(" <unfinished ...>\n");
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

/// strace's name for a siginfo `si_code`.
fn code_name(code: i32) -> String {
    match code {
        0 => "SI_USER".into(),
        0x80 => "SI_KERNEL".into(),
        -1 => "SI_QUEUE".into(),
        -2 => "SI_TIMER".into(),
        -6 => "SI_TKILL".into(),
        1 => "CLD_EXITED".into(),
        2 => "CLD_KILLED".into(),
        3 => "CLD_DUMPED".into(),
        4 => "CLD_TRAPPED".into(),
        5 => "CLD_STOPPED".into(),
        6 => "CLD_CONTINUED".into(),
        c => c.to_string(),
    }
}
