package keys_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/apimock"
	"github.com/anyscale-go/anyscale/keys"
)

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("id%03d", i)
	}
	return out
}

// revokeAllBut answers a bulk revoke by revoking every id but those in skip.
func revokeAllBut(skip ...string) func(r *http.Request) (int, string) {
	return func(r *http.Request) (int, string) {
		var body struct {
			IDs []string `json:"api_key_ids"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		out := []string{}
		for _, id := range body.IDs {
			if !contains(skip, id) {
				out = append(out, id)
			}
		}
		b, _ := json.Marshal(map[string]any{"result": map[string]any{"revoked": out}})
		return 200, string(b)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestRevokeManyBatches(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	var batches [][]string
	m.Transport.RegisterResponder("POST", baseURL+"/api/v2/users/admin/api_keys/revoke", func(r *http.Request) (*http.Response, error) {
		var body struct {
			IDs []string `json:"api_key_ids"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		batches = append(batches, body.IDs)
		b, _ := json.Marshal(map[string]any{"result": map[string]any{"revoked": body.IDs}})
		return jsonResp(200, string(b)), nil
	})
	all := ids(120)
	res, err := keys.New(m.Client).Org().RevokeMany(context.Background(), append(all, "id000", "id001"))
	require.NoError(t, err)
	require.Len(t, batches, 3)
	assert.Len(t, batches[0], 50)
	assert.Len(t, batches[1], 50)
	assert.Len(t, batches[2], 20)
	assert.Equal(t, all, res.Revoked, "every id once, in order; duplicates count once")
	assert.Empty(t, res.Failed)
}

func TestRevokeManyReportsNotRevoked(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("POST", "/api/v2/users/api_keys/revoke", revokeAllBut("id001", "id003"))
	res, err := keys.New(m.Client).RevokeMany(context.Background(), ids(5))
	require.Error(t, err)
	assert.Equal(t, []string{"id000", "id002", "id004"}, res.Revoked)
	require.Len(t, res.Failed, 2)
	assert.ErrorIs(t, res.Failed["id001"], client.ErrNotFound)
	assert.ErrorIs(t, err, client.ErrNotFound)
	assert.Contains(t, err.Error(), "2 of 5 keys were not revoked")
	assert.Contains(t, err.Error(), "id003")
}

func TestRevokeManyFallsBackOnServerError(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/api_keys/revoke", 500, `{"error":{"detail":"boom"}}`)
	m.On("DELETE", "/api/v2/users/api_keys/id000", 204, ``)
	m.On("DELETE", "/api/v2/users/api_keys/id001", 404, `{"error":{"detail":"not found"}}`)
	m.On("DELETE", "/api/v2/users/api_keys/id002", 204, ``)
	res, err := keys.New(m.Client).RevokeMany(context.Background(), ids(3))
	require.Error(t, err)
	assert.Equal(t, []string{"id000", "id002"}, res.Revoked)
	require.Contains(t, res.Failed, "id001")
	assert.ErrorIs(t, res.Failed["id001"], client.ErrNotFound)
	assert.Contains(t, res.Failed["id001"].Error(), "may have revoked it")
}

func TestRevokeManyRefusedBatch(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/admin/api_keys/revoke", 403, `{"error":{"detail":"owners only"}}`)
	res, err := keys.New(m.Client).Org().RevokeMany(context.Background(), ids(3))
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Empty(t, res.Revoked)
	assert.Len(t, res.Failed, 3)
	assert.Equal(t, 1, m.Transport.GetTotalCallCount(), "a refused batch is not retried key by key")
}

func TestRevokeManyCancelledAccountsForEveryID(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	batch := 0
	m.OnFunc("POST", "/api/v2/users/api_keys/revoke", func(r *http.Request) (int, string) {
		batch++
		if batch == 2 {
			cancel() // the caller gives up during the second batch
		}
		return revokeAllBut()(r)
	})
	all := ids(125)
	res, err := keys.New(m.Client).RevokeMany(ctx, all)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, all[:50], res.Revoked)
	assert.Len(t, res.Failed, 75)
	assert.Contains(t, res.Failed["id100"].Error(), "not attempted")
	for _, id := range all {
		_, failed := res.Failed[id]
		assert.NotEqual(t, contains(res.Revoked, id), failed, "id %s must be in exactly one of Revoked and Failed", id)
	}
	assert.Equal(t, 2, batch, "no batch is sent after cancellation")
}

func TestRevokeManyValidation(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	_, err := keys.New(m.Client).RevokeMany(context.Background(), []string{"a", ""})
	require.ErrorIs(t, err, client.ErrInvalid)
	res, err := keys.New(m.Client).RevokeMany(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, res.Revoked)
	assert.Zero(t, m.Transport.GetTotalCallCount())
}
