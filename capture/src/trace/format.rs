//! The byte layout of a `.spt` file, and the version rule.
//!
//! # Compatibility rule
//!
//! The format version is two `u16`s, major and minor, written right after the magic.
//! - A reader refuses a file whose **major** is newer than its own [`FORMAT_MAJOR`] (or older
//!   than [`OLDEST_MAJOR`]): a major bump means the layout changed in a way old readers cannot
//!   follow. Readers keep reading the majors before theirs.
//! - A **minor** bump is additive: new record kinds (old readers skip kinds they do not know,
//!   each record carries its length), new fields appended at the end of an event body or of a
//!   state record (old readers ignore trailing bytes of an event body; state records are
//!   msgpack maps, so unknown keys are ignored), new enum variants. A reader that meets a file
//!   of a newer minor also skips, and counts, records of known kinds that it cannot decode
//!   (a variant it does not know); in a file of its own minor or older such a record is
//!   corruption.
//!
//! # Layout (all integers little-endian)
//!
//! ```text
//! file    := prefix header-block (frame)* [footer trailer]
//! prefix  := MAGIC[8] major:u16 minor:u16 header_len:u32 header_crc:u32
//! header  := header_len bytes: rmp-serde (named fields) of trace::Header
//! frame   := FRAME_TAG[4] clen:u32 ulen:u32 count:u32 min_ts:u64 max_ts:u64 flags:u32 crc:u32
//!            clen bytes: one zstd frame (content checksum on) of ulen bytes of records
//! record  := kind:u8 len:varint payload[len]
//! footer  := INDEX_TAG[4] n:u32 n * (offset:u64 min_ts:u64 max_ts:u64 count:u32 flags:u32)
//!            crc:u32
//! trailer := footer_offset:u64 TRAILER_MAGIC[8]
//! ```
//!
//! `crc` fields are CRC-32 (IEEE) of the bytes of their block that precede them; the zstd
//! frame carries zstd's own content checksum, which readers require. A frame's
//! `min_ts`/`max_ts` span the timestamps of its events (both 0 when it holds none); `flags`
//! say whether it holds state records ([`FRAME_HAS_STATE`]). Event timestamps inside a frame
//! are deltas from the previous event of the frame, the first from 0 (see [`super::codec`]),
//! so every frame decodes on its own. A file without footer (a capture killed before it
//! finished) is read sequentially up to its last complete frame.

/// First bytes of every `.spt` file (PNG-style: a high byte, then CR LF and ^Z catch text-mode
/// mangling).
pub const MAGIC: [u8; 8] = *b"\x89SPT\r\n\x1a\n";

/// Format major version this code writes. 2 changed the frame (see [`super::codec`]): four
/// streams, the call record (an enter and its exit in one), the durations stream and repeated
/// blobs, which readers of format 1 could only have skipped, losing most events. 3 added
/// repeated strings (a Str argument naming one of the frame's last strings), which readers of
/// format 2 would have taken for empty strings followed by garbage; and an Exec's `comm` and
/// `cgroup`, appended to its body (readers of 3.0 and of 2.x files take them as absent).
pub const FORMAT_MAJOR: u16 = 3;
/// Format minor version this code writes. 3.1 added a thread record's `cpu_ns`, `rss_kb` and
/// `vsz_kb` (readers of 3.0 ignore them, as any unknown key of a state record); 3.2 the event
/// variants `Injected` (10) and `Stack` (11), which readers of 3.1 skip; 3.3 a signal's
/// siginfo and whether an injection delayed its call, appended to their bodies (readers of
/// 3.2 ignore them), and a thread record's `pgid`, `sid`, `tty` and `loginuid` (ignored as
/// unknown keys); 3.4 the messages of sendmsg, recvmsg, sendmmsg and recvmmsg as nested
/// lists (`syscalls::Fetch::Msgs`), where 3.3 had the bare header and sendmmsg's and
/// recvmmsg's vector a pointer (readers of 3.3 decode them and show them as lists), and an
/// output iovec's length its `iov_len`, where 3.3 had its share of the result.
pub const FORMAT_MINOR: u16 = 4;
/// Oldest format major this code reads.
pub const OLDEST_MAJOR: u16 = 1;

