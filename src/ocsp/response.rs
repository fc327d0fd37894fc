//! [`OcspResponse`]: a parsed OCSP response (RFC 6960 §4.2.1), owning its
//! bytes, with the fields a stapler and a staple cache need.

use core::fmt;

use bytes::Bytes;
use der::asn1::OctetStringRef;
use der::Decode;

use crate::pki::Certificate;

use super::asn1::{
    BasicResponseDer, CertIdDer, CertStatusDer, OcspResponseDer, ResponderIdDer, ResponseDataDer,
    SingleResponseDer,
};
use super::cert_id::CertId;
use super::error::{OcspError, ResponsePart};
use super::hash::HashAlgorithm;
use super::oids;
use super::status::ResponseStatus;

/// The largest OCSP response TLS 1.3 can staple, in bytes: 65,527.
///
/// The staple travels in the status_request extension of the leaf's
/// CertificateEntry (RFC 8446 §4.4.2.1), whose `Extension
/// extensions<0..2^16-1>` block holds the whole extension: its 2-byte
/// extension_type and 2-byte extension_data length, then extension_data,
/// which is a CertificateStatus (RFC 6066 §8): a 1-byte status_type and
/// the response behind a 3-byte length. The server puts no other extension
/// in that block, so the response gets 65,535 − 4 − 4 bytes. (The
/// extension_data bound alone, 65,535 − 4, is not the tighter one.)
pub const MAX_STAPLE_LEN_TLS13: usize = 0xffff - (2 + 2) - (1 + 3);

/// The largest OCSP response TLS 1.2 can staple, in bytes: 16,777,211.
///
/// The staple is the body of a CertificateStatus handshake message
/// (RFC 6066 §8), whose length is a u24 (RFC 5246 §7.4): a 1-byte
/// status_type and the response behind a 3-byte length, so the response
/// gets 2^24 − 1 − 4 bytes.
pub const MAX_STAPLE_LEN_TLS12: usize = 0x00ff_ffff - (1 + 3);

/// The largest response [`OcspResponse::parse`] accepts, in bytes:
/// [`MAX_STAPLE_LEN_TLS13`], so that whatever parses can be stapled in
/// either version. The bound also caps the work one parse can be made to
/// do.
pub const MAX_RESPONSE_LEN: usize = MAX_STAPLE_LEN_TLS13;

/// Who signed a response, as its ResponderID says (RFC 6960 §4.2.1).
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum ResponderId {
    /// byName: the responder certificate's subject Name, DER.
    ByName(Bytes),
    /// byKey: the SHA-1 hash of the responder's public key bits (the
    /// subjectPublicKey BIT STRING contents).
    ByKey(Bytes),
}

impl ResponderId {
    /// Whether this ResponderID names `cert`: by its subject Name, byte for
    /// byte, or by the SHA-1 of its public key.
    pub fn matches(&self, cert: &Certificate) -> bool {
        self.matches_parts(cert.subject(), cert.public_key())
    }

    /// [`ResponderId::matches`] given a certificate's subject Name DER and
    /// public key bits.
    pub(crate) fn matches_parts(&self, subject: &[u8], public_key: &[u8]) -> bool {
        match self {
            Self::ByName(name) => name.as_ref() == subject,
            Self::ByKey(hash) => hash.as_ref() == HashAlgorithm::Sha1.digest(public_key).as_ref(),
        }
    }
}

impl fmt::Debug for ResponderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (form, bytes) = match self {
            Self::ByName(name) => ("ByName", name),
            Self::ByKey(hash) => ("ByKey", hash),
        };
        write!(f, "{form}(")?;
        bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
        f.write_str(")")
    }
}

/// CRLReason (RFC 5280 §5.3.1): why a certificate was revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RevocationReason {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
    /// removeFromCRL (8).
    RemoveFromCrl,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// aACompromise (10).
    AaCompromise,
    /// A value RFC 5280 does not define (7 is unused). Kept rather than
    /// refused: the certificate is revoked whatever the reason says.
    Unrecognized(u32),
}

impl RevocationReason {
    fn from_value(value: u32) -> Self {
        match value {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            other => Self::Unrecognized(other),
        }
    }
}

