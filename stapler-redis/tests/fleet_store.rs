//! The fleet's store against a real `redis-server` (started on a free
//! loopback port per test): the fetch lease, the staple kept with its
//! expiry, the ticket-key set shared and rotated, what a Redis writable by
//! others cannot make the fleet take, and carrying on while Redis is away.
//!
//! Without `redis-server` these tests print one line and pass, unless
//! `STAPLER_REQUIRE_PEERS=1` (CI) makes that a failure.

#[allow(dead_code)]
#[path = "../../tests/common/peers.rs"]
mod peers;
#[allow(dead_code)]
#[path = "../../tests/common/redis_server.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use peers::REDIS_SERVER;
use redis_server::RedisServer;
use stapler::tickets::{TicketKeyPolicy, TicketKeys};
use stapler_redis::{Claim, Fleet, FleetError, FleetPolicy, FleetSecret, MAX_STAPLE_VALUE_LEN};

const NOW: u64 = 1_800_000_000;
const HOUR: u64 = 3600;
const SECRET: [u8; 32] = [0x5a; 32];
const CERT: &[u8] = b"a certificate's DER";

fn redis() -> Option<RedisServer> {
    if peers::skip_unless_installed(&[REDIS_SERVER]) {
        return None;
    }
    Some(RedisServer::start(peers::require(REDIS_SERVER)))
}

fn fleet(server: &RedisServer) -> Fleet {
    fleet_with(server, &SECRET)
}

fn fleet_with(server: &RedisServer, secret: &[u8]) -> Fleet {
    let mut policy = FleetPolicy::default();
    policy.timeout = Duration::from_millis(500);
    Fleet::new(&server.url(), FleetSecret::new(secret).unwrap())
        .unwrap()
        .with_policy(policy)
}

fn keys(now: u64) -> TicketKeys {
    TicketKeys::new(TicketKeyPolicy::default(), now).unwrap()
}

/// The fleet's Redis key for `CERT`'s staple.
fn staple_slot() -> String {
    staple_slot_of(CERT)
}

/// The fleet's Redis key for `certificate`'s staple, as the crate docs
/// lay it out.
fn staple_slot_of(certificate: &[u8]) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, certificate);
    let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("stapler:staple:{hex}")
}

#[test]
fn one_server_holds_the_fetch_lease_and_the_others_take_its_staple() {
    let Some(server) = redis() else { return };
    let (mut a, mut b) = (fleet(&server), fleet(&server));
    assert!(a.shared_staple(CERT).unwrap().is_none());
    let Claim::Fetch(lease) = a.claim_fetch(CERT).unwrap() else {
        panic!("the first claim gets the lease");
    };
    match b.claim_fetch(CERT).unwrap() {
        Claim::Busy { lease_left } => {
            assert!(lease_left > Duration::from_secs(25), "{lease_left:?}");
            assert!(lease_left <= Duration::from_secs(30));
        }
        Claim::Fetch(_) => panic!("two servers hold the lease"),
    }
    a.publish_staple(lease, b"the staple", NOW + HOUR, NOW)
        .unwrap();
    assert_eq!(b.shared_staple(CERT).unwrap().unwrap(), &b"the staple"[..]);
    // Published, the lease is free again; it expires with the staple.
    let Claim::Fetch(lease) = b.claim_fetch(CERT).unwrap() else {
        panic!("the lease ends with the publish");
    };
    b.release(lease).unwrap();
    let ttl = server.command(&[b"PTTL", staple_slot().as_bytes()]);
    let ttl: i64 = String::from_utf8_lossy(&ttl[1..ttl.len() - 2])
        .parse()
        .unwrap();
    assert!(
        (3_590_000..=3_600_000).contains(&ttl),
        "expires at nextUpdate: {ttl}"
    );
    // A released lease is free at once.
    let Claim::Fetch(lease) = a.claim_fetch(CERT).unwrap() else {
        panic!("released");
    };
    a.release(lease).unwrap();
}

#[test]
fn a_held_staple_is_put_back_only_where_the_fleet_has_none() {
    let Some(server) = redis() else { return };
    let (mut a, mut b) = (fleet(&server), fleet(&server));
    assert!(a.share_staple(CERT, b"held by a", NOW + HOUR, NOW).unwrap());
    assert_eq!(b.shared_staple(CERT).unwrap().unwrap(), &b"held by a"[..]);
    // Never over a staple already there, nor an expired one.
    assert!(!b.share_staple(CERT, b"held by b", NOW + HOUR, NOW).unwrap());
    assert_eq!(a.shared_staple(CERT).unwrap().unwrap(), &b"held by a"[..]);
    server.command(&[b"DEL", staple_slot().as_bytes()]);
    assert!(!b.share_staple(CERT, b"expired", NOW, NOW).unwrap());
    assert!(a.shared_staple(CERT).unwrap().is_none());
}

