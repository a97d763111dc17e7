//! Fields: the names a filter or a `-p` format may use, with their types and descriptions
//! (the [`Registry`] the filter compiler asks), and their values for one event in its state
//! ([`EventFields`], which implements the filter's [`Fields`](syspect_filter::Fields)).
//!
//! The names are sysdig's, so that its users' filters and formats work unchanged.

mod category;
pub mod container;
mod derived;
pub mod extract;
mod fdlist;
pub mod format;
mod procs;
pub mod syslog;

use syspect_filter::{FieldArg, FieldInfo, FieldType, Registry, ResolveError};

pub use container::{container_id, container_of};
pub use extract::EventFields;

/// How a field takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// None.
    None,
    /// `evt.arg.NAME` or `evt.arg[N]`: required.
    NameOrIndex,
    /// `container.label.KEY`: required name.
    Name,
    /// `proc.aname[N]`: optional index (without it: any ancestor).
    OptIndex,
}

/// One field: its name, type, argument form and what it means.
#[derive(Clone, Copy, Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: FieldType,
    pub arg: ArgKind,
    /// Several values at once (`fd.ip` is the client's and the server's).
    pub multi: bool,
    pub desc: &'static str,
}

macro_rules! fields {
    ($($id:ident $name:literal $ty:ident $arg:ident $multi:literal $desc:literal;)*) => {
        /// Field ids: indexes into [`FIELDS`].
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum F { $($id),* }

        /// Every field, in the order of [`F`].
        pub const FIELDS: &[FieldDef] = &[
            $(FieldDef { name: $name, ty: FieldType::$ty, arg: ArgKind::$arg, multi: $multi, desc: $desc }),*
        ];

        impl F {
            /// The field with id `id`.
            pub fn from_id(id: u32) -> Option<F> {
                const ALL: &[F] = &[$(F::$id),*];
                ALL.get(id as usize).copied()
            }
        }
    };
}

