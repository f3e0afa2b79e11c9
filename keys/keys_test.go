package keys_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

const (
	baseURL = apimock.BaseURL
	token   = apimock.Token
)

const fullKey = `{
	"hex_hashed_id": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"display_id": "key_9f86d081",
	"name": "ci-deploy",
	"created_by": "usr_aaaaaaaaaaaaaaaaaaaaaaaaaa",
	"created_at": "2026-11-01T10:00:00Z",
	"expires_at": "2026-12-01T10:00:00Z",
	"revoked_at": null,
	"last_used_at": "2026-11-20T08:00:00.123456+00:00",
	"some_future_field": {"x": 1}
}`

const legacyKey = `{
	"hex_hashed_id": "aaaa",
	"display_id": "key_aaaa",
	"name": null,
	"created_at": "2024-01-01T00:00:00Z",
	"expires_at": null
}`

func date(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestListOwnDecodes(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List("next-1", fullKey, legacyKey))
	page, err := keys.New(m.Client).List(context.Background(), keys.ListOptions{Name: "ci", PageSize: 10, PageToken: "p0"})
	require.NoError(t, err)
	require.Len(t, m.Calls(), 1)
	assert.Equal(t, url.Values{"name": {"ci"}, "count": {"10"}, "paging_token": {"p0"}}, m.Calls()[0].Query)
	assert.Equal(t, "next-1", page.NextPageToken)
	assert.Equal(t, 2, page.Total)
	require.Len(t, page.Items, 2)
	assert.Equal(t, keys.Key{
		ID:         "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		DisplayID:  "key_9f86d081",
		Name:       "ci-deploy",
		CreatedBy:  "usr_aaaaaaaaaaaaaaaaaaaaaaaaaa",
		CreatedAt:  *date("2026-11-01T10:00:00Z"),
		ExpiresAt:  date("2026-12-01T10:00:00Z"),
		LastUsedAt: date("2026-11-20T08:00:00.123456Z"),
	}, page.Items[0])
	assert.Nil(t, page.Items[1].LastUsedAt, "absent last_used_at: never used")
	assert.Equal(t, keys.Key{ID: "aaaa", DisplayID: "key_aaaa", CreatedAt: *date("2024-01-01T00:00:00Z")}, page.Items[1])
	assert.True(t, page.Items[1].Legacy())
	assert.False(t, page.Items[0].Legacy())
}

func TestListOrgQuery(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/users/admin/api_keys", 200, apimock.List(""))
	_, err := keys.New(m.Client).Org().List(context.Background(), keys.ListOptions{Name: "n", Owner: organization.ByUserID("usr_1"), CreatedBy: "usr_2"})
	require.NoError(t, err)
	require.Len(t, m.Calls(), 1)
	m.On("GET", "/api/v2/users/admin/api_keys", 200, apimock.List("", fullKey))
	page, err := keys.New(m.Client).Org().List(context.Background(), keys.ListOptions{Owner: organization.ByUserID("usr_1")})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "usr_1", page.Items[0].OwnerID)
	// OwnerID, deprecated, filters the same way.
	page, err = keys.New(m.Client).Org().List(context.Background(), keys.ListOptions{OwnerID: "usr_1"}) // the deprecated spelling
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "usr_1", page.Items[0].OwnerID)
	assert.Equal(t, url.Values{"user_id": {"usr_1"}, "count": {"50"}}, m.Calls()[2].Query)
	page, err = keys.New(m.Client).Org().List(context.Background(), keys.ListOptions{CreatedBy: "usr_2"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Empty(t, page.Items[0].OwnerID, "unfiltered, the owner is unknown: the wire has no owner field")
	assert.Equal(t, url.Values{"name": {"n"}, "user_id": {"usr_1"}, "created_by": {"usr_2"}, "count": {"50"}}, m.Calls()[0].Query)
}

// members is a member list of two whose emails begin alike.
var members = apimock.List("",
	`{"id":"ide_2","user_id":"usr_other","email":"ada.lovelace@example.com","name":"Other","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`,
	`{"id":"ide_1","user_id":"usr_ada","email":"ada@example.com","name":"Ada","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`)

func TestListOwnerResolves(t *testing.T) {
	t.Parallel()
	for _, ref := range []organization.Ref{organization.ByEmail("Ada@Example.com"), organization.ByName("Ada"), organization.ByIdentityID("ide_1")} {
		t.Run(ref.String(), func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", "/api/v2/organization_collaborators/", 200, members)
			m.On("GET", "/api/v2/users/admin/api_keys", 200, apimock.List("", fullKey))
			var got []keys.Key
			for k, err := range keys.New(m.Client).Org().All(context.Background(), keys.ListOptions{Owner: ref}) {
				require.NoError(t, err)
				got = append(got, k)
			}
			require.Len(t, got, 1)
			assert.Equal(t, "usr_ada", got[0].OwnerID, "a list filtered by owner names the owner on every key")
			require.Len(t, m.Calls(), 2)
			assert.Equal(t, "usr_ada", m.Calls()[1].Query.Get("user_id"), "the exact match wins, not the first result")
		})
	}
}

