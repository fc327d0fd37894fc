//! What the interop tests of both versions (tests/interop_tls13.rs and
//! tests/interop_tls12.rs) do alike: a PKI made by `openssl`, a
//! [`LoopbackServer`] on it, the real clients limited to one version, and
//! the scenarios whose every step and check is the same for both. A test
//! file describes its version once, as a [`Version`] (the clients' flags,
//! the names they print, where the staple lies on the wire), and runs the
//! scenarios with it; what only one version has stays in its file.

use bytes::Bytes;
use stapler::codec::AlertDescription;
use stapler::server::ProtocolVersion;
use stapler::{CloseReason, Error, HandshakeSummary, OcspOutcome};

use super::clients::{self, GoReport, NodeReport};
use super::loopback::{AppMode, ConnectionRecord, LoopbackServer, OcspPolicy};
use super::openssl_pki::{CertStatus, OpensslPki};
use super::peers::{self, Output, Peer, SeenMessage, CURL, GNUTLS_CLI, GO, NODE, OPENSSL};

/// One TLS version as each real client is told to use it alone, and as
/// each reports it.
#[derive(Clone, Copy)]
pub struct Version {
    /// What the server's summary says.
    pub protocol: ProtocolVersion,
    /// `openssl s_client`'s flag (`-tls1_3`).
    pub s_client_flag: &'static str,
    /// Its name in OpenSSL's and Node's reports (`TLSv1.3`).
    pub name: &'static str,
    /// Its name on the record lines of `s_client -msg` (`TLS 1.3`).
    pub record_name: &'static str,
    /// The suite s_client gets from the default config, in OpenSSL's name.
    pub default_cipher: &'static str,
    /// curl's arguments (`--tlsv1.3`).
    pub curl_args: &'static [&'static str],
    /// The GnuTLS priority string (`NORMAL:-VERS-ALL:+VERS-TLS1.3`).
    pub gnutls_priority: &'static str,
    /// Its name in gnutls-cli's session line (`TLS1.3`).
    pub gnutls_name: &'static str,
    /// gnutls-cli's options line after a checked staple.
    pub gnutls_stapled_options: &'static str,
    /// The Go client's `-version` (`1.3`).
    pub go_version: &'static str,
    /// What s_client received, read from its `-msg` dump by this version's
    /// wire format (with the test's own parser, not stapler's codec).
    pub received: fn(&[SeenMessage]) -> Received,
}

/// The leaf certificate and the staple s_client received.
#[derive(Debug)]
pub struct Received {
    /// The DER of the first certificate of the Certificate message.
    pub leaf: Vec<u8>,
    /// The OCSP response stapled to it, if any.
    pub staple: Option<Vec<u8>>,
}

/// Whether to skip: true only when `STAPLER_SKIP_INTEROP=1`; otherwise
/// `openssl` (which makes the PKI) and every one of `peers` must be
/// installed, or the test fails naming the package.
pub fn skip(peers: &[Peer]) -> bool {
    peers::skip_unless_installed(&[&[OPENSSL], peers].concat())
}

/// A PKI, a server on it, and the version the clients are limited to.
pub struct Interop {
    /// The version the clients are limited to.
    pub version: Version,
    /// The CA and leaves.
    pub pki: OpensslPki,
    /// The server under test.
    pub server: LoopbackServer,
}

impl Interop {
    /// Clients limited to `version` against `server`, which serves `pki`.
    pub fn new(version: Version, pki: OpensslPki, server: LoopbackServer) -> Self {
        Self {
            version,
            pki,
            server,
        }
    }

    /// The usual server ([`OpensslPki::server_config`], HTTP) answering
    /// every OcspRequest with `policy`; `None` when skipping (see [`skip`]).
    pub fn answering(version: Version, peers: &[Peer], policy: OcspPolicy) -> Option<Self> {
        if skip(peers) {
            return None;
        }
        let pki = OpensslPki::new();
        let server = LoopbackServer::with_policy(pki.server_config(), AppMode::Http, policy);
        Some(Self::new(version, pki, server))
    }

