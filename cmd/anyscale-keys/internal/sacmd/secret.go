package sacmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// keyFlags are --expires and --out, of the commands that make a key.
type keyFlags struct {
	expires, out string
}

func (k *keyFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.expires, "expires", "", "the new key's lifetime, a `DURATION` such as 90d, 12h or 1w (default 100 years)")
	cmd.Flags().StringVar(&k.out, "out", "", "write the new key to `FILE` as a credentials file (mode 0600) instead of printing it")
}

// parse returns the lifetime --expires asks for (0: the default) and the
// file --out names ("": standard output).
func (k *keyFlags) parse(cmd *cobra.Command) (time.Duration, string, error) {
	var d time.Duration
	if cmd.Flags().Changed("expires") {
		var err error
		if d, err = cmdutil.ParseDuration(k.expires); err != nil {
			return 0, "", fmt.Errorf("--expires: %w", err)
		}
		if d < time.Second || d > serviceaccounts.DefaultKeyLifetime {
			return 0, "", cmdutil.UsageError(fmt.Errorf("--expires %s: a service account key lives from 1s to 100 years", k.expires))
		}
	}
	if cmd.Flags().Changed("out") && strings.TrimSpace(k.out) == "" {
		return 0, "", cmdutil.UsageError(errors.New("--out is empty: give the file to write the key to"))
	}
	return d, k.out, nil
}

// keyOptions are the SDK's options for a key that lives d (0: the
// default).
func keyOptions(d time.Duration) []serviceaccounts.KeyOption {
	if d == 0 {
		return nil
	}
	return []serviceaccounts.KeyOption{serviceaccounts.WithExpiresIn(d)}
}

// checkOut refuses, before anything is made, an --out that
// credentials.Save would refuse once the key exists, when nobody could
// hold the key any more: a symbolic link, something other than a regular
// file, a directory that others may write or that cannot be written.
func checkOut(path string) error {
	if path == "" {
		return nil
	}
	refuse := func(format string, a ...any) error {
		return cmdutil.UsageError(fmt.Errorf("--out %s "+format+"; nothing was changed", append([]any{path}, a...)...))
	}
	if info, err := os.Lstat(path); err == nil {
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return refuse("is a symbolic link; give the path of the file itself")
		case !info.Mode().IsRegular():
			return refuse("is not a regular file")
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return refuse("cannot be used: %v", err)
	}
	var loose *credentials.InsecurePermissionsError
	if err := credentials.CheckPermissions(path); errors.As(err, &loose) && loose.Mode.IsDir() {
		return refuse("cannot be used: %v", err)
	}
	// The file goes in its directory, which credentials.Save makes with
	// mode 0700 when it is missing: the nearest directory that exists must
	// take a new entry.
	dir := filepath.Dir(path)
	for {
		info, err := os.Stat(dir)
		if err == nil {
			if !info.IsDir() {
				return refuse("cannot be written: %s is not a directory", dir)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return refuse("cannot be used: %v", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return refuse("cannot be used: %v", err)
		}
		dir = parent
	}
	probe, err := os.CreateTemp(dir, ".anyscale-keys-probe-*")
	if err != nil {
		return refuse("cannot be written: %v", err)
	}
	_ = probe.Close()
	_ = os.Remove(probe.Name())
	return nil
}

// deliver hands over a new key of whose: its secret alone on standard
// output, or with out a credentials file at out. The message on standard
// error says that the secret is shown only once.
func deliver(io *iostreams.IOStreams, secret credentials.Secret, out, whose string) error {
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

// whereTo names where deliver writes a key: out, or standard output.
func whereTo(out string) string {
	if out == "" {
		return "standard output"
	}
	return out
}

// sdkCalls are the SDK calls that the SDK's errors suggest, and the
// commands that make them for a service account.
var sdkCalls = []struct {
	call    *regexp.Regexp
	shown   string
	command func(ref serviceaccounts.Ref) string
}{
	{regexp.MustCompile(`\bGet\(`), "Get", func(ref serviceaccounts.Ref) string { return "sa get " + flagOf(ref) }},
	{regexp.MustCompile(`\bwith All\b`), "All", func(serviceaccounts.Ref) string { return "sa list" }},
	{regexp.MustCompile(`\bCreate\b`), "Create", func(serviceaccounts.Ref) string { return "sa create NAME" }},
	{regexp.MustCompile(`\bCreateAPIKey\b`), "CreateAPIKey", func(ref serviceaccounts.Ref) string { return "sa key " + flagOf(ref) }},
	{regexp.MustCompile(`\bRotateAPIKeys\b`), "RotateAPIKeys", func(ref serviceaccounts.Ref) string { return "sa rotate " + flagOf(ref) }},
	{regexp.MustCompile(`\bkeys\.New\(c\)\.Rotate\b`), "keys.New(c).Rotate, run on the service account's own token,",
		func(serviceaccounts.Ref) string { return "keys rotate" }},
}

// onCommandLine adds to err the commands that make the SDK calls its
// message suggests, for the service account ref.
func onCommandLine(err error, ref serviceaccounts.Ref) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var said []string
	for _, c := range sdkCalls {
		if c.call.MatchString(msg) {
			said = append(said, fmt.Sprintf("%s is `anyscale-keys %s`", c.shown, c.command(ref)))
		}
	}
	if len(said) == 0 {
		return err
	}
	return fmt.Errorf("%w\non the command line, %s", err, strings.Join(said, "; "))
}
