//! The eBPF engine: every syscall on the host from BTF-typed raw tracepoints, through one BPF
//! ring buffer. The kernel side is C (`ebpf/bpf/syspect.bpf.c`, ABI in `ebpf/bpf/abi.h`); this
//! module loads it with aya, fills its maps and turns its records into [`Event`]s.
//!
//! # Key decisions
//!
//! - **Programs**: `tp_btf` on `sys_enter`, `sys_exit`, `sched_switch`, `sched_process_fork`,
//!   `sched_process_exec`, `sched_process_exit` and `cgroup_attach_task` (the cheapest to
//!   attach; no tracefs needed), `sys_enter` last.
//! - **One record per call**: the enter's record (registers, and the items read at enter) is
//!   kept in the `sp_inflight` array (a slot per tid modulo 65536) and sent with the exit's as one
//!   `SP_REC_CALL`, which [`decode`] turns into the Enter and Exit events; this halves the
//!   ring traffic and the records to decode. A call whose thread leaves the CPU (it sleeps:
//!   waits for data, a lock, a child, a timer; or it is preempted) has its enter sent as an
//!   `SP_REC_ENTER` when its thread is switched out (`sched_switch`), and its exit then comes
//!   alone: such a call is seen while it blocks, and events come out in time order, but for a
//!   call that ran on without a switch, whose Enter comes just before its Exit (after the
//!   events of other CPUs during it: microseconds). A call still in
//!   that map when the capture stops is sent by [`Engine::poll`] as an Enter at the end. Calls
//!   with lifecycle events between enter and exit (fork, clone, exec), calls that never return
//!   (exit, exit_group), rt_sigreturn (its exit sees restored registers), enters whose items
//!   pass 168 bytes, and enters whose slot holds another thread's call are sent as an
//!   `SP_REC_ENTER` at once, and end with an `SP_REC_EXIT`, as before. When a thread exits, a
//!   kept enter of a call it never returned from is sent then.
//!   The exit reads pointer arguments from the saved user registers, which still hold the
//!   call's arguments.
//! - **Arguments** come from the one syscall table: at load user space writes, per syscall
//!   number, how to read each argument ([`maps::syscall_spec`], the `sp_syscalls` array). The
//!   program reads `In`/`InOut` pointers at enter and `Out`/`InOut` ones at the exit of a call
//!   that succeeded; scalar arguments, NULL pointers and the exit arguments of failed calls
//!   are rebuilt here from the six registers every record carries. The rules are the ptrace
//!   engine's (`ptrace/fetch.rs`), and a test checks that both engines give the same events for
//!   the same command. Limits of the kernel side: the snap length is capped at 4096 bytes;
//!   paths are kept to 4096 bytes, memory and arrays to 4096 (the table's `MAX_MEM` is larger),
//!   at most 64 argv strings with 4096 bytes in all (counted up to 1024), at most 64 iovecs.
//! - **Maps**: the per-syscall `sp_syscalls` entry also carries the syscall filter; the maps
//!   are `sp_events` (ring buffer), `sp_inflight` (array by tid modulo its size),
//!   `sp_syscalls` (array by syscall number), `sp_pids` (hash by tgid: traced or armed),
//!   `sp_cgroups` (hash by cgroup id), `sp_drops` (per-CPU counter), `sp_retry` (LRU hash by
//!   tid, see below) and `sp_scratch` (per-CPU record buffer).
//!   The child's side of fork/clone has no Exit event, and rt_sigreturn's exit (whose
//!   registers are restored, orig_ax -1) is recognised, as strace shows them.
//! - **Transport**: records are built in a per-CPU scratch buffer and copied with
//!   `bpf_ringbuf_output(BPF_RB_NO_WAKEUP)`; the program wakes the reader only with the record
//!   that takes the unread data across [`EbpfConfig::wake_bytes`] (or half the ring), so a lagging
//!   reader costs no wake-up per event, and [`Engine::poll`] otherwise finds the data on a
//!   10 ms timer (poll(2) on the ring's fd), draining in batches. A full ring drops the record
//!   and counts the events it held (two for a whole call) in the per-CPU `sp_drops` array;
//!   increases become [`EventKind::Drops`] events and [`Stats::drops`].
//! - **Filters in the kernel**: syspect's own process always out; the syscall set as a flag in
//!   `sp_syscalls`; when pids or cgroups are given, an event passes when its process is in
//!   `sp_pids` (filled with the pids and their current descendants; the program adds each child
//!   forked by a member and forgets a process when its last thread exits) or its cgroup v2 id is
//!   in `sp_cgroups`. Lifecycle events pass the same pid/cgroup filter but not the syscall one.
//!   The cgroup set can grow while capturing ([`Engine::add_cgroups`]: a wanted container that
//!   starts later), and the filter can be on with the set still empty
//!   ([`CaptureOptions::cgroup_filter`]). Both filters are asked on every syscall of every
//!   process not kept, so each CPU keeps its last answer of each (`sp_pid_cache`,
//!   `sp_cg_cache`: the tgid or cgroup id asked about, and the answer), good while the set's
//!   generation (`sp_pid_gen`, bumped by the programs after each change they make to `sp_pids`;
//!   `sp_cg_gen`, bumped by user space after adding cgroups) is the one it was taken under.
//!   Before either, the syscall programs ask the CPU's last answer by thread, known by the
//!   address of its saved registers (no helper call, no loads from the task); the programs bump
//!   `sp_task_gen`, under which that answer is also taken, at every fork (a new thread may get
//!   the stack of one gone) and every cgroup migration (a program on `cgroup_attach_task`).
//! - **A command** ([`EbpfEngine::start_for_command`]) is forked held on a pipe, put in `sp_pids`
//!   as "armed", released, and traced from its execve on.
//! - **Untouched pages**: the program cannot fault pages in, so an input string in a page the
//!   process never touched (a literal in a library) cannot be read at enter. Such an enter is
//!   flagged, its exit reads the strings again (the kernel has touched them by then), and the
//!   enter event is patched with them: in the call's one record, or, for an enter sent alone,
//!   held here until that exit; it then comes out just before its exit.
//! - **Time**: the program stamps `bpf_ktime_get_boot_ns()`; user space adds CLOCK_REALTIME -
//!   CLOCK_BOOTTIME measured once at start.
//! - **Samples**: once a second, /proc/PID/stat and statm of each process seen give a
//!   [`EventKind::Sample`] ([`super::samples`]); in a capture of the whole host, also of each
//!   process whose CPU time grew, so that one that computes without syscalls is in `top`.
//! - **Exec**: the kernel sends the file that runs (`bprm->interp`) and the new image's argv;
//!   the file name is made canonical here (as `/proc/PID/exe` shows it) and the working
//!   directory read from /proc (empty when the process is already gone).
//! - **Cgroups**: every record carries the thread's cgroup v2 id; [`EbpfEngine::cgroup_of`]
//!   gives the last one seen for a process (the event model has no field for it). When a
//!   process seen before shows up in another cgroup (`docker exec` moves a new process into
//!   the container's), its [`Record::Thread`]s are read again from /proc and sent before that
//!   event, so readers name the right container. Under the cgroup filter the same is done for
//!   a process at its first event: it may have been moved into a kept cgroup from outside the
//!   capture's view, where no record named it (a child forked in view is known from its
//!   Clone event); when it is already gone, its thread records carry only the cgroup's path,
//!   found from its id.
//!
//! Cost, measured here (2 busy cores shared with other work, so ratios only; BENCHMARKS.md
//! has the table and `scripts/bench-ebpf.sh` measures it): a full capture of
//! `dd if=/dev/zero of=/dev/null bs=1 count=500k` (2 million events, no drops) costs dd
//! 3.0-3.9x its untraced CPU time, of which 1.8-1.9x is the floor of having any program
//! attached to every syscall; the programs take about 550 ns per call, enter and exit together
//! (bpf_stats; 594 ns with two records per call), and the reader 400-500 ns per event on the
//! other core, mostly building, copying and encoding the events. `cargo test --release -p
//! syspect-capture --test ebpf -- --ignored --nocapture dd_overhead` measures the dd case alone.

