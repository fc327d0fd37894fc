//! A PKI and OCSP responses made at test time by the `openssl` command-line
//! tool, in a temporary directory removed on drop.
//!
//! They are made when the test runs, not committed, because clients check an
//! OCSP response's thisUpdate and nextUpdate (RFC 6960 §4.2.2.1) against
//! their clock: a committed response would go stale. Making them with
//! `openssl` rather than with this crate's own code also means the bytes
//! stapled in the interop tests come from an independent implementation.
//!
//! The CA signs its own OCSP responses, which RFC 6960 §4.2.2.2 allows
//! (the CA that issued the certificate is an authorized responder).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use stapler::server::{ConfigError, ServerConfig, ServerConfigBuilder};

use super::peers::{self, OPENSSL};

/// The OCSP responder named in each leaf's AIA extension (RFC 5280
/// §4.2.2.1). Nothing listens there: port 9 (discard) is not served on
/// loopback, so a client that falls back to asking the responder itself
/// (gnutls-cli --ocsp without a staple) fails at once with "connection
/// refused" and never reaches the network.
pub const AIA_OCSP_URL: &str = "http://127.0.0.1:9/ocsp";

/// How long the generated responses are fresh (`openssl ocsp -ndays`).
pub const OCSP_DAYS: u32 = 7;

/// A directory under the target's temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory named after `label`, unique to this process
    /// and call.
    pub fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{label}-{}-{n}", std::process::id()));
        // A leftover from an earlier process with the same id.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        Self(path)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The key type of a leaf certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA on P-256.
    EcdsaP256,
    /// RSA, 2048 bits.
    Rsa2048,
}

/// What the generated OCSP response says about the certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// good (RFC 6960 §2.2).
    Good,
    /// revoked, reason keyCompromise, at a fixed time in the past.
    Revoked,
}

/// A leaf certificate for `localhost` and `127.0.0.1`, issued by the CA.
#[derive(Debug)]
pub struct Leaf {
    /// Its key type.
    pub kind: KeyKind,
    /// The certificate, PEM.
    pub cert_pem: PathBuf,
    /// The leaf then the CA, PEM: what the server sends.
    pub chain_pem: PathBuf,
    /// The private key, PKCS#8 PEM.
    pub key_pem: PathBuf,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Its serial number, in the hex form `openssl ca`'s index uses.
    pub serial_hex: &'static str,
}

/// A CA (ECDSA P-256, self-signed) and leaves it issued, in a temporary
/// directory.
#[derive(Debug)]
pub struct OpensslPki {
    dir: TempDir,
    /// The CA certificate, PEM: what clients trust.
    pub ca_pem: PathBuf,
    ca_key: PathBuf,
    /// The ECDSA P-256 leaf.
    pub ecdsa: Leaf,
    /// The RSA 2048 leaf, if asked for ([`OpensslPki::with_rsa`]).
    pub rsa: Option<Leaf>,
}

/// Extension sections for `openssl req -x509` and `openssl x509 -req`.
fn extensions_cnf() -> String {
    format!(
        "[req]\n\
         distinguished_name = req_dn\n\
         prompt = no\n\
         [req_dn]\n\
         CN = stapler interop test CA\n\
         [ca]\n\
         basicConstraints = critical, CA:TRUE\n\
         keyUsage = critical, keyCertSign, cRLSign, digitalSignature\n\
         subjectKeyIdentifier = hash\n\
         [leaf]\n\
         basicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature, keyEncipherment\n\
         extendedKeyUsage = serverAuth\n\
         subjectAltName = DNS:localhost, IP:127.0.0.1\n\
         authorityInfoAccess = OCSP;URI:{AIA_OCSP_URL}\n\
         subjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\n"
    )
}

/// Runs `openssl` in `dir`; fails the test (showing the output) unless it
/// succeeds.
fn openssl(dir: &Path, args: &[&str]) -> peers::Output {
    let output = peers::spawn_in(OPENSSL, args, b"", Some(dir)).wait(peers::PEER_TIMEOUT);
    output.assert_success();
    output
}

impl OpensslPki {
    /// A CA and an ECDSA P-256 leaf.
    pub fn new() -> Self {
        Self::make(false)
    }

    /// A CA, an ECDSA P-256 leaf and an RSA 2048 leaf.
    pub fn with_rsa() -> Self {
        Self::make(true)
    }

