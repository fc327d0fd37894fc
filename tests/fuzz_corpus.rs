//! Replays the fuzz targets on stable Rust: every captured ClientHello and
//! every saved fuzz regression goes through each plain target function, with
//! several split seeds, so `cargo test` catches what the fuzzer once found.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::fs;
use std::path::Path;

use stapler::codec::{split_handshake, split_record, MAX_PLAINTEXT_LEN};

/// Split seeds (see `targets::first_flight`): every largest-chunk size, each
/// with and without shrinking, under different size sequences.
const SEEDS: [u8; 16] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
];

/// Every file in `dir` (relative to the crate) except notes, sorted by name.
/// A missing directory is empty.
fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

/// The captures: `*.bin` only (the directory also holds scripts and notes).
fn captures() -> Vec<(String, Vec<u8>)> {
    let captures: Vec<_> = files("tests/data/client_hello")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".bin"))
        .collect();
    assert!(captures.len() >= 12, "captures missing");
    captures
}

/// `expected.txt`'s status_request column, by file name.
fn expected_ocsp(file: &str) -> Option<bool> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/client_hello/expected.txt");
    let table = fs::read_to_string(path).expect("expected.txt");
    table.lines().find_map(|line| {
        let cols: Vec<_> = line.split_whitespace().collect();
        (cols.first() == Some(&file)).then(|| cols[4] == "yes")
    })
}

fn with_seed(seed: u8, stream: &[u8]) -> Vec<u8> {
    let mut data = vec![seed];
    data.extend_from_slice(stream);
    data
}

/// The ClientHello body inside a one-record, one-message capture.
fn hello_body(capture: &[u8]) -> &[u8] {
    let (record, used) = split_record(capture, MAX_PLAINTEXT_LEN).unwrap().unwrap();
    assert_eq!(used, capture.len());
    let (message, used) = split_handshake(record.fragment).unwrap().unwrap();
    assert_eq!(used, record.fragment.len());
    message.body
}

/// The handshake bytes of `stream` re-cut into handshake records of at most
/// `size` bytes each.
fn refragment(stream: &[u8], size: usize) -> Vec<u8> {
    let mut handshake = Vec::new();
    let mut rest = stream;
    while let Some((record, used)) = split_record(rest, MAX_PLAINTEXT_LEN).unwrap() {
        handshake.extend_from_slice(record.fragment);
        rest = &rest[used..];
    }
    let mut out = Vec::new();
    for piece in handshake.chunks(size) {
        out.extend_from_slice(&[22, 3, 1]);
        out.extend_from_slice(&u16::try_from(piece.len()).unwrap().to_be_bytes());
        out.extend_from_slice(piece);
    }
    out
}

#[test]
fn each_capture_is_one_record_one_message_one_hello_however_split() {
    for (name, bytes) in captures() {
        let mut first = None;
        for seed in SEEDS {
            let got = targets::first_flight(&with_seed(seed, &bytes));
            assert_eq!(got.error, None, "{name} seed {seed:#04x}");
            assert_eq!(
                (
                    got.records,
                    got.handshake_messages,
                    got.hellos.len(),
                    got.leftover
                ),
                (1, 1, 1, 0),
                "{name} seed {seed:#04x}"
            );
            let hello = got.hellos[0];
            assert!(hello.cipher_suites > 0 && hello.extensions > 0, "{name}");
            if let Some(ocsp) = expected_ocsp(&name) {
                assert_eq!(hello.requests_ocsp, ocsp, "{name}: status_request");
            }
            // Splitting never changes what the accessors saw.
            assert_eq!(
                *first.get_or_insert(hello),
                hello,
                "{name} seed {seed:#04x}"
            );
        }

        // The same hello, parsed directly from its body.
        let direct = targets::client_hello(hello_body(&bytes));
        assert_eq!(direct, Ok(first.unwrap()), "{name}");
        // The whole record is not a hello body; it must fail cleanly.
        assert!(targets::client_hello(&bytes).is_err(), "{name}");
    }
}

