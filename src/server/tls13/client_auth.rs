//! TLS 1.3 client authentication (RFC 8446 §4.3.2, §4.4.2, §4.4.3): the
//! CertificateRequest in the server flight, then the client's Certificate
//! and CertificateVerify, read in order before its Finished.
//!
//! ```text
//!                        ◀──  {EncryptedExtensions, CertificateRequest,
//!                             Certificate, CertificateVerify, Finished}
//! {Certificate}          ──▶  ExpectCertificate: the chain verified at the
//!                             connection's time (none: certificate_required
//!                             if required, else straight to Finished)
//! {CertificateVerify}    ──▶  ExpectCertificateVerify: the signature over
//!                             the transcript, by the leaf's key
//!                             (VerifyClient event, pause: AwaitClientVerdict)
//! {Finished}             ──▶  ExpectFinished
//! ```

use core::ops::Range;

use bytes::Bytes;

use super::{ExpectFinished, State};
use crate::codec::writer::{put_extension, put_handshake, put_opaque, put_u16, put_vec, Prefix};
use crate::codec::{ExtensionType, HandshakeMessage, HandshakeType, Reader, STATUS_TYPE_OCSP};
use crate::crypto::key_schedule::ApplicationSecrets;
use crate::crypto::signing::CertificateVerifyMessage;
use crate::crypto::transcript::Transcript;
use crate::error::{Error, Field, InvalidMessage, LengthOverflow, PeerMisbehaved};
use crate::pki::{ClientChainError, VerifiedClient, MAX_CLIENT_CHAIN_LEN};
use crate::server::client_auth::{
    check_certificate_verify, client_schemes, ClientAuthConfig, ClientToJudge, PresentedClient,
};
use crate::server::client_staple::StapleSent;
use crate::server::config::ServerConfig;
use crate::server::events::HandshakeSummary;

/// CertificateRequest (§4.3.2): an empty certificate_request_context (no
/// post-handshake authentication), signature_algorithms, an empty
/// status_request when the client is asked to staple (§4.4.2.1), and,
/// unless turned off or too long for its u16 length,
/// certificate_authorities (§4.2.4) naming the roots.
pub(crate) fn certificate_request(
    out: &mut Vec<u8>,
    auth: &ClientAuthConfig,
) -> Result<Range<usize>, LengthOverflow> {
    let names = auth.ca_names();
    put_handshake(out, HandshakeType::CertificateRequest, |out| {
        put_opaque(out, Prefix::U8, &[])?;
        put_vec(out, Prefix::U16, |out| {
            put_extension(out, ExtensionType::SignatureAlgorithms, |out| {
                put_vec(out, Prefix::U16, |out| {
                    client_schemes(true)
                        .iter()
                        .for_each(|s| put_u16(out, s.to_wire()));
                    Ok(())
                })
            })?;
            if auth.staples.asks() {
                put_extension(out, ExtensionType::StatusRequest, |_| Ok(()))?;
            }
            if !names.is_empty() {
                put_extension(out, ExtensionType::CertificateAuthorities, |out| {
                    put_vec(out, Prefix::U16, |out| {
                        names
                            .iter()
                            .try_for_each(|name| put_opaque(out, Prefix::U16, name))
                    })
                })?;
            }
            Ok(())
        })
    })
}

/// The server flight is out, with a CertificateRequest; the client's
/// Certificate is next.
pub(crate) struct ExpectCertificate {
    pub(super) secrets: ApplicationSecrets,
    /// Through the server's Finished.
    pub(super) transcript: Transcript,
    pub(super) summary: HandshakeSummary,
    /// When the connection started: what the chain is judged at.
    pub(super) now: Option<u64>,
}

/// The client's chain read (and, unless the application decides,
/// verified); its CertificateVerify is next.
pub(crate) struct ExpectCertificateVerify {
    secrets: ApplicationSecrets,
    /// Through the client's Certificate.
    transcript: Transcript,
    summary: HandshakeSummary,
    client: PresentedClient,
}

/// The client proved its key; the application's verdict on its
/// certificate comes before its Finished is read.
pub(crate) struct AwaitClientVerdict {
    next: ExpectFinished,
    /// Lent to the request until the verdict.
    client: Option<ClientToJudge>,
}

impl ExpectCertificate {
    /// The client's Certificate (§4.4.2): empty (served unauthenticated,
    /// or certificate_required, §4.4.2.4), or a chain that must verify.
    pub(super) fn handle(
        self: Box<Self>,
        config: &ServerConfig,
        message: HandshakeMessage<'_>,
    ) -> Result<State, Error> {
        let ExpectCertificate {
            secrets,
            mut transcript,
            summary,
            now,
        } = *self;
        let auth = config.client_auth.as_ref().ok_or(Error::Internal(
            "a client Certificate awaited without client auth",
        ))?;
        let (chain, staple) = parse_certificate(message.body, auth.staples.asks())?;
        transcript.add(message.encoded);
        if chain.is_empty() {
            if auth.required() {
                return Err(Error::ClientCertificate(ClientChainError::Empty));
            }
            return Ok(State::ExpectFinished(Box::new(ExpectFinished {
                secrets,
                finished_hash: transcript.current_hash(),
                summary,
                tickets: None,
            })));
        }
        let client = auth.examine(chain, staple, now)?;
        Ok(State::ExpectCertificateVerify(Box::new(
            ExpectCertificateVerify {
                secrets,
                transcript,
                summary,
                client,
            },
        )))
    }
}

