//! PEM files (RFC 7468) split into certificates and private keys, and raw
//! DER told apart from PEM.
//!
//! The splitter is lenient where files in the wild differ and strict where
//! it matters: text outside `-----BEGIN`/`-----END` blocks is ignored (openssl
//! writes `Bag Attributes` and `-text` dumps there), CRLF line ends, blank
//! lines and any line width are accepted, blocks with labels this module does
//! not use (`EC PARAMETERS`, `CERTIFICATE REQUEST`, ...) are skipped; but a
//! block that is not closed, is closed with another label, or holds bad
//! base64 is an error, and so is an encrypted private key, which stapler
//! cannot decrypt. The base64 itself is decoded by `der`'s PEM support.
//!
//! ```
//! use stapler::pki::pem::{self, KeyFormat};
//!
//! let combined = include_bytes!("../../tests/data/pki/leaf-ecdsa-combined.pem");
//! assert!(pem::is_pem(combined));
//! assert_eq!(pem::certificates_from_pem(combined)?.len(), 1);
//! assert_eq!(pem::private_key_from_pem(combined)?.format(), KeyFormat::Pkcs8);
//! # Ok::<(), stapler::pki::PemError>(())
//! ```

use core::fmt;

use bytes::Bytes;
use der::{asn1::AnyRef, Decode, Reader, SliceReader, Tag, Tagged};

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// The encoding of a private key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyFormat {
    /// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5208, RFC 5958);
    /// PEM label `PRIVATE KEY`. Any key type.
    Pkcs8,
    /// SEC1 `ECPrivateKey` (RFC 5915); PEM label `EC PRIVATE KEY`.
    Sec1,
    /// PKCS#1 `RSAPrivateKey` (RFC 8017 appendix A.1.2); PEM label
    /// `RSA PRIVATE KEY`.
    Pkcs1,
}

impl KeyFormat {
    /// The PEM label a key of this format is written with.
    pub const fn pem_label(self) -> &'static str {
        match self {
            Self::Pkcs8 => "PRIVATE KEY",
            Self::Sec1 => "EC PRIVATE KEY",
            Self::Pkcs1 => "RSA PRIVATE KEY",
        }
    }

    fn from_pem_label(label: &[u8]) -> Option<Self> {
        match label {
            b"PRIVATE KEY" => Some(Self::Pkcs8),
            b"EC PRIVATE KEY" => Some(Self::Sec1),
            b"RSA PRIVATE KEY" => Some(Self::Pkcs1),
            _ => None,
        }
    }

    /// Tells the format of a DER private key from its shape, without
    /// decoding the key:
    ///
    /// - `SEQUENCE { INTEGER, SEQUENCE, ... }`: PKCS#8 (the algorithm
    ///   identifier follows the version);
    /// - `SEQUENCE { INTEGER, OCTET STRING, ... }`: SEC1 (the private scalar
    ///   follows the version);
    /// - `SEQUENCE { INTEGER, INTEGER, ... }`: PKCS#1 (the modulus follows
    ///   the version);
    /// - `SEQUENCE { SEQUENCE, OCTET STRING }`: a PKCS#8
    ///   `EncryptedPrivateKeyInfo`, reported as [`PemError::EncryptedKey`].
    ///
    /// Anything else, or trailing bytes, is [`PemError::UnrecognizedKey`].
    pub fn sniff_der(der: &[u8]) -> Result<Self, PemError> {
        let outer = AnyRef::from_der(der).map_err(|_| PemError::UnrecognizedKey)?;
        if outer.tag() != Tag::Sequence {
            return Err(PemError::UnrecognizedKey);
        }
        let mut inner = SliceReader::new(outer.value()).map_err(|_| PemError::UnrecognizedKey)?;
        let first = inner
            .decode::<AnyRef<'_>>()
            .map_err(|_| PemError::UnrecognizedKey)?;
        let second = Tag::peek(&inner).map_err(|_| PemError::UnrecognizedKey)?;
        match (first.tag(), second) {
            (Tag::Integer, Tag::Sequence) => Ok(Self::Pkcs8),
            (Tag::Integer, Tag::OctetString) => Ok(Self::Sec1),
            (Tag::Integer, Tag::Integer) => Ok(Self::Pkcs1),
            (Tag::Sequence, Tag::OctetString) => Err(PemError::EncryptedKey { line: None }),
            _ => Err(PemError::UnrecognizedKey),
        }
    }
}

