//! The event model: what every engine produces and every reader consumes.
//!
//! A syscall yields two events, [`EventKind::Enter`] and [`EventKind::Exit`] (sysdig's `>` and
//! `<`), so a call that blocks is visible while it blocks. Arguments are stored in the order of
//! the syscall table ([`crate::syscalls`]): the enter event holds the arguments whose direction is
//! [`Dir::In`](crate::syscalls::Dir::In) or [`Dir::InOut`](crate::syscalls::Dir::InOut), the exit
//! event those that are [`Dir::Out`](crate::syscalls::Dir::Out) or `InOut` (read again), each
//! fetched as the table's [`Fetch`](crate::syscalls::Fetch) says. A reader merges the two lists
//! back into one with [`crate::syscalls::SyscallDesc::merge_args`].
//!
//! Compatibility rule (the trace format stores these types with rmp-serde): only append variants
//! to the enums and only append fields with `#[serde(default)]` to the structs; anything else
//! needs a new record kind and a new trace format version.

use serde::{Deserialize, Serialize};

/// Thread id as the kernel numbers it (the host's pid namespace).
pub type Tid = u32;

/// CPU number when the engine cannot tell (the ptrace engine).
pub const CPU_UNKNOWN: u16 = u16::MAX;

/// One event: a syscall enter or exit, a process lifecycle step, a sample, a notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Wall-clock time, nanoseconds since the Unix epoch.
    pub ts: u64,
    /// The thread that made the call (or the thread the notice is about).
    pub tid: Tid,
    /// Its thread group id (the process id).
    pub pid: Tid,
    /// CPU the event happened on, or [`CPU_UNKNOWN`].
    pub cpu: u16,
    /// What happened.
    pub kind: EventKind,
}

/// What an exec ([`EventKind::Exec`]) says of the new image. `old_tid` is the thread that
/// called exec when it was not the thread group leader. `comm` (the name the kernel gave the new
/// image: the file name's last part, `cat` for busybox's `/bin/cat`) and `cgroup` (the
/// process's cgroup path, which names its container) are empty when the engine did not learn
/// them; `cgroup` is also empty when it is the root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exec {
    pub old_tid: Tid,
    pub exe: Vec<u8>,
    pub args: Vec<Vec<u8>>,
    pub cwd: Vec<u8>,
    pub comm: Vec<u8>,
    pub cgroup: Vec<u8>,
}

