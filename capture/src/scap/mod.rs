//! Reading sysdig `.scap` capture files (plain or gzip'd) as syspect [`Record`]s, so that
//! `syspect read`, the filters and every analyzer work on sysdig captures unchanged.
//!
//! ```no_run
//! use syspect_capture::scap::ScapReader;
//! let mut r = ScapReader::open("capture.scap")?;
//! while let Some(rec) = r.next_record()? {
//!     println!("{rec:?}");
//! }
//! # Ok::<(), syspect_capture::scap::ScapError>(())
//! ```
//!
//! # The format
//! A `.scap` file is a sequence of pcapng-style blocks ([`blocks`]): `type u32, total_length
//! u32, body, total_length u32`. The first is the section header block (`0x0A0D0D0A`): magic
//! `0x1A2B3C4D` (read in the file's byte order: this is how the byte order is found), version
//! major.minor (u16 each; major 1 is the only one), section length (u64, usually -1), then
//! optional pcapng options (comments…), which this reader skips whole without interpreting
//! them. Then come the state blocks, then event blocks:
//!
//! | block | types | becomes |
//! |---|---|---|
//! | machine info | `0x201` | nothing (hostname, CPUs, memory) |
//! | process list v1–v9 | `0x202 0x207 0x209 0x210–0x215` (+ pre-release numbers) | [`Record::Thread`] per thread |
//! | fd list v1/v2 | `0x203 0x218` | [`Record::Fd`] per fd |
//! | interface list | `0x205 0x219` | nothing |
//! | user list v1/v2 | `0x206 0x220` | [`Record::User`], [`Record::Group`] |
//! | events | `0x204 0x208 0x216 0x217 0x221 0x222` ([`evblock`]) | see below |
//!
//! Any other block is skipped and counted in [`ScapReader::notes`]. Later process lists
//! (the v9 "large" form) give each entry its length so appended fields can be skipped; the
//! `v2` fd and user lists do the same. Strings in state blocks are a u16 length and bytes.
//! Process entries keep `exepath` (v7+) as the exe when present, `exe` (argv\[0\]) first in the
//! args, and of the `subsys=path` cgroup list the unified entry, else the first below the root.
//! Socket fds are named `local->remote`, as syspect's own /proc snapshot names them (sysdig
//! names a connection client first); their flags (sysdig's `PPM_O_*`) become `O_*`.
//!
//! # Events
//! Each event is a sysdig event type (`PPME_*`, [`ppme`]) with a parameter list; syscall events
//! come in pairs, the enter type even and the exit type odd. The mapping ([`events`]):
//! - A syscall event becomes [`EventKind::Enter`] / [`EventKind::Exit`] with `nr` = the
//!   x86_64 syscall number of sysdig's event name (`pread` is `pread64`, `umount` is `umount2`),
//!   or for sysdig's generic events (`syscall`, which record only the syscall's identity) the
//!   native number they carry (`nativeID`, or the enter's, or the name of sysdig's syscall
//!   code). The arguments are those of syspect's table ([`crate::syscalls::lookup`]), in its
//!   order and directions (Enter: `In` and `InOut`; Exit: `Out` and `InOut`), each taken from the
//!   sysdig parameter of the same name (or a known other spelling: sysdig's `name` for a path,
//!   `tuple` for an address…). sysdig records some inputs only in the exit event (write's and
//!   sendto's data, clone's flags): such an Enter is held back, with everything after it,
//!   until its exit completes it, so records still come out in the file's order
//!   ([`ScapReader`] bounds the wait at [`MAX_HELD`] records).
//! - Values: integers as [`Arg::Num`] (sysdig's own flag encodings of open, clone, mmap,
//!   mprotect and fcntl converted back to the kernel's, [`flags`]); paths and strings as
//!   [`Arg::Str`]; data as [`Arg::Buf`] whose `len` is the real length (the call's result for
//!   reads, the size argument for writes) when known; socket addresses as [`Arg::Mem`] holding a
//!   real `struct sockaddr_in` / `sockaddr_in6` / `sockaddr_un` converted from sysdig's encoding
//!   ([`sockaddr`]); poll's fd lists as `struct pollfd` arrays; pipe's two fds as an fd pair.
//! - An argument sysdig does not have (generic events have none; old captures lack parameters
//!   added later; some calls sysdig records without their flags) is left out when it comes
//!   after the last argument sysdig has, so a reader shows it as absent (`fstat(3, ?)`), and is
//!   a placeholder in a gap before it, to keep the table's positions: `Arg::Num(0)` when the
//!   table fetches a plain value, `Arg::Fault(0)` ("not read") when it would read memory. A
//!   generic exit records no return value: its `ret` is 0.
//! - The return value is the exit's `res` parameter (or its `fd`, as open and socket name it).
//! - A socket tuple standing for an address (connect's `tuple` when its enter has no `addr`)
//!   gives the peer's end; a unix tuple (two kernel pointers and a path) gives its path as a
//!   `sockaddr_un`. A connect exit also carries the tuple's local end, as a sockaddr after the
//!   table's exit arguments (the one extra [`EventKind::Exit`] knows), so that the socket is
//!   named with both ends as sysdig names it.
//! - clone/fork/vfork/clone3 exits in the parent (result > 0) add [`EventKind::Clone`] for the
//!   child (its pid is the parent's when `CLONE_THREAD` is set); in the child (result 0) they
//!   add a [`Record::Thread`] built from the exit's parameters (comm, exe, args, cwd, uid, gid,
//!   cgroups, vtid/vpid), so a child that runs before its parent returns is known. A successful
//!   execve adds [`EventKind::Exec`] with the new exe (`trusted_exepath` when the capture has it,
//!   else `filename`, else `exe`), argv (exe, then `args`) and cwd; when the thread was not seen
//!   before (it started after the process list was written), a [`Record::Thread`] built from
//!   the exit's parameters comes first.
//! - `procexit` → [`EventKind::ThreadExit`] (its `status`); `signaldeliver` →
//!   [`EventKind::Signal`] (signal and sending pid; sysdig has no code: 0); `drop` enter (the
//!   driver started dropping) → [`EventKind::Drops`] with count 0, as sysdig does not record how
//!   many; `procinfo` → [`EventKind::Sample`] with CPU time from its tick counts (USER_HZ 100;
//!   memory 0); container events (the old four-field form and both JSON forms) →
//!   [`Record::Container`] (id, runtime, name, image, image id, labels, privileged; a 12-digit
//!   Docker id is widened to the full id when a thread's cgroup names exactly one match).
//! - Everything else (scheduler switches, page faults, plugin and notification events,
//!   syscalls that x86_64 does not have, container events whose metadata does not parse)
//!   becomes [`EventKind::Other`] with sysdig's name, and is counted by name in the notes:
//!   readers show nothing of it, but it takes its number, so that `evt.num` is sysdig's. A
//!   container event is a [`Record::Container`] followed by such an event, for the same
//!   reason. Event types newer than this table are skipped and counted in the notes only
//!   (they do not take a number: nothing of them is known, not even their thread).
//! - Timestamps are sysdig's, already nanoseconds since the epoch; the event's pid is learned
//!   from the process lists and from clone/execve exits (the thread id when unknown).
//!
//! [`Arg::Num`]: crate::event::Arg::Num
//! [`Arg::Str`]: crate::event::Arg::Str
//! [`Arg::Buf`]: crate::event::Arg::Buf
//! [`Arg::Mem`]: crate::event::Arg::Mem
//!
//! # Damage
//! As for `.spt` files: everything before the damage is returned, then a distinct error:
//! [`ScapError::Truncated`] when the file ends inside a block (callers warn and exit 0),
//! [`ScapError::Corrupt`] with the byte offset (in the decompressed stream) when a block
//! contradicts itself, [`ScapError::NotScap`] when the file is not a capture at all. No input
//! makes the reader panic, and no buffer is larger than the bytes really present (a block of
//! up to 64 KiB, the most an ordinary event block holds, is read into a buffer of its length).

