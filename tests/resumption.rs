//! Session resumption (issue 11): TLS 1.3 session tickets issued after the
//! handshake, and the handshakes that resume with them, against rustls's
//! client with its resumption on.

mod common;
#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

use std::path::Path;
use std::sync::Arc;

use common::rustls_pair::{default_client_config, ecdsa_server_config, pki, Pair};
use stapler::codec::ClientHello;
use stapler::tickets::{TicketKeyPolicy, TicketKeys};
use stapler::ProtocolVersion;

const NOW: u64 = 1_800_000_000;

/// The ClientHello the client would send next, as a view's owner: its
/// first record's handshake body.
fn next_hello(client: &Arc<rustls::ClientConfig>) -> Vec<u8> {
    let mut conn =
        rustls::ClientConnection::new(Arc::clone(client), "localhost".try_into().unwrap()).unwrap();
    let mut bytes = Vec::new();
    conn.write_tls(&mut bytes).unwrap();
    bytes[5 + 4..].to_vec()
}

#[test]
fn a_full_tls13_handshake_issues_tickets_the_client_takes() {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(false));
    // Before any handshake, the client has nothing to resume.
    let hello = next_hello(&client);
    assert!(ClientHello::parse(&hello)
        .unwrap()
        .pre_shared_key()
        .is_none());

    let mut pair = Pair::at(Arc::clone(&client), Arc::clone(&server), "localhost", NOW);
    pair.run().unwrap();
    assert!(pair.server.is_handshake_complete());
    // The tickets came with the server's answer to the Finished.
    pair.server_to_client().unwrap();
    assert!(server.ticket_keys().is_some(), "the keys were made at NOW");

    let hello = next_hello(&client);
    let hello = ClientHello::parse(&hello).unwrap();
    let offer = hello.pre_shared_key().expect("the client offers a ticket");
    assert_eq!(offer.identities().count(), 1);
}

#[test]
fn a_connection_without_the_time_issues_no_ticket() {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(false));
    let mut pair = Pair::new((*client).clone(), Arc::clone(&server));
    pair.run().unwrap();
    pair.server_to_client().unwrap();
    assert!(server.ticket_keys().is_none());
}

/// A full handshake, then its tickets taken by the client: the pair that
/// made them.
fn first_handshake(client: &Arc<rustls::ClientConfig>, server: &Arc<stapler::ServerConfig>) {
    let mut pair = Pair::at(Arc::clone(client), Arc::clone(server), "localhost", NOW);
    pair.run().unwrap();
    pair.server_to_client().unwrap();
    assert_eq!(pair.summary().unwrap().resumption, None);
}

#[test]
fn a_tls13_ticket_resumes_with_psk_dhe_ke() {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(true));
    first_handshake_with_ocsp(&client, &server);
    let mut pair = Pair::at(Arc::clone(&client), Arc::clone(&server), "localhost", NOW);
    pair.run().unwrap();
    assert!(pair.server.is_handshake_complete(), "{:?}", pair.closes());
    assert_eq!(
        pair.client.handshake_kind(),
        Some(rustls::HandshakeKind::Resumed)
    );
    let summary = pair.summary().unwrap();
    assert_eq!(summary.resumption, Some(stapler::Resumption::Tls13PskDheKe));
    assert_eq!(summary.signature_scheme, None);
    // No certificate is sent, so nothing is asked of the application.
    assert!(pair.ocsp_requests.is_empty());
    pair.exchange_data();
}

/// The first handshake of a server with OCSP events, answered.
fn first_handshake_with_ocsp(
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<stapler::ServerConfig>,
) {
    let mut pair = Pair::at(Arc::clone(client), Arc::clone(server), "localhost", NOW);
    pair.run().unwrap();
    let request = pair.ocsp_requests.pop().expect("the first handshake asks");
    pair.complete(request.answer(None)).unwrap();
    pair.server_to_client().unwrap();
    assert_eq!(pair.summary().unwrap().resumption, None);
}