// OwnerEmail, deprecated, resolves the email as it did.
func TestListOwnerEmailResolves(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, members)
	m.On("GET", "/api/v2/users/admin/api_keys", 200, apimock.List("", fullKey))
	var got []keys.Key
	for k, err := range keys.New(m.Client).Org().All(context.Background(), keys.ListOptions{OwnerEmail: "Ada@Example.com"}) { // the deprecated spelling
		require.NoError(t, err)
		got = append(got, k)
	}
	require.Len(t, got, 1)
	assert.Equal(t, "usr_ada", got[0].OwnerID, "a list filtered by owner names the owner on every key")
	require.Len(t, m.Calls(), 2)
	assert.Equal(t, "ada@example.com", m.Calls()[0].Query.Get("email"))
	assert.Equal(t, "usr_ada", m.Calls()[1].Query.Get("user_id"), "the exact email match wins, not the first result")
}

func TestListOwnerEmailUnknown(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List(""))
	_, err := keys.New(m.Client).Org().List(context.Background(), keys.ListOptions{Owner: organization.ByEmail("nobody@example.com")})
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Contains(t, err.Error(), "nobody@example.com")
}

// An owner the member list has twice is refused, not taken for one.
func TestListOwnerAmbiguous(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		`{"id":"ide_1","user_id":"usr_1","email":"x@example.com","name":"Bot","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`,
		`{"id":"ide_2","user_id":"usr_2","email":"y@example.com","name":"Bot","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`))
	_, err := keys.New(m.Client).Org().List(context.Background(), keys.ListOptions{Owner: organization.ByName("Bot")})
	require.ErrorIs(t, err, client.ErrConflict)
	assert.Equal(t, []string{"GET /api/v2/organization_collaborators/"}, m.Paths(), "no key list for an ambiguous owner")
}

func TestListValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		org  bool
		opts keys.ListOptions
		want string
	}{
		{"page size over 50", false, keys.ListOptions{PageSize: 51}, "a page size of 51"},
		{"negative page size", true, keys.ListOptions{PageSize: -1}, "a page size of -1"},
		{"owner on own scope", false, keys.ListOptions{Owner: organization.ByEmail("a@b.c")}, "organization scope"},
		{"owner email on own scope", false, keys.ListOptions{OwnerEmail: "a@b.c"}, "organization scope"}, // the deprecated spelling
		{"owner id on own scope", false, keys.ListOptions{OwnerID: "usr_1"}, "organization scope"},       // the deprecated spelling
		{"created by on own scope", false, keys.ListOptions{CreatedBy: "usr_1"}, "organization scope"},
		{"email and id", true, keys.ListOptions{OwnerEmail: "a@b.c", OwnerID: "usr_1"}, "give only one"},                               // the deprecated spelling
		{"owner and owner email", true, keys.ListOptions{Owner: organization.ByUserID("usr_1"), OwnerEmail: "a@b.c"}, "give only one"}, // the deprecated spelling
		{"owner and owner id", true, keys.ListOptions{Owner: organization.ByEmail("a@b.c"), OwnerID: "usr_1"}, "give only one"},        // the deprecated spelling
		{"empty owner email", true, keys.ListOptions{Owner: organization.ByEmail(" ")}, "empty"},
		{"identity id as user id", true, keys.ListOptions{Owner: organization.ByUserID("ide_1")}, "identity id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			var s interface {
				List(context.Context, keys.ListOptions) (*client.Page[keys.Key], error)
				All(context.Context, keys.ListOptions) iter.Seq2[keys.Key, error]
			} = keys.New(m.Client)
			if tt.org {
				s = keys.New(m.Client).Org()
			}
			_, err := s.List(context.Background(), tt.opts)
			require.ErrorIs(t, err, client.ErrInvalid)
			assert.Contains(t, err.Error(), tt.want)
			var errs []error
			for _, err := range s.All(context.Background(), tt.opts) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1, "All yields the validation error once")
			assert.ErrorIs(t, errs[0], client.ErrInvalid)
			assert.Zero(t, m.Transport.GetTotalCallCount(), "validation happens before any request")
		})
	}
}

