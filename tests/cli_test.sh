#!/usr/bin/env bash
# CLI behaviour: exit codes, messages, atomic output, export, determinism,
# interruption, and docs in sync with the parameter table.
# Usage: cli_test.sh FALCONSIM SOURCE_DIR
set -u
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
    local want=$1 what=$2
    shift 3
    "$@" >out.txt 2>err.txt
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else fail "$what: exit $got, want $want ($(head -c 300 err.txt))"; fi
}
expect_err() {
    if grep -qF -- "$1" err.txt; then ok; else fail "stderr lacks '$1': $(head -c 300 err.txt)"; fi
}
expect_out() {
    if grep -qF -- "$1" out.txt; then ok; else fail "stdout lacks '$1': $(head -c 300 out.txt)"; fi
}

small="$src/scenarios/tests/small.cfg"

expect_exit 0 "--help" -- "$bin" --help
expect_out "usage: falconsim"
expect_exit 0 "--version" -- "$bin" --version
expect_out "falconsim 0."
expect_exit 64 "no scenario" -- "$bin"
expect_err "missing the one scenario file"
expect_exit 64 "unknown option" -- "$bin" --frobnicate
expect_exit 66 "missing file" -- "$bin" nope.cfg
expect_err "nope.cfg: error: cannot read scenario file"
expect_exit 78 "unknown key" -- "$bin" "$src/tests/data/bad_unknown_key.cfg"
expect_err "bad_unknown_key.cfg:3: error: 'nic.link_gbs' is not a known key"
expect_exit 78 "out of range" -- "$bin" "$src/tests/data/bad_range.cfg"
expect_err "bad_range.cfg:1: error: 'host.cpus' must be in [1, 1024] (got 0)"
expect_exit 78 "cpu outside budget" -- "$bin" "$src/tests/data/bad_cpu.cfg"
expect_err "outside the core budget"
expect_exit 78 "syntax" -- "$bin" "$src/tests/data/bad_syntax.cfg"
expect_err "bad_syntax.cfg:2: error: syntax error"
expect_exit 78 "--set unknown" -- "$bin" "$small" --set nic.speed=3
expect_err "--set: error: 'nic.speed' is not a known key"
expect_exit 78 "--set wrong type" -- "$bin" "$small" --set workload.flows=many
expect_err "'workload.flows' must be an integer"
expect_exit 64 "--seed not a number" -- "$bin" "$small" --seed x
expect_exit 64 "--seed negative" -- "$bin" "$small" --seed -1
expect_err "--seed needs an integer of 0 or more"
expect_exit 78 "unknown key: nearest" -- "$bin" check "$src/tests/data/bad_unknown_key.cfg"
expect_err "did you mean 'nic.link_gbps'?"
expect_exit 78 "unknown key: nothing near" -- "$bin" check "$small" --set zzz.qqq=3
expect_err "'zzz.qqq' is not a known key (falconsim --help-keys lists them)"
# A key of a policy that does not run: a warning line with --set, and the
# run goes on; an unregistered policy name lists the registered ones.
expect_exit 0 "--set a key of another policy" -- "$bin" check "$small" --set policy.falcon_cpus=[1]
expect_err "--set: warning: 'policy.falcon_cpus' is a key of policy falcon, falcon_static, falcon_always; it has no effect under policy.name = \"rps\""
grep -q "falcon_cpus" out.txt && fail "a dormant key in the resolved text" || ok
expect_exit 78 "unknown policy" -- "$bin" check "$small" --set policy.name=nope
expect_err "'policy.name' must be one of \"vanilla\", \"rss\", \"rps\""
expect_exit 0 "help as a command" -- "$bin" help
expect_out "usage: falconsim"
# @include of a missing file or a directory: file, line and the name
printf 'run: { seed = 1; };\n@include "no_such.cfg"\n' >inc_missing.cfg
expect_exit 78 "@include missing" -- "$bin" check inc_missing.cfg
expect_err "inc_missing.cfg:2: error: @include \"no_such.cfg\": cannot read"
mkdir -p inc_dir && printf '@include "inc_dir"\n' >inc_dir.cfg
expect_exit 78 "@include a directory" -- "$bin" check inc_dir.cfg
expect_err "inc_dir.cfg:1: error: @include \"inc_dir\":"
expect_err "is not a regular file"
printf 'defaults = "inc_dir.cfg";\n' >inc_via_defaults.cfg
expect_exit 78 "@include a directory, in a defaults file" -- "$bin" check inc_via_defaults.cfg
expect_err "is not a regular file"
rm -rf inc_missing.cfg inc_dir inc_dir.cfg inc_via_defaults.cfg
# A full disk while the result is written (a 16-block file-size limit, its
# signal ignored so write() fails with EFBIG): exit 74, a message, no partial
# file, the previous result untouched. It used to crash in HDF5's cleanup.
echo previous >full.h5
(trap '' XFSZ; ulimit -f 16; exec "$bin" -q "$src/scenarios/udp_stress.cfg" -o full.h5) >out.txt 2>err.txt
rc=$?
[ $rc -eq 74 ] && ok || fail "full disk: exit $rc, want 74 ($(head -c 300 err.txt))"
expect_err "writing the HDF5 result failed"
[ "$(cat full.h5)" = previous ] && ok || fail "full disk: the previous result was replaced"
ls full.h5.partial.* >/dev/null 2>&1 && fail "full disk: a partial file was left" || ok
rm -f full.h5
# Standard output onto a full device: every command fails with 74 and says so.
if [ -w /dev/full ]; then
    "$bin" -q "$small" -o devfull.h5 >/dev/null 2>&1
    for args in "export devfull.h5 /summary" "export devfull.h5" "check $small" "--help-keys" "--help"; do
        # shellcheck disable=SC2086
        "$bin" $args >/dev/full 2>err.txt
        rc=$?
        [ $rc -eq 74 ] && ok || fail "'falconsim $args' onto /dev/full: exit $rc, want 74"
        expect_err "writing standard output failed"
    done
    "$bin" "$small" -o devfull2.h5 >/dev/full 2>err.txt
    rc=$?
    [ $rc -eq 74 ] && ok || fail "a run's summary table onto /dev/full: exit $rc, want 74"
    rm -f devfull.h5 devfull2.h5
