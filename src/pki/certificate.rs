//! [`Certificate`]: one DER X.509 certificate and the summary stapler reads
//! from it, parsed once at load.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use bytes::Bytes;
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, UintRef};
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, BasicConstraints, ExtendedKeyUsage, KeyUsage as X509KeyUsage,
    SubjectAltName,
};
use x509_cert::spki::SubjectPublicKeyInfoRef;

use super::oids::{self, Oid};
use super::pem::{self, PemError};
use super::raw::{algorithm_params, share, Raw};

/// The TLS extension number of status_request (RFC 6066 §8), which a TLS
/// Feature extension lists to mean "must staple" (RFC 7633 §4.2.3).
const STATUS_REQUEST: u16 = 5;

/// What went wrong loading a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// The bytes are not a DER X.509 certificate (RFC 5280 §4.1): malformed,
    /// truncated, or with bytes after it.
    Der(der::Error),
    /// The `signature` field inside the signed part differs from the outer
    /// `signatureAlgorithm`, which RFC 5280 §4.1.1.2 requires to be equal.
    SignatureAlgorithmMismatch,
    /// The subject public key or the signature is a BIT STRING whose length
    /// is not a whole number of bytes.
    UnusedBits,
    /// The subject public key does not decode for its algorithm (an RSA key
    /// that is not an `RSAPublicKey`, an EC key without a named curve...).
    BadPublicKey,
    /// An extension appears twice (RFC 5280 §4.2 forbids it).
    DuplicateExtension(Oid),
    /// An extension this module reads does not decode.
    BadExtension(Oid),
    /// The PEM input could not be read.
    Pem(PemError),
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Der(e) => write!(f, "malformed certificate: {e}"),
            Self::SignatureAlgorithmMismatch => {
                f.write_str("certificate's two signature algorithm fields differ")
            }
            Self::UnusedBits => f.write_str("certificate has a BIT STRING with unused bits"),
            Self::BadPublicKey => f.write_str("certificate's public key is malformed"),
            Self::DuplicateExtension(oid) => write!(f, "certificate has extension {oid} twice"),
            Self::BadExtension(oid) => write!(f, "certificate's extension {oid} is malformed"),
            Self::Pem(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CertificateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Pem(e) => Some(e),
            _ => None,
        }
    }
}

impl From<der::Error> for CertificateError {
    fn from(e: der::Error) -> Self {
        Self::Der(e)
    }
}

impl From<PemError> for CertificateError {
    fn from(e: PemError) -> Self {
        Self::Pem(e)
    }
}

/// The algorithm of a subject public key, with what a signer needs to know
/// about it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PublicKeyAlgorithm {
    /// ECDSA on NIST P-256 (id-ecPublicKey with namedCurve secp256r1).
    EcP256,
    /// ECDSA on NIST P-384 (id-ecPublicKey with namedCurve secp384r1).
    EcP384,
    /// An id-ecPublicKey on another curve; the string is the curve's OID in
    /// dotted form, or `"explicit"` for inline curve parameters.
    EcOtherCurve(String),
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// RSA (rsaEncryption), with the modulus length in bits.
    Rsa {
        /// The modulus length in bits.
        bits: u32,
    },
    /// An RSA key restricted to RSASSA-PSS (id-RSASSA-PSS, RFC 4055 §1.2),
    /// with the modulus length in bits. Its parameters, if any, are not
    /// enforced.
    RsaPss {
        /// The modulus length in bits.
        bits: u32,
    },
    /// Any other algorithm; the string is its OID in dotted form.
    Other(String),
}

impl PublicKeyAlgorithm {
    /// Classifies a SubjectPublicKeyInfo's algorithm from its OID, its
    /// parameters and the key itself (the BIT STRING contents).
    pub(crate) fn classify(
        oid: ObjectIdentifier,
        params: Option<AnyRef<'_>>,
        key: &[u8],
    ) -> Result<Self, CertificateError> {
        if oid == oids::EC_PUBLIC_KEY {
            let params = params.ok_or(CertificateError::BadPublicKey)?;
            if params.tag() != Tag::ObjectIdentifier {
                return Ok(Self::EcOtherCurve("explicit".into()));
            }
            let curve: ObjectIdentifier = params
                .decode_as()
                .map_err(|_| CertificateError::BadPublicKey)?;
            Ok(if curve == oids::SECP256R1 {
                Self::EcP256
            } else if curve == oids::SECP384R1 {
                Self::EcP384
            } else {
                Self::EcOtherCurve(curve.to_string())
            })
        } else if oid == oids::ID_ED25519 {
            Ok(Self::Ed25519)
        } else if oid == oids::RSA_ENCRYPTION {
            let bits = rsa_modulus_bits(key).ok_or(CertificateError::BadPublicKey)?;
            Ok(Self::Rsa { bits })
        } else if oid == oids::RSASSA_PSS {
            let bits = rsa_modulus_bits(key).ok_or(CertificateError::BadPublicKey)?;
            Ok(Self::RsaPss { bits })
        } else {
            Ok(Self::Other(oid.to_string()))
        }
    }
}

