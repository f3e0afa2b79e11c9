package sacmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdtest"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// secretRE matches the secrets the fake issues.
var secretRE = regexp.MustCompile(`aph0_[a-z0-9]{20,}`)

// env is a command's world in a test: the fake, streams on buffers, and
// a Factory whose client is the owner's.
type env struct {
	srv             *anyscaletest.Server
	io              *iostreams.IOStreams
	in, out, errOut *bytes.Buffer
	f               *cmdutil.Factory
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := anyscaletest.Start(t)
	io, in, out, errOut := iostreams.Test()
	f := cmdutil.NewFactory(io, "test")
	f.Client = func() (*client.Client, error) { return srv.Client(srv.Owner()) }
	return &env{srv: srv, io: io, in: in, out: out, errOut: errOut, f: f}
}

// run runs cmd on args, quiet about its errors as the root command is.
func (e *env) run(cmd *cobra.Command, args ...string) error {
	return cmdtest.Execute(context.Background(), cmd, e.io, args...)
}

// active counts u's keys that work now.
func (e *env) active(u anyscaletest.User) int {
	n := 0
	for _, k := range e.srv.Keys(u) {
		if k.RevokedAt == nil && (k.ExpiresAt == nil || k.ExpiresAt.After(e.srv.Now())) {
			n++
		}
	}
	return n
}

// works reports whether token still authenticates.
func (e *env) works(t *testing.T, token string) bool {
	t.Helper()
	c, err := e.srv.ClientWithToken(token)
	require.NoError(t, err)
	_, err = c.WhoAmI(context.Background())
	if err != nil {
		require.ErrorIs(t, err, client.ErrUnauthorized)
	}
	return err == nil
}

// secretOut asserts that standard output is one secret alone on a line,
// that standard error shows none, and returns the secret.
func (e *env) secretOut(t *testing.T) string {
	t.Helper()
	out := e.out.String()
	secret := secretRE.FindString(out)
	require.NotEmpty(t, secret, "no secret on standard output")
	assert.Equal(t, secret+"\n", out)
	assert.NotRegexp(t, secretRE, e.errOut.String())
	return secret
}

// noSecret asserts that neither stream shows a secret.
func (e *env) noSecret(t *testing.T) {
	t.Helper()
	assert.NotRegexp(t, secretRE, e.out.String())
	assert.NotRegexp(t, secretRE, e.errOut.String())
}

// The destructive commands ask on a terminal, naming what is lost: "y"
// goes on, "n" (or nothing) changes nothing; without a terminal they need
// --yes.
func TestConfirmation(t *testing.T) {
	t.Parallel()
	type check func(t *testing.T, e *env, sa anyscaletest.User, done bool)
	keysGone := func(t *testing.T, e *env, sa anyscaletest.User, done bool) {
		assert.Equal(t, !done, e.works(t, sa.Token), "the old key works")
	}
	tests := []struct {
		name     string
		newCmd   func(*cmdutil.Factory) *cobra.Command
		question string
		check    check
		secret   bool
	}{
		{
			name:     "rotate",
			newCmd:   func(f *cmdutil.Factory) *cobra.Command { return NewCmdRotate(f, nil) },
			question: `This revokes every key of service account "ci", and a job using one of them stops working until it has the new key. Go on? [y/N] `,
			check:    keysGone,
			secret:   true,
		},
		{
			name:     "revoke-all",
			newCmd:   func(f *cmdutil.Factory) *cobra.Command { return NewCmdRevokeAll(f, nil) },
			question: `This revokes every key of service account "ci" and makes no new one: a job using one of them stops working. Go on? [y/N] `,
			check: func(t *testing.T, e *env, sa anyscaletest.User, done bool) {
				keysGone(t, e, sa, done)
				want := 2
				if done {
					want = 0
				}
				assert.Equal(t, want, e.active(sa))
			},
		},
		{
			name:     "delete",
			newCmd:   func(f *cmdutil.Factory) *cobra.Command { return NewCmdDelete(f, nil) },
			question: `This deletes service account "ci" and all its keys: a job using one of them stops working. Go on? [y/N] `,
			check: func(t *testing.T, e *env, sa anyscaletest.User, done bool) {
				keysGone(t, e, sa, done)
				_, found := e.srv.LookupUser(sa.Email)
				assert.Equal(t, !done, found, "the account is there")
			},
		},
	}
	answers := []struct {
		name   string
		tty    bool
		answer string
		yes    bool
		done   bool
		code   int
	}{
		{name: "answered y", tty: true, answer: "y\n", done: true},
		{name: "answered yes", tty: true, answer: "YES\n", done: true},
		{name: "answered n", tty: true, answer: "n\n", code: cmdutil.ExitFailure},
		{name: "no answer", tty: true, answer: "", code: cmdutil.ExitFailure},
		{name: "no terminal", tty: false, code: cmdutil.ExitUsage},
		{name: "no terminal, --yes", tty: false, yes: true, done: true},
		{name: "terminal, --yes", tty: true, yes: true, done: true},
	}
	for _, tt := range tests {
		for _, a := range answers {
			t.Run(tt.name+"/"+a.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				sa := e.srv.AddServiceAccount("ci")
				e.srv.AddKey(sa, "second", 24*time.Hour)
				other := e.srv.AddServiceAccount("other")
				e.io.SetTTY(a.tty, false, a.tty)
				e.in.WriteString(a.answer)
				args := []string{"ci"}
				if a.yes {
					args = append(args, "--yes")
				}
				err := e.run(tt.newCmd(e.f), args...)

				assert.Equal(t, a.code, cmdutil.ExitCode(err), "exit code of %v", err)
				switch {
				case a.tty && !a.yes:
					assert.True(t, strings.HasPrefix(e.errOut.String(), tt.question), "standard error: %q", e.errOut.String())
				default:
					assert.NotContains(t, e.errOut.String(), "Go on?")
				}
				if a.code == cmdutil.ExitFailure {
					require.ErrorIs(t, err, cmdutil.ErrDeclined)
				}
				if a.code == cmdutil.ExitUsage {
					assert.Contains(t, err.Error(), "pass --yes to confirm")
					assert.Contains(t, err.Error(), `service account "ci"`)
				}
				tt.check(t, e, sa, a.done)
				assert.True(t, e.works(t, other.Token), "another account's key was touched")
				if tt.secret && a.done {
					secret := e.secretOut(t)
					assert.True(t, e.works(t, secret), "the new key does not work")
				} else {
					assert.Empty(t, e.out.String())
					e.noSecret(t)
				}
			})
		}
	}
}

