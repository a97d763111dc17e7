//! What strace counts rather than shows, counted whole past what an engine keeps: execve's
//! environment (`/* 300 vars */`; the ptrace engine keeps 256 strings, the eBPF engine 64 with
//! 4096 bytes of them, and an earlier version showed `/* 64+ vars */` for a CI job's
//! environment) and a directory's entries (`/* 302 entries */`; the eBPF engine keeps 4096
//! bytes of a getdents buffer), both engines, live and from a trace.

use std::process::Command;

use regex::Regex;

use crate::util::*;

/// The counts `pattern` finds in strace's output of `cmd` traced for `call`, then in each
/// engine's, live and read back from a capture, each with what it was found in; `vars`: the
/// command's whole environment (`None`: inherited).
fn counts(
    test: &str,
    call: &str,
    cmd: &[&str],
    vars: Option<&[(String, String)]>,
    pattern: &Regex,
) -> Vec<(String, Vec<String>)> {
    let found = |label: String, text: String| {
        let c = pattern
            .captures_iter(&text)
            .map(|c| c[1].to_string())
            .collect();
        (format!("{label}: {text}"), c)
    };
    let with_env = |mut c: Command| {
        if let Some(v) = vars {
            c.env_clear().envs(v.iter().cloned());
        }
        c
    };
    let trace = format!("trace={call}");
    let mut strace = with_env(Command::new("strace"));
    strace.args(["-e", &trace]).args(cmd);
    let st = strace.output().expect("strace runs");
    let mut out = vec![found("strace".into(), stderr(&st))];
    let d = TempDir::new(&format!("counts-{call}"));
    for engine in engines(test) {
        let mut live = with_env(syspect());
        live.args(["strace", "--engine", engine, "-e", &trace, "--"])
            .args(cmd);
        let o = live.output().expect("syspect runs");
        assert_eq!(o.status.code(), Some(0), "{engine}: {}", stderr(&o));
        out.push(found(format!("{engine}, live"), stderr(&o)));
        // the count travels in the trace
        let t = d.join_str(&format!("{engine}.spt"));
        let mut capture = with_env(syspect());
        capture
            .args(["capture", "--engine", engine, "-w", &t, "--"])
            .args(cmd);
        let c = capture.output().expect("syspect runs");
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        let r = run(&["read", "--strace", &t, &format!("evt.type={call}")]);
        out.push(found(format!("{engine}, read"), stdout(&r)));
    }
    out
}

#[test]
fn a_large_environment_is_counted_whole() {
    if !need_program("large environment", "strace") {
        return;
    }
    let count = Regex::new(r"/\* (\d+\+?) vars \*/").unwrap();
    // the eBPF engine's limit of strings, the ptrace engine's, and more than both
    for n in [64, 256, 300] {
        let vars: Vec<(String, String)> = (0..n)
            .map(|i| {
                (
                    format!("A_RATHER_LONG_VARIABLE_NAME_{i}"),
                    format!("value {i}"),
                )
            })
            .collect();
        let test = "large environment (ebpf)";
        for (what, c) in counts(test, "execve", &["/bin/true"], Some(&vars), &count) {
            assert_eq!(c.first(), Some(&n.to_string()), "{what}");
        }
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
    let test = "large directory (ebpf)";
    for (what, c) in counts(test, "getdents64", &["ls", &dir], None, &count) {
        assert_eq!(c, ["302", "0"], "{what}");
    }
}
