//! strace's own options of `syspect strace` (and of every analyzer that takes them): `-p`,
//! `-e QUALIFIER=SET`, `-z`, `-Z`, turned into the filter's terms, and `-t`, `-T`, `-y`,
//! `-f`/`-ff` with `-o`, `-qq` into the strace view's options.

use std::ffi::OsString;

use anyhow::Result;
use syspect_capture::engine::inject::{Injection, When};
use syspect_capture::syscalls;
use syspect_inspect::output::strace::{FdSet, PidPrefix, StraceOptions};

use crate::{cli, UsageError};

/// strace's long forms: `--trace=SET` and the like as the `-e` qualifiers they stand for,
/// `--output-separately` as `-ff`. Called before anything reads the options.
pub fn fold_long_forms(a: &mut cli::AnalyzerArgs) {
    for long in [
        &mut a.trace_long,
        &mut a.signal_long,
        &mut a.status_long,
        &mut a.read_long,
        &mut a.write_long,
        &mut a.inject_long,
        &mut a.fault_long,
        &mut a.decode_pids_long,
    ] {
        a.qualifiers.append(long);
    }
    if a.output_separately {
        a.follow = a.follow.max(2);
    }
}

/// strace's `-X FORMAT` (`-X raw`, `-Xraw`) as `--const-print-style=FORMAT`, in a `syspect
/// strace` command line before it is parsed (up to the command's own arguments): the other
/// commands' `-X` is a flag (sysdig's hex dump).
pub fn rewrite_const_style(args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_none_or(|a| a != "strace") {
        return args;
    }
    let mut out = Vec::with_capacity(args.len());
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--" {
            out.push(a);
            out.extend(it);
            break;
        }
        match a.to_str() {
            Some("-X") => match it.next() {
                Some(v) => {
                    let mut o = OsString::from("--const-print-style=");
                    o.push(v);
                    out.push(o);
                }
                None => out.push(a),
            },
            Some(x) if x.starts_with("-X") => {
                out.push(format!("--const-print-style={}", &x[2..]).into())
            }
            _ => out.push(a),
        }
    }
    out
}

/// How `--const-print-style` (strace's `-X`) prints constants.
pub fn const_style(a: &cli::AnalyzerArgs) -> syscalls::flags::ConstStyle {
    use syscalls::flags::ConstStyle;
    match a.const_style.as_deref() {
        Some("raw") => ConstStyle::Raw,
        Some("verbose") => ConstStyle::Verbose,
        _ => ConstStyle::Abbrev,
    }
}

/// strace's selections, `-p PID` (into `--pid`'s list) and `-e QUALIFIER=SET`, `-z`, `-Z`
/// (each joined to the filter with `and`).
pub fn strace_selection(a: &mut cli::AnalyzerArgs) -> Result<()> {
    a.live.pids.append(&mut a.attach);
    // strace shows signals and exits whatever the set or the result (and an injection marks
    // the result of a call that is shown)
    const NOTICES: &str = "evt.type in (signaldeliver, procexit, procclone, inject, stack)";
    let mut parts: Vec<String> = a.filter.take().into_iter().collect();
    let q = qualifiers(&a.qualifiers)?;
    if let Some((all_but, names)) = q.trace {
        parts.push(match (all_but, names.is_empty()) {
            (true, true) => "evt.num > 0".to_string(),
            (true, false) => format!("not evt.type in ({names})"),
            (false, true) => NOTICES.to_string(),
            (false, false) => format!("evt.type in ({names}) or {NOTICES}"),
        });
    }
    let status = match q.status {
        Some(status) => status,
        None if a.failed || a.successful => (a.successful, a.failed, false),
        None => (true, true, true),
    };
    if status != (true, true, true) {
        // by the exits (the strace view prints a call whole from its exit), and the calls
        // that never return by their enters
        let mut any = vec![NOTICES];
        match status {
            (true, true, _) => any.push("evt.dir = <"),
            (true, false, _) => any.push("evt.dir = < and evt.failed = false"),
            (false, true, _) => any.push("evt.dir = < and evt.failed = true"),
            _ => {}
        }
        if status.2 {
            any.push("evt.dir = > and evt.type in (exit, exit_group)");
        }
        parts.push(any.join(" or "));
    }
    if let Some(signals) = q.signals {
        parts.push(match signals.is_empty() {
            true => "evt.type != signaldeliver".to_string(),
            false => format!("evt.type != signaldeliver or evt.rawarg.sig in ({signals})"),
        });
    }
    if let Some(paths) = q.fd_paths {
        a.fd_paths = paths as u8;
    }
    if let Some(comms) = q.pid_comms {
        a.pid_comms = comms;
    }
    if let Some(quiet) = q.quiet_exits {
        a.quiet = if quiet {
            a.quiet.max(2)
        } else {
            a.quiet.min(1)
        };
    }
    if let Some(verbose) = q.verbose {
        a.verbose = verbose;
    }
    a.filter = match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(
            parts
                .iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join(" and "),
        ),
    };
    Ok(())
}

