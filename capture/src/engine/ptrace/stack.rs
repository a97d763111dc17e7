//! strace's `-k`: the stack of a traced thread at a syscall's exit (or a signal), unwound by the `.eh_frame` of the
//! modules its process has mapped (framehop, as samply unwinds), each frame named as strace
//! names it: the module's path, the nearest function symbol before the address and the offset
//! from it, and the address's offset in the file (` > /usr/lib/x86_64-linux-gnu/libc.so.6(
//! __write+0x10) [0xf8350]`).
//!
//! A process's modules are read from `/proc/PID/maps` at its first stack and again after a
//! call that changes its mappings (mmap, munmap, mremap, mprotect, execve); a module's file is
//! read once (through `/proc/PID/root`, so that a container's files are its own) and kept for
//! every process that maps it.

use std::collections::HashMap;
use std::sync::Arc;

use framehop::x86_64::{CacheX86_64, UnwindRegsX86_64, UnwinderX86_64};
use framehop::{ExplicitModuleSectionInfo, Module, Unwinder};
use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol, SymbolKind};

use super::sys;
use crate::event::{Frame, Tid};

/// At most this many frames a stack (strace prints every one; a runaway unwind stops here).
const MAX_FRAMES: usize = 256;

/// What one module's file gives: its unwind sections and its function symbols.
struct Elf {
    sections: ExplicitModuleSectionInfo<Arc<[u8]>>,
    /// (stated address, index in the table, name), by address: where several start at one
    /// address, the first in the table (the one strace names, weak or not).
    symbols: Vec<(u64, usize, String)>,
    /// The executable segments: (page-aligned file offset, page-aligned stated address).
    exec_segments: Vec<(u64, u64)>,
}

/// A module as mapped in one process.
struct Mapped {
    path: Vec<u8>,
    start: u64,
    end: u64,
    /// The file offset of `start`.
    offset: u64,
    /// What the module's stated addresses are moved by.
    bias: u64,
    elf: Arc<Elf>,
}

struct Proc {
    mapped: Vec<Mapped>,
    unwinder: UnwinderX86_64<Arc<[u8]>>,
    cache: CacheX86_64,
    stale: bool,
}

/// The stacks of the traced processes.
#[derive(Default)]
pub struct Stacks {
    files: HashMap<Vec<u8>, Option<Arc<Elf>>>,
    procs: HashMap<Tid, Proc>,
    /// The stack memory of the thread being unwound, kept from call to call.
    stack: Vec<u8>,
}

/// The syscalls after which a process's mappings are read again (asked at every exit).
pub fn changes_mappings(nr: u64) -> bool {
    matches!(
        nr as libc::c_long,
        libc::SYS_mmap
            | libc::SYS_munmap
            | libc::SYS_mremap
            | libc::SYS_mprotect
            | libc::SYS_execve
            | libc::SYS_execveat
            | libc::SYS_brk
    )
}

