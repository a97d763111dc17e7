//! The trace file (`.spt`): a header, independent zstd frames of records, a footer index.
//!
//! - [`TraceWriter`] writes records ([`Record`]: events and the state a reader needs offline)
//!   into frames, compressing and writing them on a background thread; a frame is closed when it
//!   reaches [`WriterOptions::frame_bytes`] or, through [`TraceWriter::tick`], when it is older
//!   than [`WriterOptions::frame_age`], so a capture killed at any moment leaves a file readable
//!   up to its last closed frame. [`TraceWriter::finish`] writes the footer. Files are created
//!   mode 0600: they hold what processes read and wrote.
//! - [`TraceReader`] reads one file back, frame by frame, and seeks by time with the footer
//!   ([`TraceReader::seek_time`]). It tells three kinds of trouble apart ([`TraceError`]):
//!   a file that ended early ([`TraceError::Truncated`]: a killed capture; every complete frame
//!   was read, the caller warns and exits 0), a damaged file ([`TraceError::Corrupt`], naming
//!   the byte offset) and a file that is no trace at all ([`TraceError::NotATrace`]). It never
//!   panics on file contents and never allocates more than the file's size justifies.
//! - [`MultiReader`] reads the files of one rotated capture (`-C`, `-G`) in time order;
//!   [`RotatingWriter`] writes them, with a [`Rotation`] policy.
//! - [`format`](mod@format) holds the byte layout and the version rule; [`codec`] the record
//!   encoding.
//!
//! ```
//! use syspect_capture::event::{Arg, Event, EventKind, Record};
//! use syspect_capture::trace::{Header, TraceError, TraceReader, TraceWriter};
//!
//! # fn main() -> Result<(), TraceError> {
//! let path = std::env::temp_dir().join(format!("doc-example-{}.spt", std::process::id()));
//! let header = Header::new("ptrace", 80, "evt.type=openat", vec!["syspect".into()]);
//! let mut w = TraceWriter::create(&path, &header)?;
//! w.write(&Record::Event(Event {
//!     ts: 1_700_000_000_000_000_000,
//!     tid: 42,
//!     pid: 42,
//!     cpu: 0,
//!     kind: EventKind::Enter { nr: 257, args: vec![Arg::Num(3)] },
//! }))?;
//! w.tick(std::time::Instant::now())?; // the capture loop calls this at least every second
//! w.finish()?;
//!
//! let mut r = TraceReader::open(&path)?;
//! assert_eq!(r.header().capture.engine, "ptrace");
//! let mut n = 0;
//! while let Some(rec) = r.next_record()? {
//!     assert!(matches!(rec, Record::Event(_)));
//!     n += 1;
//! }
//! assert_eq!(n, 1);
//! # std::fs::remove_file(&path).ok();
//! # Ok(())
//! # }
//! ```

pub mod codec;
pub mod decode;
pub mod format;
mod header;
mod multi;
mod reader;
mod rotate;
mod writer;

use std::path::PathBuf;

pub use crate::event::Record;
pub use format::{IndexEntry, FORMAT_MAJOR, FORMAT_MINOR};
pub use header::{CaptureInfo, Header, MachineInfo};
pub use multi::MultiReader;
pub use reader::TraceReader;
pub use rotate::{RotatingWriter, Rotation};
pub use writer::{TraceWriter, WriteSummary, WriterOptions};

/// What can go wrong writing or reading a trace.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file is not a `.spt` trace (wrong magic, empty, too short).
    #[error("{}: not a syspect trace ({why})", path.display())]
    NotATrace { path: PathBuf, why: String },
    /// A trace of a format major version this code does not read.
    #[error(
        "{}: trace format {major}.{minor} is not readable by this syspect (it reads formats {}.x to {}.x)",
        path.display(),
        format::OLDEST_MAJOR,
        FORMAT_MAJOR
    )]
    Version {
        path: PathBuf,
        major: u16,
        minor: u16,
    },
    /// The file ends early (a capture killed before it finished): every complete frame before
    /// `offset` was read. Callers warn and carry on (exit status 0).
    #[error(
        "{}: trace ends early at byte {offset}, after {records_read} records (the capture did not finish cleanly)",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        offset: u64,
        records_read: u64,
    },
    /// The file is damaged at `offset` (bad checksum, impossible length, undecodable record).
    #[error("{}: corrupt trace at byte {offset}: {what}", path.display())]
    Corrupt {
        path: PathBuf,
        offset: u64,
        what: String,
    },
    /// An I/O error, with what was being done.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A record could not be serialized.
    #[error("cannot encode a record of kind {kind}: {source}")]
    Encode {
        kind: u8,
        #[source]
        source: rmp_serde::encode::Error,
    },
    /// A record too large for a frame (half of [`format::MAX_FRAME_LEN`]).
    #[error("a record of kind {kind} takes {bytes} bytes, more than a frame may hold")]
    TooLarge { kind: u8, bytes: usize },
    /// A write after the writer failed (or after a failed rotation).
    #[error("{}: the trace writer is closed after an earlier error", path.display())]
    Closed { path: PathBuf },
    /// The background writer thread is gone without saying why.
    #[error("trace writer thread for {} ended unexpectedly", path.display())]
    WriterGone { path: PathBuf },
}

impl TraceError {
    /// True for [`TraceError::Truncated`]: the caller prints a warning and exits 0.
    pub fn is_truncated(&self) -> bool {
        matches!(self, TraceError::Truncated { .. })
    }

    /// True for [`TraceError::NotATrace`]: the caller may try another format (scap).
    pub fn is_not_a_trace(&self) -> bool {
        matches!(self, TraceError::NotATrace { .. })
    }
}

/// True when `first_bytes` (the start of a file) begin like a `.spt` trace.
pub fn is_trace(first_bytes: &[u8]) -> bool {
    first_bytes.starts_with(&format::MAGIC)
}

/// Read a whole trace held in memory: every record up to the end or to the first error. Used by
/// the fuzz target and tests; it also seeks (to the middle of the time range, and back) so
/// that the footer and the seek paths see hostile input too.
pub fn read_bytes(data: &[u8]) -> (Vec<Record>, Result<(), TraceError>) {
    let mut records = Vec::new();
    let open = TraceReader::new(std::io::Cursor::new(data), data.len() as u64, "<memory>");
    let mut r = match open {
        Ok(r) => r,
        Err(e) => return (records, Err(e)),
    };
    if let Some(mid) = r
        .frames()
        .and_then(|f| f.get(f.len() / 2))
        .map(|e| e.min_ts)
    {
        if let Err(e) = r.seek_time(mid).and_then(|()| r.seek_time(0)) {
            return (records, Err(e));
        }
    }
    loop {
        match r.next_record() {
            Ok(Some(rec)) => records.push(rec),
            Ok(None) => return (records, Ok(())),
            Err(e) => return (records, Err(e)),
        }
    }
}
