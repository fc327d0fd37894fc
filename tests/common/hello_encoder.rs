//! A ClientHello encoder written for the tests, independent of the parser
//! under test.
//!
//! Two levels:
//! - [`HelloBuilder`] is wire level: its fields are the encoded contents of
//!   each vector (without length prefixes) and the extensions as raw
//!   `(type, body)` pairs, so a test can make any field malformed and still
//!   get every other length right.
//! - [`HelloModel`] and [`ExtensionModel`] are typed and always valid: a
//!   model encodes to a hello the parser must accept, and says what each
//!   accessor must return.
//!
//! Plus framing helpers ([`handshake_message`], [`record`]) and a small DER
//! writer ([`der`]).

use stapler::codec::{is_grease, ExtensionType, RANDOM_LEN};

// ---------------------------------------------------------------------------
// Primitive encoders (RFC 8446 §3.4 vectors, big-endian integers).

/// `opaque x<0..2^8-1>`: a 1-byte length, then `body`.
pub fn u8_prefixed(body: &[u8]) -> Vec<u8> {
    let len = u8::try_from(body.len()).expect("u8 vector too long");
    let mut out = vec![len];
    out.extend_from_slice(body);
    out
}

/// `opaque x<0..2^16-1>`: a 2-byte length, then `body`.
pub fn u16_prefixed(body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len()).expect("u16 vector too long");
    let mut out = len.to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

/// `opaque x<0..2^24-1>`: a 3-byte length, then `body`.
pub fn u24_prefixed(body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 1 << 24, "u24 vector too long");
    let mut out = (body.len() as u32).to_be_bytes()[1..].to_vec();
    out.extend_from_slice(body);
    out
}

/// 16-bit values, big-endian, concatenated (no length prefix).
pub fn u16s(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// Concatenates byte strings.
pub fn cat<B: AsRef<[u8]>>(parts: impl IntoIterator<Item = B>) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(p.as_ref());
    }
    out
}

/// One DER item with a low tag number and a minimal definite length
/// (X.690 §8.1.3, §10.1).
pub fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let octets: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | octets.len() as u8);
        out.extend(octets);
    }
    out.extend_from_slice(contents);
    out
}

/// DER tags used by the OCSP parts of status_request.
pub const DER_SEQUENCE: u8 = 0x30;
/// OCTET STRING.
pub const DER_OCTET_STRING: u8 = 0x04;
/// OBJECT IDENTIFIER.
pub const DER_OID: u8 = 0x06;
/// BOOLEAN.
pub const DER_BOOLEAN: u8 = 0x01;

/// The contents of OID 1.3.6.1.5.5.7.48.1.2 (id-pkix-ocsp-nonce, RFC 6960 §4.4.1).
pub const OCSP_NONCE_OID: [u8; 9] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02];

/// An X.509 `Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }`
/// carrying an OCSP nonce (`extnValue` wraps an OCTET STRING of `nonce`).
pub fn ocsp_nonce_extension(critical: bool, nonce: &[u8]) -> Vec<u8> {
    let mut contents = der(DER_OID, &OCSP_NONCE_OID);
    if critical {
        contents.extend(der(DER_BOOLEAN, &[0xff]));
    }
    contents.extend(der(DER_OCTET_STRING, &der(DER_OCTET_STRING, nonce)));
    der(DER_SEQUENCE, &contents)
}

/// A handshake message: type, 24-bit length, body.
pub fn handshake_message(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![typ];
    out.extend(u24_prefixed(body));
    out
}

/// A plaintext record: content type, legacy_record_version, 16-bit length,
/// fragment. The length is written as `fragment.len()` truncated to 16 bits,
/// so callers that want a lying header build it by hand.
pub fn record(content_type: u8, version: u16, fragment: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type];
    out.extend(version.to_be_bytes());
    out.extend((fragment.len() as u16).to_be_bytes());
    out.extend_from_slice(fragment);
    out
}

