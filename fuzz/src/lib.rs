//! Fuzz targets for stapler's wire layer, written as plain functions.
//!
//! The libFuzzer wrappers in `fuzz/fuzz_targets/` call these, and so does
//! `tests/fuzz_corpus.rs` (through `#[path]`), which replays the captures and
//! every saved regression on stable Rust with `cargo test`. That is why these
//! files use nothing but `std`, `stapler` and crates stapler itself depends
//! on.
//!
//! Errors from the codec are expected and simply end a run. A broken
//! invariant is a bug and fails an `assert!`, which the fuzzer reports as a
//! crash. The checks here are ones the codec's documentation promises:
//!
//! * splitting the input differently never changes which records, messages,
//!   hellos or errors come out (checked against one unsplit pass made with
//!   the stateless `split_record` / `split_handshake`);
//! * the [`RecordDeframer`] never holds more than one record
//!   (`RECORD_HEADER_LEN + max_len` bytes), and always has room again once it
//!   has been drained;
//! * after [`ClientHello::parse`] succeeds, every accessor and iterator sees
//!   exactly the bytes the parse validated: nothing skipped, nothing extra.
//!
//! [`exercise`] touches every accessor without allocating, so
//! `tests/no_alloc.rs` reuses it to prove the parse path is heap-free.

// `#[path]` keeps the file found both here and when tests/fuzz_corpus.rs
// includes this file as a module of its own.
#[path = "server.rs"]
pub mod server;

#[path = "ocsp.rs"]
pub mod ocsp;

#[path = "certificate.rs"]
pub mod certificate;

use core::fmt::{self, Write as _};

use stapler::codec::{
    der, is_grease, split_handshake, split_record, Alert, AlertDescription, ClientHello,
    ContentType, ExtensionType, HandshakeJoiner, HandshakeMessage, HandshakeType, KeyShares,
    ProtocolNames, Reader, Record, RecordDeframer, ServerNames, StatusRequest, U16List,
    MAX_PLAINTEXT_LEN, MAX_SESSION_ID_LEN, RANDOM_LEN, RECORD_HEADER_LEN,
};
use stapler::{Error, Field, InvalidMessage};

/// What [`exercise`] saw in one parsed ClientHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelloSummary {
    /// `requests_ocsp()`.
    pub requests_ocsp: bool,
    /// Extensions other than GREASE.
    pub extensions: usize,
    /// Cipher suites other than GREASE.
    pub cipher_suites: usize,
    /// A hash of everything every accessor returned.
    pub fingerprint: u64,
}

/// What [`first_flight`] got out of a byte stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlightSummary {
    /// Records taken off the stream.
    pub records: usize,
    /// Complete handshake messages, of any type.
    pub handshake_messages: usize,
    /// Every ClientHello that parsed, in order.
    pub hellos: Vec<HelloSummary>,
    /// The error that ended the run, if one did.
    pub error: Option<InvalidMessage>,
    /// Bytes left in the deframer at the end (part of a record).
    pub leftover: usize,
}

/// Split sizes indexed by the low three bits of the seed byte: the largest
/// chunk handed to one `push`. The biggest exceeds one record, so the
/// deframer's partial consumption is exercised.
const MAX_CHUNKS: [usize; 8] = [1, 2, 3, 8, 64, 300, 2048, 2 * MAX_PLAINTEXT_LEN + 100];

/// Seed bit asking for `shrink()` on both buffers after every drain.
const SHRINK_BIT: u8 = 0x08;

/// Lookups by key (`extension(typ)`, `KeyShares::find`) are linear scans, so
/// cross-checking every entry of a list with one would make the harness
/// itself quadratic on the largest hellos. Only the first entries are looked
/// up; real hellos have fewer than this.
const LOOKUPS: usize = 64;

