// Package root assembles anyscale-keys: the root command, its global
// flags, and Main, which runs it and turns its error into an exit code.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/authcmd"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/keyscmd"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/memberscmd"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/sacmd"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/versioncmd"
)

// NewCmdRoot returns the root command with every subcommand.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "anyscale-keys",
		Version: f.Version,
		Short:   "Work with Anyscale API keys, service accounts and members",
		Long: `anyscale-keys creates, lists, revokes, rotates and audits Anyscale API keys, and
manages service accounts and organization members, from CI jobs and shells.

It finds its token as the Go SDK does: ANYSCALE_CLI_TOKEN, then
~/.anyscale/credentials.json (written by "anyscale-keys login", or by the Anyscale CLI),
then the token an Anyscale workspace injects. "anyscale-keys auth explain" shows
which one it uses.

Standard output carries data only (a table, or JSON with -o json); messages go
to standard error. A new key's secret is printed alone on standard output, or
written with --out FILE.

Every command that talks to the API gives up once the API has not answered
for --timeout (default 30s), naming the host and where it came from.

Exit codes: 0 ok, 1 failure (a server error, no answer in time), 2 usage (or a
destructive command without --yes where it cannot ask), 3 not authenticated
(no token, a rejected one, or a token source that is broken), 4 forbidden, 5
not found (--ignore-not-found makes it 0 where a command takes it), 6 a bulk
action left keys that may still be active, 7 an audit found something
(--fail-on-findings), 8 a reference matches several things (nothing was
changed), 130 interrupted.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetContext(f.WithCancel(cmd.Context()))
			return cmdutil.CheckFormat(f.Output)
		},
	}
	cmd.SetVersionTemplate("anyscale-keys {{.Version}}\n")
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.UsageError(fmt.Errorf("%w; see %q", err, c.CommandPath()+" --help"))
	})
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.Host, "host", "", "the Anyscale API's `URL` (default: $ANYSCALE_HOST, else https://console.anyscale.com)")
	pf.StringVarP(&f.Output, "output", "o", cmdutil.FormatTable, "output `FORMAT`: table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(
		[]string{"table\ta table for people", "json\tthe stable shape for scripts"}, cobra.ShellCompDirectiveNoFileComp))
	pf.BoolVar(&f.Debug, "debug", false, "log the SDK's requests to standard error (never a token)")

	cmd.AddCommand(
		authcmd.NewCmdLogin(f),
		authcmd.NewCmdLogout(f),
		authcmd.NewCmdWhoAmI(f, nil),
		authcmd.NewCmdAuth(f),
		keyscmd.NewCmdKeys(f),
		sacmd.NewCmdSA(f),
		memberscmd.NewCmdMembers(f),
		versioncmd.NewCmdVersion(f),
	)
	// The root only groups the others too: an unknown command is a usage
	// error, like an unknown flag (cobra's flag errors come through
	// SetFlagErrorFunc above, as usage errors).
	groupHelp(cmd)
	for _, c := range cmd.Commands() {
		groupHelp(c)
	}
	noFiles(cmd)
	return cmd
}

// fileFlags are the flags whose value is a file: only they complete file
// names.
var fileFlags = map[string]bool{"out": true}

// noFiles makes every argument and flag value that is not a file complete
// no file names: a command's arguments complete nothing unless the
// command says what, and so do its flags, but those in fileFlags.
func noFiles(c *cobra.Command) {
	if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 {
		c.ValidArgsFunction = cobra.NoFileCompletions
	}
	add := func(fl *pflag.Flag) {
		if fileFlags[fl.Name] || fl.Value.Type() == "bool" {
			return
		}
		if _, ok := c.GetFlagCompletionFunc(fl.Name); ok {
			return
		}
		_ = c.RegisterFlagCompletionFunc(fl.Name, cobra.NoFileCompletions)
	}
	c.LocalNonPersistentFlags().VisitAll(add)
	if !c.HasParent() {
		c.PersistentFlags().VisitAll(add)
	}
	for _, sub := range c.Commands() {
		noFiles(sub)
	}
}

// groupHelp makes a command that only groups others (the root, sa,
// members) print its help when called alone, and refuse an unknown
// subcommand with a usage error rather than the help and exit 0.
func groupHelp(c *cobra.Command) {
	if c.Runnable() || !c.HasSubCommands() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's own default
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			suggest := ""
			if s := c.SuggestionsFor(args[0]); len(s) > 0 {
				suggest = fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return cmdutil.UsageError(fmt.Errorf("unknown command %q for %q%s; see %q", args[0], c.CommandPath(), suggest, c.CommandPath()+" --help"))
		}
		return c.Help()
	}
}

// Main runs anyscale-keys with args on io and returns its exit code. Ctrl-C
// cancels the command's context: it stops cleanly and says what was done.
func Main(args []string, io *iostreams.IOStreams) int {
	f := cmdutil.NewFactory(io, versioncmd.Read().Version)
	root := NewCmdRoot(f)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	io.SetInterrupt(ctx.Done())
	cmd, err := root.ExecuteContextC(ctx)
	if noAnswer := f.NoAnswer(); noAnswer != nil && err != nil {
		// The command gave up on a silent host: say so, and keep what the
		// command said it did (and its advice) beneath.
		var already *cmdutil.NoAnswerError
		if !errors.As(err, &already) {
			err = &cmdutil.NoAnswerError{Host: noAnswer.Host, Origin: noAnswer.Origin, Timeout: noAnswer.Timeout, Err: err}
		}
	}
	if err == nil {
		return cmdutil.ExitOK
	}
	code := cmdutil.ExitCode(err)
	if (errors.Is(err, context.Canceled) || errors.Is(err, iostreams.ErrInterrupted)) && ctx.Err() != nil {
		code = cmdutil.ExitInterrupted
	}
	if cmd == nil {
		cmd = root
	}
	cmdutil.PrintError(io.ErrOut, cmd.CommandPath(), err)
	return code
}
