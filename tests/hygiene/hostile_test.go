package hygiene_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/tests/ops"
	"github.com/anyscale-go/anyscale/tests/rawserver"
)

// echo is a hostile answer built around the Authorization header value
// that the request carried.
type echo struct {
	name   string
	answer func(w http.ResponseWriter, r *http.Request, auth string)
}

// bearer is the token in an Authorization header value.
func bearer(auth string) string { return strings.TrimPrefix(auth, "Bearer ") }

// uString is s as a JSON string with every character \u-escaped.
func uString(s string) string { return `"` + escapeEach(s, `\u%04x`) + `"` }

// answer writes status, the headers given as name and value pairs, and
// body.
func answer(w http.ResponseWriter, status int, body string, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// errorDetail answers status with the error envelope around detailJSON.
func errorDetail(status int, detailJSON string) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, _ *http.Request, _ string) {
		answer(w, status, `{"error":{"detail":`+detailJSON+`}}`)
	}
}

// okAnswer answers r as the API would, every text field holding field:
// the endpoints the hostile test drives, with the shapes docs/wire.md gives.
func okAnswer(w http.ResponseWriter, r *http.Request, field string, header ...string) {
	f := jsonString(field)
	now := time.Now().UTC()
	key := fmt.Sprintf(`{"hex_hashed_id":%s,"display_id":%s,"name":%s,"created_by":%s,"created_at":%q,"expires_at":%q}`,
		f, f, f, f, now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339))
	// The members the registry's operations look for: ops.Bot, a
	// service account, and ops.Alice.
	member := fmt.Sprintf(`{"id":"ide_hostile","user_id":"usr_hostile","email":"%s@org-x.serviceaccount.com","name":%q,`+
		`"permission_level":"owner","created_at":%q,"is_service_account":true}`, ops.Bot, ops.Bot, now.Format(time.RFC3339))
	other := fmt.Sprintf(`{"id":"ide_other","user_id":%s,"email":%q,"name":%s,"permission_level":"collaborator",`+
		`"created_at":%q,"is_service_account":false}`, f, ops.Alice, f, now.Format(time.RFC3339))
	list := func(items ...string) string {
		return `{"results":[` + strings.Join(items, ",") + `],"metadata":{"total":` + fmt.Sprint(len(items)) + `,"next_paging_token":null}}`
	}
	body := `{"result":{}}`
	switch p := r.URL.Path; {
	case p == "/api/v2/userinfo/":
		body = fmt.Sprintf(`{"result":{"id":"usr_hostile","email":%s,"name":%s,"username":%s,"organization_permission_level":"owner",`+
			`"organization_ids":["org_hostile"],"organizations":[{"id":"org_hostile","name":%s,"public_identifier":%s,"default_cloud_id":%s}]}}`,
			f, f, f, f, f, f)
	case strings.HasSuffix(p, "/api_keys"):
		body = list(key)
	case p == "/api/v2/users/create_api_key", p == "/api/v2/users/rotate_api_key":
		body = fmt.Sprintf(`{"result":{"server_session_id":%s}}`, jsonString(field))
	case p == "/api/v2/organization_collaborators/":
		body = list(member, other)
	}
	answer(w, http.StatusOK, body, header...)
}