/// The handshake content type (RFC 8446 §5.1).
pub const CONTENT_HANDSHAKE: u8 = 22;
/// msg_type of a ClientHello.
pub const HANDSHAKE_CLIENT_HELLO: u8 = 1;

/// The 16 GREASE values of RFC 8701 §2, in order.
pub fn grease_values() -> impl Iterator<Item = u16> {
    (0..16u16).map(|i| 0x0a0a + i * 0x1010)
}

// ---------------------------------------------------------------------------
// Wire-level builder.

/// One extension as it goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawExtension {
    /// The extension type code point.
    pub typ: u16,
    /// The body, without type and length.
    pub body: Vec<u8>,
}

impl RawExtension {
    /// An extension of type `typ` (an [`ExtensionType`] or a raw `u16`).
    pub fn new(typ: impl Into<u16>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            typ: typ.into(),
            body: body.into(),
        }
    }

    /// Type, 16-bit length, body.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.typ.to_be_bytes().to_vec();
        out.extend(u16_prefixed(&self.body));
        out
    }
}

/// Where each field of an encoded [`HelloBuilder`] starts (byte offsets into
/// the body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelloOffsets {
    /// The legacy_session_id length byte.
    pub session_id: usize,
    /// The cipher_suites 2-byte length.
    pub cipher_suites: usize,
    /// The legacy_compression_methods length byte.
    pub compression_methods: usize,
    /// The extensions block's 2-byte length (equals the body length when
    /// there is no block).
    pub extensions: usize,
    /// The total body length.
    pub end: usize,
}

/// A ClientHello body, field by field, as wire bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloBuilder {
    /// legacy_version.
    pub legacy_version: u16,
    /// random.
    pub random: [u8; RANDOM_LEN],
    /// legacy_session_id contents (any length up to 255, to allow bad ones).
    pub session_id: Vec<u8>,
    /// cipher_suites contents as bytes (so an odd length can be built; see
    /// [`u16s`]).
    pub cipher_suites: Vec<u8>,
    /// legacy_compression_methods contents.
    pub compression_methods: Vec<u8>,
    /// The extensions in order; `None` leaves out the block entirely (a
    /// TLS 1.2-style hello), `Some(vec![])` writes an empty block.
    pub extensions: Option<Vec<RawExtension>>,
    /// Bytes appended after everything else (after the extensions block,
    /// or after compression_methods when there is none).
    pub trailing: Vec<u8>,
}

impl Default for HelloBuilder {
    /// A plausible TLS 1.3 hello skeleton: 32-byte session_id, the three
    /// TLS 1.3 AEAD suites, null compression, an empty extensions block.
    fn default() -> Self {
        Self {
            legacy_version: 0x0303,
            random: core::array::from_fn(|i| i as u8),
            session_id: vec![0x5e; 32],
            cipher_suites: u16s(&[0x1301, 0x1302, 0x1303]),
            compression_methods: vec![0],
            extensions: Some(Vec::new()),
            trailing: Vec::new(),
        }
    }
}

impl HelloBuilder {
    /// Appends an extension (creating the block if there was none).
    pub fn extension(mut self, typ: impl Into<u16>, body: impl Into<Vec<u8>>) -> Self {
        self.extensions
            .get_or_insert_with(Vec::new)
            .push(RawExtension::new(typ, body));
        self
    }

    /// The extensions block contents, without its 2-byte length (empty when
    /// there is no block).
    pub fn extensions_block(&self) -> Vec<u8> {
        cat(self.extensions.iter().flatten().map(RawExtension::encode))
    }

