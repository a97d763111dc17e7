//! The x86_64 syscall table: one place that says, for every syscall, its name, its arguments'
//! names and types, and what an engine must read for each argument.
//!
//! Both engines (ptrace and eBPF) fetch arguments as [`ArgDesc::fetch`] says; the eBPF engine
//! pushes the same information into a BPF map at load ([`Fetch`] is what it encodes). Readers
//! show arguments through [`render`], which decodes flags, modes, structs and errno the way
//! strace prints them, and `list events` prints the table itself.
//!
//! Names of every syscall number come from the `syscalls` crate; argument descriptions for the
//! syscalls ordinary programs make are written once, as data, in [`table`].
//!
//! Rules for the engines:
//! - A syscall that is not in the table: the enter event's `args` are the six raw register
//!   values as [`Arg::Num`], and the exit event's `args` are empty. Readers show them with
//!   [`render::strace_raw_args`].
//! - An [`Dir::Out`] (or `InOut`, at exit) argument of a call that failed (negative return) is
//!   captured as `Arg::Num(pointer)`, not read: the kernel wrote nothing there. Readers show the
//!   address, as strace does.
//! - A pointer that could not be read is [`Arg::Fault`] with its value; a NULL pointer is
//!   `Arg::Num(0)` (shown as `NULL`).
//!
//! Files: [`table`] (the data), [`flags`] (symbolic names; values in `flag_tables`),
//! [`render`] (strace and sysdig text; structs in `structs`, quoting in `strings`),
//! [`sockaddr`], [`errno`].

mod call_rules;
pub mod errno;
mod flag_tables;
pub mod flags;
mod msgs;
pub mod render;
pub mod sockaddr;
pub mod strace_classes;
mod strings;
mod structs;
pub mod table;

use crate::event::Arg;

/// Which side of the call an argument is read on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Read at enter (the call reads it).
    In,
    /// Read at exit (the call writes it); at enter only the pointer exists.
    Out,
    /// Read at enter and again at exit (accept's address length, select's fd sets).
    InOut,
}

/// Where the length of a buffer or memory argument comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LenFrom {
    /// The value of argument N (write's `count`).
    Arg(u8),
    /// The syscall's return value, at exit (read's result).
    Ret,
    /// A `u32` (socklen_t) stored at the pointer in argument N (accept's `addrlen`), read at
    /// the same time as the argument itself.
    ArgPtr(u8),
    /// A fixed size in bytes (a struct).
    Fixed(u16),
}

/// What an engine must read from the tracee for one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fetch {
    /// Nothing: the register value is the argument ([`Arg::Num`]).
    Value,
    /// A NUL-terminated string cut at the snap length ([`Arg::Str`]).
    Str,
    /// A path: a NUL-terminated string kept whole up to [`PATH_MAX`] bytes, whatever the snap
    /// length (which, as in sysdig, limits data buffers and other strings), as strace and sysdig
    /// show paths ([`Arg::Str`]).
    Path,
    /// A NULL-terminated array of string pointers (argv) ([`Arg::StrList`]); at most 256 items
    /// (64 with 4096 bytes in all in the eBPF engine, whose verifier pays for each), each cut
    /// at the snap length; an environment is counted whole ([`SyscallDesc::keep_count`]).
    StrList,
    /// A data buffer: the first snap-length bytes of `len` ([`Arg::Buf`], which keeps `len`).
    Buf(LenFrom),
    /// Memory read verbatim, `len` bytes capped at [`MAX_MEM`] ([`Arg::Mem`]): structs,
    /// socket addresses.
    Mem(LenFrom),
    /// An array of `count` elements of `elem` bytes each, capped at [`MAX_MEM`] bytes
    /// ([`Arg::Mem`]): pollfds, epoll events, the two fds of pipe.
    Array { count: LenFrom, elem: u16 },
    /// An iovec array with `count` entries (readv/writev): one [`Arg::Buf`] each ([`Arg::List`]),
    /// whose `len` is the iovec's `iov_len` and whose data, all of them together, is cut at the
    /// snap length and, for output iovecs, at the return value; an iovec whose `iov_base` is
    /// NULL is its length as an [`Arg::Num`]. (Traces before format 3.4 hold each output
    /// iovec's share of the return value as its `len`.)
    Iovec { count: LenFrom },
    /// `count` messages (sendmsg/recvmsg: one `struct msghdr`; sendmmsg/recvmmsg when `mmsg`:
    /// an array of `struct mmsghdr`, at most [`MAX_MSGS`]) with what their pointers point at
    /// ([`Arg::List`] of messages). Each message is an [`Arg::List`] of: the header as
    /// [`Arg::Mem`] (56 bytes, or 64 with `msg_len`); `msg_namelen` bytes of `msg_name` (at
    /// most 128, empty when NULL); `msg_controllen` bytes of `msg_control` (at most
    /// [`MAX_MSG_CONTROL`]); the iovecs (at most [`MAX_MSG_IOV`]) as an [`Arg::List`] of
    /// [`Arg::Buf`], as [`Fetch::Iovec`]'s. When `recv` (the call fills the buffers), the
    /// enter holds each message's header alone (for the lengths the caller offered) and, at
    /// exit, the data stops at the bytes received (`msg_len`, or the return value). A header
    /// that cannot be read ends the list; when the first cannot, the argument is
    /// [`Arg::Fault`].
    Msgs {
        count: LenFrom,
        mmsg: bool,
        recv: bool,
    },
}

