#!/usr/bin/env bash
# Whole-command benchmarks: each workload untraced, under `syspect capture --engine ptrace -w`,
# and under `strace -f -o`, measured in the same run with hyperfine; prints the ratios to the
# untraced time and the trace size per syscall. Results go into BENCHMARKS.md by hand, with the
# date and the machine.
#
# The `scap` workload is different: `syspect read` of a large sysdig capture against
# `sysdig -r` of the same file, both writing to /dev/null (hyperfine's default). The capture
# is made by scripts/big_scap.py: the state blocks of tests/fixtures/scap/curl_google.scap
# once, then its event blocks SCAP_ROUNDS times (default 1000, about 1.5 million events),
# each round's timestamps moved past the last.
#
#   scripts/bench.sh            # all workloads
#   RUNS=1 scripts/bench.sh dd  # one workload, one run each
#   scripts/bench.sh scap       # syspect read against sysdig -r
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
names=("${@:-dd tar true scap}")
# shellcheck disable=SC2206
names=(${names[*]})

scap() {
  command -v sysdig >/dev/null || { echo "scap: needs sysdig (apt-get install sysdig)"; return 1; }
  local big=$work/big.scap
  python3 scripts/big_scap.py tests/fixtures/scap/curl_google.scap "${SCAP_ROUNDS:-1000}" "$big"
  local events
  events=$("$bin" read "$big" -p '%evt.num' | tail -n 1)
  hyperfine -N --style none --runs "$runs" --warmup 1 --export-json "$work/scap.json" \
    -n sysdig "sysdig -r $big" \
    -n syspect "$bin read $big" >/dev/null 2>&1
  python3 - "$work/scap.json" "$events" "$(stat -c %s "$big")" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
ev, size = int(sys.argv[2]), int(sys.argv[3])
print(f'\nscap read: {ev} events, {size / 1e6:.1f} MB uncompressed')
print(f'{"sysdig -r":<14} {r["sysdig"]:8.3f}s {ev / r["sysdig"] / 1e6:6.2f} M events/s')
print(f'{"syspect read":<14} {r["syspect"]:8.3f}s {ev / r["syspect"] / 1e6:6.2f} M events/s')
print(f'syspect is {r["sysdig"] / r["syspect"]:.2f}x as fast as sysdig')
PY
}

header=0
for n in "${names[@]}"; do
  if [ "$n" = scap ]; then
    scap
    continue
  fi
  if [ $header = 0 ]; then
    printf '%-6s %10s %12s %12s %10s %10s %14s\n' workload untraced syspect strace "syspect×" "strace×" "bytes/syscall"
    header=1
  fi
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
