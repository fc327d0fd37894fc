//! The pki module against the openssl-made test PKI in tests/data/pki
//! (see make.sh there): every summary field of every certificate, key
//! formats, issuer discovery, signatures, and bad input.

use std::collections::HashMap;
use std::fs;
use std::net::IpAddr;
use std::path::PathBuf;

use der::Decode;
use proptest::prelude::*;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use stapler::pki::pem::{self, KeyFormat, PemError};
use stapler::pki::{
    find_issuer, is_self_signed, verify_signature, verify_signed_by, Certificate, CertificateError,
    KeyUsage, Oid, PublicKeyAlgorithm, ID_KP_OCSP_SIGNING, ID_KP_SERVER_AUTH,
};

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pki")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    fs::read(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The certificate `name`.crt.
fn load(name: &str) -> Certificate {
    let mut chain = Certificate::from_pem_chain(&read(&format!("{name}.crt"))).unwrap();
    assert_eq!(chain.len(), 1, "{name}");
    chain.remove(0)
}

/// An RFC 4514 rendering of a DER Name, to compare with what make.sh asked
/// openssl for.
fn name_string(der: &[u8]) -> String {
    x509_cert::name::Name::from_der(der).unwrap().to_string()
}

const ROOT_DN: &str = "CN=Stapler Test Root CA,O=stapler tests";
const INTERMEDIATE_DN: &str = "CN=Stapler Test Intermediate CA,O=stapler tests";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
const SHA384_WITH_RSA: &str = "1.2.840.113549.1.1.12";
const CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

/// What make.sh put into one certificate.
struct Expected {
    name: &'static str,
    key_file: &'static str,
    serial: &'static [u8],
    subject: &'static str,
    issuer: &'static str,
    issued_by: &'static str,
    key: PublicKeyAlgorithm,
    signature_oid: &'static str,
    dns: &'static [&'static str],
    ips: &'static [&'static str],
    ca: bool,
    key_usage: KeyUsage,
    eku: Option<&'static [&'static str]>,
    ocsp: &'static [&'static str],
    ca_issuers: &'static [&'static str],
    must_staple: bool,
}

const CA_USAGE: KeyUsage = KeyUsage::KEY_CERT_SIGN.union(KeyUsage::CRL_SIGN);
const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";

