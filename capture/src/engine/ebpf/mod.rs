//! The eBPF engine: every syscall on the host from raw tracepoints, through a ring buffer.