/// Most strings of a [`Fetch::StrList`] counted, kept or not (strace counts an environment:
/// `/* 300 vars */`; see [`SyscallDesc::keep_count`]).
pub const MAX_STRLIST_COUNT: u64 = 1024;

/// Most messages a [`Fetch::Msgs`] reads.
pub const MAX_MSGS: usize = 8;
/// Most bytes of a message's name [`Fetch::Msgs`] reads (a `struct sockaddr_storage`).
pub const MAX_MSG_NAME: usize = 128;
/// Most bytes of a message's control data [`Fetch::Msgs`] reads.
pub const MAX_MSG_CONTROL: usize = 256;
/// Most iovecs of one message [`Fetch::Msgs`] reads.
pub const MAX_MSG_IOV: usize = 16;

/// Longest [`Fetch::Path`] kept, in bytes (the kernel's PATH_MAX).
pub const PATH_MAX: usize = 4096;

/// Largest [`Fetch::Mem`] or [`Fetch::Array`] read, in bytes.
pub const MAX_MEM: usize = 65536;

/// How to show an argument. Engines need only [`ArgType::fetch`]; [`render`] uses the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// Signed decimal.
    Int,
    /// Unsigned decimal.
    UInt,
    /// Hexadecimal (`0x…`).
    Hex,
    /// A pointer shown as an address, NULL when 0.
    Ptr,
    /// A file descriptor.
    Fd,
    /// A directory fd for *at() calls (`AT_FDCWD`).
    DirFd,
    /// A path string.
    Path,
    /// A string that is not a path (a name, a hostname).
    Str,
    /// An input data buffer whose length is argument N.
    BufIn(u8),
    /// An output data buffer whose length is the return value.
    BufOut,
    /// argv / envp.
    StrList,
    /// Flags or an enumerated value, decoded with a named set from [`flags`].
    Flags(flags::FlagSet),
    /// A file mode (`0644`, or `S_IFREG|0644` for mknod).
    Mode,
    /// A signal number (`SIGTERM`).
    Signal,
    /// A socket address whose length is argument N (connect, bind, sendto).
    SockAddrIn(u8),
    /// An output socket address whose length is at the pointer in argument N (accept, getsockname).
    SockAddrOut(u8),
    /// A struct decoded by [`render`], read at enter or exit as the [`Dir`] says.
    Struct(StructKind),
    /// An array of structs, `count` from argument N (poll's fds).
    StructArray(StructKind, u8),
    /// An array of output structs whose count is the return value (epoll_wait's events).
    StructArrayOut(StructKind),
    /// The two fds written by pipe/pipe2/socketpair.
    FdPair,
    /// An iovec array whose count is argument N.
    Iovec(u8),
    /// A `struct msghdr` with its name, control data and iovecs (sendmsg; `recv`: recvmsg,
    /// whose buffers the call fills).
    Msghdr { recv: bool },
    /// An array of `struct mmsghdr`: sendmmsg's `vlen` (argument N) of them, read at exit
    /// for their `msg_len`; recvmmsg's (`recv`) as many as it returned.
    Mmsghdrs { vlen: u8, recv: bool },
    /// A request code whose meaning depends on another argument (ioctl, fcntl, prctl…): shown
    /// by [`render`] from the call's name.
    Request,
    /// An argument not worth reading (unused, opaque): shown as hex.
    Opaque,
    /// A signed 64-bit integer (`off_t`, `long`). [`ArgType::Int`] is a C `int` (the low 32
    /// bits of the register, signed).
    Long,
    /// execve's environment: read like argv, shown by strace as a count (`/* 35 vars */`).
    Envp,
    /// wait4's status word (`[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`), read at exit.
    WaitStatus,
    /// ioctl's third argument: the memory it points to is read at exit (up to the size of a
    /// termios) and shown as the request says (termios, winsize, int); a plain integer
    /// argument comes back as [`Arg::Fault`] with its value.
    IoctlArg,
    /// An integer whose meaning depends on a command argument (fcntl's arg, prctl's args):
    /// shown by [`render`] from the call's name and command.
    CmdArg,
    /// A string when the command makes it one, else a number (prctl's arg2: `PR_SET_NAME`):
    /// read as a string; an integer comes back as [`Arg::Fault`] with its value.
    StrOrNum,
    /// setsockopt's option value, length from argument N.
    SockOptIn(u8),
    /// getsockopt's option value, length at the pointer in argument N.
    SockOptOut(u8),
    /// getdents/getdents64's buffer (the return value's worth of `linux_dirent64`s, capped at
    /// [`MAX_MEM`]): strace shows the entry count.
    Dirents,
    /// A CPU mask whose length is argument N (sched_setaffinity).
    CpuSetIn(u8),
    /// A CPU mask written by the call, length from the return value (sched_getaffinity).
    CpuSetOut,
}

