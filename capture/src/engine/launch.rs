//! How a command that syspect starts runs, in either engine: as which user (strace's `-u`),
//! with which environment (strace's `-E`), and with the signal dispositions a shell's child
//! gets (Rust ignores SIGPIPE, and an ignored signal stays ignored across exec).
//!
//! Everything is prepared before the fork ([`Launch::new`]); the forked child only makes
//! async-signal-safe calls ([`Launch::enter`]).

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;

/// A user to run the command as: its ids and supplementary groups, looked up by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunAs {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

impl RunAs {
    /// The user `name` (or a numeric uid) from the password database, with its groups.
    pub fn lookup(name: &str) -> Result<RunAs, String> {
        let cname = CString::new(name).map_err(|_| format!("bad user name {name:?}"))?;
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        // SAFETY: passwd is plain data; getpwnam_r/getpwuid_r write into it and into `buf`,
        // whose length is given, and set `found` to it or to NULL.
        let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = match name.parse::<u32>() {
            Ok(uid) => unsafe {
                libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found)
            },
            Err(_) => unsafe {
                libc::getpwnam_r(
                    cname.as_ptr(),
                    &mut pw,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut found,
                )
            },
        };
        if rc != 0 || found.is_null() {
            return Err(format!("no user {name:?}"));
        }
        let (uid, gid) = (pw.pw_uid, pw.pw_gid);
        let mut groups = vec![0 as libc::gid_t; 256];
        let mut n = groups.len() as libc::c_int;
        // SAFETY: pw_name points into `buf`, still alive; `groups` holds `n` entries, and n is
        // set to how many were written (or needed, when it returns -1).
        let rc = unsafe { libc::getgrouplist(pw.pw_name, gid, groups.as_mut_ptr(), &mut n) };
        groups.truncate(if rc < 0 { 0 } else { n.max(0) as usize });
        if groups.is_empty() {
            groups.push(gid);
        }
        Ok(RunAs { uid, gid, groups })
    }
}

/// A change to the command's environment: `VAR=VALUE` sets, `VAR` removes (strace's `-E`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvChange {
    Set(OsString, OsString),
    Unset(OsString),
}

impl EnvChange {
    /// `VAR=VALUE` or `VAR`.
    pub fn parse(s: &OsStr) -> EnvChange {
        let b = s.as_bytes();
        match b.iter().position(|&c| c == b'=') {
            Some(i) => EnvChange::Set(
                OsStr::from_bytes(&b[..i]).to_owned(),
                OsStr::from_bytes(&b[i + 1..]).to_owned(),
            ),
            None => EnvChange::Unset(s.to_owned()),
        }
    }
}

/// What the child needs, made before the fork.
pub struct Launch {
    env: Vec<CString>,
    envp: Vec<*const libc::c_char>,
    run_as: Option<RunAs>,
}

impl Launch {
    /// syspect's environment with `changes` applied, and the user to become.
    pub fn new(changes: &[EnvChange], run_as: Option<&RunAs>) -> io::Result<Launch> {
        let mut vars: Vec<(OsString, OsString)> = std::env::vars_os().collect();
        for c in changes {
            match c {
                EnvChange::Set(k, v) => {
                    vars.retain(|(name, _)| name != k);
                    vars.push((k.clone(), v.clone()));
                }
                EnvChange::Unset(k) => vars.retain(|(name, _)| name != k),
            }
        }
        let env = vars
            .iter()
            .map(|(k, v)| {
                let mut b = k.as_bytes().to_vec();
                b.push(b'=');
                b.extend_from_slice(v.as_bytes());
                CString::new(b)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| io::Error::other("NUL byte in the environment"))?;
        let mut envp: Vec<*const libc::c_char> = env.iter().map(|e| e.as_ptr()).collect();
        envp.push(std::ptr::null());
        Ok(Launch {
            env,
            envp,
            run_as: run_as.cloned(),
        })
    }

    /// The environment, NULL-terminated, for execve.
    pub fn envp(&self) -> *const *const libc::c_char {
        debug_assert_eq!(self.envp.len(), self.env.len() + 1);
        self.envp.as_ptr()
    }

    /// In the forked child, before exec: default SIGPIPE, no blocked signals, and the user's
    /// groups and ids. Returns the errno of a call that failed.
    ///
    /// # Safety
    /// Only in a freshly forked child (it changes the process's credentials and signals).
    pub unsafe fn enter(&self) -> Result<(), i32> {
        let errno = || unsafe { *libc::__errno_location() };
        // SAFETY: plain syscalls on integers and local or prepared memory.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
            if let Some(r) = &self.run_as {
                if libc::setgroups(r.groups.len(), r.groups.as_ptr()) != 0
                    || libc::setgid(r.gid) != 0
                    || libc::setuid(r.uid) != 0
                {
                    return Err(errno());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_found_by_name_and_number() {
        let root = RunAs::lookup("root").unwrap();
        assert_eq!((root.uid, root.gid), (0, 0));
        assert_eq!(RunAs::lookup("0").unwrap().uid, 0);
        assert!(RunAs::lookup("syspect-no-such-user").is_err());
    }

    #[test]
    fn env_changes_set_and_unset() {
        assert_eq!(
            EnvChange::parse(OsStr::new("A=b=c")),
            EnvChange::Set("A".into(), "b=c".into())
        );
        assert_eq!(
            EnvChange::parse(OsStr::new("HOME")),
            EnvChange::Unset("HOME".into())
        );
        let l = Launch::new(
            &[
                EnvChange::Set("SYSPECT_T".into(), "1".into()),
                EnvChange::Unset("PATH".into()),
            ],
            None,
        )
        .unwrap();
        let vars: Vec<&[u8]> = l.env.iter().map(|e| e.as_bytes()).collect();
        assert!(vars.contains(&&b"SYSPECT_T=1"[..]));
        assert!(!vars.iter().any(|v| v.starts_with(b"PATH=")));
    }
}
