//! What a frame holds once decompressed: its records, then the timestamps of its events.
//!
//! ```text
//! frame   := records_len:u32 ts_len:u32 record* ts_delta:zigzag* blob-bytes*
//! record  := kind:u8 len:varint payload[len]
//! ```
//!
//! Three streams, so that each compresses well on its own (measured on a real ptrace capture
//! of `tar -cf - /usr/share/doc` with `capture/tests/tracefile/size.rs`: 24.4 bytes a call with
//! everything interleaved, 19.5 with the streams apart, at zstd level 3 and snap length 80;
//! 8.7 of them are not buffer bytes):
//! - the records;
//! - event timestamps, one zigzag varint for each event record (kind 1, known variant or not),
//!   in order: the event's timestamp minus the previous event's in the frame (0 for the first),
//!   zigzag since events of different CPUs may go back a little. Nanosecond timestamps are
//!   most of what stays after compression, and among the records they would cut zstd's matches;
//! - the bytes of the events' buffers and memory arguments ([`Arg::Buf`], [`Arg::Mem`]),
//!   whose lengths stay in the records.
//!
//! State records (threads, fds, users, groups, containers) are rmp-serde maps of named fields.
//! Events, which are nearly all of a trace, have a compact hand-written encoding:
//!
//! ```text
//! event := tag:u8 [tid:varint] [pid:varint] [cpu:varint] blob_len:varint body
//! tag   := variant (bits 0-3) | SAME_THREAD 0x10 | PID_IS_TID 0x20 | SAME_CPU 0x40 | SAME_NR 0x80
//! ```
//! - `blob_len` is how many bytes of the blob stream the event owns (so that a reader skipping
//!   an event of a variant it does not know stays in step).
//! - `tid` and `pid` are left out when both equal the previous event's (SAME_THREAD); `pid` is
//!   left out when it equals `tid` (PID_IS_TID); `cpu` when it equals the previous event's.
//! - body by variant: 0 Enter `[nr] args`; 1 Exit `[nr] ret:zigzag args`, `nr` left out when
//!   it equals the previous Enter's or Exit's (SAME_NR); 2 Clone `child_tid child_pid flags`;
//!   3 Exec `old_tid exe argv cwd`; 4 ThreadExit `status:zigzag`; 5 Signal `signo:zigzag
//!   code:zigzag sender`; 6 Sample `cpu_ns rss_kb vsz_kb`; 7 Drops `cpu count`.
//! - `args := n:varint arg*`; `arg := tag:u8 …` with the argument kind in bits 0-3: 0 Num (the
//!   value zigzag-encoded as i64, inline in bits 4-7 when below 15, else after the tag); 1 Str
//!   (bit 4: truncated) `len bytes`; 2 Buf `len real_len-len:zigzag` (its bytes in the blob
//!   stream); 3 Mem `len` (ditto);
//!   4 StrList (bit 4: truncated) `n (len bytes)*`; 5 Fault `value`; 6 List `args`.
//! - Bytes after the last known field of an event body are ignored (fields appended by newer
//!   writers), as are an event's blob bytes past those its known fields use, and bytes after
//!   the blob stream in a file of a newer minor version.

use serde::Serialize;

use crate::event::{Arg, Event, EventKind, Record};

pub(super) const SAME_THREAD: u8 = 0x10;
pub(super) const PID_IS_TID: u8 = 0x20;
pub(super) const SAME_CPU: u8 = 0x40;
pub(super) const SAME_NR: u8 = 0x80;
/// Nesting allowed for [`Arg::List`] (readv's iovecs need one level).
pub(super) const MAX_ARG_DEPTH: u32 = 4;

/// The previous event of the frame, which the next one is encoded against. Both sides start
/// every frame from `EventCtx::default()`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct EventCtx {
    pub(super) ts: u64,
    pub(super) tid: u32,
    pub(super) pid: u32,
    pub(super) cpu: u16,
    pub(super) nr: u16,
}

/// Builds one frame's uncompressed bytes, record by record.
#[derive(Debug, Default)]
pub struct FrameEncoder {
    ctx: EventCtx,
    records: Vec<u8>,
    ts: Vec<u8>,
    blobs: Vec<u8>,
    scratch: Vec<u8>,
    body: Vec<u8>,
}

/// Where a [`FrameEncoder`] stood before a record, to take the record back.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    ctx: EventCtx,
    records: usize,
    ts: usize,
    blobs: usize,
}

impl FrameEncoder {
    /// An encoder with room for `capacity` bytes of records.
    pub fn with_capacity(capacity: usize) -> FrameEncoder {
        FrameEncoder {
            records: Vec::with_capacity(capacity / 2),
            ts: Vec::with_capacity(capacity / 16),
            blobs: Vec::with_capacity(capacity / 2),
            ..FrameEncoder::default()
        }
    }

    /// Bytes the frame would take now.
    pub fn len(&self) -> usize {
        8 + self.records.len() + self.ts.len() + self.blobs.len()
    }

