//! The alert protocol's wire format (RFC 8446 §6, RFC 5246 §7.2).

use super::error::{Field, InvalidMessage};
use super::record::{ContentType, RecordHeader, RECORD_HEADER_LEN};
pub use crate::enums::{AlertDescription, AlertLevel};

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
