package cmdutil_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/root"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/advice/advicetest"
	"github.com/anyscale-go/anyscale/keys"
)

// allActions is every action the SDK can advise; TestAllActionsListed
// keeps it in step with package advice's constants.
var allActions = []client.Action{
	client.ActionRenewToken, client.ActionConfigureToken, client.ActionFixPermissions,
	client.ActionExplainChain, client.ActionCheckFirst, client.ActionWait, client.ActionNeedOwner,
	client.ActionRotateOwnKey, client.ActionListToFind, client.ActionGetFirst, client.ActionCreateKey,
	client.ActionRotateKeys, client.ActionUseID, client.ActionRefine, client.ActionRunAgain,
}

// The list above is advice's every constant: read from its source, so an
// action added there without a sentence here fails.
func TestAllActionsListed(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "internal", "advice", "advice.go"))
	require.NoError(t, err)
	declared := regexp.MustCompile(`(?m)^\s+\w+\s+Action\s+=\s+"([a-z-]+)"`).FindAllStringSubmatch(string(src), -1)
	require.NotEmpty(t, declared)
	var want []string
	for _, m := range declared {
		want = append(want, m[1])
	}
	var got []string
	for _, a := range allActions {
		got = append(got, string(a))
	}
	assert.ElementsMatch(t, want, got, "every action of package advice is in allActions")
}

// goWord is what no sentence of the command line says: a Go identifier or
// the other CLI's login (the SDK's one pattern).
var goWord = advicetest.GoWord

// commandLine finds the anyscale-keys commands a sentence names in
// backquotes.
var commandLine = regexp.MustCompile("`anyscale-keys ([^`]*)`")

// Every action has a sentence, for every command group and with or
// without a subject; none names a Go identifier or the other CLI, and
// every command it names exists.
func TestEveryActionHasASentence(t *testing.T) {
	streams, _, _, _ := iostreams.Test()
	tree := root.NewCmdRoot(cmdutil.NewFactory(streams, "test"))
	paths := []string{"anyscale-keys", "anyscale-keys keys list", "anyscale-keys sa get", "anyscale-keys members remove", "anyscale-keys auth explain"}
	forms := []client.Advice{
		{},
		{Subject: "ci@org-1.serviceaccount.com", Source: "file", Origin: "/home/ada/.anyscale/credentials.json"},
		{Subject: "ci-deploy", Source: "env", Origin: "ANYSCALE_CLI_TOKEN"},
		{Subject: "https://api.example.com", Source: "workspace", Origin: "ANYSCALE_HOST"},
	}
	for _, action := range allActions {
		for _, path := range paths {
			for _, form := range forms {
				a := form
				a.Action = action
				s := cmdutil.AdviceSentence(path, a)
				if !assert.NotEmpty(t, s, "%s after %s: no sentence", action, path) {
					continue
				}
				assert.False(t, goWord.MatchString(s), "%s: %q names a Go identifier or the other CLI", action, s)
				assert.Regexp(t, `^[A-Z].*\.$`, s, "%s: one sentence", action)
				assert.NotContains(t, s, "\n", action)
				for _, m := range commandLine.FindAllStringSubmatch(s, -1) {
					assertCommandExists(t, tree, m[1], s)
				}
			}
		}
	}
	assert.Empty(t, cmdutil.AdviceSentence("anyscale-keys", client.Advice{Action: "from-a-newer-sdk"}))
}

// assertCommandExists checks that args (what follows anyscale-keys) names
// a command of tree, and only flags it has.
func assertCommandExists(t assert.TestingT, tree *cobra.Command, args, sentence string) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	fields := strings.Fields(args)
	cmd, rest, err := tree.Find(fields)
	if !assert.NoError(t, err, sentence) || !assert.NotEqual(t, tree, cmd, "%q names no command", sentence) {
		return
	}
	assert.False(t, cmd.HasSubCommands(), "%q names %s, a group, not a command", sentence, cmd.CommandPath())
	for _, f := range rest {
		if name, ok := strings.CutPrefix(f, "--"); ok {
			assert.NotNil(t, cmd.Flags().Lookup(name), "%q: %s has no flag --%s", sentence, cmd.CommandPath(), name)
		}
	}
}

// The check of the commands a sentence names refuses one that does not
// exist.
func TestAssertCommandExists(t *testing.T) {
	streams, _, _, _ := iostreams.Test()
	tree := root.NewCmdRoot(cmdutil.NewFactory(streams, "test"))
	for _, args := range []string{"auth login", "login --no-such-flag", "sa", "no-such"} {
		var inner recorder
		assertCommandExists(&inner, tree, args, args)
		assert.NotEmpty(t, inner.errors, "%q passed", args)
	}
	for _, args := range []string{"login", "auth explain", "sa get --name ci", "keys list --name ci"} {
		var inner recorder
		assertCommandExists(&inner, tree, args, args)
		assert.Empty(t, inner.errors, "%q failed", args)
	}
}

