//! `httptop`: HTTP requests grouped by method and URL, with how many there were, the time
//! their responses took and the bytes they announced (`Content-Length`), the most frequent
//! first (`--sort time`, `--sort io` for the others): sysdig's `httptop` chisel. Requests and
//! responses are paired as `httplog` pairs them.

use std::collections::HashMap;
use std::io::{self, Write};

use super::httplog::Transactions;
use super::{table::human_bytes, Analyzer, Cell, Table};
use crate::output::time::human_duration;
use crate::output::Ctx;
use crate::state::State;

/// What the rows are ranked by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rank {
    Calls,
    Time,
    Bytes,
}

#[derive(Default)]
struct Row {
    calls: u64,
    time_ns: u64,
    bytes: u64,
}

/// HTTP requests by method and URL.
pub struct HttpTop {
    transactions: Transactions,
    rows: HashMap<(String, String), Row>,
    rank: Rank,
    limit: usize,
}

impl HttpTop {
    pub fn new(rank: Rank, limit: usize) -> HttpTop {
        HttpTop {
            transactions: Transactions::default(),
            rows: HashMap::new(),
            rank,
            limit,
        }
    }
}

impl Analyzer for HttpTop {
    fn event(&mut self, cx: &Ctx<'_>) {
        let Some(t) = self.transactions.event(cx) else {
            return;
        };
        let r = self.rows.entry((t.method, t.url)).or_default();
        r.calls += 1;
        r.time_ns += t.end.saturating_sub(t.start);
        r.bytes += t.size;
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let key = |r: &Row| match self.rank {
            Rank::Calls => (r.calls, r.time_ns),
            Rank::Time => (r.time_ns, r.calls),
            Rank::Bytes => (r.bytes, r.calls),
        };
        let mut v: Vec<_> = self.rows.iter().collect();
        v.sort_by(|a, b| key(b.1).cmp(&key(a.1)).then(a.0.cmp(b.0)));
        let mut t = Table::new(&[
            "NCALLS", "TIME", "TIME ns", "BYTES", "HUMAN", "METHOD", "URL",
        ]);
        for ((method, url), r) in v.into_iter().take(self.limit.max(1)) {
            t.row(vec![
                Cell::from(r.calls),
                Cell::Text(human_duration(r.time_ns)),
                Cell::from(r.time_ns),
                Cell::from(r.bytes),
                Cell::Text(human_bytes(r.bytes)),
                Cell::Text(method.clone()),
                Cell::Text(url.clone()),
            ]);
        }
        t.write(json, out)
    }
}
