//! Decoding the structs of [`StructKind`] from the bytes an engine read, as strace prints
//! them by default (abbreviated: `{st_mode=S_IFREG|0644, st_size=1234, ...}`). Layouts are the
//! x86_64 kernel's.

use super::errno::signal_name;
use super::flag_tables as t;
use super::flags::{self, bits, enumerated, FlagSet};
use super::strings;
use super::StructKind as K;

/// Little-endian field reads that return `None` past the end of what was captured.
pub(crate) struct Bytes<'a>(pub &'a [u8]);

impl Bytes<'_> {
    fn get<const N: usize>(&self, off: usize) -> Option<[u8; N]> {
        self.0.get(off..off + N)?.try_into().ok()
    }
    pub fn u16(&self, off: usize) -> Option<u16> {
        self.get(off).map(u16::from_le_bytes)
    }
    pub fn u32(&self, off: usize) -> Option<u32> {
        self.get(off).map(u32::from_le_bytes)
    }
    pub fn i32(&self, off: usize) -> Option<i32> {
        self.get(off).map(i32::from_le_bytes)
    }
    pub fn u64(&self, off: usize) -> Option<u64> {
        self.get(off).map(u64::from_le_bytes)
    }
    pub fn i64(&self, off: usize) -> Option<i64> {
        self.get(off).map(i64::from_le_bytes)
    }
    /// A NUL-terminated char array of `len` bytes at `off`.
    fn chars(&self, off: usize, len: usize) -> Option<&[u8]> {
        let f = self.0.get(off..off + len)?;
        Some(&f[..f.iter().position(|&c| c == 0).unwrap_or(len)])
    }
}

/// `{tv_sec=…, tv_nsec=…}` at `off` (or `tv_usec` when `usec`).
fn time_pair(b: &Bytes, off: usize, usec: bool) -> Option<String> {
    let sec = b.i64(off)?;
    let frac = b.i64(off + 8)?;
    let name = if usec { "tv_usec" } else { "tv_nsec" };
    Some(format!("{{tv_sec={sec}, {name}={frac}}}"))
}

/// strace's `makedev(0x88, 0)` for a Linux `dev_t`.
pub(crate) fn makedev(dev: u64) -> String {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    format!("makedev({}, {})", hex0(major), hex0(minor))
}

/// `0` or `0x…`, strace's `PRINT_VAL_X`.
pub(crate) fn hex0(v: u64) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

/// A kernel sigset of `bytes.len() * 8` signals: `[INT TERM]`, or `~[…]` for the complement
/// when more than half are set, as strace does.
pub fn sigset(bytes: &[u8]) -> String {
    let nsig = bytes.len() * 8;
    let is_set = |i: usize| bytes[i / 8] & (1 << (i % 8)) != 0;
    let count = (0..nsig).filter(|&i| is_set(i)).count();
    let invert = count * 2 > nsig;
    let names: Vec<String> = (0..nsig)
        .filter(|&i| is_set(i) != invert)
        .map(|i| {
            let n = (i + 1) as i32;
            match signal_name(n) {
                Some(s) => flags::styled(n.to_string(), s.trim_start_matches("SIG")),
                None => n.to_string(),
            }
        })
        .collect();
    format!("{}[{}]", if invert { "~" } else { "" }, names.join(" "))
}

/// A CPU mask: `[0 1 5]`.
pub fn cpuset(bytes: &[u8]) -> String {
    let cpus: Vec<String> = (0..bytes.len() * 8)
        .filter(|&i| bytes[i / 8] & (1 << (i % 8)) != 0)
        .map(|i| i.to_string())
        .collect();
    format!("[{}]", cpus.join(" "))
}

/// strace's `8192*1024` / `RLIM64_INFINITY` for one limit.
fn rlim(v: u64) -> String {
    if v == u64::MAX {
        flags::styled(v.to_string(), "RLIM64_INFINITY")
    } else if v > 1024 && v.is_multiple_of(1024) {
        flags::styled(v.to_string(), &format!("{}*1024", v / 1024))
    } else {
        v.to_string()
    }
}

