//! Records inside a frame: `kind:u8 len:varint payload[len]`.
//!
//! State records (threads, fds, users, groups, containers) are rmp-serde maps of named fields.
//! Events, which are nearly all of a trace, have a compact hand-written encoding whose size was
//! measured (see `capture/tests/tracefile.rs`, `bytes_per_call_tar_like`):
//!
//! ```text
//! event := tag:u8 ts_delta:zigzag [tid:varint] [pid:varint] [cpu:varint] body
//! tag   := variant (bits 0-3) | SAME_THREAD 0x10 | PID_IS_TID 0x20 | SAME_CPU 0x40 | SAME_NR 0x80
//! ```
//! - `ts_delta` is the event's timestamp minus the previous event's in the same frame (0 for
//!   the frame's first event), zigzag-encoded since events of different CPUs may go back a little.
//! - `tid` and `pid` are left out when both equal the previous event's (SAME_THREAD); `pid` is
//!   left out when it equals `tid` (PID_IS_TID); `cpu` when it equals the previous event's.
//! - body by variant: 0 Enter `[nr] args`; 1 Exit `[nr] ret:zigzag args`, `nr` left out when
//!   it equals the previous Enter's or Exit's (SAME_NR); 2 Clone `child_tid child_pid flags`;
//!   3 Exec `old_tid exe argv cwd`; 4 ThreadExit `status:zigzag`; 5 Signal `signo:zigzag
//!   code:zigzag sender`; 6 Sample `cpu_ns rss_kb vsz_kb`; 7 Drops `cpu count`.
//! - `args := n:varint arg*`; `arg := tag:u8 …` with the argument kind in bits 0-3: 0 Num (the
//!   value zigzag-encoded as i64, inline in bits 4-7 when below 15, else after the tag); 1 Str
//!   (bit 4: truncated) `len bytes`; 2 Buf `len bytes real_len-len:zigzag`; 3 Mem `len bytes`;
//!   4 StrList (bit 4: truncated) `n (len bytes)*`; 5 Fault `value`; 6 List `args`.
//! - Bytes after the last known field of an event body are ignored (fields appended by newer
//!   writers).

use std::collections::VecDeque;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::event::{Arg, Event, EventKind, Record};

const SAME_THREAD: u8 = 0x10;
const PID_IS_TID: u8 = 0x20;
const SAME_CPU: u8 = 0x40;
const SAME_NR: u8 = 0x80;
/// Nesting allowed for [`Arg::List`] (readv's iovecs need one level).
const MAX_ARG_DEPTH: u32 = 4;

/// The previous event of the frame, which the next one is encoded against. Both sides start
/// every frame from `EventCtx::default()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct EventCtx {
    ts: u64,
    tid: u32,
    pid: u32,
    cpu: u16,
    nr: u16,
}

/// Append `rec` (kind, length, payload) to `out`. `scratch` is reused between calls.
pub fn encode_record(
    ctx: &mut EventCtx,
    rec: &Record,
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) -> Result<(), rmp_serde::encode::Error> {
    scratch.clear();
    match rec {
        Record::Event(e) => encode_event(ctx, e, scratch),
        Record::Thread(t) => named(t, scratch)?,
        Record::Fd(f) => named(f, scratch)?,
        Record::User(u) => named(u, scratch)?,
        Record::Group(g) => named(g, scratch)?,
        Record::Container(c) => named(c, scratch)?,
    }
    out.push(rec.kind());
    put_varint(out, scratch.len() as u64);
    out.extend_from_slice(scratch);
    Ok(())
}

fn named<T: Serialize>(v: &T, out: &mut Vec<u8>) -> Result<(), rmp_serde::encode::Error> {
    v.serialize(&mut rmp_serde::Serializer::new(out).with_struct_map())
}

/// Why a frame's records could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Index of the record in the frame.
    pub record: u32,
    /// Byte position of the record in the uncompressed frame.
    pub pos: usize,
    pub what: String,
}

/// Decode every record of one uncompressed frame into `out`. Records of unknown kinds are
/// skipped; when `lenient`, so are records of known kinds that do not decode. Returns how many
/// records were read (skipped ones included) and how many were skipped.
pub fn decode_frame(
    data: &[u8],
    lenient: bool,
    out: &mut VecDeque<Record>,
) -> Result<(u32, u32), DecodeError> {
    let mut ctx = EventCtx::default();
    let mut cur = Cursor::new(data);
    let (mut n, mut skipped) = (0u32, 0u32);
    while !cur.is_empty() {
        let pos = cur.pos;
        let err = |what: String| DecodeError {
            record: n,
            pos,
            what,
        };
        let kind = cur.u8().map_err(err)?;
        let len = cur.varint().map_err(err)?;
        let payload = usize::try_from(len)
            .ok()
            .and_then(|l| cur.take(l).ok())
            .ok_or_else(|| err(format!("record length {len} runs past the frame end")))?;
        let rec = match kind {
            1 => decode_event(&mut ctx, payload, lenient).map(|e| e.map(Record::Event)),
            2 => from_named(payload).map(|v| Some(Record::Thread(v))),
            3 => from_named(payload).map(|v| Some(Record::Fd(v))),
            4 => from_named(payload).map(|v| Some(Record::User(v))),
            5 => from_named(payload).map(|v| Some(Record::Group(v))),
            6 => from_named(payload).map(|v| Some(Record::Container(v))),
            _ => Ok(None),
        };
        match rec {
            Ok(Some(r)) => out.push_back(r),
            Ok(None) => skipped += 1,
            Err(_) if lenient => skipped += 1,
            Err(what) => return Err(err(format!("record kind {kind}: {what}"))),
        }
        n += 1;
    }
    Ok((n, skipped))
}

