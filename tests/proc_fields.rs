//! Falco's process fields that rules lean on: the parent's and ancestors' executables
//! (`proc.pexe`, `proc.aexepath[N]`), the arguments' counts (`proc.cmdnargs`,
//! `proc.cmdlenargs`) and what the standard fds are (`proc.stdin.type`, the mark of a shell
//! reading a socket), on a real trace of both engines.

use crate::util::*;

#[test]
fn parents_arguments_and_standard_fds_are_known() {
    let d = TempDir::new("procfields");
    let out = d.join_str("out.txt");
    for engine in engines("process fields (ebpf)") {
        let t = d.join_str(&format!("{engine}.spt"));
        // the `; true` keeps the shell from exec'ing cat in its place
        let script = format!("cat /etc/hostname /etc/hosts < /dev/null > {out}; true");
        let c = run(&[
            "capture", "--engine", engine, "-w", &t, "--", "/bin/sh", "-c", &script,
        ]);
        assert_eq!(c.status.code(), Some(0), "{engine}: {}", stderr(&c));
        let r = run(&[
            "read",
            &t,
            "-p",
            "%proc.pexe|%proc.pexepath|%proc.aexe[1]|%proc.aexepath[0]|%proc.cmdnargs|\
             %proc.cmdlenargs|%proc.stdin.type|%proc.stdin.name|%proc.stdout.type|%proc.stdout.name",
            "proc.name=cat and evt.type=close and evt.dir=<",
        ]);
        assert_eq!(r.status.code(), Some(0), "{engine}: {}", stderr(&r));
        let text = stdout(&r);
        let first = text
            .lines()
            .next()
            .unwrap_or_else(|| panic!("{engine}: none"));
        let dash = std::fs::canonicalize("/bin/sh").unwrap();
        let cat = std::fs::canonicalize("/usr/bin/cat").unwrap();
        let want = format!(
            "/bin/sh|{}|/bin/sh|{}|2|23|file|/dev/null|file|{out}",
            dash.display(),
            cat.display()
        );
        assert_eq!(first, want, "{engine}: {text}");
        // without an index: any ancestor
        let any = run(&[
            "read",
            &t,
            "-p",
            "%proc.name",
            "proc.aexe=/bin/sh and evt.type=close",
        ]);
        assert!(
            stdout(&any).lines().all(|l| l == "cat"),
            "{engine}: {}",
            stdout(&any)
        );
        assert!(!stdout(&any).is_empty(), "{engine}");
    }
}