func TestAllPages(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/users/api_keys", func(r *http.Request) (int, string) {
		if r.URL.Query().Get("paging_token") == "" {
			return 200, apimock.List("p2", fullKey)
		}
		return 200, apimock.List("", legacyKey)
	})
	var ids []string
	for k, err := range keys.New(m.Client).All(context.Background(), keys.ListOptions{PageSize: 1}) {
		require.NoError(t, err)
		ids = append(ids, k.ID)
	}
	assert.Equal(t, []string{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "aaaa"}, ids)
	require.Len(t, m.Calls(), 2)
	assert.Equal(t, "p2", m.Calls()[1].Query.Get("paging_token"))
	assert.Equal(t, "1", m.Calls()[1].Query.Get("count"))
}

func TestCreate(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	secret := "aph0_newsecret0123456789abcdefghijklmnop"
	m.On("POST", "/api/v2/users/create_api_key", 200, `{"result":{"server_session_id":"`+secret+`"}}`)
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List("", strings.Replace(fullKey, "2026-12-01T10:00:00Z", time.Now().Add(keys.MaxLifetime).UTC().Format(time.RFC3339), 1)))
	created, err := keys.New(m.Client).Create(context.Background(), keys.CreateRequest{Name: "ci-deploy", ExpiresIn: keys.MaxLifetime})
	require.NoError(t, err)
	assert.Equal(t, secret, created.Secret.Reveal())
	assert.Equal(t, "ci-deploy", created.Key.Name, "found by its unique name")
	assert.True(t, created.Listed)
	assert.Equal(t, "key_9f86d081", created.Key.DisplayID)
	require.Len(t, m.Calls(), 2)
	assert.Equal(t, "POST", m.Calls()[0].Method)
	assert.JSONEq(t, `{"duration":2592000,"name":"ci-deploy"}`, m.Calls()[0].Body)
	assert.Equal(t, "ci-deploy", m.Calls()[1].Query.Get("name"))
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", created, created, *created), secret)
	js, err := json.Marshal(created)
	require.NoError(t, err)
	assert.NotContains(t, string(js), secret)
}

// Create reads its key back by name only among active keys, the newest
// first: an expired key may share the name. Two active candidates made at
// the same time leave it unknown.
func TestCreateFindsTheActiveKeyByName(t *testing.T) {
	t.Parallel()
	key := func(id, created string, expires time.Time) string {
		return fmt.Sprintf(`{"hex_hashed_id":%q,"display_id":"key_%s","name":"ci","created_by":"usr_1","created_at":%q,"expires_at":%q,"revoked_at":null,"last_used_at":null}`,
			id, id, created, expires.UTC().Format(time.RFC3339))
	}
	later, earlier := time.Now().Add(time.Hour), time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		name   string
		items  []string
		wantID string // "": not found
	}{
		{"an expired key of the same name is not it", []string{key("old", "2026-10-01T00:00:00Z", earlier)}, ""},
		{"the active one, after an expired one", []string{key("old", "2026-10-01T00:00:00Z", earlier), key("new", "2026-11-27T00:00:00Z", later)}, "new"},
		{"the newest active one", []string{key("a", "2026-11-01T00:00:00Z", later), key("b", "2026-11-27T00:00:00Z", later)}, "b"},
		{"two made at the same time", []string{key("a", "2026-11-27T00:00:00Z", later), key("b", "2026-11-27T00:00:00Z", later)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("POST", "/api/v2/users/create_api_key", 200, `{"result":{"server_session_id":"aph0_newkey0123456789abcdefghijklmnop"}}`)
			m.On("GET", "/api/v2/users/api_keys", 200, apimock.List("", tc.items...))
			created, err := keys.New(m.Client).Create(context.Background(), keys.CreateRequest{Name: "ci", ExpiresIn: time.Hour})
			require.NoError(t, err)
			assert.Equal(t, tc.wantID != "", created.Listed)
			assert.Equal(t, tc.wantID, created.Key.ID)
		})
	}
}

