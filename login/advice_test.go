package login_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/login"
)

// goNames are the exported names a login error could be tempted to name:
// login's and keys' (declarations, fields and methods). Acronyms such as
// URL read as words, not as Go names, and are left out.
func goNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	add := func(n *ast.Ident) {
		if n != nil && n.IsExported() && strings.ToUpper(n.Name) != n.Name {
			names[n.Name] = true
		}
	}
	for _, dir := range []string{".", filepath.Join("..", "keys")} {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
		require.NoError(t, err)
		for _, pkg := range pkgs {
			ast.Inspect(pkg, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncDecl:
					add(n.Name)
				case *ast.TypeSpec:
					add(n.Name)
				case *ast.ValueSpec:
					for _, id := range n.Names {
						add(id)
					}
				case *ast.Field:
					for _, id := range n.Names {
						add(id)
					}
				}
				return true
			})
		}
	}
	require.Contains(t, names, "ExpiresIn")
	require.Contains(t, names, "MaxLifetime")
	return names
}

var (
	// qualified is a selector such as client.WithBaseURL or
	// Options.ExpiresIn; call is a call such as Audit(.
	qualified = regexp.MustCompile(`\b[A-Za-z_]\w*\.[A-Z]\w*`)
	call      = regexp.MustCompile(`\b[A-Za-z_]\w*\(`)
	word      = regexp.MustCompile(`\b[A-Za-z_]\w*\b`)
)

// assertNoGoName fails when facts names a Go identifier or the official
// CLI's login.
func assertNoGoName(t *testing.T, names map[string]bool, facts string) {
	t.Helper()
	assert.NotRegexp(t, qualified, facts, "a qualified Go name")
	assert.NotRegexp(t, call, facts, "a Go call")
	assert.NotContains(t, facts, "anyscale login", "the other CLI")
	// An HTTP status text ("503 Service Unavailable") is no Go name.
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			facts = strings.ReplaceAll(facts, strconv.Itoa(code)+" "+text, "")
		}
	}
	for _, w := range word.FindAllString(facts, -1) {
		assert.False(t, names[w], "the Go name %s in %q", w, facts)
	}
}

// mockLogin is a client of an httpmock API whose login start answers
// start; polls answers each poll in turn (the last one repeats).
func mockLogin(t *testing.T, start string, polls ...httpmock.Responder) *client.Client {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token", httpmock.NewStringResponder(200, start))
	n := 0
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/"+loginCode, func(r *http.Request) (*http.Response, error) {
		if len(polls) == 0 {
			return jsonResp(200, `{"result":{"valid":false}}`), nil
		}
		p := polls[min(n, len(polls)-1)]
		n++
		return p(r)
	})
	return noTokenClient(t, mt, baseURL)
}

const goodStart = `{"result":{"url":"https://api.test/otp/` + loginCode + `","otp":"` + loginCode + `"}}`

