//! Open fds of one process: `/proc/PID/fd/N` links, `/proc/PID/fdinfo/N` flags, sockets joined
//! with the socket tables.

use crate::event::{FdInfo, FdKind};

use super::net::{bracketed, SocketCache};
use super::process::link;

/// Every fd of `pid` that could be read; empty when none could (gone, or not permitted).
pub fn fds(pid: u32, sockets: &mut SocketCache) -> Vec<FdInfo> {
    let dir = format!("/proc/{pid}/fd");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut nums: Vec<i32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    nums.sort_unstable();
    let mut out = Vec::with_capacity(nums.len());
    for fd in nums {
        let target = link(&format!("{dir}/{fd}"));
        if target.is_empty() {
            continue; // closed meanwhile
        }
        let flags = std::fs::read(format!("/proc/{pid}/fdinfo/{fd}"))
            .map(|b| fdinfo_flags(&b))
            .unwrap_or(0);
        let mut info = FdInfo {
            pid,
            fd,
            kind: FdKind::Other,
            name: target.clone(),
            sock: None,
            flags,
        };
        if target.starts_with(b"socket:") {
            if let Some(s) = bracketed(&target).and_then(|ino| sockets.lookup(pid, ino)) {
                info.kind = s.kind;
                info.sock = s.tuple;
                info.name = s.name.clone();
            }
        } else if target.starts_with(b"/") {
            info.kind = if target.starts_with(b"/memfd:") {
                FdKind::Memfd
            } else if std::fs::metadata(format!("{dir}/{fd}")).is_ok_and(|m| m.is_dir()) {
                FdKind::Directory
            } else {
                FdKind::File
            };
        } else {
            info.kind = kind_of_link(&target);
        }
        out.push(info);
    }
    out
}

/// The kind of a non-path, non-socket fd from its link text.
fn kind_of_link(t: &[u8]) -> FdKind {
    match t {
        _ if t.starts_with(b"pipe:") => FdKind::Pipe,
        b"anon_inode:[eventfd]" => FdKind::Event,
        b"anon_inode:[signalfd]" => FdKind::Signalfd,
        b"anon_inode:[eventpoll]" => FdKind::Eventpoll,
        b"anon_inode:inotify" => FdKind::Inotify,
        b"anon_inode:[timerfd]" => FdKind::Timerfd,
        _ => FdKind::Other,
    }
}

/// The `flags:` line of an fdinfo file (octal).
fn fdinfo_flags(b: &[u8]) -> u32 {
    String::from_utf8_lossy(b)
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn kinds_from_links() {
        assert_eq!(kind_of_link(b"pipe:[5]"), FdKind::Pipe);
        assert_eq!(kind_of_link(b"anon_inode:[eventpoll]"), FdKind::Eventpoll);
        assert_eq!(kind_of_link(b"anon_inode:inotify"), FdKind::Inotify);
        assert_eq!(kind_of_link(b"anon_inode:[pidfd]"), FdKind::Other);
        assert_eq!(fdinfo_flags(b"pos:\t0\nflags:\t02100002\n"), 0o2100002);
        assert_eq!(fdinfo_flags(b"junk"), 0);
    }

    #[test]
    fn our_own_fds() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let dir = std::fs::File::open("/proc").unwrap();
        let sock_path =
            std::env::temp_dir().join(format!("syspect-fds-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&sock_path);
        let unix = std::os::unix::net::UnixListener::bind(&sock_path).unwrap();
        let me = std::process::id();
        let fds = fds(me, &mut SocketCache::default());
        let get = |fd: i32| fds.iter().find(|f| f.fd == fd).unwrap();
        let l = get(listener.as_raw_fd());
        assert_eq!(l.kind, FdKind::Ipv4);
        assert_eq!(l.name, format!("127.0.0.1:{port}").into_bytes());
        let c = get(client.as_raw_fd());
        assert_eq!(c.sock.unwrap().remote.1, port);
        assert_eq!(get(dir.as_raw_fd()).kind, FdKind::Directory);
        let u = get(unix.as_raw_fd());
        assert_eq!(u.kind, FdKind::Unix);
        assert_eq!(u.name, sock_path.as_os_str().as_encoded_bytes());
        assert!(get(dir.as_raw_fd()).flags & libc::O_CLOEXEC as u32 != 0);
        std::fs::remove_file(&sock_path).ok();
    }
}
