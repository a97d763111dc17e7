//! `syspect strace -e inject=` and `-e fault=` against strace's own on the same commands: the
//! same calls made to fail or to return a value, marked `(INJECTED)`, the same signals, the
//! same outcome for the program.

use std::process::Command;

use regex::Regex;

use crate::util::*;

/// How a tracer ended, as the traced command did: `exit N`, or `signal N` (strace exits with
/// 128 + N where it cannot die of the signal itself).
fn ending(s: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) if c > 128 => format!("signal {}", c - 128),
        (Some(c), _) => format!("exit {c}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => "?".into(),
    }
}

/// Run `strace ARGS -o FILE CMD` and `syspect strace ARGS -o FILE -- CMD` (with `-f -qq`,
/// without the library path cargo gives tests, which changes how many files the loader
/// opens): how each ended, and its lines (pid columns, SIGCHLD's details and `<0.000012>`
/// times aside).
fn both(name: &str, args: &[&str], cmd: &[&str]) -> [(String, Vec<String>); 2] {
    let d = TempDir::new(&format!("inject-{name}"));
    let pid = Regex::new(r"^\d+ +").unwrap();
    let time = Regex::new(r" <\d+\.\d+>$").unwrap();
    let lines = |f: &str| -> Vec<String> {
        std::fs::read_to_string(f)
            .expect("output")
            .lines()
            .map(|l| time.replace(&pid.replace(l, ""), "").into_owned())
            .filter(|l| !l.starts_with("--- SIGCHLD"))
            .collect()
    };
    let theirs = d.join_str("strace.txt");
    let st = Command::new("strace")
        .args(["-f", "-qq"])
        .args(args)
        .args(["-o", &theirs])
        .args(cmd)
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("strace runs");
    let mine = d.join_str("syspect.txt");
    let o = syspect()
        .args(["strace", "-f", "-qq"])
        .args(args)
        .args(["-o", &mine, "--"])
        .args(cmd)
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("syspect strace runs");
    [
        (ending(st.status), lines(&theirs)),
        (ending(o.status), lines(&mine)),
    ]
}

#[test]
fn inject_makes_the_calls_fail_that_straces_makes_fail() {
    if !need_program("inject_error", "strace") {
        return;
    }
    // the third openat of cat (the locale archive), whose failure cat gets over; the file's
    // open, failed from the fourth on, which it reports
    for (when, status) in [("3", "exit 0"), ("4+", "exit 1")] {
        let e = format!("inject=openat:error=ENOENT:when={when}");
        let [theirs, mine] = both(
            "error",
            &["-e", "trace=openat,close", "-e", &e],
            &["cat", "/etc/hostname"],
        );
        assert_eq!(theirs.0, status, "strace: {theirs:?}");
        assert!(
            mine.1
                .iter()
                .any(|l| l.ends_with("= -1 ENOENT (No such file or directory) (INJECTED)")),
            "{mine:#?}"
        );
        assert_eq!(mine, theirs, "when={when}");
    }
}

#[test]
fn fault_and_retval_and_signal_do_what_straces_do() {
    if !need_program("inject_more", "strace") || !need_program("inject_more", "python3") {
        return;
    }
    let prog = "import os\nprint(os.getpid(), flush=True)\ntry:\n    os.getppid()\n\
                except OSError as e:\n    print(e.errno, flush=True)\n";
    let cases: [(&[&str], &str); 4] = [
        // a bogus success (-T: the mark goes before the time)
        (
            &["-T", "-e", "trace=getpid", "-e", "inject=getpid:retval=42"],
            "exit 0",
        ),
        // fault=: ENOSYS unless said
        (&["-e", "trace=getppid", "-e", "fault=getppid"], "exit 0"),
        (
            &["-e", "trace=getppid", "-e", "fault=getppid:error=EACCES"],
            "exit 0",
        ),
        // a signal as the call returns, which kills the program
        (
            &[
                "-e",
                "trace=getppid",
                "-e",
                "inject=getppid:error=EPERM:signal=SIGUSR1",
            ],
            "signal 10",
        ),
    ];
    for (args, status) in cases {
        let [theirs, mine] = both("more", args, &[python(), "-c", prog]);
        assert_eq!(theirs.0, status, "strace {args:?}: {theirs:?}");
        assert!(
            mine.1.iter().any(|l| l.contains("(INJECTED)")),
            "{args:?}: {mine:#?}"
        );
        assert_eq!(mine, theirs, "{args:?}");
    }
}