impl fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pkcs8 => "PKCS#8",
            Self::Sec1 => "SEC1",
            Self::Pkcs1 => "PKCS#1",
        })
    }
}

/// A DER private key and its format. Its `Debug` output does not show the
/// key, and its buffer is overwritten with zeros when it is dropped (best
/// effort: copies the allocator or the caller made are out of reach).
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKeyDer {
    format: KeyFormat,
    der: Vec<u8>,
}

impl PrivateKeyDer {
    /// Wraps a DER private key of a known format. The bytes are not checked
    /// here; the signing code that loads the key does that.
    pub fn new(format: KeyFormat, der: Vec<u8>) -> Self {
        Self { format, der }
    }

    /// Wraps a DER private key, telling its format with
    /// [`KeyFormat::sniff_der`].
    pub fn from_der(mut der: Vec<u8>) -> Result<Self, PemError> {
        match KeyFormat::sniff_der(&der) {
            Ok(format) => Ok(Self { format, der }),
            Err(e) => {
                wipe(&mut der);
                Err(e)
            }
        }
    }

    /// The key's encoding.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// The DER bytes of the key.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

impl Drop for PrivateKeyDer {
    fn drop(&mut self) {
        wipe(&mut self.der);
    }
}

impl fmt::Debug for PrivateKeyDer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKeyDer")
            .field("format", &self.format)
            .field("len", &self.der.len())
            .finish_non_exhaustive()
    }
}

/// Overwrites a buffer with zeros; `black_box` keeps the writes from being
/// optimized away as dead stores (best effort, as its docs say).
fn wipe(buf: &mut [u8]) {
    buf.iter_mut().for_each(|b| *b = 0);
    core::hint::black_box(buf);
}

/// One item of a PEM file that stapler uses.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PemItem {
    /// A DER X.509 certificate (label `CERTIFICATE`). Not yet parsed: see
    /// [`Certificate::from_der`](super::Certificate::from_der).
    Certificate(Bytes),
    /// A private key (label `PRIVATE KEY`, `EC PRIVATE KEY` or
    /// `RSA PRIVATE KEY`).
    PrivateKey(PrivateKeyDer),
}

/// Why a PEM block could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MalformedPem {
    /// A `-----BEGIN` line with no `-----END` line after it.
    Unterminated,
    /// A `-----BEGIN` line inside a block that was not closed.
    NestedBegin,
    /// An `-----END` line whose label differs from its `-----BEGIN` line.
    LabelMismatch,
    /// An `-----END` line with no block open.
    UnexpectedEnd,
    /// The text between the boundaries is not valid base64, or is empty.
    BadBase64,
    /// RFC 1421 headers (`Name: value` lines) where none are allowed.
    UnexpectedHeaders,
    /// The decoded bytes are not one DER `SEQUENCE`.
    NotDer,
}

impl fmt::Display for MalformedPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unterminated => "the block has no END line",
            Self::NestedBegin => "a BEGIN line comes before the open block's END line",
            Self::LabelMismatch => "the END line's label differs from the BEGIN line's",
            Self::UnexpectedEnd => "an END line without a BEGIN line",
            Self::BadBase64 => "the block is not valid base64",
            Self::UnexpectedHeaders => "the block has headers",
            Self::NotDer => "the block does not hold one DER SEQUENCE",
        })
    }
}

