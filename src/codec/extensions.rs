//! Extension types and borrowed, validated views of ClientHello extension
//! bodies.
//!
//! Each view is built by a `parse` function that checks the body against the
//! structure and bounds its RFC gives, so the view's iterators cannot meet a
//! malformed byte afterwards. Views are `Copy` and borrow the hello.

use super::der::{self, DerItems};
use super::reader::Reader;
use super::seen::SeenU16;
use super::wire_enum::wire_enum;
use crate::error::{Field, InvalidMessage};

wire_enum! {
    /// `ExtensionType` (IANA "TLS ExtensionType Values").
    pub enum ExtensionType: u16 {
        /// RFC 6066 §3.
        ServerName = 0 => "server_name",
        /// RFC 6066 §4.
        MaxFragmentLength = 1 => "max_fragment_length",
        /// RFC 6066 §8: a request for a stapled OCSP response.
        StatusRequest = 5 => "status_request",
        /// RFC 8422 §5.1.1, RFC 8446 §4.2.7.
        SupportedGroups = 10 => "supported_groups",
        /// RFC 8422 §5.1.2.
        EcPointFormats = 11 => "ec_point_formats",
        /// RFC 8446 §4.2.3.
        SignatureAlgorithms = 13 => "signature_algorithms",
        /// RFC 5764.
        UseSrtp = 14 => "use_srtp",
        /// RFC 6520.
        Heartbeat = 15 => "heartbeat",
        /// RFC 7301.
        ApplicationLayerProtocolNegotiation = 16 => "application_layer_protocol_negotiation",
        /// RFC 6961: multiple OCSP responses (superseded by TLS 1.3).
        StatusRequestV2 = 17 => "status_request_v2",
        /// RFC 6962.
        SignedCertificateTimestamp = 18 => "signed_certificate_timestamp",
        /// RFC 7685.
        Padding = 21 => "padding",
        /// RFC 7366.
        EncryptThenMac = 22 => "encrypt_then_mac",
        /// RFC 7627.
        ExtendedMasterSecret = 23 => "extended_master_secret",
        /// RFC 8879.
        CompressCertificate = 27 => "compress_certificate",
        /// RFC 8449.
        RecordSizeLimit = 28 => "record_size_limit",
        /// RFC 5077.
        SessionTicket = 35 => "session_ticket",
        /// RFC 8446 §4.2.11.
        PreSharedKey = 41 => "pre_shared_key",
        /// RFC 8446 §4.2.10.
        EarlyData = 42 => "early_data",
        /// RFC 8446 §4.2.1.
        SupportedVersions = 43 => "supported_versions",
        /// RFC 8446 §4.2.2.
        Cookie = 44 => "cookie",
        /// RFC 8446 §4.2.9.
        PskKeyExchangeModes = 45 => "psk_key_exchange_modes",
        /// RFC 8446 §4.2.4.
        CertificateAuthorities = 47 => "certificate_authorities",
        /// RFC 8446 §4.2.5.
        OidFilters = 48 => "oid_filters",
        /// RFC 8446 §4.2.6.
        PostHandshakeAuth = 49 => "post_handshake_auth",
        /// RFC 8446 §4.2.3.
        SignatureAlgorithmsCert = 50 => "signature_algorithms_cert",
        /// RFC 8446 §4.2.8.
        KeyShare = 51 => "key_share",
        /// draft-ietf-tls-esni.
        EncryptedClientHello = 0xfe0d => "encrypted_client_hello",
        /// RFC 5746.
        RenegotiationInfo = 0xff01 => "renegotiation_info",
    }
}

/// Whether `value` is a GREASE code point (RFC 8701 §2): 0x0A0A, 0x1A1A, ...
/// 0xFAFA. Clients sprinkle these into lists to keep servers tolerant of
/// unknown values; they are recognised and skipped.
pub const fn is_grease(value: u16) -> bool {
    let [hi, lo] = value.to_be_bytes();
    hi == lo && lo & 0x0f == 0x0a
}

