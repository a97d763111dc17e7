//! sysdig's `evt.category`: the class sysdig 0.29 gives each event, so that a filter such as
//! `evt.category=net` selects what it selects in sysdig.
//!
//! A syscall's category is the one sysdig's event table gives the event its driver makes of
//! that syscall, or, for the syscalls it makes a generic event of, the one its syscall table
//! gives (written here as data, x86_64 names). For reads, writes and the like (sysdig's I/O
//! events) it is the kind of the fd instead: `file`, `net`, `ipc`, or `unknown` when the fd's
//! kind is not known. sysdig's own quirks are kept (`newfstatat`, generic with an I/O class,
//! is `unknown`; `futex` is `IPC`, upper case, where an fd-typed one is `ipc`).

use syspect_capture::event::{EventKind, FdKind};
use syspect_capture::syscalls;

use super::extract::event_fd_kind;
use crate::output::Ctx;

/// The syscalls whose category is their fd's kind (sysdig's I/O events).
#[rustfmt::skip]
const BY_FD: &[&str] = &[
    "close", "dup", "dup2", "dup3", "fcntl", "ioctl", "pread64", "preadv", "pwrite64", "pwritev",
    "read", "readv", "recvfrom", "recvmmsg", "recvmsg", "sendfile", "sendmmsg", "sendmsg",
    "sendto", "splice", "write", "writev",
];

/// Every other syscall sysdig classes, by category.
#[rustfmt::skip]
const BY_NAME: &[(&str, &[&str])] = &[
    ("file", &[
        "access", "chdir", "chmod", "chown", "copy_file_range", "creat", "faccessat", "fchdir",
        "fchmod", "fchmodat", "fchown", "fchownat", "fgetxattr", "flistxattr", "flock",
        "fremovexattr", "fsetxattr", "fstat", "fstatfs", "ftruncate", "futimesat", "getcwd",
        "getdents", "getdents64", "getxattr", "lchown", "lgetxattr", "link", "linkat",
        "listxattr", "llistxattr", "lremovexattr", "lseek", "lsetxattr", "lstat", "mkdir",
        "mkdirat", "mknod", "mknodat", "mount", "mremap", "open", "open_by_handle_at", "openat",
        "openat2", "readlink", "readlinkat", "remap_file_pages", "removexattr", "rename",
        "renameat", "renameat2", "rmdir", "setxattr", "stat", "statfs", "symlink", "symlinkat",
        "syncfs", "truncate", "umount2", "unlink", "unlinkat", "userfaultfd", "ustat",
        "utimensat", "utimes",
    ]),
    ("IPC", &[
        "eventfd", "eventfd2", "fanotify_init", "futex", "inotify_add_watch", "inotify_init",
        "inotify_init1", "inotify_rm_watch", "mq_getsetattr", "mq_notify", "mq_open",
        "mq_timedreceive", "mq_timedsend", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd",
        "pipe", "pipe2", "shmat", "shmctl", "shmdt", "shmget", "socketpair", "tee", "vmsplice",
    ]),
    ("memory", &[
        "brk", "madvise", "mincore", "mlock", "mlockall", "mmap", "mprotect", "munlock",
        "munlockall", "munmap",
    ]),
    ("net", &[
        "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt",
        "listen", "setsockopt", "shutdown", "socket",
    ]),
    ("other", &[
        "bpf", "clock_adjtime", "perf_event_open", "rt_tgsigqueueinfo", "seccomp", "vhangup",
    ]),
    ("process", &[
        "acct", "arch_prctl", "capget", "capset", "chroot", "clone", "clone3", "execve",
        "execveat", "exit", "fork", "get_robust_list", "get_thread_area", "getcpu", "getpgid",
        "getpgrp", "getpid", "getppid", "getpriority", "getrlimit", "getrusage", "getsid",
        "gettid", "ioprio_get", "ioprio_set", "personality", "pivot_root", "prctl", "prlimit64",
        "ptrace", "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity",
        "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity",
        "sched_setparam", "sched_setscheduler", "semctl", "semget", "semop", "set_robust_list",
        "set_thread_area", "set_tid_address", "setns", "setpgid", "setpriority", "setrlimit",
        "setsid", "swapon", "umask", "unshare", "uselib", "vfork",
    ]),
    ("signal", &[
        "kill", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
        "rt_sigsuspend", "rt_sigtimedwait", "signalfd", "signalfd4", "tgkill", "tkill",
    ]),
    ("sleep", &["clock_nanosleep", "nanosleep", "sched_yield"]),
    ("system", &[
        "add_key", "adjtimex", "delete_module", "finit_module", "init_module", "kexec_load",
        "keyctl", "reboot", "request_key", "restart_syscall", "setdomainname", "sethostname",
        "swapoff", "sysfs", "sysinfo", "syslog", "uname",
    ]),
    ("time", &[
        "alarm", "clock_getres", "clock_gettime", "clock_settime", "getitimer", "gettimeofday",
        "setitimer", "settimeofday", "time", "timer_create", "timer_delete", "timer_getoverrun",
        "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime", "timerfd_settime",
        "times", "utime",
    ]),
    ("user", &[
        "getegid", "geteuid", "getgid", "getgroups", "getresgid", "getresuid", "getuid",
        "quotactl", "setfsgid", "setfsuid", "setgid", "setgroups", "setregid", "setresgid",
        "setresuid", "setreuid", "setuid",
    ]),
    ("wait", &[
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_wait", "pause",
        "poll", "ppoll", "pselect6", "select", "wait4", "waitid",
    ]),
];

