//! What a frame holds once decompressed: five streams, the records first.
//!
//! ```text
//! frame   := n:u8 len:u32{n} stream{n}        (formats 2 and 3: n = 5, in this order)
//! streams := record* ts_high:varint* duration_high:varint* low:u8* blob-bytes*
//! record  := kind:u8 len:varint payload[len]
//! ```
//!
//! Streams apart, so that each compresses well on its own (on four full-host eBPF captures of
//! `tar -cf - /usr/share/doc | cat`, snap length 80, zstd level 3, format 1's three streams
//! took 16.9 to 18.0 bytes a call, format 2's five, with the records below, 14.7 to 16.2; see
//! BENCHMARKS.md):
//! - the records;
//! - event timestamps, one value for each event record (kind 1, known variant or not), in
//!   order: zigzag of the event's timestamp minus a base, the base being the timestamp of the
//!   last event of the same thread when that thread is among the frame's last [`CLOCKS`]
//!   threads, else of the previous event in the frame (0 for the first). For a call record
//!   (below) it is its enter's, and its exit is the thread's (and the frame's) last event.
//!   Zigzag since events of different CPUs may go back a little. A thread's own pace is more
//!   regular than how threads of different CPUs interleave. "Among the last threads": a table
//!   of [`CLOCKS`] slots, empty at the frame's start; a thread not in it takes slot 0, then 1,
//!   and so on round, replacing whichever thread was there;
//! - the durations of the call records, one value each, in order: exit minus enter timestamp
//!   (apart from the deltas, because they are distributed otherwise);
//! - the low bytes of those values: each timestamp and duration value `v` is its high part
//!   `v >> 8`, a varint in its stream, and its low byte here, in the order the records need
//!   them (a call's timestamp, then its duration). The low bytes of nanosecond times are
//!   noise: apart, they cost zstd a byte each and do not spoil the coding of the rest;
//! - the bytes of the events' buffers and memory arguments ([`Arg::Buf`], [`Arg::Mem`]),
//!   whose lengths stay in the records, except those that repeat an earlier blob.
//!
//! Streams past the fifth (a newer minor's) are skipped; in a file of this code's minor,
//! `n` is 5 and every stream must be used up by the records.
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
//!   it equals the previous Enter's, Exit's or Call's (SAME_NR); 2 Clone `child_tid child_pid
//!   flags`; 3 Exec `old_tid exe argv cwd [comm cgroup]` (the last two since 3.0); 4 ThreadExit `status:zigzag`; 5 Signal
//!   `signo:zigzag code:zigzag sender`; 6 Sample `cpu_ns rss_kb vsz_kb`; 7 Drops `cpu count`;
//!   8 Other `name`; 9 Call `[nr] enter_args ret:zigzag exit_args`; 10 Injected (since 3.2)
//!   `nr:varint has_ret:u8 [ret:zigzag] signo:zigzag`; 11 Stack (since 3.2) `n (module symbol
//!   offset:varint file_offset:varint){n}`.
//! - A Call is an Enter and the Exit that came right after it, of the same thread, CPU and
//!   syscall, no earlier than it: the two events in one record, which a reader gives back as
//!   the two. Its duration is in the durations stream; it counts as two records in the frame
//!   header's `count`. The eBPF engine sends a call's two events together, so nearly every
//!   call is one.
//! - `args := n:varint arg*`; `arg := tag:u8 …` with the argument kind in bits 0-3: 0 Num (the
//!   value zigzag-encoded as i64, inline in bits 4-7 when below 15, else after the tag); 1 Str
//!   (bit 4: truncated) `len bytes`, or when the tag has bit 5 (STR_REPEAT, format 3) `k:varint`,
//!   the bytes being those of the frame's string `k + 1` places back (the strings of a frame
//!   are its non-empty Str arguments, in order, repeated ones included; `k` is below
//!   [`STR_WINDOW`]); 2 Buf `bytes [real_len-len:zigzag]`, the real length
//!   left out when the tag has bit 6 (LEN_IS_RET: in an exit's arguments, the real length is
//!   the return value, as a read's is); 3 Mem `bytes`;
//!   4 StrList (bit 4: truncated) `n (len bytes)*`; 5 Fault `value`; 6 List `args`.
//! - The `bytes` of a Buf or Mem: `len:varint`, the bytes being the event's next `len` in the
//!   blob stream; or, when the tag has bit 5 (REPEAT), `k:varint`, the bytes being those of
//!   the frame's blob `k + 1` places back. The blobs of a frame are its Buf and Mem arguments
//!   of at least one byte, in order, repeated ones included; `k` is below [`REPEAT_WINDOW`].
//!   `cat` writes what it read, and a pipe's reader reads what its writer wrote: a reference
//!   costs less than zstd's match.
//! - Bytes after the last known field of an event body are ignored (fields appended by newer
//!   writers; in a Call they go after the exit's arguments), as are an event's blob bytes past
//!   those its known fields use.
//!
//! Format 1 frames (`records_len:u32 ts_len:u32 record* ts_delta:zigzag* blob-bytes*`, the
//! blob stream running to the frame's end and ignored past what the events use in a file of a
//! newer minor) have whole zigzag varint timestamps, each from the previous event's, and no
//! durations, low bytes, calls, repeated blobs or LEN_IS_RET; readers still read them. Format
//! 2 frames are format 3's without repeated strings (a Str's tag bit 5 means nothing there).