/// The bit length of the modulus of a DER `RSAPublicKey` (RFC 8017 A.1.1).
fn rsa_modulus_bits(key: &[u8]) -> Option<u32> {
    let outer = AnyRef::from_der(key).ok()?;
    if outer.tag() != Tag::Sequence {
        return None;
    }
    let mut reader = SliceReader::new(outer.value()).ok()?;
    let modulus = UintRef::decode(&mut reader).ok()?;
    let _exponent = UintRef::decode(&mut reader).ok()?;
    if !reader.is_finished() {
        return None;
    }
    let bytes = modulus.as_bytes();
    let first = *bytes.first().filter(|&&b| b != 0)?;
    let whole = u32::try_from(bytes.len())
        .ok()?
        .checked_sub(1)?
        .checked_mul(8)?;
    whole.checked_add(u8::BITS.saturating_sub(first.leading_zeros()))
}

/// The keyUsage extension's bits (RFC 5280 §4.2.1.3), bit 0 first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyUsage(u16);

impl KeyUsage {
    /// digitalSignature (bit 0).
    pub const DIGITAL_SIGNATURE: Self = Self(1 << 0);
    /// nonRepudiation, also called contentCommitment (bit 1).
    pub const NON_REPUDIATION: Self = Self(1 << 1);
    /// keyEncipherment (bit 2).
    pub const KEY_ENCIPHERMENT: Self = Self(1 << 2);
    /// dataEncipherment (bit 3).
    pub const DATA_ENCIPHERMENT: Self = Self(1 << 3);
    /// keyAgreement (bit 4).
    pub const KEY_AGREEMENT: Self = Self(1 << 4);
    /// keyCertSign (bit 5).
    pub const KEY_CERT_SIGN: Self = Self(1 << 5);
    /// cRLSign (bit 6).
    pub const CRL_SIGN: Self = Self(1 << 6);
    /// encipherOnly (bit 7).
    pub const ENCIPHER_ONLY: Self = Self(1 << 7);
    /// decipherOnly (bit 8).
    pub const DECIPHER_ONLY: Self = Self(1 << 8);

    /// The bits, `1 << n` for the extension's bit `n`.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of two sets of bits.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub(crate) fn from_x509(ku: &X509KeyUsage) -> Self {
        let flags = [
            (ku.digital_signature(), Self::DIGITAL_SIGNATURE),
            (ku.non_repudiation(), Self::NON_REPUDIATION),
            (ku.key_encipherment(), Self::KEY_ENCIPHERMENT),
            (ku.data_encipherment(), Self::DATA_ENCIPHERMENT),
            (ku.key_agreement(), Self::KEY_AGREEMENT),
            (ku.key_cert_sign(), Self::KEY_CERT_SIGN),
            (ku.crl_sign(), Self::CRL_SIGN),
            (ku.encipher_only(), Self::ENCIPHER_ONLY),
            (ku.decipher_only(), Self::DECIPHER_ONLY),
        ];
        flags
            .into_iter()
            .filter(|(set, _)| *set)
            .fold(Self(0), |acc, (_, bit)| acc.union(bit))
    }
}

/// A DER X.509 certificate (RFC 5280) with the fields stapler uses,
/// parsed once by [`Certificate::from_der`].
///
/// Cloning is cheap (two reference counts): the DER is a shared
/// [`Bytes`] and the summary is behind an [`Arc`]. Every byte-string field
/// is a slice of the original DER, exactly as it was encoded, so names can
/// be compared byte for byte and hashes (OCSP's CertID) are taken over the
/// real bytes. Equality is equality of the DER.
#[derive(Clone)]
pub struct Certificate {
    der: Bytes,
    parsed: Arc<Parsed>,
}

