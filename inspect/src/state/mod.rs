//! The state a reader rebuilds from records: threads and processes, their fds and cwd, users
//! and groups, containers. Fed one record at a time, live or from a trace; memory is bounded by
//! what is alive, not by how long the trace is (exited threads and closed fds are dropped).

pub mod effects;
pub mod fds;
pub mod idhash;
pub mod threads;

use std::collections::HashMap;

use syspect_capture::event::{ContainerInfo, Event, EventKind, Record, Tid};
use syspect_capture::syscalls;

pub use fds::{Fd, FdTables};
pub use threads::{PendingCall, Thread, ThreadTable};

/// Everything known about the traced system at the current event.
#[derive(Debug, Default)]
pub struct State {
    pub threads: ThreadTable,
    pub fds: FdTables,
    /// Users by uid: name, home directory and shell.
    pub users: HashMap<u32, syspect_capture::event::UserInfo>,
    pub groups: HashMap<u32, Vec<u8>>,
    pub containers: HashMap<String, ContainerInfo>,
    /// Time of the first event, for `evt.reltime`.
    pub first_ts: u64,
    /// Threads whose exit has been shown: removed before the next event.
    reap: Vec<Tid>,
    /// fds closed by the last event: removed before the next one.
    closed: Vec<(Tid, i32)>,
    /// Pty numbers of pty masters (pid, fd), from TIOCGPTN, to name their slaves.
    ptys: HashMap<(Tid, i32), u32>,
    /// Argument vectors of calls that completed, given back by [`State::recycle`] for the
    /// next enter to fill: a long read then allocates little.
    /// By syscall number, so that an enter is copied over arguments of the same shape (their
    /// byte buffers kept).
    spare_args: Vec<Vec<syspect_capture::Arg>>,
}

/// What the state learnt from an exit event about its call, for formatters that merge enter
/// and exit (strace, latency).
#[derive(Clone, Debug)]
pub struct Completed {
    /// The matching enter event, when it was seen.
    pub enter: Option<PendingCall>,
}

impl State {
    pub fn new() -> State {
        State::default()
    }

    /// Take in one record. For an exit event, returns the matching enter (when seen), which the
    /// state no longer keeps.
    pub fn update(&mut self, rec: &Record) -> Option<Completed> {
        // Whatever follows an event comes after it was shown.
        self.reap();
        match rec {
            Record::Event(ev) => self.update_event(ev),
            Record::Thread(t) => {
                self.threads.insert((**t).clone());
                None
            }
            Record::Fd(f) => {
                self.fds.insert(f.pid, f.fd, Fd::from_info(f));
                None
            }
            Record::User(u) => {
                self.users.insert(u.uid, u.clone());
                None
            }
            Record::Group(g) => {
                self.groups.insert(g.gid, g.name.clone());
                None
            }
            Record::Container(c) => {
                self.containers.insert(c.id.clone(), (**c).clone());
                None
            }
        }
    }

    /// Give back what [`State::update`] returned for an exit, once it has been used, so that
    /// its allocations serve a later call.
    #[inline]
    pub fn recycle(&mut self, completed: Option<Completed>) {
        if let Some(Completed {
            enter: Some(PendingCall { nr, args, .. }),
        }) = completed
        {
            if let Some(place) = self.spare_args.get_mut(nr as usize) {
                *place = args;
            }
        }
    }

    /// Forget the threads whose exit has been shown (and the fd tables of processes with no
    /// thread left). Done before each event, and by readers at the end of a stream.
    #[inline]
    pub fn reap(&mut self) {
        if !(self.closed.is_empty() && self.reap.is_empty()) {
            self.reap_now();
        }
    }

    #[cold]
    fn reap_now(&mut self) {
        for (pid, fd) in self.closed.drain(..) {
            self.fds.remove(pid, fd);
        }
        for tid in std::mem::take(&mut self.reap) {
            if let Some(t) = self.threads.remove(tid) {
                if self.threads.threads_of(t.info.pid).next().is_none() {
                    self.fds.remove_process(t.info.pid);
                }
            }
        }
    }