/// What went wrong reading certificates or keys from PEM or DER.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PemError {
    /// The input has no `CERTIFICATE` block.
    NoCertificate,
    /// The input has no private key block.
    NoPrivateKey,
    /// The input has more than one private key, and which one is meant
    /// cannot be told.
    MultiplePrivateKeys,
    /// A block could not be read.
    Malformed {
        /// The 1-based line of the block's `-----BEGIN` line (or of the
        /// stray `-----END` line).
        line: usize,
        /// What was wrong with it.
        kind: MalformedPem,
    },
    /// A private key is encrypted (`ENCRYPTED PRIVATE KEY`, or a legacy
    /// `Proc-Type: 4,ENCRYPTED` header). stapler does not decrypt keys:
    /// decrypt it first, for example with `openssl pkey -in key.pem`.
    EncryptedKey {
        /// The 1-based line of the key's `-----BEGIN` line, if it was PEM.
        line: Option<usize>,
    },
    /// DER bytes that are not a private key of a known format.
    UnrecognizedKey,
    /// The input is neither PEM nor a sequence of DER `SEQUENCE`s.
    NotPemOrDer,
}

impl fmt::Display for PemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCertificate => f.write_str("no certificate found"),
            Self::NoPrivateKey => f.write_str("no private key found"),
            Self::MultiplePrivateKeys => f.write_str("more than one private key found"),
            Self::Malformed { line, kind } => {
                write!(f, "malformed PEM block at line {line}: {kind}")
            }
            Self::EncryptedKey { line } => {
                f.write_str("encrypted keys are not supported; decrypt the key first")?;
                match line {
                    Some(line) => write!(f, " (line {line})"),
                    None => Ok(()),
                }
            }
            Self::UnrecognizedKey => f.write_str("not a PKCS#8, SEC1 or PKCS#1 private key"),
            Self::NotPemOrDer => f.write_str("input is neither PEM nor DER"),
        }
    }
}

impl std::error::Error for PemError {}

/// Whether `input` is PEM rather than DER: it has a line that starts with
/// `-----BEGIN `, and it is not wholly a run of DER `SEQUENCE`s (which a
/// DER certificate or key is, even if its bytes happen to contain that
/// text).
pub fn is_pem(input: &[u8]) -> bool {
    !is_der_sequences(input)
        && lines(input).any(|(_, line)| line.trim_ascii_start().starts_with(BEGIN))
}

/// Whether `input` is one or more whole DER TLVs, each a `SEQUENCE`.
fn is_der_sequences(input: &[u8]) -> bool {
    der_sequences(input).is_some()
}

/// Splits `input` into whole DER TLVs, each a `SEQUENCE`; `None` if it is
/// empty or is not wholly made of them.
fn der_sequences(input: &[u8]) -> Option<Vec<&[u8]>> {
    let mut reader = SliceReader::new(input).ok()?;
    let mut items = Vec::new();
    while !reader.is_finished() {
        if Tag::peek(&reader).ok()? != Tag::Sequence {
            return None;
        }
        items.push(reader.tlv_bytes().ok()?);
    }
    if items.is_empty() {
        None
    } else {
        Some(items)
    }
}

/// The lines of `input` with their 1-based numbers, without line ends or
/// trailing whitespace.
fn lines(input: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    input
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii_end)
        .enumerate()
        .map(|(i, line)| (i.saturating_add(1), line))
}

/// The label of a `-----BEGIN label-----` or `-----END label-----` line.
fn boundary_label<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix)?.strip_suffix(DASHES)
}

/// One `-----BEGIN`/`-----END` block, not yet decoded.
struct RawBlock {
    line: usize,
    label: Vec<u8>,
    encrypted_header: bool,
    other_headers: bool,
    base64: Vec<u8>,
}

impl RawBlock {
    fn malformed(&self, kind: MalformedPem) -> PemError {
        PemError::Malformed {
            line: self.line,
            kind,
        }
    }

    /// Decodes the base64 body, which must hold exactly one DER SEQUENCE.
    fn decode(&self) -> Result<Vec<u8>, PemError> {
        let mut out = Vec::new();
        let decoded = der::pem::Base64Decoder::new(&self.base64)
            .and_then(|mut decoder| decoder.decode_to_end(&mut out).map(|_| ()));
        if decoded.is_err() {
            wipe(&mut out);
            return Err(self.malformed(MalformedPem::BadBase64));
        }
        match AnyRef::from_der(&out) {
            Ok(any) if any.tag() == Tag::Sequence => Ok(out),
            _ => {
                wipe(&mut out);
                Err(self.malformed(MalformedPem::NotDer))
            }
        }
    }
}