fn expected() -> Vec<Expected> {
    let leaf = |name, serial, subject: &'static str, issued_by| Expected {
        name,
        key_file: name,
        serial,
        subject,
        issuer: ROOT_DN,
        issued_by,
        key: PublicKeyAlgorithm::EcP256,
        signature_oid: ECDSA_SHA256,
        dns: &[],
        ips: &[],
        ca: false,
        key_usage: KeyUsage::DIGITAL_SIGNATURE,
        eku: Some(&[SERVER_AUTH]),
        ocsp: &[],
        ca_issuers: &[],
        must_staple: false,
    };
    let root = Expected {
        ca: true,
        key_usage: CA_USAGE,
        eku: None,
        ..leaf("root-ca", &[0x01], ROOT_DN, "root-ca")
    };
    vec![
        root,
        leaf("root-ca-decoy", &[0x02], ROOT_DN, "root-ca-decoy").with_ca(),
        Expected {
            key_file: "root-ca",
            ..leaf("root-ca-no-certsign", &[0x03], ROOT_DN, "root-ca")
        }
        .with_ca_usage(KeyUsage::DIGITAL_SIGNATURE),
        Expected {
            key: PublicKeyAlgorithm::Rsa { bits: 2048 },
            ..leaf("intermediate-ca", &[0x10, 0x00], INTERMEDIATE_DN, "root-ca")
        }
        .with_ca(),
        Expected {
            key: PublicKeyAlgorithm::Rsa { bits: 2048 },
            ..leaf(
                "intermediate-ca-decoy",
                &[0x10, 0x01],
                INTERMEDIATE_DN,
                "root-ca",
            )
        }
        .with_ca(),
        Expected {
            dns: &["localhost", "*.example.test"],
            ips: &["127.0.0.1", "::1"],
            eku: Some(&[SERVER_AUTH, CLIENT_AUTH]),
            ocsp: &["http://127.0.0.1:8888/"],
            ca_issuers: &["http://127.0.0.1:8888/root-ca.der"],
            ..leaf("leaf-ecdsa", &[0x20, 0x01], "CN=localhost", "root-ca")
        },
        Expected {
            issuer: INTERMEDIATE_DN,
            key: PublicKeyAlgorithm::Rsa { bits: 2048 },
            signature_oid: RSASSA_PSS,
            dns: &["localhost"],
            key_usage: KeyUsage::DIGITAL_SIGNATURE.union(KeyUsage::KEY_ENCIPHERMENT),
            ocsp: &["http://127.0.0.1:8889/ocsp"],
            ca_issuers: &["http://127.0.0.1:8889/intermediate-ca.der"],
            ..leaf("leaf-rsa", &[0x20, 0x02], "CN=localhost", "intermediate-ca")
        },
        Expected {
            issuer: INTERMEDIATE_DN,
            key: PublicKeyAlgorithm::Rsa { bits: 2048 },
            signature_oid: SHA384_WITH_RSA,
            dns: &["rsa-pkcs1.example.test"],
            key_usage: KeyUsage::DIGITAL_SIGNATURE.union(KeyUsage::KEY_ENCIPHERMENT),
            ..leaf(
                "leaf-rsa-pkcs1",
                &[0x20, 0x03],
                "CN=rsa-pkcs1.example.test",
                "intermediate-ca",
            )
        },
        Expected {
            key: PublicKeyAlgorithm::Ed25519,
            dns: &["ed25519.example.test", "localhost"],
            ocsp: &["http://127.0.0.1:8888/"],
            ..leaf(
                "leaf-ed25519",
                &[0x20, 0x04],
                "CN=ed25519.example.test",
                "root-ca",
            )
        },
        Expected {
            issuer: "CN=self-signed.example.test",
            key: PublicKeyAlgorithm::EcP384,
            signature_oid: ECDSA_SHA384,
            dns: &["self-signed.example.test"],
            ..leaf(
                "self-signed",
                &[0x20, 0x05],
                "CN=self-signed.example.test",
                "self-signed",
            )
        },
        Expected {
            signature_oid: ECDSA_SHA384,
            dns: &["must-staple.example.test"],
            ocsp: &["http://127.0.0.1:8888/"],
            must_staple: true,
            ..leaf(
                "must-staple",
                &[0x20, 0x06],
                "CN=must-staple.example.test",
                "root-ca",
            )
        },
        Expected {
            eku: Some(&["1.3.6.1.5.5.7.3.9"]),
            ..leaf(
                "ocsp-responder",
                &[0x20, 0x07],
                "CN=Stapler Test OCSP Responder,O=stapler tests",
                "root-ca",
            )
        },
    ]
}

impl Expected {
    /// A CA: basicConstraints cA, keyCertSign and cRLSign, no EKU.
    fn with_ca(self) -> Self {
        self.with_ca_usage(CA_USAGE)
    }

    fn with_ca_usage(self, key_usage: KeyUsage) -> Self {
        Self {
            ca: true,
            key_usage,
            eku: None,
            ..self
        }
    }
}

/// Unix-seconds validity of each certificate, as openssl read it back.
fn validity() -> HashMap<String, (u64, u64)> {
    String::from_utf8(read("validity.txt"))
        .unwrap()
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let [name, not_before, not_after] = fields[..] else {
                panic!("bad validity.txt line {line:?}");
            };
            (
                name.to_owned(),
                (not_before.parse().unwrap(), not_after.parse().unwrap()),
            )
        })
        .collect()
}

/// The public key of a private key file, computed by ring.
fn public_key_of(key_file: &str) -> Vec<u8> {
    let der = pem::private_key_from_pem(&read(&format!("{key_file}.key"))).unwrap();
    assert_eq!(der.format(), KeyFormat::Pkcs8, "{key_file}");
    let der = der.der();
    let rng = ring::rand::SystemRandom::new();
    if let Ok(k) =
        EcdsaKeyPair::from_pkcs8(&ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
    {
        return k.public_key().as_ref().to_vec();
    }
    if let Ok(k) =
        EcdsaKeyPair::from_pkcs8(&ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING, der, &rng)
    {
        return k.public_key().as_ref().to_vec();
    }
    if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
        return k.public_key().as_ref().to_vec();
    }
    Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
        .unwrap()
        .public_key()
        .as_ref()
        .to_vec()
}

fn oid_strings(oids: &[Oid]) -> Vec<String> {
    oids.iter().map(ToString::to_string).collect()
}

