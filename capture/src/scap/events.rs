//! sysdig events → syspect records (the mapping rules are in the [module docs](super)).

use std::collections::{HashMap, HashSet};

use crate::event::{Arg, ContainerInfo, Event, EventKind, L4Proto, Record, ThreadInfo, Tid};
use crate::syscalls::{self, Dir, Fetch, LenFrom};

use super::blocks::trim_nul;
use super::evblock::{OwnedEvent, RawEvent};
use super::ppme::{EventInfo, PType};
use super::procs::{clamp_id, pick_cgroup, split_nul};
use super::{flags, sockaddr};

/// What became of one sysdig event.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// The records, in order.
    pub records: Vec<Record>,
    /// The first record is an Enter of this thread that the caller should hold back until the
    /// thread's exit arrives: sysdig records some of its inputs only at exit.
    pub hold: Option<u64>,
    /// The completed Enter of the held call of this thread: replace the held one with it.
    pub patch: Option<(u64, EventKind)>,
    /// Nothing came of the event: a kind syspect has no record for (named, for the notes).
    pub skipped: Option<&'static str>,
}

impl Output {
    fn records(records: Vec<Record>) -> Self {
        Output {
            records,
            ..Output::default()
        }
    }

    fn skipped(what: &'static str) -> Self {
        Output {
            skipped: Some(what),
            ..Output::default()
        }
    }
}

/// Clock ticks per second of `procinfo`'s CPU counters (the kernel's USER_HZ).
const USER_HZ: u64 = 100;

/// The state the mapping needs across events: which process each thread belongs to, the
/// syscall each generic enter named, and the full ids of containers seen in cgroup paths.
#[derive(Debug, Default)]
pub struct Mapper {
    pids: HashMap<u64, Tid>,
    generic: HashMap<u64, u16>,
    container_ids: HashSet<String>,
    /// Enter events whose missing inputs the exit will have, per thread.
    held: HashMap<u64, OwnedEvent>,
}

impl Mapper {
    /// Learn from a state record read from the file (thread → process, container ids).
    pub fn observe(&mut self, rec: &Record) {
        if let Record::Thread(t) = rec {
            self.pids.insert(t.tid as u64, t.pid);
            if let Some(id) = container_id_in(&t.cgroup) {
                self.container_ids.insert(id);
            }
        }
    }

    /// Map one event.
    pub fn map(&mut self, ev: &RawEvent) -> Output {
        let name = ev.info.name;
        match name {
            "procexit" => {
                let status = ev.num("status").unwrap_or(0) as i32;
                let rec = self.event(ev, EventKind::ThreadExit { status });
                self.pids.remove(&ev.tid);
                self.generic.remove(&ev.tid);
                self.held.remove(&ev.tid);
                Output::records(vec![rec])
            }
            "signaldeliver" => Output::records(vec![self.event(
                ev,
                EventKind::Signal {
                    signo: ev.num("sig").unwrap_or(0) as i32,
                    code: 0,
                    sender: clamp_id(ev.num("spid").unwrap_or(0)),
                },
            )]),
            "drop" if !ev.info.exit => Output::records(vec![self.event(
                ev,
                EventKind::Drops {
                    cpu: ev.cpu,
                    count: 0,
                },
            )]),
            "procinfo" => {
                let ticks = (ev.num("cpu_usr").unwrap_or(0) as u64)
                    .saturating_add(ev.num("cpu_sys").unwrap_or(0) as u64);
                let cpu_ns = ticks.saturating_mul(1_000_000_000 / USER_HZ);
                Output::records(vec![self.event(
                    ev,
                    EventKind::Sample {
                        cpu_ns,
                        rss_kb: 0,
                        vsz_kb: 0,
                    },
                )])
            }
            "container" => match self.container(ev) {
                Some(c) => Output::records(vec![Record::Container(c)]),
                None => Output::skipped("container (unreadable metadata)"),
            },
            "syscall" => self.generic(ev),
            _ => self.syscall(ev, name),
        }
    }

    fn pid_of(&self, tid: u64) -> Tid {
        self.pids.get(&tid).copied().unwrap_or(clamp_id(tid as i64))
    }

