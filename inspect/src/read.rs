//! `syspect read`: records from trace files through the pipeline to the output.

use std::io::Write;
use std::path::PathBuf;

use syspect_capture::trace::{MultiReader, TraceError};

use crate::pipeline::{Format, Pipeline};
use crate::InspectError;

/// How a read ended, beyond the events printed.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Events read.
    pub events: u64,
    /// Something the user should know although the read succeeded (a trace that ends early).
    pub warning: Option<String>,
}

/// Print the events of `files` (one capture, possibly rotated into several files) in `format`.
pub fn read_files(
    files: &[PathBuf],
    format: Format,
    limit: Option<u64>,
    out: &mut dyn Write,
) -> Result<ReadReport, InspectError> {
    let mut reader = MultiReader::open(files)?;
    let mut p = Pipeline::new(format, limit);
    let mut report = ReadReport::default();
    loop {
        match reader.next_record() {
            Ok(Some(rec)) => {
                if !p.push(&rec, out)? {
                    break;
                }
            }
            Ok(None) => break,
            Err(e @ TraceError::Truncated { .. }) => {
                report.warning = Some(e.to_string());
                break;
            }
            Err(e) => {
                p.finish(out)?;
                return Err(e.into());
            }
        }
    }
    p.finish(out)?;
    report.events = p.num;
    Ok(report)
}
