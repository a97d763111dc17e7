//! proptest strategies for every record kind.

use proptest::prelude::*;
use syspect_capture::event::{
    Arg, ContainerInfo, Event, EventKind, FdInfo, FdKind, GroupInfo, L4Proto, Record, SockTuple,
    ThreadInfo, UserInfo,
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
            bytes()
        )
            .prop_map(|(old_tid, exe, args, cwd)| EventKind::Exec {
                old_tid,
                exe,
                args,
                cwd
            }),
        any::<i32>().prop_map(|status| EventKind::ThreadExit { status }),
        (any::<i32>(), any::<i32>(), any::<u32>()).prop_map(|(signo, code, sender)| {
            EventKind::Signal {
                signo,
                code,
                sender,
            }
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
            .prop_map(|(tid, uid, comm, args, start_ts)| Record::Thread(ThreadInfo {
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
            })),
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
            Record::Container(ContainerInfo {
                id: "0123456789ab".into(),
                runtime: "docker".into(),
                name,
                image: "busybox:latest".into(),
                image_id: "sha256:00".into(),
                labels: vec![("io.kubernetes.pod.name".into(), "web".into())],
                privileged,
                start_ts: 5,
                cgroup_id,
            })
        }),
    ]
}
