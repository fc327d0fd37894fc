//! The messages of a TLS 1.2 server handshake (RFC 5246 §7.4, RFC 8422
//! §5, RFC 6066 §8): encoders for what the server sends, parsers for the
//! two messages it receives after the ClientHello.
//!
//! Each encoder appends one complete handshake message (header included)
//! to `out` and returns its range, which the caller adds to the handshake
//! hash; or, when a vector does not fit its length prefix, appends nothing
//! and says so (see [`crate::codec::writer`]). Parsers borrow their input
//! and allocate nothing.

use core::ops::Range;

use bytes::Bytes;

use crate::codec::writer::{
    put_extension, put_handshake, put_opaque, put_u16, put_u8, put_vec, Prefix,
};
use crate::codec::{ExtensionType, HandshakeType, Reader, RECORD_HEADER_LEN, STATUS_TYPE_OCSP};
use crate::crypto::tls12::prf::{RANDOM_LEN, VERIFY_DATA_LEN};
use crate::error::{Field, InvalidMessage, LengthOverflow};
use crate::server::hello::MAX_SHARE_LEN;

/// The last eight bytes of ServerHello.random when a server that speaks
/// TLS 1.3 negotiates TLS 1.2 (RFC 8446 §4.1.3), so that a TLS 1.3 client
/// can detect a downgrade by an attacker.
pub(crate) const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";

/// ECCurveType named_curve (RFC 8422 §5.4); the only type still allowed.
const NAMED_CURVE: u8 = 3;

/// ECPointFormat uncompressed (RFC 8422 §5.1.2), the only format left.
pub(crate) const POINT_FORMAT_UNCOMPRESSED: u8 = 0;

/// What a TLS 1.2 ServerHello says (RFC 5246 §7.4.1.3).
pub(crate) struct ServerHello<'a> {
    pub(crate) random: &'a [u8; RANDOM_LEN],
    /// Empty on a full handshake (this server keeps no session cache);
    /// the client's own on a resumption from a ticket, which RFC 5077
    /// §3.4 says the server MUST echo, and by which the client sees that
    /// its session resumed.
    pub(crate) session_id: &'a [u8],
    pub(crate) suite: u16,
    /// RFC 7627 §5.1: echo an empty extended_master_secret.
    pub(crate) extended_master_secret: bool,
    /// RFC 5746 §3.6: an empty renegotiation_info, sent when the client
    /// signalled support by the extension or the SCSV.
    pub(crate) secure_renegotiation: bool,
    /// RFC 8422 §5.2: the formats the server parses, when the client sent
    /// its own list.
    pub(crate) ec_point_formats: bool,
    /// RFC 6066 §8: an empty status_request, promising CertificateStatus.
    pub(crate) status_request: bool,
    /// RFC 6066 §3: an empty server_name when the certificate was chosen by
    /// the client's SNI.
    pub(crate) sni_ack: bool,
    /// RFC 7301 §3.1: the selected protocol.
    pub(crate) alpn: Option<&'a [u8]>,
    /// RFC 5077 §3.2: an empty session_ticket, promising a
    /// NewSessionTicket.
    pub(crate) session_ticket: bool,
    /// The server's record_size_limit, sent when the client sent one
    /// (RFC 8449 §4).
    pub(crate) record_size_limit: Option<u16>,
}

impl ServerHello<'_> {
    fn has_extensions(&self) -> bool {
        self.session_ticket
            || self.record_size_limit.is_some()
            || self.extended_master_secret
            || self.secure_renegotiation
            || self.ec_point_formats
            || self.status_request
            || self.sni_ack
            || self.alpn.is_some()
    }
}

