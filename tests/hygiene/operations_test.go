package hygiene_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/callopt"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/login"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// world is the fake organization the hygiene test drives.
type world struct {
	t    *testing.T
	r    *recorder
	srv  *anyscaletest.Server
	home string
	ctx  context.Context

	owner, ada, carol, dave, erin, frank, gina anyscaletest.User
	bot                                        anyscaletest.User
	legacyID                                   string

	// adaFile is ada's credentials file, open to others (a warning).
	adaFile string
	// environ is a workspace's injected environment holding carol's token.
	environ string
}

// opts are the options every client of the test gets: the fake's HTTP
// client, the recorder's debug logger and fast retries.
func (w *world) opts(more ...client.Option) []client.Option {
	return append([]client.Option{client.WithHTTPClient(w.srv.HTTPClient()), client.WithLogger(w.r.clientLog),
		client.WithRetryPolicy(fast)}, more...)
}

// clientFor is a client of u's seeded token.
func (w *world) clientFor(u anyscaletest.User) *client.Client {
	w.t.Helper()
	c, err := w.srv.Client(u, w.opts()...)
	require.NoError(w.t, err)
	return c
}

// newWorld starts the fake with an owner, six collaborators, a service
// account, a key over the policy and a legacy key, every token a secret
// to search for; sets ANYSCALE_CLI_TOKEN to the owner's token and
// ANYSCALE_HOST to the fake; writes ada's token to the default credentials
// file (open to others) and carol's to a workspace's injected environment.
func newWorld(t *testing.T) *world {
	w := &world{t: t, r: newRecorder(t), home: hermetic(t), ctx: context.Background()}
	w.r.checkFacts = true
	w.srv = anyscaletest.Start(t)
	r := w.r
	w.owner = w.srv.Owner()
	r.secret("the seeded owner's token", w.owner.Token)
	for _, u := range []struct {
		dst   *anyscaletest.User
		email string
	}{
		{&w.ada, "ada@example.com"}, {&w.carol, "carol@example.com"}, {&w.dave, "dave@example.com"},
		{&w.erin, "erin@example.com"}, {&w.frank, "frank@example.com"}, {&w.gina, "gina@example.com"},
	} {
		*u.dst = w.srv.AddUser(u.email, anyscaletest.Collaborator)
		r.secret(u.email+"'s seeded token", u.dst.Token)
	}
	w.bot = w.srv.AddServiceAccount("seeded-bot")
	r.secret("the seeded service account's token", w.bot.Token)
	_, long := w.srv.AddKey(w.ada, "over-the-policy", 90*24*time.Hour)
	r.secret("ada's 90-day key", long)
	w.legacyID = w.srv.AddLegacyKey(w.ada, "legacy")

	t.Setenv(auth.EnvToken, w.owner.Token)
	t.Setenv(auth.EnvHost, w.srv.URL)

	// The default credentials file holds ada's token, readable by others:
	// the chain warns.
	def, err := credentials.DefaultPath()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(def, w.home), "the credentials path is under the test's HOME")
	require.NoError(t, credentials.Save(def, credentials.Secret(w.ada.Token)))
	require.NoError(t, os.Chmod(def, 0o644))
	w.adaFile = def

	w.environ = filepath.Join(t.TempDir(), "environ")
	env := "ANYSCALE_EXPERIMENTAL_WORKSPACE_ID=expwrk_hygiene\x00" + auth.EnvToken + "=" + w.carol.Token + "\x00" +
		auth.EnvHost + "=" + w.srv.URL + "\x00"
	require.NoError(t, os.WriteFile(w.environ, []byte(env), 0o600))
	return w
}

