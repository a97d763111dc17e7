//! sysdig's encodings of socket addresses and tuples, and their conversion to the kernel's
//! `struct sockaddr_*` bytes that syspect's events carry.
//!
//! sysdig stores a socket address (`PT_SOCKADDR`) as one family byte (`PPM_AF_*`, the same
//! numbers as Linux's `AF_*` for unix, inet and inet6) followed by:
//! - inet: the 4 address bytes in network order, the port as a u16 in the file's byte order;
//! - inet6: 16 address bytes, the port likewise;
//! - unix: the path, NUL-terminated.
//!
//! A socket tuple (`PT_SOCKTUPLE`) is the family byte and both ends: inet and inet6 as
//! `source address, source port, destination address, destination port`; unix as two kernel
//! pointers (u64 each) and the path.

use std::net::Ipv6Addr;

use crate::event::SockTuple;

use super::blocks::{trim_nul, Endian};

const AF_UNIX: u8 = 1;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// The kernel's `struct sockaddr_in` / `sockaddr_in6` / `sockaddr_un` for a sysdig socket
/// address; `None` for a family we do not convert or a value too short for its family.
pub fn to_kernel(b: &[u8], e: Endian) -> Option<Vec<u8>> {
    let (&fam, rest) = b.split_first()?;
    match fam {
        AF_INET => {
            let addr = rest.get(..4)?;
            let port = e.u16(rest.get(4..6)?.try_into().ok()?);
            Some(sockaddr_in(addr, port))
        }
        AF_INET6 => {
            let addr = rest.get(..16)?;
            let port = e.u16(rest.get(16..18)?.try_into().ok()?);
            Some(sockaddr_in6(addr, port))
        }
        AF_UNIX => Some(sockaddr_un(trim_nul(rest))),
        _ => None,
    }
}

/// `struct sockaddr_in`: family (host order), port (network order), address, 8 zero bytes.
pub fn sockaddr_in(addr: &[u8], port: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(16);
    v.extend_from_slice(&(AF_INET as u16).to_ne_bytes());
    v.extend_from_slice(&port.to_be_bytes());
    v.extend_from_slice(addr);
    v.resize(16, 0);
    v
}

/// `struct sockaddr_in6`: family, port, flow info 0, address, scope id 0 (28 bytes).
pub fn sockaddr_in6(addr: &[u8], port: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(28);
    v.extend_from_slice(&(AF_INET6 as u16).to_ne_bytes());
    v.extend_from_slice(&port.to_be_bytes());
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(addr);
    v.resize(28, 0);
    v
}

/// `struct sockaddr_un` as long as the kernel reports it: family, path, terminating NUL.
pub fn sockaddr_un(path: &[u8]) -> Vec<u8> {
    let path = &path[..path.len().min(107)];
    let mut v = Vec::with_capacity(3 + path.len());
    v.extend_from_slice(&(AF_UNIX as u16).to_ne_bytes());
    v.extend_from_slice(path);
    v.push(0);
    v
}

/// Both ends of an inet or inet6 socket tuple; `None` for unix tuples and short values.
pub fn tuple(b: &[u8], e: Endian, proto: crate::event::L4Proto) -> Option<SockTuple> {
    let (&fam, r) = b.split_first()?;
    let port = |s: &[u8]| -> Option<u16> { Some(e.u16(s.try_into().ok()?)) };
    let (local, remote) = match fam {
        AF_INET => (
            (mapped_v4(r.get(..4)?), port(r.get(4..6)?)?),
            (mapped_v4(r.get(6..10)?), port(r.get(10..12)?)?),
        ),
        AF_INET6 => (
            (v6(r.get(..16)?), port(r.get(16..18)?)?),
            (v6(r.get(18..34)?), port(r.get(34..36)?)?),
        ),
        _ => return None,
    };
    Some(SockTuple {
        proto,
        local,
        remote,
    })
}

/// The path of a unix socket tuple (after the family byte and the two kernel pointers).
pub fn tuple_unix_path(b: &[u8]) -> Option<&[u8]> {
    let (&fam, r) = b.split_first()?;
    if fam != AF_UNIX {
        return None;
    }
    Some(trim_nul(r.get(16..)?))
}

