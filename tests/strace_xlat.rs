//! strace's `-X raw|abbrev|verbose` (`--const-print-style`): named constants and flags as
//! numbers, names, or both, against strace's lines for the same programs, both engines.

use std::process::Command;

use regex::Regex;

use crate::util::*;

/// Flags and enumerations of many kinds: open flags and AT_FDCWD, whence, fcntl commands and
/// fd flags, access modes, a socket's domain, type and flags, socket options, signals and a
/// sigaction's handler and flags, a statfs's magic and flags, prctl's options.
const CONSTANTS: &str = r#"
import os, socket, fcntl, signal
fd = os.open("/etc/hostname", os.O_RDONLY | os.O_CLOEXEC)
os.lseek(fd, 0, os.SEEK_END)
fcntl.fcntl(fd, fcntl.F_GETFL)
fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
fcntl.fcntl(fd, fcntl.F_GETFD)
os.close(fd)
os.access("/etc/hostname", os.R_OK | os.W_OK)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.close()
os.kill(os.getpid(), 0)
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
try:
    os.open("/nonexistent/x", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
except OSError:
    pass
os.statvfs("/proc")
import ctypes
libc = ctypes.CDLL(None)
libc.prctl(39, 0, 0, 0, 0)  # PR_GET_NO_NEW_PRIVS
libc.prctl(47, 1, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN
"#;
const CONSTANT_CALLS: &str =
    "trace=openat,lseek,fcntl,access,socket,setsockopt,kill,rt_sigaction,statfs,prctl";
/// A shell running a child: wait4's status, the SIGCHLD's siginfo, rlimits, signal masks.
const CHILD_CALLS: &str = "trace=clone,clone3,wait4,prlimit64,rt_sigprocmask,mprotect";

fn lines(file: &str) -> Vec<String> {
    let addr = Regex::new(r"0x[0-9a-f]{8,}").unwrap();
    let pid = Regex::new(r"^\d+ +").unwrap();
    let num = Regex::new(r"(kill\(|= |si_pid=)\d{2,}").unwrap();
    let spaces = Regex::new(r"\) +=( |$)").unwrap();
    // the child's CPU time (`si_stime=1 /* 0.01 s */`) varies
    let times = Regex::new(r"si_utime=[^}]*").unwrap();
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .lines()
        .map(|l| {
            let l = addr.replace_all(l, "ADDR");
            let l = pid.replace(&l, "");
            let l = num.replace_all(&l, "${1}N");
            let l = times.replace_all(&l, "…");
            spaces.replace_all(&l, ") =$1").into_owned()
        })
        .collect()
}

#[test]
fn x_prints_constants_as_strace_does() {
    if !need_program("strace_xlat", "strace") {
        return;
    }
    let d = TempDir::new("strace-xlat");
    // the interpreter itself (not a wrapper script that runs it)
    let python = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .expect("python3 runs");
    // the shell alone (with -f its lines and its child's interleave as they are scheduled)
    let programs: [(&str, Vec<&str>); 2] = [
        (CONSTANT_CALLS, vec![&python, "-c", CONSTANTS]),
        (CHILD_CALLS, vec!["sh", "-c", "ls / > /dev/null; exit 3"]),
    ];
    for style in ["raw", "verbose", "abbrev"] {
        for (calls, cmd) in &programs {
            let theirs = d.join_str("strace.txt");
            let st = Command::new("strace")
                .args(["-X", style, "-e", calls, "-o", &theirs])
                .args(cmd)
                .output()
                .expect("strace runs");
            assert!(st.status.code().is_some(), "{}", stderr(&st));
            // as sorted lists: a child's SIGCHLD and the parent's wait4 end in the order they
            // are scheduled, under strace as under syspect; what is tested is each line's text
            let mut want = lines(&theirs);
            want.sort();
            assert!(want.len() > 3, "{want:?}");
            for engine in engines("strace -X (ebpf)") {
                let mine = d.join_str(&format!("{engine}.txt"));
                let o = syspect()
                    .args(["strace", "--engine", engine, "-X", style, "-e", calls])
                    .args(["-o", &mine, "--"])
                    .args(cmd)
                    .output()
                    .expect("syspect runs");
                assert_eq!(
                    o.status.code(),
                    st.status.code(),
                    "{engine}: {}",
                    stderr(&o)
                );
                let mut got = lines(&mine);
                got.sort();
                let diff = got.iter().zip(&want).position(|(g, w)| g != w);
                assert!(
                    diff.is_none() && got.len() == want.len(),
                    "{engine} -X {style} {calls}: {} lines, strace {}; first difference: {:?}",
                    got.len(),
                    want.len(),
                    diff.map(|i| (&got[i], &want[i]))
                );
            }
        }
    }
    // the glued form and the long one; a style strace does not know is a usage error
    let o = run(&[
        "strace",
        "-Xraw",
        "-e",
        "trace=kill",
        "--",
        "sh",
        "-c",
        "kill -0 $$",
    ]);
    assert!(
        stderr(&o).contains("kill(") && stderr(&o).contains(", 0) "),
        "{}",
        stderr(&o)
    );
    let o = run(&["strace", "--const-print-style=fancy", "--", "true"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
