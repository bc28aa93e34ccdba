#!/bin/sh
# Builds one libFuzzer target (AddressSanitizer) straight from the module sources and runs it.
#   Fuzz/run.sh TARGET [SECONDS]      TARGET: import-jsonl | import-csv | sealed-record | age
# Seeds are in Fuzz/corpus/TARGET (never changed); inputs found go to .build/fuzz-TARGET/corpus;
# a crash is written there as crash-* and the script exits non-zero.
set -eu
TARGET="${1:?usage: Fuzz/run.sh import-jsonl|import-csv|sealed-record|age [SECONDS]}"
SECONDS_TO_RUN="${2:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.build/fuzz-$TARGET"
mkdir -p "$OUT/corpus"
cd "$ROOT"

FLAGS="-sanitize=fuzzer,address -parse-as-library -swift-version 6 -enable-upcoming-feature ExistentialAny -g -O -I Sources/CSodium"

# CasesCrypto as its own module, as in the package.
swiftc $FLAGS -module-name CasesCrypto -wmo -c Sources/CasesCrypto/*.swift \
    -emit-module -emit-module-path "$OUT/CasesCrypto.swiftmodule" -o "$OUT/CasesCrypto.o"

CORE=Sources/CasesCore
MODULE=CasesCore
MAX_LEN=16384
EXTRA=""
case "$TARGET" in
  age)
    # The age header, stanza and armor parsers (and the payload reader behind them).
    SOURCES="Fuzz/AgeHeaderFuzz.swift $(echo Sources/AgeFormat/*.swift)"
    MODULE=AgeFormat
    MAX_LEN=200000 ;;
  sealed-record)
    SOURCES="Fuzz/SealedRecordFuzz.swift $CORE/Vault/SealedRecord.swift" ;;
  import-jsonl|import-csv)
    # The case model and the import readers: everything on the parsing path that needs no GRDB.
    SOURCES="Fuzz/ImportFuzz.swift $CORE/Errors/CasesError.swift $CORE/Vault/RecordCoding.swift
      $CORE/Cases/CaseDocument.swift $CORE/Cases/CaseFile.swift $CORE/Cases/CaseEvent.swift $CORE/Cases/CaseID.swift
      $CORE/Cases/CaseError.swift $CORE/Cases/CaseValidator.swift $CORE/Cases/StageTransition.swift $CORE/Cases/Country.swift $CORE/Cases/Country+Table.swift
      $CORE/Cases/InputError.swift $CORE/Cases/Vocabulary.swift $CORE/Cases/ConcurrentResults.swift $CORE/Cases/CaseSummary.swift
      $CORE/Import/BoundedInputStream.swift $CORE/Import/CSVCaseLayout.swift $CORE/Import/CSVCaseSource.swift
      $CORE/Import/ImportFile.swift $CORE/Import/ImportRowSource.swift $CORE/Import/JSONLCaseSource.swift $CORE/Import/ImportReport.swift
      $CORE/Import/FastDocumentReader.swift $CORE/Vault/BinaryRecord.swift $CORE/Cases/EventGroup.swift"
    # CSV.swift (the package's CSV parser) as its own module, from SwiftPM's checkout.
    CSVDIR="$ROOT/.build/checkouts/CSV.swift/Sources/CSV"
    [ -d "$CSVDIR" ] || swift package resolve >/dev/null
    swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 5 -g -O -suppress-warnings -module-name CSV -wmo -c "$CSVDIR"/*.swift \
        -emit-module -emit-module-path "$OUT/CSV.swiftmodule" -o "$OUT/CSV.o"
    EXTRA="$OUT/CSV.o"
    [ "$TARGET" = import-csv ] && FLAGS="$FLAGS -D FUZZ_CSV" ;;
  *) echo "unknown target $TARGET" >&2; exit 64 ;;
esac

# The target's sources and the entry point in one module, so internals are reachable.
swiftc $FLAGS -module-name "$MODULE" -I "$OUT" $SOURCES "$OUT/CasesCrypto.o" $EXTRA -lsodium -o "$OUT/fuzz"

cd "$OUT"
# FUZZ_SEED fixes libFuzzer's mutation sequence (CI sets it, so a run is repeatable); unset, it is random.
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" ./fuzz -max_total_time="$SECONDS_TO_RUN" -seed="${FUZZ_SEED:-0}" \
    -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    "$OUT/corpus" "$ROOT/Fuzz/corpus/$TARGET"