// authAndCredentials drives the auth chain, every provider and the
// credentials file, with good tokens and malformed ones, and a token
// pasted into a base URL.
func (w *world) authAndCredentials() {
	r, ctx, t := w.r, w.ctx, w.t
	owner := w.owner.Token

	r.step("auth.DefaultChain: Token, Explain, Report.String, ResolveHost, Invalidate", func() {
		chain := auth.DefaultChain(auth.WithLogger(r.chainLog), auth.WithWorkspaceOptions(auth.WithEnvironPath(w.environ)))
		tok, err := chain.Token(ctx)
		if r.ok(err) {
			assert.Equal(t, owner, tok.Value.Reveal())
			r.value(tok)
			r.text("auth.Token.String", tok.String())
		}
		host, origin := auth.ResolveHost(tok)
		r.text("auth.ResolveHost", host+" "+origin)
		rep := chain.Explain(ctx)
		require.Len(t, rep.Entries, 3)
		assert.Equal(t, []auth.Status{auth.StatusUsed, auth.StatusShadowed, auth.StatusShadowed},
			[]auth.Status{rep.Entries[0].Status, rep.Entries[1].Status, rep.Entries[2].Status})
		assert.NotEmpty(t, rep.Entries[1].Warning, "the loose file is reported")
		r.value(rep)
		r.value(rep.Used())
		r.text("auth.Report.String", rep.String())
		r.value(chain)
		chain.Invalidate()
		r.value(chain)
	})
	r.step("auth.NewChain(File) over a file open to others: Token warns on the chain's logger", func() {
		chain := auth.NewChain(auth.File(auth.WithPath(w.adaFile))).WithLogger(r.chainLog)
		tok, err := chain.Token(ctx)
		if r.ok(err) {
			r.value(tok)
		}
		r.value(chain)
		r.text("auth.Report.String", chain.Explain(ctx).String())
	})
	r.step("auth.NewChain of every provider: Token and Explain", func() {
		chain := auth.NewChain(auth.Static(owner), auth.StaticSecret(credentials.Secret(w.dave.Token)), auth.Env(),
			auth.File(auth.WithPath(w.adaFile)), auth.Workspace(auth.WithEnvironPath(w.environ))).WithLogger(r.chainLog)
		tok, err := chain.Token(ctx)
		if r.ok(err) {
			r.value(tok)
		}
		rep := chain.Explain(ctx)
		assert.Len(t, rep.Entries, 5)
		r.value(rep)
		r.text("auth.Report.String", rep.String())
		r.value(chain)
	})
	r.step("auth providers, one by one: Token and the provider printed", func() {
		for _, p := range []auth.Provider{
			auth.Env(), auth.File(auth.WithPath(w.adaFile)), auth.Workspace(auth.WithEnvironPath(w.environ)),
			auth.Static(owner), auth.StaticSecret(credentials.Secret(owner)),
		} {
			tok, err := p.Token(ctx)
			if r.ok(err) {
				r.value(tok)
			}
			r.value(p)
		}
	})
	r.step("auth.Workspace from the process environment", func() {
		t.Setenv(workspaceMarkers[0], "expwrk_hygiene")
		t.Setenv(auth.EnvToken, w.carol.Token)
		tok, err := auth.Workspace(auth.WithEnvironPath(filepath.Join(w.home, "missing"))).Token(ctx)
		if r.ok(err) {
			r.value(tok)
		}
		t.Setenv(workspaceMarkers[0], "")
		t.Setenv(auth.EnvToken, owner)
	})

	// A token that is malformed (a pasted newline, a "Bearer " prefix, a
	// stray character) is refused without being echoed, wherever it
	// comes from.
	bad := map[string]string{
		"a trailing newline": owner + "\n", "a trailing space and word": owner + " x", "a Bearer prefix": "Bearer " + owner,
		"a tab inside": owner[:20] + "\t" + owner[20:], "a zero-width space": owner + "\u200b", "a NUL": owner + "\x00",
	}
	// A token far longer than any the API issues is not malformed, but is
	// over the credentials file's bound: whatever refuses it must not
	// echo it.
	long := owner + strings.Repeat("0123456789", 2000)
	r.step("credentials.ValidateToken of malformed tokens", func() {
		for _, v := range bad {
			r.fails(credentials.ValidateToken(v), credentials.ErrInvalidToken)
		}
	})
	r.step("a token far too long: ValidateToken, Save, Load, Static, a client", func() {
		r.fails(credentials.ValidateToken(long), credentials.ErrInvalidToken)
		p := filepath.Join(t.TempDir(), "long.json")
		r.fails(credentials.Save(p, credentials.Secret(long)), credentials.ErrInvalidToken)
		// A file that holds it anyway, written by something else.
		require.NoError(t, os.WriteFile(p, []byte(`{"cli_token":"`+long+`"}`), 0o600))
		_, err := credentials.Load(p) // Load does not check the token's form
		r.err(err)
		_, err = auth.File(auth.WithPath(p)).Token(ctx)
		r.fails(err, credentials.ErrInvalidToken)
		_, err = auth.Static(long).Token(ctx)
		r.err(err)
		c, err := client.New(w.opts(client.WithBaseURL(w.srv.URL), client.WithToken(long))...)
		if err != nil {
			r.err(err)
		} else {
			_, err = c.WhoAmI(ctx)
			r.fails(err, client.ErrInvalid)
		}
	})
	r.step("auth.Env with a malformed ANYSCALE_CLI_TOKEN: Token, DefaultChain's Token and Explain", func() {
		for _, v := range bad {
			if strings.Contains(v, "\x00") {
				continue // no environment holds a NUL
			}
			t.Setenv(auth.EnvToken, v)
			_, err := auth.Env().Token(ctx)
			r.fails(err, nil)
			chain := auth.DefaultChain(auth.WithLogger(r.chainLog), auth.WithWorkspaceOptions(auth.WithEnvironPath(w.environ)))
			_, err = chain.Token(ctx)
			r.fails(err, nil)
			rep := chain.Explain(ctx)
			r.value(rep)
			r.text("auth.Report.String", rep.String())
			c, err := client.New(w.opts(client.WithBaseURL(w.srv.URL))...)
			require.NoError(t, err)
			_, err = c.WhoAmI(ctx)
			r.fails(err, nil)
		}
		t.Setenv(auth.EnvToken, owner)
	})
	r.step("auth.Static, StaticSecret and client.WithToken with malformed tokens", func() {
		for _, v := range bad {
			_, err := auth.Static(v).Token(ctx)
			r.fails(err, nil)
			_, err = auth.StaticSecret(credentials.Secret(v)).Token(ctx)
			r.fails(err, nil)
			_, err = client.New(client.WithToken(v))
			r.fails(err, nil)
			c, err := client.New(w.opts(client.WithBaseURL(w.srv.URL),
				client.WithProvider(auth.ProviderFunc(func(context.Context) (auth.Token, error) {
					return auth.Token{Value: credentials.Secret(v), Source: "custom", Origin: "a custom provider"}, nil
				})))...)
			require.NoError(t, err)
			_, err = c.WhoAmI(ctx)
			r.fails(err, client.ErrInvalid)
		}
	})
	r.step("auth.Workspace with a malformed injected token", func() {
		unsetenv(t, auth.EnvToken)
		defer t.Setenv(auth.EnvToken, owner)
		p := filepath.Join(t.TempDir(), "environ")
		require.NoError(t, os.WriteFile(p, []byte("ANYSCALE_SESSION_ID=ses_1\x00"+auth.EnvToken+"="+owner+" x\x00"), 0o600))
		_, err := auth.Workspace(auth.WithEnvironPath(p)).Token(ctx)
		r.fails(err, nil)
		rep := auth.NewChain(auth.Workspace(auth.WithEnvironPath(p))).Explain(ctx)
		r.value(rep)
		r.text("auth.Report.String", rep.String())
	})
	r.step("auth.File and credentials.Load over corrupt files holding the token", func() {
		dir := t.TempDir()
		for i, content := range []string{
			owner, owner + "\n", `{"cli_token": "` + owner, `{"cli_token": "` + owner + ` x"}`, `{"cli_token": ["` + owner + `"]}`,
			`{"cli_token": 7, "note": "` + owner + `"}`, `{"cli_token": "` + owner + `",}`, `["` + owner + `"]`,
			`{"cli_token": "\u0000` + owner + `"}`, `{"cli_token": "` + escapeEach(owner, `\u%04x`) + `\n"}`,
		} {
			p := filepath.Join(dir, "c"+string(rune('a'+i))+".json")
			require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
			f, err := credentials.Load(p)
			if err != nil {
				r.err(err)
			} else {
				r.value(f)
			}
			_, err = auth.File(auth.WithPath(p)).Token(ctx)
			r.fails(err, nil)
			chain := auth.NewChain(auth.File(auth.WithPath(p))).WithLogger(r.chainLog)
			_, err = chain.Token(ctx)
			r.fails(err, nil)
			rep := chain.Explain(ctx)
			r.value(rep)
			r.text("auth.Report.String", rep.String())
		}
	})
	r.step("auth.File with WithStrictPermissions over a file open to others", func() {
		_, err := auth.File(auth.WithPath(w.adaFile), auth.WithStrictPermissions()).Token(ctx)
		var insecure *credentials.InsecurePermissionsError
		assert.ErrorAs(t, err, &insecure)
		r.fails(err, nil)
		r.fails(credentials.CheckPermissions(w.adaFile), nil)
	})
	r.step("auth chains that find nothing: *auth.ChainError", func() {
		unsetenv(t, auth.EnvToken)
		for _, chain := range []*auth.Chain{
			auth.NewChain(),
			auth.NewChain(auth.Env(), auth.File(auth.WithPath(filepath.Join(w.home, "none.json"))),
				auth.Workspace(auth.WithEnvironPath(filepath.Join(w.home, "none")))),
		} {
			_, err := chain.Token(ctx)
			var ce *auth.ChainError
			assert.ErrorAs(t, err, &ce)
			r.fails(err, auth.ErrUnavailable)
			r.value(chain.Explain(ctx))
		}
		t.Setenv(auth.EnvToken, owner)
	})

	r.step("credentials.Secret printed every way", func() {
		s := credentials.Secret(owner)
		r.value(s)
		r.value(&s)
		r.value(credentials.File{CLIToken: s})
		r.value(&credentials.File{CLIToken: s})
		r.value(map[string]credentials.Secret{"token": s})
		r.value([]credentials.Secret{s})
		r.value(struct{ Token credentials.Secret }{s})
		for _, verb := range []string{"%x", "%X", "%q", "%d", "%10.3s", "%-60v", "%T", "%U", "%c", "%t", "%e"} {
			r.add(kindValue, verb+" of credentials.Secret", fmt.Sprintf(verb, s))
		}
		// fmt prints a value given to %p without calling its methods (and
		// vet reports the call); credentials.Secret documents it.
		r.add(kindDocumented, "%p of credentials.Secret", fmt.Sprintf("%p", any(s)))
		text, err := s.MarshalText()
		r.ok(err)
		var f credentials.File
		r.ok(json.Unmarshal([]byte(`{"cli_token":`+jsonString(owner)+`}`), &f))
		assert.Equal(t, owner, f.CLIToken.Reveal())
		r.value(f)
		r.value(w.owner)
		r.value(&w.ada)
		r.text("credentials.Secret.MarshalText", string(text))
		r.text("credentials.Secret.Fingerprint", s.Fingerprint())
		r.text("credentials.Secret.String", s.String())
		r.text("credentials.Secret.GoString", s.GoString())
	})
	r.step("credentials.Save, Load, CheckPermissions, Remove", func() {
		p := filepath.Join(t.TempDir(), "cfg", credentials.FileName)
		r.ok(credentials.Save(p, credentials.Secret(w.ada.Token)))
		f, err := credentials.Load(p)
		if r.ok(err) {
			assert.Equal(t, w.ada.Token, f.CLIToken.Reveal())
			r.value(f)
		}
		r.ok(credentials.CheckPermissions(p))
		r.ok(credentials.Remove(p))
		r.ok(credentials.Remove(p))
		_, err = credentials.Load(p)
		r.fails(err, fs.ErrNotExist)
	})
	r.step("credentials.Save refusals: a malformed token, an open directory, a symbolic link", func() {
		dir := t.TempDir()
		for _, v := range bad {
			r.fails(credentials.Save(filepath.Join(dir, "c.json"), credentials.Secret(v)), nil)
		}
		open := filepath.Join(dir, "open")
		require.NoError(t, os.Mkdir(open, 0o700))
		require.NoError(t, os.Chmod(open, 0o777))
		r.fails(credentials.Save(filepath.Join(open, "c.json"), credentials.Secret(owner)), nil)
		link := filepath.Join(dir, "link.json")
		require.NoError(t, os.Symlink(filepath.Join(dir, "target.json"), link))
		r.fails(credentials.Save(link, credentials.Secret(owner)), nil)
	})
	// A token pasted into a base URL (as its user name, its password, a
	// query or a fragment) is refused without being echoed, whether the
	// URL comes from WithBaseURL, ANYSCALE_HOST or a workspace.
	urls := []struct{ where, url string }{
		{"the user name", "https://" + owner + "@console.anyscale.com"},
		{"the password", "https://user:" + owner + "@console.anyscale.com"},
		{"the password, no user name", "https://:" + owner + "@console.anyscale.com"},
		{"the password of a plain-http URL", "http://user:" + owner + "@example.com"},
		{"the password of an ftp URL", "ftp://user:" + owner + "@example.com"},
		{"the query", "https://console.anyscale.com/?token=" + owner},
		{"the fragment", "https://console.anyscale.com/#" + owner},
		{"the port", "https://console.anyscale.com:" + owner},
		{"the password of a URL that does not parse (a space)", "https://user:" + owner + "@exa mple.com"},
		{"the password of a URL that does not parse (a bad escape)", "https://user:" + owner + "@console.anyscale.com/%zz"},
	}
	for _, u := range urls {
		r.step("client.New(WithBaseURL) with a token in "+u.where, func() {
			_, err := client.New(client.WithBaseURL(u.url))
			r.fails(err, client.ErrInvalid)
		})
		r.step("client.New() with a token in "+u.where+" of ANYSCALE_HOST, and Explain", func() {
			t.Setenv(auth.EnvHost, u.url)
			_, err := client.New()
			r.fails(err, client.ErrInvalid)
			rep := auth.DefaultChain(auth.WithWorkspaceOptions(auth.WithEnvironPath(w.environ))).Explain(ctx)
			r.value(rep)
			r.text("auth.Report.String", rep.String())
			t.Setenv(auth.EnvHost, w.srv.URL)
		})
		r.step("a workspace's injected ANYSCALE_HOST with a token in "+u.where+": WhoAmI and Explain", func() {
			unsetenv(t, auth.EnvHost)
			unsetenv(t, auth.EnvToken)
			p := filepath.Join(t.TempDir(), "environ")
			require.NoError(t, os.WriteFile(p, []byte("ANYSCALE_SESSION_ID=ses_1\x00"+auth.EnvToken+"="+w.carol.Token+
				"\x00"+auth.EnvHost+"="+u.url+"\x00"), 0o600))
			// The workspace provider refuses a host it could not use.
			_, err := auth.Workspace(auth.WithEnvironPath(p)).Token(ctx)
			r.err(err)
			require.Error(t, err)
			c, err := client.New(client.WithLogger(r.clientLog), client.WithRetryPolicy(fast),
				client.WithProvider(auth.Workspace(auth.WithEnvironPath(p))))
			require.NoError(t, err)
			_, err = c.WhoAmI(ctx)
			r.err(err)
			require.Error(t, err)
			assert.False(t, client.MayHaveActed(err), "nothing was sent")
			r.value(c)
			rep := auth.NewChain(auth.Workspace(auth.WithEnvironPath(p))).Explain(ctx)
			r.value(rep)
			r.text("auth.Report.String", rep.String())
			t.Setenv(auth.EnvToken, owner)
			t.Setenv(auth.EnvHost, w.srv.URL)
		})
	}
}

