//! Reading the BPF ring buffer in batches.
//!
//! aya's `RingBuf` publishes the consumer position after every record; the program's
//! `bpf_ringbuf_output` reads that position on every reservation, so each record made the cache
//! line travel between the reader's CPU and the traced thread's. This reader maps the ring the
//! same way (consumer page read-write; producer page and the data pages, mapped twice so that a
//! record never wraps, read-only) and publishes its position once per 64 KiB read and at the end
//! of a drain. The ring holds a little more unread data for a little longer; nothing else changes.

use std::io;
use std::os::fd::AsRawFd;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Record header bits (`BPF_RINGBUF_BUSY_BIT`, `BPF_RINGBUF_DISCARD_BIT`) and size.
const BUSY: u32 = 1 << 31;
const DISCARD: u32 = 1 << 30;
const HDR: u64 = 8;
/// The consumer position is published after this many bytes at most.
const PUBLISH_EVERY: u64 = 64 << 10;

/// One mmap'd region, unmapped on drop.
pub struct Mapping {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Mapping {
    pub fn new(fd: BorrowedFd<'_>, len: usize, prot: i32, offset: usize) -> io::Result<Mapping> {
        // SAFETY: a fresh shared mapping of the ring's fd; the kernel checks length and offset.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                offset as libc::off_t,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Mapping { ptr, len })
    }
}

impl Mapping {
    /// The mapped bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `len` bytes at `ptr` stay mapped (readable) until drop; the kernel may write
        // them meanwhile, which a byte slice of plain integers tolerates (readers copy out).
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }
}

// SAFETY: the mapping is owned and only read through &self or dropped through &mut self.
unsafe impl Send for Mapping {}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly what `new` mapped.
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

/// A batch reader of one BPF ring buffer map.
pub struct Ring {
    consumer: Mapping,
    producer: Mapping,
    page: usize,
    size: usize,
    /// Bytes read so far (the consumer position, perhaps not yet published).
    pos: u64,
    published: u64,
}

// SAFETY: the mappings are owned by the Ring and only touched through &mut self.
unsafe impl Send for Ring {}

impl Ring {
    /// Map the ring buffer `fd` of `size` bytes (its max_entries: a power of two of pages).
    pub fn new(fd: BorrowedFd<'_>, size: u32) -> io::Result<Ring> {
        // SAFETY: sysconf has no memory effects.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as usize;
        let size = size as usize;
        if !size.is_power_of_two() || size < page {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "ring size is not a power-of-two number of pages",
            ));
        }
        let consumer = Mapping::new(fd, page, libc::PROT_READ | libc::PROT_WRITE, 0)?;
        let producer = Mapping::new(fd, page + 2 * size, libc::PROT_READ, page)?;
        let mut ring = Ring {
            consumer,
            producer,
            page,
            size,
            pos: 0,
            published: 0,
        };
        ring.pos = ring.consumer_pos().load(Ordering::Acquire);
        ring.published = ring.pos;
        Ok(ring)
    }

    fn consumer_pos(&self) -> &AtomicU64 {
        // SAFETY: the consumer page starts with the kernel's `unsigned long consumer_pos`,
        // 8-byte aligned (page aligned), shared with the kernel, hence atomic.
        unsafe { &*(self.consumer.ptr as *const AtomicU64) }
    }

    fn producer_pos(&self) -> u64 {
        // SAFETY: as above, for the producer page's `producer_pos`.
        unsafe { &*(self.producer.ptr as *const AtomicU64) }.load(Ordering::Acquire)
    }

    fn publish(&mut self) {
        if self.published != self.pos {
            // Release: the kernel may reuse the space only after we have read the records.
            self.consumer_pos().store(self.pos, Ordering::Release);
            self.published = self.pos;
        }
    }

    /// Hand up to `max` committed records to `f`, oldest first; returns how many.
    pub fn drain(&mut self, max: usize, mut f: impl FnMut(&[u8])) -> usize {
        let mut n = 0;
        let mut prod = self.producer_pos();
        // SAFETY: the data pages follow the producer page and are mapped twice, so
        // `size` bytes from any offset below `size` are inside the mapping.
        let data = unsafe {
            std::slice::from_raw_parts(
                (self.producer.ptr as *const u8).add(self.page),
                2 * self.size,
            )
        };
        let mask = self.size as u64 - 1;
        while n < max {
            if self.pos == prod {
                prod = self.producer_pos();
                if self.pos == prod {
                    break;
                }
            }
            let off = (self.pos & mask) as usize;
            // SAFETY: record headers are 8-byte aligned u32s inside the data mapping; the
            // kernel commits a record by clearing BUSY with a full barrier (xchg), which the
            // Acquire load pairs with.
            let hdr =
                unsafe { &*(data.as_ptr().add(off) as *const AtomicU32) }.load(Ordering::Acquire);
            if hdr & BUSY != 0 {
                break;
            }
            let len = (hdr & !(BUSY | DISCARD)) as usize;
            let start = off + HDR as usize;
            if let Some(rec) = data.get(start..start + len) {
                if hdr & DISCARD == 0 {
                    f(rec);
                    n += 1;
                }
            }
            self.pos += (HDR + len as u64).next_multiple_of(8);
            if self.pos - self.published >= PUBLISH_EVERY {
                self.publish();
            }
        }
        self.publish();
        n
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        self.publish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn sizes_that_are_not_power_of_two_pages_are_refused() {
        let f = std::fs::File::open("/dev/null").unwrap();
        assert!(Ring::new(f.as_fd(), 1000).is_err());
        assert!(Ring::new(f.as_fd(), 3 * 4096).is_err());
        // a file that is not a ring buffer cannot be mapped as one
        assert!(Ring::new(f.as_fd(), 4096).is_err());
    }
}
