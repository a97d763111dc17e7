use std::process::Stdio;
use std::time::Duration;

use crate::util::*;

/// A complete trace of a small command that lasts more than a second: frames close at least
/// every second, so the file holds several.
fn small_trace(d: &TempDir) -> Vec<u8> {
    let t = d.join_str("t.spt");
    let o = run(&[
        "capture",
        "--engine",
        "ptrace",
        "-w",
        &t,
        "--",
        "sh",
        "-c",
        "cat /etc/hostname; sleep 1.3; ls / >/dev/null",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read(&t).expect("trace")
}

fn read_lines(path: &str) -> (Option<i32>, usize, String) {
    let o = run(&["read", path]);
    assert!(
        !stderr(&o).contains("panicked"),
        "reader panicked: {}",
        stderr(&o)
    );
    (o.status.code(), stdout(&o).lines().count(), stderr(&o))
}

#[test]
fn a_capture_killed_with_sigkill_reads_to_its_last_frame() {
    let d = TempDir::new("sigkill");
    let t = d.join_str("t.spt");
    let mut cap = syspect()
        .args(["capture", "--engine", "ptrace", "-w", &t, "--", "sh", "-c"])
        .arg("while :; do cat /etc/hostname; done")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    // Frames close at least every second.
    std::thread::sleep(Duration::from_millis(2600));
    cap.kill().expect("SIGKILL");
    cap.wait().ok();
    let (code, lines, err) = read_lines(&t);
    assert_eq!(code, Some(0), "a killed capture is readable: {err}");
    assert!(lines > 100, "events up to the last closed frame: {lines}");
    assert!(err.contains("warning"), "says the file ends early: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn truncated_traces_read_up_to_the_damage() {
    let d = TempDir::new("truncated");
    let full = small_trace(&d);
    let (code, all, _) = read_lines(&d.join_str("t.spt"));
    assert_eq!(code, Some(0));
    let cut = d.join_str("cut.spt");
    let mut seen_partial = false;
    for len in (0..full.len()).step_by((full.len() / 97).max(1)) {
        std::fs::write(&cut, &full[..len]).expect("write");
        let (code, lines, err) = read_lines(&cut);
        match code {
            Some(0) => {
                assert!(lines <= all, "never more than the whole: {lines} > {all}");
                if lines < all {
                    assert!(
                        err.contains("warning"),
                        "cut at {len}: silent about missing events: {err}"
                    );
                }
                seen_partial |= lines > 0 && lines < all;
            }
            Some(1) => assert_eq!(err.lines().count(), 1, "cut at {len}: one line: {err}"),
            other => panic!("cut at {len}: exit {other:?}: {err}"),
        }
    }
    assert!(seen_partial, "some cut reads a prefix of the events");
}

#[test]
fn corrupted_traces_fail_cleanly() {
    let d = TempDir::new("corrupt");
    let full = small_trace(&d);
    let bad = d.join_str("bad.spt");
    let mut failures = 0;
    for at in (64..full.len()).step_by((full.len() / 53).max(1)) {
        let mut b = full.clone();
        b[at] ^= 0x5a;
        std::fs::write(&bad, &b).expect("write");
        let (code, _, err) = read_lines(&bad);
        assert!(
            matches!(code, Some(0) | Some(1)),
            "flip at {at}: exit {code:?}: {err}"
        );
        if code == Some(1) {
            failures += 1;
            assert_eq!(err.lines().count(), 1, "flip at {at}: one line: {err}");
        }
    }
    assert!(failures > 0, "damage is noticed");
}

#[test]
fn foreign_files_are_refused_in_one_line() {
    let d = TempDir::new("foreign");
    let empty = d.join_str("empty.spt");
    std::fs::write(&empty, b"").expect("write");
    for f in ["/bin/sh", empty.as_str(), "/etc/hostname"] {
        let (code, _, err) = read_lines(f);
        assert_eq!(code, Some(1), "{f}: {err}");
        assert_eq!(err.lines().count(), 1, "{f}: {err}");
        assert!(err.contains("not a syspect trace"), "{f}: {err}");
    }
}

#[test]
fn rotated_files_read_back_as_one_capture() {
    let d = TempDir::new("rotate");
    let base = d.join_str("r.spt");
    let o = run(&[
        "capture",
        "--engine",
        "ptrace",
        "-w",
        &base,
        "-G",
        "1",
        "--",
        "sh",
        "-c",
        "for i in 1 2 3; do cat /etc/hostname >/dev/null; sleep 0.7; done",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files: Vec<String> = (0..10)
        .map(|i| format!("{base}{i}"))
        .filter(|f| std::path::Path::new(f).exists())
        .collect();
    assert!(
        files.len() >= 2,
        "-G 1 over ~2 s makes several files: {files:?}"
    );
    // Each file reads on its own, and all of them by the base name as one capture that holds
    // the three cats in time order, each naming its file.
    for f in &files {
        assert_eq!(run(&["read", f]).status.code(), Some(0), "{f}");
    }
    let all = stdout(&run(&[
        "read",
        &base,
        "-p",
        "%evt.rawtime %fd.name",
        "evt.type=openat and fd.name=/etc/hostname",
    ]));
    let times: Vec<u64> = all
        .lines()
        .filter_map(|l| l.split(' ').next()?.parse().ok())
        .collect();
    assert_eq!(times.len(), 3, "{all}");
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "time order: {all}");
    // Listing the files gives the same events as the base name.
    let mut args = vec!["read"];
    args.extend(files.iter().map(String::as_str));
    let listed = run(&args);
    assert_eq!(stdout(&listed), stdout(&run(&["read", &base])));

    // -W 2 keeps a ring of two files.
    let ring = d.join_str("ring.spt");
    let o = run(&[
        "capture",
        "--engine",
        "ptrace",
        "-w",
        &ring,
        "-G",
        "1",
        "-W",
        "2",
        "--",
        "sh",
        "-c",
        "sleep 0.6; sleep 0.6; sleep 0.6; sleep 0.6",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::path::Path::new(&format!("{ring}0")).exists());
    assert!(std::path::Path::new(&format!("{ring}1")).exists());
    assert!(
        !std::path::Path::new(&format!("{ring}2")).exists(),
        "the ring holds two files"
    );
}
