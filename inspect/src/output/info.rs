//! sysdig's `evt.info`: the event's arguments as `name=value` pairs, with fds shown with what
//! they name (`fd=3(<f>/etc/hosts)`).

use std::fmt::Write;

use syspect_capture::event::{Arg, Event, EventKind, L4Proto, Tid};
use syspect_capture::scap;
use syspect_capture::syscalls::{self, render, ArgType, RetType, StructKind};

use super::buffer::{buffer_text, BufStyle};
use crate::state::State;

/// `N(<t>name)` for fd `fd` of process `pid`, or just `N` when the state does not know it.
pub fn fd_text(state: &State, pid: Tid, fd: i64, out: &mut String) {
    let _ = write!(out, "{fd}");
    if fd < 0 {
        return;
    }
    if let Some(f) = state.fds.get(pid, fd as i32) {
        out.push_str("(<");
        out.push(f.typechar());
        if let Some(t) = &f.sock {
            match t.proto {
                L4Proto::Tcp => out.push('t'),
                L4Proto::Udp => out.push('u'),
                _ => {}
            }
        }
        out.push('>');
        out.push_str(&String::from_utf8_lossy(&f.name));
        out.push(')');
    }
}

fn ret_text(
    state: &State,
    pid: Tid,
    desc: Option<&syscalls::SyscallDesc>,
    ret: i64,
    out: &mut String,
) {
    let is_fd = desc.is_some_and(|d| d.ret == RetType::Fd);
    if ret < 0 {
        let e = (-ret) as i32;
        match render::errno_name(e) {
            Some(n) => {
                let _ = write!(out, "res={ret}({n})");
            }
            None => {
                let _ = write!(out, "res={ret}");
            }
        }
    } else if is_fd {
        out.push_str("fd=");
        fd_text(state, pid, ret, out);
    } else if desc.is_some_and(|d| d.ret == RetType::Ptr || d.ret == RetType::Hex) {
        let _ = write!(out, "res={ret:#x}");
    } else {
        let _ = write!(out, "res={ret}");
    }
}

/// poll's fds as sysdig lists them: `fd:` then the fd's type letter (`?` when not known) and
/// the events (at exit: the returned events) in sysdig's bits, in hex, space-separated
/// (`4:61 5:f4`).
fn pollfd_text(state: &State, pid: Tid, b: &[u8], exit: bool, out: &mut String) {
    for (i, p) in b.chunks_exact(8).enumerate() {
        let fd = i32::from_ne_bytes([p[0], p[1], p[2], p[3]]);
        let at = if exit { 6 } else { 4 };
        let ev = u16::from_ne_bytes([p[at], p[at + 1]]) as u64;
        let tc = state.fds.get(pid, fd).map_or('?', |f| f.typechar());
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{fd}:{tc}{:x}", scap::flags::poll_to_sysdig(ev));
    }
}

/// Append the text of argument `v` as sysdig shows it, with its data buffer shown as `bufs` says;
/// `exit`: the value is the exit's (poll's fds show their returned events).
pub fn arg_value(
    state: &State,
    pid: Tid,
    (a, v): (&syscalls::ArgDesc, &Arg),
    exit: bool,
    bufs: BufStyle,
    out: &mut String,
) {
    match (a.ty, v) {
        (ArgType::Fd, Arg::Num(n)) => fd_text(state, pid, *n as i64 as i32 as i64, out),
        (ArgType::StructArray(StructKind::Pollfd, _), Arg::Mem(b)) => {
            pollfd_text(state, pid, b, exit, out)
        }
        (_, Arg::Buf { data, .. }) => buffer_text(bufs, data, out),
        _ => out.push_str(&render::sysdig_value(a, v)),
    }
}

/// Append the `evt.info` text of `ev` to `out`, its data buffer shown as `bufs` says.
pub fn info(state: &State, ev: &Event, bufs: BufStyle, out: &mut String) {
    let pid = ev.pid;
    match &ev.kind {
        EventKind::Enter { nr, args } | EventKind::Exit { nr, args, .. } => {
            let desc = syscalls::lookup(*nr);
            let mut first = true;
            if let EventKind::Exit { ret, .. } = &ev.kind {
                ret_text(state, pid, desc, *ret, out);
                first = false;
            }
            let exit = matches!(ev.kind, EventKind::Exit { .. });
            match desc {
                Some(d) => {
                    let wanted = d.args.iter().filter(|a| match a.dir {
                        syscalls::Dir::In => !exit,
                        syscalls::Dir::Out => exit,
                        syscalls::Dir::InOut => true,
                    });
                    for (a, v) in wanted.zip(args) {
                        if !first {
                            out.push(' ');
                        }
                        first = false;
                        out.push_str(a.name);
                        out.push('=');
                        arg_value(state, pid, (a, v), exit, bufs, out);
                    }
                    if exit {
                        tuple_text(*nr, args.get(d.exit_arg_count()..).unwrap_or(&[]), out);
                    }
                }
                None => {
                    for (i, v) in args.iter().enumerate() {
                        if !first {
                            out.push(' ');
                        }
                        first = false;
                        let _ = write!(out, "arg{i}={:#x}", v.num().unwrap_or(0));
                    }
                }
            }
        }
        EventKind::Clone {
            child_tid,
            child_pid,
            flags,
        } => {
            let _ = write!(
                out,
                "child_tid={child_tid} child_pid={child_pid} flags={flags:#x}"
            );
        }
        EventKind::Exec(x) => {
            let _ = write!(out, "exe={} args=", String::from_utf8_lossy(&x.exe));
            for (i, a) in x.args.iter().skip(1).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&String::from_utf8_lossy(a));
            }
            let _ = write!(out, " cwd={}", String::from_utf8_lossy(&x.cwd));
        }
        EventKind::ThreadExit { status } => {
            let (code, sig) = split_status(*status);
            let _ = write!(out, "status={status} ret={code} sig={sig}");
            if let Some(n) = render::signal_name(sig) {
                let _ = write!(out, "({n})");
            }
            let _ = write!(out, " core={}", (status & 0x80 != 0) as u8);
        }
        EventKind::Signal { signo, sender, .. } => {
            let _ = write!(out, "spid={sender} dpid={} sig={signo}", ev.tid);
            if let Some(n) = render::signal_name(*signo) {
                let _ = write!(out, "({n})");
            }
        }
        EventKind::Sample {
            cpu_ns,
            rss_kb,
            vsz_kb,
        } => {
            let _ = write!(out, "cpu_ns={cpu_ns} vm_rss={rss_kb} vm_size={vsz_kb}");
        }
        EventKind::Drops { cpu, count } => {
            let _ = write!(out, "cpu={cpu} count={count}");
        }
        EventKind::Injected {
            nr,
            ret,
            signo,
            delayed,
        } => {
            let _ = write!(out, "syscall={}", syscalls::name(*nr));
            if let Some(r) = ret {
                let _ = write!(out, " res={r}");
                if let Some(e) = (*r < 0).then(|| render::errno_name(-*r as i32)).flatten() {
                    let _ = write!(out, "({e})");
                }
            }
            if *signo != 0 {
                let _ = write!(out, " sig={signo}");
                if let Some(n) = render::signal_name(*signo) {
                    let _ = write!(out, "({n})");
                }
            }
            if *delayed {
                out.push_str(" delayed=true");
            }
        }
        EventKind::Stack { frames } => {
            for (i, f) in frames.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&frame_text(f));
            }
        }
        EventKind::Other { .. } => {}
    }
}