#[test]
fn a_hello_fragmented_over_many_records_gives_the_same_hello() {
    for (name, bytes) in captures() {
        let whole = targets::first_flight(&with_seed(0, &bytes)).hellos;
        for size in [1, 3, 4, 5, 100, 511] {
            let stream = refragment(&bytes, size);
            let records = bytes.len().div_ceil(size);
            for seed in [0x00, 0x36, 0x57, 0xf7] {
                let got = targets::first_flight(&with_seed(seed, &stream));
                assert_eq!(got.error, None, "{name} size {size} seed {seed:#04x}");
                assert!(got.records >= records.min(2), "{name} size {size}");
                assert_eq!(got.hellos, whole, "{name} size {size} seed {seed:#04x}");
            }
        }
    }
}

#[test]
fn hellos_back_to_back_with_records_cut_across_them() {
    let captures = captures();
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for (_, bytes) in &captures {
        stream.extend_from_slice(bytes);
        expected.extend(targets::first_flight(&with_seed(0, bytes)).hellos);
    }
    // Record boundaries that fall inside messages, so one record carries the
    // end of one hello and the start of the next.
    for size in [7, 300, 700, 4000] {
        let cut = refragment(&stream, size);
        for seed in [0x00, 0x2d, 0x4e, 0x8f] {
            let got = targets::first_flight(&with_seed(seed, &cut));
            assert_eq!(got.error, None, "size {size} seed {seed:#04x}");
            assert_eq!(got.handshake_messages, captures.len());
            assert_eq!(got.hellos, expected, "size {size} seed {seed:#04x}");
        }
    }
}

#[test]
fn streams_of_several_hellos_and_a_full_size_record() {
    let captures = captures();
    let mut stream = Vec::new();
    for (_, bytes) in &captures {
        stream.extend_from_slice(bytes);
    }
    // A largest-size application_data record, then a half-sent record.
    stream.extend_from_slice(&[23, 3, 3, 0x40, 0x00]);
    stream.extend(std::iter::repeat_n(0xab, MAX_PLAINTEXT_LEN));
    stream.extend_from_slice(&[22, 3, 3, 0x00, 0x10, 1, 0]);

    for seed in SEEDS {
        let got = targets::first_flight(&with_seed(seed, &stream));
        assert_eq!(got.error, None, "seed {seed:#04x}");
        assert_eq!(got.records, captures.len() + 1, "seed {seed:#04x}");
        assert_eq!(got.hellos.len(), captures.len(), "seed {seed:#04x}");
        assert_eq!(got.leftover, 7, "seed {seed:#04x}");
    }

    // A broken record header after them all ends the run with that error,
    // however the stream is split.
    stream.truncate(stream.len() - 7);
    stream.extend_from_slice(b"GET / HTTP/1.1\r\n");
    for seed in SEEDS {
        let got = targets::first_flight(&with_seed(seed, &stream));
        assert_eq!(
            got.error,
            Some(stapler::InvalidMessage::UnknownContentType(b'G'))
        );
        assert_eq!(got.hellos.len(), captures.len());
    }
}

#[test]
fn every_truncation_of_a_capture_is_handled() {
    for (name, bytes) in captures() {
        let body = hello_body(&bytes);
        for end in 0..body.len() {
            // Must not panic; whether a prefix parses depends on where it ends.
            let _ = targets::client_hello(&body[..end]);
        }
        for end in 0..bytes.len() {
            let got = targets::first_flight(&with_seed(0x5c, &bytes[..end]));
            assert_eq!(got.error, None, "{name} cut at {end}");
            assert!(got.hellos.is_empty(), "{name} cut at {end}");
            assert_eq!(got.leftover, end, "{name} cut at {end}");
        }
    }
}

