//! The TLS 1.3 server handshake (RFC 8446): HelloRetryRequest, the server
//! flight with the OCSP staple in the leaf's CertificateEntry (§4.4.2.1),
//! the client's Finished, and KeyUpdate once the handshake is done.
//!
//! ```text
//! ClientHello            ──▶  [HelloRetryRequest ◀──, ExpectRetryHello,
//!                             ClientHello ──▶]
//!                             (OcspRequest event, pause)
//!                        ◀──  ServerHello, [change_cipher_spec],
//!                             {EncryptedExtensions, Certificate,
//!                              CertificateVerify, Finished}
//! {Finished}             ──▶  ExpectFinished
//! [application data]     ◀─▶  Traffic ({KeyUpdate} either way)
//! ```
//!
//! No PSK is accepted and no ticket issued: every handshake is a full one.
//! A change_cipher_spec from the client is dropped while the handshake
//! runs (the middlebox-compatibility mode of Appendix D.4).
//!
//! These are `impl Core` blocks: the driver in `connection.rs` owns the
//! buffers, the record layer and the OCSP pause; this module the TLS 1.3
//! states, as `tls12` holds TLS 1.2's.

pub(crate) mod messages;

use std::sync::Arc;

use ring::digest::Digest;

use crate::codec::{
    ClientHello, ContentType, HandshakeMessage, HandshakeType, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN,
};
use crate::crypto::key_exchange::{KeyExchange, NamedGroup};
use crate::crypto::key_schedule::{Application, ApplicationSecrets, EarlySecret, TrafficSecret};
use crate::crypto::record_protection::{RecordDecrypter, RecordEncrypter};
use crate::crypto::signing::CertificateVerifyMessage;
use crate::crypto::suites::Tls13Suite;
use crate::crypto::transcript::Transcript;
use crate::error::{CryptoError, Error, Field, InvalidMessage, PeerMisbehaved};
use crate::ocsp::OcspOutcome;
use crate::server::connection::{expect, Core, Resume, State as Conn};
use crate::server::events::{Event, HandshakeSummary, ProtocolVersion};
use crate::server::hello::{self, Chosen};
use crate::server::limits::EarlyData;
use crate::server::record_layer::{
    frame_plaintext_record, seal_records, write_plaintext_records, Encrypter, CCS_RECORD,
};

/// Where a TLS 1.3 connection stands once its first ClientHello is in
/// (the driver holds the states before that, and the OCSP pause).
pub(crate) enum State {
    ExpectRetryHello(Box<Retry>),
    ExpectFinished(Box<ExpectFinished>),
    Traffic(Box<Traffic>),
}

impl State {
    /// The state's name, for `Debug`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::ExpectRetryHello(_) => "ExpectRetryHello",
            Self::ExpectFinished(_) => "ExpectFinished",
            Self::Traffic(_) => "Traffic",
        }
    }
}

/// After a HelloRetryRequest: what the second ClientHello must match.
pub(crate) struct Retry {
    suite: &'static Tls13Suite,
    group: NamedGroup,
    transcript: Transcript,
}

/// The server flight is out; the client's Finished is next.
pub(crate) struct ExpectFinished {
    secrets: ApplicationSecrets,
    /// `Transcript-Hash(ClientHello..server Finished)`: all the client's
    /// Finished is checked against, since no message after it is hashed
    /// (no tickets, no client certificates).
    server_finished_hash: Digest,
    summary: HandshakeSummary,
}

/// Handshake done: the current traffic secrets, for KeyUpdate.
pub(crate) struct Traffic {
    client: TrafficSecret<Application>,
    server: TrafficSecret<Application>,
}

/// Refuses a message after which the client's keys change if more
/// handshake bytes came behind it in the same record: "Handshake messages
/// MUST NOT span key changes" (RFC 8446 §5.1). `followed` says whether
/// they did; the check comes before the message is acted on, so that no
/// flight, key or event comes of it.
fn record_ends_here(followed: bool) -> Result<(), Error> {
    if followed {
        Err(PeerMisbehaved::MessageSpansKeyChange.into())
    } else {
        Ok(())
    }
}

