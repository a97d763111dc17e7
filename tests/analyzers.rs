//! Analyzers on traces of workloads whose truth is known: bytes written to a file, bytes sent
//! over a loopback connection, files and sockets held open, call counts as strace -c counts.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::util::*;

/// Capture `cmd` (ptrace) into `dir/t.spt`, with files written into `dir/cwd` first.
fn capture_in(d: &TempDir, cmd: &[&str], files: &[(&str, &str)]) -> String {
    let cwd = d.join("cwd");
    std::fs::create_dir_all(&cwd).expect("cwd");
    for (f, text) in files {
        std::fs::write(cwd.join(f), text).expect("write");
    }
    let t = d.join_str("t.spt");
    let o = syspect()
        .args(["capture", "--engine", "ptrace", "-w", &t, "--"])
        .args(cmd)
        .current_dir(&cwd)
        .output()
        .expect("syspect runs");
    assert!(o.status.success(), "{}", stderr(&o));
    t
}

fn json_rows(args: &[&str]) -> Vec<Value> {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    match serde_json::from_str(&stdout(&o)) {
        Ok(Value::Array(rows)) => rows,
        other => panic!("{args:?}: not a JSON array: {other:?}\n{}", stdout(&o)),
    }
}

const WRITE_1MIB: &str = r#"
import os
keep = open("kept.txt", "w")
with open("big.bin", "wb") as f:
    chunk = b"x" * 65536
    for _ in range(16):
        f.write(chunk)
        f.flush()
"#;