    /// The usual server stapling a fresh response saying `status` for the
    /// ECDSA leaf, and that response; `None` when skipping.
    pub fn stapling(version: Version, peers: &[Peer], status: CertStatus) -> Option<(Self, Bytes)> {
        if skip(peers) {
            return None;
        }
        let pki = OpensslPki::new();
        let response = pki.ocsp_response(&pki.ecdsa, status);
        let server = LoopbackServer::with_policy(
            pki.server_config(),
            AppMode::Http,
            OcspPolicy::Respond(response.clone()),
        );
        Some((Self::new(version, pki, server), response))
    }

    /// [`clients::s_client`] limited to the version, plus `extra`.
    pub fn s_client(&self, extra: &[&str]) -> Output {
        clients::s_client(&self.server, &self.pki, &self.s_client_args(extra))
    }

    /// [`clients::s_client_spawn`] limited to the version, plus `extra`.
    pub fn s_client_spawn(&self, extra: &[&str]) -> peers::Running {
        clients::s_client_spawn(&self.server, &self.pki, &self.s_client_args(extra))
    }

    /// [`clients::s_client_commands`] limited to the version, plus `extra`.
    pub fn s_client_commands(&self, extra: &[&str], commands: &[u8]) -> Output {
        clients::s_client_commands(
            &self.server,
            &self.pki,
            &self.s_client_args(extra),
            commands,
        )
    }

    fn s_client_args<'a>(&self, extra: &[&'a str]) -> Vec<&'a str> {
        [&[self.version.s_client_flag], extra].concat()
    }

    /// What s_client received, by [`Version::received`].
    pub fn received(&self, out: &Output) -> Received {
        (self.version.received)(&peers::s_client_received_messages(&out.stdout))
    }

    /// [`clients::curl_cert_status`] limited to the version.
    pub fn curl(&self) -> Output {
        clients::curl_cert_status(&self.server, &self.pki, self.version.curl_args)
    }

    /// [`clients::gnutls_cli_ocsp`] limited to the version, with
    /// `priority_suffix` after the version's priority string
    /// (`:%NO_SESSION_HASH`, or nothing).
    pub fn gnutls_ocsp(&self, priority_suffix: &str) -> (Output, Vec<u8>) {
        clients::gnutls_cli_ocsp(
            &self.server,
            &self.pki,
            &self.gnutls_priority(priority_suffix),
        )
    }

    /// [`clients::gnutls_cli`] limited to the version, as
    /// [`Interop::gnutls_ocsp`].
    pub fn gnutls(&self, priority_suffix: &str, args: &[&str], input: &[u8]) -> Output {
        let priority = self.gnutls_priority(priority_suffix);
        clients::gnutls_cli(&self.server, &self.pki, &priority, args, input)
    }

    fn gnutls_priority(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.version.gnutls_priority)
    }

    /// [`clients::go_client`] limited to the version, plus `extra`.
    pub fn go(&self, extra: &[&str]) -> GoReport {
        let addr = format!("127.0.0.1:{}", self.server.port());
        let mut args = vec!["-version", self.version.go_version];
        args.extend_from_slice(extra);
        clients::go_client(&addr, self.pki.ca_arg(), &args)
    }

    /// [`clients::node_ocsp_client`] limited to the version.
    pub fn node(&self) -> NodeReport {
        let name = self.version.name;
        clients::node_ocsp_client(&self.server, &self.pki, name, name)
    }

    /// `out`, and the record of the one connection the server saw.
    pub fn finish(&self, out: Output) -> Run {
        Run {
            record: self.server.single_connection(),
            out,
        }
    }

    /// The summary of the one connection, which must have completed its
    /// handshake at the version.
    pub fn summary(&self) -> HandshakeSummary {
        let summary = self
            .server
            .single_connection()
            .summary
            .expect("a completed handshake");
        assert_eq!(summary.version, self.version.protocol);
        summary
    }
}

/// What a client printed, and what the server recorded of its connection.
#[derive(Debug)]
pub struct Run {
    /// The client's run.
    pub out: Output,
    /// The server's record of the one connection.
    pub record: ConnectionRecord,
}

impl Run {
    /// The summary of the completed handshake.
    pub fn summary(&self) -> &HandshakeSummary {
        self.record.summary.as_ref().expect("a completed handshake")
    }
}