// clientOperations drives the client's own operations.
func (w *world) clientOperations() {
	r, ctx, t := w.r, w.ctx, w.t
	var oc *client.Client
	r.step("client.New with the default chain (ANYSCALE_CLI_TOKEN, ANYSCALE_HOST): WhoAmI", func() {
		var err error
		oc, err = client.New(w.opts(client.WithProvider(auth.DefaultChain(auth.WithLogger(r.chainLog),
			auth.WithWorkspaceOptions(auth.WithEnvironPath(w.environ)))))...)
		require.NoError(t, err)
		me, err := oc.WhoAmI(ctx)
		if r.ok(err) {
			assert.Equal(t, w.owner.Email, me.Email)
			r.value(me)
		}
		r.value(oc)
		r.value(oc.Provider())
		r.text("client.Client.BaseURL", oc.BaseURL())
	})
	r.step("client.New with every default: WhoAmI", func() {
		c, err := client.New(client.WithLogger(r.clientLog))
		require.NoError(t, err)
		me, err := c.WhoAmI(ctx)
		if r.ok(err) {
			r.value(me)
		}
		r.value(c)
	})
	r.step("client.Client.Do: an object and a list", func() {
		var me client.UserInfo
		resp, err := oc.Do(ctx, http.MethodGet, "/api/v2/userinfo/", nil, nil, &me)
		if r.ok(err) {
			r.value(resp)
			r.value(resp.TraceID)
			r.value(me)
		}
		var env client.ListEnvelope[json.RawMessage]
		resp, err = oc.Do(ctx, http.MethodGet, "/api/v2/organization_collaborators/", url.Values{"count": {"2"}}, nil, &env)
		if r.ok(err) {
			r.value(resp)
			r.value(env)
			r.value(env.Page())
		}
		_, err = oc.Do(ctx, http.MethodGet, "/api/v2/no-such-endpoint", nil, nil, nil)
		r.fails(err, client.ErrNotFound)
		_, err = oc.Do(ctx, http.MethodPost, "/api/v2/users/create_api_key", nil, map[string]any{"duration": "x"}, &struct{}{})
		r.fails(err, client.ErrInvalid)
	})
	r.step("client.Client.Do with WithPathLabel, WithoutAuth and WithIdempotency", func() {
		code := "hygienecodeqx7lm2pz9rk4wt8v"
		r.code("a secret in a path, hidden by WithPathLabel", code)
		_, err := oc.Do(callopt.WithPathLabel(ctx, "/api/v2/users/request_otp_token/{otp}"), http.MethodGet,
			"/api/v2/users/request_otp_token/"+code, nil, nil, &struct{}{})
		r.fails(err, client.ErrNotFound)
		_, err = oc.Do(callopt.WithoutAuth(ctx), http.MethodGet, "/api/v2/userinfo/", nil, nil, &struct{}{})
		r.fails(err, client.ErrUnauthorized)
		_, err = oc.Do(client.WithIdempotency(ctx, false), http.MethodGet, "/api/v2/no-such-endpoint", nil, nil, nil)
		r.fails(err, client.ErrNotFound)
	})
	r.step("client.ListPage and client.All", func() {
		page, err := client.ListPage[json.RawMessage](ctx, oc, "/api/v2/users/api_keys", client.PageQuery{Count: 1})
		if r.ok(err) {
			r.value(page)
		}
		drain(r, client.All(ctx, "", func(ctx context.Context, tok string) (*client.Page[json.RawMessage], error) {
			return client.ListPage[json.RawMessage](ctx, oc, "/api/v2/organization_collaborators/", client.PageQuery{PagingToken: tok, Count: 2})
		}))
	})
	r.step("client.Client.WithAuth: WhoAmI as another user", func() {
		c := oc.WithAuth(auth.StaticSecret(credentials.Secret(w.ada.Token)))
		me, err := c.WhoAmI(ctx)
		if r.ok(err) {
			assert.Equal(t, w.ada.Email, me.Email)
			r.value(me)
		}
		r.value(c)
		_, err = oc.WithAuth(nil).WhoAmI(ctx)
		r.fails(err, client.ErrInvalid)
	})
}