// echoes are the hostile answers of an HTTP server; peer is another host
// that redirects point to.
func echoes(peer string) []echo {
	return []echo{
		{"401 whose detail holds the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusUnauthorized, `{"error":{"detail":`+jsonString("invalid token: "+auth)+`}}`)
		}},
		{"400 whose detail holds the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, jsonString("rejected "+auth))(w, nil, auth)
		}},
		{"400 whose detail holds the token, every character JSON-\\u-escaped", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, uString("rejected "+auth))(w, nil, auth)
		}},
		{"400 whose detail holds the token, one character JSON-\\u-escaped", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, `"rejected `+strings.Replace(auth, "_", `\u005f`, 1)+`"`)(w, nil, auth)
		}},
		{"400 whose detail holds the token percent-encoded", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, jsonString("rejected "+escapeEach(auth, "%%%02X")))(w, nil, auth)
		}},
		{"400 whose detail holds the token as HTML character references", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, jsonString("rejected "+escapeEach(auth, "&#%d;")))(w, nil, auth)
		}},
		{"400 whose detail is an object holding the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, `{"authorization":`+jsonString(auth)+`}`)(w, nil, auth)
		}},
		{"400 whose detail is an object holding the token JSON-\\u-escaped", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, `{"authorization":`+uString(auth)+`}`)(w, nil, auth)
		}},
		{"400 whose long detail holds the token across the message's cut", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, jsonString(strings.Repeat("x", 500)+auth))(w, nil, auth)
		}},
		{"400 whose detail holds the token with a NUL inside", func(w http.ResponseWriter, _ *http.Request, auth string) {
			tok := bearer(auth)
			errorDetail(http.StatusBadRequest, `"rejected `+tok[:20]+`\u0000`+tok[20:]+`"`)(w, nil, auth)
		}},
		{"400 whose detail holds a piece of the token (its first 30 characters)", func(w http.ResponseWriter, _ *http.Request, auth string) {
			errorDetail(http.StatusBadRequest, jsonString("rejected "+bearer(auth)[:30]+"…"))(w, nil, auth)
		}},
		{"422 whose FastAPI loc, msg and type hold the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusUnprocessableEntity, `{"detail":[{"loc":["header",`+jsonString(auth)+`],"msg":`+
				jsonString("bad value "+auth)+`,"type":`+jsonString(auth)+`}]}`)
		}},
		{"422 whose FastAPI loc, msg and type hold the token JSON-\\u-escaped", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusUnprocessableEntity, `{"detail":[{"loc":["header",`+uString(auth)+`],"msg":`+
				uString("bad value "+auth)+`,"type":`+uString(auth)+`}]}`)
		}},
		{"422 whose FastAPI loc holds the token split in two", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusUnprocessableEntity, `{"detail":[{"loc":["header",`+jsonString(auth[:25])+`,`+
				jsonString(auth[25:])+`],"msg":"bad","type":"value_error"}]}`)
		}},
		{"502 whose raw text body holds the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusBadGateway, "upstream refused Authorization: "+auth+"\n", "Content-Type", "text/plain")
		}},
		{"502 whose raw text body holds the token JSON-\\u-escaped", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusBadGateway, "upstream refused "+escapeEach(auth, `\u%04x`), "Content-Type", "text/plain")
		}},
		{"500 whose HTML body holds the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusInternalServerError, "<html><body><pre>Authorization: "+auth+"</pre></body></html>", "Content-Type", "text/html")
		}},
		{"503 whose Retry-After holds the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusServiceUnavailable, `{"error":{"detail":"busy"}}`, "Retry-After", auth)
		}},
		{"404 whose x-trace-id holds the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusNotFound, `{"error":{"detail":"no such thing"}}`, "X-Trace-Id", auth)
		}},
		{"404 whose x-trace-id holds the token percent-encoded", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusNotFound, `{"error":{"detail":"no such thing"}}`, "X-Trace-Id", escapeEach(auth, "%%%02x"))
		}},
		{"2xx whose x-trace-id holds the token", func(w http.ResponseWriter, r *http.Request, auth string) {
			okAnswer(w, r, "benign", "X-Trace-Id", auth)
		}},
		{"2xx whose fields hold the token", func(w http.ResponseWriter, r *http.Request, auth string) {
			okAnswer(w, r, bearer(auth))
		}},
		{"2xx that is not JSON, holding the token", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusOK, `{"result":{"id":`+bearer(auth)+`}}`)
		}},
		{"2xx whose result holds the token as a key, its value of the wrong type", func(w http.ResponseWriter, _ *http.Request, auth string) {
			answer(w, http.StatusOK, `{"result":{`+jsonString(bearer(auth))+`:"x","results":{`+jsonString(bearer(auth))+`:[1]}},`+
				`"results":{`+jsonString(bearer(auth))+`:1},"metadata":{}}`)
		}},
		{"307 redirect to another host", func(w http.ResponseWriter, r *http.Request, _ string) {
			http.Redirect(w, r, peer+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}},
		{"307 redirect to another host, the token in its path and query", func(w http.ResponseWriter, r *http.Request, auth string) {
			http.Redirect(w, r, peer+"/echo/"+url.PathEscape(auth)+"?t="+url.QueryEscape(auth), http.StatusTemporaryRedirect)
		}},
		{"302 redirect to this host, the token in its path", func(w http.ResponseWriter, r *http.Request, auth string) {
			if strings.HasPrefix(r.URL.Path, "/echo/") {
				okAnswer(w, r, "benign")
				return
			}
			http.Redirect(w, r, "/echo/"+url.PathEscape(bearer(auth)), http.StatusFound)
		}},
	}
}

