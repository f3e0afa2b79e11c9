package keys_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

// skewedServer is an API whose clock is skew away from the local one (its
// Date header says so), holding one key, "deploy", made an hour ago and
// expiring at its own now + left; a bulk revoke finds nothing.
func skewedServer(t *testing.T, skew, left time.Duration) *client.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().Add(skew).UTC()
		w.Header().Set("Date", now.Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/v2/userinfo/":
			fmt.Fprint(w, `{"result":{"id":"usr_1","email":"ada@example.com","organization_permission_level":"owner"}}`)
		case r.URL.Path == "/api/v2/users/api_keys":
			fmt.Fprint(w, apimock.List("", fmt.Sprintf(`{"hex_hashed_id":"abc123","display_id":"key_1","name":"deploy","created_by":"usr_1",`+
				`"created_at":%q,"expires_at":%q,"last_used_at":%q}`,
				now.Add(-time.Hour).Format(time.RFC3339), now.Add(left).Format(time.RFC3339), now.Add(-time.Minute).Format(time.RFC3339))))
		case r.URL.Path == "/api/v2/users/api_keys/revoke":
			fmt.Fprint(w, `{"result":{"revoked":[]}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"detail":"not found"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(apimock.Token), client.WithRetryPolicy(fastRetries))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// needsServerClock checks that c.Now follows the server's Date header,
// which the judgements below are to follow.
func needsServerClock(t *testing.T, c *client.Client, skew time.Duration) {
	t.Helper()
	_, err := c.WhoAmI(context.Background())
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(skew), c.Now(), time.Minute, "client.Now follows the server's Date header")
}

// Expiry is judged by the server's clock: with the local clock 48 h
// ahead, a key the server accepts for 12 more hours is audited and
// resolves; 48 h behind, a key expired 12 hours ago on the server is
// neither. The audit's clock reads the server's time.
func TestJudgedByTheServersClock(t *testing.T) {
	ctx := context.Background()
	t.Run("local clock ahead", func(t *testing.T) {
		c := skewedServer(t, -48*time.Hour, 12*time.Hour)
		needsServerClock(t, c, -48*time.Hour)
		ks := keys.New(c)
		report, err := ks.Audit(ctx, keys.AuditOptions{})
		require.NoError(t, err)
		assert.Equal(t, 1, report.Checked, "the key is active on the server")
		assert.WithinDuration(t, time.Now().Add(-48*time.Hour), report.At, time.Minute, "the report's clock is the server's")
		require.Len(t, report.Findings, 1)
		assert.Equal(t, keys.FindingExpiringSoon, report.Findings[0].Kind)
		k, err := ks.Resolve(ctx, "deploy")
		require.NoError(t, err)
		assert.Equal(t, "abc123", k.ID)
		res, err := ks.RevokeMany(ctx, []string{"deploy"})
		require.Error(t, err)
		assert.ErrorIs(t, res.Failed["deploy"], client.ErrInvalid, "a live key's name is not \"not found\"")
	})
	t.Run("local clock behind", func(t *testing.T) {
		c := skewedServer(t, 48*time.Hour, -12*time.Hour)
		needsServerClock(t, c, 48*time.Hour)
		ks := keys.New(c)
		report, err := ks.Audit(ctx, keys.AuditOptions{})
		require.NoError(t, err)
		assert.Zero(t, report.Checked, "the key expired on the server")
		_, err = ks.Resolve(ctx, "deploy")
		assert.ErrorIs(t, err, client.ErrNotFound)
		res, err := ks.RevokeMany(ctx, []string{"deploy"})
		require.NoError(t, err)
		assert.Equal(t, []string{"deploy"}, res.NotFound, "an expired key's name")
	})
}
