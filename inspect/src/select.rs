//! Selecting events with a filter: compiling it against the field registry, deriving what the
//! capture side can push into the kernel or the seccomp set, and keeping a filtered trace file
//! readable on its own.

use syspect_capture::event::{EventKind, FdInfo, Record};
use syspect_capture::syscalls;
use syspect_filter::{Filter, Literal};

use crate::fields::{FieldRegistry, F};
use crate::output::Ctx;
use crate::state::{effects, State};

/// Compile `text`, or the rendered error (the filter echoed with a caret under the mistake).
pub fn compile(text: &str) -> Result<Filter, String> {
    Filter::new(text, &FieldRegistry).map_err(|e| e.render(text))
}

/// Syscalls whose exit changes the state readers rebuild (fd tables, cwd) or follows processes:
/// a capture that pushes an `evt.type` set down still stops for these, so that the selected
/// events keep naming their files and processes.
fn state_syscalls() -> impl Iterator<Item = u16> {
    (0..syscalls::count()).filter(|&nr| {
        effects::effect(nr) != effects::Effect::None
            || matches!(
                syscalls::name(nr).as_ref(),
                "execve" | "execveat" | "clone" | "clone3" | "fork" | "vfork"
            )
    })
}

/// What the capture side may narrow without changing which events the filter selects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pushdown {
    /// Syscalls to stop for: those `evt.type` allows plus the state-keeping ones; `None` when
    /// the filter does not constrain `evt.type` to syscalls.
    pub syscalls: Option<Vec<u16>>,
}

/// Derive the pushdown of `filter`.
pub fn pushdown(filter: &Filter) -> Pushdown {
    let syscalls = filter.constraint(F::EvtType as u32).and_then(|lits| {
        let mut nrs = Vec::new();
        for l in lits {
            let Literal::Str(name) = l else { return None };
            // A name that is no syscall is a notice such as procexit, which always flows.
            if let Some(nr) = syscalls::number(&name) {
                nrs.push(nr);
            }
        }
        nrs.extend(state_syscalls());
        nrs.sort_unstable();
        nrs.dedup();
        Some(nrs)
    });
    Pushdown { syscalls }
}

/// For a filtered trace file: the state records that stand in for an event that changed the
/// state (a file opened, a process forked or exec'd), so that a reader of the file names fds
/// and processes as a reader of the whole stream would. (A close is not recorded: a closed fd
/// stays in a reader's table until its number is reused.)
pub fn state_records(state: &State, rec: &Record) -> Vec<Record> {
    let Record::Event(ev) = rec else {
        return vec![rec.clone()];
    };
    match &ev.kind {
        EventKind::Exit { nr, ret, .. }
            if *ret >= 0 && effects::effect(*nr) != effects::Effect::None =>
        {
            state
                .fds
                .of(ev.pid)
                .into_iter()
                .map(|(fd, f)| {
                    Record::Fd(FdInfo {
                        pid: ev.pid,
                        fd,
                        kind: f.kind,
                        name: f.name.clone(),
                        sock: f.sock,
                        flags: f.flags,
                    })
                })
                .collect()
        }
        EventKind::Clone { child_tid, .. } => state
            .thread(*child_tid)
            .map(|t| vec![Record::Thread(Box::new(t.info.clone()))])
            .unwrap_or_default(),
        EventKind::Exec(_) => state
            .thread(ev.tid)
            .map(|t| vec![Record::Thread(Box::new(t.info.clone()))])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// State plus filter, for a capture that writes only the selected events (or, without a
/// filter, all of them, keeping the state for rotated files).
pub struct Selector {
    pub state: State,
    filter: Option<Filter>,
    scratch: Vec<u8>,
    /// The time of the last event kept (`evt.deltatime`).
    prev_kept: Option<u64>,
    num: u64,
}

impl Selector {
    pub fn new(filter: Option<Filter>) -> Selector {
        Selector {
            state: State::new(),
            filter,
            scratch: Vec::new(),
            prev_kept: None,
            num: 0,
        }
    }

    /// What to write for `rec`: the state records that go before it (for an event that changed
    /// the state), and whether `rec` itself is to be written (a state record always is, an
    /// event when the filter selects it). The caller writes `rec` itself, uncopied.
    pub fn select(&mut self, rec: &Record) -> (Vec<Record>, bool) {
        let Record::Event(ev) = rec else {
            self.state.update(rec);
            return (Vec::new(), true);
        };
        if crate::output::counted_only(ev) {
            // Kept (for its number) only when everything is.
            self.num += 1;
            return (Vec::new(), self.filter.is_none());
        }
        let completed = self.state.update(rec);
        self.num += crate::output::numbered(ev) as u64;
        let Some(filter) = &self.filter else {
            return (Vec::new(), true);
        };
        let cx = Ctx {
            num: self.num,
            ev,
            state: &self.state,
            completed: completed.as_ref(),
            prev_shown: self.prev_kept,
        };
        let mut fields = crate::fields::EventFields {
            cx: &cx,
            scratch: &mut self.scratch,
            show: Default::default(),
        };
        let selected = filter.matches(&mut fields);
        if selected {
            self.prev_kept = Some(ev.ts);
        }
        // The state the event left behind comes first, selected or not: a reader of the file
        // then names the fds of the selected events even when their enter was not selected.
        (state_records(&self.state, rec), selected)
    }
}
