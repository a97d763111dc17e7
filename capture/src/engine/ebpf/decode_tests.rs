//! Tests of [`super`]: records built byte by byte as the kernel program writes them.

use super::*;

fn bytes<T>(v: &T) -> Vec<u8> {
    // SAFETY: T is a #[repr(C)] struct of integers without implicit padding.
    unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), size_of::<T>()) }.to_vec()
}

fn hdr(kind: u16, nr: u16, nitems: u8) -> Hdr {
    Hdr {
        ts: 1000,
        cgroup: 7,
        tid: 11,
        pid: 10,
        kind,
        cpu: 1,
        nr,
        nitems,
        flags: 0,
    }
}

fn item(arg: u8, kind: u8, flags: u8, real: u64, data: &[u8]) -> Vec<u8> {
    let mut v = bytes(&Item {
        real,
        len: data.len() as u32,
        arg,
        kind,
        flags,
        pad: 0,
    });
    v.extend_from_slice(data);
    v
}

fn dec() -> Decoder {
    Decoder { boot_offset: 5 }
}

#[test]
fn openat_enter_has_dirfd_path_flags_mode() {
    let mut b = bytes(&SyscallRec {
        hdr: hdr(rec::ENTER, 257, 1),
        regs: [(-100i64) as u64, 0x7000, 0o2000000, 0, 0, 0],
        ret: 0,
    });
    b.extend(item(1, item::STR, 0, 0, b"/etc/hostname"));
    let d = dec().decode(&b).unwrap();
    assert_eq!(d.cgroup, 7);
    assert_eq!(
        d.event,
        Event {
            ts: 1005,
            tid: 11,
            pid: 10,
            cpu: 1,
            kind: EventKind::Enter {
                nr: 257,
                args: vec![
                    Arg::Num((-100i64) as u64),
                    Arg::Str {
                        data: b"/etc/hostname".to_vec(),
                        trunc: false
                    },
                    Arg::Num(0o2000000),
                    Arg::Num(0),
                ]
            }
        }
    );
}

/// getdents64's buffer is read and its address kept after the exit's arguments, which strace
/// prints beside the entries (see SyscallDesc::kept_pointer); not when nothing was read.
#[test]
fn getdents_exit_keeps_the_buffers_address() {
    let mut b = bytes(&SyscallRec {
        hdr: hdr(rec::EXIT, 217, 1),
        regs: [3, 0x5000, 32768, 0, 0, 0],
        ret: 4,
    });
    b.extend(item(1, item::MEM, 0, 4, b"abcd"));
    assert_eq!(
        dec().decode(&b).unwrap().event.kind,
        EventKind::Exit {
            nr: 217,
            ret: 4,
            args: vec![Arg::Mem(b"abcd".to_vec()), Arg::Num(0x5000)]
        }
    );
    let b = bytes(&SyscallRec {
        hdr: hdr(rec::EXIT, 217, 0),
        regs: [3, 0x5000, 32768, 0, 0, 0],
        ret: -9,
    });
    assert_eq!(
        dec().decode(&b).unwrap().event.kind,
        EventKind::Exit {
            nr: 217,
            ret: -9,
            args: vec![Arg::Num(0x5000)]
        }
    );
}

#[test]
fn read_exit_has_buffer_and_failed_read_has_pointer() {
    let mut b = bytes(&SyscallRec {
        hdr: hdr(rec::EXIT, 0, 1),
        regs: [3, 0x5000, 100, 0, 0, 0],
        ret: 4,
    });
    b.extend(item(1, item::BUF, 0, 4, b"abcd"));
    let d = dec().decode(&b).unwrap();
    assert_eq!(
        d.event.kind,
        EventKind::Exit {
            nr: 0,
            ret: 4,
            args: vec![Arg::Buf {
                data: b"abcd".to_vec(),
                len: 4
            }]
        }
    );
    let b = bytes(&SyscallRec {
        hdr: hdr(rec::EXIT, 0, 0),
        regs: [3, 0x5000, 100, 0, 0, 0],
        ret: -9,
    });
    let d = dec().decode(&b).unwrap();
    assert_eq!(
        d.event.kind,
        EventKind::Exit {
            nr: 0,
            ret: -9,
            args: vec![Arg::Num(0x5000)]
        }
    );
}

