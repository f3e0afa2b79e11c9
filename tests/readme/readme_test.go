package readme

import (
	"fmt"
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

// snippet is one Go block of the README: its source and the README line
// its fence opens on, which names it in failures.
type snippet struct {
	line int
	src  string
}

// snippets returns every Go block of readme, in order.
func snippets(t *testing.T, readme string) []snippet {
	var out []snippet
	for _, m := range goBlock.FindAllStringSubmatchIndex(readme, -1) {
		out = append(out, snippet{
			line: strings.Count(readme[:m[0]], "\n") + 1,
			src:  readme[m[2]:m[3]],
		})
	}
	require.Equal(t, strings.Count(readme, "\n```go\n"), len(out), "every Go snippet of the README is found")
	return out
}

// TestREADMESnippetsCompile writes every Go snippet of the README into a
// package of its own under testdata (inside the module, so its imports
// resolve to this module's code) and runs go vet on it, which type-checks
// it, tests included. A snippet that is not complete, or that the API has
// drifted from, fails here, in a subtest named after the README line its
// fence opens on. The snippets that are tests (the README's "Testing your
// code") are run too: what they claim must hold.
func TestREADMESnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every snippet with the go command")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	all := snippets(t, string(readme))

	require.NoError(t, os.MkdirAll("testdata", 0o755))
	root, err := os.MkdirTemp("testdata", "snippets-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })

	tests := 0
	for _, s := range all {
		if pkg := packageClause.FindStringSubmatch(s.src); pkg != nil && pkg[1] != "main" {
			tests++
		}
	}
	require.NotZero(t, tests, "the README's test snippets")

	for _, s := range all {
		t.Run(fmt.Sprintf("README.md:%d", s.line), func(t *testing.T) {
			t.Parallel()
			pkg := packageClause.FindStringSubmatch(s.src)
			require.NotNil(t, pkg, "no package clause: every snippet is a whole file\n%s", s.src)
			name := "main.go"
			if pkg[1] != "main" {
				name = "snippet_test.go"
			} else {
				assert.Contains(t, s.src, "func main()", "package main without a main function")
			}
			dir := filepath.Join(root, fmt.Sprintf("line%04d", s.line))
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(s.src), 0o644))
			pkgPath := "./" + filepath.ToSlash(dir)

			out, err := exec.Command("go", "vet", pkgPath).CombinedOutput()
			require.NoError(t, err, "go vet of the snippet (%s):\n%s", dir, strings.TrimSpace(string(out)))
			if name != "snippet_test.go" {
				return
			}
			out, err = exec.Command("go", "test", "-count=1", pkgPath).CombinedOutput()
			require.NoError(t, err, "go test of the snippet (%s):\n%s", dir, strings.TrimSpace(string(out)))
			assert.NotContains(t, string(out), "no test files")
		})
	}
}
