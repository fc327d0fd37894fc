//! Client authentication (mTLS): whether the server asks for a client
//! certificate, and what it does with the answer (RFC 8446 §4.3.2,
//! §4.4.2, §4.4.3; RFC 5246 §7.4.4, §7.4.6, §7.4.8).
//!
//! With [`ServerConfigBuilder::client_auth`](crate::server::ServerConfigBuilder::client_auth)
//! the server flight carries a CertificateRequest in either version, and
//! the client's Certificate and CertificateVerify are read before its
//! Finished (TLS 1.2: Certificate before ClientKeyExchange, and
//! CertificateVerify after it).
//! The chain is validated by [`ClientRoots::verify`] at the connection's
//! time, so a connection must be started with it
//! ([`ServerConnection::new_at`](crate::server::ServerConnection::new_at)).
//! What verified is in
//! [`HandshakeSummary::client_certificate`](crate::server::HandshakeSummary::client_certificate).
//!
//! With [`ServerConfigBuilder::client_certificate_events`](crate::server::ServerConfigBuilder::client_certificate_events)
//! the decision is the application's: once the client has proved its key
//! (its CertificateVerify checked), the connection raises
//! [`Event::VerifyClient`](crate::Event::VerifyClient) with the chain and
//! what the built-in verification made of it ([`BuiltinVerdict`]), and
//! pauses until the application accepts or rejects. A client that sends no
//! certificate raises no event: the policy alone decides.
//! [`ServerConfigBuilder::client_auth_by_application`](crate::server::ServerConfigBuilder::client_auth_by_application)
//! asks for certificates with no roots at all, leaving every verdict to
//! the application.
//!
//! A TLS 1.3 client may be asked to staple an OCSP response to its
//! certificate ([`ClientStaplePolicy`], `client_staple.rs`).
//!
//! Not yet: resumption of
//! client-authenticated sessions (such a config issues no tickets), and
//! post-handshake authentication (RFC 8446 §4.6.2), which stapler does not
//! plan to offer.

use bytes::Bytes;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

use crate::codec::{HandshakeType, Reader};
use crate::crypto::signing::{verifier, KeyAlgorithm, SignatureScheme};
use crate::error::{Error, Field, InvalidMessage, PeerMisbehaved};
use crate::pki::{
    Certificate, ClientChainError, ClientLeaf, ClientRoots, LeafKey, PublicKeyAlgorithm,
    VerifiedClient,
};
use crate::server::certified_key::key_algorithm_of;
use crate::server::client_staple::{self, ClientStaple, ClientStaplePolicy, StapleSent};

/// Whether the server asks clients for a certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth {
    /// No CertificateRequest is sent (the default).
    #[default]
    None,
    /// A certificate is asked for; a client that sends none is served
    /// unauthenticated, and one whose chain does not verify is refused.
    Optional,
    /// A certificate is asked for and must verify; a TLS 1.3 client that
    /// sends none gets certificate_required (RFC 8446 §4.4.2.4).
    Required,
}

/// What a config does about client certificates.
#[derive(Clone, Debug)]
pub(crate) struct ClientAuthConfig {
    pub(crate) mode: ClientAuth,
    pub(crate) roots: ClientRoots,
    /// Whether CertificateRequest lists the roots' subjects
    /// (certificate_authorities, RFC 8446 §4.2.4).
    pub(crate) send_ca_names: bool,
    /// Whether the application decides on each presented certificate
    /// (`Event::VerifyClient`).
    pub(crate) deferred: bool,
    /// Whether TLS 1.3 clients are asked to staple, and what a staple
    /// decides.
    pub(crate) staples: ClientStaplePolicy,
}

/// The schemes a client may sign its CertificateVerify with, in the
/// server's order: what ring verifies, PKCS#1 v1.5 last, which TLS 1.2
/// allows and TLS 1.3 does not (RFC 8446 §4.2.3; see
/// [`client_schemes`]).
const CLIENT_SCHEMES: [SignatureScheme; 9] = [
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::Ed25519,
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

/// The schemes CertificateRequest offers a client: all of
/// [`CLIENT_SCHEMES`] in TLS 1.2, all but PKCS#1 v1.5 in TLS 1.3.
pub(crate) fn client_schemes(tls13: bool) -> &'static [SignatureScheme] {
    let (all_but_pkcs1, _) = CLIENT_SCHEMES.split_at(6);
    if tls13 {
        all_but_pkcs1
    } else {
        &CLIENT_SCHEMES
    }
}

