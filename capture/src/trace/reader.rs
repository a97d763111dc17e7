//! [`TraceReader`]: a `.spt` file back into records.
//!
//! Every length read from the file is checked against the bytes left in the file and against
//! the format's maxima before anything is allocated; frames are decompressed by a streaming
//! decoder that stops one byte past the declared size, so memory follows the real contents.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::decode::{DecodeError, FrameDecoder};
use super::format::{
    crc32, decode_footer, last_known_minor, le_u32, le_u64, FrameHeader, IndexEntry,
    FRAME_HAS_STATE, FRAME_HEADER_LEN, FRAME_TAG, INDEX_ENTRY_LEN, INDEX_TAG, MAGIC,
    MAX_COMPRESSED_LEN, MAX_FRAME_LEN, MAX_HEADER_LEN, MAX_WINDOW_LOG, PREFIX_LEN, TRAILER_LEN,
    TRAILER_MAGIC,
};
use super::{Header, TraceError};
use crate::event::Record;

/// Reads one `.spt` file. See [the module docs](super) for an example.
pub struct TraceReader<R = BufReader<File>> {
    src: Src<R>,
    path: PathBuf,
    len: u64,
    version: (u16, u16),
    header: Header,
    body_start: u64,
    /// Offset of the next block to read.
    pos: u64,
    /// The footer's index and where the footer starts, when the file has a sound one.
    index: Option<(Vec<IndexEntry>, u64)>,
    /// A trailer was found but its footer is damaged: reported after the last record.
    bad_footer: Option<u64>,
    /// State records of the frames [`TraceReader::seek_time`] skipped, returned first.
    kept: VecDeque<Record>,
    /// The uncompressed frame being read (its buffer kept from frame to frame), the decoder
    /// walking it, where the frame starts in the file and how many records its header says.
    frame: Vec<u8>,
    dec: Option<FrameDecoder>,
    frame_at: u64,
    frame_count: u32,
    records_read: u64,
    skipped: u64,
    done: bool,
}

impl TraceReader<BufReader<File>> {
    /// Open `path` and read its header (and its footer, when it has one).
    pub fn open(path: &Path) -> Result<Self, TraceError> {
        let file = File::open(path).map_err(|source| TraceError::Io {
            context: format!("cannot open {}", path.display()),
            source,
        })?;
        let len = file
            .metadata()
            .map_err(|source| TraceError::Io {
                context: format!("cannot stat {}", path.display()),
                source,
            })?
            .len();
        TraceReader::new(BufReader::with_capacity(256 << 10, file), len, path)
    }
}

impl<R: Read + Seek> TraceReader<R> {
    /// Read a trace of `len` bytes from `src`; `path` names it in errors.
    pub fn new(src: R, len: u64, path: impl Into<PathBuf>) -> Result<Self, TraceError> {
        let path = path.into();
        let mut src = Src {
            inner: src,
            pos: None,
        };
        let not = |why: &str| TraceError::NotATrace {
            path: path.clone(),
            why: why.to_string(),
        };
        if len == 0 {
            return Err(not("empty file"));
        }
        let mut prefix = [0u8; PREFIX_LEN];
        let got = read_upto(&mut src, &mut prefix, &path)?;
        if !prefix[..got.min(8)].starts_with(&MAGIC[..got.min(8)]) || got < 4 {
            return Err(not("wrong magic number"));
        }
        let truncated = |offset| TraceError::Truncated {
            path: path.clone(),
            offset,
            records_read: 0,
        };
        if got < PREFIX_LEN {
            return Err(truncated(got as u64));
        }
        let major = u16::from_le_bytes([prefix[8], prefix[9]]);
        let minor = u16::from_le_bytes([prefix[10], prefix[11]]);
        if last_known_minor(major).is_none() {
            return Err(TraceError::Version {
                path: path.clone(),
                major,
                minor,
            });
        }
        let header_len = le_u32(&prefix[12..16]);
        let corrupt = |offset, what: String| TraceError::Corrupt {
            path: path.clone(),
            offset,
            what,
        };
        if header_len > MAX_HEADER_LEN {
            return Err(corrupt(
                12,
                format!("header length {header_len} is too large"),
            ));
        }
        let body_start = PREFIX_LEN as u64 + header_len as u64;
        if body_start > len {
            return Err(truncated(PREFIX_LEN as u64));
        }
        let mut block = vec![0u8; header_len as usize];
        read_exact_at(&mut src, &mut block, &path, PREFIX_LEN as u64)?;
        if crc32(&block) != le_u32(&prefix[16..20]) {
            return Err(corrupt(
                PREFIX_LEN as u64,
                "header checksum mismatch".into(),
            ));
        }
        let header: Header = rmp_serde::from_slice(&block)
            .map_err(|e| corrupt(PREFIX_LEN as u64, format!("bad header: {e}")))?;
        let mut r = TraceReader {
            src,
            path,
            len,
            version: (major, minor),
            header,
            body_start,
            pos: body_start,
            index: None,
            bad_footer: None,
            kept: VecDeque::new(),
            frame: Vec::new(),
            dec: None,
            frame_at: body_start,
            frame_count: 0,
            records_read: 0,
            skipped: 0,
            done: false,
        };
        r.load_footer()?;
        Ok(r)
    }

