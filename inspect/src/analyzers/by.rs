//! `by FIELD`: the calls grouped by the value of any field, with their count, errors, time
//! and bytes: sysdig's `fdbytes_by`, `fdcount_by` and `fdtime_by` chisels in one, and through
//! them `topprocs_net` (`by proc.name 'fd.type in (ipv4, ipv6)'`), `topports_server`
//! (`by fd.sport`), `topfiles_time` (`by fd.name 'fd.type=file' --sort time`) and the like.

use std::collections::HashMap;
use std::io::{self, Write};

use syspect_capture::event::EventKind;

use super::{io_of, latency, table::human_bytes, Analyzer, Cell, Table};
use crate::fields::format::Template;
use crate::fields::EventFields;
use crate::output::{Ctx, Show};
use crate::state::State;

/// What the rows are ranked by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rank {
    Bytes,
    Calls,
    Time,
    Errors,
}

#[derive(Default)]
struct Row {
    calls: u64,
    errors: u64,
    time_ns: u64,
    read: u64,
    written: u64,
}

/// The calls (syscall exits) grouped by a field's text.
pub struct By {
    /// The field's name, as the table's first column.
    field: &'static str,
    template: Template,
    rank: Rank,
    limit: usize,
    rows: HashMap<String, Row>,
    text: String,
    scratch: Vec<u8>,
}

impl By {
    /// Group by `field` (a name `list fields` shows: `proc.name`, `fd.sport`, `evt.arg.fd`).
    pub fn new(field: &str, rank: Rank, limit: usize) -> Result<By, String> {
        let template = Template::parse(&format!("%{field}")).map_err(|e| e.to_string())?;
        Ok(By {
            // the one column name the table cannot know beforehand; one per run
            field: Box::leak(field.to_owned().into_boxed_str()),
            template,
            rank,
            limit,
            rows: HashMap::new(),
            text: String::new(),
            scratch: Vec::new(),
        })
    }
}

impl Analyzer for By {
    fn event(&mut self, cx: &Ctx<'_>) {
        let EventKind::Exit { ret, .. } = cx.ev.kind else {
            return;
        };
        self.text.clear();
        let mut fields = EventFields {
            cx,
            scratch: &mut self.scratch,
            show: Show::default(),
        };
        // an event without the field is in no group, as in sysdig's tables
        if !self.template.render(&mut fields, &mut self.text) {
            return;
        }
        let row = match self.rows.get_mut(&self.text) {
            Some(r) => r,
            None => self.rows.entry(self.text.clone()).or_default(),
        };
        row.calls += 1;
        row.errors += u64::from(ret < 0);
        row.time_ns += latency(cx).unwrap_or(0);
        if let Some((_, bytes, write)) = io_of(cx) {
            if write {
                row.written += bytes;
            } else {
                row.read += bytes;
            }
        }
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let key = |r: &Row| match self.rank {
            Rank::Bytes => (r.read + r.written, r.calls),
            Rank::Calls => (r.calls, r.time_ns),
            Rank::Time => (r.time_ns, r.calls),
            Rank::Errors => (r.errors, r.calls),
        };
        let mut v: Vec<(&String, &Row)> = self.rows.iter().collect();
        v.sort_by(|a, b| key(b.1).cmp(&key(a.1)).then(a.0.cmp(b.0)));
        let mut t = Table::new(&[
            "BYTES", "READ", "WRITTEN", "HUMAN", "CALLS", "ERRORS", "TIME s", self.field,
        ]);
        for (value, r) in v.into_iter().take(self.limit.max(1)) {
            t.row(vec![
                Cell::from(r.read + r.written),
                Cell::from(r.read),
                Cell::from(r.written),
                Cell::Text(human_bytes(r.read + r.written)),
                Cell::from(r.calls),
                Cell::from(r.errors),
                Cell::Float(r.time_ns as f64 / 1e9, 6),
                Cell::Text(value.clone()),
            ]);
        }
        t.write(json, out)
    }
}
