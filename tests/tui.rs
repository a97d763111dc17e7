//! The live terminal views (`top`, `iftop` on a terminal), driven through tmux as a person
//! would drive them: start the view beside a busy process, wait until the screen shows it,
//! drill down, type a filter, sort, quit with `q`, and check that syspect exited and gave the
//! terminal back (no alternate screen, canonical mode and echo on). Without a terminal the same
//! commands print their plain tables.
//!
//! Every wait is bounded, and each test's tmux server (a socket of its own) is killed when the
//! test ends, pass or fail, which hangs up the view and the processes it traces.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// How long the screen may take to show what a test waits for.
const WAIT: Duration = Duration::from_secs(30);

/// A tmux server with one 160x45 session running a shell command; killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Run `command` (a shell command line) in a new session. When it ends, the pane says
    /// `SYSPECT-EXITED <status>` and stays open.
    fn start(test: &str, command: &str) -> Tmux {
        let t = Tmux {
            socket: format!("syspect-{test}-{}", std::process::id()),
        };
        let _ = t.tmux(&["kill-server"]);
        let line = format!("{command}; echo SYSPECT-EXITED $?; sleep 600");
        let o = t.tmux(&[
            "new-session",
            "-d",
            "-s",
            "v",
            "-x",
            "160",
            "-y",
            "45",
            &line,
        ]);
        assert!(o.status.success(), "tmux: {}", stderr(&o));
        t
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .output()
            .expect("tmux runs")
    }

    /// What the pane shows now.
    fn screen(&self) -> String {
        stdout(&self.tmux(&["capture-pane", "-p", "-t", "v"]))
    }

    /// Press keys (tmux key names: `Enter`, `Escape`, `q`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "v"];
        args.extend(keys);
        assert!(self.tmux(&args).status.success());
    }

    /// Type text literally.
    fn type_text(&self, text: &str) {
        assert!(self
            .tmux(&["send-keys", "-t", "v", "-l", text])
            .status
            .success());
    }

    /// Wait until the screen satisfies `ok`; panic with the screen after [`WAIT`].
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn format(&self, f: &str) -> String {
        stdout(&self.tmux(&["display-message", "-p", "-t", "v", f]))
            .trim()
            .to_owned()
    }

    /// After `q`: syspect exited 0 and the terminal is as it was (main screen, cooked mode).
    fn assert_quit_and_restored(&self) {
        self.keys(&["q"]);
        let s = self.wait_for("syspect to exit", |s| s.contains("SYSPECT-EXITED"));
        assert!(s.contains("SYSPECT-EXITED 0"), "exit status:\n{s}");
        assert_eq!(
            self.format("#{alternate_on}"),
            "0",
            "still on the alternate screen"
        );
        let tty = self.format("#{pane_tty}");
        let o = Command::new("stty")
            .args(["-a", "-F", &tty])
            .output()
            .expect("stty runs");
        let modes = stdout(&o);
        for m in modes.split_whitespace() {
            assert!(
                m != "-icanon" && m != "-echo",
                "terminal left in raw mode ({m}):\n{modes}"
            );
        }
        assert!(modes.contains("icanon"), "{modes}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// A process killed when dropped.
struct Busy(Child);

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A copy of dd under a name of its own (its comm), so the screen can be searched for it.
fn busy_program(d: &TempDir, prefix: &str) -> (String, String) {
    let name = format!("{prefix}{}", std::process::id() % 1_000_000);
    let path = d.join(&name);
    std::fs::copy("/bin/dd", &path).expect("copy dd");
    (name, path.to_string_lossy().into_owned())
}

/// Run the copy of dd at `path` copying zeros a byte at a time, until dropped.
fn busy_dd(path: &str) -> Busy {
    Busy(
        Command::new(path)
            .args(["if=/dev/zero", "of=/dev/null", "bs=1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dd starts"),
    )
}

/// The table rows under the column header line, the one that starts with column `first`
/// (the rows up to and with the status line).
fn rows<'a>(screen: &'a str, first: &str) -> Vec<&'a str> {
    screen
        .lines()
        .skip_while(|l| l.split_whitespace().next() != Some(first))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

fn first_row_has(screen: &str, first: &str, name: &str) -> bool {
    rows(screen, first)
        .first()
        .is_some_and(|r| r.split_whitespace().any(|w| w == name))
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn syspect_line(args: &[&str]) -> String {
    let mut v = vec![quoted(env!("CARGO_BIN_EXE_syspect"))];
    v.extend(args.iter().map(|a| quoted(a)));
    v.join(" ")
}

/// Whether a process called `comm` is still running.
fn running(comm: &str) -> bool {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim_end() == comm))
}

#[test]
fn top_view_of_the_host_sorts_drills_down_filters_and_quits() {
    if !need_root("top_view_of_the_host") || !need_program("top_view_of_the_host", "tmux") {
        return;
    }
    let d = TempDir::new("tui-host");
    let (name, path) = busy_program(&d, "tdh");
    let _busy = busy_dd(&path);
    let t = Tmux::start("host", &syspect_line(&["top", "--engine", "ebpf"]));
    t.wait_for("the process view", |s| s.contains("CPU%▼"));
    // Sort by calls per second: dd bs=1 makes more than anything else on the host.
    t.type_text(">");
    let s = t.wait_for(&format!("{name} at the top by CALLS/s"), |s| {
        s.contains("CALLS/s▼") && first_row_has(s, "PID", &name)
    });
    assert!(s.contains("engine ebpf"), "{s}");

    // Enter: its fds, named from the state.
    t.keys(&["Enter"]);
    let s = t.wait_for("its fds", |s| {
        s.contains(&format!("fds and connections of {name}")) && s.contains("/dev/zero")
    });
    assert!(s.contains("/dev/null"), "{s}");
    t.keys(&["Escape"]);
    t.wait_for("the process view again", |s| s.contains("CALLS/s▼"));
    std::thread::sleep(Duration::from_millis(300));

    // A bad filter is an error in the status line, and the view goes on.
    t.type_text("/proc.nam=x");
    t.keys(&["Enter"]);
    t.wait_for("the filter error", |s| s.contains("filter error"));
    // A good one: only what it selects is listed.
    t.type_text(&format!("/proc.name={name}"));
    t.keys(&["Enter"]);
    let s = t.wait_for("the filtered view", |s| {
        s.contains(&format!("filter: proc.name={name}")) && first_row_has(s, "PID", &name)
    });
    assert_eq!(rows(&s, "PID").len(), 2, "one row and the keys:\n{s}");

    t.assert_quit_and_restored();
}

#[test]
fn top_view_of_a_command_traced_with_ptrace() {
    if !need_program("top_view_of_a_command", "tmux") {
        return;
    }
    let d = TempDir::new("tui-ptrace");
    let (name, path) = busy_program(&d, "tdp");
    let t = Tmux::start(
        "ptrace",
        &syspect_line(&[
            "top",
            "--engine",
            "ptrace",
            "--",
            &path,
            "if=/dev/zero",
            "of=/dev/null",
            "bs=1",
        ]),
    );
    let s = t.wait_for(&format!("{name} at the top"), |s| {
        first_row_has(s, "PID", &name)
    });
    assert!(s.contains("engine ptrace"), "{s}");
    t.keys(&["Enter"]);
    let s = t.wait_for("its fds", |s| s.contains("/dev/zero"));
    assert!(s.contains("/dev/null"), "{s}");
    t.assert_quit_and_restored();
    // Quitting ended the capture, and with it the command it started.
    let deadline = Instant::now() + Duration::from_secs(5);
    while running(&name) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!running(&name), "{name} still runs after q");
}

