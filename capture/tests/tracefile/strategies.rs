//! proptest strategies for every record kind.

use proptest::prelude::*;
use syspect_capture::event::{
    Arg, ContainerInfo, Event, EventKind, Exec, FdInfo, FdKind, GroupInfo, L4Proto, Record,
    SockTuple, ThreadInfo, UserInfo,
};

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..40)
}

fn arb_arg() -> impl Strategy<Value = Arg> {
    let leaf = prop_oneof![
        any::<u64>().prop_map(Arg::Num),
        (0u64..20).prop_map(Arg::Num),
        (bytes(), any::<bool>()).prop_map(|(data, trunc)| Arg::Str { data, trunc }),
        (bytes(), any::<u64>()).prop_map(|(data, len)| Arg::Buf { data, len }),
        bytes().prop_map(Arg::Mem),
        (prop::collection::vec(bytes(), 0..4), any::<bool>())
            .prop_map(|(items, trunc)| Arg::StrList { items, trunc }),
        any::<u64>().prop_map(Arg::Fault),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(Arg::List)
    })
}

fn arb_kind() -> impl Strategy<Value = EventKind> {
    let args = || prop::collection::vec(arb_arg(), 0..6);
    prop_oneof![
        (any::<u16>(), args()).prop_map(|(nr, args)| EventKind::Enter { nr, args }),
        (any::<u16>(), any::<i64>(), args()).prop_map(|(nr, ret, args)| EventKind::Exit {
            nr,
            ret,
            args
        }),
        (any::<u32>(), any::<u32>(), any::<u64>()).prop_map(|(child_tid, child_pid, flags)| {
            EventKind::Clone {
                child_tid,
                child_pid,
                flags,
            }
        }),
        (
            any::<u32>(),
            bytes(),
            prop::collection::vec(bytes(), 0..4),
            bytes(),
            bytes(),
            bytes()
        )
            .prop_map(
                |(old_tid, exe, args, cwd, comm, cgroup)| EventKind::Exec(Box::new(Exec {
                    old_tid,
                    exe,
                    args,
                    cwd,
                    comm,
                    cgroup
                }))
            ),
        any::<i32>().prop_map(|status| EventKind::ThreadExit { status }),
        (
            any::<i32>(),
            any::<i32>(),
            any::<u32>(),
            proptest::collection::vec(any::<u8>(), 0..49)
        )
            .prop_map(|(signo, code, sender, info)| EventKind::Signal {
                signo,
                code,
                sender,
                info,
            }),
        (any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(cpu_ns, rss_kb, vsz_kb)| {
            EventKind::Sample {
                cpu_ns,
                rss_kb,
                vsz_kb,
            }
        }),
        (any::<u16>(), any::<u64>()).prop_map(|(cpu, count)| EventKind::Drops { cpu, count }),
        "[a-z_]{0,12}".prop_map(|name| EventKind::Other { name }),
        (
            any::<u16>(),
            any::<Option<i64>>(),
            any::<i32>(),
            any::<bool>()
        )
            .prop_map(|(nr, ret, signo, delayed)| EventKind::Injected {
                nr,
                ret,
                signo,
                delayed
            }),
        proptest::collection::vec(
            ("[a-z/]{0,8}", "[a-z_]{0,8}", any::<u64>(), any::<u64>()),
            0..4
        )
        .prop_map(|v| EventKind::Stack {
            frames: v
                .into_iter()
                .map(
                    |(m, symbol, offset, file_offset)| syspect_capture::event::Frame {
                        module: m.into_bytes(),
                        symbol,
                        offset,
                        file_offset,
                    }
                )
                .collect()
        }),
    ]
}

