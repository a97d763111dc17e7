//! The loop every command shares: records in, state updated, events selected and shown.

use std::io::{self, Write};

use syspect_capture::event::Record;

use crate::analyzers::{self, AnalyzerOptions};
use crate::fields::format::Template;
use crate::fields::EventFields;
use crate::output::analyzer::AnalyzerPrinter;
use crate::output::buffer::BufStyle;
use crate::output::strace::StraceOptions;
use crate::output::template::TemplatePrinter;
use crate::output::{
    json::JsonPrinter, line::LinePrinter, strace::SplitPrinter, strace::StracePrinter, Ctx,
    Printer, Show,
};
use crate::state::State;
use syspect_filter::Filter;

/// How events are shown.
#[derive(Clone, Debug)]
pub enum Format {
    /// sysdig's default line; `containers` adds the container (`--pc`); `show` says how data
    /// buffers (`-A`, `-x`, `-X`) and times (`-t`) are shown.
    Line { containers: bool, show: Show },
    /// One JSON object per event; `bufs` says how `evt.info` shows a data buffer.
    Json { bufs: BufStyle },
    /// strace's merged view, with its options (`-T`…).
    Strace(StraceOptions),
    /// A `-p` template, as text or (`json`) as one JSON object per event.
    Template {
        template: Template,
        json: bool,
        show: Show,
    },
    /// An analyzer by name (`summary`, `lsof`…); `json` for a JSON report.
    Analyzer { name: &'static str, json: bool },
}

impl Format {
    /// A printer for this format.
    pub fn printer(self, opts: &AnalyzerOptions, live: bool) -> Box<dyn Printer> {
        match self {
            Format::Analyzer { name: "strace", .. } => strace_printer(opts.strace.clone()),
            Format::Analyzer { name, json } => match analyzers::by_name(
                name,
                &AnalyzerOptions {
                    json,
                    ..opts.clone()
                },
            ) {
                Some(a) => Box::new(AnalyzerPrinter::new(a, json, live)),
                None => strace_printer(opts.strace.clone()),
            },
            Format::Line { containers, show } => Box::new(LinePrinter::new(containers, show)),
            Format::Json { bufs } => Box::new(JsonPrinter::new(bufs)),
            Format::Strace(o) => strace_printer(o),
            Format::Template {
                template,
                json,
                show,
            } => Box::new(TemplatePrinter::new(template, json, show)),
        }
    }
}

/// strace's view, in one stream or (`-ff`) a file per thread.
fn strace_printer(o: StraceOptions) -> Box<dyn Printer> {
    match o.split.clone() {
        Some(base) => Box::new(SplitPrinter::new(base, o)),
        None => Box::new(StracePrinter::new(o)),
    }
}

/// State, selection and printing of a stream of records.
pub struct Pipeline {
    pub state: State,
    printer: Box<dyn Printer>,
    /// Events seen (`evt.num` of the last one).
    pub num: u64,
    /// Events shown.
    pub shown: u64,
    limit: Option<u64>,
    filter: Option<Filter>,
    scratch: Vec<u8>,
    /// The time of the last event shown (`evt.deltatime`, `-t D`).
    prev_shown: Option<u64>,
    window: Window,
}

/// A point in a trace: seconds after its first event, or a wall-clock time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimePoint {
    /// Seconds after the first event (`2.5`).
    Relative(f64),
    /// Nanoseconds since the epoch.
    Absolute(u64),
}

impl TimePoint {
    /// `2.5` (seconds after the first event) or a wall-clock time in ns since the epoch
    /// (any number of 16 digits or more, as `%evt.rawtime` prints it).
    pub fn parse(text: &str) -> Option<TimePoint> {
        let t = text.trim();
        if t.len() >= 16 && t.bytes().all(|b| b.is_ascii_digit()) {
            return t.parse().ok().map(TimePoint::Absolute);
        }
        t.parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(TimePoint::Relative)
    }

    /// The wall-clock ns of this point in a trace whose first event is at `first`.
    pub fn at(self, first: u64) -> u64 {
        match self {
            TimePoint::Relative(s) => first.saturating_add((s * 1e9) as u64),
            TimePoint::Absolute(ns) => ns,
        }
    }
}

/// `--from` / `--to`: which part of a trace is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Window {
    pub from: Option<TimePoint>,
    pub to: Option<TimePoint>,
}

impl Pipeline {
    pub fn new(format: Format, limit: Option<u64>) -> Pipeline {
        Pipeline::with_printer(format.printer(&AnalyzerOptions::default(), false), limit)
    }

    pub fn with_printer(printer: Box<dyn Printer>, limit: Option<u64>) -> Pipeline {
        Pipeline {
            state: State::new(),
            printer,
            num: 0,
            shown: 0,
            limit,
            filter: None,
            scratch: Vec::new(),
            prev_shown: None,
            window: Window::default(),
        }
    }

    /// Show only the events `filter` selects (the state still sees every record).
    pub fn with_filter(mut self, filter: Option<Filter>) -> Pipeline {
        self.filter = filter;
        self
    }

    /// Show only the events between `window.from` and `window.to`; the stream ends at `to`.
    pub fn with_window(mut self, window: Window) -> Pipeline {
        self.window = window;
        self
    }

    /// Take one record; returns false once the event limit is reached.
    pub fn push(&mut self, rec: &Record, out: &mut dyn Write) -> io::Result<bool> {
        if self.limit.is_some_and(|l| self.shown >= l) {
            return Ok(false);
        }
        if let Record::Event(ev) = rec {
            // Past `--to`: the stream ends here (the state is as it was at that time).
            let first = if self.state.first_ts == 0 {
                ev.ts
            } else {
                self.state.first_ts
            };
            if self.window.to.is_some_and(|t| ev.ts > t.at(first)) {
                return Ok(false);
            }
            // Another tool's event syspect has no model for: it only takes its number.
            if crate::output::counted_only(ev) {
                self.num += 1;
                return Ok(true);
            }
        }
        let completed = self.state.update(rec);
        if let Record::Event(ev) = rec {
            self.num += crate::output::numbered(ev) as u64;
            // Before `--from`: the state follows, nothing is shown.
            if self
                .window
                .from
                .is_some_and(|t| ev.ts < t.at(self.state.first_ts))
            {
                return Ok(true);
            }
            let cx = Ctx {
                num: self.num,
                ev,
                state: &self.state,
                completed: completed.as_ref(),
                prev_shown: self.prev_shown,
            };
            if let Some(f) = &self.filter {
                let mut fields = EventFields {
                    cx: &cx,
                    scratch: &mut self.scratch,
                    show: Default::default(),
                };
                if !f.matches(&mut fields) {
                    self.state.recycle(completed);
                    return Ok(true);
                }
            }
            self.printer.event(&cx, out)?;
            self.shown += 1;
            self.prev_shown = Some(ev.ts);
            self.state.recycle(completed);
        }
        Ok(self.limit.is_none_or(|l| self.shown < l))
    }

    /// Live: about once a second.
    pub fn tick(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.printer.tick(&self.state, out)
    }

    /// Live: the engine has started (see [`Printer::start`]).
    pub fn start(&mut self, engine: &'static str) -> io::Result<()> {
        self.printer.start(engine)
    }

    /// Live: after every poll of the engine; false when the printer wants the capture to stop.
    pub fn poll(&mut self, stats: syspect_capture::engine::Stats) -> io::Result<bool> {
        self.printer.poll(&self.state, stats)
    }

    /// The stream ended.
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.state.reap();
        self.printer.finish(&self.state, out)?;
        out.flush()
    }
}
