//! Extension types and borrowed, validated views of ClientHello extension
//! bodies.
//!
//! Each view is built by a `parse` function that checks the body against the
//! structure and bounds its RFC gives, so the view's iterators cannot meet a
//! malformed byte afterwards. Views are `Copy` and borrow the hello.

use super::der::{self, DerItems};
use super::error::{Field, InvalidMessage};
use super::reader::Reader;
use super::seen::{self, SeenU16};
pub use crate::enums::ExtensionType;

/// Whether `value` is a GREASE code point (RFC 8701 §2): 0x0A0A, 0x1A1A, ...
/// 0xFAFA. Clients sprinkle these into lists to keep servers tolerant of
/// unknown values; they are recognised and skipped.
pub const fn is_grease(value: u16) -> bool {
    let [hi, lo] = value.to_be_bytes();
    hi == lo && lo & 0x0f == 0x0a
}

/// What is wrong with an extension body. The checks below report this
/// one-byte value; the hello turns it into the [`InvalidMessage`] that
/// names the extension, off the hot path. The duplicates carry no value:
/// the cold path finds it again in the body (see
/// [`Malformed::in_extension`]), so that the hot path has nothing to carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// A length ran past the end of the body. Alert: decode_error.
    Truncated,
    /// Bytes were left over. Alert: decode_error.
    TrailingBytes,
    /// A vector's length lay outside its RFC bounds. Alert: decode_error.
    BadLength,
    /// A DER item was not well formed. Alert: decode_error.
    BadDer,
    /// key_share offered a group twice. Alert: illegal_parameter.
    DuplicateKeyShare,
    /// server_name listed a name type twice. Alert: illegal_parameter.
    DuplicateServerNameType,
    /// pre_shared_key's identities and binders differ in number.
    /// Alert: illegal_parameter.
    PskBinderCountMismatch,
}

impl Malformed {
    /// The error for this problem in `body`, the body of an extension of
    /// type `typ`.
    #[cold]
    pub(crate) fn in_extension(self, typ: ExtensionType, body: &[u8]) -> InvalidMessage {
        let field = Field::Extension(typ);
        match self {
            Self::Truncated => InvalidMessage::Truncated(field),
            Self::TrailingBytes => InvalidMessage::TrailingBytes(field),
            Self::BadLength => InvalidMessage::BadLength(field),
            Self::BadDer => InvalidMessage::BadDer(field),
            // The check stopped at the first repeat, after entries it had
            // found well formed, so walking them again finds the same one.
            Self::DuplicateKeyShare => InvalidMessage::DuplicateKeyShare(
                seen::first_duplicate(KeyShares::from_checked(body).entries().map(|e| e.group))
                    .unwrap_or_default(),
            ),
            Self::DuplicateServerNameType => {
                let types = ServerNames::from_checked(body)
                    .iter()
                    .map(|(t, _)| u16::from(t));
                let repeat = seen::first_duplicate(types).unwrap_or_default();
                InvalidMessage::DuplicateServerNameType(u8::try_from(repeat).unwrap_or_default())
            }
            Self::PskBinderCountMismatch => InvalidMessage::PskBinderCountMismatch,
        }
    }
}

/// Splits a vector with a 1-byte length prefix off the front of `bytes`:
/// its contents, and what follows it.
#[inline(always)]
fn split_vector_u8(bytes: &[u8]) -> Result<(&[u8], &[u8]), Malformed> {
    let Some((&len, rest)) = bytes.split_first() else {
        return Err(Malformed::Truncated);
    };
    rest.split_at_checked(usize::from(len))
        .ok_or(Malformed::Truncated)
}

/// Splits a vector with a 2-byte length prefix off the front of `bytes`:
/// its contents, and what follows it.
#[inline(always)]
fn split_vector_u16(bytes: &[u8]) -> Result<(&[u8], &[u8]), Malformed> {
    let Some((&len, rest)) = bytes.split_first_chunk::<2>() else {
        return Err(Malformed::Truncated);
    };
    rest.split_at_checked(usize::from(u16::from_be_bytes(len)))
        .ok_or(Malformed::Truncated)
}

/// The contents of a vector that must fill the rest of its body: too short
/// is a truncation, too long leaves trailing bytes. One comparison settles
/// both on the hot path.
#[inline(always)]
fn fill(declared: usize, contents: &[u8]) -> Result<&[u8], Malformed> {
    if declared == contents.len() {
        Ok(contents)
    } else if declared > contents.len() {
        Err(Malformed::Truncated)
    } else {
        Err(Malformed::TrailingBytes)
    }
}

