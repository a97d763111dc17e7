//! Thin wrappers over the ptrace, wait and memory-reading system calls, so that the rest of the
//! engine has no `unsafe` of its own and sees `io::Result`s.

use std::io;

use libc::{c_int, c_long, c_uint, pid_t};

use crate::event::Tid;

/// `PTRACE_EVENT_STOP`: group-stop or `PTRACE_INTERRUPT` stop of a seized tracee (not in glibc's
/// headers as the libc crate exposes them).
pub const PTRACE_EVENT_STOP: c_int = 128;
/// `AUDIT_ARCH_X86_64`, the `arch` of a native x86_64 syscall.
pub const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
/// Offset of `orig_rax` in `struct user_regs_struct`, for `PTRACE_PEEKUSER`.
const ORIG_RAX_OFFSET: usize = 15 * 8;
/// Offset of `rax` (a syscall's result at its exit stop).
const RAX_OFFSET: usize = 10 * 8;

/// The kernel's `struct ptrace_syscall_info` (x86_64 layout): a 24-byte header and a 64-byte
/// union of the entry, exit and seccomp views.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SyscallInfo {
    pub op: u8,
    pub reserved: u8,
    pub flags: u16,
    pub arch: u32,
    pub instruction_pointer: u64,
    pub stack_pointer: u64,
    /// entry/seccomp: `nr`, then `args[6]` (then `ret_data` for seccomp); exit: `rval`, `is_error`.
    pub data: [u64; 8],
}

/// `PTRACE_SYSCALL_INFO_*` values of [`SyscallInfo::op`].
pub const INFO_ENTRY: u8 = 1;
pub const INFO_EXIT: u8 = 2;
pub const INFO_SECCOMP: u8 = 3;

impl SyscallInfo {
    /// The syscall number at an entry or seccomp stop.
    pub fn nr(&self) -> u64 {
        self.data[0]
    }

    /// The six argument registers at an entry or seccomp stop.
    pub fn args(&self) -> [u64; 6] {
        let d = &self.data;
        [d[1], d[2], d[3], d[4], d[5], d[6]]
    }

    /// The return value at an exit stop.
    pub fn rval(&self) -> i64 {
        self.data[0] as i64
    }
}

fn check(rc: c_long) -> io::Result<c_long> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `ptrace(req, tid, addr, data)` for requests that return 0 or an error.
pub fn ptrace(req: c_uint, tid: Tid, addr: usize, data: usize) -> io::Result<c_long> {
    // SAFETY: the requests used by this engine take integer or pointer arguments that the
    // callers below make valid for the request.
    check(unsafe { libc::ptrace(req, tid as pid_t, addr, data) })
}

/// `PTRACE_SEIZE` with `options`.
pub fn seize(tid: Tid, options: c_int) -> io::Result<()> {
    ptrace(libc::PTRACE_SEIZE, tid, 0, options as usize).map(drop)
}

/// `PTRACE_INTERRUPT`.
pub fn interrupt(tid: Tid) -> io::Result<()> {
    ptrace(libc::PTRACE_INTERRUPT, tid, 0, 0).map(drop)
}

/// Restart a stopped tracee with `req` (`PTRACE_SYSCALL`, `PTRACE_CONT`, `PTRACE_LISTEN`,
/// `PTRACE_DETACH`), delivering `sig` (0 for none).
pub fn restart(req: c_uint, tid: Tid, sig: c_int) -> io::Result<()> {
    ptrace(req, tid, 0, sig as usize).map(drop)
}

/// `PTRACE_GETEVENTMSG`: the new child's tid (fork/clone events), the former tid (exec).
pub fn event_msg(tid: Tid) -> io::Result<u64> {
    let mut msg: libc::c_ulong = 0;
    ptrace(
        libc::PTRACE_GETEVENTMSG,
        tid,
        0,
        &mut msg as *mut libc::c_ulong as usize,
    )?;
    Ok(msg)
}

/// `PTRACE_GET_SYSCALL_INFO`.
pub fn syscall_info(tid: Tid) -> io::Result<SyscallInfo> {
    let mut info = SyscallInfo::default();
    ptrace(
        libc::PTRACE_GET_SYSCALL_INFO,
        tid,
        std::mem::size_of::<SyscallInfo>(),
        &mut info as *mut SyscallInfo as usize,
    )?;
    Ok(info)
}