/// Feeds `data[1..]` as a client's first flight through [`RecordDeframer`],
/// [`HandshakeJoiner`] and [`ClientHello::parse`], in chunks whose sizes come
/// from `data[0]`: bits 0-2 pick the largest chunk (see [`MAX_CHUNKS`]), bit 3
/// asks for `shrink()` after every drain, bits 4-7 seed the sizes. Returns
/// what came out; panics if an invariant breaks.
pub fn first_flight(data: &[u8]) -> FlightSummary {
    let Some((&seed, stream)) = data.split_first() else {
        return FlightSummary::default();
    };
    let expected = unsplit(stream);

    let chunks = ChunkSizes::new(seed);
    let split = streamed(stream, chunks, seed & SHRINK_BIT != 0);
    assert_same(&split, &expected, "split by the seed");
    let whole = streamed(stream, core::iter::repeat(usize::MAX), false);
    assert_same(&whole, &expected, "pushed whole");

    let summary = expected.summary();
    if let Some(error) = summary.error {
        exercise_error(error);
    }
    summary
}

/// Parses `data` as a ClientHello body (no record or handshake header) and,
/// if it parses, exercises every accessor.
pub fn client_hello(data: &[u8]) -> Result<HelloSummary, InvalidMessage> {
    match ClientHello::parse(data) {
        Ok(hello) => Ok(exercise(&hello)),
        Err(error) => {
            exercise_error(error);
            Err(error)
        }
    }
}

/// One thing that came out of the pipeline, in order.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Record {
        typ: ContentType,
        version: u16,
        fragment: Vec<u8>,
        /// Whether part of a handshake message was waiting when it arrived.
        partial_message: bool,
    },
    Message {
        typ: HandshakeType,
        encoded: Vec<u8>,
    },
    Hello(HelloSummary),
    Alert(Alert),
    Failed(InvalidMessage),
}

/// Everything one pass produced.
#[derive(Debug, PartialEq, Eq)]
struct Pass {
    steps: Vec<Step>,
    /// Bytes held back at the end: 0 after an error.
    leftover: usize,
    /// Whether a partial handshake message was pending at the end.
    partial_message: bool,
}

impl Pass {
    fn summary(&self) -> FlightSummary {
        let mut s = FlightSummary {
            leftover: self.leftover,
            ..FlightSummary::default()
        };
        for step in &self.steps {
            match step {
                Step::Record { .. } => s.records += 1,
                Step::Message { .. } => s.handshake_messages += 1,
                Step::Hello(h) => s.hellos.push(*h),
                Step::Alert(_) => {}
                Step::Failed(e) => s.error = Some(*e),
            }
        }
        s
    }
}

/// Fails, naming the first difference, unless a streamed pass matched the
/// unsplit one.
fn assert_same(got: &Pass, expected: &Pass, how: &str) {
    if got == expected {
        return;
    }
    let at = got
        .steps
        .iter()
        .zip(&expected.steps)
        .position(|(g, e)| g != e)
        .unwrap_or(got.steps.len().min(expected.steps.len()));
    panic!(
        "input {how} differs from the unsplit pass at step {at}: {:?} instead of {:?} \
         ({} steps instead of {}; leftover {} instead of {}; partial message {} instead of {})",
        got.steps.get(at),
        expected.steps.get(at),
        got.steps.len(),
        expected.steps.len(),
        got.leftover,
        expected.leftover,
        got.partial_message,
        expected.partial_message,
    );
}

/// The reference: the stateless splitters over the whole stream at once,
/// with handshake bytes joined in a plain `Vec`.
fn unsplit(stream: &[u8]) -> Pass {
    let mut steps = Vec::new();
    let mut handshake = Vec::new();
    let mut at = 0;
    match unsplit_steps(stream, &mut at, &mut handshake, &mut steps) {
        Ok(()) => Pass {
            steps,
            leftover: stream.len() - at,
            partial_message: !handshake.is_empty(),
        },
        Err(e) => failed(steps, e),
    }
}

fn unsplit_steps(
    stream: &[u8],
    at: &mut usize,
    handshake: &mut Vec<u8>,
    steps: &mut Vec<Step>,
) -> Result<(), InvalidMessage> {
    while let Some((record, used)) = split_record(&stream[*at..], MAX_PLAINTEXT_LEN)? {
        assert_eq!(used, RECORD_HEADER_LEN + record.fragment.len());
        *at += used;
        steps.push(record_step(&record, !handshake.is_empty()));
        match record.header.content_type {
            ContentType::Handshake => {
                handshake.extend_from_slice(record.fragment);
                let mut done = 0;
                while let Some((message, used)) = split_handshake(&handshake[done..])? {
                    assert_eq!(message.encoded.len(), used);
                    done += used;
                    on_message(message, steps)?;
                }
                handshake.drain(..done);
            }
            ContentType::Alert => on_alert(record.fragment, steps)?,
            _ => {}
        }
    }
    Ok(())
}

