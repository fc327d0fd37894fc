//! Real TLS clients (OpenSSL, GnuTLS, curl, Node.js, Go) run as child
//! processes: finding them, running them under a deadline, and reading what
//! they print. Nothing here knows a TLS version; the caller passes the
//! version flags.
//!
//! A missing program skips the tests that need it, with one line saying
//! which package to install, so that `cargo test` passes on a fresh
//! machine. CI sets `STAPLER_REQUIRE_PEERS=1`, which turns a missing
//! program into a failure: there an interop test that passes without its
//! peer would prove nothing. `STAPLER_SKIP_INTEROP=1` skips them all.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The environment variable that skips every interop test when set to `1`.
pub const SKIP_ENV: &str = "STAPLER_SKIP_INTEROP";

/// The environment variable that makes a missing peer fail its tests when
/// set to `1` (CI sets it), instead of skipping them.
pub const REQUIRE_ENV: &str = "STAPLER_REQUIRE_PEERS";

/// How long one client run may take before it is killed and the test
/// fails. Generous: a loaded CI machine with two cores runs several test
/// binaries at once, and a healthy run takes well under a second.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(20);

/// A client program and the Debian package that ships it.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    /// The program, looked up in `PATH`.
    pub program: &'static str,
    /// What to `apt-get install` to get it.
    pub debian_package: &'static str,
}

/// `openssl` (s_client, and the PKI maker).
pub const OPENSSL: Peer = Peer {
    program: "openssl",
    debian_package: "openssl",
};
/// `gnutls-cli`.
pub const GNUTLS_CLI: Peer = Peer {
    program: "gnutls-cli",
    debian_package: "gnutls-bin",
};
/// `curl` (built with OpenSSL on Debian).
pub const CURL: Peer = Peer {
    program: "curl",
    debian_package: "curl",
};
/// `node` (Node.js).
pub const NODE: Peer = Peer {
    program: "node",
    debian_package: "nodejs",
};
/// `firefox-esr`, run headless, and NSS's `certutil` for its profile.
pub const FIREFOX: Peer = Peer {
    program: "firefox-esr",
    debian_package: "firefox-esr",
};
pub const CERTUTIL: Peer = Peer {
    program: "certutil",
    debian_package: "libnss3-tools",
};
/// `redis-server`, for the fleet's tests.
pub const REDIS_SERVER: Peer = Peer {
    program: "redis-server",
    debian_package: "redis-server",
};
/// `go`, which builds tests/data/interop/go_client.go (crypto/tls).
pub const GO: Peer = Peer {
    program: "go",
    debian_package: "golang-go",
};
/// `chromium`, run headless.
pub const CHROMIUM: Peer = Peer {
    program: "chromium",
    debian_package: "chromium",
};

/// Whether a test that runs `peers` should be skipped: when
/// `STAPLER_SKIP_INTEROP=1`, or when one of them is not installed and
/// `STAPLER_REQUIRE_PEERS=1` is not set. Each skip prints one line naming
/// what is missing and how to install it; with `STAPLER_REQUIRE_PEERS=1` a
/// missing peer fails the test instead.
///
/// Use as `if skip_unless_installed(&[OPENSSL]) { return; }`.
pub fn skip_unless_installed(peers: &[Peer]) -> bool {
    if std::env::var(SKIP_ENV).is_ok_and(|v| v == "1") {
        eprintln!("{SKIP_ENV}=1: interop test skipped");
        return true;
    }
    let required = std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1");
    for peer in peers {
        if find_in_path(peer.program).is_none() {
            if required {
                require(*peer);
            }
            note_missing(*peer);
            return true;
        }
    }
    false
}

/// Says once per test binary, past the test harness's capture (which
/// would hide it in a passing test), that the tests needing `peer` are
/// skipped and how to install it.
fn note_missing(peer: Peer) {
    static SAID: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if said.contains(&peer.program) {
        return;
    }
    said.push(peer.program);
    let _ = writeln!(
        std::io::stderr(),
        "skipped: the tests that need `{}` (not installed; apt-get install {}); \
         {REQUIRE_ENV}=1 makes this a failure",
        peer.program,
        peer.debian_package
    );
}

