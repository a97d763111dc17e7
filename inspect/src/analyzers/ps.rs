//! `ps`: the processes alive at the end of the trace, with their latest memory figures.

use std::io::{self, Write};

use super::rows::Rows;
use super::{comm, user, Analyzer, Cell, Table};
use crate::fields::container_of;
use crate::output::Ctx;
use crate::state::State;

/// Processes with their user, memory and command line, those the filter keeps. The memory is
/// the state's: the /proc snapshot's, then the latest sample's.
pub struct Ps {
    rows: Rows,
}

impl Ps {
    pub fn new(rows: Rows) -> Ps {
        Ps { rows }
    }
}

impl Analyzer for Ps {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn report(&mut self, state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut t = Table::new(&[
            "TID",
            "PID",
            "USER",
            "CONTAINER",
            "VIRT",
            "RES",
            "CMD",
            "ARGS",
        ]);
        let mut threads: Vec<_> = state.threads.iter().filter(|t| !t.dead).collect();
        threads.sort_by_key(|t| (t.info.pid, t.info.tid));
        for th in threads {
            if !self.rows.keep(state, th, None) {
                continue;
            }
            let i = &th.info;
            let [_, rss, vsz] = state.thread(i.pid).map_or([0; 3], |m| m.figures());
            let args: Vec<String> = i
                .args
                .iter()
                .skip(1)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            t.row(vec![
                Cell::from(i.tid),
                Cell::from(i.pid),
                Cell::Text(user(state, i.uid)),
                Cell::Text(container_of(state, Some(th)).0.to_owned()),
                Cell::from(vsz),
                Cell::from(rss),
                Cell::Text(comm(state, i.tid)),
                Cell::Text(args.join(" ")),
            ]);
        }
        t.write(json, out)
    }
}
