#!/usr/bin/env bash
# Backup benchmark: `cases backup create/verify/restore` against `age -r` / `age -d` on the same
# snapshot, in the same run, on a vault of at least MIB MiB (default 1024). Prints wall time,
# peak memory (GNU time's max RSS) and the ratios ours ÷ age.
#   Benchmarks/backup.sh [MIB]
set -euo pipefail
cd "$(dirname "$0")"
mib=${1:-1024}
swift build -c release --product cases-bench >/dev/null
(cd .. && swift build -c release --product cases >/dev/null)
bin=$(cd .. && swift build -c release --show-bin-path)/cases
bench=$(swift build -c release --show-bin-path)/cases-bench
work=$(mktemp -d /var/tmp/cases-backup-bench.XXXXXX)   # on disk, not a RAM tmpfs
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
printf 'bench passphrase cobalt minnow 9\n' > "$work/pass"
export CASES_PASSPHRASE_FILE="$work/pass"
"$bench" fill --mib "$mib" --vault "$work/v/vault.cases" --passphrase-file "$work/pass"
age-keygen -o "$work/hq.txt" 2>/dev/null
r=$(grep 'public key' "$work/hq.txt" | awk '{print $4}')
sqlite3 "$work/v/vault.cases" "VACUUM INTO '$work/snapshot.cases'"
size=$(stat -c %s "$work/snapshot.cases")
echo "vault snapshot: $((size / 1048576)) MiB"

measure() { # label, command…  → prints "label  seconds  peakMiB", sets $secs
  local out
  sync
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "${@:2}" >/dev/null 2>"$work/stderr.txt" || { echo "$1 failed:"; cat "$work/stderr.txt"; exit 1; }
  out=$(tail -1 "$work/time.txt")
  secs=$(echo "$out" | awk '{print $1}')
  printf '%-44s %8.2f s %8.1f MiB\n' "$1" "$secs" "$(echo "$out" | awk '{print $2/1024}')"
}
measure "cases backup create (snapshot + encrypt)" "$bin" backup create --vault "$work/v/vault.cases" --out "$work/ours.age" --recipient "$r"; ours_c=$secs
measure "age -r (same snapshot)" age -r "$r" -o "$work/age.age" "$work/snapshot.cases"; age_c=$secs
measure "cases backup verify" "$bin" backup verify "$work/ours.age" --identity "$work/hq.txt"; ours_v=$secs
measure "age -d (to /dev/null)" age -d -i "$work/hq.txt" -o /dev/null "$work/age.age"; age_v=$secs
measure "cases backup restore (decrypt + checks)" "$bin" backup restore "$work/ours.age" --to "$work/restored/vault.cases" --identity "$work/hq.txt"
echo
awk -v a="$ours_c" -v b="$age_c" 'BEGIN { printf "create ÷ age -r  %.2f  (goal ≤ 1.0)\n", a / b }'
awk -v a="$ours_v" -v b="$age_v" 'BEGIN { printf "verify ÷ age -d  %.2f  (goal ≤ 1.0)\n", a / b }'