// adaClient reads ada's token from her credentials file, open to others,
// through a chain that warns on the chain logger.
func (w *world) adaClient() *client.Client {
	w.t.Helper()
	c, err := client.New(w.opts(client.WithBaseURL(w.srv.URL),
		client.WithProvider(auth.NewChain(auth.File(auth.WithPath(w.adaFile))).WithLogger(w.r.chainLog)))...)
	require.NoError(w.t, err)
	return c
}

// ownerClient takes the owner's token from ANYSCALE_CLI_TOKEN through the
// default chain, and the fake's URL from ANYSCALE_HOST.
func (w *world) ownerClient() *client.Client {
	w.t.Helper()
	c, err := client.New(w.opts(client.WithProvider(auth.DefaultChain(auth.WithLogger(w.r.chainLog),
		auth.WithWorkspaceOptions(auth.WithEnvironPath(w.environ)))))...)
	require.NoError(w.t, err)
	return c
}

// ownKeys drives keys.Service as a collaborator whose token comes from a
// credentials file.
func (w *world) ownKeys() {
	r, ctx, t := w.r, w.ctx, w.t
	ac := w.adaClient()
	ks := keys.New(ac)
	var made []*keys.CreatedKey
	r.step("keys.Service.Create", func() {
		for _, req := range []keys.CreateRequest{
			{Name: "hygiene-one", ExpiresIn: 24 * time.Hour}, {Name: "hygiene-two", ExpiresIn: time.Hour},
			{Name: "hygiene-three", ExpiresIn: keys.MaxLifetime}, {ExpiresIn: time.Hour},
		} {
			k, err := ks.Create(ctx, req)
			if !r.ok(err) {
				continue
			}
			r.secret("a key made by keys.Service.Create", k.Secret.Reveal())
			r.value(k)
			r.value(*k)
			r.value(k.Key)
			made = append(made, k)
		}
		require.Len(t, made, 4)
	})
	r.step("keys.Service.Create refusals: a taken name, bad lifetimes, a bad name", func() {
		_, err := ks.Create(ctx, keys.CreateRequest{Name: "hygiene-one", ExpiresIn: time.Hour})
		r.fails(err, client.ErrConflict)
		for _, req := range []keys.CreateRequest{{Name: "x"}, {Name: "x", ExpiresIn: keys.MaxLifetime + time.Hour},
			{Name: "bad\x00name", ExpiresIn: time.Hour}, {Name: " x", ExpiresIn: time.Hour}} {
			_, err := ks.Create(ctx, req)
			r.fails(err, client.ErrInvalid)
		}
	})
	r.step("a key made by Create, used: WhoAmI and List with it", func() {
		c := ac.WithAuth(auth.StaticSecret(made[0].Secret))
		me, err := c.WhoAmI(ctx)
		if r.ok(err) {
			r.value(me)
		}
		page, err := keys.New(c).List(ctx, keys.ListOptions{Name: "hygiene"})
		if r.ok(err) {
			r.value(page)
		}
	})
	r.step("keys.Service.List and All", func() {
		page, err := ks.List(ctx, keys.ListOptions{PageSize: 2})
		if r.ok(err) {
			r.value(page)
			for _, k := range page.Items {
				r.value(k)
				r.text("keys.Key.Status, Legacy, Lifetime", fmt.Sprint(k.Status(time.Now()), k.Legacy(), k.Lifetime()))
			}
		}
		drain(r, ks.All(ctx, keys.ListOptions{PageSize: 1}))
		_, err = ks.List(ctx, keys.ListOptions{Owner: organization.ByEmail(w.ada.Email)})
		r.fails(err, client.ErrInvalid)
		_, err = ks.List(ctx, keys.ListOptions{PageSize: 51})
		r.fails(err, client.ErrInvalid)
	})
	r.step("keys.Service.Revoke", func() {
		r.ok(ks.Revoke(ctx, made[0].Key.ID))
		r.fails(ks.Revoke(ctx, made[0].Key.ID), client.ErrNotFound)
		r.fails(ks.Revoke(ctx, "0123456789abcdef"), client.ErrNotFound)
		r.fails(ks.Revoke(ctx, ".."), client.ErrInvalid)
		r.fails(ks.Revoke(ctx, ""), client.ErrInvalid)
	})
	r.step("a key revoked by Revoke, used: 401", func() {
		_, err := ac.WithAuth(auth.StaticSecret(made[0].Secret)).WhoAmI(ctx)
		r.fails(err, client.ErrUnauthorized)
	})
	r.step("keys.Service.RevokeMany", func() {
		res, err := ks.RevokeMany(ctx, []string{made[1].Key.ID, made[2].Key.ID, "0123456789abcdef", made[1].Key.ID}, keys.RevokeOptions{Concurrency: 2})
		if r.ok(err) {
			assert.Len(t, res.Revoked, 2)
			r.value(res)
		}
		res, err = ks.RevokeMany(ctx, []string{"..", made[3].Key.ID})
		r.fails(err, client.ErrInvalid)
		r.value(res)
	})
	r.step("keys.Service.Audit", func() {
		rep, err := ks.Audit(ctx, keys.AuditOptions{})
		if r.ok(err) {
			assert.NotEmpty(t, rep.Findings)
			r.value(rep)
			r.text("keys.AuditReport.String", rep.String())
		}
	})
}