// recorder keeps the failures of a check under test.
type recorder struct{ errors []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestAdviceSentences(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "credentials.json")
	require.NoError(t, os.WriteFile(file, []byte("{}"), 0o600))
	spaced := filepath.Join(dir, "my creds.json")
	tests := []struct {
		path string
		a    client.Advice
		want string
	}{
		{"anyscale-keys keys list", client.Advice{Action: client.ActionRenewToken, Source: "file", Origin: file},
			"Run `anyscale-keys login` to renew it."},
		{"anyscale-keys keys list", client.Advice{Action: client.ActionRenewToken, Source: "env", Origin: "ANYSCALE_CLI_TOKEN"},
			"Create a new key in the console and set ANYSCALE_CLI_TOKEN to it."},
		{"anyscale-keys keys list", client.Advice{Action: client.ActionRenewToken, Source: "workspace"},
			"The workspace's token was refused: set ANYSCALE_CLI_TOKEN to a new API key from the console, or run `anyscale-keys login`."},
		{"anyscale-keys keys list", client.Advice{Action: client.ActionRenewToken},
			"Run `anyscale-keys login`, or set ANYSCALE_CLI_TOKEN to a new API key from the console."},
		{"anyscale-keys whoami", client.Advice{Action: client.ActionConfigureToken},
			"Run `anyscale-keys login`, or set ANYSCALE_CLI_TOKEN to an API key created in the console."},
		{"anyscale-keys whoami", client.Advice{Action: client.ActionFixPermissions, Origin: file},
			"Run `chmod 600 " + file + "` so that only you can read it."},
		{"anyscale-keys whoami", client.Advice{Action: client.ActionFixPermissions, Origin: spaced},
			"Run `chmod 600 '" + spaced + "'` so that only you can read it."},
		{"anyscale-keys whoami", client.Advice{Action: client.ActionFixPermissions, Origin: dir},
			"Run `chmod go-w " + dir + "` so that no other account can change what is in it."},
		{"anyscale-keys whoami", client.Advice{Action: client.ActionExplainChain, Subject: "https://api.example.com", Origin: "ANYSCALE_HOST"},
			"Check the host https://api.example.com (from ANYSCALE_HOST) and where the token comes from with `anyscale-keys auth explain`."},
		{"anyscale-keys whoami", client.Advice{Action: client.ActionExplainChain, Subject: "http://127.0.0.1:1", Origin: client.HostFromOption},
			"Check the host http://127.0.0.1:1 (from --host) and where the token comes from with `anyscale-keys auth explain`."},
		{"anyscale-keys whoami", client.Advice{Action: client.ActionExplainChain},
			"Check the host and where the token comes from with `anyscale-keys auth explain`."},
		{"anyscale-keys sa create", client.Advice{Action: client.ActionCreateKey, Subject: "ci@org-1.serviceaccount.com"},
			"Make a key for the service account with `anyscale-keys sa key ci@org-1.serviceaccount.com`."},
		{"anyscale-keys sa create", client.Advice{Action: client.ActionCreateKey, Subject: "it's ci"},
			"Make a key for the service account with `anyscale-keys sa key 'it'\\''s ci'`."},
		{"anyscale-keys sa key", client.Advice{Action: client.ActionRotateKeys, Subject: "ci@org-1.serviceaccount.com"},
			"Replace every key of the service account (a key nobody holds may exist) with `anyscale-keys sa rotate ci@org-1.serviceaccount.com`."},
		{"anyscale-keys sa rotate", client.Advice{Action: client.ActionRotateOwnKey},
			"A job that runs on the service account's own token replaces that token with `anyscale-keys keys rotate`, run on that token."},
		{"anyscale-keys sa rotate", client.Advice{Action: client.ActionNeedOwner},
			"Only an organization owner can do this: ask an owner, or run it with an owner's token."},
		{"anyscale-keys members remove", client.Advice{Action: client.ActionGetFirst, Subject: "old@example.com"},
			"See whether old@example.com is still a member with `anyscale-keys members list` before you run the command again."},
		{"anyscale-keys sa create", client.Advice{Action: client.ActionGetFirst, Subject: "ci-deploy"},
			"See whether it was made with `anyscale-keys sa get ci-deploy` before you run the command again."},
		{"anyscale-keys keys create", client.Advice{Action: client.ActionGetFirst, Subject: "ci-deploy"},
			"See whether the key was made with `anyscale-keys keys list --name ci-deploy` before you run the command again."},
		{"anyscale-keys sa get", client.Advice{Action: client.ActionListToFind, Subject: `name "ci"`},
			"No service account matches name \"ci\": see what there is with `anyscale-keys sa list`."},
		{"anyscale-keys members remove", client.Advice{Action: client.ActionListToFind, Subject: "nobody@example.com"},
			"No member matches nobody@example.com: see what there is with `anyscale-keys members list`."},
		{"anyscale-keys keys list", client.Advice{Action: client.ActionListToFind, Subject: "nobody@example.com"},
			"No member matches nobody@example.com: see what there is with `anyscale-keys members list`."},
		{"anyscale-keys keys revoke", client.Advice{Action: client.ActionListToFind, Subject: "key_1234"},
			"No key matches key_1234: see what there is with `anyscale-keys keys list`."},
		{"anyscale-keys", client.Advice{Action: client.ActionListToFind},
			"See what there is with `anyscale-keys members list`, `anyscale-keys sa list` or `anyscale-keys keys list`."},
		{"anyscale-keys keys create", client.Advice{Action: client.ActionCheckFirst, Subject: `key "ci"`},
			"The server may have acted before the command failed: check key \"ci\" before you run it again."},
		{"anyscale-keys keys list", client.Advice{Action: client.ActionWait},
			"The server asked for a longer wait than this command retries for: wait a while, then run it again."},
		{"anyscale-keys keys revoke", client.Advice{Action: client.ActionUseID, Subject: "0123abcd"},
			"Give the key's id instead: 0123abcd."},
		{"anyscale-keys keys revoke", client.Advice{Action: client.ActionRefine, Subject: `"ci"`},
			"Name just one of the matches of \"ci\", by its id as listed."},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, cmdutil.AdviceSentence(tt.path, tt.a), "%s after %s", tt.a.Action, tt.path)
	}
}