/// The path of `peer`'s program; fails the test if it is not installed.
/// Tests call [`skip_unless_installed`] first, so this fails only where a
/// peer is required.
pub fn require(peer: Peer) -> PathBuf {
    find_in_path(peer.program).unwrap_or_else(|| {
        panic!(
            "`{}` is not installed: install the Debian package `{}` \
             (apt-get install {}), or unset {REQUIRE_ENV} to skip the tests that need it",
            peer.program, peer.debian_package, peer.debian_package
        )
    })
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// What a finished client run printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    /// The command line, for failure messages.
    pub command: String,
    /// How the program exited.
    pub status: ExitStatus,
    /// Its standard output, lossily decoded.
    pub stdout: String,
    /// Its standard error, lossily decoded.
    pub stderr: String,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Output {
    /// Whether it exited with status 0.
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Whether either stream contains `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        self.stdout.contains(needle) || self.stderr.contains(needle)
    }

    /// Fails the test unless either stream contains `needle`.
    pub fn assert_contains(&self, needle: &str) {
        assert!(
            self.contains(needle),
            "expected {needle:?} in the output of\n{self}"
        );
    }

    /// Fails the test if either stream contains `needle`.
    pub fn assert_lacks(&self, needle: &str) {
        assert!(
            !self.contains(needle),
            "did not expect {needle:?} in the output of\n{self}"
        );
    }

    /// Fails the test unless the program exited with status 0.
    pub fn assert_success(&self) {
        assert!(self.success(), "expected success from\n{self}");
    }

    /// Fails the test if the program exited with status 0.
    pub fn assert_failure(&self) {
        assert!(!self.success(), "expected a failure from\n{self}");
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "$ {}\n({}, after {} ms)",
            self.command,
            self.status,
            self.elapsed.as_millis()
        )?;
        writeln!(f, "--- stdout\n{}", tail(&self.stdout))?;
        write!(f, "--- stderr\n{}", tail(&self.stderr))
    }
}

/// The end of a long output: failure messages stay readable.
fn tail(text: &str) -> &str {
    const SHOWN: usize = 6000;
    let mut start = text.len().saturating_sub(SHOWN);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// A client started and not yet waited for.
pub struct Running {
    command: String,
    child: Child,
    started: Instant,
    stdout: JoinHandle<Vec<u8>>,
    stderr: JoinHandle<Vec<u8>>,
    stdin: Option<JoinHandle<()>>,
}

/// Starts `peer` with `args`, writing `stdin` to it and then closing its
/// standard input. Fails the test if the program is missing.
pub fn spawn(peer: Peer, args: &[&str], stdin: &[u8]) -> Running {
    spawn_in(peer, args, stdin, None)
}

/// The same, with `dir` as the working directory.
pub fn spawn_in(peer: Peer, args: &[&str], stdin: &[u8], dir: Option<&Path>) -> Running {
    spawn_program(&require(peer), peer.program, args, stdin, dir)
}

/// Runs the program at `program` (one the tests built, such as the Go
/// client), shown as `name`, with `args` and `stdin` to completion, under
/// [`PEER_TIMEOUT`].
pub fn run_program(program: &Path, name: &str, args: &[&str], stdin: &[u8]) -> Output {
    spawn_program(program, name, args, stdin, None).wait(PEER_TIMEOUT)
}

fn spawn_program(
    program: &Path,
    name: &str,
    args: &[&str],
    stdin: &[u8],
    dir: Option<&Path>,
) -> Running {
    let command = std::iter::once(name)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{command}`: {e}"));
    // Each pipe gets its own thread, so that a chatty program can never
    // block on a full pipe while this side waits for it to exit.
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    let input = stdin.to_vec();
    let stdin = child.stdin.take().map(|mut pipe| {
        thread::spawn(move || {
            // A client that exits without reading its input closes the
            // pipe: not an error here.
            let _ = pipe.write_all(&input);
        })
    });
    Running {
        command,
        child,
        started: Instant::now(),
        stdout,
        stderr,
        stdin,
    }
}

fn read_all<R: Read + Send + 'static>(pipe: Option<R>) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

impl Running {
    /// Waits for the program to exit. If it runs past `timeout` it is
    /// killed and the test fails, showing what it printed so far.
    pub fn wait(mut self, timeout: Duration) -> Output {
        let deadline = self.started + timeout;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline => break None,
                Ok(None) => thread::sleep(Duration::from_millis(5)),
                Err(e) => panic!("waiting for `{}`: {e}", self.command),
            }
        };
        let timed_out = status.is_none();
        let status = match status {
            Some(status) => status,
            None => {
                let _ = self.child.kill();
                self.child
                    .wait()
                    .unwrap_or_else(|e| panic!("reaping `{}`: {e}", self.command))
            }
        };
        let output = Output {
            command: self.command,
            status,
            stdout: String::from_utf8_lossy(&self.stdout.join().unwrap_or_default()).into(),
            stderr: String::from_utf8_lossy(&self.stderr.join().unwrap_or_default()).into(),
            elapsed: self.started.elapsed(),
        };
        if let Some(stdin) = self.stdin {
            let _ = stdin.join();
        }
        assert!(
            !timed_out,
            "killed after {} s without exiting:\n{output}",
            timeout.as_secs()
        );
        output
    }
}