pub mod command;
pub mod decode;
pub mod loader;
pub mod maps;
pub mod pool;
pub mod ring;

use super::samples;

use std::collections::{HashMap, HashSet};
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use self::command::HeldChild;
use self::decode::{patch_enter, Decoder};
pub use self::loader::EbpfConfig;
use self::loader::Loaded;
use self::ring::Ring;
use super::{CaptureOptions, Engine, EngineError, Stats, Status};
use crate::event::{Event, EventKind, Record, Tid};
use crate::procfs;
use std::mem::size_of;
use syspect_ebpf::{hdr, Inflight, SyscallRec};

/// Records handed out per poll at most (bounds memory when the ring is full).
const MAX_BATCH: usize = 65536;
/// A poll that drained fewer records than this waits one timer tick for more before returning.
const MIN_BATCH: usize = 4096;
/// How long a poll sleeps between drains when the program did not wake it.
const TICK: Duration = Duration::from_millis(10);
const DROP_CHECK: Duration = Duration::from_millis(100);
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// The eBPF capture engine. See the module docs for how it works.
pub struct EbpfEngine {
    loaded: Loaded,
    /// The batch reader of `loaded.ring` (see [`ring`]).
    ring: Ring,
    decoder: Decoder,
    child: Option<HeldChild>,
    /// Command mode: processes of the command's tree believed alive.
    tree: HashSet<Tid>,
    /// Processes seen, with the cgroup id of their last event.
    seen: HashMap<Tid, u64, BuildIdHasher>,
    /// The (pid, cgroup) pairs last written into `seen`, one per pid, each as `seen` holds it:
    /// events of these processes skip the map (a pipeline's processes take turns: with only
    /// the last pair, `tar | cat` looked the map up at nearly every event).
    last_seen: Recent,
    /// Enter events held until their exit re-reads an input string (`hdr::RETRY`), by tid.
    held: HashMap<Tid, Event>,
    last_drops: Vec<u64>,
    last_drop_check: Instant,
    last_sample: Instant,
    stats: Stats,
    undecodable: u64,
    /// Vectors of events already handed out and given back ([`Engine::recycle`]).
    pool: pool::ArgPool,
    stopped: bool,
    ended: bool,
    /// A capture of the whole host: every process's CPU time, to sample those that ran.
    host_cpu: Option<samples::HostCpu>,
    /// The kernel keeps only some cgroups' events (`--container`).
    by_cgroup: bool,
}