/// The structs [`render`] knows how to show. Sizes are the x86_64 kernel's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StructKind {
    Stat,
    Statx,
    Statfs,
    Timespec,
    Timeval,
    Timezone,
    Itimerspec,
    Rlimit,
    Rusage,
    Sigaction,
    Sigset,
    Pollfd,
    EpollEvent,
    Utsname,
    Sysinfo,
    Tms,
    Winsize,
    Termios,
    CloneArgs,
    OpenHow,
    RobustList,
    Sched,
    FdSet,
    LinuxDirent64,
    Timex,
    Sockopt,
    Int,
    Int64,
    /// `stack_t` (sigaltstack).
    StackT,
    /// Two timespecs (utimensat's times).
    Timespec2,
    /// `siginfo_t` (waitid, rt_sigtimedwait).
    Siginfo,
    /// `struct flock` (fcntl F_SETLK…).
    Flock,
    /// `struct sched_param` (one int).
    SchedParam,
    /// `struct __user_cap_header_struct` + data (capget/capset), shown opaque.
    CapHeader,
    /// `struct itimerval` (setitimer/getitimer).
    Itimerval,
    /// `struct sigevent` (timer_create, mq_notify).
    Sigevent,
}

/// One argument of a syscall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgDesc {
    /// Name, as sysdig calls it where sysdig has it (`fd`, `name`, `flags`, `size`…).
    pub name: &'static str,
    pub ty: ArgType,
    pub dir: Dir,
}

impl ArgDesc {
    /// What an engine reads for this argument.
    pub fn fetch(&self) -> Fetch {
        self.ty.fetch()
    }
}

/// One syscall of the table.
#[derive(Clone, Copy, Debug)]
pub struct SyscallDesc {
    pub nr: u16,
    pub name: &'static str,
    pub args: &'static [ArgDesc],
    /// How the return value is shown.
    pub ret: RetType,
    /// Categories used by filters and analyzers (`evt.is_io`, `evt.category`).
    pub class: Class,
}

/// How a syscall's return value is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetType {
    /// An integer, or `-1 ENAME (text)` when negative.
    Int,
    /// A new file descriptor.
    Fd,
    /// An address (mmap, brk): hex.
    Ptr,
    /// Hex (`0x…`), e.g. personality.
    Hex,
    /// The call does not return to its caller (exit, exit_group, execve on success).
    NoReturn,
    /// Octal (umask's previous mask: `022`).
    Octal,
}

/// Coarse categories of syscalls (sysdig's `evt.category`), used for `evt.is_io` and friends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    File,
    IoRead,
    IoWrite,
    Net,
    Process,
    Memory,
    Signal,
    Time,
    Ipc,
    Wait,
    Other,
}

