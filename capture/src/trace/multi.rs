//! [`MultiReader`]: the files of one capture (rotated with `-C`/`-G`, or given together on the
//! command line), read as one stream in time order.

use std::path::{Path, PathBuf};

use super::{Header, TraceError, TraceReader};
use crate::event::Record;

/// Merges several traces by event timestamp. State records have no timestamp: each comes out
/// as soon as its file reaches it, before that file's next event, so the state a file
/// describes is known before its events.
pub struct MultiReader {
    files: Vec<Source>,
}

struct Source {
    reader: TraceReader,
    /// The record read ahead, with its sort key.
    head: Option<(u64, Record)>,
    /// Timestamp of the last event read from this file: the key of its next state record.
    clock: u64,
    done: bool,
}

impl MultiReader {
    /// Open every file. Fails on the first that cannot be opened (not a trace, unreadable).
    pub fn open<P: AsRef<Path>>(paths: &[P]) -> Result<MultiReader, TraceError> {
        let mut files = Vec::with_capacity(paths.len());
        for p in paths {
            files.push(Source {
                reader: TraceReader::open(p.as_ref())?,
                head: None,
                clock: 0,
                done: false,
            });
        }
        Ok(MultiReader { files })
    }

    /// The first file's header (a rotated capture's files share it, but for the file index).
    pub fn header(&self) -> Option<&Header> {
        self.files.first().map(|f| f.reader.header())
    }

    /// Every file's header, in the order given.
    pub fn headers(&self) -> impl Iterator<Item = &Header> {
        self.files.iter().map(|f| f.reader.header())
    }

    /// Bytes read and bytes in all, over every file (see [`TraceReader::progress`]).
    pub fn progress(&self) -> (u64, u64) {
        self.files.iter().fold((0, 0), |(done, all), f| {
            let (d, a) = f.reader.progress();
            (done + d, all + a)
        })
    }

    /// The next record in time order, `Ok(None)` when every file is done.
    ///
    /// A [`TraceError::Truncated`] of one file is returned once, as a warning for the caller to
    /// print; the next call goes on with the other files. Any other error ends the read.
    pub fn next_record(&mut self) -> Result<Option<Record>, TraceError> {
        if let [one] = self.files.as_mut_slice() {
            // One file (the common case): nothing to merge, no record to hold back.
            if one.head.is_none() {
                if one.done {
                    return Ok(None);
                }
                let r = one.reader.next_record();
                if !matches!(r, Ok(Some(_))) {
                    one.done = true;
                }
                return r;
            }
        }
        for i in 0..self.files.len() {
            let f = &mut self.files[i];
            if f.head.is_some() || f.done {
                continue;
            }
            match f.reader.next_record() {
                Ok(Some(rec)) => {
                    let key = match &rec {
                        Record::Event(e) => {
                            f.clock = f.clock.max(e.ts);
                            e.ts
                        }
                        _ => f.clock,
                    };
                    f.head = Some((key, rec));
                }
                Ok(None) => f.done = true,
                Err(e) => {
                    f.done = true;
                    if !e.is_truncated() {
                        for g in &mut self.files {
                            g.done = true;
                            g.head = None;
                        }
                    }
                    return Err(e);
                }
            }
        }
        let best = self
            .files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.head.as_ref().map(|(k, _)| (*k, i)))
            .min();
        Ok(best.and_then(|(_, i)| self.files[i].head.take().map(|(_, r)| r)))
    }

    /// [`TraceReader::next_into`]: the next record into `rec`, `None` at the end.
    #[inline]
    pub fn next_into(&mut self, rec: &mut Option<Record>) -> Result<(), TraceError> {
        if let [one] = self.files.as_mut_slice() {
            if one.head.is_none() && !one.done {
                return one.reader.next_into(rec);
            }
        }
        *rec = self.next_record()?;
        Ok(())
    }

    /// [`TraceReader::seek_time`] in every file: state records of the frames skipped come
    /// first, then events from about `ts` on.
    pub fn seek_time(&mut self, ts: u64) -> Result<(), TraceError> {
        for f in &mut self.files {
            f.head = None;
            f.done = false;
            f.clock = 0;
            f.reader.seek_time(ts)?;
        }
        Ok(())
    }

    /// The paths of a rotated capture written as `base` (`base0`, `base1`…), in the order they
    /// exist on disk, oldest capture first by their headers' file index. `base` itself comes
    /// first when it exists.
    pub fn rotated_paths(base: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        if base.exists() {
            found.push((0u64, base.to_path_buf()));
        }
        for i in 0u64.. {
            let p = super::rotate::numbered(base, i);
            if !p.exists() {
                break;
            }
            let idx = TraceReader::open(&p)
                .map(|r| r.header().capture.file_index)
                .unwrap_or(i);
            found.push((idx, p));
        }
        found.sort_by_key(|(i, _)| *i);
        found.into_iter().map(|(_, p)| p).collect()
    }
}

impl Iterator for MultiReader {
    type Item = Result<Record, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}
