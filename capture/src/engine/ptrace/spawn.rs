//! Starting the traced command: fork, hold the child on a pipe until it is seized, exec.
//!
//! The child installs the seccomp filter (when a syscall set is given), then blocks reading a
//! pipe. The parent seizes it (`PTRACE_SEIZE` with `PTRACE_O_EXITKILL`, so that the command
//! dies with the tracer), interrupts it (a seized tracee only makes syscall stops after a
//! restart with `PTRACE_SYSCALL`) and closes the pipe; the child then calls `execvp`. If exec
//! fails the child writes its errno to a close-on-exec pipe and exits 127, and
//! [`PtraceEngine::spawn`] returns the error, as `std::process::Command::spawn` would.

use std::ffi::{CString, OsString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use super::tracee::{Origin, Tracee};
use super::{seccomp, sys, PtraceEngine};
use crate::engine::launch::Launch;
use crate::engine::{CaptureOptions, EngineError};
use crate::event::Tid;

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid out array of two ints.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both fds are fresh and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The command as one printable string, for error messages.
fn describe(argv: &[OsString]) -> String {
    argv.iter()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the forked child does; only async-signal-safe calls, no allocation.
///
/// # Safety
/// Must run in a freshly forked child; all pointers point at memory prepared before fork.
unsafe fn child(
    argv: &[*const libc::c_char],
    launch: &Launch,
    filter: Option<&[libc::sock_filter]>,
    sync_r: libc::c_int,
    err_w: libc::c_int,
) -> ! {
    let fail = |errno: i32| -> ! {
        let b = errno.to_ne_bytes();
        // SAFETY: writing 4 bytes from a local array; _exit never returns.
        unsafe {
            libc::write(err_w, b.as_ptr().cast(), 4);
            libc::_exit(127)
        }
    };
    let mut b = 0u8;
    // SAFETY: reading one byte into a local.
    unsafe {
        while libc::read(sync_r, (&mut b as *mut u8).cast(), 1) < 0
            && *libc::__errno_location() == libc::EINTR
        {}
    }
    // Only now, seized: a SECCOMP_RET_TRACE without a tracer fails the call with ENOSYS.
    if let Some(prog) = filter {
        if let Err(e) = seccomp::install(prog) {
            fail(e.raw_os_error().unwrap_or(libc::EINVAL));
        }
    }
    // What an untraced child of a shell gets (default SIGPIPE, no blocked signals), as the
    // user asked for; after the filter, which needs no privilege then.
    // SAFETY: in the forked child.
    if let Err(errno) = unsafe { launch.enter() } {
        fail(errno);
    }
    // SAFETY: argv and envp are NULL-terminated, their strings in memory prepared before fork.
    unsafe {
        libc::execvpe(argv[0], argv.as_ptr(), launch.envp());
        fail(*libc::__errno_location())
    }
}

impl PtraceEngine {
    /// Run `opts.command` traced, with its children; also attach to `opts.pids`.
    ///
    /// Returns once the command has exec'd (so a missing program is an error here). The
    /// command inherits stdin, stdout and stderr. The engine must be polled from the thread
    /// that called this (see the module docs).
    pub fn spawn(opts: &CaptureOptions) -> Result<PtraceEngine, EngineError> {
        let argv_os = match &opts.command {
            Some(c) if !c.is_empty() => c.clone(),
            _ => {
                return Err(EngineError::Spawn {
                    command: String::new(),
                    source: io::Error::new(io::ErrorKind::InvalidInput, "empty command"),
                })
            }
        };
        let command = describe(&argv_os);
        let spawn_err = |source: io::Error| EngineError::Spawn {
            command: command.clone(),
            source,
        };
        let cstrings = argv_os
            .iter()
            .map(|a| CString::new(a.as_bytes()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| spawn_err(io::Error::new(io::ErrorKind::InvalidInput, e)))?;
        let mut argv: Vec<*const libc::c_char> = cstrings.iter().map(|c| c.as_ptr()).collect();
        argv.push(std::ptr::null());

        let mut engine = PtraceEngine::new(opts, opts.syscalls.is_some()).map_err(spawn_err)?;
        let filter = opts.syscalls.as_ref().map(|set| {
            let mut set = set.clone();
            // Clone flags are read from the call's arguments: always stop at clone/clone3;
            // and at the calls to tamper with, recorded or not.
            set.extend([libc::SYS_clone as u16, libc::SYS_clone3 as u16]);
            set.extend(opts.inject.iter().flat_map(|i| i.syscalls.iter().copied()));
            seccomp::build(&set)
        });
        let launch = Launch::new(&opts.env, opts.run_as.as_ref()).map_err(spawn_err)?;
        let (sync_r, sync_w) = pipe().map_err(spawn_err)?;
        let (err_r, err_w) = pipe().map_err(spawn_err)?;

        // SAFETY: fork; the child only runs `child`, which is async-signal-safe.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(spawn_err(io::Error::last_os_error()));
        }
        if pid == 0 {
            // SAFETY: in the child, with memory prepared before fork.
            unsafe {
                libc::close(sync_w.as_raw_fd());
                libc::close(err_r.as_raw_fd());
                child(
                    &argv,
                    &launch,
                    filter.as_deref(),
                    sync_r.as_raw_fd(),
                    err_w.as_raw_fd(),
                )
            }
        }
        drop(sync_r);
        drop(err_w);
        let pid = pid as Tid;
        let mut options = super::OPTIONS | libc::PTRACE_O_EXITKILL;
        if engine.seccomp {
            options |= libc::PTRACE_O_TRACESECCOMP;
        }
        if let Err(e) = sys::seize(pid, options).and_then(|()| sys::interrupt(pid)) {
            sys::kill(pid, libc::SIGKILL);
            let _ = sys::wait(pid as libc::pid_t, 0);
            return Err(spawn_err(e));
        }
        drop(sync_w);
        let mut root = Tracee::new(pid, Origin::Spawned);
        root.startup = true;
        engine.tracees.insert(pid, root);
        engine.root = Some(pid);

        // Drive the child up to its exec (or its death).
        let mut backlog = Vec::new();
        loop {
            match sys::wait(pid as libc::pid_t, 0) {
                Ok(Some((tid, status))) => engine.handle(tid, status, &mut backlog),
                Ok(None) => {}
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
                Err(e) => return Err(spawn_err(e)),
            }
            match engine.tracees.get(&pid) {
                Some(t) if t.startup => continue,
                Some(_) => break,
                None => {
                    let mut b = [0u8; 4];
                    // SAFETY: reading 4 bytes into a local array.
                    let n = unsafe { libc::read(err_r.as_raw_fd(), b.as_mut_ptr().cast(), 4) };
                    let err = if n == 4 {
                        io::Error::from_raw_os_error(i32::from_ne_bytes(b))
                    } else {
                        io::Error::other(format!(
                            "exited before exec with status {}",
                            engine.exit_code.unwrap_or(-1)
                        ))
                    };
                    return Err(spawn_err(err));
                }
            }
        }
        engine.backlog = backlog;
        engine.attach_pids(&opts.pids)?;
        Ok(engine)
    }
}
