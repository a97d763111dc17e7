//! Reading a syscall's arguments out of a stopped tracee, as the syscall table says
//! ([`crate::syscalls::Fetch`]).
//!
//! Rules (those of [`crate::syscalls`], shared with the eBPF engine): the enter event gets the
//! `In` and `InOut` arguments, the exit event the `Out` and `InOut` ones. A NULL pointer is
//! kept as `Arg::Num(0)` (nothing to read); a pointer that cannot be read is
//! `Arg::Fault(ptr)`; at the exit of a failed call the `Out` and `InOut` arguments are
//! `Arg::Num(ptr)`, not read. Syscalls the table does not describe get their six raw registers
//! at enter and nothing at exit.

use crate::event::{Arg, Tid};
use crate::syscalls::{
    Dir, Fetch, LenFrom, SyscallDesc, MAX_MEM, MAX_MSGS, MAX_MSG_CONTROL, MAX_MSG_IOV,
    MAX_MSG_NAME, MAX_STRLIST_COUNT, PATH_MAX,
};

use super::sys::read_mem;

/// Most strings kept of an argv/envp list.
pub const MAX_LIST: usize = 256;
/// Most iovec entries looked at.
const MAX_IOV: usize = MAX_MEM / 16;
/// Largest span of memory read at once for the strings of an argv or envp list.
const MAX_SPAN: usize = 64 * 1024;

/// Which side of the call the arguments are read on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Enter,
    /// The syscall returned this value.
    Exit(i64),
}

/// Everything needed to read one call's arguments.
pub struct Reader<'a> {
    pub tid: Tid,
    pub regs: &'a [u64; 6],
    pub snaplen: usize,
}