/// The thread records of process `pid` as /proc has them now; when it is already gone, those
/// of `pid` and `tid` with only their cgroup's path (from its id, `cgroup`), so that a reader
/// still names their container.
fn threads_now(pid: Tid, tid: Tid, cgroup: u64) -> Vec<Record> {
    let now = procfs::threads_of(pid);
    if !now.is_empty() {
        return now;
    }
    let path = crate::container::cgroup::path_of_cgroup_id(cgroup).unwrap_or_default();
    let mut ids = vec![pid];
    if tid != pid {
        ids.push(tid);
    }
    ids.into_iter()
        .map(|tid| {
            Record::Thread(Box::new(crate::event::ThreadInfo {
                tid,
                pid,
                cgroup: path.clone().into_bytes(),
                ..Default::default()
            }))
        })
        .collect()
}

impl EbpfEngine {
    /// Capture system-wide (or the pids and cgroups `opts` names). `opts.command` is ignored:
    /// use [`EbpfEngine::start_for_command`].
    pub fn start(opts: &CaptureOptions) -> Result<Self, EngineError> {
        Self::start_with(opts, EbpfConfig::default())
    }

    /// [`EbpfEngine::start`] with a chosen ring buffer size and wake-up threshold.
    pub fn start_with(opts: &CaptureOptions, cfg: EbpfConfig) -> Result<Self, EngineError> {
        let mut engine = Self::new(loader::load(opts, None, cfg)?, None, cfg)?;
        engine.by_cgroup = !opts.cgroups.is_empty() || opts.cgroup_filter;
        if opts.pids.is_empty() && !engine.by_cgroup {
            engine.host_cpu = Some(samples::HostCpu::now());
        }
        Ok(engine)
    }

