//! Containers with a real Docker engine: `scripts/test` (as root) installs docker.io, starts
//! dockerd and imports the image `syspect-test:latest` from Debian's busybox-static. Every
//! container runs with `--network none` and is removed when its test ends.

use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

use crate::util::{self, run, stderr, stdout, syspect, TempDir};

const IMAGE: &str = "syspect-test:latest";

/// For a test that needs Docker (and root for eBPF): true to go on; false to skip outside CI.
fn need_docker(test: &str) -> bool {
    if !util::need_root(test) {
        return false;
    }
    let ready = std::path::Path::new("/var/run/docker.sock").exists()
        && Command::new("docker")
            .args(["image", "inspect", IMAGE])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if ready {
        return true;
    }
    assert!(
        !util::in_ci(),
        "{test} needs dockerd and the image {IMAGE} with CI=true: scripts/test sets them up"
    );
    eprintln!(
        "SKIPPED: {test} needs a running dockerd and the image {IMAGE} (scripts/test, as root, sets them up)"
    );
    false
}

/// Containers a test started; removed (`docker rm -f`) when dropped, even on failure.
struct Containers(Vec<String>);

impl Containers {
    fn new() -> Containers {
        Containers(Vec::new())
    }

    /// Start container `name` running `script` in busybox sh; returns its full id.
    fn run(&mut self, name: &str, script: &str) -> String {
        self.0.push(name.to_owned());
        let out = Command::new("docker")
            .args(["run", "-d", "--network", "none", "--name", name])
            .args(["--label", &format!("syspect.test={name}")])
            .args([IMAGE, "sh", "-c", script])
            .output()
            .expect("docker runs");
        assert!(
            out.status.success(),
            "docker run {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout_of(&out).trim().to_owned()
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            let _ = Command::new("docker")
                .args(["rm", "-f"])
                .args(&self.0)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn stdout_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A unique container name for this test run.
fn name(base: &str) -> String {
    format!("sp-{base}-{}", std::process::id())
}

/// `syspect capture -w FILE -M SECONDS [extra...]` in the background.
fn start_capture(file: &str, seconds: u32, extra: &[&str]) -> Child {
    syspect()
        .args(["capture", "-w", file, "-M", &seconds.to_string()])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("syspect capture starts")
}

fn finish(c: Child) -> String {
    let out = c.wait_with_output().expect("capture ends");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "capture failed: {err}");
    err
}

/// `syspect read FILE FILTER -p FORMAT` with Docker out of reach (a replay must not need it):
/// the output lines.
fn read(file: &str, filter: &str, format: &str) -> Vec<String> {
    let out = syspect()
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["read", file, filter, "-p", format])
        .output()
        .expect("syspect read runs");
    assert!(out.status.success(), "read: {}", stderr(&out));
    stdout(&out).lines().map(str::to_owned).collect()
}

#[test]
fn a_filter_by_name_selects_exactly_that_container() {
    if !need_docker("a_filter_by_name_selects_exactly_that_container") {
        return;
    }
    let dir = TempDir::new("containers-two");
    let file = dir.join_str("host.spt");
    let (a, b) = (name("a"), name("b"));
    let mut cs = Containers::new();
    let id_a = cs.run(
        &a,
        "while true; do cat /etc/hostname >/dev/null; sleep 0.1; done",
    );
    let id_b = cs.run(&b, "while true; do ls /proc >/dev/null; sleep 0.1; done");
    sleep(Duration::from_millis(300));
    let err = finish(start_capture(&file, 3, &[]));
    assert!(!err.contains("Docker"), "Docker was reachable: {err}");

    for (me, id, other_id) in [(&a, &id_a, &id_b), (&b, &id_b, &id_a)] {
        let image_id = Command::new("docker")
            .args(["inspect", "-f", "{{.Image}}", me])
            .output()
            .expect("docker inspect");
        let image_id = stdout_of(&image_id);
        let image_id = image_id.trim().trim_start_matches("sha256:");
        assert_eq!(image_id.len(), 64, "{image_id}");
        let lines = read(
            &file,
            &format!("container.name={me}"),
            "%container.name %container.id %thread.cgroup %container.image \
             %container.label.syspect.test %container.image.id %container.privileged",
        );
        assert!(lines.len() > 20, "few events of {me}: {lines:?}");
        for l in &lines {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f[0], me.as_str(), "{l}");
            assert_eq!(f[1], &id[..12], "{l}");
            assert!(
                f[2].contains(id.as_str()) && !f[2].contains(other_id.as_str()),
                "{l}"
            );
            assert_eq!(f[3], IMAGE, "{l}");
            assert_eq!(f[4], me.as_str(), "{l}");
            assert_eq!(f[5], image_id, "{l}");
            assert_eq!(f[6], "false", "{l}");
        }
    }
    // the two loops are told apart
    let hostname_a = read(
        &file,
        &format!("container.name={a} and evt.type=openat and evt.dir=< and fd.name=/etc/hostname"),
        "%container.name",
    );
    assert!(!hostname_a.is_empty(), "A's loop opens /etc/hostname");
    let hostname_b = read(
        &file,
        &format!("container.name={b} and evt.type=openat and fd.name=/etc/hostname"),
        "%container.name",
    );
    assert!(
        hostname_b.is_empty(),
        "B never opens /etc/hostname: {hostname_b:?}"
    );
    // host processes are `host`, and sysdig's container line names the container
    let host = read(&file, "container.name=host", "%container.id");
    assert!(!host.is_empty() && host.iter().all(|l| l == "host"));
    let out = syspect()
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args([
            "read",
            "--pc",
            &file,
            &format!("container.name={a}"),
            "-n",
            "3",
        ])
        .output()
        .expect("read runs");
    let text = stdout(&out);
    assert!(
        text.contains(&format!(" {a} ({}) ", &id_a[..12])),
        "--pc line: {text}"
    );
}