// A rotation answer without the new key is not taken for a rotation that
// did not happen: every key may be revoked.
func TestRotateWithoutAKeyInTheAnswer(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/users/rotate_api_key", 200, `{"result":{}}`)
	_, err := keys.New(m.Client).Rotate(context.Background())
	require.ErrorIs(t, err, client.ErrMalformedResponse)
	assert.Contains(t, err.Error(), "create a new key in the console")
	assert.NotContains(t, err.Error(), "with Create", "Create needs the token the rotation may have revoked")
}

func TestCreateWithoutNameOmitsIt(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/create_api_key", 200, `{"result":{"server_session_id":"aph0_x0123456789abcdefghijklmnopqrstu"}}`)
	m.On("GET", "/api/v2/users/api_keys", 500, `{"error":{"detail":"down"}}`)
	created, err := keys.New(m.Client).Create(context.Background(), keys.CreateRequest{ExpiresIn: time.Hour})
	require.NoError(t, err, "a failed lookup after creation does not lose the secret")
	assert.JSONEq(t, `{"duration":3600}`, m.Calls()[0].Body)
	assert.False(t, created.Listed)
	assert.Empty(t, created.Key.ID, "no id is made up for a key that was not read back")
	require.NotNil(t, created.Key.ExpiresAt)
	assert.WithinDuration(t, time.Now().Add(time.Hour), *created.Key.ExpiresAt, time.Minute)
	assert.False(t, created.Key.Legacy())
	assert.Equal(t, "aph0_x0123456789abcdefghijklmnopqrstu", created.Secret.Reveal())
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  keys.CreateRequest
		want string
	}{
		{"missing expiry", keys.CreateRequest{Name: "a"}, "required"},
		{"negative expiry", keys.CreateRequest{ExpiresIn: -time.Hour}, "negative"},
		{"sub-second expiry", keys.CreateRequest{ExpiresIn: time.Millisecond}, "under a second"},
		{"over 30 days", keys.CreateRequest{ExpiresIn: keys.MaxLifetime + time.Second}, "30-day"},
		{"name too long", keys.CreateRequest{Name: strings.Repeat("n", keys.MaxNameLength+1), ExpiresIn: time.Hour}, "at most 128"},
		{"control character", keys.CreateRequest{Name: "a\nb", ExpiresIn: time.Hour}, "control"},
		{"zero-width space", keys.CreateRequest{Name: "a\u200bb", ExpiresIn: time.Hour}, "invisible"},
		{"leading space", keys.CreateRequest{Name: " a", ExpiresIn: time.Hour}, "white space"},
		{"invalid utf-8", keys.CreateRequest{Name: "a\xff", ExpiresIn: time.Hour}, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			_, err := keys.New(m.Client).Create(context.Background(), tt.req)
			require.ErrorIs(t, err, client.ErrInvalid)
			assert.Contains(t, err.Error(), tt.want)
			assert.Zero(t, m.Transport.GetTotalCallCount())
		})
	}
	m := apimock.New(t)
	_, err := keys.New(m.Client).Create(context.Background(), keys.CreateRequest{Name: strings.Repeat("é", keys.MaxNameLength), ExpiresIn: keys.MaxLifetime})
	assert.NotErrorIs(t, err, client.ErrInvalid, "128 characters of two bytes each are allowed")
}