fn bad_length(typ: ExtensionType) -> InvalidMessage {
    InvalidMessage::BadLength(Field::Extension(typ))
}

/// Reads the whole body as one vector whose length prefix is `prefix_len`
/// bytes, and checks the vector's length lies in `min..=max`.
fn whole_vector(
    body: &[u8],
    typ: ExtensionType,
    prefix_len: usize,
    min: usize,
    max: usize,
) -> Result<&[u8], InvalidMessage> {
    let mut r = Reader::new(body, Field::Extension(typ));
    let inner = match prefix_len {
        1 => r.opaque_u8()?,
        _ => r.opaque_u16()?,
    };
    r.finish()?;
    if inner.len() < min || inner.len() > max {
        return Err(bad_length(typ));
    }
    Ok(inner)
}

/// A list of 16-bit code points (cipher suites, groups, versions, signature
/// schemes). Iteration skips GREASE values; [`U16List::raw`] keeps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct U16List<'a> {
    raw: &'a [u8],
}

impl<'a> U16List<'a> {
    /// Checks that `raw` is a whole number of u16s.
    pub(crate) fn new(raw: &'a [u8], field: Field) -> Result<Self, InvalidMessage> {
        if raw.len() % 2 != 0 {
            return Err(InvalidMessage::BadLength(field));
        }
        Ok(Self { raw })
    }

    /// A list from a u8- or u16-prefixed extension body with RFC bounds in bytes.
    fn from_extension(
        body: &'a [u8],
        typ: ExtensionType,
        prefix_len: usize,
        min: usize,
        max: usize,
    ) -> Result<Self, InvalidMessage> {
        Self::new(
            whole_vector(body, typ, prefix_len, min, max)?,
            Field::Extension(typ),
        )
    }

    /// The values in wire order, GREASE skipped.
    pub fn iter(&self) -> U16Iter<'a> {
        U16Iter {
            chunks: self.raw.chunks_exact(2),
        }
    }

    /// Whether `value` is in the list.
    pub fn contains(&self, value: u16) -> bool {
        self.iter().any(|v| v == value)
    }

    /// The encoded list, GREASE included, without its length prefix.
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }
}

impl<'a> IntoIterator for U16List<'a> {
    type Item = u16;
    type IntoIter = U16Iter<'a>;
    fn into_iter(self) -> U16Iter<'a> {
        self.iter()
    }
}

/// Iterator over a [`U16List`].
#[derive(Clone, Debug)]
pub struct U16Iter<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for U16Iter<'_> {
    type Item = u16;
    fn next(&mut self) -> Option<u16> {
        loop {
            let value = match self.chunks.next()? {
                &[a, b] => u16::from_be_bytes([a, b]),
                _ => return None,
            };
            if !is_grease(value) {
                return Some(value);
            }
        }
    }
}

/// The server_name extension: a list of (name_type, name) pairs
/// (RFC 6066 §3), at most one per type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerNames<'a> {
    raw: &'a [u8],
}

/// RFC 6066 NameType for a DNS host name, the only one defined.
pub const NAME_TYPE_HOST_NAME: u8 = 0;

impl<'a> ServerNames<'a> {
    pub(crate) fn parse(body: &'a [u8]) -> Result<Self, InvalidMessage> {
        const TYP: ExtensionType = ExtensionType::ServerName;
        // ServerName server_name_list<1..2^16-1>
        let raw = whole_vector(body, TYP, 2, 1, 0xffff)?;
        let mut r = Reader::new(raw, Field::Extension(TYP));
        // At most 256 name types exist; a bitmap catches duplicates.
        let mut seen = [0u64; 4];
        while !r.is_empty() {
            let name_type = r.u8()?;
            // HostName opaque<1..2^16-1>; every name type is framed this way
            // in practice, so unknown types are skipped the same way.
            if r.opaque_u16()?.is_empty() {
                return Err(bad_length(TYP));
            }
            let (word, bit) = (usize::from(name_type / 64), 1u64 << (name_type % 64));
            if seen[word] & bit != 0 {
                return Err(InvalidMessage::DuplicateServerNameType(name_type));
            }
            seen[word] |= bit;
        }
        Ok(Self { raw })
    }

