//! `syspect read --strace` against Debian's strace on the same programs: the same syscalls in
//! the same order per process, with the same arguments and results, apart from what differs
//! between any two runs (addresses, pids, timing, random bytes, when a signal lands).

use std::collections::{BTreeMap, HashMap};
use std::process::{Command, Stdio};

use regex::Regex;

use crate::util::*;

/// Each process's calls, indexed by the order in which processes first appear.
type PerProcess = Vec<Vec<String>>;

/// Split strace-format text into per-process call lists. `pid_of` extracts the pid prefix of a
/// line (and the rest); lines without one belong to the only live process.
fn per_process(text: &str, prefixed: &Regex, root: &str) -> (PerProcess, HashMap<String, usize>) {
    let mut order: HashMap<String, usize> = HashMap::new();
    let mut calls: PerProcess = Vec::new();
    if !root.is_empty() {
        order.insert(root.to_string(), 0);
        calls.push(Vec::new());
    }
    let mut pending: HashMap<usize, String> = HashMap::new();
    let mut live: Vec<usize> = Vec::new();
    let resumed = Regex::new(r"^<\.\.\. [a-z0-9_]+ resumed>").expect("regex");
    for line in text.lines() {
        let (pid, rest) = match prefixed.captures(line) {
            Some(c) => (Some(c[1].to_string()), c[2].to_string()),
            None => (None, line.to_string()),
        };
        let idx = match pid {
            Some(p) => {
                let n = order.len();
                let i = *order.entry(p).or_insert(n);
                if i == calls.len() {
                    calls.push(Vec::new());
                }
                if !live.contains(&i) {
                    live.push(i);
                }
                i
            }
            None => match live.as_slice() {
                [only] => *only,
                [] if calls.len() <= 1 => {
                    if calls.is_empty() {
                        calls.push(Vec::new());
                    }
                    live.push(0);
                    0
                }
                _ => *live.last().unwrap_or(&0),
            },
        };
        let rest = rest.trim_end();
        if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            pending.insert(idx, head.to_string());
            continue;
        }
        let whole = if let Some(m) = resumed.find(rest) {
            let head = pending.remove(&idx).unwrap_or_default();
            format!("{head}{}", &rest[m.end()..])
        } else {
            rest.to_string()
        };
        if whole.starts_with("+++ ") {
            live.retain(|&l| l != idx);
        }
        calls[idx].push(whole);
    }
    (calls, order)
}

/// Names for pids that do not depend on timing: `P0` for the command, `P0.1` for its first
/// child (by the order of its fork/clone calls), `P0.1.2` for that child's second child…
fn tree_names(calls: &PerProcess, order: &HashMap<String, usize>) -> HashMap<String, String> {
    let spawn = Regex::new(r"^(clone|clone3|fork|vfork)\(.*\) += (\d+)$").expect("regex");
    let pid_of: HashMap<usize, &String> = order.iter().map(|(p, i)| (*i, p)).collect();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut queue = vec![(0usize, "P0".to_string())];
    while let Some((idx, name)) = queue.pop() {
        if let Some(pid) = pid_of.get(&idx) {
            names.insert((*pid).clone(), name.clone());
        }
        let mut k = 0;
        for line in calls.get(idx).into_iter().flatten() {
            if let Some(c) = spawn.captures(line) {
                k += 1;
                if let Some(&child) = order.get(&c[2]) {
                    queue.push((child, format!("{name}.{k}")));
                }
            }
        }
    }
    names
}

