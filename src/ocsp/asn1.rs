//! The DER shapes of an OCSP response (RFC 6960 §4.2.1), decoded with
//! `der`'s derive macros where the shape is a plain SEQUENCE, and by hand
//! where the signed bytes must be kept exactly as encoded or a CHOICE
//! needs reading.
//!
//! Everything borrows from the input; [`super::response`] turns it into
//! owned, shared [`bytes::Bytes`] slices.
//!
//! ```text
//! OCSPResponse ::= SEQUENCE {
//!    responseStatus         OCSPResponseStatus,
//!    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//! ResponseBytes ::= SEQUENCE {
//!    responseType   OBJECT IDENTIFIER,
//!    response       OCTET STRING }
//! BasicOCSPResponse ::= SEQUENCE {
//!    tbsResponseData      ResponseData,
//!    signatureAlgorithm   AlgorithmIdentifier,
//!    signature            BIT STRING,
//!    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//! ResponseData ::= SEQUENCE {
//!    version              [0] EXPLICIT Version DEFAULT v1,
//!    responderID              ResponderID,
//!    producedAt               GeneralizedTime,
//!    responses                SEQUENCE OF SingleResponse,
//!    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//! ResponderID ::= CHOICE {
//!    byName   [1] Name,
//!    byKey    [2] KeyHash }
//! SingleResponse ::= SEQUENCE {
//!    certID                       CertID,
//!    certStatus                   CertStatus,
//!    thisUpdate                   GeneralizedTime,
//!    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
//!    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
//! CertStatus ::= CHOICE {
//!     good        [0]     IMPLICIT NULL,
//!     revoked     [1]     IMPLICIT RevokedInfo,
//!     unknown     [2]     IMPLICIT UnknownInfo }
//! RevokedInfo ::= SEQUENCE {
//!     revocationTime              GeneralizedTime,
//!     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
//! ```
//!
//! The OCSP ASN.1 module uses EXPLICIT tags by default, so ResponderID's
//! `[1]` and `[2]` wrap a whole Name and a whole OCTET STRING.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use der::{
    Decode, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, SliceReader, Tag,
    TagNumber, Tagged, Writer,
};
use x509_cert::spki::AlgorithmIdentifierRef;

use super::time::parse_generalized_time;

/// INTEGER contents kept as encoded, for serial numbers: compared byte for
/// byte with a certificate's, so nothing is normalised. DER's minimal form
/// is checked (X.690 §8.3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawInteger<'a>(pub(crate) &'a [u8]);

impl FixedTag for RawInteger<'_> {
    const TAG: Tag = Tag::Integer;
}

impl<'a> DecodeValue<'a> for RawInteger<'a> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_slice(header.length())?;
        if !is_minimal_integer(bytes) {
            return Err(reader.error(Tag::Integer.non_canonical_error()));
        }
        Ok(Self(bytes))
    }
}

impl EncodeValue for RawInteger<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}

/// Non-empty, and no redundant leading 0x00 or 0xff byte.
fn is_minimal_integer(bytes: &[u8]) -> bool {
    match bytes {
        [] => false,
        [0x00, next, ..] => *next >= 0x80,
        [0xff, next, ..] => *next < 0x80,
        _ => true,
    }
}

/// An ENUMERATED (OCSPResponseStatus, CRLReason), kept as encoded; its
/// value is read with [`RawEnumerated::value`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawEnumerated<'a>(&'a [u8]);

impl RawEnumerated<'_> {
    /// The value, if it is non-negative and fits in 32 bits.
    pub(crate) fn value(self) -> Option<u32> {
        let magnitude = match self.0 {
            [first, ..] if *first >= 0x80 => return None,
            [0x00, rest @ ..] => rest,
            all => all,
        };
        if magnitude.len() > 4 {
            return None;
        }
        Some(
            magnitude
                .iter()
                .fold(0u32, |acc, &b| acc << 8 | u32::from(b)),
        )
    }
}

impl FixedTag for RawEnumerated<'_> {
    const TAG: Tag = Tag::Enumerated;
}

impl<'a> DecodeValue<'a> for RawEnumerated<'a> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_slice(header.length())?;
        if !is_minimal_integer(bytes) {
            return Err(reader.error(Tag::Enumerated.non_canonical_error()));
        }
        Ok(Self(bytes))
    }
}

impl EncodeValue for RawEnumerated<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}

/// A GeneralizedTime, checked and read as seconds since the Unix epoch
/// when decoded (see [`super::time`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Time<'a> {
    raw: &'a [u8],
    pub(crate) unix: u64,
}