fi
# Setup memory is estimated before anything is allocated: a scenario over the
# budget is refused at once, naming the keys that drive it.
expect_exit 78 "memory: backlog of a million" -- "$bin" "$src/scenarios/busy.cfg" \
    --set kernel.netdev_max_backlog=1000000 --set run.max_memory_mb=2000
expect_err "over the budget of 2000 MB (run.max_memory_mb"
expect_err "the packet pool: kernel.netdev_max_backlog"
expect_exit 78 "memory: a thousand web clients" -- "$bin" "$src/scenarios/webserving.cfg" \
    --set workload.clients=1000 --set run.max_memory_mb=8000
expect_err "per-flow state: workload.flows, or workload.clients x workload.connections"
expect_exit 78 "memory: a hundred million samples" -- "$bin" "$small" --set run.sample_every=1 \
    --set run.sample_max=100000000 --set run.max_memory_mb=1000
expect_err "sampled packets: run.sample_max"
expect_exit 78 "trace windows beyond 32 bits" -- "$bin" "$small" --set run.duration_ms=1e7 \
    --set run.trace_window_us=1
expect_err "asks for 1e+10 trace windows"
expect_exit 0 "memory: the small scenario within 64 MB" -- "$bin" -q "$small" --set run.max_memory_mb=64 -o mem.h5
rm -f mem.h5
# an in-range event capacity below what the scenario can have pending: a
# clear refusal naming the key and the minimum, never an internal error
expect_exit 78 "event capacity too small" -- "$bin" "$small" --set run.max_pending_events=10
expect_err "'run.max_pending_events' = 10 is below the"
expect_err "or at least"
need=$(sed -n "s/.*or at least \([0-9]*\).*/\1/p" err.txt)
expect_exit 0 "event capacity at the minimum" -- "$bin" "$small" --set run.max_pending_events="$need" -o at_min.h5
rm -f at_min.h5
ls ./*.h5 >/dev/null 2>&1 && fail "a failed run left a result file" || ok

# unwritable output: clear message, EX_CANTCREAT, nothing left
expect_exit 73 "unwritable output" -- "$bin" "$small" -o "$work/no/such/dir/x.h5"
expect_err "no/such/dir/x.h5: error: cannot create output file"
# -o onto anything but a regular file or a new name is refused before the
# run, and the thing is left as it was (the rename used to replace it)
mkdir out_dir && mkfifo out_fifo && ln -s out_target out_link
for o in out_dir out_fifo out_link; do
    expect_exit 73 "-o $o" -- "$bin" "$small" -o "$o"
    expect_err "$o: error: exists and is not a regular file"
done
[ -d out_dir ] && [ -p out_fifo ] && [ -L out_link ] && [ ! -e out_target ] && ok ||
    fail "a refused output was changed"
expect_exit 73 "-o /dev/null" -- "$bin" "$small" -o /dev/null
[ -c /dev/null ] && ok || fail "/dev/null is no longer a device"
grep -q "simulated\|events in" out.txt && fail "the refused run simulated first" || ok
# calibrate writes its keys whole and renames them onto -o: refused before the fit
expect_exit 73 "calibrate -o /dev/null" -- "$bin" calibrate "$src/tests/data/calib_jobs.tsv" -o /dev/null
expect_err "/dev/null: error: exists and is not a regular file (a device)"
[ -c /dev/null ] && ok || fail "calibrate: /dev/null is no longer a device"
rm -rf out_dir out_fifo out_link

# a run: result file, no partial file, summary table
expect_exit 0 "small run" -- "$bin" "$small" -o run1.h5
expect_out "throughput"
[ -f run1.h5 ] && ok || fail "no result file"
ls ./*.partial* >/dev/null 2>&1 && fail "partial file left" || ok
expect_exit 0 "default output name" -- "$bin" -q "$small"
[ -f small.h5 ] && ok || fail "default output small.h5 missing"
[ -s out.txt ] && fail "--quiet printed something" || ok

# export
expect_exit 0 "export list" -- "$bin" export run1.h5
expect_out "/trace/throughput_pps"
expect_exit 0 "export summary" -- "$bin" export run1.h5 /summary
expect_out "throughput_pps"
head -1 out.txt | grep -q "latency_p99_us" && ok || fail "summary header"
# h5py (where Debian's python3-h5py is installed): column names are a list,
# numeric keys are numbers, every numeric dataset has units.
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
    /usr/bin/python3 - run1.h5 <<'PY' && ok || fail "h5py reading of the result"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
cols = [c.decode() if isinstance(c, bytes) else c for c in f["cpu/busy_frac"].attrs["columns"]]
assert cols[:2] == ["hardirq", "softirq"], cols
assert float(f["params"].attrs["nic.link_gbps"]) > 0
assert int(f["params"].attrs["run.seed"]) >= 0
def check(name, obj):
    if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu":
        assert obj.attrs.get("units") not in (None, "", b""), name
f.visititems(check)
t = f["trace/throughput_pps"].dims[0][0]
assert t.name == "/trace/t_ms" and len(t) == len(f["trace/throughput_pps"]), t
assert f["trace/flow_latency_p99_us"].dims[0][0].name == "/trace/t_ms"
PY
fi
# 4800 per-flow trace columns (16 web clients): their name list is beyond
# the 64 KiB an object-header attribute may take; it used to fail with 74.
expect_exit 0 "web run with 4800 flow columns" -- "$bin" -q "$src/scenarios/webserving.cfg" \
    --set workload.clients=16 --set run.duration_ms=10 --set run.warmup_ms=2 -o web16.h5
expect_exit 0 "export 4800 flow columns" -- "$bin" export web16.h5 /trace/flow_throughput_pps
[ "$(head -1 out.txt | tr '\t' '\n' | wc -l)" = 4801 ] && ok || fail "flow trace export is not t_ms + 4800 columns"
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
    /usr/bin/python3 -c 'import sys, h5py
d = h5py.File(sys.argv[1], "r")["trace/flow_throughput_pps"]
assert len(d.attrs["columns"]) == d.shape[1] == 4800, d.shape' web16.h5 && ok || fail "h5py reading 4800 flow columns"
fi
rm -f web16.h5
expect_exit 0 "export listing" -- "$bin" export run1.h5
awk -F'\t' 'NR > 1 && $2 != "text" && $3 == "" { print $1; bad = 1 } END { exit bad }' out.txt >missing_units.txt &&
    ok || fail "numeric datasets without units: $(tr '\n' ' ' <missing_units.txt)"
expect_exit 0 "export trace" -- "$bin" export run1.h5 /trace
# float32 traces print at their own precision: at most 9 significant digits
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^cpu_busy_frac/) c[i] = 1; next }
     { for (i in c) { v = $i; gsub(/[-.]|e.*/, "", v); sub(/^0+/, "", v); if (length(v) > 9) bad = 1 } }
     END { exit bad }' out.txt && ok || fail "float32 trace exported with more than 9 digits"
