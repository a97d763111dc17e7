//! sysdig's own flag encodings (`PPM_O_*`, `PPM_CL_*`, `PPM_PROT_*`, `PPM_MAP_*`,
//! `PPM_FCNTL_*`) converted back to the kernel's values, so that syspect shows and interprets
//! them like flags captured live. Values sysdig stores raw (modes, socket domains, `whence`)
//! need no conversion; flag arguments not listed in [`to_linux`] stay in sysdig's encoding.

/// Translate a table of (sysdig bit, kernel value) pairs.
fn bits(v: u64, table: &[(u64, i64)]) -> u64 {
    table
        .iter()
        .filter(|(p, _)| v & p != 0)
        .fold(0u64, |acc, (_, l)| acc | *l as u64)
}

/// sysdig's `PPM_POLL*` bits and the kernel's `POLL*` values they stand for.
const POLL: [(u64, i64); 11] = [
    (1 << 0, libc::POLLIN as i64),
    (1 << 1, libc::POLLPRI as i64),
    (1 << 2, libc::POLLOUT as i64),
    (1 << 3, libc::POLLRDHUP as i64),
    (1 << 4, libc::POLLERR as i64),
    (1 << 5, libc::POLLHUP as i64),
    (1 << 6, libc::POLLNVAL as i64),
    (1 << 7, libc::POLLRDNORM as i64),
    (1 << 8, libc::POLLRDBAND as i64),
    (1 << 9, libc::POLLWRNORM as i64),
    (1 << 10, libc::POLLWRBAND as i64),
];

/// poll(2) events in sysdig's `PPM_POLL*` bits, as the kernel's `POLL*`.
pub fn poll_to_linux(v: u64) -> u64 {
    bits(v, &POLL)
}

/// poll(2) events, the kernel's `POLL*`, in sysdig's `PPM_POLL*` bits (what sysdig's fd lists
/// show: `fds=4:61` is fd 4, an IPv6 socket, POLLIN).
pub fn poll_to_sysdig(v: u64) -> u64 {
    POLL.iter()
        .filter(|(_, l)| v & *l as u64 != 0)
        .fold(0, |acc, (p, _)| acc | p)
}

/// `open(2)` flags. sysdig's read/write bits are `RDONLY = 1, WRONLY = 2, RDWR = 3`; its bits
/// 14–16 (file created, overlay layers) are facts about the result, not flags, and are dropped.
pub fn open_flags(v: u64) -> u64 {
    let access = match v & 3 {
        2 => libc::O_WRONLY,
        3 => libc::O_RDWR,
        _ => libc::O_RDONLY,
    } as u64;
    access
        | bits(
            v,
            &[
                (1 << 2, libc::O_CREAT as i64),
                (1 << 3, libc::O_APPEND as i64),
                (1 << 4, libc::O_DSYNC as i64),
                (1 << 5, libc::O_EXCL as i64),
                (1 << 6, libc::O_NONBLOCK as i64),
                // O_SYNC includes O_DSYNC's bit in the kernel.
                (1 << 7, libc::O_SYNC as i64),
                (1 << 8, libc::O_TRUNC as i64),
                (1 << 9, libc::O_DIRECT as i64),
                (1 << 10, libc::O_DIRECTORY as i64),
                (1 << 11, libc::O_LARGEFILE as i64),
                (1 << 12, libc::O_CLOEXEC as i64),
                (1 << 13, libc::O_TMPFILE as i64),
            ],
        )
}

/// `clone(2)` flags (sysdig's bits 16–22 are its own bookkeeping and are dropped).
pub fn clone_flags(v: u64) -> u64 {
    bits(
        v,
        &[
            (1 << 0, libc::CLONE_FILES as i64),
            (1 << 1, libc::CLONE_FS as i64),
            (1 << 2, libc::CLONE_IO as i64),
            (1 << 3, libc::CLONE_NEWIPC as i64),
            (1 << 4, libc::CLONE_NEWNET as i64),
            (1 << 5, libc::CLONE_NEWNS as i64),
            (1 << 6, libc::CLONE_NEWPID as i64),
            (1 << 7, libc::CLONE_NEWUTS as i64),
            (1 << 8, libc::CLONE_PARENT as i64),
            (1 << 9, libc::CLONE_PARENT_SETTID as i64),
            (1 << 10, libc::CLONE_PTRACE as i64),
            (1 << 11, libc::CLONE_SIGHAND as i64),
            (1 << 12, libc::CLONE_SYSVSEM as i64),
            (1 << 13, libc::CLONE_THREAD as i64),
            (1 << 14, libc::CLONE_UNTRACED as i64),
            (1 << 15, libc::CLONE_VM as i64),
            (1 << 20, libc::CLONE_NEWUSER as i64),
            (1 << 23, libc::CLONE_CHILD_CLEARTID as i64),
            (1 << 24, libc::CLONE_CHILD_SETTID as i64),
            (1 << 25, libc::CLONE_SETTLS as i64),
            (1 << 27, libc::CLONE_VFORK as i64),
            (1 << 28, libc::CLONE_NEWCGROUP as i64),
        ],
    )
}

