// A Go crypto/tls client for stapler's interop tests
// (tests/demo_conformance/go.rs). Standard library only, so that it builds
// offline with Debian's golang-go (Go 1.19 on bookworm).
//
//	go_client -addr HOST:PORT -ca CA_PEM -name SERVERNAME -version 1.3|1.2|default
//	          [-connections N] [-cert CERT_PEM -key KEY_PEM] [-alpn PROTO]
//
// Makes N connections one after another, sharing one session cache, so
// that the second and later ones may resume. Each sends one HTTP/1.0
// request and reads until the server ends the connection. What each saw
// is printed as key=value lines, the key prefixed with the connection's
// index ("0.version=TLSv1.3"):
//
//	version      the negotiated version, as TLSv1.3 or TLSv1.2
//	cipher       tls.CipherSuiteName of the suite
//	resumed      ConnectionState.DidResume
//	ocsp         hex of ConnectionState.OCSPResponse, or none. Go keeps a
//	             session's staple with the session, so a resumed
//	             connection reports the staple of the one it resumed
//	verified     how many chains Go verified against CA_PEM
//	alpn         the negotiated protocol, or none
//	status_line  the first line of the HTTP response
//	page         a line of the response's body (one key per line)
//	end          ok once the server ended the stream
//	error        what failed, if something did (exit status 1)
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// The whole run's deadline; the Rust side kills the process too, but an
// error line beats a kill.
const deadline = 10 * time.Second

func main() {
	addr := flag.String("addr", "", "HOST:PORT")
	caPath := flag.String("ca", "", "the CA certificate, PEM")
	name := flag.String("name", "localhost", "the server name to send and verify")
	version := flag.String("version", "1.3", "1.3, 1.2, or default (Go's own range)")
	connections := flag.Int("connections", 1, "connections, one after another")
	certPath := flag.String("cert", "", "a client certificate chain, PEM")
	keyPath := flag.String("key", "", "its private key, PEM")
	alpn := flag.String("alpn", "", "an ALPN protocol to offer")
	flag.Parse()

	config, err := configure(*caPath, *name, *version, *certPath, *keyPath, *alpn)
	if err != nil {
		fail("setup", err)
	}
	for i := 0; i < *connections; i++ {
		if err := connect(i, *addr, config); err != nil {
			fail(fmt.Sprint(i), err)
		}
	}
}

func configure(caPath, name, version, certPath, keyPath, alpn string) (*tls.Config, error) {
	pem, err := os.ReadFile(caPath)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", caPath)
	}
	config := &tls.Config{
		RootCAs:            roots,
		ServerName:         name,
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
	}
	switch version {
	case "1.3":
		config.MinVersion, config.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	case "1.2":
		config.MinVersion, config.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	case "default":
		// Go's own range (TLS 1.2 to 1.3 in Go 1.19).
	default:
		return nil, fmt.Errorf("unknown version %q", version)
	}
	if certPath != "" {
		pair, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return nil, err
		}
		config.Certificates = []tls.Certificate{pair}
	}
	if alpn != "" {
		config.NextProtos = []string{alpn}
	}
	return config, nil
}

func connect(index int, addr string, config *tls.Config) error {
	report := func(key, value string) { fmt.Printf("%d.%s=%s\n", index, key, value) }
	dialer := &net.Dialer{Timeout: deadline}
	conn, err := tls.DialWithDialer(dialer, "tcp", addr, config)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(deadline)); err != nil {
		return err
	}
	state := conn.ConnectionState()
	report("version", versionName(state.Version))
	report("cipher", tls.CipherSuiteName(state.CipherSuite))
	report("resumed", fmt.Sprint(state.DidResume))
	if len(state.OCSPResponse) > 0 {
		report("ocsp", hex.EncodeToString(state.OCSPResponse))
	} else {
		report("ocsp", "none")
	}
	report("verified", fmt.Sprint(len(state.VerifiedChains)))
	if state.NegotiatedProtocol != "" {
		report("alpn", state.NegotiatedProtocol)
	} else {
		report("alpn", "none")
	}
	if _, err := io.WriteString(conn, "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"); err != nil {
		return err
	}
	// Reading to the end also reads the TLS 1.3 NewSessionTickets, which
	// the next connection resumes with.
	reader := bufio.NewReader(conn)
	line, err := reader.ReadString('\n')
	if err != nil {
		return err
	}
	report("status_line", strings.TrimRight(line, "\r\n"))
	// The head's other lines are skipped; each line of the body is
	// reported as it came.
	body := false
	for {
		line, err := reader.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if body && line != "" {
			report("page", line)
		}
		body = body || line == ""
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	report("end", "ok")
	return nil
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	default:
		return fmt.Sprintf("0x%04x", v)
	}
}

func fail(where string, err error) {
	message := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Printf("%s.error=%s\n", where, message)
	os.Exit(1)
}
