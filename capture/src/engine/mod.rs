//! Capture engines. Every engine implements [`Engine`]: the capture loop asks it for records in
//! batches until it says the capture has ended.
//!
//! - [`ptrace`]: traces one command (and its children) or attached pids with ptrace(2); needs
//!   no privilege beyond owning the processes.
//! - [`ebpf`]: every syscall on the host from raw tracepoints; needs CAP_BPF and CAP_PERFMON.

pub mod ebpf;
pub mod inject;
pub mod launch;
pub mod ptrace;
pub mod samples;

use std::ffi::OsString;
use std::time::Duration;

use crate::event::Record;

/// What to capture; each engine uses what applies to it.
#[derive(Clone, Debug)]
pub struct CaptureOptions {
    /// Bytes kept of each string and buffer (`-s`).
    pub snaplen: usize,
    /// Run this command (argv\[0\] first) and trace it and its descendants.
    pub command: Option<Vec<OsString>>,
    /// Attach to these running processes (ptrace: every thread of each; eBPF: these pids and
    /// their descendants).
    pub pids: Vec<u32>,
    /// Only these syscall numbers need full enter/exit events (seccomp-bpf in the ptrace engine,
    /// a map in the eBPF engine). `None`: all of them. Lifecycle events always flow.
    pub syscalls: Option<Vec<u16>>,
    /// Only these cgroup v2 ids (eBPF engine).
    pub cgroups: Vec<u64>,
    /// Filter by cgroup even while `cgroups` is empty: the ids come later, through
    /// [`Engine::add_cgroups`] (a `--container` capture whose container has not started yet).
    pub cgroup_filter: bool,
    /// Calls to make fail, or return a value, without running, and signals to deliver after
    /// them (strace's `-e inject=`; the ptrace engine only).
    pub inject: Vec<inject::Injection>,
    /// Run the command as this user (strace's `-u`; needs root).
    pub run_as: Option<launch::RunAs>,
    /// Changes to the command's environment (strace's `-E`).
    pub env: Vec<launch::EnvChange>,
    /// The stack of each recorded call (strace's `-k`; the ptrace engine only).
    pub stack_traces: bool,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            snaplen: 80,
            command: None,
            pids: Vec::new(),
            syscalls: None,
            cgroups: Vec::new(),
            cgroup_filter: false,
            inject: Vec::new(),
            run_as: None,
            env: Vec::new(),
            stack_traces: false,
        }
    }
}

/// How an [`Engine::poll`] call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Records may follow; call again.
    More,
    /// The capture is over (the traced command and all its descendants exited, or the engine
    /// was stopped and has drained): no records follow.
    End,
}

/// Counters an engine keeps for the end-of-capture report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub events: u64,
    pub drops: u64,
}

/// A source of live records.
pub trait Engine {
    /// Append the records that are ready to `out`, waiting at most `timeout` for the first one.
    /// Returns [`Status::End`] once nothing more will come.
    fn poll(&mut self, out: &mut Vec<Record>, timeout: Duration) -> Result<Status, EngineError>;

    /// Empty `records`, a batch from [`Engine::poll`] the caller is done with; an engine may
    /// keep their allocations for the events it builds next.
    fn recycle(&mut self, records: &mut Vec<Record>) {
        records.clear();
    }

    /// Stop capturing (Ctrl-C, `-n`, `-M`): the ptrace engine detaches from attached processes
    /// (leaving them running) and kills the command it started; the eBPF engine detaches its
    /// programs. Records already produced are still returned by later `poll` calls, which then
    /// return [`Status::End`].
    fn stop(&mut self);

    /// The exit status of the command the engine started, once it has ended (as a shell shows
    /// it: the code, or 128 + signal number).
    fn exit_code(&self) -> Option<i32> {
        None
    }

    /// Counters so far.
    fn stats(&self) -> Stats;

    /// Add cgroup v2 ids to the cgroup filter while capturing (a wanted container started or
    /// restarted, in a new cgroup). Engines without a kernel cgroup filter ignore it.
    fn add_cgroups(&mut self, _ids: &[u64]) -> Result<(), EngineError> {
        Ok(())
    }

    /// The pid of the command the engine started, if it started one (its state is recorded
    /// at the start of a trace).
    fn command_pid(&self) -> Option<u32> {
        None
    }
}

/// Why an engine could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot start {command}: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot attach to pid {pid}: {source}")]
    Attach {
        pid: u32,
        #[source]
        source: std::io::Error,
    },
    #[error("missing privilege: {what}; {hint}")]
    Privilege { what: String, hint: String },
    #[error("eBPF: {0}")]
    Bpf(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}
