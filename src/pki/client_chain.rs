//! Client certificates: the roots a server accepts them under, and the
//! validation of the chain a client presents (RFC 5280 §6).
//!
//! Path building and validation are rustls-webpki's, on ring: it follows
//! the client's intermediates to a configured root, checks each signature,
//! the validity of every certificate at the time given (a parameter, never
//! the clock), basic constraints and path length, name constraints, and
//! the clientAuth extended key usage (RFC 5280 §4.2.1.12). This module
//! adds the one check webpki leaves to its caller: a leaf whose keyUsage
//! is present must allow digitalSignature, since a client proves its key
//! by signing CertificateVerify (RFC 5280 §4.2.1.3, RFC 8446 §4.4.3).
//!
//! What a verified chain says of its client (subject common name, SANs,
//! SPIFFE ID) is read from the leaf with [`Certificate`].

use core::fmt;
use core::time::Duration;

use bytes::Bytes;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage as Purpose};

use std::sync::{Arc, OnceLock};

use super::certificate::{Certificate, CertificateError, KeyUsage};
use super::leaf_key::LeafKey;

/// The most certificates a client's chain may hold, leaf included: a
/// private PKI's leaf sits two or three below its root; the cap bounds the
/// path search a client can make the server do.
pub const MAX_CLIENT_CHAIN_LEN: usize = 8;

/// The roots client certificates must chain to: several are allowed.
///
/// ```
/// use stapler::pki::ClientRoots;
///
/// let roots = ClientRoots::from_pem_or_der(include_bytes!(
///     "../../tests/data/client_pki/client-ca.crt"
/// ))?;
/// assert_eq!(roots.len(), 1);
/// # Ok::<(), stapler::pki::CertificateError>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientRoots {
    anchors: Vec<TrustAnchor<'static>>,
    /// Each root's subject, a DER `Name`: what certificate_authorities
    /// lists (RFC 8446 §4.2.4, RFC 5246 §7.4.4).
    subjects: Vec<Bytes>,
    /// The roots themselves: a client's OCSP staple, when its leaf sits
    /// right under a root, is checked with the root's key.
    certs: Vec<Certificate>,
}

impl fmt::Debug for ClientRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientRoots")
            .field("roots", &self.anchors.len())
            .finish()
    }
}

impl ClientRoots {
    /// The roots in `input`: PEM (any number of certificates) or one DER
    /// certificate.
    pub fn from_pem_or_der(input: &[u8]) -> Result<Self, CertificateError> {
        let mut roots = Self::default();
        roots.add_pem_or_der(input)?;
        Ok(roots)
    }

    /// Adds the roots in `input`, PEM or DER.
    pub fn add_pem_or_der(&mut self, input: &[u8]) -> Result<(), CertificateError> {
        let certs = super::pem::certificates_from_pem_or_der(input)?;
        for der in certs {
            let cert = Certificate::from_der(der)?;
            let anchor =
                webpki::anchor_from_trusted_cert(&CertificateDer::from(cert.der().as_ref()))
                    .map_err(|_| CertificateError::BadPublicKey)?
                    .to_owned();
            self.anchors.push(anchor);
            self.subjects.push(Bytes::copy_from_slice(cert.subject()));
            self.certs.push(cert);
        }
        Ok(())
    }

    /// How many roots there are.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Each root's subject as a DER `Name`, in the order added.
    pub fn subjects(&self) -> &[Bytes] {
        &self.subjects
    }

    /// The roots, in the order added.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }

    /// Validates `chain` (leaf first, as the client sent it) at `now`
    /// (seconds since the Unix epoch) for client authentication.
    ///
    /// ```
    /// use stapler::pki::{ClientChainError, ClientRoots};
    ///
    /// let roots = ClientRoots::from_pem_or_der(include_bytes!(
    ///     "../../tests/data/client_pki/client-ca.crt"
    /// ))?;
    /// let leaf = stapler::pki::pem::certificates_from_pem_or_der(include_bytes!(
    ///     "../../tests/data/client_pki/client-ecdsa.crt"
    /// ))?;
    /// let client = roots.verify(&leaf, 1_800_000_000).expect("verifies");
    /// assert_eq!(client.spiffe_id(), Some("spiffe://example.test/workload/a"));
    /// // A century later the certificate has expired.
    /// assert_eq!(
    ///     roots.verify(&leaf, 5_000_000_000).unwrap_err(),
    ///     ClientChainError::Expired
    /// );
    /// # Ok::<(), stapler::pki::CertificateError>(())
    /// ```
    pub fn verify(&self, chain: &[Bytes], now: u64) -> Result<VerifiedClient, ClientChainError> {
        let leaf_der = chain.first().ok_or(ClientChainError::Empty)?;
        let leaf = ClientLeaf::read(leaf_der.clone())?;
        let path = self.verify_path(leaf.key(), chain, now)?;
        Ok(VerifiedClient::by_roots(leaf, path))
    }

