//! The alert protocol's wire format (RFC 8446 §6, RFC 5246 §7.2).

use super::record::{ContentType, RecordHeader, RECORD_HEADER_LEN};
use super::wire_enum::wire_enum;
use crate::error::{Field, InvalidMessage};

wire_enum! {
    /// `AlertDescription`: every value of RFC 8446 §6, including the ones it
    /// marks `_RESERVED` (TLS 1.2 peers still send some of them).
    pub enum AlertDescription: u8 {
        /// The sender will send no more data (a warning, not an error).
        CloseNotify = 0 => "close_notify",
        /// A message arrived that the state machine did not allow.
        UnexpectedMessage = 10 => "unexpected_message",
        /// A record failed to decrypt.
        BadRecordMac = 20 => "bad_record_mac",
        /// Reserved: TLS 1.0 decryption failure.
        DecryptionFailed = 21 => "decryption_failed",
        /// A record was longer than the limit allows.
        RecordOverflow = 22 => "record_overflow",
        /// Reserved: TLS compression failure.
        DecompressionFailure = 30 => "decompression_failure",
        /// No acceptable set of security parameters.
        HandshakeFailure = 40 => "handshake_failure",
        /// Reserved: SSL 3.0 only.
        NoCertificate = 41 => "no_certificate",
        /// A certificate was corrupt or failed to verify.
        BadCertificate = 42 => "bad_certificate",
        /// A certificate was of an unsupported type.
        UnsupportedCertificate = 43 => "unsupported_certificate",
        /// A certificate was revoked by its signer.
        CertificateRevoked = 44 => "certificate_revoked",
        /// A certificate has expired or is not yet valid.
        CertificateExpired = 45 => "certificate_expired",
        /// Some other certificate problem.
        CertificateUnknown = 46 => "certificate_unknown",
        /// A field was well formed but held a forbidden value.
        IllegalParameter = 47 => "illegal_parameter",
        /// The certificate chain did not lead to a trusted CA.
        UnknownCa = 48 => "unknown_ca",
        /// Valid credentials, but access was refused.
        AccessDenied = 49 => "access_denied",
        /// A message could not be parsed.
        DecodeError = 50 => "decode_error",
        /// A handshake cryptographic operation failed.
        DecryptError = 51 => "decrypt_error",
        /// Reserved: export restrictions.
        ExportRestriction = 60 => "export_restriction",
        /// The peer's protocol version is not supported.
        ProtocolVersion = 70 => "protocol_version",
        /// The peer's parameters are too weak.
        InsufficientSecurity = 71 => "insufficient_security",
        /// A failure unrelated to the peer or to the protocol.
        InternalError = 80 => "internal_error",
        /// A fallback was attempted although the peer supports more (RFC 7507).
        InappropriateFallback = 86 => "inappropriate_fallback",
        /// The user cancelled the handshake.
        UserCanceled = 90 => "user_canceled",
        /// Reserved: renegotiation refused (TLS 1.2 sends it as a warning).
        NoRenegotiation = 100 => "no_renegotiation",
        /// A required extension was missing.
        MissingExtension = 109 => "missing_extension",
        /// An extension was sent that was not asked for.
        UnsupportedExtension = 110 => "unsupported_extension",
        /// Reserved: RFC 6066 certificate URLs.
        CertificateUnobtainable = 111 => "certificate_unobtainable",
        /// No server is known by the name the client asked for.
        UnrecognizedName = 112 => "unrecognized_name",
        /// An invalid or unacceptable OCSP response was stapled.
        BadCertificateStatusResponse = 113 => "bad_certificate_status_response",
        /// Reserved: RFC 6066 certificate hashes.
        BadCertificateHashValue = 114 => "bad_certificate_hash_value",
        /// No acceptable PSK identity.
        UnknownPskIdentity = 115 => "unknown_psk_identity",
        /// A client certificate was required but not sent.
        CertificateRequired = 116 => "certificate_required",
        /// No ALPN protocol in common (RFC 7301).
        NoApplicationProtocol = 120 => "no_application_protocol",
    }
}

