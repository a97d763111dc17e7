//! One event record's payload, and its arguments' bytes from the blob stream.

use super::super::codec::{
    EventCtx, CALL, LEN_IS_RET, MAX_ARG_DEPTH, PID_IS_TID, REPEAT, REPEAT_WINDOW, SAME_CPU,
    SAME_NR, SAME_THREAD, STR_REPEAT, STR_WINDOW,
};
use crate::event::{Arg, Event, EventKind, Exec, Record};

/// What [`decode_event`] made of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// A record into the slot.
    One,
    /// A call's enter into the slot; its exit's fields start at `exit_at` in the payload, its
    /// blob bytes at `blob` in the blob stream.
    Call { exit_at: usize, blob: usize },
    /// A record of a kind or variant this reader does not know, skipped.
    Skipped,
}

/// The frame's last blobs (format 2), which a Buf or Mem argument may repeat, and its last
/// strings (format 3), which a Str argument may repeat.
#[derive(Debug, Clone)]
pub(crate) struct Ring {
    /// Blob `i` is at `at[i % REPEAT_WINDOW]`: start and length in the frame.
    at: [(usize, usize); REPEAT_WINDOW],
    n: usize,
    /// String `i` is at `strs[i % STR_WINDOW]`, in the frame; `None` before format 3.
    strs: Option<([(usize, usize); STR_WINDOW], usize)>,
}

impl Ring {
    /// The ring of a frame of format `major` (2 or later).
    pub(crate) fn of_major(major: u16) -> Ring {
        Ring {
            at: [(0, 0); REPEAT_WINDOW],
            n: 0,
            strs: (major >= 3).then_some(([(0, 0); STR_WINDOW], 0)),
        }
    }
}

impl Ring {
    #[inline]
    fn push(&mut self, start: usize, len: usize) {
        if len > 0 {
            self.at[self.n % REPEAT_WINDOW] = (start, len);
            self.n += 1;
        }
    }

    /// The bytes of the blob `k + 1` places back, which become the next blob too.
    fn repeat<'a>(&mut self, k: u64, data: &'a [u8]) -> Result<&'a [u8], String> {
        if k >= self.n.min(REPEAT_WINDOW) as u64 {
            return Err(format!(
                "argument repeats the blob {} back of {}",
                k.saturating_add(1),
                self.n
            ));
        }
        let (start, len) = self.at[(self.n - 1 - k as usize) % REPEAT_WINDOW];
        self.push(start, len);
        data.get(start..start + len)
            .ok_or_else(|| "repeated blob out of the frame".to_string())
    }
}

/// The blob bytes of one event: its own, and in format 2 the frame's earlier blobs.
pub(crate) struct Blobs<'a, 'r> {
    own: Cursor<'a>,
    ring: Option<&'r mut Ring>,
    /// The return value, for an exit's arguments.
    ret: Option<i64>,
}

impl<'a> Blobs<'a, '_> {
    /// The bytes of a Buf or Mem argument whose tag was `tag`.
    #[inline(always)]
    fn get(&mut self, c: &mut Cursor, tag: u8) -> Result<&'a [u8], String> {
        match &mut self.ring {
            Some(ring) if tag & REPEAT != 0 => ring.repeat(c.varint()?, self.own.data),
            Some(ring) => {
                let start = self.own.pos;
                let b = self.own.bytes_of_len(c.varint()?)?;
                ring.push(start, b.len());
                Ok(b)
            }
            None => self.own.bytes_of_len(c.varint()?),
        }
    }

    /// The bytes of a Str argument whose tag was `tag`, into `out` (emptied first): its own
    /// from the record `c`, or in format 3 those of the string the tag says it repeats (from
    /// the frame, which the blob cursor spans from its start: the records come before the
    /// blobs).
    #[inline]
    fn str_into(&mut self, c: &mut Cursor, tag: u8, out: &mut Vec<u8>) -> Result<(), String> {
        out.clear();
        let Some((at, n)) = self.ring.as_mut().and_then(|r| r.strs.as_mut()) else {
            out.extend_from_slice(c.bytes()?);
            return Ok(());
        };
        let (start, len) = if tag & STR_REPEAT != 0 {
            let k = c.varint()?;
            if k >= (*n).min(STR_WINDOW) as u64 {
                return Err(format!(
                    "argument repeats the string {} back of {n}",
                    k.saturating_add(1)
                ));
            }
            at[(*n - 1 - k as usize) % STR_WINDOW]
        } else {
            let b = c.bytes()?;
            out.extend_from_slice(b);
            if b.is_empty() {
                return Ok(());
            }
            // Both slices are of the frame: the string's offset in it.
            let start = (b.as_ptr() as usize).wrapping_sub(self.own.data.as_ptr() as usize);
            at[*n % STR_WINDOW] = (start, b.len());
            *n += 1;
            return Ok(());
        };
        at[*n % STR_WINDOW] = (start, len);
        *n += 1;
        let b = start
            .checked_add(len)
            .and_then(|end| self.own.data.get(start..end))
            .ok_or("repeated string out of the frame")?;
        out.extend_from_slice(b);
        Ok(())
    }

    /// The real length of a Buf argument of `n` bytes whose tag was `tag`.
    #[inline]
    fn real_len(&self, c: &mut Cursor, tag: u8, n: usize) -> Result<u64, String> {
        if self.ring.is_some() && tag & LEN_IS_RET != 0 {
            return self
                .ret
                .map(|r| r as u64)
                .ok_or_else(|| "an enter's buffer has the length of the return value".into());
        }
        Ok((n as u64).wrapping_add(c.zigzag()? as u64))
    }
}