#[test]
fn every_summary_field() {
    let validity = validity();
    let all = expected();
    assert_eq!(
        validity.len(),
        all.len(),
        "validity.txt lists every certificate"
    );
    for e in &all {
        let cert = load(e.name);
        let name = e.name;
        let der = cert.der();
        assert_eq!(
            der.as_ref(),
            Certificate::from_der(der.clone()).unwrap().der()
        );

        // Where the raw pieces are: TBS right after the outer header (4
        // bytes: every certificate here is over 255 bytes), then the
        // algorithm, then the signature BIT STRING at the very end.
        assert_eq!(&der[..2], &[0x30, 0x82], "{name}");
        assert_eq!(&der[4..4 + cert.tbs().len()], cert.tbs(), "{name}");
        assert!(der[4 + cert.tbs().len()..].starts_with(cert.signature_algorithm()));
        assert!(der.ends_with(cert.signature()), "{name}");
        assert_eq!(cert.tbs()[0], 0x30, "{name}");

        assert_eq!(cert.serial(), e.serial, "{name} serial");
        assert_eq!(name_string(cert.subject()), e.subject, "{name} subject");
        assert_eq!(name_string(cert.issuer()), e.issuer, "{name} issuer");
        let subject_at = cert.tbs().windows(cert.subject().len());
        assert!(subject_at.clone().any(|w| w == cert.subject()));

        assert_eq!(
            (cert.not_before(), cert.not_after()),
            validity[name],
            "{name}"
        );
        assert_eq!(
            cert.not_after() - cert.not_before(),
            36500 * 86400,
            "{name}"
        );
        assert!(cert.is_valid_at(cert.not_before()) && cert.is_valid_at(cert.not_after()));
        assert!(!cert.is_valid_at(cert.not_after() + 1));
        assert!(!cert.is_valid_at(cert.not_before() - 1));

        assert_eq!(cert.public_key_algorithm(), &e.key, "{name} key");
        assert_eq!(cert.public_key(), public_key_of(e.key_file), "{name} key");
        assert!(cert.spki().ends_with(cert.public_key()), "{name}");
        assert!(cert
            .tbs()
            .windows(cert.spki().len())
            .any(|w| w == cert.spki()));
        let key_len = match e.key {
            PublicKeyAlgorithm::EcP256 => 65,
            PublicKeyAlgorithm::EcP384 => 97,
            PublicKeyAlgorithm::Ed25519 => 32,
            _ => cert.public_key().len(),
        };
        assert_eq!(cert.public_key().len(), key_len, "{name}");

        assert_eq!(cert.signature_algorithm_oid().to_string(), e.signature_oid);
        match e.signature_oid {
            ECDSA_SHA256 | ECDSA_SHA384 => {
                assert_eq!(cert.signature_algorithm_params(), None, "{name}");
            }
            SHA384_WITH_RSA => {
                assert_eq!(cert.signature_algorithm_params(), Some(&[5, 0][..]));
            }
            RSASSA_PSS => {
                let params = cert.signature_algorithm_params().unwrap();
                assert_eq!(params[0], 0x30, "{name}");
                assert!(cert.signature_algorithm().ends_with(params));
            }
            other => panic!("{other}"),
        }

        assert_eq!(cert.dns_names(), e.dns, "{name} dNSNames");
        let ips: Vec<IpAddr> = e.ips.iter().map(|ip| ip.parse().unwrap()).collect();
        assert_eq!(cert.ip_addresses(), ips, "{name} iPAddresses");
        assert_eq!(cert.is_ca(), e.ca, "{name} cA");
        assert_eq!(cert.key_usage(), Some(e.key_usage), "{name} keyUsage");
        assert_eq!(
            cert.extended_key_usage().map(oid_strings),
            e.eku
                .map(|list| list.iter().map(|s| s.to_string()).collect()),
            "{name} extendedKeyUsage"
        );
        assert_eq!(cert.ocsp_urls(), e.ocsp, "{name} AIA OCSP");
        assert_eq!(cert.ca_issuers_urls(), e.ca_issuers, "{name} AIA caIssuers");
        assert_eq!(cert.must_staple(), e.must_staple, "{name} must-staple");

        // The certificate verifies under the key make.sh signed it with.
        let issuer = load(e.issued_by);
        assert!(verify_signed_by(&cert, &issuer), "{name}");
        assert_eq!(
            verify_signature(
                issuer.spki(),
                cert.signature_algorithm(),
                cert.tbs(),
                cert.signature()
            ),
            Ok(()),
            "{name}"
        );
        assert!(format!("{cert:?}").contains("Certificate"));
    }
}