/// A stack frame as strace's `-k` prints it, without its ` > `: `/usr/lib/libc.so.6(__write+0x10)
/// [0xf8350]`, `/usr/bin/cat() [0x243e]`, or `unexpected_backtracing_error [0x7f...]` for an
/// address in no file.
pub fn frame_text(f: &syspect_capture::event::Frame) -> String {
    if f.module.is_empty() {
        return format!("unexpected_backtracing_error [{:#x}]", f.file_offset);
    }
    let module = String::from_utf8_lossy(&f.module);
    if f.symbol.is_empty() {
        format!("{module}() [{:#x}]", f.file_offset)
    } else {
        format!(
            "{module}({}+{:#x}) [{:#x}]",
            f.symbol, f.offset, f.file_offset
        )
    }
}

/// sysdig's `tuple=` of a connect or accept exit, from the socket's ends the exit carries after
/// its arguments: the connecting end first (`127.0.0.1:40000->127.0.0.1:8080`).
fn tuple_text(nr: u16, extras: &[Arg], out: &mut String) {
    let bind = nr as libc::c_long == libc::SYS_bind;
    let Some(ends) = syscalls::socket_ends(nr).filter(|_| !bind) else {
        return;
    };
    let end = |i: usize| {
        extras
            .get(i)
            .and_then(Arg::bytes)
            .and_then(crate::state::fds::sockaddr_endpoint)
    };
    let (Some(local), Some(peer)) = (end(0), end(1)) else {
        return;
    };
    let (from, to) = match ends {
        syscalls::SocketEnds::Ret => (peer, local),
        syscalls::SocketEnds::Arg0 => (local, peer),
    };
    let text = |(a, p, _): ([u8; 16], u16, bool)| format!("{}:{p}", crate::state::fds::ip_text(&a));
    let _ = write!(out, " tuple={}->{}", text(from), text(to));
}

/// A number of a notice (procinfo, procexit, clone, signal, drop) by the name its `evt.info`
/// shows it under, for `evt.arg.NAME`.
pub fn notice_arg(ev: &Event, name: &str) -> Option<i64> {
    let v = match (&ev.kind, name) {
        (EventKind::Sample { cpu_ns, .. }, "cpu_ns") => *cpu_ns as i64,
        (EventKind::Sample { rss_kb, .. }, "vm_rss") => *rss_kb as i64,
        (EventKind::Sample { vsz_kb, .. }, "vm_size") => *vsz_kb as i64,
        (EventKind::Clone { child_tid, .. }, "child_tid") => *child_tid as i64,
        (EventKind::Clone { child_pid, .. }, "child_pid") => *child_pid as i64,
        (EventKind::Clone { flags, .. }, "flags") => *flags as i64,
        (EventKind::ThreadExit { status }, "status") => *status as i64,
        (EventKind::ThreadExit { status }, "ret") => split_status(*status).0 as i64,
        (EventKind::ThreadExit { status }, "sig") => split_status(*status).1 as i64,
        (EventKind::ThreadExit { status }, "core") => (status & 0x80 != 0) as i64,
        (EventKind::Signal { sender, .. }, "spid") => *sender as i64,
        (EventKind::Signal { .. }, "dpid") => ev.tid as i64,
        (EventKind::Signal { signo, .. }, "sig") => *signo as i64,
        (EventKind::Drops { cpu, .. }, "cpu") => *cpu as i64,
        (EventKind::Drops { count, .. }, "count") => *count as i64,
        _ => return None,
    };
    Some(v)
}

/// Exit code and signal number from a wait status.
pub fn split_status(status: i32) -> (i32, i32) {
    if status & 0x7f == 0 {
        ((status >> 8) & 0xff, 0)
    } else {
        (0, status & 0x7f)
    }
}