    /// The DNS host name, if one was sent: bytes as on the wire, which
    /// RFC 6066 says are ASCII without a trailing dot.
    pub fn host_name(&self) -> Option<&'a [u8]> {
        self.iter()
            .find(|(t, _)| *t == NAME_TYPE_HOST_NAME)
            .map(|(_, name)| name)
    }

    /// Every (name_type, name) pair in wire order.
    pub fn iter(&self) -> ServerNameIter<'a> {
        ServerNameIter {
            r: Reader::new(self.raw, Field::Extension(ExtensionType::ServerName)),
        }
    }
}

/// Iterator over [`ServerNames`].
#[derive(Clone, Debug)]
pub struct ServerNameIter<'a> {
    r: Reader<'a>,
}

impl<'a> Iterator for ServerNameIter<'a> {
    type Item = (u8, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        Some((self.r.u8().ok()?, self.r.opaque_u16().ok()?))
    }
}

/// One entry of the client's key_share extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyShareEntry<'a> {
    /// The NamedGroup.
    pub group: u16,
    /// The public key, in that group's encoding.
    pub key_exchange: &'a [u8],
}

/// The key_share extension of a ClientHello (RFC 8446 §4.2.8). May be empty:
/// a client may send no shares to ask for a HelloRetryRequest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyShares<'a> {
    raw: &'a [u8],
}

impl<'a> KeyShares<'a> {
    pub(crate) fn parse(body: &'a [u8]) -> Result<Self, InvalidMessage> {
        const TYP: ExtensionType = ExtensionType::KeyShare;
        // KeyShareEntry client_shares<0..2^16-1>
        let raw = whole_vector(body, TYP, 2, 0, 0xffff)?;
        let mut r = Reader::new(raw, Field::Extension(TYP));
        let mut groups = SeenU16::new();
        while !r.is_empty() {
            let group = r.u16()?;
            // opaque key_exchange<1..2^16-1>
            if r.opaque_u16()?.is_empty() {
                return Err(bad_length(TYP));
            }
            // "Clients MUST NOT offer multiple KeyShareEntry values for the
            // same group" (§4.2.8).
            if !groups.insert(group) {
                return Err(InvalidMessage::DuplicateKeyShare(group));
            }
        }
        Ok(Self { raw })
    }

    fn entries(&self) -> KeyShareIter<'a> {
        KeyShareIter {
            r: Reader::new(self.raw, Field::Extension(ExtensionType::KeyShare)),
        }
    }

    /// The entries in wire order, GREASE groups skipped.
    pub fn iter(&self) -> impl Iterator<Item = KeyShareEntry<'a>> + 'a {
        self.entries().filter(|e| !is_grease(e.group))
    }

    /// The share for `group`, if the client sent one.
    pub fn find(&self, group: u16) -> Option<KeyShareEntry<'a>> {
        self.entries().find(|e| e.group == group)
    }
}

#[derive(Clone, Debug)]
struct KeyShareIter<'a> {
    r: Reader<'a>,
}

impl<'a> Iterator for KeyShareIter<'a> {
    type Item = KeyShareEntry<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        Some(KeyShareEntry {
            group: self.r.u16().ok()?,
            key_exchange: self.r.opaque_u16().ok()?,
        })
    }
}

/// The ALPN extension's protocol_name_list (RFC 7301 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtocolNames<'a> {
    raw: &'a [u8],
}