/// Remove what differs between two runs of the same program; key each process by its place
/// in the process tree.
fn normalize(calls: PerProcess, order: &HashMap<String, usize>) -> BTreeMap<String, Vec<String>> {
    let names = tree_names(&calls, order);
    let by_index: HashMap<usize, String> = order
        .iter()
        .map(|(pid, i)| {
            (
                *i,
                names.get(pid).cloned().unwrap_or_else(|| format!("?{pid}")),
            )
        })
        .collect();
    let hex = Regex::new(r"0x[0-9a-f]+").expect("regex");
    // Where a pid is: elsewhere a number that happens to equal one (a file's size, a read's
    // count) must stay as it is.
    let pid_spots: Vec<Regex> = [
        r"si_pid=(\d+)",
        r"^(?:kill|tkill|tgkill|wait4|waitid|setpgid|getpgid|getsid|prlimit64|pidfd_open|sched_[a-z_]+)\((\d+)",
        r"^tgkill\(\d+, (\d+)",
        r"^(?:clone3?|v?fork|wait4|waitid|getpid|gettid|getpgrp|getpgid|getsid|setsid|set_tid_address)\(.*\) = (\d+)",
    ]
    .iter()
    .map(|r| Regex::new(r).expect("regex"))
    .collect();
    let spaces = Regex::new(r"\)\s+= ").expect("regex");
    let random = Regex::new(r#"^getrandom\("[^"]*"(\.\.\.)?"#).expect("regex");
    let port = Regex::new(r"htons\(\d+\)").expect("regex");
    let ppid = Regex::new(r"^getppid\(\) = \d+").expect("regex");
    let sysinfo = Regex::new(r"^sysinfo\(\{.*\}\)").expect("regex");
    calls
        .into_iter()
        .map(|c| {
            c.into_iter()
                // When a signal lands and what it interrupts depends on timing.
                .filter(|l| {
                    !(l.starts_with("--- SIGCHLD")
                        || l.starts_with("rt_sigreturn")
                        || l.contains("ERESTART")
                        || l.starts_with("restart_syscall"))
                })
                .map(|l| {
                    let l = spaces.replace_all(&l, ") = ");
                    let l = hex.replace_all(&l, "ADDR");
                    // syspect keeps execve's environment as its strings, not its address.
                    let l = l.replace("ADDR /* ", "/* ");
                    let l = random.replace(&l, "getrandom(RANDOM");
                    let l = port.replace_all(&l, "htons(PORT)");
                    // The traced command's parent is strace in one run, syspect in the other.
                    let l = ppid.replace(&l, "getppid() = PARENT");
                    // Uptime, free memory and the number of processes change by the second.
                    let l = sysinfo.replace(&l, "sysinfo({...})");
                    let mut l = l.into_owned();
                    for re in &pid_spots {
                        let spots: Vec<_> = re
                            .captures_iter(&l)
                            .filter_map(|c| c.get(1))
                            .map(|m| m.range())
                            .collect();
                        for at in spots.into_iter().rev() {
                            if let Some(n) = names.get(&l[at.clone()]) {
                                l.replace_range(at, n);
                            }
                        }
                    }
                    l
                })
                .collect()
        })
        .enumerate()
        .map(|(i, c)| {
            (
                by_index.get(&i).cloned().unwrap_or_else(|| format!("#{i}")),
                c,
            )
        })
        .collect()
}

/// Run `cmd` under strace and under syspect; assert the same calls per process.
fn compare(name: &str, cmd: &[&str]) {
    compare_in(name, cmd, &[]);
}

/// [`compare`], with `files` (name, contents) created in the working directory first.
fn compare_in(name: &str, cmd: &[&str], files: &[(&str, &str)]) {
    if !need_program(name, "strace") {
        return;
    }
    let d = TempDir::new(name);
    let reference = d.join_str("strace.txt");
    // Both runs in the same empty folder (programs may list their working directory).
    let cwd = d.join("cwd");
    std::fs::create_dir(&cwd).expect("cwd");
    for (f, text) in files {
        std::fs::write(cwd.join(f), text).expect("write file");
    }
    // Both runs without address-space randomisation (`setarch -R`, inherited by what they
    // run): Python hashes some objects by address, so where its allocator maps a new arena
    // among the calls would otherwise change from run to run.
    let st = Command::new("setarch")
        .args(["-R", "strace", "-f", "-s", "80", "-o", &reference])
        .args(cmd)
        .current_dir(&cwd)
        // The program's output goes to /dev/null in both runs: a pipe's state when the
        // program looks at it (Python's start-up seeks on it) depends on timing.
        .stdout(Stdio::null())
        // Python's hash seed decides when its allocator maps a new arena among the calls.
        .env("PYTHONHASHSEED", "0")
        .output()
        .expect("strace runs");
    assert!(st.status.success(), "strace {cmd:?}: {}", stderr(&st));
    let t = d.join_str("t.spt");
    let cap = Command::new("setarch")
        .args(["-R", env!("CARGO_BIN_EXE_syspect")])
        .args(["capture", "--engine", "ptrace", "-s", "80", "-w", &t, "--"])
        .args(cmd)
        .current_dir(&cwd)
        .stdout(Stdio::null())
        // Python's hash seed decides when its allocator maps a new arena among the calls.
        .env("PYTHONHASHSEED", "0")
        .output()
        .expect("syspect runs");
    assert!(
        cap.status.success(),
        "syspect capture {cmd:?}: {}",
        stderr(&cap)
    );
    let ours = run(&["read", "--strace", &t]);
    assert!(ours.status.success(), "{}", stderr(&ours));

    let theirs_text = std::fs::read_to_string(&reference).expect("strace output");
    let (theirs, their_pids) = per_process(
        &theirs_text,
        &Regex::new(r"^(\d+)\s+(.*)$").expect("regex"),
        "",
    );
    // Lines without a `[pid N]` prefix belong to the only live process, at first the command.
    let root = stdout(&run(&["read", "-p", "%proc.pid", "-n", "1", &t]))
        .trim()
        .to_string();
    let (mine, my_pids) = per_process(
        &stdout(&ours),
        &Regex::new(r"^\[pid\s+(\d+)\] (.*)$").expect("regex"),
        &root,
    );
    let theirs = normalize(theirs, &their_pids);
    let mine = normalize(mine, &my_pids);
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{name}: the process trees differ\nours:\n{}\nstrace:\n{theirs_text}",
        stdout(&ours)
    );
    for ((p, m), t) in mine.iter().zip(theirs.values()) {
        for (i, (a, b)) in m.iter().zip(t).enumerate() {
            assert_eq!(
                a,
                b,
                "{name}: process {p}, call {i} differs\n  ours:   {a}\n  strace: {b}\ncontext (strace):\n{}",
                t[i.saturating_sub(3)..(i + 3).min(t.len())].join("\n")
            );
        }
        assert_eq!(m.len(), t.len(), "{name}: process {p}: number of calls");
    }
}

