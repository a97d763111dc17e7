//! Socket tables (`/proc/PID/net/{tcp,tcp6,udp,udp6,raw,raw6,unix,netlink}`), by inode, one
//! set per network namespace: a container's sockets are only in its own namespace's tables.

use std::collections::HashMap;
use std::net::Ipv6Addr;

use crate::event::{FdKind, L4Proto, SockTuple};

/// What the tables say about one socket inode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sock {
    pub kind: FdKind,
    pub tuple: Option<SockTuple>,
    /// `fd.name`: `local->remote` for inet, the path for unix sockets.
    pub name: Vec<u8>,
}

/// Socket tables loaded so far, by network namespace inode. Tables are loaded one at a time,
/// only until the socket looked up is found: `/proc/net/tcp` walks the kernel's whole TCP hash
/// table and can take milliseconds, so a process tree without TCP sockets never reads it.
#[derive(Default)]
pub struct SocketCache {
    by_netns: HashMap<u64, Tables>,
    /// Our own network namespace, where TCP sockets are listed through sock_diag.
    own_netns: Option<u64>,
}

#[derive(Default)]
struct Tables {
    socks: HashMap<u64, Sock>,
    /// How many entries of [`TABLES`] were loaded.
    loaded: usize,
}

/// The tables of a network namespace, most common sockets first.
const TABLES: [(&str, Option<(L4Proto, bool)>); 8] = [
    ("unix", None),
    ("tcp", Some((L4Proto::Tcp, false))),
    ("tcp6", Some((L4Proto::Tcp, true))),
    ("udp", Some((L4Proto::Udp, false))),
    ("udp6", Some((L4Proto::Udp, true))),
    ("netlink", None),
    ("raw", Some((L4Proto::Raw, false))),
    ("raw6", Some((L4Proto::Raw, true))),
];

impl SocketCache {
    /// The socket `inode` as process `pid` sees it.
    pub fn lookup(&mut self, pid: u32, inode: u64) -> Option<&Sock> {
        let netns = |p: &str| bracketed(&super::process::link(&format!("/proc/{p}/ns/net")));
        let ns = netns(&pid.to_string()).unwrap_or(0);
        let own = *self
            .own_netns
            .get_or_insert_with(|| netns("self").unwrap_or(u64::MAX));
        let t = self.by_netns.entry(ns).or_default();
        while !t.socks.contains_key(&inode) && t.loaded < TABLES.len() {
            load(pid, TABLES[t.loaded], ns == own, &mut t.socks);
            t.loaded += 1;
        }
        t.socks.get(&inode)
    }
}

/// The two ends of the inet socket that is fd `fd` of process `pid` (local, then peer), each as
/// a `struct sockaddr_in` or `sockaddr_in6`, read fresh from the tables of the process's
/// network namespace: what the eBPF engine reads from the kernel's socket at a connect, bind or
/// accept exit, for the ptrace engine, whose tracee is stopped there. `None` for a socket that
/// is not TCP or UDP, or is gone. (Reading them through a copy of the fd, `pidfd_getfd`, would
/// cost less but moves the socket into syspect's net_cls and net_prio classes.)
pub fn inet_ends(pid: u32, fd: i32) -> Option<(Vec<u8>, Vec<u8>)> {
    let link = super::process::link(&format!("/proc/{pid}/fd/{fd}"));
    let inode = link.strip_prefix(b"socket:").and_then(bracketed)?;
    let netns = |p: &str| bracketed(&super::process::link(&format!("/proc/{p}/ns/net")));
    let own = netns(&pid.to_string()).is_some_and(|ns| Some(ns) == netns("self"));
    let mut socks = HashMap::new();
    for table in &TABLES[1..5] {
        load(pid, *table, own, &mut socks);
        if let Some(Sock {
            kind,
            tuple: Some(t),
            ..
        }) = socks.get(&inode)
        {
            let sockaddr = |(a, port): ([u8; 16], u16)| match kind {
                FdKind::Ipv4 => crate::scap::sockaddr::sockaddr_in(&a[12..], port),
                _ => crate::scap::sockaddr::sockaddr_in6(&a, port),
            };
            return Some((sockaddr(t.local), sockaddr(t.remote)));
        }
    }
    None
}

/// The number in `kind:[N]` link text (`socket:[123]`, `net:[4026531840]`).
pub fn bracketed(link: &[u8]) -> Option<u64> {
    let open = link.iter().position(|&c| c == b'[')?;
    let close = link.iter().rposition(|&c| c == b']')?;
    std::str::from_utf8(link.get(open + 1..close)?)
        .ok()?
        .parse()
        .ok()
}

fn load(
    pid: u32,
    (file, inet): (&str, Option<(L4Proto, bool)>),
    own_netns: bool,
    out: &mut HashMap<u64, Sock>,
) {
    if let (true, Some((L4Proto::Tcp, v6))) = (own_netns, inet) {
        if let Ok(socks) = super::diag::tcp_sockets(v6) {
            for (inode, local, remote) in socks {
                insert_inet(out, inode, L4Proto::Tcp, v6, local, remote);
            }
            return;
        }
    }
    let path = format!("/proc/{pid}/net/{file}");
    let Ok(b) = std::fs::read(path) else {
        return;
    };
    match (file, inet) {
        (_, Some((proto, v6))) => parse_inet(&String::from_utf8_lossy(&b), proto, v6, out),
        ("unix", None) => parse_unix(&b, out),
        _ => {
            // netlink: `sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode`
            for line in String::from_utf8_lossy(&b).lines().skip(1) {
                let inode = line
                    .split_ascii_whitespace()
                    .nth(9)
                    .and_then(|s| s.parse().ok());
                if let Some(inode) = inode {
                    let kind = FdKind::Netlink;
                    out.insert(
                        inode,
                        Sock {
                            kind,
                            tuple: None,
                            name: Vec::new(),
                        },
                    );
                }
            }
        }
    }
}

