package acted_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/login"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/serviceaccounts"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

const (
	me       = `{"id":"usr_0000000000000000000000000a","email":"owner@example.com","organization_permission_level":"owner"}`
	saUserID = "usr_00000000000000000000000ci1"
	saMember = `{"id":"ide_00000000000000000000000ci1","user_id":"` + saUserID + `","email":"ci@org-x.serviceaccount.com","name":"ci","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z","is_service_account":true}`
	member   = `{"id":"ide_0000000000000000000000ada1","user_id":"usr_0000000000000000000000ada1","email":"ada@example.com","name":"Ada","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`
	twin     = `{"id":"ide_0000000000000000000000ada2","user_id":"usr_0000000000000000000000ada2","email":"ada@example.com","name":"Ada 2","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`
	account  = `{"name":"ci","email":"ci@org-x.serviceaccount.com","organization_id":"org_0000000000000000000000000x","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"`
	secret   = "aph0_NEWKEY0123456789abcdefghijklmnopq"
)

const (
	createPath  = "/api/v2/users/create_api_key"
	membersPath = "/api/v2/organization_collaborators/"
)

// failingStore holds nothing and cannot save.
type failingStore struct{}

func (failingStore) Load(context.Context) (keys.Stored, error) {
	return keys.Stored{}, fmt.Errorf("empty: %w", client.ErrNotFound)
}
func (failingStore) Save(context.Context, keys.Stored) error { return errors.New("the disk is full") }

