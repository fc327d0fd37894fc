//! TLS 1.2 session tickets (RFC 5077) and the abbreviated handshake:
//! against rustls's client with its resumption on, and against the hand
//! client in `tests/common`, which can leave out the extended master
//! secret and offer the tickets a test makes.

mod common;
#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

use std::sync::Arc;

use common::hello_encoder::ExtensionModel;
use common::rustls_pair::{default_client_config, ecdsa_server_config, pki, Pair};
use common::tls12_client::{tls12_extensions, tls12_hello, HandClient};
use stapler::codec::ClientHello;
use stapler::tickets::{ResumptionState, TicketKeyPolicy, TicketKeys};
use stapler::{CipherSuite, ProtocolVersion, Resumption, ServerConfig, ServerConnection};

const NOW: u64 = 1_800_000_000;
const ECDHE_ECDSA_AES128_GCM: u16 = 0xc02b;

fn tls12_client() -> Arc<rustls::ClientConfig> {
    Arc::new(default_client_config(ProtocolVersion::Tls12))
}

/// The client's next ClientHello's session_ticket, if any.
fn offered_ticket(client: &Arc<rustls::ClientConfig>) -> Option<Vec<u8>> {
    let mut conn =
        rustls::ClientConnection::new(Arc::clone(client), "localhost".try_into().unwrap()).unwrap();
    let mut bytes = Vec::new();
    conn.write_tls(&mut bytes).unwrap();
    let hello = ClientHello::parse(&bytes[9..]).unwrap();
    hello.session_ticket().map(<[u8]>::to_vec)
}

fn handshake(client: &Arc<rustls::ClientConfig>, server: &Arc<ServerConfig>, now: u64) -> Pair {
    Pair::completed_at(client, server, now)
}

fn resumed(pair: &Pair) -> bool {
    pair.resumed()
}

#[test]
fn a_full_tls12_handshake_issues_a_ticket_and_the_next_resumes() {
    let client = tls12_client();
    let server = Arc::new(ecdsa_server_config(true));
    // rustls asks for a ticket with an empty session_ticket.
    assert_eq!(offered_ticket(&client), Some(Vec::new()));

    let mut first = Pair::at(Arc::clone(&client), Arc::clone(&server), "localhost", NOW);
    first.run().unwrap();
    let request = first.ocsp_requests.pop().expect("the full handshake asks");
    first.complete(request.answer(None)).unwrap();
    assert!(first.server.is_handshake_complete());
    assert!(!resumed(&first));
    let ticket = offered_ticket(&client).expect("a ticket to offer");
    assert!(!ticket.is_empty());

    let mut second = handshake(&client, &server, NOW + 60);
    assert!(resumed(&second));
    let summary = second.summary().unwrap();
    assert_eq!(summary.version, ProtocolVersion::Tls12);
    assert_eq!(summary.resumption, Some(Resumption::Tls12Ticket));
    assert_eq!(summary.group, None, "no key exchanged");
    assert_eq!(summary.signature_scheme, None, "nothing signed");
    assert!(summary.extended_master_secret);
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
    // No certificate is sent, so no OCSP request (Node's rule).
    assert!(second.ocsp_requests.is_empty());
    second.exchange_data();

    // The resumed handshake handed out a fresh ticket, which resumes too.
    let renewed = offered_ticket(&client).expect("a renewed ticket");
    assert_ne!(renewed, ticket);
    assert!(resumed(&handshake(&client, &server, NOW + 120)));
}

#[test]
fn a_tls12_resumption_raises_no_request() {
    use common::decision_pair::{drive, Answers, Plan};
    let client = tls12_client();
    let server = Arc::new(
        ServerConfig::builder()
            .certificate_events(true)
            .ocsp_events(true)
            .build()
            .unwrap(),
    );
    let answers = Answers::remote_ecdsa("resumption");
    let pair = || Pair::at(Arc::clone(&client), Arc::clone(&server), "localhost", NOW);
    let first = drive(pair(), Plan::now(), &answers, &pair);
    assert_eq!(first.error, None);
    assert_eq!(first.paused_for.len(), 3, "selection, OCSP, signing");

    let second = drive(pair(), Plan::now(), &answers, &pair);
    assert_eq!(second.error, None);
    assert!(second.paused_for.is_empty(), "{:?}", second.paused_for);
    assert!(resumed(&second.pair));
}

