//! The cache driven through timelines with injected time: primed, refreshed
//! at the midpoint, backing off, re-issuing lost fetches, and refusing bad
//! responses while the good one serves.

use std::collections::HashSet;

use bytes::Bytes;
use stapler::ocsp::{CertStatus, Fetch, OcspError, Rejection, RevocationReason, Signer, Update};

use super::support::{
    ca, deliver, exact_cache, flipped, leaf_good, leaf_revoked, leaf_unknown, midpoint,
    openssl_available, read, refresh_at, rejection, retry_at, signature_end, signed_end,
    still_serving, week, window, DAY, FETCH_TIMEOUT, HOUR, RETRY_INITIAL, RETRY_MAX, REVOKED_AT,
    WEEK,
};

#[test]
fn primed_at_startup_and_served_from_memory() {
    let good = read("good.der");
    let (this_update, _) = window(&good);
    let t0 = this_update + 60;
    let leaf = leaf_good();
    let mut cache = exact_cache();
    assert_eq!(cache.next_deadline(), None);
    assert!(cache.poll_fetch(t0).is_none());

    cache.add(leaf.clone(), ca(), None, t0).unwrap();
    assert_eq!(cache.next_deadline(), Some(t0), "due at once");
    assert_eq!(cache.staple(&leaf, t0), None);

    let fetch = cache.poll_fetch(t0).expect("a fetch at once");
    assert_eq!(
        fetch.url(),
        "http://ocsp.example.test/",
        "the AIA's http URL"
    );
    assert_eq!(fetch.certificate(), &leaf);
    // The request is the one openssl's own client makes.
    assert_eq!(fetch.body(), &read("req-good-sha1.der"));
    let get = fetch.get_url().unwrap();
    assert!(get.starts_with("http://ocsp.example.test/MEMwQTA%2FMD0wOzAJBgUrDgMCGgUABBSRQ2L%2F"));
    let state = cache.state(&leaf).unwrap();
    assert!(state.fetching);
    assert_eq!(state.next_attempt, t0 + FETCH_TIMEOUT);
    assert_eq!(cache.next_deadline(), Some(t0 + FETCH_TIMEOUT));

    let update = cache
        .handle_fetch_result(fetch.id(), t0, Ok(good.clone()))
        .unwrap();
    match &update {
        Update::Stored { status, refresh_at } => {
            assert_eq!(status.status, CertStatus::Good);
            assert_eq!(status.signer, Signer::Issuer);
            assert_eq!(status.this_update, this_update);
            assert_eq!(*refresh_at, midpoint(&good));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cache.staple(&leaf, t0), Some(good.clone()));
    assert_eq!(cache.next_deadline(), Some(midpoint(&good)));
    let state = cache.state(&leaf).unwrap();
    assert_eq!(state.staple.unwrap().status, CertStatus::Good);
    assert!(!state.fetching);
    assert_eq!(state.failures, 0);
    assert_eq!(state.last_rejection, None);
    assert!(cache.poll_fetch(t0).is_none());
    // Another certificate is not served this one's staple.
    assert_eq!(cache.staple(&leaf_revoked(), t0), None);
    assert!(cache.state(&leaf_revoked()).is_none());
}

#[test]
fn refreshed_at_the_midpoint_and_served_while_the_refresh_is_out() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let (this_update, next_update) = window(&week.good);
    assert_eq!(next_update - this_update, WEEK);
    let mid = this_update + WEEK / 2;
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, this_update).unwrap();
    let update = deliver(&mut cache, this_update, Ok(week.good.clone()));
    assert_eq!(refresh_at(&update), mid);

    // Nothing is due before the midpoint, however often the cache is asked.
    for now in [this_update, this_update + 1, this_update + DAY, mid - 1] {
        assert!(cache.poll_fetch(now).is_none(), "fetch at {now}");
        assert_eq!(cache.staple(&leaf, now), Some(week.good.clone()));
    }
    assert_eq!(cache.next_deadline(), Some(mid));

    // At the midpoint: one fetch; the old staple is served while it is out.
    let fetch = cache.poll_fetch(mid).expect("refresh at the midpoint");
    assert!(cache.poll_fetch(mid + 10).is_none());
    assert_eq!(cache.staple(&leaf, mid + 10), Some(week.good.clone()));

    // The newer response replaces it, and is refreshed at its own midpoint.
    let update = cache
        .handle_fetch_result(fetch.id(), mid + 10, Ok(week.later.clone()))
        .unwrap();
    assert_eq!(refresh_at(&update), midpoint(&week.later));
    assert_eq!(cache.staple(&leaf, mid + 10), Some(week.later.clone()));
}