/// What an [`Event`] says happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A syscall began; `args` are its input arguments in table order.
    Enter { nr: u16, args: Vec<Arg> },
    /// A syscall returned `ret` (negative errno on failure); `args` are its output arguments
    /// in table order, read after the call. After them a source may append what it learnt of
    /// the call beyond the table's arguments, which readers that show arguments ignore. Two
    /// such extras today: the exits of connect, accept and accept4 (see
    /// [`crate::syscalls::socket_ends`]) carry their inet socket's local end, then its peer's
    /// (each a `struct sockaddr_in` or `sockaddr_in6` as [`Arg::Mem`]; a source may give the
    /// local end alone); an execve exit from a sysdig capture carries the new environment.
    Exit { nr: u16, ret: i64, args: Vec<Arg> },
    /// A new thread or process: `child` was created by the event's thread (fork, vfork, clone).
    Clone {
        child_tid: Tid,
        child_pid: Tid,
        /// clone flags (CLONE_VM, CLONE_THREAD…), 0 for fork, CLONE_VM|CLONE_VFORK for vfork.
        flags: u64,
    },
    /// The event's process replaced its image (successful execve/execveat): see [`Exec`].
    /// Boxed, as the largest variant by far: unboxed, its five vectors made every event 152
    /// bytes (64 boxed), which each move between the engine, the state and the writer copied.
    Exec(Box<Exec>),
    /// The event's thread ended. `status` is the wait status (`WEXITSTATUS`/`WTERMSIG` encoded as
    /// by wait(2)).
    ThreadExit { status: i32 },
    /// A signal was delivered to the event's thread (strace's `--- SIGCHLD {...} ---`).
    Signal {
        signo: i32,
        code: i32,
        /// Sending pid, when the siginfo names one.
        sender: Tid,
        /// The siginfo's first 48 bytes as the kernel lays them out (`si_signo`, `si_errno`,
        /// `si_code`, then the union: the sender's uid, a child's status and times, a fault's
        /// address, a timer's id…), for strace's `--- SIGCHLD {...} ---`; empty when the
        /// source has none (sysdig captures, traces before format 3.3).
        info: Vec<u8>,
    },
    /// Periodic per-process resource sample, for `top`.
    Sample {
        /// Total CPU time of the process so far, ns (user + system).
        cpu_ns: u64,
        /// Resident set size, KiB.
        rss_kb: u64,
        /// Virtual size, KiB.
        vsz_kb: u64,
    },
    /// The kernel lost `count` events on `cpu` since the last notice.
    Drops { cpu: u16, count: u64 },
    /// The engine tampered with the thread's current call `nr`, as strace's `-e inject=` asks
    /// (the ptrace engine only): `ret` is what the call returned instead of running (a negative
    /// errno, or a value), when it was made to; `signo` the signal delivered after it (0:
    /// none); `delayed`, whether the thread was held at the call's entry or exit (strace's
    /// `(DELAYED)`). It comes right before the call's exit.
    Injected {
        nr: u16,
        ret: Option<i64>,
        signo: i32,
        delayed: bool,
    },
    /// The stack of the thread's call whose exit came just before (strace's `-k`; the ptrace
    /// engine only), innermost frame first.
    Stack { frames: Vec<Frame> },
    /// An event of another tool's capture that syspect has no model for (a sysdig scheduler
    /// `switch`, a page fault, a plugin event), named as that tool names it. It is kept only so
    /// that event numbers stay the source's (`evt.num`): readers count it and show nothing.
    Other { name: String },
}

/// One frame of a stack, as strace's `-k` names it: the module's path, the nearest function
/// symbol before the address and the address's offset from it, and the address's offset in
/// the module's file. `module` is empty for an address in no file (then `file_offset` is the
/// address itself), `symbol` when the module names no function before it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub module: Vec<u8>,
    pub symbol: String,
    pub offset: u64,
    pub file_offset: u64,
}

/// One syscall argument value as captured. How to *show* it depends on the argument's
/// [`ArgType`](crate::syscalls::ArgType) in the syscall table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    /// A scalar: integer, fd, flags, mode, or a pointer that was not dereferenced.
    Num(u64),
    /// A NUL-terminated string (path, name), cut at the snap length; `trunc` when it was longer.
    Str {
        #[serde(with = "serde_bytes_compat")]
        data: Vec<u8>,
        trunc: bool,
    },
    /// A buffer: the first snap-length bytes and the real length.
    Buf {
        #[serde(with = "serde_bytes_compat")]
        data: Vec<u8>,
        len: u64,
    },
    /// Fixed-size or length-given memory read verbatim (a struct, a sockaddr, an array):
    /// decoded by the argument's type when shown.
    Mem(#[serde(with = "serde_bytes_compat")] Vec<u8>),
    /// A NULL-terminated array of strings (execve's argv and envp); `trunc` when cut.
    StrList { items: Vec<Vec<u8>>, trunc: bool },
    /// The pointer could not be read (EFAULT, unmapped, or the engine gave up); its value.
    Fault(u64),
    /// Several values read from one argument (readv's iovecs: one [`Arg::Buf`] each).
    List(Vec<Arg>),
}

impl Arg {
    /// The scalar value, if this argument is one (or the pointer value of a fault).
    pub fn num(&self) -> Option<u64> {
        match self {
            Arg::Num(n) | Arg::Fault(n) => Some(*n),
            _ => None,
        }
    }

    /// The data buffers this argument holds, in order: a buffer's bytes, an iovec list's or
    /// a message list's buffers (not a message's header, name or control data).
    pub fn buffers(&self) -> Vec<&[u8]> {
        let mut out = Vec::new();
        self.push_buffers(&mut out);
        out
    }

