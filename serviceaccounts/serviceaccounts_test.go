package serviceaccounts_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/serviceaccounts"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

const (
	baseURL = apimock.BaseURL
	token   = apimock.Token
	secret  = "aph0_newsecret0123456789abcdefghijklmnop"

	createPath   = "/api/v2/users/service_accounts"
	keyPath      = "/api/v2/users/create_api_key"
	membersPath  = "/api/v2/organization_collaborators/"
	adminKeys    = "/api/v2/users/admin/api_keys"
	revokeAllFor = "/api/v2/organization_collaborators/rotate_api_key_for_user/"
	ownerPhrase  = "only an organization owner can manage service accounts"
)

// collab is an OrganizationCollaborator of a service account.
func collab(id, name string) string {
	return fmt.Sprintf(`{"id":"ide_%[1]s","user_id":"usr_%[1]s","email":"%[2]s@org-x.serviceaccount.com","name":"%[2]s",
		"permission_level":"collaborator","created_at":"2026-01-02T03:04:05Z","base_role":"collaborator",
		"additional_roles":[],"is_service_account":true}`, id, strings.ToLower(name))
}

var (
	created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ci      = withID(serviceaccounts.ServiceAccount{IdentityID: "ide_ci", UserID: "usr_ci", Name: "ci", Email: "ci@org-x.serviceaccount.com", PermissionLevel: "collaborator", CreatedAt: created})
)

// withID sets the deprecated ServiceAccount.ID, which holds IdentityID's
// value.
func withID(sa serviceaccounts.ServiceAccount) serviceaccounts.ServiceAccount {
	sa.ID = sa.IdentityID
	return sa
}

const sessionOK = `{"result":{"server_session_id":"` + secret + `"}}`

// anyQuery is the member-list query Get sends for a name.
func nameQuery(name string) url.Values {
	return url.Values{"name": {name}, "is_service_account": {"true"}, "collaborator_type": {"only_service_accounts"}, "count": {"50"}}
}

// saJSON is an AnyscaleServiceAccount: exactly its six fields.
func saJSON(id, name string) string {
	return fmt.Sprintf(`{"user_id":"usr_%s","name":%q,"organization_id":"org_x","email":"%s@org-x.serviceaccount.com",
		"permission_level":"collaborator","created_at":"2026-01-02T03:04:05+00:00"}`, id, name, strings.ToLower(name))
}

func TestCreate(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	// Unknown fields are ignored: the SDK decodes leniently.
	m.On("POST", createPath, 200, apimock.Result(`{"user_id":"usr_ci","name":"ci","organization_id":"org_x","email":"ci@org-x.serviceaccount.com",
		"permission_level":"collaborator","created_at":"2026-01-02T03:04:05+00:00","roles":[{"a":1}],"future":null}`))
	m.On("POST", keyPath, 200, sessionOK)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))

	got, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci")
	require.NoError(t, err)
	assert.True(t, created.Equal(got.Account.CreatedAt), "the Python server's +00:00 form parses: %v", got.Account.CreatedAt)
	account := got.Account
	account.CreatedAt = created
	want := ci
	want.OrganizationID = "org_x"
	assert.Equal(t, want, account, "the identity id comes from the member list")
	assert.Equal(t, secret, got.Secret.Reveal())
	assert.NotContains(t, fmt.Sprint(got), secret, "the secret prints redacted")

	calls := m.Calls()
	require.Len(t, calls, 3)
	assert.Equal(t, apimock.Call{Method: "POST", Path: createPath, Query: url.Values{"name": {"ci"}}}, calls[0], "the name goes in the query, with no body")
	assert.Equal(t, "POST", calls[1].Method)
	assert.Equal(t, keyPath, calls[1].Path)
	assert.Empty(t, calls[1].Query)
	assert.Equal(t, `{"duration":3153600000,"user_id":"usr_ci"}`, calls[1].Body)
	assert.Equal(t, "application/json", calls[1].ContentType)
	assert.Equal(t, "GET "+membersPath, calls[2].Method+" "+calls[2].Path, "the key is made before the look-up, so a failed look-up loses nothing")
	assert.Equal(t, "ci@org-x.serviceaccount.com", calls[2].Query.Get("email"))
}

// Reading the identity id is the last step: when it fails, the account and
// its secret are still returned, with an empty ID.
func TestCreateKeepsTheSecretWhenTheLookupFails(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", createPath, 200, apimock.Result(saJSON("ci", "ci")))
	m.On("POST", keyPath, 200, sessionOK)
	m.On("GET", membersPath, 500, `{"error":{"detail":"boom"}}`)
	got, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci")
	require.NoError(t, err)
	assert.Equal(t, secret, got.Secret.Reveal())
	assert.Empty(t, got.Account.IdentityID)
	assert.Equal(t, "usr_ci", got.Account.UserID)
}

