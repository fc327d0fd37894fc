//! Test vectors from RFC 8448 §3, "Simple 1-RTT Handshake"
//! (TLS_AES_128_GCM_SHA256 with x25519), transcribed from the RFC's hex.
//! A mistyped byte cannot pass unnoticed: every value is either an input
//! whose outputs are checked, or an output checked against the RFC.

/// Decodes hex, ignoring whitespace.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => panic!("not hex: {b}"),
        })
        .collect();
    assert_eq!(digits.len() % 2, 0, "odd number of hex digits");
    digits.chunks(2).map(|d| d[0] << 4 | d[1]).collect()
}

/// {client} construct a ClientHello handshake message (196 octets).
pub(crate) const CLIENT_HELLO: &str = "
    010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef
    6283024dece7000006130113031302010000910000000b000900000673657276
    6572ff01000100000a00140012001d0017001800190100010101020103010400
    230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e
    51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603
    020308040805080604010501060102010402050206020202002d00020101001c
    00024001";

/// {server} construct a ServerHello handshake message (90 octets).
pub(crate) const SERVER_HELLO: &str = "
    020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155
    772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb
    f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";

/// {server} extract secret "early": secret.
pub(crate) const EARLY_SECRET: &str =
    "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";

/// {server} extract secret "handshake": IKM, the x25519 shared secret.
pub(crate) const SHARED_SECRET: &str =
    "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";

/// {server} extract secret "handshake": secret.
pub(crate) const HANDSHAKE_SECRET: &str =
    "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";

/// {server} derive secret "tls13 c hs traffic": hash (ClientHello..ServerHello).
pub(crate) const HELLO_HASH: &str =
    "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";

/// {server} derive secret "tls13 c hs traffic": expanded.
pub(crate) const CLIENT_HS_TRAFFIC: &str =
    "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";

/// {server} derive secret "tls13 s hs traffic": expanded.
pub(crate) const SERVER_HS_TRAFFIC: &str =
    "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";

/// {server} extract secret "master": secret.
pub(crate) const MASTER_SECRET: &str =
    "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919";

/// {server} derive write traffic keys for handshake data: key, iv.
pub(crate) const SERVER_HS_KEY: &str = "3fce516009c21727d0f2e4e86ee403bc";
/// See [`SERVER_HS_KEY`].
pub(crate) const SERVER_HS_IV: &str = "5d313eb2671276ee13000b30";

/// {server} derive read traffic keys for handshake data: key, iv.
pub(crate) const CLIENT_HS_KEY: &str = "dbfaa693d1762c5b666af5d950258d01";
/// See [`CLIENT_HS_KEY`].
pub(crate) const CLIENT_HS_IV: &str = "5bd3c71b836e0b76bb73265f";

/// {server} calculate finished "tls13 finished": finished.
pub(crate) const SERVER_FINISHED_VERIFY_DATA: &str =
    "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";

/// {server} send handshake record: payload (657 octets), that is
/// EncryptedExtensions, Certificate, CertificateVerify and Finished.
pub(crate) const SERVER_FLIGHT: &str = "
    080000240022000a00140012001d00170018001901000101010201030104001c
    00024001000000000b0001b9000001b50001b0308201ac30820115a003020102
    020102300d06092a864886f70d01010b0500300e310c300a0603550403130372
    7361301e170d3136303733303031323335395a170d3236303733303031323335
    395a300e310c300a0603550403130372736130819f300d06092a864886f70d01
    0101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c
    0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19e
    aa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e2
    2a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a
    8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304
    023000300b0603551d0f0404030205a0300d06092a864886f70d01010b050003
    81810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594
    365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd
    335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb
    2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4
    2b4de100000f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f82
    4cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef78
    0c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671
    459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda
    65cdf5aea20d53dfacd42f74f3140000209b9b141d906337fbd2cbdce71df4de
    da4ab42c309572cb7fffee5454b78f0718";

/// {server} send handshake record: complete record (679 octets).
pub(crate) const SERVER_FLIGHT_RECORD: &str = "
    17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35e
    df7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78
    b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13b
    d9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9
    d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2e
    d65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd61092
    8d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead68694
    5ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b368
    4596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f
    4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26
    f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531
    7b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e
    1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da
    8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d4
    61e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe
    5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb
    992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c859
    77b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038
    ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b84
    5e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5
    d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e
    750edc53370d2b";

/// {server} derive secret "tls13 c ap traffic": hash (ClientHello..server Finished).
pub(crate) const SERVER_FINISHED_HASH: &str =
    "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";

/// {server} derive secret "tls13 c ap traffic": expanded.
pub(crate) const CLIENT_AP_TRAFFIC: &str =
    "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";

