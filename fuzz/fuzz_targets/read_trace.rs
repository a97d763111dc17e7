//! Any bytes through the `.spt` reader: it must return records or an error, never panic, and
//! never allocate more than the input justifies (libFuzzer's -rss_limit_mb catches that).
//! Seed the corpus with real traces: `cp some.spt fuzz/corpus/read_trace/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use syspect_capture::trace::{read_bytes, TraceError};

fuzz_target!(|data: &[u8]| {
    let (records, end) = read_bytes(data);
    match end {
        // A file with records can only be a trace (or the start of one).
        Err(TraceError::NotATrace { .. }) | Err(TraceError::Version { .. }) => {
            assert!(records.is_empty())
        }
        Err(e) => {
            // Every error renders as one line.
            assert!(!e.to_string().contains('\n'));
        }
        Ok(()) => {}
    }
});