// The look-up made once the key exists is bounded on its own, so a slow
// member list does not hold the secret back: its deadline is well inside
// the caller's.
func TestCreateLookUpIsBounded(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", createPath, 200, apimock.Result(saJSON("ci", "ci")))
	m.On("POST", keyPath, 200, sessionOK)
	var left time.Duration
	m.OnFunc("GET", membersPath, func(r *http.Request) (int, string) {
		if d, ok := r.Context().Deadline(); ok {
			left = time.Until(d)
		}
		return 200, apimock.List("", collab("ci", "ci"))
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	got, err := serviceaccounts.New(m.Client).Create(ctx, "ci")
	require.NoError(t, err)
	assert.Equal(t, secret, got.Secret.Reveal())
	assert.Positive(t, left, "the look-up has a deadline")
	assert.LessOrEqual(t, left, 10*time.Second, "bounded to seconds, not the caller's hour")
}

func TestCreateEscapesName(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", createPath, 200, apimock.Result(saJSON("x", "a.b_c-1")))
	m.On("POST", keyPath, 200, sessionOK)
	m.On("GET", membersPath, 200, apimock.List("", saJSON("x", "a.b_c-1")))
	_, err := serviceaccounts.New(m.Client).Create(context.Background(), "a.b_c-1")
	require.NoError(t, err)
	assert.Equal(t, url.Values{"name": {"a.b_c-1"}}, m.Calls()[0].Query)
	assert.Equal(t, []string{"POST " + createPath, "POST " + keyPath, "GET " + membersPath}, m.Paths())
}

func TestCreateWithExpiresIn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{time.Second, `{"duration":1,"user_id":"usr_ci"}`},
		{1500 * time.Millisecond, `{"duration":1,"user_id":"usr_ci"}`},
		{24 * time.Hour, `{"duration":86400,"user_id":"usr_ci"}`},
		{365 * 24 * time.Hour, `{"duration":31536000,"user_id":"usr_ci"}`},
		{serviceaccounts.DefaultKeyLifetime, `{"duration":3153600000,"user_id":"usr_ci"}`},
	} {
		t.Run(tc.in.String(), func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("POST", createPath, 200, apimock.Result(saJSON("ci", "ci")))
			m.On("POST", keyPath, 200, sessionOK)
			m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
			_, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci", serviceaccounts.KeyOptions{ExpiresIn: tc.in})
			require.NoError(t, err)
			calls := m.Calls()
			require.Len(t, calls, 3)
			assert.Equal(t, tc.want, calls[1].Body)
		})
	}
}

func TestDefaultKeyLifetimeIsHundredYears(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 3153600000*time.Second, serviceaccounts.DefaultKeyLifetime)
	assert.Equal(t, 100*365*24*time.Hour, serviceaccounts.DefaultKeyLifetime)
}

func TestCreateValidatesName(t *testing.T) {
	t.Parallel()
	invalid := map[string]string{
		"empty":           "",
		"too long":        strings.Repeat("a", serviceaccounts.MaxNameLength+1),
		"leading dash":    "-ci",
		"leading dot":     ".ci",
		"leading under":   "_ci",
		"space":           "ci bot",
		"slash":           "ci/bot",
		"at":              "ci@example.com",
		"non-ascii":       "cé",
		"control":         "ci\n",
		"percent":         "ci%20",
		"query injection": "ci&name=other",
	}
	for label, name := range invalid {
		t.Run(label, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			_, err := serviceaccounts.New(m.Client).Create(context.Background(), name)
			require.ErrorIs(t, err, client.ErrInvalid)
			assert.Empty(t, m.Calls(), "nothing is sent")
		})
	}
	valid := []string{"a", "0", "Ci-Bot", "a.b_c-d", strings.Repeat("x", serviceaccounts.MaxNameLength), "ci-"}
	for _, name := range valid {
		t.Run("valid "+name[:min(len(name), 10)], func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("POST", createPath, 200, apimock.Result(collab("ci", "ci")))
			m.On("POST", keyPath, 200, sessionOK)
			m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
			_, err := serviceaccounts.New(m.Client).Create(context.Background(), name)
			require.NoError(t, err)
			assert.Equal(t, name, m.Calls()[0].Query.Get("name"))
			assert.Equal(t, []string{"POST " + createPath, "POST " + keyPath, "GET " + membersPath}, m.Paths())
		})
	}
}

func TestValidationBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	// Over 100 years the server may refuse the key after the account is
	// made: refused before anything is sent.
	badLifetimes := []time.Duration{0, -time.Hour, 999 * time.Millisecond, serviceaccounts.DefaultKeyLifetime + time.Second, time.Duration(math.MaxInt64)}
	type op struct {
		name string
		run  func(s *serviceaccounts.Service) error
	}
	ctx := context.Background()
	ops := []op{
		{"Get zero ref", func(s *serviceaccounts.Service) error { _, err := s.Get(ctx, serviceaccounts.Ref{}); return err }},
		{"Get empty name", func(s *serviceaccounts.Service) error { _, err := s.Get(ctx, serviceaccounts.ByName("")); return err }},
		{"Get empty email", func(s *serviceaccounts.Service) error { _, err := s.Get(ctx, serviceaccounts.ByEmail("")); return err }},
		{"CreateKey zero ref", func(s *serviceaccounts.Service) error {
			_, err := s.CreateKey(ctx, serviceaccounts.Ref{})
			return err
		}},
		{"RotateKeys zero ref", func(s *serviceaccounts.Service) error {
			_, err := s.RotateKeys(ctx, serviceaccounts.Ref{})
			return err
		}},
		{"RevokeAllKeys zero ref", func(s *serviceaccounts.Service) error {
			return s.RevokeAllKeys(ctx, serviceaccounts.Ref{})
		}},
		{"Delete zero ref", func(s *serviceaccounts.Service) error { return s.Delete(ctx, serviceaccounts.Ref{}) }},
		{"Keys zero ref", func(s *serviceaccounts.Service) error {
			var errs []error
			n := 0
			for _, err := range s.Keys(ctx, serviceaccounts.Ref{}) {
				n++
				errs = append(errs, err)
			}
			if n != 1 {
				return fmt.Errorf("Keys yielded %d times", n)
			}
			return errs[0]
		}},
		{"List page size", func(s *serviceaccounts.Service) error {
			_, err := s.List(ctx, serviceaccounts.ListOptions{PageSize: client.MaxPageSize + 1})
			return err
		}},
		{"List negative page size", func(s *serviceaccounts.Service) error {
			_, err := s.List(ctx, serviceaccounts.ListOptions{PageSize: -1})
			return err
		}},
		{"All page size", func(s *serviceaccounts.Service) error {
			for _, err := range s.All(ctx, serviceaccounts.ListOptions{PageSize: 51}) {
				return err
			}
			return errors.New("All yielded nothing")
		}},
	}
	for _, d := range badLifetimes {
		// The deprecated WithExpiresIn refuses every bad lifetime, 0
		// included, as it always did.
		ops = append(ops,
			op{"Create WithExpiresIn " + d.String(), func(s *serviceaccounts.Service) error {
				_, err := s.Create(ctx, "ci", serviceaccounts.WithExpiresIn(d)) // the deprecated spelling
				return err
			}},
			op{"CreateAPIKey WithExpiresIn " + d.String(), func(s *serviceaccounts.Service) error {
				_, err := s.CreateAPIKey(ctx, serviceaccounts.ByName("ci"), serviceaccounts.WithExpiresIn(d)) // the deprecated spelling
				return err
			}},
			op{"RotateAPIKeys WithExpiresIn " + d.String(), func(s *serviceaccounts.Service) error {
				_, err := s.RotateAPIKeys(ctx, serviceaccounts.ByName("ci"), serviceaccounts.WithExpiresIn(d)) // the deprecated spelling
				return err
			}},
		)
		if d == 0 {
			continue // KeyOptions{ExpiresIn: 0} is the default lifetime
		}
		ops = append(ops,
			op{"Create ExpiresIn " + d.String(), func(s *serviceaccounts.Service) error {
				_, err := s.Create(ctx, "ci", serviceaccounts.KeyOptions{ExpiresIn: d})
				return err
			}},
			op{"CreateKey ExpiresIn " + d.String(), func(s *serviceaccounts.Service) error {
				_, err := s.CreateKey(ctx, serviceaccounts.ByName("ci"), serviceaccounts.KeyOptions{ExpiresIn: d})
				return err
			}},
			op{"RotateKeys ExpiresIn " + d.String(), func(s *serviceaccounts.Service) error {
				_, err := s.RotateKeys(ctx, serviceaccounts.ByName("ci"), serviceaccounts.KeyOptions{ExpiresIn: d})
				return err
			}},
			op{"a bad one among good ones " + d.String(), func(s *serviceaccounts.Service) error {
				_, err := s.CreateKey(ctx, serviceaccounts.ByName("ci"), serviceaccounts.KeyOptions{ExpiresIn: d}, serviceaccounts.KeyOptions{ExpiresIn: time.Hour})
				return err
			}},
		)
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			err := o.run(serviceaccounts.New(m.Client))
			require.ErrorIs(t, err, client.ErrInvalid)
			assert.Empty(t, m.Calls(), "nothing is sent")
		})
	}
}

func TestCreateServerErrors(t *testing.T) {
	t.Parallel()
	t.Run("conflict", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("POST", createPath, 409, `{"error":{"detail":"a service account named \"ci\" already exists"}}`)
		_, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci")
		require.ErrorIs(t, err, client.ErrConflict)
		assert.Contains(t, err.Error(), "already exists")
		assert.Equal(t, []string{"POST " + createPath}, m.Paths())
	})
	t.Run("500 is not retried", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("POST", createPath, 500, `{"error":{"detail":"boom"}}`)
		_, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci")
		require.ErrorIs(t, err, client.ErrServer)
		assert.Equal(t, []string{"POST " + createPath}, m.Paths(), "a POST that may have acted is sent once")
	})
	t.Run("no user id", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("POST", createPath, 200, apimock.Result(`{"id":"ide_ci","name":"ci"}`))
		_, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "was created")
		assert.Contains(t, err.Error(), "CreateKey")
		assert.Equal(t, []string{"POST " + createPath}, m.Paths(), "no key request without a user id")
	})
	t.Run("key fails", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("POST", createPath, 200, apimock.Result(collab("ci", "ci")))
		m.On("POST", keyPath, 500, `{"error":{"detail":"boom"}}`)
		_, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci")
		require.ErrorIs(t, err, client.ErrServer)
		assert.Contains(t, err.Error(), `service account "ci" was created, but the answer to its first key was lost`)
		assert.Contains(t, err.Error(), `RotateKeys(ctx, ByName("ci"))`, "a key may exist: replace it rather than add one")
		assert.Equal(t, []string{"POST " + createPath, "POST " + keyPath}, m.Paths(), "the key request is sent once")
	})
	t.Run("key refused", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("POST", createPath, 200, apimock.Result(collab("ci", "ci")))
		m.On("POST", keyPath, 422, `{"error":{"detail":"bad duration"}}`)
		_, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci")
		require.ErrorIs(t, err, client.ErrInvalid)
		assert.Contains(t, err.Error(), `service account "ci" was created, but its first key was not`)
		assert.Contains(t, err.Error(), `CreateKey(ctx, ByName("ci"))`)
	})
	t.Run("empty session", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("POST", createPath, 200, apimock.Result(collab("ci", "ci")))
		m.On("POST", keyPath, 200, `{"result":{}}`)
		_, err := serviceaccounts.New(m.Client).Create(context.Background(), "ci")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "was created")
	})
}

func TestList(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("p2", collab("ci", "ci"), `{"id":"ide_old","user_id":null,"email":"old@org-x.serviceaccount.com","name":null,"permission_level":"collaborator","created_at":"2020-01-01T00:00:00Z"}`))
	page, err := serviceaccounts.New(m.Client).List(context.Background(), serviceaccounts.ListOptions{Name: "c", Email: "org-x", PageSize: 10, PageToken: "p1"})
	require.NoError(t, err)
	calls := m.Calls()
	require.Len(t, calls, 1)
	assert.Equal(t, "GET", calls[0].Method)
	assert.Equal(t, membersPath, calls[0].Path)
	assert.Equal(t, url.Values{"name": {"c"}, "email": {"org-x"}, "is_service_account": {"true"}, "collaborator_type": {"only_service_accounts"},
		"count": {"10"}, "paging_token": {"p1"}}, calls[0].Query)
	assert.Equal(t, "p2", page.NextPageToken)
	assert.Equal(t, 2, page.Total)
	assert.Equal(t, []serviceaccounts.ServiceAccount{
		ci,
		withID(serviceaccounts.ServiceAccount{IdentityID: "ide_old", Email: "old@org-x.serviceaccount.com", PermissionLevel: "collaborator", CreatedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}),
	}, page.Items)
}