impl Stacks {
    /// Process `pid`'s mappings changed.
    pub fn stale(&mut self, pid: Tid) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.stale = true;
        }
    }

    /// Forget process `pid`.
    pub fn forget(&mut self, pid: Tid) {
        self.procs.remove(&pid);
    }

    /// The stack of thread `tid` of process `pid`, stopped in a syscall.
    pub fn capture(&mut self, pid: Tid, tid: Tid) -> Vec<Frame> {
        let Ok(regs) = sys::user_regs(tid) else {
            return Vec::new();
        };
        if self.procs.get(&pid).is_none_or(|p| p.stale) {
            let p = self.load(pid);
            self.procs.insert(pid, p);
        }
        let (frames, unknown) = self.unwind(pid, tid, &regs);
        // an address in no module known: mapped since the maps were read, by a call the
        // engine did not stop for (a syscall filter): read them again, once
        if unknown {
            let p = self.load(pid);
            self.procs.insert(pid, p);
            return self.unwind(pid, tid, &regs).0;
        }
        frames
    }

    /// The frames, and whether an address fell in no module known (the last one unwound).
    fn unwind(&mut self, pid: Tid, tid: Tid, regs: &libc::user_regs_struct) -> (Vec<Frame>, bool) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return (Vec::new(), false);
        };
        // the stack, read in one piece from the stack pointer; words past it one at a time
        let stack = &mut self.stack;
        stack.resize(64 * 1024, 0);
        let got = sys::read_mem(tid, regs.rsp, stack).unwrap_or(0);
        stack.truncate(got);
        let sp = regs.rsp;
        let mut read = |addr: u64| -> Result<u64, ()> {
            let at = addr.checked_sub(sp).map(|o| o as usize);
            if let Some(b) = at.and_then(|o| stack.get(o..o + 8)) {
                return Ok(u64::from_le_bytes(b.try_into().map_err(|_| ())?));
            }
            let mut w = [0u8; 8];
            match sys::read_mem(tid, addr, &mut w) {
                Ok(8) => Ok(u64::from_le_bytes(w)),
                _ => Err(()),
            }
        };
        let unwind_regs = UnwindRegsX86_64::new(regs.rip, regs.rsp, regs.rbp);
        let mut frames = Vec::new();
        let mut unknown = false;
        let mut it = p
            .unwinder
            .iter_frames(regs.rip, unwind_regs, &mut p.cache, &mut read);
        while let Ok(Some(f)) = it.next() {
            let frame = name_of(&p.mapped, f.address(), f.address_for_lookup());
            unknown |= frame.module.is_empty();
            // past the outermost frame the unwinder reads what is no return address (at a
            // program's entry, argc): a caller in no module ends the stack
            if frame.module.is_empty() && !frames.is_empty() {
                break;
            }
            frames.push(frame);
            if frames.len() >= MAX_FRAMES {
                break;
            }
        }
        (frames, unknown)
    }

    /// Process `pid`'s modules, from its maps.
    fn load(&mut self, pid: Tid) -> Proc {
        let mut p = Proc {
            mapped: Vec::new(),
            unwinder: UnwinderX86_64::new(),
            cache: CacheX86_64::new(),
            stale: false,
        };
        let Ok(maps) = std::fs::read_to_string(format!("/proc/{pid}/maps")) else {
            return p;
        };
        for line in maps.lines() {
            let f: Vec<&str> = line.split_ascii_whitespace().collect();
            let (Some(range), Some(perms), Some(offset), Some(path)) =
                (f.first(), f.get(1), f.get(2), f.get(5))
            else {
                continue;
            };
            if !perms.contains('x') || !path.starts_with('/') {
                continue;
            }
            let Some((start, end)) = range.split_once('-').and_then(|(a, b)| {
                Some((
                    u64::from_str_radix(a, 16).ok()?,
                    u64::from_str_radix(b, 16).ok()?,
                ))
            }) else {
                continue;
            };
            let offset = u64::from_str_radix(offset, 16).unwrap_or(0);
            let path = path.as_bytes().to_vec();
            let Some(elf) = self.file(pid, &path) else {
                continue;
            };
            // the executable segment this mapping is: its stated address against the mapping's
            let Some(&(_, vaddr)) = elf.exec_segments.iter().find(|s| s.0 == offset) else {
                continue;
            };
            let bias = start.wrapping_sub(vaddr);
            p.unwinder.add_module(Module::new(
                String::from_utf8_lossy(&path).into_owned(),
                start..end,
                bias,
                elf.sections.clone(),
            ));
            p.mapped.push(Mapped {
                path,
                start,
                end,
                offset,
                bias,
                elf,
            });
        }
        p
    }

    /// The module file at `path` as process `pid` sees it, read once.
    fn file(&mut self, pid: Tid, path: &[u8]) -> Option<Arc<Elf>> {
        if let Some(e) = self.files.get(path) {
            return e.clone();
        }
        let in_root = format!("/proc/{pid}/root{}", String::from_utf8_lossy(path));
        let elf = std::fs::read(&in_root)
            .or_else(|_| std::fs::read(String::from_utf8_lossy(path).as_ref()))
            .ok()
            .and_then(|data| parse(&data))
            .map(Arc::new);
        self.files.insert(path.to_vec(), elf.clone());
        elf
    }
}

