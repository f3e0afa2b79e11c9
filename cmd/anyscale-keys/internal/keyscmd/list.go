package keyscmd

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/client"
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
	// Owner is --owner: only the keys of the member (by email) or service
	// account (by name or email), with --org.
	Owner string
}

// NewCmdList returns `keys list`; runF, when set, runs instead of listRun.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List API keys",
		Long: `List your API keys, every page of them, with their status, expiry and last use.

With --org (organization owners) it lists every key of the organization, with
its OWNER (a user's email, or a service account's name; found through the
member list, with a progress bar on a terminal); --owner narrows that to one
member's or service account's keys, by email or by service account name.
--name searches key names (partial matches count).

The table shows ID, NAME, STATUS (active, expired or revoked, by the server's
clock), EXPIRES, LAST USED, and OWNER with --org. On a terminal the table fits
its width: an ID is the shortest prefix that tells the keys apart (every
command that takes a key takes it), long names are cut with "…", and times are
relative ("in 6 days"). In a pipe there is no header, and every value is whole,
separated by tabs, with times in RFC 3339 (UTC).

With -o json the output is an array of keys: id (the key's id, which every
command takes), display_id, name, status, created_by, owner_id (with --org),
created_at, expires_at, revoked_at and last_used_at (RFC 3339 in UTC, null when
not set); with --org, owner_id is the owner's user id (usr_...) wherever the
member list names the owner.`,
		Example: `  anyscale-keys keys list
  anyscale-keys keys list --name ci-
  anyscale-keys keys list --org --owner ada@example.com
  anyscale-keys keys list --org --owner ci-deploy

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
	cmd.Flags().StringVar(&opts.Name, "name", "", "only keys whose name contains `TEXT`")
	cmd.Flags().BoolVar(&opts.Org, "org", false, "every key of the organization (organization owners)")
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "with --org: only the keys of the member with this `EMAIL`, or of the service account with this name")
	_ = cmd.RegisterFlagCompletionFunc("owner", completeOwners(f))
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

// ownerRef is the member --owner names: an email, or a service account's
// name.
func ownerRef(owner string) organization.Ref {
	if strings.Contains(owner, "@") {
		return organization.ByEmail(owner)
	}
	return organization.ByName(owner)
}

func listRun(ctx context.Context, opts *ListOptions) error {
	f := opts.F
	c, err := f.Client()
	if err != nil {
		return err
	}
	ks := keys.New(c)
	lo := keys.ListOptions{Name: opts.Name}
	ownerLabelOf := func(string) string { return "" }
	if opts.Owner != "" {
		m, err := organization.New(c).Get(ctx, ownerRef(opts.Owner))
		if err != nil {
			return err
		}
		lo.Owner = organization.ByUserID(m.UserID)
		label := ownerLabel(*m)
		ownerLabelOf = func(string) string { return label }
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
	if opts.Org && opts.Owner == "" && len(list) > 0 {
		// The API's keys carry no owner: the member list names them, for
		// the OWNER column and JSON's owner_id alike.
		bar := f.IO.Progress("Finding owners")
		ownerOf, err := owners(ctx, ks, c, nil, bar.Set)
		bar.Done()
		if err != nil {
			return err
		}
		for i := range list {
			if m, ok := ownerOf[list[i].ID]; ok {
				list[i].OwnerID = m.UserID
			}
		}
		ownerLabelOf = func(id string) string {
			if m, ok := ownerOf[id]; ok {
				return ownerLabel(m)
			}
			return ""
		}
	}
	now := c.Now()
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
	return printKeys(f, list, now, opts.Org, ownerLabelOf)
}

// printKeys writes keys as a table: ID, NAME, STATUS, EXPIRES, LAST USED,
// and OWNER with org.
func printKeys(f *cmdutil.Factory, list []keys.Key, now time.Time, org bool, owner func(id string) string) error {
	cols := []any{cmdutil.Keep("ID"), "NAME", cmdutil.Keep("STATUS"), cmdutil.Keep("EXPIRES"), cmdutil.Keep("LAST USED")}
	if org {
		cols = append(cols, "OWNER")
	}
	t := cmdutil.NewTable(f.IO, cols...)
	short := func(id string) string { return id }
	if t.TTY() {
		ids := make([]string, len(list))
		for i, k := range list {
			ids[i] = k.ID
		}
		short = cmdutil.ShortIDs(ids)
	}
	for _, k := range list {
		row := []string{short(k.ID), k.Name, string(k.Status(now)), t.TimeCell(k.ExpiresAt, now, "never"), t.TimeCell(k.LastUsedAt, now, "never")}
		if org {
			row = append(row, owner(k.ID))
		}
		t.Row(row...)
	}
	return t.Flush()
}

// completeOwners completes --owner: members' emails, and service
// accounts' names, from the API.
func completeOwners(f *cmdutil.Factory) cobra.CompletionFunc {
	all := func(ctx context.Context, c *client.Client) iter.Seq2[organization.Member, error] {
		return organization.New(c).All(ctx, organization.ListOptions{})
	}
	return cmdutil.CompleteFromAPI(f, all, func(m organization.Member) (string, string) {
		if m.ServiceAccount {
			return m.Name, "service account"
		}
		return m.Email, m.Name
	})
}
