//! Ctrl-C and SIGTERM: a flag that capture loops check between polls.
//!
//! The handlers are installed without `SA_RESTART`, so that a blocking wait inside an engine
//! returns `EINTR` and the loop sees the flag at once.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    SIGNAL.store(sig, Ordering::SeqCst);
    STOP.store(true, Ordering::SeqCst);
}

/// Which signals end a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// SIGINT and SIGTERM (system-wide capture, attached pids).
    IntAndTerm,
    /// SIGTERM only; SIGINT and SIGQUIT are ignored by syspect so that the traced command,
    /// which shares the terminal, decides what Ctrl-C does (as strace does for a command).
    TermOnly,
}

/// Install the handlers.
pub fn install(mode: Mode) {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: plain sigaction calls with a handler that only stores to atomics.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = 0;
        libc::sigaction(libc::SIGTERM, &sa, std::ptr::null_mut());
        libc::sigaction(libc::SIGHUP, &sa, std::ptr::null_mut());
        match mode {
            Mode::IntAndTerm => {
                libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
            }
            Mode::TermOnly => {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
                libc::signal(libc::SIGQUIT, libc::SIG_IGN);
            }
        }
    }
}

/// Restore default dispositions in a child before exec (a forked command must not inherit
/// the ignored SIGINT).
pub fn reset_in_child() {
    // SAFETY: async-signal-safe calls, valid between fork and exec.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::signal(libc::SIGQUIT, libc::SIG_DFL);
        libc::signal(libc::SIGTERM, libc::SIG_DFL);
        libc::signal(libc::SIGHUP, libc::SIG_DFL);
    }
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// The signal that asked for the stop, 0 when none.
pub fn signal() -> i32 {
    SIGNAL.load(Ordering::SeqCst)
}

/// Ask for a stop from inside the program (`-n`, `-M`).
pub fn request() {
    STOP.store(true, Ordering::SeqCst);
}