/// One event payload whose timestamp is already in `ctx` into `slot`: in place when `slot`
/// holds an event already (its argument vector reused), which spares moving whole records
/// around. `blobs` is the frame's blob stream, at the event's bytes; `ring` the frame's last
/// blobs, in format 2 (`None` in format 1, which has neither calls nor repeated blobs). A
/// call's enter goes into `slot`, [`exit_into`] decodes its exit. `Ok(Decoded::Skipped)`: an
/// event of a variant this reader does not know, skipped (`lenient`; its common fields still
/// advance `ctx`, so later events decode); `slot` then holds nothing to use.
pub(crate) fn decode_event(
    ctx: &mut EventCtx,
    payload: &[u8],
    blobs: &mut Cursor,
    ring: Option<&mut Ring>,
    lenient: bool,
    slot: &mut Option<Record>,
) -> Result<Decoded, String> {
    let mut c = Cursor::new(payload);
    let tag = c.u8()?;
    let call = tag & 0x0f == CALL && ring.is_some();
    // A call's enter is decoded as an Enter.
    let variant = if call { 0 } else { tag & 0x0f };
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
    let start = blobs.pos;
    blobs
        .take(blob_len)
        .map_err(|_| format!("blob length {blob_len} runs past the blob stream"))?;
    let mut b = Blobs {
        own: Cursor::at(&blobs.data[..blobs.pos], start),
        ring,
        ret: None,
    };
    let result = |c: &Cursor, b: &Blobs| {
        Ok(if call {
            Decoded::Call {
                exit_at: c.pos,
                blob: b.own.pos,
            }
        } else {
            Decoded::One
        })
    };
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
                b.ret = Some(*ret);
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
            return result(&c, &b);
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
            let ret = c.zigzag()?;
            b.ret = Some(ret);
            EventKind::Exit {
                nr,
                ret,
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
            let cwd = c.bytes()?.to_vec();
            // comm and cgroup came with 3.0; a file of 2.x or 1.x ends the body here
            let mut more = || -> Result<Vec<u8>, String> {
                Ok(if c.is_empty() {
                    Vec::new()
                } else {
                    c.bytes()?.to_vec()
                })
            };
            EventKind::Exec(Box::new(Exec {
                old_tid,
                exe,
                args,
                cwd,
                comm: more()?,
                cgroup: more()?,
            }))
        }
        4 => EventKind::ThreadExit { status: c.i32()? },
        5 => EventKind::Signal {
            signo: c.i32()?,
            code: c.i32()?,
            sender: c.u32()?,
            // format 3.3
            info: if c.is_empty() {
                Vec::new()
            } else {
                c.bytes()?.to_vec()
            },
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
        super::super::codec::INJECTED => EventKind::Injected {
            nr: u16::try_from(c.varint()?)
                .map_err(|_| "syscall number out of range".to_string())?,
            ret: match c.u8()? {
                0 => None,
                _ => Some(c.zigzag()?),
            },
            signo: c.i32()?,
            // format 3.3
            delayed: !c.is_empty() && c.u8()? != 0,
        },
        super::super::codec::STACK => {
            let n = c.varint()?;
            let mut frames = Vec::with_capacity(n.min(256) as usize);
            for _ in 0..n {
                frames.push(crate::event::Frame {
                    module: c.bytes()?.to_vec(),
                    symbol: String::from_utf8_lossy(c.bytes()?).into_owned(),
                    offset: c.varint()?,
                    file_offset: c.varint()?,
                });
            }
            EventKind::Stack { frames }
        }
        _ if lenient => return Ok(Decoded::Skipped),
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
    result(&c, &b)
}

/// The exit of the call whose enter [`decode_event`] decoded last (`ctx` as it left it), at
/// `ts`: its fields from `c`, its own blob bytes from `blobs`.
pub(crate) fn exit_into(
    ctx: &EventCtx,
    ts: u64,
    c: &mut Cursor,
    blobs: &mut Cursor,
    ring: &mut Ring,
    slot: &mut Option<Record>,
) -> Result<(), String> {
    let mut b = Blobs {
        own: Cursor::at(blobs.data, blobs.pos),
        ring: Some(ring),
        ret: None,
    };
    let ret = c.zigzag()?;
    b.ret = Some(ret);
    match slot {
        Some(Record::Event(ev)) if matches!(ev.kind, EventKind::Exit { .. }) => {
            if let EventKind::Exit { nr, ret: r, args } = &mut ev.kind {
                *nr = ctx.nr;
                *r = ret;
                refill_args(c, &mut b, args)?;
            }
            ev.ts = ts;
            ev.tid = ctx.tid;
            ev.pid = ctx.pid;
            ev.cpu = ctx.cpu;
        }
        _ => {
            let args = get_args_into(c, &mut b, spare_args(slot))?;
            *slot = Some(Record::Event(Event {
                ts,
                tid: ctx.tid,
                pid: ctx.pid,
                cpu: ctx.cpu,
                kind: EventKind::Exit {
                    nr: ctx.nr,
                    ret,
                    args,
                },
            }));
        }
    }
    Ok(())
}

/// An Enter's or Exit's syscall number: the previous one's when the tag says so.
#[inline(always)]
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
fn get_args_into(c: &mut Cursor, b: &mut Blobs, mut args: Vec<Arg>) -> Result<Vec<Arg>, String> {
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
fn refill_args(c: &mut Cursor, b: &mut Blobs, args: &mut Vec<Arg>) -> Result<(), String> {
    let n = c.count()?;
    let had = args.len().min(n);
    args.truncate(had);
    for old in args.iter_mut() {
        let tag = c.u8()?;
        let flag = tag & 0x10 != 0;
        match (tag & 0x0f, old) {
            (0, Arg::Num(v)) => *v = num(c, tag)?,
            (1, Arg::Str { data, trunc }) => {
                b.str_into(c, tag, data)?;
                *trunc = flag;
            }
            (2, Arg::Buf { data, len }) => {
                refill(data, b.get(c, tag)?);
                *len = b.real_len(c, tag, data.len())?;
            }
            (3, Arg::Mem(data)) => refill(data, b.get(c, tag)?),
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

fn get_args(c: &mut Cursor, b: &mut Blobs, depth: u32) -> Result<Vec<Arg>, String> {
    let n = c.count()?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        args.push(get_arg(c, b, depth)?);
    }
    Ok(args)
}

/// One argument from the record `c`, its bytes from the event's blob bytes `b`.
fn get_arg(c: &mut Cursor, b: &mut Blobs, depth: u32) -> Result<Arg, String> {
    let tag = c.u8()?;
    arg_of(c, b, depth, tag)
}

/// The argument whose tag byte was `tag`.
fn arg_of(c: &mut Cursor, b: &mut Blobs, depth: u32, tag: u8) -> Result<Arg, String> {
    let flag = tag & 0x10 != 0;
    Ok(match tag & 0x0f {
        0 => Arg::Num(num(c, tag)?),
        1 => {
            let mut data = Vec::new();
            b.str_into(c, tag, &mut data)?;
            Arg::Str { data, trunc: flag }
        }
        2 => {
            let data = b.get(c, tag)?.to_vec();
            let len = b.real_len(c, tag, data.len())?;
            Arg::Buf { data, len }
        }
        3 => Arg::Mem(b.get(c, tag)?.to_vec()),
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

pub(crate) fn unzigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

/// A bounds-checked reader over a byte slice; every error is a message, never a panic.
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    pub(crate) fn at(data: &'a [u8], pos: usize) -> Self {
        Cursor { data, pos }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub(crate) fn u8(&mut self) -> Result<u8, String> {
        let b = *self.data.get(self.pos).ok_or("unexpected end of record")?;
        self.pos += 1;
        Ok(b)
    }

    /// A LEB128 value; one byte (the usual case) without a call.
    #[inline]
    pub(crate) fn varint(&mut self) -> Result<u64, String> {
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

    pub(crate) fn zigzag(&mut self) -> Result<i64, String> {
        Ok(unzigzag(self.varint()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        u32::try_from(self.varint()?).map_err(|_| "value out of range for u32".to_string())
    }

    pub(crate) fn i32(&mut self) -> Result<i32, String> {
        i32::try_from(self.zigzag()?).map_err(|_| "value out of range for i32".to_string())
    }

    /// A count of items that each take at least one byte: never more than the bytes left, so
    /// that `Vec::with_capacity(count)` is bounded by the input.
    pub(crate) fn count(&mut self) -> Result<usize, String> {
        let n = self.varint()?;
        let left = (self.data.len() - self.pos) as u64;
        if n > left {
            return Err(format!("count {n} exceeds the {left} bytes left"));
        }
        Ok(n as usize)
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or("length runs past the end of the record")?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.varint()?;
        self.bytes_of_len(n)
    }

    pub(crate) fn bytes_of_len(&mut self, n: u64) -> Result<&'a [u8], String> {
        let n = usize::try_from(n).map_err(|_| "length out of range".to_string())?;
        self.take(n)
    }
}
