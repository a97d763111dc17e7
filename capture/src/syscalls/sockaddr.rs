//! Socket addresses: parsing the bytes of a `struct sockaddr` and showing them the way strace
//! (`{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}`) and sysdig
//! (`127.0.0.1:80`) do.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::flags::{self, FlagSet};
use super::strings;

/// A decoded socket address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SockAddr {
    /// AF_INET: address bytes (network order, as `Ipv4Addr::from` takes them) and port.
    Inet([u8; 4], u16),
    /// AF_INET6: address bytes and port.
    Inet6([u8; 16], u16),
    /// AF_UNIX: the path bytes up to the first NUL; an abstract address starts with a NUL
    /// byte (kept), an unnamed one is empty.
    Unix(Vec<u8>),
    /// Any other family, by number.
    Other(u16),
}

/// Decode a socket address as the kernel lays it out. `None` when there are fewer than two
/// bytes or fewer than the family needs.
pub fn parse_sockaddr(bytes: &[u8]) -> Option<SockAddr> {
    let family = u16::from_ne_bytes([*bytes.first()?, *bytes.get(1)?]);
    match family as i32 {
        libc::AF_INET => {
            let b = bytes.get(2..8)?;
            let port = u16::from_be_bytes([b[0], b[1]]);
            Some(SockAddr::Inet([b[2], b[3], b[4], b[5]], port))
        }
        libc::AF_INET6 => {
            let port = u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]);
            let a: [u8; 16] = bytes.get(8..24)?.try_into().ok()?;
            Some(SockAddr::Inet6(a, port))
        }
        libc::AF_UNIX => {
            let path = &bytes[2..];
            let path = if path.first() == Some(&0) {
                // Abstract: the name is every byte given (it may hold NULs); trim the padding.
                let end = path.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
                path[..end.max(1)].to_vec()
            } else {
                let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                path[..end].to_vec()
            };
            Some(SockAddr::Unix(if path == [0] { Vec::new() } else { path }))
        }
        _ => Some(SockAddr::Other(family)),
    }
}

impl SockAddr {
    /// As sysdig prints an address: `127.0.0.1:8080`, `::1:8080`, the unix path.
    pub fn sysdig(&self) -> String {
        match self {
            SockAddr::Inet(a, p) => format!("{}:{p}", Ipv4Addr::from(*a)),
            SockAddr::Inet6(a, p) => match Ipv6Addr::from(*a).to_ipv4_mapped() {
                Some(v4) => format!("{v4}:{p}"),
                None => format!("{}:{p}", Ipv6Addr::from(*a)),
            },
            SockAddr::Unix(path) => {
                let mut s = strings::printable(path);
                if path.first() == Some(&0) {
                    s.replace_range(0..1, "@");
                }
                s
            }
            SockAddr::Other(f) => format!("family {f}"),
        }
    }
}

/// strace's rendering of the `len` bytes of a sockaddr in `bytes`.
pub fn strace_sockaddr(bytes: &[u8]) -> String {
    let Some(family) = bytes.get(..2).map(|b| u16::from_ne_bytes([b[0], b[1]])) else {
        return "{}".to_string();
    };
    let fam = flags::format(FlagSet::AddrFamily, family as u64);
    match parse_sockaddr(bytes) {
        Some(SockAddr::Inet(a, p)) => {
            let a = Ipv4Addr::from(a);
            format!("{{sa_family={fam}, sin_port=htons({p}), sin_addr=inet_addr(\"{a}\")}}")
        }
        Some(SockAddr::Inet6(a, p)) => {
            let a = Ipv6Addr::from(a);
            let flow = bytes
                .get(4..8)
                .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            let scope = bytes
                .get(24..28)
                .map_or(0, |b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
            format!(
                "{{sa_family={fam}, sin6_port=htons({p}), sin6_flowinfo=htonl({flow}), \
                 inet_pton({fam}, \"{a}\", &sin6_addr), sin6_scope_id={scope}}}"
            )
        }
        Some(SockAddr::Unix(path)) => {
            if bytes.len() <= 2 {
                format!("{{sa_family={fam}}}")
            } else if path.first() == Some(&0) {
                format!(
                    "{{sa_family={fam}, sun_path=@{}}}",
                    strings::quote(&path[1..], false)
                )
            } else {
                format!(
                    "{{sa_family={fam}, sun_path={}}}",
                    strings::quote(&path, false)
                )
            }
        }
        _ if family as i32 == libc::AF_NETLINK && bytes.len() >= 12 => {
            // strace prints it signed (a kernel-assigned port id can be above 2^31)
            let pid = i32::from_ne_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
            let groups = u32::from_ne_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            format!("{{sa_family={fam}, nl_pid={pid}, nl_groups={groups:08x}}}")
        }
        _ => format!(
            "{{sa_family={fam}, sa_data={}}}",
            strings::quote(&bytes[2..], false)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inet(port: u16, a: [u8; 4]) -> Vec<u8> {
        let mut v = (libc::AF_INET as u16).to_ne_bytes().to_vec();
        v.extend_from_slice(&port.to_be_bytes());
        v.extend_from_slice(&a);
        v.extend_from_slice(&[0; 8]);
        v
    }

    #[test]
    fn inet4() {
        let b = inet(35931, [127, 0, 0, 1]);
        assert_eq!(
            parse_sockaddr(&b),
            Some(SockAddr::Inet([127, 0, 0, 1], 35931))
        );
        assert_eq!(
            strace_sockaddr(&b),
            r#"{sa_family=AF_INET, sin_port=htons(35931), sin_addr=inet_addr("127.0.0.1")}"#
        );
        assert_eq!(
            parse_sockaddr(&b).map(|a| a.sysdig()),
            Some("127.0.0.1:35931".into())
        );
    }

    #[test]
    fn inet6() {
        let mut b = (libc::AF_INET6 as u16).to_ne_bytes().to_vec();
        b.extend_from_slice(&8080u16.to_be_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        b.extend_from_slice(&[0; 4]);
        assert_eq!(
            strace_sockaddr(&b),
            r#"{sa_family=AF_INET6, sin6_port=htons(8080), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}"#
        );
        assert_eq!(
            parse_sockaddr(&b).map(|a| a.sysdig()),
            Some("::1:8080".into())
        );
    }

    #[test]
    fn unix() {
        let mut b = (libc::AF_UNIX as u16).to_ne_bytes().to_vec();
        b.extend_from_slice(b"/var/run/nscd/socket\0");
        assert_eq!(
            strace_sockaddr(&b),
            r#"{sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}"#
        );
        let mut a = (libc::AF_UNIX as u16).to_ne_bytes().to_vec();
        a.extend_from_slice(b"\0abstract");
        assert_eq!(
            strace_sockaddr(&a),
            r#"{sa_family=AF_UNIX, sun_path=@"abstract"}"#
        );
        assert_eq!(
            parse_sockaddr(&a).map(|a| a.sysdig()),
            Some("@abstract".into())
        );
        assert_eq!(parse_sockaddr(&[1]), None);
        assert_eq!(parse_sockaddr(&[2, 0, 1]), None);
    }
}
