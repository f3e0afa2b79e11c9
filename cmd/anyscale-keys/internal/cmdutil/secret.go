package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/credentials"
)

// CheckOut refuses, before anything is made, an --out that
// credentials.Save would refuse once the key exists, when nobody could
// hold the key any more: a symbolic link, something other than a regular
// file, a directory that others may write or that cannot be written.
func CheckOut(path string) error {
	if path == "" {
		return nil
	}
	refuse := func(format string, a ...any) error {
		return UsageError(fmt.Errorf("--out %s "+format+"; nothing was changed", append([]any{path}, a...)...))
	}
	if info, err := os.Lstat(path); err == nil {
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return refuse("is a symbolic link; give the path of the file itself")
		case info.IsDir():
			return refuse("is a directory; give the path of the credentials file to write")
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
