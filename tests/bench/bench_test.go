package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
)

// rawKey is what a hand-written client decodes a key into.
type rawKey struct {
	ID         string     `json:"hex_hashed_id"`
	DisplayID  string     `json:"display_id"`
	Name       string     `json:"name"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

type rawPage struct {
	Results  []rawKey `json:"results"`
	Metadata struct {
		Total           int     `json:"total"`
		NextPagingToken *string `json:"next_paging_token"`
	} `json:"metadata"`
}

// rawGet is the hand-written baseline of one authenticated GET decoded
// into out.
func rawGet(hc *http.Client, url string, out any) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func sdkClient(b testing.TB, url string, opts ...client.Option) *client.Client {
	b.Helper()
	c, err := client.New(append([]client.Option{client.WithBaseURL(url), client.WithToken(token)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func rawClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// BenchmarkListPage: one page of 50 keys, from a server in another
// process: the figures are the client's alone.
func BenchmarkListPage(b *testing.B) {
	srv := struct{ URL string }{remote(b, "/page")}
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		ks := keys.New(sdkClient(b, srv.URL))
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			page, err := ks.List(ctx, keys.ListOptions{})
			if err != nil || len(page.Items) != 50 {
				b.Fatalf("items %d, err %v", len(page.Items), err)
			}
		}
	})
	b.Run("impl=raw", func(b *testing.B) {
		hc := rawClient()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			var page rawPage
			if err := rawGet(hc, srv.URL+"/api/v2/users/api_keys?count=50", &page); err != nil || len(page.Results) != 50 {
				b.Fatal(err)
			}
		}
	})
}

// perKey reports time, bytes and allocations per key of a listing of n
// keys, run b.N times.
func perKey(b *testing.B, n int, list func() int) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	ops := 0
	b.ResetTimer()
	for range b.N {
		if got := list(); got != n {
			b.Fatalf("listed %d keys, want %d", got, n)
		}
		ops++
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	keys := float64(ops * n)
	b.ReportMetric(float64(elapsed.Nanoseconds())/keys, "ns/key")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/keys, "B/key")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/keys, "allocs/key")
}

// BenchmarkAll: every key of a 1,000-key list, page after page, from a
// server in another process.
func BenchmarkAll(b *testing.B) {
	const n = 1000
	srv := struct{ URL string }{remote(b, "/list")}
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		ks := keys.New(sdkClient(b, srv.URL))
		perKey(b, n, func() int {
			got := 0
			for _, err := range ks.All(ctx, keys.ListOptions{}) {
				if err != nil {
					b.Fatal(err)
				}
				got++
			}
			return got
		})
	})
	b.Run("impl=raw", func(b *testing.B) {
		hc := rawClient()
		perKey(b, n, func() int {
			got, token := 0, ""
			for {
				var page rawPage
				url := srv.URL + "/api/v2/users/api_keys?count=50"
				if token != "" {
					url += "&paging_token=" + token
				}
				if err := rawGet(hc, url, &page); err != nil {
					b.Fatal(err)
				}
				got += len(page.Results)
				if page.Metadata.NextPagingToken == nil || *page.Metadata.NextPagingToken == "" {
					return got
				}
				token = *page.Metadata.NextPagingToken
			}
		})
	})
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%064x", i)
	}
	return out
}

// BenchmarkRevokeMany: n ids against a server that holds each request
// 20 ms; the SDK by default, the SDK one batch at a time, and a
// hand-written loop of batches.
func BenchmarkRevokeMany(b *testing.B) {
	srv, _ := server(b, revokeServer(20*time.Millisecond))
	ctx := context.Background()
	for _, n := range []int{1000, 10000} {
		all := ids(n)
		b.Run(fmt.Sprintf("n=%d/impl=sdk", n), func(b *testing.B) {
			ks := keys.New(sdkClient(b, srv.URL))
			b.ResetTimer()
			for range b.N {
				res, err := ks.RevokeMany(ctx, all)
				if err != nil || len(res.Revoked) != n {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/impl=sdk-one-at-a-time", n), func(b *testing.B) {
			ks := keys.New(sdkClient(b, srv.URL))
			b.ResetTimer()
			for range b.N {
				res, err := ks.RevokeMany(ctx, all, keys.RevokeOptions{Concurrency: 1})
				if err != nil || len(res.Revoked) != n {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/impl=raw", n), func(b *testing.B) {
			hc := rawClient()
			b.ResetTimer()
			for range b.N {
				revoked := 0
				for start := 0; start < n; start += 50 {
					body, _ := json.Marshal(map[string]any{"api_key_ids": all[start:min(start+50, n)]})
					req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v2/users/api_keys/revoke", strings.NewReader(string(body)))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					resp, err := hc.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					var out struct {
						Result struct {
							Revoked []string `json:"revoked"`
						} `json:"result"`
					}
					err = json.NewDecoder(resp.Body).Decode(&out)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Fatalf("status %d, err %v", resp.StatusCode, err)
					}
					revoked += len(out.Result.Revoked)
				}
				if revoked != n {
					b.Fatalf("revoked %d of %d", revoked, n)
				}
			}
		})
	}
}

// BenchmarkConnections: 1,000 small calls spread over g goroutines sharing
// one new client; the metric is the connections the server saw per 1,000
// calls.
func BenchmarkConnections(b *testing.B) {
	ctx := context.Background()
	for _, g := range []int{1, 8, 64} {
		for _, kind := range []string{"sdk", "raw"} {
			b.Run(fmt.Sprintf("g=%d/impl=%s", g, kind), func(b *testing.B) {
				srv, conns := server(b, userInfo)
				var total int64
				b.ResetTimer()
				for range b.N {
					var call func() error
					var closeIdle func()
					if kind == "sdk" {
						c := sdkClient(b, srv.URL)
						call = func() error { _, err := c.WhoAmI(ctx); return err }
						closeIdle = c.CloseIdleConnections
					} else {
						hc := rawClient()
						call = func() error {
							var out map[string]any
							return rawGet(hc, srv.URL+"/api/v2/userinfo/", &out)
						}
						closeIdle = hc.CloseIdleConnections
					}
					before := conns.Load()
					var wg sync.WaitGroup
					for w := range g {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for i := w; i < 1000; i += g {
								if err := call(); err != nil {
									b.Error(err)
									return
								}
							}
						}()
					}
					wg.Wait()
					total += conns.Load() - before
					closeIdle()
				}
				b.ReportMetric(float64(total)/float64(b.N), "conns/1000calls")
			})
		}
	}
}

// BenchmarkRetriedErrorBody: every other call is first answered 503 with a
// 16 KiB body and Retry-After 0, then 200; the metric is connections per
// 200 calls (1 when the retried answer's connection is reused).
func BenchmarkRetriedErrorBody(b *testing.B) {
	var mu sync.Mutex
	fail := true
	big := strings.Repeat("x", 16<<10)
	srv, conns := server(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		f := fail
		fail = !fail
		mu.Unlock()
		if f {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error":{"detail":"`+big+`"}}`)
			return
		}
		userInfo(w, r)
	}))
	c := sdkClient(b, srv.URL)
	ctx := context.Background()
	ops := 0
	b.ResetTimer()
	for range b.N {
		for range 100 {
			if _, err := c.WhoAmI(ctx); err != nil {
				b.Fatal(err)
			}
		}
		ops++
	}
	b.ReportMetric(float64(conns.Load())/float64(ops), "conns/200calls")
}