impl Core {
    /// The first ClientHello, once TLS 1.3 is the version: a
    /// HelloRetryRequest when no usable share came, else on to the OCSP
    /// event or the server flight.
    pub(crate) fn tls13_client_hello(
        &mut self,
        hello: &ClientHello<'_>,
        message: HandshakeMessage<'_>,
        followed: bool,
    ) -> Result<(), Error> {
        let chosen = hello::choose(&self.config, hello)?;
        let mut transcript = Transcript::new(chosen.suite.digest);
        transcript.add(message.encoded);
        // Early data is never accepted: EncryptedExtensions carries no
        // early_data, and the 0-RTT records behind the hello are skipped
        // (RFC 8446 §4.2.10): passed over until the second ClientHello
        // after a retry, else tried with the handshake key.
        if chosen.share.is_none() {
            if hello.early_data() {
                self.limits.early_data = EarlyData::SkipUntilHello;
            }
            // No key change: the client waits for the retry.
            return self.send_hello_retry(&chosen, transcript);
        }
        if hello.early_data() {
            self.limits.early_data = EarlyData::TrialDecrypt;
        }
        record_ends_here(followed)?;
        let resume = Resume::Tls13 {
            chosen,
            transcript,
            hello_retry: false,
            random: [0; 32],
        };
        self.after_hello(hello, resume)
    }

    /// One handshake message in a TLS 1.3 state (taken out of `self.state`
    /// by the caller, which leaves `Closed` there until this puts the next
    /// state back). `followed` as for [`record_ends_here`].
    pub(crate) fn tls13_handle_message(
        &mut self,
        state: State,
        message: HandshakeMessage<'_>,
        followed: bool,
    ) -> Result<(), Error> {
        match state {
            State::ExpectRetryHello(retry) => {
                expect(&message, HandshakeType::ClientHello)?;
                let hello = ClientHello::parse(message.body)?;
                // The early data of the first hello, if any, ends here.
                self.limits.early_data = EarlyData::None;
                // "Early data is not permitted after a HelloRetryRequest"
                // (§4.1.2): the second hello must drop the extension.
                if hello.early_data() {
                    return Err(PeerMisbehaved::EarlyDataAfterRetry.into());
                }
                // The second hello must answer the retry: exactly one share,
                // for the requested group (§4.1.2, §4.2.8), and still offer
                // TLS 1.3 and the chosen suite.
                let shares = hello.key_share();
                let one_share = shares.is_some_and(|s| s.iter().count() == 1);
                if !one_share || shares.and_then(|s| s.find(retry.group.to_wire())).is_none() {
                    return Err(PeerMisbehaved::RetryWithoutRequestedShare.into());
                }
                if !hello::offers_tls13(&hello)
                    || !hello.offers_cipher_suite(retry.suite.suite.to_wire())
                {
                    return Err(PeerMisbehaved::RetryChangedHello.into());
                }
                let chosen = hello::choose(&self.config, &hello)?;
                if !core::ptr::eq(chosen.suite, retry.suite) || chosen.group != retry.group {
                    return Err(PeerMisbehaved::RetryChangedHello.into());
                }
                let mut transcript = retry.transcript;
                transcript.add(message.encoded);
                record_ends_here(followed)?;
                let resume = Resume::Tls13 {
                    chosen,
                    transcript,
                    hello_retry: true,
                    random: [0; 32],
                };
                self.after_hello(&hello, resume)
            }
            State::ExpectFinished(expecting) => {
                expect(&message, HandshakeType::Finished)?;
                record_ends_here(followed)?;
                self.handle_finished(*expecting, message)
            }
            State::Traffic(traffic) => {
                expect(&message, HandshakeType::KeyUpdate)?;
                record_ends_here(followed)?;
                self.handle_key_update(*traffic, message)
            }
        }
    }

    /// A change_cipher_spec (its one 0x01 byte checked by the caller)
    /// outside TLS 1.2: dropped in the window RFC 8446 §5 allows, after the
    /// first ClientHello and before the client's Finished; anywhere else it
    /// is fatal.
    pub(crate) fn tls13_change_cipher_spec(&mut self) -> Result<(), Error> {
        match self.state {
            Conn::Tls13(State::ExpectRetryHello(_) | State::ExpectFinished(_))
            | Conn::AwaitingOcsp(_) => self.limits.compat_ccs(),
            _ => Err(PeerMisbehaved::BadChangeCipherSpec.into()),
        }
    }