/// A certificate's status (RFC 6960 §4.2.1, §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertStatus {
    /// good: not revoked (at least, as far as the responder knows).
    Good,
    /// revoked, since `time`, for `reason` if the responder said.
    Revoked {
        /// revocationTime, seconds since the Unix epoch.
        time: u64,
        /// revocationReason, if present.
        reason: Option<RevocationReason>,
    },
    /// unknown: the responder does not know the certificate.
    Unknown,
}

/// One SingleResponse: the status of one certificate (RFC 6960 §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleResponse {
    cert_id: Option<CertId>,
    status: CertStatus,
    this_update: u64,
    next_update: Option<u64>,
}

impl SingleResponse {
    /// The certificate this is about; `None` when its CertID uses a hash
    /// algorithm stapler does not compute (see [`HashAlgorithm`]), so it
    /// can never match.
    pub fn cert_id(&self) -> Option<&CertId> {
        self.cert_id.as_ref()
    }

    /// The certificate's status.
    pub fn status(&self) -> CertStatus {
        self.status
    }

    /// thisUpdate: when the status was known to be correct, seconds since
    /// the Unix epoch.
    pub fn this_update(&self) -> u64 {
        self.this_update
    }

    /// nextUpdate: when newer information will be available, seconds since
    /// the Unix epoch; `None` if the responder did not say (RFC 6960
    /// §4.2.2.1: newer information is always available).
    pub fn next_update(&self) -> Option<u64> {
        self.next_update
    }
}

/// A successful OCSP response, parsed: a BasicOCSPResponse (RFC 6960
/// §4.2.1) and the bytes it came from, shared (slices of one [`Bytes`],
/// never copied).
///
/// Parsing checks the structure only. [`OcspResponse::verify`] says
/// whether the response is about a given certificate, signed by someone
/// entitled to, fresh and, if a nonce was sent, an answer to that request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspResponse {
    der: Bytes,
    tbs_response_data: Bytes,
    signature_algorithm: Bytes,
    signature: Bytes,
    certs: Vec<Bytes>,
    responder_id: ResponderId,
    produced_at: u64,
    responses: Vec<SingleResponse>,
    nonce: Option<Bytes>,
}

impl OcspResponse {
    /// Parses the DER of an OCSPResponse.
    ///
    /// Errors: [`OcspError::TooLarge`] past [`MAX_RESPONSE_LEN`];
    /// [`OcspError::Unsuccessful`] naming the status when the responder
    /// sent an error instead of a response; [`OcspError::
    /// UnsupportedResponseType`] for anything but a BasicOCSPResponse;
    /// [`OcspError::Malformed`] for bytes that are not DER of the right
    /// shape, including trailing bytes; [`OcspError::CertIdHashLength`] for
    /// a CertID whose hashes are not its own algorithm's length.
    pub fn parse(der: impl Into<Bytes>) -> Result<Self, OcspError> {
        let der = der.into();
        if der.len() > MAX_RESPONSE_LEN {
            return Err(OcspError::TooLarge(der.len()));
        }
        let outer = OcspResponseDer::from_der(&der)
            .map_err(|_| OcspError::Malformed(ResponsePart::OcspResponse))?;
        let status = outer.response_status.value().map_or(
            ResponseStatus::Unrecognized(u32::MAX),
            ResponseStatus::from_value,
        );
        if status != ResponseStatus::Successful {
            return Err(OcspError::Unsuccessful(status));
        }
        // A successful response must carry its bytes (RFC 6960 §4.2.1).
        let response_bytes = outer
            .response_bytes
            .ok_or(OcspError::Malformed(ResponsePart::OcspResponse))?;
        if response_bytes.response_type != oids::ID_PKIX_OCSP_BASIC {
            return Err(OcspError::UnsupportedResponseType(
                response_bytes.response_type,
            ));
        }

        let basic = BasicResponseDer::parse(response_bytes.response.as_bytes())
            .map_err(|_| OcspError::Malformed(ResponsePart::BasicResponse))?;
        let data = ResponseDataDer::from_der(basic.tbs_response_data)
            .map_err(|_| OcspError::Malformed(ResponsePart::ResponseData))?;
        // v1 is the only version (RFC 6960 §4.2.1).
        if data.version.is_some_and(|v| v.0 != [0]) {
            return Err(OcspError::Malformed(ResponsePart::ResponseData));
        }

        let share = |part: &[u8]| shared_slice(&der, part);
        let responder_id = match data
            .responder_id()
            .map_err(|_| OcspError::Malformed(ResponsePart::ResponderId))?
        {
            ResponderIdDer::ByName(name) => ResponderId::ByName(share(name)?),
            ResponderIdDer::ByKey(hash) => ResponderId::ByKey(share(hash)?),
        };
        let responses = data
            .responses
            .iter()
            .map(|single| single_response(single, &share))
            .collect::<Result<Vec<_>, _>>()?;
        let nonce = nonce(
            data.response_extensions.as_deref().unwrap_or_default(),
            &share,
        )?;

        Ok(Self {
            tbs_response_data: share(basic.tbs_response_data)?,
            signature_algorithm: share(basic.signature_algorithm)?,
            signature: share(basic.signature)?,
            certs: basic
                .certs
                .iter()
                .map(|cert| share(cert))
                .collect::<Result<_, _>>()?,
            responder_id,
            produced_at: data.produced_at.unix,
            responses,
            nonce,
            der,
        })
    }