    /// [`Self::verify`] with the leaf's key already read (the leaf is
    /// `chain[0]`): the verified path, leaf first, without the root.
    pub(crate) fn verify_path(
        &self,
        leaf: &LeafKey,
        chain: &[Bytes],
        now: u64,
    ) -> Result<Vec<Bytes>, ClientChainError> {
        let (leaf_der, intermediates) = chain.split_first().ok_or(ClientChainError::Empty)?;
        if chain.len() > MAX_CLIENT_CHAIN_LEN {
            return Err(ClientChainError::TooLong);
        }
        let leaf_ref = CertificateDer::from(leaf_der.as_ref());
        let end_entity = EndEntityCert::try_from(&leaf_ref).map_err(ClientChainError::from)?;
        let intermediates: Vec<CertificateDer<'_>> = intermediates
            .iter()
            .map(|c| CertificateDer::from(c.as_ref()))
            .collect();
        let path = end_entity
            .verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &self.anchors,
                &intermediates,
                UnixTime::since_unix_epoch(Duration::from_secs(now)),
                Purpose::client_auth(),
                None,
                None,
            )
            .map_err(ClientChainError::from)?;
        if leaf
            .key_usage
            .is_some_and(|ku| !ku.contains(KeyUsage::DIGITAL_SIGNATURE))
        {
            return Err(ClientChainError::NotForClientAuth);
        }
        let mut verified = Vec::with_capacity(chain.len());
        verified.push(leaf_der.clone());
        for cert in path.intermediate_certificates() {
            // The path's intermediates are some of those the client sent.
            if let Some(sent) = chain.iter().find(|c| c.as_ref() == cert.der().as_ref()) {
                verified.push(sent.clone());
            }
        }
        Ok(verified)
    }
}

/// A client's leaf certificate in a handshake: its key read at once (the
/// CertificateVerify needs it, and rustls-webpki checks the structure of a
/// chain it verifies), the rest parsed when first wanted, so that a
/// handshake that reads no name pays for none.
#[derive(Clone, Debug)]
pub(crate) struct ClientLeaf {
    der: Bytes,
    key: LeafKey,
    parsed: OnceLock<Result<Certificate, CertificateError>>,
}

impl ClientLeaf {
    /// Reads `der`'s key: bad_certificate if even that fails.
    pub(crate) fn read(der: Bytes) -> Result<Self, ClientChainError> {
        let key = LeafKey::read(&der).map_err(|e| ClientChainError::Malformed(e.to_string()))?;
        Ok(Self {
            der,
            key,
            parsed: OnceLock::new(),
        })
    }

    pub(crate) fn key(&self) -> &LeafKey {
        &self.key
    }

    /// The whole certificate, parsed once, strictly.
    pub(crate) fn parse(&self) -> Result<&Certificate, ClientChainError> {
        self.parsed
            .get_or_init(|| Certificate::from_der(self.der.clone()))
            .as_ref()
            .map_err(|e| ClientChainError::Malformed(e.to_string()))
    }
}

/// A client whose certificate was accepted: the chain, and what the leaf
/// says of its client. Who vouched for it is [`Self::verified_by`].
///
/// The leaf is parsed the first time a name is asked for, not during the
/// handshake (a handshake that needs no name pays for none): the first
/// call to [`Self::leaf`] or a name costs a few microseconds.
#[derive(Clone, Debug)]
pub struct VerifiedClient(Arc<Accepted>);

/// What a [`VerifiedClient`] holds, shared: a handshake summary carries a
/// pointer, not the chain.
#[derive(Debug)]
struct Accepted {
    leaf: ClientLeaf,
    chain: Vec<Bytes>,
    by: VerifiedBy,
}

impl PartialEq for VerifiedClient {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&*self.0, &*other.0);
        a.by == b.by && a.chain == b.chain && a.leaf.der == b.leaf.der
    }
}

impl Eq for VerifiedClient {}

/// Who accepted a client's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifiedBy {
    /// The chain verified to a configured root ([`ClientRoots::verify`]).
    Roots,
    /// The application accepted it, answering the client verification
    /// event, though the chain did not verify to a configured root or
    /// none were configured (see
    /// [`VerifyClientRequest`](crate::server::VerifyClientRequest)).
    Application,
}

impl VerifiedClient {
    /// A chain that verified to a root: `path` is leaf first, no root.
    pub(crate) fn by_roots(leaf: ClientLeaf, path: Vec<Bytes>) -> Self {
        Self(Arc::new(Accepted {
            leaf,
            chain: path,
            by: VerifiedBy::Roots,
        }))
    }

    /// A chain the application accepted, as the client sent it.
    pub(crate) fn by_application(leaf: ClientLeaf, chain: Vec<Bytes>) -> Self {
        Self(Arc::new(Accepted {
            leaf,
            chain,
            by: VerifiedBy::Application,
        }))
    }

