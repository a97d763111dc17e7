//! Bytes on disk per syscall for a tar-like workload (a measurement, run on demand).

use std::time::Instant;

use syspect_capture::event::{Arg, Event, EventKind, Record};
use syspect_capture::trace::{TraceWriter, WriterOptions};

use super::{header, read_all, temp_path};

/// The syscalls `tar -cf - /usr/share/doc` makes (as strace shows them: two newfstatat per
/// entry, openat/fstat/fcntl/getdents64/close per folder), with real `struct stat` bytes and
/// names, as enter/exit events. Returns the records and the number of calls.
fn tar_like_events(root: &std::path::Path) -> (Vec<Record>, u64) {
    struct Gen {
        recs: Vec<Record>,
        ts: u64,
        seed: u64,
        calls: u64,
    }
    impl Gen {
        fn call(&mut self, nr: u16, enter: Vec<Arg>, ret: i64, exit: Vec<Arg>) {
            for (i, kind) in [
                EventKind::Enter { nr, args: enter },
                EventKind::Exit {
                    nr,
                    ret,
                    args: exit,
                },
            ]
            .into_iter()
            .enumerate()
            {
                self.seed = self
                    .seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                self.ts += if i == 0 { 600 } else { 300 } + (self.seed >> 33) % 1500;
                self.recs.push(Record::Event(Event {
                    ts: self.ts,
                    tid: 4242,
                    pid: 4242,
                    cpu: 1,
                    kind,
                }));
            }
            self.calls += 1;
        }
        fn stat(&mut self, dirfd: i32, path: &std::path::Path, name: &[u8], flags: u64) {
            use std::os::unix::ffi::OsStrExt;
            let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
            // SAFETY: `st` is a writable struct stat and `c` a NUL-terminated path.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            let ret = unsafe { libc::lstat(c.as_ptr(), &mut st) };
            // SAFETY: struct stat is plain old data of this size.
            let raw = unsafe {
                std::slice::from_raw_parts(
                    &st as *const libc::stat as *const u8,
                    std::mem::size_of::<libc::stat>(),
                )
            }
            .to_vec();
            let s = |d: &[u8]| Arg::Str {
                data: d.to_vec(),
                trunc: false,
            };
            for _ in 0..2 {
                self.call(
                    262,
                    vec![Arg::Num(dirfd as u64), s(name), Arg::Num(flags)],
                    ret as i64,
                    vec![Arg::Mem(raw.clone())],
                );
            }
        }
        fn dir(&mut self, parent: i32, path: &std::path::Path, fd: i32) {
            use std::os::unix::ffi::OsStrExt;
            let name = path
                .file_name()
                .map(|n| n.as_bytes().to_vec())
                .unwrap_or_default();
            self.stat(parent, path, &name, 0x100);
            let s = |d: &[u8]| Arg::Str {
                data: d.to_vec(),
                trunc: false,
            };
            self.call(
                257,
                vec![
                    Arg::Num(parent as u64),
                    s(&name),
                    Arg::Num(0o4304400),
                    Arg::Num(0),
                ],
                fd as i64,
                vec![],
            );
            self.stat(fd, path, b"", 0x1000);
            self.call(
                72,
                vec![Arg::Num(fd as u64), Arg::Num(3), Arg::Num(0)],
                0x28800,
                vec![],
            );
            self.call(
                72,
                vec![Arg::Num(fd as u64), Arg::Num(2), Arg::Num(1)],
                0,
                vec![],
            );
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            let mut dirents = Vec::new();
            for e in &entries {
                dirents.extend_from_slice(&[0u8; 19]);
                dirents.extend_from_slice(e.file_name().unwrap().as_bytes());
                dirents.push(0);
            }
            let n = dirents.len() as u64;
            dirents.truncate(80);
            self.call(
                217,
                vec![Arg::Num(fd as u64), Arg::Num(32768)],
                n as i64,
                vec![Arg::Buf {
                    data: dirents,
                    len: n,
                }],
            );
            self.call(
                217,
                vec![Arg::Num(fd as u64), Arg::Num(32768)],
                0,
                vec![Arg::Buf {
                    data: vec![],
                    len: 0,
                }],
            );
            for e in &entries {
                if e.is_dir() && !e.is_symlink() {
                    self.dir(fd, e, fd + 1);
                } else {
                    self.stat(fd, e, e.file_name().unwrap().as_bytes(), 0x100);
                }
            }
            self.stat(fd, path, b"", 0x1000);
            self.call(3, vec![Arg::Num(fd as u64)], 0, vec![]);
        }
    }
    let mut g = Gen {
        recs: Vec::new(),
        ts: 1_700_000_000_000_000_000,
        seed: 1,
        calls: 0,
    };
    g.dir(-100, root, 3);
    (g.recs, g.calls)
}

