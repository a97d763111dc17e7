//! Compile `bpf/syspect.bpf.c` with clang when it is installed; otherwise use the object the
//! repository keeps (`bpf/syspect.bpf.o`), so that building syspect never needs clang.
//! `scripts/check-bpf-object.sh` fails when the kept object no longer matches its source.
//!
//! The ABI version is read from `bpf/abi.h` and handed to the crate, which checks it against
//! `ABI_VERSION` at compile time.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for f in [
        "bpf/syspect.bpf.c",
        "bpf/abi.h",
        "bpf/kernel_types.h",
        "bpf/path.h",
        "bpf/args.h",
        "bpf/sock.h",
        "bpf/syspect.bpf.o",
    ] {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rerun-if-env-changed=SYSPECT_BPF_CLANG");

    let abi = fs::read_to_string(dir.join("bpf/abi.h")).expect("bpf/abi.h is readable");
    let version = abi
        .lines()
        .find_map(|l| l.strip_prefix("#define SP_ABI_VERSION "))
        .map(str::trim)
        .expect("bpf/abi.h defines SP_ABI_VERSION");
    println!("cargo:rustc-env=SYSPECT_C_ABI_VERSION={version}");

    let kept = dir.join("bpf/syspect.bpf.o");
    let built = out.join("syspect.bpf.o");
    let object = if compile(&dir, &built) {
        built
    } else {
        println!("cargo:warning=clang not usable: using the kept bpf/syspect.bpf.o");
        kept
    };
    println!("cargo:rustc-env=SYSPECT_BPF_OBJECT={}", object.display());
}

/// `clang -g -O2 -target bpf`, with the build folder mapped to `.` so the object is the same
/// byte for byte wherever it is built. Returns false when clang is missing or fails.
fn compile(dir: &Path, dest: &Path) -> bool {
    let clang = env::var("SYSPECT_BPF_CLANG").unwrap_or_else(|_| "clang".into());
    if clang.is_empty() {
        return false;
    }
    let status = Command::new(&clang)
        .current_dir(dir)
        .args([
            "-g",
            "-O2",
            "-target",
            "bpf",
            "-D__TARGET_ARCH_x86",
            "-Wall",
            "-Werror",
        ])
        .arg("-I/usr/include/x86_64-linux-gnu")
        .arg(format!("-fdebug-prefix-map={}=.", dir.display()))
        .args(["-c", "bpf/syspect.bpf.c", "-o"])
        .arg(dest)
        .status();
    match status {
        Ok(s) if s.success() => true,
        Ok(s) => {
            println!("cargo:warning=clang failed ({s}) on bpf/syspect.bpf.c");
            false
        }
        Err(_) => false,
    }
}