/// `s_client -status`: the staple arrives byte for byte where the version
/// puts it, s_client checks it, and the server saw the event and the
/// request. Returns the run for the version's own checks.
pub fn openssl_s_client_status_receives_the_exact_staple(v: Version) -> Option<Run> {
    let (it, response) = Interop::stapling(v, &[], CertStatus::Good)?;

    let out = it.s_client(&["-status"]);

    out.assert_success();
    out.assert_contains("OCSP Response Status: successful (0x0)");
    out.assert_contains("Cert Status: good");
    out.assert_contains("Serial Number: 1001");
    out.assert_contains(&format!("New, {}, Cipher is {}", v.name, v.default_cipher));
    out.assert_contains("Verify return code: 0 (ok)");
    out.assert_contains("stapler loopback server");
    // Byte equality: `-msg` dumps the handshake messages as s_client
    // received them (decrypted); the leaf's staple must be exactly the
    // bytes handed to respond().
    let received = it.received(&out);
    assert_eq!(
        received.leaf, it.pki.ecdsa.der,
        "the leaf s_client received"
    );
    assert_eq!(received.staple.as_deref(), Some(&response[..]));
    // And s_client printed that response the way `openssl ocsp` prints
    // the file (the signature's hex dump included, so no other response
    // could print the same).
    let printed = it.pki.ocsp_text(&response);
    for line in printed
        .lines()
        .take_while(|l| !l.starts_with("Certificate:"))
        .filter(|l| !l.trim().is_empty())
    {
        out.assert_contains(line.trim_end());
    }

    let run = it.finish(out);
    let request = run.record.ocsp_request.as_ref().expect("an OcspRequest");
    assert_eq!(request.certificate[..], it.pki.ecdsa.der[..]);
    assert!(request.issuer.is_some(), "the CA was found as the issuer");
    assert_eq!(request.server_name.as_deref(), Some("localhost"));
    let summary = run.summary();
    assert_eq!(summary.version, v.protocol);
    assert_eq!(summary.ocsp, OcspOutcome::Stapled(response.len()));
    assert_eq!(summary.server_name.as_deref(), Some("localhost"));
    assert_eq!(
        run.record.http_request_line.as_deref(),
        Some("GET / HTTP/1.0")
    );
    assert_eq!(run.record.closed, Some(CloseReason::LocalClose));
    Some(run)
}

/// s_client without `-status`: no event, no staple, nothing said of OCSP.
pub fn openssl_s_client_without_status_raises_no_event(v: Version) {
    // Were an event raised, the abort would fail the handshake.
    let policy = OcspPolicy::Abort("no event was expected".into());
    let Some(it) = Interop::answering(v, &[], policy) else {
        return;
    };

    let out = it.s_client(&[]);

    out.assert_success();
    out.assert_contains(&format!("New, {}, Cipher is", v.name));
    out.assert_contains("Verify return code: 0 (ok)");
    out.assert_contains("stapler loopback server");
    // s_client prints nothing about OCSP unless -status asked for it.
    out.assert_lacks("OCSP response");
    let received = it.received(&out);
    assert_eq!(received.leaf, it.pki.ecdsa.der);
    assert_eq!(received.staple, None, "a staple nobody asked for");

    let run = it.finish(out);
    assert!(!run.record.ocsp_requested(), "an OcspRequest was raised");
    assert_eq!(run.summary().version, v.protocol);
    assert_eq!(run.summary().ocsp, OcspOutcome::NotRequested);
    assert_eq!(run.record.closed, Some(CloseReason::LocalClose));
}

/// `s_client -status` answered with no_response(): no staple, and s_client
/// says none came.
pub fn openssl_s_client_status_with_no_response(v: Version) {
    let Some(it) = Interop::answering(v, &[], OcspPolicy::NoResponse) else {
        return;
    };

    let out = it.s_client(&["-status"]);

    out.assert_success();
    out.assert_contains("OCSP response: no response sent");
    out.assert_contains("Verify return code: 0 (ok)");
    out.assert_contains("stapler loopback server");
    assert_eq!(it.received(&out).staple, None);

    let run = it.finish(out);
    assert!(run.record.ocsp_requested());
    assert_eq!(run.summary().ocsp, OcspOutcome::NoResponse);
}