    /// Start `opts.command` and trace it and its descendants (and whatever else `opts` names).
    pub fn start_for_command(opts: &CaptureOptions) -> Result<Self, EngineError> {
        Self::start_for_command_with(opts, EbpfConfig::default())
    }

    /// [`EbpfEngine::start_for_command`] with a chosen transport configuration.
    pub fn start_for_command_with(
        opts: &CaptureOptions,
        cfg: EbpfConfig,
    ) -> Result<Self, EngineError> {
        let argv = opts.command.as_deref().unwrap_or_default();
        if argv.is_empty() {
            return Err(EngineError::Spawn {
                command: String::new(),
                source: std::io::Error::other("no command given"),
            });
        }
        // check first: a failed load must not leave a held child behind (Drop kills it anyway)
        loader::check_privilege()?;
        let launch = crate::engine::launch::Launch::new(&opts.env, opts.run_as.as_ref()).map_err(
            |source| EngineError::Spawn {
                command: argv[0].to_string_lossy().into_owned(),
                source,
            },
        )?;
        let mut child = HeldChild::spawn(argv, &launch)?;
        let loaded = loader::load(opts, Some(child.pid), cfg)?;
        let mut engine = Self::new(loaded, None, cfg)?;
        engine.by_cgroup = !opts.cgroups.is_empty() || opts.cgroup_filter;
        child.release()?;
        engine.child = Some(child);
        if let Some(c) = &engine.child {
            engine.tree.insert(c.pid);
        }
        Ok(engine)
    }

    fn new(loaded: Loaded, child: Option<HeldChild>, cfg: EbpfConfig) -> Result<Self, EngineError> {
        let ring = Ring::new(loaded.ring.fd().as_fd(), cfg.ring_bytes).map_err(|source| {
            EngineError::Io {
                context: "cannot map the BPF ring buffer".into(),
                source,
            }
        })?;
        let now = Instant::now();
        Ok(EbpfEngine {
            loaded,
            ring,
            decoder: Decoder::new(),
            child,
            tree: HashSet::new(),
            seen: HashMap::default(),
            last_seen: Recent::default(),
            held: HashMap::new(),
            last_drops: Vec::new(),
            last_drop_check: now,
            last_sample: now,
            stats: Stats::default(),
            undecodable: 0,
            pool: pool::ArgPool::default(),
            stopped: false,
            ended: false,
            host_cpu: None,
            by_cgroup: false,
        })
    }

