//! Application data after the handshake, both ways, in both versions,
//! against the rustls client in memory: every size from empty to three
//! full records and one byte more, fed whole, in small pieces, and in
//! place; backpressure on both sides; what a closed or unfinished
//! connection refuses.

mod common;

use common::rustls_pair::{default_client_config, ecdsa_server_config, Pair};
use stapler::server::ProtocolVersion;
use stapler::server::IN_PLACE_MIN_BUFFER;
use stapler::{Error, Event, Misuse, ServerConfig, ServerConnection};
use std::io::Write;
use std::sync::Arc;

/// A full record's worth of plaintext (RFC 8446 §5.1).
const RECORD: usize = 1 << 14;
/// The largest size the issue asks for: three full records and a byte.
const LARGEST: usize = 3 * RECORD + 1;

const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::Tls13, ProtocolVersion::Tls12];

/// Bytes that differ at every offset and from one size to the next, so a
/// byte lost, repeated or moved shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..LARGEST + 256)
        .map(|i| (i * 7 + i / 251) as u8)
        .take(len)
        .collect()
}

fn established(version: ProtocolVersion) -> Pair {
    Pair::established(default_client_config(version))
}

/// What the rustls client writes for `data`, as TLS bytes.
fn client_records(pair: &mut Pair, data: &[u8]) -> Vec<u8> {
    pair.client.writer().write_all(data).unwrap();
    let mut tls = Vec::new();
    while pair.client.wants_write() {
        pair.client.write_tls(&mut tls).unwrap();
    }
    tls
}

