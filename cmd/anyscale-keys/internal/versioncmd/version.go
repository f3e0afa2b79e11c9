// Package versioncmd is `anyscale-keys version`.
package versioncmd

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
)

// Info is the binary's version and commit, from its build info.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
}

// Read returns the build info: the module's version (a tagged release
// installed with go install, or "(devel)" in a checkout) and the VCS
// commit when the build recorded one.
func Read() Info {
	info := Info{Version: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	info.GoVersion = bi.GoVersion
	if v := bi.Main.Version; v != "" {
		info.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

// NewCmdVersion returns `version`.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit it was built from",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := Read()
			if f.JSON() {
				return cmdutil.WriteJSON(f.IO.Out, info)
			}
			line := "anyscale-keys " + info.Version
			if info.Commit != "" {
				line += " (commit " + info.Commit
				if info.Modified {
					line += ", modified"
				}
				line += ")"
			}
			_, err := fmt.Fprintf(f.IO.Out, "%s %s\n", line, info.GoVersion)
			return err
		},
	}
}
