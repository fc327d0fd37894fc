#!/usr/bin/env python3
"""Capture one TLS ClientHello exactly as sent on the wire.

Usage: capture.py PORT OUTFILE

Listens on 127.0.0.1:PORT, accepts ONE connection and reads TLS records
(5-byte header: type, legacy_record_version, 16-bit length) until the
handshake records carry a complete handshake message whose 4-byte header
(msg_type, 24-bit length) says it is done.  It writes exactly those record
bytes (headers included, nothing after the last record) to OUTFILE, closes
the socket and exits.  Python 3 standard library only.  Overall timeout 10 s.
"""

import socket
import sys
import time

TIMEOUT = 10.0
CONTENT_HANDSHAKE = 0x16
HS_CLIENT_HELLO = 0x01


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: capture.py PORT OUTFILE")
    port = int(sys.argv[1])
    out_path = sys.argv[2]
    deadline = time.monotonic() + TIMEOUT

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    srv.settimeout(TIMEOUT)
    conn, _ = srv.accept()
    srv.close()

    buf = bytearray()

    def need(n):
        """Make sure buf holds at least n bytes."""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out waiting for ClientHello")
            conn.settimeout(left)
            chunk = conn.recv(65536)
            if not chunk:
                raise EOFError("peer closed before a whole ClientHello arrived "
                               "(%d bytes so far)" % len(buf))
            buf.extend(chunk)

    pos = 0          # end of the records consumed so far
    hs = bytearray()  # concatenated handshake fragments
    records = 0
    try:
        while True:
            need(pos + 5)
            ctype = buf[pos]
            length = (buf[pos + 3] << 8) | buf[pos + 4]
            if ctype != CONTENT_HANDSHAKE:
                raise ValueError("record %d has content type 0x%02x, not handshake"
                                 % (records, ctype))
            if length == 0 or length > 16384 + 2048:
                raise ValueError("record %d has bad length %d" % (records, length))
            need(pos + 5 + length)
            hs.extend(buf[pos + 5:pos + 5 + length])
            pos += 5 + length
            records += 1
            if len(hs) >= 4:
                if hs[0] != HS_CLIENT_HELLO:
                    raise ValueError("first handshake message is type %d" % hs[0])
                body_len = (hs[1] << 16) | (hs[2] << 8) | hs[3]
                if len(hs) >= 4 + body_len:
                    if len(hs) > 4 + body_len:
                        print("warning: %d handshake bytes follow the ClientHello "
                              "in its last record" % (len(hs) - 4 - body_len),
                              file=sys.stderr)
                    break
    finally:
        conn.close()

    with open(out_path, "wb") as f:
        f.write(bytes(buf[:pos]))
    extra = len(buf) - pos
    print("captured %d bytes in %d record(s) to %s%s"
          % (pos, records, out_path,
             " (%d trailing bytes discarded)" % extra if extra else ""),
          file=sys.stderr)


if __name__ == "__main__":
    main()