// PrintError writes the facts after "anyscale-keys: ", without the SDK's
// Go-worded advice, then the CLI's sentence for each advice, once.
func TestPrintError(t *testing.T) {
	facts := errors.New(`serviceaccounts: creating a key for ci@org-1.serviceaccount.com: POST /api/x: 502 Bad Gateway`)
	err := advice.Wrap(facts, advice.Advice{Action: advice.RotateKeys, Subject: "ci@org-1.serviceaccount.com"},
		"replace all its keys with RotateKeys(ctx, ByEmail(\"ci@org-1.serviceaccount.com\")) rather than calling CreateKey again")
	err = &cmdutil.ExitError{Code: cmdutil.ExitFailure, Err: err}

	var b bytes.Buffer
	cmdutil.PrintError(&b, "anyscale-keys sa key", err)
	assert.Equal(t, "anyscale-keys: "+facts.Error()+"\n"+
		"Replace every key of the service account (a key nobody holds may exist) with `anyscale-keys sa rotate ci@org-1.serviceaccount.com`.\n", b.String())
	assert.False(t, goWord.MatchString(b.String()), b.String())
}

func TestPrintErrorSeveralAdvice(t *testing.T) {
	inner := advice.Wrap(errors.New("403 Forbidden"), advice.Advice{Action: advice.NeedOwner}, "use an owner's token with client.WithToken()")
	err := advice.Wrap(fmt.Errorf("serviceaccounts: revoking the keys of ci@x (nothing was rotated): %w", inner),
		advice.Advice{Action: advice.RotateOwnKey}, "a job on the service account's own token calls keys.New(c).Rotate(ctx)")
	// The same advice twice (two layers, or two failures) is said once.
	err = errors.Join(err, advice.Wrap(errors.New("again"), advice.Advice{Action: advice.NeedOwner}, "Get(ctx) first"))

	var b bytes.Buffer
	cmdutil.PrintError(&b, "anyscale-keys sa rotate", err)
	assert.Equal(t, "anyscale-keys: serviceaccounts: revoking the keys of ci@x (nothing was rotated): 403 Forbidden\nagain\n"+
		"A job that runs on the service account's own token replaces that token with `anyscale-keys keys rotate`, run on that token.\n"+
		"Only an organization owner can do this: ask an owner, or run it with an owner's token.\n", b.String())
	assert.False(t, goWord.MatchString(b.String()), b.String())
}

// An error without advice is its text alone, trimmed, after the prefix.
func TestPrintErrorPlain(t *testing.T) {
	var b bytes.Buffer
	cmdutil.PrintError(&b, "anyscale-keys keys list", cmdutil.UsageError(errors.New("--owner needs --org \n")))
	assert.Equal(t, "anyscale-keys: --owner needs --org\n", b.String())
}

// The JSON shapes carry an error's facts, not the SDK's Go-worded advice.
func TestShapesCarryFacts(t *testing.T) {
	err := advice.Wrap(errors.New("key abc: 500 Internal Server Error"), advice.Advice{Action: advice.CheckFirst, Subject: "abc"},
		"check with Keys(ctx) before calling RevokeMany again")
	got := cmdutil.RevokeResultOf(&keys.RevokeResult{Failed: map[string]error{"abc": err}}, []string{"abc"})
	require.Len(t, got.Failed, 1)
	assert.Equal(t, "key abc: 500 Internal Server Error", got.Failed[0].Error)
}

// "See whether it was made" and "the server may have acted" say one thing:
// only the first is printed.
func TestAdviceLinesSayOneThingOnce(t *testing.T) {
	lines := cmdutil.AdviceLines("anyscale-keys keys create", []client.Advice{
		{Action: client.ActionGetFirst, Subject: "ci"}, {Action: client.ActionCheckFirst},
	})
	assert.Equal(t, []string{"See whether the key was made with `anyscale-keys keys list --name ci` before you run the command again."}, lines)
	lines = cmdutil.AdviceLines("anyscale-keys keys create", []client.Advice{{Action: client.ActionCheckFirst}})
	assert.Len(t, lines, 1, "alone, the check-first advice stands")
}
