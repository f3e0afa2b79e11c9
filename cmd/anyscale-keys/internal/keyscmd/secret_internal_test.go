package keyscmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

// A new key whose secret could not be saved is revoked: nobody holds it,
// and its name is free for the next try.
func TestLostSecretRevokes(t *testing.T) {
	srv := anyscaletest.Start(t)
	c, err := srv.Client(srv.Owner())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ks := keys.New(c)
	k, err := ks.Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	saveErr := errors.New("disk full")
	err = lostSecret(ctx, ks, k, "creds.json", saveErr)
	if !errors.Is(err, saveErr) || !strings.Contains(err.Error(), `the new key "ci" was revoked`) {
		t.Errorf("err = %v", err)
	}
	for _, sk := range srv.Keys(srv.Owner()) {
		if sk.ID == k.Key.ID && sk.RevokedAt == nil {
			t.Error("the key is still active")
		}
	}
	if strings.Contains(err.Error(), "aph0_") {
		t.Error("the error shows a secret")
	}

	// A key not read back has no id: the error says how to find it.
	err = lostSecret(ctx, ks, &keys.CreatedKey{Key: keys.Key{Name: "lost"}, Secret: k.Secret}, "creds.json", saveErr)
	if !strings.Contains(err.Error(), `keys list --name "lost"`) {
		t.Errorf("err = %v", err)
	}
}

// A rotated secret that cannot be saved is printed where a secret belongs:
// every other key is gone.
func TestSaveRotated(t *testing.T) {
	const secret = credentials.Secret("aph0_0123456789abcdefghijklmnopqrstuvwxyz0123")
	dir := t.TempDir()

	io, _, out, errOut := iostreams.Test()
	f := cmdutil.NewFactory(io, "test")
	path := filepath.Join(dir, "creds.json")
	if err := saveRotated(f, path, secret); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || strings.Contains(errOut.String(), secret.Reveal()) || !strings.Contains(errOut.String(), secret.Fingerprint()) {
		t.Errorf("stdout %d bytes, stderr %q", out.Len(), errOut)
	}
	if got, err := credentials.Load(path); err != nil || got.CLIToken != secret {
		t.Errorf("saved file: %v", err)
	}

	if runtime.GOOS == "windows" {
		return
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), link); err != nil {
		t.Fatal(err)
	}
	io, _, out, errOut = iostreams.Test()
	f = cmdutil.NewFactory(io, "test")
	err := saveRotated(f, link, secret)
	if err == nil || !strings.Contains(err.Error(), "printed on standard output instead") || strings.Contains(err.Error(), secret.Reveal()) {
		t.Errorf("err = %v", err)
	}
	if out.String() != secret.Reveal()+"\n" || errOut.Len() != 0 {
		t.Errorf("stdout is not the secret alone; stderr %q", errOut)
	}
}