    fn event(&self, ev: &RawEvent, kind: EventKind) -> Record {
        Record::Event(Event {
            ts: ev.ts,
            tid: clamp_id(ev.tid as i64),
            pid: self.pid_of(ev.tid),
            cpu: ev.cpu,
            kind,
        })
    }

    /// A generic event: sysdig recorded only which syscall it was.
    fn generic(&mut self, ev: &RawEvent) -> Output {
        let native = ev.num("nativeID").map(|n| n as u16);
        let nr = if !ev.info.exit {
            native
        } else {
            native
                .or_else(|| self.generic.get(&ev.tid).copied())
                .or_else(|| {
                    let code = ev.num("ID")? as u64;
                    syscall_nr(super::ppme::sc_name(code)?)
                })
        };
        let Some(nr) = nr else {
            return Output::skipped("syscall (unknown number)");
        };
        if ev.info.exit {
            self.generic.remove(&ev.tid);
        } else {
            self.generic.insert(ev.tid, nr);
        }
        let (kind, _) = self.syscall_kind(ev, nr, "syscall", None);
        Output::records(vec![self.event(ev, kind)])
    }

    /// A syscall event with its own event type.
    fn syscall(&mut self, ev: &RawEvent, name: &'static str) -> Output {
        let Some(nr) = syscall_nr(name) else {
            return Output::skipped(name);
        };
        let (kind, fillable) = self.syscall_kind(ev, nr, name, None);
        let mut output = Output::default();
        if ev.info.exit {
            if let Some(enter) = self.held.remove(&ev.tid) {
                if enter.ty.checked_add(1) == Some(ev.ty) {
                    let (full, _) = self.syscall_kind(&enter.view(), nr, name, Some(ev));
                    output.patch = Some((ev.tid, full));
                }
            }
        } else if fillable {
            self.held.insert(ev.tid, OwnedEvent::new(ev));
            output.hold = Some(ev.tid);
        } else {
            self.held.remove(&ev.tid);
        }
        let mut out = Vec::with_capacity(2);
        let ret = match &kind {
            EventKind::Exit { ret, .. } => Some(*ret),
            _ => None,
        };
        if let Some(pid) = ev.num("pid").filter(|_| ret.is_some()) {
            // clone's child and execve's caller name their process.
            if ret == Some(0) || name == "execve" || name == "execveat" {
                self.pids.insert(ev.tid, clamp_id(pid));
            }
        }
        out.push(self.event(ev, kind));
        match (name, ret) {
            ("clone" | "fork" | "vfork" | "clone3", Some(child)) if child > 0 => {
                let flags = flags::clone_flags(ev.num("flags").unwrap_or(0) as u64);
                let child_pid = if flags & libc::CLONE_THREAD as u64 != 0 {
                    self.pid_of(ev.tid)
                } else {
                    clamp_id(child)
                };
                self.pids.insert(child as u64, child_pid);
                out.push(self.event(
                    ev,
                    EventKind::Clone {
                        child_tid: clamp_id(child),
                        child_pid,
                        flags,
                    },
                ));
            }
            ("clone" | "fork" | "vfork" | "clone3", Some(0)) => {
                let t = self.thread_from_exit(ev);
                self.observe(&Record::Thread(t.clone()));
                out.push(Record::Thread(t));
            }
            ("execve" | "execveat", Some(0)) => {
                let exe = ev
                    .param("trusted_exepath")
                    .or_else(|| ev.param("exe"))
                    .map(|b| trim_nul(b).to_vec())
                    .unwrap_or_default();
                let mut args = vec![ev
                    .param("exe")
                    .map(|b| trim_nul(b).to_vec())
                    .unwrap_or_default()];
                args.extend(ev.param("args").map(split_nul).unwrap_or_default());
                let cwd = ev
                    .param("cwd")
                    .map(|b| trim_nul(b).to_vec())
                    .unwrap_or_default();
                out.push(self.event(
                    ev,
                    EventKind::Exec {
                        old_tid: clamp_id(ev.tid as i64),
                        exe,
                        args,
                        cwd,
                    },
                ));
            }
            _ => {}
        }
        output.records = out;
        output
    }

