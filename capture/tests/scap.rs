//! Reading sysdig `.scap` captures: the three real captures in `tests/fixtures/scap` against
//! sysdig's own reading of them, and damaged copies of them.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use syspect_capture::event::{EventKind, FdKind, Record};
use syspect_capture::scap::{is_scap, sysdig_type, ScapError, ScapReader};

/// A capture from the repository's `tests/fixtures/scap` (copies of the workplace's shared
/// fixtures, with their README naming where they come from).
fn fixture(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/scap")
        .join(name);
    assert!(p.exists(), "fixture {} is missing", p.display());
    p
}

/// The fixture decompressed, as bytes.
fn plain(name: &str) -> Vec<u8> {
    let f = std::fs::File::open(fixture(name)).unwrap();
    let mut v = Vec::new();
    flate2::read::GzDecoder::new(f).read_to_end(&mut v).unwrap();
    v
}

/// Write `bytes` to a fresh temporary file and return its path.
fn temp_file(tag: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("syspect-scap-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(tag);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

/// Every record of a file, and how the read ended.
fn read_all(path: &Path) -> (Vec<Record>, Result<(), ScapError>, ScapReader) {
    let mut r = ScapReader::open(path).unwrap();
    let mut v = Vec::new();
    let end = loop {
        match r.next_record() {
            Ok(Some(rec)) => v.push(rec),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    (v, end, r)
}

/// Counts of (type, direction) over our event records.
fn our_counts(recs: &[Record]) -> BTreeMap<(String, char), u64> {
    let mut m = BTreeMap::new();
    for r in recs {
        if let Some(k) = sysdig_type(r) {
            *m.entry(k).or_insert(0) += 1;
        }
    }
    m
}

/// sysdig's counts of (type, direction) for `path`, or `None` (after saying why) when sysdig
/// is not installed and CI is not "true".
fn sysdig_counts(path: &Path) -> Option<BTreeMap<(String, char), u64>> {
    let out = match Command::new("sysdig")
        .arg("-r")
        .arg(path)
        .args(["-p", "%evt.type %evt.dir"])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("sysdig is needed under CI=true: {e}");
            }
            eprintln!("SKIPPED: comparison with sysdig because sysdig cannot run: {e}");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "sysdig failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut m = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut it = line.split_whitespace();
        if let (Some(t), Some(d)) = (it.next(), it.next()) {
            let d = d.chars().next().unwrap_or('?');
            *m.entry((t.to_owned(), d)).or_insert(0) += 1;
        }
    }
    Some(m)
}

/// sysdig's output lines for `path` with `-p FORMAT`, or `None` (after saying why) when sysdig
/// is not installed and CI is not "true".
fn sysdig_lines(path: &Path, format: &str) -> Option<Vec<String>> {
    let out = match Command::new("sysdig")
        .arg("-r")
        .arg(path)
        .args(["-p", format])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("sysdig is needed under CI=true: {e}");
            }
            eprintln!("SKIPPED: comparison with sysdig because sysdig cannot run: {e}");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "sysdig failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

/// sysdig's output lines for `path` with extra arguments (a chisel).
fn sysdig_lines_args(path: &Path, args: &[&str]) -> Option<Vec<String>> {
    let out = match Command::new("sysdig")
        .arg("-r")
        .arg(path)
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("sysdig is needed under CI=true: {e}");
            }
            eprintln!("SKIPPED: comparison with sysdig because sysdig cannot run: {e}");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "sysdig failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

/// Event kinds sysdig shows that syspect has no record for (documented in the module docs).
#[test]
fn curl_google_reads_to_the_end() {
    let (recs, end, r) = read_all(&fixture("curl_google.scap"));
    end.unwrap();
    assert_eq!(r.version(), (1, 0));
    let ours = our_counts(&recs);
    eprintln!("notes: {:?}", r.notes());
    eprintln!("ours: {ours:?}");
    assert!(recs.iter().any(|r| matches!(r, Record::Thread(_))));
    assert!(recs.iter().any(|r| matches!(r, Record::Fd(_))));
    assert!(recs.iter().any(|r| matches!(r, Record::User(_))));
    if let Some(theirs) = sysdig_counts(&fixture("curl_google.scap")) {
        // Every event sysdig has, switches and container events included (as Other).
        assert_eq!(ours, theirs);
    }
}

#[test]
fn curl_google_events_in_sysdig_order_with_its_results() {
    let path = fixture("curl_google.scap");
    let (recs, end, _) = read_all(&path);
    end.unwrap();
    let ours: Vec<(String, char, u32, Option<i64>)> = recs
        .iter()
        .filter_map(|r| {
            let (t, d) = sysdig_type(r)?;
            let Record::Event(e) = r else { return None };
            let ret = match e.kind {
                EventKind::Exit { ret, .. } => Some(ret),
                _ => None,
            };
            Some((t, d, e.tid, ret))
        })
        .collect();
    let Some(lines) = sysdig_lines(&path, "*%evt.type %evt.dir %thread.tid %evt.rawres") else {
        return;
    };
    let theirs: Vec<(String, char, u32, Option<i64>)> = lines
        .iter()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 4 {
                return None;
            }
            let dir = f[1].chars().next()?;
            let res = if dir == '<' { f[3].parse().ok() } else { None };
            Some((f[0].to_owned(), dir, f[2].parse().ok()?, res))
        })
        .collect();
    assert_eq!(ours.len(), theirs.len());
    for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!((&o.0, o.1, o.2), (&t.0, t.1, t.2), "event {i}");
        if let Some(res) = t.3 {
            assert_eq!(o.3, Some(res), "result of event {i} ({})", t.0);
        }
    }
}

