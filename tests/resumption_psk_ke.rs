//! TLS 1.3 resumption with psk_ke (RFC 8446 §4.2.9): off by default, on
//! with `ServerConfigBuilder::psk_ke`. rustls's client offers psk_dhe_ke
//! alone, so these run the hand-built PSK client of `tests/common`, which
//! holds a PSK the test sealed into a ticket with the server's keys.

mod common;

use std::sync::Arc;

use common::rustls_pair::pki;
use common::tls13_psk_client::PskClient;
use stapler::tickets::{ResumptionState, TicketKeyPolicy, TicketKeys};
use stapler::{CipherSuite, Event, ProtocolVersion, Resumption, ServerConfig, ServerConnection};

const NOW: u64 = 1_800_000_000;
const AGE_ADD: u32 = 0x1234_5678;
const PSK_KE: u8 = 0;
const PSK_DHE_KE: u8 = 1;

struct Setup {
    server: Arc<ServerConfig>,
    keys: Arc<TicketKeys>,
    state: ResumptionState,
    ticket: Vec<u8>,
    psk: Vec<u8>,
}

/// A server (psk_ke on or off) and a ticket for a TLS 1.3 session with
/// it, sealed by its keys.
fn setup(psk_ke: bool) -> Setup {
    let keys = Arc::new(TicketKeys::new(TicketKeyPolicy::default(), NOW).unwrap());
    let server = Arc::new(
        ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt"), &pki("leaf-ecdsa.key"))
            .unwrap()
            .ticket_keys(Arc::clone(&keys))
            .psk_ke(psk_ke)
            .build()
            .unwrap(),
    );
    let chain = stapler::pki::pem::certificates_from_pem_or_der(&pki("leaf-ecdsa.crt")).unwrap();
    let psk: Vec<u8> = (0..32).collect();
    let state = ResumptionState {
        version: ProtocolVersion::Tls13,
        cipher_suite: CipherSuite::from_wire(0x1301),
        secret: zeroize::Zeroizing::new(psk.clone()),
        extended_master_secret: true,
        issued: NOW,
        lifetime: 3600,
        age_add: AGE_ADD,
        certificate_hash: ring::digest::digest(&ring::digest::SHA256, &chain[0])
            .as_ref()
            .try_into()
            .unwrap(),
        server_name: Some("localhost".into()),
        alpn_protocol: None,
    };
    let ticket = keys.seal(&state.encode().unwrap()).unwrap();
    Setup {
        server,
        keys,
        state,
        ticket,
        psk,
    }
}

/// Offers the ticket with `modes` (and a share if `share`), one second
/// after it was issued; the server and what it answered.
fn offer(
    setup: &Setup,
    modes: &[u8],
    share: bool,
) -> (
    ServerConnection,
    PskClient,
    Result<common::tls13_psk_client::PskAnswer, stapler::Error>,
) {
    let mut client = PskClient::new(&setup.psk);
    let mut conn = ServerConnection::new_at(Arc::clone(&setup.server), NOW + 1);
    let hello = client.hello(&setup.ticket, 1000u32.wrapping_add(AGE_ADD), modes, share);
    let answer = conn
        .feed(&hello)
        .map(|_| client.read(&conn.poll_transmit().unwrap()));
    (conn, client, answer)
}

fn finish(conn: &mut ServerConnection, client: &mut PskClient) -> stapler::HandshakeSummary {
    conn.feed(&client.finished()).unwrap();
    assert!(conn.is_handshake_complete());
    std::iter::from_fn(|| conn.poll_event())
        .find_map(|e| match e {
            Event::HandshakeComplete(s) => Some(s),
            _ => None,
        })
        .expect("HandshakeComplete")
}

#[test]
fn with_psk_ke_on_a_psk_ke_hello_resumes_without_a_key_share() {
    let setup = setup(true);
    // No key_share, supported_groups or signature_algorithms: psk_ke
    // needs none of them (RFC 8446 §9.2).
    let (mut conn, mut client, answer) = offer(&setup, &[PSK_KE], false);
    let answer = answer.unwrap();
    assert_eq!(answer.selected, Some(0));
    assert_eq!(answer.key_share_group, None, "no key_share in ServerHello");
    assert_eq!(
        answer.message_types,
        [2, 8, 20],
        "SH, EE, Finished: no certificate"
    );
    let summary = finish(&mut conn, &mut client);
    assert_eq!(summary.resumption, Some(Resumption::Tls13PskKe));
    assert_eq!(summary.group, None);
    assert_eq!(summary.signature_scheme, None);
    // Tickets follow, as for any resumption the client can use again.
    assert!(conn.poll_transmit().is_some(), "NewSessionTickets");
}

#[test]
fn with_psk_ke_on_a_client_offering_both_modes_gets_psk_ke() {
    let setup = setup(true);
    let (mut conn, mut client, answer) = offer(&setup, &[PSK_DHE_KE, PSK_KE], true);
    let answer = answer.unwrap();
    assert_eq!(answer.selected, Some(0));
    assert_eq!(answer.key_share_group, None);
    let summary = finish(&mut conn, &mut client);
    assert_eq!(summary.resumption, Some(Resumption::Tls13PskKe));
}

