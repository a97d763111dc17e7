//! The halves strace prints for an interrupted call (`<unfinished ...>`, `<... resumed>`),
//! calls not in the table, and the sysdig view of values.

use super::tests::{buf, inet, le32, line, mem, n, neg, s};
use super::*;
use crate::syscalls::table;

#[test]
fn unfinished_and_unknown() {
    let desc = table::lookup(61).expect("wait4");
    let enter = [neg(-1), n(0x7ffd), n(0)];
    let merged = desc.merge_args(&enter, None);
    assert_eq!(strace_args(desc, &merged, None), "-1");
    let read = table::lookup(0).expect("read");
    let enter = [n(0), n(4096)];
    assert_eq!(strace_args(read, &read.merge_args(&enter, None), None), "0");
    assert_eq!(strace_raw_args(&[n(1), n(0), n(0x7ffc)]), "0x1, 0, 0x7ffc");
    assert_eq!(
        strace_ret(None, -38),
        "-1 ENOSYS (Function not implemented)"
    );
    assert_eq!(
        strace_ret(None, -512),
        "? ERESTARTSYS (To be restarted if SA_RESTART is set)"
    );
    assert_eq!(strace_ret(None, -4000), "-1 (errno 4000)");
}

#[test]
fn sysdig_values() {
    let openat = table::lookup(257).expect("openat");
    let o = (libc::O_RDONLY | libc::O_CLOEXEC) as u64;
    assert_eq!(sysdig_value(&openat.args[0], &neg(-100)), "-100(AT_FDCWD)");
    assert_eq!(
        sysdig_value(&openat.args[1], &s("/etc/hosts")),
        "/etc/hosts"
    );
    assert_eq!(
        sysdig_value(&openat.args[2], &n(o)),
        "524288(O_RDONLY|O_CLOEXEC)"
    );
    assert_eq!(sysdig_value(&openat.args[3], &n(0o644)), "0644");
    assert_eq!(sysdig_value(&openat.args[3], &n(0)), "0");
    let mmap = table::lookup(9).expect("mmap");
    assert_eq!(
        sysdig_value(&mmap.args[0], &n(0x7f3a5b2c1000)),
        "7F3A5B2C1000"
    );
    assert_eq!(
        sysdig_value(&mmap.args[3], &n(0x22)),
        "34(MAP_PRIVATE|MAP_ANONYMOUS)"
    );
    let send = table::lookup(44).expect("sendto");
    assert_eq!(sysdig_value(&send.args[3], &n(0)), "0");
    let accept = table::lookup(43).expect("accept");
    assert_eq!(sysdig_value(&accept.args[2], &mem(le32(&[16]))), "16");
    let write = table::lookup(1).expect("write");
    assert_eq!(
        sysdig_value(&write.args[1], &buf(b"GET /\r\n", 7)),
        "GET /.."
    );
    let connect = table::lookup(42).expect("connect");
    assert_eq!(
        sysdig_value(&connect.args[1], &mem(inet(8080, [127, 0, 0, 1]))),
        "127.0.0.1:8080"
    );
    let kill = table::lookup(62).expect("kill");
    assert_eq!(sysdig_value(&kill.args[1], &n(15)), "15(SIGTERM)");
    assert_eq!(
        parse_sockaddr(&inet(80, [10, 0, 0, 1])),
        Some(SockAddr::Inet([10, 0, 0, 1], 80))
    );
}

#[test]
fn unfinished_resumed_and_lines() {
    let wait4 = table::lookup(61).expect("wait4");
    let enter = [neg(-1), n(1)];
    assert_eq!(strace_unfinished(wait4, &enter, Names::NONE), "-1, ");
    let exit = [mem(le32(&[0])), n(0)];
    assert_eq!(
        strace_resumed(wait4, Some(&enter), &exit, 5195, Names::NONE),
        "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], WNOHANG, NULL"
    );
    // Without the entry, the entry-only arguments are unknown.
    assert_eq!(
        strace_resumed(wait4, None, &exit, 5195, Names::NONE),
        "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], ?, NULL"
    );
    let ioctl = table::lookup(16).expect("ioctl");
    let enter = [n(0), n(0x5401)];
    assert_eq!(strace_unfinished(ioctl, &enter, Names::NONE), "0, TCGETS");
    assert_eq!(
        strace_resumed(ioctl, Some(&enter), &[n(0x7ffc1ce933e0)], -25, Names::NONE),
        ", 0x7ffc1ce933e0"
    );
    let close = table::lookup(3).expect("close");
    assert_eq!(strace_unfinished(close, &[n(3)], Names::NONE), "3");
    assert_eq!(
        strace_resumed(close, Some(&[n(3)]), &[], 0, Names::NONE),
        ""
    );
    let clone = table::lookup(56).expect("clone");
    let enter = [n(0x01200011), n(0), n(0), n(0x7f8fb91cfa10), n(0)];
    assert_eq!(
        strace_unfinished(clone, &enter, Names::NONE),
        "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
    );
    assert_eq!(
        strace_resumed(clone, Some(&enter), &[], 5195, Names::NONE),
        ", child_tidptr=0x7f8fb91cfa10"
    );
    // The two halves make the whole call, `[128 => 16]` included.
    let gsn = table::lookup(51).expect("getsockname");
    let enter = [n(4), mem(le32(&[128]))];
    let exit = [mem(inet(35931, [127, 0, 0, 1])), mem(le32(&[16]))];
    let whole = format!(
        "{}{}",
        strace_unfinished(gsn, &enter, Names::NONE),
        strace_resumed(gsn, Some(&enter), &exit, 0, Names::NONE)
    );
    assert_eq!(
        whole,
        strace_call_args(gsn, &enter, Some(&exit), Some(0), Names::NONE)
    );
    assert!(whole.ends_with("[128 => 16]"), "{whole}");
    assert_eq!(
        strace_line("", "close(3)", "0"),
        "close(3)                                = 0"
    );
    assert_eq!(
        strace_line("4960  ", "close(3)", "0"),
        "4960  close(3)                          = 0"
    );
    assert_eq!(
        strace_line(
            "",
            r#"openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC)"#,
            "3"
        ),
        r#"openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3"#
    );
}