#[test]
fn privileged_capture_has_its_container() {
    let (recs, end, r) = read_all(&fixture("privileged.scap"));
    end.unwrap();
    eprintln!("notes: {:?}", r.notes());
    let containers: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Container(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(containers.len(), 1, "{containers:?}");
    let c = containers[0];
    assert_eq!(c.name, "epic_cray");
    assert_eq!(c.image, "nginx:latest");
    assert_eq!(c.runtime, "docker");
    assert!(c.privileged);
    assert!(c.id.starts_with("9dbcbd0c435f"), "{}", c.id);
    assert!(c
        .labels
        .iter()
        .any(|(k, v)| k == "maintainer" && v.contains("NGINX")));
    // The process list keeps each thread's cgroup (this capture has none in the container).
    assert!(recs
        .iter()
        .any(|r| matches!(r, Record::Thread(t) if t.cgroup == b"/system.slice/docker.service")));
    // procinfo events become CPU samples.
    assert!(recs
        .iter()
        .any(|r| matches!(r, Record::Event(e) if matches!(e.kind, EventKind::Sample { .. }))));
    if let Some(theirs) = sysdig_counts(&fixture("privileged.scap")) {
        assert_eq!(our_counts(&recs), theirs);
    }
}

#[test]
fn privileged_fds_match_sysdig_lsof() {
    let (recs, end, _) = read_all(&fixture("privileged.scap"));
    end.unwrap();
    let systemd_fds: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Fd(f) if f.pid == 1 => Some((f.fd, f.name.clone())),
            _ => None,
        })
        .collect();
    assert!(
        systemd_fds.contains(&(3, b"/dev/kmsg".to_vec())),
        "{systemd_fds:?}"
    );
    assert!(systemd_fds.contains(&(6, b"/sys/fs/cgroup/systemd".to_vec())));
}

/// sysdig's `fd.type` name of our fd kinds.
fn fd_type_name(k: FdKind) -> &'static str {
    match k {
        FdKind::File => "file",
        FdKind::Directory => "directory",
        FdKind::Ipv4 => "ipv4",
        FdKind::Ipv6 => "ipv6",
        FdKind::Unix => "unix",
        FdKind::Pipe => "pipe",
        FdKind::Event => "event",
        FdKind::Signalfd => "signalfd",
        FdKind::Eventpoll => "eventpoll",
        FdKind::Inotify => "inotify",
        FdKind::Timerfd => "timerfd",
        FdKind::Netlink => "netlink",
        FdKind::Memfd => "memfd",
        FdKind::Other => "unknown",
    }
}

#[test]
fn fd_lists_match_sysdig_lsof() {
    for name in ["privileged.scap", "curl_google.scap"] {
        let path = fixture(name);
        let (recs, end, _) = read_all(&path);
        end.unwrap();
        let ours: BTreeMap<(u32, i32), (String, String)> = recs
            .iter()
            .filter_map(|r| match r {
                Record::Fd(f) => Some((
                    (f.pid, f.fd),
                    (
                        fd_type_name(f.kind).to_owned(),
                        // Some unix socket names end in a newline, which sysdig prints as is.
                        String::from_utf8_lossy(&f.name).trim_end().to_owned(),
                    ),
                )),
                _ => None,
            })
            .collect();
        let Some(lines) = sysdig_lines_args(&path, &["-c", "lsof"]) else {
            return;
        };
        let mut checked = 0;
        for l in lines.iter().skip(1) {
            // COMMAND PID TID USER FD TYPE NAME (the name may be empty or hold spaces).
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 6 {
                continue;
            }
            let (Ok(pid), Ok(fd)) = (f[1].parse::<u32>(), f[4].parse::<i32>()) else {
                continue;
            };
            let mut name = f.get(6..).map(|n| n.join(" ")).unwrap_or_default();
            let ours = ours.get(&(pid, fd));
            // sysdig names a connection client first; syspect (like its /proc snapshot) local
            // end first, so an accepted connection reads the other way round.
            if let (Some((_, o)), Some((a, b))) = (ours, name.split_once("->")) {
                if *o == format!("{b}->{a}") {
                    name = o.clone();
                }
            }
            assert_eq!(
                ours,
                Some(&(f[5].to_owned(), name.clone())),
                "{name}: pid {pid} fd {fd}: {l}"
            );
            checked += 1;
        }
        assert!(checked > 100, "{name}: only {checked} fds compared");
    }
}

