package keyscmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
)

// completeKeys completes key references from the API: each active key's
// short id, with its name as the description (with --org, every key of
// the organization). It never offers file names.
func completeKeys(f *cmdutil.Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if toComplete == "-" {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ks := keys.New(c)
		all := ks.All
		if org, _ := cmd.Flags().GetBool("org"); org {
			all = ks.Org().All
		}
		var listed []keys.Key
		for k, err := range all(cmd.Context(), keys.ListOptions{}) {
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
			}
			listed = append(listed, k)
		}
		now := c.Now() // after the answers: the server's clock
		var list []keys.Key
		for _, k := range listed {
			if k.Status(now) == keys.Active {
				list = append(list, k)
			}
		}
		ids := make([]string, len(list))
		for i, k := range list {
			ids[i] = k.ID
		}
		short := cmdutil.ShortIDs(ids)
		var out []cobra.Completion
		given := map[string]bool{}
		for _, a := range args {
			given[a] = true
		}
		for _, k := range list {
			id := short(k.ID)
			if given[id] || given[k.ID] || !strings.HasPrefix(id, toComplete) {
				continue
			}
			desc := k.Name
			if k.ExpiresAt != nil {
				desc += ", expires " + cmdutil.Relative(*k.ExpiresAt, now)
			}
			out = append(out, cobra.CompletionWithDesc(id, desc))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
