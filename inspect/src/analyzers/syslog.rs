//! `syslog`: each message processes wrote to syslog (`/dev/log`), a line each as sysdig's
//! `spy_syslog` chisel prints it: `daemon.info sshd[812] Accepted publickey for root`
//! (facility.severity, the process and thread, the text after the priority).

use std::io::{self, Write};

use super::{comm, Analyzer, Cell, JsonLines};
use crate::fields::syslog::message;
use crate::output::time::datetime;
use crate::output::Ctx;
use crate::state::State;

/// Syslog messages, as they are written.
pub struct Syslog {
    rows: JsonLines,
}

impl Syslog {
    /// `json`: keep the lines for a JSON report.
    pub fn new(json: bool) -> Syslog {
        Syslog {
            rows: JsonLines::new(
                json,
                &["time", "facility", "severity", "process", "tid", "message"],
            ),
        }
    }
}

impl Analyzer for Syslog {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let Some(m) = message(cx) else {
            return Ok(());
        };
        let process = comm(cx.state, cx.ev.tid);
        let text = String::from_utf8_lossy(&m.text);
        writeln!(
            out,
            "{}.{} {process}[{}] {text}",
            m.facility_name(),
            m.severity_name(),
            cx.ev.tid
        )?;
        self.rows.push(|| {
            vec![
                Cell::Text(datetime(cx.ev.ts)),
                Cell::Text(m.facility_name().into()),
                Cell::Text(m.severity_name().into()),
                Cell::Text(process),
                Cell::from(cx.ev.tid),
                Cell::Text(text.into_owned()),
            ]
        });
        Ok(())
    }

    fn streaming(&self) -> bool {
        true
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        self.rows.report(json, out)
    }
}
