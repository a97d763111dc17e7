//! `stdout`, `stderr`, `stdin`: the data processes wrote to (or read from) fd 1, 2 or 0, as
//! sysdig's chisels of those names print it: each call's captured bytes, then a line end.
//! With a filter, one process's output (`syspect stdout -r t.spt proc.name=nginx`); live,
//! 2000 bytes of each buffer are captured, as the chisels ask of sysdig.

use std::io::{self, Write};

use super::{io_data, io_of, Analyzer};
use crate::output::Ctx;
use crate::state::State;

/// How many bytes of each buffer a live `stdout` (`stderr`, `stdin`) captures.
pub const SNAPLEN: usize = 2000;

/// The data of each read or write on one fd number.
pub struct Stdio {
    fd: i32,
}

impl Stdio {
    /// For fd 0, 1 or 2.
    pub fn new(fd: i32) -> Stdio {
        Stdio { fd }
    }
}

impl Analyzer for Stdio {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let Some((fd, _, write)) = io_of(cx) else {
            return Ok(());
        };
        if fd != self.fd {
            return Ok(());
        }
        for part in io_data(cx, write) {
            out.write_all(part)?;
        }
        out.write_all(b"\n")
    }

    fn streaming(&self) -> bool {
        true
    }

    fn report(&mut self, _state: &State, _json: bool, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}
