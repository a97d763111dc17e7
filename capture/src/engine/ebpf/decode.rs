//! Kernel records (`abi.h`) to [`Event`]s, exactly as the ptrace engine shapes them (the rules
//! are in [`crate::syscalls`]): an enter holds the table's `In` and `InOut` arguments, an exit
//! its `Out` and `InOut` ones, the exit arguments of a failed call (negative return) and NULL
//! pointers are their values ([`Arg::Num`]), and a syscall the table does not describe has its
//! six raw registers at enter and nothing at exit.
//!
//! Records come from the ring buffer as byte slices; every length is checked, so a short or
//! malformed record is an error, never a panic.

use std::mem::size_of;

use syspect_ebpf::{
    item, rec, CallRec, CloneRec, ExecRec, Hdr, Iov, Item, Msg, SignalRec, SyscallRec,
    ThreadExitRec, IOV_NULL, MSG_HDR_ONLY,
};

use super::pool::ArgPool;
use crate::event::{Arg, Event, EventKind, Exec};
use crate::syscalls::{self, Dir, Fetch};

/// Why a record could not be decoded.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("record of {len} bytes is too short for kind {kind}")]
    Short { kind: u16, len: usize },
    #[error("unknown record kind {0}")]
    Kind(u16),
    #[error("argument item overruns its record (syscall {nr})")]
    Item { nr: u16 },
}

/// Read a `T` from the start of `b`, if `b` is long enough.
fn read<T: Copy + Default>(b: &[u8]) -> Option<T> {
    if b.len() < size_of::<T>() {
        return None;
    }
    // SAFETY: `b` holds at least size_of::<T>() bytes, and every T used here is a #[repr(C)]
    // struct of integers, valid for any bit pattern; read_unaligned needs no alignment.
    Some(unsafe { std::ptr::read_unaligned(b.as_ptr().cast::<T>()) })
}

/// Turns kernel records into events. `boot_offset` is added to the kernel's boot-time clock
/// to get wall-clock nanoseconds.
#[derive(Debug, Clone)]
pub struct Decoder {
    pub boot_offset: i64,
}

/// A decoded record: the event, and the cgroup id of its thread.
pub struct Decoded {
    /// A whole call's record ([`rec::CALL`]) gives its enter here, already patched with the
    /// strings the exit read again, and its exit in `event`.
    pub enter: Option<Event>,
    pub event: Event,
    pub cgroup: u64,
    /// [`syspect_ebpf::hdr`] bits: an enter to hold until its exit (`RETRY`).
    pub flags: u8,
    /// An exit's input strings read again (argument index, value) for its held enter.
    pub redo: Vec<(u8, Arg)>,
}

impl Decoder {
    /// A decoder whose clock offset is measured now (CLOCK_REALTIME - CLOCK_BOOTTIME).
    pub fn new() -> Self {
        Decoder {
            boot_offset: boot_offset(),
        }
    }

    /// Decode one record.
    pub fn decode(&self, b: &[u8]) -> Result<Decoded, DecodeError> {
        self.decode_with(b, &mut ArgPool::default())
    }

