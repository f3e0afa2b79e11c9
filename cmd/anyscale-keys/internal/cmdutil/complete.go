package cmdutil

import (
	"context"
	"iter"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/client"
)

// CompleteFromAPI returns a completion function that offers the values
// offer makes of what all lists from the API, each with its description,
// keeping those that start with what is typed. offer returns "" for an
// item it does not offer. A file name is never offered; a failed listing
// offers nothing.
func CompleteFromAPI[T any](f *Factory, all func(context.Context, *client.Client) iter.Seq2[T, error], offer func(T) (value, desc string)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		c, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var out []cobra.Completion
		for item, err := range all(cmd.Context(), c) {
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
			}
			if value, desc := offer(item); value != "" && strings.HasPrefix(value, toComplete) {
				out = append(out, cobra.CompletionWithDesc(value, desc))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// FirstArgOnly completes a command's first argument with complete, and
// nothing after it.
func FirstArgOnly(complete cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return complete(cmd, args, toComplete)
	}
}
