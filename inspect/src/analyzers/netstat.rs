//! `netstat`: sockets open at the end of the trace, with the process that holds each.

use std::io::{self, Write};

use syspect_capture::event::{FdKind, L4Proto};

use super::rows::Rows;
use super::{comm, Analyzer, Cell, Table};
use crate::output::Ctx;
use crate::state::{fds, State};

/// Inet sockets per process, from the state, those the filter keeps.
pub struct Netstat {
    rows: Rows,
}

impl Netstat {
    pub fn new(rows: Rows) -> Netstat {
        Netstat { rows }
    }
}

fn proto(p: L4Proto, v6: bool) -> String {
    let base = match p {
        L4Proto::Tcp => "tcp",
        L4Proto::Udp => "udp",
        L4Proto::Raw => "raw",
        L4Proto::Unknown => "?",
    };
    if v6 {
        format!("{base}6")
    } else {
        base.to_owned()
    }
}

fn endpoint(e: &([u8; 16], u16)) -> String {
    format!("{}:{}", fds::ip_text(&e.0), e.1)
}

impl Analyzer for Netstat {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn report(&mut self, state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        // sysdig's netstat: inet sockets, server end first; a socket with no peer listens.
        let mut t = Table::new(&[
            "Proto",
            "Server Address",
            "Client Address",
            "State",
            "TID/PID/Program Name",
        ]);
        let mut pids: Vec<u32> = state.fds.pids().collect();
        pids.sort_unstable();
        for pid in pids {
            let Some(p) = state.threads.process(pid) else {
                continue;
            };
            for (fd, f) in state.fds.of(pid) {
                let (FdKind::Ipv4 | FdKind::Ipv6, Some(s)) = (f.kind, &f.sock) else {
                    continue;
                };
                if !self.rows.keep(state, p, Some(fd)) {
                    continue;
                }
                let (server, client, st) = if s.remote.1 == 0 {
                    (endpoint(&s.local), "0.0.0.0:*".to_owned(), "LISTEN")
                } else if f.server {
                    (endpoint(&s.local), endpoint(&s.remote), "ESTABLISHED")
                } else {
                    (endpoint(&s.remote), endpoint(&s.local), "ESTABLISHED")
                };
                t.row(vec![
                    Cell::Text(proto(s.proto, false)),
                    Cell::Text(server),
                    Cell::Text(client),
                    st.into(),
                    Cell::Text(format!("{}/{pid}/{}", p.info.tid, comm(state, p.info.tid))),
                ]);
            }
        }
        t.write(json, out)
    }
}
