//! Named flag sets and enumerations for [`super::ArgType::Flags`], with their symbolic names as
//! strace prints them.

/// A named set of flags or enumerated values. The table refers to one by name; [`super::render`]
/// decodes a value with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagSet {
    /// open(2) flags: access mode then `O_*` bits (`O_RDONLY|O_CLOEXEC`).
    Open,
    /// `AT_*` flags of the *at() calls.
    At,
    /// mmap/mprotect `PROT_*`.
    Prot,
    /// mmap `MAP_*`.
    Map,
    /// access(2) `F_OK`/`R_OK`…
    Access,
}
