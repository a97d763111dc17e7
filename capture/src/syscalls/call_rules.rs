//! strace's rules for particular calls: which arguments it prints for a given command
//! (fcntl, ioctl, futex, prctl) and how it shows an argument whose meaning depends on one.

use super::errno::signal_name;
use super::flags::{self, FlagSet};
use super::structs::{hex0, ptr};

/// A signal argument: its name, or the number (`0`, unknown signals).
pub(crate) fn signal_text(n: u64) -> String {
    match signal_name(n as i32) {
        Some(s) if n != 0 => super::flags::styled((n as i32).to_string(), s),
        _ => (n as i32).to_string(),
    }
}

/// fcntl commands that take no third argument.
pub(crate) fn fcntl_no_arg(cmd: i32) -> bool {
    matches!(
        cmd,
        libc::F_GETFD
            | libc::F_GETFL
            | libc::F_GETOWN
            | 11 // F_GETSIG
            | libc::F_GETLEASE
            | libc::F_GETPIPE_SZ
            | libc::F_GET_SEALS
    )
}

/// fcntl's third argument by command.
pub(crate) fn fcntl_arg(cmd: i32, n: u64) -> String {
    match cmd {
        libc::F_SETFD => flags::format(FlagSet::FdFlags, n),
        libc::F_SETFL => flags::format(FlagSet::Open, n),
        10 => signal_text(n), // F_SETSIG
        libc::F_SETLEASE => flags::enumerated(super::flag_tables::FLOCK_TYPE, n, "F_???"),
        libc::F_ADD_SEALS => flags::bits(super::flag_tables::SEALS, n, "F_SEAL_???"),
        libc::F_GETLK
        | libc::F_SETLK
        | libc::F_SETLKW
        | libc::F_OFD_GETLK
        | libc::F_OFD_SETLK
        | libc::F_OFD_SETLKW => ptr(n),
        _ => (n as i32).to_string(),
    }
}

/// ioctl requests that take no third argument.
pub(crate) fn ioctl_no_arg(req: u64) -> bool {
    matches!(
        flags::name_of(FlagSet::Ioctl, req),
        Some(
            "FIOCLEX"
                | "FIONCLEX"
                | "TIOCNOTTY"
                | "TIOCEXCL"
                | "TIOCNXCL"
                | "TIOCSBRK"
                | "TIOCCBRK"
        )
    )
}

/// Which futex arguments strace prints for operation `op` (without the private and clock
/// bits): 0 uaddr, 1 op, 2 val, 3 timeout or val2, 4 uaddr2, 5 val3.
pub(crate) fn futex_shows(op: u64, i: usize) -> bool {
    let n = match op {
        1 | 7 | 8 => 3,  // WAKE, UNLOCK_PI, TRYLOCK_PI
        0 | 6 | 13 => 4, // WAIT, LOCK_PI, LOCK_PI2
        3 => 5,          // REQUEUE
        _ => 6,
    };
    if matches!(op, 7 | 8) {
        return i < 2;
    }
    if matches!(op, 6 | 13) {
        return i != 2 && i < 4;
    }
    match op {
        9 => i != 4,            // WAIT_BITSET: uaddr, op, val, timeout, val3
        10 => i != 3 && i != 4, // WAKE_BITSET: uaddr, op, val, val3
        _ => i < n,
    }
}

/// Which prctl arguments strace prints for `option`.
pub(crate) fn prctl_shows(option: i32, i: usize) -> bool {
    let n = match option {
        libc::PR_GET_DUMPABLE
        | libc::PR_GET_KEEPCAPS
        | libc::PR_GET_TIMERSLACK
        | libc::PR_GET_SECCOMP
        | libc::PR_GET_THP_DISABLE
        | libc::PR_GET_SECUREBITS
        | libc::PR_TASK_PERF_EVENTS_DISABLE
        | libc::PR_TASK_PERF_EVENTS_ENABLE => 1,
        libc::PR_SET_NAME
        | libc::PR_GET_NAME
        | libc::PR_SET_PDEATHSIG
        | libc::PR_GET_PDEATHSIG
        | libc::PR_SET_DUMPABLE
        | libc::PR_SET_KEEPCAPS
        | libc::PR_SET_TIMERSLACK
        | libc::PR_CAPBSET_READ
        | libc::PR_CAPBSET_DROP
        | libc::PR_SET_CHILD_SUBREAPER
        | libc::PR_GET_CHILD_SUBREAPER
        | libc::PR_SET_SECUREBITS => 2,
        _ => 5,
    };
    i < n
}

