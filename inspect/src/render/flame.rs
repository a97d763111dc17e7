//! `syspect flame`: a flame graph of the time spent in system calls, stacked as container
//! (`host` for processes outside any container), process name, syscall. Each frame's width is
//! the calls' summed latency in ns. The SVG (with its zoom and search script) is drawn by the
//! `inferno` crate from folded stacks, `container;process;syscall NS`, as Brendan Gregg's
//! flamegraph.pl would.

use std::collections::HashMap;
use std::io::{self, Write};

use inferno::flamegraph::{self, color, Options};
use syspect_capture::event::{EventKind, Tid};
use syspect_capture::syscalls;

use super::write_empty;
use crate::analyzers::latency;
use crate::fields::container_of;
use crate::output::{Ctx, Printer};
use crate::state::idhash::IdMap;
use crate::state::State;

const TITLE: &str = "System call time by container, process and syscall";

/// What a thread was last seen as: its name and cgroup, and the stack prefix they make.
struct Seen {
    comm: Vec<u8>,
    cgroup: Vec<u8>,
    prefix: u32,
}

/// The flame graph, as a [`Printer`].
pub struct FlameGraph {
    subtitle: String,
    /// Per thread, so that the common case costs two hash look-ups and a short compare.
    threads: IdMap<Tid, Seen>,
    /// `container;process` prefixes, interned.
    prefixes: Vec<String>,
    prefix_ids: HashMap<String, u32>,
    /// ns by (prefix, syscall number).
    time: HashMap<(u32, u16), u64>,
}

impl FlameGraph {
    pub fn new(subtitle: String) -> FlameGraph {
        FlameGraph {
            subtitle,
            threads: IdMap::default(),
            prefixes: Vec::new(),
            prefix_ids: HashMap::new(),
            time: HashMap::new(),
        }
    }

    /// The prefix id of the thread that made `cx`'s event, as it is now.
    fn prefix(&mut self, cx: &Ctx<'_>) -> u32 {
        let t = cx.state.thread(cx.ev.tid);
        let (comm, cgroup) = t
            .map(|t| (t.comm(), t.info.cgroup.as_slice()))
            .unwrap_or((b"", b""));
        if let Some(s) = self.threads.get(&cx.ev.tid) {
            if s.comm == comm && s.cgroup == cgroup {
                return s.prefix;
            }
        }
        let (name, id) = container_of(cx.state, t);
        let container = if name == "<NA>" { id.as_str() } else { name };
        let process = if comm.is_empty() {
            "<NA>".to_owned()
        } else {
            String::from_utf8_lossy(comm).into_owned()
        };
        let key = format!("{};{}", frame(container), frame(&process));
        let next = self.prefixes.len() as u32;
        let prefix = *self.prefix_ids.entry(key.clone()).or_insert_with(|| {
            self.prefixes.push(key);
            next
        });
        self.threads.insert(
            cx.ev.tid,
            Seen {
                comm: comm.to_vec(),
                cgroup: cgroup.to_vec(),
                prefix,
            },
        );
        prefix
    }

    /// The folded stacks, sorted as inferno wants them.
    pub fn folded(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .time
            .iter()
            .filter(|(_, ns)| **ns > 0)
            .map(|((p, nr), ns)| {
                format!(
                    "{};{} {ns}",
                    self.prefixes[*p as usize],
                    frame(&syscalls::name(*nr))
                )
            })
            .collect();
        lines.sort();
        lines
    }
}

/// A frame name that cannot break the folded format: no `;` (frame separator), no line breaks.
fn frame(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            ';' => ':',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

impl Printer for FlameGraph {
    fn event(&mut self, cx: &Ctx<'_>, _out: &mut dyn Write) -> io::Result<()> {
        if let EventKind::Exit { nr, .. } = cx.ev.kind {
            if let Some(ns) = latency(cx) {
                let p = self.prefix(cx);
                *self.time.entry((p, nr)).or_default() += ns;
            }
        }
        Ok(())
    }

    fn finish(&mut self, _state: &State, out: &mut dyn Write) -> io::Result<()> {
        let lines = self.folded();
        if lines.is_empty() {
            return write_empty(TITLE, &self.subtitle, out);
        }
        let mut opts = Options::default();
        opts.title = TITLE.to_owned();
        opts.subtitle = Some(self.subtitle.clone());
        opts.count_name = "ns".to_owned();
        opts.name_type = String::new();
        // Colours from the frame names, so that the same input draws the same picture.
        opts.hash = true;
        opts.colors = color::Palette::Basic(color::BasicPalette::Hot);
        // inferno writes to an io::Write that it owns; a reference to ours is one.
        flamegraph::from_lines(&mut opts, lines.iter().map(String::as_str), out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_names_cannot_split_a_stack() {
        assert_eq!(frame("a;b\nc"), "a:b?c");
        assert_eq!(frame("nginx: worker"), "nginx: worker");
    }
}
