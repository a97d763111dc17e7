//! sysdig's process fields computed from the state: ancestors' pids (`proc.apid`) and
//! executables (`proc.aexe`), the parent's command line, the arguments' counts, the thread and
//! fd counts, what the standard fds are (`proc.stdin.type`), and the per-thread memory
//! figures.

use syspect_filter::{FieldArg, Value};

use super::extract::{ancestor, thread};
use super::F;
use crate::output::Ctx;
use crate::state::{Fd, Thread};

/// The parent that `proc.pname` and `proc.pcmdline` name: the process's parent, or on a
/// thread other than the main one, as in sysdig, the thread that made it.
pub fn parent<'c>(cx: &'c Ctx<'_>) -> Option<&'c Thread> {
    let creator = thread(cx).and_then(|t| t.creator);
    match creator.and_then(|c| cx.state.thread(c)) {
        Some(t) => Some(t),
        None => ancestor(cx, 1),
    }
}

/// A process's argv[0] (`proc.pexe`, `proc.aexe`) or executable path (`proc.pexepath`,
/// `proc.aexepath`); `None` when not known.
pub fn exe_of(t: &Thread, f: F) -> Option<&[u8]> {
    let v: &[u8] = match f {
        F::ProcPexepath | F::ProcAexepath => &t.info.exe,
        _ => t.info.args.first()?,
    };
    (!v.is_empty()).then_some(v)
}

/// The process's fd 0, 1 or 2, as field `f` names it.
pub fn std_fd<'c>(cx: &'c Ctx<'_>, f: F) -> Option<&'c Fd> {
    let n = match f {
        F::ProcStdinType | F::ProcStdinName => 0,
        F::ProcStdoutType | F::ProcStdoutName => 1,
        _ => 2,
    };
    cx.state.fds.get(cx.ev.pid, n)
}

/// The value of number field `f` (one of those [`super::extract`] sends here).
pub fn number(cx: &Ctx<'_>, f: F, arg: Option<&FieldArg>) -> Option<Value<'static>> {
    let pid = cx.ev.pid;
    let count = |n: usize| Some(Value::UInt(n as u64));
    match f {
        F::ProcApid => {
            let n = arg.and_then(FieldArg::index).unwrap_or(1);
            Some(Value::Int(ancestor(cx, n)?.info.pid as i64))
        }
        F::ProcLoginshellid => {
            // the last one found going up: the oldest
            let mut found = None;
            let mut n = 0;
            while let Some(t) = ancestor(cx, n) {
                if t.info.comm.ends_with(b"sh") {
                    found = Some(t.info.pid);
                }
                n += 1;
            }
            Some(Value::Int(found? as i64))
        }
        F::ProcNthreads => count(cx.state.threads.threads_of(pid).count()),
        // as sysdig counts them: on the main thread, the others; on another, none
        F::ProcNchilds => count(match cx.ev.tid == pid {
            true => cx.state.threads.threads_of(pid).count().saturating_sub(1),
            false => 0,
        }),
        F::ProcFdopencount => count(cx.state.fds.count(pid)),
        F::ProcCmdnargs | F::ProcCmdlenargs => {
            let args = thread(cx)?.info.args.iter().skip(1);
            count(match f {
                F::ProcCmdnargs => args.count(),
                _ => args.map(Vec::len).sum(),
            })
        }
        // thread.vmsize and thread.vmrss: the process's, on its main thread only
        _ => {
            let main = cx.ev.tid == pid;
            let [_, rss, vsz] = match main {
                true => cx.state.thread(pid)?.figures(),
                false => [0; 3],
            };
            Some(Value::UInt(if f == F::ThreadVmsize { vsz } else { rss }))
        }
    }
}

/// Append text field `f` (one of those [`super::extract`] sends here) to `out`; false when
/// the event has none.
pub fn text(cx: &Ctx<'_>, f: F, out: &mut String) -> bool {
    let t = match f {
        F::ProcPcmdline => parent(cx),
        _ => thread(cx),
    };
    let Some(t) = t else {
        return false;
    };
    // proc.pcmdline is the parent's proc.cmdline (its name first), proc.exeline starts
    // with argv[0]
    let first = match f {
        F::ProcPcmdline => &t.info.comm,
        _ => match t.info.args.first() {
            Some(a) => a,
            None => return false,
        },
    };
    out.push_str(&String::from_utf8_lossy(first));
    for a in t.info.args.iter().skip(1) {
        out.push(' ');
        out.push_str(&String::from_utf8_lossy(a));
    }
    true
}
