//! Threads of one process from `/proc/PID` and `/proc/PID/task/TID`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::event::ThreadInfo;

/// What turns `/proc/PID/stat`'s start time (clock ticks since boot) into wall-clock ns.
pub struct Clock {
    boot_ns: u64,
    ticks_per_s: u64,
}

impl Clock {
    pub fn new() -> Clock {
        Clock {
            boot_ns: super::boot_time_ns(),
            ticks_per_s: super::ticks_per_second(),
        }
    }

    fn wall_ns(&self, ticks: u64) -> u64 {
        let secs = ticks / self.ticks_per_s;
        let rest = ticks % self.ticks_per_s;
        self.boot_ns
            .saturating_add(secs.saturating_mul(1_000_000_000))
            .saturating_add(rest * 1_000_000_000 / self.ticks_per_s)
    }
}

/// Every thread of process `pid`, its main thread first; `None` when the process is gone (or
/// is not a process: a thread id that is not a group leader).
pub fn threads(pid: u32, clock: &Clock) -> Option<Vec<ThreadInfo>> {
    let dir = format!("/proc/{pid}");
    let status = std::fs::read(format!("{dir}/status")).ok()?;
    let status = Status::parse(&status);
    if status.tgid != Some(pid) {
        return None;
    }
    let stat = Stat::parse(&std::fs::read(format!("{dir}/stat")).ok()?)?;
    let main = ThreadInfo {
        tid: pid,
        pid,
        ppid: stat.ppid,
        comm: stat.comm.clone(),
        exe: link(&format!("{dir}/exe")),
        args: std::fs::read(format!("{dir}/cmdline"))
            .map(|b| split_nul(&b))
            .unwrap_or_default(),
        cwd: link(&format!("{dir}/cwd")),
        uid: status.uid,
        gid: status.gid,
        cgroup: std::fs::read(format!("{dir}/cgroup"))
            .map(|b| cgroup_path(&b))
            .unwrap_or_default(),
        start_ts: clock.wall_ns(stat.start_ticks),
        vtid: status.nspid,
        vpid: status.nspid,
        cpu_ns: stat.cpu_ticks.saturating_mul(1_000_000_000) / clock.ticks_per_s,
        rss_kb: status.rss_kb,
        vsz_kb: status.vsz_kb,
        pgid: stat.pgid,
        sid: stat.sid,
        tty: stat.tty,
        loginuid: std::fs::read_to_string(format!("{dir}/loginuid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(crate::event::LOGINUID_UNSET),
    };
    let mut out = Vec::new();
    if let Ok(tasks) = std::fs::read_dir(format!("{dir}/task")) {
        for t in tasks.flatten() {
            let Some(tid) = t.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if tid == pid {
                continue;
            }
            let tdir = format!("{dir}/task/{tid}");
            // A thread that ended meanwhile is skipped.
            let Some(tstat) = std::fs::read(format!("{tdir}/stat"))
                .ok()
                .and_then(|b| Stat::parse(&b))
            else {
                continue;
            };
            // Outside a pid namespace a thread's id is its own: skip reading its status.
            let vtid = if status.nspid == pid || status.nspid == 0 {
                tid
            } else {
                std::fs::read(format!("{tdir}/status"))
                    .map(|b| Status::parse(&b).nspid)
                    .unwrap_or(0)
            };
            out.push(ThreadInfo {
                tid,
                comm: tstat.comm,
                start_ts: clock.wall_ns(tstat.start_ticks),
                vtid,
                cpu_ns: 0,
                rss_kb: 0,
                vsz_kb: 0,
                ..main.clone()
            });
        }
    }
    out.sort_by_key(|t| t.tid);
    out.insert(0, main);
    Some(out)
}

/// The target of a /proc symlink, empty when it cannot be read.
pub fn link(path: &str) -> Vec<u8> {
    std::fs::read_link(path)
        .map(|p| p.into_os_string().into_encoded_bytes())
        .unwrap_or_default()
}

/// `a\0b\0` → `[a, b]`.
fn split_nul(b: &[u8]) -> Vec<Vec<u8>> {
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    if b.is_empty() {
        return Vec::new();
    }
    b.split(|&c| c == 0).map(<[u8]>::to_vec).collect()
}

/// The cgroup path that names a container: the unified (v2) line's path unless it is the
/// root, else the first v1 line's path that is not the root, else `/`.
pub fn cgroup_path(b: &[u8]) -> Vec<u8> {
    let mut first_v1: Option<&[u8]> = None;
    for line in b.split(|&c| c == b'\n') {
        let mut parts = line.splitn(3, |&c| c == b':');
        let (Some(id), Some(_), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if path == b"/" {
            continue;
        }
        if id == b"0" {
            return path.to_vec();
        }
        first_v1.get_or_insert(path);
    }
    first_v1.unwrap_or(b"/").to_vec()
}

/// The fields used from `/proc/PID/stat`.
struct Stat {
    comm: Vec<u8>,
    ppid: u32,
    pgid: u32,
    sid: u32,
    /// `tty_nr`: the controlling terminal's device number.
    tty: u32,
    start_ticks: u64,
    /// utime + stime, clock ticks.
    cpu_ticks: u64,
}

impl Stat {
    fn parse(b: &[u8]) -> Option<Stat> {
        // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so cut at the last ')'.
        let open = b.iter().position(|&c| c == b'(')?;
        let close = b.iter().rposition(|&c| c == b')')?;
        let comm = b.get(open + 1..close)?.to_vec();
        let rest = OsStr::from_bytes(b.get(close + 1..)?).to_str()?;
        let f: Vec<&str> = rest.split_ascii_whitespace().collect();
        // f[0] is field 3 (state); field N is f[N - 3].
        Some(Stat {
            comm,
            ppid: f.get(1)?.parse().ok()?,
            pgid: f.get(2)?.parse().ok()?,
            sid: f.get(3)?.parse().ok()?,
            tty: f.get(4)?.parse::<i64>().ok()? as u32,
            start_ticks: f.get(19)?.parse().ok()?,
            cpu_ticks: f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?,
        })
    }
}

/// The fields used from `/proc/PID/status`.
#[derive(Default)]
struct Status {
    tgid: Option<u32>,
    /// Effective ids, as sysdig's `user.uid` shows.
    uid: u32,
    gid: u32,
    /// The id in the innermost pid namespace (`NSpid`'s last field), 0 when absent.
    nspid: u32,
    /// `VmRSS` and `VmSize`, KiB (0 for a kernel thread).
    rss_kb: u64,
    vsz_kb: u64,
}

impl Status {
    fn parse(b: &[u8]) -> Status {
        let mut s = Status::default();
        let text = String::from_utf8_lossy(b);
        for line in text.lines() {
            let Some((key, val)) = line.split_once(':') else {
                continue;
            };
            let mut nums = val.split_ascii_whitespace().map(|v| v.parse::<u32>().ok());
            match key {
                "Tgid" => s.tgid = nums.next().flatten(),
                "Uid" => s.uid = nums.nth(1).flatten().unwrap_or(0),
                "Gid" => s.gid = nums.nth(1).flatten().unwrap_or(0),
                "NSpid" => s.nspid = nums.next_back().flatten().unwrap_or(0),
                "VmRSS" => s.rss_kb = nums.next().flatten().unwrap_or(0).into(),
                "VmSize" => s.vsz_kb = nums.next().flatten().unwrap_or(0).into(),
                _ => {}
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_tricky_comm() {
        let s = Stat::parse(
            b"42 (a) b (c)) S 7 42 42 0 -1 4194560 1 0 0 0 5 6 0 0 20 0 1 0 1234 1 2 3",
        )
        .unwrap();
        assert_eq!(s.comm, b"a) b (c)");
        assert_eq!(s.ppid, 7);
        assert_eq!(s.start_ticks, 1234);
        assert_eq!(s.cpu_ticks, 11);
        assert!(Stat::parse(b"42 (x").is_none());
        assert!(Stat::parse(b"").is_none());
    }

    #[test]
    fn status_fields() {
        let s = Status::parse(
            b"Name:\tx\nTgid:\t9\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\nNSpid:\t900\t1\nVmSize:\t    5544 kB\nVmRSS:\t    1056 kB\n",
        );
        assert_eq!((s.tgid, s.uid, s.gid, s.nspid), (Some(9), 2, 6, 1));
        assert_eq!((s.rss_kb, s.vsz_kb), (1056, 5544));
    }

    #[test]
    fn cgroup_choice() {
        assert_eq!(cgroup_path(b"0::/docker/abc\n1:cpu:/x\n"), b"/docker/abc");
        assert_eq!(cgroup_path(b"4:memory:/docker/abc\n0::/\n"), b"/docker/abc");
        assert_eq!(cgroup_path(b"0::/\n"), b"/");
        assert_eq!(cgroup_path(b""), b"/");
    }

    #[test]
    fn cmdline_split() {
        assert_eq!(split_nul(b"ls\0-l\0"), vec![b"ls".to_vec(), b"-l".to_vec()]);
        assert!(split_nul(b"").is_empty());
    }

    #[test]
    fn this_process_and_its_threads() {
        let me = std::process::id();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let t = std::thread::spawn(move || {
            let _ = rx.recv();
        });
        let ts = threads(me, &Clock::new()).unwrap();
        drop(tx);
        t.join().unwrap();
        assert_eq!(ts[0].tid, me);
        assert!(ts.len() >= 2, "{ts:?}");
        assert!(ts.iter().all(|t| t.pid == me && t.ppid == ts[0].ppid));
        assert!(!ts[0].exe.is_empty() && !ts[0].args.is_empty() && !ts[0].cwd.is_empty());
        let age = super::super::now_ns() - ts[0].start_ts;
        assert!(age < 3_600 * 1_000_000_000, "start time {age} ns ago");
    }
}
