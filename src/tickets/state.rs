//! What a session ticket carries: the resumption state, as the server
//! seals it with [`TicketKeys`](super::TicketKeys) and reads it back.
//!
//! It binds what RFC 8446 §4.6.1 and §4.2.11 (and RFC 5077 §4 for TLS 1.2)
//! require a resumption to match: the protocol version and cipher suite,
//! the certificate (its SHA-256, so that a ticket outlives no change of
//! certificate), the SNI host name and the ALPN protocol; and what the
//! resumption needs: the secret (TLS 1.3's PSK, TLS 1.2's master secret),
//! whether TLS 1.2's extended master secret was used (RFC 7627 §5.3), and
//! TLS 1.3's issue time, lifetime and ticket_age_add for the age check.
//!
//! ```text
//! format (1) = 1
//! version (2)  cipher_suite (2)  flags (1: bit 0 extended master secret)
//! issued (8)  lifetime (4)  age_add (4)
//! secret: length (1) ‖ bytes (at most 48)
//! certificate SHA-256 (32)
//! server name: length (1) ‖ bytes (0 for none)
//! ALPN protocol: length (1) ‖ bytes (0 for none)
//! ```
//!
//! Decoding is strict: any other format, any length that does not add up,
//! and any byte past the end make it `None`, which a server meets with a
//! full handshake.

use bytes::Bytes;
use zeroize::Zeroizing;

use super::scratch::Scratch;
use crate::enums::{CipherSuite, ProtocolVersion};
use crate::pki::MAX_NAME_LEN;

/// The layout this code writes and reads.
const FORMAT: u8 = 1;
/// The longest secret: a SHA-384 PSK, or TLS 1.2's 48-byte master secret.
pub const MAX_SECRET_LEN: usize = 48;
/// The flag bit for the extended master secret.
const EMS: u8 = 1;
/// The versions' wire values (RFC 8446 §4.2.1, RFC 5246 §6.2.1).
const TLS13: u16 = 0x0304;
const TLS12: u16 = 0x0303;

/// The state a ticket seals. Its secret is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct ResumptionState {
    /// The version the session was made in; a ticket is never used in
    /// another.
    pub version: ProtocolVersion,
    /// The session's cipher suite (TLS 1.3 resumes with any suite of the
    /// same hash; TLS 1.2 with the same suite).
    pub cipher_suite: CipherSuite,
    /// TLS 1.3's PSK for this ticket, or TLS 1.2's master secret.
    pub secret: Zeroizing<Vec<u8>>,
    /// Whether the session used the extended master secret (TLS 1.2).
    pub extended_master_secret: bool,
    /// When the ticket was issued, seconds since the Unix epoch.
    pub issued: u64,
    /// How long the ticket may be used, in seconds (RFC 8446 §4.6.1: at
    /// most seven days).
    pub lifetime: u32,
    /// TLS 1.3's ticket_age_add, which hides the ticket's age on the wire.
    pub age_add: u32,
    /// SHA-256 of the DER of the certificate the session was made with.
    pub certificate_hash: [u8; 32],
    /// The SNI host name of the session, if any.
    pub server_name: Option<Box<str>>,
    /// The ALPN protocol of the session, if any.
    pub alpn_protocol: Option<Bytes>,
}

impl core::fmt::Debug for ResumptionState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the secret.
        f.debug_struct("ResumptionState")
            .field("version", &self.version)
            .field("cipher_suite", &self.cipher_suite)
            .field("extended_master_secret", &self.extended_master_secret)
            .field("issued", &self.issued)
            .field("lifetime", &self.lifetime)
            .field("server_name", &self.server_name)
            .field("alpn_protocol", &self.alpn_protocol)
            .finish_non_exhaustive()
    }
}

/// The fields of fixed length: format, version, suite, flags, issue time,
/// lifetime, age_add, the certificate hash, and the three length bytes.
const FIXED_LEN: usize = 1 + 2 + 2 + 1 + 8 + 4 + 4 + 32 + 3;

/// The longest encoding: a 48-byte secret, a 253-byte name and a 255-byte
/// protocol.
pub(crate) const MAX_STATE_LEN: usize = 1 + 2 + 2 + 1 + 8 + 4 + 4 + 1 + 48 + 32 + 1 + 253 + 1 + 255;

