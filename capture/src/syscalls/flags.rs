//! Named flag sets and enumerations for [`super::ArgType::Flags`], with their symbolic names as
//! strace prints them (`O_RDONLY|O_CLOEXEC`, `SOCK_STREAM|SOCK_CLOEXEC`, `FUTEX_WAKE_PRIVATE`).
//!
//! Values come from the `libc` crate where it has them (x86_64), written out otherwise. The
//! order of each table is strace's (`src/xlat/*.in`): strace prints set bits in table order,
//! and a composite entry (`STATX_BASIC_STATS`) listed before its parts wins over them.

use super::flag_tables as t;
use super::structs::hex0;

/// A named set of flags or enumerated values. The table refers to one by name; [`format()`]
/// decodes a value with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagSet {
    /// open(2) flags: access mode then `O_*` bits (`O_RDONLY|O_CLOEXEC`).
    Open,
    /// `AT_*` flags of the *at() calls.
    At,
    /// mmap/mprotect `PROT_*`.
    Prot,
    /// mmap `MAP_*`: the mapping type then flags.
    Map,
    /// access(2) `F_OK`/`R_OK`…
    Access,
    /// madvise `MADV_*` (an enumeration).
    Madvise,
    /// clone `CLONE_*` with the exit signal in the low byte (`CLONE_VM|SIGCHLD`).
    Clone,
    /// unshare/setns `CLONE_NEW*` bits (no signal part).
    CloneNs,
    /// socket type with `SOCK_CLOEXEC`/`SOCK_NONBLOCK`.
    SockType,
    /// `SOCK_CLOEXEC|SOCK_NONBLOCK` alone (accept4).
    SockFlags,
    /// Address family `AF_*`.
    AddrFamily,
    /// `IPPROTO_*`.
    IpProto,
    /// Socket option level `SOL_*`.
    SockLevel,
    /// `MSG_*` send/recv flags.
    Msg,
    /// shutdown `SHUT_*`.
    Shutdown,
    /// fcntl commands `F_*`.
    FcntlCmd,
    /// `FD_CLOEXEC`.
    FdFlags,
    /// rt_sigprocmask `SIG_BLOCK`…
    SigHow,
    /// sigaction `SA_*`.
    SaFlags,
    /// `CLOCK_*` clock ids.
    Clock,
    /// futex operation with `_PRIVATE` and `FUTEX_CLOCK_REALTIME`.
    Futex,
    /// epoll_ctl `EPOLL_CTL_*`.
    EpollCtl,
    /// `EPOLL*` event bits.
    EpollEvents,
    /// epoll_create1 `EPOLL_CLOEXEC`.
    EpollFlags,
    /// poll `POLL*` event bits.
    Poll,
    /// lseek `SEEK_*`.
    Seek,
    /// prctl `PR_*` options.
    Prctl,
    /// arch_prctl `ARCH_*` codes.
    ArchPrctl,
    /// `RLIMIT_*` resources.
    Rlimit,
    /// getrandom `GRND_*`.
    Grnd,
    /// ioctl request codes (`TCGETS`, `TIOCGWINSZ`, `FIONREAD`…).
    Ioctl,
    /// wait4/waitpid/waitid options (`WNOHANG`…).
    Wait,
    /// statx `STATX_*` mask.
    StatxMask,
    /// statx flags: `AT_STATX_*` sync type then `AT_*` bits.
    AtStatx,
    /// faccessat2 flags (`AT_EACCESS`, `AT_SYMLINK_NOFOLLOW`…).
    AtAccess,
    /// unlinkat flags (`AT_REMOVEDIR`).
    AtRemoveDir,
    /// posix_fadvise `POSIX_FADV_*`.
    Fadvise,
    /// mremap `MREMAP_*`.
    Mremap,
    /// pipe2/dup3/inotify_init1… flags drawn from `O_*` (`O_CLOEXEC|O_NONBLOCK`).
    OFlags,
    /// eventfd2 `EFD_*`.
    Eventfd,
    /// signalfd4 `SFD_*`.
    Signalfd,
    /// inotify_init1 `IN_CLOEXEC`/`IN_NONBLOCK`.
    InotifyInit,
    /// pidfd_open `PIDFD_*`.
    Pidfd,
    /// timerfd_create/settime `TFD_*`.
    Timerfd,
    /// memfd_create `MFD_*`.
    Memfd,
    /// flock `LOCK_*`.
    Flock,
    /// renameat2 `RENAME_*`.
    Rename,
    /// `TIMER_ABSTIME` (clock_nanosleep).
    TimerFlags,
    /// `P_*` id types of waitid.
    IdType,
    /// `RUSAGE_*` (getrusage who).
    Rusage,
    /// sched policies `SCHED_*`.
    SchedPolicy,
    /// `ITIMER_*`.
    Itimer,
    /// msync `MS_*`.
    Msync,
    /// mlockall `MCL_*`.
    Mlockall,
    /// sigaltstack `SS_*`.
    SsFlags,
    /// setxattr `XATTR_*`.
    Xattr,
    /// close_range `CLOSE_RANGE_*`.
    CloseRange,
    /// splice/tee/vmsplice `SPLICE_F_*`.
    Splice,
    /// `PRIO_*` (getpriority which).
    Prio,
    /// inotify `IN_*` event mask.
    Inotify,
    /// mount `MS_*` flags.
    Mount,
    /// umount2 `MNT_*` flags.
    Umount,
    /// ptrace requests `PTRACE_*`.
    Ptrace,
    /// seccomp operations `SECCOMP_SET_MODE_*`.
    Seccomp,
    /// membarrier commands `MEMBARRIER_CMD_*`.
    Membarrier,
    /// `TCP_*` socket options.
    TcpOpt,
    /// `NETLINK_*` socket options (level `SOL_NETLINK`).
    NetlinkOpt,
    /// Capabilities `CAP_*`.
    Cap,
    /// `SO_*` socket options.
    SockOpt,
    /// `IP_*` socket options.
    IpOpt,
    /// `IPV6_*` socket options.
    Ipv6Opt,
    /// netlink protocols `NETLINK_*`.
    Netlink,
    /// file type and permission bits of a mode (`S_IFREG|0644`), as in mknod and stat.
    FileMode,
}

