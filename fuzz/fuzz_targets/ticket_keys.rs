#![no_main]
//! Ticket-key sets as a fleet member reads them from a shared store:
//! `TicketKeys::import` and `TicketKeys::adopt` on any bytes. Neither may
//! panic; an adopt that fails leaves the set as it was, and one that
//! succeeds leaves a set that still seals and opens.
use libfuzzer_sys::fuzz_target;
use stapler::tickets::{TicketKeyPolicy, TicketKeys};

const NOW: u64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    // The first 8 bytes move the clock, so that retired keys are met.
    let (now, exported) = match data.split_first_chunk::<8>() {
        Some((when, rest)) => (
            NOW.wrapping_add(u64::from_be_bytes(*when) % (48 * 3600)),
            rest,
        ),
        None => (NOW, data),
    };
    let _ = TicketKeys::import(TicketKeyPolicy::default(), exported, now);
    let Ok(keys) = TicketKeys::new(TicketKeyPolicy::default(), NOW) else {
        return;
    };
    let before = keys.export();
    match keys.adopt(exported, now) {
        Ok(_) => {
            let ticket = keys.seal(b"state").expect("an adopted set seals");
            assert_eq!(
                keys.open(&ticket, now).expect("and opens").as_slice(),
                b"state"
            );
        }
        Err(_) => assert_eq!(*keys.export(), *before, "a failed adopt changes nothing"),
    }
});
