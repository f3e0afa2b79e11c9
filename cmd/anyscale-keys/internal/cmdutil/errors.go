package cmdutil

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
)

// PrintError writes err as anyscale-keys reports a failure, the way gh
// does: "anyscale-keys: " and what went wrong (the error's facts, without
// the SDK's advice sentences, which speak Go), then one line for each
// advice the error carries, in this command line's words. path is the
// command that ran ("anyscale-keys sa get"): where an advice does not say
// which list to look in, the command's group does.
//
// It never looks inside the error's text: what to do next comes from the
// typed advice alone (client.AdviceOf).
func PrintError(w io.Writer, path string, err error) {
	fmt.Fprintf(w, "anyscale-keys: %s\n", strings.TrimSpace(client.Facts(err)))
	for _, line := range AdviceLines(path, client.AdviceOf(err)) {
		fmt.Fprintln(w, line)
	}
}

// AdviceLines are the sentences PrintError writes for advice, one for
// each, without repeats, in order.
func AdviceLines(path string, advice []client.Advice) []string {
	var out []string
	seen := map[string]bool{}
	// "See whether it was made" says all that "the server may have acted"
	// would: one sentence for one thing.
	lookFirst := slices.ContainsFunc(advice, func(a client.Advice) bool { return a.Action == client.ActionGetFirst })
	for _, a := range advice {
		if lookFirst && a.Action == client.ActionCheckFirst {
			continue
		}
		s := AdviceSentence(path, a)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// AdviceSentence is what to do next after an error with advice a, in this
// command line's words: a sentence that names this CLI's commands (never
// a Go identifier, never another CLI). path is the command that ran. An
// action this CLI does not know (a newer SDK's) gets "".
func AdviceSentence(path string, a client.Advice) string {
	switch a.Action {
	case client.ActionRenewToken:
		return renewToken(a)
	case client.ActionConfigureToken:
		return "Run `anyscale-keys login`, or set " + auth.EnvToken + " to an API key created in the console."
	case client.ActionFixPermissions:
		return fixPermissions(a)
	case client.ActionExplainChain:
		host := ""
		if a.Subject != "" {
			host = " " + a.Subject
			if origin := a.Origin; origin != "" {
				if origin == client.HostFromOption {
					origin = "--host" // the option the command line gives the client
				}
				host += " (from " + origin + ")"
			}
		}
		return "Check the host" + host + " and where the token comes from with `anyscale-keys auth explain`."
	case client.ActionCheckFirst:
		what := "what it would have changed"
		if a.Subject != "" {
			what = a.Subject
		}
		return "The server may have acted before the command failed: check " + what + " before you run it again."
	case client.ActionWait:
		return "The server asked for a longer wait than this command retries for: wait a while, then run it again."
	case client.ActionNeedOwner:
		return "Only an organization owner can do this: ask an owner, or run it with an owner's token."
	case client.ActionRotateOwnKey:
		return "A job that runs on the service account's own token replaces that token with `anyscale-keys keys rotate`, run on that token."
	case client.ActionListToFind:
		return listToFind(path, a)
	case client.ActionGetFirst:
		return getFirst(path, a)
	case client.ActionCreateKey:
		return "Make a key for the service account with `anyscale-keys sa key " + accountFlag(a.Subject) + "`."
	case client.ActionRotateKeys:
		return "Replace every key of the service account (a key nobody holds may exist) with `anyscale-keys sa rotate " + accountFlag(a.Subject) + "`."
	case client.ActionUseID:
		if a.Subject == "" {
			return "Give the key's id: the ID column of `anyscale-keys keys list`."
		}
		return "Give the key's id instead: " + a.Subject + "."
	case client.ActionRefine:
		if a.Subject == "" {
			return "Name just one of the matches, by its id as listed."
		}
		return "Name just one of the matches of " + a.Subject + ", by its id as listed."
	case client.ActionRunAgain:
		return "Nothing is lost: run the same command again to finish the job."
	}
	return ""
}

// renewToken says how to replace a rejected token, by where it came from.
func renewToken(a client.Advice) string {
	switch auth.Source(a.Source) {
	case auth.SourceFile:
		return "Run `anyscale-keys login` to renew it."
	case auth.SourceEnv:
		name := a.Origin
		if name == "" {
			name = auth.EnvToken
		}
		return "Create a new key in the console and set " + name + " to it."
	case auth.SourceWorkspace:
		return "The workspace's token was refused: set " + auth.EnvToken + " to a new API key from the console, or run `anyscale-keys login`."
	}
	return "Run `anyscale-keys login`, or set " + auth.EnvToken + " to a new API key from the console."
}

// fixPermissions gives the chmod that closes the file (600) or the
// directory (go-w) named by a.Origin to other accounts.
func fixPermissions(a client.Advice) string {
	if a.Origin == "" {
		return "Make the credentials file readable and writable by you alone: `chmod 600` it."
	}
	if info, err := os.Stat(a.Origin); err == nil && info.IsDir() {
		return "Run `chmod go-w " + ShellQuote(a.Origin) + "` so that no other account can change what is in it."
	}
	return "Run `chmod 600 " + ShellQuote(a.Origin) + "` so that only you can read it."
}

// The command groups whose lists an advice can point to.
const (
	groupKeys    = "keys"
	groupSA      = "sa"
	groupMembers = "members"
)

// group is the command group of path: "sa" for "anyscale-keys sa get".
func group(path string) string {
	fields := strings.Fields(path)
	if len(fields) < 2 {
		return ""
	}
	return fields[1]
}

// listToFind names the list that holds what a.Subject should have named.
func listToFind(path string, a client.Advice) string {
	none, list := "Nothing", "`anyscale-keys members list`, `anyscale-keys sa list` or `anyscale-keys keys list`"
	switch group(path) {
	case groupSA:
		none, list = "No service account", "`anyscale-keys sa list`"
	case groupMembers:
		none, list = "No member", "`anyscale-keys members list`"
	case groupKeys:
		none, list = "No key", "`anyscale-keys keys list`"
		if strings.Contains(a.Subject, "@") {
			none, list = "No member", "`anyscale-keys members list`"
		}
	}
	if a.Subject == "" {
		return "See what there is with " + list + "."
	}
	return none + " matches " + a.Subject + ": see what there is with " + list + "."
}

// getFirst names the command that shows whether a.Subject exists.
func getFirst(path string, a client.Advice) string {
	if group(path) == groupMembers {
		if a.Subject == "" {
			return "See whether the member is still there with `anyscale-keys members list` before you run the command again."
		}
		return "See whether " + a.Subject + " is still a member with `anyscale-keys members list` before you run the command again."
	}
	if group(path) == groupKeys {
		if a.Subject == "" {
			return "See whether the key was made with `anyscale-keys keys list` before you run the command again."
		}
		return "See whether the key was made with `anyscale-keys keys list --name " + ShellQuote(a.Subject) + "` before you run the command again."
	}
	if a.Subject == "" {
		return "See whether it was made with `anyscale-keys sa list` before you run the command again."
	}
	return "See whether it was made with `anyscale-keys sa get " + accountFlag(a.Subject) + "` before you run the command again."
}

// accountFlag is the argument that names the service account subject on
// the command line: its name or its email; NAME when there is
// none.
func accountFlag(subject string) string {
	if subject == "" {
		return "NAME"
	}
	return ShellQuote(subject)
}

// ShellQuote is s as a POSIX shell reads it back: itself when it holds
// only characters no shell treats specially, else in single quotes.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