/// How a table is read: OR-ed bits, or one value of an enumeration.
enum Style {
    Bits(&'static [(u64, &'static str)], &'static str),
    Enum(&'static [(u64, &'static str)], &'static str),
}

fn style(set: FlagSet) -> Option<Style> {
    use FlagSet as F;
    use Style::{Bits, Enum};
    Some(match set {
        F::At => Bits(t::AT, "AT_???"),
        F::Prot => Bits(t::PROT, "PROT_???"),
        F::Access => Bits(t::ACCESS, "?_OK"),
        F::Madvise => Enum(t::MADV, "MADV_???"),
        F::CloneNs => Bits(t::CLONE, "CLONE_???"),
        F::SockFlags => Bits(t::SOCK_FLAGS, "SOCK_???"),
        F::AddrFamily => Enum(t::AF, "AF_???"),
        F::IpProto => Enum(t::IPPROTO, "IPPROTO_???"),
        F::SockLevel => Enum(t::SOL, "SOL_???"),
        F::Msg => Bits(t::MSG, "MSG_???"),
        F::Shutdown => Enum(t::SHUT, "SHUT_???"),
        F::FcntlCmd => Enum(t::FCNTL, "F_???"),
        F::FdFlags => Bits(t::FD_FLAGS, "FD_???"),
        F::SigHow => Enum(t::SIG_HOW, "SIG_???"),
        F::SaFlags => Bits(t::SA, "SA_???"),
        F::Clock => Enum(t::CLOCK, "CLOCK_???"),
        F::EpollCtl => Enum(t::EPOLL_CTL, "EPOLL_CTL_???"),
        F::EpollEvents => Bits(t::EPOLL_EVENTS, "EPOLL???"),
        F::EpollFlags => Bits(t::EPOLL_FLAGS, "EPOLL_???"),
        F::Poll => Bits(t::POLL, "POLL???"),
        F::Seek => Enum(t::SEEK, "SEEK_???"),
        F::Prctl => Enum(t::PRCTL, "PR_???"),
        F::ArchPrctl => Enum(t::ARCH, "ARCH_???"),
        F::Rlimit => Enum(t::RLIMIT, "RLIMIT_???"),
        F::Grnd => Bits(t::GRND, "GRND_???"),
        F::Ioctl => Enum(t::IOCTL, "_IOC_???"),
        F::Wait => Bits(t::WAIT, "W???"),
        F::StatxMask => Bits(t::STATX_MASK, "STATX_???"),
        F::AtAccess => Bits(t::AT_ACCESS, "AT_???"),
        F::AtRemoveDir => Bits(t::AT_REMOVEDIR, "AT_???"),
        F::Fadvise => Enum(t::FADV, "POSIX_FADV_???"),
        F::Mremap => Bits(t::MREMAP, "MREMAP_???"),
        F::OFlags => Bits(t::OPEN, "O_???"),
        F::Eventfd => Bits(t::EFD, "EFD_???"),
        F::Signalfd => Bits(t::SFD, "SFD_???"),
        F::InotifyInit => Bits(t::IN_INIT, "IN_???"),
        F::Pidfd => Bits(t::PIDFD, "PIDFD_???"),
        F::Timerfd => Bits(t::TFD, "TFD_???"),
        F::Memfd => Bits(t::MFD, "MFD_???"),
        F::Flock => Bits(t::LOCK, "LOCK_???"),
        F::Rename => Bits(t::RENAME, "RENAME_???"),
        F::TimerFlags => Bits(t::TIMER, "TIMER_???"),
        F::IdType => Enum(t::IDTYPE, "P_???"),
        F::Rusage => Enum(t::RUSAGE, "RUSAGE_???"),
        F::SchedPolicy => Enum(t::SCHED, "SCHED_???"),
        F::Itimer => Enum(t::ITIMER, "ITIMER_???"),
        F::Msync => Bits(t::MSYNC, "MS_???"),
        F::Mlockall => Bits(t::MCL, "MCL_???"),
        F::SsFlags => Bits(t::SS, "SS_???"),
        F::Xattr => Bits(t::XATTR, "XATTR_???"),
        F::CloseRange => Bits(t::CLOSE_RANGE, "CLOSE_RANGE_???"),
        F::Splice => Bits(t::SPLICE, "SPLICE_F_???"),
        F::Prio => Enum(t::PRIO, "PRIO_???"),
        F::Inotify => Bits(t::INOTIFY, "IN_???"),
        F::Mount => Bits(t::MOUNT, "MS_???"),
        F::Umount => Bits(t::UMOUNT, "MNT_???"),
        F::Ptrace => Enum(t::PTRACE, "PTRACE_???"),
        F::Seccomp => Enum(t::SECCOMP, "SECCOMP_SET_MODE_???"),
        F::Membarrier => Bits(t::MEMBARRIER, "MEMBARRIER_CMD_???"),
        F::TcpOpt => Enum(t::TCP_OPT, "TCP_???"),
        F::NetlinkOpt => Enum(t::NETLINK_OPT, "NETLINK_???"),
        F::Cap => Enum(t::CAP, "CAP_???"),
        F::SockOpt => Enum(t::SO, "SO_???"),
        F::IpOpt => Enum(t::IP_OPT, "IP_???"),
        F::Ipv6Opt => Enum(t::IPV6_OPT, "IPV6_???"),
        F::Netlink => Enum(t::NETLINK, "NETLINK_???"),
        F::Open | F::Map | F::Clone | F::SockType | F::Futex | F::AtStatx | F::FileMode => {
            return None
        }
    })
}

