//! Reading a frame's records back, one at a time: [`FrameDecoder`] walks the three streams
//! of an uncompressed frame (see [`codec`](super::codec) for the layout) and yields each record
//! as it is asked for, so that a reader holds one frame's bytes and never a frame's worth of
//! decoded records.

use serde::de::DeserializeOwned;

use super::codec::{EventCtx, MAX_ARG_DEPTH, PID_IS_TID, SAME_CPU, SAME_NR, SAME_THREAD};
use crate::event::{Arg, Event, EventKind, Record};

/// Why a frame's records could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Index of the record in the frame.
    pub record: u32,
    /// Byte position of the record in the uncompressed frame.
    pub pos: usize,
    pub what: String,
}

/// Where the decoding of one uncompressed frame stands. It borrows nothing: each call to
/// [`FrameDecoder::next`] is given the frame's bytes again, so that a reader can keep the
/// bytes and the decoder side by side.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    /// End of the record stream (absolute offsets into the frame from here on).
    records_end: usize,
    /// Start of the blob stream; the timestamp stream ends here.
    blobs_at: usize,
    rec: usize,
    ts: usize,
    blob: usize,
    ctx: EventCtx,
    lenient: bool,
    read: u32,
    skipped: u32,
    done: bool,
}

impl FrameDecoder {
    /// Check the stream lengths at the head of `data`. Records of unknown kinds are always
    /// skipped; when `lenient` (a file of a newer minor version), so are records of known
    /// kinds that do not decode.
    pub fn new(data: &[u8], lenient: bool) -> Result<FrameDecoder, DecodeError> {
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
        Ok(FrameDecoder {
            records_end: 8 + records_len,
            blobs_at,
            rec: 8,
            ts: 8 + records_len,
            blob: blobs_at,
            ctx: EventCtx::default(),
            lenient,
            read: 0,
            skipped: 0,
            done: false,
        })
    }

    /// Records read so far, skipped ones included.
    pub fn records_read(&self) -> u32 {
        self.read
    }

    /// Records skipped so far (unknown kinds, or undecodable ones when lenient).
    pub fn records_skipped(&self) -> u32 {
        self.skipped
    }

    /// The next record of the frame `data` (the bytes [`FrameDecoder::new`] was given), or
    /// `Ok(None)` at its end, once the other streams are checked to be used up.
    pub fn next(&mut self, data: &[u8]) -> Result<Option<Record>, DecodeError> {
        let mut slot = None;
        self.next_into(data, &mut slot)?;
        Ok(slot)
    }

    /// [`FrameDecoder::next`] into `slot`, which is left `None` at the end. The record that
    /// `slot` held lends its allocations to the new one, so that a reader going through
    /// millions of events allocates little.
    pub fn next_into(&mut self, data: &[u8], slot: &mut Option<Record>) -> Result<(), DecodeError> {
        loop {
            if self.done {
                *slot = None;
                return Ok(());
            }
            let mut cur = Cursor::at(&data[..self.records_end], self.rec);
            if cur.is_empty() {
                self.done = true;
                let leftover = self.ts < self.blobs_at || self.blob < data.len();
                if leftover && !self.lenient {
                    return Err(DecodeError {
                        record: self.read,
                        pos: if self.ts >= self.blobs_at {
                            self.blob
                        } else {
                            self.ts
                        },
                        what: "bytes left after the last event".into(),
                    });
                }
                *slot = None;
                return Ok(());
            }
            let (n, pos) = (self.read, self.rec);
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
            self.rec = cur.pos;
            self.read += 1;
            let rec = match kind {
                1 => {
                    let mut ts = Cursor::at(&data[..self.blobs_at], self.ts);
                    let delta = ts
                        .zigzag()
                        .map_err(|e| err(format!("timestamp stream: {e}")))?;
                    self.ts = ts.pos;
                    self.ctx.ts = self.ctx.ts.wrapping_add(delta as u64);
                    let mut blobs = Cursor::at(data, self.blob);
                    let e = decode_event(&mut self.ctx, payload, &mut blobs, self.lenient, slot);
                    self.blob = blobs.pos;
                    e
                }
                2 => from_named(payload).map(|v| put(slot, Record::Thread(v))),
                3 => from_named(payload).map(|v| put(slot, Record::Fd(v))),
                4 => from_named(payload).map(|v| put(slot, Record::User(v))),
                5 => from_named(payload).map(|v| put(slot, Record::Group(v))),
                6 => from_named(payload).map(|v| put(slot, Record::Container(v))),
                _ => Ok(false),
            };
            match rec {
                Ok(true) => return Ok(()),
                Ok(false) => self.skipped += 1,
                Err(_) if self.lenient => self.skipped += 1,
                Err(what) => {
                    self.done = true;
                    *slot = None;
                    return Err(err(format!("record kind {kind}: {what}")));
                }
            }
        }
    }
}