impl FixedTag for Time<'_> {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for Time<'a> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let raw = reader.read_slice(header.length())?;
        match parse_generalized_time(raw) {
            Some(unix) => Ok(Self { raw, unix }),
            None => Err(reader.error(Tag::GeneralizedTime.value_error())),
        }
    }
}

impl EncodeValue for Time<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.raw.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.raw)
    }
}

/// OCSPResponse.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct OcspResponseDer<'a> {
    pub(crate) response_status: RawEnumerated<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) response_bytes: Option<ResponseBytesDer<'a>>,
}

/// ResponseBytes.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ResponseBytesDer<'a> {
    pub(crate) response_type: ObjectIdentifier,
    pub(crate) response: &'a OctetStringRef,
}

/// BasicOCSPResponse, with the signed part and the signature algorithm
/// kept as their exact encodings (the signature covers those bytes, and
/// [`crate::pki::verify_signature`] takes the AlgorithmIdentifier whole).
pub(crate) struct BasicResponseDer<'a> {
    pub(crate) tbs_response_data: &'a [u8],
    pub(crate) signature_algorithm: &'a [u8],
    pub(crate) signature: &'a [u8],
    /// Each certificate's whole DER, unparsed: most responses are signed by
    /// the issuer and never need them.
    pub(crate) certs: Vec<&'a [u8]>,
}

impl<'a> BasicResponseDer<'a> {
    pub(crate) fn parse(der: &'a [u8]) -> der::Result<Self> {
        let outer = AnyRef::from_der(der)?;
        let mut fields = sequence_contents(outer)?;
        let tbs_response_data = fields.tlv_bytes()?;
        let signature_algorithm = fields.tlv_bytes()?;
        // Both are checked here so that a bad one is a parse error.
        AlgorithmIdentifierRef::from_der(signature_algorithm)?;
        let signature = BitStringRef::decode(&mut fields)?
            .as_bytes()
            .ok_or_else(|| der::Error::from(Tag::BitString.value_error()))?;
        let mut certs = Vec::new();
        if let Some(list) = explicit(&mut fields, 0)? {
            let mut list = sequence_contents(list)?;
            while !list.is_finished() {
                let cert = list.tlv_bytes()?;
                // Certificate ::= SEQUENCE; the rest is checked only if the
                // certificate is needed.
                if cert.first() != Some(&0x30) {
                    return Err(Tag::Sequence.value_error().into());
                }
                certs.push(cert);
            }
        }
        fields.finish()?;
        Ok(Self {
            tbs_response_data,
            signature_algorithm,
            signature,
            certs,
        })
    }
}

/// ResponseData. The ResponderID is a CHOICE of EXPLICIT-tagged
/// alternatives, read from [`AnyRef`] by [`ResponseDataDer::responder_id`].
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ResponseDataDer<'a> {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) version: Option<RawInteger<'a>>,
    pub(crate) responder_id: AnyRef<'a>,
    pub(crate) produced_at: Time<'a>,
    pub(crate) responses: Vec<SingleResponseDer<'a>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) response_extensions: Option<Vec<ExtensionDer<'a>>>,
}

/// The two forms of ResponderID, borrowed.
pub(crate) enum ResponderIdDer<'a> {
    /// byName: the Name's whole DER.
    ByName(&'a [u8]),
    /// byKey: the SHA-1 of the responder's public key bits.
    ByKey(&'a [u8]),
}

impl<'a> ResponseDataDer<'a> {
    /// Reads the ResponderID CHOICE: `[1]` wraps a Name (a SEQUENCE),
    /// `[2]` an OCTET STRING.
    pub(crate) fn responder_id(&self) -> der::Result<ResponderIdDer<'a>> {
        let id = self.responder_id;
        let inner = AnyRef::from_der(id.value())?;
        match id.tag() {
            Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(1),
            } if inner.tag() == Tag::Sequence => Ok(ResponderIdDer::ByName(id.value())),
            Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(2),
            } => Ok(ResponderIdDer::ByKey(
                inner.decode_as::<&OctetStringRef>()?.as_bytes(),
            )),
            tag => Err(tag.unexpected_error(None).into()),
        }
    }
}

/// SingleResponse. CertStatus is an IMPLICIT-tagged CHOICE, read from
/// [`AnyRef`] by [`SingleResponseDer::cert_status`].
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SingleResponseDer<'a> {
    pub(crate) cert_id: CertIdDer<'a>,
    pub(crate) cert_status: AnyRef<'a>,
    pub(crate) this_update: Time<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) next_update: Option<Time<'a>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) single_extensions: Option<Vec<ExtensionDer<'a>>>,
}

