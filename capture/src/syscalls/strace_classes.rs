//! strace's classes of syscalls, for `syspect strace -e trace=%file` and the like: which
//! syscalls of x86_64 strace puts in each class (as strace 6 defines them, written here as
//! data; `tests/strace_compat.rs` compares the calls each class selects with what strace
//! itself selects).
//!
//! The classes are strace's, not syspect's own coarse [`Class`](super::Class) (sysdig's
//! `evt.category`): strace's overlap (`openat` is both `%file` and `%desc`) and follow
//! strace's history (`sendfile` is both `%desc` and `%network`; `close_range` is in none).

/// Syscalls that take a file name (`%file`).
#[rustfmt::skip]
const FILE: &[&str] = &[
    "open", "stat", "lstat", "access", "execve", "truncate", "getcwd", "chdir", "rename",
    "mkdir", "rmdir", "creat", "link", "unlink", "symlink", "readlink", "chmod", "chown",
    "lchown", "utime", "mknod", "uselib", "statfs", "pivot_root", "chroot", "acct", "mount",
    "umount2", "swapon", "swapoff", "quotactl", "setxattr", "lsetxattr", "getxattr",
    "lgetxattr", "listxattr", "llistxattr", "removexattr", "lremovexattr", "utimes",
    "inotify_add_watch", "openat", "mkdirat", "mknodat", "fchownat", "futimesat", "newfstatat",
    "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat", "fchmodat", "faccessat",
    "utimensat", "fanotify_mark", "name_to_handle_at", "renameat2", "execveat", "statx",
    "open_tree", "move_mount", "fsconfig", "fspick", "openat2", "faccessat2", "mount_setattr",
    "fchmodat2", "setxattrat", "getxattrat",
];

/// Syscalls that take or make a file descriptor (`%desc`), sockets' own calls apart.
#[rustfmt::skip]
const DESC: &[&str] = &[
    "read", "write", "open", "close", "fstat", "poll", "lseek", "mmap", "ioctl", "pread64",
    "pwrite64", "readv", "writev", "pipe", "select", "dup", "dup2", "sendfile", "fcntl",
    "flock", "fsync", "fdatasync", "ftruncate", "getdents", "fchdir", "creat", "fchmod",
    "fchown", "fstatfs", "readahead", "fsetxattr", "fgetxattr", "flistxattr", "fremovexattr",
    "epoll_create", "getdents64", "fadvise64", "epoll_wait", "epoll_ctl", "mq_open",
    "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr", "inotify_init",
    "inotify_add_watch", "inotify_rm_watch", "openat", "mkdirat", "mknodat", "fchownat",
    "futimesat", "newfstatat", "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat",
    "fchmodat", "faccessat", "pselect6", "ppoll", "splice", "tee", "sync_file_range",
    "vmsplice", "utimensat", "epoll_pwait", "signalfd", "timerfd_create", "eventfd",
    "fallocate", "timerfd_settime", "timerfd_gettime", "signalfd4", "eventfd2", "epoll_create1",
    "dup3", "pipe2", "inotify_init1", "preadv", "pwritev", "perf_event_open", "fanotify_init",
    "fanotify_mark", "name_to_handle_at", "open_by_handle_at", "syncfs", "setns",
    "finit_module", "renameat2", "memfd_create", "kexec_file_load", "bpf", "execveat",
    "userfaultfd", "copy_file_range", "preadv2", "pwritev2", "statx", "pidfd_send_signal",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "pidfd_open", "openat2", "pidfd_getfd",
    "faccessat2", "process_madvise", "epoll_pwait2", "mount_setattr", "quotactl_fd",
    "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "memfd_secret",
    "process_mrelease", "cachestat", "fchmodat2", "setxattrat", "getxattrat",
];

/// Sockets' calls (`%network`, `%net`).
#[rustfmt::skip]
const NETWORK: &[&str] = &[
    "sendfile", "socket", "connect", "accept", "sendto", "recvfrom", "sendmsg", "recvmsg",
    "shutdown", "bind", "listen", "getsockname", "getpeername", "socketpair", "setsockopt",
    "getsockopt", "getpmsg", "putpmsg", "accept4", "recvmmsg", "sendmmsg",
];

/// Process lifecycle (`%process`).
#[rustfmt::skip]
const PROCESS: &[&str] = &[
    "clone", "fork", "vfork", "execve", "exit", "wait4", "kill", "rt_sigqueueinfo", "tkill",
    "exit_group", "tgkill", "waitid", "rt_tgsigqueueinfo", "execveat", "pidfd_send_signal",
    "clone3",
];

/// Signals (`%signal`).
#[rustfmt::skip]
const SIGNAL: &[&str] = &[
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "pause", "kill", "rt_sigpending",
    "rt_sigtimedwait", "rt_sigqueueinfo", "rt_sigsuspend", "sigaltstack", "tkill", "tgkill",
    "signalfd", "signalfd4", "rt_tgsigqueueinfo", "pidfd_send_signal", "io_uring_enter",
];

/// System V IPC (`%ipc`).
#[rustfmt::skip]
const IPC: &[&str] = &[
    "shmget", "shmat", "shmctl", "semget", "semop", "semctl", "shmdt", "msgget", "msgsnd",
    "msgrcv", "msgctl", "semtimedop",
];

