//! The ptrace engine against real processes: what it records of known commands, how it follows
//! children, threads and signals, how it ends. Needs no privilege (the tracees are our own
//! children).

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use syspect_capture::engine::ptrace::PtraceEngine;
use syspect_capture::engine::{CaptureOptions, Engine, Status};
use syspect_capture::event::{Arg, Event, EventKind, Record};

const NR_READ: u16 = 0;
const NR_WRITE: u16 = 1;
const NR_OPENAT: u16 = 257;
const NR_GETPID: u16 = 39;
const NR_EXECVE: u16 = 59;

fn cmd(args: &[&str]) -> CaptureOptions {
    CaptureOptions {
        command: Some(args.iter().map(OsString::from).collect()),
        ..CaptureOptions::default()
    }
}

/// Poll `engine` until it ends (or 30 s pass, then stop it), returning the events.
fn drain(engine: &mut PtraceEngine) -> Vec<Event> {
    let mut out = Vec::new();
    let give_up = Instant::now() + Duration::from_secs(30);
    let mut stopped = false;
    loop {
        match engine.poll(&mut out, Duration::from_millis(100)).unwrap() {
            Status::End => break,
            Status::More => {}
        }
        if !stopped && Instant::now() > give_up {
            engine.stop();
            stopped = true;
        }
    }
    assert!(!stopped, "capture did not end by itself");
    out.into_iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// Run `opts` to the end: the events and the exit code.
fn run(opts: &CaptureOptions) -> (Vec<Event>, i32) {
    let mut engine = PtraceEngine::spawn(opts).unwrap();
    let events = drain(&mut engine);
    let code = engine.exit_code().expect("exit code of the command");
    (events, code)
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("syspect-ptrace-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn enters(events: &[Event], nr: u16) -> Vec<(&Event, &Vec<Arg>)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Enter { nr: n, args } if *n == nr => Some((e, args)),
            _ => None,
        })
        .collect()
}

/// The Exit event that follows `enter` on the same thread.
fn exit_of<'a>(events: &'a [Event], enter: &Event) -> (i64, &'a Vec<Arg>) {
    let at = events.iter().position(|e| std::ptr::eq(e, enter)).unwrap();
    events[at + 1..]
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Exit { ret, args, .. } if e.tid == enter.tid => Some((*ret, args)),
            EventKind::Enter { .. } if e.tid == enter.tid => panic!("enter without exit"),
            _ => None,
        })
        .expect("exit event")
}

fn str_arg(data: &[u8]) -> Arg {
    Arg::Str {
        data: data.to_vec(),
        trunc: false,
    }
}

// Enter/exit pairs of a known command: openat's path and flags, write's bytes.
#[test]
fn openat_and_write_are_captured_with_their_arguments() {
    let dir = temp_dir("openat");
    let path = dir.join("out.txt");
    let script = format!("printf hello-syspect > {}", path.display());
    let (events, code) = run(&cmd(&["/bin/sh", "-c", &script]));
    assert_eq!(code, 0);
    let opens = enters(&events, NR_OPENAT);
    let (open, args) = opens
        .iter()
        .find(|(_, a)| a.get(1) == Some(&str_arg(path.as_os_str().as_encoded_bytes())))
        .expect("openat of the output file");
    let o_flags = (libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC) as u64;
    assert_eq!(
        **args,
        vec![
            // An int argument is the register as the caller left it: zero-extended.
            Arg::Num(libc::AT_FDCWD as u32 as u64),
            str_arg(path.as_os_str().as_encoded_bytes()),
            Arg::Num(o_flags),
            Arg::Num(0o666),
        ]
    );
    let (fd, out) = exit_of(&events, open);
    assert!(fd >= 0, "openat returned {fd}");
    assert!(out.is_empty(), "openat has no output arguments");
    let writes = enters(&events, NR_WRITE);
    let (write, args) = writes
        .iter()
        .find(|(_, a)| a.get(1).and_then(Arg::bytes) == Some(b"hello-syspect"))
        .expect("write of the bytes");
    assert_eq!(args[0], Arg::Num(1));
    assert_eq!(
        args[1],
        Arg::Buf {
            data: b"hello-syspect".to_vec(),
            len: 13
        }
    );
    assert_eq!(args[2], Arg::Num(13));
    assert_eq!(exit_of(&events, write).0, 13);
    // Every event of the single process carries its pid.
    assert!(events.iter().all(|e| e.pid == events[0].pid));
    std::fs::remove_dir_all(dir).unwrap();
}

