//! JSON lines: one object per event with sysdig's `-j` keys, plus the arguments as an object.
//!
//! Written straight to the output through serde, keys in sorted order, without building a
//! `serde_json::Value` per event (which made `-j` five times slower than the text lines).

use super::buffer::BufStyle;
use std::io::{self, Write};

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use syspect_capture::event::{Arg, EventKind, CPU_UNKNOWN};
use syspect_capture::syscalls::{self, render};

use super::time::TimeFmt;
use super::{dir, info, type_name, Ctx, Printer};

/// Prints one JSON object per event.
#[derive(Default)]
pub struct JsonPrinter {
    /// How `evt.info` shows a data buffer (`-A`, `-x`, `-X`, `-b`, as sysdig's JSON does).
    bufs: BufStyle,
    time: TimeFmt,
    /// Reused text of the time and of evt.info.
    time_text: String,
    info_text: String,
}

impl JsonPrinter {
    pub fn new(bufs: BufStyle) -> JsonPrinter {
        JsonPrinter {
            bufs,
            ..Default::default()
        }
    }
}

/// Bytes as a JSON string, invalid UTF-8 replaced as `String::from_utf8_lossy` does.
struct Lossy<'a>(&'a [u8]);

impl Serialize for Lossy<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(self.0))
    }
}

/// An argument's JSON value.
struct ArgJson<'a>(&'a Arg);

impl Serialize for ArgJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Arg::Num(n) => s.serialize_u64(*n),
            Arg::Str { data, .. } | Arg::Buf { data, .. } => Lossy(data).serialize(s),
            Arg::Mem(m) => {
                let mut hex = String::with_capacity(m.len() * 2);
                for b in m {
                    use std::fmt::Write as _;
                    let _ = write!(hex, "{b:02x}");
                }
                s.serialize_str(&hex)
            }
            Arg::StrList { items, .. } => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(&Lossy(i))?;
                }
                seq.end()
            }
            Arg::Fault(p) => s.serialize_str(&format!("{p:#x}")),
            Arg::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for a in l {
                    seq.serialize_element(&ArgJson(a))?;
                }
                seq.end()
            }
        }
    }
}

/// The arguments an event shows, by name, in sorted order.
struct Args<'a>(Vec<(std::borrow::Cow<'static, str>, &'a Arg)>);

impl Serialize for Args<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, &ArgJson(v))?;
        }
        m.end()
    }
}

/// One event's object; fields in the sorted order of its keys.
#[derive(Serialize)]
struct EventJson<'a> {
    #[serde(rename = "evt.args")]
    args: Args<'a>,
    #[serde(rename = "evt.cpu")]
    cpu: Option<u16>,
    #[serde(rename = "evt.dir")]
    dir: &'a str,
    #[serde(rename = "evt.errno", skip_serializing_if = "Option::is_none")]
    errno: Option<&'a str>,
    #[serde(rename = "evt.info")]
    info: &'a str,
    #[serde(rename = "evt.num")]
    num: u64,
    #[serde(rename = "evt.outputtime")]
    outputtime: &'a str,
    #[serde(rename = "evt.rawtime")]
    rawtime: u64,
    #[serde(rename = "evt.res", skip_serializing_if = "Option::is_none")]
    res: Option<i64>,
    #[serde(rename = "evt.type")]
    ty: &'a str,
    #[serde(rename = "proc.name")]
    name: Option<Lossy<'a>>,
    #[serde(rename = "proc.pid")]
    pid: u32,
    #[serde(rename = "thread.tid")]
    tid: u32,
}

impl Printer for JsonPrinter {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let ev = cx.ev;
        self.time_text.clear();
        self.time.time_of_day(ev.ts, &mut self.time_text);
        self.info_text.clear();
        info::info(cx.state, ev, self.bufs, &mut self.info_text);
        let mut args: Vec<(std::borrow::Cow<'static, str>, &Arg)> = Vec::new();
        let (mut res, mut errno) = (None, None);
        if let EventKind::Enter { nr, args: a } | EventKind::Exit { nr, args: a, .. } = &ev.kind {
            let exit = matches!(ev.kind, EventKind::Exit { .. });
            if let EventKind::Exit { ret, .. } = &ev.kind {
                res = Some(*ret);
                if *ret < 0 {
                    errno = render::errno_name((-ret) as i32);
                }
            }
            match syscalls::lookup(*nr) {
                Some(d) => {
                    let wanted = d.args.iter().filter(|x| match x.dir {
                        syscalls::Dir::In => !exit,
                        syscalls::Dir::Out => exit,
                        syscalls::Dir::InOut => true,
                    });
                    args.extend(wanted.zip(a).map(|(desc, v)| (desc.name.into(), v)));
                }
                None => {
                    args.extend(
                        a.iter()
                            .enumerate()
                            .map(|(n, v)| (format!("arg{n}").into(), v)),
                    );
                }
            }
            // As a map's keys: sorted, and a repeated name keeps its last value.
            args.sort_by(|x, y| x.0.cmp(&y.0));
            args.reverse();
            args.dedup_by(|x, y| x.0 == y.0);
            args.reverse();
        }
        let d = dir(ev);
        let ty = type_name(ev);
        let obj = EventJson {
            args: Args(args),
            cpu: (ev.cpu != CPU_UNKNOWN).then_some(ev.cpu),
            dir: if d == '<' { "<" } else { ">" },
            errno,
            info: &self.info_text,
            num: cx.num,
            outputtime: &self.time_text,
            rawtime: ev.ts,
            res,
            ty: &ty,
            name: cx.state.thread(ev.tid).map(|t| Lossy(&t.info.comm)),
            pid: ev.pid,
            tid: ev.tid,
        };
        serde_json::to_writer(&mut *out, &obj)?;
        out.write_all(b"\n")
    }
}