    /// True when no record was added since the last [`FrameEncoder::finish`].
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Where the encoder stands, for [`FrameEncoder::undo`].
    pub fn mark(&self) -> Mark {
        Mark {
            ctx: self.ctx,
            records: self.records.len(),
            ts: self.ts.len(),
            blobs: self.blobs.len(),
        }
    }

    /// Take back the records added since `mark`.
    pub fn undo(&mut self, mark: Mark) {
        self.ctx = mark.ctx;
        self.records.truncate(mark.records);
        self.ts.truncate(mark.ts);
        self.blobs.truncate(mark.blobs);
    }

    /// Add `rec`.
    pub fn push(&mut self, rec: &Record) -> Result<(), rmp_serde::encode::Error> {
        let scratch = &mut self.scratch;
        scratch.clear();
        match rec {
            Record::Event(e) => {
                put_zigzag(&mut self.ts, e.ts.wrapping_sub(self.ctx.ts) as i64);
                encode_event(&mut self.ctx, e, scratch, &mut self.body, &mut self.blobs);
            }
            Record::Thread(t) => named(t, scratch)?,
            Record::Fd(f) => named(f, scratch)?,
            Record::User(u) => named(u, scratch)?,
            Record::Group(g) => named(g, scratch)?,
            Record::Container(c) => named(c, scratch)?,
        }
        self.records.push(rec.kind());
        put_varint(&mut self.records, scratch.len() as u64);
        self.records.extend_from_slice(scratch);
        Ok(())
    }

    /// Add a record as raw bytes (what a newer writer might write); an event record (kind 1)
    /// needs its timestamp delta.
    #[cfg(test)]
    pub(crate) fn push_raw(&mut self, kind: u8, payload: &[u8], ts_delta: Option<i64>) {
        if let Some(d) = ts_delta {
            put_zigzag(&mut self.ts, d);
            self.ctx.ts = self.ctx.ts.wrapping_add(d as u64);
        }
        self.records.push(kind);
        put_varint(&mut self.records, payload.len() as u64);
        self.records.extend_from_slice(payload);
    }

    /// The frame's bytes; the encoder starts a new frame.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        out.extend_from_slice(&(self.records.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.ts.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.records);
        out.extend_from_slice(&self.ts);
        out.extend_from_slice(&self.blobs);
        self.records.clear();
        self.ts.clear();
        self.blobs.clear();
        self.ctx = EventCtx::default();
        out
    }
}

fn named<T: Serialize>(v: &T, out: &mut Vec<u8>) -> Result<(), rmp_serde::encode::Error> {
    v.serialize(&mut rmp_serde::Serializer::new(out).with_struct_map())
}

/// Encode `e` into `out` (the record payload), its buffers' bytes into `blobs`; `body` is
/// scratch space.
fn encode_event(
    ctx: &mut EventCtx,
    e: &Event,
    out: &mut Vec<u8>,
    body: &mut Vec<u8>,
    blobs: &mut Vec<u8>,
) {
    let (variant, nr) = match &e.kind {
        EventKind::Enter { nr, .. } => (0u8, Some(*nr)),
        EventKind::Exit { nr, .. } => (1, Some(*nr)),
        EventKind::Clone { .. } => (2, None),
        EventKind::Exec { .. } => (3, None),
        EventKind::ThreadExit { .. } => (4, None),
        EventKind::Signal { .. } => (5, None),
        EventKind::Sample { .. } => (6, None),
        EventKind::Drops { .. } => (7, None),
        EventKind::Other { .. } => (8, None),
    };
    let mut tag = variant;
    let same_thread = e.tid == ctx.tid && e.pid == ctx.pid;
    if same_thread {
        tag |= SAME_THREAD;
    }
    if e.pid == e.tid {
        tag |= PID_IS_TID;
    }
    if e.cpu == ctx.cpu {
        tag |= SAME_CPU;
    }
    if nr == Some(ctx.nr) {
        tag |= SAME_NR;
    }
    out.push(tag);
    if !same_thread {
        put_varint(out, e.tid as u64);
        if e.pid != e.tid {
            put_varint(out, e.pid as u64);
        }
    }
    if e.cpu != ctx.cpu {
        put_varint(out, e.cpu as u64);
    }
    ctx.ts = e.ts;
    ctx.tid = e.tid;
    ctx.pid = e.pid;
    ctx.cpu = e.cpu;
    let blobs_before = blobs.len();
    body.clear();
    let out_payload = &mut *out;
    let out = &mut *body;
    if let Some(nr) = nr {
        if tag & SAME_NR == 0 {
            put_varint(out, nr as u64);
        }
        ctx.nr = nr;
    }
    match &e.kind {
        EventKind::Enter { args, .. } => put_args(out, blobs, args),
        EventKind::Exit { ret, args, .. } => {
            put_zigzag(out, *ret);
            put_args(out, blobs, args);
        }
        EventKind::Clone {
            child_tid,
            child_pid,
            flags,
        } => {
            put_varint(out, *child_tid as u64);
            put_varint(out, *child_pid as u64);
            put_varint(out, *flags);
        }
        EventKind::Exec {
            old_tid,
            exe,
            args,
            cwd,
        } => {
            put_varint(out, *old_tid as u64);
            put_bytes(out, exe);
            put_varint(out, args.len() as u64);
            for a in args {
                put_bytes(out, a);
            }
            put_bytes(out, cwd);
        }
        EventKind::ThreadExit { status } => put_zigzag(out, *status as i64),
        EventKind::Signal {
            signo,
            code,
            sender,
        } => {
            put_zigzag(out, *signo as i64);
            put_zigzag(out, *code as i64);
            put_varint(out, *sender as u64);
        }
        EventKind::Sample {
            cpu_ns,
            rss_kb,
            vsz_kb,
        } => {
            put_varint(out, *cpu_ns);
            put_varint(out, *rss_kb);
            put_varint(out, *vsz_kb);
        }
        EventKind::Drops { cpu, count } => {
            put_varint(out, *cpu as u64);
            put_varint(out, *count);
        }
        EventKind::Other { name } => put_bytes(out, name.as_bytes()),
    }
    put_varint(out_payload, (blobs.len() - blobs_before) as u64);
    out_payload.extend_from_slice(body);
}