/// The summary, computed once.
struct Parsed {
    tbs: Bytes,
    serial: Bytes,
    issuer: Bytes,
    subject: Bytes,
    spki: Bytes,
    public_key: Bytes,
    public_key_algorithm: PublicKeyAlgorithm,
    signature_algorithm: Bytes,
    signature_algorithm_oid: ObjectIdentifier,
    signature_algorithm_params: Option<Bytes>,
    signature: Bytes,
    not_before: u64,
    not_after: u64,
    /// The subject's first commonName, if it has one as a string.
    common_name: Option<String>,
    extensions: Extensions,
}

impl Certificate {
    /// Parses one DER certificate. The whole input must be the certificate:
    /// trailing bytes are an error. Extensions this module does not read are
    /// not decoded (and unknown critical extensions are not rejected: this
    /// is not a path validator).
    pub fn from_der(der: impl Into<Bytes>) -> Result<Self, CertificateError> {
        let der = der.into();
        let parsed = Parsed::parse(&der)?;
        Ok(Self {
            der,
            parsed: Arc::new(parsed),
        })
    }

    /// Parses every certificate of a PEM file, in file order (for a chain:
    /// leaf first). Errors with [`PemError::NoCertificate`] (inside
    /// [`CertificateError::Pem`]) if there is none.
    pub fn from_pem_chain(pem: &[u8]) -> Result<Vec<Self>, CertificateError> {
        pem::certificates_from_pem(pem)?
            .into_iter()
            .map(Self::from_der)
            .collect()
    }

    /// The whole certificate, DER.
    pub fn der(&self) -> &Bytes {
        &self.der
    }

    /// The signed part, `tbsCertificate`, DER (what the signature covers).
    pub fn tbs(&self) -> &[u8] {
        &self.parsed.tbs
    }

    /// The serial number's INTEGER contents, as encoded: big-endian two's
    /// complement, with its leading zero byte if it has one.
    pub fn serial(&self) -> &[u8] {
        &self.parsed.serial
    }

    /// The issuer Name, DER (the whole `SEQUENCE`, as encoded).
    pub fn issuer(&self) -> &[u8] {
        &self.parsed.issuer
    }

    /// The subject Name, DER (the whole `SEQUENCE`, as encoded).
    pub fn subject(&self) -> &[u8] {
        &self.parsed.subject
    }

    /// The whole SubjectPublicKeyInfo, DER.
    pub fn spki(&self) -> &[u8] {
        &self.parsed.spki
    }

    /// The subject public key: the contents of SubjectPublicKeyInfo's
    /// `subjectPublicKey` BIT STRING, without its unused-bits byte. This is
    /// what OCSP's issuerKeyHash hashes (RFC 6960 §4.1.1), and what ring
    /// takes as a public key.
    pub fn public_key(&self) -> &[u8] {
        &self.parsed.public_key
    }

    /// The subject public key's algorithm.
    pub fn public_key_algorithm(&self) -> &PublicKeyAlgorithm {
        &self.parsed.public_key_algorithm
    }

    /// The `signatureAlgorithm` AlgorithmIdentifier, DER (the whole
    /// `SEQUENCE`), as [`verify_signature`](super::verify_signature) takes it.
    pub fn signature_algorithm(&self) -> &[u8] {
        &self.parsed.signature_algorithm
    }

    /// The signature algorithm's OID.
    pub fn signature_algorithm_oid(&self) -> Oid {
        Oid(self.parsed.signature_algorithm_oid)
    }

    /// The signature algorithm's parameters, DER (one whole TLV), if any.
    pub fn signature_algorithm_params(&self) -> Option<&[u8]> {
        self.parsed.signature_algorithm_params.as_deref()
    }

    /// The signature: the contents of the `signature` BIT STRING.
    pub fn signature(&self) -> &[u8] {
        &self.parsed.signature
    }

    /// notBefore, in seconds since the Unix epoch.
    pub fn not_before(&self) -> u64 {
        self.parsed.not_before
    }

    /// notAfter, in seconds since the Unix epoch.
    pub fn not_after(&self) -> u64 {
        self.parsed.not_after
    }

    /// Whether `now` (seconds since the Unix epoch) lies within the validity
    /// period, both ends included (RFC 5280 §4.1.2.5).
    pub fn is_valid_at(&self, now: u64) -> bool {
        (self.parsed.not_before..=self.parsed.not_after).contains(&now)
    }

