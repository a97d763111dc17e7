//! Fields sysdig derives from others, computed as sysdig 0.29 computes them: the parts of
//! times (`evt.latency.s`, `evt.rawtime.ns`, `evt.time.iso8601`...), the error counts its
//! chisels sum (`evt.count.error.net`...), and what a call does (`evt.io_dir`, `evt.is_wait`,
//! `evt.is_open_read`...).

use syspect_capture::event::{Arg, EventKind, FdKind};
use syspect_capture::syscalls;
use syspect_filter::Value;

use super::category::category;
use super::extract::{ev_nr, event_fd_kind};
use super::F;
use crate::output::{time, Ctx};

/// Calls that make the thread wait (sysdig's `EF_WAITS`).
const WAITS: &[&str] = &["epoll_wait", "nanosleep", "poll", "ppoll", "select"];
/// Calls that read from their fd, and that write to it (sysdig's `EF_READS_FROM_FD` and
/// `EF_WRITES_TO_FD`; `copy_file_range`, which does both, is a write).
const READS: &[&str] = &["pread64", "preadv", "read", "readv", "recvfrom", "recvmsg"];
const WRITES: &[&str] = &[
    "copy_file_range",
    "pwrite64",
    "pwritev",
    "sendmsg",
    "sendto",
    "write",
    "writev",
];
/// Calls whose error counts as a file's, and as a network's, when they have no fd yet.
const OPENS: &[&str] = &["open", "creat", "openat", "openat2", "open_by_handle_at"];
const CONNECTS: &[&str] = &["accept", "accept4", "connect"];

/// The syscall's name, for an enter or exit event.
fn syscall(cx: &Ctx<'_>) -> Option<std::borrow::Cow<'static, str>> {
    ev_nr(cx).map(syscalls::name)
}

fn failed(cx: &Ctx<'_>) -> bool {
    matches!(cx.ev.kind, EventKind::Exit { ret, .. } if ret < 0)
}

/// The value of number or boolean field `f` (one of those [`super::extract`] sends here).
pub fn number(cx: &Ctx<'_>, f: F) -> Option<Value<'static>> {
    const S: u64 = 1_000_000_000;
    let ts = cx.ev.ts;
    let delta = || cx.prev_shown.map_or(0, |p| ts.saturating_sub(p));
    let rel = || ts.saturating_sub(cx.state.first_ts);
    let one = |yes: bool| yes.then_some(Value::UInt(1));
    Some(match f {
        F::EvtLatencyS => Value::UInt(cx.latency() / S),
        F::EvtLatencyNs => Value::UInt(cx.latency() % S),
        F::EvtRawTimeS => Value::UInt(ts / S),
        F::EvtRawTimeNs => Value::UInt(ts % S),
        F::EvtRelTimeS => Value::UInt(rel() / S),
        F::EvtRelTimeNs => Value::UInt(rel() % S),
        F::EvtDeltaTimeS => Value::UInt(delta() / S),
        F::EvtDeltaTimeNs => Value::UInt(delta() % S),
        F::EvtCountExit => return one(matches!(cx.ev.kind, EventKind::Exit { .. })),
        F::EvtIsWait => Value::Bool(syscall(cx).is_some_and(|n| WAITS.contains(&&*n))),
        F::EvtIsOpenRead | F::EvtIsOpenWrite | F::EvtIsOpenExec => Value::Bool(open_mode(cx, f)),
        // the error counts
        _ => return one(error_count(cx, f)),
    })
}

/// Whether an error exit counts for `f`: by the fd's kind, or for a call that makes its fd,
/// by the call, as sysdig does.
fn error_count(cx: &Ctx<'_>, f: F) -> bool {
    if !failed(cx) {
        return false;
    }
    let name = syscall(cx).unwrap_or_default();
    let kind = event_fd_kind(cx);
    let file = match kind {
        Some(k) => matches!(k, FdKind::File | FdKind::Directory | FdKind::Memfd),
        None => OPENS.contains(&&*name),
    };
    let net = match kind {
        Some(k) => matches!(k, FdKind::Ipv4 | FdKind::Ipv6 | FdKind::Unix),
        None => CONNECTS.contains(&&*name),
    };
    let memory = category(cx) == "memory";
    match f {
        F::EvtCountErrorFile => file,
        F::EvtCountErrorNet => net,
        F::EvtCountErrorMemory => memory,
        F::EvtCountErrorOther => !file && !net && (kind.is_some() || !memory),
        _ => true,
    }
}

/// `evt.is_open_read`, `_write`, `_exec`: an open's exit whose flags ask to read, to write,
/// or to create a file with an execute bit.
fn open_mode(cx: &Ctx<'_>, f: F) -> bool {
    let EventKind::Exit { nr, .. } = &cx.ev.kind else {
        return false;
    };
    let name = syscalls::name(*nr);
    if !["open", "openat", "openat2", "open_by_handle_at"].contains(&&*name) {
        return false;
    }
    let Some(enter) = cx.completed.and_then(|c| c.enter.as_ref()) else {
        return false;
    };
    let Some(d) = syscalls::lookup(*nr) else {
        return false;
    };
    let arg = |wanted: &str| -> Option<u64> {
        let i = d.args.iter().position(|a| a.name == wanted)?;
        match enter.args.get(i)? {
            Arg::Num(v) => Some(*v),
            _ => None,
        }
    };
    let flags = arg("flags").unwrap_or(0) as i32;
    let access = flags & libc::O_ACCMODE;
    match f {
        F::EvtIsOpenRead => access == libc::O_RDONLY || access == libc::O_RDWR,
        F::EvtIsOpenWrite => access == libc::O_WRONLY || access == libc::O_RDWR,
        _ => {
            flags & (libc::O_CREAT | libc::O_TMPFILE) != 0
                && name != "open_by_handle_at"
                && arg("mode").unwrap_or(0) & 0o111 != 0
        }
    }
}

/// Append the value of text field `f` (one of those [`super::extract`] sends here) to `out`;
/// false when the event has none.
pub fn text(cx: &Ctx<'_>, f: F, out: &mut String) -> bool {
    let ts = cx.ev.ts;
    match f {
        F::EvtLatencyHuman => match cx.ev.kind {
            EventKind::Sample { .. } | EventKind::Drops { .. } => return false,
            _ => out.push_str(&time::human_duration(cx.latency())),
        },
        F::EvtTimeS => out.push_str(&time::hms(ts)),
        F::EvtDatetimeS => out.push_str(&time::datetime(ts)[..19]),
        F::EvtTimeIso8601 => out.push_str(&time::iso8601(ts)),
        _ => match syscall(cx) {
            Some(n) if WRITES.contains(&&*n) => out.push_str("write"),
            Some(n) if READS.contains(&&*n) => out.push_str("read"),
            _ => return false,
        },
    }
    true
}
