// Command workspace is code as it runs in an Anyscale workspace notebook:
// zero configuration. The auth chain finds the token the workspace
// injected, even when the kernel was started with a trimmed environment,
// and Explain shows where it came from.
//
// By default it simulates a workspace: the fake Anyscale API, and the
// workspace's markers and injected environment in a temporary directory.
// With -live it runs the notebook code as is, for a real workspace.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
)

func main() {
	live := flag.Bool("live", false, "run in a real Anyscale workspace, against $ANYSCALE_HOST")
	flag.Parse()
	var err error
	if *live {
		err = notebook(context.Background(), os.Stdout, auth.DefaultChain())
	} else {
		err = simulate(context.Background(), os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "workspace example failed:", err)
		os.Exit(1)
	}
}

// notebook is the code a notebook cell runs. In a workspace it is
// client.New() with no options at all: the chain finds the token and the
// API host the workspace injected. The chain is passed in only so the
// simulation can point it at its temporary files.
func notebook(ctx context.Context, out io.Writer, chain *auth.Chain) error {
	c, err := client.New(client.WithProvider(chain))
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "Where the token came from:")
	report := chain.Explain(ctx)
	fmt.Fprint(out, indent(report.String()))
	if report.Err != nil {
		return report.Err
	}

	me, err := c.WhoAmI(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nSigned in as %s (%s).\n", me.Email, me.OrganizationPermissionLevel)

	n := 0
	for _, err := range keys.New(c).All(ctx, keys.ListOptions{}) {
		if err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(out, "You have %d API keys.\n", n)
	return nil
}

// simulate lays out what an Anyscale workspace provides, then runs the
// notebook code: the workspace's container environment (/proc/1/environ
// in a real one) holds the marker, the token and the API host, while the
// kernel's own environment lacks the token and the host, as in a kernel
// started with a trimmed environment.
func simulate(ctx context.Context, out io.Writer) error {
	srv := anyscaletest.NewServer(anyscaletest.WithOwnerEmail("notebook-user@example.com"))
	defer srv.Close()
	dir, err := os.MkdirTemp("", "anyscale-workspace-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	environ := strings.Join([]string{
		"ANYSCALE_EXPERIMENTAL_WORKSPACE_ID=expwrk_simulated0000000000000000",
		"ANYSCALE_SESSION_ID=ses_simulated00000000000000000",
		"ANYSCALE_USER_EMAIL=notebook-user@example.com",
		auth.EnvToken + "=" + srv.Owner().Token,
		auth.EnvHost + "=" + srv.URL,
		"HOME=/home/ray",
	}, "\x00") + "\x00"
	environPath := filepath.Join(dir, "environ")
	if err := os.WriteFile(environPath, []byte(environ), 0o600); err != nil {
		return err
	}
	for _, name := range []string{auth.EnvToken, auth.EnvHost} {
		if _, set := os.LookupEnv(name); set {
			// The simulated kernel's environment has neither of its own.
			fmt.Fprintf(out, "(ignoring %s from your shell for the simulation)\n", name)
			os.Unsetenv(name)
		}
	}
	fmt.Fprintf(out, "Simulated workspace: fake API at %s, injected environment at %s.\n\n", srv.URL, environPath)

	chain := auth.DefaultChain(
		auth.WithFileOptions(auth.WithPath(filepath.Join(dir, "home", ".anyscale", "credentials.json"))),
		auth.WithWorkspaceOptions(auth.WithEnvironPath(environPath)),
	)
	if err := notebook(ctx, out, chain); err != nil {
		return err
	}
	report := chain.Explain(ctx)
	if used := report.Used(); used == nil || used.Source != auth.SourceWorkspace {
		return fmt.Errorf("the chain did not pick the workspace's injected token")
	}
	if report.Host != srv.URL {
		return fmt.Errorf("the client did not take the workspace's injected host, but %s", report.Host)
	}
	return nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "   " + strings.Join(lines, "\n   ") + "\n"
}