/// Memory mapping (`%memory`).
#[rustfmt::skip]
const MEMORY: &[&str] = &[
    "mmap", "mprotect", "munmap", "brk", "mremap", "msync", "mincore", "madvise", "shmat",
    "shmdt", "mlock", "munlock", "mlockall", "munlockall", "io_setup", "io_destroy",
    "remap_file_pages", "mbind", "set_mempolicy", "get_mempolicy", "migrate_pages",
    "move_pages", "mlock2", "pkey_mprotect", "io_uring_register", "set_mempolicy_home_node",
    "map_shadow_stack", "mseal",
];

/// User and group ids, capabilities (`%creds`).
#[rustfmt::skip]
const CREDS: &[&str] = &[
    "getuid", "getgid", "setuid", "setgid", "geteuid", "getegid", "setreuid", "setregid",
    "getgroups", "setgroups", "setresuid", "getresuid", "setresgid", "getresgid", "setfsuid",
    "setfsgid", "capget", "capset", "prctl",
];

/// Clocks (`%clock`).
#[rustfmt::skip]
const CLOCK: &[&str] = &[
    "gettimeofday", "settimeofday", "adjtimex", "time", "clock_settime", "clock_gettime",
    "clock_getres", "clock_adjtime",
];

/// Calls that never fail and take no argument (`%pure`).
#[rustfmt::skip]
const PURE: &[&str] = &[
    "getpid", "getuid", "getgid", "geteuid", "getegid", "getppid", "getpgrp", "gettid",
];

/// The stat family: by name (`%stat`), of a link (`%lstat`), by descriptor (`%fstat`), all
/// of them (`%%stat`).
const STAT: &[&str] = &["stat"];
const LSTAT: &[&str] = &["lstat"];
const FSTAT: &[&str] = &["fstat", "newfstatat", "statx"];
const ANY_STAT: &[&str] = &["stat", "fstat", "lstat", "newfstatat", "statx"];
/// The statfs family: `%statfs`, `%fstatfs`, `%%statfs`.
const STATFS: &[&str] = &["statfs"];
const FSTATFS: &[&str] = &["fstatfs"];
const ANY_STATFS: &[&str] = &["ustat", "statfs", "fstatfs"];

/// Every class strace knows, by the name after `%` (`%%stat` is `%stat` here).
const CLASSES: &[(&str, &[&str])] = &[
    ("file", FILE),
    ("desc", DESC),
    ("network", NETWORK),
    ("net", NETWORK),
    ("process", PROCESS),
    ("signal", SIGNAL),
    ("ipc", IPC),
    ("memory", MEMORY),
    ("creds", CREDS),
    ("clock", CLOCK),
    ("pure", PURE),
    ("stat", STAT),
    ("lstat", LSTAT),
    ("fstat", FSTAT),
    ("%stat", ANY_STAT),
    ("statfs", STATFS),
    ("fstatfs", FSTATFS),
    ("%statfs", ANY_STATFS),
];

/// The classes strace also takes without `%` (`-e trace=file`), from before it had `%`.
const BARE: &[&str] = &[
    "file", "desc", "network", "process", "signal", "ipc", "memory",
];

/// The syscalls of strace's class `spec`: `%file`, `%%stat`, or one of the seven that strace
/// takes bare (`file`, `desc`, `network`, `process`, `signal`, `ipc`, `memory`). `None` when
/// `spec` names no class (a bare `stat` is the syscall).
pub fn members(spec: &str) -> Option<&'static [&'static str]> {
    let name = match spec.strip_prefix('%') {
        Some(name) => name,
        None if BARE.contains(&spec) => spec,
        None => return None,
    };
    CLASSES.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

/// The names of all classes, as `-e trace=` takes them (for messages).
pub fn names() -> impl Iterator<Item = String> {
    CLASSES.iter().map(|(n, _)| format!("%{n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_is_a_syscall_of_this_machine_or_newer() {
        // names the syscall table or the `syscalls` crate knows; the few newer than both
        // are listed so that a typo cannot hide
        let newer = [
            "fchmodat2",
            "setxattrat",
            "getxattrat",
            "map_shadow_stack",
            "mseal",
        ];
        for (class, names) in CLASSES {
            for name in *names {
                assert!(
                    super::super::number(name).is_some() || newer.contains(name),
                    "%{class}: {name} is no syscall"
                );
            }
        }
    }

    #[test]
    fn classes_with_and_without_percent() {
        assert!(members("%file").unwrap().contains(&"openat"));
        assert!(members("file").unwrap().contains(&"openat"));
        assert!(members("%desc").unwrap().contains(&"openat"));
        assert!(members("%net").unwrap().contains(&"connect"));
        assert_eq!(members("%%stat").unwrap().len(), 5);
        // only the seven old classes go without `%`; `stat` alone is the syscall
        assert!(members("creds").is_none());
        assert!(members("stat").is_none());
        assert!(members("%nosuch").is_none());
        assert!(!members("%desc").unwrap().contains(&"close_range"));
    }
}
