//! The driver's record dispatch: which record types are allowed when,
//! protected records opened in place (and 0-RTT records skipped, RFC 8446
//! §4.2.10), change_cipher_spec checked, alerts judged (close_notify,
//! warnings, half-close), handshake bytes handed to the joiner, and the
//! place of received application data reported to the connection.

use core::ops::Range;

use crate::codec::{
    split_handshake, Alert, AlertDescription, AlertLevel, ContentType, HandshakeJoiner,
    RecordHeader, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN,
};
use crate::error::{Error, InvalidMessage, PeerMisbehaved};
use crate::server::driver::{Core, State};
use crate::server::events::{CloseReason, Event};
use crate::server::limits::EarlyData;
use crate::server::record_layer::range_within;
use crate::server::tls13;

impl Core {
    /// Handles one record, its fragment decrypted in place when the
    /// client's records are protected: handshake bytes go to `joiner`,
    /// alerts are judged, change_cipher_spec is checked.
    ///
    /// Returns where, in `fragment`, the application data of an
    /// application_data record lies once opened (it is left there for the
    /// application to read); `None` for every other record and for empty
    /// data.
    pub(crate) fn handle_record(
        &mut self,
        header: RecordHeader,
        fragment: &mut [u8],
        joiner: &mut HandshakeJoiner,
    ) -> Result<Option<Range<usize>>, Error> {
        if header.content_type == ContentType::ChangeCipherSpec {
            if fragment != [1] {
                return Err(PeerMisbehaved::BadChangeCipherSpec.into());
            }
            return self.change_cipher_spec(joiner).map(|()| None);
        }
        let early_data = header.content_type == ContentType::ApplicationData
            && self.limits.early_data != EarlyData::None;
        // What a skipped 0-RTT record counts against its limit.
        let on_the_wire = RECORD_HEADER_LEN + fragment.len();
        if early_data && self.limits.early_data == EarlyData::SkipUntilHello {
            // After a HelloRetryRequest no key can open 0-RTT data: pass
            // it over unread until the second ClientHello (RFC 8446
            // §4.2.10).
            return self.limits.early_data_skipped(on_the_wire).map(|()| None);
        }
        // Where the fragment lies, to say where its plaintext is once it
        // has been opened in place.
        let fragment_at = fragment.as_ptr() as usize;
        let fragment_len = fragment.len();
        let has_decrypter = self.output.has_decrypter();
        let in_traffic = self.in_traffic();
        let (typ, plaintext): (ContentType, &[u8]) = match self.output.decrypter_mut() {
            Some(dec) if early_data => match dec.open(&header, fragment) {
                // The first record that opens with the handshake key is the
                // client's second flight: the early data is behind us.
                Ok(opened) => {
                    self.limits.early_data = EarlyData::None;
                    opened
                }
                // 0-RTT data under a key this server never had: skip it
                // (RFC 8446 §4.2.10), within the limit.
                Err(Error::InvalidMessage(InvalidMessage::DecryptFailed)) => {
                    return self.limits.early_data_skipped(on_the_wire).map(|()| None);
                }
                Err(e) => return Err(e),
            },
            Some(dec) if dec.protects(header.content_type) => dec.open(&header, fragment)?,
            _ => {
                if fragment.len() > MAX_PLAINTEXT_LEN {
                    return Err(InvalidMessage::RecordOverflow {
                        len: fragment.len(),
                        max: MAX_PLAINTEXT_LEN,
                    }
                    .into());
                }
                // Unprotected records: handshake before keys, and alerts
                // from a client that could not process the server's flight.
                let allowed = match header.content_type {
                    ContentType::Handshake => !has_decrypter,
                    ContentType::Alert => !in_traffic,
                    _ => false,
                };
                if !allowed {
                    return Err(InvalidMessage::UnexpectedContentType(header.content_type).into());
                }
                (header.content_type, &*fragment)
            }
        };
        if typ != ContentType::Handshake {
            interleave_check(joiner, typ)?;
        }
        match typ {
            ContentType::Handshake => self
                .handle_handshake_fragment(plaintext, joiner)
                .map(|()| None),
            ContentType::Alert => self.handle_alert(Alert::parse(plaintext)?).map(|()| None),
            ContentType::ApplicationData if in_traffic => {
                self.limits.application_data();
                Ok(range_within(fragment_at, fragment_len, plaintext))
            }
            other => Err(InvalidMessage::UnexpectedContentType(other).into()),
        }
    }

