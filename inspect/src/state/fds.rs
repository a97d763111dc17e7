//! File descriptor tables: what each fd of each process names, rebuilt from the calls that
//! create, copy and close fds, starting from the snapshot at the trace's start.

use super::idhash::IdMap;

use syspect_capture::event::{FdInfo, FdKind, L4Proto, SockTuple, Tid};
use syspect_capture::syscalls::render::{parse_sockaddr, SockAddr};

/// One open file descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fd {
    pub kind: FdKind,
    /// Path, `pipe:[…]`, or the socket's text form.
    pub name: Vec<u8>,
    pub sock: Option<SockTuple>,
    /// open(2) flags; `O_CLOEXEC` decides what survives exec.
    pub flags: u32,
    /// This end accepted or listens (sysdig's `fd.is_server`).
    pub server: bool,
    /// A socket connected by connect or accept (sysdig's `fd.connected`).
    pub connected: bool,
}

impl Fd {
    pub fn new(kind: FdKind, name: Vec<u8>) -> Fd {
        Fd {
            kind,
            name,
            sock: None,
            flags: 0,
            server: false,
            connected: false,
        }
    }

    pub fn from_info(i: &FdInfo) -> Fd {
        // A snapshot does not say which sockets listen: a TCP socket bound to a port with no
        // peer is taken for a listener (a bound socket that never listened is rare).
        // Of a connected socket, the end with the lower port is taken for the server (clients
        // use high ephemeral ports), and the name is sysdig's, client first.
        let listener = i
            .sock
            .is_some_and(|t| t.proto == L4Proto::Tcp && t.local.1 != 0 && t.remote.1 == 0);
        let connected = i.sock.filter(|t| t.local.1 != 0 && t.remote.1 != 0);
        let server = listener || connected.is_some_and(|t| t.local.1 < t.remote.1);
        let name = match connected {
            Some(t) => tuple_name(&t, server),
            None => i.name.clone(),
        };
        Fd {
            kind: i.kind,
            name,
            sock: i.sock,
            flags: i.flags,
            server,
            connected: connected.is_some(),
        }
    }

    /// sysdig's one-letter type (`fd.typechar`): f file, d directory, 4 ipv4, 6 ipv6, u unix,
    /// p pipe, e eventfd, s signalfd, l eventpoll, i inotify, t timerfd, n netlink, o other.
    pub fn typechar(&self) -> char {
        typechar(self.kind)
    }
}

/// sysdig's one-letter fd type.
pub fn typechar(k: FdKind) -> char {
    match k {
        FdKind::File | FdKind::Memfd => 'f',
        FdKind::Directory => 'd',
        FdKind::Ipv4 => '4',
        FdKind::Ipv6 => '6',
        FdKind::Unix => 'u',
        FdKind::Pipe => 'p',
        FdKind::Event => 'e',
        FdKind::Signalfd => 's',
        FdKind::Eventpoll => 'l',
        FdKind::Inotify => 'i',
        FdKind::Timerfd => 't',
        FdKind::Netlink => 'n',
        FdKind::Other => 'o',
    }
}

/// sysdig's `fd.type` word.
pub fn type_name(k: FdKind) -> &'static str {
    match k {
        FdKind::File | FdKind::Memfd => "file",
        FdKind::Directory => "directory",
        FdKind::Ipv4 => "ipv4",
        FdKind::Ipv6 => "ipv6",
        FdKind::Unix => "unix",
        FdKind::Pipe => "pipe",
        FdKind::Event => "event",
        FdKind::Signalfd => "signalfd",
        FdKind::Eventpoll => "eventpoll",
        FdKind::Inotify => "inotify",
        FdKind::Timerfd => "timerfd",
        FdKind::Netlink => "netlink",
        FdKind::Other => "other",
    }
}

/// The fds of every process, by pid (threads of a process share them).
#[derive(Debug, Default)]
pub struct FdTables {
    procs: IdMap<Tid, IdMap<i32, Fd>>,
}

impl FdTables {
    pub fn get(&self, pid: Tid, fd: i32) -> Option<&Fd> {
        self.procs.get(&pid)?.get(&fd)
    }

    pub fn get_mut(&mut self, pid: Tid, fd: i32) -> Option<&mut Fd> {
        self.procs.get_mut(&pid)?.get_mut(&fd)
    }

    pub fn insert(&mut self, pid: Tid, fd: i32, f: Fd) {
        self.procs.entry(pid).or_default().insert(fd, f);
    }