/// The contents of an extension body that is exactly one vector with a
/// 1-byte length prefix.
#[inline(always)]
fn whole_vector_u8(body: &[u8]) -> Result<&[u8], Malformed> {
    let Some((&len, contents)) = body.split_first() else {
        return Err(Malformed::Truncated);
    };
    fill(usize::from(len), contents)
}

/// The contents of an extension body that is exactly one vector with a
/// 2-byte length prefix.
#[inline(always)]
fn whole_vector_u16(body: &[u8]) -> Result<&[u8], Malformed> {
    let Some((&len, contents)) = body.split_first_chunk::<2>() else {
        return Err(Malformed::Truncated);
    };
    fill(usize::from(u16::from_be_bytes(len)), contents)
}

/// What follows a validated vector's length prefix (see [`whole_vector_u8`]
/// and [`whole_vector_u16`]). For bytes that passed those checks this is
/// the same slice; for anything else it is still a slice, never a panic.
fn skip_prefix(body: &[u8], prefix_len: usize) -> &[u8] {
    body.get(prefix_len..).unwrap_or_default()
}

/// A list of 16-bit code points (cipher suites, groups, versions, signature
/// schemes). Iteration skips GREASE values; [`U16List::raw`] keeps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct U16List<'a> {
    raw: &'a [u8],
}

impl<'a> U16List<'a> {
    /// A list over `raw`, which the caller has checked holds a whole number
    /// of u16s (a stray odd byte would only be skipped by the iterator).
    pub(crate) const fn from_checked(raw: &'a [u8]) -> Self {
        Self { raw }
    }

