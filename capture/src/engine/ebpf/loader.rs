//! Loading the BPF object: the privilege checks, the load-time globals, filling the maps and
//! attaching the eight programs.

use std::collections::{HashMap as StdHashMap, HashSet};
use std::path::Path;

use aya::maps::Map;
use aya::maps::{Array, HashMap, MapData, PerCpuArray};
use aya::programs::BtfTracePoint;
use aya::{Btf, Ebpf, EbpfLoader, Pod};
use std::mem::size_of;
use std::os::fd::AsFd;
use syspect_ebpf::{filter, pid, Inflight, SyscallSpec, ABI_VERSION, INFLIGHT_SLOTS, MAX_ARG_DATA};

use super::maps::syscall_specs;
use super::ring::Mapping;
use crate::engine::{CaptureOptions, EngineError};

/// The hint of every privilege error.
pub const PRIVILEGE_HINT: &str =
    "run as root (sudo), or trace one command with `syspect capture --engine ptrace -- COMMAND`";

/// Programs and the tracepoints they attach to, in the order they are attached: `sys_enter`
/// last, so that every enter the capture sees has its exit seen too (a call in flight when the
/// capture starts shows its exit alone, as in sysdig; with the enter attached first, the calls
/// that began in between showed an enter that never ended).
const PROGRAMS: [(&str, &str); 8] = [
    ("sp_sys_exit", "sys_exit"),
    ("sp_switch", "sched_switch"),
    ("sp_fork", "sched_process_fork"),
    ("sp_exec", "sched_process_exec"),
    ("sp_exit", "sched_process_exit"),
    ("sp_signal", "signal_deliver"),
    ("sp_cgroup_attach", "cgroup_attach_task"),
    ("sp_sys_enter", "sys_enter"),
];

/// Tuning of the transport (tests use a tiny ring to provoke drops).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EbpfConfig {
    /// Ring buffer size in bytes: a power of two, at least one page.
    pub ring_bytes: u32,
    /// The program wakes the reader once this much unread data is in the ring; below it the
    /// reader finds the data on its next timer tick.
    pub wake_bytes: u64,
}

impl Default for EbpfConfig {
    fn default() -> Self {
        EbpfConfig {
            ring_bytes: 32 << 20,
            wake_bytes: 4 << 20,
        }
    }
}

/// [`SyscallSpec`] as a map value (aya needs its `Pod`; the ebpf crate stays free of aya).
#[repr(transparent)]
#[derive(Clone, Copy)]
struct SpecValue(SyscallSpec);
// SAFETY: SyscallSpec is #[repr(C)], made of integers, with explicit padding fields.
unsafe impl Pod for SpecValue {}

/// The loaded and attached object, and the maps user space reads.
pub struct Loaded {
    /// Owns the programs and their links: dropping it detaches them.
    pub bpf: Option<Ebpf>,
    /// The ring buffer map, read through [`super::ring::Ring`]'s own mapping (aya's `RingBuf`
    /// would map its 2 × size data pages a second time).
    pub ring: MapData,
    pub drops: PerCpuArray<MapData, u64>,
    /// The cgroup id set, which may grow while capturing.
    pub cgroups: HashMap<MapData, u64, u8>,
    /// The set's generation: bumped after each addition (the programs cache their answers).
    pub cgroups_gen: Array<MapData, u64>,
    /// Each thread's kept enter ([`syspect_ebpf::Inflight`]), by tid % INFLIGHT_SLOTS,
    /// mapped read-only (scanned at the end for calls still running).
    pub inflight: Mapping,
    /// The map behind `inflight`.
    _inflight_map: MapData,
}

fn bpf_err(what: &str, e: impl std::error::Error) -> EngineError {
    let mut msg = format!("{what}: {e}");
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    EngineError::Bpf(msg)
}

/// Refuse early, with a hint, when this process cannot load tracing programs.
///
/// Tracefs is not checked: `tp_btf` programs attach through BTF and the bpf syscall alone.
pub fn check_privilege() -> Result<(), EngineError> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    check_caps(&status)?;
    if !Path::new("/sys/kernel/btf/vmlinux").exists() {
        return Err(EngineError::Privilege {
            what: "the kernel has no BTF (/sys/kernel/btf/vmlinux), which the eBPF engine needs"
                .into(),
            hint: PRIVILEGE_HINT.into(),
        });
    }
    Ok(())
}

/// CAP_BPF and CAP_PERFMON in the effective set of a `/proc/PID/status` text.
fn check_caps(status: &str) -> Result<(), EngineError> {
    const CAP_PERFMON: u32 = 38;
    const CAP_BPF: u32 = 39;
    let eff = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0);
    let has = |cap: u32| eff & (1u64 << cap) != 0;
    if !(has(CAP_BPF) && has(CAP_PERFMON)) {
        return Err(EngineError::Privilege {
            what: "the eBPF engine needs root or CAP_BPF and CAP_PERFMON".into(),
            hint: PRIVILEGE_HINT.into(),
        });
    }
    Ok(())
}