head -1 out.txt | cut -f1 | grep -qx "t_ms" && ok || fail "trace does not start with t_ms"
[ "$(wc -l <out.txt)" -gt 5 ] && ok || fail "trace too short"
expect_exit 0 "export a group with 2-D datasets" -- "$bin" export run1.h5 /cpu
head -1 out.txt | tr '\t' '\n' | grep -qx "busy_frac.softirq" && ok || fail "/cpu export lacks busy_frac.softirq"
head -1 out.txt | tr '\t' '\n' | grep -qx "stage_busy_frac.container" && ok || fail "/cpu export lacks stage_busy_frac"
[ "$(awk -F'\t' 'NR == 1 { n = NF } NR > 1 && NF != n { bad = 1 } END { print bad + 0 }' out.txt)" = 0 ] && ok ||
    fail "/cpu export rows differ in width"
expect_exit 0 "export 2-D" -- "$bin" export run1.h5 /cpu/busy_frac
head -1 out.txt | grep -q "softirq" && ok || fail "busy_frac header"
expect_exit 0 "export text" -- "$bin" export run1.h5 /config/raw_text
expect_out "workload"
expect_exit 65 "export bad path" -- "$bin" export run1.h5 /nope
expect_err "no object '/nope'"
expect_exit 66 "export missing file" -- "$bin" export nope.h5

