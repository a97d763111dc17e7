//! The frame encoding: round trips, and what readers make of odd frames.

use super::*;
use crate::event::Event;
use crate::trace::decode::{decode_event, decode_frame, unzigzag, Cursor};
use std::collections::VecDeque;

fn ev(ts: u64, tid: u32, kind: EventKind) -> Record {
    Record::Event(Event {
        ts,
        tid,
        pid: tid,
        cpu: 1,
        kind,
    })
}

fn round_trip(recs: &[Record]) -> Vec<Record> {
    let mut enc = FrameEncoder::default();
    for r in recs {
        enc.push(r).unwrap();
    }
    let out = enc.finish();
    assert!(enc.is_empty());
    let mut got = VecDeque::new();
    let (n, skipped) = decode_frame(&out, false, &mut got).unwrap();
    assert_eq!((n as usize, skipped), (recs.len(), 0));
    got.into()
}

#[test]
fn varints_and_zigzag_round_trip_extremes() {
    for v in [0, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
        let mut b = Vec::new();
        put_varint(&mut b, v);
        assert_eq!(Cursor::new(&b).varint(), Ok(v));
    }
    for v in [0i64, -1, 1, i64::MIN, i64::MAX, -100] {
        assert_eq!(unzigzag(zigzag(v)), v);
    }
    assert!(Cursor::new(&[0xff; 11]).varint().is_err());
    assert!(
        Cursor::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
            .varint()
            .is_err()
    );
}

#[test]
fn events_round_trip_with_time_going_backwards() {
    let recs = vec![
        ev(
            1_700_000_000_000_000_000,
            10,
            EventKind::Enter {
                nr: 257,
                args: vec![
                    Arg::Num(-100i64 as u64),
                    Arg::Str {
                        data: b"/etc/hosts".to_vec(),
                        trunc: false,
                    },
                    Arg::Num(0x80000),
                ],
            },
        ),
        ev(
            1_699_999_999_999_999_000,
            11,
            EventKind::Exit {
                nr: 257,
                ret: -2,
                args: vec![Arg::List(vec![Arg::Buf {
                    data: b"ab".to_vec(),
                    len: 1,
                }])],
            },
        ),
        ev(5, 11, EventKind::Drops { cpu: 3, count: 9 }),
        ev(
            6,
            11,
            EventKind::Other {
                name: "switch".into(),
            },
        ),
        ev(
            7,
            11,
            EventKind::Injected {
                nr: 257,
                ret: Some(-2),
                signo: 0,
                delayed: false,
            },
        ),
        ev(
            8,
            11,
            EventKind::Injected {
                nr: 39,
                ret: None,
                signo: 10,
                delayed: true,
            },
        ),
        ev(
            9,
            11,
            EventKind::Stack {
                frames: vec![
                    crate::event::Frame {
                        module: b"/usr/lib/libc.so.6".to_vec(),
                        symbol: "__write".into(),
                        offset: 16,
                        file_offset: 0xf8350,
                    },
                    crate::event::Frame::default(),
                ],
            },
        ),
    ];
    assert_eq!(round_trip(&recs), recs);
}

#[test]
fn unknown_kinds_are_skipped_and_bad_payloads_are_errors() {
    let mut enc = FrameEncoder::default();
    enc.push_raw(99, &[0xaa, 0xbb], None, None);
    enc.push_raw(5, &[0xc1], None, None); // group record, invalid msgpack byte
    let data = enc.finish();
    let mut got = VecDeque::new();
    let e = decode_frame(&data, false, &mut got).unwrap_err();
    assert_eq!((e.record, e.pos), (1, 25));
    assert_eq!(decode_frame(&data, true, &mut got), Ok((2, 2)));
    assert!(got.is_empty());
}

#[test]
fn hostile_counts_do_not_allocate() {
    // An Enter event claiming u64::MAX arguments.
    let mut payload = vec![PID_IS_TID | SAME_CPU | SAME_NR, 1, 0];
    put_varint(&mut payload, u64::MAX);
    let mut ctx = EventCtx::default();
    assert_eq!(
        decode_event(
            &mut ctx,
            &payload,
            &mut Cursor::new(&[]),
            None,
            false,
            &mut None
        ),
        Err(format!("count {} exceeds the 0 bytes left", u64::MAX))
    );
    let mut enc = FrameEncoder::default();
    enc.push_raw(1, &payload, Some(0), None);
    let mut got = VecDeque::new();
    assert!(decode_frame(&enc.finish(), false, &mut got).is_err());
}

