package sacmd

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdtest"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

func TestNewCmdCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    CreateOptions
		wantErr string
	}{
		{name: "name", args: []string{"ci"}, want: CreateOptions{Name: "ci"}},
		{name: "expires and out", args: []string{"ci", "--expires", "30d", "--out", "k.json"},
			want: CreateOptions{Name: "ci", ExpiresIn: 30 * 24 * time.Hour, Out: "k.json"}},
		{name: "expires in hours", args: []string{"--expires=1d12h", "ci"}, want: CreateOptions{Name: "ci", ExpiresIn: 36 * time.Hour}},
		{name: "100 years", args: []string{"ci", "--expires", "36500d"}, want: CreateOptions{Name: "ci", ExpiresIn: serviceaccounts.DefaultKeyLifetime}},
		{name: "no name", args: nil, wantErr: "give the new service account's name"},
		{name: "two names", args: []string{"a", "b"}, wantErr: "takes one name, 2 given"},
		{name: "bad duration", args: []string{"ci", "--expires", "soon"}, wantErr: "--expires"},
		{name: "under a second", args: []string{"ci", "--expires", "10ms"}, wantErr: "1s to 100 years"},
		{name: "over 100 years", args: []string{"ci", "--expires", "36501d"}, wantErr: "1s to 100 years"},
		{name: "empty expires", args: []string{"ci", "--expires", ""}, wantErr: "empty duration"},
		{name: "empty out", args: []string{"ci", "--out", " "}, wantErr: "--out is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cmdtest.Parse(t, NewCmdCreate, tt.args...)
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

func TestNewCmdList(t *testing.T) {
	t.Parallel()
	got, err := cmdtest.Parse(t, NewCmdList)
	require.NoError(t, err)
	assert.Equal(t, "", got.Name)
	assert.Equal(t, "", got.Email)

	got, err = cmdtest.Parse(t, NewCmdList, "--name", "ci-", "--email", "@org-")
	require.NoError(t, err)
	assert.Equal(t, "ci-", got.Name)
	assert.Equal(t, "@org-", got.Email)

	_, err = cmdtest.Parse(t, NewCmdList, "ci")
	cmdtest.Usage(t, err, `takes no arguments, got "ci"`)
}

// refCases are the --name and --email cases every command about one
// service account shares; extra are its own flags, appended to each.
func refCases(extra ...string) []struct {
	name    string
	args    []string
	want    serviceaccounts.Ref
	wantErr string
} {
	with := func(args ...string) []string { return append(args, extra...) }
	return []struct {
		name    string
		args    []string
		want    serviceaccounts.Ref
		wantErr string
	}{
		{name: "by name", args: with("ci"), want: serviceaccounts.ByName("ci")},
		{name: "by email", args: with("CI@org-1.serviceaccount.com"), want: serviceaccounts.ByEmail("CI@org-1.serviceaccount.com")},
		{name: "by the deprecated --name", args: with("--name", "ci"), want: serviceaccounts.ByName("ci")},
		{name: "by the deprecated --email", args: with("--email", "CI@org-1.serviceaccount.com"), want: serviceaccounts.ByEmail("CI@org-1.serviceaccount.com")},
		{name: "by email with =", args: with("--email=ci@x"), want: serviceaccounts.ByEmail("ci@x")},
		{name: "neither", args: with(), wantErr: "name the service account: "},
		{name: "both flags", args: with("--name", "ci", "--email", "ci@x"), wantErr: "--name and --email both name a service account: give one of them"},
		{name: "argument and flag", args: with("ci", "--name", "ci"), wantErr: "the service account is named twice"},
		{name: "empty name", args: with("--name", ""), wantErr: "--name is empty"},
		{name: "empty argument", args: with(" "), wantErr: "the service account's name is empty"},
		{name: "blank email", args: with("--email", "  "), wantErr: "--email is empty"},
		{name: "two arguments", args: with("ci", "cd"), wantErr: `takes one service account, 2 given`},
	}
}

func TestNewCmdGet(t *testing.T) {
	t.Parallel()
	for _, tt := range refCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cmdtest.Parse(t, NewCmdGet, tt.args...)
			if tt.wantErr != "" {
				cmdtest.Usage(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Ref)
		})
	}
}