#[test]
fn a_stale_foreign_or_retired_tls12_ticket_gets_a_full_handshake() {
    // Past its lifetime (12 hours by default).
    let client = tls12_client();
    let server = Arc::new(ecdsa_server_config(false));
    handshake(&client, &server, NOW);
    assert!(!resumed(&handshake(&client, &server, NOW + 12 * 3600 + 1)));

    // From a server with keys of its own.
    let client = tls12_client();
    handshake(&client, &server, NOW);
    let other = Arc::new(ecdsa_server_config(false));
    assert!(!resumed(&handshake(&client, &other, NOW)));

    // Its key rotated out.
    let client = tls12_client();
    let server = Arc::new(ecdsa_server_config(false));
    handshake(&client, &server, NOW);
    let keys = server.ticket_keys().unwrap();
    keys.rotate(NOW + 6 * 3600).unwrap();
    keys.rotate(NOW + 18 * 3600).unwrap();
    assert!(!resumed(&handshake(&client, &server, NOW)));

    // A fleet's second server, with the keys exported from the first.
    let client = tls12_client();
    let a = Arc::new(ecdsa_server_config(false));
    handshake(&client, &a, NOW);
    let shared = TicketKeys::import(
        TicketKeyPolicy::default(),
        &a.ticket_keys().unwrap().export(),
        NOW,
    )
    .unwrap();
    let b = Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .ticket_keys(Arc::new(shared))
            .build()
            .unwrap(),
    );
    assert!(resumed(&handshake(&client, &b, NOW)));
}

#[test]
fn tickets_off_means_no_session_ticket_in_the_server_hello() {
    let client = tls12_client();
    let server = Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .tickets(0)
            .build()
            .unwrap(),
    );
    handshake(&client, &server, NOW);
    assert_eq!(offered_ticket(&client), Some(Vec::new()), "no ticket came");
}

/// A full TLS 1.2 handshake by the hand client, with or without the
/// extended master secret; returns the client holding its ticket.
fn hand_session(server: &Arc<ServerConfig>, ems: bool) -> HandClient {
    let mut exts = tls12_extensions(ems, false);
    exts.push(ExtensionModel::SessionTicket(Vec::new()));
    let mut client = HandClient::new(tls12_hello(&[ECDHE_ECDSA_AES128_GCM], exts));
    let mut conn = ServerConnection::new_at(Arc::clone(server), NOW);
    conn.feed(&client.client_hello()).unwrap();
    let flight = conn.poll_transmit().unwrap();
    client.read_flight(&flight);
    assert_eq!(
        client.flight.extension(35),
        Some(&[][..]),
        "a ticket promised"
    );
    assert_eq!(client.flight.extension(23).is_some(), ems);
    conn.feed(&client.second_flight()).unwrap();
    client.read_server_finished(&conn.poll_transmit().unwrap());
    assert!(conn.is_handshake_complete());
    let (hint, ticket) = client.ticket.clone().expect("NewSessionTicket");
    assert_eq!(hint, 12 * 3600, "the key policy's acceptance window");
    assert!(!ticket.is_empty());
    client
}

/// The abbreviated handshake by the hand client, to completion.
fn hand_resume(server: &Arc<ServerConfig>, session: &HandClient, ems: bool) -> ServerConnection {
    let mut client = session.resuming(&[ECDHE_ECDSA_AES128_GCM], ems);
    let mut conn = ServerConnection::new_at(Arc::clone(server), NOW + 1);
    conn.feed(&client.client_hello()).unwrap();
    client.read_resumed_flight(&conn.poll_transmit().unwrap());
    assert!(client.ticket.is_some(), "a renewed ticket");
    conn.feed(&client.resumed_finish(false)).unwrap();
    assert!(conn.is_handshake_complete());
    conn
}

