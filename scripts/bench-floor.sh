#!/usr/bin/env bash
# How far syspect's eBPF engine is from the least any recorder of every call could cost on this
# machine (issue 3). Rounds of: the workload untraced, then under each of
#   empty    two empty programs on the same tracepoints (scripts/floor/empty.bpf.c): attaching
#   minimal  a plain recorder doing only what every call's record needs (two clock reads, the
#            registers kept from enter to exit, one ring record, the data read from user memory;
#            scripts/floor/minimal.bpf.c), its ring drained and discarded by scripts/floor/load.c
#   syspect  a full-host `syspect capture --engine ebpf -w FILE`
# the variants in the same rounds, so that the neighbours' load hits all alike. Prints medians
# of the workload's CPU time (user+sys) and their ratios to the untraced run.
#
#   scripts/bench-floor.sh                  # dd tar true, 7 rounds
#   RUNS=15 scripts/bench-floor.sh tar
#   scripts/bench-floor.sh container        # issue 5: dd on the host, against empty programs
#                                           # and `capture --container web -w FILE`
#   SYSPECT=path/to/syspect scripts/bench-floor.sh dd
#
#   BUILD_ONLY=1 scripts/bench-floor.sh     # compile the programs and the loader, run nothing
#                                           # (scripts/test does, so that they do not rot)
#
# Needs root, clang, bpftool, libbpf-dev and a C compiler (scripts/test installs them);
# `container` also dockerd and the image syspect-test:latest (scripts/test makes them): a busybox
# container `web` spinning in a shell loop (`--network none`) while the host runs dd.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in clang bpftool cc; do
  command -v $t >/dev/null || { echo "bench-floor: needs $t (scripts/test installs it)"; exit 1; }
done
export FLOOR_DIR=$(mktemp -d /tmp/bench-floor.XXXXXX)
trap 'rm -rf "$FLOOR_DIR"' EXIT
bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$FLOOR_DIR/vmlinux.h"
for p in empty minimal; do
  clang -O2 -g -target bpf -Wall -Werror -I"$FLOOR_DIR" -c scripts/floor/$p.bpf.c \
    -o "$FLOOR_DIR/$p.o"
done
cc -O2 -Wall -Werror scripts/floor/load.c -o "$FLOOR_DIR/load" -lbpf
if [ -n "${BUILD_ONLY:-}" ]; then
  echo "bench-floor: scripts/floor/ compiles"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "bench-floor: needs root (eBPF)"; exit 1; }
if [ -z "${SYSPECT:-}" ]; then
  cargo build --release -q
fi
export SYSPECT=${SYSPECT:-$PWD/target/release/syspect}
export RUNS=${RUNS:-7}
python3 - "${@:-dd tar true}" <<'PY'
import os, resource, signal, statistics, subprocess, sys, time

D, BIN, RUNS = os.environ["FLOOR_DIR"], os.environ["SYSPECT"], int(os.environ["RUNS"])
CMDS = {
    "dd": "dd if=/dev/zero of=/dev/null bs=1 count=500k 2>/dev/null",
    "tar": "tar -cf - /usr/share/doc 2>/dev/null | cat >/dev/null",
    "true": "for i in $(seq 300); do /bin/true; done",
}
VARIANTS = {
    "empty": [f"{D}/load", f"{D}/empty.o"],
    "minimal": [f"{D}/load", f"{D}/minimal.o"],
    "syspect": [BIN, "capture", "--engine", "ebpf", "-w", f"{D}/t.spt"],
}
CONTAINER = {
    "empty": VARIANTS["empty"],
    "--container": [BIN, "capture", "--engine", "ebpf", "--container", "web", "-w", f"{D}/t.spt"],
}

def cpu(cmd):
    """User+sys seconds of `sh -c cmd` and its children."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["sh", "-c", cmd], check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

def under(argv, cmd):
    err = open(f"{D}/err.txt", "w+")
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    # attached once the loader says so, or syspect's file exists; then let the start settle
    for _ in range(300):
        err.seek(0)
        if "attached" in err.read() or os.path.exists(f"{D}/t.spt") or p.poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(1.0)
    if p.poll() is not None:
        err.seek(0)
        sys.exit(f"bench-floor: {argv[0]} failed: {err.read()}")
    c = cpu(cmd)
    p.send_signal(signal.SIGINT)
    p.wait()
    if os.path.exists(f"{D}/t.spt"):
        os.unlink(f"{D}/t.spt")
    return c

print(f"{RUNS} rounds each; medians of the workload's CPU (user+sys) and its ratio to untraced",
      flush=True)

def bench(name, cmd, variants):
    cpu(cmd)  # warm-up
    res = {n: [] for n in ["untraced", *variants]}
    for r in range(RUNS):
        res["untraced"].append(cpu(cmd))
        # the variants' order reversed every other round (see bench-ebpf.sh)
        order = list(variants.items())
        for n, argv in (order if r % 2 == 0 else order[::-1]):
            res[n].append(under(argv, cmd))
    base = statistics.median(res["untraced"])
    cols = " ".join(f"{n}: {statistics.median(res[n]):.3f}s {statistics.median(res[n]) / base:.2f}x"
                    for n in variants)
    print(f"{name:<9} untraced {base:.3f}s | {cols}", flush=True)

for w in " ".join(sys.argv[1:]).split():
    if w == "container":
        subprocess.run(["docker", "rm", "-f", "web"], capture_output=True)
        subprocess.run(["docker", "run", "-d", "--name", "web", "--network", "none",
                        "syspect-test:latest", "sh", "-c", "while :; do :; done"],
                       check=True, capture_output=True)
        try:
            time.sleep(1)
            bench("container", CMDS["dd"], CONTAINER)
        finally:
            subprocess.run(["docker", "rm", "-f", "web"], capture_output=True)
    else:
        bench(w, CMDS[w], VARIANTS)
PY
