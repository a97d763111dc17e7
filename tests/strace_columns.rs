//! strace's `-a COLUMN` (where ` = RESULT` starts) and `-n` (syspect's `--syscall-number`,
//! the call's number before each line), against strace's on the same command.

use std::process::Command;

use regex::Regex;

use crate::util::*;

#[test]
fn column_and_syscall_number_as_strace_prints_them() {
    if !need_program("columns", "strace") {
        return;
    }
    let d = TempDir::new("columns");
    // what differs between runs: addresses, the thread id set_tid_address returns, random
    // bytes; and the first execve's environment pointer is strace's own
    let addr = Regex::new(r"0x[0-9a-f]+|= \d{3,}$|getrandom\(.*\)").unwrap();
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.contains("execve("))
            .map(|l| addr.replace_all(l, "X").into_owned())
            .collect()
    };
    let st = Command::new("strace")
        .args(["-a", "24", "-n", "-o", "theirs", "cat", "/etc/hostname"])
        .current_dir(d.path())
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("strace runs");
    assert!(st.status.success(), "{}", stderr(&st));
    let theirs = lines(&std::fs::read_to_string(d.join("theirs")).unwrap());
    // ` = ` at column 24 of the whole line, the number's brackets included
    let close = format!("{:<24}= 0", "[   3] close(3)");
    assert!(theirs.contains(&close), "{theirs:#?}");
    assert!(
        theirs.iter().any(|l| l == "[ 231] +++ exited with 0 +++"),
        "{theirs:#?}"
    );
    let o = syspect()
        .args([
            "strace",
            "--engine",
            "ptrace",
            "-a",
            "24",
            "--syscall-number",
        ])
        .args(["-o", "mine", "--", "cat", "/etc/hostname"])
        .current_dir(d.path())
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("syspect runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let mine = lines(&std::fs::read_to_string(d.join("mine")).unwrap());
    assert_eq!(mine, theirs);
    // the long form
    let o = run(&[
        "strace",
        "--columns=5",
        "-e",
        "trace=close",
        "--",
        "cat",
        "/dev/null",
    ]);
    assert!(stderr(&o).contains("close(3) = 0\n"), "{}", stderr(&o));
}
