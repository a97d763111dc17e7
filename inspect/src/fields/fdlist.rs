//! sysdig's `fdlist.*` fields: the fds a poll or ppoll names (`fdlist.nums` `4,5`), what they
//! name (`fdlist.names`), and of those that are inet sockets, the client's and the server's
//! addresses and ports (`fdlist.cips`, `fdlist.sports`...), each list comma-separated as
//! sysdig joins it, and undefined when empty.

use std::fmt::Write as _;

use syspect_capture::event::Arg;
use syspect_capture::syscalls::{ArgType, StructKind};

use super::extract::{args_of, ends, ip};
use super::F;
use crate::output::Ctx;

/// The fd numbers of the event's pollfd array (its own: the enter's or the exit's).
fn fds(cx: &Ctx<'_>) -> Option<Vec<i32>> {
    let (_, a) = args_of(cx)
        .into_iter()
        .find(|(d, _)| matches!(d.ty, ArgType::StructArray(StructKind::Pollfd, _)))?;
    let Arg::Mem(b) = a else {
        return None;
    };
    Some(
        b.chunks_exact(8)
            .map(|p| i32::from_ne_bytes([p[0], p[1], p[2], p[3]]))
            .collect(),
    )
}

/// Append field `f`'s list for `cx`'s event to `out`; false when it has none.
pub fn text(cx: &Ctx<'_>, f: F, out: &mut String) -> bool {
    let Some(fds) = fds(cx) else {
        return false;
    };
    let mut n = 0;
    for fd in fds {
        let known = cx.state.fds.get(cx.ev.pid, fd);
        let ends = known.and_then(ends);
        let start = out.len();
        if n > 0 {
            out.push(',');
        }
        let wrote = match (f, known, ends) {
            (F::FdlistNums, _, _) => write!(out, "{fd}").is_ok(),
            (F::FdlistNames, Some(k), _) => {
                out.push_str(&String::from_utf8_lossy(&k.name));
                true
            }
            (F::FdlistCips, _, Some((c, _))) => write!(out, "{}", ip(&c.0)).is_ok(),
            (F::FdlistSips, _, Some((_, s))) => write!(out, "{}", ip(&s.0)).is_ok(),
            (F::FdlistCports, _, Some((c, _))) => write!(out, "{}", c.1).is_ok(),
            (F::FdlistSports, _, Some((_, s))) => write!(out, "{}", s.1).is_ok(),
            _ => false,
        };
        if wrote {
            n += 1;
        } else {
            out.truncate(start);
        }
    }
    n > 0
}
