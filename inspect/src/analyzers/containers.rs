//! `containers`: the containers the trace knows, with their runtime, image, name, id and how
//! many of their processes are alive at its end: sysdig's `lscontainers` chisel. A container
//! whose metadata the trace lacks (its runtime was not reachable) is listed by the id in its
//! processes' cgroup paths, its image and name `<NA>`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Analyzer, Cell, Table};
use crate::fields::container::{container_id, container_runtime};
use crate::output::Ctx;
use crate::state::State;

/// The containers of the trace, at its end.
#[derive(Default)]
pub struct Containers;

#[derive(Default)]
struct Row {
    runtime: String,
    image: String,
    name: String,
    processes: u64,
}

impl Analyzer for Containers {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn report(&mut self, state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut rows: BTreeMap<String, Row> = state
            .containers
            .iter()
            .map(|(id, c)| {
                let row = Row {
                    runtime: c.runtime.clone(),
                    image: c.image.clone(),
                    name: c.name.clone(),
                    processes: 0,
                };
                (id.clone(), row)
            })
            .collect();
        for t in state.threads.iter().filter(|t| !t.dead) {
            let Some(id) = container_id(&t.info.cgroup) else {
                continue;
            };
            let row = rows.entry(id).or_insert_with(|| Row {
                runtime: container_runtime(&t.info.cgroup).unwrap_or("<NA>").into(),
                image: "<NA>".into(),
                name: "<NA>".into(),
                processes: 0,
            });
            row.processes += u64::from(t.info.tid == t.info.pid);
        }
        let mut v: Vec<(String, Row)> = rows.into_iter().collect();
        v.sort_by(|a, b| a.1.name.cmp(&b.1.name).then(a.0.cmp(&b.0)));
        let mut t = Table::new(&["TYPE", "IMAGE", "NAME", "ID", "PROCESSES"]);
        for (id, r) in v {
            t.row(vec![
                Cell::Text(r.runtime),
                Cell::Text(r.image),
                Cell::Text(r.name),
                Cell::Text(id.chars().take(12).collect()),
                Cell::from(r.processes),
            ]);
        }
        t.write(json, out)
    }
}