/// The code under test: chunks of the sizes `chunks` yields, each offered to
/// the deframer until it has taken all of it, draining after every push.
fn streamed(stream: &[u8], mut chunks: impl Iterator<Item = usize>, shrink: bool) -> Pass {
    let mut deframer = RecordDeframer::new();
    let mut joiner = HandshakeJoiner::new();
    let mut steps = Vec::new();
    let limit = RECORD_HEADER_LEN + deframer.max_len();
    let mut rest = stream;
    while !rest.is_empty() {
        let size = chunks.next().unwrap_or(usize::MAX).clamp(1, rest.len());
        let (mut offered, tail) = rest.split_at(size);
        rest = tail;
        while !offered.is_empty() {
            let took = deframer.push(offered);
            // Drained before every push, the deframer holds at most part of
            // one record, so it always has room for at least one more byte.
            assert!(took > 0, "the deframer took nothing after being drained");
            assert!(took <= offered.len());
            assert!(
                deframer.buffered() <= limit,
                "the deframer holds {} bytes, more than one record ({limit})",
                deframer.buffered()
            );
            offered = &offered[took..];
            if let Err(e) = drain(&mut deframer, &mut joiner, &mut steps) {
                return failed(steps, e);
            }
            if shrink {
                deframer.shrink();
                joiner.shrink();
            }
        }
    }
    Pass {
        steps,
        leftover: deframer.buffered(),
        partial_message: joiner.has_partial_message(),
    }
}

fn drain(
    deframer: &mut RecordDeframer,
    joiner: &mut HandshakeJoiner,
    steps: &mut Vec<Step>,
) -> Result<(), InvalidMessage> {
    let max_len = deframer.max_len();
    while let Some(record) = deframer.next_record()? {
        assert!(record.fragment.len() <= max_len);
        assert_eq!(usize::from(record.header.len), record.fragment.len());
        steps.push(record_step(&record, joiner.has_partial_message()));
        match record.header.content_type {
            ContentType::Handshake => {
                joiner.push(record.fragment)?;
                while let Some(message) = joiner.next_message()? {
                    on_message(message, steps)?;
                }
            }
            ContentType::Alert => on_alert(record.fragment, steps)?,
            _ => {}
        }
    }
    Ok(())
}

fn failed(mut steps: Vec<Step>, error: InvalidMessage) -> Pass {
    steps.push(Step::Failed(error));
    Pass {
        steps,
        leftover: 0,
        partial_message: false,
    }
}

fn record_step(record: &Record<'_>, partial_message: bool) -> Step {
    // The header re-encodes to what was on the wire.
    let header = record.header.encode();
    assert_eq!(
        usize::from(u16::from_be_bytes([header[3], header[4]])),
        record.fragment.len()
    );
    Step::Record {
        typ: record.header.content_type,
        version: record.header.legacy_version,
        fragment: record.fragment.to_vec(),
        partial_message,
    }
}

fn on_message(message: HandshakeMessage<'_>, steps: &mut Vec<Step>) -> Result<(), InvalidMessage> {
    assert_eq!(message.encoded.len(), 4 + message.body.len());
    assert!(message.encoded.ends_with(message.body));
    assert_eq!(message.encoded[0], message.typ.to_wire());
    steps.push(Step::Message {
        typ: message.typ,
        encoded: message.encoded.to_vec(),
    });
    if message.typ == HandshakeType::ClientHello {
        let hello = ClientHello::parse(message.body)?;
        steps.push(Step::Hello(exercise(&hello)));
    }
    Ok(())
}

fn on_alert(fragment: &[u8], steps: &mut Vec<Step>) -> Result<(), InvalidMessage> {
    let alert = Alert::parse(fragment)?;
    assert_eq!(alert.encode(), fragment);
    steps.push(Step::Alert(alert));
    Ok(())
}

