//! Bad input after the server's flight, where the alert is protected: wrong
//! or tampered Finished, oversized records, handshake messages that span a
//! key change, and too many KeyUpdates in a row.

use std::sync::Arc;

use stapler::codec::{AlertDescription, ContentType};
use stapler::{InvalidMessage, PeerMisbehaved, ServerConnection};

use super::common;
use super::common::hello_encoder::{record, ExtensionModel};
use super::common::rustls_pair::ecdsa_server_config;
use super::common::tls13_wire::{
    at_client_finished, good_hello, hkdf_expand_label, open_record, rejects, rejects_protected,
    seal_record, with,
};
use super::common::wire::rejects_with;

// Bad input after the server's flight, where the alert is protected: the
// rustls client decrypts it, which checks the alert too.

#[test]
fn client_hello_where_finished_is_expected_is_unexpected_message() {
    let (mut pair, log, _finished) = at_client_finished();
    let secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
    let hello = good_hello().builder().handshake();
    let input = seal_record(&secret, 0, 22, &hello);
    rejects_protected(
        &mut pair,
        &input,
        PeerMisbehaved::UnexpectedMessage("ClientHello").into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn plaintext_hello_where_finished_is_expected_is_unexpected_message() {
    let (mut pair, _log, _finished) = at_client_finished();
    rejects_protected(
        &mut pair,
        &good_hello().builder().record(),
        InvalidMessage::UnexpectedContentType(ContentType::Handshake).into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn wrong_finished_is_decrypt_error() {
    let (mut pair, log, _finished) = at_client_finished();
    let secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
    let finished = common::hello_encoder::handshake_message(20, &[0; 32]);
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 0, 22, &finished),
        InvalidMessage::FinishedMismatch.into(),
        AlertDescription::DecryptError,
        rustls::AlertDescription::DecryptError,
    );
}

#[test]
fn tampered_finished_record_is_bad_record_mac() {
    let (mut pair, _log, mut finished) = at_client_finished();
    // The compatibility CCS, then the protected Finished.
    assert_eq!(finished[..6], [20, 3, 3, 0, 1, 1]);
    assert_eq!(finished[6], 0x17);
    let last = finished.len() - 1;
    finished[last] ^= 0x01;
    rejects_protected(
        &mut pair,
        &finished,
        InvalidMessage::DecryptFailed.into(),
        AlertDescription::BadRecordMac,
        rustls::AlertDescription::BadRecordMac,
    );
}

#[test]
fn untampered_finished_completes() {
    // The control for the three tests above.
    let (mut pair, _log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    assert!(pair.server.is_handshake_complete());
}

#[test]
fn protected_plaintext_over_2_14_is_record_overflow() {
    let (mut pair, log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    let secret = log.get("CLIENT_TRAFFIC_SECRET_0").unwrap();
    let full = seal_record(&secret, 0, 23, &vec![b'a'; 1 << 14]);
    assert_eq!(pair.server.feed(&full), Ok(full.len()));
    pair.drain_server();
    assert_eq!(pair.server_reads().len(), 1 << 14);
    // TLSInnerPlaintext (content and type byte) may hold 2^14 + 1 bytes
    // (RFC 8446 §5.4); this one holds 2^14 + 2.
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 1, 23, &vec![b'b'; (1 << 14) + 1]),
        InvalidMessage::RecordOverflow {
            len: (1 << 14) + 2,
            max: (1 << 14) + 1,
        }
        .into(),
        AlertDescription::RecordOverflow,
        rustls::AlertDescription::RecordOverflow,
    );
}

// "Handshake messages MUST NOT span key changes" (RFC 8446 §5.1): a message
// after which the client's keys change must end its record. The server must
// notice before it acts on the message: no flight, no event.

#[test]
fn hello_with_another_message_in_its_record_is_unexpected_message() {
    let mut fragment = good_hello().builder().handshake();
    fragment.extend(common::hello_encoder::handshake_message(20, &[0; 32]));
    let input = record(22, 0x0301, &fragment);
    rejects(&input, PeerMisbehaved::MessageSpansKeyChange.into(), 10);
    // Nor is an OCSP event raised for it.
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(true)));
    let mut fragment = with(
        good_hello(),
        ExtensionModel::StatusRequest(common::hello_encoder::StatusRequestModel::Ocsp {
            responder_ids: vec![],
            request_extensions: None,
        }),
    )
    .builder()
    .handshake();
    fragment.extend(common::hello_encoder::handshake_message(20, &[0; 32]));
    rejects_with(
        &mut server,
        &record(22, 0x0301, &fragment),
        PeerMisbehaved::MessageSpansKeyChange.into(),
        10,
    );
}