# same scenario and seed: identical datasets, and (same command line) identical bytes
mkdir -p a b
expect_exit 0 "rerun" -- "$bin" -q "$small" -o run2.h5
if command -v h5diff >/dev/null; then
    h5diff run1.h5 run2.h5 /trace /trace >/dev/null && ok || fail "h5diff: same seed, /trace differs"
    h5diff run1.h5 run2.h5 /cpu /cpu >/dev/null && ok || fail "h5diff: same seed, /cpu differs"
fi
# a second apart, so a stored timestamp (the root group's, say) would show
(cd a && "$bin" -q "$small" -o r.h5) && sleep 1.1 && (cd b && "$bin" -q "$small" -o r.h5) ||
    fail "runs in a/ b/"
cmp -s a/r.h5 b/r.h5 && ok || fail "same seed and command: files differ byte-wise"
expect_exit 0 "other seed" -- "$bin" -q "$small" --seed 9 -o run3.h5
if command -v h5diff >/dev/null; then
    h5diff -q run1.h5 run3.h5 /trace /trace >/dev/null && fail "another seed gave the same trace" || ok
fi

# A signal in the simulation: 128 + its number, no result, no partial file.
# (SIGINT is ignored in a background job of a non-interactive shell, so the
# run is started with it restored to the default.)
for sig in HUP INT TERM; do
    num=$(kill -l "$sig")
    (trap - INT; exec "$bin" "$src/scenarios/udp_stress.cfg" --set run.duration_ms=100000 -q -o long.h5) 2>err.txt &
    pid=$!
    sleep 1
    kill -"$sig" $pid
    wait $pid
    code=$?
    [ "$code" -eq $((128 + num)) ] && ok || fail "SIG$sig exit $code, want $((128 + num))"
    expect_err "interrupted"
    ls long.h5* >/dev/null 2>&1 && fail "a run stopped by SIG$sig left a file" || ok
done

