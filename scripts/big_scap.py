#!/usr/bin/env python3
"""Make a large sysdig capture from a small one, for benchmarks: the state blocks (section
header, machine info, process, fd, user and interface lists) once, then the event blocks
repeated N times, each round's timestamps shifted past the previous round's last one, so that
the result is a well-formed capture in time order that sysdig reads. Written uncompressed.

    scripts/big_scap.py tests/fixtures/scap/curl_google.scap 1000 /tmp/big.scap
"""
import gzip
import struct
import sys

EVENT_BLOCKS = {0x204: 0, 0x8010ABCD: 0, 0x208: 4, 0x216: 0, 0x221: 0, 0x217: 4, 0x222: 4}


def blocks(data):
    pos = 0
    while pos + 8 <= len(data):
        kind, total = struct.unpack_from("<II", data, pos)
        if total < 12 or pos + total > len(data):
            raise SystemExit(f"damaged block at {pos}")
        yield kind, data[pos:pos + total]
        pos += total


def main():
    src, rounds, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    raw = open(src, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    head, events = [], []
    for kind, b in blocks(raw):
        (events if kind in EVENT_BLOCKS else head).append((kind, b))
    if not events:
        raise SystemExit("no event blocks")
    # ts is at body offset 2 (+4 with flags); body starts after the 8-byte block header.
    at = [8 + 2 + EVENT_BLOCKS[k] for k, _ in events]
    ts = [struct.unpack_from("<Q", b, a)[0] for (_, b), a in zip(events, at)]
    span = max(ts) - min(ts) + 1_000_000
    with open(dst, "wb") as out:
        for _, b in head:
            out.write(b)
        for r in range(rounds):
            shift = r * span
            for (_, b), a, t in zip(events, at, ts):
                nb = bytearray(b)
                struct.pack_into("<Q", nb, a, t + shift)
                out.write(nb)


if __name__ == "__main__":
    main()
