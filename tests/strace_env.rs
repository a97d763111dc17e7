//! execve's environment, counted as strace counts it (`/* 150 vars */`), past the 64 strings
//! an earlier version kept (a CI job's environment has 65 and more), both engines. (The eBPF
//! engine keeps at most 4096 bytes of a list: a longer environment shows `/* N+ vars */`.)

use std::process::Command;

use regex::Regex;

use crate::util::*;

#[test]
fn a_large_environment_is_counted_whole() {
    if !need_program("large environment", "strace") {
        return;
    }
    let vars: Vec<(String, String)> = (0..150).map(|i| (format!("V{i}"), i.to_string())).collect();
    let count = Regex::new(r"/\* (\d+\+?) vars \*/").unwrap();
    let st = Command::new("strace")
        .args(["-e", "trace=execve", "/bin/true"])
        .env_clear()
        .envs(vars.iter().cloned())
        .output()
        .expect("strace runs");
    let theirs = count.captures(&stderr(&st)).expect("strace's count")[1].to_string();
    assert_eq!(theirs, "150");
    let mut engines = vec!["ptrace"];
    if need_root("large environment (ebpf)") {
        engines.push("ebpf");
    }
    for engine in engines {
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
        assert_eq!(ours.as_deref(), Some("150"), "{engine}: {}", stderr(&o));
    }
}