// orgKeys drives keys.OrgService as the owner, and as a collaborator.
func (w *world) orgKeys() {
	r, ctx, t := w.r, w.ctx, w.t
	oks := keys.New(w.ownerClient()).Org()
	r.step("keys.OrgService.List and All", func() {
		for _, o := range []keys.ListOptions{{Owner: organization.ByEmail(w.ada.Email)}, {Owner: organization.ByUserID(w.bot.ID)},
			{Owner: organization.ByName(w.bot.Name)}, {Owner: organization.ByIdentityID(w.bot.IdentityID)}, {CreatedBy: w.ada.ID}, {PageSize: 3}} {
			page, err := oks.List(ctx, o)
			if r.ok(err) {
				r.value(page)
			}
		}
		drain(r, oks.All(ctx, keys.ListOptions{PageSize: 2}))
		drain(r, oks.All(ctx, keys.ListOptions{Owner: organization.ByEmail(w.ada.Email)}))
		_, err := oks.List(ctx, keys.ListOptions{Owner: organization.ByEmail("nobody@example.com")})
		r.fails(err, client.ErrNotFound)
		_, err = oks.List(ctx, keys.ListOptions{Owner: organization.ByUserID(w.ada.IdentityID)})
		r.fails(err, client.ErrInvalid)
	})
	r.step("keys.OrgService.CreateFor", func() {
		for i, owner := range []organization.Ref{organization.ByUserID(w.bot.ID), organization.ByEmail(w.bot.Email)} {
			made, err := oks.CreateFor(ctx, owner, keys.CreateRequest{Name: fmt.Sprint("hygiene-for-", i), ExpiresIn: time.Hour})
			if r.ok(err) {
				r.secret("a key made by keys.OrgService.CreateFor", made.Secret.Reveal())
				r.value(made)
				r.value(made.Secret)
			}
		}
		_, err := oks.CreateFor(ctx, organization.ByUserID(w.ada.ID), keys.CreateRequest{ExpiresIn: time.Hour})
		r.fails(err, nil)
		_, err = oks.CreateFor(ctx, organization.ByUserID("usr_00000000000000000000000000"), keys.CreateRequest{ExpiresIn: time.Hour})
		r.fails(err, client.ErrNotFound)
		_, err = oks.CreateFor(ctx, organization.ByUserID(""), keys.CreateRequest{ExpiresIn: time.Hour})
		r.fails(err, client.ErrInvalid)
	})
	r.step("keys.OrgService.Audit", func() {
		for _, o := range []keys.AuditOptions{{}, {List: keys.ListOptions{Owner: organization.ByEmail(w.ada.Email)}}} {
			rep, err := oks.Audit(ctx, o)
			if r.ok(err) {
				assert.NotEmpty(t, rep.Findings)
				r.value(rep)
				r.text("keys.AuditReport.String", rep.String())
			}
		}
	})
	r.step("keys.OrgService.Revoke and RevokeMany", func() {
		r.ok(oks.Revoke(ctx, w.legacyID))
		r.fails(oks.Revoke(ctx, w.legacyID), client.ErrNotFound)
		var ids []string
		for _, k := range w.srv.Keys(w.ada) {
			ids = append(ids, k.ID)
		}
		require.NotEmpty(t, ids)
		res, err := oks.RevokeMany(ctx, append(ids, "0123456789abcdef"))
		if r.ok(err) {
			r.value(res)
		}
	})
	r.step("keys.OrgService.RevokeAll", func() {
		r.ok(oks.RevokeAll(ctx, organization.ByUserID(w.gina.ID)))
		r.fails(oks.RevokeAll(ctx, organization.ByUserID("usr_00000000000000000000000000")), client.ErrNotFound)
		r.fails(oks.RevokeAll(ctx, organization.ByEmail("nobody@example.com")), client.ErrNotFound)
		r.fails(oks.RevokeAll(ctx, organization.ByUserID("..")), client.ErrInvalid)
	})
	r.step("keys.OrgService as a collaborator: 403", func() {
		coks := keys.New(w.clientFor(w.carol)).Org()
		_, err := coks.List(ctx, keys.ListOptions{})
		r.fails(err, client.ErrForbidden)
		r.fails(coks.RevokeAll(ctx, organization.ByUserID(w.ada.ID)), client.ErrForbidden)
		_, err = coks.CreateFor(ctx, organization.ByUserID(w.bot.ID), keys.CreateRequest{ExpiresIn: time.Hour})
		r.fails(err, client.ErrForbidden)
		_, err = coks.Audit(ctx, keys.AuditOptions{})
		r.fails(err, client.ErrForbidden)
		res, err := coks.RevokeMany(ctx, []string{"0123456789abcdef"})
		r.fails(err, client.ErrForbidden)
		r.value(res)
	})
	r.step("a token revoked by RevokeAll, used: 401", func() {
		_, err := w.clientFor(w.gina).WhoAmI(ctx)
		r.fails(err, client.ErrUnauthorized)
	})
}

