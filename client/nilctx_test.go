package client_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// A nil context at any entry point of client is an error that says so,
// as net/http's is, never a nil-pointer panic deep inside; nothing is
// sent.
func TestNilContextAtEveryEntryPoint(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var nilCtx context.Context
	tests := []struct {
		op  string
		run func() error
	}{
		{"client.Client.Do", func() error {
			_, err := f.c.Do(nilCtx, http.MethodGet, "/api/v2/x", nil, nil, nil)
			return err
		}},
		{"client.Client.Do", func() error {
			_, err := f.c.Do(client.WithIdempotency(nilCtx, false), http.MethodGet, "/api/v2/x", nil, nil, nil)
			return err
		}},
		{"client.Client.WhoAmI", func() error {
			_, err := f.c.WhoAmI(nilCtx)
			return err
		}},
		{"client.ListPage", func() error {
			_, err := client.ListPage[struct{}](nilCtx, f.c, "/api/v2/x", nil)
			return err
		}},
		{"client.All", func() error {
			var errs []error
			for _, err := range client.All(nilCtx, "", func(context.Context, string) (*client.Page[int], error) {
				t.Error("no page is fetched")
				return &client.Page[int]{}, nil
			}) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1, "the iterator yields the error once")
			return errs[0]
		}},
	}
	for _, tt := range tests {
		var err error
		require.NotPanics(t, func() { err = tt.run() }, tt.op)
		require.ErrorIs(t, err, ctxguard.ErrNil, tt.op)
		assert.EqualError(t, err, tt.op+": nil Context")
		assert.False(t, client.MayHaveActed(err), tt.op)
	}
	assert.Zero(t, f.mt.GetTotalCallCount(), "nothing is sent")
}
