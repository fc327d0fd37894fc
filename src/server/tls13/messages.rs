//! Encoders for the messages a TLS 1.3 server sends (RFC 8446 §4).
//!
//! Each function appends one complete handshake message (header included)
//! to `out` and returns its range, which the caller adds to the transcript;
//! or, when a vector does not fit its length prefix, appends nothing and
//! says so (see [`crate::codec::writer`]).

use core::ops::Range;

use crate::codec::writer::{
    put_extension, put_handshake, put_opaque, put_u16, put_u8, put_vec, Prefix,
};
use crate::codec::{ExtensionType, HandshakeType, RECORD_HEADER_LEN, STATUS_TYPE_OCSP};
use crate::crypto::key_exchange::NamedGroup;
use crate::crypto::suites::MAX_HASH_LEN;
use crate::error::LengthOverflow;
use crate::server::hello::TLS13;

/// ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest")
/// (RFC 8446 §4.1.3).
pub(crate) const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// What a ServerHello (or HelloRetryRequest) says.
pub(crate) struct ServerHello<'a> {
    pub(crate) random: &'a [u8; 32],
    pub(crate) session_id: &'a [u8],
    pub(crate) suite: u16,
    /// What key_share says.
    pub(crate) key_share: KeyShareField<'a>,
    /// The PSK identity accepted, when the handshake resumes (RFC 8446
    /// §4.2.11: pre_shared_key's selected_identity).
    pub(crate) psk: Option<u16>,
}

/// A ServerHello's key_share (RFC 8446 §4.2.8).
pub(crate) enum KeyShareField<'a> {
    /// The server's share in a group: a ServerHello with (EC)DHE.
    Share { group: u16, share: &'a [u8] },
    /// The group alone: a HelloRetryRequest asking for a share in it.
    Retry { group: u16 },
    /// No key_share: a ServerHello resuming with psk_ke (§4.2.9).
    Omitted,
}

/// ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4).
pub(crate) fn server_hello(
    out: &mut Vec<u8>,
    sh: &ServerHello<'_>,
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::ServerHello, |out| {
        put_u16(out, 0x0303); // legacy_version
        out.extend_from_slice(sh.random);
        put_opaque(out, Prefix::U8, sh.session_id)?;
        put_u16(out, sh.suite);
        put_u8(out, 0); // legacy_compression_method
        put_vec(out, Prefix::U16, |out| {
            put_extension(out, ExtensionType::SupportedVersions, |out| {
                put_u16(out, TLS13);
                Ok(())
            })?;
            match sh.key_share {
                KeyShareField::Share { group, share } => {
                    put_extension(out, ExtensionType::KeyShare, |out| {
                        put_u16(out, group);
                        put_opaque(out, Prefix::U16, share)
                    })?;
                }
                KeyShareField::Retry { group } => {
                    put_extension(out, ExtensionType::KeyShare, |out| {
                        put_u16(out, group);
                        Ok(())
                    })?;
                }
                KeyShareField::Omitted => {}
            }
            match sh.psk {
                Some(index) => put_extension(out, ExtensionType::PreSharedKey, |out| {
                    put_u16(out, index);
                    Ok(())
                }),
                None => Ok(()),
            }
        })
    })
}

/// EncryptedExtensions (RFC 8446 §4.3.1): the selected ALPN protocol, and an
/// empty server_name when the certificate was chosen by SNI (RFC 6066 §3).
///
/// `groups`, when not empty, is sent as supported_groups: the server's
/// groups in its order of preference, which RFC 8446 §4.2.7 says a server
/// SHOULD send when it prefers a group to the one the client's share was
/// for, so that the client can send that share next time.
pub(crate) fn encrypted_extensions(
    out: &mut Vec<u8>,
    alpn: Option<&[u8]>,
    sni_ack: bool,
    groups: &[NamedGroup],
    record_size_limit: Option<u16>,
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::EncryptedExtensions, |out| {
        put_vec(out, Prefix::U16, |out| {
            // RFC 8449 §4: the server's own limit, in EncryptedExtensions.
            if let Some(limit) = record_size_limit {
                put_extension(out, ExtensionType::RecordSizeLimit, |out| {
                    put_u16(out, limit);
                    Ok(())
                })?;
            }
            if sni_ack {
                put_extension(out, ExtensionType::ServerName, |_| Ok(()))?;
            }
            if !groups.is_empty() {
                put_extension(out, ExtensionType::SupportedGroups, |out| {
                    put_vec(out, Prefix::U16, |out| {
                        groups.iter().for_each(|g| put_u16(out, g.to_wire()));
                        Ok(())
                    })
                })?;
            }
            match alpn {
                Some(protocol) => put_extension(
                    out,
                    ExtensionType::ApplicationLayerProtocolNegotiation,
                    |out| {
                        put_vec(out, Prefix::U16, |out| {
                            put_opaque(out, Prefix::U8, protocol)
                        })
                    },
                ),
                None => Ok(()),
            }
        })
    })
}

