//! syspect-ebpf: the kernel-side program of syspect's eBPF engine, written in C under `bpf/`,
//! and the `#[repr(C)]` Rust mirror of its ABI (`bpf/abi.h`).
//!
//! - [`OBJECT`]: the compiled BPF object (built by `build.rs` with clang when it is installed,
//!   otherwise the object kept in the repository), 8-byte aligned for the ELF parser.
//! - The record structs ([`Hdr`], [`SyscallRec`], [`Item`], [`Iov`], [`Msg`], [`CloneRec`], [`ExecRec`],
//!   [`ThreadExitRec`], [`SignalRec`]) and the map values ([`ArgSpec`], [`SyscallSpec`]), each checked against
//!   its C size and field offsets at compile time.
//!
//! ```
//! assert_eq!(syspect_ebpf::object_abi_version(syspect_ebpf::object()), Some(syspect_ebpf::ABI_VERSION));
//! ```
//!
//! Compatibility rule (the same as at the top of `abi.h`): any change of a struct, a constant's
//! value or a record's meaning bumps `SP_ABI_VERSION` in `abi.h` and [`ABI_VERSION`] here (the
//! build fails when they differ); user space refuses an object whose version differs. Only append
//! record kinds, item kinds and struct fields.

#![no_std]

use core::mem::{offset_of, size_of};

/// Version of the kernel/user ABI (`SP_ABI_VERSION` in `abi.h`).
pub const ABI_VERSION: u16 = 15;

const _: () = assert!(
    const_parse_u16(env!("SYSPECT_C_ABI_VERSION")) == ABI_VERSION,
    "ABI_VERSION differs from SP_ABI_VERSION in bpf/abi.h"
);

const fn const_parse_u16(s: &str) -> u16 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut v: u16 = 0;
    while i < b.len() {
        assert!(b[i].is_ascii_digit(), "SP_ABI_VERSION is not a number");
        v = v * 10 + (b[i] - b'0') as u16;
        i += 1;
    }
    v
}

/// The BPF object, aligned so that it can be parsed in place.
#[repr(C, align(8))]
struct Aligned<T: ?Sized>(T);

static OBJECT_ALIGNED: &Aligned<[u8]> = &Aligned(*include_bytes!(env!("SYSPECT_BPF_OBJECT")));

/// The compiled BPF object (ELF), to hand to the loader.
pub fn object() -> &'static [u8] {
    &OBJECT_ALIGNED.0
}

/// The ABI version an object was built for, from the `SYSPECT_ABI_VERSION=N;` marker the C
/// program keeps in its `.rodata`; `None` when the object has no marker.
pub fn object_abi_version(obj: &[u8]) -> Option<u16> {
    const MARK: &[u8] = b"SYSPECT_ABI_VERSION=";
    let at = obj.windows(MARK.len()).position(|w| w == MARK)? + MARK.len();
    let rest = &obj[at..];
    let end = rest.iter().position(|&b| b == b';')?;
    let digits = &rest[..end];
    if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = digits.iter().fold(0u32, |v, &d| v * 10 + (d - b'0') as u32);
    u16::try_from(v).ok()
}

/// Syscall numbers below this are described by the `sp_syscalls` map.
pub const MAX_SYSCALLS: u32 = 512;
/// Largest string, buffer or memory read for one argument; caps the snap length.
pub const MAX_ARG_DATA: usize = 4096;
/// At most this many argv strings are read.
pub const MAX_STRLIST: usize = 64;
/// At most this many pointers of a string list are counted (a STRLIST item's `real`).
pub const MAX_STRLIST_COUNT: usize = 1024;
/// At most this many iovecs are read.
pub const MAX_IOVEC: usize = 64;
/// At most this many messages of a sendmmsg/recvmmsg are read ([`fetch::MSGS`]).
pub const MAX_MSGS: usize = 8;
/// At most this many bytes of a message's name are read.
pub const MAX_MSG_NAME: usize = 128;
/// At most this many bytes of a message's control data are read.
pub const MAX_MSG_CONTROL: usize = 256;
/// At most this many iovecs of one message are read.
pub const MAX_MSG_IOV: usize = 16;
/// Bytes of enter items an [`Inflight`] value keeps (`SP_INFLIGHT_DATA`).
pub const INFLIGHT_DATA: usize = 168;
/// Slots of the in-flight array (`SP_INFLIGHT_SLOTS`): a thread's is tid % this.
pub const INFLIGHT_SLOTS: usize = 65536;

/// Record kinds ([`Hdr::kind`]).
pub mod rec {
    pub const ENTER: u16 = 1;
    pub const EXIT: u16 = 2;
    pub const CLONE: u16 = 3;
    pub const EXEC: u16 = 4;
    pub const THREAD_EXIT: u16 = 5;
    /// A whole call ([`super::CallRec`]).
    pub const CALL: u16 = 6;
    /// A signal the thread takes ([`super::SignalRec`]).
    pub const SIGNAL: u16 = 7;
}

