//! What the engine does at each kind of ptrace stop: record the event, then restart the tracee.

use std::os::unix::ffi::OsStringExt;
use std::time::Instant;

use libc::c_int;

use super::fetch::{Reader, Side};
use super::sys::{self, INFO_ENTRY, INFO_EXIT, INFO_SECCOMP, PTRACE_EVENT_STOP};
use super::tracee::{tgid_of, Origin, Tampering, Tracee};
use super::{stack, PtraceEngine};
use crate::engine::inject::Injection;
use crate::event::{Arg, Event, EventKind, Exec, Record, Tid, CPU_UNKNOWN};
use crate::procfs::inet_ends;
use crate::syscalls;

const CLONE_VM: u64 = libc::CLONE_VM as u64;
const CLONE_VFORK: u64 = libc::CLONE_VFORK as u64;
const CLONE_THREAD: u64 = libc::CLONE_THREAD as u64;
const SYS_CLONE: u64 = libc::SYS_clone as u64;
const SYS_CLONE3: u64 = libc::SYS_clone3 as u64;
/// Exits of unknown threads remembered for a fork/clone event that may still name them.
const GONE_MAX: usize = 64;

fn push(out: &mut Vec<Record>, events: &mut u64, ts: u64, tid: Tid, pid: Tid, kind: EventKind) {
    *events += 1;
    out.push(Record::Event(Event {
        ts,
        tid,
        pid,
        cpu: CPU_UNKNOWN,
        kind,
    }));
}

