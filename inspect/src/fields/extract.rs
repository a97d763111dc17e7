//! Field values of one event: [`EventFields`] answers the filter's questions and `-p` formats.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr};

use syspect_capture::event::{Arg, EventKind, FdKind, L4Proto};
use syspect_capture::syscalls::{self, render, ArgDesc, ArgType, Class, Dir, RetType};
use syspect_filter::{FieldArg, FieldRef, Fields, Value};

use super::container::container_info;
use super::F;
use crate::output::{self, info, time::datetime, Ctx, Show};
use crate::state::{fds, Fd, Thread};

/// The fields of one event. `scratch` is a buffer kept across events, so that building a text
/// value allocates nothing once it has grown.
pub struct EventFields<'a, 'b> {
    pub cx: &'a Ctx<'b>,
    pub scratch: &'a mut Vec<u8>,
    /// How the text of `evt.info`, `evt.args` and `evt.arg.NAME` shows a data buffer, and
    /// `-p`'s `%evt.outputtime` the time (filters take the defaults; `-A`, `-x`, `-X` and `-t`
    /// change what is printed).
    pub show: Show,
}

/// The syscall number of an enter or exit event.
pub(super) fn ev_nr(cx: &Ctx<'_>) -> Option<u16> {
    match &cx.ev.kind {
        EventKind::Enter { nr, .. } | EventKind::Exit { nr, .. } => Some(*nr),
        _ => None,
    }
}

/// The arguments of the event's syscall with their descriptions: the exit's own first, then
/// those of its enter (so `evt.arg.name` works on an openat exit too).
pub(super) fn args_of<'c>(cx: &'c Ctx<'_>) -> Vec<(&'static ArgDesc, &'c Arg)> {
    let mut v = Vec::new();
    match &cx.ev.kind {
        EventKind::Enter { nr, args } => {
            if let Some(d) = syscalls::lookup(*nr) {
                v.extend(d.args.iter().filter(|a| a.dir != Dir::Out).zip(args));
            }
        }
        EventKind::Exit { nr, args, .. } => {
            if let Some(d) = syscalls::lookup(*nr) {
                v.extend(d.args.iter().filter(|a| a.dir != Dir::In).zip(args));
                if let Some(e) = cx.completed.and_then(|c| c.enter.as_ref()) {
                    v.extend(d.args.iter().filter(|a| a.dir != Dir::Out).zip(&e.args));
                }
            }
        }
        _ => {}
    }
    v
}

/// The fd the event is about: the new fd an fd-returning call made, or its first fd argument.
pub fn event_fd(cx: &Ctx<'_>) -> Option<i64> {
    // A memory call's fd argument (mmap) is not the event's fd, as in sysdig.
    if class(cx) == Some(Class::Memory) {
        return None;
    }
    if let EventKind::Exit { nr, ret, .. } = &cx.ev.kind {
        if *ret >= 0 && syscalls::lookup(*nr).is_some_and(|d| d.ret == RetType::Fd) {
            return Some(*ret);
        }
    }
    args_of(cx)
        .into_iter()
        .find(|(d, _)| d.ty == ArgType::Fd)
        .and_then(|(_, a)| a.num())
        .map(|n| n as i32 as i64)
}

/// The name a failed call (an exit) would have given the fd it was to make (see
/// [`crate::state::State::attempted_name`]).
fn attempted_name(cx: &Ctx<'_>, nr: u16, exit_args: &[Arg]) -> Option<Vec<u8>> {
    let desc = syscalls::lookup(nr)?;
    let enter = cx.completed.and_then(|c| c.enter.as_ref())?;
    let mut merged = desc.merge_args(&enter.args, Some(exit_args));
    merged.extend(exit_args.iter().skip(desc.exit_arg_count()).map(Some));
    cx.state.attempted_name(cx.ev.tid, cx.ev.pid, nr, &merged)
}