#[test]
fn certificates_are_shareable() {
    fn shareable<T: Send + Sync + Clone + Eq + core::hash::Hash + 'static>() {}
    shareable::<Certificate>();
    let leaf = load("leaf-ecdsa");
    let copy = leaf.clone();
    assert_eq!(copy, leaf);
    // A clone shares the DER, it does not copy it.
    assert_eq!(copy.der().as_ptr(), leaf.der().as_ptr());
    assert_ne!(leaf, load("leaf-rsa"));
}

#[test]
fn extended_key_usage_lookups() {
    let responder = load("ocsp-responder");
    assert!(responder.has_extended_key_usage(ID_KP_OCSP_SIGNING));
    assert!(!responder.has_extended_key_usage(ID_KP_SERVER_AUTH));
    let leaf = load("leaf-ecdsa");
    assert!(leaf.has_extended_key_usage(ID_KP_SERVER_AUTH));
    assert!(!leaf.has_extended_key_usage(ID_KP_OCSP_SIGNING));
    // No extension: no listed purpose (the caller decides what absence means).
    assert!(!load("root-ca").has_extended_key_usage(ID_KP_SERVER_AUTH));
    assert!(KeyUsage::DIGITAL_SIGNATURE
        .union(KeyUsage::KEY_CERT_SIGN)
        .contains(KeyUsage::KEY_CERT_SIGN));
    assert_eq!(CA_USAGE.bits(), 0b110_0000);
}

#[test]
fn sni_against_certificates() {
    let leaf = load("leaf-ecdsa");
    for (sni, expected) in [
        (&b"localhost"[..], true),
        (b"LOCALHOST", true),
        (b"www.example.test", true),
        (b"WWW.Example.Test", true),
        (b"example.test", false),
        (b"a.b.example.test", false),
        (b"localhost.", false),
        (b"127.0.0.1", false),
        (b"::1", false),
        (b"", false),
        (b"other.test", false),
    ] {
        assert_eq!(
            leaf.matches_dns_name(sni),
            expected,
            "{:?}",
            String::from_utf8_lossy(sni)
        );
    }
    assert!(leaf.matches_ip_address("127.0.0.1".parse().unwrap()));
    assert!(leaf.matches_ip_address("::1".parse().unwrap()));
    assert!(!leaf.matches_ip_address("127.0.0.2".parse().unwrap()));
    // The common name is never used.
    let responder = load("ocsp-responder");
    assert!(!responder.matches_dns_name(b"Stapler Test OCSP Responder"));
    assert!(load("leaf-rsa").matches_dns_name(b"localhost"));
    assert!(!load("leaf-rsa").matches_dns_name(b"www.example.test"));
}

#[test]
fn issuer_discovery() {
    let root = load("root-ca");
    let root_decoy = load("root-ca-decoy");
    let root_no_certsign = load("root-ca-no-certsign");
    let intermediate = load("intermediate-ca");
    let intermediate_decoy = load("intermediate-ca-decoy");
    let leaf_ecdsa = load("leaf-ecdsa");
    let leaf_rsa = load("leaf-rsa");
    let self_signed = load("self-signed");

    // Same subject, other key: the decoys never verify.
    assert_eq!(root_decoy.subject(), root.subject());
    assert_eq!(intermediate_decoy.subject(), intermediate.subject());
    assert!(!verify_signed_by(&leaf_ecdsa, &root_decoy));
    assert!(!verify_signed_by(&leaf_rsa, &intermediate_decoy));

    let candidates = [
        &root_decoy,
        &intermediate_decoy,
        &root_no_certsign,
        &leaf_ecdsa,
        &intermediate,
        &root,
        &self_signed,
    ];
    assert_eq!(find_issuer(&leaf_ecdsa, candidates), Some(&root));
    assert_eq!(find_issuer(&leaf_rsa, candidates), Some(&intermediate));
    assert_eq!(find_issuer(&intermediate, candidates), Some(&root));
    assert_eq!(find_issuer(&intermediate_decoy, candidates), Some(&root));
    assert_eq!(
        find_issuer(&load("leaf-rsa-pkcs1"), candidates),
        Some(&intermediate)
    );
    for name in ["leaf-ed25519", "must-staple", "ocsp-responder"] {
        assert_eq!(find_issuer(&load(name), candidates), Some(&root));
    }
    // Only decoys: no issuer.
    assert_eq!(find_issuer(&leaf_ecdsa, [&root_decoy]), None);
    assert_eq!(find_issuer(&leaf_rsa, [&intermediate_decoy, &root]), None);
    assert_eq!(find_issuer(&leaf_rsa, []), None);

    // Same name and key as the root, but keyUsage lacks keyCertSign: its key
    // verifies the leaf, yet it is not the leaf's issuer.
    assert!(verify_signed_by(&leaf_ecdsa, &root_no_certsign));
    assert_eq!(find_issuer(&leaf_ecdsa, [&root_no_certsign]), None);

    // Self-signed certificates have no issuer, even when offered themselves
    // (Node.js: `issuer` is null).
    for cert in [&self_signed, &root, &root_decoy, &root_no_certsign] {
        assert!(is_self_signed(cert));
        assert_eq!(find_issuer(cert, candidates), None);
        assert_eq!(find_issuer(cert, [cert]), None);
    }
    for cert in [&leaf_ecdsa, &leaf_rsa, &intermediate] {
        assert!(!is_self_signed(cert));
    }

    // A chain file: leaf first, then its issuer.
    let chain = Certificate::from_pem_chain(&read("leaf-rsa-chain.pem")).unwrap();
    assert_eq!(chain, [leaf_rsa.clone(), intermediate.clone()]);
    assert_eq!(find_issuer(&chain[0], &chain[1..]), Some(&chain[1]));
}

