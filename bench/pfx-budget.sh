#!/usr/bin/env bash
# A PFX file's key derivation work budget (issue 17, item 4): how long certkeeper takes to open GOST
# PFX files (OpenSSL's GOST engine: Streebog-512 MAC, PBKDF2-HMAC-Streebog-512 for the key and the
# certificate bags) at growing iteration counts, beside OpenSSL reading the same file, in one run;
# the files over the budget are refused before any derivation. Release binary; best of three.
# Usage: bench/pfx-budget.sh [ITERATIONS...]   (default: 2048 50000 100000 125000 130000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENSSL_CONF="$PWD/tests/fixtures/openssl-gost.cnf"
counts=("${@:-2048 50000 100000 125000 130000 1000000}")
read -r -a counts <<<"${counts[*]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release -p certkeeper
certkeeper="$PWD/target/release/certkeeper"
openssl genpkey -algorithm gost2012_256 -pkeyopt paramset:A -out "$work/key.pem"
openssl req -new -x509 -key "$work/key.pem" -subj /CN=bench -days 30 -out "$work/cert.pem"
printf 'pw\n' >"$work/password"
chmod 600 "$work/password"

best() { # best wall time of three runs of "$@", in seconds
    local best=""
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s.%N)
        best=$(python3 -c "import sys; t=$end-$start; b='$best'; print(min(t, float(b)) if b else t)")
    done
    printf '%.3f' "$best"
}

printf '%-12s %-11s %-11s %-7s %s\n' iterations certkeeper openssl ratio "certkeeper says"
for n in "${counts[@]}"; do
    pfx="$work/p$n.pfx"
    openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -keypbe gost89 \
        -certpbe gost89 -macalg md_gost12_512 -iter "$n" -passout pass:pw -out "$pfx"
    ours=$(best "$certkeeper" --json inspect --password-file "$work/password" "$pfx")
    theirs=$(best openssl pkcs12 -in "$pfx" -passin pass:pw -noout)
    said=$("$certkeeper" --json inspect --password-file "$work/password" "$pfx" |
        python3 -c "import json,sys; i=json.load(sys.stdin)[0]; print('opened' if i['opened'] else (i.get('error') or '')[:60])")
    ratio=$(python3 -c "print(f'{$ours/$theirs:.2f}')")
    printf '%-12s %-11s %-11s %-7s %s\n' "$n" "${ours}s" "${theirs}s" "$ratio" "$said"
done
