//! The TLS 1.2 server handshake: RFC 5246 with ECDHE (RFC 8422), the
//! extended master secret (RFC 7627), secure renegotiation signalling
//! (RFC 5746) and OCSP stapling by CertificateStatus (RFC 6066 §8).
//!
//! ```text
//! ClientHello            ──▶  (OcspRequest event, pause)
//!                        ◀──  ServerHello, Certificate, [CertificateStatus],
//!                             ServerKeyExchange, ServerHelloDone
//! ClientKeyExchange      ──▶  ExpectClientKeyExchange
//! [ChangeCipherSpec]     ──▶  ExpectChangeCipherSpec: the client's keys change
//! Finished               ──▶  ExpectFinished
//!                        ◀──  [ChangeCipherSpec], Finished
//! application data       ◀─▶  Traffic
//! ```
//!
//! No session is resumed: ServerHello's session id is empty and no ticket
//! is issued. A ClientHello after the handshake (a renegotiation) is
//! refused with a warning-level no_renegotiation alert, which RFC 5246
//! §7.2.2 says is "always a warning", and the connection carries on as it
//! was; the client may then go on or close.
//!
//! These are `impl Core` blocks: the driver in `connection.rs` owns the
//! buffers and the record layer, this module the TLS 1.2 states.

pub(crate) mod hello;
pub(crate) mod messages;

use std::sync::Arc;

use ring::digest::Digest;

use self::hello::Chosen;
use self::messages::{EcdhParams, SignedParams, DOWNGRADE_TLS12};
use crate::codec::{
    Alert, AlertDescription, AlertLevel, ClientHello, ContentType, HandshakeJoiner,
    HandshakeMessage, HandshakeType, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN,
};
use crate::crypto::key_exchange::KeyExchange;
use crate::crypto::tls12::prf::{MasterSecret, RANDOM_LEN};
use crate::crypto::tls12::record_protection::{Tls12Decrypter, Tls12Encrypter};
use crate::crypto::tls12::suites::Tls12Suite;
use crate::crypto::transcript::Transcript;
use crate::error::{CryptoError, Error, PeerMisbehaved};
use crate::ocsp::OcspOutcome;
use crate::server::connection::{expect, unexpected, Core, Resume, State as Conn};
use crate::server::events::{Event, HandshakeSummary, ProtocolVersion};
use crate::server::record_layer::{
    frame_plaintext_record, write_plaintext_records, Encrypter, CCS_RECORD,
};

/// Where a TLS 1.2 connection stands.
pub(crate) enum State {
    /// Between the server flight and the client's Finished. The stages
    /// share one allocation: each step replaces the stage inside the box.
    Handshake(Box<Stage>),
    /// The handshake is done; nothing of it is kept.
    Traffic,
}

/// The steps of the handshake after the server flight.
// Always boxed, once per handshake: sized for the largest step on purpose,
// so that the later, smaller steps reuse the allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Stage {
    ExpectClientKeyExchange(ExpectClientKeyExchange),
    ExpectChangeCipherSpec(ExpectChangeCipherSpec),
    ExpectFinished(ExpectFinished),
    /// Only while a step has taken the stage out to consume it.
    Taken,
}

impl State {
    /// The state's name, for `Debug`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Handshake(stage) => match **stage {
                Stage::ExpectClientKeyExchange(_) => "Tls12ExpectClientKeyExchange",
                Stage::ExpectChangeCipherSpec(_) => "Tls12ExpectChangeCipherSpec",
                Stage::ExpectFinished(_) => "Tls12ExpectFinished",
                Stage::Taken => "Tls12Taken",
            },
            Self::Traffic => "Tls12Traffic",
        }
    }
}

/// The server flight is out; the client's ECDHE public key is next.
pub(crate) struct ExpectClientKeyExchange {
    suite: &'static Tls12Suite,
    kx: KeyExchange,
    transcript: Transcript,
    client_random: [u8; RANDOM_LEN],
    server_random: [u8; RANDOM_LEN],
    extended_master_secret: bool,
    summary: HandshakeSummary,
}