impl Drop for RawBlock {
    fn drop(&mut self) {
        // The base64 of a private key is the key, too.
        wipe(&mut self.base64);
    }
}

/// Finds every block in `input`, checking only the boundaries.
fn raw_blocks(input: &[u8]) -> Result<Vec<RawBlock>, PemError> {
    let mut blocks = Vec::new();
    let mut open: Option<RawBlock> = None;
    for (number, line) in lines(input) {
        let line = line.trim_ascii_start();
        if let Some(label) = boundary_label(line, BEGIN) {
            if let Some(block) = &open {
                return Err(block.malformed(MalformedPem::NestedBegin));
            }
            open = Some(RawBlock {
                line: number,
                label: label.to_vec(),
                encrypted_header: false,
                other_headers: false,
                base64: Vec::new(),
            });
        } else if let Some(label) = boundary_label(line, END) {
            let Some(block) = open.take() else {
                return Err(PemError::Malformed {
                    line: number,
                    kind: MalformedPem::UnexpectedEnd,
                });
            };
            if block.label != label {
                return Err(block.malformed(MalformedPem::LabelMismatch));
            }
            blocks.push(block);
        } else if let Some(block) = &mut open {
            if let Some(colon) = line.iter().position(|&b| b == b':') {
                let (name, value) = line.split_at(colon);
                if name.eq_ignore_ascii_case(b"Proc-Type")
                    && value
                        .windows(9)
                        .any(|w| w.eq_ignore_ascii_case(b"ENCRYPTED"))
                {
                    block.encrypted_header = true;
                } else {
                    block.other_headers = true;
                }
            } else {
                block.base64.extend_from_slice(line);
            }
        }
    }
    match open {
        Some(block) => Err(block.malformed(MalformedPem::Unterminated)),
        None => Ok(blocks),
    }
}

/// Reads every certificate and private key in a PEM file, in file order.
/// Blocks with other labels are skipped without being decoded.
///
/// An empty result is not an error here; [`certificates_from_pem`] and
/// [`private_key_from_pem`] say what is missing.
pub fn parse_pem(input: &[u8]) -> Result<Vec<PemItem>, PemError> {
    let mut items = Vec::new();
    for block in raw_blocks(input)? {
        if block.label == b"ENCRYPTED PRIVATE KEY"
            || (block.encrypted_header && KeyFormat::from_pem_label(&block.label).is_some())
        {
            return Err(PemError::EncryptedKey {
                line: Some(block.line),
            });
        }
        let item = if block.label == b"CERTIFICATE" {
            if block.encrypted_header || block.other_headers {
                return Err(block.malformed(MalformedPem::UnexpectedHeaders));
            }
            PemItem::Certificate(Bytes::from(block.decode()?))
        } else if let Some(format) = KeyFormat::from_pem_label(&block.label) {
            if block.other_headers {
                return Err(block.malformed(MalformedPem::UnexpectedHeaders));
            }
            PemItem::PrivateKey(PrivateKeyDer::new(format, block.decode()?))
        } else {
            continue;
        };
        items.push(item);
    }
    Ok(items)
}

/// The DER certificates of a PEM file, in file order (for a chain: leaf
/// first). Private keys and other blocks are skipped, but must be well
/// formed. Errors with [`PemError::NoCertificate`] if there are none.
pub fn certificates_from_pem(input: &[u8]) -> Result<Vec<Bytes>, PemError> {
    let certs: Vec<Bytes> = parse_pem(input)?
        .into_iter()
        .filter_map(|item| match item {
            PemItem::Certificate(der) => Some(der),
            PemItem::PrivateKey(_) => None,
        })
        .collect();
    if certs.is_empty() {
        Err(PemError::NoCertificate)
    } else {
        Ok(certs)
    }
}

