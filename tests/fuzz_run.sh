#!/usr/bin/env bash
# ctest -L fuzz: runs the scenario loader's libFuzzer target for a bounded
# time from the seed corpus (the bundled scenarios and tests/fuzz/corpus).
# New inputs go to a temporary directory that is removed; a crash leaves
# its input in the working directory (crash-*) and fails the test.
# The dictionary is every key name and group from `falconsim --help-keys`
# plus libconfig's syntax.
# Usage: fuzz_run.sh FUZZER FALCONSIM SOURCE_DIR SECONDS
set -euo pipefail
fuzzer=$(realpath "$1") falconsim=$(realpath "$2") src=$(realpath "$3") seconds=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
{
    for tok in '@include "' 'defaults = "' '//set ' ' = ' ';' '{' '}' '[' ']' '(' ')' ',' \
               'true' 'false' 'L' '0x' 'e+' '"' '\\n' '/*' '*/' '#'; do
        printf '"%s"\n' "$(printf '%s' "$tok" | sed 's/\\/\\\\/g; s/"/\\"/g')"
    done
    "$falconsim" --help-keys | awk '/^[a-z]/ { print $1 }' | tr . '\n' | sort -u | sed 's/.*/"&"/'
} > "$work/dict"
export LSAN_OPTIONS="suppressions=$src/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
artifacts=$PWD/
cd "$src/scenarios" # where the seeds' @include and defaults files are
"$fuzzer" -artifact_prefix="$artifacts" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$work/dict" "$work/new" "$src/scenarios" "$src/tests/fuzz/corpus" \
    2>"$work/log" || { tail -60 "$work/log"; exit 1; }
grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)" "$work/log"
