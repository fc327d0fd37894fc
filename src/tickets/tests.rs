use super::*;

const NOW: u64 = 1_800_000_000;
const HOUR: u64 = 3600;

fn keys() -> TicketKeys {
    TicketKeys::new(TicketKeyPolicy::default(), NOW).unwrap()
}

#[test]
fn a_ticket_opens_to_its_state_and_only_then() {
    let keys = keys();
    let ticket = keys.seal(b"state").unwrap();
    assert_eq!(ticket.len(), 5 + 16 + 12 + 16);
    assert_eq!(keys.open(&ticket, NOW).unwrap().as_slice(), b"state");
    // Every bit flipped, anywhere: refused.
    for at in 0..ticket.len() {
        let mut bad = ticket.clone();
        bad[at] ^= 1;
        assert!(keys.open(&bad, NOW).is_none(), "flipped at {at}");
    }
    // Cut anywhere: refused.
    for len in 0..ticket.len() {
        assert!(keys.open(&ticket[..len], NOW).is_none(), "cut at {len}");
    }
    // Two tickets of the same state differ (random nonces).
    assert_ne!(keys.seal(b"state").unwrap(), ticket);
}

#[test]
fn another_sets_tickets_do_not_open() {
    let ticket = keys().seal(b"state").unwrap();
    assert!(keys().open(&ticket, NOW).is_none());
}

#[test]
fn keys_rotate_and_retire_by_the_policy() {
    let keys = keys();
    let first = keys.seal(b"1").unwrap();
    assert_eq!(keys.next_rotation(), NOW + 6 * HOUR);
    assert!(!keys.rotate(NOW + 6 * HOUR - 1).unwrap());
    assert!(keys.rotate(NOW + 6 * HOUR).unwrap());
    let second = keys.seal(b"2").unwrap();
    assert_ne!(first[..16], second[..16], "a new key seals");
    // The first key opens its tickets until 12 hours after it retired.
    assert!(keys.open(&first, NOW + 18 * HOUR - 1).is_some());
    assert!(keys.open(&first, NOW + 18 * HOUR).is_none());
    keys.rotate(NOW + 12 * HOUR).unwrap();
    keys.rotate(NOW + 18 * HOUR).unwrap();
    assert!(keys.read().len() <= 3, "{keys:?}");
    assert!(keys.open(&second, NOW + 18 * HOUR).is_some());
    assert!(keys.open(&second, NOW + 24 * HOUR).is_none());
}

#[test]
fn a_policy_must_rotate_and_stay_within_the_key_limit() {
    let bad = |rotate_every, accept_for| {
        TicketKeys::new(
            TicketKeyPolicy {
                rotate_every,
                accept_for,
            },
            NOW,
        )
        .unwrap_err()
    };
    assert_eq!(bad(0, HOUR), TicketKeyError::BadPolicy);
    assert_eq!(bad(HOUR, 7 * HOUR), TicketKeyError::BadPolicy);
    assert!(TicketKeys::new(
        TicketKeyPolicy {
            rotate_every: HOUR,
            accept_for: 6 * HOUR
        },
        NOW
    )
    .is_ok());
}

#[test]
fn the_set_travels_as_bytes() {
    let keys = keys();
    keys.rotate(NOW + 6 * HOUR).unwrap();
    let ticket = keys.seal(b"state").unwrap();
    let bytes = keys.export();
    assert_eq!(bytes.len(), 21 + 1 + 2 * (16 + 8 + 32));
    let other = TicketKeys::import(TicketKeyPolicy::default(), &bytes, NOW + 6 * HOUR).unwrap();
    assert_eq!(
        other.open(&ticket, NOW + 6 * HOUR).unwrap().as_slice(),
        b"state"
    );
    // The importer seals with the same current key.
    let theirs = other.seal(b"back").unwrap();
    assert_eq!(
        keys.open(&theirs, NOW + 6 * HOUR).unwrap().as_slice(),
        b"back"
    );
    // Imported late, retired keys are left out; all retired is an error.
    let late = TicketKeys::import(TicketKeyPolicy::default(), &bytes, NOW + 18 * HOUR).unwrap();
    assert_eq!(late.read().len(), 1);
    assert_eq!(
        TicketKeys::import(TicketKeyPolicy::default(), &bytes, NOW + 30 * HOUR).unwrap_err(),
        TicketKeyError::NoCurrentKey
    );
}

