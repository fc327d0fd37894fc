//! The SNI host name (RFC 6066 §3) as the application and its logs see
//! it: checked, and lower-cased.

use crate::codec::ClientHello;
use crate::error::PeerMisbehaved;
use crate::pki::{LabelScan, MAX_NAME_LEN};

/// The host name the client asked for (SNI), checked and lower-cased, or
/// `None` when it sent none or sent an IP address.
pub(crate) fn server_name(hello: &ClientHello<'_>) -> Result<Option<Box<str>>, PeerMisbehaved> {
    match hello.server_name().and_then(|n| n.host_name()) {
        Some(name) => host_name(name),
        None => Ok(None),
    }
}

/// A host name from SNI, as text the application and its logs can take as
/// it is.
///
/// RFC 6066 §3 says a HostName is "the fully qualified DNS hostname of the
/// server ... represented as a byte string using ASCII encoding without a
/// trailing dot", and that literal IP addresses are not permitted. So:
/// - a name whose labels are not LDH (letters, digits, hyphens; no label
///   empty, starting or ending with a hyphen, or over 63 bytes; RFC 5890
///   §2.3.1, RFC 1123 §2.1) is refused with illegal_parameter: a NUL, a
///   control byte, an escape sequence or a non-ASCII byte never reaches
///   the application or a log;
/// - one trailing dot is stripped rather than refused, since some clients
///   send the absolute form and it names the same host;
/// - an IPv4 or IPv6 literal, which some clients send anyway, is treated
///   as no SNI (the default certificate is served, nothing is
///   acknowledged).
///
/// The name is compared case-insensitively, so it is kept lower-cased.
pub(crate) fn host_name(name: &[u8]) -> Result<Option<Box<str>>, PeerMisbehaved> {
    let name = name.strip_suffix(b".").unwrap_or(name);
    if is_ip_literal(name) {
        return Ok(None);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(PeerMisbehaved::BadServerName);
    }
    // Checked and lower-cased in one pass, into a copy allocated once at
    // its exact length. Each byte is ASCII once it fits, so it goes in as
    // the one-byte char it is, with no UTF-8 check of the whole after.
    let mut lower = String::with_capacity(name.len());
    let mut label = LabelScan::default();
    for &b in name {
        let fits = match b {
            b'.' => {
                let whole = label.is_complete();
                label = LabelScan::default();
                whole
            }
            // LDH: letters, digits, hyphens (RFC 5890 §2.3.1).
            b'-' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => label.push(b),
            _ => false,
        };
        if !fits {
            return Err(PeerMisbehaved::BadServerName);
        }
        lower.push(char::from(b.to_ascii_lowercase()));
    }
    if !label.is_complete() {
        return Err(PeerMisbehaved::BadServerName);
    }
    Ok(Some(lower.into_boxed_str()))
}

/// Whether `name` is an IPv4 address in dotted form or an IPv6 address,
/// bare or in brackets.
///
/// Only a name made of digits and dots can be IPv4, and only one with a
/// colon IPv6; every other name, which is nearly every SNI, is told apart
/// by one scan, without the address parsers.
fn is_ip_literal(name: &[u8]) -> bool {
    let bare = name
        .strip_prefix(b"[")
        .and_then(|n| n.strip_suffix(b"]"))
        .unwrap_or(name);
    let text = || core::str::from_utf8(bare).ok();
    if bare.contains(&b':') {
        text().is_some_and(|t| t.parse::<std::net::Ipv6Addr>().is_ok())
    } else if bare.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        text().is_some_and(|t| t.parse::<std::net::Ipv4Addr>().is_ok())
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::MAX_LABEL_LEN;

    #[test]
    fn host_names_are_ldh_and_kept_lower_case() {
        let ok = |n: &[u8]| host_name(n).unwrap().unwrap();
        assert_eq!(ok(b"WWW.Example.TEST"), "www.example.test".into());
        assert_eq!(ok(b"xn--bcher-kva.example"), "xn--bcher-kva.example".into());
        assert_eq!(
            ok(b"localhost."),
            "localhost".into(),
            "a trailing dot is stripped"
        );
        assert_eq!(ok(b"a1-b2.c3"), "a1-b2.c3".into());
        let longest_label = [b'a'; MAX_LABEL_LEN];
        assert_eq!(ok(&longest_label).len(), MAX_LABEL_LEN);
        for bad in [
            &b""[..],
            b".",
            b"caf\xc3\xa9.test",
            b"\xff",
            b"local\0host",
            b"local\x1b[31mBAD\x1b[0mhost",
            b"a b",
            b"a..b",
            b"a.b..",
            b".a.b",
            b"-a.b",
            b"a-.b",
            b"*.example.com",
            b"a_b.example",
            b"a/b",
            &[b'a'; MAX_LABEL_LEN + 1],
        ] {
            assert_eq!(
                host_name(bad),
                Err(PeerMisbehaved::BadServerName),
                "{bad:?}"
            );
        }
        // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 bytes: the longest name.
        let mut longest = [[b'a'; MAX_LABEL_LEN]; 3].join(&b'.');
        longest.push(b'.');
        longest.extend([b'b'; 61]);
        assert_eq!(ok(&longest).len(), MAX_NAME_LEN);
        longest.push(b'b');
        assert_eq!(host_name(&longest), Err(PeerMisbehaved::BadServerName));
    }

    #[test]
    fn ip_literals_count_as_no_server_name() {
        for ip in [
            &b"127.0.0.1"[..],
            b"10.0.0.1.",
            b"::1",
            b"[::1]",
            b"fe80::1",
            b"2001:db8::8:800:200c:417a",
            b"::ffff:192.0.2.1",
            b"[::ffff:192.0.2.1]",
        ] {
            assert_eq!(host_name(ip), Ok(None), "{ip:?}");
        }
        // Not addresses: refused or taken as names.
        assert_eq!(host_name(b"1.2.3").unwrap().as_deref(), Some("1.2.3"));
        assert_eq!(
            host_name(b"256.1.1.1").unwrap().as_deref(),
            Some("256.1.1.1")
        );
        assert_eq!(host_name(b"1.2.3.4a").unwrap().as_deref(), Some("1.2.3.4a"));
        assert_eq!(host_name(b"[::1"), Err(PeerMisbehaved::BadServerName));
    }
}
