//! The table itself: one entry per syscall that syspect decodes, as data.
//!
//! Each entry gives the number, the name, the arguments in register order (name, type and
//! direction: `a` read at enter, `o` read at exit, `io` both), how the return value is shown
//! and a coarse class. Engines read each argument as [`ArgType::fetch`](super::ArgType::fetch)
//! says; readers show it with [`super::render`].
//!
//! Syscalls that are not in the table: engines put the six raw register values in the enter
//! event's `args` as [`Arg::Num`](crate::event::Arg::Num) and leave the exit event's `args`
//! empty; [`super::render::strace_raw_args`] shows them as strace does for an unknown call.
//!
//! An `o` (or `io`) argument of a call that failed is captured as `Arg::Num(pointer)`: the
//! engine does not read memory the kernel did not write; readers show the address.

use super::flags::FlagSet as F;
use super::{ArgDesc, ArgType as T, Class, Dir, RetType, StructKind as S, SyscallDesc};

const fn a(name: &'static str, ty: T) -> ArgDesc {
    ArgDesc {
        name,
        ty,
        dir: Dir::In,
    }
}

const fn o(name: &'static str, ty: T) -> ArgDesc {
    ArgDesc {
        name,
        ty,
        dir: Dir::Out,
    }
}

const fn io(name: &'static str, ty: T) -> ArgDesc {
    ArgDesc {
        name,
        ty,
        dir: Dir::InOut,
    }
}

macro_rules! syscalls {
    ($($nr:literal $name:ident ($($arg:expr),* $(,)?) -> $ret:ident, $class:ident;)*) => {
        static TABLE: &[SyscallDesc] = &[
            $(SyscallDesc {
                nr: $nr,
                name: stringify!($name),
                args: &[$($arg),*],
                ret: RetType::$ret,
                class: Class::$class,
            },)*
        ];
    };
}

// Short names for the argument types that recur below.
const FD: T = T::Fd;
const DIRFD: T = T::DirFd;
const PATH: T = T::Path;
const INT: T = T::Int;
const UINT: T = T::UInt;
const LONG: T = T::Long;
const PTR: T = T::Ptr;
const HEX: T = T::Hex;
const MODE: T = T::Mode;
const SIG: T = T::Signal;
const PINT: T = T::Struct(S::Int);
const STAT: T = T::Struct(S::Stat);
const TS: T = T::Struct(S::Timespec);
const TV: T = T::Struct(S::Timeval);
const SIGSET: T = T::Struct(S::Sigset);
const RLIM: T = T::Struct(S::Rlimit);
const fn fl(set: F) -> T {
    T::Flags(set)
}