/// rt_sigreturn takes no argument. Engines put in its first register slot the address of the
/// signal mask it restores, which strace shows (`rt_sigreturn({mask=[]})`) and the table reads as
/// its `mask`: the signal frame's `uc_sigmask`, this many bytes above the stack pointer at the
/// call's entry on x86_64 (the handler's return popped the frame's first word, so the stack
/// pointer is at the frame's `ucontext`).
pub const SIGFRAME_MASK_OFFSET: u64 = 296;

impl SyscallDesc {
    /// How many arguments an exit event holds by the table (`Out` and `InOut`); an exit may
    /// carry extras after them (see [`crate::event::EventKind::Exit`]).
    pub fn exit_arg_count(&self) -> usize {
        self.args.iter().filter(|a| a.dir != Dir::In).count()
    }

    /// Whether a call that returned `ret` wrote its output arguments, so that engines read them
    /// (otherwise they keep the pointers, which strace shows): not when it failed, nor when
    /// wait4 returned 0 (WNOHANG and no child changed state: the status and rusage are left
    /// as they were).
    pub fn wrote_outputs(&self, ret: i64) -> bool {
        ret > 0 || ret == 0 && self.nr != 61
    }

    /// The argument whose address strace prints beside what it read (execve's environment,
    /// `0x7ffd… /* 35 vars */`; getdents's buffer, `0x55… /* 17 entries */`). Engines keep
    /// its pointer, when they read the memory, as an extra `Arg::Num` right after the table's
    /// arguments of that side (enter for an input, exit for an output).
    pub fn kept_pointer(&self) -> Option<usize> {
        // asked at every event an engine decodes: by number, from the table read once
        static KEPT: std::sync::OnceLock<Vec<Option<u8>>> = std::sync::OnceLock::new();
        let kept = KEPT.get_or_init(|| {
            let mut v = Vec::new();
            for d in table::all() {
                if v.len() <= d.nr as usize {
                    v.resize(d.nr as usize + 1, None);
                }
                v[d.nr as usize] = d
                    .args
                    .iter()
                    .position(|a| matches!(a.ty, ArgType::Envp | ArgType::Dirents))
                    .map(|i| i as u8);
            }
            v
        });
        kept.get(self.nr as usize)
            .copied()
            .flatten()
            .map(usize::from)
            // the table's answer, when this description (a test's may be another) agrees
            .filter(|&i| {
                matches!(
                    self.args.get(i).map(|a| a.ty),
                    Some(ArgType::Envp | ArgType::Dirents)
                )
            })
    }

    /// Engines: after a side's arguments `args` were read from registers `regs` (the exit's
    /// when `exit`), append the pointer [`SyscallDesc::kept_pointer`] names, when that side
    /// read the memory it points at.
    pub fn keep_pointer(&self, args: &mut Vec<Arg>, regs: &[u64; 6], exit: bool) {
        let side = |d: Dir| if exit { d != Dir::In } else { d != Dir::Out };
        let Some(i) = self.kept_pointer().filter(|&i| side(self.args[i].dir)) else {
            return;
        };
        let at = self.args[..i].iter().filter(|a| side(a.dir)).count();
        if !matches!(args.get(at), Some(Arg::Num(_) | Arg::Fault(_)) | None) {
            args.push(Arg::Num(regs.get(i).copied().unwrap_or(0)));
        }
    }

    /// After the kept pointer ([`SyscallDesc::keep_pointer`]), how many elements the memory
    /// there holds, when the engine read fewer than that (an environment past what an engine
    /// keeps of a list): strace counts them all (`/* 300 vars */`). Engines call it after
    /// `keep_pointer`, with the count they found.
    pub fn keep_count(&self, args: &mut Vec<Arg>, exit: bool, count: u64) {
        if self
            .kept_index(exit)
            .is_some_and(|n| args.len() == n + 1 && self.kept_pointer_of(args, exit).is_some())
        {
            args.push(Arg::Num(count));
        }
    }

    /// Where a side's kept pointer sits among its event's arguments.
    fn kept_index(&self, exit: bool) -> Option<usize> {
        let i = self.kept_pointer()?;
        let dir = self.args[i].dir;
        if exit {
            (dir != Dir::In).then(|| self.exit_arg_count())
        } else {
            (dir != Dir::Out).then(|| self.args.iter().filter(|a| a.dir != Dir::Out).count())
        }
    }

