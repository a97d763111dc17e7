//! Per-process resource samples (for `top`), read from /proc once a second by both engines for
//! the processes the capture has seen.

use crate::event::{EventKind, Tid};

/// CPU time (ns), RSS and virtual size (KiB) of process `pid`, or `None` when it is gone.
pub fn sample(pid: Tid) -> Option<EventKind> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    // fields after the parenthesised comm: state is field 3, utime 14, stime 15
    let (_, rest) = stat.rsplit_once(')')?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    let mut m = statm.split_whitespace();
    let vsz_pages: u64 = m.next()?.parse().ok()?;
    let rss_pages: u64 = m.next()?.parse().ok()?;
    let tick = crate::procfs::ticks_per_second();
    let page_kb = page_size() / 1024;
    Some(EventKind::Sample {
        cpu_ns: (utime + stime).saturating_mul(1_000_000_000) / tick,
        rss_kb: rss_pages * page_kb,
        vsz_kb: vsz_pages * page_kb,
    })
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
        assert!(!alive(u32::MAX));
    }
}