func TestCreateIsNotRetriedOnServerError(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/create_api_key", 500, `{"error":{"detail":"boom"}}`)
	_, err := keys.New(m.Client).Create(context.Background(), keys.CreateRequest{Name: "x", ExpiresIn: time.Hour})
	require.ErrorIs(t, err, client.ErrServer)
	assert.Equal(t, 1, m.Transport.GetTotalCallCount())
}

func TestCreateConflictAndValidationErrors(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("POST", "/api/v2/users/create_api_key", func(r *http.Request) (int, string) {
		if len(m.Calls()) == 1 { // the first call; calls is recorded before answering
			return 409, `{"error":{"detail":"an active key named x exists"}}`
		}
		return 422, `{"detail":[{"loc":["body","duration"],"msg":"must be at most 2592000","type":"value_error"}]}`
	})
	_, err := keys.New(m.Client).Create(context.Background(), keys.CreateRequest{Name: "x", ExpiresIn: time.Hour})
	assert.ErrorIs(t, err, client.ErrConflict)
	_, err = keys.New(m.Client).Create(context.Background(), keys.CreateRequest{Name: "x", ExpiresIn: time.Hour})
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, []client.FieldError{{Loc: []string{"body", "duration"}, Msg: "must be at most 2592000", Type: "value_error"}}, apiErr.Details)
}

// A key the server does not know is "not found" only once the check for a
// live key of that display id or name was made: when that check fails,
// nothing is concluded, and the error is the check's.
func TestRevokeNotFoundUnchecked(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("DELETE", "/api/v2/users/api_keys/gone", 404, `{"error":{"detail":"not found"}}`)
	m.On("GET", "/api/v2/users/api_keys", 500, `{"error":{"detail":"boom"}}`)
	err := keys.New(m.Client).Revoke(context.Background(), "gone")
	require.ErrorIs(t, err, client.ErrServer)
	assert.NotErrorIs(t, err, client.ErrNotFound, "not found is not concluded unchecked")
	assert.Contains(t, err.Error(), "could not be checked")
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("DELETE", "/api/v2/users/api_keys/abc", 204, ``)
	m.On("DELETE", "/api/v2/users/admin/api_keys/def", 200, `{"result":{}}`)
	m.On("DELETE", "/api/v2/users/api_keys/gone", 404, `{"error":{"detail":"not found"}}`)
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List(""))
	ks := keys.New(m.Client)
	require.NoError(t, ks.Revoke(context.Background(), "abc"))
	require.NoError(t, ks.Org().Revoke(context.Background(), "def"))
	assert.ErrorIs(t, ks.Revoke(context.Background(), "gone"), client.ErrNotFound)
	for _, bad := range []string{"", ".", "..", "a/b", `a\\b`} {
		assert.ErrorIs(t, ks.Revoke(context.Background(), bad), client.ErrInvalid, "id %q", bad)
		assert.ErrorIs(t, ks.Org().Revoke(context.Background(), bad), client.ErrInvalid, "id %q", bad)
	}
	assert.Equal(t, 4, m.Transport.GetTotalCallCount(), "an id that is empty, a dot segment or holds a slash is never sent (the 4th: a not found id's check)")
}

func TestRevokeAll(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/organization_collaborators/rotate_api_key_for_user/usr_1", 200, `{"result":{}}`)
	ks := keys.New(m.Client)
	require.NoError(t, ks.Org().RevokeAll(context.Background(), organization.ByUserID("usr_1")))
	for _, bad := range []organization.Ref{{}, organization.ByUserID(""), organization.ByUserID("ide_1"), organization.ByEmail("")} {
		assert.ErrorIs(t, ks.Org().RevokeAll(context.Background(), bad), client.ErrInvalid, bad)
	}
	require.Len(t, m.Calls(), 1)
	assert.Equal(t, "POST", m.Calls()[0].Method)
	assert.Empty(t, m.Calls()[0].Body)
}

