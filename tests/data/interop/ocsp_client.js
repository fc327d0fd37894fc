// A Node.js TLS client for stapler's interop tests (tests/interop_*.rs).
//
//   node ocsp_client.js HOST PORT CA_PEM SERVERNAME MIN_VERSION [MAX_VERSION]
//
// Connects with requestOCSP, sends one HTTP/1.0 request, reads until the
// server ends the connection, and prints what it saw as key=value lines:
//   ocsp_response  hex of the 'OCSPResponse' event's buffer, or `none`
//   protocol       tls.TLSSocket#getProtocol(), e.g. TLSv1.3
//   authorized     whether the chain verified against CA_PEM
//   status_line    the first line of the HTTP response
//   end            `ok` once the server ended the stream
//   error          what failed, if something did (exit status 1; 3 on timeout)
'use strict';

const fs = require('fs');
const tls = require('tls');

const [host, port, caPath, servername, minVersion, maxVersion] = process.argv.slice(2);
const report = (key, value) => process.stdout.write(`${key}=${value}\n`);

// The Rust side kills the process too, but a clear line beats a kill.
const timer = setTimeout(() => {
  report('error', 'timeout');
  process.exit(3);
}, 10000);

const socket = tls.connect({
  host,
  port: Number(port),
  ca: fs.readFileSync(caPath),
  servername,
  requestOCSP: true,
  minVersion,
  maxVersion: maxVersion || 'TLSv1.3',
});

// Emitted once per handshake when requestOCSP is set; Node passes null
// (or an empty buffer) when the server stapled nothing.
socket.on('OCSPResponse', (response) => {
  report('ocsp_response', response && response.length > 0 ? response.toString('hex') : 'none');
});

socket.on('secureConnect', () => {
  report('protocol', socket.getProtocol());
  report('authorized', socket.authorized);
  socket.write('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n');
});

const chunks = [];
socket.on('data', (chunk) => chunks.push(chunk));
socket.on('end', () => {
  report('status_line', Buffer.concat(chunks).toString('utf8').split('\r\n')[0]);
  report('end', 'ok');
  clearTimeout(timer);
});

socket.on('error', (e) => {
  report('error', `${e.code || ''} ${e.message}`.replace(/\s+/g, ' ').trim());
  clearTimeout(timer);
  process.exitCode = 1;
});
