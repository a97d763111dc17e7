//! Threads and processes: who made each event.

use std::sync::atomic::{AtomicU64, Ordering};

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
    /// On a process's main thread: its latest resource sample, `[cpu_ns, rss_kb, vsz_kb]`
    /// (`info` keeps the figures its record had).
    pub sample: Option<[u64; 3]>,
    /// For a thread other than its process's main one: the thread that made it, when seen
    /// (sysdig's `ptid`: the parent that `proc.pname` names on such a thread).
    pub creator: Option<Tid>,
    /// On a process's main thread: its environment, when the trace holds the execve that set
    /// it (or the one its parent's came from); shared with the children that inherit it.
    pub env: Option<std::sync::Arc<Vec<Vec<u8>>>>,
}

impl Thread {
    /// `[cpu_ns, rss_kb, vsz_kb]` of the process, on its main thread: the latest sample's, else
    /// those of its record.
    pub fn figures(&self) -> [u64; 3] {
        self.sample
            .unwrap_or([self.info.cpu_ns, self.info.rss_kb, self.info.vsz_kb])
    }

    /// `proc.name`: the command name.
    pub fn comm(&self) -> &[u8] {
        &self.info.comm
    }
}

/// Every live thread, by tid.
///
/// Threads live in a vector, found through a map from tid to place, and the place of the last
/// thread found is kept: consecutive events mostly come from one thread, and an event looks its
/// thread up several times (state, filter, output), so most lookups are one comparison.
#[derive(Debug, Default)]
pub struct ThreadTable {
    places: IdMap<Tid, u32>,
    threads: Vec<(Tid, Thread)>,
    /// The last thread found: `tid << 32 | place`, or [`NO_LAST`]. Atomic (relaxed, as cheap
    /// as a plain load or store) so that lookups through `&self` may set it.
    last: LastHit,
}

/// The last-found cache of a [`ThreadTable`]; empty by default.
#[derive(Debug)]
struct LastHit(AtomicU64);

const NO_LAST: u64 = u64::MAX;

impl Default for LastHit {
    fn default() -> LastHit {
        LastHit(AtomicU64::new(NO_LAST))
    }
}

impl LastHit {
    #[inline]
    fn get(&self, tid: Tid) -> Option<usize> {
        let v = self.0.load(Ordering::Relaxed);
        (v != NO_LAST && (v >> 32) as Tid == tid).then_some(v as u32 as usize)
    }

    #[inline]
    fn set(&self, tid: Tid, place: usize) {
        self.0
            .store((tid as u64) << 32 | place as u64, Ordering::Relaxed);
    }

    fn clear(&self) {
        self.0.store(NO_LAST, Ordering::Relaxed);
    }
}

impl ThreadTable {
    #[inline]
    fn place(&self, tid: Tid) -> Option<usize> {
        match self.last.get(tid) {
            Some(i) => Some(i),
            None => self.find(tid),
        }
    }

    /// [`ThreadTable::place`] past the last hit: through the map.
    #[inline(never)]
    fn find(&self, tid: Tid) -> Option<usize> {
        let i = *self.places.get(&tid)? as usize;
        self.last.set(tid, i);
        Some(i)
    }

    #[inline]
    pub fn get(&self, tid: Tid) -> Option<&Thread> {
        let i = self.place(tid)?;
        Some(&self.threads[i].1)
    }

    #[inline]
    pub fn get_mut(&mut self, tid: Tid) -> Option<&mut Thread> {
        let i = self.place(tid)?;
        Some(&mut self.threads[i].1)
    }

    /// The place of `tid`, made with `make` when it is not known.
    #[inline]
    fn place_or_insert(&mut self, tid: Tid, make: impl FnOnce() -> Thread) -> usize {
        match self.place(tid) {
            Some(i) => i,
            None => self.push(tid, make()),
        }
    }

    #[cold]
    fn push(&mut self, tid: Tid, t: Thread) -> usize {
        let i = self.threads.len();
        self.threads.push((tid, t));
        self.places.insert(tid, i as u32);
        self.last.set(tid, i);
        i
    }

    /// The thread `tid`, created from what the event says when it was not known (a process
    /// that existed before a capture with no snapshot of it).
    #[inline]
    pub fn entry(&mut self, tid: Tid, pid: Tid) -> &mut Thread {
        let i = self.place_or_insert(tid, || Thread {
            info: ThreadInfo {
                tid,
                pid,
                // not known (sysdig's -1): 0 would name root
                uid: u32::MAX,
                gid: u32::MAX,
                ..Default::default()
            },
            ..Default::default()
        });
        &mut self.threads[i].1
    }

    pub fn insert(&mut self, info: ThreadInfo) {
        let i = self.place_or_insert(info.tid, Thread::default);
        let t = &mut self.threads[i].1;
        t.info = info;
        t.dead = false;
    }

    pub fn remove(&mut self, tid: Tid) -> Option<Thread> {
        let i = self.places.remove(&tid)? as usize;
        self.last.clear();
        let (_, t) = self.threads.swap_remove(i);
        if let Some((moved, _)) = self.threads.get(i) {
            self.places.insert(*moved, i as u32);
        }
        Some(t)
    }

    /// The main thread of process `pid` (or any of its threads).
    pub fn process(&self, pid: Tid) -> Option<&Thread> {
        self.get(pid)
            .or_else(|| self.iter().find(|t| t.info.pid == pid))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Thread> {
        self.threads.iter().map(|(_, t)| t)
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut Thread> {
        self.threads.iter_mut().map(|(_, t)| t)
    }

    pub fn len(&self) -> usize {
        self.threads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
    }

    /// Every thread of process `pid`.
    pub fn threads_of(&self, pid: Tid) -> impl Iterator<Item = &Thread> {
        self.iter().filter(move |t| t.info.pid == pid)
    }

    /// Copy the process-wide attributes of `pid`'s threads after one changed (exec).
    pub fn set_process_image(&mut self, pid: Tid, comm: &[u8], exe: &[u8], args: &[Vec<u8>]) {
        for t in self.iter_mut().filter(|t| t.info.pid == pid) {
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
    fn lookups_stay_right_across_removals() {
        let mut t = ThreadTable::default();
        for tid in 1..=5 {
            t.entry(tid, 1).info.comm = vec![b'0' + tid as u8];
        }
        assert_eq!(t.get(5).map(|x| x.comm()), Some(&b"5"[..]));
        // 1 goes; 5 takes its place, and the last hit (5) must not point to the old place.
        assert!(t.remove(1).is_some());
        assert!(t.get(1).is_none());
        for tid in 2..=5 {
            assert_eq!(t.get(tid).map(|x| x.info.tid), Some(tid));
            assert_eq!(t.get_mut(tid).map(|x| x.comm()[0]), Some(b'0' + tid as u8));
        }
        assert!(t.remove(5).is_some());
        assert!(t.remove(5).is_none());
        t.insert(ThreadInfo {
            tid: 9,
            pid: 9,
            ..Default::default()
        });
        assert_eq!(t.entry(9, 0).info.pid, 9);
        assert_eq!(t.len(), 4);
        let mut tids: Vec<Tid> = t.iter().map(|x| x.info.tid).collect();
        tids.sort();
        assert_eq!(tids, [2, 3, 4, 9]);
        assert_eq!(t.threads_of(1).count(), 3);
    }

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