/// Lines of `/proc/net/tcp` and friends: `sl local remote st … uid timeout inode …`.
pub fn parse_inet(text: &str, proto: L4Proto, v6: bool, out: &mut HashMap<u64, Sock>) {
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_ascii_whitespace().collect();
        let (Some(local), Some(remote), Some(inode)) = (
            f.get(1).and_then(|s| addr(s)),
            f.get(2).and_then(|s| addr(s)),
            f.get(9).and_then(|s| s.parse::<u64>().ok()),
        ) else {
            continue;
        };
        insert_inet(out, inode, proto, v6, local, remote);
    }
}

/// Record an inet socket, named `local->remote` (or `local` alone while unconnected).
fn insert_inet(
    out: &mut HashMap<u64, Sock>,
    inode: u64,
    proto: L4Proto,
    v6: bool,
    local: ([u8; 16], u16),
    remote: ([u8; 16], u16),
) {
    let tuple = SockTuple {
        proto,
        local,
        remote,
    };
    let mut name = show(local);
    let unspecified = remote.0[..10] == [0; 10] && remote.0[12..] == [0; 4];
    if !unspecified || remote.1 != 0 {
        name.push_str("->");
        name.push_str(&show(remote));
    }
    out.insert(
        inode,
        Sock {
            kind: if v6 { FdKind::Ipv6 } else { FdKind::Ipv4 },
            tuple: Some(tuple),
            name: name.into_bytes(),
        },
    );
}

/// `0100007F:0016` (IPv4) or 32 hex digits `:PORT` (IPv6): each 32-bit group is printed by the
/// kernel as a host-order integer of network-order bytes.
fn addr(s: &str) -> Option<([u8; 16], u16)> {
    let (ip, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let mut a = [0u8; 16];
    match ip.len() {
        8 => {
            a[10] = 0xff;
            a[11] = 0xff;
            a[12..].copy_from_slice(&u32::from_str_radix(ip, 16).ok()?.to_ne_bytes());
        }
        32 => {
            for i in 0..4 {
                let g = u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok()?;
                a[i * 4..i * 4 + 4].copy_from_slice(&g.to_ne_bytes());
            }
        }
        _ => return None,
    }
    Some((a, port))
}

/// `1.2.3.4:80` for IPv4 (mapped) addresses, `[::1]:80` otherwise.
pub fn show((a, port): ([u8; 16], u16)) -> String {
    let v6 = Ipv6Addr::from(a);
    match v6.to_ipv4_mapped() {
        Some(v4) => format!("{v4}:{port}"),
        None => format!("[{v6}]:{port}"),
    }
}

/// Lines of `/proc/net/unix`: `Num RefCount Protocol Flags Type St Inode [Path]`.
pub fn parse_unix(b: &[u8], out: &mut HashMap<u64, Sock>) {
    for line in b.split(|&c| c == b'\n').skip(1) {
        let mut f = line.split(|&c| c == b' ').filter(|s| !s.is_empty());
        let Some(inode) = f
            .nth(6)
            .and_then(|s| std::str::from_utf8(s).ok())
            .and_then(|s| s.parse::<u64>().ok())
        else {
            continue;
        };
        out.insert(
            inode,
            Sock {
                kind: FdKind::Unix,
                tuple: None,
                name: f.next().map(<[u8]>::to_vec).unwrap_or_default(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_lines() {
        let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 0200007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 555 1 0 20 4 30 10 -1\n   1: garbage\n";
        let mut m = HashMap::new();
        parse_inet(text, L4Proto::Tcp, false, &mut m);
        assert_eq!(m.len(), 1);
        let s = &m[&555];
        assert_eq!(s.kind, FdKind::Ipv4);
        assert_eq!(s.name, b"127.0.0.1:8080->127.0.0.2:54321");
        assert_eq!(s.tuple.unwrap().local.1, 8080);
    }

    #[test]
    fn tcp6_listener() {
        let text = "hdr\n 0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 77 1\n";
        let mut m = HashMap::new();
        parse_inet(text, L4Proto::Tcp, true, &mut m);
        assert_eq!(m[&77].name, b"[::1]:80");
        assert_eq!(m[&77].kind, FdKind::Ipv6);
    }

    #[test]
    fn unix_lines() {
        let b = b"Num RefCount Protocol Flags Type St Inode Path\n0000: 00000002 00000000 00010000 0001 01 1234 /run/x.sock\n0000: 00000003 00000000 00000000 0001 03 1235\n";
        let mut m = HashMap::new();
        parse_unix(b, &mut m);
        assert_eq!(m[&1234].name, b"/run/x.sock");
        assert_eq!(m[&1235].name, b"");
    }

    #[test]
    fn bracketed_numbers() {
        assert_eq!(bracketed(b"socket:[123]"), Some(123));
        assert_eq!(bracketed(b"socket:[x]"), None);
        assert_eq!(bracketed(b"]["), None);
    }
}