func TestListDefaultsAndEmpty(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, `{"results":[],"metadata":{"total":0,"next_paging_token":null}}`)
	page, err := serviceaccounts.New(m.Client).List(context.Background(), serviceaccounts.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, url.Values{"is_service_account": {"true"}, "collaborator_type": {"only_service_accounts"}, "count": {"50"}}, m.Calls()[0].Query)
	assert.NotNil(t, page.Items)
	assert.Empty(t, page.Items)
	assert.Empty(t, page.NextPageToken)
}

func TestListForbiddenAndErrors(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 404, `{"error":{"detail":"nope"}}`)
	_, err := serviceaccounts.New(m.Client).List(context.Background(), serviceaccounts.ListOptions{})
	require.ErrorIs(t, err, client.ErrNotFound)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "nope", apiErr.Message)
}

func TestAllFollowsEveryPage(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", membersPath, func(r *http.Request) (int, string) {
		switch r.URL.Query().Get("paging_token") {
		case "":
			return 200, apimock.List("p2", collab("a", "a"), collab("b", "b"))
		case "p2":
			return 200, apimock.List("p3", collab("c", "c"))
		case "p3":
			return 200, apimock.List("", collab("d", "d"))
		}
		return 400, `{"error":{"detail":"bad token"}}`
	})
	s := serviceaccounts.New(m.Client)
	var names []string
	for sa, err := range s.All(context.Background(), serviceaccounts.ListOptions{Name: "x", PageSize: 2}) {
		require.NoError(t, err)
		names = append(names, sa.Name)
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, names)
	calls := m.Calls()
	require.Len(t, calls, 3)
	for i, tok := range []string{"", "p2", "p3"} {
		assert.Equal(t, tok, calls[i].Query.Get("paging_token"), "page %d", i)
		assert.Equal(t, "x", calls[i].Query.Get("name"))
		assert.Equal(t, "2", calls[i].Query.Get("count"))
		assert.Equal(t, "true", calls[i].Query.Get("is_service_account"))
	}

	// A break stops fetching.
	for range s.All(context.Background(), serviceaccounts.ListOptions{}) {
		break
	}
	assert.Len(t, m.Calls(), 4)

	// Starting from a page token.
	names = nil
	for sa, err := range s.All(context.Background(), serviceaccounts.ListOptions{PageToken: "p3"}) {
		require.NoError(t, err)
		names = append(names, sa.Name)
	}
	assert.Equal(t, []string{"d"}, names)
}

func TestAllYieldsErrorOnce(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", membersPath, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("paging_token") == "" {
			return 200, apimock.List("p2", collab("a", "a"))
		}
		return 403, `{"error":{"detail":"no"}}`
	})
	var n int
	var last error
	for _, err := range serviceaccounts.New(m.Client).All(context.Background(), serviceaccounts.ListOptions{}) {
		n++
		last = err
	}
	assert.Equal(t, 2, n)
	assert.ErrorIs(t, last, client.ErrForbidden)
}

func TestGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("exact name among partial matches", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List("", collab("ci2", "ci-2"), collab("xci", "xci"), collab("ci", "ci"), collab("CI", "CI-old")))
		got, err := serviceaccounts.New(m.Client).Get(ctx, serviceaccounts.ByName("ci"))
		require.NoError(t, err)
		assert.Equal(t, ci, *got)
		calls := m.Calls()
		require.Len(t, calls, 1)
		assert.Equal(t, nameQuery("ci"), calls[0].Query)
	})
	t.Run("reads every page", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.OnFunc("GET", membersPath, func(r *http.Request) (int, string) {
			switch r.URL.Query().Get("paging_token") {
			case "":
				return 200, apimock.List("p2", collab("ci2", "ci-2"))
			case "p2":
				return 200, apimock.List("p3", collab("ci", "ci"))
			}
			return 200, apimock.List("", collab("ci3", "ci-3"))
		})
		got, err := serviceaccounts.New(m.Client).Get(ctx, serviceaccounts.ByName("ci"))
		require.NoError(t, err)
		assert.Equal(t, "ide_ci", got.IdentityID)
		assert.Len(t, m.Calls(), 3, "every page is read, so that a second exact match is seen")
	})
	t.Run("email without regard to case", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List("", collab("ci2", "ci-2"), collab("ci", "ci")))
		got, err := serviceaccounts.New(m.Client).Get(ctx, serviceaccounts.ByEmail("CI@Org-X.ServiceAccount.com"))
		require.NoError(t, err)
		assert.Equal(t, ci, *got)
		calls := m.Calls()
		require.Len(t, calls, 1)
		assert.Equal(t, url.Values{"email": {"ci@org-x.serviceaccount.com"}, "is_service_account": {"true"},
			"collaborator_type": {"only_service_accounts"}, "count": {"50"}}, calls[0].Query, "the email is sent lower-cased, without a name")
	})
	t.Run("email is not a partial match", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List("", collab("xci", "xci")))
		_, err := serviceaccounts.New(m.Client).Get(ctx, serviceaccounts.ByEmail("ci@org-x.serviceaccount.com"))
		require.ErrorIs(t, err, client.ErrNotFound)
	})
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List("", collab("ci2", "ci-2"), collab("xci", "xci")))
		_, err := serviceaccounts.New(m.Client).Get(ctx, serviceaccounts.ByName("ci"))
		require.ErrorIs(t, err, client.ErrNotFound)
		assert.Contains(t, err.Error(), `name "ci"`)
	})
	t.Run("empty list", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List(""))
		_, err := serviceaccounts.New(m.Client).Get(ctx, serviceaccounts.ByEmail("ci@x"))
		require.ErrorIs(t, err, client.ErrNotFound)
		assert.Contains(t, err.Error(), `email "ci@x"`)
	})
	t.Run("two exact matches", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.OnFunc("GET", membersPath, func(r *http.Request) (int, string) {
			if r.URL.Query().Get("paging_token") == "" {
				return 200, apimock.List("p2", collab("ci", "ci"), collab("ci2", "ci-2"))
			}
			return 200, apimock.List("", collab("ci-again", "ci"))
		})
		_, err := serviceaccounts.New(m.Client).Get(ctx, serviceaccounts.ByName("ci"))
		require.ErrorIs(t, err, client.ErrConflict)
		assert.Contains(t, err.Error(), "2 service accounts")
		assert.Len(t, m.Calls(), 2)
	})
	t.Run("list error", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 401, `{"error":{"detail":"invalid token"}}`)
		_, err := serviceaccounts.New(m.Client).Get(ctx, serviceaccounts.ByName("ci"))
		require.ErrorIs(t, err, client.ErrUnauthorized)
	})
}

