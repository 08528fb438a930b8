#!/usr/bin/env bash
# Every gnuplot script renders a non-empty PNG (and PDF) from its fixture.
# Usage: plots_test.sh SOURCE_DIR
set -u
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src" || exit 1
passed=0
failed=0
for gp in plots/fig*.gp; do
    name=$(basename "$gp" .gp)
    data=tests/data/plots/$name.tsv
    if [ ! -f "$data" ]; then
        failed=$((failed + 1))
        echo "FAIL: no fixture $data for $gp" >&2
        continue
    fi
    for fmt in png pdf; do
        out=$work/$name.$fmt
        if gnuplot -e "datafile='$data'; outfile='$out'; fmt='$fmt'" "$gp" 2>"$work/err" &&
            [ "$(stat -c %s "$out" 2>/dev/null || echo 0)" -gt 2000 ] && [ ! -s "$work/err" ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAIL: $gp ($fmt): $(head -3 "$work/err")" >&2
        fi
    done
done
echo "plots_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
