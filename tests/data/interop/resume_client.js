// A Node.js TLS client for stapler's resumption tests.
//
//   node resume_client.js HOST PORT CA_PEM SERVERNAME MAX_VERSION
//
// Connects with requestOCSP, keeps the session Node hands back (the
// 'session' event: a TLS 1.3 ticket, or a TLS 1.2 session), then connects
// again offering it, and prints key=value lines:
//   first_reused / second_reused   tls.TLSSocket#isSessionReused()
//   first_ocsp / second_ocsp       whether an 'OCSPResponse' event came
//                                  with a response (`yes`) or not (`no`)
//   protocol                       the second connection's protocol
//   error                          what failed, if something did
'use strict';

const fs = require('fs');
const tls = require('tls');

const [host, port, caPath, servername, maxVersion] = process.argv.slice(2);
const ca = fs.readFileSync(caPath);
const report = (key, value) => process.stdout.write(`${key}=${value}\n`);

const timer = setTimeout(() => {
  report('error', 'timeout');
  process.exit(3);
}, 10000);

function connect(label, session, done) {
  let stapled = false;
  let kept = null;
  const socket = tls.connect({
    host,
    port: Number(port),
    ca,
    servername,
    requestOCSP: true,
    maxVersion: maxVersion || 'TLSv1.3',
    session,
  });
  socket.on('OCSPResponse', (response) => {
    stapled = Boolean(response && response.length > 0);
  });
  socket.on('session', (s) => {
    if (!kept) kept = s;
  });
  socket.on('secureConnect', () => {
    socket.write('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n');
  });
  socket.on('data', () => {});
  socket.on('end', () => {
    report(`${label}_reused`, socket.isSessionReused());
    report(`${label}_ocsp`, stapled ? 'yes' : 'no');
    report('protocol', socket.getProtocol());
    done(kept);
  });
  socket.on('error', (e) => {
    report('error', `${e.code || ''} ${e.message}`.replace(/\s+/g, ' ').trim());
    clearTimeout(timer);
    process.exitCode = 1;
  });
}

connect('first', undefined, (session) => {
  if (!session) {
    report('error', 'no session from the first connection');
    clearTimeout(timer);
    process.exitCode = 1;
    return;
  }
  connect('second', session, () => clearTimeout(timer));
});
