//! `syspect list`: what syspect knows.

use std::io::{self, Write};

use syspect_capture::syscalls::{self, Dir};

/// Every syscall with its parameters, enter then exit, as `list events` prints them, then the
/// non-syscall events.
pub fn events(out: &mut dyn Write) -> io::Result<()> {
    for nr in 0..syscalls::count() {
        let name = syscalls::name(nr);
        match syscalls::lookup(nr) {
            Some(d) => {
                let ins: Vec<_> = d
                    .args
                    .iter()
                    .filter(|a| a.dir != Dir::Out)
                    .map(|a| a.name)
                    .collect();
                let outs: Vec<_> = d
                    .args
                    .iter()
                    .filter(|a| a.dir != Dir::In)
                    .map(|a| a.name)
                    .collect();
                writeln!(out, "syscall {nr:>3} > {name}({})", ins.join(", "))?;
                writeln!(
                    out,
                    "syscall {nr:>3} < {name}(res{}{})",
                    if outs.is_empty() { "" } else { ", " },
                    outs.join(", ")
                )?;
            }
            None => {
                if !name.starts_with("syscall_") {
                    writeln!(out, "syscall {nr:>3} > {name}(arg0..arg5 raw)")?;
                }
            }
        }
    }
    for (name, params) in [
        ("procclone", "child_tid, child_pid, flags"),
        ("procexec", "exe, args, cwd"),
        ("procexit", "status, ret, sig, core"),
        ("signaldeliver", "spid, dpid, sig"),
        ("procinfo", "cpu_ns, vm_rss, vm_size"),
        ("drop", "cpu, count"),
    ] {
        writeln!(out, "event > {name}({params})")?;
    }
    Ok(())
}

/// Every analyzer with its purpose and options.
pub fn analyzers(out: &mut dyn Write) -> io::Result<()> {
    let w = crate::analyzers::ALL
        .iter()
        .map(|(name, _, _)| name.len())
        .max()
        .unwrap_or(10);
    for (name, purpose, opts) in crate::analyzers::ALL {
        writeln!(out, "{name:<w$} {purpose}")?;
        if !opts.is_empty() {
            writeln!(out, "{:<w$} options: {opts}", "")?;
        }
    }
    writeln!(out, "\nEach takes -r FILE... (a trace) or captures live (-- COMMAND, --pid, or the host), a FILTER, and -j for JSON.")
}

/// Every field with its type and meaning.
pub fn fields(out: &mut dyn Write) -> io::Result<()> {
    for f in crate::fields::FIELDS {
        let name = match f.arg {
            crate::fields::ArgKind::None => f.name.to_owned(),
            crate::fields::ArgKind::NameOrIndex => format!("{}.NAME, {}[N]", f.name, f.name),
            crate::fields::ArgKind::Name => format!("{}.KEY", f.name),
            crate::fields::ArgKind::OptIndex => format!("{}[N]", f.name),
        };
        writeln!(out, "{name:<28} {:<17} {}", f.ty.to_string(), f.desc)?;
    }
    Ok(())
}
