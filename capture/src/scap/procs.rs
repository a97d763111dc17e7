//! The state blocks of a `.scap` file: process lists (every version), fd lists and user/group
//! lists, turned into [`Record::Thread`], [`Record::Fd`], [`Record::User`] and [`Record::Group`].

use crate::event::{FdInfo, FdKind, GroupInfo, L4Proto, Record, SockTuple, ThreadInfo, UserInfo};

use super::blocks::{trim_nul, Cursor, Overrun};
use super::flags;
use super::sockaddr;

/// Process list block types, oldest first, with the version each stands for.
pub const PROCLIST_TYPES: [(u32, u8); 12] = [
    (0x202, 1),
    (0x8000_ABCD, 1),
    (0x207, 2),
    (0x8013_ABCD, 2),
    (0x209, 3),
    (0x8014_ABCD, 3),
    (0x210, 4),
    (0x211, 5),
    (0x212, 6),
    (0x213, 7),
    (0x214, 8),
    (0x215, 9),
];
/// Fd list block types: (type, has per-entry lengths).
pub const FDLIST_TYPES: [(u32, bool); 3] = [(0x203, false), (0x8001_ABCD, false), (0x218, true)];
/// User list block types: (type, has per-entry lengths).
pub const USERLIST_TYPES: [(u32, bool); 3] = [(0x206, false), (0x8012_ABCD, false), (0x220, true)];

/// The process list version of block type `kind`.
pub fn proclist_version(kind: u32) -> Option<u8> {
    PROCLIST_TYPES.iter().find(|t| t.0 == kind).map(|t| t.1)
}

/// Parse a process list block of `version` (1..=9).
pub fn read_proclist(c: &mut Cursor, version: u8, out: &mut Vec<Record>) -> Result<(), Overrun> {
    while c.remaining() >= 4 {
        let start = c.pos();
        // Version 9 gives each entry its length (counting the length field itself), so that
        // fields appended later can be skipped.
        let entry_len = if version >= 9 {
            c.u32("process entry length")? as usize
        } else {
            0
        };
        let tid = c.u64("tid")?;
        let pid = c.u64("pid")?;
        let ptid = c.u64("ptid")?;
        if version >= 6 {
            c.u64("sid")?;
        }
        if version >= 8 {
            c.u64("vpgid")?;
        }
        let comm = c.str16("comm")?;
        let exe = c.str16("exe")?;
        let exepath = if version >= 7 {
            c.str16("exepath")?
        } else {
            Vec::new()
        };
        let argbuf = {
            let n = c.u16("args")? as usize;
            c.bytes(n, "args")?
        };
        let cwd = c.str16("cwd")?;
        c.u64("fdlimit")?;
        c.u32("flags")?;
        let uid = c.u32("uid")?;
        let gid = c.u32("gid")?;
        let (mut vtid, mut vpid, mut cgroups) = (-1i64, -1i64, Vec::new());
        let (mut vsz_kb, mut rss_kb) = (0, 0);
        if version >= 2 {
            vsz_kb = c.u32("vmsize_kb")?;
            rss_kb = c.u32("vmrss_kb")?;
            // vmswap_kb, page faults (major, minor)
            c.bytes(4 + 2 * 8, "memory counters")?;
            if version >= 3 {
                let n = c.u16("env")? as usize;
                c.bytes(n, "env")?;
            }
            if version >= 4 {
                vtid = c.i64("vtid")?;
                vpid = c.i64("vpid")?;
                let n = c.u16("cgroups")? as usize;
                cgroups = c.bytes(n, "cgroups")?.to_vec();
                if version >= 5 {
                    c.str16("root")?;
                }
            }
        }
        skip_to_entry_end(c, start, entry_len, "process entry length")?;
        let mut args = vec![exe.clone()];
        args.extend(split_nul(argbuf));
        out.push(Record::Thread(Box::new(ThreadInfo {
            tid: clamp_id(tid as i64),
            pid: clamp_id(pid as i64),
            ppid: clamp_id(ptid as i64),
            comm,
            exe: if exepath.is_empty() { exe } else { exepath },
            args,
            cwd,
            uid,
            gid,
            cgroup: pick_cgroup(&cgroups),
            start_ts: 0,
            vtid: clamp_id(vtid),
            vpid: clamp_id(vpid),
            cpu_ns: 0,
            rss_kb: rss_kb.into(),
            vsz_kb: vsz_kb.into(),
            // not in sysdig's process list
            pgid: 0,
            sid: 0,
            tty: 0,
            loginuid: crate::event::LOGINUID_UNSET,
        })));
    }
    Ok(())
}