// sa list reads every page: more accounts than one page holds.
func TestListEveryPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	var want []string
	for i := range 120 {
		name := fmt.Sprintf("sa-%03d", i)
		e.srv.AddServiceAccount(name)
		want = append(want, name)
	}
	e.f.Output = cmdutil.FormatJSON
	require.NoError(t, e.run(NewCmdList(e.f, nil)))
	var got []cmdutil.ServiceAccount
	require.NoError(t, json.Unmarshal(e.out.Bytes(), &got))
	var names []string
	for _, sa := range got {
		names = append(names, sa.Name)
		assert.True(t, strings.HasPrefix(sa.IdentityID, "ide_"), sa.IdentityID)
		assert.True(t, strings.HasPrefix(sa.UserID, "usr_"), sa.UserID)
		assert.Equal(t, sa.Name+"@org-"+e.srv.OrgID()+".serviceaccount.com", sa.Email)
		assert.Equal(t, "collaborator", sa.PermissionLevel)
		assert.Equal(t, e.srv.Now().UTC().Truncate(time.Second), sa.CreatedAt.Truncate(time.Second))
	}
	assert.Equal(t, want, names)

	e.out.Reset()
	e.f.Output = cmdutil.FormatTable
	require.NoError(t, e.run(NewCmdList(e.f, nil)))
	lines := strings.Split(strings.TrimSuffix(e.out.String(), "\n"), "\n")
	// In a pipe: no header, every value whole, tab-separated.
	require.Len(t, lines, 120)
	assert.Regexp(t, `^sa-119\tsa-119@org-\S+\tcollaborator\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, lines[119])
}

// sa get finds an account by its email, whose letters A-Z match in any
// case; none is exit code 5.
func TestGetByEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sa := e.srv.AddServiceAccount("ci")
	e.srv.AddServiceAccount("ci2")
	e.f.Output = cmdutil.FormatJSON
	for _, address := range []string{sa.Email, strings.ToUpper(sa.Email), "  " + sa.Email + " "} {
		e.out.Reset()
		require.NoError(t, e.run(NewCmdGet(e.f, nil), "--email", address), address)
		var got cmdutil.ServiceAccount
		require.NoError(t, json.Unmarshal(e.out.Bytes(), &got))
		assert.Equal(t, cmdutil.ServiceAccount{IdentityID: sa.IdentityID, UserID: sa.ID, Name: "ci", Email: sa.Email,
			PermissionLevel: "collaborator", CreatedAt: got.CreatedAt}, got)
	}
	e.out.Reset()
	err := e.run(NewCmdGet(e.f, nil), "--email", "ci@example.com")
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Equal(t, cmdutil.ExitNotFound, cmdutil.ExitCode(err))
	assert.Empty(t, e.out.String())
}

// With --out, the key goes to a 0600 credentials file that works, and
// standard output gets the account's JSON with -o json, else nothing.
func TestOut(t *testing.T) {
	t.Parallel()
	for _, format := range []string{cmdutil.FormatTable, cmdutil.FormatJSON} {
		for _, verb := range []string{"create", "key", "rotate"} {
			t.Run(verb+"/"+format, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				e.f.Output = format
				path := filepath.Join(t.TempDir(), "ci.json")
				var err error
				switch verb {
				case "create":
					err = e.run(NewCmdCreate(e.f, nil), "ci", "--out", path, "--expires", "2d")
				case "key":
					e.srv.AddServiceAccount("ci")
					err = e.run(NewCmdKey(e.f, nil), "ci", "--out", path, "--expires", "2d")
				case "rotate":
					e.srv.AddServiceAccount("ci")
					err = e.run(NewCmdRotate(e.f, nil), "ci", "--out", path, "--expires", "2d", "--yes")
				}
				require.NoError(t, err)
				e.noSecret(t)
				assert.Contains(t, e.errOut.String(), `Wrote the new key of service account "ci" to `+path+" (mode 0600).")

				file, err := credentials.Load(path)
				require.NoError(t, err)
				require.NoError(t, credentials.CheckPermissions(path))
				assert.True(t, e.works(t, file.CLIToken.Reveal()))
				sa, ok := e.srv.LookupUser("ci@org-" + e.srv.OrgID() + ".serviceaccount.com")
				require.True(t, ok)
				wantActive := 1
				if verb == "key" {
					wantActive = 2 // the account's first key stays
				}
				assert.Equal(t, wantActive, e.active(sa))
				short := 0
				for _, k := range e.srv.Keys(sa) {
					if k.RevokedAt == nil && k.ExpiresAt.Equal(e.srv.Now().Add(48*time.Hour)) {
						short++
					}
				}
				assert.Equal(t, 1, short, "keys that --expires 2d made")

				if format == cmdutil.FormatTable {
					assert.Empty(t, e.out.String())
					return
				}
				var got cmdutil.ServiceAccount
				require.NoError(t, json.Unmarshal(e.out.Bytes(), &got))
				assert.Equal(t, sa.Email, got.Email)
				assert.Equal(t, sa.ID, got.UserID)
				assert.Equal(t, sa.IdentityID, got.IdentityID)
			})
		}
	}
}

// An --out that cannot be written is refused before anything is made.
func TestOutRefusedFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	cases := map[string]string{
		"a directory":          dir,
		"under a file":         filepath.Join(file, "ci.json"),
		"under a file, deeper": filepath.Join(file, "sub", "ci.json"),
	}
	if runtime.GOOS != "windows" {
		link := filepath.Join(dir, "link.json")
		require.NoError(t, os.Symlink(file, link))
		cases["a symbolic link"] = link
		open := filepath.Join(dir, "open")
		require.NoError(t, os.Mkdir(open, 0o700))
		require.NoError(t, os.Chmod(open, 0o777))
		cases["a directory others may write"] = filepath.Join(open, "ci.json")
	}
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			sa := e.srv.AddServiceAccount("ci")
			err := e.run(NewCmdKey(e.f, nil), "--name", "ci", "--out", path)
			require.Error(t, err)
			assert.Equal(t, cmdutil.ExitUsage, cmdutil.ExitCode(err), "%v", err)
			assert.Contains(t, err.Error(), "--out "+path)
			assert.Contains(t, err.Error(), "nothing was changed")
			assert.Equal(t, 1, e.active(sa))
			assert.Empty(t, e.srv.Requests(), "a request was sent")
			e.noSecret(t)
		})
	}
}

// When the file cannot be written after the key was made, the error says
// that nobody holds the key and what replaces it; the secret shows nowhere.
func TestOutLost(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("needs a symbolic link")
	}
	for _, verb := range []string{"create", "key", "rotate"} {
		t.Run(verb, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			dir := t.TempDir()
			path := filepath.Join(dir, "ci.json")
			// Between the check of --out and the write, a link appears there.
			e.f.Client = func() (*client.Client, error) {
				if err := os.Symlink(filepath.Join(dir, "elsewhere"), path); err != nil {
					return nil, err
				}
				return e.srv.Client(e.srv.Owner())
			}
			var err error
			switch verb {
			case "create":
				err = e.run(NewCmdCreate(e.f, nil), "ci", "--out", path)
			case "key":
				e.srv.AddServiceAccount("ci")
				err = e.run(NewCmdKey(e.f, nil), "ci", "--out", path)
			case "rotate":
				e.srv.AddServiceAccount("ci")
				err = e.run(NewCmdRotate(e.f, nil), "ci", "--out", path, "--yes")
			}
			require.Error(t, err)
			assert.Equal(t, cmdutil.ExitFailure, cmdutil.ExitCode(err))
			assert.Contains(t, err.Error(), "could not be written to "+path)
			assert.Contains(t, err.Error(), "nobody holds")
			assert.Contains(t, err.Error(), "`anyscale-keys sa rotate ci --out FILE`")
			assert.NotRegexp(t, secretRE, err.Error())
			e.noSecret(t)
			_, statErr := os.Stat(filepath.Join(dir, "elsewhere"))
			assert.ErrorIs(t, statErr, os.ErrNotExist, "written through the link")
		})
	}
}

func TestFlagOf(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "ci-deploy.v2_x", flagOf(serviceaccounts.ByName("ci-deploy.v2_x")))
	assert.Equal(t, "ci+a@org-1.serviceaccount.com", flagOf(serviceaccounts.ByEmail("CI+a@org-1.serviceaccount.com")))
	assert.Equal(t, `'it'\''s $HOME'`, flagOf(serviceaccounts.ByName(`it's $HOME`)))
	assert.Equal(t, `service account "ci"`, describe(serviceaccounts.ByName("ci")))
	assert.Equal(t, "service account ci@x", describe(serviceaccounts.ByEmail("ci@x")))
}
