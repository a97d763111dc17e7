//! What user space writes into the program's maps: the per-syscall argument descriptions
//! (derived from the one syscall table, [`crate::syscalls`]) and the filter sets.

use syspect_ebpf::{arg_flags, dir, fetch, len_from, sc, ArgSpec, SyscallSpec, MAX_SYSCALLS};

use crate::syscalls::{self, Dir, Fetch, LenFrom};

/// The `sp_syscalls` map value for syscall `nr`: whether the syscall filter keeps it, and for a
/// syscall the table describes, how to read each argument.
pub fn syscall_spec(nr: u16, traced: bool) -> SyscallSpec {
    let mut spec = SyscallSpec::default();
    if traced {
        spec.flags |= sc::TRACED;
    }
    match syscalls::socket_ends(nr) {
        Some(syscalls::SocketEnds::Arg0) => spec.flags |= sc::SOCK,
        Some(syscalls::SocketEnds::Ret) => spec.flags |= sc::SOCK | sc::SOCK_RET,
        None => {}
    }
    if let Some(desc) = syscalls::lookup(nr) {
        spec.flags |= sc::DESCRIBED;
        spec.nargs = desc.args.len().min(6) as u8;
        for (i, (slot, arg)) in spec.args.iter_mut().zip(desc.args).enumerate() {
            *slot = arg_spec(arg.fetch(), arg.dir);
            if matches!(arg.fetch(), Fetch::Str | Fetch::Path) && arg.dir != Dir::Out {
                spec.flags |= sc::IN_STR;
            }
            if arg.ty == syscalls::ArgType::Dirents {
                spec.flags |= sc::DIRENTS;
            }
            if slot.fetch == fetch::MSGS {
                // read apart (see sc::MSGS); a call has at most one such argument. Bit 7 of a
                // mask, past every argument the program's loop looks at, says that the side
                // reads something (an enter that reads nothing is kept without a look).
                spec.flags |= sc::MSGS;
                spec.msgs_arg = i as u8;
                if slot.dir & dir::IN != 0 {
                    spec.in_mask |= 0x80;
                }
                if slot.dir & dir::OUT != 0 {
                    spec.out_mask |= 0x80;
                }
            } else if slot.fetch != fetch::VALUE {
                if slot.dir & dir::IN != 0 {
                    spec.in_mask |= 1 << i;
                }
                if slot.dir & dir::OUT != 0 {
                    spec.out_mask |= 1 << i;
                }
            }
        }
    }
    spec
}

/// One argument's [`ArgSpec`].
pub fn arg_spec(f: Fetch, d: Dir) -> ArgSpec {
    let dir = match d {
        Dir::In => dir::IN,
        Dir::Out => dir::OUT,
        Dir::InOut => dir::IN | dir::OUT,
    };
    let mut a = ArgSpec {
        dir,
        ..ArgSpec::default()
    };
    let set_len = |a: &mut ArgSpec, l: LenFrom| match l {
        LenFrom::Arg(n) => {
            a.len_from = len_from::ARG;
            a.len_arg = n;
        }
        LenFrom::Ret => a.len_from = len_from::RET,
        LenFrom::ArgPtr(n) => {
            a.len_from = len_from::ARGPTR;
            a.len_arg = n;
        }
        LenFrom::Fixed(size) => {
            a.len_from = len_from::FIXED;
            a.size = size;
        }
    };
    match f {
        Fetch::Value => a.fetch = fetch::VALUE,
        Fetch::Str => a.fetch = fetch::STR,
        Fetch::Path => a.fetch = fetch::PATH,
        Fetch::StrList => a.fetch = fetch::STRLIST,
        Fetch::Buf(l) => {
            a.fetch = fetch::BUF;
            set_len(&mut a, l);
        }
        Fetch::Mem(l) => {
            a.fetch = fetch::MEM;
            set_len(&mut a, l);
        }
        Fetch::Array { count, elem } => {
            a.fetch = fetch::ARRAY;
            set_len(&mut a, count);
            // FIXED counts keep the count in `size`; the element size wins for arrays, so a
            // fixed-count array is described as fixed memory of count * elem bytes instead.
            if let LenFrom::Fixed(n) = count {
                a.fetch = fetch::MEM;
                a.size = n.saturating_mul(elem);
            } else {
                a.size = elem;
            }
        }
        Fetch::Iovec { count } => {
            a.fetch = fetch::IOVEC;
            set_len(&mut a, count);
        }
        Fetch::Msgs { count, mmsg, recv } => {
            a.fetch = fetch::MSGS;
            set_len(&mut a, count);
            a.flags = u16::from(recv) * arg_flags::RECV + u16::from(mmsg) * arg_flags::MMSG;
        }
    }
    a
}

