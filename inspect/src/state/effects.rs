//! What a completed syscall does to the fd tables and to the thread (its cwd): a table from
//! syscall number to [`Effect`], built once from the syscall names, and the code that applies
//! each effect. Argument positions are the kernel ABI's (stable), not looked up by name.

use std::sync::OnceLock;

use syspect_capture::event::{Arg, FdKind, SockTuple, Tid};
use syspect_capture::syscalls;

use super::fds::{self, Fd};
use super::State;

/// The state change a successful call makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    None,
    /// A new fd (the return value) naming a path: path arg, dirfd arg, flags arg.
    Open {
        dirfd: Option<usize>,
        path: usize,
        flags: Option<usize>,
    },
    /// openat2: flags inside the `open_how` struct.
    Open2,
    Close,
    CloseRange,
    Socket,
    Connect,
    Bind,
    Listen,
    /// getsockname: the local address, which a bind to port 0 left to the kernel.
    LocalName,
    Accept,
    Pipe,
    Socketpair,
    /// dup: the new fd is the return value; dup2/dup3 the same (the return value is newfd).
    Dup,
    /// fcntl(F_DUPFD*) duplicates; other commands change nothing we track.
    Fcntl,
    /// A new fd of a fixed kind and name (eventfd, epoll, inotify…).
    Anon(FdKind, &'static str),
    Memfd,
    Chdir,
    Fchdir,
    /// ioctl: TIOCGPTN tells a pty master's number, TIOCGPTPEER opens its slave as a new fd.
    Ioctl,
    /// execve, execveat: the new image's environment (`proc.env`).
    Exec,
    /// setsid: a new session and process group, led by the caller, with no terminal.
    Setsid,
    /// setpgid(pid, pgid): a process moved to a process group.
    Setpgid,
    /// A datagram sent to or received from the address in argument `addr` (inside its first
    /// message when `msg`): an unconnected inet socket's peer becomes that address, as sysdig
    /// names a UDP socket by its last datagram's tuple.
    Datagram {
        addr: usize,
        msg: bool,
    },
}

fn effect_of(name: &str) -> Effect {
    use Effect::*;
    match name {
        "open" => Open {
            dirfd: Option::None,
            path: 0,
            flags: Some(1),
        },
        "creat" => Open {
            dirfd: Option::None,
            path: 0,
            flags: Option::None,
        },
        "openat" => Open {
            dirfd: Some(0),
            path: 1,
            flags: Some(2),
        },
        "openat2" => Open2,
        "close" => Close,
        "close_range" => CloseRange,
        "socket" => Socket,
        "connect" => Connect,
        "bind" => Bind,
        "listen" => Listen,
        "getsockname" => LocalName,
        "accept" | "accept4" => Accept,
        "pipe" | "pipe2" => Pipe,
        "socketpair" => Socketpair,
        "dup" | "dup2" | "dup3" => Dup,
        "fcntl" => Fcntl,
        "eventfd" | "eventfd2" => Anon(FdKind::Event, "[eventfd]"),
        "epoll_create" | "epoll_create1" => Anon(FdKind::Eventpoll, "[eventpoll]"),
        "inotify_init" | "inotify_init1" => Anon(FdKind::Inotify, "inotify"),
        "signalfd" | "signalfd4" => Anon(FdKind::Signalfd, "[signalfd]"),
        "timerfd_create" => Anon(FdKind::Timerfd, "[timerfd]"),
        "memfd_create" => Memfd,
        "chdir" => Chdir,
        "fchdir" => Fchdir,
        "ioctl" => Ioctl,
        "execve" | "execveat" => Exec,
        "setsid" => Setsid,
        "setpgid" => Setpgid,
        "sendto" | "recvfrom" => Datagram {
            addr: 4,
            msg: false,
        },
        "sendmsg" | "recvmsg" | "sendmmsg" | "recvmmsg" => Datagram { addr: 1, msg: true },
        _ => None,
    }
}

