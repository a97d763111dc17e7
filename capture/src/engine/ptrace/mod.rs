//! The ptrace engine: runs a command (or attaches to pids) and records every syscall of every
//! thread it follows.
