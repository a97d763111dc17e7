//! The table itself: one entry per syscall that syspect decodes, as data.

use super::flags::FlagSet;
use super::{ArgDesc, ArgType as T, Class, Dir, RetType, SyscallDesc};

const fn a(name: &'static str, ty: T) -> ArgDesc {
    ArgDesc {
        name,
        ty,
        dir: Dir::In,
    }
}

const fn o(name: &'static str, ty: T) -> ArgDesc {
    ArgDesc {
        name,
        ty,
        dir: Dir::Out,
    }
}

macro_rules! syscalls {
    ($($nr:literal $name:ident ($($arg:expr),* $(,)?) -> $ret:ident, $class:ident;)*) => {
        static TABLE: &[SyscallDesc] = &[
            $(SyscallDesc {
                nr: $nr,
                name: stringify!($name),
                args: &[$($arg),*],
                ret: RetType::$ret,
                class: Class::$class,
            },)*
        ];
    };
}

syscalls! {
    0 read(a("fd", T::Fd), o("data", T::BufOut), a("size", T::UInt)) -> Int, IoRead;
    1 write(a("fd", T::Fd), a("data", T::BufIn(2)), a("size", T::UInt)) -> Int, IoWrite;
    3 close(a("fd", T::Fd)) -> Int, File;
    257 openat(a("dirfd", T::DirFd), a("name", T::Path), a("flags", T::Flags(FlagSet::Open)), a("mode", T::Mode)) -> Fd, File;
}

/// Index from syscall number to table entry, built on first use.
fn index() -> &'static [Option<&'static SyscallDesc>] {
    static INDEX: std::sync::OnceLock<Vec<Option<&'static SyscallDesc>>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let max = TABLE.iter().map(|d| d.nr as usize).max().unwrap_or(0);
        let mut v = vec![None; max + 1];
        for d in TABLE {
            v[d.nr as usize] = Some(d);
        }
        v
    })
}

/// The entry for syscall `nr`.
pub fn lookup(nr: u16) -> Option<&'static SyscallDesc> {
    index().get(nr as usize).copied().flatten()
}

/// Every entry, in table order.
pub fn all() -> &'static [SyscallDesc] {
    TABLE
}
