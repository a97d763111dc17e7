//! A per-engine POSIX timer that interrupts a blocking `waitpid` in the engine's thread.
//!
//! `waitpid` has no timeout and ptrace stops can only be waited for from the tracer thread, so
//! [`WakeTimer`] arms a `CLOCK_MONOTONIC` timer that sends [`wake_signal`] to that one thread
//! (`SIGEV_THREAD_ID`). The signal's handler is installed once per process, without
//! `SA_RESTART`, so the blocked `waitpid` returns `EINTR`; the handler only sets a thread-local
//! flag. The timer is periodic while armed, so a signal that lands just before `waitpid` is
//! entered (and so interrupts nothing) is followed by another one a period later.

use std::cell::Cell;
use std::io;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;
use std::time::Duration;

thread_local! {
    static FIRED: Cell<bool> = const { Cell::new(false) };
}

extern "C" fn on_wake(_sig: libc::c_int) {
    // A const-initialised thread-local Cell needs no allocation: safe in a signal handler.
    FIRED.with(|f| f.set(true));
}

/// The real-time signal used to wake the engine's thread: `SIGRTMIN + 6`, clear of the ones
/// glibc and common runtimes use.
pub fn wake_signal() -> libc::c_int {
    libc::SIGRTMIN() + 6
}

fn install_handler() -> io::Result<()> {
    static ONCE: Once = Once::new();
    static RESULT: AtomicI32 = AtomicI32::new(0);
    ONCE.call_once(|| {
        // SAFETY: sigaction with a handler that is async-signal-safe; runs once.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_wake as *const () as usize;
            sa.sa_flags = 0; // no SA_RESTART: waitpid must return EINTR
            libc::sigemptyset(&mut sa.sa_mask);
            if libc::sigaction(wake_signal(), &sa, std::ptr::null_mut()) != 0 {
                RESULT.store(*libc::__errno_location(), Ordering::Relaxed);
            }
        }
    });
    let r = RESULT.load(Ordering::Relaxed);
    if r != 0 {
        return Err(io::Error::from_raw_os_error(r));
    }
    Ok(())
}

/// A timer that interrupts this thread's blocking system calls while armed.
pub struct WakeTimer {
    id: libc::timer_t,
}

impl WakeTimer {
    /// Create a timer that signals the calling thread. Also unblocks the wake signal in it.
    pub fn new() -> io::Result<WakeTimer> {
        install_handler()?;
        // SAFETY: zeroed sigevent is valid; the fields set are the ones SIGEV_THREAD_ID reads.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, wake_signal());
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            let mut sev: libc::sigevent = std::mem::zeroed();
            sev.sigev_notify = libc::SIGEV_THREAD_ID;
            sev.sigev_signo = wake_signal();
            sev.sigev_notify_thread_id = libc::gettid();
            let mut id: libc::timer_t = std::ptr::null_mut();
            if libc::timer_create(libc::CLOCK_MONOTONIC, &mut sev, &mut id) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(WakeTimer { id })
        }
    }

    /// Fire every `period` from now on (a zero period disarms).
    pub fn arm(&self, period: Duration) {
        FIRED.with(|f| f.set(false));
        let ts = libc::timespec {
            tv_sec: period.as_secs() as libc::time_t,
            tv_nsec: period.subsec_nanos() as libc::c_long,
        };
        let spec = libc::itimerspec {
            it_interval: ts,
            it_value: ts,
        };
        // SAFETY: valid timer id and spec.
        unsafe { libc::timer_settime(self.id, 0, &spec, std::ptr::null_mut()) };
    }

    /// Stop firing. A signal already on its way is delivered before this returns.
    pub fn disarm(&self) {
        self.arm(Duration::ZERO);
        FIRED.with(|f| f.set(false));
    }

    /// Whether the timer fired since the last check, leaving the flag set.
    pub fn peek_fired(&self) -> bool {
        FIRED.with(|f| f.get())
    }

    /// Whether the timer fired since the last check, clearing the flag.
    pub fn take_fired(&self) -> bool {
        FIRED.with(|f| f.replace(false))
    }
}

impl Drop for WakeTimer {
    fn drop(&mut self) {
        // SAFETY: the id came from timer_create and is deleted once.
        unsafe { libc::timer_delete(self.id) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn timer_interrupts_a_blocking_wait() {
        let t = WakeTimer::new().unwrap();
        // A child that sleeps long: waitpid on it blocks until the timer interrupts it.
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let start = Instant::now();
        t.arm(Duration::from_millis(50));
        let mut status = 0;
        // SAFETY: valid out pointer.
        let rc = unsafe { libc::waitpid(child.id() as i32, &mut status, 0) };
        let err = std::io::Error::last_os_error();
        t.disarm();
        assert_eq!(rc, -1);
        assert_eq!(err.raw_os_error(), Some(libc::EINTR));
        assert!(t.take_fired() || start.elapsed() >= Duration::from_millis(40));
        assert!(start.elapsed() < Duration::from_secs(2));
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
