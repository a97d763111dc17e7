//! Showing arguments and return values the way strace prints them, and as sysdig's `evt.info`
//! shows each value.
//!
//! The entry points:
//! - [`strace_args`]: the arguments of one call, comma-separated, from the merged argument list
//!   ([`SyscallDesc::merge_args`]); [`strace_call_args`] does the same from the enter and exit
//!   lists and can then show what only the enter event has (`[128 => 16]`, select's input sets).
//! - [`strace_ret`] and [`strace_ret_with_args`]: the return value (`3`, `-1 ENOENT (No such
//!   file or directory)`, `0x7f12…`, `?`, `1 ([{fd=3, revents=POLLIN}])`).
//! - [`strace_raw_args`]: the six registers of a syscall that is not in the table.
//! - [`sysdig_value`]: one value as sysdig's `evt.info` shows it.
//!
//! A value the engine could not read ([`Arg::Fault`]) or chose not to read ([`Arg::Num`] where
//! memory was expected: an out argument of a failed call) is shown as its address, as strace
//! shows memory it cannot or does not read.

pub use super::errno::{errno_name, errno_text, signal_name};
pub use super::sockaddr::{parse_sockaddr, SockAddr};
pub use super::strings::{
    capture_snaplen, comm, set_capture_snaplen, set_hex_strings, set_string_limit, set_verbose,
    string_limit, MAX_STRLEN,
};
pub use super::structs::{si_code_name, sigset, wait_status};

use super::call_rules::{
    fcntl_arg, fcntl_no_arg, futex_shows, ioctl_no_arg, pid_arg, pid_result, prctl_arg,
    prctl_shows, signal_text,
};
use super::flags::{self, FlagSet};
use super::msgs;
use super::sockaddr::strace_sockaddr;
use super::strings;
use super::structs::{self, hex0, ptr};
use super::{ArgDesc, ArgType, Dir, RetType, StructKind, SyscallDesc};
use crate::event::Arg;

/// The arguments of a call as strace prints them between the parentheses.
///
/// `args` is [`SyscallDesc::merge_args`]'s output (`None`: not captured). `ret` is `None` while
/// the call has not returned: the list then stops before the first argument that is not known
/// yet, where strace writes `<unfinished ...>`. When `ret` is an error, out arguments (captured
/// as their pointer) are shown as addresses.
pub fn strace_args(desc: &SyscallDesc, args: &[Option<&Arg>], ret: Option<i64>) -> String {
    Call {
        desc,
        args,
        ins: &[],
        ret,
        names: Names::NONE,
        kept: None,
    }
    .render()
}

/// A lookup of what a number names, for the renderer: `None` when it is not known.
pub type NameOf<'a> = &'a dyn Fn(i32) -> Option<String>;

/// What the renderer adds to fd and pid numbers, from the reader's state.
#[derive(Clone, Copy, Default)]
pub struct Names<'a> {
    /// strace's `-y`: what an fd number of the calling process names (`/etc/hosts`; for
    /// `AT_FDCWD`, the working directory); an fd argument is then shown as `3</etc/hosts>`,
    /// `AT_FDCWD</tmp>`. `None`: fds as bare numbers.
    pub fds: Option<NameOf<'a>>,
    /// strace's `-Y`: the command name (`comm`) of a process or thread id; a pid argument or
    /// result is then shown as `1234<sleep>`. `None`: pids as bare numbers.
    pub pids: Option<NameOf<'a>>,
}

impl Names<'_> {
    /// Numbers shown bare.
    pub const NONE: Names<'static> = Names {
        fds: None,
        pids: None,
    };
}

/// `fd` as strace -y shows it: `3</etc/hosts>`, or `3` when its name is not known.
pub fn fd_with_name(fd: i32, names: Names<'_>) -> String {
    let shown = if fd == libc::AT_FDCWD {
        flags::styled(fd.to_string(), "AT_FDCWD")
    } else {
        fd.to_string()
    };
    match names.fds.and_then(|f| f(fd)) {
        Some(name) => format!("{shown}<{name}>"),
        None => shown,
    }
}

/// A process or thread id as strace -Y shows it: `1234<sleep>`, or `1234` when its command
/// is not known (or the number is not a pid: 0, -1, a process group).
pub fn pid_with_name(pid: i32, names: Names<'_>) -> String {
    match names.pids.filter(|_| pid > 0).and_then(|f| f(pid)) {
        Some(comm) => format!("{pid}<{}>", strings::comm(comm.as_bytes())),
        None => pid.to_string(),
    }
}