/// Replace the syscall number of a thread at its entry (or seccomp) stop: -1 makes the kernel
/// skip the call.
pub fn set_orig_rax(tid: Tid, v: i64) -> io::Result<()> {
    ptrace(libc::PTRACE_POKEUSER, tid, ORIG_RAX_OFFSET, v as usize).map(|_| ())
}

/// Set the result a thread sees at its syscall-exit stop.
pub fn set_rax(tid: Tid, v: i64) -> io::Result<()> {
    ptrace(libc::PTRACE_POKEUSER, tid, RAX_OFFSET, v as usize).map(|_| ())
}

/// The syscall number in `orig_rax` (for an exit stop whose entry was not seen).
pub fn orig_rax(tid: Tid) -> io::Result<u64> {
    // PEEKUSER returns the word itself, so -1 is ambiguous: clear errno first.
    // SAFETY: errno is thread-local; PEEKUSER reads one word at a valid offset.
    unsafe {
        *libc::__errno_location() = 0;
        let v = libc::ptrace(libc::PTRACE_PEEKUSER, tid as pid_t, ORIG_RAX_OFFSET, 0usize);
        if v == -1 && *libc::__errno_location() != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(v as u64)
    }
}

/// The six syscall argument registers (`rdi rsi rdx r10 r8 r9`), from `PTRACE_GETREGS`.
pub fn arg_regs(tid: Tid) -> io::Result<[u64; 6]> {
    let r = user_regs(tid)?;
    Ok([r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9])
}

/// All the user registers of a stopped thread (the stack unwinder wants rip, rsp and rbp).
pub fn user_regs(tid: Tid) -> io::Result<libc::user_regs_struct> {
    // SAFETY: user_regs_struct is plain integers; GETREGS fills it.
    let mut r: libc::user_regs_struct = unsafe { std::mem::zeroed() };
    ptrace(
        libc::PTRACE_GETREGS,
        tid,
        0,
        &mut r as *mut libc::user_regs_struct as usize,
    )?;
    Ok(r)
}

/// What `PTRACE_GETSIGINFO` says about a signal: number, code, and the sending pid when the
/// siginfo carries one (signals sent by a process, and SIGCHLD).
/// The signal's number, code and sender, and the siginfo's first 48 bytes (see
/// [`crate::event::EventKind::Signal`]).
pub fn siginfo(tid: Tid) -> io::Result<(i32, i32, Tid, Vec<u8>)> {
    let mut raw = [0u8; 128];
    ptrace(libc::PTRACE_GETSIGINFO, tid, 0, raw.as_mut_ptr() as usize)?;
    let word = |at: usize| i32::from_ne_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]);
    let (signo, code) = (word(0), word(8));
    // si_pid sits at offset 16 for user-sent signals (si_code <= 0) and for SIGCHLD; other
    // kernel-generated signals keep an address there.
    let sender = if code <= 0 || signo == libc::SIGCHLD {
        word(16).max(0) as Tid
    } else {
        0
    };
    Ok((signo, code, sender, raw[..48].to_vec()))
}

/// `waitpid(pid, __WALL | __WNOTHREAD | extra)`: `Ok(None)` when WNOHANG found nothing.
pub fn wait(pid: pid_t, extra: c_int) -> io::Result<Option<(Tid, c_int)>> {
    let mut status: c_int = 0;
    // SAFETY: status is a valid out pointer.
    let rc = unsafe { libc::waitpid(pid, &mut status, libc::__WALL | libc::__WNOTHREAD | extra) };
    match rc {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(None),
        tid => Ok(Some((tid as Tid, status))),
    }
}