fields! {
    EvtNum "evt.num" UInt None false "event number in the stream (1-based)";
    EvtTime "evt.time" Time None false "time of day, local (HH:MM:SS.nnnnnnnnn); compares as ns since the epoch";
    EvtOutputTime "evt.outputtime" Time None false "the time column of the default output: evt.time, or what -t says";
    EvtDatetime "evt.datetime" Time None false "date and time, local (YYYY-MM-DD HH:MM:SS.nnnnnnnnn)";
    EvtRawTime "evt.rawtime" Time None false "ns since the epoch";
    EvtRelTime "evt.reltime" RelTime None false "ns since the first event";
    EvtDir "evt.dir" Str None false "`>` for enter events and notices, `<` for exit events";
    EvtType "evt.type" Str None false "syscall name, or procexit, procexec, procclone, signaldeliver, procinfo, drop";
    EvtCategory "evt.category" Str None false "sysdig's class of the event: file, net, IPC, memory, process, signal, time, wait, sleep, user, system, other, unknown; for reads, writes and closes the fd's kind: file, net, ipc";
    EvtCpu "evt.cpu" UInt None false "CPU number (not known to the ptrace engine)";
    EvtArgs "evt.args" Str None false "all arguments as text";
    EvtArg "evt.arg" Str NameOrIndex false "one argument as text, by name (evt.arg.fd) or position (evt.arg[0])";
    EvtRawArg "evt.rawarg" Str NameOrIndex false "one argument's raw value (number or bytes)";
    EvtInfo "evt.info" Str None false "arguments as name=value text, fds with what they name";
    EvtBuffer "evt.buffer" Bytes None false "the data of a read or write";
    EvtBuflen "evt.buflen" UInt None false "the length of evt.buffer's data";
    EvtRes "evt.res" Str None false "the result: SUCCESS, or the errno name";
    EvtRawRes "evt.rawres" Int None false "the return value";
    EvtFailed "evt.failed" Bool None false "the call returned an error";
    EvtLatency "evt.latency" Duration None false "ns between the enter and the exit (exit events)";
    EvtDeltaTime "evt.deltatime" Duration None false "ns since the event shown before (0 for the first)";
    EvtAbspath "evt.abspath" Str None false "the path of an *at call made absolute against its dirfd or the cwd (openat, mkdirat, unlinkat, fchmodat, symlinkat's link; renameat's and linkat's old path)";
    EvtAbspathSrc "evt.abspath.src" Str None false "renameat's and linkat's old path made absolute (evt.abspath for the other *at calls)";
    EvtAbspathDst "evt.abspath.dst" Str None false "renameat's and linkat's new path made absolute (evt.abspath for the other *at calls)";
    EvtLatencyS "evt.latency.s" UInt None false "evt.latency's whole seconds";
    EvtLatencyNs "evt.latency.ns" UInt None false "evt.latency's nanoseconds past the second";
    EvtLatencyHuman "evt.latency.human" Str None false "evt.latency as sysdig shows it: 835ns, 2.44us, 1.05ms, 1.50s";
    EvtRawTimeS "evt.rawtime.s" UInt None false "evt.rawtime's whole seconds";
    EvtRawTimeNs "evt.rawtime.ns" UInt None false "evt.rawtime's nanoseconds past the second";
    EvtRelTimeS "evt.reltime.s" UInt None false "evt.reltime's whole seconds";
    EvtRelTimeNs "evt.reltime.ns" UInt None false "evt.reltime's nanoseconds past the second";
    EvtDeltaTimeS "evt.deltatime.s" UInt None false "evt.deltatime's whole seconds";
    EvtDeltaTimeNs "evt.deltatime.ns" UInt None false "evt.deltatime's nanoseconds past the second";
    EvtTimeS "evt.time.s" Str None false "time of day, local, to the second (HH:MM:SS)";
    EvtDatetimeS "evt.datetime.s" Str None false "date and time, local, to the second";
    EvtTimeIso8601 "evt.time.iso8601" Str None false "date and time in UTC, ISO 8601 (2018-08-17T17:35:48.514632619+0000)";
    EvtCountError "evt.count.error" UInt None false "1 for an exit that returned an error (to count them)";
    EvtCountErrorFile "evt.count.error.file" UInt None false "1 for an error of a call on a file (or an open)";
    EvtCountErrorNet "evt.count.error.net" UInt None false "1 for an error of a call on a socket (or an accept or connect)";
    EvtCountErrorMemory "evt.count.error.memory" UInt None false "1 for an error of a memory call (mmap, brk...)";
    EvtCountErrorOther "evt.count.error.other" UInt None false "1 for any other error";
    EvtCountExit "evt.count.exit" UInt None false "1 for an exit event";
    EvtIsWait "evt.is_wait" Bool None false "a call that waits (poll, select, epoll_wait, nanosleep)";
    EvtIoDir "evt.io_dir" Str None false "read or write, for the calls that read or write their fd";
    EvtIsOpenRead "evt.is_open_read" Bool None false "an open's exit that opened for reading";
    EvtIsOpenWrite "evt.is_open_write" Bool None false "an open's exit that opened for writing";
    EvtIsOpenExec "evt.is_open_exec" Bool None false "an open's exit that created a file with an execute bit";
    EvtIsIo "evt.is_io" Bool None false "a read or a write";
    EvtIsIoRead "evt.is_io_read" Bool None false "a read";
    EvtIsIoWrite "evt.is_io_write" Bool None false "a write";
    EvtCount "evt.count" UInt None false "1 for every event (to count them)";
    ProcPid "proc.pid" Int None false "process id";
    ProcPpid "proc.ppid" Int None false "parent process id";
    ProcName "proc.name" Str None false "command name (comm)";
    ProcExe "proc.exe" Str None false "argv[0]";
    ProcExepath "proc.exepath" Str None false "executable path";
    ProcArgs "proc.args" Str None false "arguments after argv[0], joined by spaces";
    ProcCmdline "proc.cmdline" Str None false "name and arguments";
    ProcPname "proc.pname" Str None false "parent's command name";
    ProcAname "proc.aname" Str OptIndex true "ancestor's command name: [0] self, [1] parent...; without index any ancestor";
    ProcApid "proc.apid" Int OptIndex true "ancestor's pid: [1] parent, [2] grandparent...; without index any ancestor";
    ProcPexe "proc.pexe" Str None false "parent's argv[0] (the parent proc.pname names)";
    ProcPexepath "proc.pexepath" Str None false "parent's executable path";
    ProcAexe "proc.aexe" Str OptIndex true "ancestor's argv[0]: [0] self, [1] parent...; without index any ancestor";
    ProcAexepath "proc.aexepath" Str OptIndex true "ancestor's executable path: [0] self, [1] parent...; without index any ancestor";
    ProcCmdnargs "proc.cmdnargs" UInt None false "how many arguments follow argv[0] (proc.args)";
    ProcCmdlenargs "proc.cmdlenargs" UInt None false "the characters of the arguments after argv[0], without the spaces between them";
    ProcStdinType "proc.stdin.type" Str None false "fd.type of the process's fd 0 (ipv4 for a shell reading a socket)";
    ProcStdoutType "proc.stdout.type" Str None false "fd.type of the process's fd 1";
    ProcStderrType "proc.stderr.type" Str None false "fd.type of the process's fd 2";
    ProcStdinName "proc.stdin.name" Str None false "fd.name of the process's fd 0";
    ProcStdoutName "proc.stdout.name" Str None false "fd.name of the process's fd 1";
    ProcStderrName "proc.stderr.name" Str None false "fd.name of the process's fd 2";
    ProcPcmdline "proc.pcmdline" Str None false "parent's name and arguments (on a thread other than the main one, its creator's, as proc.pname)";
    ProcEnv "proc.env" Str None false "the process's environment, space-separated (for a process whose execve the trace holds, or whose parent's)";
    ProcExeline "proc.exeline" Str None false "argv[0] and the arguments";
    ProcNthreads "proc.nthreads" UInt None false "threads of the process, its main one included";
    ProcNchilds "proc.nchilds" UInt None false "on the main thread, the process's other threads; 0 on those";
    ProcFdopencount "proc.fdopencount" UInt None false "fds the process has open";
    ProcLoginshellid "proc.loginshellid" Int None false "pid of the oldest shell (a name ending in sh) among the process and its ancestors";
    ProcCwd "proc.cwd" Str None false "working directory";
    ProcDuration "proc.duration" Duration None false "ns since the process started";
    ProcVpid "proc.vpid" Int None false "process id in its own pid namespace";
    ProcTty "proc.tty" UInt None false "the controlling terminal's device number (tty_nr), 0 for none";
    ProcSid "proc.sid" Int None false "session id (the pid of the session's leader)";
    ProcSname "proc.sname" Str None false "the session leader's command name";
    ProcPgid "proc.pgid" Int None false "process group id";
    ProcVmsize "proc.vmsize" UInt None false "virtual memory size, KiB, as last read (the /proc snapshot, then the latest procinfo)";
    ProcVmrss "proc.vmrss" UInt None false "resident memory, KiB, as last read (the /proc snapshot, then the latest procinfo)";
    ThreadTid "thread.tid" Int None false "thread id";
    ThreadVmsize "thread.vmsize" UInt None false "proc.vmsize on the main thread, 0 on the others";
    ThreadVmrss "thread.vmrss" UInt None false "proc.vmrss on the main thread, 0 on the others";
    ThreadVtid "thread.vtid" Int None false "thread id in its own pid namespace";
    ThreadIsmain "thread.ismain" Bool None false "the thread is its process's main thread";
    ThreadCgroup "thread.cgroup" Str None false "cgroup path";
    FdNum "fd.num" Fd None false "the fd the event uses";
    FdType "fd.type" Str None false "file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink";
    FdTypechar "fd.typechar" Str None false "f d 4 6 u p e s l i t n o";
    FdName "fd.name" Str None false "what the fd names: a path, or a connection";
    FdDirectory "fd.directory" Str None false "directory of fd.name";
    FdFilename "fd.filename" Str None false "base name of fd.name";
    FdIp "fd.ip" Ip None true "client or server address";
    FdCip "fd.cip" Ip None false "client address";
    FdSip "fd.sip" Ip None false "server address";
    FdLip "fd.lip" Ip None false "local address";
    FdRip "fd.rip" Ip None false "remote address";
    FdConnected "fd.connected" Bool None false "the socket was connected (connect or accept); false for other fds";
    FdNet "fd.net" IpNet None true "client or server address, tested against networks (fd.net = 10.0.0.0/8)";
    FdCnet "fd.cnet" IpNet None false "client address, tested against networks";
    FdSnet "fd.snet" IpNet None false "server address, tested against networks";
    FdLnet "fd.lnet" IpNet None false "local address, tested against networks";
    FdRnet "fd.rnet" IpNet None false "remote address, tested against networks";
    FdPort "fd.port" Port None true "client or server port";
    FdCport "fd.cport" Port None false "client port";
    FdSport "fd.sport" Port None false "server port";
    FdLport "fd.lport" Port None false "local port";
    FdRport "fd.rport" Port None false "remote port";
    FdProto "fd.proto" Port None true "client or server protocol: its port, as sysdig 0.29 shows it (fd.proto=53)";
    FdCproto "fd.cproto" Port None false "client protocol: its port, as sysdig 0.29 shows it";
    FdSproto "fd.sproto" Port None false "server protocol: its port, as sysdig 0.29 shows it";
    FdLproto "fd.lproto" Port None false "local protocol: its port, as sysdig 0.29 shows it";
    FdRproto "fd.rproto" Port None false "remote protocol: its port, as sysdig 0.29 shows it";
    FdL4proto "fd.l4proto" Str None false "tcp, udp, raw";
    FdSockfamily "fd.sockfamily" Str None false "ip or unix";
    FdIsServer "fd.is_server" Bool None false "this end accepted or listens";
    UserUid "user.uid" UInt None false "user id";
    UserName "user.name" Str None false "user name";
    UserLoginuid "user.loginuid" Int None false "the audit login uid: the user who logged in to start the session, -1 for none";
    UserLoginname "user.loginname" Str None false "the login uid's user name";
    UserHomedir "user.homedir" Str None false "the user's home directory";
    UserShell "user.shell" Str None false "the user's login shell";
    GroupGid "group.gid" UInt None false "group id";
    GroupName "group.name" Str None false "group name";
    ContainerId "container.id" Str None false "container id (12 hex digits), or host";
    ContainerName "container.name" Str None false "container name, or host";
    ContainerImage "container.image" Str None false "image (repository:tag)";
    ContainerImageRepository "container.image.repository" Str None false "image repository";
    ContainerImageTag "container.image.tag" Str None false "image tag";
    ContainerImageId "container.image.id" Str None false "image id (its digits, without sha256:)";
    ContainerPrivileged "container.privileged" Bool None false "the container runs privileged";
    ContainerType "container.type" Str None false "docker, containerd, cri-o, podman, or host";
    ContainerLabel "container.label" Str Name false "a container label: container.label.KEY";
    K8sPodName "k8s.pod.name" Str None false "Kubernetes pod name (from the container labels)";
    K8sNsName "k8s.ns.name" Str None false "Kubernetes namespace (from the container labels)";
    SyscallType "syscall.type" Str None false "the syscall's name on a syscall's event, procexit on a thread's exit";
    FdlistNums "fdlist.nums" Str None false "poll's fds: their numbers, comma-separated (4,5)";
    FdlistNames "fdlist.names" Str None false "poll's fds: what they name, comma-separated";
    FdlistCips "fdlist.cips" Str None false "poll's inet socket fds: their client addresses, comma-separated";
    FdlistSips "fdlist.sips" Str None false "poll's inet socket fds: their server addresses, comma-separated";
    FdlistCports "fdlist.cports" Str None false "poll's inet socket fds: their client ports, comma-separated";
    FdlistSports "fdlist.sports" Str None false "poll's inet socket fds: their server ports, comma-separated";
    EvtIsSyslog "evt.is_syslog" Bool None false "a write to /dev/log, syslog's socket";
    SyslogFacility "syslog.facility" UInt None false "a syslog message's facility, 0-23 (its <PRI> / 8)";
    SyslogFacilityStr "syslog.facility.str" Str None false "a syslog message's facility: kern, user, mail, daemon, auth, syslog, lpr, news, uucp, clock, authpriv, ftp, ntp, logaudit, logalert, cron, local0-local7";
    SyslogSeverity "syslog.severity" UInt None false "a syslog message's severity, 0-7 (its <PRI> % 8)";
    SyslogSeverityStr "syslog.severity.str" Str None false "a syslog message's severity: emerg, alert, crit, err, warn, notice, info, debug";
    SyslogMessage "syslog.message" Str None false "a syslog message's text, after its <PRI>";
}