#[test]
fn the_timestamp_stream_must_match_the_events() {
    let mut enc = FrameEncoder::default();
    enc.push(&ev(5, 1, EventKind::ThreadExit { status: 0 }))
        .unwrap();
    let good = enc.finish();
    let mut got = VecDeque::new();
    assert_eq!(decode_frame(&good, false, &mut got), Ok((1, 0)));
    // Cut short.
    assert!(decode_frame(&good[..good.len() - 1], false, &mut got).is_err());
    // An event without its timestamp.
    let mut enc = FrameEncoder::default();
    enc.push_raw(1, &[0x04 | PID_IS_TID, 1, 0, 0], None, None);
    let e = decode_frame(&enc.finish(), false, &mut got).unwrap_err();
    assert!(e.what.contains("timestamp stream"), "{e:?}");
    // One byte too many in the blob stream: an error, unless the file is of a newer minor;
    // past the streams, always.
    let mut long = good.clone();
    long.push(0);
    assert!(decode_frame(&long, true, &mut got).is_err());
    long[13] += 1;
    assert!(decode_frame(&long, false, &mut got).is_err());
    assert_eq!(decode_frame(&long, true, &mut got), Ok((1, 0)));
    // Stream lengths past the end.
    for at in [1, 5, 9, 13] {
        let mut bad = good.clone();
        bad[at] = 0xff;
        assert!(decode_frame(&bad, false, &mut got).is_err());
    }
    assert!(decode_frame(&[1, 0, 0, 0, 0], false, &mut got).is_err());
}

#[test]
fn skipped_events_keep_the_blob_stream_in_step() {
    let mem = |ts| {
        ev(
            ts,
            1,
            EventKind::Exit {
                nr: 4,
                ret: 0,
                args: vec![Arg::Mem(vec![ts as u8; 3])],
            },
        )
    };
    let mut enc = FrameEncoder::default();
    enc.push(&mem(1)).unwrap();
    // An unknown variant owning 2 blob bytes, the second holding a field this reader
    // does not know.
    enc.push_raw(1, &[0x0c | SAME_THREAD | SAME_CPU, 2], Some(1), None);
    enc.push_blob_bytes(&[7, 7]);
    enc.push(&mem(3)).unwrap();
    let data = enc.finish();
    let mut got = VecDeque::new();
    assert_eq!(decode_frame(&data, true, &mut got), Ok((3, 1)));
    assert_eq!(Vec::from(got), vec![mem(1), mem(3)]);
}

fn call(ts: u64, tid: u32, nr: u16, enter: Vec<Arg>, dur: u64, exit: Vec<Arg>) -> [Record; 2] {
    [
        ev(ts, tid, EventKind::Enter { nr, args: enter }),
        ev(
            ts + dur,
            tid,
            EventKind::Exit {
                nr,
                ret: 3,
                args: exit,
            },
        ),
    ]
}

fn mem(b: &[u8]) -> Arg {
    Arg::Mem(b.to_vec())
}

/// The kinds of the event records of a frame, in order (its variants, 9 for a call).
fn variants(frame: &[u8]) -> Vec<u8> {
    let mut c = Cursor::new(&frame[1 + 4 * STREAMS..]);
    let mut out = Vec::new();
    while let (Ok(kind), Ok(len)) = (c.u8(), c.varint()) {
        let Ok(payload) = c.take(len as usize) else {
            break;
        };
        if kind == 1 {
            out.push(payload[0] & 0x0f);
        }
    }
    out
}

#[test]
fn an_exit_that_follows_its_enter_makes_a_call() {
    let mut recs = Vec::new();
    recs.extend(call(100, 7, 0, vec![Arg::Num(3)], 50, vec![mem(b"abcdef")]));
    recs.extend(call(200, 7, 1, vec![mem(b"abcdef")], 0, vec![]));
    // Not calls: the exit is of another syscall, or earlier than its enter, or on another CPU.
    recs.extend(call(300, 7, 2, vec![], 5, vec![]));
    if let Record::Event(e) = &mut recs[5] {
        e.kind = EventKind::Exit {
            nr: 3,
            ret: 0,
            args: vec![],
        };
    }
    recs.push(ev(
        400,
        7,
        EventKind::Enter {
            nr: 4,
            args: vec![],
        },
    ));
    recs.push(ev(
        399,
        7,
        EventKind::Exit {
            nr: 4,
            ret: 0,
            args: vec![],
        },
    ));
    recs.extend(call(500, 7, 5, vec![], 5, vec![]));
    if let Record::Event(e) = &mut recs[9] {
        e.cpu = 2;
    }
    // An enter as the frame's last record.
    recs.push(ev(
        600,
        8,
        EventKind::Enter {
            nr: 0,
            args: vec![],
        },
    ));
    let mut enc = FrameEncoder::default();
    for r in &recs {
        enc.push(r).unwrap();
    }
    let frame = enc.finish();
    assert_eq!(variants(&frame), vec![9, 9, 0, 1, 0, 1, 0, 1, 0]);
    let mut got = VecDeque::new();
    assert_eq!(
        decode_frame(&frame, false, &mut got),
        Ok((recs.len() as u32, 0))
    );
    assert_eq!(Vec::from(got), recs);
}