impl PtraceEngine {
    /// Handle one `waitpid` report for `tid`.
    pub(super) fn handle(&mut self, tid: Tid, status: c_int, out: &mut Vec<Record>) {
        let ts = sys::now_ns();
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            self.on_exit(tid, status, ts, out);
            return;
        }
        if !libc::WIFSTOPPED(status) {
            return;
        }
        let sig = libc::WSTOPSIG(status);
        let event = (status >> 16) & 0xff;
        if !self.tracees.contains_key(&tid) {
            if event == PTRACE_EVENT_STOP {
                // A new child whose parent's fork/clone event has not been reported yet: hold
                // it until then, so that its events come after the Clone event.
                self.early.push((tid, std::time::Instant::now()));
                return;
            }
            self.adopt(tid);
        }
        match event {
            0 if sig == libc::SIGTRAP | 0x80 => self.on_syscall(tid, ts, out),
            0 => self.on_signal(tid, sig, ts, out),
            libc::PTRACE_EVENT_SECCOMP => self.on_syscall(tid, ts, out),
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                self.on_clone(tid, event, ts, out)
            }
            libc::PTRACE_EVENT_EXEC => self.on_exec(tid, ts, out),
            PTRACE_EVENT_STOP
                if matches!(
                    sig,
                    libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
                ) =>
            {
                // Group-stop: stay stopped (as untraced) but let the kernel report the SIGCONT.
                let _ = sys::restart(libc::PTRACE_LISTEN, tid, 0);
            }
            libc::PTRACE_EVENT_EXIT => {
                // A process's last sample, while /proc still has it: its CPU time to the end.
                if self.tracees.get(&tid).is_some_and(|t| t.pid == tid) {
                    if let Some(kind) = crate::engine::samples::sample(tid) {
                        push(out, &mut self.stats.events, ts, tid, tid, kind);
                    }
                }
                self.resume(tid, 0)
            }
            // PTRACE_EVENT_STOP from PTRACE_INTERRUPT or a new child, others.
            _ => self.resume(tid, 0),
        }
    }

    /// Start tracing a thread the engine did not know of (its parent's event was lost).
    pub(super) fn adopt(&mut self, tid: Tid) {
        let pid = tgid_of(tid).unwrap_or(tid);
        let origin = self
            .tracees
            .get(&pid)
            .map(|t| t.origin)
            .unwrap_or(if self.root.is_some() {
                Origin::Spawned
            } else {
                Origin::Attached
            });
        self.tracees.insert(tid, Tracee::new(pid, origin));
    }

    /// Restart `tid`: with PTRACE_SYSCALL, or in seccomp mode PTRACE_CONT unless a syscall's
    /// exit is awaited. `sig` is delivered (0: none).
    pub(super) fn resume(&self, tid: Tid, sig: c_int) {
        let in_syscall = self.tracees.get(&tid).is_some_and(|t| t.in_syscall);
        let req = if self.seccomp && !in_syscall {
            libc::PTRACE_CONT
        } else {
            libc::PTRACE_SYSCALL
        };
        // ESRCH: killed meanwhile; its exit is reported by waitpid.
        let _ = sys::restart(req, tid, sig);
    }

    /// Resume `tid` with `sig` once `delay` has passed (strace's `delay_enter=`, `delay_exit=`);
    /// the other threads run meanwhile.
    pub(super) fn hold(&mut self, tid: Tid, sig: c_int, delay: std::time::Duration) {
        self.held.push((Instant::now() + delay, tid, sig));
        self.arm_for_held();
    }

    /// Resume the held threads whose time has come (all of them when `all`).
    pub(super) fn release_held(&mut self, all: bool) {
        let now = Instant::now();
        let due: Vec<(Instant, Tid, c_int)> = self
            .held
            .iter()
            .copied()
            .filter(|&(at, _, _)| all || at <= now)
            .collect();
        self.held.retain(|&(at, _, _)| !all && at > now);
        for (_, tid, sig) in due {
            self.resume(tid, sig);
        }
    }

    /// Make the wake timer fire by the earliest held thread's time.
    pub(super) fn arm_for_held(&mut self) {
        if let Some(next) = self.held.iter().map(|&(at, _, _)| at).min() {
            let wait = next.saturating_duration_since(Instant::now());
            self.timer.arm(
                wait.min(super::LINGER)
                    .max(std::time::Duration::from_micros(50)),
            );
        }
    }

    pub(super) fn on_exit(&mut self, tid: Tid, status: c_int, ts: u64, out: &mut Vec<Record>) {
        self.early.retain(|&(t, _)| t != tid);
        if let Some(stacks) = self.stacks.as_mut() {
            // a process's modules go with it (its pid may be another's later)
            stacks.forget(tid);
        }
        let Some(t) = self.tracees.remove(&tid) else {
            // A new child killed before its first stop and before its parent's event: keep
            // its status for that event (bounded: it may also be an untraced child).
            if self.gone.len() == GONE_MAX {
                self.gone.remove(0);
            }
            self.gone.push((tid, status));
            return;
        };
        if Some(tid) == self.root {
            self.exit_code = Some(sys::shell_code(status));
        }
        push(
            out,
            &mut self.stats.events,
            ts,
            tid,
            t.pid,
            EventKind::ThreadExit { status },
        );
    }

    fn wants(&self, nr: u64, arch: u32) -> bool {
        if arch != sys::AUDIT_ARCH_X86_64 || nr > u16::MAX as u64 {
            return false;
        }
        match &self.wanted {
            None => true,
            Some(w) => w.get(nr as usize).copied().unwrap_or(false),
        }
    }

    fn on_syscall(&mut self, tid: Tid, ts: u64, out: &mut Vec<Record>) {
        let Ok(info) = sys::syscall_info(tid) else {
            self.resume(tid, 0);
            return;
        };
        // a signal strace's -e inject= asks for, delivered as the call returns, and how long
        // the thread is held before it goes on
        let mut signal = 0;
        let mut hold = None;
        match info.op {
            INFO_ENTRY | INFO_SECCOMP => {
                let nr = info.nr();
                let record = self.wants(nr, info.arch);
                let snaplen = self.snaplen;
                let Some(t) = self.tracees.get_mut(&tid) else {
                    // Unreachable: handle() adopts unknown threads first.
                    self.resume(tid, 0);
                    return;
                };
                if info.op == INFO_SECCOMP && t.in_syscall && t.nr == nr {
                    // Already seen at its syscall-entry stop.
                    self.resume(tid, 0);
                    return;
                }
                t.in_syscall = true;
                t.nr = nr;
                t.regs = info.args();
                if nr == libc::SYS_rt_sigreturn as u64 {
                    t.regs[0] = info.stack_pointer + syscalls::SIGFRAME_MASK_OFFSET;
                }
                t.arch = info.arch;
                t.recorded = record;
                t.injecting = None;
                t.exec_stack = None;
                // strace -k shows an execve where the old image made it (the command's first
                // one, which syspect's own start-up code makes, at the new image's entry)
                let exec = nr == libc::SYS_execve as u64 || nr == libc::SYS_execveat as u64;
                if let (true, true, false, Some(stacks)) =
                    (record, exec, t.startup, self.stacks.as_mut())
                {
                    t.exec_stack = Some(stacks.capture(t.pid, tid));
                }
                if let Some(inj) = self.inject.get(nr as usize).and_then(Option::as_ref) {
                    if info.arch == sys::AUDIT_ARCH_X86_64 && !t.startup {
                        if let Some((tamper, delay)) = inject_now(tid, t, nr as u16, inj) {
                            t.injecting = Some(tamper);
                            hold = delay;
                        }
                    }
                }
                if record {
                    let r = Reader {
                        tid,
                        regs: &t.regs,
                        snaplen,
                    };
                    let args = match syscalls::lookup(nr as u16) {
                        Some(desc) => r.args(desc, Side::Enter),
                        None => r.raw(),
                    };
                    let kind = EventKind::Enter {
                        nr: nr as u16,
                        args,
                    };
                    if t.startup {
                        t.startup_enter = Some(Event {
                            ts,
                            tid,
                            pid: t.pid,
                            cpu: CPU_UNKNOWN,
                            kind,
                        });
                    } else {
                        let pid = t.pid;
                        push(out, &mut self.stats.events, ts, tid, pid, kind);
                    }
                }
            }
            INFO_EXIT => {
                let mut ret = info.rval();
                let Some(t) = self.tracees.get_mut(&tid) else {
                    // Unreachable: handle() adopts unknown threads first.
                    self.resume(tid, 0);
                    return;
                };
                if !t.in_syscall {
                    // Exit of a call whose entry was not seen (attached mid-call).
                    t.nr = sys::orig_rax(tid).unwrap_or(u64::MAX);
                    t.regs = sys::arg_regs(tid).unwrap_or([0; 6]);
                    t.arch = info.arch;
                    t.recorded = true;
                }
                t.in_syscall = false;
                let injected = t.injecting.take();
                if let Some(r) = injected.and_then(|i| i.ret) {
                    // the call was skipped (-ENOSYS): its result is the one asked for
                    if sys::set_rax(tid, r).is_ok() {
                        ret = r;
                    }
                }
                signal = injected.map_or(0, |i| i.signal);
                hold = injected.and_then(|i| i.delay_exit);
                let (nr, arch, recorded, startup, pid) =
                    (t.nr, t.arch, t.recorded, t.startup, t.pid);
                if let Some(stacks) = self.stacks.as_mut() {
                    if ret >= 0 && stack::changes_mappings(nr) {
                        stacks.stale(pid);
                    }
                }
                if recorded && !startup && self.wants(nr, arch) {
                    let t = &self.tracees[&tid];
                    let mut args = match syscalls::lookup(nr as u16) {
                        Some(desc) => Reader {
                            tid,
                            regs: &t.regs,
                            snaplen: self.snaplen,
                        }
                        .args(desc, Side::Exit(ret)),
                        None => Vec::new(),
                    };
                    // the socket's ends, which the kernel chose (see syscalls::socket_ends)
                    let fd = syscalls::socket_ends(nr as u16).and_then(|s| s.fd(t.regs[0], ret));
                    if let Some((local, peer)) = fd.and_then(|fd| inet_ends(pid, fd)) {
                        args.push(Arg::Mem(local));
                        args.push(Arg::Mem(peer));
                    }
                    if let Some(i) = injected {
                        let kind = EventKind::Injected {
                            nr: nr as u16,
                            ret: i.ret,
                            signo: i.signal,
                            delayed: i.delayed,
                        };
                        push(out, &mut self.stats.events, ts, tid, pid, kind);
                    }
                    let kind = EventKind::Exit {
                        nr: nr as u16,
                        ret,
                        args,
                    };
                    push(out, &mut self.stats.events, ts, tid, pid, kind);
                    // strace -k: the stack at the call's exit (or an execve's entry)
                    let exec_stack = self.tracees.get_mut(&tid).and_then(|t| t.exec_stack.take());
                    let frames = match (exec_stack, self.stacks.as_mut()) {
                        (Some(f), _) => Some(f),
                        (None, Some(s)) => Some(s.capture(pid, tid)),
                        (None, None) => None,
                    };
                    self.push_stack(frames, ts, tid, pid, out);
                }
            }
            _ => {}
        }
        match hold {
            Some(d) => self.hold(tid, signal, d),
            None => self.resume(tid, signal),
        }
    }

    /// A stack (strace's `-k`), after the event it is the stack of.
    fn push_stack(
        &mut self,
        frames: Option<Vec<crate::event::Frame>>,
        ts: u64,
        tid: Tid,
        pid: Tid,
        out: &mut Vec<Record>,
    ) {
        if let Some(frames) = frames {
            let kind = EventKind::Stack { frames };
            push(out, &mut self.stats.events, ts, tid, pid, kind);
        }
    }

    fn on_signal(&mut self, tid: Tid, sig: c_int, ts: u64, out: &mut Vec<Record>) {
        if let Some(t) = self.tracees.get(&tid) {
            if !t.startup {
                if let Ok((signo, code, sender, info)) = sys::siginfo(tid) {
                    let pid = t.pid;
                    let kind = EventKind::Signal {
                        signo,
                        code,
                        sender,
                        info,
                    };
                    push(out, &mut self.stats.events, ts, tid, pid, kind);
                    // strace -k shows where a signal found the thread too
                    let frames = self.stacks.as_mut().map(|s| s.capture(pid, tid));
                    self.push_stack(frames, ts, tid, pid, out);
                }
            }
        }
        self.resume(tid, sig);
    }

    fn on_clone(&mut self, tid: Tid, event: c_int, ts: u64, out: &mut Vec<Record>) {
        let Ok(child) = sys::event_msg(tid) else {
            self.resume(tid, 0);
            return;
        };
        let child = child as Tid;
        let Some(t) = self.tracees.get(&tid) else {
            // Unreachable: handle() adopts unknown threads first.
            self.resume(tid, 0);
            return;
        };
        let (pid, origin) = (t.pid, t.origin);
        // The flags as the caller passed them, when its entry was seen.
        let from_call = if t.in_syscall && t.arch == sys::AUDIT_ARCH_X86_64 {
            match t.nr {
                SYS_CLONE => Some(t.regs[0]),
                SYS_CLONE3 => {
                    let mut b = [0u8; 8];
                    match sys::read_mem(tid, t.regs[0], &mut b) {
                        Ok(8) => Some(u64::from_ne_bytes(b)),
                        _ => None,
                    }
                }
                _ => None,
            }
        } else {
            None
        };
        let flags = match (from_call, event) {
            (Some(f), _) => f,
            (None, libc::PTRACE_EVENT_FORK) => 0,
            (None, libc::PTRACE_EVENT_VFORK) => CLONE_VM | CLONE_VFORK,
            (None, _) => {
                if tgid_of(child) == Some(pid) {
                    CLONE_VM | CLONE_THREAD | libc::CLONE_SIGHAND as u64
                } else {
                    CLONE_VM
                }
            }
        };
        let child_pid = if flags & CLONE_THREAD != 0 {
            pid
        } else {
            child
        };
        let kind = EventKind::Clone {
            child_tid: child,
            child_pid,
            flags,
        };
        push(out, &mut self.stats.events, ts, tid, pid, kind);
        if let Some(i) = self.gone.iter().position(|&(t, _)| t == child) {
            let (_, status) = self.gone.remove(i);
            let kind = EventKind::ThreadExit { status };
            push(out, &mut self.stats.events, ts, child, child_pid, kind);
            self.resume(tid, 0);
            return;
        }
        self.tracees
            .entry(child)
            .or_insert_with(|| Tracee::new(child_pid, origin));
        if let Some(i) = self.early.iter().position(|&(t, _)| t == child) {
            self.early.swap_remove(i);
            self.resume(child, 0);
        }
        self.resume(tid, 0);
    }

    fn on_exec(&mut self, tid: Tid, ts: u64, out: &mut Vec<Record>) {
        let old = sys::event_msg(tid).map(|m| m as Tid).unwrap_or(tid);
        if old != tid {
            // A non-leader thread exec'd: it now has the leader's tid, and the leader is gone
            // without an exit report. Its state (inside execve) moves over.
            if let Some(t) = self.tracees.remove(&old) {
                self.tracees.insert(tid, t);
            }
        }
        let Some(t) = self.tracees.get_mut(&tid) else {
            // Unreachable: handle() adopts unknown threads first.
            self.resume(tid, 0);
            return;
        };
        t.pid = tid;
        if t.startup {
            t.startup = false;
            if let Some(e) = t.startup_enter.take() {
                self.stats.events += 1;
                out.push(Record::Event(Event { tid, pid: tid, ..e }));
            }
        }
        let link = |what: &str| {
            std::fs::read_link(format!("/proc/{tid}/{what}"))
                .map(|p| p.into_os_string().into_vec())
                .unwrap_or_default()
        };
        let exe = link("exe");
        let cwd = link("cwd");
        let args = std::fs::read(format!("/proc/{tid}/cmdline"))
            .map(|raw| split_cmdline(&raw))
            .unwrap_or_default();
        // the tracee is stopped: /proc still has it, whatever its life's length
        let comm = std::fs::read(format!("/proc/{tid}/comm"))
            .map(|mut c| {
                c.pop_if(|c| *c == b'\n');
                c
            })
            .unwrap_or_default();
        let cgroup = std::fs::read(format!("/proc/{tid}/cgroup"))
            .map(|b| crate::procfs::cgroup_path(&b))
            .unwrap_or_default();
        let kind = EventKind::Exec(Box::new(Exec {
            old_tid: old,
            exe,
            args,
            cwd,
            comm,
            cgroup: if cgroup == b"/" { Vec::new() } else { cgroup },
        }));
        push(out, &mut self.stats.events, ts, tid, tid, kind);
        self.resume(tid, 0);
    }

    /// Let go of new children held for longer than `after` whose parent's event never came.
    pub(super) fn release_early(&mut self, after: std::time::Duration) {
        let now = std::time::Instant::now();
        let (old, young): (Vec<_>, Vec<_>) = self
            .early
            .drain(..)
            .partition(|&(_, at)| now.duration_since(at) >= after);
        self.early = young;
        for (tid, _) in old {
            self.adopt(tid);
            self.resume(tid, 0);
        }
    }
}