    /// The file's header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The file's format version (major, minor).
    pub fn version(&self) -> (u16, u16) {
        self.version
    }

    /// The footer's frame index, when the file was finished cleanly.
    pub fn frames(&self) -> Option<&[IndexEntry]> {
        self.index.as_ref().map(|(i, _)| i.as_slice())
    }

    /// The first and last event timestamps of the file, from the footer's index (`None`
    /// without a footer, or when the file holds no event).
    pub fn time_range(&self) -> Option<(u64, u64)> {
        let frames = self
            .frames()?
            .iter()
            .filter(|e| e.max_ts != 0 || e.min_ts != 0);
        frames.fold(None, |acc, e| match acc {
            None => Some((e.min_ts, e.max_ts)),
            Some((lo, hi)) => Some((lo.min(e.min_ts), hi.max(e.max_ts))),
        })
    }

    /// How far the reading has come, in bytes of the file, and the file's length (for progress
    /// bars): within a frame, its bytes in proportion to the records already taken from it.
    pub fn progress(&self) -> (u64, u64) {
        let end = self.pos.min(self.len);
        let start = self.frame_at.min(end);
        let done = match (&self.dec, self.frame_count) {
            (Some(d), n) if n > 0 => {
                let taken = d.records_read().min(n) as u64;
                start + (end - start) * taken / n as u64
            }
            _ => end,
        };
        (done, self.len)
    }

    /// Records returned so far.
    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// Records skipped because this reader does not know their kind (a newer writer's).
    pub fn records_skipped(&self) -> u64 {
        self.skipped
    }

    /// The next record, `Ok(None)` at the end. After an error, further calls return
    /// `Ok(None)`; [`TraceError::Truncated`] means every complete frame was returned.
    pub fn next_record(&mut self) -> Result<Option<Record>, TraceError> {
        let mut rec = None;
        self.next_into(&mut rec)?;
        Ok(rec)
    }

    /// The next record into `slot` (`None` at the end). The record `slot` held lends its
    /// allocations to the new one, and an event is decoded in place: a caller that keeps one
    /// record (or a batch of them) and hands it back reads a long trace cheaply.
    pub fn next_into(&mut self, slot: &mut Option<Record>) -> Result<(), TraceError> {
        loop {
            if let Some(r) = self.kept.pop_front() {
                self.records_read += 1;
                *slot = Some(r);
                return Ok(());
            }
            match self.next_in_frame(slot) {
                Ok(true) => {
                    self.records_read += 1;
                    return Ok(());
                }
                Ok(false) => {}
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
            if self.done {
                return Ok(());
            }
            match self.read_block() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return Ok(());
                }
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        }
    }

