//! The layout of sysdig's events (the `PPME_*` table): for every event number its name and the
//! names and wire types of its parameters; and the names of sysdig's own syscall codes (`PPM_SC_*`)
//! that generic events carry.
//!
//! The table is data, written in a compact text form and parsed once at first use: one line per
//! event, `NUMBER DIR NAME [large] = PARAM:TYPE ...`. Event numbers pair up, the enter event even
//! and the exit event odd. `large` marks events whose parameter lengths are 32-bit in version-2
//! event blocks. Parameter types, by how they are stored:
//!
//! | code | sysdig types | stored as |
//! |---|---|---|
//! | `I` | `PT_INT*`, `PT_ERRNO`, `PT_FD`, `PT_PID` | signed little-endian integer, 1 to 8 bytes |
//! | `U` | `PT_UINT*`, flags, uid/gid, mode, port, signal, times, `PT_SYSCALLID` | unsigned integer |
//! | `S` | `PT_CHARBUF`, `PT_FSPATH`, `PT_FSRELPATH` | bytes, NUL-terminated |
//! | `B` | `PT_BYTEBUF` | raw bytes (the captured part of a buffer) |
//! | `A` | `PT_SOCKADDR` | family byte, then address and port (see [`super::sockaddr`]) |
//! | `T` | `PT_SOCKTUPLE` | family byte, then both ends |
//! | `L` | `PT_FDLIST` | u16 count, then (u64 fd, u16 flags) each |
//! | `X` | anything else (`PT_DYN`, networks, arrays) | kept as raw bytes |
//!
//! Parameters are only ever appended to an event (sysdig's compatibility rule), so an older
//! capture holds a prefix of the list below; a newer capture may hold more, which are ignored.
//! Transcribed from the format's public description (falcosecurity/libs, `driver/event_table.c`
//! and `driver/ppm_events_public.h`, Apache-2.0 / MIT).

use std::sync::OnceLock;

/// How a parameter is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PType {
    /// Signed integer.
    Int,
    /// Unsigned integer.
    UInt,
    /// NUL-terminated string.
    Str,
    /// Raw byte buffer.
    Buf,
    /// Socket address in sysdig's encoding.
    SockAddr,
    /// Socket tuple in sysdig's encoding.
    SockTuple,
    /// List of fds.
    FdList,
    /// Anything else, kept raw.
    Raw,
}

/// One parameter of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub ty: PType,
}

/// One event of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventInfo {
    /// sysdig's name of the event (`open`, `clone`, `procexit`, `syscall` for generic events).
    pub name: &'static str,
    /// True for exit events (odd numbers).
    pub exit: bool,
    /// Parameter lengths are 32-bit in version-2 blocks.
    pub large: bool,
    pub params: Vec<Param>,
}

impl EventInfo {
    /// Index of the parameter called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

/// The description of event number `ty`, if the table has it.
pub fn info(ty: u16) -> Option<&'static EventInfo> {
    table().get(ty as usize).and_then(Option::as_ref)
}

fn table() -> &'static [Option<EventInfo>] {
    static TABLE: OnceLock<Vec<Option<EventInfo>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<Option<EventInfo>> = Vec::new();
        for (nr, info) in EVENTS.lines().filter_map(parse_line) {
            if v.len() <= nr {
                v.resize(nr + 1, None);
            }
            v[nr] = Some(info);
        }
        v
    })
}