#[test]
fn a_container_started_mid_capture_is_named() {
    if !need_docker("a_container_started_mid_capture_is_named") {
        return;
    }
    let dir = TempDir::new("containers-late");
    let file = dir.join_str("late.spt");
    let c = name("late");
    let mut cs = Containers::new();
    let cap = start_capture(&file, 4, &[]);
    sleep(Duration::from_millis(1500));
    let id = cs.run(
        &c,
        "while true; do cat /etc/hostname >/dev/null; sleep 0.1; done",
    );
    finish(cap);
    let by_id = read(
        &file,
        &format!("container.id={}", &id[..12]),
        "%container.name",
    );
    assert!(by_id.len() > 20, "few events of the late container");
    assert!(
        by_id.iter().all(|l| *l == c),
        "every event of the late container is named: {:?}",
        by_id
            .iter()
            .filter(|l| **l != c)
            .take(5)
            .collect::<Vec<_>>()
    );
    let by_name = read(&file, &format!("container.name={c}"), "%container.image");
    assert_eq!(by_name.len(), by_id.len());
    assert!(by_name.iter().all(|l| l == IMAGE));
}

#[test]
fn containers_that_live_a_moment_are_named() {
    if !need_docker("containers_that_live_a_moment_are_named") {
        return;
    }
    // each process is gone before the capture could read its /proc entry: the exec events
    // carry the cgroup from the kernel, and Docker's event stream names the container
    let dir = TempDir::new("containers-brief");
    let file = dir.join_str("brief.spt");
    let cap = start_capture(&file, 6, &[]);
    wait_for(&file);
    sleep(Duration::from_millis(500));
    let names: Vec<String> = (0..4).map(|i| name(&format!("brief{i}"))).collect();
    let mut ids = Vec::new();
    for n in &names {
        let out = Command::new("docker")
            .args(["run", "--rm", "--network", "none", "--name", n, "--cidfile"])
            .arg(dir.join_str(n))
            .args([IMAGE, "sh", "-c"])
            .arg(format!(
                "cat /etc/hostname /brief-marker-{n} 2>/dev/null; true"
            ))
            .output()
            .expect("docker runs");
        assert!(out.status.success(), "docker run {n}: {}", stderr(&out));
        ids.push(std::fs::read_to_string(dir.join_str(n)).expect("the container id"));
    }
    finish(cap);
    for (n, id) in names.iter().zip(&ids) {
        let lines = read(
            &file,
            &format!("proc.args contains brief-marker-{n}"),
            "%container.name %container.id %container.image",
        );
        assert!(lines.len() > 5, "{n}'s processes were captured: {lines:?}");
        let want = format!("{n} {} {IMAGE}", &id[..12]);
        assert!(lines.iter().all(|l| *l == want), "{want}: {lines:?}");
    }
}

