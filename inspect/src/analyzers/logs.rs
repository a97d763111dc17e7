//! `logs`: each line processes wrote to log files — files whose name holds `.log`, `_log` or
//! `/var/log`, not `.gz` or `.tgz` — as sysdig's `spy_logs` chisel prints it: the process, the
//! file, the line (`nginx /var/log/nginx/access.log 127.0.0.1 - - [27/Nov/2026…] "GET /"`).
//! A write of several lines prints each; empty lines are left out. Live, 2000 bytes of each
//! buffer are captured, as the chisel asks of sysdig.

use std::io::{self, Write};

use super::{comm, io_data, io_of, Analyzer, Cell, JsonLines};
use crate::output::time::datetime;
use crate::output::Ctx;
use crate::state::State;

/// How many bytes of each buffer a live `logs` captures.
pub const SNAPLEN: usize = 2000;

/// Whether a file of this name is a log, as the chisel's filter says.
fn is_log(name: &[u8]) -> bool {
    let has = |s: &[u8]| name.windows(s.len()).any(|w| w == s);
    (has(b".log") || has(b"_log") || has(b"/var/log")) && !has(b".gz") && !has(b".tgz")
}

/// Lines written to log files, as they are written.
pub struct Logs {
    rows: JsonLines,
}

impl Logs {
    /// `json`: keep the lines for a JSON report.
    pub fn new(json: bool) -> Logs {
        Logs {
            rows: JsonLines::new(json, &["time", "process", "pid", "file", "line"]),
        }
    }
}

impl Analyzer for Logs {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let Some((fd, _, true)) = io_of(cx) else {
            return Ok(());
        };
        let Some(file) = cx.state.fds.get(cx.ev.pid, fd).filter(|f| is_log(&f.name)) else {
            return Ok(());
        };
        let file = String::from_utf8_lossy(&file.name).into_owned();
        let process = comm(cx.state, cx.ev.tid);
        let data = io_data(cx, true).concat();
        for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let line = String::from_utf8_lossy(line);
            writeln!(out, "{process} {file} {line}")?;
            self.rows.push(|| {
                vec![
                    Cell::Text(datetime(cx.ev.ts)),
                    Cell::Text(process.clone()),
                    Cell::from(cx.ev.pid),
                    Cell::Text(file.clone()),
                    Cell::Text(line.into_owned()),
                ]
            });
        }
        Ok(())
    }

    fn streaming(&self) -> bool {
        true
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        self.rows.report(json, out)
    }
}

#[cfg(test)]
mod tests {
    use super::is_log;

    #[test]
    fn log_files_as_the_chisel_names_them() {
        for log in [
            "/var/log/syslog",
            "/srv/app.log",
            "/tmp/error_log",
            "/x/app.log.1",
        ] {
            assert!(is_log(log.as_bytes()), "{log}");
        }
        for not in [
            "/var/log/old.log.gz",
            "/srv/logs.tgz",
            "/etc/hosts",
            "/tmp/catalog",
        ] {
            assert!(!is_log(not.as_bytes()), "{not}");
        }
    }
}