    /// Enter or Exit for syscall `nr`, with our table's arguments taken from `ev` (and, for a
    /// held enter being completed, from its exit `later`). Also says whether an Enter lacks
    /// inputs that sysdig's exit event carries (worth holding until the exit).
    fn syscall_kind(
        &self,
        ev: &RawEvent,
        nr: u16,
        name: &str,
        later: Option<&RawEvent>,
    ) -> (EventKind, bool) {
        let exit = ev.info.exit;
        let ret = if exit { ret_of(ev) } else { 0 };
        let exit_info = if exit {
            None
        } else {
            ev.ty.checked_add(1).and_then(super::ppme::info)
        };
        let mut args = Vec::new();
        let mut fillable = false;
        if let Some(desc) = syscalls::lookup(nr) {
            // Values of the arguments so far, for buffer lengths given by another argument.
            let mut nums: Vec<Option<u64>> = Vec::with_capacity(desc.args.len());
            for a in desc.args {
                let wanted = match a.dir {
                    Dir::In => !exit,
                    Dir::Out => exit,
                    Dir::InOut => true,
                };
                let found = find(name, a.name, ev).or_else(|| find(name, a.name, later?));
                nums.push(found.as_ref().and_then(|f| f.num(name)));
                if !wanted {
                    continue;
                }
                let arg = match &found {
                    Some(f) => convert(a.ty.fetch(), name, f, &nums, ret, exit),
                    None => synthesize(name, a.name, ev)
                        .or_else(|| synthesize(name, a.name, later?))
                        .unwrap_or_else(|| placeholder(a.ty.fetch())),
                };
                if found.is_none() && exit_info.is_some_and(|x| has_param(x, name, a.name)) {
                    fillable = true;
                }
                args.push(arg);
            }
        }
        let kind = if exit {
            EventKind::Exit { nr, ret, args }
        } else {
            EventKind::Enter { nr, args }
        };
        (kind, fillable)
    }

    /// The child's thread record from its own clone exit (the child's exit may come before
    /// its parent's, so the state learns the child from here).
    fn thread_from_exit(&self, ev: &RawEvent) -> ThreadInfo {
        let s = |n: &str| {
            ev.param(n)
                .map(|b| trim_nul(b).to_vec())
                .unwrap_or_default()
        };
        let exe = s("exe");
        let mut args = vec![exe.clone()];
        args.extend(ev.param("args").map(split_nul).unwrap_or_default());
        let tid = clamp_id(ev.num("tid").unwrap_or(ev.tid as i64));
        ThreadInfo {
            tid,
            pid: clamp_id(ev.num("pid").unwrap_or(ev.tid as i64)),
            ppid: clamp_id(ev.num("ptid").unwrap_or(0)),
            comm: s("comm"),
            exe,
            args,
            cwd: s("cwd"),
            uid: ev.num("uid").unwrap_or(0) as u32,
            gid: ev.num("gid").unwrap_or(0) as u32,
            cgroup: ev.param("cgroups").map(pick_cgroup).unwrap_or_default(),
            start_ts: ev.ts,
            vtid: clamp_id(ev.num("vtid").unwrap_or(0)),
            vpid: clamp_id(ev.num("vpid").unwrap_or(0)),
        }
    }

    /// A container event: the old four-field form or the JSON form.
    fn container(&self, ev: &RawEvent) -> Option<ContainerInfo> {
        let s = |n: &str| {
            ev.param(n)
                .map(|b| String::from_utf8_lossy(trim_nul(b)).into_owned())
        };
        let mut c = if let Some(json) = ev.param("json") {
            container_from_json(trim_nul(json))?
        } else {
            ContainerInfo {
                id: s("id")?,
                runtime: runtime_name(ev.num("type").unwrap_or(-1)).into(),
                name: s("name").unwrap_or_default(),
                image: s("image").unwrap_or_default(),
                ..ContainerInfo::default()
            }
        };
        // sysdig keeps Docker's 12-digit short id; the cgroups hold the full one.
        if c.id.len() < 64 && !c.id.is_empty() {
            let mut full = self.container_ids.iter().filter(|f| f.starts_with(&c.id));
            if let (Some(f), None) = (full.next(), full.next()) {
                c.id = f.clone();
            }
        }
        Some(c)
    }
}