#[test]
fn docker_exec_processes_are_attributed_to_the_container() {
    if !need_docker("docker_exec_processes_are_attributed_to_the_container") {
        return;
    }
    let dir = TempDir::new("containers-exec");
    let file = dir.join_str("exec.spt");
    let c = name("exec");
    let mut cs = Containers::new();
    let id = cs.run(&c, "while true; do sleep 0.2; done");
    let cap = start_capture(&file, 4, &[]);
    sleep(Duration::from_millis(1500));
    let st = Command::new("docker")
        .args(["exec", &c, "sh", "-c"])
        .arg("for i in 1 2 3; do echo x > /tmp/exec-marker; cat /tmp/exec-marker; done")
        .stdout(Stdio::null())
        .status()
        .expect("docker exec runs");
    assert!(st.success());
    finish(cap);
    let lines = read(
        &file,
        "proc.args contains exec-marker and proc.name != docker",
        "%container.name %container.id %evt.type",
    );
    assert!(lines.len() > 10, "the exec'd shell was captured: {lines:?}");
    let want = format!("{c} {}", &id[..12]);
    for l in &lines {
        assert!(l.starts_with(&want), "{l}");
    }
    let writes = read(
        &file,
        &format!("container.name={c} and evt.type=openat and fd.name=/tmp/exec-marker"),
        "%proc.pid",
    );
    assert!(
        !writes.is_empty(),
        "the exec'd shell's open of its file is in the container"
    );
}

#[test]
fn a_container_capture_holds_no_event_of_another_cgroup() {
    if !need_docker("a_container_capture_holds_no_event_of_another_cgroup") {
        return;
    }
    let dir = TempDir::new("containers-only");
    let file = dir.join_str("only.spt");
    let (web, other) = (name("web"), name("other"));
    let mut cs = Containers::new();
    let id = cs.run(
        &web,
        "while true; do cat /etc/hostname >/dev/null; sleep 0.1; done",
    );
    let other_id = cs.run(&other, "while true; do ls / >/dev/null; sleep 0.1; done");
    sleep(Duration::from_millis(300));
    let cap = start_capture(&file, 3, &["--container", &web]);
    // the host is busy meanwhile
    for _ in 0..5 {
        let _ = Command::new("ls").arg("/").stdout(Stdio::null()).status();
        sleep(Duration::from_millis(200));
    }
    finish(cap);
    let lines = read(&file, "evt.num > 0", "%thread.cgroup %container.name");
    assert!(lines.len() > 20, "few events: {lines:?}");
    for l in &lines {
        assert!(
            l.contains(&id) && l.ends_with(&web) && !l.contains(&other_id),
            "{l}"
        );
    }
}

/// Issue 5: a `--container` capture includes the processes `docker exec` starts in the container
/// later, every one of them (each command of the loop is a new process, which may be given the
/// kernel stack of a host process gone, while the host forks beside them).
#[test]
fn a_container_capture_keeps_what_docker_exec_starts_in_it() {
    if !need_docker("a_container_capture_keeps_what_docker_exec_starts_in_it") {
        return;
    }
    let dir = TempDir::new("containers-exec-only");
    let file = dir.join_str("exec-only.spt");
    let web = name("execonly");
    let mut cs = Containers::new();
    let id = cs.run(&web, "while true; do sleep 0.2; done");
    let cap = start_capture(&file, 5, &["--container", &web]);
    wait_for(&file);
    sleep(Duration::from_millis(1000));
    // the host forks meanwhile, on both CPUs
    let host = Command::new("sh")
        .args(["-c", "for i in $(seq 200); do ls / >/dev/null; done"])
        .spawn()
        .expect("sh runs");
    let st = Command::new("docker")
        .args(["exec", &web, "sh", "-c"])
        .arg("echo x > /tmp/exec-only; for i in $(seq 30); do cat /tmp/exec-only; done")
        .stdout(Stdio::null())
        .status()
        .expect("docker exec runs");
    assert!(st.success());
    let _ = host.wait_with_output();
    finish(cap);
    let opens = read(
        &file,
        "evt.type in (open, openat) and evt.dir=< and fd.name=/tmp/exec-only",
        "%container.id %proc.pid",
    );
    // the echo's open (the shell's) and each cat's
    assert_eq!(
        opens.len(),
        31,
        "every open of the exec'd processes: {opens:?}"
    );
    let pids: std::collections::BTreeSet<_> = opens.iter().map(|l| l.to_owned()).collect();
    assert_eq!(pids.len(), 31, "31 processes: {opens:?}");
    for l in &opens {
        assert!(l.starts_with(&id[..12]), "{l}");
    }
    let all = read(&file, "evt.num > 0", "%thread.cgroup");
    for l in &all {
        assert!(l.contains(&id), "an event of another cgroup: {l}");
    }
}

