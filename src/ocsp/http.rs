//! The HTTP forms of an OCSP request (RFC 6960 Appendix A.1, RFC 5019 §5).
//! stapler does no I/O: these are the pieces an HTTP client needs.

/// The content type of a POSTed OCSP request (RFC 6960 Appendix A.1).
pub const OCSP_REQUEST_CONTENT_TYPE: &str = "application/ocsp-request";

/// The content type of an OCSP response (RFC 6960 Appendix A.2): what a
/// responder's HTTP answer should carry.
pub const OCSP_RESPONSE_CONTENT_TYPE: &str = "application/ocsp-response";

/// The longest GET URL, scheme, host and encoded request included, that
/// RFC 5019 §5 sends by GET; longer requests are POSTed.
pub const MAX_GET_URL_LEN: usize = 255;

/// The GET URL for a DER request: `responder_url`, a `/` unless it already
/// ends with one, and the URL-escaped base64 of `der`. `None` when it would
/// be longer than [`MAX_GET_URL_LEN`].
pub(crate) fn get_url(responder_url: &str, der: &[u8]) -> Option<String> {
    let encoded = url_escape(&base64(der));
    let slash = if responder_url.ends_with('/') {
        ""
    } else {
        "/"
    };
    let len = responder_url
        .len()
        .checked_add(slash.len())?
        .checked_add(encoded.len())?;
    (len <= MAX_GET_URL_LEN).then(|| format!("{responder_url}{slash}{encoded}"))
}

/// The standard base64 alphabet (RFC 4648 §4).
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 with padding (RFC 4648 §4), as RFC 6960 Appendix A.1 asks.
fn base64(data: &[u8]) -> String {
    let symbol = |index: u8| {
        char::from(
            BASE64
                .get(usize::from(index & 0x3f))
                .copied()
                .unwrap_or(b'='),
        )
    };
    let mut out = String::with_capacity(data.len().div_ceil(3).saturating_mul(4));
    for chunk in data.chunks(3) {
        let byte = |i: usize| chunk.get(i).copied().unwrap_or(0);
        let (b0, b1, b2) = (byte(0), byte(1), byte(2));
        // Three bytes are four 6-bit groups; a chunk of n bytes fills n + 1
        // of them, and `=` pads the rest.
        let groups = [b0 >> 2, (b0 << 4 | b1 >> 4), (b1 << 2 | b2 >> 6), b2];
        for (position, &group) in groups.iter().enumerate() {
            out.push(if position <= chunk.len() {
                symbol(group)
            } else {
                '='
            });
        }
    }
    out
}

/// Escapes the base64 characters that are not safe in a URL path segment
/// (RFC 3986 §2): `+`, `/` and `=`. Responders unescape the path before
/// decoding (RFC 6960 Appendix A.1 says "url-encoding of base-64").
fn url_escape(base64: &str) -> String {
    let mut out = String::with_capacity(base64.len());
    for c in base64.chars() {
        match c {
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            '=' => out.push_str("%3D"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output, "{input:?}");
        }
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
    }

    #[test]
    fn escaping() {
        assert_eq!(url_escape("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        assert_eq!(url_escape("MEMwQTA"), "MEMwQTA");
    }

    #[test]
    fn get_url_joins_with_one_slash_and_respects_the_limit() {
        assert_eq!(
            get_url("http://ocsp.example", &[0xfb, 0xff]).unwrap(),
            "http://ocsp.example/%2B%2F8%3D"
        );
        assert_eq!(
            get_url("http://ocsp.example/", b"foo").unwrap(),
            "http://ocsp.example/Zm9v"
        );
        assert_eq!(get_url("http://o/a", b"foo").unwrap(), "http://o/a/Zm9v");
        // Exactly at the limit, and one byte over.
        let host = "http://x/";
        let der = vec![0u8; 3 * ((MAX_GET_URL_LEN - host.len()) / 4)];
        let padding = MAX_GET_URL_LEN - host.len() - der.len() / 3 * 4;
        let responder = format!("http://x{}/", "x".repeat(padding));
        assert_eq!(get_url(&responder, &der).unwrap().len(), MAX_GET_URL_LEN);
        let longer = format!("http://xx{}/", "x".repeat(padding));
        assert_eq!(get_url(&longer, &der), None);
    }
}
