//! The eBPF engine against the real kernel. These need root (CAP_BPF, CAP_PERFMON): they skip
//! loudly when not root, unless CI=true, where they must run.

use std::collections::HashSet;
use std::ffi::OsString;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use syspect_capture::engine::ebpf::{EbpfConfig, EbpfEngine};
use syspect_capture::engine::{CaptureOptions, Engine, Status};
use syspect_capture::syscalls;
use syspect_capture::{Arg, Event, EventKind, Record};

#[path = "ebpf/blocking.rs"]
mod blocking;
#[path = "ebpf/exec.rs"]
mod exec;
#[path = "ebpf/sockets.rs"]
mod sockets;

fn privileged(test: &str) -> bool {
    // SAFETY: geteuid has no memory effects.
    if unsafe { libc::geteuid() } == 0 || std::env::var("CI").as_deref() == Ok("true") {
        return true;
    }
    eprintln!("SKIPPED: {test} because it needs root for eBPF (and CI is not \"true\")");
    false
}

fn wall_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn events(records: Vec<Record>) -> Vec<Event> {
    records
        .into_iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// Poll until the engine ends (or `limit` passes, then stop it and drain).
fn run_to_end(e: &mut EbpfEngine, limit: Duration) -> Vec<Event> {
    let start = Instant::now();
    let mut out = Vec::new();
    loop {
        if start.elapsed() > limit {
            e.stop();
        }
        match e.poll(&mut out, Duration::from_millis(100)) {
            Ok(Status::End) => break,
            Ok(Status::More) => {}
            Err(err) => panic!("poll failed: {err}"),
        }
    }
    events(out)
}

fn cmd(args: &[&str]) -> Option<Vec<OsString>> {
    Some(args.iter().map(OsString::from).collect())
}

fn str_arg(a: &Arg) -> Option<&[u8]> {
    match a {
        Arg::Str { data, .. } => Some(data),
        _ => None,
    }
}

/// (pid of the new process, its parent pid) for each Clone that made a process.
fn forks(evs: &[Event]) -> Vec<(u32, u32)> {
    evs.iter()
        .filter_map(|e| match e.kind {
            EventKind::Clone { child_pid, .. } if child_pid != e.pid => Some((child_pid, e.pid)),
            _ => None,
        })
        .collect()
}

fn exec_of(evs: &[Event], pid: u32) -> Option<(&[u8], &[Vec<u8>])> {
    evs.iter().find_map(|e| match &e.kind {
        EventKind::Exec(x) if e.pid == pid => Some((&x.exe[..], &x.args[..])),
        _ => None,
    })
}

fn opens_of(evs: &[Event], pid: u32) -> Vec<Vec<u8>> {
    evs.iter()
        .filter(|e| e.pid == pid)
        .filter_map(|e| match &e.kind {
            EventKind::Enter { nr: 257, args } => args.get(1).and_then(str_arg).map(<[u8]>::to_vec),
            _ => None,
        })
        .collect()
}

fn exited(evs: &[Event], pid: u32) -> Option<i32> {
    evs.iter().find_map(|e| match e.kind {
        EventKind::ThreadExit { status } if e.tid == pid => Some(status),
        _ => None,
    })
}

const SCRIPT: &str = "cat /etc/hostname >/dev/null; true";

#[test]
fn system_wide_capture_sees_a_marker_command_with_its_tree_and_paths() {
    if !privileged("system_wide_capture_sees_a_marker_command_with_its_tree_and_paths") {
        return;
    }
    let t0 = wall_now();
    let mut e = EbpfEngine::start(&CaptureOptions::default()).expect("start the eBPF engine");
    let marker = format!("syspect-marker-{}", std::process::id());
    let status = Command::new("/bin/sh")
        .args(["-c", SCRIPT, &marker])
        .status()
        .expect("run the marker command");
    assert!(status.success());
    // the records are in the ring by now; one more tick drains them
    std::thread::sleep(Duration::from_millis(50));
    e.stop();
    let evs = run_to_end(&mut e, Duration::from_secs(10));
    let t1 = wall_now();
    assert_eq!(e.undecodable(), 0);

    let sh = evs
        .iter()
        .find_map(|ev| match &ev.kind {
            EventKind::Exec(x) if x.args.last() == Some(&marker.as_bytes().to_vec()) => {
                Some(ev.pid)
            }
            _ => None,
        })
        .expect("the marker command's Exec event");
    let (exe, args) = exec_of(&evs, sh).unwrap();
    let real_sh = std::fs::canonicalize("/bin/sh").unwrap();
    assert_eq!(exe, real_sh.as_os_str().as_encoded_bytes());
    assert_eq!(
        args[..3],
        [
            b"/bin/sh".to_vec(),
            b"-c".to_vec(),
            SCRIPT.as_bytes().to_vec()
        ]
    );

    let cat = forks(&evs)
        .into_iter()
        .find(|&(_, parent)| parent == sh)
        .map(|(child, _)| child)
        .expect("the shell forked cat");
    let (cat_exe, cat_args) = exec_of(&evs, cat).expect("cat's Exec event");
    assert!(
        cat_exe.ends_with(b"/cat"),
        "{:?}",
        String::from_utf8_lossy(cat_exe)
    );
    assert_eq!(cat_args, [b"cat".to_vec(), b"/etc/hostname".to_vec()]);
    assert!(opens_of(&evs, cat).contains(&b"/etc/hostname".to_vec()));
    assert_eq!(exited(&evs, cat), Some(0));
    assert_eq!(exited(&evs, sh), Some(0));

    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get()) as u16;
    for ev in evs.iter().filter(|ev| ev.pid == sh || ev.pid == cat) {
        assert!(
            ev.ts >= t0 && ev.ts <= t1,
            "timestamp {} not in [{t0}, {t1}]",
            ev.ts
        );
        assert!(ev.cpu < ncpu);
    }
    // the openat's exit returned an fd
    let ok = evs.iter().any(|ev| {
        ev.pid == cat && matches!(ev.kind, EventKind::Exit { nr: 257, ret, .. } if ret >= 0)
    });
    assert!(ok);
    // syspect's own process is never traced
    assert!(evs.iter().all(|ev| ev.pid != std::process::id()));
}

