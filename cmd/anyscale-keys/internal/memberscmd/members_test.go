package memberscmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdtest"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/organization"
)

func TestNewCmdList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    ListOptions
		wantErr string
	}{
		{name: "default", args: nil, want: ListOptions{Kind: organization.AllAccounts}},
		{name: "users", args: []string{"--kind", "users"}, want: ListOptions{Kind: organization.UserAccounts}},
		{name: "service accounts", args: []string{"--kind=service-accounts"}, want: ListOptions{Kind: organization.ServiceAccounts}},
		{name: "filters", args: []string{"--email", "@example.com", "--name", "Ada", "--kind", "all"},
			want: ListOptions{Email: "@example.com", Name: "Ada", Kind: organization.AllAccounts}},
		{name: "unknown kind", args: []string{"--kind", "robots"}, wantErr: `unknown --kind "robots": use all, users or service-accounts`},
		{name: "wire kind", args: []string{"--kind", "only_user_accounts"}, wantErr: "unknown --kind"},
		{name: "an argument", args: []string{"ada@example.com"}, wantErr: `takes no arguments, got "ada@example.com"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cmdtest.Parse(t, NewCmdList, tt.args...)
			if tt.wantErr != "" {
				cmdtest.Usage(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got.F = nil
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestNewCmdRemove(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    RemoveOptions
		wantErr string
	}{
		{name: "email", args: []string{"ada@example.com"}, want: RemoveOptions{Email: "ada@example.com"}},
		{name: "yes", args: []string{"--yes", " ada@example.com "}, want: RemoveOptions{Email: "ada@example.com", Yes: true}},
		{name: "no email", args: nil, wantErr: "give the member's email: anyscale-keys members remove EMAIL"},
		{name: "empty email", args: []string{""}, wantErr: "the email is empty"},
		{name: "two emails", args: []string{"a@x", "b@x"}, wantErr: "takes one email, 2 given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cmdtest.Parse(t, NewCmdRemove, tt.args...)
			if tt.wantErr != "" {
				cmdtest.Usage(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got.F = nil
			assert.Equal(t, tt.want, *got)
		})
	}
}

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

func (e *env) run(cmd *cobra.Command, args ...string) error {
	return cmdtest.Execute(context.Background(), cmd, e.io, args...)
}

// members remove asks on a terminal: "y" removes the member and revokes
// its keys, "n" changes nothing; without a terminal it needs --yes.
func TestRemoveConfirmation(t *testing.T) {
	t.Parallel()
	const question = "This removes ada@example.com from the organization and revokes all of that member's keys. Go on? [y/N] "
	tests := []struct {
		name   string
		tty    bool
		answer string
		yes    bool
		done   bool
		code   int
	}{
		{name: "answered y", tty: true, answer: "y\n", done: true},
		{name: "answered n", tty: true, answer: "n\n", code: cmdutil.ExitFailure},
		{name: "answered something else", tty: true, answer: "sure\n", code: cmdutil.ExitFailure},
		{name: "no answer", tty: true, code: cmdutil.ExitFailure},
		{name: "no terminal", code: cmdutil.ExitUsage},
		{name: "no terminal, --yes", yes: true, done: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ada := e.srv.AddUser("ada@example.com", anyscaletest.Collaborator)
			e.srv.AddKey(ada, "laptop", 0)
			e.io.SetTTY(tt.tty, false, tt.tty)
			e.in.WriteString(tt.answer)
			args := []string{"ada@example.com"}
			if tt.yes {
				args = append(args, "--yes")
			}
			err := e.run(NewCmdRemove(e.f, nil), args...)

			assert.Equal(t, tt.code, cmdutil.ExitCode(err), "exit code of %v", err)
			if tt.tty && !tt.yes {
				assert.True(t, strings.HasPrefix(e.errOut.String(), question), "standard error: %q", e.errOut.String())
			} else {
				assert.NotContains(t, e.errOut.String(), "Go on?")
			}
			if tt.code == cmdutil.ExitUsage {
				assert.Contains(t, err.Error(), "this removes ada@example.com from the organization and revokes all of that member's keys; pass --yes to confirm")
			}
			assert.Empty(t, e.out.String())
			_, found := e.srv.LookupUser("ada@example.com")
			assert.Equal(t, !tt.done, found, "ada is a member")
			active := 0
			for _, k := range e.srv.Keys(ada) {
				if k.RevokedAt == nil {
					active++
				}
			}
			if tt.done {
				assert.Zero(t, active)
				assert.Contains(t, e.errOut.String(), "Removed ada@example.com from the organization and revoked all of its keys.")
			} else {
				assert.Equal(t, 2, active)
			}
		})
	}
}

// members list reads every page, users and service accounts.
func TestListEveryPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	want := []string{"owner@example.com"}
	for i := range 70 {
		u := e.srv.AddUser(fmt.Sprintf("user%02d@example.com", i), anyscaletest.Collaborator)
		want = append(want, u.Email)
		sa := e.srv.AddServiceAccount(fmt.Sprintf("sa%02d", i))
		want = append(want, sa.Email)
	}
	e.f.Output = cmdutil.FormatJSON
	require.NoError(t, e.run(NewCmdList(e.f, nil)))
	var got []cmdutil.Member
	require.NoError(t, json.Unmarshal(e.out.Bytes(), &got))
	var emails []string
	for _, m := range got {
		emails = append(emails, m.Email)
		assert.Equal(t, strings.HasPrefix(m.Email, "sa"), m.ServiceAccount, m.Email)
		assert.True(t, strings.HasPrefix(m.IdentityID, "ide_"), m.IdentityID)
		assert.True(t, strings.HasPrefix(m.UserID, "usr_"), m.UserID)
	}
	assert.Equal(t, want, emails)

	e.out.Reset()
	e.f.Output = cmdutil.FormatTable
	require.NoError(t, e.run(NewCmdList(e.f, nil), "--kind", "service-accounts"))
	lines := strings.Split(strings.TrimSuffix(e.out.String(), "\n"), "\n")
	// In a pipe: no header, every value whole, tab-separated.
	require.Len(t, lines, 70)
	assert.Regexp(t, `^sa69@org-\S+\tsa69\tcollaborator\tservice-account\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, lines[69])
}

// An unknown address is exit code 5.
func TestRemoveNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	err := e.run(NewCmdRemove(e.f, nil), "nobody@example.com", "--yes")
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Equal(t, cmdutil.ExitNotFound, cmdutil.ExitCode(err))
}
