package authcmd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestBrowserCommand(t *testing.T) {
	const u = "https://console.anyscale.com/otp/abc"
	for goos, want := range map[string][]string{
		"darwin":  {"open", u},
		"windows": {"rundll32", "url.dll,FileProtocolHandler", u},
		"linux":   {"xdg-open", u},
		"freebsd": {"xdg-open", u},
	} {
		name, args := browserCommand(goos, u)
		if got := append([]string{name}, args...); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", goos, got, want)
		}
	}
}

// TestOpenBrowser runs openBrowser with a fake xdg-open on PATH.
func TestOpenBrowser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake opener is a shell script named xdg-open")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "opened")
	opener := func(script string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+script+"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// The opener that stays in the foreground needs sleep, found before
	// PATH holds only the fake opener.
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	t.Setenv("PATH", dir)
	t.Setenv("OPENED", log)

	opener(`echo "$1" > "$OPENED"`)
	if err := openBrowser(context.Background(), "https://example.com/otp/x"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(log); err != nil || strings.TrimSpace(string(b)) != "https://example.com/otp/x" {
		t.Errorf("opened %q: %v", b, err)
	}

	opener("exit 3")
	if err := openBrowser(context.Background(), "https://example.com/otp/x"); err == nil || !strings.Contains(err.Error(), "xdg-open: exit status 3") {
		t.Errorf("got %v", err)
	}

	// An opener that stays in the foreground is left to run.
	opener("exec " + sleep + " 1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := openBrowser(ctx, "https://example.com/otp/x"); err != nil {
		t.Errorf("got %v", err)
	}

	t.Setenv("PATH", t.TempDir())
	if err := openBrowser(context.Background(), "https://example.com/otp/x"); err == nil {
		t.Error("a missing opener is no error")
	}
}