/// `delay_enter=` and `delay_exit=`: the thread is held (the command takes at least that long)
/// and the call marked `(DELAYED)`, after `(INJECTED)` when it was made to fail too.
#[test]
fn delays_hold_the_calls_that_straces_hold() {
    if !need_program("inject_delay", "strace") {
        return;
    }
    let cases: [(&[&str], u64); 3] = [
        (
            &[
                "-e",
                "trace=openat",
                "-e",
                "inject=openat:delay_enter=150ms:when=3",
            ],
            150,
        ),
        (
            &[
                "-e",
                "trace=close",
                "-e",
                "inject=close:delay_exit=60000us:when=2+",
            ],
            60,
        ),
        (
            &[
                "-e",
                "trace=openat",
                "-e",
                "inject=openat:error=ENOENT:delay_exit=100ms:when=3",
            ],
            100,
        ),
    ];
    for (args, ms) in cases {
        let t0 = std::time::Instant::now();
        let [theirs, mine] = both("delay", args, &["cat", "/etc/hostname"]);
        // each tracer held the call: together at least twice the delay (a lower bound, not a
        // speed measurement)
        assert!(
            t0.elapsed() >= std::time::Duration::from_millis(2 * ms),
            "{args:?}"
        );
        assert!(
            mine.1.iter().any(|l| l.ends_with("(DELAYED)")),
            "{args:?}: {mine:#?}"
        );
        assert_eq!(mine, theirs, "{args:?}");
    }
    // syspect's own run alone takes the delay
    let t0 = std::time::Instant::now();
    let o = run(&[
        "strace",
        "-e",
        "inject=getpid:delay_enter=300ms",
        "--",
        "sh",
        "-c",
        "echo $$",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(t0.elapsed() >= std::time::Duration::from_millis(300));
    assert!(stderr(&o).contains(" (DELAYED)"), "{}", stderr(&o));
}

#[test]
fn an_injection_needs_the_ptrace_engine_and_a_valid_expression() {
    for (e, says) in [
        (
            "inject=openat",
            "inject needs error=, retval=, signal=, delay_enter= or delay_exit=",
        ),
        ("inject=openat:error=ENOENT:retval=0", "exclude each other"),
        ("inject=openat:error=ENOPE", "unknown error `ENOPE`"),
        ("inject=openat:error=ENOENT:when=0", "bad when= expression"),
        (
            "inject=openat:poke_enter=@arg1=00",
            "poke_enter= is not supported",
        ),
        ("inject=openat:delay_enter=1h", "bad delay `1h`"),
        ("inject=nosuch:error=ENOENT", "unknown syscall `nosuch`"),
    ] {
        let o = run(&["strace", "-e", e, "--", "true"]);
        assert_eq!(o.status.code(), Some(2), "-e {e}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "-e {e}: {}", stderr(&o));
    }
    let o = run(&[
        "strace",
        "-e",
        "inject=openat:error=ENOENT",
        "-r",
        "/nonexistent.spt",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not with a trace read"),
        "{}",
        stderr(&o)
    );
    if need_root("an_injection_needs_the_ptrace_engine (eBPF)") {
        let o = run(&[
            "strace",
            "--engine",
            "ebpf",
            "-e",
            "inject=openat:error=ENOENT",
            "--",
            "true",
        ]);
        assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("needs the ptrace engine"),
            "{}",
            stderr(&o)
        );
    }
}
