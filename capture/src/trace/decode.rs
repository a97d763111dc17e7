//! Reading a frame's records back, one at a time: [`FrameDecoder`] walks the streams of an
//! uncompressed frame (see [`codec`](super::codec) for the layout) and yields each record as
//! it is asked for, so that a reader holds one frame's bytes and never a frame's worth of
//! decoded records.

mod event;

use serde::de::DeserializeOwned;

use super::codec::{event_tid, ts_base, Clocks, EventCtx, CALL, STREAMS};
use crate::event::Record;
pub(super) use event::{decode_event, unzigzag, Cursor, Decoded, Ring};

/// Why a frame's records could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Index of the record in the frame.
    pub record: u32,
    /// Byte position of the record in the uncompressed frame.
    pub pos: usize,
    pub what: String,
}

/// The exit of a call record whose enter was given out: where its fields are.
#[derive(Debug, Clone, Copy)]
struct CallExit {
    /// Its fields in the record stream, and the end of its record.
    at: usize,
    end: usize,
    /// Its blob bytes in the blob stream, and their end.
    blob: usize,
    blob_end: usize,
    /// Where its record starts (for errors).
    pos: usize,
    ts: u64,
}

/// Where the decoding of one uncompressed frame stands. It borrows nothing: each call to
/// [`FrameDecoder::next`] is given the frame's bytes again, so that a reader can keep the
/// bytes and the decoder side by side.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    /// Format 2 or later: durations, calls, repeated blobs.
    v2: bool,
    /// Ends of the streams (absolute offsets into the frame from here on).
    records_end: usize,
    ts_end: usize,
    durations_end: usize,
    low_end: usize,
    blobs_end: usize,
    rec: usize,
    ts: usize,
    duration: usize,
    low: usize,
    blob: usize,
    ctx: EventCtx,
    clocks: Clocks,
    ring: Ring,
    exit: Option<CallExit>,
    lenient: bool,
    read: u32,
    skipped: u32,
    done: bool,
}

impl FrameDecoder {
    /// Check the stream lengths at the head of `data`, a frame of a file of format `major`.
    /// Records of unknown kinds are always skipped; when `lenient` (a file of a newer minor
    /// version), so are records of known kinds that do not decode.
    pub fn new(data: &[u8], major: u16, lenient: bool) -> Result<FrameDecoder, DecodeError> {
        let whole = |what: String| DecodeError {
            record: 0,
            pos: 0,
            what,
        };
        let len_at = |at: usize| {
            data.get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                .ok_or_else(|| whole("frame shorter than its stream lengths".into()))
        };
        let past = || whole("stream lengths run past the frame end".into());
        let mut d = FrameDecoder {
            v2: major >= 2,
            records_end: 0,
            ts_end: 0,
            durations_end: 0,
            low_end: 0,
            blobs_end: data.len(),
            rec: 0,
            ts: 0,
            duration: 0,
            low: 0,
            blob: 0,
            ctx: EventCtx::default(),
            clocks: Clocks::default(),
            ring: Ring::of_major(major),
            exit: None,
            lenient,
            read: 0,
            skipped: 0,
            done: false,
        };
        if major < 2 {
            let (records_len, ts_len) = (len_at(0)?, len_at(4)?);
            d.rec = 8;
            d.records_end = 8 + records_len;
            d.ts = d.records_end;
            d.ts_end =
                d.ts.checked_add(ts_len)
                    .filter(|&n| n <= data.len())
                    .ok_or_else(past)?;
            let end = d.ts_end;
            (d.duration, d.durations_end, d.low, d.low_end, d.blob) = (end, end, end, end, end);
            return Ok(d);
        }
        let n = *data.first().ok_or_else(|| whole("empty frame".into()))? as usize;
        if n < STREAMS || (n > STREAMS && !lenient) {
            return Err(whole(format!("frame of {n} streams, not {STREAMS}")));
        }
        let mut at = 1 + 4 * n;
        let mut ends = [0usize; STREAMS];
        for i in 0..n {
            at = at.checked_add(len_at(1 + 4 * i)?).ok_or_else(past)?;
            if let Some(end) = ends.get_mut(i) {
                *end = at;
            }
        }
        if at != data.len() {
            return Err(if at > data.len() {
                past()
            } else {
                whole("bytes after the frame's streams".into())
            });
        }
        d.rec = 1 + 4 * n;
        [
            d.records_end,
            d.ts_end,
            d.durations_end,
            d.low_end,
            d.blobs_end,
        ] = ends;
        (d.ts, d.duration, d.low) = (d.records_end, d.ts_end, d.durations_end);
        d.blob = d.low_end;
        Ok(d)
    }