/// A module file's unwind sections, executable segments and function symbols.
fn parse(data: &[u8]) -> Option<Elf> {
    let file = object::File::parse(data).ok()?;
    let section = |name: &str| {
        let s = file.section_by_name(name)?;
        let bytes: Arc<[u8]> = Arc::from(s.data().ok()?);
        Some((s.address()..s.address() + s.size(), bytes))
    };
    let (text_svma, text) = section(".text").unzip();
    let (eh_frame_svma, eh_frame) = section(".eh_frame").unzip();
    let (eh_frame_hdr_svma, eh_frame_hdr) = section(".eh_frame_hdr").unzip();
    let got_svma = section(".got").map(|(r, _)| r);
    let sections = ExplicitModuleSectionInfo {
        base_svma: 0,
        text_svma,
        text,
        got_svma,
        eh_frame_svma,
        eh_frame,
        eh_frame_hdr_svma,
        eh_frame_hdr,
        ..Default::default()
    };
    const PAGE: u64 = 4096;
    let exec_segments = file
        .segments()
        .filter(|s| {
            matches!(s.flags(), object::SegmentFlags::Elf { p_flags } if p_flags & object::elf::PF_X != 0)
        })
        .map(|s| (s.file_range().0 & !(PAGE - 1), s.address() & !(PAGE - 1)))
        .collect();
    let mut symbols: Vec<(u64, usize, String)> = Vec::new();
    // the full table when the file has one, else the dynamic one (a stripped library)
    let table: Vec<object::Symbol<'_, '_>> = if file.symbol_table().is_some() {
        file.symbols().collect()
    } else {
        file.dynamic_symbols().collect()
    };
    for (index, s) in table.into_iter().enumerate() {
        if s.kind() != SymbolKind::Text || s.is_undefined() || s.address() == 0 {
            continue;
        }
        let Ok(name) = s.name() else { continue };
        // versioned names (`memcpy@@GLIBC_2.14`) as strace shows them: the name alone
        let name = name.split('@').next().unwrap_or(name);
        symbols.push((s.address(), index, name.to_string()));
    }
    symbols.sort();
    symbols.dedup_by(|b, a| a.0 == b.0);
    Some(Elf {
        sections,
        symbols,
        exec_segments,
    })
}

/// A frame at `addr` (looked up at `lookup`, a return address less one).
fn name_of(mapped: &[Mapped], addr: u64, lookup: u64) -> Frame {
    let Some(m) = mapped.iter().find(|m| (m.start..m.end).contains(&lookup)) else {
        return Frame {
            module: Vec::new(),
            symbol: String::new(),
            offset: 0,
            file_offset: addr,
        };
    };
    let stated = lookup.wrapping_sub(m.bias);
    let syms = &m.elf.symbols;
    let i = syms.partition_point(|s| s.0 <= stated);
    let (symbol, offset) = match i.checked_sub(1).map(|i| &syms[i]) {
        Some((at, _, name)) => (name.clone(), addr.wrapping_sub(m.bias).wrapping_sub(*at)),
        None => (String::new(), 0),
    };
    Frame {
        module: m.path.clone(),
        symbol,
        offset,
        file_offset: addr - m.start + m.offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_library_gives_its_unwind_sections_segments_and_symbols() {
        let data = std::fs::read("/proc/self/exe").unwrap();
        let elf = parse(&data).expect("our own executable parses");
        assert!(elf.sections.eh_frame.is_some() && elf.sections.text.is_some());
        assert!(!elf.exec_segments.is_empty());
        assert!(elf.symbols.len() > 100, "{}", elf.symbols.len());
        let mut s = Stacks::default();
        let p = s.load(std::process::id());
        assert!(
            p.mapped.iter().any(|m| m.path.ends_with(b".so.6")),
            "{:?}",
            p.mapped
                .iter()
                .map(|m| String::from_utf8_lossy(&m.path))
                .collect::<Vec<_>>()
        );
    }
}
