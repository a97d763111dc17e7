//! `netstat`: sockets open at the end of the trace, with the process that holds each.

use std::io::{self, Write};

use syspect_capture::event::{FdKind, L4Proto};

use super::{comm, Analyzer, Cell, Table};
use crate::output::Ctx;
use crate::state::{fds, State};

/// Inet and unix sockets per process, from the state.
pub struct Netstat;

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

impl Analyzer for Netstat {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn report(&mut self, state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut t = Table::new(&[
            "Proto",
            "Local Address",
            "Foreign Address",
            "State",
            "PID/Program",
        ]);
        let mut pids: Vec<u32> = state.fds.pids().collect();
        pids.sort_unstable();
        for pid in pids {
            let Some(p) = state.threads.process(pid) else {
                continue;
            };
            for (_, f) in state.fds.of(pid) {
                let (local, remote, pr) = match (f.kind, &f.sock) {
                    (FdKind::Ipv4 | FdKind::Ipv6, Some(s)) => (
                        format!("{}:{}", fds::ip_text(&s.local.0), s.local.1),
                        if s.remote.1 == 0 {
                            "*:*".to_owned()
                        } else {
                            format!("{}:{}", fds::ip_text(&s.remote.0), s.remote.1)
                        },
                        proto(s.proto, f.kind == FdKind::Ipv6),
                    ),
                    (FdKind::Unix, _) => (
                        String::from_utf8_lossy(&f.name).into_owned(),
                        String::new(),
                        "unix".to_owned(),
                    ),
                    _ => continue,
                };
                let st = match &f.sock {
                    Some(s) if s.proto == L4Proto::Tcp && f.server && s.remote.1 == 0 => "LISTEN",
                    Some(s) if s.proto == L4Proto::Tcp && s.remote.1 != 0 => "ESTABLISHED",
                    _ => "",
                };
                t.row(vec![
                    Cell::Text(pr),
                    Cell::Text(local),
                    Cell::Text(remote),
                    st.into(),
                    Cell::Text(format!("{pid}/{}", comm(state, p.info.tid))),
                ]);
            }
        }
        t.write(json, out)
    }
}