/// strace's `-P` set: each path as given (a call's path argument is compared as written),
/// made absolute, and resolved (an fd is named by one of those), as strace keeps both the
/// path and its real path.
fn strace_paths(paths: &[String]) -> Vec<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let mut set: Vec<Vec<u8>> = Vec::new();
    for p in paths {
        set.push(p.as_bytes().to_vec());
        // syspect names an fd by the path opened, made absolute; strace by the real path
        let absolute = std::path::absolute(p).ok();
        for full in absolute.into_iter().chain(std::fs::canonicalize(p).ok()) {
            set.push(full.as_os_str().as_bytes().to_vec());
        }
    }
    set.sort();
    set.dedup();
    set
}

/// What strace's `-e` qualifiers ask for (the last of each kind counts, as in strace).
#[derive(Default)]
struct Qualifiers {
    /// `trace=`: all but these (`!`), and the syscalls' names as a filter's list.
    trace: Option<(bool, String)>,
    /// `status=`: whether calls that succeeded, calls that failed, and calls that never
    /// returned (exit, exit_group) are shown.
    status: Option<(bool, bool, bool)>,
    /// `signal=`: the numbers of the signals shown, as a filter's list (empty: none).
    signals: Option<String>,
    /// `decode-fds=`: whether fds are shown with what they name.
    fd_paths: Option<bool>,
    /// `decode-pids=`: whether pids are shown with their command names.
    pid_comms: Option<bool>,
    /// `read=`, `write=`: the fds whose data is dumped.
    dump_read: Option<FdSet>,
    dump_write: Option<FdSet>,
    /// `inject=`, `fault=`, each in its turn.
    inject: Vec<Injection>,
    /// `quiet=`: whether the `+++ exited with N +++` lines are left out.
    quiet_exits: Option<bool>,
    /// `abbrev=`: whether execve's argv and environment are shown whole (`-v`).
    verbose: Option<bool>,
}

fn qualifiers(exprs: &[String]) -> Result<Qualifiers> {
    let mut q = Qualifiers::default();
    for expr in exprs {
        let (what, set) = expr.split_once('=').unwrap_or(("trace", expr));
        let bad = |why: String| -> anyhow::Error { UsageError(format!("-e {expr}: {why}")).into() };
        let (all_but, set) = match set.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, set),
        };
        let items = || set.split(',').map(str::trim).filter(|i| !i.is_empty());
        match what {
            "trace" | "t" => {
                let mut names = Vec::new();
                for item in items() {
                    names.extend(trace_item(item).map_err(bad)?);
                }
                let mut seen = std::collections::HashSet::new();
                names.retain(|n| seen.insert(n.clone()));
                q.trace = Some((all_but, names.join(", ")));
            }
            "status" => {
                // syspect's captures have no calls whose result was unavailable to a tracer
                // or that a detach cut: those select nothing
                let (mut ok, mut failed, mut unfinished) = (false, false, false);
                for item in items() {
                    match item {
                        "successful" => ok = true,
                        "failed" => failed = true,
                        "unfinished" => unfinished = true,
                        "unavailable" | "detached" => {}
                        "all" => (ok, failed, unfinished) = (true, true, true),
                        "none" => {}
                        _ => return Err(bad(format!("unknown status `{item}`"))),
                    }
                }
                q.status = Some((ok != all_but, failed != all_but, unfinished != all_but));
            }
            "signal" | "signals" | "s" => {
                let mut shown = [false; 65];
                for item in items() {
                    match item {
                        "all" => shown.iter_mut().for_each(|s| *s = true),
                        "none" => {}
                        _ => {
                            let n = item
                                .parse::<i32>()
                                .ok()
                                .or_else(|| {
                                    syspect_capture::syscalls::errno::signal_number(
                                        &item.to_ascii_uppercase(),
                                    )
                                })
                                .filter(|n| (1..=64).contains(n))
                                .ok_or_else(|| bad(format!("unknown signal `{item}`")))?;
                            shown[n as usize] = true;
                        }
                    }
                }
                let list: Vec<String> = (1..=64)
                    .filter(|&n| shown[n] != all_but)
                    .map(|n| n.to_string())
                    .collect();
                q.signals = Some(list.join(", "));
            }
            "read" | "write" => {
                let mut set = FdSet {
                    all_but,
                    fds: Vec::new(),
                };
                for item in items() {
                    match item {
                        "all" => {
                            set = FdSet {
                                all_but: !all_but,
                                fds: Vec::new(),
                            }
                        }
                        "none" => set.fds.clear(),
                        _ => set.fds.push(
                            item.parse()
                                .map_err(|_| bad(format!("`{item}` is not an fd number")))?,
                        ),
                    }
                }
                if what == "read" {
                    q.dump_read = Some(set);
                } else {
                    q.dump_write = Some(set);
                }
            }
            "decode-fds" => {
                let mut paths = false;
                for item in items() {
                    match item {
                        "path" | "socket" | "all" => paths = true,
                        "none" => {}
                        "dev" | "pidfd" | "signalfd" => {
                            return Err(bad(format!(
                                "decode-fds {item} is not supported (path, socket)"
                            )))
                        }
                        _ => return Err(bad(format!("unknown decode-fds `{item}`"))),
                    }
                }
                q.fd_paths = Some(paths != all_but);
            }
            "decode-pids" => {
                let mut comms = false;
                for item in items() {
                    match item {
                        "comm" => comms = true,
                        "none" => {}
                        // syspect names processes by their pids as the capture saw them
                        "pidns" | "all" => {
                            return Err(bad(format!("decode-pids {item} is not supported (comm)")))
                        }
                        _ => return Err(bad(format!("unknown decode-pids `{item}`"))),
                    }
                }
                q.pid_comms = Some(comms != all_but);
            }
            "quiet" | "silent" | "silence" => {
                // syspect prints none of the other messages strace can silence (attach,
                // personality, path resolution, thread-execve, superseded)
                let mut exits = false;
                for item in items() {
                    match item {
                        "exit" | "exits" | "all" => exits = true,
                        "none" | "attach" | "personality" | "path-resolution" | "thread-execve"
                        | "superseded" => {}
                        _ => return Err(bad(format!("unknown quiet `{item}`"))),
                    }
                }
                q.quiet_exits = Some(exits != all_but);
            }
            "abbrev" | "a" => {
                // what -v makes whole here is execve's: shown whole unless execve is in
                // the set abbreviated
                let mut names = Vec::new();
                for item in items() {
                    names.extend(trace_item(item).map_err(bad)?);
                }
                let abbreviated = names.iter().any(|n| n == "execve" || n == "execveat");
                q.verbose = Some(abbreviated == all_but);
            }
            "inject" | "fault" => {
                let set = expr.split_once('=').map_or("", |(_, s)| s);
                q.inject.push(injection(set, what == "fault").map_err(bad)?);
            }
            _ => {
                return Err(bad(format!(
                    "strace's {what}= is not supported (trace=, status=, signal=, read=, write=, \
                     decode-fds=, inject=, fault=, quiet=, abbrev=)"
                )))
            }
        }
    }
    Ok(q)
}