pub mod args;
pub mod blocks;
pub mod container;
pub mod evblock;
pub mod events;
pub mod flags;
pub mod ppme;
pub mod procs;
pub mod sockaddr;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::event::{EventKind, Record};

use blocks::{Block, BlockError, BlockReader, Cursor, SHB};
use evblock::EvError;
use events::{Mapper, Output};

/// The only major version of the format.
pub const MAJOR_VERSION: u16 = 1;

/// gzip's magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Errors reading a `.scap` file.
#[derive(Debug, thiserror::Error)]
pub enum ScapError {
    /// The file is not a sysdig capture.
    #[error("{}: not a sysdig capture ({why})", path.display())]
    NotScap { path: PathBuf, why: String },
    /// A capture of a major format version this code does not read.
    #[error("{}: scap format {major}.{minor} is not readable (this reader knows {MAJOR_VERSION}.x)", path.display())]
    Version {
        path: PathBuf,
        major: u16,
        minor: u16,
    },
    /// The file ends early: everything before `offset` was read. Callers warn and exit 0.
    #[error(
        "{}: capture ends early at byte {offset}, after {records_read} records (the file was cut short)",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        offset: u64,
        records_read: u64,
    },
    /// The file is damaged at `offset` (of the decompressed stream).
    #[error("{}: corrupt capture at byte {offset}: {what}", path.display())]
    Corrupt {
        path: PathBuf,
        offset: u64,
        what: String,
    },
    /// An I/O error, with what was being done.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl ScapError {
    /// True for [`ScapError::Truncated`]: the caller prints a warning and exits 0.
    pub fn is_truncated(&self) -> bool {
        matches!(self, ScapError::Truncated { .. })
    }
}