# A signal in the write phase (FALCONSIM_TEST_SIGNAL: falconsim raises it right after the
# result's H5Fclose, before the rename): 129/130/143, no result and no partial file, the
# previous result untouched.
for sig in 1 2 15; do
    echo previous >w.h5
    FALCONSIM_TEST_SIGNAL=$sig "$bin" -q "$small" -o w.h5 >out.txt 2>err.txt
    code=$?
    [ "$code" -eq $((128 + sig)) ] && ok || fail "signal $sig while writing: exit $code, want $((128 + sig))"
    expect_err "interrupted while writing"
    [ "$(cat w.h5)" = previous ] && ok || fail "signal $sig while writing replaced the previous result"
    ls w.h5.partial.* >/dev/null 2>&1 && fail "signal $sig while writing left a partial file" || ok
done
rm -f w.h5

# A killed run's partial file (its PID gone) is removed by the next run into
# the same path; a live process's is left alone.
sleep 60 &
live=$!
sh -c 'exit 0' &
dead=$!
wait $dead
echo half >k.h5.partial.$dead
echo half >k.h5.partial.$live
expect_exit 0 "a run over a dead run's partial file" -- "$bin" -q "$small" -o k.h5
[ -e k.h5.partial.$dead ] && fail "a dead run's partial file was not removed" || ok
[ -e k.h5.partial.$live ] && ok || fail "a live process's partial file was removed"
kill $live 2>/dev/null
wait $live 2>/dev/null
rm -f k.h5 k.h5.partial.*

# calibrate: a one-parameter fit lands on theory (1 Mpps needs host_l4 + migrate = 1000 ns),
# and its output works as a defaults file
expect_exit 0 "calibrate" -- "$bin" calibrate -q "$src/tests/data/calib_small.tsv" -o fit.cfg
expect_out "stage.host_l4.cost"
awk -F'\t' '$1 == "stage.host_l4.cost" { exit !($2 > 880 && $2 < 920) }' out.txt && ok || fail "fitted host_l4 not near 900"
# --seed-spread: the fitted point again with three other seeds, the sums' range in the header
# (the range is the model's, not asserted; its order and the fit's own sum are)
expect_exit 0 "calibrate --seed-spread" -- "$bin" calibrate -q "$src/tests/data/calib_small.tsv" \
    --seed-spread 3
sed -n 's/^# seed spread: the sum of squared relative errors at the fitted point is \([0-9.]*\); with run.seed + 1..3, \([0-9.]*\) to \([0-9.]*\) (median \([0-9.]*\))$/\1 \2 \3 \4/p' \
    out.txt | awk 'NF == 4 && $2 <= $4 && $4 <= $3 { n++ } END { exit n != 1 }' && ok ||
    fail "calibrate --seed-spread: no range line ($(grep '^# seed' out.txt))"
# ... and where the target hangs on Poisson arrivals (a CPU's busy time below saturation),
# the other seeds give other sums: the seed reaches the runs
printf 'free\tstage.host_l4.cost\t100\t3000\ntarget\t%s\tnetwork.mode=host,workload.flows=1,workload.rate_pps=300000\tbusy:1\t0.3\n' \
    "$src/scenarios/tests/small.cfg" >seeds.tsv
expect_exit 0 "calibrate --seed-spread, Poisson" -- "$bin" calibrate -q seeds.tsv --seed-spread 3
sed -n 's/^# seed spread: .* is \([0-9.]*\); with run.seed + 1..3, \([0-9.]*\) to \([0-9.]*\) .*$/\1 \2 \3/p' \
    out.txt | awk 'NF == 3 && $3 > $2 { n++ } END { exit n != 1 }' && ok ||
    fail "calibrate --seed-spread: the seeds changed nothing ($(grep '^# seed' out.txt))"
expect_exit 64 "calibrate --seed-spread past 64" -- "$bin" calibrate "$src/tests/data/calib_small.tsv" \
    --seed-spread 65