    /// Decode one record, taking the events' vectors from `pool`.
    pub fn decode_with(&self, b: &[u8], pool: &mut ArgPool) -> Result<Decoded, DecodeError> {
        let hdr: Hdr = read(b).ok_or(DecodeError::Short {
            kind: 0,
            len: b.len(),
        })?;
        let short = || DecodeError::Short {
            kind: hdr.kind,
            len: b.len(),
        };
        let mut redo = Vec::new();
        let mut enter = None;
        let nr = hdr.nr;
        let kind = match hdr.kind {
            rec::ENTER | rec::EXIT => {
                let r: SyscallRec = read(b).ok_or_else(short)?;
                let mut got = Got::default();
                let items = &b[size_of::<SyscallRec>()..];
                parse_items(nr, items, r.hdr.nitems, &mut got, &mut redo, pool)?;
                syscall_kind(nr, hdr.kind == rec::EXIT, &r.regs, r.ret, got, pool)
            }
            rec::CALL => {
                let c: CallRec = read(b).ok_or_else(short)?;
                let n_enter = c.enter_items.min(hdr.nitems);
                let (mut got_in, mut got_out) = (Got::default(), Got::default());
                let mut redo_in = Vec::new();
                let items = &b[size_of::<CallRec>()..];
                let rest = parse_items(nr, items, n_enter, &mut got_in, &mut redo_in, pool)?;
                parse_items(
                    nr,
                    rest,
                    hdr.nitems - n_enter,
                    &mut got_out,
                    &mut redo,
                    pool,
                )?;
                let mut ev = Event {
                    ts: self.wall(c.enter_ts),
                    tid: hdr.tid,
                    pid: hdr.pid,
                    cpu: c.enter_cpu,
                    kind: syscall_kind(nr, false, &c.sys.regs, 0, got_in, pool),
                };
                if !redo.is_empty() {
                    patch_enter(&mut ev, std::mem::take(&mut redo));
                }
                enter = Some(ev);
                syscall_kind(nr, true, &c.sys.regs, c.sys.ret, got_out, pool)
            }
            rec::CLONE => {
                let r: CloneRec = read(b).ok_or_else(short)?;
                EventKind::Clone {
                    child_tid: r.child_tid,
                    child_pid: r.child_pid,
                    flags: r.flags,
                }
            }
            rec::EXEC => {
                let r: ExecRec = read(b).ok_or_else(short)?;
                let at = size_of::<ExecRec>();
                let name = b.get(at..at + r.len as usize).ok_or_else(short)?;
                let at = at + r.len as usize;
                let args = b.get(at..at + r.args_len as usize).ok_or_else(short)?;
                let at = at + r.args_len as usize;
                let cwd = b.get(at..at + r.cwd_len as usize).ok_or_else(short)?;
                let at = at + r.cwd_len as usize;
                let exe = b.get(at..at + r.exe_len as usize).ok_or_else(short)?;
                let at = at + r.exe_len as usize;
                let cgroup = b.get(at..at + r.cgroup_len as usize).ok_or_else(short)?;
                let cwd = (hdr.flags & syspect_ebpf::hdr::CWD != 0).then(|| walked_path(cwd));
                let exe = (hdr.flags & syspect_ebpf::hdr::EXE != 0).then(|| walked_path(exe));
                let (cwd, exe) = exec_paths(hdr.pid, name, cwd, exe);
                let n = r.comm.iter().position(|&c| c == 0).unwrap_or(r.comm.len());
                EventKind::Exec(Box::new(Exec {
                    old_tid: r.old_tid,
                    exe,
                    args: argv(args),
                    cwd,
                    comm: r.comm[..n].to_vec(),
                    // the root names no container (and in a hybrid v1/v2 hierarchy, where
                    // containers may live in v1 only, it is what every process has)
                    cgroup: if hdr.flags & syspect_ebpf::hdr::CGROUP != 0 && !cgroup.is_empty() {
                        walked_path(cgroup)
                    } else {
                        Vec::new()
                    },
                }))
            }
            rec::THREAD_EXIT => {
                let r: ThreadExitRec = read(b).ok_or_else(short)?;
                EventKind::ThreadExit { status: r.status }
            }
            rec::SIGNAL => {
                let r: SignalRec = read(b).ok_or_else(short)?;
                // the siginfo as user space lays it out: the head, then the union at 16
                let mut info = Vec::with_capacity(48);
                info.extend_from_slice(&r.signo.to_ne_bytes());
                info.extend_from_slice(&r.err.to_ne_bytes());
                info.extend_from_slice(&r.code.to_ne_bytes());
                info.extend_from_slice(&[0; 4]);
                info.extend_from_slice(&r.fields);
                EventKind::Signal {
                    signo: r.signo,
                    code: r.code,
                    sender: r.sender,
                    info,
                }
            }
            k => return Err(DecodeError::Kind(k)),
        };
        Ok(Decoded {
            enter,
            event: Event {
                ts: self.wall(hdr.ts),
                tid: hdr.tid,
                pid: hdr.pid,
                cpu: hdr.cpu,
                kind,
            },
            cgroup: hdr.cgroup,
            flags: hdr.flags,
            redo,
        })
    }