/// The last minor of each major this code knows (1.1 added the event variant `Other` (8), a
/// sysdig event syspect has no model for, which readers of 1.0 skip); `None` for a major it
/// does not read. A file of a later minor is read leniently: records of known kinds that do
/// not decode are skipped.
pub fn last_known_minor(major: u16) -> Option<u16> {
    match major {
        1 => Some(1),
        2 => Some(0),
        FORMAT_MAJOR => Some(FORMAT_MINOR),
        _ => None,
    }
}

/// Bytes before the header block.
pub const PREFIX_LEN: usize = 8 + 2 + 2 + 4 + 4;
/// Largest header block a reader accepts.
pub const MAX_HEADER_LEN: u32 = 1 << 20;

/// Tag of a frame block.
pub const FRAME_TAG: [u8; 4] = *b"SPTF";
/// Tag of the footer (frame index) block.
pub const INDEX_TAG: [u8; 4] = *b"SPTI";
/// Bytes of a frame header, tag included.
pub const FRAME_HEADER_LEN: usize = 4 + 4 + 4 + 4 + 8 + 8 + 4 + 4;
/// Frame flag: the frame holds state records (threads, fds, users…), not only events.
pub const FRAME_HAS_STATE: u32 = 1;

/// Largest uncompressed frame a reader accepts, so the most memory one frame can cost it. The
/// writer closes a frame at [`super::WriterOptions::frame_bytes`] (at most half of this) and
/// refuses records larger than the other half.
pub const MAX_FRAME_LEN: u32 = 16 << 20;
/// Largest zstd window (log2) a reader accepts: a frame never needs more than its own size.
pub const MAX_WINDOW_LOG: u32 = 24;
/// Largest compressed frame a reader accepts: zstd's worst case for [`MAX_FRAME_LEN`].
pub const MAX_COMPRESSED_LEN: u32 = MAX_FRAME_LEN + (MAX_FRAME_LEN >> 7) + (1 << 17);

/// Bytes of one footer index entry.
pub const INDEX_ENTRY_LEN: usize = 8 + 8 + 8 + 4 + 4;
/// Last bytes of a finished file, after the footer offset.
pub const TRAILER_MAGIC: [u8; 8] = *b"SPT-END\0";
/// Bytes of the trailer.
pub const TRAILER_LEN: usize = 8 + 8;

/// One frame's header, as stored before its compressed bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    pub compressed_len: u32,
    pub uncompressed_len: u32,
    pub count: u32,
    pub min_ts: u64,
    pub max_ts: u64,
    pub flags: u32,
}

impl FrameHeader {
    /// The header's bytes, tag and checksum included.
    pub fn encode(&self) -> [u8; FRAME_HEADER_LEN] {
        let mut b = [0u8; FRAME_HEADER_LEN];
        b[0..4].copy_from_slice(&FRAME_TAG);
        b[4..8].copy_from_slice(&self.compressed_len.to_le_bytes());
        b[8..12].copy_from_slice(&self.uncompressed_len.to_le_bytes());
        b[12..16].copy_from_slice(&self.count.to_le_bytes());
        b[16..24].copy_from_slice(&self.min_ts.to_le_bytes());
        b[24..32].copy_from_slice(&self.max_ts.to_le_bytes());
        b[32..36].copy_from_slice(&self.flags.to_le_bytes());
        let crc = crc32(&b[..36]);
        b[36..40].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Parse a header whose tag was already checked; `None` when its checksum is wrong.
    pub fn decode(b: &[u8; FRAME_HEADER_LEN]) -> Option<FrameHeader> {
        if crc32(&b[..36]) != le_u32(&b[36..40]) {
            return None;
        }
        Some(FrameHeader {
            compressed_len: le_u32(&b[4..8]),
            uncompressed_len: le_u32(&b[8..12]),
            count: le_u32(&b[12..16]),
            min_ts: le_u64(&b[16..24]),
            max_ts: le_u64(&b[24..32]),
            flags: le_u32(&b[32..36]),
        })
    }
}

/// One footer entry: where a frame starts and what it spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// Byte offset of the frame's header in the file.
    pub offset: u64,
    /// Earliest event timestamp in the frame (0 when it holds no event).
    pub min_ts: u64,
    /// Latest event timestamp in the frame (0 when it holds no event).
    pub max_ts: u64,
    /// Records in the frame.
    pub count: u32,
    /// The frame header's flags ([`FRAME_HAS_STATE`]).
    pub flags: u32,
}

