package credentials

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The environment that puts the test binary in the helper mode of
// TestSaveTwoProcesses: save the token to the path the given number of
// times, once standard input closes.
const (
	helperPathEnv  = "CREDENTIALS_TEST_SAVE_PATH"
	helperTokenEnv = "CREDENTIALS_TEST_SAVE_TOKEN"
	helperCountEnv = "CREDENTIALS_TEST_SAVE_COUNT"
)

// saves is how many times each process saves its token.
const saves = 200

// TestSaveTwoProcesses starts two processes that each save their own
// token to the same path, over and over, at the same time, while this one
// loads the file as fast as it can: every load finds one whole file
// holding one of the tokens (or the old one, before the first save), and
// at the end the file holds one of the two tokens and no temporary file
// is left.
func TestSaveTwoProcesses(t *testing.T) {
	if path := os.Getenv(helperPathEnv); path != "" {
		saveLoop(t, path)
		return
	}
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("renaming over a file that another process has open fails on Windows")
	}
	path := setupOld(t)
	tokens := []string{
		"aph0_PROCESSone0123456789abcdefONE1",
		"aph0_PROCESStwo0123456789abcdefTWO2",
	}

	type child struct {
		cmd   *exec.Cmd
		start io.WriteCloser
		out   bytes.Buffer
	}
	children := make([]*child, len(tokens))
	for i, tok := range tokens {
		c := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestSaveTwoProcesses$", "-test.count=1")}
		c.cmd.Env = append(os.Environ(),
			helperPathEnv+"="+path, helperTokenEnv+"="+tok, helperCountEnv+"="+strconv.Itoa(saves))
		c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
		var err error
		c.start, err = c.cmd.StdinPipe()
		require.NoError(t, err)
		require.NoError(t, c.cmd.Start())
		children[i] = c
	}
	// Both wait on their standard input: closing it starts them together.
	for _, c := range children {
		require.NoError(t, c.start.Close())
	}
	done := make(chan error, len(children))
	for _, c := range children {
		go func() { done <- c.cmd.Wait() }()
	}

	seen := map[string]int{}
	var bad int
	var firstBad error
	for running := len(children); running > 0; {
		select {
		case err := <-done:
			running--
			assert.NoError(t, err, "a saving process failed")
			continue
		default:
		}
		f, err := Load(path)
		if err != nil {
			if bad++; firstBad == nil {
				firstBad = err
			}
			continue
		}
		seen[f.CLIToken.Reveal()]++
	}
	assert.Zero(t, bad, "every load while both save finds a whole file; the first that did not: %v", firstBad)
	if t.Failed() {
		for i, c := range children {
			t.Logf("saving process %d:\n%s", i+1, c.out.String())
		}
	}

	for tok := range seen {
		assert.Contains(t, append([]string{oldToken}, tokens...), tok, "only whole files with known tokens")
	}
	t.Logf("loads while saving, by token fingerprint: %v", fingerprints(seen))
	f, err := Load(path)
	require.NoError(t, err)
	assert.Contains(t, tokens, f.CLIToken.Reveal())
	assertOnly(t, filepath.Dir(path), FileName)
}

// saveLoop is the helper mode of TestSaveTwoProcesses: it waits for its
// standard input to close, then saves its token to path again and again.
func saveLoop(t *testing.T, path string) {
	n, err := strconv.Atoi(os.Getenv(helperCountEnv))
	require.NoError(t, err)
	tok := Secret(os.Getenv(helperTokenEnv))
	_, err = io.Copy(io.Discard, os.Stdin)
	require.NoError(t, err)
	for i := range n {
		if err := Save(path, tok); err != nil {
			t.Fatalf("save %d of %d: %v", i+1, n, err)
		}
	}
}

// fingerprints keys counts by each token's fingerprint, for a log line.
func fingerprints(counts map[string]int) map[string]int {
	out := make(map[string]int, len(counts))
	for tok, n := range counts {
		out[Secret(tok).Fingerprint()] = n
	}
	return out
}