// Output buffers are read at exit, cut at the snap length, with the real length kept.
#[test]
fn read_data_is_cut_at_snaplen() {
    let dir = temp_dir("read");
    let path = dir.join("in.txt");
    std::fs::write(&path, "0123456789abcdefghij").unwrap();
    // dd, not cat: cat copies with copy_file_range when its output is a regular file (a CI
    // log), and then never calls read.
    let input = format!("if={}", path.to_str().unwrap());
    let mut opts = cmd(&[
        "dd",
        &input,
        "of=/dev/null",
        "bs=64",
        "count=1",
        "status=none",
    ]);
    opts.snaplen = 8;
    let mut engine = PtraceEngine::spawn(&opts).unwrap();
    let events = drain(&mut engine);
    let reads = enters(&events, NR_READ);
    let got = reads.iter().find_map(|(e, _)| {
        let (ret, args) = exit_of(&events, e);
        (ret == 20).then(|| args.clone())
    });
    assert_eq!(
        got,
        Some(vec![Arg::Buf {
            data: b"01234567".to_vec(),
            len: 20
        }])
    );
    // Paths are kept whole whatever the snap length.
    let opens = enters(&events, NR_OPENAT);
    let name = path.as_os_str().as_encoded_bytes();
    assert!(opens.iter().any(|(_, a)| a[1] == str_arg(name)));
    std::fs::remove_dir_all(dir).unwrap();
}

// A failed call's output pointer is not read; syscalls not in the table get raw registers.
#[test]
fn failed_reads_and_undescribed_syscalls() {
    let (events, _) = run(&cmd(&["/bin/cat", "/proc/self/mem"]));
    let failed = enters(&events, NR_READ)
        .into_iter()
        .map(|(e, _)| exit_of(&events, e))
        .find(|(ret, _)| *ret < 0)
        .expect("a failed read");
    assert_eq!(failed.0, -(libc::EIO as i64));
    assert!(matches!(failed.1.as_slice(), [Arg::Num(p)] if *p != 0));

    let (events, _) = run(&cmd(&["/bin/sh", "-c", "echo $$ >/dev/null"]));
    // sh calls getpid; the table does not describe it.
    if syspect_capture::syscalls::lookup(NR_GETPID).is_none() {
        let (e, args) = enters(&events, NR_GETPID)[0];
        assert_eq!(args.len(), 6);
        let (ret, out) = exit_of(&events, e);
        assert_eq!(ret, e.pid as i64);
        assert!(out.is_empty());
    }
}

