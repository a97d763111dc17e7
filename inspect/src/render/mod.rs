//! Pictures of a trace, written as SVG: `syspect chart latency` (a heatmap of syscall latency
//! over time, [`latency`]) and `syspect flame` (a flame graph of syscall time by container,
//! process and syscall, [`flame`]).
//!
//! Each is a [`Printer`]: it runs inside the same pipeline as the analyzers, so filters,
//! `--from`/`--to` and sysdig captures work unchanged, takes in the exit events whose enter
//! the state saw (latency = exit time − enter time, as `summary` and `top` count it), and
//! writes its SVG when the stream ends.

pub mod flame;
pub mod latency;

use std::io::{self, Write};
use std::path::PathBuf;

use crate::output::Printer;

/// What to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picture {
    /// Calls by time and latency bucket.
    Latency,
    /// Syscall time by container, process and syscall.
    Flame,
}

/// A printer that draws `what`; `subtitle` says what was drawn (see [`describe`]).
pub fn printer(what: Picture, subtitle: String) -> Box<dyn Printer> {
    match what {
        Picture::Latency => Box::new(latency::LatencyChart::new(subtitle)),
        Picture::Flame => Box::new(flame::FlameGraph::new(subtitle)),
    }
}

/// A subtitle naming the inputs and the filter: `t.spt, filter: evt.type=read`.
pub fn describe(files: &[PathBuf], filter: Option<&str>) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .unwrap_or(f.as_os_str())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut s = names.join(", ");
    if let Some(f) = filter {
        s.push_str(", filter: ");
        s.push_str(f);
    }
    s
}

/// `text` made safe inside an XML element or a double-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            // XML 1.0 allows no control characters but tab, newline and carriage return.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => s.push('?'),
            c => s.push(c),
        }
    }
    s
}

/// The SVG written when nothing was selected: the title and why there is no picture, so
/// that the output is still a valid image (as an analyzer prints an empty table).
pub fn write_empty(title: &str, subtitle: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="600" height="120" viewBox="0 0 600 120" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="300" y="30" text-anchor="middle" font-size="17">{}</text>
<text x="300" y="52" text-anchor="middle" font-size="12" fill="#555">{}</text>
<text x="300" y="90" text-anchor="middle" font-size="14">no completed system calls were selected</text>
</svg>"##,
        escape(title),
        escape(subtitle)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b & \"c\"\x01"), "a&lt;b &amp; &quot;c&quot;?");
    }

    #[test]
    fn describes_inputs_and_filter() {
        let files = [PathBuf::from("/tmp/x/t.spt")];
        assert_eq!(describe(&files, None), "t.spt");
        assert_eq!(
            describe(&files, Some("evt.type=read")),
            "t.spt, filter: evt.type=read"
        );
    }
}
