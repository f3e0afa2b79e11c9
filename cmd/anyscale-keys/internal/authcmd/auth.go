package authcmd

import (
	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
)

// NewCmdAuth returns `auth` and its subcommands.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "See where the token comes from",
	}
	return cmd
}

// NewCmdLogin returns `login`.
func NewCmdLogin(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "login", Short: "Log in with the browser and save a key"}
}

// NewCmdLogout returns `logout`.
func NewCmdLogout(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "logout", Short: "Remove the saved credentials file"}
}