/// How named constants and flags are printed: strace's `-X`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConstStyle {
    /// The names (`O_RDONLY|O_CLOEXEC`), strace's default.
    #[default]
    Abbrev,
    /// The number (`0x80000`; a signal, `AT_FDCWD` in decimal).
    Raw,
    /// Both: `0x80000 /* O_RDONLY|O_CLOEXEC */`.
    Verbose,
}

thread_local! {
    static CONST_STYLE: std::cell::Cell<ConstStyle> = const { std::cell::Cell::new(ConstStyle::Abbrev) };
}

/// Print named constants and flags, on this thread, as `style` says (strace's `-X`).
pub fn set_const_style(style: ConstStyle) {
    CONST_STYLE.with(|c| c.set(style));
}

fn const_style() -> ConstStyle {
    CONST_STYLE.with(|c| c.get())
}

/// A value whose number is `raw` and whose symbolic text is `names`, as `-X` asks: the names;
/// the number; or the number with the names in a comment (when they say more than it).
pub(crate) fn styled(raw: String, names: &str) -> String {
    match const_style() {
        ConstStyle::Abbrev => names.to_string(),
        ConstStyle::Raw => raw,
        ConstStyle::Verbose if names != raw => format!("{raw} /* {names} */"),
        ConstStyle::Verbose => raw,
    }
}

