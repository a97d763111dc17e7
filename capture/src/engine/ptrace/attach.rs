//! Attaching to running processes and detaching from them again.
//!
//! Attach seizes every thread listed in `/proc/PID/task` and interrupts it (its first stop is
//! then a `PTRACE_EVENT_STOP`, after which it is restarted with `PTRACE_SYSCALL`); the listing
//! is read again until no new thread shows up, because a thread created by a thread not yet
//! seized is not followed automatically. Attached processes are seized without
//! `PTRACE_O_EXITKILL` and without seccomp: they must survive the tracer.
//!
//! Detach interrupts every attached thread, waits for each to stop and detaches it at that
//! stop, passing on a signal that was about to be delivered; children created meanwhile are
//! detached too when their first stop comes.

use std::collections::HashSet;
use std::io;
use std::time::{Duration, Instant};

use super::sys;
use super::tracee::{tgid_of, Origin, Tracee};
use super::PtraceEngine;
use crate::engine::{CaptureOptions, EngineError};
use crate::event::Tid;

/// How long [`PtraceEngine::stop`] waits for attached threads to stop before giving up.
const DETACH_TIMEOUT: Duration = Duration::from_secs(2);

impl PtraceEngine {
    /// Trace every thread of each process in `opts.pids`, and their future children.
    ///
    /// `opts.syscalls` only narrows what is recorded (no seccomp filter can be put into a
    /// running process). The engine must be polled from the thread that called this.
    pub fn attach(opts: &CaptureOptions) -> Result<PtraceEngine, EngineError> {
        if opts.pids.is_empty() {
            return Err(EngineError::Io {
                context: "ptrace attach".into(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "no pid given"),
            });
        }
        let mut engine = PtraceEngine::new(opts, false).map_err(|source| EngineError::Io {
            context: "ptrace engine".into(),
            source,
        })?;
        engine.attach_pids(&opts.pids)?;
        Ok(engine)
    }

    /// Seize all threads of each of `pids`.
    pub(super) fn attach_pids(&mut self, pids: &[u32]) -> Result<(), EngineError> {
        for &pid in pids {
            let err = |source: io::Error| EngineError::Attach { pid, source };
            if pid == std::process::id() {
                return Err(err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a process cannot trace itself",
                )));
            }
            let tgid =
                tgid_of(pid).ok_or_else(|| err(io::Error::from_raw_os_error(libc::ESRCH)))?;
            let mut seen: HashSet<Tid> = HashSet::new();
            loop {
                let dir = std::fs::read_dir(format!("/proc/{tgid}/task")).map_err(err)?;
                let mut new = 0;
                for entry in dir.flatten() {
                    let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                        continue;
                    };
                    if !seen.insert(tid) || self.tracees.contains_key(&tid) {
                        continue;
                    }
                    match sys::seize(tid, super::OPTIONS).and_then(|()| sys::interrupt(tid)) {
                        Ok(()) => {
                            self.tracees
                                .insert(tid, Tracee::new(tgid, Origin::Attached));
                            new += 1;
                        }
                        // A thread that exited meanwhile.
                        Err(e) if tid != tgid && e.raw_os_error() == Some(libc::ESRCH) => {}
                        Err(e) => return Err(err(e)),
                    }
                }
                if new == 0 {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Detach from every attached thread, leaving it running (or stopped, if it was in a
    /// group-stop). Stops of spawned tracees seen meanwhile are handled as usual.
    pub(super) fn detach_attached(&mut self) {
        let mut pending: HashSet<Tid> = self
            .tracees
            .iter()
            .filter(|(_, t)| t.origin == Origin::Attached)
            .map(|(&tid, _)| tid)
            .collect();
        if pending.is_empty() {
            return;
        }
        for &tid in &pending {
            let _ = sys::interrupt(tid);
        }
        let deadline = Instant::now() + DETACH_TIMEOUT;
        let mut backlog = std::mem::take(&mut self.backlog);
        self.timer.arm(Duration::from_millis(50));
        while !pending.is_empty() && Instant::now() < deadline {
            let (tid, status) = match sys::wait(-1, 0) {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(_) => break,
            };
            let known = self.tracees.get(&tid).map(|t| t.origin);
            if known == Some(Origin::Spawned) {
                self.handle(tid, status, &mut backlog);
                continue;
            }
            if !libc::WIFSTOPPED(status) {
                pending.remove(&tid);
                self.handle(tid, status, &mut backlog);
                continue;
            }
            let sig = libc::WSTOPSIG(status);
            let event = (status >> 16) & 0xff;
            if matches!(
                event,
                libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE
            ) {
                if let Ok(child) = sys::event_msg(tid) {
                    let child = child as Tid;
                    // Its first stop may have come already.
                    if let Some(i) = self.early.iter().position(|&(t, _)| t == child) {
                        self.early.swap_remove(i);
                        let _ = sys::restart(libc::PTRACE_DETACH, child, 0);
                    } else {
                        pending.insert(child);
                    }
                }
            }
            let deliver = if event == 0 && sig != libc::SIGTRAP | 0x80 {
                sig
            } else {
                0
            };
            let _ = sys::restart(libc::PTRACE_DETACH, tid, deliver);
            pending.remove(&tid);
            self.tracees.remove(&tid);
        }
        self.timer.disarm();
        self.backlog = backlog;
        // Held new children (whose parent's event never came) are stopped already: let them
        // go too.
        for (tid, _) in std::mem::take(&mut self.early) {
            let _ = sys::restart(libc::PTRACE_DETACH, tid, 0);
        }
        self.tracees.retain(|_, t| t.origin == Origin::Spawned);
    }
}
