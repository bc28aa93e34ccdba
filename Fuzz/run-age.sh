#!/bin/sh
# The age header/armor fuzzer: kept for old habits, now one target of Fuzz/run.sh.
#   Fuzz/run-age.sh [SECONDS]     (default 60; run from anywhere)
exec "$(dirname "$0")/run.sh" age "${1:-60}"