/// Parse one line of [`EVENTS`]; `None` for a blank or malformed line (a unit test checks that
/// every line parses).
fn parse_line(line: &'static str) -> Option<(usize, EventInfo)> {
    let (head, params) = line.split_once('=')?;
    let mut h = head.split_whitespace();
    let nr: usize = h.next()?.parse().ok()?;
    let exit = match h.next()? {
        "E" => false,
        "X" => true,
        _ => return None,
    };
    let name = h.next()?;
    let large = h.next() == Some("large");
    let params = params
        .trim()
        .trim_end_matches(';')
        .split_whitespace()
        .map(|p| {
            let (name, t) = p.split_once(':')?;
            let ty = match t {
                "I" => PType::Int,
                "U" => PType::UInt,
                "S" => PType::Str,
                "B" => PType::Buf,
                "A" => PType::SockAddr,
                "T" => PType::SockTuple,
                "L" => PType::FdList,
                "X" => PType::Raw,
                _ => return None,
            };
            Some(Param { name, ty })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((
        nr,
        EventInfo {
            name,
            exit,
            large,
            params,
        },
    ))
}

/// sysdig's name for its syscall code `code` (the `ID` parameter of generic events).
pub fn sc_name(code: u64) -> Option<&'static str> {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| SC_NAMES.split_whitespace().collect());
    usize::try_from(code)
        .ok()
        .and_then(|i| names.get(i))
        .copied()
}

/// `PPM_SC_*` names in code order (code 0 is `unknown`).
const SC_NAMES: &str = "
unknown restart_syscall exit read write open close creat link unlink chdir time mknod
chmod stat lseek getpid mount ptrace alarm fstat pause utime access sync kill rename
mkdir rmdir dup pipe times brk acct ioctl fcntl setpgid umask chroot ustat dup2 getppid
getpgrp setsid sethostname setrlimit getrusage gettimeofday settimeofday symlink lstat
readlink uselib swapon reboot mmap munmap truncate ftruncate fchmod getpriority
setpriority statfs fstatfs syslog setitimer getitimer uname vhangup wait4 swapoff
sysinfo fsync setdomainname adjtimex mprotect init_module delete_module quotactl getpgid
fchdir sysfs personality getdents select flock msync readv writev getsid fdatasync mlock
munlock mlockall munlockall sched_setparam sched_getparam sched_setscheduler
sched_getscheduler sched_yield sched_get_priority_max sched_get_priority_min
sched_rr_get_interval nanosleep mremap poll prctl rt_sigaction rt_sigprocmask
rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_sigsuspend getcwd capget capset
sendfile getrlimit lchown getuid getgid geteuid getegid setreuid setregid getgroups
setgroups fchown setresuid getresuid setresgid getresgid chown setuid setgid setfsuid
setfsgid pivot_root mincore madvise gettid setxattr lsetxattr fsetxattr getxattr
lgetxattr fgetxattr listxattr llistxattr flistxattr removexattr lremovexattr
fremovexattr tkill futex sched_setaffinity sched_getaffinity set_thread_area
get_thread_area io_setup io_destroy io_getevents io_submit io_cancel exit_group
epoll_create epoll_ctl epoll_wait remap_file_pages set_tid_address timer_create
timer_settime timer_gettime timer_getoverrun timer_delete clock_settime clock_gettime
clock_getres clock_nanosleep tgkill utimes mq_open mq_unlink mq_timedsend
mq_timedreceive mq_notify mq_getsetattr kexec_load waitid add_key request_key keyctl
ioprio_set ioprio_get inotify_init inotify_add_watch inotify_rm_watch openat mkdirat
mknodat fchownat futimesat unlinkat renameat linkat symlinkat readlinkat fchmodat
faccessat pselect6 ppoll unshare set_robust_list get_robust_list splice tee vmsplice
getcpu epoll_pwait utimensat signalfd timerfd_create eventfd timerfd_settime
timerfd_gettime signalfd4 eventfd2 epoll_create1 dup3 pipe2 inotify_init1 preadv pwritev
rt_tgsigqueueinfo perf_event_open fanotify_init prlimit64 clock_adjtime syncfs setns
getdents64 socket bind connect listen accept getsockname getpeername socketpair sendto
recvfrom shutdown setsockopt getsockopt sendmsg sendmmsg recvmsg recvmmsg accept4 semop
semget semctl msgsnd msgrcv msgget msgctl shmdt shmget shmctl statfs64 fstatfs64
fstatat64 sendfile64 ugetrlimit bdflush sigprocmask ipc socketcall stat64 lstat64
fstat64 fcntl64 mmap2 _newselect sgetmask ssetmask sigpending olduname umount signal
nice stime _llseek waitpid pread64 pwrite64 arch_prctl shmat rt_sigreturn fallocate
newfstatat process_vm_readv process_vm_writev fork vfork setuid32 getuid32 setgid32
geteuid32 getgid32 setresuid32 setresgid32 getresuid32 getresgid32 finit_module bpf
seccomp sigaltstack getrandom fadvise64 renameat2 userfaultfd openat2 umount2 execve
execveat copy_file_range clone clone3 open_by_handle_at io_uring_setup io_uring_enter
io_uring_register mlock2 getegid32 fsconfig fspick fsmount fsopen open_tree move_mount
mount_setattr memfd_create memfd_secret ioperm kexec_file_load pidfd_getfd pidfd_open
pidfd_send_signal pkey_alloc pkey_mprotect pkey_free landlock_create_ruleset quotactl_fd
landlock_restrict_self landlock_add_rule epoll_pwait2 migrate_pages move_pages preadv2
pwritev2 kcmp sched_setattr mbind epoll_ctl_old lookup_dcookie modify_ldt statx
set_mempolicy io_pgetevents set_mempolicy_home_node semtimedop get_kernel_syms readahead
futex_waitv getpmsg name_to_handle_at process_mrelease nfsservctl epoll_wait_old rseq
create_module na_1 sched_getattr faccessat2 _sysctl query_module get_mempolicy
sync_file_range process_madvise membarrier iopl close_range fanotify_mark recv send
sched_process_exit sched_switch page_fault_user page_fault_kernel signal_deliver timerfd
s390_pci_mmio_read sigaction s390_pci_mmio_write readdir s390_sthyi sigsuspend idle
s390_runtime_instr sigreturn s390_guarded_storage cachestat fchmodat2 map_shadow_stack
riscv_flush_icache riscv_hwprobe futex_wake futex_requeue futex_wait oldstat
switch_endian multiplexer oldlstat spu_create sync_file_range2 oldfstat spu_run
swapcontext pciconfig_write rtas pciconfig_read sys_debug_setcontext vm86 oldolduname
subpage_prot pciconfig_iobase listmount statmount lsm_get_self_attr lsm_set_self_attr
lsm_list_modules mseal uretprobe removexattrat listxattrat getxattrat setxattrat
open_tree_attr file_getattr file_setattr listns uprobe rseq_slice_yield
";

/// The event table (see the module docs for the notation).
const EVENTS: &str = "
0 E syscall = ID:U nativeID:U;
1 X syscall = ID:U nativeID:U;
2 E open = name:S flags:U mode:U;
3 X open = fd:I name:S flags:U mode:U dev:U ino:U;
4 E close = fd:I;
5 X close = res:I fd:I;
6 E read = fd:I size:U;
7 X read = res:I data:B fd:I size:U;
8 E write = fd:I size:U;
9 X write = res:I data:B fd:I size:U;
10 E brk = size:U;
11 X brk = res:U;
12 E execve = ;
13 X execve = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U;
14 E clone = ;
15 X clone = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I flags:U uid:U gid:U;
16 E procexit = ;
18 E socket = domain:U type:U proto:U;
19 X socket = fd:I domain:U type:U proto:U flags:U;
20 E bind = fd:I;
21 X bind = res:I addr:A fd:I;
22 E connect = fd:I addr:A;
23 X connect = res:I tuple:T fd:I addr:A;
24 E listen = fd:I backlog:I;
25 X listen = res:I fd:I backlog:I;
26 E accept = ;
27 X accept = fd:I tuple:T queuepct:U;
28 E send = fd:I size:U;
29 X send = res:I data:B fd:I size:U tuple:T;
30 E sendto = fd:I size:U tuple:T;
31 X sendto = res:I data:B fd:I size:U tuple:T;
32 E recv = fd:I size:U;
33 X recv = res:I data:B fd:I size:U tuple:T;
34 E recvfrom = fd:I size:U;
35 X recvfrom = res:I data:B tuple:T fd:I size:U;
36 E shutdown = fd:I how:U;
37 X shutdown = res:I fd:I how:U;
38 E getsockname = ;
39 X getsockname = ;
40 E getpeername = ;
41 X getpeername = ;
42 E socketpair = domain:U type:U proto:U;
43 X socketpair = res:I fd1:I fd2:I source:U peer:U domain:U type:U proto:U;
44 E setsockopt = ;
45 X setsockopt = res:I fd:I level:U optname:U val:X optlen:U;
46 E getsockopt = ;
47 X getsockopt = res:I fd:I level:U optname:U val:X optlen:U;
48 E sendmsg = fd:I size:U tuple:T;
49 X sendmsg = res:I data:B fd:I size:U tuple:T;
50 E sendmmsg = ;
51 X sendmmsg = res:I fd:I size:U data:B tuple:T;
52 E recvmsg = fd:I;
53 X recvmsg = res:I size:U data:B tuple:T msgcontrol:B fd:I;
54 E recvmmsg = ;
55 X recvmmsg = res:I fd:I size:U data:B tuple:T msgcontrol:B;
56 E accept = flags:I;
57 X accept = fd:I tuple:T queuepct:U;
58 E creat = name:S mode:U;
59 X creat = fd:I name:S mode:U dev:U ino:U creat_flags:U;
60 E pipe = ;
61 X pipe = res:I fd1:I fd2:I ino:U;
62 E eventfd = initval:U flags:U;
63 X eventfd = res:I initval:U flags:U;
64 E futex = addr:U op:U val:U;
65 X futex = res:I addr:U op:U val:U;
66 E stat = ;
67 X stat = res:I path:S;
68 E lstat = ;
69 X lstat = res:I path:S;
70 E fstat = fd:I;
71 X fstat = res:I fd:I;
72 E stat64 = ;
73 X stat64 = res:I path:S;
74 E lstat64 = ;
75 X lstat64 = res:I path:S;
76 E fstat64 = fd:I;
77 X fstat64 = res:I;
78 E epoll_wait = maxevents:I;
79 X epoll_wait = res:I maxevents:I;
80 E poll = fds:L timeout:I;
81 X poll = res:I fds:L timeout:I;
82 E select = ;
83 X select = res:I;
84 E select = ;
85 X select = res:I;
86 E lseek = fd:I offset:U whence:U;
87 X lseek = res:I fd:I offset:U whence:U;
88 E llseek = fd:I offset:U whence:U;
89 X llseek = res:I fd:I offset:U whence:U;
90 E ioctl = fd:I request:U;
91 X ioctl = res:I;
92 E getcwd = ;
93 X getcwd = res:I path:S;
94 E chdir = ;
95 X chdir = res:I path:S;
96 E fchdir = fd:I;
97 X fchdir = res:I fd:I;
98 E mkdir = path:S mode:U;
99 X mkdir = res:I;
100 E rmdir = path:S;
101 X rmdir = res:I;
102 E openat = dirfd:I name:S flags:U mode:U;
103 X openat = fd:I;
104 E link = oldpath:S newpath:S;
105 X link = res:I;
106 E linkat = olddir:I oldpath:S newdir:I newpath:S;
107 X linkat = res:I;
108 E unlink = path:S;
109 X unlink = res:I;
110 E unlinkat = dirfd:I name:S;
111 X unlinkat = res:I;
112 E pread = fd:I size:U pos:U;
113 X pread = res:I data:B fd:I size:U pos:U;
114 E pwrite = fd:I size:U pos:U;
115 X pwrite = res:I data:B fd:I size:U pos:U;
116 E readv = fd:I;
117 X readv = res:I size:U data:B fd:I;
118 E writev = fd:I size:U;
119 X writev = res:I data:B fd:I size:U;
120 E preadv = fd:I pos:U;
121 X preadv = res:I size:U data:B fd:I pos:U;
122 E pwritev = fd:I size:U pos:U;
123 X pwritev = res:I data:B fd:I size:U pos:U;
124 E dup = fd:I;
125 X dup = res:I;
126 E signalfd = fd:I mask:U flags:U;
127 X signalfd = res:I fd:I mask:U flags:U;
128 E kill = pid:I sig:U;
129 X kill = res:I pid:I sig:U;
130 E tkill = tid:I sig:U;
131 X tkill = res:I tid:I sig:U;
132 E tgkill = pid:I tid:I sig:U;
133 X tgkill = res:I pid:I tid:I sig:U;
134 E nanosleep = interval:U;
135 X nanosleep = res:I interval:U;
136 E timerfd_create = clockid:U flags:U;
137 X timerfd_create = res:I clockid:U flags:U;
138 E inotify_init = flags:U;
139 X inotify_init = res:I flags:U;
140 E getrlimit = resource:U;
141 X getrlimit = res:I cur:I max:I resource:U;
142 E setrlimit = resource:U;
143 X setrlimit = res:I cur:I max:I resource:U;
144 E prlimit = pid:I resource:U;
145 X prlimit = res:I newcur:I newmax:I oldcur:I oldmax:I pid:I resource:U;
146 E switch = next:I;
148 E drop = ratio:U;
149 X drop = ratio:U;
150 E fcntl = fd:I cmd:U;
151 X fcntl = res:I fd:I cmd:U arg:U;
152 E switch = next:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U;
154 E execve = ;
155 X execve = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U;
156 E clone = ;
157 X clone = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U flags:U uid:U gid:U;
158 E brk = addr:U;
159 X brk = res:U vm_size:U vm_rss:U vm_swap:U addr:U;
160 E mmap = addr:U length:U prot:U flags:U fd:I offset:U;
161 X mmap = res:I vm_size:U vm_rss:U vm_swap:U addr:U length:U prot:U flags:U fd:I offset:U;
162 E mmap2 = addr:U length:U prot:U flags:U fd:I pgoffset:U;
163 X mmap2 = res:I vm_size:U vm_rss:U vm_swap:U addr:U length:U prot:U flags:U fd:I pgoffset:U;
164 E munmap = addr:U length:U;
165 X munmap = res:I vm_size:U vm_rss:U vm_swap:U addr:U length:U;
166 E splice = fd_in:I fd_out:I size:U flags:U;
167 X splice = res:I fd_in:I fd_out:I size:U flags:U;
168 E ptrace = request:U pid:I;
169 X ptrace = res:I addr:X data:X request:U pid:I;
170 E ioctl = fd:I request:U argument:U;
171 X ioctl = res:I fd:I request:U argument:U;
172 E execve = ;
173 X execve = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U env:B;
174 E rename = ;
175 X rename = res:I oldpath:S newpath:S;
176 E renameat = ;
177 X renameat = res:I olddirfd:I oldpath:S newdirfd:I newpath:S;
178 E symlink = ;
179 X symlink = res:I target:S linkpath:S;
180 E symlinkat = ;
181 X symlinkat = res:I target:S linkdirfd:I linkpath:S;
182 E fork = ;
183 X fork = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U flags:U uid:U gid:U;
184 E vfork = ;
185 X vfork = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U flags:U uid:U gid:U;
186 E procexit = status:I ret:I sig:U core:U reaper_tid:I;
188 E sendfile = out_fd:I in_fd:I offset:U size:U;
189 X sendfile = res:I offset:U out_fd:I in_fd:I size:U;
190 E quotactl = cmd:U type:U id:U quota_fmt:U;
191 X quotactl = res:I special:S quotafilepath:S dqb_bhardlimit:U dqb_bsoftlimit:U dqb_curspace:U dqb_ihardlimit:U dqb_isoftlimit:U dqb_btime:U dqb_itime:U dqi_bgrace:U dqi_igrace:U dqi_flags:U quota_fmt_out:U cmd:U type:U id:U quota_fmt:U;
192 E setresuid = ruid:U euid:U suid:U;
193 X setresuid = res:I ruid:U euid:U suid:U;
194 E setresgid = rgid:U egid:U sgid:U;
195 X setresgid = res:I rgid:U egid:U sgid:U;
196 E scapevent = event_type:U event_data:U;
198 E setuid = uid:U;
199 X setuid = res:I uid:U;
200 E setgid = gid:U;
201 X setgid = res:I gid:U;
202 E getuid = ;
203 X getuid = uid:U;
204 E geteuid = ;
205 X geteuid = euid:U;
206 E getgid = ;
207 X getgid = gid:U;
208 E getegid = ;
209 X getegid = egid:U;
210 E getresuid = ;
211 X getresuid = res:I ruid:U euid:U suid:U;
212 E getresgid = ;
213 X getresgid = res:I rgid:U egid:U sgid:U;
214 E execve = ;
215 X execve = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S env:B;
216 E clone = ;
217 X clone = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S flags:U uid:U gid:U;
218 E fork = ;
219 X fork = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S flags:U uid:U gid:U;
220 E vfork = ;
221 X vfork = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S flags:U uid:U gid:U;
222 E clone = ;
223 X clone = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B flags:U uid:U gid:U vtid:I vpid:I pidns_init_start_ts:U;
224 E fork = ;
225 X fork = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B flags:U uid:U gid:U vtid:I vpid:I pidns_init_start_ts:U;
226 E vfork = ;
227 X vfork = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B flags:U uid:U gid:U vtid:I vpid:I pidns_init_start_ts:U;
228 E container = id:S type:U name:S image:S;
230 E execve = ;
231 X execve = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B env:B;
232 E signaldeliver = spid:I dpid:I sig:U;
234 E procinfo = cpu_usr:U cpu_sys:U;
236 E getdents = fd:I;
237 X getdents = res:I fd:I;
238 E getdents64 = fd:I;
239 X getdents64 = res:I fd:I;
240 E setns = fd:I nstype:U;
241 X setns = res:I fd:I nstype:U;
242 E flock = fd:I operation:U;
243 X flock = res:I fd:I operation:U;
244 E cpu_hotplug = cpu:U action:U;
246 E accept = ;
247 X accept = fd:I tuple:T queuepct:U queuelen:U queuemax:U;
248 E accept = flags:I;
249 X accept = fd:I tuple:T queuepct:U queuelen:U queuemax:U;
250 E semop = semid:I;
251 X semop = res:I nsops:U sem_num_0:U sem_op_0:I sem_flg_0:U sem_num_1:U sem_op_1:I sem_flg_1:U semid:I;
252 E semctl = semid:I semnum:I cmd:U val:I;
253 X semctl = res:I semid:I semnum:I cmd:U val:I;
254 E ppoll = fds:L timeout:U sigmask:U;
255 X ppoll = res:I fds:L timeout:U sigmask:U;
256 E mount = flags:U;
257 X mount = res:I dev:S dir:S type:S flags:U;
258 E umount = flags:U;
259 X umount = res:I name:S;
260 E k8s = json:S;
262 E semget = key:I nsems:I semflg:U;
263 X semget = res:I key:I nsems:I semflg:U;
264 E access = mode:U;
265 X access = res:I name:S mode:U;
266 E chroot = ;
267 X chroot = res:I path:S;
268 E tracer = id:I tags:X args:X;
270 E mesos = json:S;
272 E container = json:S;
274 E setsid = ;
275 X setsid = res:I;
276 E mkdir = mode:U;
277 X mkdir = res:I path:S mode:U;
278 E rmdir = ;
279 X rmdir = res:I path:S;
280 E notification = id:S desc:S;
282 E execve = ;
283 X execve = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B env:B tty:I;
284 E unshare = flags:U;
285 X unshare = res:I flags:U;
286 E infra = source:S name:S description:S scope:S;
288 E execve = filename:S;
289 X execve = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B env:B tty:I;
290 E page_fault = addr:U ip:U error:U;
292 E execve = filename:S;
293 X execve = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B env:B tty:U vpgid:I loginuid:U flags:U cap_inheritable:U cap_permitted:U cap_effective:U exe_ino:U exe_ino_ctime:U exe_ino_mtime:U uid:U trusted_exepath:S pgid:I gid:U filename:S;
294 E setpgid = pid:I pgid:I;
295 X setpgid = res:I pid:I pgid:I;
296 E bpf = cmd:I;
297 X bpf = res_or_fd:X;
298 E seccomp = op:U flags:U;
299 X seccomp = res:I op:U flags:U;
300 E unlink = ;
301 X unlink = res:I path:S;
302 E unlinkat = ;
303 X unlinkat = res:I dirfd:I name:S flags:U;
304 E mkdirat = ;
305 X mkdirat = res:I dirfd:I path:S mode:U;
306 E openat = dirfd:I name:S flags:U mode:U;
307 X openat = fd:I dirfd:I name:S flags:U mode:U dev:U ino:U;
308 E link = ;
309 X link = res:I oldpath:S newpath:S;
310 E linkat = ;
311 X linkat = res:I olddir:I oldpath:S newdir:I newpath:S flags:U;
312 E fchmodat = ;
313 X fchmodat = res:I dirfd:I filename:S mode:U;
314 E chmod = ;
315 X chmod = res:I filename:S mode:U;
316 E fchmod = ;
317 X fchmod = res:I fd:I mode:U;
318 E renameat2 = ;
319 X renameat2 = res:I olddirfd:I oldpath:S newdirfd:I newpath:S flags:U;
320 E userfaultfd = ;
321 X userfaultfd = res:I flags:U;
322 E pluginevent large = plugin_id:U event_data:B;
324 E container large = json:S;
326 E openat2 = dirfd:I name:S flags:U mode:U resolve:U;
327 X openat2 = fd:I dirfd:I name:S flags:U mode:U resolve:U dev:U ino:U;
328 E mprotect = addr:U length:U prot:U;
329 X mprotect = res:I addr:U length:U prot:U;
330 E execveat = dirfd:I pathname:S flags:U;
331 X execveat = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:U pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B env:B tty:U vpgid:I loginuid:U flags:U cap_inheritable:U cap_permitted:U cap_effective:U exe_ino:U exe_ino_ctime:U exe_ino_mtime:U uid:U trusted_exepath:S pgid:I gid:U;
332 E copy_file_range = fdin:I offin:U len:U;
333 X copy_file_range = res:I fdout:I offout:U fdin:I offin:U len:U;
334 E clone3 = ;
335 X clone3 = res:I exe:S args:B tid:I pid:I ptid:I cwd:S fdlimit:I pgft_maj:U pgft_min:U vm_size:U vm_rss:U vm_swap:U comm:S cgroups:B flags:U uid:U gid:U vtid:I vpid:I pidns_init_start_ts:U;
336 E open_by_handle_at = ;
337 X open_by_handle_at = fd:I mountfd:I flags:U path:S dev:U ino:U;
338 E io_uring_setup = ;
339 X io_uring_setup = res:I entries:U sq_entries:U cq_entries:U flags:U sq_thread_cpu:U sq_thread_idle:U features:U;
340 E io_uring_enter = ;
341 X io_uring_enter = res:I fd:I to_submit:U min_complete:U flags:U sig:U;
342 E io_uring_register = ;
343 X io_uring_register = res:I fd:I opcode:U arg:U nr_args:U;
344 E mlock = ;
345 X mlock = res:I addr:U len:U;
346 E munlock = ;
347 X munlock = res:I addr:U len:U;
348 E mlockall = ;
349 X mlockall = res:I flags:U;
350 E munlockall = ;
351 X munlockall = res:I;
352 E capset = ;
353 X capset = res:I cap_inheritable:U cap_permitted:U cap_effective:U;
354 E useradded = uid:U gid:U name:S home:S shell:S container_id:S;
356 E userdeleted = uid:U gid:U name:S home:S shell:S container_id:S;
358 E groupadded = gid:U name:S container_id:S;
360 E groupdeleted = gid:U name:S container_id:S;
362 E dup2 = fd:I;
363 X dup2 = res:I oldfd:I newfd:I;
364 E dup3 = fd:I;
365 X dup3 = res:I oldfd:I newfd:I flags:U;
366 E dup = fd:I;
367 X dup = res:I oldfd:I;
368 E bpf = cmd:I;
369 X bpf = fd:I cmd:U;
370 E mlock2 = ;
371 X mlock2 = res:I addr:U len:U flags:U;
372 E fsconfig = ;
373 X fsconfig = res:I fd:I cmd:U key:S value_bytebuf:B value_charbuf:S aux:I;
374 E epoll_create = size:I;
375 X epoll_create = res:I size:I;
376 E epoll_create1 = flags:U;
377 X epoll_create1 = res:I flags:U;
378 E chown = ;
379 X chown = res:I path:S uid:U gid:U;
380 E lchown = ;
381 X lchown = res:I path:S uid:U gid:U;
382 E fchown = ;
383 X fchown = res:I fd:I uid:U gid:U;
384 E fchownat = ;
385 X fchownat = res:I dirfd:I pathname:S uid:U gid:U flags:U;
386 E umount = ;
387 X umount = res:I name:S;
388 E accept4 = flags:I;
389 X accept4 = fd:I tuple:T queuepct:U queuelen:U queuemax:U flags:I;
390 E umount2 = flags:U;
391 X umount2 = res:I name:S flags:U;
392 E pipe2 = ;
393 X pipe2 = res:I fd1:I fd2:I ino:U flags:U;
394 E inotify_init1 = ;
395 X inotify_init1 = res:I flags:U;
396 E eventfd2 = initval:U;
397 X eventfd2 = res:I flags:U initval:U;
398 E signalfd4 = fd:I mask:U;
399 X signalfd4 = res:I flags:U fd:I mask:U;
400 E prctl = ;
401 X prctl = res:I option:U arg2_str:S arg2_int:I;
402 E asyncevent large = plugin_id:U name:S data:B;
404 E memfd_create = ;
405 X memfd_create = fd:I name:S flags:U;
406 E pidfd_getfd = ;
407 X pidfd_getfd = fd:I pid_fd:I target_fd:I flags:U;
408 E pidfd_open = ;
409 X pidfd_open = fd:I pid:I flags:U;
410 E init_module = ;
411 X init_module = res:I img:B length:U uargs:S;
412 E finit_module = ;
413 X finit_module = res:I fd:I uargs:S flags:U;
414 E mknod = ;
415 X mknod = res:I path:S mode:U dev:U;
416 E mknodat = ;
417 X mknodat = res:I dirfd:I path:S mode:U dev:U;
418 E newfstatat = ;
419 X newfstatat = res:I dirfd:I path:S flags:U;
420 E process_vm_readv = ;
421 X process_vm_readv = res:I pid:I data:B;
422 E process_vm_writev = ;
423 X process_vm_writev = res:I pid:I data:B;
424 E delete_module = ;
425 X delete_module = res:I name:S flags:U;
426 E setreuid = ;
427 X setreuid = res:I ruid:U euid:U;
428 E setregid = ;
429 X setregid = res:I rgid:U egid:U;
430 E task = ppid:X pgid:X vpgid:X sid:X comm:S argv:X exepath:S flags:U env:X cwd:S fdlimit:U euid:U egid:U cap_permitted:U cap_effective:U cap_inheritable:U exe_ino_num:U exe_ino_ctime:U exe_ino_mtime:U vm_size:U vm_rss:U vm_swap:U pgft_maj:U pgft_min:U vtgid:X vpid:X pidns_init_start_ts:U cgroups:X root:S start_time:U tty:U loginuid:U;
432 E task_file_pipe = fd:X path:S ino_num:U;
434 E task_file_memfd = fd:X path:S ino_num:U;
436 E task_file_regular = fd:X path:S flags:U mnt_id:U ino_num:U;
438 E task_file_directory = fd:X path:S ino_num:U;
440 E task_file_socket_inet = fd:X sk_type:U sk_proto:U local_ip:U local_port:U remote_ip:U remote_port:U ino_num:U;
442 E task_file_socket_inet6 = fd:X sk_type:U sk_proto:U local_ip:X local_port:U remote_ip:X remote_port:U ino_num:U;
444 E task_file_socket_unix = fd:X sk_type:U sk_proto:U sk_pointer:U sun_path:S ino_num:U;
446 E task_file_socket_netlink = fd:X sk_type:U sk_proto:U ino_num:U;
448 E task_file_anon_inode = fd:X fd_type:U path:S ino_num:U;
451 X close_range = res:I first:U last:U flags:U;
453 X keyctl = res:I operation:U arg2:X arg3:X arg4:X arg5:X;
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_parses() {
        for line in EVENTS.lines().filter(|l| !l.trim().is_empty()) {
            assert!(parse_line(line).is_some(), "bad table line {line:?}");
        }
    }

    #[test]
    fn numbers_pair_up_with_directions() {
        for line in EVENTS.lines().filter(|l| !l.trim().is_empty()) {
            let (nr, info) = parse_line(line).unwrap();
            assert_eq!(info.exit, nr % 2 == 1, "{line}");
        }
    }

    #[test]
    fn known_events() {
        let open_x = info(3).unwrap();
        assert_eq!(open_x.name, "open");
        assert!(open_x.exit);
        assert_eq!(
            open_x.params[0],
            Param {
                name: "fd",
                ty: PType::Int
            }
        );
        assert_eq!(info(272).unwrap().name, "container");
        assert!(info(324).unwrap().large);
        assert!(info(u16::MAX).is_none());
    }

    #[test]
    fn syscall_codes() {
        assert_eq!(sc_name(0), Some("unknown"));
        assert_eq!(sc_name(3), Some("read"));
        assert_eq!(sc_name(u64::MAX), None);
    }
}