/// Certificate (RFC 8446 §4.4.2), with the OCSP staple, if any, in the
/// status_request extension of the leaf's CertificateEntry (§4.4.2.1). A
/// staple over [`MAX_STAPLE_LEN_TLS13`](crate::ocsp::MAX_STAPLE_LEN_TLS13)
/// bytes does not fit the entry's extensions block: the caller refuses it
/// first, and here it would be a [`LengthOverflow`].
pub(crate) fn certificate(
    out: &mut Vec<u8>,
    chain: &[bytes::Bytes],
    staple: Option<&[u8]>,
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::Certificate, |out| {
        put_opaque(out, Prefix::U8, &[])?; // certificate_request_context
        put_vec(out, Prefix::U24, |out| {
            for (i, cert) in chain.iter().enumerate() {
                put_opaque(out, Prefix::U24, cert)?;
                put_vec(out, Prefix::U16, |out| match (i, staple) {
                    (0, Some(response)) => {
                        put_extension(out, ExtensionType::StatusRequest, |out| {
                            // CertificateStatus { status_type; OCSPResponse<1..2^24-1> }
                            put_u8(out, STATUS_TYPE_OCSP);
                            put_opaque(out, Prefix::U24, response)
                        })
                    }
                    _ => Ok(()),
                })?;
            }
            Ok(())
        })
    })
}

/// CertificateVerify (RFC 8446 §4.4.3).
pub(crate) fn certificate_verify(
    out: &mut Vec<u8>,
    scheme: u16,
    signature: &[u8],
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::CertificateVerify, |out| {
        put_u16(out, scheme);
        put_opaque(out, Prefix::U16, signature)
    })
}

/// Finished (RFC 8446 §4.4.4).
pub(crate) fn finished(
    out: &mut Vec<u8>,
    verify_data: &[u8],
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::Finished, |out| {
        out.extend_from_slice(verify_data);
        Ok(())
    })
}

/// An upper bound on the bytes of the server's first flight as it goes on
/// the wire: ServerHello in its record, the compatibility
/// change_cipher_spec record, and EncryptedExtensions through Finished in
/// one protected record (content type byte and a 16-byte AEAD tag, RFC 8446
/// §5.2). The output is reserved once with it, so the flight is written
/// without growing the buffer.
pub(crate) fn first_flight_len_bound(
    share_len: usize,
    chain: &[bytes::Bytes],
    staple: Option<&[u8]>,
    alpn: Option<&[u8]>,
    groups: &[NamedGroup],
    max_signature_len: usize,
) -> usize {
    // Handshake header 4; version 2, random 32, session id 1 + 32, suite
    // 2, compression 1, extensions 2; supported_versions 4 + 2; key_share
    // 4 + 2 + 2, and the share.
    const SERVER_HELLO: usize = 4 + 2 + 32 + 33 + 2 + 1 + 2 + 6 + 8;
    const CCS: usize = RECORD_HEADER_LEN + 1;
    const PROTECTION: usize = 1 + 16;
    // Header 4, extensions 2, an empty server_name 4, ALPN 4 + 2 + 1.
    const EE: usize = 4 + 2 + 4 + 7;
    // Header 4, context 1, list 3; per entry 3 + 2; the staple's
    // extension 4, status_type 1, length 3.
    const CERTIFICATE: usize = 4 + 1 + 3;
    const ENTRY: usize = 3 + 2;
    const STAPLE: usize = 4 + 1 + 3;
    // Header 4, scheme 2, length 2; Finished: header 4, verify_data.
    const CV_AND_FINISHED: usize = 4 + 2 + 2 + 4 + MAX_HASH_LEN;
    let certificates: usize = chain.iter().map(|c| ENTRY + c.len()).sum();
    let staple = staple.map_or(0, |s| STAPLE + s.len());
    RECORD_HEADER_LEN
        + SERVER_HELLO
        + share_len
        + CCS
        + RECORD_HEADER_LEN
        + EE
        + alpn.map_or(0, <[u8]>::len)
        + if groups.is_empty() {
            0
        } else {
            4 + 2 + 2 * groups.len()
        }
        + CERTIFICATE
        + certificates
        + staple
        + CV_AND_FINISHED
        + max_signature_len
        + PROTECTION
}

