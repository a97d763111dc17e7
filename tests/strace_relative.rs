//! `syspect strace --relative-timestamps` (strace's `-r`): each line starts with the time
//! since the previous line's call began, in strace's layout (`%6d.%06d `).

use regex::Regex;

use crate::util::*;

#[test]
fn relative_timestamps_measure_the_time_between_calls() {
    let o = syspect()
        .args([
            "strace",
            "--relative-timestamps",
            "--engine",
            "ptrace",
            "-qq",
            "-e",
            "trace=openat",
            "--",
            "sh",
            "-c",
            "cat /etc/hostname; sleep 0.3; cat /etc/hostname",
        ])
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("syspect strace runs");
    assert!(o.status.success(), "{}", stderr(&o));
    // after the thread's `[pid N]`, as strace puts it
    let line =
        Regex::new(r"^(?:\[pid +\d+\] )? {0,5}(\d+)\.(\d{6}) (openat\(|--- SIGCHLD)").unwrap();
    let mut deltas = Vec::new();
    for l in stderr(&o).lines() {
        let c = line
            .captures(l)
            .unwrap_or_else(|| panic!("not a relative line: {l:?}"));
        deltas.push(c[1].parse::<u64>().unwrap() * 1_000_000 + c[2].parse::<u64>().unwrap());
    }
    assert!(deltas.len() > 4, "{deltas:?}");
    assert_eq!(deltas[0], 0, "the first line is 0.000000");
    // the lines around the sleep (its last openat, the SIGCHLD of its end) are a third of a
    // second apart; one of them says so
    assert!(deltas.iter().any(|&d| d >= 290_000), "{deltas:?}");
    // times between lines, not since the start: they go down as well as up
    assert!(deltas.windows(2).any(|w| w[1] < w[0]), "{deltas:?}");
}
