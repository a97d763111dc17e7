//! sysdig's default line: `%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir
//! %evt.type %evt.info`, and with `--pc` the container before the process.

use std::io::{self, Write};

use syspect_capture::event::CPU_UNKNOWN;

use super::time::TimeFmt;
use super::{dir, info, type_name, Ctx, Printer, Show};

/// Prints sysdig's default line for every event.
#[derive(Default)]
pub struct LinePrinter {
    time: TimeFmt,
    /// Show the container (`--pc`).
    pub containers: bool,
    /// How data buffers (`-A`, `-x`, `-X`) and the time column (`-t`) are shown.
    pub show: Show,
    buf: String,
}

impl LinePrinter {
    pub fn new(containers: bool, show: Show) -> LinePrinter {
        LinePrinter {
            containers,
            show,
            ..Default::default()
        }
    }
}

impl Printer for LinePrinter {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        use std::fmt::Write as _;
        let ev = cx.ev;
        let b = &mut self.buf;
        b.clear();
        let _ = write!(b, "{} ", cx.num);
        self.show.times.write(&mut self.time, cx, b);
        if ev.cpu == CPU_UNKNOWN {
            b.push_str(" - ");
        } else {
            let _ = write!(b, " {} ", ev.cpu);
        }
        let t = cx.state.thread(ev.tid);
        if self.containers {
            let (name, id) = crate::fields::container_of(cx.state, t);
            let _ = write!(b, "{name} ({id}) ");
        }
        match t {
            Some(t) if !t.info.comm.is_empty() => {
                b.push_str(&String::from_utf8_lossy(&t.info.comm))
            }
            _ => b.push_str("<NA>"),
        }
        let _ = write!(b, " ({}) {} {} ", ev.tid, dir(ev), type_name(ev));
        info::info(cx.state, ev, self.show.bufs, b);
        b.push('\n');
        out.write_all(b.as_bytes())
    }
}
