package readme

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goBlock matches a fenced Go block of the README.
var goBlock = regexp.MustCompile("(?ms)^```go\n(.*?)^```")

var packageClause = regexp.MustCompile(`(?m)^package (\w+)`)

// TestREADMESnippetsCompile writes every Go snippet of the README into a
// package of its own under testdata (inside the module, so its imports
// resolve to this module's code) and runs go vet on it, which type-checks
// it, tests included. A snippet that is not complete, or that the API has
// drifted from, fails here. The snippets that are tests (the README's
// "Testing your code") are run too: what they claim must hold.
func TestREADMESnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every snippet with the go command")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	require.Equal(t, strings.Count(string(readme), "\n```go\n"), len(blocks), "every Go snippet of the README is found")

	require.NoError(t, os.MkdirAll("testdata", 0o755))
	root, err := os.MkdirTemp("testdata", "snippets-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })

	var dirs, tests []string
	for i, b := range blocks {
		src := b[1]
		pkg := packageClause.FindStringSubmatch(src)
		require.NotNil(t, pkg, "snippet %d has no package clause: every snippet is a whole file\n%s", i+1, src)
		name := "main.go"
		if pkg[1] != "main" {
			name = "snippet_test.go"
		} else {
			assert.Contains(t, src, "func main()", "snippet %d is package main without a main function", i+1)
		}
		dir := filepath.Join(root, "s"+string(rune('a'+i)))
		require.NoError(t, os.Mkdir(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
		dirs = append(dirs, "./"+filepath.ToSlash(dir))
		if name == "snippet_test.go" {
			tests = append(tests, dirs[len(dirs)-1])
		}
	}
	cmd := exec.Command("go", append([]string{"vet"}, dirs...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "README snippets (numbered from a in %s):\n%s", root, strings.TrimSpace(string(out)))

	require.NotEmpty(t, tests, "the README's test snippets")
	cmd = exec.Command("go", append([]string{"test", "-count=1"}, tests...)...)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "README test snippets (numbered from a in %s):\n%s", root, strings.TrimSpace(string(out)))
	assert.NotContains(t, string(out), "no test files")
}
