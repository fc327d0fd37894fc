#!/usr/bin/env bash
# Regenerates the client-certificate test PKI in this directory with the
# `openssl` command-line tool (tested with OpenSSL 3.0). The output is
# committed, so tests and CI never run this script; run it only to change
# the PKI, then commit everything it writes. It is separate from ../pki so
# that the server PKI (and the OCSP responses made for it) stay as they are.
#
# The keys written here are test keys, public on purpose. Never use them for
# anything else.
#
#   client-ca         ECDSA P-256, self-signed: the root clients chain to
#   client-ca-constrained
#                     ECDSA P-256, signed by client-ca, nameConstraints
#                     permitting URI .example.test and DNS .example.test
#   client-ecdsa      ECDSA P-256, clientAuth, CN client-a, SAN
#                     URI spiffe://example.test/workload/a and DNS
#                     a.clients.example.test, signed by client-ca
#   client-rsa        RSA 2048, clientAuth, CN client-rsa, signed by client-ca
#   client-ed25519    Ed25519, clientAuth, CN client-ed25519, signed by client-ca
#   client-no-eku     ECDSA P-256, serverAuth only, signed by client-ca
#   client-expired    ECDSA P-256, clientAuth, valid only in 2020, signed by
#                     client-ca (made with `openssl ca` for its dates)
#   client-outside    ECDSA P-256, clientAuth, SAN DNS b.other.test: outside
#                     client-ca-constrained's names, and signed by it
#   client-inside     ECDSA P-256, clientAuth, SAN DNS c.clients.example.test,
#                     signed by client-ca-constrained
#   stranger-ca, client-stranger
#                     a root nobody trusts, and a clientAuth leaf under it
#
# Every certificate but client-expired is valid for 100 years. validity.txt
# lists each certificate's notBefore and notAfter as Unix seconds.
set -euo pipefail
cd "$(dirname "$0")"

DAYS=36500
rm -rf ./*.crt ./*.key ./*.pem ./*.csr validity.txt extensions.cnf ca-db

cat > extensions.cnf <<'CNF'
# Extension sections used by make.sh.
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused

[root_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[constrained_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;DNS:.example.test, permitted;URI:.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[client_ecdsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = URI:spiffe://example.test/workload/a, DNS:a.clients.example.test
authorityKeyIdentifier = keyid:always

[client_plain]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid:always

[client_no_eku]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:no-eku.clients.example.test

[client_outside]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:b.other.test

[client_inside]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:c.clients.example.test

[ca_policy]
commonName = supplied

[ca_section]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial
default_md = sha256
policy = ca_policy
copy_extensions = none
unique_subject = no
CNF

ec_key() { openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -pkeyopt ec_param_enc:named_curve -out "$1.key"; }

# signed NAME SUBJECT SERIAL SECTION ISSUER
signed() {
  openssl req -new -config extensions.cnf -key "$1.key" -subj "$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$5.crt" -CAkey "$5.key" -set_serial "$3" \
    -days "$DAYS" -extfile extensions.cnf -extensions "$4" -sha256 -out "$1.crt"
  rm "$1.csr"
}

ec_key client-ca
openssl req -new -x509 -config extensions.cnf -key client-ca.key \
  -subj "/CN=stapler test client CA" -set_serial 1 -days "$DAYS" \
  -extensions root_ca -sha256 -out client-ca.crt

ec_key stranger-ca
openssl req -new -x509 -config extensions.cnf -key stranger-ca.key \
  -subj "/CN=stapler test stranger CA" -set_serial 1 -days "$DAYS" \
  -extensions root_ca -sha256 -out stranger-ca.crt

ec_key client-ca-constrained
signed client-ca-constrained "/CN=stapler test constrained client CA" 2 constrained_ca client-ca

ec_key client-ecdsa
signed client-ecdsa "/CN=client-a" 10 client_ecdsa client-ca
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out client-rsa.key
signed client-rsa "/CN=client-rsa" 11 client_plain client-ca
openssl genpkey -quiet -algorithm ED25519 -out client-ed25519.key
openssl req -new -config extensions.cnf -key client-ed25519.key -subj "/CN=client-ed25519" \
  -out client-ed25519.csr
openssl x509 -req -in client-ed25519.csr -CA client-ca.crt -CAkey client-ca.key \
  -set_serial 12 -days "$DAYS" -extfile extensions.cnf -extensions client_plain \
  -out client-ed25519.crt
rm client-ed25519.csr
ec_key client-no-eku
signed client-no-eku "/CN=client-no-eku" 13 client_no_eku client-ca
ec_key client-outside
signed client-outside "/CN=client-outside" 14 client_outside client-ca-constrained
ec_key client-inside
signed client-inside "/CN=client-inside" 15 client_inside client-ca-constrained
ec_key client-stranger
signed client-stranger "/CN=client-stranger" 16 client_plain stranger-ca

# client-expired: `openssl ca` sets past dates, which `x509 -req` cannot.
ec_key client-expired
openssl req -new -config extensions.cnf -key client-expired.key -subj "/CN=client-expired" \
  -out client-expired.csr
mkdir ca-db
: > ca-db/index.txt
echo 11 > ca-db/serial
openssl ca -batch -config extensions.cnf -name ca_section -cert client-ca.crt \
  -keyfile client-ca.key -in client-expired.csr -startdate 20200101000000Z \
  -enddate 20201231235959Z -extfile extensions.cnf -extensions client_plain \
  -notext -out client-expired.crt 2> /dev/null
rm -rf ca-db client-expired.csr

# The chains a client sends: its leaf, then the intermediates (none for
# client-ca's direct leaves).
cat client-inside.crt client-ca-constrained.crt > client-inside-chain.pem
cat client-outside.crt client-ca-constrained.crt > client-outside-chain.pem

for c in *.crt; do
  nb=$(date -d "$(openssl x509 -in "$c" -noout -startdate | cut -d= -f2)" +%s)
  na=$(date -d "$(openssl x509 -in "$c" -noout -enddate | cut -d= -f2)" +%s)
  echo "${c%.crt} $nb $na" >> validity.txt
done