    /// The subjectAltName extension's dNSName entries, in order, as written
    /// (wildcards included).
    pub fn dns_names(&self) -> &[String] {
        &self.parsed.extensions.dns_names
    }

    /// The subjectAltName extension's iPAddress entries, in order.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        &self.parsed.extensions.ip_addresses
    }

    /// The URIs of the subjectAltName extension (RFC 5280 §4.2.1.6), such
    /// as a SPIFFE ID, in order.
    pub fn uris(&self) -> &[String] {
        &self.parsed.extensions.uris
    }

    /// The SPIFFE ID (a `spiffe://` URI SAN), if the certificate carries
    /// exactly one: an X.509-SVID has exactly one URI SAN.
    pub fn spiffe_id(&self) -> Option<&str> {
        match self.uris() {
            [only] if only.starts_with("spiffe://") => Some(only),
            _ => None,
        }
    }

    /// The subject's first commonName, when it is a string.
    pub fn common_name(&self) -> Option<&str> {
        self.parsed.common_name.as_deref()
    }

    /// The basicConstraints extension's cA flag (false when the extension
    /// is absent).
    pub fn is_ca(&self) -> bool {
        self.parsed.extensions.is_ca
    }

    /// The keyUsage extension, if present.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.parsed.extensions.key_usage
    }

    /// The extendedKeyUsage extension's purposes, if the extension is
    /// present (absent means no restriction).
    pub fn extended_key_usage(&self) -> Option<&[Oid]> {
        self.parsed.extensions.extended_key_usage.as_deref()
    }

    /// Whether the extendedKeyUsage extension is present and lists `oid`,
    /// for example [`ID_KP_OCSP_SIGNING`](super::ID_KP_OCSP_SIGNING).
    pub fn has_extended_key_usage(&self, oid: Oid) -> bool {
        self.extended_key_usage()
            .is_some_and(|purposes| purposes.contains(&oid))
    }

    /// The authorityInfoAccess extension's OCSP responder URIs (id-ad-ocsp),
    /// in order.
    pub fn ocsp_urls(&self) -> &[String] {
        &self.parsed.extensions.ocsp_urls
    }

    /// The authorityInfoAccess extension's CA issuer URIs (id-ad-caIssuers),
    /// in order.
    pub fn ca_issuers_urls(&self) -> &[String] {
        &self.parsed.extensions.ca_issuers_urls
    }

    /// Whether the TLS Feature extension (RFC 7633) lists status_request:
    /// the certificate is "must staple", and a client may refuse it without
    /// an OCSP response.
    pub fn must_staple(&self) -> bool {
        self.parsed.extensions.must_staple
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl core::hash::Hash for Certificate {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.der.hash(state);
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("serial", &Hex(self.serial()))
            .field("dns_names", &self.dns_names())
            .field("public_key_algorithm", self.public_key_algorithm())
            .field("not_after", &self.not_after())
            .finish_non_exhaustive()
    }
}

/// Bytes shown as hex in `Debug` output.
struct Hex<'a>(&'a [u8]);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// The extensions that stapler reads, decoded.
#[derive(Default)]
struct Extensions {
    dns_names: Vec<String>,
    ip_addresses: Vec<IpAddr>,
    uris: Vec<String>,
    is_ca: bool,
    key_usage: Option<KeyUsage>,
    extended_key_usage: Option<Vec<Oid>>,
    ocsp_urls: Vec<String>,
    ca_issuers_urls: Vec<String>,
    must_staple: bool,
}

impl Extensions {
    fn read(list: &[x509_cert::ext::Extension]) -> Result<Self, CertificateError> {
        let mut out = Self::default();
        for (i, ext) in list.iter().enumerate() {
            let oid = ext.extn_id;
            if list.iter().take(i).any(|earlier| earlier.extn_id == oid) {
                return Err(CertificateError::DuplicateExtension(Oid(oid)));
            }
            out.read_one(oid, ext.extn_value.as_bytes())
                .map_err(|_| CertificateError::BadExtension(Oid(oid)))?;
        }
        Ok(out)
    }