    /// Records read so far, skipped ones included (a call's exit counts once it is read).
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
        if let Some(x) = self.exit.take() {
            return self.call_exit(data, x, slot);
        }
        loop {
            if self.done {
                *slot = None;
                return Ok(());
            }
            let mut cur = Cursor::at(&data[..self.records_end], self.rec);
            if cur.is_empty() {
                self.done = true;
                let left = [
                    (self.ts, self.ts_end),
                    (self.duration, self.durations_end),
                    (self.low, self.low_end),
                    (self.blob, self.blobs_end),
                ]
                .into_iter()
                .find(|(at, end)| at < end);
                if let (Some((pos, _)), false) = (left, self.lenient) {
                    return Err(DecodeError {
                        record: self.read,
                        pos,
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
            let payload_at = cur.pos() - payload.len();
            self.rec = cur.pos();
            self.read += 1;
            let call = kind == 1 && self.v2 && payload.first().map(|t| t & 0x0f) == Some(CALL);
            let rec = match kind {
                1 => self.event(data, payload, call, slot).map_err(err)?,
                2 => from_named(payload).map(|v| put(slot, Record::Thread(v))),
                3 => from_named(payload).map(|v| put(slot, Record::Fd(v))),
                4 => from_named(payload).map(|v| put(slot, Record::User(v))),
                5 => from_named(payload).map(|v| put(slot, Record::Group(v))),
                6 => from_named(payload).map(|v| put(slot, Record::Container(v))),
                _ => Ok(Decoded::Skipped),
            };
            match rec {
                Ok(Decoded::One) => return Ok(()),
                Ok(Decoded::Call { exit_at, blob }) => {
                    self.exit = Some(CallExit {
                        at: payload_at + exit_at,
                        end: payload_at + payload.len(),
                        blob,
                        blob_end: self.blob,
                        pos,
                        ts: self.ctx.ts,
                    });
                    return Ok(());
                }
                Ok(Decoded::Skipped) => self.skipped += 1,
                Err(_) if self.lenient => {
                    self.skipped += 1;
                    if call {
                        // Its exit too.
                        self.skipped += 1;
                        self.read += 1;
                    }
                }
                Err(what) => {
                    self.done = true;
                    *slot = None;
                    return Err(err(format!("record kind {kind}: {what}")));
                }
            }
        }
    }

    /// An event record: its timestamp (and duration, for a `call`) from their streams, then
    /// its payload. The outer error is one of the streams, never skipped: they would be out of
    /// step.
    fn event(
        &mut self,
        data: &[u8],
        payload: &[u8],
        call: bool,
        slot: &mut Option<Record>,
    ) -> Result<Result<Decoded, String>, String> {
        let delta = if self.v2 {
            let z = self
                .split(data, false)
                .map_err(|e| format!("timestamp stream: {e}"))?;
            unzigzag(z)
        } else {
            let mut ts = Cursor::at(&data[..self.ts_end], self.ts);
            let delta = ts.zigzag().map_err(|e| format!("timestamp stream: {e}"))?;
            self.ts = ts.pos();
            delta
        };
        let tid = if self.v2 {
            event_tid(payload, &self.ctx)
        } else {
            0
        };
        let base = if self.v2 {
            ts_base(&self.clocks, &self.ctx, tid)
        } else {
            self.ctx.ts
        };
        self.ctx.ts = base.wrapping_add(delta as u64);
        let enter_ts = self.ctx.ts;
        let mut exit_ts = enter_ts;
        if call {
            let duration = self
                .split(data, true)
                .map_err(|e| format!("durations stream: {e}"))?;
            exit_ts = enter_ts.wrapping_add(duration);
        }
        let mut blobs = Cursor::at(&data[..self.blobs_end], self.blob);
        let ring = self.v2.then_some(&mut self.ring);
        let e = decode_event(&mut self.ctx, payload, &mut blobs, ring, self.lenient, slot);
        self.blob = blobs.pos();
        // The next event's delta is from the call's exit.
        self.ctx.ts = exit_ts;
        if self.v2 {
            self.clocks.set(tid, exit_ts);
        }
        Ok(e)
    }

    /// The next value of the timestamp stream (or of the durations stream): its high part
    /// from there, its low byte from the low-bytes stream.
    #[inline(always)]
    fn split(&mut self, data: &[u8], duration: bool) -> Result<u64, String> {
        let (at, end) = if duration {
            (&mut self.duration, self.durations_end)
        } else {
            (&mut self.ts, self.ts_end)
        };
        let mut c = Cursor::at(&data[..end], *at);
        let high = c.varint()?;
        *at = c.pos();
        let low = *data[..self.low_end]
            .get(self.low)
            .ok_or("low-bytes stream used up")?;
        self.low += 1;
        if high >> 56 != 0 {
            return Err("value overflows 64 bits".into());
        }
        Ok(high << 8 | low as u64)
    }

    /// The exit of the call whose enter was the last record given out.
    fn call_exit(
        &mut self,
        data: &[u8],
        x: CallExit,
        slot: &mut Option<Record>,
    ) -> Result<(), DecodeError> {
        let record = self.read;
        self.read += 1;
        let mut c = Cursor::at(&data[..x.end], x.at);
        let mut b = Cursor::at(&data[..x.blob_end], x.blob);
        event::exit_into(&self.ctx, x.ts, &mut c, &mut b, &mut self.ring, slot).map_err(|what| {
            self.done = true;
            DecodeError {
                record,
                pos: x.pos,
                what: format!("record kind 1: {what}"),
            }
        })
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
    decode_frame_of(super::format::FORMAT_MAJOR, data, lenient, out)
}

/// [`decode_frame`] for a frame of a file of format `major`.
#[cfg(test)]
pub(crate) fn decode_frame_of(
    major: u16,
    data: &[u8],
    lenient: bool,
    out: &mut std::collections::VecDeque<Record>,
) -> Result<(u32, u32), DecodeError> {
    let mut d = FrameDecoder::new(data, major, lenient)?;
    while let Some(r) = d.next(data)? {
        out.push_back(r);
    }
    Ok((d.records_read(), d.records_skipped()))
}

fn put(slot: &mut Option<Record>, r: Record) -> Decoded {
    *slot = Some(r);
    Decoded::One
}

fn from_named<T: DeserializeOwned>(payload: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(payload).map_err(|e| format!("bad msgpack: {e}"))
}
