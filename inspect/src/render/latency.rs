//! `syspect chart latency`: syscall latency over time as a heatmap (sysdig's spectrogram
//! idea). x is time across the selected calls, y is the call's latency in power-of-two
//! buckets from 1µs to 1s and more, and a cell's colour is how many calls ended in that time
//! slice with that latency; every cell carries a tooltip with its numbers.
//!
//! The SVG is written by hand: a heatmap is a few thousand rectangles, axis labels and a
//! legend, and the plotting crates that draw one (plotters and the like) bring a font stack
//! and many dependencies for what is here about two hundred lines of plain text output.
//!
//! Memory does not grow with the trace: calls are counted into at most [`MAX_SLICES`] time
//! slices whose width doubles (neighbours merged) whenever the trace outgrows them, and the
//! slices are grouped into at most [`MAX_COLUMNS`] columns when drawn.

use std::io::{self, Write};

use syspect_capture::event::EventKind;

use super::{escape, write_empty};
use crate::analyzers::latency;
use crate::output::{Ctx, Printer};
use crate::state::State;

/// Latency buckets: `< 1µs`, then `[2^(i-1), 2^i)` µs for i in 1..=20, then `≥ 2^20 µs`.
pub const ROWS: usize = 22;
/// Time slices kept while reading.
pub const MAX_SLICES: usize = 1024;
/// Columns drawn at most.
pub const MAX_COLUMNS: usize = 120;

const TITLE: &str = "System call latency over time";

/// The bucket (row) of a latency in ns.
pub fn row_of(latency_ns: u64) -> usize {
    let us = latency_ns / 1000;
    if us == 0 {
        0
    } else {
        ((64 - us.leading_zeros()) as usize).min(ROWS - 1)
    }
}

/// Counts of calls by time slice and latency bucket.
#[derive(Debug, Default)]
struct Grid {
    /// Exit time of the first call counted, ns.
    origin: u64,
    /// Width of a slice, ns (a power of two).
    width: u64,
    slices: Vec<[u64; ROWS]>,
    /// Exit time of the last call counted.
    last: u64,
}

impl Grid {
    fn add(&mut self, ts: u64, row: usize) {
        if self.width == 0 {
            self.origin = ts;
            self.width = 1000;
        }
        self.last = self.last.max(ts);
        // A call a little out of time order (a scap file's order) goes in the first slice.
        let mut idx = (ts.saturating_sub(self.origin) / self.width) as usize;
        while idx >= MAX_SLICES {
            self.halve();
            idx = (ts.saturating_sub(self.origin) / self.width) as usize;
        }
        if idx >= self.slices.len() {
            self.slices.resize(idx + 1, [0; ROWS]);
        }
        self.slices[idx][row] += 1;
    }

    /// Merge neighbouring slices: twice as wide, half as many.
    fn halve(&mut self) {
        let merged: Vec<[u64; ROWS]> = self
            .slices
            .chunks(2)
            .map(|pair| {
                let mut s = pair[0];
                if let Some(b) = pair.get(1) {
                    for (x, y) in s.iter_mut().zip(b) {
                        *x += y;
                    }
                }
                s
            })
            .collect();
        self.slices = merged;
        self.width *= 2;
    }

    /// The columns to draw, each `width * k` ns wide.
    fn columns(&self) -> (Vec<[u64; ROWS]>, u64) {
        let k = self.slices.len().div_ceil(MAX_COLUMNS).max(1);
        let cols = self
            .slices
            .chunks(k)
            .map(|group| {
                let mut s = [0; ROWS];
                for g in group {
                    for (x, y) in s.iter_mut().zip(g) {
                        *x += y;
                    }
                }
                s
            })
            .collect();
        (cols, self.width * k as u64)
    }
}

/// The latency heatmap, as a [`Printer`].
pub struct LatencyChart {
    subtitle: String,
    grid: Grid,
    calls: u64,
}

