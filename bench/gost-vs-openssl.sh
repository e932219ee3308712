#!/usr/bin/env bash
# Compares certkeeper's GOST primitives with OpenSSL's GOST engine in one run, on this machine:
# Streebog-256, GOST 28147-89 CFB (with CryptoPro key meshing; encryption and decryption) and Kuznyechik CTR-ACPKM over 64 MiB,
# and GOST R 34.10-2012 signatures (256 and 512 bits). Both sides run in process: certkeeper through
# criterion (core/benches/gost.rs), the engine through EVP (bench/openssl_gost_speed.c).
# Needs: gcc, libssl-dev, libengine-gost-openssl, python3. Prints a table of times and ratios
# (certkeeper time / engine time: below 1 means certkeeper is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENSSL_CONF="$PWD/tests/fixtures/openssl-gost.cnf"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gcc -O2 -o "$work/openssl_gost_speed" bench/openssl_gost_speed.c -lcrypto
# Both sides report their best time (the engine: best of its rounds, run before and after
# criterion; certkeeper: the fastest of criterion's samples), so that another load on a shared
# machine during one side's turn does not decide the ratio.
"$work/openssl_gost_speed" > "$work/openssl-1.txt"
cargo bench --quiet -p certkeeper-core --bench gost -- --quiet > "$work/criterion.txt" 2>&1
"$work/openssl_gost_speed" > "$work/openssl-2.txt"

python3 - "$work/openssl-1.txt" "$work/openssl-2.txt" <<'PY'
import json, sys
runs = [dict(line.split() for line in open(path)) for path in sys.argv[1:]]
openssl = {name: min(float(run[name]) for run in runs) for name in runs[0]}
def ours(group, name):
    sample = json.load(open(f"target/criterion/{group}/{name}/new/sample.json"))
    return min(time / iters for time, iters in zip(sample["times"], sample["iters"])) / 1e9
rows = [
    ("Streebog-256, 64 MiB", ours("bulk_64MiB", "streebog256"), float(openssl["md_gost12_256"])),
    ("Streebog-256 (streebog crate), 64 MiB", ours("bulk_64MiB", "streebog256_crate"), float(openssl["md_gost12_256"])),
    ("GOST 28147 CFB + meshing, 64 MiB", ours("bulk_64MiB", "gost28147_cfb"), float(openssl["gost89"])),
    ("GOST 28147 CFB decrypt, 64 MiB", ours("bulk_64MiB", "gost28147_cfb_decrypt"), float(openssl["gost89_decrypt"])),
    ("Kuznyechik CTR-ACPKM, 64 MiB", ours("bulk_64MiB", "kuznyechik_ctr_acpkm"), float(openssl["kuznyechik-ctr-acpkm"])),
    ("sign GOST 2012-256 (TC26 A)", ours("sign", "gost2012_256"), float(openssl["sign_gost2012_256"])),
    ("sign GOST 2012-512 (TC26 A)", ours("sign", "gost2012_512"), float(openssl["sign_gost2012_512"])),
]
print(f"{'operation':36} {'certkeeper':>12} {'openssl+gost':>13} {'ratio':>7}   per second")
for name, mine, theirs in rows:
    unit = "s" if mine > 0.01 else "µs"
    scale = 1 if unit == "s" else 1e6
    # Bulk rows: MiB/s; signatures: signatures/s (certkeeper / engine).
    rate = (lambda t: f"{64 / t:,.0f} MiB") if unit == "s" else (lambda t: f"{1 / t:,.0f}")
    print(f"{name:36} {mine*scale:11.3f}{unit:>1} {theirs*scale:12.3f}{unit:>1} {mine/theirs:7.2f}"
          f"   {rate(mine)} / {rate(theirs)}")
PY