#[test]
fn a_retried_string_is_patched_into_its_held_enter() {
    let mut h = hdr(rec::ENTER, 257, 1);
    h.flags = syspect_ebpf::hdr::RETRY;
    let mut b = bytes(&SyscallRec {
        hdr: h,
        regs: [0, 0x7000, 0, 0, 0, 0],
        ret: 0,
    });
    b.extend(item(1, item::FAULT, 0, 0x7000, b""));
    let enter = dec().decode(&b).unwrap();
    assert_eq!(enter.flags, syspect_ebpf::hdr::RETRY);
    let mut h = hdr(rec::EXIT, 257, 1);
    h.flags = syspect_ebpf::hdr::RETRIED;
    let mut b = bytes(&SyscallRec {
        hdr: h,
        regs: [0, 0x7000, 0, 0, 0, 0],
        ret: 3,
    });
    b.extend(item(1 | item::REDO, item::STR, 0, 0, b"/etc/passwd"));
    let exit = dec().decode(&b).unwrap();
    assert_eq!(
        exit.event.kind,
        EventKind::Exit {
            nr: 257,
            ret: 3,
            args: vec![]
        }
    );
    let mut ev = enter.event;
    patch_enter(&mut ev, exit.redo);
    let EventKind::Enter { args, .. } = &ev.kind else {
        panic!("not an enter");
    };
    assert_eq!(
        args[1],
        Arg::Str {
            data: b"/etc/passwd".to_vec(),
            trunc: false
        }
    );
}

#[test]
fn a_call_record_gives_its_enter_then_its_exit() {
    // write(1, "hi", 2) = 2: the enter's buffer item, no exit item
    let mut h = hdr(rec::CALL, 1, 1);
    h.ts = 2000;
    let mut b = bytes(&CallRec {
        sys: SyscallRec {
            hdr: h,
            regs: [1, 0x5000, 2, 0, 0, 0],
            ret: 2,
        },
        enter_ts: 1500,
        enter_cpu: 0,
        enter_items: 1,
        enter_flags: 0,
        pad: 0,
    });
    b.extend(item(1, item::BUF, 0, 2, b"hi"));
    let d = dec().decode(&b).unwrap();
    let enter = d.enter.expect("the call's enter");
    assert_eq!((enter.ts, enter.cpu, enter.tid), (1505, 0, 11));
    assert_eq!(
        enter.kind,
        EventKind::Enter {
            nr: 1,
            args: vec![
                Arg::Num(1),
                Arg::Buf {
                    data: b"hi".to_vec(),
                    len: 2
                },
                Arg::Num(2)
            ]
        }
    );
    assert_eq!((d.event.ts, d.event.cpu), (2005, 1));
    assert_eq!(
        d.event.kind,
        EventKind::Exit {
            nr: 1,
            ret: 2,
            args: vec![]
        }
    );
    // openat whose path faulted at enter: the exit's re-read patches the enter
    let mut h = hdr(rec::CALL, 257, 2);
    h.flags = syspect_ebpf::hdr::RETRIED;
    let mut b = bytes(&CallRec {
        sys: SyscallRec {
            hdr: h,
            regs: [0, 0x7000, 0, 0, 0, 0],
            ret: 3,
        },
        enter_ts: 900,
        enter_cpu: 1,
        enter_items: 1,
        enter_flags: syspect_ebpf::hdr::RETRY,
        pad: 0,
    });
    b.extend(item(1, item::FAULT, 0, 0x7000, b""));
    b.extend(item(1 | item::REDO, item::STR, 0, 0, b"/etc/passwd"));
    let d = dec().decode(&b).unwrap();
    let EventKind::Enter { args, .. } = d.enter.expect("an enter").kind else {
        panic!("not an enter");
    };
    assert_eq!(
        args[1],
        Arg::Str {
            data: b"/etc/passwd".to_vec(),
            trunc: false
        }
    );
    assert!(d.redo.is_empty());
    // more enter items than items: an error, not a panic
    let mut short = hdr(rec::CALL, 1, 1);
    short.nitems = 1;
    let b = bytes(&CallRec {
        sys: SyscallRec {
            hdr: short,
            regs: [0; 6],
            ret: 0,
        },
        enter_items: 3,
        ..CallRec::default()
    });
    assert!(dec().decode(&b).is_err());
    assert!(dec().decode(&b[..100]).is_err());
}

