package auth

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/internal/regfile"
)

// DefaultEnvironPath is where Workspace reads the environment the
// platform gave the container's first process.
const DefaultEnvironPath = "/proc/1/environ"

// workspaceMarkers are the variables whose presence, with a non-empty
// value, says that the process runs in an Anyscale workspace
// (ANYSCALE_EXPERIMENTAL_WORKSPACE_ID) or on an Anyscale cluster
// (ANYSCALE_SESSION_ID, ANYSCALE_CLUSTER_ID).
var workspaceMarkers = []string{
	"ANYSCALE_EXPERIMENTAL_WORKSPACE_ID",
	"ANYSCALE_SESSION_ID",
	"ANYSCALE_CLUSTER_ID",
}

// maxEnvironSize bounds how much of the injected environment Workspace
// reads.
const maxEnvironSize = 1 << 20

// WorkspaceOption configures Workspace.
type WorkspaceOption func(*workspaceConfig)

type workspaceConfig struct {
	environPath string
}

// WithEnvironPath makes Workspace read the injected environment from p
// instead of DefaultEnvironPath; p holds NUL-separated KEY=VALUE entries.
func WithEnvironPath(p string) WorkspaceOption {
	return func(c *workspaceConfig) { c.environPath = p }
}

// Workspace returns a Provider of the token an Anyscale workspace or
// cluster injected, with Source SourceWorkspace.
//
// A workspace is recognised by a non-empty marker variable
// (ANYSCALE_EXPERIMENTAL_WORKSPACE_ID, ANYSCALE_SESSION_ID or
// ANYSCALE_CLUSTER_ID) in this process's environment or in the container's
// injected environment (DefaultEnvironPath unless WithEnvironPath says
// otherwise). The token is ANYSCALE_CLI_TOKEN from the process environment
// when the workspace put it there, else from the injected environment, so
// notebook kernels, cron jobs and subprocesses started with a trimmed
// environment still authenticate. The injected environment is read only
// when the process environment does not settle the answer, at most once
// per call and at most 1 MiB of it; there is no network I/O.
//
// A token from the injected environment carries, as Token.Host, that
// environment's ANYSCALE_HOST (trimmed of white space) when it is not
// blank, so that ResolveHost sends the token to the workspace's API; a
// token from the process environment carries no Host, since the process's
// own ANYSCALE_HOST, if any, is the one that goes with it.
//
// No marker anywhere, an unreadable injected environment when it was
// needed (missing, not permitted, or not a regular file: a named pipe
// there is never waited on), or a marker without a token: unavailable. A
// token that credentials.ValidateToken rejects: an error. Errors name
// variables and the file, never a variable's value.
func Workspace(opts ...WorkspaceOption) Provider {
	c := workspaceConfig{environPath: DefaultEnvironPath}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return &workspaceProvider{cfg: c}
}

type workspaceProvider struct {
	cfg workspaceConfig
}

func (p *workspaceProvider) Token(ctx context.Context) (Token, error) {
	if err := ctxguard.Check(ctx, "auth.Workspace().Token"); err != nil {
		return Token{}, err
	}
	return p.resolve(ctx).tokenOf()
}

