//! Unit tests of `extensions.rs`, kept beside it so that the module itself
//! reads on its own.

use super::*;

/// Checks a status_request body and builds its view, as the hello does.
fn parse_status_request(body: &[u8]) -> Result<StatusRequest<'_>, InvalidMessage> {
    StatusRequest::check(body)
        .map(|()| StatusRequest::from_checked(body))
        .map_err(|m| m.in_extension(ExtensionType::StatusRequest, body))
}

#[test]
fn grease_values() {
    let grease: Vec<u16> = (0..=u16::MAX).filter(|&v| is_grease(v)).collect();
    assert_eq!(grease.len(), 16);
    assert_eq!(grease[0], 0x0a0a);
    assert_eq!(grease[15], 0xfafa);
    assert!(!is_grease(0x0a1a));
}

#[test]
fn u16_list_skips_grease() {
    let raw = [0x0a, 0x0a, 0x13, 0x01, 0xfa, 0xfa, 0x13, 0x02];
    let list = U16List::from_checked(&raw);
    assert_eq!(list.iter().collect::<Vec<_>>(), [0x1301, 0x1302]);
    assert!(list.contains(0x1302) && !list.contains(0x0a0a));
    let body = [0, 3, 0x13, 0x01, 0x13];
    assert_eq!(
        check_u16_list_u16(&body, 2, 0xffff),
        Err(Malformed::BadLength)
    );
}

#[test]
fn status_request_ocsp_with_responder_ids_and_extensions() {
    // responder_id_list: one byKey ResponderID ([2] { OCTET STRING(2) }).
    let rid = [0xa2, 0x04, 0x04, 0x02, 0xab, 0xcd];
    // request_extensions: SEQUENCE { Extension { OID 1.3.6.1.5.5.7.48.1.2, OCTET STRING } }
    let ext = [
        0x30, 0x0f, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02, 0x04, 0x02,
        0x04, 0x00,
    ];
    let mut body = vec![1, 0, 8, 0, 6];
    body.extend(rid);
    body.extend((ext.len() as u16 + 2).to_be_bytes());
    body.extend([0x30, ext.len() as u8]);
    body.extend(ext);
    let sr = parse_status_request(&body).unwrap();
    let ocsp = sr.ocsp().unwrap();
    assert_eq!(ocsp.responder_ids().collect::<Vec<_>>(), [&rid[..]]);
    assert_eq!(ocsp.request_extensions().collect::<Vec<_>>(), [&ext[..]]);
    assert_eq!(sr.raw(), &body[..]);

    // A responder ID that is not one DER item.
    let mut bad = body.clone();
    bad[6] = 0x05;
    assert_eq!(
        parse_status_request(&bad),
        Err(InvalidMessage::BadDer(Field::Extension(
            ExtensionType::StatusRequest
        )))
    );
}

#[test]
fn status_request_of_another_type_is_kept_raw() {
    let sr = parse_status_request(&[7, 1, 2, 3]).unwrap();
    assert_eq!(
        (sr.status_type(), sr.ocsp(), sr.raw()),
        (7, None, &[7, 1, 2, 3][..])
    );
}