/// The effect of syscall `nr`.
#[inline]
pub fn effect(nr: u16) -> Effect {
    static TABLE: OnceLock<Vec<Effect>> = OnceLock::new();
    let t = TABLE.get_or_init(|| {
        (0..syscalls::count().max(512))
            .map(|nr| effect_of(&syscalls::name(nr)))
            .collect()
    });
    t.get(nr as usize).copied().unwrap_or(Effect::None)
}

/// Where connect's (or bind's) local address is, when the source knew it: the first argument
/// after the table's three (see [`syspect_capture::event::EventKind::Exit`]); its peer's
/// follows.
pub const CONNECT_LOCAL: usize = 3;

/// The socket's ends that a connect or accept exit carries after the table's arguments (`n` of
/// them), as endpoints: the local one, the peer's.
type End = ([u8; 16], u16);
fn socket_ends(args: &[Option<&Arg>], n: usize) -> (Option<End>, Option<End>) {
    let end = |i| {
        bytes(args, i)
            .and_then(fds::sockaddr_endpoint)
            .map(|(a, p, _)| (a, p))
    };
    (end(n), end(n.saturating_add(1)))
}

/// The device number (`tty_nr`) of a terminal by its path: `/dev/pts/N` (major 136 on),
/// `/dev/ttyN` (major 4), `/dev/ttySN` (major 4, from 64), `/dev/console` (5:1).
pub(crate) fn tty_number(path: &[u8]) -> Option<u32> {
    // the kernel's new_encode_dev: minor's low 8 bits, major, the minor's other bits
    let dev = |major: u32, minor: u32| (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12);
    let num = |s: &[u8]| std::str::from_utf8(s).ok()?.parse::<u32>().ok();
    if let Some(n) = path.strip_prefix(b"/dev/pts/").and_then(num) {
        return Some(dev(136 + n / 256, n % 256));
    }
    if let Some(n) = path.strip_prefix(b"/dev/ttyS").and_then(num) {
        return Some(dev(4, 64 + n));
    }
    if let Some(n) = path.strip_prefix(b"/dev/tty").and_then(num) {
        return Some(dev(4, n));
    }
    (path == b"/dev/console").then(|| dev(5, 1))
}

fn num(args: &[Option<&Arg>], i: usize) -> Option<u64> {
    args.get(i).copied().flatten().and_then(Arg::num)
}

fn bytes<'a>(args: &[Option<&'a Arg>], i: usize) -> Option<&'a [u8]> {
    args.get(i).copied().flatten().and_then(Arg::bytes)
}

/// Join a path the way the kernel resolves it: absolute stays, relative goes under `base`.
pub fn resolve(base: &[u8], path: &[u8]) -> Vec<u8> {
    if path.starts_with(b"/") || base.is_empty() {
        return normalize(path);
    }
    let mut v = base.to_vec();
    if !v.ends_with(b"/") {
        v.push(b'/');
    }
    v.extend_from_slice(path);
    normalize(&v)
}

