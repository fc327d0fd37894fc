//! status_request (RFC 6066 §8), its OCSP request's DER included, and the
//! framing of status_request_v2 (RFC 6961 §2.2).

use stapler::codec::ClientHello;

use super::common::hello_encoder::{
    cat, der, ocsp_nonce_extension, u16_prefixed, DER_OCTET_STRING, DER_SEQUENCE,
};
use super::{
    bad_der, bad_length, extension_decode_error, ocsp_status_request_body, responder_id, trailing,
    truncated, with_extension,
};

use stapler::codec::ExtensionType as T;

// ---------------------------------------------------------------------------
// status_request (RFC 6066 §8)

#[test]
fn status_request_empty_body() {
    extension_decode_error(T::StatusRequest, vec![], truncated(T::StatusRequest));
}

#[test]
fn status_request_truncated_after_status_type() {
    extension_decode_error(T::StatusRequest, vec![1], truncated(T::StatusRequest));
}

#[test]
fn status_request_truncated_responder_id_list_length() {
    extension_decode_error(T::StatusRequest, vec![1, 0], truncated(T::StatusRequest));
}

#[test]
fn status_request_missing_request_extensions() {
    extension_decode_error(T::StatusRequest, vec![1, 0, 0], truncated(T::StatusRequest));
}

#[test]
fn status_request_truncated_responder_id() {
    // The list holds one ResponderID whose 2-byte length says 22, but only
    // 10 bytes follow inside the list.
    let list = cat([vec![0, 22], responder_id()[..10].to_vec()]);
    extension_decode_error(
        T::StatusRequest,
        cat([vec![1], u16_prefixed(&list), vec![0, 0]]),
        truncated(T::StatusRequest),
    );
}

#[test]
fn status_request_truncated_request_extensions() {
    extension_decode_error(
        T::StatusRequest,
        vec![1, 0, 0, 0, 5, 0x30, 0x03],
        truncated(T::StatusRequest),
    );
}

#[test]
fn status_request_trailing_bytes() {
    let mut body = ocsp_status_request_body(&[], &[]);
    body.push(0xff);
    extension_decode_error(T::StatusRequest, body, trailing(T::StatusRequest));
}

#[test]
fn status_request_responder_id_of_two_der_items() {
    let two = cat([responder_id(), der(DER_OCTET_STRING, &[1])]);
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[&responder_id(), &two], &[]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_responder_id_with_truncated_der() {
    // OCTET STRING whose DER length says 5; one content byte follows.
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[&[0x04, 0x05, 0xaa]], &[]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_empty_responder_id() {
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[&[]], &[]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_responder_id_with_indefinite_length() {
    // BER's indefinite form is not DER.
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[&[0xa2, 0x80, 0x04, 0x00, 0x00, 0x00]], &[]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_request_extensions_not_a_sequence() {
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[], &der(DER_OCTET_STRING, &[0x30, 0x00])),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_request_extensions_bad_der_inside() {
    // SEQUENCE { SEQUENCE of length 5 with one byte of contents }.
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[], &[0x30, 0x03, 0x30, 0x05, 0x00]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_request_extensions_two_sequences() {
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[], &[0x30, 0x00, 0x30, 0x00]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_request_extensions_non_minimal_length() {
    // Long-form length for 2 bytes of contents.
    extension_decode_error(
        T::StatusRequest,
        ocsp_status_request_body(&[], &[0x30, 0x81, 0x02, 0x05, 0x00]),
        bad_der(T::StatusRequest),
    );
}

#[test]
fn status_request_ocsp_with_responder_ids_and_nonce_parses() {
    let nonce = ocsp_nonce_extension(false, &[9; 16]);
    let exts = der(DER_SEQUENCE, &nonce);
    let body = ocsp_status_request_body(&[&responder_id()], &exts);
    let encoded = with_extension(T::StatusRequest, body).encode();
    let hello = ClientHello::parse(&encoded).unwrap();
    assert!(hello.requests_ocsp());
    let ocsp = hello.status_request().unwrap().ocsp().unwrap();
    assert_eq!(
        ocsp.responder_ids().collect::<Vec<_>>(),
        [&responder_id()[..]]
    );
    assert_eq!(ocsp.request_extensions().collect::<Vec<_>>(), [&nonce[..]]);
    assert_eq!(ocsp.raw_request_extensions(), &exts[..]);
}

#[test]
fn status_request_of_another_type_is_kept_raw() {
    let encoded = with_extension(T::StatusRequest, vec![2, 0xde, 0xad]).encode();
    let hello = ClientHello::parse(&encoded).unwrap();
    let sr = hello.status_request().unwrap();
    assert_eq!(
        (sr.status_type(), sr.ocsp(), sr.raw()),
        (2, None, &[2, 0xde, 0xad][..])
    );
    assert!(!hello.requests_ocsp());
}

// ---------------------------------------------------------------------------
// status_request_v2 (RFC 6961 §2.2): framing only

#[test]
fn status_request_v2_empty_list() {
    extension_decode_error(
        T::StatusRequestV2,
        u16_prefixed(&[]),
        bad_length(T::StatusRequestV2),
    );
}

#[test]
fn status_request_v2_item_without_request_length() {
    extension_decode_error(
        T::StatusRequestV2,
        u16_prefixed(&[2]),
        truncated(T::StatusRequestV2),
    );
}

#[test]
fn status_request_v2_truncated_request() {
    extension_decode_error(
        T::StatusRequestV2,
        u16_prefixed(&[2, 0, 5, 0, 0]),
        truncated(T::StatusRequestV2),
    );
}

#[test]
fn status_request_v2_trailing_bytes() {
    let mut body = u16_prefixed(&[2, 0, 4, 0, 0, 0, 0]);
    body.push(9);
    extension_decode_error(T::StatusRequestV2, body, trailing(T::StatusRequestV2));
}