/// `v` decoded with `set` as strace prints it: names joined with `|`, unknown bits as hex
/// (the numbers instead, or both, under [`set_const_style`]).
pub fn format(set: FlagSet, v: u64) -> String {
    let names = abbrev(set, v);
    if const_style() == ConstStyle::Abbrev {
        return names;
    }
    let v = low_bits(set, v);
    if set == FlagSet::SockType && v & !0xf != 0 {
        // strace shows the type and the flags apart: `0x1|0x80800`
        let (kind, rest) = (v & 0xf, v & !0xf);
        return format!(
            "{}|{}",
            styled(hex0(kind), &enumerated(t::SOCK_TYPE, kind, "SOCK_???")),
            styled(hex0(rest), &bits(t::SOCK_FLAGS, rest, "SOCK_???"))
        );
    }
    styled(hex0(v), &names)
}

/// The argument's bits: most flags are C `int`s, only the low 32 bits of the register.
fn low_bits(set: FlagSet, v: u64) -> u64 {
    match set {
        FlagSet::Clone | FlagSet::CloneNs | FlagSet::Mount => v,
        _ => v & 0xffff_ffff,
    }
}

/// [`format()`] with names, whatever `-X` says.
fn abbrev(set: FlagSet, v: u64) -> String {
    use FlagSet as F;
    let v = low_bits(set, v);
    match style(set) {
        Some(Style::Bits(tbl, dflt)) => bits(tbl, v, dflt),
        Some(Style::Enum(tbl, dflt)) => enumerated(tbl, v, dflt),
        None => match set {
            F::Open => {
                let mode = enumerated(t::OPEN_ACCESS, v & 3, "O_???");
                join_rest(mode, t::OPEN, v & !3)
            }
            F::Map => {
                let kind = enumerated(t::MAP_TYPE, v & 0xf, "MAP_???");
                join_rest(kind, t::MAP, v & !0xf)
            }
            F::SockType => {
                let kind = enumerated(t::SOCK_TYPE, v & 0xf, "SOCK_???");
                join_rest(kind, t::SOCK_FLAGS, v & !0xf)
            }
            F::Clone => clone_flags(v),
            F::Futex => futex_op(v),
            F::AtStatx => {
                let sync = enumerated(t::AT_STATX_SYNC, v & 0x6000, "AT_STATX_???");
                join_rest(sync, t::AT, v & !0x6000)
            }
            F::FileMode => file_mode(v as u32),
            _ => format!("{v:#x}"),
        },
    }
}

/// Names only, as sysdig shows them inside parentheses (`O_RDONLY|O_CLOEXEC`), and as strace
/// shows a result's meaning (`= 0x8002 (flags O_RDWR|O_LARGEFILE)`) whatever `-X` says.
pub fn names(set: FlagSet, v: u64) -> String {
    abbrev(set, v)
}

/// The name of `v` in an enumerated set, if it has one (`F_GETFL`).
pub fn name_of(set: FlagSet, v: u64) -> Option<&'static str> {
    match style(set)? {
        Style::Enum(tbl, _) | Style::Bits(tbl, _) => {
            tbl.iter().find(|(val, _)| *val == v).map(|(_, n)| *n)
        }
    }
}

/// The value of a symbolic name in `set` (`O_CREAT` in [`FlagSet::Open`]), for filters.
pub fn value_of(set: FlagSet, name: &str) -> Option<u64> {
    let tables: &[&[(u64, &str)]] = match set {
        FlagSet::Open => &[t::OPEN_ACCESS, t::OPEN],
        FlagSet::Map => &[t::MAP_TYPE, t::MAP],
        FlagSet::SockType => &[t::SOCK_TYPE, t::SOCK_FLAGS],
        FlagSet::Clone => &[t::CLONE],
        FlagSet::Futex => &[t::FUTEX_CMD],
        FlagSet::AtStatx => &[t::AT_STATX_SYNC, t::AT],
        FlagSet::FileMode => &[t::FILE_TYPE],
        _ => match style(set) {
            Some(Style::Bits(tbl, _) | Style::Enum(tbl, _)) => {
                return tbl.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
            }
            None => return None,
        },
    };
    tables
        .iter()
        .flat_map(|t| t.iter())
        .find(|(_, n)| *n == name)
        .map(|(v, _)| *v)
}

