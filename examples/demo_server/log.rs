//! The demo's log line for each connection. Anything the client chose
//! (SNI, ALPN, the request line) reaches it, and the page, through
//! [`escape`], the demo's one way of showing a peer's bytes (the built-in
//! OCSP responder logs its requests through it too).

use std::fmt::Write as _;
use std::time::Duration;

use bytes::Bytes;
use stapler::pki::PublicKeyAlgorithm;
use stapler::server::{CertifiedKey, ProtocolVersion};
use stapler::{
    CloseReason, Decision, HandshakeSummary, OcspOutcome, ServerConfig, SignatureScheme,
};

use crate::demo_ocsp::escape;

/// `bytes` escaped and in double quotes, or `-` for none: a log field.
fn quoted(bytes: Option<&[u8]>) -> String {
    bytes.map_or_else(|| "-".into(), |b| format!("\"{}\"", escape(b)))
}

/// What one connection did, for its log line.
#[derive(Default)]
pub struct ConnLog {
    pub ocsp_requested: bool,
    /// The leaf the handshake chose, as an OcspRequest or SignRequest
    /// named it.
    pub leaf: Option<Bytes>,
    /// The decisions the handshake paused for, in order, each with how
    /// long its answer took.
    pub deferred: Vec<(Decision, Duration)>,
    /// How long the handshake waited for the OCSP answer.
    pub ocsp_wait: Option<Duration>,
    pub summary: Option<HandshakeSummary>,
    /// The request line as received (unescaped), and the status sent.
    pub http: Option<(Vec<u8>, u16)>,
    pub closed: Option<CloseReason>,
    /// An I/O problem or timeout, which the TLS layer does not see.
    pub io: Option<String>,
}

/// A certificate as the log names it: its key (`ECDSA-P256`, `RSA-2048`)
/// and its first DNS name, e.g. `RSA-2048/localhost`. The key comes first
/// because chains served side by side usually differ by key, not name.
pub fn cert_label(cert: &CertifiedKey) -> String {
    let leaf = cert.leaf();
    let key = key_name(leaf.public_key_algorithm());
    match leaf.dns_names().first() {
        // Names come from the operator's certificate, not the client; they
        // are escaped all the same, so that no log field is raw.
        Some(name) => format!("{key}/{}", escape(name.as_bytes())),
        None => key,
    }
}

fn key_name(algorithm: &PublicKeyAlgorithm) -> String {
    match algorithm {
        PublicKeyAlgorithm::EcP256 => "ECDSA-P256".into(),
        PublicKeyAlgorithm::EcP384 => "ECDSA-P384".into(),
        PublicKeyAlgorithm::Ed25519 => "Ed25519".into(),
        PublicKeyAlgorithm::Rsa { bits } => format!("RSA-{bits}"),
        PublicKeyAlgorithm::RsaPss { bits } => format!("RSA-PSS-{bits}"),
        other => format!("{other:?}"),
    }
}

/// Whether a key of `algorithm` makes signatures of `scheme` (RFC 8446
/// §4.2.3: ECDSA schemes name their curve; rsa_pss_rsae_* and
/// rsa_pkcs1_* are for rsaEncryption keys, rsa_pss_pss_* for RSASSA-PSS
/// keys).
fn signs_with(algorithm: &PublicKeyAlgorithm, scheme: SignatureScheme) -> bool {
    use SignatureScheme as S;
    match algorithm {
        PublicKeyAlgorithm::EcP256 => scheme == S::EcdsaSecp256r1Sha256,
        PublicKeyAlgorithm::EcP384 => scheme == S::EcdsaSecp384r1Sha384,
        PublicKeyAlgorithm::Ed25519 => scheme == S::Ed25519,
        PublicKeyAlgorithm::Rsa { .. } => matches!(
            scheme,
            S::RsaPkcs1Sha256
                | S::RsaPkcs1Sha384
                | S::RsaPkcs1Sha512
                | S::RsaPssRsaeSha256
                | S::RsaPssRsaeSha384
                | S::RsaPssRsaeSha512
        ),
        PublicKeyAlgorithm::RsaPss { .. } => matches!(
            scheme,
            S::RsaPssPssSha256 | S::RsaPssPssSha384 | S::RsaPssPssSha512
        ),
        _ => false,
    }
}