/// Keys are made; the client's change_cipher_spec switches its side.
pub(crate) struct ExpectChangeCipherSpec {
    master: MasterSecret,
    transcript: Transcript,
    /// The hash of ClientHello..ClientKeyExchange: what the client's
    /// Finished covers, since nothing comes between (no client
    /// certificate), and the session hash of RFC 7627 §3. Kept, not made
    /// again.
    client_finished_hash: Digest,
    decrypter: Tls12Decrypter,
    encrypter: Tls12Encrypter,
    summary: HandshakeSummary,
}

/// The client's records are protected; its Finished is next.
pub(crate) struct ExpectFinished {
    master: MasterSecret,
    transcript: Transcript,
    client_finished_hash: Digest,
    encrypter: Tls12Encrypter,
    summary: HandshakeSummary,
}

impl Core {
    /// The ClientHello, once TLS 1.2 is the version: on to the OCSP event
    /// or the server flight. No key change follows a TLS 1.2 hello, so
    /// whatever came behind it is judged when its turn comes.
    pub(crate) fn tls12_client_hello(
        &mut self,
        hello: &ClientHello<'_>,
        message: HandshakeMessage<'_>,
    ) -> Result<(), Error> {
        // What only TLS 1.2 reads is judged now that TLS 1.2 is chosen.
        hello.check_tls12_extensions()?;
        let chosen = hello::choose(&self.config, hello)?;
        let mut transcript = Transcript::new(chosen.suite.digest);
        transcript.add(message.encoded);
        let resume = Resume::Tls12 {
            chosen,
            transcript,
            random: [0; RANDOM_LEN],
        };
        self.after_hello(hello, resume)
    }

    /// ServerHello through ServerHelloDone (RFC 5246 §7.3), in the clear.
    /// Everything that can fail (key generation, the signature) happens
    /// before a byte is written.
    pub(crate) fn send_tls12_flight(
        &mut self,
        chosen: Chosen,
        mut server_random: [u8; RANDOM_LEN],
        mut transcript: Transcript,
        staple: Option<&[u8]>,
        ocsp: OcspOutcome,
    ) -> Result<(), Error> {
        let config = Arc::clone(&self.config);
        let rng = &config.rng;
        let (kx, public) = KeyExchange::start(chosen.group, rng)?;
        if config.tls13 {
            // RFC 8446 §4.1.3: a server that speaks TLS 1.3 and negotiates
            // 1.2 says so, so that a 1.3 client can tell a downgrade.
            if let Some(tail) = server_random.get_mut(RANDOM_LEN - DOWNGRADE_TLS12.len()..) {
                tail.copy_from_slice(&DOWNGRADE_TLS12);
            }
        }
        let params = EcdhParams::new(chosen.group.to_wire(), public.as_ref())?;
        let signed = SignedParams::new(&chosen.client_random, &server_random, &params);
        let signature = chosen
            .cert
            .key()
            .sign(chosen.scheme, signed.as_ref(), rng)?;

        // The flight is encoded straight into the output, reserved once,
        // in one record when it fits (it nearly always does).
        let out = &mut self.out;
        let alpn = chosen.alpn.as_deref();
        out.reserve(messages::flight_len_bound(
            chosen.cert.chain(),
            staple,
            alpn,
            chosen.cert.key().max_signature_len(),
        ));
        let record = out.len();
        out.extend_from_slice(&[0; RECORD_HEADER_LEN]);
        let written = (|| {
            messages::server_hello(
                out,
                &messages::ServerHello {
                    random: &server_random,
                    suite: chosen.suite.suite.to_wire(),
                    extended_master_secret: chosen.extended_master_secret,
                    secure_renegotiation: chosen.secure_renegotiation,
                    ec_point_formats: chosen.ec_point_formats,
                    status_request: staple.is_some(),
                    sni_ack: chosen.sni_matched,
                    alpn,
                },
            )?;
            messages::certificate(out, chosen.cert.chain())?;
            if let Some(response) = staple {
                messages::certificate_status(out, response)?;
            }
            messages::server_key_exchange(
                out,
                &params,
                chosen.scheme.to_wire(),
                signature.as_ref(),
            )?;
            messages::server_hello_done(out)
        })();
        if let Err(e) = written {
            // Nothing of a flight that cannot be encoded is sent.
            out.truncate(record);
            return Err(e.into());
        }
        let flight = record + RECORD_HEADER_LEN;
        // The flight is the messages in order, so it is hashed in one go.
        if let Err(e) = transcript.add_written(out, flight..out.len()) {
            out.truncate(record);
            return Err(e.into());
        }
        if out.len() - flight <= MAX_PLAINTEXT_LEN {
            frame_plaintext_record(out, record, ContentType::Handshake)?;
        } else {
            // A long chain or a big staple (up to 2^24 bytes) takes several
            // records, fragmented from a copy.
            let messages = out.split_off(flight);
            out.truncate(record);
            write_plaintext_records(out, ContentType::Handshake, &messages);
        }

        let summary = HandshakeSummary {
            version: ProtocolVersion::Tls12,
            cipher_suite: chosen.suite.suite,
            group: chosen.group,
            signature_scheme: chosen.scheme,
            alpn_protocol: chosen.alpn,
            server_name: chosen.server_name,
            hello_retry: false,
            extended_master_secret: chosen.extended_master_secret,
            ocsp,
            must_staple: chosen.cert.leaf().must_staple(),
        };
        let stage = Stage::ExpectClientKeyExchange(ExpectClientKeyExchange {
            suite: chosen.suite,
            kx,
            transcript,
            client_random: chosen.client_random,
            server_random,
            extended_master_secret: chosen.extended_master_secret,
            summary,
        });
        self.state = Conn::Tls12(State::Handshake(Box::new(stage)));
        Ok(())
    }