#[test]
fn cat_a_file() {
    let f = std::env::temp_dir().join(format!("syspect-cat-{}.txt", std::process::id()));
    std::fs::write(&f, "some text\nwith two lines\n").expect("write");
    compare("cat", &["cat", &f.to_string_lossy()]);
    std::fs::remove_file(&f).ok();
}

#[test]
fn ls_la_etc() {
    compare("ls", &["ls", "-la", "/etc"]);
}

#[test]
fn sh_pipeline() {
    compare("pipeline", &["sh", "-c", "echo hi | wc -c"]);
}

#[test]
fn python_startup() {
    if need_program("python_startup", "python3") {
        compare("python", &[python(), "-c", "print(1)"]);
    }
}

#[test]
fn tcp_client_and_server_on_loopback() {
    if !need_program("tcp", "python3") {
        return;
    }
    let prog = r#"
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(1)
port = s.getsockname()[1]
if os.fork() == 0:
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.connect(("127.0.0.1", port))
    c.sendall(b"ping")
    c.close()
    os._exit(0)
a, _ = s.accept()
data = a.recv(16)
a.close()
os.wait()
"#;
    // The program as a file: argv items longer than the snap length are shown cut but not
    // marked `...` (the trace keeps one truncation mark per argv list, not per item).
    compare_in("tcp", &[python(), "tcp.py"], &[("tcp.py", prog)]);
}

/// The calls (by name) and signals a strace-format text shows, counted; exits left out.
fn calls_of(text: &str) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with("+++")) {
        let key = match line.strip_prefix("--- ") {
            Some(sig) => sig.split(' ').next().unwrap_or("").to_string(),
            None => line.split('(').next().unwrap_or("").to_string(),
        };
        *n.entry(key).or_default() += 1;
    }
    n
}

