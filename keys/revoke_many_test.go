package keys_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("id%03d", i)
	}
	return out
}

// batchIDs decodes a bulk revoke's ids.
func batchIDs(t *testing.T, r *http.Request) []string {
	var body struct {
		IDs []string `json:"api_key_ids"`
	}
	require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
	return body.IDs
}

// revokeAllBut answers a bulk revoke by listing every id but those in skip.
func revokeAllBut(t *testing.T, skip ...string) func(r *http.Request) (int, string) {
	return func(r *http.Request) (int, string) {
		out := []string{}
		for _, id := range batchIDs(t, r) {
			if !slices.Contains(skip, id) {
				out = append(out, id)
			}
		}
		b, _ := json.Marshal(map[string]any{"result": map[string]any{"revoked": out}})
		return 200, string(b)
	}
}

// accounted checks that every id is in exactly one of the result's lists,
// and that the error is set exactly when Failed is not empty.
func accounted(t *testing.T, given []string, res *keys.RevokeResult, err error) {
	t.Helper()
	require.NotNil(t, res, "the result is never nil")
	for _, id := range given {
		n := 0
		if slices.Contains(res.Revoked, id) {
			n++
		}
		if slices.Contains(res.NotFound, id) {
			n++
		}
		if _, ok := res.Failed[id]; ok {
			n++
		}
		assert.Equal(t, 1, n, "id %s must be in exactly one of Revoked, NotFound and Failed", id)
	}
	distinct := map[string]bool{}
	for _, id := range given {
		distinct[id] = true
	}
	assert.Equal(t, len(distinct), len(res.Revoked)+len(res.NotFound)+len(res.Failed), "every id once, none listed twice, none made up")
	assert.Equal(t, len(res.Failed) > 0, err != nil, "the error is set exactly when Failed is not empty")
}

func TestRevokeManyBatches(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	var mu sync.Mutex
	var sizes []int
	m.OnFunc("POST", "/api/v2/users/admin/api_keys/revoke", func(r *http.Request) (int, string) {
		got := batchIDs(t, r)
		mu.Lock()
		sizes = append(sizes, len(got))
		mu.Unlock()
		b, _ := json.Marshal(map[string]any{"result": map[string]any{"revoked": got}})
		return 200, string(b)
	})
	all := ids(120)
	res, err := keys.New(m.Client).Org().RevokeMany(context.Background(), append(all, "id000", "id001"))
	require.NoError(t, err)
	slices.Sort(sizes)
	assert.Equal(t, []int{20, 50, 50}, sizes, "batches of at most 50")
	assert.Equal(t, all, res.Revoked, "every id once, in the order given; duplicates count once")
	assert.Empty(t, res.NotFound)
	assert.Empty(t, res.Failed)
	accounted(t, all, res, err)
}

// An id the bulk answer does not list is not concluded "not found": it is
// revoked alone, and only a 404 there puts it in NotFound.
func TestRevokeManySettlesUnlistedIDsAlone(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("POST", "/api/v2/users/api_keys/revoke", revokeAllBut(t, "id001", "id003"))
	m.On("DELETE", "/api/v2/users/api_keys/id001", 404, `{"error":{"detail":"not found"}}`)
	m.On("DELETE", "/api/v2/users/api_keys/id003", 204, ``)
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List(""))
	given := ids(5)
	res, err := keys.New(m.Client).RevokeMany(context.Background(), given)
	require.NoError(t, err, "nothing may still be active")
	assert.Equal(t, []string{"id000", "id002", "id003", "id004"}, res.Revoked)
	assert.Equal(t, []string{"id001"}, res.NotFound)
	assert.Empty(t, res.Failed)
	accounted(t, given, res, err)
	paths := m.Paths()
	require.Len(t, paths, 4)
	assert.Equal(t, "POST /api/v2/users/api_keys/revoke", paths[0])
	assert.ElementsMatch(t, []string{"DELETE /api/v2/users/api_keys/id001", "DELETE /api/v2/users/api_keys/id003"}, paths[1:3], "in parallel")
	assert.Equal(t, "GET /api/v2/users/api_keys", paths[3], "id001 came back not found: is it a live key's label?")
}