impl<'a> ProtocolNames<'a> {
    pub(crate) fn parse(body: &'a [u8]) -> Result<Self, InvalidMessage> {
        const TYP: ExtensionType = ExtensionType::ApplicationLayerProtocolNegotiation;
        // ProtocolName protocol_name_list<2..2^16-1>
        let raw = whole_vector(body, TYP, 2, 2, 0xffff)?;
        let mut r = Reader::new(raw, Field::Extension(TYP));
        while !r.is_empty() {
            // opaque ProtocolName<1..2^8-1>: "Empty strings MUST NOT be included".
            if r.opaque_u8()?.is_empty() {
                return Err(bad_length(TYP));
            }
        }
        Ok(Self { raw })
    }

    /// The protocol names in the client's order of preference.
    pub fn iter(&self) -> ProtocolNameIter<'a> {
        ProtocolNameIter {
            r: Reader::new(
                self.raw,
                Field::Extension(ExtensionType::ApplicationLayerProtocolNegotiation),
            ),
        }
    }

    /// Whether the client offered `name`.
    pub fn contains(&self, name: &[u8]) -> bool {
        self.iter().any(|n| n == name)
    }
}

/// Iterator over [`ProtocolNames`].
#[derive(Clone, Debug)]
pub struct ProtocolNameIter<'a> {
    r: Reader<'a>,
}

impl<'a> Iterator for ProtocolNameIter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        self.r.opaque_u8().ok()
    }
}

/// One identity offered in pre_shared_key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PskIdentity<'a> {
    /// A ticket or an external PSK label.
    pub identity: &'a [u8],
    /// The ticket age plus the ticket's age_add, mod 2^32 (RFC 8446 §4.2.11.1).
    pub obfuscated_ticket_age: u32,
}

/// The pre_shared_key extension of a ClientHello (RFC 8446 §4.2.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreSharedKeyOffer<'a> {
    identities: &'a [u8],
    binders: &'a [u8],
}

impl<'a> PreSharedKeyOffer<'a> {
    pub(crate) fn parse(body: &'a [u8]) -> Result<Self, InvalidMessage> {
        const TYP: ExtensionType = ExtensionType::PreSharedKey;
        let field = Field::Extension(TYP);
        let mut r = Reader::new(body, field);
        // PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>
        let identities = r.opaque_u16()?;
        let binders = r.opaque_u16()?;
        r.finish()?;
        if identities.len() < 7 || binders.len() < 33 {
            return Err(bad_length(TYP));
        }
        let mut count = 0usize;
        let mut ids = Reader::new(identities, field);
        while !ids.is_empty() {
            // opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age
            if ids.opaque_u16()?.is_empty() {
                return Err(bad_length(TYP));
            }
            ids.u32()?;
            count += 1;
        }
        let mut bs = Reader::new(binders, field);
        while !bs.is_empty() {
            // opaque PskBinderEntry<32..255>
            if bs.opaque_u8()?.len() < 32 {
                return Err(bad_length(TYP));
            }
            count = count.wrapping_sub(1);
        }
        if count != 0 {
            return Err(InvalidMessage::PskBinderCountMismatch);
        }
        Ok(Self {
            identities,
            binders,
        })
    }

    /// The identities in wire order.
    pub fn identities(&self) -> impl Iterator<Item = PskIdentity<'a>> + 'a {
        let mut r = Reader::new(
            self.identities,
            Field::Extension(ExtensionType::PreSharedKey),
        );
        core::iter::from_fn(move || {
            Some(PskIdentity {
                identity: r.opaque_u16().ok()?,
                obfuscated_ticket_age: r.u32().ok()?,
            })
        })
    }

    /// The binders, one per identity, in the same order.
    pub fn binders(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut r = Reader::new(self.binders, Field::Extension(ExtensionType::PreSharedKey));
        core::iter::from_fn(move || r.opaque_u8().ok())
    }

    /// Bytes that the binders list, with its length prefix, takes at the end
    /// of the ClientHello. The binder MAC covers the hello truncated by this
    /// much (RFC 8446 §4.2.11.2); pre_shared_key is always last, so the
    /// binders are always the final bytes.
    pub fn binders_len(&self) -> usize {
        2 + self.binders.len()
    }
}

