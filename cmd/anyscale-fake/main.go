// Command anyscale-fake serves the fake Anyscale API of package
// anyscaletest as a process, on a fixed loopback port, so the anyscale-keys
// CLI and programs in any language can be tried and tested with no
// account. It prints the shell lines that point a client at it:
//
//	go run github.com/anyscale-go/anyscale/cmd/anyscale-fake@latest --seed
//	# in another shell, paste the export line it printed, then:
//	anyscale-keys whoami
//
// Flags:
//
//	--addr HOST:PORT  where to listen (default 127.0.0.1:8180); a loopback
//	                  address only (127.0.0.1, ::1, localhost); port 0 picks
//	                  a free one, which the printed ANYSCALE_HOST names
//	--seed            seed the demo organization below
//
// Standard output gets the shell lines: a comment for each other member
// with the line that acts as it, then
//
//	export ANYSCALE_HOST=http://127.0.0.1:8180 ANYSCALE_CLI_TOKEN=aph0_…
//
// for the organization's owner, owner@example.com. Tokens are new on each
// run. SIGINT or SIGTERM stops the server (requests in flight end first)
// and the command exits 0.
//
// The demo organization (--seed), "Example Org", on the fake's clock,
// which starts at the time the command started and moves only through the
// admin API: the owner owner@example.com, the collaborator
// ada@example.com and the service account ci-deployer, each with a fresh
// key behind its printed token; and these keys:
//
//	OWNER  NAME        MADE         TO LIVE    LAST USED
//	owner  old-laptop  90 days ago  forever    60 days ago   a legacy key
//	ada    demo        40 days ago  7 days     never         expired
//	ada    notebook    29 days ago  30 days    2 hours ago   expires in a day
//	owner  deploy      20 days ago  30 days    3 hours ago
//	owner  batch-90d   10 days ago  90 days    never         over the 30-day policy
//	ada    scratch     2 days ago   7 days     never
//
// Without --seed the organization has its owner alone.
//
// The admin API, on the same port under /_fake/, a prefix no path of the
// Anyscale API has (its requests are not the fake's: never recorded,
// faulted nor authenticated). Bodies and answers are JSON; an error is
// {"error": "<message>"} with status 400 (a body or value it cannot take)
// or 404 (no such admin endpoint, or not with that method).
//
//	POST   /_fake/faults    queue a fault (anyscaletest.Fault) for the next
//	                        matching requests, from the fields "method",
//	                        "path_prefix", "status", "retry_after", "body",
//	                        "drop", "cut_body", "delay" ("2s"), "times" and
//	                        "after_handler", each optional (an unknown one is
//	                        an error); a path no endpoint has is refused.
//	                        Answers 201 with the fault as queued.
//	GET    /_fake/faults    the faults not used up: {"faults": [...]}, each
//	                        with the uses it has left as "times"
//	DELETE /_fake/faults    drop them: {"dropped": <uses dropped>}
//	POST   /_fake/advance   move the clock forward: {"by": "72h"} (a Go
//	                        duration, or whole days as "3d"); answers
//	                        {"now": "<RFC 3339>"}. Keys age with it; the
//	                        printed tokens' keys move with it (anyscaletest's
//	                        Advance).
//	GET    /_fake/now       the fake's clock: {"now": "<RFC 3339>"}, which
//	                        every answer of the API also sends as its Date
//	GET    /_fake/requests  the requests the API received, oldest first:
//	                        {"requests": [{"method", "path", "query", "body",
//	                        "status", "authenticated", "user_email",
//	                        "trace_id"}]}; never a token
//	POST   /_fake/reset     drop the queued faults and forget the requests:
//	                        {"dropped": <fault uses dropped>}; keys, members
//	                        and the clock stay (restart for a fresh org)
//
// For example, with curl:
//
//	curl -X POST "$ANYSCALE_HOST/_fake/faults" -d '{"method": "GET", "path_prefix": "/api/v2/users/api_keys", "status": 503, "times": 5}'
//	curl -X POST "$ANYSCALE_HOST/_fake/advance" -d '{"by": "29d"}'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
)

// defaultAddr is the fixed port a walk-through can name.
const defaultAddr = "127.0.0.1:8180"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx ends and returns the exit code: 0 once stopped, 1
// when it cannot listen, 2 on a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("anyscale-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", defaultAddr, "where to listen: a loopback `HOST:PORT` (port 0 picks a free one)")
	seed := fs.Bool("seed", false, "seed the demo organization: members, a service account, keys of several ages")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: anyscale-fake [--addr HOST:PORT] [--seed]\n\nServes the fake Anyscale API and its admin API under /_fake/ (go doc github.com/anyscale-go/anyscale/cmd/anyscale-fake).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "anyscale-fake: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := checkLoopback(*addr); err != nil {
		fmt.Fprintf(stderr, "anyscale-fake: %v\n", err)
		return 2
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "anyscale-fake: cannot listen on %s: %v\n", *addr, err)
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(stderr, "Another process (another anyscale-fake?) uses that port: stop it, or pass --addr 127.0.0.1:0 for a free one.\n")
		}
		return 1
	}

	start := time.Now().UTC().Truncate(time.Second)
	clock := start
	if *seed {
		clock = start.Add(-seedPast)
	}
	adm := newAdmin()
	srv := anyscaletest.NewServer(anyscaletest.WithListener(l), anyscaletest.WithClock(clock), anyscaletest.WithWrap(adm.wrap))
	var others []member
	if *seed {
		others = seedDemo(srv)
	}
	adm.ready(srv) // requests that came early were held until now

	owner := srv.Owner()
	fmt.Fprintf(stderr, "anyscale-fake: serving on %s, admin API under %s/_fake/; Ctrl-C stops it\n", srv.URL, srv.URL)
	fmt.Fprintf(stdout, "# The fake Anyscale API, organization %q (%s), clock %s.\n", srv.OrgName(), srv.OrgID(), srv.Now().Format(time.RFC3339))
	if len(others) > 0 {
		fmt.Fprintln(stdout, "# To act as another member, run its line without the leading \"# \":")
	}
	for _, m := range others {
		fmt.Fprintf(stdout, "# export ANYSCALE_CLI_TOKEN=%s  # %s\n", m.user.Token, m.about)
	}
	fmt.Fprintf(stdout, "# The owner, %s:\n", owner.Email)
	fmt.Fprintf(stdout, "export ANYSCALE_HOST=%s ANYSCALE_CLI_TOKEN=%s\n", srv.URL, owner.Token)

	<-ctx.Done()
	srv.Close()
	fmt.Fprintln(stderr, "anyscale-fake: stopped")
	return 0
}

// checkLoopback refuses an address other machines could reach: the fake
// hands out its tokens and takes orders from anyone who can connect.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--addr %q is not a loopback address: use 127.0.0.1, ::1 or localhost (the fake serves anyone who can reach it)", addr)
}