    /// The list of an extension body checked by [`check_u16_list_u8`] or
    /// [`check_u16_list_u16`] (`prefix_len` 1 or 2).
    pub(crate) fn from_extension(body: &'a [u8], prefix_len: usize) -> Self {
        Self::from_checked(skip_prefix(body, prefix_len))
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

/// Checks a list of u16 values behind a 1-byte length prefix, `min..=max`
/// bytes long.
#[inline(always)]
pub(crate) fn check_u16_list_u8(body: &[u8], min: usize, max: usize) -> Result<(), Malformed> {
    check_u16_list_len(whole_vector_u8(body)?.len(), min, max)
}

/// Checks a list of u16 values behind a 2-byte length prefix, `min..=max`
/// bytes long.
#[inline(always)]
pub(crate) fn check_u16_list_u16(body: &[u8], min: usize, max: usize) -> Result<(), Malformed> {
    check_u16_list_len(whole_vector_u16(body)?.len(), min, max)
}

/// A list's byte length must lie in the RFC's bounds and be a whole number
/// of u16s; both failures are a bad length.
#[inline(always)]
fn check_u16_list_len(len: usize, min: usize, max: usize) -> Result<(), Malformed> {
    if len < min || len > max || !len.is_multiple_of(2) {
        return Err(Malformed::BadLength);
    }
    Ok(())
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
    /// Checks a server_name extension body.
    pub(crate) fn check(body: &[u8]) -> Result<(), Malformed> {
        // ServerName server_name_list<1..2^16-1>
        let mut rest = whole_vector_u16(body)?;
        if rest.is_empty() {
            return Err(Malformed::BadLength);
        }
        // At most 256 name types exist; a bitmap catches duplicates.
        let mut seen = [0u64; 4];
        while let Some((&name_type, tail)) = rest.split_first() {
            // NameType name_type; HostName opaque<1..2^16-1>. Every name
            // type is framed this way in practice, so unknown types are
            // skipped the same way.
            let (name, tail) = split_vector_u16(tail)?;
            if name.is_empty() {
                return Err(Malformed::BadLength);
            }
            // A u8 divided by 64 is below 4, so the word is always there
            // and the compiler drops the test (a match over the four words,
            // which needs none, made the whole ClientHello parse 4% slower);
            // were it missing, calling the type a repeat refuses the list
            // rather than let one through.
            let Some(seen) = seen.get_mut(usize::from(name_type / 64)) else {
                return Err(Malformed::DuplicateServerNameType);
            };
            let bit = 1u64 << (name_type % 64);
            if *seen & bit != 0 {
                return Err(Malformed::DuplicateServerNameType);
            }
            *seen |= bit;
            rest = tail;
        }
        Ok(())
    }

    /// The view of a body that passed [`ServerNames::check`].
    pub(crate) fn from_checked(body: &'a [u8]) -> Self {
        Self {
            raw: skip_prefix(body, 2),
        }
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
    /// Checks a key_share extension body.
    pub(crate) fn check(body: &[u8]) -> Result<(), Malformed> {
        // KeyShareEntry client_shares<0..2^16-1>
        let list = whole_vector_u16(body)?;
        let mut rest = list;
        let mut groups = SeenU16::new();
        while let Some((&group, tail)) = rest.split_first_chunk::<2>() {
            // NamedGroup group; opaque key_exchange<1..2^16-1>
            let (key, tail) = split_vector_u16(tail)?;
            if key.is_empty() {
                return Err(Malformed::BadLength);
            }
            // "Clients MUST NOT offer multiple KeyShareEntry values for the
            // same group" (§4.2.8).
            groups.insert(u16::from_be_bytes(group));
            rest = tail;
        }
        // One byte left: an entry cut short.
        if !rest.is_empty() {
            return Err(Malformed::Truncated);
        }
        if groups.maybe_repeated() && seen::first_duplicate(KeyShares::groups(list)).is_some() {
            return Err(Malformed::DuplicateKeyShare);
        }
        Ok(())
    }

    /// The view of a body that passed [`KeyShares::check`].
    pub(crate) fn from_checked(body: &'a [u8]) -> Self {
        Self {
            raw: skip_prefix(body, 2),
        }
    }

    /// The groups of a list of entries whose framing has been checked.
    fn groups(list: &[u8]) -> impl Iterator<Item = u16> + '_ {
        KeyShares { raw: list }.entries().map(|e| e.group)
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
    /// Checks an application_layer_protocol_negotiation extension body.
    pub(crate) fn check(body: &[u8]) -> Result<(), Malformed> {
        // ProtocolName protocol_name_list<2..2^16-1>
        let mut rest = whole_vector_u16(body)?;
        if rest.len() < 2 {
            return Err(Malformed::BadLength);
        }
        while !rest.is_empty() {
            // opaque ProtocolName<1..2^8-1>: "Empty strings MUST NOT be included".
            let (name, tail) = split_vector_u8(rest)?;
            if name.is_empty() {
                return Err(Malformed::BadLength);
            }
            rest = tail;
        }
        Ok(())
    }

    /// The view of a body that passed [`ProtocolNames::check`].
    pub(crate) fn from_checked(body: &'a [u8]) -> Self {
        Self {
            raw: skip_prefix(body, 2),
        }
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
    /// Checks a pre_shared_key extension body.
    pub(crate) fn check(body: &[u8]) -> Result<(), Malformed> {
        // PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>
        let (identities, rest) = split_vector_u16(body)?;
        let (binders, rest) = split_vector_u16(rest)?;
        if !rest.is_empty() {
            return Err(Malformed::TrailingBytes);
        }
        if identities.len() < 7 || binders.len() < 33 {
            return Err(Malformed::BadLength);
        }
        let mut count = 0usize;
        let mut rest = identities;
        while !rest.is_empty() {
            // opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age
            let (identity, tail) = split_vector_u16(rest)?;
            if identity.is_empty() {
                return Err(Malformed::BadLength);
            }
            let Some((_age, tail)) = tail.split_first_chunk::<4>() else {
                return Err(Malformed::Truncated);
            };
            count += 1;
            rest = tail;
        }
        let mut rest = binders;
        while !rest.is_empty() {
            // opaque PskBinderEntry<32..255>
            let (binder, tail) = split_vector_u8(rest)?;
            if binder.len() < 32 {
                return Err(Malformed::BadLength);
            }
            count = count.wrapping_sub(1);
            rest = tail;
        }
        if count != 0 {
            return Err(Malformed::PskBinderCountMismatch);
        }
        Ok(())
    }

    /// The view of a body that passed [`PreSharedKeyOffer::check`].
    pub(crate) fn from_checked(body: &'a [u8]) -> Self {
        let mut r = Reader::new(body, Field::Extension(ExtensionType::PreSharedKey));
        Self {
            identities: r.opaque_u16().unwrap_or_default(),
            binders: r.opaque_u16().unwrap_or_default(),
        }
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
    /// Checks a status_request extension body.
    pub(crate) fn check(body: &[u8]) -> Result<(), Malformed> {
        let Some((&status_type, rest)) = body.split_first() else {
            return Err(Malformed::Truncated);
        };
        if status_type != STATUS_TYPE_OCSP {
            // Another status type: its request's syntax is unknown, so the
            // body is kept whole and only the type is interpreted.
            return Ok(());
        }
        // ResponderID responder_id_list<0..2^16-1>; each opaque<1..2^16-1>
        // holding one DER ResponderID.
        let (ids, rest) = split_vector_u16(rest)?;
        // Mainstream clients send neither responder IDs nor extensions, so
        // the DER checks stay out of line.
        if !ids.is_empty() {
            check_responder_ids(ids)?;
        }
        // Extensions request_extensions: opaque<0..2^16-1> holding the DER
        // of an X.509 Extensions SEQUENCE, or nothing.
        let (request_extensions, rest) = split_vector_u16(rest)?;
        if !rest.is_empty() {
            return Err(Malformed::TrailingBytes);
        }
        if !request_extensions.is_empty() {
            check_request_extensions(request_extensions)?;
        }
        Ok(())
    }

    /// The view of a body that passed [`StatusRequest::check`].
    pub(crate) fn from_checked(body: &'a [u8]) -> Self {
        let mut r = Reader::new(body, Field::Extension(ExtensionType::StatusRequest));
        let status_type = r.u8().unwrap_or_default();
        let ocsp = (status_type == STATUS_TYPE_OCSP).then(|| OcspStatusRequest {
            responder_ids: r.opaque_u16().unwrap_or_default(),
            request_extensions: r.opaque_u16().unwrap_or_default(),
        });
        Self {
            raw: body,
            status_type,
            ocsp,
        }
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

/// Checks a responder_id_list: each entry one DER item.
#[inline(never)]
fn check_responder_ids(mut ids: &[u8]) -> Result<(), Malformed> {
    while !ids.is_empty() {
        let (id, tail) = split_vector_u16(ids)?;
        single_der_item(id)?;
        ids = tail;
    }
    Ok(())
}

/// Checks request_extensions: one DER SEQUENCE of whole DER items.
#[inline(never)]
fn check_request_extensions(der_bytes: &[u8]) -> Result<(), Malformed> {
    let seq = single_der_item(der_bytes)?;
    if seq.tag != der::SEQUENCE {
        return Err(Malformed::BadDer);
    }
    let mut items = seq.contents;
    while !items.is_empty() {
        let (_, after) = der::split_item(items).ok_or(Malformed::BadDer)?;
        items = after;
    }
    Ok(())
}

/// `bytes` as exactly one DER item.
fn single_der_item(bytes: &[u8]) -> Result<der::DerItem<'_>, Malformed> {
    match der::split_item(bytes) {
        Some((item, [])) => Ok(item),
        _ => Err(Malformed::BadDer),
    }
}

/// Checks a status_request_v2 body's framing (RFC 6961 §2.2): a non-empty
/// list of (status_type, u16-prefixed request) items. The body is exposed
/// raw; this server answers status_request, which TLS 1.3 kept.
pub(crate) fn check_status_request_v2(body: &[u8]) -> Result<(), Malformed> {
    // CertificateStatusRequestItemV2 certificate_status_req_list<1..2^16-1>
    let mut rest = whole_vector_u16(body)?;
    if rest.is_empty() {
        return Err(Malformed::BadLength);
    }
    while let Some((_status_type, tail)) = rest.split_first() {
        let (_request, tail) = split_vector_u16(tail)?;
        rest = tail;
    }
    Ok(())
}

/// Checks a body that RFC bounds as `opaque x<min..2^8-1>` with a 1-byte
/// length prefix.
#[inline(always)]
pub(crate) fn check_opaque_u8(body: &[u8], min: usize) -> Result<(), Malformed> {
    if whole_vector_u8(body)?.len() < min {
        return Err(Malformed::BadLength);
    }
    Ok(())
}

/// Checks a body that RFC bounds as `opaque x<min..2^16-1>` with a 2-byte
/// length prefix.
#[inline(always)]
pub(crate) fn check_opaque_u16(body: &[u8], min: usize) -> Result<(), Malformed> {
    if whole_vector_u16(body)?.len() < min {
        return Err(Malformed::BadLength);
    }
    Ok(())
}

/// The contents of a body checked by [`check_opaque_u8`] or
/// [`check_opaque_u16`] (`prefix_len` 1 or 2).
pub(crate) fn opaque_contents(body: &[u8], prefix_len: usize) -> &[u8] {
    skip_prefix(body, prefix_len)
}

/// Checks an extension that must be empty in a ClientHello (early_data,
/// extended_master_secret).
#[inline(always)]
pub(crate) fn check_empty(body: &[u8]) -> Result<(), Malformed> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(Malformed::TrailingBytes)
    }
}

/// Checks a body that is one uint16 (record_size_limit).
#[inline(always)]
pub(crate) fn check_u16(body: &[u8]) -> Result<(), Malformed> {
    match body.len() {
        2 => Ok(()),
        0 | 1 => Err(Malformed::Truncated),
        _ => Err(Malformed::TrailingBytes),
    }
}

#[cfg(test)]
mod tests;