func TestMayHaveActedPerService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(m *apimock.API)
		run   func(c *client.Client) error
		acted bool
	}{
		// After a request that changed state.
		{name: "keys.Create answered without a key", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodPost, createPath, 200, apimock.Result(`{}`))
		}, run: func(c *client.Client) error {
			_, err := keys.New(c).Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: keys.MaxLifetime})
			return err
		}},
		{name: "keys.Rotate answered without a key", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodGet, "/api/v2/users/rotate_api_key", 200, apimock.Result(`{}`))
		}, run: func(c *client.Client) error {
			_, err := keys.New(c).Rotate(ctx)
			return err
		}},
		{name: "keys.Renew: the new key made, its save failed", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodGet, "/api/v2/userinfo/", 200, apimock.Result(me))
			m.On(http.MethodGet, "/api/v2/users/api_keys", 200, apimock.List(""))
			m.On(http.MethodPost, createPath, 200, apimock.Result(`{"server_session_id":"`+secret+`"}`))
			m.On(http.MethodDelete, "/api/v2/users/api_keys/"+"x", 204, ``)
		}, run: func(c *client.Client) error {
			_, err := keys.New(c).Renew(ctx, failingStore{}, keys.RenewOptions{Name: "job"})
			return err
		}},
		{name: "keys.RevokeMany: the bulk request carried out, the id alone refused", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodPost, "/api/v2/users/api_keys/revoke", 200, `{}`)
			m.Transport.RegisterRegexpResponder(http.MethodDelete, regexpFor("/api/v2/users/api_keys/"),
				httpmock.NewErrorResponder(fmt.Errorf("dial tcp: connect: %w", syscall.ECONNREFUSED)))
		}, run: func(c *client.Client) error {
			_, err := keys.New(c).RevokeMany(ctx, []string{"0123456789abcdef0123456789abcdef"})
			return err
		}},
		{name: "serviceaccounts.Create: the account made, no user id for its key", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodPost, "/api/v2/users/service_accounts", 200, apimock.Result(account+`}`))
		}, run: func(c *client.Client) error {
			_, err := serviceaccounts.New(c).Create(ctx, "ci")
			return err
		}},
		{name: "serviceaccounts.Create: the account made, its key refused", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodPost, "/api/v2/users/service_accounts", 200, apimock.Result(account+`,"user_id":"`+saUserID+`"}`))
			m.On(http.MethodPost, createPath, 403, `{"error":{"detail":"no"}}`)
		}, run: func(c *client.Client) error {
			_, err := serviceaccounts.New(c).Create(ctx, "ci")
			return err
		}},
		{name: "serviceaccounts.RotateKeys: the keys revoked, the new one refused", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodGet, membersPath, 200, apimock.List("", saMember))
			m.On(http.MethodPost, "/api/v2/organization_collaborators/rotate_api_key_for_user/"+saUserID, 200, apimock.Result(`{}`))
			m.On(http.MethodPost, createPath, 403, `{"error":{"detail":"no"}}`)
		}, run: func(c *client.Client) error {
			_, err := serviceaccounts.New(c).RotateKeys(ctx, serviceaccounts.ByName("ci"))
			return err
		}},
		{name: "login.Run: a poll answered without \"valid\"", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodGet, "/api/v2/users/create_otp_token", 200, apimock.Result(`{"url":"`+apimock.BaseURL+`/otp/abc","otp":"abc"}`))
			m.On(http.MethodGet, "/api/v2/users/request_otp_token/abc", 200, apimock.Result(`{}`))
		}, run: func(c *client.Client) error { return runLogin(t, c) }},
		{name: "login.Run: approved without a token", acted: true, setup: func(m *apimock.API) {
			m.On(http.MethodGet, "/api/v2/users/create_otp_token", 200, apimock.Result(`{"url":"`+apimock.BaseURL+`/otp/abc","otp":"abc"}`))
			m.On(http.MethodGet, "/api/v2/users/request_otp_token/abc", 200, apimock.Result(`{"valid":true}`))
		}, run: func(c *client.Client) error { return runLogin(t, c) }},

		// Decided client-side after a read: nothing that changes state was
		// sent.
		{name: "organization.RemoveMember of yourself", setup: func(m *apimock.API) {
			m.On(http.MethodGet, "/api/v2/userinfo/", 200, apimock.Result(me))
		}, run: func(c *client.Client) error {
			return organization.New(c).RemoveMember(ctx, organization.ByEmail("owner@example.com"))
		}},
		{name: "organization.RemoveMember of a non-member", setup: func(m *apimock.API) {
			m.On(http.MethodGet, "/api/v2/userinfo/", 200, apimock.Result(me))
			m.On(http.MethodGet, membersPath, 200, apimock.List(""))
		}, run: func(c *client.Client) error {
			return organization.New(c).RemoveMember(ctx, organization.ByEmail("nobody@example.com"))
		}},
		{name: "organization.RemoveMember of an email two members share", setup: func(m *apimock.API) {
			m.On(http.MethodGet, "/api/v2/userinfo/", 200, apimock.Result(me))
			m.On(http.MethodGet, membersPath, 200, apimock.List("", member, twin))
		}, run: func(c *client.Client) error {
			return organization.New(c).RemoveMember(ctx, organization.ByEmail("ada@example.com"))
		}},
		{name: "serviceaccounts.Get of no such account", setup: func(m *apimock.API) {
			m.On(http.MethodGet, membersPath, 200, apimock.List(""))
		}, run: func(c *client.Client) error {
			_, err := serviceaccounts.New(c).Get(ctx, serviceaccounts.ByName("ci"))
			return err
		}},
		{name: "keys.Create with a bad lifetime", run: func(c *client.Client) error {
			_, err := keys.New(c).Create(ctx, keys.CreateRequest{Name: "ci"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			if tt.setup != nil {
				tt.setup(m)
			}
			err := tt.run(m.Client)
			require.Error(t, err)
			assert.Equal(t, tt.acted, client.MayHaveActed(err), "%v", err)
		})
	}
}

func runLogin(t *testing.T, c *client.Client) error {
	_, err := login.Run(context.Background(), c, login.Options{
		CredentialsPath: filepath.Join(t.TempDir(), "credentials.json"),
		OpenURL:         func(context.Context, string) error { return nil },
		PollInterval:    1, MaxPolls: 2,
	})
	return err
}

func regexpFor(prefix string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(apimock.BaseURL+prefix))
}
