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
# no process left, no partial file, the finished runs kept. A campaign's
# runs work in its directory: they are found by their working directory.
runs_in() { # DIR: the pids of falconsim runs working in DIR
    local p
    for p in $(pgrep -f "falconsim campaign.cfg"); do
        [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$1" ] && echo "$p"
    done
}
"$sweep" "$src/scenarios/udp_stress.cfg" --axis workload.flows=1,2,3,4 --set run.duration_ms=100000 \
    --out "$work/killed" -j 2 2>"$work/err" &
spid=$!
started=0
for _ in $(seq 100); do
    [ "$(runs_in "$work/killed" | wc -l)" -ge 2 ] && { started=1; break; }
    sleep 0.1
done
[ "$started" -eq 1 ] && ok || fail "the sweep to be killed did not start its runs"
kill -TERM $spid
wait $spid
code=$?
[ $code -eq 143 ] && ok || fail "a killed sweep exited $code, want 143"
sleep 0.5
[ -z "$(runs_in "$work/killed")" ] && ok || fail "runs of a killed sweep are still running"
for p in $(runs_in "$work/killed"); do kill -KILL "$p"; done
ls "$work/killed"/*.partial.* >/dev/null 2>&1 && fail "a killed sweep left partial files" || ok
grep -q "stopped by SIGTERM" "$work/err" && ok || fail "no message from a killed sweep: $(cat "$work/err")"
"$bin" summarize "$work/nothing" 2>/dev/null
[ $? -eq 66 ] && ok || fail "summarize of a missing directory"

# A campaign is relocatable: moved, it is still complete, resumes in place,
# and gives the same files; a hand-edited job list, another binary's
# campaign and an unreachable SSH host are refused before any run.
mv "$work/hash" "$work/moved"
"$sweep" --status "$work/moved" 2>&1 | grep -q "4 run(s): 4 done, 0 running, 0 missing" && ok ||
    fail "status of a moved campaign: $("$sweep" --status "$work/moved" 2>&1)"
grep -q "$work" "$work/moved/jobs.txt" "$work/moved/campaign.cfg" && fail "the campaign holds an absolute path" || ok
cp "$work/moved/run.hash_seed=2_r1.h5" "$work/keep.h5"
rm "$work/moved/run.hash_seed=2_r1.h5"
"$sweep" --resume "$work/moved" 2>"$work/err" && ok || fail "resume of a moved campaign"
grep -q "3 already done, 1 to run" "$work/err" && ok || fail "moved resume: $(cat "$work/err")"
cmp -s "$work/keep.h5" "$work/moved/run.hash_seed=2_r1.h5" && ok || fail "a rerun is not byte-identical"
cp "$work/moved/jobs.txt" "$work/jobs.keep"
echo "falconsim campaign.cfg -q --no-progress --set 'x y' --seed 1 -o ../escape.h5" >>"$work/moved/jobs.txt"
rm "$work/moved/run.hash_seed=1_r1.h5"
"$sweep" --resume "$work/moved" 2>"$work/err"
[ $? -eq 65 ] && ok || fail "edited job list: want exit 65"
grep -q "jobs.txt:5: not a run of this campaign" "$work/err" && ok || fail "edited job list message: $(cat "$work/err")"
[ -f "$work/moved/run.hash_seed=1_r1.h5" ] && fail "an invalid job list ran something" || ok
sed -n 1p "$work/jobs.keep" >>"$work/jobs.keep2"
cat "$work/jobs.keep" "$work/jobs.keep2" >"$work/moved/jobs.txt"
"$sweep" --resume "$work/moved" 2>"$work/err"
[ $? -eq 65 ] && grep -q "is the result of line 1 too" "$work/err" && ok || fail "duplicate result: $(cat "$work/err")"
cp "$work/jobs.keep" "$work/moved/jobs.txt"
sed -i 's/^binary .*/binary 0000/' "$work/moved/fingerprint"
"$sweep" --resume "$work/moved" 2>"$work/err"
[ $? -eq 73 ] && grep -q "made by another falconsim binary" "$work/err" && ok ||
    fail "another binary's campaign: $(cat "$work/err")"
"$sweep" --status "$work/no_such_dir" 2>/dev/null
[ $? -eq 66 ] && ok || fail "status of a missing directory"
if command -v ssh >/dev/null; then
    "$sweep" "$small" --axis workload.flows=1 --out "$work/ssh" --sshlogin root@127.0.0.1 \
        --ssh-command "ssh -p 1 -o StrictHostKeyChecking=no" 2>"$work/err"
    [ $? -eq 69 ] && grep -q "SSH host 'root@127.0.0.1' is unreachable" "$work/err" && ok ||
        fail "unreachable SSH host: $(cat "$work/err")"
    ls "$work/ssh"/*.h5 >/dev/null 2>&1 && fail "runs started with an unreachable host" || ok
fi
# A campaign gathered from several hosts: its directories summarize as one
# (a result found twice counts once), and --index writes one HDF5 file that
# opens every run through external links, with a table of its keys and metrics.
mkdir -p "$work/hostA" "$work/hostB"
cp "$work/run"/policy.name=rps_*.h5 "$work/hostA/"
cp "$work/run"/policy.name=vanilla_*.h5 "$work/run/policy.name=rps_workload.flows=1_r1.h5" "$work/hostB/"
"$bin" summarize "$work/run" >"$work/one.tsv"
"$bin" summarize "$work/hostA" "$work/hostB" --index "$work/idx/index.h5" >"$work/two.tsv" 2>"$work/err"
[ $? -ne 0 ] && ok || fail "--index into a missing directory should fail"
mkdir -p "$work/idx"
"$bin" summarize "$work/hostA" "$work/hostB" --index "$work/idx/index.h5" >"$work/two.tsv" 2>"$work/err" &&
    ok || fail "summarize of two directories: $(cat "$work/err")"
cmp -s "$work/one.tsv" "$work/two.tsv" && ok || fail "two directories summarize differently from one"
grep -q "1 result file(s) found in more than one directory, counted once" "$work/err" && ok ||
    fail "duplicate note: $(cat "$work/err")"
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
    /usr/bin/python3 - "$work/idx/index.h5" <<'PY' && ok || fail "the campaign index"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
runs = f["runs"]
assert len(runs) == 8, len(runs)
assert f["table/file"].shape == (8,)
assert all(x.decode().startswith("../host") for x in f["table/file"][:])
name = "policy.name=vanilla_workload.flows=2_r1"
assert runs[name]["summary"].attrs["throughput_pps"] > 0
i = [x.decode() for x in f["table/file"][:]].index("../hostB/" + name + ".h5")
assert f["table/policy.name"][i].decode() == "vanilla"
assert f["table/throughput_pps"][i] == runs[name]["summary"].attrs["throughput_pps"]
PY
fi

# Slurm: the job array script, in chunks, over what is missing
"$sweep" "$small" --axis workload.flows=1,2,3 --reps 2 --out "$work/sl" --slurm --chunk 4 --time 5 \
    --mem 1G --partition p --account a 2>"$work/err" && ok || fail "--slurm: $(cat "$work/err")"
grep -qx "#SBATCH --array=0-1" "$work/sl/slurm.sbatch" && grep -qx "#SBATCH --mem=1G" "$work/sl/slurm.sbatch" &&
    grep -qx "#SBATCH --account=a" "$work/sl/slurm.sbatch" && [ "$(wc -l <"$work/sl/slurm.todo")" -eq 6 ] && ok ||
    fail "slurm.sbatch: $(cat "$work/sl/slurm.sbatch")"
(cd "$work/sl" && SLURM_ARRAY_TASK_ID=1 PATH="$(dirname "$bin"):$PATH" bash slurm.sbatch) && ok ||
    fail "array task 1 failed"
"$sweep" --status "$work/sl" | grep -q "6 run(s): 2 done, 0 running, 4 missing" && ok ||
    fail "array task 1 did not run exactly its chunk: $("$sweep" --status "$work/sl")"

# --plan writes a campaign and runs nothing; --resume of several campaigns
# runs them in one pool, each run in its own directory (a space in a path
# included), with the same files as each campaign run alone.
"$sweep" "$small" --axis workload.flows=1,2 --reps 2 --out "$work/pa" --plan 2>"$work/err" && ok ||
    fail "--plan: $(cat "$work/err")"
"$sweep" "$small" --axis workload.flows=3 --reps 2 --out "$work/p b" --plan 2>/dev/null && ok || fail "--plan p b"
ls "$work/pa"/*.h5 >/dev/null 2>&1 && fail "--plan ran something" || ok
"$sweep" --status "$work/pa" | grep -q "4 run(s): 0 done, 0 running, 4 missing" && ok || fail "status after --plan"
"$sweep" --resume "$work/pa" "$work/p b" -j 2 2>"$work/err" && ok || fail "pooled resume: $(cat "$work/err")"
grep -q "2 campaigns, 6 run(s): 0 already done, 6 to run" "$work/err" && ok || fail "pooled resume: $(cat "$work/err")"
[ "$(ls "$work/pa"/*.h5 | wc -l)" -eq 4 ] && [ "$(ls "$work/p b"/*.h5 | wc -l)" -eq 2 ] && ok ||
    fail "pooled resume: results in the wrong places: $(ls "$work/pa" "$work/p b")"
[ -e "$work/pa/todo.all" ] && fail "pooled resume left todo.all" || ok
"$sweep" "$small" --axis workload.flows=3 --reps 2 --out "$work/alone" -j 1 2>/dev/null
cmp -s "$work/alone/workload.flows=3_r2.h5" "$work/p b/workload.flows=3_r2.h5" && ok ||
    fail "a pooled run differs from the same run alone"
"$sweep" --resume "$work/pa" "$work/p b" 2>"$work/err" && grep -q "6 already done, 0 to run" "$work/err" && ok ||
    fail "pooled resume redid runs: $(cat "$work/err")"
"$sweep" --resume "$work/pa" "$work/p b" --slurm 2>"$work/err"
[ $? -eq 64 ] && grep -q "local cores only" "$work/err" && ok || fail "pooled --slurm: $(cat "$work/err")"
"$sweep" --resume "$work/pa" "$work/nowhere" 2>"$work/err"
[ $? -eq 66 ] && grep -q "nowhere: no such directory" "$work/err" && ok || fail "pooled missing dir: $(cat "$work/err")"
"$sweep" --resume "$work/pa" --plan 2>/dev/null
[ $? -eq 64 ] && ok || fail "--plan with --resume accepted"

echo "sweep_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