#[test]
fn command_capture_sees_only_the_command_tree_from_its_execve() {
    if !privileged("command_capture_sees_only_the_command_tree_from_its_execve") {
        return;
    }
    let opts = CaptureOptions {
        command: cmd(&["/bin/sh", "-c", SCRIPT]),
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start the command");
    let sh = e.child_pid().unwrap();
    let noise = Command::new("/bin/true").spawn().unwrap();
    let noise_pid = noise.id();
    let evs = run_to_end(&mut e, Duration::from_secs(20));
    drop(noise);
    assert_eq!(e.exit_code(), Some(0));

    let mut tree: HashSet<u32> = HashSet::from([sh]);
    tree.extend(forks(&evs).into_iter().map(|(c, _)| c));
    assert_eq!(tree.len(), 2, "sh and cat");
    for ev in &evs {
        if !matches!(ev.kind, EventKind::Drops { .. }) {
            assert!(
                tree.contains(&ev.pid),
                "event of pid {} outside the tree: {ev:?}",
                ev.pid
            );
        }
    }
    assert!(evs.iter().all(|ev| ev.pid != noise_pid));
    let first = evs.iter().find(|ev| ev.pid == sh).unwrap();
    assert!(
        matches!(first.kind, EventKind::Enter { nr: 59, .. }),
        "first event is the execve: {first:?}"
    );
    assert!(exec_of(&evs, sh).is_some());
    let cat = *tree.iter().find(|&&p| p != sh).unwrap();
    assert!(opens_of(&evs, cat).contains(&b"/etc/hostname".to_vec()));
    assert_eq!(exited(&evs, cat), Some(0));
    assert_eq!(e.stats().events as usize, evs.len());
}

/// The pid filter keeps each CPU's last answer for the thread it saw last: every process of a
/// command's forking loop is in the capture, whichever kernel stack (of a host process gone, or
/// of one of the loop's) it is given, and no process of the host forking beside it.
#[test]
fn command_capture_keeps_every_process_of_a_forking_loop_and_no_other() {
    if !privileged("command_capture_keeps_every_process_of_a_forking_loop_and_no_other") {
        return;
    }
    let opts = CaptureOptions {
        command: cmd(&[
            "/bin/sh",
            "-c",
            "for i in $(seq 40); do cat /etc/hostname >/dev/null; done",
        ]),
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start the command");
    let sh = e.child_pid().unwrap();
    let host = Command::new("sh")
        .args([
            "-c",
            "for i in $(seq 100); do cat /etc/hostname >/dev/null; done",
        ])
        .spawn()
        .unwrap();
    let evs = run_to_end(&mut e, Duration::from_secs(30));
    let host_pid = host.id();
    let _ = host.wait_with_output();
    assert_eq!(e.exit_code(), Some(0));

    let mut tree: HashSet<u32> = HashSet::from([sh]);
    tree.extend(forks(&evs).into_iter().map(|(c, _)| c));
    let cats: Vec<u32> = tree
        .iter()
        .copied()
        .filter(|&p| opens_of(&evs, p).contains(&b"/etc/hostname".to_vec()))
        .collect();
    assert_eq!(cats.len(), 40, "each cat's open of /etc/hostname");
    for ev in &evs {
        if !matches!(ev.kind, EventKind::Drops { .. }) {
            assert!(
                tree.contains(&ev.pid) && ev.pid != host_pid,
                "event of pid {} outside the tree: {ev:?}",
                ev.pid
            );
        }
    }
}

/// The syscalls and openat paths strace sees for `argv`, in order.
fn strace_sequence(argv: &[&str]) -> Option<Vec<(String, Option<String>)>> {
    let file = std::env::temp_dir().join(format!("syspect-ebpf-strace-{}", std::process::id()));
    let st = Command::new("strace")
        .args(["-qq", "-s", "4096", "-o"])
        .arg(&file)
        .arg("--")
        .args(argv)
        .status()
        .ok()?;
    assert!(st.success());
    let text = std::fs::read_to_string(&file).ok()?;
    let _ = std::fs::remove_file(&file);
    Some(
        text.lines()
            .filter(|l| !l.starts_with("+++") && !l.starts_with("---"))
            .filter_map(|l| {
                let name = l.split('(').next()?.to_string();
                let path = (name == "openat")
                    .then(|| l.split('"').nth(1).map(str::to_string))
                    .flatten();
                Some((name, path))
            })
            .collect(),
    )
}

#[test]
fn a_command_decodes_to_the_syscall_sequence_strace_sees() {
    if !privileged("a_command_decodes_to_the_syscall_sequence_strace_sees") {
        return;
    }
    let argv = ["/bin/sh", "-c", "exec cat /etc/hostname >/dev/null"];
    let Some(expected) = strace_sequence(&argv) else {
        eprintln!("SKIPPED: a_command_decodes_to_the_syscall_sequence_strace_sees because strace is not installed");
        return;
    };
    let opts = CaptureOptions {
        command: cmd(&argv),
        snaplen: 4096,
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start the command");
    let evs = run_to_end(&mut e, Duration::from_secs(20));
    let got: Vec<(String, Option<String>)> = evs
        .iter()
        .filter_map(|ev| match &ev.kind {
            EventKind::Enter { nr, args } => {
                let path = (*nr == 257)
                    .then(|| args.get(1).and_then(str_arg))
                    .flatten()
                    .map(|p| String::from_utf8_lossy(p).into_owned());
                Some((syscalls::name(*nr).into_owned(), path))
            }
            _ => None,
        })
        .collect();
    let differ = got.iter().zip(&expected).position(|(a, b)| a != b);
    assert!(
        differ.is_none() && got.len() == expected.len(),
        "first difference at {differ:?} of {} (eBPF) and {} (strace): {:?} vs {:?}",
        got.len(),
        expected.len(),
        differ.map(|i| &got[i..(i + 3).min(got.len())]),
        differ.map(|i| &expected[i..(i + 3).min(expected.len())]),
    );
}

/// An argument as both engines must give it, without what differs from run to run (addresses,
/// struct contents with times in them).
fn shape(a: &Arg) -> String {
    match a {
        Arg::Num(_) => "N".into(),
        Arg::Fault(_) => "F".into(),
        Arg::Str { data, trunc } => format!("S{:?}{}", String::from_utf8_lossy(data), trunc),
        Arg::Buf { data, len } => format!("B{len}:{data:?}"),
        Arg::Mem(d) => format!("M{}", d.len()),
        Arg::StrList { items, trunc } => format!("L{items:?}{trunc}"),
        Arg::List(v) => format!("[{}]", v.iter().map(shape).collect::<Vec<_>>().join(",")),
    }
}

/// The syscalls of a run as comparable text: direction, name, arguments, small return values.
/// rt_sigreturn is left out: where a signal lands depends on timing, which tracing changes.
fn shapes(evs: &[Event]) -> Vec<String> {
    evs.iter()
        .filter_map(|ev| match &ev.kind {
            EventKind::Enter { nr: 15, .. } | EventKind::Exit { nr: 15, .. } => None,
            EventKind::Exec(x) => Some(format!(
                "exec {} {:?}",
                String::from_utf8_lossy(&x.exe),
                x.args
                    .iter()
                    .map(|a| String::from_utf8_lossy(a))
                    .collect::<Vec<_>>()
            )),
            EventKind::Clone { flags, .. } => Some(format!("clone {flags:#x}")),
            EventKind::ThreadExit { status } => Some(format!("exit {status}")),
            EventKind::Enter { nr, args } => Some(format!(
                "> {} {}",
                syscalls::name(*nr),
                args.iter().map(shape).collect::<Vec<_>>().join(" ")
            )),
            // random bytes differ from run to run
            EventKind::Exit { nr: 318, ret, .. } => Some(format!("< getrandom {ret}")),
            EventKind::Exit { nr, ret, args } => Some(format!(
                "< {} {} {}",
                syscalls::name(*nr),
                // pids of children differ from run to run
                if *ret == ev.tid as i64
                    || (*ret > 0 && matches!(*nr, 15 | 56 | 57 | 58 | 61 | 435))
                {
                    "pid".into()
                } else if (-4095..1 << 20).contains(ret) {
                    ret.to_string()
                } else {
                    "big".into()
                },
                args.iter().map(shape).collect::<Vec<_>>().join(" ")
            )),
            _ => None,
        })
        .collect()
}

/// Each process's syscalls as [`shapes`], in a stable order (processes run concurrently, so
/// only the sequence within one process is fixed); one list, processes separated by a line.
fn per_process(evs: &[Event]) -> Vec<String> {
    let mut order: Vec<u32> = Vec::new();
    for ev in evs {
        if !order.contains(&ev.pid) {
            order.push(ev.pid);
        }
    }
    let mut seqs: Vec<Vec<String>> = order
        .iter()
        .map(|&p| {
            let mine: Vec<Event> = evs.iter().filter(|e| e.pid == p).cloned().collect();
            shapes(&mine)
        })
        .collect();
    seqs.sort();
    seqs.join(&["----".to_string()][..])
}

#[test]
fn a_command_decodes_to_the_same_events_as_the_ptrace_engine() {
    use syspect_capture::engine::ptrace::PtraceEngine;
    if !privileged("a_command_decodes_to_the_same_events_as_the_ptrace_engine") {
        return;
    }
    let opts = CaptureOptions {
        command: cmd(&[
            "/bin/sh",
            "-c",
            "cat /nonexistent 2>/dev/null; ls -la /etc/hostname >/dev/null; \
             echo hi | cat >/dev/null; exec cat /etc/hostname /etc/os-release >/dev/null",
        ]),
        ..CaptureOptions::default()
    };
    let mut p = PtraceEngine::start(&opts).expect("start the ptrace engine");
    let mut out = Vec::new();
    while p.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
    let want = per_process(&events(out));
    let mut e = EbpfEngine::start_for_command(&opts).expect("start the eBPF engine");
    let got = per_process(&run_to_end(&mut e, Duration::from_secs(20)));
    if let Ok(dir) = std::env::var("SYSPECT_TEST_DUMP") {
        let _ = std::fs::write(format!("{dir}/ebpf.txt"), got.join("\n"));
        let _ = std::fs::write(format!("{dir}/ptrace.txt"), want.join("\n"));
    }
    let differ = got.iter().zip(&want).position(|(a, b)| a != b);
    assert!(
        differ.is_none() && got.len() == want.len(),
        "first difference at {differ:?} of {} (eBPF) and {} (ptrace):\n{:#?}\nvs\n{:#?}",
        got.len(),
        want.len(),
        differ.map(|i| &got[i.saturating_sub(2)..(i + 3).min(got.len())]),
        differ.map(|i| &want[i.saturating_sub(2)..(i + 3).min(want.len())]),
    );
}

#[test]
fn the_syscall_filter_keeps_only_named_syscalls_and_lifecycle() {
    if !privileged("the_syscall_filter_keeps_only_named_syscalls_and_lifecycle") {
        return;
    }
    let opts = CaptureOptions {
        command: cmd(&["/bin/sh", "-c", SCRIPT]),
        syscalls: Some(vec![257]),
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start the command");
    let evs = run_to_end(&mut e, Duration::from_secs(20));
    let mut opens = 0;
    for ev in &evs {
        match ev.kind {
            EventKind::Enter { nr, .. } | EventKind::Exit { nr, .. } => {
                assert_eq!(nr, 257);
                opens += 1;
            }
            _ => {}
        }
    }
    assert!(opens >= 4);
    assert!(evs
        .iter()
        .any(|ev| matches!(ev.kind, EventKind::Clone { .. })));
    assert!(evs.iter().any(|ev| matches!(ev.kind, EventKind::Exec(_))));
    assert!(evs
        .iter()
        .any(|ev| matches!(ev.kind, EventKind::ThreadExit { .. })));
}

#[test]
fn a_tiny_ring_under_load_reports_drops_that_add_up() {
    if !privileged("a_tiny_ring_under_load_reports_drops_that_add_up") {
        return;
    }
    const N: usize = 50_000;
    let count = format!("count={N}");
    let opts = CaptureOptions {
        command: cmd(&[
            "dd",
            "if=/dev/zero",
            "of=/dev/null",
            "bs=1",
            &count,
            "status=none",
        ]),
        ..CaptureOptions::default()
    };
    let cfg = EbpfConfig {
        ring_bytes: 16384,
        wake_bytes: 8192,
    };
    let mut e = EbpfEngine::start_for_command_with(&opts, cfg).expect("start dd");
    // let the ring overflow before the first drain
    std::thread::sleep(Duration::from_millis(300));
    let evs = run_to_end(&mut e, Duration::from_secs(60));
    assert_eq!(e.exit_code(), Some(0));
    let reported: u64 = evs
        .iter()
        .map(|ev| match ev.kind {
            EventKind::Drops { count, .. } => count,
            _ => 0,
        })
        .sum();
    let stats = e.stats();
    assert!(stats.drops > 0, "a 16 KiB ring must overflow");
    assert_eq!(reported, stats.drops);
    assert_eq!(e.undecodable(), 0);
    let io = evs
        .iter()
        .filter(|ev| {
            matches!(
                ev.kind,
                EventKind::Enter { nr: 0 | 1, .. } | EventKind::Exit { nr: 0 | 1, .. }
            )
        })
        .count() as u64;
    // every read and write enter and exit was either delivered or counted as dropped
    assert!(
        io + stats.drops >= 4 * N as u64,
        "{io} delivered + {} dropped",
        stats.drops
    );
    assert!(io + stats.drops <= 4 * N as u64 + 2000);
}

#[test]
fn a_call_blocked_at_stop_has_its_enter_and_the_command_is_killed() {
    if !privileged("a_call_blocked_at_stop_has_its_enter_and_the_command_is_killed") {
        return;
    }
    let opts = CaptureOptions {
        command: cmd(&["sleep", "30"]),
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start sleep");
    let pid = e.child_pid().unwrap();
    let mut out = Vec::new();
    let start = Instant::now();
    // poll until sleep is in its clock_nanosleep (230)
    while start.elapsed() < Duration::from_secs(10) {
        e.poll(&mut out, Duration::from_millis(50)).unwrap();
        let blocked = out.iter().any(|r| {
            matches!(r, Record::Event(Event { pid: p, kind: EventKind::Enter { nr: 230, .. }, .. }) if *p == pid)
        });
        if blocked {
            break;
        }
    }
    e.stop();
    let mut rest = run_to_end(&mut e, Duration::from_secs(10));
    let mut evs = events(out);
    evs.append(&mut rest);
    assert!(evs
        .iter()
        .any(|ev| ev.pid == pid && matches!(ev.kind, EventKind::Enter { nr: 230, .. })));
    assert_eq!(e.exit_code(), Some(128 + libc::SIGKILL));
    let mut again = Vec::new();
    assert_eq!(e.poll(&mut again, Duration::ZERO).unwrap(), Status::End);
    assert!(again.is_empty());
}

#[test]
fn privilege_probe() {
    if std::env::var("SYSPECT_PRIVILEGE_PROBE").is_err() {
        return;
    }
    match EbpfEngine::start(&CaptureOptions::default()) {
        Err(syspect_capture::engine::EngineError::Privilege { what, hint }) => {
            println!("PRIVILEGE-ERROR: {what}; {hint}");
        }
        Err(other) => panic!("not a privilege error: {other}"),
        Ok(_) => panic!("the engine started without privilege"),
    }
}

#[test]
fn without_privilege_the_engine_refuses_with_the_hint() {
    use std::os::unix::process::CommandExt;
    if !privileged("without_privilege_the_engine_refuses_with_the_hint") {
        return;
    }
    // this test binary again, as nobody, running only the probe
    let out = match Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "privilege_probe",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SYSPECT_PRIVILEGE_PROBE", "1")
        .uid(65534)
        .gid(65534)
        .output()
    {
        Ok(out) => out,
        // a checkout in a folder nobody may enter: the capability check has a unit test too
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!("SKIPPED: without_privilege_the_engine_refuses_with_the_hint because nobody cannot run this test binary ({e})");
            return;
        }
        Err(e) => panic!("cannot run the probe as nobody: {e}"),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("PRIVILEGE-ERROR: the eBPF engine needs root"),
        "{text}"
    );
    assert!(text.contains("--engine ptrace"), "{text}");
}

/// A cgroup v2 directory made for one test, removed when dropped.
struct TestCgroup(std::path::PathBuf);

impl Drop for TestCgroup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[test]
fn the_cgroup_filter_keeps_only_threads_in_the_cgroup() {
    use std::os::unix::fs::MetadataExt;
    if !privileged("the_cgroup_filter_keeps_only_threads_in_the_cgroup") {
        return;
    }
    let root = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
        .into_iter()
        .find(|p| std::path::Path::new(p).join("cgroup.procs").exists())
        .expect("a cgroup v2 hierarchy");
    let cg =
        TestCgroup(std::path::Path::new(root).join(format!("syspect-test-{}", std::process::id())));
    std::fs::create_dir(&cg.0).expect("create a test cgroup");
    let id = std::fs::metadata(&cg.0).unwrap().ino();
    let mut e = EbpfEngine::start(&CaptureOptions {
        cgroups: vec![id],
        ..CaptureOptions::default()
    })
    .expect("start the eBPF engine");
    // the shell joins the cgroup, then starts cat inside it; `true` stays outside
    let script = format!(
        "echo $$ > {}/cgroup.procs && cat /etc/hostname >/dev/null; true",
        cg.0.display()
    );
    let outside = Command::new("/bin/true").spawn().unwrap();
    let outside_pid = outside.id();
    let sh = Command::new("/bin/sh")
        .args(["-c", &script])
        .spawn()
        .unwrap();
    let sh_pid = sh.id();
    assert!(sh.wait_with_output().unwrap().status.success());
    std::thread::sleep(Duration::from_millis(50));
    e.stop();
    let evs = run_to_end(&mut e, Duration::from_secs(10));
    drop(outside);
    let cat = forks(&evs)
        .into_iter()
        .find(|&(_, parent)| parent == sh_pid)
        .map(|(child, _)| child)
        .expect("cat forked inside the cgroup");
    assert!(opens_of(&evs, cat).contains(&b"/etc/hostname".to_vec()));
    for ev in &evs {
        assert!(
            ev.pid == sh_pid || ev.pid == cat || matches!(ev.kind, EventKind::Drops { .. }),
            "event from outside the cgroup: {ev:?}"
        );
    }
    assert!(evs.iter().all(|ev| ev.pid != outside_pid));
    assert_eq!(e.cgroup_of(cat), Some(id));
}

#[test]
fn a_process_that_joins_a_cgroup_gets_its_thread_record_again() {
    if !privileged("a_process_that_joins_a_cgroup_gets_its_thread_record_again") {
        return;
    }
    let root = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
        .into_iter()
        .find(|p| std::path::Path::new(p).join("cgroup.procs").exists())
        .expect("a cgroup v2 hierarchy");
    let name = format!("syspect-join-{}", std::process::id());
    let cg = TestCgroup(std::path::Path::new(root).join(&name));
    std::fs::create_dir(&cg.0).expect("create a test cgroup");
    let mut e = EbpfEngine::start(&CaptureOptions::default()).expect("start the eBPF engine");
    // the shell makes calls, joins the cgroup, then makes more and lives on a little (the
    // engine reads /proc when it sees the change)
    let script = format!(
        "cat /etc/hostname >/dev/null; echo $$ > {}/cgroup.procs; cat /etc/hostname >/dev/null; \
         sleep 1",
        cg.0.display()
    );
    let mut sh = Command::new("/bin/sh")
        .args(["-c", &script])
        .spawn()
        .unwrap();
    let sh_pid = sh.id();
    let mut out = Vec::new();
    while sh.try_wait().unwrap().is_none() {
        e.poll(&mut out, Duration::from_millis(20)).unwrap();
    }
    e.stop();
    while e.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
    let joined = out.iter().any(|r| match r {
        Record::Thread(t) => t.pid == sh_pid && t.cgroup.ends_with(name.as_bytes()),
        _ => false,
    });
    assert!(joined, "no Thread record of the shell in its new cgroup");
}

fn cpu_time() -> Duration {
    rusage(libc::RUSAGE_SELF)
}

fn rusage(who: i32) -> Duration {
    // SAFETY: getrusage writes into the struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// `cargo test --release -p syspect-capture --test ebpf -- --ignored --nocapture dd_overhead`:
/// the time of `dd bs=1 count=500k` traced against untraced (with no syscall kept: the cost of
/// attached programs alone; all kept: a full capture), the reader's CPU time, and the drops.
#[test]
#[ignore = "a measurement, not a check: run it by hand in release"]
fn dd_overhead() {
    if !privileged("dd_overhead") {
        return;
    }
    let argv = [
        "dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=1",
        "count=500k",
        "status=none",
    ];
    let t = Instant::now();
    let c0 = rusage(libc::RUSAGE_CHILDREN);
    assert!(Command::new(argv[0])
        .args(&argv[1..])
        .status()
        .unwrap()
        .success());
    let untraced = t.elapsed();
    let untraced_cpu = rusage(libc::RUSAGE_CHILDREN) - c0;
    for (what, syscalls) in [
        ("attached, nothing kept", Some(vec![])),
        ("full capture", None),
    ] {
        let opts = CaptureOptions {
            command: cmd(&argv),
            syscalls,
            ..CaptureOptions::default()
        };
        let t = Instant::now();
        let cpu = cpu_time();
        let c0 = rusage(libc::RUSAGE_CHILDREN);
        let cfg = match std::env::var("SYSPECT_RING_KB") {
            Ok(kb) => EbpfConfig {
                ring_bytes: kb.parse::<u32>().unwrap() * 1024,
                wake_bytes: kb.parse::<u64>().unwrap() * 256,
            },
            Err(_) => EbpfConfig::default(),
        };
        let load = Instant::now();
        let mut e = EbpfEngine::start_for_command_with(&opts, cfg).unwrap();
        eprintln!("{what}: loading and attaching took {:?}", load.elapsed());
        let mut out = Vec::new();
        let mut n = 0usize;
        while e.poll(&mut out, Duration::from_millis(10)).unwrap() == Status::More {
            n += out.len();
            out.clear();
        }
        n += out.len();
        let traced = t.elapsed();
        eprintln!(
            "dd CPU: untraced {untraced_cpu:?}, traced {:?}",
            rusage(libc::RUSAGE_CHILDREN) - c0
        );
        eprintln!(
            "{what}: untraced {untraced:?}, traced {traced:?} = {:.2}x, reader CPU {:?}, {n} records, {} drops",
            traced.as_secs_f64() / untraced.as_secs_f64(),
            cpu_time() - cpu,
            e.stats().drops
        );
    }
}