expect_err "--seed-spread needs an integer in 1..64 (got \"65\")"
printf 'defaults = "fit.cfg";\n' > usefit.cfg
expect_exit 0 "fitted file as defaults" -- "$bin" check usefit.cfg
grep -q "^stage.host_l4.cost = 900" out.txt && ok || fail "defaults did not bring the fitted cost"
# stageratio: stages over stages, on theory (tests/data/calib_ratio.tsv)
expect_exit 0 "calibrate stageratio" -- "$bin" calibrate -q "$src/tests/data/calib_ratio.tsv" -o ratio.cfg
awk -F'\t' '$1 == "stage.host_l4.cost" { exit !($2 > 640 && $2 < 660) }' out.txt && ok || fail "stageratio fit not near 650"
# ratio rows: one run's metric over another's, on theory (tests/data/calib_runratio.tsv);
# the start sits where the RPS core, not the NIC core, sets the rate
expect_exit 0 "calibrate ratio" -- "$bin" calibrate -q "$src/tests/data/calib_runratio.tsv" --set stage.host_l4.cost=700
awk -F'\t' '$1 == "stage.host_l4.cost" { exit !($2 > 880 && $2 < 920) }' out.txt && ok || fail "ratio fit not near 900"
grep -q "rate_pps=3000000 / network.mode=host" out.txt && ok || fail "ratio row's runs not named"
# C = * sums a CPU metric over all CPUs, on theory (tests/data/calib_allcpus.tsv)
expect_exit 0 "calibrate softirq:*" -- "$bin" calibrate -q "$src/tests/data/calib_allcpus.tsv"
awk -F'\t' '$1 == "stage.host_l4.cost" { exit !($2 > 630 && $2 < 670) }' out.txt && ok || fail "softirq:* fit not near 650"
cp "$src/scenarios/tests/small.cfg" small_copy.cfg
printf 'free\tstage.host_l4.cost\t100\t3000\ntarget\tsmall_copy.cfg\t-\tbusy:x\t0.5\n' > badcpu.tsv
expect_exit 78 "a CPU metric with a bad CPU" -- "$bin" calibrate badcpu.tsv
expect_err "badcpu.tsv:2: error: unknown metric 'busy:x'"
# the runs of an evaluation go on -j threads; the fit does not depend on how many
"$bin" calibrate "$src/tests/data/calib_jobs.tsv" -j 1 > jobs1.txt 2>/dev/null && ok || fail "calibrate -j 1"
"$bin" calibrate "$src/tests/data/calib_jobs.tsv" -j 3 > jobs3.txt 2>/dev/null && ok || fail "calibrate -j 3"
cmp -s jobs1.txt jobs3.txt && ok || fail "calibrate -j 1 and -j 3 differ"
expect_exit 64 "calibrate -j 0" -- "$bin" calibrate "$src/tests/data/calib_jobs.tsv" -j 0
expect_err "--jobs needs an integer in 1..256"
many=(); for i in $(seq 65); do many+=(--set run.seed=$i); done
expect_exit 78 "calibrate: too many --set keys" -- "$bin" calibrate "$src/tests/data/calib_jobs.tsv" "${many[@]}"
expect_err "calibrate takes at most 64 --set keys (got 65)"
# an absolute SCENARIO is taken as it is
printf 'free\tstage.host_l4.cost\t100\t3000\ntarget\t%s\tnetwork.mode=host,workload.flows=1,workload.rate_pps=3000000\tthroughput_pps\t1000000\n' "$(cd "$src" && pwd)/scenarios/tests/small.cfg" > abspath.tsv
expect_exit 0 "calibrate: absolute scenario path" -- "$bin" calibrate -q abspath.tsv
awk -F'\t' '$1 == "stage.host_l4.cost" { exit !($2 > 880 && $2 < 920) }' out.txt && ok || fail "absolute-path fit not near 900"
# a row's scenario or overrides that do not load are named by the row, before any fit
printf 'free\tstage.host_l4.cost\t100\t3000\n# c\ntarget\tnope.cfg\t-\tbusy:0\t0.5\n' > noscen.tsv
expect_exit 66 "calibrate: missing scenario" -- "$bin" calibrate noscen.tsv
expect_err "noscen.tsv:3: ./nope.cfg: error: cannot read scenario file"
printf 'free\tstage.host_l4.cost\t100\t3000\nratio\tsmall_copy.cfg\t-\tworkload.bogus=3\tbusy:0\t0.5\n' > badkey.tsv
expect_exit 78 "calibrate: unknown key in a row" -- "$bin" calibrate badkey.tsv
expect_err "badkey.tsv:2: --set: error: 'workload.bogus' is not a known key"
printf 'free\tstage.host_l4.cost\t100\t3000\nratio\t%s\t-\tthroughput_pps\t0.5\n' "$src/scenarios/tests/small.cfg" > shortratio.tsv
expect_exit 78 "ratio row without its denominator" -- "$bin" calibrate shortratio.tsv
expect_err "shortratio.tsv:2: error: expected ratio<TAB>SCENARIO<TAB>OVERRIDES<TAB>OVERRIDES_DEN"
printf 'free\tstage.host_l4.cost\t100\t3000\ntarget\t%s\t-\tstageratio:%0200d/host_l4\t0.5\n' "$src/scenarios/tests/small.cfg" 0 > longmetric.tsv
expect_exit 78 "metric too long" -- "$bin" calibrate longmetric.tsv
expect_err "longmetric.tsv:2: error: metric"
# a free key's bounds must stay inside the key's own range: every start and step is valid
printf '# c\nfree\tapp.recv_ns\t100\t5e9\ntarget\t%s\t-\tthroughput_pps\t1000000\n' "$src/scenarios/tests/small.cfg" > wide.tsv
expect_exit 78 "calibrate: bounds beyond the key's range" -- "$bin" calibrate wide.tsv --starts 3
expect_err "wide.tsv:2: error: free key 'app.recv_ns': bounds [100, 5e+09] leave the key's range [0, 1e+09]"
# a start whose runs are refused is left out, said, and the other starts' fit kept: start 1
# (the scenario's 5 ms) fits; Halton's 40 and 20 ms pass run.duration_ms = 20 of small.cfg
printf 'free\trun.warmup_ms\t0\t80\ntarget\tsmall_copy.cfg\t-\tthroughput_pps\t201200\n' > warmstarts.tsv
expect_exit 0 "calibrate: two of three starts refused" -- "$bin" calibrate warmstarts.tsv --starts 3 -o warm.cfg
expect_out "# 3 starts (2 failed, left out)"
expect_err "calibrate: start 2 of 3 failed and is left out: --set: error: 'run.warmup_ms' must be less than run.duration_ms = 20 (got 40)"
grep -q "warmup_ms = 5.0;" warm.cfg && ok || fail "the surviving start's fit not written: $(cat warm.cfg)"
expect_exit 78 "bad targets" -- "$bin" calibrate "$src/tests/data/bad_targets.tsv"
expect_err "bad_targets.tsv:1: error: expected free<TAB>KEY<TAB>MIN<TAB>MAX"
expect_exit 66 "missing targets" -- "$bin" calibrate nope.tsv