/// Checks what an error promises: an alert, the same one through [`Error`],
/// a message, and an alert record that decodes back to itself.
fn exercise_error(error: InvalidMessage) {
    let alert = error.alert();
    let wrapped = Error::from(error);
    assert_eq!(AlertDescription::from(&wrapped), alert);
    assert!(std::error::Error::source(&wrapped).is_some());

    let mut text = Fingerprint::new();
    write!(text, "{error} / {wrapped} / {alert}").expect("a fingerprint never fails");
    core::hint::black_box(text);

    let record = Alert::fatal(alert).encode_plaintext_record();
    let (parsed, used) = split_record(&record, MAX_PLAINTEXT_LEN)
        .expect("our own alert record is valid")
        .expect("our own alert record is whole");
    assert_eq!(used, record.len());
    assert_eq!(
        Alert::parse(parsed.fragment),
        Ok(Alert::fatal(alert)),
        "alert {alert} does not round-trip"
    );
}

/// Calls every accessor of `hello`, follows every iterator to its end, and
/// checks each against the raw bytes it came from. Allocates nothing.
pub fn exercise(hello: &ClientHello<'_>) -> HelloSummary {
    let mut fp = Fingerprint::new();
    let body = hello.body();

    // Fixed fields sit where RFC 8446 §4.1.2 puts them.
    let version = hello.legacy_version();
    assert_eq!(body.get(..2), Some(&version.to_be_bytes()[..]));
    let random = hello.random();
    assert_eq!(body.get(2..2 + RANDOM_LEN), Some(&random[..]));
    let session_id = hello.session_id();
    assert!(session_id.len() <= MAX_SESSION_ID_LEN);
    assert_eq!(
        body.get(3 + RANDOM_LEN..3 + RANDOM_LEN + session_id.len()),
        Some(session_id)
    );
    fp.u16(version);
    fp.bytes(random);
    fp.bytes(session_id);

    let suites = hello.cipher_suites();
    assert!(!suites.raw().is_empty());
    let cipher_suites = u16_list(&mut fp, suites);
    for suite in suites.into_iter().take(LOOKUPS) {
        assert!(hello.offers_cipher_suite(suite));
    }

    let compression = hello.compression_methods();
    assert!(compression.contains(&0));
    fp.bytes(compression);

    let extensions = exercise_extension_list(&mut fp, hello);
    exercise_typed_extensions(&mut fp, hello);

    let requests_ocsp = hello.requests_ocsp();
    assert_eq!(
        requests_ocsp,
        hello.status_request().and_then(|s| s.ocsp()).is_some()
    );
    fp.bool(requests_ocsp);

    HelloSummary {
        requests_ocsp,
        extensions,
        cipher_suites,
        fingerprint: fp.0,
    }
}

/// `extensions()`, `raw_extensions()` and `extension()` agree with a walk of
/// the raw block made here. Returns how many extensions were not GREASE.
fn exercise_extension_list(fp: &mut Fingerprint, hello: &ClientHello<'_>) -> usize {
    let raw = hello.raw_extensions();
    assert!(hello.body().ends_with(raw));
    let mut walk = Reader::new(raw, Field::Extensions);
    let mut visible = hello.extensions();
    let mut count = 0;
    let mut last = None;
    while !walk.is_empty() {
        let typ = walk.u16().expect("a parsed extensions block is whole");
        let ext_body = walk
            .opaque_u16()
            .expect("a parsed extensions block is whole");
        let typ = ExtensionType::from_wire(typ);
        last = Some(typ);
        if count < LOOKUPS {
            assert_eq!(hello.extension(typ), Some(ext_body));
        }
        if is_grease(typ.to_wire()) {
            continue;
        }
        let ext = visible
            .next()
            .expect("extensions() stopped before the block did");
        assert_eq!((ext.typ, ext.body), (typ, ext_body));
        assert_eq!(ExtensionType::from(u16::from(typ)), typ);
        assert_eq!(
            typ.name().is_some(),
            !matches!(typ, ExtensionType::Unknown(_))
        );
        write!(fp, "{typ}").expect("a fingerprint never fails");
        fp.bytes(ext_body);
        count += 1;
    }
    assert!(visible.next().is_none(), "extensions() went past the block");
    if hello.pre_shared_key().is_some() {
        assert_eq!(last, Some(ExtensionType::PreSharedKey));
    }
    count
}

