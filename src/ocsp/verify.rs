//! Judging a parsed response: is it about this certificate, signed by
//! someone entitled to, an answer to our request, and fresh?

use bytes::Bytes;

use crate::pki::{verify_signature, Certificate, ID_KP_OCSP_SIGNING};

use super::error::OcspError;
use super::nonce::Nonce;
use super::responder::ResponderCert;
use super::response::{CertStatus, OcspResponse, SingleResponse};

/// The clock skew allowed by default, in seconds: a response whose
/// thisUpdate is up to five minutes ahead of `now` is accepted, since the
/// responder's clock and ours never agree exactly.
pub const DEFAULT_CLOCK_SKEW: u64 = 300;

/// What [`OcspResponse::verify`] expects besides the certificate and its
/// issuer: the allowed clock skew, the nonce that was sent, and what to do
/// with a response that has no nextUpdate.
///
/// ```
/// use stapler::ocsp::VerifyOptions;
/// let options = VerifyOptions::new().clock_skew(60);
/// assert_eq!(options, VerifyOptions::default().clock_skew(60));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    clock_skew: Option<u64>,
    nonce: Option<Nonce>,
    max_age_without_next_update: Option<u64>,
}

impl VerifyOptions {
    /// The defaults: [`DEFAULT_CLOCK_SKEW`], no nonce expected, and a
    /// response without nextUpdate refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// How far, in seconds, thisUpdate may be ahead of `now`.
    pub fn clock_skew(mut self, seconds: u64) -> Self {
        self.clock_skew = Some(seconds);
        self
    }

    /// The nonce the request carried (see [`OcspQuery::nonce`]): the response
    /// must echo it (RFC 8954 §2.1), or it is refused with
    /// [`OcspError::NonceMissing`] or [`OcspError::NonceMismatch`].
    ///
    /// [`OcspQuery::nonce`]: super::OcspQuery::nonce
    pub fn nonce(mut self, nonce: Nonce) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Accept a response without nextUpdate for `seconds` after its
    /// thisUpdate.
    ///
    /// By default such a response is refused ([`OcspError::NoNextUpdate`]).
    /// RFC 6960 §4.2.2.1 reads a missing nextUpdate as "newer information is
    /// always available", which gives a staple no lifetime at all; RFC 5019
    /// §2.2.4 has responders always include nextUpdate so that responses
    /// can be cached; and a staple cache needs to know when to refresh.
    /// Refusing is the safe default; an application that must work with
    /// such a responder chooses here how long to trust its answers.
    pub fn max_age_without_next_update(mut self, seconds: u64) -> Self {
        self.max_age_without_next_update = Some(seconds);
        self
    }
}

/// Who signed a verified response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signer {
    /// The certificate's issuer, with its own key.
    Issuer,
    /// A delegated responder, whose certificate (this DER, a slice of the
    /// response) was included in the response, issued by the certificate's
    /// issuer and carries id-kp-OCSPSigning (RFC 6960 §4.2.2.2). Parse it
    /// with [`Certificate::from_der`] to look inside.
    Delegated(Bytes),
}

/// What a verified response says about the certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedStatus {
    /// The certificate's status: a verified `Revoked` is news the
    /// application should make loud.
    pub status: CertStatus,
    /// thisUpdate, seconds since the Unix epoch.
    pub this_update: u64,
    /// nextUpdate, seconds since the Unix epoch, as the response gave it.
    pub next_update: Option<u64>,
    /// When the response stops being fresh: nextUpdate, or thisUpdate plus
    /// the allowed age when there is none
    /// ([`VerifyOptions::max_age_without_next_update`]).
    pub valid_until: u64,
    /// producedAt, seconds since the Unix epoch.
    pub produced_at: u64,
    /// Who signed the response.
    pub signer: Signer,
}