    /// The whole response, DER: what to staple.
    pub fn der(&self) -> &Bytes {
        &self.der
    }

    /// The ResponderID: who signed the response.
    pub fn responder_id(&self) -> &ResponderId {
        &self.responder_id
    }

    /// producedAt: when the response was signed, seconds since the Unix
    /// epoch.
    pub fn produced_at(&self) -> u64 {
        self.produced_at
    }

    /// Every SingleResponse, in order.
    pub fn responses(&self) -> &[SingleResponse] {
        &self.responses
    }

    /// The nonce the responder echoed (id-pkix-ocsp-nonce in
    /// responseExtensions), if any: the contents of the OCTET STRING in its
    /// extnValue (RFC 8954 §2.1), or, from an older responder that put the
    /// bytes there bare, the whole extnValue.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// tbsResponseData, DER: the bytes the signature covers.
    pub fn tbs_response_data(&self) -> &[u8] {
        &self.tbs_response_data
    }

    /// signatureAlgorithm: the whole AlgorithmIdentifier, DER.
    pub fn signature_algorithm(&self) -> &[u8] {
        &self.signature_algorithm
    }

    /// The signature: the contents of the signature BIT STRING.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The certificates included to help check the signature (`certs`),
    /// each a whole DER certificate, unparsed.
    pub fn certificates(&self) -> &[Bytes] {
        &self.certs
    }

    /// The SingleResponse about `leaf`, issued by `issuer`: the first whose
    /// CertID has `leaf`'s serial number and `issuer`'s name and key hashes
    /// computed with that CertID's own hash algorithm, so a SHA-256 CertID
    /// matches as well as a SHA-1 one.
    pub fn find(&self, leaf: &Certificate, issuer: &Certificate) -> Option<&SingleResponse> {
        self.responses.iter().find(|single| {
            single
                .cert_id
                .as_ref()
                .is_some_and(|id| id.names(leaf, issuer))
        })
    }
}

/// One SingleResponse, owned.
fn single_response(
    single: &SingleResponseDer<'_>,
    share: &impl Fn(&[u8]) -> Result<Bytes, OcspError>,
) -> Result<SingleResponse, OcspError> {
    let malformed = |_| OcspError::Malformed(ResponsePart::SingleResponse);
    let status = match single.cert_status().map_err(malformed)? {
        CertStatusDer::Good => CertStatus::Good,
        CertStatusDer::Unknown => CertStatus::Unknown,
        CertStatusDer::Revoked(info) => CertStatus::Revoked {
            time: info.revocation_time.unix,
            reason: match info.revocation_reason {
                Some(reason) => Some(RevocationReason::from_value(
                    reason
                        .value()
                        .ok_or(OcspError::Malformed(ResponsePart::SingleResponse))?,
                )),
                None => None,
            },
        },
    };
    Ok(SingleResponse {
        cert_id: cert_id(&single.cert_id, share)?,
        status,
        this_update: single.this_update.unix,
        next_update: single.next_update.map(|time| time.unix),
    })
}

