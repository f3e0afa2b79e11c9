package authcmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
)

// ExplainOptions are `auth explain`'s flags and dependencies.
type ExplainOptions struct {
	F *cmdutil.Factory
	// Chain returns the chain to explain (default: the SDK's default
	// chain, its file source at F.CredentialsPath()).
	Chain func() *auth.Chain
}

// NewCmdExplain returns `auth explain`; runF, when set, runs instead of
// explainRun (tests check the parsing alone).
func NewCmdExplain(f *cmdutil.Factory, runF func(context.Context, *ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{F: f, Chain: f.Chain}
	return &cobra.Command{
		Use:   "explain",
		Short: "Show which token source is used, and why",
		Long: `Show every source of a token, in the order they are tried, and what each one
holds: used (the first with a token), shadowed (it has a token, but an earlier
source decides), unavailable (not configured here) or error (configured but
broken, which stops the chain). Then the API host the token goes to, and where
that host came from.

The sources: ANYSCALE_CLI_TOKEN; ~/.anyscale/credentials.json (written by
"anyscale-keys login"); the token an Anyscale workspace injects.

A token is never shown, only its fingerprint (sha256: and 12 hex digits), by
which two tokens can be compared. With -o json, an object: sources (each with
source, status, origin, fingerprint and reason), host, host_origin, and error
when no token is used.

With --host, the host line (and .host in JSON) is that URL, from "--host": the
one every other command given the same --host sends its calls to.

Exits 3 when no token is used: no source has one, or a broken source stops the
chain first; 0 otherwise.`,
		Example: `  anyscale-keys auth explain

  # In CI: fail early, and say why, when no token is configured
  anyscale-keys auth explain > /dev/null || exit 1

  # Which source is used
  anyscale-keys auth explain -o json | jq -r '.sources[] | select(.status == "used") | .source'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return explainRun(cmd.Context(), opts)
		},
	}
}

func explainRun(ctx context.Context, opts *ExplainOptions) error {
	f := opts.F
	r := opts.Chain().Explain(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.Host != "" {
		// --host wins over every other source of the host.
		r.Host, r.HostOrigin = shownHost(f.Host), "--host"
	}
	if f.JSON() {
		if err := cmdutil.WriteJSON(f.IO.Out, cmdutil.ExplainOf(r)); err != nil {
			return err
		}
	} else if f.IO.IsStdoutTTY() {
		if err := explainTable(f, r); err != nil {
			return err
		}
	} else if _, err := fmt.Fprintln(f.IO.Out, r.String()); err != nil {
		return err
	}
	if r.Used() == nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitUnauthenticated, Err: notAuthenticated(r)}
	}
	return nil
}

// shownHost is --host as a message shows it: itself, or a note when it
// carries user info, a query or a fragment, where a secret could hide.
func shownHost(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "the --host URL (not shown: it does not parse, or carries user info, a query or a fragment)"
	}
	return u.String()
}

// notAuthenticated says why the chain uses no token, on one line.
func notAuthenticated(r auth.Report) error {
	var chainErr *auth.ChainError
	if r.Err == nil || errors.As(r.Err, &chainErr) {
		return fmt.Errorf(`not authenticated: no source has a token; run "anyscale-keys login", or set %s to an API key`, auth.EnvToken)
	}
	return fmt.Errorf("not authenticated: a broken source stops the chain: %s", strings.Join(strings.Fields(client.Facts(r.Err)), " "))
}

// explainTable prints the report for a person at a terminal: a table that
// fits its width (the origins and reasons cut with "…"), then the host and
// the chain's result. In a pipe the report prints as the SDK writes it,
// whole.
func explainTable(f *cmdutil.Factory, r auth.Report) error {
	t := cmdutil.NewTable(f.IO, cmdutil.Keep("SOURCE"), cmdutil.Keep("STATUS"), "ORIGIN", cmdutil.Keep("FINGERPRINT"), "REASON")
	for _, e := range r.Entries {
		reason := e.Reason
		if e.Warning != "" {
			reason += " (warning: " + e.Warning + ")"
		}
		t.Row(string(e.Source), string(e.Status), e.Origin, e.Fingerprint, reason)
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if r.Host != "" {
		fmt.Fprintf(f.IO.Out, "host: %s (from %s)\n", r.Host, r.HostOrigin)
	}
	var none *auth.ChainError
	switch used := r.Used(); {
	case used != nil:
		fmt.Fprintf(f.IO.Out, "result: the token from %s (%s)\n", used.Source, used.Origin)
	case errors.As(r.Err, &none):
		fmt.Fprintln(f.IO.Out, "result: no credentials found")
	default:
		fmt.Fprintln(f.IO.Out, "result: a broken source stops the chain")
	}
	return nil
}
