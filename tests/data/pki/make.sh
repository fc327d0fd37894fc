#!/usr/bin/env bash
# Regenerates the test PKI in this directory with the `openssl` command-line
# tool (tested with OpenSSL 3.0). The output is committed, so tests and CI never
# run this script; run it only to change the PKI, then commit everything it
# writes. Every certificate is valid for 100 years so the tests never expire.
#
# The keys written here are test keys, public on purpose. Never use them for
# anything else.
#
#   root-ca           ECDSA P-256, self-signed, ecdsa-with-SHA256
#   root-ca-decoy     same subject DN as root-ca, different key (issuer-discovery decoy)
#   root-ca-no-certsign
#                     root-ca's subject DN and key, self-signed, but keyUsage without
#                     keyCertSign: it verifies root-ca's signatures yet may not issue
#   intermediate-ca   RSA 2048, signed by root-ca (ecdsa-with-SHA256)
#   intermediate-ca-decoy
#                     same subject DN as intermediate-ca, different key, signed by root-ca
#   leaf-ecdsa        ECDSA P-256, localhost + *.example.test, AIA OCSP and caIssuers,
#                     signed by root-ca
#   leaf-rsa          RSA 2048, localhost, signed by intermediate-ca with RSASSA-PSS
#                     (SHA-256, MGF1-SHA-256, salt length 32)
#   leaf-rsa-pkcs1    RSA 2048, signed by intermediate-ca with sha384WithRSAEncryption
#   leaf-ed25519      Ed25519, signed by root-ca
#   self-signed       ECDSA P-384, self-signed with ecdsa-with-SHA384
#   must-staple       ECDSA P-256, TLS Feature status_request (RFC 7633), signed by
#                     root-ca with ecdsa-with-SHA384
#   ocsp-responder    ECDSA P-256, extendedKeyUsage OCSPSigning, signed by root-ca
#
# Beside every <name>.crt (PEM) there is <name>.key (PKCS#8 PEM). Extra encodings:
# see README.md. validity.txt lists each certificate's notBefore and notAfter as
# Unix seconds, read back with `openssl x509 -dates`, for the tests to compare.
set -euo pipefail
cd "$(dirname "$0")"