/// Every typed accessor: present exactly when its extension is, and equal to
/// that extension's body (minus the length prefix where there is one).
fn exercise_typed_extensions(fp: &mut Fingerprint, hello: &ClientHello<'_>) {
    use ExtensionType as T;
    let ext = |typ| hello.extension(typ);

    if let Some(names) = present(ext(T::ServerName), hello.server_name()) {
        server_names(fp, names, ext(T::ServerName));
    }
    for (typ, list, prefix) in [
        (T::SupportedVersions, hello.supported_versions(), 1),
        (T::SupportedGroups, hello.supported_groups(), 2),
        (T::SignatureAlgorithms, hello.signature_algorithms(), 2),
        (
            T::SignatureAlgorithmsCert,
            hello.signature_algorithms_cert(),
            2,
        ),
    ] {
        if let Some(list) = present(ext(typ), list) {
            prefixed(ext(typ), list.raw(), prefix);
            u16_list(fp, list);
        }
    }
    if let Some(shares) = present(ext(T::KeyShare), hello.key_share()) {
        key_shares(fp, shares, ext(T::KeyShare));
    }
    if let Some(names) = present(ext(T::ApplicationLayerProtocolNegotiation), hello.alpn()) {
        protocol_names(fp, names, ext(T::ApplicationLayerProtocolNegotiation));
    }
    if let Some(offer) = present(ext(T::PreSharedKey), hello.pre_shared_key()) {
        let mut identities = 0usize;
        let mut identities_len = 0;
        for id in offer.identities() {
            assert!(!id.identity.is_empty());
            fp.bytes(id.identity);
            fp.u32(id.obfuscated_ticket_age);
            identities += 1;
            identities_len += 2 + id.identity.len() + 4;
        }
        let mut binders = 0usize;
        let mut binders_len = 2;
        for binder in offer.binders() {
            assert!(binder.len() >= 32);
            fp.bytes(binder);
            binders += 1;
            binders_len += 1 + binder.len();
        }
        assert!(identities > 0);
        assert_eq!(identities, binders);
        assert_eq!(offer.binders_len(), binders_len);
        let ext_body = ext(T::PreSharedKey).unwrap_or_default();
        assert_eq!(2 + identities_len + binders_len, ext_body.len());
        // pre_shared_key is last, so its binders are the last bytes of the
        // hello, which the binder MACs exclude (RFC 8446 §4.2.11.2).
        assert!(hello.body().ends_with(ext_body));
    }
    if let Some(status) = present(ext(T::StatusRequest), hello.status_request()) {
        status_request(fp, status, ext(T::StatusRequest));
    }

    // Extensions only TLS 1.2 reads are parsed without judging their
    // bodies: a malformed one reads as absent, and check_tls12_extensions
    // fails exactly when one is malformed.
    let tls12_body_ok = |typ: T, body: &[u8]| match typ {
        T::ExtendedMasterSecret => body.is_empty(),
        T::EcPointFormats => body.len() >= 2 && usize::from(body[0]) == body.len() - 1,
        T::RenegotiationInfo => !body.is_empty() && usize::from(body[0]) == body.len() - 1,
        _ => true,
    };
    let tls12_only = [
        T::EcPointFormats,
        T::ExtendedMasterSecret,
        T::RenegotiationInfo,
    ];
    let malformed = tls12_only
        .iter()
        .any(|&typ| ext(typ).is_some_and(|body| !tls12_body_ok(typ, body)));
    assert_eq!(hello.check_tls12_extensions().is_err(), malformed);
    let ext = |typ: T| ext(typ).filter(|body| tls12_body_ok(typ, body));

    // Vectors with a length prefix.
    for (typ, inner, prefix) in [
        (T::EcPointFormats, hello.ec_point_formats(), 1),
        (T::PskKeyExchangeModes, hello.psk_key_exchange_modes(), 1),
        (T::RenegotiationInfo, hello.renegotiation_info(), 1),
        (T::Cookie, hello.cookie(), 2),
    ] {
        if let Some(inner) = present(ext(typ), inner) {
            prefixed(ext(typ), inner, prefix);
            fp.bytes(inner);
        }
    }
    // Bodies handed out whole.
    for (typ, whole) in [
        (T::Padding, hello.padding()),
        (T::SessionTicket, hello.session_ticket()),
        (T::StatusRequestV2, hello.status_request_v2()),
    ] {
        if let Some(whole) = present(ext(typ), whole) {
            assert_eq!(ext(typ), Some(whole));
            fp.bytes(whole);
        }
    }
    // Flags, whose ClientHello bodies are empty.
    for (typ, flag) in [
        (T::EarlyData, hello.early_data()),
        (T::ExtendedMasterSecret, hello.extended_master_secret()),
    ] {
        assert_eq!(flag, ext(typ).is_some(), "{typ}");
        if flag {
            assert_eq!(ext(typ), Some(&[][..]), "{typ}");
        }
        fp.bool(flag);
    }
}