#[test]
fn messages_and_times() {
    let mut m = vec![0u8; 56];
    m[0..8].copy_from_slice(&0x7ffc0000u64.to_le_bytes());
    m[8..12].copy_from_slice(&110u32.to_le_bytes());
    m[16..24].copy_from_slice(&0x7ffc1000u64.to_le_bytes());
    m[24..32].copy_from_slice(&1u64.to_le_bytes());
    let mut out = m.clone();
    out[8..12].copy_from_slice(&0u32.to_le_bytes());
    assert_eq!(
        line("recvmsg", vec![n(8), mem(m), n(0)], vec![mem(out)], 3),
        "recvmsg(8, {msg_name=0x7ffc0000, msg_namelen=110 => 0, msg_iov=0x7ffc1000, msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 3"
    );
    let t: Vec<u8> = [1i64, 0, 2, 0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    assert_eq!(
        line(
            "utimensat",
            vec![neg(-100), s("many.dir/f"), mem(t), n(0)],
            vec![],
            0
        ),
        r#"utimensat(AT_FDCWD, "many.dir/f", [{tv_sec=1, tv_nsec=0} /* 1970-01-01T00:00:01+0000 */, {tv_sec=2, tv_nsec=0} /* 1970-01-01T00:00:02+0000 */], 0) = 0"#
    );
}

#[test]
fn clone3_whole_and_in_halves() {
    let mut c = vec![0u8; 88];
    c[0..8].copy_from_slice(&0x3d0f00u64.to_le_bytes());
    c[48..56].copy_from_slice(&0x7fff80u64.to_le_bytes());
    let whole = line("clone3", vec![mem(c.clone()), n(88)], vec![], 27619);
    assert!(
        whole.ends_with("tls=NULL} => {parent_tid=[27619]}, 88) = 27619"),
        "{whole}"
    );
    let d = table::lookup(435).expect("clone3");
    let enter = [mem(c), n(88)];
    let head = strace_unfinished(d, &enter, Names::NONE);
    assert!(head.ends_with("tls=NULL}"), "{head}");
    assert_eq!(
        strace_resumed(d, Some(&enter), &[], 27619, Names::NONE),
        " => {parent_tid=[27619]}, 88"
    );
}

#[test]
fn in_out_arguments_print_at_exit() {
    let mut m = vec![0u8; 56];
    m[8..12].copy_from_slice(&110u32.to_le_bytes());
    let mut out = m.clone();
    out[8..12].copy_from_slice(&0u32.to_le_bytes());
    let d = table::lookup(47).expect("recvmsg");
    let enter = [n(8), mem(m), n(0)];
    assert_eq!(strace_unfinished(d, &enter, Names::NONE), "8, ");
    assert_eq!(
        strace_resumed(d, Some(&enter), &[mem(out)], 3, Names::NONE),
        "{msg_name=NULL, msg_namelen=110 => 0, msg_iov=NULL, msg_iovlen=0, msg_controllen=0, msg_flags=0}, 0"
    );
    let d = table::lookup(157).expect("prctl");
    let enter = [n(16), s("stale"), n(0), n(0), n(0)];
    assert_eq!(strace_unfinished(d, &enter, Names::NONE), "PR_GET_NAME, ");
    assert_eq!(
        strace_resumed(d, Some(&enter), &[s("cmany")], 0, Names::NONE),
        r#""cmany""#
    );
    let d = table::lookup(7).expect("poll");
    let mut p = le32(&[5]);
    p.extend_from_slice(&[1, 0, 0, 0]);
    let enter = [mem(p), n(1), n(0)];
    assert_eq!(
        strace_unfinished(d, &enter, Names::NONE),
        "[{fd=5, events=POLLIN}], 1, 0"
    );
}
