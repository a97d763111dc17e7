//! `lsof`: the fds open in every process at the end of the trace (or at `--to`).

use std::io::{self, Write};

use super::{comm, user, Analyzer, Cell, Table};
use crate::output::Ctx;
use crate::state::{fds, State};

/// Open fds per process, from the state (nothing to count per event).
pub struct Lsof;

impl Analyzer for Lsof {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn report(&mut self, state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut t = Table::new(&["COMMAND", "PID", "TID", "USER", "FD", "TYPE", "NAME"]);
        let mut pids: Vec<u32> = state.fds.pids().collect();
        pids.sort_unstable();
        for pid in pids {
            let Some(p) = state.threads.process(pid) else {
                continue;
            };
            for (fd, f) in state.fds.of(pid) {
                t.row(vec![
                    Cell::Text(comm(state, p.info.tid)),
                    Cell::from(pid),
                    Cell::from(p.info.tid),
                    Cell::Text(user(state, p.info.uid)),
                    Cell::from(fd),
                    Cell::from(fds::type_name(f.kind)),
                    Cell::Text(String::from_utf8_lossy(&f.name).into_owned()),
                ]);
            }
        }
        t.write(json, out)
    }
}