impl ExpectCertificateVerify {
    /// The client's CertificateVerify (§4.4.3): a scheme the request
    /// offered, and a signature by the leaf's key over the transcript
    /// through the client's Certificate; else decrypt_error.
    pub(super) fn handle(
        self: Box<Self>,
        config: &ServerConfig,
        message: HandshakeMessage<'_>,
    ) -> Result<State, Error> {
        let ExpectCertificateVerify {
            secrets,
            mut transcript,
            mut summary,
            client,
        } = *self;
        let signed = CertificateVerifyMessage::client(&transcript.current_hash());
        check_certificate_verify(message.body, true, client.leaf.key(), signed.as_ref())?;
        transcript.add(message.encoded);
        if config.client_certificate_events() {
            summary.client_staple = client.staple.clone();
            let server_name = summary.server_name.clone();
            let client = ClientToJudge::new(client, server_name, summary.alpn_protocol.clone())?;
            return Ok(State::AwaitClientVerdict(Box::new(AwaitClientVerdict {
                next: ExpectFinished {
                    secrets,
                    finished_hash: transcript.current_hash(),
                    summary,
                    tickets: None,
                },
                client: Some(client),
            })));
        }
        (summary.client_certificate, summary.client_staple) =
            client.accepted().map(|(c, s)| (Some(c), s))?;
        Ok(State::ExpectFinished(Box::new(ExpectFinished {
            secrets,
            finished_hash: transcript.current_hash(),
            summary,
            tickets: None,
        })))
    }
}

impl AwaitClientVerdict {
    /// The client, for the request the driver raises.
    pub(super) fn take_client(&mut self) -> Option<ClientToJudge> {
        self.client.take()
    }

    /// The application accepted `client`: its Finished is next.
    pub(super) fn accept(self: Box<Self>, client: VerifiedClient) -> State {
        let mut next = self.next;
        next.summary.client_certificate = Some(client);
        State::ExpectFinished(Box::new(next))
    }
}

/// A client's Certificate body (§4.4.2): the (empty) request context, then
/// the entries, each a certificate and its extensions: none but
/// status_request, and that only when `staple_asked` (an extension "MUST
/// correspond to one from the server's CertificateRequest"). Returns the
/// chain, leaf first (empty for none), and the leaf's staple.
fn parse_certificate(
    body: &[u8],
    staple_asked: bool,
) -> Result<(Vec<Bytes>, StapleSent<'_>), Error> {
    let field = Field::Message(HandshakeType::Certificate);
    let mut r = Reader::new(body, field);
    if !r.opaque_u8()?.is_empty() {
        return Err(PeerMisbehaved::BadCertificateRequestContext.into());
    }
    let mut list = r.vec_u24(field)?;
    r.finish()?;
    let mut chain = Vec::new();
    let mut staple = if staple_asked {
        StapleSent::Absent
    } else {
        StapleSent::NotAsked
    };
    while !list.is_empty() {
        let cert = list.opaque_u24()?;
        if cert.is_empty() {
            return Err(InvalidMessage::BadLength(field).into());
        }
        let mut extensions = list.vec_u16(field)?;
        let mut seen_status = false;
        while !extensions.is_empty() {
            let typ = extensions.u16()?;
            let data = extensions.opaque_u16()?;
            if typ != ExtensionType::StatusRequest.to_wire() || !staple_asked {
                return Err(PeerMisbehaved::UnsolicitedCertificateExtension(typ).into());
            }
            // One extension of a type per block (§4.2).
            if core::mem::replace(&mut seen_status, true) {
                return Err(
                    InvalidMessage::DuplicateExtension(ExtensionType::StatusRequest).into(),
                );
            }
            let response = certificate_status(data)?;
            // Only the leaf's status is judged; an intermediate's is
            // allowed (§4.4.2.1) and left unread.
            if chain.is_empty() {
                staple = StapleSent::Response(response);
            }
        }
        // Past the cap the chain is refused whole (bad_certificate), but
        // the message is still read to its end first: a malformed tail is
        // decode_error whatever came before it.
        if chain.len() <= MAX_CLIENT_CHAIN_LEN {
            chain.push(Bytes::copy_from_slice(cert));
        }
    }
    if chain.len() > MAX_CLIENT_CHAIN_LEN {
        return Err(Error::ClientCertificate(ClientChainError::TooLong));
    }
    Ok((chain, staple))
}

/// A status_request extension's body in a CertificateEntry (§4.4.2.1, RFC
/// 6066 §8): `CertificateStatus { status_type ocsp(1); OCSPResponse
/// <1..2^24-1> }`. Returns the response, unparsed.
fn certificate_status(data: &[u8]) -> Result<&[u8], Error> {
    let field = Field::Extension(ExtensionType::StatusRequest);
    let mut r = Reader::new(data, field);
    let status_type = r.u8()?;
    if status_type != STATUS_TYPE_OCSP {
        return Err(PeerMisbehaved::BadCertificateStatusType(status_type).into());
    }
    let response = r.opaque_u24()?;
    r.finish()?;
    if response.is_empty() {
        return Err(InvalidMessage::BadLength(field).into());
    }
    Ok(response)
}