/// Which of `config`'s certificates the handshake sent, as the log's
/// `cert=CN key=KEY` fields. An OcspRequest or a SignRequest names it;
/// otherwise the summary's signature scheme tells the key, which is enough
/// when one configured chain has that key (an ECDSA and an RSA chain side
/// by side).
pub fn served_cert(log: &ConnLog, config: &ServerConfig) -> Option<String> {
    let certs = config.certificates();
    if let Some(leaf) = &log.leaf {
        if let Some(cert) = certs.iter().find(|c| c.leaf_der() == leaf) {
            return Some(cert_fields(cert));
        }
    }
    let scheme = log.summary.as_ref()?.signature_scheme?;
    let mut signing = certs
        .iter()
        .filter(|c| signs_with(c.leaf().public_key_algorithm(), scheme));
    let first = signing.next()?;
    let others = signing.count();
    Some(if others == 0 {
        cert_fields(first)
    } else {
        format!(
            "one of {} {} chains",
            others + 1,
            key_name(first.leaf().public_key_algorithm())
        )
    })
}

/// `CN key=KEY`: the leaf's subject common name (escaped) and its key.
fn cert_fields(cert: &CertifiedKey) -> String {
    let leaf = cert.leaf();
    let cn = common_name(leaf.subject()).map_or_else(|| "-".into(), escape);
    format!("{cn} key={}", key_name(leaf.public_key_algorithm()))
}

/// The commonName (2.5.4.3) of a DER Name (RFC 5280 §4.1.2.4): a SEQUENCE
/// of SETs of SEQUENCE { OID, value }. Its value's bytes as they are
/// (UTF8String, PrintableString or IA5String).
fn common_name(name: &[u8]) -> Option<&[u8]> {
    const CN: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
    let (mut rdns, _) = split_tlv(name)?;
    while !rdns.is_empty() {
        let (mut set, rest) = split_tlv(rdns)?;
        rdns = rest;
        while !set.is_empty() {
            let (atv, rest) = split_tlv(set)?;
            set = rest;
            if let Some(value) = atv.strip_prefix(CN) {
                return split_tlv(value).map(|(v, _)| v);
            }
        }
    }
    None
}

/// The value of the DER TLV at the start of `der`, and what follows it.
fn split_tlv(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let first = *der.get(1)?;
    let (header, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let len = der.get(2..2 + count)?.iter().try_fold(0usize, |acc, &b| {
            acc.checked_mul(256)?.checked_add(usize::from(b))
        })?;
        (2 + count, len)
    };
    let end = header.checked_add(len)?;
    Some((der.get(header..end)?, der.get(end..)?))
}

