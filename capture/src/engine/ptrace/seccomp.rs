//! The seccomp-bpf filter that makes only the chosen syscalls stop the tracee (as
//! `strace --seccomp-bpf` does): `SECCOMP_RET_TRACE` for them, `SECCOMP_RET_ALLOW` for the rest.
//!
//! The program compares the syscall number against each chosen number with `JEQ`. Jump offsets
//! of classic BPF are 8 bits, so the comparisons come in chunks of at most [`CHUNK`], each
//! followed by its own `RET TRACE`. Syscalls of another architecture (i386 `int 0x80`, x32)
//! always stop: the engine then decides what to record.

use std::io;

use super::sys::AUDIT_ARCH_X86_64;

const BPF_LD_W_ABS: u16 = 0x20;
const BPF_JEQ_K: u16 = 0x15;
const BPF_JGE_K: u16 = 0x35;
const BPF_JA: u16 = 0x05;
const BPF_RET_K: u16 = 0x06;
/// `offsetof(struct seccomp_data, nr)` and `arch`.
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
/// `SECCOMP_RET_TRACE` with no data, and `SECCOMP_RET_ALLOW`.
pub const RET_TRACE: u32 = 0x7ff0_0000;
pub const RET_ALLOW: u32 = 0x7fff_0000;
/// Comparisons per chunk (each needs to jump past the rest of its chunk, at most 255).
const CHUNK: usize = 200;

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// The filter program for the syscall numbers `nrs` (any order, duplicates allowed).
pub fn build(nrs: &[u16]) -> Vec<libc::sock_filter> {
    let mut set: Vec<u32> = nrs.iter().map(|&n| n as u32).collect();
    set.sort_unstable();
    set.dedup();
    let mut prog = vec![
        stmt(BPF_LD_W_ABS, OFF_ARCH),
        jump(BPF_JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
        stmt(BPF_RET_K, RET_TRACE),
        stmt(BPF_LD_W_ABS, OFF_NR),
        jump(BPF_JGE_K, X32_SYSCALL_BIT, 0, 1),
        stmt(BPF_RET_K, RET_TRACE),
    ];
    for chunk in set.chunks(CHUNK) {
        let m = chunk.len();
        for (i, &nr) in chunk.iter().enumerate() {
            // Jump to the RET TRACE after this chunk's JA.
            prog.push(jump(BPF_JEQ_K, nr, (m - i) as u8, 0));
        }
        prog.push(stmt(BPF_JA, 1));
        prog.push(stmt(BPF_RET_K, RET_TRACE));
    }
    prog.push(stmt(BPF_RET_K, RET_ALLOW));
    prog
}

/// Install `prog` in the calling process. Async-signal-safe (it runs between fork and exec):
/// no allocation. Tries without `PR_SET_NO_NEW_PRIVS` first (allowed with CAP_SYS_ADMIN, and it
/// keeps set-uid programs working), then sets it.
pub fn install(prog: &[libc::sock_filter]) -> io::Result<()> {
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: fprog points at a live program for the duration of the call.
    unsafe {
        let set = |fprog: &libc::sock_fprog| {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0,
                fprog as *const libc::sock_fprog,
            )
        };
        if set(&fprog) == 0 {
            return Ok(());
        }
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        if set(&fprog) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A classic-BPF interpreter for the instructions [`build`] emits.
    fn run(prog: &[libc::sock_filter], nr: u32, arch: u32) -> u32 {
        let mut acc = 0u32;
        let mut pc = 0usize;
        loop {
            let ins = prog[pc];
            pc += 1;
            match ins.code {
                BPF_LD_W_ABS => acc = if ins.k == OFF_NR { nr } else { arch },
                BPF_JEQ_K => pc += if acc == ins.k { ins.jt } else { ins.jf } as usize,
                BPF_JGE_K => pc += if acc >= ins.k { ins.jt } else { ins.jf } as usize,
                BPF_JA => pc += ins.k as usize,
                BPF_RET_K => return ins.k,
                c => panic!("unexpected opcode {c:#x}"),
            }
        }
    }

    #[test]
    fn traces_exactly_the_set() {
        let prog = build(&[257, 0, 1, 257]);
        for nr in 0..500 {
            let want = if [0, 1, 257].contains(&nr) {
                RET_TRACE
            } else {
                RET_ALLOW
            };
            assert_eq!(run(&prog, nr, AUDIT_ARCH_X86_64), want, "nr {nr}");
        }
    }

    #[test]
    fn large_sets_span_several_chunks() {
        let set: Vec<u16> = (0..460).filter(|n| n % 3 != 0).collect();
        let prog = build(&set);
        for nr in 0..470u32 {
            let want = if set.contains(&(nr as u16)) {
                RET_TRACE
            } else {
                RET_ALLOW
            };
            assert_eq!(run(&prog, nr, AUDIT_ARCH_X86_64), want, "nr {nr}");
        }
    }

    #[test]
    fn other_architectures_always_stop() {
        let prog = build(&[1]);
        assert_eq!(run(&prog, 5, 0x4000_0003), RET_TRACE);
        assert_eq!(
            run(&prog, X32_SYSCALL_BIT | 5, AUDIT_ARCH_X86_64),
            RET_TRACE
        );
        assert_eq!(run(&prog, 5, AUDIT_ARCH_X86_64), RET_ALLOW);
    }
}
