//! What a response says and for how long: good, revoked and unknown
//! statuses, and freshness against nextUpdate, thisUpdate and the skew.

use stapler::ocsp::{
    CertStatus, OcspError, ResponderId, RevocationReason, Signer, VerifyOptions, DEFAULT_CLOCK_SKEW,
};

use super::{ca, cert, leaf, now_for, parse, read, times, verify};

// ---------------------------------------------------------------- status

#[test]
fn good_response_signed_by_the_issuer() {
    let response = parse("good.der");
    let t = times("good.der");
    assert_eq!(response.produced_at(), t.produced_at);
    assert_eq!(
        response.responder_id(),
        &ResponderId::ByName(ca().subject().to_vec().into())
    );
    assert!(response.responder_id().matches(&ca()));
    // openssl includes the signer's certificate by default.
    assert_eq!(response.certificates(), [ca().der().clone()]);
    assert_eq!(response.responses().len(), 1);
    assert_eq!(response.nonce(), None);
    assert_eq!(response.der().as_ref(), read("good.der"));

    let verified = response
        .verify(&leaf(), &ca(), now_for("good.der"), &VerifyOptions::new())
        .unwrap();
    assert_eq!(verified.status, CertStatus::Good);
    assert_eq!(verified.this_update, t.this_update);
    assert_eq!(verified.next_update, t.next_update);
    assert_eq!(verified.valid_until, t.next_update.unwrap());
    assert_eq!(verified.produced_at, t.produced_at);
    assert_eq!(verified.signer, Signer::Issuer);
}

#[test]
fn revoked_with_time_and_reason() {
    let leaf = cert("leaf-revoked");
    let verified = verify("revoked.der", &leaf, &VerifyOptions::new()).unwrap();
    let t = times("revoked.der");
    assert_eq!(
        t.revocation_time,
        Some(1_767_225_600),
        "index.txt says 2026-01-01"
    );
    assert_eq!(
        verified.status,
        CertStatus::Revoked {
            time: 1_767_225_600,
            reason: Some(RevocationReason::KeyCompromise)
        }
    );
    // The good leaf is not in this response.
    assert_eq!(
        verify("revoked.der", &self::leaf(), &VerifyOptions::new()),
        Err(OcspError::CertIdNotFound)
    );
}

#[test]
fn unknown_status() {
    let verified = verify("unknown.der", &cert("leaf-unknown"), &VerifyOptions::new()).unwrap();
    assert_eq!(verified.status, CertStatus::Unknown);
}

// ---------------------------------------------------------------- freshness

#[test]
fn expired_at_next_update() {
    let response = parse("good.der");
    let next_update = times("good.der").next_update.unwrap();
    let options = VerifyOptions::new();
    assert!(response
        .verify(&leaf(), &ca(), next_update - 1, &options)
        .is_ok());
    assert_eq!(
        response.verify(&leaf(), &ca(), next_update, &options),
        Err(OcspError::Expired {
            valid_until: next_update
        })
    );
    assert_eq!(
        response.verify(&leaf(), &ca(), u64::MAX, &options),
        Err(OcspError::Expired {
            valid_until: next_update
        })
    );
}

#[test]
fn not_yet_valid_before_this_update_less_the_skew() {
    let response = parse("good.der");
    let this_update = times("good.der").this_update;
    let default = VerifyOptions::new();
    let earliest = this_update - DEFAULT_CLOCK_SKEW;
    assert!(response.verify(&leaf(), &ca(), earliest, &default).is_ok());
    assert_eq!(
        response.verify(&leaf(), &ca(), earliest - 1, &default),
        Err(OcspError::NotYetValid { this_update })
    );
    assert_eq!(
        response.verify(&leaf(), &ca(), 0, &default),
        Err(OcspError::NotYetValid { this_update })
    );
    let strict = VerifyOptions::new().clock_skew(0);
    assert!(response
        .verify(&leaf(), &ca(), this_update, &strict)
        .is_ok());
    assert_eq!(
        response.verify(&leaf(), &ca(), this_update - 1, &strict),
        Err(OcspError::NotYetValid { this_update })
    );
}

#[test]
fn missing_next_update_is_refused_unless_a_max_age_is_given() {
    let response = parse("good-no-next-update.der");
    let this_update = times("good-no-next-update.der").this_update;
    assert_eq!(times("good-no-next-update.der").next_update, None);
    assert_eq!(response.responses()[0].next_update(), None);
    let now = this_update + 60;
    assert_eq!(
        response.verify(&leaf(), &ca(), now, &VerifyOptions::new()),
        Err(OcspError::NoNextUpdate)
    );
    let lenient = VerifyOptions::new().max_age_without_next_update(3600);
    let verified = response.verify(&leaf(), &ca(), now, &lenient).unwrap();
    assert_eq!(
        (verified.next_update, verified.valid_until),
        (None, this_update + 3600)
    );
    assert_eq!(
        response.verify(&leaf(), &ca(), this_update + 3600, &lenient),
        Err(OcspError::Expired {
            valid_until: this_update + 3600
        })
    );
}
