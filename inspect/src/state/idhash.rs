//! A hasher for the integer keys of the state's tables (tids, pids, fds). std's SipHash guards
//! against chosen keys, which ids from the kernel are not, and cost a visible share of reading
//! a trace; a multiplicative hash (as FxHash does) is enough here.

use std::hash::{BuildHasherDefault, Hasher};

/// Hashes integers by one multiplication; other input by folding its bytes the same way.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }

    fn write_i32(&mut self, n: i32) {
        self.write_u64(n as u32 as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(K);
    }
}

/// The state's map type for integer keys.
pub type IdMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<IdHasher>>;