/// A resumption state with its variable fields borrowed: what the
/// handshake encodes from and decodes into, with no allocation. An empty
/// name or protocol is none.
pub(crate) struct StateView<'a> {
    pub(crate) version: ProtocolVersion,
    pub(crate) cipher_suite: CipherSuite,
    pub(crate) extended_master_secret: bool,
    pub(crate) issued: u64,
    pub(crate) lifetime: u32,
    pub(crate) age_add: u32,
    pub(crate) secret: &'a [u8],
    pub(crate) certificate_hash: [u8; 32],
    pub(crate) server_name: &'a [u8],
    pub(crate) alpn_protocol: &'a [u8],
}

impl<'a> StateView<'a> {
    /// The state's bytes, written into `buf`; their length, or `None` if a
    /// field is longer than the layout allows.
    pub(crate) fn encode_into(&self, buf: &mut Scratch<MAX_STATE_LEN>) -> Option<usize> {
        if self.secret.len() > MAX_SECRET_LEN || self.server_name.len() > MAX_NAME_LEN {
            return None;
        }
        let version: u16 = match self.version {
            ProtocolVersion::Tls13 => TLS13,
            ProtocolVersion::Tls12 => TLS12,
        };
        let mut w = Writer {
            buf: buf.take(self.encoded_len())?,
            at: 0,
        };
        w.put(&[FORMAT])?;
        w.put(&version.to_be_bytes())?;
        w.put(&self.cipher_suite.to_wire().to_be_bytes())?;
        w.put(&[if self.extended_master_secret { EMS } else { 0 }])?;
        w.put(&self.issued.to_be_bytes())?;
        w.put(&self.lifetime.to_be_bytes())?;
        w.put(&self.age_add.to_be_bytes())?;
        w.short(self.secret)?;
        w.put(&self.certificate_hash)?;
        w.short(self.server_name)?;
        w.short(self.alpn_protocol)?;
        Some(w.at)
    }

    /// The encoding's length: the fixed fields, the secret, the name and
    /// the protocol, each of the last three with its length byte.
    fn encoded_len(&self) -> usize {
        FIXED_LEN + self.secret.len() + self.server_name.len() + self.alpn_protocol.len()
    }

    /// Reads what [`Self::encode_into`] wrote; `None` for anything else.
    pub(crate) fn decode(bytes: &'a [u8]) -> Option<Self> {
        let mut r = Cursor(bytes);
        if r.u8()? != FORMAT {
            return None;
        }
        let version = match r.u16()? {
            TLS13 => ProtocolVersion::Tls13,
            TLS12 => ProtocolVersion::Tls12,
            _ => return None,
        };
        let cipher_suite = CipherSuite::from_wire(r.u16()?);
        let flags = r.u8()?;
        if flags & !EMS != 0 {
            return None;
        }
        let issued = u64::from_be_bytes(*r.array()?);
        let lifetime = u32::from_be_bytes(*r.array()?);
        let age_add = u32::from_be_bytes(*r.array()?);
        let secret = r.short()?;
        if secret.is_empty() || secret.len() > MAX_SECRET_LEN {
            return None;
        }
        let certificate_hash = *r.array::<32>()?;
        let server_name = r.short()?;
        let alpn_protocol = r.short()?;
        if !r.0.is_empty() || server_name.len() > MAX_NAME_LEN {
            return None;
        }
        core::str::from_utf8(server_name).ok()?;
        Some(Self {
            version,
            cipher_suite,
            extended_master_secret: flags & EMS != 0,
            issued,
            lifetime,
            age_add,
            secret,
            certificate_hash,
            server_name,
            alpn_protocol,
        })
    }
}

