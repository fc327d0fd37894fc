//! OCSP stapling: the event a connection raises and its answer, and the
//! toolkit to answer it well: build a request, read the response, and
//! check it before stapling it.
//!
//! - The event itself, [`OcspRequest`](crate::OcspRequest) (Node.js's
//!   `'OCSPRequest'`, made sans-IO) and the
//!   [`Completion`](crate::Completion) that answers it, belong to
//!   the connection and live at the crate root; what happened to the
//!   staple is an [`OcspOutcome`].
//! - Where to ask: [`responder_urls`] and [`ca_issuer_urls`] read the
//!   certificate's Authority Information Access (RFC 5280 §4.2.2.1).
//! - What to ask: [`CertId`] (RFC 6960 §4.1.1) and [`OcspQuery`], a DER
//!   OCSPRequest with an optional [`Nonce`], as a POST body or a GET URL
//!   (RFC 6960 Appendix A, RFC 5019 §5).
//! - What came back: [`OcspResponse::parse`] reads a BasicOCSPResponse,
//!   [`OcspResponse::verify`] checks it against the certificate, its
//!   issuer and a `now` the caller supplies, and returns a
//!   [`VerifiedStatus`] (status, thisUpdate, nextUpdate, who signed).
//!
//! stapler does no I/O: the application fetches. The whole exchange:
//!
//! ```
//! use stapler::ocsp::{CertId, CertStatus, OcspQuery, OcspResponse, VerifyOptions};
//! use stapler::pki::Certificate;
//!
//! let pem = |bytes: &[u8]| Certificate::from_pem_chain(bytes).map(|mut c| c.remove(0));
//! let leaf = pem(include_bytes!("../../tests/data/ocsp/leaf-good.crt"))?;
//! let issuer = pem(include_bytes!("../../tests/data/ocsp/ca.crt"))?;
//!
//! // Ask: POST `query.der()` to the responder (or GET `query.get_url(url)`).
//! let query = OcspQuery::new(CertId::sha1(&leaf, &issuer)?);
//! # let _ = query;
//!
//! // Check what came back, at a time the caller chooses.
//! let body = include_bytes!("../../tests/data/ocsp/good.der");
//! let response = OcspResponse::parse(&body[..])?;
//! let now = response.produced_at() + 3600;
//! let verified = response.verify(&leaf, &issuer, now, &VerifyOptions::new())?;
//! assert_eq!(verified.status, CertStatus::Good);
//! // Staple `response.der()`; refresh before `verified.valid_until`.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// The crate denies indexing, unwrapping and panics everywhere (lib.rs);
// here, where DER lengths and times are added up, unchecked arithmetic too.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

mod asn1;
mod cache;
mod cert_id;
mod encode;
mod error;
mod hash;
mod http;
mod nonce;
mod oids;
mod policy;
mod request;
mod responder;
mod response;
mod status;
mod time;
mod urls;
mod verify;

pub use cache::{
    CacheError, CachePolicy, EntryState, Fetch, FetchId, ImportError, Offer, Rejection,
    StapleCache, UnknownFetch, Update,
};
pub use cert_id::CertId;
pub use error::{OcspError, ResponsePart};
pub use hash::HashAlgorithm;
pub use http::{MAX_GET_URL_LEN, OCSP_REQUEST_CONTENT_TYPE, OCSP_RESPONSE_CONTENT_TYPE};
pub use nonce::{Nonce, MAX_NONCE_LEN, MIN_NONCE_LEN};
pub(crate) use policy::check_staple;
pub use policy::{BadStaple, MustStaplePolicy, OcspOutcome, OnBadStaple, StaplePolicy};
pub use request::OcspQuery;
pub use response::{
    CertStatus, OcspResponse, ResponderId, RevocationReason, SingleResponse, MAX_RESPONSE_LEN,
    MAX_STAPLE_LEN_TLS12, MAX_STAPLE_LEN_TLS13,
};
pub use status::ResponseStatus;
pub use urls::{ca_issuer_urls, responder_urls};
pub use verify::{Signer, VerifiedStatus, VerifyOptions, DEFAULT_CLOCK_SKEW};
