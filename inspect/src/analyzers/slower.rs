//! `slower MS`: the calls that took longer than MS milliseconds, a line each as it ends, with
//! its process, container and fd: sysdig's `scallslower`; with the chisels' filters its
//! `fileslower` (file I/O, `/dev` left out) and `netlower` (network I/O).

use std::io::{self, Write};

use syspect_capture::event::EventKind;

use super::{column, latency, Analyzer, Cell, FieldText, JsonLines};
use crate::output::{type_name, Ctx};
use crate::state::State;

const FIELDS: &[&str] = &["evt.datetime", "proc.name", "container.name", "fd.name"];
const COLUMNS: &[&str] = &[
    "time",
    "process",
    "pid",
    "container",
    "syscall",
    "latency_ns",
    "fd",
];

/// Calls slower than a threshold, printed as they end.
pub struct Slower {
    min_ns: u64,
    fields: FieldText,
    header: bool,
    rows: JsonLines,
}

impl Slower {
    /// Calls whose latency is above `min_ns` (all calls of some latency when 0); `json`:
    /// keep the lines for a JSON report.
    pub fn new(min_ns: u64, json: bool) -> Slower {
        Slower {
            min_ns,
            fields: FieldText::new(FIELDS).expect("the fields of `slower` are known"),
            header: false,
            rows: JsonLines::new(json, COLUMNS),
        }
    }
}

impl Analyzer for Slower {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        if !self.header {
            self.header = true;
            writeln!(
                out,
                "{} {} {:>7} {} {} {:>12} fd.name",
                column("evt.datetime", 23),
                column("proc.name", 15),
                "pid",
                column("container.name", 14),
                column("evt.type", 12),
                "LATENCY(ms)",
            )?;
        }
        if !matches!(cx.ev.kind, EventKind::Exit { .. }) {
            return Ok(());
        }
        let Some(ns) = latency(cx).filter(|&ns| ns > self.min_ns) else {
            return Ok(());
        };
        let time = self.fields.text(cx, 0);
        let process = self.fields.text(cx, 1);
        let container = self.fields.text(cx, 2);
        let fd = self.fields.get(cx, 3).unwrap_or_default();
        let syscall = type_name(cx.ev);
        let line = format!(
            "{} {} {:>7} {} {} {:>12.3} {fd}",
            column(&time, 23),
            column(&process, 15),
            cx.ev.pid,
            column(&container, 14),
            column(&syscall, 12),
            ns as f64 / 1e6,
        );
        writeln!(out, "{}", line.trim_end())?;
        self.rows.push(|| {
            vec![
                Cell::Text(time),
                Cell::Text(process),
                Cell::from(cx.ev.pid),
                Cell::Text(container),
                Cell::Text(syscall.into_owned()),
                Cell::from(ns),
                Cell::Text(fd),
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