/// A sysdig thread id (64-bit, -1 for none) as ours; 0 when absent or out of range.
pub fn clamp_id(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// The items of a NUL-separated list (execve args, cgroups), without empty trailing items.
pub fn split_nul(b: &[u8]) -> Vec<Vec<u8>> {
    let b = trim_nul(b);
    if b.is_empty() {
        return Vec::new();
    }
    b.split(|&x| x == 0).map(<[u8]>::to_vec).collect()
}

/// The cgroup path to keep from sysdig's `subsys=path` list: the unified (v2) entry when there
/// is one, else the first entry below the root (`blkio=/system.slice/x.service`, `cpu=/docker/ID`),
/// else the first entry.
pub fn pick_cgroup(list: &[u8]) -> Vec<u8> {
    let entries: Vec<(&[u8], &[u8])> = trim_nul(list)
        .split(|&x| x == 0)
        .filter(|e| !e.is_empty())
        .map(|e| match e.iter().position(|&x| x == b'=') {
            Some(i) => (&e[..i], &e[i + 1..]),
            None => (&e[..0], e),
        })
        .collect();
    let pick = entries
        .iter()
        .find(|(k, _)| k.is_empty() || *k == b"unified")
        .or_else(|| entries.iter().find(|(_, p)| p.len() > 1))
        .or_else(|| entries.first());
    pick.map(|(_, p)| p.to_vec()).unwrap_or_default()
}

/// Parse an fd list block (`sized`: entries carry their length, the version-2 layout).
pub fn read_fdlist(c: &mut Cursor, sized: bool, out: &mut Vec<Record>) -> Result<(), Overrun> {
    let pid = clamp_id(c.i64("fd list tid")?);
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry_len = if sized {
            c.u32("fd entry length")? as usize
        } else {
            0
        };
        let fd = c.i64("fd")?;
        c.u64("inode")?;
        let ty = c.u8("fd type")?;
        let mut info = FdInfo {
            pid,
            fd: i32::try_from(fd).unwrap_or(-1),
            kind: FdKind::Other,
            name: Vec::new(),
            sock: None,
            flags: 0,
        };
        match ty {
            // IPv4 / IPv6 socket: source ip, dest ip, source port, dest port, protocol.
            3 | 4 => {
                let (len, kind) = if ty == 3 {
                    (4, FdKind::Ipv4)
                } else {
                    (16, FdKind::Ipv6)
                };
                let ip = |b: &[u8]| {
                    if ty == 3 {
                        sockaddr::mapped_v4(b)
                    } else {
                        sockaddr::v6(b)
                    }
                };
                let sip = c.bytes(len, "source address")?;
                let dip = c.bytes(len, "dest address")?;
                let sport = c.u16("source port")?;
                let dport = c.u16("dest port")?;
                let proto = l4(c.u8("l4 protocol")?);
                let tuple = SockTuple {
                    proto,
                    local: (ip(sip), sport),
                    remote: (ip(dip), dport),
                };
                info.kind = kind;
                info.name = sockaddr::tuple_name(&tuple);
                info.sock = Some(tuple);
            }
            // Listening IPv4 / IPv6 sockets: one address.
            5 | 6 => {
                let (ip, kind) = if ty == 5 {
                    (
                        sockaddr::mapped_v4(c.bytes(4, "ipv4 address")?),
                        FdKind::Ipv4,
                    )
                } else {
                    (sockaddr::v6(c.bytes(16, "ipv6 address")?), FdKind::Ipv6)
                };
                let port = c.u16("port")?;
                let proto = l4(c.u8("l4 protocol")?);
                let tuple = SockTuple {
                    proto,
                    local: (ip, port),
                    remote: ([0; 16], 0),
                };
                info.kind = kind;
                info.name = sockaddr::endpoint_name(&ip, port);
                info.sock = Some(tuple);
            }
            // Unix socket: two kernel addresses and the path.
            8 => {
                c.u64("unix source")?;
                c.u64("unix dest")?;
                info.kind = FdKind::Unix;
                info.name = c.str16("unix path")?;
            }
            // Regular file with its open flags.
            16 => {
                info.flags = flags::open_flags(c.u32("open flags")? as u64) as u32;
                info.kind = FdKind::File;
                info.name = c.str16("file name")?;
            }
            _ => {
                info.kind = fd_kind(ty);
                info.name = c.str16("fd name")?;
            }
        }
        skip_to_entry_end(c, start, entry_len, "fd entry length")?;
        out.push(Record::Fd(info));
    }
    Ok(())
}

