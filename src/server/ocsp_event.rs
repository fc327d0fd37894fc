//! The OCSP stapling event: what the application is asked, and the token it
//! answers with.
//!
//! This is Node.js's `'OCSPRequest'` event made sans-IO. Node calls a
//! listener with `(certificate, issuer, callback)`; here the connection
//! yields an [`OcspRequest`] from `poll_event`, pauses, and the application
//! turns the request into a [`Completion`] with exactly one of
//! [`OcspRequest::answer`] or [`OcspRequest::respond`] (`callback(null,
//! resp)`), [`OcspRequest::no_response`] (`callback(null, null)`) or
//! [`OcspRequest::abort`] (`callback(err)`), then hands the completion to
//! `ServerConnection::complete`. Both are `Send`, so the answer may come
//! from another thread or task, at any time.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::enums::ProtocolVersion;
use crate::error::Error;
use crate::ocsp::{
    check_staple, MustStaplePolicy, OcspOutcome, OnBadStaple, StaplePolicy, MAX_STAPLE_LEN_TLS12,
    MAX_STAPLE_LEN_TLS13,
};
use crate::server::certified_key::CertifiedKey;
use crate::server::config::ServerConfig;
use crate::server::request::{Answer, Completion, OcspAnswer, Ticket};

/// A client asked for the certificate's status: the application should
/// fetch (or look up) an OCSP response and answer.
///
/// A request dropped without an answer (or whose completion is dropped
/// instead of handed back) does not hang its connection: on the
/// connection's next call it closes with an internal_error alert and
/// [`Error::RequestDropped`](crate::Error::RequestDropped). Noticing costs
/// one 16-byte allocation per request and a load of its reference count on
/// each call while paused. A request that is merely slow is the
/// application's to time out (`ServerConnection::paused_for`).
#[must_use = "the connection stays paused until the request is answered"]
pub struct OcspRequest {
    pub(crate) ticket: Ticket,
    pub(crate) cert: Arc<CertifiedKey>,
    pub(crate) server_name: Option<Box<str>>,
    pub(crate) responder_ids: Vec<Bytes>,
    pub(crate) request_extensions: Bytes,
}

impl OcspRequest {
    /// The DER of the certificate that will be sent (the leaf).
    pub fn certificate(&self) -> &Bytes {
        self.cert.leaf_der()
    }

    /// The DER of the leaf's issuer, found among the configured chain and
    /// CA certificates by name and by signature; `None` when the leaf is
    /// self-signed or its issuer is not known (as in Node.js).
    pub fn issuer(&self) -> Option<&Bytes> {
        self.cert.issuer_der()
    }

    /// Whether the leaf is Must-Staple: its TLS Feature extension lists
    /// status_request (RFC 7633). A client that honours it refuses the
    /// handshake without a good staple; the config's
    /// [`MustStaplePolicy`](crate::ocsp::MustStaplePolicy) says what the server
    /// does first.
    pub fn must_staple(&self) -> bool {
        self.cert.leaf().must_staple()
    }

    /// The whole chain that will be sent, leaf first.
    pub fn chain(&self) -> &[Bytes] {
        self.cert.chain()
    }

    /// The host name the client asked for (SNI), if any.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// The OCSP responders the client trusts (RFC 6066 §8), each the DER of
    /// an RFC 6960 ResponderID. Almost always empty.
    pub fn responder_ids(&self) -> &[Bytes] {
        &self.responder_ids
    }

    /// The DER of the OCSP request extensions the client sent (for example a
    /// nonce to include in the OCSP request), or empty.
    pub fn request_extensions(&self) -> &Bytes {
        &self.request_extensions
    }

    /// The common answer in one call, as Node.js's `callback(null, resp)`:
    /// `Some(response)` staples the DER of an OCSPResponse; `None`, or an
    /// empty response (which Node also takes for none), continues without
    /// a staple. It cannot fail, so nothing can be left unanswered by
    /// mistake.
    ///
    /// ```
    /// # fn demo(request: stapler::OcspRequest, fetched: Option<bytes::Bytes>) {
    /// let completion = request.answer(fetched); // a staple, or none
    /// # let _ = completion;
    /// # }
    /// ```
    pub fn answer(self, response: Option<Bytes>) -> Completion {
        match response {
            Some(der) if !der.is_empty() => self.complete(OcspAnswer::Staple(der)),
            _ => self.no_response(),
        }
    }

