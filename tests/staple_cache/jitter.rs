//! Jitter on the refresh and retry times: within its bounds, varying by
//! seed, and never scheduling in the past or twice in one second.

use std::collections::HashSet;

use bytes::Bytes;
use stapler::ocsp::{CachePolicy, StapleCache};

use super::support::{
    ca, deliver, leaf_good, midpoint, read, refresh_at, retry_at, window, RETRY_INITIAL, RETRY_MAX,
};

#[test]
fn jitter_stays_within_its_bounds_and_varies_across_seeds() {
    let good = read("good.der");
    let (this_update, next_update) = window(&good);
    let window_len = next_update - this_update;
    let mid = midpoint(&good);
    let policy = CachePolicy {
        jitter_percent: 10,
        ..CachePolicy::default()
    };
    let spread = window_len / 10;
    let mut refreshes = HashSet::new();
    let mut first_retries = HashSet::new();
    let mut retries = HashSet::new();
    for seed in 0..64 {
        let mut cache = StapleCache::with_jitter_seed(policy.clone(), seed);
        cache.add(leaf_good(), ca(), None, this_update).unwrap();
        let at = refresh_at(&deliver(&mut cache, this_update, Ok(good.clone())));
        assert!((mid - spread..=mid + spread).contains(&at), "seed {seed}");
        refreshes.insert(at);

        // Retries move by up to 10% of the wait, within [initial, max].
        let mut now = at;
        for failure in 0..8u32 {
            let update = deliver(&mut cache, now, Err("down"));
            let wait = retry_at(&update) - now;
            let nominal = (RETRY_INITIAL << failure).min(RETRY_MAX);
            let lower = (nominal - nominal / 10).max(RETRY_INITIAL);
            let upper = (nominal + nominal / 10).min(RETRY_MAX);
            assert!((lower..=upper).contains(&wait), "seed {seed}: {wait}");
            if failure == 0 {
                first_retries.insert(wait);
            }
            retries.insert((failure, wait));
            now += wait;
        }
    }
    // Every seed its own schedule (a collision or two is chance).
    assert!(refreshes.len() >= 60, "{} distinct", refreshes.len());
    assert!(refreshes.iter().any(|&t| t < mid) && refreshes.iter().any(|&t| t > mid));
    assert!(first_retries.len() > 1, "the first retry never moves");
    assert!(retries.len() > 8 * 10);

    // The same seed replays the same schedule.
    let schedule = |seed| {
        let mut cache = StapleCache::with_jitter_seed(policy.clone(), seed);
        cache.add(leaf_good(), ca(), None, this_update).unwrap();
        refresh_at(&deliver(&mut cache, this_update, Ok(good.clone())))
    };
    assert_eq!(schedule(5), schedule(5));

    // Seeded by the system: still within bounds.
    let mut cache = StapleCache::new(policy.clone());
    cache.add(leaf_good(), ca(), None, this_update).unwrap();
    let at = refresh_at(&deliver(&mut cache, this_update, Ok(good.clone())));
    assert!((mid - spread..=mid + spread).contains(&at));

    // At most 40% either way, whatever is asked.
    let wild = CachePolicy {
        jitter_percent: 200,
        ..CachePolicy::default()
    };
    for seed in 0..32 {
        let mut cache = StapleCache::with_jitter_seed(wild.clone(), seed);
        cache.add(leaf_good(), ca(), None, this_update).unwrap();
        let at = refresh_at(&deliver(&mut cache, this_update, Ok(good.clone())));
        let limit = window_len * 40 / 100;
        assert!((mid - limit..=mid + limit).contains(&at), "seed {seed}");
    }
}

#[test]
fn schedule_is_never_in_the_past_nor_twice_in_one_second() {
    // A long run of mixed outcomes under the default (jittered) policy.
    let good = read("good.der");
    let mut now = window(&good).0;
    let mut cache = StapleCache::with_jitter_seed(CachePolicy::default(), 42);
    cache.add(leaf_good(), ca(), None, now).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut last_issue = None;
    for step in 0..2000 {
        let Some(fetch) = cache.poll_fetch(now) else {
            let next = cache.next_deadline().unwrap();
            assert!(next > now, "step {step}: due in the past");
            now = next;
            continue;
        };
        assert!(last_issue.is_none_or(|t| t < now), "two fetches at {now}");
        last_issue = Some(now);
        assert!(cache.poll_fetch(now).is_none());
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let result = match state % 4 {
            0 => Ok(good.clone()),
            1 => Err("refused".to_owned()),
            2 => Ok(Bytes::from_static(b"garbage")),
            _ => continue, // lost
        };
        cache.handle_fetch_result(fetch.id(), now, result).unwrap();
        assert!(cache.poll_fetch(now).is_none(), "step {step}: busy loop");
        assert!(cache.next_deadline().unwrap() > now);
    }
}
