package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/callopt"
)

func TestNewBaseURL(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		opts    []client.Option
		want    string
		wantErr string
	}{
		{name: "default", want: client.DefaultBaseURL},
		{name: "from ANYSCALE_HOST", env: "https://env.example.com", want: "https://env.example.com"},
		{name: "ANYSCALE_HOST trimmed", env: " https://env.example.com\n", want: "https://env.example.com"},
		{name: "blank ANYSCALE_HOST is unset, as auth.ResolveHost says", env: "  ", want: client.DefaultBaseURL},
		{name: "option wins over env", env: "https://env.example.com", opts: []client.Option{client.WithBaseURL("https://opt.example.com/")}, want: "https://opt.example.com"},
		{name: "path prefix kept", opts: []client.Option{client.WithBaseURL("https://opt.example.com/prefix/")}, want: "https://opt.example.com/prefix"},
		{name: "http loopback allowed", opts: []client.Option{client.WithBaseURL("http://127.0.0.1:8080")}, want: "http://127.0.0.1:8080"},
		{name: "http localhost allowed", opts: []client.Option{client.WithBaseURL("http://localhost:8080")}, want: "http://localhost:8080"},
		{name: "http ipv6 loopback allowed", opts: []client.Option{client.WithBaseURL("http://[::1]:8080")}, want: "http://[::1]:8080"},
		{name: "http remote refused", opts: []client.Option{client.WithBaseURL("http://console.example.com")}, wantErr: "WithInsecureHTTP"},
		{name: "http remote refused from env", env: "http://console.example.com", wantErr: "plain http"},
		{name: "http remote with WithInsecureHTTP", opts: []client.Option{client.WithBaseURL("http://console.example.com"), client.WithInsecureHTTP()}, want: "http://console.example.com"},
		{name: "no scheme", opts: []client.Option{client.WithBaseURL("console.anyscale.com")}, wantErr: "not an absolute http(s) URL"},
		{name: "bad scheme", opts: []client.Option{client.WithBaseURL("ftp://console.anyscale.com")}, wantErr: "not an absolute http(s) URL"},
		{name: "unparsable", opts: []client.Option{client.WithBaseURL("https://bad host/")}, wantErr: "base URL"},
		{name: "query refused", opts: []client.Option{client.WithBaseURL("https://console.anyscale.com/?x=1")}, wantErr: "query"},
		{name: "empty option", opts: []client.Option{client.WithBaseURL("")}, wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(auth.EnvHost, tt.env)
			c, err := client.New(append([]client.Option{client.WithToken(canary)}, tt.opts...)...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, client.ErrInvalid)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

func TestNewDoesNoIO(t *testing.T) {
	p := &fakeProvider{tokens: []string{canary}, source: auth.SourceEnv}
	mt := httpmock.NewMockTransport()
	_, err := client.New(client.WithBaseURL(baseURL), client.WithProvider(p), client.WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	assert.Zero(t, p.calls, "New must not resolve a token")
	assert.Zero(t, mt.GetTotalCallCount(), "New must not send a request")
}

func TestNewRejectsBadOptions(t *testing.T) {
	for name, opt := range map[string]client.Option{
		"malformed token":   client.WithToken("not a token " + canary),
		"nil provider":      client.WithProvider(nil),
		"nil http client":   client.WithHTTPClient(nil),
		"nil logger":        client.WithLogger(nil),
		"control character": client.WithUserAgent("bad\nagent"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := client.New(client.WithBaseURL(baseURL), opt)
			require.Error(t, err)
			assert.ErrorIs(t, err, client.ErrInvalid)
			assert.NotContains(t, err.Error(), canary)
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, client.WithUserAgent("my-tool/1.2"))
	var got http.Header
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", func(r *http.Request) (*http.Response, error) {
		got = r.Header.Clone()
		return jsonResponder(200, `{"result":{"id":"usr_1"}}`)(r)
	})
	_, err := f.c.WhoAmI(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+canary, got.Get("Authorization"))
	assert.Equal(t, "go-sdk", got.Get("X-Anyscale-Client"))
	assert.Equal(t, client.Version, got.Get("X-Anyscale-Client-Version"))
	assert.Equal(t, "application/json", got.Get("Accept"))
	ua := got.Get("User-Agent")
	assert.True(t, strings.HasPrefix(ua, "anyscale-go/"+client.Version+" ("), ua)
	assert.Contains(t, ua, runtime.GOOS)
	assert.True(t, strings.HasSuffix(ua, " my-tool/1.2"), ua)
}

type listQuery struct {
	Name string `url:"name,omitempty"`
	Flag *bool  `url:"is_service_account,omitempty"`
	client.PageQuery
}

func TestDoEncodesQueryBodyAndDecodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var gotQuery url.Values
	var gotBody, gotType string
	f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/things", func(r *http.Request) (*http.Response, error) {
		gotQuery = r.URL.Query()
		gotType = r.Header.Get("Content-Type")
		gotBody = readBody(r)
		return jsonResponder(200, `{"result":{"value":"ok","extra":1}}`)(r)
	})
	yes := true
	var out struct {
		Value string `json:"value"`
	}
	resp, err := f.c.Do(context.Background(), http.MethodPost, "/api/v2/things",
		listQuery{Name: "a b", Flag: &yes, PageQuery: client.PageQuery{PagingToken: "tok", Count: 7}},
		map[string]int{"duration": 60}, &out)
	require.NoError(t, err)
	assert.Equal(t, "ok", out.Value)
	assert.Equal(t, "trace-123", resp.TraceID)
	assert.Equal(t, url.Values{"name": {"a b"}, "is_service_account": {"true"}, "paging_token": {"tok"}, "count": {"7"}}, gotQuery)
	assert.JSONEq(t, `{"duration":60}`, gotBody)
	assert.Equal(t, "application/json", gotType)
}