    /// Staple `response`, the DER of an OCSPResponse.
    ///
    /// An empty response is refused: a zero-length staple is malformed on
    /// the wire, so the request comes back untouched to be answered again.
    pub fn respond(self, response: impl Into<Bytes>) -> Result<Completion, EmptyResponse> {
        let response = response.into();
        if response.is_empty() {
            return Err(EmptyResponse(self));
        }
        Ok(self.complete(OcspAnswer::Staple(response)))
    }

    /// Continue the handshake without a staple.
    pub fn no_response(self) -> Completion {
        self.complete(OcspAnswer::NoStaple)
    }

    /// End the connection: it sends a fatal internal_error alert and closes,
    /// and `reason` is reported with the close.
    pub fn abort(self, reason: impl Into<String>) -> Completion {
        self.complete(OcspAnswer::Abort(reason.into()))
    }

    fn complete(self, answer: OcspAnswer) -> Completion {
        self.ticket.complete(Answer::Ocsp {
            answer,
            server_name: self.server_name,
        })
    }
}

impl fmt::Debug for OcspRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspRequest")
            .field("certificate_len", &self.certificate().len())
            .field("issuer_len", &self.issuer().map(Bytes::len))
            .field("server_name", &self.server_name)
            .field("responder_ids", &self.responder_ids.len())
            .field("request_extensions_len", &self.request_extensions.len())
            .finish()
    }
}

/// [`OcspRequest::respond`] was given an empty response; the request is
/// returned so that it can still be answered.
#[derive(Debug)]
pub struct EmptyResponse(pub OcspRequest);

impl fmt::Display for EmptyResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OCSP staple cannot be empty")
    }
}

impl std::error::Error for EmptyResponse {}

/// What the answer puts on the wire, under the config's
/// [`StaplePolicy`] and [`MustStaplePolicy`]: the staple, if any, and the
/// outcome to report; or the error that ends the handshake.
///
/// A response larger than the negotiated version can carry is refused
/// first, under every policy: no policy can make it fit, and quietly
/// stapling nothing instead would hide the application's mistake.
pub(crate) fn judge_answer(
    config: &ServerConfig,
    (cert, version): (&CertifiedKey, ProtocolVersion),
    answer: OcspAnswer,
    now: u64,
) -> Result<(Option<Bytes>, OcspOutcome), Error> {
    let max = match version {
        ProtocolVersion::Tls13 => MAX_STAPLE_LEN_TLS13,
        ProtocolVersion::Tls12 => MAX_STAPLE_LEN_TLS12,
    };
    let (staple, outcome) = match answer {
        OcspAnswer::Abort(reason) => return Err(Error::OcspAborted(reason)),
        OcspAnswer::NoStaple => (None, OcspOutcome::NoResponse),
        OcspAnswer::Staple(response) if response.len() > max => {
            return Err(Error::StapleTooLarge {
                len: response.len(),
                max,
                version,
            })
        }
        OcspAnswer::Staple(response) => {
            let verdict = match config.staple_policy() {
                StaplePolicy::Trust => Ok(()),
                StaplePolicy::Verify {
                    options,
                    on_failure,
                } => check_staple(&response, cert.leaf(), cert.issuer(), now, options)
                    .map_err(|bad| (bad, *on_failure)),
            };
            match verdict {
                Ok(()) => {
                    let len = response.len();
                    (Some(response), OcspOutcome::Stapled(len))
                }
                Err((bad, OnBadStaple::Abort)) => return Err(Error::BadStaple(bad)),
                Err((bad, OnBadStaple::StapleNothing)) => (None, OcspOutcome::Refused(bad)),
            }
        }
    };
    if staple.is_none()
        && cert.leaf().must_staple()
        && config.must_staple_policy() == MustStaplePolicy::Abort
    {
        return Err(Error::MustStapleUnmet);
    }
    Ok((staple, outcome))
}
