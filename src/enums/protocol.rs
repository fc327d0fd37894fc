//! The registries of the record and handshake layers.

use super::wire_enum::wire_enum;

wire_enum! {
    /// `ContentType` of a record (RFC 8446 §5.1).
    pub enum ContentType: u8 {
        /// TLS 1.2's ChangeCipherSpec; a compatibility no-op in TLS 1.3.
        ChangeCipherSpec = 20 => "change_cipher_spec",
        /// An alert.
        Alert = 21 => "alert",
        /// Handshake messages.
        Handshake = 22 => "handshake",
        /// Application data, and every protected record in TLS 1.3.
        ApplicationData = 23 => "application_data",
    }
}

wire_enum! {
    /// `HandshakeType` (RFC 8446 §4, RFC 5246 §7.4, RFC 6066 §8).
    pub enum HandshakeType: u8 {
        /// The client's first message.
        ClientHello = 1 => "client_hello",
        /// The server's answer to it.
        ServerHello = 2 => "server_hello",
        /// A resumption ticket.
        NewSessionTicket = 4 => "new_session_ticket",
        /// End of 0-RTT data.
        EndOfEarlyData = 5 => "end_of_early_data",
        /// TLS 1.3 server extensions that need protecting.
        EncryptedExtensions = 8 => "encrypted_extensions",
        /// A certificate chain.
        Certificate = 11 => "certificate",
        /// TLS 1.2 server key exchange parameters.
        ServerKeyExchange = 12 => "server_key_exchange",
        /// A request for a client certificate.
        CertificateRequest = 13 => "certificate_request",
        /// End of the TLS 1.2 server flight.
        ServerHelloDone = 14 => "server_hello_done",
        /// Proof of possession of a certificate's key.
        CertificateVerify = 15 => "certificate_verify",
        /// TLS 1.2 client key exchange.
        ClientKeyExchange = 16 => "client_key_exchange",
        /// Transcript MAC that ends a flight.
        Finished = 20 => "finished",
        /// TLS 1.2 stapled OCSP response (RFC 6066 §8).
        CertificateStatus = 22 => "certificate_status",
        /// TLS 1.3 traffic key update.
        KeyUpdate = 24 => "key_update",
        /// Stand-in for ClientHello1 in the transcript after a HelloRetryRequest.
        MessageHash = 254 => "message_hash",
    }
}

wire_enum! {
    /// `AlertLevel` (RFC 5246 §7.2). TLS 1.3 ignores it except for
    /// close_notify and user_canceled, but it is always on the wire.
    pub enum AlertLevel: u8 {
        /// Level 1.
        Warning = 1 => "warning",
        /// Level 2: the connection is over.
        Fatal = 2 => "fatal",
    }
}

wire_enum! {
    /// `AlertDescription`: every value of RFC 8446 §6, including the ones it
    /// marks `_RESERVED` (TLS 1.2 peers still send some of them).
    pub enum AlertDescription: u8 {
        /// The sender will send no more data (a warning, not an error).
        CloseNotify = 0 => "close_notify",
        /// A message arrived that the state machine did not allow.
        UnexpectedMessage = 10 => "unexpected_message",
        /// A record failed to decrypt.
        BadRecordMac = 20 => "bad_record_mac",
        /// Reserved: TLS 1.0 decryption failure.
        DecryptionFailed = 21 => "decryption_failed",
        /// A record was longer than the limit allows.
        RecordOverflow = 22 => "record_overflow",
        /// Reserved: TLS compression failure.
        DecompressionFailure = 30 => "decompression_failure",
        /// No acceptable set of security parameters.
        HandshakeFailure = 40 => "handshake_failure",
        /// Reserved: SSL 3.0 only.
        NoCertificate = 41 => "no_certificate",
        /// A certificate was corrupt or failed to verify.
        BadCertificate = 42 => "bad_certificate",
        /// A certificate was of an unsupported type.
        UnsupportedCertificate = 43 => "unsupported_certificate",
        /// A certificate was revoked by its signer.
        CertificateRevoked = 44 => "certificate_revoked",
        /// A certificate has expired or is not yet valid.
        CertificateExpired = 45 => "certificate_expired",
        /// Some other certificate problem.
        CertificateUnknown = 46 => "certificate_unknown",
        /// A field was well formed but held a forbidden value.
        IllegalParameter = 47 => "illegal_parameter",
        /// The certificate chain did not lead to a trusted CA.
        UnknownCa = 48 => "unknown_ca",
        /// Valid credentials, but access was refused.
        AccessDenied = 49 => "access_denied",
        /// A message could not be parsed.
        DecodeError = 50 => "decode_error",
        /// A handshake cryptographic operation failed.
        DecryptError = 51 => "decrypt_error",
        /// Reserved: export restrictions.
        ExportRestriction = 60 => "export_restriction",
        /// The peer's protocol version is not supported.
        ProtocolVersion = 70 => "protocol_version",
        /// The peer's parameters are too weak.
        InsufficientSecurity = 71 => "insufficient_security",
        /// A failure unrelated to the peer or to the protocol.
        InternalError = 80 => "internal_error",
        /// A fallback was attempted although the peer supports more (RFC 7507).
        InappropriateFallback = 86 => "inappropriate_fallback",
        /// The user cancelled the handshake.
        UserCanceled = 90 => "user_canceled",
        /// Reserved: renegotiation refused (TLS 1.2 sends it as a warning).
        NoRenegotiation = 100 => "no_renegotiation",
        /// A required extension was missing.
        MissingExtension = 109 => "missing_extension",
        /// An extension was sent that was not asked for.
        UnsupportedExtension = 110 => "unsupported_extension",
        /// Reserved: RFC 6066 certificate URLs.
        CertificateUnobtainable = 111 => "certificate_unobtainable",
        /// No server is known by the name the client asked for.
        UnrecognizedName = 112 => "unrecognized_name",
        /// An invalid or unacceptable OCSP response was stapled.
        BadCertificateStatusResponse = 113 => "bad_certificate_status_response",
        /// Reserved: RFC 6066 certificate hashes.
        BadCertificateHashValue = 114 => "bad_certificate_hash_value",
        /// No acceptable PSK identity.
        UnknownPskIdentity = 115 => "unknown_psk_identity",
        /// A client certificate was required but not sent.
        CertificateRequired = 116 => "certificate_required",
        /// No ALPN protocol in common (RFC 7301).
        NoApplicationProtocol = 120 => "no_application_protocol",
    }
}

