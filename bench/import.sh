#!/usr/bin/env bash
# `certkeeper import FOLDER` end to end, the release binary as a person runs it, on folders of
# 1,000, 10,000 and 30,000 certificate files (issue 5 target: at least 5,000 certificates per second
# excluding the one-time key derivation, growing linearly; anchors: XCA 2.4 and gpgsm about 230 s
# for 10,000). The key derivation is measured on its own (`certkeeper list` on the same archive,
# empty: unlocking and nothing else) and taken off; each size is imported into a new archive, best
# of three runs.
#
# Usage: bench/import.sh [COUNT...]   (default 1000 10000 30000; needs openssl with the GOST engine)
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("${@:-1000 10000 30000}")
read -r -a counts <<< "${counts[*]}"

cargo build --release --quiet -p certkeeper
cargo build --release --quiet -p certkeeper-storage --example certificate_folder
bin="$PWD/target/release/certkeeper"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '%s' "bench-passphrase" > "$work/passphrase"
chmod 600 "$work/passphrase"

seconds() { python3 -c 'import time; print(f"{time.monotonic():.6f}")'; }
ck() { "$bin" --archive "$work/archive.db" --passphrase-file "$work/passphrase" "$@"; }
# The best of three runs of `ck ARGS...`, in seconds; each run on a new, empty archive when
# FRESH is set (made before the clock starts).
best_of_three() {
  local best="" start end
  for _ in 1 2 3; do
    if [ -n "${FRESH:-}" ]; then rm -f "$work"/archive.db*; ck init > /dev/null; fi
    start=$(seconds); ck "$@" > /dev/null; end=$(seconds)
    best=$(python3 -c "print(f'{min(x for x in [$end - $start, ${best:-1e9}]):.6f}')")
  done
  echo "$best"
}

printf '%-8s %12s %12s %12s %14s\n' files "import, s" "unlock, s" "net, s" "per second"
for count in "${counts[@]}"; do
  folder="$work/drive-$count"
  target/release/examples/certificate_folder "$folder" "$count" > /dev/null 2> "$work/folder.log" \
    || { cat "$work/folder.log"; exit 1; }
  rm -f "$work"/archive.db*; ck init > /dev/null
  unlock=$(best_of_three list)
  total=$(FRESH=1 best_of_three --json import "$folder")
  python3 -c "
count, total, unlock = $count, $total, $unlock
net = total - unlock
print(f'{count:<8} {total:12.3f} {unlock:12.3f} {net:12.3f} {count / net:14.0f}')"
  rm -rf "$folder"
done