/// The kernel's cgroup filter keeps each CPU's last answer for the thread it saw last: a host
/// process that another moves into the container's cgroup while it loops on syscalls must be
/// captured from its first syscall after the move, not once some other thread has run on its CPU.
/// No record names it before (its fork and exec were outside the capture's view) and it exits
/// at once: its events must still be named with the container (they were dropped as the
/// host's, most runs, when syspect looked the process up in /proc too late).
#[test]
fn a_container_capture_keeps_a_process_moved_into_the_container() {
    if !need_docker("a_container_capture_keeps_a_process_moved_into_the_container") {
        return;
    }
    let dir = TempDir::new("containers-moved");
    let file = dir.join_str("moved.spt");
    let web = name("moved");
    let mut cs = Containers::new();
    let id = cs.run(&web, "while true; do sleep 0.2; done");
    let procs = format!(
        "{}{}/cgroup.procs",
        cgroup2_mount(),
        v2_cgroup(main_pid(&web))
    );
    let cap = start_capture(&file, 4, &["--container", &web]);
    wait_for(&file);
    sleep(Duration::from_millis(1000));
    // loops on getppid until it finds itself in the container's cgroup, then writes a marker
    let script = r#"
import os, sys
fd = os.open("/dev/null", os.O_WRONLY)
n = 0
while True:
    os.getppid()
    n += 1
    if n % 100 == 0 and sys.argv[1] in open("/proc/self/cgroup").read():
        break
for _ in range(500):
    os.write(fd, b"moved-marker")
# gone at once: syspect must name its container without finding it in /proc
os._exit(0)
"#;
    let mut py = Command::new("python3")
        .args(["-c", script, &id])
        .spawn()
        .expect("python3 runs");
    sleep(Duration::from_millis(300));
    std::fs::write(&procs, py.id().to_string()).expect("moving the process into the container");
    assert!(py.wait().expect("python3 ends").success());
    finish(cap);
    let writes = read(
        &file,
        "evt.type=write and evt.dir=< and evt.buffer contains moved-marker",
        "%container.id %proc.pid",
    );
    assert_eq!(
        writes.len(),
        500,
        "every write after the move: {:?}",
        writes.first()
    );
    for l in &writes {
        assert!(l.starts_with(&id[..12]), "{l}");
    }
}

/// Where the cgroup2 hierarchy is mounted (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on a
/// hybrid host).
fn cgroup2_mount() -> String {
    let mounts = std::fs::read_to_string("/proc/self/mounts").expect("/proc/self/mounts");
    mounts
        .lines()
        .map(|l| l.split(' ').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == "cgroup2")
        .map(|f| f[1].to_owned())
        .expect("a cgroup2 mount")
}

/// Process `pid`'s cgroup in the cgroup2 hierarchy (`/docker/ID`).
fn v2_cgroup(pid: u32) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).expect("/proc/PID/cgroup");
    text.lines()
        .find_map(|l| l.strip_prefix("0::"))
        .expect("a cgroup2 line")
        .to_owned()
}

/// Wait until the capture has created its file (its engine is running).
fn wait_for(file: &str) {
    for _ in 0..200 {
        if std::path::Path::new(file).exists() {
            return;
        }
        sleep(Duration::from_millis(50));
    }
    panic!("the capture did not create {file}");
}