    /// The ClientHello body (no handshake header).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.legacy_version.to_be_bytes().to_vec();
        out.extend_from_slice(&self.random);
        out.extend(u8_prefixed(&self.session_id));
        out.extend(u16_prefixed(&self.cipher_suites));
        out.extend(u8_prefixed(&self.compression_methods));
        if self.extensions.is_some() {
            out.extend(u16_prefixed(&self.extensions_block()));
        }
        out.extend_from_slice(&self.trailing);
        out
    }

    /// The body cut to its first `len` bytes.
    pub fn encode_truncated(&self, len: usize) -> Vec<u8> {
        let mut out = self.encode();
        assert!(len <= out.len(), "cut {len} beyond the end {}", out.len());
        out.truncate(len);
        out
    }

    /// Where each field starts in [`HelloBuilder::encode`]'s output.
    pub fn offsets(&self) -> HelloOffsets {
        let session_id = 2 + RANDOM_LEN;
        let cipher_suites = session_id + 1 + self.session_id.len();
        let compression_methods = cipher_suites + 2 + self.cipher_suites.len();
        let extensions = compression_methods + 1 + self.compression_methods.len();
        let block = match &self.extensions {
            Some(_) => 2 + self.extensions_block().len(),
            None => 0,
        };
        HelloOffsets {
            session_id,
            cipher_suites,
            compression_methods,
            extensions,
            end: extensions + block + self.trailing.len(),
        }
    }

    /// The hello as a handshake message (4-byte header included).
    pub fn handshake(&self) -> Vec<u8> {
        handshake_message(HANDSHAKE_CLIENT_HELLO, &self.encode())
    }

    /// The hello as one plaintext handshake record, version 0x0301 as
    /// clients send it.
    pub fn record(&self) -> Vec<u8> {
        record(CONTENT_HANDSHAKE, 0x0301, &self.handshake())
    }
}

// ---------------------------------------------------------------------------
// Typed, always-valid model.

/// status_request's body (RFC 6066 §8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusRequestModel {
    /// status_type ocsp (1) with an OCSPStatusRequest.
    Ocsp {
        /// Each ResponderID as its DER encoding.
        responder_ids: Vec<Vec<u8>>,
        /// `None`: an empty request_extensions. `Some(items)`: the DER
        /// SEQUENCE of these Extension DER items (possibly none).
        request_extensions: Option<Vec<Vec<u8>>>,
    },
    /// Any other status_type, with opaque request bytes.
    Other {
        /// The CertificateStatusType (never 1).
        status_type: u8,
        /// What follows it.
        request: Vec<u8>,
    },
}

impl StatusRequestModel {
    /// The DER SEQUENCE of request extensions, or empty.
    pub fn request_extensions_der(&self) -> Vec<u8> {
        match self {
            Self::Ocsp {
                request_extensions: Some(items),
                ..
            } => der(DER_SEQUENCE, &cat(items)),
            _ => Vec::new(),
        }
    }

    /// The encoded responder_id_list contents.
    pub fn responder_id_list(&self) -> Vec<u8> {
        match self {
            Self::Ocsp { responder_ids, .. } => {
                cat(responder_ids.iter().map(|id| u16_prefixed(id)))
            }
            Self::Other { .. } => Vec::new(),
        }
    }

    /// The extension body.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::Ocsp { .. } => cat([
                vec![1],
                u16_prefixed(&self.responder_id_list()),
                u16_prefixed(&self.request_extensions_der()),
            ]),
            Self::Other {
                status_type,
                request,
            } => cat([vec![*status_type], request.clone()]),
        }
    }
}