    /// The pid of the command the engine started, if any.
    pub fn child_pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.pid)
    }

    /// The cgroup v2 id of process `pid` as of its last event, if the capture saw it.
    pub fn cgroup_of(&self, pid: Tid) -> Option<u64> {
        self.seen.get(&pid).copied()
    }

    /// Records the kernel sent that could not be decoded (should stay 0).
    pub fn undecodable(&self) -> u64 {
        self.undecodable
    }

    /// Move up to `max` records from the ring into `out`; returns how many were taken.
    fn drain(&mut self, out: &mut Vec<Record>, max: usize) -> usize {
        let Self {
            ring,
            decoder,
            held,
            seen,
            last_seen,
            child,
            tree,
            stats,
            undecodable,
            pool,
            by_cgroup,
            ..
        } = self;
        let command = child.is_some();
        let by_cgroup = *by_cgroup;
        ring.drain(max, |rec| {
            let d = match decoder.decode_with(rec, pool) {
                Ok(d) => d,
                Err(_) => {
                    *undecodable += 1;
                    return;
                }
            };
            let ev = d.event;
            let enter = d.enter;
            if !held.is_empty() || d.flags & hdr::RETRY != 0 {
                if let Some(mut enter) = held.remove(&ev.tid) {
                    if matches!(ev.kind, EventKind::Exit { .. }) {
                        patch_enter(&mut enter, d.redo);
                    }
                    stats.events += 1;
                    out.push(Record::Event(enter));
                }
                if d.flags & hdr::RETRY != 0 && matches!(ev.kind, EventKind::Enter { .. }) {
                    held.insert(ev.tid, ev);
                    return;
                }
            }
            if !last_seen.has(ev.pid, d.cgroup) {
                last_seen.put(ev.pid, d.cgroup);
                let old = seen.insert(ev.pid, d.cgroup);
                // It joined another cgroup (`docker exec`), or, under the cgroup filter, it
                // comes into view for the first time: perhaps moved into a kept cgroup from
                // outside it, where no record named it. Its threads, with the cgroup path,
                // before the event.
                if old.is_some_and(|old| old != d.cgroup) || (old.is_none() && by_cgroup) {
                    out.extend(threads_now(ev.pid, ev.tid, d.cgroup));
                }
            }
            if let EventKind::Clone { child_pid, .. } = ev.kind {
                if command {
                    tree.insert(child_pid);
                }
                // a child starts in its parent's cgroup, and this event names it: no need to
                // look it up at its first event (a child put elsewhere by clone3's
                // CLONE_INTO_CGROUP shows up in another cgroup, and is looked up then)
                if by_cgroup {
                    seen.insert(child_pid, d.cgroup);
                }
            }
            if let Some(enter) = enter {
                stats.events += 1;
                out.push(Record::Event(enter));
            }
            stats.events += 1;
            out.push(Record::Event(ev));
        })
    }

    /// The enters of calls still running when the programs were detached (kept in the
    /// kernel's in-flight map, their exit never sent), oldest first.
    fn pending_enters(&mut self) -> Vec<Event> {
        let mut evs = Vec::new();
        let slots = self.loaded.inflight.bytes();
        for slot in slots.chunks_exact(size_of::<Inflight>()) {
            // SAFETY: a slot is an Inflight (#[repr(C)] integers and bytes, any bit pattern
            // valid), read unaligned from the mapping; the programs are detached.
            let fl: Inflight = unsafe { std::ptr::read_unaligned(slot.as_ptr().cast()) };
            if fl.rec.hdr.flags & hdr::PENDING == 0 {
                continue;
            }
            let len = (fl.rec.ret.max(0) as usize).min(fl.data.len());
            let mut b = Vec::with_capacity(size_of::<SyscallRec>() + len);
            b.extend_from_slice(bytes_of(&fl.rec));
            b.extend_from_slice(&fl.data[..len]);
            match self.decoder.decode(&b) {
                Ok(d) => evs.push(d.event),
                Err(_) => self.undecodable += 1,
            }
        }
        evs
    }

    /// Drops and samples, when due (`force`: now).
    fn housekeeping(&mut self, out: &mut Vec<Record>, force: bool) {
        let now = Instant::now();
        if force || now.duration_since(self.last_drop_check) >= DROP_CHECK {
            self.last_drop_check = now;
            self.check_drops(out);
        }
        if !force && now.duration_since(self.last_sample) >= SAMPLE_EVERY {
            self.last_sample = now;
            self.samples(out);
        }
    }

    fn check_drops(&mut self, out: &mut Vec<Record>) {
        let Ok(values) = self.loaded.drops.get(&0, 0) else {
            return;
        };
        let values: Vec<u64> = values.iter().copied().collect();
        if self.last_drops.len() < values.len() {
            self.last_drops.resize(values.len(), 0);
        }
        let ts = self.decoder.wall(boot_now());
        for (cpu, (&now, last)) in values.iter().zip(self.last_drops.iter_mut()).enumerate() {
            if now > *last {
                let count = now - *last;
                *last = now;
                self.stats.drops += count;
                out.push(Record::Event(Event {
                    ts,
                    tid: 0,
                    pid: 0,
                    cpu: cpu.min(u16::MAX as usize) as u16,
                    kind: EventKind::Drops {
                        cpu: cpu.min(u16::MAX as usize) as u16,
                        count,
                    },
                }));
            }
        }
    }

    fn samples(&mut self, out: &mut Vec<Record>) {
        let ts = self.decoder.wall(boot_now());
        let mut gone = Vec::new();
        for &pid in self.seen.keys() {
            match samples::record(pid, ts) {
                Some(r) => out.push(r),
                None => gone.push(pid),
            }
        }
        for pid in gone {
            self.seen.remove(&pid);
            self.last_seen.forget(pid);
        }
        // the rest of the host: the processes that ran without a syscall kept
        if let Some(host) = &mut self.host_cpu {
            let me = std::process::id();
            let seen = &self.seen;
            let ran = host.ran(|p| p == me || seen.contains_key(&p));
            out.extend(ran.into_iter().filter_map(|pid| samples::record(pid, ts)));
        }
    }

    /// Command mode: whether the command and every process of its tree have ended.
    fn command_done(&mut self) -> bool {
        let Some(child) = self.child.as_mut() else {
            return false;
        };
        if !child.wait(false) {
            return false;
        }
        self.tree.retain(|&p| samples::alive(p));
        self.tree.is_empty()
    }

    /// Detach the programs (records already in the ring stay readable).
    fn detach(&mut self) {
        self.loaded.bpf = None;
    }

    /// Wait until the ring's fd is readable (the program woke us) or `d` passes.
    fn wait(&self, d: Duration) {
        let mut pfd = libc::pollfd {
            fd: self.loaded.ring.fd().as_fd().as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = d.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one pollfd we own.
        unsafe { libc::poll(&mut pfd, 1, ms) };
    }

    /// After stop or the command's end: drain what is left and end.
    fn finish(&mut self, out: &mut Vec<Record>) -> Status {
        self.detach();
        if self.drain(out, MAX_BATCH) == MAX_BATCH {
            // perhaps more than one batch left: hand this one out, finish on the next poll
            self.stopped = true;
            return Status::More;
        }
        // enters whose exit never came (the call was still running)
        let mut held: Vec<Event> = self.held.drain().map(|(_, e)| e).collect();
        held.extend(self.pending_enters());
        held.sort_by_key(|e| e.ts);
        self.stats.events += held.len() as u64;
        out.extend(held.into_iter().map(Record::Event));
        self.housekeeping(out, true);
        self.ended = true;
        Status::End
    }
}