// fork + exec + exit: the child's events carry the child's pid, the exec names the program.
#[test]
fn fork_exec_and_exit_are_followed() {
    let (events, code) = run(&cmd(&["/bin/sh", "-c", "/bin/true; exit 3"]));
    assert_eq!(code, 3);
    let sh = events[0].pid;
    // The stream begins with the command's own execve and exec.
    let EventKind::Enter {
        nr: NR_EXECVE,
        args,
    } = &events[0].kind
    else {
        panic!("first event {:?}", events[0]);
    };
    if syspect_capture::syscalls::lookup(NR_EXECVE).is_some() {
        assert_eq!(args[0], str_arg(b"/bin/sh"));
    }
    assert!(matches!(&events[1].kind, EventKind::Exec(x) if x.args[0] == b"/bin/sh"));
    let (child_tid, child_pid, flags) = events
        .iter()
        .find_map(|e| match e.kind {
            EventKind::Clone {
                child_tid,
                child_pid,
                flags,
            } if e.pid == sh => Some((child_tid, child_pid, flags)),
            _ => None,
        })
        .expect("clone event");
    assert_eq!(child_tid, child_pid);
    assert_eq!(flags & libc::CLONE_THREAD as u64, 0);
    let exec = events
        .iter()
        .find(|e| e.tid == child_tid && matches!(e.kind, EventKind::Exec(_)))
        .expect("exec of the child");
    match &exec.kind {
        EventKind::Exec(x) => {
            let (old_tid, exe, args) = (&x.old_tid, &x.exe, &x.args);
            assert_eq!(*old_tid, child_tid);
            assert!(exe.ends_with(b"/true"), "{}", String::from_utf8_lossy(exe));
            assert_eq!(args, &vec![b"/bin/true".to_vec()]);
        }
        _ => unreachable!(),
    }
    assert_eq!(exec.pid, child_pid);
    // Ordering: the Clone event precedes everything of the child.
    let clone_at = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Clone { .. }))
        .unwrap();
    let first_child = events.iter().position(|e| e.tid == child_tid).unwrap();
    assert!(clone_at < first_child);
    // Both end with ThreadExit: the child with 0, the shell with 3.
    let exits: Vec<_> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ThreadExit { status } => Some((e.tid, status)),
            _ => None,
        })
        .collect();
    assert!(exits.contains(&(child_tid, 0)));
    assert_eq!(exits.last(), Some(&(sh, 3 << 8)));
    assert!(events
        .iter()
        .filter(|e| e.tid == child_tid)
        .all(|e| e.pid == child_pid));
}

fn have_python() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "pass"])
        .status()
        .is_ok_and(|s| s.success())
}

// A thread gets its own tid and its process's pid.
#[test]
fn threads_carry_their_process_id() {
    if !have_python() {
        eprintln!("SKIPPED: threads_carry_their_process_id because python3 is not installed");
        return;
    }
    let script = "import threading,os\n\
                  def f(): os.write(1, b'')\n\
                  t=threading.Thread(target=f); t.start(); t.join()";
    let (events, code) = run(&cmd(&["python3", "-c", script]));
    assert_eq!(code, 0);
    let (parent, child_tid, child_pid, flags) = events
        .iter()
        .find_map(|e| match e.kind {
            EventKind::Clone {
                child_tid,
                child_pid,
                flags,
            } if flags & libc::CLONE_THREAD as u64 != 0 => Some((e, child_tid, child_pid, flags)),
            _ => None,
        })
        .expect("a thread clone");
    assert_eq!(child_pid, parent.pid);
    assert_ne!(child_tid, parent.pid);
    assert_ne!(flags & libc::CLONE_VM as u64, 0);
    // glibc creates threads with clone3: CLONE_SETTLS is only known from its clone_args.
    assert_ne!(flags & libc::CLONE_SETTLS as u64, 0, "flags {flags:#x}");
    let of_thread: Vec<_> = events.iter().filter(|e| e.tid == child_tid).collect();
    assert!(!of_thread.is_empty());
    assert!(of_thread.iter().all(|e| e.pid == parent.pid));
    // The thread's empty write is its own.
    assert!(of_thread.iter().any(
        |e| matches!(&e.kind, EventKind::Enter { nr: NR_WRITE, args } if args[2] == Arg::Num(0))
    ));
    assert!(of_thread
        .iter()
        .any(|e| matches!(e.kind, EventKind::ThreadExit { .. })));
}

// A signal is recorded and delivered: the trap runs and sets the exit status.
#[test]
fn signals_are_recorded_and_delivered() {
    let (events, code) = run(&cmd(&[
        "/bin/sh",
        "-c",
        "trap 'exit 42' USR1; kill -USR1 $$; exit 1",
    ]));
    assert_eq!(code, 42);
    let sh = events[0].pid;
    let sig = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Signal {
                signo,
                code,
                sender,
                info,
            } if *signo == libc::SIGUSR1 => Some((e.tid, *code, *sender, info.clone())),
            _ => None,
        })
        .expect("SIGUSR1 event");
    assert_eq!((sig.0, sig.1, sig.2), (sh, libc::SI_USER, sh));
    // the siginfo as the kernel gave it: signo, code, and si_pid at 16
    let word = |at: usize| i32::from_ne_bytes(sig.3[at..at + 4].try_into().unwrap());
    assert_eq!(sig.3.len(), 48);
    assert_eq!(
        (word(0), word(8), word(16)),
        (libc::SIGUSR1, libc::SI_USER, sh as i32)
    );
}