/// One valid ClientHello extension, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtensionModel {
    /// (name_type, name) pairs with distinct types and non-empty names.
    ServerName(Vec<(u8, Vec<u8>)>),
    /// 1..=127 versions.
    SupportedVersions(Vec<u16>),
    /// 1.. groups.
    SupportedGroups(Vec<u16>),
    /// 1.. signature schemes.
    SignatureAlgorithms(Vec<u16>),
    /// 1.. signature schemes.
    SignatureAlgorithmsCert(Vec<u16>),
    /// (group, key_exchange) with distinct groups and non-empty keys.
    KeyShare(Vec<(u16, Vec<u8>)>),
    /// 1..=255 modes.
    PskKeyExchangeModes(Vec<u8>),
    /// 1.. non-empty protocol names.
    Alpn(Vec<Vec<u8>>),
    /// Empty body.
    ExtendedMasterSecret,
    /// renegotiated_connection, 0..=255 bytes.
    RenegotiationInfo(Vec<u8>),
    /// An opaque ticket, possibly empty.
    SessionTicket(Vec<u8>),
    /// 1..=255 point formats.
    EcPointFormats(Vec<u8>),
    /// Padding bytes.
    Padding(Vec<u8>),
    /// status_request.
    StatusRequest(StatusRequestModel),
    /// 1.. (status_type, request) items.
    StatusRequestV2(Vec<(u8, Vec<u8>)>),
    /// A non-empty cookie.
    Cookie(Vec<u8>),
    /// Empty body.
    EarlyData,
    /// A type the parser has no typed accessor for (never GREASE).
    Unknown(u16, Vec<u8>),
    /// A GREASE type (RFC 8701).
    Grease(u16, Vec<u8>),
    /// (identity, obfuscated_ticket_age) and one binder per identity.
    PreSharedKey {
        /// Non-empty identities with their ages.
        identities: Vec<(Vec<u8>, u32)>,
        /// 32..=255-byte binders, as many as identities.
        binders: Vec<Vec<u8>>,
    },
}

/// The extension types [`ExtensionModel`] gives a typed variant.
pub const MODELLED_TYPES: [ExtensionType; 18] = [
    ExtensionType::ServerName,
    ExtensionType::SupportedVersions,
    ExtensionType::SupportedGroups,
    ExtensionType::SignatureAlgorithms,
    ExtensionType::SignatureAlgorithmsCert,
    ExtensionType::KeyShare,
    ExtensionType::PskKeyExchangeModes,
    ExtensionType::ApplicationLayerProtocolNegotiation,
    ExtensionType::ExtendedMasterSecret,
    ExtensionType::RenegotiationInfo,
    ExtensionType::SessionTicket,
    ExtensionType::EcPointFormats,
    ExtensionType::Padding,
    ExtensionType::StatusRequest,
    ExtensionType::StatusRequestV2,
    ExtensionType::Cookie,
    ExtensionType::EarlyData,
    ExtensionType::PreSharedKey,
];

impl ExtensionModel {
    /// The extension type code point.
    pub fn typ(&self) -> u16 {
        use ExtensionType as T;
        match self {
            Self::ServerName(_) => T::ServerName.to_wire(),
            Self::SupportedVersions(_) => T::SupportedVersions.to_wire(),
            Self::SupportedGroups(_) => T::SupportedGroups.to_wire(),
            Self::SignatureAlgorithms(_) => T::SignatureAlgorithms.to_wire(),
            Self::SignatureAlgorithmsCert(_) => T::SignatureAlgorithmsCert.to_wire(),
            Self::KeyShare(_) => T::KeyShare.to_wire(),
            Self::PskKeyExchangeModes(_) => T::PskKeyExchangeModes.to_wire(),
            Self::Alpn(_) => T::ApplicationLayerProtocolNegotiation.to_wire(),
            Self::ExtendedMasterSecret => T::ExtendedMasterSecret.to_wire(),
            Self::RenegotiationInfo(_) => T::RenegotiationInfo.to_wire(),
            Self::SessionTicket(_) => T::SessionTicket.to_wire(),
            Self::EcPointFormats(_) => T::EcPointFormats.to_wire(),
            Self::Padding(_) => T::Padding.to_wire(),
            Self::StatusRequest(_) => T::StatusRequest.to_wire(),
            Self::StatusRequestV2(_) => T::StatusRequestV2.to_wire(),
            Self::Cookie(_) => T::Cookie.to_wire(),
            Self::EarlyData => T::EarlyData.to_wire(),
            Self::Unknown(t, _) | Self::Grease(t, _) => *t,
            Self::PreSharedKey { .. } => T::PreSharedKey.to_wire(),
        }
    }

    /// The extension type as the parser names it.
    pub fn extension_type(&self) -> ExtensionType {
        ExtensionType::from_wire(self.typ())
    }

    /// Whether the type is GREASE.
    pub fn is_grease(&self) -> bool {
        is_grease(self.typ())
    }