/// Checks that a typed accessor is `Some` exactly when its extension is there.
fn present<T>(raw: Option<&[u8]>, typed: Option<T>) -> Option<T> {
    assert_eq!(raw.is_some(), typed.is_some());
    typed
}

/// Checks that `ext_body` is `inner` behind a big-endian length of `prefix`
/// bytes.
fn prefixed(ext_body: Option<&[u8]>, inner: &[u8], prefix: usize) {
    let ext_body = ext_body.expect("checked by present()");
    assert_eq!(ext_body.len(), prefix + inner.len());
    let (len, rest) = ext_body.split_at(prefix);
    let len = len
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    assert_eq!(len, inner.len());
    assert_eq!(rest, inner);
}

/// Iterates a list two ways; returns how many values were not GREASE.
fn u16_list(fp: &mut Fingerprint, list: U16List<'_>) -> usize {
    let raw = list.raw();
    assert_eq!(raw.len() % 2, 0);
    let mut count = 0;
    let mut iter = list.iter();
    for (i, pair) in raw.chunks_exact(2).enumerate() {
        let value = u16::from_be_bytes([pair[0], pair[1]]);
        let look_up = i < LOOKUPS;
        if is_grease(value) {
            assert!(!(look_up && list.contains(value)));
            continue;
        }
        assert_eq!(iter.next(), Some(value));
        assert!(!look_up || list.contains(value));
        fp.u16(value);
        count += 1;
    }
    assert_eq!(iter.next(), None);
    assert_eq!(list.into_iter().count(), count);
    count
}

fn server_names(fp: &mut Fingerprint, names: ServerNames<'_>, ext_body: Option<&[u8]>) {
    let mut len = 2;
    let mut first_host = None;
    let mut types = [false; 256];
    for (name_type, name) in names.iter() {
        assert!(!name.is_empty());
        assert!(
            !types[usize::from(name_type)],
            "name type {name_type} twice"
        );
        types[usize::from(name_type)] = true;
        if name_type == stapler::codec::NAME_TYPE_HOST_NAME && first_host.is_none() {
            first_host = Some(name);
        }
        fp.u8(name_type);
        fp.bytes(name);
        len += 3 + name.len();
    }
    assert_eq!(names.host_name(), first_host);
    assert_eq!(ext_body.map(<[u8]>::len), Some(len));
}

fn key_shares(fp: &mut Fingerprint, shares: KeyShares<'_>, ext_body: Option<&[u8]>) {
    let mut len = 2;
    for (i, entry) in shares.iter().enumerate() {
        assert!(!is_grease(entry.group));
        assert!(!entry.key_exchange.is_empty());
        if i < LOOKUPS {
            assert_eq!(shares.find(entry.group), Some(entry));
        }
        fp.u16(entry.group);
        fp.bytes(entry.key_exchange);
        len += 4 + entry.key_exchange.len();
    }
    // iter() skips GREASE groups; find() does not, so count them here.
    for grease in (0..16u16).map(|i| (i << 12) | (i << 4) | 0x0a0a) {
        if let Some(entry) = shares.find(grease) {
            assert_eq!(entry.group, grease);
            len += 4 + entry.key_exchange.len();
        }
    }
    assert_eq!(ext_body.map(<[u8]>::len), Some(len));
}