#[test]
fn buffers_repeat_earlier_blobs_within_the_window() {
    let blob = |i: usize| format!("blob number {i}").into_bytes();
    let mut recs = Vec::new();
    for i in 0..REPEAT_WINDOW + 1 {
        recs.extend(call(i as u64 * 10, 7, 0, vec![], 1, vec![mem(&blob(i))]));
    }
    let stored = |recs: &[Record]| {
        let mut enc = FrameEncoder::default();
        for r in recs {
            enc.push(r).unwrap();
        }
        let frame = enc.finish();
        let mut got = VecDeque::new();
        decode_frame(&frame, false, &mut got).unwrap();
        assert_eq!(Vec::from(got), recs);
        enc.push(&recs[0]).unwrap();
        frame.len()
    };
    let base = stored(&recs);
    // Blob 1 is REPEAT_WINDOW back from the next: referred to, as a Buf; blob 0 is past
    // the window: stored again, as a blob never seen is.
    let with = |data: Vec<u8>| {
        let mut more = recs.clone();
        more.extend(call(
            10_000,
            7,
            0,
            vec![Arg::Buf { data, len: 99 }],
            1,
            vec![mem(b"tiny"), mem(b"tiny")],
        ));
        stored(&more)
    };
    let unseen = with(b"blob number X".to_vec());
    assert_eq!(unseen - with(blob(1)), blob(1).len());
    assert_eq!(with(blob(0)), unseen);
    assert!(unseen > base);
}

#[test]
fn a_repeat_of_a_blob_the_frame_does_not_have_is_an_error() {
    // A call of the same thread whose exit's Mem repeats blob 0 back, of none.
    let payload = [
        CALL | PID_IS_TID | SAME_CPU,
        1,
        0,
        0,
        0,
        0,
        1,
        3 | REPEAT,
        0,
    ];
    let mut enc = FrameEncoder::default();
    enc.push_raw(1, &payload, Some(0), Some(5));
    let frame = enc.finish();
    let mut got = VecDeque::new();
    let e = decode_frame(&frame, false, &mut got).unwrap_err();
    assert!(e.what.contains("repeats the blob 1 back of 0"), "{e:?}");
    // In a file of format 1, variant 9 is unknown (and there is no durations stream).
    let mut old = (payload.len() as u32 + 2).to_le_bytes().to_vec();
    old.extend_from_slice(&1u32.to_le_bytes());
    old.extend_from_slice(&[1, payload.len() as u8]);
    old.extend_from_slice(&payload);
    old.push(0);
    let e = crate::trace::decode::decode_frame_of(1, &old, false, &mut got).unwrap_err();
    assert!(e.what.contains("unknown event variant 9"), "{e:?}");
}

#[test]
fn undo_takes_back_an_exit_that_made_a_call() {
    let [enter, exit] = call(100, 7, 0, vec![mem(b"abcdef")], 50, vec![mem(b"abcdef")]);
    let mut enc = FrameEncoder::default();
    enc.push(&enter).unwrap();
    let (len, mark) = (enc.len(), enc.mark());
    enc.push(&exit).unwrap();
    enc.undo(mark);
    assert_eq!(enc.len(), len);
    // The enter is open again, and later blobs do not repeat the one taken back.
    let other = ev(
        300,
        7,
        EventKind::Exit {
            nr: 0,
            ret: 1,
            args: vec![mem(b"ghijkl"), mem(b"abcdef")],
        },
    );
    enc.push(&other).unwrap();
    let frame = enc.finish();
    assert_eq!(variants(&frame), vec![9]);
    let mut got = VecDeque::new();
    decode_frame(&frame, false, &mut got).unwrap();
    assert_eq!(Vec::from(got), vec![enter, other]);
}

