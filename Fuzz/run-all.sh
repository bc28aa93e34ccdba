#!/bin/sh
# Runs every libFuzzer target for SECONDS each (default 60): the CI hook after the tests.
#   Fuzz/run-all.sh [SECONDS]
# Stops with a non-zero status at the first target that fails (a crash, leak or timeout);
# its input is in .build/fuzz-TARGET/ (crash-*, leak-*, timeout-*) and its full log beside it.
set -eu
SECONDS_EACH="${1:-60}"
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$HERE/../.build"
for target in import-jsonl import-csv sealed-record age; do
    log="$HERE/../.build/fuzz-$target.log"
    echo "== fuzz $target for ${SECONDS_EACH}s" >&2
    status=0
    "$HERE/run.sh" "$target" "$SECONDS_EACH" >"$log" 2>&1 || status=$?
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done)|ERROR|SUMMARY|Test unit written|error:' "$log" >&2 || true
    if [ "$status" -ne 0 ]; then
        echo "fuzz $target failed (status $status); see $log" >&2
        exit 1
    fi
done
echo "== every fuzz target ran ${SECONDS_EACH}s without a failure" >&2