/// The decisions a handshake paused for: `select:12ms,ocsp:0ms`, or `none`.
fn deferred_text(log: &ConnLog) -> String {
    if log.deferred.is_empty() {
        return "none".into();
    }
    log.deferred
        .iter()
        .map(|(decision, wait)| {
            let name = match decision {
                Decision::CertificateSelection => "select",
                Decision::Ocsp => "ocsp",
                Decision::Signing => "sign",
                _ => "other",
            };
            format!("{name}:{}ms", wait.as_millis())
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub fn version_name(version: ProtocolVersion) -> &'static str {
    match version {
        ProtocolVersion::Tls13 => "TLS 1.3",
        ProtocolVersion::Tls12 => "TLS 1.2",
        _ => "TLS (unknown version)",
    }
}

pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// What happened to OCSP, with the wait if there was one.
pub fn ocsp_text(log: &ConnLog, summary: &HandshakeSummary) -> String {
    let mut text = match &summary.ocsp {
        OcspOutcome::Stapled(n) => format!("stapled {n} bytes"),
        OcspOutcome::NoResponse => "requested; none stapled (answered with no response)".into(),
        OcspOutcome::NotRequested if summary.resumption.is_some() => {
            "none (resumed: no certificate sent)".into()
        }
        OcspOutcome::NotRequested => "not requested (no status_request in the hello)".into(),
        OcspOutcome::Aborted(reason) => format!("aborted: {reason}"),
        other => format!("{other:?}"),
    };
    if let Some(wait) = log.ocsp_wait.filter(|w| *w >= Duration::from_millis(1)) {
        let _ = write!(text, " after a {} ms wait", wait.as_millis());
    }
    text
}

/// Who the client's verified certificate names: its subject's common
/// name, else its first SAN (a SPIFFE ID, a DNS name), quoted and escaped
/// (the client chose it); `none` without one.
pub fn client_text(summary: &stapler::HandshakeSummary) -> String {
    let Some(client) = &summary.client_certificate else {
        return "none".into();
    };
    let name = client
        .common_name()
        .or(client.uris().first().map(String::as_str))
        .or(client.dns_names().first().map(String::as_str));
    quoted(name.map(str::as_bytes))
}

/// The connection's log line. Client-chosen fields (SNI, ALPN, the request
/// line) are quoted and escaped.
pub fn describe(log: &ConnLog, config: &ServerConfig) -> String {
    let mut line = String::new();
    match &log.summary {
        Some(s) => {
            let _ = write!(
                line,
                "{} {} {} {} cert={} sni={} alpn={} resumed={} deferred={} ocsp_requested={} ocsp={}",
                version_name(s.version),
                s.cipher_suite,
                s.group.map_or_else(|| "none".to_string(), |g| g.to_string()),
                s.signature_scheme
                    .map_or_else(|| "resumed".to_string(), |scheme| scheme.to_string()),
                served_cert(log, config).unwrap_or_else(|| {
                    // A resumed session sends no certificate.
                    if s.resumption.is_some() { "- key=-" } else { "? key=?" }.into()
                }),
                quoted(s.server_name.as_deref().map(str::as_bytes)),
                quoted(s.alpn_protocol.as_deref()),
                yes_no(s.resumption.is_some()),
                deferred_text(log),
                yes_no(log.ocsp_requested),
                ocsp_text(log, s),
            );
            // Only when clients are asked for a certificate (--client-ca).
            if config.client_auth() != stapler::ClientAuth::None {
                let _ = write!(line, " client={}", client_text(s));
                // Said only when a staple was asked for (--client-staples,
                // TLS 1.3: TLS 1.2 clients cannot staple).
                if !matches!(s.client_staple, stapler::server::ClientStaple::NotAsked) {
                    let _ = write!(line, " client_staple={}", s.client_staple.name());
                }
            }
        }
        None => {
            let _ = write!(
                line,
                "no handshake; deferred={} ocsp_requested={}",
                deferred_text(log),
                yes_no(log.ocsp_requested)
            );
            if let Some(wait) = log.ocsp_wait.filter(|w| *w >= Duration::from_millis(1)) {
                let _ = write!(line, " (waited {} ms)", wait.as_millis());
            }
        }
    }
    if let Some((request, status)) = &log.http {
        let _ = write!(line, "; {} {status}", quoted(Some(request)));
    }
    match &log.closed {
        Some(CloseReason::PeerClosed) => line.push_str("; client sent close_notify (answered)"),
        Some(CloseReason::LocalClose) => line.push_str("; server sent close_notify"),
        Some(CloseReason::PeerAlert(alert)) => {
            let _ = write!(line, "; client sent alert {alert}");
        }
        Some(CloseReason::Error { error, alert }) => {
            let _ = write!(line, "; error: {error}");
            if let Some(alert) = alert {
                let _ = write!(line, " (sent alert {alert})");
            }
        }
        Some(other) => {
            let _ = write!(line, "; closed: {other:?}");
        }
        None => {}
    }
    if let Some(io) = &log.io {
        let _ = write!(line, "; {io}");
    }
    line
}