#[test]
fn responder_down_backoff_doubles_to_the_cap_and_the_staple_serves_until_next_update() {
    if !openssl_available() {
        return;
    }
    let good = &week().good;
    let (this_update, next_update) = window(good);
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, this_update).unwrap();
    deliver(&mut cache, this_update, Ok(good.clone()));

    let mut now = midpoint(good);
    let mut attempts = HashSet::new();
    let mut waits = Vec::new();
    let mut last_attempt_while_fresh = 0;
    loop {
        assert!(attempts.insert(now), "two attempts at {now}");
        let update = deliver(&mut cache, now, Err("connection refused"));
        assert_eq!(
            rejection(&update),
            &Rejection::Fetch("connection refused".into())
        );
        let next = retry_at(&update);
        // Never due in the past, nor twice at the same second: asked again
        // at once, the cache has nothing to fetch.
        assert!(next > now);
        assert!(cache.poll_fetch(now).is_none(), "busy loop at {now}");
        assert!(cache.poll_fetch(next - 1).is_none());
        assert_eq!(cache.next_deadline(), Some(next));
        let fresh = now < next_update;
        assert_eq!(still_serving(&update), fresh);
        assert_eq!(cache.staple(&leaf, now).is_some(), fresh);
        assert!(next - now <= RETRY_MAX);
        if fresh {
            last_attempt_while_fresh = now;
            // Near the end, retries come faster so the staple does not lapse
            // for want of trying, but never faster than retry_initial.
            let half_left = (next_update - now) / 2;
            assert!(next - now <= half_left.max(RETRY_INITIAL), "{now}");
        }
        waits.push(next - now);
        now = next;
        if now > next_update + 3 * RETRY_MAX {
            break;
        }
    }
    // Exponential from retry_initial, doubling to the cap.
    assert_eq!(
        waits[..9],
        [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600],
        "{waits:?}"
    );
    // The last try before the staple lapsed came in its final two minutes.
    assert!(last_attempt_while_fresh >= next_update - 2 * RETRY_INITIAL);
    // Once stale: no staple at all, and retries at the cap.
    assert_eq!(cache.staple(&leaf, next_update - 1), Some(good.clone()));
    assert_eq!(cache.staple(&leaf, next_update), None);
    assert_eq!(*waits.last().unwrap(), RETRY_MAX);
    let state = cache.state(&leaf).unwrap();
    assert_eq!(state.failures as usize, waits.len());
    assert_eq!(state.staple.unwrap().this_update, this_update);

    // An older response, even one still valid, does not take the lapsed
    // staple's place: that would let an old "good" be replayed over a
    // newer "revoked".
    let update = deliver(&mut cache, now, Ok(read("good.der")));
    assert!(matches!(rejection(&update), Rejection::Older { .. }));
    assert_eq!(cache.staple(&leaf, now), None);
    // The responder comes back with a newer one: stored, failures reset.
    now = retry_at(&update);
    let update = deliver(&mut cache, now, Ok(week().later.clone()));
    assert!(matches!(update, Update::Stored { .. }), "{update:?}");
    assert_eq!(cache.state(&leaf).unwrap().failures, 0);
    assert_eq!(cache.staple(&leaf, now), Some(week().later.clone()));
}

#[test]
fn a_response_past_its_midpoint_is_refetched_with_backoff_not_every_minute() {
    if !openssl_available() {
        return;
    }
    // A CDN in front of the responder keeps serving the same response well
    // past its midpoint: each time, the next refresh waits longer.
    let good = &week().good;
    let (this_update, next_update) = window(good);
    let mid = midpoint(good);
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, this_update).unwrap();
    deliver(&mut cache, this_update, Ok(good.clone()));
    let mut now = mid;
    let mut waits = Vec::new();
    while now < next_update - HOUR {
        let update = deliver(&mut cache, now, Ok(good.clone()));
        let next = refresh_at(&update);
        assert!(next > now);
        waits.push(next - now);
        now = next;
    }
    assert_eq!(waits[..8], [60, 120, 240, 480, 960, 1920, 3600, 3600]);
    // About one an hour over three and a half days, not one a minute.
    assert!(waits.len() < 100, "{} refreshes", waits.len());

    // A newer response resets the schedule to its own midpoint.
    let later = &week().later;
    let update = deliver(&mut cache, now, Ok(later.clone()));
    assert_eq!(refresh_at(&update), midpoint(later));
    let update = deliver(&mut cache, midpoint(later), Ok(later.clone()));
    assert_eq!(refresh_at(&update), midpoint(later) + RETRY_INITIAL);
}

