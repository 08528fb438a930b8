#!/bin/bash
# Long CPU stalls against busy time: falconsim-loadgen noise on one or both vCPUs, always
# busy or busy and asleep by turns (--duty), SECONDS each, ROUNDS times in alternation.
# Prints one TSV row per probe. Usage: run.sh LOADGEN [SECONDS [ROUNDS]] > runs.tsv
set -euo pipefail
lg=$1 secs=${2:-10} rounds=${3:-2}
now() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))'; }
keys="busy_s gaps_per_s lost_frac gaps_over_100us_per_busy_s gaps_over_1ms_per_busy_s idle_s oversleep_p50_ns oversleep_p99_ns oversleeps_over_100us_per_idle_s oversleeps_over_1ms_per_idle_s"
printf 'round\tconfig\tcpus_busy\tduty\tcpu'; for k in $keys; do printf '\t%s' "$k"; done; echo
probe() { # round config cpus duty
    local t0 t1 pids=() c
    t0=$(( $(now) + 200000000 )); t1=$(( t0 + secs * 1000000000 ))
    for c in $3; do
        if [ "$4" = "-" ]; then "$lg" noise --cpus "$c" --window "$t0,$t1" --stop "$t1" >"$tmp/$c" &
        else "$lg" noise --cpus "$c" --window "$t0,$t1" --stop "$t1" --duty "$4" >"$tmp/$c" & fi
        pids+=($!)
    done
    wait "${pids[@]}"
    for c in $3; do
        printf '%s\t%s\t%s\t%s\t%s' "$1" "$2" "${3// /,}" "$4" "$c"
        for k in $keys; do awk -F'\t' -v k="$k" 'BEGIN { v = "nan" } $1 == k { v = $2 } END { printf "\t%s", v }' "$tmp/$c"; done
        echo
    done
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for r in $(seq "$rounds"); do
    probe "$r" both_busy "0 1" -
    probe "$r" one_busy "1" -
    probe "$r" both_duty_1ms "0 1" 1000000,1000000
    probe "$r" one_duty_1ms "1" 1000000,1000000
    probe "$r" both_duty_200us "0 1" 200000,200000
    probe "$r" both_duty_10ms "0 1" 10000000,10000000
done