/// True when `first` (the first bytes of a file) starts a scap capture, plain or gzip'd. A plain
/// file needs 12 bytes; a gzip'd one is decompressed just far enough to see the inner magic,
/// which takes a few hundred bytes of input (pass 4 KiB).
pub fn is_scap(first: &[u8]) -> bool {
    if first.starts_with(&GZIP_MAGIC) {
        let mut inner = [0u8; 12];
        let mut dec = flate2::read::GzDecoder::new(first);
        let mut n = 0;
        while n < inner.len() {
            match dec.read(&mut inner[n..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => n += k,
            }
        }
        return is_plain_scap(&inner[..n]);
    }
    is_plain_scap(first)
}

fn is_plain_scap(b: &[u8]) -> bool {
    b.len() >= 12
        && b[..4] == SHB.to_le_bytes()
        && (b[8..12] == blocks::SHB_MAGIC.to_le_bytes()
            || b[8..12] == blocks::SHB_MAGIC.to_be_bytes())
}

/// Most records kept back behind an enter event that waits for its exit (see [`ScapReader`]).
pub const MAX_HELD: usize = 4096;

/// Reads a `.scap` file record by record.
///
/// sysdig records some inputs of a call only in its exit event (write's data, sendto's
/// data); syspect's Enter carries the inputs. So an Enter that lacks inputs its exit will have
/// is held back, with everything after it, until that exit arrives and completes it: the
/// records come out in the file's order, complete. At most [`MAX_HELD`] records wait; past
/// that the oldest Enter goes out as it is.
pub struct ScapReader {
    path: PathBuf,
    blocks: BlockReader<Box<dyn Read + Send>>,
    /// Records ready or held: sequence number, waiting for an exit, the record.
    pending: VecDeque<(u64, bool, Record)>,
    next_seq: u64,
    /// The held Enter (its sequence number) of each thread.
    held: HashMap<u64, u64>,
    mapper: Mapper,
    notes: BTreeMap<String, u64>,
    records_read: u64,
    /// Set at the end of the file or at an error: no more blocks are read.
    done: bool,
    /// The error to return once the records before it are out.
    failure: Option<ScapError>,
    version: (u16, u16),
    /// Bytes of the file read so far (compressed bytes for a gzip'd file), and its size.
    consumed: Arc<AtomicU64>,
    size: u64,
}

/// Counts the bytes read from the file, under the buffer and the gzip decoder, so that
/// progress is known for plain and gzip'd captures alike (one add per buffer refill).
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl std::fmt::Debug for ScapReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScapReader")
            .field("path", &self.path)
            .field("records_read", &self.records_read)
            .finish_non_exhaustive()
    }
}