/// The footer block (tag, entries, checksum) for `entries`.
pub fn encode_footer(entries: &[IndexEntry]) -> Vec<u8> {
    let mut b = Vec::with_capacity(4 + 4 + entries.len() * INDEX_ENTRY_LEN + 4);
    b.extend_from_slice(&INDEX_TAG);
    b.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for e in entries {
        b.extend_from_slice(&e.offset.to_le_bytes());
        b.extend_from_slice(&e.min_ts.to_le_bytes());
        b.extend_from_slice(&e.max_ts.to_le_bytes());
        b.extend_from_slice(&e.count.to_le_bytes());
        b.extend_from_slice(&e.flags.to_le_bytes());
    }
    let crc = crc32(&b);
    b.extend_from_slice(&crc.to_le_bytes());
    b
}

/// Parse a footer block (`b` holds exactly the block); `None` when it is malformed.
pub fn decode_footer(b: &[u8]) -> Option<Vec<IndexEntry>> {
    if b.len() < 12 || b[..4] != INDEX_TAG {
        return None;
    }
    let n = le_u32(&b[4..8]) as usize;
    if b.len() != 8 + n.checked_mul(INDEX_ENTRY_LEN)? + 4 {
        return None;
    }
    let (body, crc) = b.split_at(b.len() - 4);
    if crc32(body) != le_u32(crc) {
        return None;
    }
    Some(
        body[8..]
            .chunks_exact(INDEX_ENTRY_LEN)
            .map(|c| IndexEntry {
                offset: le_u64(&c[0..8]),
                min_ts: le_u64(&c[8..16]),
                max_ts: le_u64(&c[16..24]),
                count: le_u32(&c[24..28]),
                flags: le_u32(&c[28..32]),
            })
            .collect(),
    )
}

/// Little-endian u32 from the first 4 bytes of `b` (which has at least 4).
pub fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

/// Little-endian u64 from the first 8 bytes of `b` (which has at least 8).
pub fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// CRC-32 (IEEE 802.3, as zlib computes it) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC_TABLE[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_zlib() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn frame_header_round_trips_and_detects_damage() {
        let h = FrameHeader {
            compressed_len: 10,
            uncompressed_len: 20,
            count: 3,
            min_ts: 5,
            max_ts: 9,
            flags: FRAME_HAS_STATE,
        };
        let mut b = h.encode();
        assert_eq!(FrameHeader::decode(&b), Some(h));
        b[9] ^= 1;
        assert_eq!(FrameHeader::decode(&b), None);
    }

    #[test]
    fn footer_round_trips_and_rejects_bad_lengths() {
        let e = vec![
            IndexEntry {
                offset: 40,
                min_ts: 1,
                max_ts: 2,
                count: 7,
                flags: FRAME_HAS_STATE,
            },
            IndexEntry {
                offset: 400,
                min_ts: 3,
                max_ts: 4,
                count: 1,
                flags: 0,
            },
        ];
        let b = encode_footer(&e);
        assert_eq!(decode_footer(&b), Some(e));
        assert_eq!(decode_footer(&b[..b.len() - 1]), None);
        let mut bad = b.clone();
        bad[5] = 0xff; // entry count no longer matches the length
        assert_eq!(decode_footer(&bad), None);
    }
}