/// One `inject=` (or `fault=`, whose error is ENOSYS unless said) expression:
/// `SET[:error=ERRNO|:retval=N][:signal=SIG][:when=EXPR]`.
fn injection(expr: &str, fault: bool) -> std::result::Result<Injection, String> {
    use syspect_capture::syscalls::{self, errno};
    let mut parts = expr.split(':');
    let set = parts.next().unwrap_or_default();
    let (all_but, set) = match set.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, set),
    };
    let mut names = Vec::new();
    for item in set.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        names.extend(trace_item(item)?);
    }
    let mut nrs: Vec<u16> = names.iter().filter_map(|n| syscalls::number(n)).collect();
    if all_but {
        nrs = (0..syscalls::count())
            .filter(|nr| !nrs.contains(nr))
            .collect();
    }
    if nrs.is_empty() {
        return Err("no syscall to inject into".into());
    }
    let mut inj = Injection {
        syscalls: nrs,
        ret: fault.then_some(-(libc::ENOSYS as i64)),
        signal: None,
        when: When::ALWAYS,
        delay_enter: None,
        delay_exit: None,
    };
    let (mut error, mut retval) = (false, false);
    for part in parts {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key {
            "error" => {
                let e = value
                    .parse::<i32>()
                    .ok()
                    .or_else(|| errno::errno_number(value))
                    .filter(|e| (1..=4095).contains(e))
                    .ok_or_else(|| format!("unknown error `{value}` (ENOENT, or 1 to 4095)"))?;
                inj.ret = Some(-(e as i64));
                error = true;
            }
            "retval" if !fault => {
                let v = value
                    .parse::<i64>()
                    .map_err(|_| format!("retval `{value}` is not a number"))?;
                inj.ret = Some(v);
                retval = true;
            }
            "signal" if !fault => {
                let s = value
                    .parse::<i32>()
                    .ok()
                    .or_else(|| errno::signal_number(&value.to_ascii_uppercase()))
                    .filter(|s| (1..=64).contains(s))
                    .ok_or_else(|| format!("unknown signal `{value}`"))?;
                inj.signal = Some(s);
            }
            "when" => inj.when = When::parse(value)?,
            "delay_enter" if !fault => {
                inj.delay_enter = Some(syspect_capture::engine::inject::parse_delay(value)?)
            }
            "delay_exit" if !fault => {
                inj.delay_exit = Some(syspect_capture::engine::inject::parse_delay(value)?)
            }
            "poke_enter" | "poke_exit" | "syscall" if !fault => {
                return Err(format!(
                    "{key}= is not supported (error=, retval=, signal=, delay_enter=, \
                     delay_exit=, when=)"
                ))
            }
            _ => {
                return Err(format!(
                    "unknown {} option `{key}`",
                    if fault { "fault" } else { "inject" }
                ))
            }
        }
    }
    if error && retval {
        return Err("error= and retval= exclude each other".into());
    }
    if inj.ret.is_none() && inj.signal.is_none() && !inj.delays() {
        return Err("inject needs error=, retval=, signal=, delay_enter= or delay_exit=".into());
    }
    Ok(inj)
}

