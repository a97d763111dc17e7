//! Helpers shared by the end-to-end tests: running the real binary, temporary folders, and the
//! loud skip rule for tests that need root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The syspect binary cargo built for these tests.
pub fn syspect() -> Command {
    Command::new(env!("CARGO_BIN_EXE_syspect"))
}

/// Run syspect with `args`, returning its output.
pub fn run(args: &[&str]) -> Output {
    syspect().args(args).output().expect("syspect runs")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh folder for one test, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("syspect-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn join_str(&self, name: &str) -> String {
        self.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Whether CI asked for every test to run for real.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// For a test that needs root: true to go on; false (after a loud message) to skip, which is
/// only allowed outside CI.
pub fn need_root(test: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(
        !in_ci(),
        "{test} needs root and CI=true: it must run, not skip"
    );
    eprintln!("SKIPPED: {test} needs root (eBPF / Docker); run the tests as root to include it");
    false
}

/// The engines a test runs under: ptrace, and eBPF when root (in CI it must be: see
/// [`need_root`]).
pub fn engines(test: &str) -> Vec<&'static str> {
    let mut engines = vec!["ptrace"];
    if need_root(test) {
        engines.push("ebpf");
    }
    engines
}

/// For a test that needs an external program: true to go on; false to skip outside CI.
pub fn need_program(test: &str, program: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    if found {
        return true;
    }
    assert!(
        !in_ci(),
        "{test} needs `{program}` and CI=true: scripts/test installs it"
    );
    eprintln!("SKIPPED: {test} needs `{program}`, which is not installed (scripts/test installs it as root)");
    false
}

/// The Python interpreter itself (Debian's), not a wrapper script such as a pyenv shim, whose
/// own fork/exec/wait would make traces depend on timing.
pub fn python() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}
