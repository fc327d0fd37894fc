//! A validated, borrowed view of a ClientHello (RFC 8446 §4.1.2,
//! RFC 5246 §7.4.1.2).
//!
//! [`ClientHello::parse`] checks the whole message in one pass, including the
//! body of every extension it knows, and allocates nothing: every field
//! borrows the input. After it succeeds, the accessors cannot fail.

use super::extensions::{
    self as ext, ExtensionType, KeyShares, PreSharedKeyOffer, ProtocolNames, ServerNames,
    StatusRequest, U16List,
};
use super::reader::Reader;
use super::seen::{self, SeenU16};
use crate::error::{Field, InvalidMessage};

/// Bytes in ClientHello.random.
pub const RANDOM_LEN: usize = 32;

/// The longest legacy_session_id (RFC 8446 §4.1.2: `opaque legacy_session_id<0..32>`).
pub const MAX_SESSION_ID_LEN: usize = 32;

/// A parsed ClientHello borrowing the message body it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientHello<'a> {
    body: &'a [u8],
    legacy_version: u16,
    random: &'a [u8; RANDOM_LEN],
    session_id: &'a [u8],
    cipher_suites: U16List<'a>,
    compression_methods: &'a [u8],
    extensions: &'a [u8],
    known: KnownExtensions<'a>,
}

/// The validated bodies of the extensions this crate understands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct KnownExtensions<'a> {
    /// One bit per [`Slot`], set once that extension has been seen.
    seen: u32,
    server_name: Option<ServerNames<'a>>,
    status_request: Option<StatusRequest<'a>>,
    supported_groups: Option<U16List<'a>>,
    ec_point_formats: Option<&'a [u8]>,
    signature_algorithms: Option<U16List<'a>>,
    alpn: Option<ProtocolNames<'a>>,
    status_request_v2: Option<&'a [u8]>,
    padding: Option<&'a [u8]>,
    session_ticket: Option<&'a [u8]>,
    pre_shared_key: Option<PreSharedKeyOffer<'a>>,
    supported_versions: Option<U16List<'a>>,
    cookie: Option<&'a [u8]>,
    psk_key_exchange_modes: Option<&'a [u8]>,
    signature_algorithms_cert: Option<U16List<'a>>,
    key_share: Option<KeyShares<'a>>,
    renegotiation_info: Option<&'a [u8]>,
}

/// The extensions with a typed accessor, each with its bit in
/// `KnownExtensions::seen`. Dispatch goes through [`SLOT_BY_TYPE`] so that
/// the per-extension cost on the hot path is one table load and one jump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Slot {
    ServerName,
    StatusRequest,
    SupportedGroups,
    EcPointFormats,
    SignatureAlgorithms,
    Alpn,
    StatusRequestV2,
    Padding,
    ExtendedMasterSecret,
    SessionTicket,
    PreSharedKey,
    EarlyData,
    SupportedVersions,
    Cookie,
    PskKeyExchangeModes,
    SignatureAlgorithmsCert,
    KeyShare,
    RenegotiationInfo,
}

/// Every known type but renegotiation_info (0xff01) is below 64.
const SLOT_BY_TYPE: [Option<Slot>; 64] = {
    let mut table = [None; 64];
    table[0] = Some(Slot::ServerName);
    table[5] = Some(Slot::StatusRequest);
    table[10] = Some(Slot::SupportedGroups);
    table[11] = Some(Slot::EcPointFormats);
    table[13] = Some(Slot::SignatureAlgorithms);
    table[16] = Some(Slot::Alpn);
    table[17] = Some(Slot::StatusRequestV2);
    table[21] = Some(Slot::Padding);
    table[23] = Some(Slot::ExtendedMasterSecret);
    table[35] = Some(Slot::SessionTicket);
    table[41] = Some(Slot::PreSharedKey);
    table[42] = Some(Slot::EarlyData);
    table[43] = Some(Slot::SupportedVersions);
    table[44] = Some(Slot::Cookie);
    table[45] = Some(Slot::PskKeyExchangeModes);
    table[50] = Some(Slot::SignatureAlgorithmsCert);
    table[51] = Some(Slot::KeyShare);
    table
};

/// The slot of an extension type, if it has a typed accessor.
fn slot_of(typ: u16) -> Option<Slot> {
    match SLOT_BY_TYPE.get(usize::from(typ)) {
        Some(slot) => *slot,
        None if typ == ExtensionType::RenegotiationInfo.to_wire() => Some(Slot::RenegotiationInfo),
        None => None,
    }
}

