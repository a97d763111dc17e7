//! sysdig's performance and I/O chisels (`scallslower`, `fileslower`, `netlower`,
//! `bottlenecks`, `proc_exec_time`, `iobytes*`, `lscontainers`, `topcontainers_*`): against
//! sysdig 0.29.3 on its own captures, and on live traces of both engines whose truth is known.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::scap::{fixture, ours, sysdig};
use crate::util::*;

/// sysdig's chisel output without its colour codes.
fn plain(text: &str) -> String {
    text.replace("\x1b[32m", "")
        .replace("\x1b[34m", "")
        .replace("\x1b[0m", "")
}

/// `(datetime to the ms, syscall, latency in ms to the µs)` of a `scallslower` line, ours
/// (`time process pid container syscall ms fd`) or sysdig's (`time process ms syscall`).
fn slow_rows(text: &str, sysdigs: bool) -> BTreeSet<(String, String, String)> {
    text.lines()
        .filter(|l| l.starts_with("20"))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let time = format!("{} {}", w[0], w[1]);
            let (syscall, ms) = match sysdigs {
                true => (w[4], w[3]),
                false => (w[5], w[6]),
            };
            let ms: f64 = ms.parse().unwrap_or_else(|_| panic!("{l}"));
            (time, syscall.to_owned(), format!("{ms:.3}"))
        })
        .collect()
}

/// The `(in, out)` totals of `iobytes` lines.
fn io_totals(text: &str) -> (u64, u64) {
    let num = |w: &str, key: &str| -> u64 {
        w.strip_prefix(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{w}"))
    };
    text.lines()
        .filter(|l| l.contains(" in:"))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (num(w[1], "in:"), num(w[2], "out:"))
        })
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

#[test]
fn slow_calls_bottlenecks_and_io_bytes_match_sysdigs_chisels() {
    if !need_program("slow_calls_match_sysdig", "sysdig") {
        return;
    }
    let Some(f) = fixture("curl_google.scap") else {
        return;
    };
    // scallslower: the same calls, times and latencies (sysdig prints the ms unrounded)
    for ms in ["1", "10"] {
        let theirs = slow_rows(&plain(&sysdig(&["-r", &f, "-c", "scallslower", ms])), true);
        let mine = slow_rows(&ours(&["read", &f, "-c", "scallslower", ms]), false);
        assert!(theirs.len() >= 3, "{theirs:?}");
        assert_eq!(mine, theirs, "scallslower {ms}");
    }
    // fileslower and netlower 0: every file (but /dev) and network call, with its fd's name
    for chisel in ["fileslower", "netlower"] {
        let calls = |text: &str, sysdigs: bool| -> Vec<(String, String)> {
            text.lines()
                .filter(|l| l.starts_with("20"))
                .map(|l| {
                    let w: Vec<&str> = l.split_whitespace().collect();
                    let (syscall, fd) = if sysdigs { (w[3], w[5]) } else { (w[5], w[7]) };
                    (syscall.to_owned(), fd.to_owned())
                })
                .collect()
        };
        let theirs = calls(&plain(&sysdig(&["-r", &f, "-c", chisel, "0"])), true);
        let mine = calls(&ours(&["read", &f, "-c", chisel, "0"]), false);
        assert!(!theirs.is_empty(), "{chisel}");
        assert_eq!(mine, theirs, "{chisel}");
    }
    // bottlenecks: the same ten calls in the same order, their enters' and exits' numbers,
    // latencies, threads and syscalls (the arguments are syspect's evt.info, as `read`'s)
    let heads = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().take(6).collect::<Vec<_>>().join(" "))
            .collect()
    };
    let theirs = heads(&sysdig(&["-r", &f, "-c", "bottlenecks"]));
    let mine = heads(&ours(&["read", &f, "-c", "bottlenecks"]));
    assert_eq!(theirs.len(), 20, "{theirs:?}");
    assert_eq!(mine, theirs);
    // iobytes, iobytes_file, iobytes_net: the same bytes in and out (sysdig's lines fall on
    // its timer's seconds, syspect's on the events')
    for chisel in ["iobytes", "iobytes_file", "iobytes_net"] {
        let theirs = io_totals(&sysdig(&["-r", &f, "-c", chisel]));
        let mine = io_totals(&ours(&["read", &f, "-c", chisel]));
        assert!(theirs.0 > 0, "{chisel}");
        assert_eq!(mine, theirs, "{chisel}");
    }
}

