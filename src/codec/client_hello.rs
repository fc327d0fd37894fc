//! A validated, borrowed view of a ClientHello (RFC 8446 §4.1.2,
//! RFC 5246 §7.4.1.2).
//!
//! [`ClientHello::parse`] checks the whole message in one pass, including the
//! body of every extension it knows, and allocates nothing. The view keeps
//! the input and, for each known extension, where its body lies in it; the
//! accessors rebuild slices and typed views from those positions, so they
//! cannot fail, and the view stays small enough to return cheaply.

use super::error::{Field, InvalidMessage};
use super::extensions::{
    self as ext, ExtensionType, KeyShares, Malformed, PreSharedKeyOffer, ProtocolNames,
    ServerNames, StatusRequest, U16List, STATUS_TYPE_OCSP,
};
use super::reader::Reader;
use super::seen::{self, SeenU16};

/// Bytes in ClientHello.random.
pub const RANDOM_LEN: usize = 32;

/// The longest legacy_session_id (RFC 8446 §4.1.2: `opaque legacy_session_id<0..32>`).
pub const MAX_SESSION_ID_LEN: usize = 32;

/// Where legacy_session_id starts: after legacy_version, random and the
/// session ID's own length byte.
const SESSION_ID_AT: usize = 2 + RANDOM_LEN + 1;

/// A parsed ClientHello borrowing the message body it was parsed from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ClientHello<'a> {
    body: &'a [u8],
    random: &'a [u8; RANDOM_LEN],
    /// The extensions block without its length prefix; empty if absent.
    extensions: &'a [u8],
    legacy_version: u16,
    /// The three variable fields before the extensions follow each other,
    /// so their lengths place them.
    cipher_suites_len: u16,
    session_id_len: u8,
    compression_methods_len: u8,
    /// Whether an extension only TLS 1.2 reads (ec_point_formats,
    /// extended_master_secret, renegotiation_info) has a malformed body:
    /// such a body is left unjudged by the parse, since a TLS 1.3
    /// handshake never reads it, and its accessor says it is absent;
    /// [`ClientHello::check_tls12_extensions`] reports it.
    tls12_malformed: bool,
    /// Where the body of each extension with a typed accessor starts in
    /// `extensions`, or 0 if it was not sent (no body starts at 0: its type
    /// and length come first). The block is at most 2^16-1 bytes, so an
    /// offset fits in 16 bits, and the body's length is the u16 just
    /// before it.
    known: [u16; SLOT_COUNT],
}

/// Defines [`Slot`] and [`SLOT_COUNT`] from one list of slots. A fieldless
/// enum numbers its variants from 0 in order, and the count is the length
/// of the list, so every slot's number is below it: `ClientHello::known`
/// has a place for each slot, whatever slots are added later.
macro_rules! slots {
    ($($slot:ident,)*) => {
        /// The extensions with a typed accessor, each an index into
        /// `ClientHello::known`. Dispatch goes through [`SLOT_BY_TYPE`] so
        /// that the per-extension cost on the hot path is one table load
        /// and one jump.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        enum Slot {
            $($slot,)*
        }

        /// How many [`Slot`]s there are.
        const SLOT_COUNT: usize = [$(Slot::$slot,)*].len();
    };
}

slots! {
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
    RecordSizeLimit,
}

/// The places in `ClientHello::known` that accessors read by name. Constants,
/// so that the compiler checks each index against the array's length.
const STATUS_REQUEST: usize = Slot::StatusRequest as usize;
const EXTENDED_MASTER_SECRET: usize = Slot::ExtendedMasterSecret as usize;
const PRE_SHARED_KEY: usize = Slot::PreSharedKey as usize;
const EARLY_DATA: usize = Slot::EarlyData as usize;