impl<'a> KnownExtensions<'a> {
    fn has(&self, slot: Slot) -> bool {
        self.seen & (1 << slot as u32) != 0
    }

    /// Validates and records one extension. Returns false if the type is not
    /// one of ours (the caller then checks it for duplicates itself).
    fn record(&mut self, typ: u16, body: &'a [u8]) -> Result<bool, InvalidMessage> {
        use ExtensionType as T;
        let Some(slot) = slot_of(typ) else {
            return Ok(false);
        };
        if self.has(slot) {
            return Err(InvalidMessage::DuplicateExtension(T::from_wire(typ)));
        }
        self.seen |= 1 << slot as u32;
        match slot {
            Slot::ServerName => self.server_name = Some(ServerNames::parse(body)?),
            Slot::StatusRequest => self.status_request = Some(StatusRequest::parse(body)?),
            // NamedGroup named_group_list<2..2^16-1> (RFC 8446 §4.2.7)
            Slot::SupportedGroups => {
                self.supported_groups =
                    Some(ext::u16_list_body(body, T::SupportedGroups, 2, 2, 0xffff)?)
            }
            // ECPointFormat ec_point_format_list<1..2^8-1> (RFC 8422 §5.1.2)
            Slot::EcPointFormats => {
                self.ec_point_formats = Some(ext::opaque_u8_body(body, T::EcPointFormats, 1)?)
            }
            // SignatureScheme supported_signature_algorithms<2..2^16-2> (§4.2.3)
            Slot::SignatureAlgorithms => {
                self.signature_algorithms = Some(ext::u16_list_body(
                    body,
                    T::SignatureAlgorithms,
                    2,
                    2,
                    0xfffe,
                )?)
            }
            Slot::SignatureAlgorithmsCert => {
                self.signature_algorithms_cert = Some(ext::u16_list_body(
                    body,
                    T::SignatureAlgorithmsCert,
                    2,
                    2,
                    0xfffe,
                )?)
            }
            Slot::Alpn => self.alpn = Some(ProtocolNames::parse(body)?),
            Slot::StatusRequestV2 => {
                ext::check_status_request_v2(body)?;
                self.status_request_v2 = Some(body);
            }
            // Padding is zeros by RFC 7685 §3, but its content is meaningless,
            // so it is not checked.
            Slot::Padding => self.padding = Some(body),
            // The ClientHello forms of these two are empty (RFC 7627 §5.1,
            // RFC 8446 §4.2.10).
            Slot::ExtendedMasterSecret => ext::empty_body(body, T::ExtendedMasterSecret)?,
            Slot::EarlyData => ext::empty_body(body, T::EarlyData)?,
            // An opaque ticket, empty to ask for a new one (RFC 5077 §3.2).
            Slot::SessionTicket => self.session_ticket = Some(body),
            Slot::PreSharedKey => self.pre_shared_key = Some(PreSharedKeyOffer::parse(body)?),
            // ProtocolVersion versions<2..254> (RFC 8446 §4.2.1)
            Slot::SupportedVersions => {
                self.supported_versions =
                    Some(ext::u16_list_body(body, T::SupportedVersions, 1, 2, 254)?)
            }
            // opaque cookie<1..2^16-1> (§4.2.2)
            Slot::Cookie => self.cookie = Some(ext::opaque_u16_body(body, T::Cookie, 1)?),
            // PskKeyExchangeMode ke_modes<1..255> (§4.2.9)
            Slot::PskKeyExchangeModes => {
                self.psk_key_exchange_modes =
                    Some(ext::opaque_u8_body(body, T::PskKeyExchangeModes, 1)?)
            }
            Slot::KeyShare => self.key_share = Some(KeyShares::parse(body)?),
            // opaque renegotiated_connection<0..255> (RFC 5746 §3.2)
            Slot::RenegotiationInfo => {
                self.renegotiation_info = Some(ext::opaque_u8_body(body, T::RenegotiationInfo, 0)?)
            }
        }
        Ok(true)
    }
}

