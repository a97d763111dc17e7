//! The messages of sendmsg, recvmsg, sendmmsg and recvmmsg as strace shows them:
//! `{msg_name={sa_family=AF_INET, …}, msg_namelen=16, msg_iov=[{iov_base="…", iov_len=6}],
//! msg_iovlen=1, msg_control=[{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS,
//! cmsg_data=[3]}], msg_controllen=24, msg_flags=0}`, and for the vectors
//! `[{msg_hdr={…}, msg_len=6}, …]`.
//!
//! A message is what [`super::Fetch::Msgs`] reads: an [`Arg::List`] of the header, the name,
//! the control data and the iovecs, or the header alone (a receiving call's enter); traces
//! made before the engines read messages hold the bare header ([`Arg::Mem`]).

use super::flags::{self, FlagSet};
use super::sockaddr::strace_sockaddr;
use super::strings;
use super::structs::{ptr, Bytes};
use crate::event::Arg;

/// The parts of one captured message.
struct Msg<'a> {
    hdr: Bytes<'a>,
    /// Name, control data and iovecs, when they were read.
    body: Option<(&'a [u8], &'a [u8], &'a [Arg])>,
}

impl<'a> Msg<'a> {
    fn of(a: &'a Arg) -> Option<Msg<'a>> {
        match a {
            Arg::Mem(hdr) => Some(Msg {
                hdr: Bytes(hdr),
                body: None,
            }),
            Arg::List(parts) => {
                let hdr = match parts.first()? {
                    Arg::Mem(h) if h.len() >= 56 => h,
                    _ => return None,
                };
                let body = match (parts.get(1), parts.get(2), parts.get(3)) {
                    (Some(Arg::Mem(n)), Some(Arg::Mem(c)), Some(Arg::List(iov))) => {
                        Some((n.as_slice(), c.as_slice(), iov.as_slice()))
                    }
                    _ => None,
                };
                Some(Msg {
                    hdr: Bytes(hdr),
                    body,
                })
            }
            _ => None,
        }
    }

    fn word(&self, off: usize) -> u64 {
        self.hdr.u64(off).unwrap_or(0)
    }

    fn namelen(&self) -> u32 {
        self.hdr.u32(8).unwrap_or(0)
    }

    /// `msg_len` of an mmsghdr.
    fn msg_len(&self) -> Option<u32> {
        self.hdr.u32(56)
    }
}

/// One `struct msghdr`. `namelen_in`: the name length the caller offered, shown as
/// `110 => 16` when the call changed it (recvmsg); `received`: the bytes a receiving call
/// filled, which its buffers show (`None` for a send: the whole data).
fn msghdr(m: &Msg, namelen_in: Option<u32>, received: Option<u64>) -> String {
    let name_ptr = m.word(0);
    let namelen = m.namelen();
    let name = match (name_ptr, m.body) {
        (0, _) => "NULL".to_string(),
        (_, Some((n, _, _))) if !n.is_empty() && namelen > 0 => strace_sockaddr(n),
        (p, _) => ptr(p),
    };
    let namelen_text = match namelen_in {
        Some(i) if i != namelen => format!("{i} => {namelen}"),
        _ => namelen.to_string(),
    };
    let (iov_ptr, iovlen) = (m.word(16), m.word(24));
    let iov = match (iov_ptr, m.body) {
        (0, _) => "NULL".to_string(),
        (_, Some((_, _, iovs))) if !iovs.is_empty() || iovlen == 0 => iovecs(iovs, received),
        (p, _) => ptr(p),
    };
    let (ctl_ptr, ctl_len) = (m.word(32), m.word(40));
    let control = match (ctl_ptr, ctl_len, m.body) {
        (_, 0, _) => String::new(),
        (0, _, _) => "msg_control=NULL, ".to_string(),
        (_, len, Some((_, c, _))) if !c.is_empty() => format!("msg_control={}, ", cmsgs(c, len)),
        (p, _, _) => format!("msg_control={}, ", ptr(p)),
    };
    format!(
        "{{msg_name={name}, msg_namelen={namelen_text}, msg_iov={iov}, msg_iovlen={iovlen}, \
         {control}msg_controllen={ctl_len}, msg_flags={}}}",
        flags::format(FlagSet::Msg, m.hdr.u32(48).unwrap_or(0) as u64)
    )
}

/// `[{iov_base="…", iov_len=N}, …]`; a receiving call's buffers show only what it filled
/// (readv's too).
pub(super) fn iovecs(iovs: &[Arg], received: Option<u64>) -> String {
    let mut left = received.unwrap_or(u64::MAX);
    let parts: Vec<String> = iovs
        .iter()
        .map(|it| match it {
            Arg::Buf { data, len } => {
                let shown = (*len).min(left);
                left = left.saturating_sub(*len);
                let data = &data[..data.len().min(shown as usize)];
                format!(
                    "{{iov_base={}, iov_len={len}}}",
                    strings::buf(data, shown, false)
                )
            }
            // a NULL iov_base, and its length
            Arg::Num(len) => format!("{{iov_base=NULL, iov_len={len}}}"),
            other => format!("{{iov_base={}}}", ptr(other.num().unwrap_or(0))),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The control messages in `b`, the first bytes of the `len` the header gave:
/// `[{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3, 4]}]`.
fn cmsgs(b: &[u8], len: u64) -> String {
    const HDR: usize = 16;
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + HDR <= b.len() {
        let h = Bytes(&b[at..]);
        let cmsg_len = h.u64(0).unwrap_or(0) as usize;
        let level = h.i32(8).unwrap_or(0);
        let ty = h.i32(12).unwrap_or(0);
        let end = (at + cmsg_len).min(b.len());
        let data = b.get(at + HDR..end).unwrap_or_default();
        out.push(cmsg(cmsg_len, level, ty, data));
        if cmsg_len < HDR {
            break;
        }
        // each control message starts 8-byte aligned (CMSG_ALIGN)
        at += (cmsg_len + 7) & !7;
    }
    if (at as u64) < len && at >= b.len() {
        out.push("...".into());
    }
    format!("[{}]", out.join(", "))
}

/// One control message; its data decoded for the types strace decodes.
fn cmsg(cmsg_len: usize, level: i32, ty: i32, data: &[u8]) -> String {
    let d = Bytes(data);
    let ints = |data: &[u8]| -> String {
        let v: Vec<String> = data
            .chunks_exact(4)
            .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]).to_string())
            .collect();
        format!("[{}]", v.join(", "))
    };
    let (level_name, type_name, value) = match level {
        libc::SOL_SOCKET => {
            let (name, value) = match ty {
                libc::SCM_RIGHTS => ("SCM_RIGHTS", Some(ints(data))),
                libc::SCM_CREDENTIALS => (
                    "SCM_CREDENTIALS",
                    match (d.i32(0), d.u32(4), d.u32(8)) {
                        (Some(pid), Some(uid), Some(gid)) => {
                            Some(format!("{{pid={pid}, uid={uid}, gid={gid}}}"))
                        }
                        _ => None,
                    },
                ),
                libc::SCM_TIMESTAMP => (
                    "SCM_TIMESTAMP",
                    d.i64(0)
                        .zip(d.i64(8))
                        .map(|(s, us)| format!("{{tv_sec={s}, tv_usec={us}}}")),
                ),
                libc::SCM_TIMESTAMPNS => (
                    "SCM_TIMESTAMPNS",
                    d.i64(0)
                        .zip(d.i64(8))
                        .map(|(s, ns)| format!("{{tv_sec={s}, tv_nsec={ns}}}")),
                ),
                3 => (
                    "SCM_SECURITY",
                    Some(strings::buf(data, data.len() as u64, false)),
                ),
                _ => ("", None),
            };
            ("SOL_SOCKET".to_string(), name, value)
        }
        libc::SOL_IP => {
            let (name, value) = match ty {
                libc::IP_TOS => ("IP_TOS", data.first().map(|t| format!("[{t:#x}]"))),
                libc::IP_TTL => ("IP_TTL", d.i32(0).map(|t| format!("[{t}]"))),
                libc::IP_PKTINFO => ("IP_PKTINFO", None),
                libc::IP_RECVERR => ("IP_RECVERR", None),
                libc::IP_ORIGDSTADDR => ("IP_ORIGDSTADDR", Some(strace_sockaddr(data))),
                _ => ("", None),
            };
            ("SOL_IP".to_string(), name, value)
        }
        l => (flags::format(FlagSet::SockLevel, l as u32 as u64), "", None),
    };
    let type_text = if type_name.is_empty() {
        format!("{ty:#x}")
    } else {
        type_name.to_string()
    };
    let data_text = value.map_or_else(String::new, |v| format!(", cmsg_data={v}"));
    format!("{{cmsg_len={cmsg_len}, cmsg_level={level_name}, cmsg_type={type_text}{data_text}}}")
}

/// sendmsg's or recvmsg's argument: `v` the message as the call left it (or as the caller
/// passed it, for a send), `enter` the receiving call's header on entry; `ret` the result.
pub(crate) fn msghdr_arg(v: &Arg, enter: Option<&Arg>, recv: bool, ret: Option<i64>) -> String {
    let Some(m) = first(v).and_then(Msg::of) else {
        return ptr(v.num().unwrap_or(0));
    };
    let namelen_in = match enter.and_then(first).and_then(Msg::of) {
        Some(e) if recv => Some(e.namelen()),
        _ => None,
    };
    let received = match ret {
        Some(r) if recv => Some(r.max(0) as u64),
        _ => None,
    };
    // a receive that failed: what the caller offered, as strace shows it
    if recv && m.body.is_none() && ret.is_some_and(|r| r < 0) {
        return format!("{{msg_namelen={}}}", m.namelen());
    }
    msghdr(&m, namelen_in, received)
}

/// sendmmsg's or recvmmsg's vector: `[{msg_hdr={…}, msg_len=6}, …]`. `ret`: the messages the
/// call sent or received; a send shows `msg_len` only for those.
pub(crate) fn mmsghdrs_arg(v: &Arg, recv: bool, ret: Option<i64>) -> String {
    let Arg::List(items) = v else {
        return ptr(v.num().unwrap_or(0));
    };
    let done = ret.map_or(0, |r| r.max(0) as usize);
    let parts: Vec<String> = items
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let m = Msg::of(a)?;
            let received = if recv {
                m.msg_len().map(u64::from)
            } else {
                None
            };
            let hdr = msghdr(&m, None, received);
            Some(match m.msg_len() {
                Some(l) if i < done => format!("{{msg_hdr={hdr}, msg_len={l}}}"),
                _ => format!("{{msg_hdr={hdr}}}"),
            })
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The first message of a message list, or a bare header (traces from before messages were
/// read).
fn first(v: &Arg) -> Option<&Arg> {
    match v {
        Arg::List(items) => items.first(),
        Arg::Mem(_) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(words: &[(usize, u64)], len: usize) -> Vec<u8> {
        let mut h = vec![0u8; len];
        for &(at, v) in words {
            h[at..at + 8].copy_from_slice(&v.to_ne_bytes());
        }
        h
    }

    fn cmsg_bytes(level: i32, ty: i32, data: &[u8]) -> Vec<u8> {
        let mut b = ((16 + data.len()) as u64).to_ne_bytes().to_vec();
        b.extend_from_slice(&level.to_ne_bytes());
        b.extend_from_slice(&ty.to_ne_bytes());
        b.extend_from_slice(data);
        b.resize((b.len() + 7) & !7, 0);
        b
    }

    #[test]
    fn control_messages_decode_as_strace_shows_them() {
        let fds = [3i32, 4]
            .iter()
            .flat_map(|f| f.to_ne_bytes())
            .collect::<Vec<_>>();
        let mut c = cmsg_bytes(libc::SOL_SOCKET, libc::SCM_RIGHTS, &fds);
        let creds = [1i32, 1000, 100]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect::<Vec<_>>();
        c.extend(cmsg_bytes(libc::SOL_SOCKET, libc::SCM_CREDENTIALS, &creds));
        c.extend(cmsg_bytes(libc::SOL_IP, libc::IP_TTL, &64i32.to_ne_bytes()));
        c.extend(cmsg_bytes(libc::SOL_TCP, 99, b"x"));
        assert_eq!(
            cmsgs(&c, c.len() as u64),
            "[{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3, 4]}, \
             {cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, \
             cmsg_data={pid=1, uid=1000, gid=100}}, \
             {cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=[64]}, \
             {cmsg_len=17, cmsg_level=SOL_TCP, cmsg_type=0x63}]"
        );
        // more control data than was captured
        assert!(cmsgs(&c[..24], 300).ends_with(", ...]"));
        // a length that would loop forever
        let mut bad = cmsg_bytes(libc::SOL_SOCKET, libc::SCM_RIGHTS, &[]);
        bad[..8].copy_from_slice(&0u64.to_ne_bytes());
        assert_eq!(
            cmsgs(&bad, 16),
            "[{cmsg_len=0, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[]}]"
        );
    }

    #[test]
    fn a_message_without_its_body_shows_its_addresses() {
        // a trace from before messages were read: the bare header
        let h = hdr(&[(0, 0x1000), (8, 16), (16, 0x2000), (24, 1)], 56);
        assert_eq!(
            msghdr_arg(&Arg::Mem(h.clone()), None, false, Some(6)),
            "{msg_name=0x1000, msg_namelen=16, msg_iov=0x2000, msg_iovlen=1, \
             msg_controllen=0, msg_flags=0}"
        );
        // a receive's enter alone (the exit lost): the same
        let enter = Arg::List(vec![Arg::List(vec![Arg::Mem(h)])]);
        assert!(msghdr_arg(&enter, None, true, None).starts_with("{msg_name=0x1000,"));
        assert_eq!(msghdr_arg(&Arg::Num(0x30), None, true, Some(-11)), "0x30");
    }

    #[test]
    fn a_received_message_shows_its_data_up_to_the_result() {
        let h = hdr(&[(16, 0x2000), (24, 2)], 64);
        let mut h = h;
        h[56..60].copy_from_slice(&5u32.to_ne_bytes()); // msg_len
        let iovs = vec![
            Arg::Buf {
                data: b"abc".to_vec(),
                len: 3,
            },
            Arg::Buf {
                data: b"de".to_vec(),
                len: 10,
            },
        ];
        let msg = Arg::List(vec![
            Arg::Mem(h),
            Arg::Mem(vec![]),
            Arg::Mem(vec![]),
            Arg::List(iovs),
        ]);
        let v = Arg::List(vec![msg.clone(), msg]);
        assert_eq!(
            mmsghdrs_arg(&v, true, Some(1)),
            "[{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"abc\", iov_len=3}, \
             {iov_base=\"de\", iov_len=10}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, \
             msg_len=5}, {msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"abc\", \
             iov_len=3}, {iov_base=\"de\", iov_len=10}], msg_iovlen=2, msg_controllen=0, \
             msg_flags=0}}]"
        );
    }
}