/// `mmap`/`mprotect` protection bits.
pub fn prot(v: u64) -> u64 {
    bits(
        v,
        &[
            (1 << 0, libc::PROT_READ as i64),
            (1 << 1, libc::PROT_WRITE as i64),
            (1 << 2, libc::PROT_EXEC as i64),
            (1 << 4, libc::PROT_GROWSDOWN as i64),
            (1 << 5, libc::PROT_GROWSUP as i64),
        ],
    )
}

/// `mmap` flags.
pub fn map_flags(v: u64) -> u64 {
    bits(
        v,
        &[
            (1 << 0, libc::MAP_SHARED as i64),
            (1 << 1, libc::MAP_PRIVATE as i64),
            (1 << 2, libc::MAP_FIXED as i64),
            (1 << 3, libc::MAP_ANONYMOUS as i64),
            (1 << 4, libc::MAP_32BIT as i64),
            (1 << 6, libc::MAP_NORESERVE as i64),
            (1 << 7, libc::MAP_POPULATE as i64),
            (1 << 8, libc::MAP_NONBLOCK as i64),
            (1 << 9, libc::MAP_GROWSDOWN as i64),
            (1 << 10, libc::MAP_DENYWRITE as i64),
            (1 << 11, libc::MAP_EXECUTABLE as i64),
            (1 << 14, libc::MAP_LOCKED as i64),
            (1 << 16, libc::MAP_STACK as i64),
            (1 << 17, libc::MAP_HUGETLB as i64),
        ],
    )
}

/// `fcntl` command: sysdig numbers its commands 1, 2, 3… in its own order.
pub fn fcntl_cmd(v: u64) -> u64 {
    let cmd = match v {
        1 => libc::F_DUPFD,
        2 => libc::F_GETFD,
        3 => libc::F_SETFD,
        4 => libc::F_GETFL,
        5 => libc::F_SETFL,
        6 => libc::F_GETLK,
        8 => libc::F_SETLK,
        9 => libc::F_SETLKW,
        10 => libc::F_SETOWN,
        12 => libc::F_GETOWN,
        // Values from <asm-generic/fcntl.h> that libc does not export.
        13 => 10, // F_SETSIG
        15 => 11, // F_GETSIG
        21 => 15, // F_SETOWN_EX
        22 => 16, // F_GETOWN_EX
        23 => libc::F_SETLEASE,
        24 => libc::F_GETLEASE,
        25 => libc::F_CANCELLK,
        26 => libc::F_DUPFD_CLOEXEC,
        27 => libc::F_NOTIFY,
        28 => libc::F_SETPIPE_SZ,
        29 => libc::F_GETPIPE_SZ,
        30 => libc::F_OFD_GETLK,
        31 => libc::F_OFD_SETLK,
        32 => libc::F_OFD_SETLKW,
        _ => return v,
    };
    cmd as u64
}

/// The kernel's value of parameter `param` of sysdig event `event`.
pub fn to_linux(event: &str, param: &str, v: u64) -> u64 {
    match (event, param) {
        ("open" | "openat" | "openat2" | "creat" | "open_by_handle_at", "flags") => open_flags(v),
        ("clone" | "fork" | "vfork" | "clone3", "flags") => clone_flags(v),
        ("mmap" | "mmap2" | "mprotect", "prot") => prot(v),
        ("mmap" | "mmap2", "flags") => map_flags(v),
        ("fcntl", "cmd") => fcntl_cmd(v),
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_round() {
        assert_eq!(open_flags(1), libc::O_RDONLY as u64);
        assert_eq!(
            open_flags(1 | (1 << 12)),
            (libc::O_RDONLY | libc::O_CLOEXEC) as u64
        );
        assert_eq!(
            open_flags(3 | (1 << 2) | (1 << 8)),
            (libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC) as u64
        );
    }

    #[test]
    fn clone_and_mmap() {
        let thread = (1 << 13) | (1 << 15) | (1 << 16);
        assert_eq!(
            clone_flags(thread),
            (libc::CLONE_THREAD | libc::CLONE_VM) as u64
        );
        assert_eq!(prot(3), (libc::PROT_READ | libc::PROT_WRITE) as u64);
        assert_eq!(
            map_flags(2 | 8),
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64
        );
        assert_eq!(fcntl_cmd(26), libc::F_DUPFD_CLOEXEC as u64);
        assert_eq!(to_linux("read", "flags", 77), 77);
    }
}