impl OcspResponse {
    /// Checks that this response is a valid answer about `leaf`, issued by
    /// `issuer`, at time `now` (seconds since the Unix epoch; stapler never
    /// reads a clock), and returns what it says.
    ///
    /// In order, each failure a typed error:
    /// 1. a SingleResponse names `leaf` (its CertID, under its own hash
    ///    algorithm; [`OcspError::CertIdNotFound`]);
    /// 2. the signature over tbsResponseData verifies with the key of the
    ///    responder the ResponderID names, and that responder is `issuer`
    ///    itself or a delegated responder: a certificate included in the
    ///    response, issued by `issuer` (same Name, `issuer`'s signature),
    ///    with id-kp-OCSPSigning in its extended key usage, keyUsage
    ///    allowing digitalSignature if present, and valid at `now`
    ///    (RFC 6960 §4.2.2.2). Trust anchors and the responder's own
    ///    revocation status are not checked: the issuer is the anchor here,
    ///    and RFC 6960 §4.2.2.2.1 leaves responder revocation to the CA;
    /// 3. the nonce matches, if [`VerifyOptions::nonce`] was given;
    /// 4. thisUpdate ≤ `now` + clock skew, and `now` < nextUpdate (or the
    ///    allowed age, see [`VerifyOptions::max_age_without_next_update`]).
    ///
    /// A revoked or unknown status is not an error: it is the answer.
    pub fn verify(
        &self,
        leaf: &Certificate,
        issuer: &Certificate,
        now: u64,
        options: &VerifyOptions,
    ) -> Result<VerifiedStatus, OcspError> {
        let single = self.find(leaf, issuer).ok_or(OcspError::CertIdNotFound)?;
        let signer = self.check_signature(issuer, now)?;
        if let Some(sent) = &options.nonce {
            match self.nonce() {
                None => return Err(OcspError::NonceMissing),
                Some(echoed) if echoed != sent.as_bytes() => return Err(OcspError::NonceMismatch),
                Some(_) => {}
            }
        }
        let valid_until = check_freshness(single, now, options)?;
        Ok(VerifiedStatus {
            status: single.status(),
            this_update: single.this_update(),
            next_update: single.next_update(),
            valid_until,
            produced_at: self.produced_at(),
            signer,
        })
    }

    /// Step 2 of [`OcspResponse::verify`]: finds the signer the ResponderID
    /// names, checks it may sign for `issuer`, and checks the signature.
    fn check_signature(&self, issuer: &Certificate, now: u64) -> Result<Signer, OcspError> {
        let responder_id = self.responder_id();
        let (tbs, algorithm, signature) = (
            self.tbs_response_data(),
            self.signature_algorithm(),
            self.signature(),
        );
        if responder_id.matches(issuer) {
            issuer
                .verify_signature(algorithm, tbs, signature)
                .map_err(OcspError::Signature)?;
            return Ok(Signer::Issuer);
        }
        // A delegated responder must come with its certificate. Several
        // may match the ResponderID; the first that passes every check
        // signs, and if none does, the first one's failure is reported.
        // Certificates that do not parse are passed over.
        let mut first_error = None;
        for der in self.certificates() {
            let Ok(responder) = ResponderCert::parse(der, ID_KP_OCSP_SIGNING) else {
                continue;
            };
            if !responder_id.matches_parts(responder.subject, responder.public_key) {
                continue;
            }
            let checked = check_delegate(&responder, issuer, now).and_then(|()| {
                verify_signature(responder.spki, algorithm, tbs, signature)
                    .map_err(OcspError::Signature)
            });
            match checked {
                Ok(()) => return Ok(Signer::Delegated(der.clone())),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(OcspError::SignerNotFound))
    }
}

/// Whether `responder` may sign responses about `issuer`'s certificates
/// (RFC 6960 §4.2.2.2), cheapest checks first.
fn check_delegate(
    responder: &ResponderCert<'_>,
    issuer: &Certificate,
    now: u64,
) -> Result<(), OcspError> {
    if !responder.ocsp_signing {
        return Err(OcspError::ResponderNotAuthorized);
    }
    if responder.digital_signature == Some(false) {
        return Err(OcspError::ResponderKeyUsage);
    }
    if !responder.is_valid_at(now) {
        return Err(OcspError::ResponderCertificateNotValid {
            not_before: responder.not_before,
            not_after: responder.not_after,
        });
    }
    // "Issued directly by the CA that is identified in the request".
    if responder.issuer != issuer.subject()
        || issuer
            .verify_signature(
                responder.signature_algorithm,
                responder.tbs,
                responder.signature,
            )
            .is_err()
    {
        return Err(OcspError::ResponderNotIssuedByIssuer);
    }
    Ok(())
}

/// Step 4 of [`OcspResponse::verify`]; returns when the response stops
/// being fresh.
fn check_freshness(
    single: &SingleResponse,
    now: u64,
    options: &VerifyOptions,
) -> Result<u64, OcspError> {
    let this_update = single.this_update();
    let skew = options.clock_skew.unwrap_or(DEFAULT_CLOCK_SKEW);
    if this_update > now.saturating_add(skew) {
        return Err(OcspError::NotYetValid { this_update });
    }
    let valid_until = match (single.next_update(), options.max_age_without_next_update) {
        (Some(next_update), _) => next_update,
        (None, Some(max_age)) => this_update.saturating_add(max_age),
        (None, None) => return Err(OcspError::NoNextUpdate),
    };
    if now >= valid_until {
        return Err(OcspError::Expired { valid_until });
    }
    Ok(valid_until)
}
