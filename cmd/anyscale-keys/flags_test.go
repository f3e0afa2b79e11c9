package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/root"
)

// noAPI are the commands that never talk to the API, so take no
// --timeout.
var noAPI = map[string]bool{
	"anyscale-keys version":      true,
	"anyscale-keys logout":       true,
	"anyscale-keys auth explain": true,
	"anyscale-keys help":         true,
}

// Every command that talks to the API takes --timeout, and every flag's
// placeholder is a word in capitals (DURATION, FILE, NAME), never a Go
// type's name.
func TestEveryAPICommandTakesTimeout(t *testing.T) {
	streams, _, _, _ := iostreams.Test()
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		path := c.CommandPath()
		if c.HasSubCommands() || !c.Runnable() || strings.Contains(path, " completion") || noAPI[path] {
			return
		}
		checked++
		if c.Flags().Lookup("timeout") == nil {
			t.Errorf("%s has no --timeout", path)
		}
		for _, line := range strings.Split(c.LocalFlags().FlagUsages(), "\n") {
			for _, goType := range []string{" string ", " duration ", " int ", " stringArray "} {
				if strings.Contains(line, goType) {
					t.Errorf("%s: a flag's placeholder is a Go type: %s", path, strings.TrimSpace(line))
				}
			}
		}
	}
	walk(root.NewCmdRoot(cmdutil.NewFactory(streams, "test")))
	if checked < 15 {
		t.Fatalf("checked %d commands: the tree is missing", checked)
	}
}
