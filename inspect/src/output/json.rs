//! JSON lines: one object per event with sysdig's `-j` keys, plus the arguments as an object.

use std::io::{self, Write};

use serde_json::{json, Map, Value};
use syspect_capture::event::{Arg, EventKind, CPU_UNKNOWN};
use syspect_capture::syscalls::{self, render};

use super::time::TimeFmt;
use super::{dir, info, type_name, Ctx, Printer};

/// Prints one JSON object per event.
#[derive(Default)]
pub struct JsonPrinter {
    time: TimeFmt,
}

fn arg_json(v: &Arg) -> Value {
    match v {
        Arg::Num(n) => json!(n),
        Arg::Str { data, .. } | Arg::Buf { data, .. } => json!(String::from_utf8_lossy(data)),
        Arg::Mem(m) => json!(m.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        Arg::StrList { items, .. } => json!(items
            .iter()
            .map(|i| String::from_utf8_lossy(i))
            .collect::<Vec<_>>()),
        Arg::Fault(p) => json!(format!("{p:#x}")),
        Arg::List(l) => Value::Array(l.iter().map(arg_json).collect()),
    }
}

impl Printer for JsonPrinter {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let ev = cx.ev;
        let mut m = Map::new();
        m.insert("evt.num".into(), json!(cx.num));
        let mut t = String::new();
        self.time.time_of_day(ev.ts, &mut t);
        m.insert("evt.outputtime".into(), json!(t));
        m.insert("evt.rawtime".into(), json!(ev.ts));
        m.insert(
            "evt.cpu".into(),
            if ev.cpu == CPU_UNKNOWN {
                Value::Null
            } else {
                json!(ev.cpu)
            },
        );
        let th = cx.state.thread(ev.tid);
        m.insert(
            "proc.name".into(),
            th.map(|t| json!(String::from_utf8_lossy(&t.info.comm)))
                .unwrap_or(Value::Null),
        );
        m.insert("proc.pid".into(), json!(ev.pid));
        m.insert("thread.tid".into(), json!(ev.tid));
        m.insert("evt.dir".into(), json!(dir(ev).to_string()));
        m.insert("evt.type".into(), json!(type_name(ev)));
        let mut i = String::new();
        info::info(cx.state, ev, &mut i);
        m.insert("evt.info".into(), json!(i));
        let mut args = Map::new();
        match &ev.kind {
            EventKind::Enter { nr, args: a } | EventKind::Exit { nr, args: a, .. } => {
                let exit = matches!(ev.kind, EventKind::Exit { .. });
                if let EventKind::Exit { ret, .. } = &ev.kind {
                    m.insert("evt.res".into(), json!(ret));
                    if *ret < 0 {
                        if let Some(n) = render::errno_name((-ret) as i32) {
                            m.insert("evt.errno".into(), json!(n));
                        }
                    }
                }
                match syscalls::lookup(*nr) {
                    Some(d) => {
                        let wanted = d.args.iter().filter(|x| match x.dir {
                            syscalls::Dir::In => !exit,
                            syscalls::Dir::Out => exit,
                            syscalls::Dir::InOut => true,
                        });
                        for (desc, v) in wanted.zip(a) {
                            args.insert(desc.name.into(), arg_json(v));
                        }
                    }
                    None => {
                        for (n, v) in a.iter().enumerate() {
                            args.insert(format!("arg{n}"), arg_json(v));
                        }
                    }
                }
            }
            _ => {}
        }
        m.insert("evt.args".into(), Value::Object(args));
        serde_json::to_writer(&mut *out, &Value::Object(m))?;
        out.write_all(b"\n")
    }
}