    /// One handshake message in a TLS 1.2 state (taken out of `self.state`
    /// by the caller, which leaves `Closed` there until this puts the next
    /// state back).
    pub(crate) fn tls12_handle_message(
        &mut self,
        state: State,
        message: HandshakeMessage<'_>,
    ) -> Result<(), Error> {
        let mut stage = match state {
            State::Handshake(stage) => stage,
            State::Traffic if message.typ == HandshakeType::ClientHello => {
                // Renegotiation is refused with a warning and the
                // connection goes on (RFC 5246 §7.2.2, RFC 5746 §4.4).
                self.state = Conn::Tls12(State::Traffic);
                return self.send_alert(Alert {
                    level: AlertLevel::Warning,
                    description: AlertDescription::NoRenegotiation,
                });
            }
            State::Traffic => return Err(unexpected(message.typ)),
        };
        match core::mem::replace(&mut *stage, Stage::Taken) {
            Stage::ExpectClientKeyExchange(expecting) => {
                expect(&message, HandshakeType::ClientKeyExchange)?;
                *stage = Stage::ExpectChangeCipherSpec(
                    self.tls12_client_key_exchange(expecting, message)?,
                );
                self.state = Conn::Tls12(State::Handshake(stage));
                Ok(())
            }
            // The keys change before the Finished: a handshake message here
            // is out of turn (RFC 5246 §7.4).
            Stage::ExpectChangeCipherSpec(_) => Err(unexpected(message.typ)),
            Stage::ExpectFinished(expecting) => {
                expect(&message, HandshakeType::Finished)?;
                self.tls12_finished(expecting, message)
            }
            // Never stored: a step puts its next stage back or fails.
            Stage::Taken => Err(CryptoError::Refused.into()),
        }
    }

