#!/bin/sh
# Builds the age header/armor fuzzer with libFuzzer + AddressSanitizer and runs it.
#   Fuzz/run-age.sh [SECONDS]     (default 60; run from anywhere)
# Artefacts go to .build/fuzz-age/ (git-ignored); crashes are written there as crash-*.
# New inputs found go to .build/fuzz-age/corpus, the seeds in Fuzz/corpus/age stay untouched.
set -eu
SECONDS_TO_RUN="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.build/fuzz-age"
mkdir -p "$OUT/corpus"
cd "$ROOT"

FLAGS="-sanitize=fuzzer,address -parse-as-library -swift-version 6 -enable-upcoming-feature ExistentialAny -g -O -I Sources/CSodium"

# CasesCrypto as its own module (AgeFormat imports it).
swiftc $FLAGS -module-name CasesCrypto -wmo -c Sources/CasesCrypto/*.swift \
    -emit-module -emit-module-path "$OUT/CasesCrypto.swiftmodule" -o "$OUT/CasesCrypto.o"

# AgeFormat's sources and the fuzz entry point in one module, so internals are reachable.
swiftc $FLAGS -module-name AgeFormat -I "$OUT" \
    Fuzz/AgeHeaderFuzz.swift Sources/AgeFormat/*.swift "$OUT/CasesCrypto.o" -lsodium \
    -o "$OUT/age-header-fuzz"

cd "$OUT"
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" ./age-header-fuzz -max_total_time="$SECONDS_TO_RUN" \
    -max_len=200000 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    "$OUT/corpus" "$ROOT/Fuzz/corpus/age"