// A 2xx answer in a shape the SDK does not know confirms nothing: every id
// of the batch is settled alone.
func TestRevokeManyUnknownAnswerShape(t *testing.T) {
	t.Parallel()
	for _, answer := range []string{
		`{"result":{"num_revoked":3,"request_id":"abc"}}`,
		`{"result":{"revoked":"id000"}}`,
		`{"result":{"revoked":[1,2,3]}}`,
		`{"result":[]}`,
		`{"result":null}`,
		`{}`,
		`[]`,
		`not json`,
		``,
	} {
		t.Run(answer, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("POST", "/api/v2/users/api_keys/revoke", 200, answer)
			m.On("DELETE", "/api/v2/users/api_keys/id000", 204, ``)
			m.On("DELETE", "/api/v2/users/api_keys/id001", 404, `{"error":{"detail":"not found"}}`)
			m.On("DELETE", "/api/v2/users/api_keys/id002", 200, `{"result":{}}`)
			m.On("GET", "/api/v2/users/api_keys", 200, apimock.List(""))
			given := ids(3)
			res, err := keys.New(m.Client).RevokeMany(context.Background(), given)
			require.NoError(t, err)
			assert.Equal(t, []string{"id000", "id002"}, res.Revoked)
			assert.Equal(t, []string{"id001"}, res.NotFound)
			accounted(t, given, res, err)
			paths := m.Paths()
			require.Len(t, paths, 5)
			assert.Equal(t, "POST /api/v2/users/api_keys/revoke", paths[0], "its answer cannot be read")
			assert.ElementsMatch(t, []string{ // so the ids go one at a time
				"DELETE /api/v2/users/api_keys/id000",
				"DELETE /api/v2/users/api_keys/id001",
				"DELETE /api/v2/users/api_keys/id002",
			}, paths[1:4])
			assert.Equal(t, "GET /api/v2/users/api_keys", paths[4], "id001 came back not found")
		})
	}
}

func TestRevokeManyFallsBackOnServerError(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/api_keys/revoke", 500, `{"error":{"detail":"boom"}}`)
	m.On("DELETE", "/api/v2/users/api_keys/id000", 204, ``)
	m.On("DELETE", "/api/v2/users/api_keys/id001", 404, `{"error":{"detail":"not found"}}`)
	m.On("DELETE", "/api/v2/users/api_keys/id002", 502, `{"error":{"detail":"bad gateway"}}`)
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List(""))
	given := ids(3)
	res, err := keys.New(m.Client).RevokeMany(context.Background(), given)
	accounted(t, given, res, err)
	assert.Equal(t, []string{"id000"}, res.Revoked)
	assert.Equal(t, []string{"id001"}, res.NotFound, "the lost bulk request may have revoked it: either way it is not active")
	require.Contains(t, res.Failed, "id002")
	assert.ErrorIs(t, res.Failed["id002"], client.ErrServer)
	assert.Contains(t, res.Failed["id002"].Error(), "the bulk request failed")
	require.Error(t, err)
	assert.ErrorIs(t, err, client.ErrServer)
	assert.NotErrorIs(t, err, client.ErrNotFound, "a key not found is not a failure")
	assert.Contains(t, err.Error(), "1 of 3 keys may still be active")
}

func TestRevokeManyRefusedBatch(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/admin/api_keys/revoke", 403, `{"error":{"detail":"owners only"}}`)
	given := ids(3)
	res, err := keys.New(m.Client).Org().RevokeMany(context.Background(), given)
	require.ErrorIs(t, err, client.ErrForbidden)
	accounted(t, given, res, err)
	assert.Empty(t, res.Revoked)
	assert.Len(t, res.Failed, 3)
	assert.Equal(t, []string{"POST /api/v2/users/admin/api_keys/revoke"}, m.Paths(),
		"a batch refused for the caller is not retried key by key")
}