// answersError reports whether e answers with an error status (rather
// than a 2xx or a redirect to one): only then can an error that matches a
// status's sentinel come from the answer, and not from the SDK's own
// refusal of what a 2xx answer said.
func (e echo) answersError() bool {
	rec := httptest.NewRecorder()
	e.answer(rec, httptest.NewRequest(http.MethodGet, "/api/v2/userinfo/", nil), noToken)
	return rec.Code >= 400
}

// echoServer answers every request with the current echo.
type echoServer struct {
	*httptest.Server
	current atomic.Pointer[echo]
	// authorized counts the requests that carried an Authorization header.
	authorized atomic.Int64
}

// noToken stands in for the Authorization header of a request that
// carries none (the login's): as long as a token, and no secret, so that
// every hostile answer can be built around it.
const noToken = "Bearer no-token-was-sent-with-this-request-0123456789"

// authOf is the Authorization header value of a request, or noToken.
func authOf(h http.Header) string {
	if a := h.Get("Authorization"); a != "" {
		return a
	}
	return noToken
}

// newEchoServer starts an echo server, closed when t ends.
func newEchoServer(t *testing.T) *echoServer {
	s := &echoServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Header.Get("Authorization") != "" {
			s.authorized.Add(1)
		}
		s.current.Load().answer(w, r, authOf(r.Header))
	}))
	t.Cleanup(s.Close)
	return s
}

// rawEcho is a hostile raw HTTP answer, which no net/http server would
// write, built around the Authorization header value.
type rawEcho struct {
	name     string
	response func(auth string) string
}

// rawEchoes are the raw hostile answers: malformed header and status
// lines, and framing headers that net/http quotes in its errors.
func rawEchoes() []rawEcho {
	ok := func(head string) string {
		return "HTTP/1.1 200 OK\r\n" + head + "\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n" + `{"result":{}}`
	}
	return []rawEcho{
		{"a malformed header line holding the token", func(auth string) string { return ok("X-Echo " + auth) }},
		{"a malformed header line holding the token JSON-\\u-escaped", func(auth string) string {
			return ok("X-Echo " + escapeEach(auth, `\u%04x`))
		}},
		{"a malformed header line holding the token percent-encoded", func(auth string) string {
			return ok("X-Echo " + escapeEach(auth, "%%%02X"))
		}},
		{"a malformed header line holding a piece of the token", func(auth string) string {
			return ok("X-Echo " + bearer(auth)[:30])
		}},
		{"a malformed status line holding the token", func(auth string) string {
			return "HTTP/1.1 " + bearer(auth) + "\r\nContent-Length: 0\r\n\r\n"
		}},
		{"a Content-Length holding the token", func(auth string) string {
			return "HTTP/1.1 200 OK\r\nContent-Length: " + bearer(auth) + "\r\n\r\n{}"
		}},
		{"a Transfer-Encoding holding the token", func(auth string) string {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + bearer(auth) + "\r\n\r\n{}"
		}},
	}
}

// rawServer answers each connection's first request with the current raw
// echo, then closes it.
type rawServer struct {
	URL     string
	current atomic.Pointer[rawEcho]
	// authorized counts the requests that carried an Authorization header.
	authorized atomic.Int64
}

// newRawServer starts a raw server, closed when t ends.
func newRawServer(t *testing.T) *rawServer {
	s := &rawServer{}
	s.URL = "http://" + rawserver.Start(t, func(conn net.Conn) {
		req := rawserver.ReadRequest(conn)
		if req == nil {
			return
		}
		if req.Header.Get("Authorization") != "" {
			s.authorized.Add(1)
		}
		_, _ = io.WriteString(conn, s.current.Load().response(authOf(req.Header)))
	})
	return s
}

// peer is another host, which redirects point to: it records the headers
// of every request it receives.
type peer struct {
	*httptest.Server
	mu       sync.Mutex
	received []string
}