/// [`Hdr::flags`] bits. An input string can fault at enter when its page was never touched;
/// such an enter is flagged `RETRY`, and its exit, flagged `RETRIED`, carries the input strings
/// read again as items whose `arg` has [`item::REDO`] set.
pub mod hdr {
    pub const RETRY: u8 = 1;
    pub const RETRIED: u8 = 2;
    /// In an [`super::Inflight`] value: the enter waits for its exit.
    pub const PENDING: u8 = 4;
    /// In an [`super::ExecRec`]: the working directory's path follows the argument area.
    pub const CWD: u8 = 8;
    /// In an [`super::ExecRec`]: the executable's path follows the working directory.
    pub const EXE: u8 = 16;
    /// In an [`super::ExecRec`]: the cgroup v2 path follows the executable's path.
    pub const CGROUP: u8 = 32;
}

/// Item kinds ([`Item::kind`]) and flags ([`Item::flags`]).
pub mod item {
    /// Set in [`super::Item::arg`] for an input argument read again at exit.
    pub const REDO: u8 = 0x80;
    /// [`super::Item::arg`] of a socket's local end, read beyond the call's arguments (see
    /// [`super::sc::SOCK`]): a `struct sockaddr_in` or `sockaddr_in6` as a MEM item.
    pub const ARG_LOCAL: u8 = 6;
    /// [`super::Item::arg`] of a socket's peer, as [`ARG_LOCAL`].
    pub const ARG_PEER: u8 = 7;
    pub const STR: u8 = 1;
    pub const BUF: u8 = 2;
    pub const MEM: u8 = 3;
    pub const STRLIST: u8 = 4;
    pub const IOVEC: u8 = 5;
    pub const FAULT: u8 = 6;
    /// `real` messages, each a [`super::Msg`] then what it says follows.
    pub const MSGS: u8 = 7;
    /// No data: argument `arg`'s memory holds `real` elements, more than its own item kept
    /// (getdents' entries, see [`super::sc::DIRENTS`]).
    pub const COUNT: u8 = 8;
    /// STR: longer than the snap length; STRLIST: more strings or bytes than were read.
    pub const TRUNC: u8 = 1;
}

/// [`ArgSpec::fetch`] values.
pub mod fetch {
    pub const VALUE: u8 = 0;
    pub const STR: u8 = 1;
    pub const STRLIST: u8 = 2;
    pub const BUF: u8 = 3;
    pub const MEM: u8 = 4;
    pub const ARRAY: u8 = 5;
    pub const IOVEC: u8 = 6;
    /// A string kept up to [`super::MAX_ARG_DATA`] bytes, whatever the snap length.
    pub const PATH: u8 = 7;
    /// `count` msghdrs (mmsghdrs with [`super::arg_flags::MMSG`]) and what they point at.
    pub const MSGS: u8 = 8;
}

/// [`ArgSpec::flags`] of a [`fetch::MSGS`] argument.
pub mod arg_flags {
    /// The call fills the buffers: the headers alone at enter, the data up to the result.
    pub const RECV: u16 = 1;
    /// `struct mmsghdr` (64 bytes; `msg_len` is what each message moved).
    pub const MMSG: u16 = 2;
}

/// [`Msg::flags`]: the enter of a receiving call, its header alone.
pub const MSG_HDR_ONLY: u8 = 1;

/// [`ArgSpec::dir`] bits.
pub mod dir {
    pub const IN: u8 = 1;
    pub const OUT: u8 = 2;
}

/// [`ArgSpec::len_from`] values.
pub mod len_from {
    pub const ARG: u8 = 0;
    pub const RET: u8 = 1;
    pub const ARGPTR: u8 = 2;
    pub const FIXED: u8 = 3;
}

/// [`SyscallSpec::flags`] bits.
pub mod sc {
    /// Emit enter and exit records (the syscall filter).
    pub const TRACED: u8 = 1;
    /// Read arguments as [`super::SyscallSpec::args`] say.
    pub const DESCRIBED: u8 = 2;
    /// Has an input string argument (may need [`super::hdr::RETRY`]).
    pub const IN_STR: u8 = 4;
    /// At exit (success, or a connect under way), read the ends of the inet socket named by
    /// argument 0 as two items, [`super::item::ARG_LOCAL`] and [`super::item::ARG_PEER`].
    pub const SOCK: u8 = 8;
    /// With [`SOCK`]: the socket is the returned fd (accept).
    pub const SOCK_RET: u8 = 16;
    /// Argument [`super::SyscallSpec::msgs_arg`] is a [`super::fetch::MSGS`], read after the
    /// others on the sides its `dir` says, and in neither mask.
    pub const MSGS: u8 = 32;
    /// getdents: at exit, when the result is longer than an item holds, an
    /// [`super::item::COUNT`] of its entries for argument 1.
    pub const DIRENTS: u8 = 64;
}