fn put_args(out: &mut Vec<u8>, blobs: &mut Vec<u8>, args: &[Arg]) {
    put_varint(out, args.len() as u64);
    for a in args {
        put_arg(out, blobs, a);
    }
}

fn put_arg(out: &mut Vec<u8>, blobs: &mut Vec<u8>, a: &Arg) {
    match a {
        Arg::Num(v) => {
            let z = zigzag(*v as i64);
            if z < 15 {
                out.push((z as u8) << 4); // kind 0: Num
            } else {
                out.push(0xf0);
                put_varint(out, z);
            }
        }
        Arg::Str { data, trunc } => {
            out.push(1 | if *trunc { 0x10 } else { 0 });
            put_bytes(out, data);
        }
        Arg::Buf { data, len } => {
            out.push(2);
            put_varint(out, data.len() as u64);
            blobs.extend_from_slice(data);
            put_zigzag(out, len.wrapping_sub(data.len() as u64) as i64);
        }
        Arg::Mem(data) => {
            out.push(3);
            put_varint(out, data.len() as u64);
            blobs.extend_from_slice(data);
        }
        Arg::StrList { items, trunc } => {
            out.push(4 | if *trunc { 0x10 } else { 0 });
            put_varint(out, items.len() as u64);
            for i in items {
                put_bytes(out, i);
            }
        }
        Arg::Fault(v) => {
            out.push(5);
            put_varint(out, *v);
        }
        Arg::List(items) => {
            out.push(6);
            put_args(out, blobs, items);
        }
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Append `v` as LEB128.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_zigzag(out: &mut Vec<u8>, v: i64) {
    put_varint(out, zigzag(v));
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;
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
        ];
        assert_eq!(round_trip(&recs), recs);
    }

    #[test]
    fn unknown_kinds_are_skipped_and_bad_payloads_are_errors() {
        let mut enc = FrameEncoder::default();
        enc.push_raw(99, &[0xaa, 0xbb], None);
        enc.push_raw(5, &[0xc1], None); // group record, invalid msgpack byte
        let data = enc.finish();
        let mut got = VecDeque::new();
        let e = decode_frame(&data, false, &mut got).unwrap_err();
        assert_eq!((e.record, e.pos), (1, 12));
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
            decode_event(&mut ctx, &payload, &mut Cursor::new(&[]), false, &mut None),
            Err(format!("count {} exceeds the 0 bytes left", u64::MAX))
        );
        let mut enc = FrameEncoder::default();
        enc.push_raw(1, &payload, Some(0));
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
        enc.push_raw(1, &[0x04 | PID_IS_TID, 1, 0, 0], None);
        let e = decode_frame(&enc.finish(), false, &mut got).unwrap_err();
        assert!(e.what.contains("timestamp stream"), "{e:?}");
        // One byte too many: an error, unless the file is of a newer minor.
        let mut long = good.clone();
        long.push(0);
        assert!(decode_frame(&long, false, &mut got).is_err());
        assert_eq!(decode_frame(&long, true, &mut got), Ok((1, 0)));
        // Stream lengths past the end.
        for at in [0, 4] {
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
        enc.push_raw(1, &[0x09 | SAME_THREAD | SAME_CPU, 2], Some(1));
        enc.blobs.extend_from_slice(&[7, 7]);
        enc.push(&mem(3)).unwrap();
        let data = enc.finish();
        let mut got = VecDeque::new();
        assert_eq!(decode_frame(&data, true, &mut got), Ok((3, 1)));
        assert_eq!(Vec::from(got), vec![mem(1), mem(3)]);
    }
}
