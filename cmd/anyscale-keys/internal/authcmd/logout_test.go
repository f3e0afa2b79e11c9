package authcmd

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/credentials"
)

func (e *testEnv) logout(args ...string) error {
	return execute(NewCmdLogout(e.f), args...)
}

func TestLogoutFlags(t *testing.T) {
	e := newTestEnv(t, false)
	ran := false
	if err := execute(newCmdLogout(e.f, func(_ context.Context, o *LogoutOptions) error { ran = o.F == e.f; return nil })); err != nil || !ran {
		t.Fatalf("ran %v: %v", ran, err)
	}
	if err := execute(newCmdLogout(e.f, func(context.Context, *LogoutOptions) error { return nil }), "extra"); err == nil {
		t.Error("an argument was accepted")
	}
	cmd := NewCmdLogout(e.f)
	if !strings.Contains(cmd.Long, "does not revoke") || !strings.Contains(cmd.Long, "keys revoke") || cmd.Example == "" {
		t.Error("the help does not say that logout does not revoke, and how to")
	}
}

func TestLogoutRemoves(t *testing.T) {
	t.Setenv(auth.EnvToken, "")
	os.Unsetenv(auth.EnvToken)
	e := newTestEnv(t, false)
	if err := credentials.Save(e.path, fileToken); err != nil {
		t.Fatal(err)
	}
	if err := e.logout(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.path); !os.IsNotExist(err) {
		t.Errorf("the file is still there: %v", err)
	}
	want := "Removed " + e.path + " (key " + credentials.Secret(fileToken).Fingerprint() + ").\nThe key is not revoked"
	if !strings.Contains(e.err.String(), want) || strings.Contains(e.err.String(), fileToken) || e.out.Len() != 0 {
		t.Errorf("stdout %q\nstderr %q", e.out, e.err)
	}
	if strings.Contains(e.err.String(), auth.EnvToken) {
		t.Errorf("stderr speaks of %s, which is not set: %q", auth.EnvToken, e.err)
	}
}

func TestLogoutMissingFile(t *testing.T) {
	e := newTestEnv(t, false)
	e.f.Output = cmdutil.FormatJSON
	if err := e.logout(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.err.String(), "No credentials file at "+e.path) ||
		!strings.Contains(e.out.String(), `"removed": false`) {
		t.Errorf("stdout %q\nstderr %q", e.out, e.err)
	}
}

func TestLogoutJSON(t *testing.T) {
	e := newTestEnv(t, false)
	e.f.Output = cmdutil.FormatJSON
	if err := credentials.Save(e.path, fileToken); err != nil {
		t.Fatal(err)
	}
	if err := e.logout(); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"path\": \"" + e.path + "\",\n  \"removed\": true\n}\n"
	if e.out.String() != want {
		t.Errorf("stdout %q, want %q", e.out, want)
	}
}

func TestLogoutCorruptFile(t *testing.T) {
	e := newTestEnv(t, false)
	if err := credentials.Save(e.path, fileToken); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.path, []byte(`{"cli_token": `), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.logout(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.err.String(), "Removed "+e.path+".\n") {
		t.Errorf("stderr %q", e.err)
	}
}

func TestLogoutRefusesADirectory(t *testing.T) {
	e := newTestEnv(t, false)
	if err := os.MkdirAll(e.path, 0o700); err != nil {
		t.Fatal(err)
	}
	err := e.logout()
	if c := exitCode(t, err); c != cmdutil.ExitFailure || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("exit %d: %v", c, err)
	}
	if info, err := os.Stat(e.path); err != nil || !info.IsDir() {
		t.Errorf("the directory is gone: %v", err)
	}
}

func TestLogoutNotesTheVariable(t *testing.T) {
	t.Setenv(auth.EnvToken, envToken)
	e := newTestEnv(t, false)
	if err := e.logout(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.err.String(), "Note: ANYSCALE_CLI_TOKEN is still set") || strings.Contains(e.err.String(), envToken) {
		t.Errorf("stderr %q", e.err)
	}
}