/// Read tracee memory at `addr` into `buf` with process_vm_readv, split at page boundaries so
/// that a read running into an unmapped page still returns the bytes before it. Returns how
/// many bytes were read (a prefix of `buf`).
pub fn read_mem(pid: Tid, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    const PAGE: u64 = 4096;
    const MAX_IOV: usize = 4;
    if buf.is_empty() {
        return Ok(0);
    }
    let mut total = 0usize;
    while total < buf.len() {
        // Up to MAX_IOV page pieces per call: a string or small buffer is one call.
        let mut remote = [libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }; MAX_IOV];
        let mut n = 0;
        let mut at = addr.wrapping_add(total as u64);
        let mut left = buf.len() - total;
        let mut want = 0usize;
        while n < MAX_IOV && left > 0 {
            let room = (PAGE - at % PAGE) as usize;
            let len = room.min(left);
            remote[n] = libc::iovec {
                iov_base: at as *mut libc::c_void,
                iov_len: len,
            };
            n += 1;
            at = at.wrapping_add(len as u64);
            left -= len;
            want += len;
        }
        let local = libc::iovec {
            iov_base: buf[total..].as_mut_ptr() as *mut libc::c_void,
            iov_len: want,
        };
        // SAFETY: the local iovec covers `want` bytes inside `buf`; remote addresses are only
        // read by the kernel, which checks them.
        let rc =
            unsafe { libc::process_vm_readv(pid as pid_t, &local, 1, remote.as_ptr(), n as _, 0) };
        if rc < 0 {
            let e = io::Error::last_os_error();
            if total > 0 && e.raw_os_error() == Some(libc::EFAULT) {
                break;
            }
            if total == 0 && matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM)) {
                return peek_mem(pid, addr, buf);
            }
            return if total > 0 { Ok(total) } else { Err(e) };
        }
        let got = rc as usize;
        total += got;
        if got < want {
            break;
        }
    }
    Ok(total)
}

/// Fallback for kernels or sandboxes without process_vm_readv: word by word with
/// `PTRACE_PEEKDATA` (the tracee is stopped, so this is consistent, only slower).
fn peek_mem(pid: Tid, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let at = addr.wrapping_add(done as u64);
        let aligned = at & !7;
        // SAFETY: errno is thread-local; PEEKDATA reads one word, checked by the kernel.
        let word = unsafe {
            *libc::__errno_location() = 0;
            let v = libc::ptrace(
                libc::PTRACE_PEEKDATA,
                pid as pid_t,
                aligned as usize,
                0usize,
            );
            if v == -1 && *libc::__errno_location() != 0 {
                let e = io::Error::last_os_error();
                return if done > 0 { Ok(done) } else { Err(e) };
            }
            v
        };
        let bytes = word.to_ne_bytes();
        let skip = (at - aligned) as usize;
        let n = (8 - skip).min(buf.len() - done);
        buf[done..done + n].copy_from_slice(&bytes[skip..skip + n]);
        done += n;
    }
    Ok(done)
}

/// Wall-clock time in nanoseconds since the Unix epoch (CLOCK_REALTIME, from the vDSO).
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    (ts.tv_sec as u64).wrapping_mul(1_000_000_000) + ts.tv_nsec as u64
}

/// `kill(pid, sig)`, ignoring a process that is already gone.
pub fn kill(pid: Tid, sig: c_int) {
    // SAFETY: plain syscall on integers.
    unsafe { libc::kill(pid as pid_t, sig) };
}

/// Shell-style exit code of a wait status: the code, or 128 + the signal number.
pub fn shell_code(status: c_int) -> i32 {
    if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        libc::WEXITSTATUS(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_info_has_the_kernel_size() {
        assert_eq!(std::mem::size_of::<SyscallInfo>(), 88);
    }

    #[test]
    fn read_mem_reads_own_memory_and_stops_at_unmapped() {
        let me = std::process::id();
        let data = b"hello, memory".to_vec();
        let mut buf = [0u8; 13];
        let n = read_mem(me, data.as_ptr() as u64, &mut buf).unwrap();
        assert_eq!(n, 13);
        assert_eq!(&buf, b"hello, memory");
        // Address 8 is never mapped.
        assert!(read_mem(me, 8, &mut buf).is_err());
    }

    #[test]
    fn shell_code_of_exit_and_signal() {
        assert_eq!(shell_code(3 << 8), 3);
        assert_eq!(shell_code(libc::SIGKILL), 137);
    }
}
