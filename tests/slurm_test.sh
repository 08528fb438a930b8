#!/usr/bin/env bash
# scripts/sweep on a real Slurm: a one-node cluster on this machine (munged,
# slurmctld and slurmd from Debian's munge and slurm-wlm, installed if
# missing, with a generated slurm.conf in a temporary directory), a small
# campaign submitted as a job array, its results byte-identical to the
# local backend's; a deleted result is resubmitted alone; a Slurm that is
# not there is refused before anything. Stops everything it started.
# Not in CI (label slurm; docs/campaigns.md). Exit 77: cannot start (skipped).
# Usage: slurm_test.sh FALCONSIM SOURCE_DIR
set -u
# shellcheck source=campaign_lib.sh
source "$(dirname "$0")/campaign_lib.sh"
need_root_and "munged, slurmctld and slurmd" /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged \
    slurm-wlm munge
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
    [ -n "${SLURM_CONF:-}" ] && scancel --quiet -u root 2>/dev/null
    for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]+"${pids[@]}"}"; do wait "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# munge with its own key and socket
dd if=/dev/urandom of="$work/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge.key"
mkdir -p "$work/munge"
timeout 900 /usr/sbin/munged --foreground --force --key-file="$work/munge.key" \
    --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" \
    --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" 2>/dev/null &
pids+=($!)

host=$(hostname -s)
port=$((30000 + RANDOM % 20000))
mkdir -p "$work/state" "$work/spool"
cat >"$work/slurm.conf" <<EOF
ClusterName=falconsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$work/slurm.conf
sleep 1
timeout 900 /usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
sleep 1
timeout 900 /usr/sbin/slurmd -D -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 60); do
    sinfo -h -o %t 2>/dev/null | grep -qx idle && { up=1; break; }
    sleep 0.5
done
[ "$up" -eq 1 ] || skip "the one-node cluster does not come up: $(tail -2 "$work/slurmctld.log" "$work/slurmd.log" 2>/dev/null | tr '\n' ' ')"

wait_done() { # DIR: until every run is done, at most 3 min
    local i
    for i in $(seq 180); do
        "$sweep" --status "$1" 2>/dev/null | grep -q " 0 missing" &&
            ! squeue -h 2>/dev/null | grep -q . && return 0
        sleep 1
    done
    return 1
}
axes=("${campaign_axes[@]}")

"$sweep" "$small" "${axes[@]}" --out "$work/local" -j 2 2>/dev/null && ok || fail "local sweep"
"$sweep" "$small" "${axes[@]}" --out "$work/slurm" --slurm --submit --chunk 3 --time 10 \
    --partition test 2>"$work/err" && ok || fail "slurm submit: $(cat "$work/err")"
grep -q "8 run(s) in 3 array task(s)" "$work/err" && ok || fail "want 3 array tasks: $(cat "$work/err")"
grep -q "^#SBATCH --array=0-2$" "$work/slurm/slurm.sbatch" && ok || fail "array line"
wait_done "$work/slurm" && ok || fail "the array did not finish: $(cat "$work"/slurm/slurm/*.out 2>/dev/null | tail -3)"
same_results "$work/local" "$work/slurm" && ok || fail "Slurm results differ from local ones"
# resubmit only what is missing
rm "$work/slurm/workload.flows=1_policy.name=rps_r2.h5"
"$sweep" --status "$work/slurm" | grep -q "7 done, 0 running, 1 missing" && ok || fail "status after a loss"
"$sweep" --resume "$work/slurm" --slurm --submit 2>"$work/err" && ok || fail "resubmit: $(cat "$work/err")"
grep -q "1 run(s) in 1 array task(s)" "$work/err" && ok || fail "resubmitted more than the missing run: $(cat "$work/err")"
wait_done "$work/slurm" && ok || fail "the resubmitted run did not finish"
same_results "$work/local" "$work/slurm" && ok || fail "results differ after the resubmission"
# a Slurm that is not there: refused before anything
(
    export SLURM_CONF=$work/nowhere.conf
    PATH=/usr/local/bin:/bin "$sweep" "$small" "${axes[@]}" --out "$work/none" --slurm --submit 2>"$work/err"
    echo $? >"$work/rc"
)
[ "$(cat "$work/rc")" -eq 69 ] && ok || fail "no Slurm: want exit 69, got $(cat "$work/rc")"
grep -q "Slurm is not there\|Slurm does not answer" "$work/err" && ok || fail "no-Slurm message: $(cat "$work/err")"

echo "slurm_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
