//! The block layer of a `.scap` file: pcapng-style blocks `type u32, total_length u32, body,
//! total_length u32`, and a bounded cursor to take a block's body apart.
//!
//! The first block is the section header block (SHB), whose magic says the byte order of the
//! whole section; a later SHB starts a new section (and may change the byte order). Every other
//! block is read whole into memory; its body is only as large as the bytes that are really there
//! (the buffer grows as data arrives, so a damaged length cannot make us allocate more than the
//! file holds).

use std::io::{self, Read};

/// Section header block type (`\n\r\r\n`, the same in both byte orders).
pub const SHB: u32 = 0x0A0D_0D0A;
/// Byte-order magic of the section header, as read in the file's own order.
pub const SHB_MAGIC: u32 = 0x1A2B_3C4D;
/// Largest block we accept at all (a sanity bound: sysdig's largest event is 64 MiB).
pub const MAX_BLOCK: u32 = 256 << 20;
/// Largest block of the non-"large" event block types (sysdig reads them into 64 KiB).
pub const MAX_SMALL_EVENT_BLOCK: u32 = (1 << 16) + 12;

/// Byte order of a section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    pub fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(b),
            Endian::Big => u16::from_be_bytes(b),
        }
    }
    pub fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            Endian::Little => u32::from_le_bytes(b),
            Endian::Big => u32::from_be_bytes(b),
        }
    }
    pub fn u64(self, b: [u8; 8]) -> u64 {
        match self {
            Endian::Little => u64::from_le_bytes(b),
            Endian::Big => u64::from_be_bytes(b),
        }
    }
    /// An unsigned integer of 1 to 8 bytes; `None` for other lengths.
    pub fn uint(self, b: &[u8]) -> Option<u64> {
        if b.is_empty() || b.len() > 8 {
            return None;
        }
        let mut v = 0u64;
        match self {
            Endian::Little => {
                for &x in b.iter().rev() {
                    v = (v << 8) | x as u64;
                }
            }
            Endian::Big => {
                for &x in b {
                    v = (v << 8) | x as u64;
                }
            }
        }
        Some(v)
    }
    /// A signed integer of 1 to 8 bytes, sign-extended.
    pub fn int(self, b: &[u8]) -> Option<i64> {
        let v = self.uint(b)?;
        let bits = b.len() as u32 * 8;
        Some(if bits == 64 {
            v as i64
        } else {
            let shift = 64 - bits;
            ((v << shift) as i64) >> shift
        })
    }
}

/// One block as read from the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: u32,
    /// Byte offset of the block's first byte in the (decompressed) file.
    pub offset: u64,
    /// Byte order of the section the block belongs to.
    pub endian: Endian,
    /// Everything between the two length fields.
    pub body: Vec<u8>,
}

/// Why the block layer stopped.
#[derive(Debug)]
pub enum BlockError {
    /// The file ends inside the block that starts at `offset`.
    Truncated { offset: u64 },
    /// The block at `offset` cannot be right.
    Corrupt { offset: u64, what: String },
    /// The file does not start with a scap section header.
    NotScap(String),
    /// The source failed.
    Io(io::Error),
}

/// Reads blocks one after the other from any byte source (a file, a gzip decoder).
pub struct BlockReader<R> {
    inner: R,
    offset: u64,
    endian: Endian,
    started: bool,
    /// Size of the source when known (a plain file): a block longer than what is left is
    /// known to be cut short before anything is allocated for it.
    size: Option<u64>,
    /// A body given back ([`BlockReader::recycle`]), to hold the next block's.
    spare: Vec<u8>,
}

/// Blocks up to this length are read straight into a buffer of their length; longer ones
/// grow their buffer only as their bytes arrive (a damaged length allocates nothing).
const DIRECT_READ: usize = 64 << 10;

impl<R: Read> BlockReader<R> {
    pub fn new(inner: R) -> Self {
        BlockReader {
            inner,
            offset: 0,
            endian: Endian::Little,
            started: false,
            size: None,
            spare: Vec::new(),
        }
    }

    /// Give back a block's body once it has been used: the next block reuses its allocation.
    pub fn recycle(&mut self, body: Vec<u8>) {
        if body.capacity() <= DIRECT_READ {
            self.spare = body;
        }
    }