impl<'a> ClientHello<'a> {
    /// Parses and validates a ClientHello body (the handshake message without
    /// its 4-byte header).
    ///
    /// Errors name what was wrong and map to the alert RFC 8446 §6.2 asks
    /// for: a length that does not add up or bytes left over give
    /// decode_error; a duplicate extension, pre_shared_key not last, or no
    /// null compression method give illegal_parameter.
    pub fn parse(body: &'a [u8]) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(body, Field::ClientHello);
        let legacy_version = r.u16()?;
        let random = r.array::<RANDOM_LEN>()?;

        let session_id = r.opaque_u8()?;
        if session_id.len() > MAX_SESSION_ID_LEN {
            return Err(InvalidMessage::BadLength(Field::SessionId));
        }

        // CipherSuite cipher_suites<2..2^16-2>
        let suites = r.opaque_u16()?;
        if suites.is_empty() {
            return Err(InvalidMessage::BadLength(Field::CipherSuites));
        }
        let cipher_suites = U16List::new(suites, Field::CipherSuites)?;

        // opaque legacy_compression_methods<1..2^8-1>, which must offer null
        // (RFC 5246 §7.4.1.2; TLS 1.3 further requires exactly [0], which the
        // server checks once it has chosen TLS 1.3).
        let compression_methods = r.opaque_u8()?;
        if compression_methods.is_empty() {
            return Err(InvalidMessage::BadLength(Field::CompressionMethods));
        }
        if !compression_methods.contains(&0) {
            return Err(InvalidMessage::NoNullCompression);
        }

        let mut hello = Self {
            body,
            legacy_version,
            random,
            session_id,
            cipher_suites,
            compression_methods,
            extensions: &[],
            known: KnownExtensions::default(),
        };
        // A TLS 1.2 client may omit the extensions block entirely
        // (RFC 5246 §7.4.1.2); TLS 1.3's mandatory extensions are checked by
        // the server once it knows which version it is speaking.
        if r.is_empty() {
            return Ok(hello);
        }
        let mut block = Reader::new(r.rest(), Field::Extensions);
        hello.extensions = block.opaque_u16()?;
        block.finish()?;
        hello.parse_extensions()?;
        Ok(hello)
    }

    fn parse_extensions(&mut self) -> Result<(), InvalidMessage> {
        let all = self.extensions;
        let mut r = Reader::new(all, Field::Extensions);
        let mut last = None;
        // Known types are tracked by `known`; the others (GREASE, new
        // extensions) here. RFC 8446 §4.2: "There MUST NOT be more than one
        // extension of the same type in a given extension block."
        let mut unknown = SeenU16::new();
        while !r.is_empty() {
            let typ = r.u16()?;
            let body = r.opaque_u16()?;
            if !self.known.record(typ, body)? && !unknown.insert(typ) {
                return Err(InvalidMessage::DuplicateExtension(
                    ExtensionType::from_wire(typ),
                ));
            }
            last = Some(typ);
        }
        if unknown.overflowed() {
            if let Some(dup) = seen::first_duplicate(raw_extensions(all).map(|(t, _)| t.to_wire()))
            {
                return Err(InvalidMessage::DuplicateExtension(
                    ExtensionType::from_wire(dup),
                ));
            }
        }
        // "The pre_shared_key extension MUST be the last extension in the
        // ClientHello" (RFC 8446 §4.2.11).
        if self.known.pre_shared_key.is_some()
            && last != Some(ExtensionType::PreSharedKey.to_wire())
        {
            return Err(InvalidMessage::PreSharedKeyNotLast);
        }
        Ok(())
    }

