//! The ptrace engine: runs a command (or attaches to pids) and records every syscall of every
//! thread it follows, without privilege beyond owning the processes.
//!
//! ```
//! use std::time::Duration;
//! use syspect_capture::engine::{ptrace::PtraceEngine, CaptureOptions, Engine, Status};
//! use syspect_capture::event::{EventKind, Record};
//!
//! let opts = CaptureOptions {
//!     command: Some(vec!["/bin/sh".into(), "-c".into(), "exit 3".into()]),
//!     ..CaptureOptions::default()
//! };
//! let mut engine = PtraceEngine::spawn(&opts)?;
//! let mut records = Vec::new();
//! while engine.poll(&mut records, Duration::from_millis(100))? == Status::More {}
//! assert_eq!(engine.exit_code(), Some(3));
//! assert!(records.iter().any(|r| matches!(r, Record::Event(e)
//!     if matches!(e.kind, EventKind::Exec(_)))));
//! # Ok::<(), syspect_capture::engine::EngineError>(())
//! ```
//!
//! # How it works
//! - **Starting** ([`spawn`](PtraceEngine::spawn), module `spawn`): fork, the child waits on a
//!   pipe, the parent `PTRACE_SEIZE`s it, then the child execs. The child's own set-up syscalls
//!   are not recorded; the recorded stream starts with the command's `execve` enter and its
//!   [`Exec`](crate::event::EventKind::Exec) event. [`attach`](PtraceEngine::attach) (module `attach`)
//!   seizes every thread of running processes.
//! - **Options**: `TRACESYSGOOD` (syscall stops are `SIGTRAP|0x80`), `TRACEFORK`, `TRACEVFORK`,
//!   `TRACECLONE` (children and threads are followed automatically), `TRACEEXEC`, `TRACEEXIT`;
//!   for a spawned command also `EXITKILL` and, with a syscall set, `TRACESECCOMP`.
//! - **Syscalls**: `PTRACE_GET_SYSCALL_INFO` gives the number, arguments and return value at
//!   each stop (one call); the entry's registers are kept per thread for the exit, which reads
//!   output arguments through the same pointers. Arguments are read as the syscall table says
//!   (module `fetch`), with `process_vm_readv`.
//! - **Syscall sets** (`opts.syscalls`) on a spawned command: a seccomp-bpf filter (module
//!   `seccomp`) makes only those syscalls (plus clone/clone3, whose flags the Clone event needs)
//!   stop the tracee; the engine restarts tracees with `PTRACE_CONT` and switches to
//!   `PTRACE_SYSCALL` after a seccomp stop to see that call's exit. Fork, exec, exit and
//!   signals are ptrace events and are recorded whatever the set. On attached processes the
//!   set only narrows what is recorded.
//! - **Processes and threads**: Event.pid is the thread group id, known from the clone flags
//!   (`CLONE_THREAD`) or, at attach, from `/proc/TID/status`. A new child's first stop can come
//!   before its parent's fork/clone event; the child is held stopped until that event, so that
//!   its events follow the Clone event (and let go after [`EARLY_GRACE`] if the event never
//!   comes). When a non-leader thread execs, the kernel gives it the leader's tid; the Exec
//!   event's `old_tid` is the former tid (`PTRACE_GETEVENTMSG`; equal to the tid when the
//!   leader exec'd) and the thread's state moves to the new tid.
//! - **Calls the kernel treats specially**, handled without naming them: execve's exit stop
//!   comes after `PTRACE_EVENT_EXEC` (the in-call state survives the exec); exit/exit_group
//!   and threads killed mid-call have no exit stop (no Exit event); rt_sigreturn's "return
//!   value" is the restored register; an exit stop whose entry was not seen (attached
//!   mid-call) takes the number from `orig_rax` and the arguments from the registers.
//! - **Signals**: at a signal-delivery-stop a [`Signal`](crate::event::EventKind::Signal) event is recorded
//!   and the signal is delivered by the restart, so tracees see the signals they would
//!   untraced. Group-stops (`PTRACE_EVENT_STOP` with a stop signal) are left stopped with
//!   `PTRACE_LISTEN`, as `PTRACE_SEIZE` allows.
//! - **Only x86_64 syscalls are recorded**: a 64-bit process's `int 0x80` calls and x32 calls
//!   use other numbers than the table's; they are followed but not recorded.
//!
//! # Threads and waiting
//! ptrace ties a tracee to the tracer *thread*, so every ptrace call and every `waitpid` must
//! come from the thread that created the engine: **poll it from that thread** (`poll` returns
//! an error otherwise; `stop` and drop do nothing elsewhere, and when that thread ends the
//! kernel detaches its tracees, killing the spawned ones through `PTRACE_O_EXITKILL`). `waitpid` uses `__WALL | __WNOTHREAD`, so engines in different threads
//! of one process (tests) never take each other's children; the creating thread should not
//! have other children of its own to wait for. `waitpid` has no timeout: a per-engine POSIX
//! timer signals the thread (module `timer`) so that a blocked `waitpid` returns `EINTR`.
//! [`poll`](Engine::poll) gathers stops until it has [`BATCH`] records, or the timer fires
//! ([`LINGER`] after the call began, at most `timeout`) with records in hand, or `timeout` has
//! passed; another signal (SIGINT) interrupting `waitpid` ends the call early with
//! [`Status::More`]. (A signal landing between two `waitpid` calls interrupts nothing: then
//! the call ends at `timeout` as usual, so callers poll with a short timeout.) The timer is
//! armed and disarmed once per `poll`, not per stop.
//!
//! # Cost per syscall stop
//! `waitpid`, `PTRACE_GET_SYSCALL_INFO`, one `process_vm_readv` per pointer argument the table
//! asks for, `PTRACE_SYSCALL`; no `/proc` reads (those happen at exec and attach only), a
//! multiplicative-hash map from tid to state, and allocations only for the arguments.

