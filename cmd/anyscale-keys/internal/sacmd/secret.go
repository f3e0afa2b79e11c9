package sacmd

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// keyFlags are --expires and --out, of the commands that make a key.
type keyFlags struct {
	expires, out string
}

func (k *keyFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.expires, "expires", "", "the new key's lifetime, a `DURATION` such as 90d, 12h or 1w (default 100 years)")
	cmd.Flags().StringVar(&k.out, "out", "", "write the new key to `FILE` as a credentials file (mode 0600) instead of printing it")
}

// parse returns the lifetime --expires asks for (0: the default) and the
// file --out names ("": standard output).
func (k *keyFlags) parse(cmd *cobra.Command) (time.Duration, string, error) {
	var d time.Duration
	if cmd.Flags().Changed("expires") {
		var err error
		if d, err = cmdutil.ParseDuration(k.expires); err != nil {
			return 0, "", fmt.Errorf("--expires: %w", err)
		}
		if keys.CheckServiceAccountKeyLifetime(d) != nil {
			return 0, "", cmdutil.UsageError(fmt.Errorf("--expires %s: a service account key lives from 1s to 100 years", k.expires))
		}
	}
	if cmd.Flags().Changed("out") && strings.TrimSpace(k.out) == "" {
		return 0, "", cmdutil.UsageError(errors.New("--out is empty: give the file to write the key to"))
	}
	return d, k.out, nil
}

// keyOptions are the SDK's options for a key that lives d (0: the
// default).
func keyOptions(d time.Duration) []serviceaccounts.KeyOptions {
	if d == 0 {
		return nil
	}
	return []serviceaccounts.KeyOptions{{ExpiresIn: d}}
}

// sdkCalls are the SDK calls that the SDK's errors suggest, and the
// commands that make them for a service account.
var sdkCalls = []struct {
	call    *regexp.Regexp
	shown   string
	command func(ref serviceaccounts.Ref) string
}{
	{regexp.MustCompile(`\bGet\(`), "Get", func(ref serviceaccounts.Ref) string { return "sa get " + flagOf(ref) }},
	{regexp.MustCompile(`\bwith All\b`), "All", func(serviceaccounts.Ref) string { return "sa list" }},
	{regexp.MustCompile(`\bCreate\b`), "Create", func(serviceaccounts.Ref) string { return "sa create NAME" }},
	{regexp.MustCompile(`\bCreateKey\b`), "CreateKey", func(ref serviceaccounts.Ref) string { return "sa key " + flagOf(ref) }},
	{regexp.MustCompile(`\bRotateKeys\b`), "RotateKeys", func(ref serviceaccounts.Ref) string { return "sa rotate " + flagOf(ref) }},
	{regexp.MustCompile(`\bkeys\.New\(c\)\.Rotate\b`), "keys.New(c).Rotate, run on the service account's own token,",
		func(serviceaccounts.Ref) string { return "keys rotate" }},
}

// onCommandLine adds to err the commands that make the SDK calls its
// message suggests, for the service account ref.
func onCommandLine(err error, ref serviceaccounts.Ref) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var said []string
	for _, c := range sdkCalls {
		if c.call.MatchString(msg) {
			said = append(said, fmt.Sprintf("%s is `anyscale-keys %s`", c.shown, c.command(ref)))
		}
	}
	if len(said) == 0 {
		return err
	}
	return fmt.Errorf("%w\non the command line, %s", err, strings.Join(said, "; "))
}