fn protocol_names(fp: &mut Fingerprint, names: ProtocolNames<'_>, ext_body: Option<&[u8]>) {
    let mut len = 2;
    for (i, name) in names.iter().enumerate() {
        assert!(!name.is_empty());
        assert!(i >= LOOKUPS || names.contains(name));
        fp.bytes(name);
        len += 1 + name.len();
    }
    assert_eq!(ext_body.map(<[u8]>::len), Some(len));
}

fn status_request(fp: &mut Fingerprint, status: StatusRequest<'_>, ext_body: Option<&[u8]>) {
    assert_eq!(Some(status.raw()), ext_body);
    fp.u8(status.status_type());
    fp.bytes(status.raw());
    assert_eq!(
        status.ocsp().is_some(),
        status.status_type() == stapler::codec::STATUS_TYPE_OCSP
    );
    let Some(ocsp) = status.ocsp() else {
        return;
    };
    let mut ids_len = 0;
    for id in ocsp.responder_ids() {
        let item = der::single_item(id, Field::Extension(ExtensionType::StatusRequest))
            .expect("a parsed responder ID is one DER item");
        assert_eq!(item.encoded, id);
        fp.bytes(id);
        ids_len += 2 + id.len();
    }
    assert_eq!(ids_len, ocsp.raw_responder_ids().len());

    let raw_extensions = ocsp.raw_request_extensions();
    let mut extensions_len = 0;
    for extension in ocsp.request_extensions() {
        assert!(der::split_item(extension).is_some_and(|(_, rest)| rest.is_empty()));
        fp.bytes(extension);
        extensions_len += extension.len();
    }
    match der::split_item(raw_extensions) {
        Some((seq, rest)) => {
            assert!(rest.is_empty());
            assert_eq!(seq.tag, der::SEQUENCE);
            assert_eq!(seq.contents.len(), extensions_len);
        }
        None => {
            assert!(raw_extensions.is_empty());
            assert_eq!(extensions_len, 0);
        }
    }
    // type, responder_id_list, request_extensions
    assert_eq!(
        status.raw().len(),
        1 + 2 + ids_len + 2 + raw_extensions.len()
    );
}

/// Deterministic chunk sizes from one seed byte: a small LCG (the constants
/// of Numerical Recipes), so a crash replays exactly.
struct ChunkSizes {
    state: u32,
    max: usize,
}

impl ChunkSizes {
    fn new(seed: u8) -> Self {
        Self {
            state: u32::from(seed >> 4),
            max: MAX_CHUNKS[usize::from(seed & 7)],
        }
    }
}

impl Iterator for ChunkSizes {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        self.state = self
            .state
            .wrapping_mul(1_664_525)
            .wrapping_add(1_013_904_223);
        let r = usize::try_from(self.state >> 8).unwrap_or(0);
        Some(1 + r % self.max)
    }
}

/// FNV-1a, 64-bit: a hash of everything the accessors returned, so that no
/// accessor call can be optimised away and two passes can be compared
/// cheaply. Also a `fmt::Write` sink, so `Display` runs without allocating.
#[derive(Clone, Copy, Debug)]
struct Fingerprint(u64);

impl Fingerprint {
    const fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn u8(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn u16(&mut self, v: u16) {
        v.to_be_bytes().into_iter().for_each(|b| self.u8(b));
    }

    fn u32(&mut self, v: u32) {
        v.to_be_bytes().into_iter().for_each(|b| self.u8(b));
    }

    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// Length first, so that `["ab", "c"]` and `["a", "bc"]` differ.
    fn bytes(&mut self, bytes: &[u8]) {
        self.u32(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
        bytes.iter().for_each(|&b| self.u8(b));
    }
}

impl fmt::Write for Fingerprint {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(|b| self.u8(b));
        Ok(())
    }
}
