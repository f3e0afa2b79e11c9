package cmdutil

import (
	"fmt"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/credentials"
)

// CheckOut refuses, before anything is made, an --out that
// credentials.Save would refuse once the key exists, when nobody could
// hold the key any more (see credentials.CheckSave).
func CheckOut(path string) error {
	if path == "" {
		return nil
	}
	if err := credentials.CheckSave(path); err != nil {
		return UsageError(fmt.Errorf("--out %s: %w; nothing was changed", path, err))
	}
	return nil
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
