#!/bin/bash
# Runs falconsim-loadgen's remote-queue probe on CPUs 0 and 1 for each payload
# given, with a 5 s window: quiet producer (the reader's cost a datagram and a
# call, local against remote), then, with --live, a producer sending
# back to back; with --ask N, each timed call asks for N datagrams more than
# are queued. Usage: probe.sh [--live] [--ask N] LOADGEN PAYLOAD...
set -euo pipefail
producer=quiet
ask=0
if [ "${1:-}" = --live ]; then producer=live; shift; fi
if [ "${1:-}" = --ask ]; then ask=$2; shift 2; fi
loadgen=$1; shift
for payload in "$@"; do
    now=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
    t0=$((now + 500000000)); t1=$((t0 + 5000000000)); stop=$((t1 + 200000000))
    echo "=== payload $payload $producer ask $ask"
    "$loadgen" remote --cpus 0,1 --payload "$payload" --producer "$producer" --ask "$ask" \
        --window "$t0,$t1" --stop "$stop"
done
