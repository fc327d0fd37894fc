//! Bounds on what a peer can make a connection do without progress: alerts
//! that are ignored, compatibility change_cipher_spec records, and 0-RTT
//! data that is skipped. Each limit is a named constant with its reason;
//! the counters live in [`PeerLimits`], one per connection.
//!
//! (The size limits of messages and records live with the codec:
//! [`MAX_CLIENT_HELLO_LEN`](crate::codec::MAX_CLIENT_HELLO_LEN) and the
//! record lengths of RFC 8446 §5.)

use crate::error::{Error, InvalidMessage, PeerMisbehaved};

/// How many alerts in a row the connection ignores before it gives up on
/// the peer: TLS 1.2 warning alerts (RFC 5246 §7.2) and TLS 1.3
/// user_canceled (RFC 8446 §6.1), with no handshake message or application
/// data between them.
///
/// A warning costs the peer seven bytes and the server a record's work, and
/// says nothing the connection needs; a stream of them is how CVE-2016-8610
/// kept OpenSSL servers spinning. No client sends more than one or two in a
/// row in earnest, so the fifth is met with unexpected_message.
pub const MAX_IGNORED_ALERTS: u8 = 4;

/// How many change_cipher_spec records a TLS 1.3 handshake accepts and
/// drops. RFC 8446 Appendix D.4 has a client in middlebox-compatibility
/// mode send exactly one (after its first ClientHello when it offers early
/// data; otherwise before its second ClientHello or before its encrypted
/// flight); §5 says to drop it. A second one is no compatibility measure,
/// and is met with unexpected_message.
pub const MAX_COMPAT_CCS: u8 = 1;

/// How many bytes of 0-RTT records (headers, ciphertext and tags) the
/// server skips when it does not accept early data (RFC 8446 §4.2.10),
/// before it gives up: 2^17 bytes, 128 KiB.
///
/// This server issues no tickets, so the early data it sees was meant for
/// another server, up to the max_early_data_size of that server's ticket
/// (RFC 8446 §4.6.1), counted in plaintext bytes. 16 KiB, one full record,
/// is a common setting; the limit leaves room for eight times that, and for
/// the per-record overhead of a client that sends it in small records.
/// Skipped records are never buffered: each is tried (after a 1-RTT
/// ServerHello) or passed over (after a HelloRetryRequest) as it arrives,
/// so the limit bounds wasted work, not memory. Past it the connection
/// ends with bad_record_mac after a ServerHello, as a record that fails
/// authentication would, and with unexpected_message after a
/// HelloRetryRequest (§4.6.1: too much 0-RTT data).
pub const MAX_SKIPPED_EARLY_DATA: usize = 1 << 17;

/// How many TLS 1.3 KeyUpdates in a row, with no application data between
/// them, the connection follows (RFC 8446 §4.6.3).
///
/// Each costs the server a key derivation and, when the client asks, a
/// KeyUpdate of its own. A client updates its keys to stay within its
/// AEAD's limits (§5.5, millions of records) or on a timer, not over and
/// over with nothing sent between; BoringSSL (`kMaxKeyUpdates`) and rustls
/// draw the line at 32, and so does this server. The 33rd is met with
/// unexpected_message.
pub const MAX_KEY_UPDATES_IN_A_ROW: u8 = 32;

/// How the connection treats application_data records that may be 0-RTT
/// data it does not accept (RFC 8446 §4.2.10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum EarlyData {
    /// No early data was offered, or its window has closed.
    #[default]
    None,
    /// After a HelloRetryRequest: every application_data record is skipped
    /// until the second ClientHello arrives.
    SkipUntilHello,
    /// After a 1-RTT ServerHello: records that fail to open with the
    /// client's handshake key are skipped; the first that opens ends the
    /// window.
    TrialDecrypt,
}

/// The counters behind the limits above.
#[derive(Debug, Default)]
pub(crate) struct PeerLimits {
    ignored_alerts: u8,
    compat_ccs: u8,
    pub(crate) early_data: EarlyData,
    early_data_skipped: usize,
    key_updates: u8,
}

impl PeerLimits {
    /// One more alert ignored; an error past [`MAX_IGNORED_ALERTS`].
    pub(crate) fn alert_ignored(&mut self) -> Result<(), Error> {
        self.ignored_alerts = self.ignored_alerts.saturating_add(1);
        if self.ignored_alerts > MAX_IGNORED_ALERTS {
            return Err(PeerMisbehaved::TooManyWarningAlerts.into());
        }
        Ok(())
    }

    /// The peer made progress (a handshake message, application data): the
    /// alerts ignored so far were not a flood.
    pub(crate) fn progress(&mut self) {
        self.ignored_alerts = 0;
    }

    /// One more KeyUpdate since the last application data; an error past
    /// [`MAX_KEY_UPDATES_IN_A_ROW`].
    pub(crate) fn key_update(&mut self) -> Result<(), Error> {
        self.key_updates = self.key_updates.saturating_add(1);
        if self.key_updates > MAX_KEY_UPDATES_IN_A_ROW {
            return Err(PeerMisbehaved::TooManyKeyUpdates.into());
        }
        Ok(())
    }

    /// Application data arrived: the KeyUpdates so far were not a flood.
    pub(crate) fn application_data(&mut self) {
        self.progress();
        self.key_updates = 0;
    }

    /// One more compatibility change_cipher_spec dropped; an error past
    /// [`MAX_COMPAT_CCS`].
    pub(crate) fn compat_ccs(&mut self) -> Result<(), Error> {
        self.compat_ccs = self.compat_ccs.saturating_add(1);
        if self.compat_ccs > MAX_COMPAT_CCS {
            return Err(PeerMisbehaved::TooManyChangeCipherSpecs.into());
        }
        Ok(())
    }

    /// A record of `len` bytes on the wire skipped as early data; past
    /// [`MAX_SKIPPED_EARLY_DATA`], the error for the current window.
    pub(crate) fn early_data_skipped(&mut self, len: usize) -> Result<(), Error> {
        self.early_data_skipped = self.early_data_skipped.saturating_add(len);
        if self.early_data_skipped <= MAX_SKIPPED_EARLY_DATA {
            return Ok(());
        }
        Err(match self.early_data {
            EarlyData::TrialDecrypt => InvalidMessage::DecryptFailed.into(),
            _ => PeerMisbehaved::TooMuchEarlyData.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_counted_in_a_row() {
        let mut limits = PeerLimits::default();
        for _ in 0..3 {
            for _ in 0..MAX_IGNORED_ALERTS {
                assert!(limits.alert_ignored().is_ok());
            }
            limits.progress();
        }
        for _ in 0..MAX_IGNORED_ALERTS {
            assert!(limits.alert_ignored().is_ok());
        }
        assert_eq!(
            limits.alert_ignored(),
            Err(PeerMisbehaved::TooManyWarningAlerts.into())
        );
    }

    #[test]
    fn early_data_past_the_limit_fails_as_its_window_says() {
        for (window, error) in [
            (
                EarlyData::TrialDecrypt,
                Error::from(InvalidMessage::DecryptFailed),
            ),
            (
                EarlyData::SkipUntilHello,
                PeerMisbehaved::TooMuchEarlyData.into(),
            ),
        ] {
            let mut limits = PeerLimits {
                early_data: window,
                ..PeerLimits::default()
            };
            assert!(limits.early_data_skipped(MAX_SKIPPED_EARLY_DATA).is_ok());
            assert_eq!(limits.early_data_skipped(1), Err(error));
        }
    }
}