// TestErrorFactsNameNoGoIdentifier: every error of a login says what went
// wrong without naming a Go identifier (or the official CLI); what to do
// next in Go terms is advice, at the end of the text, which Facts leaves
// out and AdviceOf finds.
func TestErrorFactsNameNoGoIdentifier(t *testing.T) {
	names := goNames(t)
	quiet := func(context.Context, string) error { return nil }
	status := func(code int) httpmock.Responder {
		return httpmock.NewStringResponder(code, `{"error":{"detail":"answer `+strconv.Itoa(code)+`"}}`)
	}
	tests := []struct {
		name string
		run  func(t *testing.T, path string) error
		// action is the advice the error carries, "" for none; advised is
		// whether it carries a sentence in Go terms at its end.
		action  client.Action
		advised bool
		is      error
	}{
		{name: "a lifetime and no expiry", advised: true, is: client.ErrInvalid, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), nil, login.Options{ExpiresIn: time.Hour, NoExpiry: true, CredentialsPath: path})
			return err
		}},
		{name: "a negative lifetime", advised: true, is: client.ErrInvalid, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), nil, login.Options{ExpiresIn: -time.Hour, CredentialsPath: path})
			return err
		}},
		{name: "a lifetime under a second", advised: true, is: client.ErrInvalid, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), nil, login.Options{ExpiresIn: time.Millisecond, CredentialsPath: path})
			return err
		}},
		{name: "a lifetime over the maximum", advised: true, is: client.ErrInvalid, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), nil, login.Options{ExpiresIn: 31 * 24 * time.Hour, CredentialsPath: path})
			return err
		}},
		{name: "negative polling", advised: true, is: client.ErrInvalid, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), nil, login.Options{MaxPolls: -1, CredentialsPath: path})
			return err
		}},
		{name: "a directory others may write", run: func(t *testing.T, path string) error {
			if runtime.GOOS == "windows" {
				t.Skip("no POSIX modes")
			}
			dir := filepath.Dir(path)
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chmod(dir, 0o777))
			_, err := login.Run(context.Background(), nil, login.Options{CredentialsPath: path})
			return err
		}},
		{name: "the start fails", is: client.ErrForbidden, run: func(t *testing.T, path string) error {
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token", status(403))
			_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{OpenURL: quiet, CredentialsPath: path})
			return err
		}},
		{name: "no login URL", action: client.ActionRunAgain, advised: true, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, `{"result":{}}`), login.Options{OpenURL: quiet, CredentialsPath: path})
			return err
		}},
		{name: "a refused URL", action: client.ActionExplainChain, advised: true, is: login.ErrURLRefused, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, `{"result":{"url":"https://evil.example/otp/`+loginCode+`","otp":"`+loginCode+`"}}`),
				login.Options{OpenURL: quiet, CredentialsPath: path})
			return err
		}},
		{name: "OpenURL fails", run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart), login.Options{
				OpenURL: func(context.Context, string) error { return errors.New("no browser") }, CredentialsPath: path})
			return err
		}},
		{name: "cancelled while waiting", is: context.Canceled, run: func(t *testing.T, path string) error {
			ctx, cancel := context.WithCancel(context.Background())
			_, err := login.Run(ctx, mockLogin(t, goodStart), login.Options{
				OpenURL: func(context.Context, string) error { cancel(); return nil }, PollInterval: time.Hour, CredentialsPath: path})
			return err
		}},
		{name: "a refused poll", is: client.ErrNotFound, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart, status(404)), login.Options{OpenURL: quiet, CredentialsPath: path})
			return err
		}},
		{name: "an answer in an unknown shape", action: client.ActionRunAgain, advised: true, is: client.ErrMalformedResponse, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart, httpmock.NewStringResponder(200, `{"result":{}}`)),
				login.Options{OpenURL: quiet, CredentialsPath: path})
			return err
		}},
		{name: "approved without a token", action: client.ActionRunAgain, advised: true, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart, httpmock.NewStringResponder(200, `{"result":{"valid":true}}`)),
				login.Options{OpenURL: quiet, CredentialsPath: path})
			return err
		}},
		{name: "never approved", run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart), login.Options{OpenURL: quiet, PollInterval: time.Millisecond, MaxPolls: 2, CredentialsPath: path})
			return err
		}},
		{name: "never approved, the last poll failing", is: client.ErrServer, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart, status(503)),
				login.Options{OpenURL: quiet, PollInterval: time.Millisecond, MaxPolls: 2, CredentialsPath: path})
			return err
		}},
		{name: "the answer carrying the token lost", is: client.ErrServer, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart, status(502), status(404)),
				login.Options{OpenURL: quiet, PollInterval: time.Millisecond, CredentialsPath: path})
			return err
		}},
		{name: "the answer carrying a key without expiry lost", action: client.ActionCheckFirst, advised: true, is: client.ErrServer, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart, status(502), status(404)),
				login.Options{NoExpiry: true, OpenURL: quiet, PollInterval: time.Millisecond, CredentialsPath: path})
			return err
		}},
		{name: "a malformed token", is: credentials.ErrInvalidToken, run: func(t *testing.T, path string) error {
			_, err := login.Run(context.Background(), mockLogin(t, goodStart, httpmock.NewStringResponder(200, `{"result":{"valid":true,"server_session_id":"not a token"}}`)),
				login.Options{OpenURL: quiet, PollInterval: time.Millisecond, CredentialsPath: path})
			return err
		}},
		{name: "the save fails", run: func(t *testing.T, path string) error {
			res, err := login.Run(context.Background(), mockLogin(t, goodStart, httpmock.NewStringResponder(200, `{"result":{"valid":true,"server_session_id":"`+loginSecret+`"}}`)),
				login.Options{OpenURL: func(context.Context, string) error { return os.MkdirAll(path, 0o700) }, PollInterval: time.Millisecond, CredentialsPath: path})
			require.NotNil(t, res)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.run(t, filepath.Join(t.TempDir(), "creds", "credentials.json"))
			require.Error(t, err)
			if tt.is != nil {
				require.ErrorIs(t, err, tt.is)
			}
			facts := client.Facts(err)
			t.Log(err)
			assertNoGoName(t, names, facts)
			assert.True(t, strings.HasPrefix(facts, "login: "), "one clause per layer, starting with the package once: %q", facts)
			assert.Equal(t, 1, strings.Count(facts, "login: "), "no stacked prefixes: %q", facts)
			assert.NotContains(t, facts, "keys: ")
			assert.NotContains(t, err.Error(), loginCode)

			var actions []client.Action
			for _, a := range client.AdviceOf(err) {
				actions = append(actions, a.Action)
			}
			if tt.action != "" {
				assert.Contains(t, actions, tt.action)
			}
			if tt.advised {
				assert.NotEqual(t, err.Error(), facts, "the Go-terms sentence ends the message")
				first, _, _ := strings.Cut(facts, ";")
				assert.True(t, strings.HasPrefix(err.Error(), first), "the advice follows the facts: %q", err)
			}
		})
	}

	t.Run("no home for the default path", func(t *testing.T) {
		t.Setenv("HOME", "")
		t.Setenv("USERPROFILE", "")
		t.Setenv("home", "")
		_, err := login.Run(context.Background(), nil, login.Options{})
		require.Error(t, err)
		assertNoGoName(t, names, client.Facts(err))
		assert.NotEqual(t, err.Error(), client.Facts(err), "the advice names the option to set")
	})
}