/// The category of a syscall by its name alone; `None` for those whose category is their
/// fd's kind.
fn of_syscall(name: &str) -> Option<&'static str> {
    if BY_FD.contains(&name) {
        return None;
    }
    Some(
        BY_NAME
            .iter()
            .find(|(_, names)| names.contains(&name))
            .map_or("unknown", |(category, _)| category),
    )
}

/// [`of_syscall`] of syscall `nr`, looked up once per number: a filter on `evt.category`
/// asks at every event.
fn by_number(nr: u16) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<Vec<Option<&'static str>>> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        (0..syscalls::count().max(512))
            .map(|nr| of_syscall(&syscalls::name(nr)))
            .collect()
    });
    t.get(nr as usize).copied().unwrap_or(Some("unknown"))
}

/// sysdig's `evt.category` of the event in `cx`.
pub fn category(cx: &Ctx<'_>) -> &'static str {
    match &cx.ev.kind {
        EventKind::Enter { nr, .. } | EventKind::Exit { nr, .. } => match by_number(*nr) {
            Some(c) => c,
            None => match event_fd_kind(cx) {
                Some(FdKind::File | FdKind::Directory | FdKind::Memfd) => "file",
                Some(FdKind::Ipv4 | FdKind::Ipv6) => "net",
                Some(
                    FdKind::Pipe
                    | FdKind::Unix
                    | FdKind::Event
                    | FdKind::Signalfd
                    | FdKind::Inotify,
                ) => "ipc",
                _ => "unknown",
            },
        },
        EventKind::Signal { .. } => "signal",
        EventKind::ThreadExit { .. } | EventKind::Clone { .. } | EventKind::Exec(_) => "process",
        // sysdig's procinfo and drop events are internal, which its evt.category shows as
        // unknown
        EventKind::Sample { .. }
        | EventKind::Drops { .. }
        | EventKind::Injected { .. }
        | EventKind::Stack { .. } => "unknown",
        EventKind::Other { name } => match name.as_str() {
            "switch" => "scheduler",
            "container" => "process",
            "page_fault" | "notification" | "pluginevent" | "tracer" => "other",
            _ => "unknown",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_syscall_is_named_once_and_is_one() {
        let mut seen = std::collections::HashSet::new();
        for name in BY_FD
            .iter()
            .chain(BY_NAME.iter().flat_map(|(_, n)| n.iter()))
        {
            assert!(seen.insert(name), "{name} twice");
            assert!(syscalls::number(name).is_some(), "{name} is no syscall");
        }
        assert_eq!(of_syscall("openat"), Some("file"));
        assert_eq!(of_syscall("read"), None);
        assert_eq!(of_syscall("rseq"), Some("unknown"));
    }
}