impl ScapReader {
    /// Open `path` (plain or gzip'd) and check that it starts with a scap section header.
    pub fn open(path: impl AsRef<Path>) -> Result<ScapReader, ScapError> {
        let path = path.as_ref().to_path_buf();
        let io = |source| ScapError::Io {
            context: format!("cannot open {}", path.display()),
            source,
        };
        let f = File::open(&path).map_err(io)?;
        let size = f.metadata().map_err(io)?.len();
        let consumed = Arc::new(AtomicU64::new(0));
        let mut file = BufReader::new(Counted {
            inner: f,
            count: consumed.clone(),
        });
        let gz = {
            use std::io::BufRead;
            file.fill_buf().map_err(io)?.starts_with(&GZIP_MAGIC)
        };
        let blocks = if gz {
            let src: Box<dyn Read + Send> = Box::new(flate2::read::MultiGzDecoder::new(file));
            BlockReader::new(src)
        } else {
            let src: Box<dyn Read + Send> = Box::new(file);
            BlockReader::with_size(src, size)
        };
        let mut r = ScapReader {
            path,
            blocks,
            pending: VecDeque::new(),
            next_seq: 0,
            held: HashMap::new(),
            mapper: Mapper::default(),
            notes: BTreeMap::new(),
            records_read: 0,
            done: false,
            failure: None,
            version: (0, 0),
            consumed,
            size,
        };
        // The section header must be there and readable before we call this a capture.
        match r.blocks.next_block() {
            Ok(Some(b)) => r.section_header(&b)?,
            Ok(None) => {
                return Err(ScapError::NotScap {
                    path: r.path,
                    why: "the file is empty".into(),
                })
            }
            Err(e) => return Err(r.block_error(e)),
        }
        Ok(r)
    }

    /// The format version of the (last) section header: (major, minor).
    pub fn version(&self) -> (u16, u16) {
        self.version
    }

    /// Bytes of the file read so far and its size (for progress bars; compressed bytes for a
    /// gzip'd capture).
    pub fn progress(&self) -> (u64, u64) {
        (
            self.consumed.load(Ordering::Relaxed).min(self.size),
            self.size,
        )
    }

    /// What was skipped so far and how often: unknown blocks, event types syspect has no
    /// record for, containers whose metadata could not be read.
    pub fn notes(&self) -> &BTreeMap<String, u64> {
        &self.notes
    }

    /// The next record, `None` at the end of the file. After an error, the records before
    /// the damage come first, then the error, then `None`.
    pub fn next_record(&mut self) -> Result<Option<Record>, ScapError> {
        loop {
            if let Some(&(seq, waiting, _)) = self.pending.front() {
                if !waiting || self.done || self.pending.len() > MAX_HELD {
                    if waiting {
                        self.held.retain(|_, s| *s != seq);
                    }
                    if let Some((_, _, r)) = self.pending.pop_front() {
                        self.records_read += 1;
                        return Ok(Some(r));
                    }
                }
            }
            if self.done {
                return match self.failure.take() {
                    Some(mut e) => {
                        if let ScapError::Truncated { records_read, .. } = &mut e {
                            *records_read = self.records_read;
                        }
                        Err(e)
                    }
                    None => Ok(None),
                };
            }
            let block = match self.blocks.next_block() {
                Ok(Some(b)) => b,
                Ok(None) => {
                    self.done = true;
                    continue;
                }
                Err(e) => {
                    self.done = true;
                    self.failure = Some(self.block_error(e));
                    continue;
                }
            };
            let result = self.block(&block);
            self.blocks.recycle(block.body);
            if let Err(e) = result {
                self.done = true;
                self.failure = Some(e);
            }
        }
    }