/// Pids given on the command line and all their current descendants (their children appear in
/// the kernel's pid set as they are forked, but those already running must be added here).
pub fn with_descendants(pids: &[u32]) -> Vec<u32> {
    let mut children: StdHashMap<u32, Vec<u32>> = StdHashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(p) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
                continue;
            };
            // the ppid is the second field after the parenthesised comm
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|s| s.parse::<u32>().ok());
            if let Some(pp) = ppid {
                children.entry(pp).or_default().push(p);
            }
        }
    }
    let mut all: HashSet<u32> = HashSet::new();
    let mut todo: Vec<u32> = pids.to_vec();
    while let Some(p) = todo.pop() {
        if all.insert(p) {
            todo.extend(children.get(&p).into_iter().flatten());
        }
    }
    let mut v: Vec<u32> = all.into_iter().collect();
    v.sort_unstable();
    v
}

/// Load the object, fill its maps from `opts`, attach every program. `armed` is a command
/// syspect started, traced from its execve on.
pub fn load(
    opts: &CaptureOptions,
    armed: Option<u32>,
    cfg: EbpfConfig,
) -> Result<Loaded, EngineError> {
    if opts.stack_traces {
        return Err(EngineError::Bpf(
            "stack traces (strace's -k) need the ptrace engine: the eBPF programs do not unwind \
             user stacks"
                .into(),
        ));
    }
    if !opts.inject.is_empty() {
        return Err(EngineError::Bpf(
            "injecting faults (strace's -e inject=) needs the ptrace engine: eBPF programs \
             cannot change a syscall's result"
                .into(),
        ));
    }
    check_privilege()?;
    let object = syspect_ebpf::object();
    match syspect_ebpf::object_abi_version(object) {
        Some(v) if v == ABI_VERSION => {}
        v => {
            return Err(EngineError::Bpf(format!(
                "the BPF object is for ABI {v:?}, this syspect speaks ABI {ABI_VERSION}"
            )))
        }
    }
    if !cfg.ring_bytes.is_power_of_two() || cfg.ring_bytes < 4096 {
        return Err(EngineError::Bpf(format!(
            "ring buffer size {} is not a power of two of at least 4096 bytes",
            cfg.ring_bytes
        )));
    }
    let self_tgid = std::process::id();
    let snaplen = opts.snaplen.min(MAX_ARG_DATA) as u32;
    let pids = with_descendants(&opts.pids);
    let mut filter_bits = 0u32;
    if !pids.is_empty() || armed.is_some() {
        filter_bits |= filter::PIDS;
    }
    if !opts.cgroups.is_empty() || opts.cgroup_filter {
        filter_bits |= filter::CGROUPS;
    }
    let half = cfg.ring_bytes as u64 / 2;
    let wake = cfg.wake_bytes.min(half);
    // each CPU looks at the unread data once per this many bytes it writes
    let query = (wake / 4).clamp(256, 64 << 10);
    // cgroup paths of exec records start at the cgroup2 root this process sees, as
    // /proc/PID/cgroup's do (1: the hierarchy's top)
    let cgroup_root = crate::container::cgroup::cgroup2_root()
        .and_then(|r| crate::container::cgroup::cgroup_id(&r))
        .unwrap_or(1);
    let mut bpf = EbpfLoader::new()
        .override_global("sp_self_tgid", &self_tgid, true)
        .override_global("sp_filter", &filter_bits, true)
        .override_global("sp_snaplen", &snaplen, true)
        .override_global("sp_wake_bytes", &wake, true)
        .override_global("sp_query_bytes", &query, true)
        .override_global("sp_cgroup_root", &cgroup_root, true)
        .map_max_entries("sp_events", cfg.ring_bytes)
        .load(object)
        .map_err(|e| load_err("cannot load the BPF object", e))?;

    {
        let map = bpf
            .map_mut("sp_syscalls")
            .ok_or_else(|| EngineError::Bpf("the object has no sp_syscalls map".into()))?;
        let mut arr: Array<&mut MapData, SpecValue> =
            Array::try_from(map).map_err(|e| bpf_err("sp_syscalls", e))?;
        for (nr, spec) in syscall_specs(opts.syscalls.as_deref())
            .into_iter()
            .enumerate()
        {
            arr.set(nr as u32, SpecValue(spec), 0)
                .map_err(|e| bpf_err("cannot fill sp_syscalls", e))?;
        }
    }
    {
        let map = bpf
            .map_mut("sp_pids")
            .ok_or_else(|| EngineError::Bpf("the object has no sp_pids map".into()))?;
        let mut set: HashMap<&mut MapData, u32, u8> =
            HashMap::try_from(map).map_err(|e| bpf_err("sp_pids", e))?;
        for p in &pids {
            set.insert(p, pid::TRACED, 0)
                .map_err(|e| bpf_err("cannot fill sp_pids", e))?;
        }
        if let Some(p) = armed {
            set.insert(p, pid::ARMED, 0)
                .map_err(|e| bpf_err("cannot fill sp_pids", e))?;
        }
    }
    let cgroups = bpf
        .take_map("sp_cgroups")
        .ok_or_else(|| EngineError::Bpf("the object has no sp_cgroups map".into()))?;
    let mut cgroups: HashMap<MapData, u64, u8> =
        HashMap::try_from(cgroups).map_err(|e| bpf_err("sp_cgroups", e))?;
    for c in &opts.cgroups {
        cgroups
            .insert(c, 1, 0)
            .map_err(|e| bpf_err("cannot fill sp_cgroups", e))?;
    }

    let gen = bpf
        .take_map("sp_cg_gen")
        .ok_or_else(|| EngineError::Bpf("the object has no sp_cg_gen map".into()))?;
    let cgroups_gen = Array::try_from(gen).map_err(|e| bpf_err("sp_cg_gen", e))?;

    let Some(Map::RingBuf(ring)) = bpf.take_map("sp_events") else {
        return Err(EngineError::Bpf(
            "the object has no sp_events ring buffer".into(),
        ));
    };
    let drops = bpf
        .take_map("sp_drops")
        .ok_or_else(|| EngineError::Bpf("the object has no sp_drops map".into()))?;
    let drops = PerCpuArray::try_from(drops).map_err(|e| bpf_err("sp_drops", e))?;

    let Some(Map::Array(inflight_map)) = bpf.take_map("sp_inflight") else {
        return Err(EngineError::Bpf(
            "the object has no sp_inflight array".into(),
        ));
    };
    let inflight = Mapping::new(
        inflight_map.fd().as_fd(),
        INFLIGHT_SLOTS * size_of::<Inflight>(),
        libc::PROT_READ,
        0,
    )
    .map_err(|source| EngineError::Io {
        context: "cannot map the BPF in-flight array".into(),
        source,
    })?;

    let btf = Btf::from_sys_fs().map_err(|e| bpf_err("cannot read the kernel's BTF", e))?;
    // all loaded (verified) first, so that attaching them is quick
    for (name, tp) in PROGRAMS {
        program(&mut bpf, name)?
            .load(tp, &btf)
            .map_err(|e| load_err(&format!("cannot load {name}"), e))?;
    }
    for (name, tp) in PROGRAMS {
        program(&mut bpf, name)?
            .attach()
            .map_err(|e| load_err(&format!("cannot attach {name} to {tp}"), e))?;
    }
    Ok(Loaded {
        bpf: Some(bpf),
        ring,
        drops,
        cgroups,
        cgroups_gen,
        inflight,
        _inflight_map: inflight_map,
    })
}