/// The next connection's outcome: whether it resumed, and the summary.
fn second_handshake(
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<stapler::ServerConfig>,
    now: u64,
) -> Pair {
    Pair::completed_at(client, server, now)
}

fn resumed(pair: &Pair) -> bool {
    pair.resumed()
}

#[test]
fn a_hello_retry_and_a_psk_resume_together() {
    // The client learns x25519 from the first server; the second, sharing
    // its keys, wants secp384r1, so the resuming hello is retried and its
    // binder made again over the retry (RFC 8446 §4.2.11.2).
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let first = Arc::new(ecdsa_server_config(false));
    first_handshake(&client, &first);
    let second = Arc::new(
        stapler::ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .key_exchange_groups(&[stapler::NamedGroup::Secp384r1])
            .unwrap()
            .ticket_keys(Arc::clone(first.ticket_keys().unwrap()))
            .build()
            .unwrap(),
    );
    let pair = second_handshake(&client, &second, NOW);
    assert!(resumed(&pair));
    let summary = pair.summary().unwrap();
    assert!(summary.hello_retry);
    assert_eq!(summary.group, Some(stapler::NamedGroup::Secp384r1));
}

#[test]
fn an_expired_or_retired_ticket_falls_back_to_a_full_handshake() {
    // Past its lifetime (12 hours by default).
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(false));
    first_handshake(&client, &server);
    assert!(!resumed(&second_handshake(
        &client,
        &server,
        NOW + 12 * 3600 + 1
    )));

    // Its key rotated out (the set forgets a key 18 hours after it began).
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(false));
    first_handshake(&client, &server);
    let keys = server.ticket_keys().unwrap();
    keys.rotate(NOW + 6 * 3600).unwrap();
    keys.rotate(NOW + 18 * 3600).unwrap();
    assert!(!resumed(&second_handshake(&client, &server, NOW)));
}

#[test]
fn another_server_resumes_with_the_shared_keys_and_not_without() {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let a = Arc::new(ecdsa_server_config(false));
    first_handshake(&client, &a);
    let exported = a.ticket_keys().unwrap().export();
    let imported = TicketKeys::import(TicketKeyPolicy::default(), &exported, NOW).unwrap();
    let b = Arc::new(
        stapler::ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .ticket_keys(Arc::new(imported))
            .build()
            .unwrap(),
    );
    assert!(resumed(&second_handshake(&client, &b, NOW)));

    // A server with keys of its own cannot open the tickets.
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    first_handshake(&client, &a);
    let c = Arc::new(ecdsa_server_config(false));
    assert!(!resumed(&second_handshake(&client, &c, NOW)));
}

/// The ClientHello offering a ticket, as the client sends it (its first
/// record, whole), with the server the ticket came from.
fn hello_with_ticket() -> (Vec<u8>, Arc<stapler::ServerConfig>) {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(false));
    first_handshake(&client, &server);
    let mut conn = rustls::ClientConnection::new(client, "localhost".try_into().unwrap()).unwrap();
    let mut bytes = Vec::new();
    conn.write_tls(&mut bytes).unwrap();
    (bytes, server)
}

#[test]
fn a_binder_that_does_not_verify_is_decrypt_error() {
    let (mut hello, server) = hello_with_ticket();
    // The binder is the hello's last bytes (pre_shared_key comes last).
    *hello.last_mut().unwrap() ^= 1;
    let mut conn = stapler::ServerConnection::new_at(server, NOW);
    let err = conn.feed(&hello).unwrap_err();
    assert_eq!(
        err,
        stapler::Error::InvalidMessage(stapler::InvalidMessage::BinderMismatch)
    );
    let alert = conn.poll_transmit().unwrap();
    assert_eq!(
        alert,
        [21, 3, 3, 0, 2, 2, 51],
        "a fatal decrypt_error alert"
    );
}

