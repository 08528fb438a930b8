#!/bin/bash
# The kit's own sender (CPU 0) and reader (CPU 1) over loopback in the root namespace, 16 B,
# a 3 s window: the reader as in a measured row, without its veth and namespaces. Prints the
# reader's and the sender's reports. Usage: loopback_kit.sh LOADGEN [RATE [BATCH]] (RATE 0:
# flat out, the default; BATCH: sendmmsg batch, default 32).
set -euo pipefail
lg=$1; rate=${2:-0}; batch=${3:-32}
now=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
t0=$((now + 700000000)); t1=$((t0 + 3000000000)); stop=$((t1 + 200000000))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$lg" recv --cpus 1 --bind 127.0.0.1 --port 47111 --flows 1 --payload 16 \
    --window "$t0,$t1" --stop "$stop" >"$out/recv.txt" &
sleep 0.2
"$lg" send --cpus 0 --dst 127.0.0.1 --port 47111 --flows 1 --payload 16 --rate "$rate" \
    --batch "$batch" --window "$t0,$t1" --stop "$stop" >"$out/send.txt"
wait
echo "=== recv"; cat "$out/recv.txt"; echo "=== send"; cat "$out/send.txt"
