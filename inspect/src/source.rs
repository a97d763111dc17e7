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
pub enum FileSource {
    Trace(MultiReader),
    /// A sysdig capture, and the record last read from it.
    Scap(Box<ScapReader>, Option<Record>),
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
                    return Ok(FileSource::Trace(MultiReader::open(&rotated)?));
                }
            }
        }
        Ok(FileSource::Trace(MultiReader::open(files)?))
    }

    /// Bytes of the input files read so far, and their size: cheap (a few loads), moving once
    /// per frame or buffer refill.
    pub fn progress(&self) -> (u64, u64) {
        match self {
            FileSource::Trace(r) => r.progress(),
            FileSource::Scap(r, _) => r.progress(),
        }
    }

    /// The next record.
    pub fn next_record(&mut self) -> Result<Next<'_>, InspectError> {
        match self {
            FileSource::Trace(r) => match r.next_ref() {
                Ok(Some(rec)) => Ok(Next::Record(rec)),
                Ok(None) => Ok(Next::End),
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