/// Feeds `tls` to the server `piece` bytes at a time with `feed`, reading
/// the data as it is announced, and returns it.
fn feed_in_pieces(server: &mut ServerConnection, tls: &[u8], piece: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut rest = tls;
    while !rest.is_empty() {
        let offer = &rest[..piece.min(rest.len())];
        let taken = server.feed(offer).unwrap();
        rest = &rest[taken..];
        let mut announced = false;
        while let Some(event) = server.poll_event() {
            match event {
                Event::DataReady => announced = true,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(announced, !server.received().is_empty());
        loop {
            let data = server.received();
            if data.is_empty() {
                break;
            }
            got.extend_from_slice(data);
            let n = data.len();
            server.consume(n).unwrap();
        }
        assert!(server.poll_event().is_none(), "reading raises no event");
        assert!(taken > 0 || offer.is_empty(), "no progress");
    }
    got
}

/// Reads `tls` into a buffer of `IN_PLACE_MIN_BUFFER` bytes `piece` bytes
/// at a time, as from a socket, and hands it to `feed_in_place`.
fn feed_in_place_in_pieces(server: &mut ServerConnection, tls: &[u8], piece: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = vec![0; IN_PLACE_MIN_BUFFER];
    let (mut len, mut rest) = (0, tls);
    while !rest.is_empty() || len > 0 {
        let read = piece.min(rest.len()).min(buf.len() - len);
        buf[len..len + read].copy_from_slice(&rest[..read]);
        len += read;
        rest = &rest[read..];
        let mut start = 0;
        loop {
            let fed = server.feed_in_place(&mut buf[start..len]).unwrap();
            got.extend_from_slice(fed.data);
            start += fed.consumed;
            if fed.consumed == 0 {
                break;
            }
        }
        assert!(server.poll_event().is_none(), "in place, data comes back");
        assert!(server.received().is_empty());
        buf.copy_within(start..len, 0);
        len -= start;
        assert!(read > 0 || start > 0, "no progress with {len} bytes kept");
    }
    got
}

/// The server sends `data` and the client reads it back.
fn server_to_client(pair: &mut Pair, data: &[u8]) -> Vec<u8> {
    let mut rest = data;
    while !rest.is_empty() {
        let taken = pair.server.send(rest).unwrap();
        rest = &rest[taken..];
        pair.drain_server();
        pair.server_to_client().unwrap();
    }
    pair.client_reads()
}

/// The server takes records with `feed` in pieces of `piece` bytes, or
/// with `feed_in_place` through reads of that many, and returns the data.
type Feeder = fn(&mut ServerConnection, &[u8], usize) -> Vec<u8>;

/// The client sends data of each size in `sizes`, in both versions, and
/// the server gets it whole through `feeder`, in pieces of `piece(i, tls)`
/// for the `i`th size's `tls` bytes of records.
fn client_data_arrives(
    sizes: impl IntoIterator<Item = usize> + Clone,
    piece: impl Fn(usize, usize) -> usize,
    feeder: Feeder,
) {
    let all = pattern(LARGEST);
    for version in VERSIONS {
        let mut pair = established(version);
        for (i, len) in sizes.clone().into_iter().enumerate() {
            let tls = client_records(&mut pair, &all[..len]);
            let piece = piece(i, tls.len());
            let got = feeder(&mut pair.server, &tls, piece);
            assert!(got == all[..len], "{version:?}: {len} bytes by {piece}");
        }
    }
}

#[test]
fn every_size_from_the_client_arrives_whole_in_both_versions() {
    client_data_arrives(0..=LARGEST, |_, tls| tls.max(1), feed_in_pieces);
}

#[test]
fn every_size_from_the_server_arrives_whole_in_both_versions() {
    let all = pattern(LARGEST);
    for version in VERSIONS {
        let mut pair = established(version);
        for len in 0..=LARGEST {
            let got = server_to_client(&mut pair, &all[..len]);
            assert!(got == all[..len], "{version:?}: {len} bytes");
        }
    }
}

/// Sizes around every record boundary, and the smallest ones.
fn boundary_sizes() -> Vec<usize> {
    let mut sizes: Vec<usize> = (0..=64).collect();
    for k in 1..=3 {
        sizes.extend(k * RECORD - 17..=k * RECORD + 17);
    }
    sizes.retain(|&len| len <= LARGEST);
    sizes
}

#[test]
fn data_fed_in_every_small_piece_size_arrives_whole() {
    client_data_arrives(boundary_sizes(), |i, _| 1 + i % 16, feed_in_pieces);
}

#[test]
fn data_fed_in_place_in_every_piece_size_arrives_whole() {
    // Reads of every small size, and of sizes that end records anywhere
    // in a 16 KiB read.
    let piece = |i, _| if i % 2 == 0 { 1 + i % 16 } else { 4093 + i };
    client_data_arrives(boundary_sizes(), piece, feed_in_place_in_pieces);
}

#[test]
fn many_records_in_one_feed_are_read_one_after_another() {
    for version in VERSIONS {
        let mut pair = established(version);
        // Ten small records in one write of TLS bytes.
        let mut tls = Vec::new();
        for i in 0..10u8 {
            tls.extend(client_records(&mut pair, &[i; 100]));
        }
        assert_eq!(pair.server.feed(&tls), Ok(tls.len()));
        assert!(matches!(pair.server.poll_event(), Some(Event::DataReady)));
        assert!(pair.server.poll_event().is_none(), "one event for them all");
        let mut buf = [0; 1000];
        assert_eq!(pair.server.read(&mut buf), Ok(1000));
        for (i, chunk) in buf.chunks(100).enumerate() {
            assert_eq!(chunk, [i as u8; 100]);
        }
        assert_eq!(pair.server.read(&mut buf), Ok(0));
    }
}

#[test]
fn unread_data_holds_back_all_but_one_more_record() {
    for version in VERSIONS {
        let mut pair = established(version);
        let data = pattern(5 * RECORD);
        let tls = client_records(&mut pair, &data);
        // Nothing is read: the server takes the first record, and at most
        // one more record's bytes, then takes nothing.
        let taken = pair.server.feed(&tls).unwrap();
        assert!(taken < 2 * (RECORD + 256 + 5) + 5, "{taken} bytes taken");
        assert_eq!(pair.server.feed(&tls[taken..]), Ok(0));
        // Reading it all lets the rest in.
        let mut got = Vec::new();
        let mut rest = &tls[taken..];
        loop {
            let mut buf = vec![0; 7000];
            let n = pair.server.read(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
            if rest.is_empty() && n == 0 {
                break;
            }
            let more = pair.server.feed(rest).unwrap();
            rest = &rest[more..];
        }
        assert!(got == data, "{version:?}");
    }
}

#[test]
fn close_notify_behind_data_waits_until_the_data_is_read() {
    for version in VERSIONS {
        let mut pair = established(version);
        let mut tls = client_records(&mut pair, b"last words");
        pair.client.send_close_notify();
        pair.client.write_tls(&mut tls).unwrap();
        assert_eq!(pair.server.feed(&tls), Ok(tls.len()));
        assert!(matches!(pair.server.poll_event(), Some(Event::DataReady)));
        assert!(!pair.server.is_closed(), "not before the data is read");
        let mut buf = [0; 64];
        assert_eq!(pair.server.read(&mut buf), Ok(10));
        assert_eq!(&buf[..10], b"last words");
        assert!(pair.server.is_closed());
        assert!(matches!(pair.server.poll_event(), Some(Event::Closed(_))));
    }
}

#[test]
fn a_sender_that_never_drains_sees_send_take_nothing() {
    for version in VERSIONS {
        let mut pair = established(version);
        let chunk = pattern(10_000);
        let mut taken_total = 0;
        let mut zero_after = None;
        for round in 0..100 {
            let taken = pair.server.send(&chunk).unwrap();
            taken_total += taken;
            if taken == 0 {
                zero_after = Some(round);
                break;
            }
        }
        assert!(zero_after.is_some(), "{version:?}: send never pushed back");
        let out = pair.server.poll_transmit().unwrap();
        assert!(
            out.len() <= stapler::server::DEFAULT_OUTPUT_LIMIT,
            "{} bytes held",
            out.len()
        );
        // The client gets every byte taken; drained, the server takes
        // again.
        pair.to_client.extend_from_slice(&out);
        pair.server_to_client().unwrap();
        let got = pair.client_reads();
        assert_eq!(got.len(), taken_total);
        assert!(got.chunks(chunk.len()).all(|c| chunk.starts_with(c)));
        assert!(pair.server.send(&chunk).unwrap() > 0);
    }
}

#[test]
fn the_output_limit_bounds_what_one_send_takes() {
    let config = Arc::new(
        ServerConfig::builder()
            .certificate_chain(
                &common::rustls_pair::pki("leaf-ecdsa.crt"),
                &common::rustls_pair::pki("leaf-ecdsa.key"),
            )
            .unwrap()
            .output_limit(0)
            .build()
            .unwrap(),
    );
    for version in VERSIONS {
        let mut pair = Pair::new(default_client_config(version), config.clone());
        pair.run().unwrap();
        // Raised to the minimum, one full record: one record is taken.
        let data = pattern(3 * RECORD);
        assert_eq!(pair.server.send(&data), Ok(RECORD));
        assert_eq!(pair.server.send(&data), Ok(0));
        // send_into counts what its buffer holds the same way.
        let mut out = Vec::new();
        assert_eq!(pair.server.send_into(&data, &mut out), Ok(0));
        assert!(pair.server.poll_transmit().is_none(), "moved into out");
        out.clear();
        assert_eq!(pair.server.send_into(&data, &mut out), Ok(RECORD));
    }
}

#[test]
fn send_into_keeps_the_order_of_output_already_held() {
    for version in VERSIONS {
        let mut pair = established(version);
        assert_eq!(pair.server.send(b"first"), Ok(5));
        let mut out = Vec::new();
        assert_eq!(pair.server.send_into(b" second", &mut out), Ok(7));
        pair.to_client.extend_from_slice(&out);
        pair.server_to_client().unwrap();
        assert_eq!(pair.client_reads(), b"first second");
    }
}

#[test]
fn nothing_is_sent_or_read_before_the_handshake_or_after_close() {
    let mut server = ServerConnection::new(Arc::new(ecdsa_server_config(false)));
    assert_eq!(
        server.send(b"early"),
        Err(Error::Misuse(Misuse::HandshakeNotComplete))
    );
    assert_eq!(
        server.send_into(b"early", &mut Vec::new()),
        Err(Error::Misuse(Misuse::HandshakeNotComplete))
    );
    assert!(server.received().is_empty());
    let mut pair = established(ProtocolVersion::Tls13);
    pair.server.close();
    assert_eq!(
        pair.server.send(b"late"),
        Err(Error::Misuse(Misuse::Closed))
    );
    assert_eq!(
        pair.server
            .feed_in_place(&mut [23, 3, 3, 0, 1, 0])
            .map(|f| f.consumed),
        Err(Error::Misuse(Misuse::Closed))
    );
}

fn half_close_config() -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .certificate_chain(
                &common::rustls_pair::pki("leaf-ecdsa.crt"),
                &common::rustls_pair::pki("leaf-ecdsa.key"),
            )
            .unwrap()
            .half_close(true)
            .build()
            .unwrap(),
    )
}

#[test]
fn with_half_close_a_tls13_close_notify_leaves_the_server_sending() {
    let mut pair = Pair::new(
        default_client_config(ProtocolVersion::Tls13),
        half_close_config(),
    );
    pair.run().unwrap();
    let mut tls = client_records(&mut pair, b"request");
    pair.client.send_close_notify();
    pair.client.write_tls(&mut tls).unwrap();
    assert_eq!(pair.server.feed(&tls), Ok(tls.len()));
    assert!(matches!(pair.server.poll_event(), Some(Event::DataReady)));
    let mut buf = [0; 16];
    assert_eq!(pair.server.read(&mut buf), Ok(7));
    // The close_notify behind the data, once the data is read.
    assert!(matches!(
        pair.server.poll_event(),
        Some(Event::PeerClosedWrite)
    ));
    assert!(!pair.server.is_closed() && pair.server.is_handshake_complete());
    assert!(
        pair.server.poll_transmit().is_none(),
        "no close_notify back yet"
    );
    // Whatever comes after is ignored (RFC 8446 §6.1).
    assert_eq!(pair.server.feed(&[23, 3, 3, 0, 1, 0]), Ok(6));
    assert!(pair.server.received().is_empty());
    // The server goes on sending, then closes its side.
    assert_eq!(pair.server.send(b"response"), Ok(8));
    pair.server.close();
    pair.drain_server();
    pair.server_to_client().unwrap();
    assert_eq!(pair.client_reads(), b"response");
    assert_eq!(pair.closed(), stapler::CloseReason::LocalClose);
}

#[test]
fn half_close_leaves_tls12_as_it_is() {
    let mut pair = Pair::new(
        default_client_config(ProtocolVersion::Tls12),
        half_close_config(),
    );
    pair.run().unwrap();
    pair.client.send_close_notify();
    pair.client_to_server().unwrap();
    // RFC 5246 §7.2.1: answered, and closed.
    assert!(pair.server.is_closed());
    assert_eq!(pair.closed(), stapler::CloseReason::PeerClosed);
}