/// [`strace_args`] from the enter and exit events' argument lists: in/out arguments can then
/// be shown with their value on entry (`[128 => 16]`, select's sets, a timeout before it ran).
pub fn strace_call_args(
    desc: &SyscallDesc,
    enter: &[Arg],
    exit: Option<&[Arg]>,
    ret: Option<i64>,
    names: Names<'_>,
) -> String {
    let args = desc.merge_args(enter, exit);
    let ins = desc.merge_args(enter, None);
    Call {
        desc,
        args: &args,
        ins: &ins,
        ret,
        names,
        kept: kept_pointer(desc, enter, exit),
    }
    .render()
}

/// What strace prints of a call when it starts, before it returns: the arguments known at
/// entry and, when more follow at exit, the separator. A printer writes `NAME(` + this, then
/// either [`strace_resumed`]'s text and `) = RET` on the same line, or ` <unfinished ...>`
/// when another thread's line comes first (`wait4(-1, ` + ` <unfinished ...>`).
pub fn strace_unfinished(desc: &SyscallDesc, enter: &[Arg], names: Names<'_>) -> String {
    let args = desc.merge_args(enter, None);
    let call = Call {
        desc,
        args: &args,
        ins: &[],
        ret: None,
        names,
        kept: kept_pointer(desc, enter, None),
    };
    let parts: Vec<String> = call
        .parts()
        .into_iter()
        .take_while(|p| !p.0)
        .map(|p| p.1)
        .collect();
    let more = (0..desc.args.len()).any(|i| call.shown(i) && call.at_exit(i));
    let mut s = parts.join(", ");
    if more && !parts.is_empty() && !matches!(desc.name, "ioctl" | "clone" | "clone3") {
        s.push_str(", ");
    }
    s
}

/// What strace prints when the call returns, after [`strace_unfinished`]'s text (or after
/// `<... NAME resumed>`) and before `) = RET`: the arguments written by the call and those
/// after them (`"hello\n", 100, 0, NULL, NULL`), or nothing. `enter` is `None` when the
/// entry was not seen. [`strace_unfinished`] followed by this is [`strace_call_args`].
pub fn strace_resumed(
    desc: &SyscallDesc,
    enter: Option<&[Arg]>,
    exit: &[Arg],
    ret: i64,
    names: Names<'_>,
) -> String {
    let enter = enter.unwrap_or(&[]);
    let args = desc.merge_args(enter, Some(exit));
    let ins = desc.merge_args(enter, None);
    let call = Call {
        desc,
        args: &args,
        ins: &ins,
        ret: Some(ret),
        names,
        kept: kept_pointer(desc, enter, Some(exit)),
    };
    let parts = call.parts();
    let Some(first) = parts.iter().position(|p| p.0) else {
        return String::new();
    };
    let rest: Vec<String> = parts.into_iter().skip(first).map(|p| p.1).collect();
    let lead = match call.clone3_suffix() {
        Some(suffix) => format!("{suffix}, "),
        None if matches!(desc.name, "ioctl" | "clone" | "clone3") => ", ".to_string(),
        None => String::new(),
    };
    format!("{lead}{}", rest.join(", "))
}

/// The pointer an engine kept after a side's arguments ([`SyscallDesc::kept_pointer`]), and
/// the count of what is there when the engine read fewer ([`SyscallDesc::keep_count`]).
fn kept_pointer(
    desc: &SyscallDesc,
    enter: &[Arg],
    exit: Option<&[Arg]>,
) -> Option<(u64, Option<u64>)> {
    let of = |args: &[Arg], exit: bool| {
        let p = desc.kept_pointer_of(args, exit)?;
        Some((p, desc.kept_count_of(args, exit)))
    };
    exit.and_then(|e| of(e, true)).or_else(|| of(enter, false))
}

/// Column where strace starts ` = RET` when the call is shorter (`acolumn`).
pub const STRACE_RET_COLUMN: usize = 40;

/// A whole strace line: `prefix` (`"1234  "` under `-f`, or empty), the call text
/// (`close(3)`), padding to [`STRACE_RET_COLUMN`] and `= RET`.
pub fn strace_line(prefix: &str, call: &str, ret: &str) -> String {
    strace_line_at(STRACE_RET_COLUMN, prefix, call, ret)
}

/// [`strace_line`] with ` = RET` at `column` (strace's `-a`).
pub fn strace_line_at(column: usize, prefix: &str, call: &str, ret: &str) -> String {
    let mut s = format!("{prefix}{call} ");
    let width = s.chars().count();
    if width < column {
        s.extend(std::iter::repeat_n(' ', column - width));
    }
    s.push_str("= ");
    s.push_str(ret);
    s
}