    /// The pointer [`SyscallDesc::kept_pointer`] names, from the side's event arguments
    /// (`None` when that side's event has none: not kept, or another side).
    pub fn kept_pointer_of(&self, args: &[Arg], exit: bool) -> Option<u64> {
        let n = self.kept_index(exit)?;
        args.get(n).and_then(|a| match a {
            Arg::Num(p) => Some(*p),
            _ => None,
        })
    }

    /// The count [`SyscallDesc::keep_count`] put after the kept pointer, if any.
    pub fn kept_count_of(&self, args: &[Arg], exit: bool) -> Option<u64> {
        let n = self.kept_index(exit)?;
        self.kept_pointer_of(args, exit)?;
        args.get(n + 1).and_then(|a| match a {
            Arg::Num(c) => Some(*c),
            _ => None,
        })
    }

    /// Put the enter event's and exit event's arguments back into table order: for each table
    /// argument, the exit's value when its direction is `Out` (or `InOut` and the exit has it),
    /// the enter's otherwise. Missing values are `None` (a call whose exit was not seen).
    pub fn merge_args<'a>(
        &self,
        enter: &'a [Arg],
        exit: Option<&'a [Arg]>,
    ) -> Vec<Option<&'a Arg>> {
        let mut ins = enter.iter();
        let mut outs = exit.map(|e| e.iter());
        self.args
            .iter()
            .map(|a| match a.dir {
                Dir::In => ins.next(),
                Dir::Out => outs.as_mut().and_then(|o| o.next()),
                Dir::InOut => {
                    let i = ins.next();
                    outs.as_mut().and_then(|o| o.next()).or(i)
                }
            })
            .collect()
    }
}

/// Where the socket is whose two ends an engine records at a call's exit, beyond its arguments
/// (see [`crate::event::EventKind::Exit`]): what the kernel chose (a connecting socket's own
/// address, an accepted socket's local address when its listener took every address) is in
/// no argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketEnds {
    /// The fd in argument 0 (connect, bind).
    Arg0,
    /// The returned fd (accept, accept4).
    Ret,
}

impl SocketEnds {
    /// The fd of the socket, for a call that succeeded or a connect under way (EINPROGRESS).
    pub fn fd(self, arg0: u64, ret: i64) -> Option<i32> {
        match self {
            SocketEnds::Arg0 if ret >= 0 || ret == -(libc::EINPROGRESS as i64) => Some(arg0 as i32),
            SocketEnds::Ret if ret >= 0 => Some(ret as i32),
            _ => None,
        }
    }
}

/// The calls whose exits carry their socket's ends: connect, bind (the port the kernel chose
/// for port 0), accept, accept4.
/// Asked at every exit an engine records: numbers, not names.
pub fn socket_ends(nr: u16) -> Option<SocketEnds> {
    match nr as libc::c_long {
        libc::SYS_connect | libc::SYS_bind => Some(SocketEnds::Arg0),
        libc::SYS_accept | libc::SYS_accept4 => Some(SocketEnds::Ret),
        _ => None,
    }
}

/// The description of syscall `nr`, or `None` for a number the table does not describe.
pub fn lookup(nr: u16) -> Option<&'static SyscallDesc> {
    table::lookup(nr)
}

/// The name of syscall `nr`: from the table, else from the `syscalls` crate, else `syscall_NNN`.
pub fn name(nr: u16) -> std::borrow::Cow<'static, str> {
    if let Some(d) = lookup(nr) {
        return d.name.into();
    }
    match syscalls::Sysno::new(nr as usize) {
        Some(s) => s.name().into(),
        None => format!("syscall_{nr}").into(),
    }
}

/// The number of the syscall called `name` (as strace and sysdig spell it), if any.
pub fn number(name: &str) -> Option<u16> {
    if let Some(d) = table::all().iter().find(|d| d.name == name) {
        return Some(d.nr);
    }
    name.parse::<syscalls::Sysno>().ok().map(|s| s.id() as u16)
}

/// The names of all syscalls of x86_64 that have one, by number.
pub fn names() -> impl Iterator<Item = std::borrow::Cow<'static, str>> {
    (0..count())
        .filter(|&nr| lookup(nr).is_some() || syscalls::Sysno::new(nr as usize).is_some())
        .map(name)
}

/// Highest syscall number on x86_64 that the `syscalls` crate knows, plus one.
pub fn count() -> u16 {
    syscalls::Sysno::table_size() as u16
}