/// `s_client -status` answered with abort(): a fatal internal_error alert
/// and nothing else.
pub fn openssl_s_client_gets_internal_error_on_abort(v: Version) {
    let reason = "the responder is down (test)";
    let Some(it) = Interop::answering(v, &[], OcspPolicy::Abort(reason.into())) else {
        return;
    };

    let out = it.s_client(&["-status"]);

    out.assert_failure();
    // OpenSSL's words for a received internal_error(80) alert.
    out.assert_contains("tlsv1 alert internal error");
    out.assert_contains("SSL alert number 80");
    // -msg shows the alert record itself: fatal, and the only thing sent.
    out.assert_contains(&format!(
        "<<< {}, Alert [length 0002], fatal internal_error",
        v.record_name
    ));
    let received = peers::s_client_received_messages(&out.stdout);
    assert!(
        received.is_empty(),
        "nothing but the alert may be sent after an abort, got {:?}",
        peers::message_names(&received)
    );

    let run = it.finish(out);
    assert!(run.record.ocsp_requested());
    assert_eq!(run.record.summary, None);
    assert_eq!(
        run.record.closed,
        Some(CloseReason::Error {
            error: Error::OcspAborted(reason.into()),
            alert: Some(AlertDescription::InternalError),
        })
    );
}

/// A server with an ECDSA and an RSA chain, each answered with its own
/// staple; s_client, given `s_client_args` that only the RSA certificate
/// can meet, gets the RSA leaf and its staple. Returns the run for the
/// version's own checks.
pub fn openssl_s_client_rsa_leaf_gets_its_own_staple(
    v: Version,
    s_client_args: &[&str],
) -> Option<Run> {
    if skip(&[]) {
        return None;
    }
    let pki = OpensslPki::with_rsa();
    let ecdsa_response = pki.ocsp_response(&pki.ecdsa, CertStatus::Good);
    let rsa_response = pki.ocsp_response(pki.rsa(), CertStatus::Good);
    let config = pki
        .config_builder(&pki.ecdsa)
        .and_then(|b| {
            let rsa = pki.rsa();
            b.certificate_chain(
                &std::fs::read(&rsa.chain_pem).unwrap(),
                &std::fs::read(&rsa.key_pem).unwrap(),
            )
        })
        .and_then(|b| b.ocsp_events(true).build())
        .expect("an ECDSA and an RSA chain");
    // Each certificate gets the response for it, as a server would look it
    // up by the request's certificate.
    let rsa_der = Bytes::from(pki.rsa().der.clone());
    let (for_ecdsa, for_rsa) = (ecdsa_response, rsa_response.clone());
    let server = LoopbackServer::start(config.into(), AppMode::Http, move |_, request| {
        OcspPolicy::Respond(if *request.certificate() == rsa_der {
            for_rsa.clone()
        } else {
            for_ecdsa.clone()
        })
    });
    let it = Interop::new(v, pki, server);

    let out = it.s_client(&[&["-status"], s_client_args].concat());

    out.assert_success();
    out.assert_contains("OCSP Response Status: successful (0x0)");
    out.assert_contains("Serial Number: 1002");
    let received = it.received(&out);
    assert_eq!(received.leaf, it.pki.rsa().der);
    assert_eq!(received.staple.as_deref(), Some(&rsa_response[..]));
    let run = it.finish(out);
    assert_eq!(run.summary().ocsp, OcspOutcome::Stapled(rsa_response.len()));
    Some(run)
}

/// Node's `'OCSPResponse'` event carries the staple byte for byte.
pub fn node_ocsp_response_event_carries_the_staple(v: Version) {
    let Some((it, response)) = Interop::stapling(v, &[NODE], CertStatus::Good) else {
        return;
    };

    let report = it.node();

    report.output.assert_success();
    assert_eq!(report.get("ocsp_response"), peers::hex(&response));
    assert_eq!(report.get("protocol"), v.name);
    assert_eq!(report.get("authorized"), "true");
    assert_eq!(report.get("status_line"), "HTTP/1.1 200 OK");
    assert_eq!(report.get("end"), "ok");
    assert_eq!(it.summary().ocsp, OcspOutcome::Stapled(response.len()));
}

