//! [`ResponderCert`]: the fields of a delegated responder's certificate
//! that RFC 6960 §4.2.2.2 checks, read straight from its DER.
//!
//! A delegated response carries the responder's certificate, and checking
//! it is on the path of every verification. [`crate::pki::Certificate`]
//! decodes a whole certificate (every Name attribute, every extension it
//! knows), which costs more than the rest of verification put together;
//! this view walks the same DER, strictly, and decodes only the names, the
//! key, the validity and the two extensions the rules need, so that
//! verifying stays within 10% of the signature checks it contains.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use x509_cert::spki::SubjectPublicKeyInfoRef;
use x509_cert::time::Time;

use super::asn1::ExtensionDer;
use crate::pki::Oid;

/// extendedKeyUsage (RFC 5280 §4.2.1.12).
const CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// keyUsage (RFC 5280 §4.2.1.3).
const CE_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");

/// A responder certificate, borrowed from the response.
pub(crate) struct ResponderCert<'a> {
    /// tbsCertificate, DER: what the issuer signed.
    pub(crate) tbs: &'a [u8],
    /// signatureAlgorithm, the whole AlgorithmIdentifier.
    pub(crate) signature_algorithm: &'a [u8],
    /// The signature BIT STRING's contents.
    pub(crate) signature: &'a [u8],
    /// The issuer Name, DER.
    pub(crate) issuer: &'a [u8],
    /// The subject Name, DER.
    pub(crate) subject: &'a [u8],
    /// The whole SubjectPublicKeyInfo, DER.
    pub(crate) spki: &'a [u8],
    /// The subjectPublicKey BIT STRING's contents.
    pub(crate) public_key: &'a [u8],
    /// notBefore, seconds since the Unix epoch.
    pub(crate) not_before: u64,
    /// notAfter, seconds since the Unix epoch.
    pub(crate) not_after: u64,
    /// Whether extendedKeyUsage is present and lists the purpose
    /// [`ResponderCert::parse`] was asked about (id-kp-OCSPSigning).
    pub(crate) ocsp_signing: bool,
    /// Whether keyUsage, if present, allows digitalSignature (`None` when
    /// the extension is absent).
    pub(crate) digital_signature: Option<bool>,
}

impl<'a> ResponderCert<'a> {
    /// Walks `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
    /// signature }` and TBSCertificate (RFC 5280 §4.1). Errors on anything
    /// malformed in the parts read, on differing signature algorithms, and
    /// on a repeated extendedKeyUsage or keyUsage extension.
    pub(crate) fn parse(der: &'a [u8], ocsp_signing: Oid) -> der::Result<Self> {
        let mut cert = sequence(AnyRef::from_der(der)?)?;
        let tbs = cert.tlv_bytes()?;
        let signature_algorithm = cert.tlv_bytes()?;
        let signature = BitStringRef::decode(&mut cert)?
            .as_bytes()
            .ok_or_else(|| der::Error::from(Tag::BitString.value_error()))?;
        cert.finish()?;

        let mut fields = sequence(AnyRef::from_der(tbs)?)?;
        // version [0] EXPLICIT, DEFAULT v1.
        if fields.peek_byte() == Some(0xa0) {
            fields.tlv_bytes()?;
        }
        let _serial = fields.tlv_bytes()?;
        if fields.tlv_bytes()? != signature_algorithm {
            // RFC 5280 §4.1.1.2: the two must be equal.
            return Err(Tag::Sequence.value_error().into());
        }
        let issuer = fields.tlv_bytes()?;
        let mut validity = sequence(AnyRef::decode(&mut fields)?)?;
        let not_before = Time::decode(&mut validity)?.to_unix_duration().as_secs();
        let not_after = Time::decode(&mut validity)?.to_unix_duration().as_secs();
        validity.finish()?;
        let subject = fields.tlv_bytes()?;
        let spki = fields.tlv_bytes()?;
        let public_key = SubjectPublicKeyInfoRef::from_der(spki)?
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| der::Error::from(Tag::BitString.value_error()))?;

        let mut found_eku = None;
        let mut found_ku = None;
        while let Some(tag) = fields.peek_byte() {
            let field = AnyRef::decode(&mut fields)?;
            match tag {
                // issuerUniqueID [1] and subjectUniqueID [2], IMPLICIT BIT
                // STRINGs: skipped.
                0x81 | 0x82 | 0xa1 | 0xa2 => continue,
                // extensions [3] EXPLICIT, the last field.
                0xa3 => {}
                _ => return Err(field.tag().unexpected_error(None).into()),
            }
            let mut list = sequence(AnyRef::from_der(field.value())?)?;
            while !list.is_finished() {
                let extension = ExtensionDer::decode(&mut list)?;
                let value = extension.extn_value.as_bytes();
                let slot = if extension.extn_id == CE_EXT_KEY_USAGE {
                    &mut found_eku
                } else if extension.extn_id == CE_KEY_USAGE {
                    &mut found_ku
                } else {
                    continue;
                };
                if slot.replace(value).is_some() {
                    // RFC 5280 §4.2: an extension appears at most once.
                    return Err(Tag::Sequence.value_error().into());
                }
            }
            fields.finish()?;
            break;
        }