/// Every known type but renegotiation_info (0xff01) is below 64: one entry
/// per bit of the `u64` in which [`scan_extensions`] catches repeats, so a
/// type that has an entry here has a bit there.
const SLOT_BY_TYPE: [Option<Slot>; u64::BITS as usize] = {
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
    table[28] = Some(Slot::RecordSizeLimit);
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

/// Validates the body of a known extension against its RFC structure.
/// Always inlined: in the hot loop of [`scan_extensions`] it compiles to a
/// jump table, and called out of line it costs a third of the parse.
#[inline(always)]
fn check_known(slot: Slot, body: &[u8]) -> Result<(), Malformed> {
    match slot {
        Slot::ServerName => ServerNames::check(body),
        Slot::StatusRequest => StatusRequest::check(body),
        // NamedGroup named_group_list<2..2^16-1> (RFC 8446 §4.2.7)
        Slot::SupportedGroups => ext::check_u16_list_u16(body, 2, 0xffff),
        // ECPointFormat ec_point_format_list<1..2^8-1> (RFC 8422 §5.1.2)
        Slot::EcPointFormats => ext::check_opaque_u8(body, 1),
        // SignatureScheme supported_signature_algorithms<2..2^16-2> (§4.2.3)
        Slot::SignatureAlgorithms | Slot::SignatureAlgorithmsCert => {
            ext::check_u16_list_u16(body, 2, 0xfffe)
        }
        Slot::Alpn => ProtocolNames::check(body),
        Slot::StatusRequestV2 => ext::check_status_request_v2(body),
        // Padding is zeros by RFC 7685 §3, but its content is meaningless,
        // so it is not checked; a session ticket is opaque, empty to ask
        // for a new one (RFC 5077 §3.2).
        Slot::Padding | Slot::SessionTicket => Ok(()),
        // The ClientHello forms of these two are empty (RFC 7627 §5.1,
        // RFC 8446 §4.2.10).
        Slot::ExtendedMasterSecret | Slot::EarlyData => ext::check_empty(body),
        Slot::PreSharedKey => PreSharedKeyOffer::check(body),
        // ProtocolVersion versions<2..254> (RFC 8446 §4.2.1)
        Slot::SupportedVersions => ext::check_u16_list_u8(body, 2, 254),
        // opaque cookie<1..2^16-1> (§4.2.2)
        Slot::Cookie => ext::check_opaque_u16(body, 1),
        // PskKeyExchangeMode ke_modes<1..255> (§4.2.9)
        Slot::PskKeyExchangeModes => ext::check_opaque_u8(body, 1),
        Slot::KeyShare => KeyShares::check(body),
        // opaque renegotiated_connection<0..255> (RFC 5746 §3.2)
        Slot::RenegotiationInfo => ext::check_opaque_u8(body, 0),
        // uint16 RecordSizeLimit (RFC 8449 §4): exactly two bytes; the
        // value's lower bound is judged by the server (illegal_parameter).
        Slot::RecordSizeLimit => ext::check_u16(body),
    }
}

/// The error for a malformed body of an extension of type `typ`.
#[cold]
#[inline(never)]
fn malformed_extension(problem: Malformed, typ: u16, body: &[u8]) -> InvalidMessage {
    problem.in_extension(ExtensionType::from_wire(typ), body)
}

/// The error for a second extension of type `typ`. Cold: building the
/// `ExtensionType` is a large match that the hot loop should not carry.
#[cold]
#[inline(never)]
fn duplicate_extension(typ: u16) -> InvalidMessage {
    InvalidMessage::DuplicateExtension(ExtensionType::from_wire(typ))
}

/// Whether `slot` is an extension only TLS 1.2 reads. Once TLS 1.3 is
/// chosen their contents mean nothing, so a malformed one must not fail a
/// TLS 1.3 handshake (as the best servers behave); it is judged when TLS
/// 1.2 is chosen.
const fn tls12_only(slot: Slot) -> bool {
    matches!(
        slot,
        Slot::EcPointFormats | Slot::ExtendedMasterSecret | Slot::RenegotiationInfo
    )
}

/// Walks the extensions block once: checks its framing, rejects a repeated
/// type, validates the body of each known extension, and notes in `known`
/// where each of those starts. Returns whether a TLS 1.2-only extension
/// was malformed (see [`tls12_only`]); it is then left out of `known`.
fn scan_extensions(block: &[u8], known: &mut [u16; SLOT_COUNT]) -> Result<bool, InvalidMessage> {
    const RENEGOTIATION_INFO: u16 = ExtensionType::RenegotiationInfo.to_wire();
    // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same
    // type in a given extension block." Types below 64, which include
    // every extension in common use, each have a bit here, so a repeat is
    // caught where it occurs. The rest (GREASE, renegotiation_info, newer
    // types) go in a hashed filter, and a possible repeat among them is
    // settled after the block: a hello that also has a malformed extension
    // later on is refused for that one instead.
    let mut low_types = 0u64;
    let mut high_types = SeenU16::new();
    let mut tls12_malformed = false;
    let mut rest = block;
    while let Some((&header, tail)) = rest.split_first_chunk::<4>() {
        let this = rest;
        // ExtensionType extension_type; opaque extension_data<0..2^16-1>
        let header = u32::from_be_bytes(header);
        let typ = (header >> 16) as u16;
        let len = (header & 0xffff) as usize;
        let Some((body, after)) = tail.split_at_checked(len) else {
            return Err(InvalidMessage::Truncated(Field::Extensions));
        };
        // An offset into the block, whose u16 length prefix bounds it.
        let start = (block.len() - tail.len()) as u16;
        rest = after;
        // The table has an entry for each type below 64, so looking one up
        // is also the test for a low type, and needs no second comparison.
        let slot = if let Some(&entry) = SLOT_BY_TYPE.get(usize::from(typ)) {
            let bit = 1u64 << typ;
            if low_types & bit != 0 {
                return Err(judge_repeat(typ, this));
            }
            low_types |= bit;
            match entry {
                Some(slot) => slot,
                None => continue,
            }
        } else {
            high_types.insert(typ);
            if typ != RENEGOTIATION_INFO {
                continue;
            }
            Slot::RenegotiationInfo
        };
        if let Err(problem) = check_known(slot, body) {
            if !tls12_only(slot) {
                return Err(malformed_extension(problem, typ, body));
            }
            tls12_malformed = true;
            continue;
        }
        // Always there: every slot's number is below SLOT_COUNT (see
        // `slots!`), which the compiler also knows, so no test is left.
        if let Some(at) = known.get_mut(slot as usize) {
            *at = start;
        }
    }
    // One to three bytes left: a header cut short.
    if !rest.is_empty() {
        return Err(InvalidMessage::Truncated(Field::Extensions));
    }
    if high_types.maybe_repeated() {
        if let Some(dup) = seen::first_duplicate(raw_extensions(block).map(|(t, _)| t.to_wire())) {
            return Err(duplicate_extension(dup));
        }
    }
    // "The pre_shared_key extension MUST be the last extension in the
    // ClientHello" (RFC 8446 §4.2.11): its body ends the block.
    let psk_at = usize::from(known[PRE_SHARED_KEY]);
    if psk_at != 0 && body_at(block, psk_at).len() != block.len() - psk_at {
        return Err(InvalidMessage::PreSharedKeyNotLast);
    }
    Ok(tls12_malformed)
}

/// The error for a block in which the extension at the front of `from`
/// repeats a type (`typ`) seen before it. A repeat is judged only once the
/// rest of the block has parsed (RFC 8446 §6.2: a message that cannot be
/// decoded is a decode_error, whatever else is wrong with it), so the rest
/// is walked here first: the repeated extension and those after it are
/// framed and checked as `scan_extensions` would. Cold, so the hot loop
/// keeps its single test for a repeat.
/// The slot of an extension type with a typed accessor, off the hot path
/// (`scan_extensions` does the same lookup folded into its repeat test).
fn slot_of(typ: u16) -> Option<Slot> {
    const RENEGOTIATION_INFO: u16 = ExtensionType::RenegotiationInfo.to_wire();
    match SLOT_BY_TYPE.get(usize::from(typ)) {
        Some(&entry) => entry,
        None => (typ == RENEGOTIATION_INFO).then_some(Slot::RenegotiationInfo),
    }
}

#[cold]
#[inline(never)]
fn judge_repeat(typ: u16, from: &[u8]) -> InvalidMessage {
    let mut rest = from;
    while let Some((&header, tail)) = rest.split_first_chunk::<4>() {
        let header = u32::from_be_bytes(header);
        let this_type = (header >> 16) as u16;
        let Some((body, after)) = tail.split_at_checked((header & 0xffff) as usize) else {
            return InvalidMessage::Truncated(Field::Extensions);
        };
        rest = after;
        if let Some(slot) = slot_of(this_type).filter(|&slot| !tls12_only(slot)) {
            if let Err(problem) = check_known(slot, body) {
                return malformed_extension(problem, this_type, body);
            }
        }
    }
    if !rest.is_empty() {
        return InvalidMessage::Truncated(Field::Extensions);
    }
    duplicate_extension(typ)
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
        const TRUNCATED: InvalidMessage = InvalidMessage::Truncated(Field::ClientHello);
        let Some((&[v0, v1], rest)) = body.split_first_chunk::<2>() else {
            return Err(TRUNCATED);
        };
        let Some((random, rest)) = rest.split_first_chunk::<RANDOM_LEN>() else {
            return Err(TRUNCATED);
        };

        let Some((&session_id_len, rest)) = rest.split_first() else {
            return Err(TRUNCATED);
        };
        let Some(rest) = rest.get(usize::from(session_id_len)..) else {
            return Err(TRUNCATED);
        };
        if usize::from(session_id_len) > MAX_SESSION_ID_LEN {
            return Err(InvalidMessage::BadLength(Field::SessionId));
        }

        // CipherSuite cipher_suites<2..2^16-2>
        let Some((&suites_len, rest)) = rest.split_first_chunk::<2>() else {
            return Err(TRUNCATED);
        };
        let cipher_suites_len = u16::from_be_bytes(suites_len);
        let Some(rest) = rest.get(usize::from(cipher_suites_len)..) else {
            return Err(TRUNCATED);
        };
        if cipher_suites_len == 0 || cipher_suites_len % 2 != 0 {
            return Err(InvalidMessage::BadLength(Field::CipherSuites));
        }

        // opaque legacy_compression_methods<1..2^8-1>, which must offer null
        // (RFC 5246 §7.4.1.2; TLS 1.3 further requires exactly [0], which the
        // server checks once it has chosen TLS 1.3).
        let Some((&compression_methods_len, rest)) = rest.split_first() else {
            return Err(TRUNCATED);
        };
        let Some((methods, rest)) = rest.split_at_checked(usize::from(compression_methods_len))
        else {
            return Err(TRUNCATED);
        };
        if methods.is_empty() {
            return Err(InvalidMessage::BadLength(Field::CompressionMethods));
        }

        // A TLS 1.2 client may omit the extensions block entirely
        // (RFC 5246 §7.4.1.2); TLS 1.3's mandatory extensions are checked by
        // the server once it knows which version it is speaking.
        let mut known = [0; SLOT_COUNT];
        let mut tls12_malformed = false;
        let extensions = if rest.is_empty() {
            rest
        } else {
            let Some((&block_len, block)) = rest.split_first_chunk::<2>() else {
                return Err(InvalidMessage::Truncated(Field::Extensions));
            };
            let block_len = usize::from(u16::from_be_bytes(block_len));
            if block_len != block.len() {
                return Err(if block_len > block.len() {
                    InvalidMessage::Truncated(Field::Extensions)
                } else {
                    InvalidMessage::TrailingBytes(Field::Extensions)
                });
            }
            tls12_malformed = scan_extensions(block, &mut known)?;
            block
        };
        // Judged only now that the whole message has parsed, so that a
        // hello whose lengths do not add up gets decode_error, whatever its
        // compression methods (RFC 8446 §6.2). Nearly always exactly [0]:
        // look at the first byte before calling memchr over the rest.
        if methods.first() != Some(&0) && !methods.contains(&0) {
            return Err(InvalidMessage::NoNullCompression);
        }
        Ok(Self {
            body,
            random,
            extensions,
            legacy_version: u16::from_be_bytes([v0, v1]),
            cipher_suites_len,
            session_id_len,
            compression_methods_len,
            tls12_malformed,
            known,
        })
    }

    /// `len` bytes of the body from `start`: a field whose place parsing
    /// established, so the range is always inside the body.
    fn field(&self, start: usize, len: usize) -> &'a [u8] {
        self.body.get(start..start + len).unwrap_or_default()
    }

    /// Where cipher_suites starts, after its length prefix.
    fn cipher_suites_at(&self) -> usize {
        SESSION_ID_AT + usize::from(self.session_id_len) + 2
    }

    /// The body of the known extension in `slot`, if it was sent.
    fn known(&self, slot: Slot) -> Option<&'a [u8]> {
        // Always there, as in `scan_extensions`.
        match self.known.get(slot as usize) {
            None | Some(0) => None,
            Some(&at) => Some(body_at(self.extensions, usize::from(at))),
        }
    }

    /// Checks the bodies of the extensions only TLS 1.2 reads
    /// (ec_point_formats, extended_master_secret, renegotiation_info),
    /// which [`ClientHello::parse`] leaves unjudged: a TLS 1.3 handshake
    /// ignores them, so it must not fail on them. A TLS 1.2 server calls
    /// this before it reads them; their accessors treat a malformed one as
    /// absent. The error is the decode_error the parse would have given.
    pub fn check_tls12_extensions(&self) -> Result<(), InvalidMessage> {
        if !self.tls12_malformed {
            return Ok(());
        }
        for (typ, body) in raw_extensions(self.extensions) {
            let Some(slot) = slot_of(typ.to_wire()).filter(|&slot| tls12_only(slot)) else {
                continue;
            };
            if let Err(problem) = check_known(slot, body) {
                return Err(problem.in_extension(typ, body));
            }
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
    pub fn session_id(&self) -> &'a [u8] {
        self.field(SESSION_ID_AT, usize::from(self.session_id_len))
    }

    /// The cipher suites in the client's order of preference (GREASE skipped
    /// when iterating).
    pub fn cipher_suites(&self) -> U16List<'a> {
        U16List::from_checked(
            self.field(self.cipher_suites_at(), usize::from(self.cipher_suites_len)),
        )
    }

    /// legacy_compression_methods: always includes 0 (null).
    pub fn compression_methods(&self) -> &'a [u8] {
        self.field(
            self.cipher_suites_at() + usize::from(self.cipher_suites_len) + 1,
            usize::from(self.compression_methods_len),
        )
    }

    /// Every extension in wire order, unknown types included and GREASE
    /// types skipped.
    pub fn extensions(&self) -> impl Iterator<Item = Extension<'a>> + 'a {
        raw_extensions(self.extensions)
            .filter(|(typ, _)| !ext::is_grease(typ.to_wire()))
            .map(|(typ, body)| Extension { typ, body })
    }

    /// Every extension in wire order, GREASE included: for comparing two
    /// hellos as sent.
    pub(crate) fn extensions_with_grease(
        &self,
    ) -> impl Iterator<Item = (ExtensionType, &'a [u8])> + 'a {
        raw_extensions(self.extensions)
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
    pub fn server_name(&self) -> Option<ServerNames<'a>> {
        self.known(Slot::ServerName).map(ServerNames::from_checked)
    }

    /// supported_versions (RFC 8446 §4.2.1).
    pub fn supported_versions(&self) -> Option<U16List<'a>> {
        self.known(Slot::SupportedVersions)
            .map(|body| U16List::from_extension(body, 1))
    }

    /// supported_groups (RFC 8446 §4.2.7, RFC 8422 §5.1.1).
    pub fn supported_groups(&self) -> Option<U16List<'a>> {
        self.known(Slot::SupportedGroups)
            .map(|body| U16List::from_extension(body, 2))
    }

    /// signature_algorithms (RFC 8446 §4.2.3).
    pub fn signature_algorithms(&self) -> Option<U16List<'a>> {
        self.known(Slot::SignatureAlgorithms)
            .map(|body| U16List::from_extension(body, 2))
    }

    /// signature_algorithms_cert (RFC 8446 §4.2.3).
    pub fn signature_algorithms_cert(&self) -> Option<U16List<'a>> {
        self.known(Slot::SignatureAlgorithmsCert)
            .map(|body| U16List::from_extension(body, 2))
    }

    /// key_share (RFC 8446 §4.2.8).
    pub fn key_share(&self) -> Option<KeyShares<'a>> {
        self.known(Slot::KeyShare).map(KeyShares::from_checked)
    }

    /// psk_key_exchange_modes (RFC 8446 §4.2.9): one byte per mode.
    pub fn psk_key_exchange_modes(&self) -> Option<&'a [u8]> {
        self.known(Slot::PskKeyExchangeModes)
            .map(|body| ext::opaque_contents(body, 1))
    }

    /// pre_shared_key (RFC 8446 §4.2.11); always the last extension.
    pub fn pre_shared_key(&self) -> Option<PreSharedKeyOffer<'a>> {
        self.known(Slot::PreSharedKey)
            .map(PreSharedKeyOffer::from_checked)
    }

    /// Whether early_data was offered (RFC 8446 §4.2.10).
    pub fn early_data(&self) -> bool {
        self.known[EARLY_DATA] != 0
    }

    /// cookie (RFC 8446 §4.2.2), echoed from a HelloRetryRequest.
    pub fn cookie(&self) -> Option<&'a [u8]> {
        self.known(Slot::Cookie)
            .map(|body| ext::opaque_contents(body, 2))
    }

    /// application_layer_protocol_negotiation (RFC 7301).
    pub fn alpn(&self) -> Option<ProtocolNames<'a>> {
        self.known(Slot::Alpn).map(ProtocolNames::from_checked)
    }

    /// record_size_limit (RFC 8449 §4): the largest protected record's
    /// plaintext the client will take (in TLS 1.3 counting the content
    /// type byte).
    pub fn record_size_limit(&self) -> Option<u16> {
        self.known(Slot::RecordSizeLimit)
            .and_then(|body| body.first_chunk::<2>())
            .map(|&bytes| u16::from_be_bytes(bytes))
    }

    /// Whether extended_master_secret was offered (RFC 7627).
    pub fn extended_master_secret(&self) -> bool {
        self.known[EXTENDED_MASTER_SECRET] != 0
    }

    /// renegotiation_info's renegotiated_connection (RFC 5746): empty on an
    /// initial handshake.
    pub fn renegotiation_info(&self) -> Option<&'a [u8]> {
        self.known(Slot::RenegotiationInfo)
            .map(|body| ext::opaque_contents(body, 1))
    }

    /// session_ticket (RFC 5077): a ticket, or empty to ask for one.
    pub fn session_ticket(&self) -> Option<&'a [u8]> {
        self.known(Slot::SessionTicket)
    }

    /// ec_point_formats (RFC 8422 §5.1.2).
    pub fn ec_point_formats(&self) -> Option<&'a [u8]> {
        self.known(Slot::EcPointFormats)
            .map(|body| ext::opaque_contents(body, 1))
    }

    /// padding (RFC 7685): the padding bytes.
    pub fn padding(&self) -> Option<&'a [u8]> {
        self.known(Slot::Padding)
    }

    /// status_request (RFC 6066 §8).
    pub fn status_request(&self) -> Option<StatusRequest<'a>> {
        self.known(Slot::StatusRequest)
            .map(StatusRequest::from_checked)
    }

    /// Whether the client asks for a stapled OCSP response: status_request
    /// of type ocsp.
    #[inline]
    pub fn requests_ocsp(&self) -> bool {
        // The body starts with its status_type (it cannot be empty).
        match self.known[STATUS_REQUEST] {
            0 => false,
            at => self.extensions.get(usize::from(at)) == Some(&STATUS_TYPE_OCSP),
        }
    }

    /// status_request_v2 (RFC 6961), raw: its framing is checked, its
    /// content is not interpreted.
    pub fn status_request_v2(&self) -> Option<&'a [u8]> {
        self.known(Slot::StatusRequestV2)
    }

    /// Whether `suite` is offered, in cipher_suites (also used for the SCSVs
    /// of RFC 5746 and RFC 7507).
    pub fn offers_cipher_suite(&self, suite: u16) -> bool {
        self.cipher_suites().contains(suite)
    }
}

/// Shows the fields as the accessors give them, not the offsets kept inside.
impl core::fmt::Debug for ClientHello<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        /// The extensions as a list, without collecting them.
        struct Extensions<'h, 'a>(&'h ClientHello<'a>);
        impl core::fmt::Debug for Extensions<'_, '_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_list().entries(self.0.extensions()).finish()
            }
        }
        f.debug_struct("ClientHello")
            .field(
                "legacy_version",
                &format_args!("{:#06x}", self.legacy_version),
            )
            .field("random", self.random)
            .field("session_id", &self.session_id())
            .field("cipher_suites", &self.cipher_suites())
            .field("compression_methods", &self.compression_methods())
            .field("extensions", &Extensions(self))
            .finish()
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

/// The body of the extension whose body starts at offset `at` of a checked
/// extensions block: its length is the u16 just before it.
fn body_at(block: &[u8], at: usize) -> &[u8] {
    let len = match block.get(at.wrapping_sub(2)..at) {
        Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
        _ => 0,
    };
    block.get(at..at + len).unwrap_or_default()
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
