//! TLS 1.2 client authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8): the
//! CertificateRequest before ServerHelloDone, then the client's
//! Certificate before its ClientKeyExchange, and its CertificateVerify
//! after it.
//!
//! ```text
//!                        ◀──  ..., ServerKeyExchange, CertificateRequest,
//!                             ServerHelloDone
//! Certificate            ──▶  ExpectCertificate: the chain verified at the
//!                             connection's time (none: handshake_failure if
//!                             required, §7.4.6)
//! ClientKeyExchange      ──▶  ExpectClientKeyExchange
//! CertificateVerify      ──▶  ExpectCertificateVerify: the signature over
//!                             every handshake message before it
//!                             (VerifyClient event, pause: AwaitClientVerdict)
//! [ChangeCipherSpec], Finished as without
//! ```

use core::ops::Range;

use bytes::Bytes;

use super::{ExpectChangeCipherSpec, ExpectClientKeyExchange, Stage};
use crate::codec::writer::{put_handshake, put_opaque, put_u16, put_vec, Prefix};
use crate::codec::{HandshakeMessage, HandshakeType, Reader};
use crate::error::{Error, Field, InvalidMessage, LengthOverflow, PeerMisbehaved};
use crate::pki::{ClientChainError, MAX_CLIENT_CHAIN_LEN};
use crate::server::client_auth::{
    check_certificate_verify, client_schemes, ClientAuthConfig, ClientToJudge, PresentedClient,
};
use crate::server::client_staple::StapleSent;
use crate::server::config::ServerConfig;

/// ClientCertificateType rsa_sign and ecdsa_sign (RFC 5246 §7.4.4, RFC
/// 8422 §5.5; an Ed25519 certificate is of the ECDSA kind, RFC 8422 §3).
const CERTIFICATE_TYPES: [u8; 2] = [1, 64];

/// CertificateRequest (RFC 5246 §7.4.4): the certificate types, the
/// signature algorithms, and the roots' names (none if turned off, or if
/// they do not fit their u16 length).
pub(super) fn certificate_request(
    out: &mut Vec<u8>,
    auth: &ClientAuthConfig,
) -> Result<Range<usize>, LengthOverflow> {
    let names = auth.ca_names();
    put_handshake(out, HandshakeType::CertificateRequest, |out| {
        put_opaque(out, Prefix::U8, &CERTIFICATE_TYPES)?;
        put_vec(out, Prefix::U16, |out| {
            client_schemes(false)
                .iter()
                .for_each(|s| put_u16(out, s.to_wire()));
            Ok(())
        })?;
        put_vec(out, Prefix::U16, |out| {
            names
                .iter()
                .try_for_each(|name| put_opaque(out, Prefix::U16, name))
        })
    })
}

/// The server flight is out with a CertificateRequest; the client's
/// Certificate is next, then what [`ExpectClientKeyExchange`] expects.
pub(crate) struct ExpectCertificate {
    pub(super) next: ExpectClientKeyExchange,
}

/// Keys are made; the client's CertificateVerify comes before its
/// change_cipher_spec.
pub(crate) struct ExpectCertificateVerify {
    pub(super) next: ExpectChangeCipherSpec,
    pub(super) client: Box<PresentedClient>,
}

/// The client proved its key; the application's verdict on its
/// certificate comes before its change_cipher_spec is read.
pub(crate) struct AwaitClientVerdict {
    pub(super) next: ExpectChangeCipherSpec,
    /// Lent to the request until the verdict.
    pub(super) client: Option<Box<ClientToJudge>>,
}

impl ExpectCertificate {
    /// The client's Certificate (§7.4.6): empty (served unauthenticated,
    /// or handshake_failure when required), or a chain that must verify.
    pub(super) fn handle(
        self,
        config: &ServerConfig,
        message: HandshakeMessage<'_>,
    ) -> Result<ExpectClientKeyExchange, Error> {
        let ExpectCertificate { mut next } = self;
        let auth = config.client_auth.as_ref().ok_or(Error::Internal(
            "a client Certificate awaited without client auth",
        ))?;
        let chain = parse_certificate(message.body)?;
        next.transcript.add(message.encoded);
        if chain.is_empty() {
            if auth.required() {
                return Err(PeerMisbehaved::NoClientCertificate.into());
            }
            return Ok(next);
        }
        // TLS 1.2 gives a client no way to staple.
        next.client = Some(Box::new(auth.examine(
            chain,
            StapleSent::NotAsked,
            next.now,
        )?));
        Ok(next)
    }
}

impl ExpectCertificateVerify {
    /// The client's CertificateVerify (§7.4.8): an offered algorithm, and
    /// a signature by the leaf's key over every handshake message before
    /// it; else decrypt_error (§7.2.2). Its Finished then covers it too.
    pub(super) fn handle(
        self,
        config: &ServerConfig,
        message: HandshakeMessage<'_>,
    ) -> Result<Stage, Error> {
        let ExpectCertificateVerify { mut next, client } = self;
        let signed = next.transcript.messages().ok_or(Error::Internal(
            "a client CertificateVerify without the messages",
        ))?;
        check_certificate_verify(message.body, false, client.leaf.key(), signed)?;
        next.transcript.add(message.encoded);
        next.client_finished_hash = next.transcript.current_hash();
        if config.client_certificate_events() {
            let summary = &mut next.summary;
            summary.client_staple = client.staple.clone();
            let server_name = summary.server_name.clone();
            let client = Some(Box::new(ClientToJudge::new(
                *client,
                server_name,
                summary.alpn_protocol.clone(),
            )?));
            return Ok(Stage::AwaitClientVerdict(AwaitClientVerdict {
                next,
                client,
            }));
        }
        (next.summary.client_certificate, next.summary.client_staple) =
            client.accepted().map(|(c, s)| (Some(c), s))?;
        Ok(Stage::ExpectChangeCipherSpec(next))
    }
}

/// A client's Certificate body (§7.4.2): `ASN.1Cert
/// certificate_list<0..2^24-1>`, each `<1..2^24-1>`. Returns the chain,
/// leaf first; empty for none.
fn parse_certificate(body: &[u8]) -> Result<Vec<Bytes>, Error> {
    let field = Field::Message(HandshakeType::Certificate);
    let mut r = Reader::new(body, field);
    let mut list = r.vec_u24(field)?;
    r.finish()?;
    let mut chain = Vec::new();
    while !list.is_empty() {
        let cert = list.opaque_u24()?;
        if cert.is_empty() {
            return Err(InvalidMessage::BadLength(field).into());
        }
        // Read to the end before refusing a chain over the cap.
        if chain.len() <= MAX_CLIENT_CHAIN_LEN {
            chain.push(Bytes::copy_from_slice(cert));
        }
    }
    if chain.len() > MAX_CLIENT_CHAIN_LEN {
        return Err(Error::ClientCertificate(ClientChainError::TooLong));
    }
    Ok(chain)
}