#[test]
fn verify_signed_by_cases() {
    let root = load("root-ca");
    let intermediate = load("intermediate-ca");
    let leaf_ecdsa = load("leaf-ecdsa");
    let leaf_rsa = load("leaf-rsa");

    assert!(verify_signed_by(&leaf_ecdsa, &root));
    assert!(verify_signed_by(&leaf_rsa, &intermediate));
    assert!(verify_signed_by(&intermediate, &root));
    // Wrong key, wrong key type, wrong direction.
    assert!(!verify_signed_by(&leaf_ecdsa, &intermediate));
    assert!(!verify_signed_by(&leaf_rsa, &root));
    assert!(!verify_signed_by(&root, &leaf_ecdsa));
    assert!(!verify_signed_by(&leaf_ecdsa, &leaf_ecdsa));

    // One changed byte in the signed part: "localhost" in the subject.
    for (cert, issuer) in [(&leaf_ecdsa, &root), (&leaf_rsa, &intermediate)] {
        let mut der = cert.der().to_vec();
        let at = der.windows(9).position(|w| w == b"localhost").unwrap();
        assert!(at < 4 + cert.tbs().len());
        der[at + 8] = b'u';
        let tampered = Certificate::from_der(der).unwrap();
        assert_eq!(tampered.tbs().len(), cert.tbs().len());
        assert_ne!(tampered.tbs(), cert.tbs());
        assert!(!verify_signed_by(&tampered, issuer));

        // One changed byte in the signature.
        let mut der = cert.der().to_vec();
        let last = der.len() - 1;
        der[last] ^= 0x01;
        let tampered = Certificate::from_der(der).unwrap();
        assert!(!verify_signed_by(&tampered, issuer));
    }
}