#[test]
fn a_ticket_offered_under_another_name_is_not_resumed() {
    let (hello, server) = hello_with_ticket();
    // The same hello, for another host: the ticket was issued under
    // "localhost" (RFC 8446 §4.6.1), so it is passed over before its
    // binder (which no longer matches either) is looked at.
    let at = hello
        .windows(9)
        .position(|w| w == b"localhost")
        .expect("the SNI");
    let mut other = hello.clone();
    other[at + 8] = b'x';
    let mut conn = stapler::ServerConnection::new_at(server, NOW);
    conn.feed(&other).expect("a full handshake, not an error");
    let flight = conn.poll_transmit().expect("ServerHello");
    let server_hello = &flight[5..5 + usize::from(u16::from_be_bytes([flight[3], flight[4]]))];
    let pre_shared_key = [0x00, 0x29, 0x00, 0x02];
    assert!(
        !server_hello.windows(4).any(|w| w == pre_shared_key),
        "the ServerHello selects no PSK"
    );
}

/// A server that asks the application for everything (certificate
/// selection, OCSP, a remote key's signature) asks nothing when a session
/// resumes: no certificate is sent (Node's rule for OCSPRequest).
#[test]
fn a_resumed_handshake_raises_no_request() {
    use common::decision_pair::{drive, Answers, Plan};
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(
        stapler::ServerConfig::builder()
            .certificate_events(true)
            .ocsp_events(true)
            .build()
            .unwrap(),
    );
    let answers = Answers::remote_ecdsa("resumption");
    let pair = || Pair::at(Arc::clone(&client), Arc::clone(&server), "localhost", NOW);
    let mut first = drive(pair(), Plan::now(), &answers, &pair);
    assert_eq!(first.error, None);
    assert_eq!(first.paused_for.len(), 3, "selection, OCSP, signing");
    first.pair.server_to_client().unwrap();

    let second = drive(pair(), Plan::now(), &answers, &pair);
    assert_eq!(second.error, None);
    assert!(second.paused_for.is_empty(), "{:?}", second.paused_for);
    assert!(resumed(&second.pair));
}

/// The fuzz `server` target reaches the PSK checks and the binder (config
/// bit 3: fixed ticket keys, the connection at FUZZ_NOW): a hello with a
/// ticket those keys sealed resumes through it, raising none of the
/// requests a full handshake of that config would. `STAPLER_FUZZ_SEEDS`
/// names a directory to write the hello to as a seed, in the target's
/// form.
#[test]
fn the_fuzz_server_target_resumes_a_seeded_ticket() {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    // A full handshake with the same keys, at the fuzz target's time; its
    // certificate selected as the target selects it.
    let remote_free = Arc::new(
        stapler::ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .ticket_keys(targets::server::ticket_keys())
            .build()
            .unwrap(),
    );
    let mut pair = Pair::at(
        Arc::clone(&client),
        remote_free,
        "localhost",
        targets::server::FUZZ_NOW,
    );
    pair.run().unwrap();
    pair.server_to_client().unwrap();
    let mut conn =
        rustls::ClientConnection::new(Arc::clone(&client), "localhost".try_into().unwrap())
            .unwrap();
    let mut hello = Vec::new();
    conn.write_tls(&mut hello).unwrap();
    assert!(ClientHello::parse(&hello[9..])
        .unwrap()
        .pre_shared_key()
        .is_some());

    let mut input = vec![0b1011, 0, 0];
    input.extend_from_slice(&hello);
    let run = targets::server::server(&input);
    assert_eq!((run.selections, run.ocsp_requests), (0, 0), "{run:?}");
    assert!(run.output > 0 && !run.closed, "{run:?}");
    if let Some(dir) = std::env::var_os("STAPLER_FUZZ_SEEDS") {
        std::fs::write(Path::new(&dir).join("resumption-tls13"), &input).unwrap();
    }
}