/// The three CertStatus alternatives, borrowed.
pub(crate) enum CertStatusDer<'a> {
    Good,
    Revoked(RevokedInfoDer<'a>),
    Unknown,
}

impl<'a> SingleResponseDer<'a> {
    /// Reads the CertStatus CHOICE: `[0]` and `[2]` are an IMPLICIT NULL
    /// (UnknownInfo ::= NULL), so primitive and empty; `[1]` is an IMPLICIT
    /// RevokedInfo, so constructed, holding RevokedInfo's fields.
    pub(crate) fn cert_status(&self) -> der::Result<CertStatusDer<'a>> {
        let status = self.cert_status;
        let context = |number, constructed| Tag::ContextSpecific {
            constructed,
            number: TagNumber(number),
        };
        let tag = status.tag();
        if tag == context(0, false) && status.value().is_empty() {
            Ok(CertStatusDer::Good)
        } else if tag == context(2, false) && status.value().is_empty() {
            Ok(CertStatusDer::Unknown)
        } else if tag == context(1, true) {
            let mut reader = SliceReader::new(status.value())?;
            let header = Header::new(Tag::Sequence, Length::try_from(status.value().len())?);
            let info = RevokedInfoDer::decode_value(&mut reader, header)?;
            reader.finish()?;
            Ok(CertStatusDer::Revoked(info))
        } else {
            Err(tag.unexpected_error(None).into())
        }
    }
}

/// RevokedInfo.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct RevokedInfoDer<'a> {
    pub(crate) revocation_time: Time<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) revocation_reason: Option<RawEnumerated<'a>>,
}

/// CertID (RFC 6960 §4.1.1).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct CertIdDer<'a> {
    pub(crate) hash_algorithm: AlgorithmIdentifierRef<'a>,
    pub(crate) issuer_name_hash: &'a OctetStringRef,
    pub(crate) issuer_key_hash: &'a OctetStringRef,
    pub(crate) serial_number: RawInteger<'a>,
}

/// Extension (RFC 5280 §4.1), borrowed.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ExtensionDer<'a> {
    pub(crate) extn_id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    pub(crate) critical: bool,
    pub(crate) extn_value: &'a OctetStringRef,
}

/// A reader over the contents of a SEQUENCE.
fn sequence_contents(any: AnyRef<'_>) -> der::Result<SliceReader<'_>> {
    if any.tag() != Tag::Sequence {
        return Err(any.tag().unexpected_error(Some(Tag::Sequence)).into());
    }
    SliceReader::new(any.value())
}

/// The TLV inside an `[n] EXPLICIT` field, if it comes next.
fn explicit<'a>(reader: &mut SliceReader<'a>, number: u8) -> der::Result<Option<AnyRef<'a>>> {
    // Context-specific, constructed, low tag number.
    if reader.peek_byte() != Some(0xa0 | number) {
        return Ok(None);
    }
    let wrapper = AnyRef::decode(reader)?;
    AnyRef::from_der(wrapper.value()).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_integers() {
        assert!(is_minimal_integer(&[0x00]));
        assert!(is_minimal_integer(&[0x00, 0x80]));
        assert!(is_minimal_integer(&[0x10, 0x01]));
        assert!(is_minimal_integer(&[0xff]));
        assert!(!is_minimal_integer(&[]));
        assert!(!is_minimal_integer(&[0x00, 0x7f]));
        assert!(!is_minimal_integer(&[0xff, 0x80]));
    }

    #[test]
    fn enumerated_values() {
        assert_eq!(RawEnumerated(&[0x00]).value(), Some(0));
        assert_eq!(RawEnumerated(&[0x06]).value(), Some(6));
        assert_eq!(RawEnumerated(&[0x00, 0x80]).value(), Some(128));
        assert_eq!(
            RawEnumerated(&[0x7f, 0xff, 0xff, 0xff]).value(),
            Some(i32::MAX as u32)
        );
        assert_eq!(
            RawEnumerated(&[0x00, 0xff, 0xff, 0xff, 0xff]).value(),
            Some(u32::MAX)
        );
        assert_eq!(RawEnumerated(&[0x01, 0x00, 0x00, 0x00, 0x00]).value(), None);
        assert_eq!(RawEnumerated(&[0x80]).value(), None);
    }
}
