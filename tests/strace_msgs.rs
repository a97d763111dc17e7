//! sendmsg, recvmsg, sendmmsg and recvmmsg with what their messages point at — the name, the
//! iovecs' data, the control messages (passed fds, credentials) — and readv's iovecs against
//! Debian's strace on the same program, both engines; the data reaching `evt.buffer` and
//! `echo-fds`; a UDP socket named by its datagrams' peer.

use std::process::Command;

use regex::Regex;

use crate::util::*;

/// Unix datagrams with two iovecs, one with two fds passed and read back, a receive that
/// fails, credentials, data longer than strace's 32 bytes, and UDP on loopback with names:
/// one sendmsg, a sendmmsg of two, a recvmmsg of three.
const PROGRAM: &str = r#"
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
int main(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    char a[] = "hello ", b[] = "world\n";
    struct iovec iov[2] = {{a, 6}, {b, 6}};
    struct msghdr m; memset(&m, 0, sizeof m);
    m.msg_iov = iov; m.msg_iovlen = 2;
    sendmsg(sv[0], &m, 0);
    union { struct cmsghdr h; char buf[CMSG_SPACE(2 * sizeof(int))]; } c;
    memset(&c, 0, sizeof c);
    m.msg_control = c.buf; m.msg_controllen = sizeof c.buf;
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET; h->cmsg_type = SCM_RIGHTS; h->cmsg_len = CMSG_LEN(2 * sizeof(int));
    int fds[2] = {0, 1}; memcpy(CMSG_DATA(h), fds, sizeof fds);
    sendmsg(sv[0], &m, MSG_DONTWAIT);
    char r1[64], r2[4];
    struct iovec riov[2] = {{r2, 4}, {r1, 64}};
    struct msghdr rm; memset(&rm, 0, sizeof rm);
    struct sockaddr_un from; rm.msg_name = &from; rm.msg_namelen = sizeof from;
    rm.msg_iov = riov; rm.msg_iovlen = 2;
    recvmsg(sv[1], &rm, 0);
    char cbuf[64]; rm.msg_control = cbuf; rm.msg_controllen = sizeof cbuf;
    rm.msg_namelen = sizeof from;
    recvmsg(sv[1], &rm, 0);
    rm.msg_controllen = 0; rm.msg_control = 0;
    recvmsg(sv[1], &rm, MSG_DONTWAIT);                       /* EAGAIN */
    int one = 1; setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
    char longer[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
    struct iovec liov = {longer, sizeof longer - 1};
    m.msg_iov = &liov; m.msg_iovlen = 1; m.msg_control = 0; m.msg_controllen = 0;
    sendmsg(sv[0], &m, 0);
    struct iovec niov = {0, 0};                              /* a size query: NULL iov_base */
    rm.msg_iov = &niov; rm.msg_iovlen = 1; rm.msg_name = 0; rm.msg_namelen = 0;
    recvmsg(sv[1], &rm, MSG_PEEK | MSG_TRUNC);
    char big[128]; struct iovec biov = {big, sizeof big};
    rm.msg_iov = &biov; rm.msg_iovlen = 1; rm.msg_control = cbuf; rm.msg_controllen = sizeof cbuf;
    rm.msg_name = 0; rm.msg_namelen = 0;
    recvmsg(sv[1], &rm, 0);                                  /* SCM_CREDENTIALS */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin; memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET; sin.sin_addr.s_addr = htonl(0x7f000001);
    bind(u, (void *)&sin, sizeof sin);
    socklen_t sl = sizeof sin; getsockname(u, (void *)&sin, &sl);
    struct msghdr um; memset(&um, 0, sizeof um);
    um.msg_name = &sin; um.msg_namelen = sizeof sin; um.msg_iov = iov; um.msg_iovlen = 1;
    sendmsg(u, &um, 0);
    struct mmsghdr mm[2]; memset(mm, 0, sizeof mm);
    mm[0].msg_hdr = um; mm[1].msg_hdr = um; mm[1].msg_hdr.msg_iov = iov + 1;
    sendmmsg(u, mm, 2, 0);
    struct mmsghdr rmm[3]; memset(rmm, 0, sizeof rmm);
    char rb[3][16]; struct iovec ri[3] = {{rb[0], 16}, {rb[1], 16}, {rb[2], 16}};
    struct sockaddr_in f3[3];
    for (int i = 0; i < 3; i++) {
        rmm[i].msg_hdr.msg_iov = &ri[i]; rmm[i].msg_hdr.msg_iovlen = 1;
        rmm[i].msg_hdr.msg_name = &f3[i]; rmm[i].msg_hdr.msg_namelen = sizeof f3[i];
    }
    recvmmsg(u, rmm, 3, MSG_DONTWAIT, 0);
    int p[2]; pipe(p);
    write(p[1], "hello world\n", 12);
    readv(p[0], riov, 2);                                    /* the second iovec filled in part */
    return 0;
}
"#;

/// The lines of the message calls, addresses made `ADDR`, ports `P`, credentials' pid `PID`,
/// the spaces before ` = ` made one.
fn msg_lines(text: &str) -> Vec<String> {
    let addr = Regex::new(r"0x[0-9a-f]+").unwrap();
    let port = Regex::new(r"htons\(\d+\)").unwrap();
    let pid = Regex::new(r"pid=\d+").unwrap();
    let eq = Regex::new(r"\) +=").unwrap();
    text.lines()
        .filter(|l| l.contains("msg(") || l.starts_with("readv("))
        .map(|l| {
            let l = addr.replace_all(l, "ADDR");
            let l = port.replace_all(&l, "htons(P)");
            let l = pid.replace_all(&l, "pid=PID");
            eq.replace_all(&l, ") =").into_owned()
        })
        .collect()
}

fn build(d: &TempDir) {
    std::fs::write(d.join("msg.c"), PROGRAM).unwrap();
    let cc = Command::new("cc")
        .args(["-O1", "-o", "msg", "msg.c"])
        .current_dir(d.path())
        .output()
        .expect("cc runs");
    assert!(cc.status.success(), "{}", stderr(&cc));
}

#[test]
fn messages_show_their_names_data_and_control_as_strace_does() {
    if !need_program("messages", "strace") || !need_program("messages", "cc") {
        return;
    }
    let d = TempDir::new("msgs");
    build(&d);
    let filter = "trace=sendmsg,recvmsg,sendmmsg,recvmmsg,readv";
    let st = Command::new("strace")
        .args(["-e", filter, "./msg"])
        .current_dir(d.path())
        .output()
        .expect("strace runs");
    assert_eq!(st.status.code(), Some(0), "{}", stderr(&st));
    let theirs = msg_lines(&stderr(&st));
    // what strace shows, so that a change of strace's cannot pass unseen
    let want = [
        r#"cmsg_type=SCM_RIGHTS, cmsg_data=[0, 1]}], msg_controllen=24"#,
        r#"msg_namelen=110 => 0, msg_iov=[{iov_base="hell", iov_len=4}, {iov_base="o world\n", iov_len=64}]"#,
        r#"recvmsg(4, {msg_namelen=0}, MSG_DONTWAIT) = -1 EAGAIN"#,
        r#"cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=PID, uid=0, gid=0}}]"#,
        r#"iov_base="0123456789abcdefghijklmnopqrstuv"..., iov_len=46}"#,
        r#"msg_name={sa_family=AF_INET, sin_port=htons(P), sin_addr=inet_addr("127.0.0.1")}, msg_namelen=16"#,
        r#"msg_len=6}], 2, 0) = 2"#,
        r#"msg_iov=[{iov_base=NULL, iov_len=0}], msg_iovlen=1"#,
        r#"readv(8, [{iov_base="hell", iov_len=4}, {iov_base="o world\n", iov_len=64}], 2) = 12"#,
    ];
    for w in want {
        assert!(
            theirs.iter().any(|l| l.contains(w)),
            "strace: no `{w}` in {theirs:#?}"
        );
    }
    assert_eq!(theirs.len(), 12, "{theirs:#?}");
    for engine in engines("messages (ebpf)") {
        let o = syspect()
            .args(["strace", "--engine", engine, "-e", filter, "--", "./msg"])
            .current_dir(d.path())
            .output()
            .expect("syspect runs");
        assert_eq!(o.status.code(), Some(0), "{engine}: {}", stderr(&o));
        assert_eq!(msg_lines(&stderr(&o)), theirs, "{engine}");
    }
}

#[test]
fn message_data_reaches_evt_buffer_and_echo_fds() {
    if !need_program("message data", "cc") {
        return;
    }
    let d = TempDir::new("msgdata");
    build(&d);
    let want = [
        "sendmsg 12 hello world.",
        "sendmsg 12 hello world.",
        "recvmsg 12 hello world.",
        "recvmsg 12 hello world.",
        "sendmsg 46 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
        "recvmsg 46 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
        "sendmsg 6 hello ",
        "sendmmsg 12 hello world.",
        "recvmmsg 18 hello hello world.",
    ];
    let tuple = Regex::new(r"^\w+ 127\.0\.0\.1:(\d+)->127\.0\.0\.1:(\d+)$").unwrap();
    for engine in engines("message data (ebpf)") {
        let trace = d.join_str(&format!("{engine}.spt"));
        let c = syspect()
            .args(["capture", "--engine", engine, "-w", &trace, "--", "./msg"])
            .current_dir(d.path())
            .output()
            .expect("syspect runs");
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        let r = run(&[
            "read",
            &trace,
            "-p",
            "%evt.type %evt.buflen %evt.buffer",
            "evt.dir=< and evt.type in (sendmsg, recvmsg, sendmmsg, recvmmsg)",
        ]);
        assert_eq!(r.status.code(), Some(0), "{engine}: {}", stderr(&r));
        assert_eq!(stdout(&r).lines().collect::<Vec<_>>(), want, "{engine}");
        // the messages' data is their `data` argument, as sysdig names it
        let a = run(&[
            "read",
            &trace,
            "-p",
            "%evt.type %evt.arg.data",
            "evt.arg.data contains world and evt.dir=<",
        ]);
        let got: Vec<String> = stdout(&a).lines().map(str::to_string).collect();
        assert!(
            got.contains(&"sendmmsg hello world.".to_string())
                && got.contains(&"recvmsg hello world.".to_string()),
            "{engine}: {got:?}"
        );
        // the byte counts of the mmsg calls are their messages', not their results
        let e = run(&["echo-fds", "-r", &trace]);
        let text = stdout(&e);
        for w in ["Write 12B to 127.0.0.1:", "Read 18B from 127.0.0.1:"] {
            assert!(text.contains(w), "{engine}: no `{w}` in {text}");
        }
        assert!(text.contains("hello hello world"), "{engine}: {text}");
        // an unconnected UDP socket is named by its datagrams' peer, as sysdig names it
        let n = run(&[
            "read",
            &trace,
            "-p",
            "%evt.type %fd.name",
            "evt.dir=< and fd.type=ipv4 and evt.type in (sendmsg, sendmmsg, recvmmsg)",
        ]);
        let names = stdout(&n);
        assert_eq!(names.lines().count(), 3, "{engine}: {names}");
        for l in names.lines() {
            let c = tuple.captures(l).unwrap_or_else(|| panic!("{engine}: {l}"));
            assert_eq!(c[1], c[2], "{engine}: the socket sends to itself: {l}");
        }
    }
}