    /// Wall-clock ns of a kernel boot-time stamp.
    pub fn wall(&self, boot_ns: u64) -> u64 {
        (boot_ns as i64).saturating_add(self.boot_offset).max(0) as u64
    }
}

/// What a record's items hold: the values by argument index, then the socket's ends
/// ([`item::ARG_LOCAL`], [`item::ARG_PEER`]); and, of a string list the kernel kept part of,
/// how many strings it counted (an environment past what fits in an item).
#[derive(Default)]
struct Got {
    args: [Option<Arg>; 8],
    counts: [u64; 6],
}

/// Read `count` items from `items` into `got` and `redo` (input strings read again at exit);
/// returns what follows them.
fn parse_items<'a>(
    nr: u16,
    mut items: &'a [u8],
    count: u8,
    got: &mut Got,
    redo: &mut Vec<(u8, Arg)>,
    pool: &mut ArgPool,
) -> Result<&'a [u8], DecodeError> {
    for _ in 0..count {
        let it: Item = read(items).ok_or(DecodeError::Item { nr })?;
        let end = size_of::<Item>() + it.len as usize;
        let data = items
            .get(size_of::<Item>()..end)
            .ok_or(DecodeError::Item { nr })?;
        if it.kind == item::COUNT {
            if let Some(c) = got.counts.get_mut(it.arg as usize) {
                *c = it.real;
            }
            items = &items[end..];
            continue;
        }
        let v = item_arg(&it, data, pool).ok_or(DecodeError::Item { nr })?;
        if let (Arg::StrList { items, .. }, Some(c)) = (&v, got.counts.get_mut(it.arg as usize)) {
            if it.real > items.len() as u64 {
                *c = it.real;
            }
        }
        if it.arg & item::REDO != 0 {
            redo.push((it.arg & !item::REDO, v));
        } else if let Some(slot) = got.args.get_mut(it.arg as usize) {
            *slot = Some(v);
        }
        items = &items[end..];
    }
    Ok(items)
}