    /// Go to the first frame that may hold events at or after `ts` (wall-clock ns): with the
    /// footer's index when there is one, else by reading frame headers only. The state records
    /// (threads, fds, containers, users) of the frames skipped are kept and come first; their
    /// events are not returned, lifecycle events included. The first frame read may still hold
    /// earlier events, so the caller keeps filtering by time. Trouble met while scanning
    /// without an index (a file cut short) is reported by the next
    /// [`TraceReader::next_record`].
    pub fn seek_time(&mut self, ts: u64) -> Result<(), TraceError> {
        self.kept.clear();
        self.dec = None;
        self.done = false;
        let mut state_frames = Vec::new();
        if let Some((index, footer)) = &self.index {
            let target = index.iter().position(|e| e.max_ts >= ts);
            let skipped = &index[..target.unwrap_or(index.len())];
            state_frames.extend(
                skipped
                    .iter()
                    .filter(|e| e.flags & FRAME_HAS_STATE != 0)
                    .map(|e| e.offset),
            );
            self.pos = target.map_or(*footer, |i| index[i].offset);
        } else {
            self.pos = self.body_start;
            loop {
                let start = self.pos;
                // At the end, or at trouble that the next read will report: stop here.
                let Ok(Some(fh)) = self.frame_header() else {
                    self.pos = start;
                    break;
                };
                if fh.max_ts >= ts {
                    self.pos = start;
                    break;
                }
                if fh.flags & FRAME_HAS_STATE != 0 {
                    state_frames.push(start);
                }
                self.pos = start + FRAME_HEADER_LEN as u64 + fh.compressed_len as u64;
            }
        }
        let target = self.pos;
        let mut kept = VecDeque::new();
        let mut slot = None;
        for offset in state_frames {
            self.pos = offset;
            let mut read = self.read_block().map(|_| ());
            while let Ok(()) = read {
                match self.next_in_frame(&mut slot) {
                    Ok(true) => match slot.take() {
                        Some(Record::Event(_)) | None => {}
                        Some(r) => kept.push_back(r),
                    },
                    Ok(false) => break,
                    Err(e) => read = Err(e),
                }
            }
            if let Err(e) = read {
                self.dec = None;
                self.done = true;
                return Err(e);
            }
        }
        self.kept = kept;
        self.pos = target;
        Ok(())
    }

    fn truncated(&self, offset: u64) -> TraceError {
        TraceError::Truncated {
            path: self.path.clone(),
            offset,
            records_read: self.records_read,
        }
    }

    fn corrupt(&self, offset: u64, what: impl Into<String>) -> TraceError {
        TraceError::Corrupt {
            path: self.path.clone(),
            offset,
            what: what.into(),
        }
    }

    /// Read the trailer and footer, if the file ends with them.
    fn load_footer(&mut self) -> Result<(), TraceError> {
        if self.len < self.body_start + (TRAILER_LEN + 12) as u64 {
            return Ok(());
        }
        let mut trailer = [0u8; TRAILER_LEN];
        read_exact_at(
            &mut self.src,
            &mut trailer,
            &self.path,
            self.len - TRAILER_LEN as u64,
        )?;
        if trailer[8..] != TRAILER_MAGIC {
            return Ok(());
        }
        let footer_offset = le_u64(&trailer[..8]);
        let footer_end = self.len - TRAILER_LEN as u64;
        if footer_offset < self.body_start || footer_offset.saturating_add(12) > footer_end {
            self.bad_footer = Some(footer_end);
            return Ok(());
        }
        // Bounded by the file's size, which was checked just above.
        let mut block = vec![0u8; (footer_end - footer_offset) as usize];
        read_exact_at(&mut self.src, &mut block, &self.path, footer_offset)?;
        match decode_footer(&block) {
            Some(index)
                if index
                    .iter()
                    .all(|e| e.offset >= self.body_start && e.offset < footer_offset) =>
            {
                self.index = Some((index, footer_offset));
            }
            _ => self.bad_footer = Some(footer_offset),
        }
        Ok(())
    }