/// httptop: the requests by method and URL, counted as sysdig counts them.
#[test]
fn httptop_counts_the_requests_sysdig_counts() {
    if !need_program("httptop_counts_the_requests_sysdig_counts", "sysdig") {
        return;
    }
    let Some(f) = fixture("curl_google.scap") else {
        return;
    };
    let rows = |text: &str, cols: [usize; 3]| -> Vec<Vec<String>> {
        text.lines()
            .filter(|l| l.contains("GET ") || l.contains("POST "))
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                cols.iter().map(|&i| w[i].to_owned()).collect()
            })
            .collect()
    };
    let theirs = rows(&sysdig(&["-r", &f, "-c", "httptop"]), [0, 1, 2]);
    assert_eq!(theirs, [["1", "GET", "www.google.com/"]]);
    let mine = rows(&ours(&["read", &f, "-c", "httptop"]), [0, 5, 6]);
    assert_eq!(mine, theirs);
    let by_time = ours(&["httptop", "-r", &f, "--sort", "time", "-j"]);
    assert!(by_time.contains(r#""TIME ns":37"#), "{by_time}");
}

#[test]
fn containers_and_top_containers_read_a_sysdig_capture() {
    let Some(f) = fixture("privileged.scap") else {
        return;
    };
    // the capture's container table, as its metadata says
    let t = ours(&["read", &f, "-c", "lscontainers"]);
    let row: Vec<&str> = t.lines().nth(2).unwrap_or("").split_whitespace().collect();
    assert_eq!(
        row[..4],
        ["docker", "nginx:latest", "epic_cray", "9dbcbd0c435f"],
        "{t}"
    );
    // topcontainers_*: host processes left out, as in sysdig
    let Some(g) = fixture("curl_google.scap") else {
        return;
    };
    for chisel in [
        "topcontainers_file",
        "topcontainers_net",
        "topcontainers_error",
    ] {
        let t = ours(&["read", &g, "-c", chisel]);
        assert_eq!(t.lines().count(), 2, "{chisel}: only the header\n{t}");
    }
}

/// A program whose slow calls, children and I/O are known: a 0.3 s sleep, a child `sleep 0.2`,
/// 1 MiB written to `out.bin`, 5000 bytes read from `in.bin`.
const WORKLOAD: &str = r#"
import subprocess, sys, time
time.sleep(0.3)
subprocess.run(["sleep", "0.2"])
with open(sys.argv[1] + "/in.bin", "rb") as f:
    assert len(f.read()) == 5000
with open(sys.argv[1] + "/out.bin", "wb") as f:
    for _ in range(16):
        f.write(b"x" * 65536)
"#;

fn json(args: &[&str]) -> Vec<Value> {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    match serde_json::from_str(&stdout(&o)) {
        Ok(Value::Array(rows)) => rows,
        other => panic!("{args:?}: not a JSON array: {other:?}\n{}", stdout(&o)),
    }
}

#[test]
fn slow_calls_process_times_and_io_bytes_of_a_live_trace() {
    let d = TempDir::new("chisels-live");
    std::fs::write(d.join("in.bin"), vec![b'i'; 5000]).expect("write");
    let dir = d.join_str("");
    for engine in engines("chisels on a live trace (ebpf)") {
        let t = d.join_str(&format!("{engine}.spt"));
        let c = run(&[
            "capture", "--engine", engine, "-w", &t, "--", "python3", "-c", WORKLOAD, &dir,
        ]);
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));

        // slower 250: the 0.3 s sleep and the wait for the child, nothing faster
        let slow = json(&["slower", "250", "-r", &t, "-j"]);
        let calls: Vec<&str> = slow.iter().filter_map(|r| r["syscall"].as_str()).collect();
        assert!(calls.contains(&"clock_nanosleep"), "{engine}: {slow:?}");
        assert!(
            slow.iter()
                .all(|r| r["latency_ns"].as_u64().is_some_and(|ns| ns > 250_000_000)),
            "{engine}: {slow:?}"
        );
        let text = stdout(&run(&["slower", "250", "-r", &t]));
        assert!(text.starts_with("evt.datetime"), "{engine}: {text}");
        assert_eq!(text.lines().count(), slow.len() + 1, "{engine}: {text}");

        // bottlenecks: the slowest is the python's sleep, its enter and exit lines first
        let top = json(&["bottlenecks", "--top", "3", "-r", &t, "-j"]);
        assert_eq!(top.len(), 3, "{engine}: {top:?}");
        let lat = |r: &Value| r["latency_ns"].as_u64().unwrap_or(0);
        assert!(top.windows(2).all(|w| lat(&w[0]) >= lat(&w[1])), "{engine}");
        let lines = stdout(&run(&["bottlenecks", "--top", "3", "-r", &t]));
        let first: Vec<&str> = lines.lines().take(2).collect();
        assert!(
            first[0].contains(" > ") && first[1].contains(" < "),
            "{lines}"
        );
        assert_eq!(
            first[0].split_whitespace().nth(3),
            first[1].split_whitespace().nth(3),
            "{engine}: the same thread\n{lines}"
        );

        // proctime: the child sleep ran 0.2 s and more, then python3 itself
        let procs = json(&["proctime", "-r", &t, "-j"]);
        let ran = |name: &str| {
            procs
                .iter()
                .find(|r| r["process"] == name)
                .and_then(|r| r["duration_ns"].as_u64())
                .unwrap_or_else(|| panic!("{engine}: no {name} in {procs:?}"))
        };
        assert!(
            (200_000_000..5_000_000_000).contains(&ran("sleep")),
            "{engine}"
        );
        assert!(ran("python3") > 500_000_000, "{engine}: {procs:?}");
        let last = procs.last().and_then(|r| r["process"].as_str());
        assert_eq!(last, Some("python3"), "{engine}: {procs:?}");

        // iobytes of the two files: exactly what was read and written, each second's
        let io = stdout(&run(&[
            "iobytes",
            "-r",
            &t,
            "fd.name endswith /in.bin or fd.name endswith /out.bin",
        ]));
        assert_eq!(io_totals(&io), (5000, 1 << 20), "{engine}: {io}");
        let per_second = json(&["iobytes", "-r", &t, "-j", "fd.name endswith /out.bin"]);
        let out: u64 = per_second.iter().filter_map(|r| r["out"].as_u64()).sum();
        assert_eq!(out, 1 << 20, "{engine}: {per_second:?}");
    }
}

