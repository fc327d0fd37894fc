#!/usr/bin/env bash
# Regenerates the OCSP test data in this directory with the `openssl`
# command-line tool (tested with OpenSSL 3.0). The output is committed, so
# tests and CI never run this script; run it only to change the data, then
# commit everything it writes. README.md says what each file is.
#
# A PKI of its own (a P-256 CA, leaves, delegated responders with several key
# types), an `openssl ocsp` index saying which leaf is good or revoked, OCSP
# requests made by `openssl ocsp -reqout` and responses made by
# `openssl ocsp -index ... -reqin ... -respout`. Certificates are valid for
# 100 years and responses have a nextUpdate 100 years away, so the files stay
# usable; tests pick `now` explicitly, inside or outside those windows.
#
# The keys written here are test keys, public on purpose. Never use them for
# anything else.
set -euo pipefail
cd "$(dirname "$0")"

DAYS=36500
rm -f ./*.crt ./*.key ./*.der ./*.csr ./*.txt ./*.hex ./*.b64 ./*.cnf ./*.attr ./*.old

cat > extensions.cnf <<'CNF'
# Extension sections used by make.sh (openssl x509 -extfile / req -config).
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused

[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:good.example.test
authorityInfoAccess = OCSP;URI:http://ocsp.example.test/, OCSP;URI:https://ocsp.example.test/secure, OCSP;URI:HTTP://OCSP2.example.test:8080/path, caIssuers;URI:http://ca.example.test/ca.der, caIssuers;URI:ldap://ca.example.test/cn=ca
authorityKeyIdentifier = keyid:always

[leaf_no_aia]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid:always

[responder]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck = ignored
authorityKeyIdentifier = keyid:always

[responder_no_eku]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
authorityKeyIdentifier = keyid:always
CNF

ec_key() { openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:"$2" \
  -pkeyopt ec_param_enc:named_curve -out "$1.key"; }

# issue NAME SUBJECT SERIAL SECTION ISSUER DAYS
issue() {
  openssl req -new -config extensions.cnf -key "$1.key" -subj "$2" -out "$1.csr"
  # (2>/dev/null: x509 -req chats on stderr; set -e still stops on failure.)
  openssl x509 -req -in "$1.csr" -CA "$5.crt" -CAkey "$5.key" -set_serial "$3" \
    -days "$6" -extfile extensions.cnf -extensions "$4" -sha256 -out "$1.crt" 2>/dev/null
  rm "$1.csr"
}

CA_DN="/O=stapler ocsp tests/CN=Stapler OCSP Test CA"

# The CA, and a decoy with the same name and another key.
ec_key ca P-256
openssl req -new -x509 -config extensions.cnf -key ca.key -subj "$CA_DN" \
  -set_serial 0x01 -days "$DAYS" -extensions ca -sha256 -out ca.crt
ec_key ca-decoy P-256
openssl req -new -x509 -config extensions.cnf -key ca-decoy.key -subj "$CA_DN" \
  -set_serial 0x02 -days "$DAYS" -extensions ca -sha256 -out ca-decoy.crt

# Leaves: good, revoked, and one the index does not know.
ec_key leaf-good P-256
issue leaf-good "/CN=good.example.test" 0x1001 leaf ca "$DAYS"
ec_key leaf-revoked P-256
issue leaf-revoked "/CN=revoked.example.test" 0x1002 leaf_no_aia ca "$DAYS"
ec_key leaf-unknown P-256
issue leaf-unknown "/CN=unknown.example.test" 0x1003 leaf_no_aia ca "$DAYS"

# Delegated responders (RFC 6960 §4.2.2.2).
ec_key responder P-256
issue responder "/O=stapler ocsp tests/CN=Responder P-256" 0x2001 responder ca "$DAYS"
ec_key responder-no-eku P-256
issue responder-no-eku "/O=stapler ocsp tests/CN=Responder without EKU" 0x2002 \
  responder_no_eku ca "$DAYS"
ec_key responder-expired P-256
issue responder-expired "/O=stapler ocsp tests/CN=Responder valid one day" 0x2003 \
  responder ca 1
ec_key responder-p384 P-384
issue responder-p384 "/O=stapler ocsp tests/CN=Responder P-384" 0x2004 responder ca "$DAYS"
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out responder-rsa.key
issue responder-rsa "/O=stapler ocsp tests/CN=Responder RSA" 0x2005 responder ca "$DAYS"
openssl genpkey -quiet -algorithm ED25519 -out responder-ed25519.key
issue responder-ed25519 "/O=stapler ocsp tests/CN=Responder Ed25519" 0x2006 responder ca "$DAYS"
# Right name for the issuer, wrong signature: issued by the decoy CA.
ec_key responder-decoy P-256
issue responder-decoy "/O=stapler ocsp tests/CN=Responder P-256" 0x2007 responder ca-decoy "$DAYS"

# The responder's index (the `openssl ca` database format): status, expiry,
# revocation time[,reason], serial, file, subject; tab-separated.
printf 'V\t491231235959Z\t\t1001\tunknown\t/CN=good.example.test\n' > index.txt
printf 'R\t491231235959Z\t260101000000Z,keyCompromise\t1002\tunknown\t/CN=revoked.example.test\n' >> index.txt

# Requests, as openssl's own client makes them (no nonce: deterministic).
request() { # OUT LEAF [options...]
  local out=$1 leaf=$2
  shift 2
  openssl ocsp -issuer ca.crt "$@" -cert "$leaf.crt" -reqout "$out" >/dev/null
}
request req-good-sha1.der leaf-good -no_nonce
request req-good-sha256.der leaf-good -no_nonce -sha256
request req-revoked.der leaf-revoked -no_nonce
request req-unknown.der leaf-unknown -no_nonce
request req-good-nonce.der leaf-good -nonce
# The nonce openssl drew: the request text shows the extension's value, an
# OCTET STRING (04 10 ...); keep the 16 bytes inside it.
openssl ocsp -reqin req-good-nonce.der -req_text \
  | grep -A1 'OCSP Nonce' | tail -n1 | tr -d ' \n' | cut -c5- > nonce.hex
# The base64 of a request, as the GET form carries it (before URL escaping).
openssl base64 -A -in req-good-sha1.der > req-good-sha1.b64

# respond OUT REQUEST SIGNER [options...]
respond() {
  local out=$1 req=$2 signer=$3
  shift 3
  openssl ocsp -index index.txt -CA ca.crt -rsigner "$signer.crt" -rkey "$signer.key" \
    -reqin "$req" -respout "$out" "$@" >/dev/null
}
respond good.der req-good-sha1.der ca -ndays "$DAYS"
respond good-sha256.der req-good-sha256.der ca -ndays "$DAYS"
respond good-rcid-sha256.der req-good-sha1.der ca -ndays "$DAYS" -rcid sha256
respond good-bykey.der req-good-sha1.der ca -ndays "$DAYS" -resp_key_id -resp_no_certs
respond good-no-next-update.der req-good-sha1.der ca
respond good-badsig.der req-good-sha1.der ca -ndays "$DAYS" -badsig
respond revoked.der req-revoked.der ca -ndays "$DAYS"
respond unknown.der req-unknown.der ca -ndays "$DAYS"
respond nonce.der req-good-nonce.der ca -ndays "$DAYS"
respond wrong-signer.der req-good-sha1.der ca-decoy -ndays "$DAYS"
respond delegated.der req-good-sha1.der responder -ndays "$DAYS"
respond delegated-bykey.der req-good-sha1.der responder -ndays "$DAYS" -resp_key_id
respond delegated-no-eku.der req-good-sha1.der responder-no-eku -ndays "$DAYS"
respond delegated-expired.der req-good-sha1.der responder-expired -ndays "$DAYS"
respond delegated-decoy.der req-good-sha1.der responder-decoy -ndays "$DAYS"
respond delegated-p384.der req-good-sha1.der responder-p384 -ndays "$DAYS" -rmd sha384
respond delegated-rsa-pkcs1.der req-good-sha1.der responder-rsa -ndays "$DAYS" -rmd sha256
respond delegated-rsa-pss.der req-good-sha1.der responder-rsa -ndays "$DAYS" -rmd sha256 \
  -rsigopt rsa_padding_mode:pss -rsigopt rsa_pss_saltlen:digest -rsigopt rsa_mgf1_md:sha256
respond delegated-ed25519.der req-good-sha1.der responder-ed25519 -ndays "$DAYS"

# Times as openssl reads them back, in Unix seconds: file, producedAt,
# thisUpdate, nextUpdate ("-" when absent), revocationTime ("-" when not
# revoked).
unix() { date -u -d "$1" +%s; }
field() { grep -m1 "$1" | sed "s/.*$1 *//"; }
optional_unix() { if [ -n "$1" ]; then unix "$1"; else echo -; fi; }
for der in good*.der revoked.der unknown.der nonce.der wrong-signer.der delegated*.der; do
  text=$(openssl ocsp -respin "$der" -resp_text -noverify 2>/dev/null)
  produced=$(unix "$(field 'Produced At:' <<<"$text")")
  this=$(unix "$(field 'This Update:' <<<"$text")")
  next=$(field 'Next Update:' <<<"$text" || true)
  revoked=$(field 'Revocation Time:' <<<"$text" || true)
  echo "$der $produced $this $(optional_unix "$next") $(optional_unix "$revoked")"
done > times.txt

# Validity of the certificates, in Unix seconds: name, notBefore, notAfter.
for crt in *.crt; do
  nb=$(openssl x509 -in "$crt" -noout -startdate | cut -d= -f2)
  na=$(openssl x509 -in "$crt" -noout -enddate | cut -d= -f2)
  echo "${crt%.crt} $(unix "$nb") $(unix "$na")"
done > validity.txt

# Sanity: openssl itself accepts the good responses it made.
for der in good.der delegated.der; do
  openssl ocsp -respin "$der" -issuer ca.crt -cert leaf-good.crt -CAfile ca.crt \
    -no_nonce >/dev/null 2>&1
done
rm -f index.txt.attr index.txt.old
echo "OCSP test data written to $(pwd)"