/// prctl's argument `i` (1 to 4, the value `n`) for `option` as strace shows it: a signal, a
/// capability, PR_CAP_AMBIENT's subcommand (`arg2`: the second argument) and capability, else
/// the number in hex.
pub(crate) fn prctl_arg(option: i32, i: usize, n: u64, arg2: Option<u64>) -> String {
    const AMBIENT: [&str; 4] = [
        "PR_CAP_AMBIENT_IS_SET",
        "PR_CAP_AMBIENT_RAISE",
        "PR_CAP_AMBIENT_LOWER",
        "PR_CAP_AMBIENT_CLEAR_ALL",
    ];
    match (option, i) {
        (libc::PR_SET_PDEATHSIG, 1) => signal_text(n),
        (libc::PR_CAPBSET_READ | libc::PR_CAPBSET_DROP, 1) => flags::format(FlagSet::Cap, n),
        (libc::PR_CAP_AMBIENT, 1) if (1..=4).contains(&n) => {
            flags::styled(hex0(n), AMBIENT[n as usize - 1])
        }
        // the capability (not with CLEAR_ALL)
        (libc::PR_CAP_AMBIENT, 2) if matches!(arg2, Some(1..=3)) => flags::format(FlagSet::Cap, n),
        _ => hex0(n),
    }
}

/// Whether argument `i` of call `name` is a process or thread id that strace's `-Y` names
/// (where strace prints it with `printpid` as a thread-group or thread id; a process group's
/// or session's id stays bare), given the call's other arguments (`num(j)`).
pub(crate) fn pid_arg(name: &str, i: usize, num: impl Fn(usize) -> Option<u64>) -> bool {
    match (name, i) {
        (
            "kill"
            | "tkill"
            | "tgkill"
            | "wait4"
            | "getpgid"
            | "getsid"
            | "setpgid"
            | "kcmp"
            | "sched_setaffinity"
            | "sched_getaffinity"
            | "sched_setscheduler"
            | "sched_getscheduler"
            | "sched_setparam"
            | "sched_getparam"
            | "sched_rr_get_interval"
            | "sched_setattr"
            | "sched_getattr"
            | "migrate_pages"
            | "move_pages"
            | "pidfd_open"
            | "process_vm_readv"
            | "process_vm_writev"
            | "prlimit64"
            | "rt_sigqueueinfo"
            | "rt_tgsigqueueinfo"
            | "get_robust_list",
            0,
        ) => true,
        ("tgkill" | "rt_tgsigqueueinfo" | "kcmp" | "ptrace", 1) => true,
        // who, when which is PRIO_PROCESS / IOPRIO_WHO_PROCESS; waitid's id under P_PID
        ("getpriority" | "setpriority", 1) => num(0) == Some(libc::PRIO_PROCESS as u64),
        ("ioprio_get" | "ioprio_set" | "waitid", 1) => num(0) == Some(1),
        ("fcntl", 2) => num(1) == Some(libc::F_SETOWN as u64),
        _ => false,
    }
}

/// Whether the result of call `name` is a process or thread id that strace's `-Y` names.
pub(crate) fn pid_result(name: &str, num: impl Fn(usize) -> Option<u64>) -> bool {
    match name {
        "getpid" | "getppid" | "gettid" | "fork" | "vfork" | "clone" | "clone3" | "wait4"
        | "set_tid_address" => true,
        "fcntl" => num(1) == Some(libc::F_GETOWN as u64),
        _ => false,
    }
}