const TRANSFER: &str = r#"
import socket, threading, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def serve():
    c, _ = srv.accept()
    while c.recv(65536):
        pass
threading.Thread(target=serve, daemon=True).start()
cl = socket.create_connection(("127.0.0.1", srv.getsockname()[1]))
while True:
    cl.sendall(b"x" * 65536)
    time.sleep(0.01)
"#;

#[test]
fn iftop_view_shows_a_loopback_transfer() {
    if !need_program("iftop_view", "tmux") {
        return;
    }
    let d = TempDir::new("tui-iftop");
    let script = d.join_str("xfer.py");
    std::fs::write(&script, TRANSFER).expect("script");
    let t = Tmux::start(
        "iftop",
        &syspect_line(&["iftop", "--engine", "ptrace", "--", python(), &script]),
    );
    let s = t.wait_for("the connection", |s| {
        rows(s, "PROTO")
            .iter()
            .any(|r| r.starts_with("tcp") && r.contains("127.0.0.1:") && r.contains("python"))
    });
    // Some bytes moved per second: the rate column is not 0B.
    let row = rows(&s, "PROTO")[0];
    assert!(
        row.split_whitespace().nth(1).is_some_and(|b| b != "0B"),
        "{s}"
    );
    t.assert_quit_and_restored();
}

