//! HelloRetryRequest (RFC 8446 §4.1.4) and the second ClientHello that
//! answers it (§4.1.2).
//!
//! The retry pins the suite and group for the rest of the handshake, and
//! the second hello must be the first one again, changed only as §4.1.2
//! allows. The first hello is not kept (it may be 131 KB): a SHA-256
//! digest of what must not change stands in for it.

use ring::digest;

use super::{
    messages, record_ends_here, send_compat_ccs, try_resume, AfterHello, Deferred, Final, Flight,
};
use crate::codec::ClientHello;
use crate::crypto::suites::Tls13Suite;
use crate::crypto::transcript::Transcript;
use crate::enums::{ExtensionType, NamedGroup};
use crate::error::{Error, PeerMisbehaved};
use crate::server::config::ServerConfig;
use crate::server::hello::{self, CertSource, KxFixed, SessionId};
use crate::server::limits::EarlyData;
use crate::server::output::Output;
use crate::server::state::Input;

/// What a HelloRetryRequest fixed for the rest of the handshake.
#[derive(Clone, Copy)]
pub(crate) struct RetryPins {
    suite: &'static Tls13Suite,
    group: NamedGroup,
    /// Whether the compatibility change_cipher_spec followed the retry.
    pub(super) ccs_sent: bool,
}

impl RetryPins {
    /// Whether a choice keeps the suite and group the retry asked for.
    pub(super) fn check(&self, kx: &KxFixed) -> Result<(), ()> {
        if core::ptr::eq(kx.suite, self.suite) && kx.group == self.group {
            Ok(())
        } else {
            Err(())
        }
    }
}

/// After a HelloRetryRequest: what the second ClientHello must match.
pub(crate) struct ExpectRetryHello {
    pins: RetryPins,
    first_hello: HelloFingerprint,
    transcript: Transcript,
}

/// HelloRetryRequest (RFC 8446 §4.1.4): ask `hello`'s client for a share
/// in the chosen group.
pub(super) fn send_hello_retry(
    kx: &KxFixed,
    hello: &ClientHello<'_>,
    mut transcript: Transcript,
    out: &mut Output,
) -> Result<AfterHello, Error> {
    transcript.replace_with_message_hash();
    let session_id = SessionId::new(hello.session_id());
    let session_id = session_id.as_bytes()?;
    out.message(&mut transcript, |w| {
        messages::server_hello(
            w,
            &messages::ServerHello {
                random: &messages::HRR_RANDOM,
                session_id,
                suite: kx.suite.suite.to_wire(),
                key_share: messages::KeyShareField::Retry {
                    group: kx.group.to_wire(),
                },
                psk: None,
            },
        )
    })?;
    let ccs_sent = send_compat_ccs(false, session_id, out)?;
    Ok(AfterHello::Retry(Box::new(ExpectRetryHello {
        pins: RetryPins {
            suite: kx.suite,
            group: kx.group,
            ccs_sent,
        },
        first_hello: HelloFingerprint::of(hello),
        transcript,
    })))
}

impl ExpectRetryHello {
    /// The second ClientHello (RFC 8446 §4.1.2), parsed by the driver.
    /// With `defer`, as for the first.
    pub(crate) fn second_hello(
        self: Box<Self>,
        config: &ServerConfig,
        hello: &ClientHello<'_>,
        input: Input<'_>,
        defer: bool,
        out: &mut Output,
    ) -> Result<Final, Error> {
        let pins = self.pins;
        // The early data of the first hello, if any, ends here.
        out.early_data(EarlyData::None);
        // "Early data is not permitted after a HelloRetryRequest"
        // (§4.1.2): the second hello must drop the extension.
        if hello.early_data() {
            return Err(PeerMisbehaved::EarlyDataAfterRetry.into());
        }
        // The second hello must answer the retry: exactly one share, for
        // the requested group (§4.1.2, §4.2.8), and be the first hello
        // otherwise, so it still offers TLS 1.3 and the chosen suite.
        let shares = hello.key_share();
        let one_share = shares.is_some_and(|s| s.iter().count() == 1);
        if !one_share || shares.and_then(|s| s.find(pins.group.to_wire())).is_none() {
            return Err(PeerMisbehaved::RetryWithoutRequestedShare.into());
        }
        if HelloFingerprint::of(hello) != self.first_hello {
            return Err(PeerMisbehaved::RetryChangedHello.into());
        }
        if let Some(resumed) = try_resume(config, hello, input, Some((&self.transcript, pins)))? {
            return Ok(Final::Resumed(resumed));
        }
        let chosen = if defer {
            pins.check(&hello::choose_key_exchange(config, hello)?.fixed())
                .map_err(|()| PeerMisbehaved::RetryChangedHello)?;
            None
        } else {
            let chosen = hello::choose(config, hello, CertSource::Config)?;
            pins.check(&KxFixed::of(&chosen))
                .map_err(|()| PeerMisbehaved::RetryChangedHello)?;
            Some(chosen)
        };
        let mut transcript = self.transcript;
        transcript.add(input.message.encoded);
        record_ends_here(input.followed)?;
        Ok(match chosen {
            Some(chosen) => Final::Chosen(Flight::after_retry(chosen, transcript, pins)),
            None => Final::Deferred(Deferred {
                transcript,
                retry: Some(pins),
            }),
        })
    }
}

/// A digest of what a second ClientHello must repeat of the first.
///
/// RFC 8446 §4.1.2: "the client MUST send the same ClientHello without
/// modification, except as follows": key_share may hold the one share
/// asked for, early_data must go, a cookie the retry carried comes back,
/// pre_shared_key gets new ages and binders and may lose the PSKs the
/// retry's suite cannot use (all of them: rustls then drops the
/// extension), and padding may come, go or change length. So everything
/// else is covered: legacy_version, random, legacy_session_id,
/// cipher_suites, legacy_compression_methods, and every extension (GREASE
/// ones too) in its place, by type and body; key_share by type and place
/// only; pre_shared_key (always last), padding, early_data and cookie not
/// at all. A client that changed anything else has not sent the same
/// hello, and gets illegal_parameter (§6.2).
#[derive(Clone, Copy, PartialEq, Eq)]
struct HelloFingerprint([u8; FINGERPRINT_LEN]);

/// SHA-256's output: the digest is kept, not the hello.
const FINGERPRINT_LEN: usize = 32;

impl HelloFingerprint {
    fn of(hello: &ClientHello<'_>) -> Self {
        let mut ctx = digest::Context::new(&digest::SHA256);
        // Each variable-length piece goes in after its length, so no two
        // different hellos feed the same bytes.
        let mut put = |bytes: &[u8]| {
            ctx.update(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
            ctx.update(bytes);
        };
        put(&hello.legacy_version().to_be_bytes());
        put(hello.random());
        put(hello.session_id());
        put(hello.cipher_suites().raw());
        put(hello.compression_methods());
        for (typ, body) in hello.extensions_with_grease() {
            match typ {
                ExtensionType::Padding
                | ExtensionType::EarlyData
                | ExtensionType::Cookie
                | ExtensionType::PreSharedKey => {}
                ExtensionType::KeyShare => {
                    put(&typ.to_wire().to_be_bytes());
                }
                _ => {
                    put(&typ.to_wire().to_be_bytes());
                    put(body);
                }
            }
        }
        let mut bytes = [0; FINGERPRINT_LEN];
        for (dst, src) in bytes.iter_mut().zip(ctx.finish().as_ref()) {
            *dst = *src;
        }
        Self(bytes)
    }
}
