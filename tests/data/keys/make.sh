#!/bin/sh
# Regenerates the test keys (OpenSSL 3). Each private key is kept as DER in
# the format its name says, with the DER SubjectPublicKeyInfo beside it
# (*.spki.der) for checking that a loaded key's public key matches.
set -eu
cd "$(dirname "$0")"

# genpkey's DER output is the "traditional" format for EC and RSA keys, so
# keys are made as PEM (PKCS#8) and converted to DER explicitly.
pk8() { out=$1; shift; openssl genpkey "$@" | openssl pkcs8 -topk8 -nocrypt -outform DER -out "$out"; }
spki() { openssl pkey -in "$1" -inform DER -pubout -outform DER -out "${1%%.*}.spki.der"; }

# PKCS#8 (RFC 5208)
pk8 p256.pk8.der -algorithm EC -pkeyopt ec_paramgen_curve:P-256
pk8 p384.pk8.der -algorithm EC -pkeyopt ec_paramgen_curve:P-384
pk8 ed25519.pk8.der -algorithm ed25519
pk8 rsa2048.pk8.der -algorithm RSA -pkeyopt rsa_keygen_bits:2048
for k in p256 p384 ed25519 rsa2048; do spki $k.pk8.der; done

# SEC1 ECPrivateKey (RFC 5915), with and without the public key
openssl ecparam -name prime256v1 -genkey -noout -outform DER -out p256.sec1.der
openssl ecparam -name secp384r1 -genkey -noout -outform DER -out p384.sec1.der
openssl ec -in p256.sec1.der -inform DER -no_public -outform DER -out p256-nopub.sec1.der
openssl pkcs8 -topk8 -nocrypt -in p256-nopub.sec1.der -inform DER -outform DER -out p256-nopub.pk8.der
for k in p256 p384; do
  openssl ec -in $k.sec1.der -inform DER -pubout -outform DER -out $k-sec1.spki.der
done

# PKCS#1 RSAPrivateKey (RFC 8017)
openssl genrsa -traditional -out rsa3072.pkcs1.pem 3072
openssl rsa -in rsa3072.pkcs1.pem -traditional -outform DER -out rsa3072.pkcs1.der
openssl rsa -in rsa3072.pkcs1.pem -pubout -outform DER -out rsa3072.spki.der
rm rsa3072.pkcs1.pem

# Keys that must be refused with a clear error
pk8 p521.pk8.der -algorithm EC -pkeyopt ec_paramgen_curve:P-521
pk8 ed448.pk8.der -algorithm ed448
pk8 rsa-pss.pk8.der -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048
pk8 rsa1024.pk8.der -algorithm RSA -pkeyopt rsa_keygen_bits:1024
openssl pkcs8 -topk8 -in p256.pk8.der -inform DER -v2 aes-256-cbc -passout pass:test \
  -outform DER -out p256-encrypted.pk8.der