#[test]
fn topfiles_counts_the_mebibyte_written() {
    let d = TempDir::new("topfiles");
    let t = capture_in(&d, &[python(), "w.py"], &[("w.py", WRITE_1MIB)]);
    let rows = json_rows(&["topfiles", "-r", &t, "-j"]);
    let big = rows
        .iter()
        .find(|r| {
            r["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("/cwd/big.bin"))
        })
        .unwrap_or_else(|| panic!("big.bin in {rows:?}"));
    assert_eq!(big["written"], 1 << 20);
    assert_eq!(big["read"], 0);
    // The same with a filter: only that file.
    let only = json_rows(&["topfiles", "-r", &t, "-j", "fd.name endswith big.bin"]);
    assert_eq!(only.len(), 1, "{only:?}");
    // And the text table names it with its size.
    let o = run(&["topfiles", "-r", &t]);
    assert!(stdout(&o).contains("1048576"), "{}", stdout(&o));
}

#[test]
fn echo_fds_shows_the_bytes_written() {
    let d = TempDir::new("echofds");
    let prog = "import os\nf = os.open('note.txt', os.O_WRONLY | os.O_CREAT)\nos.write(f, b'hello echo\\n')\n";
    let t = capture_in(&d, &[python(), "e.py"], &[("e.py", prog)]);
    let o = run(&["echo-fds", "-r", &t, "fd.name endswith note.txt"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("------ Write 11B to"), "{s}");
    assert!(s.contains("note.txt"), "{s}");
    assert!(s.contains("hello echo"), "{s}");
    let hex = stdout(&run(&[
        "echo-fds",
        "-X",
        "-r",
        &t,
        "fd.name endswith note.txt",
    ]));
    assert!(hex.contains("6865 6c6c 6f20"), "{hex}");
}

const TCP_256K: &str = r#"
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
s.listen(1)
port = s.getsockname()[1]
if os.fork() == 0:
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.connect(("127.0.0.1", port))
    c.sendall(b"y" * 262144)
    c.close()
    os._exit(0)
a, _ = s.accept()
got = 0
while True:
    b = a.recv(65536)
    if not b:
        break
    got += len(b)
assert got == 262144
os.wait()
"#;

#[test]
fn topconns_and_iftop_count_the_loopback_transfer() {
    let d = TempDir::new("topconns");
    let t = capture_in(&d, &[python(), "tcp.py"], &[("tcp.py", TCP_256K)]);
    let rows = json_rows(&["topconns", "-r", &t, "-j"]);
    let sent: u64 = rows.iter().filter_map(|r| r["sent"].as_u64()).sum();
    let received: u64 = rows.iter().filter_map(|r| r["received"].as_u64()).sum();
    assert_eq!(sent, 262144, "{rows:?}");
    assert_eq!(received, 262144, "{rows:?}");
    assert!(
        rows.iter().all(|r| r["proto"] == "tcp"
            && r["connection"]
                .as_str()
                .is_some_and(|c| c.contains("127.0.0.1:"))),
        "{rows:?}"
    );
    // iftop: per-second tables; together they hold the same bytes.
    let o = run(&["iftop", "-r", &t]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("262144") || stdout(&o).contains("--- "),
        "{}",
        stdout(&o)
    );
}

/// `by FIELD` against what is known and what the other analyzers say of the same trace: the
/// 256 KiB each way per socket port and per process, the calls and errors per syscall that
/// `summary` counts, the bytes per file that `topfiles` counts.
#[test]
fn by_groups_the_calls_by_any_field() {
    let d = TempDir::new("by");
    let files = [("tcp.py", TCP_256K), ("w.py", WRITE_1MIB)];
    let script = "python3 tcp.py; python3 w.py; cat /nonexistent || true";
    let t = capture_in(&d, &["sh", "-c", script], &files);
    let rows = |args: &[&str]| -> BTreeMap<String, Value> {
        let mut all = vec!["by"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-r", &t, "-j", "--top", "1000"]);
        let field = args[0];
        json_rows(&all)
            .into_iter()
            .map(|r| (r[field].as_str().unwrap_or_default().to_string(), r))
            .collect()
    };
    // the server's port, both ways: the bytes sent and received on the connection
    let ports = rows(&["fd.sport", "fd.type=ipv4 and fd.l4proto=tcp"]);
    let moved: Vec<&Value> = ports
        .values()
        .filter(|r| r["BYTES"] == 2 * 262144)
        .collect();
    assert_eq!(moved.len(), 1, "{ports:#?}");
    assert_eq!(moved[0]["READ"], 262144);
    assert_eq!(moved[0]["WRITTEN"], 262144);
    // per syscall: summary's calls and errors
    let per_call = rows(&["evt.type"]);
    for s in json_rows(&["summary", "-r", &t, "-j"]) {
        let name = s["syscall"].as_str().unwrap_or_default();
        if name == "total" {
            continue;
        }
        let r = per_call
            .get(name)
            .unwrap_or_else(|| panic!("{name} in {per_call:#?}"));
        assert_eq!(r["CALLS"], s["calls"], "{name}");
        assert_eq!(
            r["ERRORS"].as_u64().unwrap_or(0),
            s["errors"].as_u64().unwrap_or(0),
            "{name}"
        );
    }
    assert!(
        per_call["openat"]["ERRORS"].as_u64() > Some(0),
        "cat's openat failed"
    );
    // per file: topfiles' bytes
    let per_file = rows(&["fd.name", "fd.type=file"]);
    for f in json_rows(&["topfiles", "-r", &t, "-j", "--top", "1000"]) {
        let name = f["file"].as_str().unwrap_or_default();
        assert_eq!(per_file[name]["READ"], f["read"], "{name}");
        assert_eq!(per_file[name]["WRITTEN"], f["written"], "{name}");
    }
    assert!(
        per_file.keys().any(|f| f.ends_with("/big.bin")),
        "{per_file:#?}"
    );
    // ranked by what --sort says
    let by_time = json_rows(&["by", "evt.type", "-r", &t, "-j", "--sort", "time"]);
    let times: Vec<f64> = by_time
        .iter()
        .filter_map(|r| r["TIME s"].as_f64())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    // a field that does not exist is a usage error
    let o = run(&["by", "fd.nosuch", "-r", &t]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown field `%fd.nosuch`"),
        "{}",
        stderr(&o)
    );
}

/// `name -> (calls, errors)` from `strace -c -f` output.
fn strace_counts(text: &str) -> BTreeMap<String, (u64, u64)> {
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        // % time, seconds, usecs/call, calls, [errors], syscall
        if f.len() < 5
            || f[0].starts_with('%')
            || f[0].starts_with('-')
            || f.last() == Some(&"total")
        {
            continue;
        }
        let name = f[f.len() - 1].to_string();
        let calls: u64 = f[3].parse().unwrap_or(0);
        let errors: u64 = if f.len() == 6 {
            f[4].parse().unwrap_or(0)
        } else {
            0
        };
        m.insert(name, (calls, errors));
    }
    m
}

#[test]
fn summary_counts_as_strace_c_does() {
    if !need_program("summary_counts_as_strace_c_does", "strace") {
        return;
    }
    let d = TempDir::new("summary");
    let reference = d.join_str("c.txt");
    let st = Command::new("strace")
        .args(["-c", "-f", "-o", &reference, "ls", "-la", "/etc"])
        .stdout(Stdio::null())
        .output()
        .expect("strace");
    assert!(st.status.success());
    let t = d.join_str("t.spt");
    let o = syspect()
        .args([
            "capture", "--engine", "ptrace", "-w", &t, "--", "ls", "-la", "/etc",
        ])
        .stdout(Stdio::null())
        .output()
        .expect("capture");
    assert!(o.status.success(), "{}", stderr(&o));
    let theirs = strace_counts(&std::fs::read_to_string(&reference).expect("strace -c output"));
    let rows = json_rows(&["summary", "-r", &t, "-j"]);
    let mine: BTreeMap<String, (u64, u64)> = rows
        .iter()
        .filter(|r| r["syscall"] != "total")
        .map(|r| {
            (
                r["syscall"].as_str().unwrap_or_default().to_string(),
                (
                    r["calls"].as_u64().unwrap_or(0),
                    r["errors"].as_u64().unwrap_or(0),
                ),
            )
        })
        .collect();
    assert_eq!(mine, theirs);
    // The text table is strace's: its header and rule, and its columns where the times are
    // not (calls, errors and the name, from column 31).
    let text = stdout(&run(&["summary", "-r", &t]));
    let reference = std::fs::read_to_string(&reference).expect("strace -c output");
    let (mine, theirs): (Vec<&str>, Vec<&str>) =
        (text.lines().collect(), reference.lines().collect());
    assert_eq!(mine[..2], theirs[..2], "{text}");
    let tail = |l: &&str| l.get(31..).unwrap_or_default().to_owned();
    assert_eq!(
        mine.last().map(tail),
        theirs.last().map(tail),
        "{text}\n{reference}"
    );
}

#[test]
fn lsof_and_netstat_show_what_an_attached_process_holds() {
    let d = TempDir::new("lsof");
    let held = d.join_str("held.txt");
    std::fs::write(&held, "x").expect("write");
    let prog = format!(
        "import socket, time\nf = open({held:?})\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(1)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(60)\n"
    );
    let mut victim = Command::new(python())
        .args(["-c", &prog])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut port = String::new();
    {
        use std::io::BufRead;
        let out = victim.stdout.take().expect("stdout");
        std::io::BufReader::new(out)
            .read_line(&mut port)
            .expect("port");
    }
    let port = port.trim().to_string();
    let t = d.join_str("t.spt");
    let mut cap = syspect()
        .args([
            "capture",
            "--engine",
            "ptrace",
            "-w",
            &t,
            "--pid",
            &victim.id().to_string(),
        ])
        .stderr(Stdio::null())
        .spawn()
        .expect("capture");
    std::thread::sleep(Duration::from_millis(800));
    // SAFETY: kill(2) of our own child.
    unsafe { libc::kill(cap.id() as i32, libc::SIGINT) };
    assert!(cap.wait().expect("wait").success());
    victim.kill().ok();
    victim.wait().ok();

    let lsof = json_rows(&["lsof", "-r", &t, "-j"]);
    let mine: Vec<&Value> = lsof.iter().filter(|r| r["PID"] == victim.id()).collect();
    assert!(
        mine.iter()
            .any(|r| r["NAME"] == held.as_str() && r["TYPE"] == "file"),
        "{mine:?}"
    );
    assert!(mine.iter().any(|r| r["TYPE"] == "ipv4"), "{mine:?}");
    let net = json_rows(&["netstat", "-r", &t, "-j"]);
    assert!(
        net.iter()
            .any(|r| r["Server Address"] == format!("127.0.0.1:{port}") && r["State"] == "LISTEN"),
        "{net:?}"
    );

    // A filter selects rows of the state, as sysdig's lsof, netstat and ps take it.
    let pid = victim.id().to_string();
    let files = json_rows(&["lsof", "-r", &t, "-j", &format!("fd.name={held}")]);
    assert!(!files.is_empty());
    assert!(
        files
            .iter()
            .all(|r| r["NAME"] == held.as_str() && r["PID"] == victim.id()),
        "{files:?}"
    );
    let inet = json_rows(&["lsof", "-r", &t, "-j", "fd.type=ipv4"]);
    assert!(inet.iter().all(|r| r["TYPE"] == "ipv4"), "{inet:?}");
    assert!(inet.iter().any(|r| r["PID"] == victim.id()), "{inet:?}");
    let theirs = json_rows(&["netstat", "-r", &t, "-j", &format!("proc.pid={pid}")]);
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert!(json_rows(&["netstat", "-r", &t, "-j", "proc.name=no-such-name"]).is_empty());
    let ps = json_rows(&["ps", "-r", &t, "-j", &format!("proc.pid={pid}")]);
    assert!(!ps.is_empty());
    assert!(ps.iter().all(|r| r["PID"] == victim.id()), "{ps:?}");
}

#[test]
fn list_analyzers_names_each_with_its_purpose() {
    let s = stdout(&run(&["list", "analyzers"]));
    for a in [
        "summary",
        "lsof",
        "netstat",
        "ps",
        "top",
        "topfiles",
        "topconns",
        "iftop",
        "topscalls",
        "spy-users",
        "echo-fds",
        "strace",
        "by",
        "httplog",
        "stdout",
        "stderr",
        "stdin",
    ] {
        assert!(s.lines().any(|l| l.starts_with(a)), "{a} missing:\n{s}");
    }
}

#[test]
fn spy_users_shows_a_command_typed_in_a_shell_on_a_pty() {
    if !need_program(
        "spy_users_shows_a_command_typed_in_a_shell_on_a_pty",
        "script",
    ) {
        return;
    }
    let d = TempDir::new("spyusers");
    let t = d.join_str("t.spt");
    // `script` runs an interactive shell on a new pseudo-terminal; the shell reads what we
    // type from it.
    let mut cap = syspect()
        .args([
            "capture",
            "--engine",
            "ptrace",
            "-w",
            &t,
            "--",
            "script",
            "-qec",
            "sh -i",
            "/dev/null",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("capture");
    {
        use std::io::Write;
        let mut input = cap.stdin.take().expect("stdin");
        input
            .write_all(b"/bin/ls /etc/hostname\nexit\n")
            .expect("type");
    }
    assert!(cap.wait().expect("wait").success());
    let o = run(&["spy-users", "-r", &t]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    let line = s
        .lines()
        .find(|l| l.ends_with(") /bin/ls /etc/hostname"))
        .unwrap_or_else(|| panic!("the typed command: {s}"));
    assert!(
        line.contains(" root ") || line.contains(" nobody "),
        "with its user: {line}"
    );
    assert!(line.contains("/dev/pts/"), "with its terminal: {line}");
    let rows = json_rows(&["spy-users", "-r", &t, "-j"]);
    assert!(
        rows.iter().any(|r| r["command"] == "/bin/ls /etc/hostname"),
        "{rows:?}"
    );
}

#[test]
fn top_puts_the_busy_process_first() {
    if !need_root("top_puts_the_busy_process_first") {
        return; // the eBPF engine needs root
    }
    busy_process_first("ebpf");
}

#[test]
fn top_puts_the_busy_process_first_under_ptrace() {
    // The ptrace engine samples /proc as the eBPF engine does, and once more at each
    // process's exit.
    busy_process_first("ptrace");
}

fn busy_process_first(engine: &str) {
    let d = TempDir::new(&format!("top-{engine}"));
    let t = d.join_str("t.spt");
    // A second of CPU time, however loaded the machine is (wall-clock time would not do).
    // 1.5 s of CPU time however loaded the machine is, with few syscalls (reading the process's
    // CPU clock is one).
    let busy = "import time\nwhile time.process_time() < 1.5:\n    for _ in range(100000): pass\n";
    let script = format!(
        "{} -c '{busy}' & for i in 1 2 3 4 5; do cat /etc/hostname >/dev/null; done; wait",
        python()
    );
    let o = run(&[
        "capture", "--engine", engine, "-w", &t, "--", "sh", "-c", &script,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json_rows(&["top", "-r", &t, "-j"]);
    let first = rows.first().expect("a row");
    assert!(
        first["NAME"]
            .as_str()
            .is_some_and(|n| n.starts_with("python")),
        "{rows:?}"
    );
    assert!(
        first["CPU s"].as_f64().is_some_and(|c| c > 0.5),
        "{first:?}"
    );
}

#[test]
fn a_host_capture_counts_processes_that_make_no_syscall() {
    if !need_root("a_host_capture_counts_processes_that_make_no_syscall") {
        return; // the eBPF engine needs root
    }
    let d = TempDir::new("top-quiet");
    let t = d.join_str("t.spt");
    // computes without a syscall (time.time() reads the vDSO's clock) for 6 s of wall time
    let busy = "import time\nt = time.time()\nwhile time.time() - t < 6:\n    pass\n";
    let mut hog = Command::new(python())
        .args(["-c", busy])
        .spawn()
        .expect("python");
    let mut idle = Command::new("sleep").arg("30").spawn().expect("sleep");
    // both past their start-up syscalls before the capture starts
    std::thread::sleep(Duration::from_millis(1000));
    let o = run(&["capture", "--engine", "ebpf", "-w", &t, "-M", "3"]);
    for c in [&mut hog, &mut idle] {
        c.kill().ok();
        c.wait().ok();
    }
    assert!(o.status.success(), "{}", stderr(&o));
    let pid = |c: &std::process::Child| c.id().to_string();

    // top ranks the hog by the CPU time it used from the capture's start: the samples'
    // growth plus what it used before its first sample (from the /proc snapshot)
    let rows = json_rows(&["top", "-r", &t, "-j"]);
    let row = rows
        .iter()
        .find(|r| r["PID"].as_str() == Some(&pid(&hog)) || r["PID"] == hog.id())
        .unwrap_or_else(|| panic!("the hog is in top: {rows:?}"));
    let cpu = row["CPU s"].as_f64().expect("CPU s");
    let samples: Vec<f64> = stdout(&run(&[
        "read",
        &t,
        &format!("proc.pid={} and evt.type=procinfo", pid(&hog)),
        "-p",
        "%evt.arg.cpu_ns",
    ]))
    .lines()
    .map(|l| l.trim().parse::<f64>().expect("ns") / 1e9)
    .collect();
    assert!(samples.len() >= 2, "a sample a second: {samples:?}");
    let grown = samples[samples.len() - 1] - samples[0];
    assert!(
        cpu > grown + 0.05,
        "top counts {cpu} s, the samples grew by {grown} s"
    );

    // proc.vmrss and proc.vmsize: the process's memory as last read
    let mem = stdout(&run(&[
        "read",
        &t,
        &format!("proc.pid={} and evt.type=procinfo", pid(&hog)),
        "-p",
        "%proc.vmrss %proc.vmsize %evt.arg.vm_rss",
    ]));
    for l in mem.lines() {
        let v: Vec<u64> = l.split(' ').map(|x| x.parse().expect("KiB")).collect();
        assert!(v[0] > 0 && v[1] >= v[0] && v[0] == v[2], "{l}");
    }

    // ps shows the idle process's memory from the snapshot (it was never sampled)
    let ps = json_rows(&["ps", "-r", &t, "-j", &format!("proc.pid={}", pid(&idle))]);
    let p = ps.first().unwrap_or_else(|| panic!("sleep in ps: {ps:?}"));
    assert!(p["RES"].as_u64().is_some_and(|r| r > 0), "{p:?}");
    assert!(p["VIRT"].as_u64().is_some_and(|v| v > 0), "{p:?}");
}

#[test]
fn lsof_at_a_time_shows_what_was_open_then() {
    let d = TempDir::new("lsofat");
    let prog =
        "import time\nf = open('held.txt', 'w')\ntime.sleep(0.6)\nf.close()\ntime.sleep(0.3)\n";
    let t = capture_in(&d, &[python(), "h.py"], &[("h.py", prog)]);
    let held = |rows: &[Value]| {
        rows.iter().any(|r| {
            r["NAME"]
                .as_str()
                .is_some_and(|n| n.ends_with("/cwd/held.txt"))
        })
    };
    // When the file was opened and closed, in seconds after the first event, from the trace:
    // how long Python takes to start under ptrace depends on the machine's load.
    let times = stdout(&run(&[
        "read",
        &t,
        "evt.dir=< and evt.type in (openat, close) and fd.name endswith /held.txt",
        "-p",
        "%evt.reltime",
    ]));
    let secs: Vec<f64> = times
        .lines()
        .map(|l| l.trim().parse::<f64>().expect("ns") / 1e9)
        .collect();
    let [opened, closed] = secs[..] else {
        panic!("one open and one close of held.txt: {times}")
    };
    assert!(closed - opened > 0.5, "{times}");
    // While it was open, the file is listed; at the end it is not (and the process is gone).
    let mid = format!("{:.3}", (opened + closed) / 2.0);
    assert!(held(&json_rows(&["lsof", "-r", &t, "-j", "--at", &mid])));
    assert!(!held(&json_rows(&["lsof", "-r", &t, "-j"])));
    // --from skips the early events but keeps their state.
    let after = format!("{:.3}", closed + 0.1);
    let late = stdout(&run(&[
        "read",
        &t,
        "--from",
        &after,
        "-p",
        "%evt.type %fd.name",
    ]));
    assert!(
        !late.contains("held.txt"),
        "the file was closed before {after} s: {late}"
    );
    assert_eq!(run(&["read", &t, "--to", "soon"]).status.code(), Some(2));
}

/// `httplog` on a real exchange: Python's HTTP server and client in one process, captured
/// live; the request is logged from both ends (`>` the client wrote it, `<` the server read
/// it), with the server's answer.
#[test]
fn httplog_logs_each_request_from_both_ends() {
    let d = TempDir::new("httplog");
    let server = r#"
import http.server, threading, urllib.request
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=s.serve_forever, daemon=True).start()
port = s.server_address[1]
body = urllib.request.urlopen(f"http://127.0.0.1:{port}/hello.txt").read()
assert body == b"hello"
try:
    urllib.request.urlopen(f"http://127.0.0.1:{port}/missing.txt")
except urllib.error.HTTPError:
    pass
print(port)
"#;
    std::fs::write(d.join("hello.txt"), "hello").unwrap();
    std::fs::write(d.join("s.py"), server).unwrap();
    let o = syspect()
        .args(["httplog", "--", python(), "s.py"])
        .current_dir(d.path())
        .output()
        .expect("syspect httplog");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // the program prints its port; its output and the log share syspect's stdout, in
    // whatever order they were flushed
    let port = text
        .lines()
        .find(|l| l.trim().parse::<u16>().is_ok())
        .unwrap_or_else(|| panic!("no port: {text}"))
        .trim()
        .to_string();
    let url = |f: &str| format!("url=127.0.0.1:{port}/{f} ");
    let line = |dir: char, f: &str, code: u32| {
        text.lines()
            .find(|l| l.contains(&format!(" {dir} method=GET {}", url(f))))
            .filter(|l| l.contains(&format!("response_code={code} ")))
            .unwrap_or_else(|| panic!("{dir} {f} {code}:\n{text}"))
            .to_string()
    };
    for dir in ['>', '<'] {
        assert!(line(dir, "hello.txt", 200).ends_with(" size=5B"), "{text}");
        line(dir, "missing.txt", 404);
    }
    let stamp = regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [<>] ").unwrap();
    assert_eq!(
        text.lines().filter(|l| stamp.is_match(l)).count(),
        4,
        "{text}"
    );
}

/// `stdout`, `stderr`, `stdin`: what a command wrote to fd 1 and 2 and read from fd 0, each
/// call's data then a line end, as sysdig's chisels print it.
#[test]
fn stdout_stderr_and_stdin_show_what_went_through_fds_0_1_2() {
    let d = TempDir::new("stdio");
    // fd numbers, as the chisels go by: a shell's `>&2` would write on a dup'd fd 1
    let script = "import os; os.write(1, b'out one'); os.write(2, b'err one'); \
                  os.read(0, 5); os.write(1, b'out two')";
    for (name, want) in [
        ("stdout", "out one\nout two\n"),
        ("stderr", "err one\n"),
        ("stdin", "hello\n"),
    ] {
        let file = d.join_str(&format!("{name}.txt"));
        let mut child = syspect()
            .args([name, "-o", &file, "--", python(), "-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("syspect runs");
        {
            use std::io::Write as _;
            let mut input = child.stdin.take().expect("stdin");
            input.write_all(b"hello world").expect("input");
        }
        assert!(child.wait().expect("wait").success(), "{name}");
        let got = std::fs::read_to_string(&file).expect("the -o file");
        assert_eq!(got, want, "{name}");
    }
}

/// `capture -c CHISEL` runs a sysdig chisel live, as the syspect command it is in the README's
/// table, with the capture's options and command.
#[test]
fn capture_c_runs_a_chisel_live() {
    let o = run(&[
        "capture",
        "-c",
        "fdbytes_by",
        "proc.name",
        "--engine",
        "ptrace",
        "--",
        "cat",
        "/etc/hostname",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let row = text
        .lines()
        .find(|l| l.trim_end().ends_with(" cat"))
        .unwrap_or_else(|| panic!("no row for cat: {text}"));
    // cat read the file and wrote it: bytes both ways, as `by proc.name` counts them
    let hostname = std::fs::read("/etc/hostname").unwrap().len() as u64;
    let written: u64 = row.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert_eq!(written, hostname, "{row}");
    let o = run(&[
        "capture", "-c", "nosuch", "--engine", "ptrace", "--", "true",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("topprocs_cpu"), "{}", stderr(&o));
}
