// Package cmdtest holds what the tests of the command packages share:
// parsing a command line alone, with the command's run function replaced,
// and running a command as the root would, without the root.
package cmdtest

import (
	"context"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
)

// Parse runs the command newCmd makes on args, on test streams, with a run
// function that only keeps the options, and returns them, or the error
// that refused args. Flag errors are usage errors, as the root makes them.
func Parse[T any](t testing.TB, newCmd func(*cmdutil.Factory, func(context.Context, *T) error) *cobra.Command, args ...string) (*T, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	var got *T
	cmd := newCmd(cmdutil.NewFactory(ios, "test"), func(_ context.Context, opts *T) error {
		got = opts
		return nil
	})
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.UsageError(err) })
	err := Execute(context.Background(), cmd, ios, args...)
	if err == nil {
		require.NotNil(t, got, "runF was not called")
	}
	return got, err
}

// Usage asserts that err is a usage error (exit code 2) that says want.
func Usage(t testing.TB, err error, want string) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, cmdutil.ExitUsage, cmdutil.ExitCode(err), "exit code of %q", err)
	assert.Contains(t, err.Error(), want)
}

// Execute runs cmd on args in ctx with the streams ios, quiet about its
// errors and usage as the root command is.
func Execute(ctx context.Context, cmd *cobra.Command, ios *iostreams.IOStreams, args ...string) error {
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	cmd.SetIn(ios.In)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	return cmd.ExecuteContext(ctx)
}