// members drives organization.Service.
func (w *world) members() {
	r, ctx, t := w.r, w.ctx, w.t
	org := organization.New(w.ownerClient())
	r.step("organization.Service.List, All and Get", func() {
		for _, o := range []organization.ListOptions{{PageSize: 2}, {Kind: organization.ServiceAccounts}, {Email: "ada"}} {
			page, err := org.List(ctx, o)
			if r.ok(err) {
				r.value(page)
			}
		}
		drain(r, org.All(ctx, organization.ListOptions{PageSize: 3}))
		for _, ref := range []organization.Ref{organization.ByEmail(w.ada.Email), organization.ByName(w.ada.Name),
			organization.ByUserID(w.ada.ID), organization.ByIdentityID(w.ada.IdentityID)} {
			r.value(ref)
			m, err := org.Get(ctx, ref)
			if r.ok(err) {
				r.value(m)
			}
		}
		_, err := org.Get(ctx, organization.ByEmail("nobody@example.com"))
		r.fails(err, client.ErrNotFound)
		_, err = org.List(ctx, organization.ListOptions{PageSize: 99})
		r.fails(err, client.ErrInvalid)
	})
	r.step("organization.Service.Remove and RemoveMember", func() {
		r.ok(org.Remove(ctx, w.erin.Email))
		m, err := org.Get(ctx, organization.ByEmail(w.frank.Email))
		require.NoError(t, err)
		r.ok(org.RemoveMember(ctx, organization.ByIdentityID(m.IdentityID)))
		r.fails(org.Remove(ctx, w.owner.Email), client.ErrForbidden)
		r.fails(org.RemoveMember(ctx, organization.ByUserID(w.owner.ID)), client.ErrForbidden)
		r.fails(org.Remove(ctx, w.erin.Email), client.ErrNotFound)
		r.fails(org.RemoveMember(ctx, organization.ByIdentityID(m.IdentityID)), client.ErrNotFound)
		r.fails(org.RemoveMember(ctx, organization.ByIdentityID(".")), client.ErrInvalid)
	})
	r.step("organization.Service as a collaborator: 403", func() {
		r.fails(organization.New(w.clientFor(w.carol)).Remove(ctx, w.dave.Email), client.ErrForbidden)
	})
	r.step("a removed member's token, used: 401", func() {
		_, err := w.clientFor(w.erin).WhoAmI(ctx)
		r.fails(err, client.ErrUnauthorized)
	})
}

