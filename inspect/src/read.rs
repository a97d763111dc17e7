//! `syspect read`: records from trace files through the pipeline to the output.

use std::io::Write;
use std::path::PathBuf;

use syspect_capture::trace::{MultiReader, TraceError};

use syspect_filter::Filter;

use crate::output::Printer;
use crate::pipeline::Pipeline;
use crate::InspectError;

/// How a read ended, beyond the events printed.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Events read.
    pub events: u64,
    /// Something the user should know although the read succeeded (a trace that ends early).
    pub warning: Option<String>,
}

/// Print the events of `files` (one capture, possibly rotated into several files) with
/// `printer` (a format, or an analyzer).
pub fn read_files(
    files: &[PathBuf],
    printer: Box<dyn Printer>,
    limit: Option<u64>,
    filter: Option<Filter>,
    out: &mut dyn Write,
) -> Result<ReadReport, InspectError> {
    let mut reader = MultiReader::open(files)?;
    let mut p = Pipeline::with_printer(printer, limit).with_filter(filter);
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
