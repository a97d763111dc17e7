//! `syspect convert`: a capture (a sysdig `.scap`, or syspect traces) rewritten as one `.spt`
//! trace, so that it keeps in syspect's own format.

use std::path::{Path, PathBuf};
use std::time::Instant;

use syspect_capture::trace::{Header, TraceWriter};

use crate::progress::Progress;
use crate::source::{FileSource, Next};
use crate::InspectError;

/// What a conversion did.
#[derive(Debug, Default)]
pub struct ConvertReport {
    pub records: u64,
    /// The input ended early; everything before the damage was converted.
    pub warning: Option<String>,
}

/// Convert `inputs` into the trace file `out`, with a progress bar when `progress` is wanted.
pub fn convert(
    inputs: &[PathBuf],
    out: &Path,
    command_line: Vec<String>,
    mut progress: Progress,
) -> Result<ConvertReport, InspectError> {
    let mut source = FileSource::open(inputs)?;
    let engine = match &source {
        FileSource::Scap(..) => "scap",
        FileSource::Trace(..) => "spt",
    };
    let mut header = Header::new(engine, 0, "", command_line);
    if let FileSource::Trace(r, _) = &source {
        if let Some(h) = r.header() {
            header.capture = h.capture.clone();
            header.machine = h.machine.clone();
        }
    }
    let mut writer = TraceWriter::create(out, &header)?;
    let mut report = ConvertReport::default();
    loop {
        match source.next_record()? {
            Next::Record(rec) => {
                writer.write(rec)?;
                report.records += 1;
                if Progress::due(report.records) {
                    let (done, total) = source.progress();
                    progress.update(done, total);
                }
                if report.records % 65536 == 0 {
                    writer.tick(Instant::now())?;
                }
            }
            Next::End => break,
            Next::EndsEarly(why) => {
                report.warning = Some(why);
                break;
            }
        }
    }
    progress.clear();
    writer.finish()?;
    Ok(report)
}