#[test]
fn exit_arguments_of_a_failed_call_are_their_pointers() {
    // poll(fds: in/out, nfds, timeout) failing with EINTR
    let b = bytes(&SyscallRec {
        hdr: hdr(rec::EXIT, 7, 0),
        regs: [0x7000, 1, 100, 0, 0, 0],
        ret: -4,
    });
    assert_eq!(
        dec().decode(&b).unwrap().event.kind,
        EventKind::Exit {
            nr: 7,
            ret: -4,
            args: vec![Arg::Num(0x7000)]
        }
    );
}

#[test]
fn a_null_pointer_is_its_number_as_in_the_ptrace_engine() {
    let mut b = bytes(&SyscallRec {
        hdr: hdr(rec::ENTER, 257, 1),
        regs: [3, 0, 0, 0, 0, 0],
        ret: 0,
    });
    b.extend(item(1, item::FAULT, 0, 0, b""));
    let EventKind::Enter { args, .. } = dec().decode(&b).unwrap().event.kind else {
        panic!("not an enter");
    };
    assert_eq!(args[1], Arg::Num(0));
}

#[test]
fn undescribed_syscall_has_six_registers_at_enter_and_none_at_exit() {
    let b = bytes(&SyscallRec {
        hdr: hdr(rec::ENTER, 511, 0),
        regs: [1, 2, 3, 4, 5, 6],
        ret: 0,
    });
    let d = dec().decode(&b).unwrap();
    assert_eq!(
        d.event.kind,
        EventKind::Enter {
            nr: 511,
            args: (1..=6).map(Arg::Num).collect()
        }
    );
    let b = bytes(&SyscallRec {
        hdr: hdr(rec::EXIT, 511, 0),
        regs: [1, 2, 3, 4, 5, 6],
        ret: 0,
    });
    assert_eq!(
        dec().decode(&b).unwrap().event.kind,
        EventKind::Exit {
            nr: 511,
            ret: 0,
            args: vec![]
        }
    );
}

#[test]
fn strlist_iovec_and_fault_items_decode() {
    let it = Item {
        real: 2,
        len: 0,
        arg: 0,
        kind: item::STRLIST,
        flags: item::TRUNC,
        pad: 0,
    };
    let data = [&[2u8, 0][..], b"sh", &[2, 0], b"-c"].concat();
    assert_eq!(
        item_arg(&it, &data, &mut ArgPool::default()),
        Some(Arg::StrList {
            items: vec![b"sh".to_vec(), b"-c".to_vec()],
            trunc: true
        })
    );
    assert_eq!(item_arg(&it, &[9, 0, b'x'], &mut ArgPool::default()), None);
    let iov = Item {
        kind: item::IOVEC,
        ..it
    };
    let mut data = bytes(&Iov {
        real: 10,
        len: 3,
        flags: 0,
    });
    data.extend_from_slice(b"abc");
    assert_eq!(
        item_arg(&iov, &data, &mut ArgPool::default()),
        Some(Arg::List(vec![Arg::Buf {
            data: b"abc".to_vec(),
            len: 10
        }]))
    );
    let f = Item {
        kind: item::FAULT,
        real: 0xdead,
        ..it
    };
    assert_eq!(
        item_arg(&f, &[], &mut ArgPool::default()),
        Some(Arg::Fault(0xdead))
    );
}

