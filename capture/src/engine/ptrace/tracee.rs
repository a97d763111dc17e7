//! What the engine remembers about each traced thread between stops.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::event::{Event, Tid};

/// How the engine came to trace a thread, which decides what [`Engine::stop`] does to it.
///
/// [`Engine::stop`]: crate::engine::Engine::stop
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The command the engine started, or a descendant: killed on stop.
    Spawned,
    /// A process attached to, or a descendant: detached on stop, left running.
    Attached,
}

/// What an injection does to the call now under way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tampering {
    /// What the call returns instead of running (`None`: it runs).
    pub ret: Option<i64>,
    /// The signal to deliver when it returns (0: none).
    pub signal: i32,
    /// How long the thread is held at the call's exit.
    pub delay_exit: Option<std::time::Duration>,
    /// It was held at its entry or is to be at its exit (strace's `(DELAYED)`).
    pub delayed: bool,
}

/// One traced thread.
#[derive(Clone, Debug)]
pub struct Tracee {
    /// Thread group id.
    pub pid: Tid,
    pub origin: Origin,
    /// Between a syscall's entry (or seccomp) stop and its exit stop.
    pub in_syscall: bool,
    /// The syscall being made, when `in_syscall`.
    pub nr: u64,
    /// Its argument registers, as they were at entry (the exit reads `Out` arguments through
    /// the same pointers).
    pub regs: [u64; 6],
    /// The architecture of the call (`AUDIT_ARCH_*`).
    pub arch: u32,
    /// Whether an Enter event was recorded for the current call (so its Exit is recorded too).
    pub recorded: bool,
    /// The spawned command before its first exec: the engine's own set-up code runs there, so
    /// its syscalls are not recorded; the last Enter is kept, being that of the execve.
    pub startup: bool,
    pub startup_enter: Option<Event>,
    /// Calls of each syscall that an injection applies to, made so far (`when=` counts them).
    pub inject_counts: Vec<(u16, u32)>,
    /// The current call is tampered with (see [`Tampering`]).
    pub injecting: Option<Tampering>,
    /// An execve's stack (strace's `-k`), taken at its entry, in the image it replaces.
    pub exec_stack: Option<Vec<crate::event::Frame>>,
}

impl Tracee {
    /// A thread of process `pid`, running outside any syscall.
    pub fn new(pid: Tid, origin: Origin) -> Tracee {
        Tracee {
            pid,
            origin,
            in_syscall: false,
            nr: 0,
            regs: [0; 6],
            arch: 0,
            recorded: false,
            startup: false,
            startup_enter: None,
            inject_counts: Vec::new(),
            injecting: None,
            exec_stack: None,
        }
    }
}

/// A hasher for tids: a multiplicative hash is plenty for small integer keys and much cheaper
/// than SipHash on the per-stop lookup.
#[derive(Default)]
pub struct TidHasher(u64);

impl Hasher for TidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Traced threads by tid.
pub type TraceeMap = HashMap<Tid, Tracee, BuildHasherDefault<TidHasher>>;

/// The thread group id of `tid` from `/proc/TID/status`, if the thread exists.
pub fn tgid_of(tid: Tid) -> Option<Tid> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tgid_of_self_and_missing() {
        assert_eq!(tgid_of(std::process::id()), Some(std::process::id()));
        assert_eq!(tgid_of(u32::MAX - 1), None);
    }

    #[test]
    fn map_works_with_the_tid_hasher() {
        let mut m = TraceeMap::default();
        for t in 1..1000 {
            m.insert(t, Tracee::new(t, Origin::Spawned));
        }
        assert_eq!(m.get(&500).map(|t| t.pid), Some(500));
        assert_eq!(m.len(), 999);
    }
}
