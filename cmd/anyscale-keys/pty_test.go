//go:build !windows

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
)

// terminal runs anyscale-keys with args in a pseudo-terminal, as a person
// at a terminal would: standard input, output and error are the terminal.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	seen bytes.Buffer
	done chan struct{}
}

func startTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	return startTerminalSized(t, 200, env, args...)
}

// startTerminalSized is startTerminal on a terminal cols columns wide.
func startTerminalSized(t *testing.T, cols uint16, env []string, args ...string) *terminal {
	t.Helper()
	// The test binary runs anyscale-keys when called by that name (see
	// TestMain).
	bin := filepath.Join(t.TempDir(), "anyscale-keys")
	self, err := os.Executable()
	require.NoError(t, err)
	require.NoError(t, os.Symlink(self, bin))
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: cols})
	require.NoError(t, err)
	term := &terminal{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			term.mu.Lock()
			term.seen.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		tty.Close()
	})
	return term
}

// waitFor waits until the terminal has shown text.
func (term *terminal) waitFor(text string) {
	term.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		term.mu.Lock()
		shown := term.seen.String()
		term.mu.Unlock()
		if strings.Contains(shown, text) {
			return
		}
		select {
		case <-deadline:
			term.t.Fatalf("the terminal never showed %q; it showed:\n%s", text, shown)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// type writes keys to the terminal, as a person typing.
func (term *terminal) typeKeys(keys string) {
	_, err := io.WriteString(term.tty, keys)
	require.NoError(term.t, err)
}

// wait waits for the command to end and returns its exit code and all it
// showed.
func (term *terminal) wait() (int, string) {
	term.t.Helper()
	err := term.cmd.Wait()
	<-term.done
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(term.t, err)
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	shown := term.seen.String()
	for _, bad := range goWords(shown) {
		term.t.Errorf("anyscale-keys %s named a Go identifier or the other CLI: %s", strings.Join(term.cmd.Args[1:], " "), bad)
	}
	return code, shown
}

// At a terminal, a bulk revoke asks first, naming what will be lost, and
// shows a progress bar while it works.
func TestTerminalRevokeAsksAndShowsProgress(t *testing.T) {
	srv := anyscaletest.Start(t)
	owner := srv.Owner()
	var ids []string
	for i := range 260 {
		id, _ := srv.AddKey(owner, fmt.Sprintf("k%03d", i), time.Hour)
		ids = append(ids, id)
	}
	env := []string{"ANYSCALE_HOST=" + srv.URL, "ANYSCALE_CLI_TOKEN=" + owner.Token, "HOME=" + t.TempDir()}

	// Answered no: nothing is revoked.
	term := startTerminal(t, env, append([]string{"keys", "revoke"}, ids...)...)
	term.waitFor("[y/N]")
	term.typeKeys("n\r")
	code, shown := term.wait()
	assert.Equal(t, 1, code, shown)
	assert.Contains(t, shown, "260 keys")
	for _, id := range ids {
		k, _ := srv.Key(id)
		require.Nil(t, k.RevokedAt, "answered no, yet a key was revoked")
	}

	// Answered yes: revoked, with a progress bar on the way.
	term = startTerminal(t, env, append([]string{"keys", "revoke"}, ids...)...)
	term.waitFor("[y/N]")
	term.typeKeys("y\r")
	code, shown = term.wait()
	assert.Equal(t, 0, code, shown)
	assert.Contains(t, shown, "\rRevoking 260 keys [", "a progress bar, redrawn in place")
	assert.Contains(t, shown, "260/260")
	for _, id := range ids {
		k, _ := srv.Key(id)
		assert.NotNil(t, k.RevokedAt)
	}
	assert.NotContains(t, shown, owner.Token)
}

// Piped, the same command does not ask: without --yes it refuses, naming
// the flag, and changes nothing.
func TestPipedRevokeRefusesWithoutYes(t *testing.T) {
	srv := anyscaletest.Start(t)
	id, _ := srv.AddKey(srv.Owner(), "k", time.Hour)
	bin := filepath.Join(t.TempDir(), "anyscale-keys")
	self, err := os.Executable()
	require.NoError(t, err)
	require.NoError(t, os.Symlink(self, bin))
	cmd := exec.Command(bin, "keys", "revoke", id)
	cmd.Env = append(os.Environ(), "ANYSCALE_HOST="+srv.URL, "ANYSCALE_CLI_TOKEN="+srv.Owner().Token, "HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.ExitCode())
	assert.Contains(t, stderr.String(), "--yes")
	assert.NotContains(t, stderr.String(), "[y/N]")
	k, _ := srv.Key(id)
	assert.Nil(t, k.RevokedAt)
}

// Ctrl-C at a confirmation prompt stops the command at once with exit 130,
// saying so, and nothing is changed.
func TestTerminalCtrlCAtThePrompt(t *testing.T) {
	srv := anyscaletest.Start(t)
	owner := srv.Owner()
	id, _ := srv.AddKey(owner, "k", time.Hour)
	bob := srv.AddUser("bob@example.com", anyscaletest.Collaborator)
	env := []string{"ANYSCALE_HOST=" + srv.URL, "ANYSCALE_CLI_TOKEN=" + owner.Token, "HOME=" + t.TempDir()}
	for _, args := range [][]string{
		{"keys", "revoke", id},
		{"keys", "rotate"},
		{"members", "remove", bob.Email},
	} {
		term := startTerminal(t, env, args...)
		term.waitFor("[y/N]")
		term.typeKeys("\x03")
		code, shown := term.wait()
		assert.Equal(t, 130, code, "%v: %s", args, shown)
		assert.Contains(t, shown, "interrupted at the question: nothing was changed", args)
		k, _ := srv.Key(id)
		assert.Nil(t, k.RevokedAt, "%v: nothing was changed", args)
		assert.NotContains(t, shown, owner.Token)
	}
	_, member := srv.LookupUser(bob.Email)
	assert.True(t, member, "bob is still a member")
}

// On an 80-column terminal, every line of the tables fits: ids shortened
// to a unique prefix, long names and emails cut with "…", times relative.
func TestTerminalTablesFit80Columns(t *testing.T) {
	srv := anyscaletest.Start(t)
	owner := srv.Owner()
	long := "a-key-name-that-goes-on-and-on-well-past-any-column-width-there-is"
	for i := range 3 {
		srv.AddKey(owner, fmt.Sprintf("%s-%d", long, i), 20*24*time.Hour)
	}
	srv.AddKey(owner, "legacy-without-expiry", 0)
	someone := srv.AddUser("someone.with.a.rather.long.address@engineering.example-corporation.com", anyscaletest.Collaborator)
	srv.AddKey(someone, long, 0)
	bot := srv.AddServiceAccount("a-service-account-with-a-name-as-long-as-the-policy-allows-it-x")
	srv.AddKey(bot, "bot-key", 0)
	env := []string{"ANYSCALE_HOST=" + srv.URL, "ANYSCALE_CLI_TOKEN=" + owner.Token, "HOME=" + plainHome(t)}
	for _, args := range [][]string{
		{"keys", "list"},
		{"keys", "list", "--org"},
		{"keys", "audit", "--org"},
		{"members", "list"},
		{"sa", "list"},
		{"auth", "explain"},
	} {
		term := startTerminalSized(t, 80, env, args...)
		code, shown := term.wait()
		require.Equal(t, 0, code, "%v: %s", args, shown)
		lines := 0
		for _, line := range strings.Split(shown, "\n") {
			line = strings.TrimRight(line, "\r")
			if i := strings.LastIndex(line, "\r"); i >= 0 {
				line = line[i+1:] // a progress bar, redrawn in place
			}
			if w := utf8.RuneCountInString(line); w > 80 {
				t.Errorf("%v: a line of %d columns:\n%s", args, w, line)
			}
			lines++
		}
		assert.Greater(t, lines, 2, "%v: %s", args, shown)
		assert.NotRegexp(t, `[0-9a-f]{64}`, shown, "%v: a whole id on a terminal", args)
		if args[0] == "keys" {
			assert.Regexp(t, `(?m)^(OWNER\s+)?ID\s+NAME\s+`, shown, args)
			assert.Contains(t, shown, "…", "%v: a long value is cut with an ellipsis", args)
		}
		if args[0] == "keys" && args[1] == "list" {
			assert.Regexp(t, `in \d+ days`, shown, "%v: times are relative", args)
		}
		if args[0] == "members" {
			assert.Contains(t, shown, "someone.with.a.rat…", "%v: a long email is cut to fit with an ellipsis, its start kept", args)
			assert.NotContains(t, shown, "engineering.example-corporation.com", "%v: not shown whole", args)
		}
	}
	// keys list --org names each key's owner: a user's email (cut to fit),
	// or a service account's name.
	term := startTerminalSized(t, 200, env, "keys", "list", "--org")
	_, shown := term.wait()
	assert.Regexp(t, `(?m)^ID\s+NAME\s+STATUS\s+EXPIRES\s+LAST USED\s+OWNER\s*\r?$`, shown)
	assert.Contains(t, shown, "someone.with.a.rather.long.address@engineering.example-corporation.com")
	assert.Contains(t, shown, "a-service-account-with-a-name-as-long-as-the-policy-allows-it-x")
	assert.Contains(t, shown, owner.Email)
}

// plainHome is a home directory whose path names no test (t.TempDir's
// holds the test's CamelCase name, which the Go-words check would read as
// a Go identifier in what the CLI prints of the path).
func plainHome(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "home")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