/// wait status as strace prints it: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
pub fn wait_status(s: i32) -> String {
    let sig = s & 0x7f;
    let inner = if sig == 0 {
        format!("WIFEXITED(s) && WEXITSTATUS(s) == {}", (s >> 8) & 0xff)
    } else if sig == 0x7f {
        let stop = (s >> 8) & 0xff;
        let name = signal_name(stop).map_or(stop.to_string(), str::to_string);
        format!("WIFSTOPPED(s) && WSTOPSIG(s) == {name}")
    } else {
        let name = signal_name(sig).map_or(sig.to_string(), str::to_string);
        let core = if s & 0x80 != 0 {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        format!("WIFSIGNALED(s) && WTERMSIG(s) == {name}{core}")
    };
    format!("[{{{inner}}}]")
}

/// Name of a statfs `f_type`.
fn fs_magic(v: u64) -> String {
    const M: &[(u64, &str)] = &[
        (0xef53, "EXT2_SUPER_MAGIC"),
        (0x01021994, "TMPFS_MAGIC"),
        (0x9fa0, "PROC_SUPER_MAGIC"),
        (0x62656572, "SYSFS_MAGIC"),
        (0x794c7630, "OVERLAYFS_SUPER_MAGIC"),
        (0x9123683e, "BTRFS_SUPER_MAGIC"),
        (0x58465342, "XFS_SUPER_MAGIC"),
        (0x63677270, "CGROUP2_SUPER_MAGIC"),
        (0x27e0eb, "CGROUP_SUPER_MAGIC"),
        (0x1cd1, "DEVPTS_SUPER_MAGIC"),
        (0x6969, "NFS_SUPER_MAGIC"),
        (0x65735546, "FUSE_SUPER_MAGIC"),
        (0x858458f6, "RAMFS_MAGIC"),
        (0x73717368, "SQUASHFS_MAGIC"),
        (0xf97cff8c, "SELINUX_MAGIC"),
        (0x64626720, "DEBUGFS_MAGIC"),
        (0x74726163, "TRACEFS_MAGIC"),
        (0xcafe4a11, "BPF_FS_MAGIC"),
        (0x4d44, "MSDOS_SUPER_MAGIC"),
    ];
    flags::styled(hex0(v), &enumerated(M, v, "???"))
}

fn termios(b: &Bytes) -> Option<String> {
    let (i, o, c, l) = (b.u32(0)?, b.u32(4)?, b.u32(8)?, b.u32(12)?);
    let delays: [(u32, &[(u64, &str)]); 6] = [
        (0o400, &[(0, "NL0"), (0o400, "NL1")]),
        (
            0o3000,
            &[
                (0, "CR0"),
                (0o1000, "CR1"),
                (0o2000, "CR2"),
                (0o3000, "CR3"),
            ],
        ),
        (
            0o14000,
            &[
                (0, "TAB0"),
                (0o4000, "TAB1"),
                (0o10000, "TAB2"),
                (0o14000, "TAB3"),
            ],
        ),
        (0o20000, &[(0, "BS0"), (0o20000, "BS1")]),
        (0o40000, &[(0, "VT0"), (0o40000, "VT1")]),
        (0o100000, &[(0, "FF0"), (0o100000, "FF1")]),
    ];
    let mut oflag: Vec<String> = delays
        .iter()
        .map(|(mask, tbl)| enumerated(tbl, (o & mask) as u64, "???"))
        .collect();
    let rest = o & !delays.iter().fold(0, |m, d| m | d.0);
    if rest != 0 {
        oflag.push(bits(t::TERM_OFLAG, rest as u64, "???"));
    }
    let cbaud = libc::CBAUD;
    let mut cflag = vec![enumerated(t::BAUD, (c & cbaud) as u64, "B???")];
    let cibaud = (c & libc::CIBAUD) >> 16;
    if cibaud != 0 {
        cflag.push(format!(
            "{}<<IBSHIFT",
            enumerated(t::BAUD, cibaud as u64, "B???")
        ));
    }
    cflag.push(enumerated(t::CSIZE, (c & libc::CSIZE) as u64, "CS?"));
    let rest = c & !(cbaud | libc::CIBAUD | libc::CSIZE);
    if rest != 0 {
        cflag.push(bits(t::TERM_CFLAG, rest as u64, "???"));
    }
    Some(format!(
        "{{c_iflag={}, c_oflag={}, c_cflag={}, c_lflag={}, ...}}",
        bits(t::TERM_IFLAG, i as u64, "???"),
        oflag.join("|"),
        cflag.join("|"),
        bits(t::TERM_LFLAG, l as u64, "???")
    ))
}

fn statx(b: &Bytes) -> Option<String> {
    let mask = b.u32(0)?;
    let mut s = format!(
        "{{stx_mask={}, stx_attributes={}",
        bits(t::STATX_MASK, mask as u64, "STATX_???"),
        bits(t::STATX_ATTR, b.u64(8)?, "STATX_ATTR_???")
    );
    if mask & 3 != 0 {
        s.push_str(&format!(
            ", stx_mode={}",
            flags::file_mode(b.u16(28)? as u32)
        ));
    }
    if mask & 0x200 != 0 {
        s.push_str(&format!(", stx_size={}", b.u64(40)?));
    }
    s.push_str(", ...}");
    Some(s)
}

fn sigaction(b: &Bytes) -> Option<String> {
    let handler = match b.u64(0)? {
        0 => flags::styled("0".into(), "SIG_DFL"),
        1 => flags::styled("0x1".into(), "SIG_IGN"),
        h => format!("{h:#x}"),
    };
    let fl = b.u64(8)?;
    let mut s = format!(
        "{{sa_handler={handler}, sa_mask={}, sa_flags={}",
        sigset(b.0.get(24..32)?),
        flags::styled(hex0(fl), &bits(t::SA, fl, "SA_???"))
    );
    if fl & 0x0400_0000 != 0 {
        s.push_str(&format!(", sa_restorer={:#x}", b.u64(16)?));
    }
    s.push('}');
    Some(s)
}

fn sysinfo(b: &Bytes) -> Option<String> {
    Some(format!(
        "{{uptime={}, loads=[{}, {}, {}], totalram={}, freeram={}, sharedram={}, bufferram={}, \
         totalswap={}, freeswap={}, procs={}, totalhigh={}, freehigh={}, mem_unit={}}}",
        b.i64(0)?,
        b.u64(8)?,
        b.u64(16)?,
        b.u64(24)?,
        b.u64(32)?,
        b.u64(40)?,
        b.u64(48)?,
        b.u64(56)?,
        b.u64(64)?,
        b.u64(72)?,
        b.u16(80)?,
        b.u64(88)?,
        b.u64(96)?,
        b.u32(104)?
    ))
}

fn clock_ticks(v: u64) -> String {
    // strace adds the time in seconds for non-zero tick counts (USER_HZ is 100 on Linux).
    if v == 0 {
        "0".into()
    } else {
        format!("{v} /* {}.{:02} s */", v / 100, v % 100)
    }
}

/// strace's name for a siginfo `si_code` of signal `signo` (`SI_USER`, `CLD_EXITED`).
pub fn si_code_name(signo: i32, code: i32) -> String {
    match code {
        0 => "SI_USER".to_string(),
        0x80 => "SI_KERNEL".to_string(),
        -1 => "SI_QUEUE".to_string(),
        -2 => "SI_TIMER".to_string(),
        -3 => "SI_MESGQ".to_string(),
        -4 => "SI_ASYNCIO".to_string(),
        -5 => "SI_SIGIO".to_string(),
        -6 => "SI_TKILL".to_string(),
        c if signo == libc::SIGCHLD && c > 0 => enumerated(t::CLD, c as u64, "CLD_???"),
        c => {
            // the kernel's codes of the signals it sends for faults (asm-generic/siginfo.h)
            let names: &[&str] = match signo {
                libc::SIGSEGV => &[
                    "MAPERR", "ACCERR", "BNDERR", "PKUERR", "ACCADI", "ADIDERR", "ADIPERR",
                    "MTEAERR", "MTESERR", "CPERR",
                ],
                libc::SIGBUS => &["ADRALN", "ADRERR", "OBJERR", "MCEERR_AR", "MCEERR_AO"],
                libc::SIGILL => &[
                    "ILLOPC", "ILLOPN", "ILLADR", "ILLTRP", "PRVOPC", "PRVREG", "COPROC", "BADSTK",
                    "BADIADDR",
                ],
                libc::SIGFPE => &[
                    "INTDIV", "INTOVF", "FLTDIV", "FLTOVF", "FLTUND", "FLTRES", "FLTINV", "FLTSUB",
                    "DECOVF", "DECDIV", "DECERR", "INVASC", "INVDEC", "FLTUNK", "CONDTRAP",
                ],
                libc::SIGTRAP => &["BRKPT", "TRACE", "BRANCH", "HWBKPT", "UNK", "PERF"],
                libc::SIGIO => &["IN", "OUT", "MSG", "ERR", "PRI", "HUP"],
                libc::SIGSYS => &["SECCOMP", "USER_DISPATCH"],
                _ => &[],
            };
            let prefix = match signo {
                libc::SIGSEGV => "SEGV_",
                libc::SIGBUS => "BUS_",
                libc::SIGILL => "ILL_",
                libc::SIGFPE => "FPE_",
                libc::SIGTRAP => "TRAP_",
                libc::SIGIO => "POLL_",
                _ => "SYS_",
            };
            match usize::try_from(c)
                .ok()
                .and_then(|i| names.get(i.wrapping_sub(1)))
            {
                Some(n) => format!("{prefix}{n}"),
                None => c.to_string(),
            }
        }
    }
}

/// A siginfo as strace prints it (`printsiginfo`): the head, then the fields the signal's
/// code and number say the union holds. `pid` shows `si_pid` (strace's `-Y` names it).
pub fn siginfo_text(bytes: &[u8], pid: &dyn Fn(i32) -> String) -> Option<String> {
    let b = Bytes(bytes);
    let (signo, errno, code) = (b.i32(0)?, b.i32(4)?, b.i32(8)?);
    let name =
        signal_name(signo).map_or(signo.to_string(), |n| flags::styled(signo.to_string(), n));
    let code_raw = if code < 0 {
        code.to_string()
    } else {
        hex0(code as u64)
    };
    let mut s = format!(
        "{{si_signo={name}, si_code={}",
        flags::styled(code_raw, &si_code_name(signo, code))
    );
    if errno != 0 {
        let e = super::errno::errno_name(errno).map_or(errno.to_string(), str::to_string);
        s.push_str(&format!(", si_errno={e}"));
    }
    let source = |s: &mut String| -> Option<()> {
        s.push_str(&format!(
            ", si_pid={}, si_uid={}",
            pid(b.i32(16)?),
            b.u32(20)?
        ));
        Some(())
    };
    let value = |s: &mut String| -> Option<()> {
        s.push_str(&format!(
            ", si_int={}, si_ptr={}",
            b.i32(24)?,
            ptr(b.u64(24)?)
        ));
        Some(())
    };
    if code <= 0 {
        // sent by a process (kill, sigqueue, a timer...)
        match code {
            0 | -6 => source(&mut s)?,
            -2 => {
                let id = b.u32(16)?;
                let id = if id == 0 {
                    "0".to_string()
                } else {
                    format!("{id:#x}")
                };
                s.push_str(&format!(", si_timerid={id}, si_overrun={}", b.i32(20)?));
                value(&mut s)?;
            }
            -5 => s.push_str(&format!(", si_band={}, si_fd={}", b.i64(16)?, b.i32(24)?)),
            _ => {
                source(&mut s)?;
                if b.u64(24)? != 0 {
                    value(&mut s)?;
                }
            }
        }
    } else {
        match signo {
            libc::SIGCHLD => {
                source(&mut s)?;
                let status = b.i32(24)?;
                let status = if code == 1 {
                    status.to_string()
                } else {
                    signal_name(status)
                        .map_or(status.to_string(), |n| flags::styled(status.to_string(), n))
                };
                s.push_str(&format!(
                    ", si_status={status}, si_utime={}, si_stime={}",
                    clock_ticks(b.u64(32)?),
                    clock_ticks(b.u64(40)?)
                ));
            }
            libc::SIGILL | libc::SIGFPE | libc::SIGBUS | libc::SIGSEGV | libc::SIGTRAP => {
                s.push_str(&format!(", si_addr={}", ptr(b.u64(16)?)));
            }
            _ => {}
        }
    }
    s.push('}');
    Some(s)
}

/// One struct of `kind` from `bytes`, strace style; `None` when too few bytes were captured.
pub fn decode(kind: K, bytes: &[u8]) -> Option<String> {
    let b = Bytes(bytes);
    Some(match kind {
        K::Stat => {
            let mode = b.u32(24)?;
            let ty = mode & libc::S_IFMT;
            let size_or_dev = if ty == libc::S_IFCHR || ty == libc::S_IFBLK {
                format!("st_rdev={}", makedev(b.u64(40)?))
            } else {
                format!("st_size={}", b.i64(48)?)
            };
            format!("{{st_mode={}, {size_or_dev}, ...}}", flags::file_mode(mode))
        }
        K::Statx => statx(&b)?,
        K::Statfs => format!(
            "{{f_type={}, f_bsize={}, f_blocks={}, f_bfree={}, f_bavail={}, f_files={}, \
             f_ffree={}, f_fsid={{val=[{}, {}]}}, f_namelen={}, f_frsize={}, f_flags={}}}",
            fs_magic(b.u64(0)?),
            b.u64(8)?,
            b.u64(16)?,
            b.u64(24)?,
            b.u64(32)?,
            b.u64(40)?,
            b.u64(48)?,
            hex0(b.u32(56)? as u64),
            hex0(b.u32(60)? as u64),
            b.u64(64)?,
            b.u64(72)?,
            statfs_flags(b.u64(80)?)
        ),
        K::Timespec => time_pair(&b, 0, false)?,
        K::Timeval => time_pair(&b, 0, true)?,
        K::Timezone => format!("{{tz_minuteswest={}, tz_dsttime={}}}", b.i32(0)?, b.i32(4)?),
        K::Itimerspec => format!(
            "{{it_interval={}, it_value={}}}",
            time_pair(&b, 0, false)?,
            time_pair(&b, 16, false)?
        ),
        K::Itimerval => format!(
            "{{it_interval={}, it_value={}}}",
            time_pair(&b, 0, true)?,
            time_pair(&b, 16, true)?
        ),
        K::Timespec2 => {
            let one = |off: usize| -> Option<String> {
                let sec = b.i64(off)?;
                Some(match b.i64(off + 8)? {
                    0x3fff_ffff => "UTIME_NOW".to_string(),
                    0x3fff_fffe => "UTIME_OMIT".to_string(),
                    ns => format!("{{tv_sec={sec}, tv_nsec={ns}}} /* {} */", utc_time(sec, ns)),
                })
            };
            format!("[{}, {}]", one(0)?, one(16)?)
        }
        K::Rlimit => format!(
            "{{rlim_cur={}, rlim_max={}}}",
            rlim(b.u64(0)?),
            rlim(b.u64(8)?)
        ),
        K::Rusage => format!(
            "{{ru_utime={}, ru_stime={}, ...}}",
            time_pair(&b, 0, true)?,
            time_pair(&b, 16, true)?
        ),
        K::Sigaction => sigaction(&b)?,
        K::Sigset => sigset(bytes.get(..8)?),
        K::Pollfd => format!(
            "{{fd={}, events={}}}",
            b.i32(0)?,
            flags::format(FlagSet::Poll, b.u16(4)? as u64)
        ),
        K::EpollEvent => {
            let data = b.u64(4)?;
            format!(
                "{{events={}, data={{u32={}, u64={data}}}}}",
                flags::format(FlagSet::EpollEvents, b.u32(0)? as u64),
                data as u32
            )
        }
        K::Utsname => format!(
            "{{sysname={}, nodename={}, ...}}",
            strings::quote(b.chars(0, 65)?, false),
            strings::quote(b.chars(65, 65)?, false)
        ),
        K::Sysinfo => sysinfo(&b)?,
        K::Tms => format!(
            "{{tms_utime={}, tms_stime={}, tms_cutime={}, tms_cstime={}}}",
            clock_ticks(b.u64(0)?),
            clock_ticks(b.u64(8)?),
            clock_ticks(b.u64(16)?),
            clock_ticks(b.u64(24)?)
        ),
        K::Winsize => format!(
            "{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}",
            b.u16(0)?,
            b.u16(2)?,
            b.u16(4)?,
            b.u16(6)?
        ),
        K::Termios => termios(&b)?,
        K::CloneArgs => clone_args(&b)?,
        K::OpenHow => format!(
            "{{flags={}, mode={}, resolve={}}}",
            flags::format(FlagSet::Open, b.u64(0)?),
            flags::octal(b.u64(8)? as u32),
            hex0(b.u64(16)?)
        ),
        K::RobustList | K::Sched | K::Timex | K::CapHeader | K::Flock => {
            format!("{{...{} bytes}}", bytes.len())
        }
        K::FdSet => fdset(bytes),
        K::LinuxDirent64 => format!("/* {} entries */", dirent_count(bytes)),
        K::Sockopt | K::Int => format!("[{}]", b.i32(0)?),
        K::Int64 => format!("[{}]", b.i64(0)?),
        K::StackT => format!(
            "{{ss_sp={}, ss_flags={}, ss_size={}}}",
            ptr(b.u64(0)?),
            bits(t::SS, b.u32(8)? as u64, "SS_???"),
            b.u64(16)?
        ),
        K::Siginfo => siginfo_text(bytes, &|p| p.to_string())?,
        K::SchedParam => format!("[{{sched_priority={}}}]", b.i32(0)?),
        K::Sigevent => sigevent(&b)?,
    })
}

/// `struct clone_args` as strace prints clone3's argument: the tid pointers only when the
/// flags use them, the tls only with `CLONE_SETTLS`.
fn clone_args(b: &Bytes) -> Option<String> {
    let fl = b.u64(0)?;
    let mut s = format!("{{flags={}", flags::format(FlagSet::CloneNs, fl));
    let has = |f: i32| fl & f as u64 != 0;
    if has(0x1000) {
        s.push_str(&format!(", pidfd={}", ptr(b.u64(8)?)));
    }
    if has(libc::CLONE_CHILD_SETTID | libc::CLONE_CHILD_CLEARTID) {
        s.push_str(&format!(", child_tid={}", ptr(b.u64(16)?)));
    }
    if has(libc::CLONE_PARENT_SETTID) {
        s.push_str(&format!(", parent_tid={}", ptr(b.u64(24)?)));
    }
    let sig = b.u64(32)?;
    let signame = match signal_name(sig as i32) {
        Some(n) if sig != 0 && sig < 65 => n.to_string(),
        _ => sig.to_string(),
    };
    s.push_str(&format!(
        ", exit_signal={signame}, stack={}, stack_size={}",
        ptr(b.u64(40)?),
        hex0(b.u64(48)?)
    ));
    if has(libc::CLONE_SETTLS) {
        s.push_str(&format!(", tls={}", ptr(b.u64(56)?)));
    }
    s.push('}');
    Some(s)
}

/// `struct sigevent` as strace prints timer_create's argument.
fn sigevent(b: &Bytes) -> Option<String> {
    let value = b.u64(0)?;
    let signo = b.i32(8)?;
    let notify = b.i32(12)?;
    let mut s = String::from("{");
    if value != 0 {
        s.push_str(&format!(
            "sigev_value={{sival_int={}, sival_ptr={}}}, ",
            value as i32,
            ptr(value)
        ));
    }
    const NOTIFY: &[(u64, &str)] = &[
        (0, "SIGEV_SIGNAL"),
        (1, "SIGEV_NONE"),
        (2, "SIGEV_THREAD"),
        (4, "SIGEV_THREAD_ID"),
    ];
    let sig = match (notify, signal_name(signo)) {
        (0 | 2 | 4, Some(n)) => n.to_string(),
        _ => signo.to_string(),
    };
    s.push_str(&format!(
        "sigev_signo={sig}, sigev_notify={}",
        enumerated(NOTIFY, notify as u32 as u64, "SIGEV_???")
    ));
    match notify {
        4 => s.push_str(&format!(", sigev_notify_thread_id={}", b.i32(16)?)),
        2 => s.push_str(&format!(
            ", sigev_notify_function={}, sigev_notify_attributes={}",
            ptr(b.u64(16)?),
            ptr(b.u64(24)?)
        )),
        _ => {}
    }
    s.push('}');
    Some(s)
}

/// strace's time comment, in UTC: `1970-01-01T00:00:01+0000`, `….123456789+0000` with
/// nanoseconds.
pub fn utc_time(sec: i64, nsec: i64) -> String {
    let days = sec.div_euclid(86_400);
    let rem = sec.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let frac = if nsec != 0 {
        format!(".{nsec:09}")
    } else {
        String::new()
    };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{frac}+0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn statfs_flags(v: u64) -> String {
    const ST: &[(u64, &str)] = &[
        (0x20, "ST_VALID"),
        (1, "ST_RDONLY"),
        (2, "ST_NOSUID"),
        (4, "ST_NODEV"),
        (8, "ST_NOEXEC"),
        (16, "ST_SYNCHRONOUS"),
        (64, "ST_MANDLOCK"),
        (128, "ST_WRITE"),
        (256, "ST_APPEND"),
        (512, "ST_IMMUTABLE"),
        (1024, "ST_NOATIME"),
        (2048, "ST_NODIRATIME"),
        (4096, "ST_RELATIME"),
        (8192, "ST_NOSYMFOLLOW"),
    ];
    flags::styled(hex0(v), &bits(ST, v, "ST_???"))
}

/// `NULL` or the address in hex.
pub(crate) fn ptr(v: u64) -> String {
    if v == 0 {
        "NULL".into()
    } else {
        format!("{v:#x}")
    }
}

/// An fd_set: the fds whose bits are set, `[3 4]`.
pub fn fdset(bytes: &[u8]) -> String {
    cpuset(bytes)
}

/// The number of `linux_dirent64` records in a getdents64 buffer (`d_reclen` at offset 16).
pub fn dirent_count(bytes: &[u8]) -> usize {
    let b = Bytes(bytes);
    let (mut off, mut n) = (0usize, 0usize);
    while let Some(len) = b.u16(off + 16) {
        if len == 0 || off + len as usize > bytes.len() {
            break;
        }
        n += 1;
        off += len as usize;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mode: u32, size: i64, rdev: u64) -> Vec<u8> {
        let mut v = vec![0u8; 144];
        v[24..28].copy_from_slice(&mode.to_le_bytes());
        v[40..48].copy_from_slice(&rdev.to_le_bytes());
        v[48..56].copy_from_slice(&size.to_le_bytes());
        v
    }

    #[test]
    fn stat_like_strace() {
        assert_eq!(
            decode(K::Stat, &stat(0o100644, 35183, 0)).as_deref(),
            Some("{st_mode=S_IFREG|0644, st_size=35183, ...}")
        );
        assert_eq!(
            decode(K::Stat, &stat(0o20620, 0, 0x8800)).as_deref(),
            Some("{st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0), ...}")
        );
        assert_eq!(decode(K::Stat, &[0; 10]), None);
    }

    #[test]
    fn statx_like_strace() {
        let mut v = vec![0u8; 256];
        v[0..4].copy_from_slice(&0x17ffu32.to_le_bytes());
        v[28..30].copy_from_slice(&0o40755u16.to_le_bytes());
        v[40..48].copy_from_slice(&4096u64.to_le_bytes());
        assert_eq!(
            decode(K::Statx, &v).as_deref(),
            Some("{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFDIR|0755, stx_size=4096, ...}")
        );
    }

    #[test]
    fn sigsets_and_actions() {
        assert_eq!(sigset(&[0; 8]), "[]");
        assert_eq!(sigset(&(1u64 << 1).to_le_bytes()), "[INT]");
        let all_but = !((1u64 << 31) | (1u64 << 32));
        assert_eq!(sigset(&all_but.to_le_bytes()), "~[RTMIN RT_1]");
        let mut a = vec![0u8; 32];
        a[8..16].copy_from_slice(&0x1400_0000u64.to_le_bytes());
        a[16..24].copy_from_slice(&0x7f43_4374_b050u64.to_le_bytes());
        assert_eq!(
            decode(K::Sigaction, &a).as_deref(),
            Some("{sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f434374b050}")
        );
    }

    #[test]
    fn rlimit_and_wait() {
        let mut r = (8192u64 * 1024).to_le_bytes().to_vec();
        r.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            decode(K::Rlimit, &r).as_deref(),
            Some("{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}")
        );
        assert_eq!(wait_status(0), "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]");
        assert_eq!(
            wait_status(1 << 8),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 1}]"
        );
        assert_eq!(
            wait_status(9),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]"
        );
    }

    #[test]
    fn termios_like_strace() {
        let mut v = vec![0u8; 60];
        v[0..4].copy_from_slice(&0o2400u32.to_le_bytes()); // ICRNL|IXON
        v[4..8].copy_from_slice(&0o5u32.to_le_bytes()); // OPOST|ONLCR
        v[8..12].copy_from_slice(&0o277u32.to_le_bytes()); // B38400|CS8|CREAD
        v[12..16].copy_from_slice(&0o105073u32.to_le_bytes());
        assert_eq!(
            decode(K::Termios, &v).as_deref(),
            Some("{c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}")
        );
    }

    #[test]
    fn times() {
        assert_eq!(utc_time(1, 0), "1970-01-01T00:00:01+0000");
        assert_eq!(
            utc_time(1_700_000_000, 5),
            "2023-11-14T22:13:20.000000005+0000"
        );
        assert_eq!(utc_time(951_782_400, 0), "2000-02-29T00:00:00+0000");
        let mut t = le(&[1, 0, 0, 0x3fff_ffff]);
        assert_eq!(
            decode(K::Timespec2, &t).as_deref(),
            Some("[{tv_sec=1, tv_nsec=0} /* 1970-01-01T00:00:01+0000 */, UTIME_NOW]")
        );
        t.truncate(20);
        assert_eq!(decode(K::Timespec2, &t), None);
    }

    #[test]
    fn siginfo_like_strace() {
        let mut si = vec![0u8; 128];
        si[0..4].copy_from_slice(&17i32.to_le_bytes());
        si[8..12].copy_from_slice(&2i32.to_le_bytes());
        si[16..20].copy_from_slice(&5172i32.to_le_bytes());
        si[24..28].copy_from_slice(&9i32.to_le_bytes());
        si[40..48].copy_from_slice(&1u64.to_le_bytes());
        assert_eq!(
            decode(K::Siginfo, &si).as_deref(),
            Some("{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=5172, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=1 /* 0.01 s */}")
        );
        si[0..4].copy_from_slice(&10i32.to_le_bytes());
        si[8..12].copy_from_slice(&0i32.to_le_bytes());
        assert_eq!(
            decode(K::Siginfo, &si).as_deref(),
            Some("{si_signo=SIGUSR1, si_code=SI_USER, si_pid=5172, si_uid=0}")
        );
    }

    fn le(v: &[i64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn sigevents() {
        let mut e = vec![0u8; 64];
        e[8..12].copy_from_slice(&14i32.to_le_bytes());
        assert_eq!(
            decode(K::Sigevent, &e).as_deref(),
            Some("{sigev_signo=SIGALRM, sigev_notify=SIGEV_SIGNAL}")
        );
        e[12..16].copy_from_slice(&4i32.to_le_bytes());
        e[16..20].copy_from_slice(&77i32.to_le_bytes());
        assert_eq!(
            decode(K::Sigevent, &e).as_deref(),
            Some("{sigev_signo=SIGALRM, sigev_notify=SIGEV_THREAD_ID, sigev_notify_thread_id=77}")
        );
    }

    #[test]
    fn clone3_args() {
        let mut c = vec![0u8; 88];
        c[0..8].copy_from_slice(&0x3d0f00u64.to_le_bytes());
        c[16..24].copy_from_slice(&0x7fc01d16f990u64.to_le_bytes());
        c[24..32].copy_from_slice(&0x7fc01d16f990u64.to_le_bytes());
        c[40..48].copy_from_slice(&0x7fc01c96f000u64.to_le_bytes());
        c[48..56].copy_from_slice(&0x7fff80u64.to_le_bytes());
        c[56..64].copy_from_slice(&0x7fc01d16f6c0u64.to_le_bytes());
        assert_eq!(
            decode(K::CloneArgs, &c).as_deref(),
            Some("{flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7fc01d16f990, parent_tid=0x7fc01d16f990, exit_signal=0, stack=0x7fc01c96f000, stack_size=0x7fff80, tls=0x7fc01d16f6c0}")
        );
    }

    #[test]
    fn misc() {
        let mut u = vec![0u8; 390];
        u[..5].copy_from_slice(b"Linux");
        u[65..67].copy_from_slice(b"vm");
        assert_eq!(
            decode(K::Utsname, &u).as_deref(),
            Some(r#"{sysname="Linux", nodename="vm", ...}"#)
        );
        let mut e = 1u32.to_le_bytes().to_vec();
        e.extend_from_slice(&140273631887361u64.to_le_bytes());
        assert_eq!(
            decode(K::EpollEvent, &e).as_deref(),
            Some("{events=EPOLLIN, data={u32=1, u64=140273631887361}}")
        );
        assert_eq!(cpuset(&[3, 0, 0, 0, 0, 0, 0, 0]), "[0 1]");
        let mut t = vec![0u8; 32];
        t[0] = 3;
        t[8] = 2;
        assert_eq!(
            decode(K::Tms, &t).as_deref(),
            Some(
                "{tms_utime=3 /* 0.03 s */, tms_stime=2 /* 0.02 s */, tms_cutime=0, tms_cstime=0}"
            )
        );
    }
}