// The refused URL's advice names the host to check, the API's.
func TestRefusedURLAdvisesCheckingTheHost(t *testing.T) {
	t.Parallel()
	_, err := login.Run(context.Background(), mockLogin(t, `{"result":{"url":"https://evil.example/otp/x","otp":"x"}}`),
		login.Options{OpenURL: func(context.Context, string) error { return nil }, CredentialsPath: filepath.Join(t.TempDir(), "c.json")})
	require.ErrorIs(t, err, login.ErrURLRefused)
	assert.Contains(t, client.AdviceOf(err), client.Advice{Action: client.ActionExplainChain, Subject: "api.test"})
	assert.Contains(t, err.Error(), "client.WithBaseURL or "+auth.EnvHost)
	assert.NotContains(t, client.Facts(err), "WithBaseURL")
}

// A poll whose answer was lost may have carried the token: however the
// login then ends (out of polls, or its context done), it concludes
// nothing from the answer that never came, and says the token may be out.
func TestALostPollMayHaveHandedOutTheToken(t *testing.T) {
	quiet := func(context.Context, string) error { return nil }
	lostPoll := func(*http.Request) (*http.Response, error) {
		return jsonResp(502, `{"error":{"detail":"bad gateway"}}`), nil
	}
	t.Run("out of polls", func(t *testing.T) {
		_, err := login.Run(context.Background(), mockLogin(t, goodStart, lostPoll),
			login.Options{OpenURL: quiet, PollInterval: time.Millisecond, MaxPolls: 2, CredentialsPath: filepath.Join(t.TempDir(), "c.json")})
		require.Error(t, err)
		assert.True(t, client.MayHaveActed(err), "%v", err)
		assert.Contains(t, err.Error(), "may have carried the token")
		assert.NotContains(t, err.Error(), "not approved")
		assert.Contains(t, client.AdviceOf(err), client.Advice{Action: client.ActionCheckFirst})
	})
	t.Run("context done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cancelling := func(r *http.Request) (*http.Response, error) {
			cancel()
			return lostPoll(r)
		}
		_, err := login.Run(ctx, mockLogin(t, goodStart, lostPoll, cancelling),
			login.Options{OpenURL: quiet, PollInterval: time.Millisecond, MaxPolls: 5, CredentialsPath: filepath.Join(t.TempDir(), "c.json")})
		require.ErrorIs(t, err, context.Canceled)
		assert.True(t, client.MayHaveActed(err), "%v", err)
		assert.Contains(t, err.Error(), "may have carried the token")
	})
}
