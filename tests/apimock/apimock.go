package apimock

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
)

// BaseURL is the mock API's base URL.
const BaseURL = "https://api.test"

// Token is the token the mock's client sends: a canary that tests look
// for in logs and errors.
const Token = "aph0_CANARYtoken0123456789abcdefghijklmn"

// UnexpectedStatus answers a request no responder expects.
const UnexpectedStatus = 599

// Call is one recorded request.
type Call struct {
	Method      string
	Path        string
	Query       url.Values
	Body        string
	ContentType string
}

// API is a mock Anyscale API and a client of it that retries fast.
type API struct {
	Client    *client.Client
	Transport *httpmock.MockTransport

	mu    sync.Mutex
	calls []Call
}

// New returns a mock API whose client authenticates with Token and retries
// twice, a millisecond apart. A request nobody expects is recorded too and
// answered with UnexpectedStatus.
func New(t testing.TB) *API {
	t.Helper()
	m := &API{Transport: httpmock.NewMockTransport()}
	c, err := client.New(client.WithBaseURL(BaseURL), client.WithToken(Token),
		client.WithHTTPClient(&http.Client{Transport: m.Transport}),
		client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	require.NoError(t, err)
	m.Client = c
	m.Transport.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		m.record(r)
		return httpmock.NewStringResponse(UnexpectedStatus, "unexpected request"), nil
	})
	return m
}

// record keeps r, and leaves its body readable for the responder.
func (m *API) record(r *http.Request) {
	var body string
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		r.Body = io.NopCloser(strings.NewReader(body))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: body, ContentType: r.Header.Get("Content-Type")})
}

// Calls returns the recorded calls, in order.
func (m *API) Calls() []Call {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Call(nil), m.calls...)
}

// Paths lists "METHOD path" of every call, in order.
func (m *API) Paths() []string {
	var out []string
	for _, c := range m.Calls() {
		out = append(out, c.Method+" "+c.Path)
	}
	return out
}

// On answers method and path (any query) with status and a JSON body.
func (m *API) On(method, path string, status int, body string) {
	m.OnFunc(method, path, func(*http.Request) (int, string) { return status, body })
}

// OnFunc answers method and path (any query) with what answer returns; it
// may read the request's body.
func (m *API) OnFunc(method, path string, answer func(r *http.Request) (int, string)) {
	m.Transport.RegisterResponder(method, BaseURL+path, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		status, out := answer(r)
		resp := httpmock.NewStringResponse(status, out)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
}

// Result wraps a JSON object in the {"result": ...} envelope.
func Result(obj string) string { return `{"result":` + obj + `}` }

// List is a list answer of the JSON items, whose next page is next ("" for
// the last page).
func List(next string, items ...string) string {
	tok := "null"
	if next != "" {
		tok = fmt.Sprintf("%q", next)
	}
	return fmt.Sprintf(`{"results":[%s],"metadata":{"total":%d,"next_paging_token":%s}}`, strings.Join(items, ","), len(items), tok)
}