// A tracee killed by SIGKILL ends the capture, with 128 + 9 as the exit code.
#[test]
fn sigkill_ends_the_capture_with_137() {
    let (events, code) = run(&cmd(&["/bin/sh", "-c", "kill -KILL $$; sleep 10"]));
    assert_eq!(code, 137);
    assert!(matches!(
        events.last().map(|e| &e.kind),
        Some(EventKind::ThreadExit { status }) if *status == libc::SIGKILL
    ));
}

// The command's exit status is passed through.
#[test]
fn exit_status_passes_through() {
    assert_eq!(run(&cmd(&["/bin/sh", "-c", "exit 5"])).1, 5);
    assert_eq!(run(&cmd(&["/bin/true"])).1, 0);
    assert_eq!(run(&cmd(&["/bin/false"])).1, 1);
}

// A missing program is an error at spawn, not an empty capture.
#[test]
fn missing_program_fails_to_spawn() {
    let err = PtraceEngine::spawn(&cmd(&["/nonexistent/program"]))
        .err()
        .expect("spawn error");
    assert!(err.to_string().contains("/nonexistent/program"), "{err}");
}

// With a syscall set only those calls are recorded, and children are still followed.
#[test]
fn seccomp_mode_records_only_the_chosen_syscalls() {
    let mut opts = cmd(&["/bin/sh", "-c", "/bin/cat /etc/hostname >/dev/null; exit 0"]);
    opts.syscalls = Some(vec![NR_OPENAT]);
    let (events, code) = run(&opts);
    assert_eq!(code, 0);
    for e in &events {
        match e.kind {
            EventKind::Enter { nr, .. } | EventKind::Exit { nr, .. } => assert_eq!(nr, NR_OPENAT),
            _ => {}
        }
    }
    let cat = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Exec(x) if x.args[0] == b"/bin/cat" => Some(e.pid),
            _ => None,
        })
        .expect("exec of cat");
    assert!(events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Clone { child_pid, .. } if child_pid == cat)));
    let opened = enters(&events, NR_OPENAT);
    let (e, _) = opened
        .iter()
        .find(|(e, a)| e.pid == cat && a[1] == str_arg(b"/etc/hostname"))
        .expect("cat's openat");
    assert!(exit_of(&events, e).0 >= 0);
}

// Attach to a running process, then stop(): it keeps running, untraced.
#[test]
fn attach_then_stop_leaves_the_process_running() {
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let pid = child.id();
    let opts = CaptureOptions {
        pids: vec![pid],
        ..CaptureOptions::default()
    };
    let mut engine = PtraceEngine::attach(&opts).unwrap();
    let mut out = Vec::new();
    assert_eq!(
        engine.poll(&mut out, Duration::from_millis(200)).unwrap(),
        Status::More
    );
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    assert!(
        // The tracer is this thread (the kernel shows its tid). SAFETY: gettid has no inputs.
        status.contains(&format!("TracerPid:\t{}\n", unsafe { libc::gettid() })),
        "{status}"
    );
    engine.stop();
    while engine.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    assert!(status.contains("TracerPid:\t0\n"), "{status}");
    let state = status.lines().find(|l| l.starts_with("State:")).unwrap();
    assert!(!state.contains("stop"), "{state}");
    assert!(child.try_wait().unwrap().is_none(), "sleep must still run");
    child.kill().unwrap();
    child.wait().unwrap();
}

// Attaching to a pid that does not exist is an error naming it.
#[test]
fn attach_to_a_missing_pid_fails() {
    let opts = CaptureOptions {
        pids: vec![0x3fff_fff0],
        ..CaptureOptions::default()
    };
    let err = PtraceEngine::attach(&opts).err().expect("attach error");
    assert!(
        err.to_string().contains(&0x3fff_fff0u32.to_string()),
        "{err}"
    );
}