    fn make(rsa: bool) -> Self {
        let dir = TempDir::new("openssl-pki");
        let d = dir.path();
        std::fs::write(d.join("extensions.cnf"), extensions_cnf()).expect("write extensions.cnf");
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "ca.key",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-x509",
                "-config",
                "extensions.cnf",
                "-extensions",
                "ca",
                "-key",
                "ca.key",
                "-sha256",
                "-days",
                "30",
                "-set_serial",
                "0x01",
                "-out",
                "ca.pem",
            ],
        );
        let ecdsa = Self::make_leaf(d, KeyKind::EcdsaP256);
        let rsa = rsa.then(|| Self::make_leaf(d, KeyKind::Rsa2048));
        Self {
            ca_pem: d.join("ca.pem"),
            ca_key: d.join("ca.key"),
            dir,
            ecdsa,
            rsa,
        }
    }

    fn make_leaf(d: &Path, kind: KeyKind) -> Leaf {
        let (name, keygen, serial_hex): (&str, &[&str], &'static str) = match kind {
            KeyKind::EcdsaP256 => (
                "leaf-ecdsa",
                &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
                "1001",
            ),
            KeyKind::Rsa2048 => (
                "leaf-rsa",
                &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                "1002",
            ),
        };
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let cert = format!("{name}.pem");
        let der = format!("{name}.der");
        let serial = format!("0x{serial_hex}");
        let mut args = vec!["genpkey"];
        args.extend_from_slice(keygen);
        args.extend_from_slice(&["-out", &key]);
        openssl(d, &args);
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                &key,
                "-subj",
                "/CN=localhost",
                "-out",
                &csr,
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                &serial,
                "-days",
                "30",
                "-sha256",
                "-extfile",
                "extensions.cnf",
                "-extensions",
                "leaf",
                "-out",
                &cert,
            ],
        );
        openssl(d, &["x509", "-in", &cert, "-outform", "DER", "-out", &der]);
        let chain = format!("{name}-chain.pem");
        let mut chain_text = std::fs::read(d.join(&cert)).expect("read leaf");
        chain_text.extend(std::fs::read(d.join("ca.pem")).expect("read CA"));
        std::fs::write(d.join(&chain), chain_text).expect("write chain");
        Leaf {
            kind,
            cert_pem: d.join(&cert),
            chain_pem: d.join(&chain),
            key_pem: d.join(&key),
            der: std::fs::read(d.join(&der)).expect("read leaf DER"),
            serial_hex,
        }
    }

    /// The temporary directory everything is in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The CA certificate's path as a `&str`, for command lines.
    pub fn ca_arg(&self) -> &str {
        self.ca_pem.to_str().expect("a UTF-8 temporary path")
    }

    /// The RSA leaf; fails the test if the PKI was made without it.
    pub fn rsa(&self) -> &Leaf {
        self.rsa.as_ref().expect("made with OpensslPki::with_rsa")
    }

    /// A builder holding `leaf`'s chain and key, with the CA among the
    /// certificates issuers are looked up in. The caller adds the rest
    /// (OCSP events, ALPN, versions) and builds.
    pub fn config_builder(&self, leaf: &Leaf) -> Result<ServerConfigBuilder, ConfigError> {
        let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        ServerConfig::builder()
            .certificate_chain(&read(&leaf.chain_pem), &read(&leaf.key_pem))?
            .ca_certificates(&read(&self.ca_pem))
    }

    /// The usual test server config: the ECDSA leaf, OCSP events on, ALPN
    /// `http/1.1`.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        Arc::new(
            self.config_builder(&self.ecdsa)
                .and_then(|b| b.ocsp_events(true).alpn_protocols(["http/1.1"]))
                .and_then(|b| b.build())
                .expect("a config of the generated PKI"),
        )
    }

    /// A DER OCSPResponse for `leaf` saying `status`, signed now by the CA
    /// with `openssl ocsp` (no nonce: a staple answers no particular
    /// request), fresh for [`OCSP_DAYS`].
    pub fn ocsp_response(&self, leaf: &Leaf, status: CertStatus) -> Bytes {
        let d = self.dir.path();
        // The index `openssl ocsp` looks the serial up in has the layout of
        // `openssl ca`'s database: status, expiry, revocation
        // time[,reason], serial, file name, subject.
        let (tag, line) = match status {
            CertStatus::Good => (
                "good",
                format!(
                    "V\t491231235959Z\t\t{}\tunknown\t/CN=localhost\n",
                    leaf.serial_hex
                ),
            ),
            CertStatus::Revoked => (
                "revoked",
                format!(
                    "R\t491231235959Z\t240101000000Z,keyCompromise\t{}\tunknown\t/CN=localhost\n",
                    leaf.serial_hex
                ),
            ),
        };
        let index = format!("index-{}-{tag}.txt", leaf.serial_hex);
        let out = format!("ocsp-{}-{tag}.der", leaf.serial_hex);
        std::fs::write(d.join(&index), line).expect("write the index");
        let cert = leaf.cert_pem.to_str().expect("UTF-8 path");
        let days = OCSP_DAYS.to_string();
        openssl(
            d,
            &[
                "ocsp",
                "-index",
                &index,
                "-rsigner",
                "ca.pem",
                "-rkey",
                "ca.key",
                "-CA",
                "ca.pem",
                "-issuer",
                "ca.pem",
                "-cert",
                cert,
                "-no_nonce",
                "-ndays",
                &days,
                "-respout",
                &out,
            ],
        );
        let der = std::fs::read(d.join(&out)).expect("read the response");
        assert_eq!(der.first(), Some(&0x30), "not a DER SEQUENCE");
        Bytes::from(der)
    }

    /// The CA as a rustls trust store, for in-process clients.
    pub fn rustls_roots(&self) -> rustls::RootCertStore {
        let pem = std::fs::read(&self.ca_pem).expect("read the CA");
        let der = stapler::pki::pem::certificates_from_pem(&pem).expect("the CA's PEM")[0].to_vec();
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(der))
            .expect("a usable trust anchor");
        roots
    }

    /// `openssl ocsp -resp_text` of `response`: how OpenSSL prints it.
    pub fn ocsp_text(&self, response: &[u8]) -> String {
        let path = self.dir.path().join("to-print.der");
        std::fs::write(&path, response).expect("write the response");
        let path = path.to_str().expect("UTF-8 path").to_owned();
        openssl(
            self.dir.path(),
            &["ocsp", "-respin", &path, "-resp_text", "-noverify"],
        )
        .stdout
    }
}

impl Default for OpensslPki {
    fn default() -> Self {
        Self::new()
    }
}
