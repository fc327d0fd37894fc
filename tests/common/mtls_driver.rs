//! Full TLS 1.3 handshakes with a client certificate (ECDSA P-256 on both
//! sides, x25519, TLS_AES_128_GCM_SHA256), the server's part metered, for
//! the benchmark and the allocation test: the rustls client presenting
//! `client-ecdsa` of tests/data/client_pki against stapler
//! (`ClientAuth::Required` under `client-ca`) and against rustls's server
//! (its `WebPkiClientVerifier` under the same root). Both verify the chain
//! (signature, validity, clientAuth) and the CertificateVerify; neither
//! issues tickets.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use stapler::ServerConnection;

use super::{
    client_answers, client_completes, finish, pki, provider, rustls_exchange, Fixture, Io, Meter,
    Version,
};

/// The time stapler's connections start at: what the client chain is
/// judged at (rustls's verifier reads the clock; the chain is valid for a
/// century either way).
pub const MTLS_NOW: u64 = 1_800_000_000;

/// Reads a file under tests/data/client_pki.
pub fn client_pki(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/client_pki")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The clients and servers of mTLS handshakes.
pub struct MtlsFixture {
    pub client: Arc<rustls::ClientConfig>,
    pub stapler: Arc<stapler::ServerConfig>,
    pub rustls: Arc<rustls::ServerConfig>,
    /// The client's certificate (DER) and PKCS#8 key, and its CA's
    /// certificate (DER), for the floor.
    pub client_cert: Vec<u8>,
    pub client_key: Vec<u8>,
    pub ca_cert: Vec<u8>,
}

impl MtlsFixture {
    pub fn new(fx: &Fixture) -> Self {
        let der = |name: &str| {
            stapler::pki::pem::certificates_from_pem_or_der(&client_pki(name)).unwrap()[0].to_vec()
        };
        let client_cert = der("client-ecdsa.crt");
        let ca_cert = der("client-ca.crt");
        let client_key =
            stapler::pki::pem::private_key_from_pem_or_der(&client_pki("client-ecdsa.key"))
                .unwrap()
                .der()
                .to_vec();
        let client =
            rustls::ClientConfig::builder_with_provider(Arc::new(provider(Version::Tls13)))
                .with_protocol_versions(&[Version::Tls13.rustls()])
                .unwrap()
                .dangerous()
                .with_custom_certificate_verifier(fx.check.clone())
                .with_client_auth_cert(
                    vec![CertificateDer::from(client_cert.clone())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client_key.clone())),
                )
                .unwrap();
        let stapler = stapler::ServerConfig::builder()
            .certificate_chain(&pki("leaf-ecdsa.crt.der"), &pki("leaf-ecdsa.key.der"))
            .unwrap()
            .client_auth(stapler::ClientAuth::Required, &ca_cert)
            .unwrap()
            .build()
            .unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(ca_cert.clone())).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::new(provider(Version::Tls13)),
        )
        .build()
        .unwrap();
        let mut server =
            rustls::ServerConfig::builder_with_provider(Arc::new(provider(Version::Tls13)))
                .with_protocol_versions(&[Version::Tls13.rustls()])
                .unwrap()
                .with_client_cert_verifier(verifier)
                .with_single_cert(
                    vec![CertificateDer::from(pki("leaf-ecdsa.crt.der"))],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki("leaf-ecdsa.key.der"))),
                )
                .unwrap();
        server.send_tls13_tickets = 0;
        server.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        Self {
            client: Arc::new(client),
            stapler: Arc::new(stapler),
            rustls: Arc::new(server),
            client_cert,
            client_key,
            ca_cert,
        }
    }

    /// A new client and its ClientHello, in `io.to_server`.
    pub fn client_hello(&self, fx: &Fixture, io: &mut Io) -> rustls::ClientConnection {
        fx.hello_of(&self.client, io)
    }
}

/// One stapler mTLS handshake; returns the verified client's common name.
pub fn stapler_mtls_handshake(
    fx: &Fixture,
    mfx: &MtlsFixture,
    io: &mut Io,
    m: &mut Meter,
) -> String {
    let client = mfx.client_hello(fx, io);
    m.server(|| {
        let conn = io
            .stapler
            .insert(ServerConnection::new_at(mfx.stapler.clone(), MTLS_NOW));
        conn.feed(&io.to_server).expect("hello accepted");
        conn.write_tls_into(&mut io.to_client);
    });
    let outcome = finish(client, io, m);
    let client = outcome.client_certificate.expect("a verified client");
    client.common_name().unwrap_or_default().to_owned()
}

/// The same handshake with rustls's server; returns the common name's
/// presence as rustls saw a client certificate.
pub fn rustls_mtls_handshake(fx: &Fixture, mfx: &MtlsFixture, io: &mut Io, m: &mut Meter) -> bool {
    let mut client = mfx.client_hello(fx, io);
    m.server(|| {
        let conn =
            (io.rustls).insert(rustls::ServerConnection::new(mfx.rustls.clone()).expect("server"));
        rustls_exchange(conn, &io.to_server, &mut io.to_client, "hello accepted");
    });
    client_answers(&mut client, io);
    let verified = m.server(|| {
        let conn = io.rustls.as_mut().expect("a connection in its slot");
        rustls_exchange(
            conn,
            &io.to_server,
            &mut io.to_client,
            "client flight accepted",
        );
        assert!(!conn.is_handshaking());
        let verified = conn.peer_certificates().is_some_and(|c| !c.is_empty());
        io.rustls = None;
        verified
    });
    client_completes(&mut client, io);
    verified
}
