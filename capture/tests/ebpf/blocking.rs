//! What reaches user space besides a call's one record: the enter of a call that sleeps, sent
//! while it blocks, and the signals a thread takes.

use super::*;

#[test]
fn a_call_that_sleeps_is_seen_while_it_blocks() {
    if !privileged("a_call_that_sleeps_is_seen_while_it_blocks") {
        return;
    }
    // sh forks sleep and waits in wait4 (61) while sleep waits in clock_nanosleep (230)
    let opts = CaptureOptions {
        command: cmd(&["sh", "-c", "sleep 2; true"]),
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start sh");
    let sh = e.child_pid().unwrap();
    let mut out = Vec::new();
    let start = Instant::now();
    let entered = |out: &[Record], nr: u16, of_sh: bool| {
        out.iter().position(|r| {
            matches!(r, Record::Event(ev) if (ev.pid == sh) == of_sh
                && matches!(ev.kind, EventKind::Enter { nr: n, .. } if n == nr))
        })
    };
    let mut seen = None;
    while start.elapsed() < Duration::from_secs(10) {
        e.poll(&mut out, Duration::from_millis(50)).unwrap();
        if entered(&out, 61, true).is_some() && entered(&out, 230, false).is_some() {
            seen = Some(start.elapsed());
            break;
        }
    }
    let at = seen.expect("both blocked calls' enters seen");
    // seen while they block: well before the sleep of 2 s ends, and before either call's exit
    assert!(at < Duration::from_millis(1500), "seen after {at:?}");
    let exited = |nr: u16| {
        out.iter().any(|r| {
            matches!(r, Record::Event(ev) if matches!(ev.kind, EventKind::Exit { nr: n, .. } if n == nr))
        })
    };
    assert!(!exited(61) && !exited(230));
    let mut evs = events(out);
    evs.append(&mut run_to_end(&mut e, Duration::from_secs(10)));
    assert_eq!(e.exit_code(), Some(0));
    // and in time order in the stream: each enter before the events that came after it
    let enter_of = |nr: u16, of_sh: bool| {
        evs.iter()
            .position(|ev| {
                (ev.pid == sh) == of_sh
                    && matches!(ev.kind, EventKind::Enter { nr: n, .. } if n == nr)
            })
            .expect("the enter is in the stream")
    };
    let (wait4, nanosleep) = (enter_of(61, true), enter_of(230, false));
    for at in [wait4, nanosleep] {
        let t = evs[at].ts;
        assert!(
            evs[at..].iter().all(|ev| ev.ts + 1_000_000 >= t),
            "an event more than 1 ms older than the enter came after it"
        );
    }
    let exit_of = |nr: u16| {
        evs.iter()
            .position(|ev| matches!(ev.kind, EventKind::Exit { nr: n, .. } if n == nr))
            .expect("the exit came")
    };
    assert!(wait4 < exit_of(230) && nanosleep < exit_of(61));
}

/// Run by [`without_privilege_the_engine_refuses_with_the_hint`] as an unprivileged user;
/// does nothing otherwise.

#[test]
fn signals_the_command_takes_are_events_as_under_ptrace() {
    if !privileged("signals_the_command_takes_are_events_as_under_ptrace") {
        return;
    }
    // sh traps USR1, sends it to itself, then a child exits (SIGCHLD to sh)
    let opts = CaptureOptions {
        command: cmd(&[
            "sh",
            "-c",
            "trap 'echo caught' USR1; kill -USR1 $$; /bin/true; exit 3",
        ]),
        ..CaptureOptions::default()
    };
    let mut e = EbpfEngine::start_for_command(&opts).expect("start sh");
    let sh = e.child_pid().unwrap();
    let evs = run_to_end(&mut e, Duration::from_secs(10));
    assert_eq!(e.exit_code(), Some(3));
    let signals: Vec<(i32, i32, u32)> = evs
        .iter()
        .filter(|ev| ev.tid == sh)
        .filter_map(|ev| match ev.kind {
            EventKind::Signal {
                signo,
                code,
                sender,
                ..
            } => Some((signo, code, sender)),
            _ => None,
        })
        .collect();
    assert!(
        signals.contains(&(libc::SIGUSR1, libc::SI_USER, sh)),
        "SIGUSR1 from itself: {signals:?}"
    );
    let child = forks(&evs)
        .into_iter()
        .find(|&(_, parent)| parent == sh)
        .map(|(child, _)| child)
        .expect("sh forked /bin/true");
    assert!(
        signals.contains(&(libc::SIGCHLD, libc::CLD_EXITED, child)),
        "SIGCHLD of its child {child}: {signals:?}"
    );
}