/// The raw registers of a syscall not in the table, as strace prints an unknown call's
/// arguments (`0x1, 0x7ffc…, 0`).
pub fn strace_raw_args(args: &[Arg]) -> String {
    args.iter()
        .map(|a| match a.num() {
            Some(n) => hex0(n),
            None => "?".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The return value as strace prints it after ` = `.
pub fn strace_ret(desc: Option<&SyscallDesc>, ret: i64) -> String {
    let kind = desc.map_or(RetType::Int, |d| d.ret);
    if kind == RetType::NoReturn {
        return "?".into();
    }
    if (-4095..0).contains(&ret) {
        let e = (-ret) as i32;
        // the kernel's restart codes are no result the program sees: strace shows `?`
        let value = if matches!(e, 512..=514 | 516) {
            "?"
        } else {
            "-1"
        };
        return match errno_name(e) {
            Some(name) => format!("{value} {name} ({})", errno_text(e)),
            None => format!("-1 (errno {e})"),
        };
    }
    match kind {
        RetType::Ptr | RetType::Hex => hex0(ret as u64),
        RetType::Octal => flags::octal(ret as u32),
        _ => ret.to_string(),
    }
}

/// The result as strace's `-Y` shows a call's pid result (`= 1234<sleep>`): `ret` (the text of
/// [`strace_ret_with_args`]) with the pid named, when the call returns a pid.
pub fn name_pid_result(
    desc: &SyscallDesc,
    args: &[Option<&Arg>],
    ret: i64,
    text: String,
    names: Names<'_>,
) -> String {
    let num = |i: usize| args.get(i).copied().flatten().and_then(Arg::num);
    if names.pids.is_none() || ret <= 0 || !pid_result(desc.name, num) {
        return text;
    }
    let n = ret.to_string();
    match text.strip_prefix(&n) {
        Some(rest) => format!("{}{rest}", pid_with_name(ret as i32, names)),
        None => text,
    }
}

/// [`strace_ret`] plus what strace adds from the arguments: poll's ready fds, select's sets and
/// time left, fcntl's `(flags O_RDONLY|O_LARGEFILE)`.
pub fn strace_ret_with_args(desc: &SyscallDesc, args: &[Option<&Arg>], ret: i64) -> String {
    let base = strace_ret(Some(desc), ret);
    if ret < 0 {
        return base;
    }
    let get = |i: usize| args.get(i).copied().flatten();
    match desc.name {
        "fcntl" => {
            let cmd = get(1).and_then(Arg::num).unwrap_or(u64::MAX) as i32;
            match cmd {
                libc::F_GETFL => format!(
                    "{} (flags {})",
                    hex0(ret as u64),
                    flags::names(FlagSet::Open, ret as u64)
                ),
                libc::F_GETFD if ret != 0 => format!(
                    "{} (flags {})",
                    hex0(ret as u64),
                    // styled as -X says (F_GETFL's flags stay names, as strace has them)
                    flags::format(FlagSet::FdFlags, ret as u64)
                ),
                _ => base,
            }
        }
        "prctl" if get(0).and_then(Arg::num) == Some(libc::PR_GET_DUMPABLE as u64) => {
            let what = match ret {
                0 => "SUID_DUMP_DISABLE",
                1 => "SUID_DUMP_USER",
                2 => "SUID_DUMP_ROOT",
                _ => return base,
            };
            format!("{ret} ({what})")
        }
        "poll" | "ppoll" if ret == 0 => "0 (Timeout)".to_string(),
        "poll" | "ppoll" => {
            let ready: Vec<String> = get(0)
                .and_then(Arg::bytes)
                .unwrap_or(&[])
                .chunks_exact(8)
                .filter_map(|c| {
                    let b = structs::Bytes(c);
                    let revents = b.u16(6)?;
                    (revents != 0).then(|| {
                        format!(
                            "{{fd={}, revents={}}}",
                            b.i32(0).unwrap_or(-1),
                            flags::format(FlagSet::Poll, revents as u64)
                        )
                    })
                })
                .collect();
            let mut s = format!("{ret} ([{}]", ready.join(", "));
            if desc.name == "ppoll" {
                if let Some(left) = get(2).and_then(|a| struct_text(StructKind::Timespec, a)) {
                    s.push_str(&format!(", left {left}"));
                }
            }
            s.push(')');
            s
        }
        "select" | "pselect6" => {
            let tk = if desc.name == "select" {
                StructKind::Timeval
            } else {
                StructKind::Timespec
            };
            let left = get(4).and_then(|a| struct_text(tk, a));
            if ret == 0 {
                return "0 (Timeout)".to_string();
            }
            let mut parts = Vec::new();
            for (i, name) in [(1, "in"), (2, "out"), (3, "except")] {
                if let Some(b) = get(i).and_then(Arg::bytes) {
                    let set = structs::fdset(b);
                    if set != "[]" {
                        parts.push(format!("{name} {set}"));
                    }
                }
            }
            let mut s = format!("{ret} ({}", parts.join(" "));
            if let Some(left) = left {
                s.push_str(&format!(", left {left}"));
            }
            s.push(')');
            s
        }
        _ => base,
    }
}

/// One argument value as sysdig's `evt.info` shows it, without fd names (the reader appends
/// `(<f>/etc/passwd)` itself): numbers in decimal, flags as `524288(O_RDONLY|O_CLOEXEC)` (the
/// native Linux value, with strace's names), addresses in upper-case hex without `0x`
/// (`7F3A5B2C1000`), modes as `0644`, strings and buffers as text with non-printable bytes as
/// `.`, `-100(AT_FDCWD)`, socket addresses as `127.0.0.1:8080`, pointed-to integers
/// (`addrlen`) as the integer, structs as strace shows them, argv joined with spaces.
pub fn sysdig_value(a: &ArgDesc, v: &Arg) -> String {
    match v {
        Arg::Num(n) | Arg::Fault(n) => {
            let n = *n;
            match a.ty {
                ArgType::Int | ArgType::Fd => (n as i32).to_string(),
                ArgType::Long => (n as i64).to_string(),
                ArgType::DirFd if n as i32 == libc::AT_FDCWD => format!("{}(AT_FDCWD)", n as i32),
                ArgType::DirFd => (n as i32).to_string(),
                ArgType::Flags(set) => {
                    let names = flags::names(set, n);
                    if names.contains("/*") || (n == 0 && names == "0") {
                        n.to_string()
                    } else {
                        format!("{n}({names})")
                    }
                }
                // sysdig's PF_OCT is printf's `%#o`: `0644`, and `0` for zero.
                ArgType::Mode => match n {
                    0 => "0".into(),
                    _ => format!("0{:o}", n as u32),
                },
                ArgType::Signal => match signal_name(n as i32) {
                    Some(s) => format!("{n}({s})"),
                    None => n.to_string(),
                },
                ArgType::UInt | ArgType::CmdArg | ArgType::StrOrNum => n.to_string(),
                // sysdig's PF_HEX is printf's `%X`: no prefix, upper case.
                _ => format!("{n:X}"),
            }
        }
        Arg::Str { data, .. } => strings::printable(data),
        Arg::Buf { data, .. } => strings::printable(data),
        Arg::Mem(b) => match a.ty {
            ArgType::SockAddrIn(_) | ArgType::SockAddrOut(_) => {
                parse_sockaddr(b).map_or_else(String::new, |s| s.sysdig())
            }
            ArgType::Struct(StructKind::Int) | ArgType::WaitStatus => {
                structs::Bytes(b).i32(0).unwrap_or(0).to_string()
            }
            ArgType::Struct(StructKind::Int64) => structs::Bytes(b).i64(0).unwrap_or(0).to_string(),
            ArgType::SockOptIn(_) | ArgType::SockOptOut(_) if b.len() == 4 => {
                structs::Bytes(b).i32(0).unwrap_or(0).to_string()
            }
            ArgType::Struct(k) => structs::decode(k, b).unwrap_or_default(),
            ArgType::FdPair => fd_pair(b),
            ArgType::Dirents => format!("{} entries", structs::dirent_count(b)),
            ArgType::CpuSetIn(_) | ArgType::CpuSetOut => structs::cpuset(b),
            _ => strings::printable(b),
        },
        Arg::StrList { items, .. } => items
            .iter()
            .map(|i| strings::printable(i))
            .collect::<Vec<_>>()
            .join(" "),
        Arg::List(_) => v.buffers().into_iter().map(strings::printable).collect(),
    }
}

/// A signal delivery as strace prints it: `--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED,
/// si_pid=5172, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---` from the siginfo `info`
/// (see [`crate::event::EventKind::Signal`]); without one (a sysdig capture), what the code
/// and sender say.
pub fn strace_signal(signo: i32, code: i32, sender: u32, info: &[u8], names: Names<'_>) -> String {
    // the head keeps the name whatever -X says, as strace's
    let name = signal_name(signo).map_or_else(|| signo.to_string(), str::to_string);
    if let Some(text) = structs::siginfo_text(info, &|p| pid_with_name(p, names)) {
        return format!("--- {name} {text} ---");
    }
    let code_text = structs::si_code_name(signo, code);
    // a signal the kernel sent (si_code > 0) names no sender, but a SIGCHLD its child
    if code > 0 && signo != libc::SIGCHLD {
        return format!("--- {name} {{si_signo={name}, si_code={code_text}}} ---");
    }
    let pid = pid_with_name(sender as i32, names);
    format!("--- {name} {{si_signo={name}, si_code={code_text}, si_pid={pid}}} ---")
}

/// argv (or with `-v` the environment) as strace shows it: at most `-s` strings unless `-v`,
/// each cut at `-s`, `...` after the last when there were more.
fn str_list(items: &[Vec<u8>], trunc: bool) -> String {
    let max = if strings::verbose() {
        usize::MAX
    } else {
        strings::string_limit()
    };
    let mut parts: Vec<String> = items
        .iter()
        .take(max)
        .map(|s| strings::cstr(s, s.len() >= strings::capture_snaplen()))
        .collect();
    if trunc || items.len() > max {
        parts.push("...".into());
    }
    format!("[{}]", parts.join(", "))
}

/// `[3, 4]` from the two ints pipe/socketpair wrote.
fn fd_pair(b: &[u8]) -> String {
    let r = structs::Bytes(b);
    match (r.i32(0), r.i32(4)) {
        (Some(a), Some(c)) => format!("[{a}, {c}]"),
        _ => "[]".to_string(),
    }
}

/// A struct value when the bytes are there; `None` when the argument is only a pointer.
fn struct_text(k: StructKind, a: &Arg) -> Option<String> {
    match a {
        Arg::Mem(b) => structs::decode(k, b),
        _ => None,
    }
}

/// One call being rendered.
struct Call<'a, 'b> {
    desc: &'a SyscallDesc,
    args: &'a [Option<&'b Arg>],
    /// Values on entry (for in/out arguments); empty when unknown.
    ins: &'a [Option<&'b Arg>],
    ret: Option<i64>,
    /// `-y`, `-Y`: the names of fd and pid arguments.
    names: Names<'a>,
    /// The address of the argument strace prints beside its memory, when the engine kept it
    /// ([`SyscallDesc::kept_pointer`]), with the count of what is there when the engine read
    /// fewer ([`SyscallDesc::keep_count`]).
    kept: Option<(u64, Option<u64>)>,
}

impl Call<'_, '_> {
    /// `0x7ffd… ` before a kept pointer's memory, or nothing.
    fn at(&self) -> String {
        self.kept
            .map_or_else(String::new, |(p, _)| format!("{} ", ptr(p)))
    }

    /// How many elements the kept pointer's memory holds, when the engine read fewer.
    fn kept_count(&self) -> Option<u64> {
        self.kept.and_then(|(_, c)| c)
    }

    fn num(&self, i: usize) -> Option<u64> {
        self.args.get(i).copied().flatten().and_then(Arg::num)
    }

    fn render(&self) -> String {
        let mut parts: Vec<String> = self.parts().into_iter().map(|(_, t)| t).collect();
        if let (Some(first), Some(suffix)) = (parts.first_mut(), self.clone3_suffix()) {
            first.push_str(&suffix);
        }
        parts.join(", ")
    }

    /// What clone3 adds after its struct once it returned: ` => {parent_tid=[1234]}`.
    fn clone3_suffix(&self) -> Option<String> {
        if self.desc.name != "clone3" {
            return None;
        }
        let Some(Arg::Mem(b)) = self.args.first().copied().flatten() else {
            return None;
        };
        let fl = structs::Bytes(b).u64(0)?;
        match self.ret {
            Some(r) if r > 0 && fl & libc::CLONE_PARENT_SETTID as u64 != 0 => Some(format!(
                " => {{parent_tid=[{}]}}",
                pid_with_name(r as i32, self.names)
            )),
            _ => None,
        }
    }

    /// Whether strace prints argument `i` when the call returns rather than when it starts.
    fn at_exit(&self, i: usize) -> bool {
        match (self.desc.name, i) {
            ("clone", _) => i >= 2,
            ("ioctl", _) => i == 2,
            ("clone3", _) => i == 1,
            ("prctl", 1) => self.num(0) == Some(libc::PR_GET_NAME as u64),
            _ => self.desc.args.get(i).is_some_and(|a| match a.dir {
                Dir::In => false,
                Dir::Out => true,
                // strace shows these at entry and what the call changed in the result
                // (select's sets, poll's revents, the time left).
                Dir::InOut => !matches!(
                    a.ty,
                    ArgType::Struct(StructKind::FdSet | StructKind::Timespec | StructKind::Timeval)
                        | ArgType::StructArray(StructKind::Pollfd, _)
                        | ArgType::StrOrNum
                ),
            }),
        }
    }

    /// The shown arguments in strace's order, each with whether it is printed at exit.
    fn parts(&self) -> Vec<(bool, String)> {
        let name = self.desc.name;
        let mut out: Vec<(bool, String)> = Vec::new();
        for (i, a) in self.desc.args.iter().enumerate() {
            if !self.shown(i) {
                continue;
            }
            let mut v = self.args.get(i).copied().flatten();
            // An in/out argument of a failed call: the exit has only the pointer, the entry
            // what the caller passed, which strace shows (`getpeername(3, 0x…, [16]) = -1`).
            if a.dir == Dir::InOut && self.ret.is_some_and(|r| r < 0) {
                if let (
                    Some(Arg::Num(_) | Arg::Fault(_)),
                    Some(Some(inv @ (Arg::Mem(_) | Arg::List(_)))),
                ) = (v, self.ins.get(i))
                {
                    v = Some(*inv);
                }
            }
            let Some(v) = v else {
                if self.ret.is_none() {
                    break;
                }
                out.push((self.at_exit(i), "?".into()));
                continue;
            };
            let text = self.value(i, a, v);
            if name == "clone" {
                let label = ["flags", "child_stack", "parent_tid", "child_tidptr", "tls"];
                out.push((self.at_exit(i), format!("{}={text}", label[i])));
            } else {
                out.push((self.at_exit(i), text));
            }
        }
        if name == "clone" && out.len() >= 2 {
            // strace prints the stack before the flags and the tls before child_tidptr.
            out.swap(0, 1);
            if let Some(tls) = out.iter().position(|s| s.1.starts_with("tls=")) {
                let t = out.remove(tls);
                let at = out
                    .iter()
                    .position(|s| s.1.starts_with("child_tidptr="))
                    .unwrap_or(out.len());
                out.insert(at, t);
            }
        }
        out
    }

    /// Whether strace prints argument `i` of this call at all.
    fn shown(&self, i: usize) -> bool {
        let name = self.desc.name;
        let cmd = self.num(match name {
            "fcntl" | "ioctl" | "futex" => 1,
            _ => 0,
        });
        match name {
            "open" | "openat" => {
                let fi = if name == "open" { 1 } else { 2 };
                let f = self.num(fi).unwrap_or(0);
                i != fi + 1 || f & (libc::O_CREAT as u64 | 0x400000) != 0
            }
            "mremap" => i != 4 || self.num(3).unwrap_or(0) & libc::MREMAP_FIXED as u64 != 0,
            "fcntl" => i != 2 || !fcntl_no_arg(cmd.unwrap_or(0) as i32),
            "ioctl" => i != 2 || !ioctl_no_arg(cmd.unwrap_or(0)),
            "clone" => {
                let f = self.num(0).unwrap_or(0);
                match i {
                    2 => f & (libc::CLONE_PARENT_SETTID as u64 | 0x1000) != 0,
                    3 => f & (libc::CLONE_CHILD_SETTID | libc::CLONE_CHILD_CLEARTID) as u64 != 0,
                    4 => f & libc::CLONE_SETTLS as u64 != 0,
                    _ => true,
                }
            }
            "futex" => futex_shows(cmd.unwrap_or(0) & 0x7f, i),
            "prctl" => prctl_shows(cmd.unwrap_or(0) as i32, i),
            _ => true,
        }
    }

    /// Argument `i` (type from `a`, value `v`) as strace shows it.
    fn value(&self, i: usize, a: &ArgDesc, v: &Arg) -> String {
        let name = self.desc.name;
        let n = v.num().unwrap_or(0);
        let cmd = || self.num(1).unwrap_or(0);
        if self.names.pids.is_some() && pid_arg(name, i, |j| self.num(j)) {
            return pid_with_name(n as i32, self.names);
        }
        match (name, i) {
            ("socket" | "socketpair", 2) => {
                let set = match self.num(0).unwrap_or(0) as i32 {
                    libc::AF_INET | libc::AF_INET6 => Some(FlagSet::IpProto),
                    libc::AF_NETLINK => Some(FlagSet::Netlink),
                    _ => None,
                };
                return set.map_or_else(|| (n as i32).to_string(), |s| flags::format(s, n));
            }
            ("setsockopt" | "getsockopt", 2) => {
                let set = match self.num(1).unwrap_or(u64::MAX) as i32 {
                    libc::SOL_SOCKET => Some(FlagSet::SockOpt),
                    libc::SOL_TCP => Some(FlagSet::TcpOpt),
                    libc::SOL_IP => Some(FlagSet::IpOpt),
                    libc::SOL_IPV6 => Some(FlagSet::Ipv6Opt),
                    libc::SOL_NETLINK => Some(FlagSet::NetlinkOpt),
                    _ => None,
                };
                return set.map_or_else(|| (n as i32).to_string(), |s| flags::format(s, n));
            }
            ("fcntl", 2) => return fcntl_arg(cmd() as i32, n),
            ("ioctl", 2) => return self.ioctl_arg(cmd(), v),
            ("prctl", 1..=4) if matches!(v, Arg::Num(_) | Arg::Fault(_)) => {
                return prctl_arg(self.num(0).unwrap_or(0) as i32, i, n, self.num(1));
            }
            // the mask the signal frame restores (see syscalls::SIGFRAME_MASK_OFFSET)
            ("rt_sigreturn", 0) => return format!("{{mask={}}}", self.typed(i, a, v)),
            ("futex", 3) if matches!(v, Arg::Num(_) | Arg::Fault(_)) => {
                let op = self.num(1).unwrap_or(0) & 0x7f;
                // For the requeue operations this slot is val2, an integer.
                if matches!(op, 3 | 4 | 5 | 12) {
                    return (n as u32).to_string();
                }
            }
            ("futex", 5) if n == 0xffff_ffff => return "FUTEX_BITSET_MATCH_ANY".into(),
            ("clone", 2)
                if self.ret.is_some_and(|r| r > 0)
                    && self.num(0).unwrap_or(0) & libc::CLONE_PARENT_SETTID as u64 != 0 =>
            {
                return format!(
                    "[{}]",
                    pid_with_name(self.ret.unwrap_or(0) as i32, self.names)
                );
            }
            ("getrandom", 0) => {
                if let Arg::Buf { data, len } = v {
                    return strings::buf(data, *len, true);
                }
            }
            _ => {}
        }
        self.typed(i, a, v)
    }

    /// The generic rendering by argument type.
    fn typed(&self, i: usize, a: &ArgDesc, v: &Arg) -> String {
        let addr = |v: &Arg| match v {
            Arg::Num(p) | Arg::Fault(p) => Some(ptr(*p)),
            _ => None,
        };
        match a.ty {
            ArgType::Int => (v.num().unwrap_or(0) as i32).to_string(),
            ArgType::Fd => fd_with_name(v.num().unwrap_or(0) as i32, self.names),
            ArgType::Long => (v.num().unwrap_or(0) as i64).to_string(),
            ArgType::UInt => v.num().unwrap_or(0).to_string(),
            ArgType::Hex | ArgType::Opaque | ArgType::Request | ArgType::CmdArg => {
                hex0(v.num().unwrap_or(0))
            }
            ArgType::Ptr => ptr(v.num().unwrap_or(0)),
            ArgType::DirFd => fd_with_name(v.num().unwrap_or(0) as i32, self.names),
            ArgType::Mode => flags::octal(v.num().unwrap_or(0) as u32),
            ArgType::Signal => signal_text(v.num().unwrap_or(0)),
            ArgType::Flags(set) => flags::format(set, v.num().unwrap_or(0)),
            _ => {
                if let Some(p) = addr(v) {
                    if !matches!(a.ty, ArgType::StrOrNum) {
                        return p;
                    }
                    return v.num().unwrap_or(0).to_string();
                }
                self.memory(i, a, v)
            }
        }
    }

    /// Arguments that point at memory the engine read.
    fn memory(&self, i: usize, a: &ArgDesc, v: &Arg) -> String {
        match (a.ty, v) {
            (ArgType::Path, Arg::Str { data, trunc }) => strings::path(data, *trunc),
            (ArgType::Str | ArgType::StrOrNum, Arg::Str { data, trunc }) => {
                strings::cstr(data, *trunc)
            }
            (ArgType::BufIn(_) | ArgType::BufOut, Arg::Buf { data, len }) => {
                strings::buf(data, *len, false)
            }
            (ArgType::StrList, Arg::StrList { items, trunc }) => str_list(items, *trunc),
            (ArgType::Envp, Arg::StrList { items, trunc }) if strings::verbose() => {
                str_list(items, *trunc)
            }
            (ArgType::Envp, Arg::StrList { items, trunc }) => {
                let (n, more) = match self.kept_count() {
                    Some(n) => (n, ""),
                    None => (items.len() as u64, if *trunc { "+" } else { "" }),
                };
                let s = if n == 1 { "" } else { "s" };
                format!("{}/* {n}{more} var{s} */", self.at())
            }
            (ArgType::SockAddrIn(_) | ArgType::SockAddrOut(_), Arg::Mem(b)) => strace_sockaddr(b),
            (ArgType::Struct(k), Arg::Mem(b)) => self.inout_struct(i, a, k, b),
            (
                ArgType::StructArray(StructKind::Int, _) | ArgType::StructArrayOut(StructKind::Int),
                Arg::Mem(b),
            ) => {
                let ints: Vec<String> = b
                    .chunks_exact(4)
                    .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]).to_string())
                    .collect();
                format!("[{}]", ints.join(", "))
            }
            (ArgType::StructArray(k, _) | ArgType::StructArrayOut(k), Arg::Mem(b)) => {
                let size = k.size() as usize;
                let items: Vec<String> = b
                    .chunks_exact(size.max(1))
                    .filter_map(|c| structs::decode(k, c))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            (ArgType::FdPair, Arg::Mem(b)) => fd_pair(b),
            (ArgType::WaitStatus, Arg::Mem(b)) => {
                structs::wait_status(structs::Bytes(b).i32(0).unwrap_or(0))
            }
            (ArgType::SockOptIn(_) | ArgType::SockOptOut(_), Arg::Mem(b)) => match b.len() {
                // SO_ERROR's value is an errno: `[ECONNREFUSED]`, as strace names it
                4 if self.num(1) == Some(libc::SOL_SOCKET as u64)
                    && self.num(2) == Some(libc::SO_ERROR as u64) =>
                {
                    let e = structs::Bytes(b).i32(0).unwrap_or(0);
                    let name = super::errno::errno_name(e).filter(|_| e != 0);
                    format!("[{}]", name.map_or_else(|| e.to_string(), str::to_string))
                }
                4 => format!("[{}]", structs::Bytes(b).i32(0).unwrap_or(0)),
                _ => strings::buf(b, b.len() as u64, false),
            },
            (ArgType::Dirents, Arg::Mem(b)) => {
                let full = self.ret.is_none_or(|r| r as usize <= b.len());
                let (n, more) = match self.kept_count() {
                    Some(n) => (n, ""),
                    None => (structs::dirent_count(b) as u64, if full { "" } else { "+" }),
                };
                format!("{}/* {n}{more} entries */", self.at())
            }
            (ArgType::CpuSetIn(_) | ArgType::CpuSetOut, Arg::Mem(b)) => structs::cpuset(b),
            (ArgType::Iovec(_), Arg::List(items)) => self.iovecs(a, items),
            (ArgType::Msghdr { recv }, Arg::List(_) | Arg::Mem(_)) => {
                msgs::msghdr_arg(v, self.ins.get(i).copied().flatten(), recv, self.ret)
            }
            (ArgType::Mmsghdrs { recv, .. }, Arg::List(_)) => msgs::mmsghdrs_arg(v, recv, self.ret),
            (ArgType::IoctlArg, Arg::Mem(_)) => "{...}".into(),
            (_, Arg::Str { data, trunc }) => strings::cstr(data, *trunc),
            (_, Arg::Buf { data, len }) => strings::buf(data, *len, false),
            (_, Arg::Mem(b)) => strings::buf(b, b.len() as u64, false),
            (_, Arg::StrList { items, .. }) => format!("[/* {} items */]", items.len()),
            (_, Arg::List(items)) => format!("[/* {} items */]", items.len()),
            (_, Arg::Num(n) | Arg::Fault(n)) => ptr(*n),
        }
    }

    /// A struct, with its value on entry when it is an in/out argument whose entry value
    /// strace shows (`[128 => 16]`, a timeout before the wait).
    fn inout_struct(&self, i: usize, a: &ArgDesc, k: StructKind, out: &[u8]) -> String {
        let text = structs::decode(k, out).unwrap_or_else(|| "{...}".into());
        if a.dir != Dir::InOut {
            return text;
        }
        let Some(Arg::Mem(inb)) = self.ins.get(i).copied().flatten() else {
            return text;
        };
        let Some(in_text) = structs::decode(k, inb) else {
            return text;
        };
        match k {
            StructKind::Int if in_text != text && self.ret.is_some() => {
                let b = structs::Bytes(inb).i32(0).unwrap_or(0);
                let c = structs::Bytes(out).i32(0).unwrap_or(0);
                format!("[{b} => {c}]")
            }
            StructKind::Int64 if in_text != text && self.ret.is_some() => {
                format!("{in_text} => {text}")
            }
            StructKind::FdSet | StructKind::Timespec | StructKind::Timeval => in_text,
            _ => text,
        }
    }

    /// readv/writev iovecs: `[{iov_base="…", iov_len=N}, …]`; for reads, each buffer shows
    /// only its share of the return value.
    fn iovecs(&self, a: &ArgDesc, items: &[Arg]) -> String {
        let received = match (a.dir, self.ret) {
            (Dir::Out, Some(r)) if r >= 0 => Some(r as u64),
            _ => None,
        };
        msgs::iovecs(items, received)
    }

    /// ioctl's third argument, decoded as the request says.
    fn ioctl_arg(&self, req: u64, v: &Arg) -> String {
        let Arg::Mem(b) = v else {
            return match v {
                // An integer argument, or a pointer the engine did not read.
                Arg::Num(n) | Arg::Fault(n) if *n > 0xffff_ffff => ptr(*n),
                other => other.num().unwrap_or(0).to_string(),
            };
        };
        let kind = match flags::name_of(FlagSet::Ioctl, req).unwrap_or("") {
            "TCGETS" | "TCSETS" | "TCSETSW" | "TCSETSF" => StructKind::Termios,
            "TIOCGWINSZ" | "TIOCSWINSZ" => StructKind::Winsize,
            "FIONREAD" | "TIOCOUTQ" | "TIOCGPGRP" | "TIOCSPGRP" | "FIONBIO" | "FIOASYNC"
            | "TIOCGPTN" | "TIOCSPTLCK" | "TIOCGSID" | "TIOCGETD" | "TIOCSETD" => StructKind::Int,
            _ => return "{...}".into(),
        };
        structs::decode(kind, b).unwrap_or_else(|| "{...}".into())
    }
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "render_split_tests.rs"]
mod split_tests;
