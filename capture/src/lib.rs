//! syspect-capture: everything between the kernel and a trace file.
//!
//! - [`event`]: the event model ([`Event`], [`EventKind`], [`Arg`]) and the state records
//!   ([`Record`]) that a trace holds.
//! - [`syscalls`]: the x86_64 syscall table, shared by both engines and every reader.
//! - [`engine`]: the [`Engine`](engine::Engine) trait and its ptrace and eBPF implementations.
//! - [`trace`]: writing and reading `.spt` files.
//! - [`container`]: container ids from cgroup paths, Docker metadata (bollard).
//! - [`procfs`]: the snapshot of processes, fds, users and groups taken when a capture starts.
//!
//! ```
//! use syspect_capture::syscalls;
//! assert_eq!(syscalls::name(257), "openat");
//! assert_eq!(syscalls::number("openat"), Some(257));
//! ```

pub mod container;
pub mod engine;
pub mod event;
pub mod interrupt;
pub mod procfs;
pub mod scap;
pub mod syscalls;
pub mod trace;

pub use event::{Arg, Event, EventKind, Record};
