package authcmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/credentials"
)

// LogoutOptions are `logout`'s flags and dependencies.
type LogoutOptions struct {
	F *cmdutil.Factory
}

// logoutJSON is logout's -o json output.
type logoutJSON struct {
	Path string `json:"path"`
	// Removed reports whether there was a file to remove.
	Removed bool `json:"removed"`
}

// NewCmdLogout returns `logout`.
func NewCmdLogout(f *cmdutil.Factory) *cobra.Command { return newCmdLogout(f, nil) }

// newCmdLogout returns `logout`; runF, when set, runs instead of
// logoutRun (tests check the parsing alone).
func newCmdLogout(f *cmdutil.Factory, runF func(context.Context, *LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{F: f}
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the saved credentials file",
		Long: `Remove the credentials file, ~/.anyscale/credentials.json, that "anyscale-keys
login" (or the Anyscale CLI) wrote. A missing file is not an error.

logout does not revoke the key the file held: the key keeps working until it
expires. To revoke it too, do so before logging out, while it still
authenticates: find its ID with "anyscale-keys keys list", then run
"anyscale-keys keys revoke ID".

ANYSCALE_CLI_TOKEN, when set, is not touched: commands keep using it.

With -o json, standard output gets an object: path (the file) and removed
(whether there was one).`,
		Example: `  anyscale-keys logout

  # Revoke the key, then remove it
  anyscale-keys keys list
  anyscale-keys keys revoke "$KEY_ID" && anyscale-keys logout`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
}

func logoutRun(_ context.Context, opts *LogoutOptions) error {
	f := opts.F
	path, err := f.CredentialsPath()
	if err != nil {
		return err
	}
	out := logoutJSON{Path: path}
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(f.IO.ErrOut, "No credentials file at %s: nothing to remove.\n", path)
	case err != nil:
		return fmt.Errorf("logout: %w", err)
	case info.IsDir():
		return fmt.Errorf("logout: %s is a directory, not a credentials file: not removing it", path)
	default:
		// The fingerprint names the key without showing it; a file that
		// holds no valid token is removed all the same.
		what := ""
		if cf, err := credentials.Load(path); err == nil && credentials.ValidateToken(cf.CLIToken.Reveal()) == nil {
			what = " (key " + cf.CLIToken.Fingerprint() + ")"
		}
		if err := credentials.Remove(path); err != nil {
			return err
		}
		out.Removed = true
		fmt.Fprintf(f.IO.ErrOut, "Removed %s%s.\n", path, what)
		fmt.Fprintln(f.IO.ErrOut, `The key is not revoked: it works until it expires (see "anyscale-keys logout --help").`)
	}
	if _, set := os.LookupEnv(auth.EnvToken); set {
		fmt.Fprintf(f.IO.ErrOut, "Note: %s is still set: commands keep using its token.\n", auth.EnvToken)
	}
	if f.JSON() {
		return cmdutil.WriteJSON(f.IO.Out, out)
	}
	return nil
}
