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
    // mmap's results are addresses, which differ from run to run
    let addr = Regex::new(r"0x[0-9a-f]{8,}").unwrap();
    let lines = |f: &str| -> Vec<String> {
        std::fs::read_to_string(f)
            .expect("output")
            .lines()
            .map(|l| addr.replace_all(l, "ADDR").into_owned())
            .collect()
    };
    let calls = "trace=openat,read,write,close,mmap";
    let theirs = d.join_str("strace.txt");
    let st = Command::new("strace")
        .args(["-k", "-e", calls, "-o", &theirs, "cat", "/etc/hostname"])
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("strace runs");
    assert!(st.status.success(), "{}", stderr(&st));
    let mine = d.join_str("syspect.txt");
    let o = syspect()
        .args([
            "strace",
            "-k",
            "-e",
            calls,
            "-o",
            &mine,
            "--",
            "cat",
            "/etc/hostname",
        ])
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
