package cmdutil

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// DurationValue is a flag holding a duration such as "30d", "12h" or
// "90s" (see ParseDuration); a bad value is a flag error that names the
// flag. Its placeholder in the help is DURATION.
type DurationValue struct {
	d    *time.Duration
	text string
}

// NewDurationValue returns a DurationValue of d, set to def ("" for 0).
func NewDurationValue(d *time.Duration, def string) *DurationValue {
	v := &DurationValue{d: d}
	if def != "" {
		if err := v.Set(def); err != nil {
			panic(err)
		}
	}
	return v
}

// Set parses s.
func (v *DurationValue) Set(s string) error {
	d, err := ParseDuration(s)
	if err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			return ee.Err
		}
		return err
	}
	*v.d, v.text = d, s
	return nil
}

func (v *DurationValue) String() string { return v.text }

// Type is the flag's placeholder in the help.
func (v *DurationValue) Type() string { return "DURATION" }

// AddTimeoutFlag adds --timeout to a command that talks to the API.
func AddTimeoutFlag(cmd *cobra.Command, f *Factory) {
	cmd.Flags().Var(NewDurationValue(&f.Timeout, ""), "timeout",
		fmt.Sprintf("give up once the API has not answered for `DURATION`, such as 10s or 2m (default %s)", DefaultTimeout))
	_ = cmd.RegisterFlagCompletionFunc("timeout", cobra.NoFileCompletions)
}

// deprecatedKey is the flag annotation that holds what to use instead of
// a deprecated flag.
const deprecatedKey = "anyscale-keys-deprecated"

// Deprecate keeps flag working for one more minor version, hidden from
// the help; NoteDeprecated says what to use instead, on standard error.
// (cobra's own notice goes to standard output, where a secret may be.)
func Deprecate(cmd *cobra.Command, flag, instead string) {
	_ = cmd.Flags().SetAnnotation(flag, deprecatedKey, []string{instead})
	_ = cmd.Flags().MarkHidden(flag)
}

// NoteDeprecated writes a notice on standard error for each deprecated
// flag the command line gave.
func NoteDeprecated(cmd *cobra.Command) {
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if instead, ok := fl.Annotations[deprecatedKey]; ok && len(instead) > 0 {
			fmt.Fprintf(cmd.ErrOrStderr(), "anyscale-keys: --%s is deprecated and goes away in 0.4.0: %s\n", fl.Name, instead[0])
		}
	})
}