    /// [`Arg::buffers`] appended to `out` (no vector of its own per argument).
    pub fn push_buffers<'a>(&'a self, out: &mut Vec<&'a [u8]>) {
        match self {
            Arg::Buf { data, .. } => out.push(data),
            Arg::List(items) => items.iter().for_each(|i| i.push_buffers(out)),
            _ => {}
        }
    }

    /// The bytes the buffers of this argument hold or ask for: a buffer's length, the sum of
    /// an iovec list's, of a message's iovecs', of an mmsghdr's `msg_len`s (what each message
    /// moved).
    pub fn data_len(&self) -> u64 {
        match self {
            Arg::Buf { len, .. } => *len,
            // an mmsghdr: its header, 64 bytes, ends with msg_len
            Arg::List(parts) => match parts.first() {
                Some(Arg::Mem(h)) if h.len() == 64 => {
                    u32::from_ne_bytes([h[56], h[57], h[58], h[59]]) as u64
                }
                _ => parts.iter().map(Arg::data_len).sum(),
            },
            _ => 0,
        }
    }

    /// The name (a socket address) of the first message of a message list
    /// ([`crate::syscalls::Fetch::Msgs`]), when it was read and is not empty.
    pub fn first_msg_name(&self) -> Option<&[u8]> {
        let Arg::List(msgs) = self else { return None };
        let Arg::List(parts) = msgs.first()? else {
            return None;
        };
        match parts.get(1)? {
            Arg::Mem(n) if !n.is_empty() => Some(n),
            _ => None,
        }
    }

    /// The bytes of a string, buffer or memory argument.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Arg::Str { data, .. } | Arg::Buf { data, .. } | Arg::Mem(data) => Some(data),
            _ => None,
        }
    }
}

/// Store `Vec<u8>` as a msgpack `bin` (one length prefix) instead of an array of integers.
mod serde_bytes_compat {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = a.next_element()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_bytes(V)
    }
}

/// Which process a state record or an event belongs to is as much state as the event itself:
/// these records describe the world as the capture found it or as it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadInfo {
    pub tid: Tid,
    pub pid: Tid,
    pub ppid: Tid,
    /// Short command name (`/proc/PID/comm`).
    pub comm: Vec<u8>,
    /// Executable path (`/proc/PID/exe`), empty when unknown.
    pub exe: Vec<u8>,
    /// Command line, argv\[0\] first.
    pub args: Vec<Vec<u8>>,
    pub cwd: Vec<u8>,
    pub uid: u32,
    pub gid: u32,
    /// The cgroup path (v2 unified path, or the first v1 line's path), used to name containers.
    pub cgroup: Vec<u8>,
    /// Process start time, wall-clock ns, 0 when unknown.
    pub start_ts: u64,
    /// Thread id inside its own pid namespace (`NSpid` last field), 0 when unknown.
    pub vtid: Tid,
    /// Process id inside its own pid namespace, 0 when unknown.
    pub vpid: Tid,
    /// The process's CPU time (user and system, ns), resident and virtual size (KiB), as last
    /// read from /proc (the snapshot at start, then the latest [`EventKind::Sample`]), on its
    /// main thread's record; 0 on other threads' and when unknown. Since format 3.1.
    #[serde(default)]
    pub cpu_ns: u64,
    #[serde(default)]
    pub rss_kb: u64,
    #[serde(default)]
    pub vsz_kb: u64,
    /// The process group and session ids (as the capture's pid namespace numbers them) and
    /// the controlling terminal's device number (`tty_nr` of `/proc/PID/stat`, 0 for none),
    /// as found at start; readers follow setsid, setpgid and TIOCSCTTY from there. 0 when
    /// unknown. Since format 3.3.
    #[serde(default)]
    pub pgid: Tid,
    #[serde(default)]
    pub sid: Tid,
    #[serde(default)]
    pub tty: u32,
    /// The audit login uid (`/proc/PID/loginuid`): the user who logged in to start the
    /// session, whatever uid the process runs as; [`LOGINUID_UNSET`] when none (a daemon
    /// started at boot) or unknown. Since format 3.3.
    #[serde(default = "loginuid_unset")]
    pub loginuid: u32,
}