/// Checks a client's CertificateVerify, the same in both versions (RFC 8446
/// §4.4.3, RFC 5246 §7.4.8 with §4.7's digitally-signed): its scheme must
/// be one the version's CertificateRequest offered (else
/// illegal_parameter) and one the leaf's `key` can make (else
/// illegal_parameter), and its signature must be `key`'s over `signed`
/// (else decrypt_error).
pub(crate) fn check_certificate_verify(
    body: &[u8],
    tls13: bool,
    key: &LeafKey,
    signed: &[u8],
) -> Result<(), Error> {
    let mut r = Reader::new(body, Field::Message(HandshakeType::CertificateVerify));
    let wire = r.u16()?;
    let signature = r.opaque_u16()?;
    r.finish()?;
    let scheme = client_schemes(tls13)
        .iter()
        .copied()
        .find(|s| s.to_wire() == wire)
        .ok_or(PeerMisbehaved::UnofferedSignatureScheme(wire))?;
    let verifier = client_verifier(scheme, &key.algorithm, tls13)
        .ok_or(PeerMisbehaved::SchemeNotForClientKey(wire))?;
    UnparsedPublicKey::new(verifier, &key.public_key)
        .verify(signed, signature)
        .map_err(|_| InvalidMessage::CertificateVerifyMismatch.into())
}

/// ring's verifier for `scheme` signatures by a key of `key`'s kind, or
/// `None` if that key cannot make them: "the signature algorithm MUST be
/// compatible with the key in the sender's end-entity certificate" (RFC
/// 8446 §4.4.3).
///
/// The schemes a key makes are those the server's own keys of its kind
/// make ([`KeyAlgorithm::schemes`]): an rsaEncryption key the rsa_pss_rsae
/// and PKCS#1 schemes, an Ed25519 key ed25519, an ECDSA key the scheme of
/// its curve, which is all TLS 1.3 allows (§4.2.3). In TLS 1.2 an ECDSA
/// scheme names only the hash (RFC 5246 §7.4.1.4.1), so a P-384 key may
/// also sign with SHA-256 and a P-256 key with SHA-384. A key of any other
/// kind (RSASSA-PSS, another curve) makes none of the schemes offered.
fn client_verifier(
    scheme: SignatureScheme,
    key: &PublicKeyAlgorithm,
    tls13: bool,
) -> Option<&'static dyn VerificationAlgorithm> {
    let key = key_algorithm_of(key)?;
    match (key, scheme) {
        (KeyAlgorithm::EcdsaP256, SignatureScheme::EcdsaSecp384r1Sha384) if !tls13 => {
            Some(&signature::ECDSA_P256_SHA384_ASN1)
        }
        (KeyAlgorithm::EcdsaP384, SignatureScheme::EcdsaSecp256r1Sha256) if !tls13 => {
            Some(&signature::ECDSA_P384_SHA256_ASN1)
        }
        _ => key.schemes().contains(&scheme).then(|| verifier(scheme))?,
    }
}

/// What the built-in verification made of a client's chain, as
/// [`Event::VerifyClient`](crate::Event::VerifyClient) reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuiltinVerdict {
    /// The chain verified to a configured root at the connection's time.
    Verified,
    /// The chain did not verify, for this reason; without the event the
    /// connection would have closed with its alert.
    Refused(ClientChainError),
    /// No roots are configured
    /// ([`ServerConfigBuilder::client_auth_by_application`](crate::server::ServerConfigBuilder::client_auth_by_application)):
    /// the application is the verifier.
    NotVerified,
}

/// A client's certificate, read and judged by the roots, before its
/// CertificateVerify proves the key and the policy (or the application)
/// accepts it.
#[derive(Debug)]
pub(crate) struct PresentedClient {
    /// The leaf: its key checks the CertificateVerify.
    pub(crate) leaf: ClientLeaf,
    /// The chain as the client sent it, leaf first.
    pub(crate) chain: Vec<Bytes>,
    /// The verified path when `verdict` is `Verified`.
    pub(crate) path: Vec<Bytes>,
    pub(crate) verdict: BuiltinVerdict,
    /// What became of its OCSP staple.
    pub(crate) staple: ClientStaple,
}

impl ClientAuthConfig {
    /// Whether a client without a certificate is refused.
    pub(crate) fn required(&self) -> bool {
        self.mode == ClientAuth::Required
    }

    /// The roots' names CertificateRequest lists (RFC 8446 §4.2.4, RFC
    /// 5246 §7.4.4): none when turned off, or when they would not fit the
    /// list's u16 length.
    pub(crate) fn ca_names(&self) -> &[Bytes] {
        let names = self.roots.subjects();
        let len: usize = names.iter().map(|n| 2 + n.len()).sum();
        if self.send_ca_names && len <= usize::from(u16::MAX) {
            names
        } else {
            &[]
        }
    }