// nr name(args) -> how the return value is shown, class.
// A pointer that strace shows as an address when the call succeeds (nanosleep's `rem`, only
// written when interrupted) is a PTR here: reading it would print a struct strace does not.
// Argument names are sysdig's where sysdig has the syscall, else the man page's.
#[rustfmt::skip]
syscalls! {
    0 read(a("fd", FD), o("data", T::BufOut), a("size", UINT)) -> Int, IoRead;
    1 write(a("fd", FD), a("data", T::BufIn(2)), a("size", UINT)) -> Int, IoWrite;
    2 open(a("name", PATH), a("flags", fl(F::Open)), a("mode", MODE)) -> Fd, File;
    3 close(a("fd", FD)) -> Int, File;
    4 stat(a("path", PATH), o("statbuf", STAT)) -> Int, File;
    5 fstat(a("fd", FD), o("statbuf", STAT)) -> Int, File;
    6 lstat(a("path", PATH), o("statbuf", STAT)) -> Int, File;
    7 poll(io("fds", T::StructArray(S::Pollfd, 1)), a("nfds", UINT), a("timeout", INT)) -> Int, Wait;
    8 lseek(a("fd", FD), a("offset", LONG), a("whence", fl(F::Seek))) -> Int, File;
    9 mmap(a("addr", PTR), a("length", UINT), a("prot", fl(F::Prot)), a("flags", fl(F::Map)), a("fd", FD), a("offset", HEX)) -> Ptr, Memory;
    10 mprotect(a("addr", PTR), a("length", UINT), a("prot", fl(F::Prot))) -> Int, Memory;
    11 munmap(a("addr", PTR), a("length", UINT)) -> Int, Memory;
    12 brk(a("addr", PTR)) -> Ptr, Memory;
    13 rt_sigaction(a("sig", SIG), a("act", T::Struct(S::Sigaction)), o("oldact", T::Struct(S::Sigaction)), a("sigsetsize", UINT)) -> Int, Signal;
    14 rt_sigprocmask(a("how", fl(F::SigHow)), a("set", SIGSET), o("oldset", SIGSET), a("sigsetsize", UINT)) -> Int, Signal;
    15 rt_sigreturn(a("mask", SIGSET)) -> Int, Signal;
    16 ioctl(a("fd", FD), a("request", fl(F::Ioctl)), o("argument", T::IoctlArg)) -> Int, File;
    17 pread64(a("fd", FD), o("data", T::BufOut), a("size", UINT), a("pos", LONG)) -> Int, IoRead;
    18 pwrite64(a("fd", FD), a("data", T::BufIn(2)), a("size", UINT), a("pos", LONG)) -> Int, IoWrite;
    19 readv(a("fd", FD), o("data", T::Iovec(2)), a("iovcnt", INT)) -> Int, IoRead;
    20 writev(a("fd", FD), a("data", T::Iovec(2)), a("iovcnt", INT)) -> Int, IoWrite;
    21 access(a("name", PATH), a("mode", fl(F::Access))) -> Int, File;
    22 pipe(o("fds", T::FdPair)) -> Int, Ipc;
    23 select(a("nfds", INT), io("readfds", T::Struct(S::FdSet)), io("writefds", T::Struct(S::FdSet)), io("exceptfds", T::Struct(S::FdSet)), io("timeout", TV)) -> Int, Wait;
    24 sched_yield() -> Int, Process;
    25 mremap(a("old_address", PTR), a("old_size", UINT), a("new_size", UINT), a("flags", fl(F::Mremap)), a("new_address", PTR)) -> Ptr, Memory;
    26 msync(a("addr", PTR), a("length", UINT), a("flags", fl(F::Msync))) -> Int, Memory;
    27 mincore(a("addr", PTR), a("length", UINT), a("vec", PTR)) -> Int, Memory;
    28 madvise(a("addr", PTR), a("length", UINT), a("advice", fl(F::Madvise))) -> Int, Memory;
    29 shmget(a("key", HEX), a("size", UINT), a("shmflg", HEX)) -> Int, Ipc;
    30 shmat(a("shmid", INT), a("shmaddr", PTR), a("shmflg", HEX)) -> Ptr, Ipc;
    31 shmctl(a("shmid", INT), a("cmd", INT), a("buf", PTR)) -> Int, Ipc;
    32 dup(a("fd", FD)) -> Fd, File;
    33 dup2(a("oldfd", FD), a("newfd", FD)) -> Fd, File;
    34 pause() -> Int, Signal;
    35 nanosleep(a("req", TS), a("rem", PTR)) -> Int, Wait;
    36 getitimer(a("which", fl(F::Itimer)), o("curr_value", T::Struct(S::Itimerval))) -> Int, Time;
    37 alarm(a("seconds", UINT)) -> Int, Time;
    38 setitimer(a("which", fl(F::Itimer)), a("new_value", T::Struct(S::Itimerval)), o("old_value", T::Struct(S::Itimerval))) -> Int, Time;
    39 getpid() -> Int, Process;
    40 sendfile(a("out_fd", FD), a("in_fd", FD), io("offset", T::Struct(S::Int64)), a("size", UINT)) -> Int, IoWrite;
    41 socket(a("domain", fl(F::AddrFamily)), a("type", fl(F::SockType)), a("proto", fl(F::IpProto))) -> Fd, Net;
    42 connect(a("fd", FD), a("addr", T::SockAddrIn(2)), a("addrlen", UINT)) -> Int, Net;
    43 accept(a("fd", FD), o("addr", T::SockAddrOut(2)), io("addrlen", PINT)) -> Fd, Net;
    44 sendto(a("fd", FD), a("data", T::BufIn(2)), a("size", UINT), a("flags", fl(F::Msg)), a("addr", T::SockAddrIn(5)), a("addrlen", UINT)) -> Int, IoWrite;
    45 recvfrom(a("fd", FD), o("data", T::BufOut), a("size", UINT), a("flags", fl(F::Msg)), o("addr", T::SockAddrOut(5)), io("addrlen", PINT)) -> Int, IoRead;
    46 sendmsg(a("fd", FD), a("data", T::Msghdr { recv: false }), a("flags", fl(F::Msg))) -> Int, IoWrite;
    47 recvmsg(a("fd", FD), io("data", T::Msghdr { recv: true }), a("flags", fl(F::Msg))) -> Int, IoRead;
    48 shutdown(a("fd", FD), a("how", fl(F::Shutdown))) -> Int, Net;
    49 bind(a("fd", FD), a("addr", T::SockAddrIn(2)), a("addrlen", UINT)) -> Int, Net;
    50 listen(a("fd", FD), a("backlog", INT)) -> Int, Net;
    51 getsockname(a("fd", FD), o("addr", T::SockAddrOut(2)), io("addrlen", PINT)) -> Int, Net;
    52 getpeername(a("fd", FD), o("addr", T::SockAddrOut(2)), io("addrlen", PINT)) -> Int, Net;
    53 socketpair(a("domain", fl(F::AddrFamily)), a("type", fl(F::SockType)), a("proto", fl(F::IpProto)), o("fds", T::FdPair)) -> Int, Net;
    54 setsockopt(a("fd", FD), a("level", fl(F::SockLevel)), a("optname", T::CmdArg), a("val", T::SockOptIn(4)), a("optlen", UINT)) -> Int, Net;
    55 getsockopt(a("fd", FD), a("level", fl(F::SockLevel)), a("optname", T::CmdArg), o("val", T::SockOptOut(4)), io("optlen", PINT)) -> Int, Net;
    56 clone(a("flags", fl(F::Clone)), a("newsp", PTR), a("parent_tid", PTR), a("child_tid", PTR), a("tls", HEX)) -> Int, Process;
    57 fork() -> Int, Process;
    58 vfork() -> Int, Process;
    59 execve(a("filename", PATH), a("args", T::StrList), a("env", T::Envp)) -> Int, Process;
    60 exit(a("status", INT)) -> NoReturn, Process;
    61 wait4(a("pid", INT), o("status", T::WaitStatus), a("options", fl(F::Wait)), o("rusage", T::Struct(S::Rusage))) -> Int, Wait;
    62 kill(a("pid", INT), a("sig", SIG)) -> Int, Signal;
    63 uname(o("buf", T::Struct(S::Utsname))) -> Int, Other;
    64 semget(a("key", HEX), a("nsems", INT), a("semflg", HEX)) -> Int, Ipc;
    65 semop(a("semid", INT), a("sops", PTR), a("nsops", UINT)) -> Int, Ipc;
    66 semctl(a("semid", INT), a("semnum", INT), a("cmd", INT), a("arg", HEX)) -> Int, Ipc;
    67 shmdt(a("shmaddr", PTR)) -> Int, Ipc;
    68 msgget(a("key", HEX), a("msgflg", HEX)) -> Int, Ipc;
    69 msgsnd(a("msqid", INT), a("msgp", PTR), a("msgsz", UINT), a("msgflg", HEX)) -> Int, Ipc;
    70 msgrcv(a("msqid", INT), a("msgp", PTR), a("msgsz", UINT), a("msgtyp", LONG), a("msgflg", HEX)) -> Int, Ipc;
    71 msgctl(a("msqid", INT), a("cmd", INT), a("buf", PTR)) -> Int, Ipc;
    72 fcntl(a("fd", FD), a("cmd", fl(F::FcntlCmd)), a("arg", T::CmdArg)) -> Int, File;
    73 flock(a("fd", FD), a("operation", fl(F::Flock))) -> Int, File;
    74 fsync(a("fd", FD)) -> Int, File;
    75 fdatasync(a("fd", FD)) -> Int, File;
    76 truncate(a("path", PATH), a("length", LONG)) -> Int, File;
    77 ftruncate(a("fd", FD), a("length", LONG)) -> Int, File;
    78 getdents(a("fd", FD), o("dirp", T::Dirents), a("count", UINT)) -> Int, File;
    79 getcwd(o("path", PATH), a("size", UINT)) -> Int, File;
    80 chdir(a("path", PATH)) -> Int, File;
    81 fchdir(a("fd", FD)) -> Int, File;
    82 rename(a("oldpath", PATH), a("newpath", PATH)) -> Int, File;
    83 mkdir(a("path", PATH), a("mode", MODE)) -> Int, File;
    84 rmdir(a("path", PATH)) -> Int, File;
    85 creat(a("name", PATH), a("mode", MODE)) -> Fd, File;
    86 link(a("oldpath", PATH), a("newpath", PATH)) -> Int, File;
    87 unlink(a("path", PATH)) -> Int, File;
    88 symlink(a("target", PATH), a("linkpath", PATH)) -> Int, File;
    89 readlink(a("path", PATH), o("buf", T::BufOut), a("bufsiz", UINT)) -> Int, File;
    90 chmod(a("filename", PATH), a("mode", MODE)) -> Int, File;
    91 fchmod(a("fd", FD), a("mode", MODE)) -> Int, File;
    92 chown(a("path", PATH), a("uid", INT), a("gid", INT)) -> Int, File;
    93 fchown(a("fd", FD), a("uid", INT), a("gid", INT)) -> Int, File;
    94 lchown(a("path", PATH), a("uid", INT), a("gid", INT)) -> Int, File;
    95 umask(a("mask", MODE)) -> Octal, File;
    96 gettimeofday(o("tv", TV), o("tz", T::Struct(S::Timezone))) -> Int, Time;
    97 getrlimit(a("resource", fl(F::Rlimit)), o("rlim", RLIM)) -> Int, Process;
    98 getrusage(a("who", fl(F::Rusage)), o("usage", T::Struct(S::Rusage))) -> Int, Process;
    99 sysinfo(o("info", T::Struct(S::Sysinfo))) -> Int, Other;
    100 times(o("buf", T::Struct(S::Tms))) -> Int, Time;
    101 ptrace(a("request", fl(F::Ptrace)), a("pid", INT), a("addr", PTR), a("data", PTR)) -> Int, Process;
    102 getuid() -> Int, Process;
    103 syslog(a("type", INT), a("bufp", PTR), a("len", INT)) -> Int, Other;
    104 getgid() -> Int, Process;
    105 setuid(a("uid", INT)) -> Int, Process;
    106 setgid(a("gid", INT)) -> Int, Process;
    107 geteuid() -> Int, Process;
    108 getegid() -> Int, Process;
    109 setpgid(a("pid", INT), a("pgid", INT)) -> Int, Process;
    110 getppid() -> Int, Process;
    111 getpgrp() -> Int, Process;
    112 setsid() -> Int, Process;
    113 setreuid(a("ruid", INT), a("euid", INT)) -> Int, Process;
    114 setregid(a("rgid", INT), a("egid", INT)) -> Int, Process;
    115 getgroups(a("size", INT), o("list", T::StructArrayOut(S::Int))) -> Int, Process;
    116 setgroups(a("size", INT), a("list", T::StructArray(S::Int, 0))) -> Int, Process;
    117 setresuid(a("ruid", INT), a("euid", INT), a("suid", INT)) -> Int, Process;
    118 getresuid(o("ruid", PINT), o("euid", PINT), o("suid", PINT)) -> Int, Process;
    119 setresgid(a("rgid", INT), a("egid", INT), a("sgid", INT)) -> Int, Process;
    120 getresgid(o("rgid", PINT), o("egid", PINT), o("sgid", PINT)) -> Int, Process;
    121 getpgid(a("pid", INT)) -> Int, Process;
    122 setfsuid(a("fsuid", INT)) -> Int, Process;
    123 setfsgid(a("fsgid", INT)) -> Int, Process;
    124 getsid(a("pid", INT)) -> Int, Process;
    125 capget(a("hdrp", T::Struct(S::CapHeader)), o("datap", PTR)) -> Int, Process;
    126 capset(a("hdrp", T::Struct(S::CapHeader)), a("datap", PTR)) -> Int, Process;
    127 rt_sigpending(o("set", SIGSET), a("sigsetsize", UINT)) -> Int, Signal;
    128 rt_sigtimedwait(a("set", SIGSET), o("info", T::Struct(S::Siginfo)), a("timeout", TS), a("sigsetsize", UINT)) -> Int, Signal;
    129 rt_sigqueueinfo(a("tgid", INT), a("sig", SIG), a("info", T::Struct(S::Siginfo))) -> Int, Signal;
    130 rt_sigsuspend(a("mask", SIGSET), a("sigsetsize", UINT)) -> Int, Signal;
    131 sigaltstack(a("ss", T::Struct(S::StackT)), o("old_ss", T::Struct(S::StackT))) -> Int, Signal;
    133 mknod(a("path", PATH), a("mode", fl(F::FileMode)), a("dev", HEX)) -> Int, File;
    135 personality(a("persona", HEX)) -> Hex, Process;
    137 statfs(a("path", PATH), o("buf", T::Struct(S::Statfs))) -> Int, File;
    138 fstatfs(a("fd", FD), o("buf", T::Struct(S::Statfs))) -> Int, File;
    140 getpriority(a("which", fl(F::Prio)), a("who", INT)) -> Int, Process;
    141 setpriority(a("which", fl(F::Prio)), a("who", INT), a("prio", INT)) -> Int, Process;
    142 sched_setparam(a("pid", INT), a("param", T::Struct(S::SchedParam))) -> Int, Process;
    143 sched_getparam(a("pid", INT), o("param", T::Struct(S::SchedParam))) -> Int, Process;
    144 sched_setscheduler(a("pid", INT), a("policy", fl(F::SchedPolicy)), a("param", T::Struct(S::SchedParam))) -> Int, Process;
    145 sched_getscheduler(a("pid", INT)) -> Int, Process;
    146 sched_get_priority_max(a("policy", fl(F::SchedPolicy))) -> Int, Process;
    147 sched_get_priority_min(a("policy", fl(F::SchedPolicy))) -> Int, Process;
    148 sched_rr_get_interval(a("pid", INT), o("tp", TS)) -> Int, Process;
    149 mlock(a("addr", PTR), a("len", UINT)) -> Int, Memory;
    150 munlock(a("addr", PTR), a("len", UINT)) -> Int, Memory;
    151 mlockall(a("flags", fl(F::Mlockall))) -> Int, Memory;
    152 munlockall() -> Int, Memory;
    155 pivot_root(a("new_root", PATH), a("put_old", PATH)) -> Int, File;
    157 prctl(a("option", fl(F::Prctl)), io("arg2", T::StrOrNum), a("arg3", T::CmdArg), a("arg4", T::CmdArg), a("arg5", T::CmdArg)) -> Int, Process;
    158 arch_prctl(a("code", fl(F::ArchPrctl)), a("addr", PTR)) -> Int, Process;
    159 adjtimex(io("buf", T::Struct(S::Timex))) -> Int, Time;
    160 setrlimit(a("resource", fl(F::Rlimit)), a("rlim", RLIM)) -> Int, Process;
    161 chroot(a("path", PATH)) -> Int, File;
    162 sync() -> Int, File;
    163 acct(a("filename", PATH)) -> Int, Other;
    164 settimeofday(a("tv", TV), a("tz", T::Struct(S::Timezone))) -> Int, Time;
    165 mount(a("dev", PATH), a("dir", PATH), a("type", T::Str), a("flags", fl(F::Mount)), a("data", PTR)) -> Int, File;
    166 umount2(a("name", PATH), a("flags", fl(F::Umount))) -> Int, File;
    167 swapon(a("path", PATH), a("swapflags", HEX)) -> Int, Other;
    168 swapoff(a("path", PATH)) -> Int, Other;
    169 reboot(a("magic", HEX), a("magic2", HEX), a("cmd", HEX), a("arg", PTR)) -> Int, Other;
    170 sethostname(a("name", T::BufIn(1)), a("len", UINT)) -> Int, Other;
    171 setdomainname(a("name", T::BufIn(1)), a("len", UINT)) -> Int, Other;
    175 init_module(a("module_image", PTR), a("len", UINT), a("param_values", T::Str)) -> Int, Other;
    176 delete_module(a("name", T::Str), a("flags", fl(F::OFlags))) -> Int, Other;
    186 gettid() -> Int, Process;
    187 readahead(a("fd", FD), a("offset", LONG), a("count", UINT)) -> Int, File;
    188 setxattr(a("path", PATH), a("name", T::Str), a("value", T::BufIn(3)), a("size", UINT), a("flags", fl(F::Xattr))) -> Int, File;
    189 lsetxattr(a("path", PATH), a("name", T::Str), a("value", T::BufIn(3)), a("size", UINT), a("flags", fl(F::Xattr))) -> Int, File;
    190 fsetxattr(a("fd", FD), a("name", T::Str), a("value", T::BufIn(3)), a("size", UINT), a("flags", fl(F::Xattr))) -> Int, File;
    191 getxattr(a("path", PATH), a("name", T::Str), o("value", T::BufOut), a("size", UINT)) -> Int, File;
    192 lgetxattr(a("path", PATH), a("name", T::Str), o("value", T::BufOut), a("size", UINT)) -> Int, File;
    193 fgetxattr(a("fd", FD), a("name", T::Str), o("value", T::BufOut), a("size", UINT)) -> Int, File;
    194 listxattr(a("path", PATH), o("list", T::BufOut), a("size", UINT)) -> Int, File;
    195 llistxattr(a("path", PATH), o("list", T::BufOut), a("size", UINT)) -> Int, File;
    196 flistxattr(a("fd", FD), o("list", T::BufOut), a("size", UINT)) -> Int, File;
    197 removexattr(a("path", PATH), a("name", T::Str)) -> Int, File;
    198 lremovexattr(a("path", PATH), a("name", T::Str)) -> Int, File;
    199 fremovexattr(a("fd", FD), a("name", T::Str)) -> Int, File;
    200 tkill(a("tid", INT), a("sig", SIG)) -> Int, Signal;
    201 time(o("tloc", PTR)) -> Int, Time;
    202 futex(a("addr", PTR), a("op", fl(F::Futex)), a("val", INT), a("timeout", TS), a("uaddr2", PTR), a("val3", HEX)) -> Int, Ipc;
    203 sched_setaffinity(a("pid", INT), a("cpusetsize", UINT), a("mask", T::CpuSetIn(1))) -> Int, Process;
    204 sched_getaffinity(a("pid", INT), a("cpusetsize", UINT), o("mask", T::CpuSetOut)) -> Int, Process;
    213 epoll_create(a("size", INT)) -> Fd, Wait;
    217 getdents64(a("fd", FD), o("dirp", T::Dirents), a("count", UINT)) -> Int, File;
    218 set_tid_address(a("tidptr", PTR)) -> Int, Process;
    219 restart_syscall() -> Int, Other;
    221 fadvise64(a("fd", FD), a("offset", LONG), a("len", LONG), a("advice", fl(F::Fadvise))) -> Int, File;
    222 timer_create(a("clockid", fl(F::Clock)), a("sevp", T::Struct(S::Sigevent)), o("timerid", PINT)) -> Int, Time;
    223 timer_settime(a("timerid", INT), a("flags", fl(F::TimerFlags)), a("new_value", T::Struct(S::Itimerspec)), o("old_value", T::Struct(S::Itimerspec))) -> Int, Time;
    224 timer_gettime(a("timerid", INT), o("curr_value", T::Struct(S::Itimerspec))) -> Int, Time;
    225 timer_getoverrun(a("timerid", INT)) -> Int, Time;
    226 timer_delete(a("timerid", INT)) -> Int, Time;
    227 clock_settime(a("clockid", fl(F::Clock)), a("tp", TS)) -> Int, Time;
    228 clock_gettime(a("clockid", fl(F::Clock)), o("tp", TS)) -> Int, Time;
    229 clock_getres(a("clockid", fl(F::Clock)), o("res", TS)) -> Int, Time;
    230 clock_nanosleep(a("clockid", fl(F::Clock)), a("flags", fl(F::TimerFlags)), a("req", TS), a("rem", PTR)) -> Int, Wait;
    231 exit_group(a("status", INT)) -> NoReturn, Process;
    232 epoll_wait(a("epfd", FD), o("events", T::StructArrayOut(S::EpollEvent)), a("maxevents", INT), a("timeout", INT)) -> Int, Wait;
    233 epoll_ctl(a("epfd", FD), a("op", fl(F::EpollCtl)), a("fd", FD), a("event", T::Struct(S::EpollEvent))) -> Int, Wait;
    234 tgkill(a("pid", INT), a("tid", INT), a("sig", SIG)) -> Int, Signal;
    235 utimes(a("path", PATH), a("times", PTR)) -> Int, File;
    247 waitid(a("idtype", fl(F::IdType)), a("id", INT), o("infop", T::Struct(S::Siginfo)), a("options", fl(F::Wait)), o("rusage", T::Struct(S::Rusage))) -> Int, Wait;
    248 add_key(a("type", T::Str), a("description", T::Str), a("payload", T::BufIn(3)), a("plen", UINT), a("keyring", INT)) -> Int, Other;
    249 request_key(a("type", T::Str), a("description", T::Str), a("callout_info", T::Str), a("dest_keyring", INT)) -> Int, Other;
    250 keyctl(a("operation", INT), a("arg2", HEX), a("arg3", HEX), a("arg4", HEX), a("arg5", HEX)) -> Int, Other;
    251 ioprio_set(a("which", INT), a("who", INT), a("ioprio", INT)) -> Int, Process;
    252 ioprio_get(a("which", INT), a("who", INT)) -> Int, Process;
    253 inotify_init() -> Fd, File;
    254 inotify_add_watch(a("fd", FD), a("path", PATH), a("mask", fl(F::Inotify))) -> Int, File;
    255 inotify_rm_watch(a("fd", FD), a("wd", INT)) -> Int, File;
    257 openat(a("dirfd", DIRFD), a("name", PATH), a("flags", fl(F::Open)), a("mode", MODE)) -> Fd, File;
    258 mkdirat(a("dirfd", DIRFD), a("path", PATH), a("mode", MODE)) -> Int, File;
    259 mknodat(a("dirfd", DIRFD), a("path", PATH), a("mode", fl(F::FileMode)), a("dev", HEX)) -> Int, File;
    260 fchownat(a("dirfd", DIRFD), a("pathname", PATH), a("uid", INT), a("gid", INT), a("flags", fl(F::At))) -> Int, File;
    261 futimesat(a("dirfd", DIRFD), a("pathname", PATH), a("times", PTR)) -> Int, File;
    262 newfstatat(a("dirfd", DIRFD), a("path", PATH), o("statbuf", STAT), a("flags", fl(F::At))) -> Int, File;
    263 unlinkat(a("dirfd", DIRFD), a("name", PATH), a("flags", fl(F::AtRemoveDir))) -> Int, File;
    264 renameat(a("olddirfd", DIRFD), a("oldpath", PATH), a("newdirfd", DIRFD), a("newpath", PATH)) -> Int, File;
    265 linkat(a("olddir", DIRFD), a("oldpath", PATH), a("newdir", DIRFD), a("newpath", PATH), a("flags", fl(F::At))) -> Int, File;
    266 symlinkat(a("target", PATH), a("linkdirfd", DIRFD), a("linkpath", PATH)) -> Int, File;
    267 readlinkat(a("dirfd", DIRFD), a("path", PATH), o("buf", T::BufOut), a("bufsiz", UINT)) -> Int, File;
    268 fchmodat(a("dirfd", DIRFD), a("filename", PATH), a("mode", MODE)) -> Int, File;
    269 faccessat(a("dirfd", DIRFD), a("pathname", PATH), a("mode", fl(F::Access))) -> Int, File;
    270 pselect6(a("nfds", INT), io("readfds", T::Struct(S::FdSet)), io("writefds", T::Struct(S::FdSet)), io("exceptfds", T::Struct(S::FdSet)), io("timeout", TS), a("sigmask", PTR)) -> Int, Wait;
    271 ppoll(io("fds", T::StructArray(S::Pollfd, 1)), a("nfds", UINT), io("tmo_p", TS), a("sigmask", SIGSET), a("sigsetsize", UINT)) -> Int, Wait;
    272 unshare(a("flags", fl(F::CloneNs))) -> Int, Process;
    273 set_robust_list(a("head", PTR), a("len", UINT)) -> Int, Process;
    274 get_robust_list(a("pid", INT), o("head_ptr", PTR), o("len_ptr", PTR)) -> Int, Process;
    275 splice(a("fd_in", FD), a("off_in", PTR), a("fd_out", FD), a("off_out", PTR), a("size", UINT), a("flags", fl(F::Splice))) -> Int, IoWrite;
    276 tee(a("fd_in", FD), a("fd_out", FD), a("len", UINT), a("flags", fl(F::Splice))) -> Int, IoWrite;
    277 sync_file_range(a("fd", FD), a("offset", LONG), a("nbytes", LONG), a("flags", UINT)) -> Int, File;
    278 vmsplice(a("fd", FD), a("iov", T::Iovec(2)), a("nr_segs", UINT), a("flags", fl(F::Splice))) -> Int, IoWrite;
    280 utimensat(a("dirfd", DIRFD), a("pathname", PATH), a("times", T::Struct(S::Timespec2)), a("flags", fl(F::At))) -> Int, File;
    281 epoll_pwait(a("epfd", FD), o("events", T::StructArrayOut(S::EpollEvent)), a("maxevents", INT), a("timeout", INT), a("sigmask", SIGSET), a("sigsetsize", UINT)) -> Int, Wait;
    282 signalfd(a("fd", FD), a("mask", SIGSET), a("sizemask", UINT)) -> Fd, Signal;
    283 timerfd_create(a("clockid", fl(F::Clock)), a("flags", fl(F::Timerfd))) -> Fd, Time;
    284 eventfd(a("initval", UINT)) -> Fd, Ipc;
    285 fallocate(a("fd", FD), a("mode", HEX), a("offset", LONG), a("len", LONG)) -> Int, File;
    286 timerfd_settime(a("fd", FD), a("flags", fl(F::Timerfd)), a("new_value", T::Struct(S::Itimerspec)), o("old_value", T::Struct(S::Itimerspec))) -> Int, Time;
    287 timerfd_gettime(a("fd", FD), o("curr_value", T::Struct(S::Itimerspec))) -> Int, Time;
    288 accept4(a("fd", FD), o("addr", T::SockAddrOut(2)), io("addrlen", PINT), a("flags", fl(F::SockFlags))) -> Fd, Net;
    289 signalfd4(a("fd", FD), a("mask", SIGSET), a("sizemask", UINT), a("flags", fl(F::Signalfd))) -> Fd, Signal;
    290 eventfd2(a("initval", UINT), a("flags", fl(F::Eventfd))) -> Fd, Ipc;
    291 epoll_create1(a("flags", fl(F::EpollFlags))) -> Fd, Wait;
    292 dup3(a("oldfd", FD), a("newfd", FD), a("flags", fl(F::OFlags))) -> Fd, File;
    293 pipe2(o("fds", T::FdPair), a("flags", fl(F::OFlags))) -> Int, Ipc;
    294 inotify_init1(a("flags", fl(F::InotifyInit))) -> Fd, File;
    295 preadv(a("fd", FD), o("data", T::Iovec(2)), a("iovcnt", INT), a("pos", LONG)) -> Int, IoRead;
    296 pwritev(a("fd", FD), a("data", T::Iovec(2)), a("iovcnt", INT), a("pos", LONG)) -> Int, IoWrite;
    297 rt_tgsigqueueinfo(a("tgid", INT), a("tid", INT), a("sig", SIG), a("info", T::Struct(S::Siginfo))) -> Int, Signal;
    298 perf_event_open(a("attr", PTR), a("pid", INT), a("cpu", INT), a("group_fd", FD), a("flags", HEX)) -> Fd, Other;
    299 recvmmsg(a("fd", FD), o("data", T::Mmsghdrs { vlen: 2, recv: true }), a("vlen", UINT), a("flags", fl(F::Msg)), a("timeout", TS)) -> Int, IoRead;
    302 prlimit64(a("pid", INT), a("resource", fl(F::Rlimit)), a("newlim", RLIM), o("oldlim", RLIM)) -> Int, Process;
    300 fanotify_init(a("flags", HEX), a("event_f_flags", fl(F::Open))) -> Fd, File;
    301 fanotify_mark(a("fanotify_fd", FD), a("flags", HEX), a("mask", HEX), a("dirfd", DIRFD), a("pathname", PATH)) -> Int, File;
    303 name_to_handle_at(a("dirfd", DIRFD), a("pathname", PATH), a("handle", PTR), o("mount_id", PINT), a("flags", fl(F::At))) -> Int, File;
    304 open_by_handle_at(a("mountfd", FD), a("handle", PTR), a("flags", fl(F::Open))) -> Fd, File;
    305 clock_adjtime(a("clockid", fl(F::Clock)), io("buf", T::Struct(S::Timex))) -> Int, Time;
    306 syncfs(a("fd", FD)) -> Int, File;
    307 sendmmsg(a("fd", FD), o("data", T::Mmsghdrs { vlen: 2, recv: false }), a("vlen", UINT), a("flags", fl(F::Msg))) -> Int, IoWrite;
    308 setns(a("fd", FD), a("nstype", fl(F::CloneNs))) -> Int, Process;
    309 getcpu(o("cpu", PINT), o("node", PINT), a("tcache", PTR)) -> Int, Process;
    310 process_vm_readv(a("pid", INT), a("local_iov", PTR), a("liovcnt", UINT), a("remote_iov", PTR), a("riovcnt", UINT), a("flags", UINT)) -> Int, Process;
    311 process_vm_writev(a("pid", INT), a("local_iov", PTR), a("liovcnt", UINT), a("remote_iov", PTR), a("riovcnt", UINT), a("flags", UINT)) -> Int, Process;
    312 kcmp(a("pid1", INT), a("pid2", INT), a("type", INT), a("idx1", UINT), a("idx2", UINT)) -> Int, Process;
    314 sched_setattr(a("pid", INT), a("attr", PTR), a("flags", UINT)) -> Int, Process;
    315 sched_getattr(a("pid", INT), o("attr", PTR), a("size", UINT), a("flags", UINT)) -> Int, Process;
    316 renameat2(a("olddirfd", DIRFD), a("oldpath", PATH), a("newdirfd", DIRFD), a("newpath", PATH), a("flags", fl(F::Rename))) -> Int, File;
    317 seccomp(a("op", fl(F::Seccomp)), a("flags", HEX), a("args", PTR)) -> Int, Process;
    318 getrandom(o("buf", T::BufOut), a("buflen", UINT), a("flags", fl(F::Grnd))) -> Int, Other;
    319 memfd_create(a("name", T::Str), a("flags", fl(F::Memfd))) -> Fd, Memory;
    321 bpf(a("cmd", INT), a("attr", PTR), a("size", UINT)) -> Int, Other;
    322 execveat(a("dirfd", DIRFD), a("pathname", PATH), a("args", T::StrList), a("env", T::Envp), a("flags", fl(F::At))) -> Int, Process;
    323 userfaultfd(a("flags", fl(F::OFlags))) -> Fd, Memory;
    324 membarrier(a("cmd", fl(F::Membarrier)), a("flags", UINT), a("cpu_id", INT)) -> Int, Memory;
    325 mlock2(a("addr", PTR), a("len", UINT), a("flags", UINT)) -> Int, Memory;
    326 copy_file_range(a("fdin", FD), io("offin", T::Struct(S::Int64)), a("fdout", FD), io("offout", T::Struct(S::Int64)), a("len", UINT), a("flags", UINT)) -> Int, IoWrite;
    327 preadv2(a("fd", FD), o("data", T::Iovec(2)), a("iovcnt", INT), a("pos", LONG), a("flags", HEX)) -> Int, IoRead;
    328 pwritev2(a("fd", FD), a("data", T::Iovec(2)), a("iovcnt", INT), a("pos", LONG), a("flags", HEX)) -> Int, IoWrite;
    329 pkey_mprotect(a("addr", PTR), a("len", UINT), a("prot", fl(F::Prot)), a("pkey", INT)) -> Int, Memory;
    330 pkey_alloc(a("flags", UINT), a("access_rights", UINT)) -> Int, Memory;
    331 pkey_free(a("pkey", INT)) -> Int, Memory;
    332 statx(a("dirfd", DIRFD), a("pathname", PATH), a("flags", fl(F::AtStatx)), a("mask", fl(F::StatxMask)), o("statxbuf", T::Struct(S::Statx))) -> Int, File;
    334 rseq(a("rseq", PTR), a("rseq_len", HEX), a("flags", INT), a("sig", HEX)) -> Int, Process;
    424 pidfd_send_signal(a("pidfd", FD), a("sig", SIG), a("info", T::Struct(S::Siginfo)), a("flags", UINT)) -> Int, Signal;
    434 pidfd_open(a("pid", INT), a("flags", fl(F::Pidfd))) -> Fd, Process;
    425 io_uring_setup(a("entries", UINT), a("params", PTR)) -> Fd, IoRead;
    426 io_uring_enter(a("fd", FD), a("to_submit", UINT), a("min_complete", UINT), a("flags", HEX), a("sig", PTR), a("sz", UINT)) -> Int, IoRead;
    427 io_uring_register(a("fd", FD), a("opcode", UINT), a("arg", PTR), a("nr_args", UINT)) -> Int, IoRead;
    428 open_tree(a("dirfd", DIRFD), a("path", PATH), a("flags", HEX)) -> Fd, File;
    429 move_mount(a("from_dirfd", DIRFD), a("from_path", PATH), a("to_dirfd", DIRFD), a("to_path", PATH), a("flags", HEX)) -> Int, File;
    430 fsopen(a("fsname", T::Str), a("flags", HEX)) -> Fd, File;
    431 fsconfig(a("fd", FD), a("cmd", UINT), a("key", T::Str), a("value", PTR), a("aux", INT)) -> Int, File;
    432 fsmount(a("fd", FD), a("flags", HEX), a("attr_flags", HEX)) -> Fd, File;
    433 fspick(a("dirfd", DIRFD), a("path", PATH), a("flags", HEX)) -> Fd, File;
    435 clone3(a("cl_args", T::Struct(S::CloneArgs)), a("size", UINT)) -> Int, Process;
    436 close_range(a("fd", FD), a("max_fd", FD), a("flags", fl(F::CloseRange))) -> Int, File;
    437 openat2(a("dirfd", DIRFD), a("name", PATH), a("how", T::Struct(S::OpenHow)), a("size", UINT)) -> Fd, File;
    438 pidfd_getfd(a("pidfd", FD), a("targetfd", FD), a("flags", UINT)) -> Fd, Process;
    439 faccessat2(a("dirfd", DIRFD), a("pathname", PATH), a("mode", fl(F::Access)), a("flags", fl(F::AtAccess))) -> Int, File;
    440 process_madvise(a("pidfd", FD), a("iovec", PTR), a("vlen", UINT), a("advice", fl(F::Madvise)), a("flags", UINT)) -> Int, Memory;
    441 epoll_pwait2(a("epfd", FD), o("events", T::StructArrayOut(S::EpollEvent)), a("maxevents", INT), a("timeout", TS), a("sigmask", SIGSET), a("sigsetsize", UINT)) -> Int, Wait;
    447 memfd_secret(a("flags", fl(F::OFlags))) -> Fd, Memory;
    448 process_mrelease(a("pidfd", FD), a("flags", UINT)) -> Int, Process;
    449 futex_waitv(a("waiters", PTR), a("nr_futexes", UINT), a("flags", UINT), a("timeout", TS), a("clockid", fl(F::Clock))) -> Int, Ipc;
    451 cachestat(a("fd", FD), a("cstat_range", PTR), o("cstat", PTR), a("flags", UINT)) -> Int, File;
    452 fchmodat2(a("dirfd", DIRFD), a("filename", PATH), a("mode", MODE), a("flags", fl(F::At))) -> Int, File;
    453 map_shadow_stack(a("addr", PTR), a("size", UINT), a("flags", HEX)) -> Ptr, Memory;
}

