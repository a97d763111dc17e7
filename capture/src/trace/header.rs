//! The trace header: which machine a capture ran on and how it was made.
//!
//! Stored with rmp-serde as a map of named fields, every field `#[serde(default)]`: fields may be
//! appended without a major format bump (see [`super::format`]).

use serde::{Deserialize, Serialize};

/// Everything a `.spt` file says about itself before its first record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Header {
    /// The kernel/user ABI version of the eBPF program that produced the events
    /// ([`syspect_ebpf::ABI_VERSION`]).
    pub abi_version: u16,
    /// The machine the capture ran on.
    pub machine: MachineInfo,
    /// How the capture was made.
    pub capture: CaptureInfo,
}

/// The capture host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MachineInfo {
    pub hostname: String,
    /// Kernel release (`uname -r`).
    pub kernel: String,
    /// Online CPUs.
    pub cpus: u32,
    /// Boot time, wall-clock ns since the Unix epoch.
    pub boot_time_ns: u64,
}

/// How the capture was made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaptureInfo {
    /// `ebpf`, `ptrace`…
    pub engine: String,
    /// Bytes kept of each string and buffer (`-s`).
    pub snaplen: u32,
    /// The filter given on the command line, empty when none.
    pub filter: String,
    /// syspect's own command line, argv\[0\] first.
    pub command_line: Vec<String>,
    /// Capture start, wall-clock ns since the Unix epoch.
    pub start_ts: u64,
    /// Position of this file in a rotated capture (`-C`/`-G`), 0 for the first or only one.
    pub file_index: u64,
}

impl Header {
    /// A header for a capture starting now on this machine, by `engine`.
    pub fn new(engine: &str, snaplen: u32, filter: &str, command_line: Vec<String>) -> Header {
        Header {
            abi_version: syspect_ebpf::ABI_VERSION,
            machine: MachineInfo::current(),
            capture: CaptureInfo {
                engine: engine.to_string(),
                snaplen,
                filter: filter.to_string(),
                command_line,
                start_ts: crate::procfs::now_ns(),
                file_index: 0,
            },
        }
    }
}

impl MachineInfo {
    /// This machine: hostname and kernel release from uname(2), online CPUs, boot time.
    pub fn current() -> MachineInfo {
        // SAFETY: utsname is plain old data; uname fills it or fails, leaving zeroes.
        let mut u: libc::utsname = unsafe { std::mem::zeroed() };
        // SAFETY: `u` is a valid, writable utsname.
        let ok = unsafe { libc::uname(&mut u) } == 0;
        let field = |f: &[libc::c_char]| -> String {
            let bytes: Vec<u8> = f
                .iter()
                .take_while(|&&c| c != 0)
                .map(|&c| c as u8)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        // SAFETY: sysconf has no memory-safety preconditions.
        let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
        MachineInfo {
            hostname: if ok {
                field(&u.nodename)
            } else {
                String::new()
            },
            kernel: if ok { field(&u.release) } else { String::new() },
            cpus: u32::try_from(cpus).unwrap_or(0),
            boot_time_ns: crate::procfs::boot_time_ns(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_machine_is_plausible() {
        let m = MachineInfo::current();
        assert!(!m.kernel.is_empty());
        assert!(m.cpus >= 1);
        assert!(
            m.boot_time_ns > 1_000_000_000 * 1_000_000_000
                && m.boot_time_ns < crate::procfs::now_ns()
        );
    }

    #[test]
    fn missing_fields_take_defaults() {
        #[derive(Serialize)]
        struct Old {
            abi_version: u16,
        }
        let b = rmp_serde::to_vec_named(&Old { abi_version: 7 }).unwrap();
        let h: Header = rmp_serde::from_slice(&b).unwrap();
        assert_eq!(h.abi_version, 7);
        assert_eq!(h.capture, CaptureInfo::default());
    }
}