#[test]
fn finished_with_another_message_in_its_record_is_unexpected_message() {
    let (mut pair, log, finished) = at_client_finished();
    let secret = log.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET").unwrap();
    // rustls's own (correct) Finished, with a KeyUpdate behind it.
    let (typ, mut plaintext) = open_record(&secret, 0, &finished[6..]);
    assert_eq!((typ, plaintext[0]), (22, 20));
    plaintext.extend(common::hello_encoder::handshake_message(24, &[0]));
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 0, 22, &plaintext),
        PeerMisbehaved::MessageSpansKeyChange.into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
    assert!(pair.summary().is_none(), "no HandshakeComplete");
}

#[test]
fn key_update_with_another_message_in_its_record_is_unexpected_message() {
    let (mut pair, log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    assert!(pair.server.is_handshake_complete());
    let secret = log.get("CLIENT_TRAFFIC_SECRET_0").unwrap();
    let mut plaintext = common::hello_encoder::handshake_message(24, &[1]);
    plaintext.extend(common::hello_encoder::handshake_message(24, &[0]));
    rejects_protected(
        &mut pair,
        &seal_record(&secret, 0, 22, &plaintext),
        PeerMisbehaved::MessageSpansKeyChange.into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn more_key_updates_in_a_row_than_the_limit_is_unexpected_message() {
    let (mut pair, log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    let mut secret = log.get("CLIENT_TRAFFIC_SECRET_0").unwrap();
    let mut seq = 0;
    let update = common::hello_encoder::handshake_message(24, &[0]);
    // As many as the limit are followed, and data between starts the
    // count again.
    for round in 0..2 {
        for _ in 0..stapler::server::MAX_KEY_UPDATES_IN_A_ROW {
            let record = seal_record(&secret, seq, 22, &update);
            assert_eq!(pair.server.feed(&record), Ok(record.len()));
            secret = hkdf_expand_label(&secret, b"traffic upd", 32);
            seq = 0;
        }
        if round == 0 {
            let data = seal_record(&secret, seq, 23, b"between");
            assert_eq!(pair.server.feed(&data), Ok(data.len()));
            seq += 1;
            let mut buf = [0; 16];
            assert_eq!(pair.server.read(&mut buf), Ok(7));
        }
    }
    rejects_protected(
        &mut pair,
        &seal_record(&secret, seq, 22, &update),
        PeerMisbehaved::TooManyKeyUpdates.into(),
        AlertDescription::UnexpectedMessage,
        rustls::AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn key_update_made_by_hand_is_followed() {
    // The control for the test above: one KeyUpdate(update_requested) per
    // record is taken, and data under the next key is read.
    let (mut pair, log, finished) = at_client_finished();
    pair.pending_to_server = finished;
    pair.feed_pending().unwrap();
    let secret0 = log.get("CLIENT_TRAFFIC_SECRET_0").unwrap();
    let update = common::hello_encoder::handshake_message(24, &[1]);
    let update = seal_record(&secret0, 0, 22, &update);
    assert_eq!(pair.server.feed(&update), Ok(update.len()));
    let secret1 = hkdf_expand_label(&secret0, b"traffic upd", 32);
    let data = seal_record(&secret1, 0, 23, b"under the next key");
    assert_eq!(pair.server.feed(&data), Ok(data.len()));
    pair.drain_server();
    assert_eq!(pair.server_reads(), b"under the next key");
    // The server's own KeyUpdate reaches rustls, which follows it.
    pair.server_to_client().unwrap();
    pair.server_sends(b"and back").unwrap();
    assert_eq!(pair.client_reads(), b"and back");
}
