//! Each captured ClientHello (tests/data/client_hello, provenance in its
//! README.md) parses, and says what the command that produced it implies:
//! the SNI, the ALPN list, the versions offered and whether status_request
//! was sent. `expected.txt` holds those facts, one line per capture.

use std::fs;
use std::path::{Path, PathBuf};

use stapler::codec::{
    split_handshake, split_record, ClientHello, HandshakeJoiner, HandshakeType, RecordDeframer,
    MAX_PLAINTEXT_LEN, STATUS_TYPE_OCSP,
};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/client_hello")
}

struct Expected {
    file: String,
    sni: Option<String>,
    alpn: Vec<String>,
    versions: Vec<u16>,
    status_request: bool,
}

fn expectations() -> Vec<Expected> {
    let table = fs::read_to_string(data_dir().join("expected.txt")).unwrap();
    let list = |s: &str| -> Vec<String> {
        if s == "-" {
            vec![]
        } else {
            s.split(',').map(str::to_owned).collect()
        }
    };
    table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cols.len(), 5, "bad line in expected.txt: {line}");
            Expected {
                file: cols[0].to_owned(),
                sni: (cols[1] != "-").then(|| cols[1].to_owned()),
                alpn: list(cols[2]),
                versions: list(cols[3])
                    .iter()
                    .map(|v| u16::from_str_radix(v, 16).unwrap())
                    .collect(),
                status_request: match cols[4] {
                    "yes" => true,
                    "no" => false,
                    other => panic!("status_request column must be yes/no, not {other}"),
                },
            }
        })
        .collect()
}

/// The ClientHello message (header included) carried by a capture's records.
fn hello_message(flight: &[u8]) -> Vec<u8> {
    let mut deframer = RecordDeframer::new();
    let mut joiner = HandshakeJoiner::new();
    let mut rest = flight;
    while !rest.is_empty() {
        let took = deframer.push(rest);
        rest = &rest[took..];
        while let Some(record) = deframer.next_record().unwrap() {
            joiner.push(record.fragment).unwrap();
        }
    }
    let message = joiner.next_message().unwrap().expect("a whole message");
    assert_eq!(message.typ, HandshakeType::ClientHello);
    let encoded = message.encoded.to_vec();
    assert!(
        joiner.next_message().unwrap().is_none(),
        "nothing after the hello"
    );
    encoded
}

#[test]
fn every_capture_is_listed() {
    let listed: Vec<String> = expectations().into_iter().map(|e| e.file).collect();
    let mut on_disk: Vec<String> = fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".bin"))
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, on_disk);
    assert!(
        listed.len() >= 12,
        "captures from every client the issue names"
    );
}

#[test]
fn captures_say_what_their_commands_imply() {
    for e in expectations() {
        let flight = fs::read(data_dir().join(&e.file)).unwrap();
        let message = hello_message(&flight);
        let hello =
            ClientHello::parse(&message[4..]).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        let ctx = &e.file;

        let sni = hello
            .server_name()
            .and_then(|n| n.host_name())
            .map(|h| String::from_utf8(h.to_vec()).unwrap());
        assert_eq!(sni, e.sni, "{ctx}: SNI");

        let alpn: Vec<String> = hello
            .alpn()
            .map(|names| {
                names
                    .iter()
                    .map(|n| String::from_utf8(n.to_vec()).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(alpn, e.alpn, "{ctx}: ALPN");

        let versions: Vec<u16> = hello
            .supported_versions()
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        assert_eq!(versions, e.versions, "{ctx}: supported_versions");
        // Every client here speaks TLS 1.2 at least, so legacy_version is
        // 0x0303 (RFC 8446 §4.1.2).
        assert_eq!(hello.legacy_version(), 0x0303, "{ctx}");

        assert_eq!(hello.status_request().is_some(), e.status_request, "{ctx}");
        assert_eq!(hello.requests_ocsp(), e.status_request, "{ctx}");
        if let Some(sr) = hello.status_request() {
            // Every mainstream client sends type ocsp with empty lists.
            assert_eq!(sr.status_type(), STATUS_TYPE_OCSP, "{ctx}");
            let ocsp = sr.ocsp().unwrap();
            assert_eq!(ocsp.responder_ids().count(), 0, "{ctx}");
            assert_eq!(ocsp.request_extensions().count(), 0, "{ctx}");
        }

        // A client offering TLS 1.3 must send a key share and signature
        // algorithms (RFC 8446 §9.2), and did.
        if versions.contains(&0x0304) {
            assert!(hello.key_share().unwrap().iter().count() >= 1, "{ctx}");
            assert!(hello.signature_algorithms().is_some(), "{ctx}");
            assert!(hello.supported_groups().is_some(), "{ctx}");
        }
    }
}

#[test]
fn the_flags_that_ask_for_ocsp_add_status_request() {
    // Pairs captured with and without the flag that asks for a staple.
    let with_and_without = [
        ("openssl_tls13_status.bin", "openssl_tls13.bin"),
        ("openssl_tls12_status.bin", "openssl_tls12.bin"),
        ("curl_cert_status.bin", "curl.bin"),
        ("node_request_ocsp.bin", "node.bin"),
    ];
    for (with, without) in with_and_without {
        let requests = |file: &str| {
            let message = hello_message(&fs::read(data_dir().join(file)).unwrap());
            ClientHello::parse(&message[4..]).unwrap().requests_ocsp()
        };
        assert!(requests(with), "{with}");
        assert!(!requests(without), "{without}");
    }
}

#[test]
fn zero_copy_path_agrees_with_the_reassembling_one() {
    for e in expectations() {
        let flight = fs::read(data_dir().join(&e.file)).unwrap();
        let (record, used) = split_record(&flight, MAX_PLAINTEXT_LEN).unwrap().unwrap();
        if used != flight.len() {
            continue; // a hello over several records needs the joiner
        }
        let (message, _) = split_handshake(record.fragment).unwrap().unwrap();
        assert_eq!(message.encoded, &hello_message(&flight)[..], "{}", e.file);
    }
}
