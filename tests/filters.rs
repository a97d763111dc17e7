//! Filters on a real trace: for filters covering every operator and each field class, the
//! events `read FILTER` selects equal those computed here from the unfiltered `-j -p` dump;
//! bad filters are refused with the place of the mistake; pushing a filter down into the
//! engine changes the cost, never the events.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::util::*;

const FIELDS: &str = "*%evt.num %evt.type %evt.dir %proc.name %proc.pid %proc.pname %fd.name %fd.type %fd.sport %fd.sip %evt.rawres %evt.failed %user.name %evt.arg.flags %fd.num";

const WORKLOAD: &str = r#"
import os, socket
open("/etc/hostname").read()
os.listdir("/etc")
try:
    open("/nonexistent/file")
except OSError:
    pass
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
port = s.getsockname()[1]
if os.fork() == 0:
    c = socket.socket(); c.connect(("127.0.0.1", port)); c.sendall(b"x" * 1000); c.close()
    os._exit(0)
a, _ = s.accept()
while a.recv(4096):
    pass
os.wait()
"#;

fn trace(d: &TempDir) -> String {
    let cwd = d.join("cwd");
    std::fs::create_dir_all(&cwd).expect("cwd");
    std::fs::write(cwd.join("w.py"), WORKLOAD).expect("write");
    let t = d.join_str("t.spt");
    let o = syspect()
        .args([
            "capture",
            "--engine",
            "ptrace",
            "-w",
            &t,
            "--",
            python(),
            "w.py",
        ])
        .current_dir(&cwd)
        .output()
        .expect("capture");
    assert!(o.status.success(), "{}", stderr(&o));
    t
}

fn dump(t: &str) -> Vec<Map<String, Value>> {
    let o = run(&["read", "-j", "-p", FIELDS, t]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| match serde_json::from_str(l) {
            Ok(Value::Object(m)) => m,
            other => panic!("bad line {l}: {other:?}"),
        })
        .collect()
}

fn selected(t: &str, filter: &str) -> BTreeSet<u64> {
    let o = run(&["read", "-p", "%evt.num", t, filter]);
    assert!(o.status.success(), "{filter}: {}", stderr(&o));
    stdout(&o)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

fn s<'a>(e: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    e.get(k).and_then(Value::as_str)
}

fn n(e: &Map<String, Value>, k: &str) -> Option<i64> {
    e.get(k).and_then(Value::as_i64)
}

type Pred = fn(&Map<String, Value>) -> bool;

#[test]
fn selections_equal_the_unfiltered_dump() {
    let d = TempDir::new("filters");
    let t = trace(&d);
    let events = dump(&t);
    assert!(events.len() > 1000, "a real trace: {}", events.len());
    let cases: &[(&str, Pred)] = &[
        ("evt.type=openat", |e| s(e, "evt.type") == Some("openat")),
        ("evt.type!=read", |e| s(e, "evt.type") != Some("read")),
        (
            "evt.type in (connect, accept4, accept) and evt.dir=<",
            |e| {
                matches!(s(e, "evt.type"), Some("connect" | "accept4" | "accept"))
                    && s(e, "evt.dir") == Some("<")
            },
        ),
        ("evt.rawres < 0", |e| {
            n(e, "evt.rawres").is_some_and(|r| r < 0)
        }),
        ("evt.rawres >= 1000 and evt.type=recvfrom", |e| {
            n(e, "evt.rawres").is_some_and(|r| r >= 1000) && s(e, "evt.type") == Some("recvfrom")
        }),
        ("evt.failed=true", |e| {
            e.get("evt.failed") == Some(&Value::Bool(true))
        }),
        ("fd.name contains hostname", |e| {
            s(e, "fd.name").is_some_and(|f| f.contains("hostname"))
        }),
        ("fd.name icontains HOSTNAME", |e| {
            s(e, "fd.name").is_some_and(|f| f.to_lowercase().contains("hostname"))
        }),
        ("fd.name startswith /etc", |e| {
            s(e, "fd.name").is_some_and(|f| f.starts_with("/etc"))
        }),
        ("fd.name endswith .so.6", |e| {
            s(e, "fd.name").is_some_and(|f| f.ends_with(".so.6"))
        }),
        ("fd.name glob /usr/lib/*", |e| {
            s(e, "fd.name").is_some_and(|f| f.starts_with("/usr/lib/"))
        }),
        ("fd.name pmatch (/etc, /proc)", |e| {
            s(e, "fd.name").is_some_and(|f| {
                f == "/etc" || f == "/proc" || f.starts_with("/etc/") || f.starts_with("/proc/")
            })
        }),
        ("fd.name regex '.*\\.so(\\.[0-9]+)*'", |e| {
            s(e, "fd.name").is_some_and(|f| {
                f.contains(".so")
                    && f.rsplit(".so")
                        .next()
                        .is_some_and(|t| t.chars().all(|c| c == '.' || c.is_ascii_digit()))
            })
        }),
        ("fd.type=ipv4 and fd.sip=127.0.0.1", |e| {
            s(e, "fd.type") == Some("ipv4") && s(e, "fd.sip") == Some("127.0.0.1")
        }),
        ("fd.snet=127.0.0.0/8", |e| {
            s(e, "fd.sip").is_some_and(|ip| ip.starts_with("127."))
        }),
        (
            "fd.snet in (10.0.0.0/8, ::ffff:127.0.0.1/128) and evt.dir=<",
            |e| s(e, "fd.sip") == Some("127.0.0.1") && s(e, "evt.dir") == Some("<"),
        ),
        // every sendto of the workload is on its connected socket
        ("fd.connected=true and evt.type=sendto", |e| {
            s(e, "evt.type") == Some("sendto")
        }),
        ("fd.sport > 1024", |e| {
            n(e, "fd.sport").is_some_and(|p| p > 1024)
        }),
        ("fd.num exists and not fd.name startswith /", |e| {
            e.get("fd.num").is_some_and(|v| !v.is_null())
                && !s(e, "fd.name").is_some_and(|f| f.starts_with('/'))
        }),
        ("proc.pname=python3.11 or proc.pname=python3", |e| {
            matches!(s(e, "proc.pname"), Some("python3.11" | "python3"))
        }),
        ("user.name=root and evt.type=close", |e| {
            s(e, "user.name") == Some("root") && s(e, "evt.type") == Some("close")
        }),
        ("evt.arg.flags contains O_CLOEXEC", |e| {
            s(e, "evt.arg.flags").is_some_and(|f| f.contains("O_CLOEXEC"))
        }),
        ("not (evt.type=read or evt.type=write) and evt.dir=>", |e| {
            !matches!(s(e, "evt.type"), Some("read" | "write")) && s(e, "evt.dir") == Some(">")
        }),
    ];
    for (filter, pred) in cases {
        let want: BTreeSet<u64> = events
            .iter()
            .filter(|e| pred(e))
            .filter_map(|e| n(e, "evt.num").map(|v| v as u64))
            .collect();
        let got = selected(&t, filter);
        assert!(
            !want.is_empty() || filter.contains("nonexistent"),
            "{filter}: the workload should produce matches"
        );
        assert_eq!(got, want, "{filter}");
    }
}

