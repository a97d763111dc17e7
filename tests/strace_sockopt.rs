//! Socket options as strace shows them: `SO_ERROR`'s value named as an errno
//! (`[ECONNREFUSED]`), the check every non-blocking connect ends with.

use std::process::Command;

use crate::util::*;

/// A non-blocking connect to a port nobody listens on, then to one a listener holds, each
/// ended by reading SO_ERROR.
const CONNECTS: &str = r#"
import socket, time
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
closed = socket.socket()
closed.bind(("127.0.0.1", 0))
for port in (closed.getsockname()[1], srv.getsockname()[1]):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    time.sleep(0.05)
    s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
"#;

#[test]
fn so_error_is_named_as_strace_names_it() {
    if !need_program("so_error", "strace") {
        return;
    }
    let d = TempDir::new("strace-sockopt");
    let theirs = d.join_str("strace.txt");
    let st = Command::new("strace")
        .args([
            "-e",
            "trace=getsockopt",
            "-o",
            &theirs,
            "python3",
            "-c",
            CONNECTS,
        ])
        .output()
        .expect("strace runs");
    assert!(st.status.success(), "{}", stderr(&st));
    let lines = |f: &str| -> Vec<String> {
        std::fs::read_to_string(f)
            .expect("output")
            .lines()
            .filter(|l| l.starts_with("getsockopt("))
            .map(|l| l.split_once(", ").map_or(l, |(_, rest)| rest).to_owned())
            .collect()
    };
    let want = lines(&theirs);
    assert_eq!(
        want,
        [
            "SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0",
            "SOL_SOCKET, SO_ERROR, [0], [4]) = 0"
        ]
    );
    for engine in engines("SO_ERROR (ebpf)") {
        let mine = d.join_str(&format!("{engine}.txt"));
        let o = run(&[
            "strace",
            "--engine",
            engine,
            "-e",
            "trace=getsockopt",
            "-o",
            &mine,
            "--",
            "python3",
            "-c",
            CONNECTS,
        ]);
        assert!(o.status.success(), "{engine}: {}", stderr(&o));
        assert_eq!(lines(&mine), want, "{engine}");
    }
}