/// A call that makes two fds (pipe, socketpair): it is about fds, but not one.
fn makes_fd_pair(cx: &Ctx<'_>) -> bool {
    match &cx.ev.kind {
        EventKind::Enter { nr, .. } | EventKind::Exit { nr, .. } => {
            syscalls::lookup(*nr).is_some_and(|d| d.args.iter().any(|a| a.ty == ArgType::FdPair))
        }
        _ => false,
    }
}

/// The kind of the fd the event is about, as the state knows it.
pub(super) fn event_fd_kind(cx: &Ctx<'_>) -> Option<syspect_capture::event::FdKind> {
    fd_of(cx).map(|f| f.kind)
}

fn fd_of<'c>(cx: &'c Ctx<'_>) -> Option<&'c Fd> {
    let fd = event_fd(cx)?;
    cx.state.fds.get(cx.ev.pid, i32::try_from(fd).ok()?)
}

pub(super) fn ip(a: &[u8; 16]) -> IpAddr {
    let v6 = Ipv6Addr::from(*a);
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

/// A socket fd's addresses, when it has any: a socket just made (no address, no port at
/// either end) has none, as in sysdig, whose address and port fields are then undefined.
fn tuple(f: &Fd) -> Option<syspect_capture::event::SockTuple> {
    f.sock.filter(|t| {
        t.local.1 != 0 || t.remote.1 != 0 || t.local.0 != [0; 16] || t.remote.0 != [0; 16]
    })
}

/// One end of a connection: a 16-byte address (IPv4-mapped for IPv4) and a port.
pub(super) type End = ([u8; 16], u16);

/// (client, server) ends of a socket fd.
pub(super) fn ends(f: &Fd) -> Option<(End, End)> {
    let t = tuple(f)?;
    Some(if f.server {
        (t.remote, t.local)
    } else {
        (t.local, t.remote)
    })
}

fn class(cx: &Ctx<'_>) -> Option<Class> {
    match &cx.ev.kind {
        EventKind::Enter { nr, .. } | EventKind::Exit { nr, .. } => {
            syscalls::lookup(*nr).map(|d| d.class)
        }
        _ => None,
    }
}

pub(super) fn thread<'c>(cx: &'c Ctx<'_>) -> Option<&'c Thread> {
    cx.state.thread(cx.ev.tid)
}

/// A string value borrowed from the event, the state or the program.
fn str(b: &[u8]) -> Option<Value<'_>> {
    Some(Value::Str(b))
}

/// `proc.name`: the thread's command name, no value while it is unknown.
#[inline]
fn proc_name<'c>(cx: &'c Ctx<'_>) -> Option<Value<'c>> {
    let c = &thread(cx)?.info.comm;
    (!c.is_empty()).then_some(Value::Str(c))
}

/// The `n`th ancestor's thread (0 = the process itself).
pub(super) fn ancestor<'c>(cx: &'c Ctx<'_>, n: u64) -> Option<&'c Thread> {
    let mut t = thread(cx)?;
    for _ in 0..n {
        let pp = t.info.ppid;
        if pp == 0 || pp == t.info.pid {
            return None;
        }
        t = cx.state.threads.process(pp)?;
    }
    Some(t)
}

impl EventFields<'_, '_> {
    fn text(&mut self, f: impl FnOnce(&mut String)) -> Option<Value<'_>> {
        let mut s = String::from_utf8(std::mem::take(self.scratch)).unwrap_or_default();
        s.clear();
        f(&mut s);
        *self.scratch = s.into_bytes();
        Some(Value::Str(self.scratch))
    }

    /// sysdig's `fd.name`. A call that failed made no fd, but an open names the path it tried
    /// and a connect the address. Otherwise the name of the event's fd; and for an event about
    /// an fd the state does not know (one opened before the capture and not in its fd list, a
    /// pipe's), the empty name: it is defined, as in sysdig, for every event about an fd.
    fn fd_name(&mut self) -> Option<Value<'_>> {
        let cx = self.cx;
        if let EventKind::Exit { nr, ret, args } = &cx.ev.kind {
            if *ret < 0 && *ret != -(libc::EINPROGRESS as i64) {
                if let Some(name) = attempted_name(cx, *nr, args) {
                    self.scratch.clear();
                    self.scratch.extend_from_slice(&name);
                    return Some(Value::Str(self.scratch));
                }
            }
        }
        if let Some(f) = fd_of(cx) {
            return str(&f.name);
        }
        if event_fd(cx).is_some() || makes_fd_pair(cx) {
            return str(b"");
        }
        None
    }

    fn bytes(&mut self, b: &[u8]) -> Option<Value<'_>> {
        self.scratch.clear();
        self.scratch.extend_from_slice(b);
        Some(Value::Str(self.scratch))
    }
}