// newPeer starts another host, closed when t ends.
func newPeer(t *testing.T) *peer {
	p := &peer{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		names := make([]string, 0, len(r.Header))
		for k := range r.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
		}
		p.mu.Lock()
		p.received = append(p.received, b.String())
		p.mu.Unlock()
		okAnswer(w, r, "benign")
	}))
	t.Cleanup(p.Close)
	return p
}

// headers returns the headers of every request received so far.
func (p *peer) headers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.received...)
}

// proxyRewrite changes an answer of the fake on its way back through the
// hostile proxy: auth is the Authorization header value the request
// carried.
type proxyRewrite struct {
	name    string
	rewrite func(status int, h http.Header, body []byte, auth string) []byte
}

// proxyRewrites are the hostile proxy's changes: the token in the
// x-trace-id of every answer, and in the detail of every error, raw and
// JSON-\u-escaped.
func proxyRewrites() []proxyRewrite {
	detail := func(status int, body []byte, d string) []byte {
		if status < 400 {
			return body
		}
		return []byte(`{"error":{"detail":` + d + `}}`)
	}
	return []proxyRewrite{
		{"the x-trace-id of every answer holds the token", func(_ int, h http.Header, body []byte, auth string) []byte {
			h.Set("X-Trace-Id", auth)
			return body
		}},
		{"the detail of every error holds the token", func(status int, _ http.Header, body []byte, auth string) []byte {
			return detail(status, body, jsonString(string(body)+" (sent with "+auth+")"))
		}},
		{"the detail of every error holds the token JSON-\\u-escaped", func(status int, _ http.Header, body []byte, auth string) []byte {
			return detail(status, body, `"`+strings.ReplaceAll(string(body), `"`, `'`)+` (sent with `+escapeEach(auth, `\u%04x`)+`)"`)
		}},
	}
}

// hostileProxy is a forward HTTP proxy to the fake that rewrites its
// answers with the current rewrite.
type hostileProxy struct {
	*httptest.Server
	current atomic.Pointer[proxyRewrite]
}

// newHostileProxy starts a proxy to upstream, closed when t ends.
func newHostileProxy(t *testing.T, upstream http.RoundTripper) *hostileProxy {
	p := &hostileProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Connection")
		resp, err := upstream.RoundTrip(out)
		if err != nil {
			http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
			return
		}
		h := resp.Header.Clone()
		body = p.current.Load().rewrite(resp.StatusCode, h, body, r.Header.Get("Authorization"))
		h.Del("Content-Length")
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(body)
	}))
	t.Cleanup(p.Close)
	return p
}

// client is an HTTP client whose every request goes through the proxy.
func (p *hostileProxy) client(t *testing.T) *http.Client {
	u, err := url.Parse(p.URL)
	require.NoError(t, err)
	tr := &http.Transport{Proxy: http.ProxyURL(u)}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// withDeadline bounds one hostile operation.
func withDeadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// hostileOp is one operation driven against a hostile server: it
// returns every value the operation returned.
type hostileOp struct {
	name string
	run  func(ctx context.Context, c *client.Client) ([]any, error)
}

// hostileOps are the operations driven against every hostile server:
// client.Client.Do, and every operation of the registry (tests/ops), each
// seeded on a fake of its own for its arguments (the hostile servers
// answer whatever they are asked).
func hostileOps(t *testing.T, r *recorder) []hostileOp {
	out := []hostileOp{
		{"client.Client.Do", func(ctx context.Context, c *client.Client) ([]any, error) {
			var out map[string]any
			resp, err := c.Do(ctx, http.MethodGet, "/api/v2/userinfo/", nil, nil, &out)
			return []any{resp, out}, err
		}},
		{"client.Client.Do into a map of numbers", func(ctx context.Context, c *client.Client) ([]any, error) {
			var out map[string]int
			resp, err := c.Do(ctx, http.MethodGet, "/api/v2/userinfo/", nil, nil, &out)
			return []any{resp, out}, err
		}},
	}
	for _, op := range ops.All {
		srv := anyscaletest.Start(t)
		owner := srv.Owner()
		r.secret("a registry fake's owner's token", owner.Token)
		// No Code: the login codes here are what the hostile servers
		// answer, not secrets.
		call := op.Start(t, &ops.World{Srv: srv, Owner: owner, Secret: r.secret})
		out = append(out, hostileOp{op.Name, call.Do})
	}
	return out
}