/// Every `sp_syscalls` entry, indexed by syscall number: traced unless `only` is given and does
/// not name it.
pub fn syscall_specs(only: Option<&[u16]>) -> Vec<SyscallSpec> {
    (0..MAX_SYSCALLS as u16)
        .map(|nr| {
            let traced = only.is_none_or(|set| set.contains(&nr));
            syscall_spec(nr, traced)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openat_path_is_read_at_enter_and_write_buffer_length_comes_from_arg2() {
        let s = syscall_spec(257, true);
        assert_eq!(s.flags, sc::TRACED | sc::DESCRIBED | sc::IN_STR);
        assert_eq!(s.nargs, 4);
        assert_eq!(s.args[0].fetch, fetch::VALUE);
        assert_eq!(s.args[1].fetch, fetch::PATH);
        assert_eq!(s.args[1].dir, dir::IN);
        let w = syscall_spec(1, true);
        assert_eq!(w.args[1].fetch, fetch::BUF);
        assert_eq!((w.args[1].len_from, w.args[1].len_arg), (len_from::ARG, 2));
        assert_eq!((w.in_mask, w.out_mask), (0b10, 0));
        let r = syscall_spec(0, false);
        assert_eq!(r.flags, sc::DESCRIBED);
        assert_eq!((r.in_mask, r.out_mask), (0, 0b10));
        assert_eq!((s.in_mask, s.out_mask), (0b10, 0));
        assert_eq!(r.args[1].dir, dir::OUT);
        assert_eq!(r.args[1].len_from, len_from::RET);
    }

    #[test]
    fn messages_are_read_apart_on_their_sides() {
        // sendmsg: at enter; recvmsg: headers at enter, the rest at exit; recvmmsg at exit
        let send = syscall_spec(46, true);
        assert_eq!(send.flags & sc::MSGS, sc::MSGS);
        assert_eq!((send.msgs_arg, send.in_mask, send.out_mask), (1, 0x80, 0));
        assert_eq!(send.args[1].fetch, fetch::MSGS);
        assert_eq!(send.args[1].flags, 0);
        let recv = syscall_spec(47, true);
        assert_eq!((recv.in_mask, recv.out_mask), (0x80, 0x80));
        assert_eq!(recv.args[1].flags, arg_flags::RECV);
        let mm = syscall_spec(299, true);
        assert_eq!((mm.msgs_arg, mm.in_mask, mm.out_mask), (1, 0x10, 0x80)); // and its timeout
        assert_eq!(mm.args[1].flags, arg_flags::RECV | arg_flags::MMSG);
        assert_eq!(mm.args[1].len_from, len_from::RET);
        let smm = syscall_spec(307, true);
        assert_eq!(
            (smm.args[1].len_from, smm.args[1].len_arg),
            (len_from::ARG, 2)
        );
        const _: () = assert!(syspect_ebpf::MAX_MSGS == crate::syscalls::MAX_MSGS);
        const _: () =
            assert!(syspect_ebpf::MAX_STRLIST_COUNT as u64 == crate::syscalls::MAX_STRLIST_COUNT);
        const _: () = assert!(syspect_ebpf::MAX_MSG_IOV == crate::syscalls::MAX_MSG_IOV);
        const _: () = assert!(syspect_ebpf::MAX_MSG_NAME == crate::syscalls::MAX_MSG_NAME);
        const _: () = assert!(syspect_ebpf::MAX_MSG_CONTROL == crate::syscalls::MAX_MSG_CONTROL);
    }

    #[test]
    fn unknown_syscalls_are_traced_but_not_described() {
        // 511 is past every x86_64 syscall
        let s = syscall_spec(511, true);
        assert_eq!(s.flags, sc::TRACED);
        assert_eq!(s.nargs, 0);
        assert_eq!((s.in_mask, s.out_mask), (0, 0));
    }

    #[test]
    fn syscall_filter_marks_only_named_syscalls() {
        let specs = syscall_specs(Some(&[0, 257]));
        assert_eq!(specs.len(), MAX_SYSCALLS as usize);
        let traced: Vec<usize> = (0..specs.len())
            .filter(|&i| specs[i].flags & sc::TRACED != 0)
            .collect();
        assert_eq!(traced, vec![0, 257]);
    }

    #[test]
    fn arrays_and_fixed_memory_encode_sizes() {
        let a = arg_spec(
            Fetch::Array {
                count: LenFrom::Arg(1),
                elem: 8,
            },
            Dir::In,
        );
        assert_eq!(
            (a.fetch, a.len_from, a.len_arg, a.size),
            (fetch::ARRAY, len_from::ARG, 1, 8)
        );
        let m = arg_spec(Fetch::Mem(LenFrom::Fixed(144)), Dir::Out);
        assert_eq!(
            (m.fetch, m.len_from, m.size, m.dir),
            (fetch::MEM, len_from::FIXED, 144, dir::OUT)
        );
        let io = arg_spec(Fetch::Mem(LenFrom::ArgPtr(2)), Dir::InOut);
        assert_eq!(io.dir, dir::IN | dir::OUT);
    }
}