/// A program that writes three syslog messages to a `…/dev/log` socket of its own (and a line
/// that is none), through send, sendto and write.
const SYSLOG: &str = r#"
import os, socket, sys
path = sys.argv[1] + "/dev/log"
srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
srv.bind(path)
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.connect(path)
c.send(b"<30>Nov 27 13:00:00 myd[7]: service started\n")
c.sendto(b"<11>Nov 27 13:00:01 myd[7]: disk failing\x00", path)
os.write(c.fileno(), b"<134>local0 message")
c.send(b"not a syslog line")
for _ in range(4):
    srv.recv(100)
"#;

#[test]
fn syslog_messages_are_read_as_sysdig_reads_them() {
    let d = TempDir::new("chisels-syslog");
    std::fs::create_dir_all(d.join("dev")).expect("mkdir");
    let dir = d.join_str("");
    for engine in engines("syslog messages (ebpf)") {
        let t = d.join_str(&format!("{engine}.spt"));
        let _ = std::fs::remove_file(d.join("dev/log"));
        let c = run(&[
            "capture", "--engine", engine, "-w", &t, "--", "python3", "-c", SYSLOG, &dir,
        ]);
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        let lines = ours(&["read", &t, "-c", "spy_syslog"]);
        let lines: Vec<&str> = lines.lines().collect();
        let text = |l: &&str| l.split_once("] ").map(|(_, t)| t.to_owned());
        assert_eq!(lines.len(), 3, "{engine}: {lines:?}");
        assert!(lines[0].starts_with("daemon.info python3["), "{lines:?}");
        assert!(lines[1].starts_with("user.err python3["), "{lines:?}");
        assert!(lines[2].starts_with("local0.info python3["), "{lines:?}");
        let texts: Vec<_> = lines.iter().filter_map(text).collect();
        assert_eq!(
            texts,
            [
                "Nov 27 13:00:00 myd[7]: service started",
                "Nov 27 13:00:01 myd[7]: disk failing",
                "local0 message"
            ],
            "{engine}"
        );
        // the fields, in filters: by number and by name; the other writes are no syslog's
        let errs = ours(&[
            "read",
            &t,
            "-p",
            "%evt.type %syslog.facility %syslog.severity %syslog.message",
            "syslog.severity.str=err or syslog.facility.str=local0",
        ]);
        assert_eq!(
            errs.lines().collect::<Vec<_>>(),
            [
                "sendto 1 3 Nov 27 13:00:01 myd[7]: disk failing",
                "write 16 6 local0 message"
            ],
            "{engine}"
        );
        let all = ours(&["read", &t, "-p", "%evt.type", "evt.is_syslog=true"]);
        assert_eq!(all.lines().count(), 4, "{engine}: {all}");
    }
}

