#!/bin/bash
# Host-wide noise: falconsim-loadgen shared on both vCPUs at once, SECONDS each, ROUNDS
# times. Prints one TSV row per probe: the share of the gaps (and of their lost time)
# that overlap a gap of the other vCPU, overall and by length.
# Usage: run.sh LOADGEN [SECONDS [ROUNDS]] > runs.tsv (KEYS: the probe's keys to print)
set -euo pipefail
lg=$1 secs=${2:-10} rounds=${3:-5}
now() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))'; }
keys=${KEYS:-"window_s cpu0_gaps cpu1_gaps unrecorded shared_frac shared_time_frac gaps_upto20us shared_frac_upto20us gaps_20to100us shared_frac_20to100us gaps_over100us shared_frac_over100us"}
printf 'round'; for k in $keys; do printf '\t%s' "$k"; done; echo
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
for r in $(seq "$rounds"); do
    t0=$(( $(now) + 200000000 )); t1=$(( t0 + secs * 1000000000 ))
    "$lg" shared --cpus 0,1 --window "$t0,$t1" --stop "$t1" > "$tmp"
    printf '%s' "$r"
    for k in $keys; do awk -F'\t' -v k="$k" 'BEGIN { v = "nan" } $1 == k { v = $2 } END { printf "\t%s", v }' "$tmp"; done
    echo
done
