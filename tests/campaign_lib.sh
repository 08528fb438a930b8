# Shared by tests/ssh_test.sh and tests/slurm_test.sh (sourced): counters,
# the skip exit (77, reported as skipped by ctest) and the comparison of
# two campaigns' result files.
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
skip() {
    echo "${0##*/}: skipped: $*" >&2
    exit 77
}
# DIR_A DIR_B: the same result files, byte for byte.
same_results() {
    local f n=0
    for f in "$1"/*.h5; do
        cmp -s "$f" "$2/$(basename "$f")" || return 1
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] && [ "$n" -eq "$(ls "$2"/*.h5 | wc -l)" ]
}
# The small campaign both tests run: 4 points x 2 replications.
campaign_axes=(--axis workload.flows=1,2 --axis policy.name=rps,vanilla --reps 2)
