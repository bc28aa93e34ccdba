#!/usr/bin/env bash
# `cases` measured side by side with its anchors, in one run, on the same generated caseload:
#
#   - plain `sqlite3` and `sqlcipher` (raw key, so no KDF) holding the same cases as JSON rows,
#     bulk-inserted in one transaction and scanned with the same predicate (stage = arrival);
#   - the `age` CLI encrypting and decrypting the same vault snapshot as `cases backup`;
#   - `cases import` of the same caseload, for `cases key rotate` (the ratio rotate / import).
#
# At 1,000, 10,000 and 100,000 cases (and 1,000,000 with --long). Every `cases` figure is the
# wall time of the real command; "after unlock" subtracts the median wall time of
# `cases key list` on the same vault (process start, open, Argon2id unlock), which is reported
# on its own because it is slow on purpose. Peak memory is GNU time's maximum RSS. The import
# and both bulk inserts are the median of three alternating rounds (up to 100,000 cases).
#
#   Benchmarks/compare.sh [--long] [--sizes "1000 10000"]
#
# Installs what it needs with `Scripts/setup --bench` (sqlite3, sqlcipher, age, GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="1000 10000 100000"
while [[ $# -gt 0 ]]; do
  case $1 in
    --long) sizes="$sizes 1000000" ;;
    --sizes) sizes=$2; shift ;;
    *) echo "usage: Benchmarks/compare.sh [--long] [--sizes \"N …\"]" >&2; exit 64 ;;
  esac
  shift
done
Scripts/setup --bench
for tool in sqlite3 sqlcipher age age-keygen /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing; run Scripts/setup first." >&2; exit 69; }
done

swift build -c release --product cases >/dev/null
bin=$(swift build -c release --show-bin-path)/cases
work=$(mktemp -d /var/tmp/cases-compare.XXXXXX)   # on disk, not a RAM tmpfs
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
printf 'bench passphrase\n' > "$work/pass"
export CASES_PASSPHRASE_FILE="$work/pass"
rawkey="x'$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')'"
age-keygen -o "$work/hq.txt" 2>/dev/null
recipient=$(grep 'public key' "$work/hq.txt" | awk '{print $4}')

# run LABEL CMD… : runs once; sets $secs (wall, from the clock) and $peak (MiB).
run() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$work/rss" "${@:2}" >"$work/out" 2>"$work/err" || { echo "$1 failed:" >&2; cat "$work/err" >&2; exit 1; }
  end=$(date +%s%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
  peak=$(awk '{ printf "%.0f", $1 / 1024 }' "$work/rss")
}
# median3 LABEL CMD… : the median of three runs; sets $secs and $peak (of the median run).
median3() { median_of 3 "$@"; }
# median_of N LABEL CMD… : the median of N (odd) runs.
median_of() {
  local n=$1 all=()
  shift
  for _ in $(seq "$n"); do run "$@"; all+=("$secs $peak"); done
  read -r secs peak < <(printf '%s\n' "${all[@]}" | sort -n | sed -n "$(( (n + 1) / 2 ))p")
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0.001) d = 0.001; printf "%.4f", d }'; }
ms() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.0f ms", s * 1000; else printf "%.2f s", s }'; }
row() { printf '  %-44s %12s %12s %8s   %s\n' "$@"; }

