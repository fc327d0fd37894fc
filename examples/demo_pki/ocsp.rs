//! The demo CA's OCSP side: it reads a DER OCSPRequest (RFC 6960 §4.1.1)
//! and signs a fresh response for it (§4.2.1): "good" for the demo leaf,
//! `unauthorized` for any other certificate, `malformedRequest` for bytes
//! that are not a request. The CA signs its responses itself, so no
//! delegated responder certificate is needed (§4.2.2.2).

use der::asn1::{BitString, GeneralizedTime, Null, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Enumerated, Sequence};
use ring::digest::{digest, Algorithm, SHA1_FOR_LEGACY_USE_ONLY, SHA256};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair};
use std::fmt;
use std::time::Duration;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::AlgorithmIdentifier;

use super::{ecdsa_with_sha256, octets, sha1, sign};

const OID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-pkix-ocsp-nonce (RFC 6960 §4.4.1, RFC 8954).
const OID_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");

/// The demo CA as an OCSP responder for its one leaf.
pub struct OcspSigner {
    ca_key: EcdsaKeyPair,
    /// The CA's subject Name, DER, and its public key bits: what a CertID's
    /// two hashes are taken over (RFC 6960 §4.1.1).
    ca_name_der: Vec<u8>,
    ca_key_bits: Vec<u8>,
    leaf_serial: SerialNumber,
    rng: SystemRandom,
}

/// A response made by [`OcspSigner::answer`], and what it says.
pub struct OcspAnswer {
    /// The DER OCSPResponse.
    pub der: Vec<u8>,
    /// What it says, for the log.
    pub outcome: OcspOutcome,
}

/// What an [`OcspAnswer`] says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OcspOutcome {
    /// successful: "good" for the demo leaf; `nonce` when the request's
    /// nonce is echoed.
    Good { nonce: bool },
    /// unauthorized (6): the request names another certificate.
    Unauthorized(String),
    /// malformedRequest (1): not a DER OCSPRequest.
    Malformed(String),
}

impl fmt::Display for OcspOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Good { nonce: false } => f.write_str("good"),
            Self::Good { nonce: true } => f.write_str("good (nonce echoed)"),
            Self::Unauthorized(why) => write!(f, "unauthorized: {why}"),
            Self::Malformed(why) => write!(f, "malformedRequest: {why}"),
        }
    }
}

impl OcspSigner {
    /// The CA named `ca_name` with key `ca_key`, answering for the leaf
    /// whose serial number is `leaf_serial`.
    pub(super) fn new(
        ca_name: &Name,
        ca_key: EcdsaKeyPair,
        leaf_serial: SerialNumber,
        rng: SystemRandom,
    ) -> Self {
        Self {
            ca_name_der: ca_name.to_der().expect("a name encodes"),
            ca_key_bits: ca_key.public_key().as_ref().to_vec(),
            ca_key,
            leaf_serial,
            rng,
        }
    }

    /// A "good" response for the leaf's SHA-1 CertID, fresh from `now_unix`
    /// for `validity`, without extensions: what a responder pre-signs for
    /// RFC 5019 clients.
    pub fn good_response(&self, now_unix: u64, validity: Duration) -> Vec<u8> {
        let cert_id = CertId {
            hash_algorithm: AlgorithmIdentifier {
                oid: OID_SHA1,
                parameters: Some(Any::null()),
            },
            issuer_name_hash: octets(&sha1(&self.ca_name_der)),
            issuer_key_hash: octets(&sha1(&self.ca_key_bits)),
            serial_number: self.leaf_serial.clone(),
        };
        self.sign_good(vec![cert_id], None, now_unix, validity)
    }

    /// Answers the DER OCSPRequest `request`: when every certificate it
    /// asks about is the demo leaf, "good" for each, fresh from `now_unix`
    /// for `validity`, echoing the request's nonce if it sent one (RFC 8954
    /// §2.2); otherwise an unsigned error response (RFC 6960 §2.3).
    pub fn answer(&self, request: &[u8], now_unix: u64, validity: Duration) -> OcspAnswer {
        let request = match OcspRequest::from_der(request) {
            Ok(request) => request,
            Err(e) => return error_answer(OcspOutcome::Malformed(e.to_string())),
        };
        let tbs = request.tbs_request;
        // Version v1 (0) is the only one defined; DER leaves it out.
        if tbs.version.is_some_and(|v| v != 0) || tbs.request_list.is_empty() {
            let why = "not a v1 request for at least one certificate".to_owned();
            return error_answer(OcspOutcome::Malformed(why));
        }
        let mut cert_ids = Vec::with_capacity(tbs.request_list.len());
        for single in tbs.request_list {
            if let Err(why) = self.check_names_leaf(&single.req_cert) {
                return error_answer(OcspOutcome::Unauthorized(why));
            }
            // The response names the certificate exactly as asked, so the
            // client finds its CertID under its own hash algorithm.
            cert_ids.push(single.req_cert);
        }
        let nonce = tbs
            .request_extensions
            .unwrap_or_default()
            .into_iter()
            .find(|e| e.extn_id == OID_OCSP_NONCE)
            .map(|e| Extension {
                critical: false,
                ..e
            });
        let echoed = nonce.is_some();
        OcspAnswer {
            der: self.sign_good(cert_ids, nonce, now_unix, validity),
            outcome: OcspOutcome::Good { nonce: echoed },
        }
    }

