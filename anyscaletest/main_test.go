package anyscaletest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// response is one decoded answer of the fake.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any // nil when the body is not a JSON object
}

// call sends one request with plain net/http; body is sent as is when it is
// a string or []byte, JSON-encoded otherwise, and not at all when nil.
func call(t *testing.T, s *Server, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out.JSON), "body: %s", raw)
	}
	return out
}

// result returns the object under "result", asserting the status.
func (r response) result(t *testing.T, status int) map[string]any {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Raw)
	require.Equal(t, []string{"result"}, fieldNames(r.JSON), "body: %s", r.Raw)
	res, ok := r.JSON["result"].(map[string]any)
	require.True(t, ok, "result is not an object: %s", r.Raw)
	return res
}

// list returns the results and metadata of a list answer.
func (r response) list(t *testing.T) (items []map[string]any, total int, next string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Equal(t, []string{"metadata", "results"}, fieldNames(r.JSON), "body: %s", r.Raw)
	md := r.JSON["metadata"].(map[string]any)
	require.Equal(t, []string{"next_paging_token", "total"}, fieldNames(md))
	for _, it := range r.JSON["results"].([]any) {
		items = append(items, it.(map[string]any))
	}
	if md["next_paging_token"] != nil {
		next = md["next_paging_token"].(string)
		require.NotEmpty(t, next)
	}
	return items, int(md["total"].(float64)), next
}

// detail asserts the {"error": {"detail": ...}} shape and status, and
// returns the detail.
func (r response) detail(t *testing.T, status int) string {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Raw)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, []string{"error"}, fieldNames(r.JSON), "body: %s", r.Raw)
	e := r.JSON["error"].(map[string]any)
	require.Equal(t, []string{"detail"}, fieldNames(e))
	d := e["detail"].(string)
	require.NotEmpty(t, d)
	return d
}

// validation asserts FastAPI's 422 shape and returns its single loc.
func (r response) validation(t *testing.T) []any {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "body: %s", r.Raw)
	require.Equal(t, []string{"detail"}, fieldNames(r.JSON), "body: %s", r.Raw)
	list := r.JSON["detail"].([]any)
	require.Len(t, list, 1)
	fe := list[0].(map[string]any)
	require.Equal(t, []string{"loc", "msg", "type"}, fieldNames(fe))
	assert.NotEmpty(t, fe["msg"])
	assert.NotEmpty(t, fe["type"])
	return fe["loc"].([]any)
}

func fieldNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// createKey creates a key with the caller's token and returns its secret.
func createKey(t *testing.T, s *Server, token string, body any) string {
	t.Helper()
	res := call(t, s, "POST", "/api/v2/users/create_api_key", token, body).result(t, http.StatusOK)
	require.Equal(t, []string{"server_session_id"}, fieldNames(res))
	return res["server_session_id"].(string)
}

// names returns the "name" of each item.
func names(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["name"].(string)
	}
	return out
}

// ids returns the "hex_hashed_id" of each item.
func ids(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["hex_hashed_id"].(string)
	}
	return out
}

const day = 24 * 3600

// mustField returns the raw JSON of one top-level field of a JSON object.
func mustField(t *testing.T, raw []byte, name string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	v, ok := m[name]
	require.True(t, ok, "no field %q in %s", name, raw)
	return v
}