#[test]
fn top_without_a_terminal_prints_plain_tables() {
    let o = syspect()
        .args(["top", "--engine", "ptrace", "--", "sh", "-c"])
        .arg("i=0; while [ $i -lt 300 ]; do echo x > /dev/null; i=$((i+1)); done; sleep 1.2")
        .stdin(Stdio::null())
        .output()
        .expect("syspect runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains('\x1b'), "escape sequences in a pipe:\n{out}");
    let header = out.lines().next().unwrap_or_default();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["PID", "CPU%", "CPU", "s", "SYSCALLS", "SYSCALL", "s", "IO", "BYTES", "NAME"],
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.ends_with(" sh") || l.ends_with(" dash")),
        "{out}"
    );
}

#[test]
fn json_on_a_terminal_stays_plain() {
    if !need_program("json_on_a_terminal", "tmux") {
        return;
    }
    let t = Tmux::start(
        "json",
        &syspect_line(&[
            "topfiles",
            "-j",
            "--engine",
            "ptrace",
            "--",
            "sh",
            "-c",
            "sleep 1.5",
        ]),
    );
    let s = t.wait_for("syspect to exit", |s| s.contains("SYSPECT-EXITED"));
    assert!(s.contains("SYSPECT-EXITED 0"), "{s}");
    assert!(
        s.lines().any(|l| l.starts_with('[')),
        "no JSON report:\n{s}"
    );
    assert!(!s.contains("BYTES/s"), "a view instead of JSON:\n{s}");
}

#[test]
fn top_by_container_starts_at_containers_and_drills_into_one() {
    if !need_root("top_by_container") || !need_program("top_by_container", "tmux") {
        return;
    }
    let d = TempDir::new("tui-containers");
    let (name, path) = busy_program(&d, "tdc");
    let _busy = busy_dd(&path);
    let t = Tmux::start(
        "containers",
        &syspect_line(&["top", "--by", "container", "--engine", "ebpf"]),
    );
    // The host's processes are one row, named host.
    let s = t.wait_for("the container view", |s| {
        rows(s, "CONTAINER")
            .iter()
            .any(|r| r.starts_with("host ") && r.trim_end().ends_with(" host"))
    });
    assert!(s.contains("containers "), "{s}");
    // Select the host's row, then Enter: its processes, dd among them.
    let host = rows(&s, "CONTAINER")
        .iter()
        .position(|r| r.starts_with("host "))
        .unwrap_or(0);
    for _ in 0..host {
        t.keys(&["Down"]);
    }
    t.keys(&["Enter"]);
    t.wait_for("the host's processes", |s| {
        s.contains("containers › processes of container host")
            && rows(s, "PID").iter().any(|r| r.contains(&name))
    });
    t.keys(&["Escape"]);
    t.wait_for("the container view again", |s| {
        !rows(s, "CONTAINER").is_empty() && !s.contains("processes of container")
    });
    t.assert_quit_and_restored();
}