/// Node's `'OCSPResponse'` event without a staple.
pub fn node_ocsp_response_event_without_a_staple(v: Version) {
    let Some(it) = Interop::answering(v, &[NODE], OcspPolicy::NoResponse) else {
        return;
    };

    let report = it.node();

    report.output.assert_success();
    assert_eq!(report.get("ocsp_response"), "none");
    assert_eq!(report.get("protocol"), v.name);
    assert_eq!(report.get("authorized"), "true");
    assert_eq!(report.get("status_line"), "HTTP/1.1 200 OK");
    assert!(it.server.single_connection().ocsp_requested());
    assert_eq!(it.summary().ocsp, OcspOutcome::NoResponse);
}

/// Go's crypto/tls client (which always asks for a staple) gets the
/// response the application answered the OcspRequest with, byte for byte,
/// and verifies the chain.
pub fn go_receives_the_staple_the_event_answered(v: Version) {
    let Some((it, response)) = Interop::stapling(v, &[GO], CertStatus::Good) else {
        return;
    };

    let go = it.go(&[]);

    go.output.assert_success();
    assert_eq!(go.get(0, "version"), v.name);
    assert_eq!(go.get(0, "ocsp"), peers::hex(&response));
    assert_eq!(go.get(0, "verified"), "1");
    assert_eq!(go.get(0, "status_line"), "HTTP/1.1 200 OK");
    assert_eq!(go.get(0, "end"), "ok");
    assert!(it.server.single_connection().ocsp_requested());
    assert_eq!(it.summary().ocsp, OcspOutcome::Stapled(response.len()));
}

/// Answered with no_response(), the handshake goes on and Go sees no
/// staple.
pub fn go_gets_no_staple_when_the_event_has_none(v: Version) {
    let Some(it) = Interop::answering(v, &[GO], OcspPolicy::NoResponse) else {
        return;
    };

    let go = it.go(&[]);

    go.output.assert_success();
    assert_eq!(go.get(0, "version"), v.name);
    assert_eq!(go.get(0, "ocsp"), "none");
    assert_eq!(go.get(0, "status_line"), "HTTP/1.1 200 OK");
    assert!(it.server.single_connection().ocsp_requested());
    assert_eq!(it.summary().ocsp, OcspOutcome::NoResponse);
}

/// Answered with abort() (Node's `callback(err)`), Go's handshake fails on
/// the server's internal_error alert.
pub fn go_reports_internal_error_on_abort(v: Version) {
    let reason = "the responder is down (test)";
    let Some(it) = Interop::answering(v, &[GO], OcspPolicy::Abort(reason.into())) else {
        return;
    };

    let go = it.go(&[]);

    go.output.assert_failure();
    assert_eq!(go.get(0, "error"), "remote error: tls: internal error");
    let record = it.server.single_connection();
    assert!(record.ocsp_requested());
    assert_eq!(
        record.closed,
        Some(CloseReason::Error {
            error: Error::OcspAborted(reason.into()),
            alert: Some(AlertDescription::InternalError),
        })
    );
}

/// `curl --cert-status` takes a good staple and gets the page.
pub fn curl_cert_status_accepts_a_good_staple(v: Version) {
    let Some((it, response)) = Interop::stapling(v, &[CURL], CertStatus::Good) else {
        return;
    };

    let out = it.curl();

    out.assert_success();
    // The page names the outcome the server recorded.
    out.assert_contains(&format!("ocsp: Stapled({})", response.len()));
    let run = it.finish(out);
    assert_eq!(run.summary().version, v.protocol);
    assert_eq!(
        run.record.http_request_line.as_deref(),
        Some("GET / HTTP/1.1")
    );
}

/// `curl --cert-status` without a staple fails before it asks for the page.
pub fn curl_cert_status_fails_without_a_staple(v: Version) {
    let Some(it) = Interop::answering(v, &[CURL], OcspPolicy::NoResponse) else {
        return;
    };
    let out = it.curl();
    curl_refused(&it, out, "No OCSP response received");
}

/// `curl --cert-status` refuses a staple saying the leaf is revoked.
pub fn curl_cert_status_rejects_a_revoked_staple(v: Version) {
    let Some((it, _)) = Interop::stapling(v, &[CURL], CertStatus::Revoked) else {
        return;
    };
    let out = it.curl();
    curl_refused(&it, out, "SSL certificate revocation reason: keyCompromise");
}