    fn update_event(&mut self, ev: &Event) -> Option<Completed> {
        if self.first_ts == 0 {
            self.first_ts = ev.ts;
        }
        match &ev.kind {
            EventKind::Enter { nr, args } => {
                if self.spare_args.is_empty() {
                    self.spare_args
                        .resize_with(syscalls::count().max(1) as usize, Vec::new);
                }
                let mut kept = self
                    .spare_args
                    .get_mut(*nr as usize)
                    .map(std::mem::take)
                    .unwrap_or_default();
                assign_args(&mut kept, args);
                let t = self.threads.entry(ev.tid, ev.pid);
                t.pending = Some(PendingCall {
                    nr: *nr,
                    ts: ev.ts,
                    args: kept,
                });
                None
            }
            EventKind::Exit { nr, ret, args } => {
                let t = self.threads.entry(ev.tid, ev.pid);
                let enter = t.pending.take().filter(|p| p.nr == *nr);
                let changes = effects::effect(*nr) != effects::Effect::None;
                if let Some(desc) = changes.then(|| syscalls::lookup(*nr)).flatten() {
                    let empty: &[syspect_capture::Arg] = &[];
                    let mut merged =
                        desc.merge_args(enter.as_ref().map_or(empty, |p| &p.args), Some(args));
                    // What a source knew beyond the table's arguments follows them.
                    merged.extend(args.iter().skip(desc.exit_arg_count()).map(Some));
                    self.apply_effect(ev.tid, ev.pid, *nr, &merged, *ret);
                }
                Some(Completed { enter })
            }
            EventKind::Clone {
                child_tid,
                child_pid,
                flags,
            } => {
                let parent = self.threads.entry(ev.tid, ev.pid).info.clone();
                let mut info = parent.clone();
                info.tid = *child_tid;
                info.pid = *child_pid;
                info.vtid = 0;
                info.vpid = 0;
                info.start_ts = ev.ts;
                if child_pid != &parent.pid {
                    info.ppid = parent.pid;
                    if flags & libc::CLONE_FILES as u64 == 0 {
                        self.fds.fork(parent.pid, *child_pid);
                    }
                }
                // The child may already be known (its first stop came before this event).
                let comm_known = self
                    .threads
                    .get(*child_tid)
                    .map(|t| !t.info.comm.is_empty());
                if comm_known != Some(true) {
                    self.threads.insert(info);
                }
                // a new process starts with its parent's environment
                if *child_pid != parent.pid {
                    let env = self.threads.get(parent.pid).and_then(|t| t.env.clone());
                    if let Some(t) = self.threads.get_mut(*child_tid) {
                        t.env = env;
                    }
                }
                if *child_pid == parent.pid && *child_tid != parent.pid {
                    if let Some(t) = self.threads.get_mut(*child_tid) {
                        t.creator = Some(ev.tid);
                    }
                }
                None
            }
            EventKind::Exec(x) => {
                let syspect_capture::event::Exec {
                    old_tid,
                    exe,
                    args,
                    cwd,
                    comm,
                    cgroup,
                } = &**x;
                if *old_tid != ev.tid {
                    if let Some(old) = self.threads.remove(*old_tid) {
                        let t = self.threads.entry(ev.tid, ev.pid);
                        t.info = old.info;
                        t.info.tid = ev.tid;
                    }
                }
                // the kernel's name for the image when the engine sent it (`cat` for
                // busybox's /bin/cat), else the executable's
                let comm = if comm.is_empty() {
                    args.first()
                        .filter(|_| exe.is_empty())
                        .map(|a| threads::comm_from_exe(a))
                        .unwrap_or_else(|| threads::comm_from_exe(exe))
                } else {
                    comm.clone()
                };
                {
                    let t = self.threads.entry(ev.tid, ev.pid);
                    if !cwd.is_empty() {
                        t.info.cwd = cwd.clone();
                    }
                    // the container it runs in, even when it was gone before /proc was read
                    if !cgroup.is_empty() {
                        t.info.cgroup = cgroup.clone();
                    }
                }
                self.threads.set_process_image(ev.pid, &comm, exe, args);
                self.fds.exec(ev.pid);
                None
            }
            EventKind::ThreadExit { .. } => {
                self.threads.entry(ev.tid, ev.pid).dead = true;
                self.reap.push(ev.tid);
                None
            }
            EventKind::Sample {
                cpu_ns,
                rss_kb,
                vsz_kb,
            } => {
                // the process's latest figures, on its main thread (as the snapshot has them)
                if let Some(t) = self.threads.get_mut(ev.pid) {
                    t.sample = Some([*cpu_ns, *rss_kb, *vsz_kb]);
                }
                None
            }
            EventKind::Signal { .. }
            | EventKind::Drops { .. }
            | EventKind::Other { .. }
            | EventKind::Injected { .. }
            | EventKind::Stack { .. } => None,
        }
    }

