//! What application data costs the server in heap, measured by a counting
//! global allocator around the server's calls only (the rustls client's
//! are not counted): nothing per record in steady state on the in-place
//! path, and at most [`IDLE_HEAP`] bytes held by an idle established
//! connection, in both versions, with and without session tickets.
//! rustls's server, measured the same way, is printed beside.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
#[path = "common/handshake_driver.rs"]
mod handshake_driver;

use counting_alloc::{Counting, Snapshot};
use handshake_driver::data::{
    client_opens, client_records, rustls_established, stapler_established, stapler_open_buffered,
    stapler_open_in_place, stapler_seal,
};
use handshake_driver::{Fixture, Io, Version};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The bound on the heap an idle established connection holds.
const IDLE_HEAP: i64 = 512;

/// Records exchanged to measure the steady state, after a few to warm up.
const RECORDS: usize = 64;

fn configs(
    fx: &Fixture,
    version: Version,
) -> (
    &std::sync::Arc<rustls::ClientConfig>,
    &std::sync::Arc<rustls::ServerConfig>,
) {
    match version {
        Version::Tls13 => (&fx.client, &fx.rustls_plain),
        Version::Tls12 => (&fx.client12, &fx.rustls12_plain),
    }
}

#[test]
fn an_idle_connection_holds_at_most_half_a_kibibyte() {
    let fx = Fixture::new();
    let mut io = Io::default();
    for version in Version::ALL {
        let (client, rustls_config) = configs(&fx, version);
        for now in [None, Some(1_700_000_000)] {
            // The first connection of a config with tickets makes its
            // ticket keys, which the config keeps: not this connection's.
            let _ = stapler_established(&fx.stapler_plain, client, now, &mut io);
            let (conn, _client, held) =
                stapler_established(&fx.stapler_plain, client, now, &mut io);
            let (theirs, _their_client, their_held) =
                rustls_established(rustls_config, client, &mut io);
            eprintln!(
                "{} idle (tickets: {}): stapler {held} B of heap + {} B inline; rustls {their_held} B + {} B",
                version.name(),
                now.is_some(),
                size_of_val(&conn),
                size_of_val(&theirs),
            );
            assert!(held <= IDLE_HEAP, "{version:?}: {held} bytes");
        }
    }
}

#[test]
fn records_in_place_allocate_nothing_in_steady_state() {
    let fx = Fixture::new();
    let mut io = Io::default();
    for version in Version::ALL {
        let (client, _) = configs(&fx, version);
        let (mut conn, mut client, _) =
            stapler_established(&fx.stapler_plain, client, None, &mut io);
        let data: Vec<u8> = (0..1 << 14).map(|i| i as u8).collect();
        let mut tls = Vec::with_capacity(1 << 15);
        let mut out = Vec::with_capacity(1 << 15);
        let mut spent = Snapshot::default();
        for round in 0..RECORDS + 4 {
            tls.clear();
            client_records(&mut client, &data, &mut tls);
            out.clear();
            let before = Snapshot::now();
            // The bytes that came are echoed back.
            let echoed = stapler_open_in_place(&mut conn, &mut tls, |_| {});
            stapler_seal(&mut conn, &data[..echoed], &mut out);
            let after = Snapshot::now().since(before);
            if round >= 4 {
                spent.allocations += after.allocations;
                spent.bytes += after.bytes;
            }
            assert_eq!(client_opens(&mut client, &out), data[..echoed]);
        }
        eprintln!(
            "{}: in place, {} allocations for {RECORDS} records each way",
            version.name(),
            spent.allocations
        );
        assert_eq!(spent.allocations, 0, "{version:?}: {spent:?}");
    }
}

#[test]
fn buffered_records_allocate_at_most_their_record_buffer() {
    let fx = Fixture::new();
    let mut io = Io::default();
    for version in Version::ALL {
        let (client, _) = configs(&fx, version);
        let (mut conn, mut client, _) =
            stapler_established(&fx.stapler_plain, client, None, &mut io);
        let data: Vec<u8> = (0..1 << 14).map(|i| i as u8).collect();
        let mut tls = Vec::with_capacity(1 << 15);
        let mut got = Vec::with_capacity(1 << 15);
        let mut allocations = 0;
        for _ in 0..RECORDS {
            tls.clear();
            got.clear();
            client_records(&mut client, &data, &mut tls);
            let before = Snapshot::now();
            stapler_open_buffered(&mut conn, &tls, |d| got.extend_from_slice(d));
            allocations += Snapshot::now().since(before).allocations;
            assert!(got == data);
        }
        eprintln!(
            "{}: fed, {allocations} allocations for {RECORDS} records (the record buffer, freed when empty)",
            version.name()
        );
        assert!(allocations <= RECORDS as u64, "{version:?}: {allocations}");
    }
}
