//! What an exec event says of the new image, as the kernel tells it: working directory,
//! executable, name and cgroup, right even for processes gone before /proc could be read.

use super::*;

#[test]
fn an_exec_has_its_cwd_and_exe_as_the_kernel_walks_them() {
    if !privileged("an_exec_has_its_cwd_and_exe_as_the_kernel_walks_them") {
        return;
    }
    // processes gone long before user space could read /proc; /proc is a mount of its own,
    // so the walk crosses a mount point
    let opts = CaptureOptions {
        command: cmd(&[
            "/bin/sh",
            "-c",
            "cd /usr/share && /bin/true; cd /proc && /bin/true",
        ]),
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start the command");
    let evs = run_to_end(&mut e, Duration::from_secs(20));
    assert_eq!(e.exit_code(), Some(0));
    let real_true = std::fs::canonicalize("/bin/true").unwrap();
    let seen: Vec<(String, String)> = evs
        .iter()
        .filter_map(|ev| match &ev.kind {
            EventKind::Exec(x) if x.exe.ends_with(b"/true") => Some((
                String::from_utf8_lossy(&x.cwd).into_owned(),
                String::from_utf8_lossy(&x.exe).into_owned(),
            )),
            _ => None,
        })
        .collect();
    let t = real_true.to_string_lossy().into_owned();
    assert_eq!(
        seen,
        [
            ("/usr/share".to_owned(), t.clone()),
            ("/proc".to_owned(), t)
        ]
    );
}

#[test]
fn an_exec_has_its_comm_and_cgroup_from_the_kernel() {
    if !privileged("an_exec_has_its_comm_and_cgroup_from_the_kernel") {
        return;
    }
    // a cgroup of our own, which the command joins before it execs a symlink to true: the
    // exec names the cgroup (as /proc/PID/cgroup would, from the cgroup2 root we see) and the
    // link's name (the kernel's comm), though the process is gone long before user space
    // could ask /proc
    let Some(root) = syspect_capture::container::cgroup::cgroup2_root() else {
        panic!("no cgroup2 mount: the eBPF engine's cgroup filter needs one");
    };
    let name = format!("syspect-test-{}", std::process::id());
    let dir = root.join(&name);
    std::fs::create_dir(&dir).expect("create a cgroup");
    let tmp = std::env::temp_dir().join(format!("syspect-comm-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let link = tmp.join("mytrue-link");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("/bin/true", &link).unwrap();
    let script = format!(
        "echo $$ > {}/cgroup.procs && exec {}",
        dir.display(),
        link.display()
    );
    let opts = CaptureOptions {
        command: cmd(&["/bin/sh", "-c", &script]),
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start the command");
    let evs = run_to_end(&mut e, Duration::from_secs(20));
    let _ = std::fs::remove_dir(&dir);
    let _ = std::fs::remove_dir_all(&tmp);
    assert_eq!(e.exit_code(), Some(0));
    let execs: Vec<(String, String)> = evs
        .iter()
        .filter_map(|ev| match &ev.kind {
            EventKind::Exec(x) => Some((
                String::from_utf8_lossy(&x.comm).into_owned(),
                String::from_utf8_lossy(&x.cgroup).into_owned(),
            )),
            _ => None,
        })
        .collect();
    let before = syspect_capture::container::cgroup::v2_path_of_pid(std::process::id())
        .filter(|p| p != "/")
        .unwrap_or_default();
    assert_eq!(
        execs,
        [
            ("sh".to_owned(), before),
            ("mytrue-link".to_owned(), format!("/{name}"))
        ]
    );
}
