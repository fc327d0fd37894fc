//! The application's answers to the decisions a handshake pauses for, as
//! async methods, and a handler that staples from a [`StapleCache`].

use std::future::Future;
use std::sync::{Arc, Mutex};

use stapler::ocsp::StapleCache;
use stapler::server::VerifyClientRequest;
use stapler::{CertificateSelection, Completion, OcspRequest, SignRequest};

/// Answers each decision a handshake pauses for. Every method has a
/// default, so a handler implements only what its config turns on:
///
/// - [`Handler::ocsp`]: no staple (`answer(None)`); see
///   [`CacheHandler`] for stapling from a [`StapleCache`];
/// - [`Handler::select_certificate`]: the config's own choice;
/// - [`Handler::sign`]: refuses (a remote key needs a signer);
/// - [`Handler::verify_client`]: accepts what the config's roots verified.
///
/// A method may take as long as it likes; the acceptor's handshake timeout
/// bounds the whole handshake, answers included.
///
/// ```
/// use stapler::{Completion, OcspRequest};
///
/// struct FromDisk;
///
/// impl stapler_tokio::Handler for FromDisk {
///     async fn ocsp(&self, request: OcspRequest) -> Completion {
///         // A real server fetches from the responder, or a cache.
///         let staple = std::fs::read("staple.der").ok().map(Into::into);
///         request.answer(staple)
///     }
/// }
/// ```
pub trait Handler: Send + Sync {
    /// The client asked for a staple ([`stapler::Event::OcspRequest`]).
    fn ocsp(&self, request: OcspRequest) -> impl Future<Output = Completion> + Send {
        async move { request.answer(None) }
    }

    /// The config asks the application to choose a certificate
    /// ([`stapler::Event::SelectCertificate`]).
    fn select_certificate(
        &self,
        request: CertificateSelection,
    ) -> impl Future<Output = Completion> + Send {
        async move { request.use_default() }
    }

    /// A remote key must sign ([`stapler::Event::SignRequest`]).
    fn sign(&self, request: SignRequest) -> impl Future<Output = Completion> + Send {
        async move { request.abort("no signer in this handler") }
    }

    /// The client's certificate is the application's to judge
    /// ([`stapler::Event::VerifyClient`]).
    fn verify_client(
        &self,
        request: VerifyClientRequest,
    ) -> impl Future<Output = Completion> + Send {
        async move { request.accept() }
    }
}

/// The handler of a server that staples but decides nothing else: every
/// OCSP request is answered at once from a [`StapleCache`] (which the
/// application keeps fresh, e.g. with its `poll_fetch` on a timer), at the
/// system clock's time.
#[derive(Clone)]
pub struct CacheHandler {
    cache: Arc<Mutex<StapleCache>>,
}

impl CacheHandler {
    /// Answers from `cache`.
    pub fn new(cache: Arc<Mutex<StapleCache>>) -> Self {
        Self { cache }
    }
}

impl Handler for CacheHandler {
    async fn ocsp(&self, request: OcspRequest) -> Completion {
        let now = crate::unix_now();
        match self.cache.lock() {
            Ok(cache) => cache.answer(request, now),
            // A panic while another task held the cache: no staple rather
            // than a dead server.
            Err(_) => request.answer(None),
        }
    }
}
