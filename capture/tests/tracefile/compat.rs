//! Files of older format versions still read: `compat/v1.1.spt` was written by format 1.1
//! (the code of commit 8751977, before calls, repeated buffers and the durations stream, with
//! a test since removed) from [`v1_records`], a frame closed after its 51st record, and must
//! read back as those records; `compat/v2.0.spt` by format 2.0 (the code of commit f2414ee,
//! before repeated strings, with a test since removed) from [`v2_records`], a frame closed
//! after its 51st record.

use syspect_capture::event::{Arg, Event, EventKind, Exec, Record};

use super::{read_all, thread};

fn at(ts: u64, tid: u32, cpu: u16, kind: EventKind) -> Record {
    Record::Event(Event {
        ts,
        tid,
        pid: if tid == 11 { 10 } else { tid },
        cpu,
        kind,
    })
}

/// Every event variant; calls whose exit follows their enter and calls that interleave;
/// buffers that repeat earlier ones; time going back a little between CPUs.
pub(super) fn v1_records() -> Vec<Record> {
    let buf = |b: &[u8], len| Arg::Buf {
        data: b.to_vec(),
        len,
    };
    let mut recs = vec![thread(10), thread(11)];
    let mut ts = 1_700_000_000_000_000_000u64;
    for i in 0..40u64 {
        let data = format!("block {} of the file", i / 3).into_bytes();
        let tid = 10 + (i % 2) as u32;
        let enter = EventKind::Enter {
            nr: if i % 2 == 0 { 0 } else { 1 },
            args: vec![Arg::Num(3 + i % 2), Arg::Num(4096)],
        };
        let exit = EventKind::Exit {
            nr: if i % 2 == 0 { 0 } else { 1 },
            ret: 4096,
            args: vec![buf(&data, 4096), Arg::Mem(vec![i as u8; 8])],
        };
        recs.push(at(ts, tid, (i % 3) as u16, enter.clone()));
        if i % 5 == 4 {
            // Another thread's event between the enter and the exit.
            recs.push(at(
                ts + 50,
                99,
                1,
                EventKind::Enter {
                    nr: 7,
                    args: vec![],
                },
            ));
        }
        recs.push(at(ts + 1_234 + i, tid, (i % 3) as u16, exit));
        ts += if i % 7 == 6 { 500 } else { 3_000 + i * 17 };
        ts -= if i % 4 == 3 { 2_500 } else { 0 };
    }
    let other = [
        EventKind::Clone {
            child_tid: 12,
            child_pid: 12,
            flags: 0x11,
        },
        EventKind::Exec(Box::new(Exec {
            old_tid: 12,
            exe: b"/bin/cat".to_vec(),
            args: vec![b"cat".to_vec(), b"-".to_vec()],
            cwd: b"/tmp".to_vec(),
            // format 1 has no comm or cgroup
            comm: vec![],
            cgroup: vec![],
        })),
        EventKind::Signal {
            signo: 17,
            code: 1,
            sender: 12,
            // before format 3.3
            info: vec![],
        },
        EventKind::Sample {
            cpu_ns: 123_456_789,
            rss_kb: 2048,
            vsz_kb: 8192,
        },
        EventKind::Drops { cpu: 1, count: 3 },
        EventKind::ThreadExit { status: 0 },
        EventKind::Other {
            name: "switch".into(),
        },
    ];
    for (i, k) in other.into_iter().enumerate() {
        recs.push(at(ts + i as u64 * 10, 12, 0, k));
    }
    recs
}

#[test]
fn files_of_format_1_1_still_read() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/tracefile/compat/v1.1.spt"
    );
    let r = syspect_capture::trace::TraceReader::open(path.as_ref()).unwrap();
    assert_eq!(r.version(), (1, 1));
    let (got, end) = read_all(path.as_ref());
    end.unwrap();
    assert_eq!(got, v1_records());
}

/// [`v1_records`] and calls whose paths repeat earlier ones.
pub(super) fn v2_records() -> Vec<Record> {
    let mut recs = v1_records();
    let mut ts = 1_700_000_000_100_000_000u64;
    let str = |s: &str| Arg::Str {
        data: s.as_bytes().to_vec(),
        trunc: s.len() > 8,
    };
    for (i, path) in [
        "copyright",
        "changelog.gz",
        "copyright",
        "",
        "changelog.gz",
        "README",
    ]
    .into_iter()
    .enumerate()
    {
        let nr = 257 + (i % 2) as u16 * 5;
        let enter = EventKind::Enter {
            nr,
            args: vec![
                Arg::Num(3),
                str(path),
                Arg::List(vec![str(path), Arg::Num(1)]),
            ],
        };
        let exit = EventKind::Exit {
            nr,
            ret: -2,
            args: vec![str("copyright")],
        };
        recs.push(at(ts, 10, 0, enter));
        recs.push(at(ts + 700, 10, 0, exit));
        ts += 2_000;
    }
    recs
}

#[test]
fn files_of_format_2_0_still_read() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/tracefile/compat/v2.0.spt"
    );
    let r = syspect_capture::trace::TraceReader::open(path.as_ref()).unwrap();
    assert_eq!(r.version(), (2, 0));
    let (got, end) = read_all(path.as_ref());
    end.unwrap();
    assert_eq!(got, v2_records());
}