    /// Reads a client's (non-empty) chain and judges it by the roots at
    /// `now`: a chain that does not verify is refused here with its alert,
    /// unless the application decides ([`Self::deferred`]). Then its
    /// staple, by the staple policy, whoever decides.
    pub(crate) fn examine(
        &self,
        chain: Vec<Bytes>,
        staple: StapleSent<'_>,
        now: Option<u64>,
    ) -> Result<PresentedClient, Error> {
        let mut client = self.examine_chain(chain, now)?;
        client.staple = match staple {
            StapleSent::NotAsked => ClientStaple::NotAsked,
            StapleSent::Absent => ClientStaple::Absent,
            StapleSent::Response(response) => {
                let now = now.ok_or(Error::Internal(
                    "a client staple is judged at the connection's time: ServerConnection::new_at",
                ))?;
                // The issuer: a certificate the client sent above its
                // leaf, else a root.
                let sent = client.chain.get(1..).unwrap_or_default();
                let parsed: Vec<Certificate> = sent
                    .iter()
                    .filter_map(|der| Certificate::from_der(der.clone()).ok())
                    .collect();
                let issuers = parsed.iter().chain(self.roots.certificates());
                // An OCSP response names its certificate by issuer and
                // serial: the leaf is parsed whole for it.
                match client.leaf.parse() {
                    Ok(leaf) => client_staple::judge(response, leaf, issuers, now),
                    Err(_) => ClientStaple::Unverifiable,
                }
            }
        };
        client_staple::enforce(self.staples, &client.staple)?;
        Ok(client)
    }

    fn examine_chain(&self, chain: Vec<Bytes>, now: Option<u64>) -> Result<PresentedClient, Error> {
        let leaf_der = chain
            .first()
            .ok_or(Error::Internal("an empty chain examined"))?;
        // A leaf whose key cannot be read cannot check the
        // CertificateVerify: bad_certificate, whoever decides. The rest of
        // it is parsed when wanted (see `ClientLeaf`).
        let leaf = ClientLeaf::read(leaf_der.clone()).map_err(Error::ClientCertificate)?;
        if self.roots.is_empty() {
            // No roots, so no rustls-webpki: the strict parse is the only
            // check of the certificate's structure, and the application
            // will read it.
            leaf.parse().map_err(Error::ClientCertificate)?;
            return Ok(PresentedClient {
                leaf,
                chain,
                path: Vec::new(),
                verdict: BuiltinVerdict::NotVerified,
                staple: ClientStaple::NotAsked,
            });
        }
        let now = now.ok_or(Error::Internal(
            "client certificates are verified at the connection's time: ServerConnection::new_at",
        ))?;
        let (path, verdict) = match self.roots.verify_path(leaf.key(), &chain, now) {
            Ok(path) => (path, BuiltinVerdict::Verified),
            Err(e) if self.deferred => (Vec::new(), BuiltinVerdict::Refused(e)),
            Err(e) => return Err(Error::ClientCertificate(e)),
        };
        Ok(PresentedClient {
            leaf,
            chain,
            path,
            verdict,
            staple: ClientStaple::NotAsked,
        })
    }
}

/// A client the application is asked about, and what the request tells
/// of its connection.
#[derive(Debug)]
pub(crate) struct ClientToJudge {
    pub(crate) client: PresentedClient,
    /// The leaf, parsed for the application.
    pub(crate) leaf: Certificate,
    pub(crate) server_name: Option<Box<str>>,
    pub(crate) alpn_protocol: Option<Bytes>,
}

impl ClientToJudge {
    /// The request's view of `client` on a connection to `server_name`
    /// with `alpn_protocol`, its leaf parsed whole (or refused with
    /// bad_certificate).
    pub(crate) fn new(
        client: PresentedClient,
        server_name: Option<Box<str>>,
        alpn_protocol: Option<Bytes>,
    ) -> Result<Self, Error> {
        let leaf = client
            .leaf
            .parse()
            .map_err(Error::ClientCertificate)?
            .clone();
        Ok(Self {
            client,
            leaf,
            server_name,
            alpn_protocol,
        })
    }
}

impl PresentedClient {
    /// The client accepted without the application, and its staple: only
    /// a chain that verified gets here (`examine` refuses the rest).
    pub(crate) fn accepted(self) -> Result<(VerifiedClient, ClientStaple), Error> {
        let BuiltinVerdict::Verified = self.verdict else {
            return Err(Error::Internal(
                "an unverified client accepted without its event",
            ));
        };
        Ok((VerifiedClient::by_roots(self.leaf, self.path), self.staple))
    }

    /// The client as the application accepted it.
    pub(crate) fn into_accepted(self) -> VerifiedClient {
        match self.verdict {
            BuiltinVerdict::Verified => VerifiedClient::by_roots(self.leaf, self.path),
            _ => VerifiedClient::by_application(self.leaf, self.chain),
        }
    }
}