    pub fn remove(&mut self, pid: Tid, fd: i32) -> Option<Fd> {
        self.procs.get_mut(&pid)?.remove(&fd)
    }

    /// How many fds `pid` has open.
    pub fn count(&self, pid: Tid) -> usize {
        self.procs.get(&pid).map_or(0, |m| m.len())
    }

    /// All fds of `pid`, sorted by number.
    pub fn of(&self, pid: Tid) -> Vec<(i32, &Fd)> {
        let mut v: Vec<_> = self
            .procs
            .get(&pid)
            .map(|m| m.iter().map(|(k, v)| (*k, v)).collect())
            .unwrap_or_default();
        v.sort_by_key(|(k, _)| *k);
        v
    }

    /// Every process that has an fd table.
    pub fn pids(&self) -> impl Iterator<Item = Tid> + '_ {
        self.procs.keys().copied()
    }

    /// A new process copies its parent's table (fork without CLONE_FILES).
    pub fn fork(&mut self, parent: Tid, child: Tid) {
        let t = self.procs.get(&parent).cloned().unwrap_or_default();
        self.procs.insert(child, t);
    }

    /// exec closes the close-on-exec fds.
    pub fn exec(&mut self, pid: Tid) {
        if let Some(m) = self.procs.get_mut(&pid) {
            m.retain(|_, f| f.flags & libc::O_CLOEXEC as u32 == 0);
        }
    }

    /// The process is gone.
    pub fn remove_process(&mut self, pid: Tid) {
        self.procs.remove(&pid);
    }

    /// Close fds `first..=last` (close_range).
    pub fn close_range(&mut self, pid: Tid, first: i32, last: i32) {
        if let Some(m) = self.procs.get_mut(&pid) {
            m.retain(|k, _| *k < first || *k > last);
        }
    }
}

/// Text of an address as sysdig prints it (`127.0.0.1`, `::1`).
pub fn ip_text(a: &[u8; 16]) -> String {
    let ip = std::net::Ipv6Addr::from(*a);
    match ip.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => ip.to_string(),
    }
}

/// sysdig's name of a socket bound but not connected (a listener): its address,
/// `0.0.0.0:8080`; of a connected one, [`tuple_name`].
pub fn bound_name(t: &SockTuple, server: bool) -> Vec<u8> {
    if t.remote.1 == 0 {
        format!("{}:{}", ip_text(&t.local.0), t.local.1).into_bytes()
    } else {
        tuple_name(t, server)
    }
}

/// An unknown end of an inet socket of `kind`: the IPv4 any address (IPv4-mapped, so that it
/// is shown as `0.0.0.0:0`), or the IPv6 one (`:::0`).
pub fn unknown_end(kind: FdKind) -> ([u8; 16], u16) {
    let mut a = [0u8; 16];
    if kind == FdKind::Ipv4 {
        a[10] = 0xff;
        a[11] = 0xff;
    }
    (a, 0)
}

/// sysdig's socket name: `127.0.0.1:40000->127.0.0.1:8080` (client first).
pub fn tuple_name(t: &SockTuple, server: bool) -> Vec<u8> {
    let (c, s) = if server {
        (t.remote, t.local)
    } else {
        (t.local, t.remote)
    };
    format!("{}:{}->{}:{}", ip_text(&c.0), c.1, ip_text(&s.0), s.1).into_bytes()
}

/// A 16-byte address (IPv4-mapped for IPv4) and port from a captured sockaddr.
pub fn sockaddr_endpoint(bytes: &[u8]) -> Option<([u8; 16], u16, bool)> {
    match parse_sockaddr(bytes)? {
        SockAddr::Inet(a, p) => Some((
            std::net::Ipv4Addr::from(a).to_ipv6_mapped().octets(),
            p,
            false,
        )),
        SockAddr::Inet6(a, p) => Some((a, p, true)),
        _ => None,
    }
}

/// The path of a unix socket address, if that is what `bytes` holds.
pub fn sockaddr_unix(bytes: &[u8]) -> Option<Vec<u8>> {
    match parse_sockaddr(bytes)? {
        SockAddr::Unix(p) => Some(p),
        _ => None,
    }
}

/// The protocol from socket(2)'s `type` argument.
pub fn l4_from_socktype(ty: u64) -> L4Proto {
    match (ty & 0xf) as i32 {
        libc::SOCK_STREAM => L4Proto::Tcp,
        libc::SOCK_DGRAM => L4Proto::Udp,
        libc::SOCK_RAW => L4Proto::Raw,
        _ => L4Proto::Unknown,
    }
}