    /// ClientKeyExchange (RFC 8422 §5.7): the client's public key completes
    /// the ECDHE, and the master secret and key block follow (RFC 5246
    /// §8.1, §6.3; RFC 7627 §4 with the hash through this message).
    fn tls12_client_key_exchange(
        &mut self,
        expecting: ExpectClientKeyExchange,
        message: HandshakeMessage<'_>,
    ) -> Result<ExpectChangeCipherSpec, Error> {
        let ExpectClientKeyExchange {
            suite,
            kx,
            mut transcript,
            client_random,
            server_random,
            extended_master_secret,
            summary,
        } = expecting;
        let point = messages::parse_client_key_exchange(message.body)?;
        let shared = kx.complete(point)?;
        transcript.add(message.encoded);
        let client_finished_hash = transcript.current_hash();
        let master = if extended_master_secret {
            MasterSecret::extended(suite, shared.as_bytes(), &client_finished_hash)
        } else {
            MasterSecret::new(suite, shared.as_bytes(), &client_random, &server_random)
        };
        let keys = master.key_block(&client_random, &server_random);
        let decrypter = Tls12Decrypter::new(suite, keys.client()?)?;
        let encrypter = Tls12Encrypter::new(suite, keys.server()?)?;
        Ok(ExpectChangeCipherSpec {
            master,
            transcript,
            client_finished_hash,
            decrypter,
            encrypter,
            summary,
        })
    }

    /// The client's change_cipher_spec (RFC 5246 §7.1): from the next
    /// record on, the client's records are protected. Allowed only right
    /// after the ClientKeyExchange, and not in the middle of a handshake
    /// message.
    pub(crate) fn tls12_change_cipher_spec(
        &mut self,
        joiner: &HandshakeJoiner,
    ) -> Result<(), Error> {
        let Conn::Tls12(State::Handshake(stage)) = &mut self.state else {
            return Err(PeerMisbehaved::BadChangeCipherSpec.into());
        };
        if !matches!(**stage, Stage::ExpectChangeCipherSpec(_)) {
            return Err(PeerMisbehaved::BadChangeCipherSpec.into());
        }
        if joiner.has_partial_message() {
            return Err(PeerMisbehaved::MessageSpansKeyChange.into());
        }
        let Stage::ExpectChangeCipherSpec(expecting) =
            core::mem::replace(&mut **stage, Stage::Taken)
        else {
            return Err(PeerMisbehaved::BadChangeCipherSpec.into());
        };
        let ExpectChangeCipherSpec {
            master,
            transcript,
            client_finished_hash,
            decrypter,
            encrypter,
            summary,
        } = expecting;
        **stage = Stage::ExpectFinished(ExpectFinished {
            master,
            transcript,
            client_finished_hash,
            encrypter,
            summary,
        });
        self.decrypter = Some(decrypter.into());
        Ok(())
    }

    /// The client's Finished (RFC 5246 §7.4.9), then the server's
    /// change_cipher_spec and Finished. A failure before the server's
    /// change_cipher_spec leaves its alert in the clear, as the client
    /// expects.
    fn tls12_finished(
        &mut self,
        expecting: ExpectFinished,
        message: HandshakeMessage<'_>,
    ) -> Result<(), Error> {
        let ExpectFinished {
            master,
            mut transcript,
            client_finished_hash,
            mut encrypter,
            summary,
        } = expecting;
        let verify_data = messages::parse_finished(message.body)?;
        master.check_client_finished(&client_finished_hash, verify_data)?;
        transcript.add(message.encoded);
        let finished = messages::finished(&master.server_finished(&transcript.current_hash()));

        // One reservation for both records; the Finished is sealed where
        // it is written.
        let mark = self.out.len();
        self.out
            .reserve(CCS_RECORD.len() + finished.len() + encrypter.overhead());
        self.out.extend_from_slice(&CCS_RECORD);
        if let Err(e) = encrypter.seal(ContentType::Handshake, &finished, &mut self.out) {
            self.out.truncate(mark);
            return Err(e);
        }
        let encrypter = Encrypter::from(encrypter);
        self.encrypter = Some(encrypter);
        self.state = Conn::Tls12(State::Traffic);
        self.events.push_back(Event::HandshakeComplete(summary));
        Ok(())
    }
}
