//! [`OcspQuery`]: a DER OCSPRequest for one certificate (RFC 6960 §4.1.1),
//! ready to send by POST or GET.

use bytes::Bytes;

use super::cert_id::CertId;
use super::encode::{self, OBJECT_IDENTIFIER, OCTET_STRING, SEQUENCE};
use super::http;
use super::nonce::Nonce;
use super::oids;

/// `[2] EXPLICIT` (context-specific, constructed): TBSRequest's
/// requestExtensions.
const REQUEST_EXTENSIONS_TAG: u8 = 0xa2;

/// An OCSP request for one certificate, encoded once: the bytes to POST,
/// or to put in a GET URL. (It is named so as not to be confused with the
/// [`OcspRequest`](crate::OcspRequest) event, which asks the application
/// for a response.)
///
/// ```text
/// OCSPRequest ::= SEQUENCE {
///     tbsRequest              TBSRequest,
///     optionalSignature   [0] EXPLICIT Signature OPTIONAL }
/// TBSRequest ::= SEQUENCE {
///     version             [0] EXPLICIT Version DEFAULT v1,
///     requestorName       [1] EXPLICIT GeneralName OPTIONAL,
///     requestList             SEQUENCE OF Request,
///     requestExtensions   [2] EXPLICIT Extensions OPTIONAL }
/// Request ::= SEQUENCE {
///     reqCert                     CertID,
///     singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
/// ```
///
/// stapler sends the lightweight form of RFC 5019 §2.1: unsigned, v1 left
/// to its default, one Request, and no extension but an optional nonce.
/// The encoding is deterministic: the same CertID and nonce give the same
/// bytes, and without a nonce they are the bytes `openssl ocsp -no_nonce
/// -reqout` writes.
///
/// ```
/// use stapler::ocsp::{responder_urls, CertId, OcspQuery, OCSP_REQUEST_CONTENT_TYPE};
/// use stapler::pki::Certificate;
///
/// let leaf = Certificate::from_pem_chain(include_bytes!("../../tests/data/pki/leaf-ecdsa.crt"))?
///     .remove(0);
/// let issuer = Certificate::from_pem_chain(include_bytes!("../../tests/data/pki/root-ca.crt"))?
///     .remove(0);
///
/// let query = OcspQuery::new(CertId::sha1(&leaf, &issuer)?);
/// let responder = responder_urls(&leaf).next().expect("the leaf names a responder");
/// // POST `query.der()` with this content type, or GET this URL:
/// assert_eq!(OCSP_REQUEST_CONTENT_TYPE, "application/ocsp-request");
/// let url = query.get_url(responder).expect("a small request fits in a GET");
/// assert!(url.starts_with("http://127.0.0.1:8888/MEM"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspQuery {
    der: Bytes,
    cert_id: CertId,
    nonce: Option<Nonce>,
}

impl OcspQuery {
    /// A request for `cert_id`'s status, without a nonce: what RFC 5019
    /// §2.1 profiles, and what lets responders and HTTP caches answer from
    /// pre-signed responses.
    pub fn new(cert_id: CertId) -> Self {
        Self::build(cert_id, None)
    }

    /// A request for `cert_id`'s status carrying `nonce` in an
    /// id-pkix-ocsp-nonce request extension (RFC 8954 §2.1).
    pub fn with_nonce(cert_id: CertId, nonce: Nonce) -> Self {
        Self::build(cert_id, Some(nonce))
    }

    fn build(cert_id: CertId, nonce: Option<Nonce>) -> Self {
        let mut der = Vec::new();
        encode::nested(&mut der, SEQUENCE, |ocsp_request| {
            encode::nested(ocsp_request, SEQUENCE, |tbs_request| {
                // requestList: one Request holding the CertID.
                encode::nested(tbs_request, SEQUENCE, |request_list| {
                    encode::nested(request_list, SEQUENCE, |request| cert_id.encode(request));
                });
                if let Some(nonce) = &nonce {
                    encode::nested(tbs_request, REQUEST_EXTENSIONS_TAG, |explicit| {
                        encode::nested(explicit, SEQUENCE, |extensions| {
                            encode_nonce_extension(extensions, nonce);
                        });
                    });
                }
            });
        });
        Self {
            der: Bytes::from(der),
            cert_id,
            nonce,
        }
    }

    /// The DER OCSPRequest.
    pub fn der(&self) -> &Bytes {
        &self.der
    }

    /// The body of an HTTP POST to the responder (RFC 6960 Appendix A.1):
    /// the DER request, sent with the content type
    /// [`OCSP_REQUEST_CONTENT_TYPE`](super::OCSP_REQUEST_CONTENT_TYPE).
    pub fn post_body(&self) -> Bytes {
        self.der.clone()
    }

    /// The URL for an HTTP GET of this request from `responder_url` (RFC
    /// 6960 Appendix A.1, RFC 5019 §5): the responder URL, a `/` unless it
    /// already ends with one, then the base64 of the DER request,
    /// URL-escaped.
    ///
    /// `None` when that URL is longer than
    /// [`MAX_GET_URL_LEN`](super::MAX_GET_URL_LEN) bytes: RFC 5019 §5 has
    /// such requests POSTed. GET lets HTTP caches answer, which is why
    /// RFC 5019 wants it whenever the request fits.
    pub fn get_url(&self, responder_url: &str) -> Option<String> {
        http::get_url(responder_url, &self.der)
    }

    /// The CertID the request asks about.
    pub fn cert_id(&self) -> &CertId {
        &self.cert_id
    }

    /// The nonce the request carries, if any: hand it to
    /// [`VerifyOptions::nonce`](super::VerifyOptions::nonce) when checking
    /// the answer.
    pub fn nonce(&self) -> Option<&Nonce> {
        self.nonce.as_ref()
    }
}

/// The nonce Extension: `SEQUENCE { id-pkix-ocsp-nonce, extnValue }`, with
/// `critical` left to its default (false), and extnValue holding the DER of
/// an OCTET STRING of the nonce (RFC 8954 §2.1).
fn encode_nonce_extension(out: &mut Vec<u8>, nonce: &Nonce) {
    encode::nested(out, SEQUENCE, |extension| {
        encode::tlv(
            extension,
            OBJECT_IDENTIFIER,
            oids::ID_PKIX_OCSP_NONCE.as_bytes(),
        );
        encode::nested(extension, OCTET_STRING, |extn_value| {
            encode::tlv(extn_value, OCTET_STRING, nonce.as_bytes());
        });
    });
}