#[test]
fn a_lost_fetch_is_reissued_at_its_timeout_and_its_late_result_refused() {
    let good = read("good.der");
    let t0 = window(&good).0 + 60;
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, t0).unwrap();
    let lost = cache.poll_fetch(t0).unwrap();
    assert!(cache.poll_fetch(t0 + FETCH_TIMEOUT - 1).is_none());
    assert_eq!(cache.next_deadline(), Some(t0 + FETCH_TIMEOUT));

    let again = cache
        .poll_fetch(t0 + FETCH_TIMEOUT)
        .expect("handed out again at the timeout");
    assert_ne!(again.id(), lost.id());
    assert_eq!(again.body(), lost.body());
    assert_eq!(again.certificate(), lost.certificate());
    let state = cache.state(&leaf).unwrap();
    assert_eq!(state.failures, 1);
    assert!(matches!(state.last_rejection, Some(Rejection::Fetch(_))));
    assert!(state.fetching);

    // The lost fetch's late answer is refused, even a good one.
    assert_eq!(
        cache
            .handle_fetch_result(lost.id(), t0 + FETCH_TIMEOUT + 1, Ok(good.clone()))
            .unwrap_err()
            .0,
        lost.id()
    );
    assert_eq!(cache.staple(&leaf, t0 + FETCH_TIMEOUT + 1), None);
    let update = cache
        .handle_fetch_result(again.id(), t0 + FETCH_TIMEOUT + 1, Ok(good.clone()))
        .unwrap();
    assert!(matches!(update, Update::Stored { .. }));
    // A result is taken once.
    assert!(cache
        .handle_fetch_result(again.id(), t0 + FETCH_TIMEOUT + 2, Ok(good))
        .is_err());
    assert_eq!(cache.state(&leaf).unwrap().failures, 0);
}

#[test]
fn lost_fetches_back_off_like_failures() {
    let t0 = window(&read("good.der")).0;
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, t0).unwrap();
    // Each fetch is lost. The retry is due retry_initial × 2^failures after
    // the lost fetch was handed out, and never before it timed out.
    let mut issued = Vec::new();
    let mut now = t0;
    while issued.len() < 8 {
        if let Some(fetch) = cache.poll_fetch(now) {
            issued.push((now, fetch.id()));
            assert!(cache.poll_fetch(now).is_none());
        }
        let next = cache.next_deadline().unwrap();
        assert!(next > now);
        now = next;
    }
    let gaps: Vec<u64> = issued.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert_eq!(gaps, [120, 120, 240, 480, 960, 1920, 3600]);
    let ids: HashSet<_> = issued.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids.len(), issued.len());
    // Seven lost (the eighth is still out).
    assert_eq!(cache.state(&leaf).unwrap().failures, 7);
}

#[test]
fn one_fetch_per_certificate_however_often_asked() {
    let t0 = window(&read("good.der")).0;
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, t0).unwrap();
    cache
        .add(leaf_revoked(), ca(), Some("http://127.0.0.1:9/"), t0)
        .unwrap();
    cache
        .add(leaf_unknown(), ca(), Some("http://127.0.0.1:9/"), t0)
        .unwrap();
    let mut fetches: Vec<Fetch> = Vec::new();
    for _ in 0..1000 {
        fetches.extend(cache.poll_fetch(t0 + 5));
    }
    assert_eq!(fetches.len(), 3);
    let certificates: HashSet<_> = fetches.iter().map(|f| f.certificate().clone()).collect();
    assert_eq!(
        certificates,
        HashSet::from([leaf_good(), leaf_revoked(), leaf_unknown()])
    );
    assert_eq!(
        fetches[1].url(),
        "http://127.0.0.1:9/",
        "the URL given wins"
    );
    // Answered: nothing more until a refresh is due.
    let answers = [read("good.der"), read("revoked.der"), read("unknown.der")];
    for fetch in &fetches {
        let body = if fetch.certificate() == &leaf_good() {
            &answers[0]
        } else if fetch.certificate() == &leaf_revoked() {
            &answers[1]
        } else {
            &answers[2]
        };
        cache
            .handle_fetch_result(fetch.id(), t0 + 5, Ok(body.clone()))
            .unwrap();
    }
    for _ in 0..100 {
        assert!(cache.poll_fetch(t0 + 5).is_none());
    }
    // leaf-unknown's "unknown" is a failure: retried after retry_initial.
    assert_eq!(cache.next_deadline(), Some(t0 + 5 + RETRY_INITIAL));
}

/// What a rejection must be.
type Expectation = dyn Fn(&Rejection) -> bool;

