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
    let mut enc = syspect_capture::trace::codec::FrameEncoder::default();
    for r in &recs {
        enc.push(r).unwrap();
    }
    let raw = enc.finish();
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

/// The trace named by `$SPT` (path, records, and calls: its exit events, at least 1), or
/// `None` with a line saying so when `SPT` is not set.
fn spt_trace() -> Option<(std::ffi::OsString, Vec<Record>, f64)> {
    let Some(path) = std::env::var_os("SPT") else {
        eprintln!("SKIPPED: set SPT to a trace file");
        return None;
    };
    let mut r = syspect_capture::trace::TraceReader::open(std::path::Path::new(&path)).unwrap();
    let recs: Vec<Record> = r.by_ref().map_while(Result::ok).collect();
    let calls = recs.iter().filter(|r| is_exit(r)).count().max(1) as f64;
    Some((path, recs, calls))
}

/// Whether `r` is an exit event: one per call (a whole call's record reads back as two events).
fn is_exit(r: &Record) -> bool {
    matches!(
        r,
        Record::Event(Event {
            kind: EventKind::Exit { .. },
            ..
        })
    )
}

/// Bytes per call of a real trace (`SPT=/path/to/trace.spt`), and what it would take with
/// buffers cut to `SNAPS` bytes (comma-separated, default `0,16,80`), with each zstd level of
/// `LEVELS` (default `3,6`), and the time compressing took.
/// Run with `SPT=t.spt cargo test -p syspect-capture --release --test tracefile -- --ignored
/// --nocapture real_trace`.
#[test]
#[ignore = "a measurement of a trace given in $SPT"]
fn bytes_per_call_of_a_real_trace() {
    let Some((_, recs, calls)) = spt_trace() else {
        return;
    };
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
        let levels = std::env::var("LEVELS").unwrap_or_else(|_| "3,6".into());
        for level in levels.split(',').filter_map(|s| s.parse::<i32>().ok()) {
            let out = temp_path("real.spt");
            let t = Instant::now();
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
                "buffers cut at {snap} bytes, level {level}: {:.2} B/call ({} calls), {:.0} ns a call to encode and compress",
                s.bytes as f64 / calls,
                calls,
                t.elapsed().as_nanos() as f64 / calls
            );
        }
    }
}

/// Where the bytes of a real trace (`SPT=/path/to/trace.spt`) go, at zstd level 6: the state
/// records apart; each stream of the event frames compressed on its own; the events of each
/// command (by the thread table's `comm`) apart; and the encoding's speed. `DUMP=DIR` also
/// writes each uncompressed frame there (to try zstd's parameters with its command). Run with `SPT=t.spt cargo test -p
/// syspect-capture --release --test tracefile -- --ignored --nocapture breakdown`.
#[test]
#[ignore = "a measurement of a trace given in $SPT"]
fn breakdown_of_a_real_trace() {
    use std::collections::HashMap;
    use syspect_capture::trace::codec::FrameEncoder;
    let Some((path, recs, calls)) = spt_trace() else {
        return;
    };
    let file = std::fs::metadata(&path).unwrap().len();
    let z = |b: &[u8]| zstd::bulk::compress(b, 6).unwrap().len() as f64;
    // Frames of at most 4 MiB, as the writer cuts them; each stream compressed alone.
    let frames = |recs: &mut dyn Iterator<Item = &Record>| -> (f64, Vec<f64>) {
        let mut enc = FrameEncoder::default();
        let (mut whole, mut streams) = (0.0, Vec::new());
        let mut close = |enc: &mut FrameEncoder| {
            let f = enc.finish();
            if let Some(d) = std::env::var_os("DUMP") {
                static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                std::fs::write(format!("{}/frame{n}.bin", d.to_str().unwrap()), &f).unwrap();
            }
            whole += z(&f);
            let n = f[0] as usize;
            let mut at = 1 + 4 * n;
            streams.resize(streams.len().max(n), 0.0);
            for (i, s) in streams.iter_mut().enumerate().take(n) {
                let len = u32::from_le_bytes(f[1 + 4 * i..5 + 4 * i].try_into().unwrap());
                *s += z(&f[at..at + len as usize]);
                at += len as usize;
            }
        };
        for r in recs {
            enc.push(r).unwrap();
            if enc.len() >= 4 << 20 {
                close(&mut enc);
            }
        }
        if !enc.is_empty() {
            close(&mut enc);
        }
        (whole, streams)
    };
    let per = |b: f64| b / calls;
    println!(
        "file: {file} bytes, {calls} calls, {:.2} B/call",
        per(file as f64)
    );
    let mut best = f64::MAX;
    for _ in 0..7 {
        let mut enc = FrameEncoder::with_capacity(4 << 20);
        let t = Instant::now();
        for r in &recs {
            enc.push(r).unwrap();
            if enc.len() >= 4 << 20 {
                enc.finish();
            }
        }
        best = best.min(t.elapsed().as_nanos() as f64 / recs.len() as f64);
    }
    println!("encoding (no compression): {best:.1} ns/record, best of 7");
    let (state, _) = frames(&mut recs.iter().filter(|r| !matches!(r, Record::Event(_))));
    println!(
        "state records alone: {state} bytes, {:.2} B/call",
        per(state)
    );
    let (events, streams) = frames(&mut recs.iter().filter(|r| matches!(r, Record::Event(_))));
    println!("events alone: {events} bytes, {:.2} B/call", per(events));
    let names = ["records", "ts", "durations", "low", "blobs", "6", "7", "8"];
    for (s, n) in streams.iter().zip(names) {
        println!("  stream {n}: {:.2} B/call", per(*s));
    }
    let mut comm: HashMap<u32, String> = HashMap::new();
    for r in &recs {
        if let Record::Thread(t) = r {
            comm.insert(t.tid, String::from_utf8_lossy(&t.comm).into_owned());
        }
    }
    let mut by: HashMap<String, Vec<&Record>> = HashMap::new();
    for r in &recs {
        if let Record::Event(e) = r {
            let c = comm.get(&e.tid).cloned().unwrap_or_else(|| "?".into());
            by.entry(c).or_default().push(r);
        }
    }
    let mut by: Vec<_> = by.into_iter().collect();
    by.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    for (c, v) in by.iter().take(8) {
        let n = v.iter().filter(|r| is_exit(r)).count();
        let (b, s) = frames(&mut v.iter().copied());
        println!(
            "  {c}: {} events, {n} calls, alone {:.0} bytes = {:.2} B/call of the whole; streams {:?}",
            v.len(),
            b,
            per(b),
            s.iter().map(|x| (x / n.max(1) as f64 * 100.0).round() / 100.0).collect::<Vec<_>>()
        );
    }
}