    /// Read the frame header at `self.pos`, leaving `pos` after it. `Ok(None)` at a clean end
    /// (the footer).
    fn frame_header(&mut self) -> Result<Option<FrameHeader>, TraceError> {
        let at = self.pos;
        if let Some((_, footer)) = self.index {
            if at >= footer {
                return Ok(None);
            }
        }
        let left = self.len.saturating_sub(at);
        if left == 0 {
            // A file without footer: the capture was killed between frames.
            return Err(self.truncated(at));
        }
        if left < 4 {
            return Err(self.truncated(at));
        }
        let mut tag = [0u8; 4];
        read_exact_at(&mut self.src, &mut tag, &self.path, at)?;
        if tag == INDEX_TAG {
            return self.footer_at(at).map(|()| None);
        }
        if tag != FRAME_TAG {
            return Err(self.corrupt(at, "expected a frame, found unknown bytes"));
        }
        if left < FRAME_HEADER_LEN as u64 {
            return Err(self.truncated(at));
        }
        let mut b = [0u8; FRAME_HEADER_LEN];
        b[..4].copy_from_slice(&tag);
        read_exact_at(&mut self.src, &mut b[4..], &self.path, at + 4)?;
        let fh = FrameHeader::decode(&b)
            .ok_or_else(|| self.corrupt(at, "frame header checksum mismatch"))?;
        if fh.uncompressed_len > MAX_FRAME_LEN || fh.compressed_len > MAX_COMPRESSED_LEN {
            return Err(self.corrupt(at, "frame length is impossibly large"));
        }
        if fh.compressed_len as u64 > left - FRAME_HEADER_LEN as u64 {
            return Err(self.truncated(at));
        }
        self.pos = at + FRAME_HEADER_LEN as u64;
        Ok(Some(fh))
    }

    /// A footer block met while reading sequentially (the index was not loaded): a clean end
    /// when a sound footer and trailer end the file there.
    fn footer_at(&mut self, at: u64) -> Result<(), TraceError> {
        if self.bad_footer.is_some() {
            return Err(self.corrupt(at, "the frame index at the end of the file is damaged"));
        }
        let left = self.len - at;
        if left < 8 {
            return Err(self.truncated(at));
        }
        let mut n = [0u8; 8];
        read_exact_at(&mut self.src, &mut n, &self.path, at)?;
        let size = 12 + le_u32(&n[4..8]) as u64 * INDEX_ENTRY_LEN as u64;
        if size + TRAILER_LEN as u64 > left {
            return Err(self.truncated(at));
        }
        if size + TRAILER_LEN as u64 == left {
            // Footer and trailer fill the rest, yet the trailer did not lead here.
            return Err(self.corrupt(self.len - TRAILER_LEN as u64, "the trailer is damaged"));
        }
        Err(self.corrupt(at, "frame index in the middle of the file"))
    }

    /// Read and decode the next frame into `pending`. `Ok(false)` at a clean end.
    fn read_block(&mut self) -> Result<bool, TraceError> {
        let at = self.pos;
        let Some(fh) = self.frame_header()? else {
            if let Some(off) = self.bad_footer {
                return Err(self.corrupt(off, "the frame index at the end of the file is damaged"));
            }
            return Ok(false);
        };
        let data_at = self.pos;
        // Bounded by the bytes left in the file (checked by frame_header).
        let mut z = vec![0u8; fh.compressed_len as usize];
        read_exact_at(&mut self.src, &mut z, &self.path, data_at)?;
        self.pos = data_at + z.len() as u64;
        // zstd frame magic, then the frame header descriptor whose bit 2 is the checksum flag.
        if z.len() < 5 || z[..4] != [0x28, 0xb5, 0x2f, 0xfd] || z[4] & 0x04 == 0 {
            return Err(self.corrupt(data_at, "frame is not a checksummed zstd frame"));
        }
        let mut data = std::mem::take(&mut self.frame);
        if let Err(e) = decompress(&z, fh.uncompressed_len as usize, &mut data) {
            return Err(self.corrupt(data_at, format!("cannot decompress frame: {e}")));
        }
        if data.len() != fh.uncompressed_len as usize {
            return Err(self.corrupt(
                data_at,
                format!(
                    "frame holds {} bytes, its header says {}",
                    data.len(),
                    fh.uncompressed_len
                ),
            ));
        }
        let (major, minor) = self.version;
        let lenient = last_known_minor(major).is_none_or(|m| minor > m);
        self.frame_at = at;
        self.frame_count = fh.count;
        self.dec = Some(FrameDecoder::new(&data, major, lenient).map_err(|e| self.bad_record(e))?);
        self.frame = data;
        Ok(true)
    }

