//! One of syspect's syscall arguments from sysdig's parameters: which parameter holds it,
//! how its value converts, and the placeholder when sysdig has none (see the
//! [module docs](super)).

use crate::event::{Arg, L4Proto};
use crate::syscalls::{Fetch, LenFrom};

use super::blocks::{trim_nul, Endian};
use super::evblock::RawEvent;
use super::flags;
use super::ppme::{EventInfo, PType};
use super::procs::split_nul;
use super::sockaddr;

/// The names sysdig may give our argument `ours` of syscall `call`: the same name first.
pub fn candidates(call: &str, ours: &'static str) -> impl Iterator<Item = &'static str> {
    let alias: &[&'static str] = match (call, ours) {
        (_, "data" | "buf") => &["data"],
        (_, "size" | "count" | "len" | "length") => &["size", "len", "length"],
        (_, "pathname" | "path" | "filename") => &["name", "path", "filename", "pathname"],
        (_, "addr" | "dest_addr" | "src_addr") => &["addr", "tuple"],
        ("close_range", "fd") => &["first"],
        ("close_range", "max_fd") => &["last"],
        ("pidfd_getfd", "pidfd") => &["pid_fd"],
        ("pidfd_getfd", "targetfd") => &["target_fd"],
        ("prctl", "arg2") => &["arg2_int"],
        (_, "newfd") => &["newfd", "fd2"],
        (_, "oldfd") => &["oldfd", "fd"],
        (_, "dirfd") => &["dirfd", "fd"],
        (_, "protocol") => &["proto"],
        (_, "argv") => &["args"],
        _ => &[],
    };
    std::iter::once(ours).chain(alias.iter().copied())
}

/// A sysdig parameter found for one of our arguments.
pub struct Found<'a> {
    pub ty: PType,
    /// sysdig's name of the parameter (flag conversions go by it).
    pub name: &'static str,
    pub bytes: &'a [u8],
    pub endian: Endian,
}

impl Found<'_> {
    /// The value as an integer (flags converted to the kernel's), for integer parameters.
    pub fn num(&self, call: &str) -> Option<u64> {
        let v = match self.ty {
            PType::Int => self.endian.int(self.bytes)? as u64,
            PType::UInt => self.endian.uint(self.bytes)?,
            _ => return None,
        };
        Some(flags::to_linux(call, self.name, v))
    }
}

/// The sysdig parameter of `ev` that holds our argument `ours` of syscall `call`.
pub fn find<'a>(call: &str, ours: &'static str, ev: &RawEvent<'a>) -> Option<Found<'a>> {
    candidates(call, ours).find_map(|n| {
        let i = ev.info.index_of(n)?;
        Some(Found {
            ty: ev.info.params[i].ty,
            name: ev.info.params[i].name,
            bytes: ev.params.get(i)?,
            endian: ev.endian,
        })
    })
}

/// True when events of type `info` have a parameter for our argument `ours`.
pub fn has_param(info: &EventInfo, call: &str, ours: &'static str) -> bool {
    candidates(call, ours).any(|n| info.index_of(n).is_some())
}

/// The value to use when sysdig has no value for an argument: `Num(0)` for scalars,
/// `Fault(0)` ("not read") for anything the table reads from memory.
pub fn placeholder(fetch: Fetch) -> Arg {
    match fetch {
        Fetch::Value => Arg::Num(0),
        _ => Arg::Fault(0),
    }
}

/// Arguments sysdig stores differently: pipe's two fds as two parameters, nanosleep's
/// interval as nanoseconds, rlimits as two numbers, poll's count as its fd list's length.
pub fn synthesize(call: &str, ours: &str, ev: &RawEvent) -> Option<Arg> {
    let ne = |v: i64| v.to_ne_bytes();
    match (call, ours) {
        (_, "fds" | "pipefd" | "sv") if ev.info.index_of("fd1").is_some() => {
            let mut m = (ev.num("fd1")? as i32).to_ne_bytes().to_vec();
            m.extend_from_slice(&(ev.num("fd2")? as i32).to_ne_bytes());
            Some(Arg::Mem(m))
        }
        ("nanosleep", "req") => {
            let ns = ev.num("interval")?;
            let mut m = ne(ns / 1_000_000_000).to_vec();
            m.extend_from_slice(&ne(ns % 1_000_000_000));
            Some(Arg::Mem(m))
        }
        ("getrlimit" | "setrlimit" | "prlimit64", "rlim" | "new_limit" | "old_limit") => {
            let mut m = ne(ev.num("cur")?).to_vec();
            m.extend_from_slice(&ne(ev.num("max")?));
            Some(Arg::Mem(m))
        }
        ("poll" | "ppoll", "nfds") => {
            let fds = ev.param("fds")?;
            Some(Arg::Num(ev.endian.uint(fds.get(..2)?)?))
        }
        _ => None,
    }
}