#[test]
fn key_files_in_every_format() {
    for (file, format) in [
        ("leaf-ecdsa.key", KeyFormat::Pkcs8),
        ("leaf-ecdsa.key.der", KeyFormat::Pkcs8),
        ("leaf-ecdsa.sec1.pem", KeyFormat::Sec1),
        ("leaf-ecdsa.sec1.der", KeyFormat::Sec1),
        ("leaf-rsa.key", KeyFormat::Pkcs8),
        ("leaf-rsa.pkcs1.pem", KeyFormat::Pkcs1),
        ("leaf-rsa.pkcs1.der", KeyFormat::Pkcs1),
        ("leaf-ed25519.key", KeyFormat::Pkcs8),
        ("leaf-ecdsa-combined.pem", KeyFormat::Pkcs8),
    ] {
        let input = read(file);
        assert_eq!(pem::is_pem(&input), !file.ends_with(".der"), "{file}");
        let key = pem::private_key_from_pem_or_der(&input).unwrap();
        assert_eq!(key.format(), format, "{file}");
    }
    // PEM and DER files hold the same bytes.
    assert_eq!(
        pem::private_key_from_pem(&read("leaf-ecdsa.key"))
            .unwrap()
            .der(),
        read("leaf-ecdsa.key.der")
    );
    assert_eq!(
        pem::certificates_from_pem_or_der(&read("leaf-ecdsa.crt")).unwrap(),
        pem::certificates_from_pem_or_der(&read("leaf-ecdsa.crt.der")).unwrap()
    );
    // The RSA key in PKCS#1 is the one in PKCS#8: ring's public key of the
    // PKCS#8 form equals the modulus-and-exponent inside the PKCS#1 form.
    let pkcs1 = pem::private_key_from_pem(&read("leaf-rsa.pkcs1.pem")).unwrap();
    let rsa = RsaKeyPair::from_der(pkcs1.der()).unwrap();
    assert_eq!(rsa.public_key().as_ref(), load("leaf-rsa").public_key());

    for file in ["leaf-ecdsa.encrypted.pem", "leaf-ecdsa.sec1-encrypted.pem"] {
        let error = pem::private_key_from_pem_or_der(&read(file)).unwrap_err();
        assert_eq!(error, PemError::EncryptedKey { line: Some(1) }, "{file}");
        assert!(error
            .to_string()
            .contains("encrypted keys are not supported"));
    }
    assert_eq!(
        Certificate::from_pem_chain(&read("leaf-ecdsa.key")),
        Err(CertificateError::Pem(PemError::NoCertificate))
    );
    assert_eq!(
        pem::private_key_from_pem(&read("leaf-rsa-chain.pem")).unwrap_err(),
        PemError::NoPrivateKey
    );
}

fn every_certificate() -> Vec<Certificate> {
    expected().iter().map(|e| load(e.name)).collect()
}

#[test]
fn every_truncation_is_an_error() {
    for cert in every_certificate() {
        let der = cert.der();
        for end in 0..der.len() {
            match Certificate::from_der(der.slice(..end)) {
                Err(CertificateError::Der(_)) => {}
                other => panic!("{end} of {} bytes: {other:?}", der.len()),
            }
        }
        let mut longer = der.to_vec();
        longer.push(0);
        assert!(matches!(
            Certificate::from_der(longer),
            Err(CertificateError::Der(_))
        ));
        // So is a byte taken out of the middle.
        let mut cut = der.to_vec();
        cut.remove(10);
        assert!(Certificate::from_der(cut).is_err());
    }
}

/// Exercises everything a certificate offers; must not panic.
fn poke(cert: &Certificate, others: &[Certificate]) {
    let _ = cert.matches_dns_name(b"localhost");
    let _ = cert.matches_dns_name(b"www.example.test");
    let _ = is_self_signed(cert);
    let _ = find_issuer(cert, others);
    for other in others {
        let _ = verify_signed_by(other, cert);
    }
    let _ = format!("{cert:?}");
}

#[test]
fn corrupted_bytes_never_panic() {
    let all = every_certificate();
    for name in ["leaf-ecdsa", "leaf-rsa"] {
        let der = load(name).der().to_vec();
        for i in 0..der.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = der.clone();
                bad[i] ^= flip;
                if let Ok(cert) = Certificate::from_der(bad) {
                    poke(&cert, &all[..2]);
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Certificate::from_der(bytes.clone());
        let _ = Certificate::from_pem_chain(&bytes);
        let _ = pem::parse_pem(&bytes);
        let _ = pem::private_key_from_pem_or_der(&bytes);
        let _ = pem::certificates_from_pem_or_der(&bytes);
        let _ = KeyFormat::sniff_der(&bytes);
        let _ = stapler::pki::SignatureAlgorithm::from_der(&bytes);
        let _ = verify_signature(&bytes, &bytes, &bytes, &bytes);
        let _ = stapler::pki::dns_name_matches(&bytes, &bytes);
    }

    #[test]
    fn random_pem_bodies_never_panic(body in "[A-Za-z0-9+/=\\-: \r\n]{0,300}") {
        let text = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
        let _ = Certificate::from_pem_chain(text.as_bytes());
        let text = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n");
        let _ = pem::private_key_from_pem(text.as_bytes());
    }

    #[test]
    fn random_names_never_panic(pattern in "[a-z*.0-9:-]{0,20}", sni in "[a-z*.0-9:-]{0,20}") {
        let matched = stapler::pki::dns_name_matches(pattern.as_bytes(), sni.as_bytes());
        if matched {
            prop_assert!(stapler::pki::is_valid_dns_reference(sni.as_bytes()));
        }
    }
}
