//! The terminal while a view owns it: raw mode and the alternate screen on, and a guarantee
//! that they are turned off again however syspect leaves the view — `q`, the end of the
//! capture, an error (the [`Screen`] is dropped) or a panic (a hook restores the terminal
//! before the panic message is printed).

use std::fs::File;
use std::io::{self, IsTerminal, Stdout};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::Terminal;

/// Whether the terminal is in the view's modes now (what the panic hook must undo).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// The terminal in raw mode on the alternate screen; restored when dropped.
pub struct Screen {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    /// The terminal crossterm reads keys from, when it is not stdin.
    tty: Option<File>,
}

/// What the keyboard has for us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Nothing,
    /// Bytes to read: crossterm's `event::read` will not block.
    Ready,
    /// The terminal hung up (its window closed): crossterm would spin reading it.
    Gone,
}

impl Screen {
    /// Take over the terminal.
    pub fn enter() -> io::Result<Screen> {
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        ACTIVE.store(true, Ordering::SeqCst);
        let setup = || -> io::Result<Screen> {
            terminal::enable_raw_mode()?;
            execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
            let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
            terminal.clear()?;
            // crossterm reads stdin when it is a terminal, /dev/tty otherwise.
            let tty = if io::stdin().is_terminal() {
                None
            } else {
                Some(File::open("/dev/tty")?)
            };
            Ok(Screen { terminal, tty })
        };
        setup().inspect_err(|_| restore())
    }
}

impl Screen {
    /// Whether a key can be read without waiting, checked before asking crossterm (whose
    /// reader loops forever on a terminal that hung up).
    pub fn input(&self) -> Input {
        let fd: RawFd = self.tty.as_ref().map_or(0, |f| f.as_raw_fd());
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no waiting.
        let n = unsafe { libc::poll(&mut p, 1, 0) };
        if n < 0 {
            return Input::Nothing;
        }
        if p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            Input::Gone
        } else if p.revents & libc::POLLIN != 0 {
            Input::Ready
        } else {
            Input::Nothing
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

/// Leave raw mode and the alternate screen and show the cursor, once; errors are ignored (there
/// is nothing better to do with them while leaving).
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = terminal::disable_raw_mode();
        let _ = execute!(io::stdout(), terminal::LeaveAlternateScreen, cursor::Show);
    }
}