// stop() on a spawned command kills it and the capture ends.
#[test]
fn stop_kills_a_spawned_command() {
    let mut engine = PtraceEngine::spawn(&cmd(&["sleep", "30"])).unwrap();
    let mut out = Vec::new();
    engine.poll(&mut out, Duration::from_millis(100)).unwrap();
    let start = Instant::now();
    engine.stop();
    while engine.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(engine.exit_code(), Some(137));
}

/// Poll until a poll brings nothing (the tracee is blocked, e.g. sleep in its nanosleep).
fn settle(engine: &mut PtraceEngine, out: &mut Vec<Record>) {
    let give_up = Instant::now() + Duration::from_secs(20);
    loop {
        let before = out.len();
        engine.poll(out, Duration::from_millis(100)).unwrap();
        if out.len() == before || Instant::now() > give_up {
            break;
        }
    }
}

// poll returns within about its timeout while the tracee is idle.
#[test]
fn poll_honours_its_timeout() {
    let mut engine = PtraceEngine::spawn(&cmd(&["sleep", "30"])).unwrap();
    let mut out = Vec::new();
    settle(&mut engine, &mut out);
    let start = Instant::now();
    let st = engine.poll(&mut out, Duration::from_millis(150)).unwrap();
    let took = start.elapsed();
    assert_eq!(st, Status::More);
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert!(took < Duration::from_millis(1000), "{took:?}");
    engine.stop();
    while engine.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
}

// Benchmark (run with `cargo test --release -p syspect-capture --test ptrace -- --ignored
// --nocapture dd_is_no_slower_than_strace`): the engine against `strace -f -o FILE` on the
// seed's workload, in the same run.
#[test]
#[ignore]
fn dd_is_no_slower_than_strace() {
    let dd = [
        "dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=1",
        "count=500k",
        "status=none",
    ];
    let time_engine = || {
        let start = Instant::now();
        let mut engine = PtraceEngine::spawn(&cmd(&dd)).unwrap();
        let mut out = Vec::new();
        let mut n = 0usize;
        while engine.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {
            n += out.len();
            out.clear();
        }
        assert_eq!(engine.exit_code(), Some(0));
        (start.elapsed(), n)
    };
    let strace_out = std::env::temp_dir().join(format!("syspect-bench-{}", std::process::id()));
    let time_strace = || {
        let start = Instant::now();
        let st = std::process::Command::new("strace")
            .args(["-f", "-o"])
            .arg(&strace_out)
            .args(dd)
            .status()
            .unwrap();
        assert!(st.success());
        start.elapsed()
    };
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..3 {
        let (t, n) = time_engine();
        eprintln!("syspect ptrace: {t:?} ({n} records)");
        ours.push(t);
        let t = time_strace();
        eprintln!("strace -f -o:  {t:?}");
        theirs.push(t);
    }
    let _ = std::fs::remove_file(&strace_out);
    ours.sort();
    theirs.sort();
    eprintln!(
        "median: syspect {:?}, strace {:?}, ratio {:.2}",
        ours[1],
        theirs[1],
        ours[1].as_secs_f64() / theirs[1].as_secs_f64()
    );
    assert!(ours[1].as_secs_f64() <= theirs[1].as_secs_f64() * 1.1);
}

// exec from a thread that is not the leader: the Exec event is the leader's tid, old_tid the
// caller's; execve's exit follows on the leader's tid.
#[test]
fn exec_from_a_thread_moves_to_the_leader() {
    if !have_python() {
        eprintln!("SKIPPED: exec_from_a_thread_moves_to_the_leader because python3 is missing");
        return;
    }
    let script = "import threading,os,time\n\
                  threading.Thread(target=lambda: os.execv('/bin/true', ['/bin/true'])).start()\n\
                  time.sleep(10)";
    let (events, code) = run(&cmd(&["python3", "-c", script]));
    assert_eq!(code, 0);
    let thread = events
        .iter()
        .find_map(|e| match e.kind {
            EventKind::Clone {
                child_tid, flags, ..
            } if flags & libc::CLONE_THREAD as u64 != 0 => Some(child_tid),
            _ => None,
        })
        .expect("thread clone");
    let at = events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Exec(x) if x.args[0] == b"/bin/true"))
        .expect("exec of /bin/true");
    let exec = &events[at];
    let EventKind::Exec(x) = &exec.kind else {
        unreachable!()
    };
    assert_eq!(x.old_tid, thread);
    assert_eq!(exec.tid, exec.pid);
    assert_ne!(exec.tid, thread);
    assert!(
        events[at + 1..].iter().any(|e| e.tid == exec.tid
            && matches!(
                e.kind,
                EventKind::Exit {
                    nr: NR_EXECVE,
                    ret: 0,
                    ..
                }
            )),
        "execve exit on the leader"
    );
    assert!(events[at + 1..].iter().all(|e| e.tid != thread));
}