/// RFC 6066 CertificateStatusType for OCSP.
pub const STATUS_TYPE_OCSP: u8 = 1;

/// The status_request extension (RFC 6066 §8): the client asks for a
/// stapled certificate status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusRequest<'a> {
    raw: &'a [u8],
    status_type: u8,
    ocsp: Option<OcspStatusRequest<'a>>,
}

/// The OCSPStatusRequest of a status_request of type ocsp (RFC 6066 §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OcspStatusRequest<'a> {
    responder_ids: &'a [u8],
    request_extensions: &'a [u8],
}

impl<'a> StatusRequest<'a> {
    pub(crate) fn parse(body: &'a [u8]) -> Result<Self, InvalidMessage> {
        const TYP: ExtensionType = ExtensionType::StatusRequest;
        let field = Field::Extension(TYP);
        let mut r = Reader::new(body, field);
        let status_type = r.u8()?;
        if status_type != STATUS_TYPE_OCSP {
            // Another status type: its request's syntax is unknown, so the
            // body is kept whole and only the type is interpreted.
            return Ok(Self {
                raw: body,
                status_type,
                ocsp: None,
            });
        }
        // ResponderID responder_id_list<0..2^16-1>; each opaque<1..2^16-1>
        // holding one DER ResponderID.
        let responder_ids = r.opaque_u16()?;
        let mut ids = Reader::new(responder_ids, field);
        while !ids.is_empty() {
            der::single_item(ids.opaque_u16()?, field)?;
        }
        // Extensions request_extensions: opaque<0..2^16-1> holding the DER
        // of an X.509 Extensions SEQUENCE, or nothing.
        let request_extensions = r.opaque_u16()?;
        r.finish()?;
        if !request_extensions.is_empty() {
            let seq = der::single_item(request_extensions, field)?;
            if seq.tag != der::SEQUENCE {
                return Err(InvalidMessage::BadDer(field));
            }
            der::check_items(seq.contents, field)?;
        }
        Ok(Self {
            raw: body,
            status_type,
            ocsp: Some(OcspStatusRequest {
                responder_ids,
                request_extensions,
            }),
        })
    }

    /// The CertificateStatusType: 1 for OCSP.
    pub const fn status_type(&self) -> u8 {
        self.status_type
    }

    /// The OCSP request, if the status type is ocsp.
    pub const fn ocsp(&self) -> Option<OcspStatusRequest<'a>> {
        self.ocsp
    }

    /// The extension body as sent.
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }
}

impl<'a> OcspStatusRequest<'a> {
    /// The OCSP responders the client trusts, each the DER of an RFC 6960
    /// ResponderID. Empty (as every mainstream client sends) means the
    /// responder is known by prior arrangement.
    pub fn responder_ids(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut r = Reader::new(
            self.responder_ids,
            Field::Extension(ExtensionType::StatusRequest),
        );
        core::iter::from_fn(move || r.opaque_u16().ok())
    }

    /// The OCSP request extensions (a nonce, for example), each the DER of
    /// one X.509 Extension.
    pub fn request_extensions(&self) -> DerItems<'a> {
        match der::split_item(self.request_extensions) {
            Some((seq, _)) => DerItems::new(seq.contents),
            None => DerItems::new(&[]),
        }
    }

    /// The DER of the Extensions SEQUENCE, or empty if none was sent.
    pub const fn raw_request_extensions(&self) -> &'a [u8] {
        self.request_extensions
    }

    /// The encoded responder_id_list, without its length prefix.
    pub const fn raw_responder_ids(&self) -> &'a [u8] {
        self.responder_ids
    }
}

