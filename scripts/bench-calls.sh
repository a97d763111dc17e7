#!/usr/bin/env bash
# The time a full-host eBPF capture spends inside its syscall programs, per call, by kind of
# call (issue 3): the kernel's own per-program statistics (sysctl kernel.bpf_stats_enabled),
# read before and after a loop of one syscall. Where the whole-command ratios of
# scripts/bench-ebpf.sh move by 10-30% with the neighbours' load, these move by a few percent,
# which is what comparing two builds of the programs needs:
#
#   scripts/bench-calls.sh                       # every kind below, this build
#   N=300000 scripts/bench-calls.sh stat read80  # some kinds, more calls
#   SYSPECT=/path/a scripts/bench-calls.sh; SYSPECT=/path/b scripts/bench-calls.sh
#   ARGS='--container web' scripts/bench-calls.sh getppid   # a host call under a narrow capture
#   ARGS='evt.type=kexec_load' scripts/bench-calls.sh getppid  # programs that keep nothing
#   ARGS='-- sleep 1000' scripts/bench-calls.sh getppid        # the pid filter of a command capture
#
# Kinds: getppid (reads nothing), read80 and write80 (80 bytes, sysdig's snap length),
# write1, write10k (80 of 10240 bytes kept), stat (a path at enter, a struct stat at exit),
# openclose (open and close of a path), getdents (open, getdents64, close of a directory).
# The statistics cost two clock reads per run themselves, which the figures include; calls of
# other processes during a loop are counted too (a few hundred against N).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench-calls: needs root (eBPF)"; exit 1; }
command -v bpftool >/dev/null || { echo "bench-calls: needs bpftool (apt-get install bpftool)"; exit 1; }
if [ -z "${SYSPECT:-}" ]; then
  cargo build --release -q
fi
export SYSPECT=${SYSPECT:-$PWD/target/release/syspect}
export N=${N:-200000}
exec python3 - "${@:-getppid write1 read80 write80 write10k stat openclose getdents}" <<'PY'
import json, os, subprocess, sys, tempfile, time

BIN, N = os.environ["SYSPECT"], int(os.environ["N"])
kinds = " ".join(sys.argv[1:]).split()
work = tempfile.mkdtemp(prefix="bench-calls.")
path = os.path.join(work, "file")
with open(path, "wb") as f:
    f.write(os.urandom(16384))
null = os.open("/dev/null", os.O_WRONLY)
data = os.open(path, os.O_RDONLY)
b1, b80, b10k = b"a", b"a" * 80, b"a" * 10240

def loop(kind):
    if kind == "getppid":
        for _ in range(N): os.getppid()
    elif kind == "write1":
        for _ in range(N): os.write(null, b1)
    elif kind == "write80":
        for _ in range(N): os.write(null, b80)
    elif kind == "write10k":
        for _ in range(N): os.write(null, b10k)
    elif kind == "read80":
        for _ in range(N): os.pread(data, 80, 0)
    elif kind == "stat":
        for _ in range(N): os.stat(path, follow_symlinks=False)
    elif kind == "openclose":
        for _ in range(N // 2): os.close(os.open(path, os.O_RDONLY))
    elif kind == "getdents":
        for _ in range(N // 3): os.listdir(work)
    else:
        sys.exit(f"bench-calls: unknown kind {kind}")

def stats():
    out = subprocess.run(["bpftool", "--json", "prog", "show"], check=True,
                         capture_output=True, text=True).stdout
    return {p["name"]: (p.get("run_time_ns", 0), p.get("run_cnt", 0))
            for p in json.loads(out) if p.get("name") in ("sp_sys_enter", "sp_sys_exit")}

def sysctl(v):
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write(v)

spt = os.path.join(work, "c.spt")
extra = os.environ.get("ARGS", "").split()
cap = subprocess.Popen([BIN, "capture", "--engine", "ebpf", "-w", spt] + extra,
                       stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "err"), "w"))
try:
    for _ in range(300):
        if os.path.exists(spt) or cap.poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(1.5)
    if cap.poll() is not None:
        sys.exit("bench-calls: the capture stopped: " + open(os.path.join(work, "err")).read())
    sysctl("1")
    print(f"{N} calls a kind; ns per call inside the programs (bpf_stats), {BIN} {' '.join(extra)}")
    print(f"{'kind':10} {'enter':>7} {'exit':>7} {'both':>7}")
    for kind in kinds:
        s0 = stats()
        loop(kind)
        s1 = stats()
        per = {}
        for name in ("sp_sys_enter", "sp_sys_exit"):
            dt = s1[name][0] - s0[name][0]
            dn = s1[name][1] - s0[name][1]
            per[name] = dt / dn if dn else float("nan")
        e, x = per["sp_sys_enter"], per["sp_sys_exit"]
        print(f"{kind:10} {e:7.0f} {x:7.0f} {e + x:7.0f}")
finally:
    sysctl("0")
    cap.send_signal(15)  # SIGTERM: a capture of a command leaves SIGINT to the command
    cap.wait()
    subprocess.run(["rm", "-rf", work])
PY
