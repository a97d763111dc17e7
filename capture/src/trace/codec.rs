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
struct EventCtx {
    ts: u64,
    tid: u32,
    pid: u32,
    cpu: u16,
    nr: u16,
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
    let whole = |what: &str| DecodeError {
        record: 0,
        pos: 0,
        what: what.to_string(),
    };
    let len_at = |at: usize| {
        data.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| whole("frame shorter than its stream lengths"))
    };
    let (records_len, ts_len) = (len_at(0)?, len_at(4)?);
    let blobs_at = 8usize
        .checked_add(records_len)
        .and_then(|n| n.checked_add(ts_len))
        .filter(|&n| n <= data.len())
        .ok_or_else(|| whole("stream lengths run past the frame end"))?;
    let records = &data[8..8 + records_len];
    let mut ts = Cursor::new(&data[8 + records_len..blobs_at]);
    let mut blobs = Cursor::new(&data[blobs_at..]);
    let mut ctx = EventCtx::default();
    let mut cur = Cursor::new(records);
    let (mut n, mut skipped) = (0u32, 0u32);
    while !cur.is_empty() {
        let pos = 8 + cur.pos;
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
            1 => {
                let delta = ts
                    .zigzag()
                    .map_err(|e| err(format!("timestamp stream: {e}")))?;
                ctx.ts = ctx.ts.wrapping_add(delta as u64);
                decode_event(&mut ctx, payload, &mut blobs, lenient).map(|e| e.map(Record::Event))
            }
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
    let leftover = !ts.is_empty() || !blobs.is_empty();
    if leftover && !lenient {
        return Err(DecodeError {
            record: n,
            pos: if ts.is_empty() {
                blobs_at + blobs.pos
            } else {
                8 + records_len + ts.pos
            },
            what: "bytes left after the last event".into(),
        });
    }
    Ok((n, skipped))
}

fn from_named<T: DeserializeOwned>(payload: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(payload).map_err(|e| format!("bad msgpack: {e}"))
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
    }
    put_varint(out_payload, (blobs.len() - blobs_before) as u64);
    out_payload.extend_from_slice(body);
}

/// Decode one event payload whose timestamp is already in `ctx`. `Ok(None)`: a variant this
/// reader does not know, skipped when `lenient` (its common fields still advance `ctx`, so
/// later events decode).
fn decode_event(
    ctx: &mut EventCtx,
    payload: &[u8],
    blobs: &mut Cursor,
    lenient: bool,
) -> Result<Option<Event>, String> {
    let mut c = Cursor::new(payload);
    let tag = c.u8()?;
    let variant = tag & 0x0f;
    let ts = ctx.ts;
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
    ctx.tid = tid;
    ctx.pid = pid;
    ctx.cpu = cpu;
    let blob_len = usize::try_from(c.varint()?).map_err(|_| "blob length out of range")?;
    let mut b = Cursor::new(
        blobs
            .take(blob_len)
            .map_err(|_| format!("blob length {blob_len} runs past the blob stream"))?,
    );
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
                args: get_args(&mut c, &mut b, 0)?,
            }
        }
        1 => {
            let nr = nr()?;
            EventKind::Exit {
                nr,
                ret: c.zigzag()?,
                args: get_args(&mut c, &mut b, 0)?,
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

fn get_args(c: &mut Cursor, b: &mut Cursor, depth: u32) -> Result<Vec<Arg>, String> {
    let n = c.count()?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        args.push(get_arg(c, b, depth)?);
    }
    Ok(args)
}

/// One argument from the record `c`, its bytes from the event's blob bytes `b`.
fn get_arg(c: &mut Cursor, b: &mut Cursor, depth: u32) -> Result<Arg, String> {
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
            let data = b.bytes_of_len(c.varint()?)?.to_vec();
            let len = (data.len() as u64).wrapping_add(c.zigzag()? as u64);
            Arg::Buf { data, len }
        }
        3 => Arg::Mem(b.bytes_of_len(c.varint()?)?.to_vec()),
        4 => {
            let n = c.count()?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(c.bytes()?.to_vec());
            }
            Arg::StrList { items, trunc: flag }
        }
        5 => Arg::Fault(c.varint()?),
        6 if depth < MAX_ARG_DEPTH => Arg::List(get_args(c, b, depth + 1)?),
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
        self.bytes_of_len(n)
    }

    fn bytes_of_len(&mut self, n: u64) -> Result<&'a [u8], String> {
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
            decode_event(&mut ctx, &payload, &mut Cursor::new(&[]), false),
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