/// The host pid of container `name`'s main process.
fn main_pid(name: &str) -> u32 {
    let out = Command::new("docker")
        .args(["inspect", "-f", "{{.State.Pid}}", name])
        .output()
        .expect("docker inspect runs");
    stdout_of(&out).trim().parse().expect("a pid")
}

#[test]
fn a_container_capture_sees_the_container_that_starts_after_it() {
    if !need_docker("a_container_capture_sees_the_container_that_starts_after_it") {
        return;
    }
    let dir = TempDir::new("containers-later");
    let file = dir.join_str("later.spt");
    let (web, other) = (name("weblater"), name("otherlater"));
    let mut cs = Containers::new();
    let other_id = cs.run(&other, "while true; do ls / >/dev/null; sleep 0.1; done");
    // the kernel filter is on from the start, with no cgroup in it yet
    let cap = start_capture(&file, 5, &["--container", &web]);
    wait_for(&file);
    let id = cs.run(
        &web,
        "while true; do cat /etc/hostname >/dev/null; sleep 0.1; done",
    );
    let err = finish(cap);
    assert!(err.contains(&format!("no container {web} yet")), "{err}");
    let lines = read(&file, "evt.num > 0", "%thread.cgroup %container.name");
    assert!(lines.len() > 20, "few events of {web}: {lines:?}");
    for l in &lines {
        assert!(
            l.contains(&id) && l.ends_with(&web) && !l.contains(&other_id),
            "{l}"
        );
    }
}

#[test]
fn a_container_capture_follows_the_container_through_a_restart() {
    if !need_docker("a_container_capture_follows_the_container_through_a_restart") {
        return;
    }
    let dir = TempDir::new("containers-restart");
    let file = dir.join_str("restart.spt");
    let (web, other) = (name("webrestart"), name("otherrestart"));
    let mut cs = Containers::new();
    let id = cs.run(
        &web,
        "while true; do cat /etc/hostname >/dev/null; sleep 0.1; done",
    );
    let other_id = cs.run(&other, "while true; do ls / >/dev/null; sleep 0.1; done");
    let before = main_pid(&web);
    let cap = start_capture(&file, 6, &["--container", &web]);
    wait_for(&file);
    sleep(Duration::from_millis(500));
    // a restart puts the container's new processes in a new cgroup
    let restart = Command::new("docker")
        .args(["restart", "-t", "0", &web])
        .output()
        .expect("docker restart runs");
    assert!(restart.status.success(), "{}", stderr(&restart));
    let after = main_pid(&web);
    assert_ne!(before, after);
    finish(cap);
    let lines = read(&file, "evt.num > 0", "%thread.cgroup %container.name");
    for l in &lines {
        assert!(
            l.contains(&id) && l.ends_with(&web) && !l.contains(&other_id),
            "{l}"
        );
    }
    let old = read(&file, &format!("proc.pid={before}"), "%evt.num");
    let new = read(&file, &format!("proc.pid={after}"), "%evt.num");
    assert!(!old.is_empty(), "no event of {web} before its restart");
    assert!(
        new.len() > 5,
        "few events of {web} after its restart: {new:?}"
    );
}

#[test]
fn a_container_capture_needs_docker() {
    if !util::need_root("a_container_capture_needs_docker") {
        return;
    }
    let dir = TempDir::new("containers-nodocker");
    let out = syspect()
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["capture", "--container", "web", "-M", "1", "-w"])
        .arg(dir.join("x.spt"))
        .output()
        .expect("syspect runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--container") && err.contains("/nonexistent/docker.sock"),
        "{err}"
    );
    let bad = run(&["capture", "--container", "no/such\"name", "-M", "1"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn a_capture_without_docker_goes_on_and_warns_once() {
    if !util::need_root("a_capture_without_docker_goes_on_and_warns_once") {
        return;
    }
    let dir = TempDir::new("containers-nodocker-capture");
    let file = dir.join_str("nod.spt");
    let out = syspect()
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["capture", "-w", &file, "-M", "2"])
        .output()
        .expect("syspect runs");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("Docker").count(), 1, "one warning: {err}");
    assert!(err.contains("named by id only"), "{err}");
    let lines = read(&file, "evt.num > 0", "%container.id");
    assert!(!lines.is_empty());
}