func TestListPageAndEnvelope(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/items", jsonResponder(200,
		`{"results":[{"id":"a"},{"id":"b"}],"metadata":{"total":5,"next_paging_token":"p2"}}`))
	type item struct {
		ID string `json:"id"`
	}
	page, err := client.ListPage[item](context.Background(), f.c, "/api/v2/items", url.Values{"count": {"2"}})
	require.NoError(t, err)
	assert.Equal(t, []item{{"a"}, {"b"}}, page.Items)
	assert.Equal(t, "p2", page.NextPageToken)
	assert.Equal(t, 5, page.Total)

	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/empty", jsonResponder(200,
		`{"results":[],"metadata":{"total":0,"next_paging_token":null}}`))
	page, err = client.ListPage[item](context.Background(), f.c, "/api/v2/empty", nil)
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.NotNil(t, page.Items)
	assert.Equal(t, "", page.NextPageToken)
}

func TestWhoAmIDecodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", jsonResponder(200, `{"result":{
		"id":"usr_abc","email":"owner@example.com","name":"Owner","username":"owner",
		"organization_permission_level":"owner","organization_ids":["org_1"],
		"organizations":[{"id":"org_1","name":"Acme","public_identifier":"acme","default_cloud_id":null}],
		"unknown_field":{"nested":true}}}`))
	me, err := f.c.WhoAmI(context.Background())
	require.NoError(t, err)
	assert.Equal(t, &client.UserInfo{
		ID: "usr_abc", Email: "owner@example.com", Name: "Owner", Username: "owner",
		OrganizationPermissionLevel: "owner", OrganizationIDs: []string{"org_1"},
		Organizations: []client.Organization{{ID: "org_1", Name: "Acme", PublicIdentifier: "acme"}},
	}, me)
	assert.True(t, me.IsOwner())
	assert.Equal(t, "org_1", me.OrganizationID())
}

func TestDoRejectsRelativePath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.c.Do(context.Background(), http.MethodGet, "api/v2/x", nil, nil, nil)
	assert.ErrorIs(t, err, client.ErrInvalid)
	assert.Zero(t, f.mt.GetTotalCallCount())
}

func TestProviderErrorStopsBeforeSending(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	c, err := client.New(client.WithBaseURL(baseURL), client.WithHTTPClient(&http.Client{Transport: mt}),
		client.WithProvider(auth.NewChain()))
	require.NoError(t, err)
	_, err = c.WhoAmI(context.Background())
	var chainErr *auth.ChainError
	require.ErrorAs(t, err, &chainErr)
	assert.Zero(t, mt.GetTotalCallCount())
	assert.True(t, errors.Is(err, auth.ErrUnavailable))
}

func TestWithoutAuthSendsNoToken(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	// A chain that finds nothing: an authenticated call would fail.
	c, err := client.New(client.WithBaseURL(baseURL), client.WithHTTPClient(&http.Client{Transport: mt}), client.WithProvider(auth.NewChain()))
	require.NoError(t, err)
	var got []string
	mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/users/create_otp_token", func(r *http.Request) (*http.Response, error) {
		got = append(got, r.Header.Get("Authorization"))
		return jsonResponder(200, `{"result":{"otp":"x"}}`)(r)
	})
	_, err = c.Do(callopt.WithoutAuth(context.Background()), http.MethodGet, "/api/v2/users/create_otp_token", nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{""}, got)
	_, err = c.Do(context.Background(), http.MethodGet, "/api/v2/users/create_otp_token", nil, nil, nil)
	assert.ErrorIs(t, err, auth.ErrUnavailable)
	assert.Len(t, got, 1)
}