    /// HelloRetryRequest (RFC 8446 §4.1.4): ask for a share in `group`.
    fn send_hello_retry(
        &mut self,
        chosen: &Chosen,
        mut transcript: Transcript,
    ) -> Result<(), Error> {
        transcript.replace_with_message_hash();
        let session_id = chosen.session_id.as_bytes()?;
        self.scratch.clear();
        let range = messages::server_hello(
            &mut self.scratch,
            &messages::ServerHello {
                random: &messages::HRR_RANDOM,
                session_id,
                suite: chosen.suite.suite.to_wire(),
                group: chosen.group.to_wire(),
                share: None,
            },
        )?;
        transcript.add_written(&self.scratch, range)?;
        write_plaintext_records(&mut self.out, ContentType::Handshake, &self.scratch);
        self.send_compat_ccs(session_id);
        self.state = Conn::Tls13(State::ExpectRetryHello(Box::new(Retry {
            suite: chosen.suite,
            group: chosen.group,
            transcript,
        })));
        Ok(())
    }

    /// Sends the middlebox-compatibility change_cipher_spec once, after the
    /// first server message, when the client sent a legacy session id
    /// (RFC 8446 Appendix D.4).
    fn send_compat_ccs(&mut self, session_id: &[u8]) {
        if !self.ccs_sent && !session_id.is_empty() {
            self.out.extend_from_slice(&CCS_RECORD);
            self.ccs_sent = true;
        }
    }

    /// ServerHello through Finished (RFC 8446 §4.1.3 to §4.4.4).
    ///
    /// Everything fallible happens before the new keys are installed, so a
    /// failure leaves the connection unprotected and the alert in plaintext
    /// (the dropped flight held the ServerHello the client would need).
    pub(crate) fn send_tls13_flight(
        &mut self,
        chosen: Chosen,
        random: &[u8; 32],
        mut transcript: Transcript,
        hello_retry: bool,
        staple: Option<&[u8]>,
        ocsp: OcspOutcome,
    ) -> Result<(), Error> {
        let mark = self.out.len();
        let ccs_was_sent = self.ccs_sent;
        let result = self.build_server_flight(&chosen, random, &mut transcript, staple);
        let (secrets, server_finished_hash, encrypter, decrypter) = match result {
            Ok(keys) => keys,
            Err(e) => {
                self.out.truncate(mark);
                self.ccs_sent = ccs_was_sent;
                return Err(e);
            }
        };
        self.encrypter = Some(encrypter.into());
        self.decrypter = Some(decrypter.into());
        let summary = HandshakeSummary {
            version: ProtocolVersion::Tls13,
            cipher_suite: chosen.suite.suite,
            group: chosen.group,
            signature_scheme: chosen.scheme,
            alpn_protocol: chosen.alpn,
            server_name: chosen.server_name,
            hello_retry,
            extended_master_secret: true,
            ocsp,
            must_staple: chosen.cert.leaf().must_staple(),
        };
        self.state = Conn::Tls13(State::ExpectFinished(Box::new(ExpectFinished {
            secrets,
            server_finished_hash,
            summary,
        })));
        Ok(())
    }