#[test]
fn by_default_psk_dhe_ke_is_chosen_and_psk_ke_alone_is_not_resumed() {
    let setup = setup(false);
    // Both offered: psk_dhe_ke, with the server's share.
    let (mut conn, mut client, answer) = offer(&setup, &[PSK_KE, PSK_DHE_KE], true);
    let answer = answer.unwrap();
    assert_eq!(answer.selected, Some(0));
    assert_eq!(answer.key_share_group, Some(0x001d));
    let summary = finish(&mut conn, &mut client);
    assert_eq!(summary.resumption, Some(Resumption::Tls13PskDheKe));
    assert_eq!(summary.group, Some(stapler::NamedGroup::X25519));

    // psk_ke alone, with a share: a full handshake, no PSK selected.
    let (_, _, answer) = offer(&setup, &[PSK_KE], true);
    assert_eq!(answer.unwrap().selected, None);

    // psk_ke alone without the (EC)DHE extensions: nothing to do a full
    // handshake with, so missing_extension (§9.2).
    let (mut conn, _, answer) = offer(&setup, &[PSK_KE], false);
    assert_eq!(
        answer.unwrap_err(),
        stapler::Error::PeerMisbehaved(stapler::PeerMisbehaved::Missing("supported_groups"))
    );
    assert_eq!(conn.poll_transmit().unwrap(), [21, 3, 3, 0, 2, 2, 109]);
}

#[test]
fn a_psk_ke_binder_that_does_not_verify_is_decrypt_error() {
    let mut setup = setup(true);
    // The client binds with another PSK than the ticket carries.
    setup.psk[0] ^= 1;
    let (mut conn, _, answer) = offer(&setup, &[PSK_KE], false);
    assert_eq!(
        answer.unwrap_err(),
        stapler::Error::InvalidMessage(stapler::InvalidMessage::BinderMismatch)
    );
    assert_eq!(conn.poll_transmit().unwrap(), [21, 3, 3, 0, 2, 2, 51]);
}

#[test]
fn the_first_usable_identity_is_selected_and_reported() {
    // Identity 0 is no ticket of this server's (a full handshake would
    // pass over it); identity 1 is the real one: selected_identity is 1,
    // and its own binder is the one checked (§4.2.11).
    for psk_ke in [false, true] {
        let setup = setup(psk_ke);
        let mut client = PskClient::new(&setup.psk);
        let stranger = vec![0x42; 120];
        let age = 1000u32.wrapping_add(AGE_ADD);
        let hello = client.hello_offering(
            &[(&stranger, 7, &[1; 32]), (&setup.ticket, age, &setup.psk)],
            &[PSK_KE, PSK_DHE_KE],
            true,
        );
        let mut conn = ServerConnection::new_at(Arc::clone(&setup.server), NOW + 1);
        conn.feed(&hello).unwrap();
        let answer = client.read(&conn.poll_transmit().unwrap());
        assert_eq!(answer.selected, Some(1));
        let summary = finish(&mut conn, &mut client);
        assert!(summary.resumption.is_some());
    }
}

#[test]
fn a_tls12_session_is_never_resumed_in_tls13() {
    // The same state, made in TLS 1.2 (its secret, as TLS 1.2's, 48
    // bytes), sealed by this server's keys: the binder would verify, but
    // the identity is passed over (RFC 8446 §4.6.1, §4.2.11).
    let mut setup = setup(true);
    let mut state = setup.state.clone();
    state.version = ProtocolVersion::Tls12;
    state.secret = zeroize::Zeroizing::new(vec![3; 48]);
    setup.ticket = setup.keys.seal(&state.encode().unwrap()).unwrap();
    setup.psk = vec![3; 48];
    let (_, _, answer) = offer(&setup, &[PSK_KE, PSK_DHE_KE], true);
    assert_eq!(answer.unwrap().selected, None);
}

#[test]
fn a_resumption_answers_record_size_limit_in_encrypted_extensions() {
    let setup = setup(false);
    let mut client = PskClient::new(&setup.psk);
    // record_size_limit (RFC 8449 §4) of 1000.
    client.extra_extensions = vec![0, 28, 0, 2, 0x03, 0xe8];
    let mut conn = ServerConnection::new_at(Arc::clone(&setup.server), NOW + 1);
    let hello = client.hello(
        &setup.ticket,
        1000u32.wrapping_add(AGE_ADD),
        &[PSK_DHE_KE],
        true,
    );
    conn.feed(&hello).unwrap();
    let answer = client.read(&conn.poll_transmit().unwrap());
    assert_eq!(answer.selected, Some(0));
    // The server's own limit: 2^14 and the content type byte.
    assert!(answer
        .encrypted_extensions
        .contains(&(28, 16385u16.to_be_bytes().to_vec())));
    finish(&mut conn, &mut client);
}
