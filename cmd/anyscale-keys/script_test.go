package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/tests/scriptcmd"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"anyscale-keys": func() { os.Exit(runCLI()) },
	})
}

// TestScripts runs testdata/script/*.txtar, each against a fake Anyscale
// API of its own: $ANYSCALE_HOST is the fake, $ANYSCALE_CLI_TOKEN and
// $OWNER_TOKEN the seeded owner's token, $HOME the script's work
// directory. Once a script ends, nothing anyscale-keys wrote in it (to
// standard output or error) may name a Go identifier or the other CLI
// (see goWords): every script holds that rule without saying so. The
// commands beyond testscript's own:
//
//	fake user EMAIL owner|collaborator VAR    add a member; $VAR is its token
//	fake sa NAME [owner] VAR                  add a service account; $VAR is its token, $VAR_EMAIL its email
//	fake key EMAIL NAME DURATION [VAR]        give a member a key (0: legacy); $VAR is its id
//	fake used ID DURATION                     the key was last used DURATION ago
//	fake advance DURATION                     move the server clock
//	fake fail METHOD PATH STATUS [TIMES]      the next requests get STATUS
//	fake hang METHOD PATH                     the next request gets no answer (for a minute)
//	fake count-keys EMAIL N                   the member has N active keys
//	exits N PROGRAM [ARGS...]                 run PROGRAM; it must exit with N
//	unset VAR                                 anyscale-keys runs without VAR until env sets it again
//	nosecret                                  no token shows in stdout or stderr
//	secretout                                 stdout is one token alone; stderr shows none
func TestScripts(t *testing.T) {
	if raceEnabled {
		// Every script command starts the test binary again: built with
		// the race detector, the scripts take minutes. The command's own
		// packages run their tests under -race; the scripts run without.
		t.Skip("the scripts run without -race")
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			srv := anyscaletest.NewServer(anyscaletest.WithOwnerEmail("owner@example.com"))
			env.Defer(srv.Close)
			env.Values["srv"] = srv
			env.Setenv("ANYSCALE_HOST", srv.URL)
			env.Setenv("ANYSCALE_CLI_TOKEN", srv.Owner().Token)
			env.Setenv("OWNER_TOKEN", srv.Owner().Token)
			env.Setenv("HOME", env.WorkDir)
			return checkWordsAtEnd(env)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fake":      fakeCmd,
			"exits":     scriptcmd.Exits,
			"nosecret":  nosecretCmd,
			"unset":     unsetCmd,
			"secretout": secretoutCmd,
		},
	})
}

// checkWordsAtEnd has anyscale-keys copy all it writes in the script to a
// transcript outside the script's directory, and fails the script at its
// end when the transcript names a Go identifier or the other CLI.
func checkWordsAtEnd(env *testscript.Env) error {
	dir, err := os.MkdirTemp("", "anyscale-keys-transcript-")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "transcript")
	env.Setenv(transcriptEnv, path)
	script := strings.TrimPrefix(filepath.Base(env.WorkDir), "script-")
	env.Defer(func() {
		defer os.RemoveAll(dir)
		out, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			env.T().Fatal(err)
		}
		if bad := goWords(string(out)); len(bad) > 0 {
			env.T().Fatal(fmt.Sprintf("anyscale-keys named a Go identifier or the other CLI in %s.txtar:\n\t%s",
				script, strings.Join(bad, "\n\t")))
		}
	})
	return nil
}

func server(ts *testscript.TestScript) *anyscaletest.Server {
	return ts.Value("srv").(*anyscaletest.Server)
}

func fakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("fake does not take !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: fake user|sa|key|used|advance|fail|count-keys ...")
	}
	srv := server(ts)
	member := func(email string) anyscaletest.User {
		u, ok := srv.LookupUser(email)
		if !ok {
			ts.Fatalf("no member %s", email)
		}
		return u
	}
	duration := func(s string) time.Duration {
		d, err := parseDays(s)
		ts.Check(err)
		return d
	}
	switch args[0] {
	case "user":
		if len(args) != 4 {
			ts.Fatalf("usage: fake user EMAIL owner|collaborator VAR")
		}
		u := srv.AddUser(args[1], anyscaletest.Role(args[2]))
		ts.Setenv(args[3], u.Token)
	case "sa":
		if len(args) != 3 && len(args) != 4 {
			ts.Fatalf("usage: fake sa NAME [owner] VAR")
		}
		role := []anyscaletest.Role{}
		if len(args) == 4 {
			role = append(role, anyscaletest.Role(args[2]))
		}
		u := srv.AddServiceAccount(args[1], role...)
		ts.Setenv(args[len(args)-1], u.Token)
		ts.Setenv(args[len(args)-1]+"_EMAIL", u.Email)
	case "key":
		if len(args) != 4 && len(args) != 5 {
			ts.Fatalf("usage: fake key EMAIL NAME DURATION [VAR]")
		}
		id, _ := srv.AddKey(member(args[1]), args[2], duration(args[3]))
		if len(args) == 5 {
			ts.Setenv(args[4], id)
		}
	case "used":
		if len(args) != 3 {
			ts.Fatalf("usage: fake used ID DURATION")
		}
		srv.SetLastUsed(args[1], srv.Now().Add(-duration(args[2])))
	case "advance":
		if len(args) != 2 {
			ts.Fatalf("usage: fake advance DURATION")
		}
		srv.Advance(duration(args[1]))
	case "fail":
		if len(args) != 4 && len(args) != 5 {
			ts.Fatalf("usage: fake fail METHOD PATH STATUS [TIMES]")
		}
		status, err := strconv.Atoi(args[3])
		ts.Check(err)
		times := 1
		if len(args) == 5 {
			times, err = strconv.Atoi(args[4])
			ts.Check(err)
		}
		srv.FailNext(anyscaletest.Fault{Method: args[1], PathPrefix: args[2], Status: status, Times: times})
	case "lose":
		if len(args) != 3 {
			ts.Fatalf("usage: fake lose METHOD PATH")
		}
		// The server acts, and its answer is lost on the way.
		srv.FailNext(anyscaletest.Fault{Method: args[1], PathPrefix: args[2], Drop: true, AfterHandler: true})
	case "hang":
		if len(args) != 3 {
			ts.Fatalf("usage: fake hang METHOD PATH")
		}
		srv.FailNext(anyscaletest.Fault{Method: args[1], PathPrefix: args[2], Delay: time.Minute})
	case "count-keys":
		if len(args) != 3 {
			ts.Fatalf("usage: fake count-keys EMAIL N")
		}
		want, err := strconv.Atoi(args[2])
		ts.Check(err)
		n := 0
		for _, k := range srv.Keys(member(args[1])) {
			if k.RevokedAt == nil && (k.ExpiresAt == nil || k.ExpiresAt.After(srv.Now())) {
				n++
			}
		}
		if n != want {
			ts.Fatalf("%s has %d active keys, want %d", args[1], n, want)
		}
	default:
		ts.Fatalf("unknown fake command %q", args[0])
	}
}

// parseDays reads a duration with "d" for days, as the scripts write them.
func parseDays(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		return time.Duration(d) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

func unsetCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: unset VAR")
	}
	names := []string{}
	if old := ts.Getenv(unsetEnv); old != "" {
		names = strings.Split(old, ",")
	}
	ts.Setenv(args[0], "")
	ts.Setenv(unsetEnv, strings.Join(append(names, args[0]), ","))
}

// token matches the secrets the fake issues.
var token = regexp.MustCompile(`aph0_[a-z0-9]{20,}`)

func nosecretCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: nosecret")
	}
	for _, name := range []string{"stdout", "stderr"} {
		if found := token.FindString(ts.ReadFile(name)); found != "" {
			ts.Fatalf("a token shows in %s", name)
		}
	}
}

func secretoutCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: secretout")
	}
	out := ts.ReadFile("stdout")
	if !token.MatchString(out) || strings.TrimSpace(out) != token.FindString(out) || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		ts.Fatalf("stdout is not one token alone on a line: %d bytes", len(out))
	}
	if token.MatchString(ts.ReadFile("stderr")) {
		ts.Fatalf("a token shows in stderr")
	}
}