fn from_named<T: DeserializeOwned>(payload: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(payload).map_err(|e| format!("bad msgpack: {e}"))
}

fn encode_event(ctx: &mut EventCtx, e: &Event, out: &mut Vec<u8>) {
    let (variant, nr) = match &e.kind {
        EventKind::Enter { nr, .. } => (0u8, Some(*nr)),
        EventKind::Exit { nr, .. } => (1, Some(*nr)),
        EventKind::Clone { .. } => (2, None),
        EventKind::Exec { .. } => (3, None),
        EventKind::ThreadExit { .. } => (4, None),
        EventKind::Signal { .. } => (5, None),
        EventKind::Sample { .. } => (6, None),
        EventKind::Drops { .. } => (7, None),
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
    put_zigzag(out, e.ts.wrapping_sub(ctx.ts) as i64);
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
    if let Some(nr) = nr {
        if tag & SAME_NR == 0 {
            put_varint(out, nr as u64);
        }
        ctx.nr = nr;
    }
    match &e.kind {
        EventKind::Enter { args, .. } => put_args(out, args),
        EventKind::Exit { ret, args, .. } => {
            put_zigzag(out, *ret);
            put_args(out, args);
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
    }
}

/// Decode one event payload. `Ok(None)`: a variant this reader does not know, skipped when
/// `lenient` (its common fields still advance `ctx`, so later events decode).
fn decode_event(
    ctx: &mut EventCtx,
    payload: &[u8],
    lenient: bool,
) -> Result<Option<Event>, String> {
    let mut c = Cursor::new(payload);
    let tag = c.u8()?;
    let variant = tag & 0x0f;
    let ts = ctx.ts.wrapping_add(c.zigzag()? as u64);
    let (tid, pid) = if tag & SAME_THREAD != 0 {
        (ctx.tid, ctx.pid)
    } else {
        let tid = c.u32()?;
        let pid = if tag & PID_IS_TID != 0 { tid } else { c.u32()? };
        (tid, pid)
    };
    let cpu = if tag & SAME_CPU != 0 {
        ctx.cpu
    } else {
        u16::try_from(c.varint()?).map_err(|_| "cpu number out of range".to_string())?
    };
    ctx.ts = ts;
    ctx.tid = tid;
    ctx.pid = pid;
    ctx.cpu = cpu;
    let mut nr = || -> Result<u16, String> {
        let nr = if tag & SAME_NR != 0 {
            ctx.nr
        } else {
            u16::try_from(c.varint()?).map_err(|_| "syscall number out of range".to_string())?
        };
        ctx.nr = nr;
        Ok(nr)
    };
    let kind = match variant {
        0 => {
            let nr = nr()?;
            EventKind::Enter {
                nr,
                args: get_args(&mut c, 0)?,
            }
        }
        1 => {
            let nr = nr()?;
            EventKind::Exit {
                nr,
                ret: c.zigzag()?,
                args: get_args(&mut c, 0)?,
            }
        }
        2 => EventKind::Clone {
            child_tid: c.u32()?,
            child_pid: c.u32()?,
            flags: c.varint()?,
        },
        3 => {
            let old_tid = c.u32()?;
            let exe = c.bytes()?.to_vec();
            let n = c.count()?;
            let mut args = Vec::with_capacity(n);
            for _ in 0..n {
                args.push(c.bytes()?.to_vec());
            }
            EventKind::Exec {
                old_tid,
                exe,
                args,
                cwd: c.bytes()?.to_vec(),
            }
        }
        4 => EventKind::ThreadExit { status: c.i32()? },
        5 => EventKind::Signal {
            signo: c.i32()?,
            code: c.i32()?,
            sender: c.u32()?,
        },
        6 => EventKind::Sample {
            cpu_ns: c.varint()?,
            rss_kb: c.varint()?,
            vsz_kb: c.varint()?,
        },
        7 => EventKind::Drops {
            cpu: u16::try_from(c.varint()?).map_err(|_| "cpu number out of range".to_string())?,
            count: c.varint()?,
        },
        v if lenient => {
            let _ = v;
            return Ok(None);
        }
        v => return Err(format!("unknown event variant {v}")),
    };
    Ok(Some(Event {
        ts,
        tid,
        pid,
        cpu,
        kind,
    }))
}

fn put_args(out: &mut Vec<u8>, args: &[Arg]) {
    put_varint(out, args.len() as u64);
    for a in args {
        put_arg(out, a);
    }
}

fn put_arg(out: &mut Vec<u8>, a: &Arg) {
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
            put_bytes(out, data);
            put_zigzag(out, len.wrapping_sub(data.len() as u64) as i64);
        }
        Arg::Mem(data) => {
            out.push(3);
            put_bytes(out, data);
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
            put_args(out, items);
        }
    }
}