func TestRevokeAllByEmail(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, members)
	m.On("POST", "/api/v2/organization_collaborators/rotate_api_key_for_user/usr_ada", 200, `{"result":{}}`)
	require.NoError(t, keys.New(m.Client).Org().RevokeAll(context.Background(), organization.ByEmail("ada@example.com")))
	assert.Equal(t, []string{"GET /api/v2/organization_collaborators/", "POST /api/v2/organization_collaborators/rotate_api_key_for_user/usr_ada"}, m.Paths())

	// Nobody found: nothing revoked.
	m2 := apimock.New(t)
	m2.On("GET", "/api/v2/organization_collaborators/", 200, members)
	assert.ErrorIs(t, keys.New(m2.Client).Org().RevokeAll(context.Background(), organization.ByEmail("nobody@example.com")), client.ErrNotFound)
	assert.Equal(t, []string{"GET /api/v2/organization_collaborators/"}, m2.Paths())
}

// RevokeAllForUser, deprecated, revokes by user id as it did.
func TestRevokeAllForUser(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/organization_collaborators/rotate_api_key_for_user/usr_1", 200, `{"result":{}}`)
	ks := keys.New(m.Client)
	require.NoError(t, ks.Org().RevokeAllForUser(context.Background(), "usr_1"))              // the deprecated spelling
	assert.ErrorIs(t, ks.Org().RevokeAllForUser(context.Background(), ""), client.ErrInvalid) // the deprecated spelling
	require.Len(t, m.Calls(), 1)
	assert.Equal(t, "POST", m.Calls()[0].Method)
}

func TestCreateFor(t *testing.T) {
	t.Parallel()
	const session = `{"result":{"server_session_id":"aph0_sakey0123456789abcdefghijklmnopq"}}`
	bot := `{"id":"ide_bot","user_id":"usr_bot","email":"bot@org-x.serviceaccount.com","name":"bot","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z","is_service_account":true}`
	tests := []struct {
		name  string
		ref   organization.Ref
		req   keys.CreateRequest
		paths []string
		body  string
	}{
		{"by user id", organization.ByUserID("usr_bot"), keys.CreateRequest{ExpiresIn: time.Hour},
			[]string{"POST /api/v2/users/create_api_key"}, `{"duration":3600,"user_id":"usr_bot"}`},
		{"by name, a long lifetime", organization.ByName("bot"), keys.CreateRequest{Name: "deploy", ExpiresIn: keys.MaxServiceAccountKeyLifetime},
			[]string{"GET /api/v2/organization_collaborators/", "POST /api/v2/users/create_api_key"}, `{"duration":3153600000,"name":"deploy","user_id":"usr_bot"}`},
		{"a user by email", organization.ByEmail("ada@example.com"), keys.CreateRequest{ExpiresIn: keys.MaxLifetime},
			[]string{"GET /api/v2/organization_collaborators/", "POST /api/v2/users/create_api_key"}, `{"duration":2592000,"user_id":"usr_ada"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", bot, `{"id":"ide_1","user_id":"usr_ada","email":"ada@example.com","name":"Ada","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`))
			m.On("POST", "/api/v2/users/create_api_key", 200, session)
			got, err := keys.New(m.Client).Org().CreateFor(context.Background(), tt.ref, tt.req)
			require.NoError(t, err)
			assert.Equal(t, "aph0_sakey0123456789abcdefghijklmnopq", got.Secret.Reveal())
			assert.False(t, got.Listed)
			assert.Equal(t, tt.req.Name, got.Key.Name)
			require.NotNil(t, got.Key.ExpiresAt)
			assert.WithinDuration(t, time.Now().Add(tt.req.ExpiresIn), *got.Key.ExpiresAt, time.Minute)
			assert.Equal(t, tt.paths, m.Paths())
			assert.JSONEq(t, tt.body, m.Calls()[len(m.Calls())-1].Body)
		})
	}
}

func TestCreateForValidatesFirst(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		`{"id":"ide_1","user_id":"usr_ada","email":"ada@example.com","name":"Ada","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`))
	org := keys.New(m.Client).Org()
	ctx := context.Background()
	for _, tc := range []struct {
		ref organization.Ref
		req keys.CreateRequest
	}{
		{organization.Ref{}, keys.CreateRequest{ExpiresIn: time.Hour}},
		{organization.ByUserID("usr_1"), keys.CreateRequest{}},
		{organization.ByUserID("usr_1"), keys.CreateRequest{ExpiresIn: keys.MaxServiceAccountKeyLifetime + time.Second}},
		{organization.ByUserID("usr_1"), keys.CreateRequest{Name: " x", ExpiresIn: time.Hour}},
		{organization.ByEmail("ada@example.com"), keys.CreateRequest{ExpiresIn: keys.MaxLifetime + time.Second}},
	} {
		_, err := org.CreateFor(ctx, tc.ref, tc.req)
		assert.ErrorIs(t, err, client.ErrInvalid, "%v %+v", tc.ref, tc.req)
	}
	assert.NotContains(t, m.Paths(), "POST /api/v2/users/create_api_key", "no key request is sent")
}