    /// The whole message body this view was parsed from.
    pub const fn body(&self) -> &'a [u8] {
        self.body
    }

    /// legacy_version: 0x0303 from any client that speaks TLS 1.2 or later.
    pub const fn legacy_version(&self) -> u16 {
        self.legacy_version
    }

    /// The client's 32 random bytes.
    pub const fn random(&self) -> &'a [u8; RANDOM_LEN] {
        self.random
    }

    /// legacy_session_id (0 to 32 bytes), echoed by a TLS 1.3 server.
    pub const fn session_id(&self) -> &'a [u8] {
        self.session_id
    }

    /// The cipher suites in the client's order of preference (GREASE skipped
    /// when iterating).
    pub const fn cipher_suites(&self) -> U16List<'a> {
        self.cipher_suites
    }

    /// legacy_compression_methods: always includes 0 (null).
    pub const fn compression_methods(&self) -> &'a [u8] {
        self.compression_methods
    }

    /// Every extension in wire order, unknown types included and GREASE
    /// types skipped.
    pub fn extensions(&self) -> impl Iterator<Item = Extension<'a>> + 'a {
        raw_extensions(self.extensions)
            .filter(|(typ, _)| !ext::is_grease(typ.to_wire()))
            .map(|(typ, body)| Extension { typ, body })
    }

    /// The extensions block without its length prefix, GREASE included.
    pub const fn raw_extensions(&self) -> &'a [u8] {
        self.extensions
    }

    /// The body of the extension of type `typ`, known or not.
    pub fn extension(&self, typ: ExtensionType) -> Option<&'a [u8]> {
        raw_extensions(self.extensions).find_map(|(t, body)| (t == typ).then_some(body))
    }

    /// server_name (RFC 6066 §3).
    pub const fn server_name(&self) -> Option<ServerNames<'a>> {
        self.known.server_name
    }

    /// supported_versions (RFC 8446 §4.2.1).
    pub const fn supported_versions(&self) -> Option<U16List<'a>> {
        self.known.supported_versions
    }

    /// supported_groups (RFC 8446 §4.2.7, RFC 8422 §5.1.1).
    pub const fn supported_groups(&self) -> Option<U16List<'a>> {
        self.known.supported_groups
    }

    /// signature_algorithms (RFC 8446 §4.2.3).
    pub const fn signature_algorithms(&self) -> Option<U16List<'a>> {
        self.known.signature_algorithms
    }

    /// signature_algorithms_cert (RFC 8446 §4.2.3).
    pub const fn signature_algorithms_cert(&self) -> Option<U16List<'a>> {
        self.known.signature_algorithms_cert
    }

    /// key_share (RFC 8446 §4.2.8).
    pub const fn key_share(&self) -> Option<KeyShares<'a>> {
        self.known.key_share
    }

    /// psk_key_exchange_modes (RFC 8446 §4.2.9): one byte per mode.
    pub const fn psk_key_exchange_modes(&self) -> Option<&'a [u8]> {
        self.known.psk_key_exchange_modes
    }

    /// pre_shared_key (RFC 8446 §4.2.11); always the last extension.
    pub const fn pre_shared_key(&self) -> Option<PreSharedKeyOffer<'a>> {
        self.known.pre_shared_key
    }

    /// Whether early_data was offered (RFC 8446 §4.2.10).
    pub fn early_data(&self) -> bool {
        self.known.has(Slot::EarlyData)
    }

    /// cookie (RFC 8446 §4.2.2), echoed from a HelloRetryRequest.
    pub const fn cookie(&self) -> Option<&'a [u8]> {
        self.known.cookie
    }

    /// application_layer_protocol_negotiation (RFC 7301).
    pub const fn alpn(&self) -> Option<ProtocolNames<'a>> {
        self.known.alpn
    }

    /// Whether extended_master_secret was offered (RFC 7627).
    pub fn extended_master_secret(&self) -> bool {
        self.known.has(Slot::ExtendedMasterSecret)
    }

    /// renegotiation_info's renegotiated_connection (RFC 5746): empty on an
    /// initial handshake.
    pub const fn renegotiation_info(&self) -> Option<&'a [u8]> {
        self.known.renegotiation_info
    }

    /// session_ticket (RFC 5077): a ticket, or empty to ask for one.
    pub const fn session_ticket(&self) -> Option<&'a [u8]> {
        self.known.session_ticket
    }

    /// ec_point_formats (RFC 8422 §5.1.2).
    pub const fn ec_point_formats(&self) -> Option<&'a [u8]> {
        self.known.ec_point_formats
    }

    /// padding (RFC 7685): the padding bytes.
    pub const fn padding(&self) -> Option<&'a [u8]> {
        self.known.padding
    }

    /// status_request (RFC 6066 §8).
    pub const fn status_request(&self) -> Option<StatusRequest<'a>> {
        self.known.status_request
    }

    /// Whether the client asks for a stapled OCSP response: status_request
    /// of type ocsp.
    pub const fn requests_ocsp(&self) -> bool {
        matches!(self.known.status_request, Some(sr) if sr.ocsp().is_some())
    }

    /// status_request_v2 (RFC 6961), raw: its framing is checked, its
    /// content is not interpreted.
    pub const fn status_request_v2(&self) -> Option<&'a [u8]> {
        self.known.status_request_v2
    }

    /// Whether `suite` is offered, in cipher_suites (also used for the SCSVs
    /// of RFC 5746 and RFC 7507).
    pub fn offers_cipher_suite(&self, suite: u16) -> bool {
        self.cipher_suites.contains(suite)
    }
}

/// One extension of a ClientHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension<'a> {
    /// Its type.
    pub typ: ExtensionType,
    /// Its body, without the type and length.
    pub body: &'a [u8],
}

/// Walks an extensions block whose framing has already been checked.
fn raw_extensions(block: &[u8]) -> impl Iterator<Item = (ExtensionType, &[u8])> {
    let mut r = Reader::new(block, Field::Extensions);
    core::iter::from_fn(move || {
        Some((
            ExtensionType::from_wire(r.u16().ok()?),
            r.opaque_u16().ok()?,
        ))
    })
}