summary=()
for n in $sizes; do
  d="$work/n$n"
  mkdir -m 700 "$d"
  echo
  echo "== $n cases =="
  "$bin" demo generate --count "$n" --seed 42 --out "$d/cases.jsonl"

  # The anchors' rows: each case's JSON line with its current stage (its last history step, or
  # intake) as the first key, so both anchors filter with the same exact prefix predicate.
  awk '{
      line = $0; gsub(/\047/, "\047\047", line)
      st = "intake"; s = line
      while (match(s, /"stage":"[a-z_]+"/)) { st = substr(s, RSTART + 9, RLENGTH - 10); s = substr(s, RSTART + RLENGTH) }
      sub(/^\{/, "{\"current_stage\":\"" st "\",", line)
      print "INSERT INTO cases (doc) VALUES (\047" line "\047);"
    }' "$d/cases.jsonl" > "$d/rows.sql"
  predicate="doc LIKE '{\"current_stage\":\"arrival\",%'"
  { echo "CREATE TABLE cases (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);"; echo "BEGIN;"; cat "$d/rows.sql"; echo "COMMIT;"; } > "$d/plain.sql"
  { echo "PRAGMA key = \"$rawkey\";"; cat "$d/plain.sql"; } > "$d/cipher.sql"

  # Import / bulk insert: alternating rounds (ours, then each anchor, each into new files) and
  # the median of each, so that one slow moment of this shared machine does not set the ratio
  # (a single SQLCipher run once read 2.7 s where the runs around it read 1.9 s). One round
  # above 100,000 cases.
  rounds=3; [ "$n" -gt 100000 ] && rounds=1
  imports=(); sq_runs=(); sc_runs=()
  for _ in $(seq "$rounds"); do
    rm -rf "$d/v" "$d/plain.db" "$d/cipher.db"
    "$bin" init --vault "$d/v/vault.cases" --kdf interactive >/dev/null
    export CASES_VAULT="$d/v/vault.cases"
    median3 "unlock" "$bin" key list; unlock=$secs
    run "import" "$bin" import "$d/cases.jsonl" --format jsonl; imports+=("$(minus "$secs" "$unlock") $peak")
    run "sqlite3 insert" sqlite3 "$d/plain.db" ".read $d/plain.sql"; sq_runs+=("$secs")
    run "sqlcipher insert" sqlcipher "$d/cipher.db" ".read $d/cipher.sql"; sc_runs+=("$secs")
  done
  middle() { printf '%s\n' "$@" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p"; }
  read -r import import_peak < <(middle "${imports[@]}")
  sq_ins=$(middle "${sq_runs[@]}")
  sc_ins=$(middle "${sc_runs[@]}")
  # The baseline for every later command, on the filled vault (opening a large file costs more);
  # seven runs, since every "after unlock" figure carries its noise.
  median_of 7 "unlock" "$bin" key list; unlock=$secs

  # Scan with the filter.
  median3 "list" "$bin" list --stage arrival; list=$(minus "$secs" "$unlock"); list_peak=$peak
  ours_count=$(($(wc -l < "$work/out") - 1))
  median3 "sqlite3 scan" sqlite3 "$d/plain.db" "SELECT count(*) FROM cases WHERE $predicate"; sq_scan=$secs; sq_count=$(cat "$work/out")
  median3 "sqlcipher scan" sqlcipher "$d/cipher.db" "PRAGMA key = \"$rawkey\"; SELECT count(*) FROM cases WHERE $predicate"; sc_scan=$secs
  sc_count=$(grep -v '^ok$' "$work/out" | tail -1)
  if [[ $ours_count != "$sq_count" || $ours_count != "$sc_count" ]]; then
    echo "compare.sh: the filters disagree: cases $ours_count, sqlite3 $sq_count, sqlcipher $sc_count" >&2; exit 1
  fi

  # One case, and statistics (a new table each time: 2021, 2022, 2023).
  id=$("$bin" list --stage arrival | sed -n 2p | awk '{print $1}')
  median3 "show" "$bin" show "$id"; show=$(minus "$secs" "$unlock")
  st=()
  for y in 2021 2022 2023; do run "stats" "$bin" stats --year "$y" --by segment,destination; st+=("$secs $peak"); done
  read -r stats stats_peak < <(printf '%s\n' "${st[@]}" | sort -n | sed -n 2p); stats=$(minus "$stats" "$unlock")
  median3 "help" "$bin" --help; help=$secs
  # The whole audit (unlock included, as a caseworker runs it each morning); no anchor does
  # this, so it is shown against its goal: at most 2 s at 100,000 cases.
  median3 "audit verify" "$bin" audit verify; audit=$secs

  # Backups against age on the same bytes: `backup create` folds the WAL into the vault file and
  # encrypts that file, so age gets a copy of the file as it was then.
  run "backup create" "$bin" backup create --out "$d/ours.age" --recipient "$recipient"; b_create=$secs
  cp "$CASES_VAULT" "$d/snapshot.cases"
  run "age -r" age -r "$recipient" -o "$d/age.age" "$d/snapshot.cases"; a_enc=$secs
  run "backup verify" "$bin" backup verify "$d/ours.age" --identity "$work/hq.txt"; b_verify=$secs
  run "age -d" age -d -i "$work/hq.txt" -o /dev/null "$d/age.age"; a_dec=$secs

  # Key rotation against the import of the same caseload (at most 2x): every record opened and
  # sealed again under a new key. Last, since it changes the vault; audit verify must pass after.
  median3 "key rotate" "$bin" key rotate --yes; rotate=$(minus "$secs" "$unlock"); rotate_peak=$peak
  "$bin" audit verify >/dev/null || { echo "compare.sh: audit verify failed after key rotate" >&2; exit 1; }

  vault_mib=$(du -m "$CASES_VAULT" | cut -f1); sq_mib=$(du -m "$d/plain.db" | cut -f1); sc_mib=$(du -m "$d/cipher.db" | cut -f1)
  row "operation" "cases" "anchor" "ratio" "anchor"
  row "unlock (Argon2id interactive) + start" "$(ms "$unlock")" "" "" ""
  row "import / bulk insert, after unlock" "$(ms "$import")" "$(ms "$sc_ins")" "$(ratio "$import" "$sc_ins")" "sqlcipher (sqlite3 $(ms "$sq_ins"))"
  row "list --stage arrival ($ours_count), after unlock" "$(ms "$list")" "$(ms "$sc_scan")" "$(ratio "$list" "$sc_scan")" "sqlcipher scan (sqlite3 $(ms "$sq_scan"))"
  row "show ID, after unlock" "$(ms "$show")" "" "" ""
  row "stats 20xx segment × destination, after unlock" "$(ms "$stats")" "" "" ""
  row "backup create" "$(ms "$b_create")" "$(ms "$a_enc")" "$(ratio "$b_create" "$a_enc")" "age -r"
  row "backup verify" "$(ms "$b_verify")" "$(ms "$a_dec")" "$(ratio "$b_verify" "$a_dec")" "age -d"
  row "key rotate, after unlock" "$(ms "$rotate")" "$(ms "$import")" "$(ratio "$rotate" "$import")" "import of the same cases (at most 2)"
  row "cases --help" "$(ms "$help")" "" "" ""
  row "audit verify (whole command)" "$(ms "$audit")" "2.00 s" "$(ratio "$audit" 2)" "goal: at most 2 s at 100,000 cases"
  row "peak memory: import / list / stats / rotate" "$import_peak/$list_peak/$stats_peak/$rotate_peak MiB" "" "" ""
  row "file size: vault / sqlcipher / sqlite3" "$vault_mib MiB" "$sc_mib MiB" "" "sqlite3 $sq_mib MiB"
  summary+=("$n $list $stats $import $show")
  rm -f "$d/rows.sql" "$d/plain.sql" "$d/cipher.sql" "$d/snapshot.cases" "$d/ours.age" "$d/age.age"
done

echo
echo "== scaling (after unlock; each step ×10 cases should cost ×10 or less) =="
printf '  %-10s %12s %12s %12s %12s\n' cases list stats import show
prev=""
for line in "${summary[@]}"; do
  read -r n l s i w <<<"$line"
  printf '  %-10s %12s %12s %12s %12s' "$n" "$(ms "$l")" "$(ms "$s")" "$(ms "$i")" "$(ms "$w")"
  if [[ -n $prev ]]; then read -r pl ps pi _ <<<"$prev"; printf '   ×%s ×%s ×%s' "$(ratio "$l" "$pl")" "$(ratio "$s" "$ps")" "$(ratio "$i" "$pi")"; fi
  echo
  prev="$l $s $i"
done

echo
echo "== linked audit of statistics tables (goal: at most 2 s for 100,000 cases) =="
# Bounded: the linked audit is far from its goal, and the comparison above must still end.
(cd Benchmarks && swift build -c release --product cases-bench >/dev/null &&
  { timeout 600 "$(swift build -c release --show-bin-path)/cases-bench" linked --cases 100000 ||
    echo "linked audit: did not finish within 600 s (goal: 2 s) ✘"; })
