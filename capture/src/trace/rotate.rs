//! File rotation as sysdig does it: `-C MB` starts a new file when the current one reaches MB
//! million bytes, `-G SECONDS` every SECONDS, `-W N` keeps N files in a ring. With rotation on,
//! the files are named as sysdig names them: the given name with a number appended
//! (`incident.spt0`, `incident.spt1`…); [`MultiReader::rotated_paths`](super::MultiReader::rotated_paths)
//! finds them again.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{Header, TraceError, TraceWriter, WriteSummary, WriterOptions};
use crate::event::Record;

/// When to start a new file and how to name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    /// `-C`: start a new file once the current one holds this many bytes.
    pub size: Option<u64>,
    /// `-G`: start a new file this long after the current one was started.
    pub period: Option<Duration>,
    /// `-W`: keep at most this many files, overwriting the oldest.
    pub max_files: Option<u32>,
}

impl Rotation {
    /// From the command line: `-C` in millions of bytes (as sysdig), `-G` in seconds, `-W`.
    pub fn from_flags(size_mb: Option<u64>, period_s: Option<u64>, max_files: Option<u32>) -> Self {
        Rotation {
            size: size_mb.map(|m| m.saturating_mul(1_000_000)),
            period: period_s.map(Duration::from_secs),
            max_files: max_files.filter(|&n| n > 0),
        }
    }

    /// True when files are never rotated (one file, named as given).
    pub fn is_off(&self) -> bool {
        self.size.is_none() && self.period.is_none()
    }

    /// The name of the `seq`th file (counting from 0) of a capture written as `base`.
    pub fn path(&self, base: &Path, seq: u64) -> PathBuf {
        if self.is_off() {
            return base.to_path_buf();
        }
        let n = match self.max_files {
            Some(w) => seq % w as u64,
            None => seq,
        };
        numbered(base, n)
    }

    /// Whether a file started at `opened` that holds `bytes` should give way to a new one.
    pub fn due(&self, bytes: u64, opened: Instant, now: Instant) -> bool {
        self.size.is_some_and(|s| bytes >= s)
            || self
                .period
                .is_some_and(|p| now.saturating_duration_since(opened) >= p)
    }
}

/// `base` with `n` appended to its file name.
pub(crate) fn numbered(base: &Path, n: u64) -> PathBuf {
    let mut name = OsString::from(base.as_os_str());
    name.push(n.to_string());
    PathBuf::from(name)
}

/// A [`TraceWriter`] that moves to a new file as its [`Rotation`] says.
pub struct RotatingWriter {
    base: PathBuf,
    rotation: Rotation,
    writer: TraceWriter,
    seq: u64,
    opened: Instant,
}

impl RotatingWriter {
    /// Start the first file.
    pub fn create(
        base: &Path,
        header: &Header,
        rotation: Rotation,
        opts: WriterOptions,
    ) -> Result<RotatingWriter, TraceError> {
        let writer = TraceWriter::create_with(&rotation.path(base, 0), header, opts)?;
        Ok(RotatingWriter {
            base: base.to_path_buf(),
            rotation,
            writer,
            seq: 0,
            opened: Instant::now(),
        })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        self.writer.path()
    }

    /// Add a record.
    pub fn write(&mut self, rec: &Record) -> Result<(), TraceError> {
        self.writer.write(rec)
    }

    /// Close old frames, and start a new file when one is due. `state` gives the records the
    /// new file starts with (threads, fds, containers, users as they are now); it is called
    /// only when the file changes. Returns the new file's path when it did.
    pub fn tick(
        &mut self,
        now: Instant,
        state: impl FnOnce() -> Vec<Record>,
    ) -> Result<Option<PathBuf>, TraceError> {
        self.writer.tick(now)?;
        if !self
            .rotation
            .due(self.writer.bytes_written(), self.opened, now)
        {
            return Ok(None);
        }
        self.seq += 1;
        let next = self.rotation.path(&self.base, self.seq);
        self.writer.rotate(&next, &state())?;
        self.opened = now;
        Ok(Some(next))
    }

    /// Finish the current file.
    pub fn finish(self) -> Result<WriteSummary, TraceError> {
        self.writer.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_sysdig() {
        let base = Path::new("/tmp/x.spt");
        assert_eq!(Rotation::default().path(base, 3), base);
        let r = Rotation::from_flags(Some(10), None, Some(3));
        assert_eq!(r.size, Some(10_000_000));
        assert_eq!(r.path(base, 0), Path::new("/tmp/x.spt0"));
        assert_eq!(r.path(base, 4), Path::new("/tmp/x.spt1"));
    }

    #[test]
    fn due_by_size_or_age() {
        let t = Instant::now();
        let r = Rotation::from_flags(Some(1), Some(2), None);
        assert!(!r.due(999_999, t, t));
        assert!(r.due(1_000_000, t, t));
        assert!(r.due(0, t, t + Duration::from_secs(2)));
        assert!(!Rotation::default().due(u64::MAX, t, t + Duration::from_secs(99)));
    }
}