/// A ticket whose age the client states far from the server's (more than
/// MAX_TICKET_AGE_SKEW apart) is passed over: a full handshake, not an
/// error. The client here reports an age near zero while the server's
/// clock says a minute has passed.
#[test]
fn a_ticket_age_far_from_the_servers_is_not_resumed() {
    let client = Arc::new(default_client_config(ProtocolVersion::Tls13));
    let server = Arc::new(ecdsa_server_config(false));
    first_handshake(&client, &server);
    let skew = stapler::MAX_TICKET_AGE_SKEW;
    // Within the skew: resumed.
    assert!(resumed(&second_handshake(&client, &server, NOW + skew)));
    // Past it: not.
    assert!(!resumed(&second_handshake(
        &client,
        &server,
        NOW + skew + 60
    )));
}

#[test]
fn each_of_many_tickets_has_its_own_age_add_and_sealing_nonce() {
    use common::rustls_pair::logging_client_config;
    use common::tls12_client::split_messages;
    use common::tls13_wire::open_record;
    use rustls::crypto::ring::kx_group;
    use std::collections::HashSet;

    // More tickets than one draw from the system RNG serves (8 per draw,
    // `tls13/tickets.rs`): a second draw must not repeat the first, or two
    // tickets would be sealed under one key with one GCM nonce.
    const COUNT: usize = 11;
    let (client, log) = logging_client_config(&[kx_group::X25519]);
    let server = Arc::new(
        stapler::ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .tickets(COUNT as u8)
            .build()
            .unwrap(),
    );
    let mut pair = Pair::at(Arc::new(client), Arc::clone(&server), "localhost", NOW);
    // Up to the client's Finished taken: the tickets wait, unread.
    while !pair.server.is_handshake_complete() {
        pair.server_to_client().unwrap();
        pair.client_to_server().unwrap();
    }
    let secret = log.get("SERVER_TRAFFIC_SECRET_0").unwrap();
    let keys = server.ticket_keys().unwrap();

    // The tickets' records, opened; their messages, in order.
    let mut records = &pair.to_client[..];
    let mut messages = Vec::new();
    let mut seq = 0;
    while !records.is_empty() {
        let len = 5 + usize::from(u16::from_be_bytes([records[3], records[4]]));
        let (typ, plain) = open_record(&secret, seq, &records[..len]);
        assert_eq!(typ, 22, "handshake records");
        messages.extend_from_slice(&plain);
        records = &records[len..];
        seq += 1;
    }
    let messages = split_messages(&messages);
    assert_eq!(messages.len(), COUNT, "{COUNT} tickets, no more");
    let (mut age_adds, mut nonces, mut tickets) = (HashSet::new(), HashSet::new(), HashSet::new());
    for (index, (typ, message)) in messages.iter().enumerate() {
        // NewSessionTicket (RFC 8446 §4.6.1): lifetime, age_add, a
        // one-byte nonce (the ticket's index), the ticket, extensions.
        assert_eq!(*typ, 4, "message {index} is a NewSessionTicket");
        let body = &message[4..];
        age_adds.insert(body[4..8].to_vec());
        assert_eq!(&body[8..10], &[1, index as u8]);
        let ticket_len = usize::from(u16::from_be_bytes([body[10], body[11]]));
        let ticket = &body[12..12 + ticket_len];
        // Name (16), then the nonce the state is sealed with (12).
        nonces.insert(ticket[16..28].to_vec());
        tickets.insert(ticket.to_vec());
        let state = keys.open(ticket, NOW).expect("each ticket opens");
        let state = stapler::tickets::ResumptionState::decode(&state).unwrap();
        assert_eq!(
            u32::from_be_bytes(body[4..8].try_into().unwrap()),
            state.age_add
        );
    }
    assert_eq!(
        (age_adds.len(), nonces.len(), tickets.len()),
        (COUNT, COUNT, COUNT)
    );
}