/// Bits of the `sp_filter` global.
pub mod filter {
    pub const PIDS: u32 = 1;
    pub const CGROUPS: u32 = 2;
}

/// Values of the `sp_pids` map.
pub mod pid {
    pub const TRACED: u8 = 1;
    /// Traced from its next execve on (a command syspect starts).
    pub const ARMED: u8 = 2;
}

/// Common head of every record (`struct sp_hdr`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hdr {
    /// `bpf_ktime_get_boot_ns()`.
    pub ts: u64,
    /// cgroup v2 id of the thread.
    pub cgroup: u64,
    pub tid: u32,
    pub pid: u32,
    pub kind: u16,
    pub cpu: u16,
    /// Syscall number (enter, exit).
    pub nr: u16,
    /// Argument items after the record (enter, exit).
    pub nitems: u8,
    /// [`hdr`] bits.
    pub flags: u8,
}

/// A syscall enter or exit (`struct sp_syscall`); `nitems` [`Item`]s follow.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyscallRec {
    pub hdr: Hdr,
    pub regs: [u64; 6],
    /// Exit: the return value; enter: 0.
    pub ret: i64,
}

/// `struct sp_call`: a whole call, sent at its exit; the enter's `enter_items` items come
/// first, then the exit's. The header, registers and return value are the exit's.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallRec {
    pub sys: SyscallRec,
    pub enter_ts: u64,
    pub enter_cpu: u16,
    pub enter_items: u8,
    pub enter_flags: u8,
    pub pad: u32,
}

/// `struct sp_inflight`: a thread's kept enter (`rec.ret`: bytes of items in `data`;
/// `hdr::PENDING` while the call runs).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inflight {
    pub rec: SyscallRec,
    pub data: [u8; INFLIGHT_DATA],
}

impl Default for Inflight {
    fn default() -> Self {
        Inflight {
            rec: SyscallRec::default(),
            data: [0; INFLIGHT_DATA],
        }
    }
}

/// One argument read from memory (`struct sp_item`); `len` data bytes follow.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Item {
    /// BUF: real length; STRLIST: the strings counted (up to [`MAX_STRLIST_COUNT`], more than
    /// those kept when [`item::TRUNC`]); IOVEC: element count; FAULT: the pointer (0: NULL).
    pub real: u64,
    pub len: u32,
    pub arg: u8,
    pub kind: u8,
    pub flags: u8,
    pub pad: u8,
}

/// Head of one iovec inside an IOVEC item (`struct sp_iov`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Iov {
    /// `iov_len` (the data that follows: for an output argument, what the call filled).
    pub real: u64,
    /// Bytes that follow.
    pub len: u32,
    /// [`IOV_NULL`].
    pub flags: u32,
}

/// [`Iov::flags`]: `iov_base` is NULL.
pub const IOV_NULL: u32 = 1;

/// Head of one message inside a MSGS item (`struct sp_msg`): the header as the caller's memory
/// held it (`hdr_len` bytes of `hdr`: a msghdr, or an mmsghdr with `msg_len`), then `name_len`
/// bytes of `msg_name`, `ctl_len` bytes of `msg_control` and `iovs` iovecs, each an [`Iov`] and
/// its bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Msg {
    pub hdr: [u64; 8],
    pub name_len: u16,
    pub ctl_len: u16,
    pub iovs: u16,
    pub hdr_len: u8,
    /// [`MSG_HDR_ONLY`].
    pub flags: u8,
}

/// `struct sp_clone`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CloneRec {
    pub hdr: Hdr,
    pub flags: u64,
    pub child_tid: u32,
    pub child_pid: u32,
}

/// `struct sp_exec`; `len` bytes of the file name follow, then `args_len` bytes of the new
/// image's NUL-separated argv, then `cwd_len` bytes of the working directory and `exe_len`
/// bytes of the executable's path and `cgroup_len` bytes of the cgroup v2 path (present when
/// [`hdr::CWD`] / [`hdr::EXE`] / [`hdr::CGROUP`] is set), each as its components from the last
/// to the first, each followed by a NUL. `comm`: the task's name after the exec, NUL-padded.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecRec {
    pub hdr: Hdr,
    pub old_tid: u32,
    pub len: u32,
    pub args_len: u32,
    pub cwd_len: u16,
    pub exe_len: u16,
    pub cgroup_len: u16,
    pub pad: [u16; 3],
    pub comm: [u8; 16],
}

