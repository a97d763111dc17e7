#!/usr/bin/env bash
# Fail when the kept BPF object (ebpf/bpf/syspect.bpf.o) differs from a fresh compile of its
# source: builds without clang use the kept object, so it must match. Needs clang and libbpf-dev
# (apt-get install clang libbpf-dev). Recompile and commit the object with --update.
set -euo pipefail
cd "$(dirname "$0")/../ebpf"
if ! command -v clang >/dev/null; then
    echo "check-bpf-object: clang is not installed (apt-get install clang libbpf-dev)" >&2
    exit 1
fi
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I/usr/include/x86_64-linux-gnu \
    "-fdebug-prefix-map=$PWD=." -c bpf/syspect.bpf.c -o "$fresh"
if [[ "${1:-}" == "--update" ]]; then
    cp "$fresh" bpf/syspect.bpf.o
    echo "check-bpf-object: bpf/syspect.bpf.o updated"
    exit 0
fi
if ! cmp -s "$fresh" bpf/syspect.bpf.o; then
    echo "check-bpf-object: ebpf/bpf/syspect.bpf.o does not match ebpf/bpf/syspect.bpf.c;" \
        "run scripts/check-bpf-object.sh --update and commit the object" >&2
    exit 1
fi
echo "check-bpf-object: ebpf/bpf/syspect.bpf.o matches its source"