#[test]
fn message_items_decode_into_header_name_control_and_iovecs() {
    let it = Item {
        real: 2,
        len: 0,
        arg: 1,
        kind: item::MSGS,
        flags: 0,
        pad: 0,
    };
    let mut hdr = [0u64; 8];
    hdr[0] = 0x1000; // msg_name
    hdr[1] = 2; // msg_namelen
    let mut data = bytes(&Msg {
        hdr,
        name_len: 2,
        ctl_len: 1,
        iovs: 1,
        hdr_len: 56,
        flags: 0,
    });
    data.extend_from_slice(b"nmc");
    data.extend(bytes(&Iov {
        real: 64,
        len: 2,
        flags: 0,
    }));
    data.extend_from_slice(b"hi");
    // a receiving call's enter: its header alone
    data.extend(bytes(&Msg {
        hdr: [7; 8],
        hdr_len: 64,
        flags: MSG_HDR_ONLY,
        ..Msg::default()
    }));
    let head: Vec<u8> = hdr.iter().flat_map(|w| w.to_ne_bytes()).take(56).collect();
    let got = item_arg(&it, &data, &mut ArgPool::default());
    assert_eq!(
        got,
        Some(Arg::List(vec![
            Arg::List(vec![
                Arg::Mem(head),
                Arg::Mem(b"nm".to_vec()),
                Arg::Mem(b"c".to_vec()),
                Arg::List(vec![Arg::Buf {
                    data: b"hi".to_vec(),
                    len: 64
                }]),
            ]),
            Arg::List(vec![Arg::Mem(
                [7u64; 8].iter().flat_map(|w| w.to_ne_bytes()).collect()
            )]),
        ]))
    );
    // an iovec running past the item, a header cut short: broken, not a panic
    for cut in [1, 3, size_of::<Msg>() + 2] {
        let short = &data[..data.len() - cut];
        let whole_msgs = data.len() - size_of::<Msg>();
        if short.len() != whole_msgs {
            assert_eq!(item_arg(&it, short, &mut ArgPool::default()), None, "{cut}");
        }
    }
}

#[test]
fn counts_past_what_an_item_kept_follow_the_kept_pointer() {
    // getdents64's exit: 4096 bytes of a 16848-byte result, and the kernel's count of it
    let mut b = bytes(&SyscallRec {
        hdr: hdr(rec::EXIT, 217, 2),
        regs: [3, 0x5000, 32768, 0, 0, 0],
        ret: 16848,
    });
    b.extend(item(1, item::MEM, 0, 16848, &[0; 24]));
    b.extend(item(1, item::COUNT, 0, 302, &[]));
    let EventKind::Exit { args, .. } = dec().decode(&b).unwrap().event.kind else {
        panic!("not an exit")
    };
    assert_eq!(args[1..], [Arg::Num(0x5000), Arg::Num(302)]);
    // execve's environment: 2 strings kept of 300 counted
    let mut b = bytes(&SyscallRec {
        hdr: hdr(rec::ENTER, 59, 1),
        regs: [0, 0, 0x7000, 0, 0, 0],
        ret: 0,
    });
    let data = [&[1u8, 0][..], b"A", &[1, 0], b"B"].concat();
    b.extend(item(2, item::STRLIST, item::TRUNC, 300, &data));
    let EventKind::Enter { args, .. } = dec().decode(&b).unwrap().event.kind else {
        panic!("not an enter")
    };
    assert_eq!(args[3..], [Arg::Num(0x7000), Arg::Num(300)]);
}

#[test]
fn short_and_broken_records_are_errors() {
    assert!(dec().decode(&[1, 2, 3]).is_err());
    let mut b = bytes(&SyscallRec {
        hdr: hdr(rec::ENTER, 257, 1),
        regs: [0; 6],
        ret: 0,
    });
    b.extend(item(1, item::STR, 0, 0, b"/etc/hostname"));
    b.truncate(b.len() - 3);
    assert_eq!(dec().decode(&b).err(), Some(DecodeError::Item { nr: 257 }));
    let b = bytes(&hdr(99, 0, 0));
    assert_eq!(dec().decode(&b).err(), Some(DecodeError::Kind(99)));
    let b = bytes(&hdr(rec::CLONE, 0, 0));
    assert!(matches!(dec().decode(&b), Err(DecodeError::Short { .. })));
}