    /// Whether `id` names the demo leaf under its own hash algorithm
    /// (SHA-1, as RFC 5019 asks, or SHA-256); `Err` says why not.
    fn check_names_leaf(&self, id: &CertId) -> Result<(), String> {
        let algorithm: &Algorithm = match id.hash_algorithm.oid {
            OID_SHA1 => &SHA1_FOR_LEGACY_USE_ONLY,
            OID_SHA256 => &SHA256,
            other => return Err(format!("CertID hash algorithm {other} not supported")),
        };
        let name_hash = digest(algorithm, &self.ca_name_der);
        let key_hash = digest(algorithm, &self.ca_key_bits);
        if id.issuer_name_hash.as_bytes() != name_hash.as_ref()
            || id.issuer_key_hash.as_bytes() != key_hash.as_ref()
        {
            return Err("the CertID names another issuer".into());
        }
        if id.serial_number != self.leaf_serial {
            return Err("the CertID names another serial number".into());
        }
        Ok(())
    }

    fn sign_good(
        &self,
        cert_ids: Vec<CertId>,
        nonce: Option<Extension>,
        now_unix: u64,
        validity: Duration,
    ) -> Vec<u8> {
        let now = Duration::from_secs(now_unix);
        let generalized = |t: Duration| GeneralizedTime::from_unix_duration(t).expect("a date");
        let responses = cert_ids
            .into_iter()
            .map(|cert_id| SingleResponse {
                cert_id,
                cert_status_good: Null,
                this_update: generalized(now),
                next_update: Some(generalized(now + validity)),
            })
            .collect();
        let tbs_response_data = ResponseData {
            responder_id_by_key: octets(&sha1(&self.ca_key_bits)),
            produced_at: generalized(now),
            responses,
            response_extensions: nonce.map(|n| vec![n]),
        };
        let tbs_der = tbs_response_data.to_der().expect("ResponseData encodes");
        let basic = BasicOcspResponse {
            tbs_response_data,
            signature_algorithm: ecdsa_with_sha256(),
            signature: sign(&self.ca_key, &tbs_der, &self.rng),
        };
        OcspResponse {
            response_status: OcspResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: OID_OCSP_BASIC,
                response: OctetString::new(basic.to_der().expect("BasicOCSPResponse encodes"))
                    .expect("a short response"),
            }),
        }
        .to_der()
        .expect("OCSPResponse encodes")
    }
}

/// An unsigned OCSPResponse carrying only an error status (RFC 6960
/// §4.2.1: responseBytes are absent unless the status is successful).
fn error_answer(outcome: OcspOutcome) -> OcspAnswer {
    let response_status = match outcome {
        OcspOutcome::Unauthorized(_) => OcspResponseStatus::Unauthorized,
        _ => OcspResponseStatus::MalformedRequest,
    };
    let der = OcspResponse {
        response_status,
        response_bytes: None,
    }
    .to_der()
    .expect("OCSPResponse encodes");
    OcspAnswer { der, outcome }
}

/// OCSPRequest (RFC 6960 §4.1.1). A signature, if any, is not checked:
/// the demo responder answers anyone.
#[derive(Sequence)]
struct OcspRequest {
    tbs_request: TbsRequest,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    optional_signature: Option<Any>,
}

/// TBSRequest; `version` is `[0] EXPLICIT Version DEFAULT v1`, absent in
/// DER when it is v1.
#[derive(Sequence)]
struct TbsRequest {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u8>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    requestor_name: Option<Any>,
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    request_extensions: Option<Vec<Extension>>,
}

/// Request: one certificate asked about.
#[derive(Sequence)]
struct Request {
    req_cert: CertId,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    single_request_extensions: Option<Vec<Extension>>,
}

/// OCSPResponse (RFC 6960 §4.2.1).
#[derive(Sequence)]
struct OcspResponse {
    response_status: OcspResponseStatus,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    response_bytes: Option<ResponseBytes>,
}

/// OCSPResponseStatus ::= ENUMERATED; the values this module sends.
#[derive(Clone, Copy, Debug, Enumerated)]
#[repr(u32)]
enum OcspResponseStatus {
    Successful = 0,
    MalformedRequest = 1,
    Unauthorized = 6,
}

/// ResponseBytes ::= SEQUENCE { responseType OID, response OCTET STRING }
#[derive(Sequence)]
struct ResponseBytes {
    response_type: ObjectIdentifier,
    response: OctetString,
}

/// BasicOCSPResponse, without the optional `certs` (the CA signs itself,
/// so the client needs no extra certificate to check the signature).
#[derive(Sequence)]
struct BasicOcspResponse {
    tbs_response_data: ResponseData,
    signature_algorithm: AlgorithmIdentifier,
    signature: BitString,
}

/// ResponseData with the version left out (v1 is the DEFAULT, which DER
/// omits) and the responderID given byKey: `[2] EXPLICIT KeyHash` (the
/// OCSP module uses explicit tagging), KeyHash being the SHA-1 of the
/// responder's subjectPublicKey bits.
#[derive(Sequence)]
struct ResponseData {
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    responder_id_by_key: OctetString,
    produced_at: GeneralizedTime,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    response_extensions: Option<Vec<Extension>>,
}

/// SingleResponse with certStatus `good [0] IMPLICIT NULL`, the only status
/// this module issues.
#[derive(Sequence)]
struct SingleResponse {
    cert_id: CertId,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    cert_status_good: Null,
    this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    next_update: Option<GeneralizedTime>,
}

/// CertID (RFC 6960 §4.1.1).
#[derive(Clone, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifier,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: SerialNumber,
}