    /// A reader over a source of `size` bytes.
    pub fn with_size(inner: R, size: u64) -> Self {
        BlockReader {
            size: Some(size),
            ..BlockReader::new(inner)
        }
    }

    /// Bytes consumed so far: the offset of the next block.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next block, `None` at a clean end of file (between two blocks).
    pub fn next_block(&mut self) -> Result<Option<Block>, BlockError> {
        let start = self.offset;
        let mut head = [0u8; 8];
        let got = self.fill(&mut head)?;
        if got == 0 {
            if !self.started {
                return Err(BlockError::NotScap("the file is empty".into()));
            }
            return Ok(None);
        }
        let kind_raw = [head[0], head[1], head[2], head[3]];
        let first = !self.started;
        if first && (got < 4 || u32::from_le_bytes(kind_raw) != SHB) {
            return Err(BlockError::NotScap(
                "it does not start with a section header block".into(),
            ));
        }
        if got < 8 {
            return Err(BlockError::Truncated { offset: start });
        }
        let len_raw = [head[4], head[5], head[6], head[7]];
        let mut magic_raw = [0u8; 4];
        let is_shb = u32::from_le_bytes(kind_raw) == SHB;
        if is_shb {
            // The section's byte order is known only after the magic that follows the length.
            if self.fill(&mut magic_raw)? < 4 {
                if first {
                    return Err(BlockError::NotScap(
                        "it ends inside the section header".into(),
                    ));
                }
                return Err(BlockError::Truncated { offset: start });
            }
            self.endian = if u32::from_le_bytes(magic_raw) == SHB_MAGIC {
                Endian::Little
            } else if u32::from_be_bytes(magic_raw) == SHB_MAGIC {
                Endian::Big
            } else if first {
                return Err(BlockError::NotScap(
                    "the section header has no scap byte-order magic".into(),
                ));
            } else {
                return Err(corrupt(start, "section header with a bad byte-order magic"));
            };
            self.started = true;
        }
        let e = self.endian;
        let kind = e.u32(kind_raw);
        let total = e.u32(len_raw);
        let min = if is_shb { 28 } else { 12 };
        if total < min {
            return Err(corrupt(
                start,
                format!("block of type {kind:#x} has length {total}, less than {min}"),
            ));
        }
        let limit = if super::is_event_block(kind) && !super::is_large_event_block(kind) {
            MAX_SMALL_EVENT_BLOCK
        } else {
            MAX_BLOCK
        };
        if total > limit {
            return Err(corrupt(
                start,
                format!("block of type {kind:#x} has length {total}, more than {limit}"),
            ));
        }
        let body_len = (total - 12) as usize;
        if self.size.is_some_and(|size| start + total as u64 > size) {
            return Err(BlockError::Truncated { offset: start });
        }
        let mut body = std::mem::take(&mut self.spare);
        body.clear();
        if is_shb {
            body.extend_from_slice(&magic_raw);
        }
        let have = body.len();
        if body_len <= DIRECT_READ {
            body.resize(body_len.max(have), 0);
            let got = self.fill(&mut body[have..])?;
            if got < body_len.saturating_sub(have) {
                return Err(BlockError::Truncated { offset: start });
            }
        } else {
            // Capacity for what is surely there; more only as data really arrives.
            body.reserve(DIRECT_READ);
            let want = (body_len - have) as u64;
            let got = (&mut self.inner)
                .take(want)
                .read_to_end(&mut body)
                .map_err(|e| self.io_error(e, start))?;
            self.offset += got as u64;
            if (got as u64) < want {
                return Err(BlockError::Truncated { offset: start });
            }
        }
        let mut trailer = [0u8; 4];
        if self.fill(&mut trailer)? < 4 {
            return Err(BlockError::Truncated { offset: start });
        }
        let trailer = e.u32(trailer);
        if trailer != total {
            return Err(corrupt(
                start,
                format!(
                    "block of type {kind:#x}: length {total} at its start but {trailer} at its end"
                ),
            ));
        }
        Ok(Some(Block {
            kind,
            offset: start,
            endian: e,
            body,
        }))
    }

