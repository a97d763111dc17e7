//! An analyzer seen as a printer: events go in, its report comes out at the end, at the end of
//! each interval (iftop), or every second while capturing live.

use std::io::{self, Write};

use crate::analyzers::Analyzer;
use crate::state::State;

use super::{Ctx, Printer};

/// Runs an [`Analyzer`] inside the pipeline.
pub struct AnalyzerPrinter {
    a: Box<dyn Analyzer>,
    json: bool,
    live: bool,
    interval_end: u64,
}

impl AnalyzerPrinter {
    pub fn new(a: Box<dyn Analyzer>, json: bool, live: bool) -> AnalyzerPrinter {
        AnalyzerPrinter {
            a,
            json,
            live,
            interval_end: 0,
        }
    }
}

impl Printer for AnalyzerPrinter {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        if let (Some(len), false) = (self.a.interval_ns(), self.live) {
            if self.interval_end == 0 {
                self.interval_end = cx.ev.ts - cx.ev.ts % len + len;
            }
            if cx.ev.ts >= self.interval_end {
                self.a.report(cx.state, self.json, out)?;
                self.interval_end = cx.ev.ts - cx.ev.ts % len + len;
            }
        }
        if self.a.streaming() && !self.json {
            self.a.event_out(cx, out)
        } else {
            self.a.event_out(cx, &mut io::sink())
        }
    }

    fn tick(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        if self.live && !self.a.streaming() {
            self.a.report(state, self.json, out)?;
            if !self.json {
                writeln!(out)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        if self.a.streaming() && !self.json {
            return self.a.end_stream(out);
        }
        self.a.end_stream(&mut io::sink())?;
        self.a.report(state, self.json, out)
    }
}