    fn push(&mut self, r: Record, waiting: bool) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending.push_back((seq, waiting, r));
        seq
    }

    /// The queued record with sequence number `seq`, if still queued.
    fn queued(&mut self, seq: u64) -> Option<&mut (u64, bool, Record)> {
        let first = self.pending.front()?.0;
        let i = usize::try_from(seq.checked_sub(first)?).ok()?;
        self.pending.get_mut(i)
    }

    /// Queue what an event of thread `tid` became: complete the thread's held Enter (or let
    /// it go as it is when this event is not its exit), hold a new one.
    fn push_output(&mut self, tid: u64, out: Output) {
        if let Some(seq) = self.held.remove(&tid) {
            let patch = out.patch.filter(|(t, _)| *t == tid).map(|(_, k)| k);
            if let Some((_, waiting, rec)) = self.queued(seq) {
                *waiting = false;
                if let (Some(kind), Record::Event(ev)) = (patch, rec) {
                    ev.kind = kind;
                }
            }
        }
        for (i, r) in out.records.into_iter().enumerate() {
            let hold = i == 0 && out.hold == Some(tid);
            let seq = self.push(r, hold);
            if hold {
                self.held.insert(tid, seq);
            }
        }
    }

    fn note(&mut self, what: String) {
        *self.notes.entry(what).or_insert(0) += 1;
    }

    /// Turn one block into pending records.
    fn block(&mut self, b: &Block) -> Result<(), ScapError> {
        let corrupt_at = |path: &Path, at: usize, what: String| ScapError::Corrupt {
            path: path.to_path_buf(),
            offset: b.offset + 8 + at as u64,
            what,
        };
        let mut c = Cursor::new(&b.body, b.endian);
        let mut out = Vec::new();
        let parsed = if b.kind == SHB {
            return self.section_header(b);
        } else if let Some(v) = procs::proclist_version(b.kind) {
            procs::read_proclist(&mut c, v, &mut out)
        } else if let Some(&(_, sized)) = procs::FDLIST_TYPES.iter().find(|t| t.0 == b.kind) {
            procs::read_fdlist(&mut c, sized, &mut out)
        } else if let Some(&(_, sized)) = procs::USERLIST_TYPES.iter().find(|t| t.0 == b.kind) {
            procs::read_userlist(&mut c, sized, &mut out)
        } else if is_event_block(b.kind) {
            return self.event_block(b);
        } else if matches!(b.kind, 0x201 | 0x8002_ABCD | 0x205 | 0x8011_ABCD | 0x219) {
            // Machine info and network interfaces: nothing syspect keeps.
            Ok(())
        } else {
            self.note(format!("unknown block type {:#x}", b.kind));
            Ok(())
        };
        parsed.map_err(|o| {
            corrupt_at(
                &self.path,
                o.at,
                format!("block of type {:#x} cut short in {}", b.kind, o.what),
            )
        })?;
        for r in out {
            self.mapper.observe(&r);
            self.push(r, false);
        }
        Ok(())
    }

    fn event_block(&mut self, b: &Block) -> Result<(), ScapError> {
        let ev = match evblock::parse(b.kind, &b.body, b.endian) {
            Ok(ev) => ev,
            Err(EvError::Unknown(ty)) => {
                self.note(format!("event type {ty} unknown to this reader"));
                return Ok(());
            }
            Err(EvError::Corrupt { at, what }) => {
                return Err(ScapError::Corrupt {
                    path: self.path.clone(),
                    offset: b.offset + 8 + at as u64,
                    what,
                })
            }
        };
        let out = self.mapper.map(&ev);
        if let Some(name) = out.skipped {
            let dir = if ev.info.exit { "<" } else { ">" };
            self.note(format!("skipped event {name} {dir}"));
            // sysdig numbers it all the same: it stays, as an event readers only count. It
            // leaves the thread's held Enter waiting (a switch comes in the middle of a call).
            let other = self.mapper.other(&ev);
            self.push(other, false);
            return Ok(());
        }
        self.push_output(ev.tid, out);
        Ok(())
    }

    fn section_header(&mut self, b: &Block) -> Result<(), ScapError> {
        let mut c = Cursor::new(&b.body, b.endian);
        let header =
            (|| Ok::<_, blocks::Overrun>((c.u32("magic")?, c.u16("major")?, c.u16("minor")?)))();
        let (_, major, minor) = header.map_err(|o| ScapError::Corrupt {
            path: self.path.clone(),
            offset: b.offset,
            what: format!("section header cut short in {}", o.what),
        })?;
        if major != MAJOR_VERSION {
            return Err(ScapError::Version {
                path: self.path.clone(),
                major,
                minor,
            });
        }
        self.version = (major, minor);
        Ok(())
    }

    fn block_error(&self, e: BlockError) -> ScapError {
        let path = self.path.clone();
        match e {
            BlockError::Truncated { offset } => ScapError::Truncated {
                path,
                offset,
                records_read: self.records_read,
            },
            BlockError::Corrupt { offset, what } => ScapError::Corrupt { path, offset, what },
            BlockError::NotScap(why) => ScapError::NotScap { path, why },
            BlockError::Io(source) => ScapError::Io {
                context: format!("cannot read {}", path.display()),
                source,
            },
        }
    }
}