/// The last few (pid, cgroup) pairs written into the map of processes seen, at most one per
/// pid.
#[derive(Debug, Default)]
struct Recent {
    pairs: [(Tid, u64); 4],
    next: usize,
}

impl Recent {
    #[inline]
    fn has(&self, pid: Tid, cgroup: u64) -> bool {
        self.pairs.contains(&(pid, cgroup))
    }

    /// `pid`'s cgroup is now `cgroup`: its pair replaces the one of the same pid, if any,
    /// else the oldest-taken.
    fn put(&mut self, pid: Tid, cgroup: u64) {
        let i = match self.pairs.iter().position(|p| p.0 == pid) {
            Some(i) => i,
            None => {
                let i = self.next;
                self.next = (i + 1) % self.pairs.len();
                i
            }
        };
        self.pairs[i] = (pid, cgroup);
    }

    /// `pid` left the map (its process is gone; the pid may come back as another).
    fn forget(&mut self, pid: Tid) {
        for p in self.pairs.iter_mut().filter(|p| p.0 == pid) {
            *p = (0, 0);
        }
    }
}

/// A hasher for pid keys: one multiply instead of SipHash on the per-event path (pids are not
/// attacker-chosen in a way that matters for a map this small).
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (v as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type BuildIdHasher = std::hash::BuildHasherDefault<IdHasher>;

/// The bytes of a record struct.
fn bytes_of(r: &SyscallRec) -> &[u8] {
    // SAFETY: SyscallRec is #[repr(C)], made of integers with no implicit padding (its layout
    // is checked at compile time in syspect-ebpf); any byte of it may be read.
    unsafe {
        std::slice::from_raw_parts(
            (r as *const SyscallRec).cast::<u8>(),
            size_of::<SyscallRec>(),
        )
    }
}

/// CLOCK_BOOTTIME now, ns (the program's clock).
fn boot_now() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
    (ts.tv_sec as u64) * 1_000_000_000 + ts.tv_nsec as u64
}

