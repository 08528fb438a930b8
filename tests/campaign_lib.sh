# Shared by tests/ssh_test.sh and tests/slurm_test.sh (sourced, with the
# test's FALCONSIM and SOURCE_DIR as $1 and $2): their paths, counters, the
# skip exit (77, reported as skipped by ctest), Debian packages installed or
# a skip, and the comparison of two campaigns' result files.
bin=$1
src=$2
sweep=$src/scripts/sweep
small=$src/scenarios/tests/small.cfg
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
skip() {
    echo "${0##*/}: skipped: $*" >&2
    exit 77
}
# WHY PATH... PACKAGE...: skip unless root; install the packages unless every
# PATH (an executable, absolute) is there.
need_root_and() {
    local why=$1 missing=0
    shift
    [ "$(id -u)" -eq 0 ] || skip "needs root to start $why"
    while [ $# -gt 0 ] && [ "${1#/}" != "$1" ]; do
        [ -x "$1" ] || missing=1
        shift
    done
    [ "$missing" -eq 0 ] && return 0
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends \
        "$@" >/dev/null 2>&1 || skip "$* cannot be installed"
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
