package memberscmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/organization"
)

// kinds are the values of --kind and the member lists they select.
var kinds = map[string]organization.Kind{
	"all":              organization.AllAccounts,
	"users":            organization.UserAccounts,
	"service-accounts": organization.ServiceAccounts,
}

// ListOptions are `members list`'s flags and dependencies.
type ListOptions struct {
	F *cmdutil.Factory
	// Email and Name are --email and --name: filters the server matches,
	// possibly in part.
	Email, Name string
	// Kind is --kind: users, service accounts or both.
	Kind organization.Kind
}

// NewCmdList returns `members list`; runF, when set, runs instead of
// listRun.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	var kind string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the organization's members",
		Long: `List the organization's members, every page of them, oldest first: users and
service accounts, or with --kind only one of the two.

--email and --name keep the members whose email or name contains the text, as
the server matches it. The table shows EMAIL, NAME, ROLE, KIND (user or
service-account) and CREATED; -o json gives an array of objects with id,
user_id, email, name, permission_level, service_account and created_at.`,
		Example: `  anyscale-keys members list
  anyscale-keys members list --kind users --email @example.com
  anyscale-keys members list -o json | jq -r '.[] | select(.permission_level == "owner") | .email'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, ok := kinds[strings.TrimSpace(kind)]
			if !ok {
				return cmdutil.UsageError(fmt.Errorf("unknown --kind %q: use all, users or service-accounts", kind))
			}
			opts.Kind = k
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Email, "email", "", "only members whose email contains `TEXT`")
	cmd.Flags().StringVar(&opts.Name, "name", "", "only members whose name contains `TEXT`")
	cmd.Flags().StringVar(&kind, "kind", "all", "which members, a `KIND`: all, users or service-accounts")
	_ = cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions([]string{"all", "users", "service-accounts"}, cobra.ShellCompDirectiveNoFileComp))
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	c, err := opts.F.Client()
	if err != nil {
		return err
	}
	members := []cmdutil.Member{}
	for m, err := range organization.New(c).All(ctx, organization.ListOptions{Email: opts.Email, Name: opts.Name, Kind: opts.Kind}) {
		if err != nil {
			return err
		}
		members = append(members, cmdutil.MemberOf(m))
	}
	if opts.F.JSON() {
		return cmdutil.WriteJSON(opts.F.IO.Out, members)
	}
	t := cmdutil.NewTable(opts.F.IO, "EMAIL", "NAME", cmdutil.Keep("ROLE"), cmdutil.Keep("KIND"), cmdutil.Keep("CREATED"))
	now := c.Now()
	for _, m := range members {
		kind := "user"
		if m.ServiceAccount {
			kind = "service-account"
		}
		t.Row(m.Email, m.Name, m.PermissionLevel, kind, t.TimeCell(&m.CreatedAt, now, ""))
	}
	return t.Flush()
}
