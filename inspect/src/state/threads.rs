//! Threads and processes: who made each event.

use super::idhash::IdMap;

use syspect_capture::event::{Arg, ThreadInfo, Tid};

/// A call that has entered and not yet exited on a thread.
#[derive(Clone, Debug)]
pub struct PendingCall {
    pub nr: u16,
    pub ts: u64,
    pub args: Vec<Arg>,
}

/// What the state knows of one thread.
#[derive(Clone, Debug, Default)]
pub struct Thread {
    pub info: ThreadInfo,
    /// The call in progress, between its enter and its exit.
    pub pending: Option<PendingCall>,
    /// The thread has exited; it is removed once the event that said so has been shown.
    pub dead: bool,
}

impl Thread {
    /// `proc.name`: the command name.
    pub fn comm(&self) -> &[u8] {
        &self.info.comm
    }
}

/// Every live thread, by tid.
#[derive(Debug, Default)]
pub struct ThreadTable {
    threads: IdMap<Tid, Thread>,
}

impl ThreadTable {
    pub fn get(&self, tid: Tid) -> Option<&Thread> {
        self.threads.get(&tid)
    }

    pub fn get_mut(&mut self, tid: Tid) -> Option<&mut Thread> {
        self.threads.get_mut(&tid)
    }

    /// The thread `tid`, created from what the event says when it was not known (a process
    /// that existed before a capture with no snapshot of it).
    pub fn entry(&mut self, tid: Tid, pid: Tid) -> &mut Thread {
        self.threads.entry(tid).or_insert_with(|| Thread {
            info: ThreadInfo {
                tid,
                pid,
                ..Default::default()
            },
            ..Default::default()
        })
    }

    pub fn insert(&mut self, info: ThreadInfo) {
        let tid = info.tid;
        let t = self.threads.entry(tid).or_default();
        t.info = info;
        t.dead = false;
    }

    pub fn remove(&mut self, tid: Tid) -> Option<Thread> {
        self.threads.remove(&tid)
    }

    /// The main thread of process `pid` (or any of its threads).
    pub fn process(&self, pid: Tid) -> Option<&Thread> {
        self.threads
            .get(&pid)
            .or_else(|| self.threads.values().find(|t| t.info.pid == pid))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Thread> {
        self.threads.values()
    }

    pub fn len(&self) -> usize {
        self.threads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
    }

    /// Every thread of process `pid`.
    pub fn threads_of(&self, pid: Tid) -> impl Iterator<Item = &Thread> {
        self.threads.values().filter(move |t| t.info.pid == pid)
    }

    /// Copy the process-wide attributes of `pid`'s threads after one changed (exec).
    pub fn set_process_image(&mut self, pid: Tid, comm: &[u8], exe: &[u8], args: &[Vec<u8>]) {
        for t in self.threads.values_mut().filter(|t| t.info.pid == pid) {
            t.info.comm = comm.to_vec();
            t.info.exe = exe.to_vec();
            t.info.args = args.to_vec();
        }
    }
}

/// The command name the kernel gives a process after exec: the executable's base name, at most
/// 15 bytes.
pub fn comm_from_exe(exe: &[u8]) -> Vec<u8> {
    let base = exe.rsplit(|&b| b == b'/').next().unwrap_or(exe);
    base[..base.len().min(15)].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comm_is_basename_cut_at_15() {
        assert_eq!(comm_from_exe(b"/usr/bin/cat"), b"cat");
        assert_eq!(
            comm_from_exe(b"/x/a_very_long_program_name"),
            b"a_very_long_pro"
        );
        assert_eq!(comm_from_exe(b"sh"), b"sh");
    }
}