        Ok(Self {
            tbs,
            signature_algorithm,
            signature,
            issuer,
            subject,
            spki,
            public_key,
            not_before,
            not_after,
            ocsp_signing: match found_eku {
                Some(eku) => lists_purpose(eku, ocsp_signing.0)?,
                None => false,
            },
            digital_signature: found_ku.map(allows_digital_signature).transpose()?,
        })
    }

    /// Whether `now` lies within the validity period, both ends included
    /// (RFC 5280 §4.1.2.5).
    pub(crate) fn is_valid_at(&self, now: u64) -> bool {
        (self.not_before..=self.not_after).contains(&now)
    }
}

/// Whether `ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId`
/// lists `purpose`.
fn lists_purpose(eku: &[u8], purpose: ObjectIdentifier) -> der::Result<bool> {
    let mut purposes = sequence(AnyRef::from_der(eku)?)?;
    let mut found = false;
    while !purposes.is_finished() {
        found |= ObjectIdentifier::decode(&mut purposes)? == purpose;
    }
    Ok(found)
}

/// Whether `KeyUsage ::= BIT STRING` has digitalSignature (bit 0, the most
/// significant bit of the first byte) set.
fn allows_digital_signature(key_usage: &[u8]) -> der::Result<bool> {
    let bits = BitStringRef::from_der(key_usage)?;
    Ok(bits.raw_bytes().first().is_some_and(|b| b & 0x80 != 0))
}

/// A reader over the contents of a SEQUENCE.
fn sequence(any: AnyRef<'_>) -> der::Result<SliceReader<'_>> {
    if any.tag() != Tag::Sequence {
        return Err(any.tag().unexpected_error(Some(Tag::Sequence)).into());
    }
    SliceReader::new(any.value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::{Certificate, KeyUsage, ID_KP_OCSP_SIGNING};

    /// The view agrees with the full parse of `crate::pki` on every test
    /// certificate.
    #[test]
    fn agrees_with_the_full_certificate_parse() {
        let pems: [&[u8]; 8] = [
            include_bytes!("../../tests/data/ocsp/responder.crt"),
            include_bytes!("../../tests/data/ocsp/responder-no-eku.crt"),
            include_bytes!("../../tests/data/ocsp/responder-rsa.crt"),
            include_bytes!("../../tests/data/ocsp/responder-ed25519.crt"),
            include_bytes!("../../tests/data/ocsp/ca.crt"),
            include_bytes!("../../tests/data/ocsp/leaf-good.crt"),
            include_bytes!("../../tests/data/pki/ocsp-responder.crt"),
            include_bytes!("../../tests/data/pki/leaf-rsa.crt"),
        ];
        for pem in pems {
            let full = Certificate::from_pem_chain(pem).unwrap().remove(0);
            let view = ResponderCert::parse(full.der(), ID_KP_OCSP_SIGNING).unwrap();
            assert_eq!(view.tbs, full.tbs());
            assert_eq!(view.signature_algorithm, full.signature_algorithm());
            assert_eq!(view.signature, full.signature());
            assert_eq!(view.issuer, full.issuer());
            assert_eq!(view.subject, full.subject());
            assert_eq!(view.spki, full.spki());
            assert_eq!(view.public_key, full.public_key());
            assert_eq!(
                (view.not_before, view.not_after),
                (full.not_before(), full.not_after())
            );
            assert_eq!(
                view.ocsp_signing,
                full.has_extended_key_usage(ID_KP_OCSP_SIGNING)
            );
            assert_eq!(
                view.digital_signature,
                full.key_usage()
                    .map(|ku| ku.contains(KeyUsage::DIGITAL_SIGNATURE))
            );
        }
    }

    #[test]
    fn truncations_fail() {
        let full =
            Certificate::from_pem_chain(include_bytes!("../../tests/data/ocsp/responder.crt"))
                .unwrap()
                .remove(0);
        for end in 0..full.der().len() {
            assert!(ResponderCert::parse(&full.der()[..end], ID_KP_OCSP_SIGNING).is_err());
        }
    }
}
