//! A throwaway PKI for the demo server, made in Rust: a self-signed ECDSA
//! P-256 CA, an ECDSA P-256 leaf for `localhost` whose AIA names an OCSP
//! responder (by default `http://127.0.0.1:8888/`), a "good" OCSP response
//! for the leaf signed by the CA (RFC 6960), and the CA's OCSP signer, which
//! answers OCSP requests with fresh responses on demand (`ocsp.rs`).
//!
//! DER comes from the `der` crate's derive macros and `x509-cert`'s types
//! (names, validity, extensions); keys, signatures and hashes from ring.
//! Shared by `examples/server.rs` and `tests/demo_pki.rs` (which checks the
//! result with the openssl command-line tool), so not every item is used by
//! both.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

pub mod ocsp;

pub use ocsp::OcspSigner;

use der::asn1::{BitString, Ia5String, ObjectIdentifier, OctetString, UtcTime};
use der::{Any, Encode, Sequence};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// The OCSP responder URL [`generate`] writes into the leaf's AIA extension.
pub const OCSP_URL: &str = "http://127.0.0.1:8888/";

/// How long the pre-made OCSP response is fresh for (its nextUpdate -
/// thisUpdate).
pub const OCSP_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);

/// How long the certificates are valid for, from an hour before `now` (so
/// that a client whose clock is a little behind still accepts them).
pub const CERT_VALIDITY: Duration = Duration::from_secs(30 * 24 * 3600);
const BACKDATE: Duration = Duration::from_secs(3600);

const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const OID_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const OID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const OID_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const OID_AUTHORITY_INFO_ACCESS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const OID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const OID_KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");

/// What [`generate`] makes.
pub struct DemoPki {
    /// The CA certificate, PEM: what clients should trust.
    pub ca_pem: String,
    /// The CA certificate, DER.
    pub ca_der: Vec<u8>,
    /// The chain the server sends, PEM: the leaf, then the CA.
    ///
    /// A TLS 1.3 server may leave the root out, but clients that check a
    /// staple with OpenSSL look for the OCSP signer and the leaf's issuer
    /// among the certificates the server sent: curl's `--cert-status`
    /// fails with "OCSP response verification failed" (OpenSSL: "signer
    /// certificate not found") when the CA that signed the response is not
    /// in the chain. So the CA goes in.
    pub leaf_chain_pem: String,
    /// The leaf certificate alone, PEM.
    pub leaf_pem: String,
    /// The leaf certificate, DER.
    pub leaf_der: Vec<u8>,
    /// The leaf's private key, PKCS#8 DER.
    pub leaf_key_pkcs8_der: Vec<u8>,
    /// A DER OCSPResponse saying the leaf is good, signed by the CA, fresh
    /// from the time given to [`generate`] for [`OCSP_VALIDITY`].
    pub ocsp_response_der: Vec<u8>,
    /// The responder URL in the leaf's AIA.
    pub ocsp_url: String,
    /// The CA's OCSP side: signs fresh responses for the leaf on demand.
    pub ocsp_signer: Arc<OcspSigner>,
}

/// Makes a fresh CA, leaf and OCSP response, dated from `now_unix`
/// (seconds since the Unix epoch), the leaf naming [`OCSP_URL`].
///
/// Panics only on a broken random source or an impossible date (before
/// 1970-01-02 or after 2049, where UTCTime ends).
pub fn generate(now_unix: u64) -> DemoPki {
    generate_with_ocsp_url(now_unix, OCSP_URL)
}

/// [`generate`], with `ocsp_url` (an ASCII http URL) as the responder in
/// the leaf's Authority Information Access.
pub fn generate_with_ocsp_url(now_unix: u64, ocsp_url: &str) -> DemoPki {
    let rng = SystemRandom::new();
    let now = Duration::from_secs(now_unix);

    let ca_key = new_key(&rng);
    let ca_spki = spki(&ca_key.pair);
    let ca_key_id = sha1(ca_key.pair.public_key().as_ref());
    let ca_name = name("CN=stapler demo CA,O=stapler demo");
    let ca_serial = random_serial(&rng);
    let ca_tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: ca_serial,
        signature: ecdsa_with_sha256(),
        issuer: ca_name.clone(),
        validity: validity(now),
        subject: ca_name.clone(),
        subject_public_key_info: ca_spki,
        extensions: vec![
            extension(
                OID_BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
            ),
            extension(
                OID_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            ),
            extension(
                OID_SUBJECT_KEY_ID,
                false,
                &SubjectKeyIdentifier(octets(&ca_key_id)),
            ),
        ],
    };
    let ca_der = sign_certificate(ca_tbs, &ca_key.pair, &rng);

    let leaf_key = new_key(&rng);
    let leaf_serial = random_serial(&rng);
    let leaf_tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: leaf_serial.clone(),
        signature: ecdsa_with_sha256(),
        issuer: ca_name.clone(),
        validity: validity(now),
        subject: name("CN=localhost,O=stapler demo"),
        subject_public_key_info: spki(&leaf_key.pair),
        extensions: vec![
            extension(
                OID_BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
            ),
            extension(
                OID_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::DigitalSignature.into()),
            ),
            extension(
                OID_EXT_KEY_USAGE,
                false,
                &ExtendedKeyUsage(vec![OID_KP_SERVER_AUTH]),
            ),
            extension(
                OID_SUBJECT_ALT_NAME,
                false,
                &SubjectAltName(vec![
                    GeneralName::DnsName(ia5("localhost")),
                    GeneralName::IpAddress(octets(&[127, 0, 0, 1])),
                ]),
            ),
            extension(
                OID_SUBJECT_KEY_ID,
                false,
                &SubjectKeyIdentifier(octets(&sha1(leaf_key.pair.public_key().as_ref()))),
            ),
            extension(
                OID_AUTHORITY_KEY_ID,
                false,
                &AuthorityKeyIdentifier {
                    key_identifier: Some(octets(&ca_key_id)),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                },
            ),
            extension(
                OID_AUTHORITY_INFO_ACCESS,
                false,
                &AuthorityInfoAccessSyntax(vec![AccessDescription {
                    access_method: OID_AD_OCSP,
                    access_location: GeneralName::UniformResourceIdentifier(ia5(ocsp_url)),
                }]),
            ),
        ],
    };
    let leaf_der = sign_certificate(leaf_tbs, &ca_key.pair, &rng);

    let ocsp_signer = OcspSigner::new(&ca_name, ca_key.pair, leaf_serial, rng);
    let ocsp_response_der = ocsp_signer.good_response(now_unix, OCSP_VALIDITY);

    let ca_pem = pem("CERTIFICATE", &ca_der);
    let leaf_pem = pem("CERTIFICATE", &leaf_der);
    DemoPki {
        leaf_chain_pem: format!("{leaf_pem}{ca_pem}"),
        ca_pem,
        ca_der,
        leaf_pem,
        leaf_der,
        leaf_key_pkcs8_der: leaf_key.pkcs8,
        ocsp_response_der,
        ocsp_url: ocsp_url.to_owned(),
        ocsp_signer: Arc::new(ocsp_signer),
    }
}