/// The enter or exit (`exit`) of syscall `nr` from its registers, return value and the items
/// read by the kernel (`got`, by argument index).
fn syscall_kind(
    nr: u16,
    exit: bool,
    regs: &[u64; 6],
    ret: i64,
    mut got: Got,
    pool: &mut ArgPool,
) -> EventKind {
    let Some(desc) = syscalls::lookup(nr) else {
        return if exit {
            EventKind::Exit {
                nr,
                ret,
                args: Vec::new(),
            }
        } else {
            EventKind::Enter {
                nr,
                args: regs.iter().map(|&v| Arg::Num(v)).collect(),
            }
        };
    };
    let side = |d: Dir| {
        matches!(
            (d, exit),
            (Dir::In | Dir::InOut, false) | (Dir::Out | Dir::InOut, true)
        )
    };
    // no allocation for a side without arguments (most exits)
    let n = desc.args.iter().take(6).filter(|a| side(a.dir)).count();
    let mut args = if n == 0 { Vec::new() } else { pool.args(n) };
    // the kernel program reads them at every exit but a failed call's
    let failed = exit && !desc.wrote_outputs(ret);
    for (i, a) in desc.args.iter().enumerate().take(6) {
        if !side(a.dir) {
            continue;
        }
        let reg = regs[i];
        let v = if a.fetch() == Fetch::Value || reg == 0 || failed {
            // a scalar, a NULL pointer, or the output of a failed call: the register
            Arg::Num(reg)
        } else {
            // an item the kernel could not fit is reported as unread
            got.args[i].take().unwrap_or(Arg::Fault(reg))
        };
        args.push(v);
    }
    // the address strace prints beside the memory read there
    desc.keep_pointer(&mut args, regs, exit);
    if let Some(c) = desc
        .kept_pointer()
        .map(|i| got.counts[i])
        .filter(|&c| c > 0)
    {
        desc.keep_count(&mut args, exit, c);
    }
    if exit {
        // what the kernel read beyond the arguments: the socket's ends (connect, accept)
        if let Some(local) = got.args[item::ARG_LOCAL as usize].take() {
            args.push(local);
            args.extend(got.args[item::ARG_PEER as usize].take());
        }
        EventKind::Exit { nr, ret, args }
    } else {
        EventKind::Enter { nr, args }
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

/// Put the input strings an exit read again (`redo`) into its held enter event.
pub fn patch_enter(enter: &mut Event, redo: Vec<(u8, Arg)>) {
    let EventKind::Enter { nr, args } = &mut enter.kind else {
        return;
    };
    let Some(desc) = syscalls::lookup(*nr) else {
        return;
    };
    for (i, v) in redo {
        let i = i as usize;
        if desc.args.get(i).is_none_or(|a| a.dir == Dir::Out) {
            continue;
        }
        let pos = desc.args[..i].iter().filter(|a| a.dir != Dir::Out).count();
        if let Some(slot) = args.get_mut(pos) {
            *slot = v;
        }
    }
}

/// One item's argument value; `None` when its inner layout is broken.
fn item_arg(it: &Item, data: &[u8], pool: &mut ArgPool) -> Option<Arg> {
    Some(match it.kind {
        item::STR => Arg::Str {
            data: pool.bytes(data),
            trunc: it.flags & item::TRUNC != 0,
        },
        item::BUF => Arg::Buf {
            data: pool.bytes(data),
            len: it.real,
        },
        item::MEM => Arg::Mem(pool.bytes(data)),
        item::FAULT => Arg::Fault(it.real),
        item::STRLIST => {
            let mut items = Vec::with_capacity(it.real.min(64) as usize);
            let mut rest = data;
            while rest.len() >= 2 {
                let n = u16::from_le_bytes([rest[0], rest[1]]) as usize;
                items.push(rest.get(2..2 + n)?.to_vec());
                rest = &rest[2 + n..];
            }
            Arg::StrList {
                items,
                trunc: it.flags & item::TRUNC != 0,
            }
        }
        item::IOVEC => {
            let mut bufs = Vec::with_capacity(it.real.min(16) as usize);
            let mut rest = data;
            while !rest.is_empty() {
                let h: Iov = read(rest)?;
                let bytes = rest.get(size_of::<Iov>()..size_of::<Iov>() + h.len as usize)?;
                bufs.push(iovec(&h, bytes));
                rest = &rest[size_of::<Iov>() + h.len as usize..];
            }
            Arg::List(bufs)
        }
        item::MSGS => {
            let mut msgs = Vec::with_capacity(it.real.min(8) as usize);
            let mut rest = data;
            while !rest.is_empty() {
                let (msg, after) = message(rest)?;
                msgs.push(msg);
                rest = after;
            }
            Arg::List(msgs)
        }
        _ => return None,
    })
}

/// One iovec: its data and `iov_len`, or for a NULL `iov_base` its length alone (see
/// [`crate::syscalls::Fetch::Iovec`]).
fn iovec(h: &Iov, data: &[u8]) -> Arg {
    if h.flags & IOV_NULL != 0 {
        return Arg::Num(h.real);
    }
    Arg::Buf {
        data: data.to_vec(),
        len: h.real,
    }
}

/// One message of a MSGS item (see [`Fetch::Msgs`] for its shape), and the bytes after it.
fn message(b: &[u8]) -> Option<(Arg, &[u8])> {
    let m: Msg = read(b)?;
    let mut hdr: Vec<u8> = m.hdr.iter().flat_map(|w| w.to_ne_bytes()).collect();
    if m.hdr_len as usize > hdr.len() {
        return None;
    }
    hdr.truncate(m.hdr_len as usize);
    let mut rest = &b[size_of::<Msg>()..];
    if m.flags & MSG_HDR_ONLY != 0 {
        return Some((Arg::List(vec![Arg::Mem(hdr)]), rest));
    }
    let mut take = |n: usize| -> Option<&[u8]> {
        let (a, b) = (rest.get(..n)?, rest.get(n..)?);
        rest = b;
        Some(a)
    };
    let name = take(m.name_len as usize)?.to_vec();
    let control = take(m.ctl_len as usize)?.to_vec();
    let mut iovs = Vec::with_capacity(m.iovs as usize);
    for _ in 0..m.iovs {
        let h: Iov = read(take(size_of::<Iov>())?)?;
        iovs.push(iovec(&h, take(h.len as usize)?));
    }
    let parts = vec![
        Arg::Mem(hdr),
        Arg::Mem(name),
        Arg::Mem(control),
        Arg::List(iovs),
    ];
    Some((Arg::List(parts), rest))
}

/// A path the kernel walked up (see `struct sp_exec`): components from the last to the first,
/// each followed by a NUL.
fn walked_path(b: &[u8]) -> Vec<u8> {
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    if b.is_empty() {
        return b"/".to_vec();
    }
    let mut path = Vec::with_capacity(b.len() + 1);
    for part in b.rsplit(|&c| c == 0) {
        path.push(b'/');
        path.extend_from_slice(part);
    }
    path
}

/// An exec's argv from the kernel's NUL-separated argument area.
fn argv(args: &[u8]) -> Vec<Vec<u8>> {
    let args = args.strip_suffix(&[0]).unwrap_or(args);
    if args.is_empty() {
        Vec::new()
    } else {
        args.split(|&b| b == 0).map(<[u8]>::to_vec).collect()
    }
}

/// An exec's working directory and executable path (`cwd`, `exe`), as the kernel walked them.
/// When the kernel could not (a path too deep), they come from /proc while the process still
/// exists (empty when it is already gone): the file `name` is then made canonical (symlinks
/// resolved) as `/proc/PID/exe` shows it, which the ptrace engine reports; a relative name is
/// resolved against the working directory.
fn exec_paths(
    pid: u32,
    name: &[u8],
    cwd: Option<Vec<u8>>,
    exe: Option<Vec<u8>>,
) -> (Vec<u8>, Vec<u8>) {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let cwd = cwd.unwrap_or_else(|| {
        std::fs::read_link(format!("/proc/{pid}/cwd"))
            .map(|p| p.as_os_str().as_bytes().to_vec())
            .unwrap_or_default()
    });
    if let Some(exe) = exe {
        return (cwd, exe);
    }
    // The process's own executable as the kernel names it, which resolves paths in the
    // process's mount namespace (a container's) and `/proc/self/exe` (busybox applets) as
    // the process sees them; resolving the file name here would use syspect's namespace.
    let own = std::fs::read_link(format!("/proc/{pid}/exe"))
        .ok()
        .map(|p| p.into_os_string().into_vec())
        .filter(|p| !p.is_empty());
    let exe = match own {
        Some(p) => p,
        None => {
            let path = std::path::Path::new(std::ffi::OsStr::from_bytes(name));
            let full = if path.is_absolute() || cwd.is_empty() {
                path.to_path_buf()
            } else {
                std::path::Path::new(std::ffi::OsStr::from_bytes(&cwd)).join(path)
            };
            match std::fs::canonicalize(&full) {
                Ok(p) if !name.is_empty() => p.into_os_string().into_vec(),
                _ => name.to_vec(),
            }
        }
    };
    (cwd, exe)
}

/// CLOCK_REALTIME - CLOCK_BOOTTIME in ns, measured as the smallest bracket of three tries.
pub fn boot_offset() -> i64 {
    fn now(clock: libc::clockid_t) -> i64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes into the timespec we own.
        unsafe { libc::clock_gettime(clock, &mut ts) };
        ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }
    let mut best = (i64::MAX, 0);
    for _ in 0..3 {
        let b0 = now(libc::CLOCK_BOOTTIME);
        let r = now(libc::CLOCK_REALTIME);
        let b1 = now(libc::CLOCK_BOOTTIME);
        if b1 - b0 < best.0 {
            best = (b1 - b0, r - (b0 + (b1 - b0) / 2));
        }
    }
    best.1
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