// CreateForUser, deprecated, makes a key for a user id as it did.
func TestCreateForUser(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/create_api_key", 200, `{"result":{"server_session_id":"aph0_sakey0123456789abcdefghijklmnopq"}}`)
	org := keys.New(m.Client).Org()
	secret, err := org.CreateForUser(context.Background(), "usr_bot", time.Hour) // the deprecated spelling
	require.NoError(t, err)
	assert.Equal(t, "aph0_sakey0123456789abcdefghijklmnopq", secret.Reveal())
	assert.JSONEq(t, `{"duration":3600,"user_id":"usr_bot"}`, m.Calls()[0].Body)
	_, err = org.CreateForUser(context.Background(), "", time.Hour) // the deprecated spelling
	assert.ErrorIs(t, err, client.ErrInvalid)
	_, err = org.CreateForUser(context.Background(), "usr_bot", 0) // the deprecated spelling
	assert.ErrorIs(t, err, client.ErrInvalid)
	assert.Len(t, m.Calls(), 1)
}

func TestRotate(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/users/rotate_api_key", 200, `{"result":{"server_session_id":"aph0_rotated0123456789abcdefghijklmnop"}}`)
	s, err := keys.New(m.Client).Rotate(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "aph0_rotated0123456789abcdefghijklmnop", s.Reveal())
}

func TestRotateIsNotRetried(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/users/rotate_api_key", 503, `{"error":{"detail":"busy"}}`)
	_, err := keys.New(m.Client).Rotate(context.Background())
	require.ErrorIs(t, err, client.ErrServer)
	assert.Equal(t, 1, m.Transport.GetTotalCallCount(), "a repeated rotate would revoke the key the first one made")
}

func TestKeyStatus(t *testing.T) {
	t.Parallel()
	now := *date("2026-11-25T00:00:00Z")
	assert.Equal(t, keys.Active, keys.Key{ExpiresAt: date("2026-11-26T00:00:00Z")}.Status(now))
	assert.Equal(t, keys.Active, keys.Key{}.Status(now), "legacy keys stay active")
	assert.Equal(t, keys.Expired, keys.Key{ExpiresAt: date("2026-11-25T00:00:00Z")}.Status(now))
	assert.Equal(t, keys.Revoked, keys.Key{ExpiresAt: date("2026-11-20T00:00:00Z"), RevokedAt: date("2026-11-19T00:00:00Z")}.Status(now))
}

func jsonResp(status int, body string) *http.Response {
	resp := httpmock.NewStringResponse(status, body)
	resp.Header.Set("Content-Type", "application/json")
	return resp
}

// TestScopeIsInTheType checks that each scope has exactly the operations
// that exist for it, so that misuse is a compile error: the own scope
// cannot make keys for others or revoke a user's keys, and the
// organization scope cannot create, rotate or log in.
func TestScopeIsInTheType(t *testing.T) {
	t.Parallel()
	methods := func(v any) []string {
		typ := reflect.TypeOf(v)
		out := make([]string, typ.NumMethod())
		for i := range out {
			out[i] = typ.Method(i).Name
		}
		return out
	}
	assert.Equal(t, []string{"All", "Audit", "Create", "List", "Login", "Org", "Renew", "Resolve", "Revoke", "RevokeMany", "Rotate"}, methods(&keys.Service{}))
	assert.Equal(t, []string{"All", "Audit", "CreateFor", "CreateForUser", "List", "Resolve", "Revoke", "RevokeAll", "RevokeAllForUser", "RevokeMany"}, methods(&keys.OrgService{}))
}