#[test]
fn fuzz_regressions_replay() {
    for (name, bytes) in files("tests/data/fuzz_regressions") {
        if name.starts_with("certificate-") {
            targets::certificate::certificate(&bytes);
        }
        // Each file as the fuzzer saw it, for both wire targets...
        targets::first_flight(&bytes);
        let _ = targets::client_hello(&bytes);
        // ...and as a stream under other splits.
        for seed in SEEDS {
            targets::first_flight(&with_seed(seed, &bytes));
        }
    }
}

/// Every certificate of the test PKIs, DER, through the `certificate`
/// target: the strict parse and the handshake's light reading agree on
/// each, and rustls-webpki's verdict agrees with both.
#[test]
fn test_certificates_read_alike_three_ways() {
    let mut strict = 0;
    for dir in ["tests/data/pki", "tests/data/client_pki", "tests/data/ocsp"] {
        for (name, bytes) in files(dir) {
            if !name.ends_with(".crt") && !name.ends_with(".pem") {
                continue;
            }
            let Ok(ders) = stapler::pki::pem::certificates_from_pem_or_der(&bytes) else {
                continue;
            };
            for der in ders {
                strict += usize::from(targets::certificate::certificate(&der));
            }
        }
    }
    assert!(strict >= 30, "only {strict} certificates parsed");
}

/// A ClientHello may be 131,396 bytes (`MAX_CLIENT_HELLO_LEN`), and any must
/// parse in time linear in its size (ARCHITECTURE.md, "Invariants"). The
/// `client_hello-quadratic-*` regressions are valid hellos of ~16k unknown
/// extensions and ~13k key shares. Before 2cd673a made duplicate detection
/// linear they took 0.37 s and 0.24 s to parse optimised; what they cost now
/// is measured in benches/client_hello.rs (`adversarial`), not here.
#[test]
fn largest_hellos_parse_whole_and_split() {
    let worst: Vec<_> = files("tests/data/fuzz_regressions")
        .into_iter()
        .filter(|(name, _)| name.starts_with("client_hello-quadratic-"))
        .collect();
    assert_eq!(worst.len(), 2);
    for (name, body) in worst {
        let parsed = stapler::codec::ClientHello::parse(&body);
        assert!(parsed.is_ok(), "{name} is a valid hello: {parsed:?}");

        // The same hello as a first flight: one message over four records.
        let mut message = vec![1];
        message.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
        message.extend_from_slice(&body);
        let mut stream = Vec::new();
        for piece in message.chunks(MAX_PLAINTEXT_LEN) {
            stream.extend_from_slice(&[22, 3, 3]);
            stream.extend_from_slice(&u16::try_from(piece.len()).unwrap().to_be_bytes());
            stream.extend_from_slice(piece);
        }
        for seed in [0x05, 0x07, 0x0f] {
            let got = targets::first_flight(&with_seed(seed, &stream));
            assert_eq!(got.error, None, "{name}");
            let records = message.len().div_ceil(MAX_PLAINTEXT_LEN);
            assert_eq!((got.records, got.hellos.len()), (records, 1), "{name}");
            assert_eq!(Ok(got.hellos[0]), targets::client_hello(&body), "{name}");
        }
    }
}

/// The `server` target on every capture, under each OCSP answer and with
/// OCSP events on and off, whole and in chunks. Captures that ask for OCSP
/// pause exactly once when events are on; a hello that the server
/// cannot finish (the client never sends Finished here) leaves it open.
#[test]
fn server_target_replays_the_captures() {
    for (name, bytes) in captures() {
        let asks = expected_ocsp(&name);
        // Bit 5: fed in place, as stapler-tokio reads.
        for events in [0u8, 1, 32, 33] {
            for answer in 0u8..4 {
                for chunking in [0u8, 1, 0x9d] {
                    let mut input = vec![events, answer, chunking];
                    input.extend_from_slice(&bytes);
                    let run = targets::server::server(&input);
                    let label = format!("{name} events={events} answer={answer} chunk={chunking}");
                    assert!(run.ocsp_requests <= 1, "{label}");
                    // TLS 1.2 and 1.3 hellos alike raise the event.
                    let expected = usize::from(events & 1 == 1 && asks == Some(true));
                    assert_eq!(run.ocsp_requests, expected, "{label}");
                    assert!(!run.handshake_complete, "{label}");
                }
            }
        }
    }
}

