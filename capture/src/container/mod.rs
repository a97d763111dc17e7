//! Containers: which one a process runs in, and what its runtime says about it.
//!
//! - [`cgroup`]: the container id (and runtime) from a cgroup path, the one parser that capture
//!   and every reader use; cgroup v2 ids for the eBPF engine's in-kernel cgroup filter.
//! - [`docker`]: names, images, labels and start times from the Docker Engine API, at the start
//!   of a capture and from Docker's event stream while it runs.
//! - [`ContainerFeed`]: what a live capture adds to each batch of engine records: the
//!   [`Record::Container`]s Docker sent meanwhile, and a fresh [`Record::Thread`] for each
//!   process whose exec found it in another container than its parent's (`docker exec`, a
//!   container's first process), so that a reader names its container from that event on
//!   (whatever the engine; the eBPF engine also sends such records itself when it sees a
//!   process change cgroups). A container met that way and not yet described is asked of
//!   Docker on the spot (at most `INSPECT_TIMEOUT`), so its record comes first. A process
//!   whose first event comes from nowhere the feed knows (no thread record, no clone: it was
//!   born while a kernel filter left it out, e.g. the first process of a container that
//!   restarted during a `--container` capture) is read from /proc the same way, once.
//!
//! ```
//! use syspect_capture::container::ContainerFeed;
//! use syspect_capture::event::{Event, EventKind, Record};
//! let mut feed = ContainerFeed::new(None, &[]);
//! let mut batch = vec![Record::Event(Event {
//!     ts: 1, tid: 7, pid: 7, cpu: 0, kind: EventKind::ThreadExit { status: 0 },
//! })];
//! feed.process(&mut batch);
//! assert_eq!(batch.len(), 1);
//! ```

pub mod cgroup;
pub mod docker;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use self::docker::DockerWatch;
use crate::event::{ContainerInfo, Event, EventKind, Record, Tid};
use crate::procfs;

/// How long the capture loop waits for Docker to describe a container it has just met.
const INSPECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Adds container knowledge to a live capture's batches. See the module docs.
pub struct ContainerFeed {
    docker: Option<DockerWatch>,
    /// Container id (full) of each process as last known; `None`: the host.
    by_pid: HashMap<Tid, Option<String>>,
    /// Containers whose record has been sent.
    described: HashSet<String>,
    /// Containers Docker was asked about once already and did not know.
    unknown: HashSet<String>,
    /// Processes met without a record that named them, read from /proc once.
    looked_up: HashSet<Tid>,
    /// The last event's process, known to be in `by_pid` (0: none): events come in runs of
    /// one process, and this spares a hash lookup per event.
    last_known: Tid,
}

impl ContainerFeed {
    /// Start from the records a capture began with (threads and containers), with Docker's
    /// updates when `docker` is given.
    pub fn new(docker: Option<DockerWatch>, initial: &[Record]) -> ContainerFeed {
        let mut feed = ContainerFeed {
            docker,
            by_pid: HashMap::new(),
            described: HashSet::new(),
            unknown: HashSet::new(),
            looked_up: HashSet::new(),
            last_known: 0,
        };
        for r in initial {
            feed.observe(r);
        }
        feed
    }

    /// The Docker connection, if any.
    pub fn docker(&self) -> Option<&DockerWatch> {
        self.docker.as_ref()
    }

