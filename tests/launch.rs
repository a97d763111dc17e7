//! How a command that syspect starts runs, under each engine: as the user `-u` names, with
//! the environment `-E` changes, and with the signals a shell's child has (SIGPIPE kills
//! `yes` when `head` has what it wants).

use crate::util::*;

#[test]
fn a_command_runs_as_the_user_and_environment_asked_with_default_signals() {
    if !need_root("a_command_runs_as_the_user_and_environment_asked") {
        return; // -u needs root, and so does the eBPF engine
    }
    let d = TempDir::new("launch");
    let t = d.join_str("t.spt");
    let script = r#"id -u; echo "$SYSPECT_T ${HOME-unset}"; yes | head -1"#;
    for engine in ["ebpf", "ptrace"] {
        let o = run(&[
            "capture",
            "--engine",
            engine,
            "-u",
            "nobody",
            "-E",
            "SYSPECT_T=set",
            "-E",
            "HOME",
            "-w",
            &t,
            "--",
            "sh",
            "-c",
            script,
        ]);
        assert!(o.status.success(), "{engine}: {}", stderr(&o));
        assert_eq!(stdout(&o), "65534\nset unset\ny\n", "{engine}");
        assert!(
            !stderr(&o).contains("Broken pipe"),
            "{engine}: {}",
            stderr(&o)
        );
        let users = run(&[
            "read",
            &t,
            "-p",
            "%proc.name %user.uid",
            "evt.type=execve and evt.dir=<",
        ]);
        let users = stdout(&users);
        assert!(users.contains("id 65534"), "{engine}: {users}");
        assert!(
            !users.lines().any(|l| l.ends_with(" 0")),
            "{engine}: {users}"
        );
    }
}

#[test]
fn user_and_env_need_a_command_and_a_known_user() {
    for (args, says) in [
        (
            &["capture", "-u", "nobody", "-M", "1"][..],
            "apply to a command",
        ),
        (
            &["strace", "-E", "A=1", "--pid", "1"][..],
            "apply to a command",
        ),
        (
            &["strace", "-u", "syspect-no-such-user", "--", "true"][..],
            if is_root() { "no user" } else { "needs root" },
        ),
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}