impl Fields for EventFields<'_, '_> {
    /// The fields filters test most, inline; the others through [`EventFields::any_value`].
    #[inline]
    fn value(&mut self, field: FieldRef<'_>) -> Option<Value<'_>> {
        const PROC_NAME: u32 = F::ProcName as u32;
        const PROC_PID: u32 = F::ProcPid as u32;
        const THREAD_TID: u32 = F::ThreadTid as u32;
        let ev = self.cx.ev;
        match field.id {
            PROC_NAME => proc_name(self.cx),
            PROC_PID => Some(Value::Int(ev.pid as i64)),
            THREAD_TID => Some(Value::Int(ev.tid as i64)),
            _ => self.any_value(field),
        }
    }

    fn values(&mut self, field: FieldRef<'_>, each: &mut dyn FnMut(Value<'_>) -> bool) {
        let cx = self.cx;
        match F::from_id(field.id) {
            Some(F::ProcAname) if field.arg.is_none() => {
                let mut n = 1;
                while let Some(t) = ancestor(cx, n) {
                    if !each(Value::Str(&t.info.comm)) {
                        return;
                    }
                    n += 1;
                }
            }
            Some(f @ (F::ProcAexe | F::ProcAexepath)) if field.arg.is_none() => {
                let mut n = 1;
                while let Some(t) = ancestor(cx, n) {
                    if let Some(v) = super::procs::exe_of(t, f) {
                        if !each(Value::Str(v)) {
                            return;
                        }
                    }
                    n += 1;
                }
            }
            Some(F::ProcApid) if field.arg.is_none() => {
                let mut n = 1;
                while let Some(t) = ancestor(cx, n) {
                    if !each(Value::Int(t.info.pid as i64)) {
                        return;
                    }
                    n += 1;
                }
            }
            Some(F::FdIp | F::FdNet) => {
                if let Some((c, s)) = fd_of(cx).and_then(ends) {
                    if each(Value::Ip(ip(&c.0))) {
                        each(Value::Ip(ip(&s.0)));
                    }
                }
            }
            Some(F::FdPort | F::FdProto) => {
                if let Some((c, s)) = fd_of(cx).and_then(ends) {
                    if each(Value::UInt(c.1 as u64)) {
                        each(Value::UInt(s.1 as u64));
                    }
                }
            }
            _ => {
                if let Some(v) = self.value(field) {
                    each(v);
                }
            }
        }
    }
}