use crate::event::{Arg, EventKind, Record};

pub(super) const SAME_THREAD: u8 = 0x10;
pub(super) const PID_IS_TID: u8 = 0x20;
pub(super) const SAME_CPU: u8 = 0x40;
pub(super) const SAME_NR: u8 = 0x80;
/// Event variant of a call record.
pub(super) const CALL: u8 = 9;
/// Event variant of an injection (format 3.2).
pub(super) const INJECTED: u8 = 10;
/// Event variant of a stack (format 3.2).
pub(super) const STACK: u8 = 11;
/// Buf or Mem argument tag bit: the bytes repeat an earlier blob of the frame.
pub(super) const REPEAT: u8 = 0x20;
/// Buf argument tag bit, in an exit: the real length is the return value.
pub(super) const LEN_IS_RET: u8 = 0x40;
/// Str argument tag bit (format 3): the bytes repeat an earlier string of the frame.
pub(super) const STR_REPEAT: u8 = 0x20;
/// How far back a repeated string may be, in strings.
pub const STR_WINDOW: usize = 16;
/// How far back a repeated blob may be, in blobs.
pub const REPEAT_WINDOW: usize = 64;
/// Streams of a format 2 frame.
pub(super) const STREAMS: usize = 5;
/// Nesting allowed for [`Arg::List`] (readv's iovecs need one level).
pub(super) const MAX_ARG_DEPTH: u32 = 4;
/// Shortest blob worth a reference.
const MIN_REPEAT: usize = 4;

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

/// The last timestamp of each of the frame's last [`CLOCKS`] threads, from which their next
/// event's delta is taken (a thread's events are more regular than the interleaving of
/// threads on different CPUs).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Clocks {
    tid: [u32; CLOCKS],
    ts: [u64; CLOCKS],
    /// Slots in use, and the one a new thread takes.
    used: usize,
    next: usize,
    /// The slot set last.
    last: usize,
}

/// Threads whose last timestamp a frame's encoding remembers.
pub const CLOCKS: usize = 8;

impl Clocks {
    /// The base of the next event of `tid`: its last event's timestamp, else `prev`, the
    /// previous event's.
    #[inline]
    pub(super) fn base(&self, tid: u32, prev: u64) -> u64 {
        match self.tid[..self.used].iter().position(|&t| t == tid) {
            Some(i) => self.ts[i],
            None => prev,
        }
    }

    /// `ts` is the last timestamp of `tid`; a thread not known takes the oldest-taken slot.
    #[inline]
    pub(super) fn set(&mut self, tid: u32, ts: u64) {
        if self.used > 0 && self.tid[self.last] == tid {
            self.ts[self.last] = ts;
            return;
        }
        if let Some(i) = self.tid[..self.used].iter().position(|&t| t == tid) {
            self.ts[i] = ts;
            self.last = i;
            return;
        }
        let i = self.next;
        self.last = i;
        (self.tid[i], self.ts[i]) = (tid, ts);
        self.next = (i + 1) % CLOCKS;
        self.used = (self.used + 1).min(CLOCKS);
    }
}

/// The base of the timestamp of an event of `tid` after the event `ctx`: as
/// [`Clocks::base`], without looking when the thread is the previous event's (whose last
/// timestamp is the previous event's).
#[inline]
pub(super) fn ts_base(clocks: &Clocks, ctx: &EventCtx, tid: u32) -> u64 {
    if tid == ctx.tid {
        ctx.ts
    } else {
        clocks.base(tid, ctx.ts)
    }
}