/// Checks a status_request_v2 body's framing (RFC 6961 §2.2): a non-empty
/// list of (status_type, u16-prefixed request) items. The body is exposed
/// raw; this server answers status_request, which TLS 1.3 kept.
pub(crate) fn check_status_request_v2(body: &[u8]) -> Result<(), InvalidMessage> {
    const TYP: ExtensionType = ExtensionType::StatusRequestV2;
    // CertificateStatusRequestItemV2 certificate_status_req_list<1..2^16-1>
    let list = whole_vector(body, TYP, 2, 1, 0xffff)?;
    let mut r = Reader::new(list, Field::Extension(TYP));
    while !r.is_empty() {
        r.u8()?;
        r.opaque_u16()?;
    }
    Ok(())
}

/// Parses a body that RFC bounds as `opaque x<min..max>` with a u8 prefix.
pub(crate) fn opaque_u8_body(
    body: &[u8],
    typ: ExtensionType,
    min: usize,
) -> Result<&[u8], InvalidMessage> {
    whole_vector(body, typ, 1, min, 0xff)
}

/// Parses a body that RFC bounds as `opaque x<min..2^16-1>` with a u16 prefix.
pub(crate) fn opaque_u16_body(
    body: &[u8],
    typ: ExtensionType,
    min: usize,
) -> Result<&[u8], InvalidMessage> {
    whole_vector(body, typ, 2, min, 0xffff)
}

/// A list of u16 code points as an extension body: `prefix_len`-byte length,
/// then `min..=max` bytes of values.
pub(crate) fn u16_list_body(
    body: &[u8],
    typ: ExtensionType,
    prefix_len: usize,
    min: usize,
    max: usize,
) -> Result<U16List<'_>, InvalidMessage> {
    U16List::from_extension(body, typ, prefix_len, min, max)
}

/// An extension that must be empty in a ClientHello (early_data,
/// extended_master_secret).
pub(crate) fn empty_body(body: &[u8], typ: ExtensionType) -> Result<(), InvalidMessage> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(InvalidMessage::TrailingBytes(Field::Extension(typ)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let list = U16List::new(&raw, Field::CipherSuites).unwrap();
        assert_eq!(list.iter().collect::<Vec<_>>(), [0x1301, 0x1302]);
        assert!(list.contains(0x1302) && !list.contains(0x0a0a));
        assert_eq!(
            U16List::new(&raw[..3], Field::CipherSuites),
            Err(InvalidMessage::BadLength(Field::CipherSuites))
        );
    }

    #[test]
    fn status_request_ocsp_with_responder_ids_and_extensions() {
        // responder_id_list: one byKey ResponderID ([2] { OCTET STRING(2) }).
        let rid = [0xa2, 0x04, 0x04, 0x02, 0xab, 0xcd];
        // request_extensions: SEQUENCE { Extension { OID 1.3.6.1.5.5.7.48.1.2, OCTET STRING } }
        let ext = [
            0x30, 0x0f, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02, 0x04,
            0x02, 0x04, 0x00,
        ];
        let mut body = vec![1, 0, 8, 0, 6];
        body.extend(rid);
        body.extend((ext.len() as u16 + 2).to_be_bytes());
        body.extend([0x30, ext.len() as u8]);
        body.extend(ext);
        let sr = StatusRequest::parse(&body).unwrap();
        let ocsp = sr.ocsp().unwrap();
        assert_eq!(ocsp.responder_ids().collect::<Vec<_>>(), [&rid[..]]);
        assert_eq!(ocsp.request_extensions().collect::<Vec<_>>(), [&ext[..]]);
        assert_eq!(sr.raw(), &body[..]);

        // A responder ID that is not one DER item.
        let mut bad = body.clone();
        bad[6] = 0x05;
        assert_eq!(
            StatusRequest::parse(&bad),
            Err(InvalidMessage::BadDer(Field::Extension(
                ExtensionType::StatusRequest
            )))
        );
    }

    #[test]
    fn status_request_of_another_type_is_kept_raw() {
        let sr = StatusRequest::parse(&[7, 1, 2, 3]).unwrap();
        assert_eq!(
            (sr.status_type(), sr.ocsp(), sr.raw()),
            (7, None, &[7, 1, 2, 3][..])
        );
    }
}