/// Our kind of fd for sysdig's `scap_fd_type` (the kinds that carry only a name).
fn fd_kind(ty: u8) -> FdKind {
    match ty {
        1 => FdKind::File,
        2 => FdKind::Directory,
        7 => FdKind::Pipe,
        9 => FdKind::Event,
        11 => FdKind::Signalfd,
        12 => FdKind::Eventpoll,
        13 => FdKind::Inotify,
        14 => FdKind::Timerfd,
        15 => FdKind::Netlink,
        20 => FdKind::Memfd,
        _ => FdKind::Other,
    }
}

/// Our protocol for sysdig's `scap_l4_proto`.
pub fn l4(p: u8) -> L4Proto {
    match p {
        2 => L4Proto::Tcp,
        3 => L4Proto::Udp,
        4 => L4Proto::Raw,
        _ => L4Proto::Unknown,
    }
}

/// Parse a user/group list block (`sized`: entries carry their length).
pub fn read_userlist(c: &mut Cursor, sized: bool, out: &mut Vec<Record>) -> Result<(), Overrun> {
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry_len = if sized {
            c.u32("user entry length")? as usize
        } else {
            0
        };
        if c.u8("user entry type")? == 0 {
            let uid = c.u32("uid")?;
            c.u32("gid")?;
            let name = c.str16("user name")?;
            let home = c.str16("home")?;
            let shell = c.str16("shell")?;
            out.push(Record::User(UserInfo {
                uid,
                name,
                home,
                shell,
            }));
        } else {
            let gid = c.u32("gid")?;
            let name = c.str16("group name")?;
            out.push(Record::Group(GroupInfo { gid, name }));
        }
        skip_to_entry_end(c, start, entry_len, "user entry length")?;
    }
    Ok(())
}

/// Move past the rest of a list entry whose declared length (`entry_len`, 0 when the list
/// version has none) runs from `start`: newer writers append fields this reader skips.
fn skip_to_entry_end(
    c: &mut Cursor,
    start: usize,
    entry_len: usize,
    what: &'static str,
) -> Result<(), Overrun> {
    if entry_len == 0 {
        return Ok(());
    }
    let end = start
        .checked_add(entry_len)
        .filter(|&e| e >= c.pos())
        .ok_or(Overrun { at: start, what })?;
    c.seek(end, what)
}

#[cfg(test)]
mod tests {
    use super::super::blocks::Endian;
    use super::*;

    fn s16(v: &mut Vec<u8>, s: &[u8]) {
        v.extend_from_slice(&(s.len() as u16).to_le_bytes());
        v.extend_from_slice(s);
    }

    /// One process entry of version `ver` (4 or 9) for tid 42 in pid 40.
    fn proc_entry(ver: u8) -> Vec<u8> {
        let mut e = Vec::new();
        for v in [42u64, 40, 1] {
            e.extend_from_slice(&v.to_le_bytes());
        }
        if ver >= 6 {
            e.extend_from_slice(&7u64.to_le_bytes());
        }
        if ver >= 8 {
            e.extend_from_slice(&7u64.to_le_bytes());
        }
        s16(&mut e, b"curl");
        s16(&mut e, b"curl");
        if ver >= 7 {
            s16(&mut e, b"/usr/bin/curl");
        }
        s16(&mut e, b"-s\0google.com\0");
        s16(&mut e, b"/root");
        e.extend_from_slice(&1024u64.to_le_bytes());
        e.extend_from_slice(&0u32.to_le_bytes());
        e.extend_from_slice(&1000u32.to_le_bytes());
        e.extend_from_slice(&100u32.to_le_bytes());
        e.extend_from_slice(&[0; 28]);
        s16(&mut e, b"HOME=/root\0");
        e.extend_from_slice(&3i64.to_le_bytes());
        e.extend_from_slice(&1i64.to_le_bytes());
        s16(&mut e, b"cpuset=/docker/abc\0memory=/docker/abc\0");
        if ver >= 5 {
            s16(&mut e, b"/");
        }
        if ver >= 9 {
            e.extend_from_slice(&[0xee; 13]); // fields a newer writer appended
            let mut sized = ((e.len() + 4) as u32).to_le_bytes().to_vec();
            sized.extend(e);
            return sized;
        }
        e
    }