// BenchmarkSmallCall: one authenticated GET with a tiny result, from a
// server in another process.
func BenchmarkSmallCall(b *testing.B) {
	srv := struct{ URL string }{remote(b, "/small")}
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c := sdkClient(b, srv.URL)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := c.WhoAmI(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk-do", func(b *testing.B) {
		// Do itself, which also hands back the Response.
		c := sdkClient(b, srv.URL)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			var out client.UserInfo
			if _, err := c.Do(ctx, http.MethodGet, "/api/v2/userinfo/", nil, nil, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=raw", func(b *testing.B) {
		hc := rawClient()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			var out client.UserInfo
			if err := rawGet(hc, srv.URL+"/api/v2/userinfo/", &struct {
				Result *client.UserInfo `json:"result"`
			}{&out}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFake: loading n keys into anyscaletest, and listing them all
// through the SDK.
func BenchmarkFake(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("load/n=%d", n), func(b *testing.B) {
			b.ResetTimer()
			for range b.N {
				srv, owner := seededFake(n)
				b.StopTimer()
				if got := len(srv.Keys(owner)); got != n+2 {
					b.Fatalf("loaded %d keys, want %d", got, n+2)
				}
				srv.Close()
				b.StartTimer()
			}
		})
		// n keys named k0, k1, ..., the seeded key and one named "other".
		for _, tc := range []struct {
			name string
			opts keys.ListOptions
			want int
		}{
			{"list", keys.ListOptions{}, n + 2},
			{"list-by-name", keys.ListOptions{Name: "k"}, n + 1}, // "k" is in every name but "other"
		} {
			b.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(b *testing.B) {
				srv, owner := seededFake(n)
				defer srv.Close()
				c, err := srv.Client(owner)
				if err != nil {
					b.Fatal(err)
				}
				ks := keys.New(c)
				b.ResetTimer()
				for range b.N {
					got := 0
					for _, err := range ks.All(ctx, tc.opts) {
						if err != nil {
							b.Fatal(err)
						}
						got++
					}
					if got != tc.want {
						b.Fatalf("listed %d keys, want %d", got, tc.want)
					}
				}
			})
		}
	}
}

// seededFake returns a fake whose owner holds n keys named k0, k1, ...,
// one named "other", and the key the fake seeds.
func seededFake(n int) (*anyscaletest.Server, anyscaletest.User) {
	srv := anyscaletest.NewServer()
	owner := srv.Owner()
	for i := range n {
		srv.AddKey(owner, fmt.Sprintf("k%d", i), time.Hour)
	}
	srv.AddKey(owner, "other", time.Hour)
	return srv, owner
}

// BenchmarkFakeStart: starting and closing a fake, as a test suite that
// starts one per test does.
func BenchmarkFakeStart(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		anyscaletest.NewServer().Close()
	}
}