wire_enum! {
    /// `ExtensionType` (IANA "TLS ExtensionType Values").
    pub enum ExtensionType: u16 {
        /// RFC 6066 §3.
        ServerName = 0 => "server_name",
        /// RFC 6066 §4.
        MaxFragmentLength = 1 => "max_fragment_length",
        /// RFC 6066 §8: a request for a stapled OCSP response.
        StatusRequest = 5 => "status_request",
        /// RFC 8422 §5.1.1, RFC 8446 §4.2.7.
        SupportedGroups = 10 => "supported_groups",
        /// RFC 8422 §5.1.2.
        EcPointFormats = 11 => "ec_point_formats",
        /// RFC 8446 §4.2.3.
        SignatureAlgorithms = 13 => "signature_algorithms",
        /// RFC 5764.
        UseSrtp = 14 => "use_srtp",
        /// RFC 6520.
        Heartbeat = 15 => "heartbeat",
        /// RFC 7301.
        ApplicationLayerProtocolNegotiation = 16 => "application_layer_protocol_negotiation",
        /// RFC 6961: multiple OCSP responses (superseded by TLS 1.3).
        StatusRequestV2 = 17 => "status_request_v2",
        /// RFC 6962.
        SignedCertificateTimestamp = 18 => "signed_certificate_timestamp",
        /// RFC 7685.
        Padding = 21 => "padding",
        /// RFC 7366.
        EncryptThenMac = 22 => "encrypt_then_mac",
        /// RFC 7627.
        ExtendedMasterSecret = 23 => "extended_master_secret",
        /// RFC 8879.
        CompressCertificate = 27 => "compress_certificate",
        /// RFC 8449.
        RecordSizeLimit = 28 => "record_size_limit",
        /// RFC 5077.
        SessionTicket = 35 => "session_ticket",
        /// RFC 8446 §4.2.11.
        PreSharedKey = 41 => "pre_shared_key",
        /// RFC 8446 §4.2.10.
        EarlyData = 42 => "early_data",
        /// RFC 8446 §4.2.1.
        SupportedVersions = 43 => "supported_versions",
        /// RFC 8446 §4.2.2.
        Cookie = 44 => "cookie",
        /// RFC 8446 §4.2.9.
        PskKeyExchangeModes = 45 => "psk_key_exchange_modes",
        /// RFC 8446 §4.2.4.
        CertificateAuthorities = 47 => "certificate_authorities",
        /// RFC 8446 §4.2.5.
        OidFilters = 48 => "oid_filters",
        /// RFC 8446 §4.2.6.
        PostHandshakeAuth = 49 => "post_handshake_auth",
        /// RFC 8446 §4.2.3.
        SignatureAlgorithmsCert = 50 => "signature_algorithms_cert",
        /// RFC 8446 §4.2.8.
        KeyShare = 51 => "key_share",
        /// draft-ietf-tls-esni.
        EncryptedClientHello = 0xfe0d => "encrypted_client_hello",
        /// RFC 5746.
        RenegotiationInfo = 0xff01 => "renegotiation_info",
    }
}

/// The protocol version a handshake negotiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// TLS 1.3 (RFC 8446).
    Tls13,
    /// TLS 1.2 (RFC 5246), with ECDHE and AEAD suites only.
    Tls12,
}
