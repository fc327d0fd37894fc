//! The hand client's session tickets (RFC 5077): reading a
//! NewSessionTicket, and the client's side of an abbreviated handshake.

use super::{split_messages, split_records, HandClient, CHANGE_CIPHER_SPEC, HANDSHAKE};
use crate::common::hello_encoder::ExtensionModel;

impl HandClient {
    /// Reads one plaintext NewSessionTicket message into `ticket` (and the
    /// transcript, which the Finished messages cover).
    pub fn read_new_session_ticket(&mut self, fragment: &[u8]) {
        let messages = split_messages(fragment);
        assert_eq!(messages.len(), 1, "one NewSessionTicket");
        let (typ, message) = &messages[0];
        assert_eq!(*typ, 4, "NewSessionTicket");
        let body = &message[4..];
        let hint = u32::from_be_bytes(body[..4].try_into().unwrap());
        let len = usize::from(u16::from_be_bytes([body[4], body[5]]));
        assert_eq!(body.len(), 6 + len, "NewSessionTicket's length");
        self.ticket = Some((hint, body[6..].to_vec()));
        self.transcript.extend_from_slice(message);
    }

    /// A client for the next connection, resuming this one's session: the
    /// same master secret, and a hello with `ems` or not offering the
    /// ticket, with a session id of its own (RFC 5077 §3.4).
    pub fn resuming(&self, suites: &[u16], ems: bool) -> HandClient {
        let (_, ticket) = self.ticket.clone().expect("a ticket to resume with");
        let mut hello = super::tls12_hello(suites, super::tls12_extensions(ems, false));
        hello.session_id = vec![0x5a; 32];
        hello
            .extensions
            .as_mut()
            .unwrap()
            .push(ExtensionModel::SessionTicket(ticket));
        let mut next = HandClient::new(hello);
        next.master_secret = self.master_secret.clone();
        next
    }

    /// Reads the server's abbreviated flight (RFC 5077 §3.1): ServerHello,
    /// [NewSessionTicket], change_cipher_spec and Finished, the last
    /// checked with the keys made from the resumed master secret.
    pub fn read_resumed_flight(&mut self, bytes: &[u8]) {
        let records = split_records(bytes);
        let ccs = records
            .iter()
            .position(|r| r.typ == CHANGE_CIPHER_SPEC)
            .expect("the server changes keys in its first flight");
        let plain: Vec<u8> = records[..ccs]
            .iter()
            .inspect(|r| assert_eq!(r.typ, HANDSHAKE))
            .flat_map(|r| r.fragment.clone())
            .collect();
        let messages = split_messages(&plain);
        let (typ, server_hello) = &messages[0];
        assert_eq!(*typ, 2, "ServerHello first");
        // Only the ServerHello: its fields, into the transcript.
        self.read_flight(&super::record(HANDSHAKE, 0x0303, server_hello));
        assert_eq!(
            self.flight.session_id, self.hello.session_id,
            "the session id echoed (RFC 5077 §3.4)"
        );
        self.ticket = None;
        for (typ, message) in &messages[1..] {
            assert_eq!(*typ, 4, "only a NewSessionTicket before the keys change");
            self.read_new_session_ticket(message);
        }
        self.derive_keys();
        let rest: Vec<u8> = records[ccs..]
            .iter()
            .flat_map(|r| super::record(r.typ, r.version, &r.fragment))
            .collect();
        self.read_server_finished(&rest);
    }

    /// The client's change_cipher_spec and Finished closing an
    /// abbreviated handshake; `tamper` flips a bit of verify_data.
    pub fn resumed_finish(&mut self, tamper: bool) -> Vec<u8> {
        let mut finished = self.finished_message();
        if tamper {
            let last = finished.len() - 1;
            finished[last] ^= 1;
        }
        let mut out = Self::change_cipher_spec();
        out.extend(self.seal(HANDSHAKE, &finished));
        out
    }

    /// The handshake message bytes of a plaintext ServerHello flight's
    /// message types, for asserting what a server answered.
    pub fn message_types(bytes: &[u8]) -> Vec<u8> {
        let plain: Vec<u8> = split_records(bytes)
            .into_iter()
            .take_while(|r| r.typ == HANDSHAKE)
            .flat_map(|r| r.fragment)
            .collect();
        split_messages(&plain).iter().map(|(t, _)| *t).collect()
    }
}
