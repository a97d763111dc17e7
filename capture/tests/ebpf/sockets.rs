//! The ends of a socket that the kernel chose, in no argument of the call: a connecting
//! socket's own address, the port of a bind to port 0, an accepted socket's local address
//! behind a listener on every address and its peer when accept was passed no buffer. Both
//! engines carry them after a connect, bind or accept exit's arguments; each is checked against
//! what the other end of the connection (this test, untraced) saw.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;

use super::*;
use syspect_capture::engine::ptrace::PtraceEngine;

/// Connect to the test's listener (port in argv[1]) and send a byte; then listen on every
/// address, write the port to the file argv[2], and accept with no address buffer (libc's
/// accept, through ctypes: Python's own always passes one). No getsockname on either socket.
const PROG: &str = r#"
import ctypes, os, socket, sys
c = socket.socket()
c.connect(("127.0.0.1", int(sys.argv[1])))
c.send(b"x")
s = socket.socket()
s.bind(("0.0.0.0", 0))
s.listen(1)
open(sys.argv[2] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
fd = ctypes.CDLL(None).accept(s.fileno(), None, None)
os.read(fd, 1)
"#;

/// The port and IPv4 address of a `struct sockaddr_in`.
fn endpoint(a: &Arg) -> Option<SocketAddr> {
    let Arg::Mem(b) = a else { return None };
    if b.len() < 8 || u16::from_ne_bytes([b[0], b[1]]) != libc::AF_INET as u16 {
        return None;
    }
    let ip = std::net::Ipv4Addr::new(b[4], b[5], b[6], b[7]);
    Some(SocketAddr::from((ip, u16::from_be_bytes([b[2], b[3]]))))
}

/// The ends (local, peer) that the exit of `name` carries after the table's exit arguments.
fn ends(evs: &[Event], name: &str) -> Vec<(Option<SocketAddr>, Option<SocketAddr>)> {
    let nr = syscalls::number(name).unwrap();
    let n = syscalls::lookup(nr).unwrap().exit_arg_count();
    evs.iter()
        .filter_map(|e| match &e.kind {
            EventKind::Exit { nr: x, ret, args } if *x == nr && *ret >= 0 => Some((
                args.get(n).and_then(endpoint),
                args.get(n + 1).and_then(endpoint),
            )),
            _ => None,
        })
        .collect()
}

/// What the untraced side saw: the client's address (at the test's listener), the traced
/// listener's port, and the test's own address on the connection it made to it.
struct Seen {
    listener: SocketAddr,
    client: SocketAddr,
    server_port: u16,
    mine: SocketAddr,
}

/// Run the program under one engine (`run`, given its options), playing both other ends.
fn exchange(run: impl FnOnce(&CaptureOptions) -> Vec<Event>, tag: &str) -> (Vec<Event>, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let listener_addr = listener.local_addr().unwrap();
    let port = listener_addr.port();
    let dir = std::env::temp_dir().join(format!("syspect-sockends-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port_file: PathBuf = dir.join("port");
    let pf = port_file.clone();
    let other = std::thread::spawn(move || {
        let (mut conn, client) = listener.accept().unwrap();
        let mut b = [0u8; 1];
        conn.read_exact(&mut b).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let server_port = loop {
            if let Ok(t) = std::fs::read_to_string(&pf) {
                break t.trim().parse::<u16>().unwrap();
            }
            assert!(Instant::now() < deadline, "the program wrote no port");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut s = TcpStream::connect(("127.0.0.1", server_port)).unwrap();
        let mine = s.local_addr().unwrap();
        s.write_all(b"y").unwrap();
        Seen {
            listener: listener_addr,
            client,
            server_port,
            mine,
        }
    });
    let opts = CaptureOptions {
        command: cmd(&[
            "python3",
            "-c",
            PROG,
            &port.to_string(),
            port_file.to_str().unwrap(),
        ]),
        ..CaptureOptions::default()
    };
    let evs = run(&opts);
    let seen = other.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (evs, seen)
}

fn check(evs: &[Event], seen: &Seen, engine: &str) {
    let lo = |port| Some(SocketAddr::from(([127, 0, 0, 1], port)));
    // the connection to the test's listener: its own end as the listener saw it
    let connects = ends(evs, "connect");
    assert!(
        connects.contains(&(Some(seen.client), Some(seen.listener))),
        "{engine}: connect's ends {connects:?}, the listener at {} saw {}",
        seen.listener,
        seen.client
    );
    let binds = ends(evs, "bind");
    assert!(
        binds.contains(&(
            Some(SocketAddr::from(([0, 0, 0, 0], seen.server_port))),
            Some(SocketAddr::from(([0, 0, 0, 0], 0)))
        )),
        "{engine}: bind {binds:?}, port {}",
        seen.server_port
    );
    assert_eq!(
        ends(evs, "accept4")
            .into_iter()
            .chain(ends(evs, "accept"))
            .collect::<Vec<_>>(),
        [(lo(seen.server_port), Some(seen.mine))],
        "{engine}: accept's ends"
    );
}

#[test]
fn both_engines_record_the_socket_ends_the_kernel_chose() {
    if !privileged("both_engines_record_the_socket_ends_the_kernel_chose") {
        return;
    }
    let (evs, seen) = exchange(
        |opts| {
            let mut e = EbpfEngine::start_for_command(opts).expect("start the eBPF engine");
            run_to_end(&mut e, Duration::from_secs(20))
        },
        "ebpf",
    );
    check(&evs, &seen, "eBPF");
    let (evs, seen) = exchange(
        |opts| {
            let mut p = PtraceEngine::start(opts).expect("start the ptrace engine");
            let mut out = Vec::new();
            while p.poll(&mut out, Duration::from_millis(100)).unwrap() == Status::More {}
            events(out)
        },
        "ptrace",
    );
    check(&evs, &seen, "ptrace");
}