#[test]
fn a_lease_released_late_does_not_end_another_servers() {
    let Some(server) = redis() else { return };
    let (mut a, mut b) = (fleet(&server), fleet(&server));
    let mut short = FleetPolicy::default();
    short.staple_lease = Duration::from_millis(100);
    let mut a_short = a.clone().with_policy(short);
    let Claim::Fetch(stale) = a_short.claim_fetch(CERT).unwrap() else {
        panic!()
    };
    std::thread::sleep(Duration::from_millis(200));
    let Claim::Fetch(current) = b.claim_fetch(CERT).unwrap() else {
        panic!("the first lease ran out");
    };
    a.release(stale).unwrap();
    assert!(
        matches!(a.claim_fetch(CERT).unwrap(), Claim::Busy { .. }),
        "b's lease survives a's late release"
    );
    b.release(current).unwrap();
}

#[test]
fn staples_not_written_under_the_fleet_secret_are_never_returned() {
    let Some(server) = redis() else { return };
    let mut fleet_a = fleet(&server);
    let slot = staple_slot();
    // Written by hand, as anyone who can write to Redis could.
    for forged in [
        &b"\x30\x03\x0a\x01\x00"[..],
        &[0u8; 40][..],
        &[1u8; 100][..],
    ] {
        server.command(&[b"SET", slot.as_bytes(), forged]);
        assert!(
            matches!(
                fleet_a.shared_staple(CERT),
                Err(FleetError::Unauthentic("shared staple"))
            ),
            "{forged:?}"
        );
    }
    // Written by a fleet with another secret.
    let mut other = fleet_with(&server, &[0x11; 32]);
    let Claim::Fetch(lease) = other.claim_fetch(CERT).unwrap() else {
        panic!()
    };
    other
        .publish_staple(lease, b"theirs", NOW + HOUR, NOW)
        .unwrap();
    assert!(matches!(
        fleet_a.shared_staple(CERT),
        Err(FleetError::Unauthentic(_))
    ));
    // A genuine staple moved to another certificate's slot.
    let mut genuine = fleet(&server);
    let Claim::Fetch(lease) = genuine.claim_fetch(b"other certificate").unwrap() else {
        panic!()
    };
    genuine
        .publish_staple(lease, b"for the other", NOW + HOUR, NOW)
        .unwrap();
    let moved = server.command(&[b"GET", staple_slot_of(b"other certificate").as_bytes()]);
    let body_at = moved.iter().position(|&b| b == b'\n').unwrap() + 1;
    server.command(&[b"SET", slot.as_bytes(), &moved[body_at..moved.len() - 2]]);
    assert!(matches!(
        fleet_a.shared_staple(CERT),
        Err(FleetError::Unauthentic(_))
    ));
    // A huge value is not read past the limit.
    let huge = vec![0u8; 4 * MAX_STAPLE_VALUE_LEN];
    server.command(&[b"SET", slot.as_bytes(), &huge]);
    assert!(matches!(
        fleet_a.shared_staple(CERT),
        Err(FleetError::TooLong(_))
    ));
}

