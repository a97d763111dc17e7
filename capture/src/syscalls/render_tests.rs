//! Calls built by hand as an engine captures them, checked against what `strace -f` 6.1
//! printed for the same calls (`ls -la /etc`, `cat`, `sh -c 'echo hi | wc -c'`, python3
//! start-up, a loopback TCP client and server).

use super::*;
use crate::syscalls::{number, table};

pub(super) fn n(v: u64) -> Arg {
    Arg::Num(v)
}
pub(super) fn neg(v: i64) -> Arg {
    Arg::Num(v as u64)
}
pub(super) fn s(v: &str) -> Arg {
    Arg::Str {
        data: v.as_bytes().to_vec(),
        trunc: false,
    }
}
pub(super) fn buf(v: &[u8], len: u64) -> Arg {
    Arg::Buf {
        data: v.to_vec(),
        len,
    }
}
pub(super) fn mem(v: Vec<u8>) -> Arg {
    Arg::Mem(v)
}
pub(super) fn le32(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
pub(super) fn le64(v: &[u64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
pub(super) fn inet(port: u16, a: [u8; 4]) -> Vec<u8> {
    let mut v = (libc::AF_INET as u16).to_ne_bytes().to_vec();
    v.extend_from_slice(&port.to_be_bytes());
    v.extend_from_slice(&a);
    v.extend_from_slice(&[0; 8]);
    v
}

/// `name(args) = ret` from the enter and exit argument lists, as a reader prints it.
pub(super) fn line(name: &str, enter: Vec<Arg>, exit: Vec<Arg>, ret: i64) -> String {
    set_string_limit(MAX_STRLEN);
    let desc = table::lookup(number(name).expect(name)).expect(name);
    let args = strace_call_args(desc, &enter, Some(&exit), Some(ret), Names::NONE);
    let merged = desc.merge_args(&enter, Some(&exit));
    format!(
        "{name}({args}) = {}",
        strace_ret_with_args(desc, &merged, ret)
    )
}

#[test]
fn files() {
    let o = (libc::O_RDONLY | libc::O_CLOEXEC) as u64;
    assert_eq!(
        line(
            "openat",
            vec![neg(-100), s("/etc/ld.so.cache"), n(o), n(0)],
            vec![],
            3
        ),
        r#"openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3"#
    );
    let o = (libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC) as u64;
    assert_eq!(
        line(
            "openat",
            vec![neg(-100), s("out"), n(o), n(0o666)],
            vec![],
            -13
        ),
        r#"openat(AT_FDCWD, "out", O_WRONLY|O_CREAT|O_TRUNC, 0666) = -1 EACCES (Permission denied)"#
    );
    assert_eq!(
        line("access", vec![s("/etc/ld.so.preload"), n(4)], vec![], -2),
        r#"access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)"#
    );
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0";
    assert_eq!(
        line("read", vec![n(3), n(832)], vec![buf(elf, 832)], 832),
        r#"read(3, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\0\0\0\0\0\0\0\0"..., 832) = 832"#
    );
    assert_eq!(
        line("read", vec![n(0), n(4096)], vec![buf(b"", 0)], 0),
        r#"read(0, "", 4096) = 0"#
    );
    assert_eq!(
        line(
            "pread64",
            vec![n(3), n(784), n(64)],
            vec![buf(&[6, 0, 0, 0], 784)],
            784
        ),
        r#"pread64(3, "\6\0\0\0"..., 784, 64) = 784"#
    );
    assert_eq!(
        line("write", vec![n(1), buf(b"hi\n", 3), n(3)], vec![], 3),
        r#"write(1, "hi\n", 3) = 3"#
    );
    assert_eq!(line("close", vec![n(3)], vec![], 0), "close(3) = 0");
    assert_eq!(
        line("close", vec![n(255)], vec![], -9),
        "close(255) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        line("lseek", vec![n(3), n(0), n(1)], vec![], 0),
        "lseek(3, 0, SEEK_CUR) = 0"
    );
    assert_eq!(
        line("fadvise64", vec![n(3), n(0), n(0), n(2)], vec![], 0),
        "fadvise64(3, 0, 0, POSIX_FADV_SEQUENTIAL) = 0"
    );
    assert_eq!(
        line(
            "readlink",
            vec![s("/etc/rmt"), n(14)],
            vec![buf(b"/usr/sbin/rmt", 13)],
            13
        ),
        r#"readlink("/etc/rmt", "/usr/sbin/rmt", 14) = 13"#
    );
    assert_eq!(
        line("getcwd", vec![n(4096)], vec![s("/tmp/st")], 8),
        r#"getcwd("/tmp/st", 4096) = 8"#
    );
    assert_eq!(
        line("chdir", vec![s("/tmp/st")], vec![], 0),
        r#"chdir("/tmp/st") = 0"#
    );
    assert_eq!(
        line(
            "faccessat2",
            vec![neg(-100), s("/usr/bin/python3"), n(1), n(0x200)],
            vec![],
            0
        ),
        r#"faccessat2(AT_FDCWD, "/usr/bin/python3", X_OK, AT_EACCESS) = 0"#
    );
    assert_eq!(
        line(
            "getxattr",
            vec![s("/etc"), s("system.posix_acl_access"), n(0), n(0)],
            vec![n(0)],
            -61
        ),
        r#"getxattr("/etc", "system.posix_acl_access", NULL, 0) = -1 ENODATA (No data available)"#
    );
    assert_eq!(
        line(
            "lgetxattr",
            vec![s("/etc"), s("security.selinux"), n(255)],
            vec![n(0x5616a9ecc640)],
            -61
        ),
        r#"lgetxattr("/etc", "security.selinux", 0x5616a9ecc640, 255) = -1 ENODATA (No data available)"#
    );
}

#[test]
fn stat_family() {
    let mut st = vec![0u8; 144];
    st[24..28].copy_from_slice(&0o100644u32.to_le_bytes());
    st[48..56].copy_from_slice(&35183i64.to_le_bytes());
    assert_eq!(
        line("newfstatat", vec![n(3), s(""), n(0x1000)], vec![mem(st)], 0),
        r#"newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=35183, ...}, AT_EMPTY_PATH) = 0"#
    );
    assert_eq!(
        line(
            "newfstatat",
            vec![neg(-100), s("/x"), n(0)],
            vec![n(0x7ffdf0fe4f80)],
            -2
        ),
        r#"newfstatat(AT_FDCWD, "/x", 0x7ffdf0fe4f80, 0) = -1 ENOENT (No such file or directory)"#
    );
    let mut stx = vec![0u8; 256];
    stx[0..4].copy_from_slice(&0x17ffu32.to_le_bytes());
    stx[28..30].copy_from_slice(&0o40755u16.to_le_bytes());
    stx[40..48].copy_from_slice(&4096u64.to_le_bytes());
    assert_eq!(
        line(
            "statx",
            vec![neg(-100), s("/etc"), n(0x900), n(0x25e)],
            vec![mem(stx)],
            0
        ),
        r#"statx(AT_FDCWD, "/etc", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, STATX_MODE|STATX_NLINK|STATX_UID|STATX_GID|STATX_MTIME|STATX_SIZE, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFDIR|0755, stx_size=4096, ...}) = 0"#
    );
    assert_eq!(
        line("statfs", vec![s("/selinux")], vec![n(0x7ffd162ce400)], -2),
        r#"statfs("/selinux", 0x7ffd162ce400) = -1 ENOENT (No such file or directory)"#
    );
}

#[test]
fn dirs_and_dup() {
    let mut d = Vec::new();
    for name in [&b"."[..], b"..", b"passwd"] {
        let reclen = (19 + name.len() + 1).div_ceil(8) * 8;
        let mut e = vec![0u8; reclen];
        e[16..18].copy_from_slice(&(reclen as u16).to_le_bytes());
        e[19..19 + name.len()].copy_from_slice(name);
        d.extend(e);
    }
    let len = d.len() as i64;
    assert_eq!(
        line("getdents64", vec![n(3), n(32768)], vec![mem(d)], len),
        "getdents64(3, /* 3 entries */, 32768) = 80"
    );
    assert_eq!(
        line("getdents64", vec![n(3), n(32768)], vec![mem(vec![])], 0),
        "getdents64(3, /* 0 entries */, 32768) = 0"
    );
    // the buffer's address, which engines keep after the exit's arguments
    assert_eq!(
        line(
            "getdents64",
            vec![n(3), n(32768)],
            vec![mem(vec![]), n(0x55d4c0a0f2c0)],
            0
        ),
        "getdents64(3, 0x55d4c0a0f2c0 /* 0 entries */, 32768) = 0"
    );
    assert_eq!(
        line("dup2", vec![n(3), n(255)], vec![], 255),
        "dup2(3, 255) = 255"
    );
    assert_eq!(
        line("pipe2", vec![n(0)], vec![mem(le32(&[3, 4]))], 0),
        "pipe2([3, 4], 0) = 0"
    );
    assert_eq!(
        line("pipe2", vec![n(0x80000)], vec![mem(le32(&[4, 5]))], 0),
        "pipe2([4, 5], O_CLOEXEC) = 0"
    );
}

#[test]
fn fcntl_and_ioctl() {
    assert_eq!(
        line("fcntl", vec![n(255), n(1), n(0)], vec![], -9),
        "fcntl(255, F_GETFD) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        line("fcntl", vec![n(255), n(2), n(1)], vec![], 0),
        "fcntl(255, F_SETFD, FD_CLOEXEC) = 0"
    );
    assert_eq!(
        line("fcntl", vec![n(255), n(3), n(0)], vec![], 0x8000),
        "fcntl(255, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)"
    );
    assert_eq!(
        line("fcntl", vec![n(3), n(1), n(0)], vec![], 1),
        "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)"
    );
    assert_eq!(
        line("fcntl", vec![n(0), n(1), n(0)], vec![], 0),
        "fcntl(0, F_GETFD) = 0"
    );
    assert_eq!(
        line("fcntl", vec![n(0), n(0), n(10)], vec![], 11),
        "fcntl(0, F_DUPFD, 10) = 11"
    );
    assert_eq!(
        line("ioctl", vec![n(1), n(0x5401)], vec![n(0x7ffd162ce340)], -25),
        "ioctl(1, TCGETS, 0x7ffd162ce340) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    let mut t = vec![0u8; 60];
    t[0..4].copy_from_slice(&0o2400u32.to_le_bytes());
    t[4..8].copy_from_slice(&0o5u32.to_le_bytes());
    t[8..12].copy_from_slice(&0o277u32.to_le_bytes());
    t[12..16].copy_from_slice(&0o105073u32.to_le_bytes());
    assert_eq!(
        line("ioctl", vec![n(0), n(0x5401)], vec![mem(t)], 0),
        "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0"
    );
    let mut w = vec![0u8; 60];
    w[0..2].copy_from_slice(&24u16.to_le_bytes());
    w[2..4].copy_from_slice(&80u16.to_le_bytes());
    assert_eq!(
        line("ioctl", vec![n(0), n(0x5413)], vec![mem(w)], 0),
        "ioctl(0, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0"
    );
    assert_eq!(
        line("ioctl", vec![n(3), n(0x5451)], vec![n(0)], 0),
        "ioctl(3, FIOCLEX) = 0"
    );
}

#[test]
fn memory() {
    assert_eq!(
        line("brk", vec![n(0)], vec![], 0x5616a9ec3000),
        "brk(NULL) = 0x5616a9ec3000"
    );
    assert_eq!(
        line(
            "mmap",
            vec![n(0), n(8192), n(3), n(0x22), neg(-1), n(0)],
            vec![],
            0x7f4427222000
        ),
        "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f4427222000"
    );
    assert_eq!(
        line(
            "mmap",
            vec![n(0x7efd51b45000), n(1400832), n(5), n(0x812), n(3), n(0x26000)],
            vec![],
            0x7efd51b45000
        ),
        "mmap(0x7efd51b45000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7efd51b45000"
    );
    assert_eq!(
        line(
            "mprotect",
            vec![n(0x7f44271d8000), n(16384), n(1)],
            vec![],
            0
        ),
        "mprotect(0x7f44271d8000, 16384, PROT_READ) = 0"
    );
    assert_eq!(
        line("munmap", vec![n(0x7f4427219000), n(35183)], vec![], 0),
        "munmap(0x7f4427219000, 35183) = 0"
    );
}

#[test]
fn process_startup() {
    assert_eq!(
        line(
            "execve",
            vec![
                s("/usr/bin/ls"),
                Arg::StrList {
                    items: vec![b"ls".to_vec(), b"-la".to_vec(), b"/etc".to_vec()],
                    trunc: false
                },
                Arg::StrList {
                    items: vec![b"A=1".to_vec(); 35],
                    trunc: false
                },
            ],
            vec![],
            0
        ),
        r#"execve("/usr/bin/ls", ["ls", "-la", "/etc"], /* 35 vars */) = 0"#
    );
    // the environment's address, which engines keep after the enter's arguments
    assert_eq!(
        line(
            "execve",
            vec![
                s("/bin/true"),
                Arg::StrList {
                    items: vec![b"true".to_vec()],
                    trunc: false
                },
                Arg::StrList {
                    items: vec![b"A=1".to_vec()],
                    trunc: false
                },
                n(0x7ffd5f6c1c48),
            ],
            vec![],
            0
        ),
        r#"execve("/bin/true", ["true"], 0x7ffd5f6c1c48 /* 1 var */) = 0"#
    );
    assert_eq!(
        line("arch_prctl", vec![n(0x1002), n(0x7f4426f6c800)], vec![], 0),
        "arch_prctl(ARCH_SET_FS, 0x7f4426f6c800) = 0"
    );
    assert_eq!(
        line("set_tid_address", vec![n(0x7f4426f6cad0)], vec![], 4960),
        "set_tid_address(0x7f4426f6cad0) = 4960"
    );
    assert_eq!(
        line("set_robust_list", vec![n(0x7f4426f6cae0), n(24)], vec![], 0),
        "set_robust_list(0x7f4426f6cae0, 24) = 0"
    );
    assert_eq!(
        line(
            "rseq",
            vec![n(0x7f4426f6d120), n(0x20), n(0), n(0x53053053)],
            vec![],
            0
        ),
        "rseq(0x7f4426f6d120, 0x20, 0, 0x53053053) = 0"
    );
    let rl = le64(&[8192 * 1024, u64::MAX]);
    assert_eq!(
        line("prlimit64", vec![n(0), n(3), n(0)], vec![mem(rl)], 0),
        "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0"
    );
    assert_eq!(
        line(
            "getrandom",
            vec![n(8), n(1)],
            vec![buf(&[0x9e, 0xe9, 0x82, 0x7a, 0x34, 0xb5, 0x77, 0x92], 8)],
            8
        ),
        r#"getrandom("\x9e\xe9\x82\x7a\x34\xb5\x77\x92", 8, GRND_NONBLOCK) = 8"#
    );
    assert_eq!(
        line(
            "futex",
            vec![n(0x7f44271dda4c), n(129), n(2147483647), n(0), n(0), n(0)],
            vec![],
            0
        ),
        "futex(0x7f44271dda4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0"
    );
    assert_eq!(
        line("futex", vec![n(0x7f44271dda4c), n(393), n(0), n(0), n(0), n(0xffffffff)], vec![], 0),
        "futex(0x7f44271dda4c, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, NULL, FUTEX_BITSET_MATCH_ANY) = 0"
    );
    assert_eq!(line("getuid", vec![], vec![], 0), "getuid() = 0");
    assert_eq!(
        line("exit_group", vec![n(0)], vec![], 0),
        "exit_group(0) = ?"
    );
    assert_eq!(
        line("umask", vec![n(0o22)], vec![], 0o22),
        "umask(022) = 022"
    );
    assert_eq!(line("umask", vec![n(0)], vec![], 0o22), "umask(000) = 022");
    let mut u = vec![0u8; 390];
    u[..5].copy_from_slice(b"Linux");
    u[65..67].copy_from_slice(b"vm");
    assert_eq!(
        line("uname", vec![], vec![mem(u)], 0),
        r#"uname({sysname="Linux", nodename="vm", ...}) = 0"#
    );
    let mut si = vec![0u8; 112];
    si[0..8].copy_from_slice(&324u64.to_le_bytes());
    si[8..32].copy_from_slice(&le64(&[22016, 14816, 6112]));
    si[32..40].copy_from_slice(&25276510208u64.to_le_bytes());
    si[80..82].copy_from_slice(&103u16.to_le_bytes());
    si[104..108].copy_from_slice(&1u32.to_le_bytes());
    assert_eq!(
        line("sysinfo", vec![], vec![mem(si)], 0),
        "sysinfo({uptime=324, loads=[22016, 14816, 6112], totalram=25276510208, freeram=0, sharedram=0, bufferram=0, totalswap=0, freeswap=0, procs=103, totalhigh=0, freehigh=0, mem_unit=1}) = 0"
    );
}

#[test]
fn signals_and_children() {
    let mut act = vec![0u8; 32];
    act[8..16].copy_from_slice(&0x1400_0000u64.to_le_bytes());
    act[16..24].copy_from_slice(&0x7f434374b050u64.to_le_bytes());
    let old = vec![0u8; 32];
    assert_eq!(
        line("rt_sigaction", vec![n(17), mem(act), n(8)], vec![mem(old)], 0),
        "rt_sigaction(SIGCHLD, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f434374b050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0"
    );
    assert_eq!(
        line(
            "rt_sigprocmask",
            vec![n(0), n(0), n(8)],
            vec![mem(vec![0; 8])],
            0
        ),
        "rt_sigprocmask(SIG_BLOCK, NULL, [], 8) = 0"
    );
    let all = !((1u64 << 31) | (1u64 << 32));
    assert_eq!(
        line(
            "rt_sigprocmask",
            vec![n(2), mem(all.to_le_bytes().to_vec()), n(8)],
            vec![n(0)],
            0
        ),
        "rt_sigprocmask(SIG_SETMASK, ~[RTMIN RT_1], NULL, 8) = 0"
    );
    assert_eq!(
        line("clone", vec![n(0x01200011), n(0), n(0), n(0x7f540d420a10), n(0)], vec![], 5172),
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f540d420a10) = 5172"
    );
    assert_eq!(
        line(
            "wait4",
            vec![neg(-1), n(1), n(0)],
            vec![mem(le32(&[0])), n(0)],
            5172
        ),
        "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], WNOHANG, NULL) = 5172"
    );
    assert_eq!(
        line(
            "wait4",
            vec![neg(-1), n(1), n(0)],
            vec![n(0x7ffdb939c290), n(0)],
            -10
        ),
        "wait4(-1, 0x7ffdb939c290, WNOHANG, NULL) = -1 ECHILD (No child processes)"
    );
    assert_eq!(
        line("kill", vec![n(18629), n(10)], vec![], 0),
        "kill(18629, SIGUSR1) = 0"
    );
    assert_eq!(
        strace_signal(17, 1, 5172, &[], Names::NONE),
        "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=5172} ---"
    );
}

#[test]
fn sockets() {
    assert_eq!(
        line("socket", vec![n(1), n(0x80801), n(0)], vec![], 3),
        "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3"
    );
    assert_eq!(
        line("socket", vec![n(2), n(0x80001), n(0)], vec![], 3),
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3"
    );
    assert_eq!(
        line("socket", vec![n(2), n(0x80001), n(6)], vec![], 4),
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 4"
    );
    let mut un = (libc::AF_UNIX as u16).to_ne_bytes().to_vec();
    un.extend_from_slice(b"/var/run/nscd/socket\0");
    un.resize(110, 0);
    assert_eq!(
        line("connect", vec![n(3), mem(un), n(110)], vec![], -2),
        r#"connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)"#
    );
    assert_eq!(
        line(
            "setsockopt",
            vec![n(3), n(1), n(2), mem(le32(&[1])), n(4)],
            vec![],
            0
        ),
        "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0"
    );
    assert_eq!(
        line(
            "bind",
            vec![n(3), mem(inet(0, [127, 0, 0, 1])), n(16)],
            vec![],
            0
        ),
        r#"bind(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}, 16) = 0"#
    );
    assert_eq!(
        line("listen", vec![n(3), n(1)], vec![], 0),
        "listen(3, 1) = 0"
    );
    assert_eq!(
        line(
            "getsockname",
            vec![n(3), mem(le32(&[16]))],
            vec![mem(inet(35931, [127, 0, 0, 1])), mem(le32(&[16]))],
            0
        ),
        r#"getsockname(3, {sa_family=AF_INET, sin_port=htons(35931), sin_addr=inet_addr("127.0.0.1")}, [16]) = 0"#
    );
    assert_eq!(
        line(
            "getsockname",
            vec![n(4), mem(le32(&[128]))],
            vec![mem(inet(35931, [127, 0, 0, 1])), mem(le32(&[16]))],
            0
        ),
        r#"getsockname(4, {sa_family=AF_INET, sin_port=htons(35931), sin_addr=inet_addr("127.0.0.1")}, [128 => 16]) = 0"#
    );
    assert_eq!(
        line(
            "getpeername",
            vec![n(3), mem(le32(&[16]))],
            vec![n(0x7ffcfee2a810), mem(le32(&[16]))],
            -107
        ),
        "getpeername(3, 0x7ffcfee2a810, [16]) = -1 ENOTCONN (Transport endpoint is not connected)"
    );
    // The same failure as an engine that gives the pointer for every argument at exit.
    assert_eq!(
        line(
            "getpeername",
            vec![n(3), mem(le32(&[16]))],
            vec![n(0x7ffcfee2a810), n(0x7ffcfee2a80c)],
            -107
        ),
        "getpeername(3, 0x7ffcfee2a810, [16]) = -1 ENOTCONN (Transport endpoint is not connected)"
    );
    assert_eq!(
        line(
            "accept4",
            vec![n(3), mem(le32(&[16])), n(0x80000)],
            vec![mem(inet(47196, [127, 0, 0, 1])), mem(le32(&[16]))],
            4
        ),
        r#"accept4(3, {sa_family=AF_INET, sin_port=htons(47196), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 4"#
    );
    assert_eq!(
        line(
            "sendto",
            vec![n(4), buf(b"hello\n", 6), n(6), n(0), n(0), n(0)],
            vec![],
            6
        ),
        r#"sendto(4, "hello\n", 6, 0, NULL, 0) = 6"#
    );
    assert_eq!(
        line(
            "recvfrom",
            vec![n(4), n(100), n(0), n(0)],
            vec![buf(b"hello\n", 6), n(0), n(0)],
            6
        ),
        r#"recvfrom(4, "hello\n", 100, 0, NULL, NULL) = 6"#
    );
    assert_eq!(
        line("epoll_create1", vec![n(0x80000)], vec![], 3),
        "epoll_create1(EPOLL_CLOEXEC) = 3"
    );
}

#[test]
fn waiting() {
    let mut p = le32(&[1]);
    p.extend_from_slice(&4u16.to_le_bytes());
    p.extend_from_slice(&4u16.to_le_bytes());
    assert_eq!(
        line("poll", vec![mem(p.clone()), n(1), n(10)], vec![mem(p)], 1),
        "poll([{fd=1, events=POLLOUT}], 1, 10) = 1 ([{fd=1, revents=POLLOUT}])"
    );
    let mut p0 = le32(&[5]);
    p0.extend_from_slice(&1u16.to_le_bytes());
    p0.extend_from_slice(&0u16.to_le_bytes());
    assert_eq!(
        line("poll", vec![mem(p0.clone()), n(1), n(1)], vec![mem(p0)], 0),
        "poll([{fd=5, events=POLLIN}], 1, 1) = 0 (Timeout)"
    );
    let mut set = vec![0u8; 128];
    set[0] = 1;
    let ts_in = le64(&[0, 10_000_000]);
    let ts_out = le64(&[0, 9_990_416]);
    assert_eq!(
        line(
            "pselect6",
            vec![n(1), mem(set.clone()), n(0), n(0), mem(ts_in), n(0)],
            vec![mem(set), n(0), n(0), mem(ts_out)],
            1
        ),
        "pselect6(1, [0], NULL, NULL, {tv_sec=0, tv_nsec=10000000}, NULL) = 1 (in [0], left {tv_sec=0, tv_nsec=9990416})"
    );
    assert_eq!(
        line(
            "clock_nanosleep",
            vec![n(0), n(0), mem(le64(&[0, 10_000_000])), n(0x7ffe0ac3b2d0)],
            vec![],
            0
        ),
        "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=10000000}, 0x7ffe0ac3b2d0) = 0"
    );
    let mut ev = 4u32.to_le_bytes().to_vec();
    ev.extend_from_slice(&140273631887361u64.to_le_bytes());
    assert_eq!(
        line("epoll_wait", vec![n(3), n(1023), n(10)], vec![mem(ev)], 1),
        "epoll_wait(3, [{events=EPOLLOUT, data={u32=1, u64=140273631887361}}], 1023, 10) = 1"
    );
    assert_eq!(
        line(
            "sched_getaffinity",
            vec![n(0), n(8)],
            vec![mem(vec![3, 0, 0, 0, 0, 0, 0, 0])],
            8
        ),
        "sched_getaffinity(0, 8, [0 1]) = 8"
    );
    assert_eq!(
        line(
            "getresuid",
            vec![],
            vec![mem(le32(&[0])), mem(le32(&[0])), mem(le32(&[0]))],
            0
        ),
        "getresuid([0], [0], [0]) = 0"
    );
}

/// strace -Y: pids named by their command where strace names them, and only there.
#[test]
fn pids_with_their_commands() {
    set_string_limit(MAX_STRLEN);
    let comm_of = |pid: i32| match pid {
        100 => Some("sh".to_string()),
        200 => Some("a<b>".to_string()),
        _ => None,
    };
    let names = Names {
        fds: None,
        pids: Some(&comm_of),
    };
    let show = |name: &str, enter: Vec<Arg>, exit: Vec<Arg>, ret: i64| {
        let desc = table::lookup(number(name).expect(name)).expect(name);
        let args = strace_call_args(desc, &enter, Some(&exit), Some(ret), names);
        let merged = desc.merge_args(&enter, Some(&exit));
        let ret = strace_ret_with_args(desc, &merged, ret);
        format!(
            "{name}({args}) = {}",
            name_pid_result(desc, &merged, ret.parse().unwrap_or(0), ret, names)
        )
    };
    assert_eq!(
        show("kill", vec![n(100), n(15)], vec![], 0),
        "kill(100<sh>, SIGTERM) = 0"
    );
    // a process group, every process, an unknown pid: bare
    assert_eq!(
        show("kill", vec![neg(-100), n(0)], vec![], 0),
        "kill(-100, 0) = 0"
    );
    assert_eq!(
        show("kill", vec![neg(-1), n(0)], vec![], 0),
        "kill(-1, 0) = 0"
    );
    assert_eq!(
        show("kill", vec![n(300), n(0)], vec![], 0),
        "kill(300, 0) = 0"
    );
    assert_eq!(
        show("tgkill", vec![n(100), n(200), n(10)], vec![], 0),
        "tgkill(100<sh>, 200<a\\74b\\76>, SIGUSR1) = 0"
    );
    assert_eq!(show("getpid", vec![], vec![], 100), "getpid() = 100<sh>");
    // setpgid's second argument is a process group: bare
    assert_eq!(
        show("setpgid", vec![n(100), n(100)], vec![], 0),
        "setpgid(100<sh>, 100) = 0"
    );
    // a result that is not a pid, and a failed call
    assert_eq!(
        show("getpgid", vec![n(100)], vec![], 100),
        "getpgid(100<sh>) = 100"
    );
    assert_eq!(
        show(
            "wait4",
            vec![neg(-1), n(1), n(0)],
            vec![n(0x7ffd_0000), n(0)],
            -10
        ),
        "wait4(-1, 0x7ffd0000, WNOHANG, NULL) = -1 ECHILD (No child processes)"
    );
    assert_eq!(
        strace_signal(17, 1, 100, &[], names),
        "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=100<sh>} ---"
    );
    // from a siginfo: a child killed by SIGTERM, its times in clock ticks
    let mut info = le32(&[17, 0, 2, 0, 100, 0, 15, 0]);
    info.extend_from_slice(&le64(&[0, 3]));
    assert_eq!(
        strace_signal(17, 2, 100, &info, names),
        "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=100<sh>, si_uid=0, \
         si_status=SIGTERM, si_utime=0, si_stime=3 /* 0.03 s */} ---"
    );
    // without -Y nothing changes
    assert_eq!(pid_with_name(100, Names::NONE), "100");
}

/// rt_sigreturn's mask: what the engines read at the signal frame (see SIGFRAME_MASK_OFFSET).
#[test]
fn rt_sigreturn_shows_the_mask_it_restores() {
    let term = 1u64 << (libc::SIGTERM - 1);
    assert_eq!(
        line("rt_sigreturn", vec![mem(le64(&[term]))], vec![], 0),
        "rt_sigreturn({mask=[TERM]}) = 0"
    );
}

/// wait4 that returned 0 (WNOHANG, no child changed state) wrote neither status nor rusage:
/// engines keep the pointers, which strace shows.
#[test]
fn wait4_of_nothing_wrote_no_outputs() {
    let wait4 = table::lookup(number("wait4").unwrap()).unwrap();
    assert!(!wait4.wrote_outputs(0));
    assert!(wait4.wrote_outputs(1234));
    assert!(!wait4.wrote_outputs(-10));
    let read = table::lookup(number("read").unwrap()).unwrap();
    assert!(read.wrote_outputs(0));
}

/// What `ss` and `ip` make (checked against strace 6.1): capabilities by name, netlink's
/// socket options, a netlink port id as strace prints it, signed.
#[test]
fn capabilities_and_netlink() {
    assert_eq!(
        line(
            "prctl",
            vec![n(libc::PR_CAPBSET_READ as u64), n(32)],
            vec![],
            1
        ),
        "prctl(PR_CAPBSET_READ, CAP_MAC_OVERRIDE) = 1"
    );
    assert_eq!(
        line(
            "prctl",
            vec![n(libc::PR_CAPBSET_READ as u64), n(0x30)],
            vec![],
            -22
        ),
        "prctl(PR_CAPBSET_READ, 0x30 /* CAP_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        line(
            "setsockopt",
            vec![n(3), n(270), n(11), mem(le32(&[1])), n(4)],
            vec![],
            0
        ),
        "setsockopt(3, SOL_NETLINK, NETLINK_EXT_ACK, [1], 4) = 0"
    );
    let mut nl = (libc::AF_NETLINK as u16).to_ne_bytes().to_vec();
    nl.extend_from_slice(&[0, 0]);
    nl.extend_from_slice(&(-715057081i32).to_ne_bytes());
    nl.extend_from_slice(&[0; 4]);
    assert_eq!(
        line(
            "getsockname",
            vec![n(4), mem(le32(&[12]))],
            vec![mem(nl), mem(le32(&[12]))],
            0
        ),
        "getsockname(4, {sa_family=AF_NETLINK, nl_pid=-715057081, nl_groups=00000000}, [12]) = 0"
    );
}
