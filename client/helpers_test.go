package client_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

const (
	baseURL = "https://api.test"
	// canary is a token that must never appear in logs or errors.
	canary  = "aph0_CANARYtoken0123456789abcdefghijklmn"
	canary2 = "aph0_SECONDtoken0123456789abcdefghijklmn"
)

// fastRetry keeps retry tests quick without sleeping in the test itself.
var fastRetry = client.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}

// fakeProvider returns its tokens in turn (the last one repeats) and counts
// resolutions and invalidations.
type fakeProvider struct {
	mu          sync.Mutex
	tokens      []string
	source      auth.Source
	calls       int
	invalidated int
}

func (p *fakeProvider) Token(context.Context) (auth.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := min(p.calls, len(p.tokens)-1)
	p.calls++
	return auth.Token{Value: credentials.Secret(p.tokens[i]), Source: p.source, Origin: "origin-of-" + string(p.source)}, nil
}

func (p *fakeProvider) Invalidate() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.invalidated++
}

type fixture struct {
	mt  *httpmock.MockTransport
	c   *client.Client
	log *bytes.Buffer
}

// newFixture returns a client on a per-test mock transport, logging at
// debug level into a buffer.
func newFixture(t *testing.T, opts ...client.Option) *fixture {
	t.Helper()
	mt := httpmock.NewMockTransport()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	all := append([]client.Option{
		client.WithBaseURL(baseURL),
		client.WithHTTPClient(&http.Client{Transport: mt}),
		client.WithToken(canary),
		client.WithRetryPolicy(fastRetry),
		client.WithLogger(logger),
	}, opts...)
	c, err := client.New(all...)
	require.NoError(t, err)
	return &fixture{mt: mt, c: c, log: &buf}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// jsonResponder answers status with body and an x-trace-id header.
func jsonResponder(status int, body string, header ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		resp.Header.Set("X-Trace-Id", "trace-123")
		for i := 0; i+1 < len(header); i += 2 {
			resp.Header.Set(header[i], header[i+1])
		}
		return resp, nil
	}
}

// readBody returns a request's body as a string.
func readBody(r *http.Request) string {
	if r.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(r.Body)
	return string(b)
}