#[test]
fn a_buffer_as_long_as_the_return_value_leaves_its_length_out() {
    let read = |ret: i64, len: u64| {
        call(
            100,
            7,
            0,
            vec![Arg::Num(3)],
            50,
            vec![Arg::Buf {
                data: b"abc".to_vec(),
                len,
            }],
        )
        .map(|mut r| {
            if let Record::Event(Event {
                kind: EventKind::Exit { ret: r, .. },
                ..
            }) = &mut r
            {
                *r = ret;
            }
            r
        })
    };
    let size = |recs: &[Record]| {
        assert_eq!(round_trip(recs), recs);
        let mut enc = FrameEncoder::default();
        recs.iter().for_each(|r| enc.push(r).unwrap());
        enc.len()
    };
    assert_eq!(size(&read(70_000, 70_000)) + 3, size(&read(70_000, 70_001)));
    assert_eq!(
        size(&read(-14, -14i64 as u64)),
        size(&read(70_000, 70_000)) - 2
    );
    // In an enter, where there is no return value, it is an error.
    let payload = [PID_IS_TID | SAME_CPU, 1, 3, 0, 1, 2 | LEN_IS_RET, 3];
    let mut enc = FrameEncoder::default();
    enc.push_raw(1, &payload, Some(0), None);
    enc.push_blob_bytes(b"abc");
    let mut got = VecDeque::new();
    let e = decode_frame(&enc.finish(), false, &mut got).unwrap_err();
    assert!(e.what.contains("length of the return value"), "{e:?}");
}

fn str_arg(s: &str, trunc: bool) -> Arg {
    Arg::Str {
        data: s.as_bytes().to_vec(),
        trunc,
    }
}

#[test]
fn strings_repeat_earlier_ones_of_the_frame() {
    // Names as tar gives them: each twice or three times in a row, in lists too, among
    // empty strings (never referred to) and more distinct ones than the window holds.
    let mut recs = Vec::new();
    let mut ts = 1_000;
    for i in 0..40u64 {
        let name = format!("file-{}", i % 20);
        for trunc in [false, true] {
            recs.extend(call(
                ts,
                7,
                262,
                vec![
                    str_arg(&name, trunc),
                    str_arg("", false),
                    Arg::List(vec![str_arg(&name, false)]),
                ],
                50,
                vec![str_arg(&format!("out-{}", i % 3), false)],
            ));
            ts += 100;
        }
    }
    assert_eq!(round_trip(&recs), recs);
    // What the references save: the same records, each name made unique.
    let mut unique = recs.clone();
    for (i, r) in unique.iter_mut().enumerate() {
        if let Record::Event(Event {
            kind: EventKind::Enter { args, .. } | EventKind::Exit { args, .. },
            ..
        }) = r
        {
            for a in args.iter_mut() {
                if let Arg::Str { data, .. } = a {
                    if !data.is_empty() {
                        data.extend_from_slice(format!("-{i}").as_bytes());
                    }
                }
            }
        }
    }
    let len = |recs: &[Record]| {
        let mut enc = FrameEncoder::default();
        recs.iter().for_each(|r| enc.push(r).unwrap());
        enc.len()
    };
    assert!(
        len(&recs) * 3 < len(&unique) * 2,
        "{} {}",
        len(&recs),
        len(&unique)
    );
}

#[test]
fn a_string_reference_past_the_window_or_the_strings_is_an_error() {
    // An enter (variant 0) of syscall 1 with one Str that repeats the string k + 1 back.
    let payload = |k: u8| [PID_IS_TID | SAME_CPU, 1, 0, 1, 1, 1 | STR_REPEAT, k];
    let mut enc = FrameEncoder::default();
    enc.push_raw(1, &payload(0), Some(0), None);
    let mut got = VecDeque::new();
    let e = decode_frame(&enc.finish(), false, &mut got).unwrap_err();
    assert!(e.what.contains("repeats the string 1 back of 0"), "{e:?}");
    let mut enc = FrameEncoder::default();
    for _ in 0..STR_WINDOW + 1 {
        enc.push(&ev(
            1,
            1,
            EventKind::Enter {
                nr: 1,
                args: vec![str_arg("x", false)],
            },
        ))
        .unwrap();
    }
    enc.push_raw(1, &payload(STR_WINDOW as u8), Some(0), None);
    let e = decode_frame(&enc.finish(), false, &mut got).unwrap_err();
    assert!(e.what.contains("repeats the string 17 back of 17"), "{e:?}");
}

#[test]
fn in_a_format_2_frame_a_string_is_its_own_bytes() {
    // The same record in a frame of a format 2 file: bit 5 of a Str's tag meant nothing.
    let payload = [
        PID_IS_TID | SAME_CPU,
        1,
        0,
        1,
        1,
        1 | STR_REPEAT,
        2,
        b'h',
        b'i',
    ];
    let mut enc = FrameEncoder::default();
    enc.push_raw(1, &payload, Some(5), None);
    let mut got = VecDeque::new();
    crate::trace::decode::decode_frame_of(2, &enc.finish(), false, &mut got).unwrap();
    assert_eq!(
        Vec::from(got),
        vec![Record::Event(Event {
            ts: 5,
            tid: 1,
            pid: 1,
            cpu: 0,
            kind: EventKind::Enter {
                nr: 1,
                args: vec![str_arg("hi", false)]
            }
        })]
    );
}
