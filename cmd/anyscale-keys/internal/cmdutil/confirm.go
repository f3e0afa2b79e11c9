package cmdutil

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
)

// ErrDeclined is the error of a destructive command the user said no to.
var ErrDeclined = errors.New("cancelled: nothing was changed")

// Confirm applies the rule for destructive commands: with --yes (yes) it
// goes ahead; on a terminal it asks, naming what will be lost (loss); when
// it cannot ask, it refuses with a usage error that says to pass --yes.
func Confirm(io *iostreams.IOStreams, yes bool, loss string) error {
	if yes {
		return nil
	}
	if !io.CanPrompt() {
		return UsageError(fmt.Errorf("refusing to go on without confirmation: this %s; pass --yes to confirm", loss))
	}
	return answered(io.Confirm(fmt.Sprintf("This %s. Go on?", loss)))
}

// answered is the outcome of a confirmation: nil for yes; for no, or for
// Ctrl-C at the question, an error that says nothing was changed.
func answered(ok bool, err error) error {
	if err != nil {
		return fmt.Errorf("%w at the question: nothing was changed", err)
	}
	if !ok {
		return &ExitError{Code: ExitFailure, Err: ErrDeclined}
	}
	return nil
}

// Aligned lays rows of cells out in columns, two spaces apart, for a
// confirmation's list.
func Aligned(rows [][]string) []string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	_ = tw.Flush()
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

// ConfirmList is Confirm for a change to several things: on a terminal
// it says what the command does (loss, such as "revokes 3 keys of
// yours"), lists the things, one a line (the first few, then how many
// more), says what follows (after), and asks. Where it cannot ask, it
// refuses with the count alone, as Confirm does.
func ConfirmList(io *iostreams.IOStreams, yes bool, loss string, items []string, after string) error {
	if yes {
		return nil
	}
	if !io.CanPrompt() {
		return UsageError(fmt.Errorf("refusing to go on without confirmation: this %s; pass --yes to confirm", loss))
	}
	fmt.Fprintf(io.ErrOut, "This %s:\n", loss)
	shown := items
	if len(items) > maxListed {
		shown = items[:maxListed-1]
	}
	for _, it := range shown {
		fmt.Fprintf(io.ErrOut, "  %s\n", it)
	}
	if len(shown) < len(items) {
		fmt.Fprintf(io.ErrOut, "  and %d more\n", len(items)-len(shown))
	}
	return answered(io.Confirm(after + " Go on?"))
}

// maxListed is how many things a confirmation lists before it counts the
// rest.
const maxListed = 10

// AddYesFlag adds --yes (-y) to a destructive command.
func AddYesFlag(cmd *cobra.Command, yes *bool) {
	cmd.Flags().BoolVarP(yes, "yes", "y", false, "go on without asking (needed where standard input is not a terminal)")
}
