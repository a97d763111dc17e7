//! Allocations of events already written, kept for the next ones: the reader builds about two
//! million events a second under a syscall-heavy workload, and allocating and freeing each
//! event's argument vector and buffer bytes was a quarter of its time (perf, dd with bs=1).
//! [`Engine::recycle`](crate::engine::Engine::recycle) hands the events of a batch back once the
//! caller is done with them; the decoder takes its vectors from here.

use crate::event::{Arg, Event, EventKind, Record};

/// Vectors kept at most, of each sort: a whole batch's worth (a poll takes up to 65536 ring
/// records, two events each), or the next batch allocates what the pool let go. The batch
/// itself held as much a moment before, so the pool at most doubles that memory.
const KEEP: usize = 1 << 17;
/// Byte vectors kept at most this big: buffers cut at the snap length, not long paths.
const KEEP_BYTES: usize = 512;

/// Spare argument vectors and byte vectors (emptied, capacity kept).
#[derive(Debug, Default)]
pub struct ArgPool {
    args: Vec<Vec<Arg>>,
    bytes: Vec<Vec<u8>>,
}

impl ArgPool {
    /// An empty argument vector with room for `n` arguments.
    pub fn args(&mut self, n: usize) -> Vec<Arg> {
        match self.args.pop() {
            Some(mut v) => {
                v.reserve(n);
                v
            }
            None => Vec::with_capacity(n),
        }
    }

    /// A copy of `data` in a spare vector.
    pub fn bytes(&mut self, data: &[u8]) -> Vec<u8> {
        match self.bytes.pop() {
            Some(mut v) => {
                v.extend_from_slice(data);
                v
            }
            None => data.to_vec(),
        }
    }

    /// Keep the vectors of the records of a batch that is no longer needed, and empty it.
    /// The records stay where they are while their vectors are taken (a record is 168 bytes:
    /// moving each out of the batch was a good part of this).
    pub fn give_all(&mut self, recs: &mut Vec<Record>) {
        for r in recs.iter_mut() {
            if let Record::Event(Event {
                kind: EventKind::Enter { args, .. } | EventKind::Exit { args, .. },
                ..
            }) = r
            {
                self.give_args(args);
            }
        }
        recs.clear();
    }

    /// Keep `args`' byte vectors and (emptied) `args` itself.
    fn give_args(&mut self, args: &mut Vec<Arg>) {
        for a in args.iter_mut() {
            match a {
                Arg::Buf { data, .. } | Arg::Str { data, .. } | Arg::Mem(data) => {
                    self.give_bytes(data)
                }
                Arg::List(inner) => self.give_args(inner),
                _ => {}
            }
        }
        if self.args.len() < KEEP && args.capacity() > 0 {
            args.clear();
            self.args.push(std::mem::take(args));
        }
    }

    fn give_bytes(&mut self, data: &mut Vec<u8>) {
        // a long path is not worth keeping for one-byte reads
        if self.bytes.len() < KEEP && data.capacity() > 0 && data.capacity() <= KEEP_BYTES {
            data.clear();
            self.bytes.push(std::mem::take(data));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_come_back_empty_with_their_room() {
        let mut pool = ArgPool::default();
        let ev = Event {
            ts: 1,
            tid: 2,
            pid: 2,
            cpu: 0,
            kind: EventKind::Exit {
                nr: 0,
                ret: 3,
                args: vec![
                    Arg::Buf {
                        data: b"abc".to_vec(),
                        len: 3,
                    },
                    Arg::List(vec![Arg::Mem(vec![1; 100])]),
                ],
            },
        };
        let mut batch = vec![Record::Event(ev)];
        pool.give_all(&mut batch);
        assert!(batch.is_empty());
        let a = pool.args(1);
        assert!(a.is_empty() && a.capacity() >= 1);
        let b = pool.bytes(b"xy");
        assert_eq!(b, b"xy");
        let c = pool.bytes(b"z");
        assert_eq!(c, b"z");
        // no more spares: fresh vectors
        assert_eq!(pool.bytes(b"q"), b"q");
        assert!(pool.args(2).capacity() >= 2);
    }
}
