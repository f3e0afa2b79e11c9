package bench

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// token is what every benchmark client sends.
const token = "aph0_benchtoken0123456789abcdefghijklmnop"

// wireKey is an ApiKeyInfo as the server writes it.
type wireKey struct {
	HexHashedID string  `json:"hex_hashed_id"`
	DisplayID   string  `json:"display_id"`
	Name        string  `json:"name"`
	CreatedBy   string  `json:"created_by"`
	CreatedAt   string  `json:"created_at"`
	ExpiresAt   *string `json:"expires_at"`
	RevokedAt   *string `json:"revoked_at"`
	LastUsedAt  *string `json:"last_used_at"`
}

func makeKey(i int) wireKey {
	exp := "2026-12-27T10:00:00+00:00"
	used := "2026-11-26T08:00:00.123456+00:00"
	return wireKey{
		HexHashedID: fmt.Sprintf("%064x", i),
		DisplayID:   fmt.Sprintf("key_%08x", i),
		Name:        fmt.Sprintf("key-%06d", i),
		CreatedBy:   "usr_aaaaaaaaaaaaaaaaaaaaaaaaaa",
		CreatedAt:   "2026-11-27T10:00:00+00:00",
		ExpiresAt:   &exp,
		LastUsedAt:  &used,
	}
}

// keyPages answers GET /api/v2/users/api_keys with total keys, 50 a page,
// the page chosen by paging_token (the index of its first key); the
// pages are encoded once, before the benchmark.
func keyPages(total int) http.Handler {
	var pages [][]byte
	for start := 0; start < total || start == 0; start += 50 {
		var items []wireKey
		for i := start; i < min(start+50, total); i++ {
			items = append(items, makeKey(i))
		}
		var next *string
		if start+50 < total {
			n := strconv.Itoa(start + 50)
			next = &n
		}
		b, _ := json.Marshal(map[string]any{"results": items, "metadata": map[string]any{"total": total, "next_paging_token": next}})
		pages = append(pages, b)
		if total == 0 {
			break
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start, _ := strconv.Atoi(r.URL.Query().Get("paging_token"))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(pages[start/50])))
		_, _ = w.Write(pages[start/50])
	})
}

// server starts h on loopback and counts the connections made to it.
func server(b testing.TB, h http.Handler) (*httptest.Server, *atomic.Int64) {
	b.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	b.Cleanup(srv.Close)
	return srv, &conns
}

// revokeServer answers bulk revokes after holding each request for delay,
// listing every id as revoked.
func revokeServer(delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			IDs []string `json:"api_key_ids"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"result": map[string]any{"revoked": body.IDs}})
	})
}

// userInfo answers a tiny result.
var userInfo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	const body = `{"result":{"id":"usr_1","email":"a@example.com","name":"A","username":"a","organization_permission_level":"owner","organization_ids":["org_1"],"organizations":[{"id":"org_1","name":"O","public_identifier":"o","default_cloud_id":null}]}}`
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write([]byte(body))
})
