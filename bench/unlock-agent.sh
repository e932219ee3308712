#!/usr/bin/env bash
# Unlock once (issue 24): what a command costs when the archive must be unlocked from the passphrase
# (Argon2id, 256 MiB by design) and when the unlock agent keeps the key (`certkeeper unlock`), beside
# gpg-agent's own unlock-once: a 1 MiB document decrypted by gpg with a passphrase-protected key,
# the first time (the agent unlocks the key: S2K) and then from gpg-agent's cache.
#
# The archive holds COUNT certificates (storage/examples/fill_archive.rs) and the RSA key a 1 MiB
# CMS document (made by OpenSSL) is encrypted to. Each figure is the mean wall time of RUNS runs,
# all in one run of this script. Goals: `list` of 10,000 < 0.2 s and `decrypt` of 1 MiB < 50 ms
# once unlocked.
#
# Usage: bench/unlock-agent.sh [COUNT, default 10000] [RUNS, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-10}
cargo build --release --quiet -p certkeeper
cargo build --release --quiet -p certkeeper-storage --example fill_archive
app="$PWD/target/release/certkeeper"
fill="$PWD/target/release/examples/fill_archive"
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/runtime"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=/nonexistent"
mkdir -m 700 "$XDG_RUNTIME_DIR"
cleanup() {
  "$app" lock >/dev/null 2>&1 || true
  gpgconf --homedir "$work/gnupg" --kill gpg-agent 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

printf 'bench passphrase for the unlock agent' > pass
chmod 600 pass
"$fill" archive.db pass "$count" >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -subj "/CN=bench RSA" -days 30 -out rsa.pem 2>/dev/null
mkdir keys && cp rsa.key rsa.pem keys/
"$app" --archive archive.db --passphrase-file pass import keys >/dev/null
head -c $((1 << 20)) /dev/urandom > doc.plain
openssl cms -encrypt -binary -aes-256-cbc -in doc.plain -outform DER -out doc.der rsa.pem

# mean NAME COMMAND...: the mean wall time of $runs runs, in ms.
mean() {
  local name=$1 total=0 start end i
  shift
  for i in $(seq "$runs"); do
    rm -f out
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 < /dev/null
    end=$(date +%s%N)
    total=$((total + end - start))
  done
  printf '%-62s %8.1f ms\n' "$name" "$(echo "$total / $runs / 1000000" | bc -l)"
}

echo "$count certificates; $(nproc) cores; mean of $runs runs"
mean "certkeeper list, passphrase file (Argon2id each time)" "$app" --archive archive.db --passphrase-file pass list
mean "certkeeper decrypt 1 MiB, passphrase file" "$app" --archive archive.db --passphrase-file pass decrypt doc.der -o out
cmp -s out doc.plain || { echo "decrypt gave other bytes"; exit 1; }
start=$(date +%s%N)
"$app" --archive archive.db --passphrase-file pass unlock >/dev/null
printf '%-62s %8.1f ms\n' "certkeeper unlock (once)" "$(echo "($(date +%s%N) - $start) / 1000000" | bc -l)"
mean "certkeeper list, unlocked by the agent" "$app" --archive archive.db list
mean "certkeeper decrypt 1 MiB, unlocked by the agent" "$app" --archive archive.db decrypt doc.der -o out
cmp -s out doc.plain || { echo "decrypt gave other bytes"; exit 1; }
"$app" --archive archive.db list | grep -c . | sed 's/^/  (list printed /; s/$/ lines)/'

# gpg-agent: a passphrase-protected RSA key, a 1 MiB document encrypted to it.
mkdir -m 700 gnupg
echo "allow-loopback-pinentry" > gnupg/gpg-agent.conf
gpg() { command gpg --homedir "$work/gnupg" --batch --pinentry-mode loopback "$@"; }
gpg --passphrase-file pass --quick-gen-key "bench <bench@example.invalid>" rsa2048 encr never 2>/dev/null
gpg --trust-model always -r bench@example.invalid -o doc.gpg -e doc.plain 2>/dev/null
first_total=0
for i in $(seq "$runs"); do
  gpgconf --homedir "$work/gnupg" --reload gpg-agent
  start=$(date +%s%N)
  gpg --passphrase-file pass -o out --yes -d doc.gpg 2>/dev/null
  first_total=$((first_total + $(date +%s%N) - start))
done
printf '%-62s %8.1f ms\n' "gpg -d 1 MiB, key unlocked from its passphrase" "$(echo "$first_total / $runs / 1000000" | bc -l)"
mean "gpg -d 1 MiB, key from gpg-agent's cache" gpg -o out --yes -d doc.gpg
cmp -s out doc.plain || { echo "gpg gave other bytes"; exit 1; }
