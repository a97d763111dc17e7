use std::time::Duration;
use syspect_capture::engine::ebpf::EbpfEngine;
use syspect_capture::engine::{CaptureOptions, Engine};
use syspect_capture::Record;

#[test]
fn smoke() {
    let mut e = EbpfEngine::start(&CaptureOptions::default()).unwrap();
    let mut out = Vec::new();
    std::process::Command::new("/bin/cat")
        .arg("/etc/hostname")
        .status()
        .unwrap();
    for _ in 0..20 {
        e.poll(&mut out, Duration::from_millis(50)).unwrap();
    }
    e.stop();
    while e.poll(&mut out, Duration::from_millis(50)).unwrap()
        == syspect_capture::engine::Status::More
    {}
    let n = out.len();
    eprintln!(
        "{n} records, stats {:?} undecodable {}",
        e.stats(),
        e.undecodable()
    );
    for r in &out {
        if let Record::Event(ev) = r {
            if format!("{:?}", ev.kind).contains("hostname")
                || matches!(ev.kind, syspect_capture::EventKind::Exec { .. })
            {
                eprintln!("{ev:?}");
            }
        }
    }
}
