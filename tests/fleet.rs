//! The fleet end to end (issue 15, part 3): real processes against a real
//! `redis-server` and a real `openssl ocsp` responder.
//!
//! The demo servers are separate processes: this test binary runs itself
//! again as `fleet --demo-server ARGS...`, which is the demo's own `main`
//! (`demo_server::run`, as examples/server.rs calls it). Each serves the
//! committed leaf-good certificate (tests/data/ocsp) with `--ocsp fetch
//! --ocsp-url` pointing at the responder and `--fleet` at the Redis.
//!
//! What it shows, in order:
//! 1. two servers started together: the responder sees exactly one
//!    fetch, one server fetched it for the fleet and the other took it
//!    from Redis, and both staple it (openssl s_client -status);
//! 2. a session ticket issued by server A resumes on server B, and one by
//!    B on A, in TLS 1.3 and TLS 1.2;
//! 3. Redis killed: both keep stapling and resuming each other's tickets;
//! 4. Redis back, empty: both put their keys and staple back;
//! 5. a forged staple written into Redis by hand: a third server started
//!    then never staples it (it fetches a genuine one, fetch number two),
//!    and resumes A's tickets.
//!
//! A harness of its own (`harness = false`): one scenario, run in order.
//! Without `openssl` or `redis-server` it prints one line and passes,
//! unless `STAPLER_REQUIRE_PEERS=1`.

#[path = "../examples/demo_ocsp/mod.rs"]
mod demo_ocsp;
#[path = "../examples/demo_pki/mod.rs"]
mod demo_pki;
#[path = "../examples/demo_server/mod.rs"]
mod demo_server;
#[allow(dead_code)]
#[path = "common/openssl_pki.rs"]
mod openssl_pki;
#[allow(dead_code)]
#[path = "common/peers.rs"]
mod peers;
#[allow(dead_code)]
#[path = "common/redis_server.rs"]
mod redis_server;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use openssl_pki::TempDir;
use peers::{OPENSSL, REDIS_SERVER};
use redis_server::RedisServer;

/// The first argument that makes this binary a demo server.
const CHILD_FLAG: &str = "--demo-server";
/// How long anything awaited here may take: a server starting, a
/// responder listening, a sync noticing Redis went or came back.
const WAIT: Duration = Duration::from_secs(30);
/// The servers' `--fleet-sync-secs`: short, so that Redis going away and
/// coming back shows within seconds.
const SYNC_SECS: &str = "1";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some(CHILD_FLAG) {
        return demo_server::run(args);
    }
    if peers::skip_unless_installed(&[OPENSSL, REDIS_SERVER]) {
        return ExitCode::SUCCESS;
    }
    let started = Instant::now();
    fleet_shares_one_fetch_and_one_key_set();
    println!(
        "test fleet_shares_one_fetch_and_one_key_set ... ok ({} ms)",
        started.elapsed().as_millis()
    );
    ExitCode::SUCCESS
}

