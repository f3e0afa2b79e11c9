package authcmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/credentials"
)

func TestLoginFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    LoginOptions
		code    int
		message string
	}{
		{args: nil, want: LoginOptions{}},
		{args: []string{"--expires", "30d"}, want: LoginOptions{ExpiresIn: 30 * 24 * time.Hour}},
		{args: []string{"--expires", "1d12h"}, want: LoginOptions{ExpiresIn: 36 * time.Hour}},
		{args: []string{"--no-expiry"}, want: LoginOptions{NoExpiry: true}},
		{args: []string{"--web"}, want: LoginOptions{Web: true}},
		{args: []string{"--approve-with-http", "--poll-interval", "5ms"}, want: LoginOptions{ApproveWithHTTP: true, PollInterval: 5 * time.Millisecond}},
		{args: []string{"--expires", "7d", "--no-expiry"}, code: cmdutil.ExitUsage, message: "--expires and --no-expiry conflict"},
		{args: []string{"--no-expiry", "--expires", "7d"}, code: cmdutil.ExitUsage, message: "--expires and --no-expiry conflict"},
		{args: []string{"--web", "--approve-with-http"}, code: cmdutil.ExitUsage, message: "--web and --approve-with-http conflict"},
		{args: []string{"--expires", "31d"}, code: cmdutil.ExitUsage, message: "--expires 31d is over 30d"},
		{args: []string{"--expires", "500ms"}, code: cmdutil.ExitUsage, message: "under a second"},
		{args: []string{"--expires", "0d"}, code: cmdutil.ExitUsage, message: "not positive"},
		{args: []string{"--expires", "soon"}, code: cmdutil.ExitUsage, message: `--expires: duration "soon"`},
		{args: []string{"--poll-interval", "-1s"}, code: cmdutil.ExitUsage, message: "--poll-interval"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			e := newTestEnv(t, false)
			var got *LoginOptions
			err := execute(newCmdLogin(e.f, func(_ context.Context, o *LoginOptions) error { got = o; return nil }), tt.args...)
			if tt.code != 0 {
				if c := exitCode(t, err); c != tt.code || !strings.Contains(err.Error(), tt.message) {
					t.Fatalf("got exit %d, %q; want %d, %q", c, err, tt.code, tt.message)
				}
				if got != nil {
					t.Fatal("ran despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ExpiresIn != tt.want.ExpiresIn || got.NoExpiry != tt.want.NoExpiry || got.Web != tt.want.Web ||
				got.ApproveWithHTTP != tt.want.ApproveWithHTTP || got.PollInterval != tt.want.PollInterval {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
			if got.OpenBrowser == nil || got.ApproveURL == nil || got.Now == nil || got.F != e.f {
				t.Error("dependencies not set")
			}
		})
	}
}

func TestLoginHiddenFlags(t *testing.T) {
	cmd := NewCmdLogin(newTestEnv(t, false).f)
	for _, name := range []string{"approve-with-http", "poll-interval"} {
		if fl := cmd.Flags().Lookup(name); fl == nil || !fl.Hidden {
			t.Errorf("--%s is not a hidden flag", name)
		}
	}
	if cmd.Long == "" || cmd.Example == "" || cmd.Short == "" {
		t.Error("help is missing a part")
	}
}

// login runs `login` against e's fake API, polling every millisecond.
func (e *testEnv) login(t *testing.T, configure func(*LoginOptions), args ...string) error {
	t.Helper()
	cmd := newCmdLogin(e.f, func(ctx context.Context, o *LoginOptions) error {
		o.Now = func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC) }
		o.OpenBrowser = func(context.Context, string) error { t.Error("a browser was opened"); return nil }
		if configure != nil {
			configure(o)
		}
		return loginRun(ctx, o)
	})
	return execute(cmd, append([]string{"--poll-interval", "1ms"}, args...)...)
}

// savedToken reads the token the login saved, checking the file's mode.
func (e *testEnv) savedToken(t *testing.T) credentials.Secret {
	t.Helper()
	info, err := os.Stat(e.path)
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m != 0o600 {
		t.Errorf("credentials file mode %o, want 600", m)
	}
	cf, err := credentials.Load(e.path)
	if err != nil {
		t.Fatal(err)
	}
	return cf.CLIToken
}

