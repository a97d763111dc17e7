#!/usr/bin/env bash
# Whole-command benchmarks: each workload untraced, under `syspect capture --engine ptrace -w`,
# and under `strace -f -o`, measured in the same run with hyperfine; prints the ratios to the
# untraced time and the trace size per syscall. Results go into BENCHMARKS.md by hand, with the
# date and the machine.
#
#   scripts/bench.sh            # all workloads
#   RUNS=1 scripts/bench.sh dd  # one workload, one run each
#   SYSPECT=path/to/syspect scripts/bench.sh   # a binary already built
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)"; exit 1; }
command -v strace >/dev/null || { echo "needs strace (apt-get install strace)"; exit 1; }
if [ -z "${SYSPECT:-}" ]; then
  cargo build --release -q
fi
bin=${SYSPECT:-$PWD/target/release/syspect}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A cmds=(
  [dd]="dd if=/dev/zero of=/dev/null bs=1 count=500k"
  [tar]="sh -c 'tar -cf - /usr/share/doc | cat >/dev/null'"
  [true]="sh -c 'for i in \$(seq 300); do /bin/true; done'"
)
names=("${@:-dd tar true}")
# shellcheck disable=SC2206
names=(${names[*]})

printf '%-6s %10s %12s %12s %10s %10s %14s\n' workload untraced syspect strace "syspect×" "strace×" "bytes/syscall"
for n in "${names[@]}"; do
  c=${cmds[$n]}
  hyperfine -N --style none --runs "$runs" --warmup 1 --export-json "$work/$n.json" \
    -n untraced "$c" \
    -n syspect "$bin capture --engine ptrace -w $work/$n.spt -- $c" \
    -n strace "strace -f -o $work/$n.strace -- $c" >/dev/null 2>&1
  calls=$(grep -vc -e '^[0-9]* *+++' -e '^[0-9]* *---' -e 'resumed>' "$work/$n.strace" || true)
  size=$(stat -c %s "$work/$n.spt")
  python3 - "$work/$n.json" "$n" "$size" "$calls" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
size, calls = int(sys.argv[3]), max(int(sys.argv[4]), 1)
u = r["untraced"]
print(f'{sys.argv[2]:<6} {u:9.3f}s {r["syspect"]:11.3f}s {r["strace"]:11.3f}s '
      f'{r["syspect"]/u:9.1f}x {r["strace"]/u:9.1f}x {size/calls:14.1f}')
PY
done