#[test]
fn process_lists_match_sysdig_ps() {
    let path = fixture("privileged.scap");
    let (recs, end, _) = read_all(&path);
    end.unwrap();
    let ours: BTreeMap<u32, (u32, String)> = recs
        .iter()
        .filter_map(|r| match r {
            Record::Thread(t) => Some((
                t.tid,
                (t.pid, String::from_utf8_lossy(&t.comm).into_owned()),
            )),
            _ => None,
        })
        .collect();
    let Some(lines) = sysdig_lines_args(&path, &["-c", "ps"]) else {
        return;
    };
    let mut checked = 0;
    for l in lines.iter().skip(1) {
        // TID PID USER VIRT RES FDLIMIT CMD
        let f: Vec<&str> = l.split_whitespace().collect();
        let (Some(tid), Some(pid), Some(cmd)) = (
            f.first().and_then(|t| t.parse::<u32>().ok()),
            f.get(1).and_then(|p| p.parse::<u32>().ok()),
            f.get(6),
        ) else {
            continue;
        };
        assert_eq!(ours.get(&tid), Some(&(pid, cmd.to_string())), "{l}");
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} threads compared");
}

#[test]
fn comments_file_reads_like_the_plain_one() {
    let (a, end_a, _) = read_all(&fixture("curl_google.scap"));
    let (b, end_b, _) = read_all(&fixture("curl_google_comments.scap"));
    end_a.unwrap();
    end_b.unwrap();
    let events = |v: &[Record]| -> Vec<Record> {
        v.iter()
            .filter(|r| matches!(r, Record::Event(_)))
            .cloned()
            .collect()
    };
    let (ea, eb) = (events(&a), events(&b));
    assert!(ea.len() > 1000);
    assert_eq!(ea, eb);
}

#[test]
fn execve_and_clone_follow_processes() {
    let (recs, end, _) = read_all(&fixture("curl_google.scap"));
    end.unwrap();
    let exec = recs.iter().find_map(|r| match r {
        Record::Event(e) => match &e.kind {
            EventKind::Exec(x) => Some((x.exe.clone(), x.args.clone())),
            _ => None,
        },
        _ => None,
    });
    let (exe, args) = exec.expect("an Exec event");
    assert!(String::from_utf8_lossy(&exe).contains("curl"), "{exe:?}");
    assert_eq!(args.first().map(Vec::as_slice), Some(&b"curl"[..]));
    assert!(
        args.iter().any(|a| a == b"http://www.google.com"),
        "{args:?}"
    );
    assert!(recs
        .iter()
        .any(|r| matches!(r, Record::Event(e) if matches!(e.kind, EventKind::Clone { .. }))));
    // Arguments in the table's order: open's path, then its flags as the kernel's O_*.
    let open = syspect_capture::syscalls::number("open").unwrap();
    let first_open = recs.iter().find_map(|r| match r {
        Record::Event(e) => match &e.kind {
            EventKind::Enter { nr, args } if *nr == open => Some(args.clone()),
            _ => None,
        },
        _ => None,
    });
    let args = first_open.expect("an open");
    assert_eq!(args[0].bytes(), Some(&b"/etc/ld.so.cache"[..]));
    assert_eq!(
        args[1].num(),
        Some((libc::O_RDONLY | libc::O_CLOEXEC) as u64)
    );
    assert!(recs
        .iter()
        .any(|r| matches!(r, Record::Event(e) if matches!(e.kind, EventKind::ThreadExit { .. }))));
}