#[test]
fn malformed_exports_are_refused() {
    let bytes = keys().export();
    let import = |b: &[u8]| TicketKeys::import(TicketKeyPolicy::default(), b, NOW);
    for len in 0..bytes.len() {
        assert!(
            matches!(import(&bytes[..len]), Err(TicketKeyError::Malformed(_))),
            "cut at {len}"
        );
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert!(matches!(import(&longer), Err(TicketKeyError::Malformed(_))));
    let mut zero = bytes.to_vec();
    zero[21] = 0;
    assert!(matches!(
        import(&zero[..22]),
        Err(TicketKeyError::Malformed(_))
    ));
    // The same key twice.
    let mut twice = bytes.to_vec();
    twice[21] = 2;
    twice.extend_from_slice(&bytes[22..]);
    assert!(matches!(import(&twice), Err(TicketKeyError::Malformed(_))));
    let mut other_version = bytes.to_vec();
    other_version[20] = b'2';
    assert!(matches!(
        import(&other_version),
        Err(TicketKeyError::Malformed(_))
    ));
}

#[test]
fn long_states_and_tickets_are_refused() {
    let keys = keys();
    let longest = vec![7; MAX_TICKET_LEN - 44];
    let ticket = keys.seal(&longest).unwrap();
    assert_eq!(ticket.len(), MAX_TICKET_LEN);
    assert!(keys.open(&ticket, NOW).is_some());
    assert_eq!(
        keys.seal(&vec![7; MAX_TICKET_LEN - 43]).unwrap_err(),
        TicketKeyError::TooLong
    );
    let mut too_long = ticket.clone();
    too_long.push(0);
    assert!(keys.open(&too_long, NOW).is_none());
}

#[test]
fn debug_shows_no_secret() {
    let keys = keys();
    let shown = format!("{keys:?}");
    assert!(shown.contains("created"), "{shown}");
    assert!(!shown.contains("secret"), "{shown}");
}

#[test]
fn one_set_serves_many_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<TicketKeys>();
    let keys = std::sync::Arc::new(keys());
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let keys = std::sync::Arc::clone(&keys);
            std::thread::spawn(move || {
                for n in 0..100u64 {
                    let state = [i as u8, n as u8];
                    let ticket = keys.seal(&state).unwrap();
                    assert_eq!(keys.open(&ticket, NOW).unwrap().as_slice(), &state);
                    if i == 0 {
                        // Two new keys at most, and none forgotten: every
                        // ticket sealed meanwhile still opens.
                        keys.rotate(NOW + (n % 3) * 6 * HOUR).unwrap();
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(keys.read().len() <= 3);
}

#[test]
fn rotating_ahead_makes_the_key_early() {
    let keys = keys();
    let first = keys.seal(b"1").unwrap();
    // Ten minutes ahead: not yet at 5h49m59s, done at 5h50m.
    assert!(!keys.rotate_ahead(NOW + 6 * HOUR - 601, 600).unwrap());
    assert!(keys.rotate_ahead(NOW + 6 * HOUR - 600, 600).unwrap());
    let second = keys.seal(b"2").unwrap();
    assert_ne!(first[..16], second[..16]);
    // The new key seals a full rotate_every from when it was made, so a
    // server rotating on its own finds nothing due at the old time.
    assert_eq!(keys.next_rotation(), NOW + 12 * HOUR - 600);
    assert!(!keys.rotate(NOW + 6 * HOUR).unwrap());
    assert!(keys.open(&first, NOW + 6 * HOUR).is_some());
}

#[test]
fn an_adopted_set_seals_and_own_keys_still_open() {
    // A fleet's set, and a server that made its own key while away.
    let fleet = keys();
    let member = keys();
    let own_ticket = member.seal(b"own").unwrap();
    assert!(
        member.adopt(&fleet.export(), NOW).unwrap(),
        "sealing key changed"
    );
    // The fleet's key seals: its tickets open on the fleet's set...
    let ticket = member.seal(b"fleet").unwrap();
    assert_eq!(fleet.open(&ticket, NOW).unwrap().as_slice(), b"fleet");
    // ...and the member's own key still opens what it sealed.
    assert_eq!(member.open(&own_ticket, NOW).unwrap().as_slice(), b"own");
    // Adopting the same set again changes nothing.
    assert!(!member.adopt(&fleet.export(), NOW).unwrap());
    assert_eq!(member.read().len(), 2);
    // A rotation in the fleet is followed.
    fleet.rotate(NOW + 6 * HOUR).unwrap();
    assert!(member.adopt(&fleet.export(), NOW + 6 * HOUR).unwrap());
    let after = member.seal(b"after").unwrap();
    assert!(fleet.open(&after, NOW + 6 * HOUR).is_some());
    assert_eq!(member.read().len(), 3);
    // Own keys retire by the policy like any other.
    assert!(member.open(&own_ticket, NOW + 18 * HOUR).is_none());
}

#[test]
fn adopting_keeps_within_the_key_limit_and_refuses_bad_sets() {
    let member = TicketKeys::new(
        TicketKeyPolicy {
            rotate_every: HOUR,
            accept_for: 6 * HOUR,
        },
        NOW,
    )
    .unwrap();
    // Seven keys of its own, then a fleet set of its own seven.
    for hour in 1..7 {
        member.rotate(NOW + hour * HOUR).unwrap();
    }
    let fleet = TicketKeys::new(member.policy(), NOW).unwrap();
    for hour in 1..7 {
        fleet.rotate(NOW + hour * HOUR).unwrap();
    }
    let fleet_ticket = fleet.seal(b"f").unwrap();
    member.adopt(&fleet.export(), NOW + 6 * HOUR).unwrap();
    assert_eq!(member.read().len(), MAX_TICKET_KEYS);
    assert!(member.open(&fleet_ticket, NOW + 6 * HOUR).is_some());
    // Garbage, or a set wholly retired, leaves the set as it was.
    let before = member.export();
    assert!(matches!(
        member.adopt(b"stapler-ticket-keys-1\x01", NOW),
        Err(TicketKeyError::Malformed(_))
    ));
    assert_eq!(
        member.adopt(&keys().export(), NOW + 30 * HOUR),
        Err(TicketKeyError::NoCurrentKey)
    );
    assert_eq!(*member.export(), *before);
}
