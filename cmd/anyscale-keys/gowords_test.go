package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/root"
	"github.com/anyscale-go/anyscale/internal/advice/advicetest"
)

// goWord matches what a message of the command line never says: a Go
// identifier or the other CLI's login; the SDK's facts are held to the
// same pattern. The command line speaks of its own commands and flags.
var goWord = advicetest.GoWord

// completionTrailer starts the line cobra's hidden __complete command
// writes to standard error for the shell's completion script, which
// discards it: the protocol, not a message to a person.
const completionTrailer = "Completion ended with directive: "

// properNames are words goWord matches that name no Go identifier.
var properNames = map[string]bool{"GitHub": true}

// goWords returns every line of out that names a Go identifier or the
// other CLI.
func goWords(out string) []string {
	var bad []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, completionTrailer) {
			continue
		}
		for _, m := range goWord.FindAllString(line, -1) {
			if !properNames[m] {
				bad = append(bad, fmt.Sprintf("%q in: %s", m, line))
			}
		}
	}
	return bad
}

// transcriptEnv names the file that anyscale-keys, run by a test, appends
// everything it writes to (standard output and standard error), so that
// the test can check all of it once the script ends.
const transcriptEnv = "ANYSCALE_KEYS_TEST_TRANSCRIPT"

// unsetEnv names the variables (comma-separated) that anyscale-keys, run
// by a script, runs without while they are empty: testscript can set a
// variable empty but not unset it (see the script command unset).
const unsetEnv = "ANYSCALE_KEYS_TEST_UNSET"

// runCLI runs anyscale-keys as main does, and copies what it writes to
// $ANYSCALE_KEYS_TEST_TRANSCRIPT when that is set.
func runCLI() int {
	for _, name := range strings.Split(os.Getenv(unsetEnv), ",") {
		if name != "" && os.Getenv(name) == "" {
			os.Unsetenv(name)
		}
	}
	os.Unsetenv(unsetEnv)
	streams := iostreams.System()
	if path := os.Getenv(transcriptEnv); path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintf(os.Stderr, "test harness: %v\n", err)
			return 1
		}
		defer f.Close()
		w := &lockedWriter{w: f}
		streams.Out = io.MultiWriter(streams.Out, w)
		streams.ErrOut = io.MultiWriter(streams.ErrOut, w)
	}
	return root.Main(os.Args[1:], streams)
}

// lockedWriter writes for both streams, one write at a time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestGoWord(t *testing.T) {
	said := []string{
		"anyscale-keys: organization: no member has the email \"x@y\"; list members with organization.All to check the address",
		"use https, or pass client.WithInsecureHTTP() on a trusted network",
		"check with Get(ctx, ByName(\"ci\"))",
		"rotates that token with keys.New(c).Rotate(ctx)",
		"the token was rejected: run `anyscale login` to renew it",
		"see auth.WithStrictPermissions",
		"keys: resolving OwnerEmail: not found",
	}
	for _, s := range said {
		if len(goWords(s)) == 0 {
			t.Errorf("goWords missed a Go identifier in %q", s)
		}
	}
	fine := []string{
		"anyscale-keys: serviceaccounts: no service account with name \"ci\"",
		"Run `anyscale-keys login` to renew it.",
		"Wrote the new key of service account \"ci\" to creds/ci.json (mode 0600).",
		"host: http://127.0.0.1:4242 (from ANYSCALE_HOST)",
		"ci-deploy@org-abc.serviceaccount.com  owner  2025-01-02 15:04",
		`level=DEBUG msg="anyscale request" method=GET path=/api/v2/users/api_keys status=200`,
		"Revoked every earlier key of service account \"ci\".",
		"Check the host and where the token comes from with `anyscale-keys auth explain`.",
		"# Create ci-deploy and store its key in GitHub Actions' secrets.",
	}
	for _, s := range fine {
		if got := goWords(s); len(got) != 0 {
			t.Errorf("goWords flags %q: %v", s, got)
		}
	}
}

// Every command's help (its usage line, text, examples and flags) names no
// Go identifier and not the other CLI: the scripts see only the help they
// ask for, this sees all of it.
func TestHelpNamesNoGoWord(t *testing.T) {
	streams, _, _, _ := iostreams.Test()
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		n++
		for _, bad := range goWords(strings.Join([]string{c.Short, c.Long, c.UsageString()}, "\n")) {
			t.Errorf("%s --help: %s", c.CommandPath(), bad)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root.NewCmdRoot(cmdutil.NewFactory(streams, "test")))
	if n < 20 {
		t.Fatalf("walked %d commands: the tree is missing", n)
	}
}