/// Decode every record of one uncompressed frame into `out` (for tests; readers walk frames
/// with [`FrameDecoder`]). Records of unknown kinds are skipped; when `lenient`, so are
/// records of known kinds that do not decode. Returns how many records were read (skipped
/// ones included) and how many were skipped.
#[cfg(test)]
pub(crate) fn decode_frame(
    data: &[u8],
    lenient: bool,
    out: &mut std::collections::VecDeque<Record>,
) -> Result<(u32, u32), DecodeError> {
    let mut d = FrameDecoder::new(data, lenient)?;
    while let Some(r) = d.next(data)? {
        out.push_back(r);
    }
    Ok((d.records_read(), d.records_skipped()))
}

fn put(slot: &mut Option<Record>, r: Record) -> bool {
    *slot = Some(r);
    true
}

fn from_named<T: DeserializeOwned>(payload: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(payload).map_err(|e| format!("bad msgpack: {e}"))
}

/// Decode one event payload whose timestamp is already in `ctx`. `Ok(None)`: a variant this
/// reader does not know, skipped when `lenient` (its common fields still advance `ctx`, so
/// later events decode).
/// One event into `slot`: in place when `slot` holds an event already (its argument vector
/// reused), which spares moving whole records around. `Ok(false)`: an event of a variant this
/// reader does not know, skipped (`lenient`); `slot` then holds nothing to use.
pub(super) fn decode_event(
    ctx: &mut EventCtx,
    payload: &[u8],
    blobs: &mut Cursor,
    lenient: bool,
    slot: &mut Option<Record>,
) -> Result<bool, String> {
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
    // The common case, in place: a call's enter or exit into an event of the same variant.
    if let Some(Record::Event(ev)) = slot {
        let done = match (variant, &mut ev.kind) {
            (0, EventKind::Enter { nr: n, args }) => {
                *n = read_nr(&mut c, ctx, tag)?;
                refill_args(&mut c, &mut b, args)?;
                true
            }
            (1, EventKind::Exit { nr: n, ret, args }) => {
                *n = read_nr(&mut c, ctx, tag)?;
                *ret = c.zigzag()?;
                refill_args(&mut c, &mut b, args)?;
                true
            }
            _ => false,
        };
        if done {
            ev.ts = ts;
            ev.tid = tid;
            ev.pid = pid;
            ev.cpu = cpu;
            return Ok(true);
        }
    }
    let kind = match variant {
        0 => {
            let nr = read_nr(&mut c, ctx, tag)?;
            EventKind::Enter {
                nr,
                args: get_args_into(&mut c, &mut b, spare_args(slot))?,
            }
        }
        1 => {
            let nr = read_nr(&mut c, ctx, tag)?;
            EventKind::Exit {
                nr,
                ret: c.zigzag()?,
                args: get_args_into(&mut c, &mut b, spare_args(slot))?,
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
        8 => EventKind::Other {
            name: String::from_utf8_lossy(c.bytes()?).into_owned(),
        },
        v if lenient => {
            let _ = v;
            return Ok(false);
        }
        v => return Err(format!("unknown event variant {v}")),
    };
    match slot {
        Some(Record::Event(ev)) => {
            ev.ts = ts;
            ev.tid = tid;
            ev.pid = pid;
            ev.cpu = cpu;
            ev.kind = kind;
        }
        _ => {
            *slot = Some(Record::Event(Event {
                ts,
                tid,
                pid,
                cpu,
                kind,
            }))
        }
    }
    Ok(true)
}

/// An Enter's or Exit's syscall number: the previous one's when the tag says so.
fn read_nr(c: &mut Cursor, ctx: &mut EventCtx, tag: u8) -> Result<u16, String> {
    let nr = if tag & SAME_NR != 0 {
        ctx.nr
    } else {
        u16::try_from(c.varint()?).map_err(|_| "syscall number out of range".to_string())?
    };
    ctx.nr = nr;
    Ok(nr)
}

/// The argument vector of the event in `slot`, to be refilled.
fn spare_args(slot: &mut Option<Record>) -> Vec<Arg> {
    match slot {
        Some(Record::Event(Event {
            kind: EventKind::Enter { args, .. } | EventKind::Exit { args, .. },
            ..
        })) => std::mem::take(args),
        _ => Vec::new(),
    }
}

/// The arguments of an Enter or Exit, into `args` (emptied first, its capacity kept).
fn get_args_into(c: &mut Cursor, b: &mut Cursor, mut args: Vec<Arg>) -> Result<Vec<Arg>, String> {
    let n = c.count()?;
    args.clear();
    args.reserve(n);
    for _ in 0..n {
        args.push(get_arg(c, b, 0)?);
    }
    Ok(args)
}

/// The arguments of an Enter or Exit over those of the event decoded before into the same
/// place: an argument of the same kind is overwritten (its bytes' allocation kept), others are
/// replaced.
fn refill_args(c: &mut Cursor, b: &mut Cursor, args: &mut Vec<Arg>) -> Result<(), String> {
    let n = c.count()?;
    let had = args.len().min(n);
    args.truncate(had);
    for old in args.iter_mut() {
        let tag = c.u8()?;
        let flag = tag & 0x10 != 0;
        match (tag & 0x0f, old) {
            (0, Arg::Num(v)) => *v = num(c, tag)?,
            (1, Arg::Str { data, trunc }) => {
                refill(data, c.bytes()?);
                *trunc = flag;
            }
            (2, Arg::Buf { data, len }) => {
                refill(data, b.bytes_of_len(c.varint()?)?);
                *len = (data.len() as u64).wrapping_add(c.zigzag()? as u64);
            }
            (3, Arg::Mem(data)) => refill(data, b.bytes_of_len(c.varint()?)?),
            (_, old) => *old = arg_of(c, b, 0, tag)?,
        }
    }
    for _ in had..n {
        args.push(get_arg(c, b, 0)?);
    }
    Ok(())
}

fn refill(data: &mut Vec<u8>, bytes: &[u8]) {
    data.clear();
    data.extend_from_slice(bytes);
}

/// A number argument's value: inline in the tag's high bits when below 15.
fn num(c: &mut Cursor, tag: u8) -> Result<u64, String> {
    let z = if tag >> 4 == 15 {
        c.varint()?
    } else {
        (tag >> 4) as u64
    };
    Ok(unzigzag(z) as u64)
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
    arg_of(c, b, depth, tag)
}

/// The argument whose tag byte was `tag`.
fn arg_of(c: &mut Cursor, b: &mut Cursor, depth: u32, tag: u8) -> Result<Arg, String> {
    let flag = tag & 0x10 != 0;
    Ok(match tag & 0x0f {
        0 => Arg::Num(num(c, tag)?),
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

pub(super) fn unzigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

/// A bounds-checked reader over a byte slice; every error is a message, never a panic.
pub(super) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    pub(super) fn at(data: &'a [u8], pos: usize) -> Self {
        Cursor { data, pos }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub(super) fn u8(&mut self) -> Result<u8, String> {
        let b = *self.data.get(self.pos).ok_or("unexpected end of record")?;
        self.pos += 1;
        Ok(b)
    }

    /// A LEB128 value; one byte (the usual case) without a call.
    #[inline]
    pub(super) fn varint(&mut self) -> Result<u64, String> {
        if let Some(&b) = self.data.get(self.pos) {
            if b < 0x80 {
                self.pos += 1;
                return Ok(b as u64);
            }
        }
        self.varint_long()
    }

    #[inline(never)]
    fn varint_long(&mut self) -> Result<u64, String> {
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

    pub(super) fn zigzag(&mut self) -> Result<i64, String> {
        Ok(unzigzag(self.varint()?))
    }

    pub(super) fn u32(&mut self) -> Result<u32, String> {
        u32::try_from(self.varint()?).map_err(|_| "value out of range for u32".to_string())
    }

    pub(super) fn i32(&mut self) -> Result<i32, String> {
        i32::try_from(self.zigzag()?).map_err(|_| "value out of range for i32".to_string())
    }

    /// A count of items that each take at least one byte: never more than the bytes left, so
    /// that `Vec::with_capacity(count)` is bounded by the input.
    pub(super) fn count(&mut self) -> Result<usize, String> {
        let n = self.varint()?;
        let left = (self.data.len() - self.pos) as u64;
        if n > left {
            return Err(format!("count {n} exceeds the {left} bytes left"));
        }
        Ok(n as usize)
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or("length runs past the end of the record")?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub(super) fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.varint()?;
        self.bytes_of_len(n)
    }

    pub(super) fn bytes_of_len(&mut self, n: u64) -> Result<&'a [u8], String> {
        let n = usize::try_from(n).map_err(|_| "length out of range".to_string())?;
        self.take(n)
    }
}
