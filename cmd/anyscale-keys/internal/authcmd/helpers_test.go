package authcmd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
)

// testEnv is a Factory on test streams whose client talks to a fake API
// (or to none) with no token configured, and whose credentials file is in
// a directory of the test's own.
type testEnv struct {
	f        *cmdutil.Factory
	out, err *bytes.Buffer
	path     string
	srv      *anyscaletest.Server
}

func newTestEnv(t *testing.T, withServer bool) *testEnv {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	e := &testEnv{out: out, err: errOut, path: filepath.Join(t.TempDir(), ".anyscale", "credentials.json")}
	e.f = cmdutil.NewFactory(io, "test")
	e.f.CredentialsPath = func() (string, error) { return e.path, nil }
	base := "https://api.invalid"
	if withServer {
		e.srv = anyscaletest.NewServer(anyscaletest.WithOwnerEmail("owner@example.com"))
		t.Cleanup(e.srv.Close)
		base = e.srv.URL
	}
	e.f.Client = func() (*client.Client, error) {
		// An empty chain: no token anywhere.
		return client.New(client.WithBaseURL(base), client.WithProvider(auth.NewChain()))
	}
	return e
}

// execute runs cmd with args as the root would, but alone.
func execute(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

// exitCode is the exit code err maps to, failing the test on a nil err.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	return cmdutil.ExitCode(err)
}

var errBoom = errors.New("boom")