/// A response's CertID, when its hash algorithm is one stapler computes.
///
/// A CertID under any other algorithm is kept as `None` rather than
/// refused: RFC 6960 §4.2.1 lets one response carry SingleResponses about
/// several certificates, and one hashed with an algorithm stapler does not
/// know (so whose hash lengths it cannot check either) says nothing wrong
/// about the others. [`OcspResponse::find`] and `verify` skip it, so it can
/// never be taken for the certificate asked about.
fn cert_id(
    der: &CertIdDer<'_>,
    share: &impl Fn(&[u8]) -> Result<Bytes, OcspError>,
) -> Result<Option<CertId>, OcspError> {
    // Parameters, when present, must be NULL (RFC 5754 §2).
    if der.hash_algorithm.parameters.is_some_and(|p| !p.is_null()) {
        return Err(OcspError::Malformed(ResponsePart::SingleResponse));
    }
    let Some(hash) = HashAlgorithm::from_oid(der.hash_algorithm.oid) else {
        return Ok(None);
    };
    // issuerNameHash and issuerKeyHash are digests made with hashAlgorithm
    // (RFC 6960 §4.1.1), so each is exactly its output long. A CertID that
    // names SHA-512 over 20-byte hashes is a broken responder's (or a
    // forger's), and a CertId must never claim an algorithm its bytes do
    // not fit.
    let name_hash = der.issuer_name_hash.as_bytes();
    let key_hash = der.issuer_key_hash.as_bytes();
    if name_hash.len() != hash.output_len() || key_hash.len() != hash.output_len() {
        return Err(OcspError::CertIdHashLength {
            algorithm: hash,
            name_hash_len: name_hash.len(),
            key_hash_len: key_hash.len(),
        });
    }
    Ok(Some(CertId::from_parts(
        hash,
        share(name_hash)?,
        share(key_hash)?,
        share(der.serial_number.0)?,
    )))
}

