use crate::util::*;

#[test]
fn help_shows_examples_and_subcommands() {
    let o = run(&["--help"]);
    assert!(o.status.success());
    let s = stdout(&o);
    for word in ["capture", "read", "strace", "Examples:"] {
        assert!(s.contains(word), "--help lacks {word}:\n{s}");
    }
}

#[test]
fn version_is_the_crate_version() {
    let o = run(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o).trim(),
        format!("syspect {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_flag_is_a_usage_error() {
    let o = run(&["read", "--no-such-flag", "x.spt"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn ptrace_without_target_is_a_usage_error() {
    let o = run(&["capture", "--engine", "ptrace"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("-- COMMAND"), "{}", stderr(&o));
}

#[test]
fn a_zero_count_duration_or_file_limit_is_a_usage_error() {
    for args in [
        &["capture", "-n", "0", "--", "true"][..],
        &["capture", "-M", "0", "--", "true"],
        &["capture", "-w", "x.spt", "-C", "0", "--", "true"],
        &["capture", "-w", "x.spt", "-C", "1", "-W", "0", "--", "true"],
        &["capture", "-w", "x.spt", "-G", "0", "--", "true"],
        &["read", "-n", "0", "x.spt"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("must be at least 1"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn missing_file_is_a_failure_not_a_panic() {
    let o = run(&["read", "/nonexistent/t.spt"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "one line: {}", stderr(&o));
    assert_eq!(
        stderr(&o).matches("No such file").count(),
        1,
        "the cause said once: {}",
        stderr(&o)
    );
}

#[test]
fn list_events_names_syscalls_with_parameters() {
    let o = run(&["list", "events"]);
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(s.contains("> openat(dirfd, name, flags, mode)"), "{s}");
    assert!(s.contains("< read(res, data)"), "{s}");
}

/// `-n COUNT` and strace's `-c` are different options of every analyzer.
#[test]
fn count_and_summary_only_are_two_options() {
    let o = run(&["strace", "-n", "5", "--engine", "ptrace", "--", "true"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["strace", "-c", "--engine", "ptrace", "--", "true"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("total"), "{}", stderr(&o));
}

/// `-n` ends a capture of a command still running: syspect stops the command and exits 0,
/// where a command that ended first gives its own status.
#[test]
fn a_count_that_ends_the_capture_is_no_failure_of_the_command() {
    let d = TempDir::new("count-status");
    let t = d.join_str("t.spt");
    let started = std::time::Instant::now();
    let o = run(&[
        "capture",
        "-n",
        "5",
        "--engine",
        "ptrace",
        "-w",
        &t,
        "--",
        "sh",
        "-c",
        "sleep 5; exit 7",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    let o = run(&[
        "capture", "-n", "100000", "--engine", "ptrace", "-w", &t, "--", "sh", "-c", "exit 7",
    ]);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
}

/// A strace user's `-r` (relative timestamps) gets a note saying what it is here.
#[test]
fn straces_r_gets_a_note() {
    let o = run(&["strace", "-r", "--", "true"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--relative-timestamps"),
        "{}",
        stderr(&o)
    );
    // and strace -c -w works as strace -c does
    let o = run(&["strace", "-c", "-w", "--engine", "ptrace", "--", "true"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
