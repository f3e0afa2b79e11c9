package sacmd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// keyFlags are --expires, --out and --clobber, of the commands that make
// a key.
type keyFlags struct {
	expires, out string
	clobber      bool
}

func (k *keyFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.expires, "expires", "", "the new key's lifetime, a `DURATION` such as 90d, 12h or 1w (default 100 years)")
	cmdutil.AddOutFlags(cmd, &k.out, &k.clobber, "the new key")
	_ = cmd.RegisterFlagCompletionFunc("expires", cobra.NoFileCompletions)
}

// parse returns the lifetime --expires asks for (0: the default) and the
// file --out names ("": standard output).
func (k *keyFlags) parse(cmd *cobra.Command) (time.Duration, string, bool, error) {
	var d time.Duration
	if cmd.Flags().Changed("expires") {
		var err error
		if d, err = cmdutil.ParseDuration(k.expires); err != nil {
			return 0, "", false, fmt.Errorf("--expires: %w", err)
		}
		if keys.CheckServiceAccountKeyLifetime(d) != nil {
			return 0, "", false, cmdutil.UsageError(fmt.Errorf("--expires %s: a service account key lives from 1s to 100 years", k.expires))
		}
	}
	if cmd.Flags().Changed("out") && strings.TrimSpace(k.out) == "" {
		return 0, "", false, cmdutil.UsageError(errors.New("--out is empty: give the file to write the key to"))
	}
	return d, k.out, k.clobber, nil
}

// keyOptions are the SDK's options for a key that lives d (0: the
// default).
func keyOptions(d time.Duration) []serviceaccounts.KeyOptions {
	if d == 0 {
		return nil
	}
	return []serviceaccounts.KeyOptions{{ExpiresIn: d}}
}