/// The one private key of a PEM file (which may hold certificates too).
/// Errors with [`PemError::NoPrivateKey`] if there is none and
/// [`PemError::MultiplePrivateKeys`] if there are several.
pub fn private_key_from_pem(input: &[u8]) -> Result<PrivateKeyDer, PemError> {
    let mut keys = parse_pem(input)?.into_iter().filter_map(|item| match item {
        PemItem::PrivateKey(key) => Some(key),
        PemItem::Certificate(_) => None,
    });
    let key = keys.next().ok_or(PemError::NoPrivateKey)?;
    if keys.next().is_some() {
        return Err(PemError::MultiplePrivateKeys);
    }
    Ok(key)
}

/// Certificates from PEM (see [`certificates_from_pem`]) or from DER: one
/// DER certificate, or several concatenated. DER input is split, not
/// parsed.
pub fn certificates_from_pem_or_der(input: &[u8]) -> Result<Vec<Bytes>, PemError> {
    if is_pem(input) {
        return certificates_from_pem(input);
    }
    match der_sequences(input) {
        Some(items) => Ok(items.into_iter().map(Bytes::copy_from_slice).collect()),
        None if input.trim_ascii().is_empty() => Err(PemError::NoCertificate),
        None => Err(PemError::NotPemOrDer),
    }
}