mod attach;
mod fetch;
mod seccomp;
mod spawn;
mod stack;
mod stops;
mod sys;
mod timer;
mod tracee;

use std::io;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use self::timer::WakeTimer;
use self::tracee::{Origin, TraceeMap};
use crate::engine::{inject, samples};
use crate::engine::{CaptureOptions, Engine, EngineError, Stats, Status};
use crate::event::{Record, Tid};

/// Records [`PtraceEngine::poll`] gathers before returning.
pub const BATCH: usize = 4096;
/// How long [`PtraceEngine::poll`] keeps gathering once it has records.
pub const LINGER: Duration = Duration::from_millis(20);
/// How long a new child whose parent's fork/clone event has not come is held.
pub const EARLY_GRACE: Duration = Duration::from_millis(100);

/// ptrace options of every tracee.
/// How often traced processes' CPU time and memory are sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);
const OPTIONS: libc::c_int = libc::PTRACE_O_TRACESYSGOOD
    | libc::PTRACE_O_TRACEFORK
    | libc::PTRACE_O_TRACEVFORK
    | libc::PTRACE_O_TRACECLONE
    | libc::PTRACE_O_TRACEEXEC
    | libc::PTRACE_O_TRACEEXIT;

/// The ptrace capture engine. See the module docs; poll it from the thread that created it.
pub struct PtraceEngine {
    snaplen: usize,
    /// Syscall numbers to record (indexed by number); `None`: all.
    wanted: Option<Vec<bool>>,
    /// Tracees run under a seccomp filter and are restarted with PTRACE_CONT between calls.
    seccomp: bool,
    /// strace's `-e inject=`, by syscall number.
    inject: Vec<Option<inject::Injection>>,
    /// strace's `-k`: the processes' modules, to unwind stacks.
    stacks: Option<stack::Stacks>,
    tracees: TraceeMap,
    /// New children stopped before their parent's event, and since when.
    early: Vec<(Tid, Instant)>,
    /// Threads held stopped by an injection's delay: when to resume them, with which signal.
    held: Vec<(Instant, Tid, libc::c_int)>,
    /// Exits of threads not (yet) known, with their status (see `on_exit`).
    gone: Vec<(Tid, libc::c_int)>,
    /// The spawned command's pid.
    root: Option<Tid>,
    exit_code: Option<i32>,
    /// Records made outside `poll` (start-up, detach), returned by the next `poll`.
    backlog: Vec<Record>,
    stats: Stats,
    timer: WakeTimer,
    owner: ThreadId,
    stopping: bool,
    /// When the last CPU and memory samples were taken.
    sampled: Instant,
}

impl PtraceEngine {
    fn new(opts: &CaptureOptions, seccomp: bool) -> io::Result<PtraceEngine> {
        let wanted = opts.syscalls.as_ref().map(|set| {
            let mut w = vec![false; crate::syscalls::count().max(1) as usize];
            for &nr in set {
                if nr as usize >= w.len() {
                    w.resize(nr as usize + 1, false);
                }
                w[nr as usize] = true;
            }
            w
        });
        Ok(PtraceEngine {
            snaplen: opts.snaplen,
            wanted,
            seccomp,
            inject: inject::by_syscall(&opts.inject),
            stacks: opts.stack_traces.then(stack::Stacks::default),
            tracees: TraceeMap::default(),
            early: Vec::new(),
            held: Vec::new(),
            gone: Vec::new(),
            root: None,
            exit_code: None,
            backlog: Vec::new(),
            stats: Stats::default(),
            timer: WakeTimer::new()?,
            owner: std::thread::current().id(),
            stopping: false,
            sampled: Instant::now(),
        })
    }

    /// CPU time and memory of each traced process, as the eBPF engine gives them, so that
    /// `top` ranks by CPU on a ptrace capture too.
    fn samples(&mut self, out: &mut Vec<Record>) {
        let ts = sys::now_ns();
        let mut pids: Vec<Tid> = self.tracees.values().map(|t| t.pid).collect();
        pids.sort_unstable();
        pids.dedup();
        out.extend(pids.into_iter().filter_map(|pid| samples::record(pid, ts)));
    }