/// OR-ed bits in table order; unknown bits as hex; 0 as the zero entry's name or `0`.
pub(crate) fn bits(tbl: &[(u64, &str)], v: u64, dflt: &str) -> String {
    if v == 0 {
        return tbl
            .iter()
            .find(|(val, _)| *val == 0)
            .map_or_else(|| "0".to_string(), |(_, n)| n.to_string());
    }
    let mut out: Vec<String> = Vec::new();
    let mut rest = v;
    for &(val, name) in tbl {
        if val != 0 && rest & val == val {
            out.push(name.to_string());
            rest &= !val;
        }
    }
    if out.is_empty() {
        return format!("{v:#x} /* {dflt} */");
    }
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out.join("|")
}

/// One value of an enumeration, or `0x… /* DFLT */` when unknown.
pub(crate) fn enumerated(tbl: &[(u64, &str)], v: u64, dflt: &str) -> String {
    match tbl.iter().find(|(val, _)| *val == v) {
        Some((_, n)) => n.to_string(),
        None => format!("{v:#x} /* {dflt} */"),
    }
}

fn join_rest(first: String, tbl: &[(u64, &str)], rest: u64) -> String {
    if rest == 0 {
        first
    } else {
        format!("{first}|{}", bits(tbl, rest, "???"))
    }
}

fn clone_flags(v: u64) -> String {
    let sig = (v & 0xff) as i32;
    let flags = v & !0xff;
    let mut out = if flags != 0 {
        bits(t::CLONE, flags, "CLONE_???")
    } else {
        String::new()
    };
    if sig != 0 {
        if !out.is_empty() {
            out.push('|');
        }
        match super::errno::signal_name(sig) {
            Some(n) => out.push_str(n),
            None => out.push_str(&sig.to_string()),
        }
    }
    if out.is_empty() {
        out.push('0');
    }
    out
}

fn futex_op(v: u64) -> String {
    let cmd = v & 0x7f;
    let name = t::FUTEX_CMD.iter().find(|(val, _)| *val == cmd);
    let Some((_, name)) = name else {
        return format!("{v:#x} /* FUTEX_??? */");
    };
    let mut out = name.to_string();
    if v & 128 != 0 {
        out.push_str("_PRIVATE");
    }
    if v & 256 != 0 {
        out.push_str("|FUTEX_CLOCK_REALTIME");
    }
    let rest = v & !(0x7f | 128 | 256);
    if rest != 0 {
        out.push_str(&format!("|{rest:#x}"));
    }
    out
}

/// A mode with its file type, as strace prints `st_mode` and mknod's mode (`S_IFREG|0644`,
/// `S_IFDIR|S_ISVTX|0777`); without a file type, the octal number (`0644`).
pub fn file_mode(mode: u32) -> String {
    let ifmt = mode & libc::S_IFMT;
    let ty = t::FILE_TYPE.iter().find(|(v, _)| *v == ifmt as u64);
    match ty {
        Some((_, name)) if ifmt != 0 => {
            let mut s = format!("{name}|");
            if mode & libc::S_ISUID != 0 {
                s.push_str("S_ISUID|");
            }
            if mode & libc::S_ISGID != 0 {
                s.push_str("S_ISGID|");
            }
            if mode & libc::S_ISVTX != 0 {
                s.push_str("S_ISVTX|");
            }
            s.push_str(&octal(mode & !(libc::S_IFMT | 0o7000)));
            s
        }
        _ => octal(mode),
    }
}