    /// A change_cipher_spec (its one 0x01 byte checked): TLS 1.2's key
    /// change (RFC 5246 §7.1); otherwise TLS 1.3's compatibility record,
    /// dropped in the window RFC 8446 §5 allows (after the first
    /// ClientHello, before the client's Finished), or out of turn.
    fn change_cipher_spec(&mut self, joiner: &HandshakeJoiner) -> Result<(), Error> {
        // The state is only taken out (a copy of the whole enum, paused
        // variant included) when it is TLS 1.2's; TLS 1.3's compatibility
        // record leaves it where it is.
        if matches!(self.state, State::Tls12(_)) {
            if let State::Tls12(state) = core::mem::replace(&mut self.state, State::Closed) {
                let partial = joiner.has_partial_message();
                self.state =
                    State::Tls12(self.step(|_, out| state.change_cipher_spec(partial, out))?);
            }
            return Ok(());
        }
        interleave_check(joiner, ContentType::ChangeCipherSpec)?;
        match self.state {
            State::ExpectRetryHello(_)
            | State::Paused(_)
            // Before the client's second flight (RFC 8446 Appendix D.4),
            // which begins with its Certificate when one was asked for.
            | State::Tls13(tls13::State::ExpectFinished(_) | tls13::State::ExpectCertificate(_)) => {
                self.limits.compat_ccs()
            }
            _ => Err(PeerMisbehaved::BadChangeCipherSpec.into()),
        }
    }

    /// Hands over the handshake messages of one record. When no message is
    /// partly buffered, the whole messages in it are handled where they lie
    /// (a ClientHello or a Finished is never copied); the joiner keeps only
    /// what must wait: a message continued in the next record, or whatever
    /// follows a message after which the handshake paused or closed.
    fn handle_handshake_fragment(
        &mut self,
        mut fragment: &[u8],
        joiner: &mut HandshakeJoiner,
    ) -> Result<(), Error> {
        if !joiner.has_partial_message() {
            while self.is_running() {
                let Some((message, used)) = split_handshake(fragment)? else {
                    break;
                };
                let rest = fragment.get(used..).unwrap_or_default();
                self.handle_message(message, !rest.is_empty())?;
                fragment = rest;
            }
        }
        joiner.push(fragment)?;
        Ok(())
    }

    fn handle_alert(&mut self, alert: Alert) -> Result<(), Error> {
        match alert.description {
            // TLS 1.3 lets a close_notify close only the sender's side
            // (RFC 8446 §6.1), when the application asked for that.
            AlertDescription::CloseNotify
                if self.config.half_close
                    && matches!(&self.state, State::Tls13(s) if s.is_traffic()) =>
            {
                self.peer_closed_write = true;
                self.output.event(Event::PeerClosedWrite);
                Ok(())
            }
            // Otherwise answer close_notify with close_notify (RFC 8446
            // §6.1; RFC 5246 §7.2.1).
            AlertDescription::CloseNotify => {
                self.close(CloseReason::PeerClosed);
                Ok(())
            }
            // "user_canceled ... SHOULD be followed by close_notify".
            AlertDescription::UserCanceled => self.limits.alert_ignored(),
            // TLS 1.2 lets a connection go on after a warning (RFC 5246
            // §7.2.2); TLS 1.3 has no warnings but these two (§6.2).
            _ if alert.level == AlertLevel::Warning && matches!(self.state, State::Tls12(_)) => {
                self.limits.alert_ignored()
            }
            // Every other alert is an error, whatever its level (§6.2).
            other => Err(Error::AlertReceived(other)),
        }
    }
}

/// Refuses a record of type `typ` (not handshake) while a handshake message
/// is only partly received: "Handshake messages MUST NOT be interleaved
/// with other record types" (RFC 8446 §5.1; RFC 5246 §6.2.1 likewise).
fn interleave_check(joiner: &HandshakeJoiner, typ: ContentType) -> Result<(), Error> {
    if joiner.has_partial_message() {
        Err(PeerMisbehaved::Interleaved(typ).into())
    } else {
        Ok(())
    }
}