impl Engine for EbpfEngine {
    fn command_pid(&self) -> Option<u32> {
        self.child_pid()
    }

    fn poll(&mut self, out: &mut Vec<Record>, timeout: Duration) -> Result<Status, EngineError> {
        if self.ended {
            return Ok(Status::End);
        }
        let deadline = Instant::now() + timeout;
        let start = out.len();
        let mut waited = false;
        loop {
            if self.stopped {
                return Ok(self.finish(out));
            }
            self.drain(out, MAX_BATCH);
            self.housekeeping(out, false);
            if self.command_done() {
                return Ok(self.finish(out));
            }
            let got = out.len() - start;
            let now = Instant::now();
            if got >= MIN_BATCH || (got > 0 && waited) || now >= deadline {
                return Ok(Status::More);
            }
            self.wait(TICK.min(deadline - now));
            waited = true;
        }
    }

    fn stop(&mut self) {
        if self.stopped || self.ended {
            return;
        }
        self.stopped = true;
        self.detach();
        if let Some(c) = self.child.as_mut() {
            c.kill();
        }
    }

    fn exit_code(&self) -> Option<i32> {
        self.child.as_ref().and_then(HeldChild::exit_code)
    }

    fn recycle(&mut self, records: &mut Vec<Record>) {
        self.pool.give_all(records);
    }

    fn stats(&self) -> Stats {
        self.stats
    }

    fn add_cgroups(&mut self, ids: &[u64]) -> Result<(), EngineError> {
        for id in ids {
            self.loaded
                .cgroups
                .insert(id, 1, 0)
                .map_err(|e| EngineError::Bpf(format!("cannot add cgroup {id}: {e}")))?;
        }
        // after the additions: the programs' cached answers taken before them go stale
        let gen = &mut self.loaded.cgroups_gen;
        let g = gen.get(&0, 0).unwrap_or(0);
        gen.set(0, g.wrapping_add(1), 0)
            .map_err(|e| EngineError::Bpf(format!("cannot bump the cgroup generation: {e}")))?;
        Ok(())
    }
}

impl Drop for EbpfEngine {
    fn drop(&mut self) {
        self.detach();
        if let Some(c) = self.child.as_mut() {
            c.kill();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<EbpfEngine>();
    }

    #[test]
    fn recent_pairs_follow_each_pids_cgroup() {
        let mut r = Recent::default();
        r.put(10, 1);
        r.put(11, 1);
        assert!(r.has(10, 1) && r.has(11, 1));
        // 10 moved to cgroup 2 and back: the pair of 10 is its latest only
        r.put(10, 2);
        assert!(r.has(10, 2) && !r.has(10, 1));
        for pid in 20..24 {
            r.put(pid, 1);
        }
        assert!(!r.has(10, 2) && r.has(23, 1));
        r.forget(23);
        assert!(!r.has(23, 1) && r.has(22, 1));
    }

    #[test]
    fn id_hasher_spreads_pids() {
        use std::hash::{BuildHasher, Hasher};
        let b = BuildIdHasher::default();
        let h = |v: u32| {
            let mut h = b.build_hasher();
            h.write_u32(v);
            h.finish()
        };
        assert_ne!(h(1), h(2));
        assert_eq!(h(7), h(7));
    }
}
