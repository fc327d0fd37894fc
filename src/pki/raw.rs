//! The byte-exact pieces of a DER certificate, found by walking its
//! framing without decoding it whole: what `certificate.rs` keeps as
//! shared slices, and what `leaf_key.rs` reads of a client's leaf.

use bytes::Bytes;
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use der::{Decode, Reader, SliceReader, Tag, Tagged};

/// The slice of `base` that `part` is, as a shared [`Bytes`]; `part` must
/// have been borrowed from `base`. (`Bytes::slice_ref` panics where this
/// returns an error.) Certificates and OCSP responses both keep their
/// parts this way.
pub(crate) fn share(base: &Bytes, part: &[u8]) -> der::Result<Bytes> {
    if part.is_empty() {
        return Ok(Bytes::new());
    }
    let start = (part.as_ptr() as usize).checked_sub(base.as_ptr() as usize);
    let end = start.and_then(|start| start.checked_add(part.len()));
    match (start, end) {
        (Some(start), Some(end)) if end <= base.len() => Ok(base.slice(start..end)),
        // Unreachable for slices of `base`; an error rather than a panic.
        _ => Err(der::Error::from(der::ErrorKind::Failed)),
    }
}

/// The byte-exact pieces of a certificate, found by walking its DER.
pub(super) struct Raw<'a> {
    pub(super) tbs: &'a [u8],
    pub(super) serial: &'a [u8],
    pub(super) inner_signature_algorithm: &'a [u8],
    pub(super) issuer: &'a [u8],
    pub(super) subject: &'a [u8],
    pub(super) spki: &'a [u8],
    pub(super) signature_algorithm: &'a [u8],
    pub(super) signature: BitStringRef<'a>,
    /// The contents of the extensions' SEQUENCE OF, if present.
    pub(super) extensions: Option<&'a [u8]>,
}

impl<'a> Raw<'a> {
    /// Walks `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
    /// signature }` and the fields of `TBSCertificate` (RFC 5280 §4.1),
    /// keeping each field's encoded bytes. Only the framing is checked
    /// here; the typed decode in `certificate.rs` checks the rest.
    pub(super) fn walk(der: &'a [u8]) -> der::Result<Self> {
        let outer = AnyRef::from_der(der)?;
        let mut cert = SliceReader::new(sequence_value(outer)?)?;
        let tbs = cert.tlv_bytes()?;
        let signature_algorithm = cert.tlv_bytes()?;
        let signature = BitStringRef::decode(&mut cert)?;
        cert.finish()?;

        let mut fields = SliceReader::new(sequence_value(AnyRef::from_der(tbs)?)?)?;
        // version [0] EXPLICIT, DEFAULT v1.
        if fields.peek_byte() == Some(0xa0) {
            fields.tlv_bytes()?;
        }
        let serial = AnyRef::decode(&mut fields)?.value();
        let inner_signature_algorithm = fields.tlv_bytes()?;
        let issuer = fields.tlv_bytes()?;
        let _validity = fields.tlv_bytes()?;
        let subject = fields.tlv_bytes()?;
        let spki = fields.tlv_bytes()?;
        // issuerUniqueID [1] and subjectUniqueID [2], IMPLICIT, OPTIONAL.
        for tag in [0x81, 0x82] {
            if fields.peek_byte() == Some(tag) {
                fields.tlv_bytes()?;
            }
        }
        // extensions [3] EXPLICIT SEQUENCE OF Extension, OPTIONAL.
        let extensions = if fields.peek_byte() == Some(0xa3) {
            let explicit = AnyRef::decode(&mut fields)?;
            Some(sequence_value(AnyRef::from_der(explicit.value())?)?)
        } else {
            None
        };
        fields.finish()?;
        Ok(Self {
            tbs,
            serial,
            inner_signature_algorithm,
            issuer,
            subject,
            spki,
            signature_algorithm,
            signature,
            extensions,
        })
    }

    /// Each extension's id (its OID's encoded arcs) and value, in order,
    /// borrowed: `Extension ::= SEQUENCE { extnID, critical BOOLEAN
    /// DEFAULT FALSE, extnValue OCTET STRING }`.
    ///
    /// The id is compared as bytes, as rustls-webpki compares it, not
    /// decoded: decoding each OID was most of the cost of reading a
    /// client's leaf during a handshake. The strict parse
    /// (`certificate.rs`) decodes every OID.
    pub(super) fn each_extension<E>(
        &self,
        mut f: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<der::Error>,
    {
        let Some(list) = self.extensions else {
            return Ok(());
        };
        let mut list = SliceReader::new(list)?;
        while !list.is_finished() {
            let ext = AnyRef::decode(&mut list)?;
            let mut fields = SliceReader::new(sequence_value(ext)?)?;
            let oid = AnyRef::decode(&mut fields)?;
            oid.tag().assert_eq(Tag::ObjectIdentifier)?;
            if fields.peek_byte() == Some(0x01) {
                // critical. DER leaves a FALSE out (X.690 §11.5), but some
                // CAs encode it, and the strict parse (x509-cert) and
                // rustls-webpki both take it: so does this reading, which
                // must take whatever they take.
                let _critical = bool::decode(&mut fields)?;
            }
            let value = <&OctetStringRef>::decode(&mut fields)?;
            fields.finish()?;
            f(oid.value(), value.as_bytes())?;
        }
        Ok(())
    }
}

/// The contents of a SEQUENCE.
fn sequence_value(any: AnyRef<'_>) -> der::Result<&[u8]> {
    if any.tag() == Tag::Sequence {
        Ok(any.value())
    } else {
        Err(any.tag().unexpected_error(Some(Tag::Sequence)).into())
    }
}

/// The parameters of a DER AlgorithmIdentifier, as one whole TLV, if present.
pub(crate) fn algorithm_params(algorithm: &[u8]) -> der::Result<Option<&[u8]>> {
    let mut fields = SliceReader::new(sequence_value(AnyRef::from_der(algorithm)?)?)?;
    let _oid: ObjectIdentifier = Decode::decode(&mut fields)?;
    if fields.is_finished() {
        return Ok(None);
    }
    let params = fields.tlv_bytes()?;
    fields.finish()?;
    Ok(Some(params))
}