#[test]
fn e_qualifiers_select_what_straces_select() {
    if !need_program("qualifiers", "strace") {
        return;
    }
    let d = TempDir::new("qualifiers");
    // one process (the shell execs ls) that takes two handled signals and fails a few calls
    let script = "trap : USR1 USR2; kill -USR1 $$; kill -USR2 $$; exec ls / /nonexistent";
    let sets: &[&[&str]] = &[
        &["trace=%file"],
        &["file"],
        &["trace=%desc"],
        &["trace=%process"],
        &["trace=%memory"],
        &["trace=%signal"],
        &["trace=%%stat"],
        &["trace=/^(get|set)"],
        &["trace=!%desc,%memory"],
        &["trace=?nosuch,close,%creds"],
        &["trace=none"],
        &["status=failed"],
        &["status=!failed"],
        &["status=successful"],
        &["status=unfinished,failed"],
        &["signal=none"],
        &["signal=USR2"],
        &["signal=!SIGUSR1"],
        &["trace=%signal", "-e", "signal=10"],
        &["trace=write", "-e", "trace=%pure"],
    ];
    for set in sets {
        let theirs = d.join_str("strace.txt");
        let mine = d.join_str("syspect.txt");
        let st = Command::new("strace")
            .args(["-qq", "-o", &theirs, "-e"])
            .args(*set)
            .args(["sh", "-c", script])
            .output()
            .expect("strace runs");
        assert_eq!(st.status.code(), Some(2), "strace {set:?}: {}", stderr(&st));
        let o = syspect()
            .args(["strace", "-o", &mine, "-e"])
            .args(*set)
            .args(["--", "sh", "-c", script])
            .output()
            .expect("syspect strace runs");
        assert_eq!(
            o.status.code(),
            Some(2),
            "syspect strace {set:?}: {}",
            stderr(&o)
        );
        let theirs = std::fs::read_to_string(&theirs).expect("strace's output");
        let mine = std::fs::read_to_string(&mine).expect("syspect's output");
        assert_eq!(
            calls_of(&mine),
            calls_of(&theirs),
            "-e {set:?}\nours:\n{mine}\nstrace:\n{theirs}"
        );
    }
}

#[test]
fn e_qualifiers_it_cannot_honour_are_usage_errors() {
    for (e, says) in [
        ("trace=%nosuch", "unknown class `%nosuch`"),
        ("trace=nosuch", "unknown syscall `nosuch`"),
        ("trace=/(", "bad regular expression"),
        ("signal=NOSUCH", "unknown signal `NOSUCH`"),
        ("status=nosuch", "unknown status `nosuch`"),
        ("kvm=vcpu", "strace's kvm= is not supported"),
    ] {
        let o = run(&["strace", "-e", e, "-r", "/nonexistent.spt"]);
        assert_eq!(o.status.code(), Some(2), "-e {e}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "-e {e}: {}", stderr(&o));
    }
}

/// `-o FILE` with `-f` (each line starts with its thread's id, `%-5d `) and with `-ff` (a file
/// per thread, `FILE.TID`, with its lines alone), against strace's own files.
#[test]
fn f_and_ff_with_o_write_the_files_strace_writes() {
    if !need_program("ff", "strace") {
        return;
    }
    let d = TempDir::new("ff");
    let cmd = ["sh", "-c", "echo hi | cat; cat /nonexistent"];
    let mine = d.join_str("f.txt");
    let o = syspect()
        .args(["strace", "-f", "-o", &mine, "--"])
        .args(cmd)
        .output()
        .expect("syspect strace -f");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = std::fs::read_to_string(&mine).expect("the -o file");
    let column = Regex::new(r"^(\d+) +").unwrap();
    let mut pids = std::collections::BTreeSet::new();
    for line in text.lines() {
        let c = column
            .captures(line)
            .unwrap_or_else(|| panic!("no pid: {line}\n{text}"));
        assert_eq!(&c[0], format!("{:<5} ", &c[1]), "{line}");
        pids.insert(c[1].to_string());
    }
    assert_eq!(pids.len(), 4, "{text}");

    // -ff: what each process did, but for the calls a SIGCHLD's timing changes (it may
    // interrupt a clone or a wait4, which is then restarted)
    let moved = |n: &mut BTreeMap<String, usize>| {
        n.retain(|k, _| !["clone", "wait4", "rt_sigreturn", "SIGCHLD"].contains(&k.as_str()))
    };
    let files = |base: &str| -> Vec<BTreeMap<String, usize>> {
        let found: Vec<(u32, String)> = std::fs::read_dir(d.path())
            .unwrap()
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                let pid = name.strip_prefix(&format!("{base}."))?.parse().ok()?;
                Some((pid, name))
            })
            .collect();
        let mut per_file: Vec<BTreeMap<String, usize>> = found
            .iter()
            .map(|(_, name)| {
                let text = std::fs::read_to_string(d.join(name)).unwrap();
                assert!(text.ends_with(" +++\n"), "{name}: {text}");
                assert!(!text.contains("resumed>"), "{name}: {text}");
                let mut n = calls_of(&text);
                moved(&mut n);
                n
            })
            .collect();
        // compared as a set of files, not in pid order: pids wrap around
        per_file.sort_by_cached_key(|n| format!("{n:?}"));
        per_file
    };
    let o = syspect()
        .args(["strace", "-ff", "-o", &d.join_str("mine"), "--"])
        .args(cmd)
        .output()
        .expect("syspect strace -ff");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!d.join("mine").exists(), "-ff makes no FILE, only FILE.TID");
    let st = Command::new("strace")
        .args(["-ff", "-o", &d.join_str("theirs")])
        .args(cmd)
        .output()
        .expect("strace -ff");
    assert_eq!(st.status.code(), Some(1), "{}", stderr(&st));
    let (mine, theirs) = (files("mine"), files("theirs"));
    assert_eq!(mine.len(), 4, "{mine:#?}");
    assert_eq!(mine, theirs);
}