// A group-stop stays a stop (PTRACE_LISTEN) until SIGCONT, as without a tracer.
#[test]
fn stopped_tracees_stay_stopped_until_sigcont() {
    let mut engine =
        PtraceEngine::spawn(&cmd(&["/bin/sh", "-c", "kill -STOP $$; exit 4"])).unwrap();
    let pid = engine.root_pid().unwrap();
    let mut out = Vec::new();
    let give_up = Instant::now() + Duration::from_secs(20);
    let stopped = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .is_ok_and(|s| s.contains("State:\tT (stopped)") || s.contains("State:\tt"))
    };
    let mut saw_sigstop = false;
    while !saw_sigstop && Instant::now() < give_up {
        engine.poll(&mut out, Duration::from_millis(50)).unwrap();
        saw_sigstop = out.iter().any(|r| {
            matches!(r, Record::Event(Event { kind: EventKind::Signal { signo, .. }, .. })
                if *signo == libc::SIGSTOP)
        });
    }
    assert!(saw_sigstop);
    // Still stopped a while later: the engine did not restart it.
    for _ in 0..5 {
        engine.poll(&mut out, Duration::from_millis(50)).unwrap();
    }
    assert!(stopped(pid), "the shell must be stopped");
    // SAFETY: plain kill of our own child.
    unsafe { libc::kill(pid as i32, libc::SIGCONT) };
    while engine.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {
        assert!(Instant::now() < give_up, "did not end after SIGCONT");
    }
    assert_eq!(engine.exit_code(), Some(4));
}

// Attach to a process with several threads: all are followed, and all are let go.
#[test]
fn attach_follows_every_thread() {
    if !have_python() {
        eprintln!("SKIPPED: attach_follows_every_thread because python3 is missing");
        return;
    }
    let script = "import threading,time\n\
                  def f():\n    while True: time.sleep(0.01)\n\
                  [threading.Thread(target=f, daemon=True).start() for _ in range(3)]\n\
                  print('ready', flush=True)\n\
                  time.sleep(30)";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    let pid = child.id();
    let opts = CaptureOptions {
        pids: vec![pid],
        ..CaptureOptions::default()
    };
    let mut engine = PtraceEngine::attach(&opts).unwrap();
    let mut out = Vec::new();
    for _ in 0..5 {
        engine.poll(&mut out, Duration::from_millis(50)).unwrap();
    }
    let tids: std::collections::HashSet<u32> = out
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => {
                assert_eq!(e.pid, pid);
                Some(e.tid)
            }
            _ => None,
        })
        .collect();
    assert!(tids.len() >= 3, "events from {} threads", tids.len());
    engine.stop();
    while engine.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let status = std::fs::read_to_string(task.unwrap().path().join("status")).unwrap();
        assert!(status.contains("TracerPid:\t0\n"), "{status}");
    }
    assert!(child.try_wait().unwrap().is_none(), "python must still run");
    child.kill().unwrap();
    child.wait().unwrap();
}