func (p *workspaceProvider) resolve(ctx context.Context) outcome {
	path := p.cfg.environPath
	o := outcome{source: SourceWorkspace, origin: "process environment and " + path}
	if err := ctx.Err(); err != nil {
		o.err = err
		return o
	}
	procOrigin := EnvToken + " (workspace process environment)"
	fileOrigin := path + " (workspace injected environment)"

	marker, markerWhere := firstMarker(os.Getenv), "the process environment"
	procToken := os.Getenv(EnvToken)
	if marker != "" && procToken != "" {
		return p.accept(o, procToken, "", procOrigin, EnvToken+" in the workspace process environment")
	}

	injected, err := readEnviron(path)
	if err != nil {
		if marker == "" {
			o.err = unavailable(SourceWorkspace, o.origin, fmt.Sprintf(
				"no workspace marker in the process environment, and the injected environment is unreadable: %v", err), err)
		} else {
			o.err = unavailable(SourceWorkspace, o.origin, fmt.Sprintf(
				"in an Anyscale workspace (%s is set in the process environment), but %s is not in the process environment and the injected environment is unreadable: %v",
				marker, EnvToken, err), err)
		}
		return o
	}
	if marker == "" {
		marker, markerWhere = firstMarker(func(k string) string { return injected[k] }), path
	}
	if marker == "" {
		o.err = unavailable(SourceWorkspace, o.origin, fmt.Sprintf(
			"not in an Anyscale workspace: none of %s is set", strings.Join(workspaceMarkers, ", ")), nil)
		return o
	}
	switch {
	case procToken != "":
		return p.accept(o, procToken, "", procOrigin, EnvToken+" in the workspace process environment")
	case injected[EnvToken] != "":
		return p.accept(o, injected[EnvToken], strings.TrimSpace(injected[EnvHost]), fileOrigin, EnvToken+" in "+path)
	}
	o.err = unavailable(SourceWorkspace, o.origin, fmt.Sprintf(
		"in an Anyscale workspace (%s is set in %s), but no %s was injected", marker, markerWhere, EnvToken), nil)
	return o
}

// accept validates the token found and completes the outcome; host is
// the API base URL found with the token, or ""; where names the variable
// and its environment for an error.
func (p *workspaceProvider) accept(o outcome, token, host, origin, where string) outcome {
	o.origin = origin
	if err := credentials.ValidateToken(token); err != nil {
		o.err = fmt.Errorf("auth: workspace: %s: %w", where, err)
		return o
	}
	if host != "" && !usableHost(host) && strings.TrimSpace(os.Getenv(EnvHost)) != "" {
		host = "" // never used: the process's own ANYSCALE_HOST wins (see ResolveHost)
	}
	if host != "" && !usableHost(host) {
		o.err = fmt.Errorf("auth: workspace: the %s injected with the token (%s) is not a usable API URL: it does not parse, or carries user info, a query or a fragment; fix the workspace's environment, or set %s in this process", EnvHost, origin, EnvHost)
		return o
	}
	o.token = Token{Value: credentials.Secret(token), Source: SourceWorkspace, Origin: origin, Host: host}
	return o
}

// firstMarker returns the name of the first marker variable that lookup
// finds non-empty, or "".
func firstMarker(lookup func(string) string) string {
	for _, m := range workspaceMarkers {
		if lookup(m) != "" {
			return m
		}
	}
	return ""
}

// readEnviron reads at most maxEnvironSize bytes of NUL-separated
// KEY=VALUE entries at path and keeps only the variables Workspace needs:
// the markers, the token and the host.
// Entries without '=' are skipped; of repeated keys the first wins, as
// getenv(3) does. When the file is longer than the bound, the entry cut in
// the middle is dropped rather than read as a shorter value. Only a
// regular file is read, such as /proc/1/environ: anything else at path (a
// named pipe, a socket, a device, a directory) is an error at once, never
// a read that waits.
func readEnviron(path string) (map[string]string, error) {
	data, err := regfile.Read(path, maxEnvironSize)
	if err != nil {
		return nil, err
	}
	if len(data) > maxEnvironSize {
		data = data[:bytes.LastIndexByte(data[:maxEnvironSize], 0)+1]
	}
	wanted := func(k string) bool {
		if k == EnvToken || k == EnvHost {
			return true
		}
		for _, m := range workspaceMarkers {
			if k == m {
				return true
			}
		}
		return false
	}
	env := make(map[string]string)
	for _, entry := range bytes.Split(data, []byte{0}) {
		k, v, ok := bytes.Cut(entry, []byte{'='})
		if !ok || !wanted(string(k)) {
			continue
		}
		if _, seen := env[string(k)]; !seen {
			env[string(k)] = string(v)
		}
	}
	return env, nil
}