impl EventFields<'_, '_> {
    /// [`Fields::value`] of any field.
    fn any_value(&mut self, field: FieldRef<'_>) -> Option<Value<'_>> {
        let cx = self.cx;
        let ev = cx.ev;
        let f = F::from_id(field.id)?;
        match f {
            F::EvtNum => Some(Value::UInt(cx.num)),
            F::EvtTime | F::EvtOutputTime | F::EvtDatetime | F::EvtRawTime => {
                Some(Value::UInt(ev.ts))
            }
            F::EvtRelTime => Some(Value::UInt(ev.ts.saturating_sub(cx.state.first_ts))),
            F::EvtDir => str(if output::dir(ev) == '<' { b"<" } else { b">" }),
            F::EvtType => match output::type_name(ev) {
                std::borrow::Cow::Borrowed(name) => str(name.as_bytes()),
                std::borrow::Cow::Owned(name) => self.bytes(name.as_bytes()),
            },
            F::EvtCategory => str(super::category::category(cx).as_bytes()),
            F::EvtLatencyS
            | F::EvtLatencyNs
            | F::EvtRawTimeS
            | F::EvtRawTimeNs
            | F::EvtRelTimeS
            | F::EvtRelTimeNs
            | F::EvtDeltaTimeS
            | F::EvtDeltaTimeNs
            | F::EvtCountError
            | F::EvtCountErrorFile
            | F::EvtCountErrorNet
            | F::EvtCountErrorMemory
            | F::EvtCountErrorOther
            | F::EvtCountExit
            | F::EvtIsWait
            | F::EvtIsOpenRead
            | F::EvtIsOpenWrite
            | F::EvtIsOpenExec => super::derived::number(cx, f),
            F::EvtAbspath | F::EvtAbspathSrc | F::EvtAbspathDst => {
                let (dirfd, path) = match (syscalls::name(ev_nr(cx)?).as_ref(), f) {
                    ("renameat" | "renameat2", F::EvtAbspathDst) => ("newdirfd", "newpath"),
                    ("renameat" | "renameat2", _) => ("olddirfd", "oldpath"),
                    ("linkat", F::EvtAbspathDst) => ("newdir", "newpath"),
                    ("linkat", _) => ("olddir", "oldpath"),
                    ("symlinkat", _) => ("linkdirfd", "linkpath"),
                    ("openat" | "openat2" | "unlinkat", _) => ("dirfd", "name"),
                    ("mkdirat", _) => ("dirfd", "path"),
                    ("fchmodat", _) => ("dirfd", "filename"),
                    _ => return None,
                };
                // at the exit, as sysdig's events that carry the paths
                if !matches!(ev.kind, EventKind::Exit { .. }) {
                    return None;
                }
                let args = args_of(cx);
                let arg = |n: &str| args.iter().find(|(d, _)| d.name == n).map(|(_, a)| *a);
                let p = match arg(path)? {
                    Arg::Str { data, .. } => data.clone(),
                    _ => return None,
                };
                let abs = cx
                    .state
                    .abspath(ev.tid, ev.pid, arg(dirfd).and_then(Arg::num), &p);
                self.bytes(&abs)
            }
            F::EvtLatencyHuman
            | F::EvtTimeS
            | F::EvtDatetimeS
            | F::EvtTimeIso8601
            | F::EvtIoDir => {
                let mut present = false;
                let v = self.text(|s| present = super::derived::text(cx, f, s));
                v.filter(|_| present)
            }
            F::SyscallType => match &ev.kind {
                EventKind::Enter { .. } | EventKind::Exit { .. } | EventKind::ThreadExit { .. } => {
                    match output::type_name(ev) {
                        std::borrow::Cow::Borrowed(name) => str(name.as_bytes()),
                        std::borrow::Cow::Owned(name) => self.bytes(name.as_bytes()),
                    }
                }
                _ => None,
            },
            F::FdlistNums
            | F::FdlistNames
            | F::FdlistCips
            | F::FdlistSips
            | F::FdlistCports
            | F::FdlistSports => {
                let mut present = false;
                let v = self.text(|s| present = super::fdlist::text(cx, f, s));
                v.filter(|_| present)
            }
            F::EvtIsSyslog => Some(Value::Bool(super::syslog::is_syslog(cx))),
            F::SyslogFacility
            | F::SyslogFacilityStr
            | F::SyslogSeverity
            | F::SyslogSeverityStr
            | F::SyslogMessage => {
                let m = super::syslog::message(cx)?;
                match f {
                    F::SyslogFacility => Some(Value::UInt(m.facility())),
                    F::SyslogSeverity => Some(Value::UInt(m.severity())),
                    F::SyslogFacilityStr => str(m.facility_name().as_bytes()),
                    F::SyslogSeverityStr => str(m.severity_name().as_bytes()),
                    _ => {
                        let text = m.text.into_owned();
                        self.bytes(&text)
                    }
                }
            }
            F::EvtCpu => (ev.cpu != syspect_capture::event::CPU_UNKNOWN)
                .then_some(Value::UInt(ev.cpu as u64)),
            F::EvtArgs | F::EvtInfo => {
                let bufs = self.show.bufs;
                self.text(|s| info::info(cx.state, ev, bufs, s))
            }
            F::EvtArg | F::EvtRawArg => {
                let args = args_of(cx);
                let found = match field.arg? {
                    FieldArg::Key(k) => args.iter().find(|(d, _)| d.name == &**k).copied(),
                    FieldArg::Index(i) => args.get(*i as usize).copied(),
                };
                if found.is_none() {
                    // a notice's numbers, by the names its evt.info gives them
                    if let Some(FieldArg::Key(k)) = field.arg {
                        if let Some(v) = info::notice_arg(ev, k) {
                            if f == F::EvtRawArg {
                                return Some(Value::Int(v));
                            }
                            return self.text(|s| {
                                let _ = write!(s, "{v}");
                            });
                        }
                    }
                }
                if f == F::EvtArg && found.is_none() {
                    if let (Some(FieldArg::Key(k)), EventKind::Exit { ret, .. }) =
                        (field.arg, &ev.kind)
                    {
                        if &**k == "res" {
                            return self.text(|s| {
                                let _ = write!(s, "{ret}");
                            });
                        }
                    }
                }
                let (d, a) = found?;
                if f == F::EvtRawArg {
                    return match a {
                        Arg::Num(n) | Arg::Fault(n) => Some(Value::Int(*n as i64)),
                        other => {
                            let b = other.bytes().unwrap_or_default().to_vec();
                            self.bytes(&b)
                        }
                    };
                }
                let bufs = self.show.bufs;
                let exit = matches!(ev.kind, EventKind::Exit { .. });
                self.text(|s| info::arg_value(cx.state, ev.pid, (d, a), exit, bufs, s))
            }
            F::EvtBuffer | F::EvtBuflen => {
                let args = args_of(cx);
                let (data, len) = args.iter().find_map(|(d, a)| match a {
                    Arg::Buf { data, len } => Some((Cow::Borrowed(data.as_slice()), *len)),
                    // iovecs, messages: their data joined; the length what the call moved
                    Arg::List(_) => {
                        let bufs = a.buffers();
                        let len = match (&ev.kind, d.ty) {
                            // an mmsg call returns a count of messages
                            (_, ArgType::Mmsghdrs { .. }) => a.data_len(),
                            (EventKind::Exit { ret, .. }, _) if *ret >= 0 => *ret as u64,
                            _ => a.data_len(),
                        };
                        (!bufs.is_empty()).then(|| (Cow::Owned(bufs.concat()), len))
                    }
                    _ => None,
                })?;
                match data {
                    _ if f == F::EvtBuflen => Some(Value::UInt(len)),
                    Cow::Borrowed(b) => str(b),
                    Cow::Owned(b) => self.bytes(&b),
                }
            }
            F::EvtRes => match &ev.kind {
                EventKind::Exit { ret, .. } if *ret < 0 => {
                    let n = render::errno_name((-ret) as i32).unwrap_or("E?");
                    str(n.as_bytes())
                }
                EventKind::Exit { .. } => str(b"SUCCESS"),
                _ => None,
            },
            F::EvtRawRes => match &ev.kind {
                EventKind::Exit { ret, .. } => Some(Value::Int(*ret)),
                _ => None,
            },
            F::EvtFailed => match &ev.kind {
                EventKind::Exit { ret, .. } => Some(Value::Bool(*ret < 0)),
                _ => Some(Value::Bool(false)),
            },
            F::EvtLatency => Some(Value::UInt(cx.latency())),
            F::EvtDeltaTime => Some(Value::UInt(
                cx.prev_shown.map_or(0, |p| ev.ts.saturating_sub(p)),
            )),
            F::EvtIsIo => Some(Value::Bool(matches!(
                class(cx),
                Some(Class::IoRead | Class::IoWrite)
            ))),
            F::EvtIsIoRead => Some(Value::Bool(class(cx) == Some(Class::IoRead))),
            F::EvtIsIoWrite => Some(Value::Bool(class(cx) == Some(Class::IoWrite))),
            F::EvtCount => Some(Value::UInt(1)),
            F::ProcPid => Some(Value::Int(ev.pid as i64)),
            F::ThreadTid => Some(Value::Int(ev.tid as i64)),
            F::ThreadIsmain => Some(Value::Bool(ev.tid == ev.pid)),
            F::ProcPpid => thread(cx).map(|t| Value::Int(t.info.ppid as i64)),
            F::ProcName => proc_name(cx),
            F::ProcExe => str(thread(cx)?.info.args.first()?),
            F::ProcExepath => {
                let e = &thread(cx)?.info.exe;
                (!e.is_empty()).then_some(())?;
                str(e)
            }
            F::ProcArgs | F::ProcCmdline => {
                let t = thread(cx)?;
                let cmd = f == F::ProcCmdline;
                self.text(|s| {
                    if cmd {
                        s.push_str(&String::from_utf8_lossy(&t.info.comm));
                    }
                    for a in t.info.args.iter().skip(1) {
                        if !s.is_empty() {
                            s.push(' ');
                        }
                        s.push_str(&String::from_utf8_lossy(a));
                    }
                })
            }
            F::ProcPname => str(&super::procs::parent(cx)?.info.comm),
            F::ProcPexe | F::ProcPexepath => {
                let t = super::procs::parent(cx)?;
                str(super::procs::exe_of(t, f)?)
            }
            F::ProcAexe | F::ProcAexepath => {
                let n = field.arg.and_then(FieldArg::index).unwrap_or(1);
                str(super::procs::exe_of(ancestor(cx, n)?, f)?)
            }
            F::ProcStdinType | F::ProcStdoutType | F::ProcStderrType => {
                str(fds::type_name(super::procs::std_fd(cx, f)?.kind).as_bytes())
            }
            F::ProcStdinName | F::ProcStdoutName | F::ProcStderrName => {
                str(&super::procs::std_fd(cx, f)?.name)
            }
            F::ProcApid
            | F::ProcLoginshellid
            | F::ProcNthreads
            | F::ProcNchilds
            | F::ProcFdopencount
            | F::ProcCmdnargs
            | F::ProcCmdlenargs
            | F::ThreadVmsize
            | F::ThreadVmrss => super::procs::number(cx, f, field.arg),
            F::ProcEnv => {
                let env = cx.state.thread(ev.pid)?.env.clone()?;
                self.text(|s| {
                    for (i, e) in env.iter().enumerate() {
                        if i > 0 {
                            s.push(' ');
                        }
                        s.push_str(&String::from_utf8_lossy(e));
                    }
                })
            }
            F::ProcPcmdline | F::ProcExeline => {
                let mut present = false;
                let v = self.text(|s| present = super::procs::text(cx, f, s));
                v.filter(|_| present)
            }
            F::ProcAname => {
                let n = field.arg.and_then(FieldArg::index).unwrap_or(1);
                str(&ancestor(cx, n)?.info.comm)
            }
            F::ProcCwd => {
                let c = &thread(cx)?.info.cwd;
                (!c.is_empty()).then_some(())?;
                str(c)
            }
            F::ProcDuration => {
                let s = thread(cx)?.info.start_ts;
                (s != 0).then(|| Value::UInt(ev.ts.saturating_sub(s)))
            }
            F::ProcVmsize | F::ProcVmrss => {
                let [_, rss, vsz] = cx.state.thread(ev.pid)?.figures();
                let v = if f == F::ProcVmsize { vsz } else { rss };
                (v != 0).then_some(Value::UInt(v))
            }
            // 0 when the capture did not learn them (a sysdig capture's process list)
            F::ProcTty => thread(cx).map(|t| Value::UInt(t.info.tty as u64)),
            F::ProcSid => thread(cx)
                .filter(|t| t.info.sid != 0)
                .map(|t| Value::Int(t.info.sid as i64)),
            F::ProcSname => {
                let sid = thread(cx)?.info.sid;
                let c = &cx
                    .state
                    .threads
                    .process((sid != 0).then_some(sid)?)?
                    .info
                    .comm;
                (!c.is_empty()).then_some(Value::Str(c))
            }
            F::ProcPgid => thread(cx)
                .filter(|t| t.info.pgid != 0)
                .map(|t| Value::Int(t.info.pgid as i64)),
            F::ProcVpid => thread(cx).map(|t| {
                Value::Int(if t.info.vpid != 0 {
                    t.info.vpid
                } else {
                    t.info.pid
                } as i64)
            }),
            F::ThreadVtid => thread(cx).map(|t| {
                Value::Int(if t.info.vtid != 0 {
                    t.info.vtid
                } else {
                    t.info.tid
                } as i64)
            }),
            F::ThreadCgroup => str(&thread(cx)?.info.cgroup),
            F::FdNum => event_fd(cx).map(Value::Int),
            F::FdType => str(fds::type_name(fd_of(cx)?.kind).as_bytes()),
            F::FdTypechar => {
                let c = fd_of(cx)?.typechar();
                self.bytes(&[c as u8])
            }
            F::FdName => self.fd_name(),
            F::FdDirectory | F::FdFilename => {
                let fd = fd_of(cx)?;
                if !matches!(fd.kind, FdKind::File | FdKind::Directory) {
                    return None;
                }
                let name = &fd.name;
                let cut = name.iter().rposition(|&b| b == b'/')?;
                if f == F::FdDirectory {
                    str(if cut == 0 { b"/" } else { &name[..cut] })
                } else {
                    str(&name[cut + 1..])
                }
            }
            F::FdConnected => {
                // a pipe's or socketpair's new fds are not connected ones, as in sysdig
                match fd_of(cx) {
                    Some(f) => Some(Value::Bool(f.connected)),
                    None => (makes_fd_pair(cx) && matches!(cx.ev.kind, EventKind::Exit { .. }))
                        .then_some(Value::Bool(false)),
                }
            }
            F::FdIp | F::FdCip | F::FdNet | F::FdCnet => {
                Some(Value::Ip(ip(&ends(fd_of(cx)?)?.0 .0)))
            }
            F::FdSip | F::FdSnet => Some(Value::Ip(ip(&ends(fd_of(cx)?)?.1 .0))),
            F::FdLip | F::FdLnet => Some(Value::Ip(ip(&tuple(fd_of(cx)?)?.local.0))),
            F::FdRip | F::FdRnet => Some(Value::Ip(ip(&tuple(fd_of(cx)?)?.remote.0))),
            F::FdPort | F::FdCport | F::FdProto | F::FdCproto => {
                Some(Value::UInt(ends(fd_of(cx)?)?.0 .1 as u64))
            }
            F::FdSport | F::FdSproto => Some(Value::UInt(ends(fd_of(cx)?)?.1 .1 as u64)),
            F::FdLport | F::FdLproto => Some(Value::UInt(tuple(fd_of(cx)?)?.local.1 as u64)),
            F::FdRport | F::FdRproto => Some(Value::UInt(tuple(fd_of(cx)?)?.remote.1 as u64)),
            F::FdL4proto => {
                let p = match fd_of(cx)?.sock?.proto {
                    L4Proto::Tcp => "tcp",
                    L4Proto::Udp => "udp",
                    L4Proto::Raw => "raw",
                    L4Proto::Unknown => return None,
                };
                str(p.as_bytes())
            }
            F::FdSockfamily => match fd_of(cx)?.kind {
                FdKind::Ipv4 | FdKind::Ipv6 => str(b"ip"),
                FdKind::Unix => str(b"unix"),
                _ => None,
            },
            F::FdIsServer => Some(Value::Bool(fd_of(cx)?.server)),
            F::UserUid => thread(cx).map(|t| Value::UInt(t.info.uid as u64)),
            F::GroupGid => thread(cx).map(|t| Value::UInt(t.info.gid as u64)),
            F::UserName => str(&cx.state.users.get(&thread(cx)?.info.uid)?.name),
            F::UserLoginuid => thread(cx).map(|t| Value::Int(t.info.loginuid as i32 as i64)),
            F::UserLoginname => {
                let uid = thread(cx)?.info.loginuid;
                (uid != syspect_capture::event::LOGINUID_UNSET).then_some(())?;
                str(&cx.state.users.get(&uid)?.name)
            }
            F::UserHomedir | F::UserShell => {
                let u = cx.state.users.get(&thread(cx)?.info.uid)?;
                let v = if f == F::UserHomedir {
                    &u.home
                } else {
                    &u.shell
                };
                (!v.is_empty()).then_some(())?;
                str(v)
            }
            F::GroupName => str(cx.state.groups.get(&thread(cx)?.info.gid)?),
            F::ContainerId | F::ContainerName => {
                let (name, id) = super::container_of(cx.state, thread(cx));
                let v = if f == F::ContainerId {
                    id
                } else {
                    name.to_owned()
                };
                self.bytes(v.as_bytes())
            }
            F::ContainerType => {
                let t = match container_info(cx.state, thread(cx)) {
                    Some(c) if !c.runtime.is_empty() => c.runtime.clone(),
                    Some(_) => "docker".to_owned(),
                    None => super::container::container_runtime(&thread(cx)?.info.cgroup)
                        .unwrap_or("host")
                        .to_owned(),
                };
                self.bytes(t.as_bytes())
            }
            F::ContainerImage | F::ContainerImageRepository | F::ContainerImageTag => {
                let c = container_info(cx.state, thread(cx))?;
                let (repo, tag) = split_image(&c.image);
                let v = match f {
                    F::ContainerImage => c.image.as_str(),
                    F::ContainerImageRepository => repo,
                    _ => tag,
                };
                str(v.as_bytes())
            }
            F::ContainerImageId => {
                let c = container_info(cx.state, thread(cx))?;
                let id = c.image_id.strip_prefix("sha256:").unwrap_or(&c.image_id);
                (!id.is_empty()).then_some(())?;
                str(id.as_bytes())
            }
            F::ContainerPrivileged => Some(Value::Bool(
                container_info(cx.state, thread(cx))?.privileged,
            )),
            F::ContainerLabel | F::K8sPodName | F::K8sNsName => {
                let c = container_info(cx.state, thread(cx))?;
                let key = match f {
                    F::K8sPodName => "io.kubernetes.pod.name",
                    F::K8sNsName => "io.kubernetes.pod.namespace",
                    _ => field.arg?.key()?,
                };
                str(c.labels.iter().find(|(k, _)| k == key)?.1.as_bytes())
            }
        }
    }
}

/// `repo:tag` → (`repo`, `tag`); a digest or no tag gives an empty tag.
pub fn split_image(image: &str) -> (&str, &str) {
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(i) => (&image[..slash + i], &image[slash + i + 1..]),
        None => (image, ""),
    }
}

