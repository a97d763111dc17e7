//! The /proc snapshot: threads, their open fds, users and groups, as the records a trace starts
//! with (and a rotated file starts again with), so that a reader knows the processes that
//! existed before the capture began.
//!
//! Processes that end during the walk are skipped silently; an item the caller may not read
//! (another user's fds without privilege) is left out, the rest of its process kept.
//!
//! ```
//! use syspect_capture::{procfs, Record};
//! let me = std::process::id();
//! let recs = procfs::snapshot_pids(&[me]);
//! assert!(recs.iter().any(|r| matches!(r, Record::Thread(t) if t.tid == me)));
//! assert!(recs.iter().any(|r| matches!(r, Record::User(u) if u.uid == 0)));
//! ```

mod diag;
mod fds;
mod net;
mod process;
mod users;

use std::collections::HashMap;

use crate::event::Record;

pub use net::inet_ends;
pub use process::cgroup_path;
pub use users::{groups, users};

/// Wall-clock now, ns since the Unix epoch.
pub fn now_ns() -> u64 {
    clock_ns(libc::CLOCK_REALTIME)
}

/// Boot time as wall-clock ns: now on the real-time clock minus the time since boot
/// (`CLOCK_BOOTTIME`, which counts suspend as /proc's start times do).
pub fn boot_time_ns() -> u64 {
    now_ns().saturating_sub(clock_ns(libc::CLOCK_BOOTTIME))
}

/// Clock ticks per second of /proc's times (`_SC_CLK_TCK`, 100 when it cannot be read).
pub fn ticks_per_second() -> u64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(hz).ok().filter(|&h| h > 0).unwrap_or(100)
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec.
    if unsafe { libc::clock_gettime(clock, &mut t) } != 0 {
        return 0;
    }
    (t.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(t.tv_nsec as u64)
}

/// Every process and thread on the host, their fds, and the users and groups.
pub fn snapshot() -> Vec<Record> {
    snapshot_pids(&all_pids())
}

/// The thread records of process `pid` alone (no fds, users or groups); empty when it is gone.
pub fn threads_of(pid: u32) -> Vec<Record> {
    process::threads(pid, &process::Clock::new())
        .unwrap_or_default()
        .into_iter()
        .map(|t| Record::Thread(Box::new(t)))
        .collect()
}

/// Every process of the host (the numeric entries of /proc).
pub fn all_pids() -> Vec<u32> {
    match std::fs::read_dir("/proc") {
        Ok(dir) => dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The processes `pids` (every thread of each) and their fds, and the users and groups.
/// Pids that do not exist are skipped.
pub fn snapshot_pids(pids: &[u32]) -> Vec<Record> {
    let mut out: Vec<Record> = users().into_iter().map(Record::User).collect();
    out.extend(groups().into_iter().map(Record::Group));
    let clock = process::Clock::new();
    let mut sockets = net::SocketCache::default();
    let mut fd_records = Vec::new();
    let mut seen = HashMap::new();
    for &pid in pids {
        if seen.insert(pid, ()).is_some() {
            continue;
        }
        let Some(threads) = process::threads(pid, &clock) else {
            continue;
        };
        out.extend(threads.into_iter().map(|v| Record::Thread(Box::new(v))));
        fd_records.extend(fds::fds(pid, &mut sockets).into_iter().map(Record::Fd));
    }
    out.extend(fd_records);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_time_is_in_the_past() {
        let b = boot_time_ns();
        assert!(b > 0 && b < now_ns());
    }

    #[test]
    fn whole_host_snapshot_has_init_and_us() {
        let t = std::time::Instant::now();
        let recs = snapshot();
        eprintln!("snapshot: {} records in {:?}", recs.len(), t.elapsed());
        let me = std::process::id();
        assert!(recs
            .iter()
            .any(|r| matches!(r, Record::Thread(t) if t.pid == me && t.tid == me)));
        assert!(recs
            .iter()
            .any(|r| matches!(r, Record::Fd(f) if f.pid == me)));
    }

    #[test]
    fn missing_pids_are_skipped() {
        let recs = snapshot_pids(&[u32::MAX - 1]);
        assert!(!recs
            .iter()
            .any(|r| matches!(r, Record::Thread(_) | Record::Fd(_))));
    }
}
