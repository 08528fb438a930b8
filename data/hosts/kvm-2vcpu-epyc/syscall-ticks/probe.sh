#!/bin/bash
# Runs falconsim-loadgen's ticks probe REPS times on each CPU given, with an
# 8 s window (2 s a call kind): how the tick accounting splits a system call
# that does nothing in user space. Usage: probe.sh LOADGEN REPS CPU...
set -euo pipefail
loadgen=$1 reps=$2; shift 2
for rep in $(seq "$reps"); do
    for cpu in "$@"; do
        now=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
        t0=$((now + 300000000)); t1=$((t0 + 8000000000)); stop=$((t1 + 200000000))
        echo "=== cpu $cpu rep $rep $(date -u +%H:%M:%S)"
        "$loadgen" ticks --cpus "$cpu" --window "$t0,$t1" --stop "$stop"
    done
done
