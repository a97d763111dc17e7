//! `proctime`: each process that ended, with how long it ran, its command and arguments, a
//! line each as it ends: sysdig's `proc_exec_time` chisel (`12ms  curl  -6
//! http://www.google.com`). A process ends when its main thread exits; how long it ran is
//! counted from its start (its fork, or its start time in the /proc snapshot).

use std::io::{self, Write};

use syspect_capture::event::EventKind;

use super::{column, Analyzer, Cell, FieldText, JsonLines};
use crate::output::time::human_duration;
use crate::output::Ctx;
use crate::state::State;

const FIELDS: &[&str] = &["proc.name", "proc.args", "container.name"];

/// Processes as they end, with their run time.
pub struct ProcTime {
    fields: FieldText,
    header: bool,
    rows: JsonLines,
}

impl ProcTime {
    /// `json`: keep the lines for a JSON report.
    pub fn new(json: bool) -> ProcTime {
        ProcTime {
            fields: FieldText::new(FIELDS).expect("the fields of `proctime` are known"),
            header: false,
            rows: JsonLines::new(
                json,
                &["duration_ns", "pid", "process", "container", "args"],
            ),
        }
    }
}

impl Analyzer for ProcTime {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        if !self.header {
            self.header = true;
            writeln!(
                out,
                "{} {:>7} {} {} proc.args",
                column("proc.duration", 13),
                "pid",
                column("proc.name", 15),
                column("container.name", 14),
            )?;
        }
        let ev = cx.ev;
        if !matches!(ev.kind, EventKind::ThreadExit { .. }) || ev.tid != ev.pid {
            return Ok(());
        }
        // a process whose start the trace does not know has no run time (as in sysdig)
        let Some(start) = cx
            .state
            .thread(ev.pid)
            .map(|t| t.info.start_ts)
            .filter(|&s| s != 0)
        else {
            return Ok(());
        };
        let ns = ev.ts.saturating_sub(start);
        let name = self.fields.text(cx, 0);
        let args = self.fields.get(cx, 1).unwrap_or_default();
        let container = self.fields.text(cx, 2);
        writeln!(
            out,
            "{} {:>7} {} {} {args}",
            column(&human_duration(ns), 13),
            ev.pid,
            column(&name, 15),
            column(&container, 14),
        )?;
        self.rows.push(|| {
            vec![
                Cell::from(ns),
                Cell::from(ev.pid),
                Cell::Text(name),
                Cell::Text(container),
                Cell::Text(args),
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