    fn build_server_flight(
        &mut self,
        chosen: &Chosen,
        random: &[u8; 32],
        transcript: &mut Transcript,
        staple: Option<&[u8]>,
    ) -> Result<(ApplicationSecrets, Digest, RecordEncrypter, RecordDecrypter), Error> {
        let config = Arc::clone(&self.config);
        let rng = &config.rng;
        let share = chosen.share.as_ref().ok_or(PeerMisbehaved::BadKeyShare)?;
        let (kx, public) = KeyExchange::start(chosen.group, rng)?;
        let shared = kx.complete(share.as_bytes()?)?;
        let session_id = chosen.session_id.as_bytes()?;

        // The whole flight is encoded straight into the output, reserved
        // once, and the protected part encrypted where it lies.
        let alpn = chosen.alpn.as_deref();
        let groups: &[NamedGroup] = if chosen.advertise_groups {
            &config.groups
        } else {
            &[]
        };
        self.out.reserve(messages::first_flight_len_bound(
            chosen.cert.chain(),
            staple,
            alpn,
            groups,
            chosen.cert.key().max_signature_len(),
        ));
        let record = self.out.len();
        self.out.extend_from_slice(&[0; RECORD_HEADER_LEN]);
        let range = messages::server_hello(
            &mut self.out,
            &messages::ServerHello {
                random,
                session_id,
                suite: chosen.suite.suite.to_wire(),
                group: chosen.group.to_wire(),
                share: Some(public.as_ref()),
            },
        )?;
        transcript.add_written(&self.out, range)?;
        frame_plaintext_record(&mut self.out, record, ContentType::Handshake)?;
        self.send_compat_ccs(session_id);

        let handshake = EarlySecret::new(chosen.suite)?
            .into_handshake(shared.as_bytes(), &transcript.current_hash())?;
        let mut encrypter = RecordEncrypter::new(handshake.server())?;
        let decrypter = RecordDecrypter::new(handshake.client())?;

        let record = self.out.len();
        self.out.extend_from_slice(&[0; RECORD_HEADER_LEN]);
        let out = &mut self.out;
        let range = messages::encrypted_extensions(out, alpn, chosen.sni_matched, groups)?;
        transcript.add_written(out, range)?;
        let range = messages::certificate(out, chosen.cert.chain(), staple)?;
        transcript.add_written(out, range)?;
        let to_sign = CertificateVerifyMessage::new(&transcript.current_hash());
        let signature = chosen
            .cert
            .key()
            .sign(chosen.scheme, to_sign.as_ref(), rng)?;
        let range = messages::certificate_verify(out, chosen.scheme.to_wire(), signature.as_ref())?;
        transcript.add_written(out, range)?;
        let verify_data = handshake.server_finished(&transcript.current_hash());
        let range = messages::finished(out, verify_data.as_ref())?;
        transcript.add_written(out, range)?;
        if out.len() - record - RECORD_HEADER_LEN <= MAX_PLAINTEXT_LEN {
            encrypter.seal_in_place(ContentType::Handshake, out, record)?;
        } else {
            // A flight longer than a record (a long chain, a big staple, up
            // to 2^24 bytes of it) is fragmented from a copy.
            let flight = out.split_off(record + RECORD_HEADER_LEN);
            out.truncate(record);
            let mut encrypter = Encrypter::from(encrypter);
            seal_records(&mut encrypter, ContentType::Handshake, &flight, out)?;
        }

        let server_finished_hash = transcript.current_hash();
        let secrets = handshake.into_application(&server_finished_hash)?;
        let encrypter = RecordEncrypter::new(secrets.server())?;
        Ok((secrets, server_finished_hash, encrypter, decrypter))
    }

    /// The client's Finished (RFC 8446 §4.4.4) ends the handshake.
    fn handle_finished(
        &mut self,
        expecting: ExpectFinished,
        message: HandshakeMessage<'_>,
    ) -> Result<(), Error> {
        let ExpectFinished {
            secrets,
            server_finished_hash,
            summary,
        } = expecting;
        if message.body.len() != server_finished_hash.as_ref().len() {
            return Err(InvalidMessage::BadLength(Field::Message(HandshakeType::Finished)).into());
        }
        secrets.check_client_finished(&server_finished_hash, message.body)?;
        self.decrypter = Some(RecordDecrypter::new(secrets.client())?.into());
        self.state = Conn::Tls13(State::Traffic(Box::new(Traffic {
            client: secrets.client().clone(),
            server: secrets.server().clone(),
        })));
        self.events.push_back(Event::HandshakeComplete(summary));
        Ok(())
    }

    /// KeyUpdate (RFC 8446 §4.6.3): take the client's next key, and when
    /// asked, update ours after telling the client.
    fn handle_key_update(
        &mut self,
        mut traffic: Traffic,
        message: HandshakeMessage<'_>,
    ) -> Result<(), Error> {
        let update_requested = match message.body {
            [0] => false,
            [1] => true,
            [other] => return Err(PeerMisbehaved::BadKeyUpdate(*other).into()),
            _ => {
                return Err(
                    InvalidMessage::BadLength(Field::Message(HandshakeType::KeyUpdate)).into(),
                )
            }
        };
        traffic.client = traffic.client.next()?;
        self.decrypter = Some(RecordDecrypter::new(&traffic.client)?.into());
        if update_requested {
            self.scratch.clear();
            messages::key_update(&mut self.scratch, false)?;
            let enc = self.encrypter.as_mut().ok_or(CryptoError::Refused)?;
            seal_records(enc, ContentType::Handshake, &self.scratch, &mut self.out)?;
            traffic.server = traffic.server.next()?;
            self.encrypter = Some(RecordEncrypter::new(&traffic.server)?.into());
        }
        self.state = Conn::Tls13(State::Traffic(Box::new(traffic)));
        Ok(())
    }
}
