//! Property tests for [`ClientHello::parse`].
//!
//! a. Round trip: a generated, valid [`HelloModel`] (encoded by the test
//!    encoder in `tests/common/hello_encoder.rs`, not by the crate) parses,
//!    and every accessor returns exactly the model's values.
//! b. Robustness on real captures (`tests/data/client_hello/*.bin`): every
//!    truncation and every single-byte corruption of each hello body either
//!    parses (and then the view is self-consistent) or fails with
//!    decode_error or illegal_parameter. Never a panic.
//! c. Resource bounds: the largest inputs are still judged correctly (their
//!    cost is measured in benches/client_hello.rs).

#[path = "client_hello_proptest/captures.rs"]
mod captures;
mod common;
#[path = "client_hello_proptest/invariants.rs"]
mod invariants;
#[path = "client_hello_proptest/resource_bounds.rs"]
mod resource_bounds;
#[path = "client_hello_proptest/round_trip.rs"]
mod round_trip;
#[path = "client_hello_proptest/strategies.rs"]
mod strategies;

use common::hello_encoder::{StatusRequestModel, MODELLED_TYPES};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use stapler::codec::{
    split_handshake, split_record, AlertDescription, ClientHello, HandshakeType, MAX_PLAINTEXT_LEN,
};

use captures::captures;
use invariants::{check_corrupted, check_invariants, check_truncation, extensions_offset};
use round_trip::check_round_trip;
use strategies::hello_model;

use common::hello_encoder::ExtensionModel as E;

// ===========================================================================
// Captures

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Any single-byte corruption of a capture's hello body.
    #[test]
    fn corrupted_capture_parses_or_fails_with_decode_error_or_illegal_parameter(
        file in any::<Index>(),
        at in any::<Index>(),
        xor in 1u8..=255,
    ) {
        let c = file.get(captures());
        let mut body = c.body().to_vec();
        let at = at.index(body.len());
        body[at] ^= xor;
        check_corrupted(&body)?;
    }

    /// A random truncation of a capture (the exhaustive test covers all;
    /// this one shrinks to a readable counterexample if that ever fails).
    #[test]
    fn truncated_capture_fails_except_before_extensions_block(file in any::<Index>(), cut in any::<Index>()) {
        let body = file.get(captures()).body();
        check_truncation(body, extensions_offset(body), cut.index(body.len()))?;
    }

    /// Corruption anywhere in the record, headers included, through the
    /// whole pipeline: record and handshake errors add their own alerts.
    #[test]
    fn corrupted_capture_record_through_framing(
        file in any::<Index>(),
        at in any::<Index>(),
        xor in 1u8..=255,
    ) {
        let mut rec = file.get(captures()).record.clone();
        let at = at.index(rec.len());
        rec[at] ^= xor;
        let outcome = split_record(&rec, MAX_PLAINTEXT_LEN).and_then(|r| match r {
            Some((record, _)) => split_handshake(record.fragment).and_then(|m| match m {
                Some((m, _)) if m.typ == HandshakeType::ClientHello => {
                    ClientHello::parse(m.body).map(|h| Some(h.body().len()))
                }
                _ => Ok(None),
            }),
            None => Ok(None),
        });
        if let Err(e) = outcome {
            prop_assert!(
                matches!(
                    e.alert(),
                    AlertDescription::DecodeError
                        | AlertDescription::IllegalParameter
                        | AlertDescription::UnexpectedMessage
                        | AlertDescription::ProtocolVersion
                        | AlertDescription::RecordOverflow
                ),
                "{:?} gives {:?}", e, e.alert()
            );
        }
    }
}

// ===========================================================================
// Generated hellos

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A valid model parses and every accessor returns the model's values.
    #[test]
    fn generated_hello_round_trips(model in hello_model()) {
        let body = model.encode();
        let hello = match ClientHello::parse(&body) {
            Ok(h) => h,
            Err(e) => return Err(TestCaseError::fail(format!("refused: {e:?}"))),
        };
        prop_assert_eq!(hello.body(), &body[..]);
        check_round_trip(&hello, &model)?;
        check_invariants(&hello, &body)?;
    }

    /// The same model wrapped in a record and a handshake header comes out
    /// of the crate's framing unchanged.
    #[test]
    fn generated_hello_passes_framing(model in hello_model()) {
        let rec = model.builder().record();
        prop_assume!(rec.len() - 5 <= MAX_PLAINTEXT_LEN);
        let (record, used) = split_record(&rec, MAX_PLAINTEXT_LEN)?.unwrap();
        prop_assert_eq!(used, rec.len());
        let (message, _) = split_handshake(record.fragment)?.unwrap();
        prop_assert_eq!(message.typ, HandshakeType::ClientHello);
        prop_assert_eq!(message.body, &model.encode()[..]);
    }

    /// Any truncation of a generated hello fails, except the cut right
    /// before its extensions block.
    #[test]
    fn generated_hello_truncation_fails_except_before_extensions_block(model in hello_model(), cut in any::<Index>()) {
        let body = model.encode();
        let ext_start = model.builder().offsets().extensions;
        check_truncation(&body, ext_start, cut.index(body.len()))?;
    }

    /// Any single-byte corruption of a generated hello.
    #[test]
    fn generated_hello_corruption(
        model in hello_model(),
        at in any::<Index>(),
        xor in 1u8..=255,
    ) {
        let mut body = model.encode();
        let at = at.index(body.len());
        body[at] ^= xor;
        check_corrupted(&body)?;
    }
}

/// The generator reaches every kind of extension, PSK included, and both
/// forms of status_request, so the round trip above covers them all.
#[test]
fn generator_covers_every_extension_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = hello_model();
    let mut seen = std::collections::BTreeSet::new();
    let (mut no_block, mut grease, mut unknown, mut ocsp, mut other_status) = (0, 0, 0, 0, 0);
    for _ in 0..300 {
        let model = strategy.new_tree(&mut runner).unwrap().current();
        no_block += usize::from(model.extensions.is_none());
        for e in model.extensions() {
            match e {
                E::Grease(..) => grease += 1,
                E::Unknown(..) => unknown += 1,
                E::StatusRequest(StatusRequestModel::Ocsp { .. }) => ocsp += 1,
                E::StatusRequest(StatusRequestModel::Other { .. }) => other_status += 1,
                _ => {}
            }
            if MODELLED_TYPES.contains(&e.extension_type()) {
                seen.insert(e.typ());
            }
        }
    }
    assert_eq!(seen.len(), MODELLED_TYPES.len(), "kinds seen: {seen:?}");
    for (what, count) in [
        ("no extensions block", no_block),
        ("GREASE extensions", grease),
        ("unknown extensions", unknown),
        ("status_request ocsp", ocsp),
        ("status_request other", other_status),
    ] {
        assert!(count > 0, "no {what} in 300 models");
    }
}
