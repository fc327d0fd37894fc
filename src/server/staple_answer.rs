//! The [`StapleCache`] methods that meet the server: filling the cache
//! from a [`ServerConfig`], and answering an [`OcspRequest`] from it. They
//! live here so that the OCSP toolkit never imports the server; they use
//! only the cache's public API.

use bytes::Bytes;

use crate::ocsp::{CacheError, StapleCache};
use crate::server::{Completion, OcspRequest, ServerConfig};

impl StapleCache {
    /// Adds every certificate of `config` that has a known issuer and an
    /// OCSP responder; returns those left out and why.
    pub fn add_config(&mut self, config: &ServerConfig, now: u64) -> Vec<(Bytes, CacheError)> {
        self.add_config_from(config, None, now)
    }

    /// [`Self::add_config`], asking the responder at `url` for every
    /// certificate instead of the one each certificate's AIA names: for
    /// an OCSP proxy or a responder the AIA does not name (nginx's
    /// `ssl_stapling_responder`).
    pub fn add_config_with_responder(
        &mut self,
        config: &ServerConfig,
        url: &str,
        now: u64,
    ) -> Vec<(Bytes, CacheError)> {
        self.add_config_from(config, Some(url), now)
    }

    fn add_config_from(
        &mut self,
        config: &ServerConfig,
        url: Option<&str>,
        now: u64,
    ) -> Vec<(Bytes, CacheError)> {
        let mut skipped = Vec::new();
        for key in config.certificates() {
            let leaf = key.leaf_der().clone();
            let Some(issuer) = key.issuer_der() else {
                skipped.push((leaf, CacheError::NoIssuer));
                continue;
            };
            if let Err(e) = self.add(leaf.clone(), issuer.clone(), url, now) {
                skipped.push((leaf, e));
            }
        }
        skipped
    }

    /// Answers an [`OcspRequest`] from memory: the staple when a fresh one
    /// is held, otherwise no staple. Never waits, never aborts.
    pub fn answer(&self, request: OcspRequest, now: u64) -> Completion {
        let staple = self.staple(request.certificate(), now);
        request.answer(staple)
    }
}