/// The thread of the event record `payload` whose previous event was `ctx`'s (its own if the
/// payload is too short: the decoding of the event says what is wrong with it).
#[inline]
pub(super) fn event_tid(payload: &[u8], ctx: &EventCtx) -> u32 {
    match payload.first() {
        Some(tag) if tag & SAME_THREAD == 0 => {
            let mut v = 0u32;
            for (i, &b) in payload[1..].iter().take(5).enumerate() {
                v |= ((b & 0x7f) as u32).wrapping_shl(7 * i as u32);
                if b < 0x80 {
                    return v;
                }
            }
            ctx.tid
        }
        _ => ctx.tid,
    }
}

/// The Enter that is the frame's last record, which the Exit of the same call may still join.
#[derive(Clone, Copy, Debug)]
struct OpenCall {
    /// Where its record starts in the record stream.
    at: usize,
    ts: u64,
    tid: u32,
    pid: u32,
    cpu: u16,
    nr: u16,
    /// Blob bytes it owns.
    blobs: usize,
}

/// The frame's last [`REPEAT_WINDOW`] blobs, and where to look for a blob's bytes.
#[derive(Clone, Debug)]
struct Repeats {
    /// Blob `i` is at `at[i % REPEAT_WINDOW]`: start and length in the blob stream.
    at: [(u32, u32); REPEAT_WINDOW],
    /// By hash of the bytes: 1 + the number of the last blob with that hash (0: none).
    by_hash: [u32; 256],
    /// Blobs so far.
    n: u32,
    /// Blobs before this one may not be referred to (their places were taken back).
    from: u32,
    strs: Strings,
}

impl Default for Repeats {
    fn default() -> Self {
        Repeats {
            at: [(0, 0); REPEAT_WINDOW],
            by_hash: [0; 256],
            n: 0,
            from: 0,
            strs: Strings::default(),
        }
    }
}

/// The frame's last [`STR_WINDOW`] strings (the non-empty [`Arg::Str`]s, in order, repeated
/// ones included). tar names each file in two or three calls in a row (its stats, its open):
/// a reference costs a byte where zstd's match of the name and what surrounds it cost two or
/// three (0.18 bytes a call on the tar workload).
#[derive(Clone, Debug, Default)]
struct Strings {
    /// String `i` is `last[i % STR_WINDOW]`.
    last: [Vec<u8>; STR_WINDOW],
    n: u32,
    /// Strings before this one may not be referred to (their places were taken back).
    from: u32,
}

impl Strings {
    /// `k` when `data` is the string `k + 1` places back; notes `data` as the next string
    /// either way.
    fn find(&mut self, data: &[u8]) -> Option<u64> {
        if data.is_empty() {
            return None;
        }
        let oldest = self.from.max(self.n.saturating_sub(STR_WINDOW as u32));
        let found = (oldest..self.n)
            .rev()
            .find(|&i| self.last[i as usize % STR_WINDOW] == data)
            .map(|i| (self.n - 1 - i) as u64);
        let next = &mut self.last[self.n as usize % STR_WINDOW];
        next.clear();
        next.extend_from_slice(data);
        self.n += 1;
        found
    }
}

impl Repeats {
    /// `k` when `data` is the bytes of the blob `k + 1` places back; notes `data` as the next
    /// blob either way (`blobs` is the blob stream, into which the caller puts the bytes when
    /// this says `None`).
    fn find(&mut self, data: &[u8], blobs: &[u8]) -> Option<u64> {
        if data.is_empty() {
            return None;
        }
        let h = hash(data);
        let mut found = None;
        if data.len() >= MIN_REPEAT {
            let i = self.by_hash[h].wrapping_sub(1);
            if i >= self.from && i < self.n && self.n - i <= REPEAT_WINDOW as u32 {
                let (start, len) = self.at[i as usize % REPEAT_WINDOW];
                let (start, len) = (start as usize, len as usize);
                if blobs.get(start..start + len) == Some(data) {
                    found = Some((self.n - 1 - i) as u64);
                    self.at[self.n as usize % REPEAT_WINDOW] = (start as u32, len as u32);
                }
            }
        }
        if found.is_none() {
            self.at[self.n as usize % REPEAT_WINDOW] = (blobs.len() as u32, data.len() as u32);
        }
        self.by_hash[h] = self.n + 1;
        self.n += 1;
        found
    }
}

