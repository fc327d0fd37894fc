#!/usr/bin/env python3
"""Writes the largest legal ClientHellos into the fuzz corpora.

libFuzzer starts from small inputs and caps their size (-max_len), so without
seeds it rarely reaches hellos past 64 KiB. This grows each captured hello in
tests/data/client_hello to the syntactic maximum a TLS 1.3 hello can have
(cipher_suites and extensions both full, 131,142 bytes of body with a
32-byte session id; a TLS 1.2 hello may add 254 more compression methods) and to 65,614 bytes (what some
clients pad to), and writes each in the form each target takes. Run from the
repository root, after the corpus steps in fuzz/README.md.
"""
import os
import struct
import sys

RECORD = 1 << 14


def split_body(body):
    at = 2 + 32
    sid = body[at]
    at += 1 + sid
    (suites_len,) = struct.unpack(">H", body[at:at + 2])
    suites = body[at + 2:at + 2 + suites_len]
    at += 2 + suites_len
    comp = body[at]
    methods = body[at + 1:at + 1 + comp]
    at += 1 + comp
    (ext_len,) = struct.unpack(">H", body[at:at + 2])
    exts = body[at + 2:at + 2 + ext_len]
    return body[:2 + 32 + 1 + sid], suites, methods, exts


def grown(body, total):
    head, suites, methods, exts = split_body(body)
    fixed = len(head) + 2 + 1 + len(methods) + 2 + len(exts) + 4
    extra = total - fixed - len(suites)
    more_suites = min(extra, 65534 - len(suites)) // 2 * 2
    filler = b"".join(struct.pack(">H", 0x4000 | (i & 0x3fff)) for i in range(more_suites // 2))
    suites = suites + filler
    padding = total - fixed - len(suites)
    # An unknown type (never one the capture has) pads the block.
    exts = exts + struct.pack(">HH", 0x4443, padding) + bytes(padding)
    out = (head + struct.pack(">H", len(suites)) + suites + bytes([len(methods)]) + methods
           + struct.pack(">H", len(exts)) + exts)
    assert len(out) == total, (len(out), total)
    return out


def records(message):
    out = b""
    for i in range(0, len(message), RECORD):
        chunk = message[i:i + RECORD]
        out += bytes([22, 3, 3]) + struct.pack(">H", len(chunk)) + chunk
    return out


def main():
    src = "tests/data/client_hello"
    for name in ("openssl_tls13_status", "chromium", "openssl_tls12_status"):
        capture = open(os.path.join(src, name + ".bin"), "rb").read()
        body = capture[9:]
        head, _, methods, _ = split_body(body)
        largest = len(head) + 2 + 65534 + 1 + len(methods) + 2 + 65535
        for total in (65614, largest):
            hello = grown(body, total)
            message = bytes([1]) + struct.pack(">I", len(hello))[1:] + hello
            stream = records(message)
            tag = f"{name}-{total}"
            for target, data in (
                ("client_hello", hello),
                ("first_flight", b"\x07" + stream),
                ("server", bytes.fromhex("010000") + stream),
                ("server", bytes.fromhex("00009d") + stream),
            ):
                os.makedirs(f"fuzz/corpus/{target}", exist_ok=True)
                suffix = data[:3].hex() if target == "server" else ""
                with open(f"fuzz/corpus/{target}/large-{tag}{suffix}", "wb") as f:
                    f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
