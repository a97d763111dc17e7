#!/usr/bin/env bash
# eBPF benchmarks (issues 3 and 5): a full-host `syspect capture --engine ebpf -w FILE` runs in
# the background (under /usr/bin/time -v) while a workload runs; the same workload untraced is
# measured in the same run, round by round (untraced, then traced), so that the neighbours'
# load hits both alike. Prints, per workload: median wall and CPU (user+sys) times of the
# workload untraced and traced and their ratios, the capture's events, drops, events per second
# of workload, bytes per syscall on disk (enter and exit together), and the capture's own CPU
# time and peak RSS. Results go into BENCHMARKS.md by hand, with the date and the machine.
#
#   scripts/bench-ebpf.sh                     # dd tar true container
#   RUNS=1 scripts/bench-ebpf.sh dd           # one workload, one round
#   SYSPECT=path/to/syspect scripts/bench-ebpf.sh
#
# Each workload's line `floor`, measured in the same rounds, is the workload under a capture
# whose syscall filter keeps only kexec_load: the programs attached, doing next to nothing (the
# cost of attaching, which no program can go below). FLOOR=0 leaves it out.
# `container`: a busybox container `web` spinning in a shell loop (`--network none`), a capture
# limited to it (`--container web`), and the dd workload on the host: the host's slowdown.
# Needs root, dockerd and the image syspect-test:latest (scripts/test makes them).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench-ebpf: needs root (eBPF)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-ebpf: needs GNU time (apt-get install time)"; exit 1; }
if [ -z "${SYSPECT:-}" ]; then
  cargo build --release -q
fi
export SYSPECT=${SYSPECT:-$PWD/target/release/syspect}
export RUNS=${RUNS:-3} FLOOR=${FLOOR:-1}
exec python3 - "${@:-dd tar true container}" <<'PY'
import os, re, resource, signal, statistics, subprocess, sys, tempfile, time

BIN, RUNS = os.environ["SYSPECT"], int(os.environ["RUNS"])
# the floor: the same programs attached, keeping one syscall nobody calls (the filter goes
# into the kernel)
FLOOR = [("floor", ["evt.type=kexec_load"])] if os.environ["FLOOR"] != "0" else []
CMDS = {
    "dd": "dd if=/dev/zero of=/dev/null bs=1 count=500k",
    "tar": "tar -cf - /usr/share/doc | cat >/dev/null",
    "true": "for i in $(seq 300); do /bin/true; done",
}
work = tempfile.mkdtemp(prefix="bench-ebpf.")

def run_timed(cmd):
    """Wall and CPU (user+sys of the whole tree) seconds of `sh -c cmd`."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(["sh", "-c", cmd], check=True, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

def traced(cmd, extra):
    """Start a capture, run cmd, stop the capture: workload times and the capture's figures."""
    spt, tv, err = (os.path.join(work, n) for n in ("c.spt", "time.txt", "err.txt"))
    for f in (spt, tv):
        if os.path.exists(f):
            os.unlink(f)
    cap = subprocess.Popen(["/usr/bin/time", "-v", "-o", tv, BIN, "capture", "--engine", "ebpf",
                            "-w", spt] + extra, stdout=subprocess.DEVNULL, stderr=open(err, "w"))
    # the file exists once the programs are attached; let the /proc snapshot finish
    for _ in range(300):
        if os.path.exists(spt) or cap.poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(1.0)
    wall, cpu = run_timed(cmd)
    child = subprocess.run(["pgrep", "-P", str(cap.pid)], capture_output=True, text=True).stdout.split()
    for p in child:
        os.kill(int(p), signal.SIGINT)
    cap.wait()
    text = open(err).read()
    m = re.search(r"captured (\d+) events, dropped (\d+)", text)
    if not m:
        sys.exit(f"capture failed: {text}")
    t = open(tv).read()
    field = lambda name: float(re.search(re.escape(name) + r": ([\d.:]+)", t).group(1))
    return dict(wall=wall, cpu=cpu, events=int(m.group(1)), drops=int(m.group(2)),
                size=os.path.getsize(spt), cap_cpu=field("User time (seconds)") +
                field("System time (seconds)"), rss=field("Maximum resident set size (kbytes)"))

def bench(name, cmd, extra, *more):
    """Rounds of: the workload untraced, then under a capture with `extra` arguments (and
    under each of `more`'s (name, arguments), one line each, in the same rounds)."""
    variants = [(name, extra)] + list(more)
    base, tr = [], [[] for _ in variants]
    run_timed(cmd)  # warm-up
    for r in range(RUNS):
        base.append(run_timed(cmd))
        # the variants' order reversed every other round: what runs first after the untraced
        # run was seen to fare differently
        order = list(enumerate(variants))
        for i, (_, args) in (order if r % 2 == 0 else order[::-1]):
            tr[i].append(traced(cmd, args))
    med = statistics.median
    uw, uc = med(w for w, _ in base), med(c for _, c in base)
    for (vname, _), t in zip(variants, tr):
        tw, tc = med(r["wall"] for r in t), med(r["cpu"] for r in t)
        ev, drops = med(r["events"] for r in t), sum(r["drops"] for r in t)
        size = med(r["size"] for r in t)
        per_call = f"{size/(ev/2):7.1f}" if ev else f"{'-':>7}"
        print(f"{vname:<9} {uw:8.3f}s {tw:8.3f}s {tw/uw:6.2f}x | {uc:7.3f}s {tc:7.3f}s "
              f"{tc/uc:6.2f}x | {ev:10.0f} {drops:6d} {ev/tw/1e6:6.2f}M {per_call} | "
              f"{med(r['cap_cpu'] for r in t):6.2f}s {med(r['rss'] for r in t)/1024:6.0f}MB",
              flush=True)

print(f"{RUNS} rounds each; medians; CPU = user+sys of the workload's processes", flush=True)
print(f"{'workload':<9} {'untraced':>9} {'traced':>9} {'wall×':>7} | {'u.cpu':>8} {'t.cpu':>8} "
      f"{'cpu×':>7} | {'events':>10} {'drops':>6} {'ev/s':>7} {'B/call':>7} | "
      f"{'cap.cpu':>7} {'rss':>8}", flush=True)
for n in " ".join(sys.argv[1:]).split():
    if n == "container":
        subprocess.run(["docker", "rm", "-f", "web"], capture_output=True)
        subprocess.run(["docker", "run", "-d", "--name", "web", "--network", "none",
                        "syspect-test:latest", "sh", "-c", "while :; do :; done"],
                       check=True, capture_output=True)
        try:
            time.sleep(1)
            bench("container", CMDS["dd"], ["--container", "web"], *FLOOR)
        finally:
            subprocess.run(["docker", "rm", "-f", "web"], capture_output=True)
    else:
        bench(n, CMDS[n], [], *FLOOR)
subprocess.run(["rm", "-rf", work])
PY