/// Remove `.` and `..` components and doubled slashes (no symlink resolution, as sysdig).
fn normalize(p: &[u8]) -> Vec<u8> {
    if !p.starts_with(b"/") {
        return p.to_vec();
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    for c in p.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut out = Vec::with_capacity(p.len());
    for c in parts {
        out.push(b'/');
        out.extend_from_slice(c);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

impl State {
    /// Apply what a successful call `nr` did, with its merged arguments and result.
    pub(crate) fn apply_effect(
        &mut self,
        tid: Tid,
        pid: Tid,
        nr: u16,
        args: &[Option<&Arg>],
        ret: i64,
    ) {
        // A non-blocking connect that is under way (EINPROGRESS) has its peer all the same.
        let in_progress = ret == -(libc::EINPROGRESS as i64) && effect(nr) == Effect::Connect;
        if ret < 0 && !in_progress {
            return;
        }
        let fd_ret = ret as i32;
        match effect(nr) {
            Effect::None => {}
            Effect::Open { dirfd, path, flags } => {
                let Some(p) = bytes(args, path) else { return };
                let base = self.dir_base(tid, pid, dirfd.and_then(|i| num(args, i)));
                let name = resolve(&base, p);
                let flags = flags.and_then(|i| num(args, i)).unwrap_or(0) as u32;
                let kind = if flags & libc::O_DIRECTORY as u32 != 0 {
                    FdKind::Directory
                } else {
                    FdKind::File
                };
                let mut f = Fd::new(kind, name);
                f.flags = flags;
                self.fds.insert(pid, fd_ret, f);
            }
            Effect::Open2 => {
                let Some(p) = bytes(args, 1) else { return };
                let base = self.dir_base(tid, pid, num(args, 0));
                let flags = bytes(args, 2)
                    .and_then(|b| b.get(..8))
                    .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as u32)
                    .unwrap_or(0);
                let mut f = Fd::new(FdKind::File, resolve(&base, p));
                f.flags = flags;
                self.fds.insert(pid, fd_ret, f);
            }
            Effect::Close => {
                // Removed once the exit has been shown, which still names the file (sysdig).
                if let Some(fd) = num(args, 0) {
                    self.closed.push((pid, fd as i32));
                }
            }
            Effect::CloseRange => {
                if let (Some(a), Some(b)) = (num(args, 0), num(args, 1)) {
                    let flags = num(args, 2).unwrap_or(0);
                    // CLOSE_RANGE_CLOEXEC (4) only marks them.
                    if flags & 4 == 0 {
                        self.fds
                            .close_range(pid, a as i32, b.min(i32::MAX as u64) as i32);
                    }
                }
            }
            Effect::Socket => {
                let domain = num(args, 0).unwrap_or(0) as i32;
                let ty = num(args, 1).unwrap_or(0);
                let kind = match domain {
                    libc::AF_INET => FdKind::Ipv4,
                    libc::AF_INET6 => FdKind::Ipv6,
                    libc::AF_UNIX => FdKind::Unix,
                    libc::AF_NETLINK => FdKind::Netlink,
                    _ => FdKind::Other,
                };
                let mut f = Fd::new(kind, Vec::new());
                if matches!(kind, FdKind::Ipv4 | FdKind::Ipv6) {
                    f.sock = Some(SockTuple {
                        proto: fds::l4_from_socktype(ty),
                        local: fds::unknown_end(kind),
                        remote: fds::unknown_end(kind),
                    });
                }
                if ty & libc::SOCK_CLOEXEC as u64 != 0 {
                    f.flags |= libc::O_CLOEXEC as u32;
                }
                self.fds.insert(pid, fd_ret, f);
            }
            Effect::Connect | Effect::Bind => {
                let (Some(fd), Some(addr)) = (num(args, 0), bytes(args, 1)) else {
                    return;
                };
                let connect = effect(nr) == Effect::Connect;
                let Some(f) = self.fds.get_mut(pid, fd as i32) else {
                    return;
                };
                f.connected |= connect;
                if let Some((a, p, _)) = fds::sockaddr_endpoint(addr) {
                    let t = f.sock.get_or_insert(SockTuple {
                        proto: syspect_capture::event::L4Proto::Unknown,
                        local: ([0; 16], 0),
                        remote: ([0; 16], 0),
                    });
                    if connect {
                        t.remote = (a, p);
                        if let (Some(local), _) = socket_ends(args, CONNECT_LOCAL) {
                            t.local = local;
                        }
                    } else {
                        // the port the kernel chose for port 0, when the engine read it
                        t.local = match socket_ends(args, CONNECT_LOCAL) {
                            (Some(local), _) if local.1 != 0 => local,
                            _ => (a, p),
                        };
                    }
                    let t = *t;
                    f.name = if connect {
                        fds::tuple_name(&t, false)
                    } else {
                        fds::bound_name(&t, true)
                    };
                } else if let Some(path) = fds::sockaddr_unix(addr) {
                    f.name = path;
                }
            }
            Effect::Datagram { addr, msg } => {
                let name = match msg {
                    true => args
                        .get(addr)
                        .copied()
                        .flatten()
                        .and_then(Arg::first_msg_name),
                    false => bytes(args, addr),
                };
                let (Some(fd), Some((a, p, _))) =
                    (num(args, 0), name.and_then(fds::sockaddr_endpoint))
                else {
                    return;
                };
                let Some(f) = self.fds.get_mut(pid, fd as i32) else {
                    return;
                };
                if f.connected || !matches!(f.kind, FdKind::Ipv4 | FdKind::Ipv6) {
                    return;
                }
                let unknown = fds::unknown_end(f.kind);
                let t = f.sock.get_or_insert(SockTuple {
                    proto: syspect_capture::event::L4Proto::Udp,
                    local: unknown,
                    remote: unknown,
                });
                t.remote = (a, p);
                // the end with the lower port is taken for the server, as for connected
                // sockets of the snapshot
                let server = f.server || (t.local.1 != 0 && t.local.1 < p);
                f.name = fds::tuple_name(t, server);
            }
            Effect::LocalName => {
                // only what the state did not know (a port the kernel chose): what sysdig
                // would show stays as it is
                let (Some(fd), Some(addr)) = (num(args, 0), bytes(args, 1)) else {
                    return;
                };
                let Some(f) = self.fds.get_mut(pid, fd as i32) else {
                    return;
                };
                let (Some(t), Some((a, p, _))) = (f.sock.as_mut(), fds::sockaddr_endpoint(addr))
                else {
                    return;
                };
                if t.local.1 == 0 && p != 0 {
                    t.local = (a, p);
                    let server = f.server || t.remote.1 == 0;
                    f.name = fds::bound_name(t, server);
                }
            }
            Effect::Exec => {
                let Some(desc) = syscalls::lookup(nr) else {
                    return;
                };
                // the enter's envp, or what a source knew beyond the table's arguments (a
                // sysdig exit's env, when its enter is not in the capture)
                let env = desc
                    .args
                    .iter()
                    .position(|a| a.ty == syscalls::ArgType::Envp)
                    .and_then(|i| args.get(i).copied().flatten())
                    .or_else(|| args.get(desc.args.len()).copied().flatten());
                if let (Some(Arg::StrList { items, .. }), Some(t)) =
                    (env, self.threads.get_mut(pid))
                {
                    t.env = Some(std::sync::Arc::new(items.clone()));
                }
            }
            Effect::Listen => {
                if let Some(f) = num(args, 0).and_then(|fd| self.fds.get_mut(pid, fd as i32)) {
                    f.server = true;
                }
            }
            Effect::Accept => {
                let listener = num(args, 0)
                    .and_then(|fd| self.fds.get(pid, fd as i32))
                    .cloned();
                let mut f = listener.unwrap_or_else(|| Fd::new(FdKind::Other, Vec::new()));
                f.server = true;
                f.connected = true;
                f.flags = 0;
                // the ends the engine read from the socket: the local address where the
                // listener took every address, the peer where the caller passed no buffer
                let n = syscalls::lookup(nr).map_or(usize::MAX, |d| d.args.len());
                let (local, peer) = socket_ends(args, n);
                if let Some(t) = f.sock.as_mut() {
                    let addr = bytes(args, 1).and_then(fds::sockaddr_endpoint);
                    if let Some(remote) = addr.map(|(a, p, _)| (a, p)).or(peer) {
                        t.remote = remote;
                    }
                    if let Some(local) = local {
                        t.local = local;
                    }
                }
                if let Some(t) = f.sock {
                    f.name = fds::tuple_name(&t, true);
                }
                self.fds.insert(pid, fd_ret, f);
            }
            Effect::Pipe | Effect::Socketpair => {
                let idx = if effect(nr) == Effect::Pipe { 0 } else { 3 };
                let Some(b) = bytes(args, idx) else { return };
                if b.len() < 8 {
                    return;
                }
                let a = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                let c = i32::from_le_bytes([b[4], b[5], b[6], b[7]]);
                let kind = if idx == 0 { FdKind::Pipe } else { FdKind::Unix };
                self.fds.insert(pid, a, Fd::new(kind, Vec::new()));
                self.fds.insert(pid, c, Fd::new(kind, Vec::new()));
            }
            Effect::Dup => match num(args, 0)
                .and_then(|fd| self.fds.get(pid, fd as i32))
                .cloned()
            {
                Some(mut f) => {
                    f.flags &= !(libc::O_CLOEXEC as u32);
                    self.fds.insert(pid, fd_ret, f);
                }
                // A copy of an fd we do not know: whatever the target named is gone.
                None => {
                    self.fds.remove(pid, fd_ret);
                }
            },
            Effect::Fcntl => {
                let cmd = num(args, 1).unwrap_or(0) as i32;
                if cmd == libc::F_DUPFD || cmd == libc::F_DUPFD_CLOEXEC {
                    if let Some(old) = num(args, 0)
                        .and_then(|fd| self.fds.get(pid, fd as i32))
                        .cloned()
                    {
                        let mut f = old;
                        f.flags = if cmd == libc::F_DUPFD_CLOEXEC {
                            libc::O_CLOEXEC as u32
                        } else {
                            0
                        };
                        self.fds.insert(pid, fd_ret, f);
                    }
                } else if cmd == libc::F_SETFD {
                    let cloexec = num(args, 2).unwrap_or(0) & 1 != 0;
                    if let Some(f) = num(args, 0).and_then(|fd| self.fds.get_mut(pid, fd as i32)) {
                        if cloexec {
                            f.flags |= libc::O_CLOEXEC as u32;
                        } else {
                            f.flags &= !(libc::O_CLOEXEC as u32);
                        }
                    }
                }
            }
            Effect::Anon(kind, name) => {
                self.fds
                    .insert(pid, fd_ret, Fd::new(kind, name.as_bytes().to_vec()));
            }
            Effect::Memfd => {
                let mut name = b"/memfd:".to_vec();
                name.extend_from_slice(bytes(args, 0).unwrap_or_default());
                self.fds.insert(pid, fd_ret, Fd::new(FdKind::Memfd, name));
            }
            Effect::Ioctl => {
                let (Some(fd), Some(req)) = (num(args, 0), num(args, 1)) else {
                    return;
                };
                let req = req as u32 as u64;
                if req == libc::TIOCGPTN {
                    let n = bytes(args, 2)
                        .and_then(|b| b.get(..4))
                        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                    if let Some(n) = n {
                        self.ptys.insert((pid, fd as i32), n);
                    }
                } else if req == libc::TIOCSCTTY {
                    // the terminal the fd names becomes the session's
                    let tty = self
                        .fds
                        .get(pid, fd as i32)
                        .and_then(|f| tty_number(&f.name));
                    if let Some(tty) = tty {
                        self.set_session(pid, None, None, Some(tty));
                    }
                } else if req == libc::TIOCGPTPEER {
                    let name = match self.ptys.get(&(pid, fd as i32)) {
                        Some(n) => format!("/dev/pts/{n}"),
                        None => "/dev/pts/?".to_owned(),
                    };
                    self.fds
                        .insert(pid, fd_ret, Fd::new(FdKind::File, name.into_bytes()));
                }
            }
            Effect::Setsid => self.set_session(pid, Some(pid), Some(pid), Some(0)),
            Effect::Setpgid => {
                // pid 0: the caller; pgid 0: the process's own pid
                let target = match num(args, 0).unwrap_or(0) as i32 {
                    p if p > 0 => p as Tid,
                    _ => pid,
                };
                let group = match num(args, 1).unwrap_or(0) as i32 {
                    g if g > 0 => g as Tid,
                    _ => target,
                };
                self.set_session(target, Some(group), None, None);
            }
            Effect::Chdir => {
                if let Some(p) = bytes(args, 0) {
                    let base = self.dir_base(tid, pid, None);
                    let cwd = resolve(&base, p);
                    self.set_cwd(pid, cwd);
                }
            }
            Effect::Fchdir => {
                if let Some(f) = num(args, 0).and_then(|fd| self.fds.get(pid, fd as i32)) {
                    let cwd = f.name.clone();
                    self.set_cwd(pid, cwd);
                }
            }
        }
    }

    /// The name the fd a call makes would have, from the call's merged arguments (and
    /// trailing extras): the path an open resolves to, the socket name a connect gives. For a
    /// call that failed, which made no fd: sysdig still names what it tried.
    pub fn attempted_name(
        &self,
        tid: Tid,
        pid: Tid,
        nr: u16,
        args: &[Option<&Arg>],
    ) -> Option<Vec<u8>> {
        match effect(nr) {
            Effect::Open { dirfd, path, .. } => {
                let p = bytes(args, path)?;
                let base = self.dir_base(tid, pid, dirfd.and_then(|i| num(args, i)));
                Some(resolve(&base, p))
            }
            Effect::Open2 => {
                let p = bytes(args, 1)?;
                Some(resolve(&self.dir_base(tid, pid, num(args, 0)), p))
            }
            Effect::Connect => {
                let addr = bytes(args, 1)?;
                let Some((a, p, _)) = fds::sockaddr_endpoint(addr) else {
                    return fds::sockaddr_unix(addr);
                };
                let local = socket_ends(args, CONNECT_LOCAL).0.unwrap_or(([0; 16], 0));
                let t = SockTuple {
                    proto: syspect_capture::event::L4Proto::Unknown,
                    local,
                    remote: (a, p),
                };
                Some(fds::tuple_name(&t, false))
            }
            _ => None,
        }
    }

    /// The directory a relative path of an *at() call starts from: the dirfd's path, or the
    /// thread's cwd for AT_FDCWD / no dirfd.
    /// `path` made absolute against `dirfd` (or the cwd, for `AT_FDCWD`), as an *at call
    /// resolves it (sysdig's `evt.abspath`); relative still when the base is not known.
    pub fn abspath(&self, tid: Tid, pid: Tid, dirfd: Option<u64>, path: &[u8]) -> Vec<u8> {
        resolve(&self.dir_base(tid, pid, dirfd), path)
    }

    fn dir_base(&self, tid: Tid, pid: Tid, dirfd: Option<u64>) -> Vec<u8> {
        if let Some(d) = dirfd {
            let d = d as i64 as i32;
            if d != libc::AT_FDCWD {
                return self
                    .fds
                    .get(pid, d)
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
            }
        }
        self.threads
            .get(tid)
            .map(|t| t.info.cwd.clone())
            .unwrap_or_default()
    }

    /// Set the process group, session and terminal of every thread of process `pid` (those
    /// given).
    fn set_session(&mut self, pid: Tid, pgid: Option<Tid>, sid: Option<Tid>, tty: Option<u32>) {
        let tids: Vec<Tid> = self.threads.threads_of(pid).map(|t| t.info.tid).collect();
        for tid in tids {
            if let Some(t) = self.threads.get_mut(tid) {
                if let Some(g) = pgid {
                    t.info.pgid = g;
                }
                if let Some(s) = sid {
                    t.info.sid = s;
                }
                if let Some(n) = tty {
                    t.info.tty = n;
                }
            }
        }
    }

    fn set_cwd(&mut self, pid: Tid, cwd: Vec<u8>) {
        let tids: Vec<Tid> = self.threads.threads_of(pid).map(|t| t.info.tid).collect();
        for tid in tids {
            if let Some(t) = self.threads.get_mut(tid) {
                t.info.cwd = cwd.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminals_by_path_as_the_kernel_numbers_them() {
        assert_eq!(tty_number(b"/dev/pts/0"), Some(34816));
        assert_eq!(tty_number(b"/dev/pts/3"), Some(34819));
        // minor 300 of major 136: /dev/pts/300 is 137:44
        assert_eq!(tty_number(b"/dev/pts/300"), Some(44 | (137 << 8)));
        assert_eq!(tty_number(b"/dev/tty1"), Some(1025));
        assert_eq!(tty_number(b"/dev/ttyS0"), Some(4 << 8 | 64));
        assert_eq!(tty_number(b"/dev/console"), Some(1281));
        assert_eq!(tty_number(b"/dev/null"), None);
        assert_eq!(tty_number(b"/dev/tty"), None);
    }

    #[test]
    fn paths_resolve_like_the_kernel() {
        assert_eq!(resolve(b"/home/u", b"a.txt"), b"/home/u/a.txt");
        assert_eq!(resolve(b"/home/u", b"/etc//hosts"), b"/etc/hosts");
        assert_eq!(resolve(b"/home/u", b"../x/./y"), b"/home/x/y");
        assert_eq!(resolve(b"/", b".."), b"/");
        assert_eq!(resolve(b"", b"rel"), b"rel");
    }

    fn ev(kind: syspect_capture::event::EventKind) -> syspect_capture::event::Record {
        syspect_capture::event::Record::Event(syspect_capture::event::Event {
            ts: 1,
            tid: 9,
            pid: 9,
            cpu: 0,
            kind,
        })
    }

    /// A state in which process 9 has made an IPv4 socket of `ty` as fd 3; and connect's number.
    fn with_socket(ty: i32) -> (State, u16) {
        use syspect_capture::event::EventKind;
        let mut st = State::new();
        let socket = syspect_capture::syscalls::number("socket").unwrap();
        let args = vec![
            Arg::Num(libc::AF_INET as u64),
            Arg::Num(ty as u64),
            Arg::Num(0),
        ];
        st.update(&ev(EventKind::Enter { nr: socket, args }));
        st.update(&ev(EventKind::Exit {
            nr: socket,
            ret: 3,
            args: vec![],
        }));
        (st, syspect_capture::syscalls::number("connect").unwrap())
    }

    #[test]
    fn a_connect_in_progress_names_its_peer() {
        use syspect_capture::event::EventKind;
        let (mut st, connect) = with_socket(libc::SOCK_STREAM);
        // struct sockaddr_in for 10.0.0.1:80
        let addr = vec![2, 0, 0, 80, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        let args = vec![Arg::Num(3), Arg::Mem(addr), Arg::Num(16)];
        st.update(&ev(EventKind::Enter { nr: connect, args }));
        let ret = -(libc::EINPROGRESS as i64);
        st.update(&ev(EventKind::Exit {
            nr: connect,
            ret,
            args: vec![],
        }));
        let f = st.fds.get(9, 3).expect("the socket");
        assert!(
            String::from_utf8_lossy(&f.name).ends_with("->10.0.0.1:80"),
            "{:?}",
            f.name
        );
    }

    #[test]
    fn a_connect_exit_may_carry_the_local_end() {
        use syspect_capture::event::EventKind;
        let (mut st, connect) = with_socket(libc::SOCK_DGRAM);
        // 10.0.0.1:53 from 10.0.0.2:40000
        let peer = vec![2, 0, 0, 53, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        let local = vec![2, 0, 0x9c, 0x40, 10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];
        let args = vec![Arg::Num(3), Arg::Mem(peer), Arg::Num(16)];
        st.update(&ev(EventKind::Enter { nr: connect, args }));
        st.update(&ev(EventKind::Exit {
            nr: connect,
            ret: 0,
            args: vec![Arg::Mem(local)],
        }));
        let f = st.fds.get(9, 3).expect("the socket");
        assert_eq!(f.name, b"10.0.0.2:40000->10.0.0.1:53");
    }

    #[test]
    fn effects_come_from_names() {
        assert!(matches!(effect(257), Effect::Open { .. }));
        assert_eq!(effect(3), Effect::Close);
        assert_eq!(effect(0), Effect::None);
    }
}