/// Runs `peer` with `args` and `stdin` to completion, under
/// [`PEER_TIMEOUT`].
pub fn run(peer: Peer, args: &[&str], stdin: &[u8]) -> Output {
    spawn(peer, args, stdin).wait(PEER_TIMEOUT)
}

/// One handshake message as `openssl s_client -msg` shows it: its name
/// (`Certificate`, `ServerHello`, ...) and its bytes, header included.
#[derive(Clone, Debug)]
pub struct SeenMessage {
    /// The name OpenSSL gives the message type.
    pub name: String,
    /// The whole message: type, 24-bit length, body.
    pub bytes: Vec<u8>,
}

/// The handshake messages `openssl s_client -msg` printed as received
/// (`<<<` lines), decrypted and in order, parsed back from the hex dump.
///
/// A dump is a header line such as
/// `<<< TLS 1.3, Handshake [length 0626], Certificate` followed by lines of
/// space-separated hex bytes, each indented.
pub fn s_client_received_messages(stdout: &str) -> Vec<SeenMessage> {
    let mut messages = Vec::new();
    let mut current: Option<SeenMessage> = None;
    for line in stdout.lines() {
        if let Some(header) = line.strip_prefix("<<< ") {
            messages.extend(current.take());
            current = header
                .split_once(", Handshake [length ")
                .and_then(|(_, rest)| rest.split_once("], "))
                .map(|(_, name)| SeenMessage {
                    name: name.trim().to_owned(),
                    bytes: Vec::new(),
                });
            continue;
        }
        let Some(message) = current.as_mut() else {
            continue;
        };
        let is_dump = line.starts_with(' ')
            && line
                .split_whitespace()
                .all(|b| b.len() == 2 && b.bytes().all(|c| c.is_ascii_hexdigit()));
        if is_dump {
            message.bytes.extend(
                line.split_whitespace()
                    .map(|b| u8::from_str_radix(b, 16).expect("checked hex")),
            );
        } else {
            messages.extend(current.take());
        }
    }
    messages.extend(current);
    messages
}

/// The names of `messages`, in order.
pub fn message_names(messages: &[SeenMessage]) -> Vec<&str> {
    messages.iter().map(|m| m.name.as_str()).collect()
}

/// The message named `name` among `messages`; fails the test if there is
/// none.
pub fn find_message<'a>(messages: &'a [SeenMessage], name: &str) -> &'a SeenMessage {
    messages
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", message_names(messages)))
}

/// Lowercase hex of `bytes`, as Node's `toString('hex')` prints it.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
