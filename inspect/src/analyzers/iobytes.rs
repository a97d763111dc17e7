//! `iobytes`: the bytes read and written each second, a line per second from the first I/O to
//! the last (`17:35:49 in:43676 out:10906 tot:54582`, local time), as sysdig's `iobytes`
//! chisel prints them; with the chisels' filters its `iobytes_file` (`fd.type=file`) and
//! `iobytes_net` (network fds). Seconds without I/O between two with some print zeros, up to
//! an hour of them (a longer gap, as between the files of a rotated capture, is skipped).

use std::io::{self, Write};

use super::{io_of, Analyzer, Cell, JsonLines};
use crate::output::time::hms;
use crate::output::Ctx;
use crate::state::State;

const NS: u64 = 1_000_000_000;
/// Seconds without I/O printed between two with some, at most.
const MAX_GAP: u64 = 3600;

/// Bytes in and out per second.
pub struct IoBytes {
    /// The second being counted (ns since the epoch / 1e9), once I/O was seen.
    second: Option<u64>,
    read: u64,
    written: u64,
    rows: JsonLines,
}

impl IoBytes {
    /// `json`: keep the lines for a JSON report.
    pub fn new(json: bool) -> IoBytes {
        IoBytes {
            second: None,
            read: 0,
            written: 0,
            rows: JsonLines::new(json, &["time", "in", "out", "tot"]),
        }
    }

    fn line(
        &mut self,
        second: u64,
        read: u64,
        written: u64,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let time = hms(second * NS);
        writeln!(out, "{time} in:{read} out:{written} tot:{}", read + written)?;
        self.rows.push(|| {
            vec![
                Cell::Text(time),
                Cell::from(read),
                Cell::from(written),
                Cell::from(read + written),
            ]
        });
        Ok(())
    }
}

impl Analyzer for IoBytes {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let Some((_, bytes, write)) = io_of(cx) else {
            return Ok(());
        };
        let now = cx.ev.ts / NS;
        match self.second {
            None => self.second = Some(now),
            // events of different CPUs may come a little out of order: counted in the second
            // being counted
            Some(cur) if now > cur => {
                let (r, w) = (self.read, self.written);
                self.line(cur, r, w, out)?;
                if now - cur <= MAX_GAP {
                    for s in cur + 1..now {
                        self.line(s, 0, 0, out)?;
                    }
                }
                (self.read, self.written) = (0, 0);
                self.second = Some(now);
            }
            Some(_) => {}
        }
        if write {
            self.written += bytes;
        } else {
            self.read += bytes;
        }
        Ok(())
    }

    fn streaming(&self) -> bool {
        true
    }

    fn end_stream(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(cur) = self.second.take() {
            let (r, w) = (self.read, self.written);
            self.line(cur, r, w, out)?;
        }
        Ok(())
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        self.rows.report(json, out)
    }
}