/// True for every event block type.
pub fn is_event_block(kind: u32) -> bool {
    evblock::layout(kind).is_some()
}

/// True for the event block types that may exceed 64 KiB.
pub fn is_large_event_block(kind: u32) -> bool {
    matches!(kind, 0x221 | 0x222)
}

/// The sysdig-style name and direction of an event record (`open`, `>`), as `sysdig -p
/// '%evt.type %evt.dir'` prints it, for comparing with sysdig; `None` for records that are not
/// events and for event kinds sysdig has no counterpart for.
pub fn sysdig_type(rec: &Record) -> Option<(String, char)> {
    let Record::Event(ev) = rec else { return None };
    Some(match &ev.kind {
        EventKind::Enter { nr, .. } => (crate::syscalls::name(*nr).into_owned(), '>'),
        EventKind::Exit { nr, .. } => (crate::syscalls::name(*nr).into_owned(), '<'),
        EventKind::ThreadExit { .. } => ("procexit".into(), '>'),
        EventKind::Signal { .. } => ("signaldeliver".into(), '>'),
        EventKind::Drops { .. } => ("drop".into(), '>'),
        EventKind::Other { name } => (name.clone(), '>'),
        EventKind::Clone { .. }
        | EventKind::Exec(_)
        | EventKind::Sample { .. }
        | EventKind::Injected { .. }
        | EventKind::Stack { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::evblock::tests::v2_body;
    use super::*;

    /// A block as a writer lays it out (little-endian).
    fn block(kind: u32, body: &[u8]) -> Vec<u8> {
        let total = (12 + body.len()) as u32;
        let mut v = kind.to_le_bytes().to_vec();
        v.extend_from_slice(&total.to_le_bytes());
        v.extend_from_slice(body);
        v.extend_from_slice(&total.to_le_bytes());
        v
    }

    fn file(blocks: &[Vec<u8>]) -> PathBuf {
        let mut shb = blocks::SHB_MAGIC.to_le_bytes().to_vec();
        shb.extend_from_slice(&1u16.to_le_bytes());
        shb.extend_from_slice(&2u16.to_le_bytes());
        shb.extend_from_slice(&u64::MAX.to_le_bytes());
        shb.extend_from_slice(&[1, 0, 4, 0, b'h', b'i', b'!', 0, 0, 0, 0, 0]); // a comment option
        let mut bytes = block(SHB, &shb);
        for b in blocks {
            bytes.extend_from_slice(b);
        }
        let dir = std::env::temp_dir().join(format!("syspect-scap-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(format!("f{}.scap", bytes.len()));
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn all(p: &Path) -> (Vec<Record>, ScapReader) {
        let mut r = ScapReader::open(p).unwrap();
        let mut v = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            v.push(rec);
        }
        (v, r)
    }

    #[test]
    fn held_enter_keeps_file_order_and_gets_its_data() {
        let write_e = v2_body(8, 42, 10, &[&1i64.to_le_bytes(), &5u32.to_le_bytes()]);
        let close_e = v2_body(4, 7, 11, &[&3i64.to_le_bytes()]);
        let write_x = v2_body(9, 42, 12, &[&5i64.to_le_bytes(), b"hello"]);
        let p = file(&[
            block(0x216, &write_e),
            block(0x216, &close_e),
            block(0x999, &[0; 8]),
            block(0x216, &write_x),
        ]);
        let (recs, r) = all(&p);
        let ts: Vec<u64> = recs
            .iter()
            .filter_map(|r| match r {
                Record::Event(e) => Some(e.ts),
                _ => None,
            })
            .collect();
        assert_eq!(ts, vec![10, 11, 12]);
        let Record::Event(first) = &recs[0] else {
            panic!()
        };
        let EventKind::Enter { args, .. } = &first.kind else {
            panic!()
        };
        assert!(
            args.iter().any(|a| a.bytes() == Some(&b"hello"[..])),
            "{args:?}"
        );
        assert_eq!(r.notes().get("unknown block type 0x999"), Some(&1));
        assert_eq!(r.version(), (1, 2));
    }

    #[test]
    fn an_enter_whose_exit_never_comes_still_comes_out() {
        let write_e = v2_body(8, 42, 10, &[&1i64.to_le_bytes(), &5u32.to_le_bytes()]);
        let close_e = v2_body(4, 7, 11, &[&3i64.to_le_bytes()]);
        let (recs, _) = all(&file(&[block(0x216, &write_e), block(0x216, &close_e)]));
        assert_eq!(recs.len(), 2);
        // A later event of the same thread releases it too, unchanged.
        let close_42 = v2_body(4, 42, 12, &[&3i64.to_le_bytes()]);
        let (recs, _) = all(&file(&[block(0x216, &write_e), block(0x216, &close_42)]));
        assert_eq!(recs.len(), 2);
    }

    #[test]
    fn future_versions_are_refused() {
        let mut shb = blocks::SHB_MAGIC.to_le_bytes().to_vec();
        shb.extend_from_slice(&2u16.to_le_bytes());
        shb.extend_from_slice(&0u16.to_le_bytes());
        shb.extend_from_slice(&u64::MAX.to_le_bytes());
        let dir = std::env::temp_dir().join(format!("syspect-scap-unit-v-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("v2.scap");
        std::fs::write(&p, block(SHB, &shb)).unwrap();
        assert!(matches!(
            ScapReader::open(&p),
            Err(ScapError::Version { major: 2, .. })
        ));
    }

    #[test]
    fn sniff() {
        let mut b = SHB.to_le_bytes().to_vec();
        b.extend_from_slice(&28u32.to_le_bytes());
        b.extend_from_slice(&blocks::SHB_MAGIC.to_le_bytes());
        assert!(is_scap(&b));
        assert!(!is_scap(&b[..8]));
        assert!(!is_scap(b"\x1f\x8b garbage"));
    }
}
