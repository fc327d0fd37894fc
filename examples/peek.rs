//! Point any TLS client at this and see what its ClientHello asks for.
//!
//! ```text
//! cargo run --example peek                  # listens on 127.0.0.1:8443
//! openssl s_client -connect localhost:8443 -servername localhost -status
//! ```
//!
//! Each connection's first flight goes through stapler's record deframer,
//! handshake joiner and ClientHello parser; the server prints one line of
//! what the client offered (SNI, ALPN, versions, whether it wants an OCSP
//! staple), escaped, and ends the connection with a handshake_failure
//! alert: it looks, it does not serve (examples/server.rs does). Malformed
//! input gets the alert its error maps to.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use stapler::codec::{
    Alert, AlertDescription, ClientHello, ContentType, HandshakeJoiner, HandshakeType,
    RecordDeframer,
};
use stapler::InvalidMessage;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .skip_while(|a| a != "--listen")
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8443".into());
    let listener = TcpListener::bind(&addr)?;
    eprintln!("peek: listening on {addr}; try: openssl s_client -connect {addr} -status");
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            let peer = stream
                .peer_addr()
                .map(|a| a.to_string())
                .unwrap_or_default();
            match serve(stream) {
                Ok(line) => println!("{peer}: {line}"),
                Err(e) => println!("{peer}: {e}"),
            }
        });
    }
    Ok(())
}

/// Reads until a whole ClientHello arrived, describes it, answers an alert.
fn serve(mut stream: TcpStream) -> std::io::Result<String> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut deframer = RecordDeframer::new();
    let mut joiner = HandshakeJoiner::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok("closed before sending a ClientHello".into());
        }
        let mut input = &buf[..n];
        while !input.is_empty() {
            let took = deframer.push(input);
            input = &input[took..];
            match first_hello(&mut deframer, &mut joiner) {
                Ok(None) => {}
                Ok(Some(line)) => {
                    send_alert(&mut stream, AlertDescription::HandshakeFailure)?;
                    return Ok(line);
                }
                Err(e) => {
                    send_alert(&mut stream, e.alert())?;
                    return Ok(format!("rejected: {e} (sent {})", e.alert()));
                }
            }
        }
    }
}

fn first_hello(
    deframer: &mut RecordDeframer,
    joiner: &mut HandshakeJoiner,
) -> Result<Option<String>, InvalidMessage> {
    while let Some(record) = deframer.next_record()? {
        if record.header.content_type != ContentType::Handshake {
            return Err(InvalidMessage::UnknownContentType(
                record.header.content_type.to_wire(),
            ));
        }
        joiner.push(record.fragment)?;
        if let Some(message) = joiner.next_message()? {
            if message.typ != HandshakeType::ClientHello {
                return Ok(Some(format!("first message was {}", message.typ)));
            }
            return ClientHello::parse(message.body).map(|h| Some(describe(&h)));
        }
    }
    Ok(None)
}

fn describe(hello: &ClientHello<'_>) -> String {
    // What the client chose is printed escaped (control bytes, quotes,
    // backslashes and non-ASCII as \xNN and the like): a host name or a
    // protocol name must not write to the operator's terminal.
    let text = |b: &[u8]| b.escape_ascii().to_string();
    let sni = hello
        .server_name()
        .and_then(|n| n.host_name())
        .map_or("-".into(), text);
    let alpn = hello.alpn().map_or("-".into(), |names| {
        names.iter().map(text).collect::<Vec<_>>().join(",")
    });
    let versions = hello.supported_versions().map_or("-".into(), |v| {
        v.iter()
            .map(|v| format!("{v:04x}"))
            .collect::<Vec<_>>()
            .join(",")
    });
    let groups = hello.key_share().map_or("-".into(), |shares| {
        shares
            .iter()
            .map(|s| format!("{:04x}", s.group))
            .collect::<Vec<_>>()
            .join(",")
    });
    format!(
        "sni={sni} alpn={alpn} versions={versions} key_shares={groups} suites={} ocsp={}",
        hello.cipher_suites().iter().count(),
        if hello.requests_ocsp() {
            "requested"
        } else {
            "no"
        },
    )
}

fn send_alert(stream: &mut TcpStream, description: AlertDescription) -> std::io::Result<()> {
    stream.write_all(&Alert::fatal(description).encode_plaintext_record())
}
