//! Export and import of staples across a restart, and responses offered
//! from another server in answer to a fetch.

use stapler::ocsp::{ImportError, Offer, Rejection, StapleCache, Update};

use super::support::{
    ca, deliver, exact, exact_cache, flipped, leaf_good, leaf_revoked, leaf_unknown, midpoint,
    openssl_available, read, refresh_at, signature_end, week, window, Week, DAY, HOUR,
    RETRY_INITIAL, WEEK,
};

#[test]
fn export_then_import_serves_without_fetching_and_refreshes_at_the_midpoint() {
    let good = read("good.der");
    let revoked = read("revoked.der");
    let now = window(&good).0 + HOUR;
    let url = Some("http://127.0.0.1:9/");
    let mut before = exact_cache();
    before.add(leaf_good(), ca(), None, now).unwrap();
    before.add(leaf_revoked(), ca(), url, now).unwrap();
    before.add(leaf_unknown(), ca(), url, now).unwrap();
    while let Some(fetch) = before.poll_fetch(now) {
        let body = if fetch.certificate() == &leaf_good() {
            good.clone()
        } else if fetch.certificate() == &leaf_revoked() {
            revoked.clone()
        } else {
            read("unknown.der")
        };
        before
            .handle_fetch_result(fetch.id(), now, Ok(body))
            .unwrap();
    }
    let exported = before.export();
    assert!(exported.len() > good.len() + revoked.len());

    // A restart, a day later: the same certificates are added, then the
    // export is read back.
    let later = now + DAY;
    let mut after = StapleCache::with_jitter_seed(exact(), 99);
    after.add(leaf_unknown(), ca(), url, later).unwrap();
    after.add(leaf_good(), ca(), None, later).unwrap();
    after.add(leaf_revoked(), ca(), url, later).unwrap();
    assert_eq!(after.import(&exported, later), Ok(2));
    assert_eq!(after.staple(&leaf_good(), later), Some(good.clone()));
    assert_eq!(after.staple(&leaf_revoked(), later), Some(revoked.clone()));
    assert_eq!(after.staple(&leaf_unknown(), later), None);
    // Only the certificate without a staple is fetched now.
    let fetch = after.poll_fetch(later).unwrap();
    assert_eq!(fetch.certificate(), &leaf_unknown());
    assert!(after.poll_fetch(later).is_none());
    // The imported staples are refreshed at their midpoint.
    assert_eq!(
        after.state(&leaf_good()).unwrap().next_attempt,
        midpoint(&good)
    );
    assert_eq!(
        after.state(&leaf_revoked()).unwrap().next_attempt,
        midpoint(&revoked)
    );
    // Exporting again gives the same bytes (entries in the order added
    // differ, but the staples are the same set).
    let again = after.export();
    assert_eq!(again.len(), exported.len());

    // A certificate not added is skipped, not an error.
    let mut other = exact_cache();
    other.add(leaf_unknown(), ca(), url, later).unwrap();
    assert_eq!(other.import(&exported, later), Ok(0));
    // An empty export is fine.
    assert_eq!(exact_cache().import(&exact_cache().export(), later), Ok(0));
}

#[test]
fn import_refuses_garbage_and_truncation_with_typed_errors() {
    let good = read("good.der");
    let now = window(&good).0 + HOUR;
    let mut source = exact_cache();
    source.add(leaf_good(), ca(), None, now).unwrap();
    deliver(&mut source, now, Ok(good.clone()));
    let exported = source.export();

    let fresh = || {
        let mut cache = exact_cache();
        cache.add(leaf_good(), ca(), None, now).unwrap();
        cache
    };
    for garbage in [&b""[..], b"garbage", b"stapler-staples/2\n", &good[..]] {
        assert_eq!(
            fresh().import(garbage, now),
            Err(ImportError::NotAnExport),
            "{garbage:?}"
        );
    }
    // Every cut inside the entry is noticed, and nothing is taken.
    let header = exported.len() - good.len() - 36;
    assert_eq!(fresh().import(&exported[..header], now), Ok(0));
    for cut in header + 1..exported.len() {
        let mut cache = fresh();
        assert_eq!(
            cache.import(&exported[..cut], now),
            Err(ImportError::Truncated),
            "cut at {cut}"
        );
        assert_eq!(cache.staple(&leaf_good(), now), None);
    }
    // A length far beyond the input is truncation, not an allocation.
    let mut huge = exported[..header + 32].to_vec();
    huge.extend_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(fresh().import(&huge, now), Err(ImportError::Truncated));
    // Two entries, the second cut short: refused whole, the first not
    // taken either.
    let revoked = read("revoked.der");
    let url = Some("http://127.0.0.1:9/");
    let mut two = exact_cache();
    two.add(leaf_good(), ca(), None, now).unwrap();
    two.add(leaf_revoked(), ca(), url, now).unwrap();
    while let Some(fetch) = two.poll_fetch(now) {
        let body = if fetch.certificate() == &leaf_good() {
            good.clone()
        } else {
            revoked.clone()
        };
        two.handle_fetch_result(fetch.id(), now, Ok(body)).unwrap();
    }
    let both = two.export();
    let mut cache = fresh();
    cache.add(leaf_revoked(), ca(), url, now).unwrap();
    assert_eq!(
        cache.import(&both[..both.len() - 1], now),
        Err(ImportError::Truncated)
    );
    assert_eq!(cache.staple(&leaf_good(), now), None);
    assert_eq!(cache.staple(&leaf_revoked(), now), None);
    assert_eq!(cache.import(&both, now), Ok(2));

    // A damaged response inside a well-formed export is skipped.
    let mut damaged = exported.clone();
    damaged[header + 36 + signature_end(&good)] ^= 1;
    assert_eq!(fresh().import(&damaged, now), Ok(0));
    assert_eq!(fresh().import(&exported, now), Ok(1));
}