    /// Who accepted the certificate: the configured roots, or the
    /// application.
    pub fn verified_by(&self) -> VerifiedBy {
        self.0.by
    }

    /// The client's certificate, parsed (on the first call); `None` if
    /// stapler's parser refuses it though its chain verified (an extension
    /// it reads is malformed: rustls-webpki does not read them all).
    pub fn leaf(&self) -> Option<&Certificate> {
        self.0.leaf.parse().ok()
    }

    /// The client's certificate, DER, as it was sent.
    pub fn leaf_der(&self) -> &Bytes {
        &self.0.leaf.der
    }

    /// The chain, leaf first: the verified path without the root, or, when
    /// the application accepted it, the chain as the client sent it.
    pub fn chain(&self) -> &[Bytes] {
        &self.0.chain
    }

    /// The leaf subject's common name, if any.
    pub fn common_name(&self) -> Option<&str> {
        self.leaf().and_then(Certificate::common_name)
    }

    /// The leaf's dNSName SANs.
    pub fn dns_names(&self) -> &[String] {
        self.leaf().map_or(&[], Certificate::dns_names)
    }

    /// The leaf's URI SANs.
    pub fn uris(&self) -> &[String] {
        self.leaf().map_or(&[], Certificate::uris)
    }

    /// The leaf's SPIFFE ID, if it is an X.509-SVID (one `spiffe://` URI).
    pub fn spiffe_id(&self) -> Option<&str> {
        self.leaf().and_then(Certificate::spiffe_id)
    }
}

/// Why a client's chain was refused. Each maps to the TLS alert that says
/// so exactly (see `Error::alert` at the crate root).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientChainError {
    /// No certificate at all.
    Empty,
    /// More than [`MAX_CLIENT_CHAIN_LEN`] certificates. Alert:
    /// bad_certificate.
    TooLong,
    /// No path to a configured root. Alert: unknown_ca.
    UnknownIssuer,
    /// A certificate of the path had expired at the time given. Alert:
    /// certificate_expired.
    Expired,
    /// A certificate of the path was not valid yet. Alert:
    /// certificate_expired ("not currently valid", RFC 5246 §7.2.2).
    NotYetValid,
    /// A certificate of the path is revoked. Alert: certificate_revoked.
    Revoked,
    /// The leaf may not authenticate a client: an extended key usage
    /// without clientAuth, or a keyUsage without digitalSignature.
    /// Alert: unsupported_certificate.
    NotForClientAuth,
    /// A name of the leaf is outside an issuer's name constraints (RFC
    /// 5280 §4.2.1.10). Alert: bad_certificate.
    NameConstraints,
    /// A signature of the path does not verify. Alert: bad_certificate.
    BadSignature,
    /// Malformed, or invalid for another reason (said). Alert:
    /// bad_certificate.
    Malformed(String),
    /// The server requires a good OCSP staple from its clients
    /// (`ClientStaplePolicy::Require`) and none came: absent, unknown,
    /// invalid, or a TLS 1.2 client, which cannot staple. Alert:
    /// bad_certificate_status_response (RFC 8446 §6.2: an unacceptable
    /// OCSP response, here the client's).
    NoGoodStaple,
}

impl fmt::Display for ClientChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the client sent no certificate"),
            Self::TooLong => write!(
                f,
                "the client's chain is longer than {MAX_CLIENT_CHAIN_LEN} certificates"
            ),
            Self::UnknownIssuer => f.write_str("the client's chain leads to no configured root"),
            Self::Expired => f.write_str("a certificate of the client's chain has expired"),
            Self::NotYetValid => {
                f.write_str("a certificate of the client's chain is not yet valid")
            }
            Self::Revoked => f.write_str("a certificate of the client's chain is revoked"),
            Self::NotForClientAuth => {
                f.write_str("the client's certificate is not for client authentication")
            }
            Self::NameConstraints => {
                f.write_str("the client's certificate breaks an issuer's name constraints")
            }
            Self::BadSignature => f.write_str("a signature in the client's chain does not verify"),
            Self::Malformed(why) => write!(f, "the client's certificate is invalid: {why}"),
            Self::NoGoodStaple => {
                f.write_str("the client stapled no verified good OCSP response, and must")
            }
        }
    }
}

impl std::error::Error for ClientChainError {}

impl From<webpki::Error> for ClientChainError {
    fn from(e: webpki::Error) -> Self {
        use webpki::Error as W;
        match e {
            W::UnknownIssuer => Self::UnknownIssuer,
            W::CertExpired { .. } => Self::Expired,
            W::CertNotValidYet { .. } => Self::NotYetValid,
            W::CertRevoked => Self::Revoked,
            W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => Self::NotForClientAuth,
            W::NameConstraintViolation => Self::NameConstraints,
            W::InvalidSignatureForPublicKey => Self::BadSignature,
            other => Self::Malformed(format!("{other:?}")),
        }
    }
}
