//! Matching a server name (SNI) against a certificate's DNS names, as
//! RFC 6125 §6.4 describes.
//!
//! - Names compare case-insensitively (ASCII only: internationalized names
//!   arrive as A-labels, `xn--...`, and compare as such).
//! - Only the subjectAltName dNSName entries count; the subject's common
//!   name is never used (RFC 6125 §6.4.4 allows it only when there are no
//!   SANs, and modern clients ignore it).
//! - A wildcard is a left-most label that is exactly `*`, followed by at
//!   least two labels: `*.example.com` matches `www.example.com`, and not
//!   `example.com` or `a.b.example.com`. Partial wildcards (`w*.example.com`,
//!   `*w.example.com`) and wildcards elsewhere never match.
//! - A server name must be a host name: an IP literal (`127.0.0.1`,
//!   `::1`), which RFC 6066 §3 forbids in SNI, never matches a DNS name.

use core::net::IpAddr;

use super::certificate::Certificate;

/// The longest DNS name, in its text form without a trailing dot
/// (RFC 1035 §2.3.4: 255 octets on the wire). Also the bound on an SNI
/// host name and on the one a session ticket keeps.
pub(crate) const MAX_NAME_LEN: usize = 253;
/// The longest label (RFC 1035 §2.3.4).
pub(crate) const MAX_LABEL_LEN: usize = 63;

/// Whether `name` is a syntactically valid host name to look up: labels of
/// 1 to 63 letters, digits, hyphens or underscores (seen in real host
/// names), neither starting nor ending with a hyphen; at most 253 bytes; no
/// trailing dot; and not an IP literal (its last label is not all digits, as
/// no top-level domain is; IPv6 literals fail on their `:`).
pub fn is_valid_dns_reference(name: &[u8]) -> bool {
    if name.len() > MAX_NAME_LEN {
        return false;
    }
    // One pass over the bytes, a label at a time: this runs on every SNI
    // and on the certificate names it is compared with.
    let mut label = LabelScan::default();
    for &b in name {
        if b == b'.' {
            if !label.is_complete() {
                return false;
            }
            label = LabelScan::default();
        } else if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            if !label.push(b) {
                return false;
            }
        } else {
            return false;
        }
    }
    label.is_complete() && !label.all_digits
}

/// One label of a host name, as far as it has been read: 1 to 63 bytes,
/// neither starting nor ending with a hyphen (RFC 1123 §2.1, RFC 5890
/// §2.3.1), the bytes themselves checked by the caller.
pub(crate) struct LabelScan {
    len: usize,
    last: u8,
    /// Whether every byte so far is a digit (vacuously, none).
    pub(crate) all_digits: bool,
}

impl Default for LabelScan {
    fn default() -> Self {
        Self {
            len: 0,
            last: b'.',
            all_digits: true,
        }
    }
}

impl LabelScan {
    /// Takes the label's next byte; `false` if the label can no longer be
    /// valid (a leading hyphen, or over 63 bytes).
    pub(crate) fn push(&mut self, b: u8) -> bool {
        if self.len == 0 && b == b'-' {
            return false;
        }
        self.len = self.len.saturating_add(1);
        self.last = b;
        self.all_digits &= b.is_ascii_digit();
        self.len <= MAX_LABEL_LEN
    }

    /// Whether the label read so far is a whole valid label.
    pub(crate) fn is_complete(&self) -> bool {
        self.len != 0 && self.last != b'-'
    }
}

/// Whether the certificate name `pattern` (a dNSName, perhaps a wildcard)
/// matches the host name `reference` (an SNI value), by the rules in this
/// module's documentation. Either being malformed means no match.
pub fn dns_name_matches(pattern: &[u8], reference: &[u8]) -> bool {
    is_valid_dns_reference(reference) && matches_valid_reference(pattern, reference)
}

/// [`dns_name_matches`] for a reference already found valid.
fn matches_valid_reference(pattern: &[u8], reference: &[u8]) -> bool {
    match pattern.strip_prefix(b"*.") {
        Some(base) => {
            // `*.` plus at least two labels.
            if !is_valid_dns_reference(base) || !base.contains(&b'.') {
                return false;
            }
            // The reference is valid, so its first label is not empty.
            match reference.iter().position(|&b| b == b'.') {
                Some(dot) => reference
                    .get(dot.saturating_add(1)..)
                    .is_some_and(|rest| rest.eq_ignore_ascii_case(base)),
                None => false,
            }
        }
        None => is_valid_dns_reference(pattern) && pattern.eq_ignore_ascii_case(reference),
    }
}

/// A server name found valid by [`is_valid_dns_reference`] once, to be
/// matched against many certificates without checking it again.
#[derive(Clone, Copy)]
pub(crate) struct DnsReference<'a>(&'a [u8]);

impl<'a> DnsReference<'a> {
    /// `name`, if it is a valid reference.
    pub(crate) fn new(name: &'a [u8]) -> Option<Self> {
        is_valid_dns_reference(name).then_some(Self(name))
    }
}