// TestGetByEmailMatchesAsTheServerStores: the member list may answer a
// look-alike address with another account (a server that filters with
// Unicode folding would); Get and every operation built on it match only
// as the server stores emails, and act on nothing else.
func TestGetByEmailMatchesAsTheServerStores(t *testing.T) {
	t.Parallel()
	const kiosk = "kiosk@org-x.serviceaccount.com"
	tests := []struct {
		name, email, wantQuery string
		found                  bool
	}{
		{name: "exact", email: kiosk, wantQuery: kiosk, found: true},
		{name: "ASCII upper", email: "KIOSK@Org-X.ServiceAccount.COM", wantQuery: kiosk, found: true},
		{name: "surrounding space", email: "\t" + kiosk + " ", wantQuery: kiosk, found: true},
		{name: "kelvin sign", email: "\u212Aiosk@org-x.serviceaccount.com", wantQuery: "\u212Aiosk@org-x.serviceaccount.com"},
		{name: "kelvin sign, ASCII upper around it", email: "\u212AIOSK@org-x.serviceaccount.com", wantQuery: "\u212Aiosk@org-x.serviceaccount.com"},
		{name: "dotted capital I", email: "k\u0130osk@org-x.serviceaccount.com", wantQuery: "k\u0130osk@org-x.serviceaccount.com"},
		{name: "dotless i", email: "k\u0131osk@org-x.serviceaccount.com", wantQuery: "k\u0131osk@org-x.serviceaccount.com"},
		{name: "long s", email: "kio\u017Fk@org-x.serviceaccount.com", wantQuery: "kio\u017Fk@org-x.serviceaccount.com"},
		{name: "fullwidth letters", email: "\uFF2B\uFF49osk@org-x.serviceaccount.com", wantQuery: "\uFF2B\uFF49osk@org-x.serviceaccount.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", membersPath, 200, apimock.List("", collab("kiosk", "kiosk"), collab("ci", "ci")))
			m.On("DELETE", membersPath+"ide_kiosk", 204, "")
			s := serviceaccounts.New(m.Client)
			ref := serviceaccounts.ByEmail(tt.email)
			got, err := s.Get(context.Background(), ref)
			require.NotEmpty(t, m.Calls())
			assert.Equal(t, tt.wantQuery, m.Calls()[0].Query.Get("email"), "only ASCII letters are lower-cased in the filter")
			delErr := s.Delete(context.Background(), ref)
			if tt.found {
				require.NoError(t, err)
				assert.Equal(t, "ide_kiosk", got.IdentityID)
				require.NoError(t, delErr)
				return
			}
			require.ErrorIs(t, err, client.ErrNotFound, "a look-alike is no match")
			assert.Contains(t, err.Error(), "non-ASCII character")
			require.ErrorIs(t, delErr, client.ErrNotFound)
			assert.Equal(t, []string{"GET " + membersPath, "GET " + membersPath}, m.Paths(), "nothing is deleted")
		})
	}
}

func TestCreateAPIKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []serviceaccounts.KeyOptions
		body string
	}{
		{"default", nil, `{"duration":3153600000,"user_id":"usr_ci"}`},
		{"90 days", []serviceaccounts.KeyOptions{serviceaccounts.KeyOptions{ExpiresIn: 90 * 24 * time.Hour}}, `{"duration":7776000,"user_id":"usr_ci"}`},
		{"last option wins", []serviceaccounts.KeyOptions{serviceaccounts.KeyOptions{ExpiresIn: time.Hour}, serviceaccounts.KeyOptions{ExpiresIn: time.Minute}}, `{"duration":60,"user_id":"usr_ci"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", membersPath, 200, apimock.List("", collab("ci2", "ci-2"), collab("ci", "ci")))
			m.On("POST", keyPath, 200, sessionOK)
			got, err := serviceaccounts.New(m.Client).CreateKey(context.Background(), serviceaccounts.ByName("ci"), tc.opts...)
			require.NoError(t, err)
			assert.Equal(t, secret, got.Reveal())
			calls := m.Calls()
			require.Len(t, calls, 2)
			assert.Equal(t, "GET "+membersPath, calls[0].Method+" "+calls[0].Path)
			assert.Equal(t, nameQuery("ci"), calls[0].Query)
			assert.Equal(t, "POST "+keyPath, calls[1].Method+" "+calls[1].Path)
			assert.Equal(t, tc.body, calls[1].Body)
		})
	}
}

func TestCreateAPIKeyErrors(t *testing.T) {
	t.Parallel()
	t.Run("unknown account", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List(""))
		_, err := serviceaccounts.New(m.Client).CreateKey(context.Background(), serviceaccounts.ByName("ci"))
		require.ErrorIs(t, err, client.ErrNotFound)
		assert.Equal(t, []string{"GET " + membersPath}, m.Paths())
	})
	t.Run("500 is not retried", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
		m.On("POST", keyPath, 500, `{"error":{"detail":"boom"}}`)
		_, err := serviceaccounts.New(m.Client).CreateKey(context.Background(), serviceaccounts.ByName("ci"))
		require.ErrorIs(t, err, client.ErrServer)
		assert.Contains(t, err.Error(), "ci@org-x.serviceaccount.com")
		assert.Equal(t, []string{"GET " + membersPath, "POST " + keyPath}, m.Paths())
	})
}

func TestRotateAPIKeys(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("POST", revokeAllFor+"usr_ci", 200, `{"result":{}}`)
	m.On("POST", keyPath, 200, sessionOK)
	got, err := serviceaccounts.New(m.Client).RotateKeys(context.Background(), serviceaccounts.ByEmail("ci@org-x.serviceaccount.com"), serviceaccounts.KeyOptions{ExpiresIn: time.Hour})
	require.NoError(t, err)
	assert.Equal(t, secret, got.Reveal())
	assert.Equal(t, []string{"GET " + membersPath, "POST " + revokeAllFor + "usr_ci", "POST " + keyPath}, m.Paths(),
		"revoke all (by user id), then a new key")
	calls := m.Calls()
	assert.Empty(t, calls[1].Body, "the revoke has no body")
	assert.Empty(t, calls[1].Query)
	assert.Equal(t, `{"duration":3600,"user_id":"usr_ci"}`, calls[2].Body)
}

func TestRotateAPIKeysCreateFails(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("POST", revokeAllFor+"usr_ci", 200, `{"result":{}}`)
	m.On("POST", keyPath, 500, `{"error":{"detail":"boom"}}`)
	_, err := serviceaccounts.New(m.Client).RotateKeys(context.Background(), serviceaccounts.ByName("ci"))
	require.ErrorIs(t, err, client.ErrServer)
	assert.Contains(t, err.Error(), "old keys of ci@org-x.serviceaccount.com are already revoked")
	assert.Contains(t, err.Error(), "run RotateKeys again", "the lost key may exist: rotate it away")
	assert.Equal(t, []string{"GET " + membersPath, "POST " + revokeAllFor + "usr_ci", "POST " + keyPath}, m.Paths())
}

func TestRotateAPIKeysCreateRefused(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("POST", revokeAllFor+"usr_ci", 200, `{"result":{}}`)
	m.On("POST", keyPath, 422, `{"error":{"detail":"bad duration"}}`)
	_, err := serviceaccounts.New(m.Client).RotateKeys(context.Background(), serviceaccounts.ByName("ci"))
	require.ErrorIs(t, err, client.ErrInvalid)
	assert.Contains(t, err.Error(), "old keys of ci@org-x.serviceaccount.com are already revoked")
	assert.Contains(t, err.Error(), "make one now with CreateKey")
}

func TestRotateAPIKeysRevokeFails(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("POST", revokeAllFor+"usr_ci", 404, `{"error":{"detail":"no such user"}}`)
	_, err := serviceaccounts.New(m.Client).RotateKeys(context.Background(), serviceaccounts.ByName("ci"))
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Contains(t, err.Error(), "nothing was rotated")
	assert.NotContains(t, m.Paths(), "POST "+keyPath, "no new key when the revoke failed")
}

// A revoke whose answer is lost may have revoked the old keys: the error
// does not say nothing was rotated.
func TestRotateAPIKeysRevokeAnswerLost(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("POST", revokeAllFor+"usr_ci", 502, `{"error":{"detail":"bad gateway"}}`)
	_, err := serviceaccounts.New(m.Client).RotateKeys(context.Background(), serviceaccounts.ByName("ci"))
	require.ErrorIs(t, err, client.ErrServer)
	require.True(t, client.MayHaveActed(err))
	assert.NotContains(t, err.Error(), "nothing was rotated")
	assert.Contains(t, err.Error(), "may already be revoked")
	assert.Contains(t, err.Error(), "run RotateKeys again")
	assert.NotContains(t, m.Paths(), "POST "+keyPath, "no new key after a revoke of unknown outcome")
}

func TestRevokeAllAPIKeys(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("POST", revokeAllFor+"usr_ci", 200, `{"result":{}}`)
	require.NoError(t, serviceaccounts.New(m.Client).RevokeAllKeys(context.Background(), serviceaccounts.ByName("ci")))
	assert.Equal(t, []string{"GET " + membersPath, "POST " + revokeAllFor + "usr_ci"}, m.Paths(), "no new key")
}

func TestRevokeAllAPIKeysRetriesServerErrors(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	n := 0
	m.OnFunc("POST", revokeAllFor+"usr_ci", func(*http.Request) (int, string) {
		n++
		if n == 1 {
			return 502, `{"error":{"detail":"bad gateway"}}`
		}
		return 200, `{"result":{}}`
	})
	require.NoError(t, serviceaccounts.New(m.Client).RevokeAllKeys(context.Background(), serviceaccounts.ByName("ci")),
		"revoking all keys is safe to repeat")
	assert.Equal(t, 2, n)
}

const saKey = `{"hex_hashed_id":"%s","display_id":"key_%s","name":"%s","created_by":"usr_owner",
	"created_at":"2026-01-02T03:04:05Z","expires_at":"2126-01-02T03:04:05Z","revoked_at":null,"extra":1}`

func TestKeys(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.OnFunc("GET", adminKeys, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("paging_token") == "" {
			return 200, apimock.List("k2", fmt.Sprintf(saKey, "k1", "k1", "one"))
		}
		return 200, apimock.List("", fmt.Sprintf(saKey, "k2", "k2", "two"))
	})
	var got []keys.Key
	for k, err := range serviceaccounts.New(m.Client).Keys(context.Background(), serviceaccounts.ByName("ci")) {
		require.NoError(t, err)
		got = append(got, k)
	}
	require.Len(t, got, 2)
	exp := time.Date(2126, 1, 2, 3, 4, 5, 0, time.UTC)
	assert.Equal(t, keys.Key{ID: "k1", DisplayID: "key_k1", Name: "one", CreatedBy: "usr_owner", OwnerID: "usr_ci", CreatedAt: created, ExpiresAt: &exp}, got[0], "the owner is known: the list was filtered by it")
	assert.Equal(t, "k2", got[1].ID)
	calls := m.Calls()
	require.Len(t, calls, 3)
	assert.Equal(t, nameQuery("ci"), calls[0].Query)
	assert.Equal(t, "GET "+adminKeys, calls[1].Method+" "+calls[1].Path)
	assert.Equal(t, url.Values{"user_id": {"usr_ci"}, "count": {"50"}}, calls[1].Query)
	assert.Equal(t, url.Values{"user_id": {"usr_ci"}, "count": {"50"}, "paging_token": {"k2"}}, calls[2].Query)
}

func TestKeysBreakAndErrors(t *testing.T) {
	t.Parallel()
	t.Run("break", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
		m.On("GET", adminKeys, 200, apimock.List("k2", fmt.Sprintf(saKey, "k1", "k1", "one"), fmt.Sprintf(saKey, "k3", "k3", "three")))
		for range serviceaccounts.New(m.Client).Keys(context.Background(), serviceaccounts.ByName("ci")) {
			break
		}
		assert.Equal(t, []string{"GET " + membersPath, "GET " + adminKeys}, m.Paths())
	})
	t.Run("unknown account", func(t *testing.T) {
		t.Parallel()
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List(""))
		n := 0
		for _, err := range serviceaccounts.New(m.Client).Keys(context.Background(), serviceaccounts.ByName("ci")) {
			n++
			assert.ErrorIs(t, err, client.ErrNotFound)
		}
		assert.Equal(t, 1, n)
		assert.Equal(t, []string{"GET " + membersPath}, m.Paths())
	})
}

func TestDelete(t *testing.T) {
	t.Parallel()
	for _, answer := range []struct {
		status int
		body   string
	}{{204, ""}, {200, `{"result":{}}`}} {
		t.Run(fmt.Sprint(answer.status), func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", membersPath, 200, apimock.List("", collab("ci2", "ci-2"), collab("ci", "ci")))
			m.On("DELETE", membersPath+"ide_ci", answer.status, answer.body)
			require.NoError(t, serviceaccounts.New(m.Client).Delete(context.Background(), serviceaccounts.ByName("ci")))
			assert.Equal(t, []string{"GET " + membersPath, "DELETE " + membersPath + "ide_ci"}, m.Paths(),
				"deletes by the identity id, not the user id")
		})
	}
}

func TestDeleteUnknown(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci2", "ci-2")))
	err := serviceaccounts.New(m.Client).Delete(context.Background(), serviceaccounts.ByName("ci"))
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Equal(t, []string{"GET " + membersPath}, m.Paths(), "nothing is deleted")
}

// TestForbiddenSaysOwner checks every owner-only call: a 403 matches
// client.ErrForbidden and says that an organization owner must do it.
func TestForbiddenSaysOwner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const denied = `{"error":{"detail":"permission denied"}}`
	for _, tc := range []struct {
		name   string
		setup  func(m *apimock.API)
		run    func(s *serviceaccounts.Service) error
		stated string // the call the error names
	}{
		{"Create", func(m *apimock.API) { m.On("POST", createPath, 403, denied) },
			func(s *serviceaccounts.Service) error { _, err := s.Create(ctx, "ci"); return err }, "POST " + createPath},
		{"Create key", func(m *apimock.API) {
			m.On("POST", createPath, 200, apimock.Result(collab("ci", "ci")))
			m.On("POST", keyPath, 403, denied)
		}, func(s *serviceaccounts.Service) error { _, err := s.Create(ctx, "ci"); return err }, "POST " + keyPath},
		{"CreateKey", func(m *apimock.API) { m.On("POST", keyPath, 403, denied) },
			func(s *serviceaccounts.Service) error {
				_, err := s.CreateKey(ctx, serviceaccounts.ByName("ci"))
				return err
			}, "POST " + keyPath},
		{"RotateKeys", func(m *apimock.API) { m.On("POST", revokeAllFor+"usr_ci", 403, denied) },
			func(s *serviceaccounts.Service) error {
				_, err := s.RotateKeys(ctx, serviceaccounts.ByName("ci"))
				return err
			}, "POST " + revokeAllFor + "usr_ci"},
		{"RotateKeys create", func(m *apimock.API) {
			m.On("POST", revokeAllFor+"usr_ci", 200, `{"result":{}}`)
			m.On("POST", keyPath, 403, denied)
		}, func(s *serviceaccounts.Service) error {
			_, err := s.RotateKeys(ctx, serviceaccounts.ByName("ci"))
			return err
		}, "POST " + keyPath},
		{"RevokeAllKeys", func(m *apimock.API) { m.On("POST", revokeAllFor+"usr_ci", 403, denied) },
			func(s *serviceaccounts.Service) error { return s.RevokeAllKeys(ctx, serviceaccounts.ByName("ci")) },
			"POST " + revokeAllFor + "usr_ci"},
		{"Keys", func(m *apimock.API) { m.On("GET", adminKeys, 403, denied) },
			func(s *serviceaccounts.Service) error {
				for _, err := range s.Keys(ctx, serviceaccounts.ByName("ci")) {
					if err != nil {
						return err
					}
				}
				return nil
			}, "GET " + adminKeys},
		{"Delete", func(m *apimock.API) { m.On("DELETE", membersPath+"ide_ci", 403, denied) },
			func(s *serviceaccounts.Service) error { return s.Delete(ctx, serviceaccounts.ByName("ci")) },
			"DELETE " + membersPath + "ide_ci"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
			tc.setup(m)
			err := tc.run(serviceaccounts.New(m.Client))
			require.ErrorIs(t, err, client.ErrForbidden)
			assert.Contains(t, err.Error(), ownerPhrase)
			assert.Contains(t, err.Error(), "permission denied", "the server's message is kept")
			var apiErr *client.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 403, apiErr.StatusCode)
			assert.Equal(t, tc.stated, apiErr.Method+" "+apiErr.Path)
			assert.Empty(t, apiErr.AdviceText(), "the client's error value is not changed: the advice wraps it")
			assert.Contains(t, client.AdviceOf(err), client.Advice{Action: client.ActionNeedOwner})
			// The forbidden call is the last one sent, but for RotateKeys'
			// look-up of who is calling, which only a refusal makes.
			paths := slices.DeleteFunc(m.Paths(), func(p string) bool { return p == "GET /api/v2/userinfo/" })
			assert.Equal(t, tc.stated, paths[len(paths)-1], "the forbidden call is the last one, sent once")
			assert.Equal(t, 1, strings.Count(strings.Join(paths, "\n"), tc.stated))
		})
	}
}

// TestOtherErrorsGetNoOwnerHint checks that only a 403 gets the owner hint.
func TestOtherErrorsGetNoOwnerHint(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("DELETE", membersPath+"ide_ci", 404, `{"error":{"detail":"gone"}}`)
	err := serviceaccounts.New(m.Client).Delete(context.Background(), serviceaccounts.ByName("ci"))
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.NotContains(t, err.Error(), ownerPhrase)
}

func TestRefString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, `name "ci"`, serviceaccounts.ByName("ci").String())
	assert.Equal(t, `email "ci@x.com"`, serviceaccounts.ByEmail("ci@x.com").String())
	assert.Equal(t, `email "ci@x.com"`, serviceaccounts.ByEmail(" CI@X.com ").String(), "normalized as the server stores emails")
	assert.Equal(t, "email \"\u212Ai@x.com\"", serviceaccounts.ByEmail("\u212AI@x.com").String(), "only ASCII letters fold")
}

func TestServiceConcurrentUse(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	s := serviceaccounts.New(m.Client)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Get(context.Background(), serviceaccounts.ByName("ci"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Len(t, m.Calls(), 8)
}

// Zero KeyOptions take the default lifetime; several merge, a later
// non-zero ExpiresIn winning; the deprecated spellings still work.
func TestKeyOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []serviceaccounts.KeyOptions
		body string
	}{
		{"none", nil, `{"duration":3153600000,"user_id":"usr_ci"}`},
		{"zero", []serviceaccounts.KeyOptions{{}}, `{"duration":3153600000,"user_id":"usr_ci"}`},
		{"later non-zero wins", []serviceaccounts.KeyOptions{{ExpiresIn: time.Hour}, {}, {ExpiresIn: time.Minute}, {}}, `{"duration":60,"user_id":"usr_ci"}`},
		{"WithExpiresIn", []serviceaccounts.KeyOption{serviceaccounts.WithExpiresIn(time.Hour)}, `{"duration":3600,"user_id":"usr_ci"}`},                                                     // the deprecated spelling
		{"last WithExpiresIn wins", []serviceaccounts.KeyOption{serviceaccounts.WithExpiresIn(time.Hour), serviceaccounts.WithExpiresIn(time.Minute)}, `{"duration":60,"user_id":"usr_ci"}`}, // the deprecated spelling
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
			m.On("POST", keyPath, 200, sessionOK)
			got, err := serviceaccounts.New(m.Client).CreateKey(context.Background(), serviceaccounts.ByName("ci"), tc.opts...)
			require.NoError(t, err)
			assert.Equal(t, secret, got.Reveal())
			calls := m.Calls()
			require.Len(t, calls, 2)
			assert.JSONEq(t, tc.body, calls[1].Body)
		})
	}
}

// A failed member list, under every call that finds an account by its
// reference, says what was being found, once, and a 403 advises an
// owner's token.
func TestFindingFailsWithItsClause(t *testing.T) {
	t.Parallel()
	for _, status := range []int{403, 500} {
		m := apimock.New(t)
		m.On("GET", membersPath, status, `{"error":{"detail":"boom"}}`)
		_, err := serviceaccounts.New(m.Client).CreateKey(context.Background(), serviceaccounts.ByName("ci"))
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), `serviceaccounts: finding name "ci": GET `), err.Error())
		assert.Equal(t, 1, strings.Count(err.Error(), "serviceaccounts:"))
		if status == 403 {
			assert.Contains(t, client.AdviceOf(err), client.Advice{Action: client.ActionNeedOwner})
		}
		_, err = serviceaccounts.New(m.Client).List(context.Background(), serviceaccounts.ListOptions{})
		assert.True(t, strings.HasPrefix(err.Error(), "serviceaccounts: listing: GET "), err.Error())
	}
}