impl Default for ThreadInfo {
    /// Nothing known: zeros and empty values, and no login uid.
    fn default() -> Self {
        ThreadInfo {
            tid: 0,
            pid: 0,
            ppid: 0,
            comm: Vec::new(),
            exe: Vec::new(),
            args: Vec::new(),
            cwd: Vec::new(),
            uid: 0,
            gid: 0,
            cgroup: Vec::new(),
            start_ts: 0,
            vtid: 0,
            vpid: 0,
            cpu_ns: 0,
            rss_kb: 0,
            vsz_kb: 0,
            pgid: 0,
            sid: 0,
            tty: 0,
            loginuid: LOGINUID_UNSET,
        }
    }
}

/// [`ThreadInfo::loginuid`] of a process with no login uid (`(uid_t)-1`, which the kernel
/// shows as 4294967295).
pub const LOGINUID_UNSET: u32 = u32::MAX;

fn loginuid_unset() -> u32 {
    LOGINUID_UNSET
}

/// An open file descriptor of a process, as found in `/proc/PID/fd` (or a scap fd list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FdInfo {
    pub pid: Tid,
    pub fd: i32,
    pub kind: FdKind,
    /// What it names: a path, `pipe:[INODE]`, or for sockets the address text.
    pub name: Vec<u8>,
    /// For inet sockets: the protocol and both ends, when known.
    pub sock: Option<SockTuple>,
    /// open(2) flags, when known.
    pub flags: u32,
}

/// The kind of object an fd refers to (sysdig's `fd.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FdKind {
    File,
    Directory,
    Ipv4,
    Ipv6,
    Unix,
    Pipe,
    Event,
    Signalfd,
    Eventpoll,
    Inotify,
    Timerfd,
    Netlink,
    Memfd,
    Other,
}

/// Layer-4 protocol of a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum L4Proto {
    Tcp,
    Udp,
    Raw,
    Unknown,
}

/// Both ends of an inet socket. Addresses are 16 bytes: IPv4 as IPv4-mapped IPv6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SockTuple {
    pub proto: L4Proto,
    pub local: ([u8; 16], u16),
    pub remote: ([u8; 16], u16),
}

/// A user name from the capture host's passwd database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub uid: u32,
    pub name: Vec<u8>,
    pub home: Vec<u8>,
    pub shell: Vec<u8>,
}

/// A group name from the capture host's group database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub gid: u32,
    pub name: Vec<u8>,
}

/// A container and what its runtime says about it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// Full id (64 hex digits for Docker); readers show the first 12.
    pub id: String,
    /// `docker`, `containerd`, `cri-o`, `podman`…
    pub runtime: String,
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub labels: Vec<(String, String)>,
    pub privileged: bool,
    /// Start time, wall-clock ns, 0 when unknown.
    pub start_ts: u64,
    /// cgroup v2 inode id of the container's cgroup, 0 when unknown.
    pub cgroup_id: u64,
}

/// Everything a trace body holds: events and the state a reader needs offline.
///
/// Compatibility rule: append variants only. The trace format writes each record with its
/// variant number so that a reader skips numbers it does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Event(Event),
    /// Boxed, as [`Record::Container`]: state records are few, and unboxed these two made
    /// every record 168 bytes where an event needs 64.
    Thread(Box<ThreadInfo>),
    Fd(FdInfo),
    User(UserInfo),
    Group(GroupInfo),
    Container(Box<ContainerInfo>),
}

impl Record {
    /// The record kind number stored in the trace (see the compatibility rule above).
    pub fn kind(&self) -> u8 {
        match self {
            Record::Event(_) => 1,
            Record::Thread(_) => 2,
            Record::Fd(_) => 3,
            Record::User(_) => 4,
            Record::Group(_) => 5,
            Record::Container(_) => 6,
        }
    }
}
