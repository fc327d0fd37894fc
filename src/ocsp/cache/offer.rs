//! [`StapleCache::offer`]: a response obtained elsewhere, such as another
//! server's fetch kept in a store a fleet shares, answering a fetch
//! without going to the responder.

use bytes::Bytes;

use super::{FetchId, Rejection, StapleCache, UnknownFetch, Update};

/// What [`StapleCache::offer`] did with a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Offer {
    /// The response verified and is newer than the one held: it is the
    /// staple now, and the fetch is answered (not to be done).
    Taken(Update),
    /// Not taken, for this reason. Nothing changed: the fetch is still
    /// out, for the application to do after all.
    Refused(Rejection),
}

impl StapleCache {
    /// Answers the outstanding fetch `id` with `response`, a DER OCSP
    /// response that came from somewhere other than the responder: from
    /// another server, through a store a fleet shares. It is parsed and
    /// verified against the certificate and its issuer at `now`, as a
    /// fetched one is, and taken only if it is strictly newer than the
    /// response held (the same response again would not refresh
    /// anything). When it is not taken nothing changes, so the fetch can
    /// still be done and its result given to
    /// [`Self::handle_fetch_result`].
    ///
    /// ```
    /// # use stapler::ocsp::{CachePolicy, Offer, OcspResponse, StapleCache};
    /// # let pem = |bytes: &[u8]| stapler::pki::pem::certificates_from_pem(bytes).map(|c| c[0].clone());
    /// # let leaf = pem(include_bytes!("../../../tests/data/ocsp/leaf-good.crt"))?;
    /// # let ca = pem(include_bytes!("../../../tests/data/ocsp/ca.crt"))?;
    /// # let good = include_bytes!("../../../tests/data/ocsp/good.der");
    /// # let now = OcspResponse::parse(&good[..])?.produced_at() + 60;
    /// # let mut cache = StapleCache::new(CachePolicy::default());
    /// cache.add(leaf, ca, Some("http://127.0.0.1:8888/"), now)?;
    /// let fetch = cache.poll_fetch(now).unwrap();
    /// // Another server fetched this certificate's response already.
    /// let shared = bytes::Bytes::from_static(good);
    /// match cache.offer(fetch.id(), now, shared.clone())? {
    ///     Offer::Taken(update) => println!("no fetch needed: {update:?}"),
    ///     Offer::Refused(why) => println!("fetching after all: {why}"),
    /// }
    /// assert_eq!(cache.staple(fetch.certificate(), now), Some(shared));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn offer(&mut self, id: FetchId, now: u64, response: Bytes) -> Result<Offer, UnknownFetch> {
        let index = self.awaiting(id)?;
        let staple = match self.check(index, response, now) {
            Ok(staple) => staple,
            Err(reason) => return Ok(Offer::Refused(reason)),
        };
        let held = self
            .entries
            .get(index)
            .and_then(|e| e.staple.as_ref())
            .map(|s| s.verified.this_update);
        if let Some(held) = held {
            if staple.verified.this_update <= held {
                return Ok(Offer::Refused(Rejection::NotNewer { this_update: held }));
            }
        }
        Ok(Offer::Taken(self.answered(index, staple, now)))
    }
}