# maxrate: a 2 us bottleneck stage (1900 + 100 ns migration) sustains 500 Kpps; the bisection
# stops within 2 % of it (a probe just above capacity fills queues without dropping)
r=$(PATH="$(dirname "$bin"):$PATH" "$src/scripts/maxrate" "$small" --set network.mode=host \
    --set workload.flows=1 --set stage.host_l4.cost=1900 2>/dev/null)
[ -n "$r" ] && [ "$r" -gt 490000 ] && [ "$r" -le 510000 ] && ok || fail "maxrate gave $r, want 490-510 K"

# check command and docs in sync with the table
expect_exit 0 "check" -- "$bin" check "$small"
expect_out "policy.name = \"rps\";"
# --effective: one self-contained file that resolves to the same keys, for
# every bundled scenario (a campaign's campaign.cfg), --set included, and
# keeping the keys of policies that do not run
for f in "$src"/scenarios/*.cfg; do
    "$bin" check "$f" --set workload.flows=3 --effective >eff.cfg 2>/dev/null &&
        cmp -s <("$bin" check eff.cfg) <("$bin" check "$f" --set workload.flows=3) && ok ||
        fail "check --effective of $(basename "$f") does not resolve to the same keys"
done
"$bin" check "$src/scenarios/memcached.cfg" --effective >eff.cfg
grep -q "falcon_cpus" eff.cfg && ! grep -q "defaults" eff.cfg && ok ||
    fail "--effective dropped another policy's keys or kept a defaults line"
"$bin" --help-keys=markdown >keys.md
if grep -qF -f keys.md "$src/docs/scenarios.md" && [ "$(grep -cF -f keys.md "$src/docs/scenarios.md")" -ge "$(wc -l <keys.md)" ]; then
    ok
else
    fail "docs/scenarios.md is out of date: regenerate its key table with falconsim --help-keys=markdown"
fi

echo "cli_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
