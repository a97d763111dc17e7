//! Reading ahead on a second thread: [`Prefetch`] decompresses and decodes records in batches
//! while the caller's thread keeps the state, filters and prints, so that a long read uses two
//! cores. Batches go back to the reading thread once used, records and all, so that their
//! allocations serve again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use syspect_capture::event::Record;

use crate::source::{Ended, FileSource, Next};
use crate::InspectError;

/// Records per batch: enough to make the hand-over cheap, few enough to start at once.
const BATCH: usize = 1024;
/// Batches decoded ahead of the caller.
const AHEAD: usize = 4;

enum Msg {
    /// A batch and how many of its records are filled.
    Batch(Vec<Option<Record>>, usize),
    End(Ended),
    Failed(InspectError),
}

/// Records of a [`FileSource`], read on a thread of their own.
pub struct Prefetch {
    rx: Receiver<Msg>,
    back: SyncSender<Vec<Option<Record>>>,
    batch: Vec<Option<Record>>,
    filled: usize,
    at: usize,
    /// Bytes read and total, as the reading thread last saw them.
    progress: Arc<[AtomicU64; 2]>,
    ended: bool,
}

impl Prefetch {
    /// Start reading `source` on a new thread.
    pub fn start(mut source: FileSource) -> Result<Prefetch, InspectError> {
        let (tx, rx) = sync_channel(AHEAD);
        let (back, spare) = sync_channel::<Vec<Option<Record>>>(AHEAD + 2);
        let progress = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
        let seen = progress.clone();
        let (done, total) = source.progress();
        seen[0].store(done, Ordering::Relaxed);
        seen[1].store(total, Ordering::Relaxed);
        std::thread::Builder::new()
            .name("syspect-read".into())
            .spawn(move || loop {
                let mut batch = spare.try_recv().unwrap_or_default();
                batch.resize_with(BATCH, || None);
                let mut filled = 0;
                let mut end = None;
                while filled < BATCH {
                    match source.next_into(&mut batch[filled]) {
                        Ok(None) => filled += 1,
                        Ok(Some(e)) => {
                            end = Some(Msg::End(e));
                            break;
                        }
                        Err(e) => {
                            end = Some(Msg::Failed(e));
                            break;
                        }
                    }
                }
                let (done, _) = source.progress();
                seen[0].store(done, Ordering::Relaxed);
                // A closed channel: the caller stopped reading.
                if filled > 0 && tx.send(Msg::Batch(batch, filled)).is_err() {
                    return;
                }
                if let Some(m) = end {
                    let _ = tx.send(m);
                    return;
                }
            })?;
        Ok(Prefetch {
            rx,
            back,
            batch: Vec::new(),
            filled: 0,
            at: 0,
            progress,
            ended: false,
        })
    }

    /// Bytes of the input read so far (by the reading thread), and their size.
    pub fn progress(&self) -> (u64, u64) {
        (
            self.progress[0].load(Ordering::Relaxed),
            self.progress[1].load(Ordering::Relaxed),
        )
    }

    /// The next record, as [`FileSource::next_record`] gives it.
    #[inline]
    pub fn next_record(&mut self) -> Result<Next<'_>, InspectError> {
        if self.at >= self.filled {
            if let Some(end) = self.next_batch() {
                return end;
            }
        }
        self.at += 1;
        // Every filled place holds a record (the reading thread counts only those).
        Ok(match &self.batch[self.at - 1] {
            Some(rec) => Next::Record(rec),
            None => Next::End,
        })
    }

    /// Wait for the next batch; how the reading ended when there is none.
    #[cold]
    fn next_batch(&mut self) -> Option<Result<Next<'static>, InspectError>> {
        loop {
            if self.at < self.filled {
                return None;
            }
            if self.ended {
                return Some(Ok(Next::End));
            }
            let used = std::mem::take(&mut self.batch);
            if !used.is_empty() {
                // Full: the reader has enough; these records are dropped.
                let _ = self.back.try_send(used);
            }
            let msg = self.rx.recv();
            self.filled = 0;
            self.at = 0;
            match msg {
                Ok(Msg::Batch(b, n)) => {
                    self.batch = b;
                    self.filled = n;
                }
                // The thread is gone without a word: it can only have panicked.
                Err(_) => {
                    self.ended = true;
                    return Some(Err(InspectError::Io(std::io::Error::other(
                        "the reading thread stopped unexpectedly",
                    ))));
                }
                Ok(Msg::End(Ended::End)) => {
                    self.ended = true;
                    return Some(Ok(Next::End));
                }
                Ok(Msg::End(Ended::Early(why))) => {
                    self.ended = true;
                    return Some(Ok(Next::EndsEarly(why)));
                }
                Ok(Msg::Failed(e)) => {
                    self.ended = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
