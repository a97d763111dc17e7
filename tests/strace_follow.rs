//! `syspect strace` with and without `-f`, against strace: without it only the thread traced
//! (its calls, the signals it gets, its exit), with it the children's lines too.

use std::process::Command;

use regex::Regex;

use crate::util::*;

/// A shell that writes, then runs a child that writes and a thread-less grandchild.
const SCRIPT: &str = "echo a; /bin/echo b; (/bin/echo c)";
const CALLS: &str = "trace=execve,write,exit_group";

/// The lines of `file`, with pid prefixes, addresses, SIGCHLD's varying fields and the result's
/// column made alike.
fn lines(file: &str) -> Vec<String> {
    let pid = Regex::new(r"^(\d+ +|\[pid +\d+\] )").unwrap();
    let address = Regex::new(r"0x[0-9a-f]+").unwrap();
    let spaces = Regex::new(r"\) +=( |$)").unwrap();
    // the child's pid and times (`si_utime=1 /* 0.01 s */`)
    let sigchld = Regex::new(r"si_pid=[^}]*").unwrap();
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .lines()
        .map(|l| {
            let l = pid.replace(l, "");
            let l = address.replace_all(&l, "0x");
            let l = sigchld.replace_all(&l, "…");
            // the result's column moves with the pid prefix's width
            spaces.replace_all(&l, ") =$1").into_owned()
        })
        .collect()
}

#[test]
fn without_f_only_the_traced_thread_is_shown_as_strace_shows_it() {
    if !need_program("strace_follow", "strace") {
        return;
    }
    let d = TempDir::new("strace-follow");
    for follow in [None, Some("-f")] {
        let theirs = d.join_str("strace.txt");
        let st = Command::new("strace")
            .args(follow)
            .args(["-e", CALLS, "-o", &theirs, "sh", "-c", SCRIPT])
            .output()
            .expect("strace runs");
        assert!(st.status.success(), "{}", stderr(&st));
        let want = lines(&theirs);
        for engine in engines("strace without -f (ebpf)") {
            let mine = d.join_str(&format!("{engine}.txt"));
            let o = syspect()
                .args(["strace", "--engine", engine])
                .args(follow)
                .args(["-e", CALLS, "-o", &mine, "--", "sh", "-c", SCRIPT])
                .output()
                .expect("syspect runs");
            assert!(o.status.success(), "{engine}: {}", stderr(&o));
            let got = lines(&mine);
            let children = got.iter().filter(|l| l.contains("\"b\\n\"")).count();
            assert_eq!(
                children,
                usize::from(follow.is_some()),
                "{engine}: {got:#?}"
            );
            assert_eq!(got, want, "{engine} {follow:?}");
        }
    }
}
