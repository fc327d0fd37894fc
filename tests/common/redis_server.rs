//! A real `redis-server` on a free loopback port, for the fleet's tests:
//! started with no persistence (nothing written to disk), killed on drop,
//! and killable and restartable on the same port mid-test.
//!
//! Shared by tests/fleet.rs and stapler-redis/tests (through `#[path]`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long a redis-server may take to answer PING after it starts.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// One redis-server process, or none while killed.
pub struct RedisServer {
    program: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts `program` (a `redis-server`) on a free loopback port.
    pub fn start(program: PathBuf) -> Self {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let mut server = Self {
                program: program.clone(),
                port,
                child: None,
            };
            if server.run() {
                return server;
            }
            // Another process took the port first: try another.
            assert!(Instant::now() < deadline, "redis-server never started");
        }
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills it (its data goes with it: no persistence).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + START_TIMEOUT;
        while !self.run() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not restart on port {}",
                self.port
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs a server on `self.port`; whether it answers PING.
    fn run(&mut self) -> bool {
        let child = Command::new(&self.program)
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if self.ping() {
                return true;
            }
            let exited = self
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_some());
            if exited {
                self.child = None;
                return false;
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        false
    }

    /// Whether it answers PING now.
    pub fn ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    /// Sends one command (its arguments as bytes) and returns the raw
    /// reply: for the tests that write into Redis by hand, as an attacker
    /// with access to it would.
    pub fn command(&self, args: &[&[u8]]) -> Vec<u8> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to redis");
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut request = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            request.extend_from_slice(arg);
            request.extend_from_slice(b"\r\n");
        }
        stream.write_all(&request).unwrap();
        let mut reply = Vec::new();
        let mut buf = [0u8; 4096];
        // Read until the reply stops (the read times out).
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
            if reply.ends_with(b"\r\n") {
                break;
            }
        }
        reply
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