/// ServerHello (RFC 5246 §7.4.1.3). With no extension to send, the
/// extensions block is left out, as §7.4.1.3 allows.
pub(crate) fn server_hello(
    out: &mut Vec<u8>,
    sh: &ServerHello<'_>,
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::ServerHello, |out| {
        put_u16(out, 0x0303); // server_version: TLS 1.2
        out.extend_from_slice(sh.random);
        put_opaque(out, Prefix::U8, sh.session_id)?;
        put_u16(out, sh.suite);
        put_u8(out, 0); // compression_method: null
        if !sh.has_extensions() {
            return Ok(());
        }
        put_vec(out, Prefix::U16, |out| {
            let empty = |_: &mut Vec<u8>| Ok(());
            if sh.secure_renegotiation {
                // renegotiated_connection<0..255>, empty on a first
                // handshake (RFC 5746 §3.6).
                put_extension(out, ExtensionType::RenegotiationInfo, |out| {
                    put_opaque(out, Prefix::U8, &[])
                })?;
            }
            if sh.extended_master_secret {
                put_extension(out, ExtensionType::ExtendedMasterSecret, empty)?;
            }
            if sh.ec_point_formats {
                put_extension(out, ExtensionType::EcPointFormats, |out| {
                    put_opaque(out, Prefix::U8, &[POINT_FORMAT_UNCOMPRESSED])
                })?;
            }
            if sh.sni_ack {
                put_extension(out, ExtensionType::ServerName, empty)?;
            }
            if sh.status_request {
                put_extension(out, ExtensionType::StatusRequest, empty)?;
            }
            if sh.session_ticket {
                put_extension(out, ExtensionType::SessionTicket, empty)?;
            }
            if let Some(limit) = sh.record_size_limit {
                put_extension(out, ExtensionType::RecordSizeLimit, |out| {
                    put_u16(out, limit);
                    Ok(())
                })?;
            }
            match sh.alpn {
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

/// Certificate (RFC 5246 §7.4.2): `ASN.1Cert certificate_list<0..2^24-1>`,
/// leaf first, each `opaque ASN.1Cert<1..2^24-1>`.
pub(crate) fn certificate(
    out: &mut Vec<u8>,
    chain: &[Bytes],
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::Certificate, |out| {
        put_vec(out, Prefix::U24, |out| {
            chain
                .iter()
                .try_for_each(|cert| put_opaque(out, Prefix::U24, cert))
        })
    })
}

/// CertificateStatus (RFC 6066 §8): `status_type` ocsp and
/// `opaque OCSPResponse<1..2^24-1>`. The caller never passes an empty
/// response, nor one over
/// [`MAX_STAPLE_LEN_TLS12`](crate::ocsp::MAX_STAPLE_LEN_TLS12) bytes
/// (both are refused when the application hands it over); such a one
/// would not fit the message's u24 length, a [`LengthOverflow`] here.
pub(crate) fn certificate_status(
    out: &mut Vec<u8>,
    ocsp_response: &[u8],
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::CertificateStatus, |out| {
        put_u8(out, STATUS_TYPE_OCSP);
        put_opaque(out, Prefix::U24, ocsp_response)
    })
}

/// `ServerECDHParams` (RFC 8422 §5.4), kept in a fixed array because it is
/// both signed and sent:
///
/// ```text
/// struct { ECCurveType curve_type = named_curve; NamedCurve namedcurve;
///          opaque point <1..2^8-1>; } ServerECDHParams;
/// ```
pub(crate) struct EcdhParams {
    bytes: [u8; 4 + MAX_SHARE_LEN],
    len: usize,
}

impl EcdhParams {
    /// The parameters of an ephemeral key in `group`. A public key longer
    /// than any group's (it cannot happen: keys come from ring) is refused
    /// rather than cut.
    pub(crate) fn new(group: u16, public: &[u8]) -> Result<Self, LengthOverflow> {
        let overflow = LengthOverflow {
            len: public.len(),
            max: MAX_SHARE_LEN,
        };
        let mut bytes = [0; 4 + MAX_SHARE_LEN];
        let (head, room) = bytes.split_at_mut(4);
        // At most MAX_SHARE_LEN (97) bytes, so the length fits its u8.
        let point_len = u8::try_from(public.len()).map_err(|_| overflow)?;
        room.get_mut(..public.len())
            .ok_or(overflow)?
            .copy_from_slice(public);
        let [g0, g1] = group.to_be_bytes();
        head.copy_from_slice(&[NAMED_CURVE, g0, g1, point_len]);
        Ok(Self {
            bytes,
            len: 4 + public.len(),
        })
    }

    /// The encoded structure.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// What the ServerKeyExchange signature covers (RFC 8422 §5.4):
/// `ClientHello.random + ServerHello.random + ServerECDHParams`.
pub(crate) struct SignedParams {
    bytes: [u8; 2 * RANDOM_LEN + 4 + MAX_SHARE_LEN],
    len: usize,
}

impl SignedParams {
    /// Assembles the signed content.
    pub(crate) fn new(
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
        params: &EcdhParams,
    ) -> Self {
        let mut bytes = [0; 2 * RANDOM_LEN + 4 + MAX_SHARE_LEN];
        bytes[..RANDOM_LEN].copy_from_slice(client_random);
        bytes[RANDOM_LEN..2 * RANDOM_LEN].copy_from_slice(server_random);
        // The whole of the params' array: a copy of fixed size, with no
        // length to check; `len` keeps only the bytes in use.
        bytes[2 * RANDOM_LEN..].copy_from_slice(&params.bytes);
        Self {
            bytes,
            len: 2 * RANDOM_LEN + params.len,
        }
    }
}

impl AsRef<[u8]> for SignedParams {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// ServerKeyExchange for ECDHE (RFC 8422 §5.4): the parameters, then
/// `digitally-signed` (RFC 5246 §4.7): the SignatureAndHashAlgorithm, which
/// is the same code point as a TLS 1.3 SignatureScheme, and
/// `opaque signature<0..2^16-1>`.
pub(crate) fn server_key_exchange(
    out: &mut Vec<u8>,
    params: &EcdhParams,
    scheme: u16,
    signature: &[u8],
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::ServerKeyExchange, |out| {
        out.extend_from_slice(params.as_bytes());
        put_u16(out, scheme);
        put_opaque(out, Prefix::U16, signature)
    })
}

/// ServerHelloDone (RFC 5246 §7.4.5): an empty body.
pub(crate) fn server_hello_done(out: &mut Vec<u8>) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::ServerHelloDone, |_| Ok(()))
}

/// NewSessionTicket (RFC 5077 §3.3): `uint32 ticket_lifetime_hint;
/// opaque ticket<0..2^16-1>`, the ticket written by `ticket` where it
/// goes.
pub(crate) fn new_session_ticket(
    out: &mut Vec<u8>,
    lifetime_hint: u32,
    ticket: impl FnOnce(&mut Vec<u8>),
) -> Result<Range<usize>, LengthOverflow> {
    put_handshake(out, HandshakeType::NewSessionTicket, |out| {
        out.extend_from_slice(&lifetime_hint.to_be_bytes());
        put_vec(out, Prefix::U16, |out| {
            ticket(out);
            Ok(())
        })
    })
}

/// Finished (RFC 5246 §7.4.9): the header and the 12 bytes of
/// verify_data, made on the stack (it is sealed at once, never kept).
pub(crate) fn finished(verify_data: &[u8; VERIFY_DATA_LEN]) -> [u8; 4 + VERIFY_DATA_LEN] {
    let mut message = [0; 4 + VERIFY_DATA_LEN];
    // The body is 12 bytes: the 24-bit length is 0, 0, 12.
    message[0] = HandshakeType::Finished.to_wire();
    message[3] = VERIFY_DATA_LEN as u8;
    message[4..].copy_from_slice(verify_data);
    message
}

/// An upper bound on the bytes of the server's first flight (ServerHello
/// through ServerHelloDone) in one unprotected record. The output is
/// reserved once with it, so the flight is encoded where it is sent,
/// without growing the buffer; a flight over one record's 2^14 bytes is
/// fragmented from a copy instead.
pub(crate) fn flight_len_bound(
    chain: &[Bytes],
    staple: Option<&[u8]>,
    alpn: Option<&[u8]>,
    max_signature_len: usize,
) -> usize {
    // Header 4, version 2, random 32, empty session id 1, suite 2,
    // compression 1, extensions 2; renegotiation_info 5,
    // extended_master_secret 4, ec_point_formats 6, server_name 4,
    // status_request 4, session_ticket 4, ALPN 4 + 2 + 1 + the protocol.
    const SERVER_HELLO: usize = 4 + 2 + RANDOM_LEN + 1 + 2 + 1 + 2 + 5 + 4 + 6 + 4 + 4 + 4 + 7;
    // Header 4, list 3; per certificate 3.
    const CERTIFICATE: usize = 4 + 3;
    const ENTRY: usize = 3;
    // Header 4, status_type 1, length 3.
    const CERTIFICATE_STATUS: usize = 4 + 1 + 3;
    // Header 4, the parameters, scheme 2, signature length 2.
    const SERVER_KEY_EXCHANGE: usize = 4 + 4 + MAX_SHARE_LEN + 2 + 2;
    const SERVER_HELLO_DONE: usize = 4;
    let certificates: usize = chain.iter().map(|c| ENTRY + c.len()).sum();
    RECORD_HEADER_LEN
        + SERVER_HELLO
        + alpn.map_or(0, <[u8]>::len)
        + CERTIFICATE
        + certificates
        + staple.map_or(0, |s| CERTIFICATE_STATUS + s.len())
        + SERVER_KEY_EXCHANGE
        + max_signature_len
        + SERVER_HELLO_DONE
}

/// The client's ephemeral public key from a ClientKeyExchange for ECDHE
/// (RFC 8422 §5.7): `ClientECDiffieHellmanPublic { ECPoint ecdh_Yc; }`,
/// where `ECPoint { opaque point <1..2^8-1>; }`. The body must be exactly
/// that (decode_error otherwise); whether the point is a valid key of the
/// group is for the key exchange to say (illegal_parameter).
pub(crate) fn parse_client_key_exchange(body: &[u8]) -> Result<&[u8], InvalidMessage> {
    let field = Field::Message(HandshakeType::ClientKeyExchange);
    let mut r = Reader::new(body, field);
    let point = r.opaque_u8()?;
    r.finish()?;
    if point.is_empty() {
        return Err(InvalidMessage::BadLength(field));
    }
    Ok(point)
}

/// The verify_data of the client's Finished (RFC 5246 §7.4.9): exactly 12
/// bytes, decode_error otherwise.
pub(crate) fn parse_finished(body: &[u8]) -> Result<&[u8; VERIFY_DATA_LEN], InvalidMessage> {
    body.try_into()
        .map_err(|_| InvalidMessage::BadLength(Field::Message(HandshakeType::Finished)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::AlertDescription;
    use crate::error::Error;

    fn bare_hello() -> ServerHello<'static> {
        ServerHello {
            random: &[0xab; 32],
            session_id: &[],
            suite: 0xc02b,
            extended_master_secret: false,
            secure_renegotiation: false,
            ec_point_formats: false,
            status_request: false,
            sni_ack: false,
            alpn: None,
            session_ticket: false,
            record_size_limit: None,
        }
    }

    #[test]
    fn server_hello_without_extensions_omits_the_block() {
        let mut out = vec![0xee];
        let range = server_hello(&mut out, &bare_hello()).unwrap();
        assert_eq!(range, 1..out.len());
        let mut expected = vec![2, 0, 0, 38, 3, 3];
        expected.extend([0xab; 32]);
        expected.extend([0, 0xc0, 0x2b, 0]);
        assert_eq!(out[1..], expected);
    }

    #[test]
    fn server_hello_with_every_extension() {
        let mut out = Vec::new();
        server_hello(
            &mut out,
            &ServerHello {
                extended_master_secret: true,
                secure_renegotiation: true,
                ec_point_formats: true,
                status_request: true,
                sni_ack: true,
                alpn: Some(b"h2"),
                session_ticket: true,
                ..bare_hello()
            },
        )
        .unwrap();
        let extensions: &[u8] = &[
            0xff, 0x01, 0, 1, 0, // renegotiation_info, empty renegotiated_connection
            0, 23, 0, 0, // extended_master_secret
            0, 11, 0, 2, 1, 0, // ec_point_formats: [uncompressed]
            0, 0, 0, 0, // server_name
            0, 5, 0, 0, // status_request
            0, 35, 0, 0, // session_ticket
            0, 16, 0, 5, 0, 3, 2, b'h', b'2', // ALPN
        ];
        assert_eq!(out[..4], [2, 0, 0, 38 + 2 + extensions.len() as u8]);
        assert_eq!(out[4 + 38..4 + 40], [0, extensions.len() as u8]);
        assert_eq!(out[4 + 40..], *extensions);
    }

    #[test]
    fn a_resumed_server_hello_echoes_the_session_id() {
        let mut out = Vec::new();
        let id = [7; 32];
        server_hello(
            &mut out,
            &ServerHello {
                session_id: &id,
                ..bare_hello()
            },
        )
        .unwrap();
        assert_eq!(out[4 + 34], 32);
        assert_eq!(out[4 + 35..4 + 67], id);
        assert_eq!(out[4 + 67..4 + 70], [0xc0, 0x2b, 0]);
    }

    #[test]
    fn new_session_ticket_layout() {
        let mut out = Vec::new();
        new_session_ticket(&mut out, 0x0102_0304, |w| w.extend_from_slice(b"TICKET")).unwrap();
        let expected: &[u8] = &[
            4, 0, 0, 12, // NewSessionTicket
            1, 2, 3, 4, // ticket_lifetime_hint
            0, 6, b'T', b'I', b'C', b'K', b'E', b'T',
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn certificate_and_status() {
        let chain = [Bytes::from_static(b"LEAF"), Bytes::from_static(b"CA")];
        let mut out = Vec::new();
        certificate(&mut out, &chain).unwrap();
        let expected: &[u8] = &[
            11, 0, 0, 15, // Certificate
            0, 0, 12, // certificate_list
            0, 0, 4, b'L', b'E', b'A', b'F', 0, 0, 2, b'C', b'A',
        ];
        assert_eq!(out, expected);

        let mut out = Vec::new();
        let range = certificate_status(&mut out, b"RESP").unwrap();
        assert_eq!(range, 0..12);
        assert_eq!(out, [22, 0, 0, 8, 1, 0, 0, 4, b'R', b'E', b'S', b'P']);
    }

    #[test]
    fn the_largest_staple_fills_the_message() {
        use crate::ocsp::MAX_STAPLE_LEN_TLS12;
        let mut out = Vec::new();
        let staple = vec![7; MAX_STAPLE_LEN_TLS12];
        certificate_status(&mut out, &staple).unwrap();
        assert_eq!(out[..8], [22, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xfb]);
        assert_eq!(out.len(), 4 + 0xff_ffff);
        let mut out = vec![0xee];
        let staple = vec![7; MAX_STAPLE_LEN_TLS12 + 1];
        assert_eq!(
            certificate_status(&mut out, &staple),
            Err(LengthOverflow {
                len: 0x100_0000,
                max: 0xff_ffff
            })
        );
        assert_eq!(out, [0xee]);
    }

    #[test]
    fn server_key_exchange_and_what_it_signs() {
        let public = [4u8; 65];
        let params = EcdhParams::new(0x0017, &public).unwrap();
        assert_eq!(params.as_bytes()[..4], [3, 0x00, 0x17, 65]);
        assert_eq!(params.as_bytes()[4..], public);

        let signed = SignedParams::new(&[1; 32], &[2; 32], &params);
        let mut expected = [[1u8; 32], [2; 32]].concat();
        expected.extend(params.as_bytes());
        assert_eq!(signed.as_ref(), expected);

        let mut out = Vec::new();
        server_key_exchange(&mut out, &params, 0x0403, &[9, 9, 9]).unwrap();
        let mut expected = vec![12, 0, 0, 69 + 2 + 2 + 3];
        expected.extend(params.as_bytes());
        expected.extend([0x04, 0x03, 0, 3, 9, 9, 9]);
        assert_eq!(out, expected);

        // The largest point (P-384) fits.
        let params = EcdhParams::new(0x0018, &[4; 97]).unwrap();
        assert_eq!(params.as_bytes().len(), 101);
        let signed = SignedParams::new(&[1; 32], &[2; 32], &params);
        assert_eq!(signed.as_ref().len(), 165);
        // A longer key is refused, not cut.
        assert_eq!(
            EcdhParams::new(0x0018, &[4; 98]).err(),
            Some(LengthOverflow { len: 98, max: 97 })
        );
    }

    #[test]
    fn the_flight_bound_holds_for_the_largest_flight() {
        let chain = [Bytes::from(vec![1; 1000]), Bytes::from(vec![2; 700])];
        let alpn = [b'x'; 255];
        let signature = [7; 512];
        let params = EcdhParams::new(0x0018, &[4; MAX_SHARE_LEN]).unwrap();
        for staple in [None, Some(&[9u8; 300][..])] {
            let mut out = vec![0; RECORD_HEADER_LEN];
            server_hello(
                &mut out,
                &ServerHello {
                    extended_master_secret: true,
                    secure_renegotiation: true,
                    ec_point_formats: true,
                    status_request: true,
                    sni_ack: true,
                    alpn: Some(&alpn),
                    session_ticket: true,
                    ..bare_hello()
                },
            )
            .unwrap();
            certificate(&mut out, &chain).unwrap();
            if let Some(staple) = staple {
                certificate_status(&mut out, staple).unwrap();
            }
            server_key_exchange(&mut out, &params, 0x0804, &signature).unwrap();
            server_hello_done(&mut out).unwrap();
            let bound = flight_len_bound(&chain, staple, Some(&alpn), signature.len());
            // Every extension and the longest point: the bound is exact.
            assert_eq!(out.len(), bound);
        }
    }

    #[test]
    fn finished_is_encoded_on_the_stack() {
        let mut expected = vec![20, 0, 0, 12];
        expected.extend(1..=12);
        let verify_data: [u8; 12] = core::array::from_fn(|i| i as u8 + 1);
        assert_eq!(super::finished(&verify_data)[..], expected);
    }

    #[test]
    fn server_hello_done_is_empty() {
        let mut out = Vec::new();
        server_hello_done(&mut out).unwrap();
        assert_eq!(out, [14, 0, 0, 0]);
    }

    #[test]
    fn client_key_exchange() {
        assert_eq!(parse_client_key_exchange(&[3, 1, 2, 3]), Ok(&[1, 2, 3][..]));
        let field = Field::Message(HandshakeType::ClientKeyExchange);
        for (body, err) in [
            (&[][..], InvalidMessage::Truncated(field)),
            (&[4, 1, 2, 3][..], InvalidMessage::Truncated(field)),
            (&[2, 1, 2, 3][..], InvalidMessage::TrailingBytes(field)),
            (&[0][..], InvalidMessage::BadLength(field)),
        ] {
            assert_eq!(parse_client_key_exchange(body), Err(err), "{body:?}");
            assert_eq!(
                AlertDescription::from(&Error::from(err)),
                AlertDescription::DecodeError
            );
        }
    }

    #[test]
    fn finished() {
        assert_eq!(parse_finished(&[7; 12]), Ok(&[7; 12]));
        for len in [0, 11, 13, 32] {
            assert_eq!(
                parse_finished(&vec![0; len]),
                Err(InvalidMessage::BadLength(Field::Message(
                    HandshakeType::Finished
                )))
            );
        }
    }

    #[test]
    fn the_sentinel_spells_its_name() {
        assert_eq!(
            DOWNGRADE_TLS12,
            [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]
        );
    }
}
