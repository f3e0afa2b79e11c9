// Package rawserver starts a loopback TCP server that hands each
// connection to the test's own code, for answers net/http's server will
// not give: a dropped connection, a cut TLS handshake, raw bytes that are
// no valid HTTP. The client's, the services' and the suites' tests share
// it.
package rawserver

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Deadline bounds how long a connection is served.
const Deadline = 10 * time.Second

// Start listens on a loopback port and calls handle with each connection
// it accepts, in a goroutine of its own, the connection's deadline set to
// Deadline; the connection is closed when handle returns. The server
// stops, and waits for every handler, when t ends. It returns the
// listener's address, such as "127.0.0.1:40123".
func Start(t testing.TB, handle func(conn net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(Deadline))
				handle(conn)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// ReadRequest reads one request from conn; nil when none could be read.
func ReadRequest(conn net.Conn) *http.Request {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return nil
	}
	return req
}

// Drop reads each request and closes its connection with no answer: every
// answer is lost, as behind a dead network path.
func Drop(conn net.Conn) { ReadRequest(conn) }