    fn read_one(&mut self, oid: ObjectIdentifier, value: &[u8]) -> Result<(), ()> {
        if oid == oids::CE_SUBJECT_ALT_NAME {
            let san = SubjectAltName::from_der(value).map_err(drop)?;
            for name in &san.0 {
                match name {
                    GeneralName::DnsName(dns) => self.dns_names.push(as_str(dns).to_owned()),
                    GeneralName::IpAddress(ip) => {
                        self.ip_addresses.push(ip_address(ip.as_bytes()).ok_or(())?);
                    }
                    GeneralName::UniformResourceIdentifier(uri) => {
                        self.uris.push(as_str(uri).to_owned());
                    }
                    _ => {}
                }
            }
        } else if oid == oids::CE_BASIC_CONSTRAINTS {
            self.is_ca = BasicConstraints::from_der(value).map_err(drop)?.ca;
        } else if oid == oids::CE_KEY_USAGE {
            let ku = X509KeyUsage::from_der(value).map_err(drop)?;
            self.key_usage = Some(KeyUsage::from_x509(&ku));
        } else if oid == oids::CE_EXT_KEY_USAGE {
            let usages = ExtendedKeyUsage::from_der(value).map_err(drop)?.0;
            self.extended_key_usage = Some(usages.into_iter().map(Oid).collect());
        } else if oid == oids::PE_AUTHORITY_INFO_ACCESS {
            let aia = AuthorityInfoAccessSyntax::from_der(value).map_err(drop)?;
            for access in &aia.0 {
                let GeneralName::UniformResourceIdentifier(uri) = &access.access_location else {
                    continue;
                };
                if access.access_method == oids::ID_AD_OCSP.0 {
                    self.ocsp_urls.push(as_str(uri).to_owned());
                } else if access.access_method == oids::ID_AD_CA_ISSUERS.0 {
                    self.ca_issuers_urls.push(as_str(uri).to_owned());
                }
            }
        } else if oid == oids::PE_TLS_FEATURE {
            // Features ::= SEQUENCE OF INTEGER (RFC 7633 §6).
            let features = Vec::<u16>::from_der(value).map_err(drop)?;
            self.must_staple = features.contains(&STATUS_REQUEST);
        }
        Ok(())
    }
}

fn as_str(s: &der::asn1::Ia5String) -> &str {
    s.as_ref()
}

/// An iPAddress GeneralName: four octets for IPv4, sixteen for IPv6
/// (RFC 5280 §4.2.1.6).
fn ip_address(octets: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(octets) {
        Some(IpAddr::V4(Ipv4Addr::from(v4)))
    } else if let Ok(v6) = <[u8; 16]>::try_from(octets) {
        Some(IpAddr::V6(Ipv6Addr::from(v6)))
    } else {
        None
    }
}

impl Parsed {
    fn parse(der: &Bytes) -> Result<Self, CertificateError> {
        // The typed decode checks the whole structure, strictly (DER).
        let cert = x509_cert::Certificate::from_der(der)?;
        let tbs = cert.tbs_certificate();
        // The walk keeps each field's bytes as they were encoded.
        let raw = Raw::walk(der)?;

        if raw.inner_signature_algorithm != raw.signature_algorithm {
            return Err(CertificateError::SignatureAlgorithmMismatch);
        }
        let signature = raw
            .signature
            .as_bytes()
            .ok_or(CertificateError::UnusedBits)?;

        let spki = SubjectPublicKeyInfoRef::from_der(raw.spki)?;
        let public_key = spki
            .subject_public_key
            .as_bytes()
            .ok_or(CertificateError::UnusedBits)?;
        let public_key_algorithm = PublicKeyAlgorithm::classify(
            spki.algorithm.oid,
            spki.algorithm.parameters,
            public_key,
        )?;

        let validity = tbs.validity();
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();

        let extensions = Extensions::read(tbs.extensions().map_or(&[], |list| list.as_slice()))?;
        // A commonName that is no string type is not an error here: the
        // subject is only reported, never matched.
        let common_name = tbs.subject().common_name().ok().flatten().map(String::from);

        let signature_algorithm_params = match algorithm_params(raw.signature_algorithm)? {
            Some(params) => Some(share(der, params)?),
            None => None,
        };
        Ok(Self {
            tbs: share(der, raw.tbs)?,
            serial: share(der, raw.serial)?,
            issuer: share(der, raw.issuer)?,
            subject: share(der, raw.subject)?,
            spki: share(der, raw.spki)?,
            public_key: share(der, public_key)?,
            public_key_algorithm,
            signature_algorithm: share(der, raw.signature_algorithm)?,
            signature_algorithm_oid: cert.signature_algorithm().oid,
            signature_algorithm_params,
            signature: share(der, signature)?,
            not_before,
            not_after,
            common_name,
            extensions,
        })
    }
}