// noToken checks that tok shows in neither stream.
func (e *testEnv) noToken(t *testing.T, tok credentials.Secret) {
	t.Helper()
	if tok == "" {
		t.Fatal("no token to look for")
	}
	for name, s := range map[string]string{"stdout": e.out.String(), "stderr": e.err.String()} {
		if strings.Contains(s, tok.Reveal()) {
			t.Errorf("the token shows in %s", name)
		}
	}
}

func TestLoginSavesAndSaysWhere(t *testing.T) {
	e := newTestEnv(t, true)
	if err := e.login(t, nil, "--approve-with-http"); err != nil {
		t.Fatalf("%v\n%s", err, e.err)
	}
	if e.out.Len() != 0 {
		t.Errorf("stdout: %q, want nothing", e.out)
	}
	tok := e.savedToken(t)
	e.noToken(t, tok)
	stderr := e.err.String()
	for _, want := range []string{
		"Open this URL in a browser to approve the login:\n\n    " + e.srv.URL + "/otp/",
		"Waiting for the approval",
		"Logged in as owner@example.com. The new key expires about 2030-01-09 03:04 UTC; it was saved to " + e.path + ".",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if len(e.srv.PendingLogins()) != 0 {
		t.Error("a login is still pending")
	}
}

func TestLoginJSON(t *testing.T) {
	e := newTestEnv(t, true)
	e.f.Output = cmdutil.FormatJSON
	if err := e.login(t, nil, "--approve-with-http", "--expires", "12h"); err != nil {
		t.Fatalf("%v\n%s", err, e.err)
	}
	var got map[string]any
	if err := json.Unmarshal(e.out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, e.out)
	}
	want := map[string]any{"path": e.path, "expires_at": "2030-01-02T15:04:05Z", "email": "owner@example.com"}
	if len(got) != len(want) {
		t.Errorf("got fields %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	e.noToken(t, e.savedToken(t))
}

func TestLoginNoExpiryJSON(t *testing.T) {
	e := newTestEnv(t, true)
	e.f.Output = cmdutil.FormatJSON
	if err := e.login(t, nil, "--approve-with-http", "--no-expiry"); err != nil {
		t.Fatalf("%v\n%s", err, e.err)
	}
	if !strings.Contains(e.out.String(), `"expires_at": null`) || !strings.Contains(e.err.String(), "never expires") {
		t.Errorf("stdout %s\nstderr %s", e.out, e.err)
	}
	keys := e.srv.Keys(mustUser(t, e.srv, "owner@example.com"))
	var legacy int
	for _, k := range keys {
		if k.ExpiresAt == nil {
			legacy++
		}
	}
	if legacy == 0 {
		t.Error("no key without expiry was issued")
	}
}

func mustUser(t *testing.T, srv *anyscaletest.Server, email string) anyscaletest.User {
	t.Helper()
	u, ok := srv.LookupUser(email)
	if !ok {
		t.Fatalf("no member %s", email)
	}
	return u
}

// approveWhenPending approves the first login that appears, as the owner.
func approveWhenPending(t *testing.T, srv *anyscaletest.Server) {
	t.Helper()
	owner := mustUser(t, srv, "owner@example.com")
	go func() {
		for range 2000 {
			if p := srv.PendingLogins(); len(p) > 0 {
				srv.ApproveLogin(p[0], owner)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
}

func TestLoginWithoutWebOpensNothing(t *testing.T) {
	e := newTestEnv(t, true)
	approveWhenPending(t, e.srv)
	if err := e.login(t, nil, "--poll-interval", "5ms"); err != nil {
		t.Fatalf("%v\n%s", err, e.err)
	}
	if strings.Contains(e.err.String(), "browser.\n") {
		t.Errorf("stderr speaks of a browser:\n%s", e.err)
	}
	e.savedToken(t)
}

func TestLoginWebOpensTheBrowser(t *testing.T) {
	e := newTestEnv(t, true)
	var opened atomic.Value
	err := e.login(t, func(o *LoginOptions) {
		o.OpenBrowser = func(_ context.Context, u string) error {
			opened.Store(u)
			e.srv.ApproveLogin(e.srv.PendingLogins()[0], mustUser(t, e.srv, "owner@example.com"))
			return nil
		}
	}, "--web")
	if err != nil {
		t.Fatalf("%v\n%s", err, e.err)
	}
	if u, _ := opened.Load().(string); !strings.HasPrefix(u, e.srv.URL+"/otp/") {
		t.Errorf("opened %q", u)
	}
	if !strings.Contains(e.err.String(), "Opening it in your browser.") {
		t.Errorf("stderr:\n%s", e.err)
	}
}

func TestLoginBrowserFailureIsNoFailure(t *testing.T) {
	e := newTestEnv(t, true)
	err := e.login(t, func(o *LoginOptions) {
		o.OpenBrowser = func(context.Context, string) error {
			e.srv.ApproveLogin(e.srv.PendingLogins()[0], mustUser(t, e.srv, "owner@example.com"))
			return errBoom
		}
	}, "--web")
	if err != nil {
		t.Fatalf("%v\n%s", err, e.err)
	}
	if !strings.Contains(e.err.String(), "Could not open a browser (boom): open the URL yourself.") {
		t.Errorf("stderr:\n%s", e.err)
	}
	e.savedToken(t)
}

func TestLoginApprovalFails(t *testing.T) {
	e := newTestEnv(t, true)
	err := e.login(t, func(o *LoginOptions) {
		o.ApproveURL = func(context.Context, string) error { return errBoom }
	}, "--approve-with-http")
	if c := exitCode(t, err); c != cmdutil.ExitFailure || !strings.Contains(err.Error(), "approving the login with an HTTP GET: boom") {
		t.Errorf("exit %d: %v", c, err)
	}
	if _, err := os.Stat(e.path); !os.IsNotExist(err) {
		t.Errorf("a credentials file exists: %v", err)
	}
}

func TestLoginWorksWithABrokenTokenSource(t *testing.T) {
	t.Setenv(auth.EnvToken, "") // set but empty: the chain fails
	e := newTestEnv(t, true)
	e.f.Client = func() (*client.Client, error) {
		// The SDK's default chain, which fails on the empty variable.
		return client.New(client.WithBaseURL(e.srv.URL))
	}
	if err := e.login(t, nil, "--approve-with-http"); err != nil {
		t.Fatalf("%v\n%s", err, e.err)
	}
	e.noToken(t, e.savedToken(t))
	if !strings.Contains(e.err.String(), "Note: ANYSCALE_CLI_TOKEN is set") {
		t.Errorf("stderr:\n%s", e.err)
	}
}

func TestLoginUnsavableKeyGoesToStdout(t *testing.T) {
	e := newTestEnv(t, true)
	err := e.login(t, func(o *LoginOptions) {
		o.ApproveURL = func(ctx context.Context, u string) error {
			if err := getURL(ctx, u); err != nil {
				return err
			}
			// The directory the key goes to turns into a file.
			dir := filepath.Dir(e.path)
			if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
				return err
			}
			return os.WriteFile(dir, nil, 0o600)
		}
	}, "--approve-with-http")
	if c := exitCode(t, err); c != cmdutil.ExitFailure || !strings.Contains(err.Error(), "could not be saved to "+e.path) ||
		!strings.Contains(err.Error(), "its secret is on standard output") {
		t.Errorf("exit %d: %v", c, err)
	}
	secret := strings.TrimSuffix(e.out.String(), "\n")
	if credentials.ValidateToken(secret) != nil || strings.Count(e.out.String(), "\n") != 1 {
		t.Fatalf("stdout is not one token alone on a line: %d bytes", e.out.Len())
	}
	if strings.Contains(e.err.String(), secret) || strings.Contains(err.Error(), secret) {
		t.Error("the secret shows outside standard output")
	}
}

func TestLoginCheckFailureIsAWarning(t *testing.T) {
	e := newTestEnv(t, true)
	e.srv.FailNext(anyscaletest.Fault{Method: "GET", PathPrefix: "/api/v2/userinfo", Status: 403, Times: 1})
	e.f.Output = cmdutil.FormatJSON
	if err := e.login(t, nil, "--approve-with-http"); err != nil {
		t.Fatalf("%v\n%s", err, e.err)
	}
	if !strings.Contains(e.err.String(), "warning: the new key was saved but could not be checked") ||
		!strings.Contains(e.err.String(), "Logged in. The new key") || !strings.Contains(e.out.String(), `"email": ""`) {
		t.Errorf("stdout %s\nstderr %s", e.out, e.err)
	}
	e.noToken(t, e.savedToken(t))
}

func TestWaitTime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		3 * time.Minute: "3 minutes", time.Minute: "1 minute", 90 * time.Second: "1m30s", 600 * time.Millisecond: "600ms",
	} {
		if got := waitTime(d); got != want {
			t.Errorf("waitTime(%s) = %q, want %q", d, got, want)
		}
	}
}