#[test]
fn logs_prints_each_line_written_to_a_log_file() {
    let d = TempDir::new("chisels-logs");
    let dir = d.join_str("x").trim_end_matches("/x").to_owned();
    // two lines in one write, one line, a file that is no log, a compressed log
    let script = format!(
        "cd {dir} && printf 'started\\n\\nready\\n' >> app.log && echo 'GET /' >> access_log \
         && echo plain > notes.txt && echo zipped > old.log.gz"
    );
    for engine in engines("logs (ebpf)") {
        let t = d.join_str(&format!("{engine}.spt"));
        let c = run(&[
            "capture", "--engine", engine, "-w", &t, "--", "sh", "-c", &script,
        ]);
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        let got = ours(&["read", &t, "-c", "spy_logs"]);
        let want = [
            format!("sh {dir}/app.log started"),
            format!("sh {dir}/app.log ready"),
            format!("sh {dir}/access_log GET /"),
        ];
        assert_eq!(got.lines().collect::<Vec<_>>(), want, "{engine}");
        let rows = json(&["logs", "-r", &t, "-j", "fd.name contains access"]);
        assert_eq!(rows.len(), 1, "{engine}: {rows:?}");
        assert_eq!(rows[0]["line"], "GET /", "{engine}");
    }
}

#[test]
fn spectrogram_counts_calls_by_latency_per_interval() {
    let d = TempDir::new("chisels-spectrogram");
    let script = "import time\nfor _ in range(5):\n    time.sleep(0.012)\n";
    for engine in engines("spectrogram (ebpf)") {
        let t = d.join_str(&format!("{engine}.spt"));
        let c = run(&[
            "capture", "--engine", engine, "-w", &t, "--", "python3", "-c", script,
        ]);
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        // -j: a JSON array an interval; the five sleeps in the 10 ms decade, alone there
        let decades = |filter: &str| -> (u64, u64) {
            let o = run(&["spectrogram", "-r", &t, "-j", "--interval", "100", filter]);
            assert!(o.status.success(), "{engine}: {}", stderr(&o));
            let (mut tens_of_ms, mut all) = (0, 0);
            for line in stdout(&o).lines() {
                let rows: Vec<Value> = serde_json::from_str(line).expect("a JSON array");
                for r in rows {
                    tens_of_ms += r["10ms"].as_u64().unwrap_or(0);
                    all += r
                        .as_object()
                        .map_or(0, |m| m.values().filter_map(Value::as_u64).sum::<u64>());
                }
            }
            (tens_of_ms, all)
        };
        assert_eq!(decades("evt.type=clock_nanosleep"), (5, 5), "{engine}");
        let (_, all) = decades("evt.num > 0");
        assert!(all > 100, "{engine}: only {all} calls");
        // text, not on a terminal: a row of characters and its scale for each interval
        let text = ours(&["spectrogram", "-r", &t, "--interval", "100"]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() >= 4 && lines.len().is_multiple_of(2), "{text}");
        for pair in lines.chunks(2) {
            assert_eq!(pair[0].chars().count(), 80, "{text}");
            assert!(pair[1].starts_with("|1ns"), "{text}");
        }
        assert!(text.contains('@') || text.contains('%'), "{text}");
    }
}

#[test]
fn subsecoffset_counts_calls_by_when_in_the_second_they_start() {
    let d = TempDir::new("chisels-subsec");
    // bursts of getppid on the wall clock's quarter seconds
    let script = "import os, time\n\
                  for _ in range(6):\n    \
                  t = time.time()\n    \
                  time.sleep(0.25 - t % 0.25 + 0.002)\n    \
                  for _ in range(50):\n        os.getppid()\n";
    for engine in engines("subsecoffset (ebpf)") {
        let t = d.join_str(&format!("{engine}.spt"));
        let c = run(&[
            "capture", "--engine", engine, "-w", &t, "--", "python3", "-c", script,
        ]);
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        let filter = "evt.type=getppid and proc.name=python3";
        let o = run(&["subsecoffset", "-r", &t, "-j", filter]);
        assert!(o.status.success(), "{engine}: {}", stderr(&o));
        let mut tenths = [0u64; 10];
        for line in stdout(&o).lines() {
            let rows: Vec<Value> = serde_json::from_str(line).expect("a JSON array");
            for r in rows {
                for (i, n) in tenths.iter_mut().enumerate() {
                    *n += r[format!("{i}/10")].as_u64().unwrap_or(0);
                }
            }
        }
        // 300 calls, each burst a few ms after a quarter second: tenths 0, 2, 5 and 7 (a
        // burst the scheduler delays by 50 ms lands in the next tenth; none in 4 or 9)
        assert_eq!(tenths.iter().sum::<u64>(), 300, "{engine}: {tenths:?}");
        let on_time: u64 = [0, 2, 5, 7].iter().map(|&i| tenths[i]).sum();
        assert!(on_time >= 200, "{engine}: {tenths:?}");
        assert_eq!(tenths[4] + tenths[9], 0, "{engine}: {tenths:?}");
        let text = ours(&["read", &t, "-c", "subsecoffset"]);
        assert!(
            text.lines().nth(1).is_some_and(|l| l.starts_with("|0 ")),
            "{text}"
        );
    }
}
