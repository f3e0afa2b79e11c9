package sacmd

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// refFlags name one service account: the argument ACCOUNT (its name, or
// its email), or the deprecated --name and --email.
type refFlags struct {
	name, email string
}

func (r *refFlags) add(cmd *cobra.Command, f *cmdutil.Factory) {
	cmd.Flags().StringVar(&r.name, "name", "", "name the service account by its `NAME` (matched exactly)")
	cmd.Flags().StringVar(&r.email, "email", "", "name the service account by its `EMAIL`")
	verb := strings.Fields(cmd.Use)[0]
	cmdutil.Deprecate(cmd, "name", "give the name as the argument: anyscale-keys sa "+verb+" NAME")
	cmdutil.Deprecate(cmd, "email", "give the email as the argument: anyscale-keys sa "+verb+" EMAIL")
	cmd.ValidArgsFunction = completeAccounts(f)
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return cmdutil.UsageError(fmt.Errorf("%s takes one service account, %d given", cmd.CommandPath(), len(args)))
		}
		return nil
	}
}

// ref checks that the service account is named once, as the argument
// (a name, or an email when it holds "@") or with --name or --email, and
// returns it.
func (r *refFlags) ref(cmd *cobra.Command, args []string) (serviceaccounts.Ref, error) {
	name, email := cmd.Flags().Changed("name"), cmd.Flags().Changed("email")
	cmdutil.NoteDeprecated(cmd)
	if len(args) == 1 {
		arg := strings.TrimSpace(args[0])
		switch {
		case name || email:
			return serviceaccounts.Ref{}, cmdutil.UsageError(fmt.Errorf("the service account is named twice (the argument, and --name or --email): give the argument alone"))
		case arg == "":
			return serviceaccounts.Ref{}, cmdutil.UsageError(fmt.Errorf("the service account's name is empty: %s NAME", cmd.CommandPath()))
		case strings.Contains(arg, "@"):
			return serviceaccounts.ByEmail(arg), nil
		}
		return serviceaccounts.ByName(arg), nil
	}
	switch {
	case name && email:
		return serviceaccounts.Ref{}, cmdutil.UsageError(fmt.Errorf("--name and --email both name a service account: give one of them"))
	case name && strings.TrimSpace(r.name) == "":
		return serviceaccounts.Ref{}, cmdutil.UsageError(fmt.Errorf("--name is empty: give the service account's name"))
	case email && strings.TrimSpace(r.email) == "":
		return serviceaccounts.Ref{}, cmdutil.UsageError(fmt.Errorf("--email is empty: give the service account's email"))
	case name:
		return serviceaccounts.ByName(r.name), nil
	case email:
		return serviceaccounts.ByEmail(r.email), nil
	}
	return serviceaccounts.Ref{}, cmdutil.UsageError(fmt.Errorf("name the service account: %s NAME (or its email)", cmd.CommandPath()))
}

// parts are the kind of ref ("name" or "email") and its value.
func parts(ref serviceaccounts.Ref) (kind, value string) {
	kind, quoted, _ := strings.Cut(ref.String(), " ")
	value, err := strconv.Unquote(quoted)
	if err != nil {
		value = quoted
	}
	return kind, value
}

// describe names the service account ref refers to, for messages:
// `service account "ci"` or `service account ci@…`.
func describe(ref serviceaccounts.Ref) string {
	kind, value := parts(ref)
	if kind == "name" {
		return fmt.Sprintf("service account %q", value)
	}
	return "service account " + value
}

// flagOf is the argument that names ref on the command line, for the
// next command an error suggests: `ci` or `ci@…`, quoted for a shell when
// it needs to be.
func flagOf(ref serviceaccounts.Ref) string {
	_, value := parts(ref)
	return cmdutil.ShellQuote(value)
}

// completeAccounts completes a service account argument: the names, with
// the emails as descriptions, from the API.
func completeAccounts(f *cmdutil.Factory) cobra.CompletionFunc {
	all := func(ctx context.Context, c *client.Client) iter.Seq2[serviceaccounts.ServiceAccount, error] {
		return serviceaccounts.New(c).All(ctx, serviceaccounts.ListOptions{})
	}
	return cmdutil.FirstArgOnly(cmdutil.CompleteFromAPI(f, all, func(sa serviceaccounts.ServiceAccount) (string, string) {
		return sa.Name, sa.Email
	}))
}