fn get_args(c: &mut Cursor, depth: u32) -> Result<Vec<Arg>, String> {
    let n = c.count()?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        args.push(get_arg(c, depth)?);
    }
    Ok(args)
}

fn get_arg(c: &mut Cursor, depth: u32) -> Result<Arg, String> {
    let tag = c.u8()?;
    let flag = tag & 0x10 != 0;
    Ok(match tag & 0x0f {
        0 => {
            let z = if tag >> 4 == 15 {
                c.varint()?
            } else {
                (tag >> 4) as u64
            };
            Arg::Num(unzigzag(z) as u64)
        }
        1 => Arg::Str {
            data: c.bytes()?.to_vec(),
            trunc: flag,
        },
        2 => {
            let data = c.bytes()?.to_vec();
            let len = (data.len() as u64).wrapping_add(c.zigzag()? as u64);
            Arg::Buf { data, len }
        }
        3 => Arg::Mem(c.bytes()?.to_vec()),
        4 => {
            let n = c.count()?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(c.bytes()?.to_vec());
            }
            Arg::StrList { items, trunc: flag }
        }
        5 => Arg::Fault(c.varint()?),
        6 if depth < MAX_ARG_DEPTH => Arg::List(get_args(c, depth + 1)?),
        6 => return Err("argument lists nested too deep".into()),
        k => return Err(format!("unknown argument kind {k}")),
    })
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
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

/// A bounds-checked reader over a byte slice; every error is a message, never a panic.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn u8(&mut self) -> Result<u8, String> {
        let b = *self.data.get(self.pos).ok_or("unexpected end of record")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            if shift == 63 && b > 1 {
                return Err("varint overflows 64 bits".into());
            }
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint longer than 10 bytes".into())
    }

    fn zigzag(&mut self) -> Result<i64, String> {
        Ok(unzigzag(self.varint()?))
    }

    fn u32(&mut self) -> Result<u32, String> {
        u32::try_from(self.varint()?).map_err(|_| "value out of range for u32".to_string())
    }

    fn i32(&mut self) -> Result<i32, String> {
        i32::try_from(self.zigzag()?).map_err(|_| "value out of range for i32".to_string())
    }

    /// A count of items that each take at least one byte: never more than the bytes left, so
    /// that `Vec::with_capacity(count)` is bounded by the input.
    fn count(&mut self) -> Result<usize, String> {
        let n = self.varint()?;
        let left = (self.data.len() - self.pos) as u64;
        if n > left {
            return Err(format!("count {n} exceeds the {left} bytes left"));
        }
        Ok(n as usize)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or("length runs past the end of the record")?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| "length out of range".to_string())?;
        self.take(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let (mut ctx, mut out, mut scratch) = (EventCtx::default(), Vec::new(), Vec::new());
        for r in recs {
            encode_record(&mut ctx, r, &mut out, &mut scratch).unwrap();
        }
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
        ];
        assert_eq!(round_trip(&recs), recs);
    }

    #[test]
    fn unknown_kinds_are_skipped_and_bad_payloads_are_errors() {
        let mut data = vec![99, 2, 0xaa, 0xbb];
        data.extend_from_slice(&[5, 1, 0xc1]); // group record, invalid msgpack byte
        let mut got = VecDeque::new();
        let e = decode_frame(&data, false, &mut got).unwrap_err();
        assert_eq!((e.record, e.pos), (1, 4));
        assert_eq!(decode_frame(&data, true, &mut got), Ok((2, 2)));
        assert!(got.is_empty());
    }

    #[test]
    fn hostile_counts_do_not_allocate() {
        // An Enter event claiming u64::MAX arguments.
        let mut payload = vec![PID_IS_TID | SAME_CPU | SAME_NR, 0, 1];
        put_varint(&mut payload, u64::MAX);
        let mut ctx = EventCtx::default();
        assert_eq!(
            decode_event(&mut ctx, &payload, false),
            Err(format!("count {} exceeds the 0 bytes left", u64::MAX))
        );
        let mut data = vec![1];
        put_varint(&mut data, payload.len() as u64);
        data.extend_from_slice(&payload);
        let mut got = VecDeque::new();
        assert!(decode_frame(&data, false, &mut got).is_err());
    }
}