/// `struct sp_thread_exit`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThreadExitRec {
    pub hdr: Hdr,
    /// A wait(2) status.
    pub status: i32,
    pub pad: u32,
}

/// `struct sp_signal`: a signal the thread takes (to its handler or its default action).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignalRec {
    pub hdr: Hdr,
    pub signo: i32,
    /// `si_code`.
    pub code: i32,
    /// `si_pid`: the sender, or the child of a SIGCHLD.
    pub sender: u32,
    /// `si_errno`.
    pub err: i32,
    /// The siginfo's union as the kernel filled it (its bytes 16..48).
    pub fields: [u8; 32],
}

/// How to read one argument (`struct sp_arg_spec`, 8-byte aligned).
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArgSpec {
    pub fetch: u8,
    pub dir: u8,
    pub len_from: u8,
    pub len_arg: u8,
    /// FIXED: the length; ARRAY: the element size.
    pub size: u16,
    /// MSGS: [`arg_flags`].
    pub flags: u16,
}

/// Value of the `sp_syscalls` map (`struct sp_syscall_spec`), indexed by syscall number.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyscallSpec {
    pub flags: u8,
    pub nargs: u8,
    /// Bit i: argument i is read at enter (see `in_mask` in `abi.h`).
    pub in_mask: u8,
    /// Bit i: argument i is read at exit.
    pub out_mask: u8,
    /// With [`sc::MSGS`]: the argument read by the messages' reader (in neither mask).
    pub msgs_arg: u8,
    pub pad: [u8; 3],
    pub args: [ArgSpec; 6],
}

macro_rules! layout {
    ($t:ty, $size:expr, $($field:ident @ $off:expr),*) => {
        const _: () = assert!(size_of::<$t>() == $size);
        $(const _: () = assert!(offset_of!($t, $field) == $off);)*
    };
}

layout!(
    Hdr, 32, ts @ 0, cgroup @ 8, tid @ 16, pid @ 20, kind @ 24, cpu @ 26, nr @ 28, nitems @ 30,
    flags @ 31
);
layout!(SyscallRec, 88, hdr @ 0, regs @ 32, ret @ 80);
layout!(
    CallRec, 104, sys @ 0, enter_ts @ 88, enter_cpu @ 96, enter_items @ 98, enter_flags @ 99,
    pad @ 100
);
layout!(Inflight, 256, rec @ 0, data @ 88);
layout!(Item, 16, real @ 0, len @ 8, arg @ 12, kind @ 13, flags @ 14, pad @ 15);
layout!(Iov, 16, real @ 0, len @ 8, flags @ 12);
layout!(
    Msg, 72, hdr @ 0, name_len @ 64, ctl_len @ 66, iovs @ 68, hdr_len @ 70, flags @ 71
);
layout!(CloneRec, 48, hdr @ 0, flags @ 32, child_tid @ 40, child_pid @ 44);
layout!(
    ExecRec, 72, hdr @ 0, old_tid @ 32, len @ 36, args_len @ 40, cwd_len @ 44, exe_len @ 46,
    cgroup_len @ 48, pad @ 50, comm @ 56
);
layout!(ThreadExitRec, 40, hdr @ 0, status @ 32, pad @ 36);
layout!(SignalRec, 80, hdr @ 0, signo @ 32, code @ 36, sender @ 40, err @ 44, fields @ 48);
layout!(ArgSpec, 8, fetch @ 0, dir @ 1, len_from @ 2, len_arg @ 3, size @ 4, flags @ 6);
layout!(
    SyscallSpec, 56, flags @ 0, nargs @ 1, in_mask @ 2, out_mask @ 3, msgs_arg @ 4, pad @ 5,
    args @ 8
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_is_an_aligned_bpf_elf_of_this_abi() {
        let o = object();
        assert_eq!(&o[..4], b"\x7fELF");
        assert_eq!(o.as_ptr() as usize % 8, 0);
        // EM_BPF = 247
        assert_eq!(u16::from_le_bytes([o[18], o[19]]), 247);
        assert_eq!(object_abi_version(o), Some(ABI_VERSION));
    }

    #[test]
    fn abi_marker_parsing_rejects_garbage() {
        assert_eq!(object_abi_version(b"xxSYSPECT_ABI_VERSION=7;yy"), Some(7));
        assert_eq!(object_abi_version(b"SYSPECT_ABI_VERSION=;"), None);
        assert_eq!(object_abi_version(b"SYSPECT_ABI_VERSION=99999999;"), None);
        assert_eq!(object_abi_version(b"SYSPECT_ABI_VERSION=12"), None);
        assert_eq!(object_abi_version(b"nothing"), None);
    }
}