    /// The extension body.
    pub fn body(&self) -> Vec<u8> {
        match self {
            Self::ServerName(names) => u16_prefixed(&cat(names
                .iter()
                .map(|(t, name)| cat([vec![*t], u16_prefixed(name)])))),
            Self::SupportedVersions(v) => u8_prefixed(&u16s(v)),
            Self::SupportedGroups(v)
            | Self::SignatureAlgorithms(v)
            | Self::SignatureAlgorithmsCert(v) => u16_prefixed(&u16s(v)),
            Self::KeyShare(entries) => u16_prefixed(&cat(entries
                .iter()
                .map(|(g, key)| cat([g.to_be_bytes().to_vec(), u16_prefixed(key)])))),
            Self::PskKeyExchangeModes(v) | Self::EcPointFormats(v) | Self::RenegotiationInfo(v) => {
                u8_prefixed(v)
            }
            Self::Alpn(names) => u16_prefixed(&cat(names.iter().map(|n| u8_prefixed(n)))),
            Self::ExtendedMasterSecret | Self::EarlyData => Vec::new(),
            Self::SessionTicket(v) | Self::Padding(v) => v.clone(),
            Self::StatusRequest(sr) => sr.encode(),
            Self::StatusRequestV2(items) => u16_prefixed(&cat(items
                .iter()
                .map(|(t, req)| cat([vec![*t], u16_prefixed(req)])))),
            Self::Cookie(v) => u16_prefixed(v),
            Self::Unknown(_, body) | Self::Grease(_, body) => body.clone(),
            Self::PreSharedKey {
                identities,
                binders,
            } => cat([
                u16_prefixed(&cat(identities.iter().map(|(id, age)| {
                    cat([u16_prefixed(id), age.to_be_bytes().to_vec()])
                }))),
                psk_binders_list(binders),
            ]),
        }
    }

    /// Type and body as a [`RawExtension`].
    pub fn to_raw(&self) -> RawExtension {
        RawExtension::new(self.typ(), self.body())
    }
}

/// The binders list of pre_shared_key with its 2-byte length: the bytes
/// that end a hello offering a PSK.
pub fn psk_binders_list(binders: &[Vec<u8>]) -> Vec<u8> {
    u16_prefixed(&cat(binders.iter().map(|b| u8_prefixed(b))))
}

/// A valid ClientHello, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloModel {
    /// legacy_version.
    pub legacy_version: u16,
    /// random.
    pub random: [u8; RANDOM_LEN],
    /// legacy_session_id, 0..=32 bytes.
    pub session_id: Vec<u8>,
    /// At least one suite, GREASE allowed.
    pub cipher_suites: Vec<u16>,
    /// Includes 0.
    pub compression_methods: Vec<u8>,
    /// Distinct types, pre_shared_key (if any) last; `None` for no block.
    pub extensions: Option<Vec<ExtensionModel>>,
}

impl HelloModel {
    /// The wire-level builder for this model.
    pub fn builder(&self) -> HelloBuilder {
        HelloBuilder {
            legacy_version: self.legacy_version,
            random: self.random,
            session_id: self.session_id.clone(),
            cipher_suites: u16s(&self.cipher_suites),
            compression_methods: self.compression_methods.clone(),
            extensions: self
                .extensions
                .as_ref()
                .map(|exts| exts.iter().map(ExtensionModel::to_raw).collect()),
            trailing: Vec::new(),
        }
    }

    /// The ClientHello body.
    pub fn encode(&self) -> Vec<u8> {
        self.builder().encode()
    }

    /// The extensions, empty when there is no block.
    pub fn extensions(&self) -> &[ExtensionModel] {
        self.extensions.as_deref().unwrap_or(&[])
    }

    /// The first extension for which `pick` returns something.
    pub fn pick<'a, T>(&'a self, pick: impl Fn(&'a ExtensionModel) -> Option<T>) -> Option<T> {
        self.extensions().iter().find_map(pick)
    }
}