    /// Complete one batch of engine records in place: container records Docker sent are put
    /// first, thread records of processes that entered a container just before their exec
    /// event. Returns the container records added (for callers that watch names).
    pub fn process(&mut self, recs: &mut Vec<Record>) -> Vec<ContainerInfo> {
        let mut added: Vec<ContainerInfo> = match &self.docker {
            Some(d) => d.updates().collect(),
            None => Vec::new(),
        };
        for c in &added {
            self.described.insert(c.id.clone());
        }
        // (index in `recs`, records to put before it)
        let mut inserts: Vec<(usize, Vec<Record>)> = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            let extra = match r {
                Record::Event(Event {
                    pid,
                    kind: EventKind::Exec(x),
                    ..
                }) => self.exec(*pid, &x.cgroup, &mut added),
                // a process no record has named yet (unless it is leaving)
                Record::Event(ev)
                    if ev.pid != 0
                        && ev.pid != self.last_known
                        && !matches!(ev.kind, EventKind::ThreadExit { .. })
                        && !self.known(ev.pid)
                        && self.looked_up.insert(ev.pid) =>
                {
                    self.exec(ev.pid, &[], &mut added)
                }
                // the engine's own news of a process in a new cgroup (eBPF): name the
                // container before the thread record that puts the process in it
                Record::Thread(t) => cgroup::container_id(&t.cgroup)
                    .and_then(|id| self.describe(&id))
                    .map(|info| {
                        added.push(info.clone());
                        vec![Record::Container(Box::new(info))]
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            if !extra.is_empty() {
                inserts.push((i, extra));
            }
            self.observe(r);
        }
        if inserts.is_empty() && added.is_empty() {
            return added;
        }
        let old = std::mem::take(recs);
        recs.reserve(old.len() + added.len());
        recs.extend(
            added
                .iter()
                .cloned()
                .map(|v| Record::Container(Box::new(v))),
        );
        let mut inserts = inserts.into_iter().peekable();
        for (i, r) in old.into_iter().enumerate() {
            if inserts.peek().is_some_and(|(at, _)| *at == i) {
                if let Some((_, extra)) = inserts.next() {
                    recs.extend(extra);
                }
            }
            recs.push(r);
        }
        added
    }

    /// Whether `pid` is in `by_pid`; remembers it as the last known when it is.
    fn known(&mut self, pid: Tid) -> bool {
        let known = self.by_pid.contains_key(&pid);
        if known {
            self.last_known = pid;
        }
        known
    }

    /// Keep `by_pid` current with what a record says.
    fn observe(&mut self, r: &Record) {
        match r {
            Record::Thread(t) if t.tid == t.pid || !self.by_pid.contains_key(&t.pid) => {
                self.by_pid.insert(t.pid, cgroup::container_id(&t.cgroup));
            }
            Record::Container(c) => {
                self.described.insert(c.id.clone());
            }
            Record::Event(ev) => match &ev.kind {
                EventKind::Clone { child_pid, .. } if *child_pid != ev.pid => {
                    let parent = self.by_pid.get(&ev.pid).cloned().flatten();
                    self.by_pid.insert(*child_pid, parent);
                }
                EventKind::ThreadExit { .. } if ev.tid == ev.pid => {
                    self.by_pid.remove(&ev.pid);
                    if self.last_known == ev.pid {
                        self.last_known = 0;
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Process `pid` just exec'd (into `cgroup`, when the engine says so; empty: unknown):
    /// when it is in another container than the one it was believed in, the records that say
    /// so: the container's, if new, and unless the exec event carries the cgroup itself (which
    /// readers take), its threads and fds as /proc shows them now.
    fn exec(&mut self, pid: Tid, cgroup: &[u8], added: &mut Vec<ContainerInfo>) -> Vec<Record> {
        let now = if cgroup.is_empty() {
            match cgroup::path_of_pid(pid) {
                Some(path) => cgroup::container_id(path.as_bytes()),
                None => return Vec::new(), // already gone
            }
        } else {
            cgroup::container_id(cgroup)
        };
        if self.by_pid.get(&pid) == Some(&now) {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(id) = &now {
            if let Some(info) = self.describe(id) {
                added.push(info.clone());
                out.push(Record::Container(Box::new(info)));
            }
        }
        if !cgroup.is_empty() {
            self.by_pid.insert(pid, now);
            return out;
        }
        out.extend(
            procfs::snapshot_pids(&[pid])
                .into_iter()
                .filter(|r| match r {
                    Record::Thread(t) => t.pid == pid,
                    Record::Fd(f) => f.pid == pid,
                    _ => false,
                }),
        );
        self.by_pid.insert(pid, now);
        out
    }

    /// Ask Docker about a container not described yet (once per container).
    fn describe(&mut self, id: &str) -> Option<ContainerInfo> {
        if self.described.contains(id) || self.unknown.contains(id) {
            return None;
        }
        let info = self
            .docker
            .as_ref()
            .and_then(|d| d.inspect(id, INSPECT_TIMEOUT).ok().flatten());
        match &info {
            Some(c) => self.described.insert(c.id.clone()),
            None => self.unknown.insert(id.to_owned()),
        };
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Exec, ThreadInfo};

    fn ev(pid: Tid, kind: EventKind) -> Record {
        Record::Event(Event {
            ts: 1,
            tid: pid,
            pid,
            cpu: 0,
            kind,
        })
    }

    fn exec() -> EventKind {
        EventKind::Exec(Box::new(Exec {
            old_tid: 0,
            exe: Vec::new(),
            args: Vec::new(),
            cwd: Vec::new(),
            comm: Vec::new(),
            cgroup: Vec::new(),
        }))
    }

    #[test]
    fn an_exec_that_stays_put_adds_nothing() {
        let me = std::process::id();
        let path = cgroup::path_of_pid(me).unwrap_or_default();
        let initial = [Record::Thread(Box::new(ThreadInfo {
            tid: me,
            pid: me,
            cgroup: path.into_bytes(),
            ..ThreadInfo::default()
        }))];
        let mut feed = ContainerFeed::new(None, &initial);
        let mut batch = vec![ev(me, exec())];
        feed.process(&mut batch);
        assert_eq!(batch.len(), 1);
    }

    #[test]
    fn an_exec_into_another_cgroup_refreshes_the_thread() {
        // this process is believed to be in a container; /proc says otherwise
        let me = std::process::id();
        let id = "a".repeat(64);
        let initial = [Record::Thread(Box::new(ThreadInfo {
            tid: me,
            pid: me,
            cgroup: format!("/docker/{id}").into_bytes(),
            ..ThreadInfo::default()
        }))];
        let mut feed = ContainerFeed::new(None, &initial);
        let mut batch = vec![ev(1, EventKind::ThreadExit { status: 0 }), ev(me, exec())];
        feed.process(&mut batch);
        assert!(matches!(&batch[0], Record::Event(_)));
        let Some(Record::Thread(t)) = batch.get(1) else {
            panic!("a thread record before the exec: {batch:?}");
        };
        assert_eq!(t.pid, me);
        assert!(matches!(batch.last(), Some(Record::Event(e)) if e.pid == me));
        // known now: a second exec adds nothing
        let mut again = vec![ev(me, exec())];
        feed.process(&mut again);
        assert_eq!(again.len(), 1);
    }

    #[test]
    fn a_process_met_without_a_record_is_read_from_proc_once() {
        let me = std::process::id();
        let mut feed = ContainerFeed::new(None, &[]);
        let enter = EventKind::Enter {
            nr: 0,
            args: Vec::new(),
        };
        let mut batch = vec![ev(me, enter)];
        feed.process(&mut batch);
        assert!(
            matches!(&batch[0], Record::Thread(t) if t.pid == me),
            "{batch:?}"
        );
        assert!(matches!(batch.last(), Some(Record::Event(e)) if e.pid == me));
        let mut again = vec![batch.last().cloned().unwrap()];
        feed.process(&mut again);
        assert_eq!(again.len(), 1);
    }

    #[test]
    fn children_inherit_their_parents_container() {
        let id = "b".repeat(64);
        let initial = [Record::Thread(Box::new(ThreadInfo {
            tid: 10,
            pid: 10,
            cgroup: format!("/docker/{id}").into_bytes(),
            ..ThreadInfo::default()
        }))];
        let mut feed = ContainerFeed::new(None, &initial);
        let mut batch = vec![ev(
            10,
            EventKind::Clone {
                child_tid: 11,
                child_pid: 11,
                flags: 0,
            },
        )];
        feed.process(&mut batch);
        assert_eq!(feed.by_pid.get(&11), Some(&Some(id)));
        let mut exit = vec![ev(11, EventKind::ThreadExit { status: 0 })];
        feed.process(&mut exit);
        assert!(!feed.by_pid.contains_key(&11));
    }
}