/// strace's `-e inject=` and `-e fault=` of the command line: the calls to tamper with.
pub fn injections(a: &cli::AnalyzerArgs) -> Result<Vec<Injection>> {
    let q = qualifiers(&a.qualifiers)?;
    if !q.inject.is_empty() && !a.read.is_empty() {
        return Err(UsageError(
            "-e inject= tampers with a command traced now, not with a trace read (-r)".into(),
        )
        .into());
    }
    Ok(q.inject)
}

/// The syscalls one item of strace's `trace=` set names: a syscall, a class (`%file`; the
/// seven old ones also without `%`), a regular expression matched against every name
/// (`/^get`), one that may not exist (`?NAME`, `?%class`), `all` or `none`.
fn trace_item(item: &str) -> std::result::Result<Vec<String>, String> {
    use syspect_capture::syscalls::{self, strace_classes};
    let known = |names: &[&str]| -> Vec<String> {
        // a class names a few syscalls newer than this machine's tables
        names
            .iter()
            .filter(|n| syscalls::number(n).is_some())
            .map(|n| n.to_string())
            .collect()
    };
    if let Some(rest) = item.strip_prefix('?') {
        return Ok(trace_item(rest).unwrap_or_default());
    }
    if item == "all" {
        return Ok(syscalls::names().map(Into::into).collect());
    }
    if item == "none" {
        return Ok(Vec::new());
    }
    if let Some(members) = strace_classes::members(item) {
        return Ok(known(members));
    }
    if let Some(re) = item.strip_prefix('/') {
        let re =
            regex::Regex::new(re).map_err(|e| format!("bad regular expression `{re}`: {e}"))?;
        return Ok(syscalls::names()
            .filter(|n| re.is_match(n))
            .map(Into::into)
            .collect());
    }
    if item.starts_with('%') {
        let classes: Vec<String> = strace_classes::names().collect();
        return Err(format!(
            "unknown class `{item}` (strace's classes: {})",
            classes.join(", ")
        ));
    }
    match syscalls::number(item) {
        Some(_) => Ok(vec![item.to_string()]),
        None => Err(format!("unknown syscall `{item}`")),
    }
}

/// strace's `-t`/`-tt`/`-ttt`, `-T`, `-y`, and what `-o FILE` with `-f` or `-ff` does to the
/// lines: each starts with its thread's id in a column (`-f`), or each thread's lines go to
/// FILE.TID (`-ff`). Without `-f`, only the thread traced is shown (main.rs's strace_threads).
pub fn strace_options(a: &cli::AnalyzerArgs) -> StraceOptions {
    // checked already by strace_selection
    let q = qualifiers(&a.qualifiers).unwrap_or_default();
    let (pids, split) = match (&a.output, a.follow) {
        (Some(file), 2..) => (PidPrefix::None, Some(file.clone())),
        (Some(_), follow) => (PidPrefix::Column { always: follow > 0 }, None),
        (None, _) => (PidPrefix::Brackets, None),
    };
    StraceOptions {
        timestamps: a.timestamps.min(3),
        durations: a.durations,
        relative: a.relative,
        fd_paths: a.fd_paths > 0,
        pid_comms: a.pid_comms,
        column: a.column,
        syscall_number: a.syscall_number,
        pids,
        split,
        quiet_exits: a.quiet >= 2,
        paths: strace_paths(&a.paths),
        dump_read: q.dump_read.unwrap_or_default(),
        dump_write: q.dump_write.unwrap_or_default(),
    }
}

/// Whether `-e read=` or `-e write=` asks for the data of calls (live, the capture then keeps
/// as much of each buffer as it can, 4096 bytes, unless `-s` says).
pub fn dumps_data(a: &cli::AnalyzerArgs) -> bool {
    a.qualifiers
        .iter()
        .any(|q| q.starts_with("read=") || q.starts_with("write="))
}