/// {server} derive secret "tls13 s ap traffic": expanded.
pub(crate) const SERVER_AP_TRAFFIC: &str =
    "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";

/// {server} derive secret "tls13 exp master": expanded.
pub(crate) const EXPORTER_MASTER: &str =
    "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50";

/// {server} derive write traffic keys for application data: key, iv.
pub(crate) const SERVER_AP_KEY: &str = "9f02283b6c9c07efc26bb9f2ac92e356";
/// See [`SERVER_AP_KEY`].
pub(crate) const SERVER_AP_IV: &str = "cf782b88dd83549aadf1e984";

/// {client} derive write traffic keys for application data: key, iv.
pub(crate) const CLIENT_AP_KEY: &str = "17422dda596ed5d9acd890e3c63f5051";
/// See [`CLIENT_AP_KEY`].
pub(crate) const CLIENT_AP_IV: &str = "5b78923dee08579033e523d9";

/// {client} calculate finished "tls13 finished": finished.
pub(crate) const CLIENT_FINISHED_VERIFY_DATA: &str =
    "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";

/// {client} send handshake record: complete record (58 octets), the
/// client's Finished under the client handshake key.
pub(crate) const CLIENT_FINISHED_RECORD: &str = "
    170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc
    44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546";

/// {client} derive secret "tls13 res master": hash (ClientHello..client Finished).
pub(crate) const CLIENT_FINISHED_HASH: &str =
    "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d";

/// {client} derive secret "tls13 res master": expanded.
pub(crate) const RESUMPTION_MASTER: &str =
    "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c";

/// The ticket_nonce of that NewSessionTicket (its bytes 13 and 14, after
/// the header, lifetime, age_add and the nonce's length).
pub(crate) const TICKET_NONCE: &str = "0000";

/// RFC 8448 §4 ("Resumed 0-RTT Handshake"), {client} extract secret
/// "early": IKM, the PSK of the §3 ticket.
pub(crate) const RESUMPTION_PSK: &str =
    "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";

/// RFC 8448 §4, {client} extract secret "early": secret.
pub(crate) const RESUMED_EARLY_SECRET: &str =
    "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c";

/// {server} construct a NewSessionTicket handshake message (205 octets).
pub(crate) const NEW_SESSION_TICKET: &str = "
    040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec9000000
    00262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785a
    bc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827
    db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529
    513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea61764
    6fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934a
    e4d3570008002a000400000400";

/// {server} send handshake record: complete record (227 octets), the
/// NewSessionTicket under the server application key, sequence 0.
pub(crate) const NEW_SESSION_TICKET_RECORD: &str = "
    17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d4
    1d6af8f6b580dcf3d11d63c758db289a015940252f55713e061dc13e078891a3
    8efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e0
    9c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406
    f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c8651
    9d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74
    bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf159
    85684f";

/// The application data both sides send: the 50 octets 00, 01, ..., 31.
pub(crate) fn application_data() -> Vec<u8> {
    (0..50).collect()
}

/// {client} send application_data record: complete record (72 octets),
/// client application key, sequence 0.
pub(crate) const CLIENT_APPLICATION_DATA_RECORD: &str = "
    1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f
    2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae6
    3aeebb21694915e4";

/// {server} send application_data record: complete record (72 octets),
/// server application key, sequence 1.
pub(crate) const SERVER_APPLICATION_DATA_RECORD: &str = "
    17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36
    e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf33254
    0dd032e167c2955d";

/// {client} send alert record: complete record (24 octets), close_notify
/// (payload 01 00) under the client application key, sequence 1.
pub(crate) const CLIENT_ALERT_RECORD: &str = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3";

/// {server} send alert record: complete record (24 octets), close_notify
/// under the server application key, sequence 2.
pub(crate) const SERVER_ALERT_RECORD: &str = "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9";

#[test]
fn transcribed_lengths_match_the_rfc() {
    for (value, len) in [
        (CLIENT_HELLO, 196),
        (SERVER_HELLO, 90),
        (SERVER_FLIGHT, 657),
        (SERVER_FLIGHT_RECORD, 679),
        (CLIENT_FINISHED_RECORD, 58),
        (NEW_SESSION_TICKET, 205),
        (NEW_SESSION_TICKET_RECORD, 227),
        (CLIENT_APPLICATION_DATA_RECORD, 72),
        (SERVER_APPLICATION_DATA_RECORD, 72),
        (CLIENT_ALERT_RECORD, 24),
        (SERVER_ALERT_RECORD, 24),
    ] {
        assert_eq!(hex(value).len(), len);
    }
}