    /// The next record of the frame being read into `slot`; `Ok(false)` when there is none
    /// (or the frame has ended, its record count checked).
    fn next_in_frame(&mut self, slot: &mut Option<Record>) -> Result<bool, TraceError> {
        let Some(dec) = &mut self.dec else {
            *slot = None;
            return Ok(false);
        };
        match dec.next_into(&self.frame, slot) {
            Ok(()) if slot.is_some() => Ok(true),
            Ok(()) => {
                let (n, skipped) = (dec.records_read(), dec.records_skipped());
                self.dec = None;
                self.skipped += skipped as u64;
                if n != self.frame_count {
                    return Err(self.corrupt(
                        self.frame_at,
                        format!(
                            "frame holds {n} records, its header says {}",
                            self.frame_count
                        ),
                    ));
                }
                Ok(false)
            }
            Err(e) => {
                self.dec = None;
                *slot = None;
                Err(self.bad_record(e))
            }
        }
    }

    fn bad_record(&self, e: DecodeError) -> TraceError {
        self.corrupt(
            self.frame_at,
            format!(
                "frame record {} (byte {} of the frame): {}",
                e.record, e.pos, e.what
            ),
        )
    }
}

impl<R: Read + Seek> Iterator for TraceReader<R> {
    type Item = Result<Record, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

/// Decompress one zstd frame into `out` (emptied first, its capacity kept), producing at most
/// `limit + 1` bytes.
fn decompress(z: &[u8], limit: usize, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut dec = zstd::stream::read::Decoder::with_buffer(z)?.single_frame();
    // The window buffer is allocated from the frame's own header: bound it too.
    dec.window_log_max(MAX_WINDOW_LOG)?;
    // The declared size is only trusted as a bound: the buffer grows with the real contents.
    out.clear();
    dec.take(limit as u64 + 1).read_to_end(out)?;
    Ok(())
}

/// The byte source, remembering where it stands so that sequential reads do not seek (a
/// seek empties a `BufReader`).
struct Src<R> {
    inner: R,
    pos: Option<u64>,
}

fn read_exact_at<R: Read + Seek>(
    src: &mut Src<R>,
    buf: &mut [u8],
    path: &Path,
    at: u64,
) -> Result<(), TraceError> {
    let r = (|| {
        if src.pos != Some(at) {
            src.pos = None;
            src.inner.seek(SeekFrom::Start(at))?;
        }
        src.inner.read_exact(buf)?;
        src.pos = Some(at + buf.len() as u64);
        Ok(())
    })();
    r.map_err(|source| {
        src.pos = None;
        TraceError::Io {
            context: format!("cannot read {} at byte {at}", path.display()),
            source,
        }
    })
}

/// Read as many bytes as the source has, up to `buf.len()`, from the start.
fn read_upto<R: Read + Seek>(
    src: &mut Src<R>,
    buf: &mut [u8],
    path: &Path,
) -> Result<usize, TraceError> {
    let io = |source| TraceError::Io {
        context: format!("cannot read {}", path.display()),
        source,
    };
    src.pos = None;
    src.inner.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut got = 0;
    while got < buf.len() {
        match src.inner.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(e)),
        }
    }
    src.pos = Some(got as u64);
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, EventKind};
    use crate::trace::codec::FrameEncoder;
    use crate::trace::format::{FORMAT_MAJOR, FORMAT_MINOR, PREFIX_LEN};

    /// A file of the given minor version holding one frame of `records` (no footer).
    fn file_with_frame(minor: u16, records: &[u8], count: u32) -> Vec<u8> {
        let header = rmp_serde::to_vec_named(&Header::default()).unwrap();
        let mut f = MAGIC.to_vec();
        f.extend_from_slice(&FORMAT_MAJOR.to_le_bytes());
        f.extend_from_slice(&minor.to_le_bytes());
        f.extend_from_slice(&(header.len() as u32).to_le_bytes());
        f.extend_from_slice(&crc32(&header).to_le_bytes());
        assert_eq!(f.len(), PREFIX_LEN);
        f.extend_from_slice(&header);
        let mut z = zstd::bulk::Compressor::new(3).unwrap();
        z.set_parameter(zstd::stream::raw::CParameter::ChecksumFlag(true))
            .unwrap();
        let z = z.compress(records).unwrap();
        let fh = FrameHeader {
            compressed_len: z.len() as u32,
            uncompressed_len: records.len() as u32,
            count,
            min_ts: 0,
            max_ts: 0,
            flags: 0,
        };
        f.extend_from_slice(&fh.encode());
        f.extend_from_slice(&z);
        f
    }

    fn event(ts: u64) -> Record {
        Record::Event(Event {
            ts,
            tid: 5,
            pid: 5,
            cpu: 0,
            kind: EventKind::ThreadExit { status: 0 },
        })
    }

    /// Records a newer writer might write: an event of an unknown variant, a record of an
    /// unknown kind, and known events around them.
    fn newer_records() -> Vec<u8> {
        let mut enc = FrameEncoder::default();
        enc.push(&event(100)).unwrap();
        // Event variant 12 at ts 107: same thread and cpu, a body this reader cannot know.
        enc.push_raw(1, &[0x0c | 0x10 | 0x40, 0, 0xaa, 0xbb], Some(7), None);
        enc.push_raw(42, &[1, 2, 3], None, None);
        enc.push(&event(110)).unwrap();
        enc.finish()
    }

    fn read(data: &[u8]) -> (Vec<Record>, TraceError, u64) {
        let mut r = TraceReader::new(std::io::Cursor::new(data), data.len() as u64, "t").unwrap();
        let mut got = Vec::new();
        loop {
            match r.next_record() {
                Ok(Some(x)) => got.push(x),
                Ok(None) => panic!("a file without footer ends with an error"),
                Err(e) => return (got, e, r.records_skipped()),
            }
        }
    }

    #[test]
    fn newer_minor_records_are_skipped() {
        let f = file_with_frame(FORMAT_MINOR + 1, &newer_records(), 4);
        let (got, end, skipped) = read(&f);
        assert!(end.is_truncated(), "{end}");
        // The unknown event still advanced the timestamp chain: the next event's is right.
        assert_eq!(got, vec![event(100), event(110)]);
        assert_eq!(skipped, 2);
    }

    #[test]
    fn unknown_variants_are_corruption_in_a_file_of_our_minor() {
        let f = file_with_frame(FORMAT_MINOR, &newer_records(), 4);
        let (got, end, _) = read(&f);
        // The records before the damage are read.
        assert_eq!(got, vec![event(100)]);
        let msg = end.to_string();
        assert!(matches!(end, TraceError::Corrupt { .. }), "{msg}");
        assert!(msg.contains("unknown event variant 12"), "{msg}");
    }

    #[test]
    fn frame_record_count_must_match() {
        let f = file_with_frame(FORMAT_MINOR + 1, &newer_records(), 5);
        let (got, end, _) = read(&f);
        // Records are read as the frame is walked: the count is checked at its end.
        assert_eq!(got, vec![event(100), event(110)]);
        assert!(end.to_string().contains("says 5"), "{end}");
    }

    #[test]
    fn frame_without_zstd_checksum_is_refused() {
        let records = newer_records();
        let mut f = file_with_frame(FORMAT_MINOR + 1, &records, 4);
        let header_len = rmp_serde::to_vec_named(&Header::default()).unwrap().len();
        let data_at = PREFIX_LEN + header_len + FRAME_HEADER_LEN;
        f[data_at + 4] &= !0x04;
        let (_, end, _) = read(&f);
        assert!(end.to_string().contains("checksummed"), "{end}");
    }

    #[test]
    fn progress_moves_through_a_frame_as_its_records_are_taken() {
        let mut enc = FrameEncoder::default();
        for ts in 0..4 {
            enc.push(&event(100 + ts)).unwrap();
        }
        let f = file_with_frame(FORMAT_MINOR, &enc.finish(), 4);
        let len = f.len() as u64;
        let mut r = TraceReader::new(std::io::Cursor::new(&f), len, "t").unwrap();
        let (start, total) = r.progress();
        assert_eq!(total, len);
        assert!(start < len);
        let mut seen = vec![start];
        while let Ok(Some(_)) = r.next_record() {
            seen.push(r.progress().0);
        }
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert!(
            seen[1] < len,
            "the first record taken is not the whole frame: {seen:?}"
        );
        assert_eq!(seen.last(), Some(&len), "{seen:?}");
    }
}