#[test]
fn bad_responses_never_replace_a_good_one() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let held = week.later.clone();
    let (this_update, _) = window(&held);
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, this_update).unwrap();
    deliver(&mut cache, this_update, Ok(held.clone()));

    let signature_at = signature_end(&held);
    // A digit of nextUpdate's seconds, near the end of the signed data.
    let tbs_at = signed_end(&held) - 2;
    let is_parse_error = |r: &Rejection| matches!(r, Rejection::Invalid(e) if e.is_parse_error());
    let signature = |r: &Rejection| matches!(r, Rejection::Invalid(OcspError::Signature(_)));
    let cases: Vec<(&str, Bytes, &Expectation)> = vec![
        (
            "garbage",
            Bytes::from_static(b"<html>502</html>"),
            &is_parse_error,
        ),
        ("empty", Bytes::new(), &is_parse_error),
        ("truncated", held.slice(..held.len() / 2), &is_parse_error),
        (
            "signature byte flipped",
            flipped(&held, signature_at),
            &signature,
        ),
        ("signed byte flipped", flipped(&held, tbs_at), &|r| {
            matches!(r, Rejection::Invalid(_))
        }),
        ("openssl -badsig", read("good-badsig.der"), &signature),
        (
            "signed by the decoy CA",
            read("wrong-signer.der"),
            &signature,
        ),
        (
            "delegated without the EKU",
            read("delegated-no-eku.der"),
            &|r| r == &Rejection::Invalid(OcspError::ResponderNotAuthorized),
        ),
        (
            "delegated by the decoy CA",
            read("delegated-decoy.der"),
            &|r| r == &Rejection::Invalid(OcspError::ResponderNotIssuedByIssuer),
        ),
        ("about another certificate", read("unknown.der"), &|r| {
            r == &Rejection::Invalid(OcspError::CertIdNotFound)
        }),
        ("status unknown", week.unknown.clone(), &|r| {
            r == &Rejection::Unknown
        }),
        (
            "older",
            read("good.der"),
            &|r| matches!(r, Rejection::Older { this_update: t, held: h } if t < h),
        ),
    ];
    let mut now = this_update + HOUR;
    for (what, body, expected) in cases {
        // Each bad answer comes in as the result of a real fetch.
        let fetch = loop {
            if let Some(fetch) = cache.poll_fetch(now) {
                break fetch;
            }
            now = cache.next_deadline().unwrap();
        };
        let update = cache
            .handle_fetch_result(fetch.id(), now, Ok(body))
            .unwrap();
        assert!(expected(rejection(&update)), "{what}: {update:?}");
        assert!(still_serving(&update), "{what}");
        assert_eq!(cache.staple(&leaf, now), Some(held.clone()), "{what}");
        let state = cache.state(&leaf).unwrap();
        assert_eq!(state.staple.unwrap().this_update, this_update, "{what}");
        assert_eq!(state.last_rejection.as_ref(), Some(rejection(&update)));
    }
}

#[test]
fn a_verified_revoked_response_replaces_good_and_is_reported() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let (this_update, _) = window(&week.good);
    let leaf = leaf_good();
    let mut cache = exact_cache();
    cache.add(leaf.clone(), ca(), None, this_update).unwrap();
    deliver(&mut cache, this_update, Ok(week.good.clone()));
    let now = midpoint(&week.good);
    match deliver(&mut cache, now, Ok(week.revoked.clone())) {
        Update::Revoked { status, refresh_at } => {
            assert_eq!(
                status.status,
                CertStatus::Revoked {
                    time: REVOKED_AT,
                    reason: Some(RevocationReason::KeyCompromise)
                }
            );
            assert_eq!(refresh_at, now + RETRY_INITIAL, "past its midpoint");
        }
        other => panic!("{other:?}"),
    }
    // It is the truth: stapled, so clients act on it.
    assert_eq!(cache.staple(&leaf, now), Some(week.revoked.clone()));
}

#[test]
fn the_committed_revoked_response_is_reported_revoked() {
    let revoked = read("revoked.der");
    let now = window(&revoked).0 + 60;
    let mut cache = exact_cache();
    cache
        .add(leaf_revoked(), ca(), Some("http://127.0.0.1:9/"), now)
        .unwrap();
    match deliver(&mut cache, now, Ok(revoked.clone())) {
        Update::Revoked { status, refresh_at } => {
            assert!(matches!(
                status.status,
                CertStatus::Revoked {
                    time: REVOKED_AT,
                    reason: Some(RevocationReason::KeyCompromise)
                }
            ));
            assert_eq!(refresh_at, midpoint(&revoked));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cache.staple(&leaf_revoked(), now), Some(revoked));
}