/// A hash of a blob's bytes, to 8 bits: of its length, its first 16 bytes and its last 8
/// only. Hashing every word of every buffer was 6% of a full-host capture's CPU (perf, tar);
/// blobs that differ only in their middle (rare: a struct stat's inode number is in its first
/// 16 bytes, a read's data differs from its start) then share a slot, which costs a compare
/// that fails and perhaps a reference not made, never a wrong one.
fn hash(data: &[u8]) -> usize {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let word = |at: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&data[at..at + 8]);
        u64::from_le_bytes(a)
    };
    let n = data.len();
    let mut h = (n as u64).wrapping_mul(K);
    if n >= 16 {
        for w in [word(0), word(8), word(n - 8)] {
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
    } else {
        for &b in data {
            h = (h.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
    }
    (h >> 56) as usize
}

/// Builds one frame's uncompressed bytes, record by record.
#[derive(Debug, Default)]
pub struct FrameEncoder {
    ctx: EventCtx,
    records: Vec<u8>,
    ts: Vec<u8>,
    durations: Vec<u8>,
    low: Vec<u8>,
    blobs: Vec<u8>,
    scratch: Vec<u8>,
    head: Vec<u8>,
    body: Vec<u8>,
    /// The open call's tag and ids, and body.
    open_head: Vec<u8>,
    open_body: Vec<u8>,
    open: Option<OpenCall>,
    /// The last record pushed joined the open call.
    joined: bool,
    repeats: Repeats,
    clocks: Clocks,
}

/// Where a [`FrameEncoder`] stood before a record, to take the record back.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    ctx: EventCtx,
    records: usize,
    ts: usize,
    durations: usize,
    low: usize,
    blobs: usize,
    open: Option<OpenCall>,
    repeats: u32,
    strs: u32,
    clocks: Clocks,
}

impl FrameEncoder {
    /// An encoder with room for `capacity` bytes of records.
    pub fn with_capacity(capacity: usize) -> FrameEncoder {
        FrameEncoder {
            records: Vec::with_capacity(capacity / 2),
            ts: Vec::with_capacity(capacity / 16),
            durations: Vec::with_capacity(capacity / 64),
            low: Vec::with_capacity(capacity / 16),
            blobs: Vec::with_capacity(capacity / 2),
            ..FrameEncoder::default()
        }
    }

    /// Bytes the frame would take now.
    pub fn len(&self) -> usize {
        1 + 4 * STREAMS
            + self.records.len()
            + self.ts.len()
            + self.durations.len()
            + self.low.len()
            + self.blobs.len()
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
            durations: self.durations.len(),
            low: self.low.len(),
            blobs: self.blobs.len(),
            open: self.open,
            repeats: self.repeats.n,
            strs: self.repeats.strs.n,
            clocks: self.clocks,
        }
    }

    /// Take back the record added since `mark` (one record: the encoder remembers enough to
    /// undo one).
    pub fn undo(&mut self, mark: Mark) {
        let open = mark.open.filter(|_| self.joined);
        if let Some(open) = open {
            // The Enter became a call: write it back as it was.
            self.records.truncate(open.at);
            self.records.push(1);
            let len = self.open_head.len() + varint_len(open.blobs as u64) + self.open_body.len();
            put_varint(&mut self.records, len as u64);
            self.records.extend_from_slice(&self.open_head);
            put_varint(&mut self.records, open.blobs as u64);
            self.records.extend_from_slice(&self.open_body);
        }
        self.ctx = mark.ctx;
        self.clocks = mark.clocks;
        self.records.truncate(mark.records);
        self.ts.truncate(mark.ts);
        self.durations.truncate(mark.durations);
        self.low.truncate(mark.low);
        self.blobs.truncate(mark.blobs);
        // An Enter pushed since took the open call's place.
        self.open = open;
        self.joined = false;
        if self.repeats.n != mark.repeats {
            // Blobs taken back took the places of earlier ones in the window.
            self.repeats.n = mark.repeats;
            self.repeats.from = mark.repeats;
        }
        let strs = &mut self.repeats.strs;
        if strs.n != mark.strs {
            (strs.n, strs.from) = (mark.strs, mark.strs);
        }
    }

    /// Add `rec`.
    pub fn push(&mut self, rec: &Record) -> Result<(), rmp_serde::encode::Error> {
        let open = self.open.take();
        self.joined = false;
        let scratch = &mut self.scratch;
        scratch.clear();
        match rec {
            Record::Event(e) => {
                if let (Some(open), EventKind::Exit { nr, ret, args }) = (open, &e.kind) {
                    if (e.tid, e.pid, e.cpu, *nr) == (open.tid, open.pid, open.cpu, open.nr)
                        && e.ts >= open.ts
                    {
                        self.join(open, e.ts, *ret, args);
                        self.joined = true;
                        return Ok(());
                    }
                }
                let base = ts_base(&self.clocks, &self.ctx, e.tid);
                let delta = zigzag(e.ts.wrapping_sub(base) as i64);
                put_split(&mut self.ts, &mut self.low, delta);
                self.clocks.set(e.tid, e.ts);
                let blobs = encode_event(
                    &mut self.ctx,
                    e,
                    &mut self.head,
                    &mut self.body,
                    &mut self.blobs,
                    &mut self.repeats,
                );
                scratch.extend_from_slice(&self.head);
                put_varint(scratch, blobs as u64);
                scratch.extend_from_slice(&self.body);
                if let EventKind::Enter { nr, .. } = &e.kind {
                    self.open = Some(OpenCall {
                        at: self.records.len(),
                        ts: e.ts,
                        tid: e.tid,
                        pid: e.pid,
                        cpu: e.cpu,
                        nr: *nr,
                        blobs,
                    });
                    std::mem::swap(&mut self.head, &mut self.open_head);
                    std::mem::swap(&mut self.body, &mut self.open_body);
                }
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

    /// Make the open Enter, the frame's last record, a call with this exit.
    fn join(&mut self, open: OpenCall, ts: u64, ret: i64, args: &[Arg]) {
        put_split(&mut self.durations, &mut self.low, ts - open.ts);
        self.ctx.ts = ts;
        self.clocks.set(open.tid, ts);
        let before = self.blobs.len();
        let exit = &mut self.body;
        exit.clear();
        put_zigzag(exit, ret);
        put_args(exit, &mut self.blobs, &mut self.repeats, args, Some(ret));
        let payload = &mut self.scratch;
        payload.clear();
        payload.push((self.open_head[0] & 0xf0) | CALL);
        payload.extend_from_slice(&self.open_head[1..]);
        put_varint(payload, (open.blobs + self.blobs.len() - before) as u64);
        payload.extend_from_slice(&self.open_body);
        payload.extend_from_slice(exit);
        self.records.truncate(open.at);
        self.records.push(1);
        put_varint(&mut self.records, payload.len() as u64);
        self.records.extend_from_slice(payload);
    }

    /// Add a record as raw bytes (what a newer writer might write); an event record (kind 1)
    /// needs its timestamp delta, and a call its duration too.
    #[cfg(test)]
    pub(crate) fn push_raw(
        &mut self,
        kind: u8,
        payload: &[u8],
        ts_delta: Option<i64>,
        duration: Option<u64>,
    ) {
        self.open = None;
        let tid = event_tid(payload, &self.ctx);
        if let Some(d) = ts_delta {
            put_split(&mut self.ts, &mut self.low, zigzag(d));
            let base = self.clocks.base(tid, self.ctx.ts);
            self.ctx.ts = base.wrapping_add(d as u64);
        }
        if let Some(d) = duration {
            put_split(&mut self.durations, &mut self.low, d);
            self.ctx.ts = self.ctx.ts.wrapping_add(d);
        }
        if ts_delta.is_some() {
            self.clocks.set(tid, self.ctx.ts);
        }
        self.records.push(kind);
        put_varint(&mut self.records, payload.len() as u64);
        self.records.extend_from_slice(payload);
    }

    /// Bytes added to the blob stream as they are (tests of readers skipping them).
    #[cfg(test)]
    pub(crate) fn push_blob_bytes(&mut self, bytes: &[u8]) {
        self.blobs.extend_from_slice(bytes);
    }

    /// The frame's bytes; the encoder starts a new frame.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        let streams = [
            &self.records,
            &self.ts,
            &self.durations,
            &self.low,
            &self.blobs,
        ];
        out.push(STREAMS as u8);
        for s in streams {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        }
        for s in streams {
            out.extend_from_slice(s);
        }
        self.records.clear();
        self.ts.clear();
        self.durations.clear();
        self.low.clear();
        self.blobs.clear();
        self.ctx = EventCtx::default();
        self.clocks = Clocks::default();
        self.open = None;
        self.repeats.n = 0;
        self.repeats.from = 0;
        self.repeats.by_hash = [0; 256];
        self.repeats.strs.n = 0;
        self.repeats.strs.from = 0;
        out
    }
}

mod encode;

pub use encode::put_varint;
use encode::{encode_event, named, put_args, put_split, put_zigzag, varint_len, zigzag};

#[cfg(test)]
mod tests;
