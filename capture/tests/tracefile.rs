//! The `.spt` trace file end to end: write with `TraceWriter`, read with `TraceReader` and
//! `MultiReader`, and what readers make of cut, damaged and foreign files.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use proptest::prelude::*;
use syspect_capture::event::{Arg, Event, EventKind, Record, ThreadInfo};
use syspect_capture::trace::{
    read_bytes, Header, MultiReader, RotatingWriter, Rotation, TraceError, TraceReader,
    TraceWriter, WriterOptions,
};

#[path = "tracefile/compat.rs"]
mod compat;
#[path = "tracefile/size.rs"]
mod size;
#[path = "tracefile/strategies.rs"]
mod strategies;

use strategies::{arb_record, arb_records};

/// A fresh path in a temporary folder under the target directory, emptied at each run.
fn temp_path(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let root = ROOT.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tracefile");
        let _ = std::fs::remove_dir_all(&root);
        root
    });
    let dir = root.join(N.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A header that is the same at every call (fixed times).
fn header() -> Header {
    let mut h = Header::new(
        "test",
        80,
        "evt.type=openat",
        vec!["syspect".into(), "capture".into()],
    );
    h.capture.start_ts = 1_700_000_000_000_000_000;
    h.machine.boot_time_ns = 1_600_000_000_000_000_000;
    h
}

fn ev(ts: u64, tid: u32, kind: EventKind) -> Record {
    Record::Event(Event {
        ts,
        tid,
        pid: tid,
        cpu: 0,
        kind,
    })
}

fn enter(ts: u64, tid: u32) -> Record {
    ev(
        ts,
        tid,
        EventKind::Enter {
            nr: 257,
            args: vec![
                Arg::Num(-100i64 as u64),
                Arg::Str {
                    data: format!("/etc/file{ts}").into_bytes(),
                    trunc: false,
                },
                Arg::Num(0o2000000),
            ],
        },
    )
}

fn thread(tid: u32) -> Record {
    Record::Thread(Box::new(ThreadInfo {
        tid,
        pid: tid,
        ppid: 1,
        comm: b"cat".to_vec(),
        ..Default::default()
    }))
}

/// Write `recs`, closing a frame every `per_frame` records; returns the file's bytes.
fn write_file(path: &std::path::Path, recs: &[Record], per_frame: usize) -> Vec<u8> {
    let mut w = TraceWriter::create(path, &header()).unwrap();
    for (i, r) in recs.iter().enumerate() {
        w.write(r).unwrap();
        if (i + 1) % per_frame == 0 {
            w.flush().unwrap();
        }
    }
    w.finish().unwrap();
    std::fs::read(path).unwrap()
}

fn read_all(path: &std::path::Path) -> (Vec<Record>, Result<(), TraceError>) {
    let mut r = TraceReader::open(path).unwrap();
    let mut out = Vec::new();
    loop {
        match r.next_record() {
            Ok(Some(x)) => out.push(x),
            Ok(None) => return (out, Ok(())),
            Err(e) => return (out, Err(e)),
        }
    }
}

/// A small file: state, then events over three frames.
fn small_records() -> Vec<Record> {
    let mut recs = vec![thread(10), thread(11)];
    for i in 0..9u64 {
        recs.push(enter(1_000 + i * 10, 10 + (i % 2) as u32));
    }
    recs
}

// ---- every record kind survives a round trip ----

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_record_kind_survives_write_then_read(
        recs in prop::collection::vec(arb_record(), 0..60),
        per_frame in 1usize..20,
    ) {
        let path = temp_path("prop.spt");
        write_file(&path, &recs, per_frame);
        let (got, end) = read_all(&path);
        prop_assert!(end.is_ok(), "{:?}", end);
        prop_assert_eq!(got, recs);
    }

    /// A record pushed and taken back (as the writer does with one too large) leaves no
    /// trace: not in the thread clocks, the open call or the repeated blobs.
    #[test]
    fn records_taken_back_leave_no_trace(
        recs in arb_records(),
        others in arb_records(),
        every in 1usize..4,
    ) {
        use syspect_capture::trace::codec::FrameEncoder;
        use syspect_capture::trace::decode::FrameDecoder;
        let mut enc = FrameEncoder::default();
        let mut others = others.iter().cycle();
        for (i, r) in recs.iter().enumerate() {
            if i % every == 0 {
                if let Some(o) = others.next() {
                    let mark = enc.mark();
                    enc.push(o).unwrap();
                    enc.undo(mark);
                }
            }
            enc.push(r).unwrap();
        }
        let frame = enc.finish();
        let mut d = FrameDecoder::new(&frame, syspect_capture::trace::FORMAT_MAJOR, false).unwrap();
        let mut got = Vec::new();
        while let Some(r) = d.next(&frame).unwrap() {
            got.push(r);
        }
        prop_assert_eq!(got, recs);
    }

    #[test]
    fn calls_and_repeated_buffers_survive_write_then_read(
        recs in arb_records(),
        per_frame in 1usize..40,
    ) {
        let path = temp_path("calls.spt");
        write_file(&path, &recs, per_frame);
        let (got, end) = read_all(&path);
        prop_assert!(end.is_ok(), "{:?}", end);
        prop_assert_eq!(got, recs);
    }

    /// An uncompressed frame with bytes overwritten (which the file's checksums would catch):
    /// its decoder gives records or an error, never a panic or a hang.
    #[test]
    fn damaged_frames_never_panic(
        recs in arb_records(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        lenient in any::<bool>(),
    ) {
        use syspect_capture::trace::codec::FrameEncoder;
        use syspect_capture::trace::decode::FrameDecoder;
        let mut enc = FrameEncoder::default();
        for r in &recs {
            enc.push(r).unwrap();
        }
        let mut data = enc.finish();
        for (at, b) in edits {
            let i = at.index(data.len());
            data[i] = b;
        }
        for major in [1, 2] {
            if let Ok(mut d) = FrameDecoder::new(&data, major, lenient) {
                let mut n = 0;
                while let Ok(Some(_)) = d.next(&data) {
                    n += 1;
                    prop_assert!(n <= data.len());
                }
            }
        }
    }

    /// The same reader function the fuzz target drives, on random bytes, and on random bytes
    /// after a valid header: never a panic, always an error or records.
    #[test]
    fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..600), keep in 0usize..200) {
        let _ = read_bytes(&data);
        let path = temp_path("rand.spt");
        let valid = write_file(&path, &small_records(), 4);
        let mut mixed = valid[..keep.min(valid.len())].to_vec();
        mixed.extend_from_slice(&data);
        let _ = read_bytes(&mixed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A valid file with a few bytes overwritten: records read are a prefix of the originals
    /// (bytes of a frame are checksummed), and an error says why the rest is missing.
    #[test]
    fn mutated_files_give_a_prefix_and_an_error(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let recs = small_records();
        let path = temp_path("mut.spt");
        let mut data = write_file(&path, &recs, 4);
        for (at, b) in edits {
            let i = at.index(data.len());
            data[i] = b;
        }
        let (got, end) = read_bytes(&data);
        prop_assert!(recs.starts_with(&got));
        if got.len() < recs.len() {
            prop_assert!(end.is_err());
        }
    }
}

// ---- files cut short, damaged, or not traces ----

#[test]
fn truncation_at_every_offset_gives_a_prefix_or_truncated() {
    let recs = small_records();
    let path = temp_path("cut.spt");
    let full = write_file(&path, &recs, 4);
    let (all, end) = read_bytes(&full);
    assert!(end.is_ok());
    assert_eq!(all, recs);
    for cut in 0..full.len() {
        let (got, end) = read_bytes(&full[..cut]);
        assert!(recs.starts_with(&got), "cut at {cut}: not a prefix");
        match end {
            Err(TraceError::Truncated { records_read, .. }) => {
                assert_eq!(records_read, got.len() as u64, "cut at {cut}")
            }
            Err(TraceError::NotATrace { .. }) if cut < 4 => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn killed_capture_reads_up_to_its_last_closed_frame() {
    let path = temp_path("killed.spt");
    let mut w = TraceWriter::create(&path, &header()).unwrap();
    for i in 0..5 {
        w.write(&enter(100 + i, 7)).unwrap();
    }
    w.tick(Instant::now() + std::time::Duration::from_secs(2))
        .unwrap();
    w.flush().unwrap();
    w.write(&enter(200, 7)).unwrap(); // still in the open frame
                                      // What a SIGKILL leaves: the file as it is now, no footer.
    let copy = temp_path("killed-copy.spt");
    std::fs::copy(&path, &copy).unwrap();
    let (got, end) = read_all(&copy);
    assert_eq!(got.len(), 5);
    let e = end.unwrap_err();
    assert!(e.is_truncated(), "{e}");
    assert!(e.to_string().contains("ends early"), "{e}");
    drop(w);
}

#[test]
fn a_damaged_byte_in_a_frame_is_a_clean_error_with_its_offset() {
    let recs = small_records();
    let path = temp_path("bad.spt");
    let full = write_file(&path, &recs, 4);
    let r = TraceReader::open(&path).unwrap();
    let frames = r.frames().unwrap().to_vec();
    assert_eq!(frames.len(), 3);
    // Flip a byte inside the second frame's compressed data.
    let mut bad = full.clone();
    let at = frames[1].offset as usize + 40 + 10;
    bad[at] ^= 0x55;
    std::fs::write(&path, &bad).unwrap();
    let (got, end) = read_all(&path);
    assert_eq!(got.len() as u32, frames[0].count);
    match end {
        Err(TraceError::Corrupt { offset, what, .. }) => {
            assert!(
                offset == frames[1].offset || offset == frames[1].offset + 40,
                "offset {offset}: {what}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Any single flipped byte: a prefix of the records, and an error unless all were read.
    for i in 0..full.len() {
        let mut bad = full.clone();
        bad[i] ^= 0x20;
        let (got, end) = read_bytes(&bad);
        assert!(recs.starts_with(&got), "flip at {i}: garbage records");
        if got.len() < recs.len() {
            assert!(end.is_err(), "flip at {i}: records lost silently");
        }
    }
}

#[test]
fn foreign_files_are_not_traces() {
    let empty = temp_path("empty");
    std::fs::write(&empty, b"").unwrap();
    let gzip = temp_path("x.gz");
    std::fs::write(
        &gzip,
        [
            0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
    )
    .unwrap();
    for path in [PathBuf::from("/bin/sh"), empty, gzip] {
        let e = TraceReader::open(&path).err().unwrap();
        assert!(e.is_not_a_trace(), "{}: {e}", path.display());
        let msg = e.to_string();
        assert!(
            msg.contains("not a syspect trace") && !msg.contains('\n'),
            "{msg}"
        );
        assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    }
}

#[test]
fn a_newer_major_version_is_refused() {
    let path = temp_path("v4.spt");
    let mut b = write_file(&path, &small_records(), 4);
    b[8] = syspect_capture::trace::FORMAT_MAJOR as u8 + 1;
    std::fs::write(&path, &b).unwrap();
    let e = TraceReader::open(&path).err().unwrap();
    assert!(matches!(e, TraceError::Version { major: 4, .. }), "{e}");
    assert!(e.to_string().contains("reads formats 1.x to 3.x"), "{e}");
}

// ---- the file itself ----

#[test]
fn files_are_created_mode_0600() {
    let path = temp_path("mode.spt");
    std::fs::write(&path, b"old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    write_file(&path, &small_records(), 4);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let fresh = temp_path("fresh.spt");
    write_file(&fresh, &[], 1);
    assert_eq!(
        std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn header_round_trips() {
    let path = temp_path("hdr.spt");
    write_file(&path, &[], 1);
    let r = TraceReader::open(&path).unwrap();
    assert_eq!(r.header(), &header());
    assert_eq!(r.header().abi_version, syspect_ebpf::ABI_VERSION);
    assert_eq!(r.frames(), Some(&[][..]));
}

/// Frames one "second" apart; `seek_time` lands on the frame that holds the time, with the
/// footer and (with the footer cut off) without.
#[test]
fn seek_by_time_with_and_without_footer() {
    let sec = 1_000_000_000u64;
    let mut recs = vec![thread(1)];
    for s in 0..10u64 {
        for i in 0..3 {
            recs.push(enter(s * sec + i, 1));
        }
    }
    let path = temp_path("seek.spt");
    let mut w = TraceWriter::create(&path, &header()).unwrap();
    w.write(&recs[0]).unwrap();
    for chunk in recs[1..].chunks(3) {
        for r in chunk {
            w.write(r).unwrap();
        }
        w.flush().unwrap();
    }
    w.finish().unwrap();
    // The thread record of the first frame is kept when that frame is skipped.
    let first_ts = |r: &mut TraceReader| {
        assert_eq!(r.next_record().unwrap(), Some(thread(1)));
        match r.next_record().unwrap() {
            Some(Record::Event(e)) => e.ts,
            other => panic!("{other:?}"),
        }
    };
    let mut r = TraceReader::open(&path).unwrap();
    assert_eq!(r.frames().unwrap().len(), 10);
    r.seek_time(7 * sec + 1).unwrap();
    assert_eq!(first_ts(&mut r), 7 * sec);
    r.seek_time(3 * sec + 5).unwrap(); // past the frame's last event: the next frame
    assert_eq!(first_ts(&mut r), 4 * sec);
    r.seek_time(100 * sec).unwrap();
    assert_eq!(r.next_record().unwrap(), Some(thread(1)));
    assert!(r.next_record().unwrap().is_none());
    r.seek_time(0).unwrap();
    assert_eq!(r.by_ref().count(), recs.len());

    // Without the footer (cut right after the last frame).
    let full = std::fs::read(&path).unwrap();
    let mut off = [0u8; 8];
    off.copy_from_slice(&full[full.len() - 16..full.len() - 8]);
    let last_end = u64::from_le_bytes(off) as usize;
    assert!(last_end > TraceReader::open(&path).unwrap().frames().unwrap()[9].offset as usize);
    let cut = temp_path("seek-nofooter.spt");
    std::fs::write(&cut, &full[..last_end]).unwrap();
    let mut r = TraceReader::open(&cut).unwrap();
    assert!(r.frames().is_none());
    r.seek_time(7 * sec + 1).unwrap();
    assert_eq!(first_ts(&mut r), 7 * sec);
    r.seek_time(0).unwrap();
    assert!(matches!(r.next_record().unwrap(), Some(Record::Thread(_))));
}

// ---- several files of one capture ----

#[test]
fn multi_file_merge_is_time_ordered() {
    let a = temp_path("a.spt");
    let b = temp_path("b.spt");
    let ra: Vec<Record> = [1u64, 4, 5, 9].iter().map(|&t| enter(t, 1)).collect();
    let mut rb = vec![thread(2)];
    rb.extend([2u64, 3, 6, 7, 8].iter().map(|&t| enter(t, 2)));
    write_file(&a, &ra, 2);
    write_file(&b, &rb, 2);
    let m = MultiReader::open(&[&a, &b]).unwrap();
    let got: Vec<Record> = m.map(|r| r.unwrap()).collect();
    assert_eq!(got.len(), ra.len() + rb.len());
    assert!(
        matches!(got[0], Record::Thread(_)),
        "state first: {:?}",
        got[0]
    );
    let ts: Vec<u64> = got
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e.ts),
            _ => None,
        })
        .collect();
    assert_eq!(ts, (1..=9).collect::<Vec<_>>());

    let mut m = MultiReader::open(&[&a, &b]).unwrap();
    m.seek_time(6).unwrap();
    let got: Vec<Record> = m.map(|r| r.unwrap()).collect();
    assert_eq!(got[0], thread(2), "state of skipped frames first");
    let first = got.iter().find_map(|r| match r {
        Record::Event(e) => Some(e.ts),
        _ => None,
    });
    // b's frame [3, 6] holds 6: frames are the unit of seeking.
    assert_eq!(first, Some(3));
    assert_eq!(TraceReader::open(&a).unwrap().time_range(), Some((1, 9)));
}

#[test]
fn multi_reader_warns_about_a_cut_file_and_goes_on() {
    let a = temp_path("a.spt");
    let b = temp_path("b.spt");
    let full = write_file(&a, &(0..6).map(|t| enter(t * 2, 1)).collect::<Vec<_>>(), 3);
    // Footer and trailer take 84 bytes: cut 10 more, into the second frame.
    std::fs::write(&a, &full[..full.len() - 94]).unwrap();
    write_file(
        &b,
        &(0..6).map(|t| enter(t * 2 + 1, 2)).collect::<Vec<_>>(),
        3,
    );
    let mut m = MultiReader::open(&[&a, &b]).unwrap();
    let (mut n, mut warnings) = (0, 0);
    loop {
        match m.next_record() {
            Ok(Some(_)) => n += 1,
            Ok(None) => break,
            Err(e) if e.is_truncated() => warnings += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((n, warnings), (9, 1));
}

#[test]
fn rotation_starts_new_files_with_fresh_state() {
    let base = temp_path("rot.spt");
    let rotation = Rotation {
        size: Some(1),
        period: None,
        max_files: Some(3),
    };
    let mut w =
        RotatingWriter::create(&base, &header(), rotation, WriterOptions::default()).unwrap();
    let mut t = 0;
    for _ in 0..4 {
        for _ in 0..3 {
            w.write(&enter(t, 1)).unwrap();
            t += 1;
        }
        w.tick(Instant::now() + std::time::Duration::from_secs(5), || {
            vec![thread(1)]
        })
        .unwrap();
    }
    w.finish().unwrap();
    let paths = MultiReader::rotated_paths(&base);
    // Four rotations, five files in a ring of three: files 2, 3 and 4 remain (the last holds
    // only the state it started with).
    assert_eq!(paths.len(), 3, "{paths:?}");
    let idx: Vec<u64> = paths
        .iter()
        .map(|p| TraceReader::open(p).unwrap().header().capture.file_index)
        .collect();
    assert_eq!(idx, vec![2, 3, 4]);
    for p in &paths {
        let (got, end) = read_all(p);
        assert!(end.is_ok());
        assert!(
            matches!(got[0], Record::Thread(_)),
            "{}: {:?}",
            p.display(),
            got[0]
        );
    }
    let merged: Vec<Record> = MultiReader::open(&paths)
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let ts: Vec<u64> = merged
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e.ts),
            _ => None,
        })
        .collect();
    assert_eq!(ts, (6..12).collect::<Vec<_>>());
}

#[test]
fn inline_writer_matches_background_writer() {
    let recs = small_records();
    let a = temp_path("bg.spt");
    write_file(&a, &recs, 4);
    let b = temp_path("inline.spt");
    let mut w = TraceWriter::create_with(
        &b,
        &header(),
        WriterOptions {
            background: false,
            ..WriterOptions::default()
        },
    )
    .unwrap();
    for (i, r) in recs.iter().enumerate() {
        w.write(r).unwrap();
        if (i + 1) % 4 == 0 {
            w.flush().unwrap();
        }
    }
    let s = w.finish().unwrap();
    assert_eq!(s.records, recs.len() as u64);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

/// A sink that fails once `0` bytes were written, as a full disk does.
struct DiskFull(usize);

impl std::io::Write for DiskFull {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if b.len() > self.0 {
            return Err(std::io::Error::other("no space left on device"));
        }
        self.0 -= b.len();
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_write_error_reaches_the_caller_and_closes_the_writer() {
    for background in [true, false] {
        let opts = WriterOptions {
            background,
            ..WriterOptions::default()
        };
        let name = std::path::Path::new("full.spt");
        let mut w = TraceWriter::from_writer(DiskFull(1000), name, &header(), opts).unwrap();
        let mut err = None;
        for i in 0..200 {
            let r = w.write(&enter(i, 1)).and_then(|()| w.flush());
            if let Err(e) = r {
                err = Some(e);
                break;
            }
        }
        let e = err.expect("the disk filled up");
        assert!(
            e.to_string()
                .contains("cannot write full.spt: no space left"),
            "{e}"
        );
        let again = w.write(&enter(1, 1)).unwrap_err();
        assert!(matches!(again, TraceError::Closed { .. }), "{again}");
    }
}

#[test]
fn a_trailer_pointing_anywhere_is_a_damaged_footer() {
    let recs = small_records();
    let path = temp_path("trailer.spt");
    let full = write_file(&path, &recs, 4);
    let n = full.len();
    for offset in [0u64, 5, n as u64 - 17, n as u64, u64::MAX - 3, u64::MAX] {
        let mut bad = full.clone();
        bad[n - 16..n - 8].copy_from_slice(&offset.to_le_bytes());
        let (got, end) = read_bytes(&bad);
        assert_eq!(got, recs, "trailer offset {offset}");
        let e = end.unwrap_err();
        assert!(
            matches!(e, TraceError::Corrupt { .. }),
            "trailer offset {offset}: {e}"
        );
    }
}

/// The /proc snapshot of this host, as a capture starts with it, survives the file.
#[test]
fn a_real_proc_snapshot_round_trips() {
    let snap = syspect_capture::procfs::snapshot();
    assert!(snap.iter().any(|r| matches!(r, Record::Thread(_))));
    assert!(snap.iter().any(|r| matches!(r, Record::Fd(_))));
    let path = temp_path("snap.spt");
    write_file(&path, &snap, usize::MAX);
    let (got, end) = read_all(&path);
    assert!(end.is_ok(), "{end:?}");
    assert_eq!(got, snap);
}

#[test]
fn a_record_too_large_is_refused_and_the_rest_reads() {
    let path = temp_path("large.spt");
    let mut w = TraceWriter::create(&path, &header()).unwrap();
    w.write(&enter(10, 1)).unwrap();
    let huge = ev(
        20,
        2,
        EventKind::Exit {
            nr: 0,
            ret: 0,
            args: vec![Arg::Mem(vec![0; 9 << 20])],
        },
    );
    let e = w.write(&huge).unwrap_err();
    assert!(matches!(e, TraceError::TooLarge { kind: 1, .. }), "{e}");
    w.write(&enter(30, 1)).unwrap();
    w.finish().unwrap();
    let (got, end) = read_all(&path);
    assert!(end.is_ok());
    assert_eq!(got, vec![enter(10, 1), enter(30, 1)]);
}