impl LatencyChart {
    pub fn new(subtitle: String) -> LatencyChart {
        LatencyChart {
            subtitle,
            grid: Grid::default(),
            calls: 0,
        }
    }
}

impl Printer for LatencyChart {
    fn event(&mut self, cx: &Ctx<'_>, _out: &mut dyn Write) -> io::Result<()> {
        if let EventKind::Exit { .. } = cx.ev.kind {
            if let Some(l) = latency(cx) {
                self.grid.add(cx.ev.ts, row_of(l));
                self.calls += 1;
            }
        }
        Ok(())
    }

    fn finish(&mut self, state: &State, out: &mut dyn Write) -> io::Result<()> {
        if self.calls == 0 {
            return write_empty(TITLE, &self.subtitle, out);
        }
        let start = if state.first_ts != 0 {
            state.first_ts.min(self.grid.origin)
        } else {
            self.grid.origin
        };
        draw(&self.grid, start, self.calls, &self.subtitle, out)
    }
}

// Layout, in SVG user units.
const WIDTH: f64 = 1000.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 140.0;
const TOP: f64 = 64.0;
const ROW_H: f64 = 18.0;
const BOTTOM: f64 = 56.0;

/// Write the heatmap. `start` is the trace's first event: the x labels are seconds after it,
/// as `--from`/`--to` take them.
fn draw(
    grid: &Grid,
    start: u64,
    calls: u64,
    subtitle: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (cols, col_ns) = grid.columns();
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = ROW_H * ROWS as f64;
    let height = TOP + plot_h + BOTTOM;
    let cell_w = plot_w / cols.len() as f64;
    let span_ns = col_ns * cols.len() as u64;
    let max = cols.iter().flatten().copied().max().unwrap_or(1).max(1);
    let y_of_row = |row: usize| TOP + plot_h - (row as f64 + 1.0) * ROW_H;

    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">"#
    )?;
    writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#)?;
    writeln!(
        out,
        r#"<text class="title" x="{}" y="24" text-anchor="middle" font-size="17">{TITLE}</text>"#,
        LEFT + plot_w / 2.0
    )?;
    writeln!(
        out,
        r##"<text class="subtitle" x="{}" y="44" text-anchor="middle" font-size="12" fill="#555">{} — {calls} calls</text>"##,
        LEFT + plot_w / 2.0,
        escape(subtitle)
    )?;
    // The plot's background: a slice with no call shows as light grey.
    writeln!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#f4f4f4" stroke="#888"/>"##
    )?;

    // Cells.
    writeln!(out, r#"<g class="cells">"#)?;
    for (c, col) in cols.iter().enumerate() {
        let x = LEFT + c as f64 * cell_w;
        let t0 = grid.origin + c as u64 * col_ns - start;
        for (row, &n) in col.iter().enumerate() {
            if n == 0 {
                continue;
            }
            writeln!(
                out,
                r#"<rect class="cell" x="{x:.2}" y="{:.2}" width="{:.2}" height="{ROW_H}" fill="{}"><title>{}–{} s, latency {}: {n} call{}</title></rect>"#,
                y_of_row(row),
                cell_w + 0.05,
                colour(n, max),
                seconds(t0, col_ns),
                seconds(t0 + col_ns, col_ns),
                escape(&row_label(row)),
                if n == 1 { "" } else { "s" },
            )?;
        }
    }
    writeln!(out, "</g>")?;

    // y axis: an edge label at each power of two of µs.
    writeln!(out, r#"<g class="y-axis" text-anchor="end">"#)?;
    for edge in 1..ROWS {
        let y = TOP + plot_h - edge as f64 * ROW_H;
        writeln!(
            out,
            r##"<line x1="{}" y1="{y}" x2="{LEFT}" y2="{y}" stroke="#888"/><text class="label" x="{}" y="{}">{}</text>"##,
            LEFT - 4.0,
            LEFT - 6.0,
            y + 4.0,
            duration(1000u64 << (edge - 1))
        )?;
    }
    writeln!(
        out,
        r#"<text x="18" y="{}" text-anchor="middle" transform="rotate(-90 18 {})" font-size="12">latency (exit − enter)</text>"#,
        TOP + plot_h / 2.0,
        TOP + plot_h / 2.0
    )?;
    writeln!(out, "</g>")?;

    // x axis: round seconds after the trace's first event.
    writeln!(out, r#"<g class="x-axis" text-anchor="middle">"#)?;
    let from = grid.origin - start;
    let step = tick_step(span_ns);
    let mut t = from.div_ceil(step) * step;
    let bottom = TOP + plot_h;
    while t <= from + span_ns {
        let x = LEFT + (t - from) as f64 / span_ns as f64 * plot_w;
        writeln!(
            out,
            r##"<line x1="{x:.2}" y1="{bottom}" x2="{x:.2}" y2="{}" stroke="#888"/><text class="label" x="{x:.2}" y="{}">{}</text>"##,
            bottom + 4.0,
            bottom + 16.0,
            seconds(t, step)
        )?;
        t += step;
    }
    writeln!(
        out,
        r#"<text x="{}" y="{}" font-size="12">seconds after the trace's first event (each column {})</text>"#,
        LEFT + plot_w / 2.0,
        bottom + 40.0,
        duration(col_ns)
    )?;
    writeln!(out, "</g>")?;

    legend(max, LEFT + plot_w + 30.0, TOP, plot_h, out)?;
    writeln!(out, "</svg>")
}

/// The colour scale: calls per cell, on a log scale from 1 to `max`.
fn legend(max: u64, x: f64, top: f64, h: f64, out: &mut dyn Write) -> io::Result<()> {
    const STEPS: usize = 24;
    writeln!(out, r#"<g class="legend">"#)?;
    writeln!(
        out,
        r#"<text x="{x}" y="{}" font-size="12">calls per cell</text>"#,
        top - 8.0
    )?;
    let step_h = h / STEPS as f64;
    for i in 0..STEPS {
        // Top of the bar is `max`, bottom is 1.
        let frac = 1.0 - i as f64 / (STEPS - 1) as f64;
        let n = (max as f64).powf(frac).round().max(1.0) as u64;
        writeln!(
            out,
            r#"<rect x="{x}" y="{:.2}" width="18" height="{:.2}" fill="{}"/>"#,
            top + i as f64 * step_h,
            step_h + 0.05,
            colour(n, max)
        )?;
    }
    writeln!(
        out,
        r##"<rect x="{x}" y="{top}" width="18" height="{h}" fill="none" stroke="#888"/>"##
    )?;
    let mut marks = vec![max, 1];
    let mid = (max as f64).sqrt().round() as u64;
    if mid > 1 && mid < max {
        marks.push(mid);
    }
    for n in marks {
        let frac = if max > 1 {
            (n as f64).ln() / (max as f64).ln()
        } else {
            1.0
        };
        let y = top + (1.0 - frac) * (h - step_h) + step_h / 2.0;
        writeln!(
            out,
            r#"<text class="label" x="{}" y="{:.2}">{n}</text>"#,
            x + 24.0,
            y + 4.0
        )?;
    }
    writeln!(out, "</g>")
}

/// Pale yellow for one call to dark red for the most, on a log scale (ColorBrewer's YlOrRd).
fn colour(n: u64, max: u64) -> String {
    const STOPS: [(f64, [f64; 3]); 4] = [
        (0.0, [255.0, 237.0, 160.0]),
        (0.35, [254.0, 178.0, 76.0]),
        (0.7, [240.0, 59.0, 32.0]),
        (1.0, [128.0, 0.0, 38.0]),
    ];
    let t = if max > 1 {
        ((n.max(1) as f64).ln() / (max as f64).ln()).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let i = STOPS.iter().rposition(|(at, _)| *at <= t).unwrap_or(0);
    let (a, ca) = STOPS[i];
    let (b, cb) = STOPS[(i + 1).min(STOPS.len() - 1)];
    let f = if b > a { (t - a) / (b - a) } else { 0.0 };
    let c: Vec<u8> = (0..3)
        .map(|k| (ca[k] + (cb[k] - ca[k]) * f).round() as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// A latency bucket in words.
fn row_label(row: usize) -> String {
    match row {
        0 => "< 1µs".into(),
        r if r == ROWS - 1 => format!("≥ {}", duration(1000u64 << (r - 1))),
        r => format!(
            "{}–{}",
            duration(1000u64 << (r - 1)),
            duration(1000u64 << r)
        ),
    }
}

/// A duration in ns, short: `1µs`, `512µs`, `1.0ms`, `16ms`, `1.0s`.
pub fn duration(ns: u64) -> String {
    let (v, unit) = if ns >= 1_000_000_000 {
        (ns as f64 / 1e9, "s")
    } else if ns >= 1_000_000 {
        (ns as f64 / 1e6, "ms")
    } else if ns >= 1_000 {
        (ns as f64 / 1e3, "µs")
    } else {
        (ns as f64, "ns")
    };
    if v < 10.0 && v.fract() != 0.0 {
        format!("{v:.1}{unit}")
    } else {
        format!("{v:.0}{unit}")
    }
}

/// ns as seconds, with as many decimals as a step of `step` ns needs.
fn seconds(ns: u64, step: u64) -> String {
    let decimals = match step {
        s if s >= 1_000_000_000 => 0,
        s if s >= 100_000_000 => 1,
        s if s >= 10_000_000 => 2,
        s if s >= 1_000_000 => 3,
        s if s >= 100_000 => 4,
        s if s >= 10_000 => 5,
        _ => 6,
    };
    format!("{:.*}", decimals, ns as f64 / 1e9)
}

/// A round step (1, 2 or 5 times a power of ten ns) giving about six to twelve ticks.
fn tick_step(span: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            let s = step * m;
            if span / s <= 10 {
                return s;
            }
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_buckets() {
        assert_eq!(row_of(0), 0);
        assert_eq!(row_of(999), 0);
        assert_eq!(row_of(1_000), 1);
        assert_eq!(row_of(1_999), 1);
        assert_eq!(row_of(2_000), 2);
        assert_eq!(row_of(1_000 << 19), 20);
        assert_eq!(row_of(5_000_000_000), ROWS - 1);
        assert_eq!(row_label(0), "< 1µs");
        assert_eq!(row_label(1), "1µs–2µs");
        assert_eq!(row_label(ROWS - 1), "≥ 1.0s");
    }

    #[test]
    fn slices_double_and_keep_every_call() {
        let mut g = Grid::default();
        for i in 0..100_000u64 {
            g.add(1_000_000_000 + i * 10_000, (i % ROWS as u64) as usize);
        }
        assert!(g.slices.len() <= MAX_SLICES);
        let total: u64 = g.slices.iter().flatten().sum();
        assert_eq!(total, 100_000);
        let (cols, w) = g.columns();
        assert!(cols.len() <= MAX_COLUMNS);
        assert!(w * cols.len() as u64 >= 999_990_000);
        assert_eq!(cols.iter().flatten().sum::<u64>(), 100_000);
    }

    #[test]
    fn ticks_and_labels() {
        assert_eq!(tick_step(1_000_000_000), 100_000_000);
        assert_eq!(tick_step(3_000_000), 500_000);
        assert_eq!(duration(1_024_000), "1.0ms");
        assert_eq!(duration(16_384_000), "16ms");
        assert_eq!(duration(1_000), "1µs");
        assert_eq!(seconds(1_500_000_000, 100_000_000), "1.5");
        assert_eq!(colour(1, 100), "#ffeda0");
        assert_eq!(colour(100, 100), "#800026");
    }
}