/// curl failed for want of a good staple, saying `why`, and asked for
/// nothing.
fn curl_refused(it: &Interop, out: Output, why: &str) {
    out.assert_failure();
    // Exit status 91: CURLE_SSL_INVALIDCERTSTATUS.
    assert_eq!(out.status.code(), Some(91), "{out}");
    out.assert_contains(why);
    out.assert_lacks("stapler loopback server");
    let run = it.finish(out);
    assert!(run.record.ocsp_requested());
    assert_eq!(run.record.http_request_line, None);
}

/// `gnutls-cli --ocsp` checks a good staple and saves it byte for byte.
pub fn gnutls_cli_ocsp_reports_good(v: Version) {
    let Some((it, response)) = Interop::stapling(v, &[GNUTLS_CLI], CertStatus::Good) else {
        return;
    };

    let (out, saved) = it.gnutls_ocsp("");

    out.assert_success();
    out.assert_contains("- Status: The certificate is trusted.");
    out.assert_contains(&format!("({}", v.gnutls_name));
    // gnutls-cli lists this option when it got and checked a staple.
    out.assert_contains(v.gnutls_stapled_options);
    out.assert_contains("Certificate Status: good");
    // It did not have to ask the responder itself.
    out.assert_lacks("Connecting to OCSP server");
    assert_eq!(saved, response, "the staple gnutls-cli saved");
    assert_eq!(it.summary().ocsp, OcspOutcome::Stapled(response.len()));
}

/// `gnutls-cli --ocsp` refuses a staple saying the leaf is revoked.
pub fn gnutls_cli_ocsp_rejects_a_revoked_staple(v: Version) {
    let Some((it, response)) = Interop::stapling(v, &[GNUTLS_CLI], CertStatus::Revoked) else {
        return;
    };

    let (out, saved) = it.gnutls_ocsp("");

    out.assert_failure();
    out.assert_contains("The certificate chain is revoked");
    out.assert_contains("PKI verification of server certificate failed");
    assert_eq!(saved, response, "the staple gnutls-cli saved");
    assert!(it.server.single_connection().ocsp_requested());
}

/// `gnutls-cli --ocsp` notices that no staple came.
pub fn gnutls_cli_ocsp_notices_a_missing_staple(v: Version) {
    let Some(it) = Interop::answering(v, &[GNUTLS_CLI], OcspPolicy::NoResponse) else {
        return;
    };

    let (out, saved) = it.gnutls_ocsp("");

    // Without a staple, gnutls-cli --ocsp asks the responder in the
    // leaf's AIA itself; nothing answers there (see AIA_OCSP_URL).
    out.assert_contains("Connecting to OCSP server");
    out.assert_lacks("OCSP status request,");
    out.assert_lacks("Certificate Status: good");
    assert!(saved.is_empty(), "gnutls-cli saved a staple: {saved:02x?}");
    assert!(it.server.single_connection().ocsp_requested());
}

/// A `#[test]` for each scenario above that needs nothing more of its
/// version, named as the scenario and run with `$version`.
#[allow(unused_macros)] // by the test binaries other than the interop ones
macro_rules! version_independent_tests {
    ($version:expr) => {
        $crate::common::scenario_tests!(
            interop, $version;
            openssl_s_client_without_status_raises_no_event,
            openssl_s_client_status_with_no_response,
            openssl_s_client_gets_internal_error_on_abort,
            node_ocsp_response_event_carries_the_staple,
            node_ocsp_response_event_without_a_staple,
            go_receives_the_staple_the_event_answered,
            go_gets_no_staple_when_the_event_has_none,
            go_reports_internal_error_on_abort,
            curl_cert_status_accepts_a_good_staple,
            curl_cert_status_fails_without_a_staple,
            curl_cert_status_rejects_a_revoked_staple,
            gnutls_cli_ocsp_reports_good,
            gnutls_cli_ocsp_rejects_a_revoked_staple,
            gnutls_cli_ocsp_notices_a_missing_staple,
        );
    };
}
#[allow(unused_imports)] // likewise
pub(crate) use version_independent_tests;