// serviceAccounts drives serviceaccounts.Service.
func (w *world) serviceAccounts() {
	r, ctx, t := w.r, w.ctx, w.t
	oc := w.ownerClient()
	sas := serviceaccounts.New(oc)
	var created *serviceaccounts.Created
	r.step("serviceaccounts.Service.Create", func() {
		var err error
		created, err = sas.Create(ctx, "hygiene-bot")
		require.NoError(t, err)
		r.secret("a service account key made by serviceaccounts.Service.Create", created.Secret.Reveal())
		r.value(created)
		r.value(created.Account)
		c2, err := sas.Create(ctx, "hygiene-bot-2", serviceaccounts.KeyOptions{ExpiresIn: time.Hour})
		if r.ok(err) {
			r.secret("a service account key made by serviceaccounts.Service.Create", c2.Secret.Reveal())
			r.value(c2)
		}
	})
	r.step("serviceaccounts.Service.Create refusals", func() {
		_, err := sas.Create(ctx, "hygiene-bot")
		r.fails(err, client.ErrConflict)
		_, err = sas.Create(ctx, "bad name!")
		r.fails(err, client.ErrInvalid)
		_, err = sas.Create(ctx, "too-long-a-life", serviceaccounts.KeyOptions{ExpiresIn: 200 * 365 * 24 * time.Hour})
		r.fails(err, client.ErrInvalid)
		_, err = serviceaccounts.New(w.clientFor(w.carol)).Create(ctx, "not-allowed")
		r.fails(err, client.ErrForbidden)
	})
	r.step("a service account key, used: WhoAmI and keys.Service.List", func() {
		c := oc.WithAuth(auth.StaticSecret(created.Secret))
		me, err := c.WhoAmI(ctx)
		if r.ok(err) {
			r.value(me)
		}
		page, err := keys.New(c).List(ctx, keys.ListOptions{})
		if r.ok(err) {
			r.value(page)
		}
		_, err = serviceaccounts.New(c).RotateKeys(ctx, serviceaccounts.ByName("hygiene-bot"))
		r.fails(err, client.ErrForbidden)
	})
	r.step("serviceaccounts.Service.List, All and Get", func() {
		page, err := sas.List(ctx, serviceaccounts.ListOptions{PageSize: 1})
		if r.ok(err) {
			r.value(page)
		}
		drain(r, sas.All(ctx, serviceaccounts.ListOptions{}))
		for _, ref := range []serviceaccounts.Ref{serviceaccounts.ByName("hygiene-bot"), serviceaccounts.ByEmail(created.Account.Email)} {
			r.value(ref)
			sa, err := sas.Get(ctx, ref)
			if r.ok(err) {
				r.value(sa)
			}
		}
		_, err = sas.Get(ctx, serviceaccounts.ByName("no-such-bot"))
		r.fails(err, client.ErrNotFound)
	})
	var first string
	r.step("serviceaccounts.Service.CreateKey, RotateKeys and Keys", func() {
		sec, err := sas.CreateKey(ctx, serviceaccounts.ByName("hygiene-bot"), serviceaccounts.KeyOptions{ExpiresIn: time.Hour})
		if r.ok(err) {
			first = sec.Reveal()
			r.secret("a key made by serviceaccounts.Service.CreateKey", first)
			r.value(sec)
		}
		sec, err = sas.RotateKeys(ctx, serviceaccounts.ByName("hygiene-bot"))
		if r.ok(err) {
			r.secret("a key made by serviceaccounts.Service.RotateKeys", sec.Reveal())
			r.value(sec)
		}
		drain(r, sas.Keys(ctx, serviceaccounts.ByName("hygiene-bot")))
		drainFails(r, sas.Keys(ctx, serviceaccounts.ByName("no-such-bot")), client.ErrNotFound)
		_, err = sas.CreateKey(ctx, serviceaccounts.ByName("no-such-bot"))
		r.fails(err, client.ErrNotFound)
	})
	r.step("a service account key revoked by RotateKeys, used: 401", func() {
		require.NotEmpty(t, first)
		c, err := w.srv.ClientWithToken(first, w.opts()...)
		require.NoError(t, err)
		_, err = c.WhoAmI(ctx)
		r.fails(err, client.ErrUnauthorized)
	})
	r.step("serviceaccounts.Service.RevokeAllKeys and Delete", func() {
		r.ok(sas.RevokeAllKeys(ctx, serviceaccounts.ByName("hygiene-bot")))
		r.ok(sas.Delete(ctx, serviceaccounts.ByName("hygiene-bot-2")))
		r.fails(sas.Delete(ctx, serviceaccounts.ByName("hygiene-bot-2")), client.ErrNotFound)
		r.fails(sas.RevokeAllKeys(ctx, serviceaccounts.ByName("no-such-bot")), client.ErrNotFound)
	})
}

// loginClient has a chain that finds no token, as before a first login.
func (w *world) loginClient() *client.Client {
	w.t.Helper()
	c, err := client.New(w.opts(client.WithBaseURL(w.srv.URL), client.WithProvider(auth.NewChain()))...)
	require.NoError(w.t, err)
	return c
}

// approve approves a login through the fake as u, and remembers its code.
func (w *world) approve(u anyscaletest.User) func(context.Context, string) error {
	return func(_ context.Context, link string) error {
		code := link[strings.LastIndex(link, "/")+1:]
		w.r.code("a login code", code)
		w.srv.ApproveLogin(code, u)
		return nil
	}
}