/// strace's `%#03o`: `000`, `0644`, `01777`.
pub fn octal(v: u32) -> String {
    if v == 0 {
        "000".to_string()
    } else {
        format!("{:#03o}", v).replacen("0o", "0", 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags() {
        let v = (libc::O_RDONLY | libc::O_CLOEXEC) as u64;
        assert_eq!(format(FlagSet::Open, v), "O_RDONLY|O_CLOEXEC");
        let v = (libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC) as u64;
        assert_eq!(format(FlagSet::Open, v), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(format(FlagSet::Open, 0x8000), "O_RDONLY|O_LARGEFILE");
        let v = (libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_DIRECTORY) as u64;
        assert_eq!(
            format(FlagSet::Open, v),
            "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY"
        );
        assert_eq!(value_of(FlagSet::Open, "O_CREAT"), Some(0o100));
    }

    #[test]
    fn mmap_and_prot() {
        assert_eq!(format(FlagSet::Prot, 0), "PROT_NONE");
        assert_eq!(format(FlagSet::Prot, 5), "PROT_READ|PROT_EXEC");
        assert_eq!(format(FlagSet::Map, 0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(
            format(FlagSet::Map, 0x812),
            "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE"
        );
    }

    #[test]
    fn clone_socket_futex() {
        assert_eq!(
            format(FlagSet::Clone, 0x01200011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(
            format(FlagSet::SockType, 0x80801),
            "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK"
        );
        assert_eq!(format(FlagSet::Futex, 129), "FUTEX_WAKE_PRIVATE");
        assert_eq!(
            format(FlagSet::Futex, 393),
            "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"
        );
    }

    #[test]
    fn statx_and_at() {
        assert_eq!(
            format(FlagSet::AtStatx, 0x900),
            "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT"
        );
        assert_eq!(
            format(FlagSet::StatxMask, 0x25e),
            "STATX_MODE|STATX_NLINK|STATX_UID|STATX_GID|STATX_MTIME|STATX_SIZE"
        );
        assert_eq!(
            format(FlagSet::StatxMask, 0x17ff),
            "STATX_BASIC_STATS|STATX_MNT_ID"
        );
        assert_eq!(format(FlagSet::At, 0x1000), "AT_EMPTY_PATH");
        assert_eq!(format(FlagSet::AtAccess, 0x200), "AT_EACCESS");
    }

    #[test]
    fn enums_and_unknowns() {
        assert_eq!(format(FlagSet::Rlimit, 3), "RLIMIT_STACK");
        assert_eq!(format(FlagSet::Rlimit, 99), "0x63 /* RLIMIT_??? */");
        assert_eq!(format(FlagSet::Access, 0), "F_OK");
        assert_eq!(format(FlagSet::Wait, 0), "0");
        assert_eq!(format(FlagSet::Ioctl, 0x5401), "TCGETS");
        assert_eq!(format(FlagSet::FcntlCmd, 1), "F_GETFD");
        assert_eq!(format(FlagSet::Msg, 0x4040), "MSG_DONTWAIT|MSG_NOSIGNAL");
        assert_eq!(format(FlagSet::OFlags, 0), "0");
        assert_eq!(format(FlagSet::OFlags, 0x80000), "O_CLOEXEC");
        assert_eq!(name_of(FlagSet::ArchPrctl, 0x1002), Some("ARCH_SET_FS"));
        assert_eq!(format(FlagSet::EpollEvents, 0x8000_0001), "EPOLLIN|EPOLLET");
        // A sign-extended int argument.
        assert_eq!(
            format(FlagSet::EpollEvents, 0xffff_ffff_8000_0001),
            "EPOLLIN|EPOLLET"
        );
        assert_eq!(format(FlagSet::SaFlags, 0x8000_0000), "SA_RESETHAND");
        assert_eq!(format(FlagSet::Rusage, u64::MAX), "RUSAGE_CHILDREN");
        assert_eq!(format(FlagSet::Signalfd, 0x80000), "SFD_CLOEXEC");
        assert_eq!(format(FlagSet::InotifyInit, 0x800), "IN_NONBLOCK");
    }

    #[test]
    fn modes() {
        assert_eq!(file_mode(0o100644), "S_IFREG|0644");
        assert_eq!(file_mode(0o41777), "S_IFDIR|S_ISVTX|0777");
        assert_eq!(file_mode(0o644), "0644");
        assert_eq!(octal(0), "000");
        assert_eq!(octal(0o22), "022");
    }
}
