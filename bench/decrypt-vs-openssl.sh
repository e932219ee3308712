#!/bin/bash
# Decryption of large CMS documents, in one run: certkeeper's engine (core/examples/cms_decrypt.rs,
# the code `certkeeper decrypt` runs once the archive has given it the key), `openssl cms -decrypt`
# with the key given explicitly, and `gpgsm --decrypt` (AES only: gpgsm has no GOST). Wall time and
# peak resident memory of each, from GNU time; every output is compared with the plaintext.
#
# With a release build of the application (cargo build --release -p certkeeper, or CERTKEEPER_BIN),
# the whole `certkeeper decrypt` is measured too: archive unlock (Argon2id, 256 MiB by design),
# recipient lookup, key unsealing, decryption.
#
# Usage: bench/decrypt-vs-openssl.sh [MiB for AES, default 256] [MiB for GOST, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
aes_mib=${1:-256}
gost_mib=${2:-64}
export OPENSSL_CONF="$PWD/tests/fixtures/openssl-gost.cnf"
cargo build --quiet --release -p certkeeper-core --example cms_decrypt
engine="$PWD/target/release/examples/cms_decrypt"
app=${CERTKEEPER_BIN:-$PWD/target/release/certkeeper}
work=$(mktemp -d)
trap 'gpgconf --homedir "$work/gnupg" --kill gpg-agent 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -subj "/CN=bench RSA" -days 30 -out rsa.pem 2>/dev/null
openssl genpkey -algorithm gost2012_256 -pkeyopt paramset:A -out gost.key 2>/dev/null
openssl req -x509 -new -key gost.key -md_gost12_256 -subj "/CN=bench GOST" -days 30 -out gost.pem 2>/dev/null
head -c "$((aes_mib << 20))" /dev/urandom > aes.plain
head -c "$((gost_mib << 20))" /dev/urandom > gost.plain
openssl cms -encrypt -binary -aes-256-cbc -in aes.plain -outform DER -out aes.der rsa.pem
openssl cms -encrypt -binary -aes-256-cbc -stream -in aes.plain -outform DER -out aes.ber rsa.pem
openssl cms -encrypt -binary -gost89 -in gost.plain -outform DER -out gost.der gost.pem

# gpgsm with the RSA key imported (no passphrase, loopback pinentry).
mkdir -m 700 gnupg
# gpgsm 2.2 reads PKCS#12 protected with 3DES, not OpenSSL 3's default PBES2.
openssl pkcs12 -export -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 \
    -inkey rsa.key -in rsa.pem -passout pass:bench -out rsa.p12
echo "allow-loopback-pinentry" > gnupg/gpg-agent.conf
echo "disable-crl-checks" > gnupg/gpgsm.conf
echo bench > pass.txt
gpgsm --homedir gnupg --batch --pinentry-mode loopback --passphrase-fd 0 --import rsa.p12 < pass.txt >/dev/null 2>&1

if [ -x "$app" ]; then
    echo bench > archive.pass
    chmod 600 archive.pass
    mkdir keys && cp rsa.key rsa.pem gost.key gost.pem keys/
    "$app" --archive archive.db --passphrase-file archive.pass init --allow-weak-passphrase >/dev/null
    "$app" --archive archive.db --passphrase-file archive.pass import keys >/dev/null
fi

measure() { # name plaintext command...
    local name=$1 plain=$2
    shift 2
    /usr/bin/time -f "%e %M" -o time.txt "$@" >/dev/null 2>err.txt || { echo "$name: failed: $(tail -1 err.txt)"; return; }
    read -r seconds kib < time.txt
    if cmp -s out "$plain"; then same=identical; else same=DIFFERENT; fi
    printf "%-44s %7.2f s %8.1f MiB  %s\n" "$name" "$seconds" "$(echo "$kib / 1024" | bc -l)" "$same"
    rm -f out
}

echo "AES-256-CBC, ${aes_mib} MiB; GOST 28147-89 (-gost89), ${gost_mib} MiB; $(nproc) cores"
for form in der ber; do
    measure "certkeeper  aes-256-cbc $form" aes.plain "$engine" rsa.key "aes.$form" out
    measure "openssl cms aes-256-cbc $form" aes.plain openssl cms -decrypt -binary -inform DER -in "aes.$form" -inkey rsa.key -recip rsa.pem -out out
    [ -x "$app" ] && measure "certkeeper decrypt (CLI) aes-256-cbc $form" aes.plain "$app" --archive archive.db --passphrase-file archive.pass decrypt "aes.$form" -o out
    measure "gpgsm       aes-256-cbc $form" aes.plain sh -c "gpgsm --homedir gnupg --batch --pinentry-mode loopback --passphrase-fd 3 --decrypt aes.$form 3< pass.txt > out"
done
measure "certkeeper  gost89 der" gost.plain "$engine" gost.key gost.der out
[ -x "$app" ] && measure "certkeeper decrypt (CLI) gost89 der" gost.plain "$app" --archive archive.db --passphrase-file archive.pass decrypt gost.der -o out
measure "openssl cms gost89 der" gost.plain openssl cms -decrypt -binary -inform DER -in gost.der -inkey gost.key -recip gost.pem -out out