// login drives login.Run, approved through the fake, and its
// failures.
func (w *world) login() {
	r, ctx, t := w.r, w.ctx, w.t
	lc := w.loginClient()
	r.step("login.Run approved through the fake", func() {
		p := filepath.Join(t.TempDir(), credentials.DirName, credentials.FileName)
		res, err := login.Run(ctx, lc, login.Options{OpenURL: w.approve(w.dave), PollInterval: time.Millisecond, CredentialsPath: p})
		require.NoError(t, err)
		r.secret("the key made by login.Run", res.Secret.Reveal())
		r.value(res)
		f, err := credentials.Load(p)
		if r.ok(err) {
			r.value(f)
		}
		c, err := client.New(w.opts(client.WithBaseURL(w.srv.URL), client.WithProvider(auth.NewChain(auth.File(auth.WithPath(p))).WithLogger(r.chainLog)))...)
		require.NoError(t, err)
		me, err := c.WhoAmI(ctx)
		if r.ok(err) {
			assert.Equal(t, w.dave.Email, me.Email)
		}
	})
	r.step("login.Run failures: its answer cut, never approved, OpenURL failing, an open directory", func() {
		w.srv.FailNext(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/request_otp_token/", CutBody: true})
		_, err := login.Run(ctx, lc, login.Options{OpenURL: w.approve(w.dave), PollInterval: time.Millisecond,
			CredentialsPath: filepath.Join(t.TempDir(), "c.json")})
		r.fails(err, nil)
		_, err = login.Run(ctx, lc, login.Options{PollInterval: time.Millisecond, MaxPolls: 2,
			CredentialsPath: filepath.Join(t.TempDir(), "c.json"),
			OpenURL: func(_ context.Context, link string) error {
				r.code("a login code", link[strings.LastIndex(link, "/")+1:])
				return nil
			}})
		r.fails(err, nil)
		_, err = login.Run(ctx, lc, login.Options{CredentialsPath: filepath.Join(t.TempDir(), "c.json"),
			OpenURL: func(_ context.Context, link string) error {
				r.code("a login code", link[strings.LastIndex(link, "/")+1:])
				return errors.New("no browser to open " + link)
			}})
		r.fails(err, nil)
		open := filepath.Join(t.TempDir(), "open")
		require.NoError(t, os.Mkdir(open, 0o700))
		require.NoError(t, os.Chmod(open, 0o777))
		_, err = login.Run(ctx, lc, login.Options{OpenURL: w.approve(w.dave), PollInterval: time.Millisecond,
			CredentialsPath: filepath.Join(open, "c.json")})
		r.fails(err, nil)
		_, err = login.Run(ctx, lc, login.Options{ExpiresIn: keys.MaxLifetime + time.Hour})
		r.fails(err, client.ErrInvalid)
	})
}

// rotationAndFaults drives Rotate and the 401s after it, then the fake's
// faults: a 401 once, malformed answers, cut answers, server errors,
// dropped connections, a long Retry-After and a deadline.
func (w *world) rotationAndFaults() {
	r, ctx, t := w.r, w.ctx, w.t
	dc := w.clientFor(w.dave)
	r.step("keys.Service.Rotate", func() {
		sec, err := keys.New(dc).Rotate(ctx)
		require.NoError(t, err)
		r.secret("the key made by keys.Service.Rotate", sec.Reveal())
		r.value(sec)
		me, err := dc.WithAuth(auth.StaticSecret(sec)).WhoAmI(ctx)
		if r.ok(err) {
			r.value(me)
		}
	})
	r.step("a token rotated away, used: 401, and Rotate again: 401", func() {
		_, err := dc.WhoAmI(ctx)
		r.fails(err, client.ErrUnauthorized)
		_, err = keys.New(dc).Rotate(ctx)
		r.fails(err, client.ErrUnauthorized)
	})
	r.step("a token rotated away, from ANYSCALE_CLI_TOKEN through the default chain: 401 after a refresh", func() {
		t.Setenv(auth.EnvToken, w.dave.Token)
		c := w.ownerClient()
		_, err := c.WhoAmI(ctx)
		r.fails(err, client.ErrUnauthorized)
		_, err = keys.New(c).List(ctx, keys.ListOptions{})
		r.fails(err, client.ErrUnauthorized)
		t.Setenv(auth.EnvToken, w.owner.Token)
	})

	oc := w.ownerClient()
	ks := keys.New(oc)
	fault := func(f anyscaletest.Fault) { w.srv.ClearFaults(); w.srv.FailNext(f) }
	r.step("faults: a 401 once, then the refreshed token", func() {
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/userinfo/", Status: http.StatusUnauthorized})
		me, err := oc.WhoAmI(ctx)
		if r.ok(err) {
			r.value(me)
		}
	})
	r.step("faults: malformed and wrong-shaped answers", func() {
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/userinfo/", Body: anyscaletest.MalformedJSON})
		_, err := oc.WhoAmI(ctx)
		r.fails(err, client.ErrMalformedResponse)
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/api_keys", Body: anyscaletest.WrongShape})
		_, err = ks.List(ctx, keys.ListOptions{})
		r.fails(err, client.ErrMalformedResponse)
		fault(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/create_api_key", Body: anyscaletest.WrongShape})
		_, err = ks.Create(ctx, keys.CreateRequest{Name: "hygiene-wrong-shape", ExpiresIn: time.Hour})
		r.fails(err, client.ErrMalformedResponse)
	})
	r.step("faults: answers cut mid-way", func() {
		fault(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/create_api_key", CutBody: true})
		_, err := ks.Create(ctx, keys.CreateRequest{Name: "hygiene-cut", ExpiresIn: time.Hour})
		r.fails(err, nil)
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/organization_collaborators/", CutBody: true, Times: 5})
		_, err = organization.New(oc).List(ctx, organization.ListOptions{})
		r.fails(err, nil)
		fault(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/create_api_key", CutBody: true, AfterHandler: true})
		_, err = serviceaccounts.New(oc).CreateKey(ctx, serviceaccounts.ByName("seeded-bot"))
		r.fails(err, nil)
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/rotate_api_key", CutBody: true})
		_, err = keys.New(w.clientFor(w.carol)).Rotate(ctx)
		r.fails(err, nil)
	})
	r.step("faults: server errors, a dropped connection, a lost answer, a long Retry-After", func() {
		fault(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/create_api_key", Status: http.StatusInternalServerError})
		_, err := ks.Create(ctx, keys.CreateRequest{Name: "hygiene-500", ExpiresIn: time.Hour})
		r.fails(err, client.ErrServer)
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/api_keys", Drop: true, Times: 5})
		_, err = ks.List(ctx, keys.ListOptions{})
		r.fails(err, nil)
		fault(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/create_api_key", Drop: true, AfterHandler: true})
		_, err = ks.Create(ctx, keys.CreateRequest{Name: "hygiene-lost", ExpiresIn: time.Hour})
		r.fails(err, nil)
		assert.True(t, client.MayHaveActed(err))
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/userinfo/", Status: http.StatusTooManyRequests, RetryAfter: "3600"})
		_, err = oc.WhoAmI(ctx)
		r.fails(err, client.ErrRateLimited)
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/rotate_api_key", Drop: true, AfterHandler: true})
		_, err = keys.New(w.clientFor(w.bot)).Rotate(ctx)
		r.fails(err, nil)
		fault(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/userinfo/", Delay: time.Minute})
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err = oc.WhoAmI(short)
		r.fails(err, context.DeadlineExceeded)
		w.srv.ClearFaults()
	})
}
