//! `echo-fds`: the data read and written on fds, as it happens — printable text (`-A`, the
//! default: other bytes as `.`) or a hex dump (`-X`).

use std::io::{self, Write};

use serde_json::json;

use super::{comm, io_data, io_of, Analyzer};
use crate::output::Ctx;
use crate::state::State;

/// Prints each read and write with its data.
pub struct EchoFds {
    hex: bool,
    json: Vec<serde_json::Value>,
}

impl EchoFds {
    pub fn new(hex: bool) -> EchoFds {
        EchoFds {
            hex,
            json: Vec::new(),
        }
    }
}

fn printable(data: &[u8], out: &mut Vec<u8>) {
    for &b in data {
        out.push(if b == b'\n' || b == b'\t' || (0x20..0x7f).contains(&b) {
            b
        } else {
            b'.'
        });
    }
}

fn hexdump(data: &[u8], out: &mut Vec<u8>) {
    for (i, chunk) in data.chunks(16).enumerate() {
        let _ = write!(out, "0x{:04x}:", i * 16);
        for pair in chunk.chunks(2) {
            let _ = write!(out, " ");
            for b in pair {
                let _ = write!(out, "{b:02x}");
            }
        }
        let pad = (16 - chunk.len()) * 2 + (16 - chunk.len()).div_ceil(2);
        out.extend(std::iter::repeat_n(b' ', pad + 2));
        printable(chunk, out);
        out.push(b'\n');
    }
}

impl Analyzer for EchoFds {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let Some((fd, bytes, write)) = io_of(cx) else {
            return Ok(());
        };
        let name = cx
            .state
            .fds
            .get(cx.ev.pid, fd)
            .map(|f| String::from_utf8_lossy(&f.name).into_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("fd {fd}"));
        let data: Vec<u8> = io_data(cx, write).concat();
        let process = comm(cx.state, cx.ev.tid);
        let mut buf = Vec::new();
        let _ = writeln!(
            buf,
            "------ {} {bytes}B {} {name} ({process} {})",
            if write { "Write" } else { "Read" },
            if write { "to" } else { "from" },
            cx.ev.pid
        );
        if self.hex {
            hexdump(&data, &mut buf);
        } else {
            printable(&data, &mut buf);
            if !buf.ends_with(b"\n") {
                buf.push(b'\n');
            }
        }
        self.json.push(json!({
            "dir": if write { "write" } else { "read" },
            "bytes": bytes,
            "fd": fd,
            "name": name,
            "process": process,
            "pid": cx.ev.pid,
            "data": String::from_utf8_lossy(&data),
        }));
        out.write_all(&buf)
    }

    fn streaming(&self) -> bool {
        true
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        if json {
            serde_json::to_writer(&mut *out, &self.json)?;
            writeln!(out)?;
        }
        Ok(())
    }
}