#[test]
fn bad_filters_name_the_place_and_exit_2() {
    let d = TempDir::new("badfilter");
    let t = d.join_str("t.spt");
    let o = run(&["capture", "--engine", "ptrace", "-w", &t, "--", "/bin/true"]);
    assert!(o.status.success());
    for (filter, message) in [
        (
            "proc.nmae = bash",
            "unknown field `proc.nmae`, did you mean `proc.name`?",
        ),
        ("fd.name contain /etc", "did you mean `contains`?"),
        ("proc.pid = abc", "proc.pid"),
        ("(evt.type = open", "expected"),
    ] {
        let o = run(&["read", &t, filter]);
        assert_eq!(o.status.code(), Some(2), "{filter}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(message), "{filter}: {e}");
        assert!(e.contains('^'), "a caret under the mistake: {e}");
        // Nothing is captured either.
        let c = run(&[
            "capture",
            "--engine",
            "ptrace",
            "-w",
            &d.join_str("no.spt"),
            filter,
            "--",
            "/bin/true",
        ]);
        assert_eq!(c.status.code(), Some(2));
        assert!(!d.join("no.spt").exists(), "no file for a bad filter");
    }
}

#[test]
fn pushdown_changes_the_cost_not_the_events() {
    pushdown_under("ptrace");
    if need_root("pushdown_changes_the_cost_not_the_events (eBPF)") {
        pushdown_under("ebpf");
    }
}

/// The same command captured with a filter (pushed into the engine: the ptrace engine's
/// seccomp set, the eBPF engine's syscall map) and without: the selected events are the same.
fn pushdown_under(engine: &str) {
    let d = TempDir::new(&format!("pushdown-{engine}"));
    let f = "evt.type in (openat, close) and fd.name startswith /etc";
    let cmd = [
        "sh",
        "-c",
        "cat /etc/hostname /etc/passwd >/dev/null; ls /etc >/dev/null",
    ];
    let full = d.join_str("full.spt");
    let pushed = d.join_str("pushed.spt");
    let mut a = vec!["capture", "--engine", engine, "-w", &full, "--"];
    a.extend(cmd);
    assert!(run(&a).status.success());
    let mut b = vec!["capture", "--engine", engine, "-w", &pushed, f, "--"];
    b.extend(cmd);
    assert!(run(&b).status.success());
    let show = |t: &str| -> Vec<String> {
        stdout(&run(&[
            "read",
            "-p",
            "%proc.name %evt.dir %evt.type %fd.name %evt.rawres",
            t,
            f,
        ]))
        .lines()
        .map(str::to_owned)
        .collect()
    };
    let (x, y) = (show(&full), show(&pushed));
    assert!(x.len() > 5, "{engine}: {x:?}");
    assert_eq!(x, y, "{engine}");
    // The pushed-down file holds fewer events.
    let count = |t: &str| stdout(&run(&["read", t])).lines().count();
    assert!(
        count(&pushed) < count(&full) / 2,
        "{engine}: {} vs {}",
        count(&pushed),
        count(&full)
    );
}
