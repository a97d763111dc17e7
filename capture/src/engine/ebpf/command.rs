//! A command started held: forked, waiting on a pipe before its execve, so that its pid can be
//! put into the kernel's pid set before it runs a single instruction of its own.

use std::ffi::{CString, OsString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use crate::engine::launch::Launch;
use crate::engine::EngineError;

/// The held (then released) command.
#[derive(Debug)]
pub struct HeldChild {
    pub pid: u32,
    gate: Option<OwnedFd>,
    errors: Option<OwnedFd>,
    name: String,
    /// The wait(2) status once reaped.
    pub status: Option<i32>,
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two fds into the array we own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both fds are fresh and ours.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The executable `argv0` names: itself when it has a slash, else the first match on PATH.
fn resolve(argv0: &OsString) -> Option<PathBuf> {
    if argv0.as_bytes().contains(&b'/') {
        return Some(PathBuf::from(argv0));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(argv0))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            })
        })
}

impl HeldChild {
    /// Fork `argv`, held before its execve until [`HeldChild::release`]; it runs as `launch`
    /// says.
    pub fn spawn(argv: &[OsString], launch: &Launch) -> Result<HeldChild, EngineError> {
        let name = argv
            .first()
            .map(|a| a.to_string_lossy().into_owned())
            .unwrap_or_default();
        let spawn_err = |source: std::io::Error| EngineError::Spawn {
            command: name.clone(),
            source,
        };
        let argv0 = argv
            .first()
            .ok_or_else(|| spawn_err(std::io::Error::other("empty command")))?;
        let exe = resolve(argv0)
            .ok_or_else(|| spawn_err(std::io::Error::from_raw_os_error(libc::ENOENT)))?;
        let exe = CString::new(exe.into_os_string().into_vec())
            .map_err(|_| spawn_err(std::io::Error::other("NUL byte in the command")))?;
        let args: Vec<CString> = argv
            .iter()
            .map(|a| CString::new(a.as_bytes()))
            .collect::<Result<_, _>>()
            .map_err(|_| spawn_err(std::io::Error::other("NUL byte in an argument")))?;
        let mut arg_ptrs: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
        arg_ptrs.push(std::ptr::null());
        let (gate_r, gate_w) = pipe().map_err(spawn_err)?;
        let (err_r, err_w) = pipe().map_err(spawn_err)?;
        let parent_ends = [gate_w.as_raw_fd(), err_r.as_raw_fd()];

        // SAFETY: the child only calls async-signal-safe functions (read, write, execv, _exit)
        // on memory prepared before the fork.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(spawn_err(std::io::Error::last_os_error()));
        }
        if pid == 0 {
            // SAFETY: see above; every pointer stays valid in the child's copy of the memory.
            unsafe {
                // the parent's ends: a parent that goes away must leave the child at EOF
                for fd in parent_ends {
                    libc::close(fd);
                }
                let mut b = 0u8;
                let n = libc::read(gate_r.as_raw_fd(), (&mut b as *mut u8).cast(), 1);
                if n == 1 {
                    let errno = match launch.enter() {
                        Ok(()) => {
                            libc::execve(exe.as_ptr(), arg_ptrs.as_ptr(), launch.envp());
                            *libc::__errno_location()
                        }
                        Err(errno) => errno,
                    };
                    libc::write(err_w.as_raw_fd(), (&errno as *const i32).cast(), 4);
                }
                libc::_exit(127);
            }
        }
        drop(gate_r);
        drop(err_w);
        Ok(HeldChild {
            pid: pid as u32,
            gate: Some(gate_w),
            errors: Some(err_r),
            name,
            status: None,
        })
    }

    /// Let the child exec; fails when the execve failed (the child is then reaped).
    pub fn release(&mut self) -> Result<(), EngineError> {
        let gate = self.gate.take();
        if let Some(g) = &gate {
            // SAFETY: writing one byte from a local to an fd we own.
            unsafe { libc::write(g.as_raw_fd(), [1u8].as_ptr().cast(), 1) };
        }
        drop(gate);
        let Some(errors) = self.errors.take() else {
            return Ok(());
        };
        let mut errno = 0i32;
        // SAFETY: reading up to 4 bytes into a local i32; EOF (0) means the exec succeeded.
        let n = unsafe { libc::read(errors.as_raw_fd(), (&mut errno as *mut i32).cast(), 4) };
        if n == 4 {
            self.wait(true);
            return Err(EngineError::Spawn {
                command: self.name.clone(),
                source: std::io::Error::from_raw_os_error(errno),
            });
        }
        Ok(())
    }

    /// Reap the child if it has ended (`block`: wait for it). Returns whether it has.
    pub fn wait(&mut self, block: bool) -> bool {
        if self.status.is_some() {
            return true;
        }
        let mut status = 0;
        let flags = if block { 0 } else { libc::WNOHANG };
        // SAFETY: waitpid on our own child, status into a local.
        let r = unsafe { libc::waitpid(self.pid as i32, &mut status, flags) };
        if r == self.pid as i32 {
            self.status = Some(status);
            return true;
        }
        // ECHILD: someone else reaped it; treat as gone with an unknown status
        if r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD) {
            self.status = Some(0);
            return true;
        }
        false
    }

    /// Kill the child (still held or running) and reap it.
    pub fn kill(&mut self) {
        self.gate = None;
        if self.status.is_none() {
            // SAFETY: signalling our own unreaped child.
            unsafe { libc::kill(self.pid as i32, libc::SIGKILL) };
            self.wait(true);
        }
    }

    /// The exit status as a shell shows it: the code, or 128 + the signal number.
    pub fn exit_code(&self) -> Option<i32> {
        let s = self.status?;
        if libc::WIFEXITED(s) {
            Some(libc::WEXITSTATUS(s))
        } else if libc::WIFSIGNALED(s) {
            Some(128 + libc::WTERMSIG(s))
        } else {
            None
        }
    }
}

impl Drop for HeldChild {
    fn drop(&mut self) {
        if self.gate.is_some() {
            // never released: it must not run untraced
            self.kill();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch() -> Launch {
        Launch::new(&[], None).unwrap()
    }

    #[test]
    fn held_child_runs_only_after_release_and_reports_its_code() {
        let mut c =
            HeldChild::spawn(&["sh".into(), "-c".into(), "exit 7".into()], &launch()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!c.wait(false), "the child must wait for the release");
        c.release().unwrap();
        assert!(c.wait(true));
        assert_eq!(c.exit_code(), Some(7));
    }

    #[test]
    fn missing_command_is_a_spawn_error() {
        let e = HeldChild::spawn(&["/nonexistent/syspect-test".into()], &launch());
        let mut c = e.unwrap();
        assert!(matches!(c.release(), Err(EngineError::Spawn { .. })));
        let e = HeldChild::spawn(&["syspect-no-such-command-xyz".into()], &launch());
        assert!(matches!(e, Err(EngineError::Spawn { .. })));
    }

    #[test]
    fn dropping_an_unreleased_child_kills_it() {
        let c = HeldChild::spawn(&["sleep".into(), "100".into()], &launch()).unwrap();
        let pid = c.pid;
        drop(c);
        // SAFETY: probing a pid with signal 0.
        let alive = unsafe { libc::kill(pid as i32, 0) } == 0;
        assert!(!alive);
    }
}