pub fn arb_record() -> impl Strategy<Value = Record> {
    let small_tid = 1u32..4;
    prop_oneof![
        4 => (any::<u64>(), prop_oneof![small_tid, any::<u32>()], any::<bool>(), prop_oneof![Just(0u16), any::<u16>()], arb_kind())
            .prop_map(|(ts, tid, same, cpu, kind)| Record::Event(Event {
                ts,
                tid,
                pid: if same { tid } else { tid ^ 1 },
                cpu,
                kind
            })),
        1 => (any::<u32>(), any::<u32>(), bytes(), prop::collection::vec(bytes(), 0..3), any::<u64>())
            .prop_map(|(tid, uid, comm, args, start_ts)| Record::Thread(Box::new(ThreadInfo {
                tid,
                pid: tid,
                ppid: 1,
                comm,
                exe: b"/bin/x".to_vec(),
                args,
                cwd: b"/".to_vec(),
                uid,
                gid: uid,
                cgroup: b"/docker/abc".to_vec(),
                start_ts,
                vtid: 1,
                vpid: 1,
                cpu_ns: start_ts >> 3,
                rss_kb: uid.into(),
                vsz_kb: u64::from(uid) << 1,
                pgid: tid ^ 1,
                sid: uid,
                tty: uid >> 3,
                loginuid: uid.wrapping_add(7),
            }))),
        1 => (any::<u32>(), any::<i32>(), bytes(), any::<bool>(), any::<u32>())
            .prop_map(|(pid, fd, name, sock, flags)| Record::Fd(FdInfo {
                pid,
                fd,
                kind: if sock { FdKind::Ipv4 } else { FdKind::File },
                name,
                sock: sock.then_some(SockTuple {
                    proto: L4Proto::Tcp,
                    local: ([7; 16], 80),
                    remote: ([0; 16], 0),
                }),
                flags,
            })),
        1 => (any::<u32>(), bytes()).prop_map(|(uid, name)| Record::User(UserInfo {
            uid,
            name,
            home: b"/root".to_vec(),
            shell: b"/bin/sh".to_vec(),
        })),
        1 => (any::<u32>(), bytes()).prop_map(|(gid, name)| Record::Group(GroupInfo { gid, name })),
        1 => (".{0,20}", any::<bool>(), any::<u64>()).prop_map(|(name, privileged, cgroup_id)| {
            Record::Container(Box::new(ContainerInfo {
                id: "0123456789ab".into(),
                runtime: "docker".into(),
                name,
                image: "busybox:latest".into(),
                image_id: "sha256:00".into(),
                labels: vec![("io.kubernetes.pod.name".into(), "web".into())],
                privileged,
                start_ts: 5,
                cgroup_id,
            }))
        }),
    ]
}

/// Records as the eBPF engine sends them: mostly calls whose exit follows their enter (some
/// of them back in time, on another CPU, or of another thread), their buffers and strings
/// often the bytes of earlier ones, among records of every kind.
pub fn arb_records() -> impl Strategy<Value = Vec<Record>> {
    let pool = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..12), 1..5);
    let blob = || (0usize..8, 0u8..3);
    let call = (
        0u64..1_000_000,
        prop_oneof![Just(0i64), -1_000i64..1_000_000],
        1u32..4,
        prop_oneof![4 => Just(0u8), 1 => 1u8..4],
        0u16..3,
        prop::collection::vec(blob(), 0..3),
        prop::collection::vec(blob(), 0..3),
    );
    let item = prop_oneof![
        1 => arb_record().prop_map(|r| (Some(r), None)),
        3 => call.prop_map(|c| (None, Some(c))),
    ];
    (pool, prop::collection::vec(item, 0..60)).prop_map(|(pool, items)| {
        let args = |picks: &[(usize, u8)]| -> Vec<Arg> {
            picks
                .iter()
                .map(|&(i, sort)| {
                    let data = pool[i % pool.len()].clone();
                    match sort {
                        0 => Arg::Buf {
                            len: data.len() as u64 + i as u64,
                            data,
                        },
                        1 => Arg::Mem(data),
                        _ => Arg::Str {
                            data,
                            trunc: i % 2 == 1,
                        },
                    }
                })
                .collect()
        };
        let mut ts = 1_700_000_000_000_000_000u64;
        let mut out = Vec::new();
        for (rec, call) in items {
            out.extend(rec);
            let Some((gap, dur, tid, odd, nr, enter, exit)) = call else {
                continue;
            };
            ts += gap;
            let ev = |ts, tid, cpu, kind| {
                Record::Event(Event {
                    ts,
                    tid,
                    pid: tid,
                    cpu,
                    kind,
                })
            };
            out.push(ev(
                ts,
                tid,
                0,
                EventKind::Enter {
                    nr,
                    args: args(&enter),
                },
            ));
            let exit = EventKind::Exit {
                nr: nr + (odd == 3) as u16,
                ret: dur,
                args: args(&exit),
            };
            let exit_ts = ts.wrapping_add_signed(dur);
            out.push(ev(
                exit_ts,
                tid + (odd == 2) as u32,
                (odd == 1) as u16,
                exit,
            ));
        }
        out
    })
}
