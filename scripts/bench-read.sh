#!/usr/bin/env bash
# Reading benchmarks (issues 4 and 6): a trace of about ten million events, read by `syspect
# read` (a filter that matches nothing, sysdig's lines, JSON) and by the analyzers; events per
# second and peak memory, against merely decompressing and decoding the same file (the
# `decode` example of syspect-capture), and peak memory against a trace ten times smaller, to
# show that it stays flat. Each command runs RUNS times; the fastest run counts.
#
#   sudo scripts/bench-read.sh                 # makes the traces with the eBPF engine
#   RUNS=1 scripts/bench-read.sh               # ptrace when not root: much slower to make
#   SYSPECT=path/to/syspect scripts/bench-read.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p syspect-capture --example decode
if [ -z "${SYSPECT:-}" ]; then
  cargo build --release -q
fi
bin=${SYSPECT:-$PWD/target/release/syspect}
decode=$PWD/target/release/examples/decode
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

engine=ptrace
[ "$(id -u)" = 0 ] && engine=ebpf
make_trace() { # name, dd count (four events per byte copied: read and write, enter and exit)
  "$bin" capture --engine "$engine" -w "$work/$1.spt" -- \
    dd if=/dev/zero of=/dev/null bs=1 count="$2" 2>&1 | grep 'captured' >&2
}
echo "making the traces with the $engine engine…" >&2
make_trace big 2500000
make_trace small 250000
events() { "$decode" "$1" | cut -d' ' -f1; }
big_events=$(events "$work/big.spt")
small_events=$(events "$work/small.spt")

# Fastest of $runs: prints "seconds peak_kb".
best() {
  local best_s="" best_kb=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
      cat "$work/err" >&2
      return 1
    }
    read -r s kb <"$work/time"
    if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; fi
    [ "$kb" -gt "$best_kb" ] && best_kb=$kb
  done
  echo "$best_s $best_kb"
}

f=$work/big.spt
printf '%s events (%s bytes on disk); %s events in the small trace\n\n' \
  "$big_events" "$(stat -c %s "$f")" "$small_events"
printf '%-42s %8s %10s %9s %12s %12s\n' command seconds "events/s" "÷ decode" "peak RSS" "RSS small"
row() { # label, then the command with FILE standing for the trace
  local label=$1
  shift
  local args=("${@//FILE/$f}") small=("${@//FILE/$work/small.spt}")
  read -r s kb < <(best "${args[@]}")
  read -r _ skb < <(RUNS=1 best "${small[@]}")
  awk -v l="$label" -v s="$s" -v n="$big_events" -v fl="$floor" -v kb="$kb" -v skb="$skb" \
    'BEGIN{printf "%-42s %8.2f %9.1fM %8.2fx %9.1f MB %9.1f MB\n", l, s, n/s/1e6, s/fl, kb/1024, skb/1024}'
}
read -r floor floor_kb < <(best "$decode" "$f")
read -r _ floor_skb < <(RUNS=1 best "$decode" "$work/small.spt")
awk -v s="$floor" -v n="$big_events" -v kb="$floor_kb" -v skb="$floor_skb" \
  'BEGIN{printf "%-42s %8.2f %9.1fM %8.2fx %9.1f MB %9.1f MB\n", "decode only (the floor)", s, n/s/1e6, 1, kb/1024, skb/1024}'
row "read FILE 'proc.name=nomatch'" "$bin" read FILE proc.name=nomatch
row "read FILE (sysdig's lines)" "$bin" read FILE
row "summary -r FILE" "$bin" summary -r FILE
row "topfiles -r FILE" "$bin" topfiles -r FILE
row "topconns -r FILE" "$bin" topconns -r FILE
row "top -r FILE" "$bin" top -r FILE
row "lsof -r FILE" "$bin" lsof -r FILE
row "topscalls -r FILE" "$bin" topscalls -r FILE
row "read -j FILE" "$bin" read -j FILE