#[test]
fn sessions_with_and_without_ems_each_resume_as_they_were() {
    let server = Arc::new(ecdsa_server_config(false));
    for ems in [true, false] {
        let session = hand_session(&server, ems);
        let mut conn = hand_resume(&server, &session, ems);
        let summary = std::iter::from_fn(|| conn.poll_event())
            .find_map(|e| match e {
                stapler::Event::HandshakeComplete(s) => Some(s),
                _ => None,
            })
            .expect("HandshakeComplete");
        assert_eq!(summary.resumption, Some(Resumption::Tls12Ticket));
        assert_eq!(summary.extended_master_secret, ems);
    }
}

/// The fatal alert a connection sent, as (level, description).
fn alert_of(out: &[u8]) -> (u8, u8) {
    assert_eq!(out[..5], [21, 3, 3, 0, 2], "one alert record: {out:?}");
    (out[5], out[6])
}

#[test]
fn a_session_with_ems_offered_without_it_is_handshake_failure() {
    // RFC 7627 §5.3: "If the original session used the
    // extended_master_secret extension but the new ClientHello does not
    // contain it, the server MUST abort the abbreviated handshake."
    let server = Arc::new(ecdsa_server_config(false));
    let session = hand_session(&server, true);
    let mut client = session.resuming(&[ECDHE_ECDSA_AES128_GCM], false);
    let mut conn = ServerConnection::new_at(Arc::clone(&server), NOW + 1);
    let err = conn.feed(&client.client_hello()).unwrap_err();
    assert_eq!(
        err,
        stapler::Error::PeerMisbehaved(
            stapler::PeerMisbehaved::ResumptionWithoutExtendedMasterSecret
        )
    );
    assert_eq!(alert_of(&conn.poll_transmit().unwrap()), (2, 40));
}

#[test]
fn a_session_without_ems_offered_with_it_gets_a_full_handshake() {
    // RFC 7627 §5.3: the server "MUST NOT perform the abbreviated
    // handshake" and SHOULD go on with a full one.
    let server = Arc::new(ecdsa_server_config(false));
    let session = hand_session(&server, false);
    let mut client = session.resuming(&[ECDHE_ECDSA_AES128_GCM], true);
    let mut conn = ServerConnection::new_at(Arc::clone(&server), NOW + 1);
    conn.feed(&client.client_hello()).unwrap();
    let flight = conn.poll_transmit().unwrap();
    assert_eq!(HandClient::message_types(&flight), [2, 11, 12, 14]);
    client.read_flight(&flight);
    assert!(client.flight.session_id.is_empty(), "a new session");
}

#[test]
fn a_wrong_client_finished_after_resumption_is_decrypt_error() {
    let server = Arc::new(ecdsa_server_config(false));
    let session = hand_session(&server, true);
    let mut client = session.resuming(&[ECDHE_ECDSA_AES128_GCM], true);
    let mut conn = ServerConnection::new_at(Arc::clone(&server), NOW + 1);
    conn.feed(&client.client_hello()).unwrap();
    client.read_resumed_flight(&conn.poll_transmit().unwrap());
    let err = conn.feed(&client.resumed_finish(true)).unwrap_err();
    assert_eq!(
        err,
        stapler::Error::InvalidMessage(stapler::InvalidMessage::FinishedMismatch)
    );
    // The alert goes under the server's new keys: one encrypted record.
    let out = conn.poll_transmit().unwrap();
    assert_eq!(out[0], 21);
}

/// Offers `ticket` from the hand client; the server's first flight.
fn offer(server: &Arc<ServerConfig>, ticket: Vec<u8>, name: &[u8]) -> Vec<u8> {
    let mut exts = tls12_extensions(true, false);
    exts[0] = ExtensionModel::ServerName(vec![(0, name.to_vec())]);
    exts.push(ExtensionModel::SessionTicket(ticket));
    let mut hello = tls12_hello(&[ECDHE_ECDSA_AES128_GCM], exts);
    hello.session_id = vec![1; 32];
    let mut client = HandClient::new(hello);
    let mut conn = ServerConnection::new_at(Arc::clone(server), NOW + 1);
    conn.feed(&client.client_hello()).unwrap();
    conn.poll_transmit().unwrap()
}