/// Our syscall number for sysdig's event name (sysdig spells a few differently).
pub fn syscall_nr(name: &str) -> Option<u16> {
    syscalls::number(name).or_else(|| {
        let alias = match name {
            "pread" => "pread64",
            "pwrite" => "pwrite64",
            "umount" => "umount2",
            "stat64" => "stat",
            "lstat64" => "lstat",
            "fstat64" => "fstat",
            "mmap2" => "mmap",
            "llseek" => "lseek",
            "newselect" => "select",
            _ => return None,
        };
        syscalls::number(alias)
    })
}

/// The return value of a sysdig exit event: its `res` (or `fd`) parameter, else 0 (generic
/// events record none).
fn ret_of(ev: &RawEvent) -> i64 {
    ev.num("res")
        .or_else(|| ev.num("fd"))
        .or_else(|| {
            let p = ev.info.params.first()?;
            match p.ty {
                PType::Int | PType::UInt if p.name != "ID" => ev.num(p.name),
                _ => None,
            }
        })
        .unwrap_or(0)
}

/// The names sysdig may give our argument `ours` of syscall `call`: the same name first.
fn candidates(call: &str, ours: &'static str) -> impl Iterator<Item = &'static str> {
    let alias: &[&'static str] = match (call, ours) {
        (_, "data" | "buf") => &["data"],
        (_, "size" | "count" | "len" | "length") => &["size", "len", "length"],
        (_, "pathname" | "path" | "filename") => &["name", "path", "filename", "pathname"],
        (_, "addr" | "dest_addr" | "src_addr") => &["addr", "tuple"],
        ("close_range", "fd") => &["first"],
        ("close_range", "max_fd") => &["last"],
        ("pidfd_getfd", "pidfd") => &["pid_fd"],
        ("pidfd_getfd", "targetfd") => &["target_fd"],
        ("prctl", "arg2") => &["arg2_int"],
        (_, "newfd") => &["newfd", "fd2"],
        (_, "oldfd") => &["oldfd", "fd"],
        (_, "dirfd") => &["dirfd", "fd"],
        (_, "protocol") => &["proto"],
        (_, "argv") => &["args"],
        _ => &[],
    };
    std::iter::once(ours).chain(alias.iter().copied())
}

/// A sysdig parameter found for one of our arguments.
struct Found<'a> {
    ty: PType,
    /// sysdig's name of the parameter (flag conversions go by it).
    name: &'static str,
    bytes: &'a [u8],
    endian: super::blocks::Endian,
}

impl Found<'_> {
    /// The value as an integer (flags converted to the kernel's), for integer parameters.
    fn num(&self, call: &str) -> Option<u64> {
        let v = match self.ty {
            PType::Int => self.endian.int(self.bytes)? as u64,
            PType::UInt => self.endian.uint(self.bytes)?,
            _ => return None,
        };
        Some(flags::to_linux(call, self.name, v))
    }
}

/// The sysdig parameter of `ev` that holds our argument `ours` of syscall `call`.
fn find<'a>(call: &str, ours: &'static str, ev: &RawEvent<'a>) -> Option<Found<'a>> {
    candidates(call, ours).find_map(|n| {
        let i = ev.info.index_of(n)?;
        Some(Found {
            ty: ev.info.params[i].ty,
            name: ev.info.params[i].name,
            bytes: ev.params.get(i)?,
            endian: ev.endian,
        })
    })
}

/// True when events of type `info` have a parameter for our argument `ours`.
fn has_param(info: &EventInfo, call: &str, ours: &'static str) -> bool {
    candidates(call, ours).any(|n| info.index_of(n).is_some())
}

/// The value to use when sysdig has no value for an argument: `Num(0)` for scalars,
/// `Fault(0)` ("not read") for anything the table reads from memory.
fn placeholder(fetch: Fetch) -> Arg {
    match fetch {
        Fetch::Value => Arg::Num(0),
        _ => Arg::Fault(0),
    }
}