// A batch the server refuses for what it holds (an id it does not know)
// is settled id by id: the valid keys in it are still revoked.
func TestRevokeManyBatchRefusedForItsIDs(t *testing.T) {
	t.Parallel()
	for _, status := range []int{404, 422, 400} {
		m := apimock.New(t)
		m.OnFunc("POST", "/api/v2/users/api_keys/revoke", func(r *http.Request) (int, string) {
			got := batchIDs(t, r)
			if slices.Contains(got, "id002") {
				return status, `{"error":{"detail":"no such key id002"}}`
			}
			b, _ := json.Marshal(map[string]any{"result": map[string]any{"revoked": got}})
			return 200, string(b)
		})
		m.On("DELETE", "/api/v2/users/api_keys/id000", 204, ``)
		m.On("DELETE", "/api/v2/users/api_keys/id001", 204, ``)
		m.On("DELETE", "/api/v2/users/api_keys/id002", 404, `{"error":{"detail":"not found"}}`)
		m.On("DELETE", "/api/v2/users/api_keys/id003", 204, ``)
		m.On("GET", "/api/v2/users/api_keys", 200, apimock.List(""))
		given := ids(4)
		res, err := keys.New(m.Client).RevokeMany(context.Background(), given)
		require.NoError(t, err, "status %d", status)
		accounted(t, given, res, err)
		assert.Equal(t, []string{"id000", "id001", "id003"}, res.Revoked, "status %d", status)
		assert.Equal(t, []string{"id002"}, res.NotFound, "status %d", status)
	}
}

func TestRevokeManyCancelledAccountsForEveryID(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	var batch atomic.Int32
	m.OnFunc("POST", "/api/v2/users/api_keys/revoke", func(r *http.Request) (int, string) {
		if batch.Add(1) == 2 {
			cancel() // the caller gives up during the second batch
		}
		return revokeAllBut(t)(r)
	})
	all := ids(125)
	res, err := keys.New(m.Client).RevokeMany(ctx, all, keys.RevokeOptions{Concurrency: 1})
	require.ErrorIs(t, err, context.Canceled)
	accounted(t, all, res, err)
	assert.Equal(t, all[:50], res.Revoked)
	assert.Len(t, res.Failed, 75)
	assert.Contains(t, res.Failed["id100"].Error(), "not sent")
	assert.Equal(t, int32(2), batch.Load(), "no batch is sent after cancellation")
}

// Cancelled with batches in flight at once, RevokeMany still accounts
// for every id: the batches not yet started are not attempted.
func TestRevokeManyCancelledInParallel(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	var batch atomic.Int32
	m.OnFunc("POST", "/api/v2/users/api_keys/revoke", func(r *http.Request) (int, string) {
		if batch.Add(1) == 2 {
			cancel()
		}
		return revokeAllBut(t)(r)
	})
	all := ids(500)
	res, err := keys.New(m.Client).RevokeMany(ctx, all, keys.RevokeOptions{Concurrency: 2})
	require.ErrorIs(t, err, context.Canceled)
	accounted(t, all, res, err)
	assert.NotEmpty(t, res.Failed)
	assert.Less(t, int(batch.Load()), 10, "the batches after the cancellation are not sent")
}

func TestRevokeManyValidation(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", ".", "..", "a/b", `a\\b`} {
		m := apimock.New(t)
		given := []string{"a", bad, "b"}
		res, err := keys.New(m.Client).RevokeMany(context.Background(), given)
		require.ErrorIs(t, err, client.ErrInvalid, "id %q", bad)
		accounted(t, given, res, err)
		assert.Len(t, res.Failed, 3, "nothing is revoked when an id is invalid")
		assert.Contains(t, res.Failed["a"].Error(), "not attempted")
		assert.Zero(t, m.Transport.GetTotalCallCount(), "nothing is sent")
	}
	m := apimock.New(t)
	res, err := keys.New(m.Client).RevokeMany(context.Background(), nil)
	require.NoError(t, err)
	require.NotNil(t, res)
	assert.Empty(t, res.Revoked)
	assert.Zero(t, m.Transport.GetTotalCallCount())
}