impl ArgType {
    /// What an engine reads for an argument of this type.
    pub fn fetch(self) -> Fetch {
        match self {
            ArgType::Path => Fetch::Path,
            ArgType::Str => Fetch::Str,
            ArgType::StrList => Fetch::StrList,
            ArgType::BufIn(n) => Fetch::Buf(LenFrom::Arg(n)),
            ArgType::BufOut => Fetch::Buf(LenFrom::Ret),
            ArgType::SockAddrIn(n) => Fetch::Mem(LenFrom::Arg(n)),
            ArgType::SockAddrOut(n) => Fetch::Mem(LenFrom::ArgPtr(n)),
            ArgType::Struct(k) => Fetch::Mem(LenFrom::Fixed(k.size())),
            ArgType::StructArray(k, n) => Fetch::Array {
                count: LenFrom::Arg(n),
                elem: k.size(),
            },
            ArgType::StructArrayOut(k) => Fetch::Array {
                count: LenFrom::Ret,
                elem: k.size(),
            },
            ArgType::FdPair => Fetch::Mem(LenFrom::Fixed(8)),
            ArgType::Iovec(n) => Fetch::Iovec {
                count: LenFrom::Arg(n),
            },
            ArgType::Msghdr { recv } => Fetch::Msgs {
                count: LenFrom::Fixed(1),
                mmsg: false,
                recv,
            },
            ArgType::Mmsghdrs { vlen, recv } => Fetch::Msgs {
                count: if recv {
                    LenFrom::Ret
                } else {
                    LenFrom::Arg(vlen)
                },
                mmsg: true,
                recv,
            },
            ArgType::Envp => Fetch::StrList,
            ArgType::WaitStatus => Fetch::Mem(LenFrom::Fixed(4)),
            ArgType::IoctlArg => Fetch::Mem(LenFrom::Fixed(StructKind::Termios.size())),
            ArgType::StrOrNum => Fetch::Str,
            ArgType::SockOptIn(n) => Fetch::Mem(LenFrom::Arg(n)),
            ArgType::SockOptOut(n) => Fetch::Mem(LenFrom::ArgPtr(n)),
            ArgType::Dirents => Fetch::Mem(LenFrom::Ret),
            ArgType::CpuSetIn(n) => Fetch::Mem(LenFrom::Arg(n)),
            ArgType::CpuSetOut => Fetch::Mem(LenFrom::Ret),
            ArgType::Int
            | ArgType::UInt
            | ArgType::Hex
            | ArgType::Ptr
            | ArgType::Fd
            | ArgType::DirFd
            | ArgType::Flags(_)
            | ArgType::Mode
            | ArgType::Signal
            | ArgType::Request
            | ArgType::Opaque
            | ArgType::Long
            | ArgType::CmdArg => Fetch::Value,
        }
    }
}

impl StructKind {
    /// Size in bytes on x86_64.
    pub fn size(self) -> u16 {
        match self {
            StructKind::Stat => 144,
            StructKind::Statx => 256,
            StructKind::Statfs => 120,
            StructKind::Timespec => 16,
            StructKind::Timeval => 16,
            StructKind::Timezone => 8,
            StructKind::Itimerspec => 32,
            StructKind::Rlimit => 16,
            StructKind::Rusage => 144,
            StructKind::Sigaction => 32,
            StructKind::Sigset => 8,
            StructKind::Pollfd => 8,
            StructKind::EpollEvent => 12,
            StructKind::Utsname => 390,
            StructKind::Sysinfo => 112,
            StructKind::Tms => 32,
            StructKind::Winsize => 8,
            StructKind::Termios => 60,
            StructKind::CloneArgs => 88,
            StructKind::OpenHow => 24,
            StructKind::RobustList => 24,
            StructKind::Sched => 56,
            StructKind::FdSet => 128,
            StructKind::LinuxDirent64 => 0,
            StructKind::Timex => 208,
            StructKind::Sockopt => 4,
            StructKind::Int => 4,
            StructKind::Int64 => 8,
            StructKind::StackT => 24,
            StructKind::Timespec2 => 32,
            StructKind::Siginfo => 128,
            StructKind::Flock => 32,
            StructKind::SchedParam => 4,
            StructKind::CapHeader => 8,
            StructKind::Itimerval => 32,
            StructKind::Sigevent => 64,
        }
    }
}
