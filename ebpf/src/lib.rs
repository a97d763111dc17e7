//! syspect-ebpf: the kernel-side program of syspect's eBPF engine, written in C under `bpf/`,
//! and the `#[repr(C)]` Rust mirror of its ABI (`bpf/abi.h`).

/// Version of the kernel/user ABI. Compatibility rule: bump on any change of a struct in
/// `abi.h`; user space refuses an object whose version differs.
pub const ABI_VERSION: u16 = 1;