/// A private key from PEM (see [`private_key_from_pem`]) or from DER, whose
/// format is then told by [`KeyFormat::sniff_der`].
pub fn private_key_from_pem_or_der(input: &[u8]) -> Result<PrivateKeyDer, PemError> {
    if is_pem(input) {
        return private_key_from_pem(input);
    }
    if input.trim_ascii().is_empty() {
        return Err(PemError::NoPrivateKey);
    }
    PrivateKeyDer::from_der(input.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../tests/data/pki/leaf-ecdsa.crt");
    const CERT_DER: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.crt.der");
    const PKCS8: &str = include_str!("../../tests/data/pki/leaf-ecdsa.key");
    const PKCS8_DER: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.key.der");
    const SEC1: &str = include_str!("../../tests/data/pki/leaf-ecdsa.sec1.pem");
    const SEC1_DER: &[u8] = include_bytes!("../../tests/data/pki/leaf-ecdsa.sec1.der");
    const PKCS1: &str = include_str!("../../tests/data/pki/leaf-rsa.pkcs1.pem");
    const PKCS1_DER: &[u8] = include_bytes!("../../tests/data/pki/leaf-rsa.pkcs1.der");
    const ENCRYPTED: &str = include_str!("../../tests/data/pki/leaf-ecdsa.encrypted.pem");
    const LEGACY_ENCRYPTED: &str =
        include_str!("../../tests/data/pki/leaf-ecdsa.sec1-encrypted.pem");

    fn malformed(line: usize, kind: MalformedPem) -> PemError {
        PemError::Malformed { line, kind }
    }

    #[test]
    fn key_formats_by_label() {
        for (pem, der, format) in [
            (PKCS8, PKCS8_DER, KeyFormat::Pkcs8),
            (SEC1, SEC1_DER, KeyFormat::Sec1),
            (PKCS1, PKCS1_DER, KeyFormat::Pkcs1),
        ] {
            let key = private_key_from_pem(pem.as_bytes()).unwrap();
            assert_eq!(key.format(), format);
            assert_eq!(key.der(), der);
            assert!(pem.starts_with(&format!("-----BEGIN {}-----", format.pem_label())));
        }
    }

    #[test]
    fn key_formats_by_shape() {
        for (der, format) in [
            (PKCS8_DER, KeyFormat::Pkcs8),
            (SEC1_DER, KeyFormat::Sec1),
            (PKCS1_DER, KeyFormat::Pkcs1),
        ] {
            assert!(!is_pem(der));
            assert_eq!(KeyFormat::sniff_der(der), Ok(format));
            let key = private_key_from_pem_or_der(der).unwrap();
            assert_eq!((key.format(), key.der()), (format, der));
        }
        assert_eq!(
            KeyFormat::sniff_der(CERT_DER),
            Err(PemError::UnrecognizedKey)
        );
        assert_eq!(KeyFormat::sniff_der(&[]), Err(PemError::UnrecognizedKey));
        let mut trailing = PKCS8_DER.to_vec();
        trailing.push(0);
        assert_eq!(
            KeyFormat::sniff_der(&trailing),
            Err(PemError::UnrecognizedKey)
        );
    }

    #[test]
    fn encrypted_keys_are_refused() {
        assert_eq!(
            private_key_from_pem(ENCRYPTED.as_bytes()),
            Err(PemError::EncryptedKey { line: Some(1) })
        );
        assert_eq!(
            private_key_from_pem(LEGACY_ENCRYPTED.as_bytes()),
            Err(PemError::EncryptedKey { line: Some(1) })
        );
        // The DER of an EncryptedPrivateKeyInfo is recognized by its shape.
        let Some(PemItem::Certificate(der)) = parse_pem(
            ENCRYPTED
                .replace("ENCRYPTED PRIVATE KEY", "CERTIFICATE")
                .as_bytes(),
        )
        .unwrap()
        .pop() else {
            panic!("the relabelled block should decode");
        };
        assert_eq!(
            private_key_from_pem_or_der(&der),
            Err(PemError::EncryptedKey { line: None })
        );
        let message = PemError::EncryptedKey { line: Some(1) }.to_string();
        assert!(
            message.contains("encrypted keys are not supported"),
            "{message}"
        );
    }

    #[test]
    fn certificates_and_keys_together() {
        let combined = format!("{CERT}{PKCS8}");
        let items = parse_pem(combined.as_bytes()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0], PemItem::Certificate(Bytes::from_static(CERT_DER)));
        assert!(matches!(&items[1], PemItem::PrivateKey(k) if k.format() == KeyFormat::Pkcs8));
        assert_eq!(certificates_from_pem(combined.as_bytes()).unwrap().len(), 1);
        assert_eq!(
            private_key_from_pem(combined.as_bytes()).unwrap().der(),
            PKCS8_DER
        );
    }

    #[test]
    fn missing_items() {
        assert_eq!(
            certificates_from_pem(PKCS8.as_bytes()),
            Err(PemError::NoCertificate)
        );
        assert_eq!(
            private_key_from_pem(CERT.as_bytes()),
            Err(PemError::NoPrivateKey)
        );
        assert_eq!(certificates_from_pem(b""), Err(PemError::NoCertificate));
        assert_eq!(
            certificates_from_pem_or_der(b" \n"),
            Err(PemError::NoCertificate)
        );
        assert_eq!(
            private_key_from_pem_or_der(b""),
            Err(PemError::NoPrivateKey)
        );
        assert_eq!(
            certificates_from_pem(b"just some text\n"),
            Err(PemError::NoCertificate)
        );
        assert_eq!(
            certificates_from_pem_or_der(b"just some text\n"),
            Err(PemError::NotPemOrDer)
        );
        let two_keys = format!("{PKCS8}{SEC1}");
        assert_eq!(
            private_key_from_pem(two_keys.as_bytes()),
            Err(PemError::MultiplePrivateKeys)
        );
    }

    #[test]
    fn der_input() {
        assert!(is_pem(CERT.as_bytes()));
        assert!(!is_pem(CERT_DER));
        assert!(!is_pem(b""));
        let certs = certificates_from_pem_or_der(CERT_DER).unwrap();
        assert_eq!(certs, [Bytes::from_static(CERT_DER)]);
        let two = [CERT_DER, CERT_DER].concat();
        assert_eq!(certificates_from_pem_or_der(&two).unwrap().len(), 2);
        assert_eq!(
            certificates_from_pem_or_der(&CERT_DER[..CERT_DER.len() - 1]),
            Err(PemError::NotPemOrDer)
        );
        // DER whose bytes contain a BEGIN line is still DER.
        let mut tricky = vec![0x30, 0x18];
        tricky.extend_from_slice(b"\n-----BEGIN CERTIFICATE-");
        assert_eq!(tricky.len(), 2 + 0x18);
        assert!(!is_pem(&tricky));
    }

    #[test]
    fn lenient_layout() {
        // Preamble text, CRLF line ends, indentation, trailing spaces, blank
        // lines, 76-column base64, skipped blocks with other labels.
        let b64: String = CERT.lines().filter(|l| !l.starts_with("-----")).collect();
        let wrapped: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| core::str::from_utf8(c).unwrap())
            .collect();
        let text = format!(
            "Bag Attributes\r\n    friendlyName: x\r\n-----BEGIN EC PARAMETERS-----\r\nBggqhkjOPQMBBw==\r\n-----END EC PARAMETERS-----\r\n  -----BEGIN CERTIFICATE-----  \r\n\r\n{}\r\n-----END CERTIFICATE-----\r\ntrailer",
            wrapped.join(" \r\n")
        );
        assert!(is_pem(text.as_bytes()));
        assert_eq!(
            certificates_from_pem(text.as_bytes()).unwrap(),
            [Bytes::from_static(CERT_DER)]
        );
    }

    #[test]
    fn malformed_blocks() {
        let body = "MAMCAQA=\n"; // SEQUENCE { INTEGER 0 }
        let cases = [
            (
                format!("x\n-----BEGIN CERTIFICATE-----\n{body}"),
                malformed(2, MalformedPem::Unterminated),
            ),
            (
                format!("-----BEGIN CERTIFICATE-----\n{body}-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n"),
                malformed(1, MalformedPem::NestedBegin),
            ),
            (
                format!("-----BEGIN CERTIFICATE-----\n{body}-----END PRIVATE KEY-----\n"),
                malformed(1, MalformedPem::LabelMismatch),
            ),
            (
                format!("{body}-----END CERTIFICATE-----\n"),
                malformed(2, MalformedPem::UnexpectedEnd),
            ),
            (
                "-----BEGIN CERTIFICATE-----\nMAMCAQA\n-----END CERTIFICATE-----\n".to_owned(),
                malformed(1, MalformedPem::BadBase64),
            ),
            (
                "-----BEGIN CERTIFICATE-----\nMA*CAQA=\n-----END CERTIFICATE-----\n".to_owned(),
                malformed(1, MalformedPem::BadBase64),
            ),
            (
                "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".to_owned(),
                malformed(1, MalformedPem::BadBase64),
            ),
            (
                format!("-----BEGIN CERTIFICATE-----\nComment: hi\n{body}-----END CERTIFICATE-----\n"),
                malformed(1, MalformedPem::UnexpectedHeaders),
            ),
            (
                // "hello" is base64 of bytes, but not DER.
                "-----BEGIN PRIVATE KEY-----\naGVsbG8=\n-----END PRIVATE KEY-----\n".to_owned(),
                malformed(1, MalformedPem::NotDer),
            ),
            (
                format!("-----BEGIN CERTIFICATE-----\n{body}AA==\n-----END CERTIFICATE-----\n"),
                malformed(1, MalformedPem::BadBase64),
            ),
        ];
        for (text, error) in cases {
            assert_eq!(parse_pem(text.as_bytes()), Err(error), "{text}");
            assert!(!error.to_string().is_empty());
        }
        // Blocks with other labels are not decoded: their contents do not matter.
        let text = format!("-----BEGIN X-----\nnot base64 at all\n-----END X-----\n{CERT}");
        assert_eq!(certificates_from_pem(text.as_bytes()).unwrap().len(), 1);
    }

    #[test]
    fn truncated_pem_never_panics() {
        let combined = format!("{CERT}{PKCS8}");
        for end in 0..combined.len() {
            let _ = parse_pem(&combined.as_bytes()[..end]);
            let _ = is_pem(&combined.as_bytes()[..end]);
            let _ = certificates_from_pem_or_der(&combined.as_bytes()[..end]);
        }
        for end in 0..PKCS8_DER.len() {
            assert!(private_key_from_pem_or_der(&PKCS8_DER[..end]).is_err());
        }
    }

    #[test]
    fn key_debug_hides_the_key() {
        let key = private_key_from_pem(PKCS8.as_bytes()).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains("Pkcs8"), "{debug}");
        assert!(
            !debug.contains(&format!("{:?}", &key.der()[..8])),
            "{debug}"
        );
    }
}
