//! `strace -Y` (`--decode-pids=comm`): pids named by their command, `kill(1234<sleep>, 0)`,
//! `= 1234<sh>`, `1234<sh> ` before each line, against Debian's strace on the same script.

use std::collections::{BTreeMap, HashMap};
use std::process::Command;

use regex::Regex;

use crate::util::*;

/// A shell that forks and waits for a child that execs, signals its own process with kill, and
/// starts a shell that signals its parent and then itself (a signal it handles: a fatal one
/// the kernel turns into SIGKILL when no tracer stops the process, which eBPF then sees).
const SCRIPT: &str =
    "sleep 0.1 & wait $!; kill -0 $$; sh -c 'trap : USR1; kill -0 $PPID; kill -USR1 $$'; exit 0";

/// The calls traced: those whose arguments or results are pids, and those that change a
/// process's command name. (Not getppid: the shell's parent is strace or syspect.)
const CALLS: &str = "trace=clone,clone3,fork,vfork,wait4,kill,getpid,execve,exit_group";

/// `-f -o FILE` output as each process's lines (a call cut by another process's line made
/// whole again), its pids renamed `P0`, `P1`… in the order they first start a line. Each line
/// keeps the command name of its prefix: `<sh> kill(P0<sh>, 0) = 0`. What differs between
/// any two runs is masked: addresses, the padding before results, and the command name of a
/// signal's sender (a SIGCHLD names its sender only when it comes before the wait that reaps
/// it, which is a matter of timing).
fn per_process(text: &str) -> BTreeMap<String, Vec<String>> {
    let line_re = Regex::new(r"^(\d+)(<[^>]*>)? +(.*)$").unwrap();
    let resumed = Regex::new(r"^<\.\.\. [a-z0-9_]+ resumed>").unwrap();
    let mut order: Vec<String> = Vec::new();
    let mut lines: HashMap<String, Vec<String>> = HashMap::new();
    let mut pending: HashMap<String, String> = HashMap::new();
    for line in text.lines() {
        let Some(c) = line_re.captures(line) else {
            continue;
        };
        let pid = c[1].to_string();
        if !order.contains(&pid) {
            order.push(pid.clone());
        }
        let comm = c.get(2).map_or("", |m| m.as_str());
        let rest = c[3].trim_end();
        if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            pending.insert(pid, format!("{comm} {head}"));
            continue;
        }
        let whole = match resumed.find(rest) {
            Some(m) => {
                let head = pending.remove(&pid).unwrap_or_default();
                format!("{head}{}", &rest[m.end()..])
            }
            None => format!("{comm} {rest}"),
        };
        lines.entry(pid).or_default().push(whole);
    }
    let masks = [
        (Regex::new(r"0x[0-9a-f]+").unwrap(), "0xADDR"),
        // a line cut by another process's and resumed is padded by its resumed part
        (Regex::new(r" +=").unwrap(), " ="),
        (Regex::new(r"(si_pid=\d+)(<[^>]*>)?[^}]*\}").unwrap(), "$1}"),
    ];
    let tracer = Regex::new(r"^<[^>]*> execve").unwrap();
    let mut out = BTreeMap::new();
    for (i, pid) in order.iter().enumerate() {
        let calls = lines.remove(pid).unwrap_or_default();
        let calls: Vec<String> = calls
            .into_iter()
            .map(|mut l| {
                for (re, with) in &masks {
                    l = re.replace_all(&l, *with).into_owned();
                }
                for (j, p) in order.iter().enumerate() {
                    let word = Regex::new(&format!(r"\b{p}\b")).unwrap();
                    l = word.replace_all(&l, format!("P{j}")).into_owned();
                }
                l
            })
            .collect();
        let mut calls = calls;
        if i == 0 {
            // the command before its first exec is the tracer's fork: strace names it
            // `<strace>`; syspect's engines name the command's thread by the command from the
            // start (as its sysdig-style lines do)
            if let Some(first) = calls.first_mut() {
                *first = tracer.replace(first, "<TRACER> execve").into_owned();
            }
        }
        // a SIGCHLD comes before or after the wait4 that reaps its child as the CPUs run: kept,
        // but as a set, after the process's calls
        let (mut signals, mut calls): (Vec<String>, Vec<String>) =
            calls.into_iter().partition(|l| l.contains("--- SIGCHLD"));
        signals.sort();
        calls.append(&mut signals);
        out.insert(format!("P{i}"), calls);
    }
    out
}

#[test]
fn cap_y_names_pids_as_strace_y_does() {
    if !need_program("cap_y", "strace") {
        return;
    }
    let d = TempDir::new("capy");
    let st = Command::new("strace")
        .args(["-f", "-Y", "-e", CALLS, "-o", "theirs", "sh", "-c", SCRIPT])
        .current_dir(d.path())
        .output()
        .expect("strace runs");
    assert_eq!(st.status.code(), Some(0), "{}", stderr(&st));
    let theirs = per_process(&std::fs::read_to_string(d.join("theirs")).unwrap());
    // the lines this test is about are there
    let all: Vec<&String> = theirs.values().flatten().collect();
    for want in [
        "<sh> kill(P0<sh>, 0)",
        "<sh> kill(P2<sh>, SIGUSR1)",
        "= P1<sh>",
        "<sleep> exit_group(0)",
    ] {
        assert!(
            all.iter().any(|l| l.contains(want)),
            "strace: no `{want}` in {theirs:#?}"
        );
    }
    for engine in engines("cap_y (ebpf)") {
        let ours_file = format!("ours-{engine}");
        let o = syspect()
            .args([
                "strace", "--engine", engine, "-f", "-Y", "-e", CALLS, "-o", &ours_file,
            ])
            .args(["--", "sh", "-c", SCRIPT])
            .current_dir(d.path())
            .output()
            .expect("syspect runs");
        assert_eq!(o.status.code(), Some(0), "{engine}: {}", stderr(&o));
        let ours = per_process(&std::fs::read_to_string(d.join(&ours_file)).unwrap());
        assert_eq!(ours, theirs, "{engine}");
    }
    // --decode-pids=comm and -e decode-pids=comm are -Y; pidns is refused by name
    let long = run(&[
        "strace",
        "--decode-pids=comm",
        "-e",
        "trace=getpid",
        "--",
        "sh",
        "-c",
        ":",
    ]);
    assert!(stderr(&long).contains("getpid() "), "{}", stderr(&long));
    assert!(
        Regex::new(r"= \d+<sh>").unwrap().is_match(&stderr(&long)),
        "{}",
        stderr(&long)
    );
    let pidns = run(&["strace", "-e", "decode-pids=pidns", "--", "true"]);
    assert_eq!(pidns.status.code(), Some(2), "{}", stderr(&pidns));
    assert!(
        stderr(&pidns).contains("decode-pids pidns is not supported"),
        "{}",
        stderr(&pidns)
    );
}