/// The nonce among responseExtensions (see [`OcspResponse::nonce`]).
fn nonce(
    extensions: &[super::asn1::ExtensionDer<'_>],
    share: &impl Fn(&[u8]) -> Result<Bytes, OcspError>,
) -> Result<Option<Bytes>, OcspError> {
    let mut found = extensions
        .iter()
        .filter(|ext| ext.extn_id == oids::ID_PKIX_OCSP_NONCE);
    let Some(extension) = found.next() else {
        return Ok(None);
    };
    // An extension may appear only once (RFC 5280 §4.2).
    if found.next().is_some() {
        return Err(OcspError::Malformed(ResponsePart::Extension));
    }
    let value = extension.extn_value.as_bytes();
    let inner = <&OctetStringRef>::from_der(value).map_or(value, |octets| octets.as_bytes());
    share(inner).map(Some)
}

/// The part of `base` that `part` is, as a shared [`Bytes`]; `part` must
/// be borrowed from `base` (an error, never reached, if it is not).
fn shared_slice(base: &Bytes, part: &[u8]) -> Result<Bytes, OcspError> {
    crate::pki::shared_slice(base, part)
        .map_err(|_| OcspError::Malformed(ResponsePart::OcspResponse))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocsp::encode::{
        nested, tlv, INTEGER, NULL, OBJECT_IDENTIFIER, OCTET_STRING, SEQUENCE,
    };

    const GENERALIZED_TIME: u8 = 0x18;
    const THIS_UPDATE: &[u8] = b"20260101000000Z";

    /// An OCSPResponse around a BasicOCSPResponse with the given
    /// ResponseData contents (after the ResponderID and producedAt) and a
    /// dummy signature: parsing never checks it.
    fn response(version: Option<u8>, responses: &[Vec<u8>], extensions: Option<&[u8]>) -> Vec<u8> {
        let mut tbs = Vec::new();
        nested(&mut tbs, SEQUENCE, |data| {
            if let Some(v) = version {
                nested(data, 0xa0, |explicit| tlv(explicit, INTEGER, &[v]));
            }
            nested(data, 0xa2, |by_key| tlv(by_key, OCTET_STRING, &[0xab; 20]));
            tlv(data, GENERALIZED_TIME, THIS_UPDATE);
            nested(data, SEQUENCE, |list| {
                responses.iter().for_each(|r| list.extend(r))
            });
            if let Some(extensions) = extensions {
                nested(data, 0xa1, |explicit| tlv(explicit, SEQUENCE, extensions));
            }
        });
        let mut basic = Vec::new();
        nested(&mut basic, SEQUENCE, |basic| {
            basic.extend(&tbs);
            // ecdsa-with-SHA256
            nested(basic, SEQUENCE, |alg| {
                tlv(
                    alg,
                    OBJECT_IDENTIFIER,
                    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
                )
            });
            tlv(basic, 0x03, &[0x00, 0x30, 0x00]);
        });
        let mut out = Vec::new();
        nested(&mut out, SEQUENCE, |outer| {
            tlv(outer, 0x0a, &[0x00]);
            nested(outer, 0xa0, |explicit| {
                nested(explicit, SEQUENCE, |bytes| {
                    tlv(
                        bytes,
                        OBJECT_IDENTIFIER,
                        oids::ID_PKIX_OCSP_BASIC.as_bytes(),
                    );
                    tlv(bytes, OCTET_STRING, &basic);
                })
            });
        });
        out
    }

    /// A SingleResponse with the given hash OID and raw CertStatus TLV.
    fn single(hash: &[u8], status: &[u8]) -> Vec<u8> {
        single_with_hashes(hash, (20, 20), status)
    }

    /// [`single`] with issuerNameHash and issuerKeyHash of these lengths.
    fn single_with_hashes(hash: &[u8], lens: (usize, usize), status: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        nested(&mut out, SEQUENCE, |single| {
            nested(single, SEQUENCE, |cert_id| {
                nested(cert_id, SEQUENCE, |alg| {
                    tlv(alg, OBJECT_IDENTIFIER, hash);
                    alg.extend(NULL);
                });
                tlv(cert_id, OCTET_STRING, &vec![1; lens.0]);
                tlv(cert_id, OCTET_STRING, &vec![2; lens.1]);
                tlv(cert_id, INTEGER, &[0x10, 0x01]);
            });
            single.extend(status);
            tlv(single, GENERALIZED_TIME, THIS_UPDATE);
        });
        out
    }

    fn good() -> Vec<u8> {
        single(oids::SHA1.as_bytes(), &[0x80, 0x00])
    }

    fn nonce_extension(value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        nested(&mut out, SEQUENCE, |ext| {
            tlv(ext, OBJECT_IDENTIFIER, oids::ID_PKIX_OCSP_NONCE.as_bytes());
            tlv(ext, OCTET_STRING, value);
        });
        out
    }

    #[test]
    fn a_hand_made_response_parses() {
        let parsed = OcspResponse::parse(response(None, &[good()], None)).unwrap();
        assert_eq!(parsed.produced_at(), 1_767_225_600);
        assert_eq!(
            parsed.responder_id(),
            &ResponderId::ByKey(Bytes::from(vec![0xab; 20]))
        );
        let single = &parsed.responses()[0];
        assert_eq!(single.status(), CertStatus::Good);
        assert_eq!(single.this_update(), 1_767_225_600);
        assert_eq!(single.next_update(), None);
        let id = single.cert_id().unwrap();
        assert_eq!(
            (id.hash_algorithm(), id.serial_number()),
            (HashAlgorithm::Sha1, &[0x10, 0x01][..])
        );
        assert!(parsed.certificates().is_empty());
        assert_eq!(parsed.signature(), [0x30, 0x00]);
        // An explicit v1 is tolerated; any other version is not.
        assert!(OcspResponse::parse(response(Some(0), &[good()], None)).is_ok());
        assert_eq!(
            OcspResponse::parse(response(Some(1), &[good()], None)),
            Err(OcspError::Malformed(ResponsePart::ResponseData))
        );
    }

    #[test]
    fn statuses_and_reasons() {
        // revoked [1] IMPLICIT RevokedInfo { time, [0] EXPLICIT CRLReason }
        let mut revoked = Vec::new();
        nested(&mut revoked, 0xa1, |info| {
            tlv(info, GENERALIZED_TIME, b"20250101000000Z");
            nested(info, 0xa0, |reason| tlv(reason, 0x0a, &[0x07]));
        });
        let mut unknown_cause = Vec::new();
        nested(&mut unknown_cause, 0xa1, |info| {
            tlv(info, GENERALIZED_TIME, b"20250101000000Z")
        });
        let parsed = OcspResponse::parse(response(
            None,
            &[
                single(oids::SHA1.as_bytes(), &revoked),
                single(oids::SHA1.as_bytes(), &unknown_cause),
                single(oids::SHA1.as_bytes(), &[0x82, 0x00]),
            ],
            None,
        ))
        .unwrap();
        let statuses: Vec<_> = parsed
            .responses()
            .iter()
            .map(SingleResponse::status)
            .collect();
        assert_eq!(
            statuses,
            [
                CertStatus::Revoked {
                    time: 1_735_689_600,
                    reason: Some(RevocationReason::Unrecognized(7))
                },
                CertStatus::Revoked {
                    time: 1_735_689_600,
                    reason: None
                },
                CertStatus::Unknown,
            ]
        );
        // A status that is none of the three, or a NULL with contents.
        for status in [
            &[0x83, 0x00][..],
            &[0x80, 0x01, 0x00],
            &[0xa0, 0x00],
            &[0x05, 0x00],
        ] {
            assert_eq!(
                OcspResponse::parse(response(
                    None,
                    &[single(oids::SHA1.as_bytes(), status)],
                    None
                )),
                Err(OcspError::Malformed(ResponsePart::SingleResponse)),
                "{status:02x?}"
            );
        }
    }

    #[test]
    fn a_cert_id_with_another_hash_never_matches() {
        // MD5 (1.2.840.113549.2.5).
        let md5 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05];
        let parsed =
            OcspResponse::parse(response(None, &[single(&md5, &[0x80, 0x00])], None)).unwrap();
        assert_eq!(parsed.responses()[0].cert_id(), None);
    }

    #[test]
    fn cert_id_hashes_must_be_their_algorithms_length() {
        let is_good = [0x80, 0x00];
        for alg in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let oid = alg.oid();
            let n = alg.output_len();
            let ok = single_with_hashes(oid.as_bytes(), (n, n), &is_good);
            let parsed = OcspResponse::parse(response(None, &[ok], None)).unwrap();
            let id = parsed.responses()[0].cert_id().unwrap();
            assert_eq!(id.hash_algorithm(), alg);
            assert_eq!(
                (id.issuer_name_hash().len(), id.issuer_key_hash().len()),
                (n, n)
            );
            // One hash a byte short or long, both off, or one empty.
            for lens in [(n - 1, n), (n, n + 1), (n + 1, n - 1), (0, n), (n, 0)] {
                let bad = single_with_hashes(oid.as_bytes(), lens, &is_good);
                assert_eq!(
                    OcspResponse::parse(response(None, &[good(), bad], None)),
                    Err(OcspError::CertIdHashLength {
                        algorithm: alg,
                        name_hash_len: lens.0,
                        key_hash_len: lens.1,
                    }),
                    "{alg:?} {lens:?}"
                );
            }
        }
        // An unknown algorithm's hashes cannot be checked; its CertID is
        // kept as None, whatever their length.
        let md5 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05];
        let odd = single_with_hashes(&md5, (3, 70), &is_good);
        let parsed = OcspResponse::parse(response(None, &[odd], None)).unwrap();
        assert_eq!(parsed.responses()[0].cert_id(), None);
    }

    #[test]
    fn nonces_wrapped_bare_and_duplicated() {
        let wrapped = nonce_extension(&[0x04, 0x02, 0xaa, 0xbb]);
        let parsed = OcspResponse::parse(response(None, &[good()], Some(&wrapped))).unwrap();
        assert_eq!(parsed.nonce(), Some(&[0xaa, 0xbb][..]));
        // An older responder's bare nonce.
        let bare = nonce_extension(&[0xaa, 0xbb, 0xcc]);
        let parsed = OcspResponse::parse(response(None, &[good()], Some(&bare))).unwrap();
        assert_eq!(parsed.nonce(), Some(&[0xaa, 0xbb, 0xcc][..]));
        let twice = [wrapped.clone(), wrapped].concat();
        assert_eq!(
            OcspResponse::parse(response(None, &[good()], Some(&twice))),
            Err(OcspError::Malformed(ResponsePart::Extension))
        );
    }

    #[test]
    fn bad_responder_ids() {
        let der = response(None, &[good()], None);
        // byKey's [2] turned into [3].
        let at = der.windows(2).position(|w| w == [0xa2, 0x16]).unwrap();
        let mut bad = der.clone();
        bad[at] = 0xa3;
        assert_eq!(
            OcspResponse::parse(bad),
            Err(OcspError::Malformed(ResponsePart::ResponderId))
        );
    }
}