/// Arguments sysdig stores differently: pipe's two fds as two parameters, nanosleep's
/// interval as nanoseconds, rlimits as two numbers, poll's count as its fd list's length.
fn synthesize(call: &str, ours: &str, ev: &RawEvent) -> Option<Arg> {
    let ne = |v: i64| v.to_ne_bytes();
    match (call, ours) {
        (_, "fds" | "pipefd" | "sv") if ev.info.index_of("fd1").is_some() => {
            let mut m = (ev.num("fd1")? as i32).to_ne_bytes().to_vec();
            m.extend_from_slice(&(ev.num("fd2")? as i32).to_ne_bytes());
            Some(Arg::Mem(m))
        }
        ("nanosleep", "req") => {
            let ns = ev.num("interval")?;
            let mut m = ne(ns / 1_000_000_000).to_vec();
            m.extend_from_slice(&ne(ns % 1_000_000_000));
            Some(Arg::Mem(m))
        }
        ("getrlimit" | "setrlimit" | "prlimit64", "rlim" | "new_limit" | "old_limit") => {
            let mut m = ne(ev.num("cur")?).to_vec();
            m.extend_from_slice(&ne(ev.num("max")?));
            Some(Arg::Mem(m))
        }
        ("poll" | "ppoll", "nfds") => {
            let fds = ev.param("fds")?;
            Some(Arg::Num(ev.endian.uint(fds.get(..2)?)?))
        }
        _ => None,
    }
}

/// One of our arguments from the sysdig parameter `f` (`nums`: the values of our arguments so
/// far, for lengths; `exit`: the event is an exit, for poll's fd lists).
fn convert(fetch: Fetch, call: &str, f: &Found, nums: &[Option<u64>], ret: i64, exit: bool) -> Arg {
    let b = f.bytes;
    match (fetch, f.ty) {
        (Fetch::Value, PType::Int | PType::UInt) => {
            f.num(call).map(Arg::Num).unwrap_or(placeholder(fetch))
        }
        (Fetch::Str, PType::Str | PType::Buf) => Arg::Str {
            data: trim_nul(b).to_vec(),
            trunc: false,
        },
        (Fetch::Buf(len_from), PType::Buf | PType::Str) => Arg::Buf {
            data: b.to_vec(),
            len: real_len(len_from, nums, ret).max(b.len() as u64),
        },
        (Fetch::Iovec { .. }, PType::Buf) => Arg::List(vec![Arg::Buf {
            data: b.to_vec(),
            len: real_len(LenFrom::Ret, nums, ret).max(b.len() as u64),
        }]),
        (Fetch::StrList, PType::Buf | PType::Str) => Arg::StrList {
            items: split_nul(b),
            trunc: false,
        },
        (Fetch::Mem(_), PType::SockAddr) => sockaddr::to_kernel(b, f.endian)
            .map(Arg::Mem)
            .unwrap_or(placeholder(fetch)),
        (Fetch::Mem(_), PType::SockTuple) => {
            // The peer's end: the destination of a connect/sendto, the source of an accept.
            let Some(t) = sockaddr::tuple(b, f.endian, L4Proto::Unknown) else {
                return placeholder(fetch);
            };
            let (ip, port) = if call.starts_with("accept") || call.starts_with("recv") {
                t.local
            } else {
                t.remote
            };
            Arg::Mem(match Ipv6Mapped::from(ip) {
                Ipv6Mapped::V4(a) => sockaddr::sockaddr_in(&a, port),
                Ipv6Mapped::V6 => sockaddr::sockaddr_in6(&ip, port),
            })
        }
        (Fetch::Mem(_) | Fetch::Array { .. }, PType::Buf | PType::Raw) => Arg::Mem(b.to_vec()),
        (Fetch::Array { .. }, PType::FdList) => Arg::Mem(pollfds(b, f.endian, exit)),
        _ => placeholder(fetch),
    }
}

/// The real length of a buffer whose captured part may be shorter: the result of the call,
/// or the size argument.
fn real_len(from: LenFrom, nums: &[Option<u64>], ret: i64) -> u64 {
    match from {
        LenFrom::Ret => u64::try_from(ret).unwrap_or(0),
        LenFrom::Arg(n) => nums.get(n as usize).copied().flatten().unwrap_or(0),
        _ => 0,
    }
}

