use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::util::*;

/// Capture `cmd` with the ptrace engine into `dir/t.spt`; returns the capture's output.
fn capture(dir: &TempDir, cmd: &[&str]) -> std::process::Output {
    let t = dir.join_str("t.spt");
    let mut args = vec!["capture", "--engine", "ptrace", "-w", &t, "--"];
    args.extend_from_slice(cmd);
    run(&args)
}

fn events(dir: &TempDir) -> Vec<Value> {
    let o = run(&["read", "-j", &dir.join_str("t.spt")]);
    assert!(o.status.success(), "read -j failed: {}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

fn strace_view(dir: &TempDir) -> String {
    let o = run(&["read", "--strace", &dir.join_str("t.spt")]);
    assert!(o.status.success(), "read --strace failed: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn command_output_and_exit_status_pass_through() {
    let d = TempDir::new("passthrough");
    let o = capture(
        &d,
        &["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(stdout(&o), "to-stdout\n");
    assert!(stderr(&o).contains("to-stderr"), "{}", stderr(&o));
    assert!(stderr(&o).contains("captured "), "{}", stderr(&o));
    let mode = std::fs::metadata(d.join("t.spt"))
        .expect("trace exists")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "trace files hold what processes read: mode 0600"
    );
    assert!(strace_view(&d).contains("+++ exited with 3 +++"));
}

#[test]
fn openat_is_decoded_with_its_path_and_fd_name() {
    let d = TempDir::new("openat");
    let f = d.join_str("marker-file.txt");
    std::fs::write(&f, "hello\n").expect("write marker");
    let o = capture(&d, &["cat", &f]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "hello\n");
    let evs = events(&d);
    let open_exit = evs
        .iter()
        .find(|e| {
            e["evt.type"] == "openat"
                && e["evt.dir"] == "<"
                && e["evt.info"].as_str().is_some_and(|i| i.contains(&f))
        })
        .unwrap_or_else(|| panic!("no openat exit naming {f}"));
    let info = open_exit["evt.info"].as_str().unwrap_or_default();
    assert!(
        info.starts_with("fd=3(<f>") || info.contains(&format!("(<f>{f})")),
        "{info}"
    );
    // The read of the file names it through the fd table, and carries the data.
    let read = evs
        .iter()
        .find(|e| e["evt.type"] == "read" && e["evt.dir"] == "<" && e["evt.res"] == 6)
        .expect("read exit of 6 bytes");
    assert_eq!(read["evt.args"]["data"], "hello\n");
    let s = strace_view(&d);
    assert!(
        s.contains(&format!("openat(AT_FDCWD, \"{f}\", O_RDONLY) = 3"))
            || s.contains(&format!("openat(AT_FDCWD, \"{f}\", O_RDONLY)")),
        "{s}"
    );
    assert!(s.contains("write(1, \"hello\\n\", 6)"), "{s}");
}

#[test]
fn forks_exec_and_exit_are_followed() {
    let d = TempDir::new("fork");
    let o = capture(&d, &["sh", "-c", "/bin/true; /bin/echo child-ran"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let evs = events(&d);
    let pids: std::collections::BTreeSet<u64> =
        evs.iter().filter_map(|e| e["proc.pid"].as_u64()).collect();
    assert!(pids.len() >= 3, "sh and two children: {pids:?}");
    let execs: Vec<&Value> = evs.iter().filter(|e| e["evt.type"] == "procexec").collect();
    assert!(
        execs.iter().any(|e| e["evt.info"]
            .as_str()
            .is_some_and(|i| i.contains("bin/true "))),
        "{execs:?}"
    );
    assert!(execs.iter().any(|e| e["proc.name"] == "echo"), "{execs:?}");
    assert!(evs.iter().filter(|e| e["evt.type"] == "procclone").count() >= 2);
    assert!(evs.iter().filter(|e| e["evt.type"] == "procexit").count() >= 3);
}

#[test]
fn threads_share_the_pid() {
    let d = TempDir::new("threads");
    let prog = "import threading\nt = threading.Thread(target=lambda: open('/dev/null').close())\nt.start(); t.join()";
    if !need_program("threads_share_the_pid", "python3") {
        return;
    }
    let o = capture(&d, &[python(), "-c", prog]);
    assert!(o.status.success(), "{}", stderr(&o));
    let evs = events(&d);
    let thread_ev = evs
        .iter()
        .find(|e| e["thread.tid"] != e["proc.pid"] && e["evt.type"] == "openat")
        .expect("an openat from the second thread");
    let pid = thread_ev["proc.pid"].clone();
    assert!(
        evs.iter().any(|e| e["thread.tid"] == pid),
        "the main thread is in the trace too"
    );
}

#[test]
fn signals_reach_the_tracee_and_are_shown() {
    let d = TempDir::new("signals");
    let o = capture(
        &d,
        &[
            "sh",
            "-c",
            "trap 'echo got-usr1' USR1; kill -USR1 $$; echo after",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "got-usr1\nafter\n",
        "the handler ran as it would untraced"
    );
    assert!(strace_view(&d).contains("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER"));
}

#[test]
fn killed_tracee_ends_the_capture_with_its_status() {
    let d = TempDir::new("killed");
    let o = capture(&d, &["sh", "-c", "kill -KILL $$"]);
    assert_eq!(o.status.code(), Some(137), "{}", stderr(&o));
    assert!(strace_view(&d).contains("+++ killed by SIGKILL +++"));
}

#[test]
fn without_w_events_print_as_they_happen() {
    let o = run(&["capture", "--engine", "ptrace", "--", "/bin/true"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.lines().any(|l| l.contains(" < execve ")), "{s}");
    assert!(
        s.lines()
            .any(|l| l.contains("true") && l.contains(" > exit_group ")),
        "{s}"
    );
}

#[test]
fn strace_subcommand_prints_to_stderr() {
    let o = run(&["strace", "--", "/bin/echo", "hi"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "hi\n");
    assert!(
        stderr(&o).contains("write(1, \"hi\\n\", 3)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn strace_takes_its_t_tt_ttt_cap_t_f_and_o_options() {
    let d = TempDir::new("strace-options");
    let calls = d.join_str("calls.txt");
    // -o sends the calls to a file, where -f starts each line with the pid (children are
    // always followed)
    let o = run(&[
        "strace",
        "-f",
        "-tt",
        "-T",
        "-o",
        &calls,
        "--",
        "/bin/echo",
        "hi",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "hi\n");
    assert!(!stderr(&o).contains("write("), "{}", stderr(&o));
    let text = std::fs::read_to_string(&calls).expect("the -o file");
    let tt = regex::Regex::new(r"^\d+ +\d\d:\d\d:\d\d\.\d{6} ").unwrap();
    assert!(text.lines().all(|l| tt.is_match(l)), "{text}");
    let write = text
        .lines()
        .find(|l| l.contains("write(1, \"hi\\n\", 3)"))
        .unwrap_or_else(|| panic!("{text}"));
    let took = regex::Regex::new(r"= 3 <(\d+\.\d{6})>$").unwrap();
    let secs: f64 = took.captures(write).unwrap_or_else(|| panic!("{write}"))[1]
        .parse()
        .unwrap();
    assert!(secs < 1.0, "{write}");
    assert!(text
        .lines()
        .last()
        .is_some_and(|l| l.ends_with("+++ exited with 0 +++")));

    // -ttt: seconds since the epoch, to the microsecond; -t: the time of day
    let t = d.join_str("t.spt");
    assert!(capture(&d, &["/bin/echo", "hi"]).status.success());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let ttt = stdout(&run(&["strace", "-r", &t, "-ttt"]));
    for l in ttt.lines() {
        let (stamp, _) = l.split_once(' ').unwrap_or_default();
        let (secs, micros) = stamp.split_once('.').unwrap_or_else(|| panic!("{l}"));
        assert_eq!(micros.len(), 6, "{l}");
        let at: f64 = stamp.parse().unwrap_or_else(|_| panic!("{l}"));
        assert!((now - at).abs() < 60.0 && !secs.is_empty(), "{l}");
    }
    let t1 = regex::Regex::new(r"^\d\d:\d\d:\d\d [a-z+]").unwrap();
    let one = stdout(&run(&["strace", "-r", &t, "-t"]));
    assert!(one.lines().all(|l| t1.is_match(l)), "{one}");
    // read --strace -T: the durations alone
    let view = stdout(&run(&["read", "--strace", "-T", &t, "evt.type=write"]));
    assert!(took.is_match(view.trim_end()), "{view}");
}

#[test]
fn strace_shows_32_bytes_of_a_string_unless_s_says_more_as_strace() {
    let long = "0123456789abcdefghijklmnopqrstuvwxyz";
    let o = run(&["strace", "-e", "trace=write", "--", "/bin/echo", long]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = format!("write(1, \"{}\"..., 37)", &long[..32]);
    assert!(stderr(&o).contains(&want), "{want}\n{}", stderr(&o));
    let o = run(&[
        "strace",
        "-s",
        "64",
        "-e",
        "trace=write",
        "--",
        "/bin/echo",
        long,
    ]);
    let want = format!("write(1, \"{long}\\n\", 37)");
    assert!(stderr(&o).contains(&want), "{want}\n{}", stderr(&o));
    // reading a trace made with sysdig's 80, as strace too: 32 unless -s says more
    let d = TempDir::new("strace-s");
    let t = d.join_str("t.spt");
    let o = run(&["capture", "-w", &t, "--", "/bin/echo", long]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cut = format!("write(1, \"{}\"..., 37)", &long[..32]);
    let view = stdout(&run(&["strace", "-r", &t, "evt.type=write"]));
    assert!(view.contains(&cut), "{cut}\n{view}");
    let view = stdout(&run(&["strace", "-r", &t, "-s", "64", "evt.type=write"]));
    assert!(view.contains(&want), "{want}\n{view}");
}

#[test]
fn strace_z_and_cap_z_keep_the_calls_that_succeeded_or_failed_whole() {
    let d = TempDir::new("strace-z");
    // -o: cat's own message on stderr would cut the lines
    let o = syspect()
        .args([
            "strace",
            "-Z",
            "-o",
            "calls.txt",
            "--",
            "cat",
            "missing.txt",
        ])
        .current_dir(d.path())
        .output()
        .expect("syspect strace -Z");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = std::fs::read_to_string(d.join("calls.txt")).expect("the -o file");
    let calls: Vec<&str> = text.lines().filter(|l| !l.starts_with("+++")).collect();
    assert!(!calls.is_empty(), "{text}");
    // whole calls, with their arguments, though the filter left their enters out
    let failed = regex::Regex::new(r"^[a-z0-9_]+\(.*\) += -1 E[A-Z]+ ").unwrap();
    let other: Vec<&&str> = calls.iter().filter(|l| !failed.is_match(l)).collect();
    assert!(other.is_empty(), "{other:#?}");
    let want =
        "openat(AT_FDCWD, \"missing.txt\", O_RDONLY) = -1 ENOENT (No such file or directory)";
    assert!(calls.contains(&want), "{want}\n{text}");
    assert!(text.ends_with("+++ exited with 1 +++\n"), "{text}");
    let ok = d.join_str("ok.txt");
    let o = run(&[
        "strace",
        "-z",
        "-e",
        "trace=openat,read",
        "-o",
        &ok,
        "--",
        "cat",
        "/etc/hostname",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&ok).expect("the -o file");
    assert!(
        text.contains("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3"),
        "{text}"
    );
    assert!(!text.contains("= -1"), "{text}");
    // a failed call is left out whole, not shown as an `<unfinished ...>` enter
    assert!(!text.contains("unfinished"), "{text}");
}

#[test]
fn strace_c_prints_the_summary_on_stderr_as_strace_c_does() {
    let o = run(&["strace", "-c", "-e", "trace=write", "--", "/bin/echo", "hi"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "hi\n");
    let table = stderr(&o);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "% time     seconds  usecs/call     calls    errors syscall",
            "------ ----------- ----------- --------- --------- ----------------"
        ],
        "{table}"
    );
    let write = regex::Regex::new(r"(?m)^ *\d+\.\d\d +\d+\.\d{6} +\d+ +1 +write$").unwrap();
    assert!(write.is_match(&table), "{table}");
    assert!(
        lines.last().is_some_and(|l| l.ends_with(" total")),
        "{table}"
    );
}

#[test]
fn strace_y_names_fds_as_strace_y_does() {
    let d = TempDir::new("strace-y");
    let file = d.join_str("notes.txt");
    std::fs::write(&file, "hello\n").unwrap();
    let lines_about = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains("notes.txt") && !l.starts_with("execve"))
            .map(str::to_owned)
            .collect()
    };
    let o = syspect()
        .args(["strace", "-y", "--", "cat", "notes.txt"])
        .current_dir(d.path())
        .output()
        .expect("syspect strace");
    assert!(o.status.success(), "{}", stderr(&o));
    let mine = lines_about(&stderr(&o));
    let dir = d.path().display();
    for want in [
        format!("openat(AT_FDCWD<{dir}>, \"notes.txt\", O_RDONLY) = 3<{file}>"),
        format!("read(3<{file}>, \"hello\\n\", 131072)"),
        format!("close(3<{file}>)"),
    ] {
        assert!(
            mine.iter().any(|l| l.starts_with(&want)),
            "{want}\n{mine:#?}"
        );
    }
    if !need_program("strace_y_names_fds_as_strace_y_does", "strace") {
        return;
    }
    let o = Command::new("strace")
        .args(["-y", "-s", "80", "cat", "notes.txt"])
        .current_dir(d.path())
        .output()
        .expect("strace");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mine, lines_about(&stderr(&o)));
}

#[test]
fn strace_e_trace_keeps_the_named_calls_as_strace_does() {
    let d = TempDir::new("strace-e");
    std::fs::write(d.join("notes.txt"), "hello\n").unwrap();
    let o = syspect()
        .args([
            "strace",
            "-e",
            "trace=openat,close",
            "--",
            "cat",
            "notes.txt",
        ])
        .current_dir(d.path())
        .output()
        .expect("syspect strace");
    assert!(o.status.success(), "{}", stderr(&o));
    let mine = stderr(&o);
    assert!(
        mine.lines()
            .all(|l| l.starts_with("openat(") || l.starts_with("close(") || l.starts_with("+++")),
        "{mine}"
    );
    assert!(
        mine.contains("openat(AT_FDCWD, \"notes.txt\", O_RDONLY) = 3"),
        "{mine}"
    );
    assert!(mine.ends_with("+++ exited with 0 +++\n"), "{mine}");
    // what syspect cannot honour, or strace has no such thing for, is a usage error
    for bad in ["kvm=vcpu", "quiet=nosuch", "trace=%fle", "trace=opne"] {
        let o = run(&["strace", "-e", bad, "--", "true"]);
        assert_eq!(o.status.code(), Some(2), "-e {bad}: {}", stderr(&o));
    }
    if !need_program("strace_e_trace_keeps_the_named_calls", "strace") {
        return;
    }
    let o = Command::new("strace")
        .args(["-e", "trace=openat,close", "cat", "notes.txt"])
        .current_dir(d.path())
        .output()
        .expect("strace");
    assert_eq!(mine, stderr(&o));
}

#[test]
fn strace_shows_the_signals_taken_and_the_killing_one() {
    // whichever engine `strace` picks: eBPF as root, ptrace otherwise
    let o = run(&[
        "strace",
        "--",
        "sh",
        "-c",
        "trap 'echo caught' USR1; kill -USR1 $$; kill -TERM $$",
    ]);
    assert_eq!(o.status.code(), Some(128 + libc::SIGTERM), "{}", stderr(&o));
    assert_eq!(stdout(&o), "caught\n");
    let text = stderr(&o);
    let usr1 = regex::Regex::new(
        r"(?m)^--- SIGUSR1 \{si_signo=SIGUSR1, si_code=SI_USER, si_pid=\d+(, si_uid=\d+)?\} ---$",
    )
    .unwrap();
    assert!(usr1.is_match(&text), "{text}");
    // strace never shows a SIGKILL taken, which the kernel may turn a fatal SIGTERM into
    assert!(!text.contains("--- SIGKILL"), "{text}");
    assert!(text.ends_with("+++ killed by SIGTERM +++\n"), "{text}");
}

#[test]
fn attach_and_detach_leave_the_process_running() {
    let d = TempDir::new("attach");
    let mut victim = Command::new("sh")
        .args([
            "-c",
            "while :; do cat /etc/hostname >/dev/null; sleep 0.05; done",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn victim");
    let pid = victim.id().to_string();
    let t = d.join_str("t.spt");
    let mut cap = syspect()
        .args(["capture", "--engine", "ptrace", "-w", &t, "--pid", &pid])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn capture");
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: plain kill(2) of our own child.
    unsafe { libc::kill(cap.id() as i32, libc::SIGINT) };
    let status = cap.wait().expect("capture ends");
    assert!(status.success(), "capture exits 0 after Ctrl-C");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        victim.try_wait().expect("try_wait").is_none(),
        "the attached process still runs"
    );
    let o = run(&["read", "-j", &t]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("\"wait4\"") || out.contains("\"clone\""),
        "the shell's loop was traced"
    );
    victim.kill().ok();
    victim.wait().ok();
}

#[test]
fn an_ordinary_user_can_capture_and_read() {
    if !need_root("an_ordinary_user_can_capture_and_read") {
        return; // already an ordinary user: every other test here is that case
    }
    let d = TempDir::new("nobody");
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let t = d.join_str("t.spt");
    let o = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_syspect"),
        ])
        .args([
            "capture",
            "--engine",
            "ptrace",
            "-w",
            &t,
            "--",
            "/bin/echo",
            "as-nobody",
        ])
        .output()
        .expect("setpriv runs");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "as-nobody\n");
    let r = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_syspect"),
        ])
        .args(["read", "--strace", &t])
        .output()
        .expect("setpriv runs");
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(
        stdout(&r).contains("write(1, \"as-nobody\\n\", 10)"),
        "{}",
        stdout(&r)
    );
}

#[test]
fn read_strace_cuts_strings_at_its_own_s_as_strace_does() {
    let d = TempDir::new("strsize");
    let o = capture(
        &d,
        &[
            "sh",
            "-c",
            "echo hello-world-a-long-line-of-text >/dev/null",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let t = d.join_str("t.spt");
    let whole = run(&["read", "--strace", &t, "evt.type=write"]);
    assert!(
        stdout(&whole).contains(r#"write(1, "hello-world-a-long-line-of-text\n", 32)"#),
        "{}",
        stdout(&whole)
    );
    let cut = run(&[
        "read",
        "--strace",
        "-s",
        "8",
        &t,
        "evt.type in (write, execve)",
    ]);
    assert!(cut.status.success(), "{}", stderr(&cut));
    let out = stdout(&cut);
    assert!(out.contains(r#"write(1, "hello-wo"..., 32)"#), "{out}");
    assert!(out.contains(r#"["sh", "-c", "echo hel"...]"#), "{out}");
}

#[test]
fn an_argv_string_cut_by_the_capture_ends_in_dots_as_in_strace() {
    let d = TempDir::new("argvcut");
    let t = d.join_str("t.spt");
    let o = run(&[
        "capture",
        "--engine",
        "ptrace",
        "-s",
        "8",
        "-w",
        &t,
        "--",
        "sh",
        "-c",
        "echo hello-world-a-long-line-of-text >/dev/null",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["read", "--strace", &t, "evt.type=execve"]);
    let out = stdout(&o);
    // "sh" and "-c" are whole; the script was cut at 8 bytes
    assert!(out.contains(r#"["sh", "-c", "echo hel"...]"#), "{out}");
}

#[test]
fn strace_qq_leaves_out_the_exit_lines_but_not_a_killing_signals() {
    let o = run(&["strace", "-qq", "--", "/bin/true"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("exit_group(0)"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("+++"), "{}", stderr(&o));
    let o = run(&["strace", "-q", "--", "/bin/true"]);
    assert!(
        stderr(&o).ends_with("+++ exited with 0 +++\n"),
        "{}",
        stderr(&o)
    );
    let o = run(&["strace", "-qq", "--", "sh", "-c", "kill -9 $$"]);
    assert!(
        stderr(&o).ends_with("+++ killed by SIGKILL +++\n"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn strace_c_cap_s_orders_the_table_as_strace_does() {
    // the syscall column, and a number column, of strace -c's table
    let table = |sort: &str| -> Vec<(String, u64)> {
        let o = run(&["strace", "-c", "-S", sort, "--", "ls", "/"]);
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
            .lines()
            .skip(2)
            .take_while(|l| !l.starts_with("------"))
            .map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f[f.len() - 1].to_string(), f[3].parse().unwrap_or(0))
            })
            .collect()
    };
    let calls = table("calls");
    assert!(calls.len() > 5, "{calls:?}");
    assert!(calls.windows(2).all(|w| w[0].1 >= w[1].1), "{calls:?}");
    let names: Vec<String> = table("name").into_iter().map(|r| r.0).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let o = run(&["strace", "-c", "-S", "bogus", "--", "true"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn proc_env_is_the_environment_the_process_was_started_with() {
    let d = TempDir::new("procenv");
    let t = d.join_str("t.spt");
    // the shell execs env, which execs true with an environment of its own
    let o = run(&[
        "capture",
        "--engine",
        "ptrace",
        "-w",
        &t,
        "--",
        "env",
        "-i",
        "A=1",
        "B=two words",
        "/bin/true",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let envs = stdout(&run(&["read", &t, "proc.name=true", "-p", "%proc.env"]));
    // from true's execve on: its own environment, space-separated
    assert!(envs.lines().any(|l| l == "A=1 B=two words"), "{envs}");
    let starts = run(&[
        "read",
        &t,
        "proc.env contains A=1 and evt.type=brk",
        "-p",
        "%proc.name",
    ]);
    assert!(
        stdout(&starts).lines().all(|l| l == "true"),
        "{}",
        stdout(&starts)
    );
}

#[test]
fn evt_abspath_resolves_an_at_calls_path_against_its_dirfd() {
    if !need_program("abspath", "python3") {
        return;
    }
    let d = TempDir::new("abspath");
    let dir = d.join("d");
    std::fs::create_dir(&dir).unwrap();
    let dir = dir.to_string_lossy().into_owned();
    let script = format!(
        "import os\n\
         fd = os.open('{dir}', os.O_RDONLY)\n\
         os.mkdir('sub', dir_fd=fd)\n\
         open('{dir}/f', 'w').close()\n\
         os.rename('f', 'g', src_dir_fd=fd, dst_dir_fd=fd)\n\
         os.unlink('../d/./g', dir_fd=fd)\n"
    );
    let t = d.join_str("t.spt");
    let o = run(&[
        "capture",
        "--engine",
        "ptrace",
        "-w",
        &t,
        "--",
        python(),
        "-c",
        &script,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = stdout(&run(&[
        "read",
        &t,
        "evt.type in (mkdirat, renameat, renameat2, unlinkat)",
        "-p",
        "%evt.type %evt.abspath %evt.abspath.src %evt.abspath.dst",
    ]));
    let rename = lines
        .lines()
        .find(|l| l.starts_with("rename"))
        .unwrap_or_else(|| panic!("{lines}"));
    assert!(
        rename.ends_with(&format!(" {dir}/f {dir}/f {dir}/g")),
        "{lines}"
    );
    for (call, path) in [("mkdirat", "sub"), ("unlinkat", "g")] {
        let want = format!("{call} {dir}/{path} {dir}/{path} {dir}/{path}");
        assert!(lines.lines().any(|l| l == want), "{want}\n{lines}");
    }
}

#[test]
fn strace_cap_c_prints_the_calls_then_the_table_as_strace_does() {
    let d = TempDir::new("strace-cap-c");
    let mine = d.join_str("syspect.txt");
    let o = run(&[
        "strace",
        "-C",
        "-e",
        "trace=write",
        "-o",
        &mine,
        "--",
        "/bin/echo",
        "hi",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&mine).expect("the -o file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0], "write(1, \"hi\\n\", 3)                     = 3",
        "{text}"
    );
    assert_eq!(lines[1], "+++ exited with 0 +++", "{text}");
    assert_eq!(
        lines[2], "% time     seconds  usecs/call     calls    errors syscall",
        "{text}"
    );
    // the row: its calls, errors and name (the times are the run's)
    let row: Vec<&str> = lines[4].split_whitespace().collect();
    assert_eq!(row[3..], ["1", "write"], "{text}");
    if !need_program("strace_cap_c", "strace") {
        return;
    }
    let theirs = d.join_str("strace.txt");
    let st = Command::new("strace")
        .args(["-C", "-e", "trace=write", "-o", &theirs, "/bin/echo", "hi"])
        .output()
        .expect("strace");
    assert!(st.status.success(), "{}", stderr(&st));
    let theirs = std::fs::read_to_string(&theirs).unwrap();
    let theirs: Vec<&str> = theirs.lines().collect();
    assert_eq!(lines[..4], theirs[..4]);
    assert_eq!(lines.len(), theirs.len(), "{text}");
}

/// strace's long options stand for their short forms: the same lines either way.
#[test]
fn strace_long_options_are_the_short_ones() {
    let d = TempDir::new("strace-long");
    let script = "cat /etc/hostname; cat /nonexistent";
    let short = d.join_str("short.txt");
    let long = d.join_str("long.txt");
    let o = run(&[
        "strace",
        "-f",
        "-o",
        &short,
        "-e",
        "trace=%file",
        "-z",
        "-T",
        "-s",
        "10",
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let output = format!("--output={long}");
    let o = run(&[
        "strace",
        "--follow-forks",
        &output,
        "--trace=%file",
        "--successful-only",
        "--syscall-times",
        "--string-limit=10",
        "--seccomp-bpf",
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // pids, times and addresses (execve's environment) differ from run to run
    let varying = regex::Regex::new(r"^\d+ +|si_pid=\d+|<\d+\.\d+>|0x[0-9a-f]+").unwrap();
    let lines = |f: &str| -> Vec<String> {
        std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .map(|l| varying.replace_all(l, "").into_owned())
            .collect()
    };
    let (short, long) = (lines(&short), lines(&long));
    assert!(
        short
            .iter()
            .any(|l| l.starts_with("openat(AT_FDCWD, \"/etc/hostname\"")),
        "{short:#?}"
    );
    assert!(!short.iter().any(|l| l.contains("= -1")), "{short:#?}");
    assert_eq!(short, long);
    // --output-separately is -ff
    let base = d.join_str("sep");
    let o = run(&[
        "strace",
        "--output-separately",
        "-o",
        &base,
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let files = std::fs::read_dir(d.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("sep."))
        })
        .count();
    assert_eq!(files, 3, "sh and its two cats");
}
