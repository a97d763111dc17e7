//! Decompress and decode a trace and do nothing else: the floor that `syspect read` is
//! measured against (scripts/bench-read.sh).
//!
//! ```text
//! cargo run --release -p syspect-capture --example decode -- FILE...
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use syspect_capture::trace::{MultiReader, Record};

fn main() -> ExitCode {
    let files: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        eprintln!("usage: decode FILE...");
        return ExitCode::from(2);
    }
    let start = Instant::now();
    let mut r = match MultiReader::open(&files) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("decode: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Records are decoded into places used before, as syspect's reading thread does (in
    // batches of 1024), so that their allocations serve again.
    let mut slots: Vec<Option<Record>> = (0..1024).map(|_| None).collect();
    let mut records = 0u64;
    loop {
        let slot = &mut slots[records as usize % 1024];
        match r.next_into(slot) {
            Ok(()) if slot.is_some() => records += 1,
            Ok(()) => break,
            Err(e) => {
                eprintln!("decode: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{records} records in {secs:.3} s: {:.1} M/s",
        records as f64 / secs / 1e6
    );
    ExitCode::SUCCESS
}
