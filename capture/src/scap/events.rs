//! sysdig events → syspect records (the mapping rules are in the [module docs](super)).

use std::collections::{HashMap, HashSet};

use crate::event::{ContainerInfo, Event, EventKind, Exec, Record, ThreadInfo, Tid};
use crate::syscalls::{self, Dir};

use super::args::{convert, find, has_param, placeholder, synthesize};
use super::blocks::trim_nul;
use super::container::{container_from_json, container_id_in, runtime_name};
use super::evblock::{OwnedEvent, RawEvent};
use super::flags;
use super::ppme::PType;
use super::procs::{clamp_id, pick_cgroup, split_nul};

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
    /// Our syscall number of each sysdig event type seen so far (`None`: not a syscall of
    /// ours), so that the name is looked up in the table once per type, not per event.
    nrs: Vec<Option<Option<u16>>>,
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
                    // sysdig keeps no siginfo
                    info: Vec::new(),
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
                // sysdig numbers container events: the event stays, only counted.
                Some(c) => Output::records(vec![Record::Container(Box::new(c)), self.other(ev)]),
                None => Output::skipped("container (unreadable metadata)"),
            },
            "syscall" => self.generic(ev),
            _ => self.syscall(ev, name),
        }
    }

    /// An event syspect has no model for, kept under sysdig's name so that it takes its number.
    pub fn other(&self, ev: &RawEvent) -> Record {
        self.event(
            ev,
            EventKind::Other {
                name: ev.info.name.to_owned(),
            },
        )
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
        let ty = ev.ty as usize;
        if self.nrs.len() <= ty {
            self.nrs.resize(ty + 1, None);
        }
        let nr = *self.nrs[ty].get_or_insert_with(|| syscall_nr(name));
        let Some(nr) = nr else {
            return Output::skipped(name);
        };
        let (mut kind, fillable) = self.syscall_kind(ev, nr, name, None);
        if let EventKind::Exit { args, .. } = &mut kind {
            // The socket's ends, which only the exit's tuple has: extras after the table's
            // exit arguments (see EventKind::Exit), when sysdig gave all of those.
            let inbound = name.starts_with("accept");
            let ends = ev
                .param("tuple")
                .filter(|_| inbound || name == "connect")
                .filter(|_| syscalls::lookup(nr).is_some_and(|d| d.exit_arg_count() == args.len()))
                .and_then(|b| super::sockaddr::tuple_ends(b, ev.endian, inbound));
            if let Some((local, peer)) = ends {
                args.push(crate::event::Arg::Mem(local));
                args.push(crate::event::Arg::Mem(peer));
            }
        }
        if let (EventKind::Exit { args, .. }, "execve" | "execveat") = (&mut kind, name) {
            // The new image's environment, which sysdig's exit carries: an extra after the
            // table's exit arguments (execve has none), for a reader whose enter is missing.
            if let Some(env) = ev.param("env").filter(|_| args.is_empty()) {
                args.push(crate::event::Arg::StrList {
                    items: split_nul(env),
                    trunc: false,
                });
            }
        }
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
        let exec_ok = matches!(name, "execve" | "execveat") && ret == Some(0);
        if exec_ok && !self.pids.contains_key(&ev.tid) {
            // A process the capture has not seen yet (started after the process list was
            // written): the execve exit describes it.
            let t = self.thread_from_exit(ev);
            self.observe(&Record::Thread(Box::new(t.clone())));
            out.push(Record::Thread(Box::new(t)));
        }
        if let Some(pid) = ev.num("pid").filter(|_| ret.is_some()) {
            // clone's child and execve's caller name their process.
            if ret == Some(0) || name == "execve" || name == "execveat" {
                self.pids.insert(ev.tid, clamp_id(pid));
            }
        }
        // the child's own clone exit describes it before it is shown, as sysdig has it
        if matches!(name, "clone" | "fork" | "vfork" | "clone3") && ret == Some(0) {
            let t = self.thread_from_exit(ev);
            self.observe(&Record::Thread(Box::new(t.clone())));
            out.push(Record::Thread(Box::new(t)));
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
            ("execve" | "execveat", Some(0)) => {
                let exe = ev
                    .param("trusted_exepath")
                    .or_else(|| ev.param("filename"))
                    .or_else(|| ev.param("exe"))
                    .map(|b| trim_nul(b).to_vec())
                    .unwrap_or_default();
                let mut args = vec![ev
                    .param("exe")
                    .map(|b| trim_nul(b).to_vec())
                    .unwrap_or_default()];
                args.extend(ev.param("args").map(split_nul).unwrap_or_default());
                let text = |n: &str| {
                    ev.param(n)
                        .map(|b| trim_nul(b).to_vec())
                        .unwrap_or_default()
                };
                let cgroup = ev.param("cgroups").map(pick_cgroup).unwrap_or_default();
                if let Some(id) = container_id_in(&cgroup) {
                    self.container_ids.insert(id);
                }
                out.push(self.event(
                    ev,
                    EventKind::Exec(Box::new(Exec {
                        old_tid: clamp_id(ev.tid as i64),
                        exe,
                        args,
                        cwd: text("cwd"),
                        comm: text("comm"),
                        cgroup: if cgroup == b"/" { Vec::new() } else { cgroup },
                    })),
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
        let mut present = 0;
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
                    Some(f) => Some(convert(a.ty.fetch(), name, f, &nums, ret, exit)),
                    None => {
                        synthesize(name, a.name, ev).or_else(|| synthesize(name, a.name, later?))
                    }
                };
                if arg.is_none() && exit_info.is_some_and(|x| has_param(x, name, a.name)) {
                    fillable = true;
                }
                if arg.is_some() {
                    present = args.len() + 1;
                }
                args.push(arg.unwrap_or_else(|| placeholder(a.ty.fetch())));
            }
        }
        // Arguments after the last one sysdig has are left out (a reader shows them as
        // absent); the gaps before it hold placeholders, so positions stay the table's.
        args.truncate(present);
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
            // not in an execve's exit: unknown, as sysdig has it (0 would name root)
            uid: ev.num("uid").map_or(u32::MAX, |v| v as u32),
            gid: ev.num("gid").map_or(u32::MAX, |v| v as u32),
            cgroup: ev.param("cgroups").map(pick_cgroup).unwrap_or_default(),
            start_ts: ev.ts,
            vtid: clamp_id(ev.num("vtid").unwrap_or(0)),
            vpid: clamp_id(ev.num("vpid").unwrap_or(0)),
            cpu_ns: 0,
            rss_kb: ev.num("vm_rss").unwrap_or(0).max(0) as u64,
            vsz_kb: ev.num("vm_size").unwrap_or(0).max(0) as u64,
            // newer sysdig versions' execve exits have these; a clone's has not
            pgid: clamp_id(ev.num("pgid").unwrap_or(0)),
            sid: 0,
            tty: ev.num("tty").unwrap_or(0) as u32,
            loginuid: ev
                .num("loginuid")
                .map_or(crate::event::LOGINUID_UNSET, |v| v as u32),
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

#[cfg(test)]
mod tests {
    use super::super::blocks::Endian;
    use super::super::evblock::{parse, tests::v2_body};
    use super::super::ppme::{self, PType};
    use super::*;
    use crate::event::Arg;

    /// A v2 event block body of type `ty` for thread `tid`, parameters in table order: the
    /// given ones, zeros (or an empty string) for the others up to the last given.
    fn body(ty: u16, tid: u64, given: &[(&str, &[u8])]) -> Vec<u8> {
        let info = ppme::info(ty).unwrap();
        let last = given
            .iter()
            .filter_map(|(n, _)| info.index_of(n))
            .max()
            .map_or(0, |i| i + 1);
        let params: Vec<Vec<u8>> = info.params[..last]
            .iter()
            .map(|p| match given.iter().find(|(n, _)| *n == p.name) {
                Some((_, v)) => v.to_vec(),
                None => match p.ty {
                    PType::Int | PType::UInt => vec![0; 8],
                    PType::Str => vec![0],
                    _ => vec![],
                },
            })
            .collect();
        let refs: Vec<&[u8]> = params.iter().map(Vec::as_slice).collect();
        v2_body(ty, tid, 1_000, &refs)
    }

    fn map(m: &mut Mapper, b: &[u8]) -> Output {
        m.map(&parse(0x216, b, Endian::Little).unwrap())
    }

    fn kinds(out: &Output) -> Vec<&EventKind> {
        out.records
            .iter()
            .filter_map(|r| match r {
                Record::Event(e) => Some(&e.kind),
                _ => None,
            })
            .collect()
    }

    const LE8: fn(i64) -> [u8; 8] = i64::to_le_bytes;

    #[test]
    fn openat_arguments_in_table_order_with_kernel_flags() {
        let mut m = Mapper::default();
        let b = body(
            102,
            42,
            &[
                ("dirfd", &LE8(-100)),
                ("name", b"/etc/hosts\0"),
                ("flags", &(1u32 | (1 << 12)).to_le_bytes()),
                ("mode", &0u32.to_le_bytes()),
            ],
        );
        let out = map(&mut m, &b);
        let nr = syscalls::number("openat").unwrap();
        let EventKind::Enter { nr: got, args } = kinds(&out)[0] else {
            panic!("{out:?}")
        };
        assert_eq!(*got, nr);
        let desc = syscalls::lookup(nr).unwrap();
        let i = |n: &str| desc.args.iter().position(|a| a.name == n).unwrap();
        assert_eq!(args[i("dirfd")], Arg::Num(-100i64 as u64));
        assert_eq!(args[i("name")].bytes(), Some(&b"/etc/hosts"[..]));
        assert_eq!(
            args[i("flags")],
            Arg::Num((libc::O_RDONLY | libc::O_CLOEXEC) as u64)
        );
        let out = map(&mut m, &body(103, 42, &[("fd", &LE8(3))]));
        assert!(matches!(kinds(&out)[0], EventKind::Exit { ret: 3, .. }));
    }

    #[test]
    fn connect_address_becomes_a_sockaddr() {
        let mut m = Mapper::default();
        let mut addr = vec![2u8, 127, 0, 0, 1];
        addr.extend_from_slice(&8080u16.to_le_bytes());
        let out = map(&mut m, &body(22, 42, &[("fd", &LE8(5)), ("addr", &addr)]));
        let EventKind::Enter { args, .. } = kinds(&out)[0] else {
            panic!()
        };
        let sa = args.iter().find_map(|a| match a {
            Arg::Mem(m) => Some(m.clone()),
            _ => None,
        });
        let sa = sa.expect("a sockaddr");
        assert_eq!(&sa[2..8], &[0x1f, 0x90, 127, 0, 0, 1]);
    }

    #[test]
    fn write_enter_is_held_and_completed_by_its_exit() {
        let mut m = Mapper::default();
        let out = map(
            &mut m,
            &body(8, 42, &[("fd", &LE8(1)), ("size", &5u32.to_le_bytes())]),
        );
        assert_eq!(out.hold, Some(42));
        let out = map(
            &mut m,
            &body(9, 42, &[("res", &LE8(5)), ("data", b"hello")]),
        );
        let (tid, EventKind::Enter { args, .. }) = out.patch.unwrap() else {
            panic!()
        };
        assert_eq!(tid, 42);
        assert!(args.contains(&Arg::Buf {
            data: b"hello".to_vec(),
            len: 5
        }));
    }

    #[test]
    fn clone_in_parent_and_child() {
        let mut m = Mapper::default();
        m.observe(&Record::Thread(Box::new(ThreadInfo {
            tid: 42,
            pid: 40,
            ..ThreadInfo::default()
        })));
        let thread_flags = ((1u32 << 13) | (1 << 15)).to_le_bytes();
        let out = map(
            &mut m,
            &body(223, 42, &[("res", &LE8(43)), ("flags", &thread_flags)]),
        );
        assert_eq!(
            kinds(&out)[1],
            &EventKind::Clone {
                child_tid: 43,
                child_pid: 40,
                flags: (libc::CLONE_THREAD | libc::CLONE_VM) as u64
            }
        );
        let child = body(
            223,
            50,
            &[
                ("res", &LE8(0)),
                ("exe", b"/bin/sh\0"),
                ("args", b"-c\0true\0"),
                ("tid", &LE8(50)),
                ("pid", &LE8(50)),
                ("ptid", &LE8(42)),
                ("cwd", b"/tmp\0"),
                ("comm", b"sh\0"),
                ("cgroups", b"cpu=/docker/abc\0"),
                ("uid", &1000u32.to_le_bytes()),
            ],
        );
        let out = map(&mut m, &child);
        // the child's record first: its own exit is shown with what it says
        let Some(Record::Thread(t)) = out.records.first() else {
            panic!("{out:?}")
        };
        assert!(
            matches!(out.records.get(1), Some(Record::Event(_))),
            "{out:?}"
        );
        assert_eq!((t.tid, t.pid, t.ppid, t.uid), (50, 50, 42, 1000));
        assert_eq!(t.comm, b"sh");
        assert_eq!(
            t.args,
            vec![b"/bin/sh".to_vec(), b"-c".to_vec(), b"true".to_vec()]
        );
        assert_eq!(t.cgroup, b"/docker/abc");
    }

    #[test]
    fn execve_exit_adds_exec() {
        let mut m = Mapper::default();
        let b = body(
            293,
            42,
            &[
                ("res", &LE8(0)),
                ("exe", b"ls\0"),
                ("args", b"-l\0"),
                ("pid", &LE8(42)),
                ("cwd", b"/home\0"),
                ("comm", b"ls\0"),
                ("cgroups", b"cpuset=/docker/abc\0cpu=/docker/abc\0"),
                ("trusted_exepath", b"/usr/bin/ls\0"),
            ],
        );
        let out = map(&mut m, &b);
        assert_eq!(
            kinds(&out)[1],
            &EventKind::Exec(Box::new(Exec {
                old_tid: 42,
                exe: b"/usr/bin/ls".to_vec(),
                args: vec![b"ls".to_vec(), b"-l".to_vec()],
                cwd: b"/home".to_vec(),
                comm: b"ls".to_vec(),
                cgroup: b"/docker/abc".to_vec(),
            }))
        );
    }

    #[test]
    fn lifecycle_and_meta_events() {
        let mut m = Mapper::default();
        let out = map(&mut m, &body(186, 42, &[("status", &LE8(256))]));
        assert_eq!(kinds(&out), vec![&EventKind::ThreadExit { status: 256 }]);
        let out = map(&mut m, &body(232, 42, &[("spid", &LE8(7)), ("sig", &[15])]));
        assert_eq!(
            kinds(&out),
            vec![&EventKind::Signal {
                signo: 15,
                code: 0,
                sender: 7,
                info: Vec::new(),
            }]
        );
        let out = map(
            &mut m,
            &body(234, 42, &[("cpu_usr", &LE8(3)), ("cpu_sys", &LE8(2))]),
        );
        assert!(matches!(
            kinds(&out)[0],
            EventKind::Sample {
                cpu_ns: 50_000_000,
                ..
            }
        ));
        let out = map(&mut m, &body(148, 0, &[("ratio", &2u32.to_le_bytes())]));
        assert!(matches!(
            kinds(&out)[0],
            EventKind::Drops { cpu: 3, count: 0 }
        ));
        let out = map(&mut m, &body(152, 42, &[("next", &LE8(1))]));
        assert_eq!(out.skipped, Some("switch"));
    }

    #[test]
    fn containers_old_and_json() {
        let mut m = Mapper::default();
        let full = "9dbcbd0c435f".to_string() + &"a".repeat(52);
        m.observe(&Record::Thread(Box::new(ThreadInfo {
            tid: 9,
            cgroup: format!("/docker/{full}").into_bytes(),
            ..ThreadInfo::default()
        })));
        let json = br#"{"container":{"id":"9dbcbd0c435f","name":"web","image":"nginx:latest","imageid":"f68d","labels":{"b":"2","a":"1"},"privileged":true,"type":0}}"#;
        let out = map(&mut m, &body(272, 0, &[("json", json)]));
        let Some(Record::Container(c)) = out.records.first() else {
            panic!("{out:?}")
        };
        assert_eq!(c.id, full);
        assert_eq!(
            (c.name.as_str(), c.image.as_str(), c.runtime.as_str()),
            ("web", "nginx:latest", "docker")
        );
        assert!(c.privileged);
        assert_eq!(c.labels[0], ("a".into(), "1".into()));
        let out = map(
            &mut m,
            &body(
                228,
                0,
                &[
                    ("id", b"abc\0"),
                    ("type", &8u32.to_le_bytes()),
                    ("name", b"x\0"),
                    ("image", b"busybox\0"),
                ],
            ),
        );
        let Some(Record::Container(c)) = out.records.first() else {
            panic!("{out:?}")
        };
        assert_eq!(
            (c.id.as_str(), c.runtime.as_str(), c.image.as_str()),
            ("abc", "cri-o", "busybox")
        );
        let out = map(&mut m, &body(272, 0, &[("json", b"{not json")]));
        assert!(out.skipped.is_some());
    }

    #[test]
    fn generic_events_use_the_native_number() {
        let mut m = Mapper::default();
        let nr = syscalls::number("clock_gettime").unwrap();
        let e = body(
            0,
            42,
            &[("ID", &0u16.to_le_bytes()), ("nativeID", &nr.to_le_bytes())],
        );
        let out = map(&mut m, &e);
        // sysdig has none of its arguments: none are made up.
        assert!(
            matches!(kinds(&out)[0], EventKind::Enter { nr: n, args } if *n == nr && args.is_empty())
        );
        // The exit names only sysdig's code: the enter's number carries over.
        let x = body(1, 42, &[("ID", &999u16.to_le_bytes())]);
        let out = map(&mut m, &x);
        assert!(matches!(kinds(&out)[0], EventKind::Exit { nr: n, ret: 0, .. } if *n == nr));
    }

    #[test]
    fn container_ids_in_cgroups() {
        let id = "ab".repeat(32);
        assert_eq!(
            container_id_in(format!("/docker/{id}").as_bytes()),
            Some(id.clone())
        );
        assert_eq!(
            container_id_in(format!("/system.slice/docker-{id}.scope").as_bytes()),
            Some(id)
        );
        assert_eq!(container_id_in(b"/user.slice"), None);
    }
}
