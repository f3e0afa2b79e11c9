package sacmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// refFlags are --name and --email, which name one service account.
type refFlags struct {
	name, email string
}

func (r *refFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.name, "name", "", "name the service account by its `NAME` (matched exactly)")
	cmd.Flags().StringVar(&r.email, "email", "", "name the service account by its `EMAIL`")
}

// ref checks that exactly one of --name and --email is given and returns
// the service account it names.
func (r *refFlags) ref(cmd *cobra.Command) (serviceaccounts.Ref, error) {
	name, email := cmd.Flags().Changed("name"), cmd.Flags().Changed("email")
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
	return serviceaccounts.Ref{}, cmdutil.UsageError(fmt.Errorf("name the service account with --name NAME or --email EMAIL"))
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

// flagOf is the flag that names ref on the command line, for the next
// command an error suggests: `--name ci` or `--email ci@…`, quoted for a
// shell when it needs to be.
func flagOf(ref serviceaccounts.Ref) string {
	kind, value := parts(ref)
	if strings.Trim(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._+-") != "" || value == "" {
		value = "'" + strings.ReplaceAll(value, "'", `'\''`) + "'"
	}
	return "--" + kind + " " + value
}