#[test]
fn an_expired_exported_staple_is_skipped_on_import() {
    if !openssl_available() {
        return;
    }
    let good = &week().good;
    let (this_update, next_update) = window(good);
    let mut source = exact_cache();
    source.add(leaf_good(), ca(), None, this_update).unwrap();
    deliver(&mut source, this_update, Ok(good.clone()));
    let exported = source.export();
    for (now, taken) in [
        (next_update - 1, 1),
        (next_update, 0),
        (next_update + WEEK, 0),
    ] {
        let mut cache = exact_cache();
        cache.add(leaf_good(), ca(), None, now).unwrap();
        assert_eq!(cache.import(&exported, now), Ok(taken), "at {now}");
        assert_eq!(cache.staple(&leaf_good(), now).is_some(), taken == 1);
        // Skipped means still due for a fetch at once.
        assert_eq!(cache.poll_fetch(now).is_some(), taken == 0);
    }
    // Past its midpoint, an imported staple is refreshed soon.
    let mut cache = exact_cache();
    let now = midpoint(good) + HOUR;
    cache.add(leaf_good(), ca(), None, now).unwrap();
    assert_eq!(cache.import(&exported, now), Ok(1));
    assert_eq!(
        cache.state(&leaf_good()).unwrap().next_attempt,
        now + RETRY_INITIAL
    );
}

#[test]
fn import_keeps_a_newer_staple_and_an_outstanding_fetch() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let (this_update, _) = window(&week.good);
    let mut old = exact_cache();
    old.add(leaf_good(), ca(), None, this_update).unwrap();
    deliver(&mut old, this_update, Ok(week.good.clone()));
    let exported = old.export();

    let now = window(&week.later).0;
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, now).unwrap();
    deliver(&mut cache, now, Ok(week.later.clone()));
    assert_eq!(cache.import(&exported, now), Ok(0), "older than held");
    assert_eq!(cache.staple(&leaf_good(), now), Some(week.later.clone()));

    // A fetch out when the import lands is still awaited.
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, now).unwrap();
    let fetch = cache.poll_fetch(now).unwrap();
    assert_eq!(cache.import(&exported, now), Ok(1));
    assert!(cache.state(&leaf_good()).unwrap().fetching);
    let update = cache
        .handle_fetch_result(fetch.id(), now, Ok(week.later.clone()))
        .unwrap();
    assert!(matches!(update, Update::Stored { .. }));
    assert_eq!(cache.staple(&leaf_good(), now), Some(week.later.clone()));
}

/// `offer`: a response from another server answers a fetch only when it
/// verifies and is newer than the one held; otherwise the fetch is still
/// out, to be done.
#[test]
fn an_offered_response_answers_a_fetch_only_when_valid_and_newer() {
    if !openssl_available() {
        return;
    }
    let week = week();
    let now = window(&week.later).0;
    let mut cache = exact_cache();
    cache.add(leaf_good(), ca(), None, now).unwrap();

    // Forged (one bit of the signature flipped): refused, fetch still out.
    let fetch = cache.poll_fetch(now).unwrap();
    let forged = flipped(&week.good, signature_end(&week.good) - 1);
    match cache.offer(fetch.id(), now, forged).unwrap() {
        Offer::Refused(Rejection::Invalid(_)) => {}
        other => panic!("{other:?}"),
    }
    assert!(cache.state(&leaf_good()).unwrap().fetching);
    assert_eq!(cache.staple(&leaf_good(), now), None);

    // Valid and newer than nothing: taken, and the fetch is answered.
    match cache.offer(fetch.id(), now, week.good.clone()).unwrap() {
        Offer::Taken(Update::Stored { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(!cache.state(&leaf_good()).unwrap().fetching);
    assert_eq!(cache.staple(&leaf_good(), now), Some(week.good.clone()));
    assert!(cache
        .handle_fetch_result(fetch.id(), now, Ok(week.good.clone()))
        .is_err());

    // At the refresh, the same response again is no refresh: refused,
    // and the fetch stays out for its result.
    let refresh = refresh_at(&offer_later_at_the_refresh(&mut cache, now, week));
    let fetch = cache.poll_fetch(refresh).unwrap();
    match cache
        .offer(fetch.id(), refresh, week.later.clone())
        .unwrap()
    {
        Offer::Refused(Rejection::NotNewer { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(cache.state(&leaf_good()).unwrap().fetching);
    assert!(cache
        .handle_fetch_result(fetch.id(), refresh, Ok(week.later.clone()))
        .is_ok());
    // An id the cache is not waiting for is an error, as for a result.
    assert!(cache
        .offer(fetch.id(), refresh, week.later.clone())
        .is_err());
}

/// Takes `week.later` through a fetch at `now` (newer than `week.good`,
/// held), returning the update.
fn offer_later_at_the_refresh(cache: &mut StapleCache, now: u64, week: &Week) -> Update {
    let fetch = cache.poll_fetch(refresh_time(cache)).unwrap();
    match cache.offer(fetch.id(), now, week.later.clone()).unwrap() {
        Offer::Taken(update) => update,
        other => panic!("{other:?}"),
    }
}

/// When the cache's one certificate is next due.
fn refresh_time(cache: &StapleCache) -> u64 {
    cache.next_deadline().unwrap()
}
