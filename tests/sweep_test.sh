#!/usr/bin/env bash
# scripts/sweep and falconsim summarize: expansion, bad input before any
# run, resume without redoing finished runs, and a golden summary.
# Usage: sweep_test.sh FALCONSIM SOURCE_DIR [--update]
set -u
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="$(dirname "$bin"):$PATH"
sweep=$src/scripts/sweep
small=$src/scenarios/tests/small.cfg
golden=$src/tests/golden/summarize_small.tsv
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expansion: 2 x 3 points x 2 replications = 12 runs, seeds 1 and 2
n=$("$sweep" "$small" --axis policy.name=rps,vanilla --axis workload.flows=1,2,3 --reps 2 \
    --out "$work/d" --dry-run 2>/dev/null | wc -l)
[ "$n" -eq 12 ] && ok || fail "expansion gave $n runs, want 12"
"$sweep" "$small" --axis workload.flows=1,2 --reps 2 --out "$work/d" --dry-run 2>/dev/null |
    grep -c -- "--seed 2 " | grep -qx 2 && ok || fail "replication 2 does not use seed 2"

# bad input: a clear error and no run
for bad in "--axis policy.nme=rps" "--axis policy.name=" "--axis workload.flows=1,x"; do
    # shellcheck disable=SC2086
    "$sweep" "$small" $bad --out "$work/bad" 2>"$work/err" && fail "accepted $bad" || ok
    [ -s "$work/err" ] && ok || fail "no message for $bad"
done
ls "$work/bad"/*.h5 >/dev/null 2>&1 && fail "a bad sweep ran something" || ok
touch "$work/afile"
"$sweep" "$small" --axis workload.flows=1 --out "$work/afile" 2>"$work/err" && fail "out is a file" || ok
grep -q "is not a directory" "$work/err" && ok || fail "out-is-a-file message"
"$sweep" "$work/nope.cfg" --axis workload.flows=1 --out "$work/x" 2>/dev/null
[ $? -eq 66 ] && ok || fail "missing scenario exit code"

# run, then resume: nothing finished is redone
"$sweep" "$small" --axis policy.name=rps,vanilla --axis workload.flows=1,2 --reps 2 \
    --out "$work/run" -j 2 2>/dev/null && ok || fail "sweep failed"
[ "$(ls "$work/run"/*.h5 | wc -l)" -eq 8 ] && ok || fail "want 8 result files"
stamp() { stat -c '%n %Y %i' "$work/run"/*.h5 | sort; }
before=$(stamp)
sleep 1
rm "$work/run/policy.name=vanilla_workload.flows=2_r1.h5"
"$sweep" "$small" --axis policy.name=rps,vanilla --axis workload.flows=1,2 --reps 2 \
    --out "$work/run" -j 2 2>"$work/err" && ok || fail "resume failed"
grep -q "7 already done, 1 to run" "$work/err" && ok || fail "resume: $(cat "$work/err")"
after=$(stamp)
[ "$(diff <(echo "$before") <(echo "$after") | grep -c '^[<>]')" -eq 2 ] && ok ||
    fail "resume touched more than the missing run"

# summarize: golden
"$bin" summarize "$work/run" >"$work/summary.tsv" && ok || fail "summarize failed"
if [ "${3:-}" = "--update" ]; then
    cp "$work/summary.tsv" "$golden"
fi
diff -u "$golden" "$work/summary.tsv" >"$work/diff" && ok || { fail "summary differs from $golden"; head -20 "$work/diff" >&2; }
# replications draw the hashes anew (in step with run.seed) and are merged;
# a swept hash seed stays a point of its own, each with its replications
"$sweep" "$small" --axis run.hash_seed=1,2 --reps 2 --out "$work/hash" -j 2 2>/dev/null && ok ||
    fail "hash-seed sweep failed"
"$bin" summarize "$work/hash" >"$work/hash.tsv" && ok || fail "summarize of the hash-seed sweep failed"
[ "$(head -1 "$work/hash.tsv" | cut -f1)" = run.hash_seed ] && ok || fail "run.hash_seed is not the swept key"
[ "$(tail -n +2 "$work/hash.tsv" | wc -l)" -eq 2 ] && ok || fail "want one row per hash seed"
[ "$(tail -n +2 "$work/hash.tsv" | awk -F'\t' '{print $NF}' | sort -u)" = 2 ] && ok ||
    fail "want 2 replications per hash seed"
grep -q -- "--set run.hash_seed=2 --seed 2" "$work/run/jobs.txt" && ok ||
    fail "a replication did not draw the hashes anew"

# a changed scenario makes the finished runs stale: refused, then --fresh
"$sweep" "$small" --axis policy.name=rps,vanilla --axis workload.flows=1,2 --reps 2 --set run.seed=42 \
    --out "$work/run" -j 2 2>"$work/err"
[ $? -eq 73 ] && ok || fail "stale results: want exit 73"
grep -q "another falconsim binary or scenario; use --fresh" "$work/err" && ok || fail "stale message: $(cat "$work/err")"
"$sweep" "$small" --axis policy.name=rps,vanilla --axis workload.flows=1,2 --reps 2 --set run.seed=42 \
    --out "$work/run" -j 2 --fresh 2>"$work/err" && ok || fail "--fresh failed"
grep -q "0 already done, 8 to run" "$work/err" && ok || fail "--fresh redid: $(cat "$work/err")"
# --fresh also removes partial files (of runs killed outright)
echo half >"$work/run/leftover.h5.partial.99999999"
"$sweep" "$small" --axis policy.name=rps,vanilla --axis workload.flows=1,2 --reps 2 --set run.seed=43 \
    --out "$work/run" -j 2 --fresh 2>"$work/err" && ok || fail "--fresh over a partial file failed"
ls "$work/run"/*.partial.* >/dev/null 2>&1 && fail "--fresh left a partial file" || ok

# Killing the sweep stops GNU parallel and every run it started: exit 143,
# no process left, no partial file, the finished runs kept.
"$sweep" "$src/scenarios/udp_stress.cfg" --axis workload.flows=1,2,3,4 --set run.duration_ms=100000 \
    --out "$work/killed" -j 2 2>"$work/err" &
spid=$!
for _ in $(seq 50); do
    [ "$(pgrep -f -- "-o $work/killed/" | wc -l)" -ge 2 ] && break
    sleep 0.1
done
kill -TERM $spid
wait $spid
code=$?
[ $code -eq 143 ] && ok || fail "a killed sweep exited $code, want 143"
sleep 0.5
pgrep -f -- "$work/killed" >/dev/null && fail "processes of a killed sweep are still running: $(pgrep -af -- "$work/killed")" || ok
pkill -KILL -f -- "$work/killed" 2>/dev/null
ls "$work/killed"/*.partial.* >/dev/null 2>&1 && fail "a killed sweep left partial files" || ok
grep -q "stopped by SIGTERM" "$work/err" && ok || fail "no message from a killed sweep: $(cat "$work/err")"
"$bin" summarize "$work/nothing" 2>/dev/null
[ $? -eq 66 ] && ok || fail "summarize of a missing directory"

echo "sweep_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