#[test]
fn lifecycle_records_decode() {
    let b = bytes(&CloneRec {
        hdr: hdr(rec::CLONE, 0, 0),
        flags: 0x11,
        child_tid: 20,
        child_pid: 20,
    });
    assert_eq!(
        dec().decode(&b).unwrap().event.kind,
        EventKind::Clone {
            child_tid: 20,
            child_pid: 20,
            flags: 0x11
        }
    );
    let b = bytes(&ThreadExitRec {
        hdr: hdr(rec::THREAD_EXIT, 0, 0),
        status: 256,
        pad: 0,
    });
    assert_eq!(
        dec().decode(&b).unwrap().event.kind,
        EventKind::ThreadExit { status: 256 }
    );
    // the union as the kernel fills it for a SIGCHLD: pid, uid, status, utime, stime
    let mut fields = [0u8; 32];
    fields[..4].copy_from_slice(&4242i32.to_ne_bytes());
    fields[8..12].copy_from_slice(&3i32.to_ne_bytes());
    fields[16..24].copy_from_slice(&7u64.to_ne_bytes());
    let b = bytes(&SignalRec {
        hdr: hdr(rec::SIGNAL, 0, 0),
        signo: 17,
        code: 1,
        sender: 4242,
        err: 0,
        fields,
    });
    let mut info = Vec::new();
    for w in [17i32, 0, 1, 0] {
        info.extend_from_slice(&w.to_ne_bytes());
    }
    info.extend_from_slice(&fields);
    assert_eq!(
        dec().decode(&b).unwrap().event.kind,
        EventKind::Signal {
            signo: 17,
            code: 1,
            sender: 4242,
            info,
        }
    );
    // a record cut short is an error, not a signal of garbage
    assert!(dec().decode(&b[..72]).is_err());
    // pid u32::MAX has no /proc entry: cwd stays empty
    let mut h = hdr(rec::EXEC, 0, 0);
    h.pid = u32::MAX;
    let mut b = bytes(&ExecRec {
        hdr: h,
        old_tid: 11,
        len: 7,
        args_len: 9,
        ..ExecRec::default()
    });
    b.extend_from_slice(b"/bin/sh");
    b.extend_from_slice(b"sh\0-c\0ls\0");
    let sh = std::fs::canonicalize("/bin/sh").unwrap();
    assert_eq!(
        dec().decode(&b).unwrap().event.kind,
        EventKind::Exec(Box::new(Exec {
            old_tid: 11,
            exe: sh.into_os_string().into_encoded_bytes(),
            args: vec![b"sh".to_vec(), b"-c".to_vec(), b"ls".to_vec()],
            cwd: vec![],
            comm: vec![],
            cgroup: vec![],
        }))
    );
    b.truncate(b.len() - 1);
    assert!(dec().decode(&b).is_err());

    // the kernel walked the paths: components from the last, each NUL-terminated; an empty
    // walk is the root (no cgroup: the root names no container)
    let mut h = hdr(rec::EXEC, 0, 0);
    h.pid = u32::MAX;
    h.flags = syspect_ebpf::hdr::CWD | syspect_ebpf::hdr::EXE | syspect_ebpf::hdr::CGROUP;
    let mut comm = [0u8; 16];
    comm[..2].copy_from_slice(b"ls");
    let exec = ExecRec {
        hdr: h,
        old_tid: 11,
        len: 2,
        args_len: 3,
        cwd_len: 0,
        exe_len: 11,
        cgroup_len: 11,
        comm,
        ..ExecRec::default()
    };
    let mut b = bytes(&exec);
    b.extend_from_slice(b"ls");
    b.extend_from_slice(b"ls\0");
    b.extend_from_slice(b"ls\0bin\0usr\0");
    b.extend_from_slice(b"abc\0docker\0");
    let want = EventKind::Exec(Box::new(Exec {
        old_tid: 11,
        exe: b"/usr/bin/ls".to_vec(),
        args: vec![b"ls".to_vec()],
        cwd: b"/".to_vec(),
        comm: b"ls".to_vec(),
        cgroup: b"/docker/abc".to_vec(),
    }));
    assert_eq!(dec().decode(&b).unwrap().event.kind, want);
    let mut root = bytes(&ExecRec {
        cgroup_len: 0,
        ..exec
    });
    root.extend_from_slice(&b[size_of::<ExecRec>()..b.len() - 11]);
    let EventKind::Exec(x) = dec().decode(&root).unwrap().event.kind else {
        panic!("an exec")
    };
    assert!(x.cgroup.is_empty());
    b.truncate(b.len() - 1);
    assert!(dec().decode(&b).is_err());
}

#[test]
fn boot_offset_is_close_to_the_boot_time() {
    let off = boot_offset();
    // booted after 2000 and not in the future
    assert!(off > 946_684_800_000_000_000);
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    assert!(off < ts.tv_sec * 1_000_000_000);
}