    /// Read into `buf` until it is full or the source ends; returns the bytes read.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, BlockError> {
        let mut n = 0;
        while n < buf.len() {
            match self.inner.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e, self.offset)),
            }
        }
        self.offset += n as u64;
        Ok(n)
    }

    /// A read error: a gzip stream that ends early is a truncated file, damaged gzip data is a
    /// corrupt one, anything else is an I/O error.
    fn io_error(&self, e: io::Error, block: u64) -> BlockError {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => BlockError::Truncated { offset: block },
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => BlockError::Corrupt {
                offset: block,
                what: format!("compressed data is damaged ({e})"),
            },
            _ => BlockError::Io(e),
        }
    }
}

fn corrupt(offset: u64, what: impl Into<String>) -> BlockError {
    BlockError::Corrupt {
        offset,
        what: what.into(),
    }
}

/// A field that runs past the end of a block body: `at` is its offset within the body.
#[derive(Debug, PartialEq, Eq)]
pub struct Overrun {
    pub at: usize,
    pub what: &'static str,
}

/// A bounded reader over a block body.
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    endian: Endian,
}

impl<'a> Cursor<'a> {
    pub fn new(buf: &'a [u8], endian: Endian) -> Self {
        Cursor {
            buf,
            pos: 0,
            endian,
        }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Move to `pos` (not past the end).
    pub fn seek(&mut self, pos: usize, what: &'static str) -> Result<(), Overrun> {
        if pos > self.buf.len() {
            return Err(Overrun { at: self.pos, what });
        }
        self.pos = pos;
        Ok(())
    }

    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Overrun> {
        if n > self.remaining() {
            return Err(Overrun { at: self.pos, what });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Overrun> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N, what)?);
        Ok(a)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, Overrun> {
        Ok(self.array::<1>(what)?[0])
    }
    pub fn u16(&mut self, what: &'static str) -> Result<u16, Overrun> {
        Ok(self.endian.u16(self.array(what)?))
    }
    pub fn u32(&mut self, what: &'static str) -> Result<u32, Overrun> {
        Ok(self.endian.u32(self.array(what)?))
    }
    pub fn u64(&mut self, what: &'static str) -> Result<u64, Overrun> {
        Ok(self.endian.u64(self.array(what)?))
    }
    pub fn i64(&mut self, what: &'static str) -> Result<i64, Overrun> {
        Ok(self.u64(what)? as i64)
    }

    /// A string stored as a u16 length and that many bytes (not NUL-terminated); a trailing
    /// NUL, when present, is dropped.
    pub fn str16(&mut self, what: &'static str) -> Result<Vec<u8>, Overrun> {
        let n = self.u16(what)? as usize;
        let s = self.bytes(n, what)?;
        Ok(trim_nul(s).to_vec())
    }
}

/// `s` without its trailing NUL bytes.
pub fn trim_nul(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block as a writer would lay it out (little-endian).
    pub(crate) fn block(kind: u32, body: &[u8]) -> Vec<u8> {
        let total = (12 + body.len()) as u32;
        let mut v = kind.to_le_bytes().to_vec();
        v.extend_from_slice(&total.to_le_bytes());
        v.extend_from_slice(body);
        v.extend_from_slice(&total.to_le_bytes());
        v
    }

    fn shb_body() -> Vec<u8> {
        let mut b = SHB_MAGIC.to_le_bytes().to_vec();
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b
    }

    #[test]
    fn reads_blocks_and_clean_end() {
        let mut f = block(SHB, &shb_body());
        f.extend(block(0x201, &[1, 2, 3, 4]));
        let mut r = BlockReader::new(&f[..]);
        let b = r.next_block().unwrap().unwrap();
        assert_eq!((b.kind, b.offset, b.body.len()), (SHB, 0, 16));
        let b = r.next_block().unwrap().unwrap();
        assert_eq!(
            (b.kind, b.offset, &b.body[..]),
            (0x201, 28, &[1u8, 2, 3, 4][..])
        );
        assert!(r.next_block().unwrap().is_none());
    }

    #[test]
    fn big_endian_section() {
        let mut body = SHB_MAGIC.to_be_bytes().to_vec();
        body.extend_from_slice(&[0, 1, 0, 2]);
        body.extend_from_slice(&[0xff; 8]);
        let mut f = SHB.to_be_bytes().to_vec();
        f.extend_from_slice(&28u32.to_be_bytes());
        f.extend_from_slice(&body);
        f.extend_from_slice(&28u32.to_be_bytes());
        f.extend_from_slice(&0x201u32.to_be_bytes());
        f.extend_from_slice(&16u32.to_be_bytes());
        f.extend_from_slice(&[9, 9, 9, 9]);
        f.extend_from_slice(&16u32.to_be_bytes());
        let mut r = BlockReader::new(&f[..]);
        assert_eq!(r.next_block().unwrap().unwrap().endian, Endian::Big);
        let b = r.next_block().unwrap().unwrap();
        assert_eq!((b.kind, b.body.len()), (0x201, 4));
    }

    #[test]
    fn not_scap() {
        for f in [
            &b""[..],
            b"hello world, not a capture",
            b"\x0a\x0d\x0d\x0a\x1c\0\0\0XXXX",
        ] {
            let mut r = BlockReader::new(f);
            assert!(
                matches!(r.next_block(), Err(BlockError::NotScap(_))),
                "{f:?}"
            );
        }
    }

    #[test]
    fn truncated_inside_a_block() {
        let mut f = block(SHB, &shb_body());
        let second = block(0x201, &[0; 40]);
        for cut in [1, 7, 8, 20, second.len() - 1] {
            let mut g = f.clone();
            g.extend_from_slice(&second[..cut]);
            let mut r = BlockReader::new(&g[..]);
            r.next_block().unwrap();
            assert!(
                matches!(r.next_block(), Err(BlockError::Truncated { offset: 28 })),
                "cut {cut}"
            );
        }
        f.extend(second);
        assert!(BlockReader::new(&f[..]).next_block().is_ok());
    }

    #[test]
    fn known_size_stops_before_allocating() {
        let mut f = block(SHB, &shb_body());
        f.extend(block(0x201, &[0; 4096]));
        let cut = &f[..100];
        let mut r = BlockReader::with_size(cut, cut.len() as u64);
        r.next_block().unwrap();
        assert!(matches!(
            r.next_block(),
            Err(BlockError::Truncated { offset: 28 })
        ));
    }

    #[test]
    fn corrupt_lengths() {
        let mut f = block(SHB, &shb_body());
        let mut b = block(0x201, &[0; 8]);
        b[4] = 16; // says 16 but the trailer says 20
        f.extend(b);
        let mut r = BlockReader::new(&f[..]);
        r.next_block().unwrap();
        match r.next_block() {
            Err(BlockError::Corrupt { offset: 28, what }) => assert!(what.contains("16")),
            other => panic!("{other:?}"),
        }
        let mut f = block(SHB, &shb_body());
        f.extend(block(0x201, &[]));
        f[28 + 4] = 4; // shorter than a header
        let mut r = BlockReader::new(&f[..]);
        r.next_block().unwrap();
        assert!(matches!(
            r.next_block(),
            Err(BlockError::Corrupt { offset: 28, .. })
        ));
    }

    #[test]
    fn huge_length_is_corrupt_not_an_allocation() {
        let mut f = block(SHB, &shb_body());
        f.extend_from_slice(&0x204u32.to_le_bytes());
        f.extend_from_slice(&0x7fff_0000u32.to_le_bytes());
        let mut r = BlockReader::new(&f[..]);
        r.next_block().unwrap();
        assert!(matches!(r.next_block(), Err(BlockError::Corrupt { .. })));
    }

    #[test]
    fn cursor_bounds_and_ints() {
        let data = [1u8, 0, 2, 0, 0, 0, 3, b'a', b'b', 0];
        let mut c = Cursor::new(&data, Endian::Little);
        assert_eq!(c.u16("a").unwrap(), 1);
        assert_eq!(c.u32("b").unwrap(), 2);
        assert_eq!(c.u8("c").unwrap(), 3);
        assert_eq!(c.u64("d"), Err(Overrun { at: 7, what: "d" }));
        assert_eq!(c.bytes(3, "e").unwrap(), b"ab\0");
        assert_eq!(Endian::Little.int(&[0xff]), Some(-1));
        assert_eq!(Endian::Little.int(&[0xfe, 0xff, 0xff, 0xff]), Some(-2));
        assert_eq!(Endian::Big.uint(&[1, 0]), Some(256));
        assert_eq!(Endian::Little.uint(&[]), None);
        assert_eq!(trim_nul(b"x\0\0"), b"x");
    }
}