fn fleet_shares_one_fetch_and_one_key_set() {
    let dir = TempDir::new("fleet");
    let secret = dir.path().join("fleet-secret");
    fs::write(&secret, [0x42u8; 32]).unwrap();
    let mut redis = RedisServer::start(peers::require(REDIS_SERVER));
    let responder = Responder::start(dir.path());

    // 1. Started together: one fetch, one server takes it from the other.
    let (mut a, mut b) = thread::scope(|s| {
        let a = s.spawn(|| Server::start("a", &dir, &redis, &responder, &secret));
        let b = s.spawn(|| Server::start("b", &dir, &redis, &responder, &secret));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(responder.fetches(), 1, "one fetch for the fleet");
    let logs = [a.log(), b.log()];
    assert_eq!(
        logs.iter()
            .filter(|l| l.contains("; fetched for the fleet"))
            .count(),
        1,
        "{logs:#?}"
    );
    assert_eq!(
        logs.iter()
            .filter(|l| l.contains("; from the fleet: fetched by another server"))
            .count(),
        1,
        "{logs:#?}"
    );
    let this_update = a.assert_staples_good();
    assert_eq!(b.assert_staples_good(), this_update, "the same response");

    // 2. Each resumes the other's tickets, in both versions.
    for version in ["-tls1_3", "-tls1_2"] {
        resumes(&a, &b, version, &dir);
        resumes(&b, &a, version, &dir);
    }

    // 3. Redis away: both still staple and resume each other.
    redis.kill();
    a.wait_for_log("fleet: redis: ");
    b.wait_for_log("fleet: redis: ");
    assert_eq!(a.assert_staples_good(), this_update);
    assert_eq!(b.assert_staples_good(), this_update);
    resumes(&a, &b, "-tls1_3", &dir);
    resumes(&b, &a, "-tls1_2", &dir);

    // 4. Back, empty: keys and the staple are put back without a fetch.
    redis.restart();
    a.wait_for_log("fleet: redis is back");
    b.wait_for_log("fleet: redis is back");
    wait_until("the key set and the staple are back in redis", || {
        exists(&redis, "stapler:ticket-keys") && exists(&redis, &staple_slot())
    });
    assert_eq!(responder.fetches(), 1, "nothing fetched again");
    resumes(&a, &b, "-tls1_3", &dir);

    // 5. A forged staple in Redis: a revoked response for this very
    // certificate (signed by its CA) behind a tag made without the
    // secret. A server started now never staples it.
    let revoked = forged_revoked_response(dir.path());
    let mut forged = vec![0x99u8; 32];
    forged.extend_from_slice(&revoked);
    redis.command(&[b"SET", staple_slot().as_bytes(), &forged]);
    let c = Server::start("c", &dir, &redis, &responder, &secret);
    assert!(c.log().contains("not authentic"), "{}", c.log());
    assert!(c.log().contains("; fetched for the fleet"), "{}", c.log());
    assert_eq!(responder.fetches(), 2, "the forgery cost one genuine fetch");
    let c_update = c.assert_staples_good();
    assert!(c_update >= this_update);
    resumes(&a, &c, "-tls1_3", &dir);
    // The genuine staple replaced the forgery for the fleet.
    let held = redis.command(&[b"GET", staple_slot().as_bytes()]);
    assert!(
        !held.windows(revoked.len()).any(|w| w == revoked.as_slice()),
        "the forged response is gone"
    );
}

// ------------------------------------------------------------ the servers

/// A demo server process, killed on drop.
struct Server {
    name: &'static str,
    child: Child,
    port: u16,
    log_path: PathBuf,
}

impl Server {
    fn start(
        name: &'static str,
        dir: &TempDir,
        redis: &RedisServer,
        responder: &Responder,
        secret: &Path,
    ) -> Self {
        let log_path = dir.path().join(format!("server-{name}.log"));
        let log = fs::File::create(&log_path).unwrap();
        let child = Command::new(std::env::current_exe().unwrap())
            .arg(CHILD_FLAG)
            .args(["--listen", "127.0.0.1:0"])
            .args([
                "--cert",
                &data("leaf-good.crt"),
                "--key",
                &data("leaf-good.key"),
            ])
            .args(["--ca", &data("ca.crt")])
            .args(["--ocsp", "fetch", "--ocsp-url", &responder.url()])
            .args(["--fleet", &redis.url()])
            .args(["--fleet-secret-file", &secret.display().to_string()])
            .args(["--fleet-sync-secs", SYNC_SECS])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = Self {
            name,
            child,
            port: 0,
            log_path,
        };
        server.wait_for_log("One line per connection follows.");
        let log = server.log();
        let port = log
            .split("listening on 127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in server {name}'s log:\n{log}"));
        server.port = port;
        server
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    fn wait_for_log(&mut self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.log().contains(needle) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server {} exited ({status}):\n{}", self.name, self.log());
            }
            assert!(
                Instant::now() < deadline,
                "server {} never logged {needle:?}:\n{}",
                self.name,
                self.log()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn connect(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Asserts a TLS 1.3 handshake gets a staple saying good, and
    /// returns the staple's thisUpdate line.
    fn assert_staples_good(&self) -> String {
        let out = s_client(&["-connect", &self.connect(), "-status"], &[]);
        out.assert_contains("OCSP Response Status: successful");
        out.assert_contains("Cert Status: good");
        out.stdout
            .lines()
            .find(|l| l.trim_start().starts_with("This Update:"))
            .unwrap_or_else(|| panic!("no thisUpdate:\n{out}"))
            .trim()
            .to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A ticket `from` issues resumes a session on `to`.
fn resumes(from: &Server, to: &Server, version: &str, dir: &TempDir) {
    let session = dir
        .path()
        .join(format!("session-{}-{}{version}.pem", from.name, to.name));
    let session = session.display().to_string();
    let request = b"GET / HTTP/1.0\r\n\r\n";
    // -ign_eof: wait for the page, by which time the tickets are in.
    let first = s_client(
        &[
            version,
            "-connect",
            &from.connect(),
            "-sess_out",
            &session,
            "-ign_eof",
        ],
        request,
    );
    first.assert_contains("New, TLSv1.");
    let second = s_client(
        &[
            version,
            "-connect",
            &to.connect(),
            "-sess_in",
            &session,
            "-ign_eof",
        ],
        request,
    );
    assert!(
        second.stdout.contains("Reused, TLSv1."),
        "a ticket from server {} did not resume on server {} ({version}):\n{second}",
        from.name,
        to.name
    );
}

fn s_client(args: &[&str], stdin: &[u8]) -> peers::Output {
    let mut all = vec!["s_client", "-servername", "good.example.test"];
    all.extend_from_slice(args);
    peers::run(OPENSSL, &all, stdin)
}

// ---------------------------------------------------------- the responder

/// `openssl ocsp` on loopback, answering from tests/data/ocsp/index.txt
/// for the test CA (responses fresh for a day), its log in a file: each
/// request it receives is one line there, so fetches are counted exactly
/// (no request of the test's own is needed to see that it listens).
struct Responder {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Responder {
    fn start(dir: &Path) -> Self {
        let deadline = Instant::now() + WAIT;
        loop {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .unwrap()
                .port();
            let log = dir.join(format!("responder-{port}.log"));
            let file = fs::File::create(&log).unwrap();
            let child = Command::new(peers::require(OPENSSL))
                .args(["ocsp", "-index", &data("index.txt")])
                .args(["-port", &port.to_string()])
                .args(["-rsigner", &data("ca.crt"), "-rkey", &data("ca.key")])
                .args(["-CA", &data("ca.crt"), "-ndays", "1"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(file)
                .spawn()
                .unwrap();
            let mut responder = Self { child, port, log };
            while Instant::now() < deadline {
                if responder
                    .log_text()
                    .contains("waiting for OCSP client connections")
                {
                    return responder;
                }
                if responder.child.try_wait().unwrap().is_some() {
                    break; // the port was taken: try another
                }
                thread::sleep(Duration::from_millis(20));
            }
            assert!(Instant::now() < deadline, "openssl ocsp never listened");
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn log_text(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = fs::File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    /// Requests received so far.
    fn fetches(&self) -> usize {
        self.log_text().matches("Received request").count()
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real "revoked" response for leaf-good, signed by its CA: what an
/// attacker with a stolen response (or a responder of its own making)
/// would plant. Made by `openssl ocsp` from an index that says revoked,
/// through `-reqin`/`-respout`, not the live responder (whose count it
/// would change).
fn forged_revoked_response(dir: &Path) -> Vec<u8> {
    let index = dir.join("revoked-index.txt");
    fs::write(
        &index,
        fs::read_to_string(data_dir().join("index.txt"))
            .unwrap()
            .lines()
            .map(|l| {
                if l.contains("good.example.test") {
                    l.replacen('V', "R", 1)
                        .replacen("\t\t", "\t260101000000Z,keyCompromise\t", 1)
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n",
    )
    .unwrap();
    let out = dir.join("revoked.der");
    let run = peers::run(
        OPENSSL,
        &[
            "ocsp",
            "-index",
            &index.display().to_string(),
            "-reqin",
            &data("req-good-sha1.der"),
            "-rsigner",
            &data("ca.crt"),
            "-rkey",
            &data("ca.key"),
            "-CA",
            &data("ca.crt"),
            "-ndays",
            "1",
            "-respout",
            &out.display().to_string(),
            "-resp_text",
        ],
        b"",
    );
    run.assert_success();
    run.assert_contains("Cert Status: revoked");
    fs::read(out).unwrap()
}

// ------------------------------------------------------------------ Redis

/// The fleet's Redis key for leaf-good's staple.
fn staple_slot() -> String {
    let pem = fs::read(data_dir().join("leaf-good.crt")).unwrap();
    let der = stapler::pki::pem::certificates_from_pem(&pem)
        .unwrap()
        .remove(0);
    let hash = ring::digest::digest(&ring::digest::SHA256, &der);
    let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("stapler:staple:{hex}")
}

fn exists(redis: &RedisServer, key: &str) -> bool {
    redis.command(&[b"EXISTS", key.as_bytes()]) == b":1\r\n"
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "never: {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

// ------------------------------------------------------------------- files

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ocsp")
}

/// The path of `file` in tests/data/ocsp, as an argument.
fn data(file: &str) -> String {
    data_dir().join(file).display().to_string()
}