DAYS=36500
rm -f ./*.crt ./*.key ./*.pem ./*.der ./*.csr validity.txt extensions.cnf

cat > extensions.cnf <<'EOF'
# Extension sections used by make.sh (openssl x509 -extfile / req -config).
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused

[root_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[root_ca_no_certsign]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature

[intermediate_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_ecdsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, DNS:*.example.test, IP:127.0.0.1, IP:::1
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8888/, caIssuers;URI:http://127.0.0.1:8888/root-ca.der
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_rsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8889/ocsp, caIssuers;URI:http://127.0.0.1:8889/intermediate-ca.der
authorityKeyIdentifier = keyid:always

[leaf_rsa_pkcs1]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:rsa-pkcs1.example.test

[leaf_ed25519]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:ed25519.example.test, DNS:localhost
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8888/

[self_signed]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:self-signed.example.test

[must_staple]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:must-staple.example.test
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8888/
tlsfeature = status_request

[ocsp_responder]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck = ignored
EOF

ec_key() { openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:"$2" \
  -pkeyopt ec_param_enc:named_curve -out "$1.key"; }
rsa_key() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key"; }

# self_signed NAME SUBJECT SERIAL SECTION DIGEST
self_signed() {
  openssl req -new -x509 -config extensions.cnf -key "$1.key" -subj "$2" \
    -set_serial "$3" -days "$DAYS" -extensions "$4" "-$5" -out "$1.crt"
}

# issue NAME SUBJECT SERIAL SECTION ISSUER [signing options...]
issue() {
  local name=$1 subj=$2 serial=$3 section=$4 issuer=$5
  shift 5
  openssl req -new -config extensions.cnf -key "$name.key" -subj "$subj" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" \
    -set_serial "$serial" -days "$DAYS" -extfile extensions.cnf -extensions "$section" \
    "$@" -out "$name.crt"
  rm "$name.csr"
}

ROOT_DN="/O=stapler tests/CN=Stapler Test Root CA"
INTERMEDIATE_DN="/O=stapler tests/CN=Stapler Test Intermediate CA"

ec_key root-ca P-256
self_signed root-ca "$ROOT_DN" 0x01 root_ca sha256

ec_key root-ca-decoy P-256
self_signed root-ca-decoy "$ROOT_DN" 0x02 root_ca sha256

# Same key as root-ca: no .key file of its own.
openssl req -new -x509 -config extensions.cnf -key root-ca.key -subj "$ROOT_DN" \
  -set_serial 0x03 -days "$DAYS" -extensions root_ca_no_certsign -sha256 \
  -out root-ca-no-certsign.crt

rsa_key intermediate-ca
issue intermediate-ca "$INTERMEDIATE_DN" 0x1000 intermediate_ca root-ca -sha256

rsa_key intermediate-ca-decoy
issue intermediate-ca-decoy "$INTERMEDIATE_DN" 0x1001 intermediate_ca root-ca -sha256

ec_key leaf-ecdsa P-256
issue leaf-ecdsa "/CN=localhost" 0x2001 leaf_ecdsa root-ca -sha256

rsa_key leaf-rsa
issue leaf-rsa "/CN=localhost" 0x2002 leaf_rsa intermediate-ca -sha256 \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256

rsa_key leaf-rsa-pkcs1
issue leaf-rsa-pkcs1 "/CN=rsa-pkcs1.example.test" 0x2003 leaf_rsa_pkcs1 intermediate-ca -sha384

openssl genpkey -quiet -algorithm ED25519 -out leaf-ed25519.key
issue leaf-ed25519 "/CN=ed25519.example.test" 0x2004 leaf_ed25519 root-ca -sha256

ec_key self-signed P-384
self_signed self-signed "/CN=self-signed.example.test" 0x2005 self_signed sha384

ec_key must-staple P-256
issue must-staple "/CN=must-staple.example.test" 0x2006 must_staple root-ca -sha384

ec_key ocsp-responder P-256
issue ocsp-responder "/O=stapler tests/CN=Stapler Test OCSP Responder" 0x2007 \
  ocsp_responder root-ca -sha256

# Other encodings of the same keys and certificates.
openssl ec -in leaf-ecdsa.key -out leaf-ecdsa.sec1.pem
openssl rsa -in leaf-rsa.key -traditional -out leaf-rsa.pkcs1.pem
openssl x509 -in leaf-ecdsa.crt -outform DER -out leaf-ecdsa.crt.der
openssl pkcs8 -topk8 -nocrypt -in leaf-ecdsa.key -outform DER -out leaf-ecdsa.key.der
openssl ec -in leaf-ecdsa.key -outform DER -out leaf-ecdsa.sec1.der
openssl rsa -in leaf-rsa.key -traditional -outform DER -out leaf-rsa.pkcs1.der
openssl pkcs8 -topk8 -in leaf-ecdsa.key -v2 aes-256-cbc -passout pass:stapler \
  -out leaf-ecdsa.encrypted.pem
openssl ec -in leaf-ecdsa.key -aes256 -passout pass:stapler -out leaf-ecdsa.sec1-encrypted.pem
cat leaf-rsa.crt intermediate-ca.crt > leaf-rsa-chain.pem
cat leaf-ecdsa.crt leaf-ecdsa.key > leaf-ecdsa-combined.pem

# Validity periods, as openssl reads them back.
for crt in *.crt; do
  nb=$(openssl x509 -in "$crt" -noout -startdate | cut -d= -f2)
  na=$(openssl x509 -in "$crt" -noout -enddate | cut -d= -f2)
  echo "${crt%.crt} $(date -u -d "$nb" +%s) $(date -u -d "$na" +%s)"
done > validity.txt

# Sanity: every chain verifies with openssl itself.
openssl verify -CAfile root-ca.crt leaf-ecdsa.crt leaf-ed25519.crt must-staple.crt \
  ocsp-responder.crt intermediate-ca.crt intermediate-ca-decoy.crt >/dev/null
openssl verify -CAfile root-ca.crt -untrusted intermediate-ca.crt leaf-rsa.crt \
  leaf-rsa-pkcs1.crt >/dev/null
echo "test PKI written to $(pwd)"
