//! End-to-end tests of the `syspect` binary: real commands traced for real, real files.
//! One test binary (as ripgrep does) so the suite links once; helpers in `util.rs`.

mod util;

/// Analyzers on workloads whose truth is known.
mod analyzers;

/// sysdig's performance and I/O chisels, against sysdig and on live traces.
mod chisels;
/// The command line itself: help, version, usage errors and their exit status.
mod cli;
/// Containers with a real dockerd: names, `docker exec`, `--container`, replay without Docker.
mod containers;
/// The filter language on real traces: selections, errors, pushdown.
mod filters;
/// How a command syspect starts runs: `-u`, `-E`, its signals.
mod launch;
/// Falco's process fields: ancestors' executables, argument counts, the standard fds.
mod proc_fields;
/// `capture --engine ptrace` of real programs: lifecycle, threads, signals, attach, exit status.
mod ptrace_capture;
/// What is drawn and generated for people: charts, flame graphs, completions, man pages,
/// progress bars.
mod render;
/// sysdig's `.scap` captures, against sysdig itself.
mod scap;
/// Sessions, process groups and terminals against the kernel's view of the process.
mod sessions;
/// `strace -a COLUMN` and `--syscall-number` (strace's `-n`), against strace's.
mod strace_columns;
/// `read --strace` against Debian's strace on the same programs.
mod strace_compat;
/// What strace counts (an environment's variables, a directory's entries), counted whole.
mod strace_counts;
/// `strace` with and without `-f`, against strace.
mod strace_follow;
/// `strace -e inject=` and `-e fault=` against strace's.
mod strace_inject;
/// sendmsg/recvmsg/sendmmsg/recvmmsg messages: names, data, control, against strace's.
mod strace_msgs;
/// `strace -Y`: pids named by their command, against strace's.
mod strace_pids;
/// `strace --relative-timestamps` (strace's `-r`).
mod strace_relative;
/// strace's `--- SIG... {...} ---` lines, against strace's.
mod strace_signals;
/// Socket options as strace names them (SO_ERROR's errno).
mod strace_sockopt;
/// `strace -k` against strace's.
mod strace_stack;
/// `strace -X raw|abbrev|verbose`, against strace's.
mod strace_xlat;
/// Trace files that end early, are damaged, or are no trace at all.
mod tracefile;
/// The live terminal views (top, iftop) driven through tmux.
mod tui;
