//! What strace counts rather than shows, counted whole past what an engine keeps: execve's
//! environment (`/* 300 vars */`; the ptrace engine keeps 256 strings, the eBPF engine 64 with
//! 4096 bytes of them, and an earlier version showed `/* 64+ vars */` for a CI job's
//! environment) and a
//! directory's entries (`/* 302 entries */`; the eBPF engine keeps 4096 bytes of a getdents
//! buffer), both engines, live and from a trace.

use std::process::Command;

use regex::Regex;

use crate::util::*;

#[test]
fn a_large_environment_is_counted_whole() {
    if !need_program("large environment", "strace") {
        return;
    }
    let count = Regex::new(r"/\* (\d+\+?) vars \*/").unwrap();
    // the eBPF engine's limit of strings, the ptrace engine's, and more than both
    for n in [64, 256, 300] {
        environment_of(n, &count);
    }
}

fn environment_of(n: usize, count: &Regex) {
    let vars: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("A_RATHER_LONG_VARIABLE_NAME_{i}"),
                format!("value {i}"),
            )
        })
        .collect();
    let n = n.to_string();
    let st = Command::new("strace")
        .args(["-e", "trace=execve", "/bin/true"])
        .env_clear()
        .envs(vars.iter().cloned())
        .output()
        .expect("strace runs");
    let theirs = count.captures(&stderr(&st)).expect("strace's count")[1].to_string();
    assert_eq!(theirs, n);
    for engine in engines("large environment (ebpf)") {
        let o = syspect()
            .args([
                "strace",
                "--engine",
                engine,
                "-e",
                "trace=execve",
                "--",
                "/bin/true",
            ])
            .env_clear()
            .envs(vars.iter().cloned())
            .output()
            .expect("syspect runs");
        assert_eq!(o.status.code(), Some(0), "{engine}: {}", stderr(&o));
        let ours = count.captures(&stderr(&o)).map(|c| c[1].to_string());
        assert_eq!(
            ours.as_deref(),
            Some(n.as_str()),
            "{engine}: {}",
            stderr(&o)
        );
        // the count travels in the trace
        let d = TempDir::new("largeenv");
        let t = d.join_str("t.spt");
        let c = syspect()
            .args(["capture", "--engine", engine, "-w", &t, "--", "/bin/true"])
            .env_clear()
            .envs(vars.iter().cloned())
            .output()
            .expect("syspect runs");
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        let r = run(&["read", "--strace", &t, "evt.type=execve"]);
        let ours = count.captures(&stdout(&r)).map(|c| c[1].to_string());
        assert_eq!(
            ours.as_deref(),
            Some(n.as_str()),
            "{engine}: {}",
            stdout(&r)
        );
    }
}

#[test]
fn a_large_directory_is_counted_whole() {
    if !need_program("large directory", "strace") {
        return;
    }
    let d = TempDir::new("bigdir");
    let dir = d.join("big");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..300 {
        std::fs::write(dir.join(format!("a_fairly_long_file_name_number_{i}")), "").unwrap();
    }
    let dir = dir.to_str().unwrap().to_string();
    let count = Regex::new(r"/\* (\d+\+?) entries \*/").unwrap();
    let counts = |text: &str| -> Vec<String> {
        count
            .captures_iter(text)
            .map(|c| c[1].to_string())
            .collect()
    };
    let st = Command::new("strace")
        .args(["-e", "trace=getdents64", "ls", &dir])
        .output()
        .expect("strace runs");
    assert_eq!(counts(&stderr(&st)), ["302", "0"], "{}", stderr(&st));
    for engine in engines("large directory (ebpf)") {
        let o = syspect()
            .args([
                "strace",
                "--engine",
                engine,
                "-e",
                "trace=getdents64",
                "--",
                "ls",
                &dir,
            ])
            .output()
            .expect("syspect runs");
        assert_eq!(
            counts(&stderr(&o)),
            ["302", "0"],
            "{engine}: {}",
            stderr(&o)
        );
        let t = d.join_str(&format!("{engine}.spt"));
        let c = run(&["capture", "--engine", engine, "-w", &t, "--", "ls", &dir]);
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        let r = run(&["read", "--strace", &t, "evt.type=getdents64"]);
        assert_eq!(
            counts(&stdout(&r)),
            ["302", "0"],
            "{engine}: {}",
            stdout(&r)
        );
    }
}