#[test]
fn the_ticket_key_set_is_shared_and_rotated_once_for_the_fleet() {
    let Some(server) = redis() else { return };
    let (mut a, mut b) = (fleet(&server), fleet(&server));
    let (keys_a, keys_b) = (keys(NOW), keys(NOW));
    let own_b = keys_b.seal(b"b before the fleet").unwrap();
    // The first to sync publishes its set; the second adopts it.
    let sync = a.sync_ticket_keys(&keys_a, NOW).unwrap();
    assert!(
        sync.published && sync.following && !sync.changed && !sync.rotated,
        "{sync:?}"
    );
    let sync = b.sync_ticket_keys(&keys_b, NOW).unwrap();
    assert!(
        !sync.published && sync.following && sync.changed,
        "{sync:?}"
    );
    let from_a = keys_a.seal(b"from a").unwrap();
    let from_b = keys_b.seal(b"from b").unwrap();
    assert_eq!(keys_b.open(&from_a, NOW).unwrap().as_slice(), b"from a");
    assert_eq!(keys_a.open(&from_b, NOW).unwrap().as_slice(), b"from b");
    assert!(
        keys_b.open(&own_b, NOW).is_some(),
        "b's own key still opens"
    );
    // Nothing due: syncing again changes nothing.
    let sync = a.sync_ticket_keys(&keys_a, NOW + HOUR).unwrap();
    assert!(
        sync.following && !sync.published && !sync.changed,
        "{sync:?}"
    );
    // While another server writes the first set, a server is not yet
    // following, and says so.
    let (mut c, keys_c) = (fleet(&server), keys(NOW));
    server.command(&[b"DEL", b"stapler:ticket-keys"]);
    server.command(&[b"SET", b"stapler:ticket-keys-lease", b"someone"]);
    let sync = c.sync_ticket_keys(&keys_c, NOW + HOUR).unwrap();
    assert!(!sync.following && !sync.published, "{sync:?}");
    server.command(&[b"DEL", b"stapler:ticket-keys-lease"]);
    a.sync_ticket_keys(&keys_a, NOW + HOUR).unwrap();
    // Within the lead of the rotation: one server rotates, the other
    // follows, and neither finds its key due at the old time.
    let lead = a.policy().rotation_lead;
    let at = NOW + 6 * HOUR - lead;
    let sync = b.sync_ticket_keys(&keys_b, at).unwrap();
    assert!(sync.published && sync.rotated && sync.changed, "{sync:?}");
    let sync = a.sync_ticket_keys(&keys_a, at + 1).unwrap();
    assert!(!sync.published && !sync.rotated && sync.changed, "{sync:?}");
    assert!(!keys_a.rotate(NOW + 6 * HOUR).unwrap());
    let new_a = keys_a.seal(b"new").unwrap();
    assert_eq!(keys_b.open(&new_a, at + 1).unwrap().as_slice(), b"new");
    assert!(
        keys_b.open(&from_a, at + 1).is_some(),
        "old tickets still open"
    );
}

#[test]
fn ticket_keys_not_sealed_under_the_fleet_secret_are_never_adopted() {
    let Some(server) = redis() else { return };
    let mut a = fleet(&server);
    let keys_a = keys(NOW);
    let before = keys_a.export();
    // Plain exported keys, written by hand: someone else's keys.
    let planted = keys(NOW).export();
    server.command(&[b"SET", b"stapler:ticket-keys", &planted]);
    assert!(matches!(
        a.sync_ticket_keys(&keys_a, NOW),
        Err(FleetError::Unauthentic("ticket keys"))
    ));
    // Sealed by a fleet with another secret.
    let mut other = fleet_with(&server, &[0x11; 32]);
    server.command(&[b"DEL", b"stapler:ticket-keys"]);
    other.sync_ticket_keys(&keys(NOW), NOW).unwrap();
    assert!(matches!(
        a.sync_ticket_keys(&keys_a, NOW),
        Err(FleetError::Unauthentic(_))
    ));
    assert_eq!(*keys_a.export(), *before, "left as it was");
}

#[test]
fn while_redis_is_away_calls_fail_fast_and_pick_up_when_it_is_back() {
    let Some(mut server) = redis() else { return };
    let mut a = fleet(&server);
    let keys_a = keys(NOW);
    a.sync_ticket_keys(&keys_a, NOW).unwrap();
    let Claim::Fetch(lease) = a.claim_fetch(CERT).unwrap() else {
        panic!()
    };
    a.publish_staple(lease, b"staple", NOW + HOUR, NOW).unwrap();
    let before = keys_a.export();

    server.kill();
    let started = Instant::now();
    assert!(matches!(a.shared_staple(CERT), Err(FleetError::Store(_))));
    assert!(matches!(a.claim_fetch(CERT), Err(FleetError::Store(_))));
    assert!(matches!(
        a.sync_ticket_keys(&keys_a, NOW + 60),
        Err(FleetError::Store(_))
    ));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "bounded by the timeout"
    );
    assert_eq!(*keys_a.export(), *before, "keys kept while Redis is away");

    // Back, empty (no persistence): the same handle reconnects, and the
    // first sync publishes this server's keys again.
    server.restart();
    assert!(a.shared_staple(CERT).unwrap().is_none());
    let sync = a.sync_ticket_keys(&keys_a, NOW + 120).unwrap();
    assert!(sync.published && !sync.changed, "{sync:?}");
    let mut b = fleet(&server);
    let keys_b = keys(NOW + 120);
    b.sync_ticket_keys(&keys_b, NOW + 120).unwrap();
    let ticket = keys_a.seal(b"after").unwrap();
    assert!(keys_b.open(&ticket, NOW + 120).is_some());
}