/// NewSessionTicket (RFC 8446 §4.6.1), without extensions: no early
/// data is ever accepted, so none is offered.
/// `ticket` writes the ticket where it goes, so that it is sealed in place.
pub(crate) fn new_session_ticket(
    out: &mut Vec<u8>,
    lifetime: u32,
    age_add: u32,
    nonce: &[u8],
    ticket: impl FnOnce(&mut Vec<u8>),
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::NewSessionTicket, |out| {
        out.extend_from_slice(&lifetime.to_be_bytes());
        out.extend_from_slice(&age_add.to_be_bytes());
        put_opaque(out, Prefix::U8, nonce)?;
        put_vec(out, Prefix::U16, |out| {
            ticket(out);
            Ok(())
        })?;
        put_vec(out, Prefix::U16, |_| Ok(()))
    })
}

/// KeyUpdate (RFC 8446 §4.6.3).
pub(crate) fn key_update(
    out: &mut Vec<u8>,
    update_requested: bool,
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::KeyUpdate, |out| {
        put_u8(out, u8::from(update_requested));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrr_random_is_sha256_of_its_name() {
        let digest = ring::digest::digest(&ring::digest::SHA256, b"HelloRetryRequest");
        assert_eq!(digest.as_ref(), &HRR_RANDOM);
    }

    #[test]
    fn encrypted_extensions_carry_the_record_size_limit_answer() {
        let mut out = Vec::new();
        encrypted_extensions(&mut out, None, true, &[], Some(16385)).unwrap();
        let expected: &[u8] = &[
            8, 0, 0, 12, // EncryptedExtensions, length 12
            0, 10, // extensions
            0, 28, 0, 2, 0x40, 0x01, // record_size_limit: 2^14 + 1
            0, 0, 0, 0, // server_name, empty (the SNI acknowledgement)
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn staple_goes_on_the_leaf_only() {
        let chain = [
            bytes::Bytes::from_static(b"LEAF"),
            bytes::Bytes::from_static(b"CA"),
        ];
        let mut out = Vec::new();
        certificate(&mut out, &chain, Some(b"RESP")).unwrap();
        let expected: &[u8] = &[
            11, 0, 0, 32, // Certificate, length 32
            0,  // empty context
            0, 0, 28, // certificate_list: 21 (leaf entry) + 7 (CA entry)
            0, 0, 4, b'L', b'E', b'A', b'F', // leaf cert_data
            0, 12, // leaf extensions
            0, 5, 0, 8, 1, 0, 0, 4, b'R', b'E', b'S', b'P', // status_request
            0, 0, 2, b'C', b'A', 0, 0, // CA entry, no extensions
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn the_largest_staple_fits_exactly() {
        use crate::ocsp::MAX_STAPLE_LEN_TLS13;
        let chain = [bytes::Bytes::from_static(b"LEAF")];
        let mut out = Vec::new();
        let staple = vec![7; MAX_STAPLE_LEN_TLS13];
        certificate(&mut out, &chain, Some(&staple)).unwrap();
        // Header 4, context 1, list 3, cert_data 3 + 4, then the
        // extensions block's length: full.
        assert_eq!(out[4 + 1 + 3 + 7..][..2], [0xff, 0xff]);
        assert!(out.ends_with(&staple));
        // One byte more overflows the extensions block, and nothing of the
        // message is left behind.
        let mut out = vec![0xee];
        let staple = vec![7; MAX_STAPLE_LEN_TLS13 + 1];
        assert_eq!(
            certificate(&mut out, &chain, Some(&staple)),
            Err(LengthOverflow {
                len: 0x1_0000,
                max: 0xffff
            })
        );
        assert_eq!(out, [0xee]);
    }
}