// RevokeMany keeps several batches in flight, never more than the bound.
func TestRevokeManyConcurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		opts  []keys.RevokeOptions
		bound int
	}{
		{"default", nil, keys.DefaultConcurrency},
		{"Concurrency 3", []keys.RevokeOptions{{Concurrency: 3}}, 3},
		{"WithConcurrency(3)", []keys.RevokeOption{keys.WithConcurrency(3)}, 3}, // the deprecated spelling
		{"later non-zero wins", []keys.RevokeOptions{{Concurrency: 7}, {Progress: func(int, int) {}}, {Concurrency: 3}}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			var inFlight, peak atomic.Int32
			full := make(chan struct{})
			var once sync.Once
			m.OnFunc("POST", "/api/v2/users/api_keys/revoke", func(r *http.Request) (int, string) {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				if n == int32(tc.bound) {
					once.Do(func() { close(full) })
				}
				select { // hold every request until the bound is reached
				case <-full:
				case <-time.After(10 * time.Second):
					t.Errorf("only %d requests in flight; want %d", inFlight.Load(), tc.bound)
				}
				return revokeAllBut(t)(r)
			})
			given := ids(50 * 20)
			res, err := keys.New(m.Client).RevokeMany(context.Background(), given, tc.opts...)
			require.NoError(t, err)
			assert.Equal(t, given, res.Revoked, "the order given holds")
			assert.Equal(t, int32(tc.bound), peak.Load())
		})
	}
}

func TestRevokeManyProgress(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]func(func(done, total int)) keys.RevokeOptions{
		"RevokeOptions": func(f func(done, total int)) keys.RevokeOptions { return keys.RevokeOptions{Progress: f} },
		"WithProgress":  keys.WithProgress, // the deprecated spelling
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.OnFunc("POST", "/api/v2/users/api_keys/revoke", revokeAllBut(t))
			var seen []int
			last := 0
			given := ids(120)
			_, err := keys.New(m.Client).RevokeMany(context.Background(), append(given, "id000"), opts(func(done, total int) {
				assert.Equal(t, 120, total, "distinct ids")
				assert.Greater(t, done, last, "only forward")
				last = done
				seen = append(seen, done)
			}))
			require.NoError(t, err)
			require.NotEmpty(t, seen)
			assert.Equal(t, 120, seen[len(seen)-1], "the last call says all are settled")
			assert.Len(t, seen, 3, "once a batch")
		})
	}
}

// Several options merge: a later non-zero field wins, a zero one leaves
// the earlier value.
func TestRevokeManyOptionsMerge(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("POST", "/api/v2/users/api_keys/revoke", revokeAllBut(t))
	var first, second int
	_, err := keys.New(m.Client).RevokeMany(context.Background(), ids(3),
		keys.RevokeOptions{Progress: func(int, int) { first++ }},
		keys.RevokeOptions{Progress: func(int, int) { second++ }},
		keys.RevokeOptions{Concurrency: 1})
	require.NoError(t, err)
	assert.Zero(t, first, "replaced by the later Progress")
	assert.Equal(t, 1, second)
}

// Once a bulk answer cannot be read, the Service revokes the ids it has
// not sent one at a time, in this call and later ones.
func TestRevokeManyLearnsFromTheLatestAnswer(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/api_keys/revoke", 200, `{"result":{"num_revoked":1}}`)
	for _, id := range ids(3) {
		m.On("DELETE", "/api/v2/users/api_keys/"+id, 204, ``)
	}
	ks := keys.New(m.Client)
	res, err := ks.RevokeMany(context.Background(), ids(1))
	require.NoError(t, err)
	assert.Equal(t, []string{"id000"}, res.Revoked)
	res, err = ks.RevokeMany(context.Background(), ids(3), keys.WithConcurrency(1)) // the deprecated spelling
	require.NoError(t, err)
	assert.Equal(t, ids(3), res.Revoked)
	posts := 0
	for _, p := range m.Paths() {
		if strings.HasPrefix(p, "POST") {
			posts++
		}
	}
	assert.Equal(t, 1, posts, "after an answer it cannot read, no more bulk requests")
}