/// `-x` and `-xx`: strings in hex as strace shows them (a string with a byte that needs an
/// octal escape all in hex; with -xx every string and path), line for line.
#[test]
fn x_and_xx_print_strings_in_hex_as_strace_does() {
    if !need_program("x_and_xx", "strace") {
        return;
    }
    let d = TempDir::new("hex");
    let script = r#"printf 'ab\n'; printf 'a\001b'; cat /nonexistent"#;
    let pid = Regex::new(r"^\d+ +").unwrap();
    for x in ["-x", "-xx"] {
        let theirs = d.join_str("strace.txt");
        let mine = d.join_str("syspect.txt");
        let st = Command::new("strace")
            .args([x, "-f", "-qq", "-e", "trace=write,openat", "-o", &theirs])
            .args(["sh", "-c", script])
            .output()
            .expect("strace runs");
        assert_eq!(st.status.code(), Some(1), "{}", stderr(&st));
        let o = syspect()
            .args([
                "strace",
                x,
                "-f",
                "-qq",
                "-e",
                "trace=write,openat",
                "-o",
                &mine,
            ])
            .args(["--", "sh", "-c", script])
            .output()
            .expect("syspect strace runs");
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let lines = |f: &str| -> Vec<String> {
            std::fs::read_to_string(f)
                .expect("output")
                .lines()
                .map(|l| pid.replace(l, "").into_owned())
                // strace's SIGCHLD has fields syspect's does not (README)
                .filter(|l| !l.starts_with("--- SIGCHLD"))
                .collect()
        };
        let (theirs, mine) = (lines(&theirs), lines(&mine));
        assert!(
            mine.iter().any(|l| l.contains(r#""\x61\x01\x62""#)),
            "{mine:#?}"
        );
        assert_eq!(mine, theirs, "{x}");
    }
}

/// `-y` names an inet socket as strace's `-yy` does (`TCP:[127.0.0.1:8080->127.0.0.1:45678]`,
/// this end first): the calls of a loopback exchange, line for line with strace's, ports aside
/// (they differ from run to run), under each engine. The client never asks for its own address:
/// the engines read the end the kernel chose for it at connect's exit, and an accepted socket's
/// local address (the listener took every address) at accept's.
#[test]
fn y_names_sockets_as_strace_yy_does() {
    if !need_program("y_sockets", "strace") || !need_program("y_sockets", "python3") {
        return;
    }
    let d = TempDir::new("ysock");
    let prog = r#"
import os, socket
s = socket.socket(); s.bind(("0.0.0.0", 0)); s.listen(1)
port = s.getsockname()[1]
if os.fork() == 0:
    c = socket.socket(); c.connect(("127.0.0.1", port)); c.sendall(b"hi"); c.recv(10)
    os._exit(0)
a, _ = s.accept()
a.recv(10)
a.getsockname()
a.sendall(b"ok")
os.wait()
"#;
    std::fs::write(d.join("tcp.py"), prog).unwrap();
    // -ff: each process's calls in a file of its own, none cut by the other's
    let calls = "trace=accept4,recvfrom,sendto,getsockname";
    let st = Command::new("strace")
        .args([
            "-ff",
            "-yy",
            "-e",
            calls,
            "-o",
            "theirs",
            python(),
            "tcp.py",
        ])
        .current_dir(d.path())
        .output()
        .expect("strace runs");
    assert!(st.status.success(), "{}", stderr(&st));
    let ports = Regex::new(r"(127\.0\.0\.1:|0\.0\.0\.0:|htons\()\d+").unwrap();
    // each process's lines that name a TCP socket: the server's, the client's
    let lines = |base: &str| -> Vec<String> {
        let pids: Vec<u32> = std::fs::read_dir(d.path())
            .unwrap()
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_prefix(&format!("{base}."))?.parse::<u32>().ok()
            })
            .collect();
        assert_eq!(pids.len(), 2, "{base}: {pids:?}");
        let mut files: Vec<Vec<String>> = pids
            .iter()
            .map(|pid| {
                let text = std::fs::read_to_string(d.join(&format!("{base}.{pid}"))).unwrap();
                text.lines()
                    .filter(|l| l.contains("TCP:["))
                    .map(|l| ports.replace_all(l, "${1}P").into_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        // the server's first (not by pid: pids wrap around)
        files.sort_by_key(|lines| !lines.iter().any(|l| l.starts_with("accept4(")));
        files.concat()
    };
    let theirs = lines("theirs");
    for engine in ["ebpf", "ptrace"] {
        if engine == "ebpf" && !need_root("y_sockets (eBPF)") {
            continue;
        }
        for f in std::fs::read_dir(d.path()).unwrap() {
            let f = f.unwrap().path();
            if f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("mine.")
            {
                std::fs::remove_file(f).unwrap();
            }
        }
        let o = syspect()
            .args([
                "strace", "--engine", engine, "-ff", "-y", "-e", calls, "-o", "mine", "--",
            ])
            .arg(python())
            .arg("tcp.py")
            .current_dir(d.path())
            .output()
            .expect("syspect strace runs");
        assert!(o.status.success(), "{}", stderr(&o));
        let mine = lines("mine");
        for want in [
            "recvfrom(4<TCP:[127.0.0.1:P->127.0.0.1:P]>, \"hi\"",
            "sendto(4<TCP:[127.0.0.1:P->127.0.0.1:P]>, \"hi\"",
        ] {
            assert!(
                mine.iter().any(|l| l.starts_with(want)),
                "{engine}: no {want}: {mine:#?}"
            );
        }
        assert_eq!(mine, theirs, "{engine}");
    }
}

/// `-P PATH`: the calls that name the path or use an fd open on it, line for line with
/// strace's (addresses and SIGCHLD's details aside).
#[test]
fn cap_p_keeps_the_calls_on_a_path_as_strace_does() {
    if !need_program("cap_p", "strace") {
        return;
    }
    let d = TempDir::new("cap-p");
    std::fs::write(d.join("notes.txt"), "one\ntwo\n").unwrap();
    let script = "cat notes.txt | wc -l; ls -l notes.txt /etc/hostname; test -r notes.txt; \
                  cat /etc/hostname";
    let theirs = d.join_str("strace.txt");
    let mine = d.join_str("syspect.txt");
    let paths = ["-P", "notes.txt", "-P", "/etc/hostname"];
    let st = Command::new("strace")
        .args(["-f", "-qq", "-o", &theirs])
        .args(paths)
        .args(["sh", "-c", script])
        .current_dir(d.path())
        .output()
        .expect("strace runs");
    assert!(st.status.success(), "{}", stderr(&st));
    let o = syspect()
        .args(["strace", "-f", "-qq", "-o", &mine])
        .args(paths)
        .args(["--", "sh", "-c", script])
        .current_dir(d.path())
        .output()
        .expect("syspect strace runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let pid = Regex::new(r"^\d+ +").unwrap();
    let address = Regex::new(r"0x[0-9a-f]+").unwrap();
    let lines = |f: &str| -> Vec<String> {
        std::fs::read_to_string(f)
            .expect("output")
            .lines()
            .filter(|l| !l.contains("--- SIGCHLD"))
            .map(|l| address.replace_all(&pid.replace(l, ""), "0x").into_owned())
            .collect()
    };
    let (theirs, mine) = (lines(&theirs), lines(&mine));
    assert!(
        mine.iter()
            .any(|l| l.starts_with("openat(AT_FDCWD, \"notes.txt\"")),
        "{mine:#?}"
    );
    assert!(
        mine.iter()
            .any(|l| l.starts_with("read(3, \"one\\ntwo\\n\"")),
        "{mine:#?}"
    );
    assert_eq!(mine, theirs);
}

/// `-e read=3 -e write=1`: the data read from fd 3 and written to fd 1, dumped in hex and
/// text after each call as strace dumps it, line for line.
#[test]
fn e_read_and_write_dump_the_data_as_strace_does() {
    if !need_program("dumps", "strace") {
        return;
    }
    let d = TempDir::new("dumps");
    let text = "hello world, this is a longer line of text\nand \x01 a second\n";
    std::fs::write(d.join("in.txt"), text).unwrap();
    let args = [
        "-qq",
        "-e",
        "trace=read,write",
        "-e",
        "read=3",
        "-e",
        "write=1",
    ];
    let theirs = d.join_str("strace.txt");
    let mine = d.join_str("syspect.txt");
    let st = Command::new("strace")
        .args(args)
        .args(["-o", &theirs, "cat", "in.txt"])
        .current_dir(d.path())
        .output()
        .expect("strace runs");
    assert!(st.status.success(), "{}", stderr(&st));
    let o = syspect()
        .arg("strace")
        .args(args)
        .args(["-o", &mine, "--", "cat", "in.txt"])
        .current_dir(d.path())
        .output()
        .expect("syspect strace runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let (theirs, mine) = (
        std::fs::read_to_string(&theirs).unwrap(),
        std::fs::read_to_string(&mine).unwrap(),
    );
    // the end of in.txt, read from 3 and written to 1
    let dump = " | 00030  20 61 20 73 65 63 6f 6e  64 0a";
    let end = "a second.       |";
    let dumped = mine
        .lines()
        .filter(|l| l.starts_with(dump) && l.ends_with(end));
    assert_eq!(dumped.count(), 2, "{mine}");
    assert_eq!(mine, theirs);
}

/// `-v`: execve's environment as its strings, line for line with strace -v.
#[test]
fn v_prints_the_environment_as_strace_v_does() {
    if !need_program("v_env", "strace") {
        return;
    }
    let run_with = |cmd: &mut Command| -> String {
        let o = cmd
            .env_clear()
            .env("A", "1")
            .env("PATH", "/usr/bin:/bin")
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", stderr(&o));
        stderr(&o)
    };
    let cmd = ["env", "-i", "X=a\"b", "/bin/true"];
    // -v, its qualifier form, and quiet=exit (no `+++ exited` line)
    for args in [
        &["-v", "-e", "trace=execve"][..],
        &[
            "-e",
            "abbrev=none",
            "-e",
            "trace=execve",
            "-e",
            "quiet=exit",
        ][..],
    ] {
        let theirs = run_with(Command::new("strace").args(args).args(cmd));
        let mine = run_with(syspect().arg("strace").args(args).arg("--").args(cmd));
        assert!(mine.contains(r#"["X=a\"b"]) = 0"#), "{mine}");
        assert_eq!(mine, theirs, "{args:?}");
    }
}
