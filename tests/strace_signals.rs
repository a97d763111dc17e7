//! strace's signal lines, `--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..., si_uid=0,
//! si_status=3, si_utime=0, si_stime=0} ---`, and the handlers' returns,
//! `rt_sigreturn({mask=[TERM]}) = 0`, against Debian's strace: each kind of sender (a process,
//! a queued value, a timer, the kernel, a child, a fault), both engines.

use std::process::Command;

use regex::Regex;

use crate::util::*;

/// A program that takes one signal of each kind, each to a handler (a signal whose default
/// action is to ignore it or to kill is not delivered by the kernel when no tracer stops the
/// process, which the eBPF engine would then not see).
const PROGRAM: &str = r#"
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static void on(int s) { (void)s; }
static void on_segv(int s) { (void)s; _exit(0); }
int main(void) {
    sigset_t term; sigemptyset(&term); sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, 0);                    /* what each rt_sigreturn restores */
    signal(SIGUSR1, on); signal(SIGUSR2, on); signal(SIGALRM, on); signal(SIGCHLD, on);
    signal(SIGSEGV, on_segv);
    union sigval v; v.sival_int = 42;
    sigqueue(getpid(), SIGUSR1, v);                      /* SI_QUEUE: si_int, si_ptr */
    timer_t t; struct sigevent ev; memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGUSR2; ev.sigev_value.sival_int = 7;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    struct itimerspec its = {{0, 0}, {0, 1000000}};
    timer_settime(t, 0, &its, 0); pause();               /* SI_TIMER */
    struct itimerval it = {{0, 0}, {0, 1000}};
    setitimer(ITIMER_REAL, &it, 0); pause();             /* SI_KERNEL */
    raise(SIGUSR1);                                      /* SI_TKILL */
    kill(getpid(), SIGUSR2);                             /* SI_USER */
    pid_t c = fork();
    if (c == 0) _exit(3);
    while (waitpid(c, 0, 0) < 0) {}                      /* CLD_EXITED */
    *(volatile int *)16 = 1;                             /* SEGV_MAPERR, si_addr */
    return 1;
}
"#;

/// The signal lines and rt_sigreturn's, the pids in them made `P` and a child's CPU times `T`
/// (a clock tick either side of one is timing). An rt_sigreturn returns what the interrupted
/// code had in its result register: after the SIGCHLD, which lands as fork returns, the
/// child's pid, also made `P`.
fn signal_lines(text: &str) -> Vec<String> {
    let pid = Regex::new(r"si_pid=\d+").unwrap();
    let times = Regex::new(r"(si_[us]time)=\d+( /\* [^*]* \*/)?").unwrap();
    let prefix = Regex::new(r"^\[pid +\d+\] ").unwrap();
    let child = Regex::new(r"= [1-9]\d+$").unwrap();
    text.lines()
        .filter(|l| l.contains("--- SIG") || l.contains("rt_sigreturn("))
        .map(|l| {
            let l = prefix.replace(l, "");
            let l = pid.replace_all(&l, "si_pid=P");
            let l = child.replace(&l, "= P");
            times.replace_all(&l, "$1=T").into_owned()
        })
        .collect()
}

#[test]
fn signal_lines_show_the_siginfo_as_strace_does() {
    if !need_program("signal_lines", "strace") || !need_program("signal_lines", "cc") {
        return;
    }
    let d = TempDir::new("siglines");
    std::fs::write(d.join("sig.c"), PROGRAM).unwrap();
    let cc = Command::new("cc")
        .args(["-O1", "-o", "sig", "sig.c"])
        .current_dir(d.path())
        .output()
        .expect("cc runs");
    assert!(cc.status.success(), "{}", stderr(&cc));
    let st = Command::new("strace")
        .args(["-f", "-e", "trace=rt_sigreturn", "./sig"])
        .current_dir(d.path())
        .output()
        .expect("strace runs");
    assert_eq!(st.status.code(), Some(0), "{}", stderr(&st));
    let theirs = signal_lines(&stderr(&st));
    let want = [
        "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=P, si_uid=0, si_int=42, si_ptr=0x2a} ---",
        "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---",
        "rt_sigreturn({mask=[TERM]})             = 0",
    ];
    for w in want {
        assert!(
            theirs.iter().any(|l| l == w),
            "strace: no `{w}` in {theirs:#?}"
        );
    }
    assert_eq!(theirs.len(), 13, "{theirs:#?}");
    for engine in engines("signal_lines (ebpf)") {
        let o = syspect()
            .args([
                "strace",
                "--engine",
                engine,
                "-f",
                "-e",
                "trace=rt_sigreturn",
                "--",
                "./sig",
            ])
            .current_dir(d.path())
            .output()
            .expect("syspect runs");
        assert_eq!(o.status.code(), Some(0), "{engine}: {}", stderr(&o));
        assert_eq!(signal_lines(&stderr(&o)), theirs, "{engine}");
    }
}

/// A call a signal interrupts before the kernel restarts it or returns EINTR: strace shows
/// the restart code with `?` for its value (`= ? ERESTART_RESTARTBLOCK (Interrupted by
/// signal)`), as the program never sees it.
#[test]
fn a_restart_code_is_shown_with_a_question_mark() {
    if !need_program("restart codes", "strace") {
        return;
    }
    let want = "= ? ERESTART_RESTARTBLOCK (Interrupted by signal)";
    let st = Command::new("strace")
        .args([
            "-f",
            "-e",
            "trace=clock_nanosleep",
            "timeout",
            "0.2",
            "sleep",
            "5",
        ])
        .output()
        .expect("strace runs");
    assert!(stderr(&st).contains(want), "{}", stderr(&st));
    for engine in engines("restart codes (ebpf)") {
        let o = run(&[
            "strace",
            "--engine",
            engine,
            "-f",
            "-e",
            "trace=clock_nanosleep",
            "--",
            "timeout",
            "0.2",
            "sleep",
            "5",
        ]);
        assert_eq!(o.status.code(), Some(124), "{engine}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{engine}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("-1 ERESTART"),
            "{engine}: {}",
            stderr(&o)
        );
    }
}
