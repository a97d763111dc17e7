//! Event blocks: one sysdig event each, in seven block types.
//!
//! | type | name | body |
//! |---|---|---|
//! | `0x204`, `0x8010ABCD` | EV | cpu u16, event v1 |
//! | `0x208` | EVF | cpu u16, flags u32, event v1 |
//! | `0x216` / `0x221` | EV_V2 / EV_V2_LARGE | cpu u16, event v2 |
//! | `0x217` / `0x222` | EVF_V2 / EVF_V2_LARGE | cpu u16, flags u32, event v2 |
//!
//! An event is `ts u64, tid u64, len u32, type u16`, then in v2 `nparams u32`, then one length
//! per parameter (u16, or u32 for events the table marks `large`), then the parameters back to
//! back; `len` counts the whole event. A v1 event does not say how many parameters it has:
//! they are the largest prefix of the table's list whose lengths add up to `len` exactly (an
//! old capture holds fewer parameters than today's table lists).

use super::blocks::{Cursor, Endian};
use super::ppme::{self, EventInfo};

/// Which layout a block type has: (has flags, v2 header).
pub fn layout(kind: u32) -> Option<(bool, bool)> {
    match kind {
        0x204 | 0x8010_ABCD => Some((false, false)),
        0x208 => Some((true, false)),
        0x216 | 0x221 => Some((false, true)),
        0x217 | 0x222 => Some((true, true)),
        _ => None,
    }
}

/// One event, its parameters still raw.
#[derive(Debug)]
pub struct RawEvent<'a> {
    pub cpu: u16,
    pub ts: u64,
    pub tid: u64,
    pub ty: u16,
    pub info: &'static EventInfo,
    pub params: Vec<&'a [u8]>,
    pub endian: Endian,
}

impl<'a> RawEvent<'a> {
    /// The raw value of the parameter called `name`, if this event has it.
    pub fn param(&self, name: &str) -> Option<&'a [u8]> {
        self.info
            .index_of(name)
            .and_then(|i| self.params.get(i))
            .copied()
    }

    /// An integer parameter, sign-extended when the table says it is signed.
    pub fn num(&self, name: &str) -> Option<i64> {
        let i = self.info.index_of(name)?;
        let b = self.params.get(i)?;
        match self.info.params[i].ty {
            ppme::PType::Int => self.endian.int(b),
            _ => self.endian.uint(b).map(|v| v as i64),
        }
    }
}

/// An event kept beyond its block (an enter waiting for its exit).
#[derive(Clone, Debug)]
pub struct OwnedEvent {
    pub cpu: u16,
    pub ts: u64,
    pub tid: u64,
    pub ty: u16,
    pub info: &'static EventInfo,
    pub params: Vec<Vec<u8>>,
    pub endian: Endian,
}

impl OwnedEvent {
    pub fn new(ev: &RawEvent) -> Self {
        OwnedEvent {
            cpu: ev.cpu,
            ts: ev.ts,
            tid: ev.tid,
            ty: ev.ty,
            info: ev.info,
            params: ev.params.iter().map(|p| p.to_vec()).collect(),
            endian: ev.endian,
        }
    }

    pub fn view(&self) -> RawEvent<'_> {
        RawEvent {
            cpu: self.cpu,
            ts: self.ts,
            tid: self.tid,
            ty: self.ty,
            info: self.info,
            params: self.params.iter().map(Vec::as_slice).collect(),
            endian: self.endian,
        }
    }
}

/// Why an event block could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum EvError {
    /// The event type is not in our table (a newer sysdig): skip it.
    Unknown(u16),
    /// The block contradicts itself; `at` is the offset within the block body.
    Corrupt { at: usize, what: String },
}

fn corrupt(at: usize, what: impl Into<String>) -> EvError {
    EvError::Corrupt {
        at,
        what: what.into(),
    }
}

/// Parse the body of an event block of type `kind` (one of [`layout`]'s).
pub fn parse(kind: u32, body: &[u8], endian: Endian) -> Result<RawEvent<'_>, EvError> {
    let (has_flags, v2) = layout(kind).ok_or_else(|| corrupt(0, "not an event block"))?;
    let mut c = Cursor::new(body, endian);
    let short = |o: super::blocks::Overrun| corrupt(o.at, format!("event cut short in {}", o.what));
    let cpu = c.u16("cpu").map_err(short)?;
    if has_flags {
        c.u32("flags").map_err(short)?;
    }
    let start = c.pos();
    let ts = c.u64("timestamp").map_err(short)?;
    let tid = c.u64("tid").map_err(short)?;
    let len = c.u32("event length").map_err(short)? as usize;
    let ty = c.u16("event type").map_err(short)?;
    let nparams = if v2 {
        Some(c.u32("parameter count").map_err(short)? as usize)
    } else {
        None
    };
    let header = c.pos() - start;
    if len < header || start + len > body.len() {
        return Err(corrupt(
            start,
            format!(
                "event length {len} does not fit its block ({} bytes)",
                body.len() - start
            ),
        ));
    }
    let info = ppme::info(ty).ok_or(EvError::Unknown(ty))?;
    let ev = &body[start..start + len];
    let rest = &ev[header..];
    let lsize = if v2 && info.large { 4 } else { 2 };
    let n = match nparams {
        Some(n) => n,
        None => infer_nparams(rest, info.params.len(), endian).ok_or_else(|| {
            corrupt(
                start,
                format!("cannot tell the parameters of event type {ty}"),
            )
        })?,
    };
    if n.saturating_mul(lsize) > rest.len() {
        return Err(corrupt(
            start,
            format!("{n} parameters do not fit in event length {len}"),
        ));
    }
    let (lens, mut data) = rest.split_at(n * lsize);
    let mut params = Vec::with_capacity(n);
    for l in lens.chunks_exact(lsize) {
        let pl = endian.uint(l).unwrap_or(0) as usize;
        if pl > data.len() {
            return Err(corrupt(
                start,
                format!(
                    "parameter {} of event type {ty} runs past the event",
                    params.len()
                ),
            ));
        }
        let (p, tail) = data.split_at(pl);
        params.push(p);
        data = tail;
    }
    Ok(RawEvent {
        cpu,
        ts,
        tid,
        ty,
        info,
        params,
        endian,
    })
}