/// The RFC 5280 TBSCertificate, as this module fills it: always v3, with
/// extensions and without the unique identifiers. (`x509-cert` 0.3 keeps
/// its own TbsCertificate's fields private outside its builder.)
#[derive(Sequence)]
struct TbsCertificate {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: x509_cert::Version,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifier,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfo,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

/// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
#[derive(Sequence)]
struct Certificate {
    tbs_certificate: TbsCertificate,
    signature_algorithm: AlgorithmIdentifier,
    signature: BitString,
}

/// A key pair and the PKCS#8 document it came from.
struct Key {
    pair: EcdsaKeyPair,
    pkcs8: Vec<u8>,
}

fn new_key(rng: &SystemRandom) -> Key {
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, rng)
        .expect("P-256 key generation");
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), rng)
        .expect("a key ring just made");
    Key {
        pair,
        pkcs8: pkcs8.as_ref().to_vec(),
    }
}

/// The SubjectPublicKeyInfo of a P-256 key: id-ecPublicKey with the named
/// curve as parameters, and the uncompressed point.
fn spki(pair: &EcdsaKeyPair) -> SubjectPublicKeyInfo {
    SubjectPublicKeyInfo {
        algorithm: AlgorithmIdentifier {
            oid: OID_EC_PUBLIC_KEY,
            parameters: Some(Any::encode_from(&OID_P256).expect("an OID encodes")),
        },
        subject_public_key: BitString::from_bytes(pair.public_key().as_ref())
            .expect("a 65-byte bit string"),
    }
}

/// ecdsa-with-SHA256, whose parameters are absent (RFC 5758 §3.2).
fn ecdsa_with_sha256() -> AlgorithmIdentifier {
    AlgorithmIdentifier {
        oid: OID_ECDSA_SHA256,
        parameters: None,
    }
}

/// A positive 127-bit serial number (RFC 5280 allows up to 20 octets).
fn random_serial(rng: &SystemRandom) -> SerialNumber {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes).expect("random bytes");
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    SerialNumber::new(&bytes).expect("a 16-byte serial number")
}

fn validity(now: Duration) -> Validity {
    let utc = |t: Duration| Time::UtcTime(UtcTime::from_unix_duration(t).expect("a UTCTime date"));
    Validity::new(utc(now - BACKDATE), utc(now + CERT_VALIDITY))
}

fn name(rfc4514: &str) -> Name {
    rfc4514.parse().expect("a valid distinguished name")
}

fn ia5(s: &str) -> Ia5String {
    Ia5String::new(s).expect("ASCII")
}

fn octets(bytes: &[u8]) -> OctetString {
    OctetString::new(bytes).expect("a short octet string")
}

fn extension(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().expect("an extension encodes"))
            .expect("a short extension"),
    }
}

fn sha1(data: &[u8]) -> [u8; 20] {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data);
    digest.as_ref().try_into().expect("SHA-1 is 20 bytes")
}

/// An ECDSA P-256 / SHA-256 signature over `data`, DER (as X.509 and OCSP
/// carry it in their BIT STRINGs).
fn sign(key: &EcdsaKeyPair, data: &[u8], rng: &SystemRandom) -> BitString {
    let signature = key.sign(rng, data).expect("ECDSA signing");
    BitString::from_bytes(signature.as_ref()).expect("a short signature")
}

fn sign_certificate(tbs: TbsCertificate, key: &EcdsaKeyPair, rng: &SystemRandom) -> Vec<u8> {
    let tbs_der = tbs.to_der().expect("a TBSCertificate encodes");
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: ecdsa_with_sha256(),
        signature: sign(key, &tbs_der, rng),
    }
    .to_der()
    .expect("a certificate encodes")
}

fn pem(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).expect("PEM encoding")
}