/// An IPv4-mapped address or a real IPv6 one.
enum Ipv6Mapped {
    V4([u8; 4]),
    V6,
}

impl From<[u8; 16]> for Ipv6Mapped {
    fn from(a: [u8; 16]) -> Self {
        if a[..10].iter().all(|&b| b == 0) && a[10] == 0xff && a[11] == 0xff {
            Ipv6Mapped::V4([a[12], a[13], a[14], a[15]])
        } else {
            Ipv6Mapped::V6
        }
    }
}

/// sysdig's fd list (`u16 count, (u64 fd, u16 flags)…`) as `struct pollfd`s, the flags put in
/// `events` at enter and `revents` at exit (converted from sysdig's poll bits).
fn pollfds(b: &[u8], e: super::blocks::Endian, exit: bool) -> Vec<u8> {
    let count = b.get(..2).and_then(|c| e.uint(c)).unwrap_or(0) as usize;
    let mut out = Vec::new();
    for item in b.get(2..).unwrap_or_default().chunks_exact(10).take(count) {
        let fd = e.int(&item[..8]).unwrap_or(-1) as i32;
        let fl = poll_bits(e.uint(&item[8..]).unwrap_or(0)) as i16;
        out.extend_from_slice(&fd.to_ne_bytes());
        let (events, revents) = if exit { (0i16, fl) } else { (fl, 0i16) };
        out.extend_from_slice(&events.to_ne_bytes());
        out.extend_from_slice(&revents.to_ne_bytes());
    }
    out
}

/// sysdig's `PPM_POLL*` bits as the kernel's `POLL*`.
fn poll_bits(v: u64) -> u64 {
    let table: [(u64, i16); 11] = [
        (1 << 0, libc::POLLIN),
        (1 << 1, libc::POLLPRI),
        (1 << 2, libc::POLLOUT),
        (1 << 3, libc::POLLRDHUP),
        (1 << 4, libc::POLLERR),
        (1 << 5, libc::POLLHUP),
        (1 << 6, libc::POLLNVAL),
        (1 << 7, libc::POLLRDNORM),
        (1 << 8, libc::POLLRDBAND),
        (1 << 9, libc::POLLWRNORM),
        (1 << 10, libc::POLLWRBAND),
    ];
    table
        .iter()
        .filter(|(p, _)| v & p != 0)
        .fold(0, |acc, (_, l)| acc | *l as u64)
}

/// A 64-hex-digit container id in a cgroup path (`/docker/ID`, `docker-ID.scope`…).
pub fn container_id_in(cgroup: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(cgroup).ok()?;
    s.split(['/', '-', '.', ':'])
        .find(|p| p.len() == 64 && p.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// sysdig's container type numbers.
fn runtime_name(t: i64) -> &'static str {
    match t {
        0 => "docker",
        1 => "lxc",
        2 => "libvirt-lxc",
        3 => "mesos",
        4 => "rkt",
        6 => "cri",
        7 => "containerd",
        8 => "cri-o",
        9 => "bpm",
        11 => "podman",
        _ => "unknown",
    }
}

/// A container from sysdig's JSON: `{"container": {"id", "name", "image", "imageid",
/// "labels": {..}, "privileged", "type", ..}}`.
pub fn container_from_json(json: &[u8]) -> Option<ContainerInfo> {
    let v: serde_json::Value = serde_json::from_slice(json).ok()?;
    let c = v.get("container")?;
    let s = |k: &str| c.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    let mut labels: Vec<(String, String)> = c
        .get("labels")
        .and_then(|l| l.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    labels.sort();
    let id = s("id");
    if id.is_empty() {
        return None;
    }
    Some(ContainerInfo {
        id,
        runtime: runtime_name(c.get("type").and_then(|t| t.as_i64()).unwrap_or(-1)).into(),
        name: s("name"),
        image: s("image"),
        image_id: s("imageid"),
        labels,
        privileged: c
            .get("privileged")
            .and_then(|p| p.as_bool())
            .unwrap_or(false),
        start_ts: c
            .get("created_time")
            .and_then(|t| t.as_u64())
            .map_or(0, |t| t.saturating_mul(1_000_000_000)),
        cgroup_id: 0,
    })
}