func TestNewCmdKey(t *testing.T) {
	t.Parallel()
	for _, tt := range refCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cmdtest.Parse(t, NewCmdKey, tt.args...)
			if tt.wantErr != "" {
				cmdtest.Usage(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, KeyOptions{F: got.F, Ref: tt.want}, *got)
		})
	}
	got, err := cmdtest.Parse(t, NewCmdKey, "ci", "--expires", "12h", "--out", "ci.json", "--clobber")
	require.NoError(t, err)
	assert.Equal(t, KeyOptions{F: got.F, Ref: serviceaccounts.ByName("ci"), ExpiresIn: 12 * time.Hour, Out: "ci.json", Clobber: true}, *got)
	_, err = cmdtest.Parse(t, NewCmdKey, "--name", "ci", "--expires", "0s")
	cmdtest.Usage(t, err, "not positive")
	_, err = cmdtest.Parse(t, NewCmdKey, "--name", "ci", "--yes")
	require.Error(t, err, "sa key has no --yes: it takes nothing away")
}

func TestNewCmdRotate(t *testing.T) {
	t.Parallel()
	for _, tt := range refCases("--yes") {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cmdtest.Parse(t, NewCmdRotate, tt.args...)
			if tt.wantErr != "" {
				cmdtest.Usage(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, RotateOptions{F: got.F, Ref: tt.want, Yes: true}, *got)
		})
	}
	got, err := cmdtest.Parse(t, NewCmdRotate, "ci@x", "--expires", "1w", "--out", "ci.json")
	require.NoError(t, err)
	assert.Equal(t, RotateOptions{F: got.F, Ref: serviceaccounts.ByEmail("ci@x"), ExpiresIn: 7 * 24 * time.Hour, Out: "ci.json"}, *got)
	_, err = cmdtest.Parse(t, NewCmdRotate, "--name", "ci", "--expires", "forever", "--yes")
	cmdtest.Usage(t, err, "--expires")
}

func TestNewCmdRevokeAll(t *testing.T) {
	t.Parallel()
	for _, tt := range refCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cmdtest.Parse(t, NewCmdRevokeAll, tt.args...)
			if tt.wantErr != "" {
				cmdtest.Usage(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, RevokeAllOptions{F: got.F, Ref: tt.want}, *got)
		})
	}
	got, err := cmdtest.Parse(t, NewCmdRevokeAll, "--name", "ci", "--yes")
	require.NoError(t, err)
	assert.True(t, got.Yes)
	_, err = cmdtest.Parse(t, NewCmdRevokeAll, "--name", "ci", "--expires", "1d")
	require.Error(t, err, "revoke-all makes no key")
}

func TestNewCmdDelete(t *testing.T) {
	t.Parallel()
	for _, tt := range refCases("--yes") {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := cmdtest.Parse(t, NewCmdDelete, tt.args...)
			if tt.wantErr != "" {
				cmdtest.Usage(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, DeleteOptions{F: got.F, Ref: tt.want, Yes: true}, *got)
		})
	}
	got, err := cmdtest.Parse(t, NewCmdDelete, "--name", "ci")
	require.NoError(t, err)
	assert.False(t, got.Yes)
}

func TestNewCmdSA(t *testing.T) {
	t.Parallel()
	io, _, _, _ := iostreams.Test()
	cmd := NewCmdSA(cmdutil.NewFactory(io, "test"))
	var verbs []string
	for _, c := range cmd.Commands() {
		verbs = append(verbs, c.Name())
		assert.NotEmpty(t, c.Short, c.Name())
		assert.NotEmpty(t, c.Long, c.Name())
		assert.Contains(t, c.Example, "anyscale-keys sa "+c.Name(), c.Name())
	}
	assert.ElementsMatch(t, []string{"create", "list", "get", "key", "rotate", "revoke-all", "delete"}, verbs)
}
