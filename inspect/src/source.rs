//! Where recorded events come from: syspect's own trace files (several files of one rotated
//! capture read as one, in time order) or a sysdig capture (`.scap`, plain or gzip'd), told
//! apart by their first bytes, so that every command reads both.

use std::io::Read;
use std::path::PathBuf;

use syspect_capture::event::Record;
use syspect_capture::scap::{self, ScapError, ScapReader};
use syspect_capture::trace::{MultiReader, TraceError};

use crate::InspectError;

/// Records from files.
/// Each with the record last read from it, lent by [`FileSource::next_record`].
pub enum FileSource {
    Trace(MultiReader, Option<Record>),
    /// A sysdig capture.
    Scap(Box<ScapReader>, Option<Record>),
}

/// How the files ended.
#[derive(Debug)]
pub enum Ended {
    /// At their end.
    End,
    /// Before it: damage or a cut, said in the warning.
    Early(String),
}

/// How reading one record went.
pub enum Next<'a> {
    Record(&'a Record),
    /// The end of the files.
    End,
    /// The files end early (a capture that was killed): every complete part was read; the
    /// text says where it stopped. Not a failure.
    EndsEarly(String),
}

fn sniff(path: &PathBuf) -> Result<Vec<u8>, InspectError> {
    let mut f = std::fs::File::open(path).map_err(|e| InspectError::Open {
        path: path.clone(),
        source: e,
    })?;
    let mut head = Vec::with_capacity(4096);
    f.by_ref()
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| InspectError::Open {
            path: path.clone(),
            source: e,
        })?;
    Ok(head)
}

impl FileSource {
    /// Open `files`: one sysdig capture, or one or more syspect traces.
    pub fn open(files: &[PathBuf]) -> Result<FileSource, InspectError> {
        let first = files.first().ok_or(InspectError::NoInput)?;
        if first.exists() && scap::is_scap(&sniff(first)?) {
            if files.len() > 1 {
                return Err(InspectError::Usage(
                    "sysdig captures are read one at a time".to_owned(),
                ));
            }
            return Ok(FileSource::Scap(Box::new(ScapReader::open(first)?), None));
        }
        // A rotated capture asked for by its base name (`-w x.spt -C 10` wrote x.spt0, x.spt1…).
        if let [one] = files {
            if !one.exists() {
                let rotated = MultiReader::rotated_paths(one);
                if !rotated.is_empty() {
                    return Ok(FileSource::Trace(MultiReader::open(&rotated)?, None));
                }
            }
        }
        Ok(FileSource::Trace(MultiReader::open(files)?, None))
    }

    /// Bytes of the input files read so far, and their size: cheap (a few loads), moving once
    /// per frame or buffer refill.
    pub fn progress(&self) -> (u64, u64) {
        match self {
            FileSource::Trace(r, _) => r.progress(),
            FileSource::Scap(r, _) => r.progress(),
        }
    }

    /// The next record into `slot`, whose allocations may be reused; `Ok(None)` when a record
    /// was read, else how the files ended.
    #[inline]
    pub fn next_into(&mut self, slot: &mut Option<Record>) -> Result<Option<Ended>, InspectError> {
        let end = |slot: &Option<Record>| slot.is_none().then_some(Ended::End);
        match self {
            FileSource::Trace(r, _) => match r.next_into(slot) {
                Ok(()) => Ok(end(slot)),
                Err(e @ TraceError::Truncated { .. }) => Ok(Some(Ended::Early(e.to_string()))),
                Err(e) => Err(e.into()),
            },
            FileSource::Scap(r, _) => match r.next_record() {
                Ok(rec) => {
                    *slot = rec;
                    Ok(end(slot))
                }
                Err(e @ ScapError::Truncated { .. }) => Ok(Some(Ended::Early(e.to_string()))),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// The next record.
    pub fn next_record(&mut self) -> Result<Next<'_>, InspectError> {
        match self {
            FileSource::Trace(r, slot) => match r.next_into(slot) {
                Ok(()) => Ok(slot.as_ref().map_or(Next::End, Next::Record)),
                Err(e @ TraceError::Truncated { .. }) => Ok(Next::EndsEarly(e.to_string())),
                Err(e) => Err(e.into()),
            },
            FileSource::Scap(r, slot) => match r.next_record() {
                Ok(Some(rec)) => Ok(Next::Record(slot.insert(rec))),
                Ok(None) => Ok(Next::End),
                Err(e @ ScapError::Truncated { .. }) => Ok(Next::EndsEarly(e.to_string())),
                Err(e) => Err(e.into()),
            },
        }
    }
}
