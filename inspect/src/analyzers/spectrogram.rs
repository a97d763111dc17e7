//! `spectrogram`: how long calls take, over time, as sysdig's `spectrogram` chisel draws it: a
//! row per interval (500 ms by default) whose columns are latencies on a log scale from 1 ns
//! (left) to 100 s (right), each cell coloured by how many calls ended in that interval with
//! that latency, with a scale under each row. On a terminal the cells are coloured (256-colour
//! palette, green to red as calls grow more frequent); elsewhere they are characters from ` `
//! (none) through `.:-=+*#%` to `@` (the most). `-j` gives each interval's calls per decade of
//! latency, a JSON array a line, as `iftop -j` gives its intervals.
//!
//! `subsecoffset` is the same drawing along another axis, as sysdig's chisel of that name: the
//! columns are when in each interval (a second by default) calls started, so that a pattern that
//! repeats within the second shows as a column; `-j` gives the calls per tenth of the interval.

use std::io::{self, Write};

use syspect_capture::event::EventKind;

use super::{latency, Analyzer, Cell, Table};
use crate::output::time::{datetime, human_duration};
use crate::output::Ctx;
use crate::state::State;

/// Decades of latency the columns span: 1 ns to 10^11 ns (100 s).
const DECADES: f64 = 11.0;
/// sysdig's palette, from few calls a second to many.
const COLOURS: [u8; 20] = [
    22, 28, 64, 34, 2, 76, 46, 118, 154, 191, 227, 226, 11, 220, 209, 208, 202, 197, 9, 1,
];
const CHARS: &[u8] = b".:-=+*#%@";

/// What the columns are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// How long calls took, 1 ns to 100 s on a log scale (`spectrogram`).
    Latency,
    /// When in the interval calls started (`subsecoffset`).
    Offset,
}

/// Calls per interval, drawn as rows.
pub struct Spectrogram {
    axis: Axis,
    width: usize,
    colour: bool,
    interval_ns: u64,
    /// Calls per column in the interval being counted.
    counts: Vec<u64>,
    /// When the interval's first call ended.
    start: u64,
}

impl Spectrogram {
    /// Rows `width` columns wide along `axis`, in colour or not, one each `interval_ns`.
    pub fn new(axis: Axis, width: usize, colour: bool, interval_ns: u64) -> Spectrogram {
        let width = width.clamp(22, 1000);
        Spectrogram {
            axis,
            width,
            colour,
            interval_ns: interval_ns.max(1_000_000),
            counts: vec![0; width],
            start: 0,
        }
    }

    /// The column of a latency, or of a time's offset in its interval.
    fn column(&self, ns: u64) -> usize {
        let x = match self.axis {
            Axis::Latency => (ns.max(1) as f64).log10().min(DECADES) / DECADES,
            Axis::Offset => (ns % self.interval_ns) as f64 / self.interval_ns as f64,
        };
        ((x * self.width as f64) as usize).min(self.width - 1)
    }

    /// Which of the scale's ten or eleven parts column `x` is in.
    fn part(&self, x: usize) -> usize {
        let parts = match self.axis {
            Axis::Latency => DECADES,
            Axis::Offset => 10.0,
        };
        (x as f64 * parts / self.width as f64) as usize
    }

    /// A part's label: its decade of latency, or its offset.
    fn label(&self, part: usize) -> String {
        match self.axis {
            Axis::Latency => human_duration(10u64.pow(part as u32)),
            Axis::Offset if part == 0 => "0".into(),
            Axis::Offset => human_duration(self.interval_ns / 10 * part as u64),
        }
    }

    /// The row's cells: the colour or character of each column's count (`per_sec`: calls a
    /// second it stands for).
    fn row(&self) -> String {
        let per_sec = 1e9 / self.interval_ns as f64;
        let mut s = String::new();
        for &n in &self.counts {
            // as the chisel grades it: log base 1.6 of the calls a second
            let grade = ((n as f64 * per_sec + 1.0).log10() / 1.6f64.log10()).max(1.0);
            match (n, self.colour) {
                (0, true) => s.push_str("\x1b[48;5;0m "),
                (0, false) => s.push(' '),
                (_, true) => {
                    let c = COLOURS[(grade as usize).clamp(1, COLOURS.len()) - 1];
                    s.push_str(&format!("\x1b[48;5;{c}m "));
                }
                (_, false) => {
                    let i = (grade as usize * CHARS.len() / COLOURS.len()).min(CHARS.len() - 1);
                    s.push(CHARS[i] as char);
                }
            }
        }
        if self.colour {
            s.push_str("\x1b[0m");
        }
        s
    }

    /// The scale under a row: `|1ns` where each decade (or tenth of the interval) starts.
    fn scale(&self) -> String {
        let mut s = String::new();
        let mut x = 0;
        let mut decade = usize::MAX;
        while x < self.width {
            let d = self.part(x);
            if d != decade {
                decade = d;
                let label = format!("|{}", self.label(d));
                x += label.len();
                s.push_str(&label);
            } else {
                s.push(' ');
                x += 1;
            }
        }
        s
    }
}

impl Analyzer for Spectrogram {
    fn event(&mut self, cx: &Ctx<'_>) {
        let ns = match (self.axis, &cx.ev.kind) {
            (Axis::Latency, EventKind::Exit { .. }) => match latency(cx) {
                Some(ns) if ns > 0 => ns,
                _ => return,
            },
            (Axis::Offset, EventKind::Enter { .. }) => cx.ev.ts,
            _ => return,
        };
        if self.start == 0 {
            self.start = cx.ev.ts;
        }
        let c = self.column(ns);
        self.counts[c] += 1;
    }

    fn interval_ns(&self) -> Option<u64> {
        Some(self.interval_ns)
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        if json {
            let mut parts = [0u64; 11];
            for (x, &n) in self.counts.iter().enumerate() {
                parts[self.part(x).min(10)] += n;
            }
            let columns: &[&'static str] = match self.axis {
                Axis::Latency => &[
                    "time", "1ns", "10ns", "100ns", "1us", "10us", "100us", "1ms", "10ms", "100ms",
                    "1s", "10s",
                ],
                Axis::Offset => &[
                    "time", "0/10", "1/10", "2/10", "3/10", "4/10", "5/10", "6/10", "7/10", "8/10",
                    "9/10",
                ],
            };
            let mut t = Table::new(columns);
            let mut row = vec![Cell::Text(datetime(self.start))];
            row.extend(parts.iter().take(columns.len() - 1).map(|&n| Cell::from(n)));
            t.row(row);
            t.write_json(out)?;
        } else {
            writeln!(out, "{}", self.row())?;
            writeln!(out, "{}", self.scale())?;
        }
        self.counts.iter_mut().for_each(|n| *n = 0);
        self.start = 0;
        Ok(())
    }
}
