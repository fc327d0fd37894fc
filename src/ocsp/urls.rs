//! Where to ask: the OCSP responder and issuer URLs of a certificate's
//! Authority Information Access extension (RFC 5280 §4.2.2.1).

use crate::pki::Certificate;

/// The certificate's OCSP responder URLs (AIA id-ad-ocsp), in order, that
/// use plain `http://` (scheme compared without regard to case).
///
/// OCSP over HTTP is what RFC 6960 Appendix A defines; an `https://`
/// responder would need a TLS connection whose own certificate status
/// depends on OCSP, a loop RFC 5280 §4.2.2.1 warns of, so such URLs (and
/// other schemes) are left out. Empty when the certificate names no
/// responder, which is common since CAs began dropping OCSP.
pub fn responder_urls(cert: &Certificate) -> impl Iterator<Item = &str> {
    cert.ocsp_urls()
        .iter()
        .map(String::as_str)
        .filter(|url| is_http(url))
}

/// The URLs serving the certificate's issuer (AIA id-ad-caIssuers), in
/// order, that use plain `http://`; `ldap://` and others are left out.
///
/// When an [`OcspRequest`](crate::OcspRequest) has no issuer, the
/// application may fetch one from here (stapler does no I/O). What comes
/// back is usually a DER certificate, sometimes a PKCS#7 bundle
/// (RFC 5280 §4.2.2.1); check it with
/// [`find_issuer`](crate::pki::find_issuer) before use.
pub fn ca_issuer_urls(cert: &Certificate) -> impl Iterator<Item = &str> {
    cert.ca_issuers_urls()
        .iter()
        .map(String::as_str)
        .filter(|url| is_http(url))
}

fn is_http(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only() {
        assert!(is_http("http://a/"));
        assert!(is_http("HTTP://A/"));
        assert!(!is_http("https://a/"));
        assert!(!is_http("ldap://a/"));
        assert!(!is_http("http:"));
        assert!(!is_http("httpé://"));
    }
}
