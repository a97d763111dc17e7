//! `lsof`: the fds open in every process at the end of the trace (or at `--to`).

use std::io::{self, Write};

use super::rows::Rows;
use super::{comm, user, Analyzer, Cell, Table};
use crate::output::Ctx;
use crate::state::{fds, State};

/// Open fds per thread, from the state (nothing to count per event), those the filter keeps.
pub struct Lsof {
    rows: Rows,
}

impl Lsof {
    pub fn new(rows: Rows) -> Lsof {
        Lsof { rows }
    }
}

impl Analyzer for Lsof {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn report(&mut self, state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut t = Table::new(&["COMMAND", "PID", "TID", "USER", "FD", "TYPE", "NAME"]);
        // One row per thread and fd, as sysdig's lsof: threads share their process's fds.
        let mut threads: Vec<_> = state.threads.iter().filter(|t| !t.dead).collect();
        threads.sort_by_key(|t| (t.info.pid, t.info.tid));
        for th in threads {
            let (pid, tid) = (th.info.pid, th.info.tid);
            for (fd, f) in state.fds.of(pid) {
                if !self.rows.keep(state, th, Some(fd)) {
                    continue;
                }
                t.row(vec![
                    Cell::Text(comm(state, tid)),
                    Cell::from(pid),
                    Cell::from(tid),
                    Cell::Text(user(state, th.info.uid)),
                    Cell::from(fd),
                    Cell::from(fds::type_name(f.kind)),
                    Cell::Text(String::from_utf8_lossy(&f.name).into_owned()),
                ]);
            }
        }
        t.write(json, out)
    }
}