    /// Spawn `opts.command` when there is one (attaching `opts.pids` too), else attach.
    pub fn start(opts: &CaptureOptions) -> Result<PtraceEngine, EngineError> {
        if opts.command.is_some() {
            PtraceEngine::spawn(opts)
        } else {
            PtraceEngine::attach(opts)
        }
    }

    /// The spawned command's pid, if the engine started one.
    pub fn root_pid(&self) -> Option<u32> {
        self.root
    }

    fn done(&self) -> bool {
        self.tracees.is_empty() && self.early.is_empty()
    }

    fn check_thread(&self) -> Result<(), EngineError> {
        if std::thread::current().id() != self.owner {
            return Err(EngineError::Io {
                context: "ptrace engine".into(),
                source: io::Error::new(
                    io::ErrorKind::Unsupported,
                    "polled from a thread other than the one that created it",
                ),
            });
        }
        Ok(())
    }

    /// Whether a pending timer tick says to return now.
    fn time_to_go(&self, have: bool, deadline: Instant) -> bool {
        have || Instant::now() >= deadline
    }
}

impl Engine for PtraceEngine {
    fn command_pid(&self) -> Option<u32> {
        self.root_pid()
    }

    fn poll(&mut self, out: &mut Vec<Record>, timeout: Duration) -> Result<Status, EngineError> {
        self.check_thread()?;
        let start = out.len();
        out.append(&mut self.backlog);
        if self.done() {
            return Ok(if out.len() > start {
                Status::More
            } else {
                Status::End
            });
        }
        let deadline = Instant::now() + timeout;
        self.timer
            .arm(timeout.min(LINGER).max(Duration::from_millis(1)));
        self.release_held(false);
        self.arm_for_held();
        let mut result = Ok(());
        loop {
            if out.len() - start >= BATCH {
                break;
            }
            if self.timer.take_fired() {
                self.release_early(EARLY_GRACE);
                if !self.held.is_empty() {
                    self.release_held(false);
                    self.arm_for_held();
                }
                if self.time_to_go(out.len() > start, deadline) {
                    break;
                }
            }
            match sys::wait(-1, 0) {
                Ok(Some((tid, status))) => {
                    self.handle(tid, status, out);
                    if self.done() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => {
                    if !self.timer.peek_fired() {
                        // Another signal (SIGINT…): let the caller look at it.
                        break;
                    }
                }
                Err(e) if e.raw_os_error() == Some(libc::ECHILD) => {
                    // Nothing left to wait for (tracees gone without a report we could see).
                    self.tracees.clear();
                    self.early.clear();
                    break;
                }
                Err(source) => {
                    result = Err(EngineError::Io {
                        context: "waitpid".into(),
                        source,
                    });
                    break;
                }
            }
        }
        self.timer.disarm();
        result?;
        if self.sampled.elapsed() >= SAMPLE_EVERY && !self.done() {
            self.sampled = Instant::now();
            self.samples(out);
        }
        if self.done() && out.len() == start {
            return Ok(Status::End);
        }
        Ok(Status::More)
    }

    fn stop(&mut self) {
        if self.stopping || self.check_thread().is_err() {
            return;
        }
        self.stopping = true;
        self.release_held(true);
        let mut killed: Vec<Tid> = Vec::new();
        for t in self.tracees.values() {
            if t.origin == Origin::Spawned && !killed.contains(&t.pid) {
                killed.push(t.pid);
            }
        }
        for pid in killed {
            sys::kill(pid, libc::SIGKILL);
        }
        if self.root.is_some() && self.tracees.values().all(|t| t.origin == Origin::Spawned) {
            for &(tid, _) in &self.early {
                sys::kill(tid, libc::SIGKILL);
            }
        }
        self.detach_attached();
    }

    fn exit_code(&self) -> Option<i32> {
        self.exit_code
    }

    fn stats(&self) -> Stats {
        self.stats
    }
}

impl Drop for PtraceEngine {
    fn drop(&mut self) {
        if self.check_thread().is_err() {
            return;
        }
        self.stop();
        // Reap what was killed so that no zombie is left behind.
        let deadline = Instant::now() + Duration::from_secs(2);
        self.timer.arm(Duration::from_millis(50));
        while !self.done() && Instant::now() < deadline {
            match sys::wait(-1, 0) {
                Ok(Some((tid, status))) => {
                    if libc::WIFSTOPPED(status) {
                        let _ = sys::restart(libc::PTRACE_CONT, tid, 0);
                    } else {
                        self.tracees.remove(&tid);
                        self.early.retain(|&(t, _)| t != tid);
                    }
                }
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
                _ => break,
            }
        }
        self.timer.disarm();
    }
}