impl Certificate {
    /// Whether one of this certificate's subjectAltName dNSNames matches
    /// the server name `sni` (RFC 6125 §6.4; see [`dns_name_matches`]).
    pub fn matches_dns_name(&self, sni: &[u8]) -> bool {
        DnsReference::new(sni).is_some_and(|sni| self.matches_reference(sni))
    }

    /// Whether one of this certificate's subjectAltName dNSNames is `sni`
    /// itself, not a wildcard covering it. A server holding both a
    /// certificate for `a.example.com` and one for `*.example.com` should
    /// answer `a.example.com` with the first, whatever order they were
    /// configured in.
    pub fn names_dns_name_exactly(&self, sni: &[u8]) -> bool {
        DnsReference::new(sni).is_some_and(|sni| self.names_reference_exactly(sni))
    }

    /// [`Self::matches_dns_name`] for a name already checked.
    pub(crate) fn matches_reference(&self, sni: DnsReference<'_>) -> bool {
        (self.dns_names().iter()).any(|pattern| matches_valid_reference(pattern.as_bytes(), sni.0))
    }

    /// [`Self::names_dns_name_exactly`] for a name already checked.
    pub(crate) fn names_reference_exactly(&self, sni: DnsReference<'_>) -> bool {
        (self.dns_names().iter())
            .any(|name| !name.starts_with("*.") && name.as_bytes().eq_ignore_ascii_case(sni.0))
    }

    /// Whether `ip` is one of this certificate's subjectAltName iPAddresses
    /// (for a client that connected by address and sent no SNI).
    pub fn matches_ip_address(&self, ip: IpAddr) -> bool {
        self.ip_addresses().contains(&ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_table() {
        #[rustfmt::skip]
        let table: &[(&str, &str, bool)] = &[
            // Exact names, case-insensitively.
            ("localhost", "localhost", true),
            ("LocalHost", "localHOST", true),
            ("example.com", "example.com", true),
            ("example.com", "www.example.com", false),
            ("www.example.com", "example.com", false),
            ("example.com", "example.co", false),
            ("xn--bcher-kva.example", "XN--BCHER-KVA.example", true),
            // A wildcard is one whole left-most label.
            ("*.example.com", "www.example.com", true),
            ("*.example.com", "WWW.EXAMPLE.COM", true),
            ("*.EXAMPLE.com", "a-b.example.com", true),
            ("*.example.com", "example.com", false),
            ("*.example.com", "a.b.example.com", false),
            ("*.example.com", ".example.com", false),
            ("*.example.com", "www.example.org", false),
            ("*.example.test", "foo.example.test", true),
            // Partial wildcards, inner wildcards, bare wildcards.
            ("w*.example.com", "www.example.com", false),
            ("*w.example.com", "www.example.com", false),
            ("ww*w.example.com", "www.example.com", false),
            ("www.*.com", "www.example.com", false),
            ("*.*.example.com", "a.b.example.com", false),
            ("*", "localhost", false),
            ("*.", "localhost.", false),
            // Too few labels after the wildcard.
            ("*.com", "example.com", false),
            ("*.localhost", "a.localhost", false),
            // A wildcard only matches as a pattern, never as a reference.
            ("*.example.com", "*.example.com", false),
            ("www.example.com", "*.example.com", false),
            // IP literals never match DNS names.
            ("127.0.0.1", "127.0.0.1", false),
            ("*.0.0.1", "127.0.0.1", false),
            ("::1", "::1", false),
            ("[::1]", "[::1]", false),
            ("1.2.3.4.example", "1.2.3.4.example", true),
            // Malformed names.
            ("example.com", "", false),
            ("", "", false),
            ("example.com.", "example.com.", false),
            ("example.com", "example.com.", false),
            ("example..com", "example..com", false),
            ("-bad.example", "-bad.example", false),
            ("bad-.example", "bad-.example", false),
            ("sp ace.example", "sp ace.example", false),
            ("under_score.example", "under_score.example", true),
            ("caf\u{e9}.example", "caf\u{e9}.example", false),
        ];
        for &(pattern, reference, expected) in table {
            assert_eq!(
                dns_name_matches(pattern.as_bytes(), reference.as_bytes()),
                expected,
                "{pattern:?} vs {reference:?}"
            );
        }
    }

    #[test]
    fn reference_limits() {
        let label = "a".repeat(MAX_LABEL_LEN);
        assert!(is_valid_dns_reference(
            format!("{label}.example").as_bytes()
        ));
        let long_label = "a".repeat(MAX_LABEL_LEN + 1);
        assert!(!is_valid_dns_reference(
            format!("{long_label}.example").as_bytes()
        ));
        let name = [label.as_str(); 4].join(".");
        assert_eq!(name.len(), 255);
        assert!(!is_valid_dns_reference(name.as_bytes()));
        assert!(is_valid_dns_reference(&name.as_bytes()[2..]));
        assert!(!is_valid_dns_reference(b"123"));
        assert!(is_valid_dns_reference(b"123.example"));
    }
}