    /// The state as records, for the start of a new trace file (rotation): threads, fds,
    /// users, groups and containers as they are now.
    pub fn to_records(&self) -> Vec<Record> {
        use syspect_capture::event::{FdInfo, GroupInfo};
        let mut v: Vec<Record> = Vec::new();
        v.extend(self.users.values().map(|u| Record::User(u.clone())));
        v.extend(self.groups.iter().map(|(gid, name)| {
            Record::Group(GroupInfo {
                gid: *gid,
                name: name.clone(),
            })
        }));
        v.extend(
            self.containers
                .values()
                .cloned()
                .map(|v| Record::Container(Box::new(v))),
        );
        v.extend(self.threads.iter().filter(|t| !t.dead).map(|t| {
            let mut info = t.info.clone();
            // a new file's figures are those of now
            [info.cpu_ns, info.rss_kb, info.vsz_kb] = t.figures();
            Record::Thread(Box::new(info))
        }));
        for pid in self.fds.pids() {
            for (fd, f) in self.fds.of(pid) {
                v.push(Record::Fd(FdInfo {
                    pid,
                    fd,
                    kind: f.kind,
                    name: f.name.clone(),
                    sock: f.sock,
                    flags: f.flags,
                }));
            }
        }
        v
    }

    /// The thread that made `ev`.
    #[inline]
    pub fn thread(&self, tid: Tid) -> Option<&Thread> {
        self.threads.get(tid)
    }

    /// User name of `uid`, if the trace knows it.
    pub fn user_name(&self, uid: u32) -> Option<&[u8]> {
        self.users.get(&uid).map(|u| u.name.as_slice())
    }
}

/// `dst = src.clone()`, keeping `dst`'s allocations where an argument has the same kind.
fn assign_args(dst: &mut Vec<syspect_capture::Arg>, src: &[syspect_capture::Arg]) {
    use syspect_capture::Arg;
    // Mostly of the same length (the last call of the same syscall): the calls that truncate
    // and extend by nothing cost more than the copy of a few numbers.
    if dst.len() > src.len() {
        dst.truncate(src.len());
    }
    for (d, s) in dst.iter_mut().zip(src) {
        match (d, s) {
            (Arg::Num(d), Arg::Num(s)) => *d = *s,
            (Arg::Buf { data, len }, Arg::Buf { data: sd, len: sl }) => {
                data.clone_from(sd);
                *len = *sl;
            }
            (
                Arg::Str { data, trunc },
                Arg::Str {
                    data: sd,
                    trunc: st,
                },
            ) => {
                data.clone_from(sd);
                *trunc = *st;
            }
            (d, s) => *d = s.clone(),
        }
    }
    if let Some(more) = src.get(dst.len()..).filter(|m| !m.is_empty()) {
        dst.extend_from_slice(more);
    }
}

#[cfg(test)]
mod tests {
    use super::assign_args;
    use syspect_capture::Arg;

    #[test]
    fn assigned_arguments_equal_their_source_whatever_was_there() {
        let buf = |b: &[u8], len| Arg::Buf {
            data: b.to_vec(),
            len,
        };
        let shapes = [
            vec![],
            vec![Arg::Num(3), buf(b"abc", 3), Arg::Num(1)],
            vec![Arg::Num(9), Arg::Num(2)],
            vec![
                Arg::Str {
                    data: b"/etc".to_vec(),
                    trunc: false,
                },
                buf(b"x", 100),
                Arg::Fault(0x10),
                Arg::List(vec![buf(b"y", 1)]),
            ],
        ];
        for from in &shapes {
            for to in &shapes {
                let mut dst = from.clone();
                assign_args(&mut dst, to);
                assert_eq!(&dst, to, "{from:?} -> {to:?}");
            }
        }
    }
}