/// The ends of an inet or inet6 socket tuple as the kernel's `struct sockaddr_in` /
/// `sockaddr_in6`: (local, peer). A tuple goes from the connecting end to the accepting one, so
/// an accept's (`inbound`) local end is its second; `None` for unix tuples and short values.
pub fn tuple_ends(b: &[u8], e: Endian, inbound: bool) -> Option<(Vec<u8>, Vec<u8>)> {
    let t = tuple(b, e, crate::event::L4Proto::Unknown)?;
    let sockaddr = |(ip, port): ([u8; 16], u16)| match Ipv6Addr::from(ip).to_ipv4_mapped() {
        Some(v4) if b.first() == Some(&AF_INET) => sockaddr_in(&v4.octets(), port),
        _ => sockaddr_in6(&ip, port),
    };
    let (src, dst) = (sockaddr(t.local), sockaddr(t.remote));
    Some(if inbound { (dst, src) } else { (src, dst) })
}

/// An IPv4 address as IPv4-mapped IPv6 (`::ffff:a.b.c.d`); zeros when `b` is not 4 bytes.
pub fn mapped_v4(b: &[u8]) -> [u8; 16] {
    let mut a = [0u8; 16];
    if b.len() == 4 {
        a[10] = 0xff;
        a[11] = 0xff;
        a[12..].copy_from_slice(b);
    }
    a
}

/// 16 address bytes as an array; zeros when `b` is not 16 bytes.
pub fn v6(b: &[u8]) -> [u8; 16] {
    <[u8; 16]>::try_from(b).unwrap_or([0; 16])
}

/// `addr:port`, IPv4-mapped addresses shown as IPv4 (sysdig's `fd.name` style: `:::111` for
/// a socket listening on every IPv6 address).
pub fn endpoint_name(addr: &[u8; 16], port: u16) -> Vec<u8> {
    let ip6 = Ipv6Addr::from(*addr);
    match ip6.to_ipv4_mapped() {
        Some(ip4) => format!("{ip4}:{port}"),
        None => format!("{ip6}:{port}"),
    }
    .into_bytes()
}

/// `local->remote`, as sysdig names a connected socket.
pub fn tuple_name(t: &SockTuple) -> Vec<u8> {
    let mut v = endpoint_name(&t.local.0, t.local.1);
    v.extend_from_slice(b"->");
    v.extend(endpoint_name(&t.remote.0, t.remote.1));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::L4Proto;

    #[test]
    fn inet_to_sockaddr_in() {
        let mut b = vec![AF_INET, 8, 8, 4, 4];
        b.extend_from_slice(&53u16.to_le_bytes());
        let sa = to_kernel(&b, Endian::Little).unwrap();
        assert_eq!(sa.len(), 16);
        assert_eq!(u16::from_ne_bytes([sa[0], sa[1]]), libc::AF_INET as u16);
        assert_eq!(&sa[2..8], &[0, 53, 8, 8, 4, 4]);
    }

    #[test]
    fn inet6_and_unix() {
        let mut b = vec![AF_INET6];
        b.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        b.extend_from_slice(&443u16.to_le_bytes());
        let sa = to_kernel(&b, Endian::Little).unwrap();
        assert_eq!(sa.len(), 28);
        assert_eq!(&sa[2..4], &443u16.to_be_bytes());
        assert_eq!(&sa[8..24], &Ipv6Addr::LOCALHOST.octets());
        let sa = to_kernel(b"\x01/run/x.sock\0", Endian::Little).unwrap();
        assert_eq!(&sa[2..], b"/run/x.sock\0");
        assert_eq!(to_kernel(&[AF_INET, 1, 2], Endian::Little), None);
        assert_eq!(to_kernel(&[], Endian::Little), None);
        assert_eq!(to_kernel(&[99, 1], Endian::Little), None);
    }

    #[test]
    fn tuples_and_names() {
        let mut b = vec![AF_INET, 10, 0, 0, 1];
        b.extend_from_slice(&40000u16.to_le_bytes());
        b.extend_from_slice(&[1, 2, 3, 4]);
        b.extend_from_slice(&80u16.to_le_bytes());
        let t = tuple(&b, Endian::Little, L4Proto::Tcp).unwrap();
        assert_eq!(tuple_name(&t), b"10.0.0.1:40000->1.2.3.4:80");
        assert!(tuple(&b[..8], Endian::Little, L4Proto::Tcp).is_none());
        assert_eq!(endpoint_name(&[0; 16], 22), b":::22");
        assert_eq!(endpoint_name(&mapped_v4(&[0; 4]), 22), b"0.0.0.0:22");
    }
}
