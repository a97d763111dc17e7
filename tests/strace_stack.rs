//! `syspect strace -k`: each call's stack after its line, against strace's own `-k` on the same
//! command, frame for frame (modules, functions, offsets).

use std::process::Command;

use regex::Regex;

use crate::util::*;

#[test]
fn k_prints_the_stacks_strace_prints() {
    if !need_program("k_stacks", "strace") {
        return;
    }
    let d = TempDir::new("stacks");
    // mmap's results are addresses, which differ from run to run, and strace shows execve's
    // environment pointer before its count, which syspect does not keep; the pid column
    // (-f) differs too; a signal's line (strace's SIGCHLD has fields syspect's has not) and
    // its stack go
    let env = Regex::new(r"0x[0-9a-f]+ /\*").unwrap();
    let addr = Regex::new(r"0x[0-9a-f]{8,}").unwrap();
    let pid = Regex::new(r"^\d+ +").unwrap();
    let lines = |f: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut in_signal = false;
        for l in std::fs::read_to_string(f).expect("output").lines() {
            let l = pid.replace(l, "");
            if l.starts_with("--- ") {
                in_signal = true;
                continue;
            }
            if in_signal && l.starts_with(" > ") {
                continue;
            }
            in_signal = false;
            // strace names a frame in no function `(+0x0)` in an execve's stack (taken at
            // its entry and named after the exec), `()` elsewhere; syspect always `()`
            let l = l.replace("(+0x0) [", "() [");
            out.push(
                addr.replace_all(&env.replace(&l, "/*"), "ADDR")
                    .into_owned(),
            );
        }
        out
    };
    // the shell forks and execs cat: an execve's stack is where the old image made it, but
    // for the command's first, at the new image's entry
    let calls = "trace=execve,openat,read,write,close,mmap";
    let cmd = ["sh", "-c", "cat /etc/hostname"];
    let theirs = d.join_str("strace.txt");
    let st = Command::new("strace")
        .args(["-f", "-k", "-e", calls, "-o", &theirs])
        .args(cmd)
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("strace runs");
    assert!(st.status.success(), "{}", stderr(&st));
    let mine = d.join_str("syspect.txt");
    let o = syspect()
        .args(["strace", "-f", "-k", "-e", calls, "-o", &mine, "--"])
        .args(cmd)
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("syspect strace runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let (theirs, mine) = (lines(&theirs), lines(&mine));
    // the open of the file, from cat's main through libc
    assert!(
        mine.iter()
            .any(|l| l.contains("libc.so.6(__libc_start_main+")),
        "{mine:#?}"
    );
    assert!(mine.iter().filter(|l| l.starts_with(" > ")).count() > 50);
    let differ = mine.iter().zip(&theirs).position(|(a, b)| a != b);
    assert!(
        differ.is_none() && mine.len() == theirs.len(),
        "first difference at line {differ:?} of {} (syspect) and {} (strace): {:?} vs {:?}",
        mine.len(),
        theirs.len(),
        differ.map(|i| &mine[i]),
        differ.map(|i| &theirs[i]),
    );
}

#[test]
fn k_needs_the_ptrace_engine() {
    if !need_root("k_needs_the_ptrace_engine") {
        return;
    }
    let o = run(&["strace", "-k", "--engine", "ebpf", "--", "true"]);
    assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("need the ptrace engine"),
        "{}",
        stderr(&o)
    );
}
