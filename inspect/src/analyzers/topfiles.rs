//! `topfiles`: files by bytes read and written.

use std::collections::HashMap;
use std::io::{self, Write};

use syspect_capture::event::FdKind;

use super::{io_of, table::human_bytes, Analyzer, Cell, Table};
use crate::output::Ctx;
use crate::state::State;

/// Bytes read and written per file name.
pub struct TopFiles {
    files: HashMap<Vec<u8>, (u64, u64)>,
    limit: usize,
}

impl TopFiles {
    pub fn new(limit: usize) -> TopFiles {
        TopFiles {
            files: HashMap::new(),
            limit,
        }
    }
}

impl Analyzer for TopFiles {
    fn event(&mut self, cx: &Ctx<'_>) {
        let Some((fd, bytes, write)) = io_of(cx) else {
            return;
        };
        let Some(f) = cx.state.fds.get(cx.ev.pid, fd) else {
            return;
        };
        if !matches!(f.kind, FdKind::File | FdKind::Memfd | FdKind::Directory) {
            return;
        }
        let e = self.files.entry(f.name.clone()).or_default();
        if write {
            e.1 += bytes;
        } else {
            e.0 += bytes;
        }
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut v: Vec<_> = self.files.iter().collect();
        v.sort_by(|a, b| (b.1 .0 + b.1 .1).cmp(&(a.1 .0 + a.1 .1)).then(a.0.cmp(b.0)));
        let mut t = Table::new(&["bytes", "read", "written", "human", "file"]);
        for (name, (r, w)) in v.into_iter().take(self.limit.max(1)) {
            t.row(vec![
                Cell::from(r + w),
                Cell::from(*r),
                Cell::from(*w),
                Cell::Text(human_bytes(r + w)),
                Cell::Text(String::from_utf8_lossy(name).into_owned()),
            ]);
        }
        t.write(json, out)
    }
}
