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
use super::seen::SeenU16;
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
    /// One bit per [`known_slot`], set once that extension has been seen.
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

/// A bit index for each extension with a typed accessor; `None` for the rest.
const fn known_slot(typ: ExtensionType) -> Option<u32> {
    use ExtensionType as T;
    Some(match typ {
        T::ServerName => 0,
        T::StatusRequest => 1,
        T::SupportedGroups => 2,
        T::EcPointFormats => 3,
        T::SignatureAlgorithms => 4,
        T::ApplicationLayerProtocolNegotiation => 5,
        T::StatusRequestV2 => 6,
        T::Padding => 7,
        T::ExtendedMasterSecret => 8,
        T::SessionTicket => 9,
        T::PreSharedKey => 10,
        T::EarlyData => 11,
        T::SupportedVersions => 12,
        T::Cookie => 13,
        T::PskKeyExchangeModes => 14,
        T::SignatureAlgorithmsCert => 15,
        T::KeyShare => 16,
        T::RenegotiationInfo => 17,
        _ => return None,
    })
}

impl<'a> KnownExtensions<'a> {
    fn has(&self, typ: ExtensionType) -> bool {
        known_slot(typ).is_some_and(|slot| self.seen & (1 << slot) != 0)
    }

    /// Validates and records one extension. Returns false if the type is not
    /// one of ours (the caller then checks it for duplicates itself).
    fn record(&mut self, typ: ExtensionType, body: &'a [u8]) -> Result<bool, InvalidMessage> {
        use ExtensionType as T;
        let Some(slot) = known_slot(typ) else {
            return Ok(false);
        };
        if self.seen & (1 << slot) != 0 {
            return Err(InvalidMessage::DuplicateExtension(typ));
        }
        self.seen |= 1 << slot;
        match typ {
            T::ServerName => self.server_name = Some(ServerNames::parse(body)?),
            T::StatusRequest => self.status_request = Some(StatusRequest::parse(body)?),
            // NamedGroup named_group_list<2..2^16-1> (RFC 8446 §4.2.7)
            T::SupportedGroups => {
                self.supported_groups = Some(ext::u16_list_body(body, typ, 2, 2, 0xffff)?)
            }
            // ECPointFormat ec_point_format_list<1..2^8-1> (RFC 8422 §5.1.2)
            T::EcPointFormats => self.ec_point_formats = Some(ext::opaque_u8_body(body, typ, 1)?),
            // SignatureScheme supported_signature_algorithms<2..2^16-2> (§4.2.3)
            T::SignatureAlgorithms => {
                self.signature_algorithms = Some(ext::u16_list_body(body, typ, 2, 2, 0xfffe)?)
            }
            T::SignatureAlgorithmsCert => {
                self.signature_algorithms_cert = Some(ext::u16_list_body(body, typ, 2, 2, 0xfffe)?)
            }
            T::ApplicationLayerProtocolNegotiation => self.alpn = Some(ProtocolNames::parse(body)?),
            T::StatusRequestV2 => {
                ext::check_status_request_v2(body)?;
                self.status_request_v2 = Some(body);
            }
            // Padding is zeros by RFC 7685 §3, but its content is meaningless,
            // so it is not checked.
            T::Padding => self.padding = Some(body),
            // The ClientHello forms of these two are empty (RFC 7627 §5.1,
            // RFC 8446 §4.2.10).
            T::ExtendedMasterSecret | T::EarlyData => ext::empty_body(body, typ)?,
            // An opaque ticket, empty to ask for a new one (RFC 5077 §3.2).
            T::SessionTicket => self.session_ticket = Some(body),
            T::PreSharedKey => self.pre_shared_key = Some(PreSharedKeyOffer::parse(body)?),
            // ProtocolVersion versions<2..254> (RFC 8446 §4.2.1)
            T::SupportedVersions => {
                self.supported_versions = Some(ext::u16_list_body(body, typ, 1, 2, 254)?)
            }
            // opaque cookie<1..2^16-1> (§4.2.2)
            T::Cookie => self.cookie = Some(ext::opaque_u16_body(body, typ, 1)?),
            // PskKeyExchangeMode ke_modes<1..255> (§4.2.9)
            T::PskKeyExchangeModes => {
                self.psk_key_exchange_modes = Some(ext::opaque_u8_body(body, typ, 1)?)
            }
            T::KeyShare => self.key_share = Some(KeyShares::parse(body)?),
            // opaque renegotiated_connection<0..255> (RFC 5746 §3.2)
            T::RenegotiationInfo => {
                self.renegotiation_info = Some(ext::opaque_u8_body(body, typ, 0)?)
            }
            _ => {}
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
            let typ = ExtensionType::from_wire(r.u16()?);
            let body = r.opaque_u16()?;
            if !self.known.record(typ, body)? && !unknown.insert(typ.to_wire()) {
                return Err(InvalidMessage::DuplicateExtension(typ));
            }
            last = Some(typ);
        }
        // "The pre_shared_key extension MUST be the last extension in the
        // ClientHello" (RFC 8446 §4.2.11).
        if self.known.pre_shared_key.is_some() && last != Some(ExtensionType::PreSharedKey) {
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
        self.known.has(ExtensionType::EarlyData)
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
        self.known.has(ExtensionType::ExtendedMasterSecret)
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
