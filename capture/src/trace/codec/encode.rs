//! Encoding one record's body: an event in the compact form the module docs describe (its
//! tag, ids, arguments and blob bytes), a state record as a map of named fields, and the
//! varint and zigzag helpers the frame encoder shares.

use serde::Serialize;

use super::{
    EventCtx, Repeats, INJECTED, LEN_IS_RET, PID_IS_TID, REPEAT, SAME_CPU, SAME_NR, SAME_THREAD,
    STACK, STR_REPEAT,
};
use crate::event::{Arg, Event, EventKind, Exec};

pub(super) fn named<T: Serialize>(
    v: &T,
    out: &mut Vec<u8>,
) -> Result<(), rmp_serde::encode::Error> {
    v.serialize(&mut rmp_serde::Serializer::new(out).with_struct_map())
}

/// Encode `e`: its tag and ids into `head`, its body into `body`, its buffers' bytes into
/// `blobs`. Returns how many blob bytes it added.
pub(super) fn encode_event(
    ctx: &mut EventCtx,
    e: &Event,
    head: &mut Vec<u8>,
    out: &mut Vec<u8>,
    blobs: &mut Vec<u8>,
    repeats: &mut Repeats,
) -> usize {
    let (variant, nr) = match &e.kind {
        EventKind::Enter { nr, .. } => (0u8, Some(*nr)),
        EventKind::Exit { nr, .. } => (1, Some(*nr)),
        EventKind::Clone { .. } => (2, None),
        EventKind::Exec(_) => (3, None),
        EventKind::ThreadExit { .. } => (4, None),
        EventKind::Signal { .. } => (5, None),
        EventKind::Sample { .. } => (6, None),
        EventKind::Drops { .. } => (7, None),
        EventKind::Other { .. } => (8, None),
        EventKind::Injected { .. } => (INJECTED, None),
        EventKind::Stack { .. } => (STACK, None),
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
    head.clear();
    head.push(tag);
    if !same_thread {
        put_varint(head, e.tid as u64);
        if e.pid != e.tid {
            put_varint(head, e.pid as u64);
        }
    }
    if e.cpu != ctx.cpu {
        put_varint(head, e.cpu as u64);
    }
    ctx.ts = e.ts;
    ctx.tid = e.tid;
    ctx.pid = e.pid;
    ctx.cpu = e.cpu;
    let blobs_before = blobs.len();
    out.clear();
    if let Some(nr) = nr {
        if tag & SAME_NR == 0 {
            put_varint(out, nr as u64);
        }
        ctx.nr = nr;
    }
    match &e.kind {
        EventKind::Enter { args, .. } => put_args(out, blobs, repeats, args, None),
        EventKind::Exit { ret, args, .. } => {
            put_zigzag(out, *ret);
            put_args(out, blobs, repeats, args, Some(*ret));
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
        EventKind::Exec(x) => {
            let Exec {
                old_tid,
                exe,
                args,
                cwd,
                comm,
                cgroup,
            } = &**x;
            put_varint(out, *old_tid as u64);
            put_bytes(out, exe);
            put_varint(out, args.len() as u64);
            for a in args {
                put_bytes(out, a);
            }
            put_bytes(out, cwd);
            put_bytes(out, comm);
            put_bytes(out, cgroup);
        }
        EventKind::ThreadExit { status } => put_zigzag(out, *status as i64),
        EventKind::Signal {
            signo,
            code,
            sender,
            info,
        } => {
            put_zigzag(out, *signo as i64);
            put_zigzag(out, *code as i64);
            put_varint(out, *sender as u64);
            // format 3.3: appended, so that readers of 3.2 ignore it
            if !info.is_empty() {
                put_bytes(out, info);
            }
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
        EventKind::Injected {
            nr,
            ret,
            signo,
            delayed,
        } => {
            put_varint(out, *nr as u64);
            // the return value, or none: 0, else 1 then the value
            match ret {
                Some(r) => {
                    out.push(1);
                    put_zigzag(out, *r);
                }
                None => out.push(0),
            }
            put_zigzag(out, *signo as i64);
            // format 3.3: appended, so that readers of 3.2 ignore it
            if *delayed {
                out.push(1);
            }
        }
        EventKind::Stack { frames } => {
            put_varint(out, frames.len() as u64);
            for f in frames {
                put_bytes(out, &f.module);
                put_bytes(out, f.symbol.as_bytes());
                put_varint(out, f.offset);
                put_varint(out, f.file_offset);
            }
        }
    }
    blobs.len() - blobs_before
}

/// `ret`: the return value, for an exit's arguments.
pub(super) fn put_args(
    out: &mut Vec<u8>,
    blobs: &mut Vec<u8>,
    repeats: &mut Repeats,
    args: &[Arg],
    ret: Option<i64>,
) {
    put_varint(out, args.len() as u64);
    for a in args {
        put_arg(out, blobs, repeats, a, ret);
    }
}

/// A Buf's or Mem's bytes, `kind` being its tag so far: a reference to an earlier blob, or
/// the bytes into the blob stream.
pub(super) fn put_blob(
    out: &mut Vec<u8>,
    blobs: &mut Vec<u8>,
    repeats: &mut Repeats,
    kind: u8,
    data: &[u8],
) {
    match repeats.find(data, blobs) {
        Some(k) => {
            out.push(kind | REPEAT);
            put_varint(out, k);
        }
        None => {
            out.push(kind);
            put_varint(out, data.len() as u64);
            blobs.extend_from_slice(data);
        }
    }
}

pub(super) fn put_arg(
    out: &mut Vec<u8>,
    blobs: &mut Vec<u8>,
    repeats: &mut Repeats,
    a: &Arg,
    ret: Option<i64>,
) {
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
            let tag = 1 | if *trunc { 0x10 } else { 0 };
            match repeats.strs.find(data) {
                Some(k) => {
                    out.push(tag | STR_REPEAT);
                    put_varint(out, k);
                }
                None => {
                    out.push(tag);
                    put_bytes(out, data);
                }
            }
        }
        Arg::Buf { data, len } if ret == Some(*len as i64) => {
            put_blob(out, blobs, repeats, 2 | LEN_IS_RET, data);
        }
        Arg::Buf { data, len } => {
            put_blob(out, blobs, repeats, 2, data);
            put_zigzag(out, len.wrapping_sub(data.len() as u64) as i64);
        }
        Arg::Mem(data) => put_blob(out, blobs, repeats, 3, data),
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
            put_args(out, blobs, repeats, items, ret);
        }
    }
}

pub(super) fn zigzag(v: i64) -> u64 {
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

pub(super) fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// `v`'s low byte into `low`, the rest as a varint into `high`: the low bytes of nanosecond
/// times are noise, which zstd codes best apart.
pub(super) fn put_split(high: &mut Vec<u8>, low: &mut Vec<u8>, v: u64) {
    low.push(v as u8);
    put_varint(high, v >> 8);
}

pub(super) fn put_zigzag(out: &mut Vec<u8>, v: i64) {
    put_varint(out, zigzag(v));
}

pub(super) fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}