fn program<'a>(bpf: &'a mut Ebpf, name: &str) -> Result<&'a mut BtfTracePoint, EngineError> {
    bpf.program_mut(name)
        .ok_or_else(|| EngineError::Bpf(format!("the object has no program {name}")))?
        .try_into()
        .map_err(|e| bpf_err(name, e))
}

/// A load error; EPERM/EACCES become a privilege error with the hint.
fn load_err(what: &str, e: impl std::error::Error) -> EngineError {
    let err = bpf_err(what, e);
    let text = err.to_string();
    // EPERM is a missing capability; EACCES is the verifier's refusal, a bug to report as is
    if text.contains("Operation not permitted") {
        return EngineError::Privilege {
            what: format!("{what} ({text})"),
            hint: PRIVILEGE_HINT.into(),
        };
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descendants_include_the_pid_itself_and_its_children() {
        let me = std::process::id();
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let set = with_descendants(&[me]);
        let _ = child.kill();
        let _ = child.wait();
        assert!(set.contains(&me));
        assert!(set.contains(&child.id()));
        assert!(!set.contains(&1) || me == 1);
    }

    #[test]
    fn missing_capabilities_are_a_privilege_error_with_the_hint() {
        let user = "Name:\tsh\nCapEff:\t0000000000000000\n";
        match check_caps(user) {
            Err(EngineError::Privilege { what, hint }) => {
                assert!(what.contains("CAP_BPF"));
                assert_eq!(hint, PRIVILEGE_HINT);
            }
            other => panic!("expected a privilege error, got {other:?}"),
        }
        // CAP_PERFMON only
        assert!(check_caps("CapEff:\t0000004000000000\n").is_err());
        assert!(check_caps("CapEff:\t000001ffffffffff\n").is_ok());
        assert!(check_caps("CapEff:\t000000c000000000\n").is_ok());
        assert!(check_caps("garbage").is_err());
    }

    #[test]
    fn default_config_is_a_power_of_two_ring() {
        let c = EbpfConfig::default();
        assert!(c.ring_bytes.is_power_of_two());
        assert!(c.wake_bytes < c.ring_bytes as u64);
    }
}
