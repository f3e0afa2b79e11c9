package keyscmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
)

// ListOptions are `keys list`'s flags and dependencies.
type ListOptions struct {
	F *cmdutil.Factory
	// Name is --name: a search in key names.
	Name string
	// Org is --org: every key of the organization.
	Org bool
	// Owner is --owner: only the keys of the member or service account
	// with this email (with --org).
	Owner string
}

// NewCmdList returns `keys list`; runF, when set, runs instead of listRun.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List API keys",
		Long: `List your API keys, every page of them, with their status, expiry and last use.

With --org (organization owners) it lists every key of the organization;
--owner EMAIL narrows that to one member's or service account's keys. --name
searches key names (partial matches count).

The table shows DISPLAY ID, NAME, STATUS (active, expired or revoked), EXPIRES,
LAST USED, OWNER with --owner, and the ID that "keys revoke" takes. With -o json
the output is an array of keys: id, display_id, name, status, created_by,
owner_id (with --owner), created_at, expires_at, revoked_at and last_used_at
(RFC 3339 in UTC, null when not set).`,
		Example: `  anyscale-keys keys list
  anyscale-keys keys list --name ci-
  anyscale-keys keys list --org --owner ada@example.com

  # The ids of your active keys
  anyscale-keys keys list -o json | jq -r '.[] | select(.status == "active") | .id'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Owner != "" && !opts.Org {
				return cmdutil.UsageError(errors.New("--owner needs --org: only organization owners list other members' keys (add --org, or drop --owner to list your own)"))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "only keys whose name contains this")
	cmd.Flags().BoolVar(&opts.Org, "org", false, "every key of the organization (organization owners)")
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "with --org: only the keys of the member or service account with this email")
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	f := opts.F
	c, err := f.Client()
	if err != nil {
		return err
	}
	ks := keys.New(c)
	lo := keys.ListOptions{Name: opts.Name}
	if opts.Owner != "" {
		lo.Owner = organization.ByEmail(opts.Owner)
	}
	all := ks.All
	if opts.Org {
		all = ks.Org().All
	}
	var list []keys.Key
	for k, err := range all(ctx, lo) {
		if err != nil {
			return err
		}
		list = append(list, k)
	}
	now := time.Now()
	if f.JSON() {
		out := make([]cmdutil.Key, 0, len(list))
		for _, k := range list {
			out = append(out, cmdutil.KeyOf(k, now))
		}
		return cmdutil.WriteJSON(f.IO.Out, out)
	}
	if len(list) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "No keys found.")
		return nil
	}
	titles := []string{"DISPLAY ID", "NAME", "STATUS", "EXPIRES", "LAST USED"}
	if opts.Owner != "" {
		titles = append(titles, "OWNER")
	}
	t := cmdutil.NewTable(f.IO.Out, append(titles, "ID")...)
	for _, k := range list {
		row := []string{k.DisplayID, k.Name, string(k.Status(now)), expiresCell(k), lastUsedCell(k)}
		if opts.Owner != "" {
			row = append(row, opts.Owner)
		}
		t.Row(append(row, k.ID)...)
	}
	return t.Flush()
}

func expiresCell(k keys.Key) string {
	if k.ExpiresAt == nil {
		return "never"
	}
	return cmdutil.Date(k.ExpiresAt)
}

func lastUsedCell(k keys.Key) string {
	if k.LastUsedAt == nil {
		return "never"
	}
	return cmdutil.Date(k.LastUsedAt)
}