/// The `server` target on every capture with all three decisions asked
/// for (certificate selection, OCSP, a remote key) and each answer to
/// each: a capture that asks for OCSP pauses for the selection, then the
/// staple, then the signature when every answer goes on.
#[test]
fn server_target_replays_the_captures_through_every_decision() {
    for (name, bytes) in captures() {
        let asks = expected_ocsp(&name);
        for config in [2u8, 3, 5, 7, 39] {
            // OCSP answers 0-2 and 4; selection 0-3; signing 0-3.
            for answers in [0u8, 1, 2, 4, 0x08, 0x10, 0x18, 0x20, 0x40, 0x60] {
                for chunking in [0u8, 0x9d] {
                    let mut input = vec![config, answers, chunking];
                    input.extend_from_slice(&bytes);
                    let run = targets::server::server(&input);
                    let label = format!("{name} config={config} answers={answers:#x}");
                    assert!(!run.handshake_complete, "{label}");
                    if config & 31 == 7 && answers == 0 && asks == Some(true) {
                        assert_eq!(
                            (run.selections, run.ocsp_requests, run.sign_requests),
                            (1, 1, 1),
                            "{label}"
                        );
                    }
                }
            }
        }
    }
}

/// Every truncation of a capture and a few corruptions, through the whole
/// server: no panic, and the promises `targets::server` checks hold.
#[test]
fn server_target_survives_cut_and_corrupted_captures() {
    for (_, bytes) in captures() {
        for end in (0..bytes.len()).step_by(7) {
            let mut input = vec![1, 0, 0];
            input.extend_from_slice(&bytes[..end]);
            let run = targets::server::server(&input);
            assert_eq!(run.output, 0, "a cut hello is waited for, not answered");
        }
        for at in (5..bytes.len()).step_by(11) {
            let mut input = vec![1 | (at as u8 & 32), 1, 0x33];
            input.extend_from_slice(&bytes);
            input[3 + at] ^= 0x41;
            targets::server::server(&input);
        }
    }
    for (_, bytes) in files("tests/data/fuzz_regressions") {
        targets::server::server(&bytes);
    }
}

/// The `ocsp_response` target on every openssl-made response and request in
/// tests/data/ocsp, whole, cut at every length and with bytes flipped, and
/// on every saved regression: no panic, and the target's promises hold.
#[test]
fn ocsp_response_target_replays_the_test_responses() {
    let ders: Vec<_> = files("tests/data/ocsp")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".der"))
        .collect();
    assert!(ders.len() >= 20, "OCSP test data missing");
    for (name, bytes) in &ders {
        let outcome = targets::ocsp::ocsp_response(bytes);
        // Responses parse; requests (req-*) are not responses.
        assert_eq!(outcome.is_ok(), !name.starts_with("req-"), "{name}");
        for end in 0..bytes.len() {
            assert!(
                targets::ocsp::ocsp_response(&bytes[..end]).is_err(),
                "{name} cut at {end}"
            );
        }
        for at in (0..bytes.len()).step_by(5) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x24;
            let _ = targets::ocsp::ocsp_response(&flipped);
        }
    }
    // The good response verifies against the target's fixed leaf and time.
    let good = &ders.iter().find(|(name, _)| name == "good.der").unwrap().1;
    assert!(matches!(targets::ocsp::ocsp_response(good), Ok(Ok(_))));
    for (_, bytes) in files("tests/data/fuzz_regressions") {
        let _ = targets::ocsp::ocsp_response(&bytes);
    }
}