/// The number of parameters of a v1 event: the largest `n <= max` whose `n` u16 lengths and
/// the values they announce fill `rest` exactly.
fn infer_nparams(rest: &[u8], max: usize, e: Endian) -> Option<usize> {
    (0..=max).rev().find(|&n| {
        let Some(lens) = rest.get(..2 * n) else {
            return false;
        };
        let total: usize = lens
            .chunks_exact(2)
            .map(|l| e.u16([l[0], l[1]]) as usize)
            .sum();
        2 * n + total == rest.len()
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The body of a v2 event block (little-endian) of type `ty` with `params`.
    pub(crate) fn v2_body(ty: u16, tid: u64, ts: u64, params: &[&[u8]]) -> Vec<u8> {
        let large = ppme::info(ty).is_some_and(|i| i.large);
        let lsize = if large { 4 } else { 2 };
        let len = 26 + params.len() * lsize + params.iter().map(|p| p.len()).sum::<usize>();
        let mut b = 3u16.to_le_bytes().to_vec();
        b.extend_from_slice(&ts.to_le_bytes());
        b.extend_from_slice(&tid.to_le_bytes());
        b.extend_from_slice(&(len as u32).to_le_bytes());
        b.extend_from_slice(&ty.to_le_bytes());
        b.extend_from_slice(&(params.len() as u32).to_le_bytes());
        for p in params {
            if large {
                b.extend_from_slice(&(p.len() as u32).to_le_bytes());
            } else {
                b.extend_from_slice(&(p.len() as u16).to_le_bytes());
            }
        }
        for p in params {
            b.extend_from_slice(p);
        }
        b
    }

    #[test]
    fn v2_event() {
        let body = v2_body(
            7,
            42,
            1000,
            &[&5i64.to_le_bytes(), b"hello", &3i64.to_le_bytes()],
        );
        let ev = parse(0x216, &body, Endian::Little).unwrap();
        assert_eq!((ev.cpu, ev.ts, ev.tid, ev.ty), (3, 1000, 42, 7));
        assert_eq!(ev.info.name, "read");
        assert_eq!(ev.num("res"), Some(5));
        assert_eq!(ev.param("data"), Some(&b"hello"[..]));
        assert_eq!(ev.num("fd"), Some(3));
        assert_eq!(ev.num("size"), None);
    }

    #[test]
    fn v1_event_infers_parameter_count() {
        // read exit as old sysdig wrote it: res and data only, no nparams field.
        let mut b = 0u16.to_le_bytes().to_vec();
        let params: [&[u8]; 2] = [&(-11i64).to_le_bytes(), b""];
        let len = 22 + 4 + 8;
        b.extend_from_slice(&9u64.to_le_bytes());
        b.extend_from_slice(&1u64.to_le_bytes());
        b.extend_from_slice(&(len as u32).to_le_bytes());
        b.extend_from_slice(&7u16.to_le_bytes());
        for p in params {
            b.extend_from_slice(&(p.len() as u16).to_le_bytes());
        }
        for p in params {
            b.extend_from_slice(p);
        }
        let ev = parse(0x204, &b, Endian::Little).unwrap();
        assert_eq!(ev.params.len(), 2);
        assert_eq!(ev.num("res"), Some(-11));
    }

    #[test]
    fn damaged_events() {
        let body = v2_body(7, 42, 1000, &[&5i64.to_le_bytes(), b"hello"]);
        // Event length larger than the block.
        let mut b = body.clone();
        b[18] = 200;
        assert!(matches!(
            parse(0x216, &b, Endian::Little),
            Err(EvError::Corrupt { .. })
        ));
        // A parameter length past the event.
        let mut b = body.clone();
        b[30] = 99;
        assert!(matches!(
            parse(0x216, &b, Endian::Little),
            Err(EvError::Corrupt { .. })
        ));
        // Too short for a header.
        assert!(matches!(
            parse(0x216, &body[..10], Endian::Little),
            Err(EvError::Corrupt { .. })
        ));
        // A type from a newer sysdig.
        let b = v2_body(60000, 1, 1, &[]);
        assert_eq!(
            parse(0x216, &b, Endian::Little).unwrap_err(),
            EvError::Unknown(60000)
        );
    }
}
