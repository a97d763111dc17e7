//! [`TraceWriter`]: records in, `.spt` file out.
//!
//! The caller's thread only encodes records into the open frame (cheap: about 40 ns an event
//! in a release build here). Closed frames go, uncompressed, through a bounded channel to a thread that
//! compresses them with zstd, writes them and flushes the file after each, so that a frame is
//! on disk as soon as it is compressed. The ptrace engine's tracees stay stopped while their
//! records are handled, so keeping compression off that path matters.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::codec::FrameEncoder;
use super::format::{
    crc32, encode_footer, FrameHeader, IndexEntry, FORMAT_MAJOR, FORMAT_MINOR, FRAME_HAS_STATE,
    MAGIC, MAX_FRAME_LEN, TRAILER_MAGIC,
};
use super::{Header, TraceError};
use crate::event::Record;

/// How a [`TraceWriter`] cuts and compresses frames.
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// Close a frame when its uncompressed records reach this many bytes (at most half of
    /// [`MAX_FRAME_LEN`](super::format::MAX_FRAME_LEN)).
    pub frame_bytes: usize,
    /// [`TraceWriter::tick`] closes a frame opened longer ago than this.
    pub frame_age: Duration,
    /// zstd compression level.
    pub level: i32,
    /// Compress and write on a background thread (the default); `false` does it inline.
    pub background: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            frame_bytes: 4 << 20,
            frame_age: Duration::from_secs(1),
            level: 6,
            background: true,
        }
    }
}

/// What a finished file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Records written.
    pub records: u64,
    /// Frames written.
    pub frames: u64,
    /// Bytes of the file, footer included.
    pub bytes: u64,
}

/// Writes one `.spt` file. Call [`TraceWriter::finish`] at the end to write the footer (dropping
/// the writer does it too, ignoring errors).
pub struct TraceWriter {
    path: PathBuf,
    header: Header,
    opts: WriterOptions,
    frame: FrameEncoder,
    count: u32,
    min_ts: u64,
    max_ts: u64,
    has_events: bool,
    flags: u32,
    opened: Option<Instant>,
    records: u64,
    /// Bytes on disk so far (shared with the background thread).
    bytes: Arc<AtomicU64>,
    sink: Option<Sink>,
}

enum Sink {
    Inline(FrameSink),
    Thread {
        tx: SyncSender<Msg>,
        handle: JoinHandle<Result<WriteSummary, TraceError>>,
    },
}

enum Msg {
    Frame(Vec<u8>, FrameHeader),
    Flush(SyncSender<()>),
    Finish,
}

impl TraceWriter {
    /// Create (or truncate) `path`, mode 0600, and write `header` with the default options.
    pub fn create(path: &Path, header: &Header) -> Result<TraceWriter, TraceError> {
        TraceWriter::create_with(path, header, WriterOptions::default())
    }

    /// As [`TraceWriter::create`], with options.
    pub fn create_with(
        path: &Path,
        header: &Header,
        opts: WriterOptions,
    ) -> Result<TraceWriter, TraceError> {
        let io = |source| TraceError::Io {
            context: format!("cannot create {}", path.display()),
            source,
        };
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        // `mode` applies only to a new file: an existing one keeps its mode unless changed.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        TraceWriter::from_writer(file, path, header, opts)
    }

