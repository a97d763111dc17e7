//! Per-process resource samples (for `top` and `ps`), read from /proc once a second by both
//! engines: of the processes the capture has seen and, in a capture of the whole host, of every
//! process whose CPU time grew (one that computes without a syscall is seen by no other means).

use std::collections::HashMap;

use crate::event::{Event, EventKind, Record, Tid, CPU_UNKNOWN};

/// CPU time (ns), RSS and virtual size (KiB) of process `pid`, or `None` when it is gone.
pub fn sample(pid: Tid) -> Option<EventKind> {
    let cpu_ns = cpu_ns(pid)?;
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let mut m = statm.split_whitespace();
    let vsz_pages: u64 = m.next()?.parse().ok()?;
    let rss_pages: u64 = m.next()?.parse().ok()?;
    let page_kb = page_size() / 1024;
    Some(EventKind::Sample {
        cpu_ns,
        rss_kb: rss_pages * page_kb,
        vsz_kb: vsz_pages * page_kb,
    })
}

/// [`sample`] of process `pid` as the event both engines write, at `ts`.
pub fn record(pid: Tid, ts: u64) -> Option<Record> {
    Some(Record::Event(Event {
        ts,
        tid: pid,
        pid,
        cpu: CPU_UNKNOWN,
        kind: sample(pid)?,
    }))
}

/// CPU time (user and system, ns) of process `pid`, or `None` when it is gone.
pub fn cpu_ns(pid: Tid) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // fields after the parenthesised comm: state is field 3, utime 14, stime 15
    let (_, rest) = stat.rsplit_once(')')?;
    let mut f = rest.split_whitespace().skip(11);
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    let tick = crate::procfs::ticks_per_second();
    Some((utime + stime).saturating_mul(1_000_000_000) / tick)
}

/// The CPU time of every process of the host as last read: which of them ran since.
#[derive(Debug, Default)]
pub struct HostCpu {
    last: HashMap<Tid, u64>,
}

impl HostCpu {
    /// Every process's CPU time now (the base of the first [`HostCpu::ran`]).
    pub fn now() -> HostCpu {
        let last = crate::procfs::all_pids()
            .into_iter()
            .filter_map(|p| Some((p, cpu_ns(p)?)))
            .collect();
        HostCpu { last }
    }

    /// The processes whose CPU time grew since the last call (or that are new), leaving out
    /// `skip` (sampled anyway); forgets the processes gone.
    pub fn ran(&mut self, skip: impl Fn(Tid) -> bool) -> Vec<Tid> {
        let mut ran = Vec::new();
        let mut now = HashMap::with_capacity(self.last.len());
        for pid in crate::procfs::all_pids() {
            if skip(pid) {
                continue;
            }
            let Some(cpu) = cpu_ns(pid) else { continue };
            if self.last.get(&pid) != Some(&cpu) {
                ran.push(pid);
            }
            now.insert(pid, cpu);
        }
        self.last = now;
        ran
    }
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no memory effects.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as u64
    } else {
        4096
    }
}

/// Whether process `pid` still exists and is not a zombie.
pub fn alive(pid: Tid) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_has_a_plausible_sample() {
        let Some(EventKind::Sample { rss_kb, vsz_kb, .. }) = sample(std::process::id()) else {
            panic!("no sample of our own process");
        };
        assert!(rss_kb > 0 && vsz_kb >= rss_kb);
        assert!(alive(std::process::id()));
        assert!(sample(u32::MAX).is_none());
        assert!(cpu_ns(std::process::id()).is_some());
    }

    #[test]
    fn host_cpu_names_the_processes_that_ran() {
        let me = std::process::id();
        let mut host = HostCpu::now();
        // past the kernel's accounting tick (10 ms)
        let t = std::time::Instant::now();
        while t.elapsed() < std::time::Duration::from_millis(60) {
            std::hint::spin_loop();
        }
        assert!(host.ran(|_| false).contains(&me));
        let t = std::time::Instant::now();
        while t.elapsed() < std::time::Duration::from_millis(60) {
            std::hint::spin_loop();
        }
        assert!(!host.ran(|p| p == me).contains(&me), "left out when asked");
        assert!(!alive(u32::MAX));
    }
}
