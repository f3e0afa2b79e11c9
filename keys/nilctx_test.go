package keys_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/tests/apimock"
	"github.com/anyscale-go/anyscale/tests/nilctx"
)

// Every exported entry point answers a nil context with ctxguard's error,
// naming itself, and sends nothing.
func TestNilContextAtEveryEntryPoint(t *testing.T) {
	m := apimock.New(t)
	ks := keys.New(m.Client)
	renewing := keys.Renewing(m.Client, keys.FileStore(t.TempDir()+"/r.json"), keys.RenewOptions{Name: "ci"}, time.Hour)
	defer renewing.Close()
	for _, tc := range []struct {
		prefix string
		recv   any
		want   []string
	}{
		{"keys.Service.", ks, []string{"All", "Audit", "Create", "List", "Login", "Renew", "Resolve", "Revoke", "RevokeMany", "Rotate"}},
		{"keys.OrgService.", ks.Org(), []string{"All", "Audit", "CreateFor", "CreateForUser", "List", "Resolve", "Revoke", "RevokeAll", "RevokeAllForUser", "RevokeMany"}},
		{"keys.FileStore.", keys.FileStore(t.TempDir() + "/c.json"), []string{"Load", "Save"}},
		{"keys.RenewingProvider.", renewing, []string{"Token"}},
	} {
		nilctx.Check(t, tc.recv, tc.prefix, tc.want...)
	}
	assert.Empty(t, m.Calls(), "nothing is sent")
}

// RevokeMany keeps its promise with a nil context: every id is in Failed.
func TestNilContextRevokeManyAccountsForEveryID(t *testing.T) {
	m := apimock.New(t)
	given := []string{"a", "b", "a"}
	//lint:ignore SA1012 a nil context, on purpose
	res, err := keys.New(m.Client).RevokeMany(nil, given)
	require.ErrorIs(t, err, ctxguard.ErrNil)
	accounted(t, given, res, err)
	assert.Len(t, res.Failed, 2)
}
