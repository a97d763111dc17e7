//! Sessions, process groups and controlling terminals (`proc.sid`, `proc.pgid`, `proc.tty`,
//! `proc.sname`): what the kernel says of a process (its own `/proc/self/stat`) against what
//! the trace says of it, in a terminal that `script` opens (setsid, then TIOCSCTTY), and after
//! a setpgid.

use crate::util::*;

/// `pgrp session tty_nr` of the `/proc/self/stat` text in `out`.
fn stat_fields(out: &str) -> Vec<String> {
    let line = out
        .lines()
        .find(|l| l.contains(") R "))
        .unwrap_or_else(|| panic!("no stat line in {out}"));
    let after = &line[line.rfind(')').unwrap() + 2..];
    after
        .split_whitespace()
        .skip(2)
        .take(3)
        .map(str::to_owned)
        .collect()
}

#[test]
fn sessions_groups_and_terminals_as_the_kernel_has_them() {
    if !need_program("sessions", "script") || !need_program("sessions", "python3") {
        return;
    }
    let d = TempDir::new("sessions");
    let engines = engines("sessions (ebpf)");
    let py = "import os; os.setpgid(0, 0); print(open('/proc/self/stat').read(), flush=True)";
    let cases = [
        ("cat", "sh -c 'cat /proc/self/stat; true'".to_string()),
        (
            "python3",
            format!("sh -c \"{} -c \\\"{py}\\\"; true\"", python()),
        ),
    ];
    for engine in engines {
        for (name, inner) in &cases {
            let spt = d.join_str(&format!("{engine}-{name}.spt"));
            let o = syspect()
                .args(["capture", "--engine", engine, "-w", &spt, "--"])
                .args(["script", "-qc", inner, "/dev/null"])
                .output()
                .expect("syspect runs");
            assert!(o.status.success(), "{engine} {name}: {}", stderr(&o));
            let want = stat_fields(&stdout(&o).replace('\r', ""));
            assert_ne!(
                want[2], "0",
                "{engine} {name}: script gave it a terminal: {want:?}"
            );
            let filter = format!(
                "evt.type=exit_group and proc.name={}",
                &name[..name.len().min(15)]
            );
            let r = run(&[
                "read",
                &spt,
                &filter,
                "-p",
                "%proc.pgid %proc.sid %proc.tty",
            ]);
            let got: Vec<String> = stdout(&r)
                .lines()
                .next()
                .unwrap_or_else(|| panic!("{engine} {name}: no exit_group: {}", stderr(&r)))
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            assert_eq!(got, want, "{engine} {name}: pgid sid tty");
            // the session's leader (script's child shell) by name; a filter on the terminal
            let r = run(&["read", &spt, &filter, "-p", "%proc.sname"]);
            assert_eq!(stdout(&r).trim(), "sh", "{engine} {name}");
            let r = run(&[
                "read",
                &spt,
                "proc.tty != 0 and evt.type=procexec",
                "-p",
                "%proc.name",
            ]);
            assert!(
                stdout(&r).lines().any(|l| l == *name),
                "{engine} {name}: {}",
                stdout(&r)
            );
            assert!(
                !stdout(&r).lines().any(|l| l == "script"),
                "{engine} {name}: {}",
                stdout(&r)
            );
        }
    }
}

/// `user.loginuid`, `user.loginname`: the audit login uid a process inherits (set here on the
/// shell that starts syspect, as a login would), against the kernel's `/proc/self/loginuid`.
#[test]
fn login_uid_as_the_kernel_has_it() {
    if !need_root("login_uid (writing /proc/self/loginuid needs CAP_AUDIT_CONTROL)") {
        return;
    }
    let d = TempDir::new("loginuid");
    // root here, so both engines
    for engine in ["ptrace", "ebpf"] {
        let spt = d.join_str(&format!("{engine}.spt"));
        let script = format!(
            "echo 1000 > /proc/self/loginuid && exec {} capture --engine {engine} -w {spt} \
             -- cat /proc/self/loginuid",
            env!("CARGO_BIN_EXE_syspect")
        );
        let o = std::process::Command::new("sh")
            .args(["-c", &script])
            .output()
            .expect("sh runs");
        assert!(o.status.success(), "{engine}: {}", stderr(&o));
        assert_eq!(stdout(&o).trim(), "1000", "{engine}: the kernel's");
        let r = run(&[
            "read",
            &spt,
            "evt.type=exit_group and proc.name=cat",
            "-p",
            "%user.loginuid %user.uid",
        ]);
        assert_eq!(stdout(&r).trim(), "1000 0", "{engine}: {}", stderr(&r));
        // a filter on it
        let r = run(&[
            "read",
            &spt,
            "user.loginuid = 1000 and evt.type=exit_group",
            "-p",
            "%proc.name",
        ]);
        assert_eq!(stdout(&r).trim(), "cat", "{engine}");
    }
}