// Many children at once: each one's Clone event comes before its own events, each is exec'd
// and exits, and the capture ends.
#[test]
fn many_children_are_each_followed() {
    let (events, code) = run(&cmd(&[
        "/bin/sh",
        "-c",
        "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true & done; wait",
    ]));
    assert_eq!(code, 0);
    let sh = events[0].pid;
    let children: Vec<(usize, u32)> = events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e.kind {
            EventKind::Clone { child_tid, .. } if e.pid == sh => Some((i, child_tid)),
            _ => None,
        })
        .collect();
    assert_eq!(children.len(), 20);
    for (at, child) in children {
        let first = events.iter().position(|e| e.tid == child).unwrap();
        assert!(at < first, "clone of {child} after its events");
        assert!(events
            .iter()
            .any(|e| e.tid == child && matches!(e.kind, EventKind::Exec(_))));
        assert!(events
            .iter()
            .any(|e| e.tid == child && matches!(e.kind, EventKind::ThreadExit { status: 0 })));
    }
}

// posix_spawn's vfork-style clone3 is recorded with CLONE_VM|CLONE_VFORK.
#[test]
fn posix_spawn_is_a_vfork() {
    if !have_python() {
        eprintln!("SKIPPED: posix_spawn_is_a_vfork because python3 is missing");
        return;
    }
    let script = "import os\n\
                  p=os.posix_spawn('/bin/true', ['/bin/true'], {})\n\
                  os.waitpid(p, 0)";
    let (events, code) = run(&cmd(&["python3", "-c", script]));
    assert_eq!(code, 0);
    let true_pid = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Exec(x) if x.args[0] == b"/bin/true" => Some(e.pid),
            _ => None,
        })
        .expect("exec of /bin/true");
    let flags = events
        .iter()
        .find_map(|e| match e.kind {
            EventKind::Clone {
                child_pid, flags, ..
            } if child_pid == true_pid => Some(flags),
            _ => None,
        })
        .expect("clone of the spawned child");
    let want = (libc::CLONE_VM | libc::CLONE_VFORK) as u64;
    assert_eq!(flags & want, want, "flags {flags:#x}");
}

extern "C" fn ignore_signal(_: libc::c_int) {}

// A signal to the polling thread (Ctrl-C's SIGINT in the CLI) ends a long poll early.
#[test]
fn a_signal_ends_a_long_poll_early() {
    // SAFETY: a no-op handler without SA_RESTART for SIGUSR2, which nothing else here uses.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = ignore_signal as *const () as usize;
        libc::sigaction(libc::SIGUSR2, &sa, std::ptr::null_mut());
    }
    let mut engine = PtraceEngine::spawn(&cmd(&["sleep", "30"])).unwrap();
    let mut out = Vec::new();
    settle(&mut engine, &mut out);
    // SAFETY: pthread_self has no inputs.
    let me = unsafe { libc::pthread_self() };
    let me = me as usize;
    let returned = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = returned.clone();
    // A signal that lands between two waitpid calls interrupts nothing (the timeout still
    // bounds the poll), so keep sending, as a user keeps pressing Ctrl-C.
    let kicker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            // SAFETY: the polling thread is alive until this thread is joined.
            unsafe { libc::pthread_kill(me as libc::pthread_t, libc::SIGUSR2) };
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let start = Instant::now();
    let st = engine.poll(&mut out, Duration::from_secs(20)).unwrap();
    let took = start.elapsed();
    returned.store(true, std::sync::atomic::Ordering::SeqCst);
    kicker.join().unwrap();
    assert_eq!(st, Status::More);
    assert!(took < Duration::from_secs(5), "{took:?}");
    engine.stop();
    while engine.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
    assert_eq!(engine.exit_code(), Some(137));
}

// A command and an attached pid together: stop() kills the command, lets the other go.
#[test]
fn stop_kills_the_command_and_detaches_the_attached() {
    let mut other = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let mut opts = cmd(&["sleep", "30"]);
    opts.pids = vec![other.id()];
    let mut engine = PtraceEngine::spawn(&opts).unwrap();
    let mut out = Vec::new();
    engine.poll(&mut out, Duration::from_millis(100)).unwrap();
    engine.stop();
    while engine.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
    assert_eq!(engine.exit_code(), Some(137));
    let status = std::fs::read_to_string(format!("/proc/{}/status", other.id())).unwrap();
    assert!(status.contains("TracerPid:\t0\n"), "{status}");
    assert!(
        other.try_wait().unwrap().is_none(),
        "the attached sleep must still run"
    );
    other.kill().unwrap();
    other.wait().unwrap();
}