/// `/proc/PID/cmdline` as a list of arguments.
fn split_cmdline(raw: &[u8]) -> Vec<Vec<u8>> {
    let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(|&b| b == 0).map(<[u8]>::to_vec).collect()
}

/// Whether the call `nr` now starting in thread `t` is one `inj` applies to (counting it):
/// then it is skipped when a result is asked for (its number replaced by -1, which the kernel
/// answers with -ENOSYS at once); what to do at its exit, and how long to hold it at its entry.
fn inject_now(
    tid: Tid,
    t: &mut Tracee,
    nr: u16,
    inj: &Injection,
) -> Option<(Tampering, Option<std::time::Duration>)> {
    let n = match t.inject_counts.iter_mut().find(|(k, _)| *k == nr) {
        Some((_, n)) => {
            *n = n.saturating_add(1);
            *n
        }
        None => {
            t.inject_counts.push((nr, 1));
            1
        }
    };
    if !inj.when.matches(n) {
        return None;
    }
    if inj.ret.is_some() && sys::set_orig_rax(tid, -1).is_err() {
        return None;
    }
    let tamper = Tampering {
        ret: inj.ret,
        signal: inj.signal.unwrap_or(0),
        delay_exit: inj.delay_exit,
        delayed: inj.delays(),
    };
    Some((tamper, inj.delay_enter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmdline_splits_on_nul() {
        assert_eq!(
            split_cmdline(b"sh\0-c\0echo hi\0"),
            vec![b"sh".to_vec(), b"-c".to_vec(), b"echo hi".to_vec()]
        );
        assert_eq!(split_cmdline(b""), Vec::<Vec<u8>>::new());
        assert_eq!(
            split_cmdline(b"a\0\0b\0"),
            vec![b"a".to_vec(), b"".to_vec(), b"b".to_vec()]
        );
    }
}