    #[test]
    fn proclist_v4_and_v9() {
        for ver in [4, 9] {
            let mut body = proc_entry(ver);
            body.extend(proc_entry(ver));
            body.extend_from_slice(&[0, 0]); // padding
            let mut out = Vec::new();
            read_proclist(&mut Cursor::new(&body, Endian::Little), ver, &mut out).unwrap();
            assert_eq!(out.len(), 2, "version {ver}");
            let Record::Thread(t) = &out[1] else {
                panic!("{out:?}")
            };
            assert_eq!((t.tid, t.pid, t.ppid, t.uid, t.gid), (42, 40, 1, 1000, 100));
            assert_eq!(
                t.args,
                vec![b"curl".to_vec(), b"-s".to_vec(), b"google.com".to_vec()]
            );
            assert_eq!(t.cwd, b"/root");
            assert_eq!(t.cgroup, b"/docker/abc");
            assert_eq!((t.vtid, t.vpid), (3, 1));
            let exe: &[u8] = if ver >= 7 { b"/usr/bin/curl" } else { b"curl" };
            assert_eq!(t.exe, exe);
        }
    }

    #[test]
    fn proclist_cut_short_is_an_overrun() {
        let body = proc_entry(4);
        let mut out = Vec::new();
        let r = read_proclist(
            &mut Cursor::new(&body[..body.len() - 3], Endian::Little),
            4,
            &mut out,
        );
        assert!(r.is_err());
    }

    #[test]
    fn fdlist_entries() {
        let mut body = 40u64.to_le_bytes().to_vec();
        // fd 3: IPv4 TCP 10.0.0.1:5000 -> 8.8.8.8:53
        body.extend_from_slice(&3i64.to_le_bytes());
        body.extend_from_slice(&0u64.to_le_bytes());
        body.push(3);
        body.extend_from_slice(&[10, 0, 0, 1, 8, 8, 8, 8]);
        body.extend_from_slice(&5000u16.to_le_bytes());
        body.extend_from_slice(&53u16.to_le_bytes());
        body.push(2);
        // fd 4: a file opened O_WRONLY|O_CREAT (sysdig's encoding)
        body.extend_from_slice(&4i64.to_le_bytes());
        body.extend_from_slice(&0u64.to_le_bytes());
        body.push(16);
        body.extend_from_slice(&(2u32 | 4).to_le_bytes());
        s16(&mut body, b"/tmp/out");
        let mut out = Vec::new();
        read_fdlist(&mut Cursor::new(&body, Endian::Little), false, &mut out).unwrap();
        let Record::Fd(sock) = &out[0] else { panic!() };
        assert_eq!((sock.pid, sock.fd, sock.kind), (40, 3, FdKind::Ipv4));
        assert_eq!(sock.name, b"10.0.0.1:5000->8.8.8.8:53");
        assert_eq!(sock.sock.unwrap().proto, L4Proto::Tcp);
        let Record::Fd(file) = &out[1] else { panic!() };
        assert_eq!((file.fd, file.kind), (4, FdKind::File));
        assert_eq!(file.flags, (libc::O_WRONLY | libc::O_CREAT) as u32);
    }

    #[test]
    fn userlist_users_and_groups() {
        let mut body = Vec::new();
        let mut user = vec![0u8];
        user.extend_from_slice(&0u32.to_le_bytes());
        user.extend_from_slice(&0u32.to_le_bytes());
        s16(&mut user, b"root");
        s16(&mut user, b"/root");
        s16(&mut user, b"/bin/bash");
        body.extend_from_slice(&((user.len() + 4) as u32).to_le_bytes());
        body.extend(user);
        let mut group = vec![1u8];
        group.extend_from_slice(&100u32.to_le_bytes());
        s16(&mut group, b"users");
        body.extend_from_slice(&((group.len() + 4) as u32).to_le_bytes());
        body.extend(group);
        let mut out = Vec::new();
        read_userlist(&mut Cursor::new(&body, Endian::Little), true, &mut out).unwrap();
        assert!(matches!(&out[0], Record::User(u) if u.name == b"root" && u.shell == b"/bin/bash"));
        assert!(matches!(&out[1], Record::Group(g) if g.gid == 100 && g.name == b"users"));
    }

    #[test]
    fn cgroup_choice() {
        assert_eq!(pick_cgroup(b"cpu=/\0memory=/docker/x\0"), b"/docker/x");
        assert_eq!(pick_cgroup(b"cpu=/a\0=/unified/b\0"), b"/unified/b");
        assert_eq!(pick_cgroup(b""), b"");
    }
}
