//! `syspect read`: records from trace files through the pipeline to the output.

use std::io::Write;
use std::path::PathBuf;

use syspect_filter::Filter;

use crate::output::Printer;
use crate::pipeline::{Pipeline, Window};
use crate::prefetch::Prefetch;
use crate::progress::Progress;
use crate::source::{FileSource, Next};
use crate::InspectError;

/// How a read ended, beyond the events printed.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Events read.
    pub events: u64,
    /// Events the filter and the time window selected.
    pub shown: u64,
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
    window: Window,
    out: &mut dyn Write,
) -> Result<ReadReport, InspectError> {
    read_files_with_progress(files, printer, limit, filter, window, out, Progress::off())
}

/// [`read_files`] with a progress bar (see [`crate::progress`]), wiped before the printer's
/// final report is written.
pub fn read_files_with_progress(
    files: &[PathBuf],
    printer: Box<dyn Printer>,
    limit: Option<u64>,
    filter: Option<Filter>,
    window: Window,
    out: &mut dyn Write,
    mut progress: Progress,
) -> Result<ReadReport, InspectError> {
    let mut source = Prefetch::start(FileSource::open(files)?)?;
    let mut p = Pipeline::with_printer(printer, limit)
        .with_filter(filter)
        .with_window(window);
    let mut report = ReadReport::default();
    let mut records = 0u64;
    loop {
        // Where the previous record left the reading (the record below borrows the source).
        records += 1;
        if Progress::due(records) {
            let (done, total) = source.progress();
            progress.update(done, total);
        }
        match source.next_record() {
            Ok(Next::Record(rec)) => {
                if !p.push(rec, out)? {
                    break;
                }
            }
            Ok(Next::End) => break,
            Ok(Next::EndsEarly(why)) => {
                report.warning = Some(why);
                break;
            }
            Err(e) => {
                // What was read before the damage is shown, then the error.
                progress.clear();
                p.finish(out)?;
                return Err(e);
            }
        }
    }
    progress.clear();
    p.finish(out)?;
    report.events = p.num;
    report.shown = p.shown;
    Ok(report)
}