/// Index from syscall number to table entry, built on first use.
fn index() -> &'static [Option<&'static SyscallDesc>] {
    static INDEX: std::sync::OnceLock<Vec<Option<&'static SyscallDesc>>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let max = TABLE.iter().map(|d| d.nr as usize).max().unwrap_or(0);
        let mut v = vec![None; max + 1];
        for d in TABLE {
            v[d.nr as usize] = Some(d);
        }
        v
    })
}

/// The entry for syscall `nr`.
pub fn lookup(nr: u16) -> Option<&'static SyscallDesc> {
    index().get(nr as usize).copied().flatten()
}

/// Every entry, in table order.
pub fn all() -> &'static [SyscallDesc] {
    TABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn numbers_match_the_kernel_names() {
        for d in TABLE {
            let sys = syscalls::x86_64::Sysno::new(d.nr as usize);
            assert_eq!(sys.map(|s| s.name()), Some(d.name), "syscall {}", d.nr);
        }
    }

    #[test]
    fn no_duplicates_and_enough_entries() {
        let mut nrs: Vec<u16> = TABLE.iter().map(|d| d.nr).collect();
        nrs.sort_unstable();
        nrs.dedup();
        assert_eq!(nrs.len(), TABLE.len());
        assert!(TABLE.len() >= 170, "{} entries", TABLE.len());
        assert!(TABLE.iter().all(|d| d.args.len() <= 6));
    }

    #[test]
    fn length_arguments_point_at_integers() {
        use super::super::{Fetch, LenFrom};
        for d in TABLE {
            for a in d.args {
                let n = match a.fetch() {
                    Fetch::Buf(LenFrom::Arg(n) | LenFrom::ArgPtr(n))
                    | Fetch::Mem(LenFrom::Arg(n) | LenFrom::ArgPtr(n))
                    | Fetch::Iovec {
                        count: LenFrom::Arg(n),
                    }
                    | Fetch::Array {
                        count: LenFrom::Arg(n),
                        ..
                    }
                    | Fetch::Msgs {
                        count: LenFrom::Arg(n),
                        ..
                    } => n,
                    _ => continue,
                };
                assert!((n as usize) < d.args.len(), "{}.{}", d.name, a.name);
            }
        }
    }
}