/// The field registry the filter compiler and `-p` formats resolve names with.
pub struct FieldRegistry;

impl Registry for FieldRegistry {
    fn resolve(&self, name: &str, arg: Option<&FieldArg>) -> Result<FieldInfo, ResolveError> {
        let (i, def) = FIELDS
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
            .ok_or(ResolveError::Unknown)?;
        let ok = match (def.arg, arg) {
            (ArgKind::None, None) => true,
            (ArgKind::None, Some(_)) => {
                return Err(ResolveError::BadArgument("it takes no argument".into()));
            }
            (ArgKind::NameOrIndex, Some(_)) => true,
            (ArgKind::NameOrIndex, None) => {
                return Err(ResolveError::BadArgument(format!(
                    "it takes a name or an index: `{name}.NAME` or `{name}[N]`"
                )));
            }
            (ArgKind::Name, Some(FieldArg::Key(_))) => true,
            (ArgKind::Name, _) => {
                return Err(ResolveError::BadArgument(format!(
                    "it takes a name: `{name}.KEY`"
                )));
            }
            (ArgKind::OptIndex, None | Some(FieldArg::Index(_))) => true,
            (ArgKind::OptIndex, Some(FieldArg::Key(_))) => {
                return Err(ResolveError::BadArgument(format!(
                    "it takes an index: `{name}[N]`"
                )));
            }
        };
        debug_assert!(ok);
        let mut ty = def.ty;
        // A raw argument is a number unless the argument it names is text.
        if def.name == "evt.rawarg" {
            ty = match arg {
                Some(FieldArg::Key(k)) if is_text_arg(k) => FieldType::Str,
                Some(FieldArg::Key(_)) => FieldType::Int,
                _ => FieldType::Str,
            };
        }
        let mut info = FieldInfo::new(i as u32, ty);
        if def.multi && !(def.arg == ArgKind::OptIndex && arg.is_some()) {
            info = info.multi();
        }
        Ok(info)
    }

    fn field_names(&self) -> Vec<&str> {
        FIELDS.iter().map(|f| f.name).collect()
    }
}

/// Whether an argument called `name` holds text in the syscalls that have it.
fn is_text_arg(name: &str) -> bool {
    use syspect_capture::syscalls::{table, Fetch};
    table::all().iter().flat_map(|d| d.args).any(|a| {
        a.name == name
            && matches!(
                a.fetch(),
                Fetch::Str | Fetch::Path | Fetch::Buf(_) | Fetch::StrList | Fetch::Mem(_)
            )
    })
}