    /// Write a trace to any byte sink (a pipe, stdout); `name` is used in error messages.
    pub fn from_writer<W: Write + Send + 'static>(
        out: W,
        name: &Path,
        header: &Header,
        opts: WriterOptions,
    ) -> Result<TraceWriter, TraceError> {
        let mut opts = opts;
        opts.frame_bytes = opts.frame_bytes.clamp(1, MAX_FRAME_LEN as usize / 2);
        let bytes = Arc::new(AtomicU64::new(0));
        let mut sink = FrameSink::new(Box::new(out), name, &opts, bytes.clone())?;
        sink.write_header(header)?;
        let sink = if opts.background {
            let (tx, rx) = sync_channel(2);
            let handle = std::thread::Builder::new()
                .name("spt-writer".into())
                .spawn(move || sink.run(rx))
                .map_err(|source| TraceError::Io {
                    context: "cannot start the trace writer thread".into(),
                    source,
                })?;
            Sink::Thread { tx, handle }
        } else {
            Sink::Inline(sink)
        };
        Ok(TraceWriter {
            path: name.to_path_buf(),
            header: header.clone(),
            frame: FrameEncoder::with_capacity(opts.frame_bytes + 4096),
            opts,
            count: 0,
            min_ts: 0,
            max_ts: 0,
            has_events: false,
            flags: 0,
            opened: None,
            records: 0,
            bytes,
            sink: Some(sink),
        })
    }

    /// The header this writer wrote.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The file (or name) being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes written to the file so far (closed frames only).
    pub fn bytes_written(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Add a record to the open frame; closes the frame when it is full.
    pub fn write(&mut self, rec: &Record) -> Result<(), TraceError> {
        if self.sink.is_none() {
            return Err(TraceError::Closed {
                path: self.path.clone(),
            });
        }
        if self.opened.is_none() {
            self.opened = Some(Instant::now());
        }
        let (before, mark) = (self.frame.len(), self.frame.mark());
        self.frame.push(rec).map_err(|source| TraceError::Encode {
            kind: rec.kind(),
            source,
        })?;
        let size = self.frame.len().saturating_sub(before);
        if size > MAX_FRAME_LEN as usize / 2 {
            // Undo the record, and what the event encoding remembered of it.
            self.frame.undo(mark);
            return Err(TraceError::TooLarge {
                kind: rec.kind(),
                bytes: size,
            });
        }
        match rec {
            Record::Event(e) => {
                if !self.has_events {
                    (self.min_ts, self.max_ts, self.has_events) = (e.ts, e.ts, true);
                } else {
                    self.min_ts = self.min_ts.min(e.ts);
                    self.max_ts = self.max_ts.max(e.ts);
                }
            }
            _ => self.flags |= FRAME_HAS_STATE,
        }
        self.count += 1;
        self.records += 1;
        if self.frame.len() >= self.opts.frame_bytes || self.count == u32::MAX {
            self.close_frame()?;
        }
        Ok(())
    }

    /// Close the open frame if it was opened more than [`WriterOptions::frame_age`] before
    /// `now`. The capture loop calls this at least every second.
    pub fn tick(&mut self, now: Instant) -> Result<(), TraceError> {
        match self.opened {
            Some(t) if now.saturating_duration_since(t) >= self.opts.frame_age => {
                self.close_frame()
            }
            _ => Ok(()),
        }
    }

    /// Close the open frame and wait until every closed frame is in the file.
    pub fn flush(&mut self) -> Result<(), TraceError> {
        self.close_frame()?;
        match self.sink.as_mut() {
            Some(Sink::Inline(s)) => {
                let r = s.flush();
                self.close_on_error(r)
            }
            Some(Sink::Thread { tx, .. }) => {
                let (ack_tx, ack_rx) = sync_channel(1);
                if tx.send(Msg::Flush(ack_tx)).is_err() || ack_rx.recv().is_err() {
                    return Err(self.thread_error());
                }
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Close the open frame, write the footer and the trailer, and close the file.
    pub fn finish(mut self) -> Result<WriteSummary, TraceError> {
        self.finish_file()
    }

    /// Finish this file and go on in `path`, with the same header (its
    /// [`CaptureInfo::file_index`](super::CaptureInfo::file_index) one higher) followed by
    /// `state`: the thread, fd, container and user tables as they are now, so that the new file
    /// reads on its own. Returns the summary of the finished file.
    pub fn rotate(&mut self, path: &Path, state: &[Record]) -> Result<WriteSummary, TraceError> {
        let summary = self.finish_file()?;
        let mut header = self.header.clone();
        header.capture.file_index += 1;
        let next = TraceWriter::create_with(path, &header, self.opts.clone())?;
        // Replace self by the new writer; the old one is already finished (sink taken).
        *self = next;
        for r in state {
            self.write(r)?;
        }
        Ok(summary)
    }

    fn close_frame(&mut self) -> Result<(), TraceError> {
        self.opened = None;
        if self.count == 0 {
            return Ok(());
        }
        let fh = FrameHeader {
            compressed_len: 0,
            uncompressed_len: self.frame.len() as u32,
            count: self.count,
            min_ts: self.min_ts,
            max_ts: self.max_ts,
            flags: self.flags,
        };
        let data = self.frame.finish();
        (self.count, self.min_ts, self.max_ts, self.flags) = (0, 0, 0, 0);
        self.has_events = false;
        match self.sink.as_mut() {
            Some(Sink::Inline(s)) => {
                let r = s.write_frame(&data, fh);
                self.close_on_error(r)
            }
            Some(Sink::Thread { tx, .. }) => {
                if tx.send(Msg::Frame(data, fh)).is_err() {
                    return Err(self.thread_error());
                }
                Ok(())
            }
            None => Err(TraceError::Closed {
                path: self.path.clone(),
            }),
        }
    }

    fn finish_file(&mut self) -> Result<WriteSummary, TraceError> {
        self.close_frame()?;
        let records = self.records;
        let summary = match self.sink.take() {
            Some(Sink::Inline(s)) => s.finish(),
            Some(Sink::Thread { tx, handle }) => {
                let _ = tx.send(Msg::Finish);
                drop(tx);
                handle.join().unwrap_or_else(|_| {
                    Err(TraceError::WriterGone {
                        path: self.path.clone(),
                    })
                })
            }
            None => return Ok(WriteSummary::default()),
        }?;
        Ok(WriteSummary { records, ..summary })
    }

    /// After a failed write the file is in an unknown state: later writes get
    /// [`TraceError::Closed`].
    fn close_on_error(&mut self, r: Result<(), TraceError>) -> Result<(), TraceError> {
        if r.is_err() {
            self.sink = None;
        }
        r
    }

    /// The background thread stopped: collect its error.
    fn thread_error(&mut self) -> TraceError {
        let gone = TraceError::WriterGone {
            path: self.path.clone(),
        };
        match self.sink.take() {
            Some(Sink::Thread { tx, handle }) => {
                drop(tx);
                match handle.join() {
                    Ok(Err(e)) => e,
                    _ => gone,
                }
            }
            _ => gone,
        }
    }
}

impl Drop for TraceWriter {
    fn drop(&mut self) {
        if self.sink.is_some() {
            let _ = self.finish_file();
        }
    }
}

/// Compresses frames and writes them, keeping the footer index.
struct FrameSink {
    out: BufWriter<Box<dyn Write + Send>>,
    name: PathBuf,
    zstd: zstd::bulk::Compressor<'static>,
    offset: u64,
    index: Vec<IndexEntry>,
    bytes: Arc<AtomicU64>,
}

impl FrameSink {
    fn new(
        out: Box<dyn Write + Send>,
        name: &Path,
        opts: &WriterOptions,
        bytes: Arc<AtomicU64>,
    ) -> Result<FrameSink, TraceError> {
        let zerr = |e: std::io::Error| TraceError::Io {
            context: "cannot set up zstd".into(),
            source: e,
        };
        let mut zstd = zstd::bulk::Compressor::new(opts.level).map_err(zerr)?;
        zstd.set_parameter(zstd::stream::raw::CParameter::ChecksumFlag(true))
            .map_err(zerr)?;
        Ok(FrameSink {
            out: BufWriter::with_capacity(256 << 10, out),
            name: name.to_path_buf(),
            zstd,
            offset: 0,
            index: Vec::new(),
            bytes,
        })
    }

    fn io(&self, source: std::io::Error) -> TraceError {
        TraceError::Io {
            context: format!("cannot write {}", self.name.display()),
            source,
        }
    }

    fn put(&mut self, b: &[u8]) -> Result<(), TraceError> {
        self.out.write_all(b).map_err(|e| self.io(e))?;
        self.offset += b.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), TraceError> {
        self.out.flush().map_err(|e| self.io(e))?;
        self.bytes.store(self.offset, Ordering::Relaxed);
        Ok(())
    }

    fn write_header(&mut self, header: &Header) -> Result<(), TraceError> {
        let block = rmp_serde::to_vec_named(header)
            .map_err(|source| TraceError::Encode { kind: 0, source })?;
        let mut prefix = Vec::with_capacity(super::format::PREFIX_LEN);
        prefix.extend_from_slice(&MAGIC);
        prefix.extend_from_slice(&FORMAT_MAJOR.to_le_bytes());
        prefix.extend_from_slice(&FORMAT_MINOR.to_le_bytes());
        prefix.extend_from_slice(&(block.len() as u32).to_le_bytes());
        prefix.extend_from_slice(&crc32(&block).to_le_bytes());
        self.put(&prefix)?;
        self.put(&block)?;
        self.flush()
    }

    fn write_frame(&mut self, data: &[u8], mut fh: FrameHeader) -> Result<(), TraceError> {
        let z = self.zstd.compress(data).map_err(|source| TraceError::Io {
            context: format!("cannot compress a frame of {}", self.name.display()),
            source,
        })?;
        fh.compressed_len = z.len() as u32;
        self.index.push(IndexEntry {
            offset: self.offset,
            min_ts: fh.min_ts,
            max_ts: fh.max_ts,
            count: fh.count,
            flags: fh.flags,
        });
        self.put(&fh.encode())?;
        self.put(&z)?;
        // Each closed frame reaches the file at once: a killed capture keeps it.
        self.flush()
    }

    fn finish(mut self) -> Result<WriteSummary, TraceError> {
        let footer_offset = self.offset;
        let footer = encode_footer(&self.index);
        self.put(&footer)?;
        let mut trailer = footer_offset.to_le_bytes().to_vec();
        trailer.extend_from_slice(&TRAILER_MAGIC);
        self.put(&trailer)?;
        self.flush()?;
        Ok(WriteSummary {
            records: 0,
            frames: self.index.len() as u64,
            bytes: self.offset,
        })
    }

    /// The background thread's loop: frames until `Finish` (or until the writer is gone, which
    /// leaves the file without footer).
    fn run(mut self, rx: Receiver<Msg>) -> Result<WriteSummary, TraceError> {
        while let Ok(msg) = rx.recv() {
            match msg {
                Msg::Frame(data, fh) => self.write_frame(&data, fh)?,
                Msg::Flush(ack) => {
                    self.flush()?;
                    let _ = ack.send(());
                }
                Msg::Finish => return self.finish(),
            }
        }
        self.flush()?;
        Ok(WriteSummary::default())
    }
}
