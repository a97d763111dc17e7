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

#[test]
fn an_injection_needs_the_ptrace_engine_and_a_valid_expression() {
    for (e, says) in [
        ("inject=openat", "inject needs error=, retval= or signal="),
        ("inject=openat:error=ENOENT:retval=0", "exclude each other"),
        ("inject=openat:error=ENOPE", "unknown error `ENOPE`"),
        ("inject=openat:error=ENOENT:when=0", "bad when= expression"),
        (
            "inject=openat:delay_enter=10",
            "delay_enter= is not supported",
        ),
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
