//! TCP sockets of our own network namespace through netlink's sock_diag (`ss` does the same):
//! about ten times quicker than `/proc/net/tcp`, which walks the kernel's whole TCP hash table
//! in page-sized steps.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `SOCK_DIAG_BY_FAMILY` (linux/sock_diag.h).
const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_HDR: usize = 16;
/// `struct inet_diag_msg` (linux/inet_diag.h).
const DIAG_MSG_LEN: usize = 72;
/// Stop after this many messages, whatever the kernel sends.
const MAX_SOCKETS: usize = 4 << 20;

/// One inet socket: its inode and both ends (addresses as 16 bytes, IPv4 mapped).
pub type InetSock = (u64, ([u8; 16], u16), ([u8; 16], u16));

/// Every TCP socket of family `AF_INET` (or `AF_INET6` when `v6`) in this process's network
/// namespace.
pub fn tcp_sockets(v6: bool) -> io::Result<Vec<InetSock>> {
    // SAFETY: socket(2) with constant arguments; the result is checked before use.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            libc::NETLINK_SOCK_DIAG,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let timeout = libc::timeval {
        tv_sec: 1,
        tv_usec: 0,
    };
    // SAFETY: `timeout` is a valid timeval of the size given.
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            &timeout as *const libc::timeval as *const libc::c_void,
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    let family = if v6 { libc::AF_INET6 } else { libc::AF_INET } as u8;
    // nlmsghdr, then inet_diag_req_v2: family, protocol, ext, pad, states, sockid (48 bytes).
    let mut req = Vec::with_capacity(NLMSG_HDR + 56);
    req.extend_from_slice(&((NLMSG_HDR + 56) as u32).to_ne_bytes());
    req.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    req.extend_from_slice(&((libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16).to_ne_bytes());
    req.extend_from_slice(&1u32.to_ne_bytes()); // sequence
    req.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel
    req.extend_from_slice(&[family, libc::IPPROTO_TCP as u8, 0, 0]);
    req.extend_from_slice(&u32::MAX.to_ne_bytes()); // every state
    req.extend_from_slice(&[0u8; 48]);
    // SAFETY: `req` is a valid buffer of the length given.
    let sent = unsafe { libc::send(fd.as_raw_fd(), req.as_ptr().cast(), req.len(), 0) };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        // SAFETY: `buf` is a valid, writable buffer of the length given.
        let n = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "sock_diag ended early",
            ));
        }
        if parse(&buf[..n as usize], v6, &mut out)? || out.len() > MAX_SOCKETS {
            return Ok(out);
        }
    }
}

/// Parse the netlink messages of one datagram into `out`; `Ok(true)` once the dump is done.
fn parse(mut d: &[u8], v6: bool, out: &mut Vec<InetSock>) -> io::Result<bool> {
    while d.len() >= NLMSG_HDR {
        let len = u32::from_ne_bytes([d[0], d[1], d[2], d[3]]) as usize;
        let kind = u16::from_ne_bytes([d[4], d[5]]);
        if len < NLMSG_HDR || len > d.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "bad netlink message",
            ));
        }
        match kind {
            NLMSG_DONE => return Ok(true),
            NLMSG_ERROR => {
                let errno = d
                    .get(NLMSG_HDR..NLMSG_HDR + 4)
                    .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                return Err(io::Error::from_raw_os_error(-errno));
            }
            SOCK_DIAG_BY_FAMILY => {
                if let Some(m) = d.get(NLMSG_HDR..NLMSG_HDR + DIAG_MSG_LEN) {
                    let inode = u32::from_ne_bytes([m[68], m[69], m[70], m[71]]) as u64;
                    if inode != 0 {
                        let sport = u16::from_be_bytes([m[4], m[5]]);
                        let dport = u16::from_be_bytes([m[6], m[7]]);
                        out.push((
                            inode,
                            (addr(&m[8..24], v6), sport),
                            (addr(&m[24..40], v6), dport),
                        ));
                    }
                }
            }
            _ => {}
        }
        let next = (len + 3) & !3;
        d = d.get(next..).unwrap_or(&[]);
    }
    Ok(false)
}

fn addr(b: &[u8], v6: bool) -> [u8; 16] {
    let mut a = [0u8; 16];
    if v6 {
        a.copy_from_slice(&b[..16]);
    } else {
        a[10] = 0xff;
        a[11] = 0xff;
        a[12..].copy_from_slice(&b[..4]);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let socks = tcp_sockets(false).unwrap();
        let mut want = [0u8; 16];
        want[10..].copy_from_slice(&[0xff, 0xff, 127, 0, 0, 1]);
        assert!(
            socks
                .iter()
                .any(|(ino, local, _)| *ino != 0 && *local == (want, port)),
            "{socks:?}"
        );
        assert!(tcp_sockets(true).is_ok());
    }

    #[test]
    fn garbage_is_an_error() {
        let mut out = Vec::new();
        assert!(parse(&[0xff; 20], false, &mut out).is_err());
        assert!(!parse(&[], false, &mut out).unwrap());
    }
}