/// A field value as `-p` prints it.
pub fn value_text(f: F, v: Value<'_>, out: &mut String) {
    match (f, v) {
        (F::EvtTime | F::EvtOutputTime, Value::UInt(ts)) => {
            crate::output::time::TimeFmt::default().time_of_day(ts, out)
        }
        (F::EvtDatetime, Value::UInt(ts)) => out.push_str(&datetime(ts)),
        (
            F::EvtLatencyNs | F::EvtRawTimeNs | F::EvtRelTimeNs | F::EvtDeltaTimeNs,
            Value::UInt(ns),
        ) => {
            let _ = write!(out, "{ns:09}");
        }
        (_, Value::Str(b)) => out.push_str(&String::from_utf8_lossy(b)),
        (_, Value::Int(i)) => {
            let _ = write!(out, "{i}");
        }
        (_, Value::UInt(u)) => {
            let _ = write!(out, "{u}");
        }
        (_, Value::Bool(b)) => out.push_str(if b { "true" } else { "false" }),
        (_, Value::Ip(ip)) => {
            let _ = write!(out, "{ip}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn images_split_into_repository_and_tag() {
        assert_eq!(split_image("nginx:1.25"), ("nginx", "1.25"));
        assert_eq!(
            split_image("registry:5000/team/app:v2"),
            ("registry:5000/team/app", "v2")
        );
        assert_eq!(split_image("busybox"), ("busybox", ""));
    }
}