fn state(version: ProtocolVersion, server_name: &str) -> ResumptionState {
    let cert = stapler::pki::pem::certificates_from_pem_or_der(&pki("leaf-ecdsa.crt")).unwrap();
    let hash = ring::digest::digest(&ring::digest::SHA256, &cert[0]);
    ResumptionState {
        version,
        cipher_suite: CipherSuite::from_wire(ECDHE_ECDSA_AES128_GCM),
        secret: zeroize::Zeroizing::new(vec![7; 48]),
        extended_master_secret: true,
        issued: NOW,
        lifetime: 3600,
        age_add: 0,
        certificate_hash: hash.as_ref().try_into().unwrap(),
        server_name: Some(server_name.into()),
        alpn_protocol: None,
    }
}

#[test]
fn a_ticket_binds_its_version_and_name() {
    let keys = Arc::new(TicketKeys::new(TicketKeyPolicy::default(), NOW).unwrap());
    let server = Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .ticket_keys(Arc::clone(&keys))
            .build()
            .unwrap(),
    );
    let seal = |s: ResumptionState| keys.seal(&s.encode().unwrap()).unwrap();
    // The control: this server's own sealing of a TLS 1.2 session for
    // localhost resumes (ServerHello then NewSessionTicket).
    let flight = offer(
        &server,
        seal(state(ProtocolVersion::Tls12, "localhost")),
        b"localhost",
    );
    assert_eq!(HandClient::message_types(&flight), [2, 4]);
    // The same state made in TLS 1.3 is never used in TLS 1.2.
    let flight = offer(
        &server,
        seal(state(ProtocolVersion::Tls13, "localhost")),
        b"localhost",
    );
    assert_eq!(HandClient::message_types(&flight), [2, 11, 12, 14]);
    // Nor under another name (RFC 6066 §3, RFC 5077 §4).
    let flight = offer(
        &server,
        seal(state(ProtocolVersion::Tls12, "localhost")),
        b"other.test",
    );
    assert_eq!(HandClient::message_types(&flight), [2, 11, 12, 14]);
    // Nor a forgery.
    let mut forged = seal(state(ProtocolVersion::Tls12, "localhost"));
    *forged.last_mut().unwrap() ^= 1;
    let flight = offer(&server, forged, b"localhost");
    assert_eq!(HandClient::message_types(&flight), [2, 11, 12, 14]);
}

/// The fuzz `server` target reaches the TLS 1.2 ticket checks (config bit
/// 3: fixed ticket keys, the connection at FUZZ_NOW): a hello with a
/// ticket those keys sealed resumes through them. `STAPLER_FUZZ_SEEDS`
/// names a directory to write the hello to as a seed.
#[test]
fn the_fuzz_server_target_resumes_a_seeded_tls12_ticket() {
    let client = tls12_client();
    let server = Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .ticket_keys(targets::server::ticket_keys())
            .build()
            .unwrap(),
    );
    handshake(&client, &server, targets::server::FUZZ_NOW);
    let mut conn =
        rustls::ClientConnection::new(Arc::clone(&client), "localhost".try_into().unwrap())
            .unwrap();
    let mut hello = Vec::new();
    conn.write_tls(&mut hello).unwrap();
    assert!(ClientHello::parse(&hello[9..])
        .unwrap()
        .session_ticket()
        .is_some_and(|t| !t.is_empty()));

    let mut input = vec![0b1011, 0, 0];
    input.extend_from_slice(&hello);
    let run = targets::server::server(&input);
    assert_eq!((run.selections, run.ocsp_requests), (0, 0), "{run:?}");
    assert!(run.output > 0 && !run.closed, "{run:?}");
    if let Some(dir) = std::env::var_os("STAPLER_FUZZ_SEEDS") {
        std::fs::write(std::path::Path::new(&dir).join("resumption-tls12"), &input).unwrap();
    }
}
