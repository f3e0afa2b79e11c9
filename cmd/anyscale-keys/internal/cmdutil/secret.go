package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/credentials"
)

// CheckOut refuses, before anything is made, an --out that would lose
// the new key or something else: an existing file without --clobber
// (clobber), a directory that does not exist (it is not created), and
// whatever credentials.Save would refuse once the key exists, when nobody
// could hold the key any more (see credentials.CheckSave).
func CheckOut(path string, clobber bool) error {
	if path == "" {
		return nil
	}
	if info, err := os.Lstat(path); err == nil && !info.IsDir() && !clobber {
		return UsageError(fmt.Errorf("--out %s: the file exists: pass --clobber to replace it; nothing was changed", path))
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return UsageError(fmt.Errorf("--out %s: the directory %s does not exist: create it first; nothing was changed", path, dir))
	} else if err == nil && !info.IsDir() {
		return UsageError(fmt.Errorf("--out %s: %s is not a directory; nothing was changed", path, dir))
	}
	if err := credentials.CheckSave(path); err != nil {
		return UsageError(fmt.Errorf("--out %s: %w; nothing was changed", path, err))
	}
	return nil
}

// AddOutFlags adds --out FILE and --clobber to a command that makes a key.
func AddOutFlags(cmd *cobra.Command, out *string, clobber *bool, what string) {
	cmd.Flags().StringVar(out, "out", "", "write "+what+" to `FILE` as a credentials file (mode 0600) instead of standard output")
	cmd.Flags().BoolVar(clobber, "clobber", false, "let --out replace a file that exists")
}

// Deliver hands over a new key of whose: its secret alone on standard
// output, or with out a credentials file at out. The message on standard
// error says that the secret is shown only once.
func Deliver(io *iostreams.IOStreams, secret credentials.Secret, out, whose string) error {
	if out == "" {
		fmt.Fprintf(io.ErrOut, "The new key of %s is on standard output. Store it now: it is shown only once.\n", whose)
		_, err := fmt.Fprintln(io.Out, secret.Reveal())
		return err
	}
	if err := credentials.Save(out, secret); err != nil {
		return err
	}
	fmt.Fprintf(io.ErrOut, "Wrote the new key of %s to %s (mode 0600). It is shown nowhere else.\n", whose, out)
	return nil
}

// WhereTo names where Deliver writes a key: out, or standard output.
func WhereTo(out string) string {
	if out == "" {
		return "standard output"
	}
	return out
}