/// Bytes on disk per syscall (enter + exit) for a tar-like workload. Run with
/// `cargo test -p syspect-capture --test tracefile -- --ignored --nocapture bytes_per_call`.
#[test]
#[ignore = "a measurement; prints its result"]
fn bytes_per_call_tar_like() {
    let root = std::path::Path::new("/usr/share/doc");
    let (recs, calls) = tar_like_events(root);
    let mut raw = Vec::new();
    let (mut ctx, mut scratch) = (Default::default(), Vec::new());
    for r in &recs {
        syspect_capture::trace::codec::encode_record(&mut ctx, r, &mut raw, &mut scratch).unwrap();
    }
    for level in [1, 3, 6, 9] {
        let path = temp_path("size.spt");
        let mut w = TraceWriter::create_with(
            &path,
            &header(),
            WriterOptions {
                level,
                ..Default::default()
            },
        )
        .unwrap();
        let t = Instant::now();
        for r in &recs {
            w.write(r).unwrap();
        }
        let encode = t.elapsed();
        let s = w.finish().unwrap();
        let per_event = |d: std::time::Duration| d.as_nanos() as f64 / recs.len() as f64;
        println!(
            "level {level}: {calls} calls, {} events, {} frames; encoded {:.1} B/call, on disk {:.2} B/call; \
             write() {:.0} ns/event on the caller's thread, {:.0} ns/event with compression",
            recs.len(), s.frames, raw.len() as f64 / calls as f64, s.bytes as f64 / calls as f64,
            per_event(encode), per_event(t.elapsed())
        );
        let (got, end) = read_all(&path);
        assert!(end.is_ok());
        assert_eq!(got.len(), recs.len());
    }
}

/// Bytes per call of a real trace (`SPT=/path/to/trace.spt`), and what it would take with
/// buffers cut to `SNAPS` bytes (comma-separated, default `0,16,80`), with each zstd level.
/// Run with `SPT=t.spt cargo test -p syspect-capture --release --test tracefile -- --ignored
/// --nocapture real_trace`.
#[test]
#[ignore = "a measurement of a trace given in $SPT"]
fn bytes_per_call_of_a_real_trace() {
    let Some(path) = std::env::var_os("SPT") else {
        eprintln!("SKIPPED: set SPT to a trace file");
        return;
    };
    let mut r = syspect_capture::trace::TraceReader::open(std::path::Path::new(&path)).unwrap();
    let recs: Vec<Record> = r.by_ref().map_while(Result::ok).collect();
    let calls = recs
        .iter()
        .filter(|r| {
            matches!(
                r,
                Record::Event(Event {
                    kind: EventKind::Exit { .. },
                    ..
                })
            )
        })
        .count()
        .max(1) as f64;
    let snaps = std::env::var("SNAPS").unwrap_or_else(|_| "0,16,80".into());
    for snap in snaps.split(',').filter_map(|s| s.parse::<usize>().ok()) {
        let cut = |a: &Arg| match a {
            Arg::Buf { data, len } => Arg::Buf {
                data: data[..data.len().min(snap)].to_vec(),
                len: *len,
            },
            a => a.clone(),
        };
        let recs: Vec<Record> = recs
            .iter()
            .map(|r| match r {
                Record::Event(e) => {
                    let mut e = e.clone();
                    match &mut e.kind {
                        EventKind::Enter { args, .. } | EventKind::Exit { args, .. } => {
                            *args = args.iter().map(cut).collect()
                        }
                        _ => {}
                    }
                    Record::Event(e)
                }
                r => r.clone(),
            })
            .collect();
        for level in [3, 6] {
            let out = temp_path("real.spt");
            let opts = WriterOptions {
                level,
                ..Default::default()
            };
            let mut w = TraceWriter::create_with(&out, &header(), opts).unwrap();
            for r in &recs {
                w.write(r).unwrap();
            }
            let s = w.finish().unwrap();
            println!(
                "buffers cut at {snap} bytes, level {level}: {:.2} B/call ({} calls)",
                s.bytes as f64 / calls,
                calls
            );
        }
    }
}
