#!/usr/bin/env bash
# Makes this folder's fixtures with OpenSSL 3 (run from this folder; the output differs each run, as
# keys and content keys are random). Never edited by hand.
set -euo pipefail
days=3650
for who in alice bob; do
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$who.key" -out "$who.pem" -days "$days" \
    -subj "/CN=$who/O=certkeeper tests" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$who.key" -outform DER -out "$who.p8"
  rm "$who.key"
done
rm bob.p8 # bob's certificate is known, his key is not
printf 'The quarterly report, 2019.\n' > content.txt
openssl cms -encrypt -aes256 -binary -in content.txt -outform DER -out to-alice.p7m alice.pem
openssl cms -encrypt -aes256 -binary -in content.txt -outform DER -out to-bob.p7m bob.pem
openssl pkcs8 -inform DER -in alice.p8 -nocrypt -out alice.key
openssl cms -sign -binary -nodetach -in content.txt -signer alice.pem -inkey alice.key -outform DER \
  -out signed.p7s
rm alice.key
openssl cms -encrypt -aes256 -binary -in signed.p7s -outform DER -out signed-to-alice.p7m alice.pem
rm signed.p7s
for who in alice bob; do openssl x509 -in "$who.pem" -outform DER -out "$who.cer"; rm "$who.pem"; done