/// One of our arguments from the sysdig parameter `f` (`nums`: the values of our arguments so
/// far, for lengths; `exit`: the event is an exit, for poll's fd lists).
pub fn convert(
    fetch: Fetch,
    call: &str,
    f: &Found,
    nums: &[Option<u64>],
    ret: i64,
    exit: bool,
) -> Arg {
    let b = f.bytes;
    match (fetch, f.ty) {
        (Fetch::Value, PType::Int | PType::UInt) => {
            f.num(call).map(Arg::Num).unwrap_or(placeholder(fetch))
        }
        (Fetch::Str | Fetch::Path, PType::Str | PType::Buf) => Arg::Str {
            data: trim_nul(b).to_vec(),
            trunc: false,
        },
        (Fetch::Buf(len_from), PType::Buf | PType::Str) => Arg::Buf {
            data: b.to_vec(),
            len: real_len(len_from, nums, ret).max(b.len() as u64),
        },
        (Fetch::Iovec { .. }, PType::Buf) => Arg::List(vec![Arg::Buf {
            data: b.to_vec(),
            len: real_len(LenFrom::Ret, nums, ret).max(b.len() as u64),
        }]),
        // sysdig keeps a message's data, not its header: one message of one iovec
        (Fetch::Msgs { mmsg, .. }, PType::Buf) => {
            let len = u64::try_from(ret).unwrap_or(0).max(b.len() as u64);
            let mut hdr = vec![0u8; if mmsg { 64 } else { 56 }];
            hdr[24] = 1; // msg_iovlen
            if mmsg {
                hdr[56..60].copy_from_slice(&(len as u32).to_ne_bytes());
            }
            let iov = Arg::List(vec![Arg::Buf {
                data: b.to_vec(),
                len,
            }]);
            let msg = vec![
                Arg::Mem(hdr),
                Arg::Mem(Vec::new()),
                Arg::Mem(Vec::new()),
                iov,
            ];
            Arg::List(vec![Arg::List(msg)])
        }
        (Fetch::StrList, PType::Buf | PType::Str) => Arg::StrList {
            items: split_nul(b),
            trunc: false,
        },
        (Fetch::Mem(_), PType::SockAddr) => sockaddr::to_kernel(b, f.endian)
            .map(Arg::Mem)
            .unwrap_or(placeholder(fetch)),
        (Fetch::Mem(_), PType::SockTuple) => {
            // The peer's end: the destination of a connect/sendto, the source of an accept;
            // of a unix tuple, the path.
            let Some(t) = sockaddr::tuple(b, f.endian, L4Proto::Unknown) else {
                return match sockaddr::tuple_unix_path(b) {
                    Some(path) => Arg::Mem(sockaddr::sockaddr_un(path)),
                    None => placeholder(fetch),
                };
            };
            let (ip, port) = if call.starts_with("accept") || call.starts_with("recv") {
                t.local
            } else {
                t.remote
            };
            Arg::Mem(match Ipv6Mapped::from(ip) {
                Ipv6Mapped::V4(a) => sockaddr::sockaddr_in(&a, port),
                Ipv6Mapped::V6 => sockaddr::sockaddr_in6(&ip, port),
            })
        }
        (Fetch::Mem(_) | Fetch::Array { .. }, PType::Buf | PType::Raw) => Arg::Mem(b.to_vec()),
        (Fetch::Array { .. }, PType::FdList) => Arg::Mem(pollfds(b, f.endian, exit)),
        // A sysdig value of another shape than the table's. Every variant is named so that a
        // new kind of fetch fails to compile here instead of silently becoming a placeholder.
        (
            Fetch::Value
            | Fetch::Str
            | Fetch::Path
            | Fetch::StrList
            | Fetch::Buf(_)
            | Fetch::Mem(_)
            | Fetch::Array { .. }
            | Fetch::Iovec { .. }
            | Fetch::Msgs { .. },
            _,
        ) => placeholder(fetch),
    }
}

/// The real length of a buffer whose captured part may be shorter: the result of the call,
/// or the size argument.
fn real_len(from: LenFrom, nums: &[Option<u64>], ret: i64) -> u64 {
    match from {
        LenFrom::Ret => u64::try_from(ret).unwrap_or(0),
        LenFrom::Arg(n) => nums.get(n as usize).copied().flatten().unwrap_or(0),
        _ => 0,
    }
}

/// An IPv4-mapped address or a real IPv6 one.
enum Ipv6Mapped {
    V4([u8; 4]),
    V6,
}

impl From<[u8; 16]> for Ipv6Mapped {
    fn from(a: [u8; 16]) -> Self {
        if a[..10].iter().all(|&b| b == 0) && a[10] == 0xff && a[11] == 0xff {
            Ipv6Mapped::V4([a[12], a[13], a[14], a[15]])
        } else {
            Ipv6Mapped::V6
        }
    }
}

/// sysdig's fd list (`u16 count, (u64 fd, u16 flags)…`) as `struct pollfd`s, the flags put in
/// `events` at enter and `revents` at exit (converted from sysdig's poll bits).
fn pollfds(b: &[u8], e: Endian, exit: bool) -> Vec<u8> {
    let count = b.get(..2).and_then(|c| e.uint(c)).unwrap_or(0) as usize;
    let mut out = Vec::new();
    for item in b.get(2..).unwrap_or_default().chunks_exact(10).take(count) {
        let fd = e.int(&item[..8]).unwrap_or(-1) as i32;
        let fl = super::flags::poll_to_linux(e.uint(&item[8..]).unwrap_or(0)) as i16;
        out.extend_from_slice(&fd.to_ne_bytes());
        let (events, revents) = if exit { (0i16, fl) } else { (fl, 0i16) };
        out.extend_from_slice(&events.to_ne_bytes());
        out.extend_from_slice(&revents.to_ne_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sysdig_message_is_one_message_of_one_iovec() {
        let f = Found {
            ty: PType::Buf,
            name: "data",
            bytes: b"hello",
            endian: Endian::Little,
        };
        let fetch = crate::syscalls::ArgType::Mmsghdrs {
            vlen: 2,
            recv: true,
        }
        .fetch();
        let v = convert(fetch, "recvmmsg", &f, &[], 5, true);
        assert_eq!(v.buffers(), vec![b"hello".as_slice()]);
        // the message's msg_len says what it moved
        assert_eq!(v.data_len(), 5);
        let Arg::List(msgs) = &v else { panic!("{v:?}") };
        let Arg::List(parts) = &msgs[0] else {
            panic!("{v:?}")
        };
        assert_eq!(parts.len(), 4);
    }
}