impl Reader<'_> {
    /// The arguments of `desc` for `side`, in table order.
    pub fn args(&self, desc: &SyscallDesc, side: Side) -> Vec<Arg> {
        let mut out = Vec::with_capacity(desc.args.len());
        for (i, a) in desc.args.iter().enumerate() {
            let wanted = match side {
                Side::Enter => matches!(a.dir, Dir::In | Dir::InOut),
                Side::Exit(_) => matches!(a.dir, Dir::Out | Dir::InOut),
            };
            if !wanted {
                continue;
            }
            let raw = self.regs.get(i).copied().unwrap_or(0);
            // At the exit of a failed call (negative return, the rule the eBPF engine follows
            // too) the kernel wrote nothing: keep the pointer.
            if matches!(side, Side::Exit(r) if !desc.wrote_outputs(r)) {
                out.push(Arg::Num(raw));
                continue;
            }
            out.push(self.one(a.fetch(), raw, side));
        }
        // the address strace prints beside the memory read there, and how many strings it
        // holds when there were more than a list keeps
        let exit = matches!(side, Side::Exit(_));
        desc.keep_pointer(&mut out, self.regs, exit);
        if let Some(i) = desc.kept_pointer() {
            let at = desc.args[..i].iter().filter(|a| a.dir != Dir::Out).count();
            if !exit && matches!(out.get(at), Some(Arg::StrList { trunc: true, .. })) {
                if let Some(n) = self.count_ptrs(self.regs[i]) {
                    desc.keep_count(&mut out, exit, n);
                }
            }
        }
        out
    }

    /// How many pointers the NULL-terminated array at `ptr` holds (`None` past
    /// [`MAX_STRLIST_COUNT`] or when it cannot be read to its end).
    fn count_ptrs(&self, ptr: u64) -> Option<u64> {
        let mut buf = [0u8; 4096];
        let mut n = 0u64;
        while n < MAX_STRLIST_COUNT {
            let got = read_mem(self.tid, ptr + n * 8, &mut buf).ok()?;
            if got < 8 {
                return None;
            }
            for w in buf[..got - got % 8].chunks_exact(8) {
                if w == [0u8; 8] {
                    return Some(n);
                }
                n += 1;
            }
        }
        None
    }

    /// The six raw registers, for a syscall the table does not describe.
    pub fn raw(&self) -> Vec<Arg> {
        self.regs.iter().map(|&r| Arg::Num(r)).collect()
    }

    fn one(&self, fetch: Fetch, ptr: u64, side: Side) -> Arg {
        if fetch == Fetch::Value {
            return Arg::Num(ptr);
        }
        if ptr == 0 {
            return Arg::Num(0);
        }
        let arg = match fetch {
            Fetch::Value => Some(Arg::Num(ptr)),
            Fetch::Str => self
                .string(ptr, self.snaplen)
                .map(|(data, trunc)| Arg::Str { data, trunc }),
            Fetch::Path => self
                .string(ptr, PATH_MAX.max(self.snaplen))
                .map(|(data, trunc)| Arg::Str { data, trunc }),
            Fetch::StrList => self.str_list(ptr),
            Fetch::Buf(len) => self.len(len, side).and_then(|len| {
                let want = (len as usize).min(self.snaplen);
                self.bytes(ptr, want).map(|data| Arg::Buf { data, len })
            }),
            Fetch::Mem(len) => self
                .len(len, side)
                .and_then(|len| self.bytes(ptr, (len as usize).min(MAX_MEM)).map(Arg::Mem)),
            Fetch::Array { count, elem } => self.len(count, side).and_then(|count| {
                let n = (count as usize).saturating_mul(elem as usize).min(MAX_MEM);
                self.bytes(ptr, n).map(Arg::Mem)
            }),
            Fetch::Iovec { count } => self
                .len(count, side)
                .and_then(|count| self.iovecs(ptr, count as usize, side)),
            Fetch::Msgs { count, mmsg, recv } => self
                .len(count, side)
                .and_then(|count| self.msgs(ptr, count as usize, mmsg, recv, side)),
        };
        arg.unwrap_or(Arg::Fault(ptr))
    }

    /// The length a [`LenFrom`] names; `None` when it cannot be known (a failed call's return
    /// value, an unreadable length pointer).
    fn len(&self, from: LenFrom, side: Side) -> Option<u64> {
        match from {
            LenFrom::Arg(n) => self.regs.get(n as usize).copied(),
            LenFrom::Ret => match side {
                Side::Exit(r) if r >= 0 => Some(r as u64),
                Side::Exit(_) => Some(0),
                // At enter the length is not known yet: read nothing.
                Side::Enter => Some(0),
            },
            LenFrom::ArgPtr(n) => {
                let p = self.regs.get(n as usize).copied().unwrap_or(0);
                if p == 0 {
                    return Some(0);
                }
                let mut b = [0u8; 4];
                match read_mem(self.tid, p, &mut b) {
                    Ok(4) => Some(u32::from_ne_bytes(b) as u64),
                    _ => None,
                }
            }
            LenFrom::Fixed(n) => Some(n as u64),
        }
    }

    /// Exactly `n` bytes at `ptr` (fewer when the memory ends), `None` when none are readable
    /// and some were wanted.
    fn bytes(&self, ptr: u64, n: usize) -> Option<Vec<u8>> {
        let mut v = vec![0u8; n];
        if n == 0 {
            return Some(v);
        }
        match read_mem(self.tid, ptr, &mut v) {
            Ok(0) | Err(_) => None,
            Ok(got) => {
                v.truncate(got);
                Some(v)
            }
        }
    }

    /// A NUL-terminated string cut at the snap length: the bytes and whether it was cut.
    fn string(&self, ptr: u64, limit: usize) -> Option<(Vec<u8>, bool)> {
        // Read in chunks that stop at page ends (most strings are short, and a string that
        // ends just before an unmapped page must still be read), up to one byte more than the
        // limit, which tells a string of exactly `limit` bytes apart from a longer one.
        const PAGE: u64 = 4096;
        let mut v = Vec::new();
        let mut at = ptr;
        while v.len() <= limit {
            let to_page_end = (PAGE - at % PAGE) as usize;
            let want = to_page_end.min(limit + 1 - v.len()).min(256.max(v.len()));
            let start = v.len();
            v.resize(start + want, 0);
            let got = match read_mem(self.tid, at, &mut v[start..]) {
                Ok(g) if g > 0 => g,
                _ if start > 0 => {
                    v.truncate(start);
                    return Some((v, true));
                }
                _ => return None,
            };
            v.truncate(start + got);
            if let Some(end) = v[start..].iter().position(|&b| b == 0) {
                v.truncate(start + end);
                return Some((v, false));
            }
            at += got as u64;
        }
        v.truncate(limit);
        Some((v, true))
    }

    /// A NULL-terminated array of string pointers, at most [`MAX_LIST`] of them.
    fn str_list(&self, ptr: u64) -> Option<Arg> {
        let mut raw = [0u8; (MAX_LIST + 1) * 8];
        let got = read_mem(self.tid, ptr, &mut raw).ok().filter(|&g| g >= 8)?;
        let mut ptrs = Vec::new();
        let mut trunc = true;
        for word in raw[..got - got % 8].chunks_exact(8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let p = u64::from_ne_bytes(w);
            if p == 0 {
                trunc = false;
                break;
            }
            if ptrs.len() == MAX_LIST {
                break;
            }
            ptrs.push(p);
        }
        // argv and envp strings lie one after the other (on the new stack at exec): one read
        // of the span that holds them all instead of one read per string (an environment of
        // 40 variables was 40 process_vm_readv calls per exec). Strings outside a span that
        // could be read are read one by one.
        let lo = ptrs.iter().copied().min().unwrap_or(0);
        let hi = ptrs.iter().copied().max().unwrap_or(0);
        let span_len = (hi - lo) as usize + self.snaplen + 1;
        let span = if ptrs.is_empty() || span_len > MAX_SPAN {
            Vec::new()
        } else {
            let mut buf = vec![0u8; span_len];
            let n = read_mem(self.tid, lo, &mut buf).unwrap_or(0);
            buf.truncate(n);
            buf
        };
        let items = ptrs
            .iter()
            .map(|&p| {
                let off = (p - lo) as usize;
                let from_span = span.get(off..).and_then(|rest| {
                    let rest = &rest[..rest.len().min(self.snaplen + 1)];
                    match rest.iter().position(|&b| b == 0) {
                        Some(end) => Some(rest[..end].to_vec()),
                        // Cut at the snap length only if the span really had more bytes.
                        None if rest.len() > self.snaplen => Some(rest[..self.snaplen].to_vec()),
                        None => None,
                    }
                });
                from_span
                    .or_else(|| self.string(p, self.snaplen).map(|(s, _)| s))
                    .unwrap_or_default()
            })
            .collect();
        Some(Arg::StrList { items, trunc })
    }

    /// An iovec array: one `Arg::Buf` per entry, the data of all of them together at most the
    /// snap length; for an output array the real lengths add up to the return value.
    fn iovecs(&self, ptr: u64, count: usize, side: Side) -> Option<Arg> {
        let left = match side {
            Side::Exit(r) => r.max(0) as u64,
            Side::Enter => u64::MAX,
        };
        self.iov_list(ptr, count.min(MAX_IOV), left).map(Arg::List)
    }

    /// sendmsg's or recvmsg's message, or sendmmsg's or recvmmsg's, with what their pointers
    /// point at, as [`Fetch::Msgs`] says.
    fn msgs(&self, ptr: u64, count: usize, mmsg: bool, recv: bool, side: Side) -> Option<Arg> {
        let elem = if mmsg { 64 } else { 56 };
        let headers_only = recv && side == Side::Enter;
        let mut list = Vec::new();
        for k in 0..count.min(MAX_MSGS) {
            let Some(hdr) = self.bytes(ptr + (k * elem) as u64, elem) else {
                break;
            };
            if hdr.len() < elem {
                break;
            }
            let word = |at: usize| u64::from_ne_bytes(hdr[at..at + 8].try_into().unwrap());
            let (name, namelen) = (word(0), word(8) as u32 as usize);
            let (iov, iovlen) = (word(16), word(24) as usize);
            let (control, controllen) = (word(32), word(40) as usize);
            let msg_len = if mmsg { word(56) as u32 as u64 } else { 0 };
            let mut parts = vec![Arg::Mem(hdr)];
            if !headers_only {
                let read = |p: u64, n: usize| match (p, n) {
                    (0, _) | (_, 0) => Vec::new(),
                    _ => self.bytes(p, n).unwrap_or_default(),
                };
                parts.push(Arg::Mem(read(name, namelen.min(MAX_MSG_NAME))));
                parts.push(Arg::Mem(read(control, controllen.min(MAX_MSG_CONTROL))));
                let left = match side {
                    Side::Exit(_) if recv && mmsg => msg_len,
                    Side::Exit(r) if recv => r.max(0) as u64,
                    _ => u64::MAX,
                };
                let iovs = match iov {
                    0 => Vec::new(),
                    _ => self
                        .iov_list(iov, iovlen.min(MAX_MSG_IOV), left)
                        .unwrap_or_default(),
                };
                parts.push(Arg::List(iovs));
            }
            list.push(Arg::List(parts));
        }
        if list.is_empty() && count > 0 {
            return None;
        }
        Some(Arg::List(list))
    }

    /// `count` iovecs at `ptr`: one `Arg::Buf` each, of the iovec's length, their data
    /// together at most the snap length and at most `left` bytes (what the call moved).
    fn iov_list(&self, ptr: u64, count: usize, mut left: u64) -> Option<Vec<Arg>> {
        let raw = self.bytes(ptr, count * 16)?;
        let mut budget = self.snaplen;
        let mut list = Vec::with_capacity(count);
        for iov in raw.chunks_exact(16) {
            let word = |at: usize| {
                let mut w = [0u8; 8];
                w.copy_from_slice(&iov[at..at + 8]);
                u64::from_ne_bytes(w)
            };
            let (base, full) = (word(0), word(8));
            let moved = full.min(left);
            left -= moved;
            let take = (moved as usize).min(budget);
            let data = if take == 0 {
                Vec::new()
            } else {
                self.bytes(base, take).unwrap_or_default()
            };
            budget -= data.len();
            list.push(match base {
                // a size query (recvmsg with MSG_PEEK|MSG_TRUNC): strace shows the NULL
                0 => Arg::Num(full),
                _ => Arg::Buf { data, len: full },
            });
        }
        Some(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscalls::{ArgDesc, ArgType, Class, RetType};

    fn me() -> Tid {
        std::process::id()
    }

    const DESC: SyscallDesc = SyscallDesc {
        nr: 9999,
        name: "test",
        args: &[
            ArgDesc {
                name: "path",
                ty: ArgType::Path,
                dir: Dir::In,
            },
            ArgDesc {
                name: "out",
                ty: ArgType::BufOut,
                dir: Dir::Out,
            },
            ArgDesc {
                name: "in",
                ty: ArgType::BufIn(3),
                dir: Dir::In,
            },
            ArgDesc {
                name: "n",
                ty: ArgType::UInt,
                dir: Dir::In,
            },
        ],
        ret: RetType::Int,
        class: Class::Other,
    };

    #[test]
    fn enter_and_exit_split_by_direction() {
        let path = b"/etc/hosts\0".to_vec();
        let out = b"result bytes".to_vec();
        let data = b"0123456789".to_vec();
        let regs = [
            path.as_ptr() as u64,
            out.as_ptr() as u64,
            data.as_ptr() as u64,
            10,
            0,
            0,
        ];
        let r = Reader {
            tid: me(),
            regs: &regs,
            snaplen: 4,
        };
        let enter = r.args(&DESC, Side::Enter);
        assert_eq!(
            enter,
            vec![
                // A path is kept whole whatever the snap length.
                Arg::Str {
                    data: b"/etc/hosts".to_vec(),
                    trunc: false
                },
                Arg::Buf {
                    data: b"0123".to_vec(),
                    len: 10
                },
                Arg::Num(10),
            ]
        );
        let exit = r.args(&DESC, Side::Exit(6));
        assert_eq!(
            exit,
            vec![Arg::Buf {
                data: b"resu".to_vec(),
                len: 6
            }]
        );
        // A failed call's output pointer is not read.
        assert_eq!(
            r.args(&DESC, Side::Exit(-14)),
            vec![Arg::Num(out.as_ptr() as u64)]
        );
    }

    #[test]
    fn other_strings_are_cut_at_snaplen() {
        let s = b"hostname-long\0".to_vec();
        let r = Reader {
            tid: me(),
            regs: &[0; 6],
            snaplen: 4,
        };
        assert_eq!(
            r.one(Fetch::Str, s.as_ptr() as u64, Side::Enter),
            Arg::Str {
                data: b"host".to_vec(),
                trunc: true
            }
        );
    }

    #[test]
    fn strings_exactly_at_snaplen_are_not_truncated() {
        let s = b"abcd\0".to_vec();
        let regs = [s.as_ptr() as u64, 0, 0, 0, 0, 0];
        let r = Reader {
            tid: me(),
            regs: &regs,
            snaplen: 4,
        };
        assert_eq!(
            r.one(Fetch::Str, regs[0], Side::Enter),
            Arg::Str {
                data: b"abcd".to_vec(),
                trunc: false
            }
        );
    }

    #[test]
    fn bad_pointers_fault_and_null_is_a_number() {
        let regs = [8, 0, 0, 0, 0, 0];
        let r = Reader {
            tid: me(),
            regs: &regs,
            snaplen: 80,
        };
        assert_eq!(r.one(Fetch::Str, 8, Side::Enter), Arg::Fault(8));
        assert_eq!(r.one(Fetch::Str, 0, Side::Enter), Arg::Num(0));
        assert_eq!(r.raw().len(), 6);
    }

    #[test]
    fn argv_lists_and_iovecs() {
        let a = b"ls\0".to_vec();
        let b = b"-l\0".to_vec();
        let argv: Vec<u64> = vec![a.as_ptr() as u64, b.as_ptr() as u64, 0];
        let r = Reader {
            tid: me(),
            regs: &[0; 6],
            snaplen: 5,
        };
        assert_eq!(
            r.one(Fetch::StrList, argv.as_ptr() as u64, Side::Enter),
            Arg::StrList {
                items: vec![b"ls".to_vec(), b"-l".to_vec()],
                trunc: false
            }
        );
        let x = b"hello".to_vec();
        let y = b"world".to_vec();
        let iov: Vec<u64> = vec![x.as_ptr() as u64, 5, y.as_ptr() as u64, 5];
        let regs = [0, iov.as_ptr() as u64, 2, 0, 0, 0];
        let r = Reader {
            tid: me(),
            regs: &regs,
            snaplen: 7,
        };
        let got = r.one(
            Fetch::Iovec {
                count: LenFrom::Arg(2),
            },
            regs[1],
            Side::Exit(8),
        );
        assert_eq!(
            got,
            Arg::List(vec![
                Arg::Buf {
                    data: b"hello".to_vec(),
                    len: 5
                },
                // the iovec's whole length; its data what the call moved (8 of 10)
                Arg::Buf {
                    data: b"wo".to_vec(),
                    len: 5
                },
            ])
        );
    }
}