impl ResumptionState {
    fn view(&self) -> StateView<'_> {
        StateView {
            version: self.version,
            cipher_suite: self.cipher_suite,
            extended_master_secret: self.extended_master_secret,
            issued: self.issued,
            lifetime: self.lifetime,
            age_add: self.age_add,
            secret: &self.secret,
            certificate_hash: self.certificate_hash,
            server_name: self.server_name.as_deref().unwrap_or_default().as_bytes(),
            alpn_protocol: self.alpn_protocol.as_deref().unwrap_or_default(),
        }
    }

    /// The state as bytes, for [`TicketKeys::seal`](super::TicketKeys::seal);
    /// `None` if a field is longer than the layout allows (a secret over
    /// 48 bytes, a name over 253, a protocol over 255).
    pub fn encode(&self) -> Option<Zeroizing<Vec<u8>>> {
        let mut buf = Scratch::new();
        let len = self.view().encode_into(&mut buf)?;
        Some(Zeroizing::new(buf.take(len)?.to_vec()))
    }

    /// Reads what [`Self::encode`] wrote; `None` for anything else.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let view = StateView::decode(bytes)?;
        let server_name = match view.server_name {
            [] => None,
            name => Some(core::str::from_utf8(name).ok()?.into()),
        };
        Some(Self {
            version: view.version,
            cipher_suite: view.cipher_suite,
            secret: Zeroizing::new(view.secret.to_vec()),
            extended_master_secret: view.extended_master_secret,
            issued: view.issued,
            lifetime: view.lifetime,
            age_add: view.age_add,
            certificate_hash: view.certificate_hash,
            server_name,
            alpn_protocol: (!view.alpn_protocol.is_empty())
                .then(|| Bytes::copy_from_slice(view.alpn_protocol)),
        })
    }
}

/// A bounds-checked write into the encoding buffer.
struct Writer<'b> {
    buf: &'b mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.at.checked_add(bytes.len())?;
        self.buf.get_mut(self.at..end)?.copy_from_slice(bytes);
        self.at = end;
        Some(())
    }

    /// A field of a one-byte length and its bytes.
    fn short(&mut self, field: &[u8]) -> Option<()> {
        self.put(&[u8::try_from(field.len()).ok()?])?;
        self.put(field)
    }
}

/// A bounds-checked read of the state's bytes.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn array<const N: usize>(&mut self) -> Option<&'a [u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| *b)
    }

    fn u16(&mut self) -> Option<u16> {
        self.array().map(|b| u16::from_be_bytes(*b))
    }

    /// A field of a one-byte length and its bytes.
    fn short(&mut self) -> Option<&'a [u8]> {
        let len = usize::from(self.u8()?);
        let (field, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ResumptionState {
        ResumptionState {
            version: ProtocolVersion::Tls13,
            cipher_suite: CipherSuite::from_wire(0x1301),
            secret: Zeroizing::new(vec![9; 32]),
            extended_master_secret: true,
            issued: 1_800_000_000,
            lifetime: 7200,
            age_add: 0xdead_beef,
            certificate_hash: [3; 32],
            server_name: Some("localhost".into()),
            alpn_protocol: Some(Bytes::from_static(b"h2")),
        }
    }

    #[test]
    fn a_state_round_trips() {
        for state in [
            state(),
            ResumptionState {
                version: ProtocolVersion::Tls12,
                secret: Zeroizing::new(vec![1; 48]),
                extended_master_secret: false,
                server_name: None,
                alpn_protocol: None,
                ..state()
            },
        ] {
            let bytes = state.encode().unwrap();
            assert_eq!(ResumptionState::decode(&bytes), Some(state));
        }
    }

    #[test]
    fn anything_but_an_encoded_state_is_none() {
        let bytes = state().encode().unwrap();
        for len in 0..bytes.len() {
            assert_eq!(ResumptionState::decode(&bytes[..len]), None, "cut at {len}");
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert_eq!(ResumptionState::decode(&longer), None);
        let mut other_format = bytes.to_vec();
        other_format[0] = 2;
        assert_eq!(ResumptionState::decode(&other_format), None);
        let mut other_version = bytes.to_vec();
        other_version[2] = 2; // 0x0302, TLS 1.1
        assert_eq!(ResumptionState::decode(&other_version), None);
        let mut unknown_flag = bytes.to_vec();
        unknown_flag[5] |= 2;
        assert_eq!(ResumptionState::decode(&unknown_flag), None);
    }

    #[test]
    fn fields_past_the_layout_do_not_encode() {
        let long_secret = ResumptionState {
            secret: Zeroizing::new(vec![0; MAX_SECRET_LEN + 1]),
            ..state()
        };
        assert!(long_secret.encode().is_none());
        let long_alpn = ResumptionState {
            alpn_protocol: Some(Bytes::from(vec![b'a'; 256])),
            ..state()
        };
        assert!(long_alpn.encode().is_none());
    }

    #[test]
    fn debug_shows_no_secret() {
        let shown = format!("{:?}", state());
        assert!(
            !shown.contains(" secret:") && !shown.contains("[9, 9"),
            "{shown}"
        );
    }
}
