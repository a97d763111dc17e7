//! Which rows a report of the state keeps (`lsof`, `netstat`, `ps`): their filter selects
//! threads and fds, not events.
//!
//! `syspect lsof -r t.spt proc.name=nginx` lists nginx's fds, as `sysdig -c lsof proc.name=nginx`
//! does. Such a report reads the state at the end of the trace, so a filter applied only to the
//! events it is fed would change nothing. As sysdig's chisels do, the filter is asked about each
//! row as if it were an event: a read of the row's fd by the row's thread. The `proc.`,
//! `thread.`, `user.`, `container.` and `fd.` fields are then the row's; `evt.` fields say
//! nothing useful about a row.

use syspect_capture::event::{Arg, Event, EventKind, CPU_UNKNOWN};
use syspect_capture::syscalls;
use syspect_filter::Filter;

use crate::fields::EventFields;
use crate::output::Ctx;
use crate::state::{State, Thread};

/// A row filter: keeps every row when there is no filter.
#[derive(Default)]
pub struct Rows {
    filter: Option<Filter>,
    scratch: Vec<u8>,
}

impl Rows {
    pub fn new(filter: Option<Filter>) -> Rows {
        Rows {
            filter,
            scratch: Vec::new(),
        }
    }

    /// Whether the row of thread `th` (and its process's fd `fd`, for a row about an fd) is
    /// kept.
    pub fn keep(&mut self, state: &State, th: &Thread, fd: Option<i32>) -> bool {
        let Some(filter) = &self.filter else {
            return true;
        };
        let args = match fd {
            // read(fd, buf, count): the enter's arguments are fd and count.
            Some(fd) => vec![Arg::Num(fd as i64 as u64), Arg::Num(0)],
            None => Vec::new(),
        };
        let ev = Event {
            ts: state.first_ts,
            tid: th.info.tid,
            pid: th.info.pid,
            cpu: CPU_UNKNOWN,
            kind: EventKind::Enter {
                nr: syscalls::number("read").unwrap_or(0),
                args,
            },
        };
        let cx = Ctx {
            num: 0,
            ev: &ev,
            state,
            completed: None,
            prev_shown: None,
        };
        filter.matches(&mut EventFields {
            cx: &cx,
            scratch: &mut self.scratch,
            show: Default::default(),
        })
    }
}
