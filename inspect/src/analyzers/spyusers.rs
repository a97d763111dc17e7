//! `spy-users`: commands run from interactive shells — a program exec'd by a shell whose
//! standard input is a terminal — with the time, the user and the terminal.

use std::io::{self, Write};

use syspect_capture::event::EventKind;

use super::{user, Analyzer, Cell, Table};
use crate::output::time::datetime;
use crate::output::Ctx;
use crate::state::State;

const SHELLS: &[&[u8]] = &[
    b"bash", b"sh", b"dash", b"zsh", b"ash", b"ksh", b"mksh", b"fish", b"tcsh", b"csh", b"busybox",
];

/// Commands typed in shells, as they are run.
#[derive(Default)]
pub struct SpyUsers {
    seen: Table,
}

fn tty_of(state: &State, pid: u32) -> Option<String> {
    let f = state.fds.get(pid, 0)?;
    (f.name.starts_with(b"/dev/pts/") || f.name.starts_with(b"/dev/tty"))
        .then(|| String::from_utf8_lossy(&f.name).into_owned())
}

impl Analyzer for SpyUsers {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let EventKind::Exec(x) = &cx.ev.kind else {
            return Ok(());
        };
        let args = &x.args;
        let st = cx.state;
        let Some(t) = st.thread(cx.ev.tid) else {
            return Ok(());
        };
        let Some(parent) = st.threads.process(t.info.ppid) else {
            return Ok(());
        };
        if !SHELLS.contains(&parent.info.comm.as_slice()) {
            return Ok(());
        }
        let Some(tty) = tty_of(st, cx.ev.pid).or_else(|| tty_of(st, t.info.ppid)) else {
            return Ok(());
        };
        let cmd: Vec<String> = args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let (time, who, cmd) = (datetime(cx.ev.ts), user(st, t.info.uid), cmd.join(" "));
        writeln!(out, "{time} {who} {} {tty}) {cmd}", cx.ev.pid)?;
        if self.seen.columns.is_empty() {
            self.seen = Table::new(&["time", "user", "pid", "tty", "command"]);
        }
        self.seen.row(vec![
            Cell::Text(time),
            Cell::Text(who),
            Cell::from(cx.ev.pid),
            Cell::Text(tty),
            Cell::Text(cmd),
        ]);
        Ok(())
    }

    fn streaming(&self) -> bool {
        true
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        if json {
            if self.seen.columns.is_empty() {
                self.seen = Table::new(&["time", "user", "pid", "tty", "command"]);
            }
            self.seen.write_json(out)?;
        }
        Ok(())
    }
}