#[test]
fn truncated_copy_reads_to_the_damage() {
    let full = plain("curl_google.scap");
    let (all, _, _) = read_all(&fixture("curl_google.scap"));
    let cut = full.len() * 2 / 3 + 5;
    let p = temp_file("truncated.scap", &full[..cut]);
    let (recs, end, _) = read_all(&p);
    match end {
        Err(e @ ScapError::Truncated { .. }) => {
            assert!(e.is_truncated());
            assert!(e.to_string().contains("ends early"), "{e}");
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    assert!(recs.len() > all.len() / 2 && recs.len() < all.len());
    assert_eq!(&all[..recs.len()], &recs[..]);
    // The same for a gzip'd file cut short.
    let gz = std::fs::read(fixture("curl_google.scap")).unwrap();
    let p = temp_file("truncated.scap.gz", &gz[..gz.len() / 2]);
    let (recs, end, _) = read_all(&p);
    assert!(matches!(end, Err(ScapError::Truncated { .. })), "{end:?}");
    assert!(!recs.is_empty());
}

#[test]
fn corrupted_copy_reports_the_offset() {
    let mut bytes = plain("curl_google.scap");
    // Walk the blocks to the 300th and damage its length field.
    let mut off = 0usize;
    for _ in 0..300 {
        let len = u32::from_le_bytes(bytes[off + 4..off + 8].try_into().unwrap()) as usize;
        off += len;
    }
    bytes[off + 4] ^= 0x40;
    let p = temp_file("corrupt.scap", &bytes);
    let (recs, end, _) = read_all(&p);
    match end {
        Err(ScapError::Corrupt { offset, what, .. }) => {
            assert_eq!(offset, off as u64, "{what}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(!recs.is_empty());
    // Damage inside an event: a parameter length that runs past its event.
    let mut bytes = plain("curl_google.scap");
    let mut off = 0usize;
    loop {
        let kind = u32::from_le_bytes(bytes[off..off + 4].try_into().unwrap());
        let len = u32::from_le_bytes(bytes[off + 4..off + 8].try_into().unwrap()) as usize;
        if kind == 0x204 && len > 60 {
            break;
        }
        off += len;
    }
    // Block header 8, cpu 2, event header 22: the first parameter length.
    bytes[off + 8 + 2 + 22 + 1] = 0x7f;
    let p = temp_file("corrupt-param.scap", &bytes);
    let (_, end, _) = read_all(&p);
    match end {
        Err(e @ ScapError::Corrupt { .. }) => {
            assert!(e.to_string().contains("corrupt capture at byte"))
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn non_scap_files_are_refused() {
    let p = temp_file("not.scap", b"this is a text file, not a capture at all\n");
    match ScapReader::open(&p) {
        Err(e @ ScapError::NotScap { .. }) => {
            assert!(e.to_string().contains("not a sysdig capture"))
        }
        other => panic!("expected NotScap, got {other:?}"),
    }
    let p = temp_file("empty.scap", b"");
    assert!(matches!(
        ScapReader::open(&p),
        Err(ScapError::NotScap { .. })
    ));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"gzip'd, but not a capture either").unwrap();
    let gz = gz.finish().unwrap();
    assert!(!is_scap(&gz));
    let p = temp_file("not.scap.gz", &gz);
    assert!(matches!(
        ScapReader::open(&p),
        Err(ScapError::NotScap { .. })
    ));
    assert!(matches!(
        ScapReader::open("/nonexistent/file.scap"),
        Err(ScapError::Io { .. })
    ));
}

#[test]
fn sniffing_plain_and_gzipped() {
    for name in [
        "curl_google.scap",
        "curl_google_comments.scap",
        "privileged.scap",
    ] {
        let gz = std::fs::read(fixture(name)).unwrap();
        // A deflate stream needs a few hundred bytes before it yields the inner magic.
        assert!(is_scap(&gz[..4096.min(gz.len())]), "{name} gzip'd");
        assert!(is_scap(&plain(name)[..16]), "{name} plain");
    }
    assert!(!is_scap(b"SPT\0whatever"));
    assert!(!is_scap(b""));
}

mod damage {
    //! Random damage to a real capture: reading must end in records and an error or the end,
    //! never a panic.
    use super::*;
    use proptest::prelude::*;

    fn read_any(bytes: &[u8], tag: &str) -> usize {
        let p = temp_file(tag, bytes);
        let Ok(mut r) = ScapReader::open(&p) else {
            return 0;
        };
        let mut n = 0;
        while let Ok(Some(_)) = r.next_record() {
            n += 1;
        }
        n
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn flipped_bytes_never_panic(flips in prop::collection::vec((0usize..146_220, any::<u8>()), 1..8)) {
            let mut bytes = plain("curl_google.scap");
            for (at, v) in flips {
                let i = at % bytes.len();
                bytes[i] ^= v | 1;
            }
            read_any(&bytes, "flipped.scap");
        }

        #[test]
        fn cut_anywhere_never_panics(cut in 0usize..146_220) {
            let bytes = plain("privileged.scap");
            read_any(&bytes[..cut.min(bytes.len())], "cut.scap");
        }
    }
}