wire_enum! {
    /// `AlertLevel` (RFC 5246 §7.2). TLS 1.3 ignores it except for
    /// close_notify and user_canceled, but it is always on the wire.
    pub enum AlertLevel: u8 {
        /// Level 1.
        Warning = 1 => "warning",
        /// Level 2: the connection is over.
        Fatal = 2 => "fatal",
    }
}

/// An alert message: two bytes, a level and a description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Warning or fatal.
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

/// Length of an alert message body.
pub const ALERT_LEN: usize = 2;

impl Alert {
    /// A fatal alert. Every error alert is fatal in TLS 1.3 (RFC 8446 §6.2).
    pub const fn fatal(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::Fatal,
            description,
        }
    }

    /// The warning-level close_notify that ends a connection cleanly.
    pub const fn close_notify() -> Self {
        Self {
            level: AlertLevel::Warning,
            description: AlertDescription::CloseNotify,
        }
    }

    /// Parses the body of an alert record: exactly two bytes
    /// (RFC 8446 §5.1 forbids fragmenting or coalescing alerts).
    pub fn parse(body: &[u8]) -> Result<Self, InvalidMessage> {
        match *body {
            [level, description] => Ok(Self {
                level: AlertLevel::from_wire(level),
                description: AlertDescription::from_wire(description),
            }),
            [] | [_] => Err(InvalidMessage::Truncated(Field::Alert)),
            _ => Err(InvalidMessage::TrailingBytes(Field::Alert)),
        }
    }

    /// The two body bytes.
    pub const fn encode(self) -> [u8; ALERT_LEN] {
        [self.level.to_wire(), self.description.to_wire()]
    }

    /// The alert as a complete plaintext record, as sent before any traffic
    /// keys exist.
    pub fn encode_plaintext_record(self) -> [u8; RECORD_HEADER_LEN + ALERT_LEN] {
        let header = RecordHeader {
            content_type: ContentType::Alert,
            legacy_version: 0x0303,
            len: ALERT_LEN as u16,
        }
        .encode();
        let [level, description] = self.encode();
        let [t, v0, v1, l0, l1] = header;
        [t, v0, v1, l0, l1, level, description]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rfc8446_value_round_trips() {
        let known = [
            0u8, 10, 20, 21, 22, 30, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 60, 70, 71,
            80, 86, 90, 100, 109, 110, 111, 112, 113, 114, 115, 116, 120,
        ];
        for value in 0..=u8::MAX {
            let d = AlertDescription::from_wire(value);
            assert_eq!(d.to_wire(), value);
            assert_eq!(known.contains(&value), d.name().is_some(), "{value}");
        }
        assert_eq!(AlertDescription::DecodeError.to_string(), "decode_error");
        assert_eq!(AlertDescription::Unknown(200).to_string(), "unknown(0xc8)");
    }

    #[test]
    fn record_encoding() {
        let rec = Alert::fatal(AlertDescription::IllegalParameter).encode_plaintext_record();
        assert_eq!(rec, [21, 3, 3, 0, 2, 2, 47]);
        assert_eq!(
            Alert::close_notify().encode_plaintext_record(),
            [21, 3, 3, 0, 2, 1, 0]
        );
    }

    #[test]
    fn parse_requires_exactly_two_bytes() {
        assert_eq!(
            Alert::parse(&[2, 80]),
            Ok(Alert::fatal(AlertDescription::InternalError))
        );
        assert_eq!(
            Alert::parse(&[2]),
            Err(InvalidMessage::Truncated(Field::Alert))
        );
        assert_eq!(
            Alert::parse(&[2, 80, 0]),
            Err(InvalidMessage::TrailingBytes(Field::Alert))
        );
    }
}
